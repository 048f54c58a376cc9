"""Grid coordinates on the map's border: metres on the projected grid, degrees (``°BT``/``°LU``) top and right."""

from __future__ import annotations

import math
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


def _nice_degrees(lo: float, hi: float, n: int) -> list[float]:
    span = hi - lo
    steps_min = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600]  # minutes
    step = steps_min[-1] / 60
    for s in steps_min:
        if span / (s / 60) <= n:
            step = s / 60
            break
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi:
        out.append(v)
        v += step
    return out


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
        lons = _nice_degrees(min(lon_a, lon_b), max(lon_a, lon_b), n - 1)
        xs = [to_map.transform(lon, to_geo.transform((x0 + x1) / 2, y1)[1])[0] for lon in lons]
        top = ax.secondary_xaxis("top")
        keep = [(x, lo) for x, lo in zip(xs, lons) if x0 + 0.06 * (x1 - x0) < x < x1 - 0.06 * (x1 - x0)]
        top.set_xticks([k[0] for k in keep], [_dms(k[1], "lon") for k in keep])
        top.tick_params(labelsize=_pt(6 * frame.k), length=3, direction="in", color=_INK, labelcolor="#444444")
        _, lat_a = to_geo.transform(x1, y0)
        _, lat_b = to_geo.transform(x1, y1)
        lats = _nice_degrees(min(lat_a, lat_b), max(lat_a, lat_b), n - 1)
        ys = [to_map.transform(to_geo.transform(x1, (y0 + y1) / 2)[0], lat)[1] for lat in lats]
        right = ax.secondary_yaxis("right")
        keep = [(y, la) for y, la in zip(ys, lats) if y0 + 0.08 * (y1 - y0) < y < y1 - 0.08 * (y1 - y0)]
        right.set_yticks([k[0] for k in keep], [_dms(k[1], "lat") for k in keep])
        right.tick_params(labelsize=_pt(6 * frame.k), length=3, direction="in", color=_INK, labelcolor="#444444")
        for lab in right.get_yticklabels():
            lab.set_rotation(-90)
            lab.set_verticalalignment("center")
    except Exception:  # pragma: no cover - geographic ticks are a nicety
        pass
