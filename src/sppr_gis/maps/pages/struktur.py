"""Album page: struktur ruang (networks by class) and the year's network programs against the planned network."""

from __future__ import annotations

import logging
import math

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    draw_outline,
    geometry_type_legend,
    split_by_dimension,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import _counts, _first  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    mpl_color,
)
from sppr_gis.text import angka  # noqa: E402

log = logging.getLogger(__name__)


#: ``status_struktur`` of network programs on the struktur ruang map (not the networks' own colours).
STRUKTUR_COLORS: dict[str, RGB] = {"sesuai": (0, 170, 80), "sebagian": (245, 150, 0), "di_luar_rencana": (225, 0, 120)}


#: Their legend entries, under the title "Program <tahun> terhadap jaringan rencana" (which names what they are
#: measured against: the entries stay one line in an A4 panel's column).
STRUKTUR_LABELS: dict[str, str] = {
    "sesuai": "Sesuai (porsi ≥ 90%)",
    "sebagian": "Sebagian",
    "di_luar_rencana": "Di luar rencana",
}


def page_struktur(album: Album) -> MapFrame | None:
    roads = album.L.get("struktur_ruang")
    if roads is None:
        return None
    sf = _first(roads, ("STSJRN", "status"))
    n_plan = int(roads[sf].astype(str).str.lower().str.contains("rencana").sum()) if sf else 0
    km = float(roads.geometry.length.sum()) / 1000
    r = album.L.get("rencana")
    assessed = r[r["status_struktur"].isin(list(STRUKTUR_COLORS))] if r is not None and "status_struktur" in r.columns else None
    if assessed is not None and not len(assessed):
        assessed = None
    sub = f"{len(roads)} ruas jaringan ({angka(km, 1)} km)" + (f", {n_plan} rencana" if sf else "")
    if assessed is not None:
        sc = _counts(assessed, "status_struktur")
        sub += f"\n{len(assessed)} program jaringan {album.year}: " + ", ".join(f"{sc.get(k, 0)} {w}" for k, w in (("sesuai", "sesuai"), ("sebagian", "sebagian"), ("di_luar_rencana", "di luar rencana")))
    f = album.frame("Peta Rencana Struktur Ruang", sub)
    album.city_extent(f)
    album.land(f)
    draw_outline(f.ax, album.L.get("kelurahan"), color="#8a8a8a", linewidth=0.45, linestyle=":", zorder=3, under=album.L.get("kecamatan"), under_linewidth=1.0)
    album.admin(f, labels=False)
    sec = album.network(f, labels=False)
    adm = album.admin_section()
    if adm and "kelurahan" in album.L:
        adm.handles.append(Line2D([], [], color="#8a8a8a", linewidth=0.6, linestyle=":"))
        adm.labels.append("Batas kelurahan")
    note = "Lebar garis menurut hierarki jaringan; garis putus-putus: rencana. Nama ruas dari atribut NAMOBJ."
    secs = [sec, adm]
    if assessed is not None:
        secs.insert(0, struktur_programs(album, f, assessed))
        gh, gl = geometry_type_legend(sorted(f.data["struktur_dims"]))  # the kinds drawn (points, lines, areas)
        secs.insert(1, LegendSection("Bentuk lokasi program", gh, gl))
        note += " Program jaringan diberi warna menurut porsi lokasinya pada jaringan rencana kelasnya (status_struktur)."
    # the names after every line is drawn, clear of them: the planned networks' first, then the kecamatan names, then
    # the other networks' (a name that does not fit along its line is numbered, keyed in the legend)
    album.network_names(f, stage="planned")
    kec = album.kec_names(f)
    n_kec = len(album.L["kecamatan"]) if "kecamatan" in album.L and album.kec_field else 0
    if len(kec) < n_kec and f.data.get("network_planned_labels"):
        # a kecamatan name gave way to a planned network's: the kecamatan names first where that names more of them,
        # the planned networks' then (numbered where no room is left along their lines)
        for t in [*kec, *f.data["network_planned_labels"]]:
            t.remove()
        again = album.kec_names(f)
        if len(again) <= len(kec):  # no better: as first placed (the placement is deterministic)
            for t in again:
                t.remove()
            album.network_names(f, stage="planned")
            album.kec_names(f)
        else:
            album.network_names(f, stage="planned")
    names = album.network_names(f, stage="rest")
    if names is not None and f.paper == "A4":  # the legend beside an A4 map has no room for the key: in the note
        note += " Ruas yang namanya tidak muat di sepanjang garisnya diberi nomor: " + "; ".join(" ".join(t.split()) for t in names.labels) + "."
    elif names is not None:
        secs.insert(secs.index(sec) + 1, names)
        note += " Ruas yang namanya tidak muat di sepanjang garisnya diberi nomor; lihat legenda."
    unnamed = f.data.get("network_unnamed")
    if unnamed:
        note += f" {len(unnamed)} ruas tanpa nama di peta karena padat: " + ", ".join(unnamed) + "."
    f.add_legend([s for s in secs if s])
    return album.finish(f, avoid=roads, note=note, shows=("struktur_ruang", "rencana", "kecamatan", "kelurahan"))


def struktur_programs(album: Album, f: MapFrame, assessed: gpd.GeoDataFrame) -> LegendSection:
    """The year's network programs on the struktur ruang map, coloured by ``status_struktur``: a broad
    translucent casing under lines (so the planned network stays readable through it), circles for points,
    outlines for areas; di_luar_rencana drawn last, on top."""
    k = math.sqrt(f.k)
    drawn: dict[str, int] = {}
    dims: set[int] = set()
    for status in reversed(list(STRUKTUR_COLORS)):
        grp = assessed[assessed["status_struktur"] == status]
        if not len(grp):
            continue
        col = mpl_color(STRUKTUR_COLORS[status])
        n = 0
        for dim, part in split_by_dimension(grp).items():
            n += len(part)
            dims.add(int(dim))
            if dim == 1:
                part.plot(ax=f.ax, color="white", linewidth=10 * k, zorder=5.4, capstyle="round")
                part.plot(ax=f.ax, color=(*col, 0.75), linewidth=8 * k, zorder=5.5, capstyle="round", gid=f"struktur:{status}")
            elif dim == 0:
                part.plot(ax=f.ax, color=col, markersize=40 * f.k, edgecolor="#1a1a1a", linewidth=0.7, zorder=6.5, gid=f"struktur:{status}")
            else:
                part.plot(ax=f.ax, facecolor=(*col, 0.3), edgecolor=col, linewidth=1.6, zorder=5.5, gid=f"struktur:{status}")
        drawn[status] = n
    f.data["struktur"] = drawn
    f.data["struktur_dims"] = dims
    cnt = _counts(assessed, "status_struktur")
    hs = [Line2D([], [], color=mpl_color(STRUKTUR_COLORS[s]), alpha=0.75, linewidth=6, solid_capstyle="round") for s in STRUKTUR_COLORS]
    ls = [f"{STRUKTUR_LABELS[s]} ({cnt.get(s, 0)})" for s in STRUKTUR_COLORS]
    return LegendSection(f"Program {album.year} terhadap jaringan rencana", hs, ls)
