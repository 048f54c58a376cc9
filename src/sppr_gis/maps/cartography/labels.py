"""Labels on the map: names at points, names along lines and numbered callouts, placed without collisions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from sppr_gis.maps.cartography.common import _HALO, _INK, _pt  # noqa: E402


def _m_per_pt(ax: Any) -> float:
    bb = ax.get_window_extent()
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / max(bb.width * 72.0 / ax.figure.dpi, 1e-9)


def place_line_labels(
    ax: Any,
    geoms: Sequence[Any],
    texts: Sequence[str],
    *,
    fontsize: float = 7.0,
    color: str = _INK,
    style: str = "italic",
    weight: str = "normal",
    avoid: Sequence[Bbox] = (),
    zorder: float = 19,
) -> list[Artist]:
    """Names along lines (roads, rivers, channels): rotated with the line beside its middle, else at 35/65/20/80 %.

    A name that would overlap another text or run out of the map is dropped.
    """
    fig, fontsize, renderer, ax_box, placed = _label_context(ax, fontsize, avoid, pad=(1.02, 1.05))
    out: list[Artist] = []
    for geom, text in zip(geoms, texts):
        if not text or geom is None or geom.is_empty:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.length > 0]
        if not parts:
            continue
        line = max(parts, key=lambda p: p.length)
        ok = None
        for frac in (0.5, 0.35, 0.65, 0.2, 0.8):
            p = line.interpolate(frac, normalized=True)
            a = line.interpolate(max(frac - 0.04, 0.0), normalized=True)
            b = line.interpolate(min(frac + 0.04, 1.0), normalized=True)
            (ax_, ay_), (bx_, by_) = ax.transData.transform([(a.x, a.y), (b.x, b.y)])
            ang = math.degrees(math.atan2(by_ - ay_, bx_ - ax_))
            if ang > 90:
                ang -= 180
            elif ang < -90:
                ang += 180
            nx, ny = -math.sin(math.radians(ang)), math.cos(math.radians(ang))
            off = fontsize * 0.9
            t = ax.annotate(
                text, (p.x, p.y), xytext=(nx * off, ny * off), textcoords="offset points", ha="center", va="center",
                rotation=ang, rotation_mode="anchor", fontsize=fontsize, color=color, fontstyle=style, fontweight=weight,
                zorder=zorder, path_effects=_HALO, annotation_clip=True, gid="line-label",
            )
            bb = t.get_window_extent(renderer)
            if _fits(bb, ax_box, placed):
                ok = (t, bb)
                break
            t.remove()
        _keep(ok, out, placed)
    return out


def place_callouts(
    ax: Any,
    xy: Sequence[tuple[float, float]],
    numbers: Sequence[str],
    *,
    colors: Sequence[Any] | None = None,
    fontsize: float = 7.0,
    avoid: Sequence[Bbox] = (),
    zorder: float = 25,
    gid: str = "callout",
) -> list[Artist]:
    """Numbered markers beside features, joined to them by a short leader, keyed to the page's table.

    Every number is placed (a table row must find its feature): at the first
    candidate position clear of other callouts and texts, else at the least crowded one.
    """
    fig, fontsize, renderer, ax_box, placed = _label_context(ax, fontsize, avoid)
    d = fontsize * 1.25
    # rings of candidate positions, nearest first (diagonals first: the leader then stays short and clear)
    offsets = []
    for ring in (1.4, 2.4, 3.5, 4.7, 6.0):
        for ang in (45, 135, -45, -135, 90, -90, 0, 180, 22.5, 157.5, -22.5, -157.5, 67.5, 112.5, -67.5, -112.5)[: 8 if ring < 2 else 16]:
            offsets.append((ring * d * math.cos(math.radians(ang)), ring * d * math.sin(math.radians(ang))))
    out: list[Artist] = []
    for k, ((x, y), num) in enumerate(zip(xy, numbers)):
        if not np.isfinite(x) or not np.isfinite(y):
            continue
        col = colors[k] if colors is not None else _INK
        best = None
        for dx, dy in offsets:
            t = ax.annotate(
                str(num), (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va="center", fontsize=fontsize,
                fontweight="bold", color=_INK, zorder=zorder, annotation_clip=True, gid=gid,
                bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor=col, linewidth=1.2),
                arrowprops=dict(arrowstyle="-", color=col, linewidth=0.8, shrinkA=0, shrinkB=1),
            )
            t.update_positions(renderer)
            bb = Text.get_window_extent(t, renderer)  # the number and its circle, not the leader
            bb = bb.expanded(max(1.0, bb.height / max(bb.width, 1e-9)) * 1.35, 1.35)
            inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
            hits = sum(bb.overlaps(q) for q in placed) + (0 if inside else 100)
            if best is None or hits < best[0]:
                if best is not None:
                    best[1].remove()
                best = (hits, t, bb)
            else:
                t.remove()
            if hits == 0:
                break
        assert best is not None
        out.append(best[1])
        placed.append(best[2])
    return out


def place_labels(
    ax: Any,
    xy: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    fontsize: float = 7.0,
    color: str = _INK,
    weight: str = "normal",
    avoid: Sequence[Bbox] = (),
    zorder: float = 20,
    style: str = "normal",
    offsets: Sequence[tuple[float, float]] | None = None,
    va: str = "center",
) -> list[Artist]:
    """Place labels at points without overlaps: try the point, then above, below, right, left; else drop.

    Labels are tried in the given order (put the important ones first) and must
    stay inside the axes and clear of ``avoid`` (display-space boxes) and of the
    texts already in the axes. Each has a white halo. ``offsets`` (points)
    replaces the default candidate positions.

    Returns
    -------
    list of matplotlib artists
        The labels placed (dropped ones are removed from the axes).
    """
    fig, fontsize, renderer, ax_box, placed = _label_context(ax, fontsize, avoid, pad=(1.04, 1.1))
    out: list[Artist] = []
    d = fontsize * 1.1
    if offsets is None:
        offsets = [(0, 0), (0, d), (0, -d), (d * 2.2, 0), (-d * 2.2, 0), (d * 1.6, d), (-d * 1.6, -d)]
    for (x, y), text in zip(xy, texts):
        if not text or not np.isfinite(x) or not np.isfinite(y):
            continue
        ok = None
        for dx, dy in offsets:
            t = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va=va,
                fontsize=fontsize, color=color, fontweight=weight, fontstyle=style, zorder=zorder, path_effects=_HALO,
                annotation_clip=True,
            )
            bb = t.get_window_extent(renderer).expanded(1.06, 1.15)
            if _fits(bb, ax_box, placed):
                ok = (t, bb)
                break
            t.remove()
        _keep(ok, out, placed)
    return out


def _label_context(ax: Any, fontsize: float, avoid: Sequence[Bbox], pad: tuple[float, float] | None = None) -> tuple[Any, float, Any, Bbox, list[Bbox]]:
    """What every label placer starts from: the figure, the font size in points, the renderer, the axes' box,
    and the boxes already taken (``avoid`` and the visible texts, each widened by ``pad``)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    if pad is not None:
        taken = [b.expanded(*pad) for b in taken]
    return fig, _pt(fontsize), renderer, ax.get_window_extent(renderer), list(avoid) + taken


def _fits(bb: Any, ax_box: Any, placed: list) -> bool:
    """Whether a label's box lies wholly in the axes and overlaps no label placed so far."""
    inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
    return inside and not any(bb.overlaps(q) for q in placed)


def _keep(ok: tuple | None, out: list, placed: list) -> None:
    """Record an accepted (text, box) label candidate."""
    if ok:
        out.append(ok[0])
        placed.append(ok[1])
