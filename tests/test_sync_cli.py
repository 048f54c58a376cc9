"""``sppr sync`` on the bundled sample: every output, the engineered cases of data/sample/README.md,
a second run giving identical layers, and the exit statuses."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from conftest import SAMPLE, invoke
from geopandas.testing import assert_geodataframe_equal

CONFIG = SAMPLE / "sppr.toml"
SHEETS = ["Ringkasan", "Matriks 1", "Matriks 2", "Matriks 3", "Jangka Menengah", "Kesesuaian", "Sinergi", "Isu Data"]

# data/sample/README.md, "ipu.gpkg": expected status_sinkron for 2025
IPU_2025 = {
    "sinkron": [1, 2, 7, 10, 12, 13, 14, 16, 17, 19, 21, 25, 26, 29, 30],
    "diskontinu": [3, 4, 20, 22, 27, 31],
    "diskoneksi": [8, 9, 11, 15, 18, 24, 32, 35, 36],
    "belum_jadwal": [5, 6, 23, 28, 33, 34],
}
# data/sample/README.md, "Engineered programmes of 2025": (conformance, status_sinkron)
PROGRAMS_2025 = {
    "PUPR-2025-001": ("sesuai", "sinkron"),
    "PUPR-2025-002": ("sesuai_bersyarat", "sinkron"),
    "PUPR-2025-003": ("sesuai", "sinkron"),
    "PUPR-2025-004": ("sesuai", "sinkron"),
    "PUPR-2025-005": ("sesuai", "sinkron"),
    "PUPR-2025-006": ("sesuai", "tidak_terindikasi"),
    "PUPR-2025-007": ("sesuai", "tidak_terindikasi"),
    "PUPR-2025-008": ("perlu_kajian", "tidak_terindikasi"),
    "PUPR-2025-009": ("tidak_sesuai", "inkonsisten"),
    "PERKIM-2025-001": ("sesuai", "sinkron"),
    "PERKIM-2025-002": ("tidak_sesuai", "inkonsisten"),
    "PERKIM-2025-003": ("sesuai", "sinkron"),
    "PERKIM-2025-004": ("sesuai", "sinkron"),
    "PERKIM-2025-005": ("sesuai", "sinkron"),
    "DINKES-2025-001": ("sesuai", "tidak_terindikasi"),
    "DINKES-2025-002": ("sesuai", "sinkron"),
    "DISDIK-2025-001": ("sesuai_bersyarat", "sinkron"),
    "DLH-2025-001": ("sesuai", "sinkron"),
    "DLH-2025-002": ("sesuai_bersyarat", "sinkron"),
    "DLH-2025-003": ("tidak_sesuai", "inkonsisten"),
    "DISHUB-2025-001": ("sesuai", "sinkron"),
    "PUPR-2025-015": ("tidak_sesuai", "inkonsisten"),
    "DISDIK-2025-006": ("tidak_sesuai", "inkonsisten"),
}
SYNERGY = ["PUPR-2025-010", "DINKES-2025-003", "DLH-2025-004", "DISHUB-2025-002"]


def _maps_available() -> bool:
    try:
        import sppr_gis.maps.album  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def run2025(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("sync") / "hasil"
    res = invoke(CliRunner(), ["sync", "--config", CONFIG, "--year", "2025", "--out", out])
    assert res.exit_code == 0, res.output
    return out, res


@pytest.fixture(scope="module")
def layers(run2025):
    out, _ = run2025
    gpkg = out / "2025" / "sppr.gpkg"
    return {name: gpd.read_file(gpkg, layer=name) for name, _ in pyogrio.list_layers(gpkg)}


def test_all_outputs_exist(run2025):
    out, res = run2025
    year = out / "2025"
    assert sorted(p.name for p in out.iterdir()) == ["2025"]  # no staging folder left
    for name in ("sppr.gpkg", "buku_matriks.xlsx", "manifest.json"):
        assert (year / name).is_file()
    for name in ("matriks_1", "matriks_2", "matriks_3", "jangka_menengah", "kesesuaian", "sinergi", "isu_data", "fokus_opd", "fokus_kecamatan", "fokus_kelurahan",
                 "fokus_kawasan_prioritas", "capaian_program", "capaian_opd", "capaian_klaster"):
        assert (year / "csv" / f"{name}.csv").is_file(), name
    if _maps_available():
        assert (year / "album_peta.pdf").stat().st_size > 0
        assert any((year / "peta").glob("*.png"))
    assert "SPPR 2025" in res.output


def test_gpkg_layers(layers):
    assert {"indikasi_program", "rencana", "zone_shares", "issues"} <= set(layers)
    assert len(layers["indikasi_program"]) == 36
    assert len(layers["rencana"]) == 67  # every 2025 row, the duplicated id twice
    assert set(layers["rencana"]["tahun"]) == {2025}
    for col in ("status", "itbx", "score", "dominant_zone", "keterangan", "status_sinkron", "ipu_id"):
        assert col in layers["rencana"].columns
    for col in ("status_sinkron", "realized_by"):
        assert col in layers["indikasi_program"].columns
    assert list(layers["issues"].columns[:5]) == ["layer", "feature_id", "severity", "code", "message"]
    assert {"program_id", "zone_code", "measure", "share", "itbx"} <= set(layers["zone_shares"].columns)
    # QGIS opens the result layers styled (default style per layer, QML and SLD)
    styles = layers["layer_styles"]
    default = set(styles.loc[styles["useAsDefault"] == 1, "f_table_name"])
    assert {"rencana", "indikasi_program"} <= default
    assert styles["styleQML"].str.contains("<qgis").all() and styles["styleSLD"].str.contains("StyledLayerDescriptor").all()


def test_ipu_statuses_as_designed(layers):
    got = dict(zip(layers["indikasi_program"]["ipu_id"], layers["indikasi_program"]["status_sinkron"]))
    expected = {f"IPU-{n:03d}": s for s, ns in IPU_2025.items() for n in ns}
    assert got == expected


def test_realized_by(layers):
    ipu = layers["indikasi_program"].set_index("ipu_id")
    assert ipu.loc["IPU-001", "realized_by"] == "PUPR-2025-001"
    assert ipu.loc["IPU-001", "tahun_terealisasi"] == "2024; 2025"  # PUPR-2024-001 too
    assert ipu.loc["IPU-019", "realized_by"] == "DINKES-2025-002"  # through kelurahan Sei Jang
    assert ipu.loc["IPU-026", "realized_by"] == "DLH-2025-002"  # through kelurahan Air Raja
    assert ipu.loc["IPU-029", "realized_by"] == "DLH-2025-003"  # by an inkonsisten programme
    assert ipu.loc["IPU-006", "tahun_terealisasi"] == "2023"
    assert (ipu.loc["IPU-015", "lokasi_sumber"], ipu.loc["IPU-015", "kelurahan"]) == ("kelurahan", "Kampung Bugis")
    assert ipu["realized_by"].fillna("").str.len().gt(0).sum() == 15


def test_engineered_programs(layers):
    r = layers["rencana"].drop_duplicates("program_id").set_index("program_id")
    for pid, (conf, sync) in PROGRAMS_2025.items():
        assert (r.loc[pid, "status"], r.loc[pid, "status_sinkron"]) == (conf, sync), pid
    assert r.loc["DLH-2025-003", "ipu_id"] == "IPU-029"
    assert r.loc["PUPR-2025-002", "ipu_id"] == "IPU-002"
    counts = layers["rencana"]["status_sinkron"].value_counts().to_dict()
    assert counts == {"sinkron": 14, "inkonsisten": 5, "tidak_terindikasi": 48}  # 67 rows (47 distinct + the duplicate)


def test_data_quality_cases(layers):
    r = layers["rencana"].drop_duplicates("program_id").set_index("program_id")
    assert r.loc["PUPR-2025-014", "kode_sipd"] == "1.03.10.2.01.0053"  # zero-padded kegiatan segment
    assert not r.loc["PUPR-2025-015", "kode_valid"]
    for pid in ("PUPR-2025-012", "PUPR-2025-017"):
        assert r.loc[pid, "kegiatan"] == "pemeliharaan_jalan" and r.loc[pid, "kegiatan_dari_kode"]
    iss = layers["issues"]
    have = set(zip(iss["feature_id"], iss["code"]))
    assert ("PUPR-2025-015", "kode_sipd_tidak_valid") in have
    assert ("DISDIK-2025-004", "id_ganda") in have
    assert ("PUPR-2025-008", "lokasi_tidak_dikenal") in have
    assert "koordinat_di_luar_crs" in set(iss["code"])
    assert not iss["layer"].str.startswith("/").any()  # paths relative to the config


def test_synergy_collision_protected(layers):
    s = layers["sinergi"]
    syn = {frozenset(p) for p in zip(s.loc[s.jenis == "sinergi", "program_id"], s.loc[s.jenis == "sinergi", "program_id_2"])}
    expected = {frozenset((a, b)) for i, a in enumerate(SYNERGY) for b in SYNERGY[i + 1 :]} | {frozenset(("PUPR-2025-001", "DISHUB-2025-001"))}
    assert expected <= syn
    col = set(zip(s.loc[s.jenis == "tabrakan", "program_id"], s.loc[s.jenis == "tabrakan", "program_id_2"]))
    assert ("PERKIM-2025-004", "PUPR-2024-003") in col
    prot = set(s.loc[s.jenis == "kawasan_lindung", "program_id"])
    assert {"PUPR-2025-009", "PERKIM-2025-002", "PUPR-2025-002"} <= prot


def test_workbook(run2025):
    out, _ = run2025
    wb = openpyxl.load_workbook(out / "2025" / "buku_matriks.xlsx")
    assert wb.sheetnames == [*SHEETS, "Kinerja"]  # the sample names [inputs] kinerja (contract section Kinerja)
    ws = wb["Matriks 2"]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["ID Program", "OPD", "Kode SIPD", "Kegiatan", "Pagu (Rp)"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert "Rp" in ws.cell(row=2, column=5).number_format
    assert ws.column_dimensions["B"].width > 20
    assert wb["Isu Data"].cell(row=1, column=1).value == "Lapisan"
    assert wb["Ringkasan"].cell(row=1, column=1).value == "SPPR Kota Contoh - Tahun 2025"


def test_manifest(run2025):
    out, _ = run2025
    m = json.loads((out / "2025" / "manifest.json").read_text(encoding="utf-8"))
    itbx = next(i for i in m["inputs"] if i["role"] == "rules")
    assert itbx["sha256"] == hashlib.sha256((SAMPLE / "itbx.csv").read_bytes()).hexdigest()
    assert len([i for i in m["inputs"] if i["role"] == "rencana"]) == 6
    assert m["parameters"]["match_distance"] == 50.0 and m["year"] == 2025 and m["window"] == [2023, 2027]
    assert m["counts"]["indikasi_program"] == {k: len(v) for k, v in IPU_2025.items()}
    assert m["counts"]["rencana"] == {"sinkron": 14, "inkonsisten": 5, "tidak_terindikasi": 48}
    assert {"sppr_gis", "GEOS", "GDAL", "PROJ"} <= set(m["versions"])
    assert {"kesesuaian", "sinkronisasi", "matriks", "tulis"} <= set(m["timings"])
    assert "buku_matriks.xlsx" in m["outputs"]


def test_second_run_gives_identical_layers(run2025, tmp_path):
    from click.testing import CliRunner

    out, _ = run2025
    res = invoke(CliRunner(), ["sync", "--config", CONFIG, "--year", "2025", "--out", tmp_path / "again", "--no-maps", "-q"])
    assert res.exit_code == 0, res.output
    a, b = out / "2025" / "sppr.gpkg", tmp_path / "again" / "2025" / "sppr.gpkg"
    for name, _ in pyogrio.list_layers(a):
        la, lb = gpd.read_file(a, layer=name), gpd.read_file(b, layer=name)
        if isinstance(la, gpd.GeoDataFrame) and la.geometry is not None and "geometry" in la.columns:
            assert_geodataframe_equal(la, lb)
        else:
            # the QGIS style table records when it was written: run metadata, not results
            drop = ["update_time"] if name == "layer_styles" else []
            pd.testing.assert_frame_equal(pd.DataFrame(la).drop(columns=drop), pd.DataFrame(lb).drop(columns=drop))
    for csv in sorted((out / "2025" / "csv").glob("*.csv")):
        assert csv.read_bytes() == (tmp_path / "again" / "2025" / "csv" / csv.name).read_bytes(), csv.name


def test_years_range(tmp_path):
    from click.testing import CliRunner

    res = invoke(CliRunner(), ["sync", "--config", CONFIG, "--years", "2024-2025", "--out", tmp_path, "--no-maps", "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024", "2025"]
    ipu = gpd.read_file(tmp_path / "2024" / "sppr.gpkg", layer="indikasi_program").set_index("ipu_id")["status_sinkron"]
    # worked out from README: IPU-004 realized by PUPR-2024-002; IPU-003 only in 2023; IPU-007 starts 2025;
    # IPU-022 realized by DISDIK-2024-001; IPU-031 by DISHUB-2024-001; IPU-034 ended 2023
    assert (ipu["IPU-004"], ipu["IPU-003"], ipu["IPU-007"], ipu["IPU-022"], ipu["IPU-031"], ipu["IPU-034"]) == ("sinkron", "diskontinu", "belum_jadwal", "sinkron", "sinkron", "belum_jadwal")
    r = gpd.read_file(tmp_path / "2024" / "sppr.gpkg", layer="rencana")
    assert set(r["tahun"]) == {2024} and len(r) == 67


def test_rerun_replaces_the_year_folder(tmp_path):
    import json

    from click.testing import CliRunner

    args = ["sync", "--config", CONFIG, "--year", "2025", "--out", tmp_path, "--no-maps", "-q"]
    # a file the tool did not write is never deleted (contract: inputs are never outputs)
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "stale.txt").write_text("old")
    res = invoke(CliRunner(), args)
    assert res.exit_code == 2 and "stale.txt" in res.output
    assert (tmp_path / "2025" / "stale.txt").read_text() == "old"
    (tmp_path / "2025" / "stale.txt").unlink()
    assert invoke(CliRunner(), args).exit_code == 0
    # an output an earlier run wrote (its manifest lists it) goes with the folder
    manifest = tmp_path / "2025" / "manifest.json"
    m = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**m, "outputs": m["outputs"] + ["stale.txt"]}), encoding="utf-8")
    (tmp_path / "2025" / "stale.txt").write_text("old")
    res = invoke(CliRunner(), args)
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "2025" / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025"]


def test_library_run_reports_every_progress_step(tmp_path):
    from sppr_gis.run import count_steps, run_sync

    labels = []
    run = run_sync(CONFIG, [2024, 2025], tmp_path, progress=labels.append, maps=False)
    assert len(labels) == count_steps(2)
    assert [r.year for r in run.years] == [2024, 2025]
    assert [f.name for f in run.folders] == ["2024", "2025"]
