"""The sppr sync TOML configuration: defaults, paths, validation with every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from sppr_gis.config import FIELD_DEFAULTS, load_config
from sppr_gis.errors import ConfigError

MINIMAL = """
[inputs]
zoning = "zoning.gpkg:rdtr"
rules = "itbx.csv"
indikasi_program = "ipu.gpkg"
rencana = ["r1.gpkg", "sub/r2.xlsx"]
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("zoning.gpkg", "itbx.csv", "ipu.gpkg", "r1.gpkg", "admin.gpkg", "kp.gpkg"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r2.xlsx").write_bytes(b"")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    p = folder / "sppr.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_minimal_config_defaults(folder):
    cfg = load_config(write(folder, MINIMAL))
    assert cfg.inputs.zoning[0].path == folder / "zoning.gpkg"
    assert cfg.inputs.zoning[0].layer.layer == "rdtr"
    assert [s.path for s in cfg.inputs.rencana] == [folder / "r1.gpkg", folder / "sub" / "r2.xlsx"]
    assert cfg.inputs.kecamatan is None and cfg.inputs.struktur_ruang == ()
    p = cfg.parameters
    assert (p.min_share, p.match_distance, p.synergy_distance, p.collision_distance) == (0.01, 50.0, 100.0, 10.0)
    assert p.capaian_threshold == 80.0 and p.medium_term_start is None
    assert p.priority_weights.as_dict() == {"conformance": 0.3, "realizes_ipu": 0.3, "continues_ipu": 0.15, "priority_area": 0.15, "budget_readiness": 0.1}
    assert cfg.fields == FIELD_DEFAULTS
    assert cfg.name == folder.name and cfg.title == f"SPPR {folder.name}"


def test_paths_are_relative_to_the_config_not_the_cwd(folder, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = load_config(write(folder, MINIMAL))
    assert cfg.inputs.rules.path == folder / "itbx.csv"


def test_full_config(folder):
    text = MINIMAL.replace('rencana = ["r1.gpkg", "sub/r2.xlsx"]', 'rencana = ["r1.gpkg", { path = "sub/r2.xlsx", sheet = "Renja", opd = "Dinas Perkim", xy_fields = ["Bujur", "Lintang"], fields = { pagu = "anggaran" } }]')
    text += """
kecamatan = "admin.gpkg:kecamatan"
kelurahan = "admin.gpkg:kelurahan"
kawasan_prioritas = "kp.gpkg"
struktur_ruang = ["admin.gpkg:jalan", "kp.gpkg"]

[project]
name = "Kota Contoh"

[fields]
zone = "KODZON"
pagu = "nilai"

[parameters]
min_share = 0.05
match_distance = 75
synergy_distance = 250.5
collision_kegiatan = ["pembangunan_jalan", "pembangunan_drainase"]
capaian_threshold = 90
medium_term_start = 2025
priority_thresholds = [80, 60]

[parameters.priority_weights]
conformance = 2
priority_area = 0

[opd_clusters]
Infrastruktur = ["Dinas PUPR", "Dinas Perkim"]
"Sosial Budaya" = ["Dinas Kesehatan"]
"""
    cfg = load_config(write(folder, text))
    r2 = cfg.inputs.rencana[1]
    assert (r2.layer.layer, r2.opd, r2.xy_fields, dict(r2.fields)) == ("Renja", "Dinas Perkim", ("Bujur", "Lintang"), {"pagu": "anggaran"})
    assert cfg.inputs.kelurahan.layer.layer == "kelurahan"
    assert len(cfg.inputs.struktur_ruang) == 2
    assert cfg.fields["zone"] == "KODZON" and cfg.fields["pagu"] == "nilai" and cfg.fields["activity"] == "kegiatan"
    p = cfg.parameters
    assert (p.min_share, p.match_distance, p.synergy_distance, p.capaian_threshold, p.medium_term_start) == (0.05, 75.0, 250.5, 90.0, 2025)
    assert p.collision_kegiatan == ("pembangunan_jalan", "pembangunan_drainase")
    assert p.priority_thresholds == (80.0, 60.0)
    w = p.priority_weights.as_dict()
    assert w["conformance"] == 2.0 and w["priority_area"] == 0.0 and w["realizes_ipu"] == 0.3
    assert cfg.opd_clusters == {"Infrastruktur": ("Dinas PUPR", "Dinas Perkim"), "Sosial Budaya": ("Dinas Kesehatan",)}
    assert cfg.name == "Kota Contoh"
    roles = [role for role, _ in cfg.inputs.all()]
    assert roles == ["zoning", "rules", "indikasi_program", "rencana", "rencana", "struktur_ruang", "struktur_ruang", "kecamatan", "kelurahan", "kawasan_prioritas"]


@pytest.mark.parametrize(
    "extra, key",
    [
        ("[parameters]\nmatch_distanse = 50\n", "parameters.match_distanse"),
        ("[parameter]\nmin_share = 0.1\n", "parameter"),
        ("[fields]\nzona = 'KODSZN'\n", "fields.zona"),
        ("[parameters.priority_weights]\nconformity = 1\n", "parameters.priority_weights.conformity"),
        ("[project]\nwilayah = 'x'\n", "project.wilayah"),
    ],
)
def test_unknown_key_is_named(folder, extra, key):
    with pytest.raises(ConfigError) as exc:
        load_config(write(folder, MINIMAL + extra))
    msg = str(exc.value)
    assert f"{key}: unknown key" in msg
    assert str(folder / "sppr.toml") in msg


def test_unknown_input_key_and_suggestion(folder):
    with pytest.raises(ConfigError, match=r"inputs\.kelurahaan: unknown key \(did you mean 'kelurahan'\?\)"):
        load_config(write(folder, MINIMAL + 'kelurahaan = "admin.gpkg"\n'))


def test_unknown_key_inside_an_input_table(folder):
    text = MINIMAL.replace('"sub/r2.xlsx"]', '{ path = "sub/r2.xlsx", lembar = "x" }]')
    with pytest.raises(ConfigError, match=r"inputs\.rencana\[1\]\.lembar: unknown key"):
        load_config(write(folder, text))


def test_all_problems_listed_at_once(folder):
    text = MINIMAL.replace('rules = "itbx.csv"', 'rules = "missing.csv"') + "[parameters]\nmin_share = 2\nmatch_distance = -1\ncapaian_threshold = 0.8\nfoo = 1\n"
    with pytest.raises(ConfigError) as exc:
        load_config(write(folder, text))
    msg = str(exc.value)
    assert "5 problems" in msg
    assert "inputs.rules: file" in msg and "missing.csv" in msg
    assert "parameters.min_share: must be at most 1.0" in msg
    assert "parameters.match_distance: must be at least 0.0" in msg
    assert "parameters.capaian_threshold" in msg and "percentage" in msg
    assert "parameters.foo: unknown key" in msg


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[inputs]\nrules = 'itbx.csv'\n", "inputs.zoning: required key missing"),
        ("", "the [inputs] table is required"),
        (MINIMAL + "[parameters]\nmin_share = 'a'\n", "parameters.min_share: expected a number"),
        (MINIMAL + "[parameters]\ncollision_years = 1.5\n", "parameters.collision_years: expected a whole number"),
        (MINIMAL + "[parameters]\nassume_crs = 'EPSG:999999'\n", "parameters.assume_crs"),
        (MINIMAL + "[parameters]\npriority_thresholds = [50, 70]\n", "parameters.priority_thresholds"),
        (MINIMAL + "[parameters.priority_weights]\nconformance = 0\nrealizes_ipu = 0\ncontinues_ipu = 0\npriority_area = 0\nbudget_readiness = 0\n", "at least one weight"),
        (MINIMAL + "[opd_clusters]\nA = ['Dinas X']\nB = ['dinas  x']\n", "opd_clusters.B: OPD 'dinas  x' is already in cluster 'A'"),
        (MINIMAL + "[opd_clusters]\nA = 'Dinas X'\n", "opd_clusters.A: expected a list"),
        (MINIMAL.replace('"r1.gpkg", ', "3, "), "inputs.rencana[0]: expected a path"),
        ("[inputs\nzoning = 1", "not valid TOML"),
        (MINIMAL + "[parameters]\nsliver_width = -1\n", "parameters.sliver_width: must be at least 0.0"),
        (MINIMAL + "[parameters]\nsliver_area = nan\n", "parameters.sliver_area: must be a finite number"),
        (MINIMAL + "[parameters]\nmatch_distance = inf\n", "parameters.match_distance: must be a finite number"),
    ],
)
def test_bad_values(folder, text, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
        load_config(write(folder, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_check_files_false_skips_existence(folder):
    cfg = load_config(write(folder, MINIMAL.replace("itbx.csv", "later.csv")), check_files=False)
    assert cfg.inputs.rules.path.name == "later.csv"


def test_palette_table_is_validated_and_normalized(tmp_path):
    import shutil

    from sppr_gis.config import load_config
    from sppr_gis.errors import ConfigError

    src = Path(__file__).resolve().parents[1] / "data" / "sample" / "sppr.toml"
    cfg = tmp_path / "sppr.toml"
    shutil.copy(src, cfg)
    base = cfg.read_text(encoding="utf-8")
    cfg.write_text(base + '\n[palette]\n"R-2" = "#FFDC00"\n"RTH-2" = [70, 135, 0]\n', encoding="utf-8")
    assert dict(load_config(cfg, check_files=False).palette) == {"R-2": "#ffdc00", "RTH-2": "#468700"}
    cfg.write_text(base + '\n[palette]\n"R-2" = "kuning"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="palette.R-2"):
        load_config(cfg, check_files=False)


def test_sliver_tolerances_are_parameters(folder):
    cfg = load_config(write(folder, MINIMAL + "[parameters]\nsliver_width = 0.5\nsliver_area = 2\n"))
    assert (cfg.parameters.sliver_width, cfg.parameters.sliver_area) == (0.5, 2.0)
    assert (load_config(write(folder, MINIMAL)).parameters.sliver_width) == 1.0
