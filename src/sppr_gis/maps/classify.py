"""Class breaks for choropleths: Fisher-Jenks natural breaks with rounded ("nice") limits."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["class_breaks", "class_labels", "assign_classes", "few_classes", "natural_classes", "assign_ranges", "range_labels"]


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


def class_labels(breaks: Sequence[float], fmt: Callable[[float], str], lowest: float = 0.0, *, integer: bool = False) -> list[str]:
    """Legend labels of :func:`class_breaks` classes that do not overlap.

    A class holds its upper limit (:func:`assign_classes`: ``lo < v <= b``), so the first class reads
    ``"lowest – b1"`` and each next one starts after the limit below it: ``"> b1 – b2"``, or with ``integer``
    (whole-number values and limits) ``"b1+1 – b2"`` (review s7: "0 – 10", "10 – 20" both held 10).

    >>> class_labels([10, 20, 35], str, lowest=0)
    ['0 – 10', '> 10 – 20', '> 20 – 35']
    >>> class_labels([10, 11, 35], str, lowest=0, integer=True)
    ['0 – 10', '11', '12 – 35']
    """
    labels = []
    lo = lowest
    for i, b in enumerate(breaks):
        if i == 0:
            labels.append(fmt(b) if lo == b else f"{fmt(lo)} – {fmt(b)}")
        elif integer:
            start = lo + 1
            labels.append(fmt(b) if start == b else f"{fmt(start)} – {fmt(b)}")
        else:
            labels.append(f"> {fmt(lo)} – {fmt(b)}")
        lo = b
    return labels


def _nice_step(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= ``v``."""
    e = math.floor(math.log10(v))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10.0**e >= v * (1 - 1e-12):
            return m * 10.0**e
    return 10.0 ** (e + 1)  # pragma: no cover


def few_classes(values: Sequence[float], k: int = 5, max_single: int = 6) -> list[tuple[float, float]]:
    """Classes for a handful of areas (a city's kecamatan): ``(lo, hi)`` ranges that never overlap.

    Up to ``max_single`` distinct values: one class per value (``lo == hi``).
    More: equal intervals of a rounded width (1, 2, 2.5 or 5 times a power of
    ten) starting at a rounded lower limit; each class is ``lo <= v < hi``.

    >>> few_classes([3.0, 7.0, 7.0])
    [(3.0, 3.0), (7.0, 7.0)]
    >>> few_classes([0, 12, 18, 31, 44, 45, 52, 77], k=4)
    [(0.0, 20.0), (20.0, 40.0), (40.0, 60.0), (60.0, 80.0)]
    """
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not len(arr):
        return []
    uniq = np.unique(arr)
    if len(uniq) <= max_single:
        return [(float(v), float(v)) for v in uniq]
    lo_v, hi_v = float(arr.min()), float(arr.max())
    step = _nice_step((hi_v - lo_v) / max(k, 1))
    start = math.floor(lo_v / step) * step
    n = int(math.floor((hi_v - start) / step)) + 1
    out = [(start + i * step, start + (i + 1) * step) for i in range(n)]
    return [(float(round(a, 9)), float(round(b, 9))) for a, b in out]


def _roundest(lo: float, hi: float, *, down: bool = False) -> float:
    """The roundest number in ``(lo, hi]`` (the smallest one there of the largest power-of-ten step that has
    one); with ``down``, the largest one in ``[lo, hi)``."""
    span = max(abs(lo), abs(hi), 1e-300)
    for e in range(math.floor(math.log10(span)) + 1, -13, -1):
        step = 10.0**e
        t = (math.floor(hi / step) * step) if down else (math.floor(lo / step) + 1) * step
        t = float(round(t, 12))
        if (lo <= t < hi) if down else (lo < t <= hi):
            return t
    return hi if not down else lo  # pragma: no cover - an interval narrower than 1e-12


def natural_classes(values: Sequence[float], k: int = 5) -> list[tuple[float, float]]:
    """Natural-breaks classes for a few areas (a city's kecamatan): ``(lo, hi)`` ranges, ``lo <= v < hi``.

    A classification, not one class per value: at most ``k`` classes and no more than Sturges' rule gives for
    the number of values (``1 + log2(n)``: 3 classes for 4 kecamatan, 5 for 16 and more); the values are grouped
    by Fisher-Jenks natural breaks and each limit between two classes is the roundest number between the
    largest value of one and the smallest of the next. A single distinct value is one class ``(v, v)``.

    >>> natural_classes([30.7, 37.2, 51.3, 93.5])
    [(30.0, 40.0), (40.0, 60.0), (60.0, 100.0)]
    """
    arr = np.sort(np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float))
    if not len(arr):
        return []
    uniq = np.unique(arr)
    if len(uniq) == 1:
        return [(float(uniq[0]), float(uniq[0]))]
    k = int(max(2, min(k, len(uniq), round(1 + math.log2(len(arr))))))
    cuts = _jenks(arr, k)  # the largest value of classes 1..k-1
    limits = []
    for c in cuts:
        nxt = float(arr[arr > c].min())
        limits.append(_roundest(c, nxt))
    lo_v, hi_v = float(arr[0]), float(arr[-1])
    first_hi = limits[0]
    last_lo = limits[-1]
    start = _roundest(lo_v - (first_hi - lo_v), lo_v + 1e-12 * max(abs(lo_v), 1.0), down=True)
    start = min(start, lo_v)
    end = _roundest(hi_v, hi_v + max(hi_v - last_lo, first_hi - start))
    edges = [start, *limits, end]
    return [(float(a), float(b)) for a, b in zip(edges, edges[1:])]


def assign_ranges(values: Sequence[float], ranges: Sequence[tuple[float, float]]) -> np.ndarray:
    """Class index of each value in :func:`few_classes` ranges (``lo == hi``: that value; else ``lo <= v < hi``); -1 if none."""
    arr = np.asarray(values, dtype=float)
    out = np.full(len(arr), -1, dtype=int)
    for i, (lo, hi) in enumerate(ranges):
        if lo == hi:
            hit = np.isclose(arr, lo, rtol=1e-12, atol=0.0)
        else:
            hit = (arr >= lo) & (arr < hi)
        out[(out < 0) & hit] = i
    return out


def range_labels(ranges: Sequence[tuple[float, float]], fmt: Callable[[float], str], unit: float | None = None) -> list[str]:
    """Legend labels that do not overlap: ``"a"`` for one-value classes, ``"a – b"`` with b one display ``unit`` below
    the next limit (the classes are ``lo <= v < hi``).

    When ``fmt`` rounds ``hi - unit`` back to ``hi`` (a format without decimals from 100 up: "100 – 200", "200 – 300"
    both printed 200), the unit is taken ten times larger until the printed upper limit is below ``hi``
    ("100 – 199", "200 – 299"); where no unit within the class does that, the class reads ``"a – < b"``.

    >>> range_labels([(100.0, 200.0), (200.0, 300.0)], lambda v: f"{v:.0f}", unit=0.1)
    ['100 – 199', '200 – 299']
    """
    out = []
    for lo, hi in ranges:
        if lo == hi:
            out.append(fmt(lo))
            continue
        u = unit if unit is not None else (hi - lo) / 10
        top = fmt(hi)
        upper = fmt(hi - u)
        while upper == top and u * 10 < hi - lo:
            u *= 10
            upper = fmt(hi - u)
        out.append(f"{fmt(lo)} – {upper}" if upper != top else f"{fmt(lo)} – < {top}")
    return out
