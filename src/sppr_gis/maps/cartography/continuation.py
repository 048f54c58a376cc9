"""Continuation pages ("Lampiran Peta N, Lembar k dari m"): the legend entries and the table rows that do not fit
beside a map, in columns left of the same title and signature panel as the map's."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, MIN_PT, TABLE_HEADING, _pt  # noqa: E402
from sppr_gis.maps.cartography.textfit import _bottom, _fit_text  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


def continuation_pages(frame: MapFrame, first_page: int | None = None) -> list[Figure]:
    """The pages that continue a map's legend and table (the entries and rows that did not fit beside the map),
    in columns: the legend first (the key to the map's symbols), then the table.

    Each is headed ``Lampiran Peta N, Lembar k dari m`` and carries the map's title block (number, title,
    subtitle) and its preparer and signature block in the same side panel as the map page. Where each part begins
    is kept on the map page (:attr:`MapFrame.legend_sheet_offset`, :attr:`MapFrame.table_sheet_offset`): its notes
    ("... pada halaman N") name that sheet's page.

    Parameters
    ----------
    frame : MapFrame
        A finished map page with :attr:`MapFrame.legend_overflow` or :attr:`MapFrame.overflow_rows`.
    first_page : int, optional
        The printed number of the first continuation page (the next ones count on).

    Returns
    -------
    list of Figure
        Empty when everything fitted on the map page.
    """
    legend_rest = getattr(frame, "legend_overflow", [])
    if not frame.overflow_rows and not legend_rest:
        return []
    cols = _Columns(frame, first_page)
    if frame.overflow_rows and not legend_rest:
        cols.fit_columns(frame.overflow_rows)
    if legend_rest:
        _put_legend(frame, cols)
        frame.legend_sheet_offset = 0
    if frame.overflow_rows:
        _put_rows(frame, cols)
    return cols.close()


def _continues_map_page(frame: MapFrame) -> bool:
    """Whether the list began beside the map (its first rows there): the sheet then continues it."""
    return not frame.table_apart and frame.table_shown > len(frame.overflow_rows)


def sheet_heading(frame: MapFrame, later: bool = False, parts: Sequence[str] = ("table",)) -> str:
    """A Lampiran sheet's heading, naming the map and what it holds: ``LAMPIRAN PETA 7 · DAFTAR PROGRAM``;
    ``(LANJUTAN)`` after the list where it began beside the map or on an earlier sheet (``later``);
    ``LAMPIRAN PETA 2 · LEGENDA (LANJUTAN)`` for the legend (``parts``: ``"legend"``, ``"table"``, in their order
    on the sheet)."""
    whats = []
    for part in parts:
        if part == "legend":
            whats.append("LEGENDA (LANJUTAN)")  # a legend continues: its first entries are beside the map
        else:
            whats.append((frame.overflow_title or "Daftar").upper() + (" (LANJUTAN)" if later or _continues_map_page(frame) else ""))
    return " · ".join(t for t in (f"LAMPIRAN {frame.number.upper()}" if frame.number else "LAMPIRAN", *whats) if t)


def sheet_subheading(frame: MapFrame, parts: Sequence[str] = ("table",)) -> str:
    """The line under a Lampiran sheet's heading: the map it keys and how (``Nomor pada Peta 7 (Peta Program Dinas
    Kesehatan) = nomor pada daftar ini.``; ``Lanjutan legenda Peta 2 (...): simbol dan kode sama dengan pada peta.``)."""
    where = f"{frame.number} ({frame.title})" if frame.number else frame.title
    lines = []
    if "legend" in parts:
        lines.append(f"Lanjutan legenda {where}: simbol, warna dan kode sama dengan pada peta.")
    if "table" in parts:
        if _continues_map_page(frame):
            lines.append(f"Lanjutan daftar di samping {where}; nomor pada peta = nomor pada daftar ini.")
        else:
            lines.append(f"Nomor pada {where} = nomor pada daftar ini.")
    return " ".join(lines)


def lampiran_head(number: str | None, k: int, m: int) -> str:
    """The heading of a map's k-th continuation page of m: ``Lampiran Peta 6, Lembar 1 dari 2``."""
    return f"Lampiran {number or 'Peta'}, Lembar {k} dari {m}"


#: The widest column of a Lampiran sheet, inches: a list never runs across the whole sheet in one column.
MAX_COLUMN_IN = 6.0


class _Columns:
    """Continuation pages filled column by column, top down, left of the panel; a new page when the last column is full."""

    def __init__(self, frame: MapFrame, first_page: int | None) -> None:
        self.frame = frame
        self.first_page = first_page
        self.size = tuple(frame.fig.get_size_inches())
        self.dpi = frame.fig.dpi
        self.k = frame.k
        self.left, self.right = 0.035, frame.panel_x[0] - 0.025
        self.top0, self.bottom = 0.865, 0.06
        # columns of at least 3.3 in (84 mm): three on A3, two on A4
        self.ncol = max(1, int((self.right - self.left) * self.size[0] / 3.3))
        self.colw = (self.right - self.left) / self.ncol
        self.sheets: list[MapFrame] = []
        self.fig: Figure | None = None
        self.col = 0
        self.y = self.top0
        self.fs = _pt(7 * self.k)
        self._wraps: dict[tuple[str, float, bool], str] = {}
        self._probe: Figure | None = None
        #: What is being placed (``"legend"``, ``"table"``) and what each sheet holds, in order (its heading).
        self.kind = "table"
        self.parts: list[list[str]] = []

    def wrap(self, text: str, width: float, bold: bool = False) -> str:
        """``text`` wrapped to at most ``width`` (figure fraction) as printed at the sheets' size (bold or not):
        the widest wrap that fits, measured (:func:`~sppr_gis.maps.cartography.textfit._widest_fitting`); once per
        text and width (:meth:`fit_columns` and the placing of the rows ask for the same ones)."""
        from sppr_gis.maps.cartography.textfit import _measure, _widest_fitting, _wrap_lines

        key = (text, round(width, 9), bold)
        out = self._wraps.get(key)
        if out is None:
            if self._probe is None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg

                self._probe = Figure(figsize=self.size, dpi=self.dpi)
                FigureCanvasAgg(self._probe)
            m = _measure(self._probe, self.fs, {"fontweight": "bold"} if bold else {})
            out = _widest_fitting(range(120, 7, -2), lambda c: _wrap_lines(text, c), m, width) or _wrap_lines(text, 8)
            self._wraps[key] = out
        return out

    def fit_columns(self, rows: Sequence[tuple[str, str]]) -> int:
        """Fewer, wider columns when the rows fit one sheet in them (review s7: a short list in three narrow columns
        on A3 broke most rows before their last word): the fewest columns, each at most :data:`MAX_COLUMN_IN` wide,
        that hold every row wrapped to its measured width with 5% of the height to spare; as many as fit otherwise.

        Parameters
        ----------
        rows : sequence of (str, str)
            The (number, text) rows to be placed (:attr:`MapFrame.overflow_rows`).

        Returns
        -------
        int
            The number of columns a sheet now has.
        """
        width_in = (self.right - self.left) * self.size[0]
        fewest = max(1, math.ceil(width_in / MAX_COLUMN_IN))
        if self.ncol <= fewest or not rows:
            return self.ncol
        self.wrap("", 1.0)  # the probe figure
        probe = self._probe
        renderer = probe.canvas.get_renderer()
        heights = [probe.text(0, 0, "\n".join(["Ag"] * n), fontsize=self.fs, linespacing=1.15).get_window_extent(renderer).height for n in (1, 2)]
        per = (heights[1] - heights[0]) / (self.size[1] * self.dpi)  # figure fraction a line
        base = heights[0] / (self.size[1] * self.dpi) - per
        room = (self.top0 - 0.01 - 2 * (base + per) - self.bottom) * 0.95  # under the list's title, 5% spare
        texts = [(" ".join(str(t).split()), n == TABLE_HEADING) for n, t in rows]

        def columns_needed(n: int) -> int:
            colw = (self.right - self.left) / n
            used, count = 0.0, 1
            for text, head in texts:
                wrapped = self.wrap(text, colw - 0.01 - (0.0 if head else 0.02), head)
                h = base + per * (wrapped.count("\n") + 1) + 0.004 + (0.006 if head else 0.0)
                if used + h > room and used > 0:
                    count, used = count + 1, h
                else:
                    used += h
                if count > n:
                    break
            return count

        if columns_needed(self.ncol) > self.ncol:  # more than a sheet: as many columns as fit
            return self.ncol
        for n in range(fewest, self.ncol):
            if columns_needed(n) <= n:
                self.ncol, self.colw = n, (self.right - self.left) / n
                break
        return self.ncol

    @property
    def figs(self) -> list[Figure]:
        return [s.fig for s in self.sheets]

    def new_page(self) -> None:
        from sppr_gis.maps.cartography.frame import MapFrame

        frame = self.frame
        sheet = MapFrame(
            frame.title, crs=frame.crs, subtitle=frame.subtitle, number=None, figsize=self.size, dpi=int(self.dpi), paper=frame.paper,
            region=frame.region, office=frame.office, signatory=frame.signatory, logo=frame.logo, place_date=frame.place_date,
        )
        sheet.paper = frame.paper
        sheet.chart = True  # no map: no scale, north arrow, inset or CRS note
        sheet.fig.delaxes(sheet.ax)
        self.sheets.append(sheet)
        self.parts.append([])
        self.fig, self.col, self.y = sheet.fig, 0, self.top0

    def mark(self) -> None:
        """What is being placed is on the current sheet (its heading names it)."""
        if self.kind not in self.parts[-1]:
            self.parts[-1].append(self.kind)

    def close(self) -> list[Figure]:
        """Each page headed with what it holds and ``Lampiran Peta N, Lembar k dari m``, its panel laid out and its
        page number printed."""
        m = len(self.sheets)
        frame, k, left, right = self.frame, self.k, self.left, self.right
        for i, sheet in enumerate(self.sheets):
            parts = self.parts[i] or ["table"]
            fig = sheet.fig
            ht = _fit_text(fig, left, 0.945, sheet_heading(frame, i > frame.table_sheet_offset, parts), right - left, fontsize=_pt(11 * k), min_fontsize=MIN_PT,
                           fontweight="bold", va="top", color=_INK, gid="lampiran-heading")
            fig.text(left, _bottom(fig, ht) - 0.008, sheet_subheading(frame, parts), fontsize=_pt(7.5 * k), va="top", color="#333333", gid="lampiran-subheading")
            sheet.sheet = lampiran_head(self.frame.number, i + 1, m)
            whats = []
            if "legend" in parts:
                whats.append("lanjutan legenda peta" if self.frame.number else "lanjutan legenda")
            if "table" in parts:
                what = "lanjutan daftar" if _continues_map_page(self.frame) else "daftar"
                whats.append(f"{what} yang nomornya dicetak pada peta" if self.frame.number else f"{what} bernomor")
            sheet.finish((f"Lampiran {self.frame.number}: " if self.frame.number else "Lampiran peta: ") + "; ".join(whats) + ".")
            if self.first_page is not None:
                sheet.set_page(self.first_page + i)
        return self.figs

    def put(self, make: Callable[[Figure, float, float], Any]) -> Any:
        """Place what ``make(fig, x, y)`` draws at the next free place; returns the artist."""
        if self.fig is None:
            self.new_page()
        for _ in range(2 * self.ncol + 2):
            fig = self.fig
            assert fig is not None
            x = self.left + self.col * self.colw
            a = make(fig, x, self.y)
            bb = fig.transFigure.inverted().transform(a.get_window_extent(fig.canvas.get_renderer()))
            if bb[0][1] >= self.bottom or self.y >= self.top0 - 1e-9:
                self.y = bb[0][1] - 0.004
                self.mark()
                return a
            a.remove()
            self.col += 1
            self.y = self.top0
            if self.col >= self.ncol:
                self.new_page()
        return a  # pragma: no cover - an entry taller than a page is printed where it falls


def _put_rows(frame: MapFrame, cols: _Columns) -> None:
    """The table rows that did not fit beside the map, numbered, after their title."""
    fs, k = cols.fs, cols.k
    cols.kind = "table"
    cols.y -= 0.01
    title = frame.overflow_title.upper() + (" (LANJUTAN)" if _continues_map_page(frame) else "")
    cols.put(lambda fig, x, y: fig.text(x, y, title, fontsize=_pt(7.5 * k), fontweight="bold", va="top", color=_INK, gid="table-title"))
    frame.table_sheet_offset = len(cols.sheets) - 1  # the sheet the list begins on: the map's note names its page
    num_w = 0.02
    # each row wrapped to its column's width as measured in the font printed (review s7: wrapped at a character count
    # estimated for wide letters, the rows filled about two thirds of their columns and broke needlessly)
    room = cols.colw - num_w - 0.01

    def heading(text: str) -> Any:
        return cols.put(lambda fig, x, y: fig.text(x, y, cols.wrap(" ".join(str(text).split()), room + num_w, True), fontsize=fs, fontweight="bold",
                                                   va="top", color=_INK, linespacing=1.15, gid="table-heading"))

    group: str | None = None  # the heading of the rows being placed
    alone: Any = None  # that heading, when no row is under it yet
    for num, text in frame.overflow_rows:
        if num == TABLE_HEADING:  # a group's heading (the programs without a location, a kecamatan): bold, across the number column
            cols.y -= 0.006
            group, alone = str(text), heading(str(text))
            continue

        def make(fig: Figure, x: float, y: float, text: str = text) -> Any:
            return fig.text(x + num_w, y, cols.wrap(" ".join(str(text).split()), room), fontsize=fs, va="top", color=_INK, linespacing=1.15, gid="table-row")
        where = (cols.fig, cols.col)
        t = cols.put(make)
        if group is not None and (cols.fig, cols.col) != where:
            # the group runs on into a new column or sheet: its heading over it there (review s7: Lampiran Peta 1's
            # kelurahan without their kecamatan), and none left alone at the foot of the last column
            t.remove()
            cols.y = cols.top0  # the row was the first of its column
            if alone is not None:
                alone.remove()
            heading(group if alone is not None else f"{group} (lanjutan)")
            t = cols.put(make)
        alone = None
        x, y = t.get_position()
        t.figure.text(x - num_w, y, str(num), fontsize=fs, fontweight="bold", va="top", color=_INK, gid="table-number")
    if frame.overflow_more:
        cols.put(lambda fig, x, y: fig.text(x, y, frame.overflow_more, fontsize=fs, va="top", color="#333333", gid="table-more"))


def _put_legend(frame: MapFrame, cols: _Columns) -> None:
    """The legend sections that did not fit beside the map (:attr:`MapFrame.legend_overflow`), down the columns at
    7 pt (A4; scaled on A3) with the map's symbols, every label whole (wrapped to its column); a section running on to
    the next sheet repeats its title with "(lanjutan)". Measured in points as the PDF prints them."""
    from sppr_gis.maps.cartography.legend import _legend, _wrap_label, most_entries, points_renderer

    cols.kind = "legend"
    fs = cols.fs
    gap = 0.6 * fs / 72 / cols.size[1]  # between sections
    for sec in frame.legend_overflow:
        if not sec.handles:
            continue
        base = re.sub(r"\s*\(lanjutan\)$", "", sec.title or "")
        # a first guess at the width of an average letter (0.5 em); narrowed below where a label is wider than the column
        chars = max(16, int(((cols.colw - 0.012) * cols.size[0] * 72 - 2.6 * fs) / (0.5 * fs)))
        start, last_fig = 0, None
        if cols.fig is not None and cols.y < cols.top0 - 1e-9:
            cols.y -= gap
        while start < len(sec.handles):
            if cols.fig is None:
                cols.new_page()
            sheet, fig = cols.sheets[-1], cols.fig
            x = cols.left + cols.col * cols.colw
            if start == 0:
                title = sec.title or None
            else:
                title = f"{base} (lanjutan)" if base and fig is not last_fig else None
            with points_renderer(fig) as renderer:
                inv = fig.transFigure.inverted()
                labels = [_wrap_label(str(t), chars) for t in sec.labels]

                def attempt(m: int) -> tuple[Any, float, float]:
                    lg = _legend(sheet, sec.handles[start:start + m], labels[start:start + m], title, x + 0.006, cols.y, fs, spacing=0.18)
                    (_x0, y0), (x1, _y1) = inv.transform(lg.get_window_extent(renderer))
                    return lg, y0, x1

                lg, y0, x1 = attempt(len(sec.handles) - start)
                while x1 > x + cols.colw - 0.006 and chars > 16:  # a word longer than the column's line: narrower
                    lg.remove()
                    chars -= 4
                    labels = [_wrap_label(str(t), chars) for t in sec.labels]
                    lg, y0, x1 = attempt(len(sec.handles) - start)
                placed, n = (lg, y0) if y0 >= cols.bottom else None, len(sec.handles) - start
                if placed is None:
                    lg.remove()
                    placed, n = most_entries(attempt, len(sec.handles) - start, cols.bottom)
                    if placed is None and cols.y >= cols.top0 - 1e-9:  # not one entry in an empty column: where it falls
                        lg, y0, _x1 = attempt(1)
                        placed, n = (lg, y0), 1
            if placed is None:
                cols.col += 1
                cols.y = cols.top0
                if cols.col >= cols.ncol:
                    cols.new_page()
                continue
            cols.mark()
            start += n
            last_fig = fig
            cols.y = placed[1] - 0.004
