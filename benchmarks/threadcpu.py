"""Per-thread CPU of one ``sppr`` run, charged to each thread's Python stack (issue 18: what costs the CPU of a cold run?).

Runs ``sppr ARGS...`` in this process with a sampler thread that reads every thread's utime + stime from
``/proc/self/task/<tid>/stat`` every ``CPUPROF_INTERVAL`` seconds (default 0.005) and charges what each thread
used since the last sample to its innermost ``CPUPROF_DEPTH`` (default 3) ``sppr_gis`` / ``sppr_cli`` frames.
Unlike py-spy's non-idle samples, a runnable thread waiting for a core on a loaded machine is not counted as
busy. Prints (to ``CPUPROF_OUT``, default stderr) the CPU per thread name and per place.

    SPPR_CACHE_DIR=$(mktemp -d) PYTHONPATH=src:cli .venv/bin/python benchmarks/threadcpu.py -q check --zoning ... --out ...
"""

from __future__ import annotations

import collections
import os
import re
import runpy
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")
INTERVAL = float(os.environ.get("CPUPROF_INTERVAL", "0.005"))
DEPTH = int(os.environ.get("CPUPROF_DEPTH", "3"))


def _thread_cpu(tid: int) -> float | None:
    try:
        with open(f"/proc/self/task/{tid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _label(frame) -> str | None:  # type: ignore[no-untyped-def]
    out = []
    while frame is not None:
        name = frame.f_code.co_filename
        if "sppr_gis" in name or "sppr_cli" in name:
            out.append(f"{os.path.basename(name)}:{frame.f_code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(out[:DEPTH]) if out else None


def main() -> None:
    acc: collections.Counter[tuple[str, str]] = collections.Counter()
    last: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        me = threading.get_native_id()
        while not stop.wait(INTERVAL):
            frames = sys._current_frames()
            threads = {t.native_id: t for t in threading.enumerate()}
            for entry in os.listdir("/proc/self/task"):
                tid = int(entry)
                used = _thread_cpu(tid) if tid != me else None
                if used is None:
                    continue
                delta, last[tid] = used - last.get(tid, 0.0), used
                if delta <= 0:
                    continue
                t = threads.get(tid)
                place = _label(frames[t.ident]) if t is not None and t.ident in frames else None
                name = re.sub(r"_\d+$", "", t.name) if t is not None else f"tid{tid}"
                acc[(name, place or "(no sppr frame)")] += delta

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.time()
    sys.argv = ["sppr_cli", *sys.argv[1:]]
    try:
        runpy.run_module("sppr_cli", run_name="__main__")
    except SystemExit:
        pass
    finally:
        stop.set()
        sampler.join()
        by_thread: collections.Counter[str] = collections.Counter()
        for (name, _), v in acc.items():
            by_thread[name] += v
        with open(os.environ.get("CPUPROF_OUT", "/dev/stderr"), "w") as out:
            print(f"sampled CPU {sum(acc.values()):.2f} s, wall {time.time() - t0:.2f} s, process CPU {sum(os.times()[:2]):.2f} s", file=out)
            for name, v in by_thread.most_common():
                print(f"  thread {name}: {v:.2f}", file=out)
            for (name, place), v in acc.most_common(45):
                print(f"{v:6.2f} {name:16s} {place}", file=out)


if __name__ == "__main__":
    main()
