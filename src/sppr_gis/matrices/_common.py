"""Helpers the matrix families share: row labels, and reading a column as numbers or text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TOTAL = "Jumlah"
UNKNOWN = "(tidak diketahui)"
OUTSIDE_KP = "(di luar kawasan prioritas)"
NO_CLUSTER = "(tanpa klaster)"


def _num(s: pd.Series | None, n: int) -> np.ndarray:
    if s is None:
        return np.full(n, np.nan)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


def conforming(status: pd.Series | Sequence[object]) -> np.ndarray:
    """Whether each conformance status is ``sesuai`` or ``sesuai_bersyarat``."""
    return np.isin(np.asarray(list(status), dtype=object), ["sesuai", "sesuai_bersyarat"])
