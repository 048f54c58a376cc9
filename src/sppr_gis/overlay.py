"""One door for shapely's set operations on user geometry.

Every overlay (intersection, difference, union, union of many), buffer, rectangle
clip and make_valid that sppr_gis runs on geometry it was given goes through
this module. Each first runs as shapely runs it (vectorized, floating point:
GEOS OverlayNG, which has its own snapping fallbacks). Where GEOS still raises,
the failed elements are redone one by one:

* overlays: again in floating point, then with snap-rounding on the grids of
  :data:`SNAP_GRIDS` (1 mm, then 1 cm), which moves each vertex by at most
  ``grid / sqrt(2)``;
* buffer and rectangle clip: on the operand repaired with make_valid, then
  snapped to those grids;
* make_valid: with the "structure" method, then on the operand snapped to those
  grids (:func:`shapely.set_precision` returns valid geometry).

What still fails raises :class:`~sppr_gis.errors.GeometryError` (a SpprError)
naming the layer and the feature (``what`` and ``ids``), so a user never sees a
GEOSException. It imports only shapely, numpy and :mod:`sppr_gis.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException

from sppr_gis.errors import GeometryError
from sppr_gis.i18n import _

__all__ = [
    "SNAP_GRIDS",
    "robust_overlay",
    "robust_union_rows",
    "union_all",
    "intersection",
    "difference",
    "buffer",
    "clip_by_rect",
    "make_valid",
    "make_valid_by_parts",
]

#: Snap-rounding grids (metres) tried, in order, for an operation that GEOS cannot
#: compute in floating point. A grid g moves each vertex by at most g/sqrt(2).
SNAP_GRIDS: tuple[float, ...] = (1e-3, 1e-2)


def _failure(op: str, what: str | None, ids: Sequence[object] | None, i: int | None, err: BaseException) -> GeometryError:
    """The one-line error for an operation nothing could compute."""
    where = what or _("geometry")
    if i is not None and ids is not None and 0 <= i < len(ids):
        where = _("{where}: feature {id}").format(where=where, id=ids[i])
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return GeometryError(_("{where}: GEOS could not compute the {op} even with a {grid} m snap grid ({detail})").format(where=where, op=op, grid=SNAP_GRIDS[-1], detail=detail))


def robust_overlay(
    func: Callable[..., Any],
    a: np.ndarray,
    b: np.ndarray | None = None,
    *,
    what: str | None = None,
    ids: Sequence[object] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a vectorized shapely overlay, redoing failed elements with snap-rounding.

    Parameters
    ----------
    func : callable
        A shapely overlay taking ``grid_size`` (``shapely.intersection``,
        ``shapely.union``, ``shapely.difference``; or a one-argument one such as
        a row-wise ``shapely.union_all`` when ``b`` is None).
    a, b : arrays of geometries
        The operands (same length); ``b`` None for one-operand functions.
    what : str, optional
        The layer (or step) the operands come from, for the error message.
    ids : sequence, optional
        Feature ids of the elements (aligned with ``a``), for the error message.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The results, and a boolean mask of the elements computed on a snap grid.

    Raises
    ------
    GeometryError
        When even the coarsest grid of :data:`SNAP_GRIDS` fails; names ``what``
        and the feature.
    """
    args = (a,) if b is None else (a, b)
    n = len(a)
    snapped = np.zeros(n, dtype=bool)
    try:
        return np.asarray(func(*args)), snapped
    except GEOSException:
        pass
    out = np.empty(n, dtype=object)
    for i in range(n):
        one = tuple(x[i : i + 1] for x in args)
        try:
            out[i] = np.asarray(func(*one))[0]
            continue
        except GEOSException as err:
            last = err
        for grid in SNAP_GRIDS:
            try:
                out[i] = np.asarray(func(*one, grid_size=grid))[0]
                snapped[i] = True
                break
            except GEOSException as err:
                last = err
        else:
            raise _failure(getattr(func, "__name__", "overlay").strip("_"), what, ids, i, last)
    return out, snapped


def _union_rows(rows: np.ndarray, grid_size: float | None = None) -> np.ndarray:
    return shapely.union_all(rows, axis=1, grid_size=grid_size)


def robust_union_rows(rows: np.ndarray, *, what: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Union of each row of a 2-D geometry array (None cells ignored), robustly.

    Returns the unions and the mask of rows computed with snap-rounding
    (see :func:`robust_overlay`).
    """
    return robust_overlay(_union_rows, np.asarray(rows, dtype=object), what=what)


def union_all(geoms: Sequence[object] | np.ndarray, *, what: str | None = None) -> Any:
    """The union of all ``geoms`` (None ignored), one geometry; robust as :func:`robust_overlay`."""
    row = np.empty((1, len(geoms)), dtype=object)
    row[0, :] = list(geoms)
    if not row.shape[1]:
        return shapely.GeometryCollection()
    return robust_union_rows(row, what=what)[0][0]


def intersection(a: np.ndarray, b: np.ndarray | Any, *, what: str | None = None, ids: Sequence[object] | None = None) -> np.ndarray:
    """``a ∩ b`` element-wise (``b`` may be one geometry); robust as :func:`robust_overlay`."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object) if isinstance(b, (np.ndarray, list, tuple)) else np.full(len(a), b, dtype=object)
    return robust_overlay(shapely.intersection, a, b, what=what, ids=ids)[0]


def difference(a: np.ndarray, b: np.ndarray | Any, *, what: str | None = None, ids: Sequence[object] | None = None) -> np.ndarray:
    """``a - b`` element-wise (``b`` may be one geometry); robust as :func:`robust_overlay`."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object) if isinstance(b, (np.ndarray, list, tuple)) else np.full(len(a), b, dtype=object)
    return robust_overlay(shapely.difference, a, b, what=what, ids=ids)[0]


def _one_by_one(op: str, func: Callable[[Any], Any], geoms: np.ndarray, what: str | None, ids: Sequence[object] | None, repairs: Sequence[Callable[[Any], Any]]) -> np.ndarray:
    """``func`` element by element, each failure retried on the operand as each of ``repairs`` gives it."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        last: BaseException | None = None
        for fix in (None, *repairs):
            try:
                out[i] = func(g if fix is None else fix(g))
                break
            except GEOSException as err:
                last = err
        else:
            raise _failure(op, what, ids, i, last)  # type: ignore[arg-type]
    return out


def _snappers() -> list[Callable[[Any], Any]]:
    return [lambda g, s=grid: shapely.set_precision(g, s) for grid in SNAP_GRIDS]


def buffer(geoms: np.ndarray | Any, distance: float, *, what: str | None = None, ids: Sequence[object] | None = None, **kw: Any) -> Any:
    """``shapely.buffer`` (same keywords); failed elements redone on the repaired, then snapped, operand.

    A single geometry gives a single geometry, an array an array.
    """
    single = not isinstance(geoms, (np.ndarray, list, tuple))
    arr = np.asarray([geoms] if single else geoms, dtype=object)
    try:
        out = np.asarray(shapely.buffer(arr, distance, **kw), dtype=object)
    except GEOSException:
        repairs = [lambda g: shapely.make_valid(g), *_snappers()]
        out = _one_by_one("buffer", lambda g: shapely.buffer(g, distance, **kw), arr, what, ids, repairs)
    return out[0] if single else out


def clip_by_rect(geom: Any, xmin: float, ymin: float, xmax: float, ymax: float, *, what: str | None = None) -> Any:
    """``shapely.clip_by_rect`` of one geometry; where GEOS fails, the robust intersection with the rectangle."""
    try:
        return shapely.clip_by_rect(geom, xmin, ymin, xmax, ymax)
    except GEOSException:
        box = np.array([shapely.box(xmin, ymin, xmax, ymax)], dtype=object)
        return robust_overlay(shapely.intersection, np.array([geom], dtype=object), box, what=what)[0][0]


def make_valid(geoms: np.ndarray, *, what: str | None = None, ids: Sequence[object] | None = None, method: str = "linework", **kw: Any) -> np.ndarray:
    """``shapely.make_valid`` of an array; failed elements redone with the "structure" method, then snapped.

    :func:`shapely.set_precision` (the snapping) returns valid geometry by itself.
    """
    arr = np.asarray(geoms, dtype=object)
    try:
        return np.asarray(shapely.make_valid(arr, method=method, **kw), dtype=object)
    except GEOSException:
        pass

    def fix(g: Any) -> Any:
        return shapely.make_valid(g, method=method, **kw)

    repairs: list[Callable[[Any], Any]] = [lambda g: shapely.make_valid(g, method="structure", keep_collapsed=True)]
    # set_precision already returns a valid geometry: make_valid of it is a no-op
    repairs += _snappers()
    return _one_by_one("make_valid repair", fix, arr, what, ids, repairs)


def by_vertices(func: Callable[[np.ndarray], np.ndarray], geoms: np.ndarray, workers: int, name: str = "sppr-repair") -> np.ndarray:
    """``func`` over ``geoms`` on ``workers`` threads: the geometries split by vertex count into groups of
    about equal load (largest first, each to the lightest group), ``func`` called with each group's
    positions in ``geoms`` and returning one value per position, the values put back in order.

    For an element-wise shapely call (GEOS releases the GIL; each element's result is the same on any
    thread) the array equals the call on all of ``geoms`` at once.

    Parameters
    ----------
    func : callable
        Takes an array of positions in ``geoms``, returns one value per position.
    geoms : numpy.ndarray of shapely geometries
    workers : int
        Threads (one, or fewer than two geometries: ``func`` of all positions, here).
    name : str
        The threads' name prefix.

    Returns
    -------
    numpy.ndarray
    """
    geoms = np.asarray(geoms, dtype=object)
    every = np.arange(len(geoms))
    if workers < 2 or len(geoms) < 2:
        return np.asarray(func(every))
    from concurrent.futures import ThreadPoolExecutor

    nv = shapely.get_num_coordinates(geoms)
    load = np.zeros(workers)
    group = np.empty(len(geoms), dtype=np.int64)
    for k in np.argsort(-nv, kind="stable"):  # largest first, each to the lightest group
        group[k] = int(np.argmin(load))
        load[group[k]] += nv[k]
    sels = [sel for sel in (np.flatnonzero(group == g) for g in range(workers)) if len(sel)]
    if len(sels) < 2:
        return np.asarray(func(every))
    with ThreadPoolExecutor(max_workers=len(sels), thread_name_prefix=name) as pool:
        done = list(pool.map(lambda sel: np.asarray(func(sel)), sels))
    out = np.empty(len(geoms), dtype=done[0].dtype)
    for sel, got in zip(sels, done):
        out[sel] = got
    return out


def _make_valid_threads(geoms: np.ndarray, what: str | None, ids: Sequence[object] | None, workers: int) -> np.ndarray:
    """:func:`make_valid` (linework) of ``geoms`` split by vertex count into ``workers`` groups, one thread each
    (GEOS releases the GIL; each geometry's repair is the same on any thread)."""
    if workers < 2 or len(geoms) < 2:
        return make_valid(geoms, what=what, ids=ids, method="linework")
    return by_vertices(lambda sel: make_valid(geoms[sel], what=what, ids=None if ids is None else [ids[i] for i in sel], method="linework"), geoms, workers, "sppr-repair")


def make_valid_by_parts(geoms: np.ndarray, *, what: str | None = None, ids: Sequence[object] | None = None, workers: int = 1) -> np.ndarray:
    """:func:`make_valid` (linework) of an array, repairing only the invalid polygons of a MultiPolygon.

    GEOS re-nodes every ring of a geometry it repairs, so one bow-tie among the
    hundreds of polygons of a provincial zone costs the whole zone's noding. Here
    each MultiPolygon that has invalid parts gets only those parts repaired
    (one vectorized :func:`make_valid` call over all such parts), its valid parts
    kept as they are, and the pieces put back together in the original order.

    The rule for accepting that reassembly: every repaired part is polygonal
    (a Polygon or MultiPolygon, not empty, no collapsed lines or points) and the
    reassembled MultiPolygon is valid. OGC validity of a MultiPolygon means its
    polygons' interiors do not overlap and their boundaries touch at finitely
    many points only, so the parts are then disjoint but for isolated points; the
    linework repair of the whole geometry keeps the area covered an odd number of
    times by its rings, which for such parts is exactly the union of the parts'
    own repairs. Where the check fails (repaired parts overlap or share an edge
    with each other or with a valid part, a part collapsed to a line or point, or
    the geometry was invalid only because its valid parts overlap), the whole
    geometry is repaired instead, as :func:`make_valid` does, since such parts
    must be noded together. Everything else (Polygons, lines, collections) is
    repaired whole.

    The area covered is the whole-geometry repair's; the coordinates, the order
    of the polygons and of their rings' vertices may differ (the valid parts keep
    their own), and a result of one polygon is a Polygon, of several a
    MultiPolygon, as GEOS returns them.

    Parameters
    ----------
    geoms : array of shapely geometries
        The geometries to repair (None allowed).
    what : str, optional
        The layer, for an error message.
    ids : sequence, optional
        Feature ids aligned with ``geoms``, for an error message.
    workers : int
        Threads for the repairs (the geometries split by vertex count; same result on any number).

    Returns
    -------
    numpy.ndarray
        The repaired geometries, aligned with ``geoms``.

    Raises
    ------
    GeometryError
        As :func:`make_valid`, when a geometry cannot be repaired even snapped.
    """
    arr = np.asarray(geoms, dtype=object)
    out = np.empty(len(arr), dtype=object)
    whole = np.ones(len(arr), dtype=bool)
    multi = np.flatnonzero(shapely.get_type_id(arr) == shapely.GeometryType.MULTIPOLYGON)
    if len(multi):
        parts, owner = shapely.get_parts(arr[multi], return_index=True)
        bad = ~by_vertices(lambda sel: shapely.is_valid(parts[sel]), parts, workers, "sppr-valid")
        cand = np.zeros(len(multi), dtype=bool)
        cand[owner[bad]] = True
        if cand.any():
            bad_at = np.flatnonzero(bad)
            part_ids = None if ids is None else [ids[multi[owner[k]]] for k in bad_at]
            fixed = _make_valid_threads(parts[bad_at], what, part_ids, workers)
            ftype = shapely.get_type_id(fixed)
            polygonal = ((ftype == shapely.GeometryType.POLYGON) | (ftype == shapely.GeometryType.MULTIPOLYGON)) & ~shapely.is_empty(fixed)
            cand[owner[bad_at[~polygonal]]] = False
            sub, sub_of = shapely.get_parts(fixed, return_index=True)
            keep_sub = cand[owner[bad_at[sub_of]]]
            keep_part = cand[owner] & ~bad
            # the polygons of each candidate in the original order: (geometry, part, piece of the part)
            pieces = np.concatenate([parts[keep_part], sub[keep_sub]])
            geom_of = np.concatenate([owner[keep_part], owner[bad_at[sub_of[keep_sub]]]])
            part_of = np.concatenate([np.flatnonzero(keep_part), bad_at[sub_of[keep_sub]]])
            piece_of = np.concatenate([np.zeros(int(keep_part.sum()), dtype=np.int64), _rank_within(sub_of)[keep_sub]])
            order = np.lexsort((piece_of, part_of, geom_of))
            pieces, geom_of = pieces[order], geom_of[order]
            at = np.flatnonzero(cand)
            slot = np.full(len(multi), -1, dtype=np.int64)
            slot[at] = np.arange(len(at))
            rebuilt = np.asarray(shapely.multipolygons(pieces, indices=slot[geom_of], out=np.empty(len(at), dtype=object)), dtype=object)
            counts = np.bincount(slot[geom_of], minlength=len(at))
            single = counts == 1
            if single.any():
                rebuilt[single] = shapely.get_geometry(rebuilt[single], 0)
            ok = by_vertices(lambda sel: shapely.is_valid(rebuilt[sel]), rebuilt, workers, "sppr-valid") & (counts > 0)
            out[multi[at[ok]]] = rebuilt[ok]
            whole[multi[at[ok]]] = False
    if whole.any():
        rest = np.flatnonzero(whole)
        out[rest] = _make_valid_threads(arr[rest], what, None if ids is None else [ids[i] for i in rest], workers)
    return out


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the elements of its group (``groups`` sorted, as get_parts gives them)."""
    n = len(groups)
    if not n:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    first = np.repeat(start, np.diff(np.r_[start, n]))
    return np.arange(n) - first
