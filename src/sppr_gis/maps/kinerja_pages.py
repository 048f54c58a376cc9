"""Album pages of the performance cascade (``sppr_gis.kinerja``): capaian per OPD by cluster (a chart) and
capaian per kecamatan (a map from the located programs whose SIPD code is a sub kegiatan's).

Colours are the five Permendagri 86/2017 predikat bands (ColorBrewer RdYlGn, 5 classes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sppr_gis.kinerja.core import PREDIKAT
from sppr_gis.maps.cartography import LegendSection, MapFrame, draw_outline
from sppr_gis.vocabulary import place_key

__all__ = ["PREDIKAT_COLORS", "kinerja_pages"]

#: Predikat -> colour (ColorBrewer RdYlGn, 5 classes).
PREDIKAT_COLORS: dict[str, str] = {
    "sangat rendah": "#d7191c", "rendah": "#fdae61", "sedang": "#ffffbf", "tinggi": "#a6d96a", "sangat tinggi": "#1a9641",
}
def _band_ranges() -> dict[str, str]:
    """The bands' ranges as the legend prints them, none overlapping another (review s7: "50–65" and "65–75" both
    held 65): a band holds its upper limit (:func:`sppr_gis.kinerja.core.predikat`: ``v <= 65`` is rendah), so every
    band but the first starts after the limit below it.

    >>> _band_ranges()["rendah"], _band_ranges()["sangat tinggi"]
    ('> 50–65', '> 90')
    """
    out: dict[str, str] = {}
    lo: float | None = None
    for hi, name in PREDIKAT:
        out[name] = f"\u2264 {hi:g}" if lo is None else f"> {lo:g}\u2013{hi:g}"
        lo = hi
    out["sangat tinggi"] = f"> {lo:g}"
    return out


_BANDS = _band_ranges()
_NONE = "#eeeeee"


def _legend(counts: dict[str, int] | None = None) -> LegendSection:
    """The predikat key: the whole Permendagri 86/2017 scale (its bands are how the chart's limits read); with
    ``counts``, each predikat some item has followed by its count, the others by none (review s9: 'Sangat rendah: 0'
    read as a class of the page)."""
    keys = list(PREDIKAT_COLORS)
    handles = [Patch(facecolor=PREDIKAT_COLORS[k], edgecolor="#444444", linewidth=0.5) for k in keys]
    labels = [f"{k.capitalize()} ({_BANDS[k]}%)" + (f": {counts[k]}" if counts is not None and counts.get(k, 0) else "") for k in keys]
    return LegendSection("Predikat capaian (Permendagri 86/2017)", handles, labels)


#: The predikat limits' lines on the chart (its legend keys them with the same ink and width).
_BAND_LINE, _BAND_WIDTH = "#8c8c8c", 0.7


def _ink_on(fill: str) -> str:
    """Black or white text on a bar of colour ``fill``, whichever contrasts more (WCAG relative luminance)."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "white" if (1.05) / (lum + 0.05) > (lum + 0.05) / 0.05 else "black"


def _bar_value(ax: Any, y: float, v: float, average: float | None, top: float, fill: str, size: float, renderer: Any, inv: Any) -> Any:
    """A bar's value at the bar's end: just outside it; inside its end (in an ink that reads on the bar) when its
    cluster's average line would cross the value outside and the bar is long enough; outside right of the line
    only when neither fits (review s7: values moved right of the line stood away from their bars)."""
    pad = top * 0.01
    label = f"{v:.1f}%".replace(".", ",") if np.isfinite(v) else "tanpa capaian"
    end = v if np.isfinite(v) else 0.0
    t = ax.text(end + pad, y, label, ha="left", va="center", fontsize=size, gid="bar-value", zorder=4)
    if average is None:
        return t

    def crossed() -> bool:
        (x0, _y0), (x1, _y1) = inv.transform(t.get_window_extent(renderer))
        return x0 - top * 0.005 <= average <= x1 + top * 0.005

    if not crossed():
        return t
    t.set_x(end - pad)
    t.set_ha("right")
    t.set_color(_ink_on(fill))
    (x0, _y0), _ = inv.transform(t.get_window_extent(renderer))
    if x0 >= pad and not crossed():
        return t
    t.set_ha("left")
    t.set_color("black")
    t.set_x(average + pad)
    return t


def _average_value(ax: Any, c: float, y: float, top: float, heading: Any, size: float, renderer: Any,
                   limits: tuple[float, ...] = ()) -> Any:
    """A cluster's average printed at the upper end of its dashed line (between the cluster's heading and its first
    bar); on the heading's row right of the line, or after the heading's name, when it would touch the heading.

    The label stands clear of the predikat limits' dotted lines (``limits``, data x) wherever one of those places is
    (review s9, Kota Bandung Grafik 1: "rata-rata 88,9%" sat on the 90 % line); only when none is, it takes the first
    place clear of the heading alone, as before.
    """
    label = f"rata-rata {c:.1f}%".replace(".", ",")
    t = ax.text(c, y, label, ha="center", va="bottom", fontsize=size, style="italic", color="#222222", gid="cluster-average-value", zorder=4)
    x0, x1 = ax.get_xlim()
    hb = heading.get_window_extent(renderer)
    inv = ax.transData.inverted()
    gap = 0.004 * (x1 - x0)  # a hair's room between the label and a dotted line

    def clear(strict: bool) -> bool:
        bb = t.get_window_extent(renderer)
        axb = ax.get_window_extent(renderer)
        if bb.overlaps(hb) or not (axb.x0 - 0.5 <= bb.x0 and bb.x1 <= axb.x1 + 0.5):
            return False
        if not strict:
            return True
        (lx0, _), (lx1, _) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        return not any(lx0 - gap <= v <= lx1 + gap for v in limits)

    d = 0.005 * (x1 - x0)
    places = [("center", "bottom", c, y), ("left", "bottom", c + d, y), ("right", "bottom", c - d, y),
              ("left", "center", c + 2 * d, heading.get_position()[1])]
    if limits:
        # beside the line, just past the predikat line nearest on either side (nearest the average first)
        near = [("left", "bottom", v + 2 * gap, y) for v in limits if v > c] + [("right", "bottom", v - 2 * gap, y) for v in limits if v < c]
        places[3:3] = sorted(near, key=lambda p: abs(p[2] - c))
    for strict in ((True, False) if limits else (False,)):
        for ha, va, px, py in places:
            t.set_ha(ha)
            t.set_va(va)
            t.set_position((px, py))
            if clear(strict):
                return t
    t.remove()
    heading.set_text(f"{heading.get_text()} ({label})")  # printed with the cluster's name, never dropped
    return heading


def page_capaian_opd(album: Any, result: Any) -> MapFrame | None:
    """Capaian per OPD, grouped by cluster, as horizontal bars coloured by predikat.

    A chart page (:attr:`MapFrame.chart`: no inset, north arrow, scale or CRS note). Each cluster has its
    heading on a row of its own under the rule that separates it from the cluster above; a bar's value stands at
    the bar's end, inside it where the cluster's average line would cross it outside (:func:`_bar_value`); each
    cluster's average is printed at the top of its dashed line (:func:`_average_value`); the legend keys every
    colour and line drawn.

    Parameters
    ----------
    album : Album
        The album the page belongs to (title block, sources, paper).
    result : KinerjaResult
        The kinerja cascade of the year (``opd``, ``klaster``, ``year``).

    Returns
    -------
    MapFrame or None
        The page; None without OPD capaian.
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
    vals = df["capaian"].to_numpy(dtype=float)
    klaster = result.klaster
    has_average = bool(len(klaster)) and bool(pd.to_numeric(klaster["capaian"], errors="coerce").notna().any())
    # every colour and line of the chart keyed (review s7: the grey lines and the average were not)
    sections = [_legend(counts)]
    if not np.isfinite(vals).all():
        sections.append(LegendSection("", [Patch(facecolor=_NONE, edgecolor="#444444", linewidth=0.6)], [f"Tanpa capaian: {int((~np.isfinite(vals)).sum())}"]))
    lh: list[Any] = [Line2D([], [], color=_BAND_LINE, linewidth=_BAND_WIDTH, linestyle=":")]
    ll = ["Batas predikat (" + ", ".join(f"{hi:g}" for hi, _n in PREDIKAT) + "%)"]
    if has_average:
        lh.insert(0, Line2D([], [], color="#222222", linestyle="--", linewidth=1.0))
        ll.insert(0, "Rata-rata capaian klaster (nilai di atas garis)")
    if df["_k"].nunique() > 1:
        lh.append(Line2D([], [], color="#444444", linewidth=0.8))
        ll.append("Pemisah klaster")
    sections.append(LegendSection("Garis pada grafik", lh, ll))
    f.add_legend(sections)
    note = ("Capaian OPD = rata-rata capaian program-programnya; capaian program = rata-rata capaian indikatornya "
            "(positif R/T x 100; negatif (2T - R)/T x 100). Garis putus: rata-rata klaster (rata-rata OPD-nya), nilainya di atas garis.")
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
    colors = [PREDIKAT_COLORS.get(p, _NONE) if isinstance(p, str) else _NONE for p in df["predikat"]]
    ax.barh(y, np.nan_to_num(vals), color=colors, edgecolor="#444444", linewidth=0.6)
    ax.set_yticks(y, [f"{o}" for o in df["opd"]], fontsize=8 * f.k)
    ax.set_ylim(-row + 0.4, 0.6)
    top = max(120.0, float(np.nanmax(vals)) + 20 if np.isfinite(vals).any() else 120.0)
    ax.set_xlim(0, top)
    for hi, _n in PREDIKAT:
        ax.axvline(hi, color=_BAND_LINE, linewidth=_BAND_WIDTH, linestyle=":", zorder=0, gid="predikat-limit")
    head_texts = []
    for hy, name, rule in heads:
        head_texts.append(ax.text(top * 0.005, hy, name, ha="left", va="center", fontsize=8.5 * f.k, weight="bold", gid="cluster-heading"))
        if rule:
            ax.axhline(hy + 0.5, color="#444444", linewidth=0.8, gid="cluster-rule")
    renderer = f.fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    averages: dict[int, float] = {}
    for gi, (_k, g) in enumerate(df.groupby("_k", sort=True)):
        ys = y[g.index.to_numpy()]
        kl = klaster[klaster["klaster"] == g["klaster"].iloc[0]] if len(klaster) else klaster
        if not len(kl) or not pd.notna(kl["capaian"].iloc[0]):
            continue
        c = float(kl["capaian"].iloc[0])
        ax.plot([c, c], [ys.min() - 0.4, ys.max() + 0.4], color="#222222", linestyle="--", linewidth=1.0, gid="cluster-average")
        averages.update({int(i): c for i in g.index})
        _average_value(ax, c, ys.max() + 0.45, top, head_texts[gi], 7.5 * f.k, renderer, limits=tuple(hi for hi, _n in PREDIKAT))
    for i, (yy, v, col) in enumerate(zip(y, vals, colors)):
        _bar_value(ax, yy, v, averages.get(i), top, col, 7.5 * f.k, renderer, inv)
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
    kec.plot(ax=f.ax, color=face, edgecolor="none", zorder=1)
    # the boundary: each shared edge once, slivers closed (a polygon's own edge drew its sliver holes as lines
    # inside the kecamatan and its edge twice where neighbours were digitised apart; review s7)
    draw_outline(f.ax, kec, color="#444444", linewidth=0.8, linestyle="-", zorder=1.05)
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
