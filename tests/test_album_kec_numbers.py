"""Review s8 of the sample album (issue 19, MEDIUM): the kecamatan were numbered one way on Peta 1 (administrasi: in
the layer's order, only those whose name does not fit) and another on Peta 13 (anggaran per kecamatan:
alphabetically). One numbering for the album: a constructed city of long names listed out of order, the numbers
expected counted here from the names alone.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography.frame import MapFrame

CRS = "EPSG:32748"
X0, Y0 = 780_000.0, 9_228_000.0


#: Kecamatan names too long for their 600 m areas (numbered on Peta 1), listed here out of alphabetical order.
LONG = [f"KecamatanBernamaSangatPanjang{c}" for c in "HCKAFJDBLGEI"]


def _admin_city():
    boxes = [shapely.box(X0 + (i % 6) * 600, Y0 + (i // 6) * 600, X0 + (i % 6 + 1) * 600, Y0 + (i // 6 + 1) * 600) for i in range(len(LONG))]
    kec = gpd.GeoDataFrame({"WADMKC": LONG}, geometry=boxes, crs=CRS)
    rows = []
    for j, (name, g) in enumerate(zip(LONG, boxes)):
        p = g.representative_point()
        for m in range(1 + j % 3):
            rows.append({"program_id": f"P-{j:02d}-{m}", "kecamatan": name, "status": "sesuai", "pagu": 1e9 * (1 + m), "kegiatan": "puskesmas",
                         "opd": "Dinas Kesehatan", "geometry": p})
    return kec, gpd.GeoDataFrame(rows, crs=CRS)


def test_peta_1_and_peta_13_give_each_kecamatan_the_same_number(monkeypatch):
    """One numbering of the kecamatan in the album (review s8: Peta 1 numbered them in the layer's order, Peta 13
    alphabetically): the number printed in each kecamatan on Peta 1 and its row on Peta 13's list are its place in
    the alphabetical order of the names, counted here."""
    kec, rencana = _admin_city()
    expected = {n: str(i) for i, n in enumerate(sorted(LONG, key=str.casefold), start=1)}
    a = album_mod._Album({"kecamatan": kec, "rencana": rencana}, year=2025, title="SPPR", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A3")
    a.number = 1
    p1 = a.page_admin()
    on_map = {}
    for t in p1.ax.texts:
        if t.get_gid() == "kec-name-number" and t.get_visible():
            x, y = t.get_position()
            home = [n for n, g in zip(LONG, kec.geometry) if g.buffer(1.0).contains(shapely.Point(x, y))]
            assert len(home) == 1, (t.get_text(), home)
            on_map[home[0]] = t.get_text()
    assert len(on_map) >= 6, on_map  # the long names are numbered
    assert on_map == {n: expected[n] for n in on_map}
    tables = []
    orig = MapFrame.add_table

    def spy(self, title, rows, more=None):
        tables.append(list(rows))
        return orig(self, title, rows, more)

    monkeypatch.setattr(MapFrame, "add_table", spy)
    a.number = 13
    a.page_kecamatan()
    rows = [(num, text) for num, text in tables[-1] if str(num).isdigit()]
    listed = {next(n for n in LONG if text.startswith(n)): num for num, text in rows}
    assert listed == expected
    # the same number on both pages
    assert all(listed[n] == v for n, v in on_map.items())
