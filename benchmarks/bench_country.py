"""A synthetic country through ``sppr sync`` on a dask.distributed cluster (issue 13).

Two steps, each its own command:

``make``  writes ``--regions`` regions (default 514, Indonesia's regencies and cities) under
          ``benchmarks/_work/country/``: each made by ``make_workload.py --digitized`` with its own
          seed (about 2,000 hand-digitized zones and 2,000 programs), plus what ``sppr sync`` needs
          beside them: the programs as ``rencana.gpkg``, an IPU table ``ipu.gpkg`` (about 40 % of
          the programs' locations with 2023-2027 periods, and 10 % planned for 2026-2029) and a
          config ``sppr.toml`` with ``[project] kode`` = a four-digit code and ``[parameters]
          workers = 1``. Runs ``--jobs`` generator processes side by side.

``run``   starts a real cluster on localhost (``dask scheduler`` and ``--workers`` one-thread
          ``dask worker`` processes, as .ci/dask.sh does), runs
          ``sppr sync --config R1 --config R2 ... --year 2025 --no-maps --scheduler ADDRESS`` as a
          subprocess under ``/usr/bin/time -v`` (the client's peak memory), asks every worker for
          its peak RSS before stopping the cluster, and reads each region's ``manifest.json`` for
          its run time on the worker. Prints and writes ``benchmarks/_work/results-country.json``:
          wall time, regions per worker-hour, seconds per region (median, p95), peak RSS per
          worker and of the client, the rekap's row count, failed regions.
          ``--read-on workers`` makes the workers read the regions' files themselves (a shared
          path); the default is the client reading them and sending them with the tasks.

Usage::

    python benchmarks/bench_country.py make                    # 514 regions, ~6 min on 2 cores
    python benchmarks/bench_country.py run                     # the whole country on 2 workers
    python benchmarks/bench_country.py run --regions 64        # the first 64 regions only
    python benchmarks/bench_country.py run --read-on workers
    python benchmarks/bench_country.py rekap                   # the province's rekap alone, over a run's folders
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
COUNTRY = WORK / "country"
SEED0 = 514_000


def region_dir(i: int) -> Path:
    return COUNTRY / f"r{i:03d}"


def make_region(i: int, zones: int, programs: int) -> float:
    """Generate region i (skipped when complete). Returns seconds spent."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(HERE))
    import make_workload

    d = region_dir(i)
    if (d / "sppr.toml").exists():
        return 0.0
    t = time.perf_counter()
    make_workload.generate(d, zones, programs, 5, SEED0 + i, 1.0, quiet=True, digitized=True, topology_stats=False)
    rng = np.random.default_rng(SEED0 + 10_000 + i)
    prog = gpd.read_file(d / "programs.gpkg")
    prog["tahun"] = 2025
    prog["sumber_dana"] = rng.choice(["APBD", "DAK", "APBN"], len(prog))
    prog.to_file(d / "rencana.gpkg", layer="rencana", driver="GPKG")
    located = prog[prog.geometry.notna()].reset_index(drop=True)
    pick = rng.permutation(len(located))
    n_real, n_later = int(0.4 * len(located)), int(0.1 * len(located))
    rows = []
    for k, j in enumerate(pick[: n_real + n_later]):
        p = located.iloc[j]
        later = k >= n_real
        rows.append({
            "ipu_id": f"IPU-{i:03d}-{k + 1:04d}", "program": f"{p['kegiatan']} ({p['program_id']})", "kegiatan": p["kegiatan"],
            "instansi": p["opd"], "sumber_dana": "APBD", "tahun_mulai": 2026 if later else 2023, "tahun_akhir": 2029 if later else 2027,
            "geometry": p.geometry,
        })
    gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=prog.crs).to_file(d / "ipu.gpkg", layer="indikasi_program", driver="GPKG")
    (d / "programs.gpkg").unlink()
    kode = f"{11 + i // 100:02d}{i % 100:02d}"
    (d / "sppr.toml").write_text(
        f'[project]\nname = "Kabupaten Sintetis {i + 1:03d}"\nkode = "{kode}"\n\n'
        '[inputs]\nzoning = "zoning.gpkg:zoning"\nrules = "itbx.csv"\nindikasi_program = "ipu.gpkg:indikasi_program"\n'
        'rencana = ["rencana.gpkg:rencana"]\n\n[fields]\nzone = "KODSZN"\nactivity = "kegiatan"\n\n'
        "[parameters]\nworkers = 1\nmedium_term_start = 2023\n",
        encoding="utf-8",
    )
    return time.perf_counter() - t


def cmd_make(a: argparse.Namespace) -> None:
    COUNTRY.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with ProcessPoolExecutor(a.jobs) as pool:
        secs = list(pool.map(make_region, range(a.regions), [a.zones] * a.regions, [a.programs] * a.regions, chunksize=4))
    made = sum(s > 0 for s in secs)
    print(f"{a.regions} regions under {COUNTRY} ({made} made now) in {time.perf_counter() - t:.0f} s")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cmd_run(a: argparse.Namespace) -> None:
    configs = [region_dir(i) / "sppr.toml" for i in range(a.regions)]
    missing = [c for c in configs if not c.exists()]
    if missing:
        sys.exit(f"{len(missing)} regions missing (first {missing[0]}): run `bench_country.py make --regions {a.regions}` first")
    out = WORK / f"country-out-{a.read_on}"
    if out.exists():
        subprocess.run(["rm", "-rf", str(out)], check=True)
    sppr = Path(sys.executable).with_name("sppr")
    from sppr_gis.cluster import process_cluster

    with process_cluster(a.workers, memory_limit="0") as address:
        cmd = ["/usr/bin/time", "-v", str(sppr), "sync"]
        for c in configs:
            cmd += ["--config", str(c)]
        cmd += ["--year", "2025", "--out", str(out), "--no-maps", "--scheduler", address, "-q"]
        if a.read_on == "workers":
            cmd += ["--read-on", "workers"]
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        from distributed import Client

        with Client(address, timeout="30s") as c:
            worker_rss = sorted(c.run(_peak_rss_mb).values())
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    client_rss = int(m.group(1)) / 1024 if m else float("nan")
    if r.returncode not in (0, 1):
        print(r.stdout[-3000:], r.stderr[-3000:])
        sys.exit(f"sppr sync failed with exit {r.returncode}")
    region_s, programs, zones_ok = [], 0, 0
    for d in sorted((out / "2025").iterdir()):
        man = d / "manifest.json"
        if d.is_dir() and man.exists():
            mj = json.loads(man.read_text())
            tm = mj["timings"]  # the region's stages on its worker (reading, conformance, sync, matrices, writing)
            region_s.append(sum(tm.get(k, 0.0) for k in ("baca.total", "kesesuaian", "sinkronisasi", "matriks", "tulis_total")))
            programs += sum(mj["counts"]["kesesuaian"].values())
            zones_ok += 1
    import pandas as pd

    rekap = pd.read_excel(out / "2025" / "rekap.xlsx")
    failed = [ln for ln in r.stderr.splitlines() if "wilayah" in ln][:5]
    res = {
        "regions": a.regions, "regions_ran": zones_ok, "rekap_rows": len(rekap), "programs_checked": programs,
        "workers": a.workers, "threads_per_worker": 1, "read_on": a.read_on, "exit_code": r.returncode, "failed": failed,
        "wall_s": round(wall, 1),
        "regions_per_worker_hour": round(zones_ok / (wall * a.workers) * 3600, 1),
        "region_s_on_worker": {"median": round(statistics.median(region_s), 2), "p95": round(sorted(region_s)[int(0.95 * len(region_s)) - 1], 2),
                               "max": round(max(region_s), 2), "sum": round(sum(region_s), 1)},
        "peak_rss_mb": {"workers": [round(x) for x in worker_rss], "client": round(client_rss)},
        "load_avg_after": os.getloadavg(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(json.dumps(res, indent=2))
    WORK.mkdir(exist_ok=True)
    path = WORK / "results-country.json"
    old = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps([*old, res], indent=2))


def cmd_rekap(a: argparse.Namespace) -> None:
    """The province's rekap (rekap.xlsx, rekap.gpkg) alone, over the region folders a ``run`` left, each
    region's figures from its manifest: time and this process's peak memory."""
    import resource

    from sppr_gis.regions import RegionOutcome, write_rekap

    out = WORK / f"country-out-{a.read_on}"
    year = out / "2025"
    regions = []
    for d in sorted(p for p in year.iterdir() if p.is_dir()):
        m = json.loads((d / "manifest.json").read_text())
        regions.append(RegionOutcome(str(d / "sppr.toml"), kode=d.name, name=m.get("name"), figures=[{"year": 2025, "counts": m["counts"], "pagu": m["pagu"]}]))
    t = time.perf_counter()
    written = write_rekap(out, [2025], regions)
    wall = time.perf_counter() - t
    res = {"rekap_regions": len(regions), "rekap_s": round(wall, 1), "rekap_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "rekap_gpkg_mb": round((year / "rekap.gpkg").stat().st_size / 2**20), "files": [str(p) for p in written], "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(json.dumps(res, indent=2))
    path = WORK / "results-country.json"
    old = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps([*old, res], indent=2))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="generate the regions")
    mk.add_argument("--regions", type=int, default=514)
    mk.add_argument("--zones", type=int, default=2000)
    mk.add_argument("--programs", type=int, default=2000)
    mk.add_argument("--jobs", type=int, default=2)
    rn = sub.add_parser("run", help="sppr sync of the regions on a local cluster")
    rn.add_argument("--regions", type=int, default=514)
    rn.add_argument("--workers", type=int, default=2)
    rn.add_argument("--read-on", choices=["client", "workers"], default="client")
    rk = sub.add_parser("rekap", help="the rekap alone, over the folders a run left")
    rk.add_argument("--read-on", choices=["client", "workers"], default="client")
    a = ap.parse_args(argv)
    {"make": cmd_make, "run": cmd_run, "rekap": cmd_rekap}[a.cmd](a)


if __name__ == "__main__":
    main()
