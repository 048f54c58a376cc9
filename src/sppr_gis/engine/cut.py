"""Large zone polygons cut into pieces for the engine (:class:`ZoneCut`, :func:`cut_zones`).

Part of :mod:`sppr_gis.engine` (moved from ``engine.py`` unchanged); import the names from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
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
