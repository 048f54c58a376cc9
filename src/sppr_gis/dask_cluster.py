"""The dask.distributed cluster itself: connecting to one, or starting a private one on this machine.

Optional (``pip install "sppr-gis[distributed]"``); dask is imported only inside the functions that
talk to a cluster, so importing this module needs none of it.

- :func:`cluster_client`: a client of a running scheduler (probed first, so that a wrong address fails
  at once), or of a private local cluster (:func:`process_cluster`: TLS with a throwaway certificate,
  no password in its environment);
- :func:`check_workers`, :func:`total_threads`, :func:`worker_count`: what the workers can do;
- :func:`client_credentials`, :func:`with_credentials`: the PostGIS credentials only the tasks that
  need them receive.

What runs on the cluster (zone shares, the zoning QA) is :mod:`sppr_gis.cluster`, which re-exports
these names.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sppr_gis.errors import SpprError
from sppr_gis.validate import usable_cpus
from sppr_gis.i18n import _

__all__ = [
    "ANSWER_TIMEOUT",
    "ClusterError",
    "check_workers",
    "client_credentials",
    "cluster_client",
    "process_cluster",
    "total_threads",
    "with_credentials",
    "worker_count",
]

log = logging.getLogger("sppr_gis.cluster")  # the logger these functions had before they left sppr_gis.cluster


class ClusterError(SpprError, ConnectionError):
    """The cluster cannot be reached or a task failed for a reason outside the data."""




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

    The steps: dask's own log lines quietened, the client connected (:func:`_connect`: a private
    local cluster started, or a remote scheduler probed first), its credentials kept, a first worker
    awaited; on exit the client, the cluster and the log level undone.
    """
    try:
        from distributed import Client  # noqa: F401 - dask.distributed is there, or one clear line
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
        client, creds = _connect(scheduler, workers, timeout, stack)
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


def _connect(scheduler: str, workers: int | None, timeout: float, stack: contextlib.ExitStack) -> tuple[Any, dict[str, str]]:
    """The client of :func:`cluster_client` and the credentials its PostGIS tasks may receive: for
    ``"local"`` a private cluster started on ``stack``, else the scheduler at that address, probed first."""
    from distributed import Client

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
    return client, creds


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

    Notes
    -----
    The steps: the working folder, the commands' settings (:func:`_process_settings`), the scheduler
    (:func:`_start_scheduler`), the workers (:func:`_start_workers`); on exit every process stopped
    (:meth:`_Processes.stop`) and a temporary folder removed.
    """
    import sys

    from distributed import Client  # noqa: F401 - dask.distributed first, before anything starts

    exe = Path(sys.executable).with_name("dask")
    if not exe.exists():
        raise ClusterError(_("no 'dask' command beside {executable}").format(executable=sys.executable))
    tmp = None if folder is not None else tempfile.TemporaryDirectory(prefix="sppr-dask-")
    work = Path(folder if folder is not None else tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    sched = work / "scheduler.json"
    sched.unlink(missing_ok=True)
    env, tls, http = _process_settings(env, security, work)
    run = _Processes(exe, work, env)
    try:
        address = _start_scheduler(run, sched, http, tls, timeout)
        _start_workers(run, address, workers, http, tls, memory_limit=memory_limit, timeout=timeout, security=security)
        yield address
    finally:
        run.stop()
        if tmp is not None:
            tmp.cleanup()


def _process_settings(env: dict[str, str] | None, security: Any, work: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """The dask commands' environment, TLS arguments (the PEMs written into ``work``) and HTTP arguments."""
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
    return env, tls, http


@dataclass
class _Processes:
    """The dask commands of :func:`process_cluster`: each started in ``work`` in a session of its own,
    with its log there; stopped together (TERM, then KILL after 30 s)."""

    exe: Path
    work: Path
    env: dict[str, str]
    procs: list[Any] = field(default_factory=list)

    def start(self, args: list[str], name: str) -> None:
        import subprocess

        with open(self.work / f"{name}.log", "wb") as log:
            self.procs.append(subprocess.Popen([str(self.exe), *args], cwd=self.work, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True))

    def tail(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""

    def stop(self) -> None:
        import subprocess

        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _start_scheduler(run: _Processes, sched: Path, http: list[str], tls: list[str], timeout: float) -> str:
    """``dask scheduler`` started; its address, once it has written ``sched``."""
    run.start(["scheduler", "--host", "127.0.0.1", "--port", "0", *http, *tls, "--scheduler-file", str(sched)], "scheduler")
    deadline = time.monotonic() + timeout
    while not (sched.exists() and sched.stat().st_size) and time.monotonic() < deadline and run.procs[0].poll() is None:
        time.sleep(0.2)
    if not (sched.exists() and sched.stat().st_size):
        raise ClusterError(_("dask scheduler did not start:") + "\n" + run.tail("scheduler"))
    import json

    return json.loads(sched.read_text())["address"]


def _start_workers(
    run: _Processes, address: str, workers: int, http: list[str], tls: list[str], *, memory_limit: str, timeout: float, security: Any
) -> None:
    """``workers`` one-thread ``dask worker`` processes started, and awaited until all have joined."""
    from distributed import Client

    work = run.work
    for i in range(workers):
        run.start(["worker", address, "--nthreads", "1", "--nworkers", "1", *http, *tls, "--host", "127.0.0.1",
                   "--memory-limit", memory_limit, "--local-directory", str(work / f"w{i}"), "--name", f"w{i}"], f"worker{i}")
    with Client(address, timeout="30s", security=security) as c:
        try:
            c.wait_for_workers(workers, timeout=timeout)
        except (OSError, TimeoutError):
            raise ClusterError(_("the {workers} dask workers did not join {address}:").format(workers=workers, address=address) + "\n" + "\n".join(run.tail(f"worker{i}") for i in range(workers))) from None

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

