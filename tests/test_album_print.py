"""Issue 19: the Album Peta as an agency configures it (two-line instansi, four-line penandatangan with a blank
line and NIP, a logo, tempat/tanggal), on A3 and on A4, read back from the PDF as a reviewer reads it.

The album is written once per paper size from the layers ``sppr sync`` hands to it (PNGs at a low dpi to keep the
test fast: the PDF is vector and the layout does not depend on the dpi). Expected values come from the config
text itself, the sample's own files and the page geometry, never from the album code.
"""

from __future__ import annotations

import re

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from conftest import SAMPLE
from mapdata import sample_album_layers
from printing import draw_logo

from sppr_gis.errors import ConfigError
from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography import _dms

pypdf = pytest.importorskip("pypdf")

INSTANSI = "Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
PENANDATANGAN = (
    "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Contoh\n"
    "\n"
    "Dr. Ir. Raja Muhammad Ariffin Syahputra, S.T., M.T., M.Sc.\n"
    "NIP 19700101 199503 1 001"
)
TEMPAT, TANGGAL = "Tanjungpinang", "2 Januari 2026"


def _norm(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def layers():
    """The layers the sync hands to the album for the sample's 2025."""
    return sample_album_layers()[1]


@pytest.fixture(scope="module")
def logo(tmp_path_factory):
    """A logo drawn here: a shield with a pin."""
    return draw_logo(tmp_path_factory.mktemp("logo"))


def _write(layers, out, paper, logo, **kw):
    sumber = {"zoning": "RDTR Kota Contoh (Perda No. 1 Tahun 2021), data contoh", "rencana": "RKPD 2025 (SIPD)", "kecamatan": "Batas administrasi, data contoh"}
    return album_mod.write_album(
        layers, out, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper=paper, dpi=60, office=INSTANSI, signatory=PENANDATANGAN,
        logo=logo, sumber=sumber, tempat=TEMPAT, tanggal=TANGGAL, kata_pengantar="Album Peta ini melengkapi Buku Matriks.\n\nParagraf kedua.", **kw,
    )


@pytest.fixture(scope="module", params=["A3", "A4"])
def album(request, layers, logo, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"album_{request.param}")
    paths = _write(layers, out, request.param, logo)
    reader = pypdf.PdfReader(str(paths[0]))
    texts = [p.extract_text() for p in reader.pages]
    return request.param, paths, reader, texts


#: A map sheet's "Lembar i dari n" (a continuation page's reads "Lampiran Peta N, Lembar k dari m").
MAP_SHEET = re.compile(r"(?<!,\s)Lembar \d+ dari \d+")
LAMPIRAN = re.compile(r"Lampiran Peta (\d+), Lembar (\d+) dari (\d+)")


def _map_pages(texts):
    """0-based indices of the map pages (they carry 'Lembar i dari n')."""
    return [i for i, t in enumerate(texts) if MAP_SHEET.search(t)]


# --------------------------------------------------------------------------- 1. the signatory


def test_every_signatory_line_prints_on_every_map_page_and_under_the_foreword(album):
    paper, _, _, texts = album
    lines = [_norm(x) for x in PENANDATANGAN.split("\n") if x.strip()] + [_norm(x) for x in INSTANSI.split("\n")] + [f"{TEMPAT}, {TANGGAL}"]
    maps = _map_pages(texts)
    assert len(maps) == 15
    lampiran = [i for i, t in enumerate(texts) if LAMPIRAN.search(t)]
    assert lampiran  # review s5: a continuation page carries the map's signature block too
    for i in maps + lampiran:
        page = _norm(texts[i])
        for line in lines:
            assert line in page, (paper, i + 1, line)
    kp = next(i for i, t in enumerate(texts) if "KATA PENGANTAR" in t)
    for line in [x for x in lines if x not in (_norm(y) for y in INSTANSI.split("\n"))]:
        assert line in _norm(texts[kp]), (paper, line)


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_there_are_25_mm_to_sign_and_nothing_is_printed_there(layers, logo, paper):
    pages = album_mod.album_pages({k: layers[k] for k in ("zoning", "rencana", "kecamatan", "kelurahan")}, year=2025, title="SPPR Kota Contoh", paper=paper, dpi=60,
                                  office=INSTANSI, signatory=PENANDATANGAN, logo=logo, place_date=f"{TEMPAT}, {TANGGAL}")
    for _, page in pages:
        fig = page.fig
        block = page.preparer_artists
        lo, hi = block.sign_space
        assert (hi - lo) * fig.get_figheight() * 25.4 >= 25.0 - 1e-6
        r = fig.canvas.get_renderer()
        inv = fig.transFigure.inverted()
        for t in fig.texts:
            if not t.get_text().strip():
                continue
            (x0, y0), (x1, y1) = inv.transform(t.get_window_extent(r))
            if x1 > 0.745:  # the information column
                assert y1 <= lo + 1e-4 or y0 >= hi - 1e-4, (t.get_text()[:40], y0, y1, lo, hi)
        # the name (bold) is below the space, the title above it
        names = [t for t in block.texts if "Syahputra" in t.get_text()]
        assert names and inv.transform(names[0].get_window_extent(r))[1][1] <= lo + 1e-4


def test_a_signatory_that_cannot_fit_stops_with_the_key_and_writes_no_album(layers, logo, tmp_path):
    huge = "\n".join(f"Baris jabatan {i} yang panjang sekali untuk diuji" for i in range(60)) + "\n\nNama\nNIP 1"
    with pytest.raises(ConfigError, match=r"album\.penandatangan"):
        album_mod.write_album({k: layers[k] for k in ("zoning", "kecamatan")}, tmp_path, year=2025, title="SPPR Kota Contoh", paper="A4", dpi=60, signatory=huge)
    assert not (tmp_path / "album_peta.pdf").exists()


def test_without_tempat_and_tanggal_every_signature_block_has_a_line_to_fill_in_and_a_warning(layers, tmp_path, caplog):
    """Cartographer's B4: the sample config has no tempat/tanggal; the blocks still carry a place and date to fill by hand."""
    pdfplumber = pytest.importorskip("pdfplumber")
    fill = "\u2026\u2026\u2026, \u2026\u2026\u2026\u2026\u2026\u2026 20\u2026"
    # the album's own logger, at WARNING: an earlier `sppr -q` in this process leaves the sppr_gis logger at ERROR
    with caplog.at_level("WARNING", logger="sppr_gis.maps.album"):
        paths = album_mod.write_album({k: layers[k] for k in ("zoning", "kecamatan", "kelurahan")}, tmp_path, year=2025, title="SPPR Kota Contoh", paper="A3",
                                      dpi=40, office=INSTANSI, signatory=PENANDATANGAN, kata_pengantar="Kata pengantar.")
    assert any("album.tempat" in r.getMessage() and "album.tanggal" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    title = _norm(PENANDATANGAN.split("\n")[0])
    with pdfplumber.open(paths[0]) as pdf:
        texts = [p.extract_text() or "" for p in pdf.pages]
        signed = [i for i, t in enumerate(texts) if MAP_SHEET.search(t) or "KATA PENGANTAR" in t]
        assert len(signed) >= 3
        for i in signed:
            # a map page's block is read in its panel (right of 0.745 of the width): the words of the map's source
            # strip or scale bar at the same height are not on its lines
            page = pdf.pages[i]
            own = page.crop((page.width * 0.745, 0, page.width, page.height)).extract_text() if "KATA PENGANTAR" not in texts[i] else texts[i]
            lines = [_norm(x) for x in (own or "").split("\n")]
            assert fill in lines, (i + 1, lines[-12:])
            # the fill-in line is above the signatory's title, as a dated line is
            words = pdf.pages[i].extract_words()
            y_fill = min(w["top"] for w in words if w["text"].startswith("\u2026"))
            y_title = min(w["top"] for w in words if w["text"] == title.split()[0])
            assert y_fill < y_title, (i + 1, y_fill, y_title)


def test_a_partial_place_date_keeps_the_given_part():
    assert album_mod.place_date_line("Tanjungpinang", None) == "Tanjungpinang, \u2026\u2026\u2026\u2026\u2026\u2026 20\u2026"
    assert album_mod.place_date_line(" ", "2 Januari 2026") == "\u2026\u2026\u2026, 2 Januari 2026"
    assert album_mod.place_date_line(TEMPAT, TANGGAL) == f"{TEMPAT}, {TANGGAL}"


# --------------------------------------------------------------------------- 2. one frame and one scale for the whole city


def test_every_full_city_map_shows_the_whole_admin_area_at_one_scale(layers):
    pages = dict(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", paper="A3", dpi=60))
    admin = gpd.GeoDataFrame(geometry=[shapely.union_all(np.asarray(layers["kecamatan"].geometry.array, dtype=object))], crs=layers["kecamatan"].crs)
    bx0, by0, bx1, by1 = admin.to_crs(32648).total_bounds
    scales = set()
    for stem, page in pages.items():
        x0, x1 = page.ax.get_xlim()
        y0, y1 = page.ax.get_ylim()
        assert x0 <= bx0 and y0 <= by0 and x1 >= bx1 and y1 >= by1, stem
        # the printed scale: ground width over the map's width on paper
        w_paper_m = page.ax.get_position().width * page.fig.get_figwidth() * 0.0254
        scales.add(round((x1 - x0) / w_paper_m, -1))
    assert len(scales) == 1, scales
    (scale,) = scales
    page = pages[next(k for k in pages if k.endswith("administrasi"))]
    text = " ".join(t.get_text() for t in page.fig.texts)
    assert f"Skala 1 : {int(scale):,}".replace(",", ".") in text


# --------------------------------------------------------------------------- 3. the inset


def test_every_map_has_an_inset_with_the_surroundings_from_album_inset(layers, tmp_path):
    """With ``[album] inset`` the inset draws the neighbours (built here: four regencies around the city) and names them."""
    k = layers["kecamatan"].to_crs(32648)
    x0, y0, x1, y1 = k.total_bounds
    w = x1 - x0
    ring = [
        ("Kabupaten Utara", shapely.box(x0 - w, y1, x1 + w, y1 + w)), ("Kabupaten Selatan", shapely.box(x0 - w, y0 - w, x1 + w, y0)),
        ("Kabupaten Barat", shapely.box(x0 - w, y0, x0, y1)), ("Kabupaten Timur", shapely.box(x1, y0, x1 + w, y1)),
    ]
    g = gpd.GeoDataFrame({"name": [n for n, _ in ring]}, geometry=[p for _, p in ring], crs=32648).to_crs(4326)
    path = tmp_path / "sekitar.gpkg"
    g.to_file(path, layer="kabkota")
    inset = album_mod.read_inset(f"{path}:kabkota")
    pages = list(album_mod.album_pages({kk: layers[kk] for kk in ("zoning", "rencana", "kecamatan", "indikasi_program")}, year=2025, title="SPPR Kota Contoh",
                                       paper="A4", dpi=60, inset=inset, inset_source="Batas kabupaten sekitar (uji)"))
    assert len(pages) >= 4
    for _, page in pages:
        ax = page.inset_ax
        assert ax is not None and any(p.get_gid() == "inset-extent" for p in ax.patches)
        names = {t.get_text() for t in ax.texts if t.get_gid() == "inset-name"}
        assert names & {n for n, _ in ring}
        # the inset lies inside the map frame and does not hide the admin area more than a corner's worth
        pos = page.ax.get_position()
        bx, by, bw, bh = page.inset_box
        assert pos.x0 <= bx and bx + bw <= pos.x1 and pos.y0 <= by and by + bh <= pos.y1
        assert "Batas kabupaten sekitar (uji)" in " ".join(" ".join(a.get_text() for a in page.sources_artists).split())


def test_an_unreadable_inset_names_the_key(tmp_path):
    bad = tmp_path / "x.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(ConfigError, match=r"album\.inset"):
        album_mod.read_inset(str(bad))


# --------------------------------------------------------------------------- 4. legends and tables on A4


def test_every_zone_code_is_keyed_on_the_pola_ruang_map_or_its_continuation(album, layers):
    paper, _, _, texts = album
    codes = sorted(set(gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")["KODSZN"].dropna().astype(str)))  # the sample's own file
    i = next(i for i, t in enumerate(texts) if "Lembar" in t and "PETA RENCANA POLA RUANG" in t)
    j = i + 1
    block = texts[i]
    while j < len(texts) and LAMPIRAN.search(texts[j]):
        block += "\n" + texts[j]
        j += 1
    assert "lainnya" not in block
    for c in codes:
        assert re.search(rf"(^|\s){re.escape(c)}\s", block), (paper, c)


def test_every_ipu_number_on_the_map_is_keyed_in_the_table(album, layers):
    paper, _, _, texts = album
    ipu = layers["indikasi_program"]
    located = int((~(ipu.geometry.isna() | ipu.geometry.is_empty)).sum())
    i = next(i for i, t in enumerate(texts) if "Lembar" in t and "JANGKA MENENGAH" in t)
    block = texts[i]
    j = i + 1
    while j < len(texts) and LAMPIRAN.search(texts[j]):
        block += "\n" + texts[j]
        j += 1
    ids = set(ipu["ipu_id"].astype(str)) if "ipu_id" in ipu.columns else set()
    ids_located = {str(v) for v, g in zip(ipu["ipu_id"], ipu.geometry) if g is not None and not g.is_empty}
    assert len(ids_located) == located
    for v in ids_located:
        assert v in block, (paper, v)
    assert ids  # the layer has ids
    assert "lainnya" not in block


# --------------------------------------------------------------------------- 7. grid labels and page numbers


def test_no_grid_label_reads_60_minutes():
    assert _dms(105.99999999, "lon") == "106°00' BT"
    assert _dms(-6.999999999, "lat") == "7°00' LS"
    assert _dms(106.5, "lon") == "106°30' BT"


def test_no_printed_grid_label_has_60_minutes_or_more(album):
    paper, _, _, texts = album
    found = 0
    for t in texts:
        for d, m in re.findall(r"(\d+)°(\d+(?:,\d)?)'", t):
            found += 1
            assert float(m.replace(",", ".")) < 60, (paper, d, m)
    assert found > 0


def test_pages_are_numbered_and_the_daftar_peta_points_at_them(album):
    paper, _, _, texts = album
    for n, t in enumerate(texts[1:], start=2):
        assert f"Halaman {n}" in t, (paper, n)
    for n, t in enumerate(texts, start=1):
        for m in re.finditer(r"berlanjut.{0,40}?pada\s+halaman\s+(\S+)", t, flags=re.DOTALL):
            assert m.group(1).rstrip(".") == str(n + 1), (paper, n, m.group(0))
    daftar = "\n".join(t for t in texts if "DAFTAR PETA" in t)
    rows = re.findall(r"^Peta (\d+)\s+(.+?)\s+(\d+)\s*$", daftar, flags=re.MULTILINE)
    assert len(rows) == 15
    for num, _title, page in rows:
        t = texts[int(page) - 1]
        assert re.search(rf"PETA {num}\s+Lembar", t), (paper, num, page)


def test_no_text_below_7_pt(album):
    from test_maps import _text_runs

    paper, _, reader, _ = album
    sizes = [(sz, i, t) for i, page in enumerate(reader.pages) for sz, t in _text_runs(page)]
    assert len(sizes) > 300
    small = [x for x in sizes if x[0] < 7.0 - 0.05]
    assert small == [], (paper, small[:10])


# --------------------------------------------------------------------------- 6. one source for paper and title


def test_the_cover_prints_the_sppr_phrase_once():
    fig = album_mod.cover_page(title="Sinkronisasi Program Pemanfaatan Ruang Kota Contoh", region="Kota Contoh", year=2025)
    text = " ".join(t.get_text() for t in fig.texts).upper()
    assert text.count("SINKRONISASI PROGRAM PEMANFAATAN RUANG") == 1 and "SPPR SINKRONISASI" not in text
    fig = album_mod.cover_page(title="Kota Contoh", region="Kota Contoh", year=2025)
    text = " ".join(t.get_text() for t in fig.texts).upper()
    assert "SPPR KOTA CONTOH" in text and text.count("SINKRONISASI PROGRAM PEMANFAATAN RUANG") == 1


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_the_report_names_the_albums_paper(paper, album):
    from sppr_gis.report.html import render_report

    _, paths, _, _ = album
    html = render_report(layers={}, year=2025, title="SPPR Kota Contoh", maps=[paths[1]], paper=paper)
    assert f"{paper} mendatar" in html and ("A4 mendatar" not in html or paper == "A4")


assert matplotlib.get_backend().lower() == "agg"


_SUMBER_FULL = {"zoning": "RDTR Kota Contoh (Perda Kota Contoh No. 1 Tahun 2021), data contoh", "rencana": "RKPD Kota Contoh Tahun 2025 (SIPD), Renja OPD, data contoh",
                "kecamatan": "Batas administrasi kecamatan, data contoh", "kelurahan": "Batas administrasi kelurahan, data contoh",
                "struktur_ruang": "Rencana struktur ruang RDTR Kota Contoh, data contoh", "indikasi_program": "Indikasi program utama RTRW Kota Contoh 2021-2041, data contoh"}


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_map_sheets_key_every_symbol_they_draw(layers, logo, paper):
    """Carto B1: with a realistic [album] (two-line instansi, four-line penandatangan, logo, every source cited) the
    legend of what a map draws stays on its sheet, on A3 and on A4: every entry of every section is laid out in the
    panel, and nothing says the legend continues elsewhere."""
    pages = list(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper=paper, dpi=40, office=INSTANSI,
                                       signatory=PENANDATANGAN, logo=logo, sumber=_SUMBER_FULL, place_date=f"{TEMPAT}, {TANGGAL}"))
    assert len(pages) >= 14
    for stem, page in pages:
        drawn = sorted(_norm(t) for s in page.legend_sections for t in s.labels)
        on_sheet = sorted(_norm(t.get_text()) for lg in page.legends for t in lg.texts)
        assert on_sheet == drawn or (drawn and len(on_sheet) == len(drawn)), (paper, stem, len(on_sheet), len(drawn))
        assert not any("berlanjut" in t.get_text() and "egenda" in t.get_text() for t in page.fig.texts), (paper, stem)


def _pdf_pages(path):
    """Each page's text in the PDF's own order (a legend label that wraps stays in one piece), whitespace folded."""
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(str(path)) as doc:
        return [_norm(p.extract_text(use_text_flow=True) or "") for p in doc.pages]


def test_every_map_sheet_of_the_pdf_keys_on_itself_what_it_draws(album, layers):
    """Carto B1 read from the printed album (pdfplumber), A3 and A4, realistic [album]: on every map sheet the key to
    what it draws is on that same page; no map sheet's legend says 'berlanjut'; a continuation page holds no legend.
    The classes drawn come from the layers: the zone codes on Peta 2, the status of the located programs with their
    counts on Peta 4 and on each OPD map, the IPU sync statuses on Peta 5, the kecamatan on Peta 1."""
    from sppr_gis.vocabulary import IPU_SYNC_LABELS, STATUS_LABELS

    paper, paths, _, _ = album
    texts = _pdf_pages(paths[0])
    maps = _map_pages(texts)
    assert len(maps) == 15
    for i in maps:
        assert "Legenda berlanjut" not in texts[i] and "LEGENDA" in texts[i], (paper, i + 1)
    for t in texts:
        if LAMPIRAN.search(t):
            assert "legenda" not in t.lower(), (paper, t[:80])

    def page_of(title: str) -> str:
        # s5: not a note's sentence naming another map ('... nama semua kecamatan pada Peta Administrasi.' on the pola
        # ruang sheet when a kecamatan name gives way to the zone codes)
        hits = [texts[i] for i in maps if re.search(re.escape(title) + r"(?!\.)", texts[i].upper())]
        assert len(hits) == 1, (paper, title, len(hits))
        return hits[0]

    def has(page: str, text: str) -> bool:
        return re.search(r"\s*".join(re.escape(c) for c in text.replace(" ", "")), page) is not None

    zoning = page_of("PETA RENCANA POLA RUANG")
    for code in sorted(set(layers["zoning"]["zone_code"].dropna().astype(str))):
        assert re.search(rf"(^|\s){re.escape(code)}\s", zoning), (paper, code)
    r = layers["rencana"]
    located = ~(r.geometry.isna() | r.geometry.is_empty)
    conf = page_of("PETA KESESUAIAN PROGRAM")
    for status, n in r["status"].astype(str).value_counts().items():
        assert has(conf, f"{STATUS_LABELS[status]} ({n}"), (paper, status, n)
    for opd, g in r.groupby("opd"):
        if not located[g.index].any():
            continue
        page = page_of(f"PETA PROGRAM {str(opd).upper()}")
        for status, n in g["status"].astype(str).value_counts().items():
            assert has(page, f"{STATUS_LABELS[status]} ({n}"), (paper, opd, status, n)
    ipu = layers["indikasi_program"]
    ipu_page = page_of("PETA SINKRONISASI INDIKASI PROGRAM")
    for st, n in ipu["status_sinkron"].astype(str).value_counts().items():
        assert has(ipu_page, f"{IPU_SYNC_LABELS[st]} ({n}"), (paper, st, n)
    admin = page_of("PETA ADMINISTRASI")
    for name in layers["kecamatan"]["nama"].astype(str):
        assert has(admin, name), (paper, name)


# --------------------------------------------------------------------------- 7. callouts clear of the kecamatan names

_KEC_GREY = 0x3A / 255  # the kecamatan names' ink (#3a3a3a), real text over a white halo


def _name_boxes(page):
    """The kecamatan names on a PDF page, read as a reviewer sees them: words of real text (a haloed name stays
    text, its halo glyph outlines under it) in the names' grey; (x0, top, x1, bottom) in points."""
    out = []
    for w in page.extract_words(extra_attrs=["non_stroking_color"]):
        c = w["non_stroking_color"]
        c = c[0] if isinstance(c, (tuple, list)) and len(c) == 1 else c
        if isinstance(c, (tuple, list)) and len(c) == 3 and max(c) - min(c) < 0.002:
            c = c[0]
        if isinstance(c, (int, float)) and abs(c - _KEC_GREY) < 0.002:
            out.append([w["x0"], w["top"], w["x1"], w["bottom"]])
    return out


def _callout_boxes(page):
    """The numbered callouts on a PDF page: a bold number inside a white circle with a coloured edge; the circle's box."""
    circles = [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.curves
               if o["fill"] and o["stroke"] and tuple(np.atleast_1d(o["non_stroking_color"])) in ((1,), (1, 1, 1)) and abs(o["width"] - o["height"]) < 0.5]
    out = []
    for w in page.extract_words(extra_attrs=["fontname"]):
        if w["text"].isdigit() and "Bold" in w["fontname"]:
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            around = [c for c in circles if c[0] < cx < c[2] and c[1] < cy < c[3]]
            if around:
                out.append((*min(around, key=lambda c: c[2] - c[0]), w["text"]))
    return out


def test_no_callout_covers_a_kecamatan_name(album):
    """Cartographer's High finding (issue 19, 7): callouts hidden under kecamatan names (Peta 4 around
    "TANJUNGPINANG KOTA", Peta 14). No callout's circle overlaps a kecamatan name's box on any page, A3 and A4."""
    pdfplumber = pytest.importorskip("pdfplumber")
    paper, paths, _, _ = album
    n_names = n_calls = 0
    with pdfplumber.open(paths[0]) as pdf:
        for k, page in enumerate(pdf.pages):
            names, calls = _name_boxes(page), _callout_boxes(page)
            n_names += len(names)
            n_calls += len(calls)
            for c in calls:
                for n in names:
                    assert not (c[0] < n[2] and n[0] < c[2] and c[1] < n[3] and n[1] < c[3]), (paper, k + 1, c[4], n)
    assert n_names >= 10 * 3 and n_calls >= 100  # the sample's kecamatan names on the map pages, its programs' callouts
