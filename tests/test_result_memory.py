"""Issue 18 (peak memory of ``sppr check``): the ``issues`` layer is written from the WKB its findings hold.

The zoning QA keeps a layer's digitizing-noise overlaps as one WKB MultiPolygon (a quarter of a
million parts on 20k digitized zones). :func:`sppr_gis.check` no longer decodes it into the
result's ``issues`` frame: :class:`sppr_gis.io.WkbLayer` keeps the geometries as the findings hold
them, the GeoPackage writer passes that WKB to GDAL as it is, and ``result.issues`` decodes it
only when read. The tests check that nothing is decoded on the way to the file, that the file is
byte for byte the one written from the decoded frame, and that the noise geometry read back is
the overlaps constructed here by hand.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import SAMPLE
from shapely.geometry import GeometryCollection, MultiPolygon, Point, box

from sppr_gis import io, read_rules
from sppr_gis.io import WkbLayer
from sppr_gis.pipeline import check
from sppr_gis.results import _qgis_styles, write_check_result

N = 40  # zones in a row, each redrawn 0.3 m into the one before it
CRS = "EPSG:32748"


def _row_of_zones() -> gpd.GeoDataFrame:
    codes = ["R-2", "K-1"] * (N // 2)
    geoms = [box(i * 100 - (0.3 if i else 0.0), 0, (i + 1) * 100, 100) for i in range(N)]
    return gpd.GeoDataFrame({"KODSZN": codes}, geometry=geoms, crs=CRS)


def _programs() -> gpd.GeoDataFrame:
    pts = [Point(50 + 100 * i, 50) for i in range(0, N, 7)]
    return gpd.GeoDataFrame(
        {"program_id": [f"P{i}" for i in range(len(pts))], "kegiatan": ["pembangunan_jalan"] * len(pts)}, geometry=pts, crs=CRS
    )


def _no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a, **k):
        raise AssertionError("WKB decoded on the way to the file")

    monkeypatch.setattr(shapely, "from_wkb", refuse)


def test_issues_written_from_the_wkb_the_findings_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = check(_row_of_zones(), _programs(), read_rules(str(SAMPLE / "itbx.csv")), workers=1, cache=False)
    held = result.layers(held=True)["issues"]
    assert isinstance(held, WkbLayer)
    noise_row = int(np.flatnonzero(held.table["code"].to_numpy() == "tumpang_tindih_sempit")[0])
    assert isinstance(held.geoms[noise_row], bytes)  # not decoded by check()
    assert "geometry" not in result.issue_table.columns and len(result.issue_table) == len(held)

    with monkeypatch.context() as m:
        _no_decoding(m)
        write_check_result(result, tmp_path / "hasil.gpkg")
    assert isinstance(result.layers(held=True)["issues"], WkbLayer)  # still held: writing read nothing

    # byte for byte what the decoded frame gives (main's path: findings_frame, then the Arrow writer)
    decoded = result.issues
    assert isinstance(decoded, gpd.GeoDataFrame) and result.issues is decoded  # decoded once, then kept
    io.write_gpkg({**result.layers(), "issues": decoded}, tmp_path / "decoded.gpkg", finish=_qgis_styles)
    assert (tmp_path / "hasil.gpkg").read_bytes() == (tmp_path / "decoded.gpkg").read_bytes()

    # the noise geometry read back by GDAL is the 39 strips 0.3 m x 100 m built here
    back = pyogrio.read_dataframe(tmp_path / "hasil.gpkg", layer="issues")
    noise = back.loc[back["code"] == "tumpang_tindih_sempit", "geometry"].iloc[0]
    strips = MultiPolygon([box(i * 100 - 0.3, 0, i * 100, 100) for i in range(1, N)])
    assert noise.area == pytest.approx(0.3 * 100 * (N - 1))
    assert shapely.symmetric_difference(noise, strips).area == pytest.approx(0.0, abs=1e-6)
    pd.testing.assert_frame_equal(back.drop(columns="geometry"), decoded.drop(columns="geometry").astype(object), check_dtype=False)


def _mixed_layer() -> WkbLayer:
    geoms = np.empty(6, dtype=object)
    geoms[:] = [
        box(0, 0, 1, 1),
        shapely.to_wkb(MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5, 5)])),
        None,
        Point(1, 2, 3),
        shapely.to_wkb(Point(7, 8)),
        GeometryCollection(),
    ]
    table = pd.DataFrame({"code": ["a", "b", "c", "d", "e", "f"], "message": pd.array(["x", "y", "", "=1+1", "é", "z"], dtype="string")})
    return WkbLayer(table, geoms, crs=CRS)


def test_wkb_layer_writes_the_bytes_of_its_geodataframe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    layer = _mixed_layer()
    frame = layer.to_geodataframe()
    assert [g is None for g in frame.geometry] == [False, False, True, False, False, False]
    assert frame.geometry.iloc[1].equals(MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5, 5)])) and frame.geometry.iloc[3].has_z
    with monkeypatch.context() as m:
        _no_decoding(m)
        io.write_gpkg({"issues": layer, "after": pd.DataFrame({"n": [1]})}, tmp_path / "held.gpkg")
    io.write_gpkg({"issues": frame, "after": pd.DataFrame({"n": [1]})}, tmp_path / "frame.gpkg")
    assert (tmp_path / "held.gpkg").read_bytes() == (tmp_path / "frame.gpkg").read_bytes()
    # an empty layer and one with a column the fast path does not take: written as their frame
    empty = WkbLayer(layer.table.iloc[:0], layer.geoms[:0], crs=CRS)
    numeric = WkbLayer(layer.table.assign(n=np.arange(6)), layer.geoms, crs=CRS)
    io.write_gpkg({"e": empty, "n": numeric}, tmp_path / "held2.gpkg")
    io.write_gpkg({"e": empty.to_geodataframe(), "n": numeric.to_geodataframe()}, tmp_path / "frame2.gpkg")
    assert (tmp_path / "held2.gpkg").read_bytes() == (tmp_path / "frame2.gpkg").read_bytes()


def test_cache_entry_streamed_array_by_array_is_np_savez(monkeypatch: pytest.MonkeyPatch) -> None:
    """The zoning cache entry is written array by array (each made when the one before was written,
    the WKB never joined in memory): the bytes np.savez writes for the same arrays, and they decode
    to the zones and the noise finding as prepared."""
    import hashlib
    import io as stdio
    import zipfile

    from sppr_gis import cache
    from sppr_gis.pipeline import ZoningInput, prepare_zoning_qa

    monkeypatch.setattr(zipfile.time, "time", lambda: 1700000000.0)  # the archive's member dates: one clock for both
    zinput = ZoningInput(_row_of_zones(), label="zona")
    prepared = prepare_zoning_qa(zinput, workers=1, max_vertices=4096)
    labels = cache.Labels(["zona"])
    streamed = stdio.BytesIO()
    items = cache._arrays("k" * 64, prepared, labels)
    assert not isinstance(items, dict)  # made one after the other
    cache._savez_with_digest(streamed, items)

    whole = {
        name: np.frombuffer(b"".join(v.pieces), dtype=np.uint8) if isinstance(v, cache._Pieces) else v
        for name, v in cache._arrays("k" * 64, prepared, labels)
    }
    expected = stdio.BytesIO()
    expected.write(bytes(32))
    np.savez(expected, **whole)
    payload = expected.getvalue()[32:]
    assert streamed.getvalue() == hashlib.sha256(payload).digest() + payload

    z = np.load(stdio.BytesIO(payload))
    zones = shapely.from_wkb(cache._split(z["zones"], z["zones.n"]))
    assert shapely.equals(zones, np.asarray(prepared.zones.geometry.array)).all()
    noise = [w for w, c in zip(cache._split(z["f.geometry"], z["f.geometry.n"]), cache._get_text(z, "f.code")) if c == "tumpang_tindih_sempit"]
    assert shapely.from_wkb(noise[0]).area == pytest.approx(0.3 * 100 * (N - 1))
