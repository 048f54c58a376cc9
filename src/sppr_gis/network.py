"""Struktur ruang (network) conformance: do network programs follow the planned networks?

For each program whose activity is in the network map (activity -> the classes of
planned lines it must follow), with N the planned lines of those classes and D
the distance (default 25 m):

* a line: ``porsi_jaringan`` = length of {x on the program : d(x, N) <= D} / its
  length. Computed exactly (no vertex sampling, no buffer polygon): the points
  within D of a segment AB form a capsule (a rectangle and two discs), a convex
  set, so a straight program segment meets it in one interval of its own
  parameter, found from two linear and two quadratic inequalities. The intervals
  of a program segment against every planned segment within D are merged
  (a stretch near two planned lines counts once) and their lengths summed. A
  line that runs back over itself is measured as its point set, as in the
  engine;
* a point: 1 if it lies within D of N, else 0 (a multipoint: the fraction of
  its points that do);
* a polygon: the area of the program within D of N over its area, on a buffer
  of N with 64 segments per quarter circle (the buffer's chords lie inside the
  true distance band; the area lost is at most 1.2e-4 D² per buffer vertex arc).

``status_struktur``: ``sesuai`` when ``porsi_jaringan`` >= 0.9, ``sebagian`` when
> 0, ``di_luar_rencana`` when 0; empty for programs whose activity is not in the
map, or whose geometry is empty.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis import overlay
from sppr_gis.crs import ensure_crs, to_metric
from sppr_gis.engine import interval_union_length, linear_parts, program_parts, robust_union_rows
from sppr_gis.errors import FieldError, InputError, RulesError
from sppr_gis.i18n import _
from sppr_gis.rules import activity_key
from sppr_gis.vocabulary import DEFAULT_NETWORK_CLASS_FIELD, DEFAULT_NETWORK_DISTANCE, NETWORK_STATUSES

__all__ = [
    "DEFAULT_NETWORK_DISTANCE",
    "DEFAULT_NETWORK_CLASS_FIELD",
    "NETWORK_STATUSES",
    "read_network_map",
    "network_classes",
    "network_conformance",
    "length_within",
    "assess_network",
]

# DEFAULT_NETWORK_DISTANCE (metres, --network-distance), DEFAULT_NETWORK_CLASS_FIELD (--network-class-field) and
# NETWORK_STATUSES (status_struktur values) live in sppr_gis.vocabulary.
#: ``porsi_jaringan`` at or above this is ``sesuai``.
SESUAI_FROM = 0.9


def _class_key(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return " ".join(str(value).split()).casefold()


def read_network_map(path: str | os.PathLike[str]) -> dict[str, tuple[str, ...]]:
    """Read the map from activity to the network classes it must follow.

    A CSV (or XLSX) with columns ``kegiatan`` and ``kelas``, one row per pair (an
    activity may have several rows; ``kelas`` may also list several classes
    separated by ``;``).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    dict
        ``activity_key -> classes`` (as written).

    Raises
    ------
    InputError
        The file is missing or unreadable.
    RulesError
        A column is missing or a row lacks a class (the message names the row).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(_("{path}: network map file not found").format(path=path))
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            df = pd.read_excel(path, dtype=str).fillna("")
        else:
            df = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise InputError(_("{path}: cannot read the network map ({reason})").format(path=path, reason=str(exc).strip().splitlines()[0])) from exc
    cols = {str(c).strip().lower(): c for c in df.columns}
    if "kegiatan" not in cols or "kelas" not in cols:
        raise RulesError(_("{path}: the network map needs columns 'kegiatan' and 'kelas' (found: {columns})").format(path=path, columns=', '.join(map(str, df.columns))))
    out: dict[str, list[str]] = {}
    for r, (act, cls) in enumerate(zip(df[cols["kegiatan"]], df[cols["kelas"]])):
        key = activity_key(act)
        if not key:
            if str(cls).strip():
                raise RulesError(_("{path}: row {row}: class '{cls}' has no kegiatan").format(path=path, row=r + 2, cls=cls))
            continue
        classes = [c.strip() for c in str(cls).split(";") if c.strip()]
        if not classes:
            raise RulesError(_("{path}: row {row}: kegiatan '{act}' has no kelas").format(path=path, row=r + 2, act=act))
        for c in classes:
            if c not in out.setdefault(key, []):
                out[key].append(c)
    if not out:
        raise RulesError(_("{path}: the network map has no rows").format(path=path))
    return {k: tuple(v) for k, v in out.items()}


def network_classes(network: pd.DataFrame, class_field: str, label: str = "struktur_ruang") -> np.ndarray:
    """The class of every planned line (a column found case-insensitively).

    Raises
    ------
    FieldError
        The layer has no such field (the message lists its fields).
    """
    cols = {str(c).lower(): c for c in network.columns if c != getattr(network, "_geometry_column_name", None)}
    if class_field.lower() not in cols:
        raise FieldError(_("{label}: no field '{class_field}' (fields: {values}); name the class field with --network-class-field").format(label=label, class_field=class_field, values=', '.join(map(str, cols.values()))))
    return network[cols[class_field.lower()]].to_numpy(dtype=object)


def _segments(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments of single linestrings: start and end coordinates and the part of each."""
    xy, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    return xy[:-1][same], xy[1:][same], part[:-1][same]


def _capsule_interval(p0: np.ndarray, p1: np.ndarray, a: np.ndarray, b: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Parameter interval [lo, hi] ⊂ [0, 1] of p0 + t (p1 - p0) within ``d`` of segment ab (lo > hi: empty).

    All arguments are (n, 2) arrays; vectorized over rows.
    """
    v = p1 - p0
    lo = np.full(len(p0), np.inf)
    hi = np.full(len(p0), -np.inf)
    vv = np.einsum("ij,ij->i", v, v)
    # the two discs: |p0 + t v - c|^2 <= d^2
    for c in (a, b):
        w = p0 - c
        bq = 2.0 * np.einsum("ij,ij->i", v, w)
        cq = np.einsum("ij,ij->i", w, w) - d * d
        disc = bq * bq - 4.0 * vv * cq
        ok = (disc >= 0) & (vv > 0)
        root = np.sqrt(np.where(ok, disc, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            t1 = (-bq - root) / (2.0 * vv)
            t2 = (-bq + root) / (2.0 * vv)
        lo = np.where(ok, np.minimum(lo, t1), lo)
        hi = np.where(ok, np.maximum(hi, t2), hi)
    # the rectangle: 0 <= (p - a).u <= |ab| and |(p - a).n| <= d
    ab = b - a
    L = np.sqrt(np.einsum("ij,ij->i", ab, ab))
    has = L > 0
    u = np.where(has[:, None], ab / np.where(has, L, 1.0)[:, None], 0.0)
    nrm = np.stack([-u[:, 1], u[:, 0]], axis=1)
    w = p0 - a
    rlo = np.full(len(p0), -np.inf)
    rhi = np.full(len(p0), np.inf)
    for axis, lower, upper in ((u, 0.0, L), (nrm, -d, d)):
        s0 = np.einsum("ij,ij->i", w, axis)
        sv = np.einsum("ij,ij->i", v, axis)
        moving = sv != 0
        with np.errstate(invalid="ignore", divide="ignore"):
            ta = (lower - s0) / sv
            tb = (upper - s0) / sv
        enter = np.where(moving, np.minimum(ta, tb), np.where((s0 >= lower) & (s0 <= upper), -np.inf, np.inf))
        leave = np.where(moving, np.maximum(ta, tb), np.where((s0 >= lower) & (s0 <= upper), np.inf, -np.inf))
        rlo = np.maximum(rlo, enter)
        rhi = np.minimum(rhi, leave)
    rect = has & (rlo <= rhi)
    lo = np.where(rect, np.minimum(lo, rlo), lo)
    hi = np.where(rect, np.maximum(hi, rhi), hi)
    return np.clip(lo, 0.0, 1.0), np.where(hi < lo, -1.0, np.clip(hi, 0.0, 1.0))


def length_within(
    lines: np.ndarray,
    network: np.ndarray,
    distance: float,
    group: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact length of each line within ``distance`` of the network lines.

    Parameters
    ----------
    lines : array of (multi)linestrings
        Programs (metric CRS); self-overlapping lines are measured as their point set.
    network : array of (multi)linestrings
        The planned lines.
    distance : float
        Metres (>= 0).
    group : numpy.ndarray of int, optional
        A group (e.g. the activity) per line; with ``allowed``.
    allowed : numpy.ndarray of bool, optional
        ``allowed[g, j]``: lines of group g follow network line j (default: all do).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Length within the distance and total length, per line.
    """
    lines = np.asarray(lines, dtype=object)
    n = len(lines)
    ok = ~(shapely.is_missing(lines) | shapely.is_empty(lines))
    lines = lines.copy()
    nonsimple = np.flatnonzero(ok)[~shapely.is_simple(lines[ok])]
    if len(nonsimple):
        lines[nonsimple], _ = robust_union_rows(lines[nonsimple][:, None], what="programs")
    parts, owner = linear_parts(lines, np.arange(n))
    total = np.bincount(owner, weights=shapely.length(parts), minlength=n) if len(parts) else np.zeros(n)
    net_parts, net_owner = linear_parts(np.asarray(network, dtype=object), np.arange(len(network)))
    if not len(parts) or not len(net_parts):
        return np.zeros(n), total
    p0, p1, ppart = _segments(parts)
    a, b, npart = _segments(net_parts)
    seg_len = np.hypot(*(p1 - p0).T)
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    qi, ti = tree.query(shapely.linestrings(np.stack([p0, p1], axis=1)), predicate="dwithin", distance=float(distance))
    if allowed is not None and group is not None and len(qi):
        keep = np.asarray(allowed)[np.asarray(group)[owner[ppart[qi]]], net_owner[npart[ti]]]
        qi, ti = qi[keep], ti[keep]
    if not len(qi):
        return np.zeros(n), total
    lo, hi = _capsule_interval(p0[qi], p1[qi], a[ti], b[ti], float(distance))
    real = hi >= lo
    qi, lo, hi = qi[real], lo[real], hi[real]
    seg_in = interval_union_length(qi, lo * seg_len[qi], hi * seg_len[qi], len(p0))
    within = np.bincount(owner[ppart], weights=seg_in, minlength=n)
    return np.minimum(within, total), total


def network_conformance(
    geoms: np.ndarray,
    activities: pd.Series | np.ndarray,
    network_geoms: np.ndarray,
    network_class: np.ndarray,
    class_map: Mapping[str, tuple[str, ...]],
    *,
    distance: float = DEFAULT_NETWORK_DISTANCE,
) -> pd.DataFrame:
    """``porsi_jaringan`` and ``status_struktur`` per program.

    Parameters
    ----------
    geoms : array of shapely geometries
        Programs in a metric CRS (the network's too).
    activities : sequence
        Activity per program (positional).
    network_geoms : array of (multi)linestrings
        The planned lines.
    network_class : array
        Class of each planned line.
    class_map : mapping
        ``activity_key -> classes`` (:func:`read_network_map`).
    distance : float
        Metres (finite, >= 0).

    Returns
    -------
    pandas.DataFrame
        Positional: ``porsi_jaringan`` (0-1; NaN for other programs) and
        ``status_struktur`` (None for other programs). A GeometryCollection of
        several dimensions is judged part by part (its polygons, its lines, its
        points, as :func:`sppr_gis.engine.program_parts` splits it) and takes
        its least conforming part's ``porsi_jaringan``, so its status is the
        most restrictive of its parts' (every part counts).

    Notes
    -----
    The steps: the activities' allowed classes matched to the planned lines, then the share within
    ``distance`` measured by dimension: lines (:func:`length_within`), points (:func:`_points_porsi`),
    polygons (:func:`_polygons_porsi`).
    """
    if not (np.isfinite(float(distance)) and float(distance) >= 0.0):
        raise ValueError(_("network distance must be a finite number >= 0, got {distance}").format(distance=distance))
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    parts = program_parts(geoms)
    if len(parts.geoms) != n:
        acts = np.asarray(activities, dtype=object)[parts.owner]
        by_part = network_conformance(parts.geoms, acts, network_geoms, network_class, class_map, distance=distance)
        worst = pd.Series(by_part["porsi_jaringan"].to_numpy(float)).groupby(parts.owner).min()  # NaN only where every part is
        return _struktur_frame(worst.reindex(range(n)).to_numpy(float))
    keys = np.array([activity_key(a) for a in activities], dtype=object)
    cmap = {activity_key(k): {_class_key(c) for c in v} for k, v in class_map.items()}
    porsi = np.full(n, np.nan)
    mapped = np.array([k in cmap for k in keys], dtype=bool)
    ok = mapped & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    net_geoms = np.asarray(network_geoms, dtype=object)
    net_ok = ~(shapely.is_missing(net_geoms) | shapely.is_empty(net_geoms))
    net_geoms, ncls = net_geoms[net_ok], np.array([_class_key(c) for c in np.asarray(network_class, dtype=object)[net_ok]], dtype=object)
    # allowed[i, j] for each distinct activity: which planned lines it follows
    acts = sorted({k for k in keys[ok]})
    act_row = {k: r for r, k in enumerate(acts)}
    allow_act = np.array([[c in cmap[k] for c in ncls] for k in acts], dtype=bool).reshape(len(acts), len(ncls))
    dims = np.full(n, -1)
    dims[ok] = shapely.get_dimensions(geoms[ok])
    rows = np.array([act_row.get(k, -1) for k in keys], dtype=np.int64)

    line = np.flatnonzero(ok & (dims == 1))
    if len(line):
        within, total = length_within(geoms[line], net_geoms, distance, rows[line], allow_act)
        with np.errstate(invalid="ignore", divide="ignore"):
            porsi[line] = np.where(total > 0, within / total, np.nan)
    point = np.flatnonzero(ok & (dims == 0))
    if len(point):
        porsi[point] = _points_porsi(geoms, point, net_geoms, distance, allow_act, rows)
    poly = np.flatnonzero(ok & (dims == 2))
    _polygons_porsi(porsi, geoms, poly, keys, net_geoms, allow_act, act_row, distance)
    return _struktur_frame(porsi)


def _points_porsi(geoms: np.ndarray, point: np.ndarray, net_geoms: np.ndarray, distance: float, allow_act: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``porsi_jaringan`` of the point programs at ``point``: the share of their points within ``distance`` of a line they may follow."""
    parts, idx = shapely.get_parts(geoms[point], return_index=True)
    hit = np.zeros(len(parts), dtype=bool)
    if len(net_geoms):
        qi, ti = shapely.STRtree(net_geoms).query(parts, predicate="dwithin", distance=float(distance))
        good = allow_act[rows[point[idx[qi]]], ti]
        hit[np.unique(qi[good])] = True
    count = np.bincount(idx, minlength=len(point))
    return np.bincount(idx, weights=hit.astype(float), minlength=len(point)) / np.maximum(count, 1)


def _polygons_porsi(
    porsi: np.ndarray, geoms: np.ndarray, poly: np.ndarray, keys: np.ndarray, net_geoms: np.ndarray, allow_act: np.ndarray, act_row: dict[object, int], distance: float
) -> None:
    """``porsi_jaringan`` of the polygon programs at ``poly`` into ``porsi``: the share of their area within
    ``distance`` of the lines their activity may follow."""
    for k in sorted({keys[i] for i in poly}):
        at = poly[keys[poly] == k]
        sel = net_geoms[allow_act[act_row[k]]]
        area = shapely.area(geoms[at])
        if not len(sel):
            porsi[at] = np.where(area > 0, 0.0, np.nan)
            continue
        band = overlay.buffer(overlay.union_all(sel, what="struktur_ruang"), float(distance), quad_segs=64, what="struktur_ruang") if distance > 0 else None
        inside = shapely.area(overlay.intersection(geoms[at], band, what="programs")) if band is not None else np.zeros(len(at))
        with np.errstate(invalid="ignore", divide="ignore"):
            porsi[at] = np.where(area > 0, inside / area, np.nan)


def _struktur_frame(porsi: np.ndarray) -> pd.DataFrame:
    """``porsi_jaringan`` (clipped to 0-1) and its ``status_struktur``."""
    porsi = np.where(np.isnan(porsi), np.nan, np.clip(porsi, 0.0, 1.0))
    status = np.full(len(porsi), None, dtype=object)
    has = ~np.isnan(porsi)
    status[has] = np.where(porsi[has] >= SESUAI_FROM, "sesuai", np.where(porsi[has] > 0, "sebagian", "di_luar_rencana"))
    return pd.DataFrame({"porsi_jaringan": porsi, "status_struktur": pd.array(status, dtype="string")})


def assess_network(
    programs: gpd.GeoDataFrame,
    network: gpd.GeoDataFrame,
    class_map: Mapping[str, tuple[str, ...]],
    *,
    class_field: str = DEFAULT_NETWORK_CLASS_FIELD,
    distance: float = DEFAULT_NETWORK_DISTANCE,
    activity_field: str = "kegiatan",
    label: str | None = None,
) -> pd.DataFrame:
    """Struktur ruang conformance of assessed programs (e.g. ``CheckResult.programs``).

    Parameters
    ----------
    programs : geopandas.GeoDataFrame
        Programs in a metric CRS; the activity is ``kegiatan_itbx`` (the
        matrix's name) where set, else ``activity_field``.
    network : geopandas.GeoDataFrame
        Planned network lines with a CRS (transformed into the programs' CRS).
    class_map : mapping
        ``activity -> classes`` (:func:`read_network_map`).
    class_field : str
        Class field of ``network`` (case-insensitive).
    distance : float
        Metres.
    activity_field : str
        Activity column of ``programs`` used where ``kegiatan_itbx`` is empty.
    label : str, optional
        Name of the network layer in messages (default ``attrs["source"]``).

    Returns
    -------
    pandas.DataFrame
        Positional ``porsi_jaringan`` and ``status_struktur``.

    Raises
    ------
    CRSError, FieldError
    """
    name = label or str(network.attrs.get("source", "struktur_ruang"))
    network = to_metric(ensure_crs(network, name), programs.crs)
    classes = network_classes(network, class_field, name)
    acts = pd.Series([None] * len(programs), dtype=object)
    if activity_field in programs.columns:
        acts = programs[activity_field].astype(object).reset_index(drop=True)
    if "kegiatan_itbx" in programs.columns:
        named = programs["kegiatan_itbx"].astype(object).reset_index(drop=True)
        acts = named.where(named.notna(), acts)
    geoms = shapely.force_2d(np.asarray(programs.geometry.array, dtype=object))
    bad = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_valid(geoms))
    if len(bad):
        geoms[bad] = overlay.make_valid(geoms[bad], method="linework", what=str(programs.attrs.get("source", "programs")), ids=[f"#{i + 1}" for i in bad])
    return network_conformance(geoms, acts, np.asarray(network.geometry.array, dtype=object), classes, class_map, distance=distance)
