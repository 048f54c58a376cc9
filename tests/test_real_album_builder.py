"""benchmarks/real_album.py reads cahyadsn/wilayah_boundaries' SQL dumps: ``path`` holds rings of ``[lat, lng]``
pairs (latitude first). Checked on constructed rows: the coordinates come out as (lon, lat), a ring inside
another is a hole, a separate ring another part, and only the rows of the wanted code and level are kept."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("real_album", Path(__file__).resolve().parents[1] / "benchmarks" / "real_album.py")
real_album = importlib.util.module_from_spec(spec)
spec.loader.exec_module(real_album)


def _ring(lat0, lng0, d):
    return f"[{lat0},{lng0}],[{lat0},{lng0 + d}],[{lat0 + d},{lng0 + d}],[{lat0 + d},{lng0}],[{lat0},{lng0}]"


SQL = (
    "INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n"
    f"\t('32.73.01.1001','Sukarasa',-6.87,107.58,'[[{_ring(-6.9, 107.5, 0.04)}],[{_ring(-6.89, 107.51, 0.01)}]]'),\n"
    f"\t('32.73.01.1002','Ger''gerkalong',-6.86,107.59,'[[{_ring(-6.9, 107.6, 0.01)}],[{_ring(-6.8, 107.7, 0.01)}]]'),\n"
    f"\t('32.73.01','Sukasari',-6.86,107.59,'[[{_ring(-6.9, 107.6, 0.01)}]]'),\n"
    f"\t('32.76.01.1001','Depok Jaya',-6.4,106.8,'[[{_ring(-6.4, 106.8, 0.01)}]]');\n"
)


def test_rows_of_the_city_and_level_lon_lat_holes_and_parts():
    rows = real_album.parse_rows(SQL, "32.73.", 13)
    assert [(k, n) for k, n, _ in rows] == [("32.73.01.1001", "Sukarasa"), ("32.73.01.1002", "Ger'gerkalong")]
    hole, parts = rows[0][2], rows[1][2]
    minx, miny, maxx, maxy = hole.bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((107.5, -6.9, 107.54, -6.86))  # x = longitude
    assert hole.area == pytest.approx(0.04**2 - 0.01**2)
    assert hole.geom_type == "Polygon" and len(hole.interiors) == 1
    assert parts.geom_type == "MultiPolygon" and parts.area == pytest.approx(2 * 0.01**2)
    assert [k for k, _, _ in real_album.parse_rows(SQL, "32.73.", 8)] == ["32.73.01"]
