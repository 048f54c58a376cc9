"""Issue 18: the zoning's extent (the programs' CRS sanity check, kept in the cache's alias) is taken from
each layer's densified bounding box, not from reprojecting every vertex; it must still hold the
reprojected zoning, and stay as tight as the old one up to the densification's error."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS, Transformer
from shapely.geometry import Polygon

from sppr_gis.crs import zoning_extent


def _ring(lon0: float, lat0: float, n: int = 400) -> Polygon:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return Polygon(np.c_[lon0 + 0.9 * np.cos(t), lat0 + 0.6 * np.sin(t)])


@pytest.mark.parametrize("lon0, lat0", [(107.6, -6.9), (105.1, -0.5), (126.5, 3.8)])
def test_extent_holds_every_reprojected_vertex(lon0: float, lat0: float) -> None:
    a, b = _ring(lon0, lat0), _ring(lon0 + 1.5, lat0 - 0.4, 37)
    frames = [gpd.GeoDataFrame(geometry=[a], crs="EPSG:4326"), gpd.GeoDataFrame(geometry=[b], crs="EPSG:4326")]
    zcrs, metric, bounds = zoning_extent(frames)
    assert zcrs == CRS.from_epsg(4326) and metric.utm_zone is not None
    tr = Transformer.from_crs("EPSG:4326", metric, always_xy=True)  # every vertex, by hand: the reference
    for geom, got in zip([a, b], bounds, strict=True):
        x, y = tr.transform(*np.asarray(geom.exterior.coords).T)
        want = np.array([x.min(), y.min(), x.max(), y.max()])
        assert got[0] <= want[0] + 1e-6 and got[1] <= want[1] + 1e-6 and got[2] >= want[2] - 1e-6 and got[3] >= want[3] - 1e-6
        # not looser than the box's curvature: within 0.5% of the extent's size (hundreds of metres on 200 km)
        assert np.all(np.abs(got - want) <= 0.005 * max(want[2] - want[0], want[3] - want[1]))


def test_extent_in_a_metric_crs_is_the_layers_bounds() -> None:
    poly = Polygon([(500000, 9000000), (512345, 9000000), (512345, 9023456), (500000, 9023456)])
    _, metric, bounds = zoning_extent(gpd.GeoDataFrame(geometry=[poly], crs="EPSG:32748"))
    assert metric == CRS.from_epsg(32748)
    np.testing.assert_array_equal(bounds, [[500000, 9000000, 512345, 9023456]])


def test_extent_skips_layers_without_geometry() -> None:
    full = gpd.GeoDataFrame(geometry=[_ring(107.6, -6.9)], crs="EPSG:4326")
    empty = gpd.GeoDataFrame(geometry=[None], crs="EPSG:4326")
    _, _, bounds = zoning_extent([full, empty])
    assert bounds.shape == (1, 4) and np.isfinite(bounds).all()
