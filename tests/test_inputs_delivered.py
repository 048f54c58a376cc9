"""Inputs as agencies deliver them, nothing silently dropped (library and ``sppr check``): multi-layer
sources, several program files, paths holding '=' or ':', zips with subfolders, 'lat, lon' cells,
header rows and sheets, projected coordinates in lon/lat tables, legacy code pages, Rupiah amounts.
The sync config's per-input settings are in test_sync_inputs.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely import LineString, Point, box

import sppr_gis
from conftest import ORIGIN, gdf, invoke, lonlat, write_three_zones
from sppr_gis.errors import AmbiguousLayerError, CRSError, FieldError, LayerError
from sppr_gis.io import list_layers, parse_lat_lon, parse_layer_spec, read_program_sources, read_table

@pytest.fixture
def data(tmp_path):
    """Zoning R-2 | K-1 | RTH-1 (100 m squares side by side) and an ITBX matrix."""
    return write_three_zones(tmp_path)


def check_args(d: Path, zoning, programs, out: str = "out.gpkg", *more) -> list:
    a = ["check", "--rules", d / "itbx.csv", "--out", d / out, *more]
    for z in zoning if isinstance(zoning, list) else [zoning]:
        a += ["--zoning", z]
    for p in programs if isinstance(programs, list) else [programs]:
        a += ["--programs", p]
    return a


def write_programs(d: Path) -> Path:
    """programs.gpkg: layer 'titik' (points, field opd) and layer 'garis' (lines, field OPD)."""
    path = d / "programs.gpkg"
    pts = gdf([{"program_id": "T1", "kegiatan": "taman_kota", "opd": "DLH", "geometry": Point(250, 50)}])
    lines = gdf(
        [
            {"program_id": "J1", "kegiatan": "pembangunan_jalan", "OPD": "PUPR", "geometry": LineString([(10, 50), (90, 50)])},
            {"program_id": "J2", "kegiatan": "pembangunan_jalan", "OPD": "PUPR", "geometry": LineString([(150, 50), (250, 50)])},
        ]
    )
    pyogrio.write_dataframe(pts, path, layer="titik")
    pyogrio.write_dataframe(lines, path, layer="garis")
    return path


# ------------------------------------------------------------------ 1. several layers, none named
def test_gpkg_with_several_layers_and_none_named_is_an_error_listing_them(tmp_path):
    path = tmp_path / "pola.gpkg"
    pyogrio.write_dataframe(gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 10, 10)}]), path, layer="rdtr_subzona")
    pyogrio.write_dataframe(gdf([{"KODKWS": "KL", "geometry": box(0, 0, 20, 20)}, {"KODKWS": "KB", "geometry": box(20, 0, 40, 20)}]), path, layer="rtrw_kawasan")
    with pytest.raises(AmbiguousLayerError, match=r"pola\.gpkg: 2 polygon layers and none named \(rdtr_subzona \(Polygon\), rtrw_kawasan \(Polygon\)\)") as err:
        sppr_gis.read_layer(path, want="polygon")
    assert err.value.layers == ("rdtr_subzona", "rtrw_kawasan")
    assert isinstance(err.value, LayerError)
    with pytest.raises(AmbiguousLayerError):
        sppr_gis.read_programs(path)
    # path.gpkg:layer names one
    got = sppr_gis.read_layer(f"{path}:rtrw_kawasan", want="polygon")
    assert list(got["KODKWS"]) == ["KL", "KB"] and got.attrs["source"] == f"{path}:rtrw_kawasan"


def test_cli_ambiguous_zoning_and_programs_are_usage_errors(runner, data):
    pyogrio.write_dataframe(gdf([{"KODSZN": "K-1", "geometry": box(0, 200, 100, 300)}]), data / "zoning.gpkg", layer="rtrw")
    progs = write_programs(data)
    r = invoke(runner, check_args(data, data / "zoning.gpkg", f"{progs}:titik"))
    assert r.exit_code == 2, r.output
    assert "zoning.gpkg: 2 polygon layers and none named (rdtr (Polygon), rtrw (Polygon))" in r.output
    assert "Traceback" not in r.output and not (data / "out.gpkg").exists()
    r = invoke(runner, check_args(data, f"{data / 'zoning.gpkg'}:rdtr", progs))
    assert r.exit_code == 2, r.output
    assert "programs.gpkg: 2 layers and none named (titik (Point), garis (LineString))" in r.output
    assert not (data / "out.gpkg").exists()


# ------------------------------------------------------------------ 2. several program files
def test_cli_programs_repeatable_are_combined_and_repeated_ids_reported(runner, data):
    progs = write_programs(data)
    x, y = lonlat(150, 50)  # in K-1
    px, py = lonlat(50, 50)  # in R-2
    (data / "opd_dlh.csv").write_text(f"program_id,kegiatan,opd,lon,lat\nT1,taman_kota,DLH,{x:.8f},{y:.8f}\nP9,taman_kota,DLH,{px:.8f},{py:.8f}\n", encoding="utf-8")
    r = invoke(runner, check_args(data, f"{data / 'zoning.gpkg'}:rdtr", [f"{progs}:titik", f"{progs}:garis", data / "opd_dlh.csv"]))
    assert r.exit_code == 0, r.output
    out = gpd.read_file(data / "out.gpkg", layer="programs")
    assert list(out["program_id"]) == ["T1", "J1", "J2", "T1", "P9"]
    # T1 point in RTH-1 (I); J1 all in R-2 (I); J2 half K-1 (T1), half RTH-1 (X); T1 of the CSV in K-1 (I); P9 in R-2 (I)
    assert list(out["status"]) == ["sesuai", "sesuai", "tidak_sesuai", "sesuai", "sesuai"]
    assert list(out["opd"]) == ["DLH", "PUPR", "PUPR", "DLH", "DLH"]  # 'opd' and 'OPD' are one column
    assert "OPD" not in out.columns
    assert list(out["sumber_berkas"]) == [f"{progs}:titik", f"{progs}:garis", f"{progs}:garis", str(data / "opd_dlh.csv"), str(data / "opd_dlh.csv")]
    issues = gpd.read_file(data / "out.gpkg", layer="issues")
    across = issues[issues["code"] == "id_ganda_antar_berkas"]
    assert list(across["feature_id"]) == ["T1"]
    assert across["message"].iloc[0] == f"program_id 'T1' dipakai di 2 berkas: {progs}:titik (1 baris), {data / 'opd_dlh.csv'} (1 baris)"


def test_read_program_sources_library(data):
    progs = write_programs(data)
    (data / "extra.csv").write_text("program_id,kegiatan,wkt\nJ9,pembangunan_jalan,\"LINESTRING (104 1, 104.001 1)\"\n", encoding="utf-8")
    got = read_program_sources([f"{progs}:garis", data / "extra.csv"])
    assert got.crs.to_epsg() == 32648  # the first input's CRS
    assert list(got["program_id"]) == ["J1", "J2", "J9"]
    assert got.geometry.iloc[0].length == pytest.approx(80.0)
    assert got.geometry.iloc[2].length == pytest.approx(111.3, abs=0.5)  # 0.001 deg of longitude near the equator
    assert got.attrs["source"] == f"{progs}:garis + {data / 'extra.csv'}"
    (data / "noid.csv").write_text("kode,kegiatan,lon,lat\nA,taman_kota,104,1\n", encoding="utf-8")
    with pytest.raises(FieldError, match=r"noid\.csv: no field 'program_id'.*--id-field"):
        read_program_sources([f"{progs}:garis", data / "noid.csv"])


# ------------------------------------------------------------------ 3. paths holding '=' or ':'
def test_parse_layer_spec_prefers_existing_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtrw=2024").mkdir()
    (tmp_path / "rtrw=2024" / "zoning.gpkg").write_bytes(b"")
    (tmp_path / "a:b").mkdir()
    (tmp_path / "a:b" / "z.gpkg").write_bytes(b"")
    assert parse_layer_spec("rtrw=2024/zoning.gpkg") == sppr_gis.io.LayerSpec(Path("rtrw=2024/zoning.gpkg"))
    assert parse_layer_spec("rtrw=2024/zoning.gpkg:zona") == sppr_gis.io.LayerSpec(Path("rtrw=2024/zoning.gpkg"), "zona")
    assert parse_layer_spec("rtrw=2024/zoning.gpkg=R-2") == sppr_gis.io.LayerSpec(Path("rtrw=2024/zoning.gpkg"), None, "R-2")
    assert parse_layer_spec("rtrw=2024/zoning.gpkg:zona=R-2") == sppr_gis.io.LayerSpec(Path("rtrw=2024/zoning.gpkg"), "zona", "R-2")
    assert parse_layer_spec("a:b/z.gpkg") == sppr_gis.io.LayerSpec(Path("a:b/z.gpkg"))
    assert parse_layer_spec("a:b/z.gpkg:pola") == sppr_gis.io.LayerSpec(Path("a:b/z.gpkg"), "pola")
    # config paths are relative to the config's folder
    assert parse_layer_spec("z.gpkg:pola", base=tmp_path / "a:b") == sppr_gis.io.LayerSpec(tmp_path / "a:b" / "z.gpkg", "pola")
    # nothing exists: the usual reading, so that "not found" names the file part
    assert parse_layer_spec("nope.gpkg:zona=R-2") == sppr_gis.io.LayerSpec(Path("nope.gpkg"), "zona", "R-2")
    assert parse_layer_spec("x=2024/nope.gpkg") == sppr_gis.io.LayerSpec(Path("x=2024/nope.gpkg"))


def test_cli_zoning_in_a_folder_named_with_equals_sign(runner, data):
    folder = data / "rtrw=2024"
    folder.mkdir()
    (data / "zoning.gpkg").rename(folder / "zoning.gpkg")
    pyogrio.write_dataframe(gdf([{"NAMA": "Koridor", "geometry": box(300, 0, 400, 100)}]), folder / "k:1.shp")
    progs = write_programs(data)
    r = invoke(runner, check_args(data, [folder / "zoning.gpkg", f"{folder / 'k:1.shp'}=K-1"], [f"{progs}:garis"], "out.gpkg", "--id-field", "program_id"))
    assert r.exit_code == 0, r.output
    shares = pyogrio.read_dataframe(data / "out.gpkg", layer="zone_shares")
    j2 = shares[shares.program_id == "J2"].set_index("zone_code")
    assert j2.loc["K-1", "measure"] == pytest.approx(50.0) and j2.loc["RTH-1", "measure"] == pytest.approx(50.0)


# ------------------------------------------------------------------ 4. zips with subfolders
def zip_of_shapefiles(tmp_path: Path, name: str, layers: dict[str, gpd.GeoDataFrame], folder: str = "SHP/RTRW") -> Path:
    work = tmp_path / f"_{name}"
    work.mkdir()
    for stem, frame in layers.items():
        pyogrio.write_dataframe(frame, work / f"{stem}.shp")
    z = tmp_path / name
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(f"{folder}/", "")
        for f in sorted(work.iterdir()):
            zf.write(f, f"{folder}/{f.name}")
        zf.writestr("__MACOSX/SHP/._zona.shp", b"junk")
    return z


def test_zip_with_shapefile_in_a_subfolder(tmp_path):
    zona = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "K-1", "geometry": box(100, 0, 200, 100)}])
    one = zip_of_shapefiles(tmp_path, "data.zip", {"zona": zona})
    got = sppr_gis.read_layer(one, want="polygon")
    assert list(got["KODSZN"]) == ["R-2", "K-1"] and got.geometry.area.sum() == pytest.approx(20000.0)
    jalan = gdf([{"nama": "Jl. A", "geometry": LineString([(0, 0), (10, 0)])}])
    batas = gdf([{"nama": "Kel. X", "geometry": box(0, 0, 500, 500)}])
    two = zip_of_shapefiles(tmp_path, "dua.zip", {"zona": zona, "batas": batas, "jalan": jalan})
    assert [(i.name, i.member) for i in list_layers(two)] == [
        ("batas", "SHP/RTRW/batas.shp"),
        ("jalan", "SHP/RTRW/jalan.shp"),
        ("zona", "SHP/RTRW/zona.shp"),
    ]
    with pytest.raises(AmbiguousLayerError, match=r"dua\.zip: 2 polygon layers and none named \(batas \(Polygon\), zona \(Polygon\)\)"):
        sppr_gis.read_layer(two, want="polygon")
    with pytest.raises(AmbiguousLayerError, match=r"3 layers and none named"):
        sppr_gis.read_layer(two)
    assert list(sppr_gis.read_layer(f"{two}:zona")["KODSZN"]) == ["R-2", "K-1"]
    assert len(sppr_gis.read_layer(f"{two}:SHP/RTRW/jalan.shp")) == 1  # the member's path works too
    with pytest.raises(LayerError, match=r"no layer named 'pola' \(layers: batas, jalan, zona\)"):
        sppr_gis.read_layer(f"{two}:pola")


def test_cli_zip_in_subfolder_and_ambiguous_zip(runner, data):
    zona = gpd.read_file(data / "zoning.gpkg")
    batas = gdf([{"nama": "Kel. X", "geometry": box(0, 0, 500, 500)}])
    one = zip_of_shapefiles(data, "rdtr.zip", {"zona": zona})
    two = zip_of_shapefiles(data, "semua.zip", {"zona": zona, "batas": batas})
    progs = write_programs(data)
    r = invoke(runner, check_args(data, one, f"{progs}:garis"))
    assert r.exit_code == 0, r.output
    assert list(gpd.read_file(data / "out.gpkg", layer="programs")["status"]) == ["sesuai", "tidak_sesuai"]
    r = invoke(runner, check_args(data, two, f"{progs}:garis", "out2.gpkg"))
    assert r.exit_code == 2 and "semua.zip: 2 polygon layers and none named (batas (Polygon), zona (Polygon))" in r.output, r.output
    assert not (data / "out2.gpkg").exists()
    r = invoke(runner, check_args(data, f"{two}:zona", f"{progs}:garis", "out3.gpkg"))
    assert r.exit_code == 0, r.output


def test_parse_lat_lon():
    assert parse_lat_lon("-0.9123, 104.4512") == (-0.9123, 104.4512)
    assert parse_lat_lon("-0.9123;104.4512") == (-0.9123, 104.4512)
    assert parse_lat_lon("-0,9123; 104,4512") == (-0.9123, 104.4512)
    assert parse_lat_lon("-0,9123, 104,4512") == (-0.9123, 104.4512)
    assert parse_lat_lon("-0.9123 104.4512") == (-0.9123, 104.4512)
    lat, lon = parse_lat_lon("0°54'44.3\"S, 104°27'4.3\"E")
    assert lat == pytest.approx(-(54 / 60 + 44.3 / 3600)) and lon == pytest.approx(104 + 27 / 60 + 4.3 / 3600)
    assert all(np.isnan(parse_lat_lon("")))
    for bad in ("-0,9123, 104.4512", "104.4512", "a, b"):
        with pytest.raises(ValueError):
            parse_lat_lon(bad)




# ------------------------------------------------------------------ 7. projected coordinates read as lon/lat
def test_projected_wkt_and_xy_in_a_lon_lat_table_are_refused_by_row(tmp_path):
    p = tmp_path / "renja.csv"
    p.write_text(
        "program_id,wkt,lon,lat\n"
        "A,POINT (104.45 -0.91),,\n"
        "B,\"LINESTRING (450000 9900000, 450100 9900000)\",,\n"
        "C,,450000,9900000\n",
        encoding="utf-8",
    )
    t = sppr_gis.read_programs(p)
    assert t.geometry.iloc[0].equals(Point(104.45, -0.91))
    assert t.geometry.iloc[1] is None and t.geometry.iloc[2] is None
    msgs = {f.feature_id: (f.code, f.message) for f in t.attrs["findings"]}
    assert set(msgs) == {"3", "4"}
    assert msgs["3"] == ("koordinat_di_luar_crs", "baris 3: kolom 'wkt' berisi koordinat 450000, 9900000 di luar rentang WGS 84 (CRS tabel salah?)")
    assert msgs["4"] == ("koordinat_di_luar_crs", "baris 4: bujur 450000, lintang 9900000 di luar rentang WGS 84")
    # every row projected: one error naming the file and the first row
    q = tmp_path / "utm.csv"
    q.write_text("program_id,wkt\nA,POINT (450000 9900000)\nB,POINT (450010 9900000)\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"utm\.csv: row 2: coordinates 450000, 9900000 are out of range for WGS 84 \(lon/lat\), as are all 2 rows; they look projected"):
        sppr_gis.read_programs(q)
    assert sppr_gis.read_programs(q, assume_crs="EPSG:32748").geometry.iloc[1].equals(Point(450010, 9900000))


def test_cli_projected_wkt_table_never_writes_infinity(runner, data):
    px, py = lonlat(50, 50)
    (data / "p.csv").write_text(
        f"program_id,kegiatan,wkt\nA,taman_kota,POINT ({px:.8f} {py:.8f})\nB,taman_kota,POINT ({ORIGIN[0] + 50} {ORIGIN[1] + 50})\n", encoding="utf-8"
    )
    r = invoke(runner, check_args(data, f"{data / 'zoning.gpkg'}:rdtr", data / "p.csv"))
    assert r.exit_code == 0, r.output
    out = gpd.read_file(data / "out.gpkg", layer="programs")
    assert list(out["status"]) == ["sesuai", "perlu_kajian"]
    assert out.geometry.iloc[1] is None
    assert np.isfinite(out.geometry.iloc[0].x)
    issues = gpd.read_file(data / "out.gpkg", layer="issues")
    assert list(issues.loc[issues["code"] == "koordinat_di_luar_crs", "feature_id"]) == ["3"]
    (data / "utm.csv").write_text(f"program_id,kegiatan,wkt\nB,taman_kota,POINT ({ORIGIN[0] + 50} {ORIGIN[1] + 50})\n", encoding="utf-8")
    r = invoke(runner, check_args(data, f"{data / 'zoning.gpkg'}:rdtr", data / "utm.csv", "out2.gpkg"))
    assert r.exit_code == 1 and "utm.csv: row 2: coordinates 440050, 100050 are out of range" in r.output, r.output
    assert "Traceback" not in r.output and not (data / "out2.gpkg").exists()


def test_geographic_layer_with_projected_coordinates_is_refused_by_row(tmp_path):
    lyr = gpd.GeoDataFrame(
        {"program_id": ["A", "B"]}, geometry=[Point(104.45, -0.91), Point(450000, 9900000)], crs="EPSG:4326"
    )
    pyogrio.write_dataframe(lyr, tmp_path / "p.geojson")
    t = sppr_gis.read_programs(tmp_path / "p.geojson")
    assert t.geometry.iloc[1] is None
    assert [(f.feature_id, f.code) for f in t.attrs["findings"]] == [("B", "koordinat_di_luar_crs")]


# ------------------------------------------------------------------ 8. legacy code pages, decimal commas
def test_shapefile_without_cpg_in_windows_1252(tmp_path):
    text = "Kawasan Perumahan Kepadatan Sedang – Jalan Pahlawan ä"
    z = gdf([{"KODSZN": "R-2", "NAMA": text, "geometry": box(0, 0, 10, 10)}])
    pyogrio.write_dataframe(z, tmp_path / "z.shp", encoding="cp1252")
    (tmp_path / "z.cpg").unlink()
    assert (tmp_path / "z.dbf").read_bytes().find(text.encode("cp1252")) > 0
    assert sppr_gis.read_layer(tmp_path / "z.shp")["NAMA"].iloc[0] == text  # recognized: en dash is cp1252
    assert sppr_gis.read_layer(tmp_path / "z.shp", encoding="cp1252")["NAMA"].iloc[0] == text
    # an explicit encoding is obeyed as given (latin-1 has no en dash: U+0096)
    assert sppr_gis.read_layer(tmp_path / "z.shp", encoding="latin-1")["NAMA"].iloc[0] == text.replace("–", "\x96")
    # plain latin-1 text stays as it is; UTF-8 without .cpg is recognized too
    pyogrio.write_dataframe(z.assign(NAMA="Jalan Pahlawan ä"), tmp_path / "l.shp", encoding="ISO-8859-1")
    (tmp_path / "l.cpg").unlink()
    assert sppr_gis.read_layer(tmp_path / "l.shp")["NAMA"].iloc[0] == "Jalan Pahlawan ä"
    pyogrio.write_dataframe(z, tmp_path / "u.shp", encoding="utf-8")
    (tmp_path / "u.cpg").unlink()
    assert sppr_gis.read_layer(tmp_path / "u.shp")["NAMA"].iloc[0] == text


def test_cli_encoding_option(runner, data):
    text = "Kawasan Perumahan Kepadatan Sedang – Jalan Pahlawan ä"
    z = gpd.read_file(data / "zoning.gpkg").assign(NAMA=text)
    pyogrio.write_dataframe(z, data / "z.shp", encoding="cp1252")
    (data / "z.cpg").unlink()
    progs = write_programs(data)
    r = invoke(runner, check_args(data, data / "z.shp", f"{progs}:garis", "out.gpkg", "--encoding", "cp1252"))
    assert r.exit_code == 0, r.output
    r = invoke(runner, check_args(data, data / "z.shp", f"{progs}:garis", "out2.gpkg", "--encoding", "cp9999"))
    assert r.exit_code == 2 and "unknown text encoding 'cp9999'" in r.output


def test_excel_rupiah_with_decimal_comma(tmp_path):
    from sppr_gis.prepare import parse_number

    p = tmp_path / "r.xlsx"
    pd.DataFrame({"program_id": ["A", "B", "C"], "pagu": ["1.250.000,50", "Rp 2.000.000", 750000], "lon": [104.4, 104.4, 104.4], "lat": ["-0,9", "-0,9", "-0,9"]}).to_excel(p, index=False)
    t = read_table(p)
    assert [parse_number(v, thousands_dot=True) for v in t["pagu"]] == [1_250_000.5, 2_000_000.0, 750_000.0]
    assert t.geometry.iloc[0].equals(Point(104.4, -0.9))


def test_combined_programs_keep_whole_numbers_whole(tmp_path):
    import geopandas as gpd
    from shapely import Point

    a = gpd.GeoDataFrame({"program_id": ["A1"], "tahun": [2025], "kode": [13930]}, geometry=[Point(440000, 100000)], crs="EPSG:32648")
    b = gpd.GeoDataFrame({"program_id": ["B1"], "kode": [2401]}, geometry=[Point(440010, 100000)], crs="EPSG:32648")
    a.to_file(tmp_path / "a.gpkg", layer="a")
    b.to_file(tmp_path / "b.gpkg", layer="b")
    got = read_program_sources([tmp_path / "a.gpkg", tmp_path / "b.gpkg"])
    assert got["tahun"].tolist()[0] == 2025 and pd.isna(got["tahun"].tolist()[1])
    assert str(got["tahun"].dtype) == "Int64" and got["kode"].tolist() == [13930, 2401]
    assert str(got.loc[0, "tahun"]) == "2025"  # not '2025.0' in tables and messages
