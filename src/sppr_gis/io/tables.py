"""Program lists as tables (CSV, XLSX): points from coordinate columns, shapes from WKT."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.errors import AmbiguousLayerError, CRSError, FieldError, InputError
from sppr_gis.findings import Finding
from sppr_gis.i18n import _

__all__ = [
    "read_table",
    "ReadProgress",
    "CHUNK_ROWS",
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
        raise ValueError(f"bukan 'lintang, bujur': {text!r} (pisahkan kedua angka dengan ';' bila memakai koma desimal)")
    if len(parts) != 2:
        raise ValueError(f"bukan 'lintang, bujur': {text!r}")
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
        raise InputError(_("{path}: cannot be read ({reason})").format(path=path, reason=exc.strerror or exc)) from None
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputError(_("{path}: an old Excel 97-2003 workbook (.xls) is not supported; save it as .xlsx (Excel or LibreOffice: Save As) or as CSV").format(path=path))
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise InputError(_("{path}: not an Excel workbook (the file is not in the .xlsx format; text or another format renamed {suffix}?)").format(path=path, suffix=suffix))
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


#: A long read's progress: ``progress(stage, rows_done, rows_total)`` (``rows_total`` None while unknown),
#: called at the start of each stage and after each chunk of :data:`CHUNK_ROWS` rows.
ReadProgress = Callable[[str, int, "int | None"], None]
#: Rows read (and located) per chunk, between two progress calls.
CHUNK_ROWS = 100_000

#: How far down a sheet the header row is looked for when it is not given (title rows above it are skipped).
HEADER_SEARCH_ROWS = 20
_CELL_SPLIT = re.compile(r"[,;\t|]")


def _header_index(rows: Sequence[Sequence[object]], expected: Sequence[str]) -> int | None:
    """Index of the first row holding one of the ``expected`` field names (any case), else None."""
    want = {str(n).strip().casefold() for n in expected if n}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = {str(c).strip().strip('"').strip().casefold() for c in row if c is not None}
        if cells & want:
            return i
    return None


def _read_frame(
    path: Path, sheet: str | None, encoding: str | None, header_row: int | None = 1, expected: Sequence[str] = (), progress: ReadProgress | None = None
) -> tuple[pd.DataFrame, int]:
    """The table and the spreadsheet row (1-based) of its header; ``header_row=None`` finds it:
    the first of the first :data:`HEADER_SEARCH_ROWS` rows that holds one of the ``expected`` fields (else row 1)."""
    df, row = _read_frame_raw(path, sheet, encoding, header_row, expected, progress)
    if _numeric_header(list(df.columns)):
        raise InputError(_("{path}: row {row} holds numbers, not column names: the table has no header row (add one, or name it as {path}@N / with --header-row / header_row)").format(path=path, row=row))
    return df, row


def _read_frame_raw(
    path: Path, sheet: str | None, encoding: str | None, header_row: int | None = 1, expected: Sequence[str] = (), progress: ReadProgress | None = None
) -> tuple[pd.DataFrame, int]:
    kind = sniff_table(path)
    stage = f"membaca {path.name}"
    if progress is not None:
        progress(stage, 0, None)
    try:
        if kind == "xlsx":
            book = pd.ExcelFile(path, engine="openpyxl")
            names = [str(n) for n in book.sheet_names]
            if sheet is None and len(names) > 1:
                raise AmbiguousLayerError(
                    _("{path}: {n} sheets and none named ({names}); name one as {path}:{names2} (sheet = \"...\" in a config)").format(path=path, n=len(names), names=', '.join(names), names2=names[0]),
                    path=str(path),
                    layers=tuple(names),
                )
            name = sheet if sheet is not None else names[0]
            if name not in names:
                raise InputError(_("{path}: no sheet named '{name}' (sheets: {names})").format(path=path, name=name, names=', '.join(names)))
            if header_row is None:
                top = pd.read_excel(book, sheet_name=name, dtype=object, header=None, nrows=HEADER_SEARCH_ROWS)
                found = _header_index(top.to_numpy(dtype=object).tolist(), expected)
                header_row = 1 if found is None else found + 1
            df = pd.read_excel(book, sheet_name=name, dtype=object, header=int(header_row) - 1)
            if progress is not None:
                progress(stage, len(df), len(df))
            return df, int(header_row)
        for enc in [encoding] if encoding else (["utf-16"] if kind == "utf-16" else ["utf-8-sig", "cp1252"]):
            try:
                row = header_row
                if row is None:
                    with open(path, encoding=enc, newline="") as f:
                        lines = [line for _, line in zip(range(HEADER_SEARCH_ROWS), f)]
                    found = _header_index([_CELL_SPLIT.split(line.rstrip("\r\n")) for line in lines], expected)
                    row = 1 if found is None else found + 1
                parts = []
                done = 0
                with pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=enc, skiprows=int(row) - 1, chunksize=CHUNK_ROWS) as chunks:
                    for chunk in chunks:
                        parts.append(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(stage, done, None)
                df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
                if progress is not None:
                    progress(stage, len(df), len(df))
                return df, int(row)
            except UnicodeDecodeError:
                continue
        raise InputError(_("{path}: text is neither UTF-8 nor cp1252; pass the encoding").format(path=path))
    except (InputError, AmbiguousLayerError):
        raise
    except Exception as exc:
        raise InputError(_("{path}: cannot be read as a table ({reason})").format(path=path, reason=str(exc).strip().splitlines()[0])) from exc


_FORMULA_TAG = re.compile(rb"<f[ >/]")


def uncached_formulas(path: str | Path, sheet: str | None = None) -> list[tuple[int, int, str]]:
    """Cells of a workbook's sheet holding a formula without a saved (cached) value.

    Excel and LibreOffice save each formula's last result beside it; a workbook
    written by a program (a script, an export) may hold formulas only. Such a
    cell reads as blank, so it is found here: openpyxl reads the sheet once for
    its formulas and once for the saved values.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx``/``.xlsm`` workbook.
    sheet : str, optional
        The sheet (default: the first).

    Returns
    -------
    list of (int, int, str)
        ``(row, column, cell)``: 1-based spreadsheet row and column, and the
        cell's name (``"F5"``), in reading order.
    """
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    try:  # most workbooks hold no formula at all: a quick look at the sheets' XML first
        with zipfile.ZipFile(path) as zf:
            if not any(_FORMULA_TAG.search(zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                return []
    except (zipfile.BadZipFile, OSError, KeyError):
        return []

    def cells(data_only: bool) -> Iterator[tuple[int, int, object]]:
        book = load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
        try:
            ws = book[sheet if sheet is not None else book.sheetnames[0]]
            ws.reset_dimensions()  # as pandas reads it: from A1, declared dimensions not trusted
            for r, row in enumerate(ws.rows, start=1):
                for c, cell in enumerate(row, start=1):
                    yield r, c, cell
        finally:
            book.close()

    formulas = {(r, c) for r, c, cell in cells(False) if getattr(cell, "data_type", None) == "f"}
    if not formulas:
        return []
    out = [(r, c, f"{get_column_letter(c)}{r}") for r, c, cell in cells(True) if (r, c) in formulas and getattr(cell, "value", None) is None]
    return out


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


def _formula_cells(path: Path, sheet: str | None, df: pd.DataFrame, first_row: int) -> dict[int, dict[str, str]]:
    """Formulas without a saved value in the data rows: row position -> {column: cell name}."""
    out: dict[int, dict[str, str]] = {}
    cols = list(df.columns)
    for r, c, name in uncached_formulas(path, sheet):
        i = r - first_row
        if 0 <= i < len(df) and 1 <= c <= len(cols):
            out.setdefault(i, {})[str(cols[c - 1])] = name
    return out




def _refuse_formula_columns(df: pd.DataFrame, uncached: dict[int, dict[str, str]], columns: Sequence[str], label: str) -> None:
    """A column that locates or identifies rows and holds only formulas without saved values: one clear error."""
    for col in dict.fromkeys(columns):
        rows = [i for i, cells in uncached.items() if col in cells]
        if rows and all(i in rows or _blank_cell(v) for i, v in enumerate(df[col])):
            first = uncached[min(rows)][col]
            raise InputError(_("{label}: column '{col}' holds formulas without a saved value ({n} cells, e.g. {first}), so it reads as blank; recalculate and save the workbook in Excel or LibreOffice (formulas are read by their saved values)").format(label=label, col=col, n=len(rows), first=first))


def _formula_findings(
    uncached: dict[int, dict[str, str]], label: str, first_row: int, placed: set[str], findings: list[Finding], geoms: np.ndarray | None = None
) -> list[Finding]:
    """One finding per row holding formulas without saved values (they read as blank). Where such a cell
    left the row without a location, that finding explains the row instead of "koordinat kosong"."""
    explained: set[int] = set()
    extra: list[Finding] = []
    for i in sorted(uncached):
        cells = uncached[i]
        row_no = i + first_row
        no_place = geoms is not None and geoms[i] is None and bool(placed & set(cells))
        what = ", ".join(f"{name} ('{col}')" for col, name in cells.items())
        extra.append(
            Finding(label, str(row_no), "error", "rumus_tanpa_nilai",
                    f"baris {row_no}: sel {what} berisi rumus tanpa nilai tersimpan; dibaca kosong (hitung ulang lalu simpan di Excel/LibreOffice)",
                    row=i if no_place else None)
        )
        if no_place:
            explained.add(i)
    kept = [f for f in findings if not (f.row in explained and f.code in {"koordinat_kosong", "geometri_kosong"})]
    return kept + extra


def _blank_cell(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or not str(v).strip()


def _any_wkt(values: pd.Series) -> bool:
    """Whether any non-blank value of a column parses as WKT."""
    texts = np.array([str(v).strip() for v in values if not _blank_cell(v)], dtype=object)
    return bool(len(texts)) and bool((~shapely.is_missing(shapely.from_wkt(texts, on_invalid="ignore"))).any())


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
    header_row: int | None = None,
    require_geometry: bool = True,
    key_fields: Sequence[str] = (),
    progress: ReadProgress | None = None,
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
    :class:`~sppr_gis.findings.Finding`, one per row, naming the row).

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
    header_row : int, optional
        Spreadsheet row number (1-based) of the header; rows above it (titles)
        are skipped. Row numbers in findings are the spreadsheet's. Default:
        found in the sheet itself, the first of its first 20 rows that holds one
        of the expected fields (coordinate, ``koordinat`` or WKT columns by their
        usual names or as named, or a key field), else row 1; each file and
        sheet is looked at on its own.
    require_geometry : bool
        When False, a table without coordinate or WKT columns is read with
        null geometries (places given only as text, e.g. a ``lokasi`` column)
        instead of raising.
    key_fields : sequence of str
        Columns (any case) without which a row means nothing (the id, the
        year): like the coordinate columns, when every value of one is a
        formula without a saved value, the workbook is refused.
    progress : callable, optional
        ``progress(stage, rows_done, rows_total)``: called as each stage starts
        (``"membaca <file>"``, then ``"menempatkan lokasi <file>"``) and after
        each chunk of :data:`CHUNK_ROWS` rows, so that a long read (a CSV of a
        million rows) shows where it is.

    Returns
    -------
    geopandas.GeoDataFrame
        ``attrs``: ``source`` (label), ``findings``, ``first_row`` (spreadsheet
        row number of the first data row), ``header_row`` (that of the header).

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
        raise InputError(_("{path}: file not found").format(path=path))
    if header_row is not None and int(header_row) < 1:
        raise ValueError(_("header_row must be at least 1, got {header_row}").format(header_row=header_row))
    try:
        crs_obj = CRS.from_user_input(crs)
    except Exception as exc:
        raise CRSError(_("{path}: {crs!r} is not a CRS PROJ knows").format(path=path, crs=crs)) from exc
    expected = [*LON_NAMES, *LAT_NAMES, *COORD_NAMES, *WKT_NAMES, *(xy_fields or ()), wkt_field or "", coord_field or "", *(str(k) for k in key_fields if k)]
    df, header_row = _read_frame(path, sheet, encoding, header_row, expected, progress)
    label = f"{path}:{sheet}" if sheet else str(path)
    first_row = int(header_row) + 1
    cols = unique_columns([str(c) for c in df.columns])
    df.columns = cols
    xcol, ycol, kcol, wcol = _geometry_columns(cols, label, xy_fields, wkt_field, coord_field)
    uncached = _uncached_formulas(path, sheet, df, first_row, cols, label, key_fields, (xcol, ycol, kcol, wcol))
    if xcol is None and kcol is None and wcol is None and not require_geometry:
        out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df), crs=crs_obj).values, crs=crs_obj)
        out.attrs.update(source=label, findings=_formula_findings(uncached, label, first_row, set(), []), first_row=first_row, header_row=header_row)
        return out
    if xcol is None and kcol is None and wcol is None:
        raise FieldError(_no_location_columns(label, cols))
    if wcol is not None and not wkt_field and (xcol is not None or kcol is not None) and not _any_wkt(df[wcol]):
        # a text column named like a geometry (a description in 'geometry'), no value of it WKT:
        # it stays an attribute and the coordinate columns locate the rows
        wcol = None
    geoms, findings, out_of_range, given = _place_rows(df, path, label, crs_obj, first_row, (xcol, ycol, kcol, wcol), progress)
    _refuse_projected(out_of_range, given, label, crs_obj)
    _refuse_swapped(label, out_of_range, given, crs_obj.is_geographic, xcol, ycol, kcol)
    if uncached:
        placed = {c for c in (xcol, ycol, kcol, wcol) if c is not None}
        findings = _formula_findings(uncached, label, first_row, placed, findings, geoms)
    return _table_frame(df, wcol, geoms, crs_obj, label, findings, first_row, header_row)


def _geometry_columns(cols: list[str], label: str, xy_fields: tuple[str, str] | None, wkt_field: str | None, coord_field: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """``(x, y, koordinat, wkt)`` columns: as named, else found by their usual names; a named one missing is a FieldError."""
    kcol = None
    if xy_fields:
        for f in xy_fields:
            if f not in cols:
                raise FieldError(_("{label}: no column '{f}' (columns: {cols})").format(label=label, f=f, cols=', '.join(cols)))
        xcol, ycol = xy_fields
    else:
        xcol, ycol = _find(cols, LON_NAMES), _find(cols, LAT_NAMES)
        if (xcol is None) != (ycol is None):
            raise FieldError(_("{label}: found coordinate column '{xcol}' but not its pair; name both with --xy-fields LON,LAT").format(label=label, xcol=xcol or ycol))
    if coord_field:
        if coord_field not in cols:
            raise FieldError(_("{label}: no column '{coord_field}' (columns: {cols})").format(label=label, coord_field=coord_field, cols=', '.join(cols)))
        kcol, xcol, ycol = coord_field, None, None
    elif xcol is None:
        kcol = _find(cols, COORD_NAMES)
    wcol = wkt_field or _find(cols, WKT_NAMES)
    if wkt_field and wkt_field not in cols:
        raise FieldError(_("{label}: no column '{wkt_field}' (columns: {cols})").format(label=label, wkt_field=wkt_field, cols=', '.join(cols)))
    return xcol, ycol, kcol, wcol


def _uncached_formulas(path: Path, sheet: str | None, df: pd.DataFrame, first_row: int, cols: list[str], label: str, key_fields: Sequence[str], placing: tuple[str | None, ...]) -> dict:
    """A workbook's formula cells without a saved value; refused when a whole coordinate or key column is such."""
    xcol, ycol, kcol, wcol = placing
    uncached = _formula_cells(path, sheet, df, first_row) if sniff_table(path) == "xlsx" else {}
    if uncached:
        keys = [c for c in (xcol, ycol, kcol, wcol, *(_find(cols, (str(k).strip().lower(),)) for k in key_fields)) if c is not None]
        if sheet is None:  # name the sheet in the messages
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            uncached = {i: {c: f"{book.sheetnames[0]}!{n}" for c, n in cells.items()} for i, cells in uncached.items()}
            book.close()
        _refuse_formula_columns(df, uncached, keys, label)
    return uncached


def _place_rows(df: pd.DataFrame, path: Path, label: str, crs_obj: CRS, first_row: int, placing: tuple[str | None, ...], progress: ReadProgress | None) -> tuple[np.ndarray, list[Finding], list[tuple[int, float, float]], int]:
    """Each row's geometry (WKT first, else the coordinates), a finding per row left without one, the rows out of range, the rows that gave a place."""
    xcol, ycol, kcol, wcol = placing
    where = f"kolom '{kcol}'" if kcol else f"kolom '{xcol}'/'{ycol}'"
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    findings: list[Finding] = []
    geographic = crs_obj.is_geographic
    out_of_range: list[tuple[int, float, float]] = []  # (row, x, y)
    given = 0
    # the cells as plain arrays: pandas' per-row .iloc costs minutes on a million rows
    col_values = {c: df[c].to_numpy(dtype=object) for c in (wcol, xcol, ycol, kcol) if c is not None}
    placing = f"menempatkan lokasi {path.name}"
    if progress is not None:
        progress(placing, 0, n)
    for i in range(n):
        if progress is not None and i and i % CHUNK_ROWS == 0:
            progress(placing, i, n)
        row_no = i + first_row  # spreadsheet row
        wkt = col_values[wcol][i] if wcol else None
        if wkt is not None and not (isinstance(wkt, float) and np.isnan(wkt)) and str(wkt).strip():
            given += 1
            try:
                geom = shapely.from_wkt(str(wkt).strip())
            except Exception:
                not_wkt = f"baris {row_no}: kolom '{wcol}' bukan WKT yang sah: {str(wkt)[:60]!r}"
                if (xcol is None and kcol is None) or not all(not _blank_cell(col_values[c][i]) for c in ((kcol,) if kcol is not None else (xcol, ycol))):
                    findings.append(Finding(label, str(row_no), "error", "wkt_tidak_valid", not_wkt, row=i))
                    continue
                # the coordinate columns locate this row (below); what the WKT column says is reported
                given -= 1
                findings.append(Finding(label, str(row_no), "warning", "wkt_tidak_valid", f"{not_wkt}; lokasi diambil dari {where}"))
            else:
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
                y, x = parse_lat_lon(col_values[kcol][i])
            else:
                x = parse_coordinate(col_values[xcol][i])
                y = parse_coordinate(col_values[ycol][i])
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
    if progress is not None:
        progress(placing, n, n)
    return geoms, findings, out_of_range, given


def _refuse_projected(out_of_range: list[tuple[int, float, float]], given: int, label: str, crs_obj: CRS) -> None:
    """A CRSError when every coordinate given is far out of range for a geographic CRS: they look projected."""
    geographic = crs_obj.is_geographic
    if geographic and out_of_range and len(out_of_range) == given and all(max(abs(x), abs(y)) > 360 for _, x, y in out_of_range):
        row_no, x, y = out_of_range[0]
        raise CRSError(
            _("{label}: row {row_no}: coordinates {num}, {num2} are out of range for {name} (lon/lat), as are all {given} rows; they look projected (metres): give the table's CRS (crs = \"EPSG:...\" for this input, --assume-crs for sppr check)").format(label=label, row_no=row_no, num=_num(x), num2=_num(y), name=crs_obj.name, given=given)
        )


def _table_frame(df: pd.DataFrame, wcol: str | None, geoms: np.ndarray, crs_obj: CRS, label: str, findings: list[Finding], first_row: int, header_row: int) -> gpd.GeoDataFrame:
    """The table as a GeoDataFrame: the WKT column dropped, a ``geometry`` text column kept as ``geometry_input``."""
    drop = [c for c in (wcol,) if c]
    kept = df.drop(columns=drop)
    if "geometry" in kept.columns:  # a text column kept as an attribute, never overwritten by the geometry
        kept = kept.rename(columns={"geometry": "geometry_input"})
    out = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(geoms, crs=crs_obj).values, crs=crs_obj)
    out.attrs.update(source=label, findings=findings, first_row=first_row, header_row=header_row)
    return out


def _no_location_columns(label: str, cols: Sequence[str]) -> str:
    """The one line for a table with neither coordinate, ``koordinat`` nor WKT columns (and what to do)."""
    text = _(
        "{label}: no coordinate columns (longitude/lon/bujur/x and latitude/lat/lintang/y), no 'koordinat' column "
        "(\"lat, lon\") and no wkt column. Columns present: {cols}. Add coordinate columns or name them with --xy-fields LON,LAT."
    ).format(label=label, cols=", ".join(map(str, cols)))
    if _find(list(cols), ("lokasi", "lokasi_kelurahan", "kelurahan")) is not None:
        text += " " + _("(sppr sync can place rows by their kelurahan name in the 'lokasi' column.)")
    return text


def _refuse_swapped(
    label: str, out_of_range: list[tuple[int, float, float]], given: int, geographic: bool, xcol: str | None, ycol: str | None, kcol: str | None
) -> None:
    """One error when every located row has longitude and latitude the wrong way round.

    Each row read as (lon, lat) has a latitude beyond +-90 that is a valid longitude, and a longitude that
    is a valid latitude: the columns (or the order in the 'koordinat' cells) are swapped, not the rows.
    """
    if not (geographic and given and len(out_of_range) == given):
        return
    if not all(abs(x) <= 90 and 90 < abs(y) <= 180 for _, x, y in out_of_range):
        return
    row_no, x, y = out_of_range[0]
    if kcol is not None:
        raise CRSError(
            _("{label}: every row has longitude and latitude swapped (row {row_no}: '{y}, {x}'): column '{kcol}' holds 'bujur, lintang'; write 'lintang, bujur' (latitude first)").format(
                label=label, row_no=row_no, x=_num(x), y=_num(y), kcol=kcol
            )
        )
    if xcol is not None and ycol is not None:
        raise CRSError(
            _("{label}: every row has longitude and latitude swapped (row {row_no}: {xcol} {x}, {ycol} {y}): column '{xcol}' holds latitudes; swap the column names or give --xy-fields {ycol},{xcol}").format(
                label=label, row_no=row_no, x=_num(x), y=_num(y), xcol=xcol, ycol=ycol
            )
        )
