"""What is read is what was meant (issue 17, cases 9, 14, 17, 19): a text column named like a geometry,
a QGIS ``fid`` column, time-zone-aware times in an XLSX output, a feature GEOS cannot parse, formulas
without saved values, a year without programs, a layer whose name holds '='."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pyogrio.raw
import pytest
import shapely
from click.testing import CliRunner
from shapely import Point, box

from conftest import ORIGIN, gdf, invoke, lonlat, write_three_zones
from sppr_gis.io import parse_layer_spec, read_layer, read_programs

@pytest.fixture
def data(tmp_path):
    """Zoning R-2 | K-1 | RTH-1 (100 m squares side by side) and an ITBX matrix."""
    return write_three_zones(tmp_path)


def check(d: Path, programs, *more, zoning=None) -> object:
    args = ["check", "--rules", d / "itbx.csv", "--out", d / "out.gpkg", *more]
    for z in zoning or [d / "zoning.gpkg"]:
        args += ["--zoning", z]
    for p in programs if isinstance(programs, list) else [programs]:
        args += ["--programs", p]
    return invoke(CliRunner(), args)


def layer(path: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer=name)


# ---------------------------------------------------------------- 9. a text column named like a geometry


def test_free_text_geometry_column_does_not_hide_lon_lat(data):
    """lon/lat plus a 'geometry' column of free text: the points come from lon/lat and the text stays."""
    (lon1, lat1), (lon2, lat2) = lonlat(50, 50), lonlat(150, 50)
    (data / "p.csv").write_text(
        "program_id,kegiatan,lon,lat,geometry\n"
        f"A,taman_kota,{lon1:.8f},{lat1:.8f},jalan lingkungan RT 02\n"
        f"B,pembangunan_jalan,{lon2:.8f},{lat2:.8f},saluran samping\n",
        encoding="utf-8",
    )
    g = read_programs(data / "p.csv")
    assert [(round(p.x, 8), round(p.y, 8)) for p in g.geometry] == [(round(lon1, 8), round(lat1, 8)), (round(lon2, 8), round(lat2, 8))]
    assert list(g["geometry_input"]) == ["jalan lingkungan RT 02", "saluran samping"]
    assert g.attrs["findings"] == []
    r = check(data, data / "p.csv")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    # by hand: A in R-2 (taman_kota I) -> sesuai; B in K-1 (pembangunan_jalan T1) -> sesuai_bersyarat
    assert list(out["status"]) == ["sesuai", "sesuai_bersyarat"]
    assert list(out["geometry_input"]) == ["jalan lingkungan RT 02", "saluran samping"]


@pytest.mark.parametrize("name", ["geom", "GEOMETRI"])
def test_free_text_geom_column_kept_in_the_geopackage(data, name):
    """A text column 'geom' (the GeoPackage's own geometry column name) or 'GEOMETRI' is kept as an attribute."""
    lon, lat = lonlat(50, 50)
    (data / "p.csv").write_text(f"program_id,kegiatan,lon,lat,{name}\nA,taman_kota,{lon:.8f},{lat:.8f},lihat sketsa\n", encoding="utf-8")
    r = check(data, data / "p.csv")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["status"]) == ["sesuai"]
    kept = "geom_input" if name == "geom" else name
    assert list(out[kept]) == ["lihat sketsa"]


def test_mixed_wkt_column(data):
    """Some values of the 'wkt' column parse, some do not: WKT where it parses; elsewhere lon/lat where
    given (a warning), and an error row where nothing locates the row."""
    lon_a, lat_a = lonlat(250, 50)  # RTH-1: the WKT says so, lon/lat are overridden
    lon_r, lat_r = lonlat(50, 50)
    lon_b, lat_b = lonlat(150, 50)
    (data / "p.csv").write_text(
        "program_id,kegiatan,lon,lat,wkt\n"
        f"A,taman_kota,{lon_r:.8f},{lat_r:.8f},POINT ({lon_a:.8f} {lat_a:.8f})\n"
        f"B,pembangunan_jalan,{lon_b:.8f},{lat_b:.8f},lihat gambar\n"
        "C,pembangunan_jalan,,,tidak tahu\n",
        encoding="utf-8",
    )
    g = read_programs(data / "p.csv")
    assert g.geometry.iloc[0].equals(Point(round(lon_a, 8), round(lat_a, 8)))
    assert g.geometry.iloc[1].equals(Point(round(lon_b, 8), round(lat_b, 8)))
    assert g.geometry.iloc[2] is None
    got = {(f.feature_id, f.severity, f.code) for f in g.attrs["findings"]}
    assert got == {("3", "warning", "wkt_tidak_valid"), ("4", "error", "wkt_tidak_valid")}
    r = check(data, data / "p.csv")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["status"]) == ["sesuai", "sesuai_bersyarat", "perlu_kajian"]


# ---------------------------------------------------------------- 14. fid columns, zoned times


def test_qgis_fid_column_in_check(data):
    (lon1, lat1), (lon2, lat2) = lonlat(50, 50), lonlat(150, 50)
    (data / "p.csv").write_text(
        f"fid,program_id,kegiatan,lon,lat\n7,A,taman_kota,{lon1:.8f},{lat1:.8f}\n7,B,pembangunan_jalan,{lon2:.8f},{lat2:.8f}\n", encoding="utf-8"
    )
    r = check(data, data / "p.csv", "--tables", data / "t.csv")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["fid_input"]) == ["7", "7"]
    assert list(out["status"]) == ["sesuai", "sesuai_bersyarat"]
    assert list(pd.read_csv(data / "t_programs.csv", dtype=str)["fid"]) == ["7", "7"]


def test_zoned_datetimes_in_xlsx_tables(data):
    """Times with a UTC offset: written to XLSX as text with their offset (an Excel cell has no zone)."""
    when = pd.Timestamp("2025-03-01T10:00:00+07:00")
    p = gdf([{"program_id": "A", "kegiatan": "taman_kota", "diperbarui": when, "geometry": Point(50, 50)}])
    assert isinstance(p["diperbarui"].dtype, pd.DatetimeTZDtype)
    pyogrio.write_dataframe(p, data / "p.gpkg")
    r = check(data, data / "p.gpkg", "--tables", data / "t.xlsx")
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(data / "t.xlsx")["programs"]
    head = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=head.index("diperbarui") + 1).value
    assert isinstance(cell, str)
    assert pd.Timestamp(cell).tzinfo is not None and pd.Timestamp(cell) == when


# ---------------------------------------------------------------- 17. a feature GEOS cannot parse


def wkb_polygon(ring: list[tuple[float, float]]) -> bytes:
    """WKB of a one-ring polygon exactly as given (unclosed if the ring is)."""
    return struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", *p) for p in ring)


def wkb_line(points: list[tuple[float, float]]) -> bytes:
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(struct.pack("<dd", *p) for p in points)


def test_broken_features_in_geojson_programs(data):
    """A one-vertex line and an unclosed ring: reported one by one, the rest read, every row kept."""
    (a, b), (c, d) = lonlat(50, 50), lonlat(150, 50)
    ring = [lonlat(10, 10), lonlat(20, 10), lonlat(20, 20), lonlat(10, 20)]  # no closing vertex

    def feat(pid, kegiatan, geom):
        return {"type": "Feature", "properties": {"program_id": pid, "kegiatan": kegiatan}, "geometry": geom}

    fc = {
        "type": "FeatureCollection",
        "features": [
            feat("A", "taman_kota", {"type": "Point", "coordinates": [a, b]}),
            feat("B", "pembangunan_jalan", {"type": "LineString", "coordinates": [[c, d]]}),
            feat("C", "taman_kota", {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}),
            feat("D", "pembangunan_jalan", {"type": "Point", "coordinates": [c, d]}),
        ],
    }
    (data / "p.geojson").write_text(json.dumps(fc), encoding="utf-8")
    r = check(data, data / "p.geojson")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["program_id"]) == ["A", "B", "C", "D"]
    assert list(out["status"]) == ["sesuai", "perlu_kajian", "perlu_kajian", "sesuai_bersyarat"]
    assert out.geometry.iloc[1] is None and out.geometry.iloc[2] is None
    assert "tidak dapat dibaca" in out["keterangan"].iloc[1]
    iss = layer(data / "out.gpkg", "issues")
    bad = iss[iss["code"] == "geometri_tak_terbaca"]
    assert list(bad["feature_id"]) == ["B", "C"]
    assert set(bad["severity"]) == {"error"}
    assert all("p.geojson" in s for s in bad["layer"])
    assert "fitur ke-2" in bad["message"].iloc[0] and "fitur ke-3" in bad["message"].iloc[1]


def test_broken_feature_in_gpkg_zoning(data):
    """A zoning feature with an unclosed ring: an error row naming it; the other zones are used."""
    o = np.array(ORIGIN)
    good = [shapely.box(*(o + (0, 0)), *(o + (100, 100))).wkb, shapely.box(*(o + (200, 0)), *(o + (300, 100))).wkb]
    broken = wkb_polygon([tuple(o + p) for p in [(100, 0), (200, 0), (200, 100), (100, 100)]])
    pyogrio.raw.write(
        data / "z.gpkg", np.array([good[0], broken, good[1]], dtype=object), [np.array(["R-2", "K-1", "RTH-1"], dtype=object)], ["KODSZN"],
        layer="rdtr", driver="GPKG", geometry_type="Polygon", crs="EPSG:32648",
    )
    with pytest.raises(Exception):  # the layer really holds a feature GEOS refuses
        pyogrio.read_dataframe(data / "z.gpkg")
    p = gdf([{"program_id": "A", "kegiatan": "taman_kota", "geometry": Point(50, 50)}, {"program_id": "B", "kegiatan": "taman_kota", "geometry": Point(150, 50)}])
    pyogrio.write_dataframe(p, data / "p.gpkg")
    r = check(data, data / "p.gpkg", zoning=[data / "z.gpkg"])
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    # A in R-2 (I) -> sesuai; B where the unreadable K-1 was: no zone -> perlu_kajian
    assert list(out["status"]) == ["sesuai", "perlu_kajian"]
    iss = layer(data / "out.gpkg", "issues")
    bad = iss[iss["code"] == "geometri_tak_terbaca"]
    assert len(bad) == 1 and bad["severity"].iloc[0] == "error" and bad["feature_id"].iloc[0] == "#2"
    assert "z.gpkg" in bad["layer"].iloc[0] and "fid 2" in bad["message"].iloc[0] and "'rdtr'" in bad["message"].iloc[0]
    z = read_layer(data / "z.gpkg")
    assert len(z) == 3 and z.geometry.iloc[1] is None and z.geometry.iloc[0].equals(shapely.from_wkb(good[0]))


def test_broken_line_in_gpkg_read_layer(tmp_path):
    """The same through read_layer for a one-vertex line in a GeoPackage; a null geometry is not a finding."""
    pyogrio.raw.write(
        tmp_path / "l.gpkg", np.array([wkb_line([(0, 0), (1, 1)]), wkb_line([(5, 5)]), None], dtype=object),
        [np.array(["a", "b", "c"], dtype=object)], ["nama"], layer="jalan", driver="GPKG", geometry_type="LineString", crs="EPSG:32648",
    )
    g = read_layer(tmp_path / "l.gpkg")
    assert list(g["nama"]) == ["a", "b", "c"]
    assert [f.feature_id for f in g.attrs["findings"]] == ["#2"]
    assert g.attrs["findings"][0].row == 1


# ---------------------------------------------------------------- 19. formulas without saved values


def workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Renja"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def save_values(path: Path, values: dict[str, float]) -> None:
    """What Excel does on saving: each formula cell gets its computed value beside it."""
    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    xml = items["xl/worksheets/sheet1.xml"].decode()
    for cell, v in values.items():
        xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\g<1><v>{v}</v>", xml)
        assert n == 1, cell
    items["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in items.items():
            zf.writestr(n, b)


def test_formulas_without_saved_values_are_reported(data):
    (lon1, lat1), (lon2, lat2) = lonlat(50, 50), lonlat(150, 50)
    workbook(
        data / "p.xlsx",
        [
            ["program_id", "kegiatan", "pagu", "lon", "lat"],
            ["A", "taman_kota", "=1000*2", lon1, lat1],
            ["B", "pembangunan_jalan", 500, f"={lon2}+0", lat2],
        ],
    )
    g = read_programs(data / "p.xlsx")
    fnd = [f for f in g.attrs["findings"] if f.code == "rumus_tanpa_nilai"]
    assert [(f.feature_id, f.severity) for f in fnd] == [("2", "error"), ("3", "error")]
    assert "Renja!C2" in fnd[0].message and "'pagu'" in fnd[0].message
    assert "Renja!D3" in fnd[1].message and "'lon'" in fnd[1].message
    assert not any(f.code == "koordinat_kosong" for f in g.attrs["findings"])  # the formula is the reason
    r = check(data, data / "p.xlsx")
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["status"]) == ["sesuai", "perlu_kajian"]
    assert "rumus" in out["keterangan"].iloc[1]
    iss = layer(data / "out.gpkg", "issues")
    assert (iss["code"] == "rumus_tanpa_nilai").sum() == 2


def test_formulas_with_saved_values_read_as_values(data):
    lon, lat = lonlat(50, 50)
    path = workbook(data / "p.xlsx", [["program_id", "kegiatan", "pagu", "lon", "lat"], ["A", "taman_kota", "=1000*2", lon, lat]])
    save_values(path, {"C2": 2000})
    g = read_programs(path)
    assert g["pagu"].iloc[0] == 2000
    assert g.attrs["findings"] == []


def test_coordinates_all_formulas_is_one_clear_error(data):
    lon, lat = lonlat(50, 50)
    workbook(data / "p.xlsx", [["program_id", "kegiatan", "lon", "lat"], ["A", "taman_kota", f"={lon}", f"={lat}"], ["B", "taman_kota", f"={lon}", f"={lat}"]])
    r = check(data, data / "p.xlsx")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "p.xlsx" in lines[0] and "'lon'" in lines[0] and "Renja!C2" in lines[0] and "recalculate" in lines[0]
    assert not (data / "out.gpkg").exists()


# ---------------------------------------------------------------- 19. a layer named x=y


def test_layer_named_with_equals(data):
    """'f.gpkg:zona=baru' names the layer 'zona=baru' when there is one; 'f.gpkg:zona=RTH-1' still gives a code."""
    pyogrio.write_dataframe(gdf([{"KODSZN": "K-1", "geometry": box(0, 0, 300, 100)}]), data / "z.gpkg", layer="zona=baru")
    pyogrio.write_dataframe(gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 300, 100)}]), data / "z.gpkg", layer="zona")
    spec = parse_layer_spec(f"{data / 'z.gpkg'}:zona=baru")
    assert (spec.layer, spec.code) == ("zona=baru", None)
    spec = parse_layer_spec(f"{data / 'z.gpkg'}:zona=RTH-1")
    assert (spec.layer, spec.code) == ("zona", "RTH-1")
    spec = parse_layer_spec(f"{data / 'z.gpkg'}:zona=baru=RTH-1")
    assert (spec.layer, spec.code) == ("zona=baru", "RTH-1")
    p = gdf([{"program_id": "A", "kegiatan": "pembangunan_jalan", "geometry": Point(50, 50)}])
    pyogrio.write_dataframe(p, data / "p.gpkg")
    r = check(data, data / "p.gpkg", zoning=[f"{data / 'z.gpkg'}:zona=baru"])
    assert r.exit_code == 0, r.output
    assert list(layer(data / "out.gpkg", "programs")["dominant_zone"]) == ["K-1"]  # the layer zona=baru
    r = check(data, data / "p.gpkg", zoning=[f"{data / 'z.gpkg'}:zona=RTH-1"])
    assert r.exit_code == 0, r.output
    out = layer(data / "out.gpkg", "programs")
    assert list(out["dominant_zone"]) == ["RTH-1"] and list(out["status"]) == ["tidak_sesuai"]  # layer zona, code RTH-1


# ---------------------------------------------------------------- sync: fid, broken feature, formulas, an empty year


def sync_world(tmp_path: Path, messy: bool = True) -> Path:
    """Zoning R-2 | RTH-1, an IPU, rencana 2025 in a CSV (with a QGIS 'fid' column when ``messy``) and a
    GeoJSON (a one-vertex line when ``messy``, else a point)."""
    w = tmp_path / "world"
    w.mkdir()
    pyogrio.write_dataframe(gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "RTH-1", "geometry": box(100, 0, 200, 100)}]), w / "zona.gpkg")
    (w / "itbx.csv").write_text("activity,R-2,RTH-1\npuskesmas,I,X\n", encoding="utf-8")
    ipu = gdf([{"ipu_id": "IPU-1", "program": "Puskesmas", "kegiatan": "puskesmas", "tahun_mulai": 2024, "tahun_akhir": 2026, "geometry": Point(50, 50)}])
    pyogrio.write_dataframe(ipu, w / "ipu.gpkg")
    (lon1, lat1), (lon2, lat2) = lonlat(50, 50), lonlat(150, 50)
    csv = f"fid,program_id,tahun,opd,kegiatan,pagu,lon,lat\n1,P-1,2025,Dinkes,puskesmas,1000,{lon1:.8f},{lat1:.8f}\n2,P-2,2025,Dinkes,puskesmas,2000,{lon2:.8f},{lat2:.8f}\n"
    (w / "renja.csv").write_text(csv if messy else csv.replace("\n1,", "\n").replace("\n2,", "\n").replace("fid,", ""), encoding="utf-8")
    line = {"type": "LineString", "coordinates": [[lon1, lat1]]} if messy else {"type": "Point", "coordinates": [lon1, lat1]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"program_id": "P-3", "tahun": 2025, "opd": "PUPR", "kegiatan": "puskesmas", "pagu": 5},
         "geometry": line},
    ]}
    (w / "renja_pupr.geojson").write_text(json.dumps(fc), encoding="utf-8")
    (w / "sppr.toml").write_text(
        '[inputs]\nzoning = "zona.gpkg"\nrules = "itbx.csv"\nindikasi_program = "ipu.gpkg"\nrencana = ["renja.csv", "renja_pupr.geojson"]\n', encoding="utf-8"
    )
    return w


def test_sync_fid_column_and_broken_feature(tmp_path):
    w = sync_world(tmp_path)
    r = invoke(CliRunner(), ["sync", "--config", w / "sppr.toml", "--year", "2025", "--out", tmp_path / "out", "--no-maps", "-q"])
    assert r.exit_code == 0, r.output
    ren = layer(tmp_path / "out" / "2025" / "sppr.gpkg", "rencana")
    assert list(ren["program_id"]) == ["P-1", "P-2", "P-3"]
    assert list(ren["fid_input"].astype(str)) == ["1", "2", "None"] or list(ren["fid_input"].fillna("").astype(str)) == ["1", "2", ""]
    assert list(ren["status"]) == ["sesuai", "tidak_sesuai", "perlu_kajian"]
    iss = layer(tmp_path / "out" / "2025" / "sppr.gpkg", "issues")
    bad = iss[iss["code"] == "geometri_tak_terbaca"]
    assert list(bad["feature_id"]) == ["P-3"] and list(bad["severity"]) == ["error"] and "renja_pupr.geojson" in bad["layer"].iloc[0]


def test_sync_year_without_programs_is_said(tmp_path):
    """--years 2025-2026 where the rencana hold only 2025: exit 0 (the IPU status of 2026 is still an
    answer), one warning line naming 2026 and the rencana files, an issues row, a manifest note."""
    w = sync_world(tmp_path, messy=False)
    env = {**os.environ, "SPPR_LANG": "en"}
    r = subprocess.run(
        [sys.executable, "-m", "sppr_cli", "sync", "--config", str(w / "sppr.toml"), "--years", "2025-2026", "--out", str(tmp_path / "out"), "--no-maps"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert r.returncode == 0, r.stderr
    said = [ln for ln in r.stderr.splitlines() if "2026" in ln and "no rencana program" in ln]
    assert len(said) == 1 and "renja.csv" in said[0] and "renja_pupr.geojson" in said[0]
    assert not any("2025: no rencana program" in ln for ln in r.stderr.splitlines())
    iss = layer(tmp_path / "out" / "2026" / "sppr.gpkg", "issues")
    note = iss[iss["code"] == "tahun_tanpa_program"]
    assert len(note) == 1 and note["severity"].iloc[0] == "warning" and "2026" in note["message"].iloc[0]
    man = json.loads((tmp_path / "out" / "2026" / "manifest.json").read_text(encoding="utf-8"))
    assert len(man["catatan"]) == 1 and "2026" in man["catatan"][0]
    assert json.loads((tmp_path / "out" / "2025" / "manifest.json").read_text(encoding="utf-8"))["catatan"] == []


def test_gdal_says_nothing_of_a_feature_the_issues_name(tmp_path, recwarn):
    """Analyst s9: GDAL's English "Non closed ring detected. To avoid accepting it, set the
    OGR_GEOMETRY_ACCEPT_UNCLOSED_RING ..." reached the analyst with no file named, beside the issue row that says
    it properly (geometri_tak_terbaca, fitur ke-2): the read that fails on it keeps GDAL's warning to itself."""
    ring = [[106.0, -6.0], [106.001, -6.0], [106.001, -6.001], [106.0, -6.001]]  # no closing vertex
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "Point", "coordinates": [106.0, -6.0]}},
        {"type": "Feature", "properties": {"id": "C"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}
    (tmp_path / "p.geojson").write_text(json.dumps(fc), encoding="utf-8")
    z = read_layer(tmp_path / "p.geojson")
    assert len(z) == 2 and z.geometry.iloc[1] is None
    assert not [w for w in recwarn if "closed ring" in str(w.message).lower()], [str(w.message) for w in recwarn]


def test_a_log_line_speaks_the_readers_language(monkeypatch):
    """Analyst s9: log lines read "WARNING sppr_gis.maps.album: ..."; they read "Peringatan: ..." (the logger's
    name only when the library logs at DEBUG, -v)."""
    import logging

    from sppr_cli.main import _ReaderFormatter

    monkeypatch.setenv("SPPR_LANG", "id")
    rec = logging.LogRecord("sppr_gis.maps.album", logging.WARNING, __file__, 1, "album.tempat: tidak diisi", None, None)
    lib = logging.getLogger("sppr_gis")
    before = lib.level
    try:
        lib.setLevel(logging.WARNING)
        assert _ReaderFormatter().format(rec) == "Peringatan: album.tempat: tidak diisi"
        lib.setLevel(logging.DEBUG)
        assert _ReaderFormatter().format(rec) == "Peringatan sppr_gis.maps.album: album.tempat: tidak diisi"
        monkeypatch.setenv("SPPR_LANG", "en")
        lib.setLevel(logging.WARNING)
        assert _ReaderFormatter().format(rec) == "Warning: album.tempat: tidak diisi"
    finally:
        lib.setLevel(before)
