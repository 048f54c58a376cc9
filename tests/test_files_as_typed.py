"""Files as analysts type them (issue 20, section 2): title rows per file, contradictory ITBX cells,
zone codes differing in case or spacing, a wrong --assume-crs, dotless code maps, 50/50 splits."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import ORIGIN, gdf, invoke, make_rules
from shapely import Point, box

import sppr_gis
from sppr_gis.errors import RulesError
from sppr_gis.rules import parse_cell, read_rules


# ---------------------------------------------------------------- contradictory ITBX cells
@pytest.mark.parametrize("text", ["X, T1", "I, T1", "T1 B2", "I,X", "B2;X"])
def test_contradictory_or_blank_separated_cell_is_refused(text):
    with pytest.raises(ValueError):
        parse_cell(text)


@pytest.mark.parametrize("text, cls", [("T1,B2", "B"), ("T1, T2", "T"), ("B1;B3", "B"), ("x", "X"), ("I", "I")])
def test_valid_combinations_still_parse(text, cls):
    assert parse_cell(text).cls == cls


def test_contradictory_cell_error_names_activity_and_zone_column(tmp_path):
    p = tmp_path / "itbx.csv"
    p.write_text('activity,R-2,K-1\npembangunan_jalan,I,T1\npasar_rakyat,"X, T1",I\n', encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        read_rules(p)
    msg = str(exc.value)
    assert "pasar_rakyat" in msg and "'R-2'" in msg and "row 3" in msg


# ---------------------------------------------------------------- zone codes: case and spacing
def test_zone_codes_differing_in_case_or_spacing_are_one_code():
    rules = make_rules({"pembangunan_jalan": {"R-2": "I", "K": "T1"}})
    zoning = gdf([{"KODSZN": "r-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "k", "geometry": box(100, 0, 200, 100)},
                  {"KODSZN": "R - 2", "geometry": box(0, 100, 100, 200)}])
    programs = gdf([{"program_id": "A", "kegiatan": "pembangunan_jalan", "geometry": Point(50, 50)},
                    {"program_id": "B", "kegiatan": "pembangunan_jalan", "geometry": Point(150, 50)},
                    {"program_id": "C", "kegiatan": "pembangunan_jalan", "geometry": Point(50, 150)}])
    res = sppr_gis.check(zoning, programs, rules)
    # by hand: A in R-2 (I) -> sesuai; B in K (T1) -> sesuai_bersyarat; C in R-2 -> sesuai
    assert res.programs["status"].tolist() == ["sesuai", "sesuai_bersyarat", "sesuai"]
    assert res.programs["itbx"].tolist() == ["I", "T", "I"]
    codes = set(res.issues["code"])
    assert "zona_tidak_ada_di_itbx" not in codes
    info = res.issues[res.issues["code"] == "kode_zona_dinormalisasi"]
    assert len(info) == 1 and (info["severity"] == "info").all()
    msg = info["message"].iloc[0]
    for pair in ("'r-2' -> 'R-2'", "'k' -> 'K'", "'R - 2' -> 'R-2'"):
        assert pair in msg


def test_unknown_zone_code_gets_a_suggestion(caplog):
    rules = make_rules({"pembangunan_jalan": {"R-2": "I", "K-1": "T1"}})
    zoning = gdf([{"KODSZN": "R2", "geometry": box(0, 0, 100, 100)}])
    programs = gdf([{"program_id": "A", "kegiatan": "pembangunan_jalan", "geometry": Point(50, 50)}])
    with caplog.at_level("WARNING", logger="sppr_gis"):
        res = sppr_gis.check(zoning, programs, rules)
    warn = res.issues[res.issues["code"] == "zona_tidak_ada_di_itbx"]
    assert len(warn) == 1 and "maksud Anda R-2?" in warn["message"].iloc[0]
    # analyst s9: said on the console too, naming the matrix column it resembles and what it does to the programs
    said = [r.getMessage() for r in caplog.records if "'R2'" in r.getMessage()]
    assert len(said) == 1 and "kolom matriks 'R-2' mirip" in said[0] and "perlu_kajian" in said[0]
    assert res.programs["status"].iloc[0] == "perlu_kajian"


def test_matrix_columns_differing_only_in_case_are_repeated(tmp_path):
    p = tmp_path / "itbx.csv"
    p.write_text("activity,R-2,r-2\njalan,I,X\n", encoding="utf-8")
    with pytest.raises(RulesError, match="repeated"):
        read_rules(p)


# ---------------------------------------------------------------- 50/50 split
def test_even_split_dominant_zone_is_the_most_restrictive_class():
    # 'K-1' sorts before 'RTH-1', but RTH-1 is X for the activity: the tie goes to RTH-1
    rules = make_rules({"pembangunan_jalan": {"K-1": "I", "RTH-1": "X"}, "taman_kota": {"K-1": "T1", "RTH-1": "T2"}})
    zoning = gdf([{"KODSZN": "K-1", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "RTH-1", "geometry": box(100, 0, 200, 100)}])
    programs = gdf([{"program_id": "A", "kegiatan": "pembangunan_jalan", "geometry": box(50, 10, 150, 90)},
                    {"program_id": "B", "kegiatan": "taman_kota", "geometry": box(50, 10, 150, 90)},
                    {"program_id": "C", "kegiatan": "pembangunan_jalan", "geometry": box(50, 10, 151, 90)}])
    res = sppr_gis.check(zoning, programs, rules)
    # A: 50/50, X beats I; B: 50/50, both T -> by code, K-1; C: RTH-1 has 51/101 -> RTH-1 on share alone
    assert res.programs["dominant_zone"].tolist() == ["RTH-1", "K-1", "RTH-1"]


# ---------------------------------------------------------------- code map: digit prefixes, text
def test_code_map_digit_prefixes_for_dotless_codes(tmp_path):
    m = tmp_path / "kode.csv"
    m.write_text("kode,activity\n41,konstruksi_gedung\n4102,gedung_bukan_hunian\n01,pertanian\n1.03,jalan\n", encoding="utf-8")
    rules = read_rules(_matrix(tmp_path), code_map=m)
    assert rules.activity_for_code("41011") == "konstruksi_gedung"
    assert rules.activity_for_code("41020") == "gedung_bukan_hunian"  # the longest prefix wins
    assert rules.activity_for_code("01111") == "pertanian"  # the leading zero is kept
    assert rules.activity_for_code(41011.0) == "konstruksi_gedung"  # a number read from a workbook
    assert rules.activity_for_code("1.03.10") == "jalan"
    assert rules.activity_for_code("1.030") is None  # dotted codes still match at '.' boundaries
    assert rules.activity_for_code("11111") is None


def test_code_map_xlsx_codes_read_as_text(tmp_path):
    m = tmp_path / "kode.xlsx"
    pd.DataFrame({"kode": ["01", "0112"], "activity": ["pertanian", "padi"]}).to_excel(m, index=False)
    rules = read_rules(_matrix(tmp_path), code_map=m)
    assert rules.activity_for_code("01111") == "pertanian" and rules.activity_for_code("01121") == "padi"


def _matrix(d):
    p = d / "itbx.csv"
    p.write_text("activity,R-2\nkonstruksi_gedung,I\npertanian,I\njalan,I\n", encoding="utf-8")
    return p


# ---------------------------------------------------------------- header row per file
import openpyxl
from pyproj import Transformer

from sppr_gis.io import parse_layer_spec, read_program_sources

TO_LONLAT = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)


def _lonlat(x, y):
    return TO_LONLAT.transform(ORIGIN[0] + x, ORIGIN[1] + y)


@pytest.fixture
def renja(tmp_path):
    """Zoning R-2 | RTH-1, a Renja workbook with three title rows, and a plain CSV."""
    z = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "RTH-1", "geometry": box(100, 0, 200, 100)}])
    pyogrio.write_dataframe(z, tmp_path / "zoning.gpkg", layer="rdtr")
    (tmp_path / "itbx.csv").write_text("activity,R-2,RTH-1\npembangunan_jalan,I,X\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Renja"
    ws.append(["RENCANA KERJA DINAS PENDIDIKAN KOTA CONTOH"])
    ws.append(["TAHUN ANGGARAN 2025"])
    ws.append([])
    ws.append(["program_id", "kegiatan", "bujur", "lintang"])
    ws.append(["D1", "pembangunan_jalan", *_lonlat(50, 50)])
    ws.append(["D2", "pembangunan_jalan", *_lonlat(150, 50)])
    wb.save(tmp_path / "rencana_disdik.xlsx")
    lon, lat = _lonlat(60, 40)
    (tmp_path / "rencana_pupr.csv").write_text(f"program_id,kegiatan,lon,lat\nP1,pembangunan_jalan,{lon},{lat}\n", encoding="utf-8")
    return tmp_path


def test_each_table_finds_its_own_header_row(renja):
    progs = read_program_sources([renja / "rencana_disdik.xlsx", renja / "rencana_pupr.csv"])
    assert progs["program_id"].tolist() == ["D1", "D2", "P1"]
    assert progs.geometry.notna().all()


def test_check_renja_workbook_with_title_rows_and_plain_csv(renja):
    from conftest import invoke as run

    args = ["check", "--zoning", renja / "zoning.gpkg", "--rules", renja / "itbx.csv", "--out", renja / "out.gpkg",
            "--programs", renja / "rencana_disdik.xlsx", "--programs", renja / "rencana_pupr.csv"]
    r = run(CliRunner(), args)
    assert r.exit_code == 0, r.output
    out = pyogrio.read_dataframe(renja / "out.gpkg", layer="programs")
    # by hand: D1 and P1 lie in R-2 (I), D2 in RTH-1 (X)
    assert dict(zip(out["program_id"], out["status"])) == {"D1": "sesuai", "D2": "tidak_sesuai", "P1": "sesuai"}


def test_explicit_header_row_per_file(renja):
    # a header whose names are not the expected ones: only the explicit form finds it
    (renja / "odd.csv").write_text("judul\nid,keg,timur,utara\nQ1,pembangunan_jalan,1,2\n", encoding="utf-8")
    spec = parse_layer_spec(f"{renja / 'odd.csv'}@2")
    assert spec.path == renja / "odd.csv" and spec.header_row == 2
    spec = parse_layer_spec(f"{renja / 'rencana_disdik.xlsx'}:Renja@4")
    assert (spec.layer, spec.header_row) == ("Renja", 4)
    progs = read_program_sources([f"{renja / 'odd.csv'}@2"], id_field="id", xy_fields=("timur", "utara"), assume_crs="EPSG:32648")
    assert progs["id"].tolist() == ["Q1"] and progs.geometry.iloc[0].equals(Point(1, 2))


# ---------------------------------------------------------------- a wrong --assume-crs
def test_assume_geographic_crs_on_projected_shapefile_says_out_of_range(tmp_path):
    z = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}])
    pyogrio.write_dataframe(z.set_crs(None, allow_override=True), tmp_path / "zona.shp")
    (tmp_path / "zona.prj").unlink(missing_ok=True)
    progs = gdf([{"program_id": "A", "kegiatan": "pembangunan_jalan", "geometry": Point(50, 50)}])
    pyogrio.write_dataframe(progs, tmp_path / "p.gpkg")
    (tmp_path / "itbx.csv").write_text("activity,R-2\npembangunan_jalan,I\n", encoding="utf-8")
    r = invoke(CliRunner(), ["check", "--zoning", tmp_path / "zona.shp", "--programs", tmp_path / "p.gpkg", "--rules", tmp_path / "itbx.csv",
                             "--out", tmp_path / "out.gpkg", "--assume-crs", "EPSG:4326"])
    assert r.exit_code == 1
    err = r.stderr
    assert "out of range" in err and "EPSG:4326" in err and "zona.shp" in err
    assert "no zone polygon" not in err and "Traceback" not in err
    assert not (tmp_path / "out.gpkg").exists()


# ---------------------------------------------------------------- site and check: one metric CRS
def test_site_and_check_measure_relocation_in_the_batchs_crs(tmp_path):
    import json

    import geopandas as gpd

    # zoning in lon/lat whose extent centre (107.6 E) is in UTM 48S; the site (108.187 E) lies in UTM 49S
    z = gpd.GeoDataFrame({"KODSZN": ["RTH-1", "R-2"]}, geometry=[box(107.0, -7.0, 108.19, -6.0), box(108.2, -7.0, 108.25, -6.0)], crs=4326)
    pyogrio.write_dataframe(z, tmp_path / "z.gpkg")
    pyogrio.write_dataframe(gpd.GeoDataFrame({"program_id": ["A"], "kegiatan": ["jalan"]}, geometry=[Point(108.187, -6.5)], crs=4326), tmp_path / "p.gpkg")
    (tmp_path / "itbx.csv").write_text("activity,RTH-1,R-2\njalan,X,I\n", encoding="utf-8")
    r = invoke(CliRunner(), ["check", "--zoning", tmp_path / "z.gpkg", "--programs", tmp_path / "p.gpkg", "--rules", tmp_path / "itbx.csv", "--out", tmp_path / "o.gpkg", "-q"])
    assert r.exit_code == 0, r.output
    d_check = float(pyogrio.read_dataframe(tmp_path / "o.gpkg", layer="saran_relokasi")["jarak_m"].iloc[0])
    r = invoke(CliRunner(), ["site", "--zoning", tmp_path / "z.gpkg", "--rules", tmp_path / "itbx.csv", "--kegiatan", "jalan", "--lon", "108.187", "--lat", "-6.5", "--json"])
    assert r.exit_code == 0, r.output
    d_site = json.loads(r.stdout)["saran_relokasi"]["jarak_m"]
    # independently: the distance in UTM 48S (the zoning extent's zone), by shapely on transformed vertices
    def dist(epsg):
        g = gpd.GeoSeries([Point(108.187, -6.5), box(108.2, -7.0, 108.25, -6.0)], crs=4326).to_crs(epsg)
        return g.iloc[0].distance(g.iloc[1])

    assert abs(dist(32748) - dist(32749)) > 0.5  # the two zones do give different answers here
    assert d_site == pytest.approx(dist(32748), abs=1e-6)
    assert d_check == pytest.approx(d_site, abs=1e-9)


# ---------------------------------------------------------------- Matriks 3: programs without a location
def test_programs_without_coordinates_are_not_ranked():
    import geopandas as gpd

    from sppr_gis.matrices import matriks_2, matriks_3

    rows = pd.DataFrame({"program_id": ["A", "B", "C"], "opd": ["x"] * 3, "kegiatan": ["jalan"] * 3, "pagu": [10.0, 99.0, 5.0], "sumber_dana": ["APBD"] * 3,
                         "status": ["sesuai", "perlu_kajian", "sesuai"], "score": [100.0, float("nan"), 100.0],
                         "status_sinkron": ["tidak_terindikasi"] * 3, "ipu_id": [""] * 3})
    year = gpd.GeoDataFrame(rows, geometry=[Point(0, 0), None, Point(1, 1)], crs="EPSG:32748")
    m3 = matriks_3(matriks_2(year, weights={"conformance": 1.0}), thresholds=(70.0, 50.0))
    # by hand: A and C score 100 (sesuai) -> ranked 1, 2 by pagu; B has no geometry -> listed last, not ranked
    assert m3["program_id"].tolist() == ["A", "C", "B"]
    assert m3["peringkat"].tolist()[:2] == [1, 2] and pd.isna(m3["peringkat"].iloc[2])
    assert m3["kelas_prioritas"].tolist() == ["Prioritas I", "Prioritas I", "Tidak dapat diperingkat"]
    assert "tidak dapat diperingkat" in m3["alasan"].iloc[2] and "Prioritas III" not in m3["kelas_prioritas"].tolist()


# ---------------------------------------------------------------- numbers on the console, the Indonesian way
def test_revisi_console_prints_indonesian_numbers(tmp_path):
    import geopandas as gpd

    # old K-1, new R-2 over one rectangle of 4000 m x 3000,5 m = 12.002.000 m² = 1.200,2 ha (by hand)
    rect = box(440_000, 100_000, 444_000, 103_000.5)
    for name, code in (("lama.gpkg", "K-1"), ("baru.gpkg", "R-2")):
        gpd.GeoDataFrame({"KODSZN": [code]}, geometry=[rect], crs="EPSG:32648").to_file(tmp_path / name, driver="GPKG")
    gpd.GeoDataFrame({"program_id": ["P1"], "kegiatan": ["toko"]}, geometry=[Point(441_000, 101_000)], crs="EPSG:32648").to_file(tmp_path / "p.gpkg", driver="GPKG")
    (tmp_path / "itbx.csv").write_text("activity,R-2,K-1\ntoko,T,I\n", encoding="utf-8")
    r = invoke(CliRunner(), ["revisi", "--zoning-lama", tmp_path / "lama.gpkg", "--zoning-baru", tmp_path / "baru.gpkg", "--programs", tmp_path / "p.gpkg",
                             "--rules", tmp_path / "itbx.csv", "--out", tmp_path / "rev.gpkg"])
    assert r.exit_code == 0, r.output
    assert "1.200,20 ha" in r.stdout and "1,200.20" not in r.stdout


def test_console_tables_print_indonesian_numbers():
    import io as _io

    from rich.console import Console
    from sppr_cli.report import print_table

    buf = _io.StringIO()
    print_table(pd.DataFrame({"jumlah": [1234567], "luas_ha": [236.04]}, index=pd.Index(["a"], name="x")), "t", Console(file=buf, width=200))
    text = buf.getvalue()
    assert "1.234.567" in text and "236,04" in text


# ---------------------------------------------------------------- progress of long reads
def test_long_csv_read_reports_progress_per_chunk(tmp_path, monkeypatch):
    import sppr_gis.io.tables as tables
    from sppr_gis.io import read_programs

    monkeypatch.setattr(tables, "CHUNK_ROWS", 10)
    lon, lat = _lonlat(50, 50)
    p = tmp_path / "besar.csv"
    p.write_text("program_id,kegiatan,lon,lat\n" + "".join(f"P{i},jalan,{lon},{lat}\n" for i in range(25)), encoding="utf-8")
    calls = []
    gdf_ = read_programs(p, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert len(gdf_) == 25 and gdf_.geometry.notna().all()
    reading = [(d, t) for s, d, t in calls if s == "membaca besar.csv"]
    placing = [(d, t) for s, d, t in calls if s == "menempatkan lokasi besar.csv"]
    # 25 rows in chunks of 10: read 10, 20, 25 (then the total); placed 0, 10, 20, 25 of 25
    assert reading == [(0, None), (10, None), (20, None), (25, None), (25, 25)]
    assert placing == [(0, 25), (10, 25), (20, 25), (25, 25)]
    assert [s for s, _, _ in calls].index("menempatkan lokasi besar.csv") > [s for s, _, _ in calls].index("membaca besar.csv")


def test_check_cli_prints_read_progress_when_verbose(renja, monkeypatch):
    monkeypatch.setenv("SPPR_LANG", "id")  # the progress line as analysts read it
    r = invoke(CliRunner(), ["check", "--zoning", renja / "zoning.gpkg", "--rules", renja / "itbx.csv", "--out", renja / "out.gpkg",
                             "--programs", renja / "rencana_pupr.csv", "-v"])
    assert r.exit_code == 0, r.output
    assert "membaca rencana_pupr.csv: 1 dari 1 baris" in r.stderr
