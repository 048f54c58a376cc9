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

# The engine's parts live in submodules; every name stays importable from here (re-exports).
from sppr_gis.engine.cut import (  # noqa: F401
    DEFAULT_MAX_VERTICES,
    ZoneCut,
    _moved_edges,
    _pad,
    cut_zones,
    split_large,
)
from sppr_gis.engine.lines import (  # noqa: F401
    BOUNDARY_RUN,
    COLLINEAR_TOLERANCE,
    EXPAND_BUDGET,
    PREPARE_VERTICES,
    LineMeter,
    PreparedPieces,
)
from sppr_gis.engine.parts import (  # noqa: F401
    _LINE_TYPES,
    _MULTI_TYPES,
    _POLY,
    PART_NAMES,
    ProgramParts,
    _flatten,
    group_union_area,
    interval_union_length,
    linear_parts,
    polygonal_parts,
    program_parts,
)
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

Progress = Callable[[int], None]


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
            # overlap_keys is sorted and unique: a binary search per key (np.isin sorted the zoning's
            # tens of thousands of keys again on every call: 30 ms a polygon chunk)
            hit = _sorted_isin(key, self.overlap_keys)
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

    def _run_tasks(
        self, geoms: np.ndarray, tasks: list[tuple[int, np.ndarray]], n: int, workers: int, snapped_all: list[np.ndarray], progress: Progress | None
    ) -> tuple[list[pd.DataFrame], np.ndarray, np.ndarray]:
        """Run the chunks (on a thread pool when there are several): their pairs, zoned measure, unzoned point weight."""
        runner = {0: self._points, 1: self._lines, 2: self._polygons}

        zoned = np.zeros(n)
        unzoned_pts = np.zeros(n)

        def run(task: tuple[int, np.ndarray]) -> tuple[int, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray] | None:
            dim, idx = task
            if dim == -1:  # the line meter, built while other threads measure
                self.line_meter()
                release_memory()
                return None
            pairs, value, snapped = runner[dim](geoms[idx], idx)
            return dim, idx, pairs, value, snapped

        frames = []

        def collect(result: tuple[int, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray] | None) -> None:
            if result is None:
                return
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
        return frames, zoned, unzoned_pts

    def _pairs_table(self, frames: list[pd.DataFrame], measure: np.ndarray) -> pd.DataFrame:
        """The chunks' (program, code, measure) rows as :attr:`ShareResult.pairs`."""
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
        return pairs.sort_values(["prog", "zone_code"], kind="stable").reset_index(drop=True)

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

        Notes
        -----
        The steps, in order: each program's own measure and dimension (``_program_measures``),
        the line meter built once, the chunks (``_chunk_tasks``) run on the threads
        (``_run_tasks``), the pairs table (``_pairs_table``), the unzoned shares (``_unzoned_shares``).
        """
        t0 = time.perf_counter()
        geoms = np.asarray(geoms, dtype=object)
        n = len(geoms)
        snapped_all: list[np.ndarray] = []
        geoms, measure, dims_eff = _program_measures(geoms, snapped_all)
        workers = workers or os.cpu_count() or 1
        tasks = _chunk_tasks(dims_eff, workers, chunk_size)
        if (dims_eff == 1).any() and self._line_meter is None:
            if workers > 1 and len(tasks) > 1 and (dims_eff == 0).any():
                # built once, by one thread, while the others measure the points (cheap in memory,
                # so the build's peak is not added to a polygon chunk's); then the lines, then the
                # polygons (each chunk's answer is its own)
                tasks = [(-1, np.zeros(0, dtype=np.int64))] + sorted(tasks, key=lambda t: t[0])  # stable: chunks in order
            else:
                self.line_meter()  # built once, here, before the threads start
                release_memory()
        frames, zoned, unzoned_pts = self._run_tasks(geoms, tasks, n, workers, snapped_all, progress)
        t1 = time.perf_counter()
        pairs = self._pairs_table(frames, measure)
        unzoned = _unzoned_shares(n, dims_eff, unzoned_pts, zoned, measure)
        snapped = np.unique(np.concatenate(snapped_all)).astype(np.int64) if snapped_all else np.zeros(0, dtype=np.int64)
        timings = {"index": self.build_seconds, "shares": t1 - t0, "assemble": time.perf_counter() - t1}
        return ShareResult(pairs=pairs, measure=measure, unzoned=unzoned, dim=dims_eff, snapped=snapped, timings=timings)


def _sorted_isin(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_keys)`` for sorted unique ``sorted_keys``, by binary search (no sort)."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_keys, values)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return sorted_keys[at] == values


# ZoneIndex.shares()'s steps that need no index: _program_measures, _chunk_tasks, _unzoned_shares.


def _program_measures(geoms: np.ndarray, snapped_all: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The programs (self-overlapping lines dissolved), their own measure and their dimension (-1: none)."""
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    empty = missing.copy()
    empty[~missing] = shapely.is_empty(geoms[~missing])
    dims = np.full(n, -1, dtype=np.int64)
    dims[~empty] = shapely.get_dimensions(geoms[~empty])
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
    return geoms, measure, dims_eff


def _chunk_tasks(dims_eff: np.ndarray, workers: int, chunk_size: int) -> list[tuple[int, np.ndarray]]:
    """The chunks of programs, as (dimension, positions)."""
    tasks: list[tuple[int, np.ndarray]] = []
    # Lines and polygons carry the cost: give each thread several of their
    # chunks (first, so the cheap point chunks fill the gaps at the end).
    for dim in (1, 2, 0):
        idx = np.flatnonzero(dims_eff == dim)
        size = chunk_size if dim == 0 else max(25, min(chunk_size, -(-len(idx) // (4 * workers))))
        for start in range(0, len(idx), size):
            tasks.append((dim, idx[start : start + size]))
    return tasks


def _unzoned_shares(n: int, dims_eff: np.ndarray, unzoned_pts: np.ndarray, zoned: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """The unzoned share per program (NaN where not measured)."""
    unzoned = np.full(n, np.nan)
    pts = dims_eff == 0
    unzoned[pts] = unzoned_pts[pts]
    shp = dims_eff > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        unzoned[shp] = 1.0 - zoned[shp] / measure[shp]
    unzoned = np.where(np.isnan(unzoned), np.nan, np.clip(unzoned, 0.0, 1.0))
    # Rounding noise (1e-16 of a share) is not an unzoned remainder.
    unzoned[np.abs(unzoned) < 1e-9] = 0.0
    return unzoned


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
