"""Issue 19, cartographer review of session 6: Peta 15 (kawasan prioritas), Peta 14 (sinergi), Lampiran Peta 4,
the legend swatches of Peta 3 and the chart among the maps.

Expected values come from the sample's layers read here and from geometry built here (kawasan polygons, the
city's union of kecamatan, the swatches' drawn ink), never from the code that draws the pages.
"""

from __future__ import annotations

import re

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
from mapdata import realistic_album
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

matplotlib.use("Agg")

from sppr_gis.maps import album as album_mod  # noqa: E402

#: 1 mm in points.
MM = 72 / 25.4


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


def _album(layers, paper="A3", dpi=100):
    return realistic_album(layers, paper=paper, dpi=dpi)


def _data_box(ax, bb):
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


# --------------------------------------------------------------------------- Peta 15


@pytest.fixture(scope="module")
def priority(sample):
    _res, layers = sample
    a = _album(layers)
    a.page_conformance()  # the album's order: the conformance map's number is the programs' number
    page = a.page_priority()
    page.fig.canvas.draw()
    return a, page


def test_kawasan_names_lie_inside_their_own_kawasan(sample, priority):
    """Review s6 (MEDIUM): the kawasan names started outside their area. Every kawasan is named on the map, by its
    name or by a short tag the legend pairs with the name, and each such text lies wholly inside its own kawasan."""
    _res, layers = sample
    a, page = priority
    kp = layers["kawasan_prioritas"].to_crs(a.crs)
    names = kp["nama"].astype(str).tolist() if "nama" in kp.columns else None
    assert names, kp.columns
    ax = page.ax
    renderer = page.fig.canvas.get_renderer()
    legend = " ".join(" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts)
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    for name, geom in zip(names, kp.geometry):
        # the name (on one or more lines), else a tag "XX1" that the legend gives before the name
        m = re.search(r"(\S+) · " + re.escape(name), legend)
        wanted = {" ".join(name.split())} | ({m.group(1)} if m else set())
        found = [t for t in texts if " ".join(t.get_text().split()) in wanted]
        assert found, (name, wanted, [t.get_text() for t in texts])
        for t in found:
            box = _data_box(ax, t.get_window_extent(renderer))
            assert geom.contains(box), (name, t.get_text(), box.bounds, geom.bounds)


def test_programs_inside_the_kawasan_are_numbered_and_keyed(sample, priority):
    """Review s6 (MEDIUM): the 10 programs inside the kawasan had no numbers. Each program that intersects a kawasan
    (sjoin here) has a numbered callout whose number is its row in the rencana (its number on Peta Kesesuaian), and
    the page's list keys that number to the program's id."""
    _res, layers = sample
    a, page = priority
    r = layers["rencana"].reset_index(drop=True).to_crs(a.crs)
    kp = layers["kawasan_prioritas"].to_crs(a.crs)
    ok = ~(r.geometry.isna() | r.geometry.is_empty)
    hit = gpd.sjoin(r[ok][[r.geometry.name, "program_id"]], kp[[kp.geometry.name]], predicate="intersects")
    want = {str(i + 1): str(r["program_id"].iloc[i]) for i in sorted(set(hit.index))}
    assert len(want) == 10  # the sample's kawasan hold 10 programs (the review's count)
    on_map = {t.get_text() for t in page.ax.texts if t.get_gid() == "program"}
    for en in getattr(page.ax, "_sppr_enlargements", []):  # a dense kawasan is numbered in its enlargement
        on_map |= {t.get_text() for t in en["axes"].texts if t.get_gid() == "program"}
    assert on_map == set(want), (sorted(on_map), sorted(want))
    rows = page.overflow_rows or page.table_rows
    keyed = {str(n): str(t).split(" ", 1)[0] for n, t in rows if str(n).isdigit()}
    assert keyed == want


# --------------------------------------------------------------------------- Lampiran Peta 4


def test_programs_without_location_have_a_heading_on_lampiran_peta_4(sample):
    """Review s6 (LOW): on Lampiran Peta 4 the programs without a location followed the numbered rows with no
    heading. Their rows come after a heading row "Program tanpa lokasi (tidak digambar di peta)", printed (in the
    PDF) above the first of them and after the last located row, in the same column."""
    from printing import pdf_page

    from sppr_gis.maps.cartography import continuation_pages

    _res, layers = sample
    r = layers["rencana"].reset_index(drop=True)
    unloc = [str(r["program_id"].iloc[i]) for i in np.flatnonzero((r.geometry.isna() | r.geometry.is_empty).to_numpy())]
    assert unloc  # the sample has programs without a location
    a = _album(layers)
    page = a.page_conformance()
    sheets = continuation_pages(page)
    assert sheets
    words = []
    for fig in sheets:
        with pdf_page(fig) as pg:
            words.append(pg.extract_words())
    heading = "Program tanpa lokasi (tidak digambar di peta)"
    # the sheet whose text holds the heading: its first word's place, and the rows of the unlocated ids
    for ws in words:
        text = " ".join(w["text"] for w in ws)
        if "tanpa lokasi (tidak" in text:
            break
    else:
        pytest.fail(f"no heading {heading!r} on the Lampiran sheets")
    head = next(w for i, w in enumerate(ws) if w["text"] == "Program" and " ".join(x["text"] for x in ws[i:i + 3]) == "Program tanpa lokasi")
    ids = {w["text"]: w for w in ws if re.match(r"^[A-Z]+-\d{4}-\d{3}$", w["text"])}
    for pid in unloc:
        w = ids[pid]
        assert w["top"] > head["top"] and abs(w["x0"] - head["x0"]) < 40, (pid, w, head)  # below it, in its column
    located = [w for p, w in ids.items() if p not in unloc and abs(w["x0"] - ids[unloc[0]]["x0"]) < 5]
    assert all(w["top"] < head["top"] for w in located)  # the located rows of that column come before the heading


# --------------------------------------------------------------------------- Peta 3 swatches


def _ink_x1(artist, renderer, dpi):
    """The right end of a legend swatch's ink (display units): a line's path plus its cap (half its width for round
    or projecting caps), a marker's half size and edge, a filled patch's box plus half its edge."""
    if isinstance(artist, Line2D):
        right = -np.inf
        style = artist.get_linestyle()
        if style not in ("None", "", " ", "none") and artist.get_linewidth() > 0:
            xy = artist.get_transform().transform(np.column_stack([artist.get_xdata(), artist.get_ydata()]))
            cap = artist.get_solid_capstyle() if style in ("-", "solid") else artist.get_dash_capstyle()
            right = xy[:, 0].max() + (artist.get_linewidth() / 2 * dpi / 72 if str(cap) != "butt" else 0.0)
        if artist.get_marker() not in (None, "None", "", " ", "none"):
            xy = artist.get_transform().transform(np.column_stack([artist.get_xdata(), artist.get_ydata()]))
            every = artist.get_markevery()
            xy = xy[list(every)] if isinstance(every, (list, tuple)) else xy  # the points marked (one: the middle)
            right = max(right, xy[:, 0].max() + (artist.get_markersize() + artist.get_markeredgewidth()) / 2 * dpi / 72)
        return right
    if isinstance(artist, (Patch, Rectangle)):
        bb = artist.get_window_extent(renderer)
        return bb.x1 + artist.get_linewidth() / 2 * dpi / 72
    return artist.get_window_extent(renderer).x1


def test_legend_swatches_keep_a_visible_gap_to_their_text(sample):
    """Review s6 (LOW): on Peta 3 the pill swatches (6 pt lines with round caps) touched their text. Every swatch's
    ink (path, caps, markers, edges, measured here) ends at least 1 mm left of its label, on Peta 3 and Peta 15."""
    _res, layers = sample
    a = _album(layers)
    for page in (a.page_struktur(), a.page_priority()):
        fig = page.fig
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        checked = 0
        for lg in page.legends:
            for h, t in zip(lg.legend_handles, lg.texts):
                if h is None or not t.get_text().strip() or not h.get_visible():
                    continue
                x1 = _ink_x1(h, renderer, fig.dpi)
                if not np.isfinite(x1):
                    continue  # a blank handle (a keyed list's row)
                gap_mm = (t.get_window_extent(renderer).x0 - x1) / fig.dpi * 25.4
                assert gap_mm >= 1.0, (page.title, t.get_text(), round(gap_mm, 2))
                checked += 1
        assert checked >= 8, page.title


# --------------------------------------------------------------------------- Peta 14


def test_sinergi_callouts_stay_on_the_city_where_it_has_room(sample):
    """Review s6 (LOW): Peta 14's numbers sat beyond the city (at sea, west of the coast). On the sample's A4 page
    at most one circle is not wholly inside the union of the kecamatan (a cluster of six numbers on one coastal
    point; three before), and no leader is longer than 15 mm."""
    _res, layers = sample
    a = _album(layers, paper="A4")
    page = a.page_sinergi()
    ax = page.ax
    city = shapely.union_all(layers["kecamatan"].to_crs(a.crs).geometry.values)
    inv = ax.transData.inverted()
    out, longest = [], 0.0
    for t in ax.texts:
        if not str(t.get_gid()).startswith("relasi:"):
            continue
        bb = Bbox.from_extents(*t._sppr_box)
        c = inv.transform([((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2)])[0]
        radius = abs(inv.transform([(bb.x1, bb.y0)])[0][0] - inv.transform([(bb.x0, bb.y0)])[0][0]) / 2
        if not city.contains(shapely.Point(c).buffer(radius)):
            out.append(t.get_text())
        p = ax.transData.transform([t.xy])[0]
        longest = max(longest, (np.hypot((bb.x0 + bb.x1) / 2 - p[0], (bb.y0 + bb.y1) / 2 - p[1]) - bb.width / 2) / page.fig.dpi * 25.4)
    assert len(out) <= 1, out
    assert longest <= 15.0


# --------------------------------------------------------------------------- the chart


def test_the_capaian_chart_is_a_grafik_and_takes_no_map_number(sample):
    """Review s6 (LOW): "Peta 16" was a chart. After the 15 maps of the sample, the per-OPD capaian chart is
    numbered "Grafik 1" and the capaian map after it "Peta 16"; the PNG stems keep their names; the DAFTAR PETA row of
    the chart reads "Grafik 1"."""
    from sppr_gis.maps.kinerja_pages import kinerja_pages

    res, layers = sample
    a = _album(layers, dpi=40)
    a.number = 15  # the sample's 15 maps before the kinerja pages (the album's own order)
    pages = list(kinerja_pages(a, res.kinerja))
    assert [stem for stem, _p in pages] == ["capaian_kinerja_opd", "capaian_kinerja_kecamatan"]
    (_s1, chart), (_s2, cmap) = pages
    assert chart.chart and chart.number == "Grafik 1" and chart.title.startswith("Grafik ")
    assert not cmap.chart and cmap.number == "Peta 16"
    entries, rows = album_mod._number_pages([(s, p) for s, p in pages], {}, first=30)
    assert [e[0] for e in entries] == ["Grafik 1", "Peta 16"]
