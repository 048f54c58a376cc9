"""Cartographer's review (BLOCKER): Peta 1 Administrasi must name every kelurahan. The sample left Tanjung Ayun Sakti
and Tanjung Unggat unnamed (pushed out by the kecamatan names) and Kota Bandung 57 of 151, with nothing saying so.

Read back from the printed page (pdfplumber): every kelurahan name of the sample's kelurahan layer (read here with
geopandas, not through the album) is printed on the map, or a number printed on the map is keyed to it (in the
legend panel or on the page's continuation sheet), A3 and A4. A constructed city of small kelurahan checks that
names that cannot fit become numbers keyed to them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import pdfplumber
import pytest
import shapely
from mapdata import sample_album_layers

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography import continuation_pages

SAMPLE_ADMIN = Path(__file__).resolve().parents[1] / "data" / "sample" / "admin.gpkg"


def _norm(s: str) -> str:
    return " ".join(s.split())


def _pdf_words(fig) -> tuple[str, list[dict]]:
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as pdf:
        p = pdf.pages[0]
        # by lines left to right: a key reads 'n. Name' in the legend, 'n Name' on the continuation sheet
        # (and as written, each text one run: pdfplumber's lines interleave a legend line with map labels at its height)
        return _norm((p.extract_text() or "") + " " + (p.extract_text(use_text_flow=True) or "")), p.extract_words(use_text_flow=True)


def _peta1(layers, paper):
    stem, page = next(iter(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper=paper, dpi=40)))
    assert stem.endswith("administrasi")
    return page


def _unnamed(page, names: list[str]) -> list[str]:
    """The names neither printed inside the map's frame nor keyed 'n. Name' to a number n printed inside the map."""
    text, words = _pdf_words(page.fig)
    x0, y0, x1, y1 = page.ax.get_position().bounds[0], page.ax.get_position().bounds[1], *page.ax.get_position().p1
    h = page.fig.get_figheight() * 72
    w = page.fig.get_figwidth() * 72
    inside = [wd for wd in words if x0 * w <= wd["x0"] and wd["x1"] <= x1 * w and (1 - y1) * h <= wd["top"] and wd["bottom"] <= (1 - y0) * h]
    map_text = " ".join(wd["text"] for wd in inside)
    numbers = {wd["text"] for wd in inside if wd["text"].isdigit()}
    keys = text
    for c in continuation_pages(page):
        keys += " " + _pdf_words(c)[0]
    missing = []
    for name in names:
        # printed on the map: its words in a row (a name may wrap onto two lines)
        if re.search(r"\b" + r"\s+".join(map(re.escape, name.split())) + r"\b", map_text):
            continue
        keyed = [n for n in re.findall(r"\b(\d+)\.?\s+" + r"\s+".join(map(re.escape, name.split())) + r"\b", keys)]
        if not any(n in numbers for n in keyed):
            missing.append(name)
    return missing


@pytest.fixture(scope="module")
def layers():
    return sample_album_layers()[1]


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_sample_kelurahan_is_named_or_keyed_on_peta_1(layers, paper):
    kel = gpd.read_file(SAMPLE_ADMIN, layer="kelurahan")
    field = next(c for c in ("nama", "WADMKD", "NAMOBJ") if c in kel.columns)
    names = sorted({_norm(str(n)) for n in kel[field]})
    assert len(names) == 14 and "Tanjung Unggat" in names and "Tanjung Ayun Sakti" in names
    page = _peta1(layers, paper)
    assert _unnamed(page, names) == [], paper


def test_kelurahan_too_small_for_their_names_are_numbered_and_keyed():
    """A constructed city: 2 kecamatan of 24 kelurahan 300 m x 300 m each (names of 20 letters do not fit at
    7 pt at the album scale): every one named or keyed, and some of them by number."""
    crs = "EPSG:32748"
    x0, y0, s = 780_000.0, 9_228_000.0, 300.0
    boxes = [shapely.box(x0 + (i % 8) * s, y0 + (i // 8) * s, x0 + (i % 8 + 1) * s, y0 + (i // 8 + 1) * s) for i in range(24)]
    names = [f"Kelurahan Panjang {chr(65 + i // 5)}{chr(65 + i % 5)}" for i in range(24)]
    kel = gpd.GeoDataFrame({"WADMKD": names, "WADMKC": ["Barat" if i % 8 < 4 else "Timur" for i in range(24)]}, geometry=boxes, crs=crs)
    kec = kel.dissolve("WADMKC").reset_index()[["WADMKC", "geometry"]]
    page = _peta1({"kecamatan": kec, "kelurahan": kel}, "A4")
    assert _unnamed(page, names) == []
    numbered = [t for t in page.ax.texts if t.get_gid() == "kel-name-number"]
    assert numbered, "names this long cannot all fit in 300 m squares"
