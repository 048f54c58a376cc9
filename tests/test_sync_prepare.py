"""Reading helpers of the sync run: amounts as typed, field mapping, workbook headers."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely import Point

from sppr_gis.errors import FieldError
from sppr_gis.prepare import RENCANA_FIELDS, canonicalize, parse_number
from sppr_gis.report.excel import header_for
from sppr_gis.run import parse_years


@pytest.mark.parametrize(
    "text, thousands, value",
    [
        ("Rp 1.250.000.000", True, 1_250_000_000.0),
        ("1.250.000,50", False, 1_250_000.5),
        ("1.250", True, 1250.0),
        ("1.250", False, 1.25),
        ("2,5", False, 2.5),
        ("1,250,000", False, 1_250_000.0),
        ("1,250,000.75", True, 1_250_000.75),
        ("1500000000", True, 1_500_000_000.0),
        (" 0.8 ", False, 0.8),
        (1_000_000, True, 1_000_000.0),
        (2.5, False, 2.5),
        ("-", True, math.nan),
        ("", False, math.nan),
        (None, False, math.nan),
    ],
)
def test_parse_number(text, thousands, value):
    got = parse_number(text, thousands_dot=thousands)
    assert (math.isnan(got) and math.isnan(value)) or got == value


@pytest.mark.parametrize("text", ["satu juta", "1.2.3,4,5", True])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def frame(**cols):
    return gpd.GeoDataFrame({**{k: [v] for k, v in cols.items()}}, geometry=[Point(0, 0)], crs="EPSG:32648")


def test_canonicalize_configured_default_and_dbf_names():
    df = frame(ID_PROG="A", Tahun=2025, opd="X", kegiatan="jalan", anggaran=5, sumber_dan="APBD")
    names = {"program_id": "id_prog", "pagu": "anggaran"}
    out, missing = canonicalize(df, RENCANA_FIELDS, names, "f.shp")
    assert out.loc[0, "program_id"] == "A" and out.loc[0, "tahun"] == 2025 and out.loc[0, "pagu"] == 5
    assert out.loc[0, "sumber_dana"] == "APBD"  # DBF field names are cut to 10 characters
    assert set(missing) == {"kode", "volume", "satuan", "target", "realisasi", "lokasi"}
    assert out["kode"].isna().all()


def test_canonicalize_keeps_a_clashing_column():
    df = frame(program_id="old", kode_baru="B", tahun=2025, opd="X", kegiatan="k")
    out, _ = canonicalize(df, RENCANA_FIELDS, {"program_id": "kode_baru"}, "f.gpkg")
    assert out.loc[0, "program_id"] == "B" and out.loc[0, "program_id_input"] == "old"


def test_canonicalize_missing_required_names_the_config_key():
    df = frame(nomor="A", tahun=2025)
    with pytest.raises(FieldError, match=r"f\.xlsx: missing field\(s\) 'program_id' \(set fields\.program_id in sppr\.toml\)"):
        canonicalize(df, RENCANA_FIELDS, {}, "f.xlsx", config_name="sppr.toml")


def test_header_for():
    headers = {"pagu": "Pagu (Rp)"}
    assert header_for("pagu", headers) == "Pagu (Rp)"
    assert header_for("status_2026", headers) == "Status 2026"
    assert header_for("pagu_2026", headers) == "Pagu 2026 (Rp)"
    assert header_for("nama_kegiatan", {}) == "Nama kegiatan"


@pytest.mark.parametrize("text, years", [("2025", [2025]), ("2025-2027", [2025, 2026, 2027]), (" 2025 - 2025 ", [2025])])
def test_parse_years(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["2025-2020", "abc", "2025-2026-2027", "1800", "2000-2060"])
def test_parse_years_rejects(text):
    with pytest.raises(ValueError):
        parse_years(text)
