"""Issue 22, case 3: one vocabulary. Statuses, field lists, place_key and defaults live in
sppr_gis.vocabulary, and the modules that used to copy them read it."""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from sppr_gis import vocabulary as v


def test_vocabulary_imports_nothing_from_the_library():
    tree = ast.parse(Path(v.__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] == "sppr_gis"]


def test_modules_read_the_one_vocabulary():
    from sppr_gis import conformance, matrices, network, prepare, relocation, schema, summary, sync

    assert schema.ZONE_FIELDS is v.ZONE_CODE_FIELDS
    assert sync.place_key is v.place_key and prepare.place_key is v.place_key and matrices.place_key is v.place_key
    assert sync.KECAMATAN_NAME_FIELDS is v.KECAMATAN_NAME_FIELDS and sync.KELURAHAN_NAME_FIELDS is v.KELURAHAN_NAME_FIELDS
    assert prepare.KAWASAN_NAME_FIELDS is v.KAWASAN_NAME_FIELDS
    assert conformance.STATUSES is v.STATUSES and matrices.STATUSES is v.STATUSES
    assert sync.IPU_STATUSES is v.IPU_STATUSES and sync.RENCANA_STATUSES is v.RENCANA_STATUSES
    assert network.NETWORK_STATUSES is v.NETWORK_STATUSES and summary.STRUKTUR_STATUSES is v.NETWORK_STATUSES
    assert relocation.DEFAULT_RELOCATION_DISTANCE == v.DEFAULT_RELOCATION_DISTANCE == 2000.0
    assert network.DEFAULT_NETWORK_DISTANCE == v.DEFAULT_NETWORK_DISTANCE == 25.0


def test_defaults_of_config_and_cli_are_the_vocabulary():
    from sppr_cli.check import check
    from sppr_gis.config import Parameters

    par = Parameters()
    assert (par.min_share, par.sliver_width, par.sliver_area, par.relocation_distance, par.network_distance, par.network_class_field) == (
        0.01, 1.0, 1.0, 2000.0, 25.0, "kelas")
    assert (par.min_share, par.sliver_width, par.sliver_area, par.relocation_distance, par.network_distance, par.network_class_field) == (
        v.DEFAULT_MIN_SHARE, v.DEFAULT_SLIVER_WIDTH, v.DEFAULT_SLIVER_AREA, v.DEFAULT_RELOCATION_DISTANCE, v.DEFAULT_NETWORK_DISTANCE,
        v.DEFAULT_NETWORK_CLASS_FIELD)
    opts = {p.name: p.default for p in check.params}
    assert opts["min_share"] == v.DEFAULT_MIN_SHARE and opts["relocation_distance"] == v.DEFAULT_RELOCATION_DISTANCE
    assert opts["network_distance"] == v.DEFAULT_NETWORK_DISTANCE and opts["sliver_width"] == v.DEFAULT_SLIVER_WIDTH
    assert opts["sliver_area"] == v.DEFAULT_SLIVER_AREA and opts["network_class_field"] == v.DEFAULT_NETWORK_CLASS_FIELD
    assert opts["activity_field"] == "kegiatan" and opts["id_field"] == "program_id" and opts["code_field"] == "kode"


def test_zone_names_read_namkws_beside_kodkws():
    """The RTRW kawasan layer (KODKWS) gets its names from NAMKWS, as KODSZN gets NAMSZN."""
    from sppr_gis.prepare import _zone_names

    f = pd.DataFrame({"KODKWS": ["HL"], "NAMKWS": ["Hutan Lindung"], "NAMOBJ": ["Bukit X"]})
    assert list(_zone_names(f, "KODKWS")) == ["Hutan Lindung"]
    assert list(_zone_names(pd.DataFrame({"NAMKWS": ["Sempadan Pantai"]}), None)) == ["Sempadan Pantai"]
    assert v.zone_name_fields("KODZON") == ["NAMZON", "NAMOBJ"] and v.zone_name_fields("zona") == ["NAMOBJ"]


def test_place_key_treats_every_missing_value_as_missing():
    assert v.place_key("  Kec. Bukit--Bestari ") == "kec bukit bestari"
    assert [v.place_key(x) for x in (None, float("nan"), np.float64("nan"), pd.NA)] == ["", "", "", ""]


def test_protected_programs_carry_a_structured_verdict():
    """The album needs no Indonesian words from `keterangan`: `jenis_lindung` says it (written layers unchanged)."""
    from sppr_gis.matrices import SINERGI_COLUMNS, protected_programs, sinergi_output, sinergi_table

    r = gpd.GeoDataFrame(
        {"program_id": ["P1", "P2", "P3", "P4"], "tahun": [2025] * 4, "opd": ["A"] * 4, "kegiatan": ["k"] * 4, "pagu": [1.0] * 4,
         "status": ["tidak_sesuai", "sesuai", "sesuai_bersyarat", "perlu_kajian"]},
        geometry=[Point(i, 0) for i in range(4)], crs="EPSG:32648",
    )
    zs = pd.DataFrame({"feature": [1, 2, 3, 4], "zone_code": ["HL"] * 4, "share": [1.0] * 4, "itbx": ["X", "I", "T", None], "counted": [True] * 4})
    prot = protected_programs(r, zs, ["HL"])
    assert list(prot["jenis_lindung"]) == ["lindung_X", "lindung_I", "lindung_TB", "lindung_kajian"]
    table = sinergi_table(prot)
    assert list(table["jenis_lindung"]) == ["lindung_X", "lindung_I", "lindung_TB", "lindung_kajian"]
    assert list(sinergi_output(table).columns) == [*SINERGI_COLUMNS, "geometry"]
