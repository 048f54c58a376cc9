"""A fast reader of plain GeoJSON polygon FeatureCollections (issue 18: the real RTRWP's read).

GDAL's GeoJSON driver parses a 40 MB provincial zoning file in about a second on one core. Here the
file is parsed by orjson and its polygons built by shapely's vectorized constructor from flat
coordinate arrays, in about two thirds of that. Only the plain case is read here, with the
attributes typed as pyogrio (GDAL) types them; :func:`read_plain_geojson` returns ``None`` for
anything else, and the caller reads the file with pyogrio as before:

- a FeatureCollection with only ``type``, ``name``, ``crs``, ``bbox`` and ``features`` members,
  its CRS named as GDAL reads it as EPSG:4326 (``urn:ogc:def:crs:OGC:1.3:CRS84``, ``EPSG:4326``,
  ``urn:ogc:def:crs:EPSG::4326``), or absent with 2-D positions only;
- features with only ``type``, ``geometry``, ``properties``, ``bbox`` and an integer ``id``
  (GDAL's FID, not a column);
- geometries null, ``Polygon`` or ``MultiPolygon``, none empty, every ring closed and of at least
  four positions of numbers (a third and later member, the Z and anything after, is dropped: the
  reader makes geometries 2-D anyway);
- properties null or objects whose keys come in the same order in every feature (GDAL orders
  differing key lists its own way), no ``id`` key beside a feature id, no two keys equal but
  for case; each property's values all null, or all text (none that GDAL would read as a date or
  time), or all integers (int32, else int64; float64 with NaN where some are null), or integers and
  reals (float64). Booleans, lists and objects are not read here.
"""

from __future__ import annotations

import os
import re
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

#: Files smaller than this are read by pyogrio (the gain is in large files).
MIN_BYTES = 1 << 20

#: CRS names GDAL reads as EPSG:4326 whatever the positions' dimension (without a CRS member, 3-D
#: positions are EPSG:4979; "OGC:CRS84" stays OGC:CRS84, "CRS84" of 3-D positions is EPSG:4979).
_CRS_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:6.6:4326",
}
_TOP_KEYS = {"type", "name", "crs", "bbox", "features"}
_FEATURE_KEYS = {"type", "geometry", "properties", "bbox", "id"}
#: Text GDAL may read as a date, a time or a date-time (OGRParseDate): left to GDAL.
_DATE_LIKE = re.compile(r"^\s*(?:[+-]?\d{1,5}\s*[-/]\s*\d{1,2}|\d{1,2}\s*:\s*\d{1,2})")
_INT32 = (-(2**31), 2**31 - 1)


class _NotPlain(Exception):
    """The file is not the plain case: read it with pyogrio."""


def read_plain_geojson(path: str | os.PathLike[str], min_bytes: int = MIN_BYTES) -> pd.DataFrame | None:
    """A plain GeoJSON polygon FeatureCollection read as pyogrio reads it, 2-D; None for any other file.

    Parameters
    ----------
    path : str or path-like
        A ``.geojson`` (or FeatureCollection ``.json``) file.
    min_bytes : int
        Smaller files are not read here (None).

    Returns
    -------
    geopandas.GeoDataFrame or None
        The attributes typed as :func:`pyogrio.read_dataframe` types them and the geometries
        (``geometry``, EPSG:4326, Z dropped); None when orjson is not installed, pandas is older
        than 3, the file is smaller than ``min_bytes`` or not the plain case (see the module's notes).
    """
    try:
        import orjson
    except ImportError:
        return None
    if int(pd.__version__.split(".")[0]) < 3:
        return None  # text columns typed as pandas 3's pyogrio gives them (str, NaN for null) only
    path = Path(path)
    try:
        if path.stat().st_size < min_bytes:
            return None
        with open(path, "rb") as fh:
            data = orjson.loads(fh.read())
    except (OSError, orjson.JSONDecodeError):
        return None  # pyogrio says what is wrong
    try:
        return _frame(data)
    except (_NotPlain, TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
        return None


def _frame(data: Any) -> pd.DataFrame:
    import geopandas as gpd

    if type(data) is not dict or data.get("type") != "FeatureCollection" or not set(data) <= _TOP_KEYS:
        raise _NotPlain
    crs = data.get("crs")
    if crs is not None and not (
        type(crs) is dict and crs.get("type") == "name" and type(crs.get("properties")) is dict and crs["properties"].get("name") in _CRS_NAMES
    ):
        raise _NotPlain
    features = data["features"]
    if type(features) is not list or not features:
        raise _NotPlain
    props: list[dict[str, Any]] = []
    keys: tuple[str, ...] | None = None
    has_id = False
    for f in features:
        if type(f) is not dict or f.get("type") != "Feature" or not set(f) <= _FEATURE_KEYS:
            raise _NotPlain
        if "id" in f:
            if type(f["id"]) is not int:
                raise _NotPlain
            has_id = True
        p = f.get("properties")
        if p is None:
            p = {}
        elif type(p) is not dict:
            raise _NotPlain
        if p:
            k = tuple(p)
            if keys is None:
                keys = k
            elif k != keys:
                raise _NotPlain
        props.append(p)
    keys = keys or ()
    folded = {k.casefold() for k in keys}
    if len(folded) != len(keys) or "" in keys or (has_id and "id" in folded):
        raise _NotPlain
    columns = {k: _column([p.get(k) for p in props]) for k in keys}
    geoms = _geometries([f.get("geometry") for f in features], flat_only=crs is None)
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values, crs="EPSG:4326")


def _column(values: list[Any]) -> Any:
    """One property's values typed as GDAL's GeoJSON driver and pyogrio type them (or _NotPlain)."""
    kinds = {type(v) for v in values}
    kinds.discard(type(None))
    nulls = any(v is None for v in values)
    if not kinds:
        return np.array(values, dtype=object)  # a field null in every feature: GDAL's String, as None
    if kinds == {str}:
        if any(_DATE_LIKE.match(v) for v in values if v is not None):
            raise _NotPlain
        return pd.array(values, dtype=pd.StringDtype(na_value=np.nan))
    if kinds == {int}:
        lo, hi = min(v for v in values if v is not None), max(v for v in values if v is not None)
        if nulls:
            return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        return np.array(values, dtype=np.int32 if _INT32[0] <= lo and hi <= _INT32[1] else np.int64)
    if kinds <= {int, float}:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    raise _NotPlain


def _geometries(geometries: list[Any], flat_only: bool = False) -> np.ndarray:
    """Null, Polygon and MultiPolygon geometries from their GeoJSON members, 2-D (or _NotPlain; with
    ``flat_only`` also where a position has more than two members)."""
    out = np.empty(len(geometries), dtype=object)
    kinds = ("Polygon", "MultiPolygon")
    # per kind: the feature rows, the flat coordinates and the offsets of rings, polygons, multipolygons
    rows: dict[str, list[int]] = {k: [] for k in kinds}
    xs: dict[str, array[float]] = {k: array("d") for k in kinds}
    ys: dict[str, array[float]] = {k: array("d") for k in kinds}
    ring_ends: dict[str, list[int]] = {k: [0] for k in kinds}
    poly_ends: dict[str, list[int]] = {k: [0] for k in kinds}
    multi_ends: list[int] = [0]
    for row, g in enumerate(geometries):
        if g is None:
            continue
        if type(g) is not dict or not set(g) <= {"type", "coordinates", "bbox"}:
            raise _NotPlain
        kind = g.get("type")
        coords = g.get("coordinates")
        if kind not in rows or type(coords) is not list or not coords:
            raise _NotPlain
        gx, gy, rings, polys = xs[kind], ys[kind], ring_ends[kind], poly_ends[kind]
        for poly in coords if kind == "MultiPolygon" else [coords]:
            if type(poly) is not list or not poly:
                raise _NotPlain
            for ring in poly:
                if type(ring) is not list or len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                    raise _NotPlain
                if flat_only and any(len(c) != 2 for c in ring):
                    raise _NotPlain  # without a CRS member GDAL reads 3-D positions as EPSG:4979
                gx.extend([c[0] for c in ring])  # TypeError (to pyogrio) on anything but numbers
                gy.extend([c[1] for c in ring])
                rings.append(len(gx))
            polys.append(len(rings) - 1)
        if kind == "MultiPolygon":
            multi_ends.append(len(polys) - 1)
        rows[kind].append(row)
    for kind in kinds:
        if not rows[kind]:
            continue
        xy = np.column_stack([np.frombuffer(xs[kind], dtype=np.float64), np.frombuffer(ys[kind], dtype=np.float64)])
        if not np.isfinite(xy).all():
            raise _NotPlain
        offsets = [np.array(ring_ends[kind], dtype=np.int64), np.array(poly_ends[kind], dtype=np.int64)]
        if kind == "MultiPolygon":
            offsets.append(np.array(multi_ends, dtype=np.int64))
        type_id = shapely.GeometryType.MULTIPOLYGON if kind == "MultiPolygon" else shapely.GeometryType.POLYGON
        out[rows[kind]] = shapely.from_ragged_array(type_id, xy, tuple(offsets))
    return out
