"""One map page of what a revision of the zoning changes (``sppr revisi --map``).

The page shows the polygons whose zone code changed (layer ``perubahan_zona``),
one colour per old -> new code pair (the largest pairs by area; the rest, often
digitizing slivers, together in grey), and the programs whose status or ITBX
class changed (``berubah``), in the colour of their new status, numbered and
listed beside the map with their old and new status. The page furniture is the
album's (:class:`~sppr_gis.maps.cartography.MapFrame`: title, legend, scale bar,
north arrow, inset, sources), A3 or A4 landscape.

>>> from sppr_gis.maps.revision_map import write_revision_map
>>> write_revision_map(result, "revisi.pdf", paper="A3")   # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely

matplotlib.use("Agg")

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sppr_gis import overlay
from sppr_gis.maps.cartography import (
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    place_callouts,
    place_labels,
)
from sppr_gis.maps.palette import RGB, STATUS_COLORS, STATUS_LABELS, Palette, mpl_color
from sppr_gis.text import angka
from sppr_gis.i18n import _

__all__ = ["MAX_PAIRS", "revision_map", "write_revision_map"]

#: Code pairs given a colour of their own (largest by area); the others are drawn together in grey.
MAX_PAIRS = 12
#: Pieces of at most this many m² are not kept clear of the scale bar (digitizing slivers).
EXTENT_MIN_AREA = 1.0
_OTHER = (150, 150, 150)
_STATUS_ORDER = ("tidak_sesuai", "perlu_kajian", "sesuai_bersyarat", "sesuai")


def _area(m2: float) -> str:
    return f"{angka(m2 / 1e4, 2)} ha" if m2 >= 100 else f"{angka(m2, 1)} m²"


def _status(s: object) -> str:
    return STATUS_LABELS.get(str(s), str(s)).split(" (")[0].lower() if isinstance(s, str) else "-"


def _anchor(geom: Any) -> tuple[float, float]:
    p = geom.point_on_surface() if shapely.get_dimensions(geom) == 2 else geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else geom.centroid
    return (p.x, p.y)


def revision_map(
    result: Any,
    *,
    title: str = "Peta Dampak Revisi Rencana Tata Ruang",
    subtitle: str | None = None,
    paper: str = "A3",
    dpi: int = 200,
    sources: Sequence[str] = (),
    zoning: gpd.GeoDataFrame | None = None,
    region: str | None = None,
    office: str | None = None,
    palette: Palette | Mapping[str, Any] | None = None,
) -> MapFrame:
    """The revision page of a :class:`~sppr_gis.revision.RevisionResult`, finished.

    Parameters
    ----------
    result : RevisionResult
        ``perubahan_zona``, ``perubahan_status`` (and ``zoning_baru`` for the background).
    title, subtitle : str
        Texts of the title block (the subtitle defaults to the counts).
    paper : str
        ``A3`` (default) or ``A4``, landscape.
    dpi : int
        Layout (and PNG) resolution.
    sources : sequence of str
        Source lines (``Zonasi lama: rdtr_2021.gpkg`` ...).
    zoning : GeoDataFrame, optional
        The new zoning for the background (default ``result.zoning_baru``).
    region, office : str, optional
        Region name (inset title) and the preparing office.
    palette : Palette or mapping, optional
        Zone colours (the album's): a changed polygon is filled with its new code's colour and hatched in its old code's.

    Returns
    -------
    MapFrame
        ``frame.data`` holds ``pairs`` (code pair -> pieces drawn), ``berubah`` (program ids numbered on the map).

    Raises
    ------
    ValueError
        Nothing to draw (no zoning, no changed polygon, no program with a geometry) or an unknown paper.
    """
    changed = result.perubahan_zona
    status = result.perubahan_status
    crs = result.crs
    z = zoning if zoning is not None else getattr(result, "zoning_baru", None)
    changed = changed[~(changed.geometry.isna() | changed.geometry.is_empty)]
    st_ok = status[~(status.geometry.isna() | status.geometry.is_empty)]
    moved = st_ok[st_ok["berubah"].astype(bool)]
    n_moved = int(status["berubah"].astype(bool).sum())
    # pairs by area, largest first
    pairs = changed.assign(_pair=changed["kode_lama"].astype(str) + " → " + changed["kode_baru"].astype(str))
    by_area = pairs.groupby("_pair")["luas_m2"].sum().sort_values(ascending=False, kind="stable")
    if subtitle is None:
        subtitle = (
            f"{n_moved} dari {len(status)} program berubah status/kelas ITBX · "
            f"{_area(float(by_area.sum()))} berubah kode zona ({len(by_area)} pasangan kode)"
        )
    frame = MapFrame(title, crs=crs, subtitle=subtitle, number=None, dpi=dpi, paper=paper, region=region, office=office, table_width=0.18 if len(moved) else 0.0)
    frame.set_extent(_extent(z, st_ok, changed), pad=0.04)
    context = _background(frame, z, crs)
    secs, drawn, colors = _changed_zones(frame, pairs, by_area, palette)
    same = st_ok[~st_ok["berubah"].astype(bool)]
    secs += _programs(frame, same, moved)
    if context is not None:
        secs.append(LegendSection("Zonasi baru", [Patch(facecolor=mpl_color((243, 239, 228)), edgecolor="#9a9a9a", linewidth=0.5)], ["Batas zona (latar)"]))
    frame.add_legend(secs)
    frame.data = {"pairs": drawn, "berubah": frame.data.get("berubah", []), "colors": colors}
    notes = [
        *sources,
        "Analisis: sppr revisi (layer perubahan_zona dan perubahan_status). Poligon berubah: isi = warna zona baru, arsir = warna zona lama; "
        "warna program = status sesudah revisi.",
    ]
    if getattr(frame.ax, "_sppr_unnumbered", 0):  # numbers the map could not print legibly: keyed in the table only
        notes.append(f"{frame.ax._sppr_unnumbered} program tidak bernomor di peta karena padat; lihat tabel.")
    big = changed[changed["luas_m2"] > EXTENT_MIN_AREA]
    frame.finish(notes, avoid=pd.concat([g for g in (big, moved) if len(g)]) if len(big) or len(moved) else None, context=context)
    return frame


def _extent(z: gpd.GeoDataFrame | None, programs: gpd.GeoDataFrame, changed: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The map's extent: the whole city (the new zoning) and every program and changed polygon.

    Raises
    ------
    ValueError
        Nothing has a geometry.
    """
    parts = [g for g in (z, programs, changed) if g is not None and len(g)]
    bounds = [g.geometry[~(g.geometry.isna() | g.geometry.is_empty)].total_bounds for g in parts]
    bounds = [b for b in bounds if np.all(np.isfinite(b))]
    if not bounds:
        raise ValueError(_("nothing to map: no changed polygon and no program with a geometry"))
    b = np.array(bounds)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def _background(frame: MapFrame, z: gpd.GeoDataFrame | None, crs: Any) -> gpd.GeoDataFrame | None:
    """The new zoning as land with its zone boundaries; returns the region (for the inset) or None."""
    if z is None or not len(z):
        return None
    zz = z[~(z.geometry.isna() | z.geometry.is_empty)]
    land = overlay.union_all(overlay.make_valid(np.asarray(zz.geometry.array, dtype=object), what="zoning"), what="zoning")
    context = gpd.GeoDataFrame(geometry=[land.simplify(5)], crs=crs)
    context.plot(ax=frame.ax, color=mpl_color((243, 239, 228)), edgecolor="none", zorder=0.6)
    zz.boundary.plot(ax=frame.ax, color="#9a9a9a", linewidth=0.35, zorder=1)
    return context


def _changed_zones(
    frame: MapFrame, pairs: gpd.GeoDataFrame, by_area: pd.Series, palette: Palette | Mapping[str, Any] | None,
) -> tuple[list[LegendSection], dict[str, int], dict[str, tuple[RGB, RGB]]]:
    """Changed polygons, filled with the new code's zone colour and hatched in the old code's (was -> is), the
    :data:`MAX_PAIRS` largest pairs in colour and the rest grey; the pair printed on pieces large enough."""
    ax = frame.ax
    named = list(by_area.index[:MAX_PAIRS])
    rest = list(by_area.index[MAX_PAIRS:])
    pal = palette if isinstance(palette, Palette) else Palette(palette)
    zcol = pal.colors(sorted(set(pairs["kode_lama"].astype(str)) | set(pairs["kode_baru"].astype(str))))
    first = pairs.drop_duplicates("_pair").set_index("_pair")
    colors: dict[str, tuple[RGB, RGB]] = {k: (zcol[str(first.loc[k, "kode_baru"])], zcol[str(first.loc[k, "kode_lama"])]) for k in named}

    def style(key: str) -> dict[str, Any]:
        new_c, old_c = colors.get(key, (_OTHER, (90, 90, 90)))
        return {"facecolor": (*mpl_color(new_c), 0.85), "edgecolor": tuple(0.75 * c for c in mpl_color(old_c)), "hatch": "//" if key in colors else None}

    drawn: dict[str, int] = {}
    with matplotlib.rc_context({"hatch.linewidth": 0.9}):
        for key in reversed(named + (["_lain"] if rest else [])):
            sel = pairs[pairs["_pair"] == key] if key != "_lain" else pairs[pairs["_pair"].isin(rest)]
            sel.plot(ax=ax, linewidth=0.8, zorder=2, gid=f"perubahan-zona:{key}", **style(key))
            drawn[key] = len(sel)
    hs: list[Any] = [Patch(linewidth=0.8, **style(k)) for k in named]
    ls = [f"{k} ({_area(float(by_area[k]))})" for k in named]
    if rest:
        hs.append(Patch(linewidth=0.8, **style("_lain")))
        ls.append(f"{len(rest)} pasangan lain ({_area(float(by_area[rest].sum()))})")
    # the pair printed on the pieces large enough to hold it
    big_pieces = pairs[pairs["_pair"].isin(named)].sort_values("luas_m2", ascending=False)
    mpp = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent().width * 72.0 / frame.fig.dpi)
    big_pieces = big_pieces[big_pieces["luas_m2"] > (40 * mpp) ** 2]
    pts = [g.point_on_surface() for g in big_pieces.geometry]
    fs = 6.5 * frame.k
    # beside the piece's inner point rather than on it, where a program often sits
    offsets = [(0, 2.2 * fs), (0, -2.2 * fs), (0, 3.6 * fs), (0, -3.6 * fs), (0, 0)]
    for t in place_labels(ax, [(q.x, q.y) for q in pts], list(big_pieces["_pair"]), fontsize=fs, weight="bold", zorder=7, offsets=offsets):
        t.set_gid("perubahan-zona-label")
    return ([LegendSection("Perubahan kode zona (lama → baru)", hs, ls)] if hs else []), drawn, colors


def _programs(frame: MapFrame, same: gpd.GeoDataFrame, moved: gpd.GeoDataFrame) -> list[LegendSection]:
    """Programs: unchanged ones small and grey, changed ones in their new status' colour, numbered and listed
    beside the map (``frame.data["berubah"]``: the program ids numbered)."""
    ax = frame.ax
    secs = []
    if len(same):
        draw_by_category(ax, same.assign(_o="tetap"), "_o", {"tetap": (165, 165, 165)}, point_size=10, line_width=1.0, polygon_alpha=0.2, zorder=4)
    numbered: list[str] = []
    if len(moved):
        draw_by_category(ax, moved, "status_baru", STATUS_COLORS, order=_STATUS_ORDER, point_size=34, line_width=2.6, zorder=6)
        order = sorted(range(len(moved)), key=lambda i: str(moved["program_id"].iloc[i]))
        rows = []
        for n, i in enumerate(order, start=1):
            row = moved.iloc[i]
            keg = str(row.get("kegiatan") or "").replace("_", " ")
            ia, ib = row.get("itbx_lama"), row.get("itbx_baru")
            itbx = f" (ITBX {ia if isinstance(ia, str) else '-'} → {ib if isinstance(ib, str) else '-'})" if ia != ib else ""
            rows.append((str(n), f"{row['program_id']} {keg}: {_status(row['status_lama'])} → {_status(row['status_baru'])}{itbx}"))
        shown = frame.add_table("Program yang berubah", rows, more="lihat layer perubahan_status")
        numbered = [str(moved["program_id"].iloc[order[k]]) for k in range(shown)]
        cols = [mpl_color(STATUS_COLORS.get(str(moved["status_baru"].iloc[order[k]]), (40, 40, 40))) for k in range(shown)]
        place_callouts(ax, [_anchor(moved.geometry.iloc[order[k]]) for k in range(shown)], [str(k + 1) for k in range(shown)], colors=cols, fontsize=5.5 * frame.k, gid="berubah")
        cnt = moved["status_baru"].astype(str).value_counts().to_dict()
        h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, cnt, kind="mixed", order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
        h = [x for x, t in zip(h, lab) if not t.endswith("(0)")]
        lab = [t for t in lab if not t.endswith("(0)")]
        secs.append(LegendSection("Program berubah (status baru)", h, lab))
    if len(same):
        secs.append(LegendSection("Program lain", [Line2D([], [], marker="o", linestyle="", markersize=4, markerfacecolor=mpl_color((165, 165, 165)), markeredgecolor="#1a1a1a", markeredgewidth=0.5)], [f"Status dan kelas ITBX tetap ({len(same)})"]))
    frame.data["berubah"] = numbered
    return secs


def write_revision_map(result: Any, out: str | os.PathLike[str], *, target: str | os.PathLike[str] | None = None, dpi: int = 200, **kw: Any) -> Path:
    """Render :func:`revision_map` to ``out`` (PNG or PDF by the suffix of ``target`` or ``out``).

    ``target`` is the final name when ``out`` is a staging file beside it (the
    CLI writes the map and the GeoPackage together). PDF fonts are TrueType (no Type 3).

    Returns
    -------
    Path
    """
    out = Path(out)
    fmt = Path(target or out).suffix.lower().lstrip(".")
    if fmt not in ("png", "pdf"):
        raise ValueError(_("{target}: the map is written as .png or .pdf").format(target=target or out))
    frame = revision_map(result, dpi=dpi, **kw)
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
        frame.fig.savefig(out, format=fmt, dpi=dpi, metadata={"Creator": "sppr_gis"} if fmt == "pdf" else None, **({"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}))
    frame.fig.clear()
    return out
