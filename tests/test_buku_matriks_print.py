"""buku_matriks.xlsx as printed and read (issue 11): page setup, page header, numbers, words, wrapping, folds.

The LibreOffice test converts the sample's book to PDF and reads the pages back (skipped without ``soffice``;
Debian: ``apt-get install -y --no-install-recommends libreoffice-calc-nogui fonts-crosextra-carlito``).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sppr_gis.matrices import HEADERS
from sppr_gis.report.excel import TEXT_WIDTH, Block, write_workbook

RAW_CODES = re.compile(r"\b(sesuai_bersyarat|tidak_sesuai|perlu_kajian|belum_jadwal|tidak_terindikasi|di_luar_rencana)\b")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _hidden(path: Path, sheet: int) -> set[int]:
    """1-based indices of the hidden columns of the sheet (from the XML: openpyxl keys a range by its first column)."""
    import zipfile

    xml = zipfile.ZipFile(path).read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return {k for a, b, rest in re.findall(r'<col min="(\d+)" max="(\d+)"([^>]*)/>', xml) if 'hidden="1"' in rest for k in range(int(a), int(b) + 1)}


def _book(tmp_path: Path, **kw) -> Path:
    kes = pd.DataFrame(
        {
            "program_id": ["P-1", "P-2", "P-3"],
            "tahun": [2025, 2025, 2025],
            "pagu": [23_269_000_000.0, 1_500_000.0, 0.0],
            "status": ["tidak_sesuai", "sesuai_bersyarat", "perlu_kajian"],
            "keterangan": ["kata " * 60, "Zona R-2 100,0% (T1: terbatas). Sesuai bersyarat.", ""],
            "saran_relokasi": ["Zona terdekat yang mengizinkan (I): R-4, berjarak 79,1 m.", None, None],
            "jarak_relokasi_m": [79.06, float("nan"), float("nan")],
            "porsi_jaringan": [0.25, 1.0, float("nan")],
            "status_struktur": ["sebagian", "sesuai", None],
            "volume": [2.42, 40.0, 1234.0],
        }
    )
    issues = pd.DataFrame({"layer": ["a.gpkg"] * 3, "feature_id": ["1", "2", "3"], "severity": ["error", "warning", "info"], "code": ["x", "y", "z"], "message": ["m"] * 3})
    ring = [Block("Ringkasan", pd.DataFrame({"uraian": ["IPU belum_jadwal", "Total pagu"], "nilai": ["6", "Rp 219.804.000.000"]}), note="belum_jadwal: di luar periode IPU.")]
    sheets = {"Ringkasan": ring, "Kesesuaian": kes, "Isu Data": issues}
    return write_workbook(sheets, tmp_path / "b.xlsx", headers=HEADERS, **kw)


def test_page_header_names_title_region_year_and_sheet(tmp_path):
    wb = openpyxl.load_workbook(_book(tmp_path, title="Sinkronisasi Program Pemanfaatan Ruang", region="Kabupaten Bintan", year=2026))
    for ws in wb:
        head = ws.oddHeader.left.text + " " + ws.oddHeader.right.text
        for item in ("Sinkronisasi Program Pemanfaatan Ruang", "Kabupaten Bintan", "Tahun 2026", ws.title):
            assert item in head, (ws.title, item, head)
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        if ws.title == "Ringkasan":  # stacked tables: the page header names the book; no title row repeated (issue 19)
            assert ws.print_title_rows is None
        else:
            assert ws.print_title_rows.replace("$", "") == "1:1"
    assert "Kesesuaian lokasi program" in wb["Kesesuaian"].oddHeader.right.text  # what the sheet holds, after its name
    # a title that already names region and year is not repeated
    wb2 = openpyxl.load_workbook(_book(tmp_path, title="SPPR Kota Contoh - Tahun 2025", region="Kota Contoh", year=2025))
    left = wb2["Kesesuaian"].oddHeader.left.text
    assert left.count("Kota Contoh") == 1 and left.count("2025") == 1


def test_numbers_are_numbers_with_indonesian_formats(tmp_path):
    wb = openpyxl.load_workbook(_book(tmp_path, title="T", region="R", year=2025))
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    pagu = ws[f"{head['Pagu (Rp)']}2"]
    assert pagu.data_type == "n" and pagu.value == 23_269_000_000
    assert pagu.number_format.startswith("[$-421]") and '"Rp" #,##0' in pagu.number_format
    porsi = ws[f"{head['Porsi pada Jaringan Rencana']}2"]
    assert porsi.data_type == "n" and porsi.value == 0.25 and "0.0%" in porsi.number_format
    jarak = ws[f"{head['Jarak Relokasi (m)']}2"]
    assert jarak.data_type == "n" and jarak.value == pytest.approx(79.06) and "#,##0.0" in jarak.number_format
    assert ws[f"{head['Jarak Relokasi (m)']}3"].value == "–"  # a missing number reads as a dash (issue 19), not an empty cell
    vol = {ws[f"{head['Volume']}{r}"].value: ws[f"{head['Volume']}{r}"].number_format for r in (2, 3, 4)}
    assert "#,##0.##" in vol[2.42] and vol[40].endswith("#,##0_)") and vol[1234].endswith("#,##0_)")  # 40, not "40,"
    assert ws[f"{head['Tahun']}2"].data_type == "n" and ws[f"{head['Tahun']}2"].number_format == "0"  # a year has no separator


def test_reader_cells_show_words_not_codes(tmp_path):
    wb = openpyxl.load_workbook(_book(tmp_path, title="T", region="R", year=2025))
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if RAW_CODES.search(t)]
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    assert [ws[f"{head['Status Kesesuaian']}{r}"].value for r in (2, 3, 4)] == ["Tidak sesuai", "Sesuai bersyarat", "Perlu kajian"]
    assert [ws[f"{head['Status Struktur Ruang']}{r}"].value for r in (2, 3)] == ["Sebagian", "Sesuai"]
    assert [c.value for c in wb["Isu Data"]["C"][1:]] == ["Galat", "Peringatan", "Info"]
    ring = [c.value for c in wb["Ringkasan"]["A"] if c.value]
    assert "IPU belum dijadwalkan" in ring and "belum dijadwalkan: di luar periode IPU." in ring  # labels and notes


def test_long_text_wraps_and_its_row_grows(tmp_path):
    wb = openpyxl.load_workbook(_book(tmp_path, title="T", region="R", year=2025))
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    col = head["Keterangan"]
    cell = ws[f"{col}2"]
    assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    width = ws.column_dimensions[col].width
    assert width <= TEXT_WIDTH + 1
    # independent count: "kata " is k+a+t+a+space = 931+981+686+981+463 of 2048 em in Calibri; 11 pt = 14.667 px;
    # a column w wide shows 7w+5 px, less the cell's margins: whole words per line, 60 words
    word_px = (931 + 981 + 686 + 981) / 2048 * 14.667
    space_px = 463 / 2048 * 14.667
    per_line = int((7 * width + 5 - 2 + space_px) // (word_px + space_px))
    lines = math.ceil(60 / per_line)
    assert ws.row_dimensions[2].height >= 15 * lines, (ws.row_dimensions[2].height, lines)
    assert ws.row_dimensions[2].height <= 15 * (lines + 2)  # and not far more
    # the header row grows for a wrapped header
    assert ws.row_dimensions[1].height is None or ws.row_dimensions[1].height >= 15


def test_folded_columns_are_hidden_in_print_but_read_by_pandas(tmp_path):
    path = _book(tmp_path, title="T", region="R", year=2025)
    wb = openpyxl.load_workbook(path)
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    hidden = _hidden(path, 2)
    index = {h: openpyxl.utils.column_index_from_string(c) for h, c in head.items()}
    assert index["Tahun"] in hidden and index["Volume"] in hidden
    assert not {index[h] for h in ("ID Program", "Pagu (Rp)", "Status Kesesuaian", "Keterangan", "Saran Relokasi", "Status Struktur Ruang")} & hidden
    assert ws.column_dimensions[head["Tahun"]].outline_level == 1
    df = pd.read_excel(path, sheet_name="Kesesuaian", header=0)
    assert list(df.columns)[:3] == ["ID Program", "Tahun", "Pagu (Rp)"] and df["Volume"].tolist() == [2.42, 40, 1234]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or poppler-utils not installed")
    from click.testing import CliRunner
    from sppr_cli.main import cli

    out = tmp_path_factory.mktemp("buku")
    res = CliRunner().invoke(cli, ["-q", "sync", "--config", str(SAMPLE / "sppr.toml"), "--year", "2025", "--out", str(out), "--no-maps"])
    assert res.exit_code == 0, res.output
    book = out / "2025" / "buku_matriks.xlsx"
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(book)], check=True, capture_output=True, timeout=240)
    return book, out / "buku_matriks.pdf"


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_sample_book_prints_in_libreoffice(sample_pdf):
    book, pdf = sample_pdf
    pages = _pages(pdf)
    sheets = openpyxl.load_workbook(book).sheetnames
    seen = []
    for i, page in enumerate(pages, 1):
        first = page.strip().split("\n")[0]
        assert "SPPR Kota Contoh - Tahun 2025" in first, (i, first)  # title, region, year on every page
        sheet = next(s for s in sheets if re.search(rf"\b{re.escape(s)}:", first))
        seen.append(sheet)
        assert re.search(rf"Halaman {i} dari {len(pages)}", page), i
        assert not RAW_CODES.search(page), (i, RAW_CODES.search(page).group(0))
    assert list(dict.fromkeys(seen)) == sheets  # every sheet printed, in order
    # the header row repeats on every page of a sheet
    for sheet, header in (("Matriks 1", "ID IPU"), ("Kesesuaian", "ID Program")):
        for page, s in zip(pages, seen):
            if s == sheet:
                # (Kesesuaian's key starts with its "No.", the number of the program on the album's maps)
                assert page.strip().split("\n")[1:4] and any(re.match(rf"(No\.\s+)?{header}", line.lstrip()) for line in page.strip().split("\n")[1:6]), sheet
    text = "\n".join(pages)
    assert "Rp 219.804.000.000" in text and "29,3%" in text  # Indonesian separators whatever LibreOffice's locale
    assert not re.search(r"Rp \d{1,3},\d{3},\d{3}", text)


def test_sample_book_prints_every_column_with_its_key_columns(sample_pdf):
    """A sheet too wide to stay legible prints in column groups: every page of a sheet starts with its key column
    (the ID) and every visible column's header is printed on some page of the sheet."""
    book, pdf = sample_pdf
    wb = openpyxl.load_workbook(book)
    pages = _pages(pdf)
    for i, ws in enumerate(wb, 1):
        if ws.title == "Ringkasan":
            continue
        hidden = _hidden(book, i)
        heads = [c.value for c in ws[1] if c.column not in hidden and c.value]
        mine = [p for p in pages if re.search(rf"\b{re.escape(ws.title)}:", p.strip().split("\n")[0])]
        assert mine, ws.title
        key = next(h for h in heads[:3] if h.startswith("ID")) if any(h.startswith("ID") for h in heads[:3]) else heads[0]
        printed = " ".join(" ".join(p.strip().split("\n")[1:8]) for p in mine)
        for p in mine:
            assert key.split()[0] in " ".join(p.strip().split("\n")[1:6]), (ws.title, key)
        for h in heads:
            assert h.split()[0] in printed, (ws.title, h)


def test_sample_book_prints_at_7_pt_or_more_on_one_paper_size(sample_pdf):
    """Issue 19: the smallest character of the printed book is 7 pt (it was 5.8 in Jangka Menengah and
    Kesesuaian); every page is the same paper (A3 landscape: 1191 x 842 pt)."""
    pdfplumber = pytest.importorskip("pdfplumber")
    _, pdf = sample_pdf
    with pdfplumber.open(str(pdf)) as doc:
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        smallest = min((c["size"], i) for i, p in enumerate(doc.pages, 1) for c in p.chars if c["text"].strip())
    assert len(sizes) == 1, sizes
    assert smallest[0] >= 7.0 - 0.01, smallest


def test_ringkasan_does_not_repeat_the_book_title_on_its_second_page(sample_pdf):
    _, pdf = sample_pdf
    ring = [p for p in _pages(pdf) if re.search(r"\bRingkasan:", p.strip().split("\n")[0])]
    assert len(ring) >= 2
    for p in ring[1:]:
        body = p.strip().split("\n")[1:3]
        assert not any(line.strip().startswith("SPPR Kota Contoh") for line in body), body


def test_table_bodies_are_ruled_and_zero_rupiah_reads_as_a_dash(tmp_path):
    path = _book(tmp_path)
    ws = openpyxl.load_workbook(path)["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    cell = ws[f"{head['Pagu (Rp)']}4"]  # P-3: pagu 0
    assert cell.value == 0
    zero = cell.number_format.split(";")[2]
    assert "–" in zero and "0" not in zero.replace("_)", "")
    for ref in (f"{head['ID Program']}2", f"{head['Keterangan']}3"):
        b = ws[ref].border
        assert b.left.style and b.right.style and b.top.style and b.bottom.style, ref


def test_activities_written_as_identifiers_read_as_words(tmp_path):
    """The sample's ITBX names activities as identifiers (pembangunan_jalan): the reader's cells show words,
    the agency's own spelling otherwise stays; other columns are untouched."""
    kes = pd.DataFrame({"program_id": ["P-1", "P-2", "P-3"], "kegiatan": ["pembangunan_jalan", "Rehabilitasi Puskesmas", "rth_taman_kota"],
                        "opd": ["dinas_pupr", "Dinkes", "DLH"]})
    wb = openpyxl.load_workbook(write_workbook({"Kesesuaian": kes}, tmp_path / "k.xlsx", headers=HEADERS))
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    col = next(v for k, v in head.items() if k and k.lower().startswith("kegiatan"))
    assert [ws[f"{col}{r}"].value for r in (2, 3, 4)] == ["Pembangunan Jalan", "Rehabilitasi Puskesmas", "RTH Taman Kota"]  # issue 19: as the nomenclature writes them
    assert [ws[f"{head[next(k for k in head if k and k.lower().startswith('opd'))]}{r}"].value for r in (2, 3, 4)] == ["dinas_pupr", "Dinkes", "DLH"]


# --------------------------------------------------------------------------- issue 19, defect 5 (the leftovers)


def _ringkasan_blocks(book: Path) -> list[tuple[str, str]]:
    """(title, label of the last row) of each stacked table of the Ringkasan, read from the cells (bold 12-pt titles)."""
    ws = openpyxl.load_workbook(book)["Ringkasan"]
    blocks: list[list[str]] = []
    cur: list[str] | None = None
    for (c,) in ws.iter_rows(min_row=2, max_col=1):
        if c.value is None:
            cur = None
            continue
        if c.font is not None and c.font.b and (c.font.sz or 11) >= 12:
            cur = [str(c.value), ""]
            blocks.append(cur)
        elif cur is not None:
            cur[1] = str(c.value)
    return [(t, last) for t, last in blocks]


def test_ringkasan_tables_do_not_run_onto_a_second_page(sample_pdf):
    """Each stacked table of the Ringkasan prints whole on one page (its title, header and last row together), so no
    page starts with rows whose column headers are on the page before."""
    book, pdf = sample_pdf
    ring = [p for p in _pages(pdf) if re.search(r"\bRingkasan:", p.strip().split("\n")[0])]
    blocks = _ringkasan_blocks(book)
    assert len(blocks) >= 10
    titles = [t for t, _ in blocks]
    for k, (title, last) in enumerate(blocks):
        page = next(p for p in ring if title in p)
        after = page[page.index(title) + len(title):]
        nxt = next((t for t in titles[k + 1:] if t in after), None)
        body = after[: after.index(nxt)] if nxt else after
        assert " ".join(last.split()[:3]) in " ".join(body.split()), (title, last)  # (a long label wraps)
    # and every page of the sheet after the first starts with a table's title
    for p in ring[1:]:
        first = next(line.strip() for line in p.strip().split("\n")[1:] if line.strip())
        assert first in titles, first


def test_no_cell_prints_as_hash_marks(sample_pdf):
    """'###' was printed over the empty ID IPU cells of Kesesuaian: LibreOffice draws the numbers of the folded
    (hidden) Volume column that ends the sheet into an empty cell on their left."""
    _, pdf = sample_pdf
    for i, page in enumerate(_pages(pdf), 1):
        assert "###" not in page, i


def test_block_breaks_by_hand():
    from sppr_gis.report.excel import block_breaks

    # 15-pt rows, a 100-pt page at 100%: room 0.92 * 100 = 92 pt = 6.13 rows
    blocks = [(0, 4), (5, 8), (9, 13), (14, 25), (26, 27)]  # 4, 3, 4, 11 (taller than a page) and 1 rows, one blank row between
    assert block_breaks(blocks, {}, page_height=100.0, scale=1.0) == [5, 9, 14, 26]
    # at 50% twice as many (184 pt): 4 + 1 + 3 rows (120 pt) on the first page; then 4 (60 pt); the tall one (165 pt)
    # starts a page and leaves 19 pt, less than the last table and its blank row need (30 pt)
    assert block_breaks(blocks, {}, page_height=100.0, scale=0.5) == [9, 14, 26]
    # a taller row counts: with a 120-pt row the second table (150 pt) no longer fits after the first at 50%
    assert block_breaks(blocks, {6: 120.0}, page_height=100.0, scale=0.5) == [5, 9, 14, 26]


def test_an_empty_text_is_a_blank_cell_and_a_missing_number_a_dash(tmp_path):
    """Issue 19 (blanks shown as "–"; the earlier choice of a blank text cell is reversed on purpose): an empty
    text in a table body holds "–", centred and ruled (never a "" string, which LibreOffice printed as '###'); a
    missing number holds "–", right-aligned, while a true zero stays the number 0. pandas reads every dash back as
    missing with ``na_values="–"``. The Kinerja cascade's continuation rows keep their blanks (a blank there means
    "same as above")."""
    df = pd.DataFrame({"program_id": ["P-1", "P-2", "P-3"], "ipu_id": ["IPU-001", "", "IPU-002"], "keterangan": ["ok", None, "  "],
                       "volume": [1.5, float("nan"), 0.0], "pagu": [1e9, float("nan"), 0.0], "tahun": [2025, None, 2026]})
    kin = pd.DataFrame({"opd": ["Dinas A", None], "uraian": ["Program X", None], "indikator": ["Panjang jalan", ""]})
    path = write_workbook({"Kesesuaian": df, "Kinerja": kin}, tmp_path / "e.xlsx", headers=HEADERS)
    wb = openpyxl.load_workbook(path)
    ws = wb["Kesesuaian"]
    head = {c.value: c.column_letter for c in ws[1]}
    for ref in (f"{head['ID IPU']}3", f"{head['Keterangan']}3", f"{head['Keterangan']}4"):
        cell = ws[ref]
        assert cell.value == "–" and cell.alignment.horizontal == "center" and cell.border.left.style, ref
    for name in ("Volume", "Pagu (Rp)"):
        missing, zero = ws[f"{head[name]}3"], ws[f"{head[name]}4"]
        assert missing.value == "–" and missing.alignment.horizontal == "right" and missing.border.left.style, name
        assert zero.value == 0 and zero.data_type == "n", name
    assert ws[f"{head['Tahun']}3"].value == "–"
    # no cell of the table body is left empty, and none prints "Rp 0"
    assert all(c.value is not None for row in ws.iter_rows(min_row=2, max_row=4, max_col=len(df.columns)) for c in row)
    back = pd.read_excel(path, sheet_name="Kesesuaian", na_values="–")
    assert back["ID IPU"].isna().tolist() == [False, True, False] and back["Volume"].dtype.kind == "f"
    assert back["Keterangan"].isna().tolist() == [False, True, True]
    assert back["Volume"].isna().tolist() == [False, True, False] and back["Pagu (Rp)"].tolist()[2] == 0
    # the cascade: continuation cells of OPD and name stay blank (ruled), an empty indicator reads "–"
    wk = wb["Kinerja"]
    assert wk["A3"].value is None and wk["B3"].value is None and wk["A3"].border.left.style
    assert wk["C3"].value == "–"


def test_the_sample_book_has_no_empty_number_cell_and_no_rp_0(tmp_path):
    """Issue 19 (Buku Matriks blanks), on the sample's own sync: in every table of every sheet, a cell of a number
    column (the book's own number formats: Rupiah, percent, decimals, counts, years) holds a number or the dash "–",
    never nothing; and a Rupiah cell that holds 0 prints "–" (its format's zero section), never "Rp 0". Read with
    openpyxl."""
    from click.testing import CliRunner
    from sppr_cli.main import cli

    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["-q", "sync", "--config", str(SAMPLE / "sppr.toml"), "--year", "2025", "--out", str(out), "--no-maps"])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out / "2025" / "buku_matriks.xlsx")
    checked = dashes = 0
    for ws in wb.worksheets:
        if ws.title == "Ringkasan":
            continue  # stacked titled tables of figures and labels
        numeric = {}
        for c in ws[1]:
            fmts = {ws.cell(row=r, column=c.column).number_format or "" for r in range(2, ws.max_row + 1)}
            if c.value and any(t in f for f in fmts for t in ('"Rp"', "0.0%", "#,##0", "0.00")):
                numeric[c.column] = c.value
        for col, name in numeric.items():
            for r in range(2, ws.max_row + 1):
                cell = ws.cell(row=r, column=col)
                if all(ws.cell(row=r, column=j).value is None for j in range(1, min(ws.max_column, 3) + 1)):
                    continue  # a stop row or an empty line after the table
                checked += 1
                assert cell.value is not None, (ws.title, name, r)
                if isinstance(cell.value, str):
                    assert cell.value == "–", (ws.title, name, r, cell.value)
                    dashes += 1
                if '"Rp"' in (cell.number_format or "") and cell.value == 0:
                    assert '"–"' in cell.number_format.split(";")[2], (ws.title, name, r)
    assert checked > 100 and dashes > 0
