"""Where a text fits on a map page: the inscribed circle of a polygon, the spots a label's box fits in, a
display box in data units. Shared by the pola ruang page (zone codes) and the administrasi page (kecamatan
names), so that neither imports the other."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely


def _inscribed_circle(poly: Any, tolerance: float) -> tuple[tuple[float, float], float]:
    """Centre and radius of the largest circle inside a polygon (shapely 2.1's maximum_inscribed_circle, else polylabel)."""
    mic = getattr(shapely, "maximum_inscribed_circle", None)
    if mic is not None:
        circ = mic(poly, tolerance=tolerance)
        return tuple(circ.coords[0]), float(circ.length)  # type: ignore[return-value]
    from shapely.ops import polylabel

    p = polylabel(poly, tolerance=tolerance)
    return (p.x, p.y), float(p.distance(poly.boundary))


def _code_spots(poly: Any, hw: float, hh: float, tolerance: float, max_points: int = 20000, taken: Any = None,
                circle: tuple[tuple[float, float], float] | None = None, limit: int = 3) -> list[tuple[float, float]]:
    """Centres where a code's box (half width ``hw``, half height ``hh``) lies wholly inside ``poly``: the
    centre of its largest inscribed circle first, then the points of a grid (step a tenth of the box's
    smaller side, at most ``max_points``) over the polygon shrunk by the box's shorter half side, nearest that
    centre first (a long narrow block holds its code along its length); boxes meeting ``taken`` ((n, 4) bounds
    ``x0, y0, x1, y1`` of the names already on the map, data units) are left out. ``circle``: the polygon's
    inscribed circle when already known (:func:`_inscribed_circle`). At most ``limit`` centres."""
    try:
        (cx, cy), radius = circle if circle is not None else _inscribed_circle(poly, tolerance)
    except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
        return []
    if radius + tolerance < min(hw, hh):  # no box of these half sides fits (a tall box, 'RTH-' over '1', may fit a narrow block; the radius is found within the tolerance)
        return []
    shapely.prepare(poly)
    pts = np.asarray([(cx, cy)], dtype=float)
    px0, py0, px1, py1 = poly.bounds
    near = np.zeros((0, 4))
    if taken is not None and len(taken):
        t = np.asarray(taken, dtype=float).reshape(-1, 4)
        near = t[(t[:, 0] < px1) & (t[:, 2] > px0) & (t[:, 1] < py1) & (t[:, 3] > py0)]

    def clear(p: np.ndarray) -> np.ndarray:
        if not len(near):
            return np.ones(len(p), dtype=bool)
        b = np.c_[p[:, 0] - hw, p[:, 1] - hh, p[:, 0] + hw, p[:, 1] + hh][:, None, :]
        q = near[None, :, :]
        return ~((b[..., 0] < q[..., 2]) & (q[..., 0] < b[..., 2]) & (b[..., 1] < q[..., 3]) & (q[..., 1] < b[..., 3])).any(axis=1)

    if limit <= 3 and shapely.contains(poly, shapely.box(cx - hw, cy - hh, cx + hw, cy + hh)) and clear(pts)[0]:
        return [(float(cx), float(cy))]  # (asked for many, the caller filters them further: the grid too)
    core = poly.buffer(-min(hw, hh))  # every centre whose box fits lies in it (the box's shorter half side in from the edge)
    if not core.is_empty:
        x0, y0, x1, y1 = core.bounds
        # a fine grid: a long block may hold its code only in a narrow band
        step = min(hw, hh) / 10
        step *= max(1.0, math.sqrt((x1 - x0 + step) * (y1 - y0 + step) / step**2 / max_points))
        xs, ys = np.meshgrid(np.arange(x0, x1 + 1e-9, step), np.arange(y0, y1 + 1e-9, step))
        grid = np.c_[xs.ravel(), ys.ravel()]
        grid = grid[shapely.contains_xy(core, grid[:, 0], grid[:, 1])]
        grid = grid[np.argsort(np.hypot(grid[:, 0] - cx, grid[:, 1] - cy), kind="stable")]
        pts = np.vstack([pts, grid])
    boxes = shapely.box(pts[:, 0] - hw, pts[:, 1] - hh, pts[:, 0] + hw, pts[:, 1] + hh)
    ok = clear(pts)
    ok[ok] = shapely.contains(poly, boxes[ok])
    if not ok.any() and not core.is_empty:
        # a box that fits only just (a code nearly as wide as its block: a sliver of centres narrower than the grid's
        # step, review s8): the centres where each corner of the box lies in the block (the block moved by each corner,
        # intersected: the centres where the box fits, for a block convex around them), their inner point first, then
        # points between it and the region's corners, each tested whole
        region = shapely.intersection_all([shapely.transform(poly, lambda xy, dx=dx, dy=dy: xy - (dx, dy)) for dx, dy in
                                           ((-hw, -hh), (hw, -hh), (-hw, hh), (hw, hh))])
        if not region.is_empty and region.area > 0:
            inner = region.representative_point()
            ix, iy = inner.x, inner.y
            corners = shapely.get_coordinates(region)
            cand = np.vstack([[(ix, iy)], *(np.c_[ix + f * (corners[:, 0] - ix), iy + f * (corners[:, 1] - iy)] for f in (0.5, 0.9))])
            cand = cand[np.argsort(np.hypot(cand[:, 0] - cx, cand[:, 1] - cy), kind="stable")]
            good = clear(cand)
            good[good] = shapely.contains(poly, shapely.box(cand[good, 0] - hw, cand[good, 1] - hh, cand[good, 0] + hw, cand[good, 1] + hh))
            return [(float(x), float(y)) for x, y in cand[good][:limit]]
    return [(float(x), float(y)) for x, y in pts[ok][:limit]]


def _clear_of(spots: Sequence[tuple[float, float]], hw: float, hh: float, lines: Any = None, symbols: Any = None, margin: float = 0.0) -> list[tuple[float, float]]:
    """The centres of ``spots`` whose box (half width ``hw``, half height ``hh``, data units) meets none of
    ``lines`` (an STR tree of line geometries) and holds no point of ``symbols`` ((n, 2) data coordinates) within
    ``margin`` of its edge; in the given order."""
    if not len(spots):
        return []
    p = np.asarray(spots, dtype=float).reshape(-1, 2)
    ok = np.ones(len(p), dtype=bool)
    if lines is not None:
        boxes = shapely.box(p[:, 0] - hw, p[:, 1] - hh, p[:, 0] + hw, p[:, 1] + hh)
        hit = lines.query(boxes, predicate="intersects")
        ok[np.unique(hit[0])] = False
    if symbols is not None and len(symbols):
        s = np.asarray(symbols, dtype=float).reshape(-1, 2)
        wx, wy = hw + margin, hh + margin
        idx = np.flatnonzero(ok)
        if len(idx):
            # only the symbols near the spots can fall in a box (a 10,000-program map tested every symbol at every spot)
            q = p[idx]
            px, py = 2 * abs(wx) + 1.0, 2 * abs(wy) + 1.0
            s = s[(s[:, 0] > q[:, 0].min() - px) & (s[:, 0] < q[:, 0].max() + px) & (s[:, 1] > q[:, 1].min() - py) & (s[:, 1] < q[:, 1].max() + py)]
        if len(s):
            for a in range(0, len(idx), 256):
                chunk = idx[a : a + 256]
                x, y = p[chunk, 0][:, None], p[chunk, 1][:, None]
                ok[chunk[((np.abs(s[None, :, 0] - x) < wx) & (np.abs(s[None, :, 1] - y) < wy)).any(axis=1)]] = False
    return [(float(x), float(y)) for x, y in p[ok]]


def _data_box(ax: Any, bb: Any) -> Any:
    """A display box (a text's extent) as a shapely box in data coordinates."""
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
