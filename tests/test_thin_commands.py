"""Issue 22, case 5: the commands are thin. Staging, workbook assembly and the analyses' inputs are
library calls a script makes as the CLI does; the CLI modules hold none of it."""

from __future__ import annotations

import ast
from pathlib import Path

import pyogrio

import sppr_gis
from sppr_gis import io, read_rules
from sppr_gis.analyses import extend_check_from_files
from sppr_gis.pipeline import ZoningInput, check

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
CLI = Path(__file__).resolve().parents[1] / "cli" / "sppr_cli"


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names


def test_cli_has_no_staging_or_workbook_assembly():
    for name in ("check.py", "revisi.py", "options.py"):
        used = _calls(CLI / name)
        assert not used & {"staged", "write_gpkg", "write_tables", "write_postgis", "write_workbook", "add_analyses", "read_network_map"}, name


def test_a_script_writes_what_sppr_check_writes(tmp_path):
    zoning = io.read_layer(io.parse_layer_spec(f"{SAMPLE}/zoning.gpkg:rdtr_subzona"), want="polygon")
    progs = io.read_program_sources([io.parse_layer_spec(str(SAMPLE / "rencana_pupr.gpkg"))], id_field="program_id")
    rules = read_rules(str(SAMPLE / "itbx.csv"))
    result = check([ZoningInput(zoning, label="z")], progs, rules, workers=1)
    extend_check_from_files(result, rules, network=io.parse_layer_spec(str(SAMPLE / "struktur_ruang.gpkg")),
                            network_map=SAMPLE / "jaringan_kegiatan.csv", class_field="JNSRSR")
    written = sppr_gis.write_check_result(result, tmp_path / "hasil.gpkg", tmp_path / "hasil.csv")
    assert written == []
    layers = set(pyogrio.list_layers(tmp_path / "hasil.gpkg")[:, 0])
    assert {"programs", "zone_shares", "issues", "saran_relokasi"} <= layers
    assert sorted(p.name for p in tmp_path.glob("hasil_*.csv")) == sorted(f"hasil_{k}.csv" for k in result.layers())
    assert "status_struktur" in pyogrio.read_dataframe(tmp_path / "hasil.gpkg", layer="programs").columns
