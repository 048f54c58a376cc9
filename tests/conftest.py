"""Shared fixtures: a CLI runner invoking the root group, and small data builders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.affinity
from click.testing import CliRunner

from sppr_gis.rules import Rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
GOLDEN = ROOT / "tests" / "golden"
UTM48N = "EPSG:32648"


@pytest.fixture(scope="session", autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterable[Path]:
    """The zoning cache of every test (and of the processes it starts) in a temporary folder, never ~/.cache."""
    import os

    folder = tmp_path_factory.mktemp("sppr-cache")
    before = os.environ.get("SPPR_CACHE_DIR")
    os.environ["SPPR_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SPPR_CACHE_DIR", None)
    else:
        os.environ["SPPR_CACHE_DIR"] = before


@pytest.fixture(autouse=True)
def _messages_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert messages as the code writes them (English): ``SPPR_LANG=en`` for every test, child
    processes included, unless the test sets the language itself (tests/test_i18n.py checks the
    Indonesian default)."""
    monkeypatch.setenv("SPPR_LANG", "en")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, args: list[str]):
    """Invoke ``sppr`` in-process; stderr is kept apart from stdout."""
    from sppr_cli.main import cli

    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def make_rules(table: dict[str, dict[str, str]]) -> Rules:
    """Rules from ``{activity: {zone_code: cell}}``."""
    codes = sorted({c for row in table.values() for c in row})
    rows = [{"activity": a, **{c: row.get(c, "") for c in codes}} for a, row in table.items()]
    return Rules.from_frame(pd.DataFrame(rows, dtype=object))


#: Local test coordinates are shifted here so they fall in UTM 48N's area of use (Tanjungpinang).
ORIGIN = (440_000.0, 100_000.0)


def gdf(records: Iterable[dict], crs: str = UTM48N, origin: tuple[float, float] = ORIGIN) -> gpd.GeoDataFrame:
    """A GeoDataFrame from dicts holding a ``geometry`` key, local coordinates shifted by ``origin``."""
    recs = [dict(r) for r in records]
    for r in recs:
        if r.get("geometry") is not None:
            r["geometry"] = shapely.affinity.translate(r["geometry"], *origin)
    return gpd.GeoDataFrame(recs, geometry="geometry", crs=crs)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Lon/lat of the local test point (x, y) (shifted by ORIGIN, in UTM 48N)."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True).transform(ORIGIN[0] + x, ORIGIN[1] + y)


def write_three_zones(folder: Path) -> Path:
    """Zoning R-2 | K-1 | RTH-1 (100 m squares side by side, ``zoning.gpkg:rdtr``) and an ITBX matrix
    (``itbx.csv``: roads I/T1/X, parks I everywhere) in ``folder``; returns ``folder``."""
    import pyogrio
    from shapely.geometry import box

    z = gdf(
        [
            {"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)},
            {"KODSZN": "K-1", "geometry": box(100, 0, 200, 100)},
            {"KODSZN": "RTH-1", "geometry": box(200, 0, 300, 100)},
        ]
    )
    pyogrio.write_dataframe(z, folder / "zoning.gpkg", layer="rdtr")
    (folder / "itbx.csv").write_text("activity,R-2,K-1,RTH-1\npembangunan_jalan,I,T1,X\ntaman_kota,I,I,I\n", encoding="utf-8")
    return folder
