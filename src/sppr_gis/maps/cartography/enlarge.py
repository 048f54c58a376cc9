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

from sppr_gis.maps.cartography.common import _INK, _pt, _segments, nice_scale_length  # noqa: E402
from sppr_gis.maps.cartography.labels import (  # noqa: E402
    _PLAN_LIMIT,
    _plan_callouts,
    _untangle_pairs,
    MAX_LEADER_MM,
    _m_per_pt,
    _reserved,
    callout_faults,
    crowded_callouts,
    place_callouts,
    reserve,
)
from sppr_gis.text import angka  # noqa: E402

#: The enlargement's scales (denominators), preferred first when they cover as much of the dense area.
ENLARGEMENT_SCALES = (40_000, 50_000, 25_000, 20_000, 10_000, 5_000, 2_500, 1_000)
#: The letters of a map's enlargements, in order: a second (B) where a dense area is left once the first is made, a
#: third (C) for a cluster whose leaders still cross once those are made (review s9, Kota Bandung Peta 3: Cibiru).
LABELS = ("A", "B", "C")
#: The least number of features a second enlargement is made for (one crowded feature takes a longer leader).
_MIN_SECOND = 2
#: Shares of the map's width tried for the enlargement's frame, largest first.
_SHARES = (0.5, 0.46, 0.42, 0.38, 0.34, 0.30, 0.26, 0.23, 0.20)
#: Heights of the enlargement's frame (on paper) per its width, tried: landscape first (the corners of an A3 map), then
#: upright (the strip beside a city that fills an A4 map's width).
_ASPECTS = (0.9, 0.78, 0.65, 0.55, 0.45, 1.15, 1.4, 1.7)
#: The least short side and the least area (mm, mm² at print size) of the enlargement's frame: about 40 x 60 mm, where
#: a dozen numbers stand with short leaders.
_MIN_SIDE_MM = 38.0
_MIN_AREA_MM2 = 2_300.0
#: The height (map fraction) of the strips at the map's foot where the scale bar may stand, in its lower corners.
_FOOT = 0.16
_PT_MM = 25.4 / 72.0
#: The metres of one point at print size, per unit of scale denominator.
_M_PER_PT_1 = 0.0254 / 72.0
#: Positions tried along each side of the map for the frame (between the corner and middle spots).
_STEPS = 21


def _fig_box(ax: Any, box: Sequence[float]) -> tuple[float, float, float, float]:
    """Axes fraction ``(x0, y0, x1, y1)`` -> figure fraction."""
    (a, b), (c, d) = ax.figure.transFigure.inverted().transform(ax.transAxes.transform([(box[0], box[1]), (box[2], box[3])]))
    return (float(a), float(b), float(c), float(d))


def _spots(fw: float, fh: float, m: tuple[float, float]) -> np.ndarray:
    """The lower left corners (axes fraction) tried for a frame of ``fw`` x ``fh``: the corners and the middles of the
    right, top, foot and left edges first (as an A3 map's enlargement stood), then every position on a grid of
    :data:`_STEPS` x :data:`_STEPS`, those nearest an edge of the map first."""
    x_lo, x_hi, y_lo, y_hi = m[0], 1 - m[0] - fw, m[1], 1 - m[1] - fh
    first = [(x_hi, y_hi), (x_hi, y_lo), (x_hi, 0.5 - fh / 2), (0.5 - fw / 2, y_hi), (0.5 - fw / 2, y_lo), (x_lo, y_lo), (x_lo, 0.5 - fh / 2)]
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, _STEPS), np.linspace(y_lo, y_hi, _STEPS))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    edge = np.minimum(np.minimum(grid[:, 0] - x_lo, x_hi - grid[:, 0]), np.minimum(grid[:, 1] - y_lo, y_hi - grid[:, 1]))
    return np.concatenate([np.asarray(first, dtype=float).reshape(-1, 2), grid[np.argsort(edge, kind="stable")]])


def _frame_box(ax: Any, points: np.ndarray, keep_clear: Any) -> tuple[tuple[float, float, float, float], float] | None:
    """A free place for the enlargement's frame (axes fraction) and its share of the map's width: the largest frame
    (:data:`_SHARES` x :data:`_ASPECTS`, at least :data:`_MIN_SIDE_MM` a side and :data:`_MIN_AREA_MM2`) that stands
    in the map (:func:`_spots`: a corner or an edge's middle first) clear of ``keep_clear`` (the region), of every
    feature, of the reserved boxes (the location inset, a key, another enlargement and its rectangle), of the other
    axes over the map and of the map's texts; ``None`` when there is none."""
    bb = ax.get_window_extent()
    wpt, hpt = bb.width * 72.0 / ax.figure.dpi, bb.height * 72.0 / ax.figure.dpi
    inv = ax.transData.inverted()
    taken = [r.extents for r in _reserved(ax)]
    r = ax.figure.canvas.get_renderer()
    taken += [t.get_window_extent(r).extents for t in ax.texts if t.get_visible() and t.get_text()]
    # the other axes over the map (the location inset, an enlargement) and the scale bar's strips in the lower corners
    taken += [a.get_window_extent(r).extents for a in [*ax.figure.axes, *ax.child_axes] if a is not ax and a.get_visible()]
    taken += [ax.transAxes.transform([(0, 0), (0.34, _FOOT)]).ravel(), ax.transAxes.transform([(0.66, 0), (1, _FOOT)]).ravel()]
    tk = np.asarray(taken, dtype=float).reshape(-1, 4)
    tk = np.column_stack([np.minimum(tk[:, 0], tk[:, 2]), np.minimum(tk[:, 1], tk[:, 3]), np.maximum(tk[:, 0], tk[:, 2]), np.maximum(tk[:, 1], tk[:, 3])])
    m = 6.0 / wpt, 6.0 / hpt  # 6 pt from the map's edge
    sizes = []
    for share in _SHARES:
        for aspect in _ASPECTS:
            fw, fh = share, min(share * wpt * aspect / hpt, 0.6)  # at most 0.6 of the map's height
            w_mm, h_mm = fw * wpt * _PT_MM, fh * hpt * _PT_MM
            if min(w_mm, h_mm) < _MIN_SIDE_MM or w_mm * h_mm < _MIN_AREA_MM2 or (fw * fh, fw, fh) in sizes:
                continue  # too small to show a dense area legibly
            sizes.append((fw * fh, fw, fh))
    sizes.sort(key=lambda s: -s[0])  # the largest frame wins (the first of equal ones in the order above)
    for _, fw, fh in sizes:
        low = _spots(fw, fh, m)
        boxes = np.column_stack([low, low + (fw, fh)])
        disp = np.column_stack([ax.transAxes.transform(boxes[:, :2]), ax.transAxes.transform(boxes[:, 2:])])
        free = ~((disp[:, None, 0] < tk[None, :, 2]) & (tk[None, :, 0] < disp[:, None, 2])
                 & (disp[:, None, 1] < tk[None, :, 3]) & (tk[None, :, 1] < disp[:, None, 3])).any(axis=1) if len(tk) else np.ones(len(disp), dtype=bool)
        if not free.any():
            continue
        data = np.column_stack([inv.transform(disp[:, :2]), inv.transform(disp[:, 2:])])
        if len(points):
            px, py = points[:, 0], points[:, 1]
            free &= ~((px[None, :] >= data[:, None, 0]) & (px[None, :] <= data[:, None, 2]) & (py[None, :] >= data[:, None, 1]) & (py[None, :] <= data[:, None, 3])).any(axis=1)
        if keep_clear is not None and free.any():
            idx = np.flatnonzero(free)
            free[idx] = ~shapely.intersects(shapely.box(data[idx, 0], data[idx, 1], data[idx, 2], data[idx, 3]), keep_clear)
        if free.any():
            i = int(np.argmax(free))
            return (float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])), fw
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
    after: Callable[[Any], None] | None = None,
    within: Any = None,
) -> list[Artist]:
    """Number the features ``xy`` on the map ``ax``; where some cannot get a short clean leader (a dense centre),
    enlarge that area in a free corner or beside the city and number the features inside it there; where a dense
    area is left once that is made (a city of two centres), enlarge it too (B).

    Parameters
    ----------
    ax
        The map's axes, its extent and layers drawn.
    xy, numbers, colors, fontsize, gid
        As :func:`~sppr_gis.maps.cartography.labels.place_callouts`.
    draw
        Draws the page's layers on another axes (the enlargement); without it nothing is enlarged.
    keep_clear
        A shapely geometry in map units (the region) the enlargements' frames must not cover.
    label
        The first enlargement's letter, on its rectangle on the map and in its title; a second one takes the next
        letter of :data:`LABELS`.
    max_leader
        The longest leader (mm at print size) a number takes before its area is enlarged.
    after
        Draws on each enlargement once its numbers are placed (the area names, which then keep clear of the circles
        and leaders, as on the map): what ``draw`` drew before the numbers takes the room the numbers are placed in,
        and the window is chosen on bare axes.
    within
        The region's land (a shapely geometry in map units: ``Album.land_area``): the numbers sit on it where it has
        room, on the map and in the enlargements (:func:`~sppr_gis.maps.cartography.labels.place_callouts`); review s7:
        numbers beyond the city on the OPD maps.

    Returns
    -------
    list of Artist
        The callouts placed (on the map and in the enlargements). ``ax._sppr_enlargements`` lists the enlargements
        (each a dict: its axes, window in map units, scale denominator, label, frame, and the numbers in it) and
        ``ax._sppr_enlargement`` is the first of them, when there is one.

    Notes
    -----
    An enlargement is made for the features :func:`~sppr_gis.maps.cartography.labels.crowded_callouts` finds
    (the first when there is one, a second for at least :data:`_MIN_SECOND` left crowded once the first is made,
    with the first's frame and rectangle kept clear); maps of more than ``_PLAN_LIMIT`` numbers keep their one
    fast pass and no enlargement.
    """
    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    fine = np.isfinite(pts).all(axis=1)
    made: list[tuple[Any, list[int]]] = []
    taken: set[int] = set()
    if draw is not None and len(pts) <= _PLAN_LIMIT:
        letters = [label, *[c for c in LABELS if c != label]][: len(LABELS)]
        for n, letter in enumerate(letters):
            rest = [k for k in range(len(pts)) if k not in taken]
            crowded = crowded_callouts(ax, [xy[k] for k in rest], [numbers[k] for k in rest], fontsize=fontsize, symbols=[xy[k] for k in sorted(taken)],
                                       max_leader=max_leader, modes=("strict",) if n == 0 else ("strict", "short-any"))
            if len(crowded) < (1 if n == 0 else _MIN_SECOND):
                break
            one = _enlargement(ax, pts, fine & ~np.isin(np.arange(len(pts)), sorted(taken)), [rest[i] for i in crowded], draw, keep_clear, letter, fontsize,
                               numbers=numbers, max_leader=max_leader)
            if one is None:
                break
            made.append(one)
            taken.update(one[1])
        if made and len(made) < len(letters):
            # a cluster whose leaders cross (each short enough, so not crowded above): enlarged too, where there is room
            rest = [k for k in range(len(pts)) if k not in taken]
            plan, left, crossed = _plan_callouts(ax, [xy[k] for k in rest], [numbers[k] for k in rest], fontsize, (), [xy[k] for k in sorted(taken)],
                                                 max_leader, within)
            tangled = {rest[i] for pair in (_untangle_pairs(plan) if crossed else []) for i in pair if i is not None} | {rest[i] for i in left}
            tangled = sorted(tangled | set(_cluster(ax, pts, rest)))
            if len(tangled) >= _MIN_SECOND:
                one = _enlargement(ax, pts, fine & ~np.isin(np.arange(len(pts)), sorted(taken)), tangled, draw, keep_clear, letters[len(made)], fontsize,
                                   numbers=numbers, max_leader=max_leader)
                if one is not None:
                    made.append(one)
                    taken.update(one[1])
    if not made:
        return place_callouts(ax, xy, numbers, colors=colors, fontsize=fontsize, gid=gid, max_leader=max_leader, within=within)
    outside = [k for k in range(len(pts)) if k not in taken]
    sub = (lambda ks: [colors[k] for k in ks]) if colors is not None else (lambda ks: None)
    out = place_callouts(ax, [xy[k] for k in outside], [numbers[k] for k in outside], colors=sub(outside), fontsize=fontsize, gid=gid,
                         symbols=[xy[k] for k in sorted(taken)], max_leader=max_leader, within=within)
    for (ins, inside), en in zip(made, ax._sppr_enlargements):
        out += place_callouts(ins, [xy[k] for k in inside], [numbers[k] for k in inside], colors=sub(inside), fontsize=fontsize, gid=gid, max_leader=max_leader,
                              within=within)
        if after is not None:
            drawn = {id(t) for t in ins.texts}  # the title strip's texts stand above the axes, unclipped
            after(ins)
            for t in ins.texts:
                if id(t) not in drawn:
                    t.set_clip_on(True)  # nothing of what it adds over the map around the enlargement
        ax._sppr_unnumbered = getattr(ax, "_sppr_unnumbered", 0) + getattr(ins, "_sppr_unnumbered", 0)
        en["numbers"] = [str(numbers[k]) for k in inside]
    return out


#: A cluster enlarged once the crowded areas are (review s9, Kota Bandung Peta 3: eight programs by Cibiru whose
#: leaders ran over one another's symbols): at least this many features within :data:`_CLUSTER_MM` of one of them.
_CLUSTER_N = 6
_CLUSTER_MM = 6.0


def _cluster(ax: Any, pts: np.ndarray, rest: Sequence[int]) -> list[int]:
    """The densest cluster among the features ``rest`` (indices of ``pts``): those within :data:`_CLUSTER_MM` (print
    size) of the feature with the most such neighbours, when they are at least :data:`_CLUSTER_N`; else none."""
    ks = [k for k in rest if np.isfinite(pts[k]).all()]
    if len(ks) < _CLUSTER_N:
        return []
    p = pts[ks]
    reach = _CLUSTER_MM / _PT_MM * _m_per_pt(ax)
    near = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1]) <= reach
    counts = near.sum(axis=1)
    best = int(np.argmax(counts))
    return [ks[j] for j in np.flatnonzero(near[best])] if counts[best] >= _CLUSTER_N else []


def enlargement_note(ax: Any) -> str:
    """The page note's sentence on the enlargements of ``ax`` (with a leading space), or ``""`` without one.

    >>> enlargement_note(None)
    ''
    """
    ens = getattr(ax, "_sppr_enlargements", None) or ([ax._sppr_enlargement] if getattr(ax, "_sppr_enlargement", None) else [])
    if not ens:
        return ""

    def scale(en: dict[str, Any]) -> str:
        return f"{en['scale']:,}".replace(",", ".")

    if len(ens) == 1:
        en = ens[0]
        return f" Program di dalam kotak {en['label']} bernomor pada Peta Perbesaran {en['label']} (skala 1 : {scale(en)})."
    boxes = ", ".join(en["label"] for en in ens[:-1]) + f" dan {ens[-1]['label']}"
    maps = ", ".join(f"{en['label']} (1 : {scale(en)})" for en in ens[:-1]) + f" dan {ens[-1]['label']} (1 : {scale(ens[-1])})"
    return f" Program di dalam kotak {boxes} bernomor pada Peta Perbesaran {maps}."


#: The band (mm on the map) just outside an enlargement's rectangle kept clear of features where the window can
#: move: a feature there numbers on the map with its circle kept off the rectangle, often with a long leader.
_EDGE_MM = 5.0


def _clear_edges(points: np.ndarray, covered: np.ndarray, centre: np.ndarray, ww: float, wh: float, band: float,
                 ok: Callable[[np.ndarray], bool] = lambda c: True, inner: float = 0.0, texts: np.ndarray | None = None) -> np.ndarray | None:
    """The window's centre, moved from ``centre`` (the ``covered`` features still inside, at most 0.45 of its size
    from the centre) so that the fewest features lie within ``band`` (map units) outside its rectangle or within
    ``inner`` inside it (a symbol its frame would cut: review s7, point 40 on Peta 15), and the fewest ``texts``
    ((n, 4) x0, y0, x1, y1, map units: the names on the map) are cut by its rectangle, among the centres ``ok``
    accepts; nearest the given centre among equals; ``None`` when ``ok`` accepts none.

    >>> import numpy as np
    >>> pts = np.array([[0.0, 0.0], [5.2, 0.0]])
    >>> # the second point 0.2 beyond the edge: the window moves (on a grid of 9 steps of 0.45 x 2 x its size / 8) to take it inside,
    >>> # rather than leave it within the 2.0 band outside
    >>> _clear_edges(pts, pts[:1], np.array([0.0, 0.0]), 10.0, 10.0, 2.0).tolist()
    [1.125, 0.0]
    """
    xs = np.linspace(covered[:, 0].max() - ww * 0.45, covered[:, 0].min() + ww * 0.45, 9)
    ys = np.linspace(covered[:, 1].max() - wh * 0.45, covered[:, 1].min() + wh * 0.45, 9)
    cx, cy = np.meshgrid(np.append(xs, centre[0]), np.append(ys, centre[1]))
    cx, cy = cx.ravel(), cy.ravel()
    if len(points):
        dx = np.abs(points[None, :, 0] - cx[:, None]) - ww / 2  # > 0: outside the window, by this much
        dy = np.abs(points[None, :, 1] - cy[:, None]) - wh / 2
        out = np.maximum(dx, dy)
        near = ((out > -inner) & (out <= band)).sum(axis=1).astype(float)
    else:
        near = np.zeros(len(cx))
    if texts is not None and len(texts):  # a name the rectangle's edge runs through (review s7: box A across KP1)
        t = np.asarray(texts, dtype=float).reshape(-1, 4)
        x0, x1, y0, y1 = (cx - ww / 2)[:, None], (cx + ww / 2)[:, None], (cy - wh / 2)[:, None], (cy + wh / 2)[:, None]
        within = (t[None, :, 0] >= x0) & (t[None, :, 2] <= x1) & (t[None, :, 1] >= y0) & (t[None, :, 3] <= y1)
        apart = (t[None, :, 2] <= x0) | (t[None, :, 0] >= x1) | (t[None, :, 3] <= y0) | (t[None, :, 1] >= y1)
        near = near + (~within & ~apart).sum(axis=1)
    cost = near + np.hypot(cx - centre[0], cy - centre[1]) / (ww + wh)  # ties: the nearest centre
    for i in np.argsort(cost, kind="stable"):
        c = np.array([cx[i], cy[i]])
        if ok(c):
            return c
    return None


def _enlargement(ax: Any, pts: np.ndarray, fine: np.ndarray, crowded: list[int], draw: Callable[[Any], None], keep_clear: Any, label: str,
                 fontsize: float, numbers: Sequence[str] | None = None, max_leader: float = MAX_LEADER_MM) -> tuple[Any, list[int]] | None:
    """Draw the enlargement of the crowded features' area; its axes and the features (indices of ``pts``, those of
    ``fine`` only) inside its window. The frame keeps clear of every feature (``pts``), the window of the other
    enlargements' frames and rectangles; ``None`` where there is no room.

    Of the scales (:data:`ENLARGEMENT_SCALES`), the window is the one whose numbers (``numbers``, as printed; the
    indices without them) placed there as :func:`~sppr_gis.maps.cartography.labels.place_callouts` places them leave
    the fewest faults: a crowded feature left out of the window, a number without a place or with a leader longer than
    ``max_leader`` mm, two leaders still crossing (:func:`~sppr_gis.maps.cartography.labels.callout_faults`; counted
    with a leader of any length before, 1 : 40.000 was taken for a centre whose leaders then crossed in 7 pairs)."""
    den_map = _m_per_pt(ax) / _M_PER_PT_1
    scales = [s for s in ENLARGEMENT_SCALES if s <= den_map / 2.0]
    if not scales:
        return None
    bb = ax.get_window_extent()
    wpt, hpt = bb.width * 72.0 / ax.figure.dpi, bb.height * 72.0 / ax.figure.dpi
    spot = _frame_box(ax, pts[np.isfinite(pts).all(axis=1)], keep_clear)
    if spot is None:
        return None
    box, share = spot
    frame_w, frame_h = (box[2] - box[0]) * wpt, (box[3] - box[1]) * hpt  # points
    strip = _strip_pt(ax, frame_w, label)  # the title strip across the frame's top: the map under it
    frame_h -= strip
    cp = pts[crowded]
    band = _EDGE_MM / _PT_MM * _m_per_pt(ax)
    others = [b for en in getattr(ax, "_sppr_enlargements", ()) for b in (en["box"], en["window_box"])]
    to_axes = ax.transData + ax.transAxes.inverted()
    # the names already on the map (data boxes): the rectangle keeps from cutting them
    renderer = ax.figure.canvas.get_renderer()
    inv = ax.transData.inverted()
    names = []
    for t in ax.texts:
        if t.get_visible() and t.get_text().strip():
            e = t.get_window_extent(renderer)
            (a0, b0), (a1, b1) = inv.transform([(e.x0, e.y0), (e.x1, e.y1)])
            names.append((min(a0, a1), min(b0, b1), max(a0, a1), max(b0, b1)))
    names_arr = np.asarray(names, dtype=float).reshape(-1, 4)

    def clear(c: np.ndarray, ww: float, wh: float) -> bool:
        """Whether the window centred on ``c`` stands clear of its own frame and of the other enlargements (and their rectangles)."""
        (fx0, fy0), (fx1, fy1) = to_axes.transform([(c[0] - ww / 2, c[1] - wh / 2), (c[0] + ww / 2, c[1] + wh / 2)])
        return not any(fx0 < b[2] and b[0] < fx1 and fy0 < b[3] and b[1] < fy1 for b in [box, *others])

    ins = ax.inset_axes([box[0], box[1], box[2] - box[0], box[3] - box[1] - strip / hpt])
    ins.set_autoscale_on(False)
    # per scale, the window covering the most crowded features; of those, the one that leaves the fewest faults in it
    # (a number without a place, a long leader, a crossing: tried on the bare axes, as the numbers are placed there
    # before the names) or crowded out of it (on the map): a window too dense at 1 : 50.000 is no better than the map
    tried = []
    for den in scales[:2] + sorted(scales[2:], reverse=True):
        ww, wh = frame_w * den * _M_PER_PT_1, frame_h * den * _M_PER_PT_1
        best = None
        for c in [cp.mean(axis=0), *cp]:
            covered = (np.abs(cp[:, 0] - c[0]) <= ww * 0.45) & (np.abs(cp[:, 1] - c[1]) <= wh * 0.45)
            n = int(covered.sum())
            if n and (best is None or n > best[0]):
                # a symbol (up to 4 pt across its centre at the enlargement's scale) whole inside it or left outside
                centre = _clear_edges(pts[fine], cp[covered], cp[covered].mean(axis=0), ww, wh, band, lambda c, ww=ww, wh=wh: clear(c, ww, wh),
                                      inner=4.0 * den * _M_PER_PT_1, texts=names_arr)
                if centre is not None:
                    best = (n, den, centre, ww, wh)
        if best is None:
            continue
        n, den, centre, ww, wh = best
        if tried and len(cp) - n >= min(t[0] for t in tried):
            continue  # even with no fault in it, this window leaves more crowded out than a window tried leaves in all
        window = (centre[0] - ww / 2, centre[1] - wh / 2, centre[0] + ww / 2, centre[1] + wh / 2)
        inside = [k for k in range(len(pts)) if fine[k] and window[0] <= pts[k, 0] <= window[2] and window[1] <= pts[k, 1] <= window[3]]
        ins.set_xlim(window[0], window[2])
        ins.set_ylim(window[1], window[3])
        left = sum(callout_faults(ins, [tuple(pts[k]) for k in inside], [str(numbers[k] if numbers is not None else k) for k in inside], fontsize=fontsize,
                                  max_leader=max_leader)) if inside else 0
        tried.append((left + len(cp) - n, len(tried), window, den, inside))
        if n == len(cp) and left == 0:
            break
    if not tried:
        ins.remove()
        return None  # no window clear of its frame and of the other enlargements
    _, _, window, den, inside = min(tried, key=lambda t: t[:2])
    ww, wh = window[2] - window[0], window[3] - window[1]
    (fx0, fy0), (fx1, fy1) = to_axes.transform([window[:2], window[2:]])
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
    enlargement_title(ins, den, label, strip)
    # on the map: the enlarged area's rectangle and its letter
    ax.add_patch(Rectangle((window[0], window[1]), ww, wh, fill=False, edgecolor=_INK, linewidth=1.2, zorder=24, gid=f"perbesaran-batas:{label}"))
    ax.text(window[0], window[3], f" {label} ", ha="left", va="bottom", fontsize=_pt(7.5), fontweight="bold", color=_INK, zorder=24.5,
            bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor=_INK, linewidth=0.8), gid=f"perbesaran-kode:{label}")
    reserve(ax, _fig_box(ax, box))
    reserve(ax, _fig_box(ax, (fx0, fy0, fx1, fy1)))
    en = {"axes": ins, "window": window, "scale": den, "label": label, "box": box, "share": share, "window_box": (fx0, fy0, fx1, fy1)}
    if not hasattr(ax, "_sppr_enlargements"):
        ax._sppr_enlargements = []
        ax._sppr_enlargement = en
    ax._sppr_enlargements.append(en)
    return ins, inside


#: The enlargement's scale bar: its length at most this share of the window's width, its height (points); the
#: padding (points) of the title strip that holds the title and the bar.
_BAR_SHARE = 0.3
_BAR_PT = 3.0
_PAD_PT = 3.0
#: The height (points) of a row of the title strip (7 pt type).
_ROW_PT = 9.5


def _title_text(label: str, den: int | None = None) -> str:
    """``PETA PERBESARAN A  ·  1 : 40.000`` (the widest scale when ``den`` is not known yet).

    >>> _title_text("B", 25_000)
    'PETA PERBESARAN B  ·  1 : 25.000'
    """
    return f"PETA PERBESARAN {label}  ·  1 : {f'{den if den is not None else 50_000:,}'.replace(',', '.')}"


def _strip_pt(ax: Any, frame_w: float, label: str) -> float:
    """The height (points) of an enlargement's title strip in a frame ``frame_w`` points wide: one row where the title
    and the scale bar stand side by side; else a row for the title and a row for the bar, and a third where the title
    must take two lines (a narrow frame)."""
    probe = ax.text(0, 0, _title_text(label), fontsize=_pt(7.0), fontweight="bold")
    w = probe.get_window_extent(ax.figure.canvas.get_renderer()).width * 72.0 / ax.figure.dpi
    probe.remove()
    bar = _BAR_SHARE * frame_w + 40.0  # the bar (at most this share of the window) with "0" and "2,5 km"
    rows = 1 if w + bar + 4 * _PAD_PT <= frame_w * 0.97 else 2 if w + 2 * _PAD_PT <= frame_w * 0.97 else 3
    return rows * _ROW_PT + 2 * _PAD_PT


def enlargement_title(ins: Any, den: int, label: str, strip: float) -> dict[str, Any]:
    """The enlargement's title strip across the top of its frame, over none of its map: ``PETA PERBESARAN A ·
    1 : 40.000`` (on two lines in a narrow frame) and under it the enlargement's own scale bar, since its scale is
    not the map's: a length of the projected CRS (metres) drawn in the enlargement's data coordinates, so exact at
    its scale, in 2 to 5 parts, ``0`` at its left and ``1 km`` (or ``m``) at its right.

    Parameters
    ----------
    ins
        The enlargement's axes, its window set (equal aspect: one data unit a metre on paper at ``1 : den``).
    den
        The enlargement's scale denominator.
    label
        The enlargement's letter (the artists' gid: ``perbesaran-judul:<label>`` for the title and the strip,
        ``perbesaran-skala:<label>`` for the bar's parts and labels).
    strip
        The strip's height (points, :func:`_strip_pt`), above the axes.

    Returns
    -------
    dict
        ``length`` (the bar's length, metres), ``segments`` and ``unit``.
    """
    x0, x1 = ins.get_xlim()
    _, y1 = ins.get_ylim()
    m_pt = den * _M_PER_PT_1  # metres per point at print size
    pad = _PAD_PT * m_pt
    r = ins.figure.canvas.get_renderer()
    inv = ins.transData.inverted()

    def extent(t: Any) -> tuple[float, float, float, float]:
        (a, b), (c, d) = inv.transform(t.get_window_extent(r))
        return (a, b, c, d)

    top = y1 + strip * m_pt
    ins.add_patch(Rectangle((x0, y1), x1 - x0, strip * m_pt, facecolor="white", edgecolor=_INK, linewidth=1.2, zorder=30, clip_on=False,
                            gid=f"perbesaran-judul:{label}"))
    rows = round((strip - 2 * _PAD_PT) / _ROW_PT)
    text = _title_text(label, den)
    if rows > 2:
        text = text.replace("  ·  ", "\n")
    title = ins.text(x0 + pad, top - pad, text, ha="left", va="top", fontsize=_pt(7.0), fontweight="bold", color=_INK, zorder=32, clip_on=False,
             linespacing=1.1, gid=f"perbesaran-judul:{label}")
    length = nice_scale_length((x1 - x0) * _BAR_SHARE)
    nseg = _segments(length)
    unit = "km" if length >= 1000 else "m"
    v = length / 1000.0 if unit == "km" else length
    end = f"{angka(v, 0 if abs(v - round(v)) < 1e-9 else (1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2))} {unit}"
    gid = f"perbesaran-skala:{label}"
    mid = y1 + pad + _ROW_PT * m_pt / 2  # the bar's row: the lowest of the strip, or the title's
    left = x0 + pad
    if rows == 1:  # beside the title
        left = extent(title)[2] + 4 * pad
    zero = ins.text(left, mid, "0", ha="left", va="center", fontsize=_pt(7.0), color=_INK, zorder=32, clip_on=False, gid=gid)
    bx = extent(zero)[2] + 1.5 * m_pt
    bar_h = _BAR_PT * m_pt
    for i in range(nseg):
        ins.add_patch(Rectangle((bx + i * length / nseg, mid - bar_h / 2), length / nseg, bar_h, facecolor=_INK if i % 2 == 0 else "white", edgecolor=_INK,
                                linewidth=0.6, zorder=31, clip_on=False, gid=gid))
    ins.text(bx + length + 1.5 * m_pt, mid, end, ha="left", va="center", fontsize=_pt(7.0), color=_INK, zorder=32, clip_on=False, gid=gid)
    return {"length": length, "segments": nseg, "unit": unit}
