"""The SPPR tables against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import gdf
from shapely import LineString, Point, box

from sppr_gis.matrices import (
    capaian_group,
    capaian_program,
    collisions,
    discontinued_ipus,
    focus,
    jangka_menengah,
    matriks_1,
    matriks_2,
    matriks_3,
    medium_term_window,
    protected_programs,
    rencana_status_table,
    sinergi_table,
    synergy_pairs,
)
from sppr_gis.sync import match_programs

nan = float("nan")


def same(a, b):
    return (isinstance(a, float) and math.isnan(a) and isinstance(b, float) and math.isnan(b)) or a == pytest.approx(b)


@pytest.mark.parametrize("year, start, window", [(2025, 2023, (2023, 2027)), (2028, 2023, (2028, 2032)), (2022, 2023, (2018, 2022)), (2025, None, (2025, 2029)), (2027, 2027, (2027, 2031))])
def test_medium_term_window(year, start, window):
    assert medium_term_window(year, start) == window


# ---------------------------------------------------------------- Matriks 1 and Jangka Menengah


@pytest.fixture
def plan():
    ipu = gdf(
        [
            {"ipu_id": "A", "program": "Jalan A", "kegiatan": "jalan", "instansi": "PUPR", "tahun_mulai": 2023, "tahun_akhir": 2027, "geometry": Point(0, 0)},
            {"ipu_id": "B", "program": "Drainase B", "kegiatan": "drainase", "instansi": "PUPR", "tahun_mulai": 2024, "tahun_akhir": 2025, "geometry": Point(1000, 0)},
            {"ipu_id": "C", "program": "Taman C", "kegiatan": "taman", "instansi": "DLH", "tahun_mulai": 2028, "tahun_akhir": 2030, "geometry": Point(2000, 0)},
        ]
    )
    ren = gdf(
        [
            {"program_id": "P23", "tahun": 2023, "opd": "PUPR", "kegiatan": "jalan", "pagu": 100.0, "target": 2.0, "realisasi": 2.0, "satuan": "km", "geometry": Point(0, 0)},
            {"program_id": "P24", "tahun": 2024, "opd": "PUPR", "kegiatan": "jalan", "pagu": 50.0, "target": 1.0, "realisasi": 0.5, "satuan": "km", "geometry": Point(0, 10)},
            {"program_id": "P24b", "tahun": 2024, "opd": "Perkim", "kegiatan": "jalan", "pagu": 30.0, "target": 1.0, "realisasi": 1.0, "satuan": "km", "geometry": Point(10, 0)},
            {"program_id": "P25", "tahun": 2025, "opd": "Perkim", "kegiatan": "drainase", "pagu": 70.0, "target": 100.0, "realisasi": None, "satuan": "m", "geometry": Point(1000, 0)},
            {"program_id": "P26", "tahun": 2026, "opd": "PUPR", "kegiatan": "jalan", "pagu": 40.0, "target": 1.0, "realisasi": None, "satuan": "km", "geometry": Point(0, 0)},
        ]
    )
    return ipu, ren, match_programs(ipu, ren)


def test_matriks_1(plan):
    ipu, ren, m = plan
    t = matriks_1(ipu, ren, m, year=2025, window=(2023, 2027))
    got = [(r.ipu_id, r.tahun, r.status_sinkron, r.terlaksana, r.jumlah_program, r.program_ids, r.opd, r.pagu, r.satuan, r.target, r.realisasi, r.capaian) for r in t.itertuples()]
    expected = [
        ("A", 2023, "sinkron", "ya", 1, "P23", "PUPR", 100.0, "km", 2.0, 2.0, 100.0),
        ("A", 2024, "sinkron", "ya", 2, "P24; P24b", "Perkim; PUPR", 80.0, "km", 2.0, 1.5, 75.0),
        ("A", 2025, "diskontinu", "tidak", 0, "", "", 0.0, "", nan, nan, nan),
        ("B", 2024, "diskoneksi", "tidak", 0, "", "", 0.0, "", nan, nan, nan),
        ("B", 2025, "sinkron", "ya", 1, "P25", "Perkim", 70.0, "m", 100.0, nan, nan),  # realisasi unknown
    ]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert all(same(a, b) for a, b in zip(g, e)), (g, e)
    assert t.loc[0, "program"] == "Jalan A"


def test_matriks_1_mixed_units_give_no_sums(plan):
    ipu, ren, m = plan
    ren = ren.copy()
    ren.loc[2, "satuan"] = "m"
    t = matriks_1(ipu, ren, m, year=2024, window=(2023, 2027))
    row = t[(t.ipu_id == "A") & (t.tahun == 2024)].iloc[0]
    assert row.satuan == "km; m" and math.isnan(row.target) and math.isnan(row.capaian)
    assert row.pagu == 80.0


def test_jangka_menengah(plan):
    ipu, ren, m = plan
    t = jangka_menengah(ipu, ren, m, year=2025, window=(2023, 2027)).set_index("ipu_id")
    assert list(t.index) == ["A", "B"]  # C (2028-2030) lies outside the window
    assert [t.loc["A", f"status_{y}"] for y in range(2023, 2028)] == ["sinkron", "sinkron", "diskontinu", "dijadwalkan", "dijadwalkan"]
    assert [t.loc["B", f"status_{y}"] for y in range(2023, 2028)] == ["belum_jadwal", "diskoneksi", "sinkron", "belum_jadwal", "belum_jadwal"]
    assert [t.loc["A", f"pagu_{y}"] for y in range(2023, 2028)] == [100.0, 80.0, 0.0, 40.0, 0.0]
    assert t.loc["A", "pagu_total"] == 220.0 and t.loc["B", "pagu_total"] == 70.0
    assert (t.loc["A", "tahun_dijadwalkan"], t.loc["A", "tahun_terlaksana"]) == (3, 2)
    assert t.loc["A", "keterlaksanaan"] == pytest.approx(200 / 3)
    assert (t.loc["B", "tahun_dijadwalkan"], t.loc["B", "tahun_terlaksana"], t.loc["B", "keterlaksanaan"]) == (2, 1, 50.0)


def test_discontinued_ipus(plan):
    ipu, ren, m = plan
    assert discontinued_ipus(ipu, m, 2025) == set()  # in 2024 A was sinkron, B diskoneksi
    assert discontinued_ipus(ipu, m, 2026) == {"A"}  # A was diskontinu in 2025


# ---------------------------------------------------------------- Matriks 2 and 3


@pytest.fixture
def year_programs():
    return pd.DataFrame(
        [
            {"program_id": "X1", "opd": "A", "kegiatan": "jalan", "pagu": 100.0, "sumber_dana": "APBD", "status": "sesuai", "score": 100.0, "status_sinkron": "sinkron", "ipu_id": "Q1", "di_kawasan_prioritas": True, "kawasan_prioritas": "KP"},
            {"program_id": "X2", "opd": "B", "kegiatan": "jalan", "pagu": 50.0, "sumber_dana": None, "status": "sesuai_bersyarat", "score": 75.0, "status_sinkron": "tidak_terindikasi", "ipu_id": "", "di_kawasan_prioritas": False, "kawasan_prioritas": None},
            {"program_id": "X3", "opd": "A", "kegiatan": "jalan", "pagu": 0.0, "sumber_dana": "DAK", "status": "tidak_sesuai", "score": 0.0, "status_sinkron": "inkonsisten", "ipu_id": "Q2", "di_kawasan_prioritas": False, "kawasan_prioritas": None},
            {"program_id": "X4", "opd": "B", "kegiatan": "jalan", "pagu": 20.0, "sumber_dana": "APBN", "status": "perlu_kajian", "score": nan, "status_sinkron": "sinkron", "ipu_id": "Q3", "di_kawasan_prioritas": True, "kawasan_prioritas": "KP"},
        ]
    )


WEIGHTS = {"conformance": 0.3, "realizes_ipu": 0.3, "continues_ipu": 0.15, "priority_area": 0.15, "budget_readiness": 0.1}


def test_matriks_2(year_programs):
    m2 = matriks_2(year_programs, weights=WEIGHTS, discontinued={"Q3"})
    vals = m2[["nilai_kesesuaian", "nilai_realisasi_ipu", "nilai_kelanjutan", "nilai_kawasan_prioritas", "nilai_kesiapan_anggaran"]].to_numpy().tolist()
    assert vals == [[1.0, 1.0, 0.0, 1.0, 1.0], [0.75, 0.0, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0, 1.0]]
    # 0.3+0.3+0.15+0.1 ; 0.3*0.75+0.1*0.5 ; 0.3 ; 0.3+0.15+0.15+0.1
    assert m2["skor_prioritas"].tolist() == [85.0, 27.5, 30.0, 70.0]


def test_matriks_2_weights_are_normalized(year_programs):
    m2 = matriks_2(year_programs, weights={"conformance": 2.0})
    assert m2["skor_prioritas"].tolist() == [100.0, 75.0, 0.0, 0.0]
    with pytest.raises(ValueError):
        matriks_2(year_programs, weights={})


def test_matriks_3(year_programs):
    m3 = matriks_3(matriks_2(year_programs, weights=WEIGHTS, discontinued={"Q3"}), thresholds=(70.0, 50.0))
    assert m3["program_id"].tolist() == ["X1", "X4", "X2", "X3"]  # inkonsisten last whatever its score
    assert m3["peringkat"].tolist() == [1, 2, 3, 4]
    assert m3["kelas_prioritas"].tolist() == ["Prioritas I", "Prioritas I", "Prioritas III", "Tidak diprioritaskan"]
    assert m3.index.tolist() == [0, 3, 1, 2]  # positions in Matriks 2
    alasan = dict(zip(m3["program_id"], m3["alasan"]))
    assert "mewujudkan Q1" in alasan["X1"] and "di KP" in alasan["X1"] and "anggaran siap" in alasan["X1"]
    assert "melanjutkan IPU yang diskontinu" in alasan["X4"]
    assert "tidak terindikasi" in alasan["X2"] and "sumber dana belum jelas" in alasan["X2"]
    assert "pagu belum ada" in alasan["X3"]
    rek = dict(zip(m3["program_id"], m3["rekomendasi"]))
    assert rek["X3"].startswith("Pindahkan lokasi")


def test_matriks_3_ties_broken_by_pagu_then_id():
    m2 = pd.DataFrame({"program_id": ["b", "a", "c"], "skor_prioritas": [50.0, 50.0, 50.0], "pagu": [10.0, 10.0, 20.0], "status_sinkron": ["sinkron"] * 3, "status": ["sesuai"] * 3, "score": [100.0] * 3,
                       "ipu_id": ["Q"] * 3, "opd": ["x"] * 3, "kegiatan": ["k"] * 3, "kawasan_prioritas": [""] * 3, "nilai_realisasi_ipu": [1.0] * 3, "nilai_kelanjutan": [0.0] * 3, "nilai_kawasan_prioritas": [0.0] * 3, "nilai_kesiapan_anggaran": [1.0] * 3})
    assert matriks_3(m2)["program_id"].tolist() == ["c", "a", "b"]


# ---------------------------------------------------------------- focus and status tables


def test_focus_by_opd(year_programs):
    f = focus(year_programs, "opd")
    assert f["opd"].tolist() == ["A", "B", "Jumlah"]
    a, b, tot = (f.iloc[i] for i in range(3))
    assert (a.jumlah_program, a.pagu, a.jumlah_sinkron, a.jumlah_inkonsisten, a.jumlah_tidak_terindikasi) == (2, 100.0, 1, 1, 0)
    assert (a.pagu_sinkron, a.pagu_sesuai, a.pagu_sinkron_sesuai) == (100.0, 100.0, 100.0)
    assert a.porsi_pagu == pytest.approx(100 / 170) and a.porsi_sinkron_sesuai == 1.0
    assert (b.jumlah_program, b.pagu, b.jumlah_sinkron, b.jumlah_tidak_terindikasi, b.pagu_sinkron, b.pagu_sesuai, b.pagu_sinkron_sesuai) == (2, 70.0, 1, 1, 20.0, 50.0, 0.0)
    assert b.porsi_sinkron_sesuai == 0.0
    assert (tot.jumlah_program, tot.pagu, tot.pagu_sinkron, tot.pagu_sesuai, tot.pagu_sinkron_sesuai) == (4, 170.0, 120.0, 150.0, 100.0)
    assert tot.porsi_pagu == 1.0 and tot.porsi_sinkron_sesuai == pytest.approx(100 / 170)


def test_focus_missing_group_named(year_programs):
    f = focus(year_programs, "kawasan_prioritas", missing="(di luar kawasan prioritas)")
    assert f["kawasan_prioritas"].tolist() == ["KP", "(di luar kawasan prioritas)", "Jumlah"]
    assert f["pagu"].tolist() == [120.0, 50.0, 170.0]


def test_focus_group_without_recorded_pagu_has_no_pagu_not_rp0():
    # C has no recorded pagu at all; D has one of two; the total sums what is recorded
    df = pd.DataFrame({"opd": ["C", "C", "D", "D"], "pagu": [np.nan, None, 30.0, np.nan],
                       "status": ["sesuai"] * 4, "status_sinkron": ["sinkron"] * 4})
    f = focus(df, "opd").set_index("opd")
    assert f.loc["D", "pagu"] == 30.0 and f.loc["D", "jumlah_tanpa_pagu"] == 1
    assert np.isnan(f.loc["C", "pagu"]) and np.isnan(f.loc["C", "pagu_sinkron_sesuai"]) and np.isnan(f.loc["C", "porsi_pagu"])
    assert f.loc["C", "jumlah_program"] == 2 and f.loc["C", "jumlah_tanpa_pagu"] == 2
    assert f.loc["Jumlah", "pagu"] == 30.0 and f.loc["Jumlah", "jumlah_tanpa_pagu"] == 3
    none = focus(df.assign(pagu=np.nan), "opd").set_index("opd")
    assert none["pagu"].isna().all() and none["porsi_pagu"].isna().all()


def test_status_table(year_programs):
    t = rencana_status_table(year_programs).set_index("status_sinkron")
    assert t["jumlah"].to_dict() == {"sinkron": 2, "inkonsisten": 1, "tidak_terindikasi": 1, "Jumlah": 4}
    assert t["pagu"].to_dict() == {"sinkron": 120.0, "inkonsisten": 0.0, "tidak_terindikasi": 50.0, "Jumlah": 170.0}
    assert t.loc["sinkron", "porsi_jumlah"] == 0.5 and t.loc["sinkron", "porsi_pagu"] == pytest.approx(120 / 170)


# ---------------------------------------------------------------- achievement


@pytest.fixture
def cap():
    df = pd.DataFrame(
        [
            {"program_id": "c1", "opd": "Dinas A", "pagu": 100.0, "target": 10.0, "realisasi": 8.0},
            {"program_id": "c2", "opd": "Dinas A", "pagu": 300.0, "target": 4.0, "realisasi": 1.0},
            {"program_id": "c3", "opd": "Dinas B", "pagu": 50.0, "target": 0.0, "realisasi": 5.0},
            {"program_id": "c4", "opd": "Dinas B", "pagu": None, "target": 2.0, "realisasi": None},
            {"program_id": "c5", "opd": "Dinas C", "pagu": 100.0, "target": 5.0, "realisasi": 6.0},
        ]
    )
    return capaian_program(df, threshold=80.0, clusters={"Infra": ["dinas a", "Dinas  C"]})


def test_capaian_program(cap):
    assert [c if not math.isnan(c) else None for c in cap["capaian"]] == [80.0, 25.0, None, None, 120.0]
    assert cap["di_bawah_ambang"].tolist() == [False, True, False, False, False]  # 80 is not below 80
    assert cap["klaster"].tolist() == ["Infra", "Infra", "(tanpa klaster)", "(tanpa klaster)", "Infra"]


def test_capaian_by_opd(cap):
    g = capaian_group(cap, "opd").set_index("opd")
    assert g.index.tolist() == ["Dinas A", "Dinas B", "Dinas C", "Jumlah"]
    assert g.loc["Dinas A"].tolist() == [2, 2, 400.0, 52.5, 38.75, 1]  # (80+25)/2 ; (80*100+25*300)/400
    b = g.loc["Dinas B"]
    assert (b.jumlah_program, b.jumlah_berdata, b.pagu, b.jumlah_di_bawah_ambang) == (2, 0, 50.0, 0)
    assert math.isnan(b.rata_rata_capaian) and math.isnan(b.capaian_tertimbang_pagu)
    assert g.loc["Jumlah"].tolist() == [5, 3, 550.0, 75.0, 55.0, 1]  # (80+25+120)/3 ; (8000+7500+12000)/500


def test_capaian_by_cluster(cap):
    g = capaian_group(cap, "klaster").set_index("klaster")
    assert g.index.tolist() == ["(tanpa klaster)", "Infra", "Jumlah"]
    assert g.loc["Infra"].tolist() == [3, 3, 500.0, 75.0, 55.0, 1]


# ---------------------------------------------------------------- synergy, collisions, protected zones


def test_synergy_pairs():
    r = gdf(
        [
            {"program_id": "s1", "opd": "PUPR", "tahun": 2025, "kegiatan": "jalan", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": LineString([(0, 0), (100, 0)])},
            {"program_id": "s2", "opd": "Dishub", "tahun": 2025, "kegiatan": "pju", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": Point(50, 9)},
            {"program_id": "s3", "opd": "pupr", "tahun": 2025, "kegiatan": "drainase", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": Point(50, 5)},
            {"program_id": "s4", "opd": "DLH", "tahun": 2025, "kegiatan": "taman", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": Point(50, 150)},
            {"program_id": "s5", "opd": "DLH", "tahun": 2025, "kegiatan": "taman", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": Point(50, 109)},
            {"program_id": "s6", "opd": "Perkim", "tahun": 2025, "kegiatan": "rumah", "pagu": 1.0, "lokasi_sumber": "kelurahan", "geometry": box(-500, -500, 500, 500)},
            {"program_id": "s7", "opd": "Perkim", "tahun": 2024, "kegiatan": "rumah", "pagu": 1.0, "lokasi_sumber": "geometri", "geometry": Point(50, 1)},
        ]
    )
    s = synergy_pairs(r, 2025, distance=100)
    got = [(a, b, d) for a, b, d in zip(s["program_id"], s["program_id_2"], s["jarak_m"])]
    # s1-s3 share an OPD (case ignored); s6 is only a kelurahan; s7 is another year; s2-s5 exactly 100 m
    assert got == [("s1", "s2", 9.0), ("s2", "s3", 4.0), ("s2", "s5", 100.0)]
    assert set(s["jenis"]) == {"sinergi"}


@pytest.fixture
def works():
    return gdf(
        [
            {"program_id": "k1", "opd": "PUPR", "tahun": 2024, "kegiatan": "jalan", "geometry": LineString([(0, 0), (100, 0)])},
            {"program_id": "k2", "opd": "Perkim", "tahun": 2025, "kegiatan": "drainase", "geometry": LineString([(0, 7), (100, 7)])},
            {"program_id": "k3", "opd": "Perkim", "tahun": 2023, "kegiatan": "drainase", "geometry": LineString([(0, 3), (100, 3)])},
            {"program_id": "k4", "opd": "Dishub", "tahun": 2026, "kegiatan": "pju", "geometry": LineString([(0, 12), (100, 12)])},
            {"program_id": "k5", "opd": "DLH", "tahun": 2024, "kegiatan": "taman", "geometry": Point(0, 50)},
            {"program_id": "k6", "opd": "PUPR", "tahun": 2025, "kegiatan": "jalan", "geometry": LineString([(0, -5), (100, -5)])},
        ]
    )


def test_collisions(works):
    c = collisions(works, 2025, distance=10, years=1)
    assert [(a, b, y, d) for a, b, y, d in zip(c["program_id"], c["program_id_2"], c["tahun_2"], c["jarak_m"])] == [("k2", "k1", 2024, 7.0), ("k2", "k4", 2026, 5.0)]
    assert "PUPR (jalan, 2024) lalu Perkim (drainase, 2025)" in c["keterangan"].iloc[0]


def test_collisions_restricted_to_digging_works(works):
    c = collisions(works, 2025, distance=10, years=1, kegiatan=["jalan", "Drainase"])
    assert list(zip(c["program_id"], c["program_id_2"])) == [("k2", "k1")]


def test_collisions_two_years_apart(works):
    c = collisions(works, 2025, distance=10, years=2)
    # k3 (2023) is within reach now but belongs to the same OPD as k2 and is 8 m from k6 (PUPR)
    assert list(zip(c["program_id"], c["program_id_2"])) == [("k2", "k1"), ("k2", "k4"), ("k6", "k3")]


def test_protected_programs():
    ry = gdf([{"program_id": f"p{i}", "opd": "X", "tahun": 2025, "kegiatan": "k", "pagu": 1.0, "status": s, "geometry": Point(i, 0)} for i, s in enumerate(["tidak_sesuai", "sesuai", "sesuai", "sesuai_bersyarat"], start=1)])
    zs = pd.DataFrame(
        {
            "feature": [1, 1, 2, 3, 3, 4],
            "zone_code": ["RTH-1", "R-2", "R-2", "PS", "R-2", "PS"],
            "share": [0.3, 0.7, 1.0, 0.005, 0.995, 1.0],
            "itbx": ["X", "I", "I", "T", "I", "T"],
            "counted": [True, True, True, False, True, True],
        }
    )
    p = protected_programs(ry, zs, ["RTH-1", "PS"])
    assert p["program_id"].tolist() == ["p1", "p4"]
    assert p["zona"].tolist() == ["RTH-1 30,0% (X)", "PS 100,0% (T)"]
    assert "dilarang" in p["keterangan"].iloc[0] and "bersyarat" in p["keterangan"].iloc[1]
    t = sinergi_table(p)
    assert t["jenis"].tolist() == ["kawasan_lindung"] * 2 and t["tahun_2"].isna().all()
