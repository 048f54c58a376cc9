"""A realistic ``sppr sync`` configuration for Kota Bandung on real public data (issue 19, "Done when").

Builds, into ``--out`` (default ``benchmarks/_work/real-album``, git-ignored), a city configuration the
Album Peta and the Buku Matriks can be reviewed on at a real city's size and shapes:

Sources (public GitHub repositories, fetched with the session's ``fetch`` tool as bare git directories):

- **Zoning**: the RTRW Provinsi Jawa Barat *pola ruang* (RTRWP Jawa Barat) clipped to Kota Bandung, from
  ``hanggeraqiimmohpandego-sys/WebGIS_KKPR_Jabar`` at commit ``91be882ebaa573e22e43212693a0ededa39b2347``,
  read through the workload ``benchmarks/real_workload.py`` writes (``real-jabar/zoning.geojson``, field
  ``KABKOT`` = ``Kota Bandung``; zone field ``NAMOBJ``; EPSG:4326). **No licence stated**: nothing of
  it is committed; the data stay in ``benchmarks/_work/``.
- **KKPR permits**: the real KKPR polygons of that repository (``real-jabar/programs.geojson``) that
  intersect the city (9 of 235), as rows of a rencana table (``rencana_kkpr.geojson``: OPD the issuing
  office's one-stop service, kegiatan the KBLI group, no pagu; ``tahun`` the run year, the permit's own
  date kept in ``tanggal_kkpr``). Same (absent) licence.
- **Administrative boundaries**: kecamatan and kelurahan of Kota Bandung (BPS/Kemendagri code ``32.73``)
  from ``cahyadsn/wilayah_boundaries`` at commit ``3c5a7960f4d227a38489094d84252bdbb3f978a5``, **MIT
  licence** (``LICENSE``: Copyright (c) 2024 Cahya DSN): ``db/kec/wilayah_boundaries_kec_32.sql`` and
  ``db/kel/32/wilayah_boundaries_kel_32.73.sql``, MySQL ``INSERT`` rows ``(kode, nama, lat, lng, path)``
  whose ``path`` is JSON text of rings of ``[lat, lng]`` pairs (latitude first). Each ring becomes a
  polygon; the rings are combined even-odd (a ring inside another is a hole, a separate ring another
  part). The kecamatan written are the union of their kelurahan (code prefix), not the kec file's own
  polygons, which are coarser (union 150.5 km2 against 166.6 km2, overlapping): the kec file gives the names.
- **ITBX**: ``itbx.csv`` of the real-jabar workload (13 KBLI groups x 14 ``NAMOBJ`` classes, drawn up for
  that benchmark by simple rules, **not** the Perda's matrix) plus rows for the OPD activities of the
  generated programs, drawn up here (``OPD_ITBX``), also not the Perda's.
- **Generated** (``GEN`` in every generated id; seed ``SEED``): the OPD programs of 2023-2025
  (``rencana_<opd>.geojson``/``.csv``, shaped as the sample's rencana tables: program_id, tahun, opd,
  kode, kegiatan, nama_kegiatan, pagu, sumber_dana, volume, satuan, target, realisasi, lokasi), placed at
  random inside the real kelurahan of Kota Bandung; the indikasi program (``ipu.geojson``: 40 IPU, some
  located only by a kelurahan name), some of which the programs realize.

Deterministic: same mirrors, same bytes (GeoJSON and CSV written by ``json``/``csv``, coordinates
rounded to 1e-7 degrees). The boundaries are read at the pinned commit (``git show COMMIT:path``);
the real-jabar files are checked against their git blob ids by ``real_workload.py``.

Usage::

    python benchmarks/real_workload.py            # once: benchmarks/_work/real-jabar
    python benchmarks/real_album.py               # benchmarks/_work/real-album
    sppr sync --config benchmarks/_work/real-album/sppr.toml --year 2025 --out /tmp/real-album-a3
    sppr sync --config benchmarks/_work/real-album/sppr_a4.toml --year 2025 --out /tmp/real-album-a4
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, mapping, shape

HERE = Path(__file__).resolve().parent
WB_REPO = "cahyadsn/wilayah_boundaries"
WB_COMMIT = "3c5a7960f4d227a38489094d84252bdbb3f978a5"
DEFAULT_WB = Path("/work/.mirror/cahyadsn+wilayah_boundaries/repo")
DEFAULT_JABAR = HERE / "_work" / "real-jabar"
DEFAULT_OUT = HERE / "_work" / "real-album"
CITY = "Kota Bandung"
CITY_CODE = "32.73"
KEC_FILE = "db/kec/wilayah_boundaries_kec_32.sql"
KEL_FILE = f"db/kel/32/wilayah_boundaries_kel_{CITY_CODE}.sql"
SEED = 20251207
YEARS = (2023, 2024, 2025)
METRIC = "EPSG:32748"                     # UTM 48S: Bandung lies at 107.6 E, 6.9 S
_TO_M = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
_TO_WGS = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


def TO_M(g):
    return shapely.transform(g, lambda xy: np.column_stack(_TO_M.transform(xy[:, 0], xy[:, 1])))


def TO_WGS(g):
    return shapely.transform(g, lambda xy: np.column_stack(_TO_WGS.transform(xy[:, 0], xy[:, 1])))

OPD = {
    "PUPR": "Dinas Sumber Daya Air dan Bina Marga",
    "PERKIM": "Dinas Perumahan dan Kawasan Permukiman, Pertanahan dan Pertamanan",
    "DINKES": "Dinas Kesehatan",
    "DISDIK": "Dinas Pendidikan",
    "DLH": "Dinas Lingkungan Hidup",
    "DISHUB": "Dinas Perhubungan",
}
KKPR_OPD = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
# kegiatan: (SIPD sub-kegiatan code, geometry kind, pagu range in million Rupiah, name stem, satuan)
KEGIATAN = {
    "pembangunan_jalan": ("1.03.10.2.01.0053", "line", (1500, 25000), "Pembangunan Jalan", "km"),
    "pemeliharaan_jalan": ("1.03.10.2.01.0056", "line", (400, 6000), "Pemeliharaan Berkala Jalan", "km"),
    "pembangunan_drainase": ("1.03.06.2.01.0012", "line", (500, 8000), "Pembangunan Drainase Lingkungan", "m"),
    "jaringan_air_minum": ("1.03.03.2.01.0009", "line", (500, 6000), "Perluasan Jaringan SPAM", "SR"),
    "ipal_komunal": ("1.03.05.2.01.0017", "point", (300, 2000), "Pembangunan IPAL Komunal", "unit"),
    "perumahan": ("1.04.02.2.01.0008", "polygon", (500, 5000), "Peningkatan Kualitas Permukiman Kumuh", "ha"),
    "ruang_terbuka_hijau": ("1.04.05.2.01.0002", "polygon", (200, 2500), "Penyediaan RTH Publik", "unit"),
    "puskesmas": ("1.02.02.2.01.0004", "point", (1000, 8000), "Rehabilitasi Puskesmas", "unit"),
    "pembangunan_sekolah": ("1.01.02.2.01.0009", "point", (800, 5000), "Pembangunan Ruang Kelas Baru SD", "unit"),
    "taman_kota": ("2.11.05.2.01.0003", "polygon", (300, 3000), "Penataan Taman Kota", "unit"),
    "tps3r": ("2.11.11.2.01.0005", "point", (250, 1500), "Pembangunan TPS3R", "unit"),
    "penerangan_jalan": ("2.15.02.2.02.0011", "line", (200, 2000), "Pemasangan Penerangan Jalan Umum", "titik"),
    "halte": ("2.15.02.2.02.0016", "point", (150, 800), "Pembangunan Halte", "unit"),
}
OPD_MIX = {  # OPD: (programs per year, file kind, [(kegiatan, weight)])
    "PUPR": (45, "geojson", [("pembangunan_jalan", 5), ("pemeliharaan_jalan", 5), ("pembangunan_drainase", 5),
                             ("jaringan_air_minum", 2)]),
    "PERKIM": (30, "geojson", [("perumahan", 4), ("ipal_komunal", 2), ("ruang_terbuka_hijau", 2)]),
    "DINKES": (12, "csv", [("puskesmas", 1)]),
    "DISDIK": (18, "csv", [("pembangunan_sekolah", 1)]),
    "DLH": (16, "geojson", [("taman_kota", 3), ("ruang_terbuka_hijau", 2), ("tps3r", 2)]),
    "DISHUB": (14, "geojson", [("penerangan_jalan", 3), ("halte", 2)]),
}
# ITBX rows drawn up here for the OPD activities over the 14 NAMOBJ classes (order of real-jabar's itbx.csv):
# I = permitted, T = limited, B = conditional, X = not permitted. Not the Perda's matrix.
OPD_ITBX = {  # kegiatan: {class: code}; classes not named are "I"
    "pembangunan_jalan": {"Badan Air": "T", "Kawasan Konservasi": "X", "Kawasan Hutan Produksi": "B",
                          "Kawasan yang Memberikan Perlindungan terhadap Kawasan Bawahannya": "B"},
    "pemeliharaan_jalan": {"Badan Air": "T", "Kawasan Konservasi": "T"},
    "pembangunan_drainase": {"Kawasan Konservasi": "T"},
    "jaringan_air_minum": {"Kawasan Konservasi": "T"},
    "ipal_komunal": {"Badan Air": "X", "Kawasan Konservasi": "X", "Kawasan Pertanian": "B"},
    "perumahan": {"Badan Air": "X", "Kawasan Konservasi": "X", "Kawasan Pertanian": "X",
                  "Kawasan Perlindungan Setempat": "X", "Kawasan Pertahanan dan Keamanan": "X",
                  "Kawasan Peruntukan Industri": "T", "Kawasan Hutan Produksi": "X",
                  "Kawasan yang Memberikan Perlindungan terhadap Kawasan Bawahannya": "X"},
    "ruang_terbuka_hijau": {},
    "puskesmas": {"Badan Air": "X", "Kawasan Konservasi": "X", "Kawasan Pertanian": "T",
                  "Kawasan Pertahanan dan Keamanan": "B", "Kawasan Peruntukan Industri": "T"},
    "pembangunan_sekolah": {"Badan Air": "X", "Kawasan Konservasi": "X", "Kawasan Pertanian": "T",
                            "Kawasan Pertahanan dan Keamanan": "B", "Kawasan Peruntukan Industri": "X"},
    "taman_kota": {"Badan Air": "T"},
    "tps3r": {"Badan Air": "X", "Kawasan Konservasi": "X", "Kawasan Permukiman": "B"},
    "penerangan_jalan": {"Badan Air": "T"},
    "halte": {"Badan Air": "X", "Kawasan Konservasi": "X"},
}
SUMBER_DANA = ["APBD", "APBD", "APBD", "DAK", "APBN", "Bantuan Keuangan Provinsi"]


def git_show(gitdir: Path, path: str) -> bytes:
    """The bytes of ``path`` at the pinned commit; refuse another commit."""
    return subprocess.run(["git", f"--git-dir={gitdir}", "show", f"{WB_COMMIT}:{path}"],
                          check=True, capture_output=True).stdout


def parse_rows(sql: str, prefix: str, kode_len: int) -> list[tuple[str, str, object]]:
    """The ``(kode, nama, geometry)`` rows of a wilayah_boundaries SQL dump whose kode starts with ``prefix``."""
    rows = []
    for m in re.finditer(r"\('([0-9.]+)','((?:[^'\\]|\\.|'')*)',(-?[0-9.]+),(-?[0-9.]+),'(\[[^']*\])'\)", sql):
        kode, nama, path = m.group(1), m.group(2).replace("''", "'").replace("\\'", "'"), m.group(5)
        if not kode.startswith(prefix) or len(kode) != kode_len:
            continue
        rings = json.loads(path)
        geom = None
        for ring in rings:                           # even-odd: holes and separate parts alike
            poly = shapely.make_valid(Polygon([(lng, lat) for lat, lng in ring]))
            geom = poly if geom is None else geom.symmetric_difference(poly)
        rows.append((kode, nama, geom))
    return rows


def rnd(geom):
    """Coordinates rounded to 1e-7 degree (about 1 cm): the files' bytes do not depend on float noise."""
    return shapely.set_precision(geom, 1e-7) if geom.geom_type != "Point" else Point(round(geom.x, 7), round(geom.y, 7))


def write_geojson(path: Path, feats: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
          "features": [{"type": "Feature", "properties": f["properties"], "geometry": None if f["geometry"] is None else mapping(f["geometry"])} for f in feats]}
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def random_point_in(poly_m, rng) -> Point:
    minx, miny, maxx, maxy = poly_m.bounds
    inner = poly_m.buffer(-30) if poly_m.buffer(-30).area > 0 else poly_m
    for _ in range(1000):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inner.contains(p):
            return p
    return poly_m.representative_point()


def make_geom(kind: str, poly_m, rng):
    """A program's geometry (metric) inside one kelurahan: a point, a street segment or a small parcel."""
    p = random_point_in(poly_m, rng)
    if kind == "point":
        return p
    if kind == "line":
        n = int(rng.integers(3, 6))
        pts = [p]
        ang = rng.uniform(0, 2 * np.pi)
        for _ in range(n):
            ang += rng.normal(0, 0.35)
            step = rng.uniform(80, 220)
            pts.append(Point(pts[-1].x + step * np.cos(ang), pts[-1].y + step * np.sin(ang)))
        line = LineString(pts).intersection(poly_m)
        return line if (line.geom_type == "LineString" and line.length > 50) else LineString([p, Point(p.x + 60, p.y)])
    w, h = rng.uniform(40, 160), rng.uniform(40, 140)
    return shapely.affinity.rotate(shapely.box(p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2), rng.uniform(0, 90))


def build(jabar: Path, wb: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    # ---- zoning: the city's features as published (KABKOT, NAMOBJ and the geometry)
    zfc = json.loads((jabar / "zoning.geojson").read_text(encoding="utf-8"))
    zfeats = [f for f in zfc["features"] if f["properties"].get("KABKOT") == CITY]
    if not zfeats:
        raise SystemExit(f"{jabar / 'zoning.geojson'}: no feature with KABKOT = {CITY!r}: run benchmarks/real_workload.py")
    zfc_out = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i + 1, "properties": {"NAMOBJ": f["properties"]["NAMOBJ"], "KABKOT": CITY},
         "geometry": f["geometry"]} for i, f in enumerate(zfeats)]}
    (out / "zoning.geojson").write_text(json.dumps(zfc_out, separators=(",", ":")) + "\n", encoding="utf-8")
    zones = [(f["properties"]["NAMOBJ"], shapely.make_valid(shape({"type": f["geometry"]["type"],
              "coordinates": _xy(f["geometry"]["coordinates"])}))) for f in zfeats]
    city = shapely.union_all([g for _, g in zones])
    # ---- administrative boundaries (MIT)
    kec_rows = parse_rows(git_show(wb, KEC_FILE).decode("utf-8"), CITY_CODE + ".", 8)
    kel_rows = parse_rows(git_show(wb, KEL_FILE).decode("utf-8"), CITY_CODE + ".", 13)
    kec_name = {k: n for k, n, _ in kec_rows}
    # the kecamatan as the union of their kelurahan: the file's own kecamatan polygons are coarser (their union
    # is 150.5 km2, the kelurahan's 166.6 km2, and they overlap), so that points inside a kelurahan fell outside
    # every kecamatan; slivers between kelurahan (under 1e-6 degree, about 0.1 m) closed
    kec_geom = {k: shapely.union_all([g for kk, _, g in kel_rows if kk[:8] == k]).buffer(1e-6, join_style="mitre").buffer(-1e-6, join_style="mitre")
                for k, _, _ in kec_rows}
    write_geojson(out / "kecamatan.geojson", [
        {"properties": {"kode": k, "WADMKC": n, "WADMKK": CITY, "WADMPR": "Jawa Barat"}, "geometry": rnd(kec_geom[k])}
        for k, n, _ in kec_rows])
    write_geojson(out / "kelurahan.geojson", [
        {"properties": {"kode": k, "WADMKD": n, "WADMKC": kec_name[k[:8]], "WADMKK": CITY, "WADMPR": "Jawa Barat"},
         "geometry": rnd(g)} for k, n, g in kel_rows])
    kel = [(n, kec_name[k[:8]], TO_M(g)) for k, n, g in kel_rows]
    # ---- ITBX: real-jabar's KBLI rows + the OPD rows drawn up here
    with open(jabar / "itbx.csv", encoding="utf-8", newline="") as fh:
        itbx = list(csv.reader(fh))
    classes = itbx[0][2:]
    rows = itbx[1:] + [["Program OPD", keg] + [OPD_ITBX[keg].get(c, "I") for c in classes] for keg in KEGIATAN]
    with open(out / "itbx.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([itbx[0], *rows])
    with open(out / "kode_kegiatan.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([["kode", "activity"], *[[v[0], k] for k, v in KEGIATAN.items()]])
    # ---- KKPR permits in the city (real), as a rencana table
    pfc = json.loads((jabar / "programs.geojson").read_text(encoding="utf-8"))
    kk = []
    for f in pfc["features"]:
        g = shapely.make_valid(shape({"type": f["geometry"]["type"], "coordinates": _xy(f["geometry"]["coordinates"])}))
        if not g.intersects(city):
            continue
        p = f["properties"]
        kk.append({"properties": {
            "program_id": p["program_id"], "tahun": YEARS[-1], "opd": KKPR_OPD, "kode": "", "kegiatan": p["kegiatan"],
            "nama_kegiatan": f"KKPR {p['Nama_Usaha']}".strip()[:120], "pagu": None, "sumber_dana": "Swasta",
            "lokasi": f"Kel. {p['Desa_Kel']}, Kec. {p['Kec']}", "no_kkpr": p.get("No_KKPR"),
            "tanggal_kkpr": p.get("Tagl_Terbi"), "kbli": p.get("KO_KBLI")}, "geometry": rnd(g)})
    write_geojson(out / "rencana_kkpr.geojson", kk)
    # ---- IPU (generated): 40, of which 12 located only by a kelurahan name
    kel_order = sorted(range(len(kel)), key=lambda i: kel[i][0])
    ipus, ipu_geoms = [], []
    opd_list = list(OPD_MIX)
    for n in range(1, 41):
        opd = opd_list[(n - 1) % len(opd_list)]
        keg = _pick(OPD_MIX[opd][2], rng)
        code, kind, _, stem, _ = KEGIATAN[keg]
        ki = kel_order[int(rng.integers(len(kel)))]
        kname, kcname, kpoly = kel[ki]
        start = int(rng.choice([2022, 2023, 2024, 2025]))
        end = start + int(rng.choice([2, 3, 4]))
        geom_m = make_geom(kind, kpoly, rng) if n % 10 not in (3, 6, 9) and n != 40 else None
        ipus.append({"properties": {"ipu_id": f"IPU-GEN-{n:03d}", "program": f"{stem} Kel. {kname}", "kegiatan": keg,
                                    "instansi": OPD[opd], "sumber_dana": SUMBER_DANA[n % len(SUMBER_DANA)],
                                    "tahun_mulai": start, "tahun_akhir": end, "lokasi": f"Kel. {kname}, Kec. {kcname}"},
                     "geometry": None if geom_m is None else rnd(TO_WGS(geom_m))})
        ipu_geoms.append((keg, start, end, opd, kname, kcname, geom_m))
    write_geojson(out / "ipu.geojson", ipus)
    # the classes other than settlement, each part of 2 ha or more (metric), where some programs are put
    other = [g for n, z in zones if n != "Kawasan Permukiman" for g in shapely.get_parts(TO_M(z)) if g.area >= 20_000]
    # ---- OPD programs (generated), some realizing an IPU (same kegiatan, near its geometry, in its period)
    count = {"kkpr": len(kk)}
    for opd, (per_year, fmt, mix) in OPD_MIX.items():
        recs = []
        for year in YEARS:
            for i in range(1, per_year + 1):
                linked = [q for q in ipu_geoms if q[3] == opd and q[6] is not None and q[1] <= year <= q[2]]
                if linked and rng.random() < 0.35:
                    keg, _, _, _, kname, kcname, g = linked[int(rng.integers(len(linked)))]
                    geom_m = g if g.geom_type != "Polygon" else g.buffer(-5)
                else:
                    keg = _pick(mix, rng)
                    kname, kcname, kpoly = kel[kel_order[int(rng.integers(len(kel)))]]
                    if rng.random() < 0.12:              # some in the other classes (conservation, farmland, ...)
                        zpoly = other[int(rng.integers(len(other)))]
                        at = random_point_in(zpoly, rng)
                        hit = [k for k in kel_order if kel[k][2].contains(at)]
                        if hit:
                            kname, kcname, kp = kel[hit[0]]
                            kpoly = kp.intersection(zpoly).buffer(0)
                    geom_m = make_geom(KEGIATAN[keg][1], kpoly, rng)
                code, kind, (lo, hi), stem, satuan = KEGIATAN[keg]
                pagu = int(rng.integers(lo, hi)) * 1_000_000
                target = round(geom_m.length / 1000, 2) if satuan == "km" else round(geom_m.length) if satuan == "m" else 1
                real = round(target * float(rng.uniform(0.4, 1.0)), 2) if year < YEARS[-1] else None
                recs.append({"properties": {
                    "program_id": f"{opd}-GEN-{year}-{i:03d}", "tahun": year, "opd": OPD[opd], "kode": code,
                    "kegiatan": keg, "nama_kegiatan": f"{stem} Kel. {kname}", "pagu": pagu,
                    "sumber_dana": SUMBER_DANA[int(rng.integers(len(SUMBER_DANA)))], "volume": target, "satuan": satuan,
                    "target": target, "realisasi": real, "lokasi": f"Kel. {kname}, Kec. {kcname}"},
                    "geometry": rnd(TO_WGS(geom_m))})
        count[opd] = len(recs)
        path = out / f"rencana_{opd.lower()}.{fmt}"
        if fmt == "geojson":
            write_geojson(path, recs)
        else:                                        # points as longitude/latitude columns, like an SIPD export
            cols = list(recs[0]["properties"]) + ["longitude", "latitude"]
            with open(path, "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(cols)
                for r in recs:
                    g = r["geometry"]
                    w.writerow([("" if v is None else v) for v in r["properties"].values()] + [f"{g.x:.7f}", f"{g.y:.7f}"])
    for paper, name in (("A3", "sppr.toml"), ("A4", "sppr_a4.toml")):
        (out / name).write_text(config(paper), encoding="utf-8")
    _draw_logo(out / "logo.png")  # the agency's logo the [album] names (a shield with a pin drawn here)
    summary = {"city": CITY, "zones": len(zfeats), "classes": sorted({n for n, _ in zones}), "kecamatan": len(kec_rows),
               "kelurahan": len(kel_rows), "ipu": len(ipus), "programs": count,
               "programs_2025": count["kkpr"] + sum(v[0] for v in OPD_MIX.values()),
               "sources": {"wilayah_boundaries": [WB_REPO, WB_COMMIT, "MIT"],
                           "rtrwp_jabar_and_kkpr": ["hanggeraqiimmohpandego-sys/WebGIS_KKPR_Jabar",
                                                    "91be882ebaa573e22e43212693a0ededa39b2347", "none stated"]}}
    (out / "workload.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary


def _xy(coords):
    """Esri's ``[lon, lat, 0, null]`` positions to ``[lon, lat]``."""
    if coords and isinstance(coords[0], (int, float)):
        return coords[:2]
    return [_xy(c) for c in coords]


def _pick(mix, rng):
    keys, w = zip(*mix)
    w = np.asarray(w, dtype=float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def config(paper: str) -> str:
    """The sync config (paths relative to it) with a realistic ``[album]``."""
    return f'''# SPPR run for Kota Bandung on real public data (benchmarks/real_album.py; not committed: no licence
# for the zoning and KKPR data). Generated programs and IPU carry "GEN" in their ids.
# sppr sync --config sppr{"" if paper == "A3" else "_a4"}.toml --year 2025

[project]
name = "Kota Bandung"
title = "Sinkronisasi Program Pemanfaatan Ruang Kota Bandung"

[inputs]
zoning = "zoning.geojson"
rules = "itbx.csv"
code_map = "kode_kegiatan.csv"
indikasi_program = "ipu.geojson"
rencana = [
    "rencana_pupr.geojson",
    "rencana_perkim.geojson",
    "rencana_dinkes.csv",
    "rencana_disdik.csv",
    "rencana_dlh.geojson",
    "rencana_dishub.geojson",
    "rencana_kkpr.geojson",
]
kecamatan = "kecamatan.geojson"
kelurahan = "kelurahan.geojson"

[fields]
zone = "NAMOBJ"
activity = "kegiatan"

[parameters]
min_share = 0.01
match_distance = 50
synergy_distance = 100
medium_term_start = 2023

[album]
instansi = "Pemerintah Kota Bandung\\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
penandatangan = "Kepala Bappelitbang Kota Bandung\\n\\nNama Penandatangan, S.T., M.T.\\nNIP 19700101 199503 1 001"
tempat = "Bandung"
tanggal = "7 Desember 2026"
logo = "logo.png"
paper = "{paper}"
kata_pengantar = """
Album Peta ini melengkapi Buku Matriks Sinkronisasi Program Pemanfaatan Ruang (SPPR) Kota Bandung.
Pola ruangnya adalah RTRW Provinsi Jawa Barat yang dipotong pada batas Kota Bandung; batas administrasi
dari wilayah_boundaries (lisensi MIT). Program OPD dan indikasi program adalah data bangkitan (uji).
"""

[album.sumber]
zoning = "Pola ruang RTRW Provinsi Jawa Barat, dipotong Kota Bandung (repositori GitHub hanggeraqiimmohpandego-sys/WebGIS_KKPR_Jabar, 91be882)"
rencana = "KKPR (repositori WebGIS_KKPR_Jabar) dan program OPD bangkitan (uji), 2023-2025"
indikasi_program = "Indikasi program bangkitan (uji)"
kecamatan = "cahyadsn/wilayah_boundaries (MIT), 3c5a796"
kelurahan = "cahyadsn/wilayah_boundaries (MIT), 3c5a796"
'''


def _draw_logo(path: Path) -> None:
    """A stand-in logo (a shield with a pin), so that the configuration runs as written."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Polygon

    fig = Figure(figsize=(1.0, 1.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 12)
    ax.set_axis_off()
    ax.add_patch(Polygon([(1, 11), (9, 11), (9, 5), (5, 0.6), (1, 5)], closed=True, fc="#0b5394", ec="#d4a017", lw=3))
    ax.add_patch(Circle((5, 7), 2, fc="#d4a017"))
    fig.savefig(path, metadata={"Software": None})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jabar", type=Path, default=DEFAULT_JABAR, help="the real-jabar workload (real_workload.py)")
    ap.add_argument("--boundaries", type=Path, default=DEFAULT_WB, help="bare git dir of cahyadsn/wilayah_boundaries")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    print(json.dumps(build(a.jabar, a.boundaries, a.out), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
