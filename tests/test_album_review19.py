"""Issue 19 (defect 7), the cartographer's review of the album's map pages on a realistic configuration.

Expected values come from geometry built here or from the configuration's own file names, never from the
code that draws the pages.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from conftest import SAMPLE
from printing import pdf_words

matplotlib.use("Agg")

pdfplumber = pytest.importorskip("pdfplumber")


def _pdf_words(fig):
    """Words of a page as printed (pdfplumber: real text only; glyph outlines are not words)."""
    return pdf_words(fig)[0]


# --------------------------------------------------------------------------- 5: kinerja cited by default


def test_kinerja_input_is_cited_by_file_name_without_album_sumber():
    """Review 5: the kinerja pages cite their input like the other inputs: ``[album.sumber] kinerja`` when given,
    else "berkas <file name>" of ``[inputs] kinerja``."""
    from sppr_gis.config import load_config
    from sppr_gis.run import _album_sources

    cfg = load_config(SAMPLE / "sppr.toml")
    assert cfg.inputs.kinerja is not None
    inputs = SimpleNamespace(config=cfg)
    assert _album_sources(inputs, None)["kinerja"] == "berkas kinerja.xlsx"
    assert _album_sources(inputs, {"kinerja": "Renstra OPD 2025"})["kinerja"] == "Renstra OPD 2025"


@pytest.fixture(scope="module")
def sample():
    """The sample's 2025 result and the layers the sync hands to the album."""
    from mapdata import sample_album_layers

    return sample_album_layers()


def test_kinerja_per_kecamatan_page_cites_the_kinerja_input(sample):
    """Review 5: Peta 17 (capaian per kecamatan) shows kinerja values, so its sources strip cites the kinerja
    input (with the [album.sumber] text), not only the programs and the kecamatan boundaries."""
    from sppr_gis.maps import album as album_mod
    from sppr_gis.maps.kinerja_pages import page_capaian_kecamatan

    res, layers = sample
    sumber = {"rencana": "RKPD 2025", "kecamatan": "Batas kecamatan contoh", "kinerja": "berkas kinerja.xlsx"}
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper="A4", sumber=sumber)
    page = page_capaian_kecamatan(a, res.kinerja)
    assert page is not None
    cited = " ".join(page.sources_artist.get_text().split())
    assert "Capaian kinerja (Renstra/Renja): berkas kinerja.xlsx" in cited, cited


# --------------------------------------------------------------------------- 7: haloed names stay text


def test_haloed_labels_are_real_text_in_the_pdf():
    """Review 7: names placed with a white halo (point labels, line labels, the inset's names) are real text
    in the PDF: pdfplumber finds each of them as words, and the halo is still drawn (a white stroke under)."""
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.cartography.common import _HALO
    from sppr_gis.maps.cartography.labels import place_labels, place_line_labels

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_facecolor("#777777")
    placed = place_labels(ax, [(20, 80), (70, 20)], ["Kelurahan Sukamaju", "Kecamatan Bukit Bestari"], fontsize=9)
    placed += place_line_labels(ax, [shapely.LineString([(5, 50), (95, 52)])], ["Jalan Raja Haji Fisabilillah"], fontsize=9)
    ax.text(50, 90, "Kabupaten Bintan", path_effects=_HALO, fontsize=9)
    assert len(placed) == 3
    words = " ".join(w["text"] for w in _pdf_words(fig))
    plt.close(fig)
    for name in ("Kelurahan Sukamaju", "Kecamatan Bukit Bestari", "Jalan Raja Haji Fisabilillah", "Kabupaten Bintan"):
        assert name in words, (name, words)
    # the halo is still there: a white stroke under each name (rendered: white pixels on the grey ground)
    fig, ax = plt.subplots(figsize=(2, 1), dpi=100)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_facecolor("#777777")
    ax.set_axis_off()
    fig.patch.set_facecolor("#777777")
    ax.text(0.5, 0.5, "Bintan", path_effects=_HALO, fontsize=14, ha="center", va="center", color="black")
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    assert (img.min(axis=2) > 240).sum() > 50  # the halo's white
    assert (img.max(axis=2) < 30).sum() > 50  # the black text over it


# --------------------------------------------------------------------------- 4: Peta 13 classed, not one class per value


def _best_partition(vals, k):
    """The contiguous partition of sorted values into k groups with the least within-group squared deviation
    (exhaustive search: an independent Fisher-Jenks)."""
    import itertools

    x = sorted(vals)
    best = None
    for cuts in itertools.combinations(range(1, len(x)), k - 1):
        groups = [x[a:b] for a, b in zip((0, *cuts), (*cuts, len(x)))]
        cost = sum(((np.asarray(g) - np.mean(g)) ** 2).sum() for g in groups)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, groups)
    return best[1]


def test_budget_map_classes_are_a_classification_with_ranges_in_indonesian_format(sample):
    """Review 4: Peta 13's fill is a classed scheme (natural breaks, at most 5-6 classes, fewer classes than
    distinct values), the legend gives each class as a range "a – b" in Indonesian number format."""
    import re

    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72)
    page = a.page_kecamatan()
    pagu = {k: v for k, v in page.data["pagu"].items() if page.data["n"][k] > 0}
    ranges = page.data["classes"]
    assert 2 <= len(ranges) <= 6 and len(ranges) < len(set(pagu.values())), ranges
    # the groups are the optimal (least squared deviation) grouping of the values into that many classes
    groups = _best_partition(list(pagu.values()), len(ranges))
    for g, (lo, hi) in zip(groups, ranges):
        assert all(lo <= v < hi for v in g), (g, lo, hi)
    for name, v in pagu.items():
        lo, hi = ranges[page.data["class_of"][name]]
        assert lo <= v < hi
    legend_texts = [t.get_text() for t in page.fig.findobj(matplotlib.text.Text)]
    i = next(j for j, t in enumerate(legend_texts) if t.startswith("Pagu program per"))
    labels = [t for t in legend_texts[i + 1:i + 1 + len(ranges)]]
    num = r"\d{1,3}(?:\.\d{3})*(?:,\d)?"
    for lab in labels:
        assert re.fullmatch(rf"{num} – {num} \(\d+\)", lab), labels
    notes = " ".join(t.get_text() for t in page.fig.texts)
    assert "satu kelas per nilai" not in notes


def test_natural_classes_few_values():
    """Review 4: classes by natural breaks with round limits; values from hand computation."""
    from sppr_gis.maps.classify import natural_classes

    # 4 values -> 3 classes (Sturges: 1 + log2 4); optimal groups {30.7, 37.2} {51.3} {93.5}
    assert natural_classes([30.7, 37.2, 51.3, 93.5]) == [(30.0, 40.0), (40.0, 60.0), (60.0, 100.0)]
    # 20 values -> at most 5 classes, every value in exactly one
    vals = [1, 2, 2, 3, 4, 10, 11, 12, 13, 30, 31, 33, 35, 60, 61, 64, 90, 95, 97, 99]
    r = natural_classes(vals, 5)
    assert len(r) == 5
    for v in vals:
        assert sum(lo <= v < hi for lo, hi in r) == 1
    assert natural_classes([7.0, 7.0]) == [(7.0, 7.0)]


# --------------------------------------------------------------------------- 6: the inset names province and neighbours


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_inset_names_the_province_and_the_bordering_regency(sample, paper):
    """Review 6: the location inset names the province (the inset layer's ``provinsi``) and the neighbours,
    also the one that shares the city's border: the sample city lies on Bintan island in Kepulauan Riau
    (geography; checked here against the shipped extract), so "Kabupaten Bintan" and the province are printed
    in the inset, as text of the PDF."""
    from importlib import resources

    import geopandas as gpd
    import shapely

    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=paper)
    page = a.page_admin()
    ext = gpd.read_file(str(resources.files("sppr_gis.maps") / "data" / "batas_wilayah.gpkg")).to_crs(page.crs)
    city = shapely.union_all(layers["kecamatan"].to_crs(page.crs).geometry.values)
    bintan = shapely.union_all(ext.loc[ext["nama"] == "Kabupaten Bintan"].geometry.values)
    assert bintan.intersects(city.buffer(100))  # a bordering regency
    assert set(ext.loc[ext.intersects(city), "provinsi"]) == {"Kepulauan Riau"}
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        page.fig.savefig(buf, format="pdf")
    buf.seek(0)
    pos = page.inset_ax.get_position()
    with pdfplumber.open(buf) as doc:
        pg = doc.pages[0]
        box = (pos.x0 * pg.width, (1 - pos.y1) * pg.height, pos.x1 * pg.width, (1 - pos.y0) * pg.height)
        inset_text = " ".join((pg.crop(box).extract_text() or "").split())
    assert "Kabupaten Bintan" in inset_text, inset_text
    assert "KEPULAUAN RIAU" in inset_text, inset_text


# --------------------------------------------------------------------------- 2: labels keep off the drawn lines


def _box_in_data(ax, t):
    import shapely

    bb = t.get_window_extent(ax.figure.canvas.get_renderer())
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def test_road_and_place_names_avoid_program_and_road_lines():
    """Review 2: a road's name is not drawn over a program line crossing the road, and a kelurahan name whose
    anchor lies on a road is moved off the road (the lines are built here; crossing is shapely's)."""
    import geopandas as gpd
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.cartography.labels import place_labels, place_line_labels

    fig, ax = plt.subplots(figsize=(6, 4), dpi=72)
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 1000)
    road = shapely.LineString([(50, 500), (950, 500)])
    road2 = shapely.LineString([(50, 200), (950, 200)])
    # programs crossing the roads at every place a name would go along them
    # (the name is about half the road's length: it stands clear of a program line at 300, as it could not of one at
    # the road's middle, where crossing it is the last resort: a name never runs past its own line's ends)
    progs = [shapely.LineString([(x, 50), (x, 950)]) for x in (300, 350, 650, 230, 770)]
    gpd.GeoSeries([road, road2]).plot(ax=ax, color="black", linewidth=2, gid="network")
    gpd.GeoSeries(progs[:1]).plot(ax=ax, color="red", linewidth=2, gid="line-feature")
    names = place_line_labels(ax, [road], ["Jalan Raja Haji Fisabilillah"], fontsize=8)
    kel = place_labels(ax, [(820, 205)], ["Kelurahan Sukamaju"], fontsize=8)
    assert len(names) == 1 and len(kel) == 1
    assert not _box_in_data(ax, names[0]).intersects(progs[0]), "road name over the program line"
    kb = _box_in_data(ax, kel[0])
    assert not kb.intersects(road2) and not kb.intersects(progs[0]), "kelurahan name on the road"
    plt.close(fig)


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_kecamatan_names_avoid_ipu_lines_and_kelurahan_names_avoid_roads(sample, paper):
    """Review 2 on the sample: on the IPU map the kecamatan names cross no IPU line (A4: TANJUNGPINANG BARAT
    was drawn over one), and on the administrative map no kelurahan name lies on a road."""
    import shapely

    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=paper)

    def line_geoms(key):
        return [g for g in layers[key].geometry if g is not None and not g.is_empty and shapely.get_dimensions(g) == 1]

    ipu_lines = line_geoms("indikasi_program")
    assert ipu_lines
    page = a.page_ipu()
    kec_names = {str(n).upper() for n in layers["kecamatan"][a.kec_field]}
    shown = [t for t in page.ax.texts if t.get_visible() and " ".join(t.get_text().split()) in kec_names]
    # s6: every kecamatan named where a place inside it is clear of the lines (the review: never on a line); the
    # others are counted, not printed on a line (the sample's Tanjungpinang Kota is crossed by IPU lines)
    assert len(shown) + page.data["kec_unnamed"] == len(kec_names) and len(shown) >= len(kec_names) - 1
    for t in shown:
        box = _box_in_data(page.ax, t)
        assert not any(box.intersects(g) for g in ipu_lines), (paper, t.get_text())
    roads = line_geoms("struktur_ruang")
    page = a.page_admin()
    kel_names = {str(n) for n in layers["kelurahan"][a.kel_field]}
    for t in page.ax.texts:
        if t.get_visible() and t.get_text() in kel_names:
            box = _box_in_data(page.ax, t)
            assert not any(box.intersects(g) for g in roads), (paper, t.get_text())


# --------------------------------------------------------------------------- 3: programs beyond the administrative area


def test_program_partly_outside_the_administrative_area_is_noted(sample):
    """Review 3: a program line that runs past the city boundary (but stays in the map frame) is drawn whole
    and the map says so, naming it; one wholly inside is not named. The line is built to cross the boundary
    of the union of the kecamatan by 300 m (shapely), and one is built well inside."""
    import re

    import shapely

    from sppr_gis.maps import album as album_mod

    _, layers = sample
    layers = dict(layers)
    r = layers["rencana"].copy()
    city = shapely.union_all(layers["kecamatan"].to_crs(r.crs).geometry.values)
    x0, y0, x1, y1 = city.bounds
    ym = (y0 + y1) / 2
    west = min(x for x, y in city.exterior.coords if abs(y - ym) < (y1 - y0) * 0.2) if city.geom_type == "Polygon" else x0
    across = shapely.LineString([(west - 300, ym), (west + 1500, ym)])
    inner = shapely.LineString([((x0 + x1) / 2 - 200, ym), ((x0 + x1) / 2 + 200, ym)])
    assert across.difference(city).length > 250 and city.contains(inner)
    i0, i1 = r.index[0], r.index[1]
    r.loc[i0, "geometry"] = across
    r.loc[i1, "geometry"] = inner
    r.loc[i0, "program_id"] = "P-LINTAS"
    r.loc[i1, "program_id"] = "P-DALAM"
    layers["rencana"] = r
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72)
    page = a.page_conformance()
    notes = " ".join(" ".join(t.get_text().split()) for t in page.fig.texts)
    note = re.search(r"\d+ lokasi program sebagian di luar batas administrasi[^(]*\(([^)]*)\)", notes)
    assert note, notes
    assert "P-LINTAS" in note.group(1) and "P-DALAM" not in note.group(1), note.group(0)
    # drawn whole, not clipped: the map's extent holds the part beyond the boundary
    ex = page.ax.get_xlim()
    assert ex[0] <= west - 300


# --------------------------------------------------------------------------- 1: every block that can hold its code has it


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_zone_block_large_enough_for_its_code_is_labelled(sample, paper):
    """Review 1: on Peta 2 each zone block (polygon) in which the code's printed box fits somewhere (a fine
    grid scan with shapely, the box measured from the rendered code), clear of the names on the map, carries
    its code; the legend cannot otherwise be read where neighbouring zone colours are close."""
    import shapely

    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=paper)
    page = a.page_zoning()
    ax = page.ax
    r = page.fig.canvas.get_renderer()
    inv = ax.transData.inverted()

    def data_box(bb):
        (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    codes = [t for t in ax.texts if t.get_gid() == "zone-code" and t.get_visible()]
    names = [data_box(t.get_window_extent(r)) for t in ax.texts if t.get_visible() and t.get_text() and t.get_gid() != "zone-code"]
    size = {}
    for t in codes:
        if "\n" not in t.get_text():
            bb = data_box(t.get_window_extent(r)).bounds
            size[t.get_text()] = ((bb[2] - bb[0]) / 2, (bb[3] - bb[1]) / 2)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    z = layers["zoning"].to_crs(page.crs)
    missing = []
    geoms = shapely.make_valid(np.asarray(z.geometry.array, dtype=object))
    tree = shapely.STRtree(geoms)
    # s5: the map's margin of half a point between a code and its block's edge (a little more here: the grid is coarse)
    mpp = (x1 - x0) / (ax.get_window_extent(r).width * 72.0 / page.fig.dpi)
    m = 0.55 * mpp
    for i, (code, geom) in enumerate(zip(z[a.zfield].astype(str), geoms)):
        if code not in size or geom is None:
            continue
        hw, hh = size[code]
        # s5: the block as the map shows it: less the zones drawn over it (later rows of the layer)
        over = [geoms[j] for j in tree.query(geom, predicate="intersects") if j > i and geom.relate_pattern(geoms[j], "T********")]
        if over:
            geom = geom.difference(shapely.union_all(over))
        for part in shapely.get_parts(geom.intersection(view)):
            if part.geom_type != "Polygon" or part.area < 4 * hw * hh:
                continue
            px0, py0, px1, py1 = part.bounds
            fits = False
            for x in np.linspace(px0 + hw, px1 - hw, 25) if px1 - px0 > 2 * hw else []:
                for y in np.linspace(py0 + hh, py1 - hh, 25) if py1 - py0 > 2 * hh else []:
                    box = shapely.box(x - hw * 1.02 - m, y - hh * 1.02 - m, x + hw * 1.02 + m, y + hh * 1.02 + m)
                    if part.contains(box) and not any(box.intersects(n) for n in names):
                        fits = True
                        break
                if fits:
                    break
            # s5: a block may carry its code as 'RTH' over '1' (the one-line box fits only against the block's edge)
            if fits and not any(t.get_text().replace("\n", "") == code and part.contains(shapely.Point(t.get_position())) for t in codes):
                missing.append((code, part.bounds))
    assert not missing, (paper, missing)
