"""Issue 19, the cartographer's review of session 6 (MEDIUM/LOW): labels, sheets and wording, read back from the
printed page (pdfplumber) or measured against geometry built or read here, never against the album's own answer.

- a zone code is printed whole, on one line (never "SPU/2", "SPU" over "2", nor since s9 "SPU-" over "2");
- a kecamatan or kelurahan name lies wholly inside its own area and clear of the road and network lines (the
  sample's layers read here with geopandas), on Peta 1 and on a thematic map; else it is numbered and keyed;
- a Lampiran sheet says what its list is ("LAMPIRAN PETA 4 · DAFTAR PROGRAM"), never "(LANJUTAN) - Daftar yang
  tidak muat"; a short list (an OPD's few programs) stands beside its map instead of taking a sheet;
- the DAFTAR PETA fits one page (at least 7 pt); the scale bar reads 0-1-2-3-4-5 or 0-2,5-5, never 0-2-5; at least
  two graticule labels on each side; "konflik pekerjaan" where programs collide, "Skala grafis" for the bar.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pdfplumber
import pytest
import shapely
from mapdata import sample_album_layers
from printing import pdf_words

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography import MapFrame, continuation_pages
from sppr_gis.maps.pages.front import daftar_peta_pages

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def layers():
    return sample_album_layers()[1]


def _album(layers, paper):
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=paper)


def _pdf_text(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        return doc.pages[0].extract_text(use_text_flow=True) or ""


def _box(ax, t):
    """A text's printed box in data units."""
    bb = t.get_window_extent(ax.figure.canvas.get_renderer())
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _sample(layer: str, crs) -> gpd.GeoDataFrame:
    path, name = {"kecamatan": ("admin.gpkg", "kecamatan"), "kelurahan": ("admin.gpkg", "kelurahan"), "jaringan": ("struktur_ruang.gpkg", "jaringan")}[layer]
    g = gpd.read_file(SAMPLE / path, layer=name).to_crs(crs)
    return g[~(g.geometry.isna() | g.geometry.is_empty)]


def _name_field(g: gpd.GeoDataFrame) -> str:
    """The sample's name field: a kelurahan's own (WADMKD) before its kecamatan's (WADMKC)."""
    return next(c for c in ("nama", "WADMKD", "WADMKC", "NAMOBJ") if c in g.columns)


# --------------------------------------------------------------------------- 1. zone codes


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_a_zone_code_is_printed_whole(layers, paper):
    """s6: a stacked code read 'SPU/2' or 'SPU' over '2'; s9 (review s8, MEDIUM): a code is never broken over two
    lines at all ('SPU-' over '3'): every printed code is whole, on one line."""
    page = _album(layers, paper).page_zoning()
    codes = set(gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")["KODSZN"].dropna().astype(str))
    words, _h = pdf_words(page.fig)
    texts = [w["text"] for w in words]
    stacked = [t.get_text() for t in page.ax.texts if t.get_gid() == "zone-code" and t.get_visible() and "\n" in t.get_text()]
    assert not stacked, paper
    assert not [t for t in texts if re.fullmatch(r"[A-Z]+-", t)], paper  # never 'SPU-' with its '3' below
    assert not [t for t in texts if re.fullmatch(r"[A-Z]+/\d+", t)], paper  # never 'SPU/2'
    # a code's head printed alone ("SPU" over "2") would read as another code
    assert not [t for t in texts if t in {c.split("-")[0] for c in codes if "-" in c} and t not in codes], paper
    assert len([t for t in texts if t in codes]) > 100, paper


# --------------------------------------------------------------------------- 2. names inside their areas, off the roads


@pytest.fixture(scope="module", params=["A3", "A4"])
def admin_page(request, layers):
    return request.param, _album(layers, request.param).page_admin()


def test_peta_1_names_lie_inside_their_own_area_and_off_the_roads(admin_page):
    paper, page = admin_page
    ax = page.ax
    kec = _sample("kecamatan", page.crs)
    kel = _sample("kelurahan", page.crs)
    roads = _sample("jaringan", page.crs)
    lines = [g for g in roads.geometry if shapely.get_dimensions(g) == 1]
    kec_by = {str(n).upper(): shapely.union_all(list(g.geometry)) for n, g in kec.groupby(_name_field(kec))}
    kel_by = {str(n): shapely.union_all(list(g.geometry)) for n, g in kel.groupby(_name_field(kel))}
    named = {"kec-name": 0, "kel-name": 0}
    numbered = {"kec-name": 0, "kel-name": 0}
    for t in ax.texts:
        gid = t.get_gid() or ""
        if gid.removesuffix("-number") not in named or not t.get_visible() or not t.get_text():
            continue
        box = _box(ax, t)
        areas = kec_by if gid.startswith("kec") else kel_by
        if gid.endswith("-number"):  # a number (keyed in the legend) inside one of the areas
            assert any(a.contains(box) for a in areas.values()), (paper, gid, t.get_text())
            numbered[gid.removesuffix("-number")] += 1
            continue
        name = " ".join(t.get_text().split())
        box = _box(ax, t)
        assert areas[name].contains(box), (paper, name)  # on main: 'Kampung Bugis' centred over its boundary
        crossing = [i for i, ln in enumerate(lines) if ln.intersects(box)]
        assert not crossing, (paper, name, crossing)  # on main: 'TANJUNGPINANG TIMUR' on Jalan Adi Sucipto
        named[gid] += 1
    assert named["kec-name"] + numbered["kec-name"] == len(kec_by) and named["kel-name"] + numbered["kel-name"] == len(kel_by), (paper, named, numbered)
    if paper == "A3":  # room for every name on A3
        assert numbered == {"kec-name": 0, "kel-name": 0}, numbered


@pytest.mark.parametrize("paper", ["A3"])
def test_kecamatan_names_on_a_thematic_map_lie_inside_and_off_every_line(layers, paper):
    a = _album(layers, paper)
    page = a.page_ipu()
    ax = page.ax
    kec = _sample("kecamatan", page.crs)
    kec_by = {str(n).upper(): shapely.union_all(list(g.geometry)) for n, g in kec.groupby(_name_field(kec))}
    # every line drawn on the map (roads, networks, IPU and program lines), read from the artists' paths
    drawn = []
    for art in list(ax.collections) + list(ax.lines):
        if (art.get_gid() or "") in ("line-feature", "network") or (art.get_gid() or "").startswith("struktur:"):
            segs = art.get_segments() if hasattr(art, "get_segments") else [art.get_xydata()]
            drawn.extend(shapely.linestrings(np.asarray(s, dtype=float)) for s in segs if len(s) >= 2)
    names = [t for t in ax.texts if t.get_gid() == "kec-label" and t.get_visible()]
    assert names
    for t in names:
        name = " ".join(t.get_text().split())
        box = _box(ax, t)
        assert kec_by[name].contains(box), name
        assert not any(ln.intersects(box) for ln in drawn), name


# --------------------------------------------------------------------------- 3. Lampiran sheets


def test_a_lampiran_sheet_says_what_its_list_is(layers):
    a = _album(layers, "A3")
    page = a.page_conformance()
    sheets = continuation_pages(page)
    assert sheets  # 67 programs: their list is on the Lampiran
    text = " ".join(" ".join(_pdf_text(s) for s in sheets).split())
    assert f"LAMPIRAN {page.number.upper()} · DAFTAR PROGRAM" in text
    assert "tidak muat" not in text and "(LANJUTAN) –" not in text
    assert f"Nomor pada {page.number}" in text


def _background_keyed(text: str, layers) -> bool:
    """Every zone colour of the faded background keyed on the page: each zone code of the layer (read here) in the
    legend, or the one entry naming the map that keys them, with the number of zones counted here."""
    codes = sorted(set(layers["zoning"]["zone_code"].astype(str)))
    if re.search(rf"Warna\s+latar:\s+{len(codes)}\s+zona\s+pola\s+ruang,\s+dipudarkan", text):
        return True
    words = set(re.findall(r"[A-Z]+(?:-\d+)?", text))
    return all(c in words for c in codes)


def test_a_short_list_stands_beside_its_map(layers):
    """An OPD of a few programs (Dinas Kesehatan: 7) keys them in the legend panel, not on a sheet of its own (session 6:
    on a Lampiran sheet since the OPD maps key their faded zoning, whose 20 codes left no room for the list in one
    column); the faded zoning stays keyed, code by code here (in columns)."""
    rencana = layers["rencana"]
    page = next(p for p in _album(layers, "A3").pages_opd() if "KESEHATAN" in p.title.upper())
    ids = sorted(rencana.loc[rencana["opd"] == "Dinas Kesehatan", "program_id"].astype(str))
    assert 0 < len(ids) <= 24
    assert continuation_pages(page) == []
    text = " ".join(_pdf_text(page.fig).split())
    for pid in ids:
        assert re.search(r"\d+\.\s+" + re.escape(pid), text), pid  # 'n. DINKES-2025-001 ...' in the legend panel
    assert "halaman berikutnya" not in text
    assert _background_keyed(text, layers)


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_a_short_list_beside_the_map_before_the_full_key_of_its_faded_zoning(layers, paper):
    """The priority on an OPD map (issue 19, session 7): the list of what the map numbers stands beside it, in one
    column, before the faded zoning's full key: that key in columns of codes, or where even those leave no room its
    one entry naming the pola ruang map; a Lampiran sheet only for a list that fits with neither. Main (7 Dec) put
    every OPD list of the sample on a Lampiran sheet, A3 and A4, for the 20 zone codes of the background."""
    rencana = layers["rencana"]
    beside = 0
    for page in _album(layers, paper).pages_opd():
        opd = next(o for o in rencana["opd"].dropna().astype(str).unique() if page.title.endswith(o))
        ids = sorted(rencana.loc[rencana["opd"] == opd, "program_id"].astype(str))
        text = " ".join(_pdf_text(page.fig).split())
        assert _background_keyed(text, layers), (paper, opd)  # every colour drawn keyed, whatever the list took
        rows = [pid for pid in ids if re.search(r"\d+\.\s+" + re.escape(pid), text)]
        if continuation_pages(page):
            assert rows == [], (paper, opd)  # on its sheet: none of its rows beside the map
            assert "halaman berikutnya" in text
            continue
        beside += 1
        assert rows == ids, (paper, opd)  # beside the map: every row
        # in one column: the rows' ids at one left edge, top to bottom in the list's order (the programs on the map by
        # their numbers, the rencana's rows, then those without a location); read across two columns, a row was taken
        # for another program's (test_album_program_numbers)
        sel = rencana[rencana["opd"] == opd]
        located = ~(sel.geometry.isna() | sel.geometry.is_empty)
        order = [*sel.loc[located, "program_id"].astype(str), *sel.loc[~located, "program_id"].astype(str)]
        words, _ = pdf_words(page.fig)
        heads = sorted((w for w in words if w["text"] in set(ids)), key=lambda w: w["top"])
        assert [w["text"] for w in heads] == order, (paper, opd)
        assert max(w["x0"] for w in heads) - min(w["x0"] for w in heads) < 12.0, (paper, opd)
    assert beside >= 4, (paper, beside)  # Dinas Kesehatan, Lingkungan Hidup, Pendidikan, Perhubungan (7-9 programs)


# --------------------------------------------------------------------------- 4. DAFTAR PETA, scale bar, grid, wording


@pytest.mark.parametrize("paper", ["A3", "A4"])
@pytest.mark.parametrize("n", [27, 60])
def test_the_daftar_peta_fits_one_page_at_7_pt_or_more(paper, n):
    entries = [(f"Peta {i + 1}", f"Peta Program Dinas Pekerjaan Umum dan Penataan Ruang {i + 1}", i + 5) for i in range(n)]
    figs = daftar_peta_pages(entries, paper=paper, dpi=40)
    assert len(figs) == 1
    buf = io.BytesIO()
    figs[0].savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        page = doc.pages[0]
        text = page.extract_text(use_text_flow=True)
        assert min(c["size"] for c in page.chars) >= 7.0 - 1e-6
    for number, title, pg in entries:
        assert title in text, (paper, n, title)


def _pdf_chars(fig) -> list[dict]:
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        return list(doc.pages[0].chars)


def _frame(bounds, paper):
    f = MapFrame("Uji", crs="EPSG:32748", subtitle="Kota Uji", paper=paper)
    f.set_extent(bounds)
    f.finish("Sumber: uji")
    return f


@pytest.mark.parametrize("paper", ["A3", "A4"])
@pytest.mark.parametrize("bounds", [(785_000, 9_230_000, 800_000, 9_240_000), (780_000, 9_225_000, 805_000, 9_248_000), (790_000, 9_232_000, 792_000, 9_233_200)])
def test_scale_bar_ticks_are_nice_and_every_side_has_two_graticule_labels(paper, bounds):
    f = _frame(bounds, paper)
    words, height = pdf_words(f.fig)
    W = f.fig.get_figwidth() * 72
    (ax0, ay0), (ax1, ay1) = f.ax.get_position().get_points()
    # the scale bar's labels, read from the page inside its box
    box = next(p for p in f.ax.patches if p.get_gid() == "scalebar-box")
    bb = box.get_window_extent(f.fig.canvas.get_renderer())
    k = 72.0 / f.fig.dpi
    inside = [w for w in words if bb.x0 * k - 1 <= w["x0"] and w["x1"] <= bb.x1 * k + 1 and height - bb.y1 * k - 1 <= w["top"] and w["bottom"] <= height - bb.y0 * k + 1]
    ticks = [re.sub(r"k?m$", "", w["text"]) for w in sorted(inside, key=lambda w: w["x0"])]  # '2,5 km' may read '2,5km'
    values = [float(t.replace(".", "").replace(",", ".")) for t in ticks if t]
    assert values[0] == 0 and len(values) >= 2
    steps = np.diff(values)
    assert np.allclose(steps, steps[0]), (paper, bounds, ticks)  # evenly spaced: never 0-2-5
    mant = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(abs(mant - m) < 1e-9 for m in (1, 2, 2.5, 5)), (paper, bounds, ticks)
    assert re.search(r"k?m$", sorted(inside, key=lambda w: w["x0"])[-1]["text"])
    # graticule: degree labels above the map (BT) and right of it (LS), metres below (mT) and left (mU, rotated):
    # at least two on each side, counted by their characters (one '°' or one 'U' a label; pdfplumber runs the
    # letters of rotated labels in one column together)
    chars = _pdf_chars(f.fig)
    top = [c for c in chars if c["text"] == "°" and c["bottom"] <= (1 - ay1) * height + 1]
    right = [c for c in chars if c["text"] == "°" and c["x0"] >= ax1 * W - 1]
    assert len(top) >= 2 and len(right) >= 2, (paper, bounds, len(top), len(right))
    left = [c for c in chars if c["text"] == "U" and c["x1"] <= ax0 * W + 1]
    bottom = [c for c in chars if c["text"] == "T" and c["top"] >= (1 - ay0) * height - 1 and c["x1"] <= ax1 * W + 1]
    assert len(left) >= 2 and len(bottom) >= 2


def test_the_scale_block_and_the_relations_speak_the_usual_terms(layers):
    from sppr_gis.maps.pages.synergy import RELATION_LABELS, RELATION_SHORT, _relation_summary
    from sppr_gis.vocabulary import CODE_LABELS

    f = _frame((785_000, 9_230_000, 800_000, 9_240_000), "A3")
    text = " ".join(_pdf_text(f.fig).split())
    assert "Skala grafis" in text and "atang skala" not in text
    assert RELATION_LABELS["tabrakan"].startswith("Konflik pekerjaan") and RELATION_SHORT["tabrakan"] == "Konflik pekerjaan"
    assert "konflik pekerjaan" in _relation_summary({"tabrakan": 2}) and "tabrakan" not in _relation_summary({"tabrakan": 2})
    assert CODE_LABELS["tabrakan"] == "Konflik pekerjaan"  # the code stays 'tabrakan'
    page = _album(layers, "A3").page_sinergi()
    sheets = [page.fig, *continuation_pages(page)]
    printed = " ".join(" ".join(_pdf_text(s).split()) for s in sheets)
    assert "abrakan" not in printed.lower() and "onflik pekerjaan" in printed
