"""Review s5, MEDIUM 4: the fills of one map's legend are told apart, by colour (CIE ΔE2000 >= 25, as printed:
the fill's alpha over white paper) or by a hatch; the kecamatan of the administrative map have distinct fills.

ΔE2000 is checked first against the published test data of Sharma, Wu and Dalal (2005), then used on the fills of
the legend patches of every page of the sample album (A3 and A4).
"""

from __future__ import annotations

import itertools

import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch
from mapdata import sample_album_layers

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.palette import _de2000, delta_e2000

# (L1, a1, b1), (L2, a2, b2), ΔE00: pairs 1, 7, 13, 17, 19, 25, 31 and 34 of Sharma et al. (2005), Table 1
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0011), 7.2195),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1,lab2,expected", SHARMA)
def test_delta_e2000_matches_the_published_test_data(lab1, lab2, expected):
    assert _de2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert _de2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_delta_e2000_of_srgb_black_and_white_is_100():
    assert delta_e2000((0, 0, 0), (255, 255, 255)) == pytest.approx(100.0, abs=0.05)


@pytest.fixture(scope="module", params=["A3", "A4"])
def pages(request):
    layers = sample_album_layers()[1]
    return request.param, list(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", paper=request.param, dpi=40))


def _printed(face) -> tuple[int, int, int]:
    r, g, b, a = to_rgba(face)
    return tuple(int(round(255 * (a * c + 1 - a))) for c in (r, g, b))  # type: ignore[return-value]


def _fills(page):
    """(label, printed RGB, hatch) of every filled patch of the page's legend; a wash under a strong outline (fill
    alpha below 0.3, as the priority areas are drawn) reads by its outline's colour."""
    out = []
    for sec in page.legend_sections:
        if sec.title.startswith("Latar:"):
            # the faded zoning under the programs, keyed by code for reference (review s6: every colour drawn keyed):
            # faded, its swatches are pale and close by nature; the zones are told apart where they are the subject,
            # on the pola ruang map (hatched where colours are close), as the section's title says
            continue
        for h, lab in zip(sec.handles, sec.labels):
            if isinstance(h, Patch) and h.get_fill() and to_rgba(h.get_facecolor())[3] > 0:
                wash = to_rgba(h.get_facecolor())[3] < 0.3 and h.get_linewidth() >= 1.0
                out.append((lab, _printed(h.get_edgecolor() if wash else h.get_facecolor()), h.get_hatch() or None))
    return out


def test_every_two_fills_of_a_legend_differ_by_colour_or_by_hatch(pages):
    paper, maps = pages
    checked = 0
    for stem, page in maps:
        fills = _fills(page)
        for (la, ca, ha), (lb, cb, hb) in itertools.combinations(fills, 2):
            checked += 1
            assert delta_e2000(ca, cb) >= 25 or ha != hb, (paper, stem, la, lb, ca, cb, ha, hb, round(delta_e2000(ca, cb), 1))
    assert checked > 150, checked


def test_the_kecamatan_of_the_administrative_map_have_distinct_fills(pages):
    paper, maps = pages
    page = next(p for s, p in maps if s.endswith("administrasi"))
    sec = next(s for s in page.legend_sections if s.title.startswith("Kecamatan"))
    fills = [_printed(h.get_facecolor()) for h in sec.handles]
    assert len(fills) == 4
    for a, b in itertools.combinations(fills, 2):
        assert delta_e2000(a, b) >= 25, (paper, a, b)
