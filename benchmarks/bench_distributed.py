"""``sppr check`` on a dask.distributed cluster against one local thread, and regions per worker-hour.

Two measurements (issue 13), each printed and written to ``benchmarks/_work/results-distributed.json``:

1. **One city on a cluster.** The digitized workload (``benchmarks/_work/digitized/``: ~20k zones as
   agencies digitize them x 50k programs) through ``sppr_gis.check`` on one local thread
   (``workers=1``) and on a cluster of two one-thread worker processes (``client=``; a
   ``LocalCluster``, i.e. a scheduler and two worker processes talking TCP, as on a real cluster).
   Reported: end-to-end and engine seconds, the speed-up, and whether the answers are identical
   (same rows and statuses, shares within 1e-9).
2. **A synthetic country.** One region-sized workload (2,000 zones x 2,000 programs, made by
   ``make_workload.py --digitized``) checked ``--regions`` times as one task per region on the
   same two-worker cluster (each task a whole ``check`` on one thread, inputs sent with the task).
   Reported: regions per worker-hour, seconds per region, peak RSS per worker, and the time and
   memory for the country's 514 regencies and cities on 10, 50 and 200 workers (see
   ``docs/distributed.md``).
3. **sppr sync over regions.** ``--sync`` copies of the example region ``data/sample/provinsi/2171.toml``
   (the sample city; maps off) through ``sync_regions`` on the cluster and one after another locally:
   wall time, regions per worker-hour, and the two runs' tables compared file by file.

Usage::

    python benchmarks/bench_distributed.py                     # both parts (~2-3 min on 2 cores)
    python benchmarks/bench_distributed.py --skip-city         # only the regions
    python benchmarks/bench_distributed.py --regions 32        # more regions
    python benchmarks/bench_distributed.py --sync 16           # sppr sync of 16 regions (cluster vs in sequence)
    python benchmarks/bench_distributed.py --scheduler tcp://HOST:8786   # an existing cluster
    python benchmarks/bench_distributed.py --skip-city --skip-regions --sync 0 --whole 2   # whole check(), QA included
    python benchmarks/bench_distributed.py --skip-city --skip-regions --sync 0 --cli 3 --scheduler tcp://127.0.0.1:8796
        # `sppr -v check` end to end, --workers 1 against the cluster, cold and warm cache, CPU of both sides

Missing workloads are generated with ``make_workload.py`` (the 20k x 50k one takes a few minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
COUNTRY = 514  # regencies (kabupaten) and cities (kota) of Indonesia


def ensure_workload(folder: Path, args: list[str]) -> None:
    if (folder / "zoning.gpkg").exists() and (folder / "programs.gpkg").exists():
        return
    print(f"generating {folder} ...", flush=True)
    subprocess.run([sys.executable, str(HERE / "make_workload.py"), "--digitized", "--no-topology-stats", "--out-dir", str(folder), *args], check=True)


def read(folder: Path):
    import sppr_gis

    zoning = sppr_gis.read_layer(str(folder / "zoning.gpkg"))
    programs = sppr_gis.read_layer(str(folder / "programs.gpkg"))
    rules = sppr_gis.read_rules(folder / "itbx.csv")
    return zoning, programs, rules


def peak_rss_mb() -> float:
    """Peak RSS of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def same_answers(a, b) -> dict:
    """Rows, statuses and shares of two CheckResults."""
    za, zb = a.zone_shares, b.zone_shares
    rows = len(za) == len(zb) and (za["program_id"].to_numpy() == zb["program_id"].to_numpy()).all() and (za["zone_code"].to_numpy() == zb["zone_code"].to_numpy()).all()
    dshare = float(np.max(np.abs(za["share"].to_numpy(float) - zb["share"].to_numpy(float)))) if rows and len(za) else None
    dmeas = float(np.max(np.abs(za["measure"].to_numpy(float) - zb["measure"].to_numpy(float)) / np.maximum(1.0, np.abs(za["measure"].to_numpy(float))))) if rows and len(za) else None
    status = bool((a.programs["status"].to_numpy() == b.programs["status"].to_numpy()).all())
    return {"same_rows": bool(rows), "max_share_diff": dshare, "max_rel_measure_diff": dmeas, "same_status": status, "identical": bool(rows and status and (dshare or 0) <= 1e-9)}


def city(client, folder: Path) -> dict:
    import sppr_gis
    from sppr_gis.pipeline import prepare_zoning_qa

    t = time.perf_counter()
    zoning, programs, rules = read(folder)
    t_read = time.perf_counter() - t
    print(f"city: {len(zoning)} zones x {len(programs)} programs ({folder}; read in {t_read:.1f} s)", flush=True)
    # the zoning QA is the same on both sides (it stays on the client): done once, timed apart
    t = time.perf_counter()
    prepared = prepare_zoning_qa(zoning, workers=1)
    qa = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    local = sppr_gis.check(prepared, programs, rules, workers=1)
    t_local, c_local = time.perf_counter() - t, time.process_time() - c
    print(f"  one local thread: {t_local:.1f} s (engine {local.timings['engine']:.1f} s, CPU {c_local:.1f} s)", flush=True)
    client.run(_reset_peak)
    t = time.perf_counter()
    remote = sppr_gis.check(prepared, programs, rules, client=client)
    t_remote = time.perf_counter() - t
    peaks = client.run(_peak_rss_mb)
    print(f"  cluster of 2 one-thread workers: {t_remote:.1f} s (engine {remote.timings['engine']:.1f} s, worker busy {remote.timings['engine.worker_seconds']:.1f} s; {out_stages(remote)})", flush=True)
    same = same_answers(local, remote)
    out = {
        "zones": len(zoning),
        "programs": len(programs),
        "read_seconds": round(t_read, 2),
        "zoning_qa_seconds": round(qa, 2),
        "local_1thread": {"check_seconds": round(t_local, 2), "check_cpu_seconds": round(c_local, 2), "engine_seconds": round(local.timings["engine"], 2)},
        "cluster_2x1": {
            "check_seconds": round(t_remote, 2),
            "engine_seconds": round(remote.timings["engine"], 2),
            "worker_busy_seconds": round(remote.timings["engine.worker_seconds"], 2),
            "engine_stages": {k: round(v, 2) for k, v in remote.timings.items() if k.startswith("engine.")},
            "peak_rss_mb_per_worker": {k: round(v, 0) for k, v in peaks.items()},
        },
        "speedup_check": round(t_local / t_remote, 2),
        "speedup_engine": round(local.timings["engine"] / remote.timings["engine"], 2),
        "speedup_check_with_qa": round((t_local + qa) / (t_remote + qa), 2),
        "answers": same,
        "client_peak_rss_mb": round(peak_rss_mb(), 0),
    }
    print(f"  speed-up: engine {out['speedup_engine']}x, check without QA {out['speedup_check']}x, with QA {out['speedup_check_with_qa']}x; identical: {same['identical']} {same}", flush=True)
    return out


def whole_side(folder: Path, side: str, out: Path) -> None:
    """One side of the whole-check comparison, in its own process: read, then ``check()`` timed with the
    zoning QA included (``side`` = ``local``: one thread here; else a scheduler address)."""
    import pickle

    import sppr_gis

    zoning, programs, rules = read(folder)
    t, c = time.perf_counter(), time.process_time()
    if side == "local":
        res = sppr_gis.check(zoning, programs, rules, workers=1)
    else:
        res = sppr_gis.check(zoning, programs, rules, client=side)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    keep = {"zone_shares": res.zone_shares, "programs": res.programs.drop(columns="geometry"), "issues": res.issues.drop(columns="geometry")}
    out.write_bytes(pickle.dumps(keep))
    print(json.dumps({"side": side, "check_seconds": round(wall, 2), "process_cpu_seconds": round(cpu, 2),
                      "topology_seconds": round(res.timings.get("topology", float("nan")), 2), "engine_seconds": round(res.timings["engine"], 2),
                      "peak_rss_mb": round(peak_rss_mb(), 0)}))


def whole(client, folder: Path, repeat: int) -> dict:
    """The whole ``check()`` (zoning QA, engine, verdict) on one local thread and on the cluster, each side
    its own process, alternating, best of ``repeat``; answers compared (rows, statuses, shares, findings)."""
    import pickle

    address = client.scheduler.address
    runs: dict[str, list[dict]] = {"local": [], "cluster": []}
    for k in range(repeat):
        for name, side in (("local", "local"), ("cluster", address)):
            path = WORK / f"whole-{name}.pkl"
            r = subprocess.run([sys.executable, __file__, "--whole-side", side, "--city", str(folder), "--out", str(path)], capture_output=True, text=True, check=True)
            runs[name].append(json.loads(r.stdout.strip().splitlines()[-1]))
            print(f"  whole check, {name} (run {k + 1}): {runs[name][-1]}", flush=True)
    a, b = (pickle.loads((WORK / f"whole-{n}.pkl").read_bytes()) for n in ("local", "cluster"))

    class R:  # what same_answers reads
        def __init__(self, d):
            self.zone_shares, self.programs = d["zone_shares"], d["programs"]

    same = same_answers(R(a), R(b))
    ia, ib = a["issues"], b["issues"]
    same["same_findings"] = bool(len(ia) == len(ib) and (ia.astype(str).to_numpy() == ib.astype(str).to_numpy()).all())
    best = {n: min(runs[n], key=lambda r: r["check_seconds"]) for n in runs}
    out = {"runs": runs, "best": best, "speedup": round(best["local"]["check_seconds"] / best["cluster"]["check_seconds"], 2), "answers": same}
    print(f"  whole check() speed-up {out['speedup']}x (best {best['local']['check_seconds']} s vs {best['cluster']['check_seconds']} s); {same}", flush=True)
    return out


#: The stages of ``sppr -v check`` that the cluster runs on its workers (the zoning QA, the cut, the engine);
#: everything else (imports, reading, repair, verdict, relocation advice, writing) stays on the client.
PARALLEL_STAGES = ("topology", "cut", "engine")
#: With the relocation advice on the workers too (``relokasi``: on the local side it runs in a thread
#: beside the writing, so subtracting it too gives a lower bound of the serial fraction).
PARALLEL_STAGES_RELOCATION = (*PARALLEL_STAGES, "relokasi")


def _stages(stderr: str) -> dict[str, float]:
    """The stage seconds ``sppr -v`` prints (``  name: 1,23 s``; dotted names are parts of a stage)."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(" s") and ":" in line:
            name, _, value = line.strip().partition(":")
            try:
                out[name] = float(value.strip()[:-2].replace(".", "").replace(",", "."))
            except ValueError:
                continue
    return out


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the given processes and all their children, alive now, each counted once."""
    import psutil

    procs: dict[int, Any] = {}
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs.update({q.pid: q for q in [proc, *proc.children(recursive=True)]})
        except psutil.NoSuchProcess:
            continue
    total = 0.0
    for q in procs.values():
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def cli_sides(client, folder: Path, repeat: int) -> dict:
    """``sppr -v check`` end to end (imports, reading, QA, engine, verdict, relocation, writing) with
    ``--workers 1`` and with ``--scheduler``, each side its own process, cold (an empty
    ``SPPR_CACHE_DIR``) then warm (that cache again), the sides alternating round by round.

    Each run records wall time, the client's CPU (``os.wait4``), the CPU the cluster's processes used
    meanwhile (scheduler, nannies and workers, their idle ticks included), the load average, the
    stages and the output's md5 (``SOURCE_DATE_EPOCH`` set: the sides' outputs must be identical). The
    serial fraction is measured on the local side: the share of its wall time outside the stages the
    cluster parallelizes (:data:`PARALLEL_STAGES`); Amdahl's bound for two workers follows from it.
    """
    import hashlib
    import shutil
    import tempfile

    address = client.scheduler.address
    pids = [int(p) for p in client.run(os.getpid).values()] + [int(client.run_on_scheduler(os.getpid))]
    pids += [p for p in (_parent(q) for q in pids[:-1]) if p]  # the nannies
    sppr = str(Path(sys.executable).with_name("sppr"))
    runs: list[dict] = []
    for k in range(repeat):
        caches = {}
        order = [("local", "cold"), ("cluster", "cold"), ("cluster", "warm"), ("local", "warm")]
        if k % 2:
            order = [("cluster", "cold"), ("local", "cold"), ("local", "warm"), ("cluster", "warm")]
        for side, mode in order:
            cache = caches.setdefault(side, tempfile.mkdtemp(prefix="sppr-bench-cache-"))
            out = WORK / f"cli-{side}-{mode}.gpkg"
            cmd = [sppr, "-v", "check", "--zoning", str(folder / "zoning.gpkg"), "--programs", str(folder / "programs.gpkg"), "--rules", str(folder / "itbx.csv"), "--out", str(out), "--overwrite"]
            cmd += ["--workers", "1"] if side == "local" else ["--scheduler", address]
            env = {k2: v for k2, v in os.environ.items() if k2 != "SPPR_NO_CACHE"}
            env.update({"SPPR_CACHE_DIR": cache, "SOURCE_DATE_EPOCH": "1700000000"})
            w0, load, t = _tree_cpu(pids), os.getloadavg()[0], time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            err = proc.stderr.read()
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t
            if os.waitstatus_to_exitcode(status):
                raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
            stages = _stages(err)
            run = {"side": side, "mode": mode, "round": k + 1, "wall_seconds": round(wall, 2), "client_cpu_seconds": round(ru.ru_utime + ru.ru_stime, 2),
                   "cluster_cpu_seconds": round(_tree_cpu(pids) - w0, 2), "client_peak_rss_mb": ru.ru_maxrss // 1024, "load_at_start": round(load, 2),
                   "md5": hashlib.md5(out.read_bytes()).hexdigest(), "stages": stages}
            if side == "local":
                par = sum(stages.get(n, 0.0) for n in PARALLEL_STAGES)
                run["serial_fraction"] = round(max(0.0, wall - par) / wall, 3)
                par_r = sum(stages.get(n, 0.0) for n in PARALLEL_STAGES_RELOCATION)
                run["serial_fraction_relocation_parallel"] = round(max(0.0, wall - par_r) / wall, 3)
            runs.append(run)
            print(f"  sppr check {side} {mode} (round {k + 1}): {wall:.1f} s wall, client CPU {run['client_cpu_seconds']} s, cluster CPU {run['cluster_cpu_seconds']} s, load {load:.1f}" + (f", serial fraction {run['serial_fraction']} ({run['serial_fraction_relocation_parallel']} with the relocation parallel)" if side == "local" else ""), flush=True)
        for c in caches.values():
            shutil.rmtree(c, ignore_errors=True)
    out: dict = {"runs": runs}
    for mode in ("cold", "warm"):
        loc = [r for r in runs if r["side"] == "local" and r["mode"] == mode]
        clu = [r for r in runs if r["side"] == "cluster" and r["mode"] == mode]
        best_l, best_c = min(r["wall_seconds"] for r in loc), min(r["wall_seconds"] for r in clu)
        s = float(np.median([r["serial_fraction"] for r in loc]))
        out[mode] = {
            "speedup_wall_best": round(best_l / best_c, 2),
            "speedup_wall_median": round(float(np.median([r["wall_seconds"] for r in loc])) / float(np.median([r["wall_seconds"] for r in clu])), 2),
            "cpu_local": round(float(np.median([r["client_cpu_seconds"] for r in loc])), 2),
            "cpu_cluster_run": round(float(np.median([r["client_cpu_seconds"] + r["cluster_cpu_seconds"] for r in clu])), 2),
            "serial_fraction_local": round(s, 3),
            "amdahl_bound_2_workers": round(1.0 / (s + (1.0 - s) / 2.0), 2),
            "serial_fraction_local_relocation_parallel": round(sr := float(np.median([r["serial_fraction_relocation_parallel"] for r in loc])), 3),
            "amdahl_bound_2_workers_relocation_parallel": round(1.0 / (sr + (1.0 - sr) / 2.0), 2),
            "same_output": len({r["md5"] for r in loc + clu}) == 1,
        }
        print(f"  {mode}: speed-up {out[mode]['speedup_wall_best']}x (best), {out[mode]['speedup_wall_median']}x (median); serial fraction {s:.2f} -> at most {out[mode]['amdahl_bound_2_workers']}x on 2 workers ({sr:.2f} -> {out[mode]['amdahl_bound_2_workers_relocation_parallel']}x with the relocation parallel); same output: {out[mode]['same_output']}", flush=True)
    return out


def _parent(pid: int) -> int | None:
    import psutil

    try:
        return psutil.Process(pid).ppid()
    except psutil.NoSuchProcess:
        return None


def out_stages(res) -> str:
    return ", ".join(f"{k[7:]} {v:.2f}" for k, v in res.timings.items() if k.startswith("engine."))


def _reset_peak() -> None:
    """Lower a worker's recorded peak to its current RSS (Linux: /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_rss_mb() -> float:
    """A worker's peak RSS in MB since the last reset (VmHWM), else since it started."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _region_task(zoning, programs, rules) -> dict:
    """One region's whole check on one thread, inputs sent with the task (runs on a worker)."""
    import time as _t

    import sppr_gis

    t = _t.perf_counter()
    res = sppr_gis.check(zoning, programs, rules, workers=1)
    return {"seconds": _t.perf_counter() - t, "programs": len(res.programs), "sesuai": int((res.programs["status"] == "sesuai").sum())}


def regions(client, folder: Path, n_regions: int, n_workers: int) -> dict:
    from distributed import as_completed

    t = time.perf_counter()
    zoning, programs, rules = read(folder)
    t_read = time.perf_counter() - t  # what the client spends reading one region before sending it
    print(f"country: {n_regions} regions of {len(zoning)} zones x {len(programs)} programs on {n_workers} workers", flush=True)
    t = time.perf_counter()
    one = _region_task(zoning, programs, rules)
    t_one_local = time.perf_counter() - t
    client.run(_reset_peak)
    data = client.scatter([(zoning, programs, rules)], broadcast=True, hash=False)[0]
    t = time.perf_counter()
    futs = [client.submit(lambda d: _region_task(*d), data, pure=False) for _ in range(n_regions)]
    per = [f.result() for f in as_completed(futs)]
    wall = time.perf_counter() - t
    peaks = client.run(_peak_rss_mb)
    secs = [p["seconds"] for p in per]
    per_worker_hour = n_regions / (wall * n_workers) * 3600.0
    peak = max(peaks.values())
    out = {
        "zones_per_region": len(zoning),
        "programs_per_region": len(programs),
        "regions": n_regions,
        "workers": n_workers,
        "wall_seconds": round(wall, 2),
        "region_seconds_on_worker": {"median": round(float(np.median(secs)), 2), "max": round(float(np.max(secs)), 2)},
        "region_seconds_one_local_thread": round(t_one_local, 2),
        "region_read_seconds_client": round(t_read, 3),
        "regions_per_worker_hour": round(per_worker_hour, 1),
        "peak_rss_mb_per_worker": {k: round(v, 0) for k, v in peaks.items()},
        "country": {},
    }
    for w in (10, 50, 200):
        # the workers' share, or the client reading the regions one after another, whichever is longer
        hours = max(COUNTRY / (per_worker_hour * w), COUNTRY * t_read / 3600.0)
        out["country"][str(w)] = {"hours": round(hours, 3), "minutes": round(hours * 60, 1), "memory_gb_total": round(w * peak / 1024.0, 1)}
    print(f"  {wall:.1f} s wall; {per_worker_hour:.0f} regions per worker-hour; median {out['region_seconds_on_worker']['median']} s a region; peak RSS per worker {peaks}", flush=True)
    for w, v in out["country"].items():
        print(f"  {COUNTRY} regions on {w} workers: {v['minutes']} min, {v['memory_gb_total']} GB in all ({peak:.0f} MB a worker)", flush=True)
    return out


def _warm() -> None:
    import sppr_gis.regions  # noqa: F401
    import sppr_gis.run  # noqa: F401
    import sppr_gis.report.excel  # noqa: F401


def sync_country(client, n_regions: int, n_workers: int, base: Path) -> dict:
    """``sppr sync`` of ``n_regions`` copies of the sample city's example region, on the cluster and in sequence."""
    import shutil

    from sppr_gis.regions import sync_regions

    src = (HERE.parent / "data" / "sample" / "provinsi" / "2171.toml").read_text(encoding="utf-8")
    sample = HERE.parent / "data" / "sample"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    configs = []
    for i in range(n_regions):
        kode = f"{9000 + i}"
        text = src.replace('kode = "2171"', f'kode = "{kode}"').replace('"../', f'"{sample}/')
        p = base / f"{kode}.toml"
        p.write_text(text, encoding="utf-8")
        configs.append(p)
    out = {}
    client.run(_warm)  # a fresh worker imports sppr_gis.run and its writers once (~2 s), not per region
    for mode, cl in (("cluster", client), ("sequence", None)):
        client.run(_reset_peak)
        t = time.perf_counter()
        run = sync_regions(configs, [2025], base / f"out-{mode}", client=cl, maps=False)
        wall = time.perf_counter() - t
        assert not run.failed, run.failed
        out[mode] = {"wall_seconds": round(wall, 2), "region_seconds_median": round(float(np.median([r.seconds for r in run.regions])), 2)}
        if cl is not None:
            out[mode]["peak_rss_mb_per_worker"] = {k: round(v, 0) for k, v in client.run(_peak_rss_mb).items()}
            out[mode]["regions_per_worker_hour"] = round(n_regions / (wall * n_workers) * 3600.0, 1)
        print(f"  sync of {n_regions} regions, {mode}: {wall:.1f} s", flush=True)
    # each region's folder as its run alone (the cluster's and the sequence's agree file by file)
    a, b = base / "out-cluster" / "2025", base / "out-sequence" / "2025"
    same = all((a / r / "csv" / f.name).read_bytes() == f.read_bytes() for r in (p.stem for p in configs) for f in (b / r / "csv").iterdir())
    out["same_tables"] = bool(same)
    out["regions"] = n_regions
    out["speedup"] = round(out["sequence"]["wall_seconds"] / out["cluster"]["wall_seconds"], 2)
    print(f"  speed-up {out['speedup']}x; same tables: {same}", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scheduler", default=None, help="an existing cluster (default: a LocalCluster of --workers one-thread processes)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--city", type=Path, default=WORK / "digitized", help="the 20k x 50k workload folder")
    ap.add_argument("--region", type=Path, default=WORK / "region-2k", help="the region-sized workload folder (made if missing)")
    ap.add_argument("--regions", type=int, default=16, help="regions to run in the country measurement")
    ap.add_argument("--sync", type=int, default=8, help="regions for the sppr sync measurement (0: skip)")
    ap.add_argument("--skip-city", action="store_true")
    ap.add_argument("--skip-regions", action="store_true")
    ap.add_argument("--out", type=Path, default=WORK / "results-distributed.json")
    ap.add_argument("--whole", type=int, default=0, metavar="N",
                    help="also time the whole check() (zoning QA included), each side its own process, best of N")
    ap.add_argument("--whole-side", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--cli", type=int, default=0, metavar="N",
                    help="also time `sppr -v check` end to end, --workers 1 against --scheduler, cold and warm cache, N rounds alternating")
    a = ap.parse_args(argv)
    if a.whole_side:
        whole_side(a.city, a.whole_side, a.out)
        return
    from distributed import Client, LocalCluster

    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}, "command": " ".join(["python", *sys.argv])}
    if not a.skip_city:
        ensure_workload(a.city, [])
    if not a.skip_regions:
        ensure_workload(a.region, ["--zones", "2000", "--programs", "2000", "--big-polygons", "5"])
    cluster = None
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        import dask

        with dask.config.set({"distributed.worker.profile.enabled": False}):  # as sppr's --scheduler local
            cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        n_workers = len(client.scheduler_info()["workers"])
        results["cluster"] = {"workers": n_workers, "threads": sum(client.nthreads().values()), "scheduler": a.scheduler or "LocalCluster"}
        if not a.skip_city:
            results["city"] = city(client, a.city)
        if a.whole:
            results["whole_check"] = whole(client, a.city, a.whole)
        if a.cli:
            results["cli"] = cli_sides(client, a.city, a.cli)
        if not a.skip_regions:
            results["regions"] = regions(client, a.region, a.regions, n_workers)
        if a.sync:
            results["sync"] = sync_country(client, a.sync, n_workers, WORK / "sync-regions")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"-> {a.out}")


if __name__ == "__main__":
    main()
