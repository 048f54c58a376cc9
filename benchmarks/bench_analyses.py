"""Benchmark of the issue-12 analyses on the hand-digitized workload (20k zones x 50k programs).

    .venv/bin/python benchmarks/bench_analyses.py [--work benchmarks/_work/digitized] [--what all|check|revisi|site]

Measures, in this process:

* ``check``: ``sppr_gis.check`` alone, then relocation advice (``saran_relokasi``) and
  struktur ruang conformance on its result (the overhead of each, as a share of check);
* ``revisi``: ``sppr_gis.revision.revise`` of the zoning against a revised copy (10 % of
  the zones recoded, 2 % grown 5 m over their neighbours, drawn with a fixed seed);
* ``site``: ``load_zoning`` once, then ``check_site`` for 200 program locations (points,
  lines, polygons), and the ``sppr site`` CLI from a cold start (a new process).

The planned network for struktur ruang is synthetic: a 400 m grid of lines over the
zoning's extent, classes ``arteri`` / ``kolektor`` / ``lokal`` by row, every activity whose
name contains "jalan", "drainase" or "air" mapped to one or two classes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


def _network(zones: gpd.GeoDataFrame, step: float = 400.0) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = zones.total_bounds
    lines, classes = [], []
    names = ("arteri", "kolektor", "lokal")
    for k, x in enumerate(np.arange(x0, x1, step)):
        lines.append(shapely.linestrings([[x, y0], [x + 30.0, (y0 + y1) / 2], [x, y1]]))
        classes.append(names[k % 3])
    for k, y in enumerate(np.arange(y0, y1, step)):
        lines.append(shapely.linestrings([[x0, y], [(x0 + x1) / 2, y + 30.0], [x1, y]]))
        classes.append(names[(k + 1) % 3])
    return gpd.GeoDataFrame({"kelas": classes}, geometry=lines, crs=zones.crs)


def _class_map(activities: list[str]) -> dict[str, tuple[str, ...]]:
    out = {}
    for a in activities:
        low = a.lower()
        if "jalan" in low:
            out[a] = ("arteri", "kolektor")
        elif "drainase" in low or "air" in low:
            out[a] = ("lokal",)
    return out


def _revised(zoning: gpd.GeoDataFrame, field: str, seed: int = 12) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    new = zoning.copy()
    codes = new[field].to_numpy(dtype=object)
    recode = rng.random(len(new)) < 0.10
    codes[recode] = rng.choice(np.unique(codes), int(recode.sum()))
    new[field] = codes
    grow = np.flatnonzero(rng.random(len(new)) < 0.02)
    g = shapely.make_valid(np.asarray(new.geometry.values, dtype=object))
    g[grow] = shapely.buffer(g[grow], 5.0, quad_segs=2)
    return new.set_geometry(gpd.GeoSeries(g, crs=new.crs).values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="benchmarks/_work/digitized")
    ap.add_argument("--what", default="all", choices=["all", "check", "revisi", "site"])
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    work = Path(args.work)

    import sppr_gis
    from sppr_gis.network import network_conformance
    from sppr_gis.relocation import relocation_advice

    t = time.perf_counter()
    zoning = sppr_gis.read_layer(str(work / "zoning.gpkg"))
    programs = sppr_gis.read_programs(str(work / "programs.gpkg"))
    rules = sppr_gis.read_rules(work / "itbx.csv")
    out: dict[str, object] = {"read_s": round(time.perf_counter() - t, 2), "zones": len(zoning), "programs": len(programs)}
    field = "KODSZN"

    if args.what in ("all", "check"):
        t, c = time.perf_counter(), time.process_time()
        res = sppr_gis.check(zoning, programs, rules, workers=args.workers)
        out["check_s"] = round(time.perf_counter() - t, 2)
        out["check_cpu_s"] = round(time.process_time() - c, 2)
        t, c = time.perf_counter(), time.process_time()
        rel = relocation_advice(res.programs, res.zones, rules)
        out["relocation_s"] = round(time.perf_counter() - t, 2)
        out["relocation_cpu_s"] = round(time.process_time() - c, 2)
        out["relocation_rows"] = len(rel)
        out["relocation_found"] = int(rel["zone_code"].notna().sum())
        net = _network(res.zones)
        cmap = _class_map(sorted(rules.activities.values()))
        t, c = time.perf_counter(), time.process_time()
        geoms = np.asarray(res.programs.geometry.array, dtype=object)
        nc = network_conformance(geoms, res.programs["kegiatan_itbx"], np.asarray(net.geometry.array, dtype=object), net["kelas"].to_numpy(), cmap)
        out["network_s"] = round(time.perf_counter() - t, 2)
        out["network_cpu_s"] = round(time.process_time() - c, 2)
        out["network_lines"] = len(net)
        out["network_programs"] = int(nc["status_struktur"].notna().sum())
        out["network_status"] = nc["status_struktur"].value_counts().to_dict()
        out["overhead_pct"] = round(100.0 * (out["relocation_s"] + out["network_s"]) / out["check_s"], 1)
        out["overhead_cpu_pct"] = round(100.0 * (out["relocation_cpu_s"] + out["network_cpu_s"]) / out["check_cpu_s"], 1)
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
        del res

    if args.what in ("all", "revisi"):
        from sppr_gis.revision import revise

        new = _revised(zoning, field)
        t = time.perf_counter()
        rv = revise(zoning, new, programs, rules, workers=args.workers)
        out["revisi_s"] = round(time.perf_counter() - t, 2)
        out["revisi_timings"] = {k: round(v, 2) for k, v in rv.timings.items()}
        out["revisi_changed_programs"] = int(rv.perubahan_status["berubah"].sum())
        out["revisi_pairs"] = len(rv.transisi_zona)

    if args.what in ("all", "site"):
        from sppr_gis.site import check_site, load_zoning

        t = time.perf_counter()
        lz = load_zoning(zoning)
        out["site_load_s"] = round(time.perf_counter() - t, 2)
        sample = programs.sample(200, random_state=1)
        geoms = sample.to_crs(lz.crs).geometry.values
        acts = sample["kegiatan"].to_list()
        times = []
        for g, a in zip(geoms, acts):
            t = time.perf_counter()
            check_site(lz, g, a, rules, crs=lz.crs)
            times.append(time.perf_counter() - t)
        times_ms = np.array(times) * 1000.0
        out["site_ms"] = {"median": round(float(np.median(times_ms)), 1), "p95": round(float(np.percentile(times_ms, 95)), 1), "max": round(float(times_ms.max()), 1)}
        c = lz.zones.geometry.iloc[0].representative_point()
        ll = gpd.GeoSeries([c], crs=lz.crs).to_crs(4326).iloc[0]
        exe = str(Path(sys.executable).with_name("sppr"))
        cmd = [exe, "site", "--zoning", str(work / "zoning.gpkg"), "--rules", str(work / "itbx.csv"), "--kegiatan", acts[0], "--lon", repr(ll.x), "--lat", repr(ll.y), "--json"]
        cold = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            cold.append(time.perf_counter() - t)
        out["site_cli_cold_s"] = round(min(cold), 2)
        out["site_cli_cold_all_s"] = [round(x, 2) for x in cold]
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
