"""Fitting text to the page: measured bottoms and widths, wrapping to a width, shrinking to a floor."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.artist import Artist  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography.common import MIN_PT, _pt  # noqa: E402


def _bottom(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(fig.transFigure.inverted().transform((bb.x0, bb.y0))[1])


def _width(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(bb.width / (fig.get_figwidth() * fig.dpi))


def _wrap_lines(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) if line.strip() else "" for line in text.split("\n"))


def _widest_fitting(fig: Figure, widths: Sequence[int], make: Callable[[int], Any], max_width: float) -> Any:
    """The text ``make(w)`` for the largest ``w`` of ``widths`` (descending) that is at most ``max_width`` wide, or None.

    A bisection (wrapping at fewer characters never makes a text wider), so a page measures a
    handful of candidates instead of every one.
    """
    lo, hi, best = 0, len(widths) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        t = make(widths[mid])
        if _width(fig, t) <= max_width:
            if best is not None:
                best.remove()
            best, hi = t, mid - 1
        else:
            t.remove()
            lo = mid + 1
    return best


def _fit_text(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, min_fontsize: float | None = None, **kw: Any) -> Any:
    """A text wrapped (and if need be shrunk) until it is at most ``max_width`` (figure fraction) wide."""
    min_fontsize = min_fontsize or fontsize * 0.75
    size = fontsize
    while True:
        t = _widest_fitting(fig, range(60, 9, -2), lambda w, size=size: fig.text(x, y, _wrap_lines(text, w), fontsize=size, **kw), max_width)
        if t is not None:
            return t
        if size <= min_fontsize:
            return fig.text(x, y, _wrap_lines(text, 10), fontsize=size, **kw)
        size = max(min_fontsize, size - 0.5)


def _wrapped(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, **kw: Any) -> Any:
    """A text wrapped (never cut, never shrunk) to at most ``max_width`` (figure fraction)."""
    t = _widest_fitting(fig, range(120, 7, -2), lambda w: fig.text(x, y, _wrap_lines(text, w), fontsize=fontsize, **kw), max_width)
    return t if t is not None else fig.text(x, y, _wrap_lines(text, 8), fontsize=fontsize, **kw)


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
        t = _widest_fitting(
            fig, range(130, 19, -3), lambda w, size=size, paras=paras: fig.text(x, y, "\n".join(_wrap_lines(p, w) for p in paras), fontsize=size, va="top", gid=gid, **kw), max_width,
        )
        if t is None:
            t = fig.text(x, y, "\n".join(_wrap_lines(p, 20) for p in paras), fontsize=size, va="top", gid=gid, **kw)
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
