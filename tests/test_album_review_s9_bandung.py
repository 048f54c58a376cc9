"""Issue 19, the cartographer's review of session 9 on the Kota Bandung album (findings on constructed data or the
sample; the Bandung data has no licence and is never committed).

Expected values come from geometry and figures built here, never from the drawing code's own output.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from mapdata import sample_album_layers  # noqa: E402

from sppr_gis.maps import album as album_mod  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    return sample_album_layers()


def _album(layers, paper="A3", dpi=100, **kw):
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=dpi, paper=paper, **kw)


# --------------------------------------------------------------------------- Grafik 1: averages clear of the 90 % line


@pytest.mark.parametrize("average", [88.9, 90.4, 64.2])
def test_chart_average_label_stands_clear_of_the_predikat_lines(sample, average):
    """Review s9 (Bandung Grafik 1): an average label sat on the 90 % line. A cluster whose average is a hair from a
    predikat limit (88.9 and 90.4 beside 90, 64.2 beside 65) prints "rata-rata ..." with no predikat line (50, 65, 75,
    90: Permendagri 86/2017) running through its text."""
    from sppr_gis.maps.kinerja_pages import page_capaian_opd

    res, layers = sample
    kl = res.kinerja.klaster.copy()
    kl["capaian"] = kl["capaian"].astype(float)
    kl.loc[kl.index[0], "capaian"] = average
    page = page_capaian_opd(_album(layers, sumber={"kinerja": "berkas kinerja.xlsx"}), SimpleNamespace(opd=res.kinerja.opd, klaster=kl, year=2025))
    page.fig.canvas.draw()
    r = page.fig.canvas.get_renderer()
    ax = next(x for x in page.fig.axes if any(t.get_gid() == "bar-value" for t in x.texts))
    want = f"rata-rata {average:.1f}%".replace(".", ",")
    label = next(t for t in ax.texts if want in t.get_text())
    bb = label.get_window_extent(r)
    for limit in (50.0, 65.0, 75.0, 90.0):
        x = ax.transData.transform((limit, 0))[0]
        assert not bb.x0 - 0.5 <= x <= bb.x1 + 0.5, (want, limit, round(bb.x0, 1), round(x, 1), round(bb.x1, 1))


# --------------------------------------------------------------------------- legend classes no feature falls in


def test_category_legend_leaves_out_a_class_with_no_item():
    """Review s9: "Perlu kajian (0)" was keyed on Peta 3 and Peta 13 of Bandung (no program had that status). With
    counts, only the classes that hold an item are listed, in the given order."""
    from sppr_gis.maps.cartography import category_legend

    colors = {"a": (1, 2, 3), "b": (4, 5, 6), "c": (7, 8, 9)}
    h, lab = category_legend(colors, {"a": "A", "b": "B", "c": "C"}, {"a": 2, "c": 1, "b": 0}, kind="mixed", order=("c", "b", "a"))
    assert lab == ["C (1)", "A (2)"] and len(h) == 2


def test_status_keys_leave_out_a_status_no_program_has(sample):
    """The conformance map and the kecamatan budget map of a plan with no 'perlu kajian' program (the sample's
    programs less those): no 'Perlu kajian' entry in either legend; the other statuses keyed with their counts."""
    from sppr_gis.maps.pages.budget import page_kecamatan
    from sppr_gis.maps.pages.conformance import page_conformance
    from sppr_gis.vocabulary import STATUS_LABELS

    _res, layers = sample
    r = layers["rencana"]
    assert (r["status"] == "perlu_kajian").any()
    kept = dict(layers, rencana=r[r["status"] != "perlu_kajian"])
    counts = kept["rencana"]["status"].astype(str).value_counts().to_dict()
    for page in (page_conformance, page_kecamatan):
        f = page(_album(kept))
        labels = [" ".join(t.get_text().split()) for lg in f.legends for t in lg.texts]
        assert not [t for t in labels if t.startswith("Perlu kajian")], (page.__name__, labels)
        for status, n in counts.items():
            assert any(t.startswith(f"{STATUS_LABELS[status]} ({n}") for t in labels), (page.__name__, status, n, labels)


# --------------------------------------------------------------------------- Peta 13: two numbers never read as one


def test_area_numbers_of_neighbours_keep_three_ems_apart():
    """Review s9 (Bandung Peta 13): "29" and "9" of two neighbouring kecamatan stood a space apart and read as "29 9".
    Two tall strips side by side (100 m wide), each with its pie (10 m) near their shared edge: below each pie there is
    room for its number inside its strip, about 3 px apart. The printed numbers keep at least three ems (the numbers'
    size; Bandung's "29 9" stood two ems apart) apart where they stand side by side."""
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.pages.budget import area_numbers

    fig = plt.figure(figsize=(6, 6), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 1000)
    left, right = shapely.box(0, 0, 100, 1000), shapely.box(100, 0, 200, 1000)
    agg = pd.DataFrame({"name": ["A", "B"], "geometry": [left, right], "point": [shapely.Point(86, 500), shapely.Point(110, 500)], "radius": [10.0, 10.0]})
    area_numbers(SimpleNamespace(ax=ax, fig=fig, k=1.0), agg, {"A": "29", "B": "9"}, [])
    r = fig.canvas.get_renderer()
    a, b = (next(t for t in ax.texts if t.get_text() == s) for s in ("29", "9"))
    ba, bb = a.get_window_extent(r), b.get_window_extent(r)
    em = a.get_fontsize() * fig.dpi / 72
    # each inside its strip (the drawing's own rule), and apart
    for t, g in ((a, left), (b, right)):
        x, y = t.get_position()
        assert g.contains(shapely.Point(x, y)), (t.get_text(), x, y)
    side_by_side = min(ba.y1, bb.y1) > max(ba.y0, bb.y0)
    gap = max(bb.x0 - ba.x1, ba.x0 - bb.x1)
    assert not side_by_side or gap >= 3 * em - 0.5, (round(gap, 1), round(em, 1))
    plt.close(fig)


def _sliver(kec, width: float):
    """The sample's kecamatan with an enclosed sliver gap ``width`` metres wide cut from the first kecamatan along the
    middle half of the longest edge it shares with a neighbour (as two neighbours digitised apart leave one)."""
    import shapely

    geoms = list(kec.geometry)
    a = geoms[0]
    best = None
    for j in range(1, len(geoms)):
        shared = shapely.line_merge(shapely.intersection(a.boundary, geoms[j].boundary))
        for part in shapely.get_parts(shared):
            if shapely.get_type_id(part) == 1 and (best is None or part.length > best.length):
                best = part
    assert best is not None and best.length > 200
    mid = shapely.ops.substring(best, 0.25, 0.75, normalized=True)
    strip = mid.buffer(width, cap_style="flat").intersection(a)
    out = kec.copy()
    out.loc[out.index[0], "geometry"] = a.difference(strip)
    gap = strip.representative_point()
    return out, gap


def test_budget_map_fills_sliver_gaps_between_kecamatan(sample):
    """Review s9 (Bandung Peta 13): white slivers between kecamatan (281 gaps 2-7 m wide in the real boundaries). A
    gap 4 m wide cut into the sample's first kecamatan along a shared edge (a hole of the kecamatan coverage, not of
    the city) is filled on the budget map: a fill drawn under the boundaries covers the gap's inner point."""
    import shapely.ops  # noqa: F401

    from sppr_gis.maps.pages.budget import page_kecamatan

    _res, layers = sample
    kec, gap = _sliver(layers["kecamatan"], 4.0)
    assert not kec.geometry.contains(gap).any()  # the point lies in the gap, in no kecamatan
    f = page_kecamatan(_album(dict(layers, kecamatan=kec)))
    pt = f.ax.transData.transform((gap.x, gap.y))
    fills = [c for c in f.ax.collections if c.get_zorder() == 1 and c.get_facecolor().size]
    assert fills
    covered = any(p.contains_point(pt, transform=c.get_transform()) for c in fills for p in c.get_paths())
    assert covered, (gap.x, gap.y)


# --------------------------------------------------------------------------- Peta 2: names said as names, sparingly


def _named_zoning(layers):
    """The sample's zoning as a zoning whose code field holds the zones' names (as Kota Bandung's NAMOBJ does)."""
    z = layers["zoning"]
    return dict(layers, zoning=z.assign(zone_code=z["zone_name"]).drop(columns=["zone_name"]))


def test_zoning_map_of_names_says_names_and_repeats_them_sparingly(sample):
    """Review s9 (Bandung Peta 2): the subtitle and note said "kode pada peta" while the map printed names, and
    "Kawasan Pertanian" stood seven times, five within 3 km. On the sample's zoning with its names in the code field:
    the subtitle and the note speak of names ("nama"), never of codes on the map, and so does the background note of
    the other maps; every zone name is on the map; and
    two prints of one name stand at least 40 mm apart at print size."""
    import numpy as np

    from sppr_gis.maps.pages.pola_ruang import page_zoning

    _res, layers = sample
    named = _named_zoning(layers)
    names = set(named["zoning"]["zone_code"].astype(str))
    a = _album(named)
    f = page_zoning(a)
    f.fig.canvas.draw()
    # the faded background of the other maps refers to the names on this one (Bandung Peta 8: 'warna dan kode pada Peta 2')
    assert "nama pada Peta" in a.zoning_note() and "kode" not in a.zoning_note(), a.zoning_note()
    texts = [" ".join(t.get_text().split()) for t in f.fig.findobj(matplotlib.text.Text) if t.get_visible()]
    sub = next(t for t in texts if "zona/subzona" in t)
    assert "nama zona pada peta" in sub and "kode" not in sub, sub
    note = " ".join(t for t in texts if "kolom matriks ITBX" in t and t != sub)
    assert note and "Kode zona" not in note and "Tanpa kode" not in note, note
    r = f.fig.canvas.get_renderer()
    ax = f.ax
    w = ax.get_window_extent(r)
    mm_per_unit = (w.width / f.fig.dpi * 25.4) / (ax.get_xlim()[1] - ax.get_xlim()[0])
    at: dict[str, list] = {}
    for t in ax.texts:
        s = " ".join(t.get_text().replace("-\n", "-").split())
        if t.get_visible() and s in names:
            bb = t.get_window_extent(r)
            at.setdefault(s, []).append(ax.transData.inverted().transform(((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2)))
    assert set(at) == names, sorted(names - set(at))
    for s, pts in at.items():
        p = np.asarray(pts)
        for i in range(len(p)):
            for j in range(i + 1, len(p)):
                d = float(np.hypot(*(p[i] - p[j]))) * mm_per_unit
                assert d >= 40.0, (s, round(d, 1))


# --------------------------------------------------------------------------- Peta 1: kelurahan numbers off the kecamatan lines


def test_kelurahan_number_stays_off_the_kecamatan_boundary():
    """Review s9 (Bandung Peta 1): kelurahan numbers 12 and 46 sat on kecamatan boundaries. A kelurahan 106 x 80 units
    (1 pt = 1.39 units) whose middle is taken by a name, leaving 8 units either side: its number cannot stand wholly
    inside and reaches out of it; its lower edge is a kecamatan boundary. The number's centre stays in the kelurahan,
    its box clear of the boundary line (by half the line's 1.3 pt width) and of the name."""
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.pages.administrasi import names_or_numbers

    fig = plt.figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 400)
    ax.set_ylim(0, 400)
    name = ax.text(200, 200, "\n".join(["XXXXXXXXXX"] * 4), ha="center", va="center", fontsize=9)
    r = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    (nx0, ny0), (nx1, ny1) = inv.transform(name.get_window_extent(r).get_points())
    kel = shapely.box(nx0 - 8, 160, nx1 + 8, 240)
    assert ny0 > 160 and ny1 < 240  # the name inside, its band across the kelurahan
    line = shapely.LineString([(0, 160), (400, 160)])
    out = names_or_numbers(ax, [kel], ["Kelurahan"], fontsize=7, min_fontsize=7, weight="normal", style="italic", gid="kel-name", start=11,
                           try_names=False, keep_off=[line], keep_off_width=1.3)
    assert out == ["12"]
    num = next(t for t in ax.texts if t.get_gid() == "kel-name-number")
    (bx0, by0), (bx1, by1) = inv.transform(num.get_window_extent(r).get_points())
    half_line = 1.3 / 2 * 400 / 288
    assert by0 > 160 + half_line or by1 < 160 - half_line, (round(by0, 1), round(by1, 1))
    assert kel.contains(shapely.Point(num.get_position()))
    assert not shapely.box(bx0, by0, bx1, by1).intersects(shapely.box(nx0, ny0, nx1, ny1))
    plt.close(fig)


# --------------------------------------------------------------------------- Peta 3: a small dense cluster enlarged


def test_a_small_dense_cluster_is_enlarged_too():
    """Review s9 (Bandung Peta 3): eight programs by Cibiru, each within a short leader but their leaders over one
    another's symbols, with no enlargement. A 21 x 12 km city with one dense centre (32 programs within about 300 m),
    30 programs spread over it and a cluster of 7 programs within 120 m of a point 10 km from the centre (about 1.5 mm
    at the map's scale): the cluster's programs are numbered in an enlargement of their own, inside the map's frame."""
    import io

    import geopandas as gpd
    import numpy as np
    import shapely
    from test_album_real_city import _grid_city

    from sppr_gis.maps import album as album_mod

    layers = _grid_city(n_kec=24)
    rng = np.random.default_rng(11)
    centre, spot = np.array([784_500.0, 9_233_500.0]), np.array([795_500.0, 9_236_000.0])
    pts = [shapely.Point(centre + rng.normal(0, 300.0, 2)) for _ in range(32)]
    pts += [shapely.Point(p) for p in rng.uniform([781_000, 9_229_000], [800_000, 9_239_500], (30, 2)) if np.hypot(*(p - spot)) > 2_000]
    cluster = [shapely.Point(spot + 120.0 * np.array([np.cos(a), np.sin(a)]) * (0.3 + 0.7 * (k % 2))) for k, a in enumerate(np.linspace(0, 2 * np.pi, 7, endpoint=False))]
    first = len(pts)
    pts += cluster
    layers["rencana"] = gpd.GeoDataFrame({"program_id": [f"P-{k + 1:03d}" for k in range(len(pts))], "kegiatan": ["pembangunan_jalan"] * len(pts),
                                          "status": ["sesuai"] * len(pts), "opd": ["Dinas PUPR"] * len(pts)}, geometry=pts, crs="EPSG:32748")
    pages = album_mod.album_pages(layers, year=2025, title="SPPR Kota Dua", region="Kota Dua", paper="A3", dpi=100)
    page = next(p for stem, p in pages if stem.endswith("_kesesuaian"))
    page.fig.savefig(io.BytesIO(), format="png")
    want = {str(first + k + 1) for k in range(len(cluster))}
    ens = getattr(page.ax, "_sppr_enlargements", [])
    holding = [en for en in ens if want <= set(en["numbers"])]
    assert holding, [(en["label"], en["numbers"]) for en in ens]
    en = holding[0]
    assert en["window"][0] <= spot[0] <= en["window"][2] and en["window"][1] <= spot[1] <= en["window"][3]
    r = page.fig.canvas.get_renderer()
    outer, inner = page.ax.get_window_extent(r), en["axes"].get_window_extent(r)
    assert outer.x0 - 0.5 <= inner.x0 and inner.x1 <= outer.x1 + 0.5 and outer.y0 - 0.5 <= inner.y0 and inner.y1 <= outer.y1 + 0.5
