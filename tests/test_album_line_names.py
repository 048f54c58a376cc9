"""Names along lines placed as a cartographer would (s5): beside their own line, along its direction, clear of the
other names and inside the city; another line crossed only where no place along the line is clear.

Each name's footprint is rebuilt here from the rendered text (its upright extent, measured from a text of the same
font, turned by its rotation about its centre) and tested against geometry built here or read from the sample's
own files.
"""

from __future__ import annotations

import math

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from conftest import SAMPLE

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sppr_gis.maps.cartography import place_line_labels  # noqa: E402


def _footprint(ax, t):
    """The name's rotated rectangle, in data units."""
    r = ax.figure.canvas.get_renderer()
    probe = ax.text(0, 0, t.get_text(), fontsize=t.get_fontsize(), fontstyle=t.get_fontstyle(), fontweight=t.get_fontweight(), fontfamily=t.get_fontfamily())
    e = probe.get_window_extent(r)
    probe.remove()
    bb = t.get_window_extent(r)
    cx, cy = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
    a = math.radians(t.get_rotation())
    ux, uy, nx, ny = math.cos(a), math.sin(a), -math.sin(a), math.cos(a)
    c = [(cx + sx * ux * e.width / 2 + sy * nx * e.height / 2, cy + sx * uy * e.width / 2 + sy * ny * e.height / 2) for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return shapely.Polygon(ax.transData.inverted().transform(np.asarray(c))), e.height


def _box(ax, t):
    bb = t.get_window_extent(ax.figure.canvas.get_renderer())
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _mpp(ax):
    return (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent().width * 72.0 / ax.figure.dpi)


def _axes(extent=(0, 0, 10_000, 10_000), size=(6, 6)):
    fig = plt.figure(figsize=size, dpi=100)
    ax = fig.add_axes([0.05, 0.05, 0.9, 0.9])
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    return fig, ax


def _draw(ax, line, gid="network"):
    x, y = np.asarray(line.coords).T
    ax.plot(x, y, color="k", linewidth=1.5, gid=gid)


# --------------------------------------------------------------------------- constructed maps


def test_a_name_goes_where_it_crosses_no_other_line():
    """A road crossed by another at its middle: the name stands clear of the crossing road (not at the middle)."""
    fig, ax = _axes()
    road = shapely.LineString([(1000, 5000), (9000, 5000)])
    cross = shapely.LineString([(5000, 1000), (5000, 9000)])
    _draw(ax, road)
    _draw(ax, cross)
    (t,) = place_line_labels(ax, [road], ["Jalan Contoh Panjang"], fontsize=9)
    foot, _ = _footprint(ax, t)
    assert not foot.intersects(cross)
    assert not foot.intersects(road)  # beside its road, not over it
    plt.close(fig)


def test_a_name_takes_the_other_side_of_its_line_when_one_side_is_taken():
    fig, ax = _axes()
    road = shapely.LineString([(1000, 5000), (9000, 5000)])
    _draw(ax, road)
    # a name already printed just above the road over its whole length
    ax.text(5000, 5250, "NAMA KECAMATAN YANG SANGAT PANJANG SEKALI", ha="center", va="center", fontsize=10)
    taken = _box(ax, ax.texts[0])
    (t,) = place_line_labels(ax, [road], ["Jalan Contoh"], fontsize=9)
    foot, _ = _footprint(ax, t)
    assert not foot.intersects(taken)
    assert foot.centroid.y < 5000  # below the road
    plt.close(fig)


def test_a_name_follows_its_line_where_it_stands_and_stays_inside_the_city():
    """A diagonal road along the city's edge: the name is turned as the road, beside it and wholly inside the city."""
    fig, ax = _axes()
    city = shapely.Polygon([(0, 0), (10_000, 0), (10_000, 10_000)])  # the road runs along the hypotenuse
    road = shapely.LineString([(1500, 1400), (8500, 8400)])
    _draw(ax, road)
    (t,) = place_line_labels(ax, [road], ["Jalan Tepi Kota"], fontsize=9, within=city)
    foot, h = _footprint(ax, t)
    assert city.contains(foot)
    assert t.get_rotation() == pytest.approx(45.0, abs=1.0)
    assert foot.distance(road) < 1.5 * h * 72.0 / fig.dpi * _mpp(ax)  # beside it: less than a line's height away
    plt.close(fig)


def test_a_name_on_a_bend_runs_along_the_bend_not_over_its_line():
    """A road with a sharp bend at its middle: the name, set along the part where it stands, does not cover its road."""
    fig, ax = _axes()
    road = shapely.LineString([(1000, 3000), (5000, 3000), (9000, 9000)])
    _draw(ax, road)
    (t,) = place_line_labels(ax, [road], ["Jalan Berkelok"], fontsize=9)
    foot, _ = _footprint(ax, t)
    assert not foot.intersects(road)
    plt.close(fig)


# --------------------------------------------------------------------------- the sample's album


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


@pytest.fixture(scope="module", params=["A3", "A4"])
def pages(request, sample):
    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=request.param)
    return request.param, {"admin": a.page_admin(), "struktur": a.page_struktur()}


def test_line_names_are_beside_their_own_line_along_it_inside_the_city_and_over_no_name(pages):
    paper, got = pages
    net = gpd.read_file(SAMPLE / "struktur_ruang.gpkg")
    kec = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan")
    for name, page in got.items():
        ax = page.ax
        mpp = _mpp(ax)
        city = shapely.union_all(np.asarray(kec.to_crs(page.crs).geometry.array, dtype=object)).buffer(1.0)
        lines = net.to_crs(page.crs)
        labels = [t for t in ax.texts if t.get_gid() == "line-label" and t.get_visible()]
        # (6 on the A4 Peta Administrasi: the names longer than their lines, counted here before, are numbered on
        # Peta 3 instead, and every kelurahan is named there now; the page's note counts the networks it leaves unnamed)
        assert len(labels) >= 6, (paper, name)
        if name == "admin":
            named = net[net["NAMOBJ"].notna()] if "NAMOBJ" in net.columns else net
            note = " ".join(" ".join(t.get_text().split()) for t in page.fig.texts)
            left = len(named) - len(labels)
            assert left == 0 or f"{left} ruas jaringan tidak bernama di peta ini" in note, (paper, left, len(labels))
        others = [_box(ax, t) for t in ax.texts if t.get_visible() and t.get_text() and t.get_gid() != "line-label"]
        feet = []
        for t in labels:
            foot, h = _footprint(ax, t)
            own = shapely.union_all(lines[lines["NAMOBJ"] == t.get_text()].geometry.to_numpy())
            assert city.contains(foot), (paper, name, t.get_text())
            assert not any(foot.intersects(o) for o in others), (paper, name, t.get_text())
            assert not any(foot.intersects(f) for f in feet), (paper, name, t.get_text())
            feet.append(foot)
            # beside its own line: within a line's height of it
            assert foot.distance(own) < 1.5 * h * 72.0 / page.fig.dpi * mpp, (paper, name, t.get_text())
            # along it: the line's direction over the name's length where it stands, within 12 degrees
            part = min(shapely.get_parts(shapely.line_merge(own)), key=lambda p: p.distance(foot.centroid))
            at = part.project(foot.centroid)
            half = foot.exterior.length / 4
            a, b = part.interpolate(max(at - half, 0)), part.interpolate(min(at + half, part.length))
            d = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
            diff = abs((d - t.get_rotation() + 90) % 180 - 90)
            assert diff < 12, (paper, name, t.get_text(), d, t.get_rotation())


# --------------------------------------------------------------------------- kecamatan and kelurahan names clear


def _area_names(ax, layers):
    """The kecamatan and kelurahan names printed on a map (the sample's names, as printed: kecamatan upper case)."""
    kec = {str(n) for n in layers["kecamatan"]["nama"]}
    wanted = kec | {n.upper() for n in kec} | {str(n) for n in layers["kelurahan"]["nama"]}
    return [t for t in ax.texts if t.get_visible() and " ".join(t.get_text().split()) in wanted]


def test_area_names_keep_clear_of_road_names(pages, sample):
    """Medium: a kecamatan or kelurahan name and a road name never touch (1 pt apart at least)."""
    paper, got = pages
    _, layers = sample
    for name, page in got.items():
        ax = page.ax
        gap = 1.0 * _mpp(ax)
        roads = [_footprint(ax, t)[0] for t in ax.texts if t.get_gid() == "line-label" and t.get_visible()]
        names = _area_names(ax, layers)
        assert names, (paper, name)
        for t in names:
            b = _box(ax, t).buffer(gap, join_style="mitre")
            assert not any(b.intersects(f) for f in roads), (paper, name, t.get_text())


def test_area_names_keep_clear_of_callouts(sample):
    """Medium: on the maps with numbered callouts no kecamatan name touches a callout's circle."""
    from sppr_gis.maps import album as album_mod

    _, layers = sample
    for paper in ("A3", "A4"):
        a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=paper)
        for page in (a.page_conformance(), a.page_ipu_period()):
            ax = page.ax
            r = page.fig.canvas.get_renderer()
            inv = ax.transData.inverted()
            circles = []
            for t in ax.texts:
                p = t.get_bbox_patch()
                if t.get_visible() and p is not None and t.get_text().strip().isdigit():
                    bb = p.get_window_extent(r)
                    (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
                    circles.append(shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            assert circles, (paper, page.title)
            for t in _area_names(ax, layers):
                assert not any(_box(ax, t).intersects(c) for c in circles), (paper, page.title, t.get_text())
