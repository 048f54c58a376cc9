"""The zone-share engine: how much of each program lies in each zone code.

For each program p and zone code c the engine computes
``measure(p, c) = measure(p ∩ union of all zone polygons with code c)`` (area in m²
for polygons, length in m for lines, a line's stretches that run back over
themselves counted once; points split equally among the codes they touch), its share of ``measure(p)``, and the unzoned share
``u = 1 - measure(p ∩ union of all zones) / measure(p)``.

How it stays fast without forming any union of zones:

* zone (multi)polygons are exploded into parts and very large parts are cut
  into pieces of at most ``max_vertices`` vertices (recursive halving of the
  bounding box), so that no intersection pays for a 20,000-vertex coastline.
  A cut puts rounded vertices on the original edges it crosses; a program that
  comes within a millimetre of an edge ending at such a vertex is measured
  against the whole polygon instead, so cutting never changes an answer;
* one bulk ``STRtree.query(..., predicate="intersects")`` finds every
  (program, zone piece) pair;
* pairs where the (prepared) zone piece properly contains the program skip the
  intersection: the piece is the program itself;
* the remaining pairs are intersected in one vectorized call per chunk;
* pieces of one (program, code) are summed, except where they can overlap:
  line pieces along a seam shared by two polygons of the same code (or along a
  cut made above) are dissolved with ``shapely.node`` (overlapping collinear
  segments counted once), and polygon pieces are unioned only for codes whose
  polygons overlap each other (a data defect reported elsewhere);
* programs are processed in chunks on a thread pool: shapely releases the GIL
  inside GEOS, so both cores work.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

__all__ = ["DEFAULT_MAX_VERTICES", "ZoneIndex", "ShareResult", "PreparedPerThread", "compute_shares", "polygonal_parts", "linear_parts"]

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


class PreparedPerThread:
    """Prepared copies of a geometry array, one per thread.

    GEOS prepared geometries build their indexes lazily on first use, so one
    prepared geometry must not be used by two threads at once (it crashes).
    Each thread gets its own exact copy (WKB round trip), prepared once.

    Parameters
    ----------
    geoms : array of shapely geometries
        Shared, never prepared in place.
    """

    def __init__(self, geoms: np.ndarray) -> None:
        self.geoms = geoms
        self._local = threading.local()

    def get(self) -> np.ndarray:
        """This thread's prepared copy."""
        arr = getattr(self._local, "geoms", None)
        if arr is None:
            arr = shapely.from_wkb(shapely.to_wkb(self.geoms))
            shapely.prepare(arr)
            self._local.geoms = arr
        return arr


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


def _split_large(parts: np.ndarray, owner: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut polygons with more than ``max_vertices`` vertices by halving their bounding box.

    Returns the pieces, the owner of each piece and, for each piece, the position
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
        halves = np.concatenate([shapely.intersection(g, box_a), shapely.intersection(g, box_b)])
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
    timings : dict
        Seconds spent per stage.
    """

    pairs: pd.DataFrame
    measure: np.ndarray
    unzoned: np.ndarray
    dim: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


class ZoneIndex:
    """Zone polygons prepared for repeated share computations.

    Parameters
    ----------
    geoms : array of shapely geometries
        Valid polygonal zone geometries in a metric CRS (other parts are ignored).
    codes : array of str
        Zone code of each geometry.
    max_vertices : int
        Zone parts with more vertices are cut into smaller pieces.
    overlapping_codes : iterable of str, optional
        Codes whose own polygons overlap; their polygon pieces are unioned rather
        than summed. ``None`` means "assume any code may overlap".
    any_overlap : bool, optional
        Whether any two zone polygons overlap (decides how the zoned total of a
        polygon program is measured). ``None`` means "assume yes".
    """

    def __init__(
        self,
        geoms: np.ndarray,
        codes: np.ndarray,
        *,
        max_vertices: int = DEFAULT_MAX_VERTICES,
        overlapping_codes: Iterable[str] | None = None,
        any_overlap: bool | None = None,
    ) -> None:
        t0 = time.perf_counter()
        geoms = np.asarray(geoms, dtype=object)
        codes = np.asarray(codes, dtype=object).astype(str)
        self.code_values, code_idx = np.unique(codes, return_inverse=True)
        parts, owner = polygonal_parts(geoms)
        pieces, piece_owner, source = _split_large(parts, owner, max_vertices)
        # Cut polygons are kept whole too, after the pieces: a program that comes
        # near an edge the cut moved is measured against the whole polygon.
        whole = np.unique(source[source >= 0])
        self.n_pieces = len(pieces)
        self.pieces = pieces
        self.geoms = np.concatenate([pieces, parts[whole]])
        self.code = code_idx[np.concatenate([piece_owner, owner[whole]])].astype(np.int64)
        self.piece_whole = np.where(source >= 0, self.n_pieces + np.searchsorted(whole, np.maximum(source, 0)), -1)
        pad = 1e-3 + 1e-9 * float(np.abs(shapely.total_bounds(parts)).max()) if len(parts) else 1e-3
        moved, moved_piece = _moved_edges(pieces, source, parts, pad)
        self.moved_tree = shapely.STRtree(moved) if len(moved) else None
        self.moved_piece = moved_piece
        self.prepared = PreparedPerThread(self.geoms)
        self.tree = shapely.STRtree(self.pieces)
        if overlapping_codes is None:
            self.union_code = np.ones(len(self.code_values), dtype=bool)
        else:
            self.union_code = np.isin(self.code_values, list(overlapping_codes))
        self.any_overlap = True if any_overlap is None else bool(any_overlap)
        self.build_seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ chunks
    def _intersecting(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(program, zone geometry) pairs that intersect: bounding boxes from the tree,
        then the exact test against the prepared zone geometries (faster than a
        predicate query, which prepares the program instead).

        A program near an edge moved by a cut gets the whole polygon in place of
        all its pieces (one pair), so its measure is exact."""
        pi, zi = self.tree.query(geoms)
        if self.moved_tree is not None and len(pi):
            mp, me = self.moved_tree.query(geoms)
            if len(mp):
                near = self.piece_whole[self.moved_piece[me]]
                n_geoms = np.int64(len(self.geoms))
                near_key = np.unique(mp.astype(np.int64) * n_geoms + near)
                whole = self.piece_whole[zi]
                swap = (whole >= 0) & np.isin(pi.astype(np.int64) * n_geoms + whole, near_key)
                if swap.any():
                    zi = zi.copy()
                    zi[swap] = whole[swap]
                    key = np.unique(pi.astype(np.int64) * n_geoms + zi)
                    pi, zi = key // n_geoms, key % n_geoms
        hit = shapely.intersects(self.prepared.get()[zi], geoms[pi])
        return pi[hit], zi[hit]

    def _points(self, geoms: np.ndarray, pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """Shares of point programs (single or multi): returns pairs and unzoned weight."""
        parts, owner = _flatten(geoms, np.arange(len(geoms)))
        keep = ~shapely.is_empty(parts)
        parts, owner = parts[keep], owner[keep]
        n_parts = np.bincount(owner, minlength=len(geoms)).astype(float)
        weight = 1.0 / n_parts[owner]
        pi, zi = self._intersecting(parts)
        pc = pd.DataFrame({"part": pi, "code": self.code[zi]}).drop_duplicates()
        k = pc.groupby("part")["code"].transform("size").to_numpy()
        pc["prog"] = owner[pc["part"].to_numpy()]
        pc["measure"] = weight[pc["part"].to_numpy()] / k
        pairs = pc.groupby(["prog", "code"], as_index=False)["measure"].sum()
        hit = np.zeros(len(parts), dtype=bool)
        hit[pi] = True
        unzoned = np.bincount(owner[~hit], weights=weight[~hit], minlength=len(geoms))
        pairs["prog"] = pos[pairs["prog"].to_numpy()]
        return pairs, unzoned

    def _shapes(self, geoms: np.ndarray, dims: np.ndarray, pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """Shares of line and polygon programs: returns pairs and the zoned measure."""
        pi, zi = self._intersecting(geoms)
        g, z = geoms[pi], self.prepared.get()[zi]
        inside = shapely.contains_properly(z, g)
        pieces = g.copy()
        todo = ~inside
        if todo.any():
            pieces[todo] = shapely.intersection(g[todo], z[todo])
        d = dims[pi]
        meas = np.where(d == 2, shapely.area(pieces), shapely.length(pieces))
        keep = meas > 0
        pi, zi, pieces, meas, d = pi[keep], zi[keep], pieces[keep], meas[keep], d[keep]
        codes = self.code[zi]
        n_codes = len(self.code_values)
        key = pi.astype(np.int64) * n_codes + codes
        frame = pd.DataFrame({"key": key, "prog": pi, "code": codes, "measure": meas, "dim": d})
        size = frame.groupby("key")["key"].transform("size").to_numpy()
        multi = size > 1
        # Pieces of one (program, code) that may overlap: dissolve them.
        line_multi = multi & (d == 1)
        poly_multi = multi & (d == 2) & self.union_code[codes]
        exact = frame.loc[~(line_multi | poly_multi)].groupby(["prog", "code"], as_index=False)["measure"].sum()
        fixed = []
        if line_multi.any():
            fixed.append(_line_group_measure(pieces[line_multi], frame.loc[line_multi, ["prog", "code", "key"]]))
        if poly_multi.any():
            fixed.append(_poly_group_measure(pieces[poly_multi], frame.loc[poly_multi, ["prog", "code", "key"]]))
        pairs = pd.concat([exact, *fixed], ignore_index=True) if fixed else exact
        # Zoned total per program: measure of the program within the union of all zones.
        zoned = np.bincount(pi, weights=meas, minlength=len(geoms))
        prog_size = np.bincount(pi, minlength=len(geoms))
        line_many = (prog_size[pi] > 1) & (d == 1)
        if line_many.any():
            parts, owner = linear_parts(pieces[line_many], pi[line_many])
            progs = np.unique(owner)
            remap = np.searchsorted(progs, owner)
            merged = shapely.node(shapely.multilinestrings(parts, indices=remap))
            zoned[progs] = shapely.length(merged)
        if self.any_overlap:
            poly_many = (prog_size[pi] > 1) & (d == 2)
            if poly_many.any():
                sub = pd.Series(np.flatnonzero(poly_many)).groupby(pi[poly_many])
                for prog, rows in sub:
                    zoned[prog] = shapely.area(shapely.union_all(pieces[rows.to_numpy()]))
        pairs["prog"] = pos[pairs["prog"].to_numpy()]
        return pairs, zoned

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
        # A line that runs back over itself is measured as its point set (overlay
        # results dissolve the doubled stretch, so the total must too).
        lines = np.flatnonzero(dims == 1)
        if len(lines):
            nonsimple = lines[~shapely.is_simple(geoms[lines])]
            if len(nonsimple):
                geoms = geoms.copy()
                geoms[nonsimple] = shapely.node(geoms[nonsimple])
        measure = np.full(n, np.nan)
        measure[dims == 0] = 1.0
        measure[dims == 1] = shapely.length(geoms[dims == 1])
        measure[dims == 2] = shapely.area(geoms[dims == 2])
        degenerate = (dims > 0) & ~(measure > 0)
        measure[degenerate] = np.nan
        dims_eff = np.where(degenerate, -1, dims)

        workers = workers or os.cpu_count() or 1
        tasks: list[tuple[str, np.ndarray]] = []
        # Lines and polygons carry the cost: give each thread several of their
        # chunks (first, so the cheap point chunks fill the gaps at the end).
        for kind, mask in (("shape", dims_eff > 0), ("point", dims_eff == 0)):
            idx = np.flatnonzero(mask)
            size = chunk_size if kind == "point" else max(25, min(chunk_size, -(-len(idx) // (4 * workers))))
            for start in range(0, len(idx), size):
                tasks.append((kind, idx[start : start + size]))

        zoned = np.zeros(n)
        unzoned_pts = np.zeros(n)

        def run(task: tuple[str, np.ndarray]) -> tuple[str, np.ndarray, pd.DataFrame, np.ndarray]:
            kind, idx = task
            if kind == "point":
                pairs, unz = self._points(geoms[idx], idx)
            else:
                pairs, unz = self._shapes(geoms[idx], dims_eff[idx], idx)
            return kind, idx, pairs, unz

        frames = []
        if workers > 1 and len(tasks) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = pool.map(run, tasks)
                for kind, idx, pairs, unz in results:
                    frames.append(pairs)
                    (unzoned_pts if kind == "point" else zoned)[idx] = unz
                    if progress:
                        progress(len(idx))
        else:
            for task in tasks:
                kind, idx, pairs, unz = run(task)
                frames.append(pairs)
                (unzoned_pts if kind == "point" else zoned)[idx] = unz
                if progress:
                    progress(len(idx))
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
        timings = {"index": self.build_seconds, "shares": t1 - t0, "assemble": time.perf_counter() - t1}
        return ShareResult(pairs=pairs, measure=measure, unzoned=unzoned, dim=dims_eff, timings=timings)


def _line_group_measure(pieces: np.ndarray, keys: pd.DataFrame) -> pd.DataFrame:
    """Length of each group's line pieces with overlapping stretches counted once."""
    key = keys["key"].to_numpy()
    groups, inverse = np.unique(key, return_inverse=True)
    parts, owner = linear_parts(pieces, inverse)
    merged = shapely.node(shapely.multilinestrings(parts, indices=owner))
    length = np.zeros(len(groups))
    length[: len(merged)] = shapely.length(merged)  # one collection per index 0..max(owner)
    first = pd.Series(np.arange(len(key))).groupby(inverse).first().to_numpy()
    return pd.DataFrame({"prog": keys["prog"].to_numpy()[first], "code": keys["code"].to_numpy()[first], "measure": length})


def _poly_group_measure(pieces: np.ndarray, keys: pd.DataFrame) -> pd.DataFrame:
    """Area of the union of each group's polygon pieces (for codes whose zones overlap)."""
    rows = []
    for (prog, code), sub in keys.reset_index(drop=True).groupby(["prog", "code"]):
        rows.append((prog, code, shapely.area(shapely.union_all(pieces[sub.index.to_numpy()]))))
    return pd.DataFrame(rows, columns=["prog", "code", "measure"])


def compute_shares(
    zone_geoms: np.ndarray,
    zone_codes: np.ndarray,
    program_geoms: np.ndarray,
    *,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    workers: int | None = None,
    overlapping_codes: Iterable[str] | None = None,
    any_overlap: bool | None = None,
) -> ShareResult:
    """Zone shares of programs in one call (builds a :class:`ZoneIndex`).

    Parameters
    ----------
    zone_geoms, zone_codes : arrays
        Zone polygons (valid, metric CRS) and their codes.
    program_geoms : array
        Program geometries in the same CRS.
    max_vertices : int
        Zone parts with more vertices are cut before intersecting.
    workers : int, optional
        Threads.
    overlapping_codes, any_overlap : optional
        Topology facts about the zoning (see :class:`ZoneIndex`); by default the
        engine assumes overlaps may exist, which is always correct but slower.

    Returns
    -------
    ShareResult
    """
    index = ZoneIndex(zone_geoms, zone_codes, max_vertices=max_vertices, overlapping_codes=overlapping_codes, any_overlap=any_overlap)
    return index.shares(program_geoms, workers=workers)
