"""``sppr check`` of two source trees in the same minutes (issue 18): each run its own process, alternating.

Runs ``python -m sppr_cli -v check`` on a workload with ``PYTHONPATH`` set to each tree's ``src`` and
``cli`` in turn (the order swapped every round), warm (a shared ``SPPR_CACHE_DIR`` that the first run
fills; both trees must read the same entries, i.e. the same sppr_gis version) or cold (an empty cache
per run), and prints per run the wall and CPU seconds (user + system of the child, from ``os.wait4``),
the peak RSS, the load average, the md5 of the output GeoPackage (``SOURCE_DATE_EPOCH`` is set, so the
two trees' outputs must match byte for byte) and the ``sppr -v`` stages. On a loaded machine compare the
CPU column: wall time there says more about the other processes than about the code.

    .venv/bin/python benchmarks/ab_check.py --mode warm --rounds 3 /work/main /work/wt/BRANCH
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(tree: Path, mode: str, workdir: Path, scratch: Path, tag: str) -> str:
    env = dict(os.environ, PYTHONPATH=f"{tree}/src:{tree}/cli", SOURCE_DATE_EPOCH="1700000000")
    if mode == "cold":
        env["SPPR_CACHE_DIR"] = str(scratch / f"cache-cold-{tag}")
        shutil.rmtree(env["SPPR_CACHE_DIR"], ignore_errors=True)
    else:
        env["SPPR_CACHE_DIR"] = str(scratch / "cache-warm")
    out = scratch / f"{mode}-{tag}.gpkg"
    cmd = [sys.executable, "-m", "sppr_cli", "-v", "check", "--zoning", str(workdir / "zoning.gpkg"), "--programs", str(workdir / "programs.gpkg"),
           "--rules", str(workdir / "itbx.csv"), "--out", str(out)]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read() if p.stderr else ""
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    stages = [line.strip() for line in err.splitlines() if line.startswith("  ") and line.rstrip().endswith(" s") and ":" in line]
    md5 = hashlib.md5(out.read_bytes()).hexdigest()[:10] if out.exists() else "-"
    return (f"{mode} {tag:>8s} wall {wall:7.2f} CPU {ru.ru_utime + ru.ru_stime:6.2f} RSS {ru.ru_maxrss / 1024:5.0f} MiB "
            f"load {os.getloadavg()[0]:4.1f} md5 {md5} exit {status} | " + ", ".join(stages))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs=2, type=Path, help="two source trees (each with src/ and cli/)")
    ap.add_argument("--mode", choices=("warm", "cold"), default="warm")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=HERE / "_work" / "digitized", help="zoning.gpkg, programs.gpkg, itbx.csv")
    a = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="sppr-ab-"))
    tags = ("A", "B")
    print(f"A = {a.trees[0]}, B = {a.trees[1]}", flush=True)
    if a.mode == "warm":  # the entry both trees read, made first
        run(a.trees[0], "warm", a.workdir, scratch, "fill")
    for r in range(a.rounds):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for i in order:
            print(f"round {r + 1} " + run(a.trees[i], a.mode, a.workdir, scratch, tags[i]), flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
