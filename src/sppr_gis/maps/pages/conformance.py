"""Album page: conformance of the year's programs with the zoning, with the relocation advice."""

from __future__ import annotations

import logging
import math
import textwrap
from types import SimpleNamespace
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    TABLE_HEADING,
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    geometry_type_legend,
    place_labels,
)
from sppr_gis.maps.cartography.enlarge import enlargement_note, numbered_callouts  # noqa: E402
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import STATUS_ORDER, UNLOCATED_HEADING, _anchor, _counts  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    STATUS_COLORS,
    STATUS_LABELS,
    mpl_color,
)
from sppr_gis.text import angka, nomenklatur  # noqa: E402

log = logging.getLogger(__name__)


#: Relocation advice leaders and targets (a dark teal, apart from the status colours and the zones).
RELOCATION_COLOR: RGB = (0, 95, 115)


def page_conformance(album: Album) -> MapFrame | None:
    r = album.L.get("rencana")
    if r is None or "status" not in r.columns:
        return None
    n = len(r)
    cnt = _counts(r, "status")
    sub = f"{n} program · " + ", ".join(f"{cnt.get(s, 0)} {STATUS_LABELS[s].split(' (')[0].lower()}" for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
    f = album.frame("Peta Kesesuaian Program terhadap Rencana Tata Ruang", sub, table=True)
    album.conformance_page = album.number
    album.city_extent(f)
    album.zoning(f, 0.4)
    album.admin(f, labels=False)
    # a white casing around every symbol: a tidak sesuai program stays visible on a pink (K) zone
    dims = draw_by_category(f.ax, r, "status", STATUS_COLORS, order=STATUS_ORDER, halo=True)
    # the statuses of the programs only: a class no program falls in is not keyed (review s9: "Perlu kajian (0)")
    order = tuple(s for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian") if cnt.get(s, 0))
    h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, None, order=order, kind="mixed")
    lab = [_count_label(label, cnt.get(s, 0), _unlocated_counts(r).get(s, 0)) for s, label in zip([s for s in order if s in STATUS_COLORS], lab)]
    gh, gl = geometry_type_legend(list(dims))
    reloc = relocation(album, f, r)
    numbered_programs(f, r, album=album)
    # after the program lines and their numbers (a dense map: every program numbered with a short leader first),
    # each name inside its kecamatan and clear of them and of the numbers' circles and leaders
    album.kec_names(f)
    zs = album.zone_section(0.4, None, codes_only=True)
    secs = [LegendSection("Status kesesuaian (jumlah program)", h, lab), reloc, LegendSection("Bentuk lokasi", gh, gl), zs, album.admin_section()]
    f.add_legend([s for s in secs if s])
    note = "Nomor pada peta = kolom No. lembar Kesesuaian Buku Matriks dan nomor program pada peta OPD (daftar pada halaman lanjutan: id program, kegiatan, status)."
    note += enlargement_note(f.ax)
    return album.finish(f, avoid=r, note=note, shows=("rencana", "zoning", "rules", "kecamatan"))


def _unlocated_counts(r: gpd.GeoDataFrame) -> dict[str, int]:
    """Programs per status that have no location (not drawn on the map)."""
    geoms = np.asarray(r.geometry.array, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    return {str(k): int(v) for k, v in r.loc[missing, "status"].astype(str).value_counts().items()}


def _count_label(label: str, total: int, unlocated: int) -> str:
    """``Perlu kajian (6; 2 tanpa lokasi)``: the count of the key says how many symbols the map can show.

    >>> _count_label("Perlu kajian", 6, 2)
    'Perlu kajian (6; 2 tanpa lokasi)'
    """
    return f"{label} ({total}; {unlocated} tanpa lokasi)" if unlocated else f"{label} ({total})"


def numbered_programs(f: MapFrame, r: gpd.GeoDataFrame, album: Album | None = None) -> None:
    """Number every located program by the Buku Matriks' Kesesuaian sheet's "No." column (the rencana's order,
    1 = first row), list them beside the map (number, id, activity, status) and put the numbers on the map;
    tidak sesuai programs are placed first, so that they get the clearest places.

    ``f.data["numbers"]`` maps each number on the map to its program id. With the ``album``, a centre too dense
    for short leaders is numbered in an enlargement on the same map (:func:`numbered_callouts`).
    """
    geoms = np.asarray(r.geometry.array, dtype=object)
    located = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    ids = r["program_id"].astype(str).to_numpy() if "program_id" in r.columns else np.array([f"Program {i + 1}" for i in range(len(r))], dtype=object)
    status = r["status"].astype(str).to_numpy()
    rows = []
    for i in located:
        keg = r["kegiatan"].iloc[i] if "kegiatan" in r.columns else None
        text = ids[i] + (f" {nomenklatur(keg)}" if isinstance(keg, str) and keg else "")
        st = STATUS_LABELS.get(status[i], status[i]).split(" (")[0].lower()
        rows.append((str(i + 1), f"{text} · {st}"))
    unlocated = np.setdiff1d(np.arange(len(r)), located)
    if len(unlocated):  # under their own heading: they have no number on the map (review s6, Lampiran 4)
        rows.append((TABLE_HEADING, UNLOCATED_HEADING))
    for i in unlocated:  # listed too, so that the key's counts can be traced
        keg = r["kegiatan"].iloc[i] if "kegiatan" in r.columns else None
        text = ids[i] + (f" {nomenklatur(keg)}" if isinstance(keg, str) and keg else "")
        st = STATUS_LABELS.get(status[i], status[i]).split(" (")[0].lower()
        rows.append((str(i + 1), f"{text} · {st} · tanpa lokasi"))
    shown = f.add_table("Daftar program", rows, more="lihat Buku Matriks, lembar Kesesuaian")
    keyed = located[:shown]
    rank = {s: k for k, s in enumerate(STATUS_ORDER)}
    dims = shapely.get_dimensions(geoms[keyed]) if len(keyed) else np.array([], dtype=int)
    first = sorted(range(len(keyed)), key=lambda k: (rank.get(status[keyed[k]], len(rank)), dims[k], keyed[k]))

    def draw(ax: Any) -> None:  # the map's layers in the enlargement
        assert album is not None
        fr = SimpleNamespace(ax=ax, k=f.k, fig=f.fig)
        album.zoning(fr, 0.4)
        album.admin(fr, labels=False)
        draw_by_category(ax, r, "status", STATUS_COLORS, order=STATUS_ORDER, halo=True)

    def names(ax: Any) -> None:  # in the enlargement, as on the map: the names after the numbers, clear of them
        assert album is not None
        album.kec_names(SimpleNamespace(ax=ax, k=f.k, fig=f.fig))

    numbered_callouts(
        f.ax, [_anchor(geoms[keyed[k]]) for k in first], [str(keyed[k] + 1) for k in first],
        colors=[mpl_color(STATUS_COLORS.get(status[keyed[k]], (40, 40, 40))) for k in first], fontsize=5.5 * f.k, gid="program",
        draw=draw if album is not None else None, keep_clear=album.admin_area() if album is not None else None,
        after=names if album is not None else None, within=album.land_area() if album is not None else None,
    )
    f.data["numbers"] = {str(i + 1): ids[i] for i in keyed}


def relocation(album: Album, f: MapFrame, r: gpd.GeoDataFrame) -> LegendSection | None:
    """Relocation advice (``saran_relokasi``): a leader from each ``tidak_sesuai`` program to the nearest
    point of the nearest zone permitting its activity, a ring on that point, and ``code · distance``
    where the label finds room. Returns the legend section (None without advice rows)."""
    adv = album.advice
    if adv is None or not len(adv):
        return None
    geo = isinstance(adv, gpd.GeoDataFrame) and adv.crs is not None
    pts = np.asarray(adv.geometry.array, dtype=object) if geo else np.full(len(adv), None, dtype=object)
    has = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    dist = pd.to_numeric(adv["jarak_m"], errors="coerce").to_numpy(dtype=float) if "jarak_m" in adv.columns else np.full(len(adv), np.nan)
    codes = adv["zone_code"].astype(object).to_numpy() if "zone_code" in adv.columns else np.full(len(adv), None, dtype=object)
    ids = adv["program_id"].astype(str).to_numpy() if "program_id" in adv.columns else np.array([""] * len(adv))
    by_id: dict[str, Any] = {}
    if "program_id" in r.columns:
        for pid, g in zip(r["program_id"].astype(str), r.geometry):
            if g is not None and not g.is_empty:
                by_id.setdefault(pid, g)
    ink = mpl_color(RELOCATION_COLOR)
    mpp = (f.ax.get_xlim()[1] - f.ax.get_xlim()[0]) / (f.ax.get_window_extent().width * 72.0 / f.fig.dpi)  # metres per point
    leaders: list[tuple[str, tuple[float, float], tuple[float, float], float]] = []
    inside: list[tuple[float, float]] = []
    lab_xy, lab_text = [], []
    for i in range(len(adv)):
        if not has[i]:
            continue
        end = pts[i]
        prog = by_id.get(ids[i])
        if prog is None or not (np.isfinite(dist[i]) and dist[i] > 0):
            inside.append((end.x, end.y))  # part of the program already lies in a permitted zone
            continue
        seg = shapely.shortest_line(prog, end)  # from the program's nearest point to the zone's nearest point
        (x0, y0), (x1, y1) = seg.coords[0], seg.coords[-1]
        leaders.append((ids[i], (x0, y0), (x1, y1), float(dist[i])))
        f.ax.add_line(Line2D([x0, x1], [y0, y1], color="white", linewidth=3.0 * math.sqrt(f.k), solid_capstyle="round", zorder=8.9))
        f.ax.add_line(Line2D([x0, x1], [y0, y1], color=ink, linewidth=1.4 * math.sqrt(f.k), linestyle=(0, (3, 1.5)), zorder=9, gid="relokasi"))
        if math.hypot(x1 - x0, y1 - y0) / mpp >= 14:  # an arrowhead only where the leader is long enough on paper
            f.ax.annotate("", (x1, y1), xytext=(x0 + 0.6 * (x1 - x0), y0 + 0.6 * (y1 - y0)), zorder=9.1,
                          arrowprops={"arrowstyle": "-|>", "color": ink, "linewidth": 1.2, "shrinkA": 0, "shrinkB": 3, "mutation_scale": 9 * f.k})
        code = codes[i] if isinstance(codes[i], str) and codes[i] else ""
        lab_xy.append((x1, y1))
        lab_text.append(f"{code} · {angka(float(dist[i]), 0)} m".strip(" ·"))
    ring = {"marker": "o", "markersize": 5.5 * math.sqrt(f.k), "markerfacecolor": "white", "markeredgecolor": ink, "markeredgewidth": 1.4, "linestyle": ""}
    ends = [e for _, _, e, _ in leaders] + inside
    if ends:
        xs, ys = zip(*ends)
        f.ax.add_line(Line2D(xs, ys, zorder=9.2, gid="relokasi-tujuan", **ring))
    fs = max(MIN_PT, 5.5 * f.k)
    d = fs * 1.1
    placed = place_labels(f.ax, lab_xy, lab_text, fontsize=fs, color=mpl_color(RELOCATION_COLOR), weight="bold", zorder=22,
                          offsets=[(d * 2.6, d * 0.6), (-d * 2.6, d * 0.6), (d * 2.6, -d * 0.6), (-d * 2.6, -d * 0.6), (0, d * 1.2), (0, -d * 1.2)])
    for t in placed:
        t.set_gid("relokasi-label")
    none = int((~has).sum())
    f.data["relokasi"] = {"leaders": leaders, "inside": inside, "none": none, "labels": len(placed)}
    hs: list[Any] = []
    ls: list[str] = []
    if leaders:
        hs.append(Line2D([], [], color=ink, linewidth=1.4, linestyle=(0, (3, 1.5)), marker="o", markevery=[1], markersize=5, markerfacecolor="white", markeredgecolor=ink))
        ls.append(f"Arah ke titik terdekat zona yang mengizinkan (I); label: kode zona · jarak ({len(leaders)})")
    if inside:
        hs.append(Line2D([], [], **{**ring, "markersize": 5}))
        ls.append(f"Sebagian lokasi sudah di zona yang mengizinkan ({len(inside)})")
    if none:
        hs.append(Line2D([], [], linestyle="", marker=""))
        ls.append(f"Tanpa saran: tidak ada zona yang mengizinkan dalam jarak batas ({none})")
    return LegendSection("Saran relokasi (program tidak sesuai)", hs, [textwrap.fill(t, 50) for t in ls]) if hs else None
