"""Review s9 (Kota Bandung Peta 1): kelurahan numbers 2-3.4 mm beyond their kelurahan, inside the neighbouring
kecamatan, with no leader: the box reached into the kelurahan, so the leader (from the box to the area) had no
length and was not drawn. A number whose centre is beyond its area is now tied to it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import shapely  # noqa: E402

from sppr_gis.maps.pages.administrasi import _number_leader  # noqa: E402


def _leaders(ax):
    return [ln for ln in ax.lines if ln.get_gid() == "kel-number-leader"]


def test_a_number_reaching_into_its_area_from_beyond_gets_a_leader_into_it():
    fig, ax = plt.subplots()
    poly = shapely.box(0, 0, 100, 100)
    box = (95.0, 40.0, 125.0, 60.0)  # centre (110, 50): 10 beyond the right edge; the box reaches 5 into the area
    _number_leader(ax, poly, box, "#333333")
    lines = _leaders(ax)
    assert len(lines) == 1
    (x0, x1), (y0, y1) = lines[0].get_xdata(), lines[0].get_ydata()
    start, end = shapely.Point(x0, y0), shapely.Point(x1, y1)
    assert shapely.box(*box).exterior.distance(start) < 1e-6  # from the box's edge
    assert poly.contains(end) and end.x < 95.0  # to a point inside the area, beyond the box
    plt.close(fig)


def test_a_number_centred_in_its_area_gets_none():
    fig, ax = plt.subplots()
    _number_leader(ax, shapely.box(0, 0, 100, 100), (85.0, 40.0, 105.0, 60.0), "#333333")  # centre (95, 50) inside
    assert _leaders(ax) == []
    plt.close(fig)
