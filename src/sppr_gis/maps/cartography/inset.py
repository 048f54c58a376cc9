"""The location inset: the region within its surroundings, the map's extent in red."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from pyproj import CRS  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography.common import _HALO, _INK, MIN_PT, _pt, fit_extent  # noqa: E402
from sppr_gis.maps.cartography.textfit import _bottom, _fit_text  # noqa: E402

if TYPE_CHECKING:
    from sppr_gis.maps.cartography.frame import MapFrame


def add_inset(frame: MapFrame, context: gpd.GeoDataFrame | None, threshold: float = 1.01, avoid: gpd.GeoDataFrame | None = None) -> bool:
    """Inset locator in a corner of the map: the region within its surroundings, the map extent as a red frame.

    The corner is the one (other than the scale bar's) that hides least of the region and of
    ``avoid``. With :attr:`inset_layer` (the province and neighbouring regencies, ``[album] inset``
    or the bundled extract) the inset shows the region among its neighbours, named; without it,
    the region alone on a neutral ground. Drawn on every page (``threshold`` above 1); with a smaller
    ``threshold`` only when the map shows less than that share of the region's bounding box.
    Returns True when drawn.
    """
    if context is None or not len(context) or frame.extent is None:
        return False
    cb = context.total_bounds
    ex = frame._final_extent()
    city = shapely.box(*cb)
    shown = shapely.box(*ex).intersection(city).area / city.area if city.area > 0 else 1.0
    if shown >= threshold:
        return False
    fig = frame.fig
    c = context[~(context.geometry.isna() | context.geometry.is_empty)]
    bx, by, w, h, w_in, h_in = _inset_box(frame, c, ex, avoid)
    fig.patches.append(Rectangle((bx - 0.002, by - 0.002), w + 0.004, h + 0.004, transform=fig.transFigure, facecolor="white", edgecolor=_INK, linewidth=0.8, zorder=40, gid="inset-frame"))
    fh = fig.get_figheight()
    around = frame.inset_layer
    # the title first, in its own band above the map (however many lines it wraps to): no name runs under it
    title = "LOKASI " + (frame.region.upper() if frame.region else "WILAYAH") + (" DAN SEKITARNYA" if around is not None and len(around) else "")
    frame.inset_title = _fit_text(fig, bx + 0.003, by + h - 0.002, title, w - 0.006, fontsize=_pt(6.5 * frame.k), min_fontsize=MIN_PT, fontweight="bold", color=_INK, va="top", zorder=42)
    title_h = by + h - _bottom(fig, frame.inset_title) + 0.004
    ax = fig.add_axes((bx, by, w, h - title_h), zorder=41)
    aspect = w_in / (h_in - title_h * fh)
    union = (min(cb[0], ex[0]), min(cb[1], ex[1]), max(cb[2], ex[2]), max(cb[3], ex[3]))
    if around is not None and len(around):
        ie = _draw_surroundings(frame, ax, around, c, cb, city, aspect)
    else:
        ax.set_facecolor("#f7f7f7")  # nothing is known around the region: a neutral ground, not a sea
        cu = overlay.union_all(overlay.make_valid(np.asarray(c.geometry.array, dtype=object), what="inset"), what="inset")
        gpd.GeoSeries([_solid(cu)], crs=frame.crs).plot(ax=ax, facecolor="#f2b36b", edgecolor="#7a4a12", linewidth=0.5, gid="inset-region")
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
    frame.inset_ax = ax
    return True


def inset_corners(frame: MapFrame) -> tuple[dict[str, tuple[float, float]], tuple[float, float, float, float]]:
    """The inset's candidate places: each map corner's lower-left point (figure fraction), and the inset's
    width and height (figure fraction, then inches)."""
    fig = frame.fig
    pos = frame.ax.get_position()
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    h_in = getattr(frame, "inset_share", INSET_SHARE) * pos.height * fh
    w_in = min(1.3 * h_in, 0.4 * pos.width * fw)
    w, h = w_in / fw, h_in / fh
    m = INSET_MARGIN
    boxes = {
        "upper left": (pos.x0 + m, pos.y1 - h - m), "upper right": (pos.x1 - w - m, pos.y1 - h - m),
        "lower left": (pos.x0 + m, pos.y0 + m), "lower right": (pos.x1 - w - m, pos.y0 + m),
    }
    return boxes, (w, h, w_in, h_in)


#: Gap between the map's frame and the inset (figure fraction).
INSET_MARGIN = 0.008
#: The inset's height as a share of the map's (``frame.inset_share`` when the map was fitted around a smaller one).
INSET_SHARE = 0.21
#: The smallest share the inset may shrink to so that it covers nothing of the region.
INSET_SHARE_MIN = 0.15


def _inset_box(frame: MapFrame, c: gpd.GeoDataFrame, ex: tuple[float, float, float, float], avoid: gpd.GeoDataFrame | None) -> tuple[float, float, float, float, float, float]:
    """The inset's place (figure fraction ``x, y, w, h``, and its size in inches): the map corner, other than
    the scale bar's, that hides least of the region ``c`` and then of ``avoid``."""
    boxes, (w, h, w_in, h_in) = inset_corners(frame)
    kept = getattr(frame, "inset_reserved", None)
    if kept in boxes:  # the corner kept clear of the region when the map was fitted (Album.city_extent)
        boxes = {kept: boxes[kept]}
    else:
        boxes.pop(getattr(frame, "scale_corner", ""), None)
    pos = frame.ax.get_position()
    cu = overlay.union_all(overlay.make_valid(np.asarray(c.geometry.array, dtype=object), what="inset"), what="inset")
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
    frame.inset_corner = corner
    frame.inset_box = (bx, by, w, h)
    return bx, by, w, h, w_in, h_in


#: Fields naming a unit of the inset layer (the bundled extract: ``nama``; geoBoundaries: ``shapeName``; BIG: ``NAMOBJ``).
_NAME_FIELDS = ("name", "nama", "shapeName", "NAMOBJ", "WADMKK")
#: Fields naming a unit's province (the bundled extract: ``provinsi``; BIG: ``WADMPR``).
_PROVINCE_FIELDS = ("provinsi", "WADMPR", "nama_prov", "province")


def _is_region(g: Any, region: Any) -> bool:
    """Whether an inset unit is the region itself: half of it or half of the region is their overlap."""
    if g is None or g.is_empty:
        return True
    inter = g.intersection(region).area
    return inter >= 0.5 * min(g.area, region.area)


def _widest_point(g: Any) -> Any:
    """The centre of the largest circle inside ``g`` (its largest part): room for a long name."""
    if shapely.get_type_id(g) in (6, 7):
        polys = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) == 3]
        if not polys:
            return g.representative_point()
        g = max(polys, key=lambda p: p.area)
    try:
        return shapely.get_point(shapely.maximum_inscribed_circle(g, max(g.area, 1.0) ** 0.5 / 200), 0)
    except (AttributeError, shapely.errors.GEOSException):  # pragma: no cover - shapely < 2.1
        return g.representative_point()


def _solid(g: Any) -> Any:
    """``g`` closed over gaps narrower than 0.6 % of its size (the slivers between kecamatan): one solid shape."""
    x0, y0, x1, y1 = g.bounds
    eps = 0.003 * max(x1 - x0, y1 - y0, 1.0)
    return g.buffer(eps).buffer(-eps)


def _display_box(ax: Any, g: Any) -> Any:
    """The bounds of ``g`` (data units) as a display-unit Bbox of ``ax``."""
    from matplotlib.transforms import Bbox

    x0, y0, x1, y1 = g.bounds
    return Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))


def _spots(part: Any, region: Any, n: int = 9) -> list[Any]:
    """Points of a grid over ``part`` that lie inside it, nearest the region first: more places to try a name."""
    x0, y0, x1, y1 = part.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = shapely.points(xs.ravel(), ys.ravel())
    pts = pts[shapely.contains(part, pts)]
    return sorted(pts, key=lambda p: p.distance(region))


def _draw_surroundings(frame: MapFrame, ax: Any, around: gpd.GeoDataFrame, c: gpd.GeoDataFrame, cb: Any, city: Any, aspect: float) -> tuple[float, float, float, float]:
    """The region (``c``) among its neighbours (``around``) on a sea-blue ground, the neighbours named where
    their names do not collide; returns the inset's extent."""
    fig = frame.fig
    a = around if CRS.from_user_input(around.crs) == frame.crs else around.to_crs(frame.crs)
    a = a[~(a.geometry.isna() | a.geometry.is_empty)]
    known = shapely.box(*a.total_bounds) if len(a) else None  # where the layer can tell land from sea
    # the neighbourhood: the region's bounds grown to about six times its size
    r = max(cb[2] - cb[0], cb[3] - cb[1]) * 2.5
    view = fit_extent((cb[0] - r, cb[1] - r, cb[2] + r, cb[3] + r), aspect, pad=0.0)
    vbox = shapely.box(*view)
    a = a[a.intersects(vbox)]
    # drawn inside the view only: the axes' padding beyond it (its aspect) stays white, not sea
    a = a.set_geometry(shapely.intersection(np.asarray(a.geometry.array, dtype=object), vbox))
    ax.set_facecolor("white")
    # sea only inside the view and inside the layer's own extent: beyond what it covers nothing is known
    sea = vbox.intersection(known) if known is not None else vbox
    if not sea.is_empty:
        sx0, sy0, sx1, sy1 = sea.bounds
        ax.add_patch(Rectangle((sx0, sy0), sx1 - sx0, sy1 - sy0, facecolor="#dcebf5", edgecolor="none", zorder=0.5, gid="inset-sea"))
    a.plot(ax=ax, facecolor="#f1eee6", edgecolor="#8c8c8c", linewidth=0.4, zorder=1)
    cu = overlay.union_all(overlay.make_valid(np.asarray(c.geometry.array, dtype=object), what="inset"), what="inset")
    # the region as one solid shape: its kecamatan lines (and the slivers between them) are a scribble at this size
    gpd.GeoSeries([_solid(cu)], crs=frame.crs).plot(ax=ax, facecolor="#f2b36b", edgecolor="#7a4a12", linewidth=0.5, zorder=2, gid="inset-region")
    nf = next((f for f in _NAME_FIELDS if f in a.columns), None)
    pf = next((f for f in _PROVINCE_FIELDS if f in a.columns and f != nf), None)
    if nf or pf:
        vb = vbox.buffer(-0.08 * (view[2] - view[0]))
        renderer = fig.canvas.get_renderer()
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("equal", adjustable="datalim")
        ax.apply_aspect()
        gap = 0.02 * (view[2] - view[0])
        # names stay off the region and off the red box of the map's extent (both as drawn, in display units)
        ex = frame._final_extent()
        keep_off = [_display_box(ax, shapely.box(*ex)), _display_box(ax, cu.envelope)]
        placed: list[Any] = []
        # the neighbours that touch the region first, then the province, then the other units where there is room
        touching: list[tuple[Any, str, bool]] = []
        others: list[tuple[Any, str, bool]] = []
        if nf:
            for n, g in zip(a[nf], a.geometry):
                if isinstance(n, str) and n.strip() and not _is_region(g, cu):
                    (touching if g.distance(cu) <= gap / 4 else others).append((g, n, False))
        touching.sort(key=lambda t: -t[0].intersection(cu.buffer(gap)).area)
        province: list[tuple[Any, str, bool]] = []
        if pf:  # the province's name where it has room, else along the inset's top or foot
            for name in dict.fromkeys(a[pf]):
                if isinstance(name, str) and name.strip():
                    geoms = np.asarray(a.geometry[(a[pf] == name).to_numpy()].array, dtype=object)
                    province.append((overlay.union_all(geoms, what="inset"), name, True))
        for g, n, is_prov in [*touching, *province, *others]:
            part = g.difference(cu.buffer(gap)).intersection(vb)
            if (part.is_empty or part.area <= 0) and (g, n, is_prov) in touching:  # a small neighbour (Kota Cimahi)
                part = g.difference(cu).intersection(vb)
            if part.is_empty or part.area <= 0:
                continue
            if is_prov:
                text = n.upper() if n.upper().startswith("PROV") else f"PROV. {n.upper()}"
                cx = (view[0] + view[2]) / 2
                spots = [_widest_point(part), shapely.Point(cx, view[3] - 0.06 * (view[3] - view[1])), shapely.Point(cx, view[1] + 0.06 * (view[3] - view[1]))]
                style = {"color": "#6b4f2a", "fontweight": "bold", "gid": "inset-province"}
            else:
                text, spots = str(n), [part.representative_point(), _widest_point(part), *_spots(part, cu)]
                if (g, n, is_prov) in touching:  # named close to the region
                    spots = [*_spots(part, cu), *spots[:2]]
                style = {"color": "#555555", "style": "italic", "gid": "inset-name"}
            ab = ax.get_window_extent(renderer)
            # a neighbour sharing the border too narrow for its name is named beside it, with a short leader
            near = [] if is_prov or (g, n, is_prov) not in touching else _spots(part.buffer(0.25 * (view[2] - view[0])).difference(cu.buffer(gap)).intersection(vb), part, 13)
            anchor = part.representative_point()
            for p, leader in [*((q, False) for q in spots), *((q, True) for q in near)]:
                t = ax.text(p.x, p.y, text, fontsize=MIN_PT, ha="center", va="center", zorder=3, path_effects=_HALO, clip_on=True, **style)
                bb = t.get_window_extent(renderer).expanded(1.06, 1.15)  # a little air between two names
                if (any(bb.overlaps(q) for q in placed) or any(bb.overlaps(q) for q in keep_off)
                        or not (ab.x0 <= bb.x0 and bb.x1 <= ab.x1 and ab.y0 <= bb.y0 and bb.y1 <= ab.y1)):
                    t.remove()
                    continue
                placed.append(bb)
                if leader:  # the same name, with its leader to the neighbour
                    t.remove()
                    ax.annotate(text, xy=(anchor.x, anchor.y), xytext=(p.x, p.y), fontsize=MIN_PT, ha="center", va="center", zorder=3, path_effects=_HALO,
                                arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.4, "shrinkA": 2, "shrinkB": 0}, **style)
                break
    return view
