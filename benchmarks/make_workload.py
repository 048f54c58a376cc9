"""Generate a deterministic, city-scale workload for benchmarking ``sppr check``.

Writes, under ``benchmarks/_work/`` (git-ignored) unless ``--out-dir`` says otherwise:

- ``zoning.gpkg`` layer ``zoning``: a gap- and overlap-free tessellation of zone polygons in
  EPSG:32648 (a Voronoi diagram of a jittered grid whose shared edges are densified and wiggled
  once, so both neighbours carry the very same vertices), field ``KODSZN`` drawn from 25 codes
  with strong spatial autocorrelation (many adjacent polygons share a code), plus ~50 very large
  polygons (rivers, road bodies, forests, lakes, green belts) with 2,000-20,000 vertices each.
- ``programs.gpkg`` layer ``programs``: points (60 %), lines (30 %: roads and drains, random walks
  of 0.2-8 km with 5-200 vertices, ~10 % of them digitised along zone boundaries) and polygons
  (10 %: 0.1-20 ha), some multi-part, a few invalid (bow-ties) and a few with null geometry; fields
  ``program_id`` (unique), ``kegiatan`` (15 activities, one of them absent from the rules), ``opd``.
- ``itbx.csv``: the ITBX matrix (``category``, ``activity``, one column per zone code).
- ``workload.json``: the sizes and vertex statistics printed at the end.

Everything is drawn from ``numpy.random.default_rng(seed)`` so the files are identical from run
to run (same seed, same sizes, same library versions).

Usage::

    python benchmarks/make_workload.py                       # 20,000 zones, 50,000 programs
    python benchmarks/make_workload.py --scale 0.1 --out-dir benchmarks/_work/small
    python benchmarks/make_workload.py --zones 2000 --programs 5000 --line-length-factor 0.5
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "_work"
CRS = "EPSG:32648"
ORIGIN = (380_000.0, 60_000.0)  # lower-left corner of the study area (UTM 48N, ~0.5 deg N)
CELL = 262.0  # zone spacing in metres (~20,000 zones over ~40 x 40 km)

CODES = [
    "R-1", "R-2", "R-3", "R-4",
    "K-1", "K-2", "K-3",
    "SPU-1", "SPU-2", "SPU-3",
    "RTH-1", "RTH-2", "RTH-3", "RTH-4", "RTH-5", "RTH-6", "RTH-7",
    "KT", "KPI", "C-1", "BJ", "PS", "W", "HL", "P-1",
]  # fmt: skip
# Relative frequency of each code for ordinary (small) zones: residential dominates.
CODE_WEIGHTS = np.array(
    [14, 12, 9, 5,  6, 4, 3,  3, 2, 2,  1, 2, 2, 1, 1, 1, 1,  2, 2, 1, 3, 2, 1, 1, 2], float
)  # fmt: skip
CODE_WEIGHTS /= CODE_WEIGHTS.sum()

# (activity, category, geometry family, relative frequency within the family)
ACTIVITIES = [
    ("Pembangunan jalan", "Transportasi", "line", 5),
    ("Peningkatan jalan", "Transportasi", "line", 4),
    ("Pembangunan drainase", "Sumber Daya Air", "line", 4),
    ("Normalisasi saluran", "Sumber Daya Air", "line", 2),
    ("Pemasangan pipa SPAM", "Air Minum dan Sanitasi", "line", 2),
    ("Pembangunan jembatan", "Transportasi", "point", 1),
    ("Penerangan jalan umum", "Transportasi", "point", 4),
    ("Pembangunan sekolah", "Pendidikan", "point", 3),
    ("Pembangunan puskesmas", "Kesehatan", "point", 2),
    ("Pembangunan TPS3R", "Persampahan", "point", 2),
    ("Pembangunan menara telekomunikasi", "Telekomunikasi", "point", 1),  # not in the rules
    ("Pembangunan RTH", "Ruang Terbuka Hijau", "polygon", 3),
    ("Pembangunan pasar", "Perdagangan", "polygon", 2),
    ("Pembangunan rusunawa", "Perumahan", "polygon", 2),
    ("Pembangunan kantor pemerintahan", "Perkantoran", "polygon", 1),
]
MISSING_ACTIVITY = "Pembangunan menara telekomunikasi"
OPDS = [
    "Dinas PUPR", "Dinas Perkim", "Dinas Perhubungan", "Dinas Pendidikan", "Dinas Kesehatan",
    "Dinas Lingkungan Hidup", "Bappeda", "Dinas Kominfo", "PDAM", "Dinas Perdagangan",
]  # fmt: skip


# --------------------------------------------------------------------------- helpers


def log_uniform(rng, lo, hi, size=None):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def vertex_counts(geoms) -> np.ndarray:
    return shapely.get_num_coordinates(np.asarray(geoms, dtype=object))


def vstats(counts) -> dict:
    c = np.asarray(counts)
    if c.size == 0:
        return {}
    return {
        "n": int(c.size),
        "min": int(c.min()),
        "median": float(np.median(c)),
        "mean": round(float(c.mean()), 1),
        "p95": float(np.percentile(c, 95)),
        "max": int(c.max()),
        "total": int(c.sum()),
    }


class SeedGrid:
    """Jittered grid of Voronoi seeds with an O(1) two-nearest-seeds lookup."""

    def __init__(self, rng, nx, ny, x0, y0, cell, jitter=0.35):
        self.nx, self.ny, self.x0, self.y0, self.cell = nx, ny, x0, y0, cell
        ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        self.ii, self.jj = ii.ravel(), jj.ravel()
        jit = rng.uniform(-jitter, jitter, size=(self.ii.size, 2))
        self.xy = np.column_stack(
            [x0 + (self.ii + 0.5 + jit[:, 0]) * cell, y0 + (self.jj + 0.5 + jit[:, 1]) * cell]
        )

    def index(self, i, j):
        return i * self.ny + j

    def two_nearest(self, pts):
        """Indices of the nearest and second-nearest seed of each point (n, 2)."""
        pts = np.asarray(pts, float)
        ci = np.floor((pts[:, 0] - self.x0) / self.cell).astype(int)
        cj = np.floor((pts[:, 1] - self.y0) / self.cell).astype(int)
        offs = np.arange(-2, 3)
        di, dj = np.meshgrid(offs, offs, indexing="ij")
        cand_i = np.clip(ci[:, None] + di.ravel()[None, :], 0, self.nx - 1)
        cand_j = np.clip(cj[:, None] + dj.ravel()[None, :], 0, self.ny - 1)
        cand = cand_i * self.ny + cand_j
        d2 = ((self.xy[cand] - pts[:, None, :]) ** 2).sum(axis=2)
        order = np.argsort(d2, axis=1, kind="stable")
        first = cand[np.arange(len(pts)), order[:, 0]]
        # second nearest distinct seed (clipping may duplicate candidates)
        second = np.empty_like(first)
        for k in range(1, order.shape[1]):
            c = cand[np.arange(len(pts)), order[:, k]]
            mask = (k == 1) | (second == first)
            second = np.where(mask, c, second)
        return np.column_stack([first, second])


# --------------------------------------------------------------------------- zoning


def pick_big_features(rng, grid: SeedGrid, n_big: int):
    """Label seed cells that merge into ~n_big large features. Returns (label, features).

    label[seed] = -1 for ordinary cells, else the feature index. Features are rivers and road
    bodies (meandering chains of cells across the map), forests, lakes and green belts (blobs).
    """
    nx, ny = grid.nx, grid.ny
    label = np.full(grid.xy.shape[0], -1, int)
    kinds = (
        [("river", "W")] * round(n_big * 0.22)
        + [("road", "BJ")] * round(n_big * 0.16)
        + [("forest", "HL")] * round(n_big * 0.18)
        + [("cityforest", "RTH-1")] * round(n_big * 0.12)
        + [("lake", "W")] * round(n_big * 0.2)
    )
    kinds += [("greenbelt", "PS")] * max(0, n_big - len(kinds))
    kinds = kinds[:n_big]
    features = []
    taken = np.zeros(grid.xy.shape[0], bool)  # feature cells and their 8-neighbours

    def walk(kind):
        horizontal = rng.random() < 0.5
        length = int(rng.uniform(0.3, 1.0) * (nx if horizontal else ny))
        if kind == "greenbelt":
            length = max(8, length // 3)
        if horizontal:
            i, j = int(rng.integers(0, max(1, nx - length))), int(rng.integers(2, ny - 3))
        else:
            i, j = int(rng.integers(2, nx - 3)), int(rng.integers(0, max(1, ny - length)))
        width = 2 if kind == "river" else 1
        drift = 0.0
        cells = []
        for _ in range(length):
            for w in range(width):
                ii, jj = (i, j + w) if horizontal else (i + w, j)
                if 0 <= ii < nx and 0 <= jj < ny:
                    cells.append(grid.index(ii, jj))
            drift = 0.8 * drift + rng.normal(0, 0.7)
            step = max(-1, min(1, int(round(drift))))
            if horizontal:
                if step:
                    j = min(max(j + step, 1), ny - 3)
                    cells.append(grid.index(i, j))
                i += 1
            else:
                if step:
                    i = min(max(i + step, 1), nx - 3)
                    cells.append(grid.index(i, j))
                j += 1
            if i >= nx or j >= ny:
                break
        return np.array(cells, int)

    def blob(kind):
        radius = {"forest": (4, 9), "cityforest": (2, 4), "lake": (2, 6)}[kind]
        r = rng.uniform(*radius)
        ci, cj = rng.uniform(r, nx - r), rng.uniform(r, ny - r)
        # noisy blob: radius modulated by a few harmonics
        phases = rng.uniform(0, 2 * np.pi, 3)
        amps = rng.uniform(0.05, 0.25, 3)
        idx = np.flatnonzero((np.abs(grid.ii - ci) <= 2 * r) & (np.abs(grid.jj - cj) <= 2 * r))
        dx, dy = grid.ii[idx] + 0.5 - ci, grid.jj[idx] + 0.5 - cj
        ang = np.arctan2(dy, dx)
        rr = r * (1 + sum(a * np.sin((h + 2) * ang + p) for h, (a, p) in enumerate(zip(amps, phases))))
        return idx[np.hypot(dx, dy) <= rr]

    for kind, code in kinds:
        # Retry the placement until the feature neither overlaps nor touches an earlier one, so
        # that each feature stays one polygon; after 40 tries cut the walk at the first conflict.
        is_walk = kind in ("river", "road", "greenbelt")
        best = np.array([], int)
        for attempt in range(40):
            cells = walk(kind) if is_walk else blob(kind)
            free = ~taken[cells]
            if free.all():
                best = np.unique(cells)
                break
            if is_walk:  # keep the longest conflict-free stretch (a tributary ending at a river)
                runs = np.split(cells, np.flatnonzero(~free))
                run = max(runs, key=len)
                run = run[~taken[run]]
                if len(run) > len(best):
                    best = run
        cells = np.unique(best)
        if cells.size < 6:
            continue
        label[cells] = len(features)
        ci, cj = grid.ii[cells], grid.jj[cells]
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                ii, jj = np.clip(ci + di, 0, nx - 1), np.clip(cj + dj, 0, ny - 1)
                taken[grid.index(ii, jj)] = True
        features.append({"kind": kind, "code": code, "n_cells": int(cells.size)})
    return label, features


def make_zoning(rng, n_zones: int, n_big: int):
    """Return (GeoDataFrame zoning, boundary edges (list of LineString), extent box)."""
    # Size the grid so that (cells - cells merged into big features + n_big) ~= n_zones.
    side = math.sqrt(n_zones) * CELL
    nx = max(8, int(round(side / CELL)))
    grid_rng_state = rng.bit_generator.state
    for _ in range(3):
        rng.bit_generator.state = grid_rng_state
        x0, y0 = ORIGIN
        ncell = nx  # square grid
        grid = SeedGrid(rng, ncell + 2, ncell + 2, x0 - CELL, y0 - CELL, CELL)  # 1-cell margin
        label, features = pick_big_features(rng, grid, n_big)
        inner = (grid.ii >= 1) & (grid.ii <= ncell) & (grid.jj >= 1) & (grid.jj <= ncell)
        merged = int((inner & (label >= 0)).sum())
        # cells whose seed lies just outside still leave a clipped piece inside: (ncell + 1)^2
        expected = (ncell + 1) ** 2 - merged + len(features)
        if abs(expected - n_zones) <= max(50, n_zones // 100):
            break
        nx = max(8, int(round(math.sqrt(ncell * ncell + (n_zones - expected)))))
    extent = shapely.box(x0, y0, x0 + ncell * CELL, y0 + ncell * CELL)

    # 1. Voronoi edges of all seeds (margin included), as two-point segments.
    seeds = shapely.multipoints(grid.xy)
    frame = shapely.box(x0 - 3 * CELL, y0 - 3 * CELL, x0 + (ncell + 3) * CELL, y0 + (ncell + 3) * CELL)
    edges = shapely.voronoi_polygons(seeds, extend_to=frame, only_edges=True)
    edges = shapely.get_parts(edges)
    coords = shapely.get_coordinates(edges).reshape(-1, 2, 2)
    # keep edges near the study area only
    mid = coords.mean(axis=1)
    keep = (
        (mid[:, 0] > x0 - 2 * CELL) & (mid[:, 0] < x0 + (ncell + 2) * CELL)
        & (mid[:, 1] > y0 - 2 * CELL) & (mid[:, 1] < y0 + (ncell + 2) * CELL)
    )  # fmt: skip
    coords = coords[keep]
    mid = mid[keep]

    # 2. Which two seeds does each edge separate? (the two nearest seeds of its midpoint)
    pair = grid.two_nearest(mid)
    la, lb = label[pair[:, 0]], label[pair[:, 1]]
    dissolved = (la >= 0) & (la == lb)  # interior edge of a big feature: drop it
    coords, la, lb = coords[~dissolved], la[~dissolved], lb[~dissolved]

    # Fine segment length for edges on a big feature's boundary, chosen per feature so that the
    # feature ends up with 2,000-20,000 vertices.
    seglen = np.hypot(*(coords[:, 1] - coords[:, 0]).T)
    fine = np.full(len(features), np.inf)
    for f in range(len(features)):
        perim = seglen[(la == f) | (lb == f)].sum()
        target = log_uniform(rng, 2_000, 18_000)
        fine[f] = max(1.0, perim / target)

    # 3. Densify and wiggle every edge once; both neighbours will share these vertices.
    lines = []
    rnd = rng.uniform(size=(len(coords), 8))
    inside_a = shapely.contains_xy(extent, coords[:, 0, 0], coords[:, 0, 1])
    inside_b = shapely.contains_xy(extent, coords[:, 1, 0], coords[:, 1, 1])
    for k in range(len(coords)):
        (ax, ay), (bx, by) = coords[k]
        length = seglen[k]
        if length < 1e-6:
            continue
        d = rnd[k, 0] * 24 + 16  # 16-40 m for ordinary edges
        is_fine = False
        for f in (la[k], lb[k]):
            if f >= 0 and fine[f] < d:
                d, is_fine = fine[f], True
        n = max(1, int(math.ceil(length / d)))
        t = np.linspace(0.0, 1.0, n + 1)
        env = np.sin(np.pi * t) ** 2  # flat near the Voronoi vertices: neighbours' edges never cross
        amp = min(0.035 * length, 8.0)
        if not (inside_a[k] and inside_b[k]):
            amp = 0.0  # straight where the edge meets the study-area boundary: no slivers there
        off = amp * (
            0.7 * np.sin(2 * np.pi * (1 + 2 * rnd[k, 1]) * t + 6.3 * rnd[k, 2])
            + 0.3 * np.sin(2 * np.pi * (3 + 4 * rnd[k, 3]) * t + 6.3 * rnd[k, 4])
        )
        if is_fine and n > 8:  # natural boundaries: add high-frequency detail
            off = off + min(0.015 * length, 3.0) * np.sin(2 * np.pi * (10 + 30 * rnd[k, 5]) * t + 6.3 * rnd[k, 6])
        off = off * env
        ux, uy = (bx - ax) / length, (by - ay) / length
        xs = ax + (bx - ax) * t - uy * off
        ys = ay + (by - ay) * t + ux * off
        xs[0], ys[0], xs[-1], ys[-1] = ax, ay, bx, by  # keep the Voronoi vertices exact
        lines.append(np.column_stack([xs, ys]))
    sizes = np.array([len(c) for c in lines])
    wiggled = shapely.linestrings(np.concatenate(lines), indices=np.repeat(np.arange(len(lines)), sizes))

    # 4. Node the linework together with the study-area boundary, polygonize, keep the inside.
    boundary = shapely.segmentize(extent.exterior, 30.0)
    noded = shapely.unary_union(np.concatenate([wiggled, [boundary]]))
    polys = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    rep = shapely.point_on_surface(polys)
    inside = shapely.contains_xy(extent, *shapely.get_coordinates(rep).T)
    polys, rep = polys[inside], rep[inside]

    # 5. Attribute: the seed a polygon contains (or the nearest seed of a representative point).
    tree = shapely.STRtree(polys)
    seed_pts = shapely.points(grid.xy)
    pidx, sidx = tree.query(seed_pts, predicate="within")  # (seed, polygon)
    owner = np.full(len(polys), -1)
    owner[sidx] = pidx
    # Pieces without a seed are cells clipped by the study-area boundary, or (rarely) slivers
    # where two wiggled edges cross near a very acute Voronoi vertex. Merge slivers into the
    # neighbour they share the longest boundary with, so that every zone is a real cell.
    sliver = (owner < 0) & (shapely.area(polys) < 0.02 * CELL * CELL)
    merged_into = {}
    for k in np.flatnonzero(sliver):
        nbrs = tree.query(polys[k], predicate="intersects")
        nbrs = nbrs[(nbrs != k) & ~sliver[nbrs]]
        if nbrs.size == 0:
            continue
        shared = shapely.length(shapely.intersection(polys[nbrs], polys[k]))
        merged_into.setdefault(int(nbrs[np.argmax(shared)]), []).append(k)
    drop = np.zeros(len(polys), bool)
    for target, parts in merged_into.items():
        polys[target] = shapely.coverage_union_all(np.concatenate([[polys[target]], polys[parts]]))
        drop[parts] = True
    polys, rep, owner = polys[~drop], shapely.point_on_surface(polys[~drop]), owner[~drop]
    n_slivers_merged = int(drop.sum())
    missing = owner < 0
    if missing.any():
        owner[missing] = grid.two_nearest(shapely.get_coordinates(rep[missing]))[:, 0]

    # Codes: nearest "district" centre, with noise; big features override.
    n_districts = max(4, grid.xy.shape[0] // 30)
    dxy = np.column_stack(
        [rng.uniform(x0, x0 + ncell * CELL, n_districts), rng.uniform(y0, y0 + ncell * CELL, n_districts)]
    )
    dcode = rng.choice(len(CODES), size=n_districts, p=CODE_WEIGHTS)
    # nearest district for each seed (chunked brute force; districts are few)
    seed_code = np.empty(grid.xy.shape[0], int)
    for s in range(0, grid.xy.shape[0], 4096):
        d2 = ((grid.xy[s : s + 4096, None, :] - dxy[None, :, :]) ** 2).sum(axis=2)
        seed_code[s : s + 4096] = dcode[np.argmin(d2, axis=1)]
    noise = rng.random(grid.xy.shape[0]) < 0.12
    seed_code[noise] = rng.choice(len(CODES), size=int(noise.sum()), p=CODE_WEIGHTS)
    code = np.array(CODES, dtype=object)[seed_code[owner]]
    feat = label[owner]
    kind = np.full(len(polys), "zone", dtype=object)
    for f, info in enumerate(features):
        m = feat == f
        code[m] = info["code"]
        kind[m] = info["kind"]

    n = len(polys)
    zoning = gpd.GeoDataFrame(
        {
            "OBJECTID": np.arange(1, n + 1),
            "KODSZN": code,
            "NAMSZN": [f"Sub-zona {c}" for c in code],
            "JENIS": kind,
            "LUAS_HA": np.round(shapely.area(polys) / 10_000, 4),
        },
        geometry=polys,
        crs=CRS,
    )
    # Stable order (west-east strips, south-north) so the file is independent of GEOS internals.
    cx, cy = shapely.get_coordinates(rep).T
    order = np.lexsort((cy, np.floor((cx - x0) / 2000)))
    zoning = zoning.iloc[order].reset_index(drop=True)
    zoning["OBJECTID"] = np.arange(1, n + 1)
    features.append({"kind": "_small_pieces_merged", "n": n_slivers_merged})
    return zoning, wiggled, extent, features


# --------------------------------------------------------------------------- hand-digitized zoning

# Parameters of the hand-digitized variant (--digitized). Counts are fractions of the number of
# zone polygons, with a small floor so that the small workload gets a few of each.
DIGITIZE = {
    "jitter_sd_m": 0.15,  # per axis, independently for every polygon's copy of every vertex
    "jitter_cap_m": 0.5,  # displacement length capped at this
    "overlay_frac": 0.01,  # overlay zones (RTH-4..7, KPI) of 0.5-5 ha drawn over existing zones
    "overlay_ha": (0.5, 5.0),
    "duplicate_frac": 0.001,  # same-code duplicates, the copy shifted by 0.1-1 m
    "duplicate_shift_m": (0.1, 1.0),
    "invalid_frac": 0.0005,  # rings made invalid on purpose: half bow-ties, half self-touching
    "sliver_frac": 0.002,  # thin polygons (0.1-1 m wide, 4-12 boundary vertices long) along borders
    "sliver_width_m": (0.1, 1.0),
}
OVERLAY_CODES = ["RTH-4", "RTH-5", "RTH-6", "RTH-7", "KPI"]
OVERLAY_WEIGHTS = np.array([3, 3, 2, 2, 4], float) / 14


def _jitter_polygon(rng, geom, sd, cap):
    """The polygon with every vertex moved on its own (ring closure kept)."""
    parts = []
    for part in shapely.get_parts(geom):
        rings = []
        for ring in [part.exterior, *part.interiors]:
            xy = shapely.get_coordinates(ring)
            d = rng.normal(0.0, sd, size=xy.shape)
            norm = np.hypot(d[:, 0], d[:, 1])
            d *= np.minimum(1.0, cap / np.maximum(norm, 1e-12))[:, None]
            xy = xy + d
            xy[-1] = xy[0]
            rings.append(xy)
        parts.append(shapely.Polygon(rings[0], rings[1:]))
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _star(rng, cx, cy, area, nv):
    r = math.sqrt(area / math.pi)
    ang = np.sort(rng.uniform(0, 2 * np.pi, nv))
    rad = r * rng.uniform(0.75, 1.2, nv)
    return shapely.Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))


def _bowtie(rng, geom):
    """Swap two consecutive vertices of the exterior ring (a click-order slip): a small bow-tie."""
    xy = shapely.get_coordinates(geom.exterior)[:-1]
    for _ in range(20):
        k = int(rng.integers(1, len(xy) - 2))
        ring = xy.copy()
        ring[[k, k + 1]] = ring[[k + 1, k]]
        cand = shapely.Polygon(ring)
        if shapely.is_valid_reason(cand).startswith("Self-intersection"):
            return shapely.Polygon(ring, [h.coords for h in geom.interiors])
    return None


def _self_touching(rng, geom):
    """An 'inverted ring': the shell visits vertex A, loops around a small triangle inside the
    polygon and comes back to A (ESRI-style hole; OGC: ring self-intersection)."""
    xy = shapely.get_coordinates(geom.exterior)[:-1]
    rep = np.array(shapely.get_coordinates(shapely.point_on_surface(geom))[0])
    for _ in range(20):
        k = int(rng.integers(1, len(xy) - 1))
        a = xy[k]
        v = rep - a
        if np.hypot(*v) < 5:
            continue
        rot = lambda w, t: np.array([w[0] * math.cos(t) - w[1] * math.sin(t), w[0] * math.sin(t) + w[1] * math.cos(t)])
        tri = np.array([a + 0.3 * rot(v, 0.35), a + 0.6 * v, a + 0.3 * rot(v, -0.35)])
        if not shapely.contains(geom, shapely.Polygon(np.vstack([a, tri]))):
            continue
        ring = np.vstack([xy[: k + 1], tri, xy[k:]])
        cand = shapely.Polygon(ring, [h.coords for h in geom.interiors])
        if shapely.is_valid_reason(cand).startswith("Ring Self-intersection"):
            return cand
    return None


def _sliver(rng, geom, width):
    """A thin polygon along a stretch of 4-12 consecutive boundary vertices of geom."""
    xy = shapely.get_coordinates(geom.exterior)[:-1]
    if len(xy) < 8:
        return None
    n = int(rng.integers(4, min(12, len(xy) - 2) + 1))
    k = int(rng.integers(0, len(xy) - n))
    line = shapely.LineString(xy[k : k + n])
    side = rng.choice([-1.0, 0.0, 1.0])  # along one side of the border, or straddling it
    if side == 0.0:
        return shapely.buffer(line, width / 2, cap_style="flat", join_style="mitre")
    return shapely.buffer(line, side * width, cap_style="flat", join_style="mitre", single_sided=True)


def digitize_zoning(zoning: gpd.GeoDataFrame, extent, seed: int, params=None):
    """The hand-digitized variant of a noded coverage. Returns (GeoDataFrame, counts).

    Drawn from its own random stream (``default_rng([seed, 1])``), so the programs generated
    from the main stream are identical to the noded workload's.
    """
    p = {**DIGITIZE, **(params or {})}
    rng = np.random.default_rng([seed, 1])
    n = len(zoning)
    geoms = np.asarray(zoning.geometry.values, dtype=object)
    codes = zoning["KODSZN"].to_numpy(dtype=object)
    kinds = zoning["JENIS"].to_numpy(dtype=object)

    # 1. every polygon digitized on its own: independent noise on its copy of each shared vertex
    jittered = np.array([_jitter_polygon(rng, g, p["jitter_sd_m"], p["jitter_cap_m"]) for g in geoms], dtype=object)
    invalid_from_jitter = int((~shapely.is_valid(jittered)).sum())
    ordinary = np.flatnonzero((kinds == "zone") & (shapely.get_type_id(jittered) == 3))
    extra_geoms, extra_codes, extra_kinds = [], [], []

    # 2. rings made invalid on purpose (replace existing polygons)
    n_inv = max(4, int(round(p["invalid_frac"] * n)))
    made = {"bowtie": 0, "self_touching": 0}
    for i in rng.choice(ordinary, size=n_inv * 3, replace=False):
        kind = "bowtie" if made["bowtie"] <= made["self_touching"] else "self_touching"
        if sum(made.values()) >= n_inv:
            break
        if not shapely.is_valid(jittered[i]):
            continue
        g = _bowtie(rng, jittered[i]) if kind == "bowtie" else _self_touching(rng, jittered[i])
        if g is not None:
            jittered[i] = g
            kinds[i] = f"invalid_{kind}"
            made[kind] += 1

    # 3. overlay zones drawn over existing ones
    x0, y0, x1, y1 = extent.bounds
    n_ov = max(3, int(round(p["overlay_frac"] * n)))
    lo, hi = p["overlay_ha"]
    for _ in range(n_ov):
        area = log_uniform(rng, lo * 1e4, hi * 1e4)
        r = math.sqrt(area / math.pi)
        cx, cy = rng.uniform(x0 + 2 * r, x1 - 2 * r), rng.uniform(y0 + 2 * r, y1 - 2 * r)
        g = _star(rng, cx, cy, area, int(rng.integers(12, 41)))
        extra_geoms.append(g)
        extra_codes.append(OVERLAY_CODES[rng.choice(len(OVERLAY_CODES), p=OVERLAY_WEIGHTS)])
        extra_kinds.append("overlay")

    # 4. same-code duplicates: a polygon drawn twice, the copy shifted by 0.1-1 m
    n_dup = max(3, int(round(p["duplicate_frac"] * n)))
    for i in rng.choice(ordinary, size=n_dup, replace=False):
        d = rng.uniform(*p["duplicate_shift_m"])
        t = rng.uniform(0, 2 * np.pi)
        extra_geoms.append(shapely.transform(jittered[i], lambda c, dx=d * math.cos(t), dy=d * math.sin(t): c + [dx, dy]))
        extra_codes.append(codes[i])
        extra_kinds.append("duplicate")

    # 5. slivers along borders, half with the polygon's own code, half with another code
    n_sl = max(5, int(round(p["sliver_frac"] * n)))
    made_sl = 0
    for i in rng.choice(ordinary, size=n_sl * 2, replace=False):
        if made_sl >= n_sl:
            break
        if not shapely.is_valid(jittered[i]):
            continue
        g = _sliver(rng, jittered[i], rng.uniform(*p["sliver_width_m"]))
        if g is None or g.is_empty or not g.is_valid:
            continue
        extra_geoms.append(g)
        extra_codes.append(codes[i] if rng.random() < 0.5 else CODES[rng.choice(len(CODES), p=CODE_WEIGHTS)])
        extra_kinds.append("sliver")
        made_sl += 1

    # 6. assemble; the extra polygons are interleaved at random positions, as in a real file
    all_geoms = np.concatenate([jittered, np.array(extra_geoms, dtype=object)])
    all_codes = np.concatenate([codes, np.array(extra_codes, dtype=object)])
    all_kinds = np.concatenate([kinds, np.array(extra_kinds, dtype=object)])
    key = np.concatenate([np.arange(n, dtype=float), rng.uniform(0, n, len(extra_geoms))])
    order = np.argsort(key, kind="stable")
    all_geoms, all_codes, all_kinds = all_geoms[order], all_codes[order], all_kinds[order]
    m = len(all_geoms)
    out = gpd.GeoDataFrame(
        {
            "OBJECTID": np.arange(1, m + 1),
            "KODSZN": all_codes,
            "NAMSZN": [f"Sub-zona {c}" for c in all_codes],
            "JENIS": all_kinds,
            "LUAS_HA": np.round(shapely.area(all_geoms) / 10_000, 4),
        },
        geometry=all_geoms,
        crs=zoning.crs,
    )
    counts = {
        "polygons": int(m),
        "from_coverage": int(n),
        "overlays": int(n_ov),
        "duplicates": int(n_dup),
        "slivers": int(made_sl),
        "invalid_bowtie": made["bowtie"],
        "invalid_self_touching": made["self_touching"],
        "invalid_from_jitter": invalid_from_jitter,
        "params": {k: v for k, v in p.items()},
    }
    return out, counts


def zoning_topology_stats(geoms, codes, extent, quick=False, kinds=None) -> dict:
    """How far from a clean coverage a zoning layer is (what the benchmark reports)."""
    t0 = time.perf_counter()
    geoms = np.asarray(geoms, dtype=object)
    valid = shapely.is_valid(geoms)
    reasons = pd.Series([shapely.is_valid_reason(g).split("[")[0] for g in geoms[~valid]], dtype=object)
    fixed = geoms.copy()
    fixed[~valid] = shapely.make_valid(geoms[~valid], method="linework")
    out = {
        "polygons": int(len(geoms)),
        "invalid": int((~valid).sum()),
        "invalid_reasons": reasons.value_counts().to_dict(),
    }
    try:
        out["coverage_is_valid"] = bool(shapely.coverage_is_valid(fixed))
    except Exception as exc:  # noqa: BLE001
        out["coverage_is_valid"] = f"error: {exc}"
    tree = shapely.STRtree(fixed)
    a, b = tree.query(fixed, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    inter = shapely.relate_pattern(fixed[a], fixed[b], "T********")
    same = codes[a] == codes[b]
    out["neighbour_pairs"] = int(len(a))
    out["pairs_interiors_intersect"] = int(inter.sum())
    out["pairs_interiors_intersect_same_code"] = int((inter & same).sum())
    out["pairs_interiors_intersect_other_code"] = int((inter & ~same).sum())
    out["polygons_overlapping_a_neighbour"] = int(len(np.unique(np.concatenate([a[inter], b[inter]]))))
    if not quick:
        ov = shapely.area(shapely.intersection(fixed[a[inter]], fixed[b[inter]]))
        out["overlap_area_m2"] = {
            "total": round(float(ov.sum()), 1),
            "median": round(float(np.median(ov)), 3) if len(ov) else 0.0,
            "pairs_under_1m2": int((ov < 1.0).sum()),
        }
        if kinds is not None:  # micro-overlaps: both polygons come from the coverage (not overlay/duplicate/sliver)
            kinds = np.asarray(kinds, dtype=object)
            extra = np.isin(kinds, ["overlay", "duplicate", "sliver"])
            cov = ~extra[a[inter]] & ~extra[b[inter]]
            out["overlap_area_m2"].update(
                coverage_pairs=int(cov.sum()),
                coverage_pairs_total=round(float(ov[cov].sum()), 1),
                coverage_pairs_median=round(float(np.median(ov[cov])), 3) if cov.any() else 0.0,
                coverage_pairs_p95=round(float(np.percentile(ov[cov], 95)), 3) if cov.any() else 0.0,
            )
        try:
            union = shapely.union_all(fixed)
            holes = shapely.difference(extent, union)
            parts = shapely.get_parts(holes)
            gap_area = shapely.area(parts)
            out["gaps"] = {
                "parts": int(len(parts)),
                "area_m2": round(float(gap_area.sum()), 1),
                "parts_under_1m2": int((gap_area < 1.0).sum()),
            }
            out["union_area_km2"] = round(float(shapely.area(union)) / 1e6, 4)
        except Exception as exc:  # noqa: BLE001
            out["gaps"] = f"error: {exc}"
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


# --------------------------------------------------------------------------- programs


def random_walk(rng, start, length, n_vertices, wiggle):
    """A smooth polyline of the given length with n_vertices, starting at start."""
    n_seg = n_vertices - 1
    step = length / n_seg
    heading = rng.uniform(0, 2 * np.pi)
    turn = np.cumsum(rng.normal(0, wiggle, n_seg))
    turn = np.convolve(turn, np.ones(3) / 3, mode="same")
    ang = heading + turn
    xy = np.empty((n_vertices, 2))
    xy[0] = start
    xy[1:, 0] = start[0] + np.cumsum(step * np.cos(ang))
    xy[1:, 1] = start[1] + np.cumsum(step * np.sin(ang))
    return xy


def boundary_walks(rng, edges, n_lines, lengths):
    """Lines digitised along zone boundaries: walks over the shared-edge graph."""
    ends = np.round(
        np.concatenate([shapely.get_coordinates(shapely.get_point(edges, 0)),
                        shapely.get_coordinates(shapely.get_point(edges, -1))]), 6,
    )  # fmt: skip
    m = len(edges)
    _, node = np.unique(ends, axis=0, return_inverse=True)
    node = node.ravel()
    a, b = node[:m], node[m:]
    adj: dict[int, list[tuple[int, int]]] = {}
    for k in range(m):
        adj.setdefault(int(a[k]), []).append((k, int(b[k])))
        adj.setdefault(int(b[k]), []).append((k, int(a[k])))
    elen = shapely.length(edges)
    out = []
    for i in range(n_lines):
        k0 = int(rng.integers(m))
        cur, prev_edge = int(b[k0]), k0
        parts = [shapely.get_coordinates(edges[k0])]
        total = elen[k0]
        nv = len(parts[0])
        while total < lengths[i] and nv < 200:
            choices = [(k, nb) for k, nb in adj.get(cur, []) if k != prev_edge]
            if not choices:
                break
            k, nb = choices[int(rng.integers(len(choices)))]
            c = shapely.get_coordinates(edges[k])
            if int(a[k]) != cur:
                c = c[::-1]
            parts.append(c[1 : 1 + 200 - nv])
            nv += len(parts[-1])
            total += elen[k]
            cur, prev_edge = nb, k
        out.append(np.concatenate(parts)[:200])
    return out


def make_programs(rng, n_programs, extent, zoning, edges, line_length_factor=1.0):
    x0, y0, x1, y1 = extent.bounds
    w, h = x1 - x0, y1 - y0
    pad = 0.02
    n_pt = int(round(n_programs * 0.6))
    n_ln = int(round(n_programs * 0.3))
    n_pg = n_programs - n_pt - n_ln
    geoms = []
    fam = []

    # Points: uniform, 1 % snapped onto zone vertices (shared by 2-3 polygons), 0.5 % multi-part.
    px = rng.uniform(x0 - pad * w, x1 + pad * w, n_pt)
    py = rng.uniform(y0 - pad * h, y1 + pad * h, n_pt)
    pts = list(shapely.points(px, py))
    n_snap = n_pt // 100
    # one vertex of each of n_snap random zone polygons
    zcoords = shapely.get_coordinates(
        shapely.get_exterior_ring(zoning.geometry.values[rng.integers(0, len(zoning), n_snap)])
    )
    sel = rng.integers(0, len(zcoords), n_snap)
    for k in range(n_snap):
        pts[k] = shapely.Point(zcoords[sel[k]])
    n_multi = n_pt // 200
    for k in range(n_snap, n_snap + n_multi):
        c = np.column_stack([px[k] + rng.normal(0, 150, 3), py[k] + rng.normal(0, 150, 3)])
        pts[k] = shapely.multipoints(c)
    geoms += pts
    fam += ["point"] * n_pt

    # Lines: roads and drains. 10 % follow zone boundaries, the rest are smooth random walks.
    lengths = log_uniform(rng, 200, 8_000, n_ln) * line_length_factor
    n_bnd = n_ln // 10
    bnd = boundary_walks(rng, edges, n_bnd, lengths[:n_bnd])
    lines = [shapely.LineString(c) for c in bnd]
    for k in range(n_bnd, n_ln):
        L = lengths[k]
        spacing = rng.uniform(15, 250)
        nv = int(np.clip(round(L / spacing), 5, 200))
        start = np.array([rng.uniform(x0 - pad * w, x1 + pad * w), rng.uniform(y0 - pad * h, y1 + pad * h)])
        xy = random_walk(rng, start, L, nv, wiggle=rng.uniform(0.01, 0.12))
        if rng.random() < 0.04:  # multi-part: the walk split into two pieces
            cut = nv // 2
            if cut >= 2 and nv - cut >= 2:
                lines.append(shapely.MultiLineString([xy[:cut], xy[cut:]]))
                continue
        lines.append(shapely.LineString(xy))
    geoms += lines
    fam += ["line"] * n_ln

    # Polygons: 0.1-20 ha irregular star-shaped blobs, 2 % multi-part, 1 % invalid bow-ties.
    areas = log_uniform(rng, 1_000, 200_000, n_pg)
    polys = []
    for k in range(n_pg):
        r = math.sqrt(areas[k] / math.pi)
        cx, cy = rng.uniform(x0 - pad * w, x1 + pad * w), rng.uniform(y0 - pad * h, y1 + pad * h)
        nv = int(rng.integers(5, 40))
        ang = np.sort(rng.uniform(0, 2 * np.pi, nv))
        rad = r * rng.uniform(0.8, 1.2, nv)
        ring = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
        u = rng.random()
        if u < 0.01:  # bow-tie (self-intersecting): swap two vertices
            ring = np.array([[cx - r, cy - r], [cx + r, cy + r], [cx + r, cy - r], [cx - r, cy + r]])
            polys.append(shapely.Polygon(ring))
        elif u < 0.03:
            ring = np.column_stack([cx, cy]) + (ring - [cx, cy]) / math.sqrt(2)  # two parts, same total area
            other = ring + np.array([2.5 * r, 0.5 * r])
            polys.append(shapely.MultiPolygon([shapely.Polygon(ring), shapely.Polygon(other)]))
        else:
            polys.append(shapely.Polygon(ring))
    geoms += polys
    fam += ["polygon"] * n_pg

    geoms = np.array(geoms, dtype=object)
    fam = np.array(fam, dtype=object)
    # A few rows without geometry (0.04 %).
    n_null = max(1, n_programs // 2500)
    null_idx = rng.choice(n_programs, n_null, replace=False)
    geoms[null_idx] = None

    # Attributes. Activity depends on the geometry family.
    kegiatan = np.empty(n_programs, dtype=object)
    for family in ("point", "line", "polygon"):
        acts = [a for a in ACTIVITIES if a[2] == family]
        p = np.array([a[3] for a in acts], float)
        m = fam == family
        kegiatan[m] = np.array([a[0] for a in acts], dtype=object)[rng.choice(len(acts), int(m.sum()), p=p / p.sum())]
    opd = np.array(OPDS, dtype=object)[rng.integers(0, len(OPDS), n_programs)]
    order = rng.permutation(n_programs)  # mix the families like a real OPD submission
    gdf = gpd.GeoDataFrame(
        {
            "program_id": [f"P{k + 1:06d}" for k in range(n_programs)],
            "kegiatan": kegiatan[order],
            "opd": opd,
            "tahun": rng.integers(2025, 2030, n_programs),
            "pagu": np.round(log_uniform(rng, 5e7, 5e10, n_programs), -3),
        },
        geometry=gpd.GeoSeries(geoms[order], crs=CRS),
        crs=CRS,
    )
    return gdf


# --------------------------------------------------------------------------- rules


def make_rules(rng) -> pd.DataFrame:
    protected = {"HL", "W", "PS", "RTH-1", "RTH-2", "RTH-3"}
    rows = []
    for act, cat, family, _ in ACTIVITIES:
        if act == MISSING_ACTIVITY:
            continue
        row = {"category": cat, "activity": act}
        for c in CODES:
            if c in protected:
                p = [0.05, 0.15, 0.15, 0.65]
            elif family == "line" or act == "Penerangan jalan umum":  # networks are allowed almost anywhere
                p = [0.55, 0.3, 0.1, 0.05]
            else:
                p = [0.35, 0.3, 0.15, 0.2]
            cls = "ITBX"[rng.choice(4, p=p)]
            u = rng.random()
            if u < 0.03:
                cell = ""  # no rule
            elif cls in "TB" and u < 0.35:
                n = int(rng.integers(1, 4))
                cell = cls + str(n)
                if u < 0.12:
                    cell = f"T{n},B{int(rng.integers(1, 4))}"
            else:
                cell = cls
            row[c] = cell
        rows.append(row)
    return pd.DataFrame(rows, columns=["category", "activity", *CODES])


# --------------------------------------------------------------------------- main


def generate(out_dir: Path, n_zones: int, n_programs: int, n_big: int, seed: int, line_length_factor: float,
             quiet: bool = False, digitized: bool = False, topology_stats: bool = True, rules_from: Path | None = None,
             write_crs: str | None = None) -> dict:
    t_all = time.perf_counter()
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if quiet else print

    t = time.perf_counter()
    zoning, edges, extent, features = make_zoning(rng, n_zones, n_big)
    t_zoning = time.perf_counter() - t
    say(f"zoning: {len(zoning):,} polygons in {t_zoning:.1f} s")

    t = time.perf_counter()
    programs = make_programs(rng, n_programs, extent, zoning, edges, line_length_factor)
    rules = make_rules(rng)  # drawn after the programs: another program count gives other rules ...
    if rules_from is not None:  # ... so a scaling run takes the rules of the reference workload
        rules = pd.read_csv(rules_from, dtype=str, keep_default_na=False)
    t_programs = time.perf_counter() - t
    say(f"programs: {len(programs):,} features in {t_programs:.1f} s")

    digi = None
    if digitized:  # programs and rules above come from the noded coverage, exactly as without --digitized
        t = time.perf_counter()
        noded = zoning
        zoning, counts = digitize_zoning(noded, extent, seed)
        t_digi = time.perf_counter() - t
        digi = {"made": counts, "seconds": round(t_digi, 2)}
        if topology_stats:
            say(f"digitized: {len(zoning):,} polygons in {t_digi:.1f} s; measuring how non-noded they are ...")
            digi["topology"] = zoning_topology_stats(zoning.geometry.values, zoning["KODSZN"].to_numpy(dtype=object), extent,
                                                     kinds=zoning["JENIS"].to_numpy(dtype=object))
            digi["topology_noded"] = zoning_topology_stats(
                noded.geometry.values, noded["KODSZN"].to_numpy(dtype=object), extent, quick=True
            )

    t = time.perf_counter()
    zpath, ppath, rpath = out_dir / "zoning.gpkg", out_dir / "programs.gpkg", out_dir / "itbx.csv"
    for p in (zpath, ppath):
        if p.exists():
            p.unlink()
    # --write-crs: the same features written in another CRS (the workload is an EPSG:4326 GeoPackage);
    # everything is generated, and the statistics below measured, in CRS
    zoning.to_crs(write_crs or CRS).to_file(zpath, layer="zoning", driver="GPKG", engine="pyogrio")
    programs.to_crs(write_crs or CRS).to_file(ppath, layer="programs", driver="GPKG", engine="pyogrio", geometry_type="Unknown")
    rules.to_csv(rpath, index=False)
    t_write = time.perf_counter() - t

    # ---- statistics
    zv = vertex_counts(zoning.geometry.values)
    big = np.isin(zoning["JENIS"].values, [f["kind"] for f in features[:-1]])
    g = programs.geometry.values
    gt = shapely.get_type_id(g)
    is_pt = np.isin(gt, [0, 4])
    is_ln = np.isin(gt, [1, 5])
    is_pg = np.isin(gt, [3, 6])
    valid = shapely.is_valid(zoning.geometry.values)
    union_area = float(shapely.area(zoning.geometry.values).sum())
    # Zones crossed per line (on the union of polygons, i.e. the cost driver for overlays).
    tree = shapely.STRtree(zoning.geometry.values)
    li, zi = tree.query(g[is_ln], predicate="intersects")
    crossed = np.bincount(li, minlength=int(is_ln.sum()))
    pli, _ = tree.query(g[is_pg], predicate="intersects")
    crossed_pg = np.bincount(pli, minlength=int(is_pg.sum()))
    stats = {
        "seed": seed,
        "crs": CRS,
        "written_crs": write_crs or CRS,
        "extent_km": [round((extent.bounds[2] - extent.bounds[0]) / 1000, 2), round((extent.bounds[3] - extent.bounds[1]) / 1000, 2)],
        "zones": {
            "count": int(len(zoning)),
            "big_polygons": int(big.sum()),
            "codes": int(zoning["KODSZN"].nunique()),
            "all_valid": bool(valid.all()),
            "area_km2": round(union_area / 1e6, 3),
            "extent_area_km2": round(extent.area / 1e6, 3),
            "vertices_all": vstats(zv),
            "vertices_ordinary": vstats(zv[~big]),
            "vertices_big": vstats(zv[big]),
            "big_kinds": pd.Series([f["kind"] for f in features[:-1]]).value_counts().to_dict(),
            "small_pieces_merged": features[-1]["n"],
            "smallest_m2": round(float(shapely.area(zoning.geometry.values).min()), 3),
        },
        "programs": {
            "count": int(len(programs)),
            "points": int(is_pt.sum()),
            "lines": int(is_ln.sum()),
            "polygons": int(is_pg.sum()),
            "null_geometry": int(programs.geometry.isna().sum()),
            "multi_part": int(np.isin(gt, [4, 5, 6]).sum()),
            "invalid": int((~shapely.is_valid(g[is_pg])).sum()),
            "line_length_factor": line_length_factor,
            "line_length_m": {
                "median": round(float(np.median(shapely.length(g[is_ln]))), 1),
                "mean": round(float(np.mean(shapely.length(g[is_ln]))), 1),
                "max": round(float(np.max(shapely.length(g[is_ln]))), 1),
                "total_km": round(float(np.sum(shapely.length(g[is_ln]))) / 1000, 1),
            },
            "line_vertices": vstats(vertex_counts(g[is_ln])),
            "line_zones_crossed": {
                "median": float(np.median(crossed)),
                "mean": round(float(crossed.mean()), 1),
                "p95": float(np.percentile(crossed, 95)),
                "max": int(crossed.max()),
                "pairs": int(crossed.sum()),
            },
            "polygon_area_ha": {
                "median": round(float(np.median(shapely.area(g[is_pg]))) / 1e4, 2),
                "max": round(float(np.max(shapely.area(g[is_pg]))) / 1e4, 2),
            },
            "polygon_zones_crossed": {"mean": round(float(crossed_pg.mean()), 1), "pairs": int(crossed_pg.sum())},
            "activities": int(programs["kegiatan"].nunique()),
        },
        "rules": {"activities": int(len(rules)), "codes": len(CODES)},
        "digitized": digi,
        "files": {"zoning": str(zpath), "programs": str(ppath), "rules": str(rpath)},
        "seconds": {
            "zoning": round(t_zoning, 2),
            "programs": round(t_programs, 2),
            "write": round(t_write, 2),
            "total": round(time.perf_counter() - t_all, 2),
        },
    }
    (out_dir / "workload.json").write_text(json.dumps(stats, indent=2))
    if not quiet:
        z, p = stats["zones"], stats["programs"]
        print()
        print(f"extent            {stats['extent_km'][0]} x {stats['extent_km'][1]} km ({CRS})")
        print(f"zones             {z['count']:,} ({z['big_polygons']} big, {z['codes']} codes, all valid: {z['all_valid']}, "
              f"covered {z['area_km2']} of {z['extent_area_km2']} km2)")
        for key in ("vertices_ordinary", "vertices_big", "vertices_all"):
            v = z[key]
            print(f"  {key:<18} median {v['median']:.0f}  mean {v['mean']}  p95 {v['p95']:.0f}  "
                  f"min {v['min']}  max {v['max']:,}  total {v['total']:,}")
        print(f"programs          {p['count']:,}: {p['points']:,} points, {p['lines']:,} lines, {p['polygons']:,} polygons, "
              f"{p['null_geometry']} null, {p['multi_part']} multi-part, {p['invalid']} invalid")
        ll, lv, lc = p["line_length_m"], p["line_vertices"], p["line_zones_crossed"]
        print(f"  lines           length median {ll['median']:.0f} m, mean {ll['mean']:.0f} m, max {ll['max']:.0f} m, "
              f"total {ll['total_km']:,} km; vertices median {lv['median']:.0f}, max {lv['max']}")
        print(f"  zones per line  median {lc['median']:.0f}, mean {lc['mean']}, p95 {lc['p95']:.0f}, max {lc['max']}, "
              f"{lc['pairs']:,} (line, zone) pairs")
        print(f"  polygons        area median {p['polygon_area_ha']['median']} ha, max {p['polygon_area_ha']['max']} ha; "
              f"{p['polygon_zones_crossed']['pairs']:,} (polygon, zone) pairs")
        print(f"rules             {stats['rules']['activities']} activities x {stats['rules']['codes']} codes "
              f"('{MISSING_ACTIVITY}' deliberately absent)")
        if digi and "topology" in digi:
            print_digitized(digi)
        s = stats["seconds"]
        print(f"generation time   {s['total']:.1f} s (zoning {s['zoning']:.1f}, programs {s['programs']:.1f}, "
              f"write {s['write']:.1f})")
        print(f"written to        {out_dir}")
    return stats


def print_digitized(digi: dict) -> None:
    m, t, t0 = digi["made"], digi["topology"], digi["topology_noded"]
    print(f"hand-digitized    {t['polygons']:,} polygons = {m['from_coverage']:,} from the coverage, each jittered on its own "
          f"(sd {m['params']['jitter_sd_m']} m, cap {m['params']['jitter_cap_m']} m) + {m['overlays']} overlays "
          f"+ {m['duplicates']} duplicates + {m['slivers']} slivers; invalid rings made: {m['invalid_bowtie']} bow-ties, "
          f"{m['invalid_self_touching']} self-touching; invalid after jitter alone: {m['invalid_from_jitter']}")
    print(f"  invalid         {t['invalid']} polygons: {t['invalid_reasons']}")
    print(f"  coverage_is_valid {t['coverage_is_valid']} (noded coverage: {t0['coverage_is_valid']})")
    print(f"  neighbours      {t['neighbour_pairs']:,} intersecting pairs, of which {t['pairs_interiors_intersect']:,} have "
          f"intersecting interiors ({t['pairs_interiors_intersect_same_code']:,} same code, "
          f"{t['pairs_interiors_intersect_other_code']:,} different codes); "
          f"{t['polygons_overlapping_a_neighbour']:,} polygons overlap a neighbour "
          f"(noded coverage: {t0['pairs_interiors_intersect']} of {t0['neighbour_pairs']:,} pairs)")
    if isinstance(t.get("overlap_area_m2"), dict):
        o = t["overlap_area_m2"]
        print(f"  overlaps        {o['total']:,.1f} m2 in all, median {o['median']} m2 per pair, "
              f"{o['pairs_under_1m2']:,} pairs under 1 m2")
        if "coverage_pairs" in o:
            print(f"  micro-overlaps  between two polygons from the coverage: {o['coverage_pairs']:,} pairs, "
                  f"{o['coverage_pairs_total']:,.1f} m2, median {o['coverage_pairs_median']} m2, p95 {o['coverage_pairs_p95']} m2")
    g = t.get("gaps")
    if isinstance(g, dict):
        print(f"  gaps            {g['parts']:,} gap polygons, {g['area_m2']:,.1f} m2 in all, {g['parts_under_1m2']:,} under 1 m2")
    elif g:
        print(f"  gaps            {g}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zones", type=int, default=20_000, help="approximate number of zone polygons (default 20000)")
    ap.add_argument("--programs", type=int, default=50_000, help="number of programs (default 50000)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply --zones, --programs and --big-polygons (e.g. 0.1 for a quick run)")
    ap.add_argument("--big-polygons", type=int, default=50, help="very large zone polygons (default 50)")
    ap.add_argument("--line-length-factor", type=float, default=1.0,
                    help="multiply the line programs' lengths (0.2-8 km at 1.0)")
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--out-dir", type=Path, default=None,
                    help="default benchmarks/_work (benchmarks/_work/digitized with --digitized)")
    ap.add_argument("--digitized", action="store_true",
                    help="hand-digitized zoning: every polygon jittered on its own, plus overlays, duplicates, "
                         "invalid rings and slivers (programs and rules as without it)")
    ap.add_argument("--rules-from", type=Path,
                    help="copy this itbx.csv instead of drawing the rules (which depend on the program count)")
    ap.add_argument("--write-crs", default=None, metavar="CRS",
                    help=f"write both layers reprojected to this CRS, e.g. EPSG:4326 as agencies deliver them "
                         f"(generated and measured in {CRS} all the same; default {CRS})")
    ap.add_argument("--no-topology-stats", action="store_true",
                    help="with --digitized: skip measuring overlaps and gaps (about a minute at full scale)")
    a = ap.parse_args(argv)
    if a.out_dir is None:
        a.out_dir = DEFAULT_OUT / "digitized" if a.digitized else DEFAULT_OUT
    n_zones = max(50, int(round(a.zones * a.scale)))
    n_programs = max(20, int(round(a.programs * a.scale)))
    n_big = max(3, int(round(a.big_polygons * min(1.0, a.scale))))
    generate(a.out_dir, n_zones, n_programs, n_big, a.seed, a.line_length_factor, digitized=a.digitized,
             topology_stats=not a.no_topology_stats, rules_from=a.rules_from, write_crs=a.write_crs)


if __name__ == "__main__":
    main()
