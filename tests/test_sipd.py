"""SIPD program codes: parsing, validation, hierarchy, findings."""

from __future__ import annotations

import pandas as pd
import pytest

from sppr_gis.sipd import code_columns, is_valid_code, parse_code


@pytest.mark.parametrize(
    "raw, code, level",
    [
        ("1.03.10.2.01.0053", "1.03.10.2.01.0053", "sub_kegiatan"),
        ("1.03.10.02.01.0053", "1.03.10.2.01.0053", "sub_kegiatan"),  # zero-padded kegiatan segment
        ("1.03.10.2.01", "1.03.10.2.01", "kegiatan"),
        ("1.03.10.02.01", "1.03.10.2.01", "kegiatan"),
        ("1.03.10", "1.03.10", "program"),
        ("1.03", "1.03", "bidang"),
        ("1", "1", "urusan"),
        (" 2.11.11.2.01.0005 ", "2.11.11.2.01.0005", "sub_kegiatan"),
        ("X.XX.01", "X.XX.01", "program"),  # program serving every urusan
        ("x.xx.01.2.01", "X.XX.01.2.01", "kegiatan"),
    ],
)
def test_parse_valid(raw, code, level):
    c = parse_code(raw)
    assert c.code == code
    assert c.level == level


def test_hierarchy_of_a_full_code():
    c = parse_code("1.03.10.02.01.0053")
    assert (c.urusan, c.bidang, c.program, c.kegiatan, c.sub_kegiatan) == ("1", "1.03", "1.03.10", "1.03.10.2.01", "1.03.10.2.01.0053")


def test_hierarchy_of_a_program_code_stops_at_program():
    c = parse_code("1.03.10")
    assert c.program == "1.03.10"
    assert c.kegiatan is None and c.sub_kegiatan is None


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("1.3.x", "bidang urusan (BB) '3' harus 2 digit"),
        ("1.03.10.2", "4 segmen"),
        ("1.03.10.2.01.53", "sub-kegiatan (SSSS) '53' harus 4 digit"),
        ("1.03.10.2.01.0053.1", "7 segmen"),
        ("1.03.1A", "program (PP) '1A'"),
        ("1.03.10.002.01", "kegiatan (K) '002'"),
        ("X.03.01", "lintas urusan"),
        ("", "kosong"),
        (None, "kosong"),
    ],
)
def test_parse_malformed(raw, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_code(raw)


def test_number_cell_hint():
    # 1.10 typed into a numeric cell becomes 1.1: the message says to store codes as text
    with pytest.raises(ValueError, match="teks"):
        parse_code(1.1)
    assert parse_code(1.03).code == "1.03"


def test_is_valid_code():
    assert is_valid_code("1.03.10.2.01")
    assert not is_valid_code("1.3.10")


def test_code_columns_and_findings():
    codes = pd.Series(["1.03.10.02.01.0053", "1.3.x", None, "", "2.15.02.2.02.0016"])
    table, findings = code_columns(codes, layer=["a.gpkg", "a.gpkg", "b.xlsx", "b.xlsx", "c.csv"], ids=["P1", "P2", "P3", "P4", "P5"])
    assert table["kode_sipd"].tolist()[0] == "1.03.10.2.01.0053"
    assert table["kode_valid"].tolist() == [True, False, False, False, True]
    assert table["kode_program"].tolist()[0] == "1.03.10"
    assert table["kode_program"].tolist()[4] == "2.15.02"
    assert pd.isna(table["kode_program"].iloc[1])
    assert table["kode_level"].tolist()[0] == "sub_kegiatan"
    bad = [f for f in findings if f.code == "kode_sipd_tidak_valid"]
    assert [(f.layer, f.feature_id) for f in bad] == [("a.gpkg", "P2")]
    assert "1.3.x" in bad[0].message
    blank = [f for f in findings if f.code == "kode_sipd_kosong"]
    assert len(blank) == 1 and blank[0].severity == "info" and blank[0].message.startswith("2 ")
