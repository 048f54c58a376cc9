"""Review s7 (issue 19), finding 4: on Peta 15 (kawasan prioritas) the enlargement's frame cut point 40 (its symbol
half in the enlargement, half out) and the rectangle of box A cut the kawasan label KP1. On the realistic sample
album on A4 (two-line office, four-line signatory, a logo), for Peta Kesesuaian and Peta 15: no program point lies
where the enlargement's edge cuts its symbol (inside the window within the symbol's radius at the enlargement's
scale, or outside it within the radius at the map's scale), and the rectangle on the map cuts no text.

The program points are read here from the sample's layers (the rencana's point geometries); the symbols' sizes and
the window, frame and texts are what the page draws (the marker collections, the enlargement's axes and limits).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import shapely
from printing import draw_logo

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from mapdata import sample_album_layers

    from sppr_gis.maps import album as album_mod

    _, layers = sample_album_layers()
    logo = draw_logo(tmp_path_factory.mktemp("logo"))
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper="A4",
                         office="Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
                         signatory="Kepala Bappeda Kota Contoh\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001", logo=logo)
    a.number = 4
    out = [a.page_conformance(), a.page_priority()]
    r = layers["rencana"].to_crs(out[0].crs)
    geoms = np.asarray(r.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    pts = shapely.get_coordinates(geoms[shapely.get_type_id(geoms) == 0])
    return out, pts


def _radius_pt(ax):
    """The largest point symbol's radius (points) among the markers drawn on ``ax``."""
    from matplotlib.collections import PathCollection

    sizes = [float(np.max(c.get_sizes())) for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets()) and len(c.get_sizes())]
    return np.sqrt(max(sizes)) / 2 if sizes else 0.0


def test_an_enlargements_edge_cuts_no_program_symbol_and_its_rectangle_no_text(pages):
    maps, pts = pages
    seen = 0
    for page in maps:
        ax, fig = page.ax, page.fig
        ens = getattr(ax, "_sppr_enlargements", None) or []
        for en in ens:
            seen += 1
            ins = en["axes"]
            x0, x1 = ins.get_xlim()
            y0, y1 = ins.get_ylim()
            m_per_pt_map = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent().width * 72.0 / fig.dpi)
            m_per_pt_enl = (x1 - x0) / (ins.get_window_extent().width * 72.0 / fig.dpi)
            r_in = _radius_pt(ins) * m_per_pt_enl
            r_out = _radius_pt(ax) * m_per_pt_map
            d = np.maximum.reduce([x0 - pts[:, 0], pts[:, 0] - x1, y0 - pts[:, 1], pts[:, 1] - y1])  # > 0: outside, by this much
            cut = pts[(d > -r_in) & (d < r_out)]
            assert not len(cut), (page.title, en["label"], cut.round().tolist())
            r = fig.canvas.get_renderer()
            (X0, Y0), (X1, Y1) = ax.transData.transform([(x0, y0), (x1, y1)])
            for t in ax.texts:
                if not t.get_visible() or not t.get_text().strip() or getattr(t, "_sppr_callout", False) or (t.get_gid() or "").startswith("perbesaran"):
                    continue
                bb = t.get_window_extent(r)
                inside = bb.x0 >= X0 and bb.x1 <= X1 and bb.y0 >= Y0 and bb.y1 <= Y1
                apart = bb.x1 <= X0 or bb.x0 >= X1 or bb.y1 <= Y0 or bb.y0 >= Y1
                assert inside or apart, (page.title, en["label"], t.get_text())
    assert seen >= 2
