"""Review s7 (issue 19), finding 2 on the realistic sample album (two-line office, four-line signatory, a
logo), A3 and A4:

- the program and IPU numbers on the full-city maps (Peta Kesesuaian, Sinkronisasi IPU, the OPD maps) stood beyond
  the city (sample A3: 53, 57, 59 ...) where the city had room: every numbered circle on those maps has its centre on
  the city's land;

What is checked is what the page draws: each circle's box as drawn (the annotation's circle patch, through the axes'
transform), each name's box, and the point symbols where they are drawn (the markers' offsets). The city is read
here from the sample's own ``admin.gpkg`` (the union of its kecamatan), not from the album.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from conftest import SAMPLE
from printing import draw_logo

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


@pytest.fixture(scope="module", params=["A3", "A4"])
def pages(request, sample, tmp_path_factory):
    """The realistic album's full-city maps that number programs or IPU (each map's axes), and the city."""
    from sppr_gis.maps import album as album_mod

    _, layers = sample
    logo = draw_logo(tmp_path_factory.mktemp("logo"))
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper=request.param,
                         office="Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
                         signatory="Kepala Bappeda Kota Contoh\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001", logo=logo)
    a.number = 3
    out = [a.page_conformance(), a.page_ipu(), *a.pages_opd(), a.page_sinergi()]
    out = [p for p in out if p is not None]
    kec = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan").to_crs(out[0].crs)
    city = shapely.union_all(shapely.make_valid(np.asarray(kec.geometry.array, dtype=object)))
    return request.param, out, city


def test_program_and_ipu_numbers_stand_on_the_citys_land(pages):
    """Every numbered circle on the map itself (an enlargement's are on its own axes) has its centre inside the city:
    the sample city has room on its land for every one of them (main: A3 9 circles beyond it on 6 maps, A4 13). The
    synergy map, whose numbers took the land since s7, is left out: on A4 one of its numbers has no room there."""
    paper, maps, city = pages
    shapely.prepare(city)
    counted, beyond = 0, []
    for page in maps:
        if page.title.startswith("Peta Sinergi"):
            continue
        ax, fig = page.ax, page.fig
        r = fig.canvas.get_renderer()
        inv = ax.transData.inverted()
        for t in ax.texts:
            if not getattr(t, "_sppr_callout", False) or not t.get_visible():
                continue
            t.update_positions(r)
            t.update_bbox_position_size(r)
            bb = t.get_bbox_patch().get_window_extent(r)
            cx, cy = inv.transform([((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2)])[0]
            counted += 1
            if not city.contains(shapely.Point(cx, cy)):
                beyond.append((page.title, t.get_text(), round(float(cx)), round(float(cy))))
    assert counted >= 120, (paper, counted)
    assert not beyond, (paper, beyond)

