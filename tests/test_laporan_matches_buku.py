"""laporan.html shows the matrices book's words and figures (the sample year, same tables)."""

from __future__ import annotations

import functools
import html
import operator
import re
from pathlib import Path

import openpyxl
import pytest

from sppr_gis.report.excel import format_value
from sppr_gis.report.html import write_report
from sppr_gis.run import run_sync

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SHEETS = {"Matriks 1": "matriks_1", "Matriks 2": "matriks_2", "Matriks 3": "matriks_3", "Jangka Menengah": "jangka_menengah",
          "Kesesuaian": "kesesuaian", "Sinergi": "sinergi", "Isu Data": "isu_data"}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = tmp_path_factory.mktemp("sppr")
    run = run_sync(SAMPLE / "sppr.toml", [2025], out, maps=False)
    res = run.years[0]
    page = write_report(out / "laporan.html", layers={"rencana": res.rencana, "indikasi_program": res.ipu}, tables=res.tables, year=2025, title="Kota Contoh", maps=[])
    return openpyxl.load_workbook(run.folders[0] / "buku_matriks.xlsx"), page.read_text(encoding="utf-8")


def _table(text: str, key: str) -> tuple[list[str], list[list[str]]]:
    body = re.sub(r"<script\b.*?</script>", "", text, flags=re.DOTALL)
    m = re.search(rf'<table id="t-{key}">(.*?)</table>', body, re.DOTALL)
    assert m, key
    heads = [html.unescape(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", m.group(1))]
    rows = [[html.unescape(c) for c in re.findall(r"<td(?:\s[^>]*)?>(.*?)</td>", r)] for r in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.DOTALL)]
    return heads, [r for r in rows if r]


def _dots(x: float, d: int) -> str:
    return f"{x:,.{d}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _shown(cell) -> str:
    """What the book shows: the cell's own number format applied by hand (Indonesian separators)."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    f = cell.number_format.replace("[$-421]", "").replace("_)", "")
    if ";" in f:  # positive;negative;zero sections: a zero shows the third (Rupiah: a dash, issue 19)
        pos, neg, zero = (f.split(";") + ["", ""])[:3]
        if v == 0 and zero:
            return zero.strip('"')
        f = pos
    return {
        '"Rp" #,##0': lambda: "Rp " + _dots(v, 0),
        "0.0%": lambda: _dots(100 * v, 1) + "%",
        "#,##0.0": lambda: _dots(v, 1),
        "0.00": lambda: _dots(v, 2),
        "0": lambda: str(round(v)),
        "#,##0": lambda: _dots(v, 0),
        "#,##0.##": lambda: _dots(v, 2).rstrip("0").rstrip(","),
    }.get(f, lambda: f"<{f}> {v}")()


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_html_tables_show_the_books_headers_words_and_figures(both, sheet):
    wb, text = both
    ws = wb[sheet]
    heads, rows = _table(text, SHEETS[sheet])
    assert heads == [c.value for c in ws[1] if c.value is not None]  # (a sheet ending in folded columns has a blank stop column after them)
    book = [[_shown(c) for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(book)
    diff = [(i + 2, heads[j], a, b) for i, (ra, rb) in enumerate(zip(book, rows)) for j, (a, b) in enumerate(zip(ra, rb)) if a != b]
    assert diff == [], diff[:5]
    assert not re.search(r"\b(sesuai_bersyarat|tidak_sesuai|perlu_kajian|belum_jadwal|tidak_terindikasi|di_luar_rencana)\b", " ".join(functools.reduce(operator.iadd, rows, [])))


def test_cards_use_the_books_words(both):
    wb, text = both
    cards = {t: v for v, t in re.findall(r'<div class="card"><b>([^<]*)</b><span>([^<]*)</span>', text)}
    ring = {row[0].value: row[1].value for row in wb["Ringkasan"].iter_rows(min_row=4) if row[0].value and row[1].value is not None}
    assert str(ring["IPU belum dijadwalkan"]) == cards["IPU belum dijadwalkan"]
    assert str(ring["Program tidak terindikasi"]) == cards["program tidak terindikasi"]
    assert str(ring["Kesesuaian sesuai bersyarat"]) == cards["sesuai bersyarat"]
    assert cards["total pagu"] == "Rp " + _dots(ring["Total pagu"], 0)


def test_format_value_follows_the_books_formats():
    assert format_value(23_269_000_000.0, "pagu") == "Rp 23.269.000.000" and format_value(0.0, "pagu") == "–"
    assert format_value(0.293, "porsi_jaringan") == "29,3%"
    assert format_value(79.0563, "jarak_relokasi_m") == "79,1"
    assert format_value(2025, "tahun") == "2025" and format_value(1036, "jumlah_program") == "1.036"
    assert format_value(2.4, "volume") == "2,4" and format_value(40.0, "volume") == "40" and format_value(35200.0, "target") == "35.200"
    assert format_value(float("nan"), "pagu") == "–" and format_value("x", "pagu") is None and format_value(3.5, "uraian") is None
