"""``sppr revisi``: what a revision of the RTRW/RDTR changes.

* ``perubahan_status``: every program assessed against the old zoning (and
  rules) and against the new one, each side by the engine and verdict of ``sppr check``
  as ``sppr site`` runs them (:func:`sppr_gis.site.assess_programs`: no zoning
  topology check, so ``issues`` holds the reading and repair findings only, and
  overlapping zones are found by DE-9IM), with ``berubah`` when the status or the
  ITBX class differs.
* ``transisi_zona``: a place changed only where its *set* of codes changed
  (old codes of the polygons holding it != new codes); for every pair of old code
  a and new code b, ``luas_m2`` = area of the changed places in (union of OLD's
  code a) ∩ (union of NEW's code b), pairs with more than 0.01 m². A zoning
  compared with itself (overlapping zones included) gives no rows. See
  :func:`zone_transitions` for how it is computed without a union of the zoning.
* ``perubahan_zona``: the changed places (where the set of codes changed) of each
  pair, piece by piece.

:meth:`RevisionResult.write` writes the GeoPackage, its tables and the map together.
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

from sppr_gis import overlay
from sppr_gis.crs import metric_crs
from sppr_gis.engine import (
    polygonal_parts,
    robust_overlay,
    robust_union_rows,
    split_large,
)
from sppr_gis.rules import Rules
from sppr_gis.schema import require_field
from sppr_gis.site import LoadedZoning, ProgramVerdicts, assess_programs, load_zoning
from sppr_gis.validate import Finding, findings_frame
from sppr_gis.zoning import ZoningInput, as_zoning_inputs

__all__ = ["MIN_TRANSITION_AREA", "RevisionResult", "disjoint_by_code", "zone_transitions", "programs_near_changes", "revise", "revision_sources"]

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
        from sppr_gis.maps.revision_map import write_revision_map  # matplotlib: loaded only when a map is drawn

        return write_revision_map(self, out, **kw)  # type: ignore[arg-type]

    def write(
        self,
        out: str | os.PathLike[str],
        tables: str | os.PathLike[str] | None = None,
        map_path: str | os.PathLike[str] | None = None,
        *,
        paper: str = "A3",
        map_sources: Sequence[str] = (),
        sources: Sequence[tuple[str, object]] = (),
    ) -> list[Path]:
        """Write the result as ``sppr revisi`` does: the GeoPackage, its tables and the map, together or not at all.

        Parameters
        ----------
        out : path
            ``OUT.gpkg`` (layers perubahan_status, transisi_zona, perubahan_zona, issues).
        tables : path, optional
            ``.xlsx``: the formatted workbook (sheets Perubahan Status, Transisi Zona, Perubahan Zona);
            ``.csv``: one file per layer (``stem_name.csv``).
        map_path : path, optional
            One map page, ``.png`` or ``.pdf`` (:meth:`write_map`).
        paper : str
            ``A3`` or ``A4`` (landscape), for the map.
        map_sources : sequence of str
            The source lines printed on the map (:func:`revision_sources`).
        sources : sequence of (option, source)
            The run's inputs (:func:`sppr_gis.io.guard_outputs`): no output may be one of them.

        Returns
        -------
        list of Path
            The files written.
        """
        from sppr_gis import io

        layers = self.layers()
        outputs = [io.Target("--out", out), *([io.Target("--map", map_path)] if map_path else [])]
        io.guard_outputs(list(sources), outputs + (io.table_targets("--tables", tables, layers) if tables else []))
        written = [Path(out)]
        with io.staged() as staging:
            io.write_gpkg(layers, out, staging=staging)
            if tables and Path(tables).suffix.lower() == ".xlsx":
                from sppr_gis.report.excel import write_workbook

                sheets = {
                    "Perubahan Status": layers["perubahan_status"].drop(columns="geometry"),
                    "Transisi Zona": layers["transisi_zona"],
                    "Perubahan Zona": layers["perubahan_zona"].drop(columns="geometry"),
                }
                write_workbook(sheets, staging.path(tables), title="Dampak revisi rencana tata ruang")
                written.append(Path(tables))
            elif tables:
                io.write_tables(layers, tables, staging=staging)
                written.extend(Path(tables).with_name(f"{Path(tables).stem}_{name}.csv") for name in layers)
            if map_path:
                self.write_map(staging.path(map_path), target=map_path, paper=paper.upper(), sources=list(map_sources))
                written.append(Path(map_path))
        return written


def revision_sources(zoning_lama: Sequence[object], zoning_baru: Sequence[object], programs: Sequence[object], rules: str | os.PathLike[str], rules_baru: str | os.PathLike[str] | None = None) -> list[str]:
    """The source lines of the revision map: the files of each input (``FILE=CODE`` kept).

    Parameters
    ----------
    zoning_lama, zoning_baru, programs : sequence of LayerSpec
        The inputs as given (``path``, optional ``code``).
    rules, rules_baru : path
        The ITBX matrices.

    Returns
    -------
    list of str
        ``["Zonasi lama: a.gpkg", "Zonasi baru: b.gpkg, rth.zip=RTH-1", "Program: p.gpkg", "Matriks ITBX: itbx.csv"]``.
    """

    def files(specs: Sequence[object]) -> str:
        return ", ".join(dict.fromkeys(Path(str(getattr(sp, "path", sp))).name + (f"={sp.code}" if getattr(sp, "code", None) else "") for sp in specs))  # type: ignore[attr-defined]

    return [
        f"Zonasi lama: {files(zoning_lama)}", f"Zonasi baru: {files(zoning_baru)}", f"Program: {files(programs)}",
        f"Matriks ITBX: {Path(rules).name}" + (f" (baru: {Path(rules_baru).name})" if rules_baru else ""),
    ]


def _threaded(func, a: np.ndarray, b: np.ndarray | None, workers: int | None) -> np.ndarray:  # noqa: ANN001
    """``robust_overlay(func, a, b)`` in chunks on a thread pool (GEOS releases the GIL)."""
    n = len(a)
    if not n:
        return np.empty(0, dtype=object)
    workers = workers or os.cpu_count() or 1
    step = max(256, -(-n // (8 * workers)))
    chunks = [slice(s, s + step) for s in range(0, n, step)]

    def run(sl: slice) -> np.ndarray:
        return robust_overlay(func, a[sl], None if b is None else b[sl], what="zoning")[0]

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
        cover[sel] = rows[:, 0] if size == 1 else robust_union_rows(rows, what="zoning")[0]
    out[owners] = _threaded(shapely.difference, geoms[owners], cover, workers)
    return out


def _overlap_region(g: np.ndarray, c: np.ndarray, workers: int | None) -> list[object]:
    """The polygons where two pieces of different codes of one zoning overlap (interiors meet)."""
    if not len(g):
        return []
    i, j = shapely.STRtree(g).query(g)
    keep = (i < j) & (c[i] != c[j])
    i, j = i[keep], j[keep]
    if not len(i):
        return []
    inter = _threaded(shapely.intersection, g[i], g[j], workers)
    parts, _ = polygonal_parts(inter)
    return list(parts[shapely.area(parts) > 0])


def _faces(region: object, old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, list[tuple[frozenset, frozenset]]]:
    """The faces of the arrangement of both zonings' pieces inside ``region``, each with its old and new code sets.

    The pieces are clipped to the region, their boundaries and the region's are noded
    together (a robust union) and polygonized; a face's codes are those of the pieces
    holding its interior point (a face never straddles a boundary).
    """
    reg = np.array([region], dtype=object)
    clipped = []
    for g, c in (old, new):
        hit = shapely.STRtree(g).query(region, predicate="intersects") if len(g) else np.zeros(0, dtype=np.int64)
        cut = overlay.intersection(g[hit], region, what="zoning") if len(hit) else np.zeros(0, dtype=object)
        cut, own = polygonal_parts(cut)
        clipped.append((cut, c[hit][own]))
    lines = [shapely.boundary(region), *shapely.boundary(clipped[0][0]), *shapely.boundary(clipped[1][0])]
    noded = overlay.union_all(lines, what="zoning boundaries")
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))), dtype=object)
    faces = faces[shapely.area(faces) > 0]
    if not len(faces):
        return faces, []
    inner = shapely.point_on_surface(faces)
    keep = shapely.intersects(reg[0], inner)
    faces, inner = faces[keep], inner[keep]
    labels: list[list[set]] = [[set(), set()] for _ in range(len(faces))]
    for side, (g, c) in enumerate(clipped):
        if not len(g):
            continue
        fi, gi = shapely.STRtree(g).query(inner, predicate="intersects")
        for f, k in zip(fi, gi):
            labels[f][side].add(str(c[k]))
    return faces, [(frozenset(a), frozenset(b)) for a, b in labels]


def zone_transitions(old: LoadedZoning | gpd.GeoDataFrame, new: LoadedZoning | gpd.GeoDataFrame, *, workers: int | None = None) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The old-code x new-code transitions where a place's set of codes changed, and those polygons.

    A place x holds the set A(x) of old codes and B(x) of new codes whose polygons
    contain it. It changed when A(x) != B(x) (contract, ``sppr revisi``); then it
    counts for every pair (a, b) in A(x) x B(x). So a zoning compared with itself,
    overlapping zones included, changes nowhere.

    How: both zonings are made disjoint per code (:func:`disjoint_by_code`). Outside
    the region O where pieces of two different codes of one zoning overlap, every
    place has at most one code per side, so the pieces P (old, a) and Q (new, b)
    give the changed places exactly where a != b: area(P ∩ Q - O). Inside O (thin
    digitizing overlaps and overlay zones: small), the pieces are clipped to O, their
    boundaries noded and polygonized into faces, each labelled with its two code sets.

    Parameters
    ----------
    old, new : LoadedZoning or geopandas.GeoDataFrame
        The two zonings (frames with ``zone_code`` and repaired geometry), in the same metric CRS.
    workers : int, optional
        Threads.

    Returns
    -------
    transisi_zona : pandas.DataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2`` (> 0.01 m², changed places only), ``berubah``
        (kode_lama != kode_baru; a pair a -> a is a place that kept code a but gained or lost another);
        sorted by codes.
    perubahan_zona : geopandas.GeoDataFrame
        ``kode_lama``, ``kode_baru``, ``luas_m2`` and geometry: the changed places of each pair
        a != b, piece by piece (each larger than 0.01 m²); disjoint within a pair.
    """
    old_z = old.zones if isinstance(old, LoadedZoning) else old
    new_z = new.zones if isinstance(new, LoadedZoning) else new
    crs = old_z.crs

    def pieces(z: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
        g, own = polygonal_parts(np.asarray(z.geometry.array, dtype=object))
        c = z["zone_code"].to_numpy(dtype=object).astype(str)[own]
        d = disjoint_by_code(g, c, workers=workers)
        d, own = polygonal_parts(d)
        return d, c[own]

    p, pc = pieces(old_z)
    q, qc = pieces(new_z)
    region_parts = _overlap_region(p, pc, workers) + _overlap_region(q, qc, workers)
    region = overlay.union_all(region_parts, what="zoning overlaps") if region_parts else None
    # large pieces are cut (into disjoint parts: sums unchanged) so that no
    # intersection pays for a 15,000-vertex polygon against each neighbour
    p, own, _ = split_large(p, np.arange(len(p)), CUT_VERTICES)
    pc = pc[own]
    q, own, _ = split_large(q, np.arange(len(q)), CUT_VERTICES)
    qc = qc[own]
    i, j = shapely.STRtree(q).query(p)
    i, j = i[pc[i] != qc[j]], j[pc[i] != qc[j]]  # outside the overlaps, a == b is no change
    inter = _threaded(shapely.intersection, p[i], q[j], workers)
    if region is not None and len(inter):
        near = np.flatnonzero(shapely.intersects(inter, region))
        if len(near):
            inter = inter.copy()
            inter[near] = _threaded(shapely.difference, inter[near], np.full(len(near), region, dtype=object), workers)
    got, own = polygonal_parts(inter)
    kl, kb, geoms = list(pc[i][own]), list(qc[j][own]), list(got)
    if region is not None:
        faces, labels = _faces(region, (p, pc), (q, qc))
        for face, (a_set, b_set) in zip(faces, labels):
            if a_set != b_set:
                for a in sorted(a_set):
                    for b in sorted(b_set):
                        kl.append(a)
                        kb.append(b)
                        geoms.append(face)
    return _transitions(kl, kb, geoms, crs)


def _transitions(kl: list[str], kb: list[str], geoms: list[object], crs: CRS) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The transition table (area per pair of codes) and the changed pieces, from the pieces' codes and geometries."""
    geoms_arr = np.empty(len(geoms), dtype=object)
    geoms_arr[:] = geoms
    area = shapely.area(geoms_arr) if len(geoms_arr) else np.zeros(0)
    frame = pd.DataFrame({"kode_lama": pd.Series(kl, dtype=object), "kode_baru": pd.Series(kb, dtype=object), "luas_m2": area})
    table = frame.groupby(["kode_lama", "kode_baru"], as_index=False, sort=True)["luas_m2"].sum()
    table = table[table["luas_m2"] > MIN_TRANSITION_AREA].reset_index(drop=True)
    table["berubah"] = table["kode_lama"] != table["kode_baru"]
    sel = np.flatnonzero((frame["kode_lama"] != frame["kode_baru"]).to_numpy() & (area > MIN_TRANSITION_AREA))
    changed = gpd.GeoDataFrame(
        {"kode_lama": frame["kode_lama"].to_numpy()[sel], "kode_baru": frame["kode_baru"].to_numpy()[sel], "luas_m2": area[sel]},
        geometry=gpd.GeoSeries(geoms_arr[sel], crs=crs).values,
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

    Notes
    -----
    The steps: both zonings loaded in one metric CRS, the programs assessed under the old one and
    (those near a change, or all with a new matrix) under the new one, the statuses compared
    (:func:`_status_changes`), and the zone transitions measured (:func:`zone_transitions`).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    label = str(programs.attrs.get("source", "programs"))
    require_field(programs, id_field, label, "--id-field")
    crs = metric_crs([z.frame for z in as_zoning_inputs(zoning_old)])
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
    status = _status_changes(a, vb, crs)

    t = time.perf_counter()
    table, changed = zone_transitions(old, new, workers=workers)
    timings["transisi"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return RevisionResult(
        perubahan_status=status, transisi_zona=table, perubahan_zona=changed, issues=findings_frame(findings, crs), crs=crs, timings=timings,
        zoning_baru=new.zones[["zone_code", new.zones.geometry.name]],
    )
def _status_changes(a: ProgramVerdicts, vb: pd.DataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """The ``perubahan_status`` layer: each program's status, ITBX, score, dominant zone and keterangan
    under the old zoning (``a``) and the new one (``vb``), and whether they differ."""
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
    return status


