"""Issue 19, review of session 6 (finding 1, HIGH): on Kota Bandung's Peta Anggaran dan Kesesuaian Program per
Kecamatan the status pies overlapped each other or sat outside their kecamatan (each was centred on the
kecamatan's representative point at a size set by the map's extent, whatever the kecamatan's shape).

Each pie must lie inside its own kecamatan; a kecamatan too small for its pie gets it beside, clear of the other
pies, with a leader to a dot inside the kecamatan; no two pies overlap. Read from the drawn artists (the pies'
circles and leaders) against the kecamatan polygons built here.
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Wedge

from sppr_gis.maps import album as album_mod

CRS = "EPSG:32748"
X0, Y0 = 780_000.0, 9_228_000.0


def _city() -> tuple[dict[str, shapely.Geometry], gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Twelve kecamatan of awkward shapes: an L (its centroid outside it), a thin strip, a ring-like U, a tiny
    block (too small for any legible pie), and plain blocks; 1 to 20 programs each (the tiny one 20)."""
    box = shapely.box
    k: dict[str, shapely.Geometry] = {}
    # a 4 x 3 km frame cut into pieces
    k["Sukajadi"] = shapely.union_all([box(X0, Y0, X0 + 3000, Y0 + 600), box(X0, Y0 + 600, X0 + 600, Y0 + 3000)])  # an L
    k["Cidadap"] = box(X0 + 600, Y0 + 600, X0 + 3000, Y0 + 900)  # a strip 300 m wide
    k["Coblong"] = box(X0 + 600, Y0 + 900, X0 + 3000, Y0 + 3000).difference(box(X0 + 1400, Y0 + 1500, X0 + 2200, Y0 + 3000))  # a U
    k["Lengkong"] = box(X0 + 1400, Y0 + 1500, X0 + 2200, Y0 + 3000).difference(box(X0 + 1750, Y0 + 2700, X0 + 1850, Y0 + 2800))
    k["Regol"] = box(X0 + 1750, Y0 + 2700, X0 + 1850, Y0 + 2800)  # 100 m square, inside Lengkong
    for i, name in enumerate(["Andir", "Astanaanyar", "Bojongloa", "Babakan", "Batununggal", "Kiaracondong", "Antapani"]):
        cx, cy = X0 + 3000 + (i % 2) * 900, Y0 + (i // 2) * 750
        k[name] = box(cx, cy, cx + 900, cy + 750)
    kec = gpd.GeoDataFrame({"WADMKC": list(k)}, geometry=list(k.values()), crs=CRS)
    rows = []
    for j, (name, g) in enumerate(k.items()):
        p = g.representative_point()
        n = 20 if name == "Regol" else 1 + (j * 7) % 13
        for m in range(n):
            rows.append({"program_id": f"P-{j:02d}-{m:02d}", "kecamatan": name, "status": ("sesuai", "tidak_sesuai", "perlu_kajian")[m % 3],
                         "pagu": 1e9 * (1 + m), "kegiatan": "puskesmas", "opd": "Dinas Kesehatan", "geometry": p})
    return k, kec, gpd.GeoDataFrame(rows, crs=CRS)


def _page():
    k, kec, rencana = _city()
    a = album_mod._Album({"kecamatan": kec, "rencana": rencana}, year=2025, title="SPPR Kota Contoh", palette=None, source=None,
                         region="Kota Contoh", dpi=40, paper="A3")
    return k, a.page_kecamatan()


def test_every_pie_inside_its_kecamatan_or_beside_it_with_a_leader_and_none_overlap():
    k, page = _page()
    ax = page.ax
    pies = [p for p in ax.patches if isinstance(p, Wedge) and str(p.get_gid() or "").startswith("pie:")]
    assert len(pies) == len(k)  # every kecamatan has programs: one pie each
    disks = [shapely.Point(p.center).buffer(p.r, 128) for p in pies]
    # no two pies overlap (touching within a millimetre's thousandth is not overlapping)
    for i in range(len(disks)):
        for j in range(i + 1, len(disks)):
            assert disks[i].intersection(disks[j]).area < 1e-6 * disks[i].area, (pies[i].center, pies[j].center)
    leaders = [ln for ln in ax.lines if isinstance(ln, Line2D) and str(ln.get_gid() or "").startswith("pie-leader:")]
    ends = [((ln.get_xdata()[0], ln.get_ydata()[0]), (ln.get_xdata()[-1], ln.get_ydata()[-1])) for ln in leaders]
    # a pie that starts a leader at its rim is beside its kecamatan: the leader ends inside that kecamatan
    homes: dict[str, list] = {n: [] for n in k}
    beside = []
    for p, d in zip(pies, disks):
        mine = [e for e in ends if abs(shapely.Point(e[0]).distance(shapely.Point(p.center)) - p.r) < 1e-6 * max(p.r, 1.0)]
        assert len(mine) <= 1
        if mine:
            tip = shapely.Point(mine[0][1])
            home = [n for n, g in k.items() if g.contains(tip)]
            assert len(home) == 1
            assert d.intersection(k[home[0]]).area == 0  # it covers nothing of its own kecamatan
            beside.append(home[0])
        else:  # the others wholly inside the kecamatan that holds their centre
            home = [n for n, g in k.items() if g.contains(shapely.Point(p.center))]
            assert len(home) == 1 and k[home[0]].buffer(1e-6).contains(d), (p.center, home)
        homes[home[0]].append(p)
    assert len(ends) == len(beside)
    assert all(len(v) == 1 for v in homes.values()), {n: len(v) for n, v in homes.items()}
    # the tiny kecamatan (100 m across) cannot hold a legible pie; the L, the strip, the U and the blocks can
    assert beside == ["Regol"]
    # every pie at least 2.5 mm across on paper, sizes still proportional to the counts (the size key stays true)
    assert 2 * min(p.r for p in pies) / page.scale_denominator * 1000 >= 2.5 - 1e-9
    big = max(pies, key=lambda p: int(p.get_gid().split(":")[1]))
    nmax = int(big.get_gid().split(":")[1])
    for p in pies:
        n = int(p.get_gid().split(":")[1])
        assert abs(p.r - big.r * max((n / nmax) ** 0.5, 0.4)) < 1e-6 * big.r
