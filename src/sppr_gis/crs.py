"""Choosing the metric CRS and the one CRS check shared by every two-layer operation."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from sppr_gis.errors import CRSError
from sppr_gis.i18n import _

__all__ = ["ensure_crs", "metric_crs", "to_metric", "outside_area_of_use", "check_programs_reach_zoning", "zoning_extent"]


def ensure_crs(gdf: gpd.GeoDataFrame, label: str, assume_crs: str | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` with a CRS, or raise naming the layer.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer as read.
    label : str
        File (and layer) name for the message.
    assume_crs : str, optional
        CRS to set when the layer has none (``EPSG:32648``). It never overrides
        a CRS the layer declares.

    Raises
    ------
    CRSError
        No CRS and no ``assume_crs``, or ``assume_crs`` is not a CRS, or it is
        geographic and every feature lies beyond +-180/+-90 (a projected layer).
    """
    if gdf.crs is not None:
        return gdf
    if not assume_crs:
        raise CRSError(_("{label}: the layer has no CRS; give it one (e.g. a .prj file) or pass --assume-crs EPSG:XXXX").format(label=label))
    try:
        crs = CRS.from_user_input(assume_crs)
    except Exception as exc:
        raise CRSError(_("--assume-crs {assume_crs!r} is not a CRS PROJ knows").format(assume_crs=assume_crs)) from exc
    if crs.is_geographic:
        bad = _beyond_lon_lat(np.asarray(gdf.geometry.values, dtype=object))
        if bad is not None:
            x, y = bad
            raise CRSError(
                _("{label}: the coordinates ({x:.10g}, {y:.10g}, and every feature's) are out of range for {assume_crs} ({name}, longitude/latitude in degrees) given by --assume-crs; they look projected (metres): give the layer's real CRS (e.g. --assume-crs EPSG:32748 for UTM 48S)").format(label=label, x=x, y=y, assume_crs=assume_crs, name=crs.name)
            )
    return gdf.set_crs(crs)


def _beyond_lon_lat(geoms: np.ndarray) -> tuple[float, float] | None:
    """A coordinate of the first feature when every non-empty feature has one beyond +-180/+-90, else None."""
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return None
    b = shapely.bounds(geoms[ok])
    with np.errstate(invalid="ignore"):
        beyond = (np.abs(b[:, [0, 2]]) > 180).any(axis=1) | (np.abs(b[:, [1, 3]]) > 90).any(axis=1)
    if not beyond.all():
        return None
    x, y = shapely.get_coordinates(geoms[ok][0])[0]
    return float(x), float(y)


def _is_metric(crs: CRS) -> bool:
    if not crs.is_projected:
        return False
    units = {(ax.unit_name or "").lower() for ax in crs.axis_info[:2]}
    return units <= {"metre", "meter", "m"}


def metric_crs(zoning: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame]) -> CRS:
    """The CRS in which areas and lengths are measured.

    The zoning's own CRS when it is projected in metres; otherwise the UTM zone
    (WGS 84) of the zoning's extent. Areas and lengths are never taken in degrees.

    Parameters
    ----------
    zoning : GeoDataFrame or sequence of GeoDataFrames
        The zoning layer(s); the first one's CRS decides when it is metric.

    Returns
    -------
    pyproj.CRS
    """
    frames = [zoning] if isinstance(zoning, gpd.GeoDataFrame) else list(zoning)
    frames = [f for f in frames if len(f)]
    if not frames:
        raise CRSError(_("the zoning is empty: no extent to choose a CRS from"))
    first = CRS.from_user_input(frames[0].crs)
    if _is_metric(first):
        return first
    bounds = []
    for f in frames:
        b = f.to_crs("EPSG:4326").total_bounds
        if np.all(np.isfinite(b)):
            bounds.append(b)
    if not bounds:
        raise CRSError(_("the zoning has no geometry: no extent to choose a UTM zone from"))
    b = np.array(bounds)
    w, s, e, n = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    lon, lat = (w + e) / 2.0, (s + n) / 2.0
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return CRS.from_epsg((32700 if lat < 0 else 32600) + zone)


def to_metric(gdf: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """Transform ``gdf`` into ``crs`` unless it is already there."""
    if gdf.crs is not None and CRS.from_user_input(gdf.crs) == crs:
        return gdf
    return gdf.to_crs(crs)


def outside_area_of_use(geoms: np.ndarray, crs: CRS, tolerance_deg: float = 0.5) -> np.ndarray:
    """Flag geometries whose position lies outside their CRS's area of use.

    Catches swapped latitude/longitude and coordinates typed in the wrong CRS.

    Parameters
    ----------
    geoms : array of shapely geometries
        In ``crs``.
    crs : pyproj.CRS
        Their CRS.
    tolerance_deg : float
        Margin around the area of use, in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True where the geometry's centre is outside (null/empty geometries: False).
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return out
    b = shapely.bounds(geoms[ok])
    x, y = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        lon, lat = x, y
        bad_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    else:
        with np.errstate(all="ignore"):
            t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            lon, lat = t.transform(x, y)
        bad_range = ~(np.isfinite(lon) & np.isfinite(lat))
    aou = crs.area_of_use
    if aou is not None:
        w, s, e, n = aou.bounds
        outside = (lon < w - tolerance_deg) | (lon > e + tolerance_deg) | (lat < s - tolerance_deg) | (lat > n + tolerance_deg)
    else:
        outside = np.zeros(len(lon), dtype=bool)
    out[ok] = bad_range | outside
    return out


#: How far beyond the zoning's extent (metres, at least; or the extent's own size when larger) a program
#: may lie before "no program is anywhere near the zoning" is read as a CRS mistake.
FAR_FROM_ZONING_M = 100_000.0


def zoning_extent(zoning: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame]) -> tuple[CRS, CRS, np.ndarray] | None:
    """What :func:`check_programs_reach_zoning` needs of the zoning as read (kept in the zoning cache).

    Parameters
    ----------
    zoning : GeoDataFrame or sequence of GeoDataFrames
        The zoning layer(s) as read.

    Returns
    -------
    (pyproj.CRS, pyproj.CRS, numpy.ndarray) or None
        The first layer's CRS, the metric CRS and each layer's bounds in it (finite ones, k x 4);
        None when no layer has features and a CRS.
    """
    frames = [zoning] if isinstance(zoning, gpd.GeoDataFrame) else list(zoning)
    frames = [f for f in frames if len(f) and f.crs is not None]
    if not frames:
        return None
    metric = metric_crs(frames)
    zb = np.array([_bounds_in(f, metric) for f in frames], dtype=float).reshape(-1, 4)
    return CRS.from_user_input(frames[0].crs), metric, zb[np.isfinite(zb).all(axis=1)]


def _bounds_in(frame: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """A layer's bounds in ``crs``: its own bounding box, densified (21 points an edge) and reprojected,
    instead of every vertex (890k on a provincial RTRWP); it holds the reprojected layer's bounds
    (up to the densification's curvature error, far below :data:`FAR_FROM_ZONING_M`)."""
    b = np.asarray(frame.total_bounds, dtype=float)
    src = CRS.from_user_input(frame.crs)
    if not np.isfinite(b).all() or src == crs:
        return b
    with np.errstate(all="ignore"):
        try:
            out = Transformer.from_crs(src, crs, always_xy=True).transform_bounds(*b, densify_pts=21, errcheck=False)
        except Exception:  # noqa: BLE001 - a box pyproj cannot project: every vertex, as before
            return np.asarray(frame.to_crs(crs).total_bounds, dtype=float)
    return np.asarray(out, dtype=float)


def check_programs_reach_zoning(
    programs: gpd.GeoDataFrame,
    zoning: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame],
    label: str,
    assume_crs: str | None = None,
    *,
    extent: tuple[CRS, CRS, np.ndarray] | None = None,
) -> None:
    """Stop when not one program lies anywhere near the zoning: almost surely a CRS mistake.

    A program counts as near when its bounding box reaches the zoning's extent widened by the
    larger of :data:`FAR_FROM_ZONING_M` and the extent's own size (a province's zoning reaches further).
    Programs a little outside the zoning are left to the checks (``program_di_luar_zonasi``).

    Parameters
    ----------
    programs : geopandas.GeoDataFrame
        The programs as read (with their CRS).
    zoning : GeoDataFrame or sequence of GeoDataFrames
        The zoning layer(s) as read; the first one's CRS is named in the message.
    label : str
        The programs' file name for the message.
    assume_crs : str, optional
        The ``--assume-crs`` given, named in the message when it set the programs' CRS.
    extent : tuple, optional
        :func:`zoning_extent` of the zoning, when it was not read this run (``zoning`` is then ignored).

    Raises
    ------
    CRSError
        Every program with a geometry lies far from the zoning's extent.
    """
    if programs.crs is None or not len(programs):
        return
    if extent is None:
        extent = zoning_extent(zoning)
    if extent is None:
        return
    zcrs, metric, zb = extent
    geoms = np.asarray(programs.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not len(zb) or not ok.any():
        return
    w, s, e, n = zb[:, 0].min(), zb[:, 1].min(), zb[:, 2].max(), zb[:, 3].max()
    margin = max(FAR_FROM_ZONING_M, e - w, n - s)
    b = shapely.bounds(geoms[ok])
    with np.errstate(all="ignore"):
        tr = Transformer.from_crs(CRS.from_user_input(programs.crs), metric, always_xy=True)
        xs, ys = [], []
        for cx, cy in ((0, 1), (2, 3), (0, 3), (2, 1)):  # the corners of every bounding box
            x, y = tr.transform(b[:, cx], b[:, cy], errcheck=False)
            xs.append(np.asarray(x, dtype=float))
            ys.append(np.asarray(y, dtype=float))
        xs, ys = np.array(xs), np.array(ys)
        near = (np.nanmax(xs, axis=0) >= w - margin) & (np.nanmin(xs, axis=0) <= e + margin)
        near &= (np.nanmax(ys, axis=0) >= s - margin) & (np.nanmin(ys, axis=0) <= n + margin)
    if near.any():
        return
    pcrs = CRS.from_user_input(programs.crs)
    if pcrs == zcrs:
        # the same CRS on both sides: not a CRS mistake of the programs (another zoning, another region);
        # each program is then judged and reported outside the zoning (program_di_luar_zonasi)
        return
    given = assume_crs or pcrs.to_string()
    zname = zcrs.to_string()
    raise CRSError(
        _("{label}: not one of the {n} program locations lies near the zoning (all are more than {km} km outside its extent): "
          "the programs' CRS {crs} is almost surely wrong; the zoning uses {zcrs}; try --assume-crs {zcrs}").format(
            label=label, n=int(ok.sum()), km=f"{margin / 1000:.0f}", crs=given, zcrs=zname
        )
    )
