"""Status, ITBX class, score and dominant zone, worked out by hand from the contract."""

from __future__ import annotations

import math

import pytest
from shapely import LineString, Point, box

import sppr_gis
from conftest import gdf, make_rules

# Zoning: a 300 x 100 strip: R-2 [0,100], K-1 [100,200], RTH-1 [200,300]; TPA [300,400] (no rule column)
ZONING = gdf(
    [
        {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
        {"KODSZN": "K-1", "geometry": box(100, 0, 200, 100)},
        {"KODSZN": "RTH-1", "geometry": box(200, 0, 300, 100)},
        {"KODSZN": "TPA", "geometry": box(300, 0, 400, 100)},
    ]
)
RULES = make_rules(
    {
        "pembangunan_jalan": {"R-2": "I", "K-1": "T1", "RTH-1": "X"},
        "pasar_rakyat": {"R-2": "B2", "K-1": "I", "RTH-1": ""},  # blank cell: no rule
        "taman_kota": {"R-2": "I", "K-1": "I", "RTH-1": "I"},
    }
)


def run(records, min_share=0.01):
    programs = gdf([{"program_id": f"P{i}", **r} for i, r in enumerate(records)])
    return sppr_gis.check(ZONING, programs, RULES, min_share=min_share).programs


def row(df, i):
    return df.iloc[i]


def test_all_in_permitted_zone_is_sesuai_with_score_100():
    r = row(run([{"kegiatan": "taman_kota", "geometry": box(10, 10, 90, 90)}]), 0)
    assert (r.status, r.itbx, r.score, r.dominant_zone) == ("sesuai", "I", 100.0, "R-2")


def test_terbatas_gives_bersyarat_and_weighted_score():
    # line 0..150: R-2 100 m (I, 1.0), K-1 50 m (T, 0.75): score = 100*(2/3*1 + 1/3*0.75) = 91.666...
    r = row(run([{"kegiatan": "pembangunan_jalan", "geometry": LineString([(0, 50), (150, 50)])}]), 0)
    assert r.status == "sesuai_bersyarat" and r.itbx == "T"
    assert r.score == pytest.approx(100 * (2 / 3 + 1 / 3 * 0.75))
    assert r.dominant_zone == "R-2"
    assert "T1" in r.syarat


def test_prohibited_zone_wins_over_everything():
    # 50 m R-2 (I), 100 m K-1 (T), 100 m RTH-1 (X), 50 m TPA (no rule), 50 m outside all zones
    r = row(run([{"kegiatan": "pembangunan_jalan", "geometry": LineString([(50, 50), (450, 50)])}]), 0)
    assert r.status == "tidak_sesuai" and r.itbx == "X"
    # score over counted zones with a rule: (50*1 + 100*0.75 + 100*0) / 250
    assert r.score == pytest.approx(100 * (50 + 75) / 250)
    assert "RTH-1" in r.keterangan


def test_prohibited_zone_below_min_share_is_not_counted():
    # 99.5 m in K-1 (T), 0.5 m in RTH-1 (X): share 0.005 < 0.01
    r = row(run([{"kegiatan": "pembangunan_jalan", "geometry": LineString([(100.5, 50), (200.5, 50)])}]), 0)
    assert r.status == "sesuai_bersyarat" and r.itbx == "T" and r.score == pytest.approx(75.0)
    # with min_share 0.001 the 0.5 % counts
    r2 = row(run([{"kegiatan": "pembangunan_jalan", "geometry": LineString([(100.5, 50), (200.5, 50)])}], min_share=0.001), 0)
    assert r2.status == "tidak_sesuai"


@pytest.mark.parametrize(
    "record, why",
    [
        ({"kegiatan": "bank_sampah", "geometry": Point(50, 50)}, "tidak ada dalam matriks"),  # activity not in rules
        ({"kegiatan": "pasar_rakyat", "geometry": Point(250, 50)}, "belum diatur"),  # blank cell
        ({"kegiatan": "taman_kota", "geometry": Point(350, 50)}, "belum diatur"),  # zone code absent from rules
        ({"kegiatan": "taman_kota", "geometry": box(50, 50, 150, 150)}, "di luar zona"),  # 50 % unzoned
        ({"kegiatan": "taman_kota", "geometry": Point(1000, 1000)}, "Tidak berada di zona"),  # no zone at all
        ({"kegiatan": "taman_kota", "geometry": None}, "Geometri kosong"),  # null geometry
    ],
)
def test_perlu_kajian_cases(record, why):
    r = row(run([record]), 0)
    assert r.status == "perlu_kajian"
    assert math.isnan(r.score)
    assert why in r.keterangan


def test_bersyarat_class_and_blank_itbx_when_no_rule():
    out = run([{"kegiatan": "pasar_rakyat", "geometry": box(10, 10, 60, 60)}, {"kegiatan": "bank_sampah", "geometry": Point(5, 5)}])
    assert (out.status[0], out.itbx[0], out.score[0]) == ("sesuai_bersyarat", "B", 50.0)
    assert out.itbx.isna()[1]


def test_point_on_border_counts_both_zones():
    # on the R-2 | K-1 border: each 1/2; pembangunan_jalan I and T -> bersyarat, score (0.5*1 + 0.5*0.75)/1
    r = row(run([{"kegiatan": "pembangunan_jalan", "geometry": Point(100, 50)}]), 0)
    assert r.status == "sesuai_bersyarat" and r.score == pytest.approx(87.5)
    assert r.dominant_zone == "K-1"  # tie broken by code order


def test_activity_match_ignores_case_and_spacing():
    r = row(run([{"kegiatan": "Taman Kota ", "geometry": Point(50, 50)}]), 0)
    assert r.status == "sesuai" and r.kegiatan_itbx == "taman_kota"
