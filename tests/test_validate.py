"""Zoning topology and geometry findings, with areas worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely import Polygon, box

from sppr_gis.validate import duplicate_ids, repair_geometries, zoning_topology
import pandas as pd


def topo(geoms, codes, workers=2, **kw):
    g = np.array(geoms, dtype=object)
    ids = np.array([f"#{i + 1}" for i in range(len(g))], dtype=object)
    return zoning_topology(g, np.array(codes, dtype=object), ids, "zona.gpkg", workers=workers, **kw)


def test_clean_tessellation_has_no_findings():
    geoms = [box(x, y, x + 10, y + 10) for x in range(0, 50, 10) for y in range(0, 50, 10)]
    t = topo(geoms, ["A", "B"] * 12 + ["A"])
    assert t.findings == [] and len(t.overlaps[0]) == 0 and t.noise_gap_area == 0.0


def test_overlap_containment_and_gap():
    geoms = [
        box(0, 0, 100, 100),  # A
        box(90, 0, 200, 100),  # B: overlaps A by 10 x 100 = 1000 m²
        box(20, 20, 30, 30),  # C: inside A, 100 m²
        Polygon([(0, 100), (200, 100), (200, 200), (0, 200)], holes=[[(50, 150), (60, 150), (60, 160), (50, 160)]]),  # A, hole 100 m² = gap
        box(150, 20, 160, 30),  # B inside B: same-code overlap 100 m²
    ]
    t = topo(geoms, ["A", "B", "C", "A", "B"])
    got = sorted((f.code, f.feature_id, f.severity) for f in t.findings)
    assert got == [
        ("celah_zona", "celah-1", "error"),
        ("tumpang_tindih_kode_sama", "#2,#5", "warning"),
        ("tumpang_tindih_zona", "#1,#2", "error"),
        ("tumpang_tindih_zona", "#1,#3", "error"),
    ]
    msgs = {f.feature_id: f.message for f in t.findings}
    assert "1.000,0 m²" in msgs["#1,#2"] and "100,0 m²" in msgs["#1,#3"] and "100,0 m²" in msgs["celah-1"]
    where = {f.feature_id: f.geometry for f in t.findings}
    # every finding is located by its own polygon, built here by hand
    assert where["#1,#2"].symmetric_difference(box(90, 0, 100, 100)).area < 1e-9
    assert where["#1,#3"].symmetric_difference(box(20, 20, 30, 30)).area < 1e-9
    assert where["#2,#5"].symmetric_difference(box(150, 20, 160, 30)).area < 1e-9
    assert where["celah-1"].symmetric_difference(box(50, 150, 60, 160)).area < 1e-9
    pairs = set(zip(*t.overlaps))
    assert pairs == {(0, 1), (0, 2), (1, 4)}


def test_slivers_are_summarized_not_listed():
    geoms = [
        box(0, 0, 100, 100),  # A
        box(99.7, 0, 200, 100),  # B: a 0.3 m wide overlap with A, 30 m², digitizing noise
        box(200.4, 0, 300, 100),  # C: a 0.4 m gap to B, closed by D above: 40 m² of noise
        box(0, 100, 300, 150),  # D
        box(10, 10, 11.5, 10.5),  # E: inside A, 1.5 m x 0.5 m: narrower than 1 m -> noise (0.75 m²)
        box(50, 50, 52, 52),  # F: inside A, 2 x 2 m: real (4 m²)
    ]
    t = topo(geoms, ["A", "B", "C", "D", "E", "F"])
    codes = sorted(f.code for f in t.findings)
    assert codes == ["celah_sempit", "tumpang_tindih_sempit", "tumpang_tindih_zona", "zona_serpihan"]
    crumb = next(f for f in t.findings if f.code == "zona_serpihan")
    assert crumb.message.startswith("1 fitur zona") and "#5" in crumb.message and crumb.geometry.area == pytest.approx(0.75)
    real = [f for f in t.findings if f.code == "tumpang_tindih_zona"]
    assert real[0].feature_id == "#1,#6" and "4,0 m²" in real[0].message
    assert t.noise_overlaps == 2 and t.noise_overlap_area == pytest.approx(30.0 + 0.75)
    assert t.noise_gap_area == pytest.approx(40.0)
    info = {f.code: f for f in t.findings if f.severity == "info"}
    assert "2 pasang" in info["tumpang_tindih_sempit"].message
    assert "40,0 m²" in info["celah_sempit"].message
    assert info["tumpang_tindih_sempit"].geometry.area == pytest.approx(30.75)
    # with tolerances of zero every overlap is listed
    strict = topo(geoms, ["A", "B", "C", "D", "E", "F"], sliver_width=0.0, sliver_area=0.0)
    assert sorted(f.feature_id for f in strict.findings if f.code == "tumpang_tindih_zona") == ["#1,#2", "#1,#5", "#1,#6"]


def test_one_and_two_threads_agree():
    rng = np.random.default_rng(3)
    geoms = [box(x, y, x + w, y + w) for x, y, w in zip(rng.uniform(0, 500, 300), rng.uniform(0, 500, 300), rng.uniform(5, 40, 300))]
    codes = list(rng.choice(["A", "B", "C"], 300))
    a, b = topo(geoms, codes, workers=1), topo(geoms, codes, workers=2)
    assert [f.feature_id for f in a.findings] == [f.feature_id for f in b.findings]
    assert set(zip(*a.overlaps)) == set(zip(*b.overlaps))


def test_repair_and_empty():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    fixed, findings = repair_geometries(np.array([bowtie, None, Polygon(), box(0, 0, 1, 1)], dtype=object), ["a", "b", "c", "d"], "p")
    assert fixed[0].area == pytest.approx(50.0)  # two triangles of 25 m²
    assert [(f.feature_id, f.code) for f in findings] == [("b", "geometri_kosong"), ("c", "geometri_kosong"), ("a", "geometri_diperbaiki")]
    assert fixed[3].equals(box(0, 0, 1, 1))


def test_duplicate_and_missing_ids():
    out = duplicate_ids(pd.Series(["P1", "P2", "P1", None, " "]), "p", "program_id")
    assert sorted((f.feature_id, f.code) for f in out) == [("#4", "id_kosong"), ("#5", "id_kosong"), ("P1", "id_ganda")]


def test_three_zones_overlapping_at_once_are_not_subtracted_twice():
    # three 2 m wide strips crossing in one 2 x 2 m square (A∩B∩C = 4 m²), framed by D with a 1 m hole beside them
    geoms = [
        box(0, 10, 30, 12),  # A (horizontal)
        box(10, 0, 12, 30),  # B (vertical): A∩B = 4 m²
        box(9, 9, 13, 13),  # C: over the crossing, A∩C = 8, B∩C = 8, A∩B∩C = 4
        Polygon([(-10, -10), (40, -10), (40, 40), (-10, 40)], holes=[[(0, 0), (30, 0), (30, 30), (0, 30)]]),  # D: a frame
    ]
    t = topo(geoms, ["A", "B", "C", "D"], sliver_width=0.5)
    assert sorted(zip(*t.overlaps)) == [(0, 1), (0, 2), (1, 2)]
    # the union leaves the frame's hole minus the strips: 900 - (60 + 60 - 4) - (16 - 8 - 8 + 4) = 780 m², one real gap
    gaps = [f for f in t.findings if f.code == "celah_zona"]
    assert sum(f.geometry.area for f in gaps) == pytest.approx(780.0)
    assert t.noise_gap_area == pytest.approx(0.0, abs=1e-6)


def test_noise_gap_area_equals_an_exact_union():
    """Jittered 8 x 8 grid: the narrow gaps' area against the union taken literally."""
    rng = np.random.default_rng(5)
    geoms = []
    for i in range(8):
        for j in range(8):
            ring = np.asarray(shapely.segmentize(box(i * 40, j * 40, (i + 1) * 40, (j + 1) * 40), 8).exterior.coords)[:-1]
            geoms.append(shapely.make_valid(Polygon(ring + np.clip(rng.normal(0, 0.2, ring.shape), -0.5, 0.5))))
    t = topo(geoms, ["A", "B"] * 32)
    g = np.array(geoms, dtype=object)
    union = shapely.union_all(g)
    closing = shapely.buffer(shapely.buffer(union, 0.5, join_style="mitre"), -0.5, join_style="mitre")
    assert closing.area - union.area > 50  # there are slivers to find
    assert t.noise_gap_area == pytest.approx(closing.area - union.area, rel=1e-3)
    # and the overlaps add up: sum of areas - union = overlap area - triple overlaps (checked within 0.1 %)
    assert t.noise_overlap_area == pytest.approx(shapely.area(g).sum() - union.area + 0.0, rel=1e-2)
    assert not [f for f in t.findings if f.severity != "info"]


def test_overlaps_and_gap_of_a_digitized_layer_against_whole_zone_overlays():
    """tests/golden/digitized.gpkg: pieces vs whole zones, and the gap vs the holes of a literal union."""
    from pathlib import Path

    import pyogrio

    from sppr_gis.validate import zone_overlaps

    z = pyogrio.read_dataframe(Path(__file__).parent / "golden" / "digitized.gpkg", layer="zoning")
    g = np.asarray(shapely.make_valid(z.geometry.values, method="linework"), dtype=object)
    g = np.array([shapely.union_all([p for p in shapely.get_parts(x) if p.geom_type == "Polygon"]) for x in g], dtype=object)
    ov = zone_overlaps(g, workers=2)
    # second method: DE-9IM on whole zones, then their intersection
    l, r = shapely.STRtree(g).query(g)
    keep = (l < r) & shapely.relate_pattern(g[l], g[r], "T********")
    assert set(zip(ov.left.tolist(), ov.right.tolist())) == set(zip(l[keep].tolist(), r[keep].tolist()))
    whole = dict(zip(zip(l[keep].tolist(), r[keep].tolist()), shapely.area(shapely.intersection(g[l[keep]], g[r[keep]]))))
    np.testing.assert_allclose(ov.area, [whole[(a, b)] for a, b in zip(ov.left.tolist(), ov.right.tolist())], rtol=1e-9, atol=1e-9)
    t = topo(g, z["KODSZN"].tolist())
    gaps = [f for f in t.findings if f.code == "celah_zona"]
    union = shapely.union_all(g)
    # a hole of the union, less any zone drawn inside it (an island), is a gap
    holes = [shapely.difference(shapely.Polygon(ring), union) for p in shapely.get_parts(union) for ring in p.interiors]
    real = [h for h in holes if h.area >= 1.0 and not shapely.is_empty(shapely.buffer(h, -0.5, join_style="mitre"))]
    assert len(gaps) == len(real) == 1  # the cell drawn 2 m short of its neighbours
    # the listed gap lies in the literal hole and holds all of it but its parts narrower than 1 m
    # (the slivers that run off it between jittered neighbours, which are noise)
    found, hole = gaps[0].geometry, real[0]
    opening = shapely.buffer(shapely.buffer(hole, -0.5, join_style="mitre"), 0.5, join_style="mitre")
    assert shapely.difference(found, hole).area < 1e-6
    assert shapely.difference(opening, found).area < 1e-6
    assert opening.area <= found.area <= hole.area
    listed = {f.feature_id for f in t.findings if f.code.startswith("tumpang_tindih") and f.severity != "info"}
    # the shifted duplicate of cell #31, and the overlay #145 over cells (2, 2) = #27 and (3, 2) = #39
    assert {"#31,#148", "#27,#145", "#39,#145"} <= listed


def test_narrow_gap_kept_when_four_zones_overlap_at_one_place():
    """Issue 22: four zones covering one place made the union area (inclusion-exclusion to three zones)
    too large by that place's area, and the 40 m² narrow gap elsewhere vanished from `celah_sempit`."""
    geoms = [
        box(0, 0, 100, 100),  # A
        box(100.4, 0, 200, 100),  # B: a 0.4 m gap to A, closed by D above: 0.4 x 100 = 40 m² of noise
        box(0, 100, 200, 150),  # D
        box(20, 20, 60, 60),  # E inside A (1,600 m²)
        box(25, 25, 55, 55),  # F inside E (900 m²)
        box(30, 30, 50, 50),  # G inside F (400 m²): A, E, F and G all cover G's 400 m²
    ]
    t = topo(geoms, ["A", "B", "D", "E", "F", "G"])
    assert t.noise_gap_area == pytest.approx(40.0)
    info = {f.code: f for f in t.findings if f.severity == "info"}
    assert "40,0 m²" in info["celah_sempit"].message


def test_overlap_excess_counts_k_minus_one_times():
    """The area counted more than once, against a hand computation: nested E ⊃ F ⊃ G inside A cover
    G (400 m²) 4 times, F minus G (500 m²) 3 times, E minus F (700 m²) twice: 3·400 + 2·500 + 700 = 2,900 m²;
    plus a lone 10 x 100 overlap of A and B (1,000 m², covered twice)."""
    from sppr_gis.validate import _overlap_excess_area, zone_overlaps

    geoms = np.array([box(0, 0, 100, 100), box(20, 20, 60, 60), box(25, 25, 55, 55), box(30, 30, 50, 50), box(90, 0, 200, 100), box(0, 200, 10, 210)], dtype=object)
    excess = _overlap_excess_area(zone_overlaps(geoms, workers=1))
    assert excess == pytest.approx(2900.0 + 1000.0)
    union = shapely.union_all(geoms).area  # a second method: GEOS's union
    assert shapely.area(geoms).sum() - excess == pytest.approx(union)


def test_overlaps_of_a_large_piece_with_a_wide_box_equal_every_pairwise_overlay():
    """A 1,000-vertex ring (a river around a town) has a bounding box holding zones it never touches;
    the pairs it really overlaps, and their areas, equal a brute-force overlay of every pair of zones."""
    from sppr_gis.validate import OVERLAP_PIECE_VERTICES, zone_overlaps

    ring = shapely.Point(500, 500).buffer(400, quad_segs=256).difference(shapely.Point(500, 500).buffer(380, quad_segs=256))
    assert shapely.get_num_coordinates(ring) > OVERLAP_PIECE_VERTICES
    zones = [ring]
    # inside the ring's box: zones in the ring's hole (no contact), one touching it, three overlapping it
    zones += [box(450 + 30 * i, 450, 470 + 30 * i, 470) for i in range(3)]
    zones += [box(880 - 1e-9, 490, 950, 510), box(100, 480, 130, 520), box(480, 870, 520, 890), box(485, 875, 515, 900)]
    zones += [box(0, 0, 60, 60)]  # a corner of the box, outside the ring
    geoms = np.array(zones, dtype=object)
    ov = zone_overlaps(geoms, workers=2)
    want = {}
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            inter = shapely.intersection(geoms[i], geoms[j])
            parts = [p for p in shapely.get_parts(inter) if p.geom_type == "Polygon" and p.area > 0]
            if parts:
                want[(i, j)] = sum(p.area for p in parts)
    got = {(int(a), int(b)): float(x) for a, b, x in zip(ov.left, ov.right, ov.area)}
    assert set(got) == set(want) and len(want) >= 3
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-12)
    assert not shapely.is_prepared(geoms).any()  # the large piece is left as it was given


def _grid_zoning(n: int = 34):
    """n x n boxes of 10 m with 0.2 m overlaps along one axis (over 1,000 zones: the dilated union is chunked)."""
    import geopandas as gpd

    geoms = [box(10 * i, 10 * j, 10 * i + 10.2, 10 * j + 10) for i in range(n) for j in range(n)]
    geoms[5 * n + 5] = box(50, 50, 55, 55)  # the box at (50, 50) shrunk: an L-shaped gap of about 75 m² around it
    return gpd.GeoDataFrame({"KODSZN": ["R-1" if k % 3 else "K-1" for k in range(len(geoms))]}, geometry=geoms, crs="EPSG:32648")


def test_background_union_and_excess_give_the_findings_of_a_sequential_run():
    """prepare_zoning_qa starts the dilated union (and the overlaps' excess area) in threads of their own;
    its findings equal zoning_topology run step after step on one thread."""
    from sppr_gis.pipeline import prepare_zoning_qa

    frame = _grid_zoning()
    prepared = prepare_zoning_qa(frame, workers=2)
    geoms = np.asarray(prepared.zones.geometry.array, dtype=object)
    seq = zoning_topology(geoms, prepared.zones["zone_code"].to_numpy(dtype=object), prepared.ids, prepared.label, workers=1)
    got = [(f.code, f.feature_id, f.message, None if f.geometry is None else f.geometry.wkb) for f in prepared.topology.findings]
    want = [(f.code, f.feature_id, f.message, None if f.geometry is None else f.geometry.wkb) for f in seq.findings]
    assert got == want
    assert prepared.topology.noise_gap_area == seq.noise_gap_area
    assert any(f.code == "celah_zona" for f in seq.findings)  # the L-shaped gap, found by the union


@pytest.mark.parametrize("where", ["dilated_union", "_overlap_excess_area"])
def test_an_error_in_a_background_qa_step_is_raised_by_the_run(monkeypatch, where):
    """A step the QA runs in a thread of its own fails: the run raises that error, it is not lost."""
    from sppr_gis import validate
    from sppr_gis.pipeline import prepare_zoning_qa

    def boom(*a, **k):
        raise RuntimeError(f"injected in {where}")

    monkeypatch.setattr(validate, where, boom)
    with pytest.raises(RuntimeError, match=f"injected in {where}"):
        prepare_zoning_qa(_grid_zoning(), workers=2)


def test_one_worker_runs_the_qa_on_one_thread(monkeypatch):
    """workers=1 (the baseline the cluster is compared with) starts no thread for the union or the excess area."""
    import threading

    from sppr_gis.pipeline import prepare_zoning_qa

    started = []
    real = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (started.append(self.name), real(self))[1])
    prepare_zoning_qa(_grid_zoning(), workers=1)
    assert started == []
    prepare_zoning_qa(_grid_zoning(), workers=2)
    assert any(n.startswith("sppr-qa-union") for n in started) and any(n.startswith("sppr-qa-excess") for n in started)


def test_excess_area_of_separate_clusters_of_different_sizes_equals_an_exact_union():
    """Issue 18: the overlaps' excess area is polygonized one cluster at a time (clusters of one size
    together). Three separate clusters (a triple corner, four nested zones, a lone pair) and clusters
    that only touch each other: the zones' areas less the excess equal GEOS's union area (a second method),
    and the hand figures of the triple corner: A∩B 10 x 20, A∩C and B∩C 15 x 10 each, all three over
    A∩B∩C 10 x 10, counted there 2 times (not 3): 200 + 150 + 150 - 100 = 400 m²."""
    from sppr_gis.validate import _overlap_excess_area, zone_overlaps

    triple = [box(0, 0, 20, 20), box(10, 0, 30, 20), box(5, 10, 25, 30)]
    nested = [box(100, 0, 200, 100), box(120, 20, 160, 60), box(125, 25, 155, 55), box(130, 30, 150, 50)]
    lone = [box(300, 0, 400, 100), box(390, 0, 500, 100)]
    # two pairs whose overlaps touch along x = 610 (a cluster of two that only touch)
    touching = [box(600, 0, 610, 10), box(605, 0, 615, 10), box(610, 0, 620, 10)]
    geoms = np.array(triple + nested + lone + touching, dtype=object)
    excess = _overlap_excess_area(zone_overlaps(geoms, workers=1))
    assert shapely.area(geoms).sum() - excess == pytest.approx(shapely.union_all(geoms).area)
    assert _overlap_excess_area(zone_overlaps(np.array(triple, dtype=object), workers=1)) == pytest.approx(
        200.0 + 150.0 + 150.0 - 100.0
    )


def test_hull_bound_never_skips_an_overlap_that_holds_a_disk():
    """Issue 18: overlaps whose convex hull cannot hold a disk of w/2 are not eroded. A 10 x 10 square
    with 200 thin 0.05 m spikes has 2·area/perimeter far below 0.5 m (so that ratio of the polygon itself
    would be wrong), yet holds a 5 m disk: it is kept; a 50 m long, 0.9 m wide diagonal lens (a rhombus:
    2·22.5 / 100.02 = 0.45 m) is skipped, and its erosion by 0.5 m (a second method) is empty."""
    from sppr_gis.validate import _may_hold_disk

    spikes = [box(i * 0.05, 10, i * 0.05 + 0.01, 60) for i in range(200)]
    comb = shapely.union_all([box(0, 0, 10, 10), *spikes])
    assert 2 * comb.area / comb.length < 0.5
    strip = shapely.affinity.rotate(Polygon([(0, 0), (25, -0.45), (50, 0), (25, 0.45)]), 37, origin=(0, 0))
    keep = _may_hold_disk(np.array([comb, strip], dtype=object), 0.5)
    assert keep.tolist() == [True, False]
    assert shapely.buffer(strip, -0.5, join_style="mitre").is_empty
    assert not shapely.buffer(comb, -0.5, join_style="mitre").is_empty
