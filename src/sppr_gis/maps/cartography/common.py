"""Paper sizes, the page grid, minimum type size and small helpers every part of a map page uses."""

from __future__ import annotations

import datetime as _dt
import math
import threading
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.text as _mtext  # noqa: E402
from matplotlib.backends.backend_mixed import MixedModeRenderer as _MixedModeRenderer  # noqa: E402
from matplotlib import _text_helpers  # noqa: E402
from matplotlib.ft2font import FT2Font as _FT2Font  # noqa: E402

try:
    from matplotlib.ft2font import LoadFlags as _LoadFlags  # noqa: E402
except ImportError:  # pragma: no cover - matplotlib before 3.10: draw_text as it is
    _LoadFlags = None
from matplotlib.text import Text  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from pyproj import CRS  # noqa: E402

from sppr_gis.text import angka  # noqa: E402
from sppr_gis.i18n import _

#: Landscape paper sizes, inches (ISO 216: A3 420 x 297 mm, A4 297 x 210 mm).
PAPER_SIZES: dict[str, tuple[float, float]] = {"A3": (420 / 25.4, 297 / 25.4), "A4": (297 / 25.4, 210 / 25.4)}


#: The default page: A3 landscape, inches.
PAGE_SIZE: tuple[float, float] = PAPER_SIZES["A3"]


#: Smallest text size on a printed page, points.
MIN_PT = 7.0


class Note(str):
    """A page note with a shorter form (:attr:`short`) printed instead when the notes do not fit the strip under
    the map in full: the legend's room beside the map comes first (a note listing programs' ids took it and
    stopped an A4 album)."""

    short: str

    def __new__(cls, text: str, short: str) -> "Note":
        obj = super().__new__(cls, text)
        obj.short = short
        return obj


_MAP_BOX = (0.07, 0.075, 0.645, 0.865)  # left, bottom, width, height (figure fraction), without the source strip


#: Height (figure fraction) of the strip under the map that holds the source citations and notes, so that
#: the panel keeps its room for the legend of what the map draws: A4 (type scale 1) and A3 (1.41).
SOURCE_STRIP = {"A4": 0.14, "A3": 0.07}


def map_box_for(k: float) -> tuple[float, float, float, float]:
    """The map box (figure fraction) of a page whose type scale is ``k`` (A4 1, A3 1.41): above the source strip,
    left of the side panel (:func:`panel_x_for`)."""
    strip = SOURCE_STRIP["A4"] if k < 1.2 else SOURCE_STRIP["A3"]
    l, b, w, h = _MAP_BOX
    return (l, b + strip, w - (_PANEL_X[0] - panel_x_for(k)[0]), h - strip)


_PANEL_X = (0.745, 0.985)


#: Left edge (figure fraction) of the side panel on A4: wider than on A3 (80 mm instead of 71 mm), so that the
#: legend of what a map draws, in two columns, stays on its sheet beside the title, scale and signature block.
_PANEL_X_A4 = 0.715


def panel_x_for(k: float) -> tuple[float, float]:
    """The side panel's left and right edges (figure fraction) of a page whose type scale is ``k`` (A4 1, A3 1.41)."""
    return (_PANEL_X_A4, _PANEL_X[1]) if k < 1.2 else _PANEL_X


_INK = "#222222"


_PREP_TOP = 0.118  # figure fraction: top of the preparer block when it is short (office, logo, signatory)


_NOTE_TOP = 0.222  # top of the source citations when the preparer block is short


_INSET_TOP = 0.385  # top of the inset locator (A3; measured from the citations' top)


_INSET_H = _INSET_TOP - _NOTE_TOP  # height of the inset block (title and map)


_FOOT = 0.043


#: Table rows a map continues on its continuation pages; rows past these are left to the Buku Matriks.
MAX_CONTINUED_ROWS = 400  # bottom of the panel's content (the border is at 0.035)
#: The "number" of a keyed table's heading row: ``(TABLE_HEADING, "Program tanpa lokasi (tidak digambar di peta)")``
#: heads the rows under it (bold, across the number column) and is itself keyed to nothing on the map.
TABLE_HEADING = "\u00a7"
#: A keyed table of at most this many rows stays on its map page (in the legend panel), never on a continuation page.
KEY_ON_PAGE_ROWS = 6
#: A keyed table of up to this many rows goes in the legend panel beside its map when the panel has room for it
#: there in one column at the legend's own type size (else on the Lampiran sheet): a short list takes no sheet.
KEY_BESIDE_ROWS = 24


#: Room left blank for the wet signature and the stamp, millimetres.
SIGN_SPACE_MM = 25.0


#: The preparer block may take at most this share of the page height; beyond it the album stops (exit 1).
_PREP_MAX = 0.5


def _pt(size: float) -> float:
    """A font size never below :data:`MIN_PT`."""
    return max(MIN_PT, float(size))


def paper_size(paper: str) -> tuple[float, float]:
    """Landscape size in inches of ``"A3"`` or ``"A4"``.

    Raises
    ------
    ValueError
        Unknown paper name.
    """
    key = str(paper).strip().upper()
    if key not in PAPER_SIZES:
        raise ValueError(_("paper must be one of {paper_sizes}, not {paper!r}").format(paper_sizes=', '.join(PAPER_SIZES), paper=paper))
    return PAPER_SIZES[key]


class TextHalo(pe.Stroke):
    """A halo (a wide stroke of the glyphs' outlines) under a text that stays a text in the PDF.

    matplotlib draws a text with path effects as glyph outlines (``PathEffectRenderer`` turns the text into
    paths): the name is then neither searchable nor selectable. A text whose path effects start with a
    ``TextHalo`` is drawn twice instead: once with its halo effects only (outlines, under), then as plain text
    with no path effect (a real text, over). Other texts are drawn as matplotlib draws them.

    Parameters
    ----------
    linewidth : float
        Width of the halo, points.
    foreground : color
        Colour of the halo.
    """

    def __init__(self, linewidth: float = 2.4, foreground: object = "white") -> None:
        super().__init__(linewidth=linewidth, foreground=foreground)


def _draw_text_with_halo(self: Text, renderer: object) -> None:
    """``Text.draw`` for texts haloed with :class:`TextHalo`: the halo as outlines, then the text as text."""
    effects = self.get_path_effects()
    if not effects or not isinstance(effects[0], TextHalo):
        return _TEXT_DRAW(self, renderer)
    _TEXT_DRAW(self, renderer)  # the halo effects only: outlines under the text
    self._path_effects = []
    try:
        _TEXT_DRAW(self, renderer)  # the text itself, as text
    finally:
        self._path_effects = effects


_TEXT_DRAW = getattr(Text.draw, "_sppr_plain", Text.draw)
_draw_text_with_halo._sppr_plain = _TEXT_DRAW  # type: ignore[attr-defined]
Text.draw = _draw_text_with_halo  # type: ignore[method-assign]

#: rcParams a text's measured size depends on (besides its string, font properties and the dpi).
_METRIC_RC = ("text.hinting", "text.hinting_factor", "text.antialiased", "text.kerning_factor", "pdf.use14corefonts", "ps.useafm", "font.family",
              "font.sans-serif", "font.serif", "font.monospace", "font.cursive", "font.fantasy", "mathtext.fontset")
#: Measured text sizes shared by every renderer of one kind (an album measures the same signatory, sources and
#: legend lines on every page, and its PDF measures them again): (renderer type, dpis, rc, text, font, math) -> size.
_TEXT_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}


def _shared_text_metrics(renderer: Any, _cache: Any = None) -> Any:
    """``matplotlib.text._get_text_metrics_function`` with one cache for all Agg (and all PDF) renderers
    instead of one per renderer: a page's figure, its continuation pages and its PDF page each have their own
    renderer, so every page measured the same lines anew (a PDF page's texts are measured through its
    ``MixedModeRenderer``: by the renderer under it). A size depends only on the renderer's kind, its dpi,
    the text, the font and the rcParams in :data:`_METRIC_RC`, all of which are in the key; other renderers
    (and TeX) keep matplotlib's own cache."""
    kind = type(renderer)
    mixed = kind is _MIXED_MODE_RENDERER
    if kind not in _SHARED_METRIC_RENDERERS and not mixed:
        return _TEXT_METRICS_FUNCTION(renderer)
    rc_get = dict.get  # an rcParam matplotlib drops is None, not an error

    def metrics(text: str, fontprop: Any, ismath: Any, dpi: float) -> tuple[float, float, float]:
        # a PDF page is drawn through a MixedModeRenderer, which measures with the renderer it draws with at the
        # moment (the PDF renderer, or Agg while rasterizing): that one's kind and dpi are the key
        r = renderer._renderer if mixed else renderer
        if ismath == "TeX" or type(r) not in _SHARED_METRIC_RENDERERS:
            return _TEXT_METRICS_FUNCTION(renderer)(text, fontprop, ismath, dpi)
        rc = matplotlib.rcParams
        key = (type(r), dpi, getattr(r, "dpi", None), tuple(str(rc_get(rc, k)) for k in _METRIC_RC), text, fontprop, ismath)
        hit = _TEXT_METRICS.get(key)
        if hit is None:
            if len(_TEXT_METRICS) >= 200_000:
                _TEXT_METRICS.clear()
            hit = _TEXT_METRICS[key] = r.get_text_width_height_descent(text, fontprop, ismath)
        return hit

    return metrics


def _shared_metric_renderers() -> frozenset[type]:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_pdf import RendererPdf

    return frozenset({RendererAgg, RendererPdf})


_SHARED_METRIC_RENDERERS = _shared_metric_renderers()
_MIXED_MODE_RENDERER = _MixedModeRenderer
_TEXT_METRICS_FUNCTION = getattr(_mtext._get_text_metrics_function, "_sppr_plain", _mtext._get_text_metrics_function)
_shared_text_metrics._sppr_plain = _TEXT_METRICS_FUNCTION  # type: ignore[attr-defined]
_mtext._get_text_metrics_function = _shared_text_metrics

#: The glyph layouts of the texts drawn into a PDF: (text, font, size in points, features, language) -> the layout's
#: items. An album draws the same numbers, names and legend lines on page after page, and in two processes.
_PDF_LAYOUTS: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_PDF_TEXT_SIZE = threading.local()


class _PdfTextHelpers:
    """What ``matplotlib.backends.backend_pdf`` reads of ``matplotlib._text_helpers``, with a faster :meth:`layout`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_text_helpers, name)

    @staticmethod
    def layout(string: str, font: Any, *, features: Any = None, language: Any = None) -> Any:
        """``_text_helpers.layout`` for ``RendererPdf.draw_text``: the same items (glyph, position, kern) from the
        font's shaping, without loading each glyph's outline (``draw_text`` reads the items only: the glyph index,
        character, position and kern) and memoized per text, font, size and features: a 10,000-program album laid
        out every number and legend line glyph by glyph, a millisecond a line."""
        size = getattr(_PDF_TEXT_SIZE, "size", None)
        try:
            key = (string, font, size, features, language)
            hit = _PDF_LAYOUTS.get(key) if size is not None else None
        except TypeError:  # features or language not hashable: as matplotlib does
            size = None
            hit = None
        if size is None:
            return _text_helpers.layout(string, font, features=features, language=language)
        if hit is None:
            if len(_PDF_LAYOUTS) >= 200_000:
                _PDF_LAYOUTS.clear()
            hit = _PDF_LAYOUTS[key] = tuple(font._layout(string, _LoadFlags.NO_HINTING, features=features, language=language))
        return hit


def _pdf_draw_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False, mtext: Any = None) -> Any:
    """``RendererPdf.draw_text`` with the text's size known to :meth:`_PdfTextHelpers.layout` (its font is set to it)."""
    before = getattr(_PDF_TEXT_SIZE, "size", None)
    _PDF_TEXT_SIZE.size = None if ismath or matplotlib.rcParams["pdf.use14corefonts"] else prop.get_size_in_points()
    try:
        return _PDF_DRAW_TEXT(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
    finally:
        _PDF_TEXT_SIZE.size = before


def _patch_pdf_text() -> Any:
    """Install :func:`_pdf_draw_text` and :class:`_PdfTextHelpers` in matplotlib's PDF backend, where its
    ``draw_text`` lays the text out with ``_text_helpers.layout`` and the font has ``_layout`` (matplotlib 3.11);
    else leave it alone. Returns the original ``draw_text``."""
    from matplotlib.backends import backend_pdf

    plain = getattr(backend_pdf.RendererPdf.draw_text, "_sppr_plain", backend_pdf.RendererPdf.draw_text)
    if _LoadFlags is None or not hasattr(_FT2Font, "_layout") or getattr(backend_pdf, "_text_helpers", None) not in (_text_helpers, _PDF_HELPERS):
        return plain
    backend_pdf._text_helpers = _PDF_HELPERS
    _pdf_draw_text._sppr_plain = plain  # type: ignore[attr-defined]
    backend_pdf.RendererPdf.draw_text = _pdf_draw_text
    return plain


_PDF_HELPERS = _PdfTextHelpers()
_PDF_DRAW_TEXT = _patch_pdf_text()

#: The white halo of names on the map (a text in the PDF, see :class:`TextHalo`).
_HALO = [TextHalo(linewidth=2.4, foreground="white")]


def rupiah(value: float, decimals: int = 1) -> str:
    """Rupiah in words the way planning documents write them: ``Rp 12,3 miliar``.

    >>> rupiah(12_345_000_000)
    'Rp 12,3 miliar'
    >>> rupiah(850_000_000)
    'Rp 850 juta'
    """
    if value is None or not np.isfinite(value):
        return "-"
    v = float(value)
    for div, word in ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")):
        if abs(v) >= div:
            x = v / div
            d = 0 if abs(x) >= 100 else decimals
            return f"Rp {angka(x, d)} {word}"
    return f"Rp {angka(v, 0)}"


def pagu_text(values: Sequence[object] | pd.Series | None, *, word: str = "pagu") -> str:
    """The pagu of a group of programs as a page prints it, telling a pagu not recorded from a zero pagu.

    A blank, non-numeric or non-finite value is a pagu not recorded (review s7: an OPD whose programs have no
    pagu was printed "pagu Rp 0"). Every value missing: ``"pagu tidak tercatat"``; some missing: the recorded
    sum and how many programs have none; none missing: the sum (``Rp 0`` only when the recorded sum is 0).

    Parameters
    ----------
    values : sequence, pandas.Series or None
        The programs' pagu, one value a program (None: no pagu column, every pagu missing).
    word : str
        The word before the amount.

    Returns
    -------
    str
        The text, e.g. ``"pagu Rp 1,5 miliar (2 program tanpa pagu)"``.

    >>> pagu_text([1.2e9, None, "", 3e8])
    'pagu Rp 1,5 miliar (2 program tanpa pagu)'
    >>> pagu_text([None, float("nan")]), pagu_text([0, 0.0]), pagu_text([])
    ('pagu tidak tercatat', 'pagu Rp 0', 'pagu tidak tercatat')
    """
    if values is None:
        return f"{word} tidak tercatat"
    v = pd.to_numeric(pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object), errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(v)
    if not known.any():
        return f"{word} tidak tercatat"
    text = f"{word} {rupiah(float(v[known].sum()))}"
    missing = int((~known).sum())
    return text + (f" ({missing} program tanpa pagu)" if missing else "")


def display_crs(frames: Sequence[gpd.GeoDataFrame | None]) -> CRS:
    """The metric CRS maps are drawn in: the first layer's when projected in metres, else its UTM zone.

    Raises
    ------
    ValueError
        No layer with a CRS and features.
    """
    from sppr_gis.crs import metric_crs

    usable = [f for f in frames if f is not None and f.crs is not None and len(f) and not f.geometry.is_empty.all()]
    if not usable:
        raise ValueError(_("no layer with a CRS and features to draw"))
    return metric_crs(usable)


def _is_metric(crs: CRS) -> bool:
    if not crs.is_projected:
        return False
    return {(a.unit_name or "").lower() for a in crs.axis_info[:2]} <= {"metre", "meter", "m"}


def nice_scale_length(max_length: float) -> float:
    """The largest "nice" length (1, 2, 2.5 or 5 times a power of ten) not above ``max_length``.

    >>> nice_scale_length(3700.0)
    2500.0
    >>> nice_scale_length(180.0)
    100.0
    """
    if not max_length > 0:
        raise ValueError(_("max_length must be positive"))
    exp = math.floor(math.log10(max_length))
    best = 10.0**exp
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        cand = m * 10.0**exp
        if cand <= max_length * (1 + 1e-9):
            best = cand
    return best


def _segments(length: float) -> int:
    for n in (4, 5, 2):
        step = length / n
        mant = step / 10.0 ** math.floor(math.log10(step))
        if any(abs(mant - m) < 1e-9 for m in (1.0, 2.0, 2.5, 5.0)):
            return n
    return 2


def fit_extent(bounds: Sequence[float], aspect: float, pad: float = 0.04, min_size: float = 200.0) -> tuple[float, float, float, float]:
    """Grow ``bounds`` (minx, miny, maxx, maxy) by ``pad`` and to the width/height ratio ``aspect``.

    The result keeps the centre and has exactly ``(maxx-minx)/(maxy-miny) == aspect``,
    so an equal-aspect axes shows it without further adjustment.
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not all(np.isfinite([minx, miny, maxx, maxy])):
        raise ValueError(_("extent is not finite (empty layers?)"))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = max(maxx - minx, min_size) * (1 + 2 * pad)
    h = max(maxy - miny, min_size) * (1 + 2 * pad)
    if w / h > aspect:
        h = w / aspect
    else:
        w = h * aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def split_by_dimension(gdf: gpd.GeoDataFrame) -> dict[int, gpd.GeoDataFrame]:
    """Split a mixed layer into points (0), lines (1) and polygons (2); collections are exploded.

    Null and empty geometries are dropped.
    """
    if gdf is None or not len(gdf):
        return {}
    g = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if not len(g):
        return {}
    types = shapely.get_type_id(np.asarray(g.geometry.array, dtype=object))
    if (types == 7).any():
        g = g.explode(index_parts=False)
        g = g[~g.geometry.is_empty]
    dim = shapely.get_dimensions(np.asarray(g.geometry.array, dtype=object))
    return {int(d): g[dim == d] for d in (2, 1, 0) if (dim == d).any()}


def _today() -> _dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set (reproducible outputs)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return _dt.date.today()


def counts_of(series: pd.Series) -> dict[str, int]:
    """Value counts of a categorical column as a plain dict (missing values left out)."""
    s = series.dropna().astype(str)
    return {str(k): int(v) for k, v in s.value_counts().items()}
