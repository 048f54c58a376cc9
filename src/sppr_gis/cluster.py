"""Zone shares and the zoning QA on a dask.distributed cluster, and the cluster itself.

Optional (``pip install "sppr-gis[distributed]"``); dask is imported only inside the
functions that talk to a cluster, so importing this module needs none of it.

- :func:`cluster_client` / :func:`process_cluster`: a client of a running scheduler, or a
  private local cluster (TLS with a throwaway certificate, no password in its environment).
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

import contextlib
import importlib
import logging
import os
import re
import signal
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from sppr_gis.engine import DEFAULT_MAX_VERTICES, ShareResult, ZoneIndex, release_memory
from sppr_gis.errors import SpprError
from sppr_gis.validate import GeometryRunner, dilated_union, usable_cpus
from sppr_gis.i18n import _

__all__ = [
    "ClusterError",
    "ClusterRunner",
    "check_workers",
    "client_credentials",
    "cluster_client",
    "distributed_shares",
    "hilbert_order",
    "pack_wkb",
    "partition_programs",
    "process_cluster",
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


class ClusterError(SpprError, ConnectionError):
    """The cluster cannot be reached or a task failed for a reason outside the data."""


# ----------------------------------------------------------------------------- the cluster


#: Environment variables kept out of a cluster this tool starts itself (``--scheduler local``):
#: libpq's password and anything else named like a password. Tasks that read or write PostGIS on a
#: worker get ``PGPASSWORD`` with their data (:func:`_with_credentials`), never through the environment.
_SECRET_ENV = re.compile(r"PASSW(OR)?D|^PGPASSWORD$", re.IGNORECASE)
#: What such a task may receive (what libpq reads).
_CREDENTIAL_ENV = ("PGPASSWORD",)
#: Clients of clusters started here -> the credentials their PostGIS tasks may receive.
_CREDENTIALS: Any = None

#: The longest wait for a scheduler's first answer (its handshake and ``identity``): a real one answers
#: in milliseconds; something that accepts TCP and never answers is refused after this.
ANSWER_TIMEOUT = 10.0


def _credentials_registry() -> Any:
    global _CREDENTIALS
    if _CREDENTIALS is None:
        import weakref

        _CREDENTIALS = weakref.WeakKeyDictionary()
    return _CREDENTIALS


def worker_count(workers: int | None) -> int:
    """The processes (or threads) to start: ``workers``, at most the CPUs this process may use.

    Parameters
    ----------
    workers : int, optional
        What was asked (None: all usable CPUs).

    Returns
    -------
    int
        Between 1 and the number of usable CPUs (a warning when ``workers`` was capped).
    """
    cpus = usable_cpus()
    if workers is None:
        return cpus
    if int(workers) > cpus:
        log.warning(_("{workers} workers asked for, but only {cpus} CPUs can be used: using {cpus}").format(workers=int(workers), cpus=cpus))
        return cpus
    return max(1, int(workers))


def _temporary_security() -> Any:
    """dask's TLS with a throwaway self-signed certificate, held in memory (needs ``cryptography``)."""
    from distributed.security import Security

    try:
        return Security.temporary()
    except ImportError:
        raise ClusterError(_("--scheduler local needs the cryptography package for its TLS certificate: pip install \"sppr-gis[distributed]\"")) from None


def _private_environ() -> tuple[dict[str, str], dict[str, str]]:
    """This process's environment without its secrets, and the credentials a PostGIS task may get."""
    env = {k: v for k, v in os.environ.items() if not _SECRET_ENV.search(k)}
    creds = {k: os.environ[k] for k in _CREDENTIAL_ENV if os.environ.get(k)}
    return env, creds


@contextlib.contextmanager
def cluster_client(scheduler: Any, workers: int | None = None, *, timeout: float = 20.0) -> Iterator[Any]:
    """A :class:`distributed.Client` for ``scheduler``, closed on exit (unless it was given).

    Parameters
    ----------
    scheduler : str or distributed.Client
        ``"tcp://HOST:8786"`` (a running scheduler), ``"local"`` (a cluster of
        ``workers`` one-thread worker processes on this machine, started here and
        stopped on exit), or a client (used as is).
    workers : int, optional
        Processes of a local cluster (default, and at most: the CPUs this process may use).
    timeout : float
        Seconds to wait for the scheduler and for a first worker.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ClusterError
        dask.distributed is not installed, the scheduler cannot be reached or
        does not answer, it has no worker, or the workers cannot import sppr_gis.

    Notes
    -----
    A local cluster is private to this run: its scheduler and workers are
    processes of their own that talk TLS with a certificate made for the run
    and held in memory (:meth:`distributed.security.Security.temporary`), so
    another user of the machine cannot connect; they serve no dashboard; their
    environment has no password variable (``PGPASSWORD`` and the like). The
    tasks that read or write PostGIS on a worker receive ``PGPASSWORD`` with
    their data, and only they.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(_("--scheduler needs dask.distributed: pip install \"sppr-gis[distributed]\"")) from None
    if not isinstance(scheduler, str):
        yield scheduler
        return
    # dask's own INFO lines are not the user's
    dlog = logging.getLogger("distributed")
    level = dlog.level
    if not log.isEnabledFor(logging.DEBUG):
        dlog.setLevel(logging.ERROR)
    stack = contextlib.ExitStack()
    try:
        creds: dict[str, str] = {}
        if scheduler == "local":
            security = _temporary_security()
            env, creds = _private_environ()
            n = worker_count(workers)
            try:
                address = stack.enter_context(process_cluster(n, security=security, env=env, timeout=max(timeout, 120.0)))
            except ClusterError as exc:
                raise ClusterError(_("--scheduler local: {exc}").format(exc=exc)) from None
            client = Client(address, security=security, timeout=f"{timeout}s")
        else:
            from distributed.security import Security

            security = Security()
            _probe(scheduler, timeout, security)
            client = Client(scheduler, timeout=f"{timeout}s", security=security)
    except (OSError, TimeoutError) as exc:
        stack.close()
        dlog.setLevel(level)
        raise ClusterError(_("scheduler {scheduler}: cannot connect ({exc})").format(scheduler=scheduler, exc=exc)) from None
    except BaseException:
        stack.close()
        dlog.setLevel(level)
        raise
    if creds:
        _credentials_registry()[client] = creds
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise ClusterError(_("scheduler {scheduler}: no worker joined within {timeout:g} s").format(scheduler=scheduler, timeout=timeout)) from None
        yield client
    finally:
        client.close()
        stack.close()
        dlog.setLevel(level)


@contextlib.contextmanager
def process_cluster(
    workers: int = 2,
    folder: str | os.PathLike[str] | None = None,
    *,
    timeout: float = 120.0,
    memory_limit: str = "auto",
    security: Any = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """A scheduler and ``workers`` one-thread workers on localhost, each a ``dask`` command of its own.

    What ``dask scheduler`` / ``dask worker`` on real machines give, on one: processes
    talking TCP, working in ``folder`` (not the caller's directory). Yields the
    scheduler's address; stops them all (TERM, then KILL) on exit. Used by the tests
    and the benchmarks; ``--scheduler local`` (a :class:`distributed.LocalCluster`)
    is the quicker way for users.

    Parameters
    ----------
    workers : int
        One-thread worker processes.
    folder : path-like, optional
        Working folder and logs (default: a temporary folder, removed on exit).
    timeout : float
        Seconds to wait for the scheduler and the workers.
    memory_limit : str
        Each worker's ``--memory-limit`` (``"0"``: none).
    security : distributed.security.Security, optional
        TLS for every connection (e.g. :meth:`~distributed.security.Security.temporary`):
        the processes listen on ``tls://127.0.0.1``, their certificate files are
        written into the working folder (readable by this user only), their HTTP
        servers serve nothing and listen on 127.0.0.1 only.
    env : dict, optional
        The processes' environment (default: this process's).

    Yields
    ------
    str
        The scheduler's address.

    Raises
    ------
    ClusterError
        The scheduler or a worker did not start in time (the message ends with its log).
    """
    import subprocess
    import sys

    from distributed import Client

    exe = Path(sys.executable).with_name("dask")
    if not exe.exists():
        raise ClusterError(_("no 'dask' command beside {executable}").format(executable=sys.executable))
    tmp = None if folder is not None else tempfile.TemporaryDirectory(prefix="sppr-dask-")
    work = Path(folder if folder is not None else tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    sched = work / "scheduler.json"
    sched.unlink(missing_ok=True)
    env = {**(os.environ if env is None else env), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    tls: list[str] = []
    http = ["--no-dashboard"]
    if security is not None:
        tls = _tls_files(security, work / "tls")
        # the scheduler and workers start an HTTP server even without a dashboard (/json, /info,
        # /metrics, /proxy: what runs, on which worker); here it serves nothing, on localhost only
        env.update({"DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES": "[]", "DASK_DISTRIBUTED__WORKER__HTTP__ROUTES": "[]",
                    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"})
        http = ["--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    procs: list[subprocess.Popen] = []

    def start(args: list[str], name: str) -> None:
        with open(work / f"{name}.log", "wb") as log:
            procs.append(subprocess.Popen([str(exe), *args], cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True))

    def tail(name: str) -> str:
        path = work / f"{name}.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", *http, *tls, "--scheduler-file", str(sched)], "scheduler")
        deadline = time.monotonic() + timeout
        while not (sched.exists() and sched.stat().st_size) and time.monotonic() < deadline and procs[0].poll() is None:
            time.sleep(0.2)
        if not (sched.exists() and sched.stat().st_size):
            raise ClusterError(_("dask scheduler did not start:") + "\n" + tail("scheduler"))
        import json

        address = json.loads(sched.read_text())["address"]
        for i in range(workers):
            start(["worker", address, "--nthreads", "1", "--nworkers", "1", *http, *tls, "--host", "127.0.0.1",
                   "--memory-limit", memory_limit, "--local-directory", str(work / f"w{i}"), "--name", f"w{i}"], f"worker{i}")
        with Client(address, timeout="30s", security=security) as c:
            try:
                c.wait_for_workers(workers, timeout=timeout)
            except (OSError, TimeoutError):
                raise ClusterError(_("the {workers} dask workers did not join {address}:").format(workers=workers, address=address) + "\n" + "\n".join(tail(f"worker{i}") for i in range(workers))) from None
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if tmp is not None:
            tmp.cleanup()


def _tls_files(security: Any, folder: Path) -> list[str]:
    """The ``--protocol tls --tls-*`` arguments of the dask commands, the PEMs written into ``folder`` (mode 0600)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = {}
    for name, value in (("ca", security.tls_ca_file), ("cert", security.tls_scheduler_cert), ("key", security.tls_scheduler_key)):
        if value is None:
            raise ClusterError(_("the cluster's TLS settings need a CA, a certificate and a key"))
        if "\n" not in str(value):  # already a file
            files[name] = str(value)
            continue
        path = folder / f"{name}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(str(value))
        files[name] = str(path)
    return ["--protocol", "tls", "--tls-ca-file", files["ca"], "--tls-cert", files["cert"], "--tls-key", files["key"]]


def _probe(address: str, timeout: float, security: Any = None) -> None:
    """Fail at once on a TCP address nothing listens on (dask would retry until its timeout), and within
    ``min(timeout, ANSWER_TIMEOUT)`` seconds on one that accepts connections but does not answer as a dask
    scheduler (dask waits for its handshake's answer without a deadline)."""
    import asyncio
    import socket
    from concurrent.futures import ThreadPoolExecutor

    limit = min(float(timeout), ANSWER_TIMEOUT)
    m = re.fullmatch(r"(?:tcp://|tls://)?\[?([^\]]+?)\]?:(\d+)/?", address)
    if m is not None:
        try:
            socket.create_connection((m.group(1), int(m.group(2))), timeout=limit).close()
        except OSError as exc:
            raise ClusterError(_("scheduler {address}: cannot connect ({reason})").format(address=address, reason=exc.strerror or exc)) from None

    async def ask() -> Any:
        from distributed.comm import connect

        args = security.get_connection_args("client") if security is not None else {}
        comm = await connect(address, timeout=limit, **args)
        try:
            await comm.write({"op": "identity", "n_workers": 0})
            return await comm.read()
        finally:
            comm.abort()

    def run() -> Any:
        return asyncio.run(asyncio.wait_for(ask(), limit))

    with ThreadPoolExecutor(1, thread_name_prefix="sppr-probe") as pool:
        try:
            reply = pool.submit(run).result()
        except (TimeoutError, asyncio.TimeoutError):
            raise ClusterError(_("scheduler {address}: no answer within {limit:g} s (is it a dask scheduler?)").format(address=address, limit=limit)) from None
        except OSError as exc:
            raise ClusterError(_("scheduler {address}: cannot connect ({reason})").format(address=address, reason=exc.strerror or exc)) from None
        except Exception as exc:  # noqa: BLE001 - whatever answered, it is not a usable scheduler
            raise ClusterError(_("scheduler {address}: not a dask scheduler ({kind}: {exc})").format(address=address, kind=type(exc).__name__, exc=exc)) from None
    if not (isinstance(reply, dict) and reply.get("type") == "Scheduler"):
        raise ClusterError(_("scheduler {address}: what answered is not a dask scheduler").format(address=address))


def check_workers(client: Any, label: str = "cluster") -> None:
    """Refuse a cluster whose workers cannot import sppr_gis (they need the package, not the client's files).

    Parameters
    ----------
    client : distributed.Client
    label : str
        The scheduler's name in the message.

    Raises
    ------
    ClusterError
    """
    from importlib.metadata import version

    mine = version("sppr-gis")
    try:
        found = client.run(_package_version)
    except Exception as exc:  # noqa: BLE001 - a worker's failure, reported as one line
        raise ClusterError(_("{label}: cannot ask the workers for their sppr-gis ({exc})").format(label=label, exc=exc)) from None
    missing = sorted(w for w, v in found.items() if v is None)
    if missing:
        raise ClusterError(_("{label}: sppr-gis is not installed on worker(s) {missing} (pip install \"sppr-gis[distributed]\" there)").format(label=label, missing=', '.join(missing)))
    other = sorted(f"{w} ({v})" for w, v in found.items() if v != mine)
    if other:
        log.warning(_("{label}: worker(s) {workers} run another sppr-gis than this client ({version})").format(label=label, workers=", ".join(other), version=mine))


def _package_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        # a probe that the worker can import the package (its dependencies included), not a dependency of this module
        importlib.import_module("sppr_gis")
        return version("sppr-gis")
    except (ImportError, PackageNotFoundError):
        return None


def total_threads(client: Any) -> int:
    try:
        return max(1, int(sum(client.nthreads().values())))
    except Exception:  # noqa: BLE001
        return 1


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


def _shares_task(zone_wkb: tuple[np.ndarray, np.ndarray], zone_codes: np.ndarray, overlaps: tuple[np.ndarray, np.ndarray] | None, prog_wkb: tuple[np.ndarray, np.ndarray], max_vertices: int) -> dict[str, Any]:
    """Worker side: the engine's shares of one partition against its zones (one thread)."""
    tune_malloc()
    cpu = time.thread_time()
    zones = unpack_wkb(*zone_wkb)
    progs = unpack_wkb(*prog_wkb)
    index = ZoneIndex(zones, zone_codes, max_vertices=max_vertices, overlaps=overlaps)
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
    overlaps: tuple[np.ndarray, np.ndarray] | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    partition_size: int | None = None,
    progress: Callable[[int], None] | None = None,
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
        partition receives the pairs among its zones.
    max_vertices : int
        As for :class:`ZoneIndex`.
    partition_size : int, optional
        Programs per task (default: all programs over two tasks per worker
        thread, between :data:`MIN_PARTITION_SIZE` and :data:`MAX_PARTITION_SIZE`).
    progress : callable, optional
        Called with the number of programs finished, partition by partition.

    Returns
    -------
    ShareResult
        ``timings`` holds ``partition`` (client: order, WKB), ``shares`` (wall
        time of the tasks), ``send`` (client: each partition's zones found and
        scattered, within ``shares``), ``worker_seconds`` (the tasks' engine time
        summed), ``worker_index_seconds`` (of which building indexes) and
        ``worker_cpu_seconds`` (the tasks' CPU time, WKB decoding included).

    Raises
    ------
    ClusterError
        The cluster cannot be reached or a task failed.
    """
    if isinstance(client, str):
        with cluster_client(client) as c:
            return distributed_shares(c, zone_geoms, zone_codes, program_geoms, overlaps=overlaps, max_vertices=max_vertices, partition_size=partition_size, progress=progress)
    from distributed import as_completed

    check_workers(client)
    t0 = time.perf_counter()
    zone_geoms = np.asarray(zone_geoms, dtype=object)
    zone_codes = np.asarray(zone_codes, dtype=object).astype(str)
    program_geoms = np.asarray(program_geoms, dtype=object)
    n = len(program_geoms)
    threads = total_threads(client)
    size = partition_size or int(np.clip(-(-n // (2 * threads)), MIN_PARTITION_SIZE, MAX_PARTITION_SIZE))
    parts = partition_programs(program_geoms, size)
    # zones by program box: a partition gets every zone whose box meets one of its programs' boxes
    tree = shapely.STRtree(zone_geoms)
    zone_wkb = np.asarray(shapely.to_wkb(zone_geoms), dtype=object)
    prog_wkb = np.asarray(shapely.to_wkb(program_geoms), dtype=object)
    if overlaps is not None:
        ov_l, ov_r = (np.asarray(x, dtype=np.int64) for x in overlaps)
    t_part = time.perf_counter() - t0

    def payload(pos: np.ndarray) -> tuple[Any, ...]:
        _, zi = tree.query(program_geoms[pos])
        zsel = np.unique(zi)
        ov = None
        if overlaps is not None:
            local = np.full(len(zone_geoms), -1, dtype=np.int64)
            local[zsel] = np.arange(len(zsel))
            keep = (local[ov_l] >= 0) & (local[ov_r] >= 0)
            ov = (local[ov_l[keep]], local[ov_r[keep]])
        return _pack_bytes(zone_wkb[zsel]), zone_codes[zsel].astype(str), ov, _pack_bytes(prog_wkb[pos]), int(max_vertices)

    measure = np.full(n, np.nan)
    unzoned = np.full(n, np.nan)
    dim = np.full(n, -1, dtype=np.int64)
    frames: list[pd.DataFrame] = []
    snapped: list[np.ndarray] = []
    worker_seconds = index_seconds = cpu_seconds = 0.0
    window = 2 * threads
    pending: dict[Any, np.ndarray] = {}
    todo = list(enumerate(parts))
    t1 = time.perf_counter()

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
            try:
                r = fut.result()
            except SpprError:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker's failure, one line
                raise ClusterError(_("zone shares of {n} programs failed on the cluster: {kind}: {exc}").format(n=len(pos), kind=type(exc).__name__, exc=exc)) from None
            fut.release()
            if todo:
                seq.add(submit(*todo.pop(0)))
            measure[pos] = r["program_measure"]
            unzoned[pos] = r["unzoned"]
            dim[pos] = r["dim"]
            snapped.append(pos[np.asarray(r["snapped"], dtype=np.int64)])
            frames.append(pd.DataFrame({"prog": pos[r["prog"]], "zone_code": r["zone_code"], "measure": r["measure"], "share": r["share"]}))
            worker_seconds += r["seconds"]
            index_seconds += r["index_seconds"]
            cpu_seconds += r["cpu_seconds"]
            if progress:
                progress(len(pos))
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    t2 = time.perf_counter()
    rest = n - sum(len(p) for p in parts)
    if progress and rest:
        progress(rest)
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
    pairs = pairs.sort_values(["prog", "zone_code"], kind="stable").reset_index(drop=True)
    snap = np.unique(np.concatenate(snapped)).astype(np.int64) if snapped else np.zeros(0, dtype=np.int64)
    timings = {"partition": t_part, "shares": t2 - t1, "assemble": time.perf_counter() - t2, "send": sent[0], "worker_seconds": worker_seconds, "worker_index_seconds": index_seconds, "worker_cpu_seconds": cpu_seconds}
    return ShareResult(pairs=pairs, measure=measure, unzoned=unzoned, dim=dim, snapped=snap, timings=timings)


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


def client_credentials(client: Any) -> dict[str, str] | None:
    """The credentials a PostGIS task on ``client``'s cluster may receive (None: none kept for it).

    Parameters
    ----------
    client : distributed.Client

    Returns
    -------
    dict or None
        ``PGPASSWORD`` and the like, kept by :func:`cluster_client` for a cluster it started.
    """
    return _credentials_registry().get(client) if _CREDENTIALS is not None else None


def with_credentials(credentials: dict[str, str], func: Callable[..., Any], *args: Any) -> Any:
    """Worker side: ``func(*args)`` with the client's PostGIS credentials in the environment for its duration.

    Only tasks that read or write PostGIS on a worker of a cluster started by
    :func:`cluster_client` get them (their workers' environment has none).
    """
    saved = {k: os.environ.get(k) for k in credentials}
    os.environ.update(credentials)
    try:
        return func(*args)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

