"""Relocation advice (``saran_relokasi``): the nearest zone where a program's activity is permitted.

For every program whose status is ``tidak_sesuai``: among the zone codes whose
ITBX cell for the program's activity is ``I``, the code c nearest to the program,
``jarak_m`` = distance(program, union of the polygons with code c) (0 when part
of the program already lies in such a zone) and the nearest point of that union.
Beyond ``max_distance`` (default 2000 m) the advice is empty.

The distance to a union of polygons is the smallest distance to any of them
(``d(p, A ∪ B) = min(d(p, A), d(p, B))``), so no union is formed: one
``STRtree`` per activity over the polygons of its permitted codes gives every
piece at the smallest distance within ``max_distance`` (every tie, as shapely's
``query_nearest(all_matches=True)`` does; :func:`nearest_pieces` computes the
GEOS distance only for the pieces whose boxes are no farther than one piece's
distance); GEOS's distance is the exact Euclidean distance between the
geometries (PostGIS ``ST_Distance`` computes the same). Ties between codes go to
the code that sorts first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.engine import split_large, polygonal_parts
from sppr_gis.i18n import _
from sppr_gis.overlay import make_valid
from sppr_gis.rules import Rules, activity_key
from sppr_gis.text import angka
from sppr_gis.vocabulary import DEFAULT_RELOCATION_DISTANCE

__all__ = ["DEFAULT_RELOCATION_DISTANCE", "PermittedZones", "first_intersecting", "nearest_in_tree", "nearest_pieces", "permitted_index", "relocation_advice", "RELOCATION_COLUMNS"]

#: Metres: no advice beyond this distance (``--relocation-distance``): :data:`sppr_gis.vocabulary.DEFAULT_RELOCATION_DISTANCE`.
#: Permitted polygons are indexed in pieces of at most this many vertices.
CUT_VERTICES = 2048
#: Programs of one activity measured together by one thread (the threads take the chunks largest first).
RELOCATION_CHUNK = 1000
#: Columns of the ``saran_relokasi`` layer (plus its geometry, the nearest point).
RELOCATION_COLUMNS = ["program_id", "kegiatan", "zone_code", "jarak_m", "keterangan"]


class PermittedZones:
    """Zone polygons indexed per activity: one ``STRtree`` over the polygons of the codes whose cell is ``I``.

    Trees are built on first use and kept, so a loaded zoning answers many
    single-site queries without rebuilding.

    Parameters
    ----------
    geoms : array of shapely geometries
        Zone polygons (valid, metric CRS).
    codes : array of str
        Zone code of each polygon.
    rules : Rules
        The ITBX matrix.
    cut_vertices : int or None
        Polygons with more vertices are indexed in pieces of at most this many
        (worth it for many programs; ``None`` for a few, e.g. one site).
    zoning_key : str, optional
        The zoning cache entry's key of the zoning ``geoms`` are the zones of
        (``PreparedZoning.key``): the pieces are then reused from a record next to
        that entry (:func:`sppr_gis.cache.load_pieces`), or cut and kept there; the
        same pieces in the same order either way. None (or ``SPPR_NO_CACHE``): cut here.
    """

    def __init__(self, geoms: np.ndarray, codes: np.ndarray, rules: Rules, *, cut_vertices: int | None = None, zoning_key: str | None = None) -> None:
        geoms = np.asarray(geoms, dtype=object)
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.geoms = geoms[ok]
        # zoning codes as the matrix spells them ('k' is the matrix's 'K')
        # (looked up once per distinct code: the same array as one lookup per polygon)
        distinct, at = np.unique(np.asarray(codes, dtype=object)[ok].astype(str), return_inverse=True)
        self.codes = np.array([rules.zone_column(c) or c for c in distinct], dtype=object).astype(str)[at.reshape(-1)]
        self.rules = rules
        self._trees: dict[str, tuple[shapely.STRtree | None, np.ndarray]] = {}
        self._codes: dict[str, list[str]] = {}
        self._pieces: tuple[np.ndarray, np.ndarray] | None = None
        self.cut_vertices = cut_vertices
        self.zoning_key = zoning_key
        self._shipped: Any = None

    def ship(self, client: Any) -> Any:
        """The pieces sent to every worker of ``client`` once (:class:`sppr_gis.cluster.ShippedPieces`), kept for later calls."""
        from sppr_gis.cluster import ShippedPieces

        if self._shipped is None or self._shipped.client is not client:
            self._shipped = ShippedPieces(client, self.pieces()[0])
        return self._shipped

    def shipped_to(self, client: Any) -> bool:
        """Whether :meth:`ship` sent the pieces to ``client``'s workers already."""
        return self._shipped is not None and self._shipped.client is client

    @property
    def shipped_to_any(self) -> bool:
        """Whether :meth:`ship` sent the pieces to some cluster."""
        return self._shipped is not None

    def permitted_codes(self, activity: object) -> list[str]:
        """Zone codes whose cell for ``activity`` is ``I`` (sorted)."""
        key = activity_key(activity)
        if key not in self._codes:
            self._codes[key] = sorted(z for (a, z), c in self.rules.cells.items() if a == key and c.cls == "I")
        return self._codes[key]

    def pieces(self) -> tuple[np.ndarray, np.ndarray]:
        """All polygons as single parts, cut into pieces of at most ``cut_vertices`` vertices (once), and each piece's polygon.

        The pieces cover each polygon exactly, so the distance to a polygon is the
        smallest distance to its pieces; small pieces keep each distance cheap.
        With :attr:`zoning_key` they come from the zoning cache when an earlier run cut them.
        """
        if self._pieces is None:
            from sppr_gis import cache

            use = self.zoning_key is not None and self.cut_vertices is not None and cache.enabled()
            kept = cache.load_pieces(self.zoning_key, self.cut_vertices, self.geoms) if use else None  # type: ignore[arg-type]
            if kept is not None:
                self._pieces = kept
                return self._pieces
            parts, owner = polygonal_parts(self.geoms)
            if self.cut_vertices is not None:
                parts, owner, _ = split_large(parts, owner, self.cut_vertices)
            self._pieces = (parts, owner.astype(np.int64))
            if use:
                cache.keep_pieces(self.zoning_key, self.cut_vertices, self.geoms, *self._pieces)  # type: ignore[arg-type]
        return self._pieces

    def tree(self, activity: object) -> tuple[shapely.STRtree | None, np.ndarray]:
        """The tree over the permitted polygons of ``activity`` (cut into pieces of at most
        ``cut_vertices`` vertices) and, per piece, its polygon's position in :attr:`geoms`."""
        key = activity_key(activity)
        if key not in self._trees:
            permitted = self.permitted_codes(activity)
            if not permitted:
                self._trees[key] = (None, np.zeros(0, dtype=np.int64))
            else:
                pieces, owner = self.pieces()
                sel = np.flatnonzero(np.isin(self.codes[owner], permitted))
                self._trees[key] = (shapely.STRtree(pieces[sel]) if len(sel) else None, owner[sel])
        return self._trees[key]

    def nearest(self, geoms: np.ndarray, activity: object, max_distance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest permitted zone code of each geometry, within ``max_distance``.

        Parameters
        ----------
        geoms : array of shapely geometries
            Programs (metric CRS, same as the zones), all with this activity.
        activity : object
            The activity.
        max_distance : float
            Metres.

        Returns
        -------
        codes : numpy.ndarray
            Nearest code (None where nothing is within ``max_distance``).
        distance : numpy.ndarray
            Distance in m (NaN where none).
        point : numpy.ndarray
            Nearest point of that code's polygons (None where none).
        """
        tree, owner = self.tree(activity)
        return nearest_in_tree(tree, self.codes[owner], geoms, max_distance)

    def tree_pieces(self, activity: object) -> tuple[np.ndarray, np.ndarray]:
        """Positions in :meth:`pieces` of the pieces in ``activity``'s tree, in the tree's order, and their codes."""
        pieces, owner = self.pieces()
        permitted = self.permitted_codes(activity)
        sel = np.flatnonzero(np.isin(self.codes[owner], permitted)) if permitted else np.zeros(0, dtype=np.int64)
        return sel, self.codes[owner[sel]]


def _box_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance between boxes (xmin, ymin, xmax, ymax), row by row (0 where they meet)."""
    dx = np.maximum(0.0, np.maximum(b[:, 0] - a[:, 2], a[:, 0] - b[:, 2]))
    dy = np.maximum(0.0, np.maximum(b[:, 1] - a[:, 3], a[:, 1] - b[:, 3]))
    return np.hypot(dx, dy)


def nearest_pieces(tree: shapely.STRtree, geoms: np.ndarray, max_distance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every tree geometry at the smallest distance from each geometry, within ``max_distance``.

    The pairs and distances of ``tree.query_nearest(geoms, max_distance=max_distance,
    return_distance=True, all_matches=True)`` (ties included), with fewer distances computed: the
    distance to the piece whose box is nearest among those found within a growing radius bounds a
    geometry's nearest distance from above, and GEOS's distance (the one ``query_nearest``
    computes) is then computed only for the pieces whose boxes are no farther than that bound (a
    piece is never nearer than its box). Those are measured in rounds, each geometry's pieces in the
    order of their boxes' distance, one per round, until the next box is farther than the smallest
    distance found so far: no piece beyond it can be nearer, or tie.

    Parameters
    ----------
    tree : shapely.STRtree
        The pieces.
    geoms : numpy.ndarray of shapely geometries
        Non-empty geometries (same CRS).
    max_distance : float
        Metres (> 0).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Position in ``geoms``, position in the tree and distance of every nearest pair.
    """
    geoms = np.asarray(geoms, dtype=object)
    pieces = tree.geometries
    max_distance = float(max_distance)
    qb = shapely.bounds(geoms)
    pb = shapely.bounds(pieces)
    bound = np.full(len(geoms), np.inf)
    bound_piece = np.full(len(geoms), -1, dtype=np.int64)  # the piece whose distance is the bound
    todo = np.arange(len(geoms))
    # an upper bound per geometry: the distance to the piece with the nearest box among those whose
    # boxes come within a radius (growing to max_distance; none within it: no piece within it either)
    for radius in (max_distance / 64.0, max_distance / 8.0, max_distance):
        if not len(todo):
            break
        b = qb[todo]
        ci, cj = tree.query(shapely.box(b[:, 0] - radius, b[:, 1] - radius, b[:, 2] + radius, b[:, 3] + radius))
        if not len(ci):
            continue
        order = np.lexsort((_box_distance(b[ci], pb[cj]), ci))
        first = order[np.r_[True, ci[order][1:] != ci[order][:-1]]]
        q = todo[ci[first]]
        bound[q] = shapely.distance(geoms[q], pieces[cj[first]])
        bound_piece[q] = cj[first]
        todo = np.delete(todo, ci[first])
    q = np.flatnonzero(np.isfinite(bound))
    if not len(q):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    known = (bound_piece[q], bound[q])  # measured already: not measured again
    bound = np.minimum(bound[q], max_distance)
    # the pieces whose boxes come within the bound (a margin for the boxes' rounding: the distances decide)
    b = qb[q]
    ci, cj = tree.query(shapely.box(b[:, 0] - bound, b[:, 1] - bound, b[:, 2] + bound, b[:, 3] + bound))
    bd = _box_distance(b[ci], pb[cj])
    keep = bd <= bound[ci] * (1.0 + 1e-9) + 1e-9
    ci, cj, bd = ci[keep], cj[keep], bd[keep]
    dist, best = _nearest_rounds(geoms[q], pieces, ci, cj, bd, known)
    keep = ~np.isnan(dist)
    keep[keep] = (dist[keep] == best[ci[keep]]) & (dist[keep] <= max_distance)
    return q[ci[keep]], cj[keep], dist[keep]


def _nearest_rounds(
    geoms: np.ndarray, pieces: np.ndarray, ci: np.ndarray, cj: np.ndarray, bd: np.ndarray, known: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """GEOS distances of the candidate pairs (``geoms[ci]``, ``pieces[cj]``) that can hold a geometry's nearest piece.

    Each geometry's candidates are taken in the order of their box distance ``bd`` (then by piece),
    one per round for all geometries at once; a geometry stops when its next box is farther than
    the smallest distance it has found (with the margin :func:`nearest_pieces` gives the boxes'
    rounding). A piece is never nearer than its box, so every piece at the smallest distance (ties
    included) is measured. ``known`` is, per geometry, one piece and its distance measured before
    (:func:`nearest_pieces`' bound): the smallest distance starts there, and that pair is not
    measured again. Returns the distance of each pair (NaN: not measured) and each geometry's
    smallest distance.
    """
    known_piece, known_dist = known
    dist = np.full(len(ci), np.nan)
    best = np.array(known_dist, dtype=float)
    if not len(ci):
        return dist, best
    order = np.lexsort((cj, bd, ci))
    starts = np.r_[0, np.flatnonzero(ci[order][1:] != ci[order][:-1]) + 1]
    ends = np.r_[starts[1:], len(order)]
    at = starts.copy()  # each geometry's next candidate (a position in order)
    live = np.arange(len(starts))
    while len(live):
        k = order[at[live]]
        again = cj[k] == known_piece[ci[k]]
        d = known_dist[ci[k]].copy()
        d[~again] = shapely.distance(geoms[ci[k[~again]]], pieces[cj[k[~again]]])
        dist[k] = d
        best[ci[k]] = np.minimum(best[ci[k]], d)  # one pair per geometry in a round
        at[live] += 1
        live = live[at[live] < ends[live]]
        nxt = order[at[live]]
        live = live[bd[nxt] <= best[ci[nxt]] * (1.0 + 1e-9) + 1e-9]
    return dist, best


def first_intersecting(tree: shapely.STRtree, tree_codes: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each geometry that intersects a tree geometry: the first one it intersects in the order
    (code, position in the tree), the one the advice takes among those at distance 0.

    The candidates (boxes meeting) of all geometries are tested in rounds, each geometry's next
    candidate in that order per round, until one intersects: the same answer as testing every
    candidate (``tree.query(geoms, predicate="intersects")``) and taking the first, with fewer tests.

    Parameters
    ----------
    tree : shapely.STRtree
    tree_codes : numpy.ndarray of str
        The code of each tree geometry (in the tree's order).
    geoms : numpy.ndarray of shapely geometries

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Positions in ``geoms`` of those that intersect a tree geometry, and that geometry's position in the tree.
    """
    geoms = np.asarray(geoms, dtype=object)
    qi, ti = tree.query(geoms)
    if not len(qi):
        return qi, ti
    _, rank = np.unique(np.asarray(tree_codes, dtype=object), return_inverse=True)  # codes in sort order
    order = np.lexsort((ti, rank.reshape(-1)[ti], qi))
    qi, ti = qi[order], ti[order]
    starts = np.r_[0, np.flatnonzero(qi[1:] != qi[:-1]) + 1]
    ends = np.r_[starts[1:], len(qi)]
    at = starts.copy()  # each geometry's next candidate
    live = np.arange(len(starts))
    found_q, found_t = [], []
    pieces = tree.geometries
    while len(live):
        k = at[live]
        hit = shapely.intersects(geoms[qi[k]], pieces[ti[k]])
        found_q.append(qi[k[hit]])
        found_t.append(ti[k[hit]])
        at[live] += 1
        live = live[~hit & (at[live] < ends[live])]
    return np.concatenate(found_q), np.concatenate(found_t)


def nearest_in_tree(tree: shapely.STRtree | None, tree_codes: np.ndarray, geoms: np.ndarray, max_distance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`PermittedZones.nearest` on one activity's tree: its pieces' codes ``tree_codes`` (in the tree's order).

    Parameters
    ----------
    tree : shapely.STRtree or None
        The permitted pieces (None: nothing is permitted).
    tree_codes : numpy.ndarray of str
        The zone code of each of the tree's geometries.
    geoms : numpy.ndarray of shapely geometries
        Programs (same CRS).
    max_distance : float
        Metres.

    Returns
    -------
    codes, distance, point : numpy.ndarray
        As :meth:`PermittedZones.nearest`.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    codes = np.full(n, None, dtype=object)
    dist = np.full(n, np.nan)
    point = np.full(n, None, dtype=object)
    ok = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if tree is None or not len(ok):
        return codes, dist, point
    pieces = tree.geometries
    # programs that already meet a permitted zone: distance 0 (no nearest-neighbour search)
    qi, ti = first_intersecting(tree, tree_codes, geoms[ok])
    hit = np.zeros(len(ok), dtype=bool)
    hit[qi] = True
    rest = np.flatnonzero(~hit)
    rows = [pd.DataFrame({"q": ok[qi], "p": ti, "d": 0.0})]
    if len(rest) and float(max_distance) > 0.0:
        ri, rt, d = nearest_pieces(tree, geoms[ok[rest]], max_distance)
        rows.append(pd.DataFrame({"q": ok[rest[ri]], "p": rt, "d": d}))
    elif len(rest):  # (shapely refuses a max_distance of 0, as before)
        (ri, rt), d = tree.query_nearest(geoms[ok[rest]], max_distance=float(max_distance), return_distance=True, all_matches=True)
        keep = d <= max_distance
        rows.append(pd.DataFrame({"q": ok[rest[ri[keep]]], "p": rt[keep], "d": d[keep]}))
    frame = pd.concat(rows, ignore_index=True)
    if not len(frame):
        return codes, dist, point
    frame["code"] = np.asarray(tree_codes, dtype=object)[frame["p"].to_numpy()]
    best = frame.sort_values(["q", "d", "code", "p"], kind="stable").drop_duplicates("q")
    q, piece = best["q"].to_numpy(), best["p"].to_numpy()
    codes[q] = best["code"].to_numpy(dtype=object)
    dist[q] = best["d"].to_numpy()
    point[q] = shapely.get_point(shapely.shortest_line(geoms[q], pieces[piece]), 1)
    return codes, dist, point


def _note(activity: object, code: str | None, distance: float, permitted: Sequence[str], max_distance: float) -> str:
    name = str(activity) if activity_key(activity) else "(kosong)"
    if code is not None:
        if distance == 0.0:
            return f"Sebagian lokasi sudah berada di zona {code} yang mengizinkan (I) kegiatan '{name}'; geser/batasi lokasi ke bagian itu."
        return f"Zona terdekat yang mengizinkan (I) kegiatan '{name}': {code}, berjarak {angka(distance, 1)} m."
    if not permitted:
        return f"Kegiatan '{name}' tidak diizinkan (I) di zona mana pun menurut matriks ITBX; perlu kajian lokasi lain."
    return f"Tidak ada zona yang mengizinkan (I) kegiatan '{name}' ({', '.join(permitted)}) dalam {angka(max_distance, 0)} m."


def relocation_advice(
    programs: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | PermittedZones,
    rules: Rules,
    *,
    max_distance: float = DEFAULT_RELOCATION_DISTANCE,
    id_field: str = "program_id",
    activity_field: str = "kegiatan_itbx",
    status_field: str = "status",
    geoms: np.ndarray | None = None,
    workers: int | None = None,
    client: Any = None,
    zoning_key: str | None = None,
) -> gpd.GeoDataFrame:
    """The ``saran_relokasi`` layer: one row per ``tidak_sesuai`` program.

    Parameters
    ----------
    programs : geopandas.GeoDataFrame
        Assessed programs (e.g. ``CheckResult.programs``), in the zones' metric CRS.
    zones : geopandas.GeoDataFrame or PermittedZones
        The zoning used (``CheckResult.zones``: ``zone_code`` and geometry), or
        an index built from it once.
    rules : Rules
        The ITBX matrix.
    max_distance : float
        Metres; no advice beyond it (finite, >= 0).
    id_field, activity_field, status_field : str
        Columns of ``programs``: id, activity (default ``kegiatan_itbx``, the
        activity as the matrix names it), status.
    geoms : numpy.ndarray, optional
        Geometries to measure instead of ``programs``' own (e.g. the repaired ones).
    workers : int, optional
        Threads (default: all CPUs).
    client : distributed.Client, optional
        Find the nearest permitted zones on this dask.distributed cluster
        (:func:`sppr_gis.cluster.distributed_nearest`: the cut pieces sent to each worker once,
        one task per chunk of one activity's programs); the layer equals a local run's.
    zoning_key : str, optional
        The zoning cache entry's key of ``zones`` (``CheckResult.zoning_key``): the cut pieces
        are reused from the cache, or kept there (see :class:`PermittedZones`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``program_id``, ``kegiatan``, ``zone_code`` (empty beyond the distance),
        ``jarak_m`` (m; empty beyond it), ``keterangan``; geometry the nearest
        point of that zone code's polygons.

    Notes
    -----
    The steps, in order: the zones by permitted activity (``_permitted_index``), the
    ``tidak_sesuai`` programs' geometries (``_unfit_geometries``), the nearest permitted zone
    per activity (``_nearest_by_activity``), the notes (``_note``), the rows (``_advice_frame``).
    """
    if not (np.isfinite(float(max_distance)) and float(max_distance) >= 0.0):
        raise ValueError(_("relocation distance must be a finite number >= 0, got {max_distance}").format(max_distance=max_distance))
    crs = programs.crs
    index = _permitted_index(zones, rules, zoning_key)
    pos, g = _unfit_geometries(programs, status_field, geoms)
    acts = programs[activity_field].to_numpy(dtype=object)[pos] if activity_field in programs.columns else np.full(len(pos), None, dtype=object)
    codes, dist, point = _nearest_by_activity(index, g, acts, max_distance, workers, client)
    notes = [_note(a, c, d, index.permitted_codes(a), max_distance) for a, c, d in zip(acts, codes, dist)]
    return _advice_frame(programs, pos, id_field, acts, codes, dist, notes, point, crs)


# relocation_advice()'s steps, in order: _permitted_index, _unfit_geometries, _nearest_by_activity,
# the notes (_note), _advice_frame.


def _permitted_index(zones: gpd.GeoDataFrame | PermittedZones, rules: Rules, zoning_key: str | None = None) -> PermittedZones:
    """The zones indexed by the activities they permit (given, or built here; its pieces kept under ``zoning_key``)."""
    return (
        zones
        if isinstance(zones, PermittedZones)
        else PermittedZones(np.asarray(zones.geometry.array, dtype=object), zones["zone_code"].to_numpy(dtype=object), rules, cut_vertices=CUT_VERTICES, zoning_key=zoning_key)
    )


def permitted_index(zones: gpd.GeoDataFrame, rules: Rules, client: Any = None, *, zoning_key: str | None = None) -> PermittedZones:
    """The index :func:`relocation_advice` builds of ``zones``, cut (and with ``client``, its pieces
    sent to the workers) now: e.g. while the workers compute the shares.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        ``zone_code`` and geometry (``CheckResult.zones``).
    rules : Rules
        The ITBX matrix.
    client : distributed.Client, optional
    zoning_key : str, optional
        The zoning cache entry's key of ``zones``: the pieces reused from the cache or kept there.

    Returns
    -------
    PermittedZones
    """
    index = _permitted_index(zones, rules, zoning_key)
    index.pieces()
    if client is not None:
        index.ship(client)
    return index


def _unfit_geometries(programs: gpd.GeoDataFrame, status_field: str, geoms: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``tidak_sesuai`` programs and their geometries (2D, made valid)."""
    pos = np.flatnonzero((programs[status_field] == "tidak_sesuai").to_numpy(dtype=bool))
    all_geoms = np.asarray(programs.geometry.array if geoms is None else geoms, dtype=object)
    g = all_geoms[pos] if len(pos) else np.empty(0, dtype=object)
    if len(g) and bool(shapely.has_z(g).any()):  # the readers give 2D already: no second copy of every geometry then
        g = shapely.force_2d(g)
    bad = np.flatnonzero(~shapely.is_valid(g) & ~shapely.is_missing(g))
    if len(bad):
        g = g.copy()
        g[bad] = make_valid(g[bad], method="linework", what="programs")
    return pos, g


def _nearest_by_activity(index: PermittedZones, g: np.ndarray, acts: np.ndarray, max_distance: float, workers: int | None, client: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per program, the nearest permitted zone code, its distance and nearest point (chunks of one
    activity's programs in threads, or as tasks on ``client``'s cluster)."""
    codes = np.full(len(g), None, dtype=object)
    dist = np.full(len(g), np.nan)
    point = np.full(len(g), None, dtype=object)
    keys = np.array([activity_key(a) for a in acts], dtype=object)
    groups = [np.flatnonzero(keys == key) for key in sorted(set(keys))]
    index.pieces()  # cut once, before the threads share it
    if client is not None and len(groups):
        from sppr_gis.cluster import distributed_nearest

        # the same chunks as the threads take, one task each, largest first; each activity's pieces
        # in its tree's order, so that ties are broken as here
        activities = [index.tree_pieces(acts[at[0]]) for at in groups]
        tasks = sorted(((k, at[i : i + RELOCATION_CHUNK]) for k, at in enumerate(groups) for i in range(0, len(at), RELOCATION_CHUNK)), key=lambda t: len(t[1]), reverse=True)
        codes, dist, point, _ = distributed_nearest(client, index.ship(client), activities, tasks, g, max_distance, nearest_in_tree)
        return codes, dist, point
    for at in groups:  # each activity's tree built once, before the threads share it
        index.tree(acts[at[0]])
    # each program's answer depends on its own geometry and activity only: the activities' programs
    # go to the threads in chunks, largest first, so that the threads finish together
    groups = sorted((at[i : i + RELOCATION_CHUNK] for at in groups for i in range(0, len(at), RELOCATION_CHUNK)), key=len, reverse=True)

    def run(at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (at, *index.nearest(g[at], acts[at[0]], max_distance))

    n_workers = min(workers or os.cpu_count() or 1, len(groups))
    if n_workers > 1:  # GEOS releases the GIL: one activity per thread
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            found = list(pool.map(run, groups))
    else:
        found = [run(at) for at in groups]
    for at, c, d, pt in found:
        codes[at], dist[at], point[at] = c, d, pt
    return codes, dist, point


def _advice_frame(
    programs: gpd.GeoDataFrame, pos: np.ndarray, id_field: str, acts: np.ndarray, codes: np.ndarray, dist: np.ndarray, notes: list[str], point: np.ndarray, crs: object
) -> gpd.GeoDataFrame:
    """The ``saran_relokasi`` rows."""
    ids = programs[id_field].to_numpy(dtype=object)[pos] if id_field in programs.columns else pos + 1
    frame = pd.DataFrame(
        {
            "program_id": pd.array([None if v is None else str(v) for v in ids], dtype="string"),
            "kegiatan": pd.array([None if a is None or (isinstance(a, float) and np.isnan(a)) else str(a) for a in acts], dtype="string"),
            "zone_code": pd.array(codes, dtype="string"),
            "jarak_m": dist,
            "keterangan": notes,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(point, crs=crs).values, crs=CRS.from_user_input(crs) if crs is not None else None)
