"""Legend entries and the legend column: sections, zone/category/geometry keys and their layout in the panel."""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.artist import Artist  # noqa: E402
from matplotlib.legend_handler import HandlerLine2D, HandlerPatch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from sppr_gis.i18n import _  # noqa: E402
from sppr_gis.maps.cartography.common import MIN_PT, _pt  # noqa: E402
from sppr_gis.maps.cartography.textfit import _wrap_lines  # noqa: E402
from sppr_gis.maps.palette import RGB, Palette, faded_hatch, hatch_ink, mpl_color  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


class _SwatchLine(HandlerLine2D):
    """A line swatch whose ink stays within its handle box: a line with round or projecting caps (the struktur
    map's pills, 6 pt wide) reaches half its width beyond its ends, and so touched its label (review s6, Peta 3);
    its ends are drawn that much inside, so the gap to the label is the legend's ``handletextpad`` (half the font
    size: 3.5 pt, 1.2 mm at 7 pt)."""

    def create_artists(self, legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float,
                       fontsize: float, trans: Any) -> list[Artist]:
        arts = super().create_artists(legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans)
        line = arts[0]
        style = line.get_linestyle()
        cap = line.get_solid_capstyle() if style in ("-", "solid") else line.get_dash_capstyle()
        if style not in ("None", "", " ", "none") and str(cap) != "butt" and line.get_linewidth() > 0:
            x = line.get_xdata()
            half = min(line.get_linewidth() / 2, (x[-1] - x[0]) / 4)  # handle units are points, as line widths
            line.set_xdata(x[0] + half + (x - x[0]) * (x[-1] - x[0] - 2 * half) / max(x[-1] - x[0], 1e-9))
        return arts


def _swatch_patch(legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float, fontsize: float) -> Rectangle:
    """A filled swatch whose edge stays within its handle box (an edge is drawn half outside the rectangle: the
    kawasan's 1.5 pt edge came within 0.95 mm of its label)."""
    edge = orig_handle.get_edgecolor() if hasattr(orig_handle, "get_edgecolor") else None
    half = orig_handle.get_linewidth() / 2 if edge is not None and len(edge) == 4 and edge[3] > 0 else 0.0
    half = min(half, width / 4, height / 4)
    return Rectangle((-xdescent + half, -ydescent + half), width - 2 * half, height - 2 * half)


#: The legend's handlers for line and filled swatches: their ink within the handle box (:class:`_SwatchLine`).
_HANDLERS = {Line2D: _SwatchLine(), Patch: HandlerPatch(patch_func=_swatch_patch)}


@dataclass
class LegendSection:
    """One titled block of the legend panel.

    Parameters
    ----------
    title : str
        Section title (Indonesian).
    handles : list of matplotlib artists
        Legend handles.
    labels : list of str
        Their labels.
    ncol : int
        Columns (1, or 2 for long lists).
    short_labels : list of str, optional
        Shorter labels used (in ``compact_ncol`` columns) when the section does not
        fit the panel in one column.
    compact_ncol : int
        Columns of the short labels (2; more for labels as short as zone codes).
    fallback : LegendSection, optional
        A shorter key of the same symbols that refers to a fuller key elsewhere in the album (e.g. the faded
        zoning's codes replaced by one entry naming the pola ruang map), used only when the legend with this
        section cannot fit beside the map at 7 pt even in columns.
    """

    title: str
    handles: list[Artist]
    labels: list[str]
    ncol: int = 1
    short_labels: list[str] | None = None
    compact_ncol: int = 2
    fallback: "LegendSection | None" = None


def _patch(rgb: RGB, alpha: float = 1.0, edge: str = "#555555", hatch: str | None = None) -> Patch:
    return Patch(facecolor=mpl_color(rgb, alpha), edgecolor=edge, linewidth=0.5, hatch=hatch)


def zone_legend(
    colors: Mapping[str, RGB], palette: Palette, names: Mapping[str, str] | None = None, alpha: float = 1.0, max_chars: int | None = 44,
    hatches: Mapping[str, str | None] | None = None,
) -> tuple[list[Artist], list[str]]:
    """Legend handles and Indonesian labels for the zones drawn (sorted by code).

    A label is the code and the data's zone name (``names``; the Perda's), else the
    palette's class name; cut at ``max_chars`` unless that is None (the pola ruang key keeps whole names).
    """
    handles, labels = [], []
    for code in sorted(colors, key=_code_sort_key):
        h = (hatches or {}).get(code)
        handles.append(_patch(colors[code], alpha, edge="#999999") if not h else
                       Patch(facecolor=mpl_color(colors[code], alpha), edgecolor=(*hatch_ink(colors[code]), min(1.0, 0.15 + alpha)), linewidth=0.5, hatch=faded_hatch(h, alpha)))
        label = palette.label(code, (names or {}).get(code))
        labels.append(" ".join(label.split()) if max_chars is None else _short(label, max_chars))
    return handles, labels


def category_legend(
    colors: Mapping[str, RGB],
    labels: Mapping[str, str],
    counts: Mapping[str, int] | None = None,
    *,
    kind: str = "patch",
    order: Sequence[str] | None = None,
    unlocated: Mapping[str, int] | None = None,
) -> tuple[list[Artist], list[str]]:
    """Legend handles for categories, with counts in the labels when given (``Sesuai (12)``).

    ``kind`` is ``patch``, ``line``, ``point`` or ``mixed`` (a dot for categories
    whose colour is all that matters). ``unlocated``: of the counted items, how many have no location (no
    symbol on the map): ``Perlu kajian (6; 2 tanpa lokasi)``, so that the count can be checked against the map.
    With ``counts``, a category no item falls in is left out (review s9: "Perlu kajian (0)" keyed a symbol the map
    does not have).
    """
    keys = list(order) if order is not None else list(colors)
    handles, texts = [], []
    for k in keys:
        if k not in colors or (counts is not None and not counts.get(k, 0)):
            continue
        c = mpl_color(colors[k])
        if kind == "line":
            h: Artist = Line2D([], [], color=c, linewidth=2.6)
        elif kind in ("point", "mixed"):
            h = Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=c, markeredgecolor="#1a1a1a", markeredgewidth=0.6)
        else:
            h = _patch(colors[k], 0.85, edge="#1a1a1a")
        label = labels.get(k, k)
        if counts is not None:
            u = int((unlocated or {}).get(k, 0))
            label = f"{label} ({counts.get(k, 0)}; {u} tanpa lokasi)" if u else f"{label} ({counts.get(k, 0)})"
        handles.append(h)
        texts.append(label)
    return handles, texts


def geometry_type_legend(dims: Sequence[int] = (0, 1, 2)) -> tuple[list[Artist], list[str]]:
    """Handles explaining the symbols for points, lines and areas (0, 1, 2), and for a location given only as a
    kelurahan's or kecamatan's name (3, 4: a hatched outline; see :func:`~sppr_gis.maps.cartography.draw.draw_by_category`)."""
    grey = "#555555"
    out = {
        0: (Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=grey, markeredgecolor="#1a1a1a"), "Lokasi titik"),
        1: (Line2D([], [], color=grey, linewidth=2.6), "Lokasi garis (jalan, saluran)"),
        2: (Patch(facecolor=grey, edgecolor="#1a1a1a", alpha=0.75), "Lokasi area"),
        3: (Patch(facecolor="none", edgecolor=grey, hatch="////", linewidth=1.2, linestyle=(0, (4, 2))), "Lokasi tingkat kelurahan (hanya nama kelurahan)"),
        4: (Patch(facecolor="none", edgecolor=grey, hatch="////", linewidth=1.2, linestyle=(0, (4, 2))), "Lokasi tingkat kecamatan (hanya nama kecamatan)"),
    }
    pairs = [out[d] for d in sorted(set(dims)) if d in out]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _wrap_label(text: str, width: int) -> str:
    """A label wrapped to ``width`` characters; a numbered key row (``12. Name · Rp ...``) as one paragraph with
    a hanging indent, however it was wrapped before (a row wrapped at 46 characters and then again at the
    panel's narrower width broke "16 program" over two lines on A4: review s6, finding 5)."""
    if _NUMBERED.match(text):
        return textwrap.fill(" ".join(text.split()), width, subsequent_indent="    ", break_on_hyphens=False)
    return _wrap_lines(text, width)


#: A numbered row of a key (``3. ...``).
_NUMBERED = re.compile(r"^\s*\d+[a-z]?\.\s")


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _code_sort_key(code: str) -> tuple:

    parts = re.split(r"(\d+)", str(code))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def stack_legends(frame: MapFrame, left: float, top: float, bottom: float, right: float, *, sheet: bool = False) -> None:
    """Lay the legend sections out between ``top`` and ``bottom``: in one column, shrinking (never below 7 pt)
    and compacting them; else flowing them down two, then three columns (a section may run on into the next
    column); else a section's shorter key (:attr:`LegendSection.fallback`). With ``sheet``, a legend that still
    does not fit keeps beside the map as much as fits and continues on the map's Lampiran sheet
    (:func:`continue_legend`; issue 19: an agency printing an RDTR of 45 subzones on A4 gets its album).

    The legends are measured in points, as the PDF prints them (:func:`points_renderer`), never in the pixels of
    the figure's dpi: measured at 100 dpi, whole pixels per line of text made the sections taller or shorter than
    printed, and one ran into the next ("Batas administrasi" over the last Zona Budi Daya row; review s6).

    Parameters
    ----------
    frame : MapFrame
        The page; its :attr:`~MapFrame.legend_sections` are laid out (and :attr:`~MapFrame.legend_overflow` set when
        the legend continues).
    left, top, bottom, right : float
        The legend's room (figure fraction).
    sheet : bool
        The page has a Lampiran sheet the legend may continue on (an album's page).

    Raises
    ------
    sppr_gis.errors.OutputError
        The legend does not fit beside the map even in three columns at 7 pt (with ``sheet``: not even its first
        entry fits); the message names the map.
    """
    frame._legend_sheet_ok = sheet
    try:
        with points_renderer(frame.fig) as renderer:
            _stack_legends(frame, left, top, bottom, right, renderer)
    finally:
        frame._legend_sheet_ok = False


@contextmanager
def points_renderer(fig: Any) -> Iterator[Any]:
    """The figure at 72 dpi with a PDF renderer for the time of the block: every extent measured in points with the
    font metrics the PDF is written with (no hinting, no whole pixels), whatever the figure's dpi; the dpi is
    restored after.

    Parameters
    ----------
    fig : Figure
        The page.

    Yields
    ------
    RendererPdf
        A renderer that measures (it draws into a throwaway buffer).
    """
    from matplotlib.backends.backend_pdf import PdfFile, RendererPdf

    dpi = fig.dpi
    w, h = fig.get_size_inches()
    pdf = PdfFile(io.BytesIO())
    try:
        fig.set_dpi(72)
        yield RendererPdf(pdf, 72, h * 72, w * 72)
    finally:
        fig.set_dpi(dpi)


def _stack_legends(frame: MapFrame, left: float, top: float, bottom: float, right: float, renderer: Any, smallest: bool = False) -> None:
    """:func:`stack_legends` with a renderer that measures in points; ``smallest``: every layout at the smallest size
    only (whether the legend can fit at all, :func:`continue_legend`)."""
    k = frame.k
    sizes = sorted({_pt(round(f * k * 2) / 2) for f in (7.0, 6.5, 6.0, 5.5, 5.0)}, reverse=True)
    sizes = sizes[-1:] if smallest else sizes
    # a section of four or more entries may also go into two columns, its labels wrapped to half the panel
    # and every label is wrapped to the panel, so that none is too wide at any size
    full = max(20, int((right - left) * frame.fig.get_figwidth() * 72 / (MIN_PT * 0.62)) - 6)
    half = max(14, full // 2 - 3)

    def fit(labels: Sequence[str], n: int) -> list[str]:
        return [_wrap_label(str(t), n) for t in labels]

    sections = [
        LegendSection(
            sec.title, sec.handles, fit(sec.labels, full // max(sec.ncol, 1)), sec.ncol,
            fit(sec.short_labels, full // max(sec.compact_ncol, 1)) if sec.short_labels else ([_wrap_label(" ".join(str(t).split()), half) for t in sec.labels] if len(sec.handles) >= 4 else None),
            sec.compact_ncol if sec.short_labels else 2,
        )
        for sec in frame.legend_sections
    ]
    attempts = [(fs, False) for fs in sizes]
    if any(s.short_labels for s in sections):
        attempts += [(fs, True) for fs in sizes]
    for fontsize, compact in attempts:
        if frame._place_legends(sections, fontsize, compact, left, top, bottom, right, renderer):
            return
    # newspaper columns: the panel split in two (then three), each label and title wrapped to its column (about
    # 0.6 em a character beside a handle of 2.4 em; narrower when a long word still sticks out)
    gap = 0.006
    for ncols in (2, 3):
        colw_pt = ((right - left - gap * (ncols - 1)) / ncols) * frame.fig.get_figwidth() * 72
        modes = [False, True] if any(s.short_labels for s in frame.legend_sections) else [False]
        for compact in modes:
            for fontsize in sizes:
                chars = int((colw_pt - 2.4 * fontsize) / (0.6 * fontsize))
                for width in (chars, chars - 3, chars - 6):
                    flowing = [
                        LegendSection(_wrap_lines(sec.title, width + 2), sec.handles, fit(sec.labels, width), 1,
                                      fit(sec.short_labels, width) if sec.short_labels else None, 1)
                        for sec in frame.legend_sections
                    ]
                    how = flow_legends(frame, flowing, fontsize, compact, ncols, left, top, bottom, right, renderer, gap=gap)
                    if how == "":
                        return
                    if how == "tall":
                        break
    for lg in frame.legends:
        lg.remove()
    frame.legends = []
    if any(s.fallback is not None for s in frame.legend_sections):
        # a section with a shorter key that refers to a fuller one elsewhere (the faded zoning on A4): that key
        # rather than no album (issue 19: a legend continues or is shortened, it never stops the album)
        frame.legend_sections = [s.fallback if s.fallback is not None else s for s in frame.legend_sections]
        _stack_legends(frame, left, top, bottom, right, renderer)
        return
    if getattr(frame, "_legend_sheet_ok", False) and continue_legend(frame, left, top, bottom, right, renderer):
        return
    from sppr_gis.errors import OutputError

    name = " ".join(t for t in (frame.number, frame.title) if t)
    n = sum(len(s.handles) for s in frame.legend_sections)
    paper = frame.paper if frame.paper != "custom" else "this page size"
    advice = _("print on A3 ([album] paper = \"A3\") or show fewer classes on this map") if frame.paper == "A4" else _("show fewer classes on this map")
    raise OutputError(
        _("{name}: its legend ({n} entries) does not fit beside the map on {paper} even in three columns at {pt} pt; {advice}").format(
            name=name, n=n, paper=paper, pt=f"{MIN_PT:g}", advice=advice,
        )
    )


def _legend(frame: MapFrame, handles: Sequence[Artist], labels: Sequence[str], title: str | None, x: float, y: float, fontsize: float, ncol: int = 1, spacing: float = 0.25) -> Any:
    lg = frame.fig.legend(
        list(handles), list(labels), loc="upper left", bbox_to_anchor=(x - 0.006, y), bbox_transform=frame.fig.transFigure,
        title=title, title_fontsize=fontsize + 0.5, fontsize=fontsize, ncol=ncol, frameon=False,
        alignment="left", handlelength=1.6, handleheight=0.9, borderaxespad=0.0, borderpad=0.1,
        labelspacing=spacing, columnspacing=0.8, handletextpad=0.5, handler_map=_HANDLERS,
    )
    if title:
        lg.get_title().set_fontweight("bold")
    return lg


def most_entries(attempt: Callable[[int], tuple[Any, float, float]], hi: int, bottom: float) -> tuple[tuple[Any, float] | None, int]:
    """The most entries, fewer than ``hi``, whose legend ends at or above ``bottom``, found by halving (a legend of
    more entries is never shorter). ``attempt(m)`` draws the legend of ``m`` entries and gives it with its bottom and
    right edge (figure fraction); every legend tried but the one returned is removed.

    Returns
    -------
    (legend, bottom) or None, int
        The legend that fits and its bottom (None: not even one entry fits), and its number of entries.
    """
    placed = None
    lo = 0  # lo entries fit (none: trivially), hi do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lg, y0, _x1 = attempt(mid)
        if y0 >= bottom:
            if placed is not None:
                placed[0].remove()
            placed, lo = (lg, y0), mid
        else:
            lg.remove()
            hi = mid
    return placed, lo


def flow_legends(
    frame: MapFrame, sections: Sequence[LegendSection], fontsize: float, compact: bool, ncols: int,
    left: float, top: float, bottom: float, right: float, renderer: Any, gap: float = 0.006,
) -> str:
    """Place the sections down ``ncols`` columns between ``left`` and ``right``, a section running on into the
    next column when it reaches ``bottom`` (its title is not repeated).

    Parameters
    ----------
    frame : MapFrame
        The page; :attr:`MapFrame.legends` is replaced.
    sections : sequence of LegendSection
        Labels already wrapped to a column.
    fontsize : float
        Text size (points).
    compact : bool
        Use a section's short labels where it has them.
    ncols : int
        Number of columns.
    left, top, bottom, right : float
        The legend's room (figure fraction).
    renderer : RendererBase
        Measures the legends.
    gap : float
        Room between the columns (figure fraction).

    Returns
    -------
    str
        ``""`` when every entry has its place, ``"wide"`` when a label is wider than its column, ``"tall"`` when
        the columns are full.
    """
    for lg in frame.legends:
        lg.remove()
    frame.legends = []
    colw = (right - left - gap * (ncols - 1)) / ncols
    inv = frame.fig.transFigure.inverted()
    col, y = 0, top
    colw_chars = colw * frame.fig.get_figwidth() * 72 / (0.6 * fontsize)
    for sec in sections:
        labels = sec.short_labels if compact and sec.short_labels else sec.labels
        # labels as short as zone codes go two to a row
        inner = 2 if compact and sec.short_labels and max(len(t) for t in labels) <= colw_chars / 2 - 5 else 1
        start = 0
        while start < len(sec.handles):
            x = left + col * (colw + gap)
            title = sec.title if start == 0 and sec.title else None
            # the most entries from ``start`` that the column holds: every remaining entry first (which also checks that
            # none is too wide), then by halving (a legend of more entries is never shorter: the same answer as trying
            # one fewer at a time, in a few legends instead of one per entry; 80 zones on A3 took 54 s to refuse)
            rest = len(sec.handles) - start

            def attempt(m: int) -> tuple[Any, float, float]:
                lg = _legend(frame, sec.handles[start:start + m], labels[start:start + m], title, x, y, fontsize, ncol=min(inner, m), spacing=0.18)
                (_x0, y0), (x1, _y1) = inv.transform(lg.get_window_extent(renderer))
                return lg, y0, x1

            lg, y0, x1 = attempt(rest)
            if x1 > x + colw + 1e-3:
                lg.remove()
                return "wide"
            placed = (lg, y0) if y0 >= bottom else None
            n = rest
            if placed is None:
                lg.remove()
                placed, n = most_entries(attempt, rest, bottom)
            if placed is None:
                col, y = col + 1, top
                if col >= ncols:
                    return "tall"
                continue
            frame.legends.append(placed[0])
            start += n
            y = placed[1] - 0.004
    return ""


def place_legends(frame: MapFrame, sections: Sequence[LegendSection], fontsize: float, compact: bool, left: float, top: float, bottom: float, right: float, renderer: Any) -> bool:
    for lg in frame.legends:
        lg.remove()
    frame.legends = []
    y = top
    fits = True
    for sec in sections:
        ncol = sec.ncol
        labels = sec.labels
        if compact and sec.short_labels:
            ncol, labels = sec.compact_ncol, sec.short_labels
        lg = frame.fig.legend(
            sec.handles, labels, loc="upper left", bbox_to_anchor=(left - 0.006, y), bbox_transform=frame.fig.transFigure,
            title=sec.title, title_fontsize=fontsize + 0.5, fontsize=fontsize, ncol=ncol, frameon=False,
            alignment="left", handlelength=1.6, handleheight=0.9, borderaxespad=0.0, borderpad=0.1,
            labelspacing=0.25, columnspacing=0.8, handletextpad=0.5, handler_map=_HANDLERS,
        )
        lg.get_title().set_fontweight("bold")
        frame.legends.append(lg)
        bb = frame.fig.transFigure.inverted().transform(lg.get_window_extent(renderer))
        if bb[1][0] > right + 1e-3:
            fits = False
        y = bb[0][1] - 0.008
    return y >= bottom and fits


#: The note under a legend that continues on the map's Lampiran sheet; :meth:`MapFrame.set_page` writes the page in.
CONTINUED_NOTE = "Legenda berlanjut pada halaman berikutnya ({where})."


def continue_legend(frame: MapFrame, left: float, top: float, bottom: float, right: float, renderer: Any) -> bool:
    """Beside the map as much of the legend as fits, the rest on the map's Lampiran sheet, with a note under it naming
    the sheet's page ("Legenda berlanjut pada halaman 5 (Lampiran Peta 2)."); False (nothing drawn) when not even
    the first entry fits.

    Whole sections first, in their order (a short one after a long one that does not fit stays beside the map),
    then the first entries of the first section left out, the most that fit; its other entries continue on the
    sheet under its title and "(lanjutan)". Whether an arrangement fits is tried with every layout of
    :func:`stack_legends` (one column, the short labels, two and three columns) at its smallest size, in the room
    left above the note; the one chosen is then laid out as :func:`stack_legends` lays out any legend (the first of
    its layouts, largest size first, that holds it).

    Parameters
    ----------
    frame : MapFrame
        The page; its :attr:`~MapFrame.legend_sections` (their fallbacks already taken) become what stays beside the
        map and :attr:`~MapFrame.legend_overflow` what continues.
    left, top, bottom, right : float
        The legend's room (figure fraction).
    renderer : RendererBase
        Measures in points (:func:`points_renderer`).

    Returns
    -------
    bool
        Whether the legend is laid out (beside the map and on the sheet).
    """
    from sppr_gis.errors import OutputError

    secs = list(frame.legend_sections)
    inv = frame.fig.transFigure.inverted()
    where = f"Lampiran {frame.number}" if frame.number else "Lampiran peta"
    chars = max(20, int((right - left) * frame.fig.get_figwidth() * 72 / (MIN_PT * 0.62)) - 2)
    note = frame.fig.text(left - 0.005, top, _wrap_lines(CONTINUED_NOTE.format(where=where), chars), fontsize=MIN_PT, fontstyle="italic", va="top",
                          color="#333333", linespacing=1.15, gid="legend-more")
    (_x0, y0), (_x1, y1) = inv.transform(note.get_window_extent(renderer))
    room = bottom + (y1 - y0) + 0.006  # the legend's bottom: the note under it

    frame._legend_sheet_ok = False  # the arrangements are laid out without continuing again
    try:
        def fits(candidate: list[LegendSection], smallest: bool = False) -> bool:
            frame.legend_sections = candidate
            try:
                _stack_legends(frame, left, top, room, right, renderer, smallest)
            except OutputError:
                return False
            return True

        def can_fit(candidate: list[LegendSection]) -> bool:
            # whether the candidate fits in any layout stack_legends tries, at its smallest size (one column, two or three,
            # short labels or not): a legend that fits at a larger size fits at it; on A3 a fifth of the layouts (to refuse
            # 80 zones all of them took 9 s a try). Which is densest depends on the labels: in three columns long zone names
            # wrap to three lines, and one column held more of the 45 zones on A4.
            return fits(candidate, smallest=True)

        kept: list[int] = []
        for i in range(len(secs)):
            if can_fit([secs[j] for j in (*kept, i)]):
                kept.append(i)
        out = [i for i in range(len(secs)) if i not in kept]
        split: tuple[int, int] | None = None  # (section, entries beside the map)
        if out and len(secs[out[0]].handles) > 1:
            first = out[0]
            lo, hi = 0, len(secs[first].handles)  # lo entries fit (none: trivially), hi do not
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if can_fit(_arrangement(secs, kept, (first, mid))):
                    lo = mid
                else:
                    hi = mid
            split = (first, lo) if lo else None
        # laid out as stack_legends lays a legend out (the first of its layouts that holds it: one at the smallest size does)
        beside = _arrangement(secs, kept, split)
        while beside and not fits(beside):  # pragma: no cover - a layout at the smallest size held it
            if split is None or split[1] <= 1:
                beside = []
                break
            split = (split[0], split[1] - 1)
            beside = _arrangement(secs, kept, split)
        if not beside:
            frame.legend_sections = secs
            for lg in frame.legends:
                lg.remove()
            frame.legends = []
            note.remove()
            return False
    finally:
        frame._legend_sheet_ok = True
    rest: list[LegendSection] = []
    for i in out:
        sec = secs[i]
        if split is not None and i == split[0]:
            m = split[1]
            base = re.sub(r"\s*\(lanjutan\)$", "", sec.title or "")
            sec = LegendSection(f"{base} (lanjutan)" if base else "", sec.handles[m:], sec.labels[m:], sec.ncol,
                                sec.short_labels[m:] if sec.short_labels else None, sec.compact_ncol)
        rest.append(sec)
    frame.legend_overflow = rest
    # the note just under the legend (its lowest column)
    low = min(inv.transform(lg.get_window_extent(renderer))[0][1] for lg in frame.legends)
    note.set_y(low - 0.006)
    frame.legend_continued_artists.append(note)
    return True


def _arrangement(secs: Sequence[LegendSection], kept: Sequence[int], split: tuple[int, int] | None) -> list[LegendSection]:
    """The sections beside the map, in their order: the whole ones ``kept`` and the first ``split[1]`` entries of
    section ``split[0]``."""
    out = []
    for i, sec in enumerate(secs):
        if i in kept:
            out.append(sec)
        elif split is not None and i == split[0] and split[1] > 0:
            m = split[1]
            out.append(LegendSection(sec.title, sec.handles[:m], sec.labels[:m], sec.ncol, sec.short_labels[:m] if sec.short_labels else None, sec.compact_ncol))
    return out
