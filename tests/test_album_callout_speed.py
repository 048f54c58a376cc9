"""Issue 19 (8), sixth session: the callouts' candidate tests at 10,000 programs made cheaper without moving a
callout. Checked against shapely's own predicates, matplotlib's own measure of a circle, brute force over the
grid's cells, and the whole-group evaluation the ring-by-ring one replaces. (No timing test: the machine is shared.)"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import sppr_gis.maps.cartography.labels as labels  # noqa: E402


@pytest.mark.parametrize("n, m", [(5, 7), (80, 120)])  # every pair tested; only the pairs whose bounding boxes meet
def test_segment_box_test_agrees_with_shapely(n, m):
    """A segment meets a box's interior exactly where shapely's DE-9IM says its interior or an end lies in it."""
    rng = np.random.default_rng(n)
    a = rng.uniform(0, 100, (n, 2))
    segs = np.column_stack([a, a + rng.normal(0, 25, (n, 2))])
    segs[0, 3] = segs[0, 1]  # a horizontal segment
    segs[1, 2] = segs[1, 0]  # a vertical one
    c = rng.uniform(0, 100, (m, 2))
    half = rng.uniform(1, 12, (m, 2))
    boxes = np.column_stack([c - half, c + half])
    got = labels._seg_box(segs, boxes)
    lines = shapely.linestrings(segs.reshape(-1, 2, 2))
    polys = shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3])
    want = np.array([[line.relate_pattern(p, "T********") or line.relate_pattern(p, "***T*****") for p in polys] for line in lines])
    assert want.any() and not want.all()
    assert (got == want).all()


def test_box_grid_returns_every_box_of_the_cells_an_area_touches():
    """The rows ``near`` returns are the boxes (and segments, ends in any order) filed in a cell the area touches,
    by brute force over the cells; removed boxes come back as NaN rows; the grid grows past its first 64 rows."""
    rng = np.random.default_rng(5)
    grid = labels._BoxGrid(10.0)
    rows = []
    for _ in range(300):
        x, y = rng.uniform(-50, 150, 2)
        dx, dy = rng.uniform(-25, 25, 2)
        rows.append((x, y, x + dx, y + dy))
        grid.add(rows[-1])
    gone = {3, 77, 250}
    for k in gone:
        grid.remove(k)

    def cells(r):
        i0, i1 = sorted((math.floor(r[0] / 10), math.floor(r[2] / 10)))
        j0, j1 = sorted((math.floor(r[1] / 10), math.floor(r[3] / 10)))
        return {(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)}

    for area in [(0, 0, 30, 30), (-45, 90, -44, 91), (55.5, 12.25, 120, 13), (500, 500, 510, 510)]:
        want = [k for k, r in enumerate(rows) if cells(r) & cells(area)]
        got = grid.near(area)
        assert len(got) == len(want)
        for row, k in zip(got, want):
            if k in gone:
                assert np.isnan(row).all()
            else:
                assert tuple(row) == pytest.approx(rows[k])


def test_a_numbers_circle_is_the_size_matplotlib_draws_it():
    """Numbers that share a circle (the same ink size) get the size matplotlib measures for each of them."""
    fig = Figure(figsize=(8, 6), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    labels._CIRCLES.clear()
    texts = [str(k) for k in (*range(1, 40), 111, 1000, 7777, 9999)]
    plan = labels._CalloutPlan(ax, [(0.5, 0.5)] * len(texts), texts, 7.0, (), (), None)
    r = fig.canvas.get_renderer()
    for t, (w, h, radius) in zip(texts, plan.sizes):
        probe = Text(0, 0, t, fontsize=plan.fontsize, fontweight="bold", ha="center", va="center", figure=fig,
                     bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor="k", linewidth=1.2))
        probe.update_bbox_position_size(r)
        bb = probe.get_bbox_patch().get_window_extent(r)
        assert (w, h, radius) == (bb.width + 1.2 * 150 / 72, bb.height + 1.2 * 150 / 72, bb.width / 2 / (150 / 72))


def _crowded(n: int, seed: int):
    fig = Figure(figsize=(16.5, 11.7), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.set_xlim(0, 20000)
    ax.set_ylim(0, 14000)
    rng = np.random.default_rng(seed)
    c = rng.uniform([3000, 3000], [17000, 11000], (6, 2))
    pts = c[rng.integers(0, 6, n)] + rng.normal(0, 1200, (n, 2))
    ax.text(10000, 7000, "Kecamatan Contoh Tengah", fontsize=9)
    return ax, [tuple(map(float, p)) for p in pts]


@pytest.mark.parametrize("n, seed", [(120, 2), (420, 4)])  # the full passes (at most 300 numbers) and the one far pass
def test_callouts_tested_ring_by_ring_stand_where_the_whole_group_puts_them(monkeypatch, n, seed):
    """Testing the candidates ring by ring (and stopping at a clear one) places every number where testing each
    group of rings at once against every box near the group does: the first of the cheapest candidates."""

    def placed(runs):
        monkeypatch.setattr(labels, "_ring_runs", runs)
        ax, xy = _crowded(n, seed)
        out = labels.place_callouts(ax, xy, [str(k + 1) for k in range(n)], fontsize=6)
        return [(t.get_text(), tuple(t._sppr_box)) for t in out], ax._sppr_unnumbered

    by_ring = placed(labels._ring_runs)
    whole = placed(lambda offs: [(0, len(offs))])
    assert len(by_ring[0]) > n * 0.8
    assert by_ring == whole
