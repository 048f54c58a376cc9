"""A job written beside the main process (sppr_gis.processes.Beside): done once, in the copy when it can be,
here when the copy fails, hangs or cannot start; the Buku Matriks the same bytes either way."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from sppr_gis.io import atomic_path
from sppr_gis.processes import Beside, can_fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _writer(target: Path, runs: list[int], *, child: str = "ok"):
    parent = os.getpid()

    def job() -> None:
        runs.append(os.getpid())  # seen by this process only when the job runs here
        in_copy = os.getpid() != parent
        with atomic_path(target) as tmp:
            tmp.write_text("isi")
            if in_copy and child == "fail":
                raise RuntimeError("the copy fails")
            if in_copy and child == "hang":
                time.sleep(60)
    return job


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".")]


def test_the_copy_writes_and_this_process_does_not(tmp_path):
    runs: list[int] = []
    out = tmp_path / "a.txt"
    job = Beside(_writer(out, runs), fork=True)
    job.finish()
    assert out.read_text() == "isi" and runs == []  # written, and not by this process
    assert job.seconds is not None and job.seconds >= 0


def test_a_failed_copy_is_done_here(tmp_path):
    runs: list[int] = []
    out = tmp_path / "a.txt"
    Beside(_writer(out, runs, child="fail"), fork=True).finish()
    assert out.read_text() == "isi" and runs == [os.getpid()]
    assert _temporaries(tmp_path) == []


def test_a_hung_copy_is_stopped_its_leftovers_removed_and_done_here(tmp_path):
    runs: list[int] = []
    out = tmp_path / "a.txt"
    cleaned: list[int] = []

    def clean() -> None:
        cleaned.append(1)
        for p in _temporaries(tmp_path):
            p.unlink()

    job = Beside(_writer(out, runs, child="hang"), clean=clean, fork=True)
    time.sleep(0.3)
    assert _temporaries(tmp_path)  # the copy is half-way: its temporary file exists
    t = time.monotonic()
    job.finish(floor=0.5)
    assert time.monotonic() - t < 5
    assert out.read_text() == "isi" and runs == [os.getpid()] and cleaned == [1]
    assert _temporaries(tmp_path) == []


def test_cancel_stops_the_copy_and_nothing_is_written(tmp_path):
    runs: list[int] = []
    out = tmp_path / "a.txt"
    job = Beside(_writer(out, runs, child="hang"), clean=lambda: [p.unlink() for p in _temporaries(tmp_path)], fork=True)
    time.sleep(0.2)
    job.cancel()
    time.sleep(0.2)
    assert not out.exists() and _temporaries(tmp_path) == [] and runs == []


def test_without_fork_the_job_runs_at_finish(tmp_path):
    runs: list[int] = []
    out = tmp_path / "a.txt"
    job = Beside(_writer(out, runs), fork=False)
    assert not out.exists()
    job.finish()
    assert out.read_text() == "isi" and runs == [os.getpid()]


def test_can_fork_honours_the_switch(monkeypatch):
    monkeypatch.setenv("SPPR_ALBUM_PROCESSES", "1")
    assert can_fork() is False


def _md5(p: Path) -> str:
    return hashlib.md5(p.read_bytes()).hexdigest()


def test_the_buku_matriks_is_the_same_bytes_written_beside_or_here(tmp_path, monkeypatch):
    """``sppr sync --no-maps`` of the sample twice: the book by a forked copy (two CPUs) and by this process
    (SPPR_ALBUM_PROCESSES=1): the same bytes, and the manifest lists it and times it."""
    import json

    from sppr_gis.run import run_sync

    if not can_fork():
        pytest.skip("fewer than two CPUs: nothing is written beside")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cfg = Path(__file__).resolve().parents[1] / "data" / "sample" / "sppr.toml"
    run_sync(cfg, [2025], tmp_path / "beside", maps=False)
    monkeypatch.setenv("SPPR_ALBUM_PROCESSES", "1")
    run_sync(cfg, [2025], tmp_path / "here", maps=False)
    a, b = tmp_path / "beside" / "2025", tmp_path / "here" / "2025"
    assert _md5(a / "buku_matriks.xlsx") == _md5(b / "buku_matriks.xlsx")
    m = json.loads((a / "manifest.json").read_text())
    assert "buku_matriks.xlsx" in m["outputs"] and "buku_matriks" in m["timings"]
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())


def test_ctrl_c_during_the_fork_is_raised_after_it_not_lost(monkeypatch):
    """CI, session 9: a Ctrl-C that landed while os.fork ran its at-fork callbacks (logging's lock release) was
    'Exception ignored' and the run went on. processes.fork holds SIGINT while forking and raises it once the fork has
    returned: here the fork is a stand-in that signals itself and then finishes (a flag set after the signal), and
    the KeyboardInterrupt comes after it, not inside it."""
    import signal

    from sppr_gis import processes

    done: list[str] = []

    def fake_fork() -> int:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # a pending Python handler runs here, inside the fork, without the hold
        done.append("fork finished")
        return 424242  # "the copy's pid": nothing was forked

    def interrupt(signum, frame):  # as sppr's own handler does (pytest-xdist's workers ignore SIGINT)
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGINT, interrupt)
    try:
        monkeypatch.setattr(processes.os, "fork", fake_fork)
        with pytest.raises(KeyboardInterrupt):
            processes.fork()
        assert done == ["fork finished"]
        assert signal.getsignal(signal.SIGINT) is interrupt  # the handler as it was
    finally:
        signal.signal(signal.SIGINT, before)
