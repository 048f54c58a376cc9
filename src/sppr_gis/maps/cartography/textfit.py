"""Fitting text to the page: measured bottoms and widths, wrapping to a width, shrinking to a floor."""

from __future__ import annotations

import textwrap
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import unicodedata  # noqa: E402

from matplotlib.artist import Artist  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag  # noqa: E402
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


class _AdvanceTable:
    """Line widths of one font at one size and dpi as Agg measures them, from its glyphs' advances taken in pairs.

    matplotlib's Agg renderer measures a line by shaping it (libraqm and FreeType: about 1 ms for a line of 70
    characters at 200 dpi) and gives its advance width: the pen position of the last glyph plus that glyph's
    advance. The pen moves from a glyph to the next by the first one's advance plus the pair's kerning, so a line
    is as wide as the sum of the steps between its neighbouring glyphs and its last glyph's width, each measured
    once by the renderer's own font (``set_text`` of the pair or of the glyph, the renderer's flags) and kept in
    26.6 units: the sum is the renderer's width to the bit (test on thousands of random lines).

    A glyph is a character, or a pair of characters the font joins into one (DejaVu Sans' ``fi``, ``fl``, ``ff``:
    taken left to right, and a step to or from one is used only where the renderer shapes those two glyphs so; a line
    ending in one is left to the renderer, whose width then is not that glyph's advance).
    A line with a character outside the Latin, punctuation, currency and letterlike blocks, a combining mark or a
    control character, or where a step is not two glyphs as taken, is not measured here (:meth:`width` returns
    None and the caller asks the renderer).
    """

    def __init__(self, renderer: Any, prop: Any) -> None:
        self.prop = prop
        self.renderer = renderer
        self.flags = get_hinting_flag()
        #: a glyph's width (26.6) by its characters; None: not measured here
        self.one: dict[str, int | None] = {}
        #: the pen's step (26.6) from the first glyph to the second, by the two glyphs' characters; None: not here
        self.step: dict[tuple[str, str], int | None] = {}
        #: pairs of characters the font joins into one glyph
        self.joined: set[str] = set()

    @property
    def renderer(self) -> Any:
        """The renderer whose font measures (held weakly: a full-size Agg renderer is a page's buffer)."""
        return self._renderer()

    @renderer.setter
    def renderer(self, renderer: Any) -> None:
        self._renderer = weakref.ref(renderer)

    def _shape(self, s: str) -> tuple[Any, Any]:
        # matplotlib shares its font objects: found and sized as the renderer does before each use
        font = self.renderer._prepare_font(self.prop)
        return font, font.set_text(s, 0.0, flags=self.flags)

    def _chars(self, s: str) -> list[str] | None:
        """The characters of each glyph the renderer's font shapes ``s`` into (None if it cannot tell)."""
        font = self.renderer._prepare_font(self.prop)
        try:
            return [item.char for item in font._layout(s, self.flags)]
        except Exception:  # pragma: no cover - a matplotlib without the layout of its set_text
            return None

    @staticmethod
    def _safe(c: str) -> bool:
        o = ord(c)
        if o < 0x20 or 0x7F <= o < 0xA0:
            return False
        if o < 0x250 or 0x2000 <= o < 0x2070 or 0x20A0 <= o < 0x20D0 or 0x2100 <= o < 0x2200:
            return not unicodedata.category(c).startswith(("M", "C"))
        return False

    def _glyph(self, g: str) -> int | None:
        if g in self.one:
            return self.one[g]
        w = None
        if all(self._safe(c) for c in g):
            font, xys = self._shape(g)
            if len(xys) == 1 and (len(g) == 1 or self._chars(g) == [g]):
                w = int(font.get_width_height()[0])
                if len(g) == 2:
                    self.joined.add(g)
        self.one[g] = w
        return w

    def _step(self, a: str, b: str) -> int | None:
        d = None
        if self._glyph(a) is not None and self._glyph(b) is not None:
            _, xys = self._shape(a + b)
            if len(xys) == 2 and xys[0, 1] == 0 and xys[1, 1] == 0 and xys[0, 0] == 0 and (len(a) == len(b) == 1 or self._chars(a + b) == [a, b]):
                d = int(xys[1, 0])
        self.step[(a, b)] = d
        return d

    def glyphs(self, line: str) -> list[str]:
        """``line`` cut into its glyphs' characters, left to right, a pair the font joins taken as one."""
        out: list[str] = []
        i, n = 0, len(line)
        while i < n:
            ab = line[i:i + 2]
            if len(ab) == 2 and (ab in self.joined or (ab not in self.one and ab[0] in "f" and self._glyph(ab) is not None)):
                out.append(ab)
                i += 2
            else:
                out.append(line[i])
                i += 1
        return out

    def width(self, line: str) -> float | None:
        """The width of ``line`` in pixels as the renderer's ``get_text_width_height_descent`` gives it, or None
        where the line is not one this table measures (see the class)."""
        gl = self.glyphs(line) if "f" in line else line
        if len(gl[-1]) > 1:  # a joined pair last: the renderer's width is not its glyph's alone
            return None
        last = self._glyph(gl[-1])
        if last is None:
            return None
        total = last
        step = self.step
        for i in range(len(gl) - 1):
            ab = (gl[i], gl[i + 1])
            d = step.get(ab, -1)
            if d == -1:
                d = self._step(*ab)
            if d is None:
                return None
            total += d
        return total / 64.0


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
        self.key: tuple[Any, ...] = (fig.dpi, self.probe._fontproperties)

    def _table(self, renderer: Any) -> _AdvanceTable:
        """The advance table of this measure's font at the renderer's dpi (shared by the measures of that font)."""
        key = (*self.key, renderer.dpi, get_hinting_flag())
        t = _TABLES.get(key)
        if t is None:
            if len(_TABLES) > 256:
                _TABLES.clear()
            t = _TABLES[key] = _AdvanceTable(renderer, self.probe._fontproperties.copy())
        t.renderer = renderer
        return t

    def line(self, line: str) -> float:
        """The width of one line in pixels (the layout's dpi)."""
        w = self.lines.get(line)
        if w is None:
            clean, ismath = self.probe._preprocess_math(line)
            w = 0.0
            if clean:
                renderer = self.fig.canvas.get_renderer()
                fast = None
                if not ismath and type(renderer).get_text_width_height_descent is RendererAgg.get_text_width_height_descent and renderer.dpi == self.fig.dpi:
                    fast = self._table(renderer).width(clean)
                w = fast if fast is not None else _get_text_metrics_with_cache(renderer, clean, self.probe._fontproperties, ismath=ismath, dpi=self.fig.dpi)[0]
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
#: advance tables (:class:`_AdvanceTable`) by the same keys and the renderer's dpi and hinting
_TABLES: dict[tuple[Any, ...], _AdvanceTable] = {}


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
    m.key = key
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
