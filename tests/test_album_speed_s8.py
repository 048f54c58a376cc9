"""Issue 19 (8), session 8: the album's shortcuts draw and measure exactly what matplotlib does without them.

Each shortcut is checked against matplotlib itself (its own ``draw_text`` and text layout, a full-size Agg renderer,
the widest line of a text), never against the shortcut's own arithmetic. (No timing test: the machine is shared.)"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends import backend_pdf  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import common  # noqa: E402
from sppr_gis.maps.cartography.frame import MapFrame  # noqa: E402
from sppr_gis.maps.cartography.textfit import _measure, _wrap_lines  # noqa: E402

TEXTS = ["12", "345", "Kelurahan Tanjung Ayun Sakti", "AV Wa To · Rp 1,2 M", "Ruas Jl. Basuki Rahmat (rencana)", "ÉÈ Peta Perbesaran A"]


def _pdf_page() -> bytes:
    fig = Figure(figsize=(6, 4), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    for i in range(60):
        ax.text((i % 10) / 10, (i // 10) / 6, TEXTS[i % len(TEXTS)], fontsize=5 + i % 4, rotation=30 * (i % 3),
                fontweight="bold" if i % 2 else "normal", path_effects=common._HALO if i % 5 == 0 else None)
    ax.text(0.5, 0.5, r"$x^2$ luas", fontsize=9)
    ax.set_title("PETA PROGRAM")
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(out, format="pdf", metadata={"CreationDate": None})
    return out.getvalue()


def test_pdf_text_from_the_memoized_layout_is_matplotlibs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF drawn with the memoized layout (twice: the second from the memo) has the bytes matplotlib writes with
    its own ``draw_text`` and ``_text_helpers.layout``."""
    common._PDF_LAYOUTS.clear()
    first = _pdf_page()
    n = len(common._PDF_LAYOUTS)
    assert n >= len(TEXTS)  # every text laid out once per font and size ...
    again = _pdf_page()
    assert len(common._PDF_LAYOUTS) == n  # ... and the second page from the memo
    monkeypatch.setattr(backend_pdf.RendererPdf, "draw_text", common._PDF_DRAW_TEXT)
    monkeypatch.setattr(backend_pdf, "_text_helpers", common._text_helpers)
    plain = _pdf_page()
    assert first == plain
    assert again == plain


def test_a_map_page_measures_as_a_full_renderer_without_its_buffer() -> None:
    """A map page's canvas measures with a renderer of the page's dpi but no page-size buffer; its texts' extents are
    those a full-size Agg renderer gives, and a PNG of the page is drawn at full size."""
    f = MapFrame("Uji ukur", crs="EPSG:32648", paper="A3", dpi=100)
    fig = f.fig
    r = fig.canvas.get_renderer()
    w, h = fig.canvas.get_width_height(physical=True)
    assert r.dpi == fig.dpi
    assert r.get_canvas_width_height()[0] * r.get_canvas_width_height()[1] < 100  # not the page's 1654 x 1169 pixels
    full = RendererAgg(w, h, fig.dpi)
    texts = [fig.text(0.1 + 0.05 * i, 0.5, t, fontsize=7 + i, fontweight="bold" if i % 2 else "normal") for i, t in enumerate(TEXTS)]
    for t in texts:
        assert np.array_equal(t.get_window_extent(r).get_points(), t.get_window_extent(full).get_points())
    png = io.BytesIO()
    fig.savefig(png, format="png")
    from PIL import Image

    assert Image.open(io.BytesIO(png.getvalue())).size == (w, h)


def test_a_wrap_width_is_rejected_at_its_first_line_too_wide() -> None:
    """``fits`` answers as the widest line's test (``width(text) <= max_width``) for every candidate, and rejects a
    wrap whose longest line is too wide after measuring that line only."""
    fig = Figure(figsize=(16.54, 11.69), dpi=100)
    FigureCanvasAgg(fig)
    paras = [" ".join(TEXTS * 4), "Sumber: pola ruang RTRW Kota 2021-2041 (Perda No. 3 Tahun 2021), dipudarkan.", "Dibuat dengan sppr_gis."]
    m = _measure(fig, 9.2, {"va": "top"})
    for w in range(130, 19, -7):
        s = "\n".join(_wrap_lines(p, w) for p in paras)
        widths = [m.line(ln) / (fig.get_figwidth() * fig.dpi) for ln in s.split("\n")]
        for limit in (0.05, 0.1, 0.2, 0.4, max(widths), max(widths) * 0.999):
            assert m.fits(s, limit) == (max(widths) <= limit)
    fresh = _measure(Figure(figsize=(16.54, 11.69), dpi=100), 9.3, {"va": "top"})
    FigureCanvasAgg(fresh.fig)
    fresh.lines = {}
    s = "\n".join(_wrap_lines(p, 100) for p in paras)
    assert not fresh.fits(s, 0.01)
    assert len(fresh.lines) == 1  # the longest line only
