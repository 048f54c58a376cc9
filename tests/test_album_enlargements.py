"""Issue 19 review (cartographer, HIGH): callout leaders that never cross, an enlargement on A4 too, a second
enlargement (B) where a city has two dense centres, and a scale bar on every enlargement.

The review found on the sample's A4 Peta 4 (realistic ``[album]``) two crossing leaders and no enlargement (A3 had
one), on Kota Bandung's Peta 3 leaders up to 79 mm and a crossing pair, and no scale bar on "Peta Perbesaran A".
Here the leaders are read from the figure's artists, independently of the placer (each from its feature, the
annotation's anchor through the axes' transform, to its drawn circle; helpers of ``test_album_leaders``), and the
scale bar's printed length from its drawn patches against the enlargement's own axes transform.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from printing import draw_logo  # noqa: E402
from test_album_leaders import PT_MM, _callouts, _leaders  # noqa: E402
from test_album_real_city import _grid_city  # noqa: E402

pdfplumber = pytest.importorskip("pdfplumber")

OFFICE = "Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
SIGNATORY = "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah\n\nDr. Ir. Nama Lengkap, S.T., M.T.\nNIP 19700101 199503 1 001"


def _crossings(ax) -> list[tuple[str, str]]:
    """Pairs of leaders (as drawn, to the circle's edge) that cross, on the map and in each enlargement apart."""
    ax.figure.canvas.draw()
    out = []
    for a in [ax, *ax.child_axes]:
        own = [c for c in _callouts(a) if c[0] in {t.get_text() for t in a.texts}]
        lines = _leaders([c for c in own])
        for i in range(len(lines)):
            for j in range(i):
                (n1, p1, l1, _), (n2, p2, l2, _) = lines[i], lines[j]
                if not np.allclose(p1, p2) and l1.crosses(l2):
                    out.append((n1, n2))
    return out


def _numbers(ax) -> Counter:
    """How often each number is printed, on the map and in its enlargements."""
    return Counter(t.get_text() for a in [ax, *ax.child_axes] for t in a.texts if getattr(t, "_sppr_callout", False))


@pytest.fixture(scope="module")
def a4_kesesuaian(tmp_path_factory):
    """The sample's Peta Kesesuaian on A4 with an agency's [album] (two-line office, four-line signatory, a logo)."""
    from mapdata import sample_album_layers

    from sppr_gis.maps import album as album_mod

    _, layers = sample_album_layers(2025)
    logo = draw_logo(tmp_path_factory.mktemp("logo"))
    pages = album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper="A4", dpi=150, office=OFFICE,
                                  signatory=SIGNATORY, logo=logo, place_date="Tanjungpinang, 2 Januari 2026")
    page = next(p for stem, p in pages if stem.endswith("_kesesuaian"))
    return layers, page


def test_a4_peta_kesesuaian_numbers_every_program_once_with_no_two_leaders_crossing(a4_kesesuaian):
    """Main (7 Dec): leaders 42 and 61 crossed, 12.4 mm long, and A4 had no enlargement (A3 had one)."""
    layers, page = a4_kesesuaian
    r = layers["rencana"]
    located = {str(i + 1) for i, g in enumerate(r.geometry) if g is not None and not g.is_empty}
    count = _numbers(page.ax)
    assert set(count) == located, sorted(located ^ set(count), key=int)  # every located program numbered
    assert max(count.values()) == 1  # once
    assert getattr(page.ax, "_sppr_unnumbered", 0) == 0
    assert _crossings(page.ax) == []
    en = getattr(page.ax, "_sppr_enlargement", None)
    assert en is not None and en["label"] == "A"  # the dense west coast enlarged on A4 too
    longest = max(ln for a in [page.ax, *page.ax.child_axes] for *_, ln in _leaders(_callouts(a))) * PT_MM
    assert longest <= 15.0 + 0.05, f"longest leader {longest:.1f} mm"


def _scale_bar(ins, label):
    """The enlargement's scale bar as drawn: its parts' width (display units) and the metres its end label says."""
    r = ins.figure.canvas.get_renderer()
    parts = [p for p in ins.patches if p.get_gid() == f"perbesaran-skala:{label}"]
    assert len(parts) >= 2, "no scale bar in the enlargement"
    boxes = [p.get_window_extent(r) for p in parts]
    width = max(b.x1 for b in boxes) - min(b.x0 for b in boxes)
    ends = [t.get_text() for t in ins.texts if t.get_gid() == f"perbesaran-skala:{label}" and re.fullmatch(r"[\d.,]+ (k?m)", t.get_text())]
    assert len(ends) == 1, ends
    value, unit = ends[0].split()
    metres = float(value.replace(".", "").replace(",", ".")) * (1000.0 if unit == "km" else 1.0)
    return width, metres


def _check_scale_bar(page, en):
    ins = en["axes"]
    page.fig.canvas.draw()
    width, metres = _scale_bar(ins, en["label"])
    bb = ins.get_window_extent(page.fig.canvas.get_renderer())
    x0, x1 = ins.get_xlim()
    m_per_unit = (x1 - x0) / bb.width  # map metres per display unit, from the enlargement's own transform
    assert width * m_per_unit == pytest.approx(metres, rel=0.01)  # the bar is as long as it says at its scale
    printed_m = width / page.fig.dpi * 0.0254  # metres of paper
    den = metres / printed_m
    title = " ".join(t.get_text() for t in ins.texts if t.get_gid() == f"perbesaran-judul:{en['label']}")
    m = re.search(r"PETA PERBESARAN " + en["label"] + r"\s+(?:·\s+)?1 : ([\d.]+)", title)
    assert m, title
    assert den == pytest.approx(float(m.group(1).replace(".", "")), rel=0.01)  # and the title's scale is the printed one
    # not the map's scale: the map's bar would not serve
    mb = page.ax.get_window_extent(page.fig.canvas.get_renderer())
    mx0, mx1 = page.ax.get_xlim()
    den_map = (mx1 - mx0) / (mb.width / page.fig.dpi * 0.0254)
    assert den <= den_map / 2


def test_an_a4_enlargement_carries_its_own_scale_bar_at_its_scale(a4_kesesuaian):
    _, page = a4_kesesuaian
    _check_scale_bar(page, page.ax._sppr_enlargement)


def _two_centres(seed: int = 5, n: int = 32, spread: int = 40):
    """A 21 x 12 km city of 24 kecamatan with two dense centres 12 km apart (32 programs each within about 300 m)
    and 40 programs spread over it: the Kota Bandung case of two dense areas, without the mirrors."""
    layers = _grid_city(n_kec=24)
    rng = np.random.default_rng(seed)
    centres = np.array([[784_500.0, 9_233_500.0], [796_500.0, 9_235_500.0]])
    pts = [shapely.Point(centres[k % 2] + rng.normal(0, 300.0, 2)) for k in range(2 * n)]
    pts += [shapely.Point(p) for p in rng.uniform([781_000, 9_229_000], [800_000, 9_239_500], (spread, 2))]
    status = ["tidak_sesuai" if k % 17 == 0 else "sesuai_bersyarat" if k % 7 == 0 else "sesuai" for k in range(len(pts))]
    layers["rencana"] = gpd.GeoDataFrame({"program_id": [f"PUPR-2025-{k + 1:03d}" for k in range(len(pts))], "kegiatan": ["pembangunan_jalan"] * len(pts),
                                          "status": status, "opd": ["Dinas PUPR"] * len(pts)}, geometry=pts, crs="EPSG:32748")
    return layers


@pytest.fixture(scope="module")
def two_centres():
    from sppr_gis.maps import album as album_mod

    layers = _two_centres()
    pages = album_mod.album_pages(layers, year=2025, title="SPPR Kota Dua", region="Kota Dua", paper="A3", dpi=150)
    page = next(p for stem, p in pages if stem.endswith("_kesesuaian"))
    buf = io.BytesIO()
    page.fig.savefig(buf, format="pdf")
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        text = doc.pages[0].extract_text()
    page.fig.canvas.draw()
    return layers, page, text


def test_two_dense_centres_get_two_enlargements_and_short_leaders_that_never_cross(two_centres):
    """Main (7 Dec): one enlargement; on the map 21 crossing pairs and leaders up to 34.4 mm (12 over 15 mm). Session 7:
    8 crossing pairs and a 28.5 mm leader, all in the enlargements (B taken at 1 : 40.000, its window judged by leaders of
    any length, crossing or not; the kecamatan names placed there before the numbers)."""
    layers, page, text = two_centres
    ens = page.ax._sppr_enlargements
    assert [en["label"] for en in ens] == ["A", "B"]
    # each dense centre in one window
    for c in ([784_500.0, 9_233_500.0], [796_500.0, 9_235_500.0]):
        assert sum(en["window"][0] <= c[0] <= en["window"][2] and en["window"][1] <= c[1] <= en["window"][3] for en in ens) == 1
    count = _numbers(page.ax)
    assert set(count) == {str(k + 1) for k in range(len(layers["rencana"]))} and max(count.values()) == 1
    assert _crossings(page.ax) == []
    longest = max(ln for a in [page.ax, *page.ax.child_axes] for *_, ln in _leaders(_callouts(a))) * PT_MM
    assert longest <= 15.0 + 0.05, f"longest leader {longest:.1f} mm"
    # both printed and named in the note, with their scales; each title drawn in its strip above the enlargement, not
    # clipped away by its axes (the text is in the PDF either way)
    assert "PETA PERBESARAN A" in text and "PETA PERBESARAN B" in text
    for en in ens:
        titles = [t for t in en["axes"].texts if t.get_gid() == f"perbesaran-judul:{en['label']}"]
        assert titles and not any(t.get_clip_on() for t in titles), en["label"]
    assert re.search(r"Program\s+di\s+dalam\s+kotak\s+A\s+dan\s+B\s+bernomor\s+pada\s+Peta\s+Perbesaran\s+A\s+\(1\s+:\s+[\d.]+\)\s+dan\s+B\s+\(1\s+:\s+[\d.]+\)", text), text
    # the frames stand clear of the city and of each other
    city = shapely.union_all(list(layers["kecamatan"].geometry)).buffer(-1.0)
    inv = page.ax.transData.inverted()
    frames = []
    for en in ens:
        bb = en["axes"].get_window_extent(page.fig.canvas.get_renderer())
        (a, b), (c, d) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        frames.append(shapely.box(a, b, c, d))
        assert not frames[-1].intersects(city)
    assert not frames[0].intersects(frames[1])


def test_each_of_two_enlargements_carries_its_own_scale_bar(two_centres):
    _, page, _ = two_centres
    for en in page.ax._sppr_enlargements:
        _check_scale_bar(page, en)
