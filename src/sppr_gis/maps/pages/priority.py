"""Album page: the programs in the priority areas."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    geometry_type_legend,
    pagu_text,
)
from sppr_gis.maps.cartography.enlarge import enlargement_note  # noqa: E402
from sppr_gis.maps.pages.base import Album, names_inside  # noqa: E402
from sppr_gis.maps.pages.common import (  # noqa: E402
    STATUS_ORDER,
    _code_only,
    _counts,
    name_field,
    name_forms,
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


def kawasan_forms(name: str) -> list[str]:
    """A kawasan's name as it may be printed inside its area: on one line, two (:func:`name_forms`), or three
    lines of nearly equal length (a long name in a small area).

    >>> kawasan_forms("Kawasan Kota Lama Tanjungpinang")[-1]
    'Kawasan\\nKota Lama\\nTanjungpinang'
    """
    forms = name_forms(name)
    words = str(name).split()
    if len(words) > 2:
        def width(cut: tuple[int, int]) -> int:
            a, b = cut
            return max(len(" ".join(words[:a])), len(" ".join(words[a:b])), len(" ".join(words[b:])))

        a, b = min(((a, b) for a in range(1, len(words) - 1) for b in range(a + 1, len(words))), key=width)
        forms.append("\n".join((" ".join(words[:a]), " ".join(words[a:b]), " ".join(words[b:]))))
    return forms


def _ink(rgb: tuple[int, int, int]) -> str:
    """A kawasan's colour, darkened to a text ink (at least as dark as its edge)."""
    r, g, b = (int(v * 0.8) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def page_priority(album: Album) -> MapFrame | None:
    """Peta Program di Kawasan Prioritas: the kawasan hatched in their colours and named inside their own area
    (:func:`~sppr_gis.maps.pages.base.names_inside`), the programs inside them by conformance status and
    numbered (their one number of Peta 4, keyed in the list beside the map or on its Lampiran sheet), the
    programs outside them grey.

    Parameters
    ----------
    album : Album
        The prepared album (``kawasan_prioritas``, optionally ``rencana`` with ``status``).

    Returns
    -------
    MapFrame or None
        The page; None without a ``kawasan_prioritas`` layer.
    """
    kp = album.L.get("kawasan_prioritas")
    if kp is None:
        return None
    r = album.L.get("rencana")
    nf = name_field(kp, "area")
    names = kp[nf].astype(str).tolist() if nf else [f"Kawasan {i + 1}" for i in range(len(kp))]
    inside = _programs_in(r, kp) if r is not None else pd.Series(dtype=object)
    mask = inside.notna().to_numpy() if r is not None else np.zeros(0, dtype=bool)
    # the programs inside a kawasan are numbered and listed (review s6: they had no numbers)
    f = album.frame("Peta Program di Kawasan Prioritas", f"{len(kp)} kawasan · {int(mask.sum())} program di dalamnya", table=bool(mask.any()))
    album.city_extent(f)
    album.zoning(f, 0.25)
    album.admin(f, labels=False)
    strong = [(200, 0, 120), (90, 40, 170), (0, 120, 140), (170, 85, 0), (40, 40, 40), (120, 120, 0)]
    colors = {n: strong[i] for i, n in enumerate(dict.fromkeys(names)) if i < len(strong)}
    extra = [n for n in dict.fromkeys(names) if n not in colors]
    if extra:
        colors.update(distinct_colors(extra, avoid=list(colors.values()) + list(STATUS_COLORS.values()), min_distance=30))

    def areas(ax: Any) -> None:
        for name, geom in zip(names, kp.geometry):
            if geom is None or geom.is_empty:
                continue
            col = mpl_color(colors[name])
            gpd.GeoSeries([geom], crs=album.crs).plot(ax=ax, facecolor=(*col, 0.12), edgecolor=col, linewidth=2.0, hatch="//", zorder=2.5)

    def programs(ax: Any) -> dict[int, int]:
        dims: dict[int, int] = {}
        if r is None:
            return dims
        outside = r[~mask]
        if len(outside):
            dims = dict(draw_by_category(ax, outside.assign(_o="luar"), "_o", {"luar": (175, 175, 175)}, point_size=14, line_width=1.4, polygon_alpha=0.45, zorder=4))
        if "status" in r.columns:
            for d, n in draw_by_category(ax, r[mask], "status", STATUS_COLORS, order=STATUS_ORDER, point_size=30, line_width=2.4, zorder=6).items():
                dims[d] = dims.get(d, 0) + n  # the key names every kind drawn, inside the kawasan or not
        else:
            for d, n in draw_by_category(ax, r[mask].assign(_i="di dalam"), "_i", {"di dalam": (37, 99, 235)}, point_size=30, line_width=2.4, zorder=6).items():
                dims[d] = dims.get(d, 0) + n
        return dims

    areas(f.ax)
    dims = programs(f.ax)
    # each name inside its own kawasan, clear of the program symbols and lines (review s6: the names, centred on a
    # point of the area, ran out of it); before the numbers, which then keep clear of the names. A kawasan too small
    # for its name at 7 pt gets its short tag (KP1, KP2 ...) inside instead, the legend pairing tag and name
    inks = [_ink(colors[n]) for n in names]
    placed = names_inside(f.ax, list(kp.geometry), names, symbols=album.symbols_on(f.ax), sizes=(7.5, MIN_PT), color=inks, style="normal",
                          weight="bold", gid="kawasan-label", forms=kawasan_forms)
    printed = {" ".join(t.get_text().split()) for t in placed}
    tags = {n: f"KP{i + 1}" for i, n in enumerate(dict.fromkeys(names))}
    short = [n for n in dict.fromkeys(names) if " ".join(n.split()) not in printed]
    if short:
        todo = [i for i, n in enumerate(names) if n in short]
        placed += names_inside(f.ax, [kp.geometry.iloc[i] for i in todo], [tags[names[i]] for i in todo], symbols=album.symbols_on(f.ax),
                               sizes=(7.5, MIN_PT), color=[inks[i] for i in todo], style="normal", weight="bold", gid="kawasan-label")
    printed = {" ".join(t.get_text().split()) for t in placed}
    unnamed = [n for n in dict.fromkeys(names) if " ".join(n.split()) not in printed and tags[n] not in printed]
    f.data["kawasan_tags"] = {n: tags[n] for n in short if tags[n] in printed}
    f.data["kawasan_unnamed"] = unnamed
    listed = None
    if r is not None and mask.any():
        geo = r[mask]

        def draw(ax: Any) -> None:  # the map's layers in an enlargement of a dense centre
            fr = SimpleNamespace(ax=ax, k=f.k, fig=f.fig)
            album.zoning(fr, 0.25)
            album.admin(fr, labels=False)
            areas(ax)
            programs(ax)
            names_inside(ax, list(kp.geometry), names, symbols=album.symbols_on(ax), sizes=(7.5, MIN_PT), color=inks, style="normal",
                         weight="bold", gid="kawasan-label", forms=kawasan_forms)

        listed = album.program_callouts(f, geo, draw=draw)
    kh, kl = [], []
    for i, name in enumerate(names):
        sel = r.loc[inside[inside == i].index] if r is not None and len(inside) else None
        kh.append(Patch(facecolor=(*mpl_color(colors[name]), 0.15), edgecolor=mpl_color(colors[name]), linewidth=1.5, hatch="//"))
        tag = f"{f.data['kawasan_tags'][name]} · " if name in f.data["kawasan_tags"] else ""
        n = 0 if sel is None else len(sel)
        # a pagu not recorded is not Rp 0 (review s7); a kawasan without programs has no pagu to state
        pagu = f", {pagu_text(sel['pagu'] if 'pagu' in sel.columns else None)}" if sel is not None and n else ""
        kl.append(f"{tag}{_code_only(name, 44)}\n{n} program{pagu}")
    secs = [LegendSection("Kawasan prioritas", kh, kl)]
    if r is not None and "status" in r.columns:
        h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(r[mask], "status"), kind="mixed", order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
        h.append(Line2D([], [], marker="o", linestyle="", markersize=5, markerfacecolor=mpl_color((175, 175, 175)), markeredgecolor="#1a1a1a", markeredgewidth=0.6))
        lab.append(f"Program di luar kawasan ({int(inside.isna().sum())}; tanpa nomor)")
        secs.append(LegendSection("Status kesesuaian program di kawasan", h, lab))
        gh, gl = geometry_type_legend(list(dims) or [0, 1, 2])
        secs.append(LegendSection("Bentuk lokasi", gh, gl))
    secs.append(listed)
    secs.append(album.admin_section())
    secs.append(album.background_section(0.25))
    f.add_legend([x for x in secs if x])
    note = "Program dihitung di dalam kawasan bila berpotongan dengan batas kawasan."
    if mask.any():
        where = f"Peta {album.conformance_page}" if album.conformance_page else "Peta Kesesuaian"
        note += f" Nomor pada peta = nomor program pada {where} dan Buku Matriks (lembar Kesesuaian)." + enlargement_note(f.ax)
    if f.data["kawasan_tags"]:
        note += " Kawasan yang terlalu kecil untuk namanya diberi kode (KP1 ...) di dalamnya; namanya pada legenda."
    if unnamed:
        note += f" Tanpa nama atau kode di peta (tidak ada ruang di dalam kawasannya; lihat warna pada legenda): {', '.join(unnamed)}."
    return album.finish(f, avoid=r, note=note, shows=("kawasan_prioritas", "rencana", "kecamatan"))
