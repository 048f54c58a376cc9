"""CPU-utilisation timeline of one ``sppr`` run (issue 18: where does only one core work?).

Runs ``sppr ARGS...`` in this process with a sampler thread that reads ``/proc/self/stat``
(utime + stime of all threads) every ``--interval`` seconds and notes what the main thread is
doing then: its innermost frame in ``sppr_gis`` / ``sppr_cli`` (module:function) and, beside
it, the outermost such frame below the command (the stage). Prints the timeline (one line per
sample with ``--print``) and a summary: seconds and cores used per main-thread place, and
the stretches where fewer than ``--serial`` cores were busy ("serial stretches").

    .venv/bin/python benchmarks/timeline.py [--interval 0.05] [--print] -- -v check --zoning ... --out ...

Imports are counted too (the sampler starts before ``sppr_cli`` is imported).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import defaultdict

TICK = os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    with open("/proc/self/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def _running() -> dict[int, bool]:
    """native thread id -> in state R (running or runnable) now."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        out[int(tid)] = state == b"R"
    return out


def _where(frame) -> tuple[str, str]:  # noqa: ANN001
    """(innermost sppr frame, 'stage': the sppr_gis frame called from sppr_cli or the outermost sppr_gis frame)."""
    inner = outer = ""
    importing = False
    f = frame
    chain = []
    while f is not None:
        chain.append(f)
        f = f.f_back
    for f in chain:  # innermost first
        mod = f.f_globals.get("__name__", "")
        if f.f_code.co_name == "_find_and_load":
            importing = True
        if mod.startswith(("sppr_gis", "sppr_cli")):
            name = f"{mod}:{f.f_code.co_name}"
            if not inner:
                inner = name
            if mod.startswith("sppr_gis"):
                outer = name
    if importing and not inner:
        inner = outer = "<import>"
    elif importing:
        inner = "<import> " + inner
    return inner or "<other>", outer or inner or "<other>"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--print", action="store_true", help="print every sample")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    main_id = threading.get_ident()
    samples: list[tuple[float, float, str, str, list[str]]] = []
    stop = threading.Event()

    def sample() -> None:
        t0 = time.perf_counter()
        c0 = _cpu()
        while not stop.wait(a.interval):
            t, c = time.perf_counter(), _cpu()
            frames = sys._current_frames()
            frame = frames.get(main_id)
            inner, outer = _where(frame) if frame is not None else ("<exit>", "<exit>")
            run = _running()
            me = threading.get_native_id()
            busy = []
            for th_ in threading.enumerate():
                if th_.native_id != me and run.get(th_.native_id) and th_.ident in frames:
                    busy.append(("main " if th_.ident == main_id else "") + _where(frames[th_.ident])[0])
            # threads not known to Python (GDAL's, BLAS's): counted unnamed
            known = {th_.native_id for th_ in threading.enumerate()}
            busy += ["<native thread>"] * sum(1 for tid, r in run.items() if r and tid not in known)
            samples.append((t, (c - c0) / max(t - t0, 1e-9), inner, outer, busy))
            t0, c0 = t, c

    th = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    cpu0 = _cpu()
    th.start()
    code = 0
    try:
        from sppr_cli.main import cli

        cli.main(args=args, prog_name="sppr", standalone_mode=False)
    except SystemExit as e:
        code = e.code or 0
    finally:
        stop.set()
        th.join()
    wall = time.perf_counter() - start
    cpu = _cpu() - cpu0
    out = sys.stderr
    if a.print:
        for t, cores, inner, outer, busy in samples:
            print(f"{t - start:7.2f} {cores:4.2f} {len(busy)} {'#' * round(cores * 10):<20} {outer} | {'; '.join(busy) or inner}", file=out)
    per_stage: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    serial: dict[str, float] = defaultdict(float)
    prev = start
    for t, cores, inner, outer, busy in samples:
        dt = t - prev
        prev = t
        s = per_stage[outer]
        s[0] += dt
        s[1] += cores * dt
        if len(busy) < 2:  # fewer than 2 runnable threads: one core at most could work (whatever the load)
            s[2] += dt
            serial[busy[0] if busy else "<none runnable> main at " + inner] += dt
    print(f"wall {wall:.2f} s, CPU {cpu:.2f} s, mean cores {cpu / wall:.2f}, exit {code}", file=out)
    print(f"{'stage (outermost sppr_gis frame of the main thread)':<60} {'wall s':>7} {'CPU s':>7} {'1 thread s':>10}", file=out)
    for k, (w, c, sr) in sorted(per_stage.items(), key=lambda kv: -kv[1][0]):
        if w >= 0.1:
            print(f"{k[:60]:<60} {w:7.2f} {c:7.2f} {sr:10.2f}", file=out)
    print(f"serial stretches (at most one runnable thread), by that thread's innermost sppr frame: {sum(serial.values()):.2f} s", file=out)
    for k, v in sorted(serial.items(), key=lambda kv: -kv[1])[:25]:
        if v >= 0.1:
            print(f"  {v:6.2f}  {k}", file=out)
    sys.exit(code)


if __name__ == "__main__":
    main()
