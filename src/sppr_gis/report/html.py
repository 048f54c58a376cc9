"""``laporan.html``: one self-contained report of an SPPR year (summary, tables, atlas, interactive map).

Everything is inside the one file: CSS, the vendored Leaflet (BSD-2-Clause,
``vendor/leaflet/LICENSE``), the map data as GeoJSON, and the atlas PNGs as
``data:`` URIs. The file references no external resource and has no tile
layer, so it opens offline from a USB stick or an e-mail attachment.

>>> write_report("out/2025/laporan.html", layers=layers, tables=tables, year=2025, title="Kota X")   # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis._version import __version__
from sppr_gis.clock import now_utc
from sppr_gis.io import atomic_path
from sppr_gis.maps.palette import (
    IPU_SYNC_COLORS,
    IPU_SYNC_LABELS,
    STATUS_COLORS,
    STATUS_LABELS,
    SYNC_COLORS,
    SYNC_LABELS,
    Palette,
    hex_color,
    normalize_code,
)
from sppr_gis.matrices._common import OUTSIDE_KP
from sppr_gis.report.excel import format_value, header_for
from sppr_gis.report.kinerja_html import kinerja_section
from sppr_gis.report.labels import reader_text
from sppr_gis.text import angka, judul

__all__ = ["write_report", "render_report", "leaflet_assets"]

#: Tables shown, in this order, with their Indonesian titles; other tables follow under "Tabel lain".
TABLE_TITLES: dict[str, str] = {
    "status_ipu": "Status sinkronisasi indikasi program utama (IPU)",
    "status_rencana": "Status sinkronisasi program rencana",
    "status_kesesuaian": "Kesesuaian program dengan rencana tata ruang (ITBX)",
    "fokus_opd": "Fokus anggaran per OPD",
    "fokus_kecamatan": "Fokus anggaran per kecamatan",
    "fokus_kawasan_prioritas": "Di dalam dan di luar kawasan prioritas",
    "matriks_1": "Matriks 1 - Identifikasi keterlaksanaan program",
    "matriks_2": "Matriks 2 - Penilaian prioritas",
    "matriks_3": "Matriks 3 - Hasil prioritas",
    "jangka_menengah": "Sinkronisasi jangka menengah",
    "kesesuaian": "Kesesuaian lokasi program (rincian)",
    "sinergi": "Sinergi dan konflik antarprogram",
    "isu_data": "Isu data",
}
_MONEY = re.compile(r"(^|_)(pagu|anggaran|nilai_rp)($|_)", re.I)
_PROGRAM_POPUP = ("program_id", "opd", "kegiatan", "nama_kegiatan", "status", "itbx", "score", "dominant_zone", "keterangan", "status_sinkron", "ipu_id", "pagu", "kecamatan", "kelurahan")
_IPU_POPUP = ("ipu_id", "program", "kegiatan", "instansi", "tahun_mulai", "tahun_akhir", "status_sinkron", "realized_by", "kecamatan")
_POPUP_NAMES = {
    "program_id": "ID program", "opd": "OPD", "kegiatan": "Kegiatan", "nama_kegiatan": "Nama kegiatan", "status": "Kesesuaian",
    "itbx": "ITBX", "score": "Skor", "dominant_zone": "Zona dominan", "keterangan": "Keterangan", "status_sinkron": "Sinkronisasi",
    "ipu_id": "IPU", "pagu": "Pagu", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan", "program": "Program", "instansi": "Instansi",
    "tahun_mulai": "Tahun mulai", "tahun_akhir": "Tahun akhir", "realized_by": "Diwujudkan oleh", "zone_code": "Kode zona", "zone_name": "Nama zona",
}


# --------------------------------------------------------------------------- assets


#: Leaflet's attribution prefix links to the project site; the page shows no attribution control
#: (and carries the licence), so the embedded copy keeps the label without the outbound link.
_LEAFLET_PREFIX_LINK = '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">'


def leaflet_assets() -> tuple[str, str, str]:
    """The vendored Leaflet: (JavaScript, CSS with its images inlined as data URIs, licence text).

    Two changes are made to the copy embedded in the page, none to the library's
    behaviour: the attribution prefix loses its outbound ``href`` (the
    attribution control is not used), and CSS comments are dropped.
    """
    base = resources.files("sppr_gis.report") / "vendor" / "leaflet"
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = js.replace(_LEAFLET_PREFIX_LINK, '<a title="A JavaScript library for interactive maps">')
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    def inline(m: re.Match[str]) -> str:
        name = m.group(1)
        data = (base / "images" / name).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    lic = (base / "LICENSE").read_text(encoding="utf-8")
    return js, css, lic


# --------------------------------------------------------------------------- formatting


def _fmt(v: Any, col: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return format_value(float("nan"), col) or "–"  # as the book shows it: "–" for a missing number or text
    if isinstance(v, str) and not v.strip():
        return "–"  # an empty text, as the book prints it
    if isinstance(v, (bool, np.bool_)):
        return "ya" if v else "tidak"
    shown = format_value(v, col)  # the matrices book's figures, where it has a format for the column
    if shown is not None:
        return shown
    if isinstance(v, (int, np.integer)):
        return angka(float(v), 0) if _MONEY.search(col) or abs(int(v)) >= 10000 else str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if col.lower().startswith(("porsi", "share")):
            return angka(100.0 * f, 1) + "%"
        if _MONEY.search(col):
            return angka(f, 0)
        if f.is_integer() and abs(f) < 1e15:
            return angka(f, 0) if abs(f) >= 10000 else str(int(f))
        return angka(f, 2)
    if isinstance(v, str):  # codes as words (the GeoPackage keeps the codes), as in the matrices book
        return reader_text(v, col)
    return str(v)


def _headers() -> dict[str, str]:
    try:
        from sppr_gis.matrices import HEADERS  # the matrices book's Indonesian headers
    except Exception:  # pragma: no cover - matrices is optional here
        return {}
    return dict(HEADERS)


def _table_html(df: pd.DataFrame, table_id: str, headers: Mapping[str, str], max_rows: int = 2000) -> str:
    df = pd.DataFrame(df)
    if table_id.startswith(("t-status_ipu", "t-status_rencana")):
        headers = {**headers, "status": "Status Sinkronisasi"}
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    cols = [str(c) for c in df.columns]
    num = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    head = "".join(f'<th class="{"num" if n else ""}">{html.escape(header_for(c, headers))}</th>' for c, n in zip(cols, num))
    rows = []
    for rec in df.head(max_rows).itertuples(index=False, name=None):
        cells = "".join(f'<td class="{"num" if n else ""}">{html.escape(_fmt(v, c))}</td>' for v, c, n in zip(rec, cols, num))
        rows.append(f"<tr>{cells}</tr>")
    more = f'<p class="note">Ditampilkan {max_rows} dari {len(df)} baris; tabel lengkap di Buku Matriks.</p>' if len(df) > max_rows else ""
    filt = f'<input class="filter" type="search" placeholder="Saring baris..." data-table="{table_id}" aria-label="Saring tabel">' if len(df) > 12 else ""
    return f'{filt}<div class="tablewrap"><table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{more}'


# --------------------------------------------------------------------------- map data


def _to_wgs84(gdf: gpd.GeoDataFrame, keep: Sequence[str], simplify: float = 0.0) -> gpd.GeoDataFrame:
    g = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    cols = [c for c in keep if c in g.columns]
    g = gpd.GeoDataFrame(g[cols].copy(), geometry=g.geometry.values, crs=g.crs)
    if simplify > 0 and g.crs is not None and g.crs.is_projected:
        g["geometry"] = g.geometry.simplify(simplify, preserve_topology=True)
    g = g.to_crs("EPSG:4326")
    g["geometry"] = shapely.set_precision(np.asarray(g.geometry.array, dtype=object), 1e-6, mode="pointwise")
    return g


def _features(g: gpd.GeoDataFrame, color: Mapping[int, str] | pd.Series | None = None) -> dict[str, Any]:
    feats = []
    props_cols = [c for c in g.columns if c != g.geometry.name]
    for i, (idx, row) in enumerate(g.iterrows()):
        geom = row[g.geometry.name]
        if geom is None or geom.is_empty:
            continue
        props = {c: _fmt(row[c], c) for c in props_cols}
        if color is not None:
            props["_c"] = color.iloc[i] if isinstance(color, pd.Series) else color.get(i, "#777777")
        feats.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": feats}


def _map_data(layers: Mapping[str, gpd.GeoDataFrame | None], palette: Palette) -> dict[str, Any] | None:
    out: dict[str, Any] = {}

    def usable(k: str) -> gpd.GeoDataFrame | None:
        g = layers.get(k)
        if g is None or not isinstance(g, gpd.GeoDataFrame) or g.crs is None or not len(g):
            return None
        if (g.geometry.isna() | g.geometry.is_empty).all():
            return None
        return g

    z = usable("zoning")
    if z is not None:
        from sppr_gis.maps.album import name_field, zone_field  # matplotlib (the album's): loaded only for a zoning map

        zf = zone_field(z)
        nf = name_field(z, "zone")
        if zf:
            zz = z.rename(columns={zf: "zone_code", **({nf: "zone_name"} if nf else {})})
            g = _to_wgs84(zz, ["zone_code", "zone_name"], simplify=1.0)
            codes = g["zone_code"].astype(object).where(g["zone_code"].notna(), None)
            colors = palette.colors(codes.dropna())
            given = g["zone_name"] if "zone_name" in g.columns else pd.Series([None] * len(g), index=g.index)
            g["zone_name"] = [palette.label(c, n).split(" ", 1)[-1] if c is not None and palette.label(c, n) != str(c) else "" for c, n in zip(codes, given)]
            col = pd.Series([hex_color(colors[str(c)]) if c is not None else "#dddddd" for c in codes])
            out["zoning"] = _features(g, col)
            out["zone_legend"] = [[c, hex_color(colors[c]), palette.label(c)] for c in sorted(colors, key=normalize_code)]
    for key in ("kecamatan", "kawasan_prioritas"):
        g0 = usable(key)
        if g0 is not None:
            from sppr_gis.maps.album import name_field  # matplotlib (the album's): loaded only for these layers

            nf = name_field(g0, "kecamatan" if key == "kecamatan" else "area")
            g = _to_wgs84(g0.rename(columns={nf: "nama"}) if nf else g0, ["nama"], simplify=2.0)
            out[key] = _features(g)
    r = usable("rencana")
    if r is None:
        r = usable("programs")
    if r is not None:
        g = _to_wgs84(r, _PROGRAM_POPUP)
        if "status" in g.columns:
            col = pd.Series([hex_color(STATUS_COLORS.get(str(s), (120, 120, 120))) for s in r.loc[g.index, "status"]])
        else:
            col = pd.Series(["#2563eb"] * len(g))
        fc = _features(g, col)
        for f, s in zip(fc["features"], r.loc[g.index, "status"] if "status" in r.columns else [None] * len(g)):
            if s is not None and str(s) in STATUS_LABELS:
                f["properties"]["status"] = STATUS_LABELS[str(s)]
        if "status_sinkron" in r.columns:
            for f, s in zip(fc["features"], r.loc[g.index, "status_sinkron"]):
                f["properties"]["status_sinkron"] = SYNC_LABELS.get(str(s), "" if s is None else str(s))
                f["properties"]["_s"] = hex_color(SYNC_COLORS.get(str(s), (120, 120, 120)))
        out["programs"] = fc
    q = usable("indikasi_program")
    if q is not None and "status_sinkron" in q.columns:
        g = _to_wgs84(q, _IPU_POPUP)
        col = pd.Series([hex_color(IPU_SYNC_COLORS.get(str(s), (120, 120, 120))) for s in q.loc[g.index, "status_sinkron"]])
        fc = _features(g, col)
        for f, s in zip(fc["features"], q.loc[g.index, "status_sinkron"]):
            f["properties"]["status_sinkron"] = IPU_SYNC_LABELS.get(str(s), str(s))
        out["ipu"] = fc
    if not any(k in out for k in ("zoning", "programs", "ipu")):
        return None
    out["legend"] = {
        "status": [[hex_color(STATUS_COLORS[k]), STATUS_LABELS[k]] for k in STATUS_COLORS],
        "ipu": [[hex_color(IPU_SYNC_COLORS[k]), IPU_SYNC_LABELS[k]] for k in IPU_SYNC_COLORS],
        "sync": [[hex_color(SYNC_COLORS[k]), SYNC_LABELS[k]] for k in SYNC_COLORS],
    }
    out["names"] = _POPUP_NAMES
    return out


# --------------------------------------------------------------------------- atlas images


def _png_data_uri(path: Path, max_width: int = 1400) -> str:
    data = Path(path).read_bytes()
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            if im.width > max_width:
                h = round(im.height * max_width / im.width)
                im2 = im.convert("RGB").resize((max_width, h), Image.LANCZOS)
                buf = io.BytesIO()
                im2.save(buf, format="PNG", optimize=True)
                data = buf.getvalue()
    except Exception:  # pragma: no cover - Pillow comes with matplotlib; embed as is otherwise
        pass
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _caption(path: Path) -> str:
    stem = re.sub(r"^\d+_", "", Path(path).stem)
    names = {
        "administrasi": "Peta administrasi (kecamatan dan kelurahan)",
        "zonasi": "Zonasi (rencana pola ruang)",
        "struktur_ruang": "Rencana struktur ruang",
        "ipu_jangka_menengah": "Indikasi program utama jangka menengah",
        "kesesuaian": "Kesesuaian program terhadap rencana tata ruang",
        "sinkronisasi_ipu": "Sinkronisasi indikasi program utama",
        "anggaran_kecamatan": "Anggaran dan kesesuaian per kecamatan",
        "sinergi_konflik": "Sinergi dan konflik antarprogram",
        "kawasan_prioritas": "Program di kawasan prioritas",
    }
    if stem.startswith("opd_"):
        return "Program " + judul(stem[4:].replace("-", " "))
    return names.get(stem, stem.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- page

_CSS = """
:root{--ink:#1f2328;--muted:#5b6470;--line:#d9dee4;--bg:#f6f8fa;--accent:#1b5e9a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
header{padding:18px 28px;border-bottom:3px solid var(--accent);background:var(--bg)}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:var(--muted)}
nav{position:sticky;top:0;z-index:1000;background:#fff;border-bottom:1px solid var(--line);padding:6px 28px;font-size:13px}
nav a{color:var(--accent);text-decoration:none;margin-right:14px;white-space:nowrap}
main{padding:8px 28px 40px;max-width:1500px}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 4px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:150px;background:#fff}
.card b{display:block;font-size:20px}
.card span{color:var(--muted);font-size:12px}
.tablewrap{overflow:auto;max-height:520px;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;font-size:12.5px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#eef2f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfc}
input.filter{margin:4px 0 6px;padding:4px 8px;border:1px solid var(--line);border-radius:4px;width:260px}
#peta{height:640px;border:1px solid var(--line);border-radius:4px;background:#eef3f8}
.legend{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.25);font-size:12px;line-height:1.35;max-height:420px;overflow:auto}
.legend b{display:block;margin:4px 0 2px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-2px;border:1px solid #444}
.legend i.dot{border-radius:50%}
.popup table{font-size:12px}
.popup td{padding:1px 6px 1px 0;border:0}
.popup td:first-child{color:var(--muted);white-space:nowrap}
figure{margin:14px 0 26px}
figure img{max-width:100%;border:1px solid var(--line)}
figcaption{color:var(--muted);font-size:13px;margin-top:4px}
.note{color:var(--muted);font-size:12.5px}
footer{padding:16px 28px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{nav{display:none}#peta{display:none}.tablewrap{max-height:none;overflow:visible}}
"""

_JS = r"""
(function () {
  "use strict";
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  document.querySelectorAll("input.filter").forEach(function (inp) {
    inp.addEventListener("input", function () {
      var q = inp.value.toLowerCase(), t = document.getElementById(inp.dataset.table);
      t.querySelectorAll("tbody tr").forEach(function (tr) { tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none"; });
    });
  });
  var el = document.getElementById("sppr-data");
  if (!el || !window.L) { window.__spprMapReady = !el; return; }
  var D = JSON.parse(el.textContent);
  function popup(p) {
    var rows = Object.keys(p).filter(function (k) { return k.charAt(0) !== "_" && p[k] !== ""; }).map(function (k) {
      return "<tr><td>" + esc(D.names[k] || k) + "</td><td>" + esc(p[k]) + "</td></tr>";
    });
    return '<div class="popup"><table>' + rows.join("") + "</table></div>";
  }
  function bind(f, layer) { layer.bindPopup(popup(f.properties), {maxWidth: 360}); }
  var map = L.map("peta", {attributionControl: false, zoomSnap: 0.25, preferCanvas: false});
  var overlays = {}, bounds = null;
  function add(name, layer, on) {
    overlays[name] = layer;
    if (on) { layer.addTo(map); }
    try { var b = layer.getBounds(); if (b.isValid()) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); } } catch (e) {}
  }
  if (D.zoning) {
    add("Zonasi", L.geoJSON(D.zoning, {style: function (f) { return {color: "#ffffff", weight: 0.4, fillColor: f.properties._c, fillOpacity: 0.6}; }, onEachFeature: bind}), true);
  }
  if (D.kecamatan) {
    add("Batas kecamatan", L.geoJSON(D.kecamatan, {style: {color: "#333", weight: 1.6, dashArray: "6 3", fill: false}, interactive: false}), true);
  }
  if (D.kawasan_prioritas) {
    add("Kawasan prioritas", L.geoJSON(D.kawasan_prioritas, {style: {color: "#c80078", weight: 2.2, fillColor: "#c80078", fillOpacity: 0.08}, onEachFeature: bind}), false);
  }
  function styled(fc, key) {
    return L.geoJSON(fc, {
      style: function (f) { return {color: f.properties[key], weight: 4, opacity: 0.95, fillColor: f.properties[key], fillOpacity: 0.55}; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 6, color: "#1a1a1a", weight: 1, fillColor: f.properties[key], fillOpacity: 0.95}); },
      onEachFeature: bind
    });
  }
  if (D.ipu) { add("Indikasi program utama (status sinkronisasi)", styled(D.ipu, "_c"), false); }
  if (D.programs) {
    add("Program (status kesesuaian)", styled(D.programs, "_c"), true);
    if (D.programs.features.length && D.programs.features[0].properties._s) { add("Program (status sinkronisasi)", styled(D.programs, "_s"), false); }
  }
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "legend"), h = "";
    function block(title, items, dot) { h += "<b>" + esc(title) + "</b>" + items.map(function (it) { return '<div><i class="' + (dot ? "dot" : "") + '" style="background:' + it[0] + '"></i>' + esc(it[1]) + "</div>"; }).join(""); }
    if (D.programs) { block("Status kesesuaian", D.legend.status, true); }
    if (D.ipu) { block("Sinkronisasi IPU", D.legend.ipu, true); }
    if (D.zone_legend) { block("Zona", D.zone_legend.map(function (z) { return [z[1], z[2]]; }), false); }
    d.innerHTML = h;
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  legend.addTo(map);
  if (bounds) { map.fitBounds(bounds, {padding: [10, 10]}); } else { map.setView([0, 0], 2); }
  window.__spprMapReady = true;
})();
"""


def _cards(layers: Mapping[str, gpd.GeoDataFrame | None], year: int) -> str:
    items: list[tuple[str, str]] = []
    r = layers.get("rencana")
    if r is None:
        r = layers.get("programs")
    if r is not None and len(r):
        items.append((str(len(r)), f"program {year}"))
        if "pagu" in r.columns:  # a pagu not recorded is not Rp 0 (review s7): said so, and how many
            p = pd.to_numeric(r["pagu"], errors="coerce").to_numpy(dtype=float)
            known = np.isfinite(p)
            if known.any():
                missing = int((~known).sum())
                items.append(("Rp " + angka(float(p[known].sum()), 0), "total pagu" + (f" ({missing} program tanpa pagu)" if missing else "")))
            else:
                items.append(("–", "pagu tidak tercatat"))
        if "status" in r.columns:
            c = r["status"].astype(str).value_counts()
            for k in STATUS_COLORS:  # the words of the matrices book's summary
                items.append((str(int(c.get(k, 0))), reader_text(k).lower()))
        if "status_sinkron" in r.columns:
            c = r["status_sinkron"].astype(str).value_counts()
            for k in SYNC_COLORS:
                items.append((str(int(c.get(k, 0))), f"program {reader_text(k).lower()}"))
    q = layers.get("indikasi_program")
    if q is not None and len(q) and "status_sinkron" in q.columns:
        c = q["status_sinkron"].astype(str).value_counts()
        items.append((str(len(q)), "indikasi program utama"))
        for k in IPU_SYNC_COLORS:
            items.append((str(int(c.get(k, 0))), f"IPU {reader_text(k).lower()}"))
    return '<div class="cards">' + "".join(f"<div class=\"card\"><b>{html.escape(v)}</b><span>{html.escape(t)}</span></div>" for v, t in items) + "</div>"


def render_report(
    *,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    year: int,
    title: str,
    tables: Mapping[str, pd.DataFrame] | None = None,
    manifest: Mapping[str, Any] | None = None,
    maps: Sequence[str | os.PathLike[str]] | None = None,
    palette: Palette | Mapping[str, Any] | None = None,
    paper: str = "A3",
) -> str:
    """The report as one HTML string (see :func:`write_report` for the parameters).

    The sections in order: the summary cards, the interactive map, kinerja, the main and other
    tables (those of :func:`_program_tables` when none are given), the album's maps
    (:func:`_album_html`), and the process trace (:func:`_trace_html`); then the page around them.
    """
    pal = palette if isinstance(palette, Palette) else Palette(palette)
    headers = _headers()
    js, css, lic = leaflet_assets()
    tables = dict(tables or {})
    if not tables:
        tables = _program_tables(layers)
    sections: list[tuple[str, str, str]] = []  # (anchor, title, html)

    ring = tables.pop("ringkasan", None)
    summary = _cards(layers, year)
    if ring is not None and len(ring):
        summary += '<div style="max-width:760px">' + _table_html(ring, "t-ringkasan", headers) + "</div>"
    sections.append(("ringkasan", "Ringkasan", summary))

    data = _map_data(layers, pal)
    if data is not None:
        # "<", ">" and "&" as JSON escapes: nothing in the data can end or confuse the script element
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        sections.append(
            (
                "peta-interaktif",
                "Peta interaktif",
                '<p class="note">Program di atas zonasi; klik objek untuk rinciannya. Lapisan dapat dinyalakan/dimatikan di kanan atas. '
                "Tanpa peta dasar daring: berkas ini bekerja tanpa internet.</p>"
                f'<div id="peta" role="region" aria-label="Peta interaktif"></div><script type="application/json" id="sppr-data">{payload}</script>',
            )
        )

    if layers.get("kinerja") is not None:  # sppr_gis.kinerja.KinerjaResult: its own section, not in "Tabel lain"
        tables = {k: v for k, v in tables.items() if not k.startswith("kinerja_")}
        sections.append(("kinerja", "Kinerja", kinerja_section(layers["kinerja"], headers, _table_html)))
    # a table of an input not given is not shown: without a kawasan prioritas layer every program is "outside"
    skip = {"fokus_kawasan_prioritas"} if layers.get("kawasan_prioritas") is None and _no_kawasan(tables.get("fokus_kawasan_prioritas")) else set()
    order = [k for k in TABLE_TITLES if k in tables and k not in skip] + [k for k in tables if k not in TABLE_TITLES and k not in skip]
    main_tables = [k for k in order if k in TABLE_TITLES]
    other_tables = [k for k in order if k not in TABLE_TITLES]
    if main_tables:
        body = "".join(f'<h3 id="t-{k}-h">{html.escape(TABLE_TITLES[k])}</h3>{_table_html(tables[k], f"t-{k}", headers)}' for k in main_tables)
        sections.append(("tabel", "Tabel utama", body))
    if other_tables:
        body = "".join(f'<details><summary>{html.escape(k.replace("_", " ").capitalize())} ({len(tables[k])} baris)</summary>{_table_html(tables[k], f"t-{k}", headers)}</details>' for k in other_tables)
        sections.append(("tabel-lain", "Tabel lain", body))

    if maps:
        sections.append(("album", "Album peta", _album_html(maps, paper)))

    if manifest:
        sections.append(("jejak", "Jejak proses", _trace_html(manifest)))

    nav = "".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{html.escape(t)}</h2>{h}</section>' for a, t, h in sections)
    created = now_utc().strftime("%d-%m-%Y %H:%M UTC")
    doc_title = f"Laporan {title} Tahun {year}" if "sppr" in title.lower() else f"Laporan SPPR {title} Tahun {year}"
    return (
        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(doc_title)}</title>\n"
        f"<style>\n/* Leaflet 1.9.4 (BSD-2-Clause) */\n{css}\n</style>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(doc_title)}</h1><p>Sinkronisasi Program Pemanfaatan Ruang (SPPR) · dibuat {created} dengan sppr_gis {__version__}</p></header>\n"
        f"<nav>{nav}</nav>\n<main>{body}</main>\n"
        "<footer>Peta interaktif memakai Leaflet 1.9.4 (lisensi BSD-2-Clause, disertakan di bawah). Status kesesuaian: hasil "
        "tumpang susun lokasi program dengan zonasi dan matriks ITBX; sinkronisasi: kecocokan kegiatan, waktu dan lokasi dengan indikasi program utama."
        f"<details><summary>Lisensi Leaflet</summary><pre>{html.escape(lic)}</pre></details></footer>\n"
        f"<script>\n{js}\n</script>\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def _program_tables(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, pd.DataFrame]:
    """The tables of a report given none: the programs' conformance and its count per OPD."""
    tables: dict[str, pd.DataFrame] = {}
    r = layers.get("rencana")
    if r is None:
        r = layers.get("programs")
    if r is not None and len(r):
        cols = [c for c in ("program_id", "opd", "kegiatan", "pagu", "status", "itbx", "score", "dominant_zone", "status_sinkron", "keterangan") if c in r.columns]
        tables["kesesuaian"] = pd.DataFrame(r[cols])
        if "status" in r.columns and "opd" in r.columns:
            tables["status_kesesuaian"] = pd.crosstab(r["opd"].astype(str), r["status"].astype(str)).reset_index()
    return tables


def _trace_html(manifest: Mapping[str, Any]) -> str:
    """The process trace: the manifest's run, parameters and versions, and its inputs."""
    keep = {k: manifest[k] for k in ("name", "title", "year", "window", "created", "crs", "parameters", "versions") if k in manifest}
    rows = pd.DataFrame([(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)) for k, v in keep.items()], columns=["uraian", "nilai"])
    inputs = manifest.get("inputs")
    body = _table_html(rows, "t-manifest", {"uraian": "Uraian", "nilai": "Nilai"})
    if inputs:
        body += "<h3>Masukan</h3>" + _table_html(pd.DataFrame(inputs), "t-masukan", {})
    return body


def _album_html(maps: Sequence[str | os.PathLike[str]], paper: str) -> str:
    """The album's maps as figures (those that exist), with a note on the printed album."""
    figs = "".join(
        f'<figure><img alt="{html.escape(_caption(Path(p)))}" src="{_png_data_uri(Path(p))}"><figcaption>Peta {i + 1}. {html.escape(_caption(Path(p)))}</figcaption></figure>'
        for i, p in enumerate(maps)
        if Path(p).exists()
    )
    return '<p class="note">Peta yang sama ada di album_peta.pdf untuk dicetak (' + html.escape(str(paper).upper()) + ' mendatar).</p>' + figs


def _no_kawasan(table: pd.DataFrame | None) -> bool:
    """Whether a ``fokus_kawasan_prioritas`` table names no kawasan (only "outside" and the total)."""
    if table is None or "kawasan_prioritas" not in table.columns:
        return True
    return set(table["kawasan_prioritas"].astype(str)) <= {OUTSIDE_KP, "Jumlah"}


def write_report(
    path: str | os.PathLike[str],
    *,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    year: int,
    title: str,
    tables: Mapping[str, pd.DataFrame] | None = None,
    manifest: Mapping[str, Any] | None = None,
    maps: Sequence[str | os.PathLike[str]] | None = None,
    palette: Palette | Mapping[str, Any] | None = None,
    paper: str = "A3",
) -> Path:
    """Write ``laporan.html``: one self-contained file with summary, tables, atlas maps and an offline interactive map.

    Parameters
    ----------
    path : path
        The HTML file to write, or a folder (``laporan.html`` inside it).
    layers : mapping of str to GeoDataFrame or None
        As for :func:`sppr_gis.maps.album.write_album` (``zoning``, ``rencana`` or
        ``programs``, ``indikasi_program``, ``kecamatan``, ``kawasan_prioritas`` ...).
    year : int
        Fiscal year.
    title : str
        Place or run title.
    tables : mapping of str to DataFrame, optional
        Machine-named tables (``ringkasan``, ``matriks_1`` ...); known ones are
        shown first with Indonesian titles. Default: a program list and counts
        derived from the layers.
    manifest : mapping, optional
        The run manifest (parameters, inputs, versions), shown as "Jejak proses".
    paper : str
        The Album Peta's paper (``[album] paper``), named where the report points to the album.
    maps : sequence of paths, optional
        Atlas PNGs to embed (default: ``peta/*.png`` beside the report, if any).
    palette : Palette or mapping, optional
        Zone colours.

    Returns
    -------
    Path
        The file written.
    """
    target = Path(path)
    if target.suffix.lower() not in {".html", ".htm"}:
        target = target / "laporan.html"
    if maps is None:
        maps = sorted((target.parent / "peta").glob("*.png"))
    text = render_report(layers=layers, year=year, title=title, tables=tables, manifest=manifest, maps=maps, palette=palette, paper=paper)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
