"""Reading vector layers through pyogrio (fiona as the alternative engine)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pyogrio
import shapely

from sppr_gis.crs import ensure_crs
from sppr_gis.errors import InputError, LayerError

__all__ = ["LayerSpec", "parse_layer_spec", "read_layer", "read_programs"]

Engine = Literal["pyogrio", "fiona"]


@dataclass(frozen=True)
class LayerSpec:
    """A layer named on the command line or in a config file.

    Parameters
    ----------
    path : Path
        The data source (file, zipped shapefile, folder).
    layer : str or None
        Layer name (``file.gpkg:layer``); ``None`` takes the only or first suitable layer.
    code : str or None
        A zone code given to every feature (``file.shp=R-2``), for zoning
        delivered as one file per class.
    """

    path: Path
    layer: str | None = None
    code: str | None = None

    @property
    def label(self) -> str:
        """Human-readable name used in messages: ``file.gpkg:layer``."""
        return f"{self.path}:{self.layer}" if self.layer else str(self.path)


def parse_layer_spec(spec: str | os.PathLike[str] | LayerSpec, base: Path | None = None) -> LayerSpec:
    """Parse ``path``, ``path:layer``, ``path=CODE`` or ``path:layer=CODE``.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        The text as given by the user.
    base : Path, optional
        Folder that relative paths are relative to (a config file's folder).

    Returns
    -------
    LayerSpec
    """
    if isinstance(spec, LayerSpec):
        return spec
    text = os.fspath(spec)
    code = None
    if "=" in text:
        text, code = text.rsplit("=", 1)
        code = code.strip() or None
    layer = None
    # 'C:\\x.gpkg' is a drive letter, not a layer separator.
    idx = text.rfind(":")
    if idx > 1 and not Path(text).exists():
        text, layer = text[:idx], text[idx + 1 :] or None
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    return LayerSpec(path=path, layer=layer, code=code)


PARQUET_SUFFIXES = {".parquet", ".geoparquet"}


def _read_parquet(spec: LayerSpec, assume_crs: str | None) -> gpd.GeoDataFrame:
    """GeoParquet through pyarrow (GDAL wheels often lack the Parquet driver)."""
    try:
        gdf = gpd.read_parquet(spec.path)
    except Exception as exc:
        raise InputError(f"{spec.path}: cannot be read as GeoParquet ({_short(exc)})") from exc
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    gdf = ensure_crs(gdf, str(spec.path), assume_crs)
    gdf.attrs["source"] = str(spec.path)
    return gdf


def _gdal_path(path: Path) -> str:
    p = str(path)
    if p.lower().endswith(".zip") and not p.startswith("/vsizip/"):
        return "/vsizip/" + os.path.abspath(p)
    return p


def _layers(spec: LayerSpec) -> list[tuple[str, str | None]]:
    try:
        return [(str(n), None if t is None else str(t)) for n, t in pyogrio.list_layers(_gdal_path(spec.path))]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError(f"{spec.path}: cannot be read as a vector data source ({_short(exc)})") from exc


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _choose_layer(spec: LayerSpec, want: Literal["polygon", "any"]) -> str | None:
    layers = _layers(spec)
    if not layers:
        raise LayerError(f"{spec.path}: the data source holds no layer")
    names = [n for n, _ in layers]
    if spec.layer is not None:
        if spec.layer not in names:
            raise LayerError(f"{spec.path}: no layer named '{spec.layer}' (layers: {', '.join(names)})")
        return spec.layer
    if len(layers) == 1:
        return None
    if want == "polygon":
        for name, gtype in layers:
            if gtype and "polygon" in gtype.lower():
                return name
        for name, gtype in layers:  # generic geometry layers may hold polygons
            if gtype is None or gtype.lower() in {"unknown", "geometry", "geometrycollection"}:
                return name
        raise LayerError(f"{spec.path}: no polygon layer (layers: {', '.join(names)}); name one as path:layer")
    return names[0]


def read_layer(
    spec: str | os.PathLike[str] | LayerSpec,
    *,
    want: Literal["polygon", "any"] = "any",
    assume_crs: str | None = None,
    encoding: str | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read one vector layer with its CRS checked.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        ``path`` or ``path:layer``; zipped shapefiles are read in place.
    want : {"polygon", "any"}
        Which layer to take when the source has several and none is named:
        the first polygon layer, or the first layer.
    assume_crs : str, optional
        CRS given to a layer that has none; without it such a layer is an error.
    encoding : str, optional
        Attribute encoding for sources that do not declare one (e.g. ``cp1252``
        for a legacy DBF without a ``.cpg``).
    engine : {"pyogrio", "fiona"}
        I/O engine.

    Returns
    -------
    geopandas.GeoDataFrame
        The features, 2-D geometries, with ``attrs["source"]`` set to the layer label.

    Raises
    ------
    InputError
        The file is missing or unreadable.
    LayerError
        The layer does not exist or is not suitable.
    CRSError
        The layer has no CRS and ``assume_crs`` was not given.
    """
    spec = parse_layer_spec(spec)
    if not spec.path.exists():
        raise InputError(f"{spec.path}: file not found")
    if spec.path.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(spec, assume_crs)
    layer = _choose_layer(spec, want)
    kwargs: dict[str, object] = {}
    if encoding:
        kwargs["encoding"] = encoding
    try:
        if engine == "fiona":
            gdf = gpd.read_file(_gdal_path(spec.path), layer=layer, engine="fiona", **kwargs)
        else:
            gdf = pyogrio.read_dataframe(_gdal_path(spec.path), layer=layer, **kwargs)
    except Exception as exc:
        raise InputError(f"{spec.label}: cannot be read ({_short(exc)})") from exc
    label = f"{spec.path}:{layer}" if layer else str(spec.path)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise LayerError(f"{label}: the layer has no geometry column")
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    gdf = ensure_crs(gdf, label, assume_crs)
    gdf.attrs["source"] = label
    return gdf


def read_programs(
    spec: str | os.PathLike[str] | LayerSpec,
    *,
    assume_crs: str | None = None,
    xy_fields: tuple[str, str] | None = None,
    wkt_field: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read a program list: a vector layer, or a CSV/XLSX table with coordinates or WKT.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        The file (``path:layer`` for layers; ``book.xlsx:Sheet`` for a sheet).
    assume_crs : str, optional
        CRS for layers without one; for tables, the CRS of the coordinates
        (default EPSG:4326).
    xy_fields : (str, str), optional
        Longitude and latitude (or x and y) column names of a table.
    wkt_field : str, optional
        Column of a table holding WKT geometries.
    sheet : str, optional
        Sheet of an Excel workbook (default: the ``:name`` of the spec or the first).
    encoding : str, optional
        Text encoding for CSV files and legacy DBFs.
    engine : {"pyogrio", "fiona"}
        I/O engine for vector layers.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per input row; rows whose coordinates cannot be used have a
        null geometry and are listed in ``attrs["findings"]``.
    """
    from sppr_gis.io.tables import TABLE_SUFFIXES, read_table

    spec = parse_layer_spec(spec)
    if spec.path.suffix.lower() in TABLE_SUFFIXES:
        return read_table(
            spec.path,
            sheet=sheet or spec.layer,
            xy_fields=xy_fields,
            wkt_field=wkt_field,
            crs=assume_crs or "EPSG:4326",
            encoding=encoding,
        )
    return read_layer(spec, want="any", assume_crs=assume_crs, encoding=encoding, engine=engine)
