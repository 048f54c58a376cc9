"""Data-quality findings: one ``Finding`` type, and the checks that produce them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.engine import overlapping_pairs, robust_overlay, robust_union_rows
from sppr_gis.text import angka

__all__ = ["Finding", "Topology", "findings_frame", "repair_geometries", "duplicate_ids", "zoning_topology", "attach_geometry", "ISSUE_COLUMNS"]

Severity = Literal["error", "warning", "info"]
ISSUE_COLUMNS = ["layer", "feature_id", "severity", "code", "message"]


@dataclass(frozen=True)
class Finding:
    """One data-quality finding, as written to the ``issues`` layer.

    Attributes
    ----------
    layer : str
        The input (file and layer) it concerns.
    feature_id : str
        The feature's id (or spreadsheet row); empty for layer-wide findings.
    severity : {"error", "warning", "info"}
    code : str
        Stable machine-readable code (e.g. ``geometri_tidak_valid``).
    message : str
        Indonesian explanation for the analyst.
    geometry : shapely geometry, optional
        Where it is, in the output CRS: the overlap or gap polygon, the repaired
        feature, the program. Filled in by :func:`attach_geometry` when the
        finding names a feature.
    """

    layer: str
    feature_id: str
    severity: Severity
    code: str
    message: str
    geometry: object = field(default=None, compare=False)


def findings_frame(findings: Iterable[Finding], crs: object = None) -> gpd.GeoDataFrame:
    """The ``issues`` layer: one row per finding, columns as in the contract, and its geometry.

    Parameters
    ----------
    findings : iterable of Finding
    crs : optional
        CRS of the findings' geometries (the output CRS).
    """
    findings = list(findings)
    rows = [[f.layer, f.feature_id, f.severity, f.code, f.message] for f in findings]
    table = pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype(str)
    geoms = np.empty(len(findings), dtype=object)
    geoms[:] = [f.geometry for f in findings]
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=crs).values, crs=crs)


def attach_geometry(findings: Sequence[Finding], layer: str, ids: Sequence[object], geoms: np.ndarray) -> list[Finding]:
    """Give findings about features of ``layer`` that have no geometry yet the feature's geometry.

    Parameters
    ----------
    findings : sequence of Finding
    layer : str
        The layer label the findings use.
    ids : sequence
        Feature ids as the findings name them (``feature_id``).
    geoms : array of geometries
        The features' geometries (output CRS), aligned with ``ids``.

    Returns
    -------
    list of Finding
    """
    where: dict[str, int] = {}
    for i, fid in enumerate(ids):
        where.setdefault(str(fid), i)
    out = []
    for f in findings:
        if f.geometry is None and f.layer == layer and f.feature_id in where:
            g = geoms[where[f.feature_id]]
            if g is not None and not shapely.is_empty(g):
                f = replace(f, geometry=g)
        out.append(f)
    return out


def repair_geometries(
    geoms: np.ndarray, ids: Sequence[object], layer: str
) -> tuple[np.ndarray, list[Finding]]:
    """Repair invalid geometries with GEOS make_valid (linework) and flag empty ones.

    Parameters
    ----------
    geoms : array of shapely geometries
    ids : sequence
        Feature ids, for the findings.
    layer : str
        Layer label, for the findings.

    Returns
    -------
    (numpy.ndarray, list of Finding)
        Repaired geometries (null and empty kept as they are) and findings.
    """
    geoms = np.asarray(geoms, dtype=object).copy()
    findings: list[Finding] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing | empty):
        what = "kosong (null)" if missing[i] else "kosong (empty)"
        findings.append(Finding(layer, str(ids[i]), "warning", "geometri_kosong", f"geometri {what}; tidak dapat dinilai"))
    invalid = ~(missing | empty) & ~shapely.is_valid(geoms)
    if invalid.any():
        idx = np.flatnonzero(invalid)
        reasons = shapely.is_valid_reason(geoms[idx])
        fixed = shapely.make_valid(geoms[idx], method="linework")
        geoms[idx] = fixed
        for i, why, g in zip(idx, reasons, fixed):
            findings.append(
                Finding(layer, str(ids[i]), "warning", "geometri_diperbaiki", f"geometri tidak valid ({why}); diperbaiki dengan make_valid menjadi {g.geom_type}", g)
            )
    return geoms, findings


def duplicate_ids(ids: pd.Series, layer: str, field: str) -> list[Finding]:
    """Findings for null and duplicate ids in ``field``."""
    out: list[Finding] = []
    null = ids.isna() | (ids.astype(str).str.strip() == "")
    for pos in np.flatnonzero(null.to_numpy()):
        out.append(Finding(layer, f"#{pos + 1}", "warning", "id_kosong", f"fitur ke-{pos + 1} tidak memiliki {field}"))
    dup = ids[~null]
    counts = dup.astype(str).value_counts()
    for value, n in counts[counts > 1].sort_index().items():
        out.append(Finding(layer, str(value), "error", "id_ganda", f"{field} '{value}' dipakai oleh {n} fitur"))
    return out


def _threaded(func: Callable[[slice], np.ndarray], n: int, workers: int | None) -> np.ndarray:
    """``func`` over consecutive slices of ``range(n)`` on a thread pool, results concatenated."""
    workers = workers or os.cpu_count() or 1
    step = max(1, -(-n // (4 * workers)))
    slices = [slice(i, min(n, i + step)) for i in range(0, n, step)]
    if not slices:
        return np.zeros(0, dtype=object)
    if workers > 1 and len(slices) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.concatenate(list(pool.map(func, slices)))
    return np.concatenate([func(s) for s in slices])


@dataclass
class Topology:
    """What :func:`zoning_topology` finds.

    Attributes
    ----------
    findings : list of Finding
        Real overlaps and gaps one by one (with their polygon), and one ``info``
        finding per kind summarizing digitizing noise.
    overlaps : (numpy.ndarray, numpy.ndarray)
        All pairs (i < j) of zones whose interiors intersect, noise included
        (the engine needs every one of them to stay exact).
    noise_overlaps : int
        Pairs whose overlap is digitizing noise.
    noise_overlap_area : float
        Their total overlap area (m²).
    noise_gap_area : float
        Total area of gaps narrower than the sliver width (m²).
    """

    findings: list[Finding]
    overlaps: tuple[np.ndarray, np.ndarray]
    noise_overlaps: int = 0
    noise_overlap_area: float = 0.0
    noise_gap_area: float = 0.0


def zoning_topology(
    geoms: np.ndarray,
    codes: np.ndarray,
    ids: np.ndarray,
    layer: str,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
) -> Topology:
    """Overlaps between zone polygons and gaps inside the zoned area.

    The national database standard (Permen ATR/BPN 14/2021) forbids both. Zoning
    digitized polygon by polygon has them all along its borders; those narrower
    than ``sliver_width`` or smaller than ``sliver_area`` are digitizing noise and
    are summarized in one ``info`` finding each (overlaps: count and total area;
    gaps: total area), the others are listed one by one with their polygon.

    How: an overlap is wider than ``w`` exactly where the two zones, each eroded
    by ``w/2``, still intersect. Gaps are the holes of the union of all zones
    dilated by ``w/2`` (dilation closes every gap narrower than ``w``, and the
    union of dilated zones is cheap because their noisy borders vanish); each
    such hole is then cut out exactly from the zones around it. The total area
    of narrow gaps is ``area(closing) - area(union)`` with
    ``area(union) = sum of zone areas - sum of pairwise overlap areas``
    (inclusion-exclusion; overlaps of three zones at once are added back).

    Parameters
    ----------
    geoms : array of (valid) polygonal geometries, in a metric CRS
    codes : array of str
        Zone code per geometry.
    ids : array
        Feature ids, for the findings.
    layer : str
        Layer label.
    sliver_width, sliver_area : float
        Noise thresholds (m, m²).
    workers : int, optional
        Threads (default: all CPUs).

    Returns
    -------
    Topology
    """
    geoms = np.asarray(geoms, dtype=object)
    codes = np.asarray(codes, dtype=object)
    findings: list[Finding] = []
    half = sliver_width / 2.0
    left, right = overlapping_pairs(geoms, workers)
    n = len(left)
    inter = _threaded(lambda sl: robust_overlay(shapely.intersection, geoms[left[sl]], geoms[right[sl]])[0], n, workers)
    areas = shapely.area(inter) if n else np.zeros(0)
    wide = np.zeros(n, dtype=bool)
    if n:
        cand = np.flatnonzero(areas >= sliver_area)
        used = np.unique(np.concatenate([left[cand], right[cand]]))
        eroded = np.empty(len(geoms), dtype=object)
        eroded[used] = _threaded(lambda sl: shapely.buffer(geoms[used[sl]], -half, join_style="mitre"), len(used), workers)
        wide[cand] = shapely.intersects(eroded[left[cand]], eroded[right[cand]])
    for k in np.flatnonzero(wide):
        a, b = left[k], right[k]
        same = codes[a] == codes[b]
        findings.append(
            Finding(
                layer,
                f"{ids[a]},{ids[b]}",
                "warning" if same else "error",
                "tumpang_tindih_kode_sama" if same else "tumpang_tindih_zona",
                f"zona {ids[a]} ({codes[a]}) dan {ids[b]} ({codes[b]}) bertampalan seluas {angka(areas[k])} m²",
                _polygonal(inter[k]),
            )
        )
    noise = ~wide
    topo = Topology(findings, (left, right), int(noise.sum()), float(areas[noise].sum()))
    if topo.noise_overlaps:
        findings.append(
            Finding(
                layer,
                "",
                "info",
                "tumpang_tindih_sempit",
                f"{topo.noise_overlaps} pasang zona bertampalan tipis (lebar < {angka(sliver_width)} m atau luas < {angka(sliver_area)} m², "
                f"derau digitasi) seluas total {angka(topo.noise_overlap_area)} m²; tidak dirinci, ukuran tetap dihitung tepat",
                _sliver_collection(inter[noise]),
            )
        )
    _gaps(geoms, layer, half, sliver_area, areas, workers, topo)
    return topo


def _sliver_collection(overlaps: np.ndarray) -> object:
    """All noise overlap polygons as one MultiPolygon (not unioned), to see them on the map."""
    parts = shapely.get_parts(overlaps[~shapely.is_missing(overlaps)])
    parts = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)]
    return shapely.multipolygons(parts) if len(parts) else None


def _polygonal(g: object) -> object:
    """The polygonal part of an overlay result (lines and points where zones only touch dropped)."""
    if g is None or shapely.is_empty(g):
        return None
    parts = shapely.get_parts(g)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)


def _gaps(geoms: np.ndarray, layer: str, half: float, sliver_area: float, overlap_areas: np.ndarray, workers: int | None, topo: Topology) -> None:
    """Gaps inside the zoned area (see :func:`zoning_topology`); appends to ``topo``."""
    if not len(geoms):
        return
    dilated = _threaded(lambda sl: shapely.buffer(geoms[sl], half, join_style="mitre"), len(geoms), workers)
    closed_union, _ = robust_union_rows(dilated[None, :])
    closed_union = closed_union[0]
    holes = []
    for poly in shapely.get_parts(closed_union):
        if shapely.get_type_id(poly) == 3:
            holes.extend(shapely.Polygon(r) for r in poly.interiors)
    closing = shapely.buffer(closed_union, -half, join_style="mitre")
    tree = shapely.STRtree(geoms)
    n_gap = 0
    real_area = 0.0
    for hole in holes:
        # The hole is the gap eroded by w/2: grow it back and cut out the zones around it.
        around = shapely.buffer(hole, 3 * half, join_style="mitre")
        near = geoms[tree.query(around)]
        local, _ = robust_union_rows(np.array([list(near)], dtype=object)) if len(near) else (np.array([None], dtype=object), None)
        gap, _ = robust_overlay(shapely.difference, np.array([shapely.buffer(hole, 2 * half, join_style="mitre")], dtype=object), local)
        gap = _polygonal(gap[0])
        if gap is None:
            continue
        gap = shapely.union_all([p for p in shapely.get_parts(gap) if p.intersects(hole)])
        real_area += gap.area
        if gap.area < sliver_area:
            continue
        n_gap += 1
        c = gap.representative_point()
        topo.findings.append(
            Finding(layer, f"celah-{n_gap}", "error", "celah_zona", f"celah tanpa zona seluas {angka(gap.area)} m² di sekitar x={c.x:.1f} y={c.y:.1f}", gap)
        )
    # Area of the exact union by inclusion-exclusion over the overlap pairs (and
    # triples); the narrow gaps are what the closing adds to it.
    union_area = float(shapely.area(geoms).sum()) - float(overlap_areas.sum()) + _triple_overlap_area(geoms, topo.overlaps)
    noise = max(0.0, float(shapely.area(closing)) - union_area - real_area)
    topo.noise_gap_area = noise
    if noise >= 0.005:
        topo.findings.append(
            Finding(
                layer,
                "",
                "info",
                "celah_sempit",
                f"celah tipis antarzona (lebar < {angka(2 * half)} m, derau digitasi) seluas total {angka(noise)} m²; tidak dirinci",
            )
        )


def _triple_overlap_area(geoms: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]) -> float:
    """Sum of areas where three zones overlap at once (the third inclusion-exclusion term)."""
    left, right = pairs
    if len(left) < 3:
        return 0.0
    edges = pd.DataFrame({"a": np.concatenate([left, right]), "b": np.concatenate([right, left])})
    m = edges.merge(edges, on="a")  # b_x - a - b_y paths
    m = m[(m["b_x"] < m["b_y"]) & (m["a"] < m["b_x"])]
    if not len(m):
        return 0.0
    key = pd.MultiIndex.from_arrays([np.minimum(left, right), np.maximum(left, right)])
    closes = pd.MultiIndex.from_arrays([m["b_x"].to_numpy(), m["b_y"].to_numpy()]).isin(key)
    tri = m[closes]
    if not len(tri):
        return 0.0
    a, b, c = (tri[k].to_numpy() for k in ("a", "b_x", "b_y"))
    ab, _ = robust_overlay(shapely.intersection, geoms[a], geoms[b])
    abc, _ = robust_overlay(shapely.intersection, ab, geoms[c])
    return float(shapely.area(abc).sum())


def frame_ids(gdf: gpd.GeoDataFrame, id_field: str | None) -> np.ndarray:
    """Feature ids for findings: the id field when present, else 1-based feature numbers."""
    if id_field and id_field in gdf.columns:
        vals = gdf[id_field].astype(object).to_numpy()
        return np.array([f"#{i + 1}" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for i, v in enumerate(vals)], dtype=object)
    return np.array([f"#{i + 1}" for i in range(len(gdf))], dtype=object)
