"""``sppr check`` from the command line: outputs, exit statuses, one test per bad input."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely import LineString, Point, Polygon, box

from conftest import gdf, invoke


@pytest.fixture
def data(tmp_path):
    z = gdf(
        [
            {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
            {"KODSZN": "K-1", "geometry": box(100, 0, 200, 100)},
            {"KODSZN": "RTH-1", "geometry": box(200, 0, 300, 100)},
        ]
    )
    pyogrio.write_dataframe(z, tmp_path / "zoning.gpkg", layer="rdtr")
    p = gdf(
        [
            {"program_id": "J1", "kegiatan": "pembangunan_jalan", "opd": "PUPR", "geometry": LineString([(10, 50), (150, 50)])},
            {"program_id": "J2", "kegiatan": "pembangunan_jalan", "opd": "PUPR", "geometry": LineString([(150, 50), (250, 50)])},
            {"program_id": "T1", "kegiatan": "taman_kota", "opd": "DLH", "geometry": Point(250, 50)},
            {"program_id": "E1", "kegiatan": "taman_kota", "opd": "DLH", "geometry": None},
            {"program_id": "B1", "kegiatan": "taman_kota", "opd": "DLH", "geometry": Polygon([(10, 10), (90, 90), (90, 10), (10, 90)])},
        ]
    )
    pyogrio.write_dataframe(p, tmp_path / "programs.gpkg", layer="rencana", geometry_type="Unknown")
    (tmp_path / "itbx.csv").write_text(
        "category,activity,R-2,K-1,RTH-1\nJalan,pembangunan_jalan,I,T1,X\nRTH,taman_kota,I,I,I\n", encoding="utf-8"
    )
    return tmp_path


def args(d, **over):
    a = {"--zoning": d / "zoning.gpkg", "--programs": d / "programs.gpkg", "--rules": d / "itbx.csv", "--out": d / "out.gpkg"}
    a.update(over)
    out = ["check"]
    for k, v in a.items():
        if v is None:
            continue
        for item in v if isinstance(v, list) else [v]:
            out += [k, str(item)]
    return out


def test_success_writes_three_layers_with_every_row(runner, data):
    r = invoke(runner, args(data, **{"--tables": data / "tabel.xlsx"}))
    assert r.exit_code == 0, r.output
    layers = {n for n, _ in pyogrio.list_layers(data / "out.gpkg")}
    assert layers == {"programs", "zone_shares", "issues", "saran_relokasi", "layer_styles"}  # + QGIS styles
    from sppr_gis.maps.styles import read_layer_styles

    styled = {(r["f_table_name"], r["useAsDefault"]) for r in read_layer_styles(data / "out.gpkg")}
    assert ("programs", 1) in styled
    progs = gpd.read_file(data / "out.gpkg", layer="programs")
    assert list(progs["program_id"]) == ["J1", "J2", "T1", "E1", "B1"]  # every row, in input order
    st = dict(zip(progs["program_id"], progs["status"]))
    assert st == {"J1": "sesuai_bersyarat", "J2": "tidak_sesuai", "T1": "sesuai", "E1": "perlu_kajian", "B1": "sesuai"}
    assert progs.crs.to_epsg() == 32648
    shares = pyogrio.read_dataframe(data / "out.gpkg", layer="zone_shares")
    j1 = shares[shares.program_id == "J1"].set_index("zone_code")
    assert j1.loc["R-2", "measure"] == pytest.approx(90.0) and j1.loc["K-1", "share"] == pytest.approx(50 / 140)
    issues = pyogrio.read_dataframe(data / "out.gpkg", layer="issues")
    assert {("E1", "geometri_kosong"), ("B1", "geometri_diperbaiki")} <= set(zip(issues.feature_id, issues.code))
    assert set(pd.ExcelFile(data / "tabel.xlsx").sheet_names) == {"programs", "zone_shares", "issues", "saran_relokasi"}
    advice = gpd.read_file(data / "out.gpkg", layer="saran_relokasi")
    assert list(advice["program_id"]) == [p for p in progs["program_id"] if st[p] == "tidak_sesuai"]
    assert "PUPR" in r.output and "tidak_sesuai" in r.output


def test_quiet_prints_nothing(runner, data):
    r = invoke(runner, args(data) + ["--quiet"])
    assert r.exit_code == 0 and r.output == ""


def test_zoning_as_one_file_per_code(runner, data):
    # one file of K-1 polygons without any code field, coded on the command line
    k = gdf([{"NAMA": "Koridor", "geometry": box(300, 0, 400, 100)}])
    pyogrio.write_dataframe(k, data / "k1.shp")
    r = invoke(runner, args(data, **{"--zoning": [f"{data / 'zoning.gpkg'}:rdtr", f"{data / 'k1.shp'}=K-1"]}))
    assert r.exit_code == 0, r.output
    shares = pyogrio.read_dataframe(data / "out.gpkg", layer="zone_shares")
    assert "K-1" in set(shares["zone_code"])


def test_geographic_zoning_outputs_utm(runner, data):
    z = gpd.read_file(data / "zoning.gpkg").to_crs(4326)
    pyogrio.write_dataframe(z, data / "z4326.geojson")
    r = invoke(runner, args(data, **{"--zoning": data / "z4326.geojson"}))
    assert r.exit_code == 0, r.output
    assert gpd.read_file(data / "out.gpkg", layer="programs").crs.to_epsg() == 32648


# ------------------------------------------------------------------ bad input
def assert_clean_failure(r, data, status, *needles):
    assert r.exit_code == status, r.output
    for n in needles:
        assert n in r.output, r.output
    assert "Traceback" not in r.output
    assert not (data / "out.gpkg").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".out.gpkg")]


def test_missing_file_is_usage_error(runner, data):
    r = invoke(runner, args(data, **{"--programs": data / "nope.gpkg"}))
    assert_clean_failure(r, data, 2, "nope.gpkg", "does not exist")


@pytest.mark.parametrize("value", ["0", "1.5", "-0.1"])
def test_bad_min_share_is_usage_error(runner, data, value):
    r = invoke(runner, args(data, **{"--min-share": value}))
    assert_clean_failure(r, data, 2, "--min-share")


def test_bad_assume_crs_is_usage_error(runner, data):
    assert_clean_failure(invoke(runner, args(data, **{"--assume-crs": "EPSG:999999"})), data, 2, "--assume-crs")


@pytest.mark.filterwarnings("ignore:.crs. was not provided")  # the test writes a layer without a CRS on purpose
def test_layer_without_crs(runner, data):
    z = gpd.read_file(data / "zoning.gpkg").set_crs(None, allow_override=True)
    pyogrio.write_dataframe(z, data / "nocrs.shp")
    r = invoke(runner, args(data, **{"--zoning": data / "nocrs.shp"}))
    assert_clean_failure(r, data, 1, "nocrs.shp", "no CRS", "--assume-crs")
    assert invoke(runner, args(data, **{"--zoning": data / "nocrs.shp", "--assume-crs": "EPSG:32648"})).exit_code == 0


def test_unknown_itbx_letter_names_row_and_column(runner, data):
    (data / "itbx.csv").write_text("activity,R-2,K-1\npembangunan_jalan,I,T1\ntaman_kota,I,Z\n", encoding="utf-8")
    assert_clean_failure(invoke(runner, args(data)), data, 1, "itbx.csv", "row 3", "'K-1'")


def test_missing_zone_field(runner, data):
    r = invoke(runner, args(data, **{"--zone-field": "KODZON"}))
    assert_clean_failure(r, data, 1, "zoning.gpkg", "KODZON")


def test_no_standard_zone_field(runner, data):
    z = gpd.read_file(data / "zoning.gpkg").rename(columns={"KODSZN": "kode"})
    pyogrio.write_dataframe(z, data / "z2.gpkg")
    assert_clean_failure(invoke(runner, args(data, **{"--zoning": data / "z2.gpkg"})), data, 1, "z2.gpkg", "KODSZN", "--zone-field")


def test_missing_layer(runner, data):
    r = invoke(runner, args(data, **{"--zoning": f"{data / 'zoning.gpkg'}:pola_ruang"}))
    assert_clean_failure(r, data, 1, "pola_ruang", "rdtr")


def test_missing_activity_and_id_fields(runner, data):
    assert_clean_failure(invoke(runner, args(data, **{"--activity-field": "jenis"})), data, 1, "programs.gpkg", "'jenis'")
    assert_clean_failure(invoke(runner, args(data, **{"--id-field": "kode_program"})), data, 1, "programs.gpkg", "'kode_program'")


def test_table_without_coordinates(runner, data):
    (data / "p.csv").write_text("program_id,kegiatan\nP1,taman_kota\n", encoding="utf-8")
    assert_clean_failure(invoke(runner, args(data, **{"--programs": data / "p.csv"})), data, 1, "p.csv", "no coordinate columns")


def test_unreadable_file(runner, data):
    (data / "broken.gpkg").write_bytes(b"\x00garbage")
    assert_clean_failure(invoke(runner, args(data, **{"--zoning": data / "broken.gpkg"})), data, 1, "broken.gpkg")


def test_zoning_without_polygons(runner, data):
    pts = gdf([{"KODSZN": "R-2", "geometry": Point(1, 1)}])
    pyogrio.write_dataframe(pts, data / "pts.gpkg")
    assert_clean_failure(invoke(runner, args(data, **{"--zoning": data / "pts.gpkg"})), data, 1, "pts.gpkg")


def test_failed_run_keeps_the_previous_output(runner, data):
    assert invoke(runner, args(data)).exit_code == 0
    before = (data / "out.gpkg").read_bytes()
    (data / "itbx.csv").write_text("activity,R-2\njalan,Q\n", encoding="utf-8")
    r = invoke(runner, args(data))
    assert r.exit_code == 1
    assert (data / "out.gpkg").read_bytes() == before
    assert not [p for p in data.iterdir() if p.name.startswith(".out.gpkg")]


def test_version_and_help(runner):
    assert invoke(runner, ["--version"]).exit_code == 0
    r = invoke(runner, ["check", "--help"])
    assert r.exit_code == 0 and "--min-share" in r.output


def test_unwritable_output_is_a_clean_failure(runner, data):
    (data / "afile").write_text("x")
    r = invoke(runner, args(data, **{"--out": data / "afile" / "out.gpkg"}))
    assert r.exit_code == 1, r.output
    assert "afile" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("option, value", [("--sliver-width", "-1"), ("--sliver-width", "nan"), ("--sliver-area", "inf")])
def test_bad_sliver_tolerance_is_usage_error(runner, data, option, value):
    r = invoke(runner, args(data, **{option: value}))
    assert_clean_failure(r, data, 2, option)


def test_sliver_tolerances_classify_overlaps_and_never_change_measures(runner, data):
    # K-1 redrawn 0.6 m into R-2 (a 0.6 x 100 m overlap, 60 m²) and an RTH-1 overlay of 3 x 3 m in R-2
    z = gdf(
        [
            {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
            {"KODSZN": "K-1", "geometry": box(99.4, 0, 200, 100)},
            {"KODSZN": "RTH-1", "geometry": box(200, 0, 300, 100)},
            {"KODSZN": "RTH-1", "geometry": box(20, 20, 23, 23)},
        ]
    )
    pyogrio.write_dataframe(z, data / "digit.gpkg", layer="rdtr")
    results = {}
    for width in ("1", "0.5"):
        out = data / f"out_{width}.gpkg"
        r = invoke(runner, args(data, **{"--zoning": data / "digit.gpkg", "--out": out, "--sliver-width": width}))
        assert r.exit_code == 0, r.output
        issues = gpd.read_file(out, layer="issues")
        results[width] = (issues, pyogrio.read_dataframe(out, layer="zone_shares"))
    issues, shares = results["1"]
    listed = issues[issues["code"] == "tumpang_tindih_zona"]
    assert list(listed["feature_id"]) == ["#1,#4"]  # the overlay; the 0.6 m strip is noise
    assert listed.geometry.iloc[0].area == pytest.approx(9.0)
    noise = issues[issues["code"] == "tumpang_tindih_sempit"]
    assert len(noise) == 1 and "seluas total 60,0 m²" in noise["message"].iloc[0]
    assert noise.geometry.iloc[0].area == pytest.approx(60.0)
    strict_issues, strict_shares = results["0.5"]
    assert set(strict_issues.loc[strict_issues["code"] == "tumpang_tindih_zona", "feature_id"]) == {"#1,#2", "#1,#4"}
    # J1 runs (10,50) -> (150,50): R-2 on [10, 100], K-1 on [99.4, 150] whatever the tolerance
    for s in (shares, strict_shares):
        j1 = s[s.program_id == "J1"].set_index("zone_code")["measure"]
        assert j1["R-2"] == pytest.approx(90.0) and j1["K-1"] == pytest.approx(50.6)
    # every finding here is located, except the program that has no geometry at all
    assert issues.geometry.isna().tolist() == (issues["code"] == "geometri_kosong").tolist()


def test_a_row_with_bad_coordinates_gets_one_finding_and_the_readers_reason(runner, tmp_path):
    from shapely import box as _box

    z = gpd.GeoDataFrame({"KODSZN": ["R-2"]}, geometry=[_box(106.8, -6.3, 106.9, -6.2)], crs="EPSG:4326")
    z.to_file(tmp_path / "z.gpkg")
    pd.DataFrame({"program_id": ["A", "B", "A"], "kegiatan": ["x"] * 3, "lon": ["106.85", "abc", ""], "lat": ["-6.25", "-6.25", ""]}).to_csv(tmp_path / "p.csv", index=False)
    pd.DataFrame({"activity": ["x"], "R-2": ["I"]}).to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "o.gpkg"
    r = invoke(runner, ["check", "--zoning", str(tmp_path / "z.gpkg"), "--programs", str(tmp_path / "p.csv"), "--rules", str(tmp_path / "r.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    issues = gpd.read_file(out, layer="issues")
    per_code = issues.groupby("code").size().to_dict()
    # B: one finding (the reader's), not also 'geometri_kosong'; the blank row: one 'koordinat_kosong'
    assert per_code == {"koordinat_tidak_valid": 1, "koordinat_kosong": 1, "id_ganda": 1}
    progs = gpd.read_file(out, layer="programs")
    assert progs.loc[1, "keterangan"] == "baris 3: bukan koordinat: 'abc' (kolom 'lon'/'lat')."
    # the duplicated id 'A' is located by its one row that has a geometry; the empty row's finding has none
    dup = issues[issues["code"] == "id_ganda"].geometry.iloc[0]
    assert dup is not None and dup.geom_type == "GeometryCollection" and len(dup.geoms) == 1
    assert issues.loc[issues["code"] == "koordinat_kosong"].geometry.isna().all()


def test_programs_that_all_miss_the_zoning_are_flagged(runner, data):
    p = gdf([{"program_id": "F1", "kegiatan": "taman_kota", "geometry": Point(5000, 5000)}, {"program_id": "F2", "kegiatan": "taman_kota", "geometry": Point(6000, 5000)}])
    pyogrio.write_dataframe(p, data / "far.gpkg", layer="far")
    r = invoke(runner, args(data, **{"--programs": data / "far.gpkg"}))
    assert r.exit_code == 0, r.output
    issues = pyogrio.read_dataframe(data / "out.gpkg", layer="issues")
    flagged = issues[issues["code"] == "program_di_luar_zonasi"]
    assert len(flagged) == 1 and "2 lokasi program" in flagged["message"].iloc[0]
    # programs that do meet the zoning raise no such flag
    r = invoke(runner, args(data))
    assert "program_di_luar_zonasi" not in set(pyogrio.read_dataframe(data / "out.gpkg", layer="issues")["code"])


def test_library_warnings_are_one_log_line_and_quiet_silences_them(tmp_path):
    import subprocess
    import sys

    code = "import warnings, sys; from sppr_cli.main import cli; cli.add_command(__import__('click').Command('w', callback=lambda: warnings.warn('GDAL says hello', RuntimeWarning))); cli(sys.argv[1:])"
    loud = subprocess.run([sys.executable, "-c", code, "w"], capture_output=True, text=True)
    assert loud.returncode == 0 and "GDAL says hello" in loud.stderr and ".py:" not in loud.stderr
    quiet = subprocess.run([sys.executable, "-c", code, "-q", "w"], capture_output=True, text=True)
    assert quiet.returncode == 0 and "GDAL says hello" not in quiet.stderr


@pytest.mark.parametrize("cache", ["cold", "warm", "--no-cache"])
def test_prepared_zoning_freed_before_writing(runner, data, monkeypatch, tmp_path, cache):
    """Issue 18 (memory): the prepared zoning (the engine's cut pieces, the QA's pairs and findings list) is not
    kept alive while the layers are written; the check result keeps only the zones. Counted with the garbage
    collector when the writer starts, cold, warm (from the cache) and without the cache."""
    import gc

    import sppr_cli.check as cli_check
    from sppr_gis.pipeline import PreparedZoning

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / f"cache-{cache}"))
    extra = ["--no-cache"] if cache == "--no-cache" else []
    if cache == "warm":
        r = invoke(runner, args(data, **{"--out": data / "first.gpkg"}) + extra)
        assert r.exit_code == 0, r.output
    alive: list[int] = []
    write = cli_check.write_check_result

    def counting(result, *a, **k):
        gc.collect()
        alive.append(sum(isinstance(o, PreparedZoning) for o in gc.get_objects()))
        return write(result, *a, **k)

    monkeypatch.setattr(cli_check, "write_check_result", counting)
    r = invoke(runner, args(data) + extra)
    assert r.exit_code == 0, r.output
    assert alive == [0]
    assert len(gpd.read_file(data / "out.gpkg", layer="programs")) == 5


def test_the_data_issue_table_speaks_the_readers_words(runner, data, monkeypatch):
    """Analyst s9: the console's issue table read "severity", "code", "error", "warning" while the Buku Matriks
    says Galat and Peringatan; the issue codes themselves stay as they are (scripts read them)."""
    monkeypatch.setenv("SPPR_LANG", "id")
    r = invoke(runner, args(data))
    assert r.exit_code == 0, r.output
    table = r.output[r.output.index("Isu data"):]
    assert "tingkat" in table and "kode" in table and "geometri_kosong" in table
    assert "severity" not in table and "warning" not in table and "error" not in table.replace("geometri", "")
    assert "Peringatan" in table or "Galat" in table
