"""``sppr revisi``: what a revision of the RTRW/RDTR changes.

* ``perubahan_status``: every program assessed against the old zoning (and
  rules) and against the new one, each side by the steps of ``sppr check``
  (:func:`sppr_gis.site.assess_programs`), with ``berubah`` when the status or the
  ITBX class differs.
* ``transisi_zona``: for every pair of old code a and new code b,
  ``luas_m2`` = area((union of OLD's polygons with code a) ∩ (union of NEW's
  polygons with code b)), pairs with more than 0.01 m². Computed without forming
  any union: the old polygons of each code are first made disjoint (each minus
  the earlier same-code polygons it meets; together they still cover the union of
  the code), then each disjoint piece is measured by the engine against the new
  zoning (its per-code measure is area(piece ∩ union of new code b), exact where
  new polygons overlap), and the measures are summed per (a, b).
* ``perubahan_zona``: the polygons where the code changed (a != b), one
  feature per pair, the union of those intersections.

Zoning digitized with micro-overlaps between neighbours gives small a -> b
transitions even where nothing changed (the overlap of an old a and an old b
polygon lies in both unions); they are part of the exact definition.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.engine import (
    polygonal_parts,
    robust_overlay,
    robust_union_rows,
    split_large,
)
from sppr_gis.pipeline import ZoningInput, _as_inputs
from sppr_gis.rules import Rules
from sppr_gis.site import LoadedZoning, assess_programs, load_zoning
from sppr_gis.validate import Finding, findings_frame

__all__ = ["MIN_TRANSITION_AREA", "RevisionResult", "disjoint_by_code", "zone_transitions", "programs_near_changes", "revise"]

#: m²: transitions at or below this area are left out (contract).
MIN_TRANSITION_AREA = 0.01
#: Pieces with more vertices are cut before the pairwise intersections.
CUT_VERTICES = 1024


@dataclass
class RevisionResult:
    """What :func:`revise` returns.

    Attributes
    ----------
    perubahan_status : geopandas.GeoDataFrame
        One row per program: ``program_id``, ``kegiatan``, ``status_lama``,
        ``status_baru``, ``itbx_lama``, ``itbx_baru``, ``score_lama``,
        ``score_baru``, ``dominant_zone_lama``, ``dominant_zone_baru``, ``berubah``.
    transisi_zona : pandas.DataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2``, ``berubah`` (kode_lama != kode_baru).
    perubahan_zona : geopandas.GeoDataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2`` and the polygons where the code changed.
    issues : geopandas.GeoDataFrame
        Findings of reading and repairing both zonings and the programs.
    crs : pyproj.CRS
    timings : dict
    zoning_baru : geopandas.GeoDataFrame or None
        The new zoning as measured (``zone_code``, repaired polygons), the map's background; not an output layer.
    """

    perubahan_status: gpd.GeoDataFrame
    transisi_zona: pd.DataFrame
    perubahan_zona: gpd.GeoDataFrame
    issues: gpd.GeoDataFrame
    crs: CRS
    timings: dict[str, float] = field(default_factory=dict)
    zoning_baru: gpd.GeoDataFrame | None = None

    def layers(self) -> dict[str, pd.DataFrame]:
        """The output layers by name."""
        return {"perubahan_status": self.perubahan_status, "transisi_zona": self.transisi_zona, "perubahan_zona": self.perubahan_zona, "issues": self.issues}

    def write_map(self, out: str | os.PathLike[str], **kw: object) -> Path:
        """One map page (PNG or PDF by suffix) of the changed zones and the programs whose status changed.

        See :func:`sppr_gis.maps.revision_map.write_revision_map` (``paper="A4"``, ``sources=[...]``, ``target=``).
        """
        from sppr_gis.maps.revision_map import write_revision_map

        return write_revision_map(self, out, **kw)  # type: ignore[arg-type]


def _threaded(func, a: np.ndarray, b: np.ndarray | None, workers: int | None) -> np.ndarray:  # noqa: ANN001
    """``robust_overlay(func, a, b)`` in chunks on a thread pool (GEOS releases the GIL)."""
    n = len(a)
    if not n:
        return np.empty(0, dtype=object)
    workers = workers or os.cpu_count() or 1
    step = max(256, -(-n // (8 * workers)))
    chunks = [slice(s, s + step) for s in range(0, n, step)]

    def run(sl: slice) -> np.ndarray:
        return robust_overlay(func, a[sl], None if b is None else b[sl])[0]

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.concatenate([np.asarray(r, dtype=object) for r in pool.map(run, chunks)])
    return np.concatenate([np.asarray(run(sl), dtype=object) for sl in chunks])


def disjoint_by_code(geoms: np.ndarray, codes: np.ndarray, *, workers: int | None = None) -> np.ndarray:
    """Polygons of each code made disjoint: each minus the union of the earlier same-code polygons near it.

    The pieces of a code cover exactly the union of its polygons and no two of
    them share interior, so areas measured on them add up.

    Parameters
    ----------
    geoms : array of polygonal geometries
    codes : array of str
    workers : int, optional
        Threads.

    Returns
    -------
    numpy.ndarray
        One (possibly empty) geometry per input.
    """
    geoms = np.asarray(geoms, dtype=object)
    codes = np.asarray(codes, dtype=object)
    out = geoms.copy()
    if not len(geoms):
        return out
    i, k = shapely.STRtree(geoms).query(geoms)
    keep = (k < i) & (codes[i] == codes[k])
    i, k = i[keep], k[keep]
    if not len(i):
        return out
    order = np.argsort(i, kind="stable")
    i, k = i[order], k[order]
    starts = np.r_[0, np.flatnonzero(i[1:] != i[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(i)])
    owners = i[starts]
    cover = np.empty(len(owners), dtype=object)
    for size in np.unique(sizes):
        sel = np.flatnonzero(sizes == size)
        rows = geoms[k[starts[sel][:, None] + np.arange(size)[None, :]]]
        cover[sel] = rows[:, 0] if size == 1 else robust_union_rows(rows)[0]
    out[owners] = _threaded(shapely.difference, geoms[owners], cover, workers)
    return out


def zone_transitions(old: LoadedZoning | gpd.GeoDataFrame, new: LoadedZoning | gpd.GeoDataFrame, *, workers: int | None = None) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The old-code x new-code transition table and the polygons whose code changed.

    Both zonings are made disjoint per code (:func:`disjoint_by_code`); then the
    pieces P (old, code a) and Q (new, code b) are pairwise disjoint within each
    (a, b), and area(union(old a) ∩ union(new b)) is the sum of area(P ∩ Q).

    Parameters
    ----------
    old, new : LoadedZoning or geopandas.GeoDataFrame
        The two zonings (frames with ``zone_code`` and repaired geometry), in the same metric CRS.
    workers : int, optional
        Threads.

    Returns
    -------
    transisi_zona : pandas.DataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2`` (> 0.01 m²), ``berubah``; sorted by codes.
    perubahan_zona : geopandas.GeoDataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2`` and geometry: the pieces (each
        larger than 0.01 m²) where the code changed; disjoint within a pair.
    """
    old_z = old.zones if isinstance(old, LoadedZoning) else old
    new_z = new.zones if isinstance(new, LoadedZoning) else new
    crs = old_z.crs

    def pieces(z: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
        g, own = polygonal_parts(np.asarray(z.geometry.array, dtype=object))
        c = z["zone_code"].to_numpy(dtype=object).astype(str)[own]
        d = disjoint_by_code(g, c, workers=workers)
        ok = ~shapely.is_empty(d)
        return d[ok], c[ok]

    p, pc = pieces(old_z)
    q, qc = pieces(new_z)
    # large pieces are cut (into disjoint parts: sums unchanged) so that no
    # intersection pays for a 15,000-vertex polygon against each neighbour
    p, own, _ = split_large(p, np.arange(len(p)), CUT_VERTICES)
    pc = pc[own]
    q, own, _ = split_large(q, np.arange(len(q)), CUT_VERTICES)
    qc = qc[own]
    i, j = shapely.STRtree(q).query(p)
    inter = _threaded(shapely.intersection, p[i], q[j], workers)
    area = shapely.area(inter) if len(inter) else np.zeros(0)
    frame = pd.DataFrame({"kode_lama": pc[i], "kode_baru": qc[j], "luas_m2": area})
    table = frame.groupby(["kode_lama", "kode_baru"], as_index=False, sort=True)["luas_m2"].sum()
    table = table[table["luas_m2"] > MIN_TRANSITION_AREA].reset_index(drop=True)
    table["berubah"] = table["kode_lama"] != table["kode_baru"]
    sel = np.flatnonzero((pc[i] != qc[j]) & (area > MIN_TRANSITION_AREA))
    geoms = np.asarray(inter[sel], dtype=object)
    poly = np.asarray(shapely.get_type_id(geoms) != 3, dtype=bool) & np.asarray(shapely.get_type_id(geoms) != 6, dtype=bool)
    if poly.any():  # collections: keep their polygons
        parts, own = polygonal_parts(geoms[poly])
        fixed = np.full(int(poly.sum()), None, dtype=object)
        for k in np.unique(own):
            fixed[k] = shapely.multipolygons(parts[own == k])
        geoms[np.flatnonzero(poly)] = fixed
    changed = gpd.GeoDataFrame(
        {"kode_lama": pc[i][sel], "kode_baru": qc[j][sel], "luas_m2": area[sel]},
        geometry=gpd.GeoSeries(geoms, crs=crs).values,
        crs=crs,
    ).sort_values(["kode_lama", "kode_baru", "luas_m2"], ascending=[True, True, False], kind="stable").reset_index(drop=True)
    return table, changed


def programs_near_changes(old: LoadedZoning, new: LoadedZoning, geoms: np.ndarray) -> np.ndarray:
    """Positions of the programs that meet a zone not present unchanged in both zonings.

    A zone is unchanged when the other zoning has a zone with the same code and
    exactly the same (repaired) geometry. A program meeting only unchanged zones
    (boundary included) has the same shares under both zonings.

    Parameters
    ----------
    old, new : LoadedZoning
    geoms : numpy.ndarray
        The programs' measured geometries (metric CRS).

    Returns
    -------
    numpy.ndarray of int
    """

    def keys(z: gpd.GeoDataFrame) -> np.ndarray:
        wkb = shapely.to_wkb(np.asarray(z.geometry.array, dtype=object))
        return np.array([f"{c}\x00".encode() + w for c, w in zip(z["zone_code"].astype(str), wkb)], dtype=object)

    ko, kn = keys(old.zones), keys(new.zones)
    gone = ~np.isin(ko, kn)
    came = ~np.isin(kn, ko)
    changed = np.concatenate([np.asarray(old.zones.geometry.array, dtype=object)[gone], np.asarray(new.zones.geometry.array, dtype=object)[came]])
    geoms = np.asarray(geoms, dtype=object)
    if not len(changed) or not len(geoms):
        return np.zeros(0, dtype=np.int64)
    ok = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    hit, _ = shapely.STRtree(changed).query(geoms[ok], predicate="intersects")
    return np.unique(ok[hit]).astype(np.int64)


def revise(
    zoning_old: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zoning_new: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    programs: gpd.GeoDataFrame,
    rules: Rules,
    rules_new: Rules | None = None,
    *,
    zone_field: str | None = None,
    activity_field: str = "kegiatan",
    id_field: str = "program_id",
    code_field: str = "kode",
    min_share: float = 0.01,
    workers: int | None = None,
) -> RevisionResult:
    """What a revision of the zoning (and optionally of the ITBX matrix) changes.

    Parameters
    ----------
    zoning_old, zoning_new : GeoDataFrame, ZoningInput or a sequence of them
        The zoning before and after the revision (the new one is measured in the old one's metric CRS).
    programs : geopandas.GeoDataFrame
        Program locations.
    rules : Rules
        The ITBX matrix (of the old zoning; of both unless ``rules_new`` is given).
    rules_new : Rules, optional
        The revised matrix.
    zone_field, activity_field, id_field, code_field, min_share, workers :
        As for :func:`sppr_gis.pipeline.check`.

    Returns
    -------
    RevisionResult

    Raises
    ------
    CRSError, FieldError, LayerError
    """
    from sppr_gis.crs import metric_crs
    from sppr_gis.schema import require_field

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    label = str(programs.attrs.get("source", "programs"))
    require_field(programs, id_field, label, "--id-field")
    crs = metric_crs([z.frame for z in _as_inputs(zoning_old)])
    old = load_zoning(zoning_old, zone_field, crs=crs)
    new = load_zoning(zoning_new, zone_field, crs=crs)
    findings: list[Finding] = [*programs.attrs.get("findings", []), *old.findings, *new.findings]
    timings["zoning"] = time.perf_counter() - t0

    t = time.perf_counter()
    kw = dict(activity_field=activity_field, id_field=id_field, code_field=code_field, min_share=min_share, workers=workers, programs_label=label)
    a = assess_programs(old, programs, rules, **kw)
    findings.extend(a.findings)
    if rules_new is None:
        # A program that meets only zones present unchanged (same code, same
        # geometry) in both zonings gets the same shares, hence the same verdict:
        # only the others are assessed again.
        redo = programs_near_changes(old, new, a.geoms)
        vb = a.verdict.copy()
        if len(redo):
            sub = programs.iloc[redo].copy()
            sub.attrs = dict(programs.attrs)
            vb.iloc[redo] = assess_programs(new, sub, rules, **kw).verdict.to_numpy()
    else:
        vb = assess_programs(new, programs, rules_new, **kw).verdict
    timings["status"] = time.perf_counter() - t
    va = a.verdict
    sa, sb = va["status"].to_numpy(dtype=object), vb["status"].to_numpy(dtype=object)
    ia = va["itbx"].astype(object).where(va["itbx"].notna(), None).to_numpy(dtype=object)
    ib = vb["itbx"].astype(object).where(vb["itbx"].notna(), None).to_numpy(dtype=object)
    berubah = (sa != sb) | (ia != ib)
    status = gpd.GeoDataFrame(
        {
            "program_id": pd.array([str(v) for v in a.ids], dtype="string"),
            "kegiatan": a.activities.astype(object).to_numpy(),
            "status_lama": sa,
            "status_baru": sb,
            "itbx_lama": pd.array(ia, dtype="string"),
            "itbx_baru": pd.array(ib, dtype="string"),
            "score_lama": va["score"].to_numpy(),
            "score_baru": vb["score"].to_numpy(),
            "dominant_zone_lama": va["dominant_zone"].to_numpy(),
            "dominant_zone_baru": vb["dominant_zone"].to_numpy(),
            "berubah": berubah,
            "keterangan_lama": va["keterangan"].to_numpy(),
            "keterangan_baru": vb["keterangan"].to_numpy(),
        },
        geometry=gpd.GeoSeries(a.out_geoms, crs=crs).values,
        crs=crs,
    )

    t = time.perf_counter()
    table, changed = zone_transitions(old, new, workers=workers)
    timings["transisi"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return RevisionResult(
        perubahan_status=status, transisi_zona=table, perubahan_zona=changed, issues=findings_frame(findings, crs), crs=crs, timings=timings,
        zoning_baru=new.zones[["zone_code", new.zones.geometry.name]],
    )
