"""``sppr sync`` without ``indikasi_program`` (issue 20): the rencana alone are judged and ranked, and the
IPU tables say no IPU was given."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
from click.testing import CliRunner
from conftest import SAMPLE, invoke

BASE = f"""
[inputs]
zoning = "{SAMPLE / 'zoning.gpkg'}:rdtr_subzona"
rules = "{SAMPLE / 'itbx.csv'}"
IPU
rencana = ["{SAMPLE / 'rencana_kesehatan.csv'}"]
kelurahan = "{SAMPLE / 'admin.gpkg'}:kelurahan"
"""


def run(tmp_path, name, ipu_line):
    cfg = tmp_path / f"{name}.toml"
    cfg.write_text(BASE.replace("IPU", ipu_line), encoding="utf-8")
    out = tmp_path / name
    res = invoke(CliRunner(), ["sync", "--config", cfg, "--year", "2025", "--out", out, "--no-maps"])
    return res, out / "2025"


def test_sync_without_ipu_judges_and_ranks_the_rencana(tmp_path, monkeypatch):
    monkeypatch.setenv("SPPR_LANG", "id")  # the summary line as analysts read it
    res, folder = run(tmp_path, "tanpa", "")
    assert res.exit_code == 0, res.output
    assert "IPU tidak diberikan" in res.stdout
    r = gpd.read_file(folder / "sppr.gpkg", layer="rencana").set_index("program_id")
    assert len(gpd.read_file(folder / "sppr.gpkg", layer="indikasi_program")) == 0
    # conformance does not depend on the IPU: the same statuses as a run with it
    res2, folder2 = run(tmp_path, "dengan", f'indikasi_program = "{SAMPLE / "ipu.gpkg"}:indikasi_program"')
    assert res2.exit_code == 0, res2.output
    r2 = gpd.read_file(folder2 / "sppr.gpkg", layer="rencana").set_index("program_id")
    assert r["status"].to_dict() == r2["status"].to_dict() and len(r) > 0
    # contract: inkonsisten when tidak_sesuai, else (no IPU to realize) tidak_terindikasi
    want = {p: ("inkonsisten" if s == "tidak_sesuai" else "tidak_terindikasi") for p, s in r["status"].items()}
    assert r["status_sinkron"].to_dict() == want
    located = r.geometry.notna() & ~r.geometry.is_empty
    assert r.loc[located, "peringkat_prioritas"].notna().all()
    book = openpyxl.load_workbook(folder / "buku_matriks.xlsx", read_only=True)
    for sheet in ("Matriks 1", "Jangka Menengah"):
        texts = [str(v) for row in book[sheet].iter_rows(values_only=True) for v in row if v is not None]
        assert any("IPU) tidak diberikan" in t for t in texts), sheet
