"""Every network on the struktur ruang map is named (s5): along its line where the name is no longer than the line as
drawn, else by a number on the map keyed in the legend panel ("1. Nama ruas").

The names are read from the sample's own struktur_ruang layer; the page is written to PDF (A3 and A4) and its text
read back with pdfplumber: each drawn string is rebuilt from its glyphs (origin, direction and advance), so a name's
extent along its direction is measured as printed, and the line's drawn length from its geometry and the map's scale.
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pdfplumber
import pytest
import shapely
from conftest import SAMPLE

#: How far (mm) a name along a line may run past the line's drawn length.
MARGIN_MM = 2.0


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


def _strings(chars):
    """The drawn strings: runs of consecutive glyphs of one size and direction, each following the last along it.
    Each as (text, direction (ux, uy), first origin, extent along the direction in points)."""
    out = []
    run = []

    def flush():
        if run:
            a, b = run[0]["matrix"][:2]
            n = math.hypot(a, b)
            u = np.array([a / n, b / n])  # the text matrix: PDF coordinates (y up)
            o0 = np.array(run[0]["matrix"][4:6])
            o1 = np.array(run[-1]["matrix"][4:6])
            out.append(("".join(c["text"] for c in run), u, o0, float(np.dot(o1 - o0, u)) + abs(run[-1]["adv"])))

    for c in chars:
        if run:
            p = run[-1]
            same = np.allclose(p["matrix"][:4], c["matrix"][:4], atol=1e-3)
            step = np.array([c["matrix"][4] - p["matrix"][4], c["matrix"][5] - p["matrix"][5]])
            a, b = p["matrix"][:2]
            n = math.hypot(a, b)
            along = (step[0] * a + step[1] * b) / n
            across = abs(-step[0] * b + step[1] * a) / n
            if same and 0 <= along <= abs(p["adv"]) + 1.0 and across < 0.5:  # the next glyph of the same string
                run.append(c)
                continue
        flush()
        run = [c]
    flush()
    return out


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_network_is_named_along_a_line_it_fits_or_keyed(sample, paper, tmp_path):
    from sppr_gis.maps import album as album_mod

    _, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", paper=paper)
    page = a.page_struktur()
    pdf = tmp_path / f"struktur_{paper}.pdf"
    page.fig.savefig(pdf)
    net = gpd.read_file(SAMPLE / "struktur_ruang.gpkg").to_crs(page.crs)
    names = {" ".join(str(n).split()): g for n, g in zip(net["NAMOBJ"], net.geometry) if isinstance(n, str) and n.strip()}
    assert len(names) == 17

    # the map's scale as printed: mm on paper per metre of ground
    W, H = page.fig.get_size_inches() * 72.0
    pos = page.ax.get_position()
    x0, x1 = page.ax.get_xlim()
    mm_per_m = pos.width * W * 25.4 / 72.0 / (x1 - x0)
    mx0, mx1, my0, my1 = pos.x0 * W, pos.x1 * W, pos.y0 * H, pos.y1 * H

    with pdfplumber.open(pdf) as doc:
        strings = _strings(doc.pages[0].chars)

    def on_map(o):
        return mx0 <= o[0] <= mx1 and my0 <= o[1] <= my1

    map_strings = [s for s in strings if on_map(s[2])]
    map_texts = [t.strip() for t, *_ in map_strings]
    # keyed off the map: "N. Name" in the legend (A3) or in the page's note (A4), wrapped lines joined
    off_map = re.sub(r"\s+", "", "|".join(t for t, _u, o, _e in strings if not on_map(o)))
    keyed = {}
    for name in names:
        pattern = r"(?<![0-9])(\d+)\.\|?" + r"\|?".join(re.escape(ch) for ch in re.sub(r"\s+", "", name))  # a line may wrap anywhere
        m = re.search(pattern, off_map)
        if m:
            keyed[name] = m.group(1)

    along = 0
    for name, geom in names.items():
        drawn = [s for s in map_strings if " ".join(s[0].split()) == name]
        if drawn:
            along += 1
            part = max(shapely.get_parts(shapely.line_merge(geom)), key=lambda p: p.length)
            line_mm = part.length * mm_per_m
            for _t, _u, _o, ext in drawn:
                ext_mm = ext * 25.4 / 72.0
                assert ext_mm <= line_mm + MARGIN_MM, (paper, name, round(ext_mm, 1), round(line_mm, 1))
        else:
            assert name in keyed, (paper, name, "neither on the map nor keyed")
            assert keyed[name] in map_texts, (paper, name, keyed[name], "number not on the map")
    assert along >= 8, (paper, along)
    # the planned road is named (along its line or keyed), and the long drain name is not set along its short stub
    assert "Jalan Tembus Senggarang - Dompak" in names
    drain = "Saluran Drainase Primer Sei Jang"
    assert drain in keyed and drain not in map_texts, paper
