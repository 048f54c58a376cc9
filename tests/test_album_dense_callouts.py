"""Issue 19 review 3 (BLOCKER 1, HIGH 8): callouts that stay legible on a dense city.

Bandung Peta 3 printed 144 callouts at 1:150.000 over 30 kecamatan names: numbers stacked on one another, circles
touching, leaders across the names. Here a map of Bandung's density (a 27 x 23 cm frame, 30 kecamatan names in
bold italic, 144 programs clustered the way a city's are, callouts at 5.5 pt) is printed to PDF and read back with
pdfplumber, independently of the placer: the words as printed, the circles as drawn curves, the leaders as drawn
lines; geometry by shapely.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import place_callouts, place_labels  # noqa: E402

pdfplumber = pytest.importorskip("pdfplumber")

MM = 1 / 25.4


def _bandung_page() -> tuple[bytes, list[str], list[str]]:
    """The PDF of a Bandung-dense map, the numbers asked for and the numbers dropped."""
    fig = Figure(figsize=(297 * MM, 260 * MM), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.04, 0.04, 0.91, 0.91))
    ax.set_xlim(0, 40_000)  # 40 km across 27 cm: 1:150.000
    ax.set_ylim(0, 35_000)
    ax.set_axis_off()
    rng = np.random.default_rng(19)
    # 30 kecamatan names on a 6 x 5 grid inside the city (the middle 22 x 16 km)
    gx, gy = np.meshgrid(np.linspace(10_000, 30_000, 6), np.linspace(10_000, 25_000, 5))
    kec = [f"KEC {chr(65 + i // 6)}{chr(65 + i % 6)} SUKAJADI" if i % 3 == 0 else f"KEC {chr(65 + i // 6)}{chr(65 + i % 6)}" for i in range(30)]
    place_labels(ax, list(zip(gx.ravel(), gy.ravel())), kec, fontsize=6.5, weight="bold", style="italic")
    # 144 programs: most in six dense clusters (a few hundred metres), the rest spread over the city
    centres = rng.uniform([12_000, 12_000], [28_000, 23_000], (6, 2))
    pts = [centres[k % 6] + rng.normal(0, 350, 2) for k in range(100)] + list(rng.uniform([9_000, 9_000], [31_000, 26_000], (44, 2)))
    numbers = [str(k + 1) for k in range(len(pts))]
    dropped: list[str] = []
    place_callouts(ax, [tuple(p) for p in pts], numbers, fontsize=5.5, gid="program", dropped=dropped)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    return buf.getvalue(), numbers, dropped


@pytest.fixture(scope="module")
def page():
    pdf, numbers, dropped = _bandung_page()
    doc = pdfplumber.open(io.BytesIO(pdf))
    yield doc.pages[0], numbers, dropped
    doc.close()


def _box(o):
    return shapely.box(o["x0"], o["top"], o["x1"], o["bottom"])


def test_no_two_words_on_a_dense_map_overlap(page):
    p, numbers, dropped = page
    words = p.extract_words(x_tolerance=1.0)  # the digits of two callouts 1 pt apart are two words
    boxes = [_box(w) for w in words]
    bad = [(words[i]["text"], words[j]["text"]) for i in range(len(boxes)) for j in range(i) if boxes[i].intersection(boxes[j]).area > 0.01]
    assert not bad, bad[:10]
    digits = sum(len(n) for n in numbers if n not in set(dropped))
    assert sum(c["text"].isdigit() for c in p.chars) == digits  # every number not dropped is printed, once
    assert len(dropped) < len(numbers) // 4  # the far rings find room for most of them


def test_callout_circles_keep_apart_and_off_the_names_and_no_leader_crosses_a_name(page):
    p, _, _ = page
    words = p.extract_words(x_tolerance=1.0)
    names = [_box(w) for w in words if not w["text"].isdigit()]
    # the circles as drawn: small closed curves about as wide as high
    # (white-filled and stroked: the names' white halos are glyph outlines, stroked only)
    circles = [c for c in p.curves if c["fill"] and c["stroke"] and np.allclose(np.atleast_1d(c["non_stroking_color"] if c["non_stroking_color"] is not None else 0), 1)
               and 4 < c["x1"] - c["x0"] < 20 and abs((c["x1"] - c["x0"]) - (c["bottom"] - c["top"])) < 1.0]
    assert len(circles) >= 100
    disks = [shapely.Point((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2).buffer((c["x1"] - c["x0"]) / 2) for c in circles]
    for i in range(len(disks)):
        for j in range(i):
            assert disks[i].distance(disks[j]) > 0.5, "two callouts touch"  # 1 pt apart by design, 0.5 pt of slack for the edge
        for n in names:
            assert not disks[i].intersects(n), "a callout covers a name"
    segs = [shapely.LineString(s["pts"]) for s in p.lines + p.curves if len(s.get("pts", [])) == 2]
    assert len(segs) >= 50
    for s in segs:
        a, b = shapely.Point(s.coords[0]), shapely.Point(s.coords[-1])
        for n in names:
            # a feature under its kecamatan's name (pdfplumber's box of an italic word is up to 1 pt off matplotlib's
            # measure of it): its leader starts there
            if n.buffer(1.0, join_style="mitre").covers(a) or n.buffer(1.0, join_style="mitre").covers(b):
                continue
            assert not s.intersects(n), "a leader crosses a name"


def test_a_dense_peta_kesesuaian_prints_no_overlapping_word_and_notes_the_numbers_it_leaves_to_the_table():
    """Peta Kesesuaian of a 30-kecamatan city (Bandung's names, 21 x 15 km) with 144 programs, most in a few
    clusters of a few hundred metres: on the printed page no two words of the map overlap (pdfplumber), and the
    numbers the map leaves off are said in the note with their count, matching the numbers missing from the map."""
    import re

    import geopandas as gpd
    from test_album_real_city import _grid_city

    from sppr_gis.maps import album as album_mod

    layers = _grid_city()
    rng = np.random.default_rng(3)
    centres = rng.uniform([782_000, 9_230_000], [798_000, 9_240_000], (5, 2))
    pts = [shapely.Point(centres[k % 5] + rng.normal(0, 250, 2)) for k in range(110)] + [shapely.Point(p) for p in rng.uniform([781_000, 9_229_000], [800_000, 9_242_000], (34, 2))]
    status = ["tidak_sesuai" if k % 17 == 0 else "sesuai_bersyarat" if k % 7 == 0 else "sesuai" for k in range(len(pts))]
    layers["rencana"] = gpd.GeoDataFrame({"program_id": [f"PUPR-2025-{k + 1:03d}" for k in range(len(pts))], "kegiatan": ["pembangunan_jalan"] * len(pts),
                                          "status": status, "opd": ["Dinas PUPR"] * len(pts)}, geometry=pts, crs="EPSG:32748")
    pages = album_mod.album_pages(layers, year=2025, title="SPPR Kota Bandung", region="Kota Bandung", paper="A3", dpi=150)  # the real dpi: text measured as printed
    page = next(p for stem, p in pages if stem.endswith("_kesesuaian"))
    ax = page.ax
    buf = io.BytesIO()
    page.fig.savefig(buf, format="pdf")
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        pg = doc.pages[0]
        text = pg.extract_text()
        r = page.fig.canvas.get_renderer()
        bb = ax.get_window_extent(r)
        h = page.fig.bbox.height * 72.0 / page.fig.dpi
        k = 72.0 / page.fig.dpi
        x0, x1, top, bottom = bb.x0 * k, bb.x1 * k, h - bb.y1 * k, h - bb.y0 * k
        words = [w for w in pg.extract_words(x_tolerance=1.0) if w["upright"] and x0 <= w["x0"] and w["x1"] <= x1 and top <= w["top"] and w["bottom"] <= bottom]
    boxes = [_box(w) for w in words]
    # a callout's number against every word of the map (names split by pdfplumber inside one italic word are not
    # pairs of words; the inset's own title is another page element)
    num = [w["text"].isdigit() for w in words]
    bad = [(words[i]["text"], words[j]["text"]) for i in range(len(boxes)) for j in range(i) if (num[i] or num[j]) and boxes[i].intersection(boxes[j]).area > 0.01]
    assert not bad, bad[:10]
    # numbered on the map or in its enlargements ("PETA PERBESARAN A", "B": insets of the same map)
    enlarged = getattr(ax, "_sppr_enlargements", None) or []
    callouts = [t for a in (ax, *[en["axes"] for en in enlarged]) for t in a.texts if getattr(t, "_sppr_callout", False)]
    shown = len(page.data.get("numbers", {}))
    dropped = shown - len(callouts)
    m = re.search(r"(\d+) program tidak bernomor di peta karena\s+padat; lihat tabel", text)
    if dropped:
        assert m and int(m.group(1)) == dropped, text
    else:
        assert m is None
    assert len(callouts) >= shown * 3 // 4
