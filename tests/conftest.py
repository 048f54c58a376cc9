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


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read the tool's messages in English (``SPPR_LANG=en``, inherited by subprocesses).

    Indonesian is the default for users; tests/test_i18n_messages.py checks it by
    setting ``SPPR_LANG`` itself (or removing it).
    """
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
