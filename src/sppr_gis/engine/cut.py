"""Large zone polygons cut into pieces for the engine (:class:`ZoneCut`, :func:`cut_zones`).

Part of :mod:`sppr_gis.engine` (moved from ``engine.py`` unchanged); import the names from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from sppr_gis.engine.parts import polygonal_parts
from sppr_gis.overlay import robust_overlay

#: Zone parts with more vertices are cut before intersecting. GEOS already clips
#: a polygon's rings to the other geometry's envelope inside each intersection,
#: so cutting only pays off for very large parts (see docs/benchmarks.md: on
#: 20,000 zones of up to 15,682 vertices cutting at 256 cost 1 s and saved
#: nothing; on a 200,000-vertex coastline cutting at 4,096 is 1.5x faster).
DEFAULT_MAX_VERTICES = 4096


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
    finer : (int, numpy.ndarray, numpy.ndarray) or None
        When asked (:func:`cut_zones` with ``finer``): the threshold, and the pieces of the same
        polygons cut at that threshold with each piece's zone (the relocation index's pieces,
        ``sppr_gis.relocation.PermittedZones.pieces``, cut in the same halving). Not part of the
        zoning cache's entry (they are kept in a record of their own, :func:`sppr_gis.cache.keep_pieces`).
    """

    max_vertices: int
    pieces: np.ndarray
    owner: np.ndarray
    source: np.ndarray
    moved: np.ndarray
    moved_piece: np.ndarray
    finer: tuple[int, np.ndarray, np.ndarray] | None = None


def _pad(parts: np.ndarray) -> float:
    return 1e-3 + 1e-9 * float(np.abs(shapely.total_bounds(parts)).max()) if len(parts) else 1e-3


def cut_zones(geoms: np.ndarray, max_vertices: int = DEFAULT_MAX_VERTICES, *, finer: int | None = None) -> ZoneCut:
    """Cut the zones' polygonal parts into pieces of at most ``max_vertices`` vertices.

    Parameters
    ----------
    geoms : array of shapely geometries
        Valid polygonal zone geometries (other parts are ignored).
    max_vertices : int
    finer : int, optional
        Also cut them into pieces of at most this many vertices, in the same halving
        (:func:`split_levels`), into ``ZoneCut.finer``: the pieces and zones
        :func:`split_large` of the same parts gives at that threshold.

    Returns
    -------
    ZoneCut
    """
    parts, owner = polygonal_parts(np.asarray(geoms, dtype=object))
    levels = split_levels(parts, owner, [max_vertices] if finer is None else [max_vertices, finer])
    pieces, piece_owner, source = levels[int(max_vertices)]
    moved, moved_piece = _moved_edges(pieces, source, parts, _pad(parts))
    extra = None if finer is None else (int(finer), levels[int(finer)][0], np.asarray(levels[int(finer)][1], dtype=np.int64))
    return ZoneCut(int(max_vertices), pieces, np.asarray(piece_owner, dtype=np.int64), np.asarray(source, dtype=np.int64), moved, np.asarray(moved_piece, dtype=np.int64), extra)
