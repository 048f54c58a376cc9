"""Program lists as tables (CSV, XLSX): points from coordinate columns, shapes from WKT."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.errors import CRSError, FieldError, InputError
from sppr_gis.validate import Finding

__all__ = ["read_table", "parse_coordinate", "TABLE_SUFFIXES", "LON_NAMES", "LAT_NAMES", "WKT_NAMES"]

TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x")
LAT_NAMES = ("lat", "latitude", "lintang", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "geometri")

_DMS = re.compile(
    r"""^\s*(?P<h1>[NSEWUTSB])?\s*(?P<d>-?\d+(?:[.,]\d+)?)\s*[°d:\s]\s*(?:(?P<m>\d+(?:[.,]\d+)?)\s*['′m:\s]?\s*)?"""
    r"""(?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:["″s]|'')?\s*)?(?P<h2>[NSEWUTSB])?\s*$""",
    re.IGNORECASE,
)


def parse_coordinate(value: object) -> float:
    """Parse one coordinate as typed by hand.

    Accepts numbers, decimal commas (``"104,4521"``), and degrees-minutes-seconds
    with a hemisphere letter in English or Indonesian (``104°27'7.5"E``, ``0°55'LU``
    is not supported but ``0°55'N`` and ``0 55 12 S`` are; ``LS``/``BT`` style
    suffixes ``S``/``T``/``B`` are read as South/East/West).

    Parameters
    ----------
    value : object
        Cell content.

    Returns
    -------
    float
        The value in decimal degrees (or units of the CRS), NaN when blank.

    Raises
    ------
    ValueError
        The text is not a coordinate.
    """
    if value is None:
        return float("nan")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null", "-"}:
        return float("nan")
    plain = text.replace(" ", "")
    if re.fullmatch(r"[-+]?\d+,\d+", plain):
        return float(plain.replace(",", "."))
    if re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", plain):
        return float(plain)
    m = _DMS.match(text)
    if m and (m.group("m") or m.group("s") or "°" in text):
        deg = float(m.group("d").replace(",", "."))
        minutes = float((m.group("m") or "0").replace(",", "."))
        seconds = float((m.group("s") or "0").replace(",", "."))
        val = abs(deg) + minutes / 60.0 + seconds / 3600.0
        hemi = (m.group("h1") or m.group("h2") or "").upper()
        if deg < 0 or hemi in {"S", "W", "B"}:
            val = -val
        return val
    raise ValueError(f"not a coordinate: {text!r}")


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _read_frame(path: Path, sheet: str | None, encoding: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            book = pd.ExcelFile(path)
            name = sheet if sheet is not None else book.sheet_names[0]
            if name not in book.sheet_names:
                raise InputError(f"{path}: no sheet named '{name}' (sheets: {', '.join(map(str, book.sheet_names))})")
            return pd.read_excel(book, sheet_name=name, dtype=object)
        for enc in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
            try:
                return pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=enc)
            except UnicodeDecodeError:
                continue
        raise InputError(f"{path}: text is neither UTF-8 nor cp1252; pass the encoding")
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as a table ({str(exc).strip().splitlines()[0]})") from exc


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    xy_fields: tuple[str, str] | None = None,
    wkt_field: str | None = None,
    crs: str = "EPSG:4326",
    encoding: str | None = None,
    require_geometry: bool = True,
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel program list into a GeoDataFrame.

    Geometry comes from coordinate columns found by name (``lon``/``lng``/
    ``longitude``/``bujur``/``x`` and ``lat``/``latitude``/``lintang``/``y``,
    any case) or named by ``xy_fields``, and/or from a ``wkt``/``geometry``
    column. Where a row has both, the WKT wins. Rows whose coordinates are
    blank, unreadable or outside the valid range keep a null geometry and are
    reported in ``attrs["findings"]`` (a list of :class:`~sppr_gis.validate.Finding`).

    Parameters
    ----------
    path : str or Path
        The table.
    sheet : str, optional
        Excel sheet (default: the first).
    xy_fields : (str, str), optional
        ``(lon, lat)`` column names.
    wkt_field : str, optional
        WKT column name.
    crs : str
        CRS of the coordinates (default EPSG:4326).
    encoding : str, optional
        CSV text encoding (default: UTF-8, then cp1252).
    require_geometry : bool
        When False, a table without coordinate or WKT columns is read with
        null geometries (places given only as text, e.g. a ``lokasi`` column)
        instead of raising.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputError, FieldError, CRSError
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        crs_obj = CRS.from_user_input(crs)
    except Exception as exc:
        raise CRSError(f"{path}: {crs!r} is not a CRS PROJ knows") from exc
    df = _read_frame(path, sheet, encoding)
    label = f"{path}:{sheet}" if sheet else str(path)
    cols = [str(c) for c in df.columns]
    df.columns = cols
    if xy_fields:
        for f in xy_fields:
            if f not in cols:
                raise FieldError(f"{label}: no column '{f}' (columns: {', '.join(cols)})")
        xcol, ycol = xy_fields
    else:
        xcol, ycol = _find(cols, LON_NAMES), _find(cols, LAT_NAMES)
        if (xcol is None) != (ycol is None):
            raise FieldError(f"{label}: found coordinate column '{xcol or ycol}' but not its pair; name both with --xy-fields LON,LAT")
    wcol = wkt_field or _find(cols, WKT_NAMES)
    if wkt_field and wkt_field not in cols:
        raise FieldError(f"{label}: no column '{wkt_field}' (columns: {', '.join(cols)})")
    if xcol is None and wcol is None and not require_geometry:
        out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df), crs=crs_obj).values, crs=crs_obj)
        out.attrs["source"] = label
        out.attrs["findings"] = []
        return out
    if xcol is None and wcol is None:
        raise FieldError(
            f"{label}: no coordinate columns (lon/lng/longitude/bujur/x and lat/latitude/lintang/y) "
            f"and no wkt/geometry column; columns are: {', '.join(cols)}"
        )
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    findings: list[Finding] = []
    geographic = crs_obj.is_geographic
    for i in range(n):
        row_no = i + 2  # spreadsheet row: header is row 1
        wkt = df.iloc[i][wcol] if wcol else None
        if wkt is not None and not (isinstance(wkt, float) and np.isnan(wkt)) and str(wkt).strip():
            try:
                geoms[i] = shapely.from_wkt(str(wkt).strip())
            except Exception:
                findings.append(Finding(label, str(row_no), "error", "wkt_tidak_valid", f"baris {row_no}: kolom '{wcol}' bukan WKT yang sah: {str(wkt)[:60]!r}"))
            continue
        if xcol is None:
            findings.append(Finding(label, str(row_no), "warning", "geometri_kosong", f"baris {row_no}: kolom '{wcol}' kosong"))
            continue
        try:
            x = parse_coordinate(df.iloc[i][xcol])
            y = parse_coordinate(df.iloc[i][ycol])
        except ValueError as exc:
            findings.append(Finding(label, str(row_no), "error", "koordinat_tidak_valid", f"baris {row_no}: {exc} (kolom '{xcol}'/'{ycol}')"))
            continue
        if np.isnan(x) or np.isnan(y):
            findings.append(Finding(label, str(row_no), "warning", "koordinat_kosong", f"baris {row_no}: koordinat kosong (kolom '{xcol}'/'{ycol}')"))
            continue
        if geographic and (abs(y) > 90 or abs(x) > 180):
            hint = " (bujur dan lintang tertukar?)" if abs(x) <= 90 and abs(y) <= 180 else ""
            findings.append(
                Finding(label, str(row_no), "error", "koordinat_di_luar_crs", f"baris {row_no}: bujur {x}, lintang {y} di luar rentang {crs_obj.name}{hint}")
            )
            continue
        geoms[i] = shapely.Point(x, y)
    drop = [c for c in (wcol,) if c]
    out = gpd.GeoDataFrame(df.drop(columns=drop), geometry=gpd.GeoSeries(geoms, crs=crs_obj).values, crs=crs_obj)
    out.attrs["source"] = label
    out.attrs["findings"] = findings
    return out
