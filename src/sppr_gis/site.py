"""One location at a time (``sppr site``), and programs against a zoning loaded once.

:func:`load_zoning` combines and repairs the zoning once and builds the engine's
:class:`~sppr_gis.engine.ZoneIndex` (without the whole-zoning topology check,
which is QA: the index tests the overlap of exactly the zone pairs a polygon
program meets). :func:`assess_programs` then runs the steps of
:func:`sppr_gis.pipeline.check` on any number of programs: transform and repair,
the engine's shares, the activities (SIPD code mapping included) and the verdict
step :func:`sppr_gis.pipeline.judge`, so a program gets exactly the answer
``sppr check`` gives it. :func:`check_site` is that for one shapely geometry, with
relocation advice when the answer is ``tidak_sesuai``.

>>> from sppr_gis.site import load_zoning, check_site                       # doctest: +SKIP
>>> z = load_zoning(read_layer("data/sample/zoning.gpkg:rdtr_subzona"))       # doctest: +SKIP
>>> check_site(z, Point(104.45, 0.92), "pembangunan_sekolah", rules).status  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from sppr_gis.crs import ensure_crs, metric_crs
from sppr_gis.engine import DEFAULT_MAX_VERTICES, ZoneIndex, program_parts
from sppr_gis.errors import CRSError, FieldError
from sppr_gis.i18n import _
from sppr_gis.pipeline import judge, prepare_programs, prepare_zoning, program_activities
from sppr_gis.relocation import DEFAULT_RELOCATION_DISTANCE, PermittedZones, relocation_advice
from sppr_gis.rules import Rules, activity_key
from sppr_gis.schema import find_field
from sppr_gis.validate import Finding, duplicate_ids, frame_ids
from sppr_gis.zoning import ZoningInput, as_zoning_inputs

__all__ = ["LoadedZoning", "ProgramVerdicts", "SiteAnswer", "load_zoning", "assess_programs", "check_site"]


@dataclass
class LoadedZoning:
    """A zoning ready for repeated assessments.

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        Combined, repaired zones: ``zone_code``, ``zone_source``, ``zone_fid``, geometry.
    crs : pyproj.CRS
        The metric CRS (the zoning's own when projected, else the UTM zone of its extent).
    index : ZoneIndex
        The engine's index over the zones.
    findings : list of Finding
        Findings of the preparation (repairs, features left out).
    label : str
        The zoning's name in findings.
    seconds : float
        Time spent loading.
    """

    zones: gpd.GeoDataFrame
    crs: CRS
    index: ZoneIndex
    findings: list[Finding]
    label: str
    seconds: float = 0.0
    _permitted: dict[int, PermittedZones] = field(default_factory=dict, repr=False)

    def permitted(self, rules: Rules) -> PermittedZones:
        """The per-activity index of permitted zones for ``rules`` (built once per rules object)."""
        key = id(rules)
        if key not in self._permitted:
            self._permitted[key] = PermittedZones(np.asarray(self.zones.geometry.array, dtype=object), self.zones["zone_code"].to_numpy(dtype=object), rules)
        return self._permitted[key]


def load_zoning(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zone_field: str | None = None,
    *,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    crs: CRS | None = None,
) -> LoadedZoning:
    """Combine and repair the zoning and build its index, once.

    Parameters
    ----------
    zoning : GeoDataFrame, ZoningInput or a sequence of them
        As for :func:`sppr_gis.pipeline.check`.
    zone_field : str, optional
        Zone code field (default: first present of KODSZN, KODZON, KODKWS).
    max_vertices : int
        Zone parts with more vertices are cut before intersecting.
    crs : pyproj.CRS, optional
        Metric CRS to work in (default: the zoning's own when projected, else
        the UTM zone of its extent).

    Returns
    -------
    LoadedZoning

    Raises
    ------
    CRSError, FieldError, LayerError
    """
    t0 = time.perf_counter()
    inputs = as_zoning_inputs(zoning)
    crs = metric_crs([z.frame for z in inputs]) if crs is None else CRS.from_user_input(crs)
    zones, findings = prepare_zoning(inputs, crs, zone_field)
    index = ZoneIndex(np.asarray(zones.geometry.array, dtype=object), zones["zone_code"].to_numpy(dtype=object), max_vertices=max_vertices)
    sources = zones["zone_source"].to_numpy(dtype=object)
    label = str(sources[0]) if len(set(sources)) <= 1 and len(sources) else "zoning"
    return LoadedZoning(zones=zones, crs=crs, index=index, findings=findings, label=label, seconds=time.perf_counter() - t0)


@dataclass
class ProgramVerdicts:
    """What :func:`assess_programs` returns (positional, one row per program).

    Attributes
    ----------
    verdict : pandas.DataFrame
        ``status``, ``itbx``, ``score``, ``dominant_zone``, ``unzoned_share``,
        ``zones``, ``syarat``, ``keterangan`` (as :func:`sppr_gis.conformance.assess`).
    shares : pandas.DataFrame
        Zone shares: ``prog``, ``zone_code``, ``measure``, ``share``, ``itbx``, ``cell``, ``counted``.
    ids : numpy.ndarray
        Program ids.
    activities : pandas.Series
        Activity per program (after SIPD code mapping).
    geoms : numpy.ndarray
        The measured (repaired, metric) geometries.
    out_geoms : numpy.ndarray
        The geometries as given, in the metric CRS.
    findings : list of Finding
    """

    verdict: pd.DataFrame
    shares: pd.DataFrame
    ids: np.ndarray
    activities: pd.Series
    geoms: np.ndarray
    out_geoms: np.ndarray
    findings: list[Finding]


def assess_programs(
    zoning: LoadedZoning,
    programs: gpd.GeoDataFrame,
    rules: Rules,
    *,
    activity_field: str = "kegiatan",
    id_field: str = "program_id",
    code_field: str = "kode",
    min_share: float = 0.01,
    workers: int | None = None,
    programs_label: str | None = None,
) -> ProgramVerdicts:
    """Status, ITBX class, score and shares of programs against a loaded zoning (as ``sppr check``).

    Parameters
    ----------
    zoning : LoadedZoning
    programs : geopandas.GeoDataFrame
        Points, lines and polygons with a CRS.
    rules : Rules
    activity_field, id_field, code_field : str
        As for :func:`sppr_gis.pipeline.check` (a missing id field numbers the rows).
    min_share : float
    workers : int, optional
        Threads for the engine.
    programs_label : str, optional
        Name of the programs in findings.

    Returns
    -------
    ProgramVerdicts

    Raises
    ------
    CRSError, FieldError
    """
    if not 0.0 < float(min_share) <= 1.0:
        raise ValueError(_("min_share must be in (0, 1], got {min_share}").format(min_share=min_share))
    label = programs_label or str(programs.attrs.get("source", "programs"))
    programs = ensure_crs(programs, label)
    cols = [str(c) for c in programs.columns]
    act_col = find_field(cols, activity_field)
    code_col = find_field(cols, code_field)
    if act_col is None and not (rules.code_map and code_col):
        raise FieldError(_("{label}: no field '{activity_field}' (fields: {cols}); name the right one with --activity-field").format(label=label, activity_field=activity_field, cols=', '.join(cols)))
    id_col = find_field(cols, id_field)
    ids = frame_ids(programs, id_col)
    out_geoms, work, reason, findings = prepare_programs(programs, zoning.crs, ids, label, programs.attrs.get("findings", []))
    if id_col is not None:
        findings.extend(duplicate_ids(programs[id_col], label, id_col))
    parts = program_parts(work, out_geoms)  # a collection's polygons, lines and points are measured apart
    res = zoning.index.shares(parts.geoms, workers=workers)
    acts = program_activities(programs, act_col, code_col, rules)
    verdict, shares, fnd = judge(res, acts, rules, work, ids, label, min_share=min_share, empty_reason=reason, parts=parts)
    findings.extend(fnd)
    return ProgramVerdicts(verdict=verdict, shares=shares, ids=ids, activities=acts, geoms=work, out_geoms=out_geoms, findings=findings)


@dataclass
class SiteAnswer:
    """The answer for one location (as ``sppr check`` gives it, plus relocation advice).

    Attributes
    ----------
    status, itbx, score, dominant_zone, keterangan :
        As in the ``programs`` layer (``itbx``/``dominant_zone`` None and
        ``score`` NaN where empty).
    zone_shares : list of dict
        ``{zone_code, share, itbx}`` per zone code the location touches (per part of a
        GeometryCollection, with ``bagian``: ``poligon``, ``garis`` or ``titik``).
    saran_relokasi : dict or None
        When ``tidak_sesuai``: ``zone_code``, ``jarak_m`` (None beyond the
        distance), ``keterangan``, and the nearest point as ``x``/``y`` (metric
        CRS) and ``lon``/``lat``.
    crs : pyproj.CRS
        The metric CRS.
    geometry : shapely geometry
        The location in ``crs``.
    syarat : str
        The conditions of the counted cells with their texts (``B2: ...``), as the ``syarat``
        column of ``sppr check``; empty when none.
    """

    status: str
    itbx: str | None
    score: float
    dominant_zone: str | None
    keterangan: str
    zone_shares: list[dict[str, Any]]
    saran_relokasi: dict[str, Any] | None
    crs: CRS
    geometry: Any
    syarat: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object (no NaN: empty values are None)."""
        return {
            "status": self.status,
            "itbx": self.itbx,
            "score": None if self.score is None or np.isnan(self.score) else float(self.score),
            "dominant_zone": self.dominant_zone,
            "keterangan": self.keterangan,
            "syarat": self.syarat,
            "zone_shares": self.zone_shares,
            "saran_relokasi": self.saran_relokasi,
        }


def _none(v: object) -> Any:
    return None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v


def check_site(
    zoning: LoadedZoning,
    geometry: Any,
    activity: str,
    rules: Rules,
    *,
    crs: object = "EPSG:4326",
    min_share: float = 0.01,
    relocation_distance: float = DEFAULT_RELOCATION_DISTANCE,
) -> SiteAnswer:
    """Assess one point, line or polygon for one activity: the answer ``sppr check`` gives it.

    Parameters
    ----------
    zoning : LoadedZoning
        From :func:`load_zoning`.
    geometry : shapely geometry
        The location, in ``crs``.
    activity : str
        The activity, as in the ITBX matrix.
    rules : Rules
    crs : CRS-like
        CRS of ``geometry`` (default EPSG:4326, lon/lat).
    min_share : float
    relocation_distance : float
        Metres: relocation advice only within it.

    Returns
    -------
    SiteAnswer

    Raises
    ------
    CRSError
        ``crs`` is not a CRS.
    """
    try:
        src = CRS.from_user_input(crs)
    except Exception:
        raise CRSError(_("'{crs}' is not a CRS (try EPSG:4326 or EPSG:32648)").format(crs=crs)) from None
    frame = gpd.GeoDataFrame({"program_id": ["site"], "kegiatan": [activity]}, geometry=[geometry], crs=src)
    _check_site_crs(frame, zoning)
    pv = assess_programs(zoning, frame, rules, min_share=min_share, workers=1, programs_label="site")
    v = pv.verdict.iloc[0]
    sh = pv.shares
    # a collection's shares come per part; "bagian" names it (absent for a single geometry)
    shares = [
        {"zone_code": str(z), "share": float(s), "itbx": _none(i), **({"bagian": str(b)} if _none(b) is not None else {})}
        for z, s, i, b in zip(sh["zone_code"], sh["share"], sh["itbx"], sh["bagian"])
    ]
    advice = None
    if v["status"] == "tidak_sesuai":
        name = rules.activities.get(activity_key(activity), activity)
        progs = gpd.GeoDataFrame({"program_id": ["site"], "kegiatan_itbx": [name], "status": ["tidak_sesuai"]}, geometry=list(pv.geoms), crs=zoning.crs)
        rel = relocation_advice(progs, zoning.permitted(rules), rules, max_distance=relocation_distance)
        r = rel.iloc[0]
        pt = rel.geometry.iloc[0]
        advice = {"zone_code": _none(r["zone_code"]), "jarak_m": _none(r["jarak_m"]), "keterangan": r["keterangan"], "x": None, "y": None, "lon": None, "lat": None}
        if pt is not None and not pt.is_empty:
            lonlat = gpd.GeoSeries([pt], crs=zoning.crs).to_crs(4326).iloc[0]
            advice.update(x=pt.x, y=pt.y, lon=lonlat.x, lat=lonlat.y)
    return SiteAnswer(
        status=str(v["status"]),
        itbx=_none(v["itbx"]),
        score=float(v["score"]) if _none(v["score"]) is not None else float("nan"),
        dominant_zone=_none(v["dominant_zone"]),
        keterangan=str(v["keterangan"]),
        zone_shares=shares,
        saran_relokasi=advice,
        crs=zoning.crs,
        geometry=pv.out_geoms[0],
        syarat=str(_none(v["syarat"]) or ""),
    )


def _check_site_crs(frame: gpd.GeoDataFrame, zoning: LoadedZoning) -> None:
    """Stop when the location cannot be in its CRS (metres given as lon/lat) or lies far from the zoning."""
    from sppr_gis.crs import _beyond_lon_lat, check_programs_reach_zoning

    src = CRS.from_user_input(frame.crs)
    zcrs = zoning.zones.crs.to_string() if zoning.zones.crs is not None else zoning.crs.to_string()
    if src.is_geographic and _beyond_lon_lat(np.asarray(frame.geometry.values, dtype=object)) is not None:
        raise CRSError(_("the coordinates of the location look like metres, not longitude/latitude: give their CRS with --crs (the zoning uses {zcrs})").format(zcrs=zcrs))
    check_programs_reach_zoning(frame, zoning.zones, _("the location"))
