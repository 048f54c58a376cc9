"""Fitting text to the page: measured bottoms and widths, wrapping to a width, shrinking to a floor."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.artist import Artist  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text, _get_text_metrics_with_cache  # noqa: E402

from sppr_gis.maps.cartography.common import MIN_PT, _pt  # noqa: E402


def _bottom(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(fig.transFigure.inverted().transform((bb.x0, bb.y0))[1])


def _width(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(bb.width / (fig.get_figwidth() * fig.dpi))


def _wrap_lines(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) if line.strip() else "" for line in text.split("\n"))


class _Measure:
    """Widths of texts as a ``fig.text(..., fontsize=size, **kw)`` would measure them, without making the artist.

    A multi-line text (left-aligned, unrotated) is as wide as its widest line, and a line is measured once
    (per font and dpi): fitting a block tries many wrap widths, font sizes and column splits of the same
    paragraphs, which repeat most lines.
    """

    def __init__(self, fig: Figure, size: float, kw: dict[str, Any]) -> None:
        self.probe = Text(0, 0, "", fontsize=size, **{k: v for k, v in kw.items() if k != "gid"})
        self.fig = fig
        self.lines: dict[str, float] = {}

    def line(self, line: str) -> float:
        """The width of one line in pixels (the layout's dpi)."""
        w = self.lines.get(line)
        if w is None:
            clean, ismath = self.probe._preprocess_math(line)
            w = 0.0
            if clean:
                w = _get_text_metrics_with_cache(self.fig.canvas.get_renderer(), clean, self.probe._fontproperties, ismath=ismath, dpi=self.fig.dpi)[0]
            self.lines[line] = w
        return w

    def width(self, text: str) -> float:
        """The width of ``text`` in figure fraction (as :func:`_width` of the artist)."""
        return max(self.line(ln) for ln in text.split("\n")) / (self.fig.get_figwidth() * self.fig.dpi)

    def fits(self, text: str, max_width: float) -> bool:
        """Whether ``text`` is at most ``max_width`` (figure fraction) wide, as ``width(text) <= max_width``; the longest
        lines (in characters) are measured first and a line too wide ends the test: a wrap width that does not fit
        needs no measure of its other lines (fitting the notes under a 10,000-program map measured thousands)."""
        scale = self.fig.get_figwidth() * self.fig.dpi
        return all(self.line(ln) / scale <= max_width for ln in sorted(set(text.split("\n")), key=len, reverse=True))


#: line widths by font, size and dpi (fonts from the rc parameters in force), shared by the pages of an album
_MEASURES: dict[tuple[Any, ...], dict[str, float]] = {}


def _measure(fig: Figure, size: float, kw: dict[str, Any]) -> _Measure:
    m = _Measure(fig, size, kw)
    rc = matplotlib.rcParams
    fam = [rc[f"font.{f}"] for f in ("sans-serif", "serif", "monospace", "cursive", "fantasy")]
    key = (fig.dpi, type(fig.canvas).__name__, m.probe._fontproperties, repr(fam), rc["text.usetex"], m.probe.get_parse_math())
    lines = _MEASURES.get(key)
    if lines is None:
        if len(_MEASURES) > 256:
            _MEASURES.clear()
        lines = _MEASURES[key] = {}
    elif len(lines) > 50000:
        lines.clear()
    m.lines = lines
    return m


def _widest_fitting(widths: Sequence[int], make: Callable[[int], str], measure: _Measure, max_width: float) -> str | None:
    """The text ``make(w)`` for the largest ``w`` of ``widths`` (descending) that is at most ``max_width`` wide, or None.

    A bisection (wrapping at fewer characters never makes a text wider), so a page measures a
    handful of candidates instead of every one; the candidates are measured line by line
    (:class:`_Measure`), only the chosen one becomes an artist.
    """
    lo, hi, best = 0, len(widths) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        t = make(widths[mid])
        if measure.fits(t, max_width):
            best, hi = t, mid - 1
        else:
            lo = mid + 1
    return best


def _fit_text(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, min_fontsize: float | None = None, **kw: Any) -> Any:
    """A text wrapped (and if need be shrunk) until it is at most ``max_width`` (figure fraction) wide."""
    min_fontsize = min_fontsize or fontsize * 0.75
    size = fontsize
    while True:
        s = _widest_fitting(range(60, 9, -2), lambda w: _wrap_lines(text, w), _measure(fig, size, kw), max_width)
        if s is not None:
            return fig.text(x, y, s, fontsize=size, **kw)
        if size <= min_fontsize:
            return fig.text(x, y, _wrap_lines(text, 10), fontsize=size, **kw)
        size = max(min_fontsize, size - 0.5)


def _wrapped(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, **kw: Any) -> Any:
    """A text wrapped (never cut, never shrunk) to at most ``max_width`` (figure fraction)."""
    s = _widest_fitting(range(120, 7, -2), lambda w: _wrap_lines(text, w), _measure(fig, fontsize, kw), max_width)
    return fig.text(x, y, s if s is not None else _wrap_lines(text, 8), fontsize=fontsize, **kw)


def _height(fig: Figure, artist: Any) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(bb.height / (fig.get_figheight() * fig.dpi))


_FIT_CACHE: dict[tuple[Any, ...], tuple[float, str]] = {}


def _fit_block(
    fig: Figure, x: float, y: float, paragraphs: Sequence[str], max_width: float, min_y: float, *, fontsize: float, gid: str | None = None,
    drop: bool = True, **kw: Any,
) -> Any:
    """Paragraphs wrapped to ``max_width`` and shrunk (never below :data:`MIN_PT`) until the block ends above ``min_y``.

    At the smallest size, trailing paragraphs are dropped (the last kept one ends with an ellipsis);
    with ``drop=False`` every paragraph is kept and the block may end below ``min_y``.
    """
    size = _pt(fontsize)
    paras = [p for p in paragraphs if p]
    # pages of one album repeat the same citations in the same panel: measured once, then reused
    key = (tuple(paras), size, round(max_width, 6), round(y - min_y, 6), tuple(fig.get_size_inches()), fig.dpi, drop, gid, repr(sorted(kw.items())))
    hit = _FIT_CACHE.get(key)
    if hit is not None:
        return fig.text(x, y, hit[1], fontsize=hit[0], va="top", gid=gid, **kw)
    while True:
        s = _widest_fitting(range(130, 19, -3), lambda w, paras=paras: "\n".join(_wrap_lines(p, w) for p in paras), _measure(fig, size, {"va": "top", **kw}), max_width)
        t = fig.text(x, y, s if s is not None else "\n".join(_wrap_lines(p, 20) for p in paras), fontsize=size, va="top", gid=gid, **kw)
        if _bottom(fig, t) >= min_y or (size <= MIN_PT and (len(paras) <= 1 or not drop)):
            if len(_FIT_CACHE) > 256:
                _FIT_CACHE.clear()
            _FIT_CACHE[key] = (size, t.get_text())
            return t
        t.remove()
        if size > MIN_PT:
            size = max(MIN_PT, size - 0.3)
        else:
            paras = paras[:-2] + [paras[-2].rstrip(". ") + " ..."]
