"""How long the Album Peta takes (issue 11: under 60 s on the sample and at 10,000 programs).

Each case is one ``sppr sync ... --year 2025`` in a process of its own; the album's time is the
manifest's ``timings.album`` (cover, front matter and every map page, PDF and PNG), the rest of the
run is reported beside it.

- ``sample``: the bundled sample (``data/sample/sppr.toml``, 253 programs in 2025).
- ``10k``: the sample with its six rencana files replaced by one of 10,000 programs: the sample's
  located 2025 programs copied with random offsets of up to 1.5 km (seed 11), each copy its own id,
  so every map page carries 10,000 programs (OPD pages, kecamatan totals, synergy pairs included).

- ``--paper A4`` (or ``both``): the same configurations with ``[album] paper = "A4"`` (a copy of the config
  beside it, ``sppr_A4.toml``).

Usage::

    python benchmarks/bench_album.py                 # both cases, A3, best of 1
    python benchmarks/bench_album.py --repeat 2 --case 10k
    python benchmarks/bench_album.py --paper both

Results: printed and written to ``benchmarks/_work/results-album.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
SAMPLE = ROOT / "data" / "sample"


def make_10k(folder: Path, n: int = 10_000, seed: int = 11) -> Path:
    """The sample's config with one rencana file of ``n`` programs (see the module docstring)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs

    cfg = folder / "sppr.toml"
    if cfg.exists():
        return cfg
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SAMPLE, folder)
    inputs = load_inputs(load_config(SAMPLE / "sppr.toml"))
    r = inputs.rencana
    g = np.asarray(r.geometry.array, dtype=object)
    r = r[((r["tahun"] == 2025).to_numpy() & ~(shapely.is_missing(g) | shapely.is_empty(g)))].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(r), n)
    dx, dy = rng.uniform(-1500, 1500, n), rng.uniform(-1500, 1500, n)
    geoms = np.asarray(r.geometry.array, dtype=object)[pick]
    moved = np.array([shapely.transform(g, lambda xy, a=a, b=b: xy + [a, b]) for g, a, b in zip(geoms, dx, dy)], dtype=object)
    keep = [c for c in ("opd", "kode", "kegiatan", "pagu", "sumber_dana", "volume", "satuan", "target", "realisasi") if c in r.columns]
    out = pd.DataFrame(r[keep].iloc[pick].reset_index(drop=True))
    out.insert(0, "program_id", [f"P10K-{i + 1:05d}" for i in range(n)])
    out.insert(1, "tahun", 2025)
    gpd.GeoDataFrame(out, geometry=moved, crs=r.crs).to_file(folder / "rencana_10k.gpkg", layer="rencana", driver="GPKG")
    text = (SAMPLE / "sppr.toml").read_text(encoding="utf-8")
    a = text.index("rencana = [")
    b = text.index("]", a) + 1
    cfg.write_text(text[:a] + 'rencana = ["rencana_10k.gpkg:rencana"]' + text[b:], encoding="utf-8")
    return cfg


def with_paper(cfg: Path, paper: str) -> Path:
    """``cfg`` itself for A3, else a copy beside it (``sppr_A4.toml``) with ``[album] paper`` set; the sample is
    copied into the work folder first (its folder is not written to)."""
    if paper == "A3":
        return cfg
    if cfg.parent == SAMPLE:
        folder = WORK / "album-sample"
        if not folder.exists():
            shutil.copytree(SAMPLE, folder)
        cfg = folder / cfg.name
    text = cfg.read_text(encoding="utf-8")
    out = cfg.with_name(f"sppr_{paper}.toml")
    out.write_text(text.replace('paper = "A3"', f'paper = "{paper}"'), encoding="utf-8")
    return out


def run(cfg: Path, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    sppr = Path(sys.executable).with_name("sppr")
    t = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(sppr), "sync", "--config", str(cfg), "--year", "2025", "--out", str(out), "-q"], check=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)  # the sync's CPU time: what a shared machine inflates least
    m = json.loads((out / "2025" / "manifest.json").read_text())
    pages = len(list((out / "2025" / "peta").glob("*.png")))
    return {"album_s": m["timings"]["album"], "sync_wall_s": round(wall, 2), "sync_cpu_s": round(cpu, 2), "png_pages": pages,
            "programs": sum(m["counts"]["kesesuaian"].values()), "load_avg": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", choices=["sample", "10k", "both"], default="both")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--paper", choices=["A3", "A4", "both"], default="A3")
    a = ap.parse_args(argv)
    WORK.mkdir(exist_ok=True)
    cases = {"sample": SAMPLE / "sppr.toml"}
    if a.case in ("10k", "both"):
        cases["10k"] = make_10k(WORK / "album-10k")
    if a.case == "10k":
        cases.pop("sample")
    papers = ["A3", "A4"] if a.paper == "both" else [a.paper]
    cases = {(f"{k} {p}" if len(papers) > 1 or p != "A3" else k): with_paper(cfg, p) for k, cfg in cases.items() for p in papers}
    res: dict[str, list[dict]] = {k: [] for k in cases}
    for _ in range(a.repeat):
        for name, cfg in cases.items():
            r = run(cfg, WORK / f"album-out-{name.replace(' ', '-')}")
            res[name].append(r)
            print(f"{name}: album {r['album_s']:.1f} s ({r['png_pages']} map pages, {r['programs']} programs), whole sync {r['sync_wall_s']:.1f} s ({r['sync_cpu_s']:.1f} s CPU), load {r['load_avg']:.2f}", flush=True)
    best = {k: min(v, key=lambda r: r["album_s"]) for k, v in res.items()}
    path = WORK / "results-album.json"
    path.write_text(json.dumps({"runs": res, "best": best, "when": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
