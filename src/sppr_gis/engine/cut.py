"""Large zone polygons cut into pieces for the engine (:class:`ZoneCut`, :func:`cut_zones`).

Part of :mod:`sppr_gis.engine` (moved from ``engine.py`` unchanged); import the names from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from sppr_gis.engine.parts import _MULTI_TYPES, _POLY, polygonal_parts
from sppr_gis.overlay import robust_overlay

#: Zone parts with more vertices are cut before intersecting. GEOS already clips
#: a polygon's rings to the other geometry's envelope inside each intersection,
#: so cutting only pays off for very large parts (see docs/benchmarks.md: on
#: 20,000 zones of up to 15,682 vertices cutting at 256 cost 1 s and saved
#: nothing; on a 200,000-vertex coastline cutting at 4,096 is 1.5x faster).
DEFAULT_MAX_VERTICES = 4096


def halve(g: np.ndarray) -> np.ndarray:
    """Each polygon cut in two across its longer side at the middle of its bounding box: the ``len(g)`` first
    halves, then the ``len(g)`` second ones (GEOS errors recovered by :func:`robust_overlay`).

    Parameters
    ----------
    g : ndarray of Polygon or MultiPolygon
        The polygons to halve.

    Returns
    -------
    ndarray
        ``2 * len(g)`` geometries (a half may be empty or a collection: see :func:`polygonal_parts`).
    """
    b = shapely.bounds(g)
    wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
    mx, my = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    # pad the boxes so no part of the polygon falls outside both by rounding
    pad = 1.0 + 1e-6 * np.maximum(np.abs(b[:, 2:]).max(axis=1), 1.0)
    x0, y0, x1, y1 = b[:, 0] - pad, b[:, 1] - pad, b[:, 2] + pad, b[:, 3] + pad
    box_a = shapely.box(x0, y0, np.where(wide, mx, x1), np.where(wide, y1, my))
    box_b = shapely.box(np.where(wide, mx, x0), np.where(wide, y0, my), x1, y1)
    return np.concatenate([robust_overlay(shapely.intersection, g, box_a, what="zoning")[0], robust_overlay(shapely.intersection, g, box_b, what="zoning")[0]])


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
    return split_levels(parts, owner, [max_vertices])[int(max_vertices)]


def split_levels(parts: np.ndarray, owner: np.ndarray, thresholds: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`split_large` of the same polygons at several thresholds, in one halving.

    A polygon's halving depends on that polygon alone, so the pieces at a larger threshold are the
    nodes of the smallest threshold's halving tree where that larger threshold's own halving stops:
    each threshold gets the same pieces, in the same order, as :func:`split_large` at that threshold
    alone (the engine's pieces and the relocation index's finer ones cost one cut instead of two).

    Parameters
    ----------
    parts : array of Polygon
        Single polygons.
    owner : array of int
        What each polygon belongs to (carried to its pieces).
    thresholds : sequence of int
        The most vertices a piece may have, one per set of pieces wanted.

    Returns
    -------
    dict
        Threshold -> ``(pieces, owner, source)``, as :func:`split_large` returns them.
    """
    levels = sorted({int(t) for t in thresholds})
    if not levels:
        return {}
    finest = levels[0]
    done: dict[int, tuple[list, list, list]] = {t: ([], [], []) for t in levels}
    g, o = parts, owner
    src = np.arange(len(parts))
    # per threshold, whether each polygon of this round is one its own halving would reach
    live = {t: np.ones(len(g), dtype=bool) for t in levels}
    for _ in range(32):
        nv = shapely.get_num_coordinates(g)
        for t in levels:
            stop = live[t] & (nv <= t)
            done[t][0].append(g[stop])
            done[t][1].append(o[stop])
            done[t][2].append(src[stop])
        big = nv > finest
        if not big.any():
            break
        halved = {t: (live[t] & (nv > t))[big] for t in levels}
        g, o, src = g[big], o[big], src[big]
        halves = halve(g)
        g, k = polygonal_parts(halves)
        o, src = np.concatenate([o, o])[k], np.concatenate([src, src])[k]
        live = {t: np.concatenate([h, h])[k] for t, h in halved.items()}
    else:  # pragma: no cover - 32 halvings always suffice for real data
        for t in levels:
            done[t][0].append(g[live[t]])
            done[t][1].append(o[live[t]])
            done[t][2].append(src[live[t]])
    out = {}
    for t, (dg, do, ds) in done.items():
        pieces, piece_owner, piece_src = np.concatenate(dg), np.concatenate(do), np.concatenate(ds)
        # the first batch is the polygons left whole; every later piece went through a cut
        piece_src[: len(dg[0])] = -1
        out[t] = (pieces, piece_owner, piece_src)
    return out


#: The most halvings a polygon goes through (:func:`split_large`: 32 always suffice for real data).
MAX_HALVINGS = 32


def split_keyed(
    parts: np.ndarray, owner: np.ndarray, max_vertices: int, depth: np.ndarray | None = None, keys: list[tuple] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple]]:
    """:func:`split_large`'s pieces (without their source), each with its place in the halving, so that a
    later call can halve them further (to a smaller threshold) and give the pieces, in the order,
    :func:`split_large` at that smaller threshold gives.

    :func:`split_large` puts a piece of round ``d`` after the pieces of earlier rounds, and within round
    ``d`` orders the polygons as :func:`~sppr_gis.engine.polygonal_parts` lists the halves' parts:
    single polygons first, then the parts of multi-part halves (level by level), each by the half it
    fell in, then by its parent's place in round ``d - 1``, then by its position in that half. A
    polygon's ``key`` is that (level, half, parent's key, positions), nested back to the polygon it
    was cut from; polygons are halved the same way whenever they are halved (each alone).

    Parameters
    ----------
    parts : array of Polygon
        Single polygons (or pieces of an earlier call).
    owner : array of int
        What each belongs to (carried to its pieces).
    max_vertices : int
        The most vertices a piece may have.
    depth, keys : optional
        Of pieces of an earlier call (its results): their round and key. Default: ``parts`` are the
        polygons themselves (round 0, key ``(i,)``).

    Returns
    -------
    (pieces, owner, depth, keys)
        In :func:`split_large`'s order.
    """
    g = np.asarray(parts, dtype=object)
    o = np.asarray(owner, dtype=np.int64)
    d = np.zeros(len(g), dtype=np.int64) if depth is None else np.asarray(depth, dtype=np.int64)
    k = [(i,) for i in range(len(g))] if keys is None else list(keys)
    out_g, out_o, out_d, out_k = [], [], [], []
    while len(g):
        nv = shapely.get_num_coordinates(g)
        big = (nv > max_vertices) & (d < MAX_HALVINGS)
        out_g.append(g[~big])
        out_o.append(o[~big])
        out_d.append(d[~big])
        out_k.extend(k[i] for i in np.flatnonzero(~big))
        if not big.any():
            break
        at = np.flatnonzero(big)
        g, o, d = g[at], o[at], d[at]
        k = [k[i] for i in at]
        halves = halve(g)
        g, src, level, path = _flatten_traced(halves)
        n = len(at)
        half = (src >= n).astype(np.int64)
        parent = src % n
        o, d = o[parent], d[parent] + 1
        # polygonal_parts' order: single polygons first, then the parts of multi-part results (level by
        # level), each by the result it came from (half, then parent), then by its position in it
        k = [(int(lv), int(h), k[q], pa) for lv, h, q, pa in zip(level, half, parent, path)]
    pieces, piece_owner, piece_depth = np.concatenate(out_g), np.concatenate(out_o), np.concatenate(out_d)
    sort = sorted(range(len(pieces)), key=lambda i: (int(piece_depth[i]), out_k[i]))
    sort = np.asarray(sort, dtype=np.int64)
    return pieces[sort], piece_owner[sort], piece_depth[sort], [out_k[i] for i in sort]


def _flatten_traced(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple]]:
    """:func:`~sppr_gis.engine.polygonal_parts` of ``geoms`` (same parts, same order), with each part's
    flattening level (0: the geometry was a single polygon) and its positions in the multi-part
    geometries it came out of."""
    geoms = np.asarray(geoms, dtype=object)
    ok = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    g, src = geoms[ok], ok.astype(np.int64)
    level = np.zeros(len(g), dtype=np.int64)
    path: list[tuple] = [()] * len(g)
    while len(g):
        multi = np.isin(shapely.get_type_id(g), _MULTI_TYPES)
        if not multi.any():
            break
        parts, idx = shapely.get_parts(g[multi], return_index=True)
        first = np.searchsorted(idx, idx)  # get_parts lists each geometry's parts together, in order
        rank = np.arange(len(idx)) - first
        m = np.flatnonzero(multi)
        single = np.flatnonzero(~multi)
        path = [path[i] for i in single] + [path[m[j]] + (int(r),) for j, r in zip(idx, rank)]
        g = np.concatenate([g[single], parts])
        src = np.concatenate([src[single], src[m][idx]])
        level = np.concatenate([level[single], level[m][idx] + 1])
    keep = np.flatnonzero((shapely.get_type_id(g) == _POLY) & ~shapely.is_empty(g))
    return g[keep], src[keep], level[keep], [path[i] for i in keep]


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
    new = ~_found(source[cut][ring_piece[ring]], xy, src[opart], oxy)
    del oxy, opart
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


def _vertex_hash(owner: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """A 64-bit hash per vertex of (owner, x, y), equal for equal coordinates (``-0.0`` as ``0.0``)."""
    bits = (np.ascontiguousarray(xy, dtype=np.float64) + 0.0).view(np.uint64)  # + 0.0: -0.0 becomes 0.0
    with np.errstate(over="ignore"):
        h = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15)
        h ^= (h >> np.uint64(29)) ^ (bits[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F))
        h ^= (h >> np.uint64(32)) ^ (np.asarray(owner, dtype=np.int64).view(np.uint64) * np.uint64(0x165667B19E3779F9))
        h ^= h >> np.uint64(31)
    return h


def _found(owner: np.ndarray, xy: np.ndarray, o_owner: np.ndarray, o_xy: np.ndarray) -> np.ndarray:
    """Per vertex ``(owner[i], xy[i])``, whether some ``(o_owner[j], o_xy[j])`` equals it exactly.

    A sorted hash of the ``o`` vertices is searched and each hit compared coordinate for
    coordinate (so a hash collision never counts as found); where two different ``o`` vertices
    share a hash, a dictionary of exact triples decides. Same answer as a pandas merge on
    ``(owner, x, y)`` with a fraction of its time and memory.
    """
    if not len(owner):
        return np.zeros(0, dtype=bool)
    if not len(o_owner):
        return np.zeros(len(owner), dtype=bool)
    xy = np.ascontiguousarray(xy, dtype=np.float64) + 0.0
    o_xy = np.ascontiguousarray(o_xy, dtype=np.float64) + 0.0
    owner = np.asarray(owner, dtype=np.int64)
    o_owner = np.asarray(o_owner, dtype=np.int64)
    oh = _vertex_hash(o_owner, o_xy)
    order = np.argsort(oh)
    oh = oh[order]
    h = _vertex_hash(owner, xy)
    asked = np.argsort(h)  # sorted queries: the search walks the sorted hashes once
    at = np.empty(len(h), dtype=np.int64)
    at[asked] = np.minimum(np.searchsorted(oh, h[asked]), len(oh) - 1)
    j = order[at]
    found = (oh[at] == h) & (o_owner[j] == owner) & (o_xy[j, 0] == xy[:, 0]) & (o_xy[j, 1] == xy[:, 1])
    # a hash shared by different vertices (not merely a ring's first and last): the one searched may not
    # be the equal one; a dictionary of their exact triples decides
    k = np.flatnonzero(oh[1:] == oh[:-1])
    jk, jn = order[k], order[k + 1]
    differ = (o_owner[jk] != o_owner[jn]) | (o_xy[jk, 0] != o_xy[jn, 0]) | (o_xy[jk, 1] != o_xy[jn, 1])
    if differ.any():
        clash = np.unique(oh[k[differ]])
        ask = np.flatnonzero(~found & np.isin(h, clash))
        if len(ask):
            keep = order[np.isin(oh, clash)]
            exact = set(zip(o_owner[keep].tolist(), o_xy[keep, 0].tolist(), o_xy[keep, 1].tolist()))
            found[ask] = [t in exact for t in zip(owner[ask].tolist(), xy[ask, 0].tolist(), xy[ask, 1].tolist())]
    return found


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
    finer : FinerPieces or None
        When asked (:func:`cut_zones` with ``finer``): called, the pieces of the same polygons at a
        finer threshold with each piece's zone (the relocation index's pieces,
        ``sppr_gis.relocation.PermittedZones.pieces``), halved further from these. Not part of the
        zoning cache's entry (they are kept in a record of their own, :func:`sppr_gis.cache.keep_pieces`).
    """

    max_vertices: int
    pieces: np.ndarray
    owner: np.ndarray
    source: np.ndarray
    moved: np.ndarray
    moved_piece: np.ndarray
    finer: FinerPieces | None = None


def _pad(parts: np.ndarray) -> float:
    return 1e-3 + 1e-9 * float(np.abs(shapely.total_bounds(parts)).max()) if len(parts) else 1e-3


class FinerPieces:
    """The zones' pieces at a finer threshold (the relocation index's), computed when called from the
    engine's pieces by halving further only those over it (:func:`split_keyed`): the pieces and zones
    :func:`split_large` of the zones' parts gives at that threshold, in its order.

    Attributes
    ----------
    vertices : int
        The finer threshold.
    """

    def __init__(self, vertices: int, pieces: np.ndarray, owner: np.ndarray, depth: np.ndarray, keys: list[tuple]) -> None:
        self.vertices = int(vertices)
        self._args = (pieces, owner, depth, keys)

    def __call__(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(threshold, pieces, zone of each piece)."""
        pieces, owner, depth, keys = self._args
        got, got_owner, _d, _k = split_keyed(pieces, owner, self.vertices, depth, keys)
        return self.vertices, got, np.asarray(got_owner, dtype=np.int64)


def _root(key: tuple) -> int:
    """The polygon a piece was cut from, out of its :func:`split_keyed` key."""
    while len(key) == 4:
        key = key[2]
    return int(key[0])


def cut_zones(geoms: np.ndarray, max_vertices: int = DEFAULT_MAX_VERTICES, *, finer: int | None = None) -> ZoneCut:
    """Cut the zones' polygonal parts into pieces of at most ``max_vertices`` vertices.

    Parameters
    ----------
    geoms : array of shapely geometries
        Valid polygonal zone geometries (other parts are ignored).
    max_vertices : int
    finer : int, optional
        Also keep what cuts them later, from these pieces, into pieces of at most this many
        vertices (``ZoneCut.finer``, a :class:`FinerPieces`): the pieces and zones :func:`split_large`
        of the same parts gives at that threshold, for the price of the further halving only.

    Returns
    -------
    ZoneCut
    """
    parts, owner = polygonal_parts(np.asarray(geoms, dtype=object))
    extra = None
    if finer is None:
        pieces, piece_owner, source = split_large(parts, owner, max_vertices)
    else:
        pieces, piece_owner, depth, keys = split_keyed(parts, owner, max_vertices)
        source = np.array([_root(k) if dd > 0 else -1 for k, dd in zip(keys, depth)], dtype=np.int64)
        extra = FinerPieces(finer, pieces, piece_owner, depth, keys)
    moved, moved_piece = _moved_edges(pieces, source, parts, _pad(parts))
    return ZoneCut(int(max_vertices), pieces, np.asarray(piece_owner, dtype=np.int64), np.asarray(source, dtype=np.int64), moved, np.asarray(moved_piece, dtype=np.int64), extra)
