"""Review s6 (issue 19), Kota Bandung Peta 1: kelurahan numbers collided with kecamatan names ("35" over the O of
CICENDO, "AND28IR") and a kecamatan's number touched a kelurahan's ("3" beside "63" read "363").

A constructed city (12 kecamatan of 8 small kelurahan each, most names too long for their areas, so both kinds
are numbered beside the short names), read back from the printed page (pdfplumber): no two names or numbers on the map come closer than 1 mm,
and a kecamatan's number (bold, upright, in a frame) is told apart from a kelurahan's (italic, not bold), the
legend saying which is which.
"""

from __future__ import annotations


import geopandas as gpd
import matplotlib
import pdfplumber
import pytest
import shapely

from printing import pdf_page
from sppr_gis.maps import album as album_mod

MM = 72.0 / 25.4


def _layers():
    crs = "EPSG:32748"
    x0, y0, s = 780_000.0, 9_228_000.0, 300.0
    boxes, kel_names, kec_of = [], [], []
    for i in range(12):  # kecamatan i: a 2 x 4 block of kelurahan; a 6 x 2 city of them
        cx, cy = x0 + (i % 6) * 2 * s, y0 + (i // 6) * 4 * s
        for j in range(8):
            boxes.append(shapely.box(cx + (j % 2) * s, cy + (j // 2) * s, cx + (j % 2 + 1) * s, cy + (j // 2 + 1) * s))
            # long one-word names (no second line) become numbers; a short one fits as a name beside them
            kel_names.append(f"Kel{j}" if j % 3 == 0 else f"KelurahanBernamaSangatPanjang{chr(65 + i)}{chr(65 + j)}")
            kec_of.append(f"KecamatanBernamaSangatPanjang{chr(65 + i)}" if i % 4 else f"Kec{chr(65 + i)}")
    kel = gpd.GeoDataFrame({"WADMKD": kel_names, "WADMKC": kec_of}, geometry=boxes, crs=crs)
    kec = kel.dissolve("WADMKC").reset_index()[["WADMKC", "geometry"]]
    return {"kecamatan": kec, "kelurahan": kel}


def _labels(page):
    """The names and numbers inside the map as printed: pdfplumber's words grouped by the text they belong to
    (a name of several words or lines is one label), each label's words with their boxes and fonts."""
    fig = page.fig
    with pdf_page(fig) as p:
        words = p.extract_words(extra_attrs=["fontname"], use_text_flow=True)
        rects = [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in p.rects]
        h = p.height
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    scale = 72.0 / fig.dpi
    groups = []
    for t in page.ax.texts:
        if not (t.get_gid() or "").startswith(("kec-name", "kel-name")) or not t.get_visible():
            continue
        bb = t.get_window_extent(r)
        x0, x1, top, bottom = bb.x0 * scale, bb.x1 * scale, h - bb.y1 * scale, h - bb.y0 * scale
        ws = [w for w in words if x0 - 1 < (w["x0"] + w["x1"]) / 2 < x1 + 1 and top - 1 < (w["top"] + w["bottom"]) / 2 < bottom + 1]
        assert ws, t.get_text()
        groups.append((t.get_gid(), t.get_text(), ws))
    return groups, rects


def _gap(a, b):
    """Distance (points) between two boxes (x0, top, x1, bottom); 0 when they overlap."""
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return (dx * dx + dy * dy) ** 0.5


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_peta1_names_and_numbers_keep_1_mm_apart(paper):
    stem, page = next(iter(album_mod.album_pages(_layers(), year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper=paper, dpi=72)))
    assert stem.endswith("administrasi")
    groups, rects = _labels(page)
    kinds = {g for g, _, _ in groups}
    assert {"kec-name-number", "kel-name-number"} <= kinds, kinds  # both kinds numbered: the case under test
    boxes = [[(w["x0"], w["top"], w["x1"], w["bottom"]) for w in ws] for _, _, ws in groups]
    # a kecamatan's number with its frame (the rectangle printed around it)
    for k, (gid, _, ws) in enumerate(groups):
        if gid == "kec-name-number":
            w = ws[0]
            frame = [rc for rc in rects if rc[0] <= w["x0"] and w["x1"] <= rc[2] and rc[1] <= w["top"] and w["bottom"] <= rc[3] and rc[2] - rc[0] < 6 * (w["x1"] - w["x0"]) + 10]
            assert frame, ("a kecamatan number without its frame", groups[k][1])
            boxes[k] = boxes[k] + [min(frame, key=lambda rc: rc[2] - rc[0])]
    close = []
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            d = min(_gap(a, b) for a in boxes[i] for b in boxes[j])
            if d < 1.0 * MM:
                close.append((groups[i][1], groups[j][1], round(d / MM, 2)))
    assert close == [], (paper, close)
    # told apart: a kecamatan's number bold upright, a kelurahan's italic not bold; the legend says so
    for gid, text, ws in groups:
        font = ws[0]["fontname"]
        if gid == "kec-name-number":
            assert "Bold" in font and "Oblique" not in font and "Italic" not in font, (text, font)
        elif gid == "kel-name-number":
            assert ("Oblique" in font or "Italic" in font) and "Bold" not in font, (text, font)
    legend = " ".join(t.get_text() for t in page.fig.findobj(matplotlib.text.Text))
    assert "nomor dalam kotak" in legend and "nomor miring" in legend
