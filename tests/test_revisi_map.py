"""``sppr revisi --map``: one map page of a revision, on a hand-built 3 x 2 grid of 100 m squares.

Two squares change code (R-2 -> RTH-1 and K-1 -> R-2, 1 ha each); of five programs,
three change status (worked out by hand from the matrix below). The page must show
exactly those polygons and programs, on A3 or A4.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import invoke
from shapely.geometry import LineString, Point, box

CRS = "EPSG:32648"
X0, Y0 = 440_000.0, 100_000.0
OLD = {(0, 0): "R-2", (1, 0): "R-2", (2, 0): "K-1", (0, 1): "RTH-1", (1, 1): "R-2", (2, 1): "K-1"}
NEW = {**OLD, (1, 0): "RTH-1", (2, 1): "R-2"}
RULES = "activity,R-2,K-1,RTH-1\nrumah_tinggal,I,T,X\ntoko,T,I,X\n"


def _sq(c: int, r: int) -> shapely.Polygon:
    return box(X0 + 100 * c, Y0 + 100 * r, X0 + 100 * (c + 1), Y0 + 100 * (r + 1))


def _mid(c: int, r: int) -> Point:
    return Point(X0 + 100 * c + 50, Y0 + 100 * r + 50)


#: program -> (activity, geometry, changes?) by hand: old and new cells of the squares it lies in
PROGRAMS = {
    "P1": ("rumah_tinggal", _mid(1, 0), True),  # R-2 I -> RTH-1 X: sesuai -> tidak_sesuai
    "P2": ("toko", _mid(2, 1), True),  # K-1 I -> R-2 T: sesuai -> sesuai_bersyarat
    "P3": ("rumah_tinggal", _mid(0, 0), False),  # R-2 both times
    "P4": ("rumah_tinggal", LineString([(X0 + 30, Y0 + 150), (X0 + 170, Y0 + 150)]), False),  # RTH-1 X and R-2: tidak_sesuai both
    "P5": ("toko", LineString([(X0 + 120, Y0 + 40), (X0 + 180, Y0 + 60)]), True),  # R-2 T -> RTH-1 X
}


@pytest.fixture()
def files(tmp_path):
    def zoning(codes: dict, name: str):
        g = gpd.GeoDataFrame({"KODSZN": list(codes.values())}, geometry=[_sq(c, r) for c, r in codes], crs=CRS)
        path = tmp_path / name
        g.to_file(path, driver="GPKG")
        return path

    old, new = zoning(OLD, "lama.gpkg"), zoning(NEW, "baru.gpkg")
    progs = gpd.GeoDataFrame(
        {"program_id": list(PROGRAMS), "kegiatan": [v[0] for v in PROGRAMS.values()]}, geometry=[v[1] for v in PROGRAMS.values()], crs=CRS,
    )
    ppath = tmp_path / "program.gpkg"
    progs.to_file(ppath, driver="GPKG")
    rules = tmp_path / "itbx.csv"
    rules.write_text(RULES)
    return tmp_path, old, new, ppath, rules


def _args(old, new, progs, rules, out):
    return ["revisi", "--zoning-lama", str(old), "--zoning-baru", str(new), "--programs", str(progs), "--rules", str(rules), "--out", str(out)]


@pytest.mark.parametrize(("name", "paper", "size_mm"), [("revisi.png", "A3", (420, 297)), ("revisi.pdf", "A4", (297, 210))])
def test_revisi_writes_one_map_page_of_the_paper_asked(runner, files, name, paper, size_mm):
    tmp, old, new, progs, rules = files
    out, page = tmp / "revisi.gpkg", tmp / name
    res = invoke(runner, [*_args(old, new, progs, rules, out), "--map", str(page), "--paper", paper])
    assert res.exit_code == 0, res.output
    assert out.exists() and page.exists()
    if name.endswith(".png"):
        from PIL import Image

        w, h = Image.open(page).size  # 200 dpi
        assert (w, h) == pytest.approx((size_mm[0] / 25.4 * 200, size_mm[1] / 25.4 * 200), abs=2)
    else:
        pypdf = pytest.importorskip("pypdf")
        pdf = pypdf.PdfReader(str(page))
        assert len(pdf.pages) == 1
        box_pt = pdf.pages[0].mediabox
        assert (float(box_pt.width), float(box_pt.height)) == pytest.approx((size_mm[0] / 25.4 * 72, size_mm[1] / 25.4 * 72), abs=1)
        fonts = pdf.pages[0]["/Resources"]["/Font"]
        assert all(f.get_object()["/Subtype"] != "/Type3" for f in fonts.values())
        text = pdf.pages[0].extract_text()
        assert "R-2 → RTH-1" in text and "P5" in text
    assert not [p for p in tmp.iterdir() if p.name.startswith(".")]  # no staging file left


def test_revisi_map_refuses_other_suffixes(runner, files):
    tmp, old, new, progs, rules = files
    res = invoke(runner, [*_args(old, new, progs, rules, tmp / "r.gpkg"), "--map", str(tmp / "r.svg")])
    assert res.exit_code == 2 and ".png or .pdf" in res.output
    assert not (tmp / "r.gpkg").exists()


def test_revisi_map_draws_the_changed_polygons_and_programs(files):
    from sppr_gis import io, read_rules
    from sppr_gis.maps.revision_map import revision_map
    from sppr_gis.revision import revise

    _, old, new, progs, rules = files
    result = revise(io.read_layer(old), io.read_layer(new), io.read_layer(progs), read_rules(rules))
    frame = revision_map(result, paper="A4", sources=["Zonasi lama: lama.gpkg"])
    assert tuple(round(v * 25.4) for v in frame.fig.get_size_inches()) == (297, 210)
    # polygons: one colour per changed pair, each exactly the square that changed (by hand)
    want = {f"{OLD[k]} → {NEW[k]}": _sq(*k) for k in OLD if OLD[k] != NEW[k]}
    drawn = {c.get_gid().split(":", 1)[1]: c for c in frame.ax.collections if (c.get_gid() or "").startswith("perubahan-zona:")}
    assert set(drawn) == set(want)
    for pair, square in want.items():
        paths = drawn[pair].get_paths()
        assert len(paths) == 1
        xy = paths[0].vertices
        assert shapely.Polygon(xy).symmetric_difference(square).area < 1e-6, pair
    # the legend gives each pair its area, 1 ha
    lg = next(lg for lg in frame.legends if "Perubahan kode zona" in lg.get_title().get_text())
    assert sorted(t.get_text() for t in lg.get_texts()) == sorted(f"{p} (1,00 ha)" for p in want)
    # programs: the three that change, numbered and listed with old -> new status
    changed = sorted(k for k, v in PROGRAMS.items() if v[2])
    assert frame.data["berubah"] == changed
    callouts = [t for t in frame.ax.texts if t.get_gid() == "berubah"]
    assert sorted(t.get_text() for t in callouts) == [str(i + 1) for i in range(len(changed))]
    for t, pid in zip(sorted(callouts, key=lambda t: int(t.get_text())), changed):
        geom = PROGRAMS[pid][1]
        assert geom.distance(Point(t.xy)) < 1e-6  # each callout points at its program
    rows = [t.get_text() for t in frame.fig.texts if t.get_gid() == "table-row"]
    assert [r.split(" ", 1)[0] for r in rows] == changed
    assert "sesuai → tidak sesuai" in " ".join(rows[0].split())  # P1
    assert "sesuai → sesuai bersyarat" in " ".join(rows[1].split())  # P2
    # unchanged programs in grey, the status legend counts the new statuses of the changed ones
    lg = next(lg for lg in frame.legends if "Program berubah" in lg.get_title().get_text())
    assert sorted(t.get_text() for t in lg.get_texts()) == ["Sesuai bersyarat (T/B) (1)", "Tidak sesuai (X) (2)"]
    src = next(t for t in frame.fig.texts if t.get_gid() == "sources")
    assert "Zonasi lama: lama.gpkg" in src.get_text()
    assert frame.scale_bar is not None and np.isfinite(frame.scale_denominator)
