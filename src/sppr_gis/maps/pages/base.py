"""The album's prepared layers (one metric CRS) and the drawing every page shares: frame, extent, zoning, boundaries, citations."""

from __future__ import annotations

import logging
import os
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from pyproj import CRS  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    TABLE_HEADING,
    LegendSection,
    MapFrame,
    display_crs,
    draw_outline,
    draw_zoning,
    place_callouts,
    place_line_labels,
    rupiah,
    split_by_dimension,
    zone_legend,
)
from sppr_gis.maps.cartography.common import Note  # noqa: E402
from sppr_gis.maps.cartography.enlarge import numbered_callouts  # noqa: E402
from sppr_gis.maps.cartography.frame import keyed_row  # noqa: E402
from sppr_gis.maps.pages.common import (  # noqa: E402
    name_forms,
    _ZONE_FIELDS,
    LAND,
    SOURCE_LABELS,
    UNLOCATED_HEADING,
    TABLE_WIDTH,
    _anchor,
    _bounds,
    _code_only,
    _counts,
    _first,
    _km,
    _network_colors,
    _network_width,
    _usable,
    name_field,
    network_rank,
    planned_dash,
    zone_field,
    zone_name_field,
)
from sppr_gis.i18n import _  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    STATUS_COLORS,
    STATUS_LABELS,
    Palette,
    mpl_color,
)
from sppr_gis.text import nomenklatur  # noqa: E402

log = logging.getLogger(__name__)


#: The two groups of the pola ruang key.
LINDUNG, BUDI_DAYA = "lindung", "budi_daya"
#: Palette classes of the RDTR's Zona Lindung (Permen ATR/BPN 14/2021), besides every RTH sub-zone.
LINDUNG_CLASSES = frozenset({"BA", "PS", "HL", "CB", "RTH-1"})
#: Words of a zone name that make it Zona Lindung when its class is not known.
LINDUNG_WORDS = ("lindung", "konservasi", "mangrove", "sempadan", "ruang terbuka hijau", "cagar budaya", "badan air", "suaka", "resapan air")


def _column_values(df: pd.DataFrame, name: str) -> list[Any]:
    """The values of column ``name``, each as ``df.iloc[i][name]`` (and ``df[name].iloc[i]``) gives it."""
    s = df[name]
    return [s.iloc[i] for i in range(len(s))]


def _numeric(v: Any) -> Any:
    """``pd.to_numeric`` of one value (``errors="coerce"``), without building a Series for a number."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return v
    return pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]



def _framed_extent(t: Any, renderer: Any) -> Any:
    """A text's extent on the page (display units) with what frames it: a numbered callout's circle (its
    ``_sppr_box``), else the box patch drawn around it (an enlargement's letter tag), else the text alone."""
    from matplotlib.transforms import Bbox

    if getattr(t, "_sppr_box", None) is not None:
        return Bbox.from_extents(*t._sppr_box)
    bb = t.get_window_extent(renderer)
    patch = t.get_bbox_patch()
    if patch is None:
        return bb
    t.update_bbox_position_size(renderer)
    return Bbox.union([bb, patch.get_window_extent(renderer)])


def drawn_points(ax: Any) -> np.ndarray:
    """(n, 2) data coordinates of the point symbols drawn on ``ax``: the offsets of its visible marker collections
    placed in data coordinates (scatter plots, GeoPandas points), their white casings left out (the same places).

    Parameters
    ----------
    ax : matplotlib Axes
        A map.

    Returns
    -------
    numpy.ndarray
        The symbols' centres, finite ones only.
    """
    from matplotlib.collections import PathCollection

    out = [np.zeros((0, 2))]
    for c in ax.collections:
        if not isinstance(c, PathCollection) or not c.get_visible() or c.get_gid() == "halo" or c.get_offset_transform() != ax.transData:
            continue
        xy = np.asarray(c.get_offsets(), dtype=float).reshape(-1, 2)
        out.append(xy[np.isfinite(xy).all(axis=1)])
    return np.concatenate(out)


def names_inside(ax: Any, geoms: Sequence[Any], names: Sequence[str], *, symbols: Any = None, sizes: Sequence[float] = (8.0, MIN_PT),
                 color: str | Sequence[str] = "#3a3a3a", style: str = "italic", weight: str = "bold", gid: str = "kec-label",
                 forms: Callable[[str], list[str]] | None = None) -> list[Any]:
    """Area names on a thematic map, each wholly inside its own area (within the map's view), clear of the texts
    and reserved boxes already there, of the line features drawn (roads, networks, program lines:
    :data:`~sppr_gis.maps.cartography.labels.LINE_GIDS`) and of the point ``symbols``: on one line, else on two, at
    each of ``sizes`` (points); a name that has no such place is not printed (never on a line, nor outside its area).
    The numbered callouts already placed count by their circles, and their leaders as lines, a framed text (an
    enlargement's letter) by its frame (a name placed after them covers none).

    Parameters
    ----------
    ax : matplotlib Axes
        The map, its extent set and its features drawn.
    geoms : sequence of shapely geometries
        The areas (map units); a name goes in the largest part of its area within the view.
    names : sequence of str
        The names as printed.
    symbols : array-like, optional
        (n, 2) data coordinates of point symbols a name must not cover.
    sizes : sequence of float
        Font sizes tried, largest first (never below :data:`MIN_PT`).
    color : str or sequence of str
        The ink, one for all names or one per name.
    style, weight, gid : str
        Font style and weight; the texts' gid.
    forms : callable, optional
        A name -> the texts tried for it, in order (default :func:`~sppr_gis.maps.pages.common.name_forms`: one
        line, then two).

    Returns
    -------
    list of matplotlib Text
        The names printed.
    """
    from sppr_gis.maps.cartography.common import _HALO
    from sppr_gis.maps.cartography.labels import _Lines, _reserved
    from sppr_gis.maps.pages.spots import _clear_of, _code_spots, _data_box

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    mpp = abs(x1 - x0) / (ax.get_window_extent(renderer).width * 72.0 / fig.dpi)
    # a numbered callout is its circle (``_sppr_box``, display units), wider than its number's text box; a text in a
    # frame (an enlargement's letter tag) its frame
    taken = [_data_box(ax, _framed_extent(t, renderer)).bounds for t in ax.texts if t.get_visible() and t.get_text()]
    taken += [_data_box(ax, b).bounds for b in _reserved(ax)]
    lines = _Lines(ax)
    # the callouts' leaders (display units, from the feature to the circle's centre) as data lines a name must not cross
    segs = np.asarray(getattr(ax, "_sppr_leaders", ()), dtype=float).reshape(-1, 4)
    leaders = None
    if len(segs):
        inv = ax.transData.inverted()
        a, b = inv.transform(segs[:, :2]), inv.transform(segs[:, 2:])
        leaders = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    sym = np.asarray(symbols, dtype=float).reshape(-1, 2) if symbols is not None and len(symbols) else None
    out = []
    inks = [color] * len(names) if isinstance(color, str) else list(color)
    for g, name, ink in zip(geoms, names, inks):
        if g is None or g.is_empty or not str(name).strip():
            continue
        g = overlay.make_valid(np.asarray([g], dtype=object), what="kecamatan")[0]
        parts = [p for p in shapely.get_parts(shapely.intersection(g, view)) if shapely.get_type_id(p) == 3 and p.area > 0]
        if not parts:
            continue
        poly = max(parts, key=lambda p: p.area)
        texts = (forms or name_forms)(name)
        placed = None
        for fs in dict.fromkeys(max(MIN_PT, float(v)) for v in sizes):
            for text in texts:
                probe = ax.text(0, 0, text, ha="center", va="center", fontsize=fs, fontweight=weight, fontstyle=style, linespacing=1.0)
                bb = probe.get_window_extent(renderer)
                probe.remove()
                # the box as printed and a point around it (the halo), half a point more from the lines (their stroke)
                hw, hh = (bb.width * 72.0 / fig.dpi / 2 + 1.0) * mpp, (bb.height * 72.0 / fig.dpi / 2 + 1.0) * mpp
                spots = _code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=taken, max_points=6000, limit=6000)
                spots = _clear_of(spots, hw + 0.5 * mpp, hh + 0.5 * mpp, lines.tree if lines.tree is not None else None, sym, margin=hh / 2)
                if leaders is not None:
                    spots = _clear_of(spots, hw + 0.5 * mpp, hh + 0.5 * mpp, leaders)
                if spots:
                    placed = ax.text(*spots[0], text, ha="center", va="center", fontsize=fs, fontweight=weight, fontstyle=style, color=ink,
                                     linespacing=1.0, zorder=20, path_effects=_HALO, gid=gid)
                    break
            if placed is not None:
                break
        if placed is None:
            log.debug("nama %s tidak dicetak: tidak ada tempat di dalam wilayahnya yang bebas dari garis dan label", name)
            continue
        taken.append(_data_box(ax, placed.get_window_extent(renderer)).bounds)
        out.append(placed)
    return out

class Album:
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
            log.warning(_("zoning layer has no zone code column ({fields}); drawn without colours").format(fields=", ".join(_ZONE_FIELDS)))
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
            ctx = gpd.GeoDataFrame(geometry=[overlay.union_all(overlay.make_valid(np.asarray(z.geometry.dropna().array, dtype=object), what="zoning"), what="zoning").simplify(20)], crs=self.crs)
        self.context = ctx
        self.inset = inset if inset is not None else (bundled_inset(self.city_bounds, self.crs) if self.city_bounds else None)
        if self.inset is not None and inset is None:
            self.inset_source = BUNDLED_INSET_CREDIT
        #: One scale for every full-city map, so that they compare page to page (1:N, N rounded up to a nice number).
        self.scale = self.album_scale()
        self.number = 0
        #: Charts made so far (numbered ``Grafik N`` apart from the maps).
        self.charts = 0
        self.zoning_page: int | None = None
        #: The number of Peta Kesesuaian, whose numbers every map of programs uses (set when it is made).
        self.conformance_page: int | None = None
        #: The page that names every kecamatan (Peta Administrasi), where a thematic map refers for the names it leaves out.
        self.admin_page: int | None = None

    # -- shared pieces ---------------------------------------------------------

    def frame(self, title: str, subtitle: str | None = None, *, table: bool = False, chart: bool = False) -> MapFrame:
        """A new page of the album, numbered: ``Peta N`` for a map, ``Grafik N`` for a chart (``chart``), each
        counted on its own, so that a chart among the maps takes no map's number (review s6: the per-OPD capaian
        chart was "Peta 16"). ``table``: its keyed list on the Lampiran sheet (or beside the map when short)."""
        if chart:
            self.charts += 1
            number = f"Grafik {self.charts}"
        else:
            self.number += 1
            number = f"Peta {self.number}"
        sub = f"{self.title} · Tahun {self.year}" + (f"\n{subtitle}" if subtitle else "")
        frame = MapFrame(
            title, crs=self.crs, subtitle=sub, number=number, dpi=self.dpi, paper=self.paper,
            region=self.region, office=self.office, signatory=self.signatory, logo=self.logo, table_width=TABLE_WIDTH if table else 0.0,
            place_date=self.place_date, inset_layer=self.inset, table_apart=table, legend_sheet=True,  # the album prints Lampiran sheets
        )
        frame.chart = chart
        return frame

    def album_scale(self) -> float | None:
        """The album's one scale: the largest standard scale (:data:`~sppr_gis.maps.cartography.scalebar.STANDARD_SCALES`)
        at which the region (with a 3% margin) fits the map frame of this paper and the inset can be kept clear of it
        (above the region, beside it, or a smaller inset above: the places :meth:`_keep_corners_clear` tries)."""
        if self.city_bounds is None:
            return None
        from sppr_gis.maps.cartography import PAPER_SIZES, paper_size
        from sppr_gis.maps.cartography.common import map_box_for
        from sppr_gis.maps.cartography.inset import INSET_MARGIN, INSET_SHARE, INSET_SHARE_MIN
        from sppr_gis.maps.cartography.scalebar import standard_scale

        x0, y0, x1, y1 = self.city_bounds
        cw, ch = x1 - x0, y1 - y0
        if cw <= 0 or ch <= 0:
            return None
        pw, ph = paper_size(self.paper)
        box = map_box_for(pw / PAPER_SIZES["A4"][0])
        mw, mh = box[2] * pw * 0.0254, box[3] * ph * 0.0254  # the map frame on paper, metres
        fit = max(cw * 1.06 / mw, ch * 1.06 / mh)
        # the inset (as inset_corners sizes it) and the strips _keep_corners_clear keeps free, on paper
        ih = INSET_SHARE * mh
        iw = min(1.3 * ih, 0.4 * mw)
        m_h, m_w = INSET_MARGIN * ph * 0.0254, INSET_MARGIN * pw * 0.0254
        free_h = mh * (1 - 0.11 - 0.02)  # less the scale bar's strip and two gaps
        clear = min(
            ch / max(free_h - ih - 2 * m_h, 1e-9),  # above the region
            max(cw / max(mw - iw - 2 * m_w - 0.02 * mh, 1e-9), fit),  # beside it
            ch / max(free_h - (INSET_SHARE_MIN * mh + 2 * m_h), 1e-9),  # a smaller inset above
        )
        return float(standard_scale(max(fit, clear)))

    def land(self, frame: MapFrame) -> None:
        """The region as land (a warm light fill) under everything else, so that faded layers do not read as water."""
        if self.context is not None:
            self.context.plot(ax=frame.ax, color=[mpl_color(LAND)] * len(self.context), edgecolor="none", zorder=0.6)

    def zone_codes_are_names(self) -> bool:
        """Whether the zoning's codes are its names (the code field holds "Kawasan Pertanian", not "P-2"; Kota Bandung's
        NAMOBJ): no name field that says otherwise, and most codes are words with a space between them. The pola ruang
        map then prints names, and the notes say so (review s9)."""
        codes = [str(c) for c in self.zone_colors]
        if not codes:
            return False
        names = self.zone_names()
        same = all(" ".join(names.get(c, c).split()).casefold() == " ".join(c.split()).casefold() for c in codes)
        return same and 2 * sum(len(c.split()) > 1 for c in codes) > len(codes)

    def zoning_note(self) -> str:
        what = "nama" if self.zone_codes_are_names() else "kode"
        where = f"warna dan {what} pada Peta {self.zoning_page}" if self.zoning_page else "warna zona"
        return f"Latar: zonasi ({where}, dipudarkan)." if "zoning" in self.L else ""

    def program_callouts(self, f: MapFrame, geo: gpd.GeoDataFrame, unlocated: pd.DataFrame | None = None,
                         draw: Callable[[Any], None] | None = None) -> LegendSection | None:
        """Numbered callouts on the programs, keyed to the table beside the map (id, activity, pagu, status).

        Without a table column (a few programs) the list is returned as a legend section instead. The
        ``unlocated`` programs (no location, so no symbol) follow in the list, marked ``–`` and "tanpa lokasi",
        so that the legend's counts can be traced. With ``draw`` (the page's layers on another axes), a centre too
        dense for short leaders is numbered in an enlargement on the map (:func:`numbered_callouts`).
        """
        dims = shapely.get_dimensions(np.asarray(geo.geometry.array, dtype=object))
        idc = "program_id" if "program_id" in geo.columns else None
        # the columns read once, each value as ``geo.iloc[i][col]`` gives it (a row per program was most of an
        # OPD page's time at 10,000 programs)
        col = {c: _column_values(geo, c) for c in (idc, "kegiatan", "pagu", "status") if c is not None and c in geo.columns}
        ids = [str(v) for v in col[idc]] if idc else None
        # each program's number is its row in the rencana (Peta 4, the Kesesuaian sheet's "No.")
        number = self.program_numbers(geo)
        order = sorted(range(len(geo)), key=lambda i: number[i]) if number is not None else sorted(range(len(geo)), key=lambda i: ids[i] if ids is not None else i)
        unumber = self.program_numbers(unlocated) if unlocated is not None and number is not None else None
        rows = []
        for n, i in enumerate(order, start=1):
            if number is not None:
                n = int(number[i])
            bits = [ids[i] if ids is not None else f"Program {n}"]
            keg = col["kegiatan"][i] if "kegiatan" in col else None
            if isinstance(keg, str) and keg:
                bits.append(nomenklatur(keg))
            pagu = _numeric(col["pagu"][i] if "pagu" in col else None)
            tail = [rupiah(float(pagu))] if pd.notna(pagu) else []
            st = col["status"][i] if "status" in col else None
            if isinstance(st, str) and st in STATUS_LABELS:
                tail.append(STATUS_LABELS[st].split(" (")[0].lower())
            rows.append((str(n), " ".join(bits) + (" · " + ", ".join(tail) if tail else "")))
        numbered = len(rows)
        if unlocated is not None and len(unlocated):
            rows.append((TABLE_HEADING, UNLOCATED_HEADING))
            uorder = sorted(range(len(unlocated)), key=lambda i: unumber[i]) if unumber is not None else sorted(range(len(unlocated)), key=lambda i: str(unlocated[idc].iloc[i]) if idc and idc in unlocated.columns else i)
            for k in uorder:
                row = unlocated.iloc[k]
                bits = [str(row[idc]) if idc and idc in unlocated.columns else "Program"]
                keg = row.get("kegiatan")
                if isinstance(keg, str) and keg:
                    bits.append(nomenklatur(keg))
                st = row.get("status")
                tail = [STATUS_LABELS[st].split(" (")[0].lower()] if isinstance(st, str) and st in STATUS_LABELS else []
                rows.append((str(int(unumber[k])) if unumber is not None else "–", " ".join(bits) + " · " + ", ".join([*tail, "tanpa lokasi"])))
        listed = None
        if f.table_box is not None or f.table_apart:
            shown = min(f.add_table("Daftar program", rows, more="lihat Buku Matriks, lembar Kesesuaian"), numbered)
        else:
            shown = numbered
            blank = [Line2D([], [], linestyle="", marker="") for _ in rows]
            listed = LegendSection("Daftar program (nomor pada peta)", blank, [keyed_row(n, t, 46) for n, t in rows])
            f.data["listed"] = rows
        xy = [_anchor(geo.geometry.iloc[order[k]]) for k in range(shown)]
        cols = [mpl_color(STATUS_COLORS.get(str(col["status"][order[k]]), (40, 40, 40))) if "status" in col else "#222222" for k in range(shown)]
        # points first: their callouts need the nearest room
        first = sorted(range(shown), key=lambda k: dims[order[k]])
        numbered_callouts(f.ax, [xy[k] for k in first], [rows[k][0] for k in first], colors=[cols[k] for k in first], fontsize=5.5 * f.k, gid="program",
                          draw=draw, keep_clear=self.admin_area() if draw is not None else None, within=self.land_area())
        return listed

    def program_numbers(self, programs: pd.DataFrame) -> np.ndarray | None:
        """Each program's number: its row in the rencana layer (1 = first), the number of the Kesesuaian
        sheet's "No." column and of Peta 4, so that a program has one number everywhere; None when the rows
        are not the rencana layer's."""
        r = self.L.get("rencana")
        if r is None or not r.index.is_unique:
            return None
        pos = r.index.get_indexer(programs.index)
        return None if (pos < 0).any() else pos + 1

    def citations(self, shows: Sequence[str]) -> list[str]:
        """Source lines for the inputs a page shows: ``[album.sumber]`` first, else the generic label."""
        lines = []
        for key in shows:
            if key in self.sumber:
                lines.append(f"{SOURCE_LABELS.get(key, key)}: {self.sumber[key]}")
        if self.source:
            lines.append(self.source)
        generic = [SOURCE_LABELS.get(k, k).lower() for k in shows if k in self.L or k in ("rules", "kinerja")]
        if not lines and generic:
            lines.append(("" if self.sumber else "Sumber: ") + ", ".join(generic) + ".")
        lines.append(f"Analisis: Sinkronisasi Program Pemanfaatan Ruang tahun {self.year}.")
        return ["Sumber:"] + lines if self.sumber else lines

    def zoning(self, frame: MapFrame, alpha: float) -> None:
        self.land(frame)
        z = self.L.get("zoning")
        if z is None:
            return
        if self.zfield:
            draw_zoning(frame.ax, z, self.palette, code_field=self.zfield, name_field=self.znames, alpha=alpha, edgecolor=(1, 1, 1, 0.6 * alpha + 0.2),
                        hatches=self.zone_hatches(alpha))
        else:
            z.plot(ax=frame.ax, color="#e5e5e5", edgecolor="white", linewidth=0.2, zorder=1)

    def admin(self, frame: MapFrame, *, labels: bool = True, kelurahan: bool = False) -> list:
        kec = self.L.get("kecamatan")
        kel = self.L.get("kelurahan") if kelurahan else None
        if kel is not None and len(kel):
            # the kelurahan's edges that are not the kecamatan's: one line style on each edge (review, session 6)
            draw_outline(frame.ax, kel, color="#6b6b6b", linewidth=0.45, linestyle=":", zorder=3, under=kec, under_linewidth=1.0)
        draw_outline(frame.ax, kec, color="#2b2b2b", linewidth=1.0, linestyle=(0, (6, 2, 1, 2)), zorder=3.2)
        if not labels:
            return []
        return self.kec_names(frame)

    def kec_numbers(self) -> dict[str, str]:
        """One numbering of the kecamatan for the whole album: 1, 2, ... in the alphabetical order of their names
        (case aside), keyed by the name as the kecamatan layer spells it; {} without the layer or its name column.
        Peta Administrasi numbers a kecamatan whose name does not fit with it, Peta Anggaran per Kecamatan and the
        lists keyed to it number every kecamatan with it (review s8: the first numbered in the layer's order, the
        other alphabetically).

        Returns
        -------
        dict of str to str
            Kecamatan name -> its number.
        """
        kec = self.L.get("kecamatan")
        if kec is None or not self.kec_field:
            return {}
        names = dict.fromkeys(str(n) for n in kec[self.kec_field] if isinstance(n, str) and n.strip())
        return {n: str(k) for k, n in enumerate(sorted(names, key=lambda n: (n.casefold(), n)), start=1)}

    def kec_names(self, frame: MapFrame) -> list:
        """The kecamatan names, each wholly inside its own kecamatan and clear of the labels, symbols and line
        features already drawn (:func:`names_inside`); a name with no such place is left out (Peta Administrasi
        names every kecamatan). Call it after the page's programs and IPU are drawn (:meth:`admin` with
        ``labels=False`` first)."""
        kec = self.L.get("kecamatan")
        if kec is None or not self.kec_field:
            return []
        names = [str(n).upper() for n in kec[self.kec_field]]
        geoms = np.asarray(kec.geometry.array, dtype=object)
        if not isinstance(getattr(frame, "data", None), dict):
            # an enlargement (bare axes): only the kecamatan whose own point lies in its view, as before (its room is
            # the numbered callouts')
            x0, x1 = frame.ax.get_xlim()
            y0, y1 = frame.ax.get_ylim()
            pts = kec.geometry.representative_point()
            keep = np.asarray([min(x0, x1) <= p.x <= max(x0, x1) and min(y0, y1) <= p.y <= max(y0, y1) for p in pts])
            geoms, names = geoms[keep], [n for n, k in zip(names, keep) if k]
        placed = names_inside(frame.ax, geoms, names, symbols=self.symbols_on(frame.ax))
        if isinstance(getattr(frame, "data", None), dict):  # a map page (not an enlargement's axes, which shows a part)
            frame.data["kec_unnamed"] = len(set(names) - {" ".join(t.get_text().split()) for t in placed})  # the last call's count (Peta 3 places them twice)
        return placed

    def unnamed_note(self, frame: MapFrame) -> str:
        """The sentence that says how many kecamatan names a thematic map left out (:meth:`kec_names`: no place inside
        the kecamatan clear of the lines, symbols and labels at 7 pt; a name an enlargement on the page prints is not
        left out) and where every name is:
        ``Nama 13 dari 30 kecamatan tidak dicantumkan karena ruang; lihat Peta 1.``; ``""`` when none is left out.

        A map that leaves a name out says so (issue 19, session 7: Kota Bandung's thematic maps printed 17 of 30
        names and nothing on the page told the reader).
        """
        data = getattr(frame, "data", None)
        kec = self.L.get("kecamatan")
        if not (isinstance(data, dict) and data.get("kec_unnamed")) or kec is None or not self.kec_field or frame.ax is None:
            return ""
        names = {str(v).upper() for v in kec[self.kec_field]}
        # a name the map leaves out but an enlargement on the page prints is on the page (Kota Bandung A4, Peta 3: the
        # map names none of 30 at 1 : 250.000, its enlargement three)
        printed = {" ".join(t.get_text().split()) for a in [frame.ax, *frame.ax.child_axes] for t in a.texts if t.get_gid() == "kec-label" and t.get_visible()}
        n, total = len(names - printed), len(names)
        if not n:
            return ""
        where = f"Peta {self.admin_page}" if self.admin_page else "Peta Administrasi"
        return f"Nama {n} dari {total} kecamatan tidak dicantumkan karena ruang; lihat {where}."

    def symbols_on(self, ax: Any) -> np.ndarray:
        """(n, 2) coordinates of the point symbols a name on ``ax`` should not hide: the located point programs and
        IPUs (:meth:`point_symbols`) and every point symbol drawn on ``ax`` where it is drawn (:func:`drawn_points`:
        an area or line too small to see drawn as a point, a stacked symbol spread on its ring, its true place's
        ring; review s7: PANYILEUKAN over Kota Bandung's programs 136 and 137, two parcels drawn as points)."""
        return np.concatenate([self.point_symbols(), drawn_points(ax)])

    def point_symbols(self) -> np.ndarray:
        """(n, 2) coordinates of the located point programs and IPUs (what the names should not hide)."""
        if getattr(self, "_point_symbols", None) is None:
            xy = [np.zeros((0, 2))]
            for key in ("rencana", "indikasi_program"):
                g = self.L.get(key)
                if g is None:
                    continue
                parts = shapely.get_parts(np.asarray(g.geometry.array, dtype=object)[~(g.geometry.isna() | g.geometry.is_empty).to_numpy()])
                pts = parts[shapely.get_type_id(parts) == 0]
                xy.append(shapely.get_coordinates(pts))
            self._point_symbols = np.concatenate(xy)
        return self._point_symbols

    def zone_hatches(self, alpha: float) -> dict[str, str | None] | None:
        """Zone code -> hatch for the zones whose colours (as printed at ``alpha``) are closer than ΔE2000 25 to
        another zone's of the key (:func:`~sppr_gis.maps.palette.fill_hatches`): on the maps that key the zones
        (``alpha`` >= 0.4); None on the faded backgrounds keyed on the pola ruang map."""
        if alpha < 0.4 or not self.zone_colors:
            return None
        from sppr_gis.maps.cartography.legend import _code_sort_key
        from sppr_gis.maps.palette import fill_hatches

        memo = self.__dict__.setdefault("_zone_hatches", {})
        if alpha not in memo:
            memo[alpha] = fill_hatches({c: self.zone_colors[c] for c in sorted(self.zone_colors, key=_code_sort_key)}, alpha)
        return memo[alpha]

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
        h, lab = zone_legend(colors, self.palette, self.zone_names(), alpha=alpha, max_chars=None if whole else 44, hatches=self.zone_hatches(alpha))
        where = f"Peta {self.zoning_page}" if self.zoning_page else "peta pola ruang"
        # a faded background's key, when even its codes in four columns leave no room (A4 with long notes): one entry
        # naming the map that keys every zone (a hatched grey swatch: many colours); the pola ruang key has none
        short = None if whole or not codes_only else LegendSection(
            "Zona (RDTR/RTRW)", [Patch(facecolor=(0.88, 0.88, 0.88), edgecolor="#555555", linewidth=0.5, hatch="////")],
            [f"Warna latar: {len(h)} zona pola ruang, dipudarkan; kode dan nama pada {where}"])
        if codes_only and len(h) > 6:
            title = "Zona (RDTR/RTRW)" + (f"; nama pada Peta {self.zoning_page}" if self.zoning_page else "")
            return LegendSection(title, h, lab, short_labels=[t.split(" ", 1)[0] for t in lab], compact_ncol=4, fallback=short)
        return LegendSection("Zona (RDTR/RTRW)", h, lab, short_labels=[_code_only(t, 26) for t in lab] if len(h) > 6 else None, fallback=short)

    def zone_groups(self) -> dict[str, str]:
        """Zone code -> :data:`LINDUNG` or :data:`BUDI_DAYA`: from the zoning's own ``JNSRPR`` (or
        ``jenis_rencana``: "Kawasan Lindung" / "Kawasan Budi Daya") where it has one, else by the RDTR
        convention (Permen ATR/BPN 14/2021: badan air, perlindungan setempat, hutan lindung, cagar budaya,
        RTH, konservasi, mangrove are Zona Lindung; everything else Zona Budi Daya)."""
        z = self.L.get("zoning")
        out: dict[str, str] = {}
        if z is None or not self.zfield:
            return out
        jf = _first(z, ("JNSRPR", "jenis_rencana", "jenis_pola_ruang"))
        if jf is not None:
            for code, kind in zip(z[self.zfield], z[jf]):
                if pd.notna(code) and isinstance(kind, str) and kind.strip() and str(code) not in out:
                    out[str(code)] = LINDUNG if "lindung" in kind.casefold() else BUDI_DAYA
        names = self.zone_names()
        for code in self.zone_colors:
            if code not in out:
                cls = self.palette.match(code, names.get(code))
                name = " ".join(str(names.get(code, "")).casefold().split())
                lindung = (cls is not None and (cls.code in LINDUNG_CLASSES or cls.code.startswith("RTH-"))) or any(w in name for w in LINDUNG_WORDS)
                out[code] = LINDUNG if lindung else BUDI_DAYA
        return out

    def admin_section(self, *, solid: str | None = None, unit: str = "kecamatan") -> LegendSection | None:
        """The key of the administrative boundaries drawn: the kecamatan's dash-dot line (:meth:`admin`), or with
        ``solid`` (a colour) the solid edge of a map that fills its ``unit`` areas (Peta Anggaran, capaian)."""
        hs, ls = [], []
        if solid is not None:
            hs.append(Line2D([], [], color=solid, linewidth=0.8))
            ls.append(f"Batas {unit}")
        elif "kecamatan" in self.L:
            hs.append(Line2D([], [], color="#2b2b2b", linewidth=1.0, linestyle=(0, (6, 2, 1, 2))))
            ls.append("Batas kecamatan")
        return LegendSection("Batas administrasi", hs, ls) if hs else None

    def background_section(self, alpha: float) -> LegendSection | None:
        """The key of the zoning drawn faded under a map's programs (:meth:`zoning` at ``alpha``): every code in its
        faded colour, in columns; the names on the pola ruang map. Every colour on a map is keyed (review, session 6:
        a sempadan sungai drawn faded read as a river without a key)."""
        sec = self.zone_section(alpha, None, codes_only=True)
        if sec is None:
            return None
        sec.title = "Latar: zona" + (f" (nama pada Peta {self.zoning_page})" if self.zoning_page else " (RDTR/RTRW)")
        if sec.fallback is not None:
            sec.fallback.title = "Latar: zona"
        return sec

    def finish(self, frame: MapFrame, avoid: gpd.GeoDataFrame | None = None, note: str | None = None, shows: Sequence[str] = ("rencana", "zoning", "kecamatan")) -> MapFrame:
        unnamed = self.unnamed_note(frame)
        if unnamed:  # never silently: a sentence of the page's note (no paragraph of its own)
            note = (Note(f"{note} {unnamed}", f"{note.short} {unnamed}") if isinstance(note, Note) else f"{note} {unnamed}") if note else unnamed
        extra = [note] if note else []
        dropped = getattr(frame.ax, "_sppr_unnumbered", 0) if frame.ax is not None else 0
        if dropped:  # numbers the map could not print legibly (place_callouts): keyed in the table only
            extra.append(f"{dropped} program tidak bernomor di peta karena padat; lihat tabel.")
        if frame.data.get("outside"):
            # the ids are dropped when the notes do not fit under the map in full (the legend's room comes first;
            # the Buku Matriks lists every program): the counts stay
            extra.append(Note("Di luar batas wilayah: " + "; ".join(frame.data["outside"]) + " (lihat Buku Matriks).",
                              short="Di luar batas wilayah: " + "; ".join(re.sub(r" \([^()]*\)$", "", o) for o in frame.data["outside"])
                              + " (daftarnya dalam Buku Matriks)."))
        cites = self.citations(shows)
        if self.inset is not None and self.inset_source and not frame.chart:
            cites.insert(len(cites) - 1, f"Peta lokasi: {self.inset_source}")
        frame.finish(cites + extra, avoid=avoid, context=self.context)
        return frame

    def city_extent(
        self, frame: MapFrame, key: Callable[[MapFrame], tuple[float, float, float]] | None = None,
        drawn: Mapping[str, gpd.GeoDataFrame] | None = None,
    ) -> None:
        """The whole administrative area at the album scale, placed clear of the inset (and of a key beside it:
        ``key(frame)`` gives its width, height and margin in map units); the locations the map draws that lie
        beyond the frame or the administrative area are noted.

        ``drawn`` maps a layer key (``rencana``, ``indikasi_program``) to the rows this map draws of it; a layer
        not in it is not drawn and not noted (the pola ruang and administrative maps draw no program: a note of
        1,367 programs beyond the boundary on Peta 2 took the room of its legend and stopped an A4 album).
        None: both layers whole."""
        assert self.city_bounds is not None
        x0, y0, x1, y1 = self.city_bounds
        if self.scale:
            frame.set_scale_extent(((x0 + x1) / 2, (y0 + y1) / 2), self.scale)
            self._keep_corners_clear(frame, key(frame) if key is not None else None)
        else:  # pragma: no cover - no bounds, no scale
            frame.set_extent(self.city_bounds, pad=0.03)
        ext = frame.extent
        assert ext is not None
        box = shapely.box(*ext)
        out = []
        for key, idf in (("rencana", "program_id"), ("indikasi_program", "ipu_id")):
            g = self.L.get(key) if drawn is None else drawn.get(key)
            if g is None:
                continue
            geoms = np.asarray(g.geometry.array, dtype=object)
            has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            beyond = has & ~shapely.intersects(geoms, box)
            if beyond.any():
                ids = g.loc[beyond, idf].astype(str).tolist() if idf in g.columns else []
                out.append(f"{int(beyond.sum())} lokasi {'program' if key == 'rencana' else 'IPU'} di luar bingkai peta" + (f" ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})" if ids else ""))
            area = self.admin_area()
            if area is None:
                continue
            # drawn whole (never clipped at the boundary), so said: partly or wholly beyond the administrative area
            full = self.L.get(key)
            if full is not None and g is not full and full.index.is_unique and g.index.isin(full.index).all():
                # the rows of a map (one OPD's) tested with their layer, once for the album
                inside, meets = self._in_admin_area(key, full, np.asarray(full.geometry.array, dtype=object), area)
                at = full.index.get_indexer(g.index)
                inside, meets = inside[at], meets[at]
            else:
                inside, meets = self._in_admin_area(key, g, geoms, area)
            for which, sel in (("sebagian", has & meets & ~inside & ~beyond), ("seluruhnya", has & ~meets & ~beyond)):
                if sel.any():
                    ids = g.loc[sel, idf].astype(str).tolist() if idf in g.columns else []
                    out.append(f"{int(sel.sum())} lokasi {'program' if key == 'rencana' else 'IPU'} {which} di luar batas administrasi, digambar utuh"
                               + (f" ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})" if ids else ""))
        frame.data["outside"] = out

    def _in_admin_area(self, key: str, g: gpd.GeoDataFrame, geoms: np.ndarray, area: Any) -> tuple[np.ndarray, np.ndarray]:
        """Which of the layer's features lie wholly within the administrative area, and which meet it: the same
        for every map of the album, so tested once per layer."""
        memo = self.__dict__.setdefault("_admin_rel", {})
        hit = memo.get(key)
        if hit is None or hit[0] is not g or hit[1] is not area:
            hit = memo[key] = (g, area, shapely.covered_by(geoms, area), shapely.intersects(geoms, area))
        return hit[2], hit[3]

    def land_area(self) -> Any:
        """The administrative area with the gaps between its units closed (a buffer of half a millimetre at the album
        scale, out and back in): where the callouts of a map should sit (:func:`place_callouts` ``within``); real
        kecamatan digitised apart leave slivers between them that a circle well inside the city would cross. None
        without a boundary layer."""
        if not hasattr(self, "_land_area"):
            area = self.admin_area()
            if area is not None:
                d = 0.0005 * (self.scale or 100000.0)
                area = shapely.buffer(shapely.buffer(area, d, quad_segs=4), -d, quad_segs=4)
                shapely.prepare(area)
            self._land_area = area
        return self._land_area

    def admin_area(self) -> Any:
        """The administrative area (the union of the kecamatan, else kelurahan, else zoning outline), widened by
        :data:`ADMIN_TOLERANCE` for boundaries digitised apart; None without a boundary layer."""
        if not hasattr(self, "_admin_area"):
            ctx = self.context
            self._admin_area = None
            if ctx is not None and len(ctx):
                geoms = overlay.make_valid(np.asarray(ctx.geometry.dropna().array, dtype=object), what="admin")
                area = overlay.union_all(geoms, what="admin").buffer(ADMIN_TOLERANCE)
                shapely.prepare(area)
                self._admin_area = area
        return self._admin_area


    def _keep_corners_clear(self, frame: MapFrame, key: tuple[float, float, float] | None) -> None:
        """Move the map (at the same scale) so that the region's bounds stay clear of the inset in the upper left
        corner (and of the circle-size ``key`` in the upper right) and of the scale bar's strip at the foot: the
        region between the two strips when the height allows, else right of the inset; else centred as before.
        The corners kept are recorded (``frame.inset_reserved``, ``frame.key_reserved``) and their boxes are
        taken space for the labels and callouts (:func:`~sppr_gis.maps.cartography.labels.reserve`)."""
        from sppr_gis.maps.cartography.inset import INSET_MARGIN, INSET_SHARE, INSET_SHARE_MIN, inset_corners
        from sppr_gis.maps.cartography.labels import reserve

        assert frame.extent is not None and self.city_bounds is not None
        ex0, ey0, ex1, ey1 = frame.extent
        W, H = ex1 - ex0, ey1 - ey0
        cx0, cy0, cx1, cy1 = self.city_bounds
        pos = frame.ax.get_position()
        foot = 0.11 * H  # the scale bar's box ends at 0.096 of the height (scalebar.add_scale_bar)
        gap = 0.01 * H
        room = H - (cy1 - cy0) - foot - 2 * gap  # height left above the region for the inset's strip
        # the inset at its usual size above the region; else right of it (no key); else a smaller inset above
        ext = None
        for share, where in ((INSET_SHARE, "above"), (INSET_SHARE, "beside"), (min(INSET_SHARE, room / H - 2 * INSET_MARGIN / pos.height), "above")):
            if share < INSET_SHARE_MIN:
                continue
            frame.inset_share = share
            boxes, (w, h, _w_in, _h_in) = inset_corners(frame)
            top = (h + 2 * INSET_MARGIN) / pos.height * H  # the inset's strip, map units
            if key is not None:
                top = max(top, key[1] + key[2])
            free_y = room - top
            free_x = W - (cx1 - cx0) - (w + 2 * INSET_MARGIN) / pos.width * W - 2 * gap
            if where == "above" and free_y >= 0:
                ny0 = cy0 - foot - gap - free_y / 2
                ext = (ex0, ny0, ex1, ny0 + H)
                break
            if where == "beside" and key is None and free_x >= 0:
                nx0 = cx0 - (w + 2 * INSET_MARGIN) / pos.width * W - gap - free_x / 2
                ext = (nx0, ey0, nx0 + W, ey1)
                break
        if ext is None:
            frame.inset_share = INSET_SHARE
            return
        frame.ax.set_xlim(ext[0], ext[2])
        frame.ax.set_ylim(ext[1], ext[3])
        frame.extent = ext
        frame.inset_reserved = "upper left"
        bx, by = boxes["upper left"]
        reserve(frame.ax, (bx, by, bx + w, by + h))
        if key is not None:
            kw, kh, km = key
            frame.key_reserved = "upper right"
            (fx0, fy0), (fx1, fy1) = frame.fig.transFigure.inverted().transform(frame.ax.transData.transform([(ext[2] - km - kw, ext[3] - km - kh), (ext[2] - km, ext[3] - km)]))
            reserve(frame.ax, (fx0, fy0, fx1, fy1))

    def network_names(self, frame: MapFrame, *, fontsize: float = 6.5, stage: str = "all", number: bool = True) -> LegendSection | None:
        """The networks' names along their lines, clear of the other lines drawn: after the programs are drawn.

        Planned (rencana) networks are named first, then the rest, long ones first. A name that does not fit along its
        line (longer than the line as drawn, or no clear place: :func:`place_line_labels`) gets a number with a short
        leader at the line's middle instead, keyed in the returned legend section ("Nama ruas jaringan"); one that
        finds no place for its number either is listed in ``frame.data["network_unnamed"]`` (the page's note says so).

        ``stage="planned"`` sets only the planned networks' names along their lines (before the kecamatan names, so
        that those give way to them) and returns None; ``stage="rest"`` then the others, and numbers every name of
        both stages that found no place along its line. ``number=False``: no numbers; the names not set along their
        lines are listed in ``frame.data["network_unnamed"]``.
        """
        frame.data["network_unnamed"] = []
        roads = self.L.get("struktur_ruang")
        if roads is None:
            return None
        jf = _first(roads, ("JNSRSR", "jenis", "kelas", "NAMOBJ"))
        nf = _first(roads, ("NAMOBJ", "nama", "name", "NAMA", "NAMJLN"))
        if not nf or nf == jf:
            return None
        ok = roads[nf].notna() & (roads[nf].astype(str).str.strip() != "")
        sel = roads[ok]
        sf = _first(sel, ("STSJRN", "status"))
        plan = sel[sf].astype(str).str.lower().str.contains("rencana").to_numpy() if sf else np.zeros(len(sel), dtype=bool)
        order = np.lexsort((-sel.geometry.length.to_numpy(), ~plan))  # planned first, then long ones first
        geoms = [sel.geometry.iloc[i] for i in order]
        names = [" ".join(str(sel[nf].iloc[i]).split()) for i in order]
        n_plan = int(plan.sum())
        todo = {"planned": range(n_plan), "rest": range(n_plan, len(order))}.get(stage, range(len(order)))
        missed: list[int] = frame.data.pop("network_missed", []) if stage == "rest" else []
        more: list[int] = []
        frame.data["network_planned_labels"] = place_line_labels(frame.ax, [geoms[k] for k in todo], [names[k] for k in todo], fontsize=fontsize * frame.k, color="#1f2f4a", within=self.admin_area(), missed=more)
        missed += [todo[k] for k in more]
        if stage == "planned":
            frame.data["network_missed"] = missed
            return None
        if not number:  # along the lines only (a map whose legend has no room for the key): the page's note counts the others
            frame.data["network_unnamed"] = [names[k] for k in missed]
            return None
        if not missed:
            return None
        xy = []
        for k in missed:  # the number at the middle of the line (its longest part), or on the point or area
            g = geoms[k]
            parts = [q for q in shapely.get_parts(shapely.line_merge(g) if shapely.get_type_id(g) == 5 else g) if not q.is_empty]
            q = max(parts, key=lambda q: (q.length, q.area)) if parts else g
            p = q.interpolate(0.5, normalized=True) if shapely.get_type_id(q) in (1, 2) else q.representative_point()
            xy.append((p.x, p.y))
        numbers = [str(n + 1) for n in range(len(missed))]
        dropped: list[str] = []
        before = getattr(frame.ax, "_sppr_unnumbered", 0)
        place_callouts(frame.ax, xy, numbers, fontsize=fontsize * frame.k, colors=["#1f2f4a"] * len(xy), dropped=dropped, gid="network-number",
                       within=self.land_area())
        frame.ax._sppr_unnumbered = before  # not programs: the page's note names them itself
        style = frame.data.get("network_style", {})
        cats = sel[jf].astype(str).to_numpy() if jf else None
        hs, labs = [], []
        for num, k in zip(numbers, missed):
            if num in dropped:
                frame.data["network_unnamed"].append(names[k])
                continue
            col, w = style.get(str(cats[order[k]]) if cats is not None else "", ("#333333", 1.2))
            hs.append(Line2D([], [], color=col, linewidth=w, linestyle=planned_dash(w) if plan[order[k]] else "-"))
            labs.append(textwrap.fill(f"{num}. {names[k]}", 46, subsequent_indent="    "))
        return LegendSection("Nama ruas jaringan (nomor pada peta)", hs, labs) if hs else None

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
        frame.data["network_style"] = {str(k): (mpl_color(colors[str(k)]), _network_width(str(k))) for k in set(cats)}
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
                    grp.plot(ax=frame.ax, color=col, linewidth=w, linestyle=planned_dash(w) if plan else "-", zorder=zorder + 0.1, gid="network")
        if labels:
            self.network_names(frame)
        # the classes in the plan's hierarchy (roads: primer system before sekunder), each keyed as the map draws it:
        # dashed when every line of it is planned (review s7: a planned-only class was keyed solid)
        kinds = sorted(colors, key=network_rank)
        cnt = _counts(g, "_j")
        n_plan = _counts(g[g["_p"]], "_j")
        length = g.assign(_len=g.geometry.length).groupby("_j")["_len"].sum()
        h, lab = [], []
        for k in kinds:
            w = _network_width(k)
            only_plan = n_plan.get(k, 0) == cnt.get(k, 0) > 0
            h.append(Line2D([], [], color=mpl_color(colors[k]), linewidth=w, linestyle=planned_dash(w) if only_plan else "-"))
            # a planned-only class says so by its dashed swatch (keyed by the "Rencana" entry below); a class of both
            # kinds is keyed solid, so its label counts the planned lines
            state = f"; {n_plan[k]} rencana" if n_plan.get(k, 0) and not only_plan else ""
            lab.append(f"{k} ({cnt.get(k, 0)}; {_km(float(length.get(k, 0.0)))}{state})")
        if planned.any():
            h += [Line2D([], [], color="#333333", linewidth=1.7), Line2D([], [], color="#333333", linewidth=1.7, linestyle=planned_dash(1.7))]
            lab += ["Eksisting", "Rencana"]
        return LegendSection("Struktur ruang (jaringan)", h, lab)


#: How far (map units, metres) a program may lie beyond the administrative boundary before a map notes it:
#: boundaries and programs digitised from different sources do not meet exactly.
ADMIN_TOLERANCE = 1.0


#: A boundary extract shipped with the package for the location inset (province and regencies), when present.
BUNDLED_INSET = Path(__file__).parent.parent / "data" / "batas_wilayah.gpkg"


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
