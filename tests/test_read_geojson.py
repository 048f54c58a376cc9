"""Reading a GeoJSON layer: one parse of the file, not two, and a large plain one parsed by orjson
(issue 18, the real provincial RTRW workload).

On the West Java RTRWP (a 42 MB GeoJSON of 890k vertices) listing the file's layers before reading
it cost GDAL a full parse of its own: a third of the read. A GeoJSON file holds one layer, so
``read_layer`` reads it without the listing; everything else (the frame, the label, the errors) is
as with the listing.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from sppr_gis.errors import InputError, LayerError
from sppr_gis.io import read_geojson, vector
from sppr_gis.io.read_geojson import read_plain_geojson
from sppr_gis.io.vector import read_layer


def _zones() -> gpd.GeoDataFrame:
    # a bow-tie (invalid ring) and a square, in EPSG:4326 like the RTRWP files
    bow = Polygon([(107.0, -6.9), (107.01, -6.89), (107.01, -6.9), (107.0, -6.89)])
    sq = Polygon([(107.02, -6.9), (107.03, -6.9), (107.03, -6.89), (107.02, -6.89)])
    return gpd.GeoDataFrame({"NAMOBJ": ["Kawasan Permukiman", "Badan Air"]}, geometry=[bow, sq], crs="EPSG:4326")


@pytest.fixture
def count_listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = pyogrio.list_layers

    def spy(path, *a, **k):
        calls.append(str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(vector.pyogrio, "list_layers", spy)
    return calls


@pytest.mark.parametrize("suffix", [".geojson", ".json"])
def test_geojson_read_without_listing(tmp_path: Path, count_listings: list[str], suffix: str) -> None:
    path = tmp_path / f"rtrwp{suffix}"
    _zones().to_file(path, driver="GeoJSON", engine="pyogrio")
    got = read_layer(path, want="polygon")
    assert count_listings == []
    # the same frame as pyogrio reads it directly (an independent reader call), 2-D
    want = pyogrio.read_dataframe(path)
    assert list(got["NAMOBJ"]) == list(want["NAMOBJ"])
    assert shapely.to_wkb(got.geometry.values).tolist() == shapely.to_wkb(want.geometry.values).tolist()
    assert got.crs.to_epsg() == 4326
    assert got.attrs["source"] == str(path)


def test_named_layer_and_topojson_still_listed(tmp_path: Path, count_listings: list[str]) -> None:
    path = tmp_path / "rtrwp.geojson"
    _zones().to_file(path, driver="GeoJSON", engine="pyogrio")
    name = pyogrio.list_layers(path)[0][0]
    count_listings.clear()
    got = read_layer(f"{path}:{name}")
    assert count_listings == [str(path)] and len(got) == 2
    with pytest.raises(LayerError, match="no_such_layer"):
        read_layer(f"{path}:no_such_layer")
    # a TopoJSON .json may hold several layers: listed as before
    topo = tmp_path / "topo.json"
    topo.write_text(json.dumps({"type": "Topology", "objects": {"a": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0]]}]}}, "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}))  # fmt: skip
    count_listings.clear()
    try:
        read_layer(topo, assume_crs="EPSG:4326")
    except InputError:
        pass
    assert count_listings == [str(topo)]


def test_unreadable_geojson_same_error_as_listing(tmp_path: Path) -> None:
    bad = tmp_path / "rusak.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [ {"type": "Feat')
    # the error the listing gives for this file (what read_layer said before the shortcut)
    with pytest.raises(InputError) as listed:
        vector.list_layers(bad)
    with pytest.raises(InputError) as read:
        read_layer(bad)
    assert str(read.value) == str(listed.value)
    assert "\n" not in str(read.value)


# ----------------------------------------------------------------------------- the fast reader of plain GeoJSON
# (sppr_gis.io.read_geojson: orjson and shapely.from_ragged_array; issue 18, the RTRWP's read on one core)



def _pyogrio_2d(path: Path) -> gpd.GeoDataFrame:
    """The independent reading: GDAL's GeoJSON driver through pyogrio, made 2-D as read_layer makes it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL's "too many members in array"
        df = pyogrio.read_dataframe(path)
    return df.set_geometry(shapely.force_2d(df.geometry.values))


def _assert_same(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(want.drop(columns="geometry")), check_dtype=True)
    assert got.crs == want.crs
    g, w = np.asarray(got.geometry.values, dtype=object), np.asarray(want.geometry.values, dtype=object)
    assert shapely.is_missing(g).tolist() == shapely.is_missing(w).tolist()
    have = ~shapely.is_missing(w)
    assert shapely.get_type_id(g[have]).tolist() == shapely.get_type_id(w[have]).tolist()
    assert np.asarray(shapely.equals_exact(g[have], w[have], tolerance=0.0)).all()
    assert shapely.to_wkb(g[have]).tolist() == shapely.to_wkb(w[have]).tolist()  # same vertex order, ring orientation


def _rtrwp_like() -> dict:
    """The shape of the real RTRWP file: a CRS84 member, integer feature ids, Polygons and MultiPolygons
    with holes and a bow-tie, positions ``[x, y, 0, null]``, integers, reals and text with nulls."""
    def ring(x, y, d, bow=False):
        pts = [[x, y], [x + d, y + d], [x + d, y], [x, y + d]] if bow else [[x, y], [x + d, y], [x + d, y + d], [x, y + d]]
        return [[px, py, 0, None] for px, py in pts + [pts[0]]]

    hole = [[107.0030, -6.8970, 0, None], [107.0030, -6.8950, 0, None], [107.0050, -6.8950, 0, None], [107.0030, -6.8970, 0, None]]
    geoms = [
        {"type": "Polygon", "coordinates": [ring(107.0, -6.9, 0.01), hole]},
        {"type": "MultiPolygon", "coordinates": [[ring(107.02, -6.9, 0.01)], [ring(107.04, -6.9, 0.01, bow=True)]]},
        None,
        {"type": "MultiPolygon", "coordinates": [[ring(107.06, -6.9, 0.01)]]},
    ]
    props = [
        {"FID": 0, "OBJECTID": 1, "NAMOBJ": "Badan Air", "Shape_Area": 0.00101817309671, "KABKOT": "Kab Majalengka", "BIG": 2**40},
        {"FID": 1, "OBJECTID": None, "NAMOBJ": "Kawasan Permukiman", "Shape_Area": 2, "KABKOT": None, "BIG": 3},
        {"FID": 2, "OBJECTID": 3, "NAMOBJ": "Hutan Lindung", "Shape_Area": 1.5, "KABKOT": "Kota Bandung", "BIG": -(2**40)},
        {"FID": 3, "OBJECTID": 4, "NAMOBJ": "Sempadan Pantai", "Shape_Area": None, "KABKOT": "Kab Garut", "BIG": 7},
    ]
    return {
        "type": "FeatureCollection", "name": "rtrwp", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [{"type": "Feature", "id": i, "properties": p, "geometry": g} for i, (p, g) in enumerate(zip(props, geoms))],
    }  # fmt: skip


def test_plain_geojson_read_fast_as_pyogrio_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "rtrwp.geojson"
    path.write_text(json.dumps(_rtrwp_like()))
    got = read_plain_geojson(path, min_bytes=0)
    assert got is not None  # the plain case is read here, not left to pyogrio
    _assert_same(got, _pyogrio_2d(path))


def test_read_layer_uses_the_fast_reader_with_the_same_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rtrwp.geojson"
    path.write_text(json.dumps(_rtrwp_like()))
    calls: list[Path] = []
    real = read_plain_geojson

    def spy(p, min_bytes=0):
        calls.append(Path(p))
        return real(p, min_bytes=0)

    monkeypatch.setattr(vector, "read_plain_geojson", spy)
    got = read_layer(path, want="polygon")
    assert calls == [path]
    _assert_same(got.drop(columns=[]), _pyogrio_2d(path))
    assert got.attrs["source"] == str(path)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(crs={"type": "name", "properties": {"name": "EPSG:3857"}}),  # another CRS
        lambda d: d["features"][0].update(id="a"),  # a text id: GDAL makes it a column
        lambda d: d["features"][0]["properties"].update(flag=True),  # booleans
        lambda d: d["features"][0]["properties"].update(tgl="2024-01-05"),  # GDAL reads dates as dates
        lambda d: d["features"][1]["properties"].update(NAMOBJ=5),  # text and numbers mixed
        lambda d: d["features"][0].update(geometry={"type": "Point", "coordinates": [107.0, -6.9]}),
        lambda d: d["features"][0].update(geometry={"type": "GeometryCollection", "geometries": []}),
        lambda d: d["features"][0]["geometry"]["coordinates"][0].pop(),  # an unclosed ring
        lambda d: d["features"][0].update(properties=dict(reversed(list(d["features"][0]["properties"].items())))),  # keys reordered
        lambda d: d.update(foreign="member"),
    ],
)
def test_anything_else_is_left_to_pyogrio(tmp_path: Path, change) -> None:
    data = _rtrwp_like()
    change(data)
    path = tmp_path / "lain.geojson"
    path.write_text(json.dumps(data))
    assert read_plain_geojson(path, min_bytes=0) is None


def test_small_files_and_no_orjson_left_to_pyogrio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rtrwp.geojson"
    path.write_text(json.dumps(_rtrwp_like()))
    assert path.stat().st_size < read_geojson.MIN_BYTES and read_plain_geojson(path) is None
    monkeypatch.setitem(__import__("sys").modules, "orjson", None)  # import orjson then fails
    assert read_plain_geojson(path, min_bytes=0) is None


_coord = st.floats(min_value=-180, max_value=180, allow_nan=False, allow_infinity=False, width=64)
_value = st.one_of(
    st.none(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.integers(min_value=-(2**31) - 2, max_value=2**31 + 2),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2024-01-05", "2024/01/05 10:00:00", "10:30", "1-2", "Kab. Bogor", "", " ", "5", "1e3", "ÄŸ"]),
    st.booleans(),
)


@st.composite
def _ring(draw, closed: bool = True) -> list:
    pts = draw(st.lists(st.tuples(_coord, _coord), min_size=3, max_size=7))
    dims = draw(st.sampled_from(["2", "3", "4"]))
    pts = pts + [pts[0]] if closed else pts
    return [[x, y] if dims == "2" else [x, y, 0.0] if dims == "3" else [x, y, 0, None] for x, y in pts]


_polygon = st.lists(_ring(), min_size=1, max_size=3)
_geometry = st.one_of(
    st.none(),
    _polygon.map(lambda p: {"type": "Polygon", "coordinates": p}),
    st.lists(_polygon, min_size=1, max_size=3).map(lambda m: {"type": "MultiPolygon", "coordinates": m}),
)


@st.composite
def _collection(draw) -> dict:
    n = draw(st.integers(min_value=1, max_value=6))
    keys = draw(st.lists(st.sampled_from(["a", "B", "nama", "kode", "id", "A", "luas"]), unique=True, max_size=4))
    same_order = draw(st.booleans())
    features = []
    for i in range(n):
        ks = keys if same_order else draw(st.permutations(keys))
        props = draw(st.one_of(st.none(), st.just({}), st.fixed_dictionaries({k: _value for k in ks})))
        if props:
            props = {k: props[k] for k in ks}
        f = {"type": "Feature", "properties": props, "geometry": draw(_geometry)}
        fid = draw(st.sampled_from([None, "int", "text"]))
        if fid == "int":
            f["id"] = i
        elif fid == "text":
            f["id"] = f"f{i}"
        features.append(f)
    data = {"type": "FeatureCollection", "features": features}
    crs = draw(st.sampled_from([None, "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "OGC:CRS84", "CRS84", "EPSG:3857"]))
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=_collection())
def test_messy_geojson_read_fast_or_left_to_pyogrio(tmp_path: Path, data: dict) -> None:
    path = tmp_path / "acak.geojson"
    path.write_text(json.dumps(data))
    got = read_plain_geojson(path, min_bytes=0)
    try:
        want = _pyogrio_2d(path)
    except Exception:  # noqa: BLE001 - what GDAL or GEOS cannot read is not read here either
        assert got is None
        return
    event("read here" if got is not None else "left to pyogrio")
    if got is not None:
        _assert_same(got, want)
