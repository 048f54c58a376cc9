"""Programs and zones as the engine's units: single parts, mixed collections split by dimension, and union measures.

Part of :mod:`sppr_gis.engine` (moved from ``engine.py`` unchanged); import the names from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from sppr_gis.overlay import robust_union_rows

_POLY = 3  # shapely GeometryType.POLYGON
_LINE_TYPES = (1, 2)  # LINESTRING, LINEARRING
_MULTI_TYPES = (4, 5, 6, 7)  # MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION


def group_union_area(pieces: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Area of the union of each group's polygon pieces.

    Groups of the same size are unioned together in one vectorized call.

    Parameters
    ----------
    pieces : array of geometries
    group : array of int
        Group (0 .. n_groups-1) of each piece.
    n_groups : int

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Area per group (0 for groups without pieces) and a per-group mask of
        those computed with snap-rounding.
    """
    area = np.zeros(n_groups)
    snapped = np.zeros(n_groups, dtype=bool)
    if not len(pieces):
        return area, snapped
    order = np.argsort(group, kind="stable")
    g, p = group[order], pieces[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(g)])
    gid = g[starts]
    single = sizes == 1
    area[gid[single]] = shapely.area(p[starts[single]])
    for size in np.unique(sizes[~single]):
        sel = np.flatnonzero(sizes == size)
        rows = p[starts[sel][:, None] + np.arange(size)[None, :]]
        union, snap = robust_union_rows(rows)
        area[gid[sel]] = shapely.area(union)
        snapped[gid[sel]] = snap
    return area, snapped


def interval_union_length(group: np.ndarray, start: np.ndarray, end: np.ndarray, n_groups: int) -> np.ndarray:
    """Length of the union of intervals ``[start, end]`` per group.

    Parameters
    ----------
    group : array of int
        Group (0 .. n_groups-1) of each interval.
    start, end : arrays of float
        Interval bounds (``start <= end``).
    n_groups : int

    Returns
    -------
    numpy.ndarray
        Union length per group (0 where a group has no interval).
    """
    out = np.zeros(n_groups)
    if not len(group):
        return out
    order = np.lexsort((start, group))
    g, a, b = group[order], start[order], end[order]
    reach = pd.Series(b).groupby(g).cummax().to_numpy()
    prev = np.r_[-np.inf, reach[:-1]]
    first = np.r_[True, g[1:] != g[:-1]]
    prev[first] = -np.inf
    gain = np.maximum(0.0, b - np.maximum(a, prev))
    return np.bincount(g, weights=gain, minlength=n_groups)


def _flatten(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Explode multi-part geometries and collections recursively into single parts."""
    while len(geoms):
        multi = np.isin(shapely.get_type_id(geoms), _MULTI_TYPES)
        if not multi.any():
            break
        parts, idx = shapely.get_parts(geoms[multi], return_index=True)
        geoms = np.concatenate([geoms[~multi], parts])
        owner = np.concatenate([owner[~multi], owner[multi][idx]])
    return geoms, owner


def polygonal_parts(geoms: np.ndarray, owner: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty single polygons in ``geoms`` and the index of the geometry each came from."""
    geoms = np.asarray(geoms, dtype=object)
    owner = np.arange(len(geoms)) if owner is None else np.asarray(owner)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    g, o = _flatten(geoms[ok], owner[ok])
    keep = (shapely.get_type_id(g) == _POLY) & ~shapely.is_empty(g)
    return g[keep], o[keep]


def linear_parts(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty single linestrings in ``geoms`` and the owner index of each, sorted by owner."""
    geoms = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    g, o = _flatten(geoms[ok], np.asarray(owner)[ok])
    keep = np.isin(shapely.get_type_id(g), _LINE_TYPES) & ~shapely.is_empty(g)
    g, o = g[keep], o[keep]
    order = np.argsort(o, kind="stable")  # collection builders want sorted owners
    return g[order], o[order]


#: The name of a collection's part by its dimension (``bagian`` in the outputs).
PART_NAMES: dict[int, str] = {2: "poligon", 1: "garis", 0: "titik"}


@dataclass
class ProgramParts:
    """Programs as the units the engine measures: one per program, or one per dimension of a collection.

    A GeometryCollection given with members of more than one dimension (a lot
    with its access road) is measured part by part, each in its own dimension
    (contract: "Every part of a program counts"): its polygons together, its
    lines together and its points together, each as the matching multi-geometry
    would be measured. Every other program is one unit, itself.

    Attributes
    ----------
    geoms : numpy.ndarray
        The units' geometries, a program's units one after another, the highest dimension first.
    owner : numpy.ndarray
        The program (position) each unit belongs to.
    bagian : numpy.ndarray
        ``"poligon"``, ``"garis"`` or ``"titik"`` for a part of a collection; None for a whole program.
    n : int
        Number of programs.
    first : numpy.ndarray
        Per program, the position of its first unit (its highest dimension).
    """

    geoms: np.ndarray
    owner: np.ndarray
    bagian: np.ndarray
    n: int
    first: np.ndarray

    @property
    def whole(self) -> bool:
        """Whether every program is one unit (no mixed collection)."""
        return len(self.geoms) == self.n


def program_parts(work: np.ndarray, given: np.ndarray | None = None) -> ProgramParts:
    """Split mixed-dimension GeometryCollections into their polygonal, linear and point parts.

    Parameters
    ----------
    work : numpy.ndarray
        The programs' geometries to measure (repaired).
    given : numpy.ndarray, optional
        The geometries as given (default ``work``): only a program *given* as a
        collection is split, and only into the dimensions it was given with (a
        polygon whose repair left a collapsed line stays a polygon).

    Returns
    -------
    ProgramParts
    """
    work = np.asarray(work, dtype=object)
    given = work if given is None else np.asarray(given, dtype=object)
    n = len(work)
    ok = ~(shapely.is_missing(work) | shapely.is_empty(work)) & ~(shapely.is_missing(given) | shapely.is_empty(given))
    coll = np.zeros(n, dtype=bool)
    coll[ok] = shapely.get_type_id(given[ok]) == 7
    if not coll.any():
        return ProgramParts(geoms=work, owner=np.arange(n, dtype=np.int64), bagian=np.full(n, None, dtype=object), n=n, first=np.arange(n, dtype=np.int64))
    geoms, owner, bagian = [], [], []
    for i in range(n):
        if coll[i]:
            g_parts, _ = _flatten(np.array([given[i]], dtype=object), np.zeros(1, dtype=np.int64))
            dims_given = {int(d) for d in shapely.get_dimensions(g_parts[~shapely.is_empty(g_parts)])}
            w_parts, _ = _flatten(np.array([work[i]], dtype=object), np.zeros(1, dtype=np.int64))
            w_parts = w_parts[~shapely.is_empty(w_parts)]
            w_dims = shapely.get_dimensions(w_parts)
            present = [d for d in (2, 1, 0) if d in dims_given and (w_dims == d).any()]
            if len(present) > 1:
                for d in present:
                    members = w_parts[w_dims == d]
                    if d == 2:
                        part = members[0] if len(members) == 1 else robust_union_rows(members[None, :], what="programs")[0][0]
                    elif d == 1:
                        part = members[0] if len(members) == 1 else shapely.multilinestrings(list(members))
                    else:
                        part = members[0] if len(members) == 1 else shapely.multipoints(list(members))
                    geoms.append(part)
                    owner.append(i)
                    bagian.append(PART_NAMES[d])
                continue
        geoms.append(work[i])
        owner.append(i)
        bagian.append(None)
    g = np.empty(len(geoms), dtype=object)
    g[:] = geoms
    own = np.asarray(owner, dtype=np.int64)
    first = np.searchsorted(own, np.arange(n))
    return ProgramParts(geoms=g, owner=own, bagian=np.asarray(bagian, dtype=object), n=n, first=first)
