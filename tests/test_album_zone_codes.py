"""The cartographer's review at print size (s5): on the pola ruang map every zone code lies wholly inside its own zone
block, at 7 pt or more; a code no block can hold stands beside its block with a leader into it.

The zones are read here from the sample's own file (``zoning.gpkg``, ``KODSZN``), made valid with shapely; each
code's box is its rendered extent (``Text.get_window_extent``) taken to map units; nothing is taken from the code
that places the labels.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from conftest import SAMPLE

matplotlib.use("Agg")

#: The margin (points at print size) a code's box keeps inside its block's edge: a small one (half a point, less rounding).
MARGIN_PT = 0.45


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


@pytest.fixture(scope="module", params=["A3", "A4"])
def zoning_page(request, sample):
    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=request.param,
                         office="Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
                         signatory="Kepala Badan\n\nDr. Ir. Nama Penandatangan, S.T., M.T.\nNIP 19700101 199503 1 001")
    return request.param, a.page_zoning()


def _zones(crs):
    """The sample's zones as drawn, in the file's order (a later row is drawn over an earlier one)."""
    z = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona").to_crs(crs)
    z = z[z["KODSZN"].notna()]
    return z["KODSZN"].astype(str).to_numpy(), shapely.make_valid(np.asarray(z.geometry.array, dtype=object))


def _data_box(ax, t, renderer):
    bb = t.get_window_extent(renderer)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _printed(page):
    ax = page.ax
    r = page.fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "zone-code" and t.get_visible() and t.get_text()]
    # metres per point at print size: the map's width on the ground over its width on the paper
    mpp = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent(r).width * 72.0 / page.fig.dpi)
    leaders = [np.asarray(ln.get_xydata(), dtype=float) for ln in ax.lines if ln.get_gid() == "zone-leader"]
    return ax, r, labels, mpp, leaders


def _code(text):
    """'RTH-' over '1' is RTH-1 (the stacked lines keep the code's own characters); a code on one line is itself."""
    return text.replace("\n", "")


def test_every_zone_code_lies_wholly_inside_its_own_zone_block(zoning_page):
    """Blocker: each code's printed box lies inside a polygon of that code, ``MARGIN_PT`` inside its edge, and no
    zone of another code drawn over that polygon reaches into the box; a code set beside its block instead has a
    leader from a point inside a polygon of its code to its box (and is the exception: few such)."""
    paper, page = zoning_page
    ax, r, labels, mpp, leaders = _printed(page)
    codes, geoms = _zones(page.crs)
    shapely.prepare(geoms)
    assert len(labels) >= 100
    stacked = [t for t in labels if "\n" in t.get_text()]
    assert not stacked  # s9 (review s8): a code is never broken over two lines ('SPU-' over '3'): beside its block instead
    outside, beside = [], []
    for t in labels:
        code = _code(t.get_text())
        box = _data_box(ax, t, r)
        padded = box.buffer(MARGIN_PT * mpp, join_style="mitre")
        home = [i for i in np.flatnonzero(codes == code) if geoms[i].contains(padded)]
        covered = all(
            any(codes[j] != code and shapely.intersection(geoms[j], box).area > 0 for j in range(i + 1, len(geoms))) for i in home
        )
        if home and not covered:
            continue
        # beside its block: a leader ends on the box and starts inside a polygon of the code
        tied = [ln for ln in leaders if box.buffer(mpp * 0.1).contains(shapely.Point(ln[-1])) and any(geoms[i].contains(shapely.Point(ln[0])) for i in np.flatnonzero(codes == code))]
        if tied:
            beside.append(code)
        else:
            outside.append((code, [round(v) for v in box.bounds]))
    assert not outside, (paper, outside)
    # s7 (review s6 finding 1): every block too small for its code has it beside it with a leader, not only a code no
    # block holds (was at most 8, one per such code): A3 35 of 279 labels, A4 55 of 227 (dpi 200); the exception still, fewer
    # than the codes inside their blocks
    assert len(beside) < len(labels) / 2, (paper, len(beside), len(labels))


def test_zone_codes_are_at_least_7_pt_and_do_not_overlap_one_another(zoning_page):
    paper, page = zoning_page
    ax, r, labels, mpp, _ = _printed(page)
    assert min(t.get_fontsize() for t in labels) >= 7.0 - 1e-9
    boxes = [_data_box(ax, t, r) for t in labels]
    tree = shapely.STRtree(boxes)
    a, b = tree.query(boxes, predicate="intersects")
    pairs = [(labels[i].get_text(), labels[j].get_text()) for i, j in zip(a, b) if i < j and boxes[i].intersection(boxes[j]).area > 0]
    assert not pairs, (paper, pairs)


def test_a_code_set_beside_its_block_is_one_too_narrow_for_it(zoning_page):
    """The leaders are the last resort: each points into a block (of the leader's code, holding its start) that
    does not hold the code's most compact form at 7 pt (a box of the printed label's size, tried on a fine grid over
    the block). s7: per block, no longer per code (review s6 finding 1: a small block gets its code by a leader
    even where a larger block of the same code holds it inside)."""
    paper, page = zoning_page
    ax, r, labels, mpp, leaders = _printed(page)
    codes, geoms = _zones(page.crs)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    for ln in leaders:
        t = next(t for t in labels if _data_box(ax, t, r).buffer(mpp * 0.1).contains(shapely.Point(ln[-1])))
        assert t.get_fontsize() == pytest.approx(7.0)
        box = _data_box(ax, t, r)
        # s7: with the margin the album keeps inside a block (CODE_MARGIN_PT, 0.5 pt): per block now, a block that holds
        # the bare box but not with its margin takes a leader
        w, h = box.bounds[2] - box.bounds[0] + 2 * 0.5 * mpp, box.bounds[3] - box.bounds[1] + 2 * 0.5 * mpp
        code = _code(t.get_text())
        for i in np.flatnonzero(codes == code):
            # the block as the map shows it: less the rows drawn over it (s9: a block that held only 'SPU-' over '3'
            # was labelled inside before; on one line it holds its code only where a later row covers it)
            later = [j for j in range(i + 1, len(geoms)) if geoms[j].intersects(geoms[i])]
            shown = geoms[i].difference(shapely.union_all(geoms[later])) if later else geoms[i]
            for part in shapely.get_parts(shown.intersection(view)):
                if part.geom_type != "Polygon" or not part.contains(shapely.Point(ln[0])):
                    continue
                px0, py0, px1, py1 = part.bounds
                xs = np.linspace(px0 + w / 2, px1 - w / 2, 40) if px1 - px0 > w else []
                ys = np.linspace(py0 + h / 2, py1 - h / 2, 40) if py1 - py0 > h else []
                fits = [(x, y) for x in xs for y in ys if part.contains(shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2))]
                assert not fits, (paper, code, fits[:1])
