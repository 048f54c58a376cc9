"""The zone-share engine against hand-computed answers and an independent oracle.

The oracle is the contract's definition taken literally with shapely:
``measure(p ∩ union_all(zones of code c))``; the engine never forms those unions,
so agreement checks the seam handling, the containment shortcut, the splitting
of large zones and the chunked/threaded execution.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, box

from sppr_gis.engine import ZoneIndex, compute_shares


def shares_dict(result, i):
    p = result.pairs[result.pairs["prog"] == i]
    return {z: round(s, 9) for z, s in zip(p["zone_code"], p["share"])}


# ----------------------------------------------------------------- hand-built cases
ZONES = np.array(
    [
        box(0, 0, 100, 100),  # A
        box(100, 0, 200, 100),  # A (same-code seam at x=100)
        box(200, 0, 300, 100),  # B (A|B border at x=200)
        Polygon([(0, 100), (300, 100), (300, 200), (0, 200)], holes=[[(100, 120), (200, 120), (200, 180), (100, 180)]]),  # C with hole
        box(100, 120, 200, 180),  # D fills the hole
        MultiPolygon([box(0, 200, 50, 250), box(250, 200, 300, 250)]),  # E two parts, gap between
    ],
    dtype=object,
)
CODES = np.array(["A", "A", "B", "C", "D", "E"])


@pytest.mark.parametrize(
    "geom, expected, unzoned",
    [
        (LineString([(100, 10), (100, 90)]), {"A": 1.0}, 0.0),  # along same-code seam: counted once
        (LineString([(200, 10), (200, 90)]), {"A": 1.0, "B": 1.0}, 0.0),  # along a border of two codes: both fully
        (LineString([(50, 50), (250, 50)]), {"A": 0.75, "B": 0.25}, 0.0),  # across the seam and the border
        (LineString([(150, 110), (150, 190)]), {"C": 0.25, "D": 0.75}, 0.0),  # through the hole: 20 m C, 60 m D
        (LineString([(0, 225), (300, 225)]), {"E": 1 / 3}, 2 / 3),  # multipolygon parts, 200 m unzoned
        (LineString([(250, 50), (350, 50)]), {"B": 0.5}, 0.5),  # half outside all zones
        (MultiLineString([[(10, 10), (90, 10)], [(210, 10), (290, 10)]]), {"A": 0.5, "B": 0.5}, 0.0),
        (box(50, 50, 150, 150), {"A": 0.5, "C": 0.35, "D": 0.15}, 0.0),  # 5000 A; D = 50x30 = 1500; C = 5000 - 1500
        (box(120, 130, 180, 170), {"D": 1.0}, 0.0),  # properly inside the hole-filler
        (box(250, 0, 350, 100), {"B": 0.5}, 0.5),
        (Point(50, 50), {"A": 1.0}, 0.0),
        (Point(100, 50), {"A": 1.0}, 0.0),  # on a same-code seam: one code
        (Point(200, 50), {"A": 0.5, "B": 0.5}, 0.0),  # on a border of two codes
        (Point(200, 100), {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}, 0.0),  # where three codes meet
        (Point(150, 120), {"C": 0.5, "D": 0.5}, 0.0),  # on the hole's ring
        (Point(500, 500), {}, 1.0),
        (MultiPoint([(50, 50), (500, 500)]), {"A": 0.5}, 0.5),
    ],
)
def test_hand_computed_shares(geom, expected, unzoned):
    res = compute_shares(ZONES, CODES, np.array([geom], dtype=object), workers=1)
    assert shares_dict(res, 0) == pytest.approx(expected, abs=1e-9)
    assert res.unzoned[0] == pytest.approx(unzoned, abs=1e-9)


def test_measures_are_metres_and_square_metres():
    progs = np.array([LineString([(50, 50), (250, 50)]), box(50, 50, 150, 150), Point(1, 1)], dtype=object)
    res = compute_shares(ZONES, CODES, progs, workers=1)
    assert res.measure.tolist() == [200.0, 10000.0, 1.0]
    m = res.pairs.set_index(["prog", "zone_code"])["measure"]
    assert m[(0, "A")] == pytest.approx(150.0)
    assert m[(1, "C")] == pytest.approx(3500.0)
    assert res.dim.tolist() == [1, 2, 0]


def test_null_empty_and_degenerate_geometries_are_not_measured():
    progs = np.array([None, Polygon(), LineString([(1, 1), (1, 1)]), box(10, 10, 20, 20)], dtype=object)
    res = compute_shares(ZONES, CODES, progs, workers=1)
    assert np.isnan(res.measure[:3]).all() and np.isnan(res.unzoned[:3]).all()
    assert set(res.pairs["prog"]) == {3}


def test_overlapping_same_code_polygons_are_unioned_not_summed():
    zones = np.array([box(0, 0, 60, 100), box(40, 0, 100, 100)], dtype=object)  # overlap 40..60
    res = compute_shares(zones, np.array(["A", "A"]), np.array([box(0, 0, 100, 100)], dtype=object), workers=1)
    assert shares_dict(res, 0) == {"A": 1.0}
    assert res.unzoned[0] == 0.0


def test_large_zone_is_split_without_changing_answers():
    # a 2,000-vertex circle-ish zone; with max_vertices=32 it is cut into many pieces
    circle = Point(0, 0).buffer(1000, quad_segs=500)
    zones = np.array([circle, box(1000, -1000, 2000, 1000)], dtype=object)
    codes = np.array(["HL", "R-2"])
    progs = np.array(
        [LineString([(-1500, 0), (1500, 0)]), LineString([(0, -900), (0, 900)]), box(-500, -500, 1500, 500), Point(0, 0)],
        dtype=object,
    )
    whole = ZoneIndex(zones, codes, max_vertices=10_000)
    cut = ZoneIndex(zones, codes, max_vertices=32)
    assert len(cut.pieces) > 50 and len(whole.pieces) == 2
    a, b = whole.shares(progs, workers=1), cut.shares(progs, workers=2, chunk_size=1)
    assert a.pairs[["prog", "zone_code"]].equals(b.pairs[["prog", "zone_code"]])
    np.testing.assert_allclose(a.pairs["measure"], b.pairs["measure"], rtol=1e-9)
    np.testing.assert_allclose(a.unzoned, b.unzoned, atol=1e-9)
    # the vertical line lies on the cut at x=0 along its whole length: still counted once
    assert shares_dict(b, 1) == {"HL": 1.0}


def test_line_along_the_edge_of_a_cut_zone_keeps_its_full_length():
    # Two zones share a 700-vertex wiggly edge; a road digitised on that edge
    # belongs wholly to both (closed polygons). Cutting the big zones adds rounded
    # vertices on the shared edge; the engine must still measure the full length.
    rng = np.random.default_rng(1)
    xs = np.sort(rng.uniform(0, 1000, 700))
    xs[0], xs[-1] = 0.0, 1000.0
    edge = np.c_[xs, 3 * np.sin(xs / 7.3) + rng.uniform(-0.5, 0.5, len(xs))]
    north = shapely.Polygon(np.vstack([edge, [[1000, 1000], [0, 1000]]]))
    south = shapely.Polygon(np.vstack([edge[::-1], [[0, -1000], [1000, -1000]]]))
    assert north.is_valid and south.is_valid
    sel = (xs > 123.4) & (xs < 876.5)
    road = LineString(edge[sel])
    expected = float(np.hypot(*np.diff(edge[sel], axis=0).T).sum())  # by hand: sum of segment lengths
    # a point exactly on an original vertex next to the x=500 cut
    vertex = Point(edge[np.searchsorted(xs, 500.0)])
    progs = np.array([road, vertex, LineString(edge[(xs > 480) & (xs < 520)])], dtype=object)
    for max_vertices in (10_000, 256, 40):
        index = ZoneIndex(np.array([north, south], dtype=object), np.array(["RTH-1", "R-2"]), max_vertices=max_vertices)
        res = index.shares(progs, workers=2, chunk_size=1)
        got = res.pairs[res.pairs["prog"] == 0].set_index("zone_code")["measure"].to_dict()
        assert got == pytest.approx({"R-2": expected, "RTH-1": expected}, rel=1e-12), max_vertices
        assert shares_dict(res, 1) == {"R-2": 0.5, "RTH-1": 0.5}
        assert shares_dict(res, 2) == {"R-2": 1.0, "RTH-1": 1.0}
        assert list(res.unzoned) == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- property tests
def tessellation(nx: int, ny: int, size: float, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    geoms, cs = [], []
    for i in range(nx):
        for j in range(ny):
            geoms.append(box(i * size, j * size, (i + 1) * size, (j + 1) * size))
            cs.append(codes[(i * 7 + j * 3) % len(codes)])
    return np.array(geoms, dtype=object), np.array(cs)


def oracle(zones, codes, geom):
    """The contract's definition, literally: intersect with the per-code union."""
    dim = shapely.get_dimensions(geom)
    out = {}
    if dim == 0:
        pts = shapely.get_parts(geom)
        for pt in pts:
            hit = sorted({c for z, c in zip(zones, codes) if z.intersects(pt)})
            for c in hit:
                out[c] = out.get(c, 0.0) + 1.0 / len(pts) / len(hit)
        return out
    fn = shapely.area if dim == 2 else shapely.length
    total = fn(shapely.union_all([geom]))  # the point set: a line doubling back counts once
    for c in sorted(set(codes)):
        m = fn(shapely.intersection(geom, shapely.union_all(zones[codes == c])))
        if m > 0:
            out[c] = m / total
    return out


# millimetre precision, like real survey data (1e-162 offsets make near-collinear segments no tool agrees on)
coord = st.floats(min_value=-50, max_value=450, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
grid_coord = st.integers(min_value=-1, max_value=9).map(lambda v: v * 50.0)
point_st = st.tuples(coord, coord).map(Point)
line_st = st.lists(st.tuples(coord, coord), min_size=2, max_size=6).map(LineString)
# lines on the grid lines (seams and borders) are the hard case
grid_line_st = st.lists(st.tuples(grid_coord, grid_coord), min_size=2, max_size=5).map(LineString)
poly_st = st.tuples(coord, coord, st.floats(1, 200), st.floats(1, 200)).map(lambda t: box(t[0], t[1], t[0] + t[2], t[1] + t[3]))
geom_st = st.one_of(point_st, line_st, grid_line_st, poly_st, st.tuples(grid_coord, grid_coord).map(Point))

ZG, ZC = tessellation(8, 8, 50.0, ["R-2", "K-1", "RTH-2"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(geom_st, min_size=1, max_size=12))
def test_engine_matches_oracle(geoms):
    progs = np.array(geoms, dtype=object)
    res = compute_shares(ZG, ZC, progs, workers=2, max_vertices=64)
    for i, g in enumerate(geoms):
        if not shapely.get_dimensions(g) == 0 and (shapely.area(g) if shapely.get_dimensions(g) == 2 else shapely.length(g)) == 0:
            continue
        got = shares_dict(res, i)
        exp = oracle(ZG, ZC, g)
        assert got.keys() == exp.keys()
        for c in exp:
            assert got[c] == pytest.approx(exp[c], abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.lists(geom_st, min_size=1, max_size=10))
def test_shares_in_unit_interval_and_full_tessellation_sums_to_one(geoms):
    progs = np.array(geoms, dtype=object)
    res = compute_shares(ZG, ZC, progs, workers=1)
    assert ((res.pairs["share"] >= 0) & (res.pairs["share"] <= 1)).all()
    ok = ~np.isnan(res.unzoned)
    assert ((res.unzoned[ok] >= 0) & (res.unzoned[ok] <= 1)).all()
    inside = box(0, 0, 400, 400)
    sums = res.pairs.groupby("prog")["share"].sum()
    for i, g in enumerate(geoms):
        if np.isnan(res.unzoned[i]) or not inside.contains(g):
            continue
        assert res.unzoned[i] == pytest.approx(0.0, abs=1e-9)
        if shapely.get_dimensions(g) in (0, 2):
            # points split 1/k; polygon pieces of different codes have disjoint interiors
            assert sums[i] == pytest.approx(1.0, abs=1e-9)
        else:
            assert sums[i] >= 1.0 - 1e-9  # a line along a border counts for both codes


@settings(max_examples=40, deadline=None)
@given(st.lists(geom_st, min_size=1, max_size=10), st.integers(0, 63), st.floats(0.05, 0.95), st.randoms(use_true_random=False))
def test_splitting_a_zone_and_shuffling_change_nothing(geoms, which, frac, rnd):
    progs = np.array(geoms, dtype=object)
    base = compute_shares(ZG, ZC, progs, workers=1)
    # split one zone into two same-code pieces along x = x0 + frac * 50, and add a line on that seam
    x0, y0, x1, y1 = ZG[which].bounds
    xs = x0 + frac * (x1 - x0)
    zones = list(ZG[:which]) + [box(x0, y0, xs, y1), box(xs, y0, x1, y1)] + list(ZG[which + 1 :])
    codes = list(ZC[:which]) + [ZC[which], ZC[which]] + list(ZC[which + 1 :])
    seam_line = LineString([(xs, y0), (xs, y1)])
    progs2 = np.array(list(geoms) + [seam_line], dtype=object)
    order = list(range(len(zones)))
    rnd.shuffle(order)
    porder = list(range(len(progs2)))
    rnd.shuffle(porder)
    split = compute_shares(np.array(zones, dtype=object)[order], np.array(codes)[order], progs2[porder], workers=2)
    back = {p: i for i, p in enumerate(porder)}  # original index -> shuffled position
    for i in range(len(geoms)):
        assert shares_dict(split, back[i]) == pytest.approx(shares_dict(base, i), abs=1e-9)
        a, b = base.unzoned[i], split.unzoned[back[i]]
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-9)
    assert shares_dict(split, back[len(geoms)]) == {ZC[which]: 1.0}


def test_line_doubling_back_is_measured_once():
    # out and back along the same road: the point set is 100 m, half in each zone
    line = LineString([(150, 25), (250, 25), (150, 25)])
    res = compute_shares(ZONES, CODES, np.array([line], dtype=object), workers=1)
    assert res.measure[0] == pytest.approx(100.0)
    assert shares_dict(res, 0) == pytest.approx({"A": 0.5, "B": 0.5})


def test_threads_and_chunks_give_the_same_answer():
    rng = np.random.default_rng(7)
    pts = shapely.points(rng.uniform(0, 400, (500, 2)))
    lines = shapely.linestrings(rng.uniform(0, 400, (300, 4, 2)))
    progs = np.concatenate([pts, lines])
    one = compute_shares(ZG, ZC, progs, workers=1)
    index = ZoneIndex(ZG, ZC)
    many = index.shares(progs, workers=2, chunk_size=37)
    assert one.pairs.equals(many.pairs)
    np.testing.assert_array_equal(one.unzoned, many.unzoned)


# Issue 18 (warm runs): the line meter finds the boundary segments near a program segment through
# runs of 32 boundary segments, then blocks of 8 inside them, then the segments; zones with rings of
# hundreds of vertices and lines along, across and near them measure as the literal definition says.
_RING = shapely.buffer(Point(0, 0), 100.0, quad_segs=64)  # 257 vertices: many runs and blocks
_ROUND = np.array([_RING, shapely.affinity.translate(_RING, 150.0, 0.0), shapely.affinity.translate(_RING, 75.0, 120.0)], dtype=object)
_ROUND_CODES = np.array(["R-2", "K-1", "R-2"], dtype=object)
_EDGE = np.asarray(_RING.exterior.coords)


@pytest.mark.parametrize(
    "line",
    [
        LineString(_EDGE[3:140]),  # along the ring over many blocks and runs (on the boundary: inside)
        LineString(_EDGE[30:34]),  # along the ring inside one block
        LineString(_EDGE[5:70] + [0.0, 1e-8]),  # along it, within the collinear tolerance
        LineString(_EDGE[5:70] + [0.0, 1e-3]),  # along it, a millimetre off (in and out)
        LineString([(-120, -5), (280, 7), (90, 240), (60, -130)]),  # across all three
        LineString([(-99.9, 0.0), (99.9, 0.0)]),  # a chord ending just inside the ring
    ],
)
def test_lines_near_long_rings_match_the_definition(line):
    res = compute_shares(_ROUND, _ROUND_CODES, np.array([line], dtype=object), workers=1, max_vertices=64)
    got, exp = shares_dict(res, 0), oracle(_ROUND, _ROUND_CODES, line)
    assert got.keys() == exp.keys()
    for c in exp:
        assert got[c] == pytest.approx(exp[c], abs=1e-7)
