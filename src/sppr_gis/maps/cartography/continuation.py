"""Continuation pages ("Lampiran Peta N, Lembar k dari m"): the table rows that do not fit beside a map, in
columns left of the same title and signature panel as the map's (a map's legend never continues)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, MIN_PT, TABLE_HEADING, _pt  # noqa: E402
from sppr_gis.maps.cartography.textfit import _bottom, _fit_text  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


def continuation_pages(frame: MapFrame, first_page: int | None = None) -> list[Figure]:
    """The pages that continue a map's table (the rows that did not fit beside the map), in columns.

    Each is headed ``Lampiran Peta N, Lembar k dari m`` and carries the map's title block (number, title,
    subtitle) and its preparer and signature block in the same side panel as the map page.

    Parameters
    ----------
    frame : MapFrame
        A finished map page with :attr:`MapFrame.overflow_rows`.
    first_page : int, optional
        The printed number of the first continuation page (the next ones count on).

    Returns
    -------
    list of Figure
        Empty when everything fitted on the map page.
    """
    if not frame.overflow_rows:
        return []
    cols = _Columns(frame, first_page)
    _put_rows(frame, cols)
    return cols.close()


def _continues_map_page(frame: MapFrame) -> bool:
    """Whether the list began beside the map (its first rows there): the sheet then continues it."""
    return not frame.table_apart and frame.table_shown > len(frame.overflow_rows)


def sheet_heading(frame: MapFrame, later: bool = False) -> str:
    """A Lampiran sheet's heading, naming the map and what the list is: ``LAMPIRAN PETA 7 · DAFTAR PROGRAM``;
    ``(LANJUTAN)`` after it where the list began beside the map or on an earlier sheet (``later``)."""
    what = (frame.overflow_title or "Daftar").upper()
    head = " · ".join(t for t in (f"LAMPIRAN {frame.number.upper()}" if frame.number else "LAMPIRAN", what) if t)
    return head + (" (LANJUTAN)" if later or _continues_map_page(frame) else "")


def sheet_subheading(frame: MapFrame) -> str:
    """The line under a Lampiran sheet's heading: the map it keys and how (``Nomor pada Peta 7 (Peta Program Dinas
    Kesehatan) = nomor pada daftar ini.``)."""
    where = f"{frame.number} ({frame.title})" if frame.number else frame.title
    if _continues_map_page(frame):
        return f"Lanjutan daftar di samping {where}; nomor pada peta = nomor pada daftar ini."
    return f"Nomor pada {where} = nomor pada daftar ini."


def lampiran_head(number: str | None, k: int, m: int) -> str:
    """The heading of a map's k-th continuation page of m: ``Lampiran Peta 6, Lembar 1 dari 2``."""
    return f"Lampiran {number or 'Peta'}, Lembar {k} dari {m}"


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

    @property
    def figs(self) -> list[Figure]:
        return [s.fig for s in self.sheets]

    def new_page(self) -> None:
        from sppr_gis.maps.cartography.frame import MapFrame

        frame, k, left, right = self.frame, self.k, self.left, self.right
        sheet = MapFrame(
            frame.title, crs=frame.crs, subtitle=frame.subtitle, number=None, figsize=self.size, dpi=int(self.dpi), paper=frame.paper,
            region=frame.region, office=frame.office, signatory=frame.signatory, logo=frame.logo, place_date=frame.place_date,
        )
        sheet.paper = frame.paper
        sheet.chart = True  # no map: no scale, north arrow, inset or CRS note
        sheet.fig.delaxes(sheet.ax)
        fig = sheet.fig
        ht = _fit_text(fig, left, 0.945, sheet_heading(frame, len(self.sheets) > 0), right - left, fontsize=_pt(11 * k), min_fontsize=MIN_PT, fontweight="bold",
                       va="top", color=_INK, gid="lampiran-heading")
        fig.text(left, _bottom(fig, ht) - 0.008, sheet_subheading(frame), fontsize=_pt(7.5 * k), va="top", color="#333333", gid="lampiran-subheading")
        self.sheets.append(sheet)
        self.fig, self.col, self.y = fig, 0, self.top0

    def close(self) -> list[Figure]:
        """Each page headed ``Lampiran Peta N, Lembar k dari m``, its panel laid out and its page number printed."""
        m = len(self.sheets)
        for i, sheet in enumerate(self.sheets):
            sheet.sheet = lampiran_head(self.frame.number, i + 1, m)
            what = "lanjutan daftar" if _continues_map_page(self.frame) else "daftar"
            note = f"Lampiran {self.frame.number}: {what} yang nomornya dicetak pada peta." if self.frame.number else f"Lampiran peta: {what} bernomor."
            sheet.finish(note)
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
    cols.y -= 0.01
    title = frame.overflow_title.upper() + (" (LANJUTAN)" if _continues_map_page(frame) else "")
    cols.put(lambda fig, x, y: fig.text(x, y, title, fontsize=_pt(7.5 * k), fontweight="bold", va="top", color=_INK, gid="table-title"))
    num_w = 0.02
    chars = max(20, int((cols.colw - num_w - 0.01) * cols.size[0] * 72 / (fs * 0.6)))
    for num, text in frame.overflow_rows:
        if num == TABLE_HEADING:  # a group's heading (the programs without a location): bold, across the number column
            cols.y -= 0.006
            cols.put(lambda fig, x, y, text=text: fig.text(x, y, textwrap.fill(" ".join(str(text).split()), chars + 4), fontsize=fs, fontweight="bold",
                                                           va="top", color=_INK, linespacing=1.15, gid="table-heading"))
            continue

        def make(fig: Figure, x: float, y: float, text: str = text) -> Any:
            return fig.text(x + num_w, y, textwrap.fill(" ".join(str(text).split()), chars), fontsize=fs, va="top", color=_INK, linespacing=1.15, gid="table-row")
        t = cols.put(make)
        x, y = t.get_position()
        t.figure.text(x - num_w, y, str(num), fontsize=fs, fontweight="bold", va="top", color=_INK, gid="table-number")
    if frame.overflow_more:
        cols.put(lambda fig, x, y: fig.text(x, y, frame.overflow_more, fontsize=fs, va="top", color="#333333", gid="table-more"))
