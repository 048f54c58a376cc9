"""Issue 19, defect 3: without ``[album] inset`` every map's location inset places the city among its real
neighbours, from the boundary extract shipped with the package (``sppr_gis/maps/data/batas_wilayah.gpkg``), names
them, and cites the extract.

The sample city is synthetic but sits where Tanjungpinang is (EPSG:32648, easting 436-448 km, northing 98-108 km:
about 104.43-104.54 E, 0.89-0.98 N, on Bintan island, Kepulauan Riau). Its neighbour across the strait is Kota
Batam; that is geography, not something read from the album code.
"""

from __future__ import annotations

import re
from importlib import resources

import geopandas as gpd
import pytest
import shapely
from conftest import SAMPLE

from sppr_gis.maps import album as album_mod

pdfplumber = pytest.importorskip("pdfplumber")

GPKG = resources.files("sppr_gis.maps") / "data" / "batas_wilayah.gpkg"


def test_the_extract_ships_and_is_small_and_complete():
    import pyogrio

    path = str(GPKG)
    size = GPKG.stat().st_size if hasattr(GPKG, "stat") else len(GPKG.read_bytes())
    assert size < 3_000_000
    layers = pyogrio.list_layers(path)
    assert [x[0] for x in layers] == ["kabupaten_kota"]  # one layer: the album reads it without naming one
    g = gpd.read_file(path)
    assert g.crs.to_epsg() == 4326 and {"kode", "nama", "kode_prov", "provinsi"} <= set(g.columns)
    # Kepmendagri 2025: 38 provinces, 514 kabupaten/kota (416 + 98)
    assert g["kode_prov"].nunique() == 38 and len(g) == 514 and g["kode"].is_unique
    assert g.geometry.is_valid.all() and not g.geometry.is_empty.any()
    # real places where they are (coordinates looked up independently): Tanjungpinang's old town, Batam centre, Monas
    for name, lon, lat in [("Kota Tanjung Pinang", 104.447, 0.918), ("Kota Batam", 104.03, 1.12), ("Kota Administrasi Jakarta Pusat", 106.827, -6.175)]:
        hit = g[g.contains(shapely.Point(lon, lat))]
        assert list(hit["nama"]) == [name], (name, list(hit["nama"]))
    # the sample city lies in Kepulauan Riau
    k = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan").to_crs(4326)
    c = shapely.union_all(k.geometry.values).centroid
    assert set(g[g.intersects(shapely.box(c.x - 0.05, c.y - 0.05, c.x + 0.05, c.y + 0.05))]["provinsi"]) == {"Kepulauan Riau"}


def test_the_licence_travels_with_the_extract():
    data = resources.files("sppr_gis.maps") / "data"
    assert "MIT License" in (data / "LICENSE-wilayah_boundaries").read_text(encoding="utf-8")
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "cahyadsn/wilayah_boundaries" in readme and "MIT" in readme


def _sample_layers():
    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs
    from sppr_gis.run import run_year

    inputs = load_inputs(load_config(SAMPLE / "sppr.toml"))
    res = run_year(inputs, 2025)
    return {"zoning": inputs.zones_raw, "rencana": res.rencana, "kecamatan": inputs.admin.kecamatan, "kelurahan": inputs.admin.kelurahan}


@pytest.fixture(scope="module")
def layers():
    return _sample_layers()


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_map_of_the_sample_names_its_neighbours_in_the_inset(layers, paper):
    """The names are drawn with a white halo, which matplotlib writes to the PDF as glyph outlines, not text: so the
    names are read from the page figures the album saves, and their placement from the inset's own axes."""
    pages = list(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", paper=paper, dpi=40))
    assert len(pages) >= 5
    for stem, page in pages:
        ax = page.inset_ax
        assert ax is not None, stem
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        names = {t.get_text(): t.get_position() for t in ax.texts if t.get_gid() == "inset-name" and t.get_visible()}
        assert "Kota Batam" in names, (stem, names)
        bx, by = names["Kota Batam"]
        assert x0 <= bx <= x1 and y0 <= by <= y1
        # the label sits on Batam's land (its clipped part in view), read back from the shipped file independently
        g = gpd.read_file(str(GPKG)).to_crs(page.crs)
        batam = shapely.union_all(g.loc[g["nama"] == "Kota Batam"].geometry.values)
        assert batam.buffer(500).contains(shapely.Point(bx, by)), stem
        assert "cahyadsn/wilayah_boundaries" in " ".join(page.sources_artist.get_text().split()), stem


def test_every_map_page_of_the_written_album_has_the_surroundings_inset_and_cites_the_extract(layers, tmp_path):
    paths = album_mod.write_album({k: layers[k] for k in ("zoning", "kecamatan", "rencana")}, tmp_path, year=2025, title="SPPR Kota Contoh",
                                  region="Kota Contoh", paper="A4", dpi=40)
    with pdfplumber.open(str(paths[0])) as pdf:
        maps = [p for p in pdf.pages if re.search(r"(?<!,\s)Lembar \d+ dari \d+", p.extract_text() or "")]  # not "Lampiran Peta N, Lembar k dari m"
        assert len(maps) >= 5
        for page in maps:
            text = " ".join((page.extract_text() or "").split())
            # the inset's title says it shows the surroundings (only with a boundary layer), and the map cites it
            # (read from the map's upper left quarter, where the inset sits, so that the panel's lines do not interleave)
            corner = " ".join((page.crop((0, 0, page.width * 0.4, page.height * 0.4)).extract_text() or "").split())
            assert "LOKASI KOTA CONTOH DAN SEKITARNYA" in corner or ("LOKASI KOTA CONTOH DAN" in text and "SEKITARNYA" in text), page.page_number
            assert "cahyadsn/wilayah_boundaries" in text, page.page_number
