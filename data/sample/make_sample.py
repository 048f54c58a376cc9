#!/usr/bin/env python3
"""Generate the synthetic sample city "Kota Contoh" (in the spirit of Tanjungpinang).

Usage::

    .venv/bin/python data/sample/make_sample.py [OUTPUT_DIR]

OUTPUT_DIR defaults to the folder of this script (data/sample/).  Everything is
derived from numpy Generators seeded with SEED, so running it twice gives the same
content; the timestamps that GeoPackage, DBF, zip and XLSX writers embed are pinned,
so the files are even byte-identical.  No network access, no dependency on the
sppr_gis package.

Outline: build_geography() (grid, coast, river, roads) -> build_zoning() (a planar
partition painted from labelled shapes, plus the three deliberate defects marked
DEFECT 1-3) -> plan_programs() (IPU table and the engineered rencana programmes, each
with a comment) -> background() (ordinary programmes kept away from the IPUs) ->
generate() (asserts every engineered outcome with a small restatement of the contract
rules, class Oracle / oracle_sync) -> write_all().

All spatial data is built in EPSG:32648 (UTM 48N) and only converted to EPSG:4326 for
the files that real OPDs deliver in lon/lat.  See README.md next to this script for
the list of files, the engineered cases and the deliberate defects.
"""

from __future__ import annotations

import math
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box
from shapely.ops import substring

SEED = 20250601
CRS = "EPSG:32648"
X0, X1, Y0, Y1 = 436000.0, 448000.0, 98000.0, 108000.0
NX, NY = 18, 15                       # jittered block grid (cells of ~667 m)
ROAD_COLS = (3, 7, 11, 15)            # grid columns carrying a main N-S road
ROAD_ROWS = (3, 7, 11)                # grid rows carrying a main E-W road
ROAD_HALF = 12.0                      # half width of a BJ road-body strip (m)
RIVER_HALF = 30.0                     # half width of the river corridor (PS zone)
RIVER_CUTS = (0.26, 0.51, 0.76)       # the PS corridor is cut into 4 same-code segments
GRID = 0.01                           # coordinates of the zoning snapped to 1 cm
OLD_TOWN = (437950.0, 101250.0)       # centre of the old town ("Kota Lama")
WADMPR, WADMKK = "Kepulauan Riau", "Kota Contoh"
TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

ROAD_NAMES_V = {3: "Jalan Brigjen Katamso", 7: "Jalan Ir. Sutami",
                11: "Jalan D.I. Panjaitan", 15: "Jalan Ganet"}
ROAD_NAMES_H = {3: "Jalan Basuki Rahmat", 7: "Jalan Raja Haji Fisabilillah",
                11: "Jalan Adi Sucipto"}
LOCAL_STREETS = ["Jalan Pramuka", "Jalan Sei Timun", "Jalan Kuantan", "Jalan Pemuda",
                 "Jalan Bakar Batu", "Jalan Lembah Purnama", "Jalan Kijang Lama",
                 "Jalan Sultan Mahmud", "Jalan Tugu Pahlawan", "Jalan Hang Tuah",
                 "Jalan Merdeka", "Jalan Wiratno", "Jalan Sunaryo", "Jalan Nusantara",
                 "Jalan Kamboja", "Jalan Teuku Umar", "Jalan Pelantar", "Jalan Bhakti"]

# --------------------------------------------------------------------------- zone codes
ZONE_INFO = {  # KODSZN: (KODZON, NAMZON, NAMSZN, JNSRPR)
    "R-2": ("R", "Zona Perumahan", "Perumahan Kepadatan Tinggi", "Kawasan Budi Daya"),
    "R-3": ("R", "Zona Perumahan", "Perumahan Kepadatan Sedang", "Kawasan Budi Daya"),
    "R-4": ("R", "Zona Perumahan", "Perumahan Kepadatan Rendah", "Kawasan Budi Daya"),
    "K-1": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala Kota", "Kawasan Budi Daya"),
    "K-2": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala WP", "Kawasan Budi Daya"),
    "K-3": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala SWP", "Kawasan Budi Daya"),
    "SPU-1": ("SPU", "Zona Sarana Pelayanan Umum", "Sarana Pelayanan Umum Skala Kota", "Kawasan Budi Daya"),
    "SPU-2": ("SPU", "Zona Sarana Pelayanan Umum", "Sarana Pelayanan Umum Skala Kecamatan", "Kawasan Budi Daya"),
    "SPU-3": ("SPU", "Zona Sarana Pelayanan Umum", "Sarana Pelayanan Umum Skala Kelurahan", "Kawasan Budi Daya"),
    "RTH-1": ("RTH", "Zona Ruang Terbuka Hijau", "Rimba Kota", "Kawasan Lindung"),
    "RTH-2": ("RTH", "Zona Ruang Terbuka Hijau", "Taman Kota", "Kawasan Lindung"),
    "RTH-3": ("RTH", "Zona Ruang Terbuka Hijau", "Taman Kecamatan", "Kawasan Lindung"),
    "RTH-7": ("RTH", "Zona Ruang Terbuka Hijau", "Pemakaman", "Kawasan Lindung"),
    "KT": ("KT", "Zona Perkantoran", "Perkantoran", "Kawasan Budi Daya"),
    "KPI": ("KPI", "Zona Kawasan Peruntukan Industri", "Kawasan Peruntukan Industri", "Kawasan Budi Daya"),
    "C-1": ("C", "Zona Campuran", "Campuran Intensitas Tinggi", "Kawasan Budi Daya"),
    "BJ": ("BJ", "Zona Badan Jalan", "Badan Jalan", "Kawasan Budi Daya"),
    "PS": ("PS", "Zona Perlindungan Setempat", "Perlindungan Setempat", "Kawasan Lindung"),
    "W": ("W", "Zona Pariwisata", "Pariwisata", "Kawasan Budi Daya"),
    # deliberately absent from the ITBX matrix (-> perlu_kajian for anything touching it)
    "TPA": ("TPA", "Zona Pengelolaan Persampahan", "Tempat Pemrosesan Akhir", "Kawasan Budi Daya"),
}
RES = ("R-2", "R-3", "R-4")
MATRIX_CODES = ["R-2", "R-3", "R-4", "K-1", "K-2", "K-3", "C-1", "KT", "SPU-1", "SPU-2",
                "SPU-3", "RTH-1", "RTH-2", "RTH-3", "RTH-7", "KPI", "W", "PS", "BJ"]

# --------------------------------------------------------------------------- ITBX matrix
# Columns in MATRIX_CODES order.  "" = deliberately blank cell (no rule).
ITBX = [
    ("Jaringan Jalan", "pembangunan_jalan",
     "I I I I I I I I I I I X T1 T1 T1 I I T3 I"),
    ("Jaringan Jalan", "pemeliharaan_jalan",
     "I I I I I I I I I I I T3 I I I I I T3 I"),
    ("Jaringan Jalan", "jembatan",
     "I I I I I I I I I I I T3 T1 T1 X I _ B1 I"),           # blank: W
    ("Jaringan Jalan", "penerangan_jalan",
     "I I I I I I I I I I I T2 I I I _ I T2 I"),             # blank: KPI
    ("Drainase", "pembangunan_drainase",
     "I I I I I I I I I I I T3 I I I I I T3 I"),
    ("Air Minum", "jaringan_air_minum",
     "I I I I I I I I I I I T3 I I T3 I I T3 I"),
    ("Sanitasi", "ipal_komunal",
     "I I I T1 T1 T1 T1 T1 T1 T1 T1 X B1 B1 X I B1 X _"),    # blank: BJ
    ("Persampahan", "tps3r",
     "X X X X B1 B1 B1 X X X X X X X T1 B1 X X X"),
    ("Pendidikan", "pembangunan_sekolah",
     "B2 B2 B2 T1 T1 T1 I T1 I I I X X X X X T1 X X"),
    ("Kesehatan", "puskesmas",
     "I I T1 I I I I T1 I I I X X X X T1,B1 T1 X X"),
    ("Ruang Terbuka", "taman_kota",
     "I I I I I I I I I I I I I I T1 I I T3 T1"),
    ("Ruang Terbuka", "ruang_terbuka_hijau",
     "I I I I I I I I I I I I I I I I I I I"),
    ("Perdagangan", "pasar_rakyat",
     "T1,B2 B2 X I I I I X X X _ X X X X X T2 X X"),         # blank: SPU-3
    ("Perumahan", "rumah_susun",
     "I T1 X B2 B2 B2 I X X X X X X X X X B1 X X"),
    ("Perumahan", "perumahan",
     "I I I T1 T1 T1 I X X X X X X X X X T1 X X"),
    ("Perhubungan", "halte",
     "T1 T1 T1 I I I I I I I I X T1 T1 X I I X I"),
]
SYARAT = [
    ("T1", "maksimal 20% luas persil"),
    ("T2", "jam operasional dibatasi (06.00-22.00 WIB)"),
    ("T3", "hanya prasarana penunjang dengan luas dan lebar terbatas, tidak mengurangi fungsi lindung"),
    ("B1", "persetujuan warga sekitar dan instansi terkait"),
    ("B2", "wajib menyediakan parkir atau RTH"),
]
KODE_KEGIATAN = [  # SIPD (Permendagri 90/2019-style) code prefixes -> activity
    ("1.03.10.2.01", "pembangunan_jalan"),
    ("1.03.10.2.01.0053", "pembangunan_jalan"),
    ("1.03.10.2.01.0056", "pemeliharaan_jalan"),
    ("1.03.10.2.01.0058", "jembatan"),
    ("1.03.06.2.01", "pembangunan_drainase"),
    ("1.03.03.2.01", "jaringan_air_minum"),
    ("1.03.05.2.01", "ipal_komunal"),
    ("1.01.02.2.01", "pembangunan_sekolah"),
    ("1.01.02.2.02", "pembangunan_sekolah"),
    ("1.02.02.2.01", "puskesmas"),
    ("1.04.02.2.01", "perumahan"),
    ("1.04.02.2.02", "rumah_susun"),
    ("1.04.05.2.01", "ruang_terbuka_hijau"),
    ("2.11.05.2.01", "taman_kota"),
    ("2.11.05.2.02", "ruang_terbuka_hijau"),
    ("2.11.11.2.01.0005", "tps3r"),
    ("2.11.11.2.01.0011", "bank_sampah"),
    ("2.15.02.2.02.0011", "penerangan_jalan"),
    ("2.15.02.2.02.0016", "halte"),
    ("3.30.03.2.01", "pasar_rakyat"),
]
KODE = {  # full sub-kegiatan code used in the rencana files
    "pembangunan_jalan": "1.03.10.2.01.0053", "pemeliharaan_jalan": "1.03.10.2.01.0056",
    "jembatan": "1.03.10.2.01.0058", "pembangunan_drainase": "1.03.06.2.01.0012",
    "jaringan_air_minum": "1.03.03.2.01.0009", "ipal_komunal": "1.03.05.2.01.0017",
    "pembangunan_sekolah": "1.01.02.2.01.0009", "puskesmas": "1.02.02.2.01.0004",
    "perumahan": "1.04.02.2.01.0008", "rumah_susun": "1.04.02.2.02.0003",
    "ruang_terbuka_hijau": "1.04.05.2.01.0002", "taman_kota": "2.11.05.2.01.0003",
    "tps3r": "2.11.11.2.01.0005", "bank_sampah": "2.11.11.2.01.0011",
    "penerangan_jalan": "2.15.02.2.02.0011", "halte": "2.15.02.2.02.0016",
    "pasar_rakyat": "3.30.03.2.01.0001",
}
OPD = {
    "PUPR": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "PERKIM": "Dinas Perumahan dan Kawasan Permukiman",
    "DINKES": "Dinas Kesehatan",
    "DISDIK": "Dinas Pendidikan",
    "DLH": "Dinas Lingkungan Hidup",
    "DISHUB": "Dinas Perhubungan",
    "DISDAG": "Dinas Perdagangan dan Perindustrian",
}

KECAMATAN = {  # name: seed point (cells go to the nearest seed)
    "Tanjungpinang Barat": (438800.0, 106300.0),
    "Tanjungpinang Kota": (438400.0, 102300.0),
    "Bukit Bestari": (442300.0, 100700.0),
    "Tanjungpinang Timur": (445400.0, 104900.0),
}
KELURAHAN = {  # name: (kecamatan, seed point)
    "Kemboja": ("Tanjungpinang Barat", (437300.0, 106700.0)),
    "Kampung Baru": ("Tanjungpinang Barat", (439500.0, 107400.0)),
    "Bukit Cermin": ("Tanjungpinang Barat", (440600.0, 105600.0)),
    "Tanjung Ayun Sakti": ("Tanjungpinang Barat", (438300.0, 104900.0)),
    "Kampung Bugis": ("Tanjungpinang Kota", (437700.0, 103100.0)),
    "Senggarang": ("Tanjungpinang Kota", (439600.0, 103300.0)),
    "Tanjung Unggat": ("Tanjungpinang Kota", (438600.0, 101100.0)),
    "Dompak": ("Bukit Bestari", (441300.0, 99200.0)),
    "Sei Jang": ("Bukit Bestari", (441300.0, 101700.0)),
    "Kampung Bulang": ("Bukit Bestari", (443700.0, 100400.0)),
    "Air Raja": ("Tanjungpinang Timur", (446500.0, 106800.0)),
    "Pinang Kencana": ("Tanjungpinang Timur", (443900.0, 106500.0)),
    "Batu Sembilan": ("Tanjungpinang Timur", (444300.0, 103300.0)),
    "Melayu Kota Piring": ("Tanjungpinang Timur", (446700.0, 101800.0)),
}


# =========================================================================== helpers
def rng_for(stage: int) -> np.random.Generator:
    """An independent, reproducible generator per stage."""
    return np.random.default_rng([SEED, stage])


def catmull_rom(points, n_per: int = 40) -> np.ndarray:
    p = np.asarray(points, float)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    t = np.linspace(0.0, 1.0, n_per, endpoint=False)[:, None]
    for k in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[k - 1], p[k], p[k + 1], p[k + 2]
        out.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(p[-2][None, :])
    return np.vstack(out)


def resample(coords, step: float) -> np.ndarray:
    line = LineString(coords)
    n = max(2, int(round(line.length / step)) + 1)
    pts = shapely.line_interpolate_point(line, np.linspace(0.0, line.length, n))
    return shapely.get_coordinates(pts)


def wiggle(coords: np.ndarray, rng, comps, pin_ends: bool = False) -> np.ndarray:
    """Offset a polyline perpendicular to itself by a sum of sines (amp, wavelength)."""
    c = np.asarray(coords, float)
    seg = np.r_[0.0, np.cumsum(np.hypot(*np.diff(c, axis=0).T))]
    tx, ty = np.gradient(c[:, 0]), np.gradient(c[:, 1])
    norm = np.hypot(tx, ty)
    nx_, ny_ = -ty / norm, tx / norm
    off = np.zeros(len(c))
    for amp, wl in comps:
        off += amp * np.sin(2 * np.pi * seg / wl + rng.uniform(0, 2 * np.pi))
    if pin_ends:
        off *= np.sin(np.pi * seg / seg[-1])
    return np.column_stack([c[:, 0] + nx_ * off, c[:, 1] + ny_ * off])


def blob(center, radius: float, rng, n: int = 32, rough: float = 0.18) -> Polygon:
    """A smooth irregular closed shape (parks, cemeteries ...)."""
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in (2, 3, 5):
        r += rough / k * np.sin(k * ang + rng.uniform(0, 2 * np.pi))
    r *= radius
    pts = np.column_stack([center[0] + r * np.cos(ang), center[1] + r * np.sin(ang)])
    return Polygon(np.round(pts, 2))


def rnd(geom, grid: float = GRID):
    return shapely.set_precision(geom, grid)


def line_offset(line: LineString, dist: float) -> LineString:
    """Parallel line (left side for dist > 0), same direction."""
    off = line.offset_curve(dist, join_style="mitre", mitre_limit=3.0)
    return LineString(np.round(np.asarray(off.coords), 2))


def move(p: Point, dx: float, dy: float) -> Point:
    return Point(round(p.x + dx, 2), round(p.y + dy, 2))


def mvalid(g):
    if g is None or g.is_empty:
        return g
    return g if g.is_valid else shapely.make_valid(g, method="linework")


# =========================================================================== geography
def build_geography():
    rng = rng_for(1)
    cw, ch = (X1 - X0) / NX, (Y1 - Y0) / NY
    gx = np.repeat(np.linspace(X0, X1, NX + 1)[:, None], NY + 1, axis=1)
    gy = np.repeat(np.linspace(Y0, Y1, NY + 1)[None, :], NX + 1, axis=0)
    jit = 0.16 * cw
    for i in range(1, NX):
        for j in range(1, NY):
            fx = 0.03 if i in ROAD_COLS else 1.0   # main roads stay fairly straight
            fy = 0.03 if j in ROAD_ROWS else 1.0
            gx[i, j] += rng.uniform(-jit, jit) * fx
            gy[i, j] += rng.uniform(-jit, jit) * fy
    gx, gy = np.round(gx, 2), np.round(gy, 2)

    def vtx(i, j):
        return (gx[i, j], gy[i, j])

    # grid edges, some of them wiggly (shared exactly by the two cells either side)
    edges = {}
    for i in range(NX + 1):
        for j in range(NY + 1):
            for di, dj in ((1, 0), (0, 1)):
                if i + di > NX or j + dj > NY:
                    continue
                a, b = vtx(i, j), vtx(i + di, j + dj)
                on_border = (di == 1 and j in (0, NY)) or (dj == 1 and i in (0, NX))
                on_road = (dj == 1 and i in ROAD_COLS) or (di == 1 and j in ROAD_ROWS)
                if not on_border and not on_road and rng.random() < 0.14:
                    c = resample([a, b], 14.0)
                    c = wiggle(c, rng, [(rng.uniform(8, 22), rng.uniform(250, 450)),
                                        (rng.uniform(2, 6), rng.uniform(60, 110))], pin_ends=True)
                    c[0], c[-1] = a, b
                    edges[(i, j, di, dj)] = np.round(c, 2)
                else:
                    edges[(i, j, di, dj)] = np.array([a, b])

    cells = {}
    for i in range(NX):
        for j in range(NY):
            ring = np.vstack([edges[(i, j, 1, 0)][:-1], edges[(i + 1, j, 0, 1)][:-1],
                              edges[(i, j + 1, 1, 0)][::-1][:-1], edges[(i, j, 0, 1)][::-1][:-1]])
            poly = Polygon(ring)
            assert poly.is_valid, (i, j)
            cells[(i, j)] = poly

    # coastline (west and south-west), densified to ~10 m with small bays and capes
    ctrl = [(435600, 105700), (436250, 104800), (436800, 103300), (437050, 102300),
            (437500, 100700), (438300, 99700), (439400, 98950), (440800, 98400),
            (442700, 97800)]
    coast = resample(catmull_rom(ctrl, 60), 10.0)
    coast = wiggle(coast, rng, [(55, 1300), (22, 420), (7, 120), (1.5, 35)])
    coast = np.round(coast, 2)
    sea = Polygon(np.vstack([coast, [(435000, 97000)]]))
    assert sea.is_valid
    city = box(X0, Y0, X1, Y1).difference(sea)
    assert city.geom_type == "Polygon", city.geom_type

    # river (Sungai Carang): meandering from the interior to the coast
    rctrl = [(444450, 105750), (443350, 104800), (442500, 103500), (441450, 102500),
             (440350, 101450), (439600, 100450), (438900, 99500), (438400, 98700)]
    river = resample(catmull_rom(rctrl, 60), 12.0)
    river = wiggle(river, rng, [(45, 620), (14, 170), (3, 60)])
    river_line = LineString(np.round(river, 2))
    assert river_line.is_simple

    roads = {}
    for c in ROAD_COLS:
        pts = [vtx(c, j) for j in range(NY + 1)]
        pts = [(pts[0][0], pts[0][1] - 50)] + pts + [(pts[-1][0], pts[-1][1] + 50)]
        roads[ROAD_NAMES_V[c]] = LineString(pts)
    for r in ROAD_ROWS:
        pts = [vtx(i, r) for i in range(NX + 1)]
        pts = [(pts[0][0] - 50, pts[0][1])] + pts + [(pts[-1][0] + 50, pts[-1][1])]
        roads[ROAD_NAMES_H[r]] = LineString(pts)
    return dict(cells=cells, edges=edges, city=city, sea=sea, coast=coast,
                river_line=river_line, roads=roads, vtx=vtx)


def assign_codes(geo):
    """Land-use model: one sub-zone code per grid cell."""
    rng = rng_for(2)
    cells, city, river_line = geo["cells"], geo["city"], geo["river_line"]
    river_zone = river_line.buffer(RIVER_HALF + 60)
    info = {}
    for (i, j), poly in sorted(cells.items()):
        land = poly.intersection(city)
        if land.area < 1.0:
            continue
        c = poly.centroid
        info[(i, j)] = dict(frac=land.area / poly.area, cx=c.x, cy=c.y,
                            river=poly.intersects(river_zone),
                            road=(i in ROAD_COLS or i + 1 in ROAD_COLS or j in ROAD_ROWS or j + 1 in ROAD_ROWS))

    def near(pt, r):
        return [k for k, v in info.items() if math.hypot(v["cx"] - pt[0], v["cy"] - pt[1]) < r]

    def nearest(pt, pool=None):
        pool = pool if pool is not None else [k for k, v in info.items() if v["frac"] > 0.97]
        return min(pool, key=lambda k: math.hypot(info[k]["cx"] - pt[0], info[k]["cy"] - pt[1]))

    codes = {}
    for k, v in info.items():
        d = math.hypot(v["cx"] - OLD_TOWN[0], v["cy"] - OLD_TOWN[1])
        if d < 1500:
            opts = [("K-1", .3), ("C-1", .25), ("SPU-1", .08), ("R-2", .27), ("K-2", .1)]
        elif d < 3300:
            opts = [("R-2", .4), ("R-3", .22), ("K-2", .12), ("C-1", .06), ("SPU-2", .08),
                    ("RTH-3", .04), ("K-1", .04), ("W", .02), ("RTH-1", .02)]
        elif d < 6500:
            opts = [("R-3", .5), ("R-2", .1), ("R-4", .15), ("K-3", .07), ("SPU-3", .06),
                    ("RTH-3", .04), ("RTH-1", .04), ("SPU-2", .04)]
        else:
            opts = [("R-4", .5), ("RTH-1", .18), ("R-3", .17), ("K-3", .05), ("SPU-3", .05),
                    ("RTH-3", .05)]
        names, p = zip(*opts)
        code = str(rng.choice(names, p=np.array(p) / sum(p)))
        if v["road"] and code.startswith("R-") and d < 6500 and rng.random() < 0.3:
            code = "K-2" if d < 3300 else "K-3"          # commercial ribbons along main roads
        if v["frac"] < 0.85 and rng.random() < 0.4:
            code = "W"                                    # coastal tourism
        codes[k] = code
    for k in near((441750, 99450), 650):                 # government office complex (Dompak)
        codes[k] = "KT"
    for k in near((446900, 106900), 1000):               # industrial estate (north-east)
        codes[k] = "KPI"
    for k in near((444650, 103050), 700):                # forested hill: city forest
        codes[k] = "RTH-1"
    codes[nearest((447300, 100700))] = "TPA"             # landfill: code absent from ITBX
    codes[nearest((440300, 104100))] = "RTH-7"           # cemeteries
    codes[nearest((445900, 99400))] = "RTH-7"
    codes[nearest((439250, 102150))] = "RTH-2"           # Taman Kota Gurindam (IPU-025)
    codes[nearest((442950, 102050))] = "RTH-2"
    codes[nearest((438600, 102800))] = "SPU-1"
    codes[nearest((437300, 103400))] = "R-2"
    return info, codes


# =========================================================================== zoning
def build_zoning(geo):
    """Paint labelled shapes (later ones win), node all boundaries, polygonize, dissolve.

    The planar partition guarantees that neighbouring sub-zones share exactly the same
    vertices (no slivers), so the only overlaps/gaps are the engineered ones.
    """
    rng = rng_for(3)
    info, codes = assign_codes(geo)
    cells, city, vtx = geo["cells"], geo["city"], geo["vtx"]
    labels = []        # (key, code, kind, geometry)
    used = set()

    def eligible(k):
        v = info.get(k)
        return (v is not None and v["frac"] > 0.995 and not v["river"] and k not in used
                and codes[k] not in ("TPA", "RTH-7", "RTH-2", "KT"))

    # -- MultiPolygons: two cells either side of a main N-S road share one label, the road
    #    strip painted later separates them into two parts (one code, two parts).
    multi_specs = [("SPU-1", (440667, 103000)), ("RTH-1", (443333, 106600)), ("KPI", (446000, 105600))]
    multi_keys = {}
    pairs = {}
    for code, pt in multi_specs:
        cand = [(c, j) for c in ROAD_COLS for j in range(NY)
                if eligible((c - 1, j)) and eligible((c, j))]
        c, j = min(cand, key=lambda k: math.hypot(vtx(k[0], k[1])[0] - pt[0], vtx(k[0], k[1])[1] - pt[1]))
        key = f"multi_{code}"
        pairs[(c - 1, j)] = pairs[(c, j)] = key
        codes[(c - 1, j)] = codes[(c, j)] = code
        used.update({(c - 1, j), (c, j)})
        multi_keys[key] = code
    for k in sorted(info):
        labels.append((pairs.get(k, f"cell_{k[0]}_{k[1]}"), codes[k], "cell", cells[k]))

    # -- split blocks: a cell cut in two; 60% keep the same code (a same-code seam)
    pool = [k for k in sorted(info) if eligible(k)]
    for n, idx in enumerate(rng.choice(len(pool), size=14, replace=False)):
        k = pool[int(idx)]
        used.add(k)
        poly = cells[k]
        c = poly.centroid
        ang = rng.uniform(0, np.pi)
        d = np.array([np.cos(ang), np.sin(ang)])
        nrm = np.array([-d[1], d[0]])
        p0 = np.array([c.x, c.y]) + nrm * rng.uniform(-80, 80)
        half = Polygon([p0 - d * 2000, p0 + d * 2000, p0 + d * 2000 + nrm * 2000, p0 - d * 2000 + nrm * 2000])
        half = rnd(half.intersection(poly))
        if rng.random() < 0.6:
            code = codes[k]
        else:
            code = {"R-2": "K-2", "R-3": "SPU-3", "R-4": "R-3", "K-2": "R-2", "K-3": "R-3",
                    "C-1": "K-1", "K-1": "C-1", "SPU-2": "R-2", "SPU-3": "R-3"}.get(codes[k], "R-3")
        labels.append((f"split_{n}", code, "split", half))

    # -- holes filled by another zone: parks, a school site, a cemetery inside blocks
    fillers = [("R-3", "RTH-2"), ("R-3", "RTH-2"), ("R-2", "SPU-3"), ("R-2", "RTH-2"),
               ("R-4", "RTH-3"), ("R-3", "RTH-7")]
    hole_hosts = {}
    for n, (host_code, code) in enumerate(fillers):
        pool = [k for k in sorted(info) if eligible(k) and codes[k] == host_code]
        if not pool:
            pool = [k for k in sorted(info) if eligible(k) and codes[k].startswith("R-")]
        k = pool[int(rng.integers(len(pool)))]
        used.add(k)
        c = cells[k].centroid
        shape = blob((c.x, c.y), rng.uniform(70, 115), rng, n=int(rng.integers(28, 48)))
        labels.append((f"hole_{n}", code, "filler", shape))
        hole_hosts[f"hole_{n}"] = pairs.get(k, f"cell_{k[0]}_{k[1]}")

    # -- DEFECT 1: a self-intersecting (bow-tie) polygon.  Its two triangles are painted
    #    so that the host block gets exactly that hole; after dissolving, the feature's
    #    geometry is replaced by the raw bow-tie ring A-B-C-D (crossing at the centre).
    pool = [k for k in sorted(info) if eligible(k) and codes[k] == "R-3"]
    k = pool[len(pool) // 2]
    used.add(k)
    c = cells[k].centroid
    cx, cy = 2 * round(c.x / 2), 2 * round(c.y / 2)        # even -> crossing on the grid
    bowtie_ring = [(cx - 40, cy - 30), (cx + 40, cy + 30), (cx + 40, cy - 30), (cx - 40, cy + 30)]
    bowtie_valid = shapely.make_valid(Polygon(bowtie_ring))
    labels.append(("bowtie", "RTH-3", "bowtie", bowtie_valid))
    bowtie_host = f"cell_{k[0]}_{k[1]}"

    # -- DEFECT 3: an unzoned gap (~0.3 ha) straddling the seam between two blocks
    cand = [(i, j) for (i, j) in sorted(info) if i not in ROAD_COLS and eligible((i - 1, j)) and eligible((i, j))]
    i, j = cand[len(cand) // 3]
    used.update({(i - 1, j), (i, j)})
    e = LineString(geo["edges"][(i, j, 0, 1)])
    m = e.interpolate(0.5, normalized=True)
    gap = blob((m.x, m.y), 31.0, rng, n=14, rough=0.25)
    labels.append(("GAP", None, "gap", gap))
    gap_cells = (f"cell_{i - 1}_{j}", f"cell_{i}_{j}")

    # -- road bodies (BJ): long strips along the main roads; E-W roads painted last
    for n, (name, line) in enumerate(geo["roads"].items()):
        strip = line.buffer(ROAD_HALF, cap_style="flat", join_style="mitre", mitre_limit=3.0)
        labels.append((f"road_{n}", "BJ", "road", rnd(strip)))

    # -- river corridor (PS), split into four same-code segments sharing seams
    rl = geo["river_line"]
    corridor = rnd(rl.buffer(RIVER_HALF, quad_segs=3).simplify(1.0))
    cuts = []
    for frac in RIVER_CUTS:
        p = rl.interpolate(frac, normalized=True)
        q = rl.interpolate(frac * rl.length + 5)
        dx, dy = q.x - p.x, q.y - p.y
        L = math.hypot(dx, dy)
        nx_, ny_ = -dy / L * 80, dx / L * 80
        cuts.append(LineString([(p.x - nx_, p.y - ny_), (p.x + nx_, p.y + ny_)]))
    noded_r = shapely.union_all([corridor.boundary] + cuts, grid_size=GRID)
    pieces = shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded_r))))
    segs = {n: [] for n in range(len(RIVER_CUTS) + 1)}
    for pc in pieces:
        rp = pc.representative_point()
        if not corridor.contains(rp):
            continue
        s = rl.project(rp) / rl.length
        segs[int(np.searchsorted(RIVER_CUTS, s))].append(pc)
    for n in range(len(segs)):
        labels.append((f"river_{n}", "PS", "river", shapely.coverage_union_all(segs[n])))

    # ---- planar partition
    lines = [city.boundary] + [g.boundary for _, _, _, g in labels]
    noded = shapely.union_all(lines, grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded))))
    reps = shapely.point_on_surface(faces)
    in_city = shapely.contains(city, reps)
    faces, reps = faces[in_city], reps[in_city]
    tree = shapely.STRtree([g for _, _, _, g in labels])
    pi, li = tree.query(reps, predicate="within")
    top = np.full(len(faces), -1)
    np.maximum.at(top, pi, li)
    assert (top >= 0).all(), "face without label"
    cell_tree = shapely.STRtree([cells[k] for k in sorted(cells)])
    cell_keys = sorted(cells)
    fi, ci = cell_tree.query(reps, predicate="within")
    face_cell = {}
    for a, b in zip(fi, ci):
        face_cell[int(a)] = cell_keys[int(b)]
    assert len(face_cell) == len(faces)
    tiny = int((shapely.area(faces) < 0.5).sum())

    by_key = {}
    for f_idx, l_idx in enumerate(top):
        by_key.setdefault(labels[l_idx][0], []).append(faces[f_idx])
    label_meta = {}
    for key, code, kind, _ in labels:
        label_meta.setdefault(key, (code, kind))
        if kind != "cell":
            label_meta[key] = (code, kind)
    feats = []
    for key in sorted(by_key, key=lambda k: [lab[0] for lab in labels].index(k)):
        if key == "GAP":
            continue
        code, kind = label_meta[key]
        geom = shapely.coverage_union_all(by_key[key])
        parts = list(shapely.get_parts(geom))
        if key in multi_keys or key == "bowtie" or len(parts) == 1:
            feats.append(dict(key=key, code=code, kind=kind, geom=geom))
        else:  # unintended multi-part (a block cut by the river or a road): explode
            parts.sort(key=lambda g: (-g.area, g.centroid.x))
            for n, p in enumerate(parts):
                feats.append(dict(key=key if n == 0 else f"{key}_p{n}", code=code, kind=kind, geom=p))

    # merge slivers left by the coast, the river and the roads (< 0.5 ha) into the
    # neighbour with the longest shared border
    while True:
        small = [f for f in feats if f["geom"].area < 5000 and f["key"] not in ("bowtie",)
                 and f["kind"] != "filler"]
        if not small:
            break
        f = min(small, key=lambda f: (f["geom"].area, f["key"]))
        best, blen = None, 0.0
        for g in feats:
            if g is f or g["key"] == "bowtie" or not g["geom"].intersects(f["geom"]):
                continue
            ln = f["geom"].boundary.intersection(g["geom"].boundary).length
            if ln > blen:
                best, blen = g, ln
        assert best is not None
        best["geom"] = shapely.coverage_union_all([best["geom"], f["geom"]])
        feats.remove(f)
    for f in feats:
        if f["key"] not in multi_keys and f["key"] != "bowtie":
            parts = list(shapely.get_parts(f["geom"]))
            assert len(parts) == 1, f["key"]
            f["geom"] = parts[0]

    # the bow-tie feature gets its raw, self-intersecting ring
    bt = next(f for f in feats if f["key"] == "bowtie")
    bt["geom"] = Polygon(bowtie_ring)
    assert not bt["geom"].is_valid

    # -- DEFECT 2: a small overlap between two polygons of DIFFERENT codes: polygon A
    #    bulges ~20 x 10 m into its neighbour B (B is left unchanged).
    def ok(f):
        return f["kind"] == "cell" and f["key"].startswith("cell_") and "_p" not in f["key"] and \
            f["key"] not in (bowtie_host,) + gap_cells and f["key"] not in hole_hosts.values()
    cand = []
    for a in feats:
        if not ok(a) or not a["code"].startswith("R-"):
            continue
        for b in feats:
            if not ok(b) or b["code"] == a["code"] or b["code"] in ("BJ", "PS") or not a["geom"].touches(b["geom"]):
                continue
            shared = shapely.line_merge(a["geom"].boundary.intersection(b["geom"].boundary))
            if shared.geom_type == "LineString" and shared.length > 400 and len(shared.coords) == 2:
                cand.append((a["key"], b["key"], shared))
    ka, kb, shared = cand[len(cand) // 2]
    fa = next(f for f in feats if f["key"] == ka)
    fb = next(f for f in feats if f["key"] == kb)
    mpt = shared.interpolate(0.5, normalized=True)
    bump = rnd(box(mpt.x - 10, mpt.y - 10, mpt.x + 10, mpt.y + 10).intersection(fb["geom"]))
    fa["geom"] = shapely.union(fa["geom"], bump, grid_size=GRID)
    assert fa["geom"].geom_type == "Polygon" and fa["geom"].is_valid

    # ---- administrative units from the same faces (they cover the city exactly)
    kel_of_cell = {}
    for k in cells:
        cc = cells[k].centroid
        kec = min(KECAMATAN, key=lambda n: math.hypot(cc.x - KECAMATAN[n][0], cc.y - KECAMATAN[n][1]))
        kel = min((n for n, (kc, _) in KELURAHAN.items() if kc == kec),
                  key=lambda n: math.hypot(cc.x - KELURAHAN[n][1][0], cc.y - KELURAHAN[n][1][1]))
        kel_of_cell[k] = kel
    face_kel = [kel_of_cell[face_cell[i]] for i in range(len(faces))]
    for _ in range(5):  # move detached bits of a kelurahan to the neighbour they touch most
        kel_geom = {n: shapely.coverage_union_all([faces[i] for i in range(len(faces)) if face_kel[i] == n])
                    for n in KELURAHAN}
        moved = False
        for n, g in kel_geom.items():
            parts = sorted(shapely.get_parts(g), key=lambda p: -p.area)
            for p in parts[1:]:
                best = max((m for m in KELURAHAN if m != n),
                           key=lambda m: p.boundary.intersection(kel_geom[m].boundary).length)
                for i in range(len(faces)):
                    if face_kel[i] == n and p.contains(reps[i]):
                        face_kel[i] = best
                moved = True
        if not moved:
            break
    kel_geom = {n: shapely.coverage_union_all([faces[i] for i in range(len(faces)) if face_kel[i] == n])
                for n in KELURAHAN}
    kec_geom = {k: shapely.coverage_union_all([kel_geom[n] for n, (kc, _) in KELURAHAN.items() if kc == k])
                for k in KECAMATAN}
    for n, g in list(kel_geom.items()) + list(kec_geom.items()):
        assert g.geom_type == "Polygon", n

    meta = dict(bowtie_host=bowtie_host, gap_cells=gap_cells, overlap=(ka, kb),
                hole_hosts=hole_hosts, multi_keys=multi_keys, tiny_faces=tiny, gap=gap,
                overlap_area=shapely.intersection(fa["geom"], fb["geom"]).area)
    return feats, kel_geom, kec_geom, meta


def zoning_frame(feats, kel_geom, kec_of_kel):
    kel_names = list(kel_geom)
    kel_polys = [kel_geom[n] for n in kel_names]
    rows = []
    for f in feats:
        g = mvalid(f["geom"])
        c = g.centroid if g.contains(g.centroid) else g.representative_point()
        kel = next(n for n, kp in zip(kel_names, kel_polys) if kp.intersects(c))
        code = f["code"]
        kodzon, namzon, namszn, jns = ZONE_INFO[code]
        rows.append(dict(_key=f["key"], NAMOBJ=f"Sub-Zona {namszn}" if code not in ("BJ", "PS", "KT", "KPI", "W", "TPA") else namzon,
                         KODZON=kodzon, NAMZON=namzon, KODSZN=code, NAMSZN=namszn, JNSRPR=jns,
                         WADMPR=WADMPR, WADMKK=WADMKK, WADMKC=kec_of_kel[kel], WADMKD=kel,
                         LUASHA=round(g.area / 10000.0, 2),
                         REMARK="Perda Kota Contoh No. 5 Tahun 2023 tentang RDTR Kota Contoh",
                         _cy=round(g.centroid.y, -2), _cx=g.centroid.x, geometry=f["geom"]))
    df = pd.DataFrame(rows).sort_values(["_cy", "_cx"], ascending=[False, True]).reset_index(drop=True)
    df.insert(0, "OBJECTID", np.arange(1, len(df) + 1))
    return gpd.GeoDataFrame(df.drop(columns=["_cy", "_cx"]), geometry="geometry", crs=CRS)


# =========================================================================== conformance oracle
class Oracle:
    """A small re-statement of the contract rules, used only to assert the engineered cases."""

    def __init__(self, zoning: gpd.GeoDataFrame, itbx: dict):
        self.itbx = itbx
        g = zoning.geometry.apply(mvalid)
        self.union = {c: shapely.union_all(g[zoning.KODSZN == c].values) for c in sorted(zoning.KODSZN.unique())}
        self.all = shapely.union_all(list(self.union.values()))

    def shares(self, geom):
        g = mvalid(geom)
        if g is None or g.is_empty:
            return {}, 1.0
        dim = shapely.get_dimensions(g)
        if dim == 0:
            hit = [c for c, u in self.union.items() if u.intersects(g)]
            return {c: 1.0 / len(hit) for c in hit}, (0.0 if hit else 1.0)
        meas = (lambda x: x.area) if dim == 2 else (lambda x: x.length)
        tot = meas(g)
        sh = {c: meas(g.intersection(u)) / tot for c, u in self.union.items() if u.intersects(g)}
        sh = {c: s for c, s in sh.items() if s > 0}
        return sh, 1.0 - meas(g.intersection(self.all)) / tot

    def status(self, geom, act):
        sh, u = self.shares(geom)
        counted = [c for c, s in sh.items() if s >= 0.01]
        cells = [self.itbx.get(act, {}).get(c, "") for c in counted]
        if any("X" in c for c in cells):
            return "tidak_sesuai", sh
        if act not in self.itbx or any(c == "" for c in cells) or u >= 0.01 or not counted:
            return "perlu_kajian", sh
        if any(("T" in c or "B" in c) for c in cells):
            return "sesuai_bersyarat", sh
        return "sesuai", sh


# =========================================================================== plans
class Planner:
    def __init__(self, geo, zoning, kel_geom, kec_of_kel, meta, oracle):
        self.geo, self.z, self.kel, self.kec_of_kel, self.meta, self.o = geo, zoning, kel_geom, kec_of_kel, meta, oracle
        self.rng = rng_for(4)
        self.city = geo["city"]
        bad = [meta["gap"].buffer(60)]
        for key in ("bowtie",) + meta["overlap"]:
            bad.append(zoning.loc[zoning._key == key].geometry.iloc[0].envelope.buffer(40) if key == "bowtie"
                       else mvalid(zoning.loc[zoning._key == key].geometry.iloc[0]).boundary.buffer(40))
        self.avoid = shapely.union_all(bad)
        self.roads = {n: l.intersection(self.city) for n, l in geo["roads"].items()}

    # ---- locations
    def kel_at(self, geom):
        p = geom if geom.geom_type == "Point" else (
            geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else geom.representative_point())
        for n, g in self.kel.items():
            if g.intersects(p):
                return n
        return min(self.kel, key=lambda n: self.kel[n].distance(p))

    def lokasi(self, geom, street=None):
        kel = self.kel_at(geom)
        s = f"Kel. {kel}, Kec. {self.kec_of_kel[kel]}"
        return f"{street}, {s}" if street else s

    def zone_polys(self, code, kel=None):
        codes = [code] if isinstance(code, str) else list(code)
        sel = self.z[self.z.KODSZN.isin(codes) & ~self.z._key.isin(["bowtie"])]
        if kel is not None:
            sel = sel[sel.geometry.apply(lambda g: mvalid(g).intersection(self.kel[kel]).area > 20000)]
        return sel

    def point_in(self, code, kel=None, margin=30.0, rng=None, near=None):
        """A point well inside a polygon of `code` (optionally in kelurahan `kel`)."""
        rng = rng or self.rng
        sel = self.zone_polys(code, kel)
        assert len(sel), (code, kel)
        if near is not None:
            sel = sel.iloc[[int(np.argmin([g.distance(Point(near)) for g in sel.geometry]))]]
        for _ in range(200):
            g = mvalid(sel.geometry.iloc[int(rng.integers(len(sel)))]).buffer(-margin)
            if kel is not None:
                g = g.intersection(self.kel[kel].buffer(-margin))
            g = g.difference(self.avoid)
            if g.area < 100:
                continue
            x0, y0, x1, y1 = g.bounds
            for _ in range(100):
                p = Point(round(rng.uniform(x0, x1), 2), round(rng.uniform(y0, y1), 2))
                if g.contains(p):
                    return p
        raise RuntimeError(f"no point in {code} {kel}")

    def road_piece(self, name, a, b, offset=0.0):
        line = self.roads[name]
        if line.geom_type != "LineString":
            line = max(line.geoms, key=lambda g: g.length)
        piece = substring(line, a, b)
        piece = LineString(np.round(np.asarray(piece.coords), 2))
        return line_offset(piece, offset) if offset else piece

    def shared_edge(self, same_code: bool, codes_ok=None, min_len=350, near=(442000.0, 103000.0)):
        """The shared border of two adjacent block polygons (same code or different)."""
        z = self.z[self.z._key.str.startswith("cell_") & ~self.z._key.str.contains("_p")]
        z = z[~z._key.isin([self.meta["bowtie_host"], *self.meta["gap_cells"], *self.meta["overlap"]])]
        geoms = list(z.geometry)
        codes = list(z.KODSZN)
        tree = shapely.STRtree(geoms)
        out = []
        for a in range(len(geoms)):
            for b in tree.query(geoms[a], predicate="touches"):
                if b <= a or (codes[a] == codes[b]) != same_code:
                    continue
                if codes_ok and not (codes_ok(codes[a]) and codes_ok(codes[b])):
                    continue
                s = shapely.line_merge(geoms[a].boundary.intersection(geoms[b].boundary))
                if s.geom_type == "LineString" and s.length > min_len:
                    out.append((s, codes[a], codes[b]))
        out.sort(key=lambda t: (t[0].distance(Point(near)), t[0].centroid.x))
        return out[0]


def plan_programs(pl: Planner):
    """IPU table and the rencana programs (with the engineered cases) in EPSG:32648."""
    rng = pl.rng
    river = pl.geo["river_line"]
    roads = pl.roads

    def river_cross(road):
        x = roads[road].intersection(river)
        assert x.geom_type == "Point", (road, x.geom_type)
        return Point(round(x.x, 2), round(x.y, 2))

    ipus = []

    def ipu(n, program, keg, opd, dana, mulai, akhir, geom, lokasi=None, street=None):
        ipus.append(dict(ipu_id=f"IPU-{n:03d}", program=program, kegiatan=keg, instansi=OPD[opd],
                         sumber_dana=dana, tahun_mulai=mulai, tahun_akhir=akhir,
                         lokasi=lokasi if lokasi else pl.lokasi(geom, street), geometry=geom))
        return geom

    RHF, SUTAMI, GANET, BASUKI, ADISU, KATAMSO, PANJAITAN = (
        "Jalan Raja Haji Fisabilillah", "Jalan Ir. Sutami", "Jalan Ganet", "Jalan Basuki Rahmat",
        "Jalan Adi Sucipto", "Jalan Brigjen Katamso", "Jalan D.I. Panjaitan")
    rhf_len = roads[RHF].length
    # IPU-001 (sinkron): road upgrade realised by PUPR in 2024 and 2025 on the same line
    g_ipu001 = ipu(1, "Peningkatan Jalan Raja Haji Fisabilillah", "pembangunan_jalan", "PUPR", "APBD", 2023, 2027,
                   pl.road_piece(RHF, rhf_len * 0.58, rhf_len * 0.80), street=RHF)
    # IPU-002 (sinkron): bridge; the 2025 programme point lies 40 m away (inside 50 m)
    g_ipu002 = ipu(2, "Pembangunan Jembatan Sungai Carang", "jembatan", "PUPR", "APBN", 2024, 2026,
                   river_cross(PANJAITAN), street=PANJAITAN)
    # IPU-003 (diskontinu): primary drain realised in 2023 only
    e003, _, _ = pl.shared_edge(False, lambda c: c not in ("BJ", "PS"), near=KELURAHAN["Sei Jang"][1])
    g_ipu003 = ipu(3, "Pembangunan Drainase Primer Sei Jang", "pembangunan_drainase", "PUPR", "DAK", 2023, 2027,
                   line_offset(e003, 3.0))
    # IPU-004 (diskontinu): periodic maintenance realised in 2024 only
    sl = roads[SUTAMI].length
    g_ipu004 = ipu(4, "Pemeliharaan Berkala Jalan Ir. Sutami", "pemeliharaan_jalan", "PUPR", "APBD", 2021, 2025,
                   pl.road_piece(SUTAMI, sl * 0.62, sl * 0.86), street=SUTAMI)
    # IPU-005 (belum_jadwal): planned link road, period 2026-2030
    a = pl.point_in(RES, "Senggarang", rng=rng_for(50))
    b = pl.point_in("KT", None, rng=rng_for(51))
    mid = Point((a.x + b.x) / 2 + 250, (a.y + b.y) / 2 + 150)
    g_ipu005 = ipu(5, "Pembangunan Jalan Tembus Senggarang - Dompak", "pembangunan_jalan", "PUPR", "APBN", 2026, 2030,
                   LineString([a.coords[0], mid.coords[0], b.coords[0]]),
                   lokasi="Kel. Senggarang s.d. Kel. Dompak")
    # IPU-006 (belum_jadwal, period ended 2024): bridge rehabilitation, realised in 2023
    g_ipu006 = ipu(6, "Rehabilitasi Jembatan Sei Jang", "jembatan", "PUPR", "APBD", 2021, 2024,
                   river_cross(RHF), street=RHF)
    # IPU-007 (sinkron, collision site): side drain of Jalan Basuki Rahmat; PUPR rebuilt the
    # road there in 2024, Perkim digs the drain in 2025
    bl = roads[BASUKI].length
    col_road = pl.road_piece(BASUKI, bl * 0.60, bl * 0.70)
    g_ipu007 = ipu(7, "Normalisasi Drainase Jalan Basuki Rahmat", "pembangunan_drainase", "PUPR", "APBD", 2025, 2029,
                   line_offset(col_road, 7.0), street=BASUKI)
    # IPU-008 (diskoneksi): water transmission main along Jalan Ganet
    gl = roads[GANET].length
    g_ipu008 = ipu(8, "Pembangunan Jaringan Air Minum Zona Timur", "jaringan_air_minum", "PUPR", "APBN", 2024, 2028,
                   pl.road_piece(GANET, gl * 0.25, gl * 0.55, offset=8.0), street=GANET)
    # IPU-009 (diskoneksi)
    g_ipu009 = ipu(9, "Pembangunan IPAL Komunal Kampung Bugis", "ipal_komunal", "PUPR", "DAK", 2023, 2025,
                   pl.point_in(RES, "Kampung Bugis", rng=rng_for(52)))
    # IPU-010 (sinkron): retention pond (polygon), realised by an overlapping 2025 polygon
    pc = pl.point_in(("R-4", "R-3"), None, margin=140, rng=rng_for(53))
    g_ipu010 = ipu(10, "Pembangunan Kolam Retensi Banjir", "pembangunan_drainase", "PUPR", "APBN", 2025, 2027,
                   box(pc.x - 80, pc.y - 55, pc.x + 80, pc.y + 55))
    # IPU-011 (diskoneksi)
    g_ipu011 = ipu(11, "Peningkatan Jalan Ganet", "pembangunan_jalan", "PUPR", "APBD", 2024, 2028,
                   pl.road_piece(GANET, gl * 0.62, gl * 0.92), street=GANET)
    # IPU-012 (sinkron): neighbourhood road, realised by a 2025 MultiLineString programme
    pc12 = pl.point_in(RES, None, margin=170, rng=rng_for(54))
    l12a = LineString([(pc12.x - 150, pc12.y - 50), (pc12.x + 150, pc12.y - 50)])
    l12b = LineString([(pc12.x - 150, pc12.y + 50), (pc12.x + 150, pc12.y + 50)])
    g_ipu012 = ipu(12, "Pembangunan Jalan Lingkungan Kawasan Permukiman", "pembangunan_jalan", "PUPR", "DAK", 2024, 2025,
                   l12a)
    # IPU-013 (sinkron): drain along the SEAM of two same-code blocks (counted once)
    seam, seam_code, _ = pl.shared_edge(True, lambda c: c.startswith("R-"), min_len=450, near=(444500.0, 100000.0))
    g_ipu013 = ipu(13, "Penanganan Drainase Lingkungan", "pembangunan_drainase", "PUPR", "APBD", 2024, 2026, seam)
    # IPU-014 (sinkron): rental flats
    g_ipu014 = ipu(14, "Pembangunan Rumah Susun Sewa", "rumah_susun", "PERKIM", "APBN", 2024, 2026,
                   pl.point_in(("R-2", "C-1"), None, rng=rng_for(55)))
    # IPU-015 (diskoneksi, NULL geometry -> resolved through the kelurahan layer)
    ipu(15, "Peningkatan Kualitas Permukiman Kumuh", "perumahan", "PERKIM", "APBD", 2024, 2026, None,
        lokasi="Kampung Bugis")
    # IPU-016 (sinkron): low-cost housing estate (polygon)
    pc16 = pl.point_in(("R-4", "R-3"), None, margin=150, rng=rng_for(56))
    g_ipu016 = ipu(16, "Pembangunan Perumahan MBR", "perumahan", "PERKIM", "Swasta", 2025, 2029,
                   box(pc16.x - 100, pc16.y - 70, pc16.x + 100, pc16.y + 70))
    # IPU-017 (sinkron)
    g_ipu017 = ipu(17, "Pembangunan IPAL Komunal Senggarang", "ipal_komunal", "PERKIM", "DAK", 2025, 2025,
                   pl.point_in(RES, "Senggarang", rng=rng_for(57)))
    # IPU-018 (diskoneksi): the 2025 puskesmas is 60 m away (outside 50 m)
    p18 = pl.point_in(RES, "Air Raja", margin=90, rng=rng_for(58))
    g_ipu018 = ipu(18, "Pembangunan Puskesmas Air Raja", "puskesmas", "DINKES", "DAK", 2024, 2026, p18)
    # IPU-019 (sinkron, NULL geometry -> kelurahan Sei Jang)
    ipu(19, "Pembangunan Puskesmas Pembantu Sei Jang", "puskesmas", "DINKES", "APBD", 2025, 2029, None,
        lokasi="Sei Jang")
    # IPU-020 (diskontinu): realised in 2023
    g_ipu020 = ipu(20, "Rehabilitasi Puskesmas Tanjung Unggat", "puskesmas", "DINKES", "APBD", 2022, 2025,
                   pl.point_in(RES, "Tanjung Unggat", rng=rng_for(59)))
    # IPU-021 (sinkron)
    g_ipu021 = ipu(21, "Pembangunan SD Negeri Batu Sembilan", "pembangunan_sekolah", "DISDIK", "DAK", 2025, 2026,
                   pl.point_in(RES, "Batu Sembilan", rng=rng_for(60)))
    # IPU-022 (diskontinu): realised in 2024
    g_ipu022 = ipu(22, "Pembangunan SMP Negeri Dompak", "pembangunan_sekolah", "DISDIK", "APBD", 2023, 2025,
                   pl.point_in("KT", "Dompak", rng=rng_for(61)))
    # IPU-023 (belum_jadwal)
    g_ipu023 = ipu(23, "Pembangunan Unit Sekolah Baru SMP", "pembangunan_sekolah", "DISDIK", "APBN", 2027, 2030,
                   pl.point_in(RES, "Pinang Kencana", rng=rng_for(62)))
    # IPU-024 (diskoneksi)
    g_ipu024 = ipu(24, "Rehabilitasi SD Negeri Kemboja", "pembangunan_sekolah", "DISDIK", "APBD", 2024, 2028,
                   pl.point_in(RES, "Kemboja", rng=rng_for(63)))
    # IPU-025 (sinkron): city park on the RTH-2 block near the old town
    park = pl.zone_polys("RTH-2")
    park = park.iloc[int(np.argmin([g.centroid.distance(Point(439250, 102150)) for g in park.geometry]))].geometry
    g_ipu025 = ipu(25, "Pembangunan Taman Kota Gurindam", "taman_kota", "DLH", "APBD", 2024, 2026,
                   rnd(park.buffer(-25).simplify(2.0)))
    # IPU-026 (sinkron, NULL geometry -> kelurahan Air Raja)
    ipu(26, "Pembangunan TPS3R Air Raja", "tps3r", "DLH", "APBD", 2025, 2026, None, lokasi="Air Raja")
    # IPU-027 (diskontinu): green belt along Jalan Adi Sucipto, realised in 2023
    al = roads[ADISU].length
    g_ipu027 = ipu(27, "Pembangunan Jalur Hijau Jalan Adi Sucipto", "ruang_terbuka_hijau", "DLH", "APBD", 2023, 2027,
                   pl.road_piece(ADISU, al * 0.20, al * 0.42, offset=-16.0), street=ADISU)
    # IPU-028 (belum_jadwal): city forest
    forest = pl.zone_polys("RTH-1")
    forest = forest.iloc[int(np.argmax(forest.geometry.area))].geometry
    g_ipu028 = ipu(28, "Pengembangan Hutan Kota", "ruang_terbuka_hijau", "DLH", "APBD", 2026, 2030,
                   rnd(mvalid(forest).buffer(-30).simplify(3.0)))
    # IPU-029 (sinkron through an INKONSISTEN programme): a TPS3R placed in a residential zone (tps3r = X in R-*)
    g_ipu029 = ipu(29, "Pembangunan TPS3R Terpadu Kampung Bulang", "tps3r", "DLH", "DAK", 2025, 2027,
                   pl.point_in(RES, "Kampung Bulang", rng=rng_for(64)))
    # IPU-030 (sinkron): street lighting on the same stretch as IPU-001 (synergy PUPR + Dishub)
    g_ipu030 = ipu(30, "Pemasangan PJU Jalan Raja Haji Fisabilillah", "penerangan_jalan", "DISHUB", "APBD", 2023, 2027,
                   g_ipu001, street=RHF)
    # IPU-031 (diskontinu): bus stop, realised in 2024 by a short line 10 m away
    kl = roads[KATAMSO].length
    g_ipu031 = ipu(31, "Pembangunan Halte Koridor Kota Lama", "halte", "DISHUB", "APBD", 2024, 2026,
                   pl.road_piece(KATAMSO, kl * 0.30, kl * 0.30 + 1).interpolate(0), street=KATAMSO)
    # IPU-032 (diskoneksi): market revitalisation; no OPD file carries it
    g_ipu032 = ipu(32, "Revitalisasi Pasar Rakyat Bintan Center", "pasar_rakyat", "DISDAG", "DAK", 2024, 2026,
                   pl.point_in("K-2", None, rng=rng_for(65)))
    # IPU-033 (belum_jadwal, NULL geometry -> kelurahan Tanjung Unggat)
    ipu(33, "Pembangunan Jaringan Air Minum Kota Lama", "jaringan_air_minum", "PUPR", "APBN", 2027, 2030, None,
        lokasi="Tanjung Unggat")
    # IPU-034 (belum_jadwal, ended 2023)
    g_ipu034 = ipu(34, "Pembangunan Pasar Rakyat Air Raja", "pasar_rakyat", "DISDAG", "APBD", 2021, 2023,
                   pl.point_in("KPI", "Air Raja", rng=rng_for(66)))
    # IPU-035 (diskoneksi)
    g_ipu035 = ipu(35, "Pemasangan PJU Jalan Ganet", "penerangan_jalan", "DISHUB", "APBD", 2025, 2029,
                   pl.road_piece(GANET, gl * 0.05, gl * 0.22), street=GANET)
    # IPU-036 (diskoneksi): riverside green space inside the PS corridor
    ps = shapely.union_all(pl.zone_polys("PS").geometry.values)
    rc = river.interpolate(0.5, normalized=True)
    g_ipu036 = ipu(36, "Penataan RTH Tepi Sungai Carang", "ruang_terbuka_hijau", "DLH", "APBN", 2025, 2030,
                   rnd(ps.intersection(box(rc.x - 150, rc.y - 150, rc.x + 150, rc.y + 150))),
                   lokasi="Sempadan Sungai Carang, " + pl.lokasi(rc))

    # ------------------------------------------------------------------ rencana (engineered)
    progs = []
    counters = {}

    def prog(opd, year, keg, name, geom, street=None, lokasi=None, kode=None, extra=None):
        n = counters[(opd, year)] = counters.get((opd, year), 0) + 1
        pid = f"{opd}-{year}-{n:03d}"
        progs.append(dict(program_id=pid, tahun=year, opd_key=opd, opd=OPD[opd], kode=kode or KODE.get(keg, ""),
                          kegiatan=keg, nama_kegiatan=name, geometry=geom,
                          lokasi=lokasi if lokasi else (pl.lokasi(geom, street) if geom is not None and not geom.is_empty
                                                        else "Lokasi menyusul"),
                          **(extra or {})))
        return pid

    E = {}  # engineered case -> program ids
    # ---- PUPR
    # same line as IPU-001, 2025 -> IPU-001 sinkron; programme sinkron (and synergy with DISHUB-2025-001)
    E["pupr_2025_ipu001"] = prog("PUPR", 2025, "pembangunan_jalan", "Peningkatan Jalan Raja Haji Fisabilillah (lanjutan)",
                                 g_ipu001, street=RHF)
    # bridge point 40 m from the IPU-002 point (inside match_distance 50) -> both sinkron
    d = roads[PANJAITAN]
    p40 = d.interpolate(d.project(g_ipu002) + 40.0)
    p40 = Point(round(p40.x, 2), round(p40.y, 2))
    E["pupr_2025_bridge_40m"] = prog("PUPR", 2025, "jembatan", "Pembangunan Jembatan Sungai Carang Ruas Panjaitan",
                                     p40, street=PANJAITAN)
    # polygon overlapping the IPU-010 polygon (shifted 25/15 m) -> sinkron
    E["pupr_2025_ipu010_polygon"] = prog("PUPR", 2025, "pembangunan_drainase", "Pembangunan Kolam Retensi Tahap I",
                                         shapely.affinity.translate(g_ipu010, 25, 15))
    # MultiLineString (2 parts), one part 6 m from the IPU-012 line -> sinkron
    E["pupr_2025_multiline"] = prog("PUPR", 2025, "pembangunan_jalan", "Pembangunan Jalan Lingkungan (2 ruas)",
                                    MultiLineString([line_offset(l12a, -6.0), l12b]))
    # drain exactly on the seam between two same-code polygons (IPU-013) -> one code, share 1.0
    E["pupr_2025_seam"] = prog("PUPR", 2025, "pembangunan_drainase", "Pembangunan Saluran Drainase Lingkungan",
                               g_ipu013, street=LOCAL_STREETS[0])
    edge_diff, ca, cb = pl.shared_edge(False, lambda c: c in ("R-2", "R-3", "R-4", "K-2", "K-3", "C-1", "SPU-2", "SPU-3"),
                                       min_len=450, near=(439500.0, 106500.0))
    # road exactly on the border of two DIFFERENT codes -> both codes share 1.0; realises nothing
    E["pupr_2025_boundary"] = prog("PUPR", 2025, "pembangunan_jalan", "Pembangunan Jalan Lingkungan Batas Blok",
                                   edge_diff, street=LOCAL_STREETS[1])
    bp = pl.point_in(RES, None, margin=80, rng=rng_for(70))
    # self-intersecting (bow-tie) programme polygon -> repaired with make_valid, an issue is expected
    E["pupr_2025_invalid_polygon"] = prog(
        "PUPR", 2025, "pembangunan_drainase", "Pembangunan Kolam Resapan (poligon digitasi terpilin)",
        Polygon([(bp.x - 30, bp.y - 20), (bp.x + 30, bp.y + 20), (bp.x + 30, bp.y - 20), (bp.x - 30, bp.y + 20)]))
    # EMPTY geometry -> perlu_kajian, tidak_terindikasi
    E["pupr_2025_empty"] = prog("PUPR", 2025, "pembangunan_jalan", "Pembangunan Jalan Lingkungan (lokasi menyusul)",
                                LineString(), lokasi="Lokasi menyusul")
    forest_any = pl.zone_polys("RTH-1")
    fz = forest_any.iloc[int(np.argmax(forest_any.geometry.area))].geometry
    fc = fz.representative_point()
    # road cutting through the city forest (pembangunan_jalan = X in RTH-1) -> inkonsisten
    E["pupr_2025_rth1_road"] = prog("PUPR", 2025, "pembangunan_jalan", "Pembangunan Jalan Tembus Hutan Kota",
                                    LineString([(round(fc.x - 260, 2), round(fc.y - 60, 2)), (round(fc.x + 260, 2), round(fc.y + 60, 2))]))
    # synergy cluster in the old town: PUPR, DINKES, DLH and DISHUB programmes of 2025 all
    # within 100 m of each other (none realises an IPU)
    S = pl.point_in("K-1", None, margin=130, rng=rng_for(71), near=OLD_TOWN)
    E["synergy"] = [
        prog("PUPR", 2025, "pembangunan_drainase", "Rehabilitasi Saluran Drainase Kawasan Kota Lama",
             LineString([(S.x - 75, S.y), (S.x + 75, S.y)]), street="Jalan Merdeka"),
    ]
    # 2024 realisation of IPU-001 (so IPU-001 is realised in 2024 and 2025)
    E["pupr_2024_ipu001"] = prog("PUPR", 2024, "pembangunan_jalan", "Peningkatan Jalan Raja Haji Fisabilillah Tahap I",
                                 g_ipu001, street=RHF)
    # IPU-004 (2021-2025) realised only in 2024 -> diskontinu in 2025
    E["pupr_2024_ipu004"] = prog("PUPR", 2024, "pemeliharaan_jalan", "Pemeliharaan Berkala Jalan Ir. Sutami",
                                 g_ipu004, street=SUTAMI)
    # collision: road rebuilt by PUPR in 2024 ...
    E["collision"] = [prog("PUPR", 2024, "pembangunan_jalan", "Rekonstruksi Jalan Basuki Rahmat", col_road, street=BASUKI)]
    rp = pl.point_in(("R-3", "R-4"), "Melayu Kota Piring", margin=90, rng=rng_for(75))
    # one more polygon programme (retention pond), realises nothing
    E["pupr_2024_polygon"] = prog("PUPR", 2024, "pembangunan_drainase", "Pembangunan Kolam Retensi Melayu Kota Piring",
                                  rnd(blob((rp.x, rp.y), 45.0, rng_for(76), n=18)))
    # IPU-003 (2023-2027) realised only in 2023 -> diskontinu in 2025
    E["pupr_2023_ipu003"] = prog("PUPR", 2023, "pembangunan_drainase", "Pembangunan Drainase Primer Sei Jang Tahap I",
                                 g_ipu003)
    # IPU-006 (2021-2024) realised in 2023; its period excludes 2025 -> belum_jadwal
    E["pupr_2023_ipu006"] = prog("PUPR", 2023, "jembatan", "Rehabilitasi Jembatan Sei Jang", g_ipu006, street=RHF)
    # ---- PERKIM (xlsx, Bujur/Lintang as text with decimal commas, WKT for non-points)
    # rusun on the IPU-014 point -> sinkron
    E["perkim_2025_ipu014"] = prog("PERKIM", 2025, "rumah_susun", "Pembangunan Rusunawa Kampung Baru", g_ipu014)
    rth2 = pl.zone_polys("RTH-2")
    # rusun inside an RTH-2 park (rumah_susun = X in RTH-2) -> inkonsisten
    E["perkim_2025_rusun_in_rth"] = prog("PERKIM", 2025, "rumah_susun", "Pembangunan Rusunawa Tepi Taman",
                                         pl.point_in("RTH-2", None, margin=20, rng=rng_for(72),
                                                     near=rth2.geometry.iloc[-1].centroid.coords[0]))
    # housing estate as a WKT polygon overlapping IPU-016 -> sinkron
    E["perkim_2025_ipu016_wkt"] = prog("PERKIM", 2025, "perumahan", "Pembangunan PSU Perumahan MBR Tahap I",
                                       shapely.affinity.translate(g_ipu016, -30, 20))
    # ... and a drain dug in the same place by Perkim in 2025 (realises IPU-007)
    E["collision"].append(prog("PERKIM", 2025, "pembangunan_drainase", "Pembangunan Drainase Lingkungan Jalan Basuki Rahmat",
                               g_ipu007, street=BASUKI, kode="1.03.06.2.01.0012"))
    # IPAL on the IPU-017 point (IPU period 2025-2025) -> sinkron
    E["perkim_2025_ipu017"] = prog("PERKIM", 2025, "ipal_komunal", "Pembangunan IPAL Komunal Senggarang", g_ipu017)
    # ---- DINKES (csv, longitude/latitude)
    # puskesmas 60 m from the IPU-018 point (outside 50 m) -> programme tidak_terindikasi, IPU-018 diskoneksi
    E["dinkes_2025_60m"] = prog("DINKES", 2025, "puskesmas", "Pembangunan Puskesmas Air Raja", move(g_ipu018, 60.0, 0.0))
    # inside kelurahan Sei Jang -> realises IPU-019 (NULL geometry, lokasi "Sei Jang")
    E["dinkes_2025_ipu019"] = prog("DINKES", 2025, "puskesmas", "Pembangunan Puskesmas Pembantu Sei Jang",
                                   pl.point_in(RES, "Sei Jang", rng=rng_for(73)))
    # IPU-020 realised only in 2023 -> diskontinu
    E["dinkes_2023_ipu020"] = prog("DINKES", 2023, "puskesmas", "Rehabilitasi Puskesmas Tanjung Unggat", g_ipu020)
    E["synergy"].append(prog("DINKES", 2025, "puskesmas", "Rehabilitasi Puskesmas Kota Lama", move(S, 40, -30)))
    # ---- DISDIK (xlsx, lon/lat)
    # school on the IPU-021 point -> sinkron
    E["disdik_2025_ipu021"] = prog("DISDIK", 2025, "pembangunan_sekolah", "Pembangunan SD Negeri 021 Batu Sembilan", g_ipu021)
    # IPU-022 realised only in 2024 -> diskontinu
    E["disdik_2024_ipu022"] = prog("DISDIK", 2024, "pembangunan_sekolah", "Pembangunan SMP Negeri 15 Dompak", g_ipu022)
    # ---- DLH (GeoJSON, EPSG:4326)
    # park polygon inside the IPU-025 polygon -> sinkron
    E["dlh_2025_ipu025"] = prog("DLH", 2025, "taman_kota", "Pembangunan Taman Kota Gurindam Tahap II",
                                rnd(g_ipu025.buffer(-15).simplify(2.0)))
    # TPS3R in the KPI zone of kelurahan Air Raja (tps3r = B1 in KPI) -> realises IPU-026 (NULL geometry)
    E["dlh_2025_ipu026"] = prog("DLH", 2025, "tps3r", "Pembangunan TPS3R Air Raja",
                                pl.point_in("KPI", "Air Raja", rng=rng_for(74)))
    # TPS3R on the IPU-029 point, in a residential zone (tps3r = X) -> programme inkonsisten, yet IPU-029 sinkron
    E["dlh_2025_tps3r_in_residential"] = prog("DLH", 2025, "tps3r", "Pembangunan TPS3R Terpadu Kampung Bulang", g_ipu029)
    E["synergy"].append(prog("DLH", 2025, "bank_sampah", "Pembentukan Bank Sampah Kota Lama", move(S, -35, 25)))
    # IPU-027 realised only in 2023 -> diskontinu
    E["dlh_2023_ipu027"] = prog("DLH", 2023, "ruang_terbuka_hijau", "Pembangunan Jalur Hijau Jalan Adi Sucipto Tahap I",
                                g_ipu027, street=ADISU)
    # ---- DISHUB (zipped Shapefile, cp1252, lines only)
    # street lighting 9 m beside the IPU-030 line -> sinkron
    E["dishub_2025_ipu030"] = prog("DISHUB", 2025, "penerangan_jalan", "Pemasangan PJU Jalan Raja Haji Fisabilillah",
                                   line_offset(g_ipu001, 9.0), street=RHF)
    E["synergy"].append(prog("DISHUB", 2025, "halte", "Pembangunan Halte Jalan Ré Martadinata – Kota Lama",
                             LineString([(S.x - 15, S.y + 45), (S.x + 15, S.y + 45)]), street="Jalan Ré Martadinata"))
    hl = roads[KATAMSO].project(g_ipu031)
    # bus-stop bay 10 m from the IPU-031 point, 2024 only -> diskontinu
    E["dishub_2024_ipu031"] = prog("DISHUB", 2024, "halte", "Pembangunan Halte Koridor Kota Lama",
                                   line_offset(pl.road_piece(KATAMSO, hl - 15, hl + 15), 10.0), street=KATAMSO)

    engineered = {p["program_id"] for p in progs}
    E["_geoms"] = dict(S=S, seam=seam, seam_code=seam_code, edge_diff=(ca, cb))
    return ipus, progs, counters, E, engineered


# ---------------------------------------------------------------- background programmes
PAGU = {  # (min, max) in million Rupiah
    "pembangunan_jalan": (1500, 25000), "pemeliharaan_jalan": (400, 6000), "jembatan": (2000, 15000),
    "pembangunan_drainase": (500, 8000), "jaringan_air_minum": (500, 6000), "ipal_komunal": (300, 2000),
    "rumah_susun": (8000, 25000), "perumahan": (500, 5000), "ruang_terbuka_hijau": (200, 2500),
    "puskesmas": (1000, 8000), "pembangunan_sekolah": (800, 5000), "taman_kota": (300, 3000),
    "tps3r": (250, 1500), "bank_sampah": (150, 400), "penerangan_jalan": (200, 2000), "halte": (150, 800),
}
OPD_MIX = {  # OPD: (programmes per year, [(kegiatan, weight)])
    "PUPR": (22, [("pembangunan_jalan", 6), ("pemeliharaan_jalan", 4), ("pembangunan_drainase", 5),
                  ("jembatan", 1), ("jaringan_air_minum", 2), ("ipal_komunal", 1)]),
    "PERKIM": (13, [("perumahan", 4), ("rumah_susun", 1), ("ipal_komunal", 2), ("ruang_terbuka_hijau", 2),
                    ("jaringan_air_minum", 2)]),
    "DINKES": (7, [("puskesmas", 1)]),
    "DISDIK": (8, [("pembangunan_sekolah", 1)]),
    "DLH": (9, [("taman_kota", 3), ("ruang_terbuka_hijau", 2), ("tps3r", 2), ("bank_sampah", 2)]),
    "DISHUB": (8, [("penerangan_jalan", 3), ("halte", 2)]),
}


def background(pl: Planner, ipus, progs, counters, E):
    rng = rng_for(5)
    itbx = pl.o.itbx
    kel_poly = pl.kel
    ipu_geom = []
    for q in ipus:
        g = q["geometry"] if q["geometry"] is not None else kel_poly[q["lokasi"]]
        ipu_geom.append((q["kegiatan"], g))
    codes_all = sorted(pl.z.KODSZN.unique())
    edges = [LineString(c) for k, c in sorted(pl.geo["edges"].items())
             if not ((k[3] == 1 and k[0] in ROAD_COLS) or (k[2] == 1 and k[1] in ROAD_ROWS))]
    edges = [e for e in edges if pl.city.buffer(-50).contains(e)]
    road_names = sorted(pl.roads)
    kel_names = sorted(kel_poly)

    def far_from_ipus(keg, g):
        return all(k != keg or gg.distance(g) > 150 for k, gg in ipu_geom) and not g.intersects(pl.avoid)

    def zone_for(keg):
        allowed = [c for c in MATRIX_CODES if c in codes_all and itbx[keg].get(c, "") not in ("", "X")
                   and c not in ("BJ", "PS")] if keg in itbx else []
        if allowed and rng.random() < 0.94:     # now and then an OPD picks a site the RDTR forbids
            return str(rng.choice(allowed))
        return str(rng.choice([c for c in codes_all if c != "BJ"]))

    def street_line(offset_choices=(0.0,)):
        name = road_names[int(rng.integers(len(road_names)))]
        L = pl.roads[name]
        L = L if L.geom_type == "LineString" else max(L.geoms, key=lambda g: g.length)
        ln = rng.uniform(300, 1400)
        a = rng.uniform(0, max(1.0, L.length - ln))
        return pl.road_piece(name, a, a + ln, offset=float(rng.choice(offset_choices))), name

    def geom_for(keg, opd):
        street = None
        if opd == "PUPR" and keg in ("pembangunan_jalan", "pemeliharaan_jalan", "pembangunan_drainase",
                                     "jaringan_air_minum"):
            r = rng.random()
            if keg == "pembangunan_jalan" and r < 0.35:       # a new local road crossing blocks
                p = pl.point_in(str(rng.choice(["R-3", "R-4", "R-2", "K-3"])), None, rng=rng)
                ang = rng.uniform(0, np.pi)
                ln = rng.uniform(300, 900)
                dx, dy = np.cos(ang) * ln / 2, np.sin(ang) * ln / 2
                bend = rng.uniform(-60, 60)
                g = LineString([(p.x - dx, p.y - dy), (p.x + dy / ln * 2 * bend, p.y - dx / ln * 2 * bend), (p.x + dx, p.y + dy)])
                g = LineString(np.round(np.asarray(g.coords), 2))
                street = str(rng.choice(LOCAL_STREETS))
            elif r < 0.65 and keg != "jaringan_air_minum":      # along a block border
                g = edges[int(rng.integers(len(edges)))]
                street = str(rng.choice(LOCAL_STREETS))
                if keg == "pembangunan_drainase":
                    g = line_offset(g, float(rng.choice([0.0, 2.5])))
            else:                                               # along a main road
                off = {"pembangunan_jalan": (0.0,), "pemeliharaan_jalan": (0.0,),
                       "pembangunan_drainase": (-8.0, 8.0), "jaringan_air_minum": (-9.0, 9.0)}[keg]
                g, street = street_line(off)
            return g, street
        if keg == "jembatan":
            p = river.interpolate(rng.uniform(0.05, 0.9), normalized=True)
            return Point(round(p.x, 2), round(p.y, 2)), "Sungai Carang"
        if keg == "penerangan_jalan":
            return street_line((-10.0, 10.0))
        if keg == "halte":
            g, street = street_line((10.0, -10.0))
            return substring(g, 0, 30), street
        if keg == "ruang_terbuka_hijau" and opd == "DLH" and rng.random() < 0.5:
            g, street = street_line((-16.0, 16.0))
            return substring(g, 0, min(g.length, 700)), street
        code = zone_for(keg)
        p = pl.point_in(code, None, rng=rng, margin=35)
        if keg == "taman_kota" or (keg == "ipal_komunal" and opd == "PUPR" and rng.random() < 0.3) or \
                (keg == "perumahan" and state["perkim_polygons"] > 0 and rng.random() < 0.3):
            w, h = rng.uniform(30, 90), rng.uniform(25, 70)
            if keg == "perumahan":
                w, h = w * 1.8, h * 1.8
            g = rnd(box(p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2).intersection(
                mvalid(pl.z.geometry[pl.z.geometry.intersects(p)].iloc[0]).buffer(-3)))
            if g.geom_type == "Polygon" and g.area > 400:
                return g, None
        return p, None

    river = pl.geo["river_line"]
    state = {"perkim_polygons": 2}
    names = {
        "pembangunan_jalan": "Pembangunan Jalan {street}", "pemeliharaan_jalan": "Pemeliharaan Berkala {street}",
        "pembangunan_drainase": "Pembangunan Saluran Drainase {street}", "jembatan": "Pembangunan Jembatan Penyeberangan Sungai Carang",
        "jaringan_air_minum": "Perluasan Jaringan Perpipaan SPAM Kel. {kel}", "ipal_komunal": "Pembangunan IPAL Komunal Kel. {kel}",
        "perumahan": "Bantuan Stimulan Perumahan Swadaya Kel. {kel}", "rumah_susun": "Pembangunan Rusunawa Kel. {kel}",
        "ruang_terbuka_hijau": "Penyediaan RTH Publik Kel. {kel}", "puskesmas": "Pembangunan Puskesmas Pembantu Kel. {kel}",
        "pembangunan_sekolah": "Pembangunan Ruang Kelas Baru SD Negeri Kel. {kel}", "taman_kota": "Pembangunan Taman Kel. {kel}",
        "tps3r": "Pembangunan TPS3R Kel. {kel}", "bank_sampah": "Pembentukan Bank Sampah Kel. {kel}",
        "penerangan_jalan": "Pemasangan PJU {street}", "halte": "Pembangunan Halte {street}",
    }
    for year in (2023, 2024, 2025):
        for opd, (n_target, mix) in OPD_MIX.items():
            kegs, w = zip(*mix)
            w = np.array(w, float) / sum(w)
            while counters.get((opd, year), 0) < n_target:
                keg = str(rng.choice(kegs, p=w))
                for _ in range(60):
                    g, street = geom_for(keg, opd)
                    if not g.is_empty and pl.city.contains(g.centroid) and far_from_ipus(keg, g):
                        break
                else:
                    raise RuntimeError(f"cannot place {keg}")
                if opd == "PERKIM" and g.geom_type == "Polygon":
                    state["perkim_polygons"] -= 1      # 2 housing estates as WKT polygons
                kel = pl.kel_at(g)
                if street == "Sungai Carang":
                    nm = names[keg]
                    street = None
                else:
                    nm = names[keg].format(street=street or kel, kel=kel)
                n = counters[(opd, year)] = counters.get((opd, year), 0) + 1
                progs.append(dict(program_id=f"{opd}-{year}-{n:03d}", tahun=year, opd_key=opd, opd=OPD[opd],
                                  kode=KODE[keg], kegiatan=keg, nama_kegiatan=nm, geometry=g,
                                  lokasi=pl.lokasi(g, street)))


def finish_attributes(progs, E):
    """pagu, sumber_dana, volume, satuan, target, realisasi; and the data-quality quirks."""
    rng = rng_for(6)
    dana_w = {"PUPR": [("APBD", 6), ("DAK", 3), ("APBN", 1)], "PERKIM": [("APBD", 5), ("DAK", 2), ("APBN", 2), ("Swasta", 1)],
              "DINKES": [("APBD", 5), ("DAK", 4), ("APBN", 1)], "DISDIK": [("APBD", 5), ("DAK", 5)],
              "DLH": [("APBD", 7), ("DAK", 1), ("Swasta", 2)], "DISHUB": [("APBD", 8), ("DAK", 2)]}
    for p in progs:
        keg, g = p["kegiatan"], p["geometry"]
        lo, hi = PAGU.get(keg, (150, 1000))
        p["pagu"] = int(round(math.exp(rng.uniform(math.log(lo), math.log(hi))))) * 1_000_000
        names, w = zip(*dana_w[p["opd_key"]])
        p["sumber_dana"] = str(rng.choice(names, p=np.array(w, float) / sum(w)))
        gt = None if g is None or g.is_empty else g.geom_type
        if keg in ("pembangunan_jalan", "pemeliharaan_jalan") and gt and "Line" in gt:
            vol, sat = round(g.length / 1000.0, 2), "km"
        elif gt and "Line" in gt and keg in ("pembangunan_drainase", "jaringan_air_minum", "ruang_terbuka_hijau"):
            vol, sat = round(g.length), "m"
        elif keg == "penerangan_jalan":
            vol, sat = max(4, int(g.length // 35)), "titik"
        elif gt and "Polygon" in gt:
            a = mvalid(g).area
            vol, sat = (round(a * 2.0), "m3") if keg == "pembangunan_drainase" else (round(a), "m2")
            if keg == "perumahan":
                vol, sat = int(a // 120), "unit"
        elif keg == "jembatan":
            vol, sat = int(rng.integers(3, 12)) * 5, "m"
        elif keg == "rumah_susun":
            vol, sat = int(rng.integers(29, 98)) * 2, "unit hunian"
        elif keg == "pembangunan_sekolah":
            vol, sat = int(rng.integers(2, 10)), "ruang kelas"
        elif keg == "jaringan_air_minum":
            vol, sat = int(rng.integers(5, 30)) * 10, "SR"
        elif keg == "perumahan":
            vol, sat = int(rng.integers(10, 80)), "unit"
        elif keg == "pembangunan_jalan":          # the empty-geometry row
            vol, sat = 0.8, "km"
        else:
            vol, sat = 1, "unit"
        p["volume"], p["satuan"] = vol, sat
        tgt = vol if rng.random() < 0.8 else round(vol * rng.uniform(0.4, 0.7), 2)
        if sat in ("unit", "titik", "ruang kelas", "SR", "unit hunian", "m", "m2", "m3"):
            tgt = int(round(tgt)) if tgt >= 1 else 1
        p["target"] = tgt
        if p["tahun"] < 2025:
            real = tgt if rng.random() < 0.55 else tgt * rng.uniform(0.55, 0.98)
        elif rng.random() < 0.3:
            real = tgt * rng.uniform(0.1, 0.6)          # partial progress reported mid-year
        else:
            real = None
        p["realisasi"] = None if real is None else (round(real, 2) if isinstance(tgt, float) else int(round(real)))
    # data-quality quirks (documented in README.md)
    by_id = {p["program_id"]: p for p in progs}
    bg25 = [p for p in progs if p["opd_key"] == "PUPR" and p["tahun"] == 2025 and p["kegiatan"] == "pembangunan_jalan"
            and p["program_id"] not in E["_engineered"]]
    E["zero_padded_code"] = bg25[0]["program_id"]
    bg25[0]["kode"] = "1.03.10.02.01.0053"           # zero-padded kegiatan segment
    E["malformed_code"] = bg25[1]["program_id"]
    bg25[1]["kode"] = "1.3.x"                         # malformed code (kegiatan still given)
    blanks = [p for p in progs if p["opd_key"] == "PUPR" and p["tahun"] == 2025 and p["kegiatan"] == "pemeliharaan_jalan"
              and p["program_id"] not in E["_engineered"]][:2]
    E["kegiatan_blank_kode_only"] = [p["program_id"] for p in blanks]
    for p in blanks:
        p["kegiatan"] = None                          # only the SIPD code identifies the activity
    return by_id


# =========================================================================== oracle: sync
def oracle_sync(o: Oracle, ipus, progs, kel_geom, year, dist=50.0):
    res_ipu, res_prog = {}, {}
    realized = {q["ipu_id"]: [] for q in ipus}
    geoms = {q["ipu_id"]: (q["geometry"] if q["geometry"] is not None else kel_geom[q["lokasi"]]) for q in ipus}
    for p in progs:
        g = p.get("_geom_effective", p["geometry"])
        if g is None or g.is_empty:
            continue
        g = mvalid(g)
        for q in ipus:
            if q["kegiatan"] == p["kegiatan"] and q["tahun_mulai"] <= p["tahun"] <= q["tahun_akhir"] \
                    and geoms[q["ipu_id"]].distance(g) <= dist:
                realized[q["ipu_id"]].append(p)
    for q in ipus:
        if not q["tahun_mulai"] <= year <= q["tahun_akhir"]:
            s = "belum_jadwal"
        elif any(p["tahun"] == year for p in realized[q["ipu_id"]]):
            s = "sinkron"
        elif any(p["tahun"] < year for p in realized[q["ipu_id"]]):
            s = "diskontinu"
        else:
            s = "diskoneksi"
        res_ipu[q["ipu_id"]] = s
    real_by = {}
    for qid, ps in realized.items():
        for p in ps:
            real_by.setdefault(p["program_id"], []).append(qid)
    for p in progs:
        if p["tahun"] != year:
            continue
        conf, _ = o.status(p.get("_geom_effective", p["geometry"]), p["kegiatan"])
        if conf == "tidak_sesuai":
            s = "inkonsisten"
        elif real_by.get(p["program_id"]):
            s = "sinkron"
        else:
            s = "tidak_terindikasi"
        res_prog.setdefault(p["program_id"], []).append((s, conf))
    return res_ipu, res_prog, {k: [p["program_id"] for p in v] for k, v in realized.items()}


# =========================================================================== writers
def wgs(geom):
    if geom is None or geom.is_empty:
        return geom
    return shapely.set_precision(shapely.transform(geom, lambda c: np.column_stack(TO_WGS.transform(c[:, 0], c[:, 1]))),
                                 1e-7)


def zip_fixed(zpath: Path, files):
    """Zip with a fixed timestamp so the archive does not depend on the clock."""
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zi = zipfile.ZipInfo(f.name, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, f.read_bytes())


def write_shapefile_zip(gdf: gpd.GeoDataFrame, zpath: Path, stem: str):
    with tempfile.TemporaryDirectory() as td:
        shp = Path(td) / f"{stem}.shp"
        gdf.to_file(shp, driver="ESRI Shapefile", encoding="cp1252")
        dbf = Path(td) / f"{stem}.dbf"
        raw = bytearray(dbf.read_bytes())
        raw[1:4] = bytes([125, 1, 1])          # fixed "last update" date (2025-01-01) in the DBF header
        dbf.write_bytes(bytes(raw))
        (Path(td) / f"{stem}.cpg").write_text("1252")
        files = [Path(td) / f"{stem}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")]
        zip_fixed(zpath, files)


def excel_writer(path: Path) -> pd.ExcelWriter:
    """xlsxwriter leaves missing values as truly blank cells; fixed document dates."""
    xw = pd.ExcelWriter(path, engine="xlsxwriter")
    import datetime as _dt
    xw.book.set_properties({"created": _dt.datetime(2025, 1, 1), "author": "Kota Contoh (sample)"})
    return xw


RENCANA_COLS = ["program_id", "tahun", "opd", "kode", "kegiatan", "nama_kegiatan", "pagu", "sumber_dana",
                "volume", "satuan", "target", "realisasi", "lokasi"]


OUTPUT_FILES = ["zoning.gpkg", "zoning_rth.zip", "itbx.csv", "itbx.xlsx", "syarat_itbx.csv", "kode_kegiatan.csv",
                "admin.gpkg", "kawasan_prioritas.gpkg", "struktur_ruang.gpkg", "ipu.gpkg", "rencana_pupr.gpkg",
                "rencana_perkim.xlsx", "rencana_kesehatan.csv", "rencana_pendidikan.xlsx", "rencana_dlh.geojson",
                "rencana_dishub.shp.zip", "kinerja.xlsx", "sppr.toml"]


def write_all(out: Path, zoning, kel_geom, kec_geom, kec_of_kel, ipus, progs, geo, pl, E):
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:                   # start from scratch (GeoPackages are appended to)
        (out / name).unlink(missing_ok=True)
    # ---- zoning
    zoning.drop(columns=["_key"]).to_file(out / "zoning.gpkg", layer="rdtr_subzona", driver="GPKG")
    rth = zoning[zoning.KODSZN == "RTH-2"].copy()
    nama = ["Taman Kota Séngkuang", "Taman Gurindam Dua Belas", "Taman Tepi Laut – Pelantar",
            "Taman Batu Hitam", "Taman Kota Bintan Café", "Taman Lembah Purnama"]
    rth = gpd.GeoDataFrame({"NAMA": nama[:len(rth)]}, geometry=list(rth.geometry), crs=CRS)
    write_shapefile_zip(rth, out / "zoning_rth.zip", "zoning_rth")

    # ---- rules
    rows = []
    for cat, act, cells in ITBX:
        vals = ["" if v == "_" else v for v in cells.split(" ")]
        assert len(vals) == len(MATRIX_CODES), act
        rows.append([cat, act] + vals)
    itbx = pd.DataFrame(rows, columns=["category", "activity"] + MATRIX_CODES)
    itbx.to_csv(out / "itbx.csv", index=False)
    with excel_writer(out / "itbx.xlsx") as xw:
        itbx.replace("", None).to_excel(xw, sheet_name="ITBX", index=False)
    pd.DataFrame(SYARAT, columns=["kode", "uraian"]).to_csv(out / "syarat_itbx.csv", index=False)
    pd.DataFrame(KODE_KEGIATAN, columns=["kode", "activity"]).to_csv(out / "kode_kegiatan.csv", index=False)

    # ---- admin
    kel = gpd.GeoDataFrame({"WADMKD": list(kel_geom), "WADMKC": [kec_of_kel[n] for n in kel_geom],
                            "WADMKK": WADMKK, "WADMPR": WADMPR}, geometry=list(kel_geom.values()), crs=CRS)
    kel = kel.sort_values(["WADMKC", "WADMKD"]).reset_index(drop=True)
    kec = gpd.GeoDataFrame({"WADMKC": list(kec_geom), "WADMKK": WADMKK, "WADMPR": WADMPR},
                           geometry=list(kec_geom.values()), crs=CRS).sort_values("WADMKC").reset_index(drop=True)
    kec.to_file(out / "admin.gpkg", layer="kecamatan", driver="GPKG")
    kel.to_file(out / "admin.gpkg", layer="kelurahan", driver="GPKG")

    # ---- priority areas
    city = geo["city"]
    kp_rng = rng_for(7)
    kota_lama = rnd(blob(OLD_TOWN, 950, kp_rng, n=40, rough=0.2).intersection(city))
    dompak = rnd(blob((441700, 99450), 800, kp_rng, n=36, rough=0.25).intersection(city))
    gpd.GeoDataFrame({"nama": ["Kawasan Kota Lama Tanjungpinang", "Kawasan Pusat Pemerintahan Dompak"],
                      "jenis": ["Kawasan Strategis Kota (pertumbuhan ekonomi)", "Kawasan Prioritas Pembangunan (pemerintahan)"]},
                     geometry=[kota_lama, dompak], crs=CRS).to_file(out / "kawasan_prioritas.gpkg",
                                                                    layer="kawasan_prioritas", driver="GPKG")
    assert kota_lama.contains(E["_geoms"]["S"])

    # ---- struktur ruang
    rows = []
    for name, line in geo["roads"].items():
        g = line.intersection(city)
        jns = "Jalan Arteri Primer" if name in ("Jalan Raja Haji Fisabilillah", "Jalan Adi Sucipto") else "Jalan Kolektor Primer"
        rows.append((name, jns, "Eksisting", g))
    ip = {q["ipu_id"]: q for q in ipus}
    rows.append(("Jalan Tembus Senggarang - Dompak", "Jalan Kolektor Sekunder", "Rencana", ip["IPU-005"]["geometry"]))
    rows.append(("Sungai Carang", "Sungai", "Eksisting", geo["river_line"].intersection(city)))
    rows.append(("Saluran Drainase Primer Sei Jang", "Jaringan Drainase Primer", "Rencana", ip["IPU-003"]["geometry"]))
    rows.append(("Saluran Drainase Jalan Basuki Rahmat", "Jaringan Drainase Sekunder", "Rencana", ip["IPU-007"]["geometry"]))
    rows.append(("Pipa Transmisi SPAM Zona Timur", "Jaringan Transmisi Air Minum", "Rencana", ip["IPU-008"]["geometry"]))
    sl = geo["roads"]["Jalan Brigjen Katamso"].intersection(city)
    sl = sl if sl.geom_type == "LineString" else max(sl.geoms, key=lambda g: g.length)
    rows.append(("Pipa Distribusi Kota Lama", "Jaringan Distribusi Air Minum", "Eksisting",
                 line_offset(substring(sl, 0, sl.length * 0.5), 8.0)))
    edges = [LineString(c) for k, c in sorted(geo["edges"].items()) if len(c) > 2 and city.buffer(-50).contains(LineString(c))]
    for n, e in enumerate(edges[:4]):
        rows.append((f"Saluran Drainase Sekunder {n + 1}", "Jaringan Drainase Sekunder", "Eksisting", e))
    gpd.GeoDataFrame(rows, columns=["NAMOBJ", "JNSRSR", "STSJRN", "geometry"], geometry="geometry", crs=CRS).to_file(
        out / "struktur_ruang.gpkg", layer="jaringan", driver="GPKG")

    # ---- IPU
    ipu_df = gpd.GeoDataFrame(pd.DataFrame(ipus), geometry="geometry", crs=CRS)
    ipu_df.to_file(out / "ipu.gpkg", layer="indikasi_program", driver="GPKG", geometry_type="Unknown")

    # ---- rencana
    df = pd.DataFrame(progs)
    for c in ("volume", "target", "realisasi"):
        df[c] = pd.to_numeric(df[c])

    def part(key):
        return df[df.opd_key == key].sort_values(["tahun", "program_id"], kind="stable").reset_index(drop=True)

    pupr = part("PUPR")
    gpd.GeoDataFrame(pupr[RENCANA_COLS], geometry=list(pupr.geometry), crs=CRS).to_file(
        out / "rencana_pupr.gpkg", layer="rencana", driver="GPKG", geometry_type="Unknown")

    perkim = part("PERKIM")
    bujur, lintang, wkt = [], [], []
    for _, r in perkim.iterrows():
        g = wgs(r.geometry)
        if g.geom_type == "Point":
            lon, lat = f"{g.x:.6f}".replace(".", ","), f"{g.y:.6f}".replace(".", ",")
            if r.program_id == E["swapped_lonlat"]:
                lon, lat = lat, lon                    # typed the wrong way round
            bujur.append(lon), lintang.append(lat), wkt.append(None)
        else:
            bujur.append(None), lintang.append(None), wkt.append(shapely.to_wkt(g, rounding_precision=7))
    perkim_x = perkim[RENCANA_COLS].copy()
    perkim_x["Bujur"], perkim_x["Lintang"], perkim_x["wkt"] = bujur, lintang, wkt
    with excel_writer(out / "rencana_perkim.xlsx") as xw:
        perkim_x.astype(object).where(perkim_x.notna(), None).to_excel(xw, sheet_name="Renja", index=False)

    dinkes = part("DINKES")
    dk = dinkes[RENCANA_COLS].copy()
    pts = [wgs(g) for g in dinkes.geometry]
    dk["longitude"] = [round(p.x, 7) for p in pts]
    dk["latitude"] = [round(p.y, 7) for p in pts]
    dk.to_csv(out / "rencana_kesehatan.csv", index=False)

    disdik = part("DISDIK")
    dd = disdik[RENCANA_COLS].copy()
    pts = [wgs(g) for g in disdik.geometry]
    dd["lon"] = [round(p.x, 7) for p in pts]
    dd["lat"] = [round(p.y, 7) for p in pts]
    with excel_writer(out / "rencana_pendidikan.xlsx") as xw:
        dd.astype(object).where(dd.notna(), None).to_excel(xw, sheet_name="Renja Dinas Pendidikan", index=False)

    dlh = part("DLH")
    gpd.GeoDataFrame(dlh[RENCANA_COLS], geometry=[wgs(g) for g in dlh.geometry], crs="EPSG:4326").to_file(
        out / "rencana_dlh.geojson", driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 7})

    dishub = part("DISHUB")
    dsh = dishub[RENCANA_COLS].rename(columns={"nama_kegiatan": "nama_keg", "sumber_dana": "sumber_dan"})
    write_shapefile_zip(gpd.GeoDataFrame(dsh, geometry=list(dishub.geometry), crs=CRS),
                        out / "rencana_dishub.shp.zip", "rencana_dishub")

    # ---- config
    (out / "sppr.toml").write_text(
        "# SPPR run for the synthetic sample city (generated by make_sample.py)\n"
        "# sppr sync --config data/sample/sppr.toml --year 2025\n\n"
        "[project]\n"
        'name = "Kota Contoh"\n'
        'title = "SPPR Kota Contoh"\n\n'
        "[inputs]\n"
        'zoning = "zoning.gpkg:rdtr_subzona"\n'
        'rules = "itbx.csv"\n'
        'conditions = "syarat_itbx.csv"\n'
        'code_map = "kode_kegiatan.csv"\n'
        'indikasi_program = "ipu.gpkg:indikasi_program"\n'
        "rencana = [\n"
        '    "rencana_pupr.gpkg:rencana",\n'
        '    "rencana_perkim.xlsx",\n'
        '    "rencana_kesehatan.csv",\n'
        '    "rencana_pendidikan.xlsx",\n'
        '    "rencana_dlh.geojson",\n'
        '    "rencana_dishub.shp.zip",\n'
        "]\n"
        'kecamatan = "admin.gpkg:kecamatan"\n'
        'kelurahan = "admin.gpkg:kelurahan"\n'
        'kawasan_prioritas = "kawasan_prioritas.gpkg"\n'
        'struktur_ruang = "struktur_ruang.gpkg:jaringan"\n\n'
        "[fields]\n"
        'zone = "KODSZN"\n'
        'activity = "kegiatan"\n\n'
        "[parameters]\n"
        "min_share = 0.01\n"
        "match_distance = 50\n"
        "synergy_distance = 100\n"
        "collision_distance = 10\n"
        "collision_kegiatan = [\"pembangunan_jalan\", \"pemeliharaan_jalan\", \"pembangunan_drainase\", "
        "\"jaringan_air_minum\", \"ipal_komunal\"]\n"
        "capaian_threshold = 80\n"
        "medium_term_start = 2023\n\n"
        "[parameters.priority_weights]\n"
        "conformance = 0.30\n"
        "realizes_ipu = 0.30\n"
        "continues_ipu = 0.15\n"
        "priority_area = 0.15\n"
        "budget_readiness = 0.10\n\n"
        "[opd_clusters]\n"
        f'Infrastruktur = ["{OPD["PUPR"]}", "{OPD["PERKIM"]}", "{OPD["DISHUB"]}"]\n'
        f'"Sosial dan Lingkungan" = ["{OPD["DINKES"]}", "{OPD["DISDIK"]}", "{OPD["DLH"]}"]\n')


# =========================================================================== kinerja (Renstra cascade)
def kinerja_rows():
    """The sample's kinerja table (contract section Kinerja): one row per indicator, 2024-2025.

    Hand-made figures; sub kegiatan codes are the rencana files' codes (the spatial link), PUPR's sasaran
    takes its 2025 realisation from the run (``sppr`` column)."""
    rows = []

    def add(opd, level, kode, induk, uraian, indikator, satuan, t24, r24, t25, r25, arah="positif", sifat="tahunan", pagu=None, sppr=None):
        rows.append({"opd": OPD[opd], "level": level, "kode": kode, "induk": induk, "uraian": uraian, "indikator": indikator,
                     "satuan": satuan, "arah": arah, "sifat": sifat, "target_2024": t24, "realisasi_2024": r24,
                     "target_2025": t25, "realisasi_2025": r25, "pagu_2025": pagu[0] if pagu else None,
                     "realisasi_pagu_2025": pagu[1] if pagu else None, "sppr": sppr})

    add("PUPR", "tujuan", "T1", None, "Meningkatnya kualitas infrastruktur dan penataan ruang", "Indeks kualitas layanan infrastruktur", "indeks", 70, 68, 72, 70)
    add("PUPR", "sasaran", "S1.1", "T1", "Meningkatnya penyelenggaraan penataan ruang", "Skoring penyelenggaraan penataan ruang", "skor", 75, 72, 80, None, sppr="skor_penataan_ruang")
    add("PUPR", "sasaran", "S1.1", "T1", "Meningkatnya penyelenggaraan penataan ruang", "Program sesuai rencana tata ruang", "%", 85, 80, 90, None, sppr="persen_program_sesuai_ruang")
    add("PUPR", "program", "1.03.10", "S1.1", "Program penyelenggaraan jalan", "Jalan dalam kondisi mantap", "%", 80, 78, 82, 80)
    add("PUPR", "kegiatan", "1.03.10.2.01", "1.03.10", "Penyelenggaraan jalan kabupaten/kota", "Panjang jalan yang ditangani", "km", 12, 12, 14, 12.6)
    add("PUPR", "sub_kegiatan", "1.03.10.2.01.0053", "1.03.10.2.01", "Pembangunan jalan", "Panjang jalan dibangun", "km", 4, 4, 5, 4.5, pagu=(18_500_000_000, 16_650_000_000))
    add("PUPR", "sub_kegiatan", "1.03.10.2.01.0056", "1.03.10.2.01", "Pemeliharaan berkala jalan", "Panjang jalan dipelihara", "km", 8, 8, 9, 8.1, pagu=(6_200_000_000, 6_014_000_000))
    add("PUPR", "program", "1.03.06", "S1.1", "Program pengelolaan dan pengembangan sistem drainase", "Genangan di kawasan permukiman", "ha", 40, 38, 35, 42, arah="negatif")
    add("PUPR", "kegiatan", "1.03.06.2.01", "1.03.06", "Pengelolaan drainase perkotaan", "Panjang saluran drainase dibangun (kumulatif)", "km", 3, 3, 3, 2.4, sifat="kumulatif")
    add("PUPR", "sub_kegiatan", "1.03.06.2.01.0012", "1.03.06.2.01", "Pembangunan saluran drainase perkotaan", "Panjang saluran dibangun", "km", 3, 3, 3, 2.4, pagu=(7_400_000_000, 6_290_000_000))
    add("PERKIM", "program", "1.04.02", None, "Program pengembangan perumahan", "Rumah tidak layak huni tertangani", "unit", 150, 140, 160, 152)
    add("PERKIM", "kegiatan", "1.04.02.2.01", "1.04.02", "Pembangunan dan rehabilitasi rumah", "Rumah dibangun/direhabilitasi", "unit", 150, 140, 160, 152)
    add("PERKIM", "sub_kegiatan", "1.04.02.2.01.0008", "1.04.02.2.01", "Pembangunan rumah", "Rumah dibangun", "unit", 150, 140, 160, 152, pagu=(9_600_000_000, 9_120_000_000))
    add("DINKES", "program", "1.02.02", None, "Program pemenuhan upaya kesehatan", "Puskesmas terakreditasi", "%", 80, 80, 90, 81)
    add("DINKES", "kegiatan", "1.02.02.2.01", "1.02.02", "Penyediaan fasilitas pelayanan kesehatan", "Fasilitas kesehatan dibangun", "unit", 2, 2, 2, 1)
    add("DINKES", "sub_kegiatan", "1.02.02.2.01.0004", "1.02.02.2.01", "Pembangunan puskesmas", "Puskesmas dibangun", "unit", 2, 2, 2, 1, pagu=(12_000_000_000, 7_800_000_000))
    add("DISDIK", "program", "1.01.02", None, "Program pengelolaan pendidikan", "Angka partisipasi murni SD", "%", 96, 95, 97, 96)
    add("DISDIK", "kegiatan", "1.01.02.2.01", "1.01.02", "Pengelolaan pendidikan sekolah dasar", "Ruang kelas dibangun", "ruang", 20, 18, 24, 24)
    add("DISDIK", "sub_kegiatan", "1.01.02.2.01.0009", "1.01.02.2.01", "Pembangunan ruang kelas baru", "Ruang kelas baru", "ruang", 20, 18, 24, 24, pagu=(8_400_000_000, 8_150_000_000))
    add("DLH", "program", "2.11.11", None, "Program pengelolaan persampahan", "Sampah tertangani", "%", 70, 66, 75, 60)
    add("DLH", "kegiatan", "2.11.11.2.01", "2.11.11", "Pengelolaan sampah", "TPS3R beroperasi", "unit", 3, 3, 4, 2)
    add("DLH", "sub_kegiatan", "2.11.11.2.01.0005", "2.11.11.2.01", "Pembangunan TPS3R", "TPS3R dibangun", "unit", 3, 3, 4, 2, pagu=(3_200_000_000, 1_600_000_000))
    add("DISHUB", "program", "2.15.02", None, "Program penyelenggaraan lalu lintas dan angkutan jalan", "Titik rawan kecelakaan", "titik", 12, 11, 10, 9, arah="negatif")
    add("DISHUB", "kegiatan", "2.15.02.2.02", "2.15.02", "Penyediaan perlengkapan jalan", "Perlengkapan jalan terpasang", "unit", 120, 110, 150, 135)
    add("DISHUB", "sub_kegiatan", "2.15.02.2.02.0011", "2.15.02.2.02", "Pengadaan penerangan jalan umum", "PJU terpasang", "unit", 100, 95, 120, 110, pagu=(2_800_000_000, 2_520_000_000))
    add("DISHUB", "sub_kegiatan", "2.15.02.2.02.0016", "2.15.02.2.02", "Pembangunan halte", "Halte dibangun", "unit", 20, 15, 30, 25, pagu=(1_500_000_000, 1_275_000_000))
    return rows


def write_kinerja(out: Path) -> None:
    """``kinerja.xlsx`` (sheet ``Kinerja``): the table of :func:`kinerja_rows`."""
    df = pd.DataFrame(kinerja_rows())
    with excel_writer(out / "kinerja.xlsx") as xw:
        df.astype(object).where(df.notna(), None).to_excel(xw, sheet_name="Kinerja", index=False)


# =========================================================================== main
# OBJECTIDs / ids quoted in README.md; checked on every run so the README cannot drift
DOCUMENTED = {
    "bowtie": 302, "bowtie_host": 301, "overlap": (30, 55), "gap_between": (101, 89),
    "multipolygons": (161, 31, 72), "hole_fillers": ((236, 235), (273, 274), (107, 106), (280, 281), (38, 37), (118, 119)),
    "zero_padded_code": "PUPR-2025-014", "malformed_code": "PUPR-2025-015",
    "kegiatan_blank_kode_only": ["PUPR-2025-012", "PUPR-2025-017"], "swapped_lonlat": "PERKIM-2025-007",
    "duplicate_id": "DISDIK-2025-004",
}
EXPECT_IPU_2025 = {
    "sinkron": [1, 2, 7, 10, 12, 13, 14, 16, 17, 19, 21, 25, 26, 29, 30],
    "diskontinu": [3, 4, 20, 22, 27, 31],
    "diskoneksi": [8, 9, 11, 15, 18, 24, 32, 35, 36],
    "belum_jadwal": [5, 6, 23, 28, 33, 34],
}


def generate() -> dict:
    """Build everything in memory and check the engineered cases; nothing is written."""
    geo = build_geography()
    feats, kel_geom, kec_geom, meta = build_zoning(geo)
    kec_of_kel = {n: KELURAHAN[n][0] for n in KELURAHAN}
    zoning = zoning_frame(feats, kel_geom, kec_of_kel)
    itbx = {act: {c: v for c, v in zip(MATRIX_CODES, cells.split(" ")) if v != "_"} for _, act, cells in ITBX}
    oracle = Oracle(zoning, itbx)
    pl = Planner(geo, zoning, kel_geom, kec_of_kel, meta, oracle)
    ipus, progs, counters, E, engineered = plan_programs(pl)
    E["_engineered"] = engineered
    background(pl, ipus, progs, counters, E)
    by_id = finish_attributes(progs, E)

    # one Perkim 2025 point row typed with lon/lat swapped (a background row: it realises nothing)
    swap = [p for p in progs if p["opd_key"] == "PERKIM" and p["tahun"] == 2025 and p["program_id"] not in engineered
            and p["geometry"].geom_type == "Point"][1]
    E["swapped_lonlat"] = swap["program_id"]
    # one duplicated programme id in the Dinas Pendidikan sheet (two different rows, same id)
    dis = [p for p in progs if p["opd_key"] == "DISDIK" and p["tahun"] == 2025 and p["program_id"] not in engineered]
    E["duplicate_id"] = dis[2]["program_id"]
    E["duplicate_id_row_was"] = dis[3]["program_id"]
    dis[3]["program_id"] = dis[2]["program_id"]

    # ---------------- self-checks of the engineered cases (contract rules restated)
    for p in progs:   # the swapped row is unusable as written (latitude 104 degrees)
        p["_geom_effective"] = None if p is swap else p["geometry"]
    ipu_st, prog_st, realized_by = oracle_sync(oracle, ipus, progs, kel_geom, 2025)
    for st, ids in EXPECT_IPU_2025.items():
        for n in ids:
            assert ipu_st[f"IPU-{n:03d}"] == st, (n, ipu_st[f"IPU-{n:03d}"], st, realized_by[f"IPU-{n:03d}"])
    first = {pid: v[0] for pid, v in prog_st.items()}
    exp_prog = {
        E["pupr_2025_ipu001"]: "sinkron", E["pupr_2025_bridge_40m"]: "sinkron",
        E["pupr_2025_ipu010_polygon"]: "sinkron", E["pupr_2025_multiline"]: "sinkron", E["pupr_2025_seam"]: "sinkron",
        E["pupr_2025_boundary"]: "tidak_terindikasi", E["pupr_2025_empty"]: "tidak_terindikasi",
        E["pupr_2025_rth1_road"]: "inkonsisten", E["perkim_2025_ipu014"]: "sinkron",
        E["perkim_2025_rusun_in_rth"]: "inkonsisten", E["perkim_2025_ipu016_wkt"]: "sinkron",
        E["collision"][1]: "sinkron", E["perkim_2025_ipu017"]: "sinkron", E["dinkes_2025_60m"]: "tidak_terindikasi",
        E["dinkes_2025_ipu019"]: "sinkron", E["disdik_2025_ipu021"]: "sinkron", E["dlh_2025_ipu025"]: "sinkron",
        E["dlh_2025_ipu026"]: "sinkron", E["dlh_2025_tps3r_in_residential"]: "inkonsisten", E["dishub_2025_ipu030"]: "sinkron",
    }
    for pid in E["synergy"]:
        exp_prog[pid] = "tidak_terindikasi"
    for pid, st in exp_prog.items():
        assert first[pid][0] == st, (pid, first[pid], st)
    assert first[E["pupr_2025_empty"]][1] == "perlu_kajian"
    assert first[E["pupr_2025_boundary"]][1] in ("sesuai", "sesuai_bersyarat")
    ip = {q["ipu_id"]: q for q in ipus}
    d40 = ip["IPU-002"]["geometry"].distance(by_id[E["pupr_2025_bridge_40m"]]["geometry"])
    d60 = ip["IPU-018"]["geometry"].distance(by_id[E["dinkes_2025_60m"]]["geometry"])
    assert 39 < d40 < 41 and 59 < d60 < 61, (d40, d60)
    syn = [by_id[p]["geometry"] for p in E["synergy"]]
    assert max(a.distance(b) for a in syn for b in syn) < 100
    assert by_id[E["collision"][0]]["geometry"].distance(by_id[E["collision"][1]]["geometry"]) < 10

    key2id = dict(zip(zoning._key, zoning.OBJECTID))
    found = {
        "bowtie": key2id["bowtie"], "bowtie_host": key2id[meta["bowtie_host"]],
        "overlap": tuple(key2id[k] for k in meta["overlap"]), "gap_between": tuple(key2id[k] for k in meta["gap_cells"]),
        "multipolygons": tuple(key2id[k] for k in meta["multi_keys"]),
        "hole_fillers": tuple((key2id[k], key2id[v]) for k, v in meta["hole_hosts"].items()),
        **{k: E[k] for k in ("zero_padded_code", "malformed_code", "kegiatan_blank_kode_only", "swapped_lonlat",
                             "duplicate_id")},
    }
    assert found == DOCUMENTED, f"README ids out of date: {found}"
    return dict(geo=geo, zoning=zoning, kel_geom=kel_geom, kec_geom=kec_geom, kec_of_kel=kec_of_kel, meta=meta,
                pl=pl, ipus=ipus, progs=progs, E=E, ipu_st=ipu_st, prog_st=prog_st, realized_by=realized_by)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]).resolve() if argv else Path(__file__).resolve().parent
    # fixed GeoPackage timestamps, so that regenerating gives byte-identical .gpkg files
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2025-01-01T00:00:00.000Z"})
    r = generate()
    zoning, meta, E, progs = r["zoning"], r["meta"], r["E"], r["progs"]
    write_all(out, zoning, r["kel_geom"], r["kec_geom"], r["kec_of_kel"], r["ipus"], progs, r["geo"], r["pl"], E)
    write_kinerja(out)

    from collections import Counter
    print(f"written to {out}")
    print(f"zoning: {len(zoning)} sub-zones, codes {dict(sorted(Counter(zoning.KODSZN).items()))}")
    print(f"  overlap {meta['overlap_area']:.1f} m2, gap {meta['gap'].area:.1f} m2, "
          f"seam code {E['_geoms']['seam_code']}, border codes {E['_geoms']['edge_diff']}")
    print(f"  ids: {DOCUMENTED}")
    print(f"IPU statuses 2025: {dict(sorted(Counter(r['ipu_st'].values()).items()))}")
    print(f"rencana: {len(progs)} rows; 2025: "
          f"{dict(sorted(Counter(v[0][0] for v in r['prog_st'].values()).items()))}")
    for k, v in E.items():
        if not k.startswith("_"):
            print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
