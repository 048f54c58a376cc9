"""Issue 18: the relocation advice's nearest-piece search (``relocation.nearest_pieces``).

It must give what shapely's ``STRtree.query_nearest(all_matches=True)`` gives: every piece at the
smallest distance within the limit, ties included, with GEOS's distance. The expected answers below
are worked out by hand from the geometry, and on random data compared with that second method.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from sppr_gis.relocation import first_intersecting, nearest_in_tree, nearest_pieces


def _pairs(q, p, d):  # noqa: ANN001, ANN202
    return sorted(zip(q.tolist(), p.tolist(), d.tolist()))


def test_ties_inside_and_beyond_the_limit():
    # A and B both 1 m from (2, 0.5): a tie, both kept; C is 2.5 m above the point's row
    pieces = np.array([box(0, 0, 1, 1), box(3, 0, 4, 1), box(0, 3, 1, 4)], dtype=object)
    tree = shapely.STRtree(pieces)
    geoms = np.array([Point(2, 0.5), Point(0.5, 0.5), Point(100, 100), LineString([(0.5, 6), (0.5, 9)])], dtype=object)
    got = _pairs(*nearest_pieces(tree, geoms, 5.0))
    # (2, 0.5): A and B at 1; (0.5, 0.5) lies in A: 0; (100, 100): nothing within 5 m;
    # the line from (0.5, 6) up: C's top edge y = 4 is 2 m below its first vertex
    assert got == [(0, 0, 1.0), (0, 1, 1.0), (1, 0, 0.0), (3, 2, 2.0)]


def test_a_near_box_whose_piece_is_far():
    # an L-shaped piece: its box holds the query point, but the piece itself is 7 m away from it
    ell = Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])
    small = box(12, 7.5, 13, 8.5)  # 4 m east of (8, 8)
    tree = shapely.STRtree(np.array([ell, small], dtype=object))
    q, p, d = nearest_pieces(tree, np.array([Point(8, 8)], dtype=object), 50.0)
    assert _pairs(q, p, d) == [(0, 1, 4.0)]
    # within 3 m there is nothing (the L is 7 m away, the square 4 m)
    q, p, d = nearest_pieces(tree, np.array([Point(8, 8)], dtype=object), 3.0)
    assert len(q) == 0
    # exactly at the limit counts (as query_nearest's max_distance does)
    assert _pairs(*nearest_pieces(tree, np.array([Point(8, 8)], dtype=object), 4.0)) == [(0, 1, 4.0)]


def test_equals_query_nearest_on_random_pieces():
    rng = np.random.default_rng(18)
    # a grid of squares cut from a larger jittered polygon, so that pieces share edges and vertices
    blobs = shapely.buffer(shapely.points(rng.uniform(0, 2000, (60, 2))), rng.uniform(20, 120, 60), quad_segs=24)
    pieces = np.array([g for b in blobs for g in shapely.get_parts(shapely.intersection(b, shapely.box(*np.r_[shapely.bounds(b)[:2], shapely.bounds(b)[:2] + 80])))] + list(blobs), dtype=object)
    pieces = pieces[~shapely.is_empty(pieces)]
    tree = shapely.STRtree(pieces)
    pts = shapely.points(rng.uniform(-300, 2300, (400, 2)))
    lines = shapely.linestrings(rng.uniform(-300, 2300, (150, 3, 2)))
    polys = shapely.buffer(shapely.points(rng.uniform(-300, 2300, (100, 2))), 15.0)
    geoms = np.concatenate([pts, lines, polys])
    geoms = geoms[~shapely.intersects(geoms, shapely.union_all(pieces))]  # the search is for those outside
    for limit in (40.0, 250.0, 5000.0):
        (ei, ej), ed = tree.query_nearest(geoms, max_distance=limit, return_distance=True, all_matches=True)
        expected = _pairs(ei[ed <= limit], ej[ed <= limit], ed[ed <= limit])
        assert _pairs(*nearest_pieces(tree, geoms, limit)) == expected


def test_nearest_in_tree_takes_the_code_that_sorts_first_among_ties():
    pieces = np.array([box(3, 0, 4, 1), box(0, 0, 1, 1)], dtype=object)  # 'S' east, 'P' west, both 1 m away
    tree = shapely.STRtree(pieces)
    codes, dist, point = nearest_in_tree(tree, np.array(["S", "P"], dtype=object), np.array([Point(2, 0.5)], dtype=object), 10.0)
    assert codes.tolist() == ["P"] and dist.tolist() == [1.0]
    assert point[0].equals(Point(1, 0.5))


def test_first_intersecting_takes_the_first_code_then_the_first_piece():
    # the line runs through B's two pieces and only touches A's corner at (10, 10): A sorts first
    pieces = np.array([box(20, 0, 30, 10), box(12, 0, 20, 10), box(0, 10, 10, 20), box(100, 100, 110, 110)], dtype=object)
    codes = np.array(["B", "B", "A", "A"], dtype=object)
    tree = shapely.STRtree(pieces)
    geoms = np.array([LineString([(10, 10), (25, 5)]), LineString([(13, 5), (25, 5)]), Point(50, 50)], dtype=object)
    q, p = first_intersecting(tree, codes, geoms)
    # line 0: A's piece 2 (a touch is an intersection); line 1: B's pieces 0 and 1, the first in the tree is 0;
    # the point meets nothing
    assert sorted(zip(q.tolist(), p.tolist())) == [(0, 2), (1, 0)]


def test_first_intersecting_equals_testing_every_candidate():
    rng = np.random.default_rng(7)
    pieces = shapely.buffer(shapely.points(rng.uniform(0, 1000, (150, 2))), rng.uniform(10, 90, 150), quad_segs=6)
    codes = rng.choice(np.array(["K-1", "R-2", "RTH", "I"], dtype=object), len(pieces))
    tree = shapely.STRtree(pieces)
    geoms = np.concatenate([shapely.points(rng.uniform(0, 1000, (300, 2))), shapely.linestrings(rng.uniform(0, 1000, (200, 4, 2)))])
    q, p = first_intersecting(tree, codes, geoms)
    # every pair tested, then per geometry the smallest (code, position)
    expected = {}
    for i, g in enumerate(geoms):
        hits = [(codes[j], j) for j in range(len(pieces)) if g.intersects(pieces[j])]
        if hits:
            expected[i] = min(hits)[1]
    assert dict(zip(q.tolist(), p.tolist())) == expected and len(expected) > 100


def test_boxes_farther_than_the_nearest_piece_found_are_not_measured(monkeypatch):
    # (8, 8) lies in the box of an L-shaped piece that is 7 m away (the bound: the piece with the nearest
    # box); a square 4 m east is the nearest; four small squares have boxes 5 to 6.8 m away, inside the
    # bound but farther than 4 m, so they can be neither nearer than the square nor tie with it
    ell = Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])
    near = box(12, 7.5, 13, 8.5)  # 4 m east
    others = [box(8, 14, 8.5, 14.5), box(2.5, 8, 3, 8.5), box(13.5, 3.5, 14, 4), box(8, 2.5, 8.5, 3)]  # 6, 5, 6.80, 5 m
    d_others = [shapely.distance(Point(8, 8), o) for o in others]
    assert all(4.0 < d <= 7.0 for d in d_others) and shapely.distance(Point(8, 8), ell) == 7.0
    pieces = np.array([ell, near, *others], dtype=object)
    tree = shapely.STRtree(pieces)
    measured = []
    distance = shapely.distance

    def counting(a, b, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        measured.append(len(np.atleast_1d(a)))
        return distance(a, b, *args, **kwargs)

    monkeypatch.setattr(shapely, "distance", counting)
    q, p, d = nearest_pieces(tree, np.array([Point(8, 8)], dtype=object), 640.0)
    assert _pairs(q, p, d) == [(0, 1, 4.0)]
    # the bound (the L, 7 m) and the square (4 m); the four squares' boxes are farther than 4 m
    assert sum(measured) == 2
