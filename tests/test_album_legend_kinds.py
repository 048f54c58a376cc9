"""Issue 19 (t19-fix, high): a map's key lists exactly the kinds of symbol it draws.

The cartographer found Peta 3 drawing network programs as points and areas with only line symbols in its key,
Peta 15 drawing area programs while "Bentuk lokasi" listed only titik and garis, and Peta 17 listing "Tanpa
program berindikator" though no kecamatan was drawn so. The kinds expected are read from the layers here
(shapely's geometry dimensions; the kinerja table per kecamatan), not from the pages.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from mapdata import sample_album_layers

from sppr_gis.maps import album as album_mod


def place_key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


KIND = {0: "Lokasi titik", 1: "Lokasi garis", 2: "Lokasi area"}


@pytest.fixture(scope="module")
def sample():
    return sample_album_layers()


@pytest.fixture(scope="module")
def album(sample):
    _, layers = sample
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=50, paper="A4")


def _keyed(page) -> set[int]:
    labels = [" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts]
    return {d for d, word in KIND.items() if any(lab.startswith(word) for lab in labels)}


def _dims(gdf) -> set[int]:
    g = np.asarray(gdf.geometry.array, dtype=object)
    g = g[~(shapely.is_missing(g) | shapely.is_empty(g))]
    return {int(d) for d in shapely.get_dimensions(g)}


def test_struktur_map_keys_the_points_and_areas_of_the_network_programs(sample, album):
    _, layers = sample
    r = layers["rencana"]
    assessed = r[r["status_struktur"].notna()]
    want = _dims(assessed)
    assert {0, 2} <= want  # the sample's network programs include points and areas (the case reported)
    assert _keyed(album.page_struktur()) == want


def test_priority_map_keys_every_kind_of_program_it_draws(sample, album):
    _, layers = sample
    want = _dims(layers["rencana"])  # every located program is drawn (in a kawasan coloured, outside grey)
    assert 2 in want
    keyed = _keyed(album.page_priority())
    # a small area or line is drawn as a point: the key may add titik, never miss area or garis
    assert want <= keyed <= want | {0}, (want, keyed)


def test_kinerja_kecamatan_map_lists_tanpa_program_only_when_a_kecamatan_is_drawn_so(sample, album):
    from sppr_gis.maps.kinerja_pages import page_capaian_kecamatan

    res, layers = sample
    tab = res.kinerja.kecamatan
    with_value = {place_key(k) for k, p in zip(tab["kecamatan"], tab["predikat"]) if isinstance(p, str)}
    names = layers["kecamatan"][album.kec_field]
    blank = [n for n in names if place_key(n) not in with_value]
    page = page_capaian_kecamatan(album, res.kinerja)
    labels = [" ".join(t.get_text().split()) for lg in page.legends for t in lg.texts]
    assert any("Tanpa program berindikator" in lab for lab in labels) == bool(blank), (blank, labels)
