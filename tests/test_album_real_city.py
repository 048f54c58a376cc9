"""Issue 19 ("Done when ... also run it on a larger public RTRW", t19-real): what broke or was plainly wrong when
the album ran on Kota Bandung (RTRWP Jawa Barat pola ruang keyed by ``NAMOBJ``, 30 kecamatan, 151 kelurahan;
benchmarks/real_album.py), reproduced on constructed data:

- on A4 the run stopped (exit 1): Peta 1's key of 30 kecamatan, each with its area and kelurahan count, did not
  fit beside the map even in three columns;
- the pola ruang key printed "Badan Air Badan Air": a zoning keyed by its class names (RTRW ``NAMOBJ``) gave
  code and name, the same words twice;
- RTRW class names the palette did not know got generated colours: "Kawasan Permukiman" green (reads as RTH or
  agriculture), "Kawasan Konservasi" pink (the colour of trade zones).
"""

from __future__ import annotations

import colorsys

import geopandas as gpd
import pytest
import shapely
from mapdata import BANDUNG_KEC
from printing import draw_logo

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.palette import Palette

CRS = "EPSG:32748"


def _grid_city(n_kec: int = 30, per_kec: int = 5) -> dict[str, gpd.GeoDataFrame]:
    """A 21 x 15 km city of ``n_kec`` kecamatan (6 x 5 blocks), each split into ``per_kec`` kelurahan strips."""
    x0, y0, w, h = 780_000.0, 9_228_000.0, 3_500.0, 3_000.0
    kec, kel = [], []
    for i in range(n_kec):
        cx, cy = x0 + (i % 6) * w, y0 + (i // 6) * h
        kec.append(shapely.box(cx, cy, cx + w, cy + h))
        for j in range(per_kec):
            kel.append((f"Kelurahan {i + 1}-{j + 1}", BANDUNG_KEC[i], shapely.box(cx + j * w / per_kec, cy, cx + (j + 1) * w / per_kec, cy + h)))
    kecamatan = gpd.GeoDataFrame({"WADMKC": BANDUNG_KEC[:n_kec]}, geometry=kec, crs=CRS)
    kelurahan = gpd.GeoDataFrame({"WADMKD": [k[0] for k in kel], "WADMKC": [k[1] for k in kel]}, geometry=[k[2] for k in kel], crs=CRS)
    return {"kecamatan": kecamatan, "kelurahan": kelurahan}


def _legend_texts(page) -> list[str]:
    return [" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts]


@pytest.fixture(scope="module")
def logo(tmp_path_factory):
    """A logo drawn here: a shield with a pin."""
    return draw_logo(tmp_path_factory.mktemp("logo"))


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_admin_map_of_thirty_kecamatan_keys_every_kecamatan_on_its_sheet(paper, logo):
    # the real run's [album]: a two-line instansi, a four-line penandatangan, a logo, a place-and-date line
    pages = album_mod.album_pages(
        _grid_city(), year=2025, title="SPPR Kota Bandung", region="Kota Bandung", paper=paper, dpi=40,
        office="Pemerintah Kota Bandung\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        signatory="Kepala Bappelitbang Kota Bandung\n\nNama Penandatangan, S.T., M.T.\nNIP 19700101 199503 1 001",
        logo=logo, place_date="Bandung, 7 Desember 2026",
    )
    page = next(p for stem, p in pages if stem.endswith("_administrasi"))  # on main, A4: OutputError "legendanya (32 butir) tidak muat"
    texts = _legend_texts(page)
    for name in BANDUNG_KEC:
        # a kecamatan whose name does not fit inside it is numbered on the map and keyed "N. Name"
        assert any(t.split(". ", 1)[-1] == name or t.split(". ", 1)[-1].startswith(name + " (") for t in texts), (paper, name)
    assert any(t == "Batas kelurahan" for t in texts)


def test_zone_label_keyed_by_its_name_prints_the_name_once():
    p = Palette()
    assert p.label("Badan Air", "Badan Air") == "Badan Air"
    assert p.label("Kawasan  Permukiman", "kawasan permukiman") == "kawasan permukiman"
    # a code with its own name keeps both (the RDTR case)
    assert p.label("R-2", "Perumahan Kepadatan Tinggi") == "R-2 Perumahan Kepadatan Tinggi"


def test_pola_ruang_key_of_a_namobj_zoning_has_no_doubled_names():
    layers = _grid_city(6, 2)
    classes = ["Badan Air", "Kawasan Permukiman", "Kawasan Konservasi", "Kawasan Pertanian", "Kawasan Peruntukan Industri", "Kawasan Pertahanan dan Keamanan"]
    zoning = gpd.GeoDataFrame({"zone_code": classes, "NAMOBJ": classes}, geometry=list(layers["kecamatan"].geometry), crs=CRS)
    layers["zoning"] = zoning
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Bandung", palette=None, source=None, region="Kota Bandung", dpi=40, paper="A3")
    page = a.page_zoning()
    texts = _legend_texts(page)
    for c in classes:
        assert c in texts, c
        assert f"{c} {c}" not in texts


def _hue_sat_light(rgb):
    h, l, s = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    return h * 360, s, l


@pytest.mark.parametrize(
    ("name", "family"),
    [
        # RTRW convention (Permen ATR/BPN 14/2021 legends): settlement yellow to orange, protected forest and
        # conservation dark green, mining brown; hues read from the colour, not from the palette's class table
        ("Kawasan Permukiman", "yellow-orange"),
        ("Kawasan Konservasi", "dark green"),
        ("Kawasan yang Memberikan Perlindungan terhadap Kawasan Bawahannya", "dark green"),
        ("Kawasan Pertambangan dan Energi", "brown"),
    ],
)
def test_rtrw_class_names_get_their_conventional_colour_family(name, family):
    rgb = Palette().colors([name], [name])[name]
    hue, sat, light = _hue_sat_light(rgb)
    if family == "yellow-orange":
        assert 25 <= hue <= 60 and sat > 0.6 and light > 0.45, (name, rgb)
    elif family == "dark green":
        assert 90 <= hue <= 170 and light < 0.35, (name, rgb)
    else:
        assert 15 <= hue <= 45 and sat < 0.6 and light < 0.6, (name, rgb)


def test_known_rtrw_names_are_not_confused_by_the_new_keywords():
    p = Palette()
    assert p.match("Kawasan Permukiman Perdesaan", "Kawasan Permukiman Perdesaan").code == "PD"
    assert p.match("Kawasan Permukiman Perkotaan", "Kawasan Permukiman Perkotaan").code == "PK"
    assert p.match("Kawasan Hutan Lindung", "Kawasan Hutan Lindung").code == "HL"


def test_budget_pies_leave_the_pagu_classes_visible():
    """Peta 13 on Kota Bandung: 30 kecamatan of about 5 km2; the pies, sized on the map's extent (which the album
    scale makes much larger than the city), covered their neighbours and most of the pagu choropleth. Here a
    6 x 5 grid of 2.2 x 2.0 km kecamatan with 1 to 13 programs each: the pies together (their union, shapely)
    may cover at most a quarter of the city, so that the pagu classes stay readable."""
    x0, y0, w, h = 780_000.0, 9_228_000.0, 2_200.0, 2_000.0
    kec = [shapely.box(x0 + (i % 6) * w, y0 + (i // 6) * h, x0 + (i % 6 + 1) * w, y0 + (i // 6 + 1) * h) for i in range(30)]
    kecamatan = gpd.GeoDataFrame({"WADMKC": BANDUNG_KEC}, geometry=kec, crs=CRS)
    rows = []
    for i, g in enumerate(kec):
        c = g.centroid
        for k in range(1 + (i * 7) % 13):  # 1 to 13 programs per kecamatan
            rows.append({"program_id": f"P-{i:02d}-{k:02d}", "kecamatan": BANDUNG_KEC[i], "status": "sesuai" if k % 5 else "sesuai_bersyarat",
                         "pagu": 1e9 * (1 + k), "kegiatan": "puskesmas", "opd": "Dinas Kesehatan", "geometry": shapely.Point(c.x + 30 * k - 200, c.y + 20 * (k % 3))})
    rencana = gpd.GeoDataFrame(rows, crs=CRS)
    a = album_mod._Album({"kecamatan": kecamatan, "rencana": rencana}, year=2025, title="SPPR Kota Bandung", palette=None, source=None, region="Kota Bandung", dpi=40, paper="A3")
    page = a.page_kecamatan()
    pies = [p for p in page.ax.patches if str(p.get_gid() or "").startswith("pie:")]
    assert len(pies) == 30
    covered = shapely.union_all([shapely.Point(p.center).buffer(p.r, 64) for p in pies]).intersection(shapely.union_all(kec)).area
    assert covered <= 0.25 * shapely.union_all(kec).area, covered / shapely.union_all(kec).area
    # and every pie still shows: the smallest at least 1.5 mm across on paper (1:N, N from the page's scale)
    assert 2 * min(p.r for p in pies) / page.scale_denominator * 1000 >= 1.5
