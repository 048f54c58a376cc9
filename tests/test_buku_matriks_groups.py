"""buku_matriks.xlsx on the album's paper, its column groups printed with even rows, names in their casing (issue 19,
review round 4: findings 11, 12 and 13).

- 11: a sheet printed in column groups keeps one height per row for all its pages; the Sinergi sheet's 2nd group
  (Keterangan alone, some 35 mm wide) wrapped into 9 lines and every 1st-group page printed rows that high around
  one or two lines of text.
- 12: the book follows ``[album] paper`` (one paper per run); on A4 the stacked Ringkasan printed at 5.4 pt.
- 13: the Sinergi explanations printed activity codes as written: "(tps3r)", "(halte)", "(puskesmas)".

The LibreOffice tests print the sample's book (A3, and A4 through ``[album] paper``) and read the PDF back with
pdfplumber; skipped without ``soffice``.
"""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from printing import print_book, soffice

from sppr_gis.report.excel import Block, printed_width, write_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: Printed paper sizes, landscape, in PDF points.
A3, A4 = (1191, 842), (842, 595)


def _sync(folder: Path, paper: str) -> Path:
    """The sample synced (no maps) with ``[album] paper`` set; the book's path."""
    from click.testing import CliRunner
    from sppr_cli.main import cli

    data = folder / "sample"
    shutil.copytree(SAMPLE, data)
    cfg = (data / "sppr.toml").read_text(encoding="utf-8")
    assert 'paper = "A3"' in cfg
    (data / "sppr.toml").write_text(cfg.replace('paper = "A3"', f'paper = "{paper}"'), encoding="utf-8")
    res = CliRunner().invoke(cli, ["-q", "sync", "--config", str(data / "sppr.toml"), "--year", "2025", "--out", str(folder / "out"), "--no-maps"])
    assert res.exit_code == 0, res.output
    return folder / "out" / "2025" / "buku_matriks.xlsx"


@pytest.fixture(scope="module", params=["A3", "A4"])
def printed(request, tmp_path_factory):
    """(paper, book, pdf) of the sample's book on each paper, printed by LibreOffice."""
    soffice()
    folder = tmp_path_factory.mktemp(f"book_{request.param}")
    book = _sync(folder, request.param)
    return request.param, book, print_book(book, folder)


def _sheet_of(page, sheets: list[str]) -> str | None:
    head = " ".join(w["text"] for w in page.extract_words() if w["top"] < 40)
    return next((s for s in sheets if f"{s}:" in head), None)


def _row_ratios(pdf: Path, sheets: list[str]) -> list[tuple[float, int, str, int, float]]:
    """(printed row height / the height its own text needs, page, sheet, lines, height) of every table row of
    every page. The rows are the ruled cells pdfplumber finds; a row's own text is what prints in its cells on
    that page (its deepest cell's lines, each 15 pt at 100%: an 11-point line, scaled as the characters are)."""
    import pdfplumber

    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for i, page in enumerate(doc.pages, 1):
            sheet = _sheet_of(page, sheets)
            chars = [c for c in page.chars if c["text"].strip()]
            for table in page.find_tables():
                for row in table.rows:
                    # (a 1-wide blank column that stops folded columns has no rules across: not a cell)
                    cells = [c for c in row.cells if c and c[2] - c[0] > 12]
                    if not cells:
                        continue
                    height = statistics.median(c[3] - c[1] for c in cells)
                    lines, size = 0, 0.0
                    for x0, top, x1, bottom in cells:
                        inside = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
                        if inside:
                            lines = max(lines, len({round(c["top"]) for c in inside}))
                            size = max(size, max(c["size"] for c in inside))
                    if size:
                        out.append((height / (max(1, lines) * 15 * size / 11), i, str(sheet), lines, height))
    return out


def test_no_printed_row_of_a_column_group_is_more_than_twice_as_high_as_its_own_text(printed):
    """Finding 11: on every page (every column group of every sheet, A3 and A4), every row prints at most about
    twice as high as the text it holds on that page needs (a 2-line row around 1-line cells is the most)."""
    paper, book, pdf = printed
    sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    ratios = _row_ratios(pdf, sheets)
    assert len(ratios) > 500  # the table finder saw the ruled bodies
    worst = sorted(ratios, reverse=True)[:5]
    assert all(r <= 2.05 for r, *_ in ratios), (paper, [(round(r, 2), *rest) for r, *rest in worst])
    # the Sinergi sheet prints in column groups and its Keterangan group holds each explanation in at most 2 lines
    assert any(s == "Sinergi" for _, _, s, _, _ in ratios)


def test_the_book_prints_on_the_albums_paper_at_7_pt_or_more(printed):
    """Finding 12: one paper per run, the album's (``[album] paper``): every page of the book is that paper,
    landscape, and its smallest character is 7 pt or more (the stacked Ringkasan printed at 5.4 pt on A4)."""
    import pdfplumber

    paper, book, pdf = printed
    with pdfplumber.open(str(pdf)) as doc:
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        smallest = min((c["size"], i) for i, p in enumerate(doc.pages, 1) for c in p.chars if c["text"].strip())
    assert sizes == {A3 if paper == "A3" else A4}, sizes
    assert smallest[0] >= 7.0 - 0.01, smallest
    wb = openpyxl.load_workbook(book)
    assert {ws.page_setup.paperSize for ws in wb} == {8 if paper == "A3" else 9}


def test_a_wide_stacked_table_continues_in_column_pieces_on_a4(printed):
    """Finding 12: on A4 the Ringkasan's 11-column tables (Fokus anggaran ...) are split into column pieces stacked
    below each other, each repeating the table's first column (its labels) under the title "(lanjutan)": every
    header and every label of the table is in the sheet, and every label is in as many pieces as the table has."""
    paper, book, _ = printed
    if paper != "A4":
        pytest.skip("the A3 Ringkasan fits its page")
    ws = openpyxl.load_workbook(book)["Ringkasan"]
    col_a = [c.value for c in ws["A"]]
    title = "Fokus anggaran per OPD"
    starts = [k for k, v in enumerate(col_a) if v in (title, f"{title} (lanjutan)")]
    assert len(starts) >= 2 and col_a[starts[0]] == title and all(col_a[k] == f"{title} (lanjutan)" for k in starts[1:])
    headers: list[str] = []
    for k in starts:
        row = k + 1 + (1 if col_a[k + 1] and ws.cell(k + 2, 1).font.i else 0)  # a note under the first piece's title
        heads = [c.value for c in ws[row + 1] if c.value]
        assert heads[0] == "OPD", heads  # the labels' column repeated
        headers.extend(heads[1:])
    expected = ["Jumlah Program", "Pagu (Rp)", "Porsi Pagu", "Program Sinkron", "Program Inkonsisten", "Program Tidak Terindikasi",
                "Pagu Sinkron (Rp)", "Pagu Sesuai Tata Ruang (Rp)", "Pagu Sinkron dan Sesuai (Rp)", "Porsi Pagu Sinkron dan Sesuai",
                "Program tanpa Pagu"]
    assert headers == expected  # every column once, in order


def test_split_columns_by_hand():
    """Widths 10 + 5 x 20 (Excel units): a column w wide prints 0.75 (7 w + 5) pt at 100%, so 56.25 pt and 108.75
    pt. A room of 400 pt holds the first column and 3 others (56.25 + 3 x 108.75 = 382.5), so the table becomes
    pieces of columns [0, 1, 2, 3] and [0, 4, 5]; a narrow table is kept whole; the continuation has no note."""
    from sppr_gis.report.excel import split_columns

    wide = pd.DataFrame({c: [1, 2] for c in "abcdef"})
    narrow = pd.DataFrame({"x": [1], "y": [2]})
    blocks = [Block("Lebar", wide, note="catatan"), Block("Sempit", narrow)]
    widths = [{0: 10.0, **{j: 20.0 for j in range(1, 6)}}, {0: 10.0, 1: 20.0}]
    assert printed_width([10.0]) == 56.25 and printed_width([20.0]) == 108.75
    pieces = split_columns(blocks, widths, room=400.0)
    assert [(p.title, list(p.frame.columns), p.note) for p in pieces] == [
        ("Lebar", list("abcd"), "catatan"), ("Lebar (lanjutan)", ["a", "e", "f"], None), ("Sempit", ["x", "y"], None)]
    # the grid is one: the widest column at each position counts. A second wide table whose 2nd column is 60
    # wide (318.75 pt) next to the first table's pieces: 56.25 + 318.75 + 108.75 x 2 = 592.5 > 400, so the
    # pieces are cut finer until the sheet's columns fit
    other = Block("Lain", pd.DataFrame({c: [1] for c in "pqr"}))
    pieces = split_columns([blocks[0], other], [widths[0], {0: 10.0, 1: 60.0, 2: 20.0}], room=400.0)
    width = {"a": 10.0, **dict.fromkeys("bcdef", 20.0), "p": 10.0, "q": 60.0, "r": 20.0}
    grid: dict[int, float] = {}
    for p in pieces:
        for pos, col in enumerate(p.frame.columns):
            grid[pos] = max(grid.get(pos, 0.0), width[col])
    assert printed_width(list(grid.values())) <= 400.0, [list(p.frame.columns) for p in pieces]
    assert [c for p in pieces if p.title.startswith("Lebar") for c in p.frame.columns if c != "a"] == list("bcdef")  # each once, in order
    assert all(p.frame.columns[0] in ("a", "p") for p in pieces)


def test_write_workbook_takes_the_paper_and_refuses_another():
    df = pd.DataFrame({"program_id": ["P-1"], "keterangan": ["x"]})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for paper, code in (("A4", 9), ("a3", 8)):
            path = write_workbook({"Kesesuaian": df}, Path(tmp) / f"{paper}.xlsx", paper=paper)
            assert openpyxl.load_workbook(path)["Kesesuaian"].page_setup.paperSize == code
        with pytest.raises(ValueError, match="A5"):
            write_workbook({"Kesesuaian": df}, Path(tmp) / "x.xlsx", paper="A5")


# --------------------------------------------------------------------------- finding 13: casing


def test_activity_names_in_explanations_print_in_the_nomenclatures_casing(tmp_path):
    """Finding 13: an explanation names a program's activity by its code in parentheses ("(tps3r)", "(halte)",
    "(puskesmas)", a collision's "(pembangunan_jalan, 2024)"); the book prints it as the nomenclature writes it:
    acronyms upper case, other words capitalised; the explanation's own words and an ITBX code stay."""
    import geopandas as gpd
    from shapely.geometry import Point

    from sppr_gis.matrices.coordination import synergy_pairs

    rencana = gpd.GeoDataFrame(
        {"program_id": ["A", "B", "C"], "tahun": [2025, 2025, 2025], "opd": ["Dinas Lingkungan Hidup", "Dinas Perhubungan", "Dinas Kesehatan"],
         "kegiatan": ["tps3r", "halte", "puskesmas"], "pagu": [1e9, 2e9, 3e9]},
        geometry=[Point(0, 0), Point(5, 0), Point(10, 0)], crs=32748,
    )
    pairs = synergy_pairs(rencana, 2025, distance=50)
    raw = " ".join(pairs["keterangan"])
    assert "(tps3r)" in raw and "(halte)" in raw and "(puskesmas)" in raw  # the data keep the codes
    extra = pd.DataFrame({"jenis": ["tabrakan", "kesesuaian"], "keterangan": [
        "Lokasi yang sama dikerjakan Dinas A (pembangunan_jalan, 2024) lalu Dinas B (ipal_komunal, 2025): satukan pekerjaan.",
        "Kegiatan 'bank_sampah' tidak ada dalam matriks ITBX. Zona K-1 100,0% (T1: terbatas) (belum diatur)."]})
    sheet = pd.concat([pd.DataFrame(pairs.drop(columns="geometry")), extra], ignore_index=True)
    book = write_workbook({"Sinergi": sheet}, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(book)["Sinergi"]
    col = next(c.column for c in ws[1] if c.value == "Keterangan")
    texts = [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]
    printed = " ".join(texts)
    for word in ("(TPS3R)", "(Halte)", "(Puskesmas)", "(Pembangunan Jalan, 2024)", "(IPAL Komunal, 2025)"):
        assert word in printed, (word, printed)
    assert not re.search(r"\((tps3r|halte|puskesmas|pembangunan_jalan|ipal_komunal)\b", printed)
    assert "Kegiatan 'bank_sampah' tidak ada" in printed and "(T1: terbatas) (belum diatur)" in printed  # left as they are


def test_the_sample_books_sinergi_prints_no_activity_code(printed):
    """Finding 13 on the sample's own book: the Sinergi sheet's cells and its printed pages name the activities
    "(Halte)", "(Puskesmas)", never "(halte)", "(puskesmas)" or an identifier."""
    import pdfplumber

    _, book, pdf = printed
    ws = openpyxl.load_workbook(book)["Sinergi"]
    cells = " ".join(str(c.value) for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str))
    assert "(Halte)" in cells and "(Puskesmas)" in cells
    code = re.compile(r"\((halte|puskesmas|[a-z0-9]+_[a-z0-9_]+)(, \d{4})?\)")
    assert not code.search(cells), code.search(cells).group(0)
    with pdfplumber.open(str(pdf)) as doc:
        sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
        text = " ".join(p.extract_text() or "" for p in doc.pages if _sheet_of(p, sheets) == "Sinergi")
    assert "(Halte)" in text and not re.search(r"\((halte|puskesmas)\)", text)
