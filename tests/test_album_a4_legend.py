"""Issue 19, review s6 (session 6): the A4 album never stops because a legend is full, the true place of spread
point symbols is not drawn in the colour of a status, and an IPU of one year reads as one year.

Expected values come from the sample's own files (its zone codes), geometry built here and the status colours
as the album keys them in its legend, never from the code under test's own figures.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
from conftest import SAMPLE
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from printing import draw_logo, pdf_words

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography.draw import _spread_stacked
from sppr_gis.maps.cartography.frame import MapFrame  # noqa: F401 - the frame the legend is laid out in
from sppr_gis.maps.cartography.legend import LegendSection

matplotlib.use("Agg")

INSTANSI = "Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
PENANDATANGAN = "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah\n\nDr. Ir. Nama Lengkap, S.T., M.T.\nNIP 19700101 199503 1 001"


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


def test_a4_conformance_map_with_a_realistic_signatory_is_made_and_keys_its_zoning(sample, tmp_path):
    """The realistic A4 configuration (two-line instansi, four-line penandatangan, logo, place and date) stopped the
    album on Peta Kesesuaian: its legend (31 entries: statuses, relocation, forms, 20 faded zones, boundaries) did
    not fit beside the map at 7 pt. The page is made, and its faded zoning is keyed either code by code or by one
    entry that names the number of zones and the pola ruang map that keys them."""
    import tomllib

    _res, layers = sample
    codes = set(gpd.read_file(SAMPLE / "zoning.gpkg")["KODSZN"].dropna().astype(str))  # the sample's zone field
    with open(SAMPLE / "sppr.toml", "rb") as fh:  # the citations the sample's config gives, as sync passes them
        sumber = {"rules": "berkas itbx.csv", **tomllib.load(fh)["album"]["sumber"]}
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A4",
                         office=INSTANSI, signatory=PENANDATANGAN, logo=draw_logo(tmp_path), place_date="Tanjungpinang, 2 Januari 2026",
                         sumber=sumber)
    a.zoning_page = 2  # the pola ruang map is Peta 2 in the album's sequence
    page = a.page_conformance()  # raised OutputError ("legendanya (31 butir) tidak muat") before
    words, _h = pdf_words(page.fig)
    text = " ".join(w["text"] for w in words)
    keyed_each = all(c in text.split() for c in codes)
    assert keyed_each or (f"{len(codes)} zona pola ruang" in text and "Peta 2" in text), text[:2000]


def test_a_legend_section_falls_back_to_its_short_key_only_when_the_full_one_does_not_fit():
    """A section with a fallback keeps its full key where the panel holds it, and takes the short key where it
    does not (instead of stopping the album)."""
    from matplotlib.patches import Patch

    from sppr_gis.maps.cartography import legend

    def frame_with(n_rows: int) -> object:
        fig = Figure(figsize=(11.69, 8.27), dpi=72)
        f = type("F", (), {})()
        f.fig, f.k, f.legends, f.paper, f.number, f.title = fig, 1.0, [], "A4", "Peta 9", "Uji"
        full = LegendSection("Zona", [Patch(facecolor=(0.2, 0.4, 0.6)) for _ in range(n_rows)], [f"Z-{i} zona nomor {i} yang bernama panjang" for i in range(n_rows)])
        full.fallback = LegendSection("Zona", [Patch(facecolor=(0.9, 0.9, 0.9), hatch="////")], [f"Warna latar: {n_rows} zona; kode dan nama pada Peta 2"])
        f.legend_sections = [full]
        f._place_legends = lambda *args, **kw: MapFrame._place_legends(f, *args, **kw)
        return f

    small = frame_with(4)
    legend.stack_legends(small, 0.75, 0.9, 0.8, 0.98)  # 4 rows fit in a tenth of the page height
    assert [len(s.handles) for s in small.legend_sections] == [4]
    big = frame_with(200)
    legend.stack_legends(big, 0.75, 0.9, 0.8, 0.98)  # 200 rows never fit there, even in three columns
    assert [s.labels for s in big.legend_sections] == [["Warna latar: 200 zona; kode dan nama pada Peta 2"]]


def test_the_true_place_of_spread_points_is_not_a_status_colour():
    """Review s6: the dot at the true place of point symbols spread apart was black, the colour of "Perlu kajian":
    a program of that status among spread points could not be read. The true place is a white ring now: its fill
    differs from every status colour the sample's conformance map keys (and from black)."""
    fig = Figure(figsize=(4, 4), dpi=72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 1000)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([500, 500, 500.5], [500, 500, 500.2]), crs=32648)
    _spread_stacked(ax, pts, point_size=30, zorder=5)
    origin = [c for c in ax.collections if c.get_gid() == "stack-origin"]
    assert origin, "the spread points' true place is drawn"
    face = to_rgba_array(origin[0].get_facecolor())[0][:3]
    edge = to_rgba_array(origin[0].get_edgecolor())[0][:3]
    status = {"sesuai": (0.1, 0.5, 0.2), "bersyarat": (0.1, 0.3, 0.8), "tidak": (0.8, 0.0, 0.3), "kajian": (0.07, 0.07, 0.07)}
    assert np.all(face > 0.97), face  # white
    assert all(np.abs(face - np.array(c)).max() > 0.5 for c in status.values())
    assert np.all(edge < 0.2)  # a dark ring around it, visible on any zone colour


def test_an_ipu_of_one_year_reads_as_that_year(sample):
    """Review s6: IPU-017's period printed "2025–2025" on the IPU map's key; one year reads "2025"."""
    _res, layers = sample
    ipu = layers["indikasi_program"].copy()
    ipu.loc[ipu.index[0], ["tahun_mulai", "tahun_akhir"]] = 2025
    layers = {**layers, "indikasi_program": ipu}
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A3")
    page = a.page_ipu_period()
    assert page is not None
    words, _h = pdf_words(page.fig)
    texts = [w["text"] for w in words] + [r for row in getattr(page, "overflow_rows", []) for r in map(str, row)]
    joined = " ".join(texts)
    assert "2025–2025" not in joined and "2025-2025" not in joined
