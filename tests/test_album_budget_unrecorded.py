"""The budget map per kecamatan never reads an unknown pagu as Rp 0 (noticed in sessions 8 and 9): a kecamatan
whose programs have no recorded pagu gets its own key entry ("Pagu tidak tercatat"), not the lowest class, and its
row says so; one where some programs lack it shows the recorded sum and how many lack it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from sppr_gis.maps import album as album_mod

CRS = "EPSG:32748"


def _page():
    names = ["Andir", "Bojongloa", "Cibiru", "Dago"]
    kec = gpd.GeoDataFrame({"WADMKC": names}, geometry=[shapely.box(780_000 + 3000 * i, 9_228_000, 783_000 + 3000 * i, 9_231_000) for i in range(4)], crs=CRS)
    # Andir: 100 + 200 (2 programs); Bojongloa: 2 programs, none with pagu; Cibiru: none; Dago: 50 and one without
    pagu = {"Andir": [1e11, 2e11], "Bojongloa": [np.nan, np.nan], "Dago": [5e10, np.nan]}
    rows = []
    for i, n in enumerate(names):
        c = kec.geometry.iloc[i].centroid
        for k, p in enumerate(pagu.get(n, [])):
            rows.append({"program_id": f"{n}-{k}", "kecamatan": n, "status": "sesuai", "pagu": p, "kegiatan": "puskesmas", "opd": "Dinkes",
                         "geometry": shapely.Point(c.x + 100 * k, c.y)})
    rencana = gpd.GeoDataFrame(rows, crs=CRS)
    a = album_mod._Album({"kecamatan": kec, "rencana": rencana}, year=2025, title="SPPR", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A3")
    return a.page_kecamatan()


def _rows(page):
    """The key's rows wherever they are: the overflow sheet, the table beside the map, or the legend's Daftar."""
    rows = [str(t) for _n, t in getattr(page, "overflow_rows", None) or []]
    rows += [t.get_text() for t in page.fig.texts if t.get_gid() == "table-row"]
    rows += [t.get_text() for lg in page.legends if lg.get_title().get_text().startswith("Daftar") for t in lg.get_texts()]
    return [" ".join(r.split()) for r in rows]


def test_unrecorded_pagu_is_its_own_key_and_row():
    page = _page()
    pagu = page.data["pagu"]
    assert pagu["Andir"] == 3e11 and pagu["Dago"] == 5e10 and np.isnan(pagu["Bojongloa"]) and pagu["Cibiru"] == 0.0
    assert page.data["class_of"]["Bojongloa"] == -1  # in no pagu class
    labels = [" ".join(t.get_text().split()) for lg in page.legends for t in lg.get_texts()]
    assert "Pagu tidak tercatat (1)" in labels and "Tanpa program (1)" in labels
    rows = _rows(page)
    boj = [r for r in rows if "Bojongloa" in r]
    dago = [r for r in rows if "Dago" in r]
    assert len(boj) == 1 and "pagu tidak tercatat" in boj[0] and "Rp 0" not in boj[0], boj
    assert len(dago) == 1 and "(1 program tanpa pagu)" in dago[0] and "Rp 50,0 miliar" in dago[0], dago
