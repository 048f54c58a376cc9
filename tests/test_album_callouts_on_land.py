"""Review s7 (issue 19), findings 2 and 3 on the realistic sample album (two-line office, four-line signatory, a
logo), A3 and A4:

- the program and IPU numbers on the full-city maps (Peta Kesesuaian, Sinkronisasi IPU, the OPD maps) stood beyond
  the city (sample A3: 53, 57, 59 ...) where the city had room: every numbered circle on those maps has its centre on
  the city's land;
- a kecamatan name stood over program symbols (Kota Bandung: PANYILEUKAN over programs 136 and 137, two parcels
  drawn as points and spread apart): no kecamatan name covers a point symbol drawn on the map.

What is checked is what the page draws: each circle's box as drawn (the annotation's circle patch, through the axes'
transform), each name's box, and the point symbols where they are drawn (the markers' offsets). The city is read
here from the sample's own ``admin.gpkg`` (the union of its kecamatan), not from the album.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
from mapdata import realistic_album
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
    _, layers = sample
    logo = draw_logo(tmp_path_factory.mktemp("logo"))
    a = realistic_album(layers, paper=request.param, dpi=72, logo=logo)
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


def test_no_kecamatan_name_covers_a_point_symbol(pages):
    """Each kecamatan name's box, widened by the symbol's radius, holds no centre of a point symbol drawn on the map
    (programs, IPU, relations, spread stacks, an area too small to see drawn as a point)."""
    from matplotlib.collections import PathCollection

    paper, maps, _ = pages
    covered = []
    names = 0
    for page in maps:
        ax, fig = page.ax, page.fig
        r = fig.canvas.get_renderer()
        pts = []
        for c in ax.collections:
            if isinstance(c, PathCollection) and c.get_visible() and len(c.get_offsets()) and c.get_offset_transform() == ax.transData:
                rad = np.sqrt(float(np.max(c.get_sizes()))) / 2 * fig.dpi / 72.0 if len(c.get_sizes()) else 0.0
                for x, y in ax.transData.transform(np.asarray(c.get_offsets(), dtype=float)):
                    pts.append((x, y, rad))
        pts = np.asarray(pts, dtype=float).reshape(-1, 3)
        for t in ax.texts:
            if t.get_gid() != "kec-label" or not t.get_visible():
                continue
            names += 1
            bb = t.get_window_extent(r)
            hit = (pts[:, 0] > bb.x0 - pts[:, 2]) & (pts[:, 0] < bb.x1 + pts[:, 2]) & (pts[:, 1] > bb.y0 - pts[:, 2]) & (pts[:, 1] < bb.y1 + pts[:, 2])
            if hit.any():
                covered.append((page.title, t.get_text(), int(hit.sum())))
    assert names >= 10, (paper, names)
    assert not covered, (paper, covered)
