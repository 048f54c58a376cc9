"""Findings of an Indonesian Bappeda analyst trying ``sppr`` in its default language (review of the CLI).

Each test reproduces one finding as the analyst met it, on the sample city or on files built here; messages
are read in Indonesian (``SPPR_LANG=id``, the default) where the finding was about English text.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from conftest import invoke

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
ZONING = ["--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--rules", SAMPLE / "itbx.csv"]
#: A point of the sample city in zone R-4, where pembangunan_sekolah is B2 (the matrix, read by pandas below).
SCHOOL = ["--kegiatan", "pembangunan_sekolah", "--lon", "104.4834", "--lat", "0.9348"]


@pytest.fixture
def indonesian(monkeypatch):
    monkeypatch.setenv("SPPR_LANG", "id")


def _run(args):
    return invoke(CliRunner(), args)


# ---- 2. English text in Indonesian mode


def test_table_without_coordinates_says_so_in_indonesian_and_what_to_do(tmp_path, indonesian):
    kes = pd.read_csv(SAMPLE / "rencana_kesehatan.csv").drop(columns=["longitude", "latitude"])
    kes.to_csv(tmp_path / "kes_nocoord.csv", index=False)
    r = _run(["check", *ZONING, "--programs", tmp_path / "kes_nocoord.csv", "--out", tmp_path / "o.gpkg"])
    assert r.exit_code == 1
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "kes_nocoord.csv: tidak ada kolom koordinat" in err and "Kolom yang ada: program_id, tahun" in err
    assert "--xy-fields BUJUR,LINTANG" in err and "'lokasi'" in err and "kelurahan" in err
    assert "no coordinate columns" not in err and "columns are" not in err
    assert not (tmp_path / "o.gpkg").exists()


def test_koordinat_cell_that_is_one_number_is_an_indonesian_issue(tmp_path):
    # issue texts are output texts: Indonesian in both languages (tests run with SPPR_LANG=en)
    pd.DataFrame({"program_id": ["A", "B"], "kegiatan": ["taman_kota"] * 2, "koordinat": ["0.9348, 104.4834", "104.4539509"]}).to_csv(tmp_path / "k.csv", index=False)
    r = _run(["check", *ZONING, "--programs", tmp_path / "k.csv", "--out", tmp_path / "o.gpkg"])
    assert r.exit_code == 0, r.output
    issues = pyogrio.read_dataframe(tmp_path / "o.gpkg", layer="issues")
    msg = issues.loc[issues["code"] == "koordinat_tidak_valid", "message"].tolist()
    assert msg == ["baris 3: bukan 'lintang, bujur': '104.4539509' (pisahkan kedua angka dengan ';' bila memakai koma desimal) (kolom 'koordinat')"]


def test_itbx_cell_mixing_classes_reads_in_indonesian(tmp_path, indonesian):
    pd.DataFrame({"category": ["Jalan"], "activity": ["pembangunan_jalan"], "R-2": ["X, T1"], "R-3": ["I"]}).to_csv(tmp_path / "itbx_xt.csv", index=False)
    r = _run(["site", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--rules", tmp_path / "itbx_xt.csv", *SCHOOL])
    assert r.exit_code == 1
    err = r.stderr.strip()
    assert "itbx_xt.csv: baris 2 ('pembangunan_jalan'), kolom 'R-2': 'X, T1' mencampur X dan T." in err
    assert "Satu sel hanya boleh satu kelas (I, T, B, atau X, boleh bernomor syarat), atau T bersama B ('T1,B2')" in err
    assert " and " not in err and "ketentuan" not in err


def test_toml_with_a_decimal_comma_names_line_and_column_in_indonesian(tmp_path, indonesian):
    text = (SAMPLE / "sppr.toml").read_text(encoding="utf-8").replace("min_share = 0.01", "min_share = 0,01")
    lines = text.splitlines()
    line_no = next(i for i, line in enumerate(lines, 1) if line.startswith("min_share = 0,01"))
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    r = _run(["sync", "--config", tmp_path / "c.toml", "--year", "2025", "--out", tmp_path / "out"])
    assert r.exit_code != 0
    err = r.stderr.strip()
    # the column is the comma's: tomllib stops right after "min_share = 0"
    col = lines[line_no - 1].index(",") + 1
    assert f"c.toml: bukan TOML yang sah: baris {line_no}, kolom {col}: min_share = 0,01" in err
    assert "Angka desimal ditulis dengan titik (0.01), bukan koma." in err
    assert "Expected" not in err and "at line" not in err
    assert not (tmp_path / "out").exists()


def test_number_options_take_a_decimal_comma():
    dot = _run(["site", *ZONING, *SCHOOL, "--min-share", "0.05", "--json"])
    comma = _run(["site", *ZONING, "--kegiatan", "pembangunan_sekolah", "--lon", "104,4834", "--lat", "0,9348", "--min-share", "0,05", "--json"])
    assert dot.exit_code == 0 and comma.exit_code == 0, comma.output
    assert json.loads(comma.stdout) == json.loads(dot.stdout)
    bad = _run(["site", *ZONING, *SCHOOL, "--min-share", "lima"])
    assert bad.exit_code == 2 and "'lima' is not a number" in bad.stderr


def test_site_wkt_that_does_not_parse_is_explained_in_indonesian(indonesian):
    r = _run(["site", *ZONING, "--kegiatan", "pembangunan_jalan", "--crs", "EPSG:32648", "--wkt", "LINESTRING (442500 103300, 442700"])
    assert r.exit_code == 2
    err = r.stderr
    assert "bukan WKT" in err and "LINESTRING (442500 103300, 442700 103350)" in err and "mis." in err
    assert "ParseException" not in err and "Expected" not in err


# ---- 3. Wrong CRS


def _no_crs_copy(tmp_path: Path) -> Path:
    pupr = gpd.read_file(SAMPLE / "rencana_pupr.gpkg", layer="rencana")
    assert pupr.crs.to_epsg() == 32648
    lines = pupr[pupr.geom_type.isin(["LineString", "MultiLineString"])]
    assert len(lines) >= 2
    out = tmp_path / "pupr_noprj.shp"
    with pytest.warns(UserWarning, match="crs"):
        pyogrio.write_dataframe(lines.set_crs(None, allow_override=True), out)
    assert gpd.read_file(out).crs is None
    return out


def test_programs_in_the_wrong_hemisphere_stop_the_check(tmp_path, indonesian):
    # UTM 48N coordinates read as 48S lie 10 000 km south of the zoning: a CRS mistake, not 'perlu_kajian'
    shp = _no_crs_copy(tmp_path)
    r = _run(["check", *ZONING, "--programs", shp, "--assume-crs", "EPSG:32748", "--out", tmp_path / "o.gpkg"])
    assert r.exit_code == 1
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "pupr_noprj.shp" in err and "EPSG:32748" in err and "zonasi memakai EPSG:32648; coba --assume-crs EPSG:32648" in err
    assert not (tmp_path / "o.gpkg").exists()
    ok = _run(["check", *ZONING, "--programs", shp, "--assume-crs", "EPSG:32648", "--out", tmp_path / "o.gpkg", "-q"])
    assert ok.exit_code == 0, ok.output


def test_site_wkt_in_metres_without_crs_is_an_error(indonesian):
    r = _run(["site", *ZONING, "--kegiatan", "pembangunan_jalan", "--wkt", "LINESTRING (442500 103300, 442700 103350)"])
    assert r.exit_code == 1
    assert "tampak dalam meter" in r.stderr and "--crs" in r.stderr and "EPSG:32648" in r.stderr
    ok = _run(["site", *ZONING, "--kegiatan", "pembangunan_jalan", "--crs", "EPSG:32648", "--wkt", "LINESTRING (442500 103300, 442700 103350)", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] != "perlu_kajian"


# ---- 4. Activity typos


def test_site_activity_typo_is_a_usage_error_with_a_suggestion(indonesian):
    r = _run(["site", *ZONING, "--kegiatan", "pembangunan_sekolh", "--lon", "104.4834", "--lat", "0.9348"])
    assert r.exit_code == 2
    assert "'pembangunan_sekolh' tidak ada dalam matriks ITBX; maksud Anda 'pembangunan_sekolah'?" in r.stderr


def test_check_keterangan_suggests_the_activity_meant(tmp_path):
    pd.DataFrame({"program_id": ["A"], "kegiatan": ["pembangunan_sekolh"], "lon": [104.4834], "lat": [0.9348]}).to_csv(tmp_path / "p.csv", index=False)
    r = _run(["check", *ZONING, "--programs", tmp_path / "p.csv", "--out", tmp_path / "o.gpkg"])
    assert r.exit_code == 0, r.output
    ket = pyogrio.read_dataframe(tmp_path / "o.gpkg", layer="programs")["keterangan"].iloc[0]
    assert "Kegiatan 'pembangunan_sekolh' tidak ada dalam matriks ITBX. Maksud Anda 'pembangunan_sekolah'?" in ket


# ---- 5. site --conditions


def test_site_prints_and_returns_the_condition_texts(indonesian):
    syarat = pd.read_csv(SAMPLE / "syarat_itbx.csv", dtype=str)
    b2 = syarat.loc[syarat["kode"] == "B2", "uraian"].iloc[0]
    itbx = pd.read_csv(SAMPLE / "itbx.csv", dtype=str).set_index("activity")
    assert itbx.loc["pembangunan_sekolah", "R-4"] == "B2"
    text = _run(["site", *ZONING, *SCHOOL, "--conditions", SAMPLE / "syarat_itbx.csv"])
    assert text.exit_code == 0, text.output
    assert f"Syarat: B2: {b2}" in text.stdout
    js = _run(["site", *ZONING, *SCHOOL, "--conditions", SAMPLE / "syarat_itbx.csv", "--json"])
    assert json.loads(js.stdout)["syarat"] == f"B2: {b2}"


# ---- 6. Every row with longitude and latitude swapped


def test_every_row_swapped_is_one_error_naming_the_columns(tmp_path, indonesian):
    kes = pd.read_csv(SAMPLE / "rencana_kesehatan.csv")
    kes = kes.rename(columns={"longitude": "latitude", "latitude": "longitude"})  # values stay: the headers are swapped
    kes.to_csv(tmp_path / "kes_swap.csv", index=False)
    r = _run(["check", *ZONING, "--programs", tmp_path / "kes_swap.csv", "--out", tmp_path / "o.gpkg"])
    assert r.exit_code == 1
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "kes_swap.csv" in err and "baris 2" in err and "tertukar" in err
    assert "kolom 'longitude' berisi lintang; tukar nama kolom atau --xy-fields latitude,longitude" in err
    assert not (tmp_path / "o.gpkg").exists()


# ---- 8, 9. The fiscal year on sync and kinerja


def test_sync_without_a_year_asks_for_it(indonesian):
    r = _run(["sync", "--config", SAMPLE / "sppr.toml"])
    assert r.exit_code == 2
    assert "sebutkan tahun anggaran: --year 2025 atau --years 2025-2029." in r.stderr
    assert "salah satu saja" not in r.stderr


def test_tahun_is_an_alias_of_year(tmp_path):
    out = tmp_path / "k.xlsx"
    r = _run(["kinerja", "--data", SAMPLE / "kinerja.xlsx", "--tahun", "2025", "--out", out])
    assert r.exit_code == 0, r.output
    assert out.exists()
    # sync takes it too: the year reaches the run (a year outside the allowed range is refused as --year's)
    bad = _run(["sync", "--config", SAMPLE / "sppr.toml", "--tahun", "20x5"])
    assert bad.exit_code == 2 and "No such option" not in bad.stderr and "20x5" in bad.stderr
