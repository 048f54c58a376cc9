"""Reading a GeoJSON layer: one parse of the file, not two (issue 18, the real provincial RTRW workload).

On the West Java RTRWP (a 42 MB GeoJSON of 890k vertices) listing the file's layers before reading
it cost GDAL a full parse of its own: a third of the read. A GeoJSON file holds one layer, so
``read_layer`` reads it without the listing; everything else (the frame, the label, the errors) is
as with the listing.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import Polygon

from sppr_gis.errors import InputError, LayerError
from sppr_gis.io import vector
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
