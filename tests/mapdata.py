"""A small synthetic city (UTM 48N, near Tanjungpinang) with every album layer, for map and report tests.

Deterministic (seeded); no file I/O. ``make_layers()`` returns the dict that
``sppr_gis.maps.album.write_album`` takes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point

CRS = "EPSG:32648"
X0, Y0 = 440_000.0, 100_000.0
W, H = 9_000.0, 7_000.0

OPDS = ["Dinas PUPR", "Dinas Perkim", "Dinas Kesehatan", "Dinas Pendidikan"]
STATUSES = ["sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"]


def _city() -> shapely.Geometry:
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    r = 1.0 + 0.08 * np.sin(3 * t) + 0.05 * np.cos(5 * t)
    x = X0 + W / 2 + (W / 2) * 0.95 * r * np.cos(t)
    y = Y0 + H / 2 + (H / 2) * 0.95 * r * np.sin(t)
    return shapely.Polygon(np.c_[x, y])


def _voronoi(city: shapely.Geometry, n: int, rng: np.random.Generator) -> list[shapely.Geometry]:
    pts = []
    minx, miny, maxx, maxy = city.bounds
    while len(pts) < n:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if city.contains(p):
            pts.append(p)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=city.buffer(1000))
    out = [c.intersection(city) for c in shapely.get_parts(cells)]
    return [c for c in out if not c.is_empty and c.area > 1]


def make_layers(seed: int = 7, n_programs: int = 70) -> dict[str, gpd.GeoDataFrame]:
    """All layers of an SPPR year for a small synthetic city."""
    rng = np.random.default_rng(seed)
    city = _city()
    cx, cy = city.centroid.x, city.centroid.y

    kec_geoms = _voronoi(city, 4, rng)
    kec_names = ["Bukit Bestari", "Tanjungpinang Kota", "Tanjungpinang Barat", "Tanjungpinang Timur", "Sei Jang"]
    kecamatan = gpd.GeoDataFrame({"WADMKC": kec_names[: len(kec_geoms)]}, geometry=kec_geoms, crs=CRS)
    kel_geoms = _voronoi(city, 14, rng)
    kel_pts = gpd.GeoSeries([g.representative_point() for g in kel_geoms], crs=CRS)
    kel_kec = [kecamatan.loc[kecamatan.contains(p), "WADMKC"].iloc[0] if kecamatan.contains(p).any() else kec_names[0] for p in kel_pts]
    kelurahan = gpd.GeoDataFrame({"WADMKD": [f"Kelurahan {i + 1}" for i in range(len(kel_geoms))], "WADMKC": kel_kec}, geometry=kel_geoms, crs=CRS)

    # zoning: voronoi cells coded by distance from the centre, a river and green patches
    zcells = _voronoi(city, 160, rng)
    river = LineString([(X0 - 100, Y0 + 0.3 * H), (X0 + 0.4 * W, Y0 + 0.45 * H), (X0 + W + 100, Y0 + 0.38 * H)]).buffer(60)
    codes, names = [], []
    for g in zcells:
        c = g.centroid
        d = np.hypot(c.x - cx, c.y - cy) / (W / 2)
        u = rng.uniform()
        if d < 0.18:
            code = "K-1" if u < 0.6 else "KT"
        elif d < 0.35:
            code = ["K-2", "R-1", "SPU-1", "C-1"][int(u * 4)]
        elif d < 0.6:
            code = ["R-2", "R-3", "SPU-2", "RTH-2", "K-3"][int(u * 5)]
        elif d < 0.85:
            code = ["R-3", "R-4", "RTH-7", "SPU-3", "KPI"][int(u * 5)]
        else:
            code = ["R-4", "RTH-1", "PS", "ZX-9"][int(u * 4)]
        codes.append(code)
        names.append(None)
    zones = gpd.GeoDataFrame({"zone_code": codes, "NAMSZN": names}, geometry=zcells, crs=CRS)
    zones["geometry"] = zones.geometry.difference(river)
    water = gpd.GeoDataFrame({"zone_code": ["BA"], "NAMSZN": ["Badan air"]}, geometry=[river.intersection(city)], crs=CRS)
    zoning = pd.concat([zones, water], ignore_index=True)
    zoning["KODSZN"] = zoning["zone_code"]
    zoning = gpd.GeoDataFrame(zoning, geometry="geometry", crs=CRS)

    # programs
    rows, geoms = [], []
    for i in range(n_programs):
        kind = rng.choice(["point", "line", "polygon"], p=[0.5, 0.3, 0.2])
        while True:
            p = Point(rng.uniform(X0 + 300, X0 + W - 300), rng.uniform(Y0 + 300, Y0 + H - 300))
            if city.buffer(-300).contains(p):
                break
        if kind == "point":
            g = p
        elif kind == "line":
            ang = rng.uniform(0, np.pi)
            length = rng.uniform(300, 1500)
            g = LineString([(p.x, p.y), (p.x + length * np.cos(ang), p.y + length * np.sin(ang))]).intersection(city)
        else:
            g = p.buffer(rng.uniform(60, 200), quad_segs=4)
        opd = OPDS[int(rng.integers(0, len(OPDS)))]
        status = rng.choice(STATUSES, p=[0.5, 0.25, 0.1, 0.15])
        pagu = float(rng.integers(2, 400)) * 25_000_000
        rows.append(
            {
                "program_id": f"P{i + 1:03d}",
                "opd": opd,
                "tahun": 2025,
                "kegiatan": ["Pembangunan jalan", "Drainase", "Puskesmas", "Sekolah", "Rumah layak huni"][i % 5],
                "pagu": pagu,
                "status": status,
                "itbx": {"sesuai": "I", "sesuai_bersyarat": "T", "tidak_sesuai": "X", "perlu_kajian": None}[status],
                "score": {"sesuai": 100.0, "sesuai_bersyarat": 75.0, "tidak_sesuai": 0.0, "perlu_kajian": np.nan}[status],
                "dominant_zone": codes[i % len(codes)],
                "keterangan": f"Zona {codes[i % len(codes)]} (100%)",
                "status_sinkron": "inkonsisten" if status == "tidak_sesuai" else rng.choice(["sinkron", "tidak_terindikasi"], p=[0.6, 0.4]),
                "ipu_id": f"IPU{(i % 30) + 1:02d}" if rng.uniform() < 0.6 else None,
            }
        )
        geoms.append(g)
    rencana = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)
    # one program without geometry: must not break maps
    rencana.loc[len(rencana)] = {**rows[0], "program_id": "P999", "geometry": None}
    rencana = gpd.GeoDataFrame(rencana, geometry="geometry", crs=CRS)

    ipu_rows, ipu_geoms = [], []
    for i in range(30):
        p = Point(rng.uniform(X0 + 500, X0 + W - 500), rng.uniform(Y0 + 500, Y0 + H - 500))
        g = p if i % 3 else LineString([(p.x, p.y), (p.x + 800, p.y + 300)])
        ipu_rows.append(
            {
                "ipu_id": f"IPU{i + 1:02d}",
                "program": f"Program {i + 1}",
                "kegiatan": "Pembangunan jalan",
                "instansi": OPDS[i % 4],
                "tahun_mulai": 2025,
                "tahun_akhir": 2029,
                "status_sinkron": ["sinkron", "diskontinu", "diskoneksi", "belum_jadwal", "diskoneksi"][i % 5],
                "realized_by": "P001" if i % 5 == 0 else None,
            }
        )
        ipu_geoms.append(g)
    ipu = gpd.GeoDataFrame(ipu_rows, geometry=ipu_geoms, crs=CRS)

    kp = gpd.GeoDataFrame(
        {"nama": ["Kawasan Pusat Kota", "Kawasan Pesisir Utara"], "jenis": ["strategis", "prioritas"]},
        geometry=[Point(cx, cy).buffer(1200, quad_segs=8), shapely.box(X0 + 0.55 * W, Y0 + 0.72 * H, X0 + 0.9 * W, Y0 + 0.92 * H).intersection(city)],
        crs=CRS,
    )
    pts = rencana.geometry.dropna()
    pts = pts[~pts.is_empty].representative_point().to_numpy()
    syn_geoms, jenis = [], []
    npairs = min(16, len(pts) - 1) // 2 * 2
    for i in range(0, npairs, 2):
        syn_geoms.append(LineString([pts[i], pts[i + 1]]))
        jenis.append("sinergi" if i % 4 else "konflik")
    sinergi = gpd.GeoDataFrame({"jenis": jenis, "program_a": [f"P{i + 1:03d}" for i in range(0, npairs, 2)], "program_b": [f"P{i + 2:03d}" for i in range(0, npairs, 2)]}, geometry=syn_geoms, crs=CRS)
    roads = gpd.GeoDataFrame(
        {"JNSRSR": ["Jalan arteri", "Jalan kolektor"], "STSJRN": ["eksisting", "rencana"]},
        geometry=[LineString([(X0, cy), (X0 + W, cy + 300)]), LineString([(cx, Y0), (cx - 400, Y0 + H)])],
        crs=CRS,
    )
    roads["geometry"] = roads.geometry.intersection(city)
    return {
        "zoning": zoning,
        "rencana": rencana,
        "indikasi_program": ipu,
        "kecamatan": kecamatan,
        "kelurahan": kelurahan,
        "kawasan_prioritas": kp,
        "sinergi": sinergi,
        "struktur_ruang": roads,
    }


def sample_album_layers(year: int = 2025) -> tuple[object, dict[str, object]]:
    """The bundled sample's result for ``year`` and the layers ``sppr sync`` hands to the album
    (one definition for the album tests' module fixtures)."""
    from pathlib import Path

    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs
    from sppr_gis.run import run_year

    cfg = load_config(Path(__file__).resolve().parents[1] / "data" / "sample" / "sppr.toml")
    inputs = load_inputs(cfg)
    res = run_year(inputs, year)
    layers = {
        "zoning": inputs.zones_raw,
        "rencana": res.rencana,
        "indikasi_program": res.ipu,
        "kecamatan": inputs.admin.kecamatan,
        "kelurahan": inputs.admin.kelurahan,
        "kawasan_prioritas": inputs.kawasan_prioritas,
        "sinergi": res.sinergi,
        "struktur_ruang": inputs.struktur_ruang,
        "saran_relokasi": res.check.extra_layers.get("saran_relokasi"),
    }
    return res, layers


#: The 30 kecamatan of Kota Bandung (names as in cahyadsn/wilayah_boundaries): real lengths, up to 17 characters;
#: constructed cities of the album tests carry them.
BANDUNG_KEC = [
    "Sukasari", "Coblong", "Babakan Ciparay", "Bojongloa Kaler", "Andir", "Cicendo", "Sukajadi", "Cidadap",
    "Bandung Wetan", "Astanaanyar", "Regol", "Batununggal", "Lengkong", "Cibeunying Kidul", "Bandung Kulon",
    "Kiaracondong", "Bojongloa Kidul", "Cibeunying Kaler", "Sumur Bandung", "Antapani", "Bandung Kidul",
    "Buahbatu", "Rancasari", "Arcamanik", "Cibiru", "Ujungberung", "Gedebage", "Panyileukan", "Cinambo",
    "Mandalajati",
]


#: The realistic [album] of issue 19's review: a two-line instansi and a four-line penandatangan.
REALISTIC_OFFICE = "Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
REALISTIC_SIGNATORY = "Kepala Bappeda Kota Contoh\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001"


def realistic_album(layers: dict[str, object], paper: str = "A3", dpi: int = 100, logo: object = None) -> object:
    """The sample's album pages builder (``maps.album._Album``) configured as an agency would (two-line office,
    four-line signatory, optionally a logo) on ``paper``."""
    from sppr_gis.maps import album as album_mod

    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=dpi, paper=paper,
                            office=REALISTIC_OFFICE, signatory=REALISTIC_SIGNATORY, logo=logo)
