"""Review s6 (issue 19): a kecamatan name placed after the numbered callouts lay over a callout's circle (Peta
Kesesuaian, test_album_print) and, on Kota Bandung's Peta 3, an enlargement's letter tag "A" covered the S of
SUKAJADI. :func:`names_inside` treats a callout's circle, its leader and a framed text's frame as taken.

A constructed map (a square kecamatan, one callout or one framed tag at its centre, where the name would go),
printed to PDF and read back with pdfplumber: the name's words are clear of the circle, the leader and the frame.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pdfplumber  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402

from printing import pdf_page
from sppr_gis.maps.cartography.labels import place_callouts  # noqa: E402
from sppr_gis.maps.pages.base import names_inside  # noqa: E402


def _map():
    fig = plt.figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes([0.05, 0.05, 0.9, 0.9])
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 1000)
    ax.set_aspect("equal")
    poly = shapely.box(300, 300, 700, 700)
    ax.fill(*poly.exterior.xy, facecolor="#eeeeee", edgecolor="black", linewidth=0.5)
    return fig, ax, poly


def _read(fig):
    with pdf_page(fig) as p:
        return p.extract_words(), list(p.curves), list(p.rects), list(p.lines), p.height


def _white_framed(objs):
    """The white shapes with an edge (a callout's circle, a tag's frame), not the names' white halo outlines
    (filled, not stroked): (x0, top, x1, bottom)."""
    import numpy as np

    return [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in objs
            if o.get("fill") and o.get("stroke") and tuple(np.atleast_1d(o["non_stroking_color"])) in ((1,), (1, 1, 1))]


def _meets(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _name(words, name):
    ws = [w for w in words if w["text"] in name.split()]
    assert ws, (name, [w["text"] for w in words])
    return [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in ws]


def test_a_name_keeps_clear_of_a_callout_circle_and_its_leader():
    fig, ax, poly = _map()
    # a callout on the kecamatan's centre: its circle beside the centre, its leader from the centre
    out = place_callouts(ax, [(500.0, 500.0)], ["27"], fontsize=9.0)
    assert len(out) == 1
    placed = names_inside(ax, [poly], ["SUKAJADI"], sizes=(8.0,))
    assert len(placed) == 1
    words, curves, rects, lines, h = _read(fig)
    name = _name(words, "SUKAJADI")
    circles = [c for c in _white_framed(curves) if abs((c[2] - c[0]) - (c[3] - c[1])) < 0.5]
    assert circles
    for n in name:
        for c in circles:
            assert not _meets(n, c), (n, c)
    # the leader: from the feature (the centre of the square) to the circle, as printed; no word on it
    num = next(w for w in words if w["text"] == "27")
    cx, cy = (num["x0"] + num["x1"]) / 2, (num["top"] + num["bottom"]) / 2
    fx, fy = ax.transData.transform((500.0, 500.0)) * 72.0 / fig.dpi
    leader = shapely.LineString([(fx, h - fy), (cx, cy)])
    for n in name:
        assert not leader.intersects(shapely.box(*n)), (n, leader)
    plt.close(fig)


def test_a_name_keeps_clear_of_a_framed_tag():
    fig, ax, poly = _map()
    # a letter tag in a frame (as enlarge._enlargement draws an enlargement's, here with a wider margin) just above
    # the kecamatan's centre: its letter clear of a name there, its frame not
    ax.text(470, 530, " A ", ha="left", va="bottom", fontsize=7.5, fontweight="bold",
            bbox=dict(boxstyle="square,pad=0.6", facecolor="white", edgecolor="black", linewidth=0.8))
    placed = names_inside(ax, [poly], ["SUKAJADI"], sizes=(8.0,))
    assert len(placed) == 1
    words, curves, rects, lines, h = _read(fig)
    name = _name(words, "SUKAJADI")
    frames = [b for b in _white_framed(rects + curves) if b[2] - b[0] < 40]
    assert frames
    for n in name:
        for fr in frames:
            assert not _meets(n, fr), (n, fr)
    plt.close(fig)
