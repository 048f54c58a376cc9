"""Repairing only the invalid parts of an invalid MultiPolygon (issue 18).

The independent method is ``shapely.make_valid`` (linework) of the whole
geometry: the part-wise repair must cover the same area (symmetric difference
below 1e-9 of the area) and be as valid, on random MultiPolygons made of valid
boxes, bow-ties, self-touching rings, overlapping and duplicated parts.
"""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

from sppr_gis import overlay
from sppr_gis.validate import repair_geometries

SQUARE = box(100, 100, 110, 110)
BOWTIE = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # crosses itself at (1, 1)
# the ring touches itself at (2, 4): an inverted hole, repaired into a polygon with a hole
SELF_TOUCH = Polygon([(0, 0), (4, 0), (4, 4), (2, 4), (3, 2), (1, 2), (2, 4), (0, 4)])


def _whole(g):
    return shapely.make_valid(g, method="linework")


def _sym_area(a, b) -> float:
    pa = shapely.union_all([p for p in shapely.get_parts(a) if p.geom_type in ("Polygon", "MultiPolygon")])
    pb = shapely.union_all([p for p in shapely.get_parts(b) if p.geom_type in ("Polygon", "MultiPolygon")])
    return float(shapely.symmetric_difference(pa, pb).area)


def test_valid_parts_kept_as_they_are_and_bowtie_split():
    g = MultiPolygon([SQUARE, BOWTIE])
    geoms, findings = repair_geometries(np.array([g], dtype=object), ["#1"], "zona.gpkg")
    out = geoms[0]
    assert out.geom_type == "MultiPolygon" and shapely.is_valid(out)
    # the valid square comes back with its own coordinates (the whole-geometry repair re-nodes and re-orders it)
    assert shapely.equals_exact(shapely.get_geometry(out, 0), SQUARE, tolerance=0)
    assert not shapely.equals_exact(shapely.get_geometry(_whole(g), 2), SQUARE, tolerance=0)
    # the bow-tie becomes its two triangles of area 1 each (by hand): 100 + 2
    assert out.area == 102.0 and shapely.get_num_geometries(out) == 3
    assert [f.code for f in findings] == ["geometri_diperbaiki"] and "MultiPolygon" in findings[0].message


def test_overlapping_or_edge_touching_parts_repair_the_whole():
    # an invalid part overlapping a valid one, and one sharing an edge: noded together, as the whole repair
    for g in (MultiPolygon([box(1, 1, 3, 3), BOWTIE]), MultiPolygon([box(2, 0, 3, 2), BOWTIE]), MultiPolygon([SQUARE, SQUARE, BOWTIE])):
        out = overlay.make_valid_by_parts(np.array([g], dtype=object))[0]
        assert shapely.equals_exact(out, _whole(g), tolerance=0), g.wkt


def test_one_polygon_is_a_polygon_and_collapsed_lines_fall_back():
    out = overlay.make_valid_by_parts(np.array([MultiPolygon([SELF_TOUCH])], dtype=object))[0]
    assert out.geom_type == "Polygon" and out.area == 16.0 - 2.0  # 4 x 4 less the 2 x 2 / 2 triangle
    # a hole sharing an edge with another hole: the linework repair keeps the shared edge as a line
    holes = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 2), (1, 2)], [(1, 2), (3, 2), (3, 3), (1, 3)]])
    g = MultiPolygon([SQUARE, holes])
    out = overlay.make_valid_by_parts(np.array([g], dtype=object))[0]
    assert shapely.equals_exact(out, _whole(g), tolerance=0)


def _ring(kind: str, x: float, y: float, s: float) -> Polygon:
    if kind == "box":
        return box(x, y, x + s, y + s)
    if kind == "bowtie":
        return Polygon([(x, y), (x + s, y + s), (x + s, y), (x, y + s)])
    if kind == "selftouch":
        return Polygon([(x, y), (x + s, y), (x + s, y + s), (x + s / 2, y + s), (x + 3 * s / 4, y + s / 2), (x + s / 4, y + s / 2), (x + s / 2, y + s), (x, y + s)])
    # a box with a hole that pokes out of it
    return Polygon(box(x, y, x + s, y + s).exterior.coords, [box(x + s / 2, y + s / 4, x + 1.5 * s, y + s / 2).exterior.coords])


KINDS = st.sampled_from(["box", "box", "bowtie", "selftouch", "hole_out"])
# each part: its kind, a shift and a size in its own 10 m cell of a 6 x 6 grid (a part of size 10, or
# shifted, reaches into the next cell: parts of neighbouring cells may overlap or touch along an edge)
PART = st.tuples(KINDS, st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from([1.0, 5.0, 5.0, 7.5, 10.0]))


@st.composite
def multipolygons(draw):
    spec = draw(st.lists(PART, min_size=1, max_size=8))
    cells = draw(st.permutations(range(36)))[: len(spec)]
    parts = [_ring(k, 10 * (c % 6) + dx, 10 * (c // 6) + dy, s) for (k, dx, dy, s), c in zip(spec, cells)]
    # sometimes a part duplicated, or another part drawn into the cell of an existing one (overlapping it)
    extra = draw(st.lists(st.tuples(st.booleans(), st.integers(0, len(parts) - 1), PART), max_size=1)) if draw(st.integers(0, 3)) == 0 else []
    for same, i, (k, dx, dy, s) in extra:
        c = cells[i]
        parts.append(parts[i] if same else _ring(k, 10 * (c % 6) + dx, 10 * (c // 6) + dy, s))
    return MultiPolygon(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(multipolygons(), min_size=1, max_size=4))
def test_same_area_and_validity_as_the_whole_repair(gs):
    arr = np.array(gs, dtype=object)
    got = overlay.make_valid_by_parts(arr)
    for g, out in zip(gs, got):
        ref = _whole(g)
        assert shapely.is_valid(out) == shapely.is_valid(ref)
        assert _sym_area(out, ref) <= 1e-9 * max(ref.area, 1.0), (g.wkt, out.wkt, ref.wkt)
        assert out.geom_type == ref.geom_type, (g.wkt, out.wkt, ref.wkt)


def test_the_validity_tests_on_threads_answer_as_one_call() -> None:
    """``overlay.by_vertices`` (the repair's validity tests split by vertex count over threads) returns what
    one vectorized call returns, in the input's order; and the repair's findings are the same on 1 and 3 threads."""
    import numpy as np
    import shapely
    from shapely.geometry import Point, Polygon, box

    from sppr_gis import overlay
    from sppr_gis.validate import repair_geometries

    bow = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    geoms = np.array(
        [Point(i * 50, 0).buffer(5 + i, quad_segs=4 + 30 * (i % 5)) for i in range(12)]
        + [shapely.affinity.translate(bow, 100 * i, 100) for i in range(5)]
        + [box(0, 0, 1, 1), None, Polygon()],
        dtype=object,
    )
    geoms = geoms[np.random.default_rng(5).permutation(len(geoms))]
    for workers in (1, 2, 3, 8):
        assert overlay.by_vertices(lambda sel: shapely.is_valid(geoms[sel]), geoms, workers).tolist() == shapely.is_valid(geoms).tolist()
        assert overlay.by_vertices(lambda sel: shapely.is_valid_reason(geoms[sel]), geoms, workers).tolist() == shapely.is_valid_reason(geoms).tolist()
    ids = [f"#{i}" for i in range(len(geoms))]
    one, f1 = repair_geometries(geoms, ids, "z", 1)
    three, f3 = repair_geometries(geoms, ids, "z", 3)
    assert [(f.feature_id, f.code, f.message) for f in f1] == [(f.feature_id, f.code, f.message) for f in f3]
    assert sum(f.code == "geometri_diperbaiki" for f in f1) == 5
    assert [None if g is None else g.wkb for g in one] == [None if g is None else g.wkb for g in three]
