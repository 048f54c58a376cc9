"""Resident-memory timeline of one ``sppr`` run (issue 18: where is the peak, and what is held then?).

Runs ``sppr ARGS...`` in this process with a sampler thread that reads ``VmRSS`` from
``/proc/self/status`` every ``--interval`` seconds and notes what the main thread is doing then
(its innermost ``sppr_gis`` / ``sppr_cli`` frame, and the outermost such frame: the stage, as in
``timeline.py``) and what the other running threads are doing. Prints one line per change of the
main thread's place (its RSS on entry and the most it reached there), the peak (with every
thread's place at that moment) and, on glibc, the heap's free bytes at the peak (``mallinfo2``:
memory the process holds without using it).

    .venv/bin/python benchmarks/memline.py [--interval 0.01] [--min-mib 5] -- -v check --zoning ... --out ...

Imports are counted too (the sampler starts before ``sppr_cli`` is imported).
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import threading
import time

from timeline import _where  # noqa: E402 - benchmarks/ is this script's folder


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _heap() -> tuple[float, float, float] | None:
    """(glibc heap in arenas, its free part, mmapped blocks) in MiB, or None off glibc."""
    try:
        f = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    f.restype = _Mallinfo2
    m = f()
    # fields: arena (non-mmapped bytes), uordblks (in use), fordblks (free) — named after struct mallinfo2
    arena, in_use, mmapped = m.arena, m.uordblks, m.hblkhd
    return arena / 2**20, (arena - in_use) / 2**20, mmapped / 2**20


def _status() -> dict[bytes, float]:
    """VmRSS, RssAnon, RssFile, RssShmem in MiB."""
    out = {}
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith((b"VmRSS:", b"RssAnon:", b"RssFile:", b"RssShmem:")):
                k, v = line.split()[:2]
                out[k[:-1]] = int(v) / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interval", type=float, default=0.01)
    ap.add_argument("--min-mib", type=float, default=5.0, help="print a place only if its RSS rose by this much, or it held the peak")
    ap.add_argument("--trim", action="store_true", help="experiment: malloc_trim(0) at every sample (what returning free pages could save at best)")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    main_id = threading.get_ident()
    rows: list[list] = []  # [t, place, rss on entry, max rss]
    peak: dict = {"rss": 0.0}
    stop = threading.Event()
    start = time.perf_counter()

    def sample() -> None:
        me = threading.get_ident()
        trim = ctypes.CDLL("libc.so.6").malloc_trim if a.trim else None
        while not stop.wait(a.interval):
            if trim is not None:
                trim(0)
            st = _status()
            rss = st[b"VmRSS"]
            frames = sys._current_frames()
            frame = frames.get(main_id)
            inner, outer = _where(frame) if frame is not None else ("<exit>", "<exit>")
            place = outer if inner == outer else f"{outer} > {inner}"
            if not rows or rows[-1][1] != place:
                rows.append([time.perf_counter() - start, place, rss, rss])
            else:
                rows[-1][3] = max(rows[-1][3], rss)
            if rss > peak["rss"]:
                others = [_where(f)[0] for tid, f in frames.items() if tid not in (main_id, me)]
                peak.update(rss=rss, status=st, t=time.perf_counter() - start, place=place, others=others, heap=_heap())

    marks: list[str] = []

    def mark_writes() -> None:  # each layer the GeoPackage writer writes: RSS before and after
        import pyogrio

        orig = pyogrio.write_dataframe

        def write_dataframe(df, path, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
            r0 = _status()[b"VmRSS"]
            t = time.perf_counter() - start
            try:
                return orig(df, path, *args, **kw)
            finally:
                marks.append(f"{t:7.2f} write {kw.get('layer')}: {len(df)} rows, RSS {r0:.0f} -> {_status()[b'VmRSS']:.0f} MiB")

        pyogrio.write_dataframe = write_dataframe

    mark_writes()
    th = threading.Thread(target=sample, daemon=True)
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
    out = sys.stderr
    print(f"{'t s':>7} {'RSS in':>7} {'max':>7}  main thread (stage > innermost sppr frame)", file=out)
    last = 0.0
    for t, place, r0, r1 in rows:
        if abs(r1 - last) >= a.min_mib or abs(r0 - last) >= a.min_mib or r1 >= peak["rss"]:
            print(f"{t:7.2f} {r0:7.0f} {r1:7.0f}  {place}", file=out)
            last = r1
    for m in marks:
        print(m, file=out)
    print(f"peak {peak['rss']:.0f} MiB at {peak.get('t', 0):.2f} s: main {peak.get('place')}", file=out)
    if peak.get("status"):
        print("  " + ", ".join(f"{k.decode()} {v:.0f}" for k, v in peak["status"].items()) + " MiB", file=out)
    for o in peak.get("others", []):
        if o != "<other>":
            print(f"  other thread: {o}", file=out)
    if peak.get("heap"):
        arena, free, mm = peak["heap"]
        print(f"  glibc heap at the peak: arenas {arena:.0f} MiB of which free {free:.0f} MiB; mmapped blocks {mm:.0f} MiB", file=out)
    sys.exit(code)


if __name__ == "__main__":
    main()
