"""Album pages of the indikasi program utama: their synchronization this year, and all IPU of the period by start year."""

from __future__ import annotations

import logging
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colormaps  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    geometry_type_legend,
    place_callouts,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import _anchor, _counts, _first, _unlocated  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    IPU_SYNC_COLORS,
    IPU_SYNC_LABELS,
    RGB,
    mpl_color,
)
from sppr_gis.text import nomenklatur  # noqa: E402

log = logging.getLogger(__name__)


def ipu_numbers(album: Album, q: pd.DataFrame) -> np.ndarray:
    """Each IPU's number: its row (1 = first) in the album's ``indikasi_program`` layer, the layer ``sppr sync``
    writes to ``sppr.gpkg`` and the row order of the Buku Matriks' Jangka Menengah sheet; the same number on
    every map that numbers IPU. Rows not found there (a layer given apart) are numbered in their own order."""
    full = album.L.get("indikasi_program")
    if full is not None and full.index.is_unique:
        pos = full.index.get_indexer(q.index)
        if not (pos < 0).any():
            return pos + 1
    return np.arange(1, len(q) + 1)


def _ipu_key(album: Album, f: MapFrame, q: pd.DataFrame, tail: Any, colors: list[Any], title: str) -> None:
    """The IPU of ``q`` keyed by their number (:func:`ipu_numbers`) in the page's table, in number order (an IPU
    without a location keeps its number, marked "tanpa lokasi"), and the located ones numbered on the map with
    the same number; ``tail(i)`` is the text after the id and program, ``colors[i]`` each callout's colour."""
    num = ipu_numbers(album, q)
    ok = ~(q.geometry.isna() | q.geometry.is_empty).to_numpy()
    idc = _first(q, ("ipu_id", "id"))
    pc = _first(q, ("program", "nama_program", "kegiatan"))
    order = np.argsort(num, kind="stable")
    rows = []
    for i in order:
        bits = [str(q[idc].iloc[i]) if idc else "", nomenklatur(str(q[pc].iloc[i])) if pc else ""]
        rows.append((str(int(num[i])), " ".join(b for b in bits if b) + tail(i) + ("" if ok[i] else ", tanpa lokasi")))
    shown = f.add_table(title, rows, more="lihat Buku Matriks, lembar Jangka Menengah")
    sel = [int(i) for i in order[:shown] if ok[i]]
    xy = [_anchor(q.geometry.iloc[i]) for i in sel]
    # on the city's land where it has room (review s7: IPU 23 and 29 stood beyond the boundary)
    place_callouts(f.ax, xy, [str(int(num[i])) for i in sel], colors=[colors[i] for i in sel], fontsize=5.5 * f.k, within=album.land_area())


def page_ipu(album: Album) -> MapFrame | None:
    q = album.L.get("indikasi_program")
    if q is None or "status_sinkron" not in q.columns:
        return None
    cnt = _counts(q, "status_sinkron")
    sub = f"{len(q)} indikasi program · " + ", ".join(f"{cnt.get(s, 0)} {IPU_SYNC_LABELS[s].split(' (')[0].lower()}" for s in IPU_SYNC_COLORS)
    if not len(q):
        sub = "IPU tidak diberikan: tidak ada indikasi program yang disinkronkan"
    f = album.frame("Peta Sinkronisasi Indikasi Program Utama (IPU)", sub + ("; nomor pada peta = nomor pada tabel" if len(q) else ""), table=bool(len(q)))
    album.city_extent(f, drawn={"indikasi_program": q})  # the IPU this map draws
    album.zoning(f, 0.22)
    album.admin(f, labels=False)
    order = ("diskoneksi", "diskontinu", "sinkron", "belum_jadwal")
    dims = draw_by_category(f.ax, q, "status_sinkron", IPU_SYNC_COLORS, order=order)
    album.kec_names(f)  # after the IPU lines, clear of them
    if len(q):
        st = q["status_sinkron"].astype(str).to_numpy()
        _ipu_key(album, f, q, lambda i: f" · {IPU_SYNC_LABELS[st[i]].split(' (')[0].lower()}" if st[i] in IPU_SYNC_LABELS else "",
                 [mpl_color(IPU_SYNC_COLORS.get(v, (60, 60, 60))) for v in st], "Daftar indikasi program")
    h, lab = category_legend(IPU_SYNC_COLORS, IPU_SYNC_LABELS, cnt, kind="mixed", unlocated=_unlocated(q, "status_sinkron"))
    gh, gl = geometry_type_legend(list(dims))
    f.add_legend([s for s in [LegendSection("Status sinkronisasi IPU", h, lab), LegendSection("Bentuk lokasi", gh, gl), album.admin_section(),
                              album.background_section(0.22)] if s])
    return album.finish(f, avoid=q, note=album.zoning_note(), shows=("indikasi_program", "rencana", "zoning", "kecamatan"))


def page_ipu_period(album: Album) -> MapFrame | None:
    """Every IPU of the plan (all years), coloured by start year, numbered and listed beside the map."""
    q = album.L.get("indikasi_program")
    if q is None or "tahun_mulai" not in q.columns:
        return None
    start = pd.to_numeric(q["tahun_mulai"], errors="coerce")
    end = pd.to_numeric(q["tahun_akhir"], errors="coerce") if "tahun_akhir" in q.columns else start
    win = q.attrs.get("jangka_menengah")  # (first, last) of the Buku Matriks' Jangka Menengah (run.py): one period for both
    if win:
        keep = ((start <= win[1]) & (end.fillna(start) >= win[0])).to_numpy()
        q, start, end = q[keep], start[keep], end[keep]
    if not start.notna().any():
        return None
    y0, y1 = (int(win[0]), int(win[1])) if win else (int(start.min()), int(np.nanmax(np.r_[end.to_numpy(dtype=float), start.to_numpy(dtype=float)])))
    years = sorted({int(v) for v in start.dropna()})
    key = start.map(lambda v: str(int(v)) if pd.notna(v) else "tanpa tahun")
    shades = colormaps["turbo"]
    colors: dict[str, RGB] = {str(y): tuple(int(255 * c) for c in shades(0.1 + 0.8 * i / max(len(years) - 1, 1))[:3]) for i, y in enumerate(years)}  # type: ignore[misc]
    colors["tanpa tahun"] = (150, 150, 150)
    f = album.frame(f"Peta Indikasi Program Utama Jangka Menengah {y0}" + (f"–{y1}" if y1 > y0 else ""), f"{len(q)} indikasi program menurut tahun mulai; nomor pada peta = nomor pada tabel", table=True)
    album.city_extent(f, drawn={"indikasi_program": q})  # the IPU this map draws
    album.land(f)
    album.admin(f, labels=False)
    g = q.assign(_y=key.to_numpy())
    dims = draw_by_category(f.ax, g, "_y", colors, order=[str(y) for y in reversed(years)], point_size=30, line_width=2.4, polygon_alpha=0.4)
    album.kec_names(f)  # after the IPU lines, clear of them
    # numbered callouts keyed to the table: each IPU's row in the IPU layer (the number it has on every map)
    beyond = 0  # IPUs of the period whose own years run outside it: listed (as on the Jangka Menengah sheet), marked "*"
    pers = []
    for i in range(len(q)):
        if not (pd.notna(start.iloc[i]) and pd.notna(end.iloc[i])):
            pers.append("-")
            continue
        a, b = int(start.iloc[i]), int(end.iloc[i])
        out = win is not None and (a < y0 or b > y1)
        beyond += out
        pers.append((f"{a}–{b}" if b != a else f"{a}") + ("*" if out else ""))  # one year reads "2025", not "2025–2025"
    _ipu_key(album, f, q, lambda i: f", {pers[i]}", [mpl_color(colors[key.iloc[i]]) for i in range(len(q))], "Daftar indikasi program")
    cnt = key.value_counts().to_dict()
    keys = [str(y) for y in years] + (["tanpa tahun"] if "tanpa tahun" in cnt else [])
    words = {k: (f"Mulai {k}" + (" (sebelum periode)" if win and int(k) < y0 else "") if k != "tanpa tahun" else "Tanpa tahun mulai") for k in keys}
    h, lab = category_legend(colors, words, cnt, kind="mixed", order=keys,
                             unlocated=_unlocated(q, key))
    gh, gl = geometry_type_legend(list(dims))
    f.add_legend([s for s in [LegendSection("Tahun mulai (jumlah IPU)", h, lab), LegendSection("Bentuk lokasi", gh, gl), album.admin_section()] if s])
    if win:  # the title's period is the Buku Matriks' Jangka Menengah window; the table gives each IPU's own years
        note = (f"Indikasi program utama RTRW yang berjalan dalam periode {y0}–{y1}, sama dengan lembar Jangka Menengah Buku Matriks "
                "(tabel: id, program, tahun IPU)" + (f"; * tahun IPU melampaui periode {y0}–{y1}" if beyond else ""))
    else:
        note = "Semua indikasi program utama RTRW, seluruh tahun periodenya (tabel: id, program, periode)"
    return album.finish(f, avoid=q, note=note + f"; status sinkronisasi tahun {album.year} pada peta Sinkronisasi IPU.", shows=("indikasi_program", "kecamatan"))
