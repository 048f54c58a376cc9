"""Issue 18: the line meter looks program segments up in its indexes in chains of consecutive segments.

``_Chains.query`` must give exactly the (segment, item) pairs that querying the tree with every
segment on its own gives (GEOS's inclusive envelope test), whatever the chains: checked against that
second method on random polylines, and by hand on boxes that only touch.
"""

from __future__ import annotations

import numpy as np
import shapely

from sppr_gis.engine.lines import PROGRAM_CHAIN, _Chains


def _segments(lines: np.ndarray) -> tuple[np.ndarray, ...]:
    xy, at = shapely.get_coordinates(lines, return_index=True)
    k = np.flatnonzero(at[1:] == at[:-1])
    return xy[k, 0], xy[k, 1], xy[k + 1, 0], xy[k + 1, 1]


def _per_segment(tree: shapely.STRtree, ax, ay, bx, by) -> set[tuple[int, int]]:  # noqa: ANN001
    segs = shapely.linestrings(np.stack([np.stack([ax, ay], 1), np.stack([bx, by], 1)], 1))
    s, i = tree.query(segs)
    return set(zip(s.tolist(), i.tolist()))


def test_touching_boxes_count_as_meeting():
    # a horizontal segment along y = 1 (a box of no height) and items whose boxes only touch it
    items = np.array([shapely.box(2, 1, 3, 2), shapely.box(4, -1, 5, 1), shapely.box(0, 1.0000001, 1, 2), shapely.box(6, 0, 7, 0.9999999)], dtype=object)
    tree = shapely.STRtree(items)
    bounds = shapely.bounds(items)
    ax, ay, bx, by = (np.array(v, dtype=float) for v in ([0.0], [1.0], [10.0], [1.0]))
    s, i = _Chains(ax, ay, bx, by).query(tree, bounds)
    # items 0 (its bottom edge on the segment) and 1 (its top edge) touch it; 2 and 3 miss it by 1e-7
    assert sorted(zip(s.tolist(), i.tolist())) == [(0, 0), (0, 1)]


def test_same_pairs_as_one_query_per_segment():
    rng = np.random.default_rng(18)
    # polylines of 1 to 40 segments (chains cut every PROGRAM_CHAIN segments and where a line ends),
    # with axis-parallel segments (boxes without width or height) among them
    lines = []
    for _ in range(300):
        n = int(rng.integers(2, 42))
        xy = np.cumsum(rng.normal(0, 30, (n, 2)), axis=0) + rng.uniform(0, 3000, 2)
        if rng.random() < 0.3:
            xy[1::2, 0] = xy[0::2, 0][: len(xy[1::2])]  # vertical segments
        lines.append(shapely.linestrings(xy))
    ax, ay, bx, by = _segments(np.array(lines, dtype=object))
    keep = np.hypot(bx - ax, by - ay) > 0
    ax, ay, bx, by = ax[keep], ay[keep], bx[keep], by[keep]
    items = np.concatenate([
        shapely.buffer(shapely.points(rng.uniform(0, 3000, (400, 2))), rng.uniform(1, 60, 400), quad_segs=3),
        shapely.box(*rng.uniform(0, 3000, (2, 200)), *(rng.uniform(0, 3000, (2, 200)) + 5)),
    ])
    tree = shapely.STRtree(items)
    chains = _Chains(ax, ay, bx, by)
    assert chains.count.max() == PROGRAM_CHAIN and len(chains.start) > len(lines)  # chains cut both ways
    s, i = chains.query(tree, shapely.bounds(items))
    got = list(zip(s.tolist(), i.tolist()))
    assert len(got) == len(set(got))  # each pair once
    expected = _per_segment(tree, ax, ay, bx, by)
    assert set(got) == expected and len(expected) > 1000
