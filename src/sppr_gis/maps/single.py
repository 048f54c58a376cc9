"""Single ad-hoc maps of a result layer (``sppr map``)."""

from __future__ import annotations

import logging
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    category_legend,
    display_crs,
    draw_by_category,
    draw_zoning,
    geometry_type_legend,
    split_by_dimension,
    zone_legend,
)
from sppr_gis.maps.classify import (  # noqa: E402
    assign_classes,
    class_breaks,
    class_labels,
)
from sppr_gis.maps.pages.common import (  # noqa: E402
    _ZONE_FIELDS,
    _bounds,
    _code_only,
    _counts,
    _money_fmt,
    _opd_colors,
    _usable,
    zone_field,
    zone_name_field,
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
    normalize_code,
)
from sppr_gis.text import angka  # noqa: E402
from sppr_gis.i18n import _

log = logging.getLogger(__name__)


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

    Notes
    -----
    Steps: the layer and the zoning in the display CRS, the column's colours, the page framed on the
    layer, the zoning underneath, the layer in classes or categories, the legend, the source and inset.
    """
    pal, crs, layer, zon = _in_display_crs(layer, zoning, palette)
    column, colors, labels, order, numeric = _choose_column(layer, by, pal)
    frame = _framed(layer, column, crs, title, subtitle)
    zsec = _zoning_underneath(frame, zon, pal, by)
    dims_all = set(split_by_dimension(layer))
    polys_only = dims_all == {2}
    if numeric is not None:
        sec = _draw_numeric(frame, layer, column, numeric, polys_only)
    else:
        sec = _draw_categories(frame, layer, column, colors, labels, order, polys_only)
    frame.add_legend(_legend_sections(sec, dims_all, polys_only, zsec))
    _finish(frame, layer, zon, crs, context, source)
    return frame


def _in_display_crs(
    layer: gpd.GeoDataFrame, zoning: gpd.GeoDataFrame | None, palette: Palette | Mapping[str, Any] | None,
) -> tuple[Palette, Any, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The palette, the display CRS, and the layer and the zoning (None when unusable) in it."""
    if not _usable(layer):
        raise ValueError(_("the layer has no features with a geometry and a CRS"))
    pal = palette if isinstance(palette, Palette) else Palette(palette)
    crs = display_crs([zoning if _usable(zoning) else None, layer])
    layer = layer.to_crs(crs)
    zon = zoning.to_crs(crs) if _usable(zoning) else None
    return pal, crs, layer, zon


#: The default title of a single map by the column it shows (analyst s9: 'PETA STATUS' said little).
DEFAULT_TITLES: dict[str, str] = {
    "status": "Peta Kesesuaian Lokasi Program terhadap Rencana Pola Ruang",
    "status_sinkron": "Peta Status Sinkronisasi Program dengan Indikasi Program",
    "status_struktur": "Peta Kesesuaian Program terhadap Rencana Struktur Ruang",
    "opd": "Peta Lokasi Program per Perangkat Daerah",
    "dominant_zone": "Peta Zona Dominan Lokasi Program",
}


def _framed(layer: gpd.GeoDataFrame, column: str, crs: Any, title: str | None, subtitle: str | None) -> MapFrame:
    """The page, its extent the layer's bounds; without ``title``, the column's title (:data:`DEFAULT_TITLES`), else
    ``Peta <column>``."""
    frame = MapFrame(title or DEFAULT_TITLES.get(column, f"Peta {column}"), crs=crs, subtitle=subtitle, number=None)
    b = _bounds(layer)
    assert b is not None
    frame.set_extent(b, pad=0.08)
    return frame


def _zoning_underneath(frame: MapFrame, zon: gpd.GeoDataFrame | None, pal: Palette, by: str) -> LegendSection | None:
    """The zoning drawn faintly under the layer; its legend section when it has few zones (or ``by`` is ``zone``)."""
    zsec = None
    if zon is not None:
        zf = zone_field(zon)
        if zf:
            # the zone's own name (NAMZON beside KODZON ...), as the Perda writes it, not the palette's class name
            nf = zone_name_field(zon, zf)
            zcol = draw_zoning(frame.ax, zon, pal, code_field=zf, name_field=nf, alpha=0.3)
            if by == "zone" or len(zcol) <= 30:
                names = {}
                if nf:
                    first = zon[[zf, nf]].dropna().drop_duplicates(zf)
                    names = {str(c): " ".join(str(n).split()) for c, n in zip(first[zf], first[nf]) if str(n).strip()}
                h, lab = zone_legend(zcol, pal, names, alpha=0.3, max_chars=None)
                zsec = LegendSection("Zona (latar)", h, lab, short_labels=[textwrap.fill(t, 27) for t in lab])
        else:
            zon.plot(ax=frame.ax, color="#e5e5e5", edgecolor="white", linewidth=0.2)
    return zsec


def _draw_numeric(frame: MapFrame, layer: gpd.GeoDataFrame, column: str, numeric: Any, polys_only: bool) -> LegendSection:
    """A numeric column drawn in classes (``numeric``: breaks, shades, class labels, legend title); its legend section."""
    breaks, shades, ltext, ntitle = numeric
    vals = pd.to_numeric(layer[column], errors="coerce").to_numpy(dtype=float)
    cls = assign_classes(vals, breaks)
    key = pd.Series([str(c) for c in cls], index=layer.index)
    cmap_colors = {str(i): tuple(int(255 * v) for v in shades[i][:3]) for i in range(len(breaks))}
    cmap_colors["-1"] = (200, 200, 200)
    draw_by_category(frame.ax, layer.assign(_cls=key), "_cls", cmap_colors, polygon_alpha=0.85 if polys_only else 0.5)
    h = [Patch(facecolor=shades[i], edgecolor="#444444", linewidth=0.5) for i in range(len(breaks))]
    sec = LegendSection(ntitle, h, ltext)
    return sec


def _draw_categories(
    frame: MapFrame, layer: gpd.GeoDataFrame, column: str, colors: dict[str, RGB], labels: dict[str, str], order: list[str] | None,
    polys_only: bool,
) -> LegendSection:
    """A categorical column drawn in its colours; its legend section (with counts)."""
    kind = "patch" if polys_only else "mixed"
    draw_by_category(frame.ax, layer.assign(_v=layer[column].astype(object).where(layer[column].notna(), None)), "_v", colors, order=order, polygon_alpha=0.85 if polys_only else 0.5)
    h, lab = category_legend(colors, labels, _counts(layer, column), kind=kind, order=order)
    sec = LegendSection(_column_title(column), h, lab, short_labels=[_code_only(t, 26) for t in lab] if len(h) > 6 else None)
    return sec


def _legend_sections(sec: LegendSection, dims_all: set[int], polys_only: bool, zsec: LegendSection | None) -> list[LegendSection]:
    """The layer's section, the location shapes (unless all are areas), the zoning's section."""
    secs = [sec]
    if not polys_only:
        gh, gl = geometry_type_legend(sorted(dims_all))
        secs.append(LegendSection("Bentuk lokasi", gh, gl))
    if zsec:
        secs.append(zsec)
    return secs


def _finish(frame: MapFrame, layer: gpd.GeoDataFrame, zon: gpd.GeoDataFrame | None, crs: Any, context: gpd.GeoDataFrame | None, source: str | None) -> None:
    """The source line and the inset locator (``context``, else the zoning)."""
    ctx = context if _usable(context) else zon
    frame.finish([source or "Sumber: hasil analisis sppr_gis."], avoid=layer, context=ctx.to_crs(crs) if ctx is not None else None)


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
        raise KeyError(_("no column '{by}' in the layer (columns: {columns})").format(by=by, columns=', '.join(map(str, layer.columns))))
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
        whole = bool(np.all(np.mod(num.dropna().to_numpy(dtype=float), 1) == 0)) and all(float(b).is_integer() for b in breaks)
        labels = class_labels(breaks, fmt, lowest=float(num.min()), integer=whole and not money)
        return by, {}, {}, None, (breaks, shades, labels, by + (f" ({_money_fmt(max(breaks))[2]})" if money else ""))
    colors = _opd_colors(uniq) if len(uniq) <= 10 else distinct_colors(uniq)
    return by, colors, {u: u for u in uniq}, uniq, None


def _num(v: float) -> str:

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
            raise LayerError(_("{path}: no layer with geometry (layers: {info})").format(path=ls.path, info=', '.join((str(n) for n, _ in info))))
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
