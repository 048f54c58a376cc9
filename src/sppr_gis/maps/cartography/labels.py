"""Labels on the map: names at points, names along lines and numbered callouts, placed without collisions."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
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
    within: Any = None,
    missed: list[int] | None = None,
) -> list[Artist]:
    """Names along lines (roads, rivers, channels), as a cartographer sets them: beside the line (either side), along
    its direction where the name stands (the chord of the line over the name's length), never over another name
    (:data:`_NAME_GAP_PT` clear of it) nor out of the map, nor across the boundary of ``within`` (the city, data coordinates) when given.

    Candidates at 50, 45, 55, 40, 60 ... 5, 95 % of the line's length (:data:`_LINE_FRACS`), on either side, close to the line and then a
    little farther, are ranked by the other lines drawn on the axes their name crosses (:data:`LINE_GIDS`: roads,
    programs, IPU lines, and the point symbols of those layers; fewest first: crossing one is the last resort), then whether it lies over its own line (at a
    bend), then whether it crosses a boundary (:func:`~sppr_gis.maps.cartography.draw.draw_outline`), then nearness
    to the line and the order above. A name longer than its line as drawn (the longest part, plus :data:`LINE_OVERHANG_MM`
    at print size) is not set along it: it would read as naming the line beside it. A name with no candidate, or too
    long for its line, is not printed; its index (in ``geoms``) is appended to ``missed`` when given (to be numbered instead).
    The tests use the name's true (rotated) footprint, not its upright box.
    """
    fig, fontsize, renderer, ax_box, placed = _label_context(ax, fontsize, avoid)
    lines = _Lines(ax, points=True)
    outlines = _Lines(ax, gids=(OUTLINE_GID,))
    if within is not None:
        shapely.prepare(within)
    to_data = ax.transData.inverted()
    px = fig.dpi / 72.0
    out: list[Artist] = []
    mine: list[Any] = []  # footprints (display) of the names placed here
    grid = _BoxGrid(fontsize * px * 20)
    for b in placed:  # the names already printed, with a gap of their halo and a little more around them
        grid.add(b.padded(_NAME_GAP_PT * px).extents)
    overhang = LINE_OVERHANG_MM / 25.4 * fig.dpi  # display units
    for i, (geom, text) in enumerate(zip(geoms, texts)):
        if not text or geom is None or geom.is_empty:
            continue
        merged = shapely.line_merge(geom) if shapely.get_type_id(geom) == 5 else geom
        parts = [p for p in shapely.get_parts(merged) if p.length > 0 and shapely.get_type_id(p) in (1, 2)]
        if not parts:
            if missed is not None:
                missed.append(i)
            continue
        line = max(parts, key=lambda p: p.length)
        along = _along(ax, line)
        mine_too = lines.own(geom)
        probe = ax.text(0, 0, text, fontsize=fontsize, fontstyle=style, fontweight=weight)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width * 1.02, ext.height * 1.05  # display units, upright, padded as the other names
        if w > float(along[1][-1]) + overhang:  # longer than its line: it would name the line beside it
            if missed is not None:
                missed.append(i)
            continue
        off = max(fontsize * 0.9, h / px / 2 + 1.5)  # points from the line to the name's centre line
        best = None
        tries = [(far, rank, frac) for far in (0, 1) for rank, frac in enumerate(_LINE_FRACS)]
        for far, rank, frac in tries:
            if far and best is not None and best[0][:3] == (0, 0, 0):
                break
            cand = _line_candidate(along, frac, w)
            if cand is None:
                continue
            (ax_, ay_), ang, (ux, uy) = cand
            dist = off + far * h / px * 0.8  # points; then a little farther from the line, past a name or a symbol beside it
            for side in (1, -1):
                nx, ny = -uy * side, ux * side
                cx, cy = ax_ + nx * dist * px, ay_ + ny * dist * px
                corners = np.asarray([(cx + sx * ux * w / 2 + sy * nx * h / 2, cy + sx * uy * w / 2 + sy * ny * h / 2) for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))])
                if not (ax_box.x0 <= corners[:, 0].min() and corners[:, 0].max() <= ax_box.x1 and ax_box.y0 <= corners[:, 1].min() and corners[:, 1].max() <= ax_box.y1):
                    continue
                foot = shapely.Polygon(corners)
                x0, y0 = corners.min(axis=0)
                x1, y1 = corners.max(axis=0)
                near = grid.near((x0, y0, x1, y1))
                if len(near):
                    near = near[(near[:, 0] < x1) & (x0 < near[:, 2]) & (near[:, 1] < y1) & (y0 < near[:, 3])]
                    if len(near) and shapely.intersects(foot, shapely.box(near[:, 0], near[:, 1], near[:, 2], near[:, 3])).any():
                        continue
                if mine and shapely.intersects(foot, mine).any():
                    continue
                data = shapely.Polygon(to_data.transform(corners))
                if within is not None and not within.contains(data):
                    continue
                cost = (lines.count_geom(data, own=mine_too), int(data.intersects(line)), int(outlines.count_geom(data) > 0), far, rank)
                if best is None or cost < best[0]:
                    best = (cost, (tuple(to_data.transform((ax_, ay_))), (nx * dist, ny * dist), ang), foot)
            if best is not None and best[0][:4] == (0, 0, 0, 0):
                break
        if best is None:
            if missed is not None:
                missed.append(i)
            continue
        _, (p, (dx, dy), ang), foot = best
        t = ax.annotate(
            text, (float(p[0]), float(p[1])), xytext=(dx, dy), textcoords="offset points", ha="center", va="center",
            rotation=ang, rotation_mode="anchor", fontsize=fontsize, color=color, fontstyle=style, fontweight=weight,
            zorder=zorder, path_effects=_HALO, annotation_clip=True, gid="line-label",
        )
        t._sppr_footprint = foot  # type: ignore[attr-defined]
        mine.append(foot.buffer(_NAME_GAP_PT * px, join_style="mitre"))
        bb = t.get_window_extent(renderer)
        placed.append(bb)
        out.append(t)
    return out


#: How far (mm at print size) a name set along a line may run past the line's drawn length.
LINE_OVERHANG_MM = 1.5

#: The least gap (points) between a name along a line and another name.
_NAME_GAP_PT = 1.5

#: Where along a line its name is tried (fractions of its length): the middle first, then outward in steps of 5 %.
_LINE_FRACS = (0.5, *(0.5 + sgn * k * 0.05 for k in range(1, 10) for sgn in (-1, 1)))


def _along(ax: Any, line: Any) -> tuple[np.ndarray, np.ndarray]:
    """A line's vertices in display units and the distance along it to each (for :func:`_line_candidate`)."""
    pts = ax.transData.transform(np.asarray(line.coords)[:, :2])
    return pts, np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])


def _line_candidate(along: tuple[np.ndarray, np.ndarray], frac: float, width: float) -> tuple[tuple[float, float], float, tuple[float, float]] | None:
    """Where a name of ``width`` (display units) stands at ``frac`` of a line (:func:`_along`): the point (display), the angle
    (degrees, upright: within +-90) and the unit direction (display) of the line's chord over the name's length
    around that point (a line shorter than its name: along its whole chord, the name's middle moved from the line's
    middle by ``frac - 0.5`` of the overhang)."""
    pts, s = along
    total = float(s[-1])
    if total <= 0:
        return None
    at = frac * total
    shift = 0.0
    if total <= width:  # a line shorter than its name: along the whole line, overhanging it by ``frac`` (0.5: evenly)
        a, b, at = 0.0, total, total / 2
        shift = (frac - 0.5) * (width - total)
    else:  # a name running past an end of the line is slid in
        at = min(max(at, width / 2), total - width / 2)
        a, b = at - width / 2, at + width / 2
    p = np.c_[np.interp([a, at, b], s, pts[:, 0]), np.interp([a, at, b], s, pts[:, 1])]
    d = p[2] - p[0]
    n = float(np.hypot(*d))
    if n < 1e-9:
        return None
    ux, uy = d / n
    if ux < 0 or (abs(ux) < 1e-9 and uy < 0):  # read from left to right (or upward)
        ux, uy = -ux, -uy
    ang = math.degrees(math.atan2(uy, ux))
    return (float(p[1][0] + shift * ux), float(p[1][1] + shift * uy)), ang, (float(ux), float(uy))


#: gid of the boundary lines :func:`~sppr_gis.maps.cartography.draw.draw_outline` draws (a name along a road keeps
#: off them where it can).
OUTLINE_GID = "outline"

#: gids of the line features drawn on a map (roads and networks, programs, IPU): labels keep off them.
LINE_GIDS = ("line-feature", "network")


class _Lines:
    """The line features drawn on the axes (artists whose gid is in :data:`LINE_GIDS` or starts with
    ``struktur:``; or whose gid is in ``gids``), as data-coordinate lines, for the test whether a label's box
    crosses one; with ``points`` the point symbols of those layers too (as discs of their size)."""

    def __init__(self, ax: Any, gids: Sequence[str] | None = None, points: bool = False) -> None:
        self.ax = ax
        segs: list[Any] = []
        dots: list[Any] = []
        for art in list(ax.collections) + list(ax.lines):
            gid = art.get_gid() or ""
            wanted = gid in gids if gids is not None else (gid in LINE_GIDS or gid.startswith("struktur:"))
            if not wanted or not art.get_visible():
                continue
            if hasattr(art, "get_segments"):
                segs.extend(np.asarray(sg, dtype=float) for sg in art.get_segments() if len(sg) >= 2)
            elif hasattr(art, "get_xydata"):
                xy = np.asarray(art.get_xydata(), dtype=float)
                if len(xy) >= 2:
                    segs.append(xy)
            elif points and hasattr(art, "get_sizes") and len(art.get_offsets()):  # point symbols of the same layers
                xy = np.asarray(art.get_offsets(), dtype=float).reshape(-1, 2)
                r = math.sqrt(float(max(art.get_sizes(), default=16.0))) / 2 * _m_per_pt(ax)  # marker size is an area in pt^2
                dots.extend(shapely.buffer(shapely.points(xy[np.isfinite(xy).all(axis=1)]), r, quad_segs=4))
        self.geoms = np.asarray([shapely.linestrings(sg) for sg in segs] + dots, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None

    def crosses(self, bb: Any, own: Any = None) -> bool:
        """Whether the display box ``bb`` crosses a drawn line feature (other than ``own``, the labelled line)."""
        if self.tree is None:
            return False
        (x0, y0), (x1, y1) = self.ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        hit = self.tree.query(shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), predicate="intersects")
        if own is not None and len(hit):
            near = own.buffer(max(abs(x1 - x0), abs(y1 - y0)) * 1e-3 + 1e-6)
            hit = [i for i in hit if not near.covers(self.geoms[i])]
        return bool(len(hit))

    def own(self, geom: Any) -> set[int]:
        """The drawn lines that are ``geom`` itself (within a metre of it): the labelled line, not another."""
        if self.tree is None or geom is None:
            return set()
        return set(self.tree.query(geom.buffer(1.0), predicate="covers").tolist())

    def count_geom(self, area: Any, own: set[int] = frozenset()) -> int:  # type: ignore[assignment]
        """How many drawn lines (other than those in ``own``: :meth:`own`) meet ``area`` (a polygon in data
        coordinates: a name's footprint)."""
        if self.tree is None:
            return 0
        return len(set(self.tree.query(area, predicate="intersects").tolist()) - own)


#: Rings (multiples of the callout's size) and angles (degrees) of a callout's candidate positions, nearest
#: first; diagonals first: the leader then stays short and clear. 8 angles on the first ring, 16 on the others.
_RINGS = (1.4, 2.4, 3.5, 4.7, 6.0)
_ANGLES = (45, 135, -45, -135, 90, -90, 0, 180, 22.5, 157.5, -22.5, -157.5, 67.5, 112.5, -67.5, -112.5)
#: Further rings tried only when no nearer candidate is legible (on a name or a callout, off the map, a leader
#: across a name) or every one hides another callout's feature: a dense city's callouts stand further out.
_FAR_RINGS = (7.5, 9.0, 11.0, 13.5, 16.5, 20.0, 24.0)
#: Rings tried, between and beyond :data:`_RINGS`, for a leader of at most :data:`MAX_LEADER_MM`.
_SHORT_RINGS = (1.9, 2.9, 4.1, 5.3, 6.3, 6.8, 7.3)


def _candidate_offsets(d: float, rings: Sequence[float]) -> np.ndarray:
    """The candidates' offsets (points) from the feature, (n, 2), ring by ring in the order of ``_ANGLES``
    (8 directions on the first ring, 16 on the others, 32 on the far rings)."""
    out = []
    for ring in rings:
        # the far rings also between the 16 directions: a leader finds the gap between two names
        angles = _ANGLES[: 8 if ring < 1.5 else 16] + (tuple(a + 11.25 for a in _ANGLES) if ring >= _FAR_RINGS[0] or ring in _SHORT_RINGS else ())
        for ang in angles:
            out.append((ring * d * math.cos(math.radians(ang)), ring * d * math.sin(math.radians(ang))))
    return np.asarray(out, dtype=float)


def _is_callout(t: Artist) -> bool:
    """Whether a text of the axes is a numbered callout (a number in a circle joined by a leader)."""
    return bool(getattr(t, "_sppr_callout", False))


def _overlaps(boxes: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """(n, m) matrix: box i overlaps placed box j (interiors meet, as :meth:`Bbox.overlaps`); rows x0, y0, x1, y1."""
    if not len(placed):
        return np.zeros((len(boxes), 0), dtype=bool)
    b, p = boxes[:, None, :], placed[None, :, :]
    return (b[..., 0] < p[..., 2]) & (p[..., 0] < b[..., 2]) & (b[..., 1] < p[..., 3]) & (p[..., 1] < b[..., 3])


def _seg_box(segs: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(n, m) matrix: segment i (rows x0, y0, x1, y1) meets the interior of box j (rows x0, y0, x1, y1).

    The slab test (Liang–Barsky, :func:`_slab`): the segment's parameter interval inside the box along x and along
    y overlap. On large matrices (a callout's ring against the hundreds of features near a crowded spot) only the
    pairs whose bounding boxes meet are tested: a segment meets no box its bounding box misses, and with correctly
    rounded arithmetic the test says so too (a box beyond a segment's end gives t >= 1 there), so the matrix is
    the same.
    """
    n, m = len(segs), len(boxes)
    if not n or not m:
        return np.zeros((n, m), dtype=bool)
    if n * m <= _DENSE_PAIRS:
        return _slab(segs[:, None, :], boxes[None, :, :])
    sb, bb = _bounds(segs), boxes
    cand = ((sb[:, None, 0] <= bb[None, :, 2]) & (bb[None, :, 0] <= sb[:, None, 2])
            & (sb[:, None, 1] <= bb[None, :, 3]) & (bb[None, :, 1] <= sb[:, None, 3]))
    i, j = np.nonzero(cand)
    out = np.zeros((n, m), dtype=bool)
    if len(i):
        out[i, j] = _slab(segs[i], boxes[j])
    return out


#: Up to this many (segment, box) pairs :func:`_seg_box` tests every pair; above, the pairs whose bounding boxes meet.
_DENSE_PAIRS = 2048


def _slab(s: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The slab test of :func:`_seg_box` on segments ``s`` and boxes ``b`` (rows x0, y0, x1, y1) that broadcast
    against each other: segment meets the box's interior."""
    shape = np.broadcast_shapes(s.shape[:-1], b.shape[:-1])
    lo, hi = np.zeros(shape), np.ones(shape)
    ok: Any = True
    with np.errstate(divide="ignore", invalid="ignore"):
        for a in (0, 1):
            p, dd = s[..., a], s[..., a + 2] - s[..., a]
            b0, b1 = b[..., a], b[..., a + 2]
            t0, t1 = (b0 - p) / dd, (b1 - p) / dd
            tmin, tmax = np.minimum(t0, t1), np.maximum(t0, t1)
            flat = np.abs(dd) < 1e-12
            if flat.any():
                ok = ok & np.where(flat, (b0 < p) & (p < b1), True)
                lo = np.where(flat, lo, np.maximum(lo, tmin))
                hi = np.where(flat, hi, np.minimum(hi, tmax))
            else:
                np.maximum(lo, tmin, out=lo)
                np.minimum(hi, tmax, out=hi)
    return ok & (lo < hi)


def _ring_runs(offs: np.ndarray) -> list[tuple[int, int]]:
    """The runs (start, end) of the candidate offsets ``offs`` (n, 2) at one distance from the feature: its rings,
    in order (the candidates are made ring by ring)."""
    r = np.round(np.hypot(offs[:, 0], offs[:, 1]), 6)
    cut = np.flatnonzero(r[1:] != r[:-1]) + 1
    edges = [0, *cut.tolist(), len(offs)]
    return list(zip(edges[:-1], edges[1:]))


def _bounds(rows: np.ndarray) -> np.ndarray:
    """The bounding boxes (m, 4: x0, y0, x1, y1) of the boxes or segments (ends in any order) ``rows``."""
    return np.column_stack([np.minimum(rows[:, 0], rows[:, 2]), np.minimum(rows[:, 1], rows[:, 3]),
                            np.maximum(rows[:, 0], rows[:, 2]), np.maximum(rows[:, 1], rows[:, 3])])


def _reach(bounds: np.ndarray, area: Sequence[float]) -> np.ndarray:
    """Which bounding boxes ``bounds`` (:func:`_bounds`) meet the closed box ``area`` (x0, y0, x1, y1); a removed
    (NaN) row meets nothing."""
    return (bounds[:, 0] <= area[2]) & (area[0] <= bounds[:, 2]) & (bounds[:, 1] <= area[3]) & (area[1] <= bounds[:, 3])


#: The least gap (points) between two callouts' circles: they never touch.
_CALLOUT_GAP = 1.0
#: The cost of a callout's leader under another circle, or of its circle on another leader (a feature under
#: another circle costs 1): a farther ring clear of both is taken first.
_ON_LEADER = 10.0
#: What a circle beyond the region (``within`` of :func:`place_callouts`) weighs: more than its circle or leader over a
#: few other symbols, less than a leader under a circle.
_OFF_LAND = 3.0


class _BoxGrid:
    """Boxes (display units) in a uniform grid of cells, for the overlap tests of many labels on one map.

    The boxes are rows of one numpy array (grown by doubling) and each cell lists the rows it holds, so that
    :meth:`near` gathers a query's rows in one numpy step instead of a Python list of tuples.
    """

    def __init__(self, cell: float) -> None:
        self.cell = max(float(cell), 1.0)
        self.cells: dict[tuple[int, int], list[int]] = {}
        self._rows = np.empty((64, 4), dtype=float)
        self._n = 0

    @property
    def boxes(self) -> np.ndarray:
        """Every box added, (n, 4), rows x0, y0, x1, y1; a removed box is a row of NaN."""
        return self._rows[: self._n]

    def add(self, box: Sequence[float]) -> int:
        """File ``box`` (x0, y0, x1, y1; a segment's ends in any order) in the cells it spans; its row number."""
        k = self._n
        if k == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[k] = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        self._n += 1
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(k)
        return k

    def remove(self, k: int) -> None:
        """Take box ``k`` out (it stays, empty: no test meets a NaN box)."""
        self._rows[k] = math.nan

    def _keys(self, box: Sequence[float]) -> list[tuple[int, int]]:
        c = self.cell
        i0, i1 = sorted((math.floor(box[0] / c), math.floor(box[2] / c)))
        j0, j1 = sorted((math.floor(box[1] / c), math.floor(box[3] / c)))
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def near(self, area: Sequence[float]) -> np.ndarray:
        """The boxes in the cells ``area`` (x0, y0, x1, y1) touches, (m, 4), each once, in the order added."""
        cells = self.cells
        hit = [cells[key] for key in self._keys(area) if key in cells]
        if not hit:
            return np.zeros((0, 4))
        idx = np.fromiter(itertools.chain.from_iterable(hit), dtype=np.intp)
        return self._rows[np.unique(idx) if len(hit) > 1 else idx]


#: The longest leader (mm at print size) a callout is given while a shorter legible place exists; the callouts a
#: dense area leaves without one go to an enlargement of it (:func:`~sppr_gis.maps.cartography.enlarge.numbered_callouts`).
MAX_LEADER_MM = 15.0
#: The radius (points) of a feature's symbol, which another callout's leader and circle keep clear of.
_SYMBOL_PT = 2.5
_PT_MM = 25.4 / 72.0
#: How many times the features left with a long leader (or none) are placed again, first.
_REPLANS = 3
#: Above this many callouts in one call, one pass on every ring (as before the short leaders): no replans, repairs
#: or swaps (their cost grows with the square of the count, and such a map is read through its table). Measured on a
#: 297 x 260 mm map of six clusters (6 pt): 300 callouts 2.5 CPU s; 590 callouts 64.7 s placing 535 of them, where one
#: pass places 580 of 610 in 1.1 s (the passes saturate long before 600).
_PLAN_LIMIT = 300


def _seg_cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, m) matrix: segment i of ``a`` crosses segment j of ``b`` (rows x0, y0, x1, y1) at a point inside both;
    segments that only touch (a shared end: two leaders from one feature) do not cross."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=bool)
    p, r = a[:, None, :2], a[:, None, 2:] - a[:, None, :2]
    q, s = b[None, :, :2], b[None, :, 2:] - b[None, :, :2]

    def cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]

    d1, d2 = cross(s, p - q), cross(s, p + r - q)
    d3, d4 = cross(r, q - p), cross(r, q + s - p)
    return (d1 * d2 < 0) & (d3 * d4 < 0)


class _CalloutPlan:
    """Where the callouts of one :func:`place_callouts` call go (display units), before anything is drawn.

    Each feature is tried in up to three passes, nearest candidate first: *strict* (a leader of at most
    ``max_leader`` that crosses no other leader and passes under no circle nor over another feature's symbol, a
    circle on no leader and no other symbol), then *short* (the same length, those costs only preferred), then
    *far* (every ring, as far as ``_FAR_RINGS``). Always hard: inside the map, off the names and reserved boxes,
    ``_CALLOUT_GAP`` from every circle, a leader across no name (but one over its own feature).
    """

    def __init__(self, ax: Any, xy: Sequence[tuple[float, float]], numbers: Sequence[str], fontsize: float, avoid: Sequence[Bbox],
                 symbols: Sequence[tuple[float, float]], max_leader: float | None, within: Any = None) -> None:
        fig, fontsize, renderer, ax_box, _ = _label_context(ax, fontsize, ())
        self.fig, self.fontsize, self.renderer = fig, fontsize, renderer
        self.px = px = fig.dpi / 72.0  # display units per point
        # names already on the map (not callouts), with their white halo (1.2 pt each side): never covered
        names = [t.get_window_extent(renderer).padded(1.2 * px) for t in ax.texts if t.get_visible() and t.get_text() and not _is_callout(t)]
        names += list(avoid) + _reserved(ax)
        d = fontsize * 1.25
        self.offsets = [_candidate_offsets(d, rings) * px for rings in (_RINGS, _FAR_RINGS)]
        # within the longest leader: the near rings, then rings in between and up to it, every 11.25 degrees
        # and last, the circle on its own feature (no leader: the number is the symbol)
        self.short = [self.offsets[0], _candidate_offsets(d, _SHORT_RINGS) * px, np.zeros((1, 2))] if max_leader is not None else []
        self.gap = _CALLOUT_GAP * px
        self.sym = _SYMBOL_PT * px
        cell = d * px * 8
        self.name_grid, self.call_grid, self.lead_grid, self.feat_grid = _BoxGrid(cell), _BoxGrid(cell), _BoxGrid(cell), _BoxGrid(cell)
        for b in names:
            self.name_grid.add(b.extents)
        self.prior_boxes = np.asarray([t._sppr_box for t in ax.texts if t.get_visible() and t.get_text() and _is_callout(t)], dtype=float).reshape(-1, 4)
        for b in self.prior_boxes:
            self.call_grid.add(b)
        self.prior_segs = np.asarray(getattr(ax, "_sppr_leaders", ()), dtype=float).reshape(-1, 4)
        for seg in self.prior_segs:
            self.lead_grid.add(seg)  # a segment (x0, y0, x1, y1): the grid files it by the box its ends span
        self.ax_ext = ax_box.extents
        #: the area the circles should lie in (display units, prepared), when given: the region's land
        self.within = None
        if within is not None and not within.is_empty:
            self.within = shapely.transform(within, lambda c: ax.transData.transform(c))
            shapely.prepare(self.within)
        self.max_pt = None if max_leader is None else max_leader / _PT_MM
        self.texts = [str(n) for n in numbers]
        self.ok = np.asarray([np.isfinite(x) and np.isfinite(y) for x, y in xy], dtype=bool)
        self.pts = ax.transData.transform(np.asarray([(x, y) if ok else (0.0, 0.0) for (x, y), ok in zip(xy, self.ok)], dtype=float).reshape(-1, 2))
        sym = np.asarray([p for p in symbols if np.isfinite(p[0]) and np.isfinite(p[1])], dtype=float).reshape(-1, 2)
        for p in list(self.pts[self.ok]) + list(ax.transData.transform(sym) if len(sym) else []):
            self.feat_grid.add((p[0], p[1], p[0], p[1]))  # every feature: a circle or leader should not hide another's
        self.sizes = [self._size(t, fig, renderer) for t in self.texts]
        #: k -> (offset from the feature in points, circle box in display units)
        self.placed: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.ids: dict[int, tuple[int, int]] = {}  # k -> its box in call_grid, its leader in lead_grid
        self.mode: dict[int, str] = {}

    def _size(self, text: str, fig: Any, renderer: Any) -> tuple[float, float, float]:
        # the pages of an album number their callouts from 1 again: a number's circle is measured once per font and dpi
        probe = getattr(self, "_probe", None)
        if probe is None:
            probe = self._probe = Text(0, 0, "", fontsize=self.fontsize, fontweight="bold", ha="center", va="center", figure=fig,
                                       bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor=_INK, linewidth=1.2))
        fonts = repr([matplotlib.rcParams[f"font.{f}"] for f in ("sans-serif", "serif", "monospace", "cursive", "fantasy")])
        key = (text, fig.dpi, type(renderer).__name__, probe._fontproperties, fonts)
        if key not in _CIRCLES:
            # a one-line number's circle depends on nothing but its text's width, height and descent (matplotlib's
            # layout of one line): numbers of one ink size share a circle, measured once (a 10,000-program album
            # numbers thousands of programs, each a number of its own)
            ink = _ink_key(text, probe, renderer, fig.dpi)
            wide = (ink, *key[1:]) if ink is not None else None
            if wide is not None and wide in _CIRCLES:
                _CIRCLES[key] = _CIRCLES[wide]
                return _CIRCLES[key]
            probe.set_text(text)
            probe.update_bbox_position_size(renderer)
            bb = probe.get_bbox_patch().get_window_extent(renderer)
            # the number's circle as drawn (not the leader), plus its edge (1.2 pt); and its radius in points
            if len(_CIRCLES) > 100000:
                _CIRCLES.clear()
            _CIRCLES[key] = (bb.width + 1.2 * self.px, bb.height + 1.2 * self.px, bb.width / 2 / self.px)
            if wide is not None:
                _CIRCLES[wide] = _CIRCLES[key]
        return _CIRCLES[key]

    def _others(self, rows: np.ndarray, p0: np.ndarray, pad: float) -> np.ndarray:
        """The feature boxes ``rows`` widened by ``pad``, but those of features at ``p0`` itself (the feature's own)."""
        if not len(rows):
            return rows
        own = (np.abs(rows[:, 0] - p0[0]) < 0.5) & (np.abs(rows[:, 1] - p0[1]) < 0.5)
        return rows[~own] + np.array([-pad, -pad, pad, pad])

    def place(self, k: int, mode: str) -> bool:
        """Place callout ``k`` in pass ``mode`` (``strict``, ``short``, ``far``, or ``strict-far``: the far rings, as
        strictly as the first pass); whether a place was found.

        The boxes near a group of rings are gathered once from the grids, then each ring is tested against those
        of them that reach it (:func:`_reach`); the first candidate of the least cost wins, so the rings after a
        clear one are not tested at all.
        """
        px, gap = self.px, self.gap
        ax0, ay0, ax1, ay1 = self.ax_ext
        w, h, radius = self.sizes[k]
        p0 = self.pts[k]
        best = None
        far = mode in ("far", "strict-far", "far-any")
        # what a legible place should still avoid: its leader under another circle or across another leader,
        # its circle on another leader (each costs _ON_LEADER), its circle or leader on another feature (1 each).
        # Not weighed on a map of thousands of numbers (one far pass, no map shows them all legibly): there each
        # test meets hundreds of leaders, and a 10,000-program album spent 260 of its 450 CPU s in them
        weigh = not (self.max_pt is None and len(self.texts) > _PLAN_LIMIT)
        strict = mode in ("strict", "strict-far")
        for offs in self.offsets if far else self.short:  # short, short-any, strict: within the longest leader
            if not far and self.max_pt is not None:
                offs = offs[np.hypot(offs[:, 0], offs[:, 1]) / px - radius <= self.max_pt]
                if not len(offs):
                    continue
            cx, cy = p0[0] + offs[:, 0], p0[1] + offs[:, 1]
            boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
            area = (min(boxes[:, 0].min(), p0[0]), min(boxes[:, 1].min(), p0[1]), max(boxes[:, 2].max(), p0[0]), max(boxes[:, 3].max(), p0[1]))
            inside = (boxes[:, 0] >= ax0) & (boxes[:, 2] <= ax1) & (boxes[:, 1] >= ay0) & (boxes[:, 3] <= ay1)
            names = self.name_grid.near(area)
            # a name over the feature itself is crossed by every leader: only the names clear of it count
            own = (names[:, 0] <= p0[0]) & (p0[0] <= names[:, 2]) & (names[:, 1] <= p0[1]) & (p0[1] <= names[:, 3])
            calls = self.call_grid.near(area)
            padded = calls + np.array([-gap, -gap, gap, gap])
            leads = self.lead_grid.near(area)
            feats = self.feat_grid.near(area)
            fo = self._others(feats, p0, self.sym)
            legs = np.column_stack([np.full(len(cx), p0[0]), np.full(len(cx), p0[1]), cx, cy])  # the leaders, feature to centre
            nb, pb, lb, fb = _bounds(names), _bounds(padded), _bounds(leads), _bounds(fo)
            group = None  # (cost, index) of the first cheapest candidate of this group of rings
            for s, e in _ring_runs(offs):
                b, lg = boxes[s:e], legs[s:e]
                reach = (min(b[:, 0].min(), p0[0]) - 1.0, min(b[:, 1].min(), p0[1]) - 1.0,  # these rings' boxes and leaders,
                         max(b[:, 2].max(), p0[0]) + 1.0, max(b[:, 3].max(), p0[1]) + 1.0)  # a display unit wider (rounding)
                rn, rp = _reach(nb, reach), _reach(pb, reach)
                nm, pc, cl, ld, ft = names[rn], padded[rp], calls[rp], leads[_reach(lb, reach)], fo[_reach(fb, reach)]
                hard = ~inside[s:e] | _overlaps(b, nm).any(axis=1) | _overlaps(b, pc).any(axis=1)
                live = ~hard  # the dearer tests only for the candidates the cheap ones leave (a hard one costs inf whatever they add)
                if live.any():
                    hard[live] = _seg_box(lg[live], nm[~own[rn]]).any(axis=1)
                if weigh:
                    crossing = _seg_cross(lg, ld).any(axis=1)
                    on_lead = _seg_box(lg, cl).any(axis=1).astype(float) + _seg_box(ld, b).any(axis=0) + crossing
                    soft = _ON_LEADER * on_lead
                else:
                    crossing = np.zeros(e - s, dtype=bool)
                    soft = np.zeros(e - s)
                if not mode.endswith("-any"):  # two crossing leaders only where a number has no other place
                    hard |= crossing
                live = ~hard
                if len(ft) and live.any():
                    soft[live] += _overlaps(b[live], ft).sum(axis=1) + _seg_box(lg[live], ft).any(axis=1)
                if self.within is not None and live.any():  # a circle beyond the region (at sea, in the neighbour's land) where the region has room
                    soft[live] += _OFF_LAND * ~self._inside(b[live])
                if strict:
                    hard |= soft > 0
                cost = np.where(hard, np.inf, soft)
                i = int(np.argmin(cost))  # the first of the cheapest: the nearest
                if np.isfinite(cost[i]) and (group is None or cost[i] < group[0]):
                    group = (float(cost[i]), s + i)
                if group is not None and group[0] == 0:  # no cost is below 0: the rings beyond cannot do better
                    break
            if group is not None and (best is None or group[0] < best[0]):
                best = (group[0], offs[group[1]] / px, boxes[group[1]])
            if best is not None and best[0] == 0:  # clear of everything: good enough (farther rings would be worse)
                break
        if best is None:
            return False
        self._put(k, best[1], best[2])
        self.mode[k] = mode
        return True

    def _inside(self, boxes: np.ndarray) -> np.ndarray:
        """Which circles (their boxes, display units) lie wholly within :attr:`within` (each as a 12-sided polygon
        round its box's inscribed circle)."""
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        radius = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / 2
        return shapely.contains(self.within, shapely.buffer(shapely.points(cx, cy), radius, quad_segs=3))

    def _put(self, k: int, off: np.ndarray, box: np.ndarray) -> None:
        p0 = self.pts[k]
        self.placed[k] = (off, box)
        c = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        self.ids[k] = (self.call_grid.add(box), self.lead_grid.add((float(p0[0]), float(p0[1]), float(c[0]), float(c[1]))))

    def _take(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        old = self.placed.pop(k)
        a, b = self.ids.pop(k)
        self.call_grid.remove(a)
        self.lead_grid.remove(b)
        return old

    def _faults(self) -> list[tuple[int, int]]:
        """Pairs of this call's callouts in conflict: their leaders cross, or one's leader runs under the other's circle."""
        ks = sorted(self.placed)
        if len(ks) < 2:
            return []
        boxes = np.asarray([self.placed[k][1] for k in ks], dtype=float)
        segs = np.column_stack([self.pts[ks], (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2])
        lines = shapely.linestrings(segs.reshape(-1, 2, 2))
        tree = shapely.STRtree(lines)
        out = []
        a, b = tree.query(lines, predicate="intersects")
        for i, j in zip(a, b):
            if i < j and _seg_cross(segs[[i]], segs[[j]])[0, 0]:
                out.append((ks[i], ks[j]))
        a, b = shapely.STRtree(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3])).query(lines, predicate="intersects")
        for i, j in zip(a, b):
            if i != j and _seg_box(segs[[i]], boxes[[j]])[0, 0]:
                out.append((ks[i], ks[j]))
        return out

    def repair(self, rounds: int = 2) -> None:
        """Move one callout of each pair in conflict (:meth:`_faults`) to a strict place where there is one."""
        for _ in range(rounds):
            moved = False
            # each callout tried once a round: a dense cluster has thousands of pairs in conflict among a few hundred
            # callouts (400 on one spot: 5,022 pairs among 203), and every pair tried costs up to six placements
            tried: set[int] = set()
            for i, j in self._faults():
                if i not in self.placed or j not in self.placed or i in tried or j in tried:
                    continue
                tried.update((i, j))
                done = False
                for k in (j, i):
                    old, mode = self._take(k), self.mode.get(k)
                    if self.place(k, "strict"):
                        moved = done = True
                        break
                    self._put(k, *old)
                    self.mode[k] = mode
                if done:
                    continue
                # both again, in either order, each strictly
                for a, b in ((i, j), (j, i)):
                    olds = {k: (self._take(k), self.mode.get(k)) for k in (a, b)}
                    if self.place(a, "strict") and self.place(b, "strict"):
                        moved = done = True
                        break
                    for k in (a, b):
                        if k in self.placed:
                            self._take(k)
                        self._put(k, *olds[k][0])
                        self.mode[k] = olds[k][1]
                if done:
                    continue
                # a longer leader that crosses nothing rather than a crossing
                for k in (j, i):
                    old, mode = self._take(k), self.mode.get(k)
                    if self.place(k, "strict-far"):
                        moved = done = True
                        break
                    self._put(k, *old)
                    self.mode[k] = mode
            if not moved:
                break

    def run(self, modes: Sequence[str], first: Sequence[int] = ()) -> list[int]:
        """Place every feature (``first`` first, then the others in their order), pass by pass; the features left
        without a place. ``self.late`` lists the features placed in the last pass (a long leader)."""
        head = [k for k in first if self.ok[k]]
        seen = set(head)
        left = head + [k for k in range(len(self.texts)) if self.ok[k] and k not in seen]
        self.late: list[int] = []
        for n, mode in enumerate(modes):
            todo = left
            left = [k for k in todo if not self.place(k, mode)]
            if n == len(modes) - 1 and len(modes) > 1:
                self.late = [k for k in todo if k not in set(left)]
        return left

    def long(self) -> int:
        """How many of the callouts placed have a leader longer than ``max_leader`` (none without it)."""
        if self.max_pt is None:
            return 0
        return int(sum(float(np.hypot(*off)) - self.sizes[k][2] > self.max_pt + 1e-6 for k, (off, _) in self.placed.items()))

    def weight(self, crossed: int) -> float:
        """The faults of the placed leaders, weighed as :func:`_untangle` weighs them: ``crossed`` crossing pairs
        (:data:`_CROSSING` each) and each leader under another circle of this call's (1)."""
        ks = sorted(self.placed)
        if len(ks) < 2:
            return _CROSSING * crossed
        boxes = np.asarray([self.placed[k][1] for k in ks], dtype=float)
        segs = np.column_stack([self.pts[ks], (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2])
        under = _seg_box(segs, boxes)
        np.fill_diagonal(under, False)
        return _CROSSING * crossed + float(under.sum())

    def uncross(self, rounds: int = 6) -> int:
        """Swap the circles of two crossing leaders where both stay legible (2-opt: the two new leaders never
        cross each other and are shorter in sum); returns the crossings left among this call's leaders."""
        ks = sorted(self.placed)
        if len(ks) < 2:
            return 0
        px, gap = self.px, self.gap
        ax0, ay0, ax1, ay1 = self.ax_ext
        pts = self.pts[ks]
        boxes = np.asarray([self.placed[k][1] for k in ks], dtype=float)

        def centres(b: np.ndarray) -> np.ndarray:
            return np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])

        def crossings() -> np.ndarray:
            segs = np.column_stack([pts, centres(boxes)])
            lines = shapely.linestrings(segs.reshape(-1, 2, 2))
            pairs = shapely.STRtree(lines).query(lines, predicate="crosses")
            pairs = pairs[:, pairs[0] < pairs[1]]
            keep = _seg_cross(segs[pairs[0]], segs[pairs[1]])[np.arange(pairs.shape[1]), np.arange(pairs.shape[1])] if pairs.shape[1] else np.zeros(0, dtype=bool)
            return pairs[:, keep]

        feats = np.asarray(self.feat_grid.boxes, dtype=float).reshape(-1, 4)
        for _ in range(rounds):
            pairs = crossings()
            if not pairs.shape[1]:
                return 0
            touched: set[int] = set()
            swapped = 0
            segs = np.column_stack([pts, centres(boxes)])
            for i, j in pairs.T:
                if i in touched or j in touched:
                    continue
                ci, cj = centres(boxes[[i]])[0], centres(boxes[[j]])[0]
                wi, hi, ri = self.sizes[ks[i]]
                wj, hj, rj = self.sizes[ks[j]]
                new = np.asarray([[cj[0] - wi / 2, cj[1] - hi / 2, cj[0] + wi / 2, cj[1] + hi / 2],
                                  [ci[0] - wj / 2, ci[1] - hj / 2, ci[0] + wj / 2, ci[1] + hj / 2]])
                legs = np.asarray([[*pts[i], *cj], [*pts[j], *ci]])
                if not ((new[:, 0] >= ax0) & (new[:, 2] <= ax1) & (new[:, 1] >= ay0) & (new[:, 3] <= ay1)).all():
                    continue
                if self.max_pt is not None:
                    old_len = np.hypot(*(segs[[i, j], 2:] - segs[[i, j], :2]).T) / px - np.array([ri, rj])
                    new_len = np.hypot(*(legs[:, 2:] - legs[:, :2]).T) / px - np.array([ri, rj])
                    if (new_len > np.maximum(self.max_pt, old_len) + 1e-6).any():
                        continue
                area = (min(new[:, 0].min(), legs[:, [0, 2]].min()), min(new[:, 1].min(), legs[:, [1, 3]].min()),
                        max(new[:, 2].max(), legs[:, [0, 2]].max()), max(new[:, 3].max(), legs[:, [1, 3]].max()))
                names = self.name_grid.near(area)
                if len(names):
                    if _overlaps(new, names).any():
                        continue
                    bad = False
                    for leg in legs:
                        own = (names[:, 0] <= leg[0]) & (leg[0] <= names[:, 2]) & (names[:, 1] <= leg[1]) & (leg[1] <= names[:, 3])
                        if _seg_box(leg[None, :], names[~own]).any():
                            bad = True
                    if bad:
                        continue
                rest = np.ones(len(ks), dtype=bool)
                rest[[i, j]] = False
                other_boxes = np.concatenate([boxes[rest], self.prior_boxes])
                other_segs = np.concatenate([segs[rest], self.prior_segs])
                if len(other_boxes) and _overlaps(new, other_boxes + np.array([-gap, -gap, gap, gap])).any():
                    continue

                def badness(b: np.ndarray, lg: np.ndarray, other_segs: np.ndarray = other_segs, other_boxes: np.ndarray = other_boxes) -> float:
                    n = _seg_cross(lg, other_segs).sum() + _seg_box(lg, other_boxes).sum() + _seg_box(other_segs, b).sum()
                    if len(feats):
                        for row in range(2):
                            fo = self._others(feats, lg[row, :2], self.sym)
                            n += 0.1 * (_overlaps(b[[row]], fo).sum() + _seg_box(lg[[row]], fo).sum())
                    return float(n)

                if badness(new, legs) >= badness(boxes[[i, j]], segs[[i, j]]) + 1.0:  # + their own crossing, gone
                    continue
                boxes[i], boxes[j] = new[0], new[1]
                segs[i], segs[j] = legs[0], legs[1]
                touched.update((int(i), int(j)))
                swapped += 1
            if not swapped:
                break
        for n, k in enumerate(ks):
            p = self.pts[k]
            c = centres(boxes[[n]])[0]
            self.placed[k] = ((c - p) / px, boxes[n])
        return int(crossings().shape[1])


#: What a crossing of two leaders weighs against a leader under a circle (or a circle on a leader) when
#: :func:`_untangle` moves a callout: it takes one such fault for a crossing, never two.
_CROSSING = 1.5


def _untangle_pairs(plan: _CalloutPlan) -> list[tuple[int, int | None]]:
    """The pairs of ``plan``'s callouts whose leaders (feature to circle centre) cross, and ``(k, None)`` for a leader
    that crosses one placed before this call's."""
    ks = sorted(plan.placed)
    if not ks:
        return []
    boxes = np.asarray([plan.placed[k][1] for k in ks], dtype=float)
    segs = np.column_stack([plan.pts[ks], (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2])
    mine = np.triu(_seg_cross(segs, segs), 1)
    out: list[tuple[int, int | None]] = [(ks[i], ks[j]) for i, j in zip(*np.nonzero(mine))]
    out += [(ks[i], None) for i in np.flatnonzero(_seg_cross(segs, plan.prior_segs).any(axis=1))]
    return out


def _untangle(plan: _CalloutPlan, rounds: int = 3) -> int:
    """The last pass of :func:`place_callouts`: where two leaders still cross (after :meth:`_CalloutPlan.repair` and
    :meth:`_CalloutPlan.uncross`; or one of this call's crosses a leader placed before it), one of the two callouts
    moves to the nearest place whose leader crosses none: clear of every circle and symbol within the longest leader
    (the ``strict`` pass) or on any ring (``strict-far``), else with those faults least (``short``, ``far``); never
    with a leader longer than the longer of the two or ``max_leader``, and only where the callout's faults weigh less
    than before (a leader crossed :data:`_CROSSING`, a circle its leader runs under or a leader under its circle 1); the one whose new
    leader is the shorter. A crossing stays only where neither has such a place. Returns the crossings left.
    """
    for k in list(plan.placed):  # the grids where the swaps left the circles
        plan._put(k, *plan._take(k))

    def faults(k: int) -> float:
        """Callout ``k``'s faults as placed: its leader across another leader (:data:`_CROSSING` each) or under another
        circle, its circle on another leader (1 each)."""
        off, box = plan.placed[k]
        a, b = plan.ids[k]
        p0 = plan.pts[k]
        leg = np.asarray([[p0[0], p0[1], (box[0] + box[2]) / 2, (box[1] + box[3]) / 2]])
        boxes = np.asarray(plan.call_grid.boxes, dtype=float).reshape(-1, 4)
        segs = np.asarray(plan.lead_grid.boxes, dtype=float).reshape(-1, 4)
        boxes, segs = np.delete(boxes, a, axis=0), np.delete(segs, b, axis=0)
        boxes, segs = boxes[np.isfinite(boxes).all(axis=1)], segs[np.isfinite(segs).all(axis=1)]
        return float(_CROSSING * _seg_cross(leg, segs).sum() + _seg_box(leg, boxes).sum() + _seg_box(segs, np.asarray([box])).sum())

    def crossings() -> list[tuple[int, int | None]]:
        return _untangle_pairs(plan)

    for _ in range(rounds):
        pairs = crossings()
        if not pairs:
            return 0
        moved = False
        done: set[int] = set()
        for i, j in pairs:
            if i in done or (j is not None and j in done):
                continue
            ks = [k for k in (i, j) if k is not None]
            # no leader longer than the longest leader, of the two or allowed
            bound = max([plan.max_pt or 0.0, *(float(np.hypot(*plan.placed[k][0])) - plan.sizes[k][2] for k in ks)])
            best = None
            for mode_new in ("strict", "strict-far", "short", "far"):  # clear of every circle and symbol first
                for k in ks:
                    before = faults(k)
                    old, mode = plan._take(k), plan.mode.get(k)
                    if plan.place(k, mode_new):
                        after = faults(k)  # fewer faults than before: a crossing is not traded for a leader under a circle
                        off, box = plan._take(k)
                        length = float(np.hypot(*off))
                        if after < before and length - plan.sizes[k][2] <= bound + 1e-6 and (best is None or length < best[0]):
                            best = (length, k, off, box, mode_new)
                    plan._put(k, *old)
                    plan.mode[k] = mode
                if best is not None:
                    break
            if best is None:
                continue
            _, k, off, box, mode_new = best
            plan._take(k)
            plan._put(k, off, box)
            plan.mode[k] = mode_new
            done.update(x for x in (i, j) if x is not None)
            moved = True
        if not moved:
            break
    return len(crossings())


def crowded_callouts(ax: Any, xy: Sequence[tuple[float, float]], numbers: Sequence[str], *, fontsize: float = 7.0,
                     symbols: Sequence[tuple[float, float]] = (), max_leader: float = MAX_LEADER_MM, modes: Sequence[str] = ("strict",)) -> list[int]:
    """The callouts :func:`place_callouts` could not place cleanly on ``ax`` as it is: the indices of ``xy`` left
    without a leader of at most ``max_leader`` mm that crosses nothing (the dense area an enlargement shows); with
    ``modes=("strict", "short-any")``, those left without any leader of at most ``max_leader`` mm."""
    plan = _CalloutPlan(ax, xy, numbers, fontsize, (), symbols, max_leader)
    return plan.run(modes)


def _plan_callouts(ax: Any, xy: Sequence[tuple[float, float]], numbers: Sequence[str], fontsize: float, avoid: Sequence[Bbox],
                   symbols: Sequence[tuple[float, float]], max_leader: float | None, within: Any = None) -> tuple[_CalloutPlan, list[int], int]:
    """Every pass of :func:`place_callouts` on ``ax`` as it is, nothing drawn: the plan, the features left without a
    place and the crossings left among the leaders (:func:`_untangle`; 0 without ``max_leader``, not untangled)."""
    if len(xy) > _PLAN_LIMIT:  # thousands of numbers on one map: one pass, as fast as before (no map shows them all legibly)
        max_leader = None
    modes = ("strict", "short-any", "far-any") if max_leader is not None else ("far-any",)
    plan = _CalloutPlan(ax, xy, numbers, fontsize, avoid, symbols, max_leader, within)
    left = plan.run(modes)
    for _ in range(_REPLANS if max_leader is not None else 0):  # the features left with a long leader or none are placed first, while the room is free
        if not (left or plan.late) or len(left) > 0.25 * int(plan.ok.sum()):
            break  # (a saturated map, a quarter of its numbers without a place: placing them first frees no room)
        again = _CalloutPlan(ax, xy, numbers, fontsize, avoid, symbols, max_leader, within)
        left2 = again.run(modes, first=[*left, *plan.late])
        if (len(left2), len(again.late)) < (len(left), len(plan.late)):
            plan, left = again, left2
        else:
            break
    if max_leader is None:
        return plan, left, 0
    plan.repair()
    plan.uncross()
    crossed = _untangle(plan)
    # leaders still crossing: the features of those leaders placed first, while the room about them is free, the plan
    # kept where no number loses its place or short leader and the faults weigh less (crossings neither callout could
    # leave alone: the two-centres test map's enlargement A at 1 : 40.000, 3 crossing pairs and a long leader -> none)
    for _ in range(_REPLANS):
        if not crossed:
            break
        first = list(dict.fromkeys(k for pair in _untangle_pairs(plan) for k in pair if k is not None))
        again = _CalloutPlan(ax, xy, numbers, fontsize, avoid, symbols, max_leader, within)
        left2 = again.run(modes, first=first)
        again.repair()
        again.uncross()
        crossed2 = _untangle(again)
        if (len(left2), again.long(), again.weight(crossed2)) < (len(left), plan.long(), plan.weight(crossed)):
            plan, left, crossed = again, left2, crossed2
        else:
            break
    return plan, left, crossed


def callout_faults(ax: Any, xy: Sequence[tuple[float, float]], numbers: Sequence[str], *, fontsize: float = 7.0,
                   max_leader: float = MAX_LEADER_MM) -> tuple[int, int, int]:
    """What :func:`place_callouts` would leave wrong on ``ax`` as it is, nothing drawn: the features without a place,
    those with a leader longer than ``max_leader`` mm at print size, and the pairs of leaders that still cross (an
    enlargement's window is chosen by them: :func:`~sppr_gis.maps.cartography.enlarge.numbered_callouts`)."""
    plan, left, crossed = _plan_callouts(ax, xy, numbers, fontsize, (), (), max_leader)
    return len(left), plan.long(), int(crossed)


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
    dropped: list[str] | None = None,
    symbols: Sequence[tuple[float, float]] = (),
    max_leader: float | None = MAX_LEADER_MM,
    within: Any = None,
) -> list[Artist]:
    """Numbered markers beside features, joined to them by a short leader, keyed to the page's table.

    Each number is placed at the nearest candidate position (rings around the feature) in up to three
    passes (:class:`_CalloutPlan`): first where its leader is at most ``max_leader`` mm at print size, crosses no
    other leader and passes under no circle nor over another feature's symbol (``symbols``: features drawn but
    numbered elsewhere, data coordinates), and its circle covers no leader nor symbol; then at the same length
    preferring the fewest such faults; then on the far rings. Always: inside the map, a gap of
    ``_CALLOUT_GAP`` from every other callout's circle, over no name (the texts already in the axes,
    ``avoid``, the reserved boxes) and a leader across no name (but one over its own feature). Two crossing
    leaders then swap their circles where both stay legible (:meth:`_CalloutPlan.uncross`), or one moves
    (:func:`_untangle`); where leaders still cross, their features are placed first in a new plan, kept where no
    number loses its place or short leader and the faults weigh less (:meth:`_CalloutPlan.weight`). A number with no
    place is not printed (never an overlapping number): its text is appended to ``dropped`` and counted in
    ``ax._sppr_unnumbered`` (the page says so in its note; the table keys it).

    ``within`` (a shapely geometry in data units: the region) keeps the circles on the region's land where it has
    room: a circle beyond it is a fault (:data:`_OFF_LAND`: as three symbols covered), so the first pass takes
    none and the later ones only where the land's places cost more (a leader crossed).

    ``max_leader=None`` skips the first two passes. The size of each number (with its circle) is measured once per
    string; candidate boxes are computed in display units and tested against grids of the boxes taken, and a
    matplotlib ``Annotation`` is made only for the position chosen.
    """
    plan, left, _ = _plan_callouts(ax, xy, numbers, fontsize, avoid, symbols, max_leader, within)
    ax0, ay0, ax1, ay1 = plan.ax_ext
    out: list[Artist] = []
    leaders: list[tuple[tuple[float, float], tuple[float, float]]] = []  # points, from the feature
    leader_at: list[tuple[float, float]] = []  # data
    leader_colors: list[Any] = []
    if dropped is not None:
        dropped.extend(plan.texts[k] for k in left)  # no legible place: keyed in the table only, and the page says so
    for k in sorted(plan.placed):
        x, y = xy[k]
        off, box = plan.placed[k]
        text = plan.texts[k]
        _, _, radius = plan.sizes[k]
        col = colors[k] if colors is not None else _INK
        pk = plan.pts[k]
        # a feature well inside the map is drawn: not asked again at every draw and measure whether the map holds it
        # (the point's test against the axes' patch); one on or beyond its edge is still clipped as before
        deep = ax0 + 1.0 < pk[0] < ax1 - 1.0 and ay0 + 1.0 < pk[1] < ay1 - 1.0
        t = ax.annotate(
            text, (x, y), xytext=(float(off[0]), float(off[1])), textcoords="offset points", ha="center", va="center",
            fontsize=plan.fontsize, fontweight="bold", color=_INK, zorder=zorder, annotation_clip=not deep, gid=gid,
            bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor=col, linewidth=1.2),
        )
        if ax0 <= pk[0] <= ax1 and ay0 <= pk[1] <= ay1:  # drawn (annotation_clip): so is its leader
            ox, oy = float(off[0]), float(off[1])
            dist = max(math.hypot(ox, oy), 1e-9)
            if dist > radius + _LEADER_GAP:  # from 1 pt off the feature to the circle's edge
                leaders.append(((ox * _LEADER_GAP / dist, oy * _LEADER_GAP / dist), (ox * (1.0 - radius / dist), oy * (1.0 - radius / dist))))
                leader_at.append((x, y))
                leader_colors.append(col)
        t.update_positions(plan.renderer)  # so that its window extent is read where it is drawn
        _memo_path(t.get_bbox_patch())
        t._sppr_callout = True  # type: ignore[attr-defined]
        t._sppr_box = box  # type: ignore[attr-defined]
        out.append(t)
        c = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if not hasattr(ax, "_sppr_leaders"):
            ax._sppr_leaders = []
        ax._sppr_leaders.append((float(pk[0]), float(pk[1]), float(c[0]), float(c[1])))
    ax._sppr_unnumbered = getattr(ax, "_sppr_unnumbered", 0) + len(left)
    if leaders:
        _add_leaders(ax, leaders, leader_at, leader_colors, zorder=zorder, gid=gid)
    return out


#: A callout's circle (width, height in display units; radius in points) by number, dpi, renderer, font and the
#: rc font lists: measured once for the pages of an album (a circle's path extents are slow to compute).
_CIRCLES: dict[tuple[Any, ...], tuple[float, float, float]] = {}

def _ink_key(text: str, probe: Text, renderer: Any, dpi: float) -> tuple[Any, ...] | None:
    """``("ink", width, height, descent)`` of a one-line, plain ``text`` in the font of ``probe`` (what matplotlib lays
    its box out from), or None where the layout depends on more (several lines, mathtext, TeX, an older matplotlib)."""
    if not text or "\n" in text or "$" in text or probe.get_usetex():
        return None
    try:
        from matplotlib.text import _get_text_metrics_with_cache
    except ImportError:  # pragma: no cover - a matplotlib without it: every number measured
        return None
    w, h, d = _get_text_metrics_with_cache(renderer, text, probe._fontproperties, False, dpi)
    return ("ink", float(w), float(h), float(d))


#: The gap (points) between a leader and its feature (as ``shrinkB`` of the arrow it replaces, whose end B is the feature).
_LEADER_GAP = 1.0


def _add_leaders(ax: Any, segments: Sequence[Any], at: Sequence[tuple[float, float]], colors: Sequence[Any], *, zorder: float, gid: str) -> LineCollection:
    """The callouts' leaders as one ``LineCollection``: each segment in points from its feature (an offset in data
    units), so it follows the axes' limits and the figure's dpi as an annotation's arrow does; drawn under the circles.

    A leader runs straight from ``_LEADER_GAP`` off the feature toward the circle's centre and stops at its edge,
    as matplotlib's arrow (``arrowstyle="-"``, ``shrinkA=0`` at the circle, ``shrinkB=1`` at the feature) clipped at
    the circle ran;
    one collection instead of an arrow per callout, whose clipping by bisection was most of a crowded page's
    drawing time.
    """
    from matplotlib.transforms import Affine2D

    lc = LineCollection(
        [np.asarray(s, dtype=float) for s in segments], colors=list(colors), linewidths=0.8, capstyle="butt", zorder=zorder - 0.01,
        transform=Affine2D().scale(1 / 72.0) + ax.figure.dpi_scale_trans, offsets=np.asarray(at, dtype=float),
        offset_transform=ax.transData, gid=f"{gid}-leaders",
    )
    lc.set_clip_on(False)  # as the annotations' arrows: a circle pushed out of the map keeps its leader
    lc.set_in_layout(False)  # the circles and the map bound it
    ax.add_collection(lc, autolim=False)
    return lc


def _memo_path(patch: Any) -> None:
    """Let a callout's circle (a ``FancyBboxPatch``) build its path once per position and size.

    Drawing the leader clips it at the circle by bisection, which asks the circle whether it contains a point
    a dozen times, each time building the circle's path anew; with thousands of callouts on a page that was
    most of the page's drawing time. The path is a pure function of the box, the mutation scale and aspect and
    the box style, so it is kept for the last such key: the same path, hence the same drawing, only once.
    """
    if patch is None:
        return
    build = patch.get_path
    memo: dict[tuple, Any] = {}

    def get_path() -> Any:
        key = (tuple(patch.get_bbox().bounds), patch.get_mutation_scale(), patch.get_mutation_aspect(), patch.get_boxstyle())
        path = memo.get(key)
        if path is None:
            memo.clear()
            path = memo[key] = build()
        return path

    patch.get_path = get_path


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
    symbols: Any = None,
    avoid_lines: bool = False,
) -> list[Artist]:
    """Place labels at points without overlaps: try the point, then above, below, right, left; else drop.

    Labels are tried in the given order (put the important ones first) and must
    stay inside the axes and clear of ``avoid`` (display-space boxes) and of the
    texts already in the axes. Each has a white halo. ``offsets`` (points)
    replaces the default candidate positions. ``symbols`` ((n, 2) data
    coordinates of point symbols on the map) are avoided where a candidate
    allows: the first candidate clear of them (by half the label's height) is
    taken, else the first that fits otherwise (a label is never dropped for a symbol).
    Likewise the line features drawn on the axes (roads, programs, IPU: :data:`LINE_GIDS`): a candidate
    whose box crosses none is preferred; with ``avoid_lines`` required (a label crossing every candidate's
    lines is dropped: for minor names such as kelurahan).

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
    sym = np.zeros((0, 2))
    if symbols is not None and len(symbols):
        sym = np.asarray(symbols, dtype=float).reshape(-1, 2)
        sym = ax.transData.transform(sym[np.isfinite(sym).all(axis=1)])
        # a little farther from the anchor too, to find a place clear of the symbols
        offsets = list(offsets) + [(0, 2 * d), (0, -2 * d), (d * 3.5, 0), (-d * 3.5, 0), (d * 3, d * 2), (-d * 3, -d * 2), (d * 3, -d * 2), (-d * 3, d * 2), (0, 3 * d), (0, -3 * d)]
    lines = _Lines(ax)
    if lines.tree is not None and not len(sym):  # farther candidates too, to find a place clear of the lines
        offsets = list(offsets) + [(0, 2 * d), (0, -2 * d), (d * 3.5, 0), (-d * 3.5, 0), (d * 3, d * 2), (-d * 3, -d * 2), (d * 3, -d * 2), (-d * 3, d * 2)]
    for (x, y), text in zip(xy, texts):
        if not text or not np.isfinite(x) or not np.isfinite(y) or not len(offsets):
            continue
        ok = fallback = None

        def make(dx: float, dy: float, text: str = text, x: float = x, y: float = y) -> Any:
            return ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va=va,
                fontsize=fontsize, color=color, fontweight=weight, fontstyle=style, zorder=zorder, path_effects=_HALO,
                annotation_clip=True,
            )

        # the label is measured once; a candidate's box is that box moved by its offset (an annotation whose point
        # lies outside the axes has no box: no candidate fits); only the chosen candidate becomes an artist
        probe = make(*offsets[0])
        base = probe.get_window_extent(renderer)
        inside_axes = probe._check_xy(renderer)
        probe.remove()
        if not inside_axes:
            continue
        for dx, dy in offsets:
            shift = ((dx - offsets[0][0]) * fig.dpi / 72.0, (dy - offsets[0][1]) * fig.dpi / 72.0)
            bb = base.translated(*shift).expanded(1.06, 1.15)
            if _fits(bb, ax_box, placed):
                m = bb.height / 2
                clear = not len(sym) or not ((sym[:, 0] > bb.x0 - m) & (sym[:, 0] < bb.x1 + m) & (sym[:, 1] > bb.y0 - m) & (sym[:, 1] < bb.y1 + m)).any()
                if clear and not lines.crosses(bb):
                    ok = ((dx, dy), bb)
                    break
                if fallback is None and not (avoid_lines and lines.crosses(bb)):  # fits, but covers a symbol: kept in case no candidate is clear
                    fallback = ((dx, dy), bb)
                    continue
        if ok is None:
            ok = fallback
        if ok is not None:
            ok = (make(*ok[0]), ok[1])
        _keep(ok, out, placed)
    return out


def reserve(ax: Any, box: tuple[float, float, float, float]) -> None:
    """Keep ``box`` (figure fraction ``x0, y0, x1, y1``: the inset, a key) free of the labels and callouts placed
    on ``ax`` after this call."""
    if not hasattr(ax, "_sppr_reserved"):
        ax._sppr_reserved = []
    ax._sppr_reserved.append(tuple(box))


def _reserved(ax: Any) -> list[Bbox]:
    """The boxes kept by :func:`reserve`, in display units."""
    return [Bbox(ax.figure.transFigure.transform([(b[0], b[1]), (b[2], b[3])])) for b in getattr(ax, "_sppr_reserved", ())]


def _label_context(ax: Any, fontsize: float, avoid: Sequence[Bbox], pad: tuple[float, float] | None = None) -> tuple[Any, float, Any, Bbox, list[Bbox]]:
    """What every label placer starts from: the figure, the font size in points, the renderer, the axes' box,
    and the boxes already taken (``avoid``, the reserved boxes and the visible texts, each widened by ``pad``)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    if pad is not None:
        taken = [b.expanded(*pad) for b in taken]
    return fig, _pt(fontsize), renderer, ax.get_window_extent(renderer), list(avoid) + _reserved(ax) + taken


def _fits(bb: Any, ax_box: Any, placed: list) -> bool:
    """Whether a label's box lies wholly in the axes and overlaps no label placed so far."""
    inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
    return inside and not any(bb.overlaps(q) for q in placed)


def _keep(ok: tuple | None, out: list, placed: list) -> None:
    """Record an accepted (text, box) label candidate."""
    if ok:
        out.append(ok[0])
        placed.append(ok[1])
