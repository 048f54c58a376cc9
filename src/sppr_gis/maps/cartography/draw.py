"""Drawing layers on the map: zoning by palette, features by category (points spread apart), outlines."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from sppr_gis.maps.cartography.common import PAPER_SIZES, split_by_dimension  # noqa: E402
from sppr_gis.maps.cartography.labels import OUTLINE_GID, _m_per_pt  # noqa: E402
from sppr_gis.maps.palette import RGB, Palette, faded_hatch, hatch_ink, mpl_color  # noqa: E402


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
    hatches: Mapping[str, str | None] | None = None,
) -> dict[str, RGB]:
    """Fill zone polygons with their palette colours; return the colours used (code -> RGB). ``hatches`` (code ->
    matplotlib hatch, :func:`~sppr_gis.maps.palette.fill_hatches`) overlays a pattern, in a darker shade of the
    zone's colour, on the zones whose colour alone is too close to another's."""
    if zoning is None or not len(zoning):
        return {}
    codes = zoning[code_field].astype(object).where(zoning[code_field].notna(), None)
    names = zoning[name_field] if name_field and name_field in zoning.columns else None
    colors = palette.colors(codes.dropna(), None if names is None else names[codes.notna()])
    face = [mpl_color(colors[str(c)], alpha) if c is not None else (0.85, 0.85, 0.85, alpha) for c in codes]
    raster = len(zoning) > RASTERIZE_ABOVE
    zoning.plot(ax=ax, color=face, edgecolor=edgecolor, linewidth=linewidth, zorder=zorder, rasterized=raster)
    _thin_zones(ax, zoning, codes, colors, alpha, zorder, raster)
    if hatches:
        # one compound shape per zone code (its polygons as parts, not dissolved): a PDF viewer fills a hatch
        # pattern per path, and one path per code rather than per polygon keeps the page as quick to render
        key = codes.astype(str).to_numpy()
        geoms = np.asarray(zoning.geometry.array, dtype=object)
        shapes, inks, pats = [], [], []
        for code, h in hatches.items():
            sel = (key == code) & codes.notna().to_numpy()
            if not h or not sel.any():
                continue
            parts = shapely.get_parts(geoms[sel])
            parts = parts[shapely.get_type_id(parts) == 3]  # polygons
            if len(parts):
                shapes.append(shapely.multipolygons(parts))
                inks.append((*hatch_ink(colors[code]), min(1.0, 0.15 + alpha)))
                pats.append(faded_hatch(h, alpha))
        for pat in sorted(set(pats)):
            idx = [i for i, q in enumerate(pats) if q == pat]
            gpd.GeoSeries([shapes[i] for i in idx], crs=zoning.crs).plot(ax=ax, facecolor="none", edgecolor=[inks[i] for i in idx], linewidth=0, hatch=pat,
                                                                        zorder=zorder + 0.01, rasterized=raster)
    return colors


#: A zone polygon narrower than this on the page (points; mean width 2 x area / perimeter) gets its edge in its own
#: fill colour, :data:`THIN_ZONE_LINE_PT` wide (over the white edge that parts the zones).
THIN_ZONE_PT = 2.0
THIN_ZONE_LINE_PT = 0.6


def _thin_zones(ax: Any, zoning: gpd.GeoDataFrame, codes: pd.Series, colors: Mapping[str, RGB], alpha: float, zorder: float, raster: bool) -> None:
    """Zone polygons narrower than :data:`THIN_ZONE_PT` at the map's scale (a river's Badan Air, 10-25 m wide: 0.3 pt
    at 1 : 100.000) edged in their own fill colour: the white edge that parts the zones covered their fill and a light
    blue river printed as a white line, unlike its key (review s7, Kota Bandung Peta 2)."""
    try:
        m = float(_m_per_pt(ax))
    except Exception:  # noqa: BLE001 - axes without an extent: nothing is thin
        return
    if not (math.isfinite(m) and m > 0):
        return
    geoms = np.asarray(zoning.geometry.array, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & codes.notna().to_numpy()
    if not ok.any():
        return
    # part by part: a zone of one lake and its rivers has its rivers thin
    parts, idx = shapely.get_parts(geoms[ok], return_index=True)
    keep = shapely.get_type_id(parts) == 3
    parts, idx = parts[keep], idx[keep]
    per = shapely.length(parts)
    thin = (per > 0) & (2 * shapely.area(parts) < THIN_ZONE_PT * m * per)
    if not thin.any():
        return
    code_of = codes.to_numpy()[ok][idx[thin]]
    inks = [mpl_color(colors[str(c)], alpha) for c in code_of]
    gpd.GeoSeries(parts[thin], crs=zoning.crs).boundary.plot(ax=ax, color=inks, linewidth=THIN_ZONE_LINE_PT, zorder=zorder + 0.02, rasterized=raster,
                                                             gid="zone-thin")


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
    halo: bool = False,
) -> dict[int, int]:
    """Draw a mixed layer by geometry type (polygons, lines, points), coloured by ``column``.

    With ``halo`` points and areas also get a white casing (as lines always do), so that a symbol
    stays visible on a zone of its own hue.

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

    Notes
    -----
    Steps: places named by kelurahan or kecamatan apart (hatched outlines), symbols sized for the paper,
    areas and lines too small to see added as points, then each dimension drawn in category order.
    """
    regional = _regional(gdf)
    parts = split_by_dimension(gdf[~regional] if regional.any() else gdf)
    # symbols grow with the paper (sizes are given for A4): an A3 page is read at the same distance
    k = max(1.0, ax.figure.get_figwidth() / PAPER_SIZES["A4"][0])
    point_size *= k
    line_width *= math.sqrt(k)
    _tiny_as_points(ax, parts, gdf)
    counts: dict[int, int] = {}
    rank = {c: i for i, c in enumerate(order or [])}
    if regional.any():
        counts.update(_draw_regional(ax, gdf[regional], column, colors, default, zorder - 0.2))
    for dim, g in parts.items():
        counts[dim] = _draw_dimension(ax, dim, g, column, colors, rank, default=default, point_size=point_size, line_width=line_width,
                                      polygon_alpha=polygon_alpha, zorder=zorder, halo=halo)
    return counts


def _tiny_as_points(ax: Any, parts: dict[int, gpd.GeoDataFrame], gdf: gpd.GeoDataFrame) -> None:
    """Add to ``parts[0]`` (points) a point for each area and line too small to see at the map's scale."""
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


def _draw_dimension(
    ax: Any, dim: int, g: gpd.GeoDataFrame, column: str, colors: Mapping[str, RGB], rank: Mapping[str, int], *, default: RGB,
    point_size: float, line_width: float, polygon_alpha: float, zorder: float, halo: bool,
) -> int:
    """The features of one dimension (2 areas, 1 lines, 0 points), the first category of the order on top;
    returns how many were drawn."""
    raster = len(g) > RASTERIZE_ABOVE
    vals = g[column].astype(object).where(g[column].notna(), None).map(lambda v: None if v is None else str(v))
    key = vals.map(lambda v: -rank.get(v, len(rank)) if v is not None else -len(rank) - 1)
    g = g.assign(_c=vals, _k=key).sort_values("_k", kind="stable")
    face = [mpl_color(colors.get(v, default) if v is not None else default) for v in g["_c"]]
    drawn = len(g)
    if dim == 2:
        # large areas (a whole kelurahan named as location) must not hide what lies under them:
        # a translucent fill and a strong outline in a darker shade of the same colour
        edge = [tuple(0.6 * c for c in f) for f in face]
        if halo:
            g.boundary.plot(ax=ax, color="white", linewidth=3.4, zorder=zorder - 0.05, rasterized=raster, gid="halo")
        g.plot(ax=ax, color=[(*f, polygon_alpha) for f in face], edgecolor=edge, linewidth=1.3, zorder=zorder, rasterized=raster)
    elif dim == 1:
        g.plot(ax=ax, color="white", linewidth=line_width + 2.2, zorder=zorder + 0.5, capstyle="round", rasterized=raster)
        g.plot(ax=ax, color=face, linewidth=line_width, zorder=zorder + 0.6, capstyle="round", rasterized=raster, gid="line-feature")
    else:
        if not ax.get_autoscale_on():
            g = _spread_stacked(ax, g, point_size, zorder)
        if halo:
            g.plot(ax=ax, color="white", markersize=point_size * 2.1, edgecolor="none", zorder=zorder + 0.95, rasterized=raster, gid="halo")
        g.plot(ax=ax, color=face, markersize=point_size, edgecolor="#1a1a1a", linewidth=0.6, zorder=zorder + 1, rasterized=raster)
    return drawn


#: ``lokasi_sumber`` values of a location taken from a kelurahan's or kecamatan's name (no coordinates),
#: and the keys they are counted under in :func:`draw_by_category`'s result (after 0, 1, 2: points, lines, areas).
REGIONAL_DIMS: dict[str, int] = {"kelurahan": 3, "kecamatan": 4}


def _regional(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Rows located only by the name of a kelurahan or kecamatan (``lokasi_sumber``)."""
    if "lokasi_sumber" not in gdf.columns:
        return np.zeros(len(gdf), dtype=bool)
    src = gdf["lokasi_sumber"].astype(object).to_numpy()
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    return np.isin(src, list(REGIONAL_DIMS)) & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def _draw_regional(ax: Any, g: gpd.GeoDataFrame, column: str, colors: Mapping[str, RGB], default: RGB, zorder: float) -> dict[int, int]:
    """A whole kelurahan (or kecamatan) named as a location: its outline hatched in the category's colour,
    no fill, so that it keys the place without hiding what lies in it."""
    counts: dict[int, int] = {}
    vals = g[column].astype(object).where(g[column].notna(), None)
    src = g["lokasi_sumber"].astype(object).to_numpy()
    for level, key in REGIONAL_DIMS.items():
        for v in dict.fromkeys(vals[src == level]):
            sel = g[(src == level) & (vals == v).to_numpy()] if v is not None else g[(src == level) & vals.isna().to_numpy()]
            col = mpl_color(colors.get(str(v), default) if v is not None else default)
            with matplotlib.rc_context({"hatch.linewidth": 0.8}):
                sel.plot(ax=ax, facecolor="none", edgecolor=(*col, 0.9), hatch="////", linewidth=1.6, linestyle=(0, (4, 2)), zorder=zorder, gid=f"regional:{level}")
            counts[key] = counts.get(key, 0) + len(sel)
    return counts


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
    # the true place: a small white ring, not a black dot (black is the "perlu kajian" status; review s6)
    ax.scatter(xy[moved, 0], xy[moved, 1], s=6, facecolor="#ffffff", edgecolor="#111111", zorder=zorder + 0.95, linewidths=0.6, gid="stack-origin")
    return gpd.GeoDataFrame(g.drop(columns=g.geometry.name), geometry=geoms, crs=g.crs)


def draw_outline(
    ax: Any,
    gdf: gpd.GeoDataFrame | None,
    *,
    color: str = "#333333",
    linewidth: float = 0.9,
    linestyle: Any = "--",
    zorder: float = 3,
    under: gpd.GeoDataFrame | None = None,
    under_linewidth: float = 1.0,
) -> None:
    """Boundaries (kecamatan, kelurahan: areas that tile the city) as lines without fill, every shared edge drawn once
    as one line (:func:`boundary_lines`), the areas' slivers (gaps and overlaps narrower than the line drawn,
    :func:`outline_tolerance`) closed first.

    Parameters
    ----------
    ax : matplotlib Axes
        The map, its extent set (the tolerance is the line's width at its scale).
    gdf : GeoDataFrame or None
        The areas; nothing is drawn when None or empty.
    color, linewidth, linestyle, zorder
        The line's style (matplotlib).
    under : GeoDataFrame, optional
        Areas whose boundary is drawn over this one (the kecamatan over their kelurahan) with ``under_linewidth``:
        this boundary's edges along theirs are left out, so that the gaps of a dashed line over it stay gaps.
    under_linewidth : float
        The width of ``under``'s line (its tolerance).
    """
    if gdf is None or not len(gdf):
        return
    g = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if not len(g):
        return
    tol = outline_tolerance(ax, linewidth)
    minus = None
    if under is not None and len(under):
        utol = outline_tolerance(ax, under_linewidth)
        minus = shapely.union_all(shapely.boundary(clean_areas(np.asarray(under.geometry.dropna().array, dtype=object), utol)))
        tol = max(tol, utol)
    boundary_lines(g, crs=g.crs, minus=minus, tolerance=tol).plot(ax=ax, color=color, linewidth=linewidth, linestyle=linestyle, zorder=zorder, gid=OUTLINE_GID)


def outline_tolerance(ax: Any, linewidth: float = 1.0) -> float:
    """The width, in map units, below which two areas' edges are one edge on the map: the width of the line drawn
    (at least 1 pt) at the axes' scale. A sliver gap narrower than the line lies under it, and two edges closer than
    that print as one line anyway.

    Parameters
    ----------
    ax : matplotlib Axes
        The map's axes, their extent set (:func:`~sppr_gis.maps.cartography.labels._m_per_pt`).
    linewidth : float
        The line's width in points.

    Returns
    -------
    float
        Map units (metres on the album's projected maps); 0 when the axes have no extent yet.
    """
    try:
        m = float(_m_per_pt(ax))
    except Exception:  # noqa: BLE001 - axes without a figure or extent: no tolerance, the edges as digitised
        return 0.0
    return max(1.0, float(linewidth)) * m if math.isfinite(m) and m > 0 else 0.0


def clean_areas(geoms: Sequence[Any] | np.ndarray, tolerance: float) -> np.ndarray:
    """Areas that tile a city (kecamatan, kelurahan) as a clean coverage: overlaps given to one neighbour, gaps
    narrower than ``tolerance`` merged into the neighbour with the longest border with them, and every edge two
    neighbours share made identical (GEOS CoverageCleaner, :func:`shapely.coverage_clean`).

    Real boundary data are digitised area by area: two neighbours' common edge is two lines a few metres apart that
    cross each other every few vertices; their union is hundreds of short pieces (Kota Bandung: 997 pieces for 30
    kecamatan, 402 shorter than 100 m), and a dashed line restarts its dashes on each (review s7, issue 19).

    Parameters
    ----------
    geoms : array-like of shapely geometries
        Polygons or multipolygons (others, empty or missing ones are left out).
    tolerance : float
        Gap width, in map units, below which a gap between areas is a sliver; 0 resolves overlaps only.

    Returns
    -------
    numpy.ndarray
        The cleaned (multi)polygons, in the input's order (missing, empty and non-areal inputs left out); the input
        areas as they are (made valid) when this GEOS has no coverage cleaner (shapely 2.2 with GEOS 3.14 has one).
    """
    arr = np.asarray(geoms, dtype=object)
    arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
    if not len(arr):
        return arr
    arr = shapely.make_valid(arr)
    polys = [shapely.multipolygons(p) if len(p) > 1 else p[0] for p in (_polygon_parts(g) for g in arr) if len(p)]
    if not polys:
        return np.asarray([], dtype=object)
    arr = np.asarray(polys, dtype=object)
    clean = getattr(shapely, "coverage_clean", None)
    if clean is None:
        return arr
    try:
        out = np.asarray(clean(arr, gap_width=max(0.0, float(tolerance))), dtype=object)
    except shapely.errors.UnsupportedGEOSVersionError:
        return arr
    return out[~(shapely.is_missing(out) | shapely.is_empty(out))]


def cleaned_coverage(areas: gpd.GeoDataFrame | gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """The areas' geometries as a clean coverage (:func:`clean_areas`), one per input row, in the input's index: the
    fill of a choropleth with no white slivers where neighbours were digitised a few metres apart (review s9, Kota
    Bandung Peta 13: 281 gaps 2-7 m wide between the kecamatan, each a white hairline inside a filled kecamatan once
    the boundary line had moved onto the cleaned edge).

    Parameters
    ----------
    areas : GeoDataFrame or GeoSeries
        Polygons (kecamatan, kelurahan, ...).
    tolerance : float
        Gap width (map units) below which a gap between neighbours is merged into one of them.

    Returns
    -------
    GeoSeries
        The cleaned areas, row for row; the areas as given when a row is missing, empty or not an area, or this GEOS
        cleans nothing.
    """
    geo = areas.geometry if hasattr(areas, "geometry") else areas
    arr = np.asarray(geo.array, dtype=object)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if not ok.all() or not len(arr) or any(not len(_polygon_parts(shapely.make_valid(g))) for g in arr):
        return geo
    out = clean_areas(arr, tolerance)
    if len(out) != len(arr):
        return geo
    return gpd.GeoSeries(out, index=geo.index, crs=geo.crs)


def _polygon_parts(g: Any) -> np.ndarray:
    parts = shapely.get_parts(g)
    return parts[shapely.get_type_id(parts) == 3]


def boundary_lines(areas: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: Any = None, minus: Any = None, tolerance: float = 0.0) -> gpd.GeoSeries:
    """The areas' boundaries with every edge once: an edge two neighbouring areas share is one line, not two (two
    dashed lines over each other, their dashes out of step, read as a solid line), from one junction of three or more
    areas (or the city's edge) to the next, so that a dashed line's pattern runs through it; ``minus`` (lines) taken out.

    Parameters
    ----------
    areas : GeoDataFrame or GeoSeries
        Polygons (kecamatan, kelurahan, ...).
    crs : optional
        The CRS of the result (the areas' by default).
    minus : shapely geometry, optional
        Lines not drawn again (the kecamatan boundary under the kelurahan's); within ``tolerance`` (at least 0.01 map
        units) of them; a line cut there is joined to them again.
    tolerance : float
        With a positive tolerance (map units; :func:`outline_tolerance`) the areas are first made a clean coverage
        (:func:`clean_areas`): edges two neighbours digitised apart become one edge, sliver gaps narrower than the
        tolerance closed. 0: the areas' edges as digitised.

    Returns
    -------
    GeoSeries
        The merged boundary lines.
    """
    geoms = np.asarray(areas.geometry.array if hasattr(areas, "geometry") else areas.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if tolerance and tolerance > 0 and len(geoms):
        geoms = clean_areas(geoms, tolerance)
    lines = shapely.union_all(shapely.boundary(shapely.make_valid(geoms))) if len(geoms) else shapely.LineString()
    if minus is not None and not minus.is_empty and not lines.is_empty:
        near = max(0.01, float(tolerance or 0.0))
        lines = lines.difference(minus.buffer(near))
        if near > 0.01 and not lines.is_empty:
            lines = _rejoin(lines, minus, near)
    merged = shapely.line_merge(lines) if not lines.is_empty else lines
    parts = [q for q in shapely.get_parts(merged) if isinstance(q, (shapely.LineString, shapely.LinearRing)) and not q.is_empty]
    return gpd.GeoSeries(parts, crs=crs if crs is not None else getattr(areas, "crs", None))


def _rejoin(lines: Any, minus: Any, near: float) -> Any:
    """``lines`` cut back by ``near`` around ``minus``: each end that stops there extended to its nearest point on
    ``minus`` (a kelurahan's edge that meets the kecamatan boundary meets its line, with no gap)."""
    out = []
    for q in shapely.get_parts(shapely.line_merge(lines)):
        if shapely.get_type_id(q) != 1 or q.is_empty:
            out.append(q)
            continue
        xy = shapely.get_coordinates(q)
        if len(xy) >= 2 and not q.is_ring:
            ends = shapely.points(xy[[0, -1]])
            d = shapely.distance(ends, minus)
            if d[0] <= near * 1.01:
                xy = np.vstack([shapely.get_coordinates(shapely.shortest_line(ends[0], minus))[1:], xy])
            if d[1] <= near * 1.01:
                xy = np.vstack([xy, shapely.get_coordinates(shapely.shortest_line(ends[1], minus))[1:]])
        out.append(shapely.linestrings(xy))
    return shapely.union_all(np.asarray(out, dtype=object)) if out else shapely.LineString()
