"""Class breaks for choropleths: Fisher-Jenks natural breaks with rounded ("nice") limits."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["class_breaks", "class_labels", "assign_classes"]


def _jenks(values: np.ndarray, k: int) -> list[float]:
    """Fisher-Jenks optimal breaks (upper limits of classes 1..k-1) by dynamic programming."""
    x = np.sort(values)
    n = len(x)
    cs = np.concatenate([[0.0], np.cumsum(x)])
    cs2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: int, j: int) -> float:  # sum of squared deviations of x[i:j]
        s = cs[j] - cs[i]
        return float(cs2[j] - cs2[i] - s * s / (j - i))

    inf = float("inf")
    cost = np.full((k + 1, n + 1), inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            best, arg = inf, c - 1
            for i in range(c - 1, j):
                v = cost[c - 1, i] + ssd(i, j)
                if v < best:
                    best, arg = v, i
            cost[c, j], back[c, j] = best, arg
    cuts = []
    j = n
    for c in range(k, 1, -1):
        i = back[c, j]
        cuts.append(float(x[i - 1]))
        j = i
    return sorted(cuts)


def _nice(v: float, up: bool) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    e = math.floor(math.log10(abs(v))) - 1
    q = 10.0**e
    return (math.ceil(v / q) if up else math.floor(v / q)) * q


def class_breaks(values: Sequence[float], k: int = 5) -> list[float]:
    """Upper limits of up to ``k`` classes (the last is the maximum), rounded to two significant digits.

    Natural breaks (Fisher-Jenks) for up to 3000 values, quantiles beyond. Fewer
    classes are returned when there are fewer distinct values.

    Parameters
    ----------
    values : sequence of float
        Non-missing values.
    k : int
        Wanted number of classes.

    Returns
    -------
    list of float
        Increasing upper limits; every value is <= the last.
    """
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not len(arr):
        return []
    uniq = np.unique(arr)
    k = max(1, min(k, len(uniq)))
    if k == 1:
        return [float(uniq[-1])]
    cuts = _jenks(arr, k) if len(arr) <= 3000 else list(np.quantile(arr, np.linspace(0, 1, k + 1)[1:-1]))
    nice = []
    for c in cuts:
        r = _nice(c, up=True)
        if not nice or r > nice[-1]:
            nice.append(r)
    top = float(arr.max())
    nice = [c for c in nice if c < top]
    return nice + [top]


def assign_classes(values: Sequence[float], breaks: Sequence[float]) -> np.ndarray:
    """Class index (0-based) of each value; -1 for missing values."""
    arr = np.asarray(values, dtype=float)
    out = np.searchsorted(np.asarray(breaks, dtype=float), arr, side="left")
    out = np.minimum(out, len(breaks) - 1)
    out[~np.isfinite(arr)] = -1
    return out


def class_labels(breaks: Sequence[float], fmt: Callable[[float], str], lowest: float = 0.0) -> list[str]:
    """Legend labels ``"a – b"`` for classes; the first starts at ``lowest``."""
    labels = []
    lo = lowest
    for b in breaks:
        labels.append(f"{fmt(lo)} – {fmt(b)}")
        lo = b
    return labels
