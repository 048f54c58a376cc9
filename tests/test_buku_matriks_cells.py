"""buku_matriks.xlsx printed through LibreOffice: every cell's text is visible in its own printed cell (issue 19).

The cells are read back from the PDF with pdfplumber's table finder (the ruled table bodies give the cell
boxes): a text that overflows its row (the row too short for its wrapped lines) spills into the next row's box
or is cut, so the printed cell no longer holds the whole text. Skipped without ``soffice`` or pdfplumber.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
from printing import print_book, soffice

from sppr_gis.report.excel import write_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


_soffice = soffice
_print = print_book


def _squash(text: str) -> str:
    """The text without blanks and hyphens (where a printed line breaks: "R-" / "4.")."""
    return re.sub(r"\s+", "", str(text)).replace("-", "")


def _printed_cells(pdf: Path, sheets: list[str]) -> dict[str, Counter[str]]:
    """Sheet name -> the texts of the printed table cells of its pages, counted (the page header names the sheet)."""
    import pdfplumber

    cells: dict[str, Counter[str]] = defaultdict(Counter)
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            head = " ".join(w["text"] for w in page.extract_words() if w["top"] < 40)
            sheet = next((s for s in sheets if f"{s}:" in head), None)
            if sheet is None:
                continue
            for table in page.find_tables():
                for row in table.extract():
                    cells[sheet].update(_squash(c) for c in row if c)
    return cells


def _hidden(ws) -> set[int]:
    out: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden:
            out |= set(range(dim.min, dim.max + 1))
    return out


def _unprinted(book: Path, pdf: Path) -> list[tuple[str, str, str]]:
    """(sheet, column header, text) of the text cells of table bodies whose printed cells do not hold them whole: a
    text written in n cells of a sheet must be printed whole in at least n cells of its pages."""
    wb = openpyxl.load_workbook(book)
    printed = _printed_cells(pdf, wb.sheetnames)
    missing = []
    for ws in wb.worksheets:
        hidden = _hidden(ws)
        seen: Counter[str] = Counter()
        for row in ws.iter_rows(min_row=2):
            for c in row:
                # table cells are ruled; a stacked sheet's titles and notes are not (they are not table cells)
                if c.column in hidden or not isinstance(c.value, str) or not c.value.strip() or c.border.left.style is None:
                    continue
                seen[_squash(c.value)] += 1
                if seen[_squash(c.value)] > printed[ws.title][_squash(c.value)]:
                    missing.append((ws.title, str(ws.cell(1, c.column).value), c.value))
    return missing


def test_an_indented_outline_prints_every_line_of_its_names(tmp_path):
    """The Kinerja sheet indents each name by its level in the cascade. Printed as leading em spaces, the indent
    was left out of the wrapped line count, so the row was too short and a deep name's last words spilled into
    the next row (LibreOffice: "Pembangunan" / "halte" under the next program). Every name prints whole in its cell."""
    long = "Pembangunan saluran drainase perkotaan beserta bangunan pelengkapnya di kawasan permukiman padat penduduk tahap kedua"
    em = "\u2003"
    # the sheet before this fix: two em spaces a level, sub kegiatan four levels deep
    names = [long, em * 2 + long, em * 4 + long, em * 6 + long, em * 8 + long] + [em * k + "Pembangunan halte" for k in (0, 2, 4, 6, 8)]
    df = pd.DataFrame({"kode": [f"1.03.{i}" for i in range(len(names))], "uraian": names, "indikator": ["Panjang saluran dibangun"] * len(names)})
    book = write_workbook({"Kinerja": df}, tmp_path / "k.xlsx", headers={"uraian": "Uraian"})
    pdf = _print(book, tmp_path)
    assert _unprinted(book, pdf) == []
    # the indent is the cell's (every wrapped line indented), the value is the name (scripts read it as written)
    ws = openpyxl.load_workbook(book)["Kinerja"]
    assert [ws.cell(r, 2).alignment.indent for r in range(2, 12)] == [0, 2, 4, 6, 8] * 2
    assert ws.cell(6, 2).value == long and ws.cell(11, 2).value == "Pembangunan halte"


def test_every_text_cell_of_the_sample_book_prints_whole(tmp_path):
    """Issue 19 (cartographer review): text printed blank or cut in some sheets. Every text cell of every table
    of the sample's book (with its Kinerja sheet) prints whole in its own printed cell."""
    _soffice()
    from click.testing import CliRunner
    from sppr_cli.main import cli

    res = CliRunner().invoke(cli, ["-q", "sync", "--config", str(SAMPLE / "sppr.toml"), "--year", "2025", "--out", str(tmp_path / "o"), "--no-maps"])
    assert res.exit_code == 0, res.output
    book = tmp_path / "o" / "2025" / "buku_matriks.xlsx"
    assert "Kinerja" in openpyxl.load_workbook(book).sheetnames
    pdf = _print(book, tmp_path)
    assert _unprinted(book, pdf) == []
