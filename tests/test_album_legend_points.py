"""Issue 19, review of session 6 (findings 5 and 6): the legend's layout does not depend on the dpi, and a
numbered key row is wrapped once.

- the pola ruang legend's "Batas administrasi" ran into the last Zona Budi Daya entry at 100 dpi and not at 150:
  the sections were stacked by their heights measured in pixels of the figure's dpi (whole pixels per line),
  not in the points the PDF prints;
- A4 Peta 13's key of kecamatan broke "16 program" over two lines (a row wrapped at 46 characters, then again at
  the panel's narrower width).

Read from the PDF (pdfplumber: words and rectangles, in points).
"""

from __future__ import annotations

import io

import matplotlib
import pytest

from sppr_gis.maps import album as album_mod

pdfplumber = pytest.importorskip("pdfplumber")


@pytest.fixture(scope="module")
def layers():
    from mapdata import sample_album_layers

    return sample_album_layers()[1]


def _legend_boxes(page) -> tuple[list[tuple[str, float, float, float, float]], list[tuple[float, float, float, float]]]:
    """The words and the rectangles (the zone swatches) printed in the legend panel, between the LEGENDA heading and
    the sources block: (text, x0, top, x1, bottom) and (x0, top, x1, bottom), PDF points from the top left."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        page.fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        p = doc.pages[0]
        upright = p.filter(lambda o: o.get("object_type") != "char" or bool(o.get("upright")))
        words = upright.extract_words(use_text_flow=True)
        left = page.panel_x[0] * float(p.width)
        head = next(w for w in words if w["text"] == "LEGENDA" and w["x0"] > left)
        floor = (1 - page.note_top) * float(p.height)
        inside = [(w["text"], w["x0"], w["top"], w["x1"], w["bottom"]) for w in words if w["x0"] > left and head["bottom"] < w["top"] and w["bottom"] < floor]
        rects = [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in p.rects if r["x0"] > left and head["bottom"] < r["top"] and r["bottom"] < floor]
    return inside, rects


def _overlap(a, b, slack: float = 0.3) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_pola_ruang_legend_is_the_same_in_points_at_100_and_150_dpi_and_nothing_overlaps(layers, paper):
    printed = {}
    for dpi in (100, 150):
        a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=dpi, paper=paper)
        page = a.page_zoning()
        words, rects = _legend_boxes(page)
        texts = " ".join(w[0] for w in words)
        assert "Zona Lindung" in texts and "Zona Budi Daya" in texts and "Batas administrasi" in texts
        assert len(rects) >= 20  # a swatch for each of the sample's 20 zone codes
        boxes = [w[1:] for w in words] + rects
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not _overlap(boxes[i], boxes[j]), (dpi, (words + rects)[i], (words + rects)[j])
        # the section "Batas administrasi" starts below every swatch and word of the zone sections
        title = next(w for w, nxt in zip(words, words[1:]) if w[0] == "Batas" and nxt[0] == "administrasi")
        above = [b for b in boxes if b[1] < title[2] - 0.01]
        assert max(b[3] for b in above) <= title[2] + 0.01
        # the legend as laid out, from its first line (the panel's heading above it is placed by the page)
        x0, y0 = words[0][1], words[0][2]
        printed[dpi] = [(w[0], w[1] - x0, w[2] - y0) for w in words]
    assert [w[0] for w in printed[100]] == [w[0] for w in printed[150]]
    for a_, b_ in zip(printed[100], printed[150]):
        assert a_[1] == pytest.approx(b_[1], abs=0.05) and a_[2] == pytest.approx(b_[2], abs=0.05), (a_, b_)


def test_a4_budget_map_keys_each_kecamatan_row_wrapped_once(layers):
    """Every row of the kecamatan key on A4 Peta 13 reads as one paragraph: its continuation lines indented under
    the name, none of them a lone number or a line cut again."""
    import re

    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper="A4")
    page = a.page_kecamatan()
    key = [lg for lg in page.legends if lg.get_title().get_text().startswith("Daftar kecamatan")]
    assert key, [lg.get_title().get_text() for lg in page.legends]
    rows = [t.get_text() for lg in key for t in lg.texts]
    assert len(rows) == 4
    for row in rows:
        lines = row.split("\n")
        assert re.match(r"^\d+\. ", lines[0])
        assert all(line.startswith("    ") and line.strip() for line in lines[1:]), row
        assert re.search(r"\d+ program", " ".join(row.split())), row
        assert not any(re.fullmatch(r"[\d.,]+", line.strip()) for line in lines), row
