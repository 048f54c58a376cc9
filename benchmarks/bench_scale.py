"""Scaling of ``sppr check`` with the number of programs, on one and the same zoning.

Runs the ``sppr check`` CLI, each run in its own process (wall time, CPU time and peak RSS from
``os.wait4``), on the hand-digitized zoning with 50,000 and with 500,000 programs (same generator,
same seed; the zoning is drawn before the programs, so both workloads share it, which the script
checks), and reports the ratio. Target: 500k takes at most 11x the time of 50k.

Usage::

    python benchmarks/bench_scale.py                  # 50k vs 500k programs, digitized zoning
    python benchmarks/bench_scale.py --small          # 5k vs 50k programs on the small zoning (quick)
    python benchmarks/bench_scale.py --noded          # the same on the noded (clean) zoning
    python benchmarks/bench_scale.py --workers 1      # sppr on one thread (default: all CPUs)

Every run is ``sppr check --no-cache`` unless ``--cache``: with the (shared, per-user) cache, a run
whose zoning an earlier run (another ``--repeat`` round, another session) prepared reads it, and the
sizes would not compare like with like.

Missing workloads are generated with ``make_workload.py`` (the 500k one takes a few minutes):
``benchmarks/_work/digitized`` (50k) and ``benchmarks/_work/digitized-500k`` (with the 50k one's
itbx.csv: the rules are drawn after the programs, so they depend on the count); with ``--small``,
``digitized-small`` (5k) and ``digitized-small-50k``; with ``--noded``, ``_work``/``_work/small`` and
``noded-500k``/``noded-small-50k``. Results go to ``benchmarks/_work/results-scale*.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))

import bench_check  # noqa: E402
import make_workload  # noqa: E402

SEED = 20250101
TARGET = 11.0


def workdirs(small: bool, noded: bool):
    if noded:
        base = (WORK / "small", WORK / "noded-small-50k") if small else (WORK, WORK / "noded-500k")
    else:
        base = (WORK / "digitized-small", WORK / "digitized-small-50k") if small else (WORK / "digitized", WORK / "digitized-500k")
    zones, big = (2000, 5) if small else (20_000, 50)
    counts = (5_000, 50_000) if small else (50_000, 500_000)
    return [(wd, zones, n, big) for wd, n in zip(base, counts)]


def zoning_digest(path: Path) -> str:
    import pyogrio
    import shapely

    df = pyogrio.read_dataframe(path, layer="zoning")
    h = hashlib.sha256()
    h.update(b"".join(shapely.to_wkb(df.geometry.values)))
    h.update("|".join(df["KODSZN"].astype(str)).encode())
    return h.hexdigest()[:16]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="5k vs 50k programs on the small zoning")
    ap.add_argument("--noded", action="store_true", help="the noded (clean coverage) zoning instead of the digitized one")
    ap.add_argument("--workers", type=int, help="sppr check --workers N (default: all CPUs)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the best is reported)")
    ap.add_argument("--sppr-rev", metavar="REV", help="run sppr as of git revision REV instead of the working tree")
    ap.add_argument("--cache", action="store_true", help="let sppr use its zoning cache (default: --no-cache: every run prepares the zoning itself)")
    a = ap.parse_args(argv)

    sizes = workdirs(a.small, a.noded)
    ref_rules = sizes[0][0] / "itbx.csv"
    for k, (wd, n_zones, n_prog, n_big) in enumerate(sizes):
        if not all((wd / f).exists() for f in ("zoning.gpkg", "programs.gpkg", "itbx.csv")):
            print(f"workload missing under {wd}: generating it ({n_prog:,} programs)")
            make_workload.generate(wd, n_zones, n_prog, n_big, SEED, 1.0, quiet=True, digitized=not a.noded,
                                   topology_stats=False, rules_from=ref_rules if k else None)  # fmt: skip
    # The rules are drawn after the programs, so a workload generated on its own with another
    # program count has other rules: use the reference workload's rules for every size.
    for wd, *_ in sizes[1:]:
        if (wd / "itbx.csv").read_bytes() != ref_rules.read_bytes():
            print(f"{wd / 'itbx.csv'} differs from {ref_rules}: replacing it with the latter")
            (wd / "itbx.csv").write_bytes(ref_rules.read_bytes())
    digests = [zoning_digest(wd / "zoning.gpkg") for wd, *_ in sizes]
    same = len(set(digests)) == 1
    print(f"zoning identical in both workloads: {same} ({digests[0]}); rules identical: True")
    env = dict(bench_check.ONE_THREAD_ENV) if a.workers == 1 else {}
    git = bench_check.git_state()
    if a.sppr_rev:
        rev_env, sha = bench_check.sppr_rev_env(a.sppr_rev)
        env.update(rev_env)
        git = f"{sha} (--sppr-rev {a.sppr_rev})"
    logs = WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    tag = ("-noded" if a.noded else "") + ("-small" if a.small else "") + (f"-w{a.workers}" if a.workers else "")
    rows = []
    for wd, _, n_prog, _ in sizes:
        paths = (wd / "zoning.gpkg", wd / "programs.gpkg", wd / "itbx.csv")
        cmd = bench_check.sppr_command(paths, WORK / f"sppr-scale-{n_prog}{tag}.gpkg", a.workers)
        if not a.cache:  # every run prepares the zoning itself (a repeat would otherwise read the cache)
            cmd.append("--no-cache")
        runs = bench_check.run_repeated(
            cmd,
            logs / f"scale-{n_prog}{tag}", env, a.repeat, f"{n_prog:>9,} programs",
        )  # fmt: skip
        good = [x for x in runs if x["exit"] == 0]
        row = {"programs": n_prog, "workdir": str(wd), "runs": [{k: v for k, v in x.items() if k not in ("stdout", "stderr")} for x in runs]}
        if good:
            best = min(good, key=lambda x: x["wall"])
            row.update(wall=best["wall"], cpu=best["cpu"], peak_rss_mib=max(x["peak_rss_mib"] for x in good))
        rows.append(row)

    res = {"machine": bench_check.machine_info(), "sppr_git": git, "zoning_identical": same,
           "zoning_digest": digests, "workers": a.workers or os.cpu_count(), "rows": rows,
           "loadavg_end": os.getloadavg()}  # fmt: skip
    print(f"\n## sppr check scaling ({'noded' if a.noded else 'hand-digitized'} zoning, "
          f"{res['workers']} thread(s); sppr_gis {res['sppr_git']})\n")
    print("| programs | wall s | CPU s | peak RSS MiB | ms per 1k programs |\n|---:|---:|---:|---:|---:|")
    for r in rows:
        if "wall" in r:
            print(f"| {r['programs']:,} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_rss_mib']:,.0f} | "
                  f"{1000 * r['wall'] / (r['programs'] / 1000):.1f} |")
        else:
            print(f"| {r['programs']:,} | FAILED | | | |")
    if all("wall" in r for r in rows):
        ratio = rows[1]["wall"] / rows[0]["wall"]
        res["ratio"] = ratio
        res["rss_ratio"] = rows[1]["peak_rss_mib"] / rows[0]["peak_rss_mib"]
        res["target_met"] = ratio <= TARGET
        print(f"\nratio {rows[1]['programs']:,} / {rows[0]['programs']:,}: time {ratio:.2f}x "
              f"(target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'NOT met'}), peak RSS {res['rss_ratio']:.2f}x")
    out = WORK / f"results-scale{tag}.json"
    out.write_text(json.dumps(res, indent=2, default=str))
    print(f"\nresults written to {out}")
    return res


if __name__ == "__main__":
    main()
