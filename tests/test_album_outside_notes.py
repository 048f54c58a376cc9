"""A map notes the locations beyond its frame or the administrative area only for what it draws.

Found on the 10,000-program album on A4 (session 7): Peta 2 (pola ruang), which draws no program, printed
"44 lokasi program di luar bingkai peta ...; 1367 lokasi program seluruhnya di luar batas administrasi ...";
the note took the room of its 21-row legend and the album stopped ("legendanya (21 butir) tidak muat").
"""
from __future__ import annotations

import pytest
import shapely

from mapdata import sample_album_layers


@pytest.fixture(scope="module")
def album():
    from sppr_gis.maps import album as album_mod

    _, layers = sample_album_layers()
    layers = dict(layers)
    r = layers["rencana"].copy()
    city = shapely.union_all(layers["kecamatan"].to_crs(r.crs).geometry.values)
    x0, y0, x1, y1 = city.bounds
    # a point 2 km east of the city's bounding box: beyond the administrative area by construction (and beyond
    # the frame or not, depending on the margin: either way it is noted where its OPD's programs are drawn)
    far = shapely.Point(x1 + 2000.0, (y0 + y1) / 2)
    assert not city.intersects(far.buffer(1500.0))
    i = r.index[r["opd"].astype(str) == "Dinas Kesehatan"][0]
    r.loc[i, "geometry"] = far
    r.loc[i, "program_id"] = "P-JAUH"
    layers["rencana"] = r
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72)


def _notes(page) -> str:
    return " ".join(" ".join(t.get_text().split()) for t in page.fig.texts)


def test_the_maps_that_draw_no_program_note_none(album):
    from sppr_gis.maps.pages.administrasi import page_admin
    from sppr_gis.maps.pages.pola_ruang import page_zoning

    for page in (page_admin(album), page_zoning(album)):
        text = _notes(page)
        assert "P-JAUH" not in text and "lokasi program" not in text, page.title


def test_only_the_opd_map_that_draws_it_notes_a_program_beyond_the_area(album):
    noted = {p.title: "P-JAUH" in _notes(p) for p in album.pages_opd()}
    assert noted["Peta Program Dinas Kesehatan"] is True
    assert not any(v for t, v in noted.items() if t != "Peta Program Dinas Kesehatan"), noted
