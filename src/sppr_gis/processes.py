"""Work done beside the main process: a job in a forked copy while this process goes on.

A year's outputs are mostly written by one Python thread (the Buku Matriks through xlsxwriter, the Album Peta
through matplotlib), so on a machine with two CPUs one of them waits. :class:`Beside` runs a job that writes a
file in a forked copy of the process and lets the caller go on with the next one; :meth:`Beside.finish` waits for
the copy and, should it have failed, hung or never started, runs the job here. The outputs are the same bytes
either way: the job only writes, from data both processes hold (the copy sees the data as it was at the fork).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
import warnings
from collections.abc import Callable

log = logging.getLogger(__name__)

__all__ = ["Beside", "can_fork", "fork", "wait_child"]


def fork() -> int:
    """``os.fork``, with Ctrl-C and SIGTERM held in this process until the fork and its at-fork callbacks are done.

    A signal whose handler raises (``sppr``'s: :class:`~sppr_gis.errors.Interrupted`) while ``logging``'s at-fork
    callback releases its lock is reported as "Exception ignored" and lost: the run went on after Ctrl-C (CI, session
    9: ``test_ctrl_c_during_sync_exits_130_and_leaves_nothing``). Here such a signal is recorded and raised again in
    this process once the fork has returned; the copy starts with the handlers as they were and no pending signal.

    Returns
    -------
    int
        0 in the copy, the copy's pid here.

    Raises
    ------
    OSError
        The fork failed (the held signals are raised again first).
    """
    got: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        got.append(signum)

    sigs = (signal.SIGINT, signal.SIGTERM)
    old = {s: signal.getsignal(s) for s in sigs}
    for s in sigs:
        signal.signal(s, hold)
    pid = -1
    try:
        pid = os.fork()
    finally:
        for s in sigs:
            signal.signal(s, old[s])
        if pid != 0:
            for s in got:
                signal.raise_signal(s)
    return pid


_held_fork = fork  # Beside's ``fork`` argument shadows the name


def can_fork() -> bool:
    """Whether work may go to a forked copy of this process.

    ``os.fork`` exists, two CPUs are ours, ``SPPR_ALBUM_PROCESSES`` is not ``1``, and this is the main thread of a
    process no pool started (regions synchronized in parallel, a cluster's worker: those already use the CPUs,
    and ``--workers-processes`` promises no more processes than CPUs).

    Returns
    -------
    bool
    """
    import multiprocessing
    import threading

    if not hasattr(os, "fork") or os.environ.get("SPPR_ALBUM_PROCESSES") == "1":
        return False
    if multiprocessing.parent_process() is not None or threading.current_thread() is not threading.main_thread():
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cpus >= 2


class Beside:
    """``job`` run in a forked copy of this process, started at once; :meth:`finish` waits for it.

    Parameters
    ----------
    job : callable
        Writes its output (atomically: a copy stopped half-way leaves at most temporary files, which
        ``clean`` removes). Its return value is ignored; it must not change state the caller reads later.
    clean : callable, optional
        Removes what a copy stopped half-way may have left (called before the job is run here instead).
    fork : bool, optional
        Fork at all; default :func:`can_fork`. Without a fork the job runs at :meth:`finish`.

    Examples
    --------
    >>> from pathlib import Path
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "a.txt"
    >>> job = Beside(lambda: out.write_text("isi"))
    >>> # ... other work here, on the other CPU ...
    >>> job.finish()
    >>> out.read_text()
    'isi'
    """

    def __init__(self, job: Callable[[], object], *, clean: Callable[[], None] | None = None, fork: bool | None = None) -> None:
        self._job = job
        self._clean = clean
        self._pid: int | None = None
        self._read: int | None = None
        self._started = time.monotonic()
        self.seconds: float | None = None
        """How long the job took (in the copy or here), once :meth:`finish` has returned."""
        if not (can_fork() if fork is None else fork):
            return
        read, write = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork with threads (the copy only writes)
            try:
                pid = _held_fork()
            except OSError:
                os.close(read)
                os.close(write)
                return
        if pid == 0:  # the copy: run the job, report its time, never return into the caller
            code = 1
            try:
                os.close(read)
                t = time.perf_counter()
                job()
                os.write(write, f"{time.perf_counter() - t:.4f}".encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def finish(self, *, floor: float = 120.0) -> None:
        """Wait for the copy; run the job here if it failed, or has not ended after ``max(floor, 3 x`` the time since
        the start ``)`` (a copy that hangs on a lock another thread held at the fork is stopped), or never started.

        Raises
        ------
        Exception
            Whatever the job raises when it runs here (the copy's failure is not reported: the job is run again
            here, where its error, if it has one, reaches the caller).
        """
        ok = False
        if self._pid is not None:
            status = wait_child(self._pid, deadline=time.monotonic() + max(floor, 3 * (time.monotonic() - self._started)))
            if status is not None:
                self._pid = None
                ok = os.waitstatus_to_exitcode(status) == 0
            else:
                self._stop()
            if ok and self._read is not None:
                with contextlib.suppress(ValueError, OSError):
                    self.seconds = float(os.read(self._read, 64).decode() or "nan")
        self._close()
        if not ok:
            if self._clean is not None:
                self._clean()
            t = time.perf_counter()
            self._job()
            self.seconds = time.perf_counter() - t

    def cancel(self) -> None:
        """Stop the copy if it still runs (the caller failed, or gave up waiting) and remove what it left."""
        if self._pid:
            self._stop()
            if self._clean is not None:
                self._clean()
        self._close()

    def _stop(self) -> None:
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGTERM)
                os.waitpid(self._pid, 0)
            self._pid = None

    def _close(self) -> None:
        if self._read is not None:
            with contextlib.suppress(OSError):
                os.close(self._read)
            self._read = None


def wait_child(pid: int, deadline: float) -> int | None:
    """The wait status of the forked copy ``pid``, or None if it has not ended by ``deadline`` (``time.monotonic``):
    a copy that hangs (a lock some other thread held at the fork) must not hang its caller, which then stops it and
    does its job itself.

    Parameters
    ----------
    pid : int
    deadline : float
        A ``time.monotonic()`` value.

    Returns
    -------
    int or None
        ``os.waitpid``'s status, or None at the deadline.
    """
    delay = 0.01
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            log.debug("the forked copy (pid %s) has not ended in time; stopped, its job done here", pid)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
