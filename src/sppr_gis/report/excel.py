"""The matrices book (``buku_matriks.xlsx``): Indonesian headers, formatted for reading.

Bold wrapped headers, a frozen header row, an autofilter, column widths fitted
to the content, Rupiah format for ``pagu*`` columns, percentages for ``porsi*``
columns. A sheet is either one table or a stack of titled tables (the summary).
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
    if c in {"capaian", "keterlaksanaan", "rata_rata_capaian", "capaian_tertimbang_pagu", "score", "skor_prioritas", "jarak_m", "measure"}:
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
    "text": {},
}


def _cell(value: object) -> object:
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
        Title on the first row of stacked sheets.

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
            else:
                row = 0
                if title:
                    ws.write(0, 0, title, title_fmt)
                    row = 2
                    ws.freeze_panes(1, 0)
                for block in content:
                    ws.write(row, 0, block.title, title_fmt)
                    row += 1
                    if block.note:
                        ws.write(row, 0, block.note, note_fmt)
                        row += 1
                    row = _table(ws, block.frame, row, hdr, fmts, total_fmts, headers, widths, filter_=False) + 1
            for col, w in widths.items():
                ws.set_column(col, col, w)
        wb.close()
    return target


def _table(ws, df: pd.DataFrame, row: int, hdr, fmts, total_fmts, headers, widths: dict[int, float], *, filter_: bool) -> int:  # noqa: ANN001
    cols = [str(c) for c in df.columns if str(c) != "geometry"]
    kinds = [_kind(c) for c in cols]
    values = [[_cell(v) for v in df[c].tolist()] for c in cols]
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
            f = (total_fmts if is_total[i] else fmts)[kinds[j]]
            if v is None:
                ws.write_blank(r, j, None, f)
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v, f)
            else:
                ws.write_string(r, j, v, f)
    if filter_ and cols:
        ws.autofilter(row, 0, row + max(n, 1), len(cols) - 1)
    return first + n
