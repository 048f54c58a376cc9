"""The map page (:class:`MapFrame`): map axes and the information column, furniture and notes."""

from __future__ import annotations

import dataclasses

import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from pyproj import CRS  # noqa: E402

from sppr_gis._version import __version__  # noqa: E402
from sppr_gis.maps.cartography import grid, inset, legend, scalebar  # noqa: E402
from sppr_gis.errors import OutputError  # noqa: E402
from sppr_gis.maps.cartography.common import (  # noqa: E402
    _FOOT,
    _INK,
    _MAP_BOX,
    map_box_for,
    panel_x_for,
    _NOTE_TOP,
    _PREP_TOP,
    KEY_BESIDE_ROWS,
    TABLE_HEADING,
    KEY_ON_PAGE_ROWS,
    MAX_CONTINUED_ROWS,
    MIN_PT,
    PAPER_SIZES,
    _is_metric,
    _pt,
    _today,
    fit_extent,
    paper_size,
)
from sppr_gis.maps.cartography.grid import _round_sig  # noqa: E402
from sppr_gis.maps.cartography.legend import LegendSection  # noqa: E402
from sppr_gis.maps.cartography.preparer import preparer_artists  # noqa: E402
from sppr_gis.maps.cartography.scalebar import ScaleBar  # noqa: E402
from sppr_gis.maps.cartography.textfit import _bottom, _fit_block, _fit_text  # noqa: E402
from sppr_gis.text import angka  # noqa: E402
from sppr_gis.i18n import _


def keyed_row(num: str, text: str, width: int) -> str:
    """One row of a keyed list as a legend label: ``"12. PUPR-2025-012 ..."`` wrapped to ``width`` characters
    under a hanging indent (never at an id's hyphen); a heading row (``num`` is :data:`TABLE_HEADING`) is its
    text alone.

    >>> keyed_row("3", "DLH-2025-003 TPS3R", 40)
    '3. DLH-2025-003 TPS3R'
    >>> keyed_row(TABLE_HEADING, "Program tanpa lokasi (tidak digambar di peta)", 60)
    'Program tanpa lokasi (tidak digambar di peta)'
    """
    if num == TABLE_HEADING:
        return textwrap.fill(" ".join(str(text).split()), width, break_on_hyphens=False)
    return textwrap.fill(" ".join(f"{num}. {text}".split()), width, subsequent_indent="    ", break_on_hyphens=False)


class _LayoutCanvas(FigureCanvasAgg):
    """The Agg canvas of a map page, whose renderer for measuring (``get_renderer`` asked by anything but Agg's own
    draw) has a one-pixel buffer at the figure's dpi instead of the page's full one.

    Measuring reads the renderer's dpi and font metrics only; a full A3 buffer at 200 dpi is 31 MB cleared for each
    figure and kept with it (a 10,000-program album made 73 of them, most of its memory, while its PDF is drawn by
    the PDF backend and its PNGs are rasterized from the PDF). Agg's draw (``FigureCanvasAgg.draw``, which
    ``draw``, ``print_png`` and ``savefig`` to PNG go through) gets the full buffer, as in matplotlib.
    """

    _sppr_measure: Any = None

    def get_renderer(self) -> Any:
        if sys._getframe(1).f_code is _AGG_DRAW:
            return super().get_renderer()
        r = self._sppr_measure
        if r is None or r.dpi != self.figure.dpi:
            r = self._sppr_measure = RendererAgg(1, 1, self.figure.dpi)
        return r


#: The code of Agg's draw: the one caller of ``get_renderer`` that draws into the renderer's buffer.
_AGG_DRAW = FigureCanvasAgg.draw.__code__


class MapFrame:
    """An atlas page: map axes plus the side panel.

    Parameters
    ----------
    title : str
        Map title (printed in capitals).
    crs : CRS-like
        The projected, metric CRS the layers are drawn in.
    subtitle : str, optional
        Second title line (place, year).
    number : str, optional
        Page/map number (``Peta 3``).
    figsize : tuple of float
        Page size in inches (default A4 landscape).
    dpi : int
        Resolution the page is laid out (and saved as PNG) at.
    legend_sheet : bool
        The page is printed with its Lampiran sheets (the album): a legend that does not fit beside the map even
        in three columns at 7 pt keeps there what fits and continues on the sheet
        (:attr:`legend_overflow`, :func:`~sppr_gis.maps.cartography.continuation.continuation_pages`) instead of
        raising :class:`~sppr_gis.errors.OutputError`. Off for a page printed alone (``sppr map``): it has no sheet.

    Raises
    ------
    ValueError
        ``crs`` is not projected in metres (a scale bar in degrees would lie).
    """

    def __init__(
        self,
        title: str,
        *,
        crs: Any,
        subtitle: str | None = None,
        number: str | None = None,
        figsize: tuple[float, float] | None = None,
        dpi: int = 200,
        paper: str = "A3",
        sheet: str | None = None,
        region: str | None = None,
        office: str | None = None,
        signatory: str | None = None,
        logo: Any = None,
        table_width: float = 0.0,
        place_date: str | None = None,
        inset_layer: gpd.GeoDataFrame | None = None,
        table_apart: bool = False,
        legend_sheet: bool = False,
    ) -> None:
        self.crs = CRS.from_user_input(crs)
        if not _is_metric(self.crs):
            raise ValueError(_("maps are drawn in a projected CRS in metres, not {name}; transform the layers first").format(name=self.crs.name))
        self.title = title
        self.subtitle = subtitle
        self.number = number
        self.sheet = sheet
        self.region = region
        self.office = office
        self.signatory = signatory
        self.place_date = place_date
        self.logo = logo
        #: Boundaries around the region for the location inset (province, neighbouring regencies), with ``name``.
        self.inset_layer = inset_layer
        #: Table rows that did not fit the page: printed on a continuation page (as is a legend that does not fit, see
        #: :attr:`legend_overflow`).
        self.overflow_rows: list[tuple[str, str]] = []
        self.overflow_title: str = ""
        self.overflow_more: str = ""
        self.continued_artists: list[Text] = []
        #: Whether the legend may continue on the Lampiran sheet (see the parameter).
        self.legend_sheet = bool(legend_sheet)
        #: The legend sections (or their ends, titled "... (lanjutan)") that did not fit beside the map: printed on
        #: the Lampiran sheet, before the table's rows.
        self.legend_overflow: list[LegendSection] = []
        #: The note under the legend beside the map ("Legenda berlanjut pada halaman berikutnya ..."): :meth:`set_page`
        #: writes its page in.
        self.legend_continued_artists: list[Text] = []
        #: On which of the map's Lampiran sheets (from 0) the legend's and the table's continuations begin (set by
        #: :func:`~sppr_gis.maps.cartography.continuation.continuation_pages`).
        self.legend_sheet_offset = 0
        self.table_sheet_offset = 0
        self.page_number_artist: Text | None = None
        self.paper = str(paper).upper() if figsize is None else "custom"
        size = figsize or paper_size(paper)
        self.fig = Figure(figsize=size, dpi=dpi)  # layout measured at the PNG resolution
        self.k = size[0] / PAPER_SIZES["A4"][0]  # type scale relative to A4 (A3: 1.41)
        canvas = _LayoutCanvas(self.fig)
        # geopandas' plot() asks for a redraw after every layer; on Agg that is a full render of
        # the page each time (most of the album's run time). The page is drawn once, when saved.
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
        #: The side panel's left and right edges (figure fraction).
        self.panel_x = panel_x_for(self.k)
        l, b, w, h = map_box_for(self.k)
        tw = min(max(float(table_width), 0.0), 0.35)
        #: The keyed table goes wholly on the continuation page: the map keeps the full frame (and so the
        #: album's one scale shows the whole city as large as the frame allows).
        self.table_apart = bool(table_apart) and tw > 0
        if self.table_apart:
            tw = 0.0
        self.map_box = (l, b, w - tw, h)
        # a column right of the map (inside its border) for the table the numbered callouts refer to; on A3 the
        # table keeps the full height (the source strip stops at its left), on A4 the strip runs under it too
        _l, tb, _w, th = _MAP_BOX if self.k >= 1.2 else (l, b, w, h)
        self.table_box: tuple[float, float, float, float] | None = (l + w - tw + 0.035, tb, tw - 0.03, th) if tw else None
        self.table_rows: list[tuple[str, str]] = []
        self.table_shown = 0
        self.ax = self.fig.add_axes(self.map_box)
        self.ax.set_aspect("equal", adjustable="box")
        self.ax.set_facecolor("#ffffff")
        self.legend_sections: list[LegendSection] = []
        #: A chart page (no map): :meth:`finish` leaves out the scale bar, grid, inset, north arrow, scale and CRS note.
        self.chart = False
        self.scale_bar: ScaleBar | None = None
        self.inset_ax: Any = None
        self.legends: list[Legend] = []
        self.notes: list[str] = []
        self.extent: tuple[float, float, float, float] | None = None
        self.scale_denominator: float | None = None
        self.legend_truncated = 0
        self.prep_top = _PREP_TOP
        #: Top (figure fraction) of the source block; raised by :meth:`finish` when the citations need more room.
        self.note_top = _NOTE_TOP
        self.sources_artist: Text | None = None
        #: True when the sources are in the strip under the map rather than in the panel.
        self.sources_in_strip = False
        #: A short keyed table (its title, its rows and the note naming its Lampiran sheet) that :meth:`finish`
        #: puts in the legend panel when it fits there, else leaves on the Lampiran sheet.
        self.key_beside: tuple[str, list[tuple[str, str]], str] | None = None
        #: The source texts (one, or two columns in the strip).
        self.sources_artists: list[Text] = []
        #: What the page shows, for checks and reuse (filled by the album's pages: totals, classes, categories).
        self.data: dict[str, Any] = {}
        self._panel_border()

    def _panel_border(self) -> None:
        x0, x1 = self.panel_x
        self.fig.patches.append(Rectangle((x0, 0.035), x1 - x0, 0.93, transform=self.fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))
        l, b, w, h = _MAP_BOX
        self.fig.patches.append(Rectangle((0.012, 0.035), x0 - 0.012 - 0.01, 0.93, transform=self.fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))

    def set_extent(self, bounds: Sequence[float], pad: float = 0.04) -> tuple[float, float, float, float]:
        """Show ``bounds`` (grown to the map box's shape) and return the final extent."""
        w_in = self.map_box[2] * self.fig.get_figwidth()
        h_in = self.map_box[3] * self.fig.get_figheight()
        ext = fit_extent(bounds, w_in / h_in, pad=pad)
        self.ax.set_xlim(ext[0], ext[2])
        self.ax.set_ylim(ext[1], ext[3])
        self.ax.set_autoscale_on(False)
        self.extent = ext
        return ext

    def set_scale_extent(self, center: tuple[float, float], denominator: float) -> tuple[float, float, float, float]:
        """Show the map at ``1 : denominator`` on paper, centred on ``center``; returns the extent."""
        w_m = self.map_box[2] * self.fig.get_figwidth() * 0.0254 * denominator
        h_m = self.map_box[3] * self.fig.get_figheight() * 0.0254 * denominator
        cx, cy = center
        ext = (cx - w_m / 2, cy - h_m / 2, cx + w_m / 2, cy + h_m / 2)
        self.ax.set_xlim(ext[0], ext[2])
        self.ax.set_ylim(ext[1], ext[3])
        self.ax.set_autoscale_on(False)
        self.extent = ext
        return ext

    def _final_extent(self) -> tuple[float, float, float, float]:
        self.ax.apply_aspect()
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        return (x0, y0, x1, y1)


    # -- furniture (defined in their modules) ---------------------------------

    add_scale_bar = scalebar.add_scale_bar
    _north_arrow = scalebar.north_arrow
    add_coordinate_ticks = grid.add_coordinate_ticks
    add_inset = inset.add_inset
    _stack_legends = legend.stack_legends
    _place_legends = legend.place_legends

    def add_legend(self, sections: Sequence[LegendSection]) -> None:
        """Queue legend sections; they are laid out in the panel by :meth:`finish`."""
        self.legend_sections.extend(s for s in sections if s.handles)

    def _layout_panel(self) -> None:
        x0, x1 = self.panel_x
        inner = x0 + 0.012
        fig = self.fig
        k = self.k
        maxw = x1 - inner - 0.008
        # map number and sheet
        y = 0.955
        self.head_artist = fig.text(inner, y, self._head() or " ", fontsize=_pt(7.5 * k), color="#444444", va="top", fontweight="bold", gid="map-number")
        y = _bottom(fig, self.head_artist) - 0.012
        t = _fit_text(fig, inner, y, self.title.upper(), maxw, fontsize=11 * k, min_fontsize=_pt(9 * k), fontweight="bold", va="top", color=_INK, linespacing=1.15)
        y = _bottom(fig, t) - 0.012
        if self.subtitle:
            st = _fit_text(fig, inner, y, self.subtitle, maxw, fontsize=_pt(8 * k), min_fontsize=MIN_PT, va="top", color="#333333", linespacing=1.2)
            y = _bottom(fig, st) - 0.012
        fig.add_artist(Line2D([x0, x1], [y, y], transform=fig.transFigure, color=_INK, linewidth=0.6))
        if not self.chart:
            y = self._north_and_scale(inner, y)
        # legend, down to the sources (or the preparer block); what does not fit continues on the Lampiran sheet (an
        # album's page) or stops the album
        if self.legend_sections or not self.chart or self.key_beside is not None:  # a page without a map nor a key (a continuation page): no LEGENDA
            head = fig.text(inner, y - 0.01, "LEGENDA", fontsize=_pt(8.5 * k), fontweight="bold", va="top", color=_INK)
            top = _bottom(fig, head) - 0.008
            self._settle_key(inner, top, x1 - 0.008)  # a short list beside the map, or its note back (the sources may grow)
            self._stack_legends(inner, top, self.note_top + 0.006, x1 - 0.008, sheet=self.legend_sheet)
        note_top = self.note_top
        # inset, sources, preparer
        fig.add_artist(Line2D([x0, x1], [note_top, note_top], transform=fig.transFigure, color=_INK, linewidth=0.6))
        fig.add_artist(Line2D([x0, x1], [self.prep_top, self.prep_top], transform=fig.transFigure, color=_INK, linewidth=0.6))

    def _key_spread_points(self) -> None:
        """Point symbols that lay on one another were spread on a ring with leaders to a small dot at their true
        place (:func:`~sppr_gis.maps.cartography.draw.draw_by_category`): that device keyed too, in the section of the
        location forms (or its own), so that every symbol on the map has a legend entry (review s6). On A4, where the
        legend beside the map has no row to spare (Peta Kesesuaian's 32 entries fill three columns at 7 pt), the key
        is a sentence of the page's note instead."""
        if self.ax is None or not any(c.get_gid() == "stack-origin" for c in self.ax.collections):
            return
        if self.paper == "A4":
            self.notes.append("Simbol titik yang berimpit dipencarkan melingkar dengan garis ke lingkaran putih kecil di lokasi sebenarnya.")
            return
        handle = Line2D([], [], color="#333333", linewidth=0.5, marker="o", markersize=2.6, markerfacecolor="#ffffff", markeredgecolor="#111111", markeredgewidth=0.6)
        label = "Titik berimpit, dipencarkan (lingkaran putih kecil = lokasi sebenarnya)"
        for sec in self.legend_sections:
            if sec.title == "Bentuk lokasi":
                sec.handles = [*sec.handles, handle]
                sec.labels = [*sec.labels, label]
                return
        self.legend_sections.append(LegendSection("Bentuk lokasi", [handle], [label]))

    def _north_and_scale(self, inner: float, y: float) -> float:
        """The north arrow and the numeric scale below ``y``, closed by a rule; returns the rule's height."""
        x0, x1 = self.panel_x
        fig, k = self.fig, self.k
        # on A4 a smaller arrow in a lower block leaves the legend its room; A3 as before
        h, arrow, drop = (0.1, 0.2 * k, 0.0) if k >= 1.2 else (0.058, 0.12, 0.005)
        self._north_arrow(inner + 0.03, y - h / 2 - drop, arrow)
        scale_lines = []
        if self.scale_denominator:
            scale_lines.append(f"Skala 1 : {angka(_round_sig(self.scale_denominator), 0)}")
            scale_lines.append(f"(pada kertas {self.paper})" if self.paper in PAPER_SIZES else "(pada ukuran halaman ini)")
        if self.scale_bar is not None:
            scale_lines.append(f"Skala grafis: {self.scale_bar.labels[-1] if self.scale_bar.labels else ''}".rstrip())
        fig.text(inner + 0.075, y - h / 2 + 0.003, "\n".join(scale_lines), fontsize=_pt(7.5 * k), va="center", color=_INK, linespacing=1.3)
        y -= h
        fig.add_artist(Line2D([x0, x1], [y, y], transform=fig.transFigure, color=_INK, linewidth=0.6))
        return y

    def _head(self) -> str:
        return "   ".join(t for t in (self.number.upper() if self.number else None, self.sheet) if t)

    def set_sheet(self, sheet: str) -> None:
        """Set the sheet text (``Lembar 3 dari 14``) beside the map number, also after :meth:`finish`."""
        self.sheet = sheet
        if getattr(self, "head_artist", None) is not None:
            self.head_artist.set_text(self._head())

    def _preparer_block(self, left: float, right: float) -> float:
        """Office logo and name, the place-and-date line and every line of the signatory, at the foot of the
        column, bottom up; returns the block's top (figure fraction).

        Raises
        ------
        sppr_gis.errors.ConfigError
            The block is taller than half the page even at 7 pt (names ``album.penandatangan``).
        """
        arts = preparer_artists(self.fig, left, right, _FOOT, office=self.office, signatory=self.signatory, place_date=self.place_date, logo=self.logo, fontsize=_pt(7 * self.k))
        self.preparer_artists = arts
        return arts.top

    def add_table(self, title: str, rows: Sequence[tuple[str, str]], more: str | None = None) -> int:
        """The table keyed to the map's numbered callouts, in the column right of the map.

        ``rows`` are (number, text); texts are wrapped to the column. Rows that do
        not fit are summed up in one last line (``more`` names where the rest is
        listed). Returns the number of rows shown.

        Raises
        ------
        ValueError
            The frame was made without ``table_width``.
        """
        if self.table_apart:
            return self._table_apart(title, rows, more)
        if self.table_box is None:
            raise ValueError(_("this frame has no table column (table_width=0)"))
        fig = self.fig
        x, b, w, h = self.table_box
        top = b + h
        size = _pt(5 * self.k)
        head = fig.text(x, top, title.upper(), fontsize=_pt(6.5 * self.k), fontweight="bold", va="top", color=_INK, gid="table-title")
        y = _bottom(fig, head) - 0.008
        num_w = 0.014 * (self.k / 1.41) + 0.003
        chars = max(16, int((w - num_w) * fig.get_figwidth() * 72 / (size * 0.6)))
        shown = 0
        rows = rows if isinstance(rows, Sequence) else list(rows)
        for i in range(len(rows)):
            num, text = rows[i]
            wrapped = textwrap.fill(" ".join(str(text).split()), chars)
            lines = wrapped.count("\n") + 1
            need = lines * size * 1.25 / 72 / fig.get_figheight()
            reserve = (size * 1.25 * 2.3 / 72 / fig.get_figheight()) if i < len(rows) - 1 else 0.0
            if y - need - reserve < b:
                # the rest continues on the next page (numbered there and on the map), up to MAX_CONTINUED_ROWS
                rest = len(rows) - i
                cont = min(rest, MAX_CONTINUED_ROWS)
                self.overflow_rows = [rows[j] for j in range(i, i + cont)]
                self.overflow_title = title
                self.overflow_more = (f"... dan {rest - cont} lainnya" + (f" ({more})" if more else "")) if rest > cont else ""
                what = f"Nomor {rows[i][0]} dan seterusnya" if rows[i][0] not in ("–", "-", "", TABLE_HEADING) else "Daftar ini"  # '–': no number on the map
                t = fig.text(x, y, textwrap.fill(f"{what} berlanjut pada halaman berikutnya.", chars + 4), fontsize=size, fontstyle="italic", va="top", color="#333333", gid="table-more")
                self.continued_artists.append(t)
                break
            if num == TABLE_HEADING:  # a group's heading: bold, across the number column, a little apart from the rows above
                t = fig.text(x, y - 0.002, textwrap.fill(" ".join(str(text).split()), chars + 4), fontsize=size, fontweight="bold", va="top", color=_INK,
                             linespacing=1.15, gid="table-heading")
                y = _bottom(fig, t) - 0.0025
                shown += 1
                continue
            fig.text(x, y, str(num), fontsize=size, fontweight="bold", va="top", color=_INK, gid="table-number")
            t = fig.text(x + num_w, y, wrapped, fontsize=size, va="top", color=_INK, linespacing=1.15, gid="table-row")
            y = _bottom(fig, t) - 0.0025
            shown += 1
        self.table_rows = rows
        #: Rows keyed by a number (on this page or its continuation): the map numbers exactly these.
        self.table_shown = shown + len(self.overflow_rows)
        return self.table_shown

    def _table_apart(self, title: str, rows: Sequence[tuple[str, str]], more: str | None) -> int:
        """Every row of the keyed table (up to :data:`MAX_CONTINUED_ROWS`) on the continuation page, and a note
        under the map saying where (its page number is filled in by :meth:`set_page`)."""
        rows = rows if isinstance(rows, Sequence) else list(rows)  # lazy rows (tens of thousands) read only as far as printed
        # a short key (up to KEY_BESIDE_ROWS rows, KEY_ON_PAGE_ROWS included) goes beside the map in the legend panel
        # when the legend with it fits there (finish decides, :meth:`_settle_key`), else on its Lampiran sheet: a
        # short key kept in the panel unconditionally stopped the A4 album of Kota Bandung (Peta 14, review s6)
        cont = min(len(rows), MAX_CONTINUED_ROWS)
        self.overflow_rows = [rows[j] for j in range(cont)]
        self.overflow_title = title
        self.overflow_more = (f"... dan {len(rows) - cont} lainnya" + (f" ({more})" if more else "")) if len(rows) > cont else ""
        self.table_rows = rows
        self.table_shown = cont
        if rows:
            note = f"{title} (nomor pada peta) pada halaman berikutnya."
            self.notes.append(note)
            if len(rows) <= KEY_BESIDE_ROWS:  # a short list beside the map when the panel holds it (finish decides)
                self.key_beside = (title, [(str(n), str(t)) for n, t in rows], note)
        return cont

    def finish(self, note: str | Sequence[str] | None = None, *, avoid: gpd.GeoDataFrame | None = None, context: gpd.GeoDataFrame | None = None) -> None:
        """Add scale bar, ticks, inset, panel (title, north arrow, legend), sources and the preparer block.

        Parameters
        ----------
        note : str or sequence of str, optional
            Source citations (``Sumber: ...``) and notes, printed above the preparer block.
        avoid : GeoDataFrame, optional
            Features the scale bar should not hide.
        context : GeoDataFrame, optional
            The whole region (kecamatan or zoning) for the inset locator.
        """
        if self.extent is None and not self.chart:
            raise ValueError(_("set_extent() first"))
        self.ax.set_xlabel("")
        self.ax.set_ylabel("")
        if not self.chart:
            self.add_scale_bar(avoid=avoid)
            self.add_coordinate_ticks()
        if note:
            self.notes.extend([note] if isinstance(note, str) else list(note))
        epsg = self.crs.to_epsg()
        crs_note = f"Sistem koordinat {self.crs.name}" + (f" (EPSG:{epsg})" if epsg else "") + "; jarak pada skala grafis adalah jarak grid proyeksi."
        self._tech = [*([] if self.chart else [crs_note]), f"Dibuat {_today().strftime('%d-%m-%Y')} dengan sppr_gis {__version__}."]
        self._key_spread_points()
        x0, x1 = self.panel_x
        self.prep_top = self._preparer_block(x0 + 0.012, x1 - 0.008) + 0.008
        if self.key_beside is not None and self.key_beside[2] in self.notes:
            self.notes.remove(self.key_beside[2])  # the short list beside the map: its note back only if it does not fit
        self._add_sources()
        self._note_continued()
        if not self.chart:
            self.add_inset(context, avoid=avoid)
        self._layout_panel()

    def _note_continued(self) -> None:
        """The note naming the table's page among the sources: :meth:`set_page` writes its number in."""
        if self.table_apart:
            self.continued_artists.extend(t for t in self.sources_artists if "halaman" in t.get_text() and "berikutnya" in t.get_text() and t not in self.continued_artists)

    def _settle_key(self, left: float, top: float, right: float) -> None:
        """The short keyed table (:attr:`key_beside`) in the legend panel, in one column, when the legend with it
        fits beside the map down to the sources; else on the Lampiran sheet as queued, its note ("... pada halaman
        berikutnya") put back among the sources.

        The priority, as a cartographer keys a map: the list of what the map numbers stands beside it before a
        background's full key, and every colour drawn stays keyed code by code. In turn: (1) every section's full
        key; (2) the sections that have short labels in columns (the faded zoning's codes, four to a row, their
        names on the pola ruang map). The first that holds the list is taken (Dinas Kesehatan's 7 programs beside
        the map rather than on a Lampiran sheet of 7 rows); where neither does, the list goes to its sheet and the
        keys stay. A background's one-entry key (:attr:`LegendSection.fallback`) is never taken to make room for a
        list: it would key the OPD maps' backgrounds unlike each other (review s7: Peta 7 and 10 with one entry,
        Peta 8 and 9 with all 20 codes) and leave colours drawn without their code.
        """
        if self.key_beside is None:
            return
        title, rows, note = self.key_beside
        self.key_beside = None
        sec = self._key_beside_fits(title, rows, self.legend_sections, False, left, top, right)
        if sec is None and any(s.short_labels for s in self.legend_sections):
            sec = self._key_beside_fits(title, rows, self.legend_sections, True, left, top, right)
        if sec is not None:
            self.legend_sections.append(sec)
            self.overflow_rows, self.overflow_title, self.overflow_more = [], "", ""
            return
        for t in self.sources_artists:
            t.remove()
        self.notes.append(note)
        self._add_sources()
        self._note_continued()

    def _key_beside_fits(self, title: str, rows: Sequence[tuple[str, str]], sections: Sequence[LegendSection], compact: bool, left: float,
                         top: float, right: float) -> LegendSection | None:
        """The short list's legend section when the legend of ``sections`` (with their short labels in columns
        where ``compact``) and the list under them in one column fit beside the map: at the size the legend takes
        without it (or a step or two smaller, never below four fifths of it nor 7 pt), down to the sources; and as
        :func:`~sppr_gis.maps.cartography.legend.stack_legends` then lays it out, with every section's key as given
        (no shorter key taken for it) and the list's rows in one column, never run on into another (read across
        columns, its rows were taken for another program's); None when it does not."""
        renderer = self.fig.canvas.get_renderer()
        full = max(20, int((right - left) * self.fig.get_figwidth() * 72 / (MIN_PT * 0.62)) - 6)

        def wrapped(secs: Sequence[LegendSection]) -> list[LegendSection]:
            return [LegendSection(s.title, s.handles, [legend._wrap_lines(str(t), full // max(s.ncol, 1)) for t in s.labels], s.ncol,
                                  [legend._wrap_lines(str(t), full // max(s.compact_ncol, 1)) for t in s.short_labels] if s.short_labels else None,
                                  s.compact_ncol) for s in secs]

        sizes = sorted({_pt(round(f * self.k * 2) / 2) for f in (7.0, 6.5, 6.0, 5.5, 5.0)}, reverse=True)
        # bottom: the sources' top with the note put back (a conservative two lines more when they are in the panel)
        spare = 0.0 if self.sources_in_strip else 2 * _pt(6.5 * self.k) * 1.2 / 72 / self.fig.get_figheight()
        bottom = self.note_top + 0.006 + spare
        size = next((fs for fs in sizes if self._place_legends(wrapped(sections), fs, compact, left, top, bottom, right, renderer)), None)
        found = None
        # at that size or a step or two smaller (never below four fifths of it, nor 7 pt)
        for fs in [v for v in sizes if size is not None and max(MIN_PT, 0.8 * size) - 1e-9 <= v <= size]:
            # the rows wrapped to the panel at that size (a hanging indent under the number); its short labels are its
            # rows in one column (else the legend's compact layout would set them in two)
            chars = max(20, int(((right - left) * self.fig.get_figwidth() * 72 - 2.6 * fs) / (0.6 * fs)))
            blank = [Line2D([], [], linestyle="", marker="") for _ in rows]
            labels = [keyed_row(n, t, chars) for n, t in rows]
            sec = LegendSection(f"{title} (nomor pada peta)", blank, labels, short_labels=list(labels), compact_ncol=1)
            if self._place_legends([*wrapped(sections), sec], fs, compact, left, top, bottom, right, renderer):
                found = sec
                break
        for lg in self.legends:
            lg.remove()
        self.legends = []
        if found is None:
            return None
        # and the legend as it is then laid out (labels wrapped again, the columns tried) holds it too, with every
        # section's key as given (no shorter key taken for it) and the list in one legend of one column: else the
        # list stays on its Lampiran sheet (a Bandung A4 sinergi map fitted here and then stopped the album)
        saved = self.legend_sections
        self.legend_sections = [*(dataclasses.replace(s, fallback=None) for s in sections), found]
        try:
            legend.stack_legends(self, left, top, self.note_top + 0.006, right)
            mine = [lg for lg in self.legends if lg.get_title().get_text() == found.title]
            if not (len(mine) == 1 and len(mine[0].get_texts()) == len(rows) and mine[0]._ncols == 1):
                found = None  # run on into another column, or set in two
        except OutputError:
            found = None
        for lg in self.legends:
            lg.remove()
        self.legends = []
        self.legend_sections = saved
        return found

    def _add_sources(self) -> None:
        """The source citations and notes above the preparer block, every word of them.

        Wrapped to the panel and shrunk down to :data:`MIN_PT`; when they still do not
        fit the usual block, the block grows upward (the inset and the legend move up)
        rather than cutting a citation.
        """
        paras = [*self.notes, *self._tech]
        rest = paras
        if not self.chart:
            # the map's labels do not change while the strip is tried: its top is measured once
            renderer = self.fig.canvas.get_renderer()
            (_, lab_bottom), _ = self.fig.transFigure.inverted().transform(_tight_bbox(self.ax, renderer))
            if self._sources_in_strip(paras, lab_bottom):
                return
            shorter = [getattr(p, "short", p) for p in paras]
            if shorter != paras:  # the notes' short forms rather than the legend's room (Note)
                paras = rest = shorter
                if self._sources_in_strip(paras, lab_bottom):
                    return
            # the strip takes as many paragraphs as it holds (from the first), the panel the rest: the panel's room
            # is the legend's, which must stay whole on the sheet (a long note, e.g. programs outside the frame,
            # would otherwise push every citation into the panel)
            for n in range(len(paras) - 1, 0, -1):
                if self._sources_in_strip(paras[:n], lab_bottom):
                    rest = paras[n:]
                    break
        strip = list(self.sources_artists)
        x0, x1 = self.panel_x
        inner = x0 + 0.012
        floor = self.prep_top + 0.006
        room = _NOTE_TOP - _PREP_TOP - 0.014
        t = _fit_block(
            self.fig, inner, 0.9, rest, x1 - inner - 0.006, 0.9 - room, fontsize=_pt(6.5 * self.k),
            color="#333333", linespacing=1.2, gid="sources", drop=False,
        )
        h = 0.9 - _bottom(self.fig, t)
        t.set_y(floor + h)
        self.note_top = floor + h + 0.008
        self.sources_artist = strip[0] if strip else t
        self.sources_artists = [*strip, t]
        self.sources_in_strip = False

    def _sources_in_strip(self, paras: Sequence[str], lab_bottom: float | None = None) -> bool:
        """The citations and notes ``paras`` in the strip under the map (below its grid labels, whose bottom is
        ``lab_bottom`` in figure fraction, measured when not given), wrapped to the map's frame at 6.5 pt (A4;
        scaled on A3, never below 7 pt); False (nothing drawn) when they do not fit it."""
        if lab_bottom is None:
            (_, lab_bottom), _ = self.fig.transFigure.inverted().transform(_tight_bbox(self.ax, self.fig.canvas.get_renderer()))
        under_table = self.table_box is not None and self.table_box[1] >= self.map_box[1] - 1e-9  # A4: the table stops above the strip
        left, right = 0.022, (self.table_box[0] - 0.012) if self.table_box and not under_table else self.panel_x[0] - 0.02
        top = min(lab_bottom, self.ax.get_position().y0) - 0.006
        floor = 0.035 + 0.006
        paras = list(paras)
        # two columns, split where half the text (a paragraph counted at least a short line) has been read; or
        # one; or three (split at the thirds)
        weight = np.maximum([len(p) for p in paras], 40).cumsum()

        def split(n: int) -> list[list[str]]:
            cuts = sorted({min(int(np.searchsorted(weight, weight[-1] * i / n)) + 1, len(paras)) for i in range(1, n)}) if len(paras) > 1 else []
            return [c for c in (paras[a:b] for a, b in zip([0, *cuts], [*cuts, len(paras)])) if c]

        gap = 0.015
        texts: list[Text] = []
        for cols in (split(2), [paras], split(3)):
            width = (right - left - gap * (len(cols) - 1)) / len(cols)
            texts = []
            for i, col in enumerate(cols):  # a column running below the floor fails the layout: the next are not fitted
                texts.append(_fit_block(self.fig, left + i * (width + gap), top, col, width, floor, fontsize=_pt(6.5 * self.k), color="#333333", linespacing=1.2, gid="sources", drop=False))
                if _bottom(self.fig, texts[-1]) < floor - 1e-6:
                    break
            else:
                break
            for t in texts:
                t.remove()
            texts = []
        if not texts:
            return False
        self.sources_artist = texts[0]
        self.sources_artists = texts
        self.note_top = self.prep_top  # nothing between the legend and the preparer block
        self.sources_in_strip = True
        return True

    def set_page(self, number: int, continued_on: int | None = None) -> None:
        """Print the page number at the foot of the page and, when the legend or the table continues,
        the page it continues on.

        Parameters
        ----------
        number : int
            This page's printed number.
        continued_on : int, optional
            The printed number of the map's first Lampiran sheet; the legend's and the table's notes name the sheet
            their continuation begins on (:attr:`legend_sheet_offset`, :attr:`table_sheet_offset` after it).
        """
        if self.page_number_artist is None:
            self.page_number_artist = self.fig.text(0.5, 0.012, "", ha="center", va="bottom", fontsize=_pt(7.5 * self.k), color=_INK, gid="page-number")
        self.page_number_artist.set_text(f"Halaman {number}")
        if continued_on is not None:
            for arts, page in ((self.continued_artists, continued_on + self.table_sheet_offset), (self.legend_continued_artists, continued_on + self.legend_sheet_offset)):
                for t in arts:
                    t.set_text(re.sub(r"halaman(\s+)berikutnya", lambda m, page=page: f"halaman{m.group(1)}{page}", t.get_text()))

    def save(self, path: Any, dpi: int | None = None) -> None:
        """Write the page as PNG (or any format matplotlib knows from the suffix), at the layout dpi by default."""
        self.fig.savefig(path, dpi=dpi or self.fig.dpi)


def _tight_bbox(ax: Any, renderer: Any) -> Any:
    """``ax.get_tightbbox(renderer)`` without measuring the numbered callouts that lie inside the map.

    The axes' own box is part of the tight box, and a callout whose circle lies inside it (its leader runs
    from a point inside the map to that circle) cannot widen it; measuring thousands of them (text, circle,
    leader) was most of a page's layout time. Callouts reaching out of the map are still measured.
    """
    inner = ax.get_window_extent(renderer).padded(-2.0)
    skip = [t for t in ax.texts if getattr(t, "_sppr_callout", False) and t.get_in_layout() and _box_inside(getattr(t, "_sppr_box", None), inner)]
    for t in skip:
        t.set_in_layout(False)
    try:
        return ax.get_tightbbox(renderer)
    finally:
        for t in skip:
            t.set_in_layout(True)


def _box_inside(box: Any, inner: Any) -> bool:
    """Whether a box (x0, y0, x1, y1, display units) lies inside the Bbox ``inner``."""
    return box is not None and inner.x0 <= box[0] and box[2] <= inner.x1 and inner.y0 <= box[1] and box[3] <= inner.y1
