"""How the zone-cutting threshold (``max_vertices``) affects the engine's speed.

Two workloads, each run with several thresholds in the same process:

* ``city``: the benchmark workload of ``make_workload.py`` (20,095 zones, 53
  of them large with up to 15,682 vertices; 50,000 programs);
* ``coast``: one synthetic 200,000-vertex "coastline" zone (a noisy circle of
  radius 20 km) and the land around it, with short lines and small polygons
  all straddling the coast, the case cutting is meant for.

Every threshold must give the same measures (the sum of all pair measures is
printed to 6 decimals); the times show what cutting buys.

Usage::

    python benchmarks/bench_split.py                  # both, thresholds 1e9 4096 1024 256
    python benchmarks/bench_split.py --only coast --programs 4000 --thresholds 1000000000 4096
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import shapely

from sppr_gis.engine import ZoneIndex

WORK = Path(__file__).resolve().parent / "_work"


def city() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import geopandas as gpd

    if not (WORK / "zoning.gpkg").exists():
        raise SystemExit("run benchmarks/make_workload.py first")
    z = gpd.read_file(WORK / "zoning.gpkg")
    p = gpd.read_file(WORK / "programs.gpkg")
    return np.asarray(z.geometry.array, dtype=object), z["KODSZN"].to_numpy(dtype=object), shapely.make_valid(np.asarray(p.geometry.array, dtype=object))


def coast(n_programs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, 200_000, endpoint=False)
    r = 20_000 + 300 * np.sin(t * 37) + rng.uniform(-20, 20, t.size)
    water = shapely.Polygon(np.c_[r * np.cos(t), r * np.sin(t)])
    land = shapely.box(-30_000, -30_000, 30_000, 30_000).difference(water)
    a = rng.uniform(0, 2 * np.pi, n_programs)
    c = np.c_[20_000 * np.cos(a), 20_000 * np.sin(a)]
    half = n_programs // 2
    lines = shapely.linestrings(np.stack([c[:half] - 400, c[:half] + 400, c[:half] + [400, -300]], axis=1))
    polys = shapely.buffer(shapely.points(c[half:] + 100), 150)
    return np.array([water, land], dtype=object), np.array(["W", "R-1"], dtype=object), np.concatenate([lines, polys])


def sweep(name: str, zones: np.ndarray, codes: np.ndarray, progs: np.ndarray, thresholds: list[int]) -> None:
    n_vertices = shapely.get_num_coordinates(zones)
    print(f"{name}: {len(zones):,} zones (largest {n_vertices.max():,} vertices), {len(progs):,} programs")
    base = None
    for mv in thresholds:
        t0 = time.perf_counter()
        index = ZoneIndex(zones, codes, max_vertices=mv, overlaps=(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
        t1 = time.perf_counter()
        res = index.shares(progs, workers=2)
        t2 = time.perf_counter()
        total = t2 - t0
        base = base or total
        print(
            f"  max_vertices={mv:>13,}: pieces {index.n_pieces:>7,}  index {t1 - t0:6.2f} s  shares {t2 - t1:6.2f} s  "
            f"total {total:6.2f} s ({base / total:4.2f}x the first)  sum of measures {res.pairs['measure'].sum():.6f}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["city", "coast"])
    ap.add_argument("--programs", type=int, default=15_000, help="programs on the coastline workload")
    ap.add_argument("--thresholds", type=int, nargs="+", default=[10**9, 4096, 1024, 256])
    args = ap.parse_args()
    if args.only in (None, "city"):
        sweep("city", *city(), args.thresholds)
    if args.only in (None, "coast"):
        sweep("coast", *coast(args.programs), args.thresholds)


if __name__ == "__main__":
    main()
