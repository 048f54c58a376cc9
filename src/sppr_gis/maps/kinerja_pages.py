"""Album pages of the performance cascade (``sppr_gis.kinerja``): capaian per OPD by cluster (a chart) and
capaian per kecamatan (a map from the located programs whose SIPD code is a sub kegiatan's).

Colours are the five Permendagri 86/2017 predikat bands (ColorBrewer RdYlGn, 5 classes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sppr_gis.maps.cartography import LegendSection, MapFrame
from sppr_gis.vocabulary import place_key

__all__ = ["PREDIKAT_COLORS", "kinerja_pages"]

#: Predikat -> colour (ColorBrewer RdYlGn, 5 classes).
PREDIKAT_COLORS: dict[str, str] = {
    "sangat rendah": "#d7191c", "rendah": "#fdae61", "sedang": "#ffffbf", "tinggi": "#a6d96a", "sangat tinggi": "#1a9641",
}
_BANDS = {"sangat rendah": "\u2264 50", "rendah": "50\u201365", "sedang": "65\u201375", "tinggi": "75\u201390", "sangat tinggi": "> 90"}
_NONE = "#eeeeee"


def _legend(counts: dict[str, int] | None = None) -> LegendSection:
    keys = list(PREDIKAT_COLORS)
    handles = [Patch(facecolor=PREDIKAT_COLORS[k], edgecolor="#444444", linewidth=0.5) for k in keys]
    labels = [f"{k.capitalize()} ({_BANDS[k]}%)" + (f": {counts.get(k, 0)}" if counts is not None else "") for k in keys]
    return LegendSection("Predikat capaian (Permendagri 86/2017)", handles, labels)


def page_capaian_opd(album: Any, result: Any) -> MapFrame | None:
    """Capaian per OPD, grouped by cluster, as horizontal bars coloured by predikat.

    A chart page (:attr:`MapFrame.chart`: no inset, north arrow, scale or CRS note). Each cluster has its
    heading on a row of its own under the rule that separates it from the cluster above; a bar's value is
    moved right of the cluster's average line when the line would cross it.
    """
    opd = result.opd
    if opd is None or not len(opd):
        return None
    df = opd.copy()
    df["klaster"] = df["klaster"].fillna("(tanpa klaster)")
    order = list(result.klaster["klaster"]) if len(result.klaster) else sorted(df["klaster"].unique())
    df["_k"] = df["klaster"].map({k: i for i, k in enumerate(order)}).fillna(len(order))
    df = df.sort_values(["_k", "opd"], kind="stable").reset_index(drop=True)
    f = album.frame("Grafik Capaian Kinerja per OPD menurut Klaster", f"{len(df)} OPD · rata-rata capaian program tahun {result.year}", chart=True)
    counts = df["predikat"].value_counts().to_dict()
    f.add_legend([_legend(counts)])
    note = ("Capaian OPD = rata-rata capaian program-programnya; capaian program = rata-rata capaian indikatornya "
            "(positif R/T x 100; negatif (2T - R)/T x 100). Garis putus: rata-rata klaster.")
    album.finish(f, note=note, shows=("kinerja",))
    f.ax.set_visible(False)
    pos = f.ax.get_position()
    ax = f.fig.add_axes((pos.x0 + 0.3 * pos.width, pos.y0 + 0.04 * pos.height, 0.66 * pos.width, 0.92 * pos.height))  # room for OPD names
    # rows top down: per cluster a heading row, then its OPDs
    y = np.empty(len(df))
    heads: list[tuple[float, str, bool]] = []
    row = 0.0
    for gi, (_k, g) in enumerate(df.groupby("_k", sort=True)):
        heads.append((-row, str(g["klaster"].iloc[0]), gi > 0))
        row += 1
        for i in g.index:
            y[i] = -row
            row += 1
    vals = df["capaian"].to_numpy(dtype=float)
    colors = [PREDIKAT_COLORS.get(p, _NONE) if isinstance(p, str) else _NONE for p in df["predikat"]]
    ax.barh(y, np.nan_to_num(vals), color=colors, edgecolor="#444444", linewidth=0.6)
    ax.set_yticks(y, [f"{o}" for o in df["opd"]], fontsize=8 * f.k)
    ax.set_ylim(-row + 0.4, 0.6)
    top = max(120.0, float(np.nanmax(vals)) + 20 if np.isfinite(vals).any() else 120.0)
    ax.set_xlim(0, top)
    for b in (50, 65, 75, 90):
        ax.axvline(b, color="#999999", linewidth=0.5, linestyle=":", zorder=0)
    averages: dict[int, float] = {}
    for k, g in df.groupby("_k", sort=True):
        ys = y[g.index.to_numpy()]
        kl = result.klaster[result.klaster["klaster"] == g["klaster"].iloc[0]]
        if len(kl) and pd.notna(kl["capaian"].iloc[0]):
            c = float(kl["capaian"].iloc[0])
            ax.plot([c, c], [ys.min() - 0.4, ys.max() + 0.4], color="#222222", linestyle="--", linewidth=1.0, gid="cluster-average")
            averages.update({int(i): c for i in g.index})
    for hy, name, rule in heads:
        ax.text(top * 0.005, hy, name, ha="left", va="center", fontsize=8.5 * f.k, weight="bold", gid="cluster-heading")
        if rule:
            ax.axhline(hy + 0.5, color="#444444", linewidth=0.8, gid="cluster-rule")
    renderer = f.fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for i, (yy, v) in enumerate(zip(y, vals)):
        x = (v if np.isfinite(v) else 0) + top * 0.01
        t = ax.text(x, yy, f"{v:.1f}%".replace(".", ",") if np.isfinite(v) else "tanpa capaian", va="center", fontsize=7.5 * f.k, gid="bar-value")
        c = averages.get(i)
        if c is not None:
            (x0, _y0), (x1, _y1) = inv.transform(t.get_window_extent(renderer))
            if x0 - top * 0.005 <= c <= x1 + top * 0.005:
                t.set_x(c + top * 0.01)
    ax.set_xlabel("Capaian (%)", fontsize=8 * f.k)
    ax.spines[["top", "right"]].set_visible(False)
    f.data = {"capaian": dict(zip(df["opd"], vals))}
    return f


def page_capaian_kecamatan(album: Any, result: Any) -> MapFrame | None:
    """Capaian per kecamatan: the mean capaian of the located programs of the sub kegiatan with an indicator."""
    kec = album.L.get("kecamatan")
    field = album.kec_field
    tab = result.kecamatan
    if kec is None or not field or tab is None or not len(tab):
        return None
    by = {place_key(k): row for k, row in zip(tab["kecamatan"], tab.to_dict("records"))}
    f = album.frame("Peta Capaian Kinerja per Kecamatan", f"{int(tab['jumlah_program'].sum())} program berlokasi dengan indikator sub kegiatan · tahun {result.year}")
    album.city_extent(f)
    face, counts = [], {}
    for name in kec[field]:
        row = by.get(place_key(name))
        p = row["predikat"] if row is not None and isinstance(row["predikat"], str) else None
        face.append(PREDIKAT_COLORS.get(p, _NONE) if p else _NONE)
        if p:
            counts[p] = counts.get(p, 0) + 1
    kec.plot(ax=f.ax, color=face, edgecolor="#444444", linewidth=0.8, zorder=1)
    for name, geom in zip(kec[field], kec.geometry):
        row = by.get(place_key(name))
        pt = geom.representative_point()
        txt = f"{name}\n" + (f"{row['capaian']:.1f}% · {row['jumlah_program']} program".replace(".", ",", 1) if row is not None and pd.notna(row["capaian"]) else "tanpa program berindikator")
        f.ax.annotate(txt, (pt.x, pt.y), ha="center", va="center", fontsize=7.5 * f.k, weight="bold", zorder=9)
    sections = [_legend(counts)]
    if any(c is _NONE for c in face):  # listed only when a kecamatan is drawn so
        sections.append(LegendSection("", [Patch(facecolor=_NONE, edgecolor="#444444", linewidth=0.5)], ["Tanpa program berindikator"]))
    sections.append(album.admin_section(solid="#444444"))
    f.add_legend([s for s in sections if s])
    note = ("Capaian program = capaian sub kegiatan yang kodenya sama dengan kode SIPD program (indikator kinerja Renstra/Renja); "
            "capaian kecamatan = rata-rata program berlokasi di kecamatan itu.")
    f.data = {"capaian": {r["kecamatan"]: r["capaian"] for r in tab.to_dict("records")}}
    return album.finish(f, note=note, shows=("kinerja", "rencana", "kecamatan"))


def kinerja_pages(album: Any, result: Any) -> Iterator[tuple[str, MapFrame]]:
    """The kinerja pages of a run (file stem without number, page), those that have data."""
    for stem, build in (("capaian_kinerja_opd", page_capaian_opd), ("capaian_kinerja_kecamatan", page_capaian_kecamatan)):
        page = build(album, result)
        if page is not None:
            yield stem, page
