"""Build tests/golden/cases.gpkg: a small, hand-designed adversarial test case.

Layers (EPSG:32648, UTM 48N):
- ``zoning``   polygons, field ``KODSZN`` (zone code)
- ``programs`` points, lines and polygons mixed (single and multi-part, one
  invalid polygon, empty and null geometries), fields ``program_id``, ``kegiatan``

All coordinates below are LOCAL metres; every vertex is shifted by
(X0, Y0) = (440000, 100000) when written.  Every coordinate is an integer, so the
hand answers are exact.

Map of the zones (local coordinates, y up):

    y 900-1000  KI-1   shell [0,100]x[900,1000] with a "hole" [50,150]x[925,975]
                       that sticks out of the shell (invalid; linework repair
                       keeps the outside part [100,150]x[925,975] as zone!)
    y 700-800   KT-1   [0,100]   SPU-2 [50,150]     (overlap [50,100]x[700,800])
    y 500-600   RTH-2  bow-tie (0 500, 100 600, 100 500, 0 600): two triangles
                       of 2500 m2 each, touching at the pinch (50,550)
    y 300-400   PTL-1  multipolygon: [0,100] and [200,300]; gap [100,200]
    y 100-200   RTH-1 [0,100]   C-1 [100,200]   (gap [200,300])
    y   0-100   R-2 [0,100] | R-2 [100,200]  K-1 [200,300]   (gap [300,400])
    y   0-200   K-2 [400,600]x[0,200] with a hole [450,550]x[50,150]
                SPU-1 fills the hole exactly

Gaps (no zone): [200,300]x[100,200], [300,400]x[0,200], [100,200]x[300,400], ...

Run:  .venv/bin/python tests/golden/make_cases.py            (writes cases.gpkg)
      .venv/bin/python tests/golden/make_cases.py --check    (compares the
      PostGIS reference CSVs with the hand answers in EXPECTED below)
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
X0, Y0 = 440000, 100000
EPSG = 32648


def box(x1, y1, x2, y2):
    """Closed ring of an axis-aligned rectangle, counter-clockwise."""
    return [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]


def _ring(coords):
    return "(" + ", ".join(f"{x + X0} {y + Y0}" for x, y in coords) + ")"


def polygon(shell, *holes):
    return "POLYGON (" + ", ".join(_ring(r) for r in (shell, *holes)) + ")"


def multipolygon(*polys):
    # each poly is a list of rings [shell, hole, ...]
    return "MULTIPOLYGON (" + ", ".join("(" + ", ".join(_ring(r) for r in p) + ")" for p in polys) + ")"


def line(*pts):
    return "LINESTRING " + _ring(pts)


def multiline(*lines):
    return "MULTILINESTRING (" + ", ".join(_ring(ln) for ln in lines) + ")"


def point(x, y):
    return f"POINT ({x + X0} {y + Y0})"


def multipoint(*pts):
    return "MULTIPOINT (" + ", ".join(f"({x + X0} {y + Y0})" for x, y in pts) + ")"


# --------------------------------------------------------------------------- zones
ZONES = [
    # (zone code, WKT)
    ("R-2", polygon(box(0, 0, 100, 100))),            # R-2 west half  } same code, seam at x=100
    ("R-2", polygon(box(100, 0, 200, 100))),          # R-2 east half  }
    ("K-1", polygon(box(200, 0, 300, 100))),          # border with R-2 at x=200
    ("RTH-1", polygon(box(0, 100, 100, 200))),
    ("C-1", polygon(box(100, 100, 200, 200))),        # (100,100): R-2 | RTH-1 | C-1 meet
    ("K-2", polygon(box(400, 0, 600, 200), box(450, 50, 550, 150))),   # polygon with a hole
    ("SPU-1", polygon(box(450, 50, 550, 150))),       # ... the hole, filled by another code
    ("PTL-1", multipolygon([box(0, 300, 100, 400)], [box(200, 300, 300, 400)])),  # multipolygon
    # bow-tie (invalid, self-intersecting at (50,550)); area after repair 5000 m2
    ("RTH-2", "POLYGON (" + _ring([(0, 500), (100, 600), (100, 500), (0, 600), (0, 500)]) + ")"),
    ("KT-1", polygon(box(0, 700, 100, 800))),         # overlaps SPU-2 on [50,100]x[700,800]
    ("SPU-2", polygon(box(50, 700, 150, 800))),
    # invalid: hole partly outside the shell.  linework -> zone = U-shape [0,100]^2 minus
    # [50,100]x[925,975]  PLUS  [100,150]x[925,975]  (area 10000); "structure" would drop the latter
    ("KI-1", polygon(box(0, 900, 100, 1000), box(50, 925, 150, 975))),
]

# ------------------------------------------------------------------------ programs
# (program_id, kegiatan, WKT or None, {zone: hand share}, hand unzoned share)
# For points the measure equals the share.  None for unzoned = empty/null geometry.
T = 1 / 3
PROGRAMS = [
    # ---- lines
    ("L01", "jalan lokal", line((100, 0), (100, 100)),
     {"R-2": 1.0}, 0.0),                                  # along the R-2|R-2 seam: counts once
    ("L02", "jalan lokal", line((200, 0), (200, 100)),
     {"R-2": 1.0, "K-1": 1.0}, 0.0),                      # along R-2|K-1 border: fully both
    ("L03", "jaringan drainase", line((0, 60), (500, 60)),
     # 500 m: R-2 0-200 (200), K-1 200-300 (100), gap 300-400 (100), K-2 400-450 (50),
     # SPU-1 450-500 (50)
     {"R-2": 0.4, "K-1": 0.2, "K-2": 0.1, "SPU-1": 0.1}, 0.2),
    ("L04", "jalan lokal", line((270, 50), (370, 50)),
     {"K-1": 0.3}, 0.7),                                  # 100 m, 30 m in K-1, 70 m in the gap
    ("L05", "jaringan air minum", multiline([(10, 20), (90, 20)], [(10, 350), (90, 350)],
                                            [(150, 350), (190, 350)]),
     {"R-2": 0.4, "PTL-1": 0.4}, 0.2),                    # 80 + 80 + 40 (gap between PTL-1 parts)
    ("L06", "jalan lokal", line((200, 100), (300, 100)),
     {"K-1": 1.0}, 0.0),                                  # K-1 top edge, gap above; touches R-2/C-1 at a point only
    ("L07", "jaringan drainase", line((450, 50), (550, 50)),
     {"K-2": 1.0, "SPU-1": 1.0}, 0.0),                    # along the hole's boundary
    ("L08", "jalan lokal", line((0, 525), (100, 525)),
     {"RTH-2": 0.5}, 0.5),                                # bow-tie zone: x in [0,25] and [75,100]
    ("L09", "jalan lokal", line((0, 950), (150, 950)),
     {"KI-1": 2 / 3}, 1 / 3),                             # linework KI-1: [0,50] and [100,150]
    ("L10", "jalan lokal", line((25, 750), (125, 750)),
     {"KT-1": 0.75, "SPU-2": 0.75}, 0.0),                 # through the overlap
    ("L11", "jalan kolektor", line((100, 0), (100, 200)),
     {"R-2": 0.5, "RTH-1": 0.5, "C-1": 0.5}, 0.0),        # same-code seam then RTH-1|C-1 border
    # ---- polygons
    ("A01", "ruang terbuka hijau", polygon(box(50, 50, 150, 150)),
     {"R-2": 0.5, "RTH-1": 0.25, "C-1": 0.25}, 0.0),      # straddles three codes (and the R-2 seam)
    ("A02", "perumahan", polygon(box(425, 25, 575, 175), box(475, 75, 525, 125)),
     # area 22500-2500 = 20000; K-2 22500-10000 = 12500; SPU-1 10000-2500 = 7500
     {"K-2": 0.625, "SPU-1": 0.375}, 0.0),
    ("A03", "perumahan", "POLYGON (" + _ring([(150, 0), (250, 100), (250, 0), (150, 100), (150, 0)]) + ")",
     {"R-2": 0.5, "K-1": 0.5}, 0.0),                      # bow-tie program: two 2500 m2 triangles
    ("A04", "perdagangan", polygon(box(25, 700, 125, 800)),
     {"KT-1": 0.75, "SPU-2": 0.75}, 0.0),                 # through the overlap: shares sum 1.5
    ("A05", "ruang terbuka hijau", polygon(box(0, 500, 100, 600)),
     {"RTH-2": 0.5}, 0.5),                                # square over the bow-tie zone
    ("A06", "perumahan", polygon(box(310, 10, 390, 90)),
     {}, 1.0),                                            # entirely in a gap
    ("A07", "perdagangan", polygon(box(250, 0, 350, 100)),
     {"K-1": 0.5}, 0.5),                                  # half in K-1, half in the gap
    ("A08", "perumahan", multipolygon([box(50, 300, 100, 400)], [box(125, 300, 175, 400)],
                                      [box(200, 300, 250, 400)]),
     {"PTL-1": 2 / 3}, 1 / 3),                            # 3 x 5000 m2, middle part in the gap
    ("A09", "perumahan", polygon(box(0, 0, 100, 100)),
     {"R-2": 1.0}, 0.0),                                  # identical to a zone; touches RTH-1/C-1/R-2 edges
    ("A10", "perdagangan", polygon(box(150, 20, 250, 80), box(200, 40, 300, 60)),
     # invalid: hole sticks out of the shell.  linework: 6000-1000+1000 = 6000 m2;
     # R-2 [150,200]x[20,80] = 3000; K-1 2000 + [250,300]x[40,60] 1000 = 3000
     # ("structure" repair would give 5000 m2, R-2 0.6, K-1 0.4)
     {"R-2": 0.5, "K-1": 0.5}, 0.0),
    # ---- points
    ("T01", "menara telekomunikasi", point(50, 50), {"R-2": 1.0}, 0.0),           # strictly inside
    ("T02", "menara telekomunikasi", point(200, 50), {"R-2": 0.5, "K-1": 0.5}, 0.0),  # R-2|K-1 border
    ("T03", "menara telekomunikasi", point(100, 100), {"R-2": T, "RTH-1": T, "C-1": T}, 0.0),  # 3-code vertex
    ("T04", "menara telekomunikasi", point(100, 50), {"R-2": 1.0}, 0.0),          # same-code seam: k=1
    ("T05", "menara telekomunikasi", point(350, 100), {}, 1.0),                   # outside all zones
    ("T06", "hidran", multipoint((50, 50), (250, 50), (200, 50), (350, 100)),
     # 4 parts x 0.25: R-2 .25 + .125, K-1 .25 + .125, last part unzoned
     {"R-2": 0.375, "K-1": 0.375}, 0.25),
    ("T07", "hidran", point(300, 50), {"K-1": 1.0}, 0.0),                         # K-1 edge facing a gap
    ("T08", "hidran", point(450, 100), {"K-2": 0.5, "SPU-1": 0.5}, 0.0),          # on the hole boundary
    ("T09", "hidran", point(50, 550), {"RTH-2": 1.0}, 0.0),                       # bow-tie pinch point
    ("T10", "hidran", point(75, 750), {"KT-1": 0.5, "SPU-2": 0.5}, 0.0),          # in the overlap
    ("T11", "hidran", point(125, 950), {"KI-1": 1.0}, 0.0),                       # linework-only KI-1 part
    ("T12", "hidran", point(250, 350), {"PTL-1": 1.0}, 0.0),                      # 2nd multipolygon part
    ("T13", "hidran", multipoint((50, 50), (50, 50)), {"R-2": 1.0}, 0.0),         # duplicate parts
    # ---- empty / null geometry: no share rows, unzoned empty
    ("E01", "perumahan", "POLYGON EMPTY", {}, None),
    ("E02", "perumahan", None, {}, None),
    ("E03", "hidran", "POINT EMPTY", {}, None),
]


def write_gpkg(path: Path) -> None:
    import geopandas as gpd
    import shapely

    if path.exists():
        path.unlink()
    crs = f"EPSG:{EPSG}"
    zones = gpd.GeoDataFrame(
        {"KODSZN": [c for c, _ in ZONES]},
        geometry=shapely.from_wkt([w for _, w in ZONES]),
        crs=crs,
    )
    zones.to_file(path, layer="zoning", driver="GPKG", engine="pyogrio")
    progs = gpd.GeoDataFrame(
        {"program_id": [p[0] for p in PROGRAMS], "kegiatan": [p[1] for p in PROGRAMS]},
        geometry=shapely.from_wkt([p[2] for p in PROGRAMS]),   # None stays None (null geometry)
        crs=crs,
    )
    progs.to_file(path, layer="programs", driver="GPKG", engine="pyogrio",
                  geometry_type="Unknown", promote_to_multi=False)
    print(f"wrote {path}: {len(zones)} zones, {len(progs)} programs")


def check(prefix: Path, tol: float = 1e-9) -> int:
    """Compare <prefix>_shares.csv / _unzoned.csv with the hand answers."""
    shares: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_shares.csv", newline="") as f:
        for row in csv.DictReader(f):
            shares.setdefault(row["program_id"], {})[row["zone_code"]] = float(row["share"])
    unzoned: dict[str, float | None] = {}
    with open(f"{prefix}_unzoned.csv", newline="") as f:
        for row in csv.DictReader(f):
            unzoned[row["program_id"]] = float(row["unzoned"]) if row["unzoned"] != "" else None
    bad = 0
    print(f"{'id':4} {'hand shares':44} {'hand u':>7}  result")
    for pid, _, _, exp, exp_u in PROGRAMS:
        got = shares.get(pid, {})
        got_u = unzoned.get(pid, "missing")
        ok = set(got) == set(exp) and all(math.isclose(got[k], v, rel_tol=0, abs_tol=tol) for k, v in exp.items())
        if exp_u is None:
            ok = ok and got_u is None
        else:
            ok = ok and got_u not in (None, "missing") and math.isclose(got_u, exp_u, rel_tol=0, abs_tol=tol)
        hand = ", ".join(f"{k} {v:.4g}" for k, v in exp.items()) or "-"
        eu = "empty" if exp_u is None else f"{exp_u:.4g}"
        if ok:
            res = "OK"
        else:
            bad += 1
            res = f"MISMATCH: postgis {got} u={got_u}"
        print(f"{pid:4} {hand:44} {eu:>7}  {res}")
    print(f"{len(PROGRAMS) - bad} agree, {bad} disagree")
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "cases.gpkg"))
    ap.add_argument("--check", action="store_true",
                    help="compare tests/golden/cases_*.csv with the hand answers instead of writing")
    a = ap.parse_args(argv)
    if a.check:
        return check(HERE / "cases")
    write_gpkg(Path(a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
