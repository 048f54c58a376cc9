"""Issue 19 (t19-fix, blocker): the location inset and the circle-size key sit where they cover nothing of the city.

The cartographer found the inset on top of the city on every full-city A4 map (the NW corner hidden, callout 46
of Peta 4 and a network label of Peta 1 under it) and, on A3, "Saluran Drainase Sekunder 1" running under the
inset frame; on Peta 13 the circle-size key box covered the city too. On every full-city map, A3 and A4, with a
realistic [album]: the administrative area's projected bounds (the kecamatan layer's own bounds, projected
through the map's axes) do not meet the inset or the key box, and no name or callout on the map meets them.
"""

from __future__ import annotations

import pytest
from mapdata import sample_album_layers

from sppr_gis.maps import album as album_mod

SUMBER = {
    "zoning": "RDTR Kota Contoh (Perda Kota Contoh No. 1 Tahun 2021), data contoh",
    "rencana": "RKPD Kota Contoh Tahun 2025 (SIPD), Renja OPD, data contoh",
    "kecamatan": "Batas administrasi kecamatan, data contoh",
}


@pytest.fixture(scope="module")
def sample():
    return sample_album_layers()


def _overlap(a, b):
    """Whether two boxes (x0, y0, x1, y1) share some area (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_inset_and_key_boxes_cover_nothing_of_the_city_on_every_full_city_map(sample, paper):
    _, layers = sample
    a = album_mod._Album(
        layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=60, paper=paper, sumber=SUMBER,
        office="Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        signatory="Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001",
        place_date="Kota Contoh, 7 Desember 2026",
    )
    kx0, ky0, kx1, ky1 = layers["kecamatan"].total_bounds  # the administrative area, straight from the layer
    checked, keys = 0, 0
    for stem, page in album_mod._page_sequence(a, layers):
        if page.chart or page.inset_ax is None:
            continue
        fig, ax = page.fig, page.ax
        r = fig.canvas.get_renderer()
        ex = page._final_extent()
        if not (ex[0] <= kx0 and kx1 <= ex[2] and ex[1] <= ky0 and ky1 <= ex[3]):
            continue  # not a full-city map
        checked += 1
        # every box in display units
        (cx0, cy0), (cx1, cy1) = ax.transData.transform([(kx0, ky0), (kx1, ky1)])
        city = (cx0, cy0, cx1, cy1)
        bx, by, bw, bh = page.inset_box
        (ix0, iy0), (ix1, iy1) = fig.transFigure.transform([(bx, by), (bx + bw, by + bh)])
        boxes = {"inset": (ix0, iy0, ix1, iy1)}
        for p in ax.patches:
            if p.get_gid() == "pie-key-box":
                e = p.get_window_extent(r)
                boxes["key"] = (e.x0, e.y0, e.x1, e.y1)
                keys += 1
        for what, box in boxes.items():
            assert not _overlap(city, box), (paper, stem, what, "covers the administrative area", city, box)
            for t in ax.texts:
                if not (t.get_visible() and t.get_text()) or str(t.get_gid() or "").startswith("pie-key"):
                    continue
                e = t.get_window_extent(r)
                assert not _overlap((e.x0, e.y0, e.x1, e.y1), box), (paper, stem, what, "covers", t.get_text())
        fig.clf()
    assert checked >= 10 and keys == 1, (checked, keys)
