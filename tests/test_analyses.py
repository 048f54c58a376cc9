"""Issue 12: relocation advice, struktur ruang conformance, revision impact, single-site answers.

Every expected value is computed independently of the code under test: by hand from
the geometry, or by a second shapely method (distance to ``shapely.union_all`` of a
code's polygons, length of the intersection with a union of buffers, area of the
intersection of per-code unions).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from conftest import ORIGIN, SAMPLE, UTM48N, gdf, invoke, make_rules
from sppr_gis import check
from sppr_gis.network import length_within, network_conformance, read_network_map
from sppr_gis.relocation import PermittedZones, relocation_advice
from sppr_gis.revision import disjoint_by_code, revise, zone_transitions
from sppr_gis.site import check_site, load_zoning

X0, Y0 = ORIGIN


def at(x: float, y: float) -> tuple[float, float]:
    return X0 + x, Y0 + y


# ----------------------------------------------------------------------------- relocation


def _reloc_zoning() -> gpd.GeoDataFrame:
    # R (prohibits 'sekolah') around the origin; S permitted 30 m east, P permitted 50 m north,
    # S again further away; F far away (3 km) permitted only for 'pasar'
    return gdf(
        [
            {"KODSZN": "R", "geometry": box(0, 0, 100, 100)},
            {"KODSZN": "S", "geometry": box(130, 0, 200, 100)},
            {"KODSZN": "S", "geometry": box(-300, 0, -200, 100)},
            {"KODSZN": "P", "geometry": box(0, 150, 100, 200)},
            {"KODSZN": "F", "geometry": box(3100, 0, 3200, 100)},
        ]
    )


RELOC_RULES = {
    "sekolah": {"R": "X", "S": "I", "P": "I", "F": "X"},
    "pasar": {"R": "X", "S": "X", "P": "T", "F": "I"},
    "menara": {"R": "X", "S": "B", "P": "T", "F": "X"},
}


def _reloc_programs() -> gpd.GeoDataFrame:
    return gdf(
        [
            {"program_id": "near", "kegiatan": "sekolah", "geometry": Point(90, 50)},  # S at 40, P at 100
            {"program_id": "north", "kegiatan": "sekolah", "geometry": Point(50, 140)},  # P at 10 (outside R: u >= min_share -> not X? it is unzoned)
            {"program_id": "part", "kegiatan": "sekolah", "geometry": box(90, 40, 140, 60)},  # 10/50 in R (X), 10/50 in S (I)
            {"program_id": "far", "kegiatan": "pasar", "geometry": Point(50, 50)},  # F at 3050 > 2000
            {"program_id": "never", "kegiatan": "menara", "geometry": Point(50, 50)},  # no I cell anywhere
            {"program_id": "ok", "kegiatan": "sekolah", "geometry": Point(150, 50)},  # sesuai: no advice row
        ]
    )


def test_relocation_nearest_permitted_zone_hand_built():
    zoning, progs = _reloc_zoning(), _reloc_programs()
    rules = make_rules(RELOC_RULES)
    res = check(zoning, progs, rules)
    status = dict(zip(res.programs["program_id"], res.programs["status"]))
    assert status["near"] == status["part"] == status["far"] == status["never"] == "tidak_sesuai"
    assert status["ok"] == "sesuai"
    adv = relocation_advice(res.programs, res.zones, rules).set_index("program_id")
    assert set(adv.index) == {p for p, s in status.items() if s == "tidak_sesuai"}  # one row per tidak_sesuai
    # near: S's nearest polygon edge x = 130 is 40 m east of x = 90; the other S polygon is 290 m west
    assert adv.loc["near", "zone_code"] == "S"
    assert adv.loc["near", "jarak_m"] == pytest.approx(40.0)
    assert adv.geometry["near"].equals_exact(Point(at(130, 50)), 1e-6)
    # part of the program already lies in S: distance 0, the point lies in both
    assert adv.loc["part", "zone_code"] == "S" and adv.loc["part", "jarak_m"] == 0.0
    assert adv.geometry["part"].distance(shapely.box(*at(130, 0), *at(200, 100))) == 0.0
    # no permitted zone within 2000 m (F lies 3050 m away): empty code and distance
    assert pd.isna(adv.loc["far", "zone_code"]) and np.isnan(adv.loc["far", "jarak_m"]) and adv.geometry["far"] is None
    assert "2.000 m" in adv.loc["far", "keterangan"]
    # the limit is a parameter: within 4000 m, F is found at exactly 3050 m
    wide = relocation_advice(res.programs, res.zones, rules, max_distance=4000).set_index("program_id")
    assert wide.loc["far", "zone_code"] == "F" and wide.loc["far", "jarak_m"] == pytest.approx(3050.0)
    # an activity whose row has no I cell anywhere
    assert pd.isna(adv.loc["never", "zone_code"]) and "tidak diizinkan (I) di zona mana pun" in adv.loc["never", "keterangan"]


def test_relocation_distance_equals_distance_to_union_of_the_code(rng=np.random.default_rng(12)):
    """Random zones (overlapping, several polygons per code) and programs: the answer is the
    code minimizing the distance to shapely.union_all of its polygons, and that distance."""
    codes = np.array(["A", "B", "C", "D"])
    zones = []
    for _ in range(60):
        x, y = rng.uniform(0, 2000, 2)
        w, h = rng.uniform(20, 200, 2)
        shape = box(x, y, x + w, y + h) if len(zones) % 2 else Point(x, y).buffer(w / 2, quad_segs=8).union(box(x, y, x + w, y + h / 4))
        zones.append({"KODSZN": str(rng.choice(codes)), "geometry": shapely.affinity.rotate(shape, rng.uniform(0, 90))})
    zoning = gdf(zones)
    rules = make_rules({"kerja": {"A": "X", "B": "I", "C": "I", "D": "T"}})
    geoms = []
    for k in range(40):
        x, y = rng.uniform(-200, 2200, 2)
        kind = k % 3
        geoms.append(Point(x, y) if kind == 0 else LineString([(x, y), (x + rng.uniform(-80, 80), y + rng.uniform(-80, 80))]) if kind == 1 else Point(x, y).buffer(15))
    progs = gdf([{"program_id": f"p{i}", "kegiatan_itbx": "kerja", "status": "tidak_sesuai", "geometry": g} for i, g in enumerate(geoms)])
    unions = {c: shapely.union_all(zoning.geometry[zoning["KODSZN"] == c].values) for c in ("B", "C")}
    # whole polygons, and polygons indexed in cut pieces (a cut at 12 vertices cuts every round zone)
    whole = relocation_advice(progs, PermittedZones(zoning.geometry.values, zoning["KODSZN"].to_numpy(), rules), rules, max_distance=400.0)
    cut = relocation_advice(progs, PermittedZones(zoning.geometry.values, zoning["KODSZN"].to_numpy(), rules, cut_vertices=12), rules, max_distance=400.0)
    for g, row, pt, crow in zip(progs.geometry, whole.itertuples(), whole.geometry, cut.itertuples()):
        if pd.isna(row.zone_code):
            assert pd.isna(crow.zone_code) and np.isnan(crow.jarak_m)
        else:
            assert crow.zone_code == row.zone_code and crow.jarak_m == pytest.approx(row.jarak_m, abs=1e-9)
        d = {c: u.distance(g) for c, u in unions.items()}
        best = min(sorted(d), key=lambda c: d[c])
        if d[best] > 400.0:
            assert pd.isna(row.zone_code) and np.isnan(row.jarak_m)
            continue
        assert row.zone_code == best
        assert row.jarak_m == pytest.approx(d[best], abs=1e-9)
        assert pt.distance(unions[best]) < 1e-6 and pt.distance(g) == pytest.approx(d[best], abs=1e-6)


def test_relocation_layer_in_check_output_and_option(runner, tmp_path):
    z, p = tmp_path / "z.gpkg", tmp_path / "p.gpkg"
    _reloc_zoning().to_file(z)
    _reloc_programs().to_file(p)
    rules = tmp_path / "itbx.csv"
    pd.DataFrame([{"activity": a, **row} for a, row in RELOC_RULES.items()]).to_csv(rules, index=False)
    out = tmp_path / "out.gpkg"
    r = invoke(runner, ["check", "--zoning", z, "--programs", p, "--rules", rules, "--out", out, "--relocation-distance", 4000, "-q"])
    assert r.exit_code == 0, r.output
    adv = gpd.read_file(out, layer="saran_relokasi").set_index("program_id")
    assert list(adv.columns[:4]) == ["kegiatan", "zone_code", "jarak_m", "keterangan"]
    assert adv.loc["far", "zone_code"] == "F" and adv.loc["far", "jarak_m"] == pytest.approx(3050.0)
    r = invoke(runner, ["check", "--zoning", z, "--programs", p, "--rules", rules, "--out", out, "--relocation-distance", "-5"])
    assert r.exit_code == 2 and "relocation-distance" in r.output


# ----------------------------------------------------------------------------- struktur ruang


def test_line_leaving_the_corridor_halfway():
    # planned road along y = 0 from x = 0 to 100; the program runs along y = 10 from x = 0 to 200:
    # within 25 m up to x = 100 + sqrt(25² - 10²) (the disc around the road's end)
    net = np.array([LineString([(0, 0), (100, 0)])], dtype=object)
    prog = np.array([LineString([(0, 10), (200, 10)])], dtype=object)
    within, total = length_within(prog, net, 25.0)
    expected = 100.0 + math.sqrt(25.0**2 - 10.0**2)
    assert within[0] == pytest.approx(expected, abs=1e-9) and total[0] == pytest.approx(200.0)
    res = network_conformance(prog, ["jalan"], net, ["arteri"], {"jalan": ("arteri",)}, distance=25.0)
    assert res.loc[0, "porsi_jaringan"] == pytest.approx(expected / 200.0, abs=1e-12)
    assert res.loc[0, "status_struktur"] == "sebagian"


def test_collection_is_judged_on_every_part_against_the_network():
    """Every part counts (issue 17): a lot (polygon) lying in the road's corridor with an access line that
    leaves it. Alone, the polygon is wholly within 25 m (porsi 1, sesuai); the line runs 0..200 along
    y = 10 beside a road ending at x = 100, so its porsi is (100 + sqrt(25² - 10²)) / 200 (sebagian).
    The collection takes its least conforming part: the line's porsi and status."""
    net = np.array([LineString([(0, 0), (100, 0)])], dtype=object)
    lot = shapely.box(10, -10, 50, 10)
    road = LineString([(0, 10), (200, 10)])
    gc = shapely.GeometryCollection([lot, road])
    res = network_conformance(np.array([gc, lot, road], dtype=object), ["jalan"] * 3, net, ["arteri"], {"jalan": ("arteri",)}, distance=25.0)
    line_porsi = (100.0 + math.sqrt(25.0**2 - 10.0**2)) / 200.0
    assert res.loc[1, "porsi_jaringan"] == pytest.approx(1.0) and res.loc[1, "status_struktur"] == "sesuai"
    assert res.loc[2, "porsi_jaringan"] == pytest.approx(line_porsi, abs=1e-9)
    assert res.loc[0, "porsi_jaringan"] == pytest.approx(line_porsi, abs=1e-9)
    assert res.loc[0, "status_struktur"] == "sebagian"


def test_point_program_on_the_network_and_classes():
    net = np.array([LineString([(0, 0), (100, 0)]), LineString([(0, 500), (100, 500)])], dtype=object)
    classes = ["arteri", "drainase"]
    pts = np.array([Point(50, 0), Point(50, 30), Point(50, 510), shapely.MultiPoint([(50, 0), (50, 300)]), Point(50, 0), None], dtype=object)
    acts = ["jalan", "jalan", "jalan", "jalan", "taman", "jalan"]
    res = network_conformance(pts, acts, net, classes, {"jalan": ("Arteri",)}, distance=25.0)
    assert list(res["porsi_jaringan"].iloc[:4]) == [1.0, 0.0, 0.0, 0.5]  # (50, 510) is near a drainage line only
    assert list(res["status_struktur"].iloc[:4]) == ["sesuai", "di_luar_rencana", "di_luar_rencana", "sebagian"]
    assert np.isnan(res.loc[4, "porsi_jaringan"]) and pd.isna(res.loc[4, "status_struktur"])  # activity not in the map
    assert pd.isna(res.loc[5, "status_struktur"])  # no geometry


def test_length_within_equals_union_of_buffers(rng=np.random.default_rng(3)):
    """Random lines against a random network: the exact length is the limit of the length inside a
    union of buffers (whose chords lie inside the band): never below it, and within its chord error."""
    net = np.array([LineString(rng.uniform(0, 1000, (4, 2))) for _ in range(6)], dtype=object)
    lines = np.array([LineString(rng.uniform(0, 1000, (5, 2))) for _ in range(60)], dtype=object)
    for d in (3.0, 25.0, 80.0):
        within, total = length_within(lines, net, d)
        band = shapely.union_all(shapely.buffer(net, d, quad_segs=256))
        ref = shapely.length(shapely.intersection(lines, band))
        assert np.all(within >= ref - 1e-6)
        assert np.allclose(within, ref, atol=2e-3 * d / 25.0 + 1e-6)
        assert np.allclose(total, shapely.length(lines))


def test_self_overlapping_line_counts_once_and_overlapping_network_lines():
    # the program runs 0 -> 100 -> 50 along the road: its point set is 100 m long, all within
    prog = np.array([LineString([(0, 0), (100, 0), (50, 0)])], dtype=object)
    net = np.array([LineString([(0, 5), (60, 5)]), LineString([(40, -5), (100, -5)])], dtype=object)  # overlapping corridors
    within, total = length_within(prog, net, 25.0)
    assert total[0] == pytest.approx(100.0) and within[0] == pytest.approx(100.0 + 0.0)


def test_network_map_errors(tmp_path):
    good = tmp_path / "m.csv"
    good.write_text("kegiatan,kelas\nPembangunan Jalan,Arteri;Kolektor\npembangunan_jalan,Lokal\n")
    assert read_network_map(good) == {"pembangunan_jalan": ("Arteri", "Kolektor", "Lokal")}
    bad = tmp_path / "b.csv"
    bad.write_text("kegiatan,kelas\njalan,\n")
    with pytest.raises(Exception, match="row 2"):
        read_network_map(bad)
    cols = tmp_path / "c.csv"
    cols.write_text("activity,class\njalan,arteri\n")
    with pytest.raises(Exception, match="'kegiatan' and 'kelas'"):
        read_network_map(cols)


def test_check_cli_struktur_ruang_on_the_sample(runner, tmp_path):
    out = tmp_path / "o.gpkg"
    base = ["check", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", SAMPLE / "itbx.csv", "--out", out, "-q"]
    net = ["--struktur-ruang", SAMPLE / "struktur_ruang.gpkg", "--network-map", SAMPLE / "jaringan_kegiatan.csv"]
    r = invoke(runner, base + net + ["--network-class-field", "JNSRSR"])
    assert r.exit_code == 0, r.output
    progs = gpd.read_file(out, layer="programs")
    mapped = progs["kegiatan"].isin(["pembangunan_jalan", "pemeliharaan_jalan", "pembangunan_drainase", "jaringan_air_minum"]) & progs.geometry.notna() & ~progs.geometry.is_empty
    assert progs.loc[mapped, "status_struktur"].notna().all() and progs.loc[~mapped, "status_struktur"].isna().all()
    assert set(progs["status_struktur"].dropna()) <= {"sesuai", "sebagian", "di_luar_rencana"}
    # independent answer for the lines: length inside a union of 256-segment buffers of their classes
    network = gpd.read_file(SAMPLE / "struktur_ruang.gpkg").to_crs(progs.crs)
    cmap = read_network_map(SAMPLE / "jaringan_kegiatan.csv")
    lines = progs[mapped & (progs.geom_type.isin(["LineString", "MultiLineString"]))]
    assert len(lines) >= 5
    for g, act, porsi in zip(lines.geometry, lines["kegiatan"], lines["porsi_jaringan"]):
        sel = network[network["JNSRSR"].isin(cmap[act])]
        band = shapely.union_all(shapely.buffer(sel.geometry.values, 25.0, quad_segs=256))
        assert porsi == pytest.approx(g.intersection(band).length / g.length, abs=1e-4)
    # usage and data errors
    r = invoke(runner, base + ["--struktur-ruang", SAMPLE / "struktur_ruang.gpkg"])
    assert r.exit_code == 2 and "--network-map" in r.output
    r = invoke(runner, base + net)  # the sample's class field is JNSRSR, not kelas
    assert r.exit_code == 1 and "no field 'kelas'" in r.output and "JNSRSR" in r.output


# ----------------------------------------------------------------------------- revision


def _oracle(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> dict[tuple[str, str], float]:
    """Transitions by the contract, computed independently: every boundary of both zonings
    noded at once and polygonized into faces; a face labelled with the old and new code sets
    of the polygons holding its interior point counts for every pair in A x B where A != B."""
    out: dict[tuple[str, str], float] = {}
    og, ng = np.asarray(old.geometry.values, dtype=object), np.asarray(new.geometry.values, dtype=object)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(shapely.boundary(np.concatenate([og, ng]))))))
    for face in faces:
        pt = face.point_on_surface()
        a_set = set(old["zone_code"][shapely.intersects(og, pt)])
        b_set = set(new["zone_code"][shapely.intersects(ng, pt)])
        if a_set != b_set:
            for a in a_set:
                for b in b_set:
                    out[(a, b)] = out.get((a, b), 0.0) + face.area
    return {k: v for k, v in out.items() if v > 0.01}


def _frame(rows: list[tuple[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_code": [c for c, _ in rows]}, geometry=[g for _, g in rows], crs=UTM48N)


def test_transitions_code_change_only():
    old = _frame([("A", box(0, 0, 10, 10)), ("B", box(10, 0, 20, 10)), ("A", box(0, 10, 10, 20))])
    new = _frame([("A", box(0, 0, 10, 10)), ("C", box(10, 0, 20, 10)), ("A", box(0, 10, 10, 20))])
    table, changed = zone_transitions(old, new)
    assert dict(zip(zip(table.kode_lama, table.kode_baru), table.luas_m2)) == pytest.approx({("B", "C"): 100.0})  # A stayed A: no change
    assert list(table["berubah"]) == [True]
    assert list(zip(changed.kode_lama, changed.kode_baru)) == [("B", "C")] and changed.geometry.iloc[0].equals(box(10, 0, 20, 10))


def test_transitions_border_moves_and_zones_grown_over_neighbours():
    old = _frame([("A", box(0, 0, 10, 10)), ("B", box(10, 0, 20, 10)), ("C", box(0, 10, 20, 20)), ("A", box(5, 2, 12, 8))])  # an A overlay over A and B
    new = _frame(
        [
            ("A", box(0, 0, 12, 10)),  # border moved 2 m east
            ("B", box(12, 0, 20, 10)),
            ("C", box(0, 10, 20, 20)),
            ("C", box(8, 8, 16, 14)),  # grown over A and B without trimming them
            ("B", box(14, 4, 20, 10)),  # a same-code duplicate
        ]
    )
    table, changed = zone_transitions(old, new)
    got = dict(zip(zip(table.kode_lama, table.kode_baru), table.luas_m2))
    want = _oracle(old, new)
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], abs=1e-9)
    # the changed polygons add up to the a != b transitions, and are disjoint within a pair
    for (a, b), area in want.items():
        sub = changed[(changed.kode_lama == a) & (changed.kode_baru == b)]
        assert (len(sub) > 0) == (a != b)
        if a != b:  # (a, a) rows: places that kept a but gained or lost another code
            assert sub["luas_m2"].sum() == pytest.approx(area, abs=1e-9)
            assert shapely.union_all(sub.geometry.values).area == pytest.approx(area, abs=1e-9)


def test_transitions_random_overlapping_zonings(rng=np.random.default_rng(7)):
    def random_zoning(n: int) -> gpd.GeoDataFrame:
        rows = []
        for _ in range(n):
            x, y = rng.uniform(0, 300, 2)
            rows.append((str(rng.choice(["A", "B", "C"])), shapely.affinity.rotate(box(x, y, x + rng.uniform(10, 90), y + rng.uniform(10, 90)), rng.uniform(0, 60))))
        return _frame(rows)

    old, new = random_zoning(40), random_zoning(40)
    table, _ = zone_transitions(old, new)
    got = dict(zip(zip(table.kode_lama, table.kode_baru), table.luas_m2))
    want = _oracle(old, new)
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-6)


def test_revisi_zoning_compared_with_itself_reports_no_change(runner, tmp_path):
    # issue 17 case 10: an overlap was counted both ways ("2 pasangan kode berubah")
    z = gdf([{"KODSZN": "R-3", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "R-4", "geometry": box(80, 0, 200, 100)}, {"KODSZN": "K-1", "geometry": box(0, 100, 200, 200)}])
    progs = gdf([{"program_id": "a", "kegiatan": "taman", "geometry": Point(90, 50)}])
    rules = make_rules({"taman": {"R-3": "I", "R-4": "T1", "K-1": "I"}})
    rv = revise(z, z, progs, rules)
    assert rv.transisi_zona.empty and rv.perubahan_zona.empty
    path = tmp_path / "z.gpkg"
    z.to_file(path, layer="zona")
    pp = tmp_path / "p.gpkg"
    progs.to_file(pp, layer="p")
    rp = tmp_path / "itbx.csv"
    rp.write_text("activity,R-3,R-4,K-1\ntaman,I,T1,I\n")
    r = invoke(runner, ["revisi", "--zoning-lama", path, "--zoning-baru", path, "--programs", pp, "--rules", rp, "--out", tmp_path / "rev.gpkg"])
    assert r.exit_code == 0, r.output
    assert "0 code pairs changed" in r.output  # SPPR_LANG=en in tests (conftest)
    assert len(pyogrio.read_dataframe(tmp_path / "rev.gpkg", layer="transisi_zona")) == 0


def test_transitions_only_where_the_set_of_codes_changed_hand_computed():
    # old: R-3 [0,100] x [0,100], R-4 [80,200] (they overlap on [80,100])
    # new: R-4 shrinks to [90,200], and a K-1 overlay zone covers [0,30] over R-3
    old = _frame([("R-3", box(0, 0, 100, 100)), ("R-4", box(80, 0, 200, 100))])
    new = _frame([("R-3", box(0, 0, 100, 100)), ("R-4", box(90, 0, 200, 100)), ("K-1", box(0, 0, 30, 100))])
    table, changed = zone_transitions(old, new)
    # [0,30]: {R-3} -> {R-3, K-1}: and (R-3, K-1), 3000 m² each
    # [80,90]: {R-3, R-4} -> {R-3}: and, 1000 m² each; [30,80], [90,200] unchanged
    got = dict(zip(zip(table.kode_lama, table.kode_baru), table.luas_m2))
    assert got == pytest.approx({("R-3", "K-1"): 3000.0, ("R-3", "R-3"): 4000.0, ("R-4", "R-3"): 1000.0})
    assert dict(zip(zip(table.kode_lama, table.kode_baru), table.berubah)) == {("R-3", "K-1"): True, ("R-3", "R-3"): False, ("R-4", "R-3"): True}
    assert list(zip(changed.kode_lama, changed.kode_baru)) == [("R-3", "K-1"), ("R-4", "R-3")]
    assert changed.geometry.iloc[0].equals(box(0, 0, 30, 100)) and changed.geometry.iloc[1].equals(box(80, 0, 90, 100))


def test_disjoint_by_code_covers_the_union():
    g = np.array([box(0, 0, 10, 10), box(5, 0, 15, 10), box(8, 0, 20, 10), box(0, 0, 30, 5)], dtype=object)
    c = np.array(["A", "A", "A", "B"], dtype=object)
    d = disjoint_by_code(g, c)
    assert sum(x.area for x in d[:3]) == pytest.approx(200.0)
    assert d[3].equals(g[3])
    for i in range(3):
        for k in range(i):
            assert d[i].intersection(d[k]).area == pytest.approx(0.0, abs=1e-12)


def test_revise_statuses_equal_check_on_each_side():
    old = gdf([{"KODSZN": "R", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "S", "geometry": box(100, 0, 200, 100)}])
    new = gdf([{"KODSZN": "R", "geometry": box(0, 0, 60, 100)}, {"KODSZN": "S", "geometry": box(60, 0, 200, 100)}])
    rules = make_rules({"sekolah": {"R": "X", "S": "I"}, "taman": {"R": "I", "S": "T1"}})
    progs = gdf(
        [
            {"program_id": "a", "kegiatan": "sekolah", "geometry": Point(80, 50)},  # R -> S
            {"program_id": "b", "kegiatan": "sekolah", "geometry": Point(20, 50)},  # R, unchanged
            {"program_id": "c", "kegiatan": "taman", "geometry": LineString([(50, 50), (150, 50)])},
            {"program_id": "d", "kegiatan": "taman", "geometry": box(150, 10, 190, 20)},  # far from the change
            {"program_id": "e", "kegiatan": "taman", "geometry": None},
        ]
    )
    rv = revise(old, new, progs, rules)
    ps = rv.perubahan_status.set_index("program_id")
    for side, zoning in (("lama", old), ("baru", new)):
        ref = check(zoning, progs, rules).programs.set_index("program_id")
        assert list(ps[f"status_{side}"]) == list(ref["status"])
        assert list(ps[f"itbx_{side}"].astype(object).where(ps[f"itbx_{side}"].notna(), None)) == list(ref["itbx"].astype(object).where(ref["itbx"].notna(), None))
        assert np.allclose(ps[f"score_{side}"].to_numpy(dtype=float), ref["score"].to_numpy(dtype=float), equal_nan=True)
    assert list(ps["berubah"]) == [True, False, False, False, False]  # c stays T (R I, S T1) on both sides
    assert ps.loc["a", "status_lama"] == "tidak_sesuai" and ps.loc["a", "status_baru"] == "sesuai"
    trans = dict(zip(zip(rv.transisi_zona.kode_lama, rv.transisi_zona.kode_baru), rv.transisi_zona.luas_m2))
    assert trans == pytest.approx({("R", "S"): 4000.0})  # only where the place's codes changed
    # a revised matrix alone changes statuses too
    rules2 = make_rules({"sekolah": {"R": "I", "S": "I"}, "taman": {"R": "I", "S": "I"}})
    rv2 = revise(old, old, progs, rules, rules2)
    assert rv2.perubahan_status.set_index("program_id").loc["b", "status_baru"] == "sesuai"
    assert rv2.transisi_zona.empty and rv2.perubahan_zona.empty


def test_revisi_cli_on_the_sample(runner, tmp_path):
    zoning = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    new = zoning.copy()
    new.loc[new.index[:20], "KODSZN"] = "RTH-1"  # a revision that recodes 20 zones
    geom = new.geometry.values.copy()
    geom[25] = geom[25].buffer(15.0)  # and grows one over its neighbours
    new = new.set_geometry(gpd.GeoSeries(geom, crs=new.crs).values)
    path = tmp_path / "baru.gpkg"
    new.to_file(path, layer="rdtr_subzona")
    out, xlsx = tmp_path / "rev.gpkg", tmp_path / "rev.xlsx"
    r = invoke(
        runner,
        ["revisi", "--zoning-lama", SAMPLE / "zoning.gpkg:rdtr_subzona", "--zoning-baru", path, "--programs", SAMPLE / "rencana_pupr.gpkg",
         "--rules", SAMPLE / "itbx.csv", "--out", out, "--tables", xlsx],
    )
    assert r.exit_code == 0, r.output
    assert {"perubahan_status", "transisi_zona", "perubahan_zona"} <= {n for n, _ in pyogrio.list_layers(out)}
    ps = gpd.read_file(out, layer="perubahan_status")
    assert len(ps) == 66 and ps["berubah"].any()
    assert set(pd.ExcelFile(xlsx).sheet_names) == {"Perubahan Status", "Transisi Zona", "Perubahan Zona"}
    tz = pyogrio.read_dataframe(out, layer="transisi_zona")
    old_z = zoning.assign(zone_code=zoning["KODSZN"])
    new_z = new.assign(zone_code=new["KODSZN"])
    old_z = old_z.set_geometry(shapely.make_valid(old_z.geometry.values))
    new_z = new_z.set_geometry(shapely.make_valid(new_z.geometry.values))
    want = _oracle(old_z, new_z)
    got = dict(zip(zip(tz.kode_lama, tz.kode_baru), tz.luas_m2))
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-4)
    r = invoke(runner, ["revisi", "--zoning-lama", SAMPLE / "zoning.gpkg:rdtr_subzona", "--zoning-baru", path, "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", SAMPLE / "itbx.csv", "--out", tmp_path / "x.txt"])
    assert r.exit_code == 2 and ".gpkg" in r.output


# ----------------------------------------------------------------------------- sppr site


SITE_CASES = [
    ("pasar_rakyat", "POINT (442500 103300)"),
    ("pembangunan_jalan", "LINESTRING (442500 103300, 442700 103350, 442900 103100)"),
    ("pembangunan_sekolah", "POLYGON ((442400 103200, 442650 103200, 442650 103420, 442400 103420, 442400 103200))"),
    ("tps3r", "POLYGON ((442400 103200, 442650 103200, 442650 103420, 442400 103420, 442400 103200))"),
]


@pytest.mark.parametrize(("kegiatan", "wkt"), SITE_CASES)
def test_site_equals_check(runner, tmp_path, kegiatan, wkt):
    r = invoke(runner, ["site", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--rules", SAMPLE / "itbx.csv", "--kegiatan", kegiatan, "--wkt", wkt, "--crs", "EPSG:32648", "--json"])
    assert r.exit_code == 0, r.output
    site = json.loads(r.output)
    assert set(site) == {"status", "itbx", "score", "dominant_zone", "keterangan", "syarat", "zone_shares", "saran_relokasi"}
    progs = tmp_path / "p.csv"
    pd.DataFrame({"program_id": ["s1"], "kegiatan": [kegiatan], "wkt": [wkt]}).to_csv(progs, index=False)
    out = tmp_path / "o.gpkg"
    r = invoke(runner, ["check", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--programs", progs, "--assume-crs", "EPSG:32648", "--rules", SAMPLE / "itbx.csv", "--out", out, "-q"])
    assert r.exit_code == 0, r.output
    row = gpd.read_file(out, layer="programs").iloc[0]
    assert site["status"] == row["status"] and site["keterangan"] == row["keterangan"]
    assert site["syarat"] == ("" if pd.isna(row["syarat"]) else row["syarat"])
    assert site["itbx"] == (None if pd.isna(row["itbx"]) else row["itbx"])
    assert site["dominant_zone"] == row["dominant_zone"]
    assert (site["score"] is None and pd.isna(row["score"])) or site["score"] == pytest.approx(row["score"], abs=1e-12)
    shares = pyogrio.read_dataframe(out, layer="zone_shares")
    assert [(s["zone_code"], s["itbx"]) for s in site["zone_shares"]] == list(zip(shares["zone_code"], shares["itbx"].where(shares["itbx"].notna(), None)))
    assert [s["share"] for s in site["zone_shares"]] == pytest.approx(list(shares["share"]), abs=1e-12)
    adv = gpd.read_file(out, layer="saran_relokasi")
    if site["status"] == "tidak_sesuai":
        assert site["saran_relokasi"]["keterangan"] == adv["keterangan"].iloc[0]
        if site["saran_relokasi"]["zone_code"] is not None:
            assert site["saran_relokasi"]["zone_code"] == adv["zone_code"].iloc[0]
            assert site["saran_relokasi"]["jarak_m"] == pytest.approx(adv["jarak_m"].iloc[0], abs=1e-9)
    else:
        assert site["saran_relokasi"] is None and len(adv) == 0


def test_site_lon_lat_and_library():
    z = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    rules_path = SAMPLE / "itbx.csv"
    from sppr_gis import read_rules

    rules = read_rules(rules_path)
    loaded = load_zoning(z)
    pt = gpd.GeoSeries([Point(442500, 103300)], crs=UTM48N).to_crs(4326).iloc[0]
    a = check_site(loaded, pt, "pasar_rakyat", rules)
    b = check_site(loaded, Point(442500, 103300), "pasar_rakyat", rules, crs=UTM48N)
    assert a.as_dict()["status"] == b.as_dict()["status"] and a.zone_shares == b.zone_shares


def test_site_usage_errors(runner):
    base = ["site", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--rules", SAMPLE / "itbx.csv", "--kegiatan", "pasar_rakyat"]
    for extra in ([], ["--wkt", "POINT (1 2)", "--lon", "104", "--lat", "1"], ["--wkt", "POINT (1"], ["--lon", "204", "--lat", "1"], ["--lon", "104"], ["--lon", "104", "--lat", "1", "--crs", "EPSG:32648"]):
        r = invoke(runner, base + extra)
        assert r.exit_code == 2, (extra, r.output)
        assert "Traceback" not in r.output
    r = invoke(runner, ["site", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--zone-field", "NOPE", "--rules", SAMPLE / "itbx.csv", "--kegiatan", "x", "--lon", "104.45", "--lat", "0.92"])
    assert r.exit_code == 1 and "NOPE" in r.output


# ----------------------------------------------------------------------------- sync config


def test_sync_config_keys(tmp_path):
    from sppr_gis.config import ConfigError, load_config

    cfg = load_config(SAMPLE / "sppr.toml")
    assert cfg.inputs.network_map is not None and cfg.parameters.network_class_field == "JNSRSR"
    text = (SAMPLE / "sppr.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('struktur_ruang = "struktur_ruang.gpkg:jaringan"\n', "").replace("relocation_distance = 2000", "relocation_distance = -1").replace('"jaringan_kegiatan.csv"', f'"{SAMPLE / "jaringan_kegiatan.csv"}"'))
    with pytest.raises(ConfigError) as err:
        load_config(bad, check_files=False)
    assert "inputs.network_map" in str(err.value) and "parameters.relocation_distance" in str(err.value)


def test_relocation_takes_2d_programs_as_they_are_and_flattens_3d():
    """Issue 18 memory: 2D programs (what the readers give) are not copied by force_2d; a 3D program
    still gets the advice of its 2D footprint, the distance worked out by hand."""
    from sppr_gis.relocation import _unfit_geometries

    zoning = gdf([{"KODSZN": "B", "geometry": box(100, 0, 200, 100)}, {"KODSZN": "A", "geometry": box(0, 0, 50, 100)}])
    rules = make_rules({"kerja": {"A": "X", "B": "I"}})
    flat = [Point(10, 50), LineString([(20, 10), (30, 10)])]
    progs = gdf([{"program_id": f"p{i}", "kegiatan_itbx": "kerja", "status": "tidak_sesuai", "geometry": g} for i, g in enumerate(flat)])
    pos, g = _unfit_geometries(progs, "status", None)
    assert pos.tolist() == [0, 1] and all(a is b for a, b in zip(g, progs.geometry.array))
    raised = gdf([{"program_id": f"p{i}", "kegiatan_itbx": "kerja", "status": "tidak_sesuai", "geometry": g} for i, g in enumerate([Point(10, 50, 7.0), LineString([(20, 10, 1.0), (30, 10, 2.0)])])])
    _, g3 = _unfit_geometries(raised, "status", None)
    assert shapely.has_z(raised.geometry.array).all() and not shapely.has_z(g3).any()
    assert all(shapely.equals(a, b) for a, b in zip(g3, progs.geometry.array))
    for frame in (progs, raised):
        index = PermittedZones(zoning.geometry.values, zoning["KODSZN"].to_numpy(), rules)
        adv = relocation_advice(frame, index, rules, max_distance=400.0).set_index("program_id")
        assert adv.loc["p0", "zone_code"] == "B" and adv.loc["p0", "jarak_m"] == pytest.approx(90.0)
        assert adv.loc["p1", "jarak_m"] == pytest.approx(70.0)
