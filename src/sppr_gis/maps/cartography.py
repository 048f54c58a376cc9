"""Map furniture with matplotlib (Agg, offline): frame, legend, north arrow, scale bar, ticks, inset, notes.

One page is a :class:`MapFrame`: an A3-landscape figure (A4 on request) with
the map on the left and an information column on the right (map number and
sheet, title, region and year, north arrow and numeric scale, legend, inset
locator, source citations, the preparing office with its logo and signatory),
the layout of Indonesian spatial-plan albums. Every text is at least
:data:`MIN_PT` points at print size (the figure is the paper). The scale bar is drawn inside the map in data coordinates of the
projected (metric) CRS, so its length is true by construction; the frame
refuses geographic CRSs.

>>> frame = MapFrame("PETA KESESUAIAN PROGRAM", crs="EPSG:32648")   # doctest: +SKIP
>>> frame.set_extent(zoning.total_bounds)                             # doctest: +SKIP
>>> draw_zoning(frame.ax, zoning, Palette())                           # doctest: +SKIP
>>> frame.add_legend([LegendSection("Zona", handles)])                # doctest: +SKIP
>>> frame.finish(note="Sumber: RDTR")                                  # doctest: +SKIP
>>> frame.fig.savefig("peta.png", dpi=150)                             # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Polygon, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from pyproj import CRS, Transformer  # noqa: E402

from sppr_gis._version import __version__  # noqa: E402
from sppr_gis.i18n import _
from sppr_gis.maps.palette import RGB, Palette, mpl_color  # noqa: E402
from sppr_gis.text import angka  # noqa: E402

__all__ = [
    "PAGE_SIZE",
    "PAPER_SIZES",
    "MIN_PT",
    "LegendSection",
    "ScaleBar",
    "MapFrame",
    "PreparerBlock",
    "continuation_pages",
    "preparer_artists",
    "signature_parts",
    "nice_scale_length",
    "fit_extent",
    "split_by_dimension",
    "draw_zoning",
    "draw_by_category",
    "draw_outline",
    "place_labels",
    "place_line_labels",
    "place_callouts",
    "spread_positions",
    "zone_legend",
    "category_legend",
    "geometry_type_legend",
    "display_crs",
    "rupiah",
]

#: Landscape paper sizes, inches (ISO 216: A3 420 x 297 mm, A4 297 x 210 mm).
PAPER_SIZES: dict[str, tuple[float, float]] = {"A3": (420 / 25.4, 297 / 25.4), "A4": (297 / 25.4, 210 / 25.4)}
#: The default page: A3 landscape, inches.
PAGE_SIZE: tuple[float, float] = PAPER_SIZES["A3"]
#: Smallest text size on a printed page, points.
MIN_PT = 7.0
_MAP_BOX = (0.07, 0.075, 0.645, 0.865)  # left, bottom, width, height (figure fraction)
_PANEL_X = (0.745, 0.985)
_INK = "#222222"
_PREP_TOP = 0.118  # figure fraction: top of the preparer block when it is short (office, logo, signatory)
_NOTE_TOP = 0.222  # top of the source citations when the preparer block is short
_INSET_TOP = 0.385  # top of the inset locator (A3; measured from the citations' top)
_INSET_H = _INSET_TOP - _NOTE_TOP  # height of the inset block (title and map)
_FOOT = 0.043
#: Table rows a map continues on its continuation pages; rows past these are left to the Buku Matriks.
MAX_CONTINUED_ROWS = 400  # bottom of the panel's content (the border is at 0.035)
#: Room left blank for the wet signature and the stamp, millimetres.
SIGN_SPACE_MM = 25.0
#: The preparer block may take at most this share of the page height; beyond it the album stops (exit 1).
_PREP_MAX = 0.5


def _pt(size: float) -> float:
    """A font size never below :data:`MIN_PT`."""
    return max(MIN_PT, float(size))


def paper_size(paper: str) -> tuple[float, float]:
    """Landscape size in inches of ``"A3"`` or ``"A4"``.

    Raises
    ------
    ValueError
        Unknown paper name.
    """
    key = str(paper).strip().upper()
    if key not in PAPER_SIZES:
        raise ValueError(_("paper must be one of {paper_sizes}, not {paper!r}").format(paper_sizes=', '.join(PAPER_SIZES), paper=paper))
    return PAPER_SIZES[key]
_HALO = [pe.withStroke(linewidth=2.4, foreground="white")]


# --------------------------------------------------------------------------- helpers


def rupiah(value: float, decimals: int = 1) -> str:
    """Rupiah in words the way planning documents write them: ``Rp 12,3 miliar``.

    >>> rupiah(12_345_000_000)
    'Rp 12,3 miliar'
    >>> rupiah(850_000_000)
    'Rp 850 juta'
    """
    if value is None or not np.isfinite(value):
        return "-"
    v = float(value)
    for div, word in ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")):
        if abs(v) >= div:
            x = v / div
            d = 0 if abs(x) >= 100 else decimals
            return f"Rp {angka(x, d)} {word}"
    return f"Rp {angka(v, 0)}"


def display_crs(frames: Sequence[gpd.GeoDataFrame | None]) -> CRS:
    """The metric CRS maps are drawn in: the first layer's when projected in metres, else its UTM zone.

    Raises
    ------
    ValueError
        No layer with a CRS and features.
    """
    from sppr_gis.crs import metric_crs

    usable = [f for f in frames if f is not None and f.crs is not None and len(f) and not f.geometry.is_empty.all()]
    if not usable:
        raise ValueError(_("no layer with a CRS and features to draw"))
    return metric_crs(usable)


def _is_metric(crs: CRS) -> bool:
    if not crs.is_projected:
        return False
    return {(a.unit_name or "").lower() for a in crs.axis_info[:2]} <= {"metre", "meter", "m"}


def nice_scale_length(max_length: float) -> float:
    """The largest "nice" length (1, 2, 2.5 or 5 times a power of ten) not above ``max_length``.

    >>> nice_scale_length(3700.0)
    2500.0
    >>> nice_scale_length(180.0)
    100.0
    """
    if not max_length > 0:
        raise ValueError(_("max_length must be positive"))
    exp = math.floor(math.log10(max_length))
    best = 10.0**exp
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        cand = m * 10.0**exp
        if cand <= max_length * (1 + 1e-9):
            best = cand
    return best


def _segments(length: float) -> int:
    for n in (4, 5, 2):
        step = length / n
        mant = step / 10.0 ** math.floor(math.log10(step))
        if any(abs(mant - m) < 1e-9 for m in (1.0, 2.0, 2.5, 5.0)):
            return n
    return 2


def fit_extent(bounds: Sequence[float], aspect: float, pad: float = 0.04, min_size: float = 200.0) -> tuple[float, float, float, float]:
    """Grow ``bounds`` (minx, miny, maxx, maxy) by ``pad`` and to the width/height ratio ``aspect``.

    The result keeps the centre and has exactly ``(maxx-minx)/(maxy-miny) == aspect``,
    so an equal-aspect axes shows it without further adjustment.
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not all(np.isfinite([minx, miny, maxx, maxy])):
        raise ValueError(_("extent is not finite (empty layers?)"))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = max(maxx - minx, min_size) * (1 + 2 * pad)
    h = max(maxy - miny, min_size) * (1 + 2 * pad)
    if w / h > aspect:
        h = w / aspect
    else:
        w = h * aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def split_by_dimension(gdf: gpd.GeoDataFrame) -> dict[int, gpd.GeoDataFrame]:
    """Split a mixed layer into points (0), lines (1) and polygons (2); collections are exploded.

    Null and empty geometries are dropped.
    """
    if gdf is None or not len(gdf):
        return {}
    g = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if not len(g):
        return {}
    types = shapely.get_type_id(np.asarray(g.geometry.array, dtype=object))
    if (types == 7).any():
        g = g.explode(index_parts=False)
        g = g[~g.geometry.is_empty]
    dim = shapely.get_dimensions(np.asarray(g.geometry.array, dtype=object))
    return {int(d): g[dim == d] for d in (2, 1, 0) if (dim == d).any()}


# --------------------------------------------------------------------------- drawing


def draw_zoning(
    ax: Any,
    zoning: gpd.GeoDataFrame,
    palette: Palette,
    *,
    code_field: str = "zone_code",
    name_field: str | None = None,
    alpha: float = 1.0,
    edgecolor: str = "#ffffff",
    linewidth: float = 0.15,
    zorder: float = 1,
) -> dict[str, RGB]:
    """Fill zone polygons with their palette colours; return the colours used (code -> RGB)."""
    if zoning is None or not len(zoning):
        return {}
    codes = zoning[code_field].astype(object).where(zoning[code_field].notna(), None)
    names = zoning[name_field] if name_field and name_field in zoning.columns else None
    colors = palette.colors(codes.dropna(), None if names is None else names[codes.notna()])
    face = [mpl_color(colors[str(c)], alpha) if c is not None else (0.85, 0.85, 0.85, alpha) for c in codes]
    zoning.plot(ax=ax, color=face, edgecolor=edgecolor, linewidth=linewidth, zorder=zorder, rasterized=len(zoning) > RASTERIZE_ABOVE)
    return colors


#: A layer of more features than this is drawn as an image inside the PDF (at the page's dpi): the
#: PDF backend writes each vector path in Python, which made an album of 10,000 programs miss its minute;
#: labels, legend and frame stay vector.
RASTERIZE_ABOVE = 3000


def draw_by_category(
    ax: Any,
    gdf: gpd.GeoDataFrame,
    column: str,
    colors: Mapping[str, RGB],
    *,
    default: RGB = (120, 120, 120),
    point_size: float = 34.0,
    line_width: float = 2.6,
    polygon_alpha: float = 0.5,
    zorder: float = 5,
    order: Sequence[str] | None = None,
) -> dict[int, int]:
    """Draw a mixed layer by geometry type (polygons, lines, points), coloured by ``column``.

    Polygons get a translucent fill and an outline, lines a white halo, points
    are circles with a dark edge; areas and lines too small to see at the map's
    scale are also drawn as circles. Categories in ``order`` are drawn last-on-top in
    reverse, so the first category (e.g. ``tidak_sesuai``) ends up on top. Sizes are
    for an A4 page and grow with larger paper; point symbols that would stack are
    spread on a ring around their place, each with a leader to it.

    Returns
    -------
    dict
        Number of features drawn per dimension (0, 1, 2).
    """
    parts = split_by_dimension(gdf)
    # symbols grow with the paper (sizes are given for A4): an A3 page is read at the same distance
    k = max(1.0, ax.figure.get_figwidth() / PAPER_SIZES["A4"][0])
    point_size *= k
    line_width *= math.sqrt(k)
    # areas and lines smaller than ~4 pt on paper would vanish: draw them as point symbols too
    if not ax.get_autoscale_on():
        bb = ax.get_window_extent()
        x0, x1 = ax.get_xlim()
        m_per_pt = (x1 - x0) / max(bb.width * 72.0 / ax.figure.dpi, 1e-9)
        tiny_parts = []
        for dim in (2, 1):
            if dim in parts:
                g = parts[dim]
                b = g.geometry.bounds
                tiny = np.maximum(b["maxx"] - b["minx"], b["maxy"] - b["miny"]).to_numpy() < 4.0 * m_per_pt
                if tiny.any():
                    tiny_parts.append(gpd.GeoDataFrame(g[tiny].drop(columns=g.geometry.name), geometry=g[tiny].geometry.representative_point().values, crs=g.crs))
        if tiny_parts:
            pts = pd.concat(([parts[0]] if 0 in parts else []) + tiny_parts)
            parts[0] = gpd.GeoDataFrame(pts, geometry=pts.geometry.name, crs=gdf.crs)
    counts: dict[int, int] = {}
    rank = {c: i for i, c in enumerate(order or [])}
    for dim, g in parts.items():
        raster = len(g) > RASTERIZE_ABOVE
        vals = g[column].astype(object).where(g[column].notna(), None).map(lambda v: None if v is None else str(v))
        key = vals.map(lambda v: -rank.get(v, len(rank)) if v is not None else -len(rank) - 1)
        g = g.assign(_c=vals, _k=key).sort_values("_k", kind="stable")
        face = [mpl_color(colors.get(v, default) if v is not None else default) for v in g["_c"]]
        counts[dim] = len(g)
        if dim == 2:
            # large areas (a whole kelurahan named as location) must not hide what lies under them:
            # a translucent fill and a strong outline in a darker shade of the same colour
            edge = [tuple(0.6 * c for c in f) for f in face]
            g.plot(ax=ax, color=[(*f, polygon_alpha) for f in face], edgecolor=edge, linewidth=1.3, zorder=zorder, rasterized=raster)
        elif dim == 1:
            g.plot(ax=ax, color="white", linewidth=line_width + 2.2, zorder=zorder + 0.5, capstyle="round", rasterized=raster)
            g.plot(ax=ax, color=face, linewidth=line_width, zorder=zorder + 0.6, capstyle="round", rasterized=raster)
        else:
            if not ax.get_autoscale_on():
                g = _spread_stacked(ax, g, point_size, zorder)
            g.plot(ax=ax, color=face, markersize=point_size, edgecolor="#1a1a1a", linewidth=0.6, zorder=zorder + 1, rasterized=raster)
    return counts


def _m_per_pt(ax: Any) -> float:
    bb = ax.get_window_extent()
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / max(bb.width * 72.0 / ax.figure.dpi, 1e-9)


def spread_positions(xy: np.ndarray, min_dist: float, max_group: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Positions for point symbols closer than ``min_dist``: each group of stacked points is spread on a ring around its centre.

    Groups of more than ``max_group`` points (a dense area rather than a stack) keep
    their positions. Returns the new positions and the group number of each point
    (-1 when it stands alone or is not moved).
    """
    n = len(xy)
    group = np.full(n, -1, dtype=int)
    out = np.array(xy, dtype=float, copy=True)
    if n < 2 or not min_dist > 0:
        return out, group
    pts = shapely.points(out)
    i, j = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=min_dist)
    parent = np.arange(n)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(i, j):
        if a < b:
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(k) for k in range(n)])
    gid = 0
    uniq, counts = np.unique(roots, return_counts=True)
    for r in uniq[counts > 1]:
        members = np.flatnonzero(roots == r)
        if len(members) < 2 or len(members) > max_group:
            continue
        centre = out[members].mean(axis=0)
        radius = min_dist * max(0.8, 1.1 * len(members) / (2 * math.pi))
        ang = np.pi / 2 - 2 * np.pi * np.arange(len(members)) / len(members)
        out[members] = centre + radius * np.c_[np.cos(ang), np.sin(ang)]
        group[members] = gid
        gid += 1
    return out, group


def _spread_stacked(ax: Any, g: gpd.GeoDataFrame, point_size: float, zorder: float) -> gpd.GeoDataFrame:
    """Stacked point symbols spread on a ring, each with a leader to its true place (a small dot)."""
    geoms = np.asarray(g.geometry.array, dtype=object)
    single = shapely.get_type_id(geoms) == 0
    if single.sum() < 2:
        return g
    xy = np.c_[shapely.get_x(geoms[single]), shapely.get_y(geoms[single])]
    diameter = math.sqrt(max(point_size, 1.0)) * _m_per_pt(ax)
    new, group = spread_positions(xy, diameter * 0.9)
    moved = group >= 0
    if not moved.any():
        return g
    geoms = geoms.copy()
    geoms[single] = shapely.points(new)
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection([[tuple(a), tuple(b)] for a, b in zip(xy[moved], new[moved])], colors="#333333", linewidths=0.5, zorder=zorder + 0.9, gid="stack-leader"))
    ax.scatter(xy[moved, 0], xy[moved, 1], s=4, color="#111111", zorder=zorder + 0.95, linewidths=0, gid="stack-origin")
    return gpd.GeoDataFrame(g.drop(columns=g.geometry.name), geometry=geoms, crs=g.crs)


def place_line_labels(
    ax: Any,
    geoms: Sequence[Any],
    texts: Sequence[str],
    *,
    fontsize: float = 7.0,
    color: str = _INK,
    style: str = "italic",
    weight: str = "normal",
    avoid: Sequence[Bbox] = (),
    zorder: float = 19,
) -> list[Artist]:
    """Names along lines (roads, rivers, channels): rotated with the line beside its middle, else at 35/65/20/80 %.

    A name that would overlap another text or run out of the map is dropped.
    """
    fig = ax.figure
    fontsize = _pt(fontsize)
    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(avoid) + [t.get_window_extent(renderer).expanded(1.02, 1.05) for t in ax.texts if t.get_visible() and t.get_text()]
    out: list[Artist] = []
    for geom, text in zip(geoms, texts):
        if not text or geom is None or geom.is_empty:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.length > 0]
        if not parts:
            continue
        line = max(parts, key=lambda p: p.length)
        ok = None
        for frac in (0.5, 0.35, 0.65, 0.2, 0.8):
            p = line.interpolate(frac, normalized=True)
            a = line.interpolate(max(frac - 0.04, 0.0), normalized=True)
            b = line.interpolate(min(frac + 0.04, 1.0), normalized=True)
            (ax_, ay_), (bx_, by_) = ax.transData.transform([(a.x, a.y), (b.x, b.y)])
            ang = math.degrees(math.atan2(by_ - ay_, bx_ - ax_))
            if ang > 90:
                ang -= 180
            elif ang < -90:
                ang += 180
            nx, ny = -math.sin(math.radians(ang)), math.cos(math.radians(ang))
            off = fontsize * 0.9
            t = ax.annotate(
                text, (p.x, p.y), xytext=(nx * off, ny * off), textcoords="offset points", ha="center", va="center",
                rotation=ang, rotation_mode="anchor", fontsize=fontsize, color=color, fontstyle=style, fontweight=weight,
                zorder=zorder, path_effects=_HALO, annotation_clip=True, gid="line-label",
            )
            bb = t.get_window_extent(renderer)
            if _fits(bb, ax_box, placed):
                ok = (t, bb)
                break
            t.remove()
        _keep(ok, out, placed)
    return out


def place_callouts(
    ax: Any,
    xy: Sequence[tuple[float, float]],
    numbers: Sequence[str],
    *,
    colors: Sequence[Any] | None = None,
    fontsize: float = 7.0,
    avoid: Sequence[Bbox] = (),
    zorder: float = 25,
    gid: str = "callout",
) -> list[Artist]:
    """Numbered markers beside features, joined to them by a short leader, keyed to the page's table.

    Every number is placed (a table row must find its feature): at the first
    candidate position clear of other callouts and texts, else at the least crowded one.
    """
    fig = ax.figure
    fontsize = _pt(fontsize)
    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(avoid) + [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    d = fontsize * 1.25
    # rings of candidate positions, nearest first (diagonals first: the leader then stays short and clear)
    offsets = []
    for ring in (1.4, 2.4, 3.5, 4.7, 6.0):
        for ang in (45, 135, -45, -135, 90, -90, 0, 180, 22.5, 157.5, -22.5, -157.5, 67.5, 112.5, -67.5, -112.5)[: 8 if ring < 2 else 16]:
            offsets.append((ring * d * math.cos(math.radians(ang)), ring * d * math.sin(math.radians(ang))))
    out: list[Artist] = []
    for k, ((x, y), num) in enumerate(zip(xy, numbers)):
        if not np.isfinite(x) or not np.isfinite(y):
            continue
        col = colors[k] if colors is not None else _INK
        best = None
        for dx, dy in offsets:
            t = ax.annotate(
                str(num), (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va="center", fontsize=fontsize,
                fontweight="bold", color=_INK, zorder=zorder, annotation_clip=True, gid=gid,
                bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor=col, linewidth=1.2),
                arrowprops=dict(arrowstyle="-", color=col, linewidth=0.8, shrinkA=0, shrinkB=1),
            )
            t.update_positions(renderer)
            bb = Text.get_window_extent(t, renderer)  # the number and its circle, not the leader
            bb = bb.expanded(max(1.0, bb.height / max(bb.width, 1e-9)) * 1.35, 1.35)
            inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
            hits = sum(bb.overlaps(q) for q in placed) + (0 if inside else 100)
            if best is None or hits < best[0]:
                if best is not None:
                    best[1].remove()
                best = (hits, t, bb)
            else:
                t.remove()
            if hits == 0:
                break
        assert best is not None
        out.append(best[1])
        placed.append(best[2])
    return out


def draw_outline(ax: Any, gdf: gpd.GeoDataFrame | None, *, color: str = "#333333", linewidth: float = 0.9, linestyle: str = "--", zorder: float = 3) -> None:
    """Boundaries (kecamatan, kelurahan, priority areas) as lines without fill."""
    if gdf is None or not len(gdf):
        return
    g = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if len(g):
        g.boundary.plot(ax=ax, color=color, linewidth=linewidth, linestyle=linestyle, zorder=zorder)


def place_labels(
    ax: Any,
    xy: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    fontsize: float = 7.0,
    color: str = _INK,
    weight: str = "normal",
    avoid: Sequence[Bbox] = (),
    zorder: float = 20,
    style: str = "normal",
    offsets: Sequence[tuple[float, float]] | None = None,
    va: str = "center",
) -> list[Artist]:
    """Place labels at points without overlaps: try the point, then above, below, right, left; else drop.

    Labels are tried in the given order (put the important ones first) and must
    stay inside the axes and clear of ``avoid`` (display-space boxes) and of the
    texts already in the axes. Each has a white halo. ``offsets`` (points)
    replaces the default candidate positions.

    Returns
    -------
    list of matplotlib artists
        The labels placed (dropped ones are removed from the axes).
    """
    fig = ax.figure
    fontsize = _pt(fontsize)
    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(avoid) + [t.get_window_extent(renderer).expanded(1.04, 1.1) for t in ax.texts if t.get_visible() and t.get_text()]
    out: list[Artist] = []
    d = fontsize * 1.1
    if offsets is None:
        offsets = [(0, 0), (0, d), (0, -d), (d * 2.2, 0), (-d * 2.2, 0), (d * 1.6, d), (-d * 1.6, -d)]
    for (x, y), text in zip(xy, texts):
        if not text or not np.isfinite(x) or not np.isfinite(y):
            continue
        ok = None
        for dx, dy in offsets:
            t = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va=va,
                fontsize=fontsize, color=color, fontweight=weight, fontstyle=style, zorder=zorder, path_effects=_HALO,
                annotation_clip=True,
            )
            bb = t.get_window_extent(renderer).expanded(1.06, 1.15)
            if _fits(bb, ax_box, placed):
                ok = (t, bb)
                break
            t.remove()
        _keep(ok, out, placed)
    return out


# --------------------------------------------------------------------------- legend entries


def _patch(rgb: RGB, alpha: float = 1.0, edge: str = "#555555", hatch: str | None = None) -> Patch:
    return Patch(facecolor=mpl_color(rgb, alpha), edgecolor=edge, linewidth=0.5, hatch=hatch)


def zone_legend(
    colors: Mapping[str, RGB], palette: Palette, names: Mapping[str, str] | None = None, alpha: float = 1.0, max_chars: int | None = 44,
) -> tuple[list[Artist], list[str]]:
    """Legend handles and Indonesian labels for the zones drawn (sorted by code).

    A label is the code and the data's zone name (``names``; the Perda's), else the
    palette's class name; cut at ``max_chars`` unless that is None (the pola ruang key keeps whole names).
    """
    handles, labels = [], []
    for code in sorted(colors, key=_code_sort_key):
        handles.append(_patch(colors[code], alpha, edge="#999999"))
        label = palette.label(code, (names or {}).get(code))
        labels.append(" ".join(label.split()) if max_chars is None else _short(label, max_chars))
    return handles, labels


def category_legend(
    colors: Mapping[str, RGB],
    labels: Mapping[str, str],
    counts: Mapping[str, int] | None = None,
    *,
    kind: str = "patch",
    order: Sequence[str] | None = None,
) -> tuple[list[Artist], list[str]]:
    """Legend handles for categories, with counts in the labels when given (``Sesuai (12)``).

    ``kind`` is ``patch``, ``line``, ``point`` or ``mixed`` (a dot for categories
    whose colour is all that matters).
    """
    keys = list(order) if order is not None else list(colors)
    handles, texts = [], []
    for k in keys:
        if k not in colors:
            continue
        c = mpl_color(colors[k])
        if kind == "line":
            h: Artist = Line2D([], [], color=c, linewidth=2.6)
        elif kind in ("point", "mixed"):
            h = Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=c, markeredgecolor="#1a1a1a", markeredgewidth=0.6)
        else:
            h = _patch(colors[k], 0.85, edge="#1a1a1a")
        label = labels.get(k, k)
        if counts is not None:
            label = f"{label} ({counts.get(k, 0)})"
        handles.append(h)
        texts.append(label)
    return handles, texts


def geometry_type_legend(dims: Sequence[int] = (0, 1, 2)) -> tuple[list[Artist], list[str]]:
    """Handles explaining the symbols for points, lines and areas."""
    grey = "#555555"
    out = {
        0: (Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=grey, markeredgecolor="#1a1a1a"), "Lokasi titik"),
        1: (Line2D([], [], color=grey, linewidth=2.6), "Lokasi garis (jalan, saluran)"),
        2: (Patch(facecolor=grey, edgecolor="#1a1a1a", alpha=0.75), "Lokasi area"),
    }
    pairs = [out[d] for d in sorted(set(dims)) if d in out]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _code_sort_key(code: str) -> tuple:
    import re

    parts = re.split(r"(\d+)", str(code))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


# --------------------------------------------------------------------------- the page


@dataclass
class LegendSection:
    """One titled block of the legend panel.

    Parameters
    ----------
    title : str
        Section title (Indonesian).
    handles : list of matplotlib artists
        Legend handles.
    labels : list of str
        Their labels.
    ncol : int
        Columns (1, or 2 for long lists).
    short_labels : list of str, optional
        Shorter labels used (in ``compact_ncol`` columns) when the section does not
        fit the panel in one column.
    compact_ncol : int
        Columns of the short labels (2; more for labels as short as zone codes).
    """

    title: str
    handles: list[Artist]
    labels: list[str]
    ncol: int = 1
    short_labels: list[str] | None = None
    compact_ncol: int = 2


@dataclass
class ScaleBar:
    """What the scale bar shows: ``length`` metres of the projected CRS in ``segments`` parts.

    Attributes
    ----------
    length : float
        Total length in CRS units (metres).
    segments : int
        Number of alternating boxes.
    unit : str
        ``m`` or ``km`` (label unit).
    x0, y0 : float
        Data coordinates of the bar's left end.
    labels : list of str
        Tick labels, left to right.
    """

    length: float
    segments: int
    unit: str
    x0: float
    y0: float
    labels: list[str] = field(default_factory=list)


class MapFrame:
    """An atlas page: map axes plus the side panel.

    Parameters
    ----------
    title : str
        Map title (printed in capitals).
    crs : CRS-like
        The projected, metric CRS the layers are drawn in.
    subtitle : str, optional
        Second title line (place, year).
    number : str, optional
        Page/map number (``Peta 3``).
    figsize : tuple of float
        Page size in inches (default A4 landscape).
    dpi : int
        Resolution the page is laid out (and saved as PNG) at.

    Raises
    ------
    ValueError
        ``crs`` is not projected in metres (a scale bar in degrees would lie).
    """

    def __init__(
        self,
        title: str,
        *,
        crs: Any,
        subtitle: str | None = None,
        number: str | None = None,
        figsize: tuple[float, float] | None = None,
        dpi: int = 200,
        paper: str = "A3",
        sheet: str | None = None,
        region: str | None = None,
        office: str | None = None,
        signatory: str | None = None,
        logo: Any = None,
        table_width: float = 0.0,
        place_date: str | None = None,
        inset_layer: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.crs = CRS.from_user_input(crs)
        if not _is_metric(self.crs):
            raise ValueError(_("maps are drawn in a projected CRS in metres, not {name}; transform the layers first").format(name=self.crs.name))
        self.title = title
        self.subtitle = subtitle
        self.number = number
        self.sheet = sheet
        self.region = region
        self.office = office
        self.signatory = signatory
        self.place_date = place_date
        self.logo = logo
        #: Boundaries around the region for the location inset (province, neighbouring regencies), with ``name``.
        self.inset_layer = inset_layer
        #: Legend entries and table rows that did not fit the page: printed on a continuation page.
        self.overflow_sections: list[LegendSection] = []
        self.overflow_rows: list[tuple[str, str]] = []
        self.overflow_title: str = ""
        self.overflow_more: str = ""
        self.legend_continued = 0
        self.continued_artists: list[Text] = []
        self.page_number_artist: Text | None = None
        self.paper = str(paper).upper() if figsize is None else "custom"
        size = figsize or paper_size(paper)
        self.fig = Figure(figsize=size, dpi=dpi)  # layout measured at the PNG resolution
        self.k = size[0] / PAPER_SIZES["A4"][0]  # type scale relative to A4 (A3: 1.41)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(self.fig)
        # geopandas' plot() asks for a redraw after every layer; on Agg that is a full render of
        # the page each time (most of the album's run time). The page is drawn once, when saved.
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
        l, b, w, h = _MAP_BOX
        tw = min(max(float(table_width), 0.0), 0.35)
        self.map_box = (l, b, w - tw, h)
        # a column right of the map (inside its border) for the table the numbered callouts refer to
        self.table_box: tuple[float, float, float, float] | None = (l + w - tw + 0.035, b, tw - 0.03, h) if tw else None
        self.table_rows: list[tuple[str, str]] = []
        self.table_shown = 0
        self.ax = self.fig.add_axes(self.map_box)
        self.ax.set_aspect("equal", adjustable="box")
        self.ax.set_facecolor("#ffffff")
        self.legend_sections: list[LegendSection] = []
        self.scale_bar: ScaleBar | None = None
        self.inset_ax: Any = None
        self.legends: list[Legend] = []
        self.notes: list[str] = []
        self.extent: tuple[float, float, float, float] | None = None
        self.scale_denominator: float | None = None
        self.legend_truncated = 0
        self.prep_top = _PREP_TOP
        #: Top (figure fraction) of the source block; raised by :meth:`finish` when the citations need more room.
        self.note_top = _NOTE_TOP
        self.sources_artist: Text | None = None
        #: What the page shows, for checks and reuse (filled by the album's pages: totals, classes, categories).
        self.data: dict[str, Any] = {}
        self._panel_border()

    def _panel_border(self) -> None:
        x0, x1 = _PANEL_X
        self.fig.patches.append(Rectangle((x0, 0.035), x1 - x0, 0.93, transform=self.fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))
        l, b, w, h = _MAP_BOX
        self.fig.patches.append(Rectangle((0.012, 0.035), x0 - 0.012 - 0.01, 0.93, transform=self.fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))

    def set_extent(self, bounds: Sequence[float], pad: float = 0.04) -> tuple[float, float, float, float]:
        """Show ``bounds`` (grown to the map box's shape) and return the final extent."""
        w_in = self.map_box[2] * self.fig.get_figwidth()
        h_in = self.map_box[3] * self.fig.get_figheight()
        ext = fit_extent(bounds, w_in / h_in, pad=pad)
        self.ax.set_xlim(ext[0], ext[2])
        self.ax.set_ylim(ext[1], ext[3])
        self.ax.set_autoscale_on(False)
        self.extent = ext
        return ext

    def set_scale_extent(self, center: tuple[float, float], denominator: float) -> tuple[float, float, float, float]:
        """Show the map at ``1 : denominator`` on paper, centred on ``center``; returns the extent."""
        w_m = self.map_box[2] * self.fig.get_figwidth() * 0.0254 * denominator
        h_m = self.map_box[3] * self.fig.get_figheight() * 0.0254 * denominator
        cx, cy = center
        ext = (cx - w_m / 2, cy - h_m / 2, cx + w_m / 2, cy + h_m / 2)
        self.ax.set_xlim(ext[0], ext[2])
        self.ax.set_ylim(ext[1], ext[3])
        self.ax.set_autoscale_on(False)
        self.extent = ext
        return ext

    def _final_extent(self) -> tuple[float, float, float, float]:
        self.ax.apply_aspect()
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        return (x0, y0, x1, y1)

    # -- furniture -------------------------------------------------------------

    def add_scale_bar(self, avoid: gpd.GeoDataFrame | None = None, fraction: float = 0.25) -> ScaleBar:
        """Scale bar in metres/kilometres, at most ``fraction`` of the map width, in a lower corner.

        The bar is drawn in data coordinates: its length is exact in the CRS. The
        lower corner with fewer features of ``avoid`` is used.
        """
        x0, y0, x1, y1 = self._final_extent()
        width, height = x1 - x0, y1 - y0
        length = nice_scale_length(width * fraction)
        nseg = _segments(length)
        km = length >= 1000
        div = 1000.0 if km else 1.0
        unit = "km" if km else "m"
        margin_x, margin_y = width * 0.035, height * 0.04
        bar_h = height * 0.011
        # choose the lower corner with less data
        corner = "left"
        if avoid is not None and len(avoid):
            boxes = {
                "left": shapely.box(x0, y0, x0 + length + 2 * margin_x, y0 + 6 * margin_y),
                "right": shapely.box(x1 - length - 2 * margin_x, y0, x1, y0 + 6 * margin_y),
            }
            geoms = avoid.geometry.values
            counts = {k: int(np.count_nonzero(shapely.intersects(np.asarray(geoms, dtype=object), b))) for k, b in boxes.items()}
            corner = min(counts, key=lambda k: (counts[k], k != "left"))
        bx = x0 + margin_x if corner == "left" else x1 - margin_x - length
        by = y0 + margin_y
        ax = self.ax
        # white box behind
        pad_x, pad_top = width * 0.015, height * 0.045
        box = Rectangle((bx - pad_x, by - height * 0.022), length + 2 * pad_x, bar_h + pad_top + height * 0.022, facecolor="white", edgecolor="#777777", linewidth=0.5, alpha=0.9, zorder=30, gid="scalebar-box")
        ax.add_patch(box)
        step = length / nseg
        for i in range(nseg):
            ax.add_patch(Rectangle((bx + i * step, by), step, bar_h, facecolor=_INK if i % 2 == 0 else "white", edgecolor=_INK, linewidth=0.6, zorder=31, gid="scalebar-seg"))
        labels = []
        every = 1 if nseg <= 4 else 2
        for i in range(nseg + 1):
            if i != nseg and (i % every or nseg - i < every):
                continue
            v = i * step / div
            txt = angka(v, 0 if abs(v - round(v)) < 1e-9 else (1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2))
            if i == nseg:
                txt = f"{txt} {unit}"
            labels.append(txt)
            t = ax.text(bx + i * step, by + bar_h + height * 0.006, txt, ha="center", va="bottom", fontsize=_pt(6.5 * self.k), color=_INK, zorder=32, gid="scalebar-label")
        # the box holds the last label ("5 km") whole, with the same margin on both sides
        ax.apply_aspect()
        r = ax.transData.inverted().transform(t.get_window_extent(self.fig.canvas.get_renderer()))[1][0]
        if r + pad_x * 0.6 > box.get_x() + box.get_width():
            box.set_width(r + pad_x * 0.6 - box.get_x())
        self.scale_bar = ScaleBar(length=length, segments=nseg, unit=unit, x0=bx, y0=by, labels=labels)
        self.scale_corner = "lower " + corner
        # numeric scale for the printed page
        ax_w_m = self.ax.get_position().width * self.fig.get_figwidth() * 0.0254
        self.scale_denominator = width / ax_w_m
        return self.scale_bar

    def add_coordinate_ticks(self, n: int = 5) -> None:
        """Grid coordinates (metres, ``mT``/``mU``) bottom/left and geographic (``°BT``/``°LU``) top/right."""
        x0, y0, x1, y1 = self._final_extent()
        ax = self.ax
        xt = _nice_ticks(x0, x1, n)
        yt = _nice_ticks(y0, y1, n)
        # fewer grid labels where they would run into each other (a narrow map, long coordinates)
        pt_per_m = self.ax.get_position().width * self.fig.get_figwidth() * 72 / (x1 - x0)
        m = n
        while m > 2 and len(xt) > 1 and (xt[1] - xt[0]) * pt_per_m < 1.25 * 0.62 * _pt(6 * self.k) * max(len(f"{angka(v, 0)} mT") for v in xt):
            m -= 1
            xt = _nice_ticks(x0, x1, m)
        ax.set_xticks(xt, [f"{angka(v, 0)} mT" for v in xt])
        ax.set_yticks(yt, [f"{angka(v, 0)} mU" for v in yt])
        ax.tick_params(axis="both", labelsize=_pt(6 * self.k), length=3, color=_INK, labelcolor=_INK, direction="in", top=True, right=True)
        for lab in ax.get_yticklabels():
            lab.set_rotation(90)
            lab.set_verticalalignment("center")
        ax.grid(True, color="#9aa5b1", linewidth=0.3, linestyle=":", alpha=0.8, zorder=0.5)
        ax.set_axisbelow(False)
        # geographic ticks
        try:
            to_geo = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
            to_map = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
            lon_a, lat_a = to_geo.transform(x0, y1)
            lon_b, _ = to_geo.transform(x1, y1)
            lons = _nice_degrees(min(lon_a, lon_b), max(lon_a, lon_b), n - 1)
            xs = [to_map.transform(lon, to_geo.transform((x0 + x1) / 2, y1)[1])[0] for lon in lons]
            top = ax.secondary_xaxis("top")
            keep = [(x, lo) for x, lo in zip(xs, lons) if x0 + 0.06 * (x1 - x0) < x < x1 - 0.06 * (x1 - x0)]
            top.set_xticks([k[0] for k in keep], [_dms(k[1], "lon") for k in keep])
            top.tick_params(labelsize=_pt(6 * self.k), length=3, direction="in", color=_INK, labelcolor="#444444")
            _, lat_a = to_geo.transform(x1, y0)
            _, lat_b = to_geo.transform(x1, y1)
            lats = _nice_degrees(min(lat_a, lat_b), max(lat_a, lat_b), n - 1)
            ys = [to_map.transform(to_geo.transform(x1, (y0 + y1) / 2)[0], lat)[1] for lat in lats]
            right = ax.secondary_yaxis("right")
            keep = [(y, la) for y, la in zip(ys, lats) if y0 + 0.08 * (y1 - y0) < y < y1 - 0.08 * (y1 - y0)]
            right.set_yticks([k[0] for k in keep], [_dms(k[1], "lat") for k in keep])
            right.tick_params(labelsize=_pt(6 * self.k), length=3, direction="in", color=_INK, labelcolor="#444444")
            for lab in right.get_yticklabels():
                lab.set_rotation(-90)
                lab.set_verticalalignment("center")
        except Exception:  # pragma: no cover - geographic ticks are a nicety
            pass

    def add_legend(self, sections: Sequence[LegendSection]) -> None:
        """Queue legend sections; they are laid out in the panel by :meth:`finish`."""
        self.legend_sections.extend(s for s in sections if s.handles)

    def add_inset(self, context: gpd.GeoDataFrame | None, threshold: float = 1.01, avoid: gpd.GeoDataFrame | None = None) -> bool:
        """Inset locator in a corner of the map: the region within its surroundings, the map extent as a red frame.

        The corner is the one (other than the scale bar's) that hides least of the region and of
        ``avoid``. With :attr:`inset_layer` (the province and neighbouring regencies, ``[album] inset``
        or the bundled extract) the inset shows the region among its neighbours, named; without it,
        the region alone on a neutral ground. Drawn on every page (``threshold`` above 1); with a smaller
        ``threshold`` only when the map shows less than that share of the region's bounding box.
        Returns True when drawn.
        """
        if context is None or not len(context) or self.extent is None:
            return False
        cb = context.total_bounds
        ex = self._final_extent()
        city = shapely.box(*cb)
        shown = shapely.box(*ex).intersection(city).area / city.area if city.area > 0 else 1.0
        if shown >= threshold:
            return False
        fig = self.fig
        pos = self.ax.get_position()
        fw, fh = fig.get_figwidth(), fig.get_figheight()
        h_in = 0.21 * pos.height * fh
        w_in = min(1.3 * h_in, 0.4 * pos.width * fw)
        w, h = w_in / fw, h_in / fh
        m = 0.008
        boxes = {
            "upper left": (pos.x0 + m, pos.y1 - h - m), "upper right": (pos.x1 - w - m, pos.y1 - h - m),
            "lower left": (pos.x0 + m, pos.y0 + m), "lower right": (pos.x1 - w - m, pos.y0 + m),
        }
        boxes.pop(getattr(self, "scale_corner", ""), None)
        c = context[~(context.geometry.isna() | context.geometry.is_empty)]
        cu = shapely.union_all(np.asarray(c.geometry.array, dtype=object))
        sx, sy = (ex[2] - ex[0]) / pos.width, (ex[3] - ex[1]) / pos.height

        def data_box(x: float, y: float) -> Any:
            return shapely.box(ex[0] + (x - pos.x0) * sx, ex[1] + (y - pos.y0) * sy, ex[0] + (x + w - pos.x0) * sx, ex[1] + (y + h - pos.y0) * sy)

        def cost(k: str) -> tuple[float, int]:
            db = data_box(*boxes[k])
            n = 0
            if avoid is not None and len(avoid):
                n = int(np.count_nonzero(shapely.intersects(np.asarray(avoid.geometry.array, dtype=object), db)))
            return (cu.intersection(db).area / max(db.area, 1.0), n)

        corner = min(boxes, key=lambda k: (round(cost(k)[0], 2), cost(k)[1], list(boxes).index(k)))
        bx, by = boxes[corner]
        self.inset_corner = corner
        self.inset_box = (bx, by, w, h)
        fig.patches.append(Rectangle((bx - 0.002, by - 0.002), w + 0.004, h + 0.004, transform=fig.transFigure, facecolor="white", edgecolor=_INK, linewidth=0.8, zorder=40, gid="inset-frame"))
        title_h = 1.6 * _pt(6.5 * self.k) / 72 / fh
        ax = fig.add_axes((bx, by, w, h - title_h), zorder=41)
        aspect = w_in / (h_in - title_h * fh)
        around = self.inset_layer
        union = (min(cb[0], ex[0]), min(cb[1], ex[1]), max(cb[2], ex[2]), max(cb[3], ex[3]))
        if around is not None and len(around):
            a = around if CRS.from_user_input(around.crs) == self.crs else around.to_crs(self.crs)
            a = a[~(a.geometry.isna() | a.geometry.is_empty)]
            # the neighbourhood: the region's bounds grown to about six times its size
            r = max(cb[2] - cb[0], cb[3] - cb[1]) * 2.5
            view = fit_extent((cb[0] - r, cb[1] - r, cb[2] + r, cb[3] + r), aspect, pad=0.0)
            a = a[a.intersects(shapely.box(*view))]
            ax.set_facecolor("#dcebf5")  # the surroundings are known: what they leave uncovered is sea
            a.plot(ax=ax, facecolor="#f1eee6", edgecolor="#8c8c8c", linewidth=0.4, zorder=1)
            c.plot(ax=ax, facecolor="#f2b36b", edgecolor="#7a4a12", linewidth=0.5, zorder=2)
            nf = next((f for f in ("name", "nama", "shapeName", "NAMOBJ", "WADMKK") if f in a.columns), None)
            if nf:
                vb = shapely.box(*view).buffer(-0.08 * (view[2] - view[0]))
                placed: list[Any] = []
                renderer = fig.canvas.get_renderer()
                for p, n, g in zip(a.geometry.representative_point(), a[nf], a.geometry):
                    if not vb.contains(p) or g.intersects(city):
                        continue
                    t = ax.text(p.x, p.y, str(n), fontsize=MIN_PT, ha="center", va="center", color="#555555", style="italic", zorder=3, path_effects=_HALO, gid="inset-name", clip_on=True)
                    ax.set_xlim(view[0], view[2])
                    ax.set_ylim(view[1], view[3])
                    bb = t.get_window_extent(renderer)
                    if any(bb.overlaps(q) for q in placed):
                        t.remove()
                    else:
                        placed.append(bb)
            ie = view
        else:
            ax.set_facecolor("#f7f7f7")  # nothing is known around the region: a neutral ground, not a sea
            c.plot(ax=ax, facecolor="#f2b36b", edgecolor="#7a4a12", linewidth=0.5)
            ie = fit_extent(union, aspect, pad=0.08)
        ax.add_patch(Rectangle((ex[0], ex[1]), ex[2] - ex[0], ex[3] - ex[1], fill=False, edgecolor="#d7191c", linewidth=1.2, zorder=5, gid="inset-extent"))
        ax.set_xlim(ie[0], ie[2])
        ax.set_ylim(ie[1], ie[3])
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_edgecolor("#999999")
            sp.set_linewidth(0.5)
        title = "LOKASI " + (self.region.upper() if self.region else "WILAYAH") + (" DAN SEKITARNYA" if around is not None and len(around) else "")
        self.inset_title = _fit_text(fig, bx + 0.003, by + h - 0.002, title, w - 0.006, fontsize=_pt(6.5 * self.k), min_fontsize=MIN_PT, fontweight="bold", color=_INK, va="top", zorder=42)
        self.inset_ax = ax
        return True

    def _north_arrow(self, cx: float, cy: float, size: float) -> None:
        """North arrow (in figure coordinates) rotated to true north at the map centre."""
        angle = 0.0
        if self.extent is not None:
            try:
                x0, y0, x1, y1 = self._final_extent()
                mx, my = (x0 + x1) / 2, (y0 + y1) / 2
                to_geo = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
                to_map = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
                lon, lat = to_geo.transform(mx, my)
                nx, ny = to_map.transform(lon, lat + 0.01)
                angle = math.atan2(nx - mx, ny - my)  # radians clockwise from grid north
            except Exception:  # pragma: no cover
                angle = 0.0
        fw, fh = self.fig.get_figwidth(), self.fig.get_figheight()

        def rot(px: float, py: float) -> tuple[float, float]:
            # px, py in inches relative to centre; rotate clockwise by angle; back to figure fraction
            rx = px * math.cos(angle) + py * math.sin(angle)
            ry = -px * math.sin(angle) + py * math.cos(angle)
            return (cx + rx / fw, cy + ry / fh)

        s = size  # inches, half height
        left = [rot(0, s), rot(-0.38 * s, -s), rot(0, -0.45 * s)]
        right = [rot(0, s), rot(0.38 * s, -s), rot(0, -0.45 * s)]
        self.fig.patches.append(Polygon(left, closed=True, transform=self.fig.transFigure, facecolor=_INK, edgecolor=_INK, linewidth=0.8, gid="north-arrow"))
        self.fig.patches.append(Polygon(right, closed=True, transform=self.fig.transFigure, facecolor="white", edgecolor=_INK, linewidth=0.8, gid="north-arrow"))
        tx, ty = rot(0, s * 1.45)
        self.fig.text(tx, ty, "U", ha="center", va="center", fontsize=_pt(10 * self.k), fontweight="bold", color=_INK)

    def _layout_panel(self) -> None:
        x0, x1 = _PANEL_X
        inner = x0 + 0.012
        fig = self.fig
        k = self.k
        maxw = x1 - inner - 0.008
        # map number and sheet
        y = 0.955
        self.head_artist = fig.text(inner, y, self._head() or " ", fontsize=_pt(7.5 * k), color="#444444", va="top", fontweight="bold", gid="map-number")
        y = _bottom(fig, self.head_artist) - 0.012
        t = _fit_text(fig, inner, y, self.title.upper(), maxw, fontsize=11 * k, min_fontsize=_pt(9 * k), fontweight="bold", va="top", color=_INK, linespacing=1.15)
        y = _bottom(fig, t) - 0.012
        if self.subtitle:
            st = _fit_text(fig, inner, y, self.subtitle, maxw, fontsize=_pt(8 * k), min_fontsize=MIN_PT, va="top", color="#333333", linespacing=1.2)
            y = _bottom(fig, st) - 0.012
        fig.add_artist(Line2D([x0, x1], [y, y], transform=fig.transFigure, color=_INK, linewidth=0.6))
        # north arrow and numeric scale
        self._north_arrow(inner + 0.03, y - 0.05, 0.2 * k)
        scale_lines = []
        if self.scale_denominator:
            scale_lines.append(f"Skala 1 : {angka(_round_sig(self.scale_denominator), 0)}")
            scale_lines.append(f"(pada kertas {self.paper})" if self.paper in PAPER_SIZES else "(pada ukuran halaman ini)")
        if self.scale_bar is not None:
            scale_lines.append(f"Batang skala: {self.scale_bar.labels[-1] if self.scale_bar.labels else ''}".rstrip())
        fig.text(inner + 0.075, y - 0.047, "\n".join(scale_lines), fontsize=_pt(7.5 * k), va="center", color=_INK, linespacing=1.3)
        y -= 0.1
        fig.add_artist(Line2D([x0, x1], [y, y], transform=fig.transFigure, color=_INK, linewidth=0.6))
        # legend, down to the inset; what does not fit continues on the next page
        note_top = self.note_top
        bottom = note_top + 0.012
        fig.text(inner, y - 0.01, "LEGENDA", fontsize=_pt(8.5 * k), fontweight="bold", va="top", color=_INK)
        top = y - 0.04
        self._stack_legends(inner, top, bottom, x1 - 0.008)
        # inset, sources, preparer
        fig.add_artist(Line2D([x0, x1], [note_top, note_top], transform=fig.transFigure, color=_INK, linewidth=0.6))
        fig.add_artist(Line2D([x0, x1], [self.prep_top, self.prep_top], transform=fig.transFigure, color=_INK, linewidth=0.6))

    def _head(self) -> str:
        return "   ".join(t for t in (self.number.upper() if self.number else None, self.sheet) if t)

    def set_sheet(self, sheet: str) -> None:
        """Set the sheet text (``Lembar 3 dari 14``) beside the map number, also after :meth:`finish`."""
        self.sheet = sheet
        if getattr(self, "head_artist", None) is not None:
            self.head_artist.set_text(self._head())

    def _preparer_block(self, left: float, right: float) -> float:
        """Office logo and name, the place-and-date line and every line of the signatory, at the foot of the
        column, bottom up; returns the block's top (figure fraction).

        Raises
        ------
        sppr_gis.errors.ConfigError
            The block is taller than half the page even at 7 pt (names ``album.penandatangan``).
        """
        arts = preparer_artists(self.fig, left, right, _FOOT, office=self.office, signatory=self.signatory, place_date=self.place_date, logo=self.logo, fontsize=_pt(7 * self.k))
        self.preparer_artists = arts
        return arts.top

    def _stack_legends(self, left: float, top: float, bottom: float, right: float) -> bool:
        """Lay the legend sections out between ``top`` and ``bottom``, shrinking (never below 7 pt), then
        compacting them; what still does not fit continues, entry by entry, on a continuation page
        (:attr:`overflow_sections`), with a line saying so. True when every entry is on the map page."""
        renderer = self.fig.canvas.get_renderer()
        k = self.k
        sizes = sorted({_pt(round(f * k * 2) / 2) for f in (7.0, 6.5, 6.0, 5.5, 5.0)}, reverse=True)
        # a section of four or more entries may also go into two columns, its labels wrapped to half the panel
        # and every label is wrapped to the panel, so that none is too wide at any size
        full = max(20, int((right - left) * self.fig.get_figwidth() * 72 / (MIN_PT * 0.62)) - 6)
        half = max(14, full // 2 - 3)

        def fit(labels: Sequence[str], n: int) -> list[str]:
            return [_wrap_lines(str(t), n) for t in labels]

        sections = [
            LegendSection(
                sec.title, sec.handles, fit(sec.labels, full // max(sec.ncol, 1)), sec.ncol,
                fit(sec.short_labels, full // max(sec.compact_ncol, 1)) if sec.short_labels else ([_wrap_lines(" ".join(str(t).split()), half) for t in sec.labels] if len(sec.handles) >= 4 else None),
                sec.compact_ncol if sec.short_labels else 2,
            )
            for sec in self.legend_sections
        ]
        attempts = [(fs, False) for fs in sizes]
        if any(s.short_labels for s in sections):
            attempts += [(fs, True) for fs in sizes]
        for fontsize, compact in attempts:
            if self._place_legends(sections, fontsize, compact, left, top, bottom, right, renderer):
                return True
        # the entries, in order, that fit with a line for the continuation note below them
        flat = [(i, j) for i, sec in enumerate(sections) for j in range(len(sec.handles))]
        note_h = 2.6 * MIN_PT / 72 / self.fig.get_figheight()
        last = attempts[-2:] if len(attempts) > 1 else attempts

        def prefix(m: int) -> list[LegendSection]:
            out = []
            for i, sec in enumerate(sections):
                js = [j for (a, j) in flat[:m] if a == i]
                if js:
                    out.append(LegendSection(sec.title, [sec.handles[j] for j in js], [sec.labels[j] for j in js], sec.ncol,
                                             [sec.short_labels[j] for j in js] if sec.short_labels else None, sec.compact_ncol))
            return out

        def fits(m: int) -> tuple[float, bool] | None:
            for fontsize, compact in last:
                if self._place_legends(prefix(m), fontsize, compact, left, top, bottom + note_h, right, renderer):
                    return fontsize, compact
            return None

        lo, hi, best = 0, len(flat) - 1, 0
        while lo <= hi:
            mid = (lo + hi) // 2
            if fits(mid):
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        how = fits(best) if best else None
        if how is None:
            self._place_legends([], attempts[-1][0], False, left, top, bottom, right, renderer)
        rest: dict[int, list[int]] = {}
        for i, j in flat[best:]:
            rest.setdefault(i, []).append(j)
        self.overflow_sections = [
            LegendSection(sections[i].title + (" (lanjutan)" if js[0] > 0 else ""), [sections[i].handles[j] for j in js], [sections[i].labels[j] for j in js], 1)
            for i, js in rest.items()
        ]
        self.legend_continued = len(flat) - best
        y = min((self.fig.transFigure.inverted().transform(lg.get_window_extent(renderer))[0][1] for lg in self.legends), default=top) - 0.006
        t = self.fig.text(left, y, f"Legenda berlanjut ({self.legend_continued} butir) pada halaman berikutnya.", fontsize=MIN_PT, fontstyle="italic", va="top", color=_INK, gid="legend-continued")
        self.continued_artists.append(t)
        return False

    def _place_legends(self, sections: Sequence[LegendSection], fontsize: float, compact: bool, left: float, top: float, bottom: float, right: float, renderer: Any) -> bool:
        for lg in self.legends:
            lg.remove()
        self.legends = []
        y = top
        fits = True
        for sec in sections:
            ncol = sec.ncol
            labels = sec.labels
            if compact and sec.short_labels:
                ncol, labels = sec.compact_ncol, sec.short_labels
            lg = self.fig.legend(
                sec.handles, labels, loc="upper left", bbox_to_anchor=(left - 0.006, y), bbox_transform=self.fig.transFigure,
                title=sec.title, title_fontsize=fontsize + 0.5, fontsize=fontsize, ncol=ncol, frameon=False,
                alignment="left", handlelength=1.6, handleheight=0.9, borderaxespad=0.0, borderpad=0.1,
                labelspacing=0.35, columnspacing=0.8, handletextpad=0.5,
            )
            lg.get_title().set_fontweight("bold")
            self.legends.append(lg)
            bb = self.fig.transFigure.inverted().transform(lg.get_window_extent(renderer))
            if bb[1][0] > right + 1e-3:
                fits = False
            y = bb[0][1] - 0.008
        return y >= bottom and fits

    def add_table(self, title: str, rows: Sequence[tuple[str, str]], more: str | None = None) -> int:
        """The table keyed to the map's numbered callouts, in the column right of the map.

        ``rows`` are (number, text); texts are wrapped to the column. Rows that do
        not fit are summed up in one last line (``more`` names where the rest is
        listed). Returns the number of rows shown.

        Raises
        ------
        ValueError
            The frame was made without ``table_width``.
        """
        if self.table_box is None:
            raise ValueError(_("this frame has no table column (table_width=0)"))
        fig = self.fig
        x, b, w, h = self.table_box
        top = b + h
        size = _pt(5 * self.k)
        head = fig.text(x, top, title.upper(), fontsize=_pt(6.5 * self.k), fontweight="bold", va="top", color=_INK, gid="table-title")
        y = _bottom(fig, head) - 0.008
        num_w = 0.014 * (self.k / 1.41) + 0.003
        chars = max(16, int((w - num_w) * fig.get_figwidth() * 72 / (size * 0.6)))
        shown = 0
        rows = rows if isinstance(rows, Sequence) else list(rows)
        for i in range(len(rows)):
            num, text = rows[i]
            wrapped = textwrap.fill(" ".join(str(text).split()), chars)
            lines = wrapped.count("\n") + 1
            need = lines * size * 1.25 / 72 / fig.get_figheight()
            reserve = (size * 1.25 * 2.3 / 72 / fig.get_figheight()) if i < len(rows) - 1 else 0.0
            if y - need - reserve < b:
                # the rest continues on the next page (numbered there and on the map), up to MAX_CONTINUED_ROWS
                rest = len(rows) - i
                cont = min(rest, MAX_CONTINUED_ROWS)
                self.overflow_rows = [rows[j] for j in range(i, i + cont)]
                self.overflow_title = title
                self.overflow_more = (f"... dan {rest - cont} lainnya" + (f" ({more})" if more else "")) if rest > cont else ""
                t = fig.text(x, y, textwrap.fill(f"Nomor {rows[i][0]} dan seterusnya berlanjut pada halaman berikutnya.", chars + 4), fontsize=size, fontstyle="italic", va="top", color="#333333", gid="table-more")
                self.continued_artists.append(t)
                break
            fig.text(x, y, str(num), fontsize=size, fontweight="bold", va="top", color=_INK, gid="table-number")
            t = fig.text(x + num_w, y, wrapped, fontsize=size, va="top", color=_INK, linespacing=1.15, gid="table-row")
            y = _bottom(fig, t) - 0.0025
            shown += 1
        self.table_rows = rows
        #: Rows keyed by a number (on this page or its continuation): the map numbers exactly these.
        self.table_shown = shown + len(self.overflow_rows)
        return self.table_shown

    def finish(self, note: str | Sequence[str] | None = None, *, avoid: gpd.GeoDataFrame | None = None, context: gpd.GeoDataFrame | None = None) -> None:
        """Add scale bar, ticks, inset, panel (title, north arrow, legend), sources and the preparer block.

        Parameters
        ----------
        note : str or sequence of str, optional
            Source citations (``Sumber: ...``) and notes, printed above the preparer block.
        avoid : GeoDataFrame, optional
            Features the scale bar should not hide.
        context : GeoDataFrame, optional
            The whole region (kecamatan or zoning) for the inset locator.
        """
        if self.extent is None:
            raise ValueError(_("set_extent() first"))
        self.ax.set_xlabel("")
        self.ax.set_ylabel("")
        self.add_scale_bar(avoid=avoid)
        self.add_coordinate_ticks()
        if note:
            self.notes.extend([note] if isinstance(note, str) else list(note))
        epsg = self.crs.to_epsg()
        self._tech = [
            f"Sistem koordinat {self.crs.name}" + (f" (EPSG:{epsg})" if epsg else "") + "; jarak pada batang skala adalah jarak grid proyeksi.",
            f"Dibuat {_today().strftime('%d-%m-%Y')} dengan sppr_gis {__version__}.",
        ]
        x0, x1 = _PANEL_X
        self.prep_top = self._preparer_block(x0 + 0.012, x1 - 0.008) + 0.008
        self._add_sources()
        self.add_inset(context, avoid=avoid)
        self._layout_panel()

    def _add_sources(self) -> None:
        """The source citations and notes above the preparer block, every word of them.

        Wrapped to the panel and shrunk down to :data:`MIN_PT`; when they still do not
        fit the usual block, the block grows upward (the inset and the legend move up)
        rather than cutting a citation.
        """
        x0, x1 = _PANEL_X
        inner = x0 + 0.012
        floor = self.prep_top + 0.006
        room = _NOTE_TOP - _PREP_TOP - 0.014
        t = _fit_block(
            self.fig, inner, 0.9, [*self.notes, *self._tech], x1 - inner - 0.006, 0.9 - room, fontsize=_pt(6.5 * self.k),
            color="#333333", linespacing=1.2, gid="sources", drop=False,
        )
        h = 0.9 - _bottom(self.fig, t)
        t.set_y(floor + h)
        self.note_top = floor + h + 0.008
        self.sources_artist = t

    def set_page(self, number: int, continued_on: int | None = None) -> None:
        """Print the page number at the foot of the page and, when the legend or the table continues,
        the page it continues on."""
        if self.page_number_artist is None:
            self.page_number_artist = self.fig.text(0.5, 0.012, "", ha="center", va="bottom", fontsize=_pt(7.5 * self.k), color=_INK, gid="page-number")
        self.page_number_artist.set_text(f"Halaman {number}")
        if continued_on is not None:
            for t in self.continued_artists:
                t.set_text(re.sub(r"halaman(\s+)berikutnya", lambda m: f"halaman{m.group(1)}{continued_on}", t.get_text()))

    def save(self, path: Any, dpi: int | None = None) -> None:
        """Write the page as PNG (or any format matplotlib knows from the suffix), at the layout dpi by default."""
        self.fig.savefig(path, dpi=dpi or self.fig.dpi)


def continuation_pages(frame: MapFrame, first_page: int | None = None) -> list[Figure]:
    """The pages that continue a map's legend and table (what did not fit beside the map), in columns.

    Parameters
    ----------
    frame : MapFrame
        A finished map page with :attr:`MapFrame.overflow_sections` or :attr:`MapFrame.overflow_rows`.
    first_page : int, optional
        The printed number of the first continuation page (the next ones count on).

    Returns
    -------
    list of Figure
        Empty when everything fitted on the map page.
    """
    if not frame.overflow_sections and not frame.overflow_rows:
        return []
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    size = tuple(frame.fig.get_size_inches())
    dpi = frame.fig.dpi
    k = frame.k
    ncol = 4 if size[0] > 13 else 3
    left, right, top0, bottom = 0.035, 0.965, 0.865, 0.06
    colw = (right - left) / ncol
    figs: list[Figure] = []
    state = {"fig": None, "col": 0, "y": top0}
    fs = _pt(7 * k)

    def new_page() -> None:
        fig = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(fig)
        fig.patches.append(Rectangle((0.012, 0.035), 0.976, 0.93, transform=fig.transFigure, fill=False, edgecolor=_INK, linewidth=1.0))
        head = " · ".join(t for t in ((frame.number or "").upper(), frame.title.upper()) if t)
        ht = _fit_text(fig, left, 0.945, f"{head} (LANJUTAN)", right - left, fontsize=_pt(11 * k), min_fontsize=MIN_PT, fontweight="bold", va="top", color=_INK)
        fig.text(left, _bottom(fig, ht) - 0.008, "Legenda dan daftar yang tidak muat pada halaman peta.", fontsize=_pt(7.5 * k), va="top", color="#333333")
        if first_page is not None:
            fig.text(0.5, 0.012, f"Halaman {first_page + len(figs)}", ha="center", va="bottom", fontsize=_pt(7.5 * k), color=_INK, gid="page-number")
        figs.append(fig)
        state.update(fig=fig, col=0, y=top0)

    def put(make: Callable[[Figure, float, float], Any]) -> Any:
        if state["fig"] is None:
            new_page()
        for _u in range(2 * ncol + 2):
            fig = state["fig"]
            x = left + state["col"] * colw
            a = make(fig, x, state["y"])
            bb = fig.transFigure.inverted().transform(a.get_window_extent(fig.canvas.get_renderer()))
            if bb[0][1] >= bottom or state["y"] >= top0 - 1e-9:
                state["y"] = bb[0][1] - 0.004
                return a
            a.remove()
            state["col"] += 1
            state["y"] = top0
            if state["col"] >= ncol:
                new_page()
        return a  # pragma: no cover - an entry taller than a page is printed where it falls

    def legend_entry(h: Any, label: str, title: str | None) -> Callable[[Figure, float, float], Any]:
        def make(fig: Figure, x: float, y: float) -> Any:
            lg = fig.legend([h], [_wrap_lines(label, max(20, int(colw * size[0] * 72 / (fs * 0.6)) - 6))], loc="upper left", bbox_to_anchor=(x, y),
                            bbox_transform=fig.transFigure, title=title, title_fontsize=fs + 0.5, fontsize=fs, frameon=False, alignment="left",
                            handlelength=1.6, handleheight=0.9, borderaxespad=0.0, borderpad=0.1, handletextpad=0.5)
            if title:
                lg.get_title().set_fontweight("bold")
            lg.set_gid("continued-legend")
            return lg
        return make

    for sec in frame.overflow_sections:
        for j, (h, lab) in enumerate(zip(sec.handles, sec.labels)):
            put(legend_entry(h, lab, sec.title if j == 0 else None))
    if frame.overflow_rows:
        state["y"] -= 0.01
        title = f"{frame.overflow_title.upper()} (LANJUTAN)"
        put(lambda fig, x, y: fig.text(x, y, title, fontsize=_pt(7.5 * k), fontweight="bold", va="top", color=_INK, gid="table-title"))
        num_w = 0.02
        chars = max(20, int((colw - num_w - 0.01) * size[0] * 72 / (fs * 0.6)))
        for num, text in frame.overflow_rows:
            def make(fig: Figure, x: float, y: float, text: str = text) -> Any:
                return fig.text(x + num_w, y, textwrap.fill(" ".join(str(text).split()), chars), fontsize=fs, va="top", color=_INK, linespacing=1.15, gid="table-row")
            t = put(make)
            x, y = t.get_position()
            t.figure.text(x - num_w, y, str(num), fontsize=fs, fontweight="bold", va="top", color=_INK, gid="table-number")
        if frame.overflow_more:
            put(lambda fig, x, y: fig.text(x, y, frame.overflow_more, fontsize=fs, va="top", color="#333333", gid="table-more"))
    return figs


# --------------------------------------------------------------------------- text fitting


def _today() -> _dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set (reproducible outputs)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return _dt.date.today()


def _bottom(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(fig.transFigure.inverted().transform((bb.x0, bb.y0))[1])


def _width(fig: Figure, artist: Artist) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(bb.width / (fig.get_figwidth() * fig.dpi))


def _wrap_lines(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) if line.strip() else "" for line in text.split("\n"))


def _widest_fitting(fig: Figure, widths: Sequence[int], make: Callable[[int], Any], max_width: float) -> Any:
    """The text ``make(w)`` for the largest ``w`` of ``widths`` (descending) that is at most ``max_width`` wide, or None.

    A bisection (wrapping at fewer characters never makes a text wider), so a page measures a
    handful of candidates instead of every one.
    """
    lo, hi, best = 0, len(widths) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        t = make(widths[mid])
        if _width(fig, t) <= max_width:
            if best is not None:
                best.remove()
            best, hi = t, mid - 1
        else:
            t.remove()
            lo = mid + 1
    return best


def _fit_text(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, min_fontsize: float | None = None, **kw: Any) -> Any:
    """A text wrapped (and if need be shrunk) until it is at most ``max_width`` (figure fraction) wide."""
    min_fontsize = min_fontsize or fontsize * 0.75
    size = fontsize
    while True:
        t = _widest_fitting(fig, range(60, 9, -2), lambda w, size=size: fig.text(x, y, _wrap_lines(text, w), fontsize=size, **kw), max_width)
        if t is not None:
            return t
        if size <= min_fontsize:
            return fig.text(x, y, _wrap_lines(text, 10), fontsize=size, **kw)
        size = max(min_fontsize, size - 0.5)


def signature_parts(signatory: str) -> tuple[list[str], list[str]]:
    """The signatory's lines above and below the space for the wet signature.

    The first blank line marks the space (``Kepala ...`` / blank / name / NIP); without
    one the space goes after the first line (the title). Every non-blank line is kept.

    >>> signature_parts("Kepala Bappeda\\n\\nNama, S.T.\\nNIP 1970")
    (['Kepala Bappeda'], ['Nama, S.T.', 'NIP 1970'])
    """
    lines = [ln.rstrip() for ln in str(signatory).strip("\n").split("\n")]
    lines = [ln for i, ln in enumerate(lines) if ln.strip() or (0 < i < len(lines) - 1)]
    blank = next((i for i, ln in enumerate(lines) if not ln.strip()), None)
    if blank is None:
        return (lines[:1], lines[1:]) if len(lines) >= 2 else ([], lines)
    return [ln for ln in lines[:blank] if ln.strip()], [ln for ln in lines[blank:] if ln.strip()]


@dataclass
class PreparerBlock:
    """The preparer block as laid out: its extent (figure fraction) and its artists.

    Attributes
    ----------
    top, bottom : float
        Extent of the block.
    texts : list of Text
        Its texts (office, place and date, signatory lines).
    sign_space : tuple of float
        Bottom and top (figure fraction) of the blank space left for the signature.
    """

    top: float
    bottom: float
    texts: list[Any]
    sign_space: tuple[float, float] = (0.0, 0.0)


def _wrapped(fig: Figure, x: float, y: float, text: str, max_width: float, *, fontsize: float, **kw: Any) -> Any:
    """A text wrapped (never cut, never shrunk) to at most ``max_width`` (figure fraction)."""
    t = _widest_fitting(fig, range(120, 7, -2), lambda w: fig.text(x, y, _wrap_lines(text, w), fontsize=fontsize, **kw), max_width)
    return t if t is not None else fig.text(x, y, _wrap_lines(text, 8), fontsize=fontsize, **kw)


def _height(fig: Figure, artist: Any) -> float:
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    return float(bb.height / (fig.get_figheight() * fig.dpi))


def preparer_artists(
    fig: Figure, left: float, right: float, bottom: float, *, office: str | None, signatory: str | None, place_date: str | None = None,
    logo: Any = None, fontsize: float = MIN_PT, sign_left: float | None = None, max_height: float = _PREP_MAX,
) -> PreparerBlock:
    """Lay out the publishing office (with its logo), the place-and-date line and every line of the signatory,
    bottom up from ``bottom``, wrapped to ``right - left`` (figure fraction), with :data:`SIGN_SPACE_MM` left
    blank for the wet signature and stamp.

    Parameters
    ----------
    fig : Figure
        The page.
    left, right, bottom : float
        Horizontal extent and bottom of the block (figure fraction).
    office, signatory, place_date : str, optional
        ``[album] instansi``, ``penandatangan`` and the ``tempat, tanggal`` line.
    logo : path, optional
        The office's logo, drawn beside the office name.
    fontsize : float
        Text size in points (at least :data:`MIN_PT`).
    sign_left : float, optional
        Left edge of the signature part (default ``left``).
    max_height : float
        Largest height (figure fraction) the block may take.

    Returns
    -------
    PreparerBlock

    Raises
    ------
    sppr_gis.errors.ConfigError
        The block needs more than ``max_height`` even at 7 pt; the message names ``album.penandatangan``
        (or ``album.instansi``).
    """
    from sppr_gis.errors import ConfigError

    size = _pt(fontsize)
    fh = fig.get_figheight()
    line = size * 1.2 / 72 / fh
    texts: list[Any] = []
    y = bottom
    sl = left if sign_left is None else sign_left
    width = right - sl
    above, below = signature_parts(signatory) if signatory else ([], [])
    sign_space = (0.0, 0.0)
    if below:
        for i, ln in enumerate(reversed(below)):
            t = _wrapped(fig, sl, y, ln, width, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="signatory",
                         fontweight="bold" if i == len(below) - 1 and len(below) >= 2 else "normal")
            texts.append(t)
            y += _height(fig, t) + 0.25 * line
        gap = SIGN_SPACE_MM / 25.4 / fh
        sign_space = (y, y + gap)
        y += gap
    head = [ln for ln in ([place_date] if place_date else []) + above if ln]
    if head:
        t = _wrapped(fig, sl, y, "\n".join(head), width, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="signatory")
        texts.append(t)
        y += _height(fig, t) + 0.6 * line
    if office or not texts:
        body = ("Disusun oleh:\n" + office) if office else "Disusun dengan sppr_gis."
        text_left = left
        logo_w = 0.0
        img = None
        if logo is not None:
            try:
                import matplotlib.image as mpimg

                img = mpimg.imread(str(logo))
            except Exception:  # pragma: no cover - an unreadable logo must not stop the album
                img = None
        if img is not None:
            logo_h = 14.0 / 25.4 / fh
            logo_w = logo_h * fh / fig.get_figwidth() * (img.shape[1] / img.shape[0])
            text_left = left + logo_w + 0.008
        t = _wrapped(fig, text_left, y, body, right - text_left, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="preparer")
        texts.append(t)
        h = _height(fig, t)
        if img is not None:
            lh = max(h, 14.0 / 25.4 / fh)
            lw = lh * fh / fig.get_figwidth() * (img.shape[1] / img.shape[0])
            lax = fig.add_axes((left, y, lw, lh))
            lax.imshow(img, interpolation="lanczos")
            lax.set_axis_off()
            lax.set_gid("logo")
            h = max(h, lh)
        y += h
    if y - bottom > max_height:
        key = "album.penandatangan" if signatory else "album.instansi"
        mm = (y - bottom) * fh * 25.4
        raise ConfigError(
            f"{key}: the signature block needs {mm:.0f} mm of the page's {fh * 25.4:.0f} mm (with {SIGN_SPACE_MM:.0f} mm to sign) "
            "and cannot fit beside the map; shorten its lines"
        )
    return PreparerBlock(top=y, bottom=bottom, texts=texts, sign_space=sign_space)


_FIT_CACHE: dict[tuple[Any, ...], tuple[float, str]] = {}


def _fit_block(
    fig: Figure, x: float, y: float, paragraphs: Sequence[str], max_width: float, min_y: float, *, fontsize: float, gid: str | None = None,
    drop: bool = True, **kw: Any,
) -> Any:
    """Paragraphs wrapped to ``max_width`` and shrunk (never below :data:`MIN_PT`) until the block ends above ``min_y``.

    At the smallest size, trailing paragraphs are dropped (the last kept one ends with an ellipsis);
    with ``drop=False`` every paragraph is kept and the block may end below ``min_y``.
    """
    size = _pt(fontsize)
    paras = [p for p in paragraphs if p]
    # pages of one album repeat the same citations in the same panel: measured once, then reused
    key = (tuple(paras), size, round(max_width, 6), round(y - min_y, 6), tuple(fig.get_size_inches()), fig.dpi, drop, gid, repr(sorted(kw.items())))
    hit = _FIT_CACHE.get(key)
    if hit is not None:
        return fig.text(x, y, hit[1], fontsize=hit[0], va="top", gid=gid, **kw)
    while True:
        t = _widest_fitting(
            fig, range(130, 19, -3), lambda w, size=size, paras=paras: fig.text(x, y, "\n".join(_wrap_lines(p, w) for p in paras), fontsize=size, va="top", gid=gid, **kw), max_width,
        )
        if t is None:
            t = fig.text(x, y, "\n".join(_wrap_lines(p, 20) for p in paras), fontsize=size, va="top", gid=gid, **kw)
        if _bottom(fig, t) >= min_y or (size <= MIN_PT and (len(paras) <= 1 or not drop)):
            if len(_FIT_CACHE) > 256:
                _FIT_CACHE.clear()
            _FIT_CACHE[key] = (size, t.get_text())
            return t
        t.remove()
        if size > MIN_PT:
            size = max(MIN_PT, size - 0.3)
        else:
            paras = paras[:-2] + [paras[-2].rstrip(". ") + " ..."]


# --------------------------------------------------------------------------- tick helpers


def _round_sig(v: float, sig: int = 2) -> float:
    if v <= 0:
        return v
    e = math.floor(math.log10(v)) - sig + 1
    return round(v / 10**e) * 10**e


def _nice_ticks(lo: float, hi: float, n: int) -> list[float]:
    span = hi - lo
    step = nice_scale_length(span / max(n, 1))
    start = math.ceil(lo / step) * step
    ticks = []
    v = start
    while v <= hi - step * 0.15:
        if v >= lo + step * 0.15:
            ticks.append(v)
        v += step
    return ticks


def _nice_degrees(lo: float, hi: float, n: int) -> list[float]:
    span = hi - lo
    steps_min = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600]  # minutes
    step = steps_min[-1] / 60
    for s in steps_min:
        if span / (s / 60) <= n:
            step = s / 60
            break
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi:
        out.append(v)
        v += step
    return out


def _dms(v: float, kind: str) -> str:
    hemi = ("BT" if v >= 0 else "BB") if kind == "lon" else ("LU" if v >= 0 else "LS")
    # rounded in tenths of a minute first, so that 105.99999 reads 106°00', never 105°60'
    tenths = round(abs(v) * 600)
    d, t = divmod(tenths, 600)
    if t % 10 == 0:
        return f"{d}°{t // 10:02d}' {hemi}"
    return f"{d}°{t / 10:04.1f}' {hemi}".replace(".", ",")


def counts_of(series: pd.Series) -> dict[str, int]:
    """Value counts of a categorical column as a plain dict (missing values left out)."""
    s = series.dropna().astype(str)
    return {str(k): int(v) for k, v in s.value_counts().items()}


def _fits(bb: Any, ax_box: Any, placed: list) -> bool:
    """Whether a label's box lies wholly in the axes and overlaps no label placed so far."""
    inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
    return inside and not any(bb.overlaps(q) for q in placed)


def _keep(ok: tuple | None, out: list, placed: list) -> None:
    """Record an accepted (text, box) label candidate."""
    if ok:
        out.append(ok[0])
        placed.append(ok[1])
