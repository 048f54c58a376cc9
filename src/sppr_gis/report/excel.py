"""The matrices book (``buku_matriks.xlsx``): Indonesian headers, formatted for reading and printing.

Bold wrapped headers, a frozen header row, an autofilter, column widths fitted
to the content, Rupiah format for ``pagu*`` columns, percentages for ``porsi*``
columns; numbers are stored as numbers (a summary's ``Rp 1.250.000`` or
``29,3%`` text becomes a formatted number) and status codes as words
(``sesuai_bersyarat`` -> ``Sesuai bersyarat``; the GeoPackage and CSV keep the
codes). Every sheet prints: landscape, fitted to the page width (A3 for wide
tables, A4 otherwise), header rows repeated on every page, and a page header
with the book's title, region, year and sheet name, page numbers in the footer.
A sheet is either one table or a stack of titled tables (the summary).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sppr_gis.io.write import atomic_path

__all__ = ["Block", "write_workbook", "header_for", "RUPIAH_FORMAT"]

#: Excel number format for Rupiah amounts (the thousands separator follows the reader's locale).
RUPIAH_FORMAT = '"Rp" #,##0'
#: Columns wider than this print on A3, others on A4 (both landscape, fitted to the width).
A3_COLUMNS = 14
_RP_TEXT = re.compile(r"^Rp\s?(-?\d{1,3}(?:\.\d{3})*(?:,\d+)?)$")
_PCT_TEXT = re.compile(r"^(-?\d+(?:,\d+)?)\s?%$")
_INT_TEXT = re.compile(r"^(?:0|-?[1-9]\d{0,2}(?:\.\d{3})+|-?[1-9]\d*)$")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Block:
    """A titled table inside a sheet that stacks several.

    Attributes
    ----------
    title : str
        Shown in bold above the table.
    frame : pandas.DataFrame
        The table (machine column names; headers come from the mapping).
    note : str, optional
        A line of explanation below the title.
    """

    title: str
    frame: pd.DataFrame
    note: str | None = None


def header_for(column: str, headers: Mapping[str, str]) -> str:
    """The Indonesian header of a machine column name.

    ``status_2025`` -> ``Status 2025``, ``pagu_2025`` -> ``Pagu 2025 (Rp)``;
    otherwise the mapping, else the name with underscores as spaces, capitalized.
    """
    if column in headers:
        return headers[column]
    m = re.fullmatch(r"(status|pagu)_(\d{4})", column)
    if m:
        return f"Status {m.group(2)}" if m.group(1) == "status" else f"Pagu {m.group(2)} (Rp)"
    return column.replace("_", " ").strip().capitalize()


def _kind(column: str) -> str:
    c = column.lower()
    if c.startswith("pagu"):
        return "rupiah"
    if c.startswith("porsi") or c in {"share", "unzoned_share"}:
        return "fraction"
    if c in {"capaian", "keterlaksanaan", "rata_rata_capaian", "capaian_tertimbang_pagu", "score", "skor_prioritas", "jarak_m", "jarak_relokasi_m", "measure"}:
        return "decimal"
    if c.startswith("nilai_"):
        return "decimal2"
    if c.startswith("jumlah") or c.startswith("tahun") or c in {"peringkat", "feature"}:
        return "integer"
    if c in {"volume", "target", "realisasi"}:
        return "number"
    return "text"


_FORMATS = {
    "rupiah": {"num_format": RUPIAH_FORMAT},
    "fraction": {"num_format": "0.0%"},
    "decimal": {"num_format": "#,##0.0"},
    "decimal2": {"num_format": "0.00"},
    "integer": {"num_format": "0"},
    "number": {"num_format": "#,##0.##"},
    "count": {"num_format": "#,##0"},
    "text": {},
}


def _typed(value: object) -> tuple[object, str | None]:
    """A summary value typed as text (``Rp 1.250.000``, ``29,3%``, ``36``) as a number and its kind."""
    if not isinstance(value, str):
        return value, None
    v = value.strip()
    m = _RP_TEXT.match(v)
    if m:
        return float(m.group(1).replace(".", "").replace(",", ".")), "rupiah"
    m = _PCT_TEXT.match(v)
    if m:
        return float(m.group(1).replace(",", ".")) / 100.0, "fraction"
    if _INT_TEXT.match(v):
        n = int(v.replace(".", ""))
        return n, ("integer" if 1900 <= n <= 2100 else "count")
    return value, None


def _cell(value: object) -> object:
    if isinstance(value, str):
        from sppr_gis.maps.palette import code_label, humanize_codes

        label = code_label(value)
        return label if label is not value else humanize_codes(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "ya" if value else "tidak"
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) or math.isinf(float(value)) else float(value)
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        return str(value)
    if hasattr(value, "geom_type"):
        return value.wkt  # type: ignore[attr-defined]
    return str(value)


def _width(header: str, values: Sequence[object], kind: str) -> float:
    longest = max([len(w) for w in header.split()] + [min(len(header), 24)])
    for v in values[:2000]:
        if v is None:
            continue
        if kind == "rupiah" and isinstance(v, (int, float)):
            n = len(f"Rp {v:,.0f}")
        elif isinstance(v, float):
            n = len(f"{v:,.2f}")
        else:
            n = len(str(v))
        longest = max(longest, n)
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 2)))


def write_workbook(
    sheets: Mapping[str, pd.DataFrame | Sequence[Block]],
    target: str | os.PathLike[str],
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    region: str | None = None,
    year: int | None = None,
) -> Path:
    """Write a formatted workbook, atomically.

    Parameters
    ----------
    sheets : mapping
        Sheet name (at most 31 characters) -> a DataFrame (one table: frozen
        header row, autofilter) or a sequence of :class:`Block` (stacked tables
        under ``title``, which is frozen at the top).
    target : path-like
        The ``.xlsx`` to create (replaced if it exists).
    headers : mapping, optional
        Machine column name -> Indonesian header (see :func:`header_for`).
    title : str, optional
        Title on the first row of stacked sheets and in every printed page header.
    region : str, optional
        Region name for the printed page header.
    year : int, optional
        Fiscal year for the printed page header.

    Returns
    -------
    Path
    """
    import xlsxwriter

    headers = headers or {}
    target = Path(target)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": False, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": title or "", "created": _dt.datetime(2000, 1, 1)})
        hdr = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
        title_fmt = wb.add_format({"bold": True, "font_size": 12})
        note_fmt = wb.add_format({"italic": True, "font_color": "#555555"})
        fmts = {k: wb.add_format(v) for k, v in _FORMATS.items()}
        total_fmts = {k: wb.add_format({**v, "bold": True, "top": 1}) for k, v in _FORMATS.items()}
        for name, content in sheets.items():
            if len(name) > 31:
                raise ValueError(f"sheet name '{name}' is longer than 31 characters")
            ws = wb.add_worksheet(name)
            widths: dict[int, float] = {}
            if isinstance(content, pd.DataFrame):
                _table(ws, content, 0, hdr, fmts, total_fmts, headers, widths, filter_=True)
                ws.freeze_panes(1, 0)
                ws.repeat_rows(0)
            else:
                row = 0
                if title:
                    ws.write(0, 0, title, title_fmt)
                    row = 2
                    ws.freeze_panes(1, 0)
                    ws.repeat_rows(0)
                for block in content:
                    ws.write(row, 0, block.title, title_fmt)
                    row += 1
                    if block.note:
                        ws.write(row, 0, block.note, note_fmt)
                        row += 1
                    row = _table(ws, block.frame, row, hdr, fmts, total_fmts, headers, widths, filter_=False) + 1
            for col, w in widths.items():
                ws.set_column(col, col, w)
            _page_setup(ws, name, len(widths), title=title, region=region, year=year)
        wb.close()
    return target


def _page_setup(ws, name: str, ncols: int, *, title: str | None, region: str | None, year: int | None) -> None:  # noqa: ANN001
    """Landscape, fitted to the page width, A3 for wide tables; title, region, year and sheet name in the header."""
    ws.set_landscape()
    ws.set_paper(8 if ncols > A3_COLUMNS else 9)  # 8 = A3, 9 = A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.55)
    ws.center_horizontally()

    def esc(t: str) -> str:
        return str(t).replace("&", "&&")

    left = esc(title or "Buku Matriks SPPR")
    bits = [b for b in (region, f"Tahun {year}" if year else None) if b and (not title or str(b) not in str(title))]
    if bits:
        left += " - " + esc(" - ".join(bits))
    ws.set_header(f'&L&"-,Bold"{left}&R&"-,Bold"{esc(name)}', {"margin": 0.3})
    ws.set_footer("&LBuku Matriks SPPR&RHalaman &P dari &N", {"margin": 0.3})


def _table(ws, df: pd.DataFrame, row: int, hdr, fmts, total_fmts, headers, widths: dict[int, float], *, filter_: bool) -> int:  # noqa: ANN001
    cols = [str(c) for c in df.columns if str(c) != "geometry"]
    kinds = [_kind(c) for c in cols]
    values = [[_cell(v) for v in df[c].tolist()] for c in cols]
    cell_kinds: dict[tuple[int, int], str] = {}
    for j, c in enumerate(cols):
        if kinds[j] == "text" and c.lower() in {"nilai", "jumlah_nilai"}:  # summary values typed as text
            for i, v in enumerate(values[j]):
                nv, k = _typed(v)
                if k:
                    values[j][i] = nv
                    cell_kinds[(i, j)] = k
    for j, c in enumerate(cols):
        h = header_for(c, headers)
        ws.write_string(row, j, h, hdr)
        widths[j] = max(widths.get(j, 0.0), _width(h, values[j], kinds[j]))
    first = row + 1
    n = len(df)
    is_total = [str(v) == "Jumlah" for v in (df[cols[0]].tolist() if cols else [])]
    for i in range(n):
        r = first + i
        for j in range(len(cols)):
            v = values[j][i]
            f = (total_fmts if is_total[i] else fmts)[cell_kinds.get((i, j), kinds[j])]
            if v is None:
                ws.write_blank(r, j, None, f)
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v, f)
            else:
                ws.write_string(r, j, v, f)
    if filter_ and cols:
        ws.autofilter(row, 0, row + max(n, 1), len(cols) - 1)
    return first + n
