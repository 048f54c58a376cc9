"""Text fitting measures a line from its glyphs' pair steps (issue 19, point 8: the 10,000-program album measured
every Lampiran row, each line unique, by shaping it). The widths must be the renderer's own, to the bit."""

from __future__ import annotations

import random
import time

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import textfit  # noqa: E402
from sppr_gis.maps.cartography.textfit import _measure, _widest_fitting, _width, _wrap_lines  # noqa: E402

WORDS = (
    "Pembangunan Rehabilitasi Peningkatan Pemeliharaan jalan lingkungan drainase saluran ruang terbuka hijau "
    "Kelurahan Kecamatan Sukamaju Cibeunying Kaler Sukajadi Bandung Wetan Coblong Astanaanyar Babakan Ciparay "
    "Dinas Pekerjaan Umum dan Penataan Ruang (DPUPR) Kesehatan Perhubungan fisik profil efisiensi verifikasi "
    "klasifikasi fasilitas offset Jl. Ir. H. Juanda No. 7 RT 03/RW 11 Rp 1.234.567.890 Rp 12,5 juta 45% ±3 m² "
    "2025 P10K-00017 TPS3R IPAL komunal – — · ‘kutip’ “kutip” é ü ñ"
).split()
ODD = [chr(c) for c in range(32, 127) if c != 36] + list("ÀÉéèüöäñ–—’“”·×±²³°µ€™") + ["f"] * 12 + ["\u0301", "ﬁ", "ا", "中", "\t"]


def _lines(seed: int, n: int) -> list[str]:
    """Lines of program names, places and sums (every other one) and of random characters: many ``f``, ligatures,
    combining marks, characters from other scripts (the renderer measures those itself); no ``$`` (math text)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2:
            out.append("".join(rng.choice(ODD) for _ in range(rng.randint(1, 70))))
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14))) + rng.choice(["", f" {i}", " Rp", ".", " "]))
    return out


def _fig(dpi: float) -> Figure:
    fig = Figure(figsize=(16.54, 11.69), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


@pytest.mark.parametrize("dpi", [100, 200])
@pytest.mark.parametrize("size,kw", [(7.0, {}), (7.0, {"fontweight": "bold"}), (5.3, {}), (9.2, {"fontstyle": "italic"})])
def test_line_widths_are_the_renderers(dpi: float, size: float, kw: dict) -> None:
    fig = _fig(dpi)
    renderer = fig.canvas.get_renderer()
    m = _measure(fig, size, kw)
    table = m._table(renderer)
    lines = _lines(int(dpi * 10 + size * 10), 500)
    by_table = 0
    for s in lines:
        # the renderer's own measure of the line (shaped by libraqm, as a Text artist's extent)
        want = renderer.get_text_width_height_descent(s, m.probe._fontproperties, False)[0]
        assert m.line(s) == want, s
        by_table += table.width(s) is not None
    # the table measured most lines itself (all the named ones but those ending in a ligature)
    assert by_table > 0.5 * len(lines)
    assert {"fi", "fl", "ff"} <= table.joined


def test_text_artist_width_is_the_tables() -> None:
    fig = _fig(200)
    m = _measure(fig, 7.0, {"va": "top"})
    table = m._table(fig.canvas.get_renderer())
    scale = fig.get_figwidth() * fig.dpi
    for s in _lines(4, 60)[::2]:  # names and sums: none ends in a ligature
        t = fig.text(0.1, 0.9, s, fontsize=7.0, va="top")
        assert table.width(s) / scale == pytest.approx(_width(fig, t), rel=1e-12, abs=1e-12)
        assert m.width(s) == pytest.approx(_width(fig, t), rel=1e-12, abs=1e-12)
        t.remove()


def test_wraps_are_those_of_the_renderers_widths() -> None:
    """The widest fitting wrap chosen on the table's widths is the one chosen on the renderer's (a linear scan)."""
    fig = _fig(200)
    renderer = fig.canvas.get_renderer()
    textfit._MEASURES.clear()  # only this test's lines
    m = _measure(fig, 7.0, {})
    scale = fig.get_figwidth() * fig.dpi
    for i, s in enumerate(_lines(8, 80)[::2]):
        text = s + " " + s
        width = 0.05 + 0.01 * (i % 15)
        want = None
        for c in range(120, 7, -2):
            cand = _wrap_lines(text, c)
            if all(renderer.get_text_width_height_descent(ln, m.probe._fontproperties, False)[0] / scale <= width for ln in cand.split("\n") if ln):
                want = cand
                break
        assert _widest_fitting(range(120, 7, -2), lambda c, text=text: _wrap_lines(text, c), m, width) == want
    # the candidates were measured by the table, not by the renderer
    assert m.lines and all(m._table(renderer).width(ln) == w for ln, w in m.lines.items() if ln)


def test_unique_lines_are_measured_quickly() -> None:
    """3,000 unique lines of a Lampiran sheet (7 pt at 200 dpi): about 1 ms of CPU each when shaped, about 4 s."""
    fig = _fig(200)
    rng = random.Random(12)
    lines = [" ".join(rng.choice(WORDS[:60]) for _ in range(rng.randint(5, 10))) + f" {i}" for i in range(3000)]
    textfit._MEASURES.clear()
    textfit._TABLES.clear()
    t0 = time.process_time()
    m = _measure(fig, 7.0, {})
    for s in lines:
        m.line(s)
    cpu = time.process_time() - t0
    assert cpu < 1.0, f"{cpu:.2f} CPU s for 3,000 lines"
