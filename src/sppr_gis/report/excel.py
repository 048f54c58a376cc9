"""The matrices book (``buku_matriks.xlsx``): Indonesian headers, formatted for reading and printing.

Bold wrapped headers, a frozen header row, an autofilter, column widths fitted
to the content (long texts wrap, rows as high as their wrapped text), Rupiah
format for ``pagu*`` columns, percentages for ``porsi*`` columns, number
formats tagged Indonesian (``[$-421]``: LibreOffice shows ``Rp 1.250.000`` and
``29,3%`` whatever its locale; Excel follows the reader's regional settings);
numbers are stored as numbers (a summary's ``Rp 1.250.000`` or ``29,3%`` text
becomes a formatted number) and codes as words (``sesuai_bersyarat`` ->
``Sesuai bersyarat``, severity ``warning`` -> ``Peringatan``; the GeoPackage
and CSV keep the codes). Every sheet prints: landscape, one paper size for
the book (the album's ``[album] paper`` in a run; else A3 when a sheet needs it, else A4), fitted to the page
width or, for a sheet that would fall below 7 points, in column groups repeating its key columns, the groups
balanced so that no group's rows print more than about twice as high as its own text (:func:`balance_groups`),
a stacked table too wide continuing in column pieces below it (:func:`split_columns`); borders on table bodies, zero Rupiah as "–", a missing
number or an empty text holding the text "–" (``pandas.read_excel(..., na_values="–")`` reads NaN; the blanks
with a meaning, :data:`BLANK_TEXT`, stay blank), header row repeated on every page, each stacked table of a
summary starting on a new page when it would otherwise run over one, and a table longer than a page split into
pieces each starting on a new page with its title ("lanjutan") and column headers (a sheet repeats one header
range only),
and a page header with the book's title, region, year and the sheet's name and
title, page numbers in the footer. A sheet is either one table (its header in
row 1, so ``pandas.read_excel(header=0)`` reads it) or a stack of titled
tables (the summary).
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
import math
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sppr_gis.i18n import _
from sppr_gis.io.write import atomic_path
from sppr_gis.report.labels import reader_text
from sppr_gis.text import angka

__all__ = ["FOLDED_COLUMNS", "PAPERS", "RUPIAH_FORMAT", "SHEET_TITLES", "Block", "format_value", "header_for", "note_lines", "split_blocks",
           "split_columns",
           "balance_groups", "widen_groups", "write_workbook"]

#: Number formats carry the Indonesian locale (LCID 0x421): LibreOffice then shows ``1.250.000`` and
#: ``29,3%`` in any locale; Excel keeps the separators of the reader's regional settings.
LOCALE = "[$-421]"
#: Excel number format for Rupiah amounts.
RUPIAH_FORMAT = LOCALE + '"Rp" #,##0'
#: What each sheet of the matrices book holds, printed beside the sheet name in the page header.
SHEET_TITLES: dict[str, str] = {
    "Ringkasan": "Ringkasan SPPR",
    "Matriks 1": "Identifikasi keterlaksanaan program",
    "Matriks 2": "Penilaian prioritas program",
    "Matriks 3": "Hasil prioritas program",
    "Jangka Menengah": "Sinkronisasi jangka menengah",
    "Kesesuaian": "Kesesuaian lokasi program dengan rencana tata ruang",
    "Sinergi": "Sinergi dan konflik antarprogram",
    "Isu Data": "Isu data masukan",
    "Kinerja": "Evaluasi capaian kinerja perangkat daerah",
}
#: Columns folded away (an outline group, collapsed: hidden on screen and on paper until its + is clicked; still in
#: the sheet for scripts) so that the sheet prints one page wide at a readable size. ``Kesesuaian`` has 33
#: columns: the year (in the page header), SIPD code, fund source and priority area (in Matriks 2), zone shares
#: (in the explanation), achievement and provenance details fold.
FOLDED_COLUMNS: dict[str, frozenset[str]] = {
    "Kesesuaian": frozenset(
        {"tahun", "kode", "sumber_dana", "kawasan_prioritas", "zones", "volume", "satuan", "target", "realisasi", "capaian", "di_bawah_ambang",
         "lokasi_sumber", "sumber_berkas"}
    ),
}
#: Paper sizes of the book (xlsxwriter's codes).
PAPERS: dict[str, int] = {"A3": 8, "A4": 9}
#: The book prints on A4 landscape when that keeps every sheet at this scale or larger, else every sheet on A3
#: landscape (one paper size for the whole book).
A4_MIN_SCALE = 0.8
#: No sheet prints smaller than this: 11-point Calibri at 70% is 7.7 points (the fitted scale LibreOffice computes may be a few percent smaller). A sheet wider than the page at this
#: scale is split into column groups, each page repeating the sheet's key columns (its ID, and for some sheets the
#: name beside it).
MIN_PRINT_SCALE = 0.7
#: Columns after the ID column that are also repeated on every column group, per sheet.
KEY_EXTRA: dict[str, int] = {"Jangka Menengah": 1, "Matriks 1": 1}
#: Share of the page width the estimated columns may take: LibreOffice prints the columns some 15-20% wider
#: than their Excel width in points (measured on the sample's book).
_SAFETY = 0.75
#: A sheet whose estimated fit-to-width scale is at least this is fitted to the width (as before).
_FIT = 0.9
#: Printable width of a landscape A4 and A3 page with the book's margins (0.4 in left and right), in points.
_A4_WIDTH, _A3_WIDTH = (297 / 25.4 - 0.8) * 72, (420 / 25.4 - 0.8) * 72
_RP_TEXT = re.compile(r"^Rp\s?(-?\d{1,3}(?:\.\d{3})*(?:,\d+)?)$")
_PCT_TEXT = re.compile(r"^(-?\d+(?:,\d+)?)\s?%$")
_INT_TEXT = re.compile(r"^(?:0|-?[1-9]\d{0,2}(?:\.\d{3})+|-?[1-9]\d*)$")
_MIN_WIDTH, _MAX_WIDTH = 8, 60
#: Text columns wider than this wrap (their rows grow instead).
TEXT_WIDTH = 24
#: Row height of one line of 11-point text, in points.
_LINE_HEIGHT = 15.0
#: Row height of a stacked table's 12-point bold title, in points.
_TITLE_HEIGHT = 16.5
#: Printable height of a landscape A4 and A3 page with the book's margins (0.75 in top, 0.55 in bottom), in points.
_A4_HEIGHT, _A3_HEIGHT = (210 / 25.4 - 1.3) * 72, (297 / 25.4 - 1.3) * 72
#: Share of the printable height the estimated rows may take (the fitted scale LibreOffice computes differs a little).
_HEIGHT_SAFETY = 0.92


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
    if c in {"capaian", "keterlaksanaan", "rata_rata_capaian", "capaian_tertimbang_pagu", "score", "skor_prioritas", "jarak_m", "jarak_relokasi_m", "measure",
             "serapan", "capaian_node"}:
        return "decimal"
    if c.startswith("nilai_"):
        return "decimal2"
    if c.startswith("tahun") or c in {"peringkat", "feature", "no"}:
        return "integer"
    if c.startswith("jumlah"):
        return "count"
    if c in {"volume", "target", "realisasi"}:
        return "number"
    return "text"


def format_value(value: object, column: str) -> str | None:
    """A number as the workbook shows it in ``column`` (Indonesian separators), for other outputs to show the same
    figures (``laporan.html``); None when the column has no number format (show the value as it is).

    ``pagu`` 1.25e9 -> ``Rp 1.250.000.000`` (0 -> ``–``), ``porsi_*`` 0.293 -> ``29,3%``, ``score`` 98.5 -> ``98,5``,
    ``tahun`` 2025 -> ``2025``, ``jumlah*`` 1036 -> ``1.036``, ``volume`` 2.4 -> ``2,4``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    v = float(value)
    kind = _kind(column)
    if math.isnan(v) or math.isinf(v):
        return MISSING if kind != "text" else ""  # as the book shows a missing number
    if kind == "rupiah":
        return "–" if v == 0 else "Rp " + angka(v, 0)  # as the book's format shows a zero
    if kind == "fraction":
        return angka(100.0 * v, 1) + "%"
    if kind == "decimal":
        return angka(v, 1)
    if kind == "decimal2":
        return angka(v, 2)
    if kind == "integer":
        return str(round(v))
    if kind == "count" or (kind == "number" and v.is_integer()):
        return angka(v, 0)
    if kind == "number":
        return angka(v, 2).rstrip("0").rstrip(",")
    return None


_PAD = "_)"  # a blank the width of ")" after right-aligned numbers, so they do not touch the next column's text
_FORMATS = {
    "rupiah": {"num_format": RUPIAH_FORMAT + _PAD + ";-" + RUPIAH_FORMAT[len(LOCALE):] + _PAD + ';"–"' + _PAD},
    "fraction": {"num_format": LOCALE + "0.0%" + _PAD},
    "decimal": {"num_format": LOCALE + "#,##0.0" + _PAD},
    "decimal2": {"num_format": LOCALE + "0.00" + _PAD},
    "integer": {"num_format": "0", "align": "center"},
    "number": {"num_format": LOCALE + "#,##0.##" + _PAD},
    "count": {"num_format": LOCALE + "#,##0" + _PAD},
    "text": {"text_wrap": True},
    # a missing number (no value, as opposed to a true zero): the cell holds the text "–", right-aligned like the
    # column's numbers (centred like years), so that a printed blank is never read as "not filled in" or as Rp 0
    "dash": {"num_format": "@" + _PAD, "align": "right"},
    "dash_integer": {"align": "center"},
    # an empty text: the cell holds "–", centred, so that a printed blank is never read as "not filled in"
    "dash_text": {"align": "center"},
}

#: Text columns of a sheet where an empty cell has a meaning and stays blank: the ``Kinerja`` cascade's
#: continuation rows (a second indicator of the same goal, program or activity leaves its OPD, level, code and
#: name blank, as the evaluation form does).
BLANK_TEXT: dict[str, frozenset[str]] = {"Kinerja": frozenset({"opd", "tingkat", "kode", "uraian"})}

#: What a cell of a number column shows (and holds) when its value is missing.
MISSING = "–"


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


def _cell(value: object, column: str | None = None) -> object:
    if isinstance(value, str):
        return reader_text(value, column)
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


def _display(value: object, kind: str) -> str:
    """The text a number or string shows (for widths and wrapped line counts)."""
    if kind == "rupiah" and isinstance(value, (int, float)):
        return f"Rp {value:,.0f}"
    if kind == "fraction" and isinstance(value, (int, float)):
        return f"{100 * value:.1f}%"
    if kind in {"decimal", "count", "number"} and isinstance(value, (int, float)):
        return f"{value:,.2f}" if kind == "number" and not float(value).is_integer() else f"{value:,.0f}" if kind == "count" else f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


# Advance widths of the printable ASCII characters (" " to "~") in Calibri, regular and bold, in 1/2048 em
# (read from Carlito, its metric-compatible twin that LibreOffice substitutes); other characters count as "n".
_CALIBRI = (
    (463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038,
     1038, 1038, 548, 548, 1020, 1020, 1020, 949, 1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356,
     1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628, 1020, 1020, 596, 981, 1076, 866, 1076, 1019, 625, 964, 1076,
     470, 490, 931, 470, 1636, 1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644, 1020),
    (463, 667, 898, 1020, 1038, 1493, 1443, 478, 638, 638, 1020, 1020, 528, 627, 547, 880, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038,
     1038, 1038, 565, 565, 1020, 1020, 1020, 949, 1840, 1241, 1148, 1084, 1291, 999, 940, 1305, 1292, 546, 678, 1120, 866, 1790, 1349, 1385,
     1090, 1405, 1153, 968, 1014, 1337, 1211, 1856, 1128, 1064, 979, 665, 880, 665, 1020, 1020, 615, 1011, 1099, 857, 1099, 1031, 648, 971, 1099,
     503, 523, 983, 503, 1666, 1099, 1101, 1099, 1099, 728, 817, 710, 1099, 969, 1526, 941, 970, 814, 704, 973, 704, 1020),
)
_PX_PER_UNIT = 11 / 72 * 96 / 2048  # 11-point text on a 96-dpi screen: pixels per 1/2048 em
_CELL_MARGIN_PX = 8  # the cell's inner margins and a little room, so that no wrapped line is cut


#: Calibri advance widths by character (regular, bold); any other character counts as an "n".
_ADVANCE = tuple({chr(32 + k): w for k, w in enumerate(t)} for t in _CALIBRI)
_ADVANCE_N = tuple(t[ord("n") - 32] for t in _CALIBRI)


@functools.lru_cache(maxsize=1 << 16)
def _text_px(text: str, bold: bool = False) -> float:
    """Width in pixels of a line of 11-point Calibri (Excel's unit: a column ``w`` wide is ``7 w + 5`` pixels).

    Cached: the same words and labels come back on every row.
    """
    k = 1 if bold else 0
    return _PX_PER_UNIT * sum(map(_ADVANCE[k].get, text, itertools.repeat(_ADVANCE_N[k])))


def _units(px: float) -> float:
    """The column width that shows ``px`` pixels of text."""
    return (px + _CELL_MARGIN_PX - 5) / 7


def _width(header: str, values: Sequence[object], kind: str, cap: float = TEXT_WIDTH) -> float:
    """A column's width: its longest header word (headers wrap), its widest number; for text, wide enough for most
    values on one line (four in five), never narrower than its longest word, wrapping beyond ``cap``."""
    longest = max([_units(_text_px(w, bold=True)) for w in header.split()] + [min(len(header), 8)])
    texts: list[float] = []
    word = 0.0
    deepest = 0  # an outline's deepest indent widens the column by as much (its lines wrap as a flat column's)
    for v in values[:2000]:
        if v is None:
            continue
        if isinstance(v, str):
            if v:
                level, rest = _leading(v)  # an indented text (an outline) is as wide as its indent more
                deepest = max(deepest, level)
                texts.append(_text_px(rest) + level * _INDENT_PX)
                word = max([word] + [_text_px(w) + level * _INDENT_PX for w in rest.split()])
        else:
            longest = max(longest, _units(_text_px(_display(v, kind) + ")")))  # numbers end in a ")"-wide blank
    if texts:
        texts.sort()
        most = texts[min(len(texts) - 1, int(0.8 * len(texts)))]
        longest = max(longest, min(cap + deepest * _INDENT_PX / 7, _units(max(word, most))))
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, math.ceil(longest))))


#: One level of a cell's indent, in pixels (LibreOffice indents 7.5 points a level; Excel a little less).
_INDENT_PX = 10.0
#: Excel's deepest indent level.
_MAX_INDENT = 15


def _leading(text: str) -> tuple[int, str]:
    """A text's leading em spaces (an outline's, ``"\u2003\u2003Pembangunan jalan"``) as an indent level of the
    cell's format, and the text without them.

    Printed as characters, leading blanks start only the first line of a wrapped cell, push its first words to
    the right, and are left out of the wrapped line count (``str.split`` drops them), so that the last line is
    cut; an indent format indents every line and is counted. Only em spaces are an outline's indent: any other
    leading character (a source's space, tab or carriage return) is the cell's text and is written as it is.
    """
    rest = text.lstrip("\u2003")
    if len(rest) == len(text):
        return 0, text
    return min(_MAX_INDENT, len(text) - len(rest)), rest  # a level an em space (printed 0.7 em)


@functools.lru_cache(maxsize=1 << 16)
def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines a text wraps into in a column ``width`` wide: words laid out greedily in Calibri's widths, a word
    longer than the line broken; leading blanks are an indent (:func:`_leading`) taken off every line."""
    level, text = _leading(text)
    room = max(1.0, int(width * 7 + 0.5) + 5 - _CELL_MARGIN_PX - level * _INDENT_PX)
    space = _text_px(" ", bold)
    n = 0
    for part in text.split("\n"):
        n += 1
        used = 0.0
        for word in part.split():
            w = _text_px(word, bold)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                n += 1
            while w > room:  # a long word wraps by characters
                n += 1
                w -= room
            used = w
    return n


def write_workbook(
    sheets: Mapping[str, pd.DataFrame | Sequence[Block]],
    target: str | os.PathLike[str],
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    region: str | None = None,
    year: int | None = None,
    sheet_titles: Mapping[str, str] | None = None,
    folded: Mapping[str, Collection[str]] | None = None,
    paper: str | None = None,
) -> Path:
    """Write a formatted workbook, atomically.

    Parameters
    ----------
    sheets : mapping
        Sheet name (at most 31 characters) -> a DataFrame (one table: header in
        row 1, frozen, autofilter) or a sequence of :class:`Block` (stacked tables
        under ``title``, which is frozen at the top).
    target : path-like
        The ``.xlsx`` to create (replaced if it exists).
    headers : mapping, optional
        Machine column name -> Indonesian header (see :func:`header_for`).
    title : str, optional
        Title on the first row of stacked sheets and in every printed page header.
    region : str, optional
        Region name for the printed page header (left out when the title names it).
    year : int, optional
        Fiscal year for the printed page header (left out when the title names it).
    sheet_titles : mapping, optional
        Sheet name -> what it holds, printed after the sheet name in the page
        header (default :data:`SHEET_TITLES`).
    folded : mapping, optional
        Sheet name -> machine column names folded away (hidden in a collapsed
        outline group, so not printed; default :data:`FOLDED_COLUMNS`).
    paper : {"A3", "A4"}, optional
        The book's one paper size (the album's, so that a run prints on one paper); default: A4 when every sheet
        prints at :data:`A4_MIN_SCALE` or more on it, else A3. A stacked table too wide for the paper at a legible
        size continues in column pieces below it (:func:`split_columns`).

    Returns
    -------
    Path

    Notes
    -----
    The steps: the formats (:func:`_formats`); each sheet's table or blocks (:func:`_blocks`), widths,
    folds and row heights (:func:`_columns_and_rows`); one paper size for the book; each page setup.
    """
    import xlsxwriter

    headers = headers or {}
    if paper is not None and str(paper).upper() not in PAPERS:
        raise ValueError(_("{paper!r}: use \"A3\" or \"A4\"").format(paper=paper))  # the config's message
    sheet_titles = SHEET_TITLES if sheet_titles is None else sheet_titles
    folded = FOLDED_COLUMNS if folded is None else folded
    target = Path(target)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": False, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": title or "", "created": _dt.datetime(2000, 1, 1)})
        hdr, title_fmt, note_fmt, fmts, total_fmts, stop_fmt = _formats(wb)
        setups: list[tuple[Any, str, dict[int, float], set[int], list[str], list[tuple[int, int]], dict[int, float], dict[int, list[tuple[int, str, bool]]]]] = []
        stacked: dict[str, list[Block]] = {}
        for name, content in sheets.items():
            if len(name) > 31:
                raise ValueError(_("sheet name '{name}' is longer than 31 characters").format(name=name))
            ws = wb.add_worksheet(name)
            widths: dict[int, float] = {}
            texts: dict[int, list[tuple[int, str, bool]]] = {}  # row -> (column, text, bold): wrapped cells, for row heights
            hidden: set[int] = set()
            blocks: list[tuple[int, int]] = []  # stacked tables: (first row, row after the last) of each, with its title
            heights: dict[int, float] = {}
            if isinstance(content, pd.DataFrame):
                fold = set(folded.get(name, ()))
                hidden = {j for j, c in enumerate(str(c) for c in content.columns if str(c) != "geometry") if c in fold}
                _table(ws, content, 0, hdr, fmts, total_fmts, headers, widths, texts, filter_=True, blank=BLANK_TEXT.get(name, ()))
                _stop_folded(ws, content, hidden, stop_fmt)
                ws.freeze_panes(1, 0)
                ws.repeat_rows(0)
            else:  # laid out on no sheet first: written once the paper is known, long tables split by page
                blocks = _blocks(_NoSheet(), content, title, title_fmt, note_fmt, hdr, fmts, total_fmts, headers, widths, texts, heights)
                stacked[name] = list(content)
                _columns_and_rows(_NoSheet(), widths, hidden, texts, heights)
            cols = [str(c) for c in content.columns if str(c) != "geometry"] if isinstance(content, pd.DataFrame) else []
            setups.append((ws, name, dict(widths), hidden, cols, blocks, heights, texts))
        # one paper size for the whole book: the one asked for (the album's), else A3 when any sheet would print too
        # small on A4
        if paper is not None:
            code = PAPERS[str(paper).upper()]
        else:
            code = 8 if any(print_scale([w for c, w in wd.items() if c not in hd])[0] == 8 for _, _, wd, hd, *_ in setups) else 9
        lay = functools.partial(_blocks, title=title, title_fmt=title_fmt, note_fmt=note_fmt, hdr=hdr, fmts=fmts, total_fmts=total_fmts, headers=headers)
        for ws, name, wd, hd, cols, blocks, heights, texts in setups:
            groups: tuple[float | None, list[int]] = (None, [])
            if name in stacked:
                # a table too wide for the page at a legible size continues in column pieces below it (its first
                # column repeated); then each piece of a table longer than a page starts a page with its headers
                pieces = split_columns(stacked[name], [_own_widths(lay, b) for b in stacked[name]], room=_stacked_room(code))
                note_px = _SAFETY * _stacked_room(code) / 0.75  # a note no wider than the columns LibreOffice prints
                widths, texts, heights = {}, {}, {}
                blocks = lay(_NoSheet(), pieces, widths=widths, texts=texts, heights=heights, note_px=note_px)
                _columns_and_rows(_NoSheet(), widths, set(), texts, heights)
                pieces = split_blocks(pieces, blocks, heights, room=_page_room(widths, hd, code), note_px=note_px)
                widths, texts, heights = dict(widths), {}, {}  # the columns as laid out (a piece's may only widen them)
                blocks = lay(ws, pieces, widths=widths, texts=texts, heights=heights, note_px=note_px)
                _columns_and_rows(ws, widths, set(), texts, heights)
                wd = dict(widths)
            else:
                # a sheet printed in column groups: each group's wrapped text columns widened into the room its
                # page leaves, so that a row is about as high on every group's page (row heights are per row)
                groups = column_groups(wd, hd, _key_columns(name, cols, hd), code) if cols else (None, [])
                if groups[0] is not None:
                    groups, wd = balance_groups(wd, hd, _key_columns(name, cols, hd), groups, texts, paper=code)
                _columns_and_rows(ws, wd, hd, texts, heights)
            _page_setup(ws, name, wd, hd, cols, paper=code, title=title, region=region, year=year, sheet_title=sheet_titles.get(name), groups=groups)
            _block_page_breaks(ws, blocks, heights, wd, hd, code)
        wb.close()
    return target


def _formats(wb: Any) -> tuple[Any, Any, Any, dict[str, Any], dict[str, Any], Any]:
    """The workbook's formats: header, title, note, the body and total cells of each kind, and the white
    blank cells of the column that stops a sheet's trailing folded columns."""
    hdr = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    title_fmt = wb.add_format({"bold": True, "font_size": 12})
    note_fmt = wb.add_format({"italic": True, "font_color": "#555555"})
    grid = {"border": 1, "border_color": "#A6A6A6"}  # table bodies ruled, as a printed matrix is
    props = {k: {**v, **grid, "valign": "top"} for k, v in _FORMATS.items()}
    total_props = {k: {**v, **grid, "valign": "top", "bold": True, "top": 1, "top_color": "#000000"} for k, v in _FORMATS.items()}
    fmts = {k: wb.add_format(v) for k, v in props.items()}
    total_fmts = {k: wb.add_format(v) for k, v in total_props.items()}
    # the text formats with an indent (an outline's levels), added when first used
    base = {id(fmts["text"]): props["text"], id(total_fmts["text"]): total_props["text"]}
    made: dict[tuple[int, int], Any] = {}

    def indented(fmt: Any, level: int) -> Any:
        key = (id(fmt), level)
        if key not in made:
            made[key] = wb.add_format({**base[id(fmt)], "align": "left", "indent": level}) if id(fmt) in base else fmt
        return made[key]

    fmts["indented"] = indented  # type: ignore[assignment]
    # after folded columns that end a sheet, a narrow column of white blank cells: without a cell beside them,
    # LibreOffice prints a hidden column's number as "###" over an empty visible cell on its left
    stop_fmt = wb.add_format({"bg_color": "#FFFFFF"})
    return hdr, title_fmt, note_fmt, fmts, total_fmts, stop_fmt


def _blocks(
    ws: Any, content: Sequence[Block], title: str | None, title_fmt: Any, note_fmt: Any, hdr: Any, fmts: dict[str, Any], total_fmts: dict[str, Any],
    headers: Mapping[str, str], widths: dict[int, float], texts: dict[int, list[tuple[int, str, bool]]],
    heights: dict[int, float], note_px: float | None = None,
) -> list[tuple[int, int]]:
    """A sheet of stacked tables: the book's title (frozen), then each block's title, note and table.

    A note longer than ``note_px`` pixels is written in lines of at most that (:func:`note_lines`), a row each:
    a text running on past the last column widens what LibreOffice fits to the page width (a long note printed
    the whole A4 Ringkasan smaller). Returns each table's first row (its title) and the row after its last;
    ``heights`` gains the title rows'."""
    blocks: list[tuple[int, int]] = []
    row = 0
    if title:
        ws.write(0, 0, title, title_fmt)
        row = 2
        ws.freeze_panes(1, 0)  # on screen only: on paper the page header names the book
    for block in content:
        top = row
        ws.write(row, 0, reader_text(block.title), title_fmt)
        heights[row] = _TITLE_HEIGHT
        row += 1
        for line in note_lines(reader_text(block.note), note_px) if block.note else []:
            ws.write(row, 0, line, note_fmt)
            row += 1
        row = _table(ws, block.frame, row, hdr, fmts, total_fmts, headers, widths, texts, filter_=False) + 1
        blocks.append((top, row - 1))
    return blocks


def note_lines(note: str, px: float | None) -> list[str]:
    """A note in lines of at most ``px`` pixels of 11-point Calibri (words kept whole; None: one line)."""
    if px is None or _text_px(note) <= px:
        return [note]
    lines: list[str] = []
    for word in note.split():
        if lines and _text_px(lines[-1] + " " + word) <= px:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _columns_and_rows(ws: Any, widths: dict[int, float], hidden: set[int], texts: dict[int, list[tuple[int, str, bool]]], heights: dict[int, float]) -> None:
    """The sheet's column widths (folded columns hidden in a collapsed outline group) and the heights of rows with wrapped text."""
    for col, w in widths.items():
        if col in hidden:
            ws.set_column(col, col, w, None, {"level": 1, "hidden": True})
        elif col - 1 in hidden:
            ws.set_column(col, col, w, None, {"collapsed": True})
        else:
            ws.set_column(col, col, w)
    if hidden:
        ws.outline_settings(True, False, False, False)  # the + above the folded columns, left of them
    for r, cells in texts.items():
        n = max((_lines(t, widths.get(c, _MIN_WIDTH), bold) for c, t, bold in cells if c not in hidden), default=1)
        if n > 1:  # LibreOffice does not grow rows on opening a file; Excel keeps a height that is set
            ws.set_row(r, _LINE_HEIGHT * n)
            heights[r] = _LINE_HEIGHT * n


def _stop_folded(ws: Any, content: pd.DataFrame, hidden: set[int], stop_fmt: Any) -> None:
    """A 1-wide column of white blank cells after folded columns that end the sheet (else LibreOffice prints a
    hidden column's numbers as "###" over the empty visible cell on their left)."""
    ncols = sum(1 for c in content.columns if str(c) != "geometry")
    if hidden and ncols - 1 in hidden:
        for r in range(1, len(content) + 1):
            ws.write_blank(r, ncols, None, stop_fmt)
        ws.set_column(ncols, ncols, 1)


class _NoSheet:
    """A worksheet that keeps nothing: a stacked sheet is laid out on it first, for its widths and row heights."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _page_room(wd: Mapping[int, float], hd: Collection[int], paper: int) -> float:
    """The height in sheet points (at 100%) a page of a stacked sheet fitted to the width of ``paper`` holds."""
    scale = min(1.0, (_A3_WIDTH if paper == 8 else _A4_WIDTH) / max(printed_width([w for c, w in wd.items() if c not in hd]), 1.0))
    return _HEIGHT_SAFETY * (_A3_HEIGHT if paper == 8 else _A4_HEIGHT) / max(scale, 1e-6)


def split_blocks(content: Sequence[Block], blocks: Sequence[tuple[int, int]], heights: Mapping[int, float], *, room: float,
                 note_px: float | None = None) -> list[Block]:
    """The stacked tables with each one taller than a page split into pieces of at most a page.

    Parameters
    ----------
    content : sequence of Block
        The tables, as laid out.
    blocks : sequence of (int, int)
        Each table's first row (its title) and the row after its last, as laid out (see :func:`block_breaks`).
    heights : mapping
        Row -> height in points where it is not :data:`_LINE_HEIGHT`, as laid out.
    room : float
        The height of a printed page in sheet points.
    note_px : float, optional
        The width the notes were laid out in (:func:`note_lines`).

    Returns
    -------
    list of Block
        A piece after the first is titled ``"<title> (lanjutan)"`` and has no note; every piece keeps the table's
        columns, so that it prints its column headers (a sheet repeats one header range only, and a stacked
        sheet's tables have different headers). A piece holds at least one row.
    """
    out: list[Block] = []
    for block, (top, end) in zip(content, blocks):
        def h(r: int) -> float:
            return heights.get(r, _LINE_HEIGHT)

        header = top + 1 + (len(note_lines(reader_text(block.note), note_px)) if block.note else 0)
        if sum(h(r) for r in range(top, end)) <= room or len(block.frame) <= 1:
            out.append(block)
            continue
        first = header + 1
        head = sum(h(r) for r in range(top, first))  # title, note and header of the first piece
        cont = h(top) + h(header)  # a continuation's title and header
        i, n = 0, len(block.frame)
        while i < n:
            used, j = head if i == 0 else cont, i
            while j < n and (j == i or used + h(first + j) <= room):
                used += h(first + j)
                j += 1
            piece = block.frame.iloc[i:j]
            out.append(Block(block.title, piece, block.note) if i == 0 else Block(f"{block.title} (lanjutan)", piece, None))
            i = j
    return out


def _own_widths(lay: Any, block: Block) -> dict[int, float]:
    """A stacked table's own column widths (laid out alone, on no sheet)."""
    widths: dict[int, float] = {}
    lay(_NoSheet(), [block], widths=widths, texts={}, heights={})
    return widths


def _stacked_room(paper: int) -> float:
    """The width in sheet points (at 100%) a stacked sheet's columns may take on ``paper`` (8 = A3, 9 = A4): a sheet
    fitted to the width prints at :data:`MIN_PRINT_SCALE` or more even when LibreOffice prints its columns a third
    wider than estimated (:data:`_SAFETY`)."""
    return _SAFETY * (_A3_WIDTH if paper == 8 else _A4_WIDTH) / MIN_PRINT_SCALE


def split_columns(content: Sequence[Block], widths: Sequence[Mapping[int, float]], *, room: float) -> list[Block]:
    """The stacked tables with each one too wide for the page split into column pieces stacked below it.

    A stacked sheet is one grid: its column ``j`` is as wide as the widest column ``j`` of its tables, so the
    pieces are cut until the sheet's columns, taken at their widest, fit ``room``.

    Parameters
    ----------
    content : sequence of Block
        The tables.
    widths : sequence of mapping
        Each table's own column widths (column index -> Excel width), in the order of ``content``.
    room : float
        The width in sheet points (at 100%) the sheet's columns may take (:func:`printed_width`).

    Returns
    -------
    list of Block
        A table that fits is kept; a wider one becomes pieces that each repeat its first column (the row's label),
        with as many of the next columns as fit, in order; a piece after the first is titled
        ``"<title> (lanjutan)"`` and has no note. Every column is in exactly one piece. A piece holds at least one
        column besides the first, so a column wider than ``room`` alone still prints (smaller).
    """
    def cut(budget: float) -> list[tuple[Block, list[int]]]:
        out: list[tuple[Block, list[int]]] = []
        for block, wd in zip(content, widths):
            n = len([c for c in block.frame.columns if str(c) != "geometry"])
            if n <= 2 or printed_width([wd.get(j, _MIN_WIDTH) for j in range(n)]) <= budget:
                out.append((block, list(range(n))))
                continue
            head = printed_width([wd.get(0, _MIN_WIDTH)])
            groups: list[list[int]] = [[]]
            used = head
            for j in range(1, n):
                w = printed_width([wd.get(j, _MIN_WIDTH)])
                if groups[-1] and used + w > budget:
                    groups.append([])
                    used = head
                groups[-1].append(j)
                used += w
            out.extend((block, [0] + g) for g in groups)
        return out

    def sheet_width(pieces: list[tuple[Block, list[int]]]) -> float:
        grid: dict[int, float] = {}
        for k, (block, sel) in enumerate(pieces):
            wd = widths[[id(b) for b in content].index(id(block))]
            for pos, j in enumerate(sel):
                grid[pos] = max(grid.get(pos, 0.0), wd.get(j, _MIN_WIDTH))
        return printed_width(list(grid.values()))

    budget = room
    pieces = cut(budget)
    while sheet_width(pieces) > room and budget > 0:
        finer = cut(budget * 0.9)
        if len(finer) == len(pieces) and budget * 0.9 < 1:
            break
        budget *= 0.9
        pieces = finer
        if all(len(sel) <= 2 for _, sel in pieces):
            break
    out: list[Block] = []
    for block, sel in pieces:
        cols = [c for c in block.frame.columns if str(c) != "geometry"]
        if len(sel) == len(cols):
            out.append(block)
        elif sel[1] == 1:
            out.append(Block(block.title, block.frame[[cols[j] for j in sel]], block.note))
        else:
            out.append(Block(f"{block.title} (lanjutan)", block.frame[[cols[j] for j in sel]], None))
    return out


def _needs(texts: Mapping[int, Sequence[tuple[int, str, bool]]], hidden: Collection[int], keys: int) -> tuple[dict[int, float], dict[int, float]]:
    """Per column: the width that holds its header on two lines (its longest word on one), and the width that
    holds its longest body line on one line (:func:`widen_groups`)."""
    head: dict[int, float] = {}
    need: dict[int, float] = {}
    for cells in texts.values():
        for c, t, bold in cells:
            if c in hidden or c < keys:
                continue
            level, rest = _leading(t)
            px = max((_text_px(line, bold) for line in rest.split("\n")), default=0.0) + level * _INDENT_PX
            if bold:  # a header (or a total): the narrowest width that wraps it into two lines
                w = math.ceil(_units(max([_text_px(x, True) for x in rest.split()] + [px / 2])))
                while w < _units(px) + 2 and _lines(rest, w - 2, True) > 2:  # two units to spare: LibreOffice wraps a little sooner
                    w += 1
                head[c] = max(head.get(c, 0.0), min(w, _units(px) + 2))
            need[c] = max(need.get(c, 0.0), _units(px) if not bold else head[c])
    return head, need


def widen_groups(
    widths: Mapping[int, float], hidden: Collection[int], keys: int, breaks: Sequence[int], texts: Mapping[int, Sequence[tuple[int, str, bool]]],
    *, paper: int, scale: float, needs: tuple[dict[int, float], dict[int, float]] | None = None,
) -> dict[int, float]:
    """The column widths of a sheet printed in column groups, each group's wrapping text columns widened into the
    room its page leaves.

    Excel and LibreOffice keep one height per row for all pages of a sheet: a row is as high as its tallest cell
    in any group. A group of a few columns (a long Keterangan alone) wraps its text into many lines, and every
    other group's pages then print rows that high around one or two lines of text. Widening the wrapping columns
    of each group up to the group's room (:func:`column_groups`: the page at ``scale`` less the repeated key
    columns) brings each group's wrapped height down, so that no group sets a row far taller than the others need.

    Parameters
    ----------
    widths : mapping
        Column index -> Excel width.
    hidden : collection of int
        Folded columns (not printed).
    keys : int
        Leading columns repeated on every group's page.
    breaks : sequence of int
        Columns that start a group (:func:`column_groups`).
    texts : mapping
        Row -> (column, text, bold) of the wrapped cells (headers are bold and left as they wrap).
    paper : int
        8 = A3, 9 = A4.
    scale : float
        The print scale.
    needs : (dict, dict), optional
        The columns' header and body widths (computed from ``texts`` when not given).

    Returns
    -------
    dict
        The widths; a widened column is never wider than its longest line of body text needs (or its header on
        two lines), and every group still fits its room (the same breaks).
    """
    out = dict(widths)
    avail = _A3_WIDTH if paper == 8 else _A4_WIDTH
    order = sorted(widths)
    room = _SAFETY * avail / scale - printed_width([widths[c] for c in order[:keys] if c not in hidden])
    head, need = needs if needs is not None else _needs(texts, hidden, keys)
    cuts = [keys, *sorted(b for b in breaks if b >= keys), max(order) + 1]
    for lo, hi in zip(cuts, cuts[1:]):
        group = [c for c in order if lo <= c < hi and c not in hidden]
        for want in (head, need):  # the headers on two lines first, then the body's lines
            slack = room - printed_width([out[c] for c in group])
            while slack >= 0.75 * 7:  # a whole width unit left (7 pixels, 0.75 pt a pixel)
                deficit = {c: math.ceil(want[c]) - out[c] for c in group if c in want and math.ceil(want[c]) - out[c] >= 1}
                if not deficit:
                    break
                units = math.floor(slack / 0.75 / 7)  # shared by what each column lacks
                adds = {c: min(d, math.floor(units * d / sum(deficit.values()))) for c, d in deficit.items()}
                if not any(adds.values()):
                    adds = {max(deficit, key=lambda c: (deficit[c], -c)): 1}  # a last unit to the column that lacks most
                for c, add in adds.items():
                    out[c] += add
                slack = room - printed_width([out[c] for c in group])
    return out


#: Rows a sheet's column groups are balanced on (evenly spaced), so that a long sheet is laid out as fast.
_BALANCE_ROWS = 150
#: How far (in columns) a break between column groups may move from where the greedy packing put it.
_BALANCE_SHIFT = 3


def balance_groups(
    widths: Mapping[int, float], hidden: Collection[int], keys: int, groups: tuple[float | None, list[int]],
    texts: Mapping[int, Sequence[tuple[int, str, bool]]], *, paper: int,
) -> tuple[tuple[float | None, list[int]], dict[int, float]]:
    """The column groups of a sheet (:func:`column_groups`) with their breaks moved and their wrapping columns
    widened (:func:`widen_groups`) so that a row is about as high on every group's page.

    A row is as high as its tallest cell in any group: the greedy packing fills the first groups to the brim,
    so their text columns wrap into several lines while the last group has room to spare and needs one. Each
    break may move up to :data:`_BALANCE_SHIFT` columns (the same number of groups, each within its room); the
    choice minimises the rows that print more than twice as high as a group's own text needs, then the total
    height (on at most :data:`_BALANCE_ROWS` rows).

    Parameters
    ----------
    widths, hidden, keys
        As for :func:`column_groups`.
    groups : (float or None, list of int)
        :func:`column_groups`'s scale and breaks (a scale of None is returned unchanged).
    texts : mapping
        Row -> (column, text, bold) of the wrapped cells.
    paper : int
        8 = A3, 9 = A4.

    Returns
    -------
    ((float or None, list of int), dict)
        The scale and the breaks, and the widths.
    """
    scale, greedy = groups
    if scale is None:
        return groups, dict(widths)
    avail = _A3_WIDTH if paper == 8 else _A4_WIDTH
    order = [c for c in sorted(widths) if c >= keys and c not in hidden]
    room = _SAFETY * avail / scale - printed_width([widths[c] for c in sorted(widths)[:keys] if c not in hidden])
    body = sorted(texts)  # the header and the body
    if len(body) > _BALANCE_ROWS:
        body = [body[round(k * (len(body) - 1) / (_BALANCE_ROWS - 1))] for k in range(_BALANCE_ROWS)]
    rows = [[(c, t) for c, t, _ in texts[r] if c not in hidden] for r in body]
    needs = _needs(texts, hidden, keys)
    pos = {c: k for k, c in enumerate(order)}
    starts = [pos[b] for b in greedy if b in pos]

    def fits(cut: Sequence[int]) -> bool:
        bounds = [0, *cut, len(order)]
        return all(lo < hi and printed_width([widths[c] for c in order[lo:hi]]) <= room + 1e-6 for lo, hi in zip(bounds, bounds[1:]))

    def cost(cut: Sequence[int]) -> tuple[int, int, int]:
        breaks = [order[k] for k in cut]
        wd = widen_groups(widths, hidden, keys, breaks, texts, paper=paper, scale=scale, needs=needs)
        bounds = [0, *cut, len(order)]
        group_of = {c: g for g, (lo, hi) in enumerate(zip(bounds, bounds[1:])) for c in order[lo:hi]}
        bad = total = 0
        for cells in rows:
            # each group's lines, and as few as LibreOffice sets them in (it prints a column up to a third wider
            # than Excel's width, :data:`_SAFETY`: a row is as high as the estimate, a group's own text may need
            # fewer lines)
            need = [1] * (len(bounds) - 1)
            least = [1] * (len(bounds) - 1)
            shared = shared_least = 1
            for c, t in cells:
                w = wd.get(c, _MIN_WIDTH)
                n, m = _lines(t, w), _lines(t, w / _SAFETY)
                if c < keys:  # a key column prints on every group's page
                    shared, shared_least = max(shared, n), max(shared_least, m)
                elif c in group_of:
                    g = group_of[c]
                    need[g], least[g] = max(need[g], n), max(least[g], m)
            top = max([shared, *need])
            bad += sum(1 for m in least if top > 2 * max(m, shared_least))
            total += top
        return bad, total * len(need), sum(abs(a - b) for a, b in zip(cut, starts))  # printed rows: a row on each page

    best, best_cost = starts, cost(starts) if rows else (0, 0, 0)
    if not rows or not starts or best_cost[0] == 0:
        return groups, widen_groups(widths, hidden, keys, greedy, texts, paper=paper, scale=scale, needs=needs)

    def pack(limit: float) -> list[int]:
        cut: list[int] = []
        used = 0.0
        for k, c in enumerate(order):
            w = printed_width([widths[c]])
            if used and used + w > limit:
                cut.append(k)
                used = 0.0
            used += w
        return cut

    # the greedy groups, and the same packed tighter into one group more (more pages, but rows of even height)
    seeds = [starts] + [cut for f in (0.9, 0.8, 0.7, 0.6) if len(cut := pack(room * f)) == len(starts) + 1]
    seen: set[tuple[int, ...]] = {tuple(starts)}
    for seed in list(dict.fromkeys(tuple(x) for x in seeds)):
        shift = _BALANCE_SHIFT if len(seed) == len(starts) else 2
        for cut in itertools.product(*(range(max(1, k - shift), min(len(order), k + shift + 1)) for k in seed)):
            if cut in seen or any(a >= b for a, b in zip(cut, cut[1:])) or not fits(cut):
                continue
            seen.add(cut)
            c = cost(cut)
            if c < best_cost:
                best, best_cost = list(cut), c
    breaks = [order[k] for k in best]
    return (scale, breaks), widen_groups(widths, hidden, keys, breaks, texts, paper=paper, scale=scale, needs=needs)


def _block_page_breaks(ws: Any, blocks: list[tuple[int, int]], heights: dict[int, float], wd: dict[int, float], hd: set[int], paper: int) -> None:
    """Page breaks before a stacked table that would otherwise run over onto the next page (:func:`block_breaks`)."""
    if not blocks:
        return
    scale = min(1.0, (_A3_WIDTH if paper == 8 else _A4_WIDTH) / max(printed_width([w for c, w in wd.items() if c not in hd]), 1.0))
    rows = block_breaks(blocks, heights, page_height=_A3_HEIGHT if paper == 8 else _A4_HEIGHT, scale=scale)
    if rows:
        ws.set_h_pagebreaks(rows)


def page_header(name: str, *, title: str | None, region: str | None, year: int | None, sheet_title: str | None = None) -> tuple[str, str]:
    """The printed page header's left and right parts (unescaped): ``title - region - Tahun year`` and ``sheet: what it holds``.

    Region and year are left out of the left part when the title already names them.
    """
    left = title or "Buku Matriks SPPR"
    bits = [b for b in (region, f"Tahun {year}" if year else None) if b and str(b) not in str(left)]
    if bits:
        left += " - " + " - ".join(str(b) for b in bits)
    right = name if not sheet_title or sheet_title == name else f"{name}: {sheet_title}"
    return left, right


def printed_width(widths: Sequence[float]) -> float:
    """The width in points of columns of these widths at 100% (Excel's and LibreOffice's 7-pixel unit, 5 pixels of
    padding, 96 pixels an inch)."""
    return sum(0.75 * (int(w * 7 + 0.5) + 5) for w in widths)


def print_scale(widths: Sequence[float]) -> tuple[int, float]:
    """The paper (9 = A4, 8 = A3) and the scale at which columns of these widths print one page wide."""
    pts = printed_width(widths)
    a4 = min(1.0, _A4_WIDTH / pts) if pts else 1.0
    if a4 >= A4_MIN_SCALE:
        return 9, a4
    return 8, min(1.0, _A3_WIDTH / pts)


def column_groups(widths: Mapping[int, float], hidden: Collection[int], keys: int, paper: int) -> tuple[float | None, list[int]]:
    """The print scale and the columns that start a new page (vertical breaks) of a sheet on ``paper``
    (8 = A3, 9 = A4).

    A sheet whose estimated fit-to-width scale is :data:`_FIT` or more is fitted to the width (scale None: the
    application computes it). A wider one prints at :data:`MIN_PRINT_SCALE` in column groups of at most
    :data:`_SAFETY` of the page width (LibreOffice prints columns wider than the estimate), each repeating the
    first ``keys`` columns; a group that still overflows is broken again by the application, the key columns
    repeated.
    """
    avail = _A3_WIDTH if paper == 8 else _A4_WIDTH
    order = sorted(widths)
    visible = [widths[c] for c in order if c not in hidden]
    pts = printed_width(visible)
    if not pts:
        return None, []
    if avail / pts >= _FIT:
        return None, []  # fitted to the width by the application: legible even if the estimate is 25% short
    scale = MIN_PRINT_SCALE
    room = _SAFETY * avail / scale - printed_width([widths[c] for c in order[:keys] if c not in hidden])
    breaks: list[int] = []
    used = 0.0
    for c in order[keys:]:
        if c in hidden:
            continue
        w = printed_width([widths[c]])
        if used and used + w > room:
            breaks.append(c)
            used = 0.0
        used += w
    return scale, breaks


def block_breaks(blocks: Sequence[tuple[int, int]], heights: Mapping[int, float], *, page_height: float, scale: float) -> list[int]:
    """Rows before which a page must break so that no stacked table runs onto a second page when it fits one.

    Parameters
    ----------
    blocks : sequence of (int, int)
        Each table's first row (its title) and the row after its last (0-based, in order).
    heights : mapping
        Row -> height in points where it is not :data:`_LINE_HEIGHT`.
    page_height : float
        Printable height of the page in points.
    scale : float
        Print scale (1.0 = 100%).

    Returns
    -------
    list of int
        0-based rows that start a new page (a table's title row). A table taller than a page starts on a new page
        and runs on (its header cannot repeat: one sheet repeats at most one row range).
    """
    room = _HEIGHT_SAFETY * page_height / max(scale, 1e-6)
    breaks: list[int] = []
    used = sum(heights.get(r, _LINE_HEIGHT) for r in range(0, blocks[0][0])) if blocks else 0.0
    prev_end = blocks[0][0] if blocks else 0
    for top, end in blocks:
        gap = sum(heights.get(r, _LINE_HEIGHT) for r in range(prev_end, top))
        h = sum(heights.get(r, _LINE_HEIGHT) for r in range(top, end))
        if used > 0 and used + gap + h > room:
            breaks.append(top)
            used = h
        else:
            used += gap + h
        if used > room:  # a table taller than a page: it runs on; what is left of its last page
            used = used % room
        prev_end = end
    return breaks


def _key_columns(name: str, cols: Sequence[str], hidden: Collection[int]) -> int:
    """How many leading columns identify a row: through the first ID column (at most the third), plus
    :data:`KEY_EXTRA` for the sheet."""
    ids = [j for j, c in enumerate(cols[:3]) if c.lower().endswith("_id") or c.lower() in {"id", "program_id", "ipu_id"}]
    n = (ids[0] + 1) if ids else 1
    n += KEY_EXTRA.get(name, 0)
    return min(n, max(1, len(cols) - 1))


def _page_setup(
    ws, name: str, widths: Mapping[int, float], hidden: Collection[int], cols: Sequence[str], *, paper: int, title: str | None, region: str | None,
    year: int | None, sheet_title: str | None = None, groups: tuple[float | None, list[int]] | None = None,
) -> None:
    """Landscape on the book's paper, fitted to the page width, or, for a sheet too wide to stay legible,
    in column groups repeating its key columns (``groups``: :func:`column_groups`, computed here when not given);
    title, region, year and sheet name in the header."""
    ws.set_landscape()
    ws.set_paper(paper)  # 8 = A3, 9 = A4
    keys = _key_columns(name, cols, hidden) if cols else 0
    scale, breaks = groups if groups is not None else column_groups(widths, hidden, keys, paper) if cols else (None, [])
    if scale is None:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(max(10, int(math.ceil(scale * 100))))
        ws.repeat_columns(0, keys - 1)  # also when a column spills over the estimate
        if breaks:
            ws.set_v_pagebreaks(breaks)
            ws.print_across()  # all column groups of a block of rows, then the next rows
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.55)
    ws.center_horizontally()

    def esc(t: str) -> str:
        return str(t).replace("&", "&&")

    left, right = page_header(name, title=title, region=region, year=year, sheet_title=sheet_title)
    ws.set_header(f'&L&"-,Bold"{esc(left)}&R&"-,Bold"{esc(right)}', {"margin": 0.3})
    ws.set_footer("&LBuku Matriks SPPR&RHalaman &P dari &N", {"margin": 0.3})


def _table(
    ws, df: pd.DataFrame, row: int, hdr, fmts, total_fmts, headers, widths: dict[int, float], texts: dict[int, list[tuple[int, str, bool]]], *, filter_: bool,
    blank: Collection[str] = (),
) -> int:
    cols = [str(c) for c in df.columns if str(c) != "geometry"]
    kinds = [_kind(c) for c in cols]
    values = [[_cell(v, c) for v in df[c].tolist()] for c in cols]
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
        texts.setdefault(row, []).append((j, h, True))
        widths[j] = max(widths.get(j, 0.0), _width(h, values[j], kinds[j], TEXT_WIDTH if filter_ else 1.5 * TEXT_WIDTH))  # summaries: wider labels
    first = row + 1
    n = len(df)
    is_total = [str(v) == "Jumlah" for v in (df[cols[0]].tolist() if cols else [])]
    for i in range(n):
        r = first + i
        for j in range(len(cols)):
            v = values[j][i]
            k = cell_kinds.get((i, j), kinds[j])
            if k == "number" and isinstance(v, (int, float)) and float(v).is_integer():
                k = "count"  # 40, not "40," (a format with optional decimals keeps its separator)
            f = (total_fmts if is_total[i] else fmts)[k]
            if v is None and k in _FORMATS and k != "text":  # a missing number reads "–" (not an empty cell, nor Rp 0)
                ws.write_string(r, j, MISSING, (total_fmts if is_total[i] else fmts)["dash_integer" if k == "integer" else "dash"])
            elif (v is None or v == "" or (isinstance(v, str) and not v.strip())) and cols[j] in blank:
                ws.write_blank(r, j, None, f)  # a blank with a meaning (never a "" string: LibreOffice prints it as "###")
            elif v is None or v == "" or (isinstance(v, str) and not v.strip()):  # an empty text reads "–", centred
                ws.write_string(r, j, MISSING, (total_fmts if is_total[i] else fmts)["dash_text"])
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v, f)
            else:
                level, shown = _leading(v) if k == "text" else (0, v)
                ws.write_string(r, j, shown, fmts["indented"](f, level) if level else f)
                if len(v) > _MIN_WIDTH - 2 or "\n" in v:
                    texts.setdefault(r, []).append((j, v, is_total[i]))
    if filter_ and cols:
        ws.autofilter(row, 0, row + max(n, 1), len(cols) - 1)
    return first + n
