"""Continuation pages: the table rows that do not fit beside a map, in columns (a map's legend never continues)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, MIN_PT, _pt  # noqa: E402
from sppr_gis.maps.cartography.textfit import _bottom, _fit_text  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


def continuation_pages(frame: MapFrame, first_page: int | None = None) -> list[Figure]:
    """The pages that continue a map's table (the rows that did not fit beside the map), in columns.

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
    return cols.figs


class _Columns:
    """Continuation pages filled column by column, top down; a new page when the last column is full."""

    def __init__(self, frame: MapFrame, first_page: int | None) -> None:
        self.frame = frame
        self.first_page = first_page
        self.size = tuple(frame.fig.get_size_inches())
        self.dpi = frame.fig.dpi
        self.k = frame.k
        self.ncol = 4 if self.size[0] > 13 else 3
        self.left, self.right, self.top0, self.bottom = 0.035, 0.965, 0.865, 0.06
        self.colw = (self.right - self.left) / self.ncol
        self.figs: list[Figure] = []
        self.fig: Figure | None = None
        self.col = 0
        self.y = self.top0
        self.fs = _pt(7 * self.k)

    def new_page(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        frame, k, left, right = self.frame, self.k, self.left, self.right
        fig = Figure(figsize=self.size, dpi=self.dpi)
        FigureCanvasAgg(fig)
        fig.patches.append(Rectangle((0.012, 0.035), 0.976, 0.93, transform=fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))
        head = " · ".join(t for t in ((frame.number or "").upper(), frame.title.upper()) if t)
        ht = _fit_text(fig, left, 0.945, f"{head} (LANJUTAN)", right - left, fontsize=_pt(11 * k), min_fontsize=MIN_PT, fontweight="bold", va="top", color=_INK)
        fig.text(left, _bottom(fig, ht) - 0.008, "Daftar yang tidak muat pada halaman peta.", fontsize=_pt(7.5 * k), va="top", color="#333333")
        if self.first_page is not None:
            fig.text(0.5, 0.012, f"Halaman {self.first_page + len(self.figs)}", ha="center", va="bottom", fontsize=_pt(7.5 * k), color=_INK, gid="page-number")
        self.figs.append(fig)
        self.fig, self.col, self.y = fig, 0, self.top0

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
    title = f"{frame.overflow_title.upper()} (LANJUTAN)"
    cols.put(lambda fig, x, y: fig.text(x, y, title, fontsize=_pt(7.5 * k), fontweight="bold", va="top", color=_INK, gid="table-title"))
    num_w = 0.02
    chars = max(20, int((cols.colw - num_w - 0.01) * cols.size[0] * 72 / (fs * 0.6)))
    for num, text in frame.overflow_rows:
        def make(fig: Figure, x: float, y: float, text: str = text) -> Any:
            return fig.text(x + num_w, y, textwrap.fill(" ".join(str(text).split()), chars), fontsize=fs, va="top", color=_INK, linespacing=1.15, gid="table-row")
        t = cols.put(make)
        x, y = t.get_position()
        t.figure.text(x - num_w, y, str(num), fontsize=fs, fontweight="bold", va="top", color=_INK, gid="table-number")
    if frame.overflow_more:
        cols.put(lambda fig, x, y: fig.text(x, y, frame.overflow_more, fontsize=fs, va="top", color="#333333", gid="table-more"))
