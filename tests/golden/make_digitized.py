"""Build ``digitized.gpkg``: a small zoning as agencies deliver it, for the PostGIS reference.

Every polygon of a 12 x 12 grid (50 m cells, edges densified every 5 m) is
re-digitized on its own: each copy of each vertex moves by its own normal noise
(sd 0.15 m, capped at 0.5 m), so neighbours' edges cross and leave slivers. On
top: three overlay zones of another code, a same-code duplicate shifted by
0.4 m / -0.3 m, a bow-tie (invalid) polygon, and a real 2 m gap (one cell drawn
2 m smaller). Programs: lines (random walks, lines along the jittered border
x = 300 and y = 250, a line out and back), polygons (one over the overlay, one
across the gap, one straddling the outer edge), points (on a border, inside
the overlay, outside), a multi-point and a null geometry.

Deterministic (seeded); run ``python tests/golden/make_digitized.py`` then
``python tests/golden/make_postgis_reference.py --zoning tests/golden/digitized.gpkg
--zoning-layer zoning --programs tests/golden/digitized.gpkg --programs-layer programs
--name digitized`` (see README.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, MultiPoint, Point, Polygon, box

HERE = Path(__file__).resolve().parent
X0, Y0 = 440000.0, 100000.0
CODES = ["R-2", "K-1", "RTH-2", "R-3", "SPU-1"]


def zoning(rng: np.random.Generator) -> gpd.GeoDataFrame:
    geoms, codes = [], []
    for i in range(12):
        for j in range(12):
            cell = box(i * 50, j * 50, (i + 1) * 50, (j + 1) * 50)
            if (i, j) == (7, 7):
                cell = box(i * 50 + 2, j * 50 + 2, (i + 1) * 50 - 2, (j + 1) * 50 - 2)  # a real gap around it
            ring = np.asarray(shapely.segmentize(cell, 5.0).exterior.coords)[:-1]
            ring = ring + np.clip(rng.normal(0.0, 0.15, ring.shape), -0.5, 0.5)
            geoms.append(Polygon(np.round(ring, 3)))
            codes.append(CODES[(i // 3 + j // 4 * 2 + (i * j) % 3) % len(CODES)])
    geoms += [box(120, 120, 190, 160), box(400, 30, 430, 90), box(10, 500, 80, 560)]  # overlays
    codes += ["RTH-2", "RTH-2", "SPU-1"]
    geoms.append(shapely.affinity.translate(geoms[30], 0.4, -0.3))  # same-code duplicate
    codes.append(codes[30])
    geoms.append(Polygon([(220, 420), (260, 460), (260, 420), (220, 460)]))  # bow-tie
    codes.append("K-1")
    g = [shapely.affinity.translate(x, X0, Y0) for x in geoms]
    return gpd.GeoDataFrame({"KODSZN": codes}, geometry=g, crs="EPSG:32648")


def programs(rng: np.random.Generator) -> gpd.GeoDataFrame:
    geoms: list = []
    for _ in range(40):
        steps = rng.normal(0, 40, (rng.integers(2, 8), 2))
        start = rng.uniform(-20, 620, 2)
        geoms.append(LineString(np.round(np.vstack([start, start + np.cumsum(steps, axis=0)]), 3)))
    geoms += [
        LineString([(300, 5), (300, 595)]),  # along a jittered border
        LineString([(5, 250), (595, 250)]),
        LineString([(100, 130), (300, 130), (150, 130)]),  # out and back, through an overlay
        LineString([(360, 360), (390, 390), (410, 360), (360, 360)]),  # a closed ring across the gap
    ]
    for _ in range(25):
        x, y = rng.uniform(-20, 580, 2)
        w, h = rng.uniform(3, 80, 2)
        geoms.append(box(round(x, 3), round(y, 3), round(x + w, 3), round(y + h, 3)))
    geoms += [box(140, 110, 200, 170), box(340, 340, 410, 410), box(570, 200, 640, 260)]
    pts = rng.uniform(-10, 610, (30, 2))
    geoms += [Point(*np.round(p, 3)) for p in pts]
    geoms += [Point(300, 300), Point(150, 140), Point(700, 700), MultiPoint([(50, 50), (650, 50)]), None]
    g = [None if x is None else shapely.affinity.translate(x, X0, Y0) for x in geoms]
    ids = [f"D{i:03d}" for i in range(len(g))]
    return gpd.GeoDataFrame({"program_id": ids, "kegiatan": "x"}, geometry=g, crs="EPSG:32648")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "digitized.gpkg"))
    a = ap.parse_args()
    rng = np.random.default_rng(20261201)
    z, p = zoning(rng), programs(rng)
    out = Path(a.out)
    out.unlink(missing_ok=True)
    z.to_file(out, layer="zoning", driver="GPKG")
    p.to_file(out, layer="programs", driver="GPKG")
    print(f"{out}: {len(z)} zones ({(~z.is_valid).sum()} invalid), {len(p)} programs")


if __name__ == "__main__":
    main()
