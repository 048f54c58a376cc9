"""Bad values are refused or reported, never published; unreadable inputs say what is wrong."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from robust import PROGRAMS, RULES, SAMPLE, ZONING, sppr

CONFIG = SAMPLE / "sppr.toml"


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("Error")]


def _config(tmp_path: Path, extra: str = "", rencana: str | None = None, rules: str | None = None) -> Path:
    """The sample config with absolute input paths; optionally another rencana or rules file."""
    text = f"""
[project]
name = "Kota Uji"
[inputs]
zoning = "{SAMPLE / 'zoning.gpkg'}:rdtr_subzona"
rules = "{rules or SAMPLE / 'itbx.csv'}"
indikasi_program = "{SAMPLE / 'ipu.gpkg'}:indikasi_program"
rencana = ["{rencana or (str(SAMPLE / 'rencana_pupr.gpkg') + ':rencana')}"]
[fields]
zone = "KODSZN"
{extra}
"""
    p = tmp_path / "sppr.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ("min_share = nan", "parameters.min_share"),
        ("min_share = 1.5", "parameters.min_share"),
        ("min_share = 0.0", "parameters.min_share"),
        ("match_distance = inf", "parameters.match_distance"),
        ("match_distance = -5", "parameters.match_distance"),
        ("synergy_distance = -inf", "parameters.synergy_distance"),
    ],
)
def test_config_numbers_refused_naming_the_key(tmp_path: Path, params: str, key: str) -> None:
    cfg = _config(tmp_path, f"[parameters]\n{params}\n")
    r = sppr("sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "o", "--no-maps")
    assert r.returncode == 1
    errors = _errors(r.stderr)
    assert len(errors) == 1 and key in errors[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_bad_pagu_is_an_issue_excluded_from_sums_and_manifest_is_strict_json(tmp_path: Path) -> None:
    rows = [
        ("B1", 2025, "Dinas PUPR", "pembangunan_jalan", "1000000", 104.45, 0.91),
        ("B2", 2025, "Dinas PUPR", "pembangunan_jalan", "-500", 104.451, 0.911),
        ("B3", 2025, "Dinas PUPR", "pembangunan_jalan", "inf", 104.452, 0.912),
        ("B4", 2025, "Dinas PUPR", "pembangunan_jalan", "banyak", 104.453, 0.913),
        ("B5", 2025, "Dinas PUPR", "pembangunan_jalan", "2.500.000", 104.454, 0.914),
    ]
    csv = tmp_path / "rencana.csv"
    pd.DataFrame(rows, columns=["program_id", "tahun", "opd", "kegiatan", "pagu", "lon", "lat"]).to_csv(csv, index=False)
    cfg = _config(tmp_path, rencana=str(csv))
    r = sppr("-q", "sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "o", "--no-maps")
    assert r.returncode == 0, r.stderr
    year = tmp_path / "o" / "2025"
    text = (year / "manifest.json").read_text(encoding="utf-8")

    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} in manifest.json")

    manifest = json.loads(text, parse_constant=no_constant)
    assert manifest["pagu"]["total"] == pytest.approx(1_000_000 + 2_500_000)
    issues = pyogrio.read_dataframe(year / "sppr.gpkg", layer="issues", read_geometry=False)
    bad = issues[issues["code"].isin(["pagu_tidak_valid", "angka_tidak_valid"])]
    assert set(bad["feature_id"]) == {"B2", "B3", "B4"}
    assert set(issues.loc[issues["code"] == "pagu_tidak_valid", "feature_id"]) == {"B2", "B3"}
    isu = pd.read_excel(year / "buku_matriks.xlsx", sheet_name="Isu Data", header=None).astype(str)
    for pid in ("B2", "B3", "B4"):
        assert (isu == pid).any().any(), pid
    ren = pyogrio.read_dataframe(year / "sppr.gpkg", layer="rencana", read_geometry=False).set_index("program_id")
    assert math.isnan(ren.loc["B2", "pagu"]) and math.isnan(ren.loc["B3", "pagu"])
    for csv_file in (year / "csv").glob("*.csv"):
        table = pd.read_csv(csv_file)
        numbers = table.select_dtypes("number").to_numpy(float)
        assert not (abs(numbers) == math.inf).any(), csv_file.name


def test_itbx_zone_column_twice_is_an_error_naming_it(tmp_path: Path) -> None:
    rules = tmp_path / "itbx.csv"
    rules.write_text("activity,R-2,R-3,R-2\npembangunan_jalan,I,T,X\n", encoding="utf-8")
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", rules, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 1
    assert "R-2" in _errors(r.stderr)[0] and "R-2.1" not in r.stderr
    xlsx = tmp_path / "itbx.xlsx"
    pd.DataFrame([["pembangunan_jalan", "I", "T", "X"]], columns=["activity", "R-2", "R-3", "R-2"]).to_excel(xlsx, index=False)
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", xlsx, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 1 and "R-2" in _errors(r.stderr)[0]
    assert not (tmp_path / "h.gpkg").exists()


def test_non_finite_wkt_kept_as_perlu_kajian_with_an_issue(tmp_path: Path) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text('program_id,kegiatan,wkt\nN1,pembangunan_jalan,POINT (nan nan)\nN2,pembangunan_jalan,"LINESTRING (104.45 0.91, inf 0.92)"\n'
                   "N3,pembangunan_jalan,POINT (104.45 0.91)\n", encoding="utf-8")
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", csv, "--rules", RULES, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 0, r.stderr
    progs = pyogrio.read_dataframe(tmp_path / "h.gpkg", layer="programs").set_index("program_id")
    assert progs.loc["N1", "status"] == "perlu_kajian" and progs.loc["N2", "status"] == "perlu_kajian"
    issues = pyogrio.read_dataframe(tmp_path / "h.gpkg", layer="issues", read_geometry=False)
    assert {"2", "3"} <= set(issues.loc[issues["code"] == "koordinat_di_luar_crs", "feature_id"])
    con = sqlite3.connect(tmp_path / "h.gpkg")
    try:
        assert con.execute("SELECT count(*) FROM programs WHERE score = 'Infinity' OR score != score").fetchone()[0] == 0
    finally:
        con.close()


def test_unreadable_inputs_say_what_is_wrong(tmp_path: Path) -> None:
    def run(programs: Path) -> str:
        r = sppr("check", "--zoning", ZONING, "--programs", programs, "--rules", RULES, "--out", tmp_path / "h.gpkg")
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        errors = _errors(r.stderr)
        assert len(errors) == 1, r.stderr
        return errors[0]

    old = tmp_path / "lama.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert "Excel 97-2003" in run(old)
    fake = tmp_path / "teks.xlsx"
    fake.write_text("program_id;lon;lat\nrahasia-isi-berkas;1;2\n", encoding="utf-8")
    msg = run(fake)
    assert "not an Excel workbook" in msg and "rahasia" not in msg
    nohdr = tmp_path / "tanpa_judul.xlsx"
    pd.DataFrame([[104.45, 0.91], [104.46, 0.92]]).to_excel(nohdr, header=False, index=False)
    assert "no header row" in run(nohdr)
    import geopandas as gpd
    from shapely.geometry import Point

    shp = tmp_path / "prog.shp"
    gpd.GeoDataFrame({"program_id": ["a"], "kegiatan": ["pembangunan_jalan"]}, geometry=[Point(104.45, 0.91)], crs=4326).to_file(shp)
    shp.with_suffix(".dbf").unlink()
    msg = run(shp)
    assert "prog.dbf" in msg
    assert not (tmp_path / "h.gpkg").exists()


def test_utf16_csv_is_read(tmp_path: Path) -> None:
    csv = tmp_path / "utf16.csv"
    csv.write_text("program_id,kegiatan,lon,lat\nU1,pembangunan_jalan,104.45,0.91\n", encoding="utf-16")
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", csv, "--rules", RULES, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 0, r.stderr
    assert list(pyogrio.read_dataframe(tmp_path / "h.gpkg", layer="programs")["program_id"]) == ["U1"]


def test_empty_program_layer_warns(tmp_path: Path) -> None:
    csv = tmp_path / "kosong.csv"
    csv.write_text("program_id,kegiatan,lon,lat\n", encoding="utf-8")
    r = sppr("check", "--zoning", ZONING, "--programs", csv, "--rules", RULES, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 0, r.stderr
    assert "no features" in r.stderr and "kosong.csv" in r.stderr


def test_errors_about_a_file_never_print_its_contents(tmp_path: Path) -> None:
    secret = tmp_path / "rahasia"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", encoding="utf-8")
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", secret, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 1
    assert "root:x" not in r.stderr and "/bin/bash" not in r.stderr and "daemon" not in r.stderr
    cfg = _config(tmp_path, rules=str(secret))
    r = sppr("sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "o", "--no-maps")
    assert r.returncode == 1
    assert "root:x" not in r.stderr and "/bin/bash" not in r.stderr and "daemon" not in r.stderr
    csv_secret = tmp_path / "rahasia.csv"
    csv_secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", csv_secret, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 1 and "/bin/bash" not in r.stderr


def test_out_other_than_gpkg_is_a_usage_error(tmp_path: Path) -> None:
    for name in ("hasil.shp", "hasil.geojson", "hasil"):
        r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / name)
        assert r.returncode == 2, name
        assert ".gpkg" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_input_summary_on_stderr_and_in_the_manifest(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SPPR_LANG", "id")  # the summary lines as analysts read them
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "h.gpkg")
    assert r.returncode == 0, r.stderr
    n_zones = len(pyogrio.read_dataframe(ZONING.rsplit(":", 1)[0], layer="rdtr_subzona", read_geometry=False))
    n_prog = len(pyogrio.read_dataframe(PROGRAMS, read_geometry=False))
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("masukan:")]
    assert any(f"{n_zones} fitur" in ln and "zona=KODSZN" in ln for ln in lines), r.stderr
    assert any(f"{n_prog} fitur" in ln and "id=program_id" in ln and "kegiatan=kegiatan" in ln for ln in lines), r.stderr
    q = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "h.gpkg")
    assert "masukan:" not in q.stderr
    cfg = _config(tmp_path)
    r = sppr("-q", "sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "o", "--no-maps")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "o" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    items = {i["role"]: i for i in manifest["input_summary"]}
    assert items["zonasi"]["features"] == n_zones and items["zonasi"]["fields"]["zona"] == "KODSZN"
    assert items["rencana"]["features"] == n_prog and items["rencana"]["fields"]["pagu"] == "pagu"
    assert "indikasi_program" in items
