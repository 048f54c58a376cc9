"""Peta Perbesaran: the dense area of a map enlarged on the same sheet, where its features are numbered.

What a cartographer does when a city centre is too dense for short leaders at the album scale: a
1:40.000-1:50.000 enlargement of that area in a free corner of the map, keyed on the map by a rectangle with
its letter; the features inside the rectangle are numbered in the enlargement only, the others on the map with
short leaders (:func:`~sppr_gis.maps.cartography.labels.place_callouts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, _pt  # noqa: E402
from sppr_gis.maps.cartography.labels import (  # noqa: E402
    _PLAN_LIMIT,
    MAX_LEADER_MM,
    _m_per_pt,
    _reserved,
    crowded_callouts,
    place_callouts,
    reserve,
)

#: The enlargement's scales (denominators), preferred first when they cover as much of the dense area.
ENLARGEMENT_SCALES = (40_000, 50_000, 25_000, 20_000, 10_000, 5_000, 2_500, 1_000)
#: Shares of the map's width tried for the enlargement's frame, largest first.
_SHARES = (0.5, 0.46, 0.42, 0.38, 0.34, 0.30, 0.26)
#: Heights of the enlargement's frame (on paper) per its width, tried.
_ASPECTS = (0.9, 0.78, 0.65, 0.55, 0.45)
#: The least width and height (mm at print size) of the enlargement's frame.
_MIN_MM = (70.0, 45.0)
#: The height (map fraction) of the strips at the map's foot where the scale bar may stand, in its lower corners.
_FOOT = 0.16
_PT_MM = 25.4 / 72.0
#: The metres of one point at print size, per unit of scale denominator.
_M_PER_PT_1 = 0.0254 / 72.0


def _fig_box(ax: Any, box: Sequence[float]) -> tuple[float, float, float, float]:
    """Axes fraction ``(x0, y0, x1, y1)`` -> figure fraction."""
    (a, b), (c, d) = ax.figure.transFigure.inverted().transform(ax.transAxes.transform([(box[0], box[1]), (box[2], box[3])]))
    return (float(a), float(b), float(c), float(d))


def _frame_box(ax: Any, points: np.ndarray, keep_clear: Any) -> tuple[tuple[float, float, float, float], float] | None:
    """A free place for the enlargement's frame (axes fraction) and its share of the map's width: in a corner or
    at the middle of the right, top or foot edge, clear of ``keep_clear`` (the region), of every feature, of the
    reserved boxes (the location inset, a key) and of the map's texts; ``None`` when there is none."""
    bb = ax.get_window_extent()
    wpt, hpt = bb.width * 72.0 / ax.figure.dpi, bb.height * 72.0 / ax.figure.dpi
    inv = ax.transData.inverted()
    taken = [r.extents for r in _reserved(ax)]
    r = ax.figure.canvas.get_renderer()
    taken += [t.get_window_extent(r).extents for t in ax.texts if t.get_visible() and t.get_text()]
    # the other axes over the map (the location inset) and the scale bar's strips in the lower corners
    taken += [a.get_window_extent(r).extents for a in [*ax.figure.axes, *ax.child_axes] if a is not ax and a.get_visible()]
    taken += [ax.transAxes.transform([(0, 0), (0.34, _FOOT)]).ravel(), ax.transAxes.transform([(0.66, 0), (1, _FOOT)]).ravel()]
    m = 6.0 / wpt, 6.0 / hpt  # 6 pt from the map's edge
    best = None
    for share in _SHARES:
        for aspect in _ASPECTS:
            fw = share
            fh = min(share * wpt * aspect / hpt, 0.6)
            if best is not None and fw * fh <= best[2]:
                continue  # the largest frame wins
            if fw * wpt < _MIN_MM[0] / _PT_MM or fh * hpt < _MIN_MM[1] / _PT_MM:
                continue  # too small to show a dense area legibly
            # upper right, lower right, right, top, foot, lower left, left
            spots = ((1 - m[0] - fw, 1 - m[1] - fh), (1 - m[0] - fw, m[1]), (1 - m[0] - fw, 0.5 - fh / 2), (0.5 - fw / 2, 1 - m[1] - fh),
                     (0.5 - fw / 2, m[1]), (m[0], m[1]), (m[0], 0.5 - fh / 2))
            for x0, y0 in spots:
                box = (x0, y0, x0 + fw, y0 + fh)
                (dx0, dy0), (dx1, dy1) = ax.transAxes.transform([(box[0], box[1]), (box[2], box[3])])
                if any(dx0 < t[2] and t[0] < dx1 and dy0 < t[3] and t[1] < dy1 for t in taken):
                    continue
                (gx0, gy0), (gx1, gy1) = inv.transform([(dx0, dy0), (dx1, dy1)])
                if keep_clear is not None and shapely.box(gx0, gy0, gx1, gy1).intersects(keep_clear):
                    continue
                if len(points) and ((points[:, 0] >= gx0) & (points[:, 0] <= gx1) & (points[:, 1] >= gy0) & (points[:, 1] <= gy1)).any():
                    continue
                best = (box, share, fw * fh)
                break
    if best is not None:
        return best[0], best[1]
    return None


def numbered_callouts(
    ax: Any,
    xy: Sequence[tuple[float, float]],
    numbers: Sequence[str],
    *,
    colors: Sequence[Any] | None = None,
    fontsize: float = 7.0,
    gid: str = "callout",
    draw: Callable[[Any], None] | None = None,
    keep_clear: Any = None,
    label: str = "A",
    max_leader: float = MAX_LEADER_MM,
) -> list[Artist]:
    """Number the features ``xy`` on the map ``ax``; where some cannot get a short clean leader (a dense centre),
    enlarge that area in a free corner of the map and number the features inside it there.

    Parameters
    ----------
    ax
        The map's axes, its extent and layers drawn.
    xy, numbers, colors, fontsize, gid
        As :func:`~sppr_gis.maps.cartography.labels.place_callouts`.
    draw
        Draws the page's layers on another axes (the enlargement); without it nothing is enlarged.
    keep_clear
        A shapely geometry in map units (the region) the enlargement's frame must not cover.
    label
        The enlargement's letter, on its rectangle on the map and in its title.
    max_leader
        The longest leader (mm at print size) a number takes before its area is enlarged.

    Returns
    -------
    list of Artist
        The callouts placed (on the map and in the enlargement). ``ax._sppr_enlargement`` describes the
        enlargement when there is one: its axes, window (map units), scale denominator and the numbers in it.
    """
    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    fine = np.isfinite(pts).all(axis=1)
    crowded = crowded_callouts(ax, xy, numbers, fontsize=fontsize, max_leader=max_leader) if draw is not None and len(pts) <= _PLAN_LIMIT else []
    made = _enlargement(ax, pts, fine, crowded, draw, keep_clear, label, fontsize) if crowded else None
    if made is None:
        return place_callouts(ax, xy, numbers, colors=colors, fontsize=fontsize, gid=gid, max_leader=max_leader)
    ins, inside = made
    outside = [k for k in range(len(pts)) if k not in set(inside)]
    sub = (lambda ks: [colors[k] for k in ks]) if colors is not None else (lambda ks: None)
    out = place_callouts(ax, [xy[k] for k in outside], [numbers[k] for k in outside], colors=sub(outside), fontsize=fontsize, gid=gid,
                         symbols=[xy[k] for k in inside], max_leader=max_leader)
    out += place_callouts(ins, [xy[k] for k in inside], [numbers[k] for k in inside], colors=sub(inside), fontsize=fontsize, gid=gid, max_leader=max_leader)
    ax._sppr_unnumbered = getattr(ax, "_sppr_unnumbered", 0) + getattr(ins, "_sppr_unnumbered", 0)
    ax._sppr_enlargement["numbers"] = [str(numbers[k]) for k in inside]
    return out


def enlargement_note(ax: Any) -> str:
    """The page note's sentence on the enlargement of ``ax`` (with a leading space), or ``""`` without one.

    >>> enlargement_note(None)
    ''
    """
    en = getattr(ax, "_sppr_enlargement", None)
    if not en:
        return ""
    return f" Program di dalam kotak {en['label']} bernomor pada Peta Perbesaran {en['label']} (skala 1 : {en['scale']:,}).".replace(",", ".")


def _enlargement(ax: Any, pts: np.ndarray, fine: np.ndarray, crowded: list[int], draw: Callable[[Any], None], keep_clear: Any, label: str,
                 fontsize: float) -> tuple[Any, list[int]] | None:
    """Draw the enlargement of the crowded features' area; its axes and the features (indices) inside its window."""
    den_map = _m_per_pt(ax) / _M_PER_PT_1
    scales = [s for s in ENLARGEMENT_SCALES if s <= den_map / 2.0]
    if not scales:
        return None
    bb = ax.get_window_extent()
    wpt, hpt = bb.width * 72.0 / ax.figure.dpi, bb.height * 72.0 / ax.figure.dpi
    spot = _frame_box(ax, pts[fine], keep_clear)
    if spot is None:
        return None
    box, share = spot
    frame_w, frame_h = (box[2] - box[0]) * wpt, (box[3] - box[1]) * hpt  # points
    cp = pts[crowded]
    best = None
    for den in scales[:2] + sorted(scales[2:], reverse=True):
        ww, wh = frame_w * den * _M_PER_PT_1, frame_h * den * _M_PER_PT_1
        for c in [cp.mean(axis=0), *cp]:
            covered = (np.abs(cp[:, 0] - c[0]) <= ww * 0.45) & (np.abs(cp[:, 1] - c[1]) <= wh * 0.45)
            n = int(covered.sum())
            if n and (best is None or n > best[0]):
                best = (n, den, cp[covered].mean(axis=0), ww, wh)
        if best is not None and best[0] == len(cp):
            break
    if best is None:
        return None
    _, den, centre, ww, wh = best
    window = (centre[0] - ww / 2, centre[1] - wh / 2, centre[0] + ww / 2, centre[1] + wh / 2)
    (dx0, dy0), (dx1, dy1) = ax.transData.transform([window[:2], window[2:]])
    (fx0, fy0), (fx1, fy1) = ax.transAxes.inverted().transform([(dx0, dy0), (dx1, dy1)])
    if fx0 < box[2] and box[0] < fx1 and fy0 < box[3] and box[1] < fy1:
        return None  # the window under its own frame: no room for both
    inside = [k for k in range(len(pts)) if fine[k] and window[0] <= pts[k, 0] <= window[2] and window[1] <= pts[k, 1] <= window[3]]
    ins = ax.inset_axes([box[0], box[1], box[2] - box[0], box[3] - box[1]])
    ins.set_zorder(26)  # over the map's callouts and leaders
    ins.set_facecolor("white")
    ins.set_xticks([])
    ins.set_yticks([])
    for sp in ins.spines.values():
        sp.set_edgecolor(_INK)
        sp.set_linewidth(1.2)
    ins.set_gid(f"perbesaran:{label}")
    ins.set_xlim(window[0], window[2])  # before drawing: the names are placed inside the window
    ins.set_ylim(window[1], window[3])
    ins.set_autoscale_on(False)
    draw(ins)
    ins.set_xlabel("")
    ins.set_ylabel("")
    ins.set_xlim(window[0], window[2])
    ins.set_ylim(window[1], window[3])
    for t in ins.texts:
        t.set_clip_on(True)  # nothing of the enlargement over the map around it
    scale = f"{den:,}".replace(",", ".")
    ins.text(0.012, 0.985, f"PETA PERBESARAN {label}  ·  1 : {scale}", transform=ins.transAxes, ha="left", va="top", fontsize=_pt(7.0),
             fontweight="bold", color=_INK, zorder=30, bbox=dict(boxstyle="square,pad=0.3", facecolor="white", edgecolor=_INK, linewidth=0.6))
    # on the map: the enlarged area's rectangle and its letter
    ax.add_patch(Rectangle((window[0], window[1]), ww, wh, fill=False, edgecolor=_INK, linewidth=1.2, zorder=24, gid=f"perbesaran-batas:{label}"))
    ax.text(window[0], window[3], f" {label} ", ha="left", va="bottom", fontsize=_pt(7.5), fontweight="bold", color=_INK, zorder=24.5,
            bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor=_INK, linewidth=0.8), gid=f"perbesaran-kode:{label}")
    reserve(ax, _fig_box(ax, box))
    reserve(ax, _fig_box(ax, (fx0, fy0, fx1, fy1)))
    ax._sppr_enlargement = {"axes": ins, "window": window, "scale": den, "label": label, "box": box, "share": share}
    return ins, inside
