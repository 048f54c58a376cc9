"""Review s7 (issue 19), Kota Bandung Peta 1, 2 and 13: the kecamatan boundary was drawn as loose dash-dot
fragments, with gaps. Real boundary data are digitised area by area: two neighbours' common edge is two lines a
few metres (or decimetres) apart that cross each other every few vertices, and the union of the areas' boundaries
was hundreds of short pieces, each restarting the dash pattern (Bandung: 997 pieces for 30 kecamatan, 402 under
100 m). The boundary of a shared edge is now one line from junction to junction, sliver gaps narrower than the
line drawn closed.

Constructed data: squares whose common edge each digitised with its own 0.3 m jitter, or 2 m apart; the
expected lines (count, lengths) are computed here from the squares' sides.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
import shapely.affinity

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sppr_gis.maps import album as album_mod  # noqa: E402
from sppr_gis.maps.cartography.draw import boundary_lines, draw_outline  # noqa: E402
from sppr_gis.maps.cartography.labels import OUTLINE_GID  # noqa: E402

CRS = "EPSG:32748"
S = 1000.0  # side of a square, m


def _jittered(x: float, y0: float, y1: float, rng: np.random.Generator, amp: float = 0.3, n: int = 51) -> np.ndarray:
    """A vertical edge x = ``x`` from ``y0`` to ``y1`` digitised with ``n`` vertices, each off by up to ``amp`` m
    across it (ends exact: they are corners other areas share too)."""
    ys = np.linspace(y0, y1, n)
    xs = x + rng.uniform(-amp, amp, n)
    xs[0] = xs[-1] = x
    return np.c_[xs, ys]


def _two_squares(seed: int = 1) -> list[shapely.Polygon]:
    """Squares [0, S]² and [S, 2S] x [0, S]; each digitised its common edge x = S itself (0.3 m jitter)."""
    rng = np.random.default_rng(seed)
    ea, eb = _jittered(S, 0, S, rng), _jittered(S, 0, S, rng)
    a = shapely.Polygon([(0, 0), *map(tuple, ea), (0, S)])
    b = shapely.Polygon([(S, 0), (2 * S, 0), (2 * S, S), *map(tuple, eb[::-1][:-1])])
    assert a.is_valid and b.is_valid
    # the two edges really are apart: their union is many pieces (what main drew)
    assert len(shapely.get_parts(shapely.line_merge(shapely.union_all([a.boundary, b.boundary])))) > 20
    return [a, b]


def _lengths(series: gpd.GeoSeries) -> np.ndarray:
    return np.sort(np.asarray(series.length, dtype=float))


def test_common_edge_digitised_twice_is_one_line():
    lines = boundary_lines(gpd.GeoSeries(_two_squares(), crs=CRS), tolerance=5.0)
    got = _lengths(lines)
    # the outline of the 2S x S rectangle, cut at the two ends of the common edge: two pieces of S + S + S, and
    # the common edge once, of length S (one of the two jittered edges: at most sqrt(20² + 0.6²) per 20 m step)
    assert len(got) == 3, got
    assert got[2] == pytest.approx(3 * S, abs=1.0) and got[1] == pytest.approx(3 * S, abs=1.0)
    assert S <= got[0] <= 50 * np.hypot(S / 50, 0.6)


def test_sliver_gap_narrower_than_the_line_is_closed_and_a_wider_one_is_not():
    # A and B side by side with a 2 m gap between them, C over both and D under both: the gap is a sliver inside
    a = shapely.box(0, 0, S, S)
    b = shapely.box(S + 2.0, 0, 2 * S + 2.0, S)
    c = shapely.box(0, S, 2 * S + 2.0, 2 * S)
    d = shapely.box(0, -S, 2 * S + 2.0, 0)
    areas = gpd.GeoSeries([a, b, c, d], crs=CRS)
    w = 2 * S + 2.0
    lines = boundary_lines(areas, tolerance=5.0)
    # closed: the outline of the w x 3S rectangle, the lines y = 0 and y = S across it, and one line between A and B
    # (x = S or S + 2), each cut at the junctions: 4 outline pieces, 2 + 2 across, 1 between
    assert len(lines) == 9, _lengths(lines)
    assert float(lines.length.sum()) == pytest.approx(2 * w + 6 * S + 2 * w + S, abs=0.01)
    between = [q for q in lines if S - 0.01 <= q.centroid.x <= S + 2.01 and np.ptp(shapely.get_coordinates(q)[:, 0]) < 0.01]
    assert len(between) == 1 and between[0].length == pytest.approx(S, abs=0.01)
    # a gap wider than the tolerance is a real gap: both its sides drawn
    apart = boundary_lines(areas, tolerance=1.0)
    assert float(apart.length.sum()) == pytest.approx(2 * w + 6 * S + 2 * w + 2 * S, abs=0.01)


def test_kelurahan_edges_along_the_kecamatan_boundary_are_not_drawn_beside_it():
    # kecamatan: the two squares (common edge digitised each its own way); kelurahan: each square halved at y = S/2,
    # with its own digitising of the same edge x = S (another 0.3 m jitter)
    kec = _two_squares(seed=1)
    rng = np.random.default_rng(7)
    kel = []
    for x0 in (0.0, S):
        for y0 in (0.0, S / 2):
            e = _jittered(S, y0, y0 + S / 2, rng, n=26)
            if x0 == 0:
                kel.append(shapely.Polygon([(0, y0), *map(tuple, e), (0, y0 + S / 2)]))
            else:
                kel.append(shapely.Polygon([(S, y0), (2 * S, y0), (2 * S, y0 + S / 2), *map(tuple, e[::-1][:-1])]))
    tol = 5.0
    from sppr_gis.maps.cartography.draw import clean_areas

    under = shapely.union_all(shapely.boundary(clean_areas(np.asarray(kec, dtype=object), tol)))
    lines = boundary_lines(gpd.GeoSeries(kel, crs=CRS), minus=under, tolerance=tol)
    # what is left are the two halving lines y = S/2, 0 <= x <= S and S <= x <= 2S, reaching the kecamatan line
    got = _lengths(lines)
    assert len(got) == 2, got
    assert got == pytest.approx([S, S], abs=1.0)
    for q in lines:
        ys = shapely.get_coordinates(q)[:, 1]
        assert np.allclose(ys, S / 2, atol=0.3)  # (its end on the kecamatan line, jittered 0.3 m)


def _outline_paths(ax) -> list[np.ndarray]:
    return [p.vertices for c in ax.collections if c.get_gid() == OUTLINE_GID for p in c.get_paths()]


def test_drawn_outline_at_map_scale_has_no_piece_shorter_than_a_dash_period():
    # a 2 x 2 block of kecamatan whose every common edge was digitised twice, drawn at 1 : 50.000 on A4 width
    rng = np.random.default_rng(3)
    x = [0.0, S, 2 * S]
    polys = []
    for i in range(2):
        for j in range(2):
            x0, x1, y0, y1 = x[i], x[i + 1], x[j], x[j + 1]
            # each square digitises all four edges itself (the city's edge too, harmlessly)
            left, right = _jittered(x0, y0, y1, rng), _jittered(x1, y0, y1, rng)
            bottom = _jittered(y0, x0, x1, rng)[:, ::-1]
            top = _jittered(y1, x0, x1, rng)[:, ::-1]
            ring = [*map(tuple, bottom), *map(tuple, right[1:]), *map(tuple, top[::-1][1:]), *map(tuple, left[::-1][1:-1])]
            polys.append(shapely.Polygon(ring).buffer(0))
    fig = plt.figure(figsize=(8.27, 11.69), dpi=72)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    width_in = 0.8 * 8.27
    span = 50_000 * width_in * 0.0254  # metres across the axes at 1 : 50.000
    ax.set_xlim(S - span / 2, S + span / 2)
    ax.set_ylim(S - span / 2, S + span / 2)
    draw_outline(ax, gpd.GeoDataFrame(geometry=polys, crs=CRS), linewidth=1.0, linestyle=(0, (6, 2, 1, 2)))
    paths = _outline_paths(ax)
    plt.close(fig)
    # 4 inner edges (centre to each side's middle) and 4 outer pieces (side middle to side middle): 8 lines, each S long
    # or 2S; one dash period is 11 pt = 3.9 mm = 194 m at 1 : 50.000
    lengths = sorted(float(np.hypot(*np.diff(v, axis=0).T).sum()) for v in paths)
    assert len(lengths) == 8, lengths
    assert lengths[:4] == pytest.approx([S] * 4, abs=2.0)
    assert lengths[4:] == pytest.approx([2 * S] * 4, abs=2.0)


def test_admin_map_of_kecamatan_digitised_apart_draws_each_common_edge_once():
    # Peta 1 (Peta Administrasi) of the 2 x 2 city from its kelurahan digitised apart: the kecamatan outline
    # collection holds one line per common edge
    rng = np.random.default_rng(5)
    polys, names = [], []
    for i in range(2):
        for j in range(2):
            x0, x1, y0, y1 = 780_000 + i * S, 780_000 + (i + 1) * S, 9_228_000 + j * S, 9_228_000 + (j + 1) * S
            left, right = _jittered(x0, y0, y1, rng), _jittered(x1, y0, y1, rng)
            bottom = _jittered(y0, x0, x1, rng)[:, ::-1]
            top = _jittered(y1, x0, x1, rng)[:, ::-1]
            ring = [*map(tuple, bottom), *map(tuple, right[1:]), *map(tuple, top[::-1][1:]), *map(tuple, left[::-1][1:-1])]
            polys.append(shapely.Polygon(ring).buffer(0))
            names.append(f"Kec {chr(65 + 2 * i + j)}")
    kec = gpd.GeoDataFrame({"WADMKC": names}, geometry=polys, crs=CRS)
    stem, page = next(iter(album_mod.album_pages({"kecamatan": kec}, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper="A4", dpi=40)))
    fig = page.fig
    paths = [p.vertices for c in page.ax.collections if c.get_gid() == OUTLINE_GID for p in c.get_paths()]
    lengths = sorted(float(np.hypot(*np.diff(v, axis=0).T).sum()) for v in paths)
    plt.close(fig)
    assert len(lengths) == 8, lengths
    assert lengths[:4] == pytest.approx([S] * 4, abs=2.0)
    assert lengths[4:] == pytest.approx([2 * S] * 4, abs=2.0)


def _collection_length(ax, color) -> float:
    rgba = matplotlib.colors.to_rgba(color)
    total = 0.0
    for c in ax.collections:
        if c.get_gid() != OUTLINE_GID or not np.allclose(c.get_edgecolor()[0], rgba):
            continue
        total += sum(float(np.hypot(*np.diff(p.vertices, axis=0).T).sum()) for p in c.get_paths())
    return total


def test_kelurahan_dots_are_not_drawn_under_the_kecamatan_line_on_peta_1():
    # 2 x 2 kecamatan of S x S, each halved into two kelurahan (x0 .. x0 + S/2, x0 + S/2 .. x0 + S): the dotted
    # kelurahan line belongs only where no kecamatan line is, the four halving lines, 4 S in all (on main it was
    # every kelurahan edge, 4 S + the kecamatan's 12 S, its dots filling the gaps of the dash-dot over it)
    x0, y0 = 780_000.0, 9_228_000.0
    kec, kel = [], []
    for i in range(2):
        for j in range(2):
            cx, cy = x0 + i * S, y0 + j * S
            name = f"Kec {chr(65 + 2 * i + j)}"
            kec.append((name, shapely.box(cx, cy, cx + S, cy + S)))
            for h in range(2):
                kel.append((f"Kel {name[-1]}{h + 1}", name, shapely.box(cx + h * S / 2, cy, cx + (h + 1) * S / 2, cy + S)))
    layers = {
        "kecamatan": gpd.GeoDataFrame({"WADMKC": [k[0] for k in kec]}, geometry=[k[1] for k in kec], crs=CRS),
        "kelurahan": gpd.GeoDataFrame({"WADMKD": [k[0] for k in kel], "WADMKC": [k[1] for k in kel]}, geometry=[k[2] for k in kel], crs=CRS),
    }
    stem, page = next(iter(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper="A4", dpi=40)))
    kel_len = _collection_length(page.ax, "#555555")
    kec_len = _collection_length(page.ax, "#2b2b2b")
    plt.close(page.fig)
    assert kec_len == pytest.approx(12 * S, abs=1.0)
    assert kel_len == pytest.approx(4 * S, abs=1.0)


def _drawn_length(ax, color) -> float:
    """Length (map units) of every stroked line in ``color`` on ``ax``: outlines and polygons' edges alike."""
    rgba = matplotlib.colors.to_rgba(color)
    total = 0.0
    for c in ax.collections:
        ec = c.get_edgecolor()
        lw = np.atleast_1d(c.get_linewidth())
        if not len(ec) or not np.allclose(ec[0], rgba) or not (lw > 0).any():
            continue
        for p in c.get_paths():
            for v in p.to_polygons(closed_only=False):
                total += float(np.hypot(*np.diff(v, axis=0).T).sum())
    return total


def test_peta_anggaran_draws_the_kecamatan_boundary_once_without_sliver_holes():
    # two kecamatan whose common edge each digitised itself (0.3 m jitter), the west one with a 2 m x 200 m sliver
    # hole inside (a gap between two of its kelurahan); Peta Anggaran's boundary: the 2S x S outline and the common
    # edge once, 7 S (main drew each polygon's edge, the hole's ring too: 8 S + 404 m)
    a, b = _two_squares(seed=2)
    a = a.difference(shapely.box(400, 400, 402, 600))
    kec = gpd.GeoDataFrame({"WADMKC": ["Coblong", "Lengkong"]}, geometry=[shapely.affinity.translate(g, 780_000, 9_228_000) for g in (a, b)], crs=CRS)
    rows = []
    for name, g in zip(kec["WADMKC"], kec.geometry):
        p = g.representative_point()
        for m in range(3):
            rows.append({"program_id": f"P-{name}-{m}", "kecamatan": name, "status": "sesuai", "pagu": 1e9 * (1 + m), "kegiatan": "puskesmas",
                         "opd": "Dinas Kesehatan", "geometry": p})
    rencana = gpd.GeoDataFrame(rows, crs=CRS)
    alb = album_mod._Album({"kecamatan": kec, "rencana": rencana}, year=2025, title="SPPR Kota Contoh", palette=None, source=None,
                           region="Kota Contoh", dpi=40, paper="A4")
    page = alb.page_kecamatan()
    drawn = _drawn_length(page.ax, "#444444")
    plt.close(page.fig)
    assert drawn == pytest.approx(7 * S, abs=2.0)


def test_a_river_zone_prints_in_its_own_colour_not_as_a_white_line():
    # Peta 2 (pola ruang, zones at full colour) at 1 : 100.000 on A3 width: a 14 m wide river (Badan Air) between two
    # blocks of Kawasan Permukiman. The river's middle, as printed, must be of its key's hue (blue: B well above R),
    # not the white of the zones' parting edge (main: the white edges covered its 0.4 pt of light blue fill)
    from sppr_gis.maps.cartography.draw import draw_zoning
    from sppr_gis.maps.palette import Palette

    w = 14.0
    river = shapely.box(S - w / 2, 0, S + w / 2, 2 * S)
    zoning = gpd.GeoDataFrame({"NAMOBJ": ["Kawasan Permukiman", "Badan Air", "Kawasan Permukiman"]},
                              geometry=[shapely.box(0, 0, S - w / 2, 2 * S), river, shapely.box(S + w / 2, 0, 2 * S, 2 * S)], crs=CRS)
    dpi = 300
    fig = plt.figure(figsize=(2.0, 2.0), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    span = 100_000 * 2.0 * 0.0254  # 1 : 100.000 across the 2 in axes: 5.08 km
    ax.set_xlim(S - span / 2, S + span / 2)
    ax.set_ylim(S - span / 2, S + span / 2)
    colors = draw_zoning(ax, zoning, Palette(), code_field="NAMOBJ", name_field="NAMOBJ", alpha=1.0, edgecolor=(1, 1, 1, 0.8))
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    plt.close(fig)
    key = np.array(colors["Badan Air"], dtype=float)
    rows = img[img.shape[0] // 4: 3 * img.shape[0] // 4]  # away from the river's ends
    c = img.shape[1] // 2
    side = rows[:, c - 30].mean(axis=0)  # the permukiman beside it, as printed
    band = rows[:, c - 6: c + 7].mean(axis=0)  # 13 columns, about 1 mm, across the river
    drawn = [k for k in range(band.shape[0]) if np.abs(band[k] - side).max() > 25]  # the columns the river changes
    assert len(drawn) >= 2  # at least 0.5 pt wide on the page
    seen = band[drawn].mean(axis=0)  # the river as it reads: its fill and edges averaged across its width
    # main: (218, 233, 231), the white edges over 0.4 pt of light blue; the key is (151, 219, 242)
    assert np.abs(seen - key).max() < 30, (seen, key)
