"""Program lists as tables (CSV, XLSX): points from coordinate columns, shapes from WKT."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.errors import AmbiguousLayerError, CRSError, FieldError, InputError
from sppr_gis.validate import Finding

__all__ = [
    "read_table",
    "parse_coordinate",
    "parse_lat_lon",
    "unique_columns",
    "TABLE_SUFFIXES",
    "LON_NAMES",
    "LAT_NAMES",
    "WKT_NAMES",
    "COORD_NAMES",
]

TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x")
LAT_NAMES = ("lat", "latitude", "lintang", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "geometri")
#: One column holding "lat, lon" (as copied from a web map).
COORD_NAMES = ("koordinat", "coordinates", "coordinate", "titik_koordinat", "latlon", "lat_lon", "latlng", "lat_lng", "lat_long")

_HEMI = r"LU|LS|BT|BB|[NSEWUTB]"
_DMS = re.compile(
    rf"""^\s*(?P<h1>{_HEMI})?\s*(?P<d>-?\d+(?:[.,]\d+)?)\s*[°d:\s]\s*(?:(?P<m>\d+(?:[.,]\d+)?)\s*['′m:\s]?\s*)?"""
    rf"""(?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:["″]|'')?\s*)?(?P<h2>{_HEMI})?\s*$""",
    re.IGNORECASE,
)
#: Hemisphere letters and Indonesian abbreviations that make a coordinate negative:
#: South / Lintang Selatan, West / Barat / Bujur Barat.
_NEGATIVE = {"S", "LS", "W", "B", "BB"}


def parse_coordinate(value: object) -> float:
    """Parse one coordinate as typed by hand.

    Accepts numbers, decimal commas (``"104,4521"``), and degrees, minutes
    (decimal allowed) and seconds with a hemisphere before or after, in English or
    Indonesian: ``104°27'7.5"E``, ``0 55 12 S``, ``110°24'10,5" BT``,
    ``7°47'13" LS``, ``LS 7°47,2'``, ``0°55' LU`` (N/U/LU and E/T/BT are positive,
    S/LS and W/B/BB negative).

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
    # blanks between digit groups separate degrees, minutes and seconds ("-0 55 12"), never thousands
    plain = re.sub(r"^([-+])\s+", r"\1", text)
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
        if m.group("d").startswith("-") or hemi in _NEGATIVE:
            val = -val
        return val
    raise ValueError(f"bukan koordinat: {text!r}")


_TWO_COMMA_DECIMALS = re.compile(r"^\s*([-+]?\d+)\s*,\s*(\d+)\s*,\s*([-+]?\d+)\s*,\s*(\d+)\s*$")


def parse_lat_lon(value: object) -> tuple[float, float]:
    """Parse one "latitude, longitude" cell as agencies type it (the order of web maps).

    Accepts ``"-0.9123, 104.4512"``, ``"-0.9123; 104.4512"``, decimal commas where
    the reading is unambiguous (``"-0,9123; 104,4512"``, ``"-0,9123, 104,4512"``),
    two numbers separated by blanks, and degrees-minutes-seconds on each side.

    Parameters
    ----------
    value : object
        Cell content.

    Returns
    -------
    (float, float)
        ``(lat, lon)`` (for a projected CRS: ``(y, x)``); ``(nan, nan)`` when blank.

    Raises
    ------
    ValueError
        Not two coordinates, or an ambiguous use of commas.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan"), float("nan")
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null", "-"}:
        return float("nan"), float("nan")
    if ";" in text:
        parts = text.split(";")
    elif text.count(",") == 1:
        parts = text.split(",")
    elif (m := _TWO_COMMA_DECIMALS.match(text)) is not None:
        parts = [f"{m.group(1)}.{m.group(2)}", f"{m.group(3)}.{m.group(4)}"]
    elif "," not in text and len(text.split()) == 2:
        parts = text.split()
    else:
        raise ValueError(f"not 'lintang, bujur': {text!r} (separate the two numbers with ';' when they use decimal commas)")
    if len(parts) != 2:
        raise ValueError(f"not 'lintang, bujur': {text!r}")
    return parse_coordinate(parts[0]), parse_coordinate(parts[1])


def unique_columns(columns: list[str]) -> list[str]:
    """Column names made unique case-insensitively (``Pagu``, ``pagu`` -> ``Pagu``, ``pagu_2``).

    GeoPackage, Shapefile and most GDAL formats treat field names without
    regard to case, so two names that differ only in case cannot both be written.
    """
    seen: set[str] = set()
    out = []
    for c in columns:
        name, n = str(c), 1
        while name.casefold() in seen:
            n += 1
            name = f"{c}_{n}"
        seen.add(name.casefold())
        out.append(name)
    return out


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def sniff_table(path: Path) -> str:
    """What a table file really is, from its first bytes: ``xlsx``, ``xls``, ``utf-16`` or ``text``.

    Raises
    ------
    InputError
        A file named ``.xlsx``/``.xlsm`` that is not a workbook, or an old
        Excel 97-2003 workbook (``.xls``), which is not supported (the message
        never quotes the file's contents).
    """
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputError(f"{path}: an old Excel 97-2003 workbook (.xls) is not supported; save it as .xlsx (Excel or LibreOffice: Save As) or as CSV")
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise InputError(f"{path}: not an Excel workbook (the file is not in the .xlsx format; text or another format renamed {suffix}?)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "text"


def _numeric_header(columns: list[object]) -> bool:
    def num(c: object) -> bool:
        try:
            float(str(c).replace(",", "."))
            return True
        except ValueError:
            return False

    return bool(columns) and all(num(c) for c in columns)


def _read_frame(path: Path, sheet: str | None, encoding: str | None, header_row: int = 1) -> pd.DataFrame:
    df = _read_frame_raw(path, sheet, encoding, header_row)
    if _numeric_header(list(df.columns)):
        raise InputError(f"{path}: row {header_row} holds numbers, not column names: the table has no header row (add one, or name it with --header-row / header_row)")
    return df


def _read_frame_raw(path: Path, sheet: str | None, encoding: str | None, header_row: int = 1) -> pd.DataFrame:
    kind = sniff_table(path)
    skip = max(int(header_row), 1) - 1
    try:
        if kind == "xlsx":
            book = pd.ExcelFile(path, engine="openpyxl")
            names = [str(n) for n in book.sheet_names]
            if sheet is None and len(names) > 1:
                raise AmbiguousLayerError(
                    f"{path}: {len(names)} sheets and none named ({', '.join(names)}); name one as {path}:{names[0]} (sheet = \"...\" in a config)",
                    path=str(path),
                    layers=tuple(names),
                )
            name = sheet if sheet is not None else names[0]
            if name not in names:
                raise InputError(f"{path}: no sheet named '{name}' (sheets: {', '.join(names)})")
            return pd.read_excel(book, sheet_name=name, dtype=object, header=skip)
        for enc in [encoding] if encoding else (["utf-16"] if kind == "utf-16" else ["utf-8-sig", "cp1252"]):
            try:
                return pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=enc, skiprows=skip)
            except UnicodeDecodeError:
                continue
        raise InputError(f"{path}: text is neither UTF-8 nor cp1252; pass the encoding")
    except (InputError, AmbiguousLayerError):
        raise
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as a table ({str(exc).strip().splitlines()[0]})") from exc


def _outside(geom: object, bound_x: float, bound_y: float) -> tuple[float, float] | None:
    """A coordinate of ``geom`` outside +-bound_x / +-bound_y (or not finite), else None."""
    coords = shapely.get_coordinates(geom)
    if not len(coords):
        return None
    bad = ~np.isfinite(coords).all(axis=1) | (np.abs(coords[:, 0]) > bound_x) | (np.abs(coords[:, 1]) > bound_y)
    if not bad.any():
        return None
    x, y = coords[np.flatnonzero(bad)[0]]
    return float(x), float(y)


def _num(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if np.isfinite(v) else str(v)


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    xy_fields: tuple[str, str] | None = None,
    wkt_field: str | None = None,
    coord_field: str | None = None,
    crs: str = "EPSG:4326",
    encoding: str | None = None,
    header_row: int = 1,
    require_geometry: bool = True,
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel program list into a GeoDataFrame.

    Geometry comes from coordinate columns found by name (``lon``/``lng``/
    ``longitude``/``bujur``/``x`` and ``lat``/``latitude``/``lintang``/``y``,
    any case) or named by ``xy_fields``, or from one ``koordinat`` column
    holding ``"lat, lon"`` (:func:`parse_lat_lon`), and/or from a
    ``wkt``/``geometry`` column. Where a row has both, the WKT wins. Rows whose
    coordinates are blank, unreadable or outside the valid range of a
    geographic CRS (a projected WKT read as lon/lat) keep a null geometry and
    are reported in ``attrs["findings"]`` (a list of
    :class:`~sppr_gis.validate.Finding`, one per row, naming the row).

    Parameters
    ----------
    path : str or Path
        The table.
    sheet : str, optional
        Excel sheet (default: the only one; several sheets and none named is an
        :class:`~sppr_gis.errors.AmbiguousLayerError`).
    xy_fields : (str, str), optional
        ``(lon, lat)`` column names.
    wkt_field : str, optional
        WKT column name.
    coord_field : str, optional
        Column holding ``"lat, lon"`` in one cell (default: ``koordinat`` and the
        like, when there are no separate coordinate columns).
    crs : str
        CRS of the coordinates (default EPSG:4326).
    encoding : str, optional
        CSV text encoding (default: UTF-8, then cp1252).
    header_row : int
        Spreadsheet row number (1-based) of the header; rows above it (titles)
        are skipped. Row numbers in findings are the spreadsheet's.
    require_geometry : bool
        When False, a table without coordinate or WKT columns is read with
        null geometries (places given only as text, e.g. a ``lokasi`` column)
        instead of raising.

    Returns
    -------
    geopandas.GeoDataFrame
        ``attrs``: ``source`` (label), ``findings``, ``first_row`` (spreadsheet
        row number of the first data row).

    Raises
    ------
    InputError, FieldError, CRSError
        Unreadable file, missing named columns, an unknown CRS; CRSError too when
        every coordinate is out of range for a geographic CRS and looks projected
        (the message names the file, the row and the values).
    AmbiguousLayerError
        A workbook with several sheets and none named.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if int(header_row) < 1:
        raise ValueError(f"header_row must be at least 1, got {header_row}")
    try:
        crs_obj = CRS.from_user_input(crs)
    except Exception as exc:
        raise CRSError(f"{path}: {crs!r} is not a CRS PROJ knows") from exc
    df = _read_frame(path, sheet, encoding, header_row)
    label = f"{path}:{sheet}" if sheet else str(path)
    first_row = int(header_row) + 1
    cols = unique_columns([str(c) for c in df.columns])
    df.columns = cols
    kcol = None
    if xy_fields:
        for f in xy_fields:
            if f not in cols:
                raise FieldError(f"{label}: no column '{f}' (columns: {', '.join(cols)})")
        xcol, ycol = xy_fields
    else:
        xcol, ycol = _find(cols, LON_NAMES), _find(cols, LAT_NAMES)
        if (xcol is None) != (ycol is None):
            raise FieldError(f"{label}: found coordinate column '{xcol or ycol}' but not its pair; name both with --xy-fields LON,LAT")
    if coord_field:
        if coord_field not in cols:
            raise FieldError(f"{label}: no column '{coord_field}' (columns: {', '.join(cols)})")
        kcol, xcol, ycol = coord_field, None, None
    elif xcol is None:
        kcol = _find(cols, COORD_NAMES)
    wcol = wkt_field or _find(cols, WKT_NAMES)
    if wkt_field and wkt_field not in cols:
        raise FieldError(f"{label}: no column '{wkt_field}' (columns: {', '.join(cols)})")
    if xcol is None and kcol is None and wcol is None and not require_geometry:
        out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df), crs=crs_obj).values, crs=crs_obj)
        out.attrs.update(source=label, findings=[], first_row=first_row)
        return out
    if xcol is None and kcol is None and wcol is None:
        raise FieldError(
            f"{label}: no coordinate columns (lon/lng/longitude/bujur/x and lat/latitude/lintang/y), "
            f"no koordinat column (\"lat, lon\") and no wkt/geometry column; columns are: {', '.join(cols)}"
        )
    where = f"kolom '{kcol}'" if kcol else f"kolom '{xcol}'/'{ycol}'"
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    findings: list[Finding] = []
    geographic = crs_obj.is_geographic
    out_of_range: list[tuple[int, float, float]] = []  # (row, x, y)
    given = 0
    for i in range(n):
        row_no = i + first_row  # spreadsheet row
        wkt = df.iloc[i][wcol] if wcol else None
        if wkt is not None and not (isinstance(wkt, float) and np.isnan(wkt)) and str(wkt).strip():
            given += 1
            try:
                geom = shapely.from_wkt(str(wkt).strip())
            except Exception:
                findings.append(Finding(label, str(row_no), "error", "wkt_tidak_valid", f"baris {row_no}: kolom '{wcol}' bukan WKT yang sah: {str(wkt)[:60]!r}", row=i))
                continue
            bad = _outside(geom, 180.0, 90.0) if geographic else _outside(geom, np.inf, np.inf)
            if bad is not None:
                out_of_range.append((row_no, *bad))
                findings.append(
                    Finding(label, str(row_no), "error", "koordinat_di_luar_crs",
                            f"baris {row_no}: kolom '{wcol}' berisi koordinat {_num(bad[0])}, {_num(bad[1])} di luar rentang {crs_obj.name} (CRS tabel salah?)", row=i)
                )
                continue
            geoms[i] = geom
            continue
        if xcol is None and kcol is None:
            findings.append(Finding(label, str(row_no), "warning", "geometri_kosong", f"baris {row_no}: kolom '{wcol}' kosong", row=i))
            continue
        try:
            if kcol is not None:
                y, x = parse_lat_lon(df.iloc[i][kcol])
            else:
                x = parse_coordinate(df.iloc[i][xcol])
                y = parse_coordinate(df.iloc[i][ycol])
        except ValueError as exc:
            given += 1
            findings.append(Finding(label, str(row_no), "error", "koordinat_tidak_valid", f"baris {row_no}: {exc} ({where})", row=i))
            continue
        if np.isnan(x) or np.isnan(y):
            findings.append(Finding(label, str(row_no), "warning", "koordinat_kosong", f"baris {row_no}: koordinat kosong ({where})", row=i))
            continue
        given += 1
        if not (np.isfinite(x) and np.isfinite(y)) or (geographic and (abs(y) > 90 or abs(x) > 180)):
            out_of_range.append((row_no, x, y))
            hint = " (bujur dan lintang tertukar?)" if abs(x) <= 90 and abs(y) <= 180 else ""
            findings.append(
                Finding(label, str(row_no), "error", "koordinat_di_luar_crs", f"baris {row_no}: bujur {_num(x)}, lintang {_num(y)} di luar rentang {crs_obj.name}{hint}", row=i)
            )
            continue
        geoms[i] = shapely.Point(x, y)
    if geographic and out_of_range and len(out_of_range) == given and all(max(abs(x), abs(y)) > 360 for _, x, y in out_of_range):
        row_no, x, y = out_of_range[0]
        raise CRSError(
            f"{label}: row {row_no}: coordinates {_num(x)}, {_num(y)} are out of range for {crs_obj.name} (lon/lat), as are all "
            f"{given} rows; they look projected (metres): give the table's CRS (crs = \"EPSG:...\" for this input, --assume-crs for sppr check)"
        )
    drop = [c for c in (wcol,) if c]
    out = gpd.GeoDataFrame(df.drop(columns=drop), geometry=gpd.GeoSeries(geoms, crs=crs_obj).values, crs=crs_obj)
    out.attrs.update(source=label, findings=findings, first_row=first_row)
    return out
