"""Issue 19, review of session 6 (finding 1, HIGH): on Kota Bandung's Peta Anggaran dan Kesesuaian Program per
Kecamatan the status pies overlapped each other or sat outside their kecamatan (each was centred on the
kecamatan's representative point at a size set by the map's extent, whatever the kecamatan's shape).

Each pie must lie inside its own kecamatan (follow-up s6-pies2: no pie beside its kecamatan with a leader any
more, a cartographer rejected pies outside the city); the pies share one scale (area proportional to the count)
and a kecamatan that cannot hold its pie at that scale gets it capped to fit inside, with a dashed ring, its
count written by its number and the legend saying so; no two pies overlap. Read from the drawn artists (the
pies' circles) and the PDF's words against the kecamatan polygons built here.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Wedge

from sppr_gis.maps import album as album_mod

sys.path.insert(0, str(Path(__file__).parent))
from printing import pdf_words  # noqa: E402

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


def _dashed(p: Wedge) -> bool:
    ls = p.get_linestyle()
    return ls not in ("solid", "-", None) and not (isinstance(ls, tuple) and not ls[1])


def test_every_pie_inside_its_own_kecamatan_one_scale_capped_ones_marked_and_keyed():
    k, page = _page()
    ax = page.ax
    pies = [p for p in ax.patches if isinstance(p, Wedge) and str(p.get_gid() or "").startswith("pie:")]
    assert len(pies) == len(k)  # every kecamatan has programs: one pie each
    disks = [shapely.Point(p.center).buffer(p.r, 128) for p in pies]
    # no two pies overlap (touching within a millimetre's thousandth is not overlapping)
    for i in range(len(disks)):
        for j in range(i + 1, len(disks)):
            assert disks[i].intersection(disks[j]).area < 1e-6 * disks[i].area, (pies[i].center, pies[j].center)
    # no leaders: every pie wholly inside the kecamatan that holds its centre, one pie per kecamatan
    assert not [ln for ln in ax.lines if isinstance(ln, Line2D) and str(ln.get_gid() or "").startswith("pie-")]
    homes: dict[str, list] = {n: [] for n in k}
    for p, d in zip(pies, disks):
        home = [n for n, g in k.items() if g.contains(shapely.Point(p.center))]
        assert len(home) == 1 and k[home[0]].buffer(1e-6).contains(d), (p.center, home)
        homes[home[0]].append(p)
    assert all(len(v) == 1 for v in homes.values()), {n: len(v) for n, v in homes.items()}
    name_of = {id(v[0]): n for n, v in homes.items()}
    count = {n: int(v[0].get_gid().split(":")[1]) for n, v in homes.items()}
    nmax = max(count.values())
    rel = {n: max(math.sqrt(c / nmax), 0.4) for n, c in count.items()}
    capped = {name_of[id(p)] for p in pies if _dashed(p)}
    plain = [p for p in pies if not _dashed(p)]
    # the strip (300 m wide) and the tiny block (100 m) cannot hold their pies at the common scale; the L, the U and
    # the blocks can: few capped (the median kecamatan holds its pie)
    assert capped == {"Cidadap", "Regol"}
    assert len(capped) <= len(pies) // 2
    # the uncapped pies at one scale (area proportional to the count, the 0.4 floor aside), as the size key says
    scale = plain[0].r / rel[name_of[id(plain[0])]]
    for p in plain:
        assert abs(p.r - scale * rel[name_of[id(p)]]) < 1e-6 * scale
    keys = {int(str(q.get_gid()).split(":")[1]): q.r for q in ax.patches if isinstance(q, Wedge) and str(q.get_gid() or "").startswith("pie-key:")}
    assert nmax in keys and all(abs(r - scale * math.sqrt(v / nmax)) < 1e-6 * scale for v, r in keys.items()), (keys, scale)
    # a capped pie is drawn smaller than its count says, because its full pie does not fit its kecamatan
    for n in capped:
        p = homes[n][0]
        assert p.r < scale * rel[n] and not k[n].contains(shapely.Point(p.center).buffer(scale * rel[n], 128))
    # every pie at least 2.5 mm across on paper
    assert 2 * min(p.r for p in pies) / page.scale_denominator * 1000 >= 2.5 - 1e-9
    # keyed: each capped kecamatan's count written with its number on the map (numbered alphabetically), and the
    # legend says what the dashed ring means (words of the printed PDF)
    number = {n: str(i) for i, n in enumerate(sorted(k, key=str.casefold), start=1)}
    marks = {" ".join(t.get_text().split()) for t in ax.texts if t.get_gid() == "area-number"}
    for n in k:
        assert (f"{number[n]} ({count[n]})" in marks) == (n in capped), (n, sorted(marks))
    text = " ".join(w["text"] for w in pdf_words(page.fig)[0])
    assert "ukuran dibatasi luas kecamatan; nilai tertulis" in text, text[-600:]
    for n in capped:
        assert f"{number[n]} ({count[n]})" in text
