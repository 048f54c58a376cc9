"""The Album Peta of an SPPR year: one map a page, as one PDF and as PNGs; and single ad-hoc maps.

Front matter: a cover (ALBUM PETA, the SPPR title, region, year, office and
logo), a KATA PENGANTAR page when its text is given, and the DAFTAR PETA
(every map with its page); every map is a PDF bookmark. Pages are A3
landscape by default (``paper="A4"`` available), text is at least 7 pt at
print size and fonts are embedded as TrueType (``pdf.fonttype`` 42; DejaVu
Sans, shipped with matplotlib, covers Indonesian).

Maps (those whose data is missing are left out):

1. administrative map: kecamatan and kelurahan with names, roads and rivers named;
2. pola ruang (zoning) with the full palette, the ITBX key (code and name) and codes in large blocks;
3. struktur ruang: networks by class, width by hierarchy, planned ones dashed, named along the lines;
4. conformance of the year's programs with the zoning (status of ``sppr check``);
5. synchronization of the indikasi program utama (IPU ``status_sinkron``);
6. medium-term IPU: every IPU of all years by start year, numbered and listed beside the map;
7. one map per OPD (zoomed to its programs, numbered and listed);
8. budget and conformance per kecamatan (pagu counted as the Buku Matriks counts it, classes that fit
   a handful of areas, status pies);
9. synergy and conflicts between programs (numbered and listed; permitted programs in protected
   zones are not conflicts);
10. programs in the priority areas.

>>> from sppr_gis.maps.album import write_album
>>> paths = write_album(layers, Path("out/2025"), year=2025, title="Kota Tanjungpinang")   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle, Wedge  # noqa: E402
from pyproj import CRS  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    LegendSection,
    MapFrame,
    category_legend,
    continuation_pages,
    counts_of,
    display_crs,
    draw_by_category,
    draw_outline,
    draw_zoning,
    geometry_type_legend,
    place_callouts,
    place_labels,
    place_line_labels,
    rupiah,
    split_by_dimension,
    zone_legend,
)
from sppr_gis.maps.classify import (  # noqa: E402
    assign_classes,
    assign_ranges,
    class_breaks,
    class_labels,
    few_classes,
    range_labels,
)
from sppr_gis.maps.palette import (  # noqa: E402
    IPU_SYNC_COLORS,
    IPU_SYNC_LABELS,
    RGB,
    STATUS_COLORS,
    STATUS_LABELS,
    SYNC_COLORS,
    SYNC_LABELS,
    Palette,
    distinct_colors,
    mpl_color,
    normalize_code,
)
from sppr_gis.text import angka  # noqa: E402

__all__ = ["write_album", "album_pages", "single_map", "write_map", "read_result_layer", "zone_field", "name_field"]

log = logging.getLogger(__name__)

STATUS_ORDER = ("tidak_sesuai", "perlu_kajian", "sesuai_bersyarat", "sesuai")
_ZONE_FIELDS = ("zone_code", "KODSZN", "KODZON", "KODKWS")
_ZONE_NAME_FIELDS = ("NAMSZN", "NAMZON", "NAMOBJ", "zone_name")
_KEC_FIELDS = ("WADMKC", "kecamatan", "nama", "NAMOBJ", "name")
_KEL_FIELDS = ("WADMKD", "kelurahan", "desa", "nama", "NAMOBJ", "name")
_AREA_FIELDS = ("nama", "NAMOBJ", "name", "kawasan", "NAMKWS", "KODKWS")
#: ``status_struktur`` of network programs on the struktur ruang map (not the networks' own colours).
STRUKTUR_COLORS: dict[str, RGB] = {"sesuai": (0, 170, 80), "sebagian": (245, 150, 0), "di_luar_rencana": (225, 0, 120)}
STRUKTUR_LABELS: dict[str, str] = {
    "sesuai": "Sesuai jaringan rencana (porsi ≥ 90%)",
    "sebagian": "Sebagian pada jaringan rencana",
    "di_luar_rencana": "Di luar rencana jaringan",
}
#: Relocation advice leaders and targets (a dark teal, apart from the status colours and the zones).
RELOCATION_COLOR: RGB = (0, 95, 115)
#: Land under every map (the region), so that faded layers read as land, not water.
LAND = (243, 239, 228)
#: Soft fills of the administrative map, one per kecamatan (cycled).
KEC_FILLS: tuple[RGB, ...] = ((252, 232, 196), (222, 238, 204), (246, 218, 222), (218, 230, 244), (236, 226, 246), (250, 244, 200), (214, 238, 236), (240, 228, 214))
#: Up to this many numbered programs are listed in the legend column rather than in a table beside the map.
LEGEND_ROWS = 0
#: Width (figure fraction) of the table column beside maps with numbered callouts.
TABLE_WIDTH = 0.18


# --------------------------------------------------------------------------- small helpers


def _first(gdf: pd.DataFrame | None, names: Sequence[str]) -> str | None:
    if gdf is None:
        return None
    lower = {str(c).lower(): c for c in gdf.columns}
    for n in names:
        if n in gdf.columns:
            return n
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def zone_field(zoning: pd.DataFrame | None) -> str | None:
    """The zone-code column of a zoning layer (``zone_code``, then KODSZN, KODZON, KODKWS)."""
    return _first(zoning, _ZONE_FIELDS)


def name_field(gdf: pd.DataFrame | None, kind: str = "kecamatan") -> str | None:
    """The name column of an administrative or area layer (``WADMKC``, ``WADMKD``, ``nama`` ...)."""
    return _first(gdf, {"kecamatan": _KEC_FIELDS, "kelurahan": _KEL_FIELDS, "area": _AREA_FIELDS, "zone": _ZONE_NAME_FIELDS}[kind])


def zone_name_field(zoning: pd.DataFrame | None, code_field: str | None) -> str | None:
    """The zone-name column that goes with ``code_field``: ``zone_name`` (the sync's), the NAM field paired
    with a KOD field (KODSZN -> NAMSZN), else NAMSZN, NAMZON, NAMOBJ."""
    paired = ["NAM" + code_field[3:]] if code_field and code_field.upper().startswith("KOD") else []
    return _first(zoning, ("zone_name", *paired, *_ZONE_NAME_FIELDS))


def _usable(gdf: gpd.GeoDataFrame | None) -> bool:
    return gdf is not None and isinstance(gdf, gpd.GeoDataFrame) and len(gdf) > 0 and gdf.crs is not None and bool((~(gdf.geometry.isna() | gdf.geometry.is_empty)).any())


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "-", str(text).lower()).strip("-")
    return s[:40] or "x"


def _counts(gdf: gpd.GeoDataFrame | None, column: str) -> dict[str, int]:
    if gdf is None or column not in gdf.columns:
        return {}
    return counts_of(gdf[column])


def _pagu(gdf: pd.DataFrame | None) -> float:
    if gdf is None or "pagu" not in gdf.columns:
        return float("nan")
    return float(pd.to_numeric(gdf["pagu"], errors="coerce").sum())


def _bounds(*frames: gpd.GeoDataFrame | None) -> tuple[float, float, float, float] | None:
    bs = []
    for f in frames:
        if _usable(f):
            g = f.geometry[~(f.geometry.isna() | f.geometry.is_empty)]
            b = g.total_bounds
            if np.all(np.isfinite(b)):
                bs.append(b)
    if not bs:
        return None
    a = np.array(bs)
    return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max()))


#: What each input is called in a page's source citations.
SOURCE_LABELS: dict[str, str] = {
    "zoning": "Pola ruang (zonasi)",
    "rules": "Matriks ITBX",
    "struktur_ruang": "Struktur ruang",
    "indikasi_program": "Indikasi program utama",
    "rencana": "Rencana program",
    "kecamatan": "Batas kecamatan",
    "kelurahan": "Batas kelurahan",
    "kawasan_prioritas": "Kawasan prioritas",
}


#: A boundary extract shipped with the package for the location inset (province and regencies), when present.
BUNDLED_INSET = Path(__file__).with_name("data") / "batas_wilayah.gpkg"
#: Its credit line, printed on every map that uses it.
BUNDLED_INSET_CREDIT = "batas wilayah sekitar dari cahyadsn/wilayah_boundaries (github.com/cahyadsn/wilayah_boundaries), lisensi MIT; lihat NOTICE"


def bundled_inset(bounds: Sequence[float] | None, crs: Any) -> gpd.GeoDataFrame | None:
    """The bundled boundaries around ``bounds`` (in ``crs``) for the inset, or None when no extract is shipped
    or none of it lies near the region."""
    if bounds is None or not BUNDLED_INSET.is_file():
        return None
    x0, y0, x1, y1 = bounds
    r = max(x1 - x0, y1 - y0) * 3
    box = gpd.GeoSeries([shapely.box(x0 - r, y0 - r, x1 + r, y1 + r)], crs=crs).to_crs(4326).total_bounds
    g = gpd.read_file(BUNDLED_INSET, bbox=tuple(box))
    # clipped to the neighbourhood: a neighbour's name then lands on its part in view, not on a far island
    return gpd.clip(g.to_crs(crs), shapely.box(x0 - r, y0 - r, x1 + r, y1 + r), keep_geom_type=True) if len(g) else None


def read_inset(spec: str | os.PathLike[str] | gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """``[album] inset``: a boundary layer (``path`` or ``path:layer``) with a name column, for the location inset.

    Raises
    ------
    sppr_gis.errors.ConfigError
        The file cannot be read, has no features or no CRS (the message names ``album.inset``).
    """
    from sppr_gis.errors import ConfigError

    if spec is None or isinstance(spec, gpd.GeoDataFrame):
        return spec
    text = str(spec)
    path, layer = text, None
    if not Path(text).exists() and ":" in text[2:]:
        path, layer = text.rsplit(":", 1)
    try:
        g = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:
        raise ConfigError(f"album.inset: {text}: cannot be read ({exc})") from None
    if not len(g) or g.crs is None:
        raise ConfigError(f"album.inset: {text}: " + ("no features" if not len(g) else "no CRS"))
    return g


class _Album:
    """Prepared layers (one metric CRS) and shared drawing for all pages."""

    def __init__(
        self,
        layers: Mapping[str, gpd.GeoDataFrame | None],
        *,
        year: int,
        title: str,
        palette: Palette | Mapping[str, Any] | None,
        source: str | None,
        dpi: int = 200,
        paper: str = "A3",
        region: str | None = None,
        office: str | None = None,
        signatory: str | None = None,
        logo: Any = None,
        sumber: Mapping[str, str] | None = None,
        place_date: str | None = None,
        inset: gpd.GeoDataFrame | None = None,
        inset_source: str | None = None,
    ) -> None:
        self.dpi = int(dpi)
        self.place_date = place_date
        self.inset_source = inset_source
        self.paper = paper
        self.region = region or title
        self.office = office
        self.signatory = signatory
        self.logo = logo
        self.sumber = {str(k): str(v) for k, v in (sumber or {}).items() if v}
        frames = {k: v for k, v in layers.items() if _usable(v)}
        order = ["zoning", "kecamatan", "rencana", "indikasi_program", "kelurahan", "kawasan_prioritas", "sinergi", "struktur_ruang"]
        firsts = [frames[k] for k in order if k in frames] + [v for k, v in frames.items() if k not in order]
        self.crs: CRS = display_crs(firsts)
        self.L: dict[str, gpd.GeoDataFrame] = {k: (v if CRS.from_user_input(v.crs) == self.crs else v.to_crs(self.crs)) for k, v in frames.items()}
        adv = layers.get("saran_relokasi")
        self.advice: pd.DataFrame | None = self.L.get("saran_relokasi", adv if isinstance(adv, pd.DataFrame) and len(adv) else None)
        self.year = int(year)
        self.title = title
        self.palette = palette if isinstance(palette, Palette) else Palette(palette)
        self.source = source
        z = self.L.get("zoning")
        self.zfield = zone_field(z)
        self.znames = zone_name_field(z, self.zfield)
        if z is not None and self.zfield is None:
            log.warning("zoning layer has no zone code column (%s); drawn without colours", ", ".join(_ZONE_FIELDS))
        self.zone_colors: dict[str, RGB] = {}
        if z is not None and self.zfield:
            codes = z[self.zfield]
            self.zone_colors = self.palette.colors(codes.dropna(), z.loc[codes.notna(), self.znames] if self.znames else None)
        self.kec_field = name_field(self.L.get("kecamatan"), "kecamatan")
        self.kel_field = name_field(self.L.get("kelurahan"), "kelurahan")
        self.city_bounds = _bounds(self.L.get("zoning"), self.L.get("kecamatan"), self.L.get("kelurahan")) or _bounds(*self.L.values())
        ctx = self.L.get("kecamatan")
        if ctx is None:
            ctx = self.L.get("kelurahan")
        if ctx is None and z is not None:
            ctx = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(np.asarray(z.geometry.dropna().array, dtype=object))).simplify(20)], crs=self.crs)
        self.context = ctx
        self.inset = inset if inset is not None else (bundled_inset(self.city_bounds, self.crs) if self.city_bounds else None)
        if self.inset is not None and inset is None:
            self.inset_source = BUNDLED_INSET_CREDIT
        #: One scale for every full-city map, so that they compare page to page (1:N, N rounded up to a nice number).
        self.scale = self.album_scale()
        self.number = 0
        self.zoning_page: int | None = None

    # -- shared pieces ---------------------------------------------------------

    def frame(self, title: str, subtitle: str | None = None, *, table: bool = False) -> MapFrame:
        self.number += 1
        sub = f"{self.title} · Tahun {self.year}" + (f"\n{subtitle}" if subtitle else "")
        return MapFrame(
            title, crs=self.crs, subtitle=sub, number=f"Peta {self.number}", dpi=self.dpi, paper=self.paper,
            region=self.region, office=self.office, signatory=self.signatory, logo=self.logo, table_width=TABLE_WIDTH if table else 0.0,
            place_date=self.place_date, inset_layer=self.inset,
        )

    def album_scale(self) -> float | None:
        """The denominator at which the region (with a 3% margin) fits the map box of every full-city page
        (with or without a table column), rounded up to a multiple of 5 x 10^(n-1) (1:65.000)."""
        if self.city_bounds is None:
            return None
        from sppr_gis.maps.cartography import _MAP_BOX, paper_size

        x0, y0, x1, y1 = self.city_bounds
        w, h = (x1 - x0) * 1.06, (y1 - y0) * 1.06
        pw, ph = paper_size(self.paper)
        need = 0.0
        for tw in (0.0, TABLE_WIDTH):
            bw = (_MAP_BOX[2] - tw) * pw * 0.0254
            bh = _MAP_BOX[3] * ph * 0.0254
            need = max(need, w / bw, h / bh)
        if need <= 0:
            return None
        step = 5 * 10 ** (math.floor(math.log10(need)) - 1)  # 1:65.000, 1:7.500, 1:250.000 ...
        return float(math.ceil(need / step * (1 - 1e-9)) * step)

    def land(self, frame: MapFrame) -> None:
        """The region as land (a warm light fill) under everything else, so that faded layers do not read as water."""
        if self.context is not None:
            self.context.plot(ax=frame.ax, color=[mpl_color(LAND)] * len(self.context), edgecolor="none", zorder=0.6)

    def zoning_note(self) -> str:
        where = f"warna dan kode pada Peta {self.zoning_page}" if self.zoning_page else "warna zona"
        return f"Latar: zonasi ({where}, dipudarkan)." if "zoning" in self.L else ""

    def program_callouts(self, f: MapFrame, geo: gpd.GeoDataFrame) -> LegendSection | None:
        """Numbered callouts on the programs, keyed to the table beside the map (id, activity, pagu, status).

        Without a table column (a few programs) the list is returned as a legend section instead.
        """
        dims = shapely.get_dimensions(np.asarray(geo.geometry.array, dtype=object))
        idc = "program_id" if "program_id" in geo.columns else None
        order = sorted(range(len(geo)), key=lambda i: str(geo[idc].iloc[i]) if idc else i)
        rows = []
        for n, i in enumerate(order, start=1):
            row = geo.iloc[i]
            bits = [str(row[idc]) if idc else f"Program {n}"]
            keg = row.get("kegiatan")
            if isinstance(keg, str) and keg:
                bits.append(keg.replace("_", " "))
            pagu = pd.to_numeric(pd.Series([row.get("pagu")]), errors="coerce").iloc[0]
            tail = [rupiah(float(pagu))] if pd.notna(pagu) else []
            st = row.get("status")
            if isinstance(st, str) and st in STATUS_LABELS:
                tail.append(STATUS_LABELS[st].split(" (")[0].lower())
            rows.append((str(n), " ".join(bits) + (" · " + ", ".join(tail) if tail else "")))
        listed = None
        if f.table_box is not None:
            shown = f.add_table("Daftar program", rows, more="lihat Buku Matriks, lembar Kesesuaian")
        else:
            shown = len(rows)
            blank = [Line2D([], [], linestyle="", marker="") for _ in rows]
            listed = LegendSection("Daftar program (nomor pada peta)", blank, [textwrap.fill(f"{n}. {t}", 46, subsequent_indent="    ") for n, t in rows])
            f.data["listed"] = rows
        xy = [_anchor(geo.geometry.iloc[order[k]]) for k in range(shown)]
        cols = [mpl_color(STATUS_COLORS.get(str(geo["status"].iloc[order[k]]), (40, 40, 40))) if "status" in geo.columns else "#222222" for k in range(shown)]
        # points first: their callouts need the nearest room
        first = sorted(range(shown), key=lambda k: dims[order[k]])
        place_callouts(f.ax, [xy[k] for k in first], [str(k + 1) for k in first], colors=[cols[k] for k in first], fontsize=5.5 * f.k, gid="program")
        return listed

    def citations(self, shows: Sequence[str]) -> list[str]:
        """Source lines for the inputs a page shows: ``[album.sumber]`` first, else the generic label."""
        lines = []
        for key in shows:
            if key in self.sumber:
                lines.append(f"{SOURCE_LABELS.get(key, key)}: {self.sumber[key]}")
        if self.source:
            lines.append(self.source)
        if not lines:
            lines.append(("" if self.sumber else "Sumber: ") + ", ".join(SOURCE_LABELS.get(k, k).lower() for k in shows if k in self.L or k == "rules") + ".")
        lines.append(f"Analisis: Sinkronisasi Program Pemanfaatan Ruang tahun {self.year}.")
        return ["Sumber:"] + lines if self.sumber else lines

    def zoning(self, frame: MapFrame, alpha: float) -> None:
        self.land(frame)
        z = self.L.get("zoning")
        if z is None:
            return
        if self.zfield:
            draw_zoning(frame.ax, z, self.palette, code_field=self.zfield, name_field=self.znames, alpha=alpha, edgecolor=(1, 1, 1, 0.6 * alpha + 0.2))
        else:
            z.plot(ax=frame.ax, color="#e5e5e5", edgecolor="white", linewidth=0.2, zorder=1)

    def admin(self, frame: MapFrame, *, labels: bool = True, kelurahan: bool = False) -> list:
        if kelurahan:
            draw_outline(frame.ax, self.L.get("kelurahan"), color="#6b6b6b", linewidth=0.45, linestyle=":", zorder=3)
        kec = self.L.get("kecamatan")
        draw_outline(frame.ax, kec, color="#2b2b2b", linewidth=1.0, linestyle=(0, (6, 2, 1, 2)), zorder=3.2)
        if not labels or kec is None or not self.kec_field:
            return []
        pts = kec.geometry.representative_point()
        return place_labels(frame.ax, [(p.x, p.y) for p in pts], [str(n).upper() for n in kec[self.kec_field]], fontsize=8, color="#3a3a3a", style="italic", weight="bold")

    def zone_names(self) -> dict[str, str]:
        """Zone code -> the zoning's own (Perda) name, the first given for each code."""
        z = self.L.get("zoning")
        if z is None or not self.znames or not self.zfield:
            return {}
        first = z[[self.zfield, self.znames]].dropna()
        first = first[first[self.znames].astype(str).str.strip() != ""].drop_duplicates(self.zfield)
        return {str(k): " ".join(str(v).split()) for k, v in zip(first[self.zfield], first[self.znames])}

    def zone_section(self, alpha: float, used: set[str] | None = None, codes_only: bool = False, whole: bool = False) -> LegendSection | None:
        """The zones' key (code and Perda name); ``codes_only`` (a faded background): when the names do not fit,
        codes in four columns, names on the pola ruang map; ``whole``: names never cut."""
        colors = {c: v for c, v in self.zone_colors.items() if used is None or c in used}
        if not colors:
            return None
        h, lab = zone_legend(colors, self.palette, self.zone_names(), alpha=alpha, max_chars=None if whole else 44)
        if codes_only and len(h) > 6:
            title = "Zona (RDTR/RTRW)" + (f"; nama pada Peta {self.zoning_page}" if self.zoning_page else "")
            return LegendSection(title, h, lab, short_labels=[t.split(" ", 1)[0] for t in lab], compact_ncol=4)
        return LegendSection("Zona (RDTR/RTRW)", h, lab, short_labels=[_code_only(t, 26) for t in lab] if len(h) > 6 else None)

    def admin_section(self) -> LegendSection | None:
        hs, ls = [], []
        if "kecamatan" in self.L:
            hs.append(Line2D([], [], color="#2b2b2b", linewidth=1.0, linestyle=(0, (6, 2, 1, 2))))
            ls.append("Batas kecamatan")
        return LegendSection("Batas administrasi", hs, ls) if hs else None

    def finish(self, frame: MapFrame, avoid: gpd.GeoDataFrame | None = None, note: str | None = None, shows: Sequence[str] = ("rencana", "zoning", "kecamatan")) -> MapFrame:
        extra = [note] if note else []
        if frame.data.get("outside"):
            extra.append("Di luar batas wilayah: " + "; ".join(frame.data["outside"]) + " (lihat Buku Matriks).")
        cites = self.citations(shows)
        if self.inset is not None and self.inset_source:
            cites.insert(len(cites) - 1, f"Peta lokasi: {self.inset_source}")
        frame.finish(cites + extra, avoid=avoid, context=self.context)
        return frame

    def city_extent(self, frame: MapFrame) -> None:
        """The whole administrative area at the album scale, centred; programs beyond the frame are noted."""
        assert self.city_bounds is not None
        x0, y0, x1, y1 = self.city_bounds
        if self.scale:
            frame.set_scale_extent(((x0 + x1) / 2, (y0 + y1) / 2), self.scale)
        else:  # pragma: no cover - no bounds, no scale
            frame.set_extent(self.city_bounds, pad=0.03)
        ext = frame.extent
        assert ext is not None
        box = shapely.box(*ext)
        out = []
        for key, idf in (("rencana", "program_id"), ("indikasi_program", "ipu_id")):
            g = self.L.get(key)
            if g is None:
                continue
            geoms = np.asarray(g.geometry.array, dtype=object)
            has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            beyond = has & ~shapely.intersects(geoms, box)
            if beyond.any():
                ids = g.loc[beyond, idf].astype(str).tolist() if idf in g.columns else []
                out.append(f"{int(beyond.sum())} lokasi {'program' if key == 'rencana' else 'IPU'} di luar bingkai peta" + (f" ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})" if ids else ""))
        frame.data["outside"] = out

    # -- pages -----------------------------------------------------------------

    def network(self, frame: MapFrame, *, labels: bool = True, zorder: float = 5.8) -> LegendSection | None:
        """The struktur ruang networks by class (hierarchy in the width, planned ones dashed), named from their attributes."""
        roads = self.L.get("struktur_ruang")
        if roads is None:
            return None
        jf = _first(roads, ("JNSRSR", "jenis", "kelas", "NAMOBJ"))
        cats = roads[jf].astype(str) if jf else pd.Series(["Jaringan"] * len(roads), index=roads.index)
        colors = _network_colors(sorted(set(cats)), avoid=list(self.zone_colors.values()))
        sf = _first(roads, ("STSJRN", "status"))
        planned = roads[sf].astype(str).str.lower().str.contains("rencana") if sf else pd.Series(False, index=roads.index)
        g = roads.assign(_j=cats, _p=planned)
        for dim, part in split_by_dimension(g).items():
            for (key, plan), grp in part.groupby(["_j", "_p"]):
                col = mpl_color(colors[str(key)])
                w = _network_width(str(key))
                if dim == 0:
                    grp.plot(ax=frame.ax, color=col, marker="s", markersize=16, edgecolor="white", zorder=zorder + 0.2)
                elif dim == 2:
                    grp.plot(ax=frame.ax, facecolor=(*col, 0.25), edgecolor=col, linewidth=1.0, zorder=zorder)
                else:
                    grp.plot(ax=frame.ax, color="white", linewidth=w + 1.6, zorder=zorder)
                    grp.plot(ax=frame.ax, color=col, linewidth=w, linestyle=(0, (4, 2)) if plan else "-", zorder=zorder + 0.1, gid="network")
        if labels:
            nf = _first(roads, ("NAMOBJ", "nama", "name", "NAMA", "NAMJLN"))
            if nf and nf != jf:
                ok = roads[nf].notna() & (roads[nf].astype(str).str.strip() != "")
                sel = roads[ok]
                order = np.argsort(-sel.geometry.length.to_numpy(), kind="stable")  # long ones first
                place_line_labels(frame.ax, [sel.geometry.iloc[i] for i in order], [str(sel[nf].iloc[i]) for i in order], fontsize=6.5 * frame.k, color="#1f2f4a")
        kinds = sorted(colors, key=lambda k: (-_network_width(k), k))
        h = [Line2D([], [], color=mpl_color(colors[k]), linewidth=_network_width(k)) for k in kinds]
        cnt = _counts(g, "_j")
        length = g.assign(_len=g.geometry.length).groupby("_j")["_len"].sum()
        lab = [f"{k} ({cnt.get(k, 0)}; {_km(float(length.get(k, 0.0)))})" for k in kinds]
        if planned.any():
            h += [Line2D([], [], color="#333333", linewidth=1.7), Line2D([], [], color="#333333", linewidth=1.7, linestyle=(0, (4, 2)))]
            lab += ["Eksisting", "Rencana"]
        return LegendSection("Struktur ruang (jaringan)", h, lab)

    def page_admin(self) -> MapFrame | None:
        kec, kel = self.L.get("kecamatan"), self.L.get("kelurahan")
        if kec is None and kel is None:
            return None
        base, bfield, unit = (kec, self.kec_field, "kecamatan") if kec is not None else (kel, self.kel_field, "kelurahan")
        names = base[bfield].astype(str).tolist() if bfield else [f"{unit.title()} {i + 1}" for i in range(len(base))]
        area = float(shapely.union_all(np.asarray(base.geometry.dropna().array, dtype=object)).area) / 1e6
        bits = [f"{len(kec)} kecamatan" if kec is not None else None, f"{len(kel)} kelurahan" if kel is not None else None, f"luas {angka(area, 2)} km²"]
        f = self.frame("Peta Administrasi", ", ".join(b for b in bits if b))
        self.city_extent(f)
        fills = {n: KEC_FILLS[i % len(KEC_FILLS)] for i, n in enumerate(dict.fromkeys(names))}
        base.plot(ax=f.ax, color=[mpl_color(fills[n]) for n in names], edgecolor="none", zorder=0.8)
        if kel is not None:
            draw_outline(f.ax, kel, color="#555555", linewidth=0.8, linestyle=":", zorder=3)
        draw_outline(f.ax, kec, color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2)), zorder=3.2)
        net = self.network(f, labels=False)
        # names: kecamatan large, then kelurahan, then the networks along their lines
        pts = base.geometry.representative_point()
        place_labels(f.ax, [(p.x, p.y) for p in pts], [n.upper() for n in names], fontsize=9.5 * f.k, color="#222222", weight="bold", zorder=21)
        if kel is not None and self.kel_field:
            kp = kel.geometry.representative_point()
            place_labels(f.ax, [(p.x, p.y) for p in kp], [str(n) for n in kel[self.kel_field]], fontsize=6 * f.k, color="#333333", style="italic")
        if net is not None:
            roads = self.L["struktur_ruang"]
            nf = _first(roads, ("NAMOBJ", "nama", "name", "NAMA", "NAMJLN"))
            if nf:
                sel = roads[roads[nf].notna()]
                order = np.argsort(-sel.geometry.length.to_numpy(), kind="stable")
                place_line_labels(f.ax, [sel.geometry.iloc[i] for i in order], [str(sel[nf].iloc[i]) for i in order], fontsize=6 * f.k, color="#1f2f4a")
        areas = base.geometry.area.to_numpy() / 1e6
        nkel = {}
        kc = _first(kel, ("WADMKC", "kecamatan", "nama_kecamatan")) if kel is not None and unit == "kecamatan" else None
        if kc and kc != self.kel_field:
            nkel = kel[kc].dropna().astype(str).value_counts().to_dict()
        h = [Patch(facecolor=mpl_color(fills[n]), edgecolor="#444444", linewidth=0.5) for n in names]
        lab = [f"{n} ({angka(a, 2)} km²" + (f", {nkel[n]} kelurahan)" if n in nkel else ")") for n, a in zip(names, areas)]
        secs = [LegendSection(unit.title(), h, lab)]
        bh, bl = [], []
        if kec is not None:
            bh.append(Line2D([], [], color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2))))
            bl.append("Batas kecamatan")
        if kel is not None:
            bh.append(Line2D([], [], color="#555555", linewidth=0.8, linestyle=":"))
            bl.append("Batas kelurahan")
        secs.append(LegendSection("Batas administrasi", bh, bl))
        secs.append(net)
        f.add_legend([x for x in secs if x])
        return self.finish(f, shows=("kecamatan", "kelurahan", "struktur_ruang"))

    def page_zoning(self) -> MapFrame | None:
        z = self.L.get("zoning")
        if z is None:
            return None
        ncodes = len(self.zone_colors)
        f = self.frame("Peta Rencana Pola Ruang (Zonasi)", f"{ncodes} kode zona/subzona; kode pada peta = kolom matriks ITBX" if ncodes else None)
        self.city_extent(f)
        self.zoning(f, 1.0)
        self.zoning_page = self.number
        self.admin(f)
        self.zone_codes(f)
        sec = self.zone_section(1.0, whole=True)
        if sec is not None:
            sec.title = "Kode dan nama zona (kunci matriks ITBX)"
            # the key keeps whole names: wrapped in two columns rather than cut
            sec.short_labels = [textwrap.fill(t, 27) for t in sec.labels]
        f.add_legend([s for s in [sec, self.admin_section()] if s])
        note = "Kode zona dicetak pada blok zona yang cukup besar; kode yang sama dipakai sebagai kolom matriks ITBX (I/T/B/X) dalam Buku Matriks."
        return self.finish(f, note=note, shows=("zoning", "kecamatan"))

    def zone_codes(self, frame: MapFrame) -> int:
        """Zone codes printed inside the zone blocks large enough to hold them; returns how many."""
        z = self.L.get("zoning")
        if z is None or not self.zfield:
            return 0
        ok = z[z[self.zfield].notna() & ~(z.geometry.isna() | z.geometry.is_empty)]
        if not len(ok):
            return 0
        fs = max(MIN_PT, 6 * frame.k)
        mpp = (frame.ax.get_xlim()[1] - frame.ax.get_xlim()[0]) / (frame.ax.get_window_extent().width * 72.0 / frame.fig.dpi)
        codes = ok[self.zfield].astype(str).to_numpy()
        half_w = np.array([(len(c) * 0.62 * fs + 3) / 2 for c in codes]) * mpp
        half_h = fs * 0.7 * mpp
        need = np.hypot(half_w, half_h)
        geoms = shapely.make_valid(np.asarray(ok.geometry.array, dtype=object))
        # cheap first cut: the bounding box must be large enough
        b = shapely.bounds(geoms)
        cand = np.flatnonzero(np.minimum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) >= 2 * half_h * 1.4)
        renderer = frame.fig.canvas.get_renderer()
        taken = [t.get_window_extent(renderer) for t in frame.ax.texts if t.get_visible() and t.get_text()]
        n = 0
        for i in cand:
            g = geoms[i]
            if shapely.get_type_id(g) == 6:
                g = max(shapely.get_parts(g), key=lambda p: p.area)
            try:
                (cx, cy), radius = _inscribed_circle(g, max(half_h / 2, 0.5))
            except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
                continue
            if radius < need[i]:
                continue
            rgb = self.zone_colors.get(codes[i], (200, 200, 200))
            dark = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 110
            t = frame.ax.text(
                cx, cy, codes[i], ha="center", va="center", fontsize=fs, fontweight="bold", color="white" if dark else "#1a1a1a", zorder=4,
                path_effects=[pe.withStroke(linewidth=1.6, foreground=(0.1, 0.1, 0.1, 0.6) if dark else (1, 1, 1, 0.7))], gid="zone-code",
            )
            if any(t.get_window_extent(renderer).overlaps(b) for b in taken):  # a kecamatan name is there
                t.remove()
                continue
            n += 1
        return n

    def page_struktur(self) -> MapFrame | None:
        roads = self.L.get("struktur_ruang")
        if roads is None:
            return None
        sf = _first(roads, ("STSJRN", "status"))
        n_plan = int(roads[sf].astype(str).str.lower().str.contains("rencana").sum()) if sf else 0
        km = float(roads.geometry.length.sum()) / 1000
        r = self.L.get("rencana")
        assessed = r[r["status_struktur"].isin(list(STRUKTUR_COLORS))] if r is not None and "status_struktur" in r.columns else None
        if assessed is not None and not len(assessed):
            assessed = None
        sub = f"{len(roads)} ruas jaringan ({angka(km, 1)} km)" + (f", {n_plan} rencana" if sf else "")
        if assessed is not None:
            sc = _counts(assessed, "status_struktur")
            sub += f"\n{len(assessed)} program jaringan {self.year}: " + ", ".join(f"{sc.get(k, 0)} {w}" for k, w in (("sesuai", "sesuai"), ("sebagian", "sebagian"), ("di_luar_rencana", "di luar rencana")))
        f = self.frame("Peta Rencana Struktur Ruang", sub)
        self.city_extent(f)
        self.land(f)
        draw_outline(f.ax, self.L.get("kelurahan"), color="#8a8a8a", linewidth=0.45, linestyle=":", zorder=3)
        self.admin(f)
        sec = self.network(f, labels=True)
        adm = self.admin_section()
        if adm and "kelurahan" in self.L:
            adm.handles.append(Line2D([], [], color="#8a8a8a", linewidth=0.6, linestyle=":"))
            adm.labels.append("Batas kelurahan")
        note = "Lebar garis menurut hierarki jaringan; garis putus-putus: rencana. Nama ruas dari atribut NAMOBJ."
        secs = [sec, adm]
        if assessed is not None:
            secs.insert(0, self.struktur_programs(f, assessed))
            note += " Program jaringan diberi warna menurut porsi lokasinya pada jaringan rencana kelasnya (status_struktur)."
        f.add_legend([s for s in secs if s])
        return self.finish(f, avoid=roads, note=note, shows=("struktur_ruang", "rencana", "kecamatan", "kelurahan"))

    def struktur_programs(self, f: MapFrame, assessed: gpd.GeoDataFrame) -> LegendSection:
        """The year's network programs on the struktur ruang map, coloured by ``status_struktur``: a broad
        translucent casing under lines (so the planned network stays readable through it), circles for points,
        outlines for areas; di_luar_rencana drawn last, on top."""
        k = math.sqrt(f.k)
        drawn: dict[str, int] = {}
        for status in reversed(list(STRUKTUR_COLORS)):
            grp = assessed[assessed["status_struktur"] == status]
            if not len(grp):
                continue
            col = mpl_color(STRUKTUR_COLORS[status])
            n = 0
            for dim, part in split_by_dimension(grp).items():
                n += len(part)
                if dim == 1:
                    part.plot(ax=f.ax, color="white", linewidth=10 * k, zorder=5.4, capstyle="round")
                    part.plot(ax=f.ax, color=(*col, 0.75), linewidth=8 * k, zorder=5.5, capstyle="round", gid=f"struktur:{status}")
                elif dim == 0:
                    part.plot(ax=f.ax, color=col, markersize=40 * f.k, edgecolor="#1a1a1a", linewidth=0.7, zorder=6.5, gid=f"struktur:{status}")
                else:
                    part.plot(ax=f.ax, facecolor=(*col, 0.3), edgecolor=col, linewidth=1.6, zorder=5.5, gid=f"struktur:{status}")
            drawn[status] = n
        f.data["struktur"] = drawn
        cnt = _counts(assessed, "status_struktur")
        hs = [Line2D([], [], color=mpl_color(STRUKTUR_COLORS[s]), alpha=0.75, linewidth=6, solid_capstyle="round") for s in STRUKTUR_COLORS]
        ls = [f"{STRUKTUR_LABELS[s]} ({cnt.get(s, 0)})" for s in STRUKTUR_COLORS]
        return LegendSection(f"Program {self.year} terhadap jaringan rencana", hs, ls)

    def page_conformance(self) -> MapFrame | None:
        r = self.L.get("rencana")
        if r is None or "status" not in r.columns:
            return None
        n = len(r)
        cnt = _counts(r, "status")
        sub = f"{n} program · " + ", ".join(f"{cnt.get(s, 0)} {STATUS_LABELS[s].split(' (')[0].lower()}" for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
        f = self.frame("Peta Kesesuaian Program terhadap Rencana Tata Ruang", sub)
        self.city_extent(f)
        self.zoning(f, 0.4)
        self.admin(f)
        dims = draw_by_category(f.ax, r, "status", STATUS_COLORS, order=STATUS_ORDER)
        h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, cnt, order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"), kind="mixed")
        gh, gl = geometry_type_legend(list(dims))
        reloc = self.relocation(f, r)
        zs = self.zone_section(0.4, None, codes_only=True)
        secs = [LegendSection("Status kesesuaian (jumlah program)", h, lab), reloc, LegendSection("Bentuk lokasi", gh, gl), zs, self.admin_section()]
        f.add_legend([s for s in secs if s])
        return self.finish(f, avoid=r, shows=("rencana", "zoning", "rules", "kecamatan"))

    def relocation(self, f: MapFrame, r: gpd.GeoDataFrame) -> LegendSection | None:
        """Relocation advice (``saran_relokasi``): a leader from each ``tidak_sesuai`` program to the nearest
        point of the nearest zone permitting its activity, a ring on that point, and ``code · distance``
        where the label finds room. Returns the legend section (None without advice rows)."""
        adv = self.advice
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

    def page_ipu(self) -> MapFrame | None:
        q = self.L.get("indikasi_program")
        if q is None or "status_sinkron" not in q.columns:
            return None
        cnt = _counts(q, "status_sinkron")
        sub = f"{len(q)} indikasi program · " + ", ".join(f"{cnt.get(s, 0)} {IPU_SYNC_LABELS[s].split(' (')[0].lower()}" for s in IPU_SYNC_COLORS)
        if not len(q):
            sub = "IPU tidak diberikan: tidak ada indikasi program yang disinkronkan"
        f = self.frame("Peta Sinkronisasi Indikasi Program Utama (IPU)", sub)
        self.city_extent(f)
        self.zoning(f, 0.22)
        self.admin(f)
        order = ("diskoneksi", "diskontinu", "sinkron", "belum_jadwal")
        dims = draw_by_category(f.ax, q, "status_sinkron", IPU_SYNC_COLORS, order=order)
        h, lab = category_legend(IPU_SYNC_COLORS, IPU_SYNC_LABELS, cnt, kind="mixed")
        gh, gl = geometry_type_legend(list(dims))
        f.add_legend([s for s in [LegendSection("Status sinkronisasi IPU", h, lab), LegendSection("Bentuk lokasi", gh, gl), self.admin_section()] if s])
        return self.finish(f, avoid=q, note=self.zoning_note(), shows=("indikasi_program", "rencana", "zoning", "kecamatan"))

    def page_ipu_period(self) -> MapFrame | None:
        """Every IPU of the plan (all years), coloured by start year, numbered and listed beside the map."""
        q = self.L.get("indikasi_program")
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
        f = self.frame(f"Peta Indikasi Program Utama Jangka Menengah {y0}" + (f"–{y1}" if y1 > y0 else ""), f"{len(q)} indikasi program menurut tahun mulai; nomor pada peta = nomor pada tabel", table=True)
        self.city_extent(f)
        self.land(f)
        self.admin(f, labels=True)
        g = q.assign(_y=key.to_numpy())
        dims = draw_by_category(f.ax, g, "_y", colors, order=[str(y) for y in reversed(years)], point_size=30, line_width=2.4, polygon_alpha=0.4)
        # numbered callouts keyed to the table, in start-year order
        ok = ~(q.geometry.isna() | q.geometry.is_empty).to_numpy()
        idc = _first(q, ("ipu_id", "id"))
        pc = _first(q, ("program", "nama_program", "kegiatan"))
        order = sorted(np.flatnonzero(ok), key=lambda i: (start.iloc[i] if pd.notna(start.iloc[i]) else 9999, str(q[idc].iloc[i]) if idc else i))
        rows = []
        for n, i in enumerate(order, start=1):
            per = f"{int(start.iloc[i])}–{int(end.iloc[i])}" if pd.notna(start.iloc[i]) and pd.notna(end.iloc[i]) else "-"
            bits = [str(q[idc].iloc[i]) if idc else "", str(q[pc].iloc[i]) if pc else ""]
            rows.append((str(n), " ".join(b for b in bits if b) + f", {per}"))
        shown = f.add_table("Daftar indikasi program", rows, more="lihat Buku Matriks, lembar Jangka Menengah")
        sel = [order[k] for k in range(shown)]
        xy = [_anchor(q.geometry.iloc[i]) for i in sel]
        place_callouts(f.ax, xy, [str(k + 1) for k in range(shown)], colors=[mpl_color(colors[key.iloc[i]]) for i in sel], fontsize=5.5 * f.k)
        cnt = key.value_counts().to_dict()
        keys = [str(y) for y in years] + (["tanpa tahun"] if "tanpa tahun" in cnt else [])
        h, lab = category_legend(colors, {k: (f"Mulai {k}" if k != "tanpa tahun" else "Tanpa tahun mulai") for k in keys}, cnt, kind="mixed", order=keys)
        gh, gl = geometry_type_legend(list(dims))
        f.add_legend([s for s in [LegendSection("Tahun mulai (jumlah IPU)", h, lab), LegendSection("Bentuk lokasi", gh, gl), self.admin_section()] if s])
        return self.finish(f, avoid=q, note=f"Semua indikasi program utama RTRW, seluruh tahun periodenya (tabel: id, program, periode); status sinkronisasi tahun {self.year} pada peta Sinkronisasi IPU.", shows=("indikasi_program", "kecamatan"))

    def pages_opd(self) -> Iterator[MapFrame]:
        r = self.L.get("rencana")
        if r is None or "opd" not in r.columns:
            return
        status_col = "status" if "status" in r.columns else None
        for opd in sorted(r["opd"].dropna().astype(str).unique()):
            sel = r[r["opd"].astype(str) == opd]
            geo = sel[~(sel.geometry.isna() | sel.geometry.is_empty)]
            bits = [f"{len(sel)} program", f"pagu {rupiah(_pagu(sel))}"]
            if "status_sinkron" in sel.columns:
                bits.append(f"{int((sel['status_sinkron'] == 'sinkron').sum())} sinkron dengan IPU")
            if len(geo) < len(sel):
                bits.append(f"{len(sel) - len(geo)} tanpa lokasi")
            # a few programs are listed in the legend column; more in a table beside the map
            f = self.frame(f"Peta Program {opd}", " · ".join(bits), table=len(geo) > LEGEND_ROWS)
            self.city_extent(f)
            self.zoning(f, 0.3)
            self.admin(f, kelurahan=True)
            if status_col:
                dims = draw_by_category(f.ax, sel, status_col, STATUS_COLORS, order=STATUS_ORDER)
                h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(sel, status_col), kind="mixed", order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
                title = "Status kesesuaian (jumlah program)"
            else:
                dims = draw_by_category(f.ax, sel.assign(_x="program"), "_x", {"program": (37, 99, 235)})
                h, lab, title = [], [], ""
            listed = self.program_callouts(f, geo) if len(geo) else None
            gh, gl = geometry_type_legend(list(dims))
            secs = [LegendSection(title, h, lab) if h else None, LegendSection("Bentuk lokasi", gh, gl), listed]
            adm = self.admin_section()
            if adm and "kelurahan" in self.L:
                adm.handles.append(Line2D([], [], color="#6b6b6b", linewidth=0.6, linestyle=":"))
                adm.labels.append("Batas kelurahan")
            secs.append(adm)
            f.add_legend([s for s in secs if s])
            yield self.finish(f, avoid=sel, note=f"Nomor pada peta = nomor pada tabel (rincian di Buku Matriks). {self.zoning_note()}", shows=("rencana", "zoning", "kecamatan", "kelurahan"))

    def page_kecamatan(self) -> MapFrame | None:
        r = self.L.get("rencana")
        kec = self.L.get("kecamatan")
        kfield = self.kec_field
        if kec is None or not kfield:
            kec, kfield = self.L.get("kelurahan"), self.kel_field
        if r is None or kec is None or not kfield:
            return None
        unit = "kecamatan" if kec is self.L.get("kecamatan") else "kelurahan"
        agg = _aggregate(r, kec, kfield, column=unit)
        f = self.frame(f"Peta Anggaran dan Kesesuaian Program per {unit.title()}", f"{len(r)} program · pagu {rupiah(_pagu(r))}")
        self.city_extent(f)
        vals = agg["pagu"].to_numpy(dtype=float)
        has = agg["n"].to_numpy() > 0
        ranges = few_classes(vals[has], 5)
        cmap = colormaps["YlOrBr"]
        ncls = len(ranges)
        shades = [cmap(0.15 + 0.7 * i / max(ncls - 1, 1)) for i in range(ncls)]
        cls = assign_ranges(vals, ranges)
        face = [shades[c] if h and c >= 0 else (0.96, 0.96, 0.96, 1.0) for c, h in zip(cls, has)]
        kec.plot(ax=f.ax, color=face, edgecolor="#444444", linewidth=0.8, zorder=1)
        fmt = _money_fmt(max((hi for _, hi in ranges), default=0.0))
        div = {"Rp triliun": 1e12, "Rp miliar": 1e9, "Rp juta": 1e6}.get(fmt[2], 1.0)
        labs = range_labels(ranges, fmt[0], unit=div / 10)
        names_in = [sorted(agg.loc[(cls == i) & has, "name"]) for i in range(ncls)]
        single = all(lo == hi for lo, hi in ranges)
        labs = [f"{t} ({', '.join(nm)})" if single else f"{t} ({len(nm)})" for t, nm in zip(labs, names_in)]
        handles = [Patch(facecolor=shades[i], edgecolor="#444444", linewidth=0.5) for i in range(ncls)]
        if (~has).any():
            handles.append(Patch(facecolor=(0.96, 0.96, 0.96), edgecolor="#444444", linewidth=0.5))
            labs.append(f"Tanpa program ({int((~has).sum())})")
        # status pies
        ext = f.extent
        assert ext is not None
        rmax = 0.055 * min(ext[2] - ext[0], ext[3] - ext[1])
        nmax = max(int(agg["n"].max()), 1)
        label_xy, label_txt, avoid_boxes = [], [], []
        renderer = f.fig.canvas.get_renderer()
        for _, row in agg.iterrows():
            if row["n"] <= 0:
                continue
            p = row["point"]
            rad = rmax * max(math.sqrt(row["n"] / nmax), 0.4)
            start = 90.0
            for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"):
                k = int(row.get(s, 0))
                if k <= 0:
                    continue
                sweep = 360.0 * k / row["n"]
                w = Wedge((p.x, p.y), rad, start, start + sweep, facecolor=mpl_color(STATUS_COLORS[s]), edgecolor="white", linewidth=0.6, zorder=8)
                f.ax.add_patch(w)
                start += sweep
            circle = Wedge((p.x, p.y), rad, 0, 360, fill=False, edgecolor="#222222", linewidth=0.6, zorder=8.1)
            f.ax.add_patch(circle)
            avoid_boxes.append(circle.get_window_extent(renderer))
            label_xy.append((p.x, p.y - rad * 1.0))
            label_txt.append(f"{row['name']}\n{fmt[1](row['pagu'])} · {row['n']} program · {row['persen_sesuai']:.0f}% sesuai*")
        placed: list = []
        for (x, y), t in zip(label_xy, label_txt):
            others = avoid_boxes + [a.get_window_extent(renderer) for a in placed]
            placed.extend(place_labels(f.ax, [(x, y)], [t], fontsize=7.5, avoid=others, weight="bold", va="top", offsets=[(0, -3), (0, -12), (40, -3), (-40, -3)]))
        sh, sl = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(r, "status") if "status" in r.columns else None, order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
        f.add_legend(
            [
                LegendSection(f"Pagu program per {unit} ({fmt[2]})", handles, labs),
                LegendSection("Proporsi status kesesuaian (lingkaran)", sh, sl),
            ]
        )
        outside = int(len(r) - agg["n"].sum())
        how = (
            f"Program dihitung pada {unit} yang tercatat untuknya (kolom {unit} lapisan rencana, sama dengan Buku Matriks)"
            if agg.attrs.get("by_column") else f"Program dihitung pada {unit} tempat titik representatif lokasinya berada"
        )
        kind = "satu kelas per nilai" if single else "interval sama, batas dibulatkan"
        note = (
            f"Luas lingkaran sebanding dengan jumlah program. * sesuai = sesuai + sesuai bersyarat. {how}"
            + (f"; {outside} program tanpa {unit}" if outside else "") + f". Kelas pagu: {kind}."
        )
        f.data = {"pagu": dict(zip(agg["name"], agg["pagu"])), "n": dict(zip(agg["name"], agg["n"])), "classes": ranges, "class_of": dict(zip(agg["name"], cls)), "divisor": div}
        return self.finish(f, note=note, shows=("rencana", "kecamatan"))

    def page_sinergi(self) -> MapFrame | None:
        r = self.L.get("rencana")
        s = self.L.get("sinergi")
        if r is None and s is None:
            return None
        kinds_all = _relation_kinds(s, r) if s is not None else pd.Series(dtype=object)
        cnt_all = kinds_all.value_counts().to_dict()
        sub = _relation_summary(cnt_all) or "tidak ada pasangan sinergi/konflik teridentifikasi"
        f = self.frame("Peta Sinergi dan Konflik Antarprogram", sub, table=s is not None and len(s) > 0)
        self.city_extent(f)
        self.land(f)
        self.admin(f)
        secs: list[LegendSection | None] = []
        if r is not None:
            # every program of the year, small and grey: the context of the relations
            draw_by_category(f.ax, r.assign(_o="program"), "_o", {"program": (160, 160, 160)}, point_size=9, line_width=1.0, polygon_alpha=0.25, zorder=4)
            secs.append(LegendSection("Program", [Line2D([], [], marker="o", linestyle="", markersize=4, markerfacecolor=mpl_color((160, 160, 160)), markeredgecolor="#1a1a1a", markeredgewidth=0.5)], [f"Program tahun {self.year} ({len(r)})"]))
        drawn: list[str] = []
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
                place_callouts(f.ax, [xy[k] for k in sel], [str(k + 1) for k in sel], colors=[cols[k] for k in sel], fontsize=5.5 * f.k, gid=f"relasi:{key}")
            drawn = [k for k in kinds if k in set(keys)]
            cnt = g.loc[ok, "_k"].value_counts().to_dict()
            h = [
                Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor="white", markeredgecolor=mpl_color(colors[k]), markeredgewidth=1.6, gid=f"relasi:{k}")
                for k in drawn
            ]
            lab = [f"{RELATION_LABELS.get(k, k.replace('_', ' ').capitalize())} ({cnt.get(k, 0)})" for k in drawn]
            secs.insert(0, LegendSection("Sinergi dan konflik (nomor = baris tabel)", h, lab))
        secs.append(self.admin_section())
        f.add_legend([x for x in secs if x])
        f.data = {"relations": drawn, "counts": cnt_all}
        note = (
            "Lokasi program yang terlibat diberi warna jenis hubungannya; nomor merujuk ke tabel di samping peta. "
            "Program di kawasan lindung yang diizinkan ITBX (I) tidak dinilai sebagai konflik."
        )
        return self.finish(f, avoid=s if s is not None else r, note=note, shows=("rencana", "zoning", "kecamatan"))

    def page_priority(self) -> MapFrame | None:
        kp = self.L.get("kawasan_prioritas")
        if kp is None:
            return None
        r = self.L.get("rencana")
        nf = name_field(kp, "area")
        names = kp[nf].astype(str).tolist() if nf else [f"Kawasan {i + 1}" for i in range(len(kp))]
        inside = _programs_in(r, kp) if r is not None else pd.Series(dtype=object)
        f = self.frame("Peta Program di Kawasan Prioritas", f"{len(kp)} kawasan · {int(inside.notna().sum())} program di dalamnya")
        self.city_extent(f)
        self.zoning(f, 0.25)
        self.admin(f, labels=False)
        strong = [(200, 0, 120), (90, 40, 170), (0, 120, 140), (170, 85, 0), (40, 40, 40), (120, 120, 0)]
        colors = {n: strong[i] for i, n in enumerate(dict.fromkeys(names)) if i < len(strong)}
        extra = [n for n in dict.fromkeys(names) if n not in colors]
        if extra:
            colors.update(distinct_colors(extra, avoid=list(colors.values()) + list(STATUS_COLORS.values()), min_distance=30))
        for name, geom in zip(names, kp.geometry):
            if geom is None or geom.is_empty:
                continue
            col = mpl_color(colors[name])
            gpd.GeoSeries([geom], crs=self.crs).plot(ax=f.ax, facecolor=(*col, 0.12), edgecolor=col, linewidth=2.0, hatch="//", zorder=2.5)
        dims: dict[int, int] = {}
        if r is not None:
            mask = inside.notna().to_numpy()
            outside = r[~mask]
            if len(outside):
                draw_by_category(f.ax, outside.assign(_o="luar"), "_o", {"luar": (175, 175, 175)}, point_size=14, line_width=1.4, polygon_alpha=0.45, zorder=4)
            if "status" in r.columns:
                dims = draw_by_category(f.ax, r[mask], "status", STATUS_COLORS, order=STATUS_ORDER, point_size=30, line_width=2.4, zorder=6)
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
        secs.append(self.admin_section())
        f.add_legend([x for x in secs if x])
        return self.finish(f, avoid=r, note="Program dihitung di dalam kawasan bila berpotongan dengan batas kawasan.", shows=("kawasan_prioritas", "rencana", "kecamatan"))


def _inscribed_circle(poly: Any, tolerance: float) -> tuple[tuple[float, float], float]:
    """Centre and radius of the largest circle inside a polygon (shapely 2.1's maximum_inscribed_circle, else polylabel)."""
    mic = getattr(shapely, "maximum_inscribed_circle", None)
    if mic is not None:
        circ = mic(poly, tolerance=tolerance)
        return tuple(circ.coords[0]), float(circ.length)  # type: ignore[return-value]
    from shapely.ops import polylabel

    p = polylabel(poly, tolerance=tolerance)
    return (p.x, p.y), float(p.distance(poly.boundary))


def _anchor(geom: Any) -> tuple[float, float]:
    """Where a callout points: the centroid of points and lines, a point inside areas."""
    if geom is None or geom.is_empty:
        return (float("nan"), float("nan"))
    p = geom.point_on_surface() if shapely.get_dimensions(geom) == 2 else geom.centroid
    if shapely.get_dimensions(geom) == 1 and not geom.buffer(1e-6).contains(p):
        p = geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else max(shapely.get_parts(geom), key=lambda x: x.length).interpolate(0.5, normalized=True)
    return (p.x, p.y)


def _code_only(label: str, n: int) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= n else label[: n - 1].rstrip() + "…"


def _network_colors(kinds: Sequence[str], avoid: Sequence[RGB] = ()) -> dict[str, RGB]:
    """Dark, meaningful colours for struktur ruang networks: water blue, roads dark grey/red, energy orange."""
    rules = [
        (("sungai", "air baku", "danau"), [(30, 110, 200)]),
        (("air minum", "spam", "pdam"), [(20, 50, 170), (60, 90, 200)]),
        (("drainase", "saluran"), [(0, 120, 140), (0, 90, 100)]),
        (("limbah", "sanitasi", "sampah"), [(120, 80, 20)]),
        (("listrik", "energi", "transmisi tenaga"), [(210, 120, 0)]),
        (("telekomunikasi",), [(120, 0, 160)]),
        (("jalan", "jembatan", "rel"), [(25, 25, 25), (130, 20, 20), (90, 90, 90), (160, 60, 60)]),
    ]
    used: dict[tuple[str, ...], int] = {}
    out: dict[str, RGB] = {}
    rest = []
    for k in kinds:
        low = k.lower()
        for words, cols in rules:
            if any(w in low for w in words):
                i = used.get(words, 0)
                used[words] = i + 1
                out[k] = cols[i % len(cols)]
                break
        else:
            rest.append(k)
    if rest:
        out.update(distinct_colors(rest, avoid=list(avoid) + list(out.values())))
    return out


def _network_width(kind: str) -> float:
    """Line width (pt) of a network class by its hierarchy: arteri > kolektor > sungai > primer > the rest."""
    low = kind.lower()
    for words, w in ((("tol", "arteri"), 3.0), (("kolektor",), 2.3), (("sungai",), 2.0), (("primer", "transmisi"), 1.8), (("sekunder", "distribusi"), 1.4)):
        if any(x in low for x in words):
            return w
    return 1.4


def _km(metres: float) -> str:
    return f"{angka(metres / 1000, 1)} km" if metres >= 1000 else f"{angka(metres, 0)} m"


def _opd_colors(opds: Sequence[str]) -> dict[str, RGB]:
    # categorical colours without the greens, reds and purples that mean sinergi / konflik / status
    base = [(31, 119, 180), (255, 127, 14), (140, 86, 75), (227, 119, 194), (23, 190, 207), (188, 189, 34), (60, 60, 60), (255, 187, 120), (174, 199, 232), (150, 150, 150)]
    out = {o: base[i] for i, o in enumerate(opds[: len(base)])}
    if len(opds) > len(base):
        out.update(distinct_colors(opds[len(base):], avoid=list(out.values())))
    return out


#: Legend labels of the synergy table's ``jenis`` values and of the protected-zone cases (others are shown as written).
RELATION_LABELS: dict[str, str] = {
    "sinergi": "Sinergi antar-OPD (lokasi berdekatan)",
    "tabrakan": "Tabrakan pekerjaan (tahun berurutan)",
    "konflik": "Konflik antarprogram",
    "lindung_X": "Dilarang di kawasan lindung (X): konflik",
    "lindung_TB": "Bersyarat di kawasan lindung (T/B)",
    "lindung_kajian": "Di kawasan lindung, perlu kajian",
    "lindung_I": "Diizinkan di kawasan lindung (I), bukan konflik",
    "kawasan_lindung": "Program di kawasan lindung",
}
#: Short names of the same, for the table.
RELATION_SHORT: dict[str, str] = {
    "sinergi": "Sinergi", "tabrakan": "Tabrakan", "konflik": "Konflik", "lindung_X": "Lindung, dilarang", "lindung_TB": "Lindung, bersyarat",
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


def _relation_kinds(s: gpd.GeoDataFrame, r: gpd.GeoDataFrame | None) -> pd.Series:
    """The map category of each synergy-table row: its ``jenis``; protected-zone rows split by what the zoning says.

    A program in a protected zone is ``lindung_X`` (conformance ``tidak_sesuai``),
    ``lindung_TB`` (``sesuai_bersyarat``), ``lindung_kajian`` (``perlu_kajian``) or
    ``lindung_I`` (``sesuai``: every counted zone permits it, e.g. an RTH program in an RTH zone).
    """
    jenis = s["jenis"].astype(str) if "jenis" in s.columns else pd.Series(["hubungan"] * len(s), index=s.index)
    out = jenis.copy()
    lind = jenis.str.contains("lindung", case=False).to_numpy()
    if not lind.any():
        return out
    status: dict[str, str] = {}
    itbx: dict[str, str] = {}
    if r is not None and "program_id" in r.columns:
        ids = r["program_id"].astype(str)
        if "status" in r.columns:
            status = dict(zip(ids, r["status"].astype(str)))
        if "itbx" in r.columns:
            itbx = dict(zip(ids, r["itbx"].astype(str)))
    by_status = {"tidak_sesuai": "lindung_X", "sesuai_bersyarat": "lindung_TB", "perlu_kajian": "lindung_kajian", "sesuai": "lindung_I"}
    for pos in np.flatnonzero(lind):
        row = s.iloc[pos]
        pid = str(row.get("program_id", ""))
        st = str(row.get("status", "")) if "status" in s.columns else status.get(pid, "")
        kind = by_status.get(st)
        if kind is None:
            cell = itbx.get(pid, "")
            kind = {"X": "lindung_X", "T": "lindung_TB", "B": "lindung_TB", "I": "lindung_I"}.get(cell)
        if kind is None:
            note = str(row.get("keterangan", "")).lower()
            kind = "lindung_X" if "dilarang" in note else "lindung_TB" if "bersyarat" in note else "lindung_kajian" if "kajian" in note else "lindung_I" if "diizinkan" in note else "kawasan_lindung"
        out.iloc[pos] = kind
    return out


def _relation_summary(counts: Mapping[str, int]) -> str:
    """``11 pasangan sinergi, 2 tabrakan pekerjaan, 10 program di kawasan lindung (6 diizinkan, ...)``."""
    bits = []
    if counts.get("sinergi"):
        bits.append(f"{counts['sinergi']} pasangan sinergi")
    if counts.get("tabrakan"):
        bits.append(f"{counts['tabrakan']} tabrakan pekerjaan")
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


class _LazyRows(Sequence):
    """A table's rows made when read (``make(i)`` for row i)."""

    def __init__(self, n: int, make: Callable[[int], tuple[str, str]]) -> None:
        self._n, self._make = n, make

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return self._make(i % self._n)


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
        return str(pid) + (f" ({str(keg).replace('_', ' ')})" if isinstance(keg, str) and keg else "")

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


def _money_fmt(top: float) -> tuple[Any, Any, str]:
    from sppr_gis.text import angka

    for div, word in ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")):
        if top >= div:
            def short(v: float, div: float = div) -> str:
                x = v / div
                return angka(x, 0 if x >= 100 or abs(x - round(x)) < 0.05 else 1)

            return short, lambda v: rupiah(v), f"Rp {word}"
    return (lambda v: angka(v, 0)), (lambda v: rupiah(v)), "Rp"


def _place_key(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return " ".join(re.sub(r"[^\w\s]", " ", str(v).casefold()).split())


def _aggregate(r: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, field: str, column: str | None = None) -> pd.DataFrame:
    """Per area: program count, pagu, counts per status, % sesuai, label point.

    When ``r`` has ``column`` (``kecamatan``: the area the sync located each
    program in, also used by the Buku Matriks) and its names match the areas',
    programs are counted by it, so that the map and the tables agree; otherwise
    by the area holding each program's representative point.
    """
    a = areas[[field, areas.geometry.name]].reset_index(drop=True)
    a = gpd.GeoDataFrame({"_area": np.arange(len(a)), "name": a[field].astype(str)}, geometry=a.geometry.values, crs=areas.crs)
    by_column = False
    if column and column in r.columns:
        index = {_place_key(n): i for i, n in enumerate(a["name"])}
        keys = r[column].map(_place_key)
        known = keys[keys != ""]
        if len(known) and known.isin(list(index)).all():
            j = r.drop(columns=r.geometry.name).assign(_area=keys.map(index).to_numpy())
            by_column = True
    if not by_column:
        ok = r[~(r.geometry.isna() | r.geometry.is_empty)]
        pts = gpd.GeoDataFrame(ok.drop(columns=ok.geometry.name), geometry=ok.geometry.representative_point().values, crs=r.crs)
        j = gpd.sjoin(pts, a, how="left", predicate="intersects")
        j = j[~j.index.duplicated(keep="first")]
    rows = []
    for i, row in a.iterrows():
        sel = j[j["_area"] == i]
        n = len(sel)
        d: dict[str, Any] = {"name": row["name"], "n": n, "pagu": _pagu(sel) if n else 0.0, "point": row.geometry.representative_point()}
        st = _counts(sel, "status")
        for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"):
            d[s] = st.get(s, 0)
        d["persen_sesuai"] = 100.0 * (d["sesuai"] + d["sesuai_bersyarat"]) / n if n else 0.0
        rows.append(d)
    out = pd.DataFrame(rows)
    if np.isnan(out["pagu"].to_numpy(dtype=float)).all():
        out["pagu"] = out["n"].astype(float)
    out.attrs["by_column"] = by_column
    return out


def _programs_in(r: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """Index of the first area each program intersects (NaN if none), aligned with ``r``."""
    ok = r[~(r.geometry.isna() | r.geometry.is_empty)]
    a = gpd.GeoDataFrame({"_area": np.arange(len(areas))}, geometry=areas.geometry.values, crs=areas.crs)
    j = gpd.sjoin(ok[[ok.geometry.name]], a, how="left", predicate="intersects")
    j = j[~j.index.duplicated(keep="first")]
    return j["_area"].reindex(r.index)


def album_pages(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    year: int,
    title: str,
    palette: Palette | Mapping[str, Any] | None = None,
    source: str | None = None,
    dpi: int = 200,
    paper: str = "A3",
    region: str | None = None,
    office: str | None = None,
    signatory: str | None = None,
    logo: Any = None,
    sumber: Mapping[str, str] | None = None,
    place_date: str | None = None,
    inset: gpd.GeoDataFrame | None = None,
    inset_source: str | None = None,
) -> Iterator[tuple[str, MapFrame]]:
    """Build the album's map pages one by one (the front matter is added by :func:`write_album`).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or None
        ``zoning``, ``rencana``, ``indikasi_program``, ``kecamatan``,
        ``kelurahan``, ``kawasan_prioritas``, ``sinergi``, ``struktur_ruang``;
        any may be missing or None (its pages are left out).
    year : int
        Fiscal year.
    title : str
        The SPPR title printed under every map title (``SPPR Kota Contoh``).
    palette : Palette or mapping, optional
        Zone colours, or overrides code -> colour.
    source : str, optional
        An extra source line printed on every map.
    dpi : int
        Layout (and PNG) resolution.
    paper : str
        ``A3`` (default) or ``A4``, landscape.
    region : str, optional
        Region name (inset title, cover); default ``title``.
    office, signatory : str, optional
        The publishing office and the signatory (name, position, NIP), printed on every page.
    logo : path, optional
        The office's logo (PNG or JPEG).
    sumber : mapping, optional
        Input key (``zoning``, ``rencana``, ``kecamatan`` ...) -> citation,
        printed on the pages that show that input.
    place_date : str, optional
        The place-and-date line above the signatory (``Tanjungpinang, 2 Januari 2026``).
    inset : GeoDataFrame, optional
        Boundaries around the region (province, neighbouring regencies) for the location inset;
        the bundled extract when not given.
    inset_source : str, optional
        Its citation, printed on every map.

    Yields
    ------
    (str, MapFrame)
        File stem (``01_zonasi``) and the finished page.
    """
    a = _Album(layers, year=year, title=title, palette=palette, source=source, dpi=dpi, paper=paper, region=region, office=office, signatory=signatory, logo=logo, sumber=sumber,
               place_date=place_date, inset=inset, inset_source=inset_source)
    builders = [
        ("administrasi", a.page_admin), ("zonasi", a.page_zoning), ("struktur_ruang", a.page_struktur), ("kesesuaian", a.page_conformance),
        ("sinkronisasi_ipu", a.page_ipu), ("ipu_jangka_menengah", a.page_ipu_period),
    ]
    n = 0
    for stem, build in builders:
        page = build()
        if page is not None:
            n += 1
            yield f"{n:02d}_{stem}", page
    for page in a.pages_opd():
        n += 1
        opd = page.title.replace("Peta Program ", "")
        yield f"{n:02d}_opd_{_slug(opd)}", page
    for stem, build in [("anggaran_kecamatan", a.page_kecamatan), ("sinergi_konflik", a.page_sinergi), ("kawasan_prioritas", a.page_priority)]:
        page = build()
        if page is not None:
            n += 1
            yield f"{n:02d}_{stem}", page
    if layers.get("kinerja") is not None:  # a sppr_gis.kinerja.KinerjaResult: capaian per OPD and per kecamatan
        from sppr_gis.maps.kinerja_pages import kinerja_pages

        for stem, page in kinerja_pages(a, layers["kinerja"]):
            n += 1
            yield f"{n:02d}_{stem}", page


_SPPR_PHRASE = "SINKRONISASI PROGRAM PEMANFAATAN RUANG"


def _album_title(title: str, year: int) -> str:
    """``SPPR Kota Contoh`` stays as is (no 'SPPR SPPR'); a bare region gets the SPPR prefix."""
    t = " ".join(str(title).split())
    return t if t.upper().startswith("SPPR") or _SPPR_PHRASE in t.upper() else f"SPPR {t}"


def _text_figure(size: tuple[float, float], dpi: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    fig.patches.append(Rectangle((0.012, 0.035), 0.976, 0.93, transform=fig.transFigure, fill=False, edgecolor="#222222", linewidth=1.0))
    return fig


def cover_page(*, title: str, region: str, year: int, office: str | None = None, logo: Any = None, paper: str = "A3", dpi: int = 200) -> Any:
    """The album's cover: ALBUM PETA, the SPPR title, region, year, office (and logo)."""
    from sppr_gis.maps.cartography import paper_size

    size = paper_size(paper)
    k = size[0] / 11.69
    fig = _text_figure(size, dpi)
    y = 0.80
    if logo is not None:
        try:
            import matplotlib.image as mpimg

            img = mpimg.imread(str(logo))
            h = 0.16
            w = h * size[1] / size[0] * img.shape[1] / img.shape[0]
            lax = fig.add_axes((0.5 - w / 2, 0.74, w, h))
            lax.imshow(img, interpolation="lanczos")
            lax.set_axis_off()
            y = 0.68
        except Exception as exc:  # pragma: no cover
            log.warning("logo %s cannot be read: %s", logo, exc)
    fig.text(0.5, y, "ALBUM PETA", ha="center", va="top", fontsize=26 * k, fontweight="bold", color="#222222")
    fig.text(0.5, y - 0.09, _album_title(title, year).upper(), ha="center", va="top", fontsize=17 * k, fontweight="bold", color="#222222")
    if _SPPR_PHRASE not in _album_title(title, year).upper():  # the phrase once, not as title and subtitle
        fig.text(0.5, y - 0.16, _SPPR_PHRASE, ha="center", va="top", fontsize=11 * k, color="#333333")
    if region and region.upper() not in _album_title(title, year).upper():
        fig.text(0.5, y - 0.21, region.upper(), ha="center", va="top", fontsize=13 * k, fontweight="bold", color="#333333")
    fig.text(0.5, y - 0.28, f"TAHUN {year}", ha="center", va="top", fontsize=15 * k, fontweight="bold", color="#222222")
    if office:
        fig.text(0.5, 0.12, office.upper(), ha="center", va="center", fontsize=12 * k, fontweight="bold", color="#222222", wrap=True)
    return fig


def _page_heading(fig: Any, text: str, k: float) -> None:
    fig.text(0.5, 0.92, text, ha="center", va="top", fontsize=16 * k, fontweight="bold", color="#222222")


def kata_pengantar_page(
    text: str, *, office: str | None = None, signatory: str | None = None, place_date: str | None = None, paper: str = "A3", dpi: int = 200,
) -> Any:
    """The KATA PENGANTAR (foreword) page: the config's text, paragraphs separated by blank lines, and under it
    the place-and-date line and every line of the signatory with room to sign.

    Raises
    ------
    sppr_gis.errors.ConfigError
        The text and the signature block cannot both fit the page at 9 pt (names ``album.kata_pengantar``).
    """
    import textwrap as _tw

    from sppr_gis.errors import ConfigError
    from sppr_gis.maps.cartography import _bottom, paper_size, preparer_artists

    size = paper_size(paper)
    k = size[0] / 11.69
    fig = _text_figure(size, dpi)
    _page_heading(fig, "KATA PENGANTAR", k)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]
    block = None
    if signatory or place_date:
        block = preparer_artists(fig, 0.12, 0.88, 0.08, office=None, signatory=signatory, place_date=place_date, fontsize=10 * k, sign_left=0.58, max_height=0.6)
    floor = (block.top if block else 0.08) + 0.03
    fs = 10 * k
    while True:
        chars = int(0.76 * size[0] * 72 / (fs * 0.55))
        body = "\n\n".join(_tw.fill(p, chars) for p in paras)
        t = fig.text(0.12, 0.84, body, ha="left", va="top", fontsize=fs, color="#222222", linespacing=1.5, gid="kata-pengantar")
        if _bottom(fig, t) >= floor:
            break
        t.remove()
        if fs <= 9:
            raise ConfigError("album.kata_pengantar: the foreword and the signature block do not fit one page; shorten the text")
        fs = max(9.0, fs - 0.5)
    return fig


#: Map rows per DAFTAR PETA page.
_DAFTAR_ROWS = 24


def daftar_peta_pages(entries: Sequence[tuple[str, str, int]], *, paper: str = "A3", dpi: int = 200) -> list[Any]:
    """DAFTAR PETA: one row per map (``Peta N``, title, page number), as many pages as needed."""
    from sppr_gis.maps.cartography import paper_size

    size = paper_size(paper)
    k = size[0] / 11.69
    figs = []
    chunks = [entries[i : i + _DAFTAR_ROWS] for i in range(0, len(entries), _DAFTAR_ROWS)] or [[]]
    for ci, chunk in enumerate(chunks):
        fig = _text_figure(size, dpi)
        _page_heading(fig, "DAFTAR PETA" + (" (lanjutan)" if ci else ""), k)
        fig.text(0.86, 0.84, "Halaman", ha="right", va="bottom", fontsize=9 * k, fontweight="bold", color="#222222")
        y = 0.83
        step = 0.72 / _DAFTAR_ROWS
        for number, title, page in chunk:
            fig.text(0.12, y, number, ha="left", va="top", fontsize=10 * k, fontweight="bold", color="#222222", gid="daftar-number")
            fig.text(0.20, y, title, ha="left", va="top", fontsize=10 * k, color="#222222", gid="daftar-title")
            fig.text(0.86, y, str(page), ha="right", va="top", fontsize=10 * k, color="#222222", gid="daftar-page")
            fig.add_artist(Line2D([0.12, 0.86], [y - step * 0.62, y - step * 0.62], transform=fig.transFigure, color="#bbbbbb", linewidth=0.4, linestyle=":"))
            y -= step
        figs.append(fig)
    return figs


def _add_outline(pdf: PdfPages, entries: Sequence[tuple[str, int]]) -> None:
    """PDF bookmarks (``/Outlines``) to pages, written through matplotlib's own PDF writer.

    matplotlib writes the catalog when the file is opened, so a second catalog
    with ``/Outlines`` is written and made the trailer's root.
    """
    from matplotlib.backends.backend_pdf import Name

    f = pdf._ensure_file()
    pages = f.pageList
    refs = [f.reserveObject(f"outline item {i}") for i in range(len(entries))]
    outlines = f.reserveObject("outlines")
    for i, ((title, page), ref) in enumerate(zip(entries, refs)):
        item: dict[str, Any] = {"Title": title, "Parent": outlines, "Dest": [pages[page], Name("Fit")]}
        if i > 0:
            item["Prev"] = refs[i - 1]
        if i < len(refs) - 1:
            item["Next"] = refs[i + 1]
        f.writeObject(ref, item)
    f.writeObject(outlines, {"Type": Name("Outlines"), "First": refs[0], "Last": refs[-1], "Count": len(refs)} if refs else {"Type": Name("Outlines"), "Count": 0})
    root = f.reserveObject("catalog with outlines")
    f.writeObject(root, {"Type": Name("Catalog"), "Pages": f.pagesObject, "Outlines": outlines, "PageMode": Name("UseOutlines")})
    f.rootObject = root


def write_album(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    out_dir: str | os.PathLike[str],
    *,
    year: int,
    title: str,
    palette: Palette | Mapping[str, Any] | None = None,
    source: str | None = None,
    dpi: int = 200,
    paper: str = "A3",
    region: str | None = None,
    office: str | None = None,
    signatory: str | None = None,
    logo: Any = None,
    sumber: Mapping[str, str] | None = None,
    kata_pengantar: str | None = None,
    tempat: str | None = None,
    tanggal: str | None = None,
    inset: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write the Album Peta: ``out_dir/album_peta.pdf`` and ``out_dir/peta/NN_name.png`` (one per map).

    The PDF holds the cover, the KATA PENGANTAR (when ``kata_pengantar`` is
    given), the DAFTAR PETA and one map a page, with a bookmark per map;
    fonts are embedded as TrueType (no Type 3).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or None
        The year's layers (see :func:`album_pages`); layers in different CRSs are
        transformed into one metric CRS (the zoning's, or its UTM zone).
    out_dir : path
        Output folder (created).
    year : int
        Fiscal year.
    title : str
        The SPPR title (``"SPPR Kota Tanjungpinang"``); a bare region name gets the ``SPPR`` prefix on the cover.
    palette : Palette or mapping, optional
        Zone colours or overrides (``{"R-2": "#ffdc00"}``), e.g. from the config.
    source : str, optional
        An extra source line printed on every map.
    dpi : int
        PNG resolution (at least 200 for print; the PDF is vector).
    paper : str
        ``A3`` (default) or ``A4``, landscape.
    region, office, signatory, logo, sumber
        See :func:`album_pages`.
    kata_pengantar : str, optional
        Text of the foreword page (paragraphs separated by blank lines).
    tempat, tanggal : str, optional
        Place and date of signing, printed as ``tempat, tanggal`` above the signatory.
    inset : path or GeoDataFrame, optional
        ``[album] inset``: boundaries around the region for the location inset (``path`` or ``path:layer``).

    Returns
    -------
    list of Path
        The PDF first, then the PNGs in page order.

    Raises
    ------
    ValueError
        No layer has features and a CRS, or ``paper`` is unknown.
    sppr_gis.errors.ConfigError
        The signatory block cannot fit beside the map or under the foreword, or the inset layer cannot be
        read (the message names the ``[album]`` key); nothing is written.
    """
    from sppr_gis.io import atomic_path
    from sppr_gis.maps.cartography import paper_size

    paper_size(paper)  # validate early
    out_dir = Path(out_dir)
    png_dir = out_dir / "peta"
    png_dir.mkdir(parents=True, exist_ok=True)
    for old in png_dir.glob("[0-9][0-9]_*.png"):
        with contextlib.suppress(OSError):
            old.unlink()
    place_date = ", ".join(x for x in (tempat, tanggal) if x and str(x).strip()) or None
    inset_gdf = read_inset(inset)
    inset_source = (sumber or {}).get("inset") or (f"berkas {Path(str(inset)).name.split(':')[0]}" if inset is not None and not isinstance(inset, gpd.GeoDataFrame) else None)
    pages = list(album_pages(layers, year=year, title=title, palette=palette, source=source, dpi=dpi, paper=paper, region=region, office=office, signatory=signatory,
                             logo=logo, sumber=sumber, place_date=place_date, inset=inset_gdf, inset_source=inset_source))
    book_title = _album_title(title, year)
    front = [cover_page(title=title, region=region or title, year=year, office=office, logo=logo, paper=paper, dpi=dpi)]
    if kata_pengantar and str(kata_pengantar).strip():
        front.append(kata_pengantar_page(kata_pengantar, office=office, signatory=signatory, place_date=place_date, paper=paper, dpi=dpi))
    n_daftar = max(1, math.ceil(len(pages) / _DAFTAR_ROWS))
    page_no = len(front) + n_daftar + 1  # printed number of the first map page (the cover is page 1)
    entries = []
    conts: dict[int, list[Any]] = {}
    for i, (_, page) in enumerate(pages):
        page.set_sheet(f"Lembar {i + 1} dari {len(pages)}")
        more = continuation_pages(page, first_page=page_no + 1)
        conts[i] = more
        page.set_page(page_no, continued_on=page_no + 1 if more else None)
        entries.append((page.number or f"Peta {i + 1}", page.title, page_no))
        page_no += 1 + len(more)
    front.extend(daftar_peta_pages(entries, paper=paper, dpi=dpi))
    for n, fig in enumerate(front[1:], start=2):
        fig.text(0.5, 0.012, f"Halaman {n}", ha="center", va="bottom", fontsize=max(7.0, 7.5 * paper_size(paper)[0] / 11.69), color="#222222", gid="page-number")
    pngs: list[Path] = []
    pdf_path = out_dir / "album_peta.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}), atomic_path(pdf_path) as tmp:
        with PdfPages(tmp, metadata={"Title": f"Album Peta {book_title} Tahun {year}", "Creator": "sppr_gis", "Subject": "Sinkronisasi Program Pemanfaatan Ruang"}) as pdf:
            for fig in front:
                pdf.savefig(fig)
                fig.clear()
            for i, (stem, page) in enumerate(pages):
                pdf.savefig(page.fig)
                for extra in conts[i]:
                    pdf.savefig(extra)
                    extra.clear()
                png = png_dir / f"{stem}.png"
                with atomic_path(png) as ptmp:
                    page.fig.savefig(ptmp, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
                pngs.append(png)
                page.fig.clear()
            _add_outline(pdf, [("Daftar Peta", len(front) - n_daftar)] + [(f"{num}. {t}", p - 1) for num, t, p in entries])
    log.info("album: %d maps -> %s", len(pngs), pdf_path)
    return [pdf_path, *pngs]


# --------------------------------------------------------------------------- single maps


def single_map(
    layer: gpd.GeoDataFrame,
    by: str = "status",
    *,
    zoning: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    palette: Palette | Mapping[str, Any] | None = None,
    source: str | None = None,
    context: gpd.GeoDataFrame | None = None,
) -> MapFrame:
    """One map of a result layer coloured by ``by``.

    Parameters
    ----------
    layer : GeoDataFrame
        Any result layer (``programs``, ``rencana``, ``indikasi_program``, zoning ...).
    by : str
        ``status`` (conformance, or ``status_sinkron`` for IPU/rencana without
        ``status``), ``sinkron`` (``status_sinkron``), ``opd``, ``zone`` (the
        layer's zone code: ``dominant_zone`` or ``zone_code``/KOD*), or any column:
        categorical columns get distinct colours, numeric ones a classed scale.
    zoning : GeoDataFrame, optional
        Zoning drawn faintly underneath.
    title, subtitle, source : str, optional
        Texts on the page.
    palette : Palette or mapping, optional
        Zone colours.
    context : GeoDataFrame, optional
        The whole city, for the inset locator (default: the zoning).

    Returns
    -------
    MapFrame
        Finished; save with ``frame.save(path)``.

    Raises
    ------
    KeyError
        ``by`` names no column of ``layer``.
    ValueError
        The layer has no CRS or no geometry.
    """
    if not _usable(layer):
        raise ValueError("the layer has no features with a geometry and a CRS")
    pal = palette if isinstance(palette, Palette) else Palette(palette)
    crs = display_crs([zoning if _usable(zoning) else None, layer])
    layer = layer.to_crs(crs)
    zon = zoning.to_crs(crs) if _usable(zoning) else None
    column, colors, labels, order, numeric = _choose_column(layer, by, pal)
    frame = MapFrame(title or f"Peta {column}", crs=crs, subtitle=subtitle, number=None)
    b = _bounds(layer)
    assert b is not None
    frame.set_extent(b, pad=0.08)
    zsec = None
    if zon is not None:
        zf = zone_field(zon)
        if zf:
            zcol = draw_zoning(frame.ax, zon, pal, code_field=zf, name_field=name_field(zon, "zone"), alpha=0.3)
            if by == "zone" or len(zcol) <= 30:
                h, lab = zone_legend(zcol, pal, alpha=0.3)
                zsec = LegendSection("Zona (latar)", h, lab, short_labels=[_code_only(t, 19) for t in lab])
        else:
            zon.plot(ax=frame.ax, color="#e5e5e5", edgecolor="white", linewidth=0.2)
    dims_all = set(split_by_dimension(layer))
    polys_only = dims_all == {2}
    if numeric is not None:
        breaks, shades, ltext, ntitle = numeric
        vals = pd.to_numeric(layer[column], errors="coerce").to_numpy(dtype=float)
        cls = assign_classes(vals, breaks)
        key = pd.Series([str(c) for c in cls], index=layer.index)
        cmap_colors = {str(i): tuple(int(255 * v) for v in shades[i][:3]) for i in range(len(breaks))}
        cmap_colors["-1"] = (200, 200, 200)
        draw_by_category(frame.ax, layer.assign(_cls=key), "_cls", cmap_colors, polygon_alpha=0.85 if polys_only else 0.5)
        h = [Patch(facecolor=shades[i], edgecolor="#444444", linewidth=0.5) for i in range(len(breaks))]
        sec = LegendSection(ntitle, h, ltext)
    else:
        kind = "patch" if polys_only else "mixed"
        draw_by_category(frame.ax, layer.assign(_v=layer[column].astype(object).where(layer[column].notna(), None)), "_v", colors, order=order, polygon_alpha=0.85 if polys_only else 0.5)
        h, lab = category_legend(colors, labels, _counts(layer, column), kind=kind, order=order)
        sec = LegendSection(_column_title(column), h, lab, short_labels=[_code_only(t, 26) for t in lab] if len(h) > 6 else None)
    secs = [sec]
    if not polys_only:
        gh, gl = geometry_type_legend(sorted(dims_all))
        secs.append(LegendSection("Bentuk lokasi", gh, gl))
    if zsec:
        secs.append(zsec)
    frame.add_legend(secs)
    ctx = context if _usable(context) else zon
    frame.finish([source or "Sumber: hasil analisis sppr_gis."], avoid=layer, context=ctx.to_crs(crs) if ctx is not None else None)
    return frame


def _column_title(column: str) -> str:
    return {
        "status": "Status kesesuaian",
        "status_sinkron": "Status sinkronisasi",
        "opd": "OPD",
        "dominant_zone": "Zona dominan",
        "zone_code": "Zona",
    }.get(column, column)


def _choose_column(layer: gpd.GeoDataFrame, by: str, pal: Palette) -> tuple[str, dict[str, RGB], dict[str, str], list[str] | None, Any]:
    cols = set(layer.columns)
    if by == "status" and "status" not in cols and "status_sinkron" in cols:
        by = "status_sinkron"
    if by == "sinkron":
        by = "status_sinkron"
    if by == "zone":
        by = next((c for c in ("dominant_zone", *_ZONE_FIELDS) if c in cols), "zone")
    if by not in cols:
        raise KeyError(f"no column '{by}' in the layer (columns: {', '.join(map(str, layer.columns))})")
    vals = layer[by]
    if by == "status":
        return by, dict(STATUS_COLORS), dict(STATUS_LABELS), ["sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"], None
    if by == "status_sinkron":
        present = set(vals.dropna().astype(str))
        if present & {"diskontinu", "diskoneksi", "belum_jadwal"}:
            return by, dict(IPU_SYNC_COLORS), dict(IPU_SYNC_LABELS), list(IPU_SYNC_COLORS), None
        return by, dict(SYNC_COLORS), dict(SYNC_LABELS), list(SYNC_COLORS), None
    uniq = sorted(vals.dropna().astype(str).unique())
    if by in ("dominant_zone", *_ZONE_FIELDS):
        colors = pal.colors(uniq)
        return by, colors, {c: pal.label(c) for c in uniq}, sorted(uniq, key=normalize_code), None
    if by == "opd":
        return by, _opd_colors(uniq), {u: u for u in uniq}, uniq, None
    num = pd.to_numeric(vals, errors="coerce")
    if pd.api.types.is_numeric_dtype(vals) and num.notna().any() and num.nunique() > 8:
        breaks = class_breaks(num.dropna().tolist(), 5)
        cmap = colormaps["viridis"]
        shades = [cmap(0.1 + 0.8 * i / max(len(breaks) - 1, 1)) for i in range(len(breaks))]
        money = by.lower() in {"pagu", "anggaran", "nilai"}
        fmt = _money_fmt(max(breaks))[0] if money else (lambda v: _num(v))
        labels = class_labels(breaks, fmt, lowest=float(num.min()))
        return by, {}, {}, None, (breaks, shades, labels, by + (f" ({_money_fmt(max(breaks))[2]})" if money else ""))
    colors = _opd_colors(uniq) if len(uniq) <= 10 else distinct_colors(uniq)
    return by, colors, {u: u for u in uniq}, uniq, None


def _num(v: float) -> str:
    from sppr_gis.text import angka

    return angka(v, 0 if abs(v) >= 100 else 2)


#: Layers of a result GeoPackage tried, in order, when none is named.
RESULT_LAYERS = ("rencana", "programs", "indikasi_program")


def read_result_layer(spec: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read the layer to map from a result file: the one named (``file.gpkg:layer``), else
    ``rencana``, ``programs`` or ``indikasi_program``, else the first layer with geometry.

    Raises
    ------
    sppr_gis.errors.LayerError
        The named layer is missing or the file has no layer with geometry.
    """
    import pyogrio

    from sppr_gis.errors import LayerError
    from sppr_gis.io import LayerSpec, parse_layer_spec, read_layer

    ls = parse_layer_spec(spec)
    if ls.layer is None and ls.path.suffix.lower() == ".gpkg":
        info = pyogrio.list_layers(ls.path)
        spatial = [str(n) for n, g in info if g is not None]
        name = next((n for n in RESULT_LAYERS if n in spatial), spatial[0] if spatial else None)
        if name is None:
            raise LayerError(f"{ls.path}: no layer with geometry (layers: {', '.join(str(n) for n, _ in info)})")
        ls = LayerSpec(ls.path, name)
    return read_layer(ls)


def write_map(
    layer: gpd.GeoDataFrame,
    out: str | os.PathLike[str],
    by: str = "status",
    *,
    zoning: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    palette: Palette | Mapping[str, Any] | None = None,
    dpi: int = 150,
) -> Path:
    """Render :func:`single_map` to ``out`` (PNG, PDF or SVG by suffix), atomically.

    Returns
    -------
    Path
    """
    from sppr_gis.io import atomic_path

    frame = single_map(layer, by, zoning=zoning, title=title, subtitle=subtitle, palette=palette)
    out = Path(out)
    with atomic_path(out) as tmp:
        frame.fig.savefig(tmp, dpi=dpi, format=out.suffix.lstrip(".").lower() or "png")
    frame.fig.clear()
    return out

