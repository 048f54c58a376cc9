"""Album page: the administrative map (kecamatan and kelurahan named, networks along their lines)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402
import shapely.ops  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    TABLE_HEADING,
    LegendSection,
    MapFrame,
    draw_outline,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.cartography.common import TextHalo  # noqa: E402
from sppr_gis.maps.cartography.draw import boundary_lines, outline_tolerance  # noqa: E402
from sppr_gis.maps.pages.common import KEC_FILLS, _first, name_forms  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    distinct_colors,
    fill_hatches,
    mpl_color,
)
from sppr_gis.text import angka  # noqa: E402
from sppr_gis.vocabulary import place_key  # noqa: E402

log = logging.getLogger(__name__)

#: Numbered kelurahan keyed in the legend panel up to this many; more go to the continuation sheet.
KEL_KEY_ON_PAGE = 12

#: Where a number finds no place :data:`NAME_GAP_MM` clear of the names and numbers inside (or reaching a little out
#: of) its kelurahan: the least clearance (pt) it keeps before it may touch them (a halo's width and a half).
NEAR_GAP_PT = 1.5

#: A number with no room in its kelurahan even so stands beside it, at most this far out (mm at print size), with a
#: leader to it.
LEADER_MM = 8.0

#: Least distance (mm at print size) between two names or numbers on the administrative map.
NAME_GAP_MM = 1.0


def adjacency(geoms: Any, tolerance: float = 1.0) -> list[set[int]]:
    """Which polygons are neighbours: those within ``tolerance`` map units of one another (boundaries digitised
    a little apart still touch), found with an STR tree.

    Parameters
    ----------
    geoms : array of shapely geometries
        The areas (kecamatan).
    tolerance : float
        Largest gap (map units) between two areas still counted as a shared boundary.

    Returns
    -------
    list of set of int
        For each area, the indices of its neighbours.
    """
    g = np.asarray(geoms, dtype=object)
    out: list[set[int]] = [set() for _ in range(len(g))]
    ok = np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)))
    tree = shapely.STRtree(g[ok])
    a, b = tree.query(g[ok], predicate="dwithin", distance=tolerance)
    for i, j in zip(ok[a], ok[b]):
        if i != j:
            out[i].add(int(j))
    return out


def graph_colors(neighbours: Sequence[set[int]]) -> list[int]:
    """A colour index per area, neighbours never alike (DSatur greedy colouring: the area with the most
    differently coloured neighbours next, ties to the most neighbours, then the first; the lowest free colour).

    Parameters
    ----------
    neighbours : sequence of set of int
        :func:`adjacency`'s answer.

    Returns
    -------
    list of int
        Colour indices from 0; a planar map of kecamatan needs four to six.
    """
    n = len(neighbours)
    color = [-1] * n
    for _ in range(n):
        i = max((k for k in range(n) if color[k] < 0), key=lambda k: (len({color[j] for j in neighbours[k] if color[j] >= 0}), len(neighbours[k]), -k))
        used = {color[j] for j in neighbours[i]}
        color[i] = next(c for c in range(n + 1) if c not in used)
    return color


def kec_fills(geoms: Any, names: Sequence[str]) -> list[RGB]:
    """The administrative map's fill per area: each area its own colour of :data:`KEC_FILLS` while there are
    enough, else by a graph colouring of the adjacency (neighbours always differ); areas of the same name alike
    (parts of one kecamatan). Areas whose fills are alike are told apart by :func:`kec_hatches`."""
    first: dict[str, int] = {}
    for i, n in enumerate(names):
        first.setdefault(n, i)
    keys = list(first)
    pal = list(KEC_FILLS)
    if len(keys) <= len(pal):
        idx = list(range(len(keys)))
    else:
        merged = [shapely.union_all([g for g, n in zip(geoms, names) if n == k and g is not None]) for k in keys]
        idx = graph_colors(adjacency(merged))
    if max(idx, default=0) >= len(pal):
        pal += list(distinct_colors([str(i) for i in range(len(pal), max(idx) + 1)], avoid=pal).values())
    by_name = {k: pal[c] for k, c in zip(keys, idx)}
    return [by_name[n] for n in names]


def kec_hatches(fills: Mapping[str, RGB]) -> dict[str, str | None]:
    """Area name -> hatch, so that two areas of the legend whose fills are closer than ΔE2000 25 (the same colour
    shared by areas apart) differ in pattern (:func:`~sppr_gis.maps.palette.fill_hatches`)."""
    return fill_hatches(fills)


def names_or_numbers(ax: Any, geoms: Sequence[Any], names: Sequence[str], *, fontsize: float, color: str = "#222222", weight: str = "bold",
                     style: str = "normal", min_fontsize: float = 7.0, gid: str = "kec-name", number: bool = True,
                     start: int = 0, try_names: bool = True, avoid: Sequence[Any] = (), boxed: bool = False,
                     gap_mm: float = NAME_GAP_MM, avoid_width: float = 0.0, numbers: Sequence[str | None] | None = None,
                     keep_off: Sequence[Any] = (), keep_off_width: float = 0.0) -> list[str | None]:
    """Each area's name written wholly inside it and clear of the texts already on the axes (on one line, else
    on two, at ``fontsize`` then ``min_fontsize``); where no form fits, a number (1, 2, ... in the given order
    of the areas not named) at a point inside the area, to be keyed in the legend.

    Parameters
    ----------
    ax : matplotlib Axes
        The map (its extent set).
    geoms : sequence of shapely polygons
        The areas, in map units.
    names : sequence of str
        The names to print (as printed: upper case for kecamatan).
    fontsize, min_fontsize : float
        Sizes (pt) tried for the names.

    number : bool
        False: an area whose name does not fit stays unnamed (answer ``""``), no number printed.
    start : int
        The numbers count on from ``start + 1`` (kelurahan numbered after the kecamatan: no number twice on a map).
    try_names : bool
        False: every area numbered (its name already tried elsewhere).
    avoid : sequence of shapely geometries
        Lines (map units) a name must not lie on (roads): a name is printed only where its box meets none.
    avoid_width : float
        The widest of those lines as drawn (pt): a name or number keeps half a point clear of its stroke.
    boxed : bool
        True: the numbers bold and upright in a small square frame (the kecamatan's), told apart from plain
        numbers in the names' own style (the kelurahan's: italic, not bold).
    numbers : sequence of str or None, optional
        Per area, the number it takes when numbered (the album's one numbering of the kecamatan,
        :meth:`~sppr_gis.maps.pages.base.Album.kec_numbers`); an area without one counts on from ``start``.
    gap_mm : float
        Least distance (mm at print size) between a name or number and the texts already on the map (they never
        touch: "3" beside "63" would read "363"). A number finding no such place inside its area is put where it
        keeps the gap with its box reaching a little out of the area, and only then closer.
    keep_off, keep_off_width : sequence of shapely geometries, float
        Boundary lines (the kecamatan's, around kelurahan numbers) and their drawn width (pt): a number whose place
        would cross one is moved to a place inside its area, or reaching a little out of it, clear of them and of the
        other texts by at least a little, where there is one (review s9, Kota Bandung Peta 1: kelurahan numbers on
        the kecamatan boundaries).

    Returns
    -------
    list of str or None
        Per area: None where the name is printed, else the number printed in it (``""``: none).
    """
    from sppr_gis.maps.pages.spots import _clear_of, _code_spots, _data_box, _inscribed_circle

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    mpp = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent(renderer).width * 72.0 / fig.dpi)
    taken = [_data_box(ax, _text_box(t, renderer)).bounds for t in ax.texts if t.get_visible() and t.get_text()]
    # points: each box grown by it, tested against the boxes already taken; a point more, as a printed word's box
    # (its glyphs' advances, an italic's slant) reaches up to half a point beyond the extent matplotlib lays out
    # (more costs Kota Bandung's crowded centre numbers pushed onto names)
    gap = max(1.0, gap_mm * 72.0 / 25.4) + 1.0
    halo = [TextHalo(linewidth=2.0, foreground=(1, 1, 1, 0.85))]
    out: list[str | None] = []
    count = 0
    lines = [a for a in avoid if a is not None and not a.is_empty]
    tree = shapely.STRtree(lines) if lines else None
    # a name clear of the lines by half a point beyond its box (a road's stroke has a width)
    line_pad = (0.5 + max(0.0, avoid_width) / 2) * mpp
    fences = [a for a in keep_off if a is not None and not a.is_empty]
    fence = shapely.STRtree(fences) if fences else None
    fence_pad = (0.5 + max(0.0, keep_off_width) / 2) * mpp

    def grown(d: float) -> np.ndarray:
        """The boxes taken, each grown by ``d`` map units on every side (the gap kept from them)."""
        t = np.asarray(taken, dtype=float).reshape(-1, 4)
        return t + np.asarray([-d, -d, d, d])

    def spots_for(poly: Any, hw: float, hh: float, near: Any) -> list:
        if tree is None:
            return _code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=near)
        # many places inside the area, the first clear of the lines (the three nearest its centre may all lie on a road)
        return _clear_of(_code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=near, max_points=6000, limit=6000), hw + line_pad, hh + line_pad, tree)[:1]

    # a large name (a kecamatan's) steps down towards the least size before it gives way to a number: it keeps
    # its rank over the smaller names where it fits only a little smaller
    low = max(min_fontsize, min(fontsize, min_fontsize))
    sizes = [fontsize, *(v for v in (fontsize * 0.8, fontsize * 0.65) if v > low * 1.1), low]
    for i, (g, name) in enumerate(zip(geoms, names)):
        if g is None or g.is_empty:
            out.append(None)
            continue
        poly = max(shapely.get_parts(g), key=lambda p: p.area)
        forms = name_forms(name)
        placed = None
        for fs in dict.fromkeys(sizes if try_names else ()):
            for text in forms:
                probe = ax.text(0, 0, text, ha="center", va="center", fontsize=fs, fontweight=weight, fontstyle=style, linespacing=1.0)
                bb = probe.get_window_extent(renderer)
                probe.remove()
                hw, hh = (bb.width / 2 + 1) * 72.0 / fig.dpi * mpp, (bb.height / 2 + 1) * 72.0 / fig.dpi * mpp
                spots = spots_for(poly, hw, hh, grown((gap - 1) * mpp))
                if spots:
                    placed = ax.text(*spots[0], text, ha="center", va="center", fontsize=fs, fontweight=weight, fontstyle=style, color=color, linespacing=1.0,
                                     zorder=21, path_effects=halo, gid=gid)
                    break
            if placed is not None:
                break
        if placed is not None:
            taken.append(_data_box(ax, placed.get_window_extent(renderer)).bounds)
            out.append(None)
            continue
        if not number:
            out.append("")
            continue
        given = numbers[i] if numbers is not None and i < len(numbers) else None
        if given:
            num = str(given)
        else:
            count += 1
            num = str(start + count)
        nfs = max(min_fontsize, 0.85 * fontsize)
        look = _number_style(boxed, weight, style)
        probe = ax.text(0, 0, num, ha="center", va="center", fontsize=nfs, **look)
        bb = _text_box(probe, renderer)
        probe.remove()
        w2, h2 = bb.width * 72.0 / fig.dpi / 2, bb.height * 72.0 / fig.dpi / 2
        hw, hh = (w2 + 0.5) * mpp, (h2 + 0.5) * mpp
        far = grown((gap - 0.5) * mpp)
        # the number inside the area clear of the names already there by the gap (and of the lines, where it can);
        # else keeping the gap with its box reaching a little out of the area, then with only its centre inside;
        # else closer; else at the centre of its inscribed circle
        spots = spots_for(poly, hw, hh, far) or _code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=far)
        if not spots:
            spots = [p for p in _code_spots(poly.buffer(min(hw, hh)), hw, hh, max(hh / 2, 0.5), taken=far, max_points=6000, limit=6000)
                     if poly.contains(shapely.Point(p))][:1]
        if not spots:
            spots = _free_point(poly, hw, hh, far)
        if not spots:
            # a crowded centre (Kota Bandung on A4 at 1 : 150.000): clear of the names and numbers by a little less
            # than the gap, but never touching them (review s7: numbers touched SUMUR BANDUNG and one another)
            near = grown(NEAR_GAP_PT * mpp)
            spots = (_code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=near) or _free_point(poly, hw, hh, near)
                     or [p for p in _code_spots(poly.buffer(min(hw, hh)), hw, hh, max(hh / 2, 0.5), taken=near, max_points=6000, limit=6000)
                         if poly.contains(shapely.Point(p))][:1])
        leader = False
        if not spots and LEADER_MM > 0:
            # no room in or at its kelurahan: beside it, as near as can be within LEADER_MM, with a leader to it
            spots = _free_point(poly.buffer(LEADER_MM * 72.0 / 25.4 * mpp), hw, hh, grown(NEAR_GAP_PT * mpp))
            leader = bool(spots)
        if not spots:
            spots = _code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=taken) or _free_point(poly, hw, hh, taken)
        if fence is not None and spots and not _clear_of(spots[:1], hw + fence_pad, hh + fence_pad, fence):
            # on a boundary line kept off: inside the area, else reaching a little out of it (its centre inside),
            # clear of the line and a little clear of the texts
            near = grown(NEAR_GAP_PT * mpp)
            cands = _code_spots(poly, hw, hh, max(hh / 2, 0.5), taken=near, max_points=6000, limit=6000) + [
                p for p in _code_spots(poly.buffer(min(hw, hh)), hw, hh, max(hh / 2, 0.5), taken=near, max_points=6000, limit=6000)
                if poly.contains(shapely.Point(p))]
            off = _clear_of(cands, hw + fence_pad, hh + fence_pad, fence)
            if tree is not None:
                off = _clear_of(off, hw + line_pad, hh + line_pad, tree) or off
            if off:
                spots, leader = off[:1], False
            elif LEADER_MM > 0:
                # beside it, clear of the line, with a leader to it (as a number with no room in its kelurahan)
                ring = poly.buffer(LEADER_MM * 72.0 / 25.4 * mpp)
                beside = _clear_of(_code_spots(ring, hw, hh, max(hh / 2, 0.5), taken=near, max_points=6000, limit=6000), hw + fence_pad, hh + fence_pad, fence)
                if beside:
                    spots, leader = beside[:1], not poly.contains(shapely.Point(beside[0]))
        if fence is not None and (not spots or grown(0.0).size and _overlaps_any(spots[0], hw, hh, grown(0.0))):
            # the last places above may touch a name (a crowded A4 centre): where a number keeps off the kecamatan lines,
            # it never stands over a name either (review s9, Bandung A4: 124 over BANDUNG); beside it with a leader
            ring = poly.buffer(LEADER_MM * 72.0 / 25.4 * mpp)
            free = _code_spots(ring, hw, hh, max(hh / 2, 0.5), taken=grown(0.5 * mpp), max_points=6000, limit=6000)
            beside = _clear_of(free, hw + fence_pad, hh + fence_pad, fence) or free
            if beside:
                spots, leader = beside[:1], not poly.contains(shapely.Point(beside[0]))
        if spots:
            cx, cy = spots[0]
        else:
            try:
                (cx, cy), _r = _inscribed_circle(poly, max(min_fontsize * mpp / 4, 0.5))
            except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
                p = poly.representative_point()
                cx, cy = p.x, p.y
        t = ax.text(cx, cy, num, ha="center", va="center", fontsize=nfs, color=color, zorder=21,
                    path_effects=None if boxed else halo, gid=gid + "-number", **look)
        taken.append(_data_box(ax, _text_box(t, renderer)).bounds)
        if leader or not poly.contains(shapely.Point(cx, cy)):  # a number standing beyond its area is tied to it
            _number_leader(ax, poly, taken[-1], color)
        out.append(num)
    return out


def _overlaps_any(p: tuple[float, float], hw: float, hh: float, boxes: np.ndarray) -> bool:
    """Whether the box of half sides ``hw``, ``hh`` centred on ``p`` overlaps one of ``boxes`` ((n, 4) bounds)."""
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    x, y = p
    return bool(((x - hw < b[:, 2]) & (b[:, 0] < x + hw) & (y - hh < b[:, 3]) & (b[:, 1] < y + hh)).any())


def _number_leader(ax: Any, poly: Any, box: tuple[float, float, float, float], color: str) -> None:
    """A thin leader from a number's box (bounds, data units) placed beside its area to a point inside the area (the
    inside point nearest the box, a little in from the edge)."""
    b = shapely.box(*box)
    inner = poly.buffer(-0.15 * min(box[2] - box[0], box[3] - box[1]))
    target = inner if not inner.is_empty else poly
    a, z = shapely.shortest_line(b, target).coords
    if math.dist(a, z) <= 0:
        # the box reaches into its area though its centre is beyond it (review s9, Bandung Peta 1: 124, 90, 64 ... read
        # as the neighbouring kecamatan's): the leader runs from the box's edge towards the centre of the area's part
        # it points at, so that the number is tied to its kelurahan whenever it stands mostly outside it
        c = shapely.Point((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if poly.contains(c):
            return
        deep = poly.buffer(-0.6 * max(box[2] - box[0], box[3] - box[1]))
        goal = shapely.ops.nearest_points(deep if not deep.is_empty else poly.representative_point(), c)[0]
        rest = shapely.LineString([c, goal]).difference(b)
        if rest.is_empty or rest.length <= 0:
            return
        piece = max(shapely.get_parts(rest), key=lambda g: g.length)
        a, z = piece.coords[0], piece.coords[-1]
    ax.plot([a[0], z[0]], [a[1], z[1]], color=color, linewidth=0.4, zorder=20.5, solid_capstyle="butt", gid="kel-number-leader")
    ax.scatter([z[0]], [z[1]], s=1.5, color=color, zorder=20.6, linewidths=0, gid="kel-number-leader")


def _free_point(poly: Any, hw: float, hh: float, taken: Any, max_points: int = 4000) -> list[tuple[float, float]]:
    """A centre inside ``poly`` whose box (half width ``hw``, half height ``hh``; it may reach out of the area) meets
    none of ``taken`` ((n, 4) bounds): the one nearest the area's representative point, or none."""
    x0, y0, x1, y1 = poly.bounds
    step = max(min(hw, hh) / 4, math.sqrt(max((x1 - x0) * (y1 - y0), 1e-9) / max_points))
    xs, ys = np.meshgrid(np.arange(x0, x1 + 1e-9, step), np.arange(y0, y1 + 1e-9, step))
    p = np.c_[xs.ravel(), ys.ravel()]
    p = p[shapely.contains_xy(poly, p[:, 0], p[:, 1])]
    if not len(p):
        return []
    t = np.asarray(taken, dtype=float).reshape(-1, 4)
    if len(t):
        t = t[(t[:, 0] < x1 + hw) & (t[:, 2] > x0 - hw) & (t[:, 1] < y1 + hh) & (t[:, 3] > y0 - hh)]
    if len(t):
        hit = ((p[:, None, 0] - hw < t[None, :, 2]) & (t[None, :, 0] < p[:, None, 0] + hw)
               & (p[:, None, 1] - hh < t[None, :, 3]) & (t[None, :, 1] < p[:, None, 1] + hh)).any(axis=1)
        p = p[~hit]
    if not len(p):
        return []
    r = poly.representative_point()
    k = int(np.argmin(np.hypot(p[:, 0] - r.x, p[:, 1] - r.y)))
    return [(float(p[k, 0]), float(p[k, 1]))]


def _number_style(boxed: bool, weight: str, style: str) -> dict[str, Any]:
    """The text properties of an area's number: bold upright in a white square frame (``boxed``: a kecamatan's),
    else in the names' weight and style (a kelurahan's: italic)."""
    if boxed:
        return dict(fontweight="bold", fontstyle="normal", bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="#222222", linewidth=0.6))
    return dict(fontweight=weight, fontstyle=style)


def _text_box(t: Any, renderer: Any) -> Any:
    """A text's extent on the page (display units), its frame included when it has one."""
    bb = t.get_window_extent(renderer)
    patch = t.get_bbox_patch()
    if patch is not None:
        t.update_bbox_position_size(renderer)
        return Bbox.union([bb, patch.get_window_extent(renderer)])
    return bb


def _kel_groups(kel: Any) -> list[str | None]:
    """Each kelurahan's kecamatan (its place key; :func:`~sppr_gis.vocabulary.place_key`) from the kelurahan layer's
    kecamatan column, None where it has none."""
    kc = _first(kel, ("WADMKC", "kecamatan", "nama_kecamatan"))
    if not kc:
        return [None] * len(kel)
    return [place_key(v) if isinstance(v, str) and v.strip() else None for v in kel[kc]]


def _group_labels(kel: Any, groups: Sequence[str | None], kec_names: Sequence[str]) -> list[str | None]:
    """The heading of each kelurahan's group: ``Kecamatan Coblong`` (the kecamatan layer's spelling where it has
    the kecamatan, else the kelurahan layer's); None without one."""
    spelled = {place_key(n): str(n) for n in kec_names}
    kc = _first(kel, ("WADMKC", "kecamatan", "nama_kecamatan"))
    own = [str(v).strip() if isinstance(v, str) else None for v in kel[kc]] if kc else [None] * len(kel)
    return [f"Kecamatan {spelled.get(g, o)}" if g is not None else None for g, o in zip(groups, own)]


def _grouped_rows(rows: Sequence[tuple[str, str, str | None]]) -> list[tuple[str, str]]:
    """Numbered rows ``(number, name, group heading)`` as a keyed table: each group's heading row
    (:data:`~sppr_gis.maps.cartography.TABLE_HEADING`) before its rows, groups in the order of their first row, rows
    by number within each; rows without a group last, without a heading."""
    def num(r: tuple[str, str, str | None]) -> tuple[int, str]:
        return (int(r[0]), r[0]) if str(r[0]).isdigit() else (1 << 30, str(r[0]))

    rows = sorted(rows, key=num)
    heads = list(dict.fromkeys(r[2] for r in rows if r[2]))
    out: list[tuple[str, str]] = []
    for h in heads:
        out.append((TABLE_HEADING, h))
        out.extend((r[0], r[1]) for r in rows if r[2] == h)
    out.extend((r[0], r[1]) for r in rows if not r[2])
    return out


def page_admin(album: Album) -> MapFrame | None:
    kec, kel = album.L.get("kecamatan"), album.L.get("kelurahan")
    if kec is None and kel is None:
        return None
    base, bfield, unit = (kec, album.kec_field, "kecamatan") if kec is not None else (kel, album.kel_field, "kelurahan")
    names = base[bfield].astype(str).tolist() if bfield else [f"{unit.title()} {i + 1}" for i in range(len(base))]
    area = float(overlay.union_all(overlay.make_valid(np.asarray(base.geometry.dropna().array, dtype=object), what="batas wilayah"), what="batas wilayah").area) / 1e6
    bits = [f"{len(kec)} kecamatan" if kec is not None else None, f"{len(kel)} kelurahan" if kel is not None else None, f"luas {angka(area, 2)} km²"]
    f = album.frame("Peta Administrasi", ", ".join(b for b in bits if b))
    if kec is not None:
        album.admin_page = album.number  # every kecamatan named (or numbered and keyed) here: the thematic maps refer to it
    album.city_extent(f, drawn={})  # no program drawn: none noted
    # neighbours never alike (a graph colouring of the adjacency), parts of one kecamatan alike
    geoms = overlay.make_valid(np.asarray(base.geometry.array, dtype=object), what="batas wilayah")
    fill_of = kec_fills(geoms, names)
    fills = dict(zip(names, fill_of))
    base.plot(ax=f.ax, color=[mpl_color(c) for c in fill_of], edgecolor="none", zorder=0.8)
    hatch = kec_hatches(fills)
    for h in sorted({v for v in hatch.values() if v}):
        sel = np.array([hatch[n] == h for n in names])
        base[sel].plot(ax=f.ax, facecolor="none", edgecolor=[tuple(0.55 * c for c in mpl_color(fills[n])) for n, s in zip(names, sel) if s], linewidth=0, hatch=h, zorder=0.85)
    if kel is not None:
        # the kelurahan's edges that are not the kecamatan's: the dots never fill the kecamatan line's gaps (review s7)
        draw_outline(f.ax, kel, color="#555555", linewidth=0.8, linestyle=":", zorder=3, under=kec, under_linewidth=1.3)
    draw_outline(f.ax, kec, color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2)), zorder=3.2)
    net = album.network(f, labels=False)
    # names: kecamatan large, then kelurahan, then the networks along their lines
    # every kecamatan named inside itself, else numbered there and keyed in the legend
    # (a name never lies on a road or other network line: where none of its forms fits clear of them, a number)
    roads = album.L.get("struktur_ruang") if net is not None else None
    road_lines = [g for g in roads.geometry if g is not None and not g.is_empty and shapely.get_dimensions(g) == 1] if roads is not None else []
    # names and numbers clear of the drawn stroke, not only of the line's centre (review s7: numbers on roads)
    road_w = max((w for _c, w in f.data.get("network_style", {}).values()), default=0.0) if road_lines else 0.0
    first = list(dict.fromkeys(names))
    whole = [shapely.union_all([g for g, n in zip(geoms, names) if n == k and g is not None]) for k in first]
    # a kecamatan numbered takes its number of the whole album (Peta 13 and the lists number the same; review s8)
    album_nums = album.kec_numbers() if unit == "kecamatan" else {}
    nums = dict(zip(first, names_or_numbers(f.ax, whole, [n.upper() for n in first], fontsize=9.5 * f.k, avoid=road_lines, avoid_width=road_w, boxed=True,
                                            numbers=[album_nums.get(n) for n in first] if album_nums else None)))
    # every kelurahan named inside itself (at least 7 pt), else numbered there (after the kecamatan's numbers)
    # and keyed number -> name in the legend, or on the continuation sheet when the key is long
    kel_key: list[tuple[str, str]] = []
    if kel is not None and album.kel_field:
        kgeoms = overlay.make_valid(np.asarray(kel.geometry.array, dtype=object), what="batas kelurahan")
        knames = [str(n) for n in kel[album.kel_field]]
        used = max((int(v) for v in nums.values() if v and str(v).isdigit()), default=0)  # the kelurahan's numbers run on after the highest
        kstyle = dict(fontsize=max(7.0, 6 * f.k), color="#333333", style="italic")
        # 1. wholly inside the kelurahan, clear of the roads and network lines (never centred over its boundary:
        # a name reaching out of its kelurahan reads as its neighbour's)
        knums = names_or_numbers(f.ax, kgeoms, knames, min_fontsize=7.0, weight="normal", gid="kel-name", number=False, avoid=road_lines, avoid_width=road_w, **kstyle)
        rest = [i for i, v in enumerate(knums) if v is not None]
        # numbered kecamatan by kecamatan (the key lists them under their kecamatan's heading, numbers running on)
        kgroup = _kel_groups(kel) if unit == "kecamatan" else [None] * len(knames)
        rank = {g: r for r, g in enumerate(dict.fromkeys([*(place_key(n) for n in first), *(g for g in kgroup if g is not None)]))}
        rest.sort(key=lambda i: (rank.get(kgroup[i], len(rank)) if kgroup[i] is not None else len(rank), i))
        # 2. numbered inside, after the kecamatan's numbers, and keyed; off the kecamatan boundaries as drawn (review s9:
        # a number on the heavy dash-dot line read as the neighbouring kecamatan's)
        kec_lines = list(boundary_lines(kec, tolerance=outline_tolerance(f.ax, 1.3))) if kec is not None else []
        for i, n in zip(rest, names_or_numbers(f.ax, [kgeoms[i] for i in rest], [knames[i] for i in rest], min_fontsize=7.0, weight="normal",
                                               gid="kel-name", start=used, try_names=False, avoid=road_lines, avoid_width=road_w,
                                               keep_off=kec_lines, keep_off_width=1.3, **kstyle)):
            knums[i] = n
        knums = [v if v else None for v in knums]
        kel_key = [(n, name) for n, name in zip(knums, knames) if n]
        kel_rows = _grouped_rows([(n, name, label) for n, name, label in zip(knums, knames, _group_labels(kel, kgroup, first)) if n])
    # the networks' names along their lines (planned ones first, none longer than its line)
    # (no numbers here: the legend beside the map has no room for their key on A4; Peta Rencana Struktur Ruang keys them)
    if net is not None:
        album.network_names(f, fontsize=6, number=False)
    areas = base.geometry.area.to_numpy() / 1e6
    nkel = {}
    kc = _first(kel, ("WADMKC", "kecamatan", "nama_kecamatan")) if kel is not None and unit == "kecamatan" else None
    if kc and kc != album.kel_field:
        nkel = kel[kc].dropna().astype(str).value_counts().to_dict()
    h = [Patch(facecolor=mpl_color(fills[n]), edgecolor="#444444", linewidth=0.5, hatch=hatch[n]) for n in names]
    key = [f"{nums[n]}. {n}" if nums.get(n) else n for n in names]
    lab = [f"{k} ({angka(a, 2)} km²" + (f", {nkel[n]} kelurahan)" if n in nkel else ")") for k, n, a in zip(key, names, areas)]
    # many kecamatan (a real city: 30): the names alone, in columns, when the areas do not fit (A4)
    # which number is which: a kecamatan's in a square frame, a kelurahan's italic
    title = unit.title() + ("; nomor dalam kotak pada peta" if any(nums.values()) else "")
    secs = [LegendSection(title, h, lab, short_labels=key if len(names) > 12 else None)]
    bh, bl = [], []
    if kec is not None:
        bh.append(Line2D([], [], color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2))))
        bl.append("Batas kecamatan")
    if kel is not None:
        bh.append(Line2D([], [], color="#555555", linewidth=0.8, linestyle=":"))
        bl.append("Batas kelurahan")
    secs.append(LegendSection("Batas administrasi", bh, bl))
    if kel_key and len(kel_key) <= KEL_KEY_ON_PAGE:
        blank = [Line2D([], [], linestyle="", marker="") for _ in kel_key]
        secs.append(LegendSection("Kelurahan (nomor miring pada peta)", blank, [f"{n}. {name}" for n, name in kel_key]))
    elif kel_key:
        # a long key (a real city: tens of kelurahan) on the continuation sheet (Lampiran), noted under the map
        f.overflow_rows = kel_rows  # under their kecamatan's headings (review s7)
        f.overflow_title = "Kelurahan bernomor"  # short: the heading fits one column of the sheet
        if used:  # the numbers run on after the kecamatan's: say which the missing first ones are
            f.overflow_more = (f"Nomor 1–{used}" if used > 1 else "Nomor 1") + " (dalam kotak) pada peta: kecamatan, lihat legenda " + (
                f"{f.number}." if f.number else "peta.")
        f.notes.append("Kelurahan bernomor miring pada peta: daftarnya pada halaman berikutnya.")
    secs.append(net)
    f.add_legend([x for x in secs if x])
    unnamed = f.data.get("network_unnamed")
    note = f"{len(unnamed)} ruas jaringan tidak bernama di peta ini (nama tidak muat di sepanjang garisnya); lihat Peta Rencana Struktur Ruang." if unnamed else None
    out = album.finish(f, note=note, shows=("kecamatan", "kelurahan", "struktur_ruang"))
    if kel_key and len(kel_key) > KEL_KEY_ON_PAGE:
        # the note's page number is written in by set_page, as for a keyed table apart
        f.continued_artists.extend(t for t in f.sources_artists if "Kelurahan bernomor" in t.get_text() and t not in f.continued_artists)
    return out
