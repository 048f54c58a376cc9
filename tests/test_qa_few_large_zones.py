"""The zoning QA on few, huge zones (a province's RTRWP: 69 zones, 890k vertices; issue 18).

Expected values come from geometry built here and from shapely's own pairwise
overlays, buffers and unions, never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import Polygon, box

from sppr_gis import overlay, validate
from sppr_gis.engine import cut_zones
from sppr_gis.validate import (
    OVERLAP_PIECE_VERTICES,
    GeometryRunner,
    dilated_union,
    zone_overlaps,
)


def _dense_box(x0: float, y0: float, x1: float, y1: float, per_side: int) -> Polygon:
    """A box with ``per_side`` vertices on each side (a large piece), all on the box's exact edges."""
    t = np.linspace(0.0, 1.0, per_side, endpoint=False)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(per_side, x1), x1 - (x1 - x0) * t, np.full(per_side, x0)])
    ys = np.concatenate([np.full(per_side, y0), y0 + (y1 - y0) * t, np.full(per_side, y1), y1 - (y1 - y0) * t])
    return Polygon(np.column_stack([xs, ys]))


def test_large_neighbours_sharing_an_edge_are_not_overlaid(monkeypatch):
    # A: a large piece (400 vertices); B shares A's east edge exactly (x = 100); C overlaps A by 10 x 5 m
    a = _dense_box(0, 0, 100, 100, 100)
    assert shapely.get_num_coordinates(a) > OVERLAP_PIECE_VERTICES
    b = box(100, 0, 200, 100)
    c = box(50, -5, 60, 5)
    geoms = np.array([a, b, c], dtype=object)
    # independently: every pair overlaid by shapely; only (A, C) has an area, 50 m² by hand
    for i, j, area in ((0, 1, 0.0), (0, 2, 50.0), (1, 2, 0.0)):
        assert shapely.area(shapely.intersection(geoms[i], geoms[j])) == area
    seen: list[tuple[int, int]] = []
    real = validate.overlap_pairs

    def recording(pieces, i, j):
        seen.extend(zip(i.tolist(), j.tolist()))
        return real(pieces, i, j)

    monkeypatch.setattr(validate, "overlap_pairs", recording)
    ov = zone_overlaps(geoms, 1)
    assert (ov.left.tolist(), ov.right.tolist()) == ([0], [2])
    assert ov.area.tolist() == [50.0]
    # the neighbour sharing the large piece's edge was never overlaid (its intersection is a line)
    assert sorted(tuple(sorted(p)) for p in seen) == [(0, 2)]


def test_large_pieces_whose_interiors_meet_at_one_edge_and_overlap_elsewhere_are_overlaid():
    # B shares most of A's east edge and pokes 1 m into A at its south end: an overlap of 1 x 10 m
    a = _dense_box(0, 0, 100, 100, 100)
    b = Polygon([(100, 0), (200, 0), (200, 100), (100, 100), (100, 10), (99, 10), (99, 0)])
    geoms = np.array([a, b], dtype=object)
    ov = zone_overlaps(geoms, 1)
    assert ov.area.tolist() == [shapely.area(shapely.intersection(a, b))] == [10.0]


@pytest.mark.parametrize("workers", [1, 2])
def test_one_chunk_dilated_union_is_the_same_on_any_number_of_threads(workers):
    rng = np.random.default_rng(18)
    # 15 zones a little apart or overlapping (gaps and overlaps of about 0.3 m)
    zones = np.array(
        [_dense_box(x + dx, y + dy, x + dx + 100, y + dy + 100, 40) for x in range(0, 500, 100) for y in range(0, 300, 100) for dx, dy in [rng.uniform(-0.3, 0.3, 2)]],
        dtype=object,
    )
    # independently: shapely's mitred buffers and their union
    expected = shapely.union_all(shapely.buffer(zones, 0.5, join_style="mitre"))
    got = dilated_union(zones, 0.5, workers)
    assert shapely.to_wkb(got) == shapely.to_wkb(expected)
    assert GeometryRunner(workers).unions([zones], 0.5)[0].equals_exact(expected, tolerance=0)


def test_prepare_zoning_qa_cuts_the_zones_as_the_engine_does():
    import geopandas as gpd

    from sppr_gis.pipeline import prepare_zoning_qa

    zones = gpd.GeoDataFrame(
        {"KODZON": ["A", "B", "C"]},
        geometry=[_dense_box(0, 0, 100, 100, 100), box(100, 0, 200, 100), box(50, -5, 60, 5)],
        crs="EPSG:32748",
    )
    with_cut = prepare_zoning_qa(zones, max_vertices=64, workers=2)
    without = prepare_zoning_qa(zones, workers=2)
    assert without.cut is None
    expected = cut_zones(np.asarray(with_cut.zones.geometry.array, dtype=object), 64)
    assert list(shapely.to_wkb(with_cut.cut.pieces)) == list(shapely.to_wkb(expected.pieces))
    assert with_cut.cut.owner.tolist() == expected.owner.tolist()
    assert [(f.code, f.message) for f in with_cut.findings] == [(f.code, f.message) for f in without.findings]
    overlap = [f for f in with_cut.findings if f.code == "tumpang_tindih_zona"]
    assert len(overlap) == 1 and "seluas 50,0 m²" in overlap[0].message  # 10 x 5 m, by hand


def test_repair_on_threads_gives_the_same_bytes():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    parts = [shapely.affinity.translate(bowtie, 10 * k, 0) for k in range(6)] + [box(100, 100, 110, 110)]
    multi = shapely.MultiPolygon(parts)
    arr = np.array([multi, Polygon([(0, 0), (4, 4), (4, 0), (0, 4)]), shapely.affinity.translate(multi, 0, 50)], dtype=object)
    one = overlay.make_valid_by_parts(arr, workers=1)
    two = overlay.make_valid_by_parts(arr, workers=2)
    assert list(shapely.to_wkb(two)) == list(shapely.to_wkb(one))
    # each bow-tie becomes two triangles of area 1 (by hand): 6 x 2 + 100, and 2 x 4 for the big one
    assert shapely.area(two).tolist() == [112.0, 8.0, 112.0]


def test_few_large_zones_are_unioned_in_bands_of_equal_vertex_counts(monkeypatch):
    # 11 zones: two large ones at the west and east ends (1,200 vertices each), 9 boxes between them
    # (5 vertices each, some cut by the hole); a hole (gap) of 20 x 20 m between four boxes
    monkeypatch.setattr(validate, "UNION_BAND_VERTICES", 1000)
    west, east = _dense_box(0, 0, 100, 300, 300), _dense_box(400, 0, 500, 300, 300)
    small = [box(x, y, x + 100, y + 100) for x in range(100, 400, 100) for y in range(0, 300, 100)]
    hole = box(190, 90, 210, 110)
    zones = np.array([west, *[shapely.difference(z, hole) for z in small], east], dtype=object)
    bands = validate.union_chunks(zones, 2)
    counts = [int(shapely.get_num_coordinates(b).sum()) for b in bands]
    assert len(bands) == 2 and sum(len(b) for b in bands) == len(zones)
    assert min(counts) >= 1201  # one large zone in each band
    # the union in bands covers what shapely's union of the dilated zones covers, with the same hole
    expected = shapely.union_all(shapely.buffer(zones, 0.5, join_style="mitre"))
    got = validate._spatial_union(zones, 0.5, GeometryRunner(2))
    assert abs(got.area - expected.area) <= 1e-6 * expected.area
    holes = [shapely.Polygon(r) for p in shapely.get_parts(got) for r in p.interiors]
    assert len(holes) == 1 and abs(holes[0].area - 19.0 * 19.0) < 1e-6  # the 20 m gap less 0.5 m on each side
    # few small zones stay one band
    monkeypatch.setattr(validate, "UNION_BAND_VERTICES", 10**9)
    assert len(validate.union_chunks(zones, 2)) == 1


def test_few_large_zones_are_unioned_at_once_on_threads_and_in_bands_on_a_cluster(monkeypatch):
    # the zones of the test above: a 20 x 20 m gap between four boxes, two large zones at the ends
    monkeypatch.setattr(validate, "UNION_BAND_VERTICES", 1000)
    west, east = _dense_box(0, 0, 100, 300, 300), _dense_box(400, 0, 500, 300, 300)
    small = [box(x, y, x + 100, y + 100) for x in range(100, 400, 100) for y in range(0, 300, 100)]
    hole = box(190, 90, 210, 110)
    zones = np.array([west, *[shapely.difference(z, hole) for z in small], east], dtype=object)
    # this process's threads: one union of all dilated zones (no bands, no union of bands)
    local = GeometryRunner(2)
    assert [list(b) for b in local.union_bands(zones)] == [list(zones)]
    # a cluster's tasks: bands of about equal vertex counts, as before
    class Banded(GeometryRunner):
        BAND_FEW_LARGE = True

    bands = Banded(2).union_bands(zones)
    assert len(bands) > 1 and sorted(map(id, np.concatenate(bands))) == sorted(map(id, zones))
    # many zones (more than UNION_BAND_ZONES): bands of equal zone counts either way
    monkeypatch.setattr(validate, "UNION_BAND_ZONES", 5)
    assert len(local.union_bands(zones)) == 4
    monkeypatch.setattr(validate, "UNION_BAND_ZONES", 1000)
    # either way the union covers what shapely's union of the dilated zones covers, with the same hole
    expected = shapely.union_all(shapely.buffer(zones, 0.5, join_style="mitre"))
    for runner in (local, Banded(2)):
        got = validate._spatial_union(zones, 0.5, runner)
        assert abs(got.area - expected.area) <= 1e-6 * expected.area
        holes = [shapely.Polygon(r) for p in shapely.get_parts(got) for r in p.interiors]
        assert len(holes) == 1 and abs(holes[0].area - 19.0 * 19.0) < 1e-6  # the 20 m gap less 0.5 m on each side
    # the outer boundary by hand: the 500 x 300 m block grown by 0.5 m on each side (mitred corners)
    assert abs(expected.area - (501.0 * 301.0 - 19.0 * 19.0)) < 1e-6
