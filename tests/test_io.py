"""Inputs as agencies deliver them: many vector formats, legacy encodings, coordinate tables."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely import LineString, Point, box

import sppr_gis
from conftest import gdf
from sppr_gis.errors import CRSError, FieldError, InputError, LayerError
from sppr_gis.io.tables import parse_coordinate


@pytest.fixture
def zoning():
    return gdf(
        [
            {"KODSZN": "R-2", "NAMSZN": "Perumahan Kepadatan Tinggi", "geometry": box(0, 0, 100, 100)},
            {"KODSZN": "RTH-2", "NAMSZN": "Taman Kota Séngkuang", "geometry": box(100, 0, 200, 100)},
        ]
    )


def assert_same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame):
    # FlatGeobuf's spatial index reorders features: compare in code order
    a, b = a.sort_values("KODSZN").reset_index(drop=True), b.sort_values("KODSZN").reset_index(drop=True)
    assert list(a["KODSZN"]) == list(b["KODSZN"])
    assert list(a["NAMSZN"]) == list(b["NAMSZN"])
    b = b.to_crs(a.crs)
    np.testing.assert_allclose(a.geometry.area, b.geometry.area, rtol=1e-6)


@pytest.mark.parametrize("suffix, driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf"), (".shp", "ESRI Shapefile")])
def test_vector_formats_read_back(tmp_path, zoning, suffix, driver):
    path = tmp_path / f"z{suffix}"
    pyogrio.write_dataframe(zoning, path, driver=driver)
    assert_same(zoning, sppr_gis.read_layer(path, want="polygon"))


def test_geoparquet(tmp_path, zoning):
    path = tmp_path / "z.parquet"
    zoning.to_parquet(path)
    assert_same(zoning, sppr_gis.read_layer(path))


def test_kml_is_read_in_wgs84(tmp_path, zoning):
    path = tmp_path / "z.kml"
    pyogrio.write_dataframe(zoning.to_crs(4326), path, driver="KML")
    back = sppr_gis.read_layer(path)
    assert back.crs.to_epsg() == 4326
    np.testing.assert_allclose(back.to_crs(zoning.crs).geometry.area, zoning.geometry.area, rtol=1e-6)


def test_zipped_shapefile_with_cp1252_dbf(tmp_path, zoning):
    shp = tmp_path / "rth.shp"
    pyogrio.write_dataframe(zoning, shp, encoding="cp1252")
    assert (tmp_path / "rth.dbf").read_bytes().find("Séngkuang".encode("cp1252")) > 0
    (tmp_path / "rth.cpg").write_text("1252")
    z = tmp_path / "rth.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            zf.write(tmp_path / f"rth.{ext}", f"rth.{ext}")
    back = sppr_gis.read_layer(z)
    assert_same(zoning, back)
    # without the .cpg the caller names the code page
    (tmp_path / "rth.cpg").unlink()
    assert sppr_gis.read_layer(shp, encoding="cp1252")["NAMSZN"][1] == "Taman Kota Séngkuang"


def test_gpkg_layer_choice(tmp_path, zoning):
    path = tmp_path / "many.gpkg"
    pts = gdf([{"program_id": "A", "geometry": Point(1, 1)}])
    pyogrio.write_dataframe(pts, path, layer="titik")
    pyogrio.write_dataframe(zoning, path, layer="zona")
    assert len(sppr_gis.read_layer(path, want="polygon")) == 2  # the only polygon layer
    with pytest.raises(LayerError, match=r"2 layers and none named \(titik \(Point\), zona \(Polygon\)\)"):
        sppr_gis.read_layer(path)  # any of two: never one silently
    assert len(sppr_gis.read_layer(f"{path}:titik")) == 1
    with pytest.raises(LayerError, match="no layer named 'nope'.*titik, zona"):
        sppr_gis.read_layer(f"{path}:nope")


@pytest.mark.filterwarnings("ignore:.crs. was not provided")  # the test writes a layer without a CRS on purpose
def test_layer_without_crs_is_an_error_unless_assumed(tmp_path, zoning):
    path = tmp_path / "nocrs.shp"
    pyogrio.write_dataframe(zoning.set_crs(None, allow_override=True), path)
    with pytest.raises(CRSError, match=r"nocrs\.shp.*no CRS.*--assume-crs"):
        sppr_gis.read_layer(path)
    assert sppr_gis.read_layer(path, assume_crs="EPSG:32648").crs.to_epsg() == 32648


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        sppr_gis.read_layer(tmp_path / "nope.gpkg")
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(InputError, match="bad.gpkg"):
        sppr_gis.read_layer(bad)


@pytest.mark.parametrize(
    "text, value",
    [
        ("104,4521", 104.4521),
        ("104.4521", 104.4521),
        ("-0,9", -0.9),
        (104.5, 104.5),
        ("104°27'07.5\"E", 104 + 27 / 60 + 7.5 / 3600),
        ("0°55'12\" S", -(55 / 60 + 12 / 3600)),
        ("", float("nan")),
        # the hemisphere right after the seconds is not a seconds sign
        ("0 55 12 S", -(55 / 60 + 12 / 3600)),
        ("7°47'13S", -(7 + 47 / 60 + 13 / 3600)),
        # Indonesian: Lintang Selatan / Utara, Bujur Timur / Barat, before or after, decimal minutes
        ("110°24'10,5\" BT", 110 + 24 / 60 + 10.5 / 3600),
        ("7°47'13\" LS", -(7 + 47 / 60 + 13 / 3600)),
        ("LS 7°47,5'", -(7 + 47.5 / 60)),
        ("0°55' LU", 55 / 60),
        ("106° 49' 30\" BB", -(106 + 49 / 60 + 30 / 3600)),
        # blanks separate degrees, minutes and seconds; a minus on zero degrees still counts
        ("-0 55 12", -(55 / 60 + 12 / 3600)),
    ],
)
def test_parse_coordinate(text, value):
    got = parse_coordinate(text)
    assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value)


def test_csv_with_comma_decimals_semicolons_swapped_and_bad_rows(tmp_path):
    p = tmp_path / "renja.csv"
    p.write_text(
        "program_id;kegiatan;Bujur;Lintang\n"
        "P1;puskesmas;104,4521;0,9187\n"
        "P2;puskesmas;0,9187;104,4521\n"  # swapped
        "P3;puskesmas;abc;0,9\n"  # not a number
        "P4;puskesmas;;\n",  # blank
        encoding="utf-8",
    )
    t = sppr_gis.read_programs(p)
    assert len(t) == 4 and t.crs.to_epsg() == 4326
    assert t.geometry[0].equals(Point(104.4521, 0.9187))
    assert t.geometry[1:].isna().all()
    codes = {f.feature_id: f.code for f in t.attrs["findings"]}
    assert codes == {"3": "koordinat_di_luar_crs", "4": "koordinat_tidak_valid", "5": "koordinat_kosong"}
    assert "tertukar" in t.attrs["findings"][0].message


def test_xlsx_with_named_columns_and_wkt(tmp_path):
    p = tmp_path / "renja.xlsx"
    df = pd.DataFrame(
        {
            "program_id": ["A", "B"],
            "X_UTM": [440010.0, None],
            "Y_UTM": [100010.0, None],
            "wkt": [None, LineString([(440000, 100000), (440050, 100000)]).wkt],
        }
    )
    with pd.ExcelWriter(p) as xw:
        df.to_excel(xw, sheet_name="Renja", index=False)
    t = sppr_gis.read_programs(p, xy_fields=("X_UTM", "Y_UTM"), assume_crs="EPSG:32648", sheet="Renja")
    assert t.crs.to_epsg() == 32648
    assert t.geometry[0].equals(Point(440010, 100010)) and t.geometry[1].length == pytest.approx(50)
    with pytest.raises(InputError, match="no sheet named 'Nope'.*Renja"):
        sppr_gis.read_programs(p, sheet="Nope")


def test_table_without_coordinates_names_the_columns(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("program_id,kegiatan,alamat\nP1,jalan,Jl. Merdeka\n", encoding="utf-8")
    with pytest.raises(FieldError, match=r"t\.csv: no coordinate columns.*program_id, kegiatan, alamat"):
        sppr_gis.read_programs(p)
    with pytest.raises(FieldError, match="no column 'LON'"):
        sppr_gis.read_programs(p, xy_fields=("LON", "LAT"))


def test_geographic_zoning_is_measured_in_utm(zoning):
    from sppr_gis.crs import metric_crs

    assert metric_crs(zoning.to_crs(4326)).to_epsg() == 32648
    south = gpd.GeoDataFrame(geometry=[box(110.3, -7.9, 110.5, -7.7)], crs=4326)  # Yogyakarta: UTM 49S
    assert metric_crs(south).to_epsg() == 32749


def test_fiona_engine_reads_the_same(tmp_path, zoning):
    pytest.importorskip("fiona", reason="fiona is the optional alternative engine (extra 'fiona')")
    path = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(zoning, path, layer="zona")
    assert_same(sppr_gis.read_layer(f"{path}:zona"), sppr_gis.read_layer(f"{path}:zona", engine="fiona"))


def test_xlsx_tables_never_hold_a_cut_geometry(tmp_path):
    import geopandas as gpd
    import openpyxl
    import shapely

    from sppr_gis.io import write_tables

    big = shapely.Point(440000, 100000).buffer(500, quad_segs=2000)  # ~8,000 vertices: WKT > 32,767 characters
    small = shapely.box(0, 0, 1, 1)
    layer = gpd.GeoDataFrame({"program_id": ["BIG", "SMALL"]}, geometry=[big, small], crs="EPSG:32648")
    write_tables({"programs": layer}, tmp_path / "t.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[1][1] == "(geometri lebih dari 32.767 karakter; lihat GeoPackage atau CSV)"
    assert shapely.from_wkt(rows[2][1]).equals(small)
    write_tables({"programs": layer}, tmp_path / "t.csv")  # CSV has no limit: the whole WKT
    csv = pd.read_csv(tmp_path / "t_programs.csv")
    assert shapely.from_wkt(csv["wkt"][0]).equals_exact(big, 1e-6)
