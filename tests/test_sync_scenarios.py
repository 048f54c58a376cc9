"""Synchronization rules on hand-built cases; every expected status is worked out by hand.

Layout: each case sits on its own 1 km stretch of the x axis (local metres, shifted into
UTM 48N by ``conftest.gdf``), so cases cannot interfere. match_distance is 50 m.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import gdf
from shapely import LineString, Point, box

from sppr_gis.sync import (
    AdminAreas,
    ipu_status,
    match_programs,
    rencana_status,
    synchronize,
)

Y = 2025


def ipu_row(qid, keg, start, end, geom):
    return {"ipu_id": qid, "kegiatan": keg, "tahun_mulai": start, "tahun_akhir": end, "geometry": geom}


def prog(pid, keg, year, geom, status="sesuai", pagu=1.0):
    return {"program_id": pid, "kegiatan": keg, "tahun": year, "status": status, "pagu": pagu, "geometry": geom}


@pytest.fixture
def case():
    ipu = gdf(
        [
            ipu_row("Q1", "jalan", 2024, 2026, Point(0, 0)),  # P1 49.9 m away -> sinkron
            ipu_row("Q2", "jalan", 2024, 2026, Point(1000, 0)),  # P2 50.1 m away -> diskoneksi
            ipu_row("Q3", "drainase", 2023, 2027, Point(2000, 0)),  # realized 2023 only -> diskontinu
            ipu_row("Q4", "drainase", 2021, 2024, Point(3000, 0)),  # period over -> belum_jadwal
            ipu_row("Q5", "jalan", 2026, 2030, Point(4000, 0)),  # period not started -> belum_jadwal
            ipu_row("Q6", "taman", 2024, 2026, Point(5000, 0)),  # only a road nearby -> diskoneksi
            ipu_row("Q7", "jalan", 2025, 2025, Point(6000, 0)),  # realized by an X-cell program -> sinkron
            ipu_row("Q8", "Pembangunan  Jalan", 2025, 2026, Point(7000, 0)),  # activity spelled differently
            ipu_row("Q9", "jalan", 2024, 2026, LineString([(8000, 0), (8100, 0)])),  # line vs point 49.9 m
            ipu_row("Q10", "jalan", 2024, 2026, None),  # no geometry -> diskoneksi
            ipu_row("Q11", "jalan", 2025, 2026, Point(10000, 0)),  # realized by two programs
            ipu_row("Q12a", "jalan", 2025, 2026, Point(11000, 0)),  # one program realizes Q12a and Q12b
            ipu_row("Q12b", "jalan", 2025, 2026, Point(11000, 30)),
            ipu_row("Q13", "jalan", 2023, 2027, Point(12000, 0)),  # realized 2023 and 2025 -> sinkron
            ipu_row("Q14", "jalan", 2025, 2027, Point(13000, 0)),  # realized 2024, before its period -> diskoneksi
            ipu_row("Q15", "jalan", 2024, 2026, Point(14000, 0)),  # exactly 50.0 m -> sinkron
            ipu_row("Q16", "taman", 2024, 2026, box(15000, 0, 15100, 100)),  # polygon; program inside
        ]
    )
    ren = gdf(
        [
            prog("P1", "jalan", 2025, Point(49.9, 0), pagu=100.0),
            prog("P2", "jalan", 2025, Point(1050.1, 0)),
            prog("P3", "drainase", 2023, Point(2000, 10)),
            prog("P4", "drainase", 2023, Point(3000, 0)),
            prog("P5", "jalan", 2025, Point(4000, 0)),
            prog("P6", "jalan", 2025, Point(5000, 0)),
            prog("P7", "jalan", 2025, Point(6000, 5), status="tidak_sesuai"),
            prog("P8", "pembangunan_jalan", 2025, Point(7000, 0)),
            prog("P9", "jalan", 2025, Point(8050, 49.9)),
            prog("P10", "jalan", 2025, None),
            prog("P11a", "jalan", 2025, Point(10000, 0), pagu=10.0),
            prog("P11b", "jalan", 2025, Point(10000, 20), pagu=5.0),
            prog("P12", "jalan", 2025, Point(11000, 15)),
            prog("P13a", "jalan", 2023, Point(12000, 0)),
            prog("P13b", "jalan", 2025, Point(12000, 0), status="perlu_kajian"),
            prog("P14", "jalan", 2024, Point(13000, 0)),
            prog("P15", "jalan", 2025, Point(14050, 0)),
            prog("P16", "taman", 2025, Point(15050, 50)),
        ]
    )
    return ipu, ren


EXPECTED_IPU_2025 = {
    "Q1": "sinkron",
    "Q2": "diskoneksi",
    "Q3": "diskontinu",
    "Q4": "belum_jadwal",
    "Q5": "belum_jadwal",
    "Q6": "diskoneksi",
    "Q7": "sinkron",
    "Q8": "sinkron",
    "Q9": "sinkron",
    "Q10": "diskoneksi",
    "Q11": "sinkron",
    "Q12a": "sinkron",
    "Q12b": "sinkron",
    "Q13": "sinkron",
    "Q14": "diskoneksi",
    "Q15": "sinkron",
    "Q16": "sinkron",
}
EXPECTED_PROG_2025 = {
    "P1": ("sinkron", "Q1"),
    "P2": ("tidak_terindikasi", ""),
    "P5": ("tidak_terindikasi", ""),  # 2025 is before Q5's period
    "P6": ("tidak_terindikasi", ""),  # other activity
    "P7": ("inkonsisten", "Q7"),  # X cell wins, but it still realizes Q7
    "P8": ("sinkron", "Q8"),
    "P9": ("sinkron", "Q9"),
    "P10": ("tidak_terindikasi", ""),
    "P11a": ("sinkron", "Q11"),
    "P11b": ("sinkron", "Q11"),
    "P12": ("sinkron", "Q12a; Q12b"),
    "P13b": ("sinkron", "Q13"),  # perlu_kajian is not inkonsisten
    "P15": ("sinkron", "Q15"),
    "P16": ("sinkron", "Q16"),
}


def test_ipu_statuses_2025(case):
    ipu, ren = case
    res = synchronize(ipu, ren, Y)
    got = dict(zip(res.ipu["ipu_id"], res.ipu["status_sinkron"]))
    assert got == EXPECTED_IPU_2025


def test_rencana_statuses_2025(case):
    ipu, ren = case
    res = synchronize(ipu, ren, Y)
    got = {p: (s, i) for p, s, i in zip(res.rencana["program_id"], res.rencana["status_sinkron"], res.rencana["ipu_id"])}
    assert got == EXPECTED_PROG_2025
    # only the programs of 2025, in input order
    assert list(res.rencana["program_id"]) == list(EXPECTED_PROG_2025)


def test_realized_by_and_years(case):
    ipu, ren = case
    res = synchronize(ipu, ren, Y)
    by = res.ipu.set_index("ipu_id")
    assert by.loc["Q11", "realized_by"] == "P11a; P11b"
    assert by.loc["Q11", "jumlah_program"] == 2
    assert by.loc["Q11", "pagu_tahun"] == 15.0
    assert by.loc["Q1", "pagu_tahun"] == 100.0
    assert by.loc["Q3", "realized_by"] == ""  # realized only in 2023
    assert by.loc["Q3", "tahun_terealisasi"] == "2023"
    assert by.loc["Q13", "tahun_terealisasi"] == "2023; 2025"
    assert by.loc["Q4", "tahun_terealisasi"] == "2023"
    assert by.loc["Q14", "tahun_terealisasi"] == ""  # 2024 is outside Q14's period: no match
    assert by.loc["Q12b", "realized_by"] == "P12"


def test_match_distances_and_boundaries(case):
    ipu, ren = case
    m = match_programs(ipu, ren, match_distance=50)
    pairs = {(p, q): d for p, q, d in zip(m["program_id"], m["ipu_id"], m["jarak_m"])}
    assert pairs[("P1", "Q1")] == pytest.approx(49.9)
    assert pairs[("P15", "Q15")] == pytest.approx(50.0)  # inclusive
    assert pairs[("P9", "Q9")] == pytest.approx(49.9)  # to the line, not its vertices
    assert pairs[("P16", "Q16")] == 0.0
    assert ("P2", "Q2") not in pairs
    assert ("P14", "Q14") not in pairs
    assert ("P5", "Q5") not in pairs
    # P3 realizes Q3 in 2023, P4 realizes Q4 in 2023
    assert ("P3", "Q3") in pairs and ("P4", "Q4") in pairs
    assert len(pairs) == 14


def test_smaller_and_larger_match_distance(case):
    ipu, ren = case
    m40 = match_programs(ipu, ren, match_distance=40)
    assert ("P1", "Q1") not in set(zip(m40["program_id"], m40["ipu_id"]))
    m60 = match_programs(ipu, ren, match_distance=60)
    assert ("P2", "Q2") in set(zip(m60["program_id"], m60["ipu_id"]))


def test_status_timeline_of_one_ipu(case):
    ipu, ren = case
    m = match_programs(ipu, ren)
    pos = list(ipu["ipu_id"]).index("Q13")  # 2023-2027, realized 2023 and 2025
    expected = {2022: "belum_jadwal", 2023: "sinkron", 2024: "diskontinu", 2025: "sinkron", 2026: "diskontinu", 2027: "diskontinu", 2028: "belum_jadwal"}
    assert {y: ipu_status(ipu, m, y)[pos] for y in expected} == expected
    pos14 = list(ipu["ipu_id"]).index("Q14")
    assert [ipu_status(ipu, m, y)[pos14] for y in (2024, 2025, 2026)] == ["belum_jadwal", "diskoneksi", "diskoneksi"]


def test_other_year(case):
    ipu, ren = case
    res = synchronize(ipu, ren, 2023)
    got = dict(zip(res.ipu["ipu_id"], res.ipu["status_sinkron"]))
    assert got["Q3"] == "sinkron" and got["Q4"] == "sinkron" and got["Q13"] == "sinkron"
    assert got["Q1"] == "belum_jadwal" and got["Q2"] == "belum_jadwal"
    assert list(res.rencana["program_id"]) == ["P3", "P4", "P13a"]


def test_rencana_status_function():
    got = rencana_status(["tidak_sesuai", "tidak_sesuai", "sesuai", "sesuai_bersyarat", "perlu_kajian", None], [True, False, True, False, True, False])
    assert list(got) == ["inkonsisten", "inkonsisten", "sinkron", "tidak_terindikasi", "sinkron", "tidak_terindikasi"]


def test_conformance_argument_overrides_status_column(case):
    ipu, ren = case
    conf = ["tidak_sesuai"] * len(ren)
    res = synchronize(ipu, ren, Y, conformance=conf)
    assert set(res.rencana["status_sinkron"]) == {"inkonsisten"}


def test_input_columns_of_the_same_name_are_kept_aside(case):
    ipu, ren = case
    ren = ren.assign(ipu_id="declared")
    res = synchronize(ipu, ren, Y)
    assert set(res.rencana["ipu_id_input"]) == {"declared"}
    assert res.rencana.set_index("program_id").loc["P1", "ipu_id"] == "Q1"


def test_different_crs_are_reconciled(case):
    ipu, ren = case
    res = synchronize(ipu, ren.to_crs("EPSG:4326"), Y)
    got = dict(zip(res.ipu["ipu_id"], res.ipu["status_sinkron"]))
    assert got["Q1"] == "sinkron" and got["Q2"] == "diskoneksi"


def test_counts_have_every_status(case):
    ipu, ren = case
    c = synchronize(ipu, ren, Y).counts()
    assert c["indikasi_program"] == {"sinkron": 10, "diskontinu": 1, "diskoneksi": 4, "belum_jadwal": 2}
    assert c["rencana"] == {"sinkron": 9, "inkonsisten": 1, "tidak_terindikasi": 4}


# ---------------------------------------------------------------- places given as text


@pytest.fixture
def admin():
    kel = gdf(
        [
            {"WADMKD": "Sei Jang", "WADMKC": "Bukit Bestari", "geometry": box(0, 0, 1000, 1000)},
            {"WADMKD": "Dompak", "WADMKC": "Bukit Bestari", "geometry": box(1000, 0, 2000, 1000)},
            {"WADMKD": "Kampung Baru", "WADMKC": "Tanjungpinang Barat", "geometry": box(0, 1000, 1000, 2000)},
            {"WADMKD": "Kampung Baru", "WADMKC": "Tanjungpinang Timur", "geometry": box(5000, 0, 6000, 1000)},
        ]
    )
    from pyproj import CRS

    return AdminAreas.from_layers(kel, None, CRS.from_user_input("EPSG:32648"))


def test_resolve_place_names(admin):
    texts = ["Kel. Sei Jang", "kelurahan  SEI-JANG", "Dompak", "Kecamatan Bukit Bestari", "Kel. Kampung Baru, Kec. Tanjungpinang Timur",
             "Kampung Baru", "Jalan Merdeka, Kel. Dompak", "Kel. Sei Jang s.d. Kel. Dompak", "Lokasi menyusul", None]
    ids = [f"T{i}" for i in range(len(texts))]
    geoms, src, names, findings = admin.resolve(texts, ids, "t")
    assert list(src) == ["kelurahan", "kelurahan", "kelurahan", "kecamatan", "kelurahan", "kelurahan", "kelurahan", "kelurahan", None, None]
    assert geoms[0].area == pytest.approx(1_000_000) and geoms[1].equals(geoms[0])
    assert geoms[3].area == pytest.approx(2_000_000)  # kecamatan dissolved from its kelurahan
    assert geoms[4].centroid.x - 440_000 == pytest.approx(5500)  # narrowed by the kecamatan
    assert geoms[5].area == pytest.approx(2_000_000)  # ambiguous: union of both, with a warning
    assert geoms[7].area == pytest.approx(2_000_000)
    assert names[4] == "Kel. Kampung Baru (Kec. Tanjungpinang Timur)"
    codes = {(f.feature_id, f.code) for f in findings}
    assert codes == {("T5", "lokasi_ambigu"), ("T8", "lokasi_tidak_dikenal")}


def test_locate(admin):
    kc, kl = admin.locate(np.array([Point(440_500, 100_500), Point(441_500, 100_500), Point(430_000, 0), None], dtype=object))
    assert list(kl) == ["Sei Jang", "Dompak", None, None]
    assert list(kc) == ["Bukit Bestari", "Bukit Bestari", None, None]


def test_ipu_given_by_kelurahan_name_is_realized_inside_it(admin):
    geoms, src, _, _ = admin.resolve(["Sei Jang"], ["Q"], "ipu")
    ipu = gdf([ipu_row("Q", "puskesmas", 2025, 2029, None)]).set_geometry(pd.Series(geoms).values, crs="EPSG:32648")
    ren = gdf([prog("IN", "puskesmas", 2025, Point(500, 500)), prog("NEAR", "puskesmas", 2025, Point(1040, 500)), prog("FAR", "puskesmas", 2025, Point(3000, 500))])
    res = synchronize(ipu, ren, 2025)
    assert dict(zip(res.rencana["program_id"], res.rencana["status_sinkron"])) == {"IN": "sinkron", "NEAR": "sinkron", "FAR": "tidak_terindikasi"}


def test_locate_by_the_largest_part(admin):
    """A line 900 m in Dompak and 600 m in Sei Jang is Dompak's, though its representative point (shapely's
    point_on_surface of a line: its inner vertex) lies in Sei Jang; a polygon 300 x 1000 m in Sei Jang and
    700 x 1000 m in Dompak is Dompak's; a multipoint with two of three points in Sei Jang is Sei Jang's; a line along
    the shared border (in both, 0 m inside either) goes to the first listed; a line crossing into Kampung Baru
    (Tanjungpinang Barat) for 300 m and 200 m in Sei Jang is Kampung Baru's, kecamatan by its own measure."""
    import shapely
    from shapely import MultiPoint

    x0, y0 = 440_000, 100_000
    line = LineString([(x0 + 400, y0 + 500), (x0 + 900, y0 + 500), (x0 + 1900, y0 + 500)])  # 600 m in Sei Jang, 900 m in Dompak
    assert shapely.point_on_surface(line).x < x0 + 1000  # the old rule's point (the inner vertex) is in Sei Jang
    poly = box(x0 + 700, y0 + 0, x0 + 1700, y0 + 1000)
    mp = MultiPoint([(x0 + 100, y0 + 100), (x0 + 200, y0 + 200), (x0 + 1500, y0 + 500)])
    border = LineString([(x0 + 1000, y0 + 100), (x0 + 1000, y0 + 900)])
    up = LineString([(x0 + 500, y0 + 800), (x0 + 500, y0 + 1300)])
    kc, kl = admin.locate(np.array([line, poly, mp, border, up], dtype=object))
    assert list(kl) == ["Dompak", "Dompak", "Sei Jang", "Sei Jang", "Kampung Baru"]
    assert list(kc) == ["Bukit Bestari", "Bukit Bestari", "Bukit Bestari", "Bukit Bestari", "Tanjungpinang Barat"]


def test_locate_measures_a_self_crossing_program_as_repaired(admin):
    """A bow-tie program polygon (as delivered: it crosses itself at x = 800) over Sei Jang and Dompak is measured on
    its repaired form: two triangles of 400,000 m2, the left wholly in Sei Jang, the right's first 200 m (its tip, 200 x
    250 / 2 = 25,000 m2) in Sei Jang, so Sei Jang holds 425,000 m2 and Dompak 375,000;
    GEOS refuses to intersect the raw bow-tie (the 10k album bench stopped on it)."""
    from shapely import Polygon

    x0, y0 = 440_000, 100_000
    bowtie = Polygon([(x0, y0), (x0 + 1600, y0 + 1000), (x0 + 1600, y0), (x0, y0 + 1000)])
    assert not bowtie.is_valid
    kc, kl = admin.locate(np.array([bowtie], dtype=object))
    assert list(kl) == ["Sei Jang"] and list(kc) == ["Bukit Bestari"]
