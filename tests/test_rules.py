"""The ITBX matrix: cells, conditions, blanks, errors that name row and column, code mapping."""

from __future__ import annotations

import pandas as pd
import pytest

from sppr_gis.errors import RulesError
from sppr_gis.rules import parse_cell, read_rules


@pytest.mark.parametrize(
    "text, cls, conds",
    [("I", "I", ()), ("t1", "T", ("T1",)), ("T1,B2", "B", ("T1", "B2")), ("B2, T1", "B", ("B2", "T1")), ("X", "X", ()), ("T1;T2", "T", ("T1", "T2")), (" I ", "I", ())],
)
def test_cell_class_is_most_restrictive_letter(text, cls, conds):
    cell = parse_cell(text)
    assert (cell.cls, cell.conditions) == (cls, conds)


@pytest.mark.parametrize("blank", ["", "  ", None, float("nan")])
def test_blank_cell_means_no_rule(blank):
    assert parse_cell(blank) is None


def test_unknown_letter_names_row_and_column(tmp_path):
    p = tmp_path / "itbx.csv"
    p.write_text("category,activity,R-2,K-1\nJalan,pembangunan_jalan,I,T1\nPasar,pasar_rakyat,B2,Q\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        read_rules(p)
    msg = str(exc.value)
    assert "row 3" in msg and "'K-1'" in msg and "pasar_rakyat" in msg and str(p) in msg


def test_semicolon_csv_and_xlsx_read_the_same(tmp_path):
    df = pd.DataFrame({"category": ["A", "B"], "activity": ["jalan", "pasar"], "R-2": ["I", "T1,B2"], "K-1": ["", "X"]})
    csv = tmp_path / "m.csv"
    df.to_csv(csv, sep=";", index=False)
    xlsx = tmp_path / "m.xlsx"
    df.to_excel(xlsx, index=False)
    a, b = read_rules(csv), read_rules(xlsx)
    assert a.cells == b.cells
    assert a.zone_codes == ["R-2", "K-1"]
    assert a.cell("pasar", "R-2").cls == "B"
    assert a.cell("jalan", "K-1") is None
    assert a.categories == {"jalan": "A", "pasar": "B"}


def test_missing_activity_column_and_duplicates(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("nama,R-2\njalan,I\n", encoding="utf-8")
    with pytest.raises(RulesError, match="no 'activity' column"):
        read_rules(p)
    p.write_text("activity,R-2\njalan,I\nJalan,T\n", encoding="utf-8")
    with pytest.raises(RulesError, match="row 3.*twice"):
        read_rules(p)


def test_condition_texts_and_code_map(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("activity,R-2\npembangunan_jalan,T1\ndrainase,I\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("kode,uraian\nT1,maksimal 20% luas persil\n", encoding="utf-8")
    k = tmp_path / "k.csv"
    k.write_text("kode,activity\n1.03.10,pembangunan_jalan\n1.03.10.2.01.0053,drainase\n", encoding="utf-8")
    r = read_rules(m, conditions=c, code_map=k)
    assert r.condition_texts == {"T1": "maksimal 20% luas persil"}
    assert r.activity_for_code("1.03.10.2.01.0012") == "pembangunan_jalan"
    assert r.activity_for_code("1.03.10.02.01.0053") == "drainase"  # zero-padded kegiatan, longest prefix
    assert r.activity_for_code("1.03.100") is None  # prefix must end at a segment
    # an activity the matrix lacks maps fine (the program is then perlu_kajian); a blank one is an error
    k.write_text("kode,activity\n1.03.10,jembatan\n1.03.06,\n", encoding="utf-8")
    with pytest.raises(RulesError, match="row 3.*1.03.06"):
        read_rules(m, code_map=k)
    k.write_text("kode,activity\n1.03.10,jembatan\n", encoding="utf-8")
    r = read_rules(m, code_map=k)
    assert r.activity_for_code("1.03.10.2.01") == "jembatan" and not r.has_activity("jembatan")


def test_itbx_tables_as_agencies_lay_them_out(tmp_path):
    """Title rows above the header and Indonesian header names ('Kategori', 'Kegiatan')."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["LAMPIRAN IV PERATURAN WALI KOTA"])
    ws.append(["MATRIKS ITBX KETENTUAN KEGIATAN DAN PENGGUNAAN LAHAN"])
    ws.append([])
    ws.append(["Kategori", "Kegiatan", "R-2", "K-1", "RTH-2", None])  # an empty header cell, as merged cells leave
    ws.append(["Jalan", "jalan lingkungan", "I", "T1", "X"])
    ws.append(["Sosial", "sekolah", "B2", "I", "X"])
    wb.save(tmp_path / "itbx.xlsx")
    r = read_rules(tmp_path / "itbx.xlsx")
    assert r.zone_codes == ["R-2", "K-1", "RTH-2"]
    assert r.cell("jalan lingkungan", "K-1").raw == "T1" and r.cell("sekolah", "R-2").cls == "B"
    assert r.categories["sekolah"] == "Sosial"
    csv = tmp_path / "itbx.csv"
    csv.write_text("MATRIKS ITBX RDTR KOTA CONTOH\n\nKegiatan;R-2;K-1\njalan lingkungan;I;T1\n", encoding="utf-8")
    r = read_rules(csv)
    assert r.zone_codes == ["R-2", "K-1"] and r.cell("jalan lingkungan", "R-2").cls == "I"
