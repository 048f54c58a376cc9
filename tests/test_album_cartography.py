"""Issue 19, defect 7 (cartography) on the bundled sample's real sync results.

The pages are built once for the module from the layers ``sppr sync`` gives the
album; what they show is read back from the page's PDF with pdfplumber (text and
its place on the page) or from the geometry drawn, and compared with answers
computed here from the result's own tables and layers.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import SAMPLE
from mapdata import sample_album_layers
from printing import pdf_words

from sppr_gis.maps import album as album_mod

pdfplumber = pytest.importorskip("pdfplumber")


@pytest.fixture(scope="module")
def sample():
    """The sample's 2025 result and the layers the sync hands to the album."""
    return sample_album_layers()


@pytest.fixture(scope="module")
def album(sample):
    _, layers = sample
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=100)


def _pdf_words(fig):
    """Words of a page as printed (x0, top, x1, bottom in PDF points from the top left)."""
    return pdf_words(fig)


def _axes_box_pt(fig, ax, height):
    """The map axes' box in PDF points, top-left origin (as pdfplumber gives words)."""
    b = ax.get_position()
    w_pt, h_pt = fig.get_figwidth() * 72, fig.get_figheight() * 72
    return (b.x0 * w_pt, height - b.y1 * h_pt, b.x1 * w_pt, height - b.y0 * h_pt)


@pytest.fixture(scope="module")
def conformance(album):
    page = album.page_conformance()
    assert page is not None
    return page


def test_conformance_map_numbers_programs_by_their_kesesuaian_row(sample, conformance):
    """Issue 19 (7): the programs on the conformance map are numbered and keyed to the Buku Matriks: number n
    is row n of the Kesesuaian sheet, and every tidak sesuai program can be traced from the sheet to the map."""
    res, _ = sample
    kes = res.tables["kesesuaian"].reset_index(drop=True)
    page = conformance
    words, height = _pdf_words(page.fig)
    x0, y0, x1, y1 = _axes_box_pt(page.fig, page.ax, height)
    on_map = {w["text"] for w in words if x0 <= w["x0"] and w["x1"] <= x1 and y0 <= w["top"] and w["bottom"] <= y1 and w["text"].isdigit()}
    # the table beside the map: "n" then "program id ..." on the same line; or, when the map keeps the full frame,
    # the rows listed on the continuation page (the page's overflow rows: number, text)
    keyed = {}
    if page.table_apart:
        for n, text in page.overflow_rows:
            pid = str(text).split(" ", 1)[0]
            if str(n).isdigit() and re.match(r"^[A-Z]+-\d{4}-\d{3}$", pid):
                keyed[str(n)] = pid
    else:
        tx = page.table_box[0] * page.fig.get_figwidth() * 72
        lines: dict[float, list] = {}
        for w in words:
            if w["x0"] >= tx - 1 and w["x1"] <= (page.table_box[0] + page.table_box[2] + 0.01) * page.fig.get_figwidth() * 72:
                lines.setdefault(round(w["top"]), []).append(w)
        for _, ws in sorted(lines.items()):
            ws.sort(key=lambda w: w["x0"])
            if len(ws) >= 2 and ws[0]["text"].isdigit() and re.match(r"^[A-Z]+-\d{4}-\d{3}$", ws[1]["text"]):
                keyed[ws[0]["text"]] = ws[1]["text"]
    assert keyed, "no numbered rows beside the map"
    for n, pid in keyed.items():
        assert kes["program_id"].iloc[int(n) - 1] == pid, (n, pid)
    # every tidak sesuai program with a location: its row number is printed on the map and keyed in the table
    located = ~(res.rencana.geometry.isna() | res.rencana.geometry.is_empty).to_numpy()
    located_ids = set(res.rencana["program_id"].astype(str)[located])
    bad = [(i + 1, p) for i, (p, s) in enumerate(zip(kes["program_id"], kes["status"])) if s == "tidak_sesuai" and p in located_ids]
    assert bad
    shown_rows = {int(n) for n in page.data["numbers"]}
    for n, pid in bad:
        assert str(n) in on_map, (n, pid)
        assert n in shown_rows and page.data["numbers"][str(n)] == pid


def test_conformance_symbols_have_a_white_casing(conformance):
    """Issue 19 (7): a tidak sesuai program on a pink K zone stays visible: every point symbol of the
    conformance map sits on a white casing larger than itself (same places)."""
    ax = conformance.ax
    halos = [c for c in ax.collections if c.get_gid() == "halo" and hasattr(c, "get_sizes") and len(c.get_offsets())]
    assert halos
    halo_xy = np.vstack([c.get_offsets() for c in halos])
    marks = [c for c in ax.collections if c.get_gid() is None and hasattr(c, "get_sizes") and len(c.get_offsets()) and c.get_zorder() == 6]
    assert marks
    for c in marks:
        for xy in np.asarray(c.get_offsets()):
            assert np.min(np.hypot(*(halo_xy - xy).T)) < 1e-6
    h_size = min(float(np.min(c.get_sizes())) for c in halos)
    m_size = max(float(np.max(c.get_sizes())) for c in marks)
    assert h_size > 1.5 * m_size


def test_pola_ruang_key_is_grouped_into_lindung_and_budi_daya_with_perda_names(album):
    """Issue 19 (7): the pola ruang key has a Zona Lindung and a Zona Budi Daya group; each code is in the
    group its JNSRPR says in the sample's own zoning file, and is named with that file's NAMSZN (the Perda's)."""
    import geopandas as gpd

    raw = gpd.read_file(SAMPLE / "zoning.gpkg").drop_duplicates("KODSZN")
    want = {g: {c: n for c, n, j in zip(raw["KODSZN"], raw["NAMSZN"], raw["JNSRPR"]) if ("Lindung" in j) == (g == "Zona Lindung")}
            for g in ("Zona Lindung", "Zona Budi Daya")}
    assert want["Zona Lindung"] and want["Zona Budi Daya"]
    page = album.page_zoning()
    words, _ = _pdf_words(page.fig)
    printed = " ".join(w["text"] for w in words)
    for title, codes in want.items():
        lg = next(lg for lg in page.legends if lg.get_title().get_text() == title)
        labels = [" ".join(t.get_text().split()) for t in lg.get_texts()]
        assert sorted(t.split(" ", 1)[0] for t in labels) == sorted(codes), title
        for t in labels:
            code, name = t.split(" ", 1)
            assert name == " ".join(codes[code].split()), t
        assert title in printed


def test_single_map_names_a_zone_from_its_namzon(tmp_path):
    """Issue 19 (7): ``sppr map --zoning`` keys a zone with the layer's NAMZON ("Kawasan Pembangkitan Tenaga
    Listrik"), whole, not the palette's class name for the code cut short ("PL Pengelolaan per…")."""
    import geopandas as gpd
    import shapely

    from sppr_gis.maps.album import single_map

    zoning = gpd.GeoDataFrame(
        {"KODZON": ["PL", "R-2"], "NAMZON": ["Kawasan Pembangkitan Tenaga Listrik", "Zona Perumahan Kepadatan Tinggi"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)], crs="EPSG:32748",
    )
    programs = gpd.GeoDataFrame({"program_id": ["A", "B"], "status": ["sesuai", "tidak_sesuai"]},
                                geometry=[shapely.Point(500, 500), shapely.Point(1500, 500)], crs="EPSG:32748")
    frame = single_map(programs, "status", zoning=zoning)
    lg = next(lg for lg in frame.legends if lg.get_title().get_text().startswith("Zona"))
    labels = sorted(" ".join(t.get_text().split()) for t in lg.get_texts())
    assert labels == ["PL Kawasan Pembangkitan Tenaga Listrik", "R-2 Zona Perumahan Kepadatan Tinggi"]
    words, _ = _pdf_words(frame.fig)
    printed = " ".join(w["text"] for w in words)
    assert "Pembangkitan" in printed and "Listrik" in printed
    assert "Pengelolaan" not in printed and "…" not in printed


def test_single_map_of_status_is_titled_by_what_it_shows():
    """Analyst s9: `sppr map` without --title printed 'PETA STATUS'. A map of the conformance status is titled
    'Peta Kesesuaian Lokasi Program terhadap Rencana Pola Ruang' (printed words); a column without a title of its
    own keeps 'Peta <column>'."""
    import geopandas as gpd
    import shapely

    from sppr_gis.maps.album import single_map

    programs = gpd.GeoDataFrame({"program_id": ["A", "B"], "status": ["sesuai", "tidak_sesuai"], "sumber_dana": ["APBD", "DAK"]},
                                geometry=[shapely.Point(500, 500), shapely.Point(1500, 500)], crs="EPSG:32748")
    words, _ = _pdf_words(single_map(programs, "status").fig)
    printed = " ".join(w["text"] for w in words).upper()
    assert "KESESUAIAN LOKASI PROGRAM" in printed and "PETA STATUS" not in printed
    words, _ = _pdf_words(single_map(programs, "sumber_dana").fig)
    assert "SUMBER_DANA" in " ".join(w["text"] for w in words).upper()


def test_ipu_located_by_kelurahan_name_is_a_hatched_outline_keyed_in_the_legend(sample, album):
    """Issue 19 (7): an IPU located only by a kelurahan's name is not a kelurahan filled in red: it is drawn as a
    hatched outline with no fill, and keyed "Lokasi tingkat kelurahan"; the other IPUs are drawn as before."""
    res, _ = sample
    ipu = res.ipu
    by_name = ipu[ipu["lokasi_sumber"].astype(str) == "kelurahan"]
    assert len(by_name) >= 1
    page = album.page_ipu()
    regional = [c for c in page.ax.collections if c.get_gid() == "regional:kelurahan"]
    assert sum(len(c.get_paths()) for c in regional) == len(by_name)
    for c in regional:
        assert c.get_hatch() == "////"
        fc = c.get_facecolor()
        assert len(fc) == 0 or np.all(fc[:, 3] == 0), fc
    # no filled area of the kelurahan's shape: every filled polygon drawn for the IPUs is an area-located IPU
    kel_areas = {round(g.area) for g in by_name.to_crs(album.crs).geometry}
    for c in page.ax.collections:
        if c.get_gid() in (None,) and hasattr(c, "get_paths") and len(c.get_facecolor()) and np.any(c.get_facecolor()[:, 3] > 0.3):
            for path in c.get_paths():
                v = path.vertices
                if len(v) > 3:
                    area = 0.5 * abs(np.dot(v[:-1, 0], v[1:, 1]) - np.dot(v[1:, 0], v[:-1, 1]))
                    assert round(area) not in kel_areas or area < 1
    words, _ = _pdf_words(page.fig)
    printed = " ".join(w["text"] for w in words)
    assert "Lokasi tingkat kelurahan" in printed


def test_budget_map_has_a_circle_size_key_at_the_map_scale(album):
    """Issue 19 (7): the budget map keys the pies' size. The key's circles are drawn at the map's scale with the
    same rule as the pies (area proportional to the number of programs): a pie of n programs has the radius of
    the key's circle for n; the key lies inside the map, clear of the scale bar and the inset."""
    from matplotlib.patches import Wedge

    page = album.page_kecamatan()
    ax = page.ax
    pies = {int(p.get_gid().split(":")[1]): p.r for p in ax.patches if isinstance(p, Wedge) and (p.get_gid() or "").startswith("pie:")}
    keys = {int(p.get_gid().split(":")[1]): p.r for p in ax.patches if isinstance(p, Wedge) and (p.get_gid() or "").startswith("pie-key:")}
    assert len(keys) >= 2 and pies
    nmax = max(pies)
    assert keys[nmax] == pytest.approx(pies[nmax], rel=1e-9)  # the largest pie is the key's largest circle
    for v, r in keys.items():
        assert r == pytest.approx(pies[nmax] * (v / nmax) ** 0.5, rel=1e-9)  # area ~ count
    for n, r in pies.items():
        if n / nmax >= 0.16:  # (smaller pies are drawn at the smallest size)
            assert r == pytest.approx(pies[nmax] * (n / nmax) ** 0.5, rel=1e-9)
    box = next(p for p in ax.patches if p.get_gid() == "pie-key-box")
    bb = box.get_window_extent()
    assert ax.get_window_extent().contains(bb.x0, bb.y0) and ax.get_window_extent().contains(bb.x1, bb.y1)
    scale = next(p for p in ax.patches if p.get_gid() == "scalebar-box").get_window_extent()
    assert not bb.overlaps(scale)
    if page.inset_ax is not None:
        assert not bb.overlaps(page.inset_ax.get_window_extent())
    words, _ = _pdf_words(page.fig)
    printed = " ".join(w["text"] for w in words)
    assert "luas lingkaran" in printed and all(f"{v} program" in printed for v in keys)


def test_revisi_map_frame_covers_the_whole_city_and_every_program(tmp_path):
    """Issue 19 (7): the ``sppr revisi`` map showed only the changed polygons and the programs that changed, so
    part of the city and the unchanged programs fell outside the frame. The frame holds the new zoning's
    bounds and every program's (the hand-built grid of test_revisi_map: the changes lie in columns 1-2 only)."""
    import geopandas as gpd
    from test_revisi_map import CRS, NEW, OLD, PROGRAMS, RULES, _sq

    from sppr_gis import io, read_rules
    from sppr_gis.maps.revision_map import revision_map
    from sppr_gis.revision import revise

    paths = {}
    for name, codes in (("lama", OLD), ("baru", NEW)):
        paths[name] = tmp_path / f"{name}.gpkg"
        gpd.GeoDataFrame({"KODSZN": list(codes.values())}, geometry=[_sq(c, r) for c, r in codes], crs=CRS).to_file(paths[name], driver="GPKG")
    progs = gpd.GeoDataFrame({"program_id": list(PROGRAMS), "kegiatan": [v[0] for v in PROGRAMS.values()]}, geometry=[v[1] for v in PROGRAMS.values()], crs=CRS)
    (tmp_path / "itbx.csv").write_text(RULES)
    result = revise(io.read_layer(paths["lama"]), io.read_layer(paths["baru"]), progs, read_rules(tmp_path / "itbx.csv"))
    for paper in ("A3", "A4"):
        frame = revision_map(result, paper=paper)
        x0, x1 = frame.ax.get_xlim()
        y0, y1 = frame.ax.get_ylim()
        city = gpd.GeoSeries([_sq(c, r) for c, r in NEW], crs=CRS).total_bounds
        for b in [city] + [g.bounds for g in progs.geometry]:
            assert x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1, (paper, b, (x0, y0, x1, y1))


# --------------------------------------------------------------------------- cartographer's B2: the kinerja chart page


@pytest.fixture(scope="module")
def chart_pages(sample):
    from sppr_gis.maps.kinerja_pages import page_capaian_opd

    res, layers = sample
    assert res.kinerja is not None and len(res.kinerja.opd)
    out = {}
    for key, sumber in (("cited", {"zoning": "RDTR Kota Contoh", "kinerja": "berkas kinerja.xlsx"}), ("uncited", {"zoning": "RDTR Kota Contoh"})):
        a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=100, paper="A4", sumber=sumber)
        out[key] = page_capaian_opd(a, res.kinerja)
    return out


def test_the_kinerja_chart_page_has_no_map_furniture_and_cites_kinerja(chart_pages):
    """B2: a chart is not a map: no inset, north arrow, scale, scale bar, grid or CRS note; its source is cited
    (never a lone '.'), and the predikat bands read '≤ 50'."""
    for key, page in chart_pages.items():
        assert page.inset_ax is None and page.scale_bar is None, key
        words, _ = _pdf_words(page.fig)
        text = " ".join(w["text"] for w in words)
        for absent in ("Sistem koordinat", "Skala 1", "Skala grafis", "LOKASI KOTA", "Peta lokasi", "°"):  # grid labels carry degrees
            assert absent not in text, (key, absent)
        assert "(≤ 50%)" in text, key
        assert "<=" not in text
        sources = page.sources_artist.get_text().split("\n")
        lines = [ln.strip() for ln in sources if ln.strip()]
        assert "." not in lines, (key, lines)
        assert any("capaian kinerja" in ln.lower() for ln in lines), (key, lines)
    cited = " ".join(chart_pages["cited"].sources_artist.get_text().split())
    assert "Capaian kinerja (Renstra/Renja): berkas kinerja.xlsx" in cited, cited


def test_the_kinerja_chart_has_no_overprinted_value_or_heading(chart_pages):
    """B2: no bar value is crossed by its cluster's dashed average line and no cluster heading by a separator rule
    (the drawn extents, in display units)."""
    page = chart_pages["cited"]
    fig = page.fig
    r = fig.canvas.get_renderer()
    ax = next(a for a in fig.axes if any(t.get_gid() == "bar-value" for t in a.texts))
    values = [t for t in ax.texts if t.get_gid() == "bar-value"]
    heads = [t for t in ax.texts if t.get_gid() == "cluster-heading"]
    avgs = [ln for ln in ax.lines if ln.get_gid() == "cluster-average"]
    rules = [ln for ln in ax.lines if ln.get_gid() == "cluster-rule"]
    assert values and heads and avgs and len(rules) == len(heads) - 1
    for ln in avgs:
        pts = ax.transData.transform(np.column_stack(ln.get_data()))
        x, ys = pts[0, 0], pts[:, 1]
        for t in values:
            bb = t.get_window_extent(r)
            if bb.y1 > ys.min() and bb.y0 < ys.max():
                assert not (bb.x0 - 0.5 <= x <= bb.x1 + 0.5), (t.get_text(), x, bb)
    for ln in rules:
        y = ax.transData.transform((0, ln.get_ydata()[0]))[1]
        for t in heads:
            bb = t.get_window_extent(r)
            assert not (bb.y0 - 0.5 <= y <= bb.y1 + 0.5), (t.get_text(), y, bb)


def test_a4_legend_box_is_not_left_empty_when_an_entry_fits(sample):
    """B1 (the fit bug): Peta 14 on A4 with a realistic [album] printed an EMPTY legend box ('Legenda berlanjut (7
    butir)') although the box had room for an entry. Now every entry of its key is in the LEGENDA box, inside the
    panel, between the LEGENDA heading and the preparer block, and nothing says the legend continues."""
    _, layers = sample
    sumber = {
        "zoning": "RDTR Kota Contoh (Perda Kota Contoh No. 1 Tahun 2021), data contoh",
        "rencana": "RKPD Kota Contoh Tahun 2025 (SIPD), Renja OPD, data contoh",
        "kecamatan": "Batas administrasi kecamatan, data contoh",
    }
    a = album_mod._Album(
        layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=60, paper="A4", sumber=sumber,
        office="Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        signatory="Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001",
        place_date="Kota Contoh, 6 Desember 2026",
    )
    page = a.page_sinergi()
    fig = page.fig
    r = fig.canvas.get_renderer()
    inv = fig.transFigure.inverted()
    assert page.legends, "the LEGENDA box is empty"
    shown = [" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts]
    wanted = [" ".join(t.split()) for s in page.legend_sections for t in s.labels]
    assert sorted(shown) == sorted(wanted) and len(wanted) >= 5
    head = next(t for t in fig.texts if t.get_text() == "LEGENDA")
    (_, head_y0), _ = inv.transform(head.get_window_extent(r))
    prep_top = max(inv.transform(t.get_window_extent(r))[1][1] for t in page.preparer_artists.texts)
    panel_left = min(p.get_x() for p in fig.patches if hasattr(p, "get_x") and p.get_x() > 0.5)  # the panel's border
    for lg in page.legends:
        (x0, y0), (x1, y1) = inv.transform(lg.get_window_extent(r))
        assert panel_left <= x0 and x1 <= 0.985 and prep_top < y0 and y1 <= head_y0 + 1e-6, (lg.get_title().get_text(), x0, y0, x1, y1)
    assert not any("berlanjut" in t.get_text() and "egenda" in t.get_text() for t in fig.texts)


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_zone_code_drawn_on_pola_ruang_is_labelled_at_least_once(sample, paper):
    """B5: the small blocks whose colours cannot be told apart (RTH-1/2/3/7, SPU-1/2/3) carry their code too: every
    code of a zone polygon inside the map frame is printed at least once (one line, or 'RTH' over '1'), inside a
    polygon of that code. The codes on the map come from the zoning layer and the frame, here."""
    import shapely

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=60, paper=paper)
    page = a.page_zoning()
    z = a.L["zoning"]
    field = a.zfield
    x0, x1 = page.ax.get_xlim()
    y0, y1 = page.ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    z = z.assign(geometry=z.geometry.make_valid())  # the sample's zoning has invalid rings, as real data does
    inside = z[z.geometry.intersection(view).area.gt(0)]
    drawn = set(inside[field].astype(str))
    assert {"RTH-1", "SPU-1"} & drawn
    labels = [t for t in page.ax.texts if t.get_gid() == "zone-code" and t.get_visible()]
    printed = {}
    for t in labels:
        printed.setdefault(t.get_text().replace("\n", ""), []).append(t.get_position())  # "RTH-" over "1" is RTH-1
    missing = drawn - set(printed)
    assert not missing, (paper, sorted(missing))
    # s5: a code too large for every block of it stands beside one, its leader starting inside the block
    r = page.fig.canvas.get_renderer()
    inv = page.ax.transData.inverted()
    leaders = [np.asarray(ln.get_xydata(), dtype=float) for ln in page.ax.lines if ln.get_gid() == "zone-leader"]
    ends = {}
    for t in labels:
        bb = t.get_window_extent(r)
        (bx0, by0), (bx1, by1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        box = shapely.box(min(bx0, bx1), min(by0, by1), max(bx0, bx1), max(by0, by1)).buffer(1.0)
        ends.setdefault(t.get_text().replace("\n", ""), []).extend(ln[0] for ln in leaders if box.contains(shapely.Point(ln[-1])))
    for code, pts in printed.items():
        polys = inside[inside[field].astype(str) == code].geometry
        assert any(polys.buffer(1.0).contains(shapely.Point(p)).any() for p in [*pts, *ends.get(code, [])]), (code, pts)
    # and none is smaller than 7 pt
    assert min(t.get_fontsize() for t in labels) >= 7.0 - 1e-9


def test_conformance_key_counts_say_how_many_have_no_location_and_the_table_lists_them(sample, conformance):
    """High (carto): 'Perlu kajian (6)' with 4 symbols read as a missing symbol: the key says '(6; 2 tanpa lokasi)'
    and the programs without a location are listed beside the map (counted here from the rencana layer)."""
    res, _ = sample
    r = res.rencana
    unloc = r.geometry.isna() | r.geometry.is_empty
    assert unloc.any()
    labels = [" ".join(t.get_text().split()) for lg in conformance.legends for t in lg.texts]  # labels may wrap
    from sppr_gis.vocabulary import STATUS_LABELS

    for status, g in r.groupby(r["status"].astype(str)):
        n, u = len(g), int(unloc[g.index].sum())
        want = f"{STATUS_LABELS[status]} ({n}; {u} tanpa lokasi)" if u else f"{STATUS_LABELS[status]} ({n})"
        assert want in labels, (want, labels)
    rows = dict(conformance.table_rows)
    for i in np.flatnonzero(unloc.to_numpy()):
        pid = str(r["program_id"].iloc[i])
        assert pid in rows[str(i + 1)] and "tanpa lokasi" in rows[str(i + 1)], (i + 1, pid)


def test_opd_and_ipu_keys_count_items_without_location_and_their_tables_list_them(sample, album):
    """High (carto), beyond the conformance map: an OPD map's 'Perlu kajian (1)' with no symbol read as a missing
    symbol; its key says '(1; 1 tanpa lokasi)' and the program is listed (marked '–', 'tanpa lokasi') in the sheet's
    table or list. The same count for the IPU maps. Counts come from the layers here."""
    from sppr_gis.vocabulary import IPU_SYNC_LABELS, STATUS_LABELS

    _, layers = sample
    r = layers["rencana"]
    unloc = r.geometry.isna() | r.geometry.is_empty
    assert unloc.any()
    pages = {p.title: p for p in album.pages_opd()}
    for opd, g in r[unloc].groupby("opd"):
        page = pages[f"Peta Program {opd}"]
        labels = [" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts]
        sel = r[r["opd"] == opd]
        for status, n in sel["status"].astype(str).value_counts().items():
            u = int(unloc[sel.index][sel["status"].astype(str) == status].sum())
            want = f"{STATUS_LABELS[status]} ({n}; {u} tanpa lokasi)" if u else f"{STATUS_LABELS[status]} ({n})"
            assert want in labels, (opd, want, labels)
        listed = [t for _n, t in (page.table_rows or page.data.get("listed", []))]
        for pid in g["program_id"].astype(str):
            assert any(pid in t and "tanpa lokasi" in t for t in listed), (opd, pid, listed)
    q = layers["indikasi_program"]
    qu = q.geometry.isna() | q.geometry.is_empty
    ipu = album.page_ipu()
    labels = [" ".join(t.get_text().split()) for lg in ipu.legends for t in lg.texts]
    for st, n in q["status_sinkron"].astype(str).value_counts().items():
        u = int(qu[q["status_sinkron"].astype(str) == st].sum())
        assert (f"{IPU_SYNC_LABELS[st]} ({n}; {u} tanpa lokasi)" if u else f"{IPU_SYNC_LABELS[st]} ({n})") in labels, (st, labels)
