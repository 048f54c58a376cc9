"""Zone shares and the zoning QA on a dask.distributed cluster, and the cluster itself.

Optional (``pip install "sppr-gis[distributed]"``); dask is imported only inside the
functions that talk to a cluster, so importing this module needs none of it.

- :func:`cluster_client` / :func:`process_cluster`: a client of a running scheduler, or a
  private local cluster (TLS with a throwaway certificate, no password in its environment);
  they live in :mod:`sppr_gis.dask_cluster` with the rest of the connection and its security, and
  are importable from here.
- :func:`distributed_shares` (used by :func:`sppr_gis.check` when given a
  ``client``): programs are split into spatially compact partitions (Hilbert
  order of their box centres); each partition is sent to a worker as WKB with
  only the zones whose boxes meet its programs' boxes, and the overlap pairs
  among them. The engine's result for a program depends only on the zones it
  touches, so each worker's :class:`~sppr_gis.engine.ZoneIndex` of that subset
  gives the same measures as one of the whole zoning. The client assembles one
  :class:`~sppr_gis.engine.ShareResult`; the zoning QA and the verdict stay on
  the client.
- :class:`ClusterRunner`: the zoning QA's heavy steps as tasks on the cluster.

Several regions' runs on a cluster (``sppr sync --config A.toml --config B.toml``) are
:mod:`sppr_gis.regions`, above :mod:`sppr_gis.run`; this module sits below
:mod:`sppr_gis.pipeline`. Workers never read the client's disk: every input travels with its task.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import shapely

from sppr_gis.dask_cluster import (  # noqa: F401 - the cluster's names, importable from here as before
    ANSWER_TIMEOUT,
    ClusterError,
    check_workers,
    client_credentials,
    cluster_client,
    process_cluster,
    total_threads,
    with_credentials,
    worker_count,
)
from sppr_gis.engine import DEFAULT_MAX_VERTICES, ShareResult, ZoneCut, ZoneIndex, polygonal_parts, release_memory
from sppr_gis.errors import SpprError
from sppr_gis.validate import GeometryRunner, dilated_union
from sppr_gis.i18n import _

__all__ = [
    "ClusterError",
    "ClusterRunner",
    "ShippedPieces",
    "check_workers",
    "client_credentials",
    "cluster_client",
    "distributed_nearest",
    "distributed_shares",
    "hilbert_order",
    "pack_wkb",
    "partition_by_cost",
    "partition_programs",
    "process_cluster",
    "program_costs",
    "total_threads",
    "tune_malloc",
    "unpack_wkb",
    "with_credentials",
    "worker_count",
]

log = logging.getLogger(__name__)

#: Programs per partition when not given: two partitions per worker thread, within these bounds. A
#: partition's cost grows with the zones it touches (each task indexes its own), and lines of several
#: km touch many, so fewer, larger partitions cost less in all; the upper bound bounds a worker's memory.
MIN_PARTITION_SIZE = 500
MAX_PARTITION_SIZE = 20_000
#: Tasks per worker thread when the partition size is not given: the programs are cut into this many
#: runs of about equal estimated cost (:func:`program_costs`) per thread.
PARTS_PER_THREAD = 2


# ----------------------------------------------------------------------------- zone shares


def hilbert_order(geoms: np.ndarray) -> np.ndarray:
    """Positions of the geometries with a box, ordered along a Hilbert curve through their boxes' centres.

    Level 16 over the extent of all boxes; null and empty geometries are left out.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries

    Returns
    -------
    numpy.ndarray of int64
    """
    import geopandas as gpd

    b = shapely.bounds(np.asarray(geoms, dtype=object))
    idx = np.flatnonzero(np.isfinite(b).all(axis=1))
    if not len(idx):
        return idx.astype(np.int64)
    cx = (b[idx, 0] + b[idx, 2]) / 2.0
    cy = (b[idx, 1] + b[idx, 3]) / 2.0
    centres = gpd.GeoSeries(shapely.points(cx, cy))
    lo, hi = np.array([cx.min(), cy.min()]), np.array([cx.max(), cy.max()])
    hi = np.where(hi > lo, hi, lo + 1.0)
    dist = np.asarray(centres.hilbert_distance(total_bounds=(lo[0], lo[1], hi[0], hi[1]), level=16))
    return idx[np.argsort(dist, kind="stable")].astype(np.int64)


def partition_programs(geoms: np.ndarray, size: int = MAX_PARTITION_SIZE) -> list[np.ndarray]:
    """Positions of the measurable programs in spatially compact groups of at most ``size``.

    Programs are ordered along a Hilbert curve through the centres of their
    boxes (level 16 over the extent of all boxes) and cut into consecutive runs.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Null and empty geometries are left out (they have no box).
    size : int
        Programs per partition (>= 1).

    Returns
    -------
    list of numpy.ndarray
        Each an ascending array of positions into ``geoms``.
    """
    if size < 1:
        raise ValueError(_("partition size must be >= 1, got {size}").format(size=size))
    order = hilbert_order(geoms)
    return [np.sort(order[s : s + size]) for s in range(0, len(order), size)]


def partition_by_cost(geoms: np.ndarray, cost: np.ndarray, parts: int, max_size: int = MAX_PARTITION_SIZE) -> list[np.ndarray]:
    """Positions of the measurable programs in ``parts`` spatially compact groups of about equal cost.

    As :func:`partition_programs` (Hilbert order of the boxes' centres, consecutive runs), but the runs
    are cut where the running sum of ``cost`` crosses a multiple of its total over ``parts``, so that
    tasks of lines crossing many zones and tasks of points end about together; a group never holds
    more than ``max_size`` programs (more groups then).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
    cost : numpy.ndarray of float
        The estimated cost of each program (> 0 where measurable).
    parts : int
        Groups wanted (>= 1).
    max_size : int
        Most programs in one group.

    Returns
    -------
    list of numpy.ndarray
        Each an ascending array of positions into ``geoms``; none empty.
    """
    if parts < 1:
        raise ValueError(_("partition count must be >= 1, got {parts}").format(parts=parts))
    order = hilbert_order(geoms)
    if not len(order):
        return []
    parts = max(int(parts), -(-len(order) // int(max_size)))
    run = np.cumsum(np.asarray(cost, dtype=float)[order])
    cuts = np.searchsorted(run, run[-1] * np.arange(1, parts) / parts, side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(order)]]))
    out: list[np.ndarray] = []
    for a, b in itertools.pairwise(bounds):
        for s in range(a, b, max_size):
            out.append(np.sort(order[s : min(b, s + max_size)]))
    return out


def program_costs(tree: shapely.STRtree, geoms: np.ndarray) -> np.ndarray:
    """Each program's estimated engine cost: its candidate zones (boxes met) times ``1 + vertices / 32``, plus 1.

    Measured on the digitized workload (one thread): a point costs about 3 µs per candidate zone, a
    line of ~32 vertices about 5.4 µs; the tree query that counts the candidates is 0.1-0.2 s for 50k programs.
    """
    pi, _ = tree.query(geoms)
    cand = np.bincount(pi, minlength=len(geoms)).astype(float)
    nv = shapely.get_num_coordinates(geoms).astype(float)
    return 1.0 + cand * (1.0 + nv / 32.0)


_MALLOC_TUNED = False


def tune_malloc() -> None:
    """Undo, in a dask worker, the allocator setting that makes the engine ~1.6x slower there.

    A dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_=65536``; glibc then
    also stops adapting its mmap threshold, so every array above 128 kB is a fresh
    mmap whose pages fault in one by one. Measured on the digitized workload: a
    partition that takes 2.9 s in a plain process took 4.6 s in a worker. Thresholds
    set here (32 MB mmap, 64 MB trim) give the plain process's speed; the memory is
    handed back after each task (``malloc_trim``). A no-op off glibc.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def pack_wkb(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometries as one WKB buffer and offsets (two numpy arrays travel without per-object pickling).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries (None allowed)

    Returns
    -------
    (numpy.ndarray of uint8, numpy.ndarray of int64)
        The concatenated WKB and ``len(geoms) + 1`` offsets; a missing geometry has length 0.
    """
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object))
    return _pack_bytes(np.asarray(wkb, dtype=object))


def _pack_bytes(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((0 if b is None else len(b) for b in items), dtype=np.int64, count=len(items))
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    buf = np.frombuffer(b"".join(b for b in items if b is not None), dtype=np.uint8)
    return buf, offsets


def unpack_wkb(buf: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The geometries of :func:`pack_wkb`.

    Parameters
    ----------
    buf, offsets : numpy.ndarray

    Returns
    -------
    numpy.ndarray of shapely geometries
    """
    raw = buf.tobytes()
    items = np.array([raw[a:b] if b > a else None for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())], dtype=object)
    return shapely.from_wkb(items)


def _subset_cut(cut: ZoneCut, part_owner: np.ndarray, zsel: np.ndarray, n_zones: int) -> tuple[Any, ...]:
    """The pieces of the zones ``zsel`` (ascending) out of the whole zoning's ``cut``, renumbered as
    :func:`~sppr_gis.engine.cut_zones` of ``zones[zsel]`` numbers them, as WKB and int arrays.

    ``part_owner`` is the zone of each of the zoning's polygonal parts (:func:`polygonal_parts`); the
    subset's parts are the whole zoning's parts of the selected zones, in the same order (exploding
    parts is elementwise and keeps the order), so a part's local number is its rank among those."""
    zlocal = np.full(n_zones, -1, dtype=np.int64)
    zlocal[zsel] = np.arange(len(zsel))
    keep_part = zlocal[part_owner] >= 0
    plocal = np.cumsum(keep_part) - 1
    keep = zlocal[cut.owner] >= 0
    pidx = np.flatnonzero(keep)
    plocal_piece = np.full(len(cut.owner), -1, dtype=np.int64)
    plocal_piece[pidx] = np.arange(len(pidx))
    src = cut.source[pidx]
    src = np.where(src >= 0, plocal[np.maximum(src, 0)], -1)
    mkeep = keep[cut.moved_piece]
    return (
        int(cut.max_vertices),
        _pack_bytes(np.asarray(shapely.to_wkb(cut.pieces[pidx]), dtype=object)),
        zlocal[cut.owner[pidx]],
        src.astype(np.int64),
        _pack_bytes(np.asarray(shapely.to_wkb(cut.moved[mkeep]), dtype=object)),
        plocal_piece[cut.moved_piece[mkeep]],
        int(keep_part.sum()),
    )


def _unpack_cut(zones: np.ndarray, packed: tuple[Any, ...] | None) -> ZoneCut | None:
    """The :class:`ZoneCut` of :func:`_subset_cut`, or None (the worker cuts) when its parts are not the zones' own."""
    if packed is None:
        return None
    max_vertices, pieces, owner, source, moved, moved_piece, n_parts = packed
    if len(polygonal_parts(zones)[0]) != n_parts:  # pragma: no cover - a guard: parts numbered otherwise
        return None
    return ZoneCut(int(max_vertices), unpack_wkb(*pieces), np.asarray(owner, dtype=np.int64), np.asarray(source, dtype=np.int64), unpack_wkb(*moved), np.asarray(moved_piece, dtype=np.int64))


def _shares_task(zone_wkb: tuple[np.ndarray, np.ndarray], zone_codes: np.ndarray, overlaps: tuple[np.ndarray, np.ndarray] | None, prog_wkb: tuple[np.ndarray, np.ndarray], max_vertices: int, cut: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """Worker side: the engine's shares of one partition against its zones (one thread); ``cut``: the
    zones' pieces as the client cut them (:func:`_subset_cut`), else cut here."""
    tune_malloc()
    cpu = time.thread_time()
    zones = unpack_wkb(*zone_wkb)
    progs = unpack_wkb(*prog_wkb)
    index = ZoneIndex(zones, zone_codes, max_vertices=max_vertices, overlaps=overlaps, cut=_unpack_cut(zones, cut))
    res = index.shares(progs, workers=1)
    del index, zones, progs
    release_memory()
    pid = os.getpid()
    return {
        "prog": res.pairs["prog"].to_numpy(dtype=np.int64),
        "zone_code": res.pairs["zone_code"].to_numpy(dtype=object),
        "measure": res.pairs["measure"].to_numpy(dtype=float),
        "share": res.pairs["share"].to_numpy(dtype=float),
        "program_measure": res.measure,
        "unzoned": res.unzoned,
        "dim": res.dim,
        "snapped": res.snapped,
        "seconds": float(sum(res.timings.values())),
        "cpu_seconds": time.thread_time() - cpu,
        "index_seconds": float(res.timings.get("index", 0.0)),
        "zones": len(zone_codes),
        "pid": pid,
    }


def distributed_shares(
    client: Any,
    zone_geoms: np.ndarray,
    zone_codes: np.ndarray,
    program_geoms: np.ndarray,
    *,
    overlaps: tuple[np.ndarray, np.ndarray] | Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    partition_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    cut: ZoneCut | Callable[[], ZoneCut | None] | None = None,
) -> ShareResult:
    """Zone shares computed on a dask.distributed cluster; equal to :meth:`ZoneIndex.shares` locally.

    Parameters
    ----------
    client : distributed.Client or str
        A client, or a scheduler address (``"local"`` starts a local cluster
        for the call; see :func:`cluster_client`).
    zone_geoms, zone_codes : numpy.ndarray
        The whole zoning (valid polygons, metric CRS) and its codes.
    program_geoms : numpy.ndarray
        Program geometries in the same CRS (null and empty allowed).
    overlaps : tuple of two int arrays, optional
        Pairs of zones whose interiors intersect (the topology check's); each
        partition receives the pairs among its zones. A callable returning them is called once the
        programs are partitioned and packed (the QA may still be finding them meanwhile).
    max_vertices : int
        As for :class:`ZoneIndex`.
    partition_size : int, optional
        Programs per task (default: :data:`PARTS_PER_THREAD` tasks per worker thread of about equal
        estimated cost, :func:`partition_by_cost`; at least :data:`MIN_PARTITION_SIZE` and at most
        :data:`MAX_PARTITION_SIZE` programs a task).
    progress : callable, optional
        Called with the number of programs finished, partition by partition.
    cut : ZoneCut, optional
        :func:`~sppr_gis.engine.cut_zones` of the whole zoning with ``max_vertices`` (the zoning cache's,
        or cut while the zoning QA ran): each task receives its zones' pieces instead of cutting them.
        A callable returning it is called as ``overlaps`` is.

    Returns
    -------
    ShareResult
        ``timings`` holds ``partition`` (client: order, WKB), ``wait`` (for ``overlaps`` and ``cut``
        when given as callables), ``shares`` (wall
        time of the tasks), ``send`` (client: each partition's zones found and
        scattered, within ``shares``), ``worker_seconds`` (the tasks' engine time
        summed), ``worker_index_seconds`` (of which building indexes) and
        ``worker_cpu_seconds`` (the tasks' CPU time, WKB decoding included).

    Raises
    ------
    ClusterError
        The cluster cannot be reached or a task failed.

    Notes
    -----
    The steps: the programs cut into partitions (:func:`partition_programs`), each partition's payload
    (:class:`_Payloads`: its programs and the zones their boxes meet), the partitions run at most two
    per worker thread at a time (:func:`_run_partitions`, their results gathered in :class:`_Gathered`),
    and the pairs assembled as the engine builds them (:func:`_engine_pairs`).
    """
    if isinstance(client, str):
        with cluster_client(client) as c:
            return distributed_shares(c, zone_geoms, zone_codes, program_geoms, overlaps=overlaps, max_vertices=max_vertices, partition_size=partition_size, progress=progress, cut=cut)
    check_workers(client)
    t0 = time.perf_counter()
    zone_geoms = np.asarray(zone_geoms, dtype=object)
    zone_codes = np.asarray(zone_codes, dtype=object).astype(str)
    program_geoms = np.asarray(program_geoms, dtype=object)
    n = len(program_geoms)
    threads = total_threads(client)
    payloads = _Payloads(zone_geoms, zone_codes, program_geoms, overlaps, max_vertices, cut)
    if partition_size:
        parts = partition_programs(program_geoms, partition_size)
    else:
        # PARTS_PER_THREAD tasks of about equal estimated cost per worker thread (never below
        # MIN_PARTITION_SIZE programs a task: each task indexes its zones)
        k = int(np.clip(n // MIN_PARTITION_SIZE, 1, PARTS_PER_THREAD * threads))
        parts = partition_by_cost(program_geoms, program_costs(payloads.tree, program_geoms), k)
    waited = payloads.resolve()
    t_part = time.perf_counter() - t0 - waited
    got = _Gathered(n)
    t1 = time.perf_counter()
    sent = _run_partitions(client, payloads, parts, 2 * threads, got, progress)
    t2 = time.perf_counter()
    rest = n - sum(len(p) for p in parts)
    if progress and rest:
        progress(rest)
    pairs = _engine_pairs(got.frames)
    snap = np.unique(np.concatenate(got.snapped)).astype(np.int64) if got.snapped else np.zeros(0, dtype=np.int64)
    timings = {"partition": t_part, "wait": waited, "shares": t2 - t1, "assemble": time.perf_counter() - t2, "send": sent, "worker_seconds": got.worker_seconds, "worker_index_seconds": got.index_seconds, "worker_cpu_seconds": got.cpu_seconds}
    return ShareResult(pairs=pairs, measure=got.measure, unzoned=got.unzoned, dim=got.dim, snapped=snap, timings=timings)


class _Payloads:
    """What each partition's task receives: its programs, and the zones whose boxes meet their boxes
    (with the overlap pairs among those zones), as WKB."""

    def __init__(self, zone_geoms: np.ndarray, zone_codes: np.ndarray, program_geoms: np.ndarray, overlaps: tuple[np.ndarray, np.ndarray] | None, max_vertices: int, cut: ZoneCut | None = None) -> None:
        self.zone_geoms, self.zone_codes, self.program_geoms = zone_geoms, zone_codes, program_geoms
        self.max_vertices = max_vertices
        self._given = (overlaps, cut)
        # zones by program box: a partition gets every zone whose box meets one of its programs' boxes
        self.tree = shapely.STRtree(zone_geoms)
        self.zone_wkb = np.asarray(shapely.to_wkb(zone_geoms), dtype=object)
        self.prog_wkb = np.asarray(shapely.to_wkb(program_geoms), dtype=object)

    def resolve(self) -> float:
        """Take the overlap pairs and the cut (waiting for them when given as callables, e.g. the QA
        still running on the cluster); returns the seconds waited."""
        t = time.perf_counter()
        overlaps, cut = (x() if callable(x) else x for x in self._given)
        waited = time.perf_counter() - t
        self.overlaps = overlaps
        if overlaps is not None:
            self.ov_l, self.ov_r = (np.asarray(x, dtype=np.int64) for x in overlaps)
        # the zoning's cut pieces, when the client has them (the cache, or cut while the QA ran):
        # each task gets its zones' pieces instead of cutting them again
        self.cut = cut if cut is not None and cut.max_vertices == int(self.max_vertices) else None
        self.part_owner = polygonal_parts(self.zone_geoms)[1] if self.cut is not None else None
        return waited

    def __call__(self, pos: np.ndarray) -> tuple[Any, ...]:
        _, zi = self.tree.query(self.program_geoms[pos])
        zsel = np.unique(zi)
        ov = None
        if self.overlaps is not None:
            local = np.full(len(self.zone_geoms), -1, dtype=np.int64)
            local[zsel] = np.arange(len(zsel))
            keep = (local[self.ov_l] >= 0) & (local[self.ov_r] >= 0)
            ov = (local[self.ov_l[keep]], local[self.ov_r[keep]])
        cut = None if self.cut is None else _subset_cut(self.cut, self.part_owner, zsel, len(self.zone_geoms))
        return _pack_bytes(self.zone_wkb[zsel]), self.zone_codes[zsel].astype(str), ov, _pack_bytes(self.prog_wkb[pos]), int(self.max_vertices), cut


class _Gathered:
    """The partitions' results as they arrive: per program its measure, unzoned part and dimension, the
    pairs' frames, the snapped programs, and the workers' time."""

    def __init__(self, n: int) -> None:
        self.measure = np.full(n, np.nan)
        self.unzoned = np.full(n, np.nan)
        self.dim = np.full(n, -1, dtype=np.int64)
        self.frames: list[pd.DataFrame] = []
        self.snapped: list[np.ndarray] = []
        self.worker_seconds = self.index_seconds = self.cpu_seconds = 0.0

    def add(self, pos: np.ndarray, r: dict[str, Any]) -> None:
        self.measure[pos] = r["program_measure"]
        self.unzoned[pos] = r["unzoned"]
        self.dim[pos] = r["dim"]
        self.snapped.append(pos[np.asarray(r["snapped"], dtype=np.int64)])
        self.frames.append(pd.DataFrame({"prog": pos[r["prog"]], "zone_code": r["zone_code"], "measure": r["measure"], "share": r["share"]}))
        self.worker_seconds += r["seconds"]
        self.index_seconds += r["index_seconds"]
        self.cpu_seconds += r["cpu_seconds"]


def _task_result(fut: Any, failed: str, n: int) -> Any:
    """A task's result; a worker's failure (not one of ours) as one ClusterError line: ``failed`` formatted
    with ``n`` (the task's programs), ``kind`` and ``exc``."""
    try:
        return fut.result()
    except SpprError:
        raise
    except Exception as exc:  # noqa: BLE001 - a worker's failure, one line
        raise ClusterError(failed.format(n=n, kind=type(exc).__name__, exc=exc)) from None


def _run_partitions(client: Any, payload: _Payloads, parts: list[np.ndarray], window: int, got: _Gathered, progress: Callable[[int], None] | None) -> float:
    """The partitions run on the cluster, at most ``window`` at a time, their results added to ``got``
    as they finish (all cancelled on a failure); returns the seconds spent scattering payloads."""
    from distributed import as_completed

    pending: dict[Any, np.ndarray] = {}
    todo = list(enumerate(parts))

    sent = [0.0]

    def submit(k: int, pos: np.ndarray) -> Any:
        ts = time.perf_counter()
        data = client.scatter([payload(pos)], hash=False)[0]
        sent[0] += time.perf_counter() - ts
        fut = client.submit(_run_payload, data, key=f"sppr-shares-{uuid.uuid4().hex[:8]}-{k}", pure=False)
        pending[fut] = pos
        return fut

    try:
        seq = as_completed([submit(*todo.pop(0)) for _ in range(min(window, len(todo)))])
        for fut in seq:
            pos = pending.pop(fut)
            r = _task_result(fut, _("zone shares of {n} programs failed on the cluster: {kind}: {exc}"), len(pos))
            fut.release()
            if todo:
                seq.add(submit(*todo.pop(0)))
            got.add(pos, r)
            if progress:
                progress(len(pos))
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    return sent[0]


def _engine_pairs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The partitions' pairs in one frame, built as the engine builds its own (same dtypes), in its order."""
    if frames:
        pairs = pd.concat(frames, ignore_index=True)
    else:
        pairs = pd.DataFrame({"prog": np.array([], dtype=np.int64), "zone_code": np.array([], dtype=object), "measure": np.array([], dtype=float), "share": np.array([], dtype=float)})
    # built as the engine builds its own (same dtypes), in its order
    pairs = pd.DataFrame(
        {
            "prog": pairs["prog"].to_numpy(dtype=np.int64),
            "zone_code": pairs["zone_code"].to_numpy(dtype=object),
            "measure": pairs["measure"].to_numpy(dtype=float),
            "share": pairs["share"].to_numpy(dtype=float),
        }
    )
    return pairs.sort_values(["prog", "zone_code"], kind="stable").reset_index(drop=True)

# ----------------------------------------------------------------------------- zoning QA


def _qa_pairs_task(func: Callable[..., np.ndarray], wkb: tuple[np.ndarray, np.ndarray], i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Worker side: one chunk of a pairwise QA step (``func(geoms, i, j)``), results as WKB."""
    tune_malloc()
    out = func(unpack_wkb(*wkb), i, j)
    return pack_wkb(np.asarray(out, dtype=object))


def _qa_map_task(func: Callable[..., np.ndarray], wkb: tuple[np.ndarray, np.ndarray], *args: Any) -> tuple[np.ndarray, np.ndarray]:
    tune_malloc()
    return pack_wkb(np.asarray(func(unpack_wkb(*wkb), *args), dtype=object))


def _qa_union_task(wkb: tuple[np.ndarray, np.ndarray], half: float) -> bytes:
    tune_malloc()
    return shapely.to_wkb(dilated_union(unpack_wkb(*wkb), half))


class ClusterRunner(GeometryRunner):
    """The zoning QA's heavy steps (:func:`sppr_gis.validate.zoning_topology`) as tasks on a cluster.

    Pairwise steps (the overlap of each pair of neighbouring zone pieces, the
    triple overlaps) are ordered along a Hilbert curve through their first
    geometry and cut into ``4 x`` worker-thread chunks; each task receives only the
    geometries its pairs name (WKB) and returns the results as WKB, which keeps
    every double exactly, so the findings equal a local run's. The dilated
    union is cut into two bands per worker thread, one task each, and the bands'
    union is taken here. Inputs too small to be worth sending run here.

    Parameters
    ----------
    client : distributed.Client
    min_send : int
        Steps on fewer pairs or geometries run in this process (default 2000).
    """

    #: QA tasks go before the engine's partitions queued with them: what the client does with the QA's
    #: results (the gaps' exact cut) then overlaps the partitions still running.
    PRIORITY = 10
    #: The dilated union of few large zones in bands of equal vertex counts, one task each (workers in parallel).
    BAND_FEW_LARGE = True

    def __init__(self, client: Any, min_send: int = 2000) -> None:
        super().__init__(1)
        self.client = client
        self.MIN_SEND = int(min_send)
        self.threads = total_threads(client)
        self.seconds = {"send": 0.0}

    def _gather(self, futs: list[Any]) -> list[Any]:
        try:
            return self.client.gather(futs)
        except Exception as exc:  # noqa: BLE001 - a worker's failure, one line
            raise ClusterError(_("zoning QA failed on the cluster: {kind}: {exc}").format(kind=type(exc).__name__, exc=exc)) from None

    def _scatter(self, payload: Any) -> Any:
        t = time.perf_counter()
        data = self.client.scatter([payload], hash=False)[0]
        self.seconds["send"] += time.perf_counter() - t
        return data

    def map(self, func: Callable[..., np.ndarray], geoms: np.ndarray, *args: object) -> np.ndarray:
        if len(geoms) < self.MIN_SEND:
            return GeometryRunner.map(self, func, geoms, *args)
        chunks = np.array_split(np.arange(len(geoms)), 2 * self.threads)
        futs = [self.client.submit(_qa_map_task, func, self._scatter(pack_wkb(geoms[c])), *args, key=f"sppr-qa-{uuid.uuid4().hex[:10]}", pure=False, priority=self.PRIORITY) for c in chunks]
        return np.concatenate([unpack_wkb(*r) for r in self._gather(futs)])

    def pairs(self, func: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], geoms: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        n = len(i)
        if n < self.MIN_SEND:
            return GeometryRunner.pairs(self, func, geoms, i, j)
        rank = np.full(len(geoms), len(geoms), dtype=np.int64)
        order = hilbert_order(geoms)
        rank[order] = np.arange(len(order))
        by = np.lexsort((j, rank[i]))
        futs, sels = [], []
        for sel in np.array_split(by, 4 * self.threads):
            if not len(sel):
                continue
            u, inv = np.unique(np.concatenate([i[sel], j[sel]]), return_inverse=True)
            li, lj = inv[: len(sel)].astype(np.int64), inv[len(sel) :].astype(np.int64)
            data = self._scatter(pack_wkb(geoms[u]))
            futs.append(self.client.submit(_qa_pairs_task, func, data, li, lj, key=f"sppr-qa-{uuid.uuid4().hex[:10]}", pure=False, priority=self.PRIORITY))
            sels.append(sel)
        out = np.empty(n, dtype=object)
        for sel, r in zip(sels, self._gather(futs)):
            out[sel] = unpack_wkb(*r)
        return out

    def chunk_count(self) -> int:
        return 2 * self.threads

    def unions(self, chunks: list[np.ndarray], half: float) -> list[object]:
        return self.unions_later(chunks, half)()

    def unions_later(self, chunks: list[np.ndarray], half: float) -> Callable[[], list[object]]:
        if sum(len(c) for c in chunks) < self.MIN_SEND:
            # here, with GeometryRunner's own unions: GeometryRunner.unions_later calls self.unions,
            # which is this class's and would come back here (RecursionError, issue 17 case 16)
            return lambda: GeometryRunner.unions(self, chunks, half)
        futs = [self.client.submit(_qa_union_task, self._scatter(pack_wkb(c)), float(half), key=f"sppr-qa-{uuid.uuid4().hex[:10]}", pure=False, priority=self.PRIORITY) for c in chunks]
        return lambda: [shapely.from_wkb(b) for b in self._gather(futs)]


def _run_payload(data: tuple[Any, ...]) -> dict[str, Any]:
    return _shares_task(*data)


# ----------------------------------------------------------------------------- relocation advice

#: On a worker: the permitted pieces of the latest relocation run (its token -> the pieces and each
#: activity's tree), decoded once per worker and kept while that run's tasks come.
_RELOCATION_PIECES: dict[str, dict[str, Any]] = {}


def _relocation_task(nearest_in_tree: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]], token: str, pieces: tuple[np.ndarray, np.ndarray], activity: tuple[int, np.ndarray, np.ndarray], prog_wkb: tuple[np.ndarray, np.ndarray], max_distance: float) -> dict[str, Any]:
    """Worker side: the nearest permitted zone of one chunk of one activity's programs (one thread).

    ``pieces`` (scattered to every worker once) are the permitted zones' cut pieces; ``activity`` the
    positions of the activity's pieces among them, in the local tree's order, and their codes;
    ``nearest_in_tree`` is :func:`sppr_gis.relocation.nearest_in_tree` (passed in: this module sits below it)."""
    tune_malloc()
    cpu = time.thread_time()
    entry = _RELOCATION_PIECES.get(token)
    if entry is None:
        _RELOCATION_PIECES.clear()  # one run's pieces at a time: a worker's memory stays bounded
        entry = _RELOCATION_PIECES[token] = {"pieces": unpack_wkb(*pieces), "trees": {}}
    k, sel, codes = activity
    if k not in entry["trees"]:
        sel = np.asarray(sel, dtype=np.int64)
        entry["trees"][k] = shapely.STRtree(entry["pieces"][sel]) if len(sel) else None
    c, d, pt = nearest_in_tree(entry["trees"][k], np.asarray(codes, dtype=object), unpack_wkb(*prog_wkb), float(max_distance))
    return {"codes": c, "dist": d, "point": pack_wkb(pt), "cpu_seconds": time.thread_time() - cpu}


class ShippedPieces:
    """The relocation advice's cut pieces, sent to every worker once (a broadcast scatter).

    Parameters
    ----------
    client : distributed.Client
    pieces : numpy.ndarray of shapely geometries
        :meth:`sppr_gis.relocation.PermittedZones.pieces`; the tasks name them by position.
    """

    def __init__(self, client: Any, pieces: np.ndarray) -> None:
        t = time.perf_counter()
        self.client = client
        self.token = uuid.uuid4().hex
        try:
            self.future = client.scatter([pack_wkb(np.asarray(pieces, dtype=object))], broadcast=True, hash=False)[0]
        except Exception as exc:  # noqa: BLE001 - the cluster's failure, one line
            raise ClusterError(_("relocation advice: sending the zone pieces to the cluster failed: {kind}: {exc}").format(kind=type(exc).__name__, exc=exc)) from None
        self.seconds = time.perf_counter() - t


def _drop_relocation_pieces(token: str) -> None:
    """Worker side: forget a finished run's pieces (a long-lived worker does not keep them)."""
    if token in _RELOCATION_PIECES:
        del _RELOCATION_PIECES[token]
        release_memory()


def distributed_nearest(client: Any, pieces: np.ndarray | ShippedPieces, activities: list[tuple[np.ndarray, np.ndarray]], groups: list[tuple[int, np.ndarray]], geoms: np.ndarray, max_distance: float, nearest: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """The relocation advice's nearest permitted zones computed on the cluster; equal to a local run's.

    Parameters
    ----------
    client : distributed.Client
    pieces : numpy.ndarray of shapely geometries, or ShippedPieces
        The permitted zones' cut pieces (:meth:`sppr_gis.relocation.PermittedZones.pieces`), sent to
        every worker once (here, or already, e.g. while the workers computed the shares).
    activities : list of (piece positions, piece codes)
        Per activity, its permitted pieces in its tree's order and their codes
        (:meth:`~sppr_gis.relocation.PermittedZones.tree_pieces`): each sent once.
    groups : list of (activity, positions)
        One task each: the position of the activity in ``activities`` and positions into ``geoms`` of
        programs of that activity.
    geoms : numpy.ndarray of shapely geometries
        The programs to advise (metric CRS, as the pieces).
    max_distance : float
        Metres.
    nearest : callable
        :func:`sppr_gis.relocation.nearest_in_tree` (run by the tasks).

    Returns
    -------
    codes, distance, point : numpy.ndarray
        Per program, as :meth:`~sppr_gis.relocation.PermittedZones.nearest`, in ``geoms``' order.
    timings : dict
        ``send`` (client: packing and scattering), ``worker_cpu_seconds``.

    Raises
    ------
    ClusterError
        A task failed (the others are cancelled).
    """
    from distributed import as_completed

    check_workers(client)
    n = len(geoms)
    codes = np.full(n, None, dtype=object)
    dist = np.full(n, np.nan)
    point = np.full(n, None, dtype=object)
    timings = {"send": 0.0, "worker_cpu_seconds": 0.0}
    if not groups:
        return codes, dist, point, timings
    t = time.perf_counter()
    if not isinstance(pieces, ShippedPieces) or pieces.client is not client:
        pieces = ShippedPieces(client, pieces)
    token, shared = pieces.token, pieces.future
    # each activity's pieces once (several tasks share them)
    acts = client.scatter([(k, np.asarray(sel, dtype=np.int64), np.asarray(pcodes, dtype=object).astype(str)) for k, (sel, pcodes) in enumerate(activities)], hash=False)
    pending: dict[Any, np.ndarray] = {}
    try:
        for i, (k, at) in enumerate(groups):
            fut = client.submit(_relocation_task, nearest, token, shared, acts[k], pack_wkb(geoms[at]), float(max_distance), key=f"sppr-relokasi-{token[:8]}-{i}", pure=False)
            pending[fut] = at
        timings["send"] = time.perf_counter() - t
        for fut in as_completed(list(pending)):
            at = pending.pop(fut)
            r = _task_result(fut, _("relocation advice of {n} programs failed on the cluster: {kind}: {exc}"), len(at))
            fut.release()
            codes[at], dist[at], point[at] = r["codes"], r["dist"], unpack_wkb(*r["point"])
            timings["worker_cpu_seconds"] += r["cpu_seconds"]
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    finally:
        try:
            client.run(_drop_relocation_pieces, token)
        except Exception:  # noqa: BLE001 - best effort: the next run's pieces replace them anyway
            pass
    return codes, dist, point, timings
