"""The zone-share engine: how much of each program lies in each zone code.

For each program p and zone code c the engine computes
``measure(p, c) = measure(p ∩ union of all zone polygons with code c)`` (area in m²
for polygons, length in m for lines, a line's stretches that run back over
themselves counted once; points split equally among the codes they touch), its
share of ``measure(p)``, and the unzoned share
``u = 1 - measure(p ∩ union of all zones) / measure(p)``.

It holds on zoning as agencies deliver it (neighbours digitized separately, so
their edges cross and overlap by centimetres; overlay zones; duplicates) and
never forms a union of zones:

* zone (multi)polygons are exploded into parts and very large parts are cut
  into pieces of at most ``max_vertices`` vertices (recursive halving of the
  bounding box). A cut puts rounded vertices on the original edges it crosses;
  a program that comes within a millimetre of an edge ending at such a vertex
  is measured against the whole polygon instead, so cutting never changes an
  answer;
* for polygon and point programs, bulk ``STRtree`` predicate queries find
  every (program, zone piece) pair that intersects and those where the program
  lies within the piece (then the piece is the program); the other pairs are
  intersected in one vectorized call per chunk;
* **lines**: each segment of a line program is cut where it crosses a zone
  piece's boundary (numpy, against the boundary segments near it) and each
  stretch is placed by one exact point-in-polygon test of its midpoint
  (:class:`LineMeter`); stretches along a boundary are on it (zones are closed
  sets). Every stretch is an interval of the program's arc length, and the
  measures are lengths of unions of intervals, per (program, code) and over
  all codes: a seam between two polygons, a cut, two overlapping polygons or a
  duplicate never count a stretch twice, and no linework is noded or overlaid
  (noding nearly coincident linework does not converge on digitized data);
* **polygons**: pieces of one (program, code) are summed, except where two of
  the zones they come from overlap each other (interiors intersect, known from
  the zoning's overlap pairs): those groups are unioned, in vectorized batches;
  the zoned total is taken the same way over all codes;
* **points**: a part touching k codes (boundary included) gives each 1/k;
* every overlay goes through :mod:`sppr_gis.overlay` (the one door for set
  operations): floating point first (GEOS OverlayNG, which already has
  its own snapping fallbacks); an overlay GEOS still cannot compute is redone
  with snap-rounding on the grids of :data:`SNAP_GRIDS` (1 mm, then 1 cm), which
  moves each vertex by at most ``grid / sqrt(2)``: a length by at most twice that
  per stretch end, an area by at most the perimeter times it. Programs measured
  that way are listed in :attr:`ShareResult.snapped`;
* programs are processed in chunks on a thread pool: shapely releases the GIL
  inside GEOS, so both cores work.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from sppr_gis.overlay import SNAP_GRIDS, robust_overlay, robust_union_rows

__all__ = [
    "DEFAULT_MAX_VERTICES",
    "SNAP_GRIDS",
    "ZoneIndex",
    "ZoneCut",
    "cut_zones",
    "ShareResult",
    "compute_shares",
    "polygonal_parts",
    "split_large",
    "PART_NAMES",
    "ProgramParts",
    "program_parts",
    "linear_parts",
    "robust_overlay",
    "release_memory",
    "robust_union_rows",
    "interval_union_length",
]

_POLY = 3  # shapely GeometryType.POLYGON
_LINE_TYPES = (1, 2)  # LINESTRING, LINEARRING
_MULTI_TYPES = (4, 5, 6, 7)  # MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION

Progress = Callable[[int], None]

#: Zone parts with more vertices are cut before intersecting. GEOS already clips
#: a polygon's rings to the other geometry's envelope inside each intersection,
#: so cutting only pays off for very large parts (see docs/benchmarks.md: on
#: 20,000 zones of up to 15,682 vertices cutting at 256 cost 1 s and saved
#: nothing; on a 200,000-vertex coastline cutting at 4,096 is 1.5x faster).
DEFAULT_MAX_VERTICES = 4096

def release_memory() -> None:
    """Hand memory freed by the previous step back to the system (glibc only; a no-op elsewhere).

    glibc keeps freed blocks in per-thread arenas, so without this a step's
    temporaries stay in the process's resident size while the next step runs.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


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


def split_large(parts: np.ndarray, owner: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut polygons with more than ``max_vertices`` vertices by halving their bounding box.

    The cut adds vertices (rounded) where the halving lines cross the edges; the
    pieces of one polygon do not overlap and together cover it.

    Parameters
    ----------
    parts : array of Polygon
        Single polygons.
    owner : array of int
        What each polygon belongs to (carried to its pieces).
    max_vertices : int
        The most vertices a piece may have.

    Returns
    -------
    (pieces, owner, source)
        The pieces, the owner of each piece and, for each piece, the position
        in ``parts`` of the polygon it was cut from (-1 for polygons left whole).
    """
    done_g, done_o, done_s = [], [], []
    g, o = parts, owner
    src = np.arange(len(parts))
    for _ in range(32):
        big = shapely.get_num_coordinates(g) > max_vertices
        done_g.append(g[~big])
        done_o.append(o[~big])
        done_s.append(src[~big])
        if not big.any():
            break
        g, o, src = g[big], o[big], src[big]
        b = shapely.bounds(g)
        wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
        mx, my = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
        # pad the boxes so no part of the polygon falls outside both by rounding
        pad = 1.0 + 1e-6 * np.maximum(np.abs(b[:, 2:]).max(axis=1), 1.0)
        x0, y0, x1, y1 = b[:, 0] - pad, b[:, 1] - pad, b[:, 2] + pad, b[:, 3] + pad
        box_a = shapely.box(x0, y0, np.where(wide, mx, x1), np.where(wide, y1, my))
        box_b = shapely.box(np.where(wide, mx, x0), np.where(wide, y0, my), x1, y1)
        halves = np.concatenate([robust_overlay(shapely.intersection, g, box_a, what="zoning")[0], robust_overlay(shapely.intersection, g, box_b, what="zoning")[0]])
        g, k = polygonal_parts(halves)
        o, src = np.concatenate([o, o])[k], np.concatenate([src, src])[k]
    else:  # pragma: no cover - 32 halvings always suffice for real data
        done_g.append(g)
        done_o.append(o)
        done_s.append(src)
    pieces, piece_owner, piece_src = np.concatenate(done_g), np.concatenate(done_o), np.concatenate(done_s)
    # the first batch is the polygons left whole; every later piece went through a cut
    piece_src[: len(done_g[0])] = -1
    return pieces, piece_owner, piece_src


def _moved_edges(pieces: np.ndarray, source: np.ndarray, parts: np.ndarray, pad: float) -> tuple[np.ndarray, np.ndarray]:
    """Envelopes of the edges of cut pieces that lie on an original edge but end at a cut vertex.

    A cut adds a vertex where the cut line crosses an original edge. That vertex is
    rounded, so the two edges it creates lie a few 1e-12 m off the original edge; a
    line program running along that edge would lose the stretch. Programs that come
    near such an edge are measured against the original polygon instead. The other
    edges of a piece are original edges, coordinate for coordinate, or run along the
    cut line through the polygon's inside. Returns the edge envelopes (boxes padded
    by ``pad``) and the piece each belongs to.
    """
    cut = np.flatnonzero(source >= 0)
    if not len(cut):
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    rings, ring_piece = shapely.get_rings(pieces[cut], return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    src = np.unique(source[cut])
    oxy, opart = shapely.get_coordinates(parts[src], return_index=True)
    original = pd.DataFrame({"src": src[opart], "x": oxy[:, 0], "y": oxy[:, 1]}).drop_duplicates()
    here = pd.DataFrame({"src": source[cut][ring_piece[ring]], "x": xy[:, 0], "y": xy[:, 1]})
    new = here.merge(original, how="left", on=["src", "x", "y"], indicator=True)["_merge"].to_numpy() == "left_only"
    same_ring = ring[:-1] == ring[1:]
    # An edge from an original vertex to a cut vertex is a stretch of an original
    # edge, moved by the rounding. An edge between two cut vertices runs along the
    # cut line through the inside of the polygon (harmless: the pieces on both
    # sides add up), unless two cuts crossed the same original edge: then its
    # middle lies on the original boundary.
    moved = same_ring & (new[:-1] != new[1:])
    both = np.flatnonzero(same_ring & new[:-1] & new[1:])
    if len(both):
        mid = shapely.points((xy[both] + xy[both + 1]) / 2.0)
        owner_src = np.searchsorted(src, source[cut][ring_piece[ring[both]]])
        boundary = shapely.boundary(parts[src])
        shapely.prepare(boundary)
        moved[both] = shapely.dwithin(boundary[owner_src], mid, pad)
    a, b = xy[:-1][moved], xy[1:][moved]
    boxes = shapely.box(
        np.minimum(a[:, 0], b[:, 0]) - pad,
        np.minimum(a[:, 1], b[:, 1]) - pad,
        np.maximum(a[:, 0], b[:, 0]) + pad,
        np.maximum(a[:, 1], b[:, 1]) + pad,
    )
    return boxes, cut[ring_piece[ring[:-1][moved]]].astype(np.int64)


#: Boundary segments of the zone pieces are grouped in runs of this many for the
#: spatial index that finds the segments a program segment may cross.
BOUNDARY_RUN = 32

#: Candidate (program segment, boundary segment) pairs handled at once: bounds the
#: engine's largest temporary arrays (about 200 bytes a candidate).
EXPAND_BUDGET = 150_000

#: Zone pieces with more vertices are prepared (per thread) for point-in-polygon tests.
PREPARE_VERTICES = 256

#: Two segments closer to collinear than this (metres) share a stretch: a program
#: digitized along a zone edge lies on the zone's boundary (zones are closed sets).
COLLINEAR_TOLERANCE = 1e-7


class PreparedPieces:
    """Zone pieces for exact point-in-polygon tests: this thread's prepared copies where large.

    Point-in-polygon on a large piece is much faster prepared. GEOS prepared
    geometries must not be shared between threads, so each thread prepares its
    own copy of the pieces with more than :data:`PREPARE_VERTICES` vertices (a few
    MB), on first use. A prepared test answers exactly as an unprepared one.

    Parameters
    ----------
    pieces : array of Polygon
    """

    def __init__(self, pieces: np.ndarray) -> None:
        self.pieces = pieces
        self.large = np.flatnonzero(shapely.get_num_coordinates(pieces) > PREPARE_VERTICES)
        self._local = threading.local()

    def targets(self, piece: np.ndarray) -> np.ndarray:
        """``pieces[piece]``, this thread's prepared copies where large."""
        if not len(self.large):
            return self.pieces[piece]
        prepared = getattr(self._local, "prepared", None)
        if prepared is None:
            prepared = self.pieces.copy()
            copies = shapely.from_wkb(shapely.to_wkb(self.pieces[self.large]))
            shapely.prepare(copies)
            prepared[self.large] = copies
            self._local.prepared = prepared
        return prepared[piece]


class LineMeter:
    """Where line segments lie in zone polygons, worked out segment by segment.

    For every program segment and every zone piece whose bounding box it meets,
    the segment is cut where it crosses the piece's boundary (computed in numpy
    against the boundary segments near it, found through an index of runs of
    :data:`BOUNDARY_RUN` boundary segments); each resulting stretch lies wholly
    inside or outside the piece, decided by one exact point-in-polygon test of
    its midpoint (GEOS, boundary included), and a stretch that runs along a
    boundary segment (within :data:`COLLINEAR_TOLERANCE`) is on the boundary,
    hence in the piece. No overlay is computed, so nothing can fail to node.

    Parameters
    ----------
    pieces : array of Polygon
        The (valid) zone pieces.
    code : array of int
        Code index of each piece.
    tree : shapely.STRtree, optional
        An index of ``pieces`` (built when not given).
    """

    def __init__(self, pieces: np.ndarray, code: np.ndarray, tree: shapely.STRtree | None = None, prepared: "PreparedPieces | None" = None) -> None:
        self.pieces = pieces
        self.code = np.asarray(code, dtype=np.int64)
        self.tree = tree if tree is not None else shapely.STRtree(pieces)
        # coordinates and ring offsets in one ragged array (no ring geometries are made); the
        # temporaries are dropped as soon as used: this build is the engine's peak of memory
        pieces = np.asarray(pieces, dtype=object)
        if len(pieces):
            _, xy, (ring_off, poly_off) = shapely.to_ragged_array(pieces)
        else:
            xy, ring_off, poly_off = np.zeros((0, 2)), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
        ring_len = np.diff(ring_off)
        # segment k runs from coordinate k to k + 1 of one ring: every coordinate but a ring's last
        last = np.zeros(len(xy), dtype=bool)
        last[ring_off[1:][ring_len > 0] - 1] = True
        k = np.flatnonzero(~last)
        del last
        self.x0, self.y0, self.x1, self.y1 = xy[k, 0], xy[k, 1], xy[k + 1, 0], xy[k + 1, 1]
        del xy
        seg_ring = np.repeat(np.arange(len(ring_len), dtype=np.int64), np.maximum(ring_len - 1, 0))
        ring_piece = np.repeat(np.arange(len(poly_off) - 1, dtype=np.int64), np.diff(poly_off))
        self.seg_piece = ring_piece[seg_ring].astype(np.int32)
        # runs of consecutive segments of one ring, each with its box, in one tree
        pos_in_ring = k - ring_off[seg_ring]
        del k
        new_run = np.r_[True, (seg_ring[1:] != seg_ring[:-1]) | (pos_in_ring[1:] % BOUNDARY_RUN == 0)]
        del seg_ring, pos_in_ring
        self.run_start = np.flatnonzero(new_run)
        del new_run
        self.run_count = np.diff(np.r_[self.run_start, len(self.x0)])
        # a run's box: the extremes of its consecutive segments' ends (one reduction per slice)
        if len(self.x0):
            s = self.run_start
            rx0 = np.minimum(np.minimum.reduceat(self.x0, s), np.minimum.reduceat(self.x1, s))
            ry0 = np.minimum(np.minimum.reduceat(self.y0, s), np.minimum.reduceat(self.y1, s))
            rx1 = np.maximum(np.maximum.reduceat(self.x0, s), np.maximum.reduceat(self.x1, s))
            ry1 = np.maximum(np.maximum.reduceat(self.y0, s), np.maximum.reduceat(self.y1, s))
        else:
            rx0 = ry0 = rx1 = ry1 = np.zeros(0)
        self.run_tree = shapely.STRtree(shapely.box(rx0, ry0, rx1, ry1))
        self.prepared = prepared if prepared is not None else PreparedPieces(pieces)

    def _targets(self, piece: np.ndarray) -> np.ndarray:
        """The pieces to test points against: this thread's prepared copies where large."""
        return self.prepared.targets(piece)

    def _crossings(self, sr: np.ndarray, ri: np.ndarray, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, pair_key: np.ndarray, n_pieces: np.int64) -> tuple[np.ndarray, ...]:
        """Crossings and collinear stretches of program segments ``sr`` with the boundary runs ``ri``.

        Returns the pair (position in ``pair_key``) and fraction of each crossing, and
        the pair and fraction range of each collinear stretch."""
        cnt = self.run_count[ri]
        s = np.repeat(sr, cnt)
        b = np.repeat(self.run_start[ri], cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        tol = COLLINEAR_TOLERANCE
        x0, y0, x1, y1 = self.x0[b], self.y0[b], self.x1[b], self.y1[b]
        near = (
            (np.maximum(x0, x1) >= np.minimum(ax[s], bx[s]) - tol)
            & (np.minimum(x0, x1) <= np.maximum(ax[s], bx[s]) + tol)
            & (np.maximum(y0, y1) >= np.minimum(ay[s], by[s]) - tol)
            & (np.minimum(y0, y1) <= np.maximum(ay[s], by[s]) + tol)
        )
        s, b = s[near], b[near]
        pair = np.searchsorted(pair_key, s.astype(np.int64) * n_pieces + self.seg_piece[b])
        # segment A + t r against boundary segment Q0 + u q, in coordinates relative to A
        rx, ry = bx[s] - ax[s], by[s] - ay[s]
        qx0, qy0 = self.x0[b] - ax[s], self.y0[b] - ay[s]
        qx, qy = self.x1[b] - self.x0[b], self.y1[b] - self.y0[b]
        denom = rx * qy - ry * qx
        rlen = np.hypot(rx, ry)
        # distances of the boundary segment's ends from the program segment's line
        d0 = (rx * qy0 - ry * qx0) / rlen
        d1 = (rx * (qy0 + qy) - ry * (qx0 + qx)) / rlen
        collinear = (np.abs(d0) <= tol) & (np.abs(d1) <= tol)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qx0 * qy - qy0 * qx) / denom
            u = (qx0 * ry - qy0 * rx) / denom
        eps = 1e-12
        cross = ~collinear & (denom != 0) & (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
        # a collinear boundary segment: the stretch of the program segment it covers
        r2 = rx * rx + ry * ry
        c0 = (qx0 * rx + qy0 * ry) / r2
        c1 = ((qx0 + qx) * rx + (qy0 + qy) * ry) / r2
        lo_c, hi_c = np.clip(np.minimum(c0, c1), 0, 1), np.clip(np.maximum(c0, c1), 0, 1)
        on = collinear & (hi_c >= lo_c)
        return pair[cross], np.clip(t[cross], 0, 1), pair[on], lo_c[on], hi_c[on]

    def stretches(self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Stretches of segments A->B inside zone pieces.

        Returns
        -------
        (seg, code, t0, t1)
            For every stretch inside a piece: the segment, the piece's code, and the
            stretch as fractions 0 <= t0 <= t1 <= 1 of the segment.
        """
        z = np.zeros(0)
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), z, z)
        if not len(ax):
            return empty
        segs = shapely.linestrings(np.stack([np.stack([ax, ay], 1), np.stack([bx, by], 1)], 1))
        si, pi = self.tree.query(segs)  # (segment, piece) pairs to classify
        if not len(si):
            return empty
        n_pairs = len(si)
        n_pieces = np.int64(len(self.pieces))
        pair_key = si.astype(np.int64) * n_pieces + pi
        order = np.argsort(pair_key, kind="stable")
        si, pi, pair_key = si[order], pi[order], pair_key[order]
        # boundary segments near each program segment, through the runs' boxes, in batches
        # of bounded size (the candidate arrays are the engine's largest)
        sr, ri = self.run_tree.query(segs)
        load = np.cumsum(self.run_count[ri])
        cross_pair, cross_t, on_pair, on_lo, on_hi = [], [], [], [], []
        lo = 0
        while lo < len(sr):
            hi = int(np.searchsorted(load, (load[lo - 1] if lo else 0) + EXPAND_BUDGET, side="right"))
            hi = max(hi, lo + 1)
            cp, ct, op, ol, oh = self._crossings(sr[lo:hi], ri[lo:hi], ax, ay, bx, by, pair_key, n_pieces)
            cross_pair.append(cp)
            cross_t.append(ct)
            on_pair.append(op)
            on_lo.append(ol)
            on_hi.append(oh)
            lo = hi
        cross_p = np.concatenate(cross_pair) if cross_pair else np.zeros(0, dtype=np.int64)
        cross_tt = np.concatenate(cross_t) if cross_t else np.zeros(0)
        on_p = np.concatenate(on_pair) if on_pair else np.zeros(0, dtype=np.int64)
        lo_c = np.concatenate(on_lo) if on_lo else np.zeros(0)
        hi_c = np.concatenate(on_hi) if on_hi else np.zeros(0)
        # breakpoints per pair: the segment's ends, crossings, ends of collinear stretches
        bp_pair = np.concatenate([np.arange(n_pairs), np.arange(n_pairs), cross_p, on_p, on_p])
        bp_t = np.concatenate([np.zeros(n_pairs), np.ones(n_pairs), cross_tt, lo_c, hi_c])
        order = np.lexsort((bp_t, bp_pair))
        bp_pair, bp_t = bp_pair[order], bp_t[order]
        nxt = np.flatnonzero((bp_pair[1:] == bp_pair[:-1]) & (bp_t[1:] > bp_t[:-1]))
        sp, t0, t1 = bp_pair[nxt], bp_t[nxt], bp_t[nxt + 1]
        # stretches shorter than a nanometre are rounding between two breakpoints that coincide
        seg_len = np.hypot(bx[si[sp]] - ax[si[sp]], by[si[sp]] - ay[si[sp]])
        real = (t1 - t0) * seg_len > 1e-9
        sp, t0, t1 = sp[real], t0[real], t1[real]
        # stretches along a collinear boundary segment are on the boundary: inside
        inside = np.zeros(len(sp), dtype=bool)
        if len(on_p):
            cp, clo, chi = on_p, lo_c, hi_c
            ordc = np.argsort(cp, kind="stable")
            cp, clo, chi = cp[ordc], clo[ordc], chi[ordc]
            first = np.searchsorted(cp, sp, side="left")
            last = np.searchsorted(cp, sp, side="right")
            has = np.flatnonzero(last > first)
            tm = (t0 + t1) / 2.0
            rep = last[has] - first[has]
            idx = np.repeat(first[has], rep) + (np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep))
            who = np.repeat(has, rep)
            hit = (clo[idx] <= tm[who]) & (tm[who] <= chi[idx])
            inside[np.unique(who[hit])] = True
        test = np.flatnonzero(~inside)
        if len(test):
            seg = si[sp[test]]
            tm = (t0[test] + t1[test]) / 2.0
            mx = ax[seg] + tm * (bx[seg] - ax[seg])
            my = ay[seg] + tm * (by[seg] - ay[seg])
            inside[test] = shapely.intersects_xy(self._targets(pi[sp[test]]), mx, my)
        k = np.flatnonzero(inside)
        return si[sp[k]].astype(np.int64), self.code[pi[sp[k]]], t0[k], t1[k]


@dataclass
class ShareResult:
    """Zone shares of a set of programs.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per (program, zone code) with positive measure: ``prog`` (position
        of the program in the input array), ``zone_code``, ``measure`` (m², m, or
        the point weight), ``share`` (0-1), sorted by ``prog`` then ``zone_code``.
    measure : numpy.ndarray
        The program's own measure (area, length, or 1 for points); NaN for null,
        empty or degenerate (zero area / zero length) geometries.
    unzoned : numpy.ndarray
        Unzoned share per program; NaN where ``measure`` is NaN.
    dim : numpy.ndarray
        Geometric dimension per program (0 point, 1 line, 2 polygon; -1 null/empty).
    snapped : numpy.ndarray
        Positions of programs for which some overlay needed snap-rounding (see
        :data:`SNAP_GRIDS`); their measures are exact to that grid.
    timings : dict
        Seconds spent per stage.
    """

    pairs: pd.DataFrame
    measure: np.ndarray
    unzoned: np.ndarray
    dim: np.ndarray
    snapped: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class ZoneCut:
    """The zone parts cut for the engine (:func:`cut_zones`): what :class:`ZoneIndex` builds its index from.

    Computed once per zoning and kept by the zoning cache (:mod:`sppr_gis.cache`), so a later run on
    the same zoning does not cut its large polygons again.

    Attributes
    ----------
    max_vertices : int
        The most vertices a piece may have.
    pieces : numpy.ndarray
        The pieces (polygons left whole, then the pieces of cut ones).
    owner : numpy.ndarray
        The zone (position in the zoning) of each piece.
    source : numpy.ndarray
        Position in the zoning's polygonal parts of the polygon a piece was cut from (-1: left whole).
    moved : numpy.ndarray
        Envelopes of the edges a cut moved by rounding (see ``_moved_edges``).
    moved_piece : numpy.ndarray
        The piece of each moved edge.
    """

    max_vertices: int
    pieces: np.ndarray
    owner: np.ndarray
    source: np.ndarray
    moved: np.ndarray
    moved_piece: np.ndarray


def _pad(parts: np.ndarray) -> float:
    return 1e-3 + 1e-9 * float(np.abs(shapely.total_bounds(parts)).max()) if len(parts) else 1e-3


def cut_zones(geoms: np.ndarray, max_vertices: int = DEFAULT_MAX_VERTICES) -> ZoneCut:
    """Cut the zones' polygonal parts into pieces of at most ``max_vertices`` vertices.

    Parameters
    ----------
    geoms : array of shapely geometries
        Valid polygonal zone geometries (other parts are ignored).
    max_vertices : int

    Returns
    -------
    ZoneCut
    """
    parts, owner = polygonal_parts(np.asarray(geoms, dtype=object))
    pieces, piece_owner, source = split_large(parts, owner, max_vertices)
    moved, moved_piece = _moved_edges(pieces, source, parts, _pad(parts))
    return ZoneCut(int(max_vertices), pieces, np.asarray(piece_owner, dtype=np.int64), np.asarray(source, dtype=np.int64), moved, np.asarray(moved_piece, dtype=np.int64))


class ZoneIndex:
    """Zone polygons prepared for repeated share computations.

    Parameters
    ----------
    geoms : array of shapely geometries
        Valid polygonal zone geometries in a metric CRS (other parts are ignored).
        They may overlap each other and their edges need not match.
    codes : array of str
        Zone code of each geometry.
    max_vertices : int
        Zone parts with more vertices are cut into smaller pieces.
    overlaps : tuple of two int arrays, optional
        The pairs (i, j) of ``geoms`` whose overlap has an area, as found by the
        zoning QA (:func:`sppr_gis.validate.zone_overlaps`; pass them when already
        computed). ``None``: each pair of zones that a polygon program
        meets together is tested when needed (cheap for a few programs, such
        as one site).
    cut : ZoneCut, optional
        :func:`cut_zones` of ``geoms`` with ``max_vertices``, already computed (e.g. by the
        zoning cache); computed here when not given or made with another ``max_vertices``.
    """

    def __init__(
        self,
        geoms: np.ndarray,
        codes: np.ndarray,
        *,
        max_vertices: int = DEFAULT_MAX_VERTICES,
        overlaps: tuple[np.ndarray, np.ndarray] | None = None,
        cut: ZoneCut | None = None,
    ) -> None:
        t0 = time.perf_counter()
        geoms = np.asarray(geoms, dtype=object)
        codes = np.asarray(codes, dtype=object).astype(str)
        self.code_values, code_idx = np.unique(codes, return_inverse=True)
        parts, owner = polygonal_parts(geoms)
        if cut is None or cut.max_vertices != int(max_vertices):
            cut = cut_zones(geoms, max_vertices)
        pieces, piece_owner, source = cut.pieces, cut.owner, cut.source
        # Cut polygons are kept whole too, after the pieces: a program that comes
        # near an edge the cut moved is measured against the whole polygon.
        whole = np.unique(source[source >= 0])
        self.n_pieces = len(pieces)
        self.pieces = pieces
        self.geoms = np.concatenate([pieces, parts[whole]])
        self.zone = np.concatenate([piece_owner, owner[whole]]).astype(np.int64)
        self.code = code_idx[self.zone].astype(np.int64)
        self.piece_whole = np.where(source >= 0, self.n_pieces + np.searchsorted(whole, np.maximum(source, 0)), -1)
        moved, moved_piece = cut.moved, cut.moved_piece
        self.moved_tree = shapely.STRtree(moved) if len(moved) else None
        self.moved_piece = moved_piece
        self.tree = shapely.STRtree(self.pieces)
        self.prepared = PreparedPieces(self.pieces)
        self.zone_geoms = geoms
        self._line_meter: LineMeter | None = None
        self._line_lock = threading.Lock()
        # Parts of one multipolygon never overlap (it is valid), so zone-level pairs suffice.
        self.n_zones = np.int64(max(len(geoms), 1))
        if overlaps is None:
            self.overlap_keys = None  # decided pair by pair, for the zones programs meet
        else:
            left, right = (np.asarray(x, dtype=np.int64) for x in overlaps)
            self.overlap_keys = np.unique(np.minimum(left, right) * self.n_zones + np.maximum(left, right))
        self.build_seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ chunks
    def _intersecting(self, geoms: np.ndarray, *, within: bool = True, pairs: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(program, zone geometry) pairs that intersect, and whether the program lies within it.

        The tree's box query gives the candidates; both predicates are then tested
        against this thread's prepared copies of the large pieces (:class:`PreparedPieces`,
        the copies the line meter uses too: GEOS prepared geometries cannot be shared
        between threads; only pieces of more than :data:`PREPARE_VERTICES` vertices are
        copied). ``pairs`` gives the intersecting pairs already found (points).

        A program near an edge moved by a cut gets the whole polygon in place of
        all its pieces (one pair), so its measure is exact."""
        n_geoms = np.int64(len(self.geoms))
        if pairs is None:
            # candidates by box, then both predicates against this thread's prepared pieces
            # (within(program, piece) is contains(piece, program)); exact as unprepared
            ci, cz = self.tree.query(geoms)
            target = self.prepared.targets(cz)
            hit = shapely.intersects(target, geoms[ci])
            pi, zi = ci[hit], cz[hit]
            inside = shapely.contains(target[hit], geoms[pi]) if within else np.zeros(len(pi), dtype=bool)
        else:
            pi, zi = pairs
            inside = np.zeros(len(pi), dtype=bool)
        key = pi.astype(np.int64) * n_geoms + zi
        if self.moved_tree is not None and len(pi):
            mp, me = self.moved_tree.query(geoms)
            if len(mp):
                near = self.piece_whole[self.moved_piece[me]]
                near_key = np.unique(mp.astype(np.int64) * n_geoms + near)
                whole = self.piece_whole[zi]
                swap = (whole >= 0) & np.isin(pi.astype(np.int64) * n_geoms + whole, near_key)
                if swap.any():
                    zi = np.where(swap, whole, zi)
                    key = pi.astype(np.int64) * n_geoms + zi
                    # within one piece is within the whole polygon too
                    uniq, inv = np.unique(key, return_inverse=True)
                    inside = np.bincount(inv, weights=inside.astype(float), minlength=len(uniq)) > 0
                    pi, zi = uniq // n_geoms, uniq % n_geoms
        return pi, zi, inside

    def _overlapping_groups(self, group: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """Groups in which two different zones overlap each other (their pieces must be unioned)."""
        df = pd.DataFrame({"g": group, "z": zone}).drop_duplicates()
        df = df[df["g"].duplicated(keep=False)]
        if not len(df) or (self.overlap_keys is not None and not len(self.overlap_keys)):
            return np.zeros(0, dtype=np.int64)
        m = df.merge(df, on="g")
        zx, zy = m["z_x"].to_numpy(np.int64), m["z_y"].to_numpy(np.int64)
        lt = zx < zy
        key = zx[lt] * self.n_zones + zy[lt]
        if self.overlap_keys is None:
            pairs, inv = np.unique(key, return_inverse=True)
            a, b = pairs // self.n_zones, pairs % self.n_zones
            hit = shapely.relate_pattern(self.zone_geoms[a], self.zone_geoms[b], "T********")[inv]
        else:
            hit = np.isin(key, self.overlap_keys)
        return np.unique(m["g"].to_numpy()[lt][hit])

    def _group_areas(self, group: np.ndarray, n_groups: int, zone: np.ndarray, pieces: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Area per group of polygon pieces: summed, or unioned where two of the group's zones overlap.

        Returns the areas and the groups computed with snap-rounding."""
        total = np.bincount(group, weights=area, minlength=n_groups)
        redo = self._overlapping_groups(group, zone)
        if not len(redo):
            return total, np.zeros(0, dtype=np.int64)
        sel = np.isin(group, redo)
        sub, sub_inv = np.unique(group[sel], return_inverse=True)
        union, snap = group_union_area(pieces[sel], sub_inv, len(sub))
        total[sub] = union
        return total, sub[snap]

    def _points(self, geoms: np.ndarray, pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Shares of point programs (single or multi): returns pairs, unzoned weight, snapped (none)."""
        parts, owner = _flatten(geoms, np.arange(len(geoms)))
        keep = ~shapely.is_empty(parts)
        parts, owner = parts[keep], owner[keep]
        n_parts = np.bincount(owner, minlength=len(geoms)).astype(float)
        weight = 1.0 / n_parts[owner]
        # the pieces whose box holds a point, then one exact point-in-polygon test per
        # candidate against prepared pieces (the tree's predicate query tests unprepared)
        ci, cz = self.tree.query(parts)
        xy = shapely.get_coordinates(parts[ci])
        hit = shapely.intersects_xy(self.prepared.targets(cz), xy[:, 0], xy[:, 1]) if len(ci) else np.zeros(0, dtype=bool)
        pi, zi, _ = self._intersecting(parts, within=False, pairs=(ci[hit], cz[hit]))
        pc = pd.DataFrame({"part": pi, "code": self.code[zi]}).drop_duplicates()
        k = pc.groupby("part")["code"].transform("size").to_numpy()
        pc["prog"] = owner[pc["part"].to_numpy()]
        pc["measure"] = weight[pc["part"].to_numpy()] / k
        pairs = pc.groupby(["prog", "code"], as_index=False)["measure"].sum()
        hit = np.zeros(len(parts), dtype=bool)
        hit[pi] = True
        unzoned = np.bincount(owner[~hit], weights=weight[~hit], minlength=len(geoms))
        pairs["prog"] = pos[pairs["prog"].to_numpy()]
        return pairs, unzoned, np.zeros(0, dtype=np.int64)

    def line_meter(self) -> LineMeter:
        """The zones prepared for line programs (built on first use, once)."""
        with self._line_lock:
            if self._line_meter is None:
                self._line_meter = LineMeter(self.pieces, self.code[: self.n_pieces], self.tree, self.prepared)
            return self._line_meter

    def _lines(self, geoms: np.ndarray, pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Shares of line programs: returns pairs, zoned length per program, snapped (none).

        Every stretch of a program inside a zone is an interval of the program's
        arc length (see :class:`LineMeter`); the measures are lengths of unions of
        intervals, per (program, code) and over all codes."""
        parts, owner = linear_parts(geoms, np.arange(len(geoms)))
        xy, at = shapely.get_coordinates(parts, return_index=True)
        k = np.flatnonzero(at[1:] == at[:-1])
        ax, ay, bx, by = xy[k, 0], xy[k, 1], xy[k + 1, 0], xy[k + 1, 1]
        slen = np.hypot(bx - ax, by - ay)
        keep = slen > 0
        k, ax, ay, bx, by, slen = k[keep], ax[keep], ay[keep], bx[keep], by[keep], slen[keep]
        prog_of_seg = owner[at[k]]
        # arc length at the start of each segment, along the program (parts one after another)
        # (summed per program, so the figures do not depend on how programs are chunked)
        start = pd.Series(slen).groupby(prog_of_seg).cumsum().to_numpy() - slen
        seg, code, t0, t1 = self.line_meter().stretches(ax, ay, bx, by)
        prog = prog_of_seg[seg]
        a = start[seg] + t0 * slen[seg]
        b = start[seg] + t1 * slen[seg]
        n_codes = np.int64(len(self.code_values))
        key = prog.astype(np.int64) * n_codes + code
        keys, inv = np.unique(key, return_inverse=True)
        measure = interval_union_length(inv, a, b, len(keys))
        zoned = interval_union_length(prog, a, b, len(geoms))
        pairs = pd.DataFrame({"prog": pos[keys // n_codes], "code": keys % n_codes, "measure": measure})
        return pairs, zoned, np.zeros(0, dtype=np.int64)

    def _polygons(self, geoms: np.ndarray, pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Shares of polygon programs: returns pairs, zoned area per program, snapped positions."""
        pi, zi, inside = self._intersecting(geoms)
        g, z = geoms[pi], self.geoms[zi]
        pieces = g.copy()
        todo = np.flatnonzero(~inside)
        snap_prog = []
        if len(todo):
            pieces[todo], snap = robust_overlay(shapely.intersection, g[todo], z[todo])
            snap_prog.append(pi[todo[snap]])
        meas = shapely.area(pieces)
        keep = meas > 0
        pi, zi, pieces, meas = pi[keep], zi[keep], pieces[keep], meas[keep]
        code, zone = self.code[zi], self.zone[zi]
        n_codes = np.int64(len(self.code_values))
        key = pi.astype(np.int64) * n_codes + code
        keys, inv = np.unique(key, return_inverse=True)
        measure, snap = self._group_areas(inv, len(keys), zone, pieces, meas)
        snap_prog.append(keys[snap] // n_codes)
        # A program whose pieces all have one code: its zoned area is that code's (the same pieces in
        # the same order, so the same sum or union, bit for bit). Only the others are grouped again.
        key_prog = keys // n_codes
        codes_of = np.bincount(key_prog, minlength=len(geoms))
        zoned = np.zeros(len(geoms))
        one = codes_of[key_prog] == 1
        zoned[key_prog[one]] = measure[one]
        many = codes_of[pi] > 1
        if many.any():
            sub, sub_inv = np.unique(pi[many], return_inverse=True)
            area, snap = self._group_areas(sub_inv, len(sub), zone[many], pieces[many], meas[many])
            zoned[sub] = area
            snap_prog.append(sub[snap])
        pairs = pd.DataFrame({"prog": pos[keys // n_codes], "code": keys % n_codes, "measure": measure})
        snapped = pos[np.unique(np.concatenate(snap_prog))] if snap_prog else np.zeros(0, dtype=np.int64)
        return pairs, zoned, snapped

    # --------------------------------------------------------------- public
    def shares(
        self,
        geoms: np.ndarray,
        *,
        workers: int | None = None,
        chunk_size: int = 2000,
        progress: Progress | None = None,
    ) -> ShareResult:
        """Compute zone shares for program geometries (same CRS as the zones).

        Parameters
        ----------
        geoms : array of shapely geometries
            Valid program geometries (points, lines, polygons, single or multi;
            null and empty allowed).
        workers : int, optional
            Threads (default: the number of CPUs).
        chunk_size : int
            Programs per task.
        progress : callable, optional
            Called with the number of programs finished after each chunk.

        Returns
        -------
        ShareResult
        """
        t0 = time.perf_counter()
        geoms = np.asarray(geoms, dtype=object)
        n = len(geoms)
        missing = shapely.is_missing(geoms)
        empty = missing.copy()
        empty[~missing] = shapely.is_empty(geoms[~missing])
        dims = np.full(n, -1, dtype=np.int64)
        dims[~empty] = shapely.get_dimensions(geoms[~empty])
        snapped_all: list[np.ndarray] = []
        # A line that runs back over itself is measured as its point set: its
        # self-overlaps are dissolved (a unary union, noded robustly).
        lines = np.flatnonzero(dims == 1)
        if len(lines):
            nonsimple = lines[~shapely.is_simple(geoms[lines])]
            if len(nonsimple):
                geoms = geoms.copy()
                geoms[nonsimple], snap = robust_union_rows(geoms[nonsimple][:, None])
                snapped_all.append(nonsimple[snap])
        measure = np.full(n, np.nan)
        measure[dims == 0] = 1.0
        measure[dims == 1] = shapely.length(geoms[dims == 1])
        measure[dims == 2] = shapely.area(geoms[dims == 2])
        degenerate = (dims > 0) & ~(measure > 0)
        measure[degenerate] = np.nan
        dims_eff = np.where(degenerate, -1, dims)

        workers = workers or os.cpu_count() or 1
        if (dims_eff == 1).any() and self._line_meter is None:
            self.line_meter()  # built once, here, before the threads start
            release_memory()
        tasks: list[tuple[int, np.ndarray]] = []
        # Lines and polygons carry the cost: give each thread several of their
        # chunks (first, so the cheap point chunks fill the gaps at the end).
        for dim in (1, 2, 0):
            idx = np.flatnonzero(dims_eff == dim)
            size = chunk_size if dim == 0 else max(25, min(chunk_size, -(-len(idx) // (4 * workers))))
            for start in range(0, len(idx), size):
                tasks.append((dim, idx[start : start + size]))
        runner = {0: self._points, 1: self._lines, 2: self._polygons}

        zoned = np.zeros(n)
        unzoned_pts = np.zeros(n)

        def run(task: tuple[int, np.ndarray]) -> tuple[int, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
            dim, idx = task
            pairs, value, snapped = runner[dim](geoms[idx], idx)
            return dim, idx, pairs, value, snapped

        frames = []

        def collect(result: tuple[int, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]) -> None:
            dim, idx, pairs, value, snapped = result
            frames.append(pairs)
            snapped_all.append(snapped)
            (unzoned_pts if dim == 0 else zoned)[idx] = value
            if progress:
                progress(len(idx))

        if workers > 1 and len(tasks) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(run, tasks):
                    collect(result)
        else:
            for task in tasks:
                collect(run(task))
        t1 = time.perf_counter()
        if frames:
            pairs = pd.concat(frames, ignore_index=True)
        else:
            pairs = pd.DataFrame({"prog": np.array([], dtype=np.int64), "code": np.array([], dtype=np.int64), "measure": np.array([], dtype=float)})
        pairs = pairs[pairs["measure"] > 0]
        pairs = pd.DataFrame(
            {
                "prog": pairs["prog"].to_numpy(dtype=np.int64),
                "zone_code": self.code_values[pairs["code"].to_numpy(dtype=np.int64)].astype(object),
                "measure": pairs["measure"].to_numpy(dtype=float),
            }
        )
        pairs["share"] = np.clip(pairs["measure"].to_numpy() / measure[pairs["prog"].to_numpy()], 0.0, 1.0)
        pairs = pairs.sort_values(["prog", "zone_code"], kind="stable").reset_index(drop=True)
        unzoned = np.full(n, np.nan)
        pts = dims_eff == 0
        unzoned[pts] = unzoned_pts[pts]
        shp = dims_eff > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            unzoned[shp] = 1.0 - zoned[shp] / measure[shp]
        unzoned = np.where(np.isnan(unzoned), np.nan, np.clip(unzoned, 0.0, 1.0))
        # Rounding noise (1e-16 of a share) is not an unzoned remainder.
        unzoned[np.abs(unzoned) < 1e-9] = 0.0
        snapped = np.unique(np.concatenate(snapped_all)).astype(np.int64) if snapped_all else np.zeros(0, dtype=np.int64)
        timings = {"index": self.build_seconds, "shares": t1 - t0, "assemble": time.perf_counter() - t1}
        return ShareResult(pairs=pairs, measure=measure, unzoned=unzoned, dim=dims_eff, snapped=snapped, timings=timings)


def compute_shares(
    zone_geoms: np.ndarray,
    zone_codes: np.ndarray,
    program_geoms: np.ndarray,
    *,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    workers: int | None = None,
    overlaps: tuple[np.ndarray, np.ndarray] | None = None,
) -> ShareResult:
    """Zone shares of programs in one call (builds a :class:`ZoneIndex`).

    Parameters
    ----------
    zone_geoms, zone_codes : arrays
        Zone polygons (valid, metric CRS; they may overlap and need not be
        noded) and their codes.
    program_geoms : array
        Program geometries in the same CRS.
    max_vertices : int
        Zone parts with more vertices are cut before intersecting.
    workers : int, optional
        Threads.
    overlaps : tuple of two int arrays, optional
        Pairs of zones whose overlap has an area (:func:`sppr_gis.validate.zone_overlaps`);
        tested pair by pair where needed when not given.

    Returns
    -------
    ShareResult
    """
    index = ZoneIndex(zone_geoms, zone_codes, max_vertices=max_vertices, overlaps=overlaps)
    return index.shares(program_geoms, workers=workers)
