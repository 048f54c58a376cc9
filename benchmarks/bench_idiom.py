"""``sppr check`` cold and warm against the *fast* geopandas idiom (issue 18), and the old baseline.

The fast idiom is what an experienced geopandas user writes, in the issue's eight steps:

1. read both layers;
2. zones ``make_valid(method="structure")``;
3. programs to the zoning CRS (both to the UTM zone of the extent when the zoning is geographic:
   areas and lengths are never taken in degrees);
4. points: ``gpd.sjoin(predicate="intersects")`` (a point on k codes gives each 1/k);
5. lines: ``gpd.sjoin``, then one vectorized ``shapely.intersection`` of each (line, zone) pair,
   then ``shapely.length``;
6. polygons: ``gpd.overlay(how="intersection")``, then area;
7. group per (program, code), share = measure / total (the ITBX status as in ``bench_check.py``);
8. write a GeoPackage.

Its answers are not exact where zones overlap (a stretch in two polygons of one code counts twice);
sppr_gis's are. The old baseline is ``bench_check.py``'s analyst idiom (overlay, then a dissolve per
(program, code)).

Every side runs in its own process (wall and CPU time, peak RSS from the child's ``os.wait4``
rusage), all in one session, the sides alternating round by round (the order rotates each round),
so a load that comes and goes on a shared machine spreads over all of them:

- ``idiom``: the fast idiom (``--idiom-child``);
- ``baseline``: the old analyst baseline (``bench_check.py --baseline-child``; ``--no-baseline`` skips it);
- ``cold``: ``sppr check`` with an empty ``SPPR_CACHE_DIR`` (nothing prepared before; it fills the cache);
- ``warm``: ``sppr check`` again with the cache the cold run of that round left.

Usage::

    python benchmarks/bench_idiom.py                          # digitized workload, 3 rounds
    python benchmarks/bench_idiom.py --repeat 5 --no-baseline
    python benchmarks/bench_idiom.py --workdir DIR --zoning-layer L   # any zoning.gpkg/programs.gpkg/itbx.csv
    python benchmarks/bench_idiom.py --workdir benchmarks/_work/real-jabar --zone-field NAMOBJ \\
        --sppr-arg=--zone-field=NAMOBJ --no-baseline     # the real RTRWP (GeoJSON): real_workload.py

Results go to ``benchmarks/_work/results-idiom[-TAG].json``; the table is printed as markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))

from bench_check import ID, LINE_TYPES, POINT_TYPES, POLY_TYPES, CODE, Timer, baseline_verdict, machine_info, run_measured  # noqa: E402


def run_fast_idiom(zoning_path: Path, programs_path: Path, rules_path: Path, out_path: Path, min_share: float = 0.01, zone_field: str = CODE) -> dict[str, float]:
    """The issue's eight steps; returns the stage timings (seconds)."""
    import shapely

    T = Timer()
    with T("read"):  # 1
        zones = gpd.read_file(zoning_path, engine="pyogrio")
        progs = gpd.read_file(programs_path, engine="pyogrio")
        itbx = pd.read_csv(rules_path, dtype=str, keep_default_na=False)
    with T("make_valid"):  # 2
        zones["geometry"] = zones.geometry.make_valid(method="structure")
        zones = zones[[zone_field, "geometry"]].rename(columns={zone_field: CODE})
    with T("reproject"):  # 3
        if zones.crs.is_geographic:
            zones = zones.to_crs(zones.estimate_utm_crs())
        progs = progs.to_crs(zones.crs)
        has_geom = progs.geometry.notna() & ~progs.geometry.is_empty
        gtype = progs.geom_type
        points = progs.loc[has_geom & gtype.isin(POINT_TYPES), [ID, "geometry"]]
        lines = progs.loc[has_geom & gtype.isin(LINE_TYPES), [ID, "geometry"]]
        polys = progs.loc[has_geom & gtype.isin(POLY_TYPES), [ID, "geometry"]]
    with T("points"):  # 4
        j = gpd.sjoin(points, zones, predicate="intersects", how="inner")
        pt = j[[ID, CODE]].drop_duplicates()
        pt["measure"] = 1.0 / pt.groupby(ID)[CODE].transform("size")
        pt["total"] = 1.0
    with T("lines"):  # 5
        j = gpd.sjoin(lines, zones, predicate="intersects", how="inner")
        pieces = shapely.intersection(lines.geometry.values[lines.index.get_indexer(j.index)], zones.geometry.values[j["index_right"].to_numpy()])
        ln = pd.DataFrame({ID: j[ID].to_numpy(), CODE: j[CODE].to_numpy(), "measure": shapely.length(pieces)})
        ln = ln.groupby([ID, CODE], as_index=False, sort=False)["measure"].sum()
        ln = ln[ln["measure"] > 0]
        ln["total"] = ln[ID].map(pd.Series(lines.geometry.length.to_numpy(), index=lines[ID].to_numpy()))
    with T("polygons"):  # 6
        ov = gpd.overlay(polys, zones, how="intersection", keep_geom_type=True)
        pg = pd.DataFrame({ID: ov[ID].to_numpy(), CODE: ov[CODE].to_numpy(), "measure": ov.geometry.area.to_numpy()})
        pg = pg.groupby([ID, CODE], as_index=False, sort=False)["measure"].sum()
        pg = pg[pg["measure"] > 0]
        pg["total"] = pg[ID].map(pd.Series(polys.geometry.area.to_numpy(), index=polys[ID].to_numpy()))
    with T("verdict"):  # 7
        shares = pd.concat([pt.assign(family="point"), ln.assign(family="line"), pg.assign(family="polygon")], ignore_index=True)
        shares["share"] = shares["measure"] / shares["total"]
        out, zone_shares = baseline_verdict(progs, shares, itbx, min_share)
    with T("write"):  # 8
        import pyogrio

        if os.path.exists(out_path):
            os.remove(out_path)
        out.to_file(out_path, layer="programs", driver="GPKG", engine="pyogrio", geometry_type="Unknown")
        pyogrio.write_dataframe(pd.DataFrame(zone_shares), out_path, layer="zone_shares", append=False)
    t = dict(T.t)
    t["total"] = sum(t.values())
    return t


def _sppr_cmd(paths: tuple[Path, Path, Path], out: Path, extra: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("sppr")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sppr_cli.main"]
    return cmd + ["-v", "check", "--zoning", str(paths[0]), "--programs", str(paths[1]), "--rules", str(paths[2]), "--out", str(out), *extra]


def _stages(stderr: str) -> dict[str, float]:
    """``sppr -v`` prints ``  stage: 1.23 s`` lines at the end."""
    out = {}
    for line in stderr.splitlines():
        s = line.strip()
        if s.endswith(" s") and ": " in s:
            k, _, v = s[:-2].rpartition(": ")
            try:  # the Indonesian figures write 1.234,5 for 1234.5
                out[k] = float(v.replace(".", "").replace(",", ".") if "," in v else v)
            except ValueError:
                pass
    return out


def _layer_file(workdir: Path, stem: str) -> Path:
    """``STEM.gpkg`` in ``workdir``, else ``STEM.geojson`` (the real workload of ``real_workload.py``)."""
    gpkg = workdir / f"{stem}.gpkg"
    return gpkg if gpkg.exists() or not (workdir / f"{stem}.geojson").exists() else workdir / f"{stem}.geojson"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=WORK / "digitized", help="zoning.gpkg, programs.gpkg, itbx.csv (default: the digitized workload)")
    ap.add_argument("--tag", default="", help="suffix of the results file")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (each side once per round)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the old analyst baseline (the slowest side)")
    ap.add_argument("--sides", default="idiom,baseline,cold,warm", help="comma-separated subset of idiom,baseline,cold,warm")
    ap.add_argument("--sppr-arg", action="append", default=[], help="extra argument for sppr check (repeatable)")
    ap.add_argument("--zone-field", default=CODE)
    ap.add_argument("--idiom-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    paths = (_layer_file(a.workdir, "zoning"), _layer_file(a.workdir, "programs"), a.workdir / "itbx.csv")
    if a.idiom_child:
        t = run_fast_idiom(*paths, a.out, zone_field=a.zone_field)
        print("IDIOMJSON " + json.dumps(t))
        return t
    if not all(p.exists() for p in paths):
        sys.exit(f"missing workload under {a.workdir} (python benchmarks/make_workload.py --digitized)")
    WORK.mkdir(exist_ok=True)
    logs = WORK / "logs"
    logs.mkdir(exist_ok=True)
    tag = f"-{a.tag}" if a.tag else ""
    cache = WORK / f"cache{tag}"
    sides = [s for s in a.sides.split(",") if s and not (a.no_baseline and s == "baseline")]
    one = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "GDAL_NUM_THREADS")}
    cmds = {
        "idiom": ([sys.executable, str(Path(__file__).resolve()), "--idiom-child", "--workdir", str(a.workdir), "--zone-field", a.zone_field, "--out", str(WORK / f"idiom{tag}.gpkg")], one),
        "baseline": ([sys.executable, str(HERE / "bench_check.py"), "--baseline-child", "--workdir", str(a.workdir), "--baseline-out", str(WORK / f"baseline-old{tag}.gpkg")], one),
        "cold": (_sppr_cmd(paths, WORK / f"sppr-cold{tag}.gpkg", a.sppr_arg), {"SPPR_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1700000000"}),
        "warm": (_sppr_cmd(paths, WORK / f"sppr-warm{tag}.gpkg", a.sppr_arg), {"SPPR_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1700000000"}),
    }
    runs: dict[str, list[dict]] = {s: [] for s in sides}
    load = [os.getloadavg()[0]]
    for r in range(a.repeat):
        order = sides[r % len(sides):] + sides[: r % len(sides)]
        if "warm" in order and "cold" in order:  # the warm run needs this round's cold cache
            order.remove("warm")
            order.insert(order.index("cold") + 1, "warm")
        for side in order:
            if side == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            cmd, env = cmds[side]
            rr = run_measured(cmd, logs / f"idiom{tag}-{side}-{r + 1}", env)
            rr["load"] = os.getloadavg()[0]
            if side in ("cold", "warm"):
                rr["stages"] = _stages(rr["stderr"])
            elif side == "idiom":
                line = [x for x in rr["stdout"].splitlines() if x.startswith("IDIOMJSON ")]
                rr["stages"] = json.loads(line[-1][10:]) if line else {}
            elif side == "baseline":
                line = [x for x in rr["stdout"].splitlines() if x.startswith("BASEJSON ")]
                rr["stages"] = json.loads(line[-1][9:])["timings"] if line else {}
            runs[side].append({k: v for k, v in rr.items() if k not in ("stdout", "stderr")} | ({"error": rr["stderr"][-2000:]} if rr["exit"] else {}))
            print(f"round {r + 1} {side:8s} {rr['wall']:7.2f} s wall {rr['cpu']:7.2f} s CPU {rr['peak_rss_mib']:7.0f} MiB  load {rr['load']:.1f}"
                  + ("" if rr["exit"] == 0 else f"  FAILED exit {rr['exit']}: {rr['stderr'][-400:]}"), flush=True)
        load.append(os.getloadavg()[0])
    res: dict = {"machine": machine_info(), "workdir": str(a.workdir), "repeat": a.repeat, "load": load, "sides": {}}
    for side, rs in runs.items():
        ok = [x for x in rs if x["exit"] == 0]
        if not ok:
            res["sides"][side] = {"error": rs[-1].get("error", "")}
            continue
        best = min(ok, key=lambda x: x["wall"])
        res["sides"][side] = {"best_wall": best["wall"], "median_wall": statistics.median(x["wall"] for x in ok), "cpu": best["cpu"],
                              "peak_rss_mib": max(x["peak_rss_mib"] for x in ok), "stages": best.get("stages", {}), "runs": rs}
    S = res["sides"]
    print(f"\nload average {min(load):.1f}-{max(load):.1f}; best of {a.repeat}, each side in its own process, sides alternating\n")
    print("| side | best wall s | median wall s | CPU s | peak RSS MiB | idiom / side (time) | side / idiom (RSS) | old baseline / side |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for side, d in S.items():
        if "best_wall" not in d:
            print(f"| {side} | FAILED | | | | | | |")
            continue
        def ratio(k: str, num: str, den: str) -> str:
            o = S.get(k, {})
            if "best_wall" not in o:
                return ""
            a_, b_ = (o if num == "other" else d), (d if den == "side" else o)
            key = "peak_rss_mib" if num == "side_rss" else "best_wall"
            if num == "side_rss":
                return f"{d['peak_rss_mib'] / o['peak_rss_mib']:.2f}x"
            return f"{a_[key] / b_[key]:.2f}x"

        print(f"| {side} | {d['best_wall']:.2f} | {d['median_wall']:.2f} | {d['cpu']:.2f} | {d['peak_rss_mib']:,.0f} | "
              f"{ratio('idiom', 'other', 'side')} | {ratio('idiom', 'side_rss', 'side')} | {ratio('baseline', 'other', 'side')} |")
    for side, d in S.items():
        if d.get("stages"):
            print(f"\n{side} stages: " + ", ".join(f"{k} {v:.2f}" for k, v in d["stages"].items()))
    out_json = WORK / f"results-idiom{tag}.json"
    out_json.write_text(json.dumps(res, indent=2, default=str))
    print(f"\nresults written to {out_json}")
    return res


if __name__ == "__main__":
    main()
