"""``sppr sync`` with bad inputs: exit 1 with one message naming the file/key, exit 2 for usage
errors, and never a half-written output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, invoke

BASE = f"""
[inputs]
zoning = "{SAMPLE / 'zoning.gpkg'}:rdtr_subzona"
rules = "{SAMPLE / 'itbx.csv'}"
indikasi_program = "{SAMPLE / 'ipu.gpkg'}:indikasi_program"
rencana = ["{SAMPLE / 'rencana_kesehatan.csv'}", RENCANA]
kelurahan = "{SAMPLE / 'admin.gpkg'}:kelurahan"
"""

GOOD_CSV = "program_id,tahun,opd,kode,kegiatan,pagu,lokasi,longitude,latitude\nX-1,2025,Dinas X,1.02.02.2.01.0004,puskesmas,1.000.000,Kel. Sei Jang,,\n"


def setup(tmp_path: Path, *, csv: str = GOOD_CSV, extra: str = "", rencana: str = '"mine.csv"') -> Path:
    (tmp_path / "mine.csv").write_text(csv, encoding="utf-8")
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(BASE.replace("RENCANA", rencana) + extra, encoding="utf-8")
    return cfg


def run(cfg: Path, out: Path, *more: str):
    return invoke(CliRunner(), ["sync", "--config", cfg, "--year", "2025", "--out", out, "--no-maps", "-q", *more])


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_good_small_config_runs(tmp_path):
    out = tmp_path / "out"
    res = run(setup(tmp_path), out)
    assert res.exit_code == 0, res.output
    assert (out / "2025" / "sppr.gpkg").exists()
    import geopandas as gpd

    r = gpd.read_file(out / "2025" / "sppr.gpkg", layer="rencana").set_index("program_id")
    # the place given only as "Kel. Sei Jang" realizes IPU-019 (NULL geometry, kelurahan Sei Jang)
    assert (r.loc["X-1", "lokasi_sumber"], r.loc["X-1", "status_sinkron"], r.loc["X-1", "ipu_id"]) == ("kelurahan", "sinkron", "IPU-019")
    assert r.loc["X-1", "status"] == "perlu_kajian"  # a whole kelurahan is not a site
    assert r.loc["X-1", "pagu"] == 1_000_000  # "1.000.000" read as Rupiah


def test_unknown_key(tmp_path):
    out = tmp_path / "out"
    res = run(setup(tmp_path, extra="[parameters]\nmatch_distanse = 40\n"), out)
    assert res.exit_code == 1
    assert "parameters.match_distanse: unknown key" in res.output and "cfg.toml" in res.output
    assert "Traceback" not in res.output
    assert_nothing_written(out)


def test_missing_input_file_named(tmp_path):
    out = tmp_path / "out"
    res = run(setup(tmp_path, rencana='"nope.xlsx"'), out)
    assert res.exit_code == 2  # a missing file is a usage error (shared/contracts.md, "Exit status")
    assert "inputs.rencana[1]" in res.output and "nope.xlsx" in res.output
    assert_nothing_written(out)


def test_missing_required_field_named(tmp_path):
    out = tmp_path / "out"
    res = run(setup(tmp_path, csv="id,tahun,opd,kegiatan\nA,2025,X,jalan\n"), out)
    assert res.exit_code == 1
    assert "mine.csv" in res.output and "'program_id'" in res.output and "fields.program_id" in res.output
    assert_nothing_written(out)


def test_missing_opd_suggests_per_file_opd(tmp_path):
    out = tmp_path / "out"
    res = run(setup(tmp_path, csv="program_id,tahun,kegiatan\nA,2025,jalan\n"), out)
    assert res.exit_code == 1
    assert "mine.csv" in res.output and 'opd = "..."' in res.output


def test_per_file_opd_and_field_mapping(tmp_path):
    out = tmp_path / "out"
    csv = "kode_program,thn,kegiatan,anggaran,lokasi\nA,2025,puskesmas,5,Kel. Sei Jang\n"
    rencana = '{ path = "mine.csv", opd = "Dinas Y", fields = { program_id = "kode_program", tahun = "thn", pagu = "anggaran" } }'
    res = run(setup(tmp_path, csv=csv, rencana=rencana), out)
    assert res.exit_code == 0, res.output
    import geopandas as gpd

    r = gpd.read_file(out / "2025" / "sppr.gpkg", layer="rencana").set_index("program_id")
    assert (r.loc["A", "opd"], r.loc["A", "pagu"], r.loc["A", "status_sinkron"]) == ("Dinas Y", 5.0, "sinkron")


def test_bad_ipu_period(tmp_path):
    import geopandas as gpd

    ipu = gpd.read_file(SAMPLE / "ipu.gpkg", layer="indikasi_program")
    ipu.loc[ipu.ipu_id == "IPU-002", "tahun_akhir"] = 2020
    ipu.to_file(tmp_path / "ipu.gpkg", layer="indikasi_program", driver="GPKG")
    cfg = setup(tmp_path)
    cfg.write_text(cfg.read_text().replace(str(SAMPLE / "ipu.gpkg"), str(tmp_path / "ipu.gpkg")))
    out = tmp_path / "out"
    res = run(cfg, out)
    assert res.exit_code == 1
    assert "ipu.gpkg" in res.output and "IPU-002: tahun_mulai 2024 > tahun_akhir 2020" in res.output
    assert_nothing_written(out)


def test_unreadable_table(tmp_path):
    out = tmp_path / "out"
    cfg = setup(tmp_path)
    (tmp_path / "mine.csv").write_bytes(b"\x00\x01\x02")
    res = run(cfg, out)
    assert res.exit_code == 1 and "mine.csv" in res.output
    assert_nothing_written(out)


def test_failure_while_writing_leaves_previous_output_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "2025").mkdir(parents=True)
    (out / "2025" / "previous.txt").write_text("keep me")
    import sppr_gis.report.excel as excel

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(excel, "write_workbook", boom)
    runner = CliRunner()
    from sppr_cli.main import cli

    res = runner.invoke(cli, ["sync", "--config", str(setup(tmp_path)), "--years", "2024-2025", "--out", str(out), "--no-maps", "-q"])
    assert res.exit_code != 0
    assert sorted(p.name for p in out.iterdir()) == ["2025"]  # no 2024, no staging folder
    assert (out / "2025" / "previous.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--year", "2025", "--years", "2025-2026"], "exactly one of --year"),
        ([], "give the fiscal year: --year 2025 or --years 2025-2029."),
        (["--year", "20x5"], "not a year"),
        (["--years", "2029-2025"], "first <= last"),
        (["--year", "2025-2026"], "one year expected"),
    ],
)
def test_usage_errors(tmp_path, args, fragment):
    res = invoke(CliRunner(), ["sync", "--config", setup(tmp_path), "--out", tmp_path / "out", *args])
    assert res.exit_code == 2
    assert fragment in res.output
    assert not (tmp_path / "out").exists()


def test_config_file_missing_is_usage_error(tmp_path):
    res = invoke(CliRunner(), ["sync", "--config", tmp_path / "nope.toml", "--year", "2025"])
    assert res.exit_code == 2 and "nope.toml" in res.output


def test_ipu_table_with_places_only_as_text(tmp_path):
    (tmp_path / "ipu.csv").write_text(
        "ipu_id,program,kegiatan,instansi,tahun_mulai,tahun_akhir,lokasi\n"
        "Q1,Puskesmas,puskesmas,Dinkes,2025,2026,Kel. Sei Jang\n"
        "Q2,Puskesmas,puskesmas,Dinkes,2025,2026,Kecamatan Antah Berantah\n",
        encoding="utf-8",
    )
    cfg = setup(tmp_path)
    cfg.write_text(cfg.read_text().replace(f"{SAMPLE / 'ipu.gpkg'}:indikasi_program", "ipu.csv"))
    out = tmp_path / "out"
    res = run(cfg, out)
    assert res.exit_code == 0, res.output
    import geopandas as gpd

    ipu = gpd.read_file(out / "2025" / "sppr.gpkg", layer="indikasi_program").set_index("ipu_id")
    # X-1 ("Kel. Sei Jang", 2025, puskesmas) and DINKES-2025-002 (inside Sei Jang) realize Q1; Q2 cannot be placed
    assert (ipu.loc["Q1", "status_sinkron"], ipu.loc["Q1", "realized_by"]) == ("sinkron", "DINKES-2025-002; X-1")
    assert (ipu.loc["Q2", "status_sinkron"], ipu.loc["Q2", "lokasi_sumber"]) == ("diskoneksi", "tidak_ada")
    issues = gpd.read_file(out / "2025" / "sppr.gpkg", layer="issues")
    assert {("Q2", "lokasi_tidak_dikenal"), ("Q2", "lokasi_ipu_kosong")} <= set(zip(issues.feature_id, issues.code))


def test_a_blank_year_reads_tahun_kosong_not_nan(tmp_path):
    """Analyst s9: a row without a year was logged "tahun nan tidak dikenal"; it reads "tahun kosong", and a
    year that is text still reads as typed."""
    import geopandas as gpd

    csv = GOOD_CSV + "X-2,,Dinas X,1.02.02.2.01.0004,puskesmas,1.000.000,Kel. Sei Jang,,\nX-3,duaribu,Dinas X,1.02.02.2.01.0004,puskesmas,1,Kel. Sei Jang,,\n"
    out = tmp_path / "out"
    res = run(setup(tmp_path, csv=csv), out)
    assert res.exit_code == 0, res.output
    issues = gpd.read_file(out / "2025" / "sppr.gpkg", layer="issues")
    msg = dict(zip(issues.loc[issues["code"] == "tahun_tidak_valid", "feature_id"], issues.loc[issues["code"] == "tahun_tidak_valid", "message"]))
    assert msg["X-2"] == "tahun kosong; program tidak masuk tahun mana pun"
    assert msg["X-3"] == "tahun 'duaribu' tidak dikenal; program tidak masuk tahun mana pun"


def test_a_blank_pagu_is_a_data_issue_naming_the_row(tmp_path):
    """Analyst s9: a blank pagu was only "Program tanpa Pagu 1" in the Ringkasan; it is a warning pagu_kosong on
    its row (the sample's rencana_kesehatan.csv has every pagu, so only X-2 of mine.csv is named)."""
    import geopandas as gpd

    csv = GOOD_CSV + "X-2,2025,Dinas X,1.02.02.2.01.0004,puskesmas,,Kel. Sei Jang,,\n"
    out = tmp_path / "out"
    res = run(setup(tmp_path, csv=csv), out)
    assert res.exit_code == 0, res.output
    issues = gpd.read_file(out / "2025" / "sppr.gpkg", layer="issues")
    got = issues[issues["code"] == "pagu_kosong"]
    assert list(got["feature_id"]) == ["X-2"] and list(got["severity"]) == ["warning"] and got["layer"].iloc[0].endswith("mine.csv")


def test_the_years_check_names_the_programs_file(tmp_path):
    """Analyst s9: id_ganda and geometri_kosong rows of the year's check said 'rencana 2025' in the Lapisan column;
    they name the file the program came from (mine.csv here, the sample's CSV for its own rows)."""
    import geopandas as gpd

    csv = GOOD_CSV + "X-1,2025,Dinas X,1.02.02.2.01.0004,puskesmas,2.000.000,Kel. Dompak,,\n"  # X-1 twice
    out = tmp_path / "out"
    res = run(setup(tmp_path, csv=csv), out)
    assert res.exit_code == 0, res.output
    issues = gpd.read_file(out / "2025" / "sppr.gpkg", layer="issues")
    dup = issues[issues["code"] == "id_ganda"]
    assert list(dup["feature_id"]) == ["X-1"] and dup["layer"].iloc[0].endswith("mine.csv"), dup[["layer", "feature_id"]]
    assert not (issues["layer"] == "rencana 2025").any(), issues.loc[issues["layer"] == "rencana 2025", ["code", "feature_id"]]
