"""GEOS errors never reach the user (issue 17 case 20).

Every set operation on user geometry goes through :mod:`sppr_gis.overlay`. Each test
makes the shapely function used at one site raise a GEOSException on its first call
made from that site (found on the call stack), and checks that the run recovers with
the answer of an undisturbed run; a failure that persists, or one outside the door,
ends the CLI with one line and exit status 1.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.errors import GEOSException
from shapely.geometry import LineString, Point, Polygon, box

import sppr_gis
from conftest import UTM48N, gdf, invoke, make_rules


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run prepares its zoning afresh: a cached preparation (an earlier test's, or this test's other
    parameters') would skip the very set operations these tests make fail."""
    monkeypatch.setenv("SPPR_NO_CACHE", "1")


class FailOnce:
    """``shapely.<name>`` raising GEOSException on its first call made while ``where`` (a function name) runs;
    ``name`` may be dotted (``"lib.unary_union"``: the ufunc a site calls directly, without shapely.union_all's
    collection copy)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, where: str, always: bool = False) -> None:
        owner, _, attr = ("shapely." + name).rpartition(".")
        owner = sys.modules[owner]
        self.real = getattr(owner, attr)
        self.where, self.always, self.fired = where, always, 0
        monkeypatch.setattr(owner, attr, self)

    def _inside(self) -> bool:
        f = sys._getframe(2)
        while f is not None:
            if f.f_code.co_name == self.where:
                return True
            f = f.f_back
        return False

    def __call__(self, *args, **kwargs):
        if (self.always or not self.fired) and self._inside():
            self.fired += 1
            raise GEOSException("TopologyException: side location conflict (injected)")
        return self.real(*args, **kwargs)


# ----------------------------------------------------------------------------- sppr check: engine and zoning QA

ZONING = gdf(
    [
        {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
        {"KODSZN": "K-1", "geometry": box(99, 0, 200, 100)},  # a 1 m overlap with R-2 (noise)
        {"KODSZN": "RTH-1", "geometry": box(0, 100, 90, 200)},  # a 20 x 10 m gap up to the circle
        {"KODSZN": "RTH-1", "geometry": box(110, 100, 200, 200)},
        {"KODSZN": "K-1", "geometry": Point(100, 180).buffer(30, quad_segs=128)},  # 513 vertices: cut and clipped
        {"KODSZN": "R-2", "geometry": box(30, 30, 60, 60)},  # an overlap with R-2 (same code) wider than noise
    ]
)
RULES = make_rules({"jalan": {"R-2": "I", "K-1": "T1", "RTH-1": "X"}})
PROGRAMS = gdf(
    [
        {"program_id": "poly", "kegiatan": "jalan", "geometry": box(40, 40, 150, 190)},
        {"program_id": "bowtie", "kegiatan": "jalan", "geometry": Polygon([(10, 10), (50, 50), (50, 10), (10, 50)])},
        {"program_id": "back", "kegiatan": "jalan", "geometry": LineString([(10, 150), (150, 150), (50, 150)])},  # runs back over itself
        {"program_id": "pt", "kegiatan": "jalan", "geometry": Point(120, 50)},
    ]
)


def _check() -> tuple:
    res = sppr_gis.check(ZONING, PROGRAMS, RULES, max_vertices=256, workers=1)
    p = res.programs
    return (
        list(p.status),
        np.round(p.score.to_numpy(float), 6).tolist(),
        list(zip(res.zone_shares.program_id, res.zone_shares.zone_code, np.round(res.zone_shares.measure, 4))),
        sorted(zip(res.issues.code, res.issues.message)),
    )


CHECK_SITES = [
    ("intersection", "halve"),  # the halving of cut_zones (split_levels, split_keyed; split_large calls split_levels)
    ("intersection", "_polygons"),
    ("union_all", "shares"),
    ("make_valid", "repair_geometries"),
    ("clip_by_rect", "overlap_pairs"),
    ("intersection", "overlap_pairs"),
    ("buffer", "erode"),
    ("buffer", "dilated_union"),
    ("lib.unary_union", "dilated_union"),  # the collection built there, unioned without shapely.union_all's copy (s8)
    ("buffer", "_gaps"),
    ("union_all", "_gaps"),
    ("difference", "_gaps"),
]


@pytest.fixture(scope="module")
def check_reference():
    return _check()


@pytest.mark.parametrize(("name", "where"), CHECK_SITES)
def test_check_recovers_from_a_geos_error_at_each_site(monkeypatch, check_reference, name, where):
    inject = FailOnce(monkeypatch, name, where)
    got = _check()
    assert inject.fired, f"shapely.{name} was never called from {where}: the scenario misses the site"
    assert got == check_reference


# ----------------------------------------------------------------------------- sppr revisi


def _revisi() -> tuple:
    from sppr_gis.revision import zone_transitions

    z = lambda rows: gpd.GeoDataFrame({"zone_code": [c for c, _ in rows]}, geometry=[g for _, g in rows], crs=UTM48N)  # noqa: E731
    old = z([("R-3", box(0, 0, 100, 100)), ("R-4", box(80, 0, 200, 100)), ("R-3", box(50, 50, 120, 120))])
    new = z([("R-3", box(0, 0, 100, 100)), ("R-4", box(90, 0, 200, 100)), ("K-1", box(0, 0, 30, 100))])
    table, changed = zone_transitions(old, new, workers=1)
    return list(zip(table.kode_lama, table.kode_baru, np.round(table.luas_m2, 6))), sorted(np.round(changed.luas_m2, 6))


@pytest.mark.parametrize(("name", "where"), [("difference", "disjoint_by_code"), ("intersection", "_overlap_region"), ("union_all", "zone_transitions"), ("intersection", "zone_transitions"), ("difference", "zone_transitions"), ("intersection", "_faces"), ("union_all", "_faces")])
def test_revisi_recovers_from_a_geos_error_at_each_site(monkeypatch, name, where):
    want = _revisi()
    inject = FailOnce(monkeypatch, name, where)
    assert _revisi() == want
    assert inject.fired


# ----------------------------------------------------------------------------- struktur ruang, boundaries


def _network() -> list:
    from sppr_gis.network import network_conformance

    geoms = np.array([box(0, 0, 100, 20), box(0, 50, 100, 100), LineString([(0, 5), (100, 5)])], dtype=object)
    net = np.array([LineString([(0, 0), (100, 0)]), LineString([(0, 10), (50, 10)])], dtype=object)
    df = network_conformance(geoms, pd.Series(["jalan"] * 3), net, np.array(["arteri", "arteri"], dtype=object), {"jalan": ("arteri",)}, distance=10.0)
    return np.round(df.porsi_jaringan.to_numpy(float), 9).tolist()


@pytest.mark.parametrize("name", ["buffer", "union_all", "intersection"])
def test_network_recovers_from_a_geos_error(monkeypatch, name):
    want = _network()
    inject = FailOnce(monkeypatch, name, "network_conformance")
    assert _network() == want
    assert inject.fired


def _boundaries() -> list:
    from sppr_gis.sync import AdminAreas

    kel = gpd.GeoDataFrame(
        {"kelurahan": ["Sei Jang", "Tanjung Ayun", "Sei Jang"], "kecamatan": ["Bukit", "Bukit", "Timur"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(30, 0, 40, 10)],
        crs=UTM48N,
    )
    areas = AdminAreas.from_layers(kel, None, UTM48N)
    geoms, _, names, _ = areas.resolve(["Kel. Sei Jang", "Kecamatan Bukit"], ["a", "b"], "rencana")
    return [round(g.area, 9) for g in geoms] + list(names) + [round(g.area, 9) for g in areas.kecamatan.geometry]


@pytest.mark.parametrize(("name", "where"), [("make_valid", "from_layers"), ("union_all", "from_layers"), ("union_all", "resolve")])
def test_boundaries_recover_from_a_geos_error(monkeypatch, name, where):
    want = _boundaries()
    inject = FailOnce(monkeypatch, name, where)
    assert _boundaries() == want
    assert inject.fired


# ----------------------------------------------------------------------------- the CLI: one line, exit 1


@pytest.fixture
def files(tmp_path):
    z, p, r = tmp_path / "z.gpkg", tmp_path / "p.gpkg", tmp_path / "itbx.csv"
    ZONING.to_file(z, layer="zona")
    PROGRAMS.to_file(p, layer="p")
    r.write_text("activity,R-2,K-1,RTH-1\njalan,I,T1,X\n")
    return z, p, r, tmp_path / "out.gpkg"


def _one_line_exit_1(r, out) -> None:
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and not isinstance(r.exception, GEOSException)
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), r.output
    assert not out.exists()


def test_cli_a_geos_error_that_persists_is_one_line_naming_the_step(runner, monkeypatch, files):
    z, p, r, out = files
    FailOnce(monkeypatch, "intersection", "_polygons", always=True)
    res = invoke(runner, ["-q", "check", "--zoning", z, "--programs", p, "--rules", r, "--out", out])
    _one_line_exit_1(res, out)
    assert "GEOS could not compute" in res.output


def test_cli_a_geos_error_outside_the_door_is_one_line(runner, monkeypatch, files):
    z, p, r, out = files
    import sppr_cli.check

    # e.g. a predicate or a map's geometry: not an overlay of sppr_gis.overlay
    monkeypatch.setattr(sppr_cli.check, "run_check", _raise_geos)
    res = invoke(runner, ["-q", "check", "--zoning", z, "--programs", p, "--rules", r, "--out", out])
    _one_line_exit_1(res, out)
    assert "GEOS" in res.output


def _raise_geos(*args, **kwargs):
    raise GEOSException("IllegalArgumentException: injected outside sppr_gis.overlay")
