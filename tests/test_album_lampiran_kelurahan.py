"""Review s7 (issue 19), Lampiran of Peta 1 (the numbered kelurahan, continued on its own sheet): the rows were a
bare list, with no kecamatan heading over them, and a column or sheet began with rows of a kecamatan named
nowhere near them.

A constructed city of 12 kecamatan of 8 kelurahan whose names are too long for their 300 m squares (all numbered),
the kelurahan layer's rows shuffled (not grouped by kecamatan): on the Lampiran sheet every kelurahan row stands
under the heading of its own kecamatan (known here from the construction) in its column, no heading stands alone
at the foot of a column, and each row's number is the number printed on the map inside that kelurahan.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sppr_gis.maps import album as album_mod  # noqa: E402
from sppr_gis.maps.cartography import continuation_pages  # noqa: E402

CRS = "EPSG:32748"


def _city():
    x0, y0, s = 780_000.0, 9_228_000.0, 300.0
    rows = []
    for i in range(12):  # kecamatan i: a 2 x 4 block of kelurahan; a 6 x 2 city of them
        cx, cy = x0 + (i % 6) * 2 * s, y0 + (i // 6) * 4 * s
        for j in range(8):
            box = shapely.box(cx + (j % 2) * s, cy + (j // 2) * s, cx + (j % 2 + 1) * s, cy + (j // 2 + 1) * s)
            rows.append((f"KelurahanBernamaSangatPanjang{chr(65 + i)}{chr(65 + j)}", f"Kec{chr(65 + i)}", box))
    order = np.random.default_rng(4).permutation(len(rows))
    rows = [rows[k] for k in order]
    kel = gpd.GeoDataFrame({"WADMKD": [r[0] for r in rows], "WADMKC": [r[1] for r in rows]}, geometry=[r[2] for r in rows], crs=CRS)
    kec = kel.dissolve("WADMKC").reset_index()[["WADMKC", "geometry"]]
    return kec, kel


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_lampiran_peta_1_lists_each_kelurahan_under_its_kecamatan_with_the_map_number(paper):
    kec, kel = _city()
    kec_of = dict(zip(kel["WADMKD"], kel["WADMKC"]))
    geom_of = dict(zip(kel["WADMKD"], kel.geometry))
    stem, page = next(iter(album_mod.album_pages({"kecamatan": kec, "kelurahan": kel}, year=2025, title="SPPR Kota Contoh", region="Kota Contoh",
                                                 paper=paper, dpi=40)))
    assert stem.endswith("administrasi")
    # the numbers printed on the map (italic kelurahan numbers), where they stand
    on_map = {}
    for t in page.ax.texts:
        if t.get_gid() == "kel-name-number" and t.get_visible():
            on_map.setdefault(t.get_text().strip(), []).append(shapely.Point(*t.get_position()))
    sheets = continuation_pages(page)
    assert sheets, "96 numbered kelurahan go to the Lampiran sheet"
    listed = []
    for fig in sheets:
        texts = [t for t in fig.texts if t.get_gid() in ("table-heading", "table-row", "table-number")]
        heads = [t for t in texts if t.get_gid() == "table-heading"]
        rows = [t for t in texts if t.get_gid() == "table-row"]
        nums = [t for t in texts if t.get_gid() == "table-number"]
        # columns: by the x of their rows' numbers (a heading stands at the column's left, where its numbers stand)
        col_x = sorted({round(t.get_position()[0], 3) for t in nums})
        for x in col_x:
            col_heads = sorted([h for h in heads if abs(h.get_position()[0] - x) < 1e-3], key=lambda h: -h.get_position()[1])
            col_nums = sorted([n for n in nums if abs(n.get_position()[0] - x) < 1e-3], key=lambda n: -n.get_position()[1])
            assert col_heads and col_heads[0].get_position()[1] > col_nums[0].get_position()[1], "a column begins with rows, no heading over them"
            # no heading at the foot of a column with no row under it
            assert col_heads[-1].get_position()[1] > col_nums[-1].get_position()[1]
            for n in col_nums:
                y = n.get_position()[1]
                row = next(r for r in rows if abs(r.get_position()[1] - y) < 1e-6 and 0 < r.get_position()[0] - x < 0.05)
                name = " ".join(row.get_text().split())
                above = [h for h in col_heads if h.get_position()[1] > y][-1]
                assert " ".join(above.get_text().split()) in (f"Kecamatan {kec_of[name]}", f"Kecamatan {kec_of[name]} (lanjutan)"), (name, above.get_text())
                listed.append((n.get_text().strip(), name))
    for fig in sheets:
        plt.close(fig)
    plt.close(page.fig)
    # every numbered kelurahan listed once, its number the one printed inside it on the map
    assert len(listed) == len({name for _, name in listed})
    assert {name for _, name in listed} <= set(kec_of)
    assert len(listed) >= 48
    for num, name in listed:
        assert any(geom_of[name].buffer(1.0).contains(p) for p in on_map.get(num, [])), (num, name)


def test_kelurahan_numbers_stay_off_the_roads_on_peta_1():
    # review s7 (sample A4 Peta 1: kelurahan numbers printed on roads): the city above, a road along the middle of
    # every row of kelurahan (through each one's centre, where a number would stand first); every number's box keeps
    # a quarter point clear of the roads' drawn strokes (main: 80 numbers on the line itself)
    kec, kel = _city()
    x0, y0, s = 780_000.0, 9_228_000.0, 300.0
    roads = [shapely.LineString([(x0 - 100, y0 + (r + 0.5) * s), (x0 + 12 * s + 100, y0 + (r + 0.5) * s)]) for r in range(8)]
    net = gpd.GeoDataFrame({"NAMOBJ": [f"Jalan {r + 1}" for r in range(8)], "JNSRSR": ["Jalan Lokal Primer"] * 8, "STSJRN": ["Eksisting"] * 8},
                           geometry=roads, crs=CRS)
    stem, page = next(iter(album_mod.album_pages({"kecamatan": kec, "kelurahan": kel, "struktur_ruang": net}, year=2025, title="SPPR Kota Contoh",
                                                 region="Kota Contoh", paper="A4", dpi=72)))
    ax, fig = page.ax, page.fig
    r = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    mpp = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent(r).width * 72.0 / fig.dpi)
    widest = max(c.get_linewidth()[0] for c in ax.collections if c.get_gid() == "network")
    nums = [t for t in ax.texts if t.get_gid() == "kel-name-number" and t.get_visible()]
    assert len(nums) >= 48
    on_road = []
    for t in nums:
        (a, b), (c, d) = inv.transform(t.get_window_extent(r).get_points())
        box = shapely.box(min(a, c), min(b, d), max(a, c), max(b, d))
        if any(box.distance(line) < (widest / 2 + 0.25) * mpp for line in roads):
            on_road.append((t.get_text(), round(min(box.distance(line) for line in roads) / mpp, 2)))
    plt.close(fig)
    assert on_road == []
