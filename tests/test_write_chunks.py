"""The GeoPackage writer converts a large layer to WKB and Arrow in chunks (issue 18 memory), same bytes."""

from __future__ import annotations

import geopandas as gpd
import geopandas.array
import numpy as np
import pandas as pd
import pytest
import shapely

from sppr_gis.io import write as W


def _frame(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    g = np.empty(n, dtype=object)
    g[:] = list(shapely.points(rng.random((n, 2)) * 1000))
    g[5] = shapely.box(0, 0, 3, 4)
    g[7] = None
    g[n - 3] = shapely.LineString([(0, 0), (5, 5)])
    return gpd.GeoDataFrame(
        {
            "a": np.arange(n),
            "s": [None if i % 7 == 0 else f"zona {i} é" for i in range(n)],
            "f": rng.random(n),
            "b": rng.random(n) > 0.5,
            "ln": pd.array([None if i % 3 else i for i in range(n)], dtype="Int64"),
        },
        geometry=g,
        crs="EPSG:32748",
    )


def test_large_layer_written_in_chunks_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    df = _frame(4_321)
    layers = {"big": df, "small": df.iloc[:3].copy(), "empty": df.iloc[:0]}
    # reference: pyogrio's own whole-table Arrow conversion (the chunked path switched off)
    with monkeypatch.context() as m:
        m.setattr(W, "_write_arrow_chunked", lambda *a, **k: False)
        W.write_gpkg(layers, tmp_path / "whole.gpkg")
    sizes: list[int] = []
    real = geopandas.array.to_wkb

    def spy(arr, *a, **k):
        sizes.append(len(arr))
        return real(arr, *a, **k)

    monkeypatch.setattr(W, "ARROW_CHUNK_ROWS", 1_000)
    monkeypatch.setattr(geopandas.array, "to_wkb", spy)
    W.write_gpkg(layers, tmp_path / "chunks.gpkg")
    # the big layer went through 1,000-row chunks: never its whole WKB at once
    assert sizes and max(sizes) <= 1_000 and sum(s for s in sizes if s) >= 4_321
    assert (tmp_path / "chunks.gpkg").read_bytes() == (tmp_path / "whole.gpkg").read_bytes()
    back = gpd.read_file(tmp_path / "chunks.gpkg", layer="big")
    assert len(back) == 4_321 and back["s"].isna().sum() == len(range(0, 4_321, 7))
    assert shapely.equals(back.geometry.iloc[5], shapely.box(0, 0, 3, 4)) and back.geometry.iloc[7] is None


@pytest.mark.parametrize("col", [pd.Series(pd.to_datetime(["2026-01-01"] * 6 + [None] * 6).tz_localize("Asia/Jakarta")), pd.Series([None] * 12, dtype=object)])
def test_columns_pyogrio_converts_take_its_path(tmp_path, monkeypatch, col):
    """Time zones and all-null columns are converted by pyogrio first: the chunked path stays out."""
    monkeypatch.setattr(W, "ARROW_CHUNK_ROWS", 2)
    df = _frame(12)
    df["x"] = col.to_numpy()
    assert W._write_arrow_chunked(df, tmp_path / "x.gpkg", "x", append=False) is False
    assert not (tmp_path / "x.gpkg").exists()
