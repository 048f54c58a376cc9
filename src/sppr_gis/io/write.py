"""Writing outputs atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

__all__ = ["atomic_path", "write_gpkg", "write_tables"]


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL wants to create the file itself
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        for p in (tmp_path, Path(str(tmp_path) + "-journal"), Path(str(tmp_path) + "-wal"), Path(str(tmp_path) + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns GDAL can store: object columns of mixed content become text."""
    out = df.copy()
    for col in out.columns:
        if col == getattr(out, "_geometry_column_name", None):
            continue
        s = out[col]
        if s.dtype == object and not s.map(lambda v: v is None or isinstance(v, str)).all():
            out[col] = s.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out


def write_gpkg(
    layers: Mapping[str, pd.DataFrame],
    target: str | os.PathLike[str],
    *,
    finish: Callable[[Path], object] | None = None,
) -> Path:
    """Write several layers into one GeoPackage, atomically.

    Parameters
    ----------
    layers : mapping of layer name to (Geo)DataFrame
        GeoDataFrames are written with their geometry (mixed types allowed);
        plain DataFrames as attribute tables.
    target : path
        The ``.gpkg`` to create (replaced if it exists).
    finish : callable, optional
        Called with the temporary file once the layers are in, before the
        rename (e.g. to add QGIS layer styles); if it fails, nothing is left.

    Returns
    -------
    Path
    """
    target = Path(target)
    with atomic_path(target) as tmp:
        for name, df in layers.items():
            df = _plain(df)
            if isinstance(df, gpd.GeoDataFrame):
                pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG", geometry_type="Unknown", promote_to_multi=False)
            else:
                pyogrio.write_dataframe(pd.DataFrame(df), tmp, layer=name, driver="GPKG")
        if finish is not None:
            finish(tmp)
    return target


def write_tables(tables: Mapping[str, pd.DataFrame], target: str | os.PathLike[str]) -> Path:
    """Write attribute tables as CSV (one file per table, ``stem_name.csv``) or XLSX (one sheet each).

    Parameters
    ----------
    tables : mapping of name to DataFrame
        Geometry columns are written as WKT.
    target : path
        ``something.xlsx`` for a workbook, ``something.csv`` for a family of CSVs.

    Returns
    -------
    Path
    """
    target = Path(target)

    def flat(df: pd.DataFrame) -> pd.DataFrame:
        if isinstance(df, gpd.GeoDataFrame):
            gcol = df.geometry.name
            out = pd.DataFrame(df.drop(columns=gcol))
            out["wkt"] = df.geometry.to_wkt()
            return out
        return pd.DataFrame(df)

    if target.suffix.lower() == ".xlsx":
        with atomic_path(target) as tmp:
            with pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
                for name, df in tables.items():
                    flat(df).to_excel(xw, sheet_name=name[:31], index=False)
        return target
    for name, df in tables.items():
        path = target.with_name(f"{target.stem}_{name}.csv")
        with atomic_path(path) as tmp:
            flat(df).to_csv(tmp, index=False)
    return target
