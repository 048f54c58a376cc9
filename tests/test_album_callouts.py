"""Issue 19 (7, 8): numbered callouts placed arithmetically (one measurement per number, candidate boxes in display
units, a grid of the boxes taken). What is checked is what matplotlib draws: the circles' and names' window extents
after drawing, not the placer's own boxes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import place_callouts, place_labels  # noqa: E402


def _axes(dpi=100):
    fig = Figure(figsize=(8, 6), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.set_xlim(0, 8000)
    ax.set_ylim(0, 6000)
    return fig, ax


def _circles(fig, callouts):
    """The drawn circles' boxes (x0, y0, x1, y1), display units."""
    r = fig.canvas.get_renderer()
    fig.draw(r)
    return np.array([t.get_bbox_patch().get_window_extent(r).extents for t in callouts])


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_cluster_of_callouts_draws_circles_that_do_not_overlap():
    """30 programs within 300 m of one another (a dense kampung): where the rings leave room, no two drawn circles meet."""
    fig, ax = _axes()
    rng = np.random.default_rng(4)
    xy = [tuple(p) for p in rng.uniform([3800, 2800], [4100, 3100], (30, 2))]
    out = place_callouts(ax, xy, [str(k + 1) for k in range(30)], fontsize=7)
    assert [t.get_text() for t in out] == [str(k + 1) for k in range(30)]
    c = _circles(fig, out)
    ax_box = ax.get_window_extent().extents
    for i in range(len(c)):
        assert ax_box[0] <= c[i, 0] and c[i, 2] <= ax_box[2] and ax_box[1] <= c[i, 1] and c[i, 3] <= ax_box[3]
        for j in range(i):
            assert not _overlap(c[i], c[j]), (out[i].get_text(), out[j].get_text())


def test_callouts_keep_clear_of_a_name_already_on_the_map():
    """Programs right under a kecamatan name: their callouts go round it (the name's box with its 1.2 pt halo)."""
    fig, ax = _axes()
    names = place_labels(ax, [(4000, 3000)], ["TANJUNGPINANG KOTA"], fontsize=8, style="italic", weight="bold")
    assert names
    xs = np.linspace(3300, 4700, 12)
    out = place_callouts(ax, [(x, 3000.0) for x in xs], [str(k + 1) for k in range(12)], fontsize=7)
    c = _circles(fig, out)
    r = fig.canvas.get_renderer()
    name = names[0].get_window_extent(r).extents
    for k, box in enumerate(c):
        assert not _overlap(box, name), k + 1


def test_a_full_map_drops_the_numbers_it_cannot_print_legibly_and_says_which():
    """400 callouts on one small spot: no two printed circles overlap or touch (1 pt apart, measured on the drawn
    circles); the numbers left off are reported in ``dropped`` and counted on the axes, and every number is either
    printed or dropped (the table keys the dropped ones)."""
    fig, ax = _axes(dpi=50)
    xy = [(4000.0 + (k % 20), 3000.0 + (k // 20)) for k in range(400)]
    dropped: list[str] = []
    out = place_callouts(ax, xy, [str(k + 1) for k in range(400)], fontsize=7, dropped=dropped)
    assert dropped and len(out) > 40
    assert sorted([int(t.get_text()) for t in out] + [int(x) for x in dropped]) == list(range(1, 401))
    assert ax._sppr_unnumbered == len(dropped)
    c = _circles(fig, out)
    gap = 0.9 * fig.dpi / 72.0  # the drawn circle's box is a hair larger than the measured one: 1 pt less 0.1
    for i in range(len(c)):
        for j in range(i):
            assert not _overlap(c[i] + [-gap / 2, -gap / 2, gap / 2, gap / 2], c[j] + [-gap / 2, -gap / 2, gap / 2, gap / 2]), (out[i].get_text(), out[j].get_text())
