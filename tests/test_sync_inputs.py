"""The sync config's per-input settings, end to end: a zoning file's own zone field and code page,
an Excel sheet with its header row, a 'Koordinat' column, rencana columns differing only in case,
decimal-comma Rupiah, a config input with several layers and none named; the TOML of docs/sync.md."""

from __future__ import annotations

import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from pyproj import Transformer
from shapely import Point, box

from conftest import ORIGIN, ROOT, gdf, invoke
from sppr_gis.errors import AmbiguousLayerError
from sppr_gis.io import read_table

TO_LONLAT = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Lon/lat of the local test point (x, y) (shifted by ORIGIN, in UTM 48N)."""
    return TO_LONLAT.transform(ORIGIN[0] + x, ORIGIN[1] + y)


def sync_world(tmp_path: Path) -> Path:
    """Two zoning files (codes in KODSZN, and in KODE_ZONA for the second), an IPU, and two rencana
    files: an Excel book with a title above the header, two sheets and a 'Koordinat' column, and a
    CSV whose 'catatan' column differs in case from the book's 'Catatan'."""
    w = tmp_path / "world"
    w.mkdir()
    pyogrio.write_dataframe(gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}]), w / "zona_a.gpkg", layer="zona")
    legacy = "Kawasan Perumahan Kepadatan Sedang – Jalan Pahlawan ä"
    pyogrio.write_dataframe(gdf([{"KODE_ZONA": "RTH-1", "KODSZN": "lama", "NAMA": legacy, "geometry": box(100, 0, 200, 100)}]), w / "zona_b.shp", encoding="cp1252")
    (w / "zona_b.cpg").unlink()  # a legacy shapefile: Windows-1252 text and no .cpg
    (w / "itbx.csv").write_text("activity,R-2,RTH-1\npuskesmas,I,X\n", encoding="utf-8")
    ipu = gdf([{"ipu_id": "IPU-1", "program": "Puskesmas", "kegiatan": "puskesmas", "tahun_mulai": 2024, "tahun_akhir": 2026, "geometry": Point(50, 50)}])
    pyogrio.write_dataframe(ipu, w / "ipu.gpkg", layer="indikasi_program")
    lon, lat = lonlat(150, 50)
    renja = pd.DataFrame(
        {
            "ID": ["P-1"],
            "Tahun": [2025],
            "kegiatan": ["puskesmas"],
            "Pagu": ["1.250.000,50"],
            "Koordinat": [f"{lat:.8f}, {lon:.8f}"],
            "Catatan": ["lahan hibah"],
        }
    )
    with pd.ExcelWriter(w / "renja_perkim.xlsx") as xw:
        pd.DataFrame({"a": ["Petunjuk pengisian"]}).to_excel(xw, sheet_name="Petunjuk", index=False)
        pd.DataFrame([["RENJA DINAS PERKIM 2025"], [None]]).to_excel(xw, sheet_name="Renja", index=False, header=False)
        renja.to_excel(xw, sheet_name="Renja", index=False, startrow=2)
    lon2, lat2 = lonlat(50, 50)
    koordinat = f"{lat2:.8f}; {lon2:.8f}".replace(".", ",")  # "lat; lon" with decimal commas
    (w / "renja_dinkes.csv").write_text(f'program_id,tahun,kegiatan,pagu,koordinat,catatan\nP-2,2025,puskesmas,2.000.000,"{koordinat}",dekat pasar\n', encoding="utf-8")
    (w / "sppr.toml").write_text(
        """
[inputs]
zoning = ["zona_a.gpkg", { path = "zona_b.shp", fields = { zone = "KODE_ZONA" }, encoding = "cp1252" }]
rules = "itbx.csv"
indikasi_program = "ipu.gpkg"
rencana = [
    { path = "renja_perkim.xlsx", sheet = "Renja", header_row = 3, opd = "Dinas Perkim", fields = { program_id = "ID" } },
    { path = "renja_dinkes.csv", opd = "Dinas Kesehatan" },
]
""",
        encoding="utf-8",
    )
    return w


def test_sync_per_input_settings_load(tmp_path):
    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs
    from sppr_gis.run import run_year

    w = sync_world(tmp_path)
    cfg = load_config(w / "sppr.toml")
    assert (cfg.inputs.rencana[0].header_row, cfg.inputs.rencana[0].layer.layer) == (3, "Renja")
    inputs = load_inputs(cfg)
    # the second zoning file's codes come from its own KODE_ZONA, not its stale KODSZN
    assert sorted(inputs.zones_raw["zone_code"]) == ["R-2", "RTH-1"]
    assert inputs.zoning[1].frame["NAMA"].iloc[0] == "Kawasan Perumahan Kepadatan Sedang – Jalan Pahlawan ä"
    r = inputs.rencana.set_index("program_id")
    assert r.loc["P-1", "pagu"] == 1_250_000.5 and r.loc["P-2", "pagu"] == 2_000_000.0
    assert r.loc["P-1", "opd"] == "Dinas Perkim" and r.loc["P-1", "tahun"] == 2025
    # 'Koordinat' (lat, lon) and 'koordinat' with decimal commas (lat; lon): back to the intended UTM points
    assert r.loc["P-1"].geometry.distance(Point(ORIGIN[0] + 150, ORIGIN[1] + 50)) < 0.01
    assert r.loc["P-2"].geometry.distance(Point(ORIGIN[0] + 50, ORIGIN[1] + 50)) < 0.01
    # 'Catatan' and 'catatan' are one column
    assert list(r["Catatan"]) == ["lahan hibah", "dekat pasar"] and "catatan" not in r.columns
    res = run_year(inputs, 2025)
    ren = res.rencana.set_index("program_id")
    assert ren.loc["P-1", "status"] == "tidak_sesuai" and ren.loc["P-1", "status_sinkron"] == "inkonsisten"  # RTH-1: X
    assert ren.loc["P-2", "status"] == "sesuai" and ren.loc["P-2", "status_sinkron"] == "sinkron"  # I, at IPU-1


def test_sync_writes_rencana_whose_columns_differ_in_case(tmp_path):
    w = sync_world(tmp_path)
    out = tmp_path / "out"
    r = invoke(CliRunner(), ["sync", "--config", w / "sppr.toml", "--year", "2025", "--out", out, "--no-maps", "-q"])
    assert r.exit_code == 0, r.output
    ren = gpd.read_file(out / "2025" / "sppr.gpkg", layer="rencana").set_index("program_id")
    assert ren.loc["P-1", "Catatan"] == "lahan hibah" and ren.loc["P-2", "Catatan"] == "dekat pasar"
    assert ren.loc["P-1", "pagu"] == 1_250_000.5


def test_excel_sheet_must_be_named_when_there_are_several(tmp_path):
    w = sync_world(tmp_path)
    with pytest.raises(AmbiguousLayerError, match=r"renja_perkim\.xlsx: 2 sheets and none named \(Petunjuk, Renja\)"):
        read_table(w / "renja_perkim.xlsx")
    t = read_table(w / "renja_perkim.xlsx", sheet="Renja", header_row=3)
    assert list(t["ID"]) == ["P-1"] and t.attrs["first_row"] == 4
    # a bad row is named by its spreadsheet row (header on row 3 -> first data row 4)
    (w / "t.csv").write_text("judul\n\nprogram_id,koordinat\nA,\"-0,9; 104,4\"\nB,abc\n", encoding="utf-8")
    t = read_table(w / "t.csv", header_row=3)
    assert t.geometry.iloc[0].equals(Point(104.4, -0.9)) and t.geometry.iloc[1] is None
    assert [(f.feature_id, f.code) for f in t.attrs["findings"]] == [("5", "koordinat_tidak_valid")]


def test_docs_sync_toml_blocks_parse_and_validate():
    from sppr_gis.config import parse_config

    text = (ROOT / "docs" / "sync.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/sync.md has no ```toml block"
    complete = 0
    for block in blocks:
        data = tomllib.loads(block)
        inputs = data.get("inputs", {})
        if all(k in inputs for k in ("zoning", "rules", "indikasi_program", "rencana")):
            cfg = parse_config(data, ROOT / "docs" / "sppr.toml", check_files=False)
            complete += 1
            assert cfg.inputs.rencana[1].opd == "Dinas Perkim" and cfg.inputs.rencana[1].fields == {"pagu": "anggaran"}
    assert complete >= 1


def test_config_validates_per_input_settings(tmp_path):
    from sppr_gis.config import load_config
    from sppr_gis.errors import ConfigError

    w = sync_world(tmp_path)
    text = (w / "sppr.toml").read_text().replace("header_row = 3", "header_row = 0").replace('encoding = "cp1252"', 'encoding = "cp9999"')
    (w / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(w / "bad.toml")
    msg = str(err.value)
    assert "inputs.rencana[0].header_row: expected the spreadsheet row number" in msg
    assert "inputs.zoning[1].encoding: unknown text encoding 'cp9999'" in msg


def test_sync_config_input_with_several_layers_is_a_usage_error_naming_the_key(tmp_path):
    world = sync_world(tmp_path)
    pyogrio.write_dataframe(gdf([{"KODSZN": "R-2", "geometry": box(0, 200, 100, 300)}]), world / "zona_a.gpkg", layer="lama")
    r = invoke(CliRunner(), ["sync", "--config", world / "sppr.toml", "--year", "2025", "--out", tmp_path / "out", "--no-maps", "-q"])
    assert r.exit_code == 2, r.output
    assert "inputs.zoning[0] in sppr.toml" in r.output and "2 polygon layers and none named (zona" in r.output and "lama (Polygon)" in r.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_zoning_is_checked_once_for_all_years_of_a_run(tmp_path, monkeypatch):
    import sppr_gis.pipeline as pipeline
    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs
    from sppr_gis.run import run_year

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))  # an empty cache: an earlier test may have prepared this zoning
    calls = []
    real = pipeline.zoning_topology
    monkeypatch.setattr(pipeline, "zoning_topology", lambda *a, **k: calls.append(1) or real(*a, **k))
    inputs = load_inputs(load_config(sync_world(tmp_path) / "sppr.toml"))
    first, second = run_year(inputs, 2025), run_year(inputs, 2026)
    assert len(calls) == 1
    # the zoning's findings are in both years' issues, unchanged
    zoning_rows = lambda res: res.issues[res.issues["layer"].str.contains("zon", case=False)][["code", "feature_id"]].values.tolist()
    assert zoning_rows(first) == zoning_rows(second)


def test_sync_runs_on_the_sample_city_digitized_polygon_by_polygon(tmp_path):
    """The sample's zoning re-digitized: every polygon's vertices jittered on their own, overlays, a duplicate."""
    import shutil

    import numpy as np
    import shapely

    from sppr_cli.main import cli

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    for f in sample.iterdir():
        if f.is_file() and f.suffix != ".py":
            shutil.copy(f, tmp_path / f.name)
    z = gpd.read_file(sample / "zoning.gpkg", layer="rdtr_subzona")
    rng = np.random.default_rng(8)

    geoms = []
    for g in z.geometry:
        part = shapely.get_parts(g)[0]
        ring = np.asarray(shapely.segmentize(part, 10.0).exterior.coords)[:-1]
        geoms.append(shapely.Polygon(ring + np.clip(rng.normal(0, 0.2, ring.shape), -0.5, 0.5)))
    extra = z.iloc[:3].copy()
    extra["geometry"] = [shapely.affinity.translate(z.geometry.iloc[0], 0.3, -0.2), z.geometry.iloc[5].buffer(-20), z.geometry.iloc[9].centroid.buffer(40)]
    digit = gpd.GeoDataFrame(pd.concat([z.drop(columns="geometry"), extra.drop(columns="geometry")], ignore_index=True), geometry=geoms + list(extra.geometry), crs=z.crs)
    (tmp_path / "zoning.gpkg").unlink()
    digit.to_file(tmp_path / "zoning.gpkg", layer="rdtr_subzona")
    r = CliRunner().invoke(cli, ["sync", "--config", str(tmp_path / "sppr.toml"), "--year", "2025", "--out", str(tmp_path / "out"), "--no-maps"])
    assert r.exit_code == 0, r.output
    issues = gpd.read_file(tmp_path / "out" / "2025" / "sppr.gpkg", layer="issues")
    codes = set(issues["code"])
    assert "tumpang_tindih_sempit" in codes  # the jittered borders, summarized
    listed = issues[issues["code"].isin(["tumpang_tindih_zona", "tumpang_tindih_kode_sama"])]
    assert len(listed) >= 3 and listed.geometry.notna().all()  # the duplicate and the two overlays at least
    rencana = gpd.read_file(tmp_path / "out" / "2025" / "sppr.gpkg", layer="rencana")
    assert rencana["status"].notna().all()
