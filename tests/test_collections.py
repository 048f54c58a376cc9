"""Every part of a program counts (issue 17 case 5): a GeometryCollection is judged part by part.

Zoning and expected values are built by hand: a 200 x 100 strip, R-2 on [0,100], RTH-1 on
[100,200]; roads (pembangunan_jalan) are I in R-2 and X in RTH-1.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.affinity
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import GeometryCollection, LineString, MultiLineString, MultiPoint, Point, box

import sppr_gis
from conftest import ORIGIN, UTM48N, gdf, invoke, make_rules
from sppr_gis.revision import revise
from sppr_gis.site import check_site, load_zoning

# the order of the status rules: the most restrictive last
STATUS_RANK = {"sesuai": 0, "sesuai_bersyarat": 1, "perlu_kajian": 2, "tidak_sesuai": 3}
ZONING = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "RTH-1", "geometry": box(100, 0, 200, 100)}])
RULES = make_rules({"pembangunan_jalan": {"R-2": "I", "RTH-1": "X"}, "perumahan": {"R-2": "I", "RTH-1": "T1"}})
LOT = box(10, 10, 50, 50)  # 1600 m², all in R-2
ROAD = LineString([(50, 30), (150, 30)])  # 100 m: 50 m in R-2, 50 m in RTH-1
POINT = Point(20, 20)  # in R-2
LOT_AND_ROAD = GeometryCollection([LOT, ROAD, POINT])


def _programs(geoms: list, kegiatan: str = "pembangunan_jalan") -> gpd.GeoDataFrame:
    return gdf([{"program_id": f"P{i}", "kegiatan": kegiatan, "geometry": g} for i, g in enumerate(geoms)])


def test_lot_with_its_access_road_through_rth_is_tidak_sesuai():
    res = sppr_gis.check(ZONING, _programs([LOT_AND_ROAD, ROAD, LOT]), RULES)
    p = res.programs.set_index("program_id")
    assert p.loc["P1", "status"] == "tidak_sesuai"  # the road alone
    assert p.loc["P2", "status"] == "sesuai"  # the lot alone
    gc = p.loc["P0"]
    assert (gc.status, gc.itbx) == ("tidak_sesuai", "X")  # was sesuai: the road was ignored
    # the deciding part (the road) gives score and dominant zone: 100*(50*1 + 50*0)/100; its 50/50 split
    # is a tie broken by the most restrictive class (issue 20): RTH-1 (X) before R-2 (I)
    assert gc.score == pytest.approx(50.0) and gc.dominant_zone == "RTH-1"
    assert "bagian garis menentukan" in gc.keterangan and "Bagian poligon" in gc.keterangan and "RTH-1" in gc.keterangan
    assert (gc.measure, gc.measure_unit) == (pytest.approx(1600.0), "m2")  # the highest dimension's measure
    zs = res.zone_shares[res.zone_shares.program_id == "P0"]
    got = {(b, z): (m, s, u) for b, z, m, s, u in zip(zs.bagian, zs.zone_code, zs.measure, zs.share, zs.unit)}
    assert got == {
        ("poligon", "R-2"): (pytest.approx(1600.0), pytest.approx(1.0), "m2"),
        ("garis", "R-2"): (pytest.approx(50.0), pytest.approx(0.5), "m"),
        ("garis", "RTH-1"): (pytest.approx(50.0), pytest.approx(0.5), "m"),
        ("titik", "R-2"): (pytest.approx(1.0), pytest.approx(1.0), "titik"),
    }
    assert res.zone_shares[res.zone_shares.program_id != "P0"]["bagian"].isna().all()


def test_collection_of_one_dimension_is_judged_as_its_multi_geometry():
    two_lots = GeometryCollection([LOT, box(60, 60, 90, 90)])
    res = sppr_gis.check(ZONING, _programs([two_lots]), RULES)
    assert res.programs.status.iloc[0] == "sesuai" and res.zone_shares["bagian"].isna().all()
    assert res.programs.measure.iloc[0] == pytest.approx(1600.0 + 900.0)


def test_check_cli_site_and_revisi_agree_on_a_collection(runner, tmp_path):
    progs = _programs([LOT_AND_ROAD])
    zpath, ppath, rpath = tmp_path / "z.gpkg", tmp_path / "p.gpkg", tmp_path / "itbx.csv"
    ZONING.to_file(zpath, layer="zona")
    progs.to_file(ppath, layer="p")
    rpath.write_text("activity,R-2,RTH-1\npembangunan_jalan,I,X\n")
    out = tmp_path / "out.gpkg"
    r = invoke(runner, ["check", "--zoning", zpath, "--programs", ppath, "--rules", rpath, "--out", out])
    assert r.exit_code == 0, r.output
    got = gpd.read_file(out, layer="programs")
    assert got.status.iloc[0] == "tidak_sesuai" and "bagian garis" in got.keterangan.iloc[0]
    assert set(gpd.read_file(out, layer="zone_shares")["bagian"]) == {"poligon", "garis", "titik"}
    # sppr site: the same answer, shares per part
    where = shapely.affinity.translate(LOT_AND_ROAD, *ORIGIN)  # gdf() shifts local coordinates by ORIGIN
    site = check_site(load_zoning(ZONING), where, "pembangunan_jalan", RULES, crs=UTM48N)
    assert (site.status, site.itbx) == ("tidak_sesuai", "X") and {s.get("bagian") for s in site.zone_shares} == {"poligon", "garis", "titik"}
    r = invoke(runner, ["site", "--zoning", zpath, "--rules", rpath, "--kegiatan", "pembangunan_jalan", "--wkt", where.wkt, "--crs", "EPSG:32648", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["status"] == "tidak_sesuai"
    # sppr revisi: each side as check gives it
    rv = revise(ZONING, ZONING, progs, RULES)
    assert rv.perubahan_status.status_lama.iloc[0] == "tidak_sesuai" == rv.perubahan_status.status_baru.iloc[0]


# ----------------------------------------------------------------------------- property

_ZONES = gdf(
    [
        {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
        {"KODSZN": "K-1", "geometry": box(100, 0, 200, 100)},
        {"KODSZN": "RTH-1", "geometry": box(200, 0, 300, 100)},
        {"KODSZN": "TPA", "geometry": box(0, 100, 300, 200)},  # no rule column for it
    ]
)
_CELLS = st.sampled_from(["I", "T1", "B2", "X", ""])
coord = st.floats(-20, 320, allow_nan=False, width=32)


@st.composite
def _case(draw):
    x0, y0 = draw(coord), draw(st.floats(-20, 220, allow_nan=False, width=32))
    w, h = draw(st.floats(1, 120, width=32)), draw(st.floats(1, 120, width=32))
    lot = box(x0, y0, x0 + w, y0 + h)
    n = draw(st.integers(2, 4))
    line = LineString([(draw(coord), draw(st.floats(-20, 220, allow_nan=False, width=32))) for _ in range(n)])
    assume(line.length > 1.0 and shapely.is_valid(line))
    pts = [Point(draw(coord), draw(st.floats(-20, 220, allow_nan=False, width=32))) for _ in range(draw(st.integers(1, 2)))]
    members = [m for m, keep in zip([lot, line, pts], draw(st.lists(st.booleans(), min_size=3, max_size=3))) if keep]
    if len(members) < 2:
        members = [lot, line, pts]
    rules = {"kegiatan_x": {z: draw(_CELLS) for z in ("R-2", "K-1", "RTH-1")}}
    return members, rules


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_a_collections_status_is_its_most_restrictive_part_judged_alone(case):
    members, cells = case
    rules = make_rules(cells)
    alone = []
    flat = []
    for m in members:
        if isinstance(m, list):  # the points, as a MultiPoint when alone
            alone.append(m[0] if len(m) == 1 else MultiPoint(m))
            flat.extend(m)
        else:
            alone.append(m)
            flat.append(m)
    gc = GeometryCollection(flat)
    res = sppr_gis.check(_ZONES, _programs([gc, *alone], "kegiatan_x"), rules)
    status = list(res.programs.status)
    itbx = [None if pd.isna(v) else str(v) for v in res.programs.itbx.astype(object)]
    parts = status[1:]
    assert status[0] == max(parts, key=lambda s: STATUS_RANK[s])
    order = {"I": 0, "T": 1, "B": 2, "X": 3}
    rated = [c for c in itbx[1:] if c is not None]
    assert itbx[0] == (max(rated, key=order.get) if rated else None)


def test_multilinestring_part_matches_the_lines_together():
    two_roads = [ROAD, LineString([(10, 80), (90, 80)])]
    res = sppr_gis.check(ZONING, _programs([GeometryCollection([LOT, *two_roads]), MultiLineString(two_roads)]), RULES)
    zs = res.zone_shares
    line_part = zs[(zs.program_id == "P0") & (zs.bagian == "garis")].set_index("zone_code")["measure"]
    alone = zs[zs.program_id == "P1"].set_index("zone_code")["measure"]
    assert line_part.to_dict() == pytest.approx(alone.to_dict())
