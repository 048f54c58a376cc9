"""Issue 12: the check and sync summaries (and the sync manifest) count relocation advice and struktur ruang conformance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import invoke

from sppr_gis.summary import analysis_counts, format_analysis_counts

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NETWORK = ["--struktur-ruang", SAMPLE / "struktur_ruang.gpkg:jaringan", "--network-map", SAMPLE / "jaringan_kegiatan.csv", "--network-class-field", "JNSRSR"]

@pytest.fixture(autouse=True)
def _indonesian(monkeypatch):
    """These lines are checked as analysts read them (Indonesian, the default language)."""
    monkeypatch.setenv("SPPR_LANG", "id")

REL = re.compile(r"saran relokasi: (\d+) program tidak sesuai memiliki zona yang mengizinkan \(I\) dalam radius ([\d.]+) m; (\d+) program tidak memilikinya")
STR = re.compile(r"struktur ruang: (\d+) sesuai, (\d+) sebagian, (\d+) di luar rencana \((\d+) program")


def test_analysis_counts_and_lines():
    rel = pd.DataFrame({"program_id": list("abcd"), "zone_code": ["R-4", None, "", "K-1"], "jarak_m": [0.0, None, None, 12.5]})
    progs = pd.DataFrame({"status_struktur": ["sesuai", None, "sebagian", "di_luar_rencana", "di_luar_rencana"]})
    c = analysis_counts(progs, rel)
    assert c == {"saran_relokasi": {"ada_zona_i": 2, "tidak_ada": 2}, "status_struktur": {"sesuai": 1, "sebagian": 1, "di_luar_rencana": 2}}
    lines = format_analysis_counts(c, 2000)
    assert lines == [
        "saran relokasi: 2 program tidak sesuai memiliki zona yang mengizinkan (I) dalam radius 2.000 m; 2 program tidak memilikinya",
        "struktur ruang: 1 sesuai, 1 sebagian, 2 di luar rencana (4 program yang kegiatannya mengikuti jaringan)",
    ]
    assert analysis_counts(pd.DataFrame({"status": ["sesuai"]})) == {}  # neither analysis ran: nothing to say
    assert format_analysis_counts({}) == []


def _check(tmp_path: Path, name: str, *extra) -> tuple[str, Path]:
    out = tmp_path / f"{name}.gpkg"
    res = invoke(
        CliRunner(),
        ["check", "--zoning", SAMPLE / "zoning.gpkg:rdtr_subzona", "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", SAMPLE / "itbx.csv", "--out", out, *extra],
    )
    assert res.exit_code == 0, res.output
    return res.stdout, out


def test_check_prints_counts_equal_to_its_layers(tmp_path):
    text, out = _check(tmp_path, "jauh", *NETWORK)
    rel = pyogrio.read_dataframe(out, layer="saran_relokasi")
    progs = pyogrio.read_dataframe(out, layer="programs")
    m = REL.search(text)
    assert m, text
    found = int(rel["zone_code"].fillna("").astype(str).str.len().gt(0).sum())
    assert (int(m.group(1)), m.group(2), int(m.group(3))) == (found, "2.000", len(rel) - found)
    assert int(m.group(1)) + int(m.group(3)) == int((progs["status"] == "tidak_sesuai").sum())
    s = STR.search(text)
    assert s, text
    vc = progs["status_struktur"].value_counts()
    assert [int(g) for g in s.groups()] == [int(vc.get("sesuai", 0)), int(vc.get("sebagian", 0)), int(vc.get("di_luar_rencana", 0)), int(progs["status_struktur"].notna().sum())]
    assert sum(int(g) for g in s.groups()[:3]) > 0

    # a shorter distance: programs whose nearest I zone (from the first run) lies farther drop to "tidak"
    near, _ = _check(tmp_path, "dekat", "--relocation-distance", "50")
    m2 = REL.search(near)
    assert m2, near
    within = int((pd.to_numeric(rel["jarak_m"]) <= 50).sum())
    assert (int(m2.group(1)), m2.group(2), int(m2.group(3))) == (within, "50", len(rel) - within)
    assert within < found  # the sample has one 79 m away
    assert "struktur ruang:" not in near  # no network given: no struktur line


@pytest.fixture(scope="module")
def sync_run(tmp_path_factory):
    """The sample's sync with its summary in Indonesian, as the regular expressions read it (a module fixture
    runs before the autouse language fixture: the language is set here, not taken from the caller's shell)."""
    out = tmp_path_factory.mktemp("sync")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPPR_LANG", "id")
        res = invoke(CliRunner(), ["sync", "--config", SAMPLE / "sppr.toml", "--year", "2025", "--out", out, "--no-maps"])
    assert res.exit_code == 0, res.output
    return res.stdout, out / "2025"


def test_sync_manifest_and_summary_count_the_layers(sync_run):
    text, folder = sync_run
    gpkg = folder / "sppr.gpkg"
    rel = pyogrio.read_dataframe(gpkg, layer="saran_relokasi")
    ren = pyogrio.read_dataframe(gpkg, layer="rencana")
    found = int(rel["zone_code"].fillna("").astype(str).str.len().gt(0).sum())
    vc = ren["status_struktur"].value_counts()
    want = {
        "saran_relokasi": {"ada_zona_i": found, "tidak_ada": len(rel) - found},
        "status_struktur": {k: int(vc.get(k, 0)) for k in ("sesuai", "sebagian", "di_luar_rencana")},
    }
    counts = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert {k: counts[k] for k in want} == want
    assert len(rel) == int((ren["status"] == "tidak_sesuai").sum())
    m = REL.search(text)
    assert m and (int(m.group(1)), int(m.group(3))) == (found, len(rel) - found)
    s = STR.search(text)
    assert s and [int(g) for g in s.groups()[:3]] == list(want["status_struktur"].values())


def test_kesesuaian_sheet_has_relocation_and_struktur_columns_in_words(sync_run):
    _, folder = sync_run
    book = pd.read_excel(folder / "buku_matriks.xlsx", sheet_name="Kesesuaian", header=0, na_values="–")  # a missing number reads "–"
    for col in ("Saran Relokasi", "Jarak Relokasi (m)", "Porsi pada Jaringan Rencana", "Status Struktur Ruang"):
        assert col in book.columns, col
    ren = pyogrio.read_dataframe(folder / "sppr.gpkg", layer="rencana")  # same rows, same order (ids may repeat across files)
    assert book["ID Program"].tolist() == ren["program_id"].tolist()
    words = {"sesuai": "Sesuai", "sebagian": "Sebagian", "di_luar_rencana": "Di luar rencana"}
    assert book["Status Struktur Ruang"].dropna().isin(words.values()).all()
    assert book["Status Struktur Ruang"].fillna("").tolist() == ren["status_struktur"].map(words).fillna("").tolist()
    bad = (ren["status"] == "tidak_sesuai").to_numpy()
    assert bad.any() and book.loc[bad, "Saran Relokasi"].notna().all() and book.loc[~bad, "Saran Relokasi"].isna().all()
    assert (book["Porsi pada Jaringan Rencana"].dropna().between(0, 1)).all()
