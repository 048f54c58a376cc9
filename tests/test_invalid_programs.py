"""Programs as agencies deliver them (invalid rings) through the sync's pair tables.

Found by the synthetic country (benchmarks/bench_country.py): the union that gives a
synergy pair its geometry raised a GEOS TopologyException on a bow-tie program.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from sppr_gis.matrices import synergy_pairs


def test_synergy_pair_with_a_bowtie_program():
    # a bow-tie: two 10 x 10 m triangles meeting at (5, 5); repaired it is those two triangles (area 50)
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    assert not bowtie.is_valid
    square = Polygon([(8, 2), (14, 2), (14, 8), (8, 8)])  # overlaps the right triangle
    far = Point(500, 500)
    r = gpd.GeoDataFrame(
        {"program_id": ["A", "B", "C"], "tahun": [2025, 2025, 2025], "opd": ["PUPR", "Perkim", "Dinkes"],
         "kegiatan": ["x", "y", "z"], "pagu": [1.0, 2.0, 3.0]},
        geometry=[bowtie, square, far], crs=32648,
    )
    s = synergy_pairs(r, 2025, distance=10)
    assert list(zip(s["program_id"], s["program_id_2"])) == [("A", "B")]
    g = s.geometry.iloc[0]
    assert g.is_valid
    # by hand: each triangle is 25 m2; the right one (x >= 5) is
    # {(10,0),(10,10),(5,5)}; the square 6 x 6 = 36 m2 overlaps it where x in [8, 10], |y - 5| <= x - 5
    # and y in [2, 8]: for x in [8, 10] the triangle spans y in [10 - x, x] which contains [2, 8] only
    # at x >= 8, so the overlap is the 2 x 6 strip = 12 m2. Union = 25 + 25 + 36 - 12 = 74 m2.
    assert g.area == pytest.approx(74.0, abs=1e-9)
    assert shapely.equals(g, shapely.union(shapely.make_valid(bowtie), square))
