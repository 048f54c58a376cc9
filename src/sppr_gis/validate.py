"""Data-quality checks (the zoning topology, repairs, duplicate ids), which produce :class:`~sppr_gis.findings.Finding` rows."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from sppr_gis import overlay
from sppr_gis.engine import polygonal_parts, release_memory, robust_overlay, robust_union_rows
from sppr_gis.findings import ISSUE_COLUMNS, Finding, attach_geometry, findings_frame, frame_ids
from sppr_gis.text import angka, luas

__all__ = ["Finding", "Topology", "Overlaps", "GeometryRunner", "zone_overlaps", "findings_frame", "repair_geometries", "duplicate_ids", "zoning_topology", "attach_geometry", "ISSUE_COLUMNS", "frame_ids"]


def repair_geometries(
    geoms: np.ndarray, ids: Sequence[object], layer: str, workers: int = 1
) -> tuple[np.ndarray, list[Finding]]:
    """Repair invalid geometries with GEOS make_valid (linework) and flag empty ones.

    Of a MultiPolygon only the invalid polygons are repaired, the valid ones
    kept as they are, when the repaired ones stay polygons and the parts then
    neither overlap nor share an edge; else the whole geometry is (same area
    either way, see :func:`sppr_gis.overlay.make_valid_by_parts`).

    Parameters
    ----------
    geoms : array of shapely geometries
    ids : sequence
        Feature ids, for the findings.
    layer : str
        Layer label, for the findings.
    workers : int
        Threads for the repairs (same result on any number).

    Returns
    -------
    (numpy.ndarray, list of Finding)
        Repaired geometries (null and empty kept as they are) and findings.
    """
    geoms = np.asarray(geoms, dtype=object).copy()
    findings: list[Finding] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing | empty):
        what = "kosong (null)" if missing[i] else "kosong (empty)"
        findings.append(Finding(layer, str(ids[i]), "warning", "geometri_kosong", f"geometri {what}; tidak dapat dinilai"))
    # the validity tests on the repair's threads too (the zones split by vertex count; same answers)
    invalid = ~(missing | empty) & ~overlay.by_vertices(lambda sel: shapely.is_valid(geoms[sel]), geoms, workers, "sppr-valid")
    if invalid.any():
        idx = np.flatnonzero(invalid)
        reasons = overlay.by_vertices(lambda sel: shapely.is_valid_reason(geoms[idx[sel]]), geoms[idx], workers, "sppr-valid")
        fixed = overlay.make_valid_by_parts(geoms[idx], what=layer, ids=[str(ids[i]) for i in idx], workers=workers)
        geoms[idx] = fixed
        for i, why, g in zip(idx, reasons, fixed):
            findings.append(
                Finding(layer, str(ids[i]), "warning", "geometri_diperbaiki", f"geometri tidak valid ({why}); diperbaiki dengan make_valid menjadi {g.geom_type}", g)
            )
    return geoms, findings


def duplicate_ids(ids: pd.Series, layer: str, field: str) -> list[Finding]:
    """Findings for null and duplicate ids in ``field``."""
    out: list[Finding] = []
    null = ids.isna() | (ids.astype(str).str.strip() == "")
    for pos in np.flatnonzero(null.to_numpy()):
        out.append(Finding(layer, f"#{pos + 1}", "warning", "id_kosong", f"fitur ke-{pos + 1} tidak memiliki {field}"))
    dup = ids[~null]
    counts = dup.astype(str).value_counts()
    for value, n in counts[counts > 1].sort_index().items():
        out.append(Finding(layer, str(value), "error", "id_ganda", f"{field} '{value}' dipakai oleh {n} fitur"))
    return out


def usable_cpus() -> int:
    """The CPUs this process may run on (``os.process_cpu_count``, else its affinity mask), at least 1.

    Returns
    -------
    int
    """
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, int(count() or 1))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _threaded(func: Callable[[slice], np.ndarray], n: int, workers: int | None) -> np.ndarray:
    """``func`` over consecutive slices of ``range(n)`` on a thread pool, results concatenated."""
    workers = min(workers or usable_cpus(), usable_cpus())
    step = max(1, -(-n // (4 * workers)))
    slices = [slice(i, min(n, i + step)) for i in range(0, n, step)]
    if not slices:
        return np.zeros(0, dtype=object)
    if workers > 1 and len(slices) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.concatenate(list(pool.map(func, slices)))
    return np.concatenate([func(s) for s in slices])


def _in_background(func: Callable[..., object], *args: object, name: str) -> Callable[[], object]:
    """``func(*args)`` started now in a thread of its own; calling the result waits for it and returns its
    value (or raises its error). GEOS releases the GIL in shapely's vectorized calls, so the thread runs
    beside the caller's own geometry work; ``func`` must be pure (the answer does not depend on when it ran)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        future = pool.submit(func, *args)
    finally:
        pool.shutdown(wait=False)
    return future.result


class GeometryRunner:
    """Where the topology check's heavy geometry steps run: threads here (this class), or a
    dask.distributed cluster (:class:`sppr_gis.cluster.ClusterRunner`, same methods).

    Each method applies a module-level, pure function of this module to pieces of
    the input and returns the results in input order, so the answer does not
    depend on where it ran.

    Parameters
    ----------
    workers : int, optional
        Threads (default, and at most: the CPUs this process may use).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = min(workers or usable_cpus(), usable_cpus())

    def map(self, func: Callable[..., np.ndarray], geoms: np.ndarray, *args: object) -> np.ndarray:
        """``func(geoms[chunk], *args)`` over chunks of ``geoms``: one result per geometry."""
        return _threaded(lambda sl: func(geoms[sl], *args), len(geoms), self.workers)

    def pairs(self, func: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], geoms: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """``func(geoms, i[chunk], j[chunk])`` over chunks of the pairs: one result per pair."""
        return _threaded(lambda sl: func(geoms, i[sl], j[sl]), len(i), self.workers)

    def chunk_count(self) -> int:
        """How many spatial chunks a union is cut into (two per thread)."""
        return 2 * self.workers

    #: Whether few large zones (a province's RTRWP) are unioned in bands of equal vertex counts
    #: (:func:`union_chunks`). Not on this process's threads: the union of their dilated zones in one
    #: call costs less (West Java: 2.4 CPU s against 2.5 for four bands and 0.6 for the bands' union),
    #: holds no more, and its single thread runs beside the overlaps, the cut and the engine; a cluster
    #: (:class:`sppr_gis.cluster.ClusterRunner`) keeps the bands, one task each.
    BAND_FEW_LARGE = False

    def union_bands(self, geoms: np.ndarray) -> list[np.ndarray]:
        """The chunks :meth:`unions` takes for the dilated union of ``geoms``: :func:`union_chunks` of
        :meth:`chunk_count` bands, few large zones in one unless :attr:`BAND_FEW_LARGE`.

        Parameters
        ----------
        geoms : numpy.ndarray
            The zones.

        Returns
        -------
        list of numpy.ndarray
        """
        if not self.BAND_FEW_LARGE and len(geoms) < UNION_BAND_ZONES:
            return [np.asarray(geoms, dtype=object)]
        return union_chunks(geoms, self.chunk_count())

    def unions(self, chunks: list[np.ndarray], half: float) -> list[object]:
        """:func:`dilated_union` of each chunk (one chunk: its dilation on this runner's threads)."""
        if len(chunks) == 1:
            return [dilated_union(chunks[0], half, self.workers)]
        if self.workers < 2:
            return [dilated_union(c, half) for c in chunks]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(lambda c: dilated_union(c, half), chunks))

    def unions_later(self, chunks: list[np.ndarray], half: float) -> Callable[[], list[object]]:
        """:meth:`unions`, started now in a thread of its own when this runner has more than one thread
        (the overlaps can run meanwhile), collected (or its error raised) by calling the result."""
        if self.workers < 2:
            return lambda: self.unions(chunks, half)  # one thread asked for: one thread used
        return _in_background(self.unions, chunks, half, name="sppr-qa-union")


def overlap_pairs(pieces: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Intersection of each pair of pieces ``(pieces[i], pieces[j])``.

    A piece larger than :data:`OVERLAP_PIECE_VERTICES` vertices (a 15,000-vertex
    river) is first clipped to the box of the other one plus 1 m: only that window
    can overlap it, and the clip is a linear scan.
    """
    a, b = pieces[i], pieces[j]
    na, nb = shapely.get_num_coordinates(a), shapely.get_num_coordinates(b)
    big = np.flatnonzero(np.maximum(na, nb) > OVERLAP_PIECE_VERTICES)
    if len(big):
        a, b = a.copy(), b.copy()
        for k in big:
            a_large = na[k] > nb[k]
            small, large = (b[k], a[k]) if a_large else (a[k], b[k])
            x0, y0, x1, y1 = shapely.bounds(small)
            clipped = overlay.clip_by_rect(large, x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0, what="zoning")
            if a_large:
                a[k] = clipped
            else:
                b[k] = clipped
    return robust_overlay(shapely.intersection, a, b, what="zoning overlaps")[0]


def erode(geoms: np.ndarray, half: float) -> np.ndarray:
    """Each geometry eroded by ``half`` (mitred)."""
    return overlay.buffer(geoms, -half, join_style="mitre", what="zoning overlaps")


def dilate(geoms: np.ndarray, half: float) -> np.ndarray:
    """Each geometry dilated by ``half`` (mitred)."""
    return overlay.buffer(geoms, half, join_style="mitre", what="zoning gaps")


def dilated_union(geoms: np.ndarray, half: float, workers: int = 1) -> object:
    """Union of the geometries each dilated by ``half`` (mitred; none when ``half`` is 0), the dilation
    on ``workers`` threads (each geometry's buffer is the same on any thread)."""
    geoms = np.asarray(geoms, dtype=object)
    g = _threaded(lambda sl: dilate(geoms[sl], half), len(geoms), workers) if half > 0 else geoms
    # the collection shapely.union_all would build (GEOS clones the members into it), built here so the
    # dilated zones are let go before the union runs instead of held beside their clones until it ends
    # (West Java: 884k dilated vertices); GEOS gets the same collection, so the union is the same
    collection = np.array([shapely.geometrycollections(np.asarray(g, dtype=object))], dtype=object)
    del g
    return robust_overlay(_union_collection, collection, what="zoning gaps")[0][0]


def _union_collection(collections: np.ndarray, grid_size: float | None = None) -> np.ndarray:
    """``shapely.union_all`` of each GeometryCollection's members (on a snap grid when ``grid_size``)."""
    if grid_size is None:
        return shapely.lib.unary_union(collections)
    return shapely.lib.unary_union_prec(collections, grid_size)


@dataclass
class Topology:
    """What :func:`zoning_topology` finds.

    Attributes
    ----------
    findings : list of Finding
        Real overlaps and gaps one by one (with their polygon), and one ``info``
        finding per kind summarizing digitizing noise.
    overlaps : (numpy.ndarray, numpy.ndarray)
        All pairs (i < j) of zones whose interiors intersect, noise included
        (the engine needs every one of them to stay exact).
    noise_overlaps : int
        Pairs whose overlap is digitizing noise.
    noise_overlap_area : float
        Their total overlap area (m²).
    noise_gap_area : float
        Total area of gaps narrower than the sliver width (m²).
    """

    findings: list[Finding]
    overlaps: tuple[np.ndarray, np.ndarray]
    noise_overlaps: int = 0
    noise_overlap_area: float = 0.0
    noise_gap_area: float = 0.0


def zoning_topology(
    geoms: np.ndarray,
    codes: np.ndarray,
    ids: np.ndarray,
    layer: str,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
    runner: GeometryRunner | None = None,
    overlaps: Overlaps | None = None,
    union_parts: Callable[[], list[object]] | None = None,
) -> Topology:
    """Overlaps between zone polygons and gaps inside the zoned area.

    The national database standard (Permen ATR/BPN 14/2021) forbids both. Zoning
    digitized polygon by polygon has them all along its borders; those narrower
    than ``sliver_width`` or smaller than ``sliver_area`` are digitizing noise and
    are summarized in one ``info`` finding each (overlaps: count and total area;
    gaps: total area), the others are listed one by one with their polygon.

    How (see docs/design.md): overlaps come from :func:`zone_overlaps`; an
    overlap is wider than ``w`` where something is left of it after eroding it by
    ``w/2``. Gaps are the holes of the union of all zones dilated by ``w/2``
    (dilation closes every gap narrower than ``w``, and the union of dilated
    zones is cheap because their noisy borders vanish); each such hole is then
    cut out exactly from the zones around it. The total area of narrow gaps is
    ``area(closing) - area(union)``, with ``area(union)`` by inclusion-exclusion
    over the overlaps of two and of three zones.

    Parameters
    ----------
    geoms : array of (valid) polygonal geometries, in a metric CRS
    codes : array of str
        Zone code per geometry.
    ids : array
        Feature ids, for the findings.
    layer : str
        Layer label.
    sliver_width, sliver_area : float
        Noise thresholds (m, m²).
    workers : int, optional
        Threads (default: all CPUs).
    runner : GeometryRunner, optional
        Where the heavy steps run (default: ``GeometryRunner(workers)``, threads
        here; :class:`sppr_gis.cluster.ClusterRunner` sends them to a cluster).
    overlaps : Overlaps, optional
        :func:`zone_overlaps` of ``geoms`` when already computed.
    union_parts : callable, optional
        Returns the dilated unions of :func:`union_chunks` of ``geoms`` (by
        ``sliver_width / 2``), when already started (:meth:`GeometryRunner.unions_later`).

    Returns
    -------
    Topology

    Notes
    -----
    The steps, in order: which overlaps are real (``_wide_overlaps``), one finding each
    (``_overlap_findings``), the noise summarized (``_noise_overlap_finding``), the gaps
    (``_gaps``), zones that are slivers themselves (``_sliver_zones``).
    """
    geoms = np.asarray(geoms, dtype=object)
    codes = np.asarray(codes, dtype=object)
    run = runner or GeometryRunner(workers)
    half = sliver_width / 2.0
    ov = overlaps if overlaps is not None else zone_overlaps(geoms, workers, runner=run)
    # the area the overlaps count twice (one thread, needs only the overlaps): beside the erosion and the gaps
    # (on one thread, or a cluster whose local runner has one, it runs in its turn as before)
    excess = _in_background(_overlap_excess_area, ov, name="sppr-qa-excess") if run.workers > 1 else (lambda: _overlap_excess_area(ov))
    wide = _wide_overlaps(ov, half, sliver_area, run)
    release_memory()  # the eroded overlaps
    findings = _overlap_findings(ov, np.flatnonzero(wide), codes, ids, layer)
    noise = ~wide
    topo = Topology(findings, (ov.left, ov.right), int(noise.sum()), float(ov.area[noise].sum()))
    _noise_overlap_finding(topo, ov, noise, layer, sliver_width, sliver_area)
    _gaps(geoms, layer, half, sliver_area, ov, run, topo, union_parts, excess)
    _sliver_zones(topo, geoms, ids, layer, sliver_width, sliver_area)
    return topo


# zoning_topology()'s steps, in order: _wide_overlaps (which overlaps are real), _overlap_findings
# (one finding each), _noise_overlap_finding (the rest summarized), _gaps, _sliver_zones.


def _wide_overlaps(ov: Overlaps, half: float, sliver_area: float, run: GeometryRunner) -> np.ndarray:
    """Per overlapping pair, whether its overlap is real: some part of it is left after eroding it by w/2."""
    n = len(ov.left)
    # wide: some part of the overlap is left after eroding it by w/2
    wide = np.zeros(n, dtype=bool)
    big_enough = ov.area >= sliver_area
    # a part can hold a disk of diameter w only if its area is at least that disk's
    cand = np.flatnonzero(big_enough[ov.part_pair] & (shapely.area(ov.parts) >= np.pi * half * half))
    if len(cand):
        if half > 0:
            cand = cand[_may_hold_disk(ov.parts[cand], half)]
            eroded = run.map(erode, ov.parts[cand], half)
            wide[np.unique(ov.part_pair[cand[~shapely.is_empty(eroded)]])] = True
        else:
            wide[big_enough] = True
    return wide


def _may_hold_disk(parts: np.ndarray, radius: float) -> np.ndarray:
    """Per polygon, False where it certainly holds no disk of ``radius`` (so its erosion by ``radius`` is empty).

    A disk of radius r inside a polygon is inside its convex hull K, and a convex K holds its
    inscribed disk only if ``area(K) >= r * perimeter(K) / 2`` (K is the union of the triangles
    from the disk's centre to its edges, each at least r high). The mitred erosion is inside the
    round one, so a polygon with ``2 area(K) / perimeter(K) < r`` has an empty erosion either way;
    on digitized zoning this spares the erosion of about half the overlap slivers (a hull costs a
    quarter of an erosion).
    """
    hull = shapely.convex_hull(parts)
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = 2.0 * shapely.area(hull) / shapely.length(hull)
    # a margin of one part in a million keeps rounding away from the decision
    return ~(bound < radius * (1.0 - 1e-6))


def _overlap_findings(ov: Overlaps, real: np.ndarray, codes: np.ndarray, ids: np.ndarray, layer: str) -> list[Finding]:
    """One finding per real overlap, with its polygon (a warning between zones of one code, else an error)."""
    findings: list[Finding] = []
    geom = _pair_geometries(ov, real)
    for k, g in zip(real, geom):
        a, b = ov.left[k], ov.right[k]
        same = codes[a] == codes[b]
        findings.append(
            Finding(
                layer,
                f"{ids[a]},{ids[b]}",
                "warning" if same else "error",
                "tumpang_tindih_kode_sama" if same else "tumpang_tindih_zona",
                f"zona {ids[a]} ({codes[a]}) dan {ids[b]} ({codes[b]}) bertampalan seluas {luas(ov.area[k])} m²",
                g,
            )
        )
    return findings


def _noise_overlap_finding(topo: Topology, ov: Overlaps, noise: np.ndarray, layer: str, sliver_width: float, sliver_area: float) -> None:
    """The overlaps that are digitizing noise, summarized in one ``info`` finding (added to ``topo``)."""
    findings = topo.findings
    if topo.noise_overlaps:
        noise_parts = ov.parts[noise[ov.part_pair]]
        findings.append(
            Finding(
                layer,
                "",
                "info",
                "tumpang_tindih_sempit",
                f"{topo.noise_overlaps} pasang zona bertampalan tipis (lebar < {angka(sliver_width)} m atau luas < {angka(sliver_area)} m², "
                f"derau digitasi) seluas total {luas(topo.noise_overlap_area)} m²; tidak dirinci, ukuran tetap dihitung tepat",
                # kept as WKB from here to the writer: a whole layer's noise in one MultiPolygon is large
                # as GEOS objects; its area is in the message already (topo.noise_overlap_area)
                shapely.to_wkb(shapely.multipolygons(noise_parts)) if len(noise_parts) else None,
            )
        )


def _sliver_zones(topo: Topology, geoms: np.ndarray, ids: np.ndarray, layer: str, sliver_width: float, sliver_area: float) -> None:
    """Zones that are themselves slivers (digitizing leftovers), in one ``info`` finding (added to ``topo``)."""
    # zones that are themselves slivers (digitizing leftovers): counted, measured as given
    area = shapely.area(geoms)
    perimeter = shapely.length(geoms)
    with np.errstate(invalid="ignore", divide="ignore"):
        thin = 2.0 * area / perimeter < sliver_width
    crumbs = np.flatnonzero((area < sliver_area) | thin)
    if len(crumbs):
        parts = shapely.get_parts(geoms[crumbs])
        topo.findings.append(
            Finding(
                layer,
                "",
                "info",
                "zona_serpihan",
                f"{len(crumbs)} fitur zona berupa serpihan (luas < {angka(sliver_area)} m² atau lebar < {angka(sliver_width)} m) seluas total "
                f"{luas(float(area[crumbs].sum()))} m²: {', '.join(str(ids[i]) for i in crumbs[:10])}{' ...' if len(crumbs) > 10 else ''}; tetap dihitung",
                shapely.multipolygons(parts[shapely.get_type_id(parts) == 3]),
            )
        )


#: A zone part with more vertices is clipped to its neighbour's box before the
#: overlap is computed, so a 15,000-vertex river is not overlaid whole with each
#: of its neighbours.
OVERLAP_PIECE_VERTICES = 256


@dataclass
class Overlaps:
    """Pairs of zones whose interiors intersect (see :func:`zone_overlaps`).

    Attributes
    ----------
    left, right : numpy.ndarray
        Zone positions of each pair (left < right).
    area : numpy.ndarray
        Overlap area per pair (m²).
    parts : numpy.ndarray
        The overlap polygons, piece by piece (a pair's overlap is the union of its parts;
        parts of one pair meet at most along the lines where a large zone was cut).
    part_pair : numpy.ndarray
        The pair of each part.
    part_piece : (numpy.ndarray, numpy.ndarray)
        The two zone pieces each part came from (the piece of the lower zone first).
    """

    left: np.ndarray
    right: np.ndarray
    area: np.ndarray
    parts: np.ndarray
    part_pair: np.ndarray
    part_piece: tuple[np.ndarray, np.ndarray]


def zone_overlaps(geoms: np.ndarray, workers: int | None = None, *, runner: GeometryRunner | None = None) -> Overlaps:
    """Every pair of zones whose interiors intersect, with the overlap polygons and areas.

    Parts of different zones whose bounding boxes meet are intersected (a part
    larger than :data:`OVERLAP_PIECE_VERTICES` vertices clipped to the other's
    box first; no DE-9IM test first: on digitized zoning nearly every pair of
    neighbours overlaps, so it would cost as much again). A pair overlaps when
    its area is > 0; the parts of one zone are disjoint, so their areas add up.

    Parameters
    ----------
    geoms : array of valid polygonal geometries
    workers : int, optional
        Threads.
    runner : GeometryRunner, optional
        Where the intersections run (default: threads here).

    Returns
    -------
    Overlaps
    """
    geoms = np.asarray(geoms, dtype=object)
    pieces, owner = polygonal_parts(geoms)
    pl, pr = candidate_pairs(pieces)
    other = owner[pl] != owner[pr]
    pl, pr = pl[other], pr[other]
    keep = _large_pairs_meeting(pieces, pl, pr)
    pl, pr = pl[keep], pr[keep]
    empty_i = np.zeros(0, dtype=np.int64)
    if not len(pl):
        return Overlaps(empty_i, empty_i, np.zeros(0), np.zeros(0, dtype=object), empty_i, (empty_i, empty_i))
    inter = (runner or GeometryRunner(workers)).pairs(overlap_pairs, pieces, pl, pr)
    got, at = _polygonal_parts_of(inter)
    del inter
    za, zb = np.minimum(owner[pl], owner[pr])[at], np.maximum(owner[pl], owner[pr])[at]
    nz = np.int64(max(len(geoms), 1))
    keys, pair = np.unique(za.astype(np.int64) * nz + zb, return_inverse=True)
    area = np.bincount(pair, weights=shapely.area(got), minlength=len(keys))
    # each part's two pieces, the piece of the lower zone first
    swap = owner[pl[at]] > owner[pr[at]]
    lo_piece, hi_piece = np.where(swap, pr[at], pl[at]), np.where(swap, pl[at], pr[at])
    return Overlaps(keys // nz, keys % nz, area, got, pair.astype(np.int64), (lo_piece, hi_piece))


def _polygonal_parts_of(inter: np.ndarray, step: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """The polygonal parts with an area of the overlay results ``inter`` (zones that merely touch give
    lines and points), and the position of the result each came from: ``shapely.get_parts`` filtered,
    ``step`` results at a time, each slice's results released as soon as its parts are taken (so the
    results and all their parts are not held at once; the parts come out in the same order)."""
    got, at = [], []
    for start in range(0, len(inter), step):
        p, i = shapely.get_parts(inter[start : start + step], return_index=True)
        keep = (shapely.get_type_id(p) == 3) & (shapely.area(p) > 0)
        got.append(p[keep])
        at.append(i[keep] + start)
        inter[start : start + step] = None
    if not got:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    return np.concatenate(got), np.concatenate(at).astype(np.int64)


def _large_pairs_meeting(pieces: np.ndarray, pl: np.ndarray, pr: np.ndarray) -> np.ndarray:
    """Per candidate pair, False where it has a piece over :data:`OVERLAP_PIECE_VERTICES` vertices and the two
    pieces' interiors do not intersect (so their intersection has no polygonal part).

    A large piece (a river, a road corridor) has a wide bounding box that meets many zones it does not
    touch: on the digitized workload 32,650 of 91,526 candidate pairs have a large piece, and only 6,443
    of them intersect. A prepared ``intersects`` of the large piece costs a fraction of its clip and
    overlay, and leaves the pairs that do meet (and so every overlap found) as they were. Of the pairs
    that meet, those whose interiors do not (prepared ``touches``: they meet only along their boundaries)
    are dropped too: their intersection is lines and points, no polygonal part.
    """
    keep = np.ones(len(pl), dtype=bool)
    if not len(pl):
        return keep
    nv = shapely.get_num_coordinates(pieces)
    big = np.flatnonzero(np.maximum(nv[pl], nv[pr]) > OVERLAP_PIECE_VERTICES)
    if not len(big):
        return keep
    left_large = nv[pl[big]] >= nv[pr[big]]
    large = np.where(left_large, pl[big], pr[big])
    small = np.where(left_large, pr[big], pl[big])
    # prepared copies: the pieces may be the zones themselves, which other threads may be reading
    uniq, at = np.unique(large, return_inverse=True)
    copies = shapely.from_wkb(shapely.to_wkb(pieces[uniq]))
    shapely.prepare(copies)
    meet = shapely.intersects(copies[at], pieces[small])
    # pieces that meet only along their boundaries (neighbours sharing an edge: 3,310 of the real West Java
    # RTRWP's 3,324 meeting pairs) have no overlap either; GEOS's prepared ``touches`` (exact, RelateNG)
    # costs a quarter of their overlay
    hit = np.flatnonzero(meet)
    meet[hit] = ~shapely.touches(copies[at[hit]], pieces[small[hit]])
    keep[big] = meet
    return keep


def _pair_geometries(ov: Overlaps, pairs: np.ndarray) -> list[object]:
    """One polygon per pair: its single part, or the union of its parts."""
    out = []
    # the parts grouped by pair once (stable: in their order), not one scan of all parts per pair
    order = np.argsort(ov.part_pair, kind="stable")
    lo = np.searchsorted(ov.part_pair[order], pairs, side="left")
    hi = np.searchsorted(ov.part_pair[order], pairs, side="right")
    for i, j in zip(lo, hi):
        parts = ov.parts[order[i:j]]
        out.append(parts[0] if len(parts) == 1 else robust_union_rows(np.array([list(parts)], dtype=object))[0][0])
    return out


def candidate_pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of geometries whose bounding boxes intersect."""
    if not len(geoms):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    left, right = shapely.STRtree(geoms).query(geoms)
    keep = left < right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


#: Fewer zones than this are unioned in one band, unless they hold :data:`UNION_BAND_VERTICES` vertices.
UNION_BAND_ZONES = 1000
#: Few zones with this many vertices in all (a province's RTRWP: 69 zones, 890k vertices) are unioned
#: in bands of about equal vertex counts where the bands are a cluster's tasks
#: (:attr:`GeometryRunner.BAND_FEW_LARGE`); on this process's threads in one call.
UNION_BAND_VERTICES = 200_000


def union_chunks(geoms: np.ndarray, chunks: int) -> list[np.ndarray]:
    """The zones in ``chunks`` spatially sorted bands (west to east) for a union in parts; one band for few
    small zones. Many zones are split into bands of equal zone counts, few large ones (at least
    :data:`UNION_BAND_VERTICES` vertices in all) into bands of about equal vertex counts."""
    if chunks < 2 or len(geoms) < 2:
        return [geoms]
    few = len(geoms) < UNION_BAND_ZONES
    nv = shapely.get_num_coordinates(geoms) if few else None
    if few and int(nv.sum()) < UNION_BAND_VERTICES:
        return [geoms]
    c = shapely.get_coordinates(shapely.centroid(geoms))
    band = np.floor((c[:, 0] - c[:, 0].min()) / max(np.ptp(c[:, 0]) / chunks, 1e-9))
    order = np.lexsort((c[:, 1], band))
    if not few:
        return np.array_split(geoms[order], chunks)
    # cut the west-to-east order where the running vertex count crosses each k/chunks of the total
    run = np.cumsum(nv[order])
    cuts = np.searchsorted(run, run[-1] * np.arange(1, chunks) / chunks, side="right")
    return [b for b in np.split(geoms[order], np.unique(cuts)) if len(b)]


def _spatial_union(geoms: np.ndarray, half: float, runner: GeometryRunner, parts: Callable[[], list[object]] | None = None) -> object:
    """Union of many polygons each dilated by ``half``: spatially sorted chunks unioned by the runner (or
    ``parts``, already started), then their union."""
    if parts is None:
        chunks = runner.union_bands(geoms)
        if len(chunks) == 1:
            return dilated_union(geoms, half, runner.workers)
        got = runner.unions(chunks, half)
    else:
        got = parts()
    return got[0] if len(got) == 1 else robust_union_rows(np.array([got], dtype=object), what="zoning gaps")[0][0]


def _polygonal(g: object) -> object:
    """The polygonal part of an overlay result (lines and points where zones only touch dropped)."""
    if g is None or shapely.is_empty(g):
        return None
    parts = shapely.get_parts(g)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else overlay.union_all(polys, what="zoning gaps")


def _gaps(geoms: np.ndarray, layer: str, half: float, sliver_area: float, ov: Overlaps, runner: GeometryRunner, topo: Topology, parts: Callable[[], list[object]] | None = None, excess: Callable[[], object] | None = None) -> None:
    """Gaps inside the zoned area (see :func:`zoning_topology`); appends to ``topo``. ``excess`` returns
    :func:`_overlap_excess_area` of ``ov`` when already started."""
    if not len(geoms):
        if excess is not None:
            excess()
        return
    closed_union = _spatial_union(geoms, half, runner, parts)
    release_memory()  # the dilated zones and the chunks' unions
    holes = []
    for poly in shapely.get_parts(closed_union):
        if shapely.get_type_id(poly) == 3:
            holes.extend(shapely.Polygon(r) for r in poly.interiors)
    # numbered west to east, south to north: the same celah-N whatever the union's chunking (threads, cluster)
    holes.sort(key=lambda h: (round(h.bounds[0], 3), round(h.bounds[1], 3), round(h.area, 3)))
    closing = overlay.buffer(closed_union, -half, join_style="mitre", what="zoning gaps") if half > 0 else closed_union
    tree = shapely.STRtree(geoms)
    n_gap = 0
    real_area = 0.0
    for hole in holes:
        # The hole is the gap eroded by w/2: grow it back and cut out the zones around it.
        grown = overlay.buffer(hole, 2 * half, join_style="mitre", what="zoning gaps") if half > 0 else hole
        near = geoms[tree.query(overlay.buffer(grown, 1.0, what="zoning gaps"))]
        local = robust_union_rows(np.array([list(near)], dtype=object), what="zoning gaps")[0] if len(near) else np.array([shapely.Polygon()], dtype=object)
        gap = _polygonal(robust_overlay(shapely.difference, np.array([grown], dtype=object), local, what="zoning gaps")[0][0])
        if gap is None:
            continue
        inside = [p for p in shapely.get_parts(gap) if p.intersects(hole)]
        if not inside:
            continue
        gap = inside[0] if len(inside) == 1 else overlay.union_all(inside, what="zoning gaps")
        real_area += gap.area
        if gap.area < sliver_area:
            continue
        n_gap += 1
        c = gap.representative_point()
        topo.findings.append(
            Finding(layer, f"celah-{n_gap}", "error", "celah_zona", f"celah tanpa zona seluas {luas(gap.area)} m² di sekitar x={c.x:.1f} y={c.y:.1f}", gap)
        )
    # Area of the exact union: the zones' areas less what the overlaps count twice or more
    # (a place that k zones cover is counted k times, once too many k - 1 times).
    union_area = float(shapely.area(geoms).sum()) - float(excess() if excess is not None else _overlap_excess_area(ov))  # type: ignore[arg-type]
    noise = max(0.0, float(shapely.area(closing)) - union_area - real_area)
    topo.noise_gap_area = noise
    if noise >= 0.005:
        topo.findings.append(
            Finding(
                layer,
                "",
                "info",
                "celah_sempit",
                f"celah tipis antarzona (lebar < {angka(2 * half)} m, derau digitasi) seluas total {luas(noise)} m²; tidak dirinci",
            )
        )


def _overlap_excess_area(ov: Overlaps) -> float:
    """The area the zones count more than once: the integral of (k - 1) where k >= 2 zones cover a place.

    ``sum(zone areas) - this`` is the exact area of their union, however many zones overlap at one place
    (inclusion-exclusion over pairs and triples is exact only up to three). An overlap polygon that meets
    no other overlap polygon is covered by exactly two zones and counts once. Where overlap polygons of
    different pairs meet, their boundaries are noded and polygonized; a face inside the overlaps of m
    pairs is covered by k zones with k (k - 1) / 2 = m, and counts (k - 1) times its area. The overlap
    polygons of one pair are disjoint (the parts of one zone are), so m counts pairs.
    """
    parts = np.asarray(ov.parts, dtype=object)
    if not len(parts):
        return 0.0
    areas = shapely.area(parts)
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    keep = left < right
    label = _components(len(parts), left[keep], right[keep])
    size = np.bincount(label)[label]
    excess = float(areas[size == 1].sum())
    if (size == 1).all():
        return excess
    # Polygons of different clusters (connected by "intersects") neither meet nor touch, so the
    # faces of all the linework are the faces of each cluster's: noded and polygonized one cluster at
    # a time (clusters of one size in one vectorized union), which is cheaper than one noding of all.
    clustered = np.flatnonzero(size > 1)
    clustered = clustered[np.argsort(label[clustered], kind="stable")]
    starts = np.r_[0, np.flatnonzero(np.diff(label[clustered])) + 1]
    counts = np.diff(np.r_[starts, len(clustered)])
    boundaries = shapely.boundary(parts[clustered])
    faces: list[np.ndarray] = []
    for n in np.unique(counts):
        at = starts[counts == n][:, None] + np.arange(n)[None, :]
        lines = robust_union_rows(boundaries[at], what="zoning gaps")[0]
        faces.append(shapely.get_parts(shapely.polygonize(lines[:, None], axis=-1)))
    faces_all = np.concatenate(faces) if faces else np.zeros(0, dtype=object)
    if not len(faces_all):
        return excess
    inside = shapely.STRtree(parts[clustered]).query(shapely.point_on_surface(faces_all), predicate="intersects")
    m = np.bincount(inside[0], minlength=len(faces_all)).astype(float)
    k = (1.0 + np.sqrt(1.0 + 8.0 * m)) / 2.0
    return excess + float((shapely.area(faces_all) * np.maximum(np.rint(k) - 1.0, 0.0)).sum())


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of the graph on ``range(n)`` with edges ``(left, right)``: a label per node,
    the smallest node of its component (label propagation with pointer jumping, in numpy)."""
    label = np.arange(n)
    if not len(left):
        return label
    while True:
        low = np.minimum(label[left], label[right])
        new = label.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new
