"""Grid coordinates on the map's border: metres on the projected grid, degrees (``°BT``/``°LU``) top and right."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

from pyproj import Transformer  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, _pt, nice_scale_length  # noqa: E402
from sppr_gis.text import angka  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


def _round_sig(v: float, sig: int = 2) -> float:
    if v <= 0:
        return v
    e = math.floor(math.log10(v)) - sig + 1
    return round(v / 10**e) * 10**e


def _nice_ticks(lo: float, hi: float, n: int) -> list[float]:
    span = hi - lo
    step = nice_scale_length(span / max(n, 1))
    start = math.ceil(lo / step) * step
    ticks = []
    v = start
    while v <= hi - step * 0.15:
        if v >= lo + step * 0.15:
            ticks.append(v)
        v += step
    return ticks


#: Graticule steps in minutes of arc, finest first.
_STEPS_MIN = (0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


def _two_or_more(lo: float, hi: float, ticks: list[float], n: int) -> list[float]:
    """``ticks``, or when they are fewer than two, the ticks of the first finer nice step that gives two."""
    m = n
    while len(ticks) < 2 and m < 8 * max(n, 1):
        m += 1
        ticks = _nice_ticks(lo, hi, m)
    return ticks


def _nice_degrees(lo: float, hi: float, n: int, finer: int = 0) -> list[float]:
    """Multiples of the coarsest nice step (:data:`_STEPS_MIN`) giving at most ``n`` intervals over ``lo``-``hi``;
    ``finer`` steps finer than that."""
    span = hi - lo
    i = len(_STEPS_MIN) - 1
    for j, s in enumerate(_STEPS_MIN):
        if span / (s / 60) <= n:
            i = j
            break
    step = _STEPS_MIN[max(0, i - finer)] / 60
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi:
        out.append(v)
        v += step
    return out


def _at_least_two(ticks: Callable[[list[float]], list[tuple[float, float]]], lo: float, hi: float, n: int) -> list[tuple[float, float]]:
    """The graticule labels of one side: ``ticks`` (positions kept clear of the corners) of the coarsest nice
    step over ``lo``-``hi`` (degrees) that gives at least two labels on the side, else the finest step's."""
    keep: list[tuple[float, float]] = []
    for finer in range(len(_STEPS_MIN)):
        keep = ticks(_nice_degrees(lo, hi, n, finer))
        if len(keep) >= 2:
            return keep
    return keep


def _dms(v: float, kind: str) -> str:
    hemi = ("BT" if v >= 0 else "BB") if kind == "lon" else ("LU" if v >= 0 else "LS")
    # rounded in tenths of a minute first, so that 105.99999 reads 106°00', never 105°60'
    tenths = round(abs(v) * 600)
    d, t = divmod(tenths, 600)
    if t % 10 == 0:
        return f"{d}°{t // 10:02d}' {hemi}"
    return f"{d}°{t / 10:04.1f}' {hemi}".replace(".", ",")


def add_coordinate_ticks(frame: MapFrame, n: int = 5) -> None:
    """Grid coordinates (metres, ``mT``/``mU``) bottom/left and geographic (``°BT``/``°LU``) top/right."""
    x0, y0, x1, y1 = frame._final_extent()
    ax = frame.ax
    xt = _nice_ticks(x0, x1, n)
    yt = _nice_ticks(y0, y1, n)
    # fewer grid labels where they would run into each other (a narrow map, long coordinates)
    pt_per_m = frame.ax.get_position().width * frame.fig.get_figwidth() * 72 / (x1 - x0)
    m = n
    while m > 2 and len(xt) > 1 and (xt[1] - xt[0]) * pt_per_m < 1.25 * 0.62 * _pt(6 * frame.k) * max(len(f"{angka(v, 0)} mT") for v in xt):
        m -= 1
        xt = _nice_ticks(x0, x1, m)
    # at least two labels on each side, whatever the map's shape (a short side gets a finer step)
    xt, yt = _two_or_more(x0, x1, xt, m), _two_or_more(y0, y1, yt, n)
    ax.set_xticks(xt, [f"{angka(v, 0)} mT" for v in xt])
    ax.set_yticks(yt, [f"{angka(v, 0)} mU" for v in yt])
    ax.tick_params(axis="both", labelsize=_pt(6 * frame.k), length=3, color=_INK, labelcolor=_INK, direction="in", top=True, right=True)
    for lab in ax.get_yticklabels():
        lab.set_rotation(90)
        lab.set_verticalalignment("center")
    ax.grid(True, color="#9aa5b1", linewidth=0.3, linestyle=":", alpha=0.8, zorder=0.5)
    ax.set_axisbelow(False)
    # geographic ticks
    try:
        to_geo = Transformer.from_crs(frame.crs, "EPSG:4326", always_xy=True)
        to_map = Transformer.from_crs("EPSG:4326", frame.crs, always_xy=True)
        lon_a, lat_a = to_geo.transform(x0, y1)
        lon_b, _ = to_geo.transform(x1, y1)
        lat_top = to_geo.transform((x0 + x1) / 2, y1)[1]

        def top_ticks(lons: list[float]) -> list[tuple[float, float]]:
            xs = [to_map.transform(lon, lat_top)[0] for lon in lons]
            return [(x, lo) for x, lo in zip(xs, lons) if x0 + 0.06 * (x1 - x0) < x < x1 - 0.06 * (x1 - x0)]

        keep = _at_least_two(top_ticks, min(lon_a, lon_b), max(lon_a, lon_b), n - 1)
        top = ax.secondary_xaxis("top")
        top.set_xticks([k[0] for k in keep], [_dms(k[1], "lon") for k in keep])
        top.tick_params(labelsize=_pt(6 * frame.k), length=3, direction="in", color=_INK, labelcolor="#444444")
        _, lat_a = to_geo.transform(x1, y0)
        _, lat_b = to_geo.transform(x1, y1)
        lon_right = to_geo.transform(x1, (y0 + y1) / 2)[0]

        def right_ticks(lats: list[float]) -> list[tuple[float, float]]:
            ys = [to_map.transform(lon_right, lat)[1] for lat in lats]
            return [(y, la) for y, la in zip(ys, lats) if y0 + 0.08 * (y1 - y0) < y < y1 - 0.08 * (y1 - y0)]

        keep = _at_least_two(right_ticks, min(lat_a, lat_b), max(lat_a, lat_b), n - 1)
        right = ax.secondary_yaxis("right")
        right.set_yticks([k[0] for k in keep], [_dms(k[1], "lat") for k in keep])
        right.tick_params(labelsize=_pt(6 * frame.k), length=3, direction="in", color=_INK, labelcolor="#444444")
        for lab in right.get_yticklabels():
            lab.set_rotation(-90)
            lab.set_verticalalignment("center")
    except Exception:  # pragma: no cover - geographic ticks are a nicety
        pass
