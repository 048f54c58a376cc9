"""Cartography: palette, scale bar truth, legends, the Album Peta, single maps, QGIS styles."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner
from mapdata import make_layers

from sppr_gis.io import write_gpkg
from sppr_gis.maps import album as album_mod
from sppr_gis.maps.album import single_map, write_album, write_map
from sppr_gis.maps.cartography import MapFrame, fit_extent, nice_scale_length, rupiah
from sppr_gis.maps.classify import assign_classes, class_breaks
from sppr_gis.maps.palette import ZONE_CLASSES, Palette, color_distance, normalize_code, parse_color
from sppr_gis.maps.styles import read_layer_styles, styles_for_gpkg, write_layer_styles

assert matplotlib.get_backend().lower() == "agg"


@pytest.fixture(scope="module")
def layers():
    return make_layers()


ALBUM_META = dict(
    region="Kota Contoh",
    office="Badan Perencanaan Pembangunan Daerah Kota Contoh",
    signatory="Kepala Bappeda\nNama Penandatangan, S.T.\nNIP 19700101 199503 1 001",
    sumber={"zoning": "Perda Kota Contoh No. 1 Tahun 2021 tentang RDTR", "rencana": "RKPD 2025 (SIPD)", "kecamatan": "Batas administrasi BIG 1:25.000"},
    kata_pengantar="Album ini melengkapi Buku Matriks.\n\nParagraf kedua.",
)


@pytest.fixture(scope="module")
def album(layers, tmp_path_factory):
    """The album rendered once for the module (A3, the default)."""
    out = tmp_path_factory.mktemp("album")
    return out, write_album(layers, out, year=2025, title="SPPR Kota Contoh", **ALBUM_META)


# --------------------------------------------------------------------------- palette


def test_domain_colours_by_code_and_spelling():
    p = Palette()
    assert p.color("R-2") == (255, 220, 0)
    assert p.color("r2") == (255, 220, 0)
    assert p.color(" spu_1 ") == (125, 25, 125)
    assert p.color("RTH-7") == (90, 255, 0)
    assert p.color("BA") == (151, 219, 242)
    assert p.color("KPI") == (105, 0, 0)
    assert p.color("K-1a") == (255, 100, 100)  # class prefix
    assert p.color("HL-01") == (50, 95, 40)  # sub-numbered variant of a class without numbers
    assert p.color("TPA") == (215, 152, 56)  # alias -> persampahan
    assert normalize_code("spu.2") == "SPU-2"


def test_class_name_used_when_code_is_unknown():
    p = Palette()
    assert p.colors(["Z17"], ["Kawasan Hutan Lindung"])["Z17"] == (50, 95, 40)
    assert p.colors(["Z18"], ["Taman Kota"])["Z18"] == (65, 105, 0)


def test_overrides_win_and_are_validated():
    p = Palette({"r2": "#010203", "K-1": "10, 20, 30", "KT": (0.5, 0.25, 0.125)})
    assert p.color("R-2") == (1, 2, 3)
    assert p.color("K-1") == (10, 20, 30)
    assert p.color("KT") == (128, 64, 32)
    with pytest.raises(ValueError, match="R-3"):
        Palette({"R-3": "no colour"})
    with pytest.raises(ValueError):
        parse_color("300,0,0")


def test_unknown_codes_get_distinct_stable_colours():
    p = Palette()
    unknown = [f"ZX-{i}" for i in range(12)]
    a = p.colors(unknown)
    b = Palette().colors(list(reversed(unknown)))
    assert a == b  # stable regardless of order
    cols = list(a.values())
    assert len(set(cols)) == 12
    known = [z.rgb for z in ZONE_CLASSES]
    for i, c in enumerate(cols):
        assert min(color_distance(c, k) for k in known) > 5
        for d in cols[i + 1 :]:
            assert color_distance(c, d) > 10


def test_label_prefers_the_data_name():
    p = Palette()
    assert p.label("R-2") == "R-2 Perumahan kepadatan tinggi"
    assert p.label("R-2", "Perumahan Padat") == "R-2 Perumahan Padat"
    assert p.label("QQ") == "QQ"


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("value, nice", [(3700, 2500), (1000, 1000), (999, 500), (180, 100), (26, 25), (0.7, 0.5)])
def test_nice_scale_length(value, nice):
    assert nice_scale_length(value) == pytest.approx(nice)


def test_fit_extent_has_the_box_aspect_and_contains_the_data():
    b = (100.0, 200.0, 1100.0, 400.0)
    e = fit_extent(b, 1.5, pad=0.05)
    assert (e[2] - e[0]) / (e[3] - e[1]) == pytest.approx(1.5)
    assert e[0] <= b[0] and e[1] <= b[1] and e[2] >= b[2] and e[3] >= b[3]


def test_class_breaks_natural_groups():
    vals = [1, 2, 3, 50, 51, 52, 200, 210]
    br = class_breaks(vals, 3)
    assert len(br) == 3 and br[-1] == 210
    cls = assign_classes(vals, br)
    assert list(cls) == [0, 0, 0, 1, 1, 1, 2, 2]
    assert class_breaks([5, 5, 5], 5) == [5]


def test_rupiah_words():
    assert rupiah(12_345_000_000) == "Rp 12,3 miliar"
    assert rupiah(850_000_000) == "Rp 850 juta"
    assert rupiah(1.5e12) == "Rp 1,5 triliun"


# --------------------------------------------------------------------------- the frame


def _frame(bounds, crs="EPSG:32648"):
    f = MapFrame("Uji skala", crs=crs, subtitle="Kota Uji")
    f.set_extent(bounds)
    gpd.GeoSeries.from_wkt([f"POLYGON(({bounds[0]} {bounds[1]}, {bounds[2]} {bounds[1]}, {bounds[2]} {bounds[3]}, {bounds[0]} {bounds[1]}))"], crs=crs).plot(ax=f.ax)
    f.finish("Sumber: uji")
    return f


@pytest.mark.parametrize("bounds", [(440_000, 100_000, 449_000, 107_000), (440_000, 100_000, 440_900, 100_300), (300_000, 0, 420_000, 150_000)])
def test_scale_bar_is_true_against_the_axis_extent(bounds, tmp_path):
    f = _frame(bounds)
    sb = f.scale_bar
    assert sb is not None
    x0, x1 = f.ax.get_xlim()
    y0, y1 = f.ax.get_ylim()
    segs = [p for p in f.ax.patches if p.get_gid() == "scalebar-seg"]
    assert len(segs) == sb.segments
    # drawn length in data units (metres of the projected CRS) equals the nice length
    assert sum(p.get_width() for p in segs) == pytest.approx(sb.length)
    assert min(p.get_x() for p in segs) == pytest.approx(sb.x0)
    # and it is a sensible share of the map width
    assert 0.08 <= sb.length / (x1 - x0) <= 0.25 + 1e-9
    # the label says the same length
    last = sb.labels[-1]
    num, unit = last.split()
    value = float(num.replace(".", "").replace(",", "."))
    assert value * (1000 if unit == "km" else 1) == pytest.approx(sb.length)
    # after rendering, limits are unchanged and x/y scales are equal (no stretched map, no lying bar)
    f.fig.savefig(tmp_path / "s.png")
    assert f.ax.get_xlim() == pytest.approx((x0, x1))
    bb = f.ax.get_window_extent()
    px_per_m_x = bb.width / (x1 - x0)
    px_per_m_y = bb.height / (y1 - y0)
    assert px_per_m_x == pytest.approx(px_per_m_y, rel=1e-3)
    bar_px = f.ax.transData.transform((sb.x0 + sb.length, sb.y0))[0] - f.ax.transData.transform((sb.x0, sb.y0))[0]
    assert bar_px / bb.width == pytest.approx(sb.length / (x1 - x0), rel=1e-6)
    # numeric scale printed in the panel agrees with the axis extent on an A4 page
    ax_w_m = f.ax.get_position().width * f.fig.get_figwidth() * 0.0254
    assert f.scale_denominator == pytest.approx((x1 - x0) / ax_w_m)


def test_frame_refuses_degrees():
    with pytest.raises(ValueError, match="metres"):
        MapFrame("x", crs="EPSG:4326")


def test_frame_furniture(tmp_path):
    f = _frame((440_000, 100_000, 449_000, 107_000))
    texts = [t.get_text() for t in f.fig.texts]
    assert "U" in texts  # north arrow letter
    assert any(p.get_gid() == "north-arrow" for p in f.fig.patches)
    assert any("Skala 1 :" in t for t in texts)
    sources = " ".join(t.get_text() for t in f.fig.texts if t.get_gid() == "sources")
    assert "EPSG:32648" in sources and "Dibuat" in sources
    xt = [t.get_text() for t in f.ax.get_xticklabels()]
    assert xt and all(t.endswith("mT") for t in xt)
    yt = [t.get_text() for t in f.ax.get_yticklabels()]
    assert yt and all(t.endswith("mU") for t in yt)


# --------------------------------------------------------------------------- album


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def _continuation_pages(path: Path) -> int:
    """A map's Lampiran sheets (their panel heads them 'Lampiran Peta N, Lembar k dari m')."""
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(str(path)) as doc:
        return sum(re.search(r"Lampiran Peta \d+, Lembar \d+ dari \d+", p.extract_text() or "") is not None for p in doc.pages)


def test_album_pages_and_pngs(album):
    out, paths = album
    pdf = out / "album_peta.pdf"
    assert paths[0] == pdf and pdf.exists()
    pngs = paths[1:]
    assert len(pngs) >= 6
    assert _pdf_pages(pdf) == len(pngs) + 3 + _continuation_pages(pdf)  # cover, kata pengantar, daftar peta
    stems = [p.stem for p in pngs]
    for key in ("administrasi", "zonasi", "struktur_ruang", "kesesuaian", "sinkronisasi_ipu", "ipu_jangka_menengah", "opd_", "anggaran_kecamatan", "sinergi_konflik", "kawasan_prioritas"):
        assert any(key in s for s in stems), key
    assert sum("opd_" in s for s in stems) == 4  # one per OPD
    for p in pngs:
        assert p.parent == out / "peta" and p.stat().st_size > 60_000
        img = matplotlib.image.imread(p)
        assert img.shape[1] > 3000 and img.shape[0] > 2000  # A3 at 200 dpi
        assert float(np.std(img[..., :3])) > 0.05  # not a blank page
    assert not list(out.glob(".*.tmp*"))


def test_album_legends_have_indonesian_labels(layers):
    pages = dict(album_mod.album_pages(layers, year=2025, title="Kota Contoh"))
    conf = next(p for k, p in pages.items() if k.endswith("kesesuaian"))
    # the whole key is on the map's own sheet (labels and titles may wrap)
    labels = [" ".join(t.get_text().split()) for lg in conf.legends for t in lg.get_texts()]
    titles = [" ".join(lg.get_title().get_text().split()) for lg in conf.legends]
    n = layers["rencana"]["status"].value_counts()
    assert f"Sesuai ({n['sesuai']})" in labels
    assert f"Tidak sesuai (X) ({n['tidak_sesuai']})" in labels
    assert "Status kesesuaian (jumlah program)" in titles
    # the faded zoning's key is complete: every code (in columns), the names on the pola ruang map
    zone_title = next(t for t in titles if t.startswith("Zona"))
    assert any(t.split(" ")[0] == "R-2" for t in labels) and not any("lainnya" in t for t in labels) and "Zona (RDTR/RTRW)" in zone_title
    zon = next(p for k, p in pages.items() if k.endswith("zonasi"))
    zlabels = [" ".join(t.get_text().split()) for lg in zon.legends for t in lg.get_texts()]
    assert any(t.startswith("R-2 Perumahan kepadatan") for t in zlabels)
    assert "Lokasi titik" in labels and "Batas kecamatan" in labels
    ipu = next(p for k, p in pages.items() if k.endswith("sinkronisasi_ipu"))
    ipu_labels = [t.get_text() for lg in ipu.legends for t in lg.get_texts()]
    assert any(t.startswith("Diskoneksi") for t in ipu_labels)
    choro = next(p for k, p in pages.items() if k.endswith("anggaran_kecamatan"))
    assert any("Pagu program per kecamatan" in lg.get_title().get_text() for lg in choro.legends)
    # every legend stays inside the panel
    for page in pages.values():
        r = page.fig.canvas.get_renderer()
        for lg in page.legends:
            bb = lg.get_window_extent(r)
            fw = page.fig.get_figwidth() * page.fig.dpi
            assert bb.x0 >= 0.74 * fw and bb.x1 <= 0.99 * fw
    # every map page has the inset locating its frame in the region (not only the zoomed ones)
    for page in pages.values():
        assert page.inset_ax is not None
        assert any(p.get_gid() == "inset-extent" for p in page.inset_ax.patches)


def test_album_copes_with_missing_layers_and_other_crs(tmp_path, layers):
    only = {"rencana": layers["rencana"].to_crs("EPSG:4326"), "zoning": None, "kecamatan": layers["kecamatan"].to_crs("EPSG:4326")}
    paths = write_album(only, tmp_path, year=2025, title="Kota")
    assert len(paths) >= 3
    assert _pdf_pages(tmp_path / "album_peta.pdf") == len(paths) - 1 + 2 + _continuation_pages(tmp_path / "album_peta.pdf")  # cover and daftar peta
    with pytest.raises(ValueError):
        write_album({"rencana": None}, tmp_path / "none", year=2025, title="Kota")


def test_single_map_by_column(tmp_path, layers):
    out = write_map(layers["rencana"], tmp_path / "pagu.png", "pagu", zoning=layers["zoning"], title="Pagu")
    assert out.exists() and out.stat().st_size > 50_000
    f = single_map(layers["rencana"], "opd")
    labels = [t.get_text() for lg in f.legends for t in lg.get_texts()]
    assert any(t.startswith("Dinas PUPR (") for t in labels)
    f = single_map(layers["indikasi_program"], "status")  # IPU: status -> status_sinkron
    assert any(t.get_text().startswith("Sinkron") for lg in f.legends for t in lg.get_texts())
    with pytest.raises(KeyError, match="nope"):
        single_map(layers["rencana"], "nope")


# --------------------------------------------------------------------------- styles


@pytest.fixture()
def styled_gpkg(tmp_path, layers):
    path = tmp_path / "sppr.gpkg"
    write_gpkg({k: layers[k] for k in ("rencana", "indikasi_program", "zoning", "kecamatan", "kawasan_prioritas", "sinergi")}, path)
    styled = write_layer_styles(path)
    return path, styled


def test_layer_styles_table_follows_the_qgis_convention(styled_gpkg):
    path, styled = styled_gpkg
    assert styled == sorted(["rencana", "indikasi_program", "zoning", "kecamatan", "kawasan_prioritas", "sinergi"])
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert cols == [
        "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD",
        "useAsDefault", "description", "owner", "ui", "update_time",
    ]
    assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone() == ("attributes",)
    rows = con.execute("SELECT f_table_name, f_geometry_column, styleName, useAsDefault, styleQML, styleSLD FROM layer_styles").fetchall()
    defaults = {}
    for table, gcol, name, default, qml, sld in rows:
        assert gcol == "geom"
        defaults[table] = defaults.get(table, 0) + int(default)
        q = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        assert q.tag == "qgis" and q.find("renderer-v2") is not None
        s = ET.fromstring(sld)
        assert s.tag.endswith("StyledLayerDescriptor")
    assert all(v == 1 for v in defaults.values())
    con.close()
    # the GeoPackage still opens in GDAL
    assert "rencana" in [n for n, _ in pyogrio.list_layers(path)]


def test_style_contents_match_the_atlas(styled_gpkg):
    path, _ = styled_gpkg
    rows = {(r["f_table_name"], r["styleName"]): r for r in read_layer_styles(path)}
    ren = ET.fromstring(rows[("rencana", "Kesesuaian")]["styleQML"].split("\n", 1)[1]).find("renderer-v2")
    assert ren.get("type") == "RuleRenderer"  # mixed points, lines, polygons
    filters = [r.get("filter") for r in ren.iter("rule") if r.get("filter")]
    assert any("\"status\" = 'tidak_sesuai'" in f and "'Point'" in f for f in filters)
    assert rows[("rencana", "Sinkronisasi")]["useAsDefault"] == 0
    zon = ET.fromstring(rows[("zoning", "Zonasi")]["styleQML"].split("\n", 1)[1]).find("renderer-v2")
    assert zon.get("type") == "categorizedSymbol" and zon.get("attr") == "zone_code"
    cats = {c.get("value"): c for c in zon.iter("category")}
    sym = {s.get("name"): s for s in zon.iter("symbol")}
    r2 = sym[cats["R-2"].get("symbol")]
    colour = next(o.get("value") for o in r2.iter("Option") if o.get("name") == "color")
    assert colour == "255,220,0,255"
    assert "#ffdc00" in rows[("zoning", "Zonasi")]["styleSLD"]
    ipu = ET.fromstring(rows[("indikasi_program", "Sinkronisasi")]["styleQML"].split("\n", 1)[1])
    assert any("diskoneksi" in (r.get("filter") or "") for r in ipu.iter("rule"))


def test_styles_rewrite_replaces(styled_gpkg):
    path, _ = styled_gpkg
    n = len(read_layer_styles(path))
    write_layer_styles(path)
    assert len(read_layer_styles(path)) == n
    assert styles_for_gpkg(path)  # idempotent detection


_QGIS_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from qgis.core import QgsApplication, QgsVectorLayer
    app = QgsApplication([], False); app.initQgis()
    path = sys.argv[1]
    for name, sub, want in [("zoning", None, "categorizedSymbol"), ("rencana", "Point", "RuleRenderer"), ("rencana", "LineString", "RuleRenderer"),
                            ("indikasi_program", "Point", "RuleRenderer"), ("kecamatan", None, "singleSymbol"), ("sinergi", None, "categorizedSymbol")]:
        uri = path + "|layername=" + name + ("|geometrytype=" + sub if sub else "")
        lyr = QgsVectorLayer(uri, name, "ogr")
        assert lyr.isValid(), uri
        msg, ok = lyr.loadDefaultStyle()
        assert ok, (name, msg)
        r = lyr.renderer()
        assert r.type() == want, (name, r.type())
        if want == "categorizedSymbol" and name == "zoning":
            cats = r.categories()
            d = {c.value(): c.symbol().color().name() for c in cats}
            assert d["R-2"] == "#ffdc00", d
    print("QGIS-OK")
    """
)


def test_qgis_opens_the_styles(styled_gpkg, tmp_path):
    probe = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("QGIS Python bindings (Debian python3-qgis) not installed; styles checked structurally only")
    script = tmp_path / "q.py"
    script.write_text(_QGIS_SCRIPT)
    res = subprocess.run(["/usr/bin/python3", str(script), str(styled_gpkg[0])], capture_output=True, text=True, timeout=300)
    assert "QGIS-OK" in res.stdout, res.stdout + res.stderr


# --------------------------------------------------------------------------- CLI


def test_sppr_map_cli(tmp_path, layers):
    from sppr_cli.main import cli

    gpkg = tmp_path / "hasil.gpkg"
    write_gpkg({"programs": layers["rencana"], "zoning": layers["zoning"]}, gpkg)
    runner = CliRunner()
    out = tmp_path / "peta.png"
    res = runner.invoke(cli, ["map", str(gpkg), "--by", "status", "--out", str(out), "--zoning", f"{gpkg}:zoning", "--qgis-styles"])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size > 50_000
    assert {r["f_table_name"] for r in read_layer_styles(gpkg)} >= {"programs", "zoning"}
    res = runner.invoke(cli, ["map", f"{gpkg}:programs", "--by", "opd", "--out", str(tmp_path / "opd.pdf")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["map", str(gpkg), "--by", "nope", "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "nope" in res.output
    assert not (tmp_path / "x.png").exists()
    res = runner.invoke(cli, ["map", str(gpkg), "--out", str(tmp_path / "x.jpg")])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["map", str(tmp_path / "missing.gpkg"), "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["map", f"{gpkg}:nolayer", "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 1


# --------------------------------------------------------------------------- print properties of the album


def _pdf_reader(path):
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(str(path))


def _text_runs(page):
    """(size at print size in pt, text) of every text run on a PDF page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        runs.append((size * abs(a * d - b * c) ** 0.5, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def _fonts(reader):
    out = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {}) or {}
        for ref in fonts.values():
            f = ref.get_object()
            out[str(f.get("/BaseFont"))] = f
    return out


def test_album_pages_are_a3_landscape(album):
    reader = _pdf_reader(album[0] / "album_peta.pdf")
    for page in reader.pages:
        w_mm, h_mm = float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4
        assert w_mm == pytest.approx(420, abs=0.5) and h_mm == pytest.approx(297, abs=0.5)


def test_album_fonts_are_embedded_truetype_not_type3(album):
    fonts = _fonts(_pdf_reader(album[0] / "album_peta.pdf"))
    assert fonts
    for name, f in fonts.items():
        assert f["/Subtype"] != "/Type3", name
        desc = f["/DescendantFonts"][0].get_object() if f["/Subtype"] == "/Type0" else f
        assert desc["/Subtype"] in ("/CIDFontType2", "/TrueType"), name
        assert "/FontFile2" in desc["/FontDescriptor"].get_object(), f"{name} not embedded"
        assert "DejaVuSans" in name  # DejaVu Sans (matplotlib's own): Latin with Indonesian diacritics
    if shutil.which("pdffonts"):
        out = subprocess.run(["pdffonts", str(album[0] / "album_peta.pdf")], capture_output=True, text=True, check=True).stdout
        assert "Type 3" not in out and "CID TrueType" in out


def test_album_text_is_at_least_7_pt_at_print_size(album):
    reader = _pdf_reader(album[0] / "album_peta.pdf")
    sizes = [(s, i, t) for i, page in enumerate(reader.pages) for s, t in _text_runs(page)]
    assert len(sizes) > 300
    small = [x for x in sizes if x[0] < 7.0 - 0.05]
    assert small == [], small[:10]


def test_album_front_matter_and_bookmarks_match_the_daftar_peta(album):
    out, paths = album
    reader = _pdf_reader(out / "album_peta.pdf")
    cover = reader.pages[0].extract_text()
    for want in ("ALBUM PETA", "SPPR KOTA CONTOH", "TAHUN 2025", "BADAN PERENCANAAN PEMBANGUNAN DAERAH KOTA CONTOH"):
        assert want in cover
    assert "SPPR SPPR" not in cover and "SPPR SPPR" not in str(reader.metadata.title)
    assert "KATA PENGANTAR" in reader.pages[1].extract_text() and "Paragraf kedua." in reader.pages[1].extract_text()
    daftar = reader.pages[2].extract_text()
    assert "DAFTAR PETA" in daftar
    # DAFTAR PETA rows: "Peta N", title, page number
    rows = re.findall(r"^(Peta \d+)\s*\n?(.+?)\s*\n?(\d+)$", daftar, re.M)
    outline = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert outline[0] == ("Daftar Peta", 2)
    maps = outline[1:]
    assert len(maps) == len(paths) - 1  # one bookmark per map, one map per PNG
    texts = {(n, t.strip(), int(p)) for n, t, p in rows}
    # the base maps of a real album are listed: administrative, pola ruang, struktur ruang, medium-term IPU
    titles = [t for _, t, _ in texts]
    for want in ("Peta Administrasi", "Peta Rencana Pola Ruang (Zonasi)", "Peta Rencana Struktur Ruang", "Peta Indikasi Program Utama Jangka Menengah 2025–2029"):
        assert want in titles, (want, titles)
    assert [t for t, _ in maps[:3]] == ["Peta 1. Peta Administrasi", "Peta 2. Peta Rencana Pola Ruang (Zonasi)", "Peta 3. Peta Rencana Struktur Ruang"]
    for (title, idx), num in zip(maps, range(1, len(maps) + 1)):
        number, name = title.split(". ", 1)
        assert number == f"Peta {num}"
        assert (number, name, idx + 1) in texts, (title, texts)
        page_text = reader.pages[idx].extract_text()
        assert f"PETA {num}" in page_text and f"Lembar {num} dari {len(maps)}" in page_text


def test_album_pngs_are_at_least_200_dpi(album):
    from PIL import Image

    for p in album[1][1:]:
        with Image.open(p) as im:
            dpi = im.info.get("dpi")
            assert dpi and round(dpi[0]) >= 200
            assert im.size[0] / round(dpi[0]) == pytest.approx(420 / 25.4, abs=0.02)


def test_album_pages_cite_the_configured_sources(album):
    reader = _pdf_reader(album[0] / "album_peta.pdf")
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    zoning_page = next(t for t in texts if "PETA RENCANA POLA RUANG" in t)
    assert "Perda Kota Contoh No. 1 Tahun 2021 tentang RDTR" in zoning_page
    assert "Badan Perencanaan Pembangunan Daerah Kota Contoh" in zoning_page and "NIP 19700101 199503 1 001" in zoning_page
    # the budget page shows programs and kecamatan, not the zoning
    budget = next(i for i, p in enumerate(reader.pages) if "ANGGARAN DAN KESESUAIAN" in " ".join(p.extract_text().split()))
    text = " ".join(reader.pages[budget].extract_text().split())
    assert "RKPD 2025 (SIPD)" in text and "Batas administrasi BIG" in text and "Perda Kota Contoh No. 1" not in text


def test_album_on_a4(tmp_path, layers):
    only = {"rencana": layers["rencana"], "kecamatan": layers["kecamatan"]}
    paths = write_album(only, tmp_path, year=2025, title="Kota Contoh", paper="A4")
    reader = _pdf_reader(paths[0])
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(841.89, abs=1) and float(page.mediabox.height) == pytest.approx(595.28, abs=1)
        assert min((s for s, _ in _text_runs(page)), default=99) >= 7.0 - 0.05
    assert "SPPR KOTA CONTOH" in reader.pages[0].extract_text() and "SPPR SPPR" not in reader.pages[0].extract_text()
    with pytest.raises(ValueError, match="A3"):
        write_album(only, tmp_path / "x", year=2025, title="Kota", paper="Letter")


def test_status_colours_never_read_as_zone_colours():
    from sppr_gis.maps.palette import STATUS_COLORS

    for s, c in STATUS_COLORS.items():
        for z in ZONE_CLASSES:
            faded = tuple(round(0.4 * v + 0.6 * 255) for v in z.rgb)  # zoning under status symbols is drawn at alpha 0.4
            assert color_distance(c, faded) >= 20, (s, z.code)
    assert color_distance(STATUS_COLORS["perlu_kajian"], Palette().color("KT")) >= 30  # was grey on grey
    assert color_distance(STATUS_COLORS["tidak_sesuai"], Palette().color("BJ")) >= 20  # was road red


# --------------------------------------------------------------------------- readability helpers


def test_stacked_points_are_spread_apart_and_lone_points_stay():
    from sppr_gis.maps.cartography import spread_positions

    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [500.0, 500.0], [3.0, 0.0]])
    new, group = spread_positions(xy, 10.0)
    assert list(group[:3]) == [0, 0, 0] and group[4] == 0 and group[3] == -1
    assert tuple(new[3]) == (500.0, 500.0)
    moved = new[group == 0]
    d = np.hypot(*(moved[:, None, :] - moved[None, :, :]).transpose(2, 0, 1))
    assert d[np.triu_indices(len(moved), 1)].min() >= 10.0 - 1e-9  # no longer overlapping
    assert np.allclose(moved.mean(axis=0), xy[group == 0].mean(axis=0))  # around their common place
    # a dense area (more than a stack) is left as it is
    _, group = spread_positions(np.zeros((30, 2)), 10.0)
    assert (group == -1).all()


def test_callouts_at_one_place_do_not_cover_each_other():
    from sppr_gis.maps.cartography import place_callouts

    f = MapFrame("x", crs="EPSG:32648")
    f.set_extent((0, 0, 1000, 1000))
    out = place_callouts(f.ax, [(500, 500)] * 6, [str(i) for i in range(1, 7)])
    r = f.fig.canvas.get_renderer()
    boxes = [matplotlib.text.Text.get_window_extent(t, r) for t in out]
    assert len(out) == 6 and len({tuple(t.xyann) for t in out}) == 6
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_inscribed_circle_also_without_shapely_2_1(monkeypatch):
    import shapely

    from sppr_gis.maps.album import _inscribed_circle

    poly = shapely.Polygon([(0, 0), (40, 0), (40, 10), (0, 10)], holes=[[(30, 2), (34, 2), (34, 6), (30, 6)]])
    (x, y), r = _inscribed_circle(poly, 0.05)
    if hasattr(shapely, "maximum_inscribed_circle"):
        monkeypatch.delattr(shapely, "maximum_inscribed_circle")
        (x2, y2), r2 = _inscribed_circle(poly, 0.05)
        assert r2 == pytest.approx(r, abs=0.2)
        assert poly.contains(shapely.Point(x2, y2))
    assert r == pytest.approx(5.0, abs=0.2) and poly.contains(shapely.Point(x, y))


def test_a_long_legend_flows_down_columns_on_its_own_sheet():
    """Nothing leaves the sheet: 80 one-line entries, more than two columns of an A4 panel hold, flow down
    three columns of the panel, in order, every one inside the panel and above the preparer block."""
    from matplotlib.lines import Line2D

    from sppr_gis.maps.cartography import LegendSection, continuation_pages

    f = MapFrame("x", crs="EPSG:32648", paper="A4", office="Dinas Contoh", signatory="Kepala\n\nNama\nNIP 1")
    f.set_extent((440_000, 100_000, 449_000, 107_000))
    labels = [f"Kelas {i}" for i in range(80)]
    f.add_legend([LegendSection("Panjang", [Line2D([], [], color="k") for _ in labels], labels)])
    f.finish("Sumber: uji")
    r = f.fig.canvas.get_renderer()
    inv = f.fig.transFigure.inverted()
    on_page = [" ".join(t.get_text().split()) for lg in f.legends for t in lg.get_texts()]
    assert on_page == labels
    boxes = [inv.transform(lg.get_window_extent(r)) for lg in f.legends]
    assert len({round(b[0][0], 3) for b in boxes}) >= 2  # more than one column
    prep_top = max(inv.transform(t.get_window_extent(r))[1][1] for t in f.preparer_artists.texts)
    for (x0, y0), (x1, _y1) in boxes:
        assert f.panel_x[0] <= x0 and x1 <= f.panel_x[1] and y0 > prep_top
    assert continuation_pages(f, first_page=7) == []


def test_a_legend_that_cannot_fit_its_sheet_stops_naming_the_map():
    """60 two-line entries cannot be keyed beside an A4 map even in three columns: the page is not made (the
    album stops, exit 1) and the message names the map, rather than moving part of the key to another page."""
    from matplotlib.lines import Line2D

    from sppr_gis.errors import OutputError
    from sppr_gis.maps.cartography import LegendSection

    f = MapFrame("Peta Uji Panjang", crs="EPSG:32648", paper="A4", number="Peta 9")
    f.set_extent((440_000, 100_000, 449_000, 107_000))
    labels = [f"Kode Z-{i} " + "kata " * 12 for i in range(60)]
    f.add_legend([LegendSection("Panjang", [Line2D([], []) for _ in labels], labels)])
    with pytest.raises(OutputError, match=r"^Peta 9 Peta Uji Panjang: its legend \(60 entries\) does not fit"):
        f.finish("Sumber: uji")


def test_sources_too_long_for_the_strip_leave_the_legend_its_room():
    """The 10,000-program album stopped on Peta 4 (A3): a note listing programs outside the frame made the
    citations too long for the strip under the map, so all of them went into the panel and the 31-entry legend no
    longer fit. The strip now takes the paragraphs it holds, the panel only the rest: every paragraph is printed
    once, in order, and the legend stays whole on the sheet."""
    from matplotlib.lines import Line2D

    from sppr_gis.maps.cartography import LegendSection

    notes = ["Sumber:"] + [f"Sumber {i}: " + "kata " * 30 for i in range(9)] + ["Di luar batas wilayah: " + "P-0001, " * 60]
    labels = [f"Kelas {i}" for i in range(34)]

    def frame(with_notes):
        f = MapFrame("x", crs="EPSG:32648", paper="A3", office="Dinas Contoh", signatory="Kepala\n\nNama\nNIP 1")
        f.set_extent((440_000, 100_000, 449_000, 107_000))
        f.add_legend([LegendSection("Panjang", [Line2D([], [], color="k") for _ in labels], labels)])
        f.finish(with_notes)
        return f

    f = frame(notes)
    printed = " ".join(" ".join(a.get_text().split()) for a in f.sources_artists)
    for n in notes:
        assert printed.count(" ".join(n.split())) == 1, n[:20]
    assert printed.index("Sumber 8") < printed.index("Di luar batas")
    on_page = [" ".join(t.get_text().split()) for lg in f.legends for t in lg.get_texts()]
    assert on_page == labels
    assert len(f.sources_artists) >= 2  # part in the strip, part in the panel


def test_a_note_too_long_for_the_strip_prints_its_short_form_there():
    """The 10,000-program album on A4 stopped on Peta 3: the note naming the programs beyond the administrative
    area (eight ids for each of three counts) did not fit under the map with the citations, went into the panel,
    and the 18-entry legend no longer fit. A note with a short form (the counts, without the ids; the Buku Matriks
    lists them) prints that form under the map instead; every other paragraph is printed whole, once."""
    from matplotlib.lines import Line2D

    from sppr_gis.maps.cartography import LegendSection
    from sppr_gis.maps.cartography.common import Note

    ids = ", ".join(f"P10K-{i:05d}" for i in range(200))
    long = Note(f"Di luar batas wilayah: 1367 lokasi program seluruhnya di luar batas administrasi, digambar utuh ({ids}).",
                short="Di luar batas wilayah: 1367 lokasi program seluruhnya di luar batas administrasi, digambar utuh (daftarnya dalam Buku Matriks).")
    notes = ["Sumber: pola ruang, batas kecamatan.", "Analisis: SPPR tahun 2025.", long]
    labels = [f"Kelas {i}" for i in range(18)]
    f = MapFrame("x", crs="EPSG:32648", paper="A4", office="Dinas Contoh", signatory="Kepala\n\nNama\nNIP 1")
    f.set_extent((440_000, 100_000, 449_000, 107_000))
    f.add_legend([LegendSection("Panjang", [Line2D([], [], color="k") for _ in labels], labels)])
    f.finish(notes)
    printed = " ".join(" ".join(a.get_text().split()) for a in f.sources_artists)
    assert printed.count("1367 lokasi program seluruhnya di luar batas administrasi, digambar utuh (daftarnya dalam Buku Matriks).") == 1
    assert "P10K-00000" not in printed
    for n in notes[:2]:
        assert printed.count(n) == 1
    assert f.sources_in_strip
    assert [" ".join(t.get_text().split()) for lg in f.legends for t in lg.get_texts()] == labels
