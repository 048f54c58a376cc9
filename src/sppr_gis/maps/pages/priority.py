"""Album page: the programs in the priority areas."""

from __future__ import annotations

import logging

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    geometry_type_legend,
    place_labels,
    rupiah,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import (  # noqa: E402
    STATUS_ORDER,
    _code_only,
    _counts,
    _pagu,
    name_field,
)
from sppr_gis.maps.palette import (  # noqa: E402
    STATUS_COLORS,
    STATUS_LABELS,
    distinct_colors,
    mpl_color,
)

log = logging.getLogger(__name__)


def _programs_in(r: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """Index of the first area each program intersects (NaN if none), aligned with ``r``."""
    ok = r[~(r.geometry.isna() | r.geometry.is_empty)]
    a = gpd.GeoDataFrame({"_area": np.arange(len(areas))}, geometry=areas.geometry.values, crs=areas.crs)
    j = gpd.sjoin(ok[[ok.geometry.name]], a, how="left", predicate="intersects")
    j = j[~j.index.duplicated(keep="first")]
    return j["_area"].reindex(r.index)


def page_priority(album: Album) -> MapFrame | None:
    kp = album.L.get("kawasan_prioritas")
    if kp is None:
        return None
    r = album.L.get("rencana")
    nf = name_field(kp, "area")
    names = kp[nf].astype(str).tolist() if nf else [f"Kawasan {i + 1}" for i in range(len(kp))]
    inside = _programs_in(r, kp) if r is not None else pd.Series(dtype=object)
    f = album.frame("Peta Program di Kawasan Prioritas", f"{len(kp)} kawasan · {int(inside.notna().sum())} program di dalamnya")
    album.city_extent(f)
    album.zoning(f, 0.25)
    album.admin(f, labels=False)
    strong = [(200, 0, 120), (90, 40, 170), (0, 120, 140), (170, 85, 0), (40, 40, 40), (120, 120, 0)]
    colors = {n: strong[i] for i, n in enumerate(dict.fromkeys(names)) if i < len(strong)}
    extra = [n for n in dict.fromkeys(names) if n not in colors]
    if extra:
        colors.update(distinct_colors(extra, avoid=list(colors.values()) + list(STATUS_COLORS.values()), min_distance=30))
    for name, geom in zip(names, kp.geometry):
        if geom is None or geom.is_empty:
            continue
        col = mpl_color(colors[name])
        gpd.GeoSeries([geom], crs=album.crs).plot(ax=f.ax, facecolor=(*col, 0.12), edgecolor=col, linewidth=2.0, hatch="//", zorder=2.5)
    dims: dict[int, int] = {}
    if r is not None:
        mask = inside.notna().to_numpy()
        outside = r[~mask]
        if len(outside):
            dims = dict(draw_by_category(f.ax, outside.assign(_o="luar"), "_o", {"luar": (175, 175, 175)}, point_size=14, line_width=1.4, polygon_alpha=0.45, zorder=4))
        if "status" in r.columns:
            for d, n in draw_by_category(f.ax, r[mask], "status", STATUS_COLORS, order=STATUS_ORDER, point_size=30, line_width=2.4, zorder=6).items():
                dims[d] = dims.get(d, 0) + n  # the key names every kind drawn, inside the kawasan or not
    pts = kp.geometry.representative_point()
    place_labels(f.ax, [(p.x, p.y) for p in pts], names, fontsize=7.5, weight="bold", color="#111111")
    kh, kl = [], []
    for i, name in enumerate(names):
        sel = r.loc[inside[inside == i].index] if r is not None and len(inside) else None
        kh.append(Patch(facecolor=(*mpl_color(colors[name]), 0.15), edgecolor=mpl_color(colors[name]), linewidth=1.5, hatch="//"))
        kl.append(f"{_code_only(name, 44)}\n{0 if sel is None else len(sel)} program, {rupiah(_pagu(sel)) if sel is not None and len(sel) else 'Rp 0'}")
    secs = [LegendSection("Kawasan prioritas", kh, kl)]
    if r is not None and "status" in r.columns:
        h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(r[inside.notna().to_numpy()], "status"), kind="mixed", order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
        h.append(Line2D([], [], marker="o", linestyle="", markersize=5, markerfacecolor=mpl_color((175, 175, 175)), markeredgecolor="#1a1a1a", markeredgewidth=0.6))
        lab.append(f"Program di luar kawasan ({int(inside.isna().sum())})")
        secs.append(LegendSection("Status kesesuaian program di kawasan", h, lab))
        gh, gl = geometry_type_legend(list(dims) or [0, 1, 2])
        secs.append(LegendSection("Bentuk lokasi", gh, gl))
    secs.append(album.admin_section())
    secs.append(album.background_section(0.25))
    f.add_legend([x for x in secs if x])
    return album.finish(f, avoid=r, note="Program dihitung di dalam kawasan bila berpotongan dengan batas kawasan.", shows=("kawasan_prioritas", "rencana", "kecamatan"))
