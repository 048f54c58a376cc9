"""Album page: synergy and conflicts between programs (protected-zone cases by what the zoning says)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    draw_by_category,
    place_callouts,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import _anchor, _LazyRows  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    mpl_color,
)
from sppr_gis.text import angka, nomenklatur  # noqa: E402

log = logging.getLogger(__name__)


#: Legend labels of the synergy table's ``jenis`` values and of the protected-zone cases (others are shown as written).
RELATION_LABELS: dict[str, str] = {
    "sinergi": "Sinergi antar-OPD (lokasi berdekatan)",
    "tabrakan": "Konflik pekerjaan (tahun berurutan)",
    "konflik": "Konflik antarprogram",
    "lindung_X": "Dilarang di kawasan lindung (X): konflik",
    "lindung_TB": "Bersyarat di kawasan lindung (T/B)",
    "lindung_kajian": "Di kawasan lindung, perlu kajian",
    "lindung_I": "Diizinkan di kawasan lindung (I), bukan konflik",
    "kawasan_lindung": "Program di kawasan lindung",
}


#: Short names of the same, for the table.
RELATION_SHORT: dict[str, str] = {
    "sinergi": "Sinergi", "tabrakan": "Konflik pekerjaan", "konflik": "Konflik", "lindung_X": "Lindung, dilarang", "lindung_TB": "Lindung, bersyarat",
    "lindung_kajian": "Lindung, perlu kajian", "lindung_I": "Lindung, diizinkan", "kawasan_lindung": "Kawasan lindung",
}


RELATION_COLORS: dict[str, RGB] = {
    "tabrakan": (215, 25, 28),
    "konflik": (215, 25, 28),
    "lindung_X": (150, 0, 200),
    "lindung_TB": (230, 120, 0),
    "lindung_kajian": (70, 70, 70),
    "kawasan_lindung": (150, 0, 200),
    "sinergi": (0, 140, 70),
    "lindung_I": (0, 150, 170),
}


_RELATION_ORDER = ("tabrakan", "konflik", "lindung_X", "lindung_TB", "lindung_kajian", "kawasan_lindung", "sinergi", "lindung_I")


def _relation_rank(kind: str) -> tuple[int, str]:
    return (_RELATION_ORDER.index(kind) if kind in _RELATION_ORDER else len(_RELATION_ORDER), kind)


def _is_conflict(kind: str) -> bool:
    """Conflicts: collisions, conflicts and programs an X cell forbids in a protected zone (not those it permits)."""
    return kind in ("tabrakan", "konflik", "lindung_X") or ("konflik" in kind.lower() or "benturan" in kind.lower())


def _relation_kinds(s: gpd.GeoDataFrame, r: gpd.GeoDataFrame | None = None) -> pd.Series:
    """The map category of each synergy-table row: its ``jenis``; a protected-zone row by its structured
    verdict, the ``jenis_lindung`` column (:data:`sppr_gis.vocabulary.PROTECTED_KINDS`).

    A program in a protected zone is ``lindung_X`` (conformance ``tidak_sesuai``),
    ``lindung_TB`` (``sesuai_bersyarat``), ``lindung_kajian`` (``perlu_kajian``) or
    ``lindung_I`` (``sesuai``: every counted zone permits it, e.g. an RTH program in an RTH zone);
    a row without the verdict is ``kawasan_lindung``. ``r`` (the programs) is not needed any more.
    """
    jenis = s["jenis"].astype(str) if "jenis" in s.columns else pd.Series(["hubungan"] * len(s), index=s.index)
    out = jenis.copy()
    lind = jenis.str.contains("lindung", case=False).to_numpy()
    if not lind.any():
        return out
    verdict = s["jenis_lindung"].to_numpy(dtype=object) if "jenis_lindung" in s.columns else np.full(len(s), None, dtype=object)
    for pos in np.flatnonzero(lind):
        v = verdict[pos]
        out.iloc[pos] = v if isinstance(v, str) and v else "kawasan_lindung"
    return out


def _relation_summary(counts: Mapping[str, int]) -> str:
    """``11 pasangan sinergi, 2 konflik pekerjaan, 10 program di kawasan lindung (6 diizinkan, ...)``."""
    bits = []
    if counts.get("sinergi"):
        bits.append(f"{counts['sinergi']} pasangan sinergi")
    if counts.get("tabrakan"):
        bits.append(f"{counts['tabrakan']} konflik pekerjaan")
    if counts.get("konflik"):
        bits.append(f"{counts['konflik']} konflik")
    lind = {k: v for k, v in counts.items() if k.startswith("lindung_") or k == "kawasan_lindung"}
    if lind:
        words = {"lindung_X": "dilarang", "lindung_TB": "bersyarat", "lindung_kajian": "perlu kajian", "lindung_I": "diizinkan"}
        parts = [f"{lind[k]} {w}" for k, w in words.items() if lind.get(k)]
        bits.append(f"{sum(lind.values())} program di kawasan lindung" + (f" ({', '.join(parts)})" if parts else ""))
    for k, v in counts.items():
        if k not in ("sinergi", "tabrakan", "konflik") and k not in lind:
            bits.append(f"{v} {k.replace('_', ' ')}")
    return ", ".join(bits)


def _relation_order(g: pd.DataFrame, ok: np.ndarray) -> list[int]:
    """Rows of the relations table: by kind (:func:`_relation_rank`), then program id, then position."""
    idx = np.flatnonzero(ok)
    kk = g["_k"].to_numpy(dtype=object)[idx]
    rank = {k: _relation_rank(k) for k in set(kk)}
    pid = g["program_id"].astype(str).to_numpy()[idx] if "program_id" in g.columns else np.array([str(i) for i in idx], dtype=object)
    key = pd.DataFrame({"r0": [rank[k][0] for k in kk], "r1": [rank[k][1] for k in kk], "p": pid, "i": idx})
    return key.sort_values(["r0", "r1", "p"], kind="stable")["i"].tolist()


def _relation_row(row: pd.Series, kind: str) -> str:
    """One table line: kind, program(s) and activity, distance or zone."""
    def prog(suffix: str) -> str:
        pid = row.get(f"program_id{suffix}", row.get("program_a" if not suffix else "program_b"))
        keg = row.get(f"kegiatan{suffix}")
        if pid is None or (isinstance(pid, float) and np.isnan(pid)):
            return ""
        return str(pid) + (f" ({nomenklatur(keg)})" if isinstance(keg, str) and keg else "")

    a, b = prog(""), prog("_2")
    head = RELATION_SHORT.get(kind, kind.replace("_", " ").capitalize())
    if b:
        d = row.get("jarak_m")
        dist = f", {angka(float(d), 0)} m" if d is not None and not (isinstance(d, float) and np.isnan(d)) else ""
        yr = row.get("tahun_2")
        years = f", {int(row['tahun'])}/{int(yr)}" if kind == "tabrakan" and yr is not None and not pd.isna(yr) and "tahun" in row else ""
        return f"{head}: {a} – {b}{dist}{years}"
    zona = row.get("zona")
    return f"{head}: {a}" + (f"; {zona}" if isinstance(zona, str) and zona else "")


def page_sinergi(album: Album) -> MapFrame | None:
    r = album.L.get("rencana")
    s = album.L.get("sinergi")
    if r is None and s is None:
        return None
    kinds_all = _relation_kinds(s, r) if s is not None else pd.Series(dtype=object)
    cnt_all = kinds_all.value_counts().to_dict()
    sub = _relation_summary(cnt_all) or "tidak ada pasangan sinergi/konflik teridentifikasi"
    f = album.frame("Peta Sinergi dan Konflik Antarprogram", sub, table=s is not None and len(s) > 0)
    album.city_extent(f)
    album.land(f)
    album.admin(f, labels=False)  # the names after the programs and relations, clear of their symbols (review s7)
    secs: list[LegendSection | None] = []
    if r is not None:
        # every program of the year, small and grey: the context of the relations
        dims = draw_by_category(f.ax, r.assign(_o="program"), "_o", {"program": (160, 160, 160)}, point_size=9, line_width=1.0, polygon_alpha=0.25, zorder=4)
        # every grey form drawn keyed: points, lines and areas of the year's programs
        grey = mpl_color((160, 160, 160))
        forms = {
            0: (Line2D([], [], marker="o", linestyle="", markersize=4, markerfacecolor=grey, markeredgecolor="#1a1a1a", markeredgewidth=0.5), "titik"),
            1: (Line2D([], [], color=grey, linewidth=1.0), "garis"),
            2: (Patch(facecolor=(*grey, 0.25), edgecolor=grey, linewidth=0.5), "area"),
        }
        shown = [d for d in sorted(dims) if d in forms] or [0]
        secs.append(LegendSection(f"Program tahun {album.year} ({len(r)})", [forms[d][0] for d in shown], [f"Lokasi {forms[d][1]}" for d in shown]))
    drawn: list[str] = []
    if s is None or not len(s):
        album.kec_names(f)
    if s is not None and len(s):
        g = s.assign(_k=kinds_all.to_numpy())
        ok = ~(g.geometry.isna() | g.geometry.is_empty).to_numpy()
        kinds = sorted(set(g.loc[ok, "_k"]), key=_relation_rank)
        colors = {k: RELATION_COLORS.get(k, (90, 90, 90)) for k in kinds}
        # the programs of each relation in its colour (conflicts drawn last, on top)
        parts = g[ok].explode(index_parts=False)
        parts = parts[~parts.geometry.is_empty]
        # a program in many pairs of one kind is drawn once for that kind (the same symbol over itself)
        twice = pd.DataFrame({"w": shapely.to_wkb(np.asarray(parts.geometry.array, dtype=object)), "k": parts["_k"].to_numpy()}).duplicated().to_numpy()
        parts = parts[~twice]
        draw_by_category(f.ax, parts, "_k", colors, order=kinds, point_size=26, line_width=2.4, polygon_alpha=0.3, zorder=8)
        album.kec_names(f)
        xy, cols, keys = [], [], []
        order = _relation_order(g, ok)
        # rows written only as far as the table shows them (a province has tens of thousands of pairs)
        rows = _LazyRows(len(order), lambda n: (str(n + 1), _relation_row(g.iloc[order[n]], g["_k"].iloc[order[n]])))
        shown = f.add_table("Daftar sinergi dan konflik", rows, more="lihat Buku Matriks, lembar Sinergi")
        for k in range(shown):
            i = order[k]
            xy.append(_anchor(g.geometry.iloc[i]))
            cols.append(mpl_color(colors[g["_k"].iloc[i]]))
            keys.append(g["_k"].iloc[i])
        for key in dict.fromkeys(keys):
            sel = [k for k in range(shown) if keys[k] == key]
            # on the city's land where it has room (review s6: numbers at sea and beyond the boundary)
            place_callouts(f.ax, [xy[k] for k in sel], [str(k + 1) for k in sel], colors=[cols[k] for k in sel], fontsize=5.5 * f.k, gid=f"relasi:{key}",
                           within=album.land_area())
        drawn = [k for k in kinds if k in set(keys)]
        cnt = g.loc[ok, "_k"].value_counts().to_dict()
        h = [
            Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor="white", markeredgecolor=mpl_color(colors[k]), markeredgewidth=1.6, gid=f"relasi:{k}")
            for k in drawn
        ]
        lab = [f"{RELATION_LABELS.get(k, k.replace('_', ' ').capitalize())} ({cnt.get(k, 0)})" for k in drawn]
        secs.insert(0, LegendSection("Sinergi dan konflik (nomor = baris tabel)", h, lab))
    secs.append(album.admin_section())
    f.add_legend([x for x in secs if x])
    f.data = {"relations": drawn, "counts": cnt_all}
    note = (
        "Lokasi program yang terlibat diberi warna jenis hubungannya; nomor merujuk ke baris Daftar sinergi dan konflik (di samping peta atau pada lampirannya). "
        "Program di kawasan lindung yang diizinkan ITBX (I) tidak dinilai sebagai konflik."
    )
    return album.finish(f, avoid=s if s is not None else r, note=note, shows=("rencana", "zoning", "kecamatan"))
