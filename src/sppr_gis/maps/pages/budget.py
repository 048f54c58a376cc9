"""Album page: budget (pagu) and conformance per kecamatan, with status pies."""

from __future__ import annotations

import logging
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle, Wedge  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    LegendSection,
    MapFrame,
    category_legend,
    draw_outline,
    place_labels,
    pagu_text,
)
from sppr_gis.maps.cartography.draw import cleaned_coverage, outline_tolerance  # noqa: E402
from sppr_gis.maps.classify import (  # noqa: E402
    assign_ranges,
    natural_classes,
    range_labels,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import _counts, _money_fmt, _pagu, _place_key  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    STATUS_COLORS,
    STATUS_LABELS,
    mpl_color,
)

log = logging.getLogger(__name__)


def status_pies(f: MapFrame, agg: pd.DataFrame, fmt: tuple[Any, Any, str], numbers: dict[str, str] | None = None) -> tuple[float, int]:
    """A pie of the status shares on each area with programs, its area proportional to their number, named
    with pagu, count and share sesuai below it (or, with ``numbers``, name -> number: the areas are numbered
    instead, see :func:`area_numbers`); returns the largest radius and the count it stands for.

    Each pie lies wholly inside its own area, centred on the area's pole of inaccessibility (the centre of its
    largest inscribed circle), so that no two pies overlap (the areas do not). All pies share one scale (their
    areas proportional to the counts, as the size key says), the one at which the median area holds its pie,
    never below :data:`_MIN_PIE_MM` across on paper for the smallest; a pie its area cannot hold at that scale is
    capped to fit inside it, drawn with a dashed ring and its count written by its number or name
    (:func:`pie_places`); ``agg["capped"]`` says which. No leaders: nothing is drawn outside its area.
    """
    ext = f.extent
    assert ext is not None
    rmax = _RMAX * min(ext[2] - ext[0], ext[3] - ext[1])
    if "area" in agg.columns and (agg["n"] > 0).any():
        # many small areas (a city of 30 kecamatan): the largest pie no wider than 0.6 of the circle of the
        # median area, so that the pies do not cover their neighbours and the pagu classes under them
        rmax = min(rmax, 0.6 * math.sqrt(float(np.median(agg.loc[agg["n"] > 0, "area"])) / math.pi))
    nmax = max(int(agg["n"].max()), 1)
    agg["capped"] = False
    mpp = _metres_per_point(f)
    places = pie_places(f, agg, rmax, nmax, mpp)
    rmax = places.attrs["rmax"]
    label_xy, label_txt, avoid_boxes = [], [], []
    renderer = f.fig.canvas.get_renderer()
    for i, row in agg.iterrows():
        if row["n"] <= 0 or i not in places.index:
            continue
        (x, y), rad, capped = places.loc[i, "center"], float(places.loc[i, "radius"]), bool(places.loc[i, "capped"])
        agg.loc[i, "radius"] = rad
        agg.loc[i, "capped"] = capped
        agg.at[i, "point"] = shapely.Point(x, y)
        start = 90.0
        for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"):
            k = int(row.get(s, 0))
            if k <= 0:
                continue
            sweep = 360.0 * k / row["n"]
            w = Wedge((x, y), rad, start, start + sweep, facecolor=mpl_color(STATUS_COLORS[s]), edgecolor="white", linewidth=0.6, zorder=8)
            f.ax.add_patch(w)
            start += sweep
        circle = Wedge((x, y), rad, 0, 360, fill=False, edgecolor="#222222", linewidth=0.6, zorder=8.1, gid=f"pie:{int(row['n'])}", label=f"pie-of:{row['name']}")
        f.ax.add_patch(circle)
        if capped:  # smaller than its count: a dashed ring around it (the key does not measure it)
            circle.set_linestyle((0, (2.0, 1.2)))
            circle.set_linewidth(0.9)
            circle.set_label(f"pie-capped-of:{row['name']}")
        avoid_boxes.append(circle.get_window_extent(renderer))
        label_xy.append((x, y - rad * 1.0))
        label_txt.append(f"{row['name']}\n{_area_pagu(row, fmt)} · {row['n']} program · {row['persen_sesuai']:.0f}% sesuai*")
    if numbers is not None:  # a capped pie's count written with its number (the table keys every number)
        capped_of = {str(n) for n, c in zip(agg["name"], agg["capped"]) if bool(c)}
        numbers = {n: (f"{v} ({int(agg.loc[agg['name'] == n, 'n'].iloc[0])})" if n in capped_of else v) for n, v in numbers.items()}
        area_numbers(f, agg, numbers, avoid_boxes)
        return rmax, nmax
    placed: list = []
    for (x, y), t in zip(label_xy, label_txt):
        others = avoid_boxes + [a.get_window_extent(renderer) for a in placed]
        placed.extend(place_labels(f.ax, [(x, y)], [t], fontsize=7.5, avoid=others, weight="bold", va="top", offsets=[(0, -3), (0, -12), (40, -3), (-40, -3)]))
    return rmax, nmax


#: The smallest pie's diameter on paper (mm) below which the pies are not scaled down further to fit their areas.
_MIN_PIE_MM = 2.5


def _metres_per_point(f: MapFrame) -> float:
    """Map units per typographic point on the printed page."""
    x0, x1 = f.ax.get_xlim()
    return (x1 - x0) / (f.ax.get_window_extent().width * 72.0 / f.fig.dpi)


def _inscribed(geom: Any) -> tuple[tuple[float, float], float]:
    """The centre and radius of the largest circle inside ``geom`` (over its parts)."""
    best = ((0.0, 0.0), -1.0)
    for part in shapely.get_parts(geom):
        if part.is_empty or part.area <= 0:
            continue
        line = shapely.maximum_inscribed_circle(part, max(math.sqrt(part.area) / 500.0, 1e-9))
        (cx, cy), (bx, by) = line.coords[0], line.coords[-1]
        r = math.hypot(bx - cx, by - cy)
        if r > best[1]:
            best = ((cx, cy), r)
    if best[1] < 0:
        c = geom.representative_point()
        best = ((c.x, c.y), 0.0)
    return best


def pie_places(f: MapFrame, agg: pd.DataFrame, rmax: float, nmax: int, mpp: float) -> pd.DataFrame:
    """Where each area's pie goes, always inside its area: its centre and radius, and whether it is capped.

    Parameters
    ----------
    f : MapFrame
        The map.
    agg : DataFrame
        Per area (:func:`_aggregate`): ``n`` programs and ``geometry``.
    rmax : float
        The largest pie's radius wanted (map units); scaled down to the median area's fit.
    nmax : int
        The count the largest pie stands for.
    mpp : float
        Map units per point on paper.

    Returns
    -------
    DataFrame
        Indexed as ``agg`` (areas with programs): ``center`` (x, y) at the centre of the area's largest
        inscribed circle, ``radius`` and ``capped`` (True when the area cannot hold the pie at the common scale:
        its radius is then the inscribed circle's less the margin, or 0.85 of it for a tiny area, smaller than
        its count says). ``attrs["rmax"]``: the radius of the pie of ``nmax`` at the common scale.
    """
    rows = agg[agg["n"] > 0]
    gap = 1.2 * mpp  # the pie's outline and the area's border (0.6 + 0.8 pt) apart
    rel = {i: max(math.sqrt(float(n) / nmax), 0.4) for i, n in rows["n"].items()}
    circles = {i: _inscribed(g) for i, g in rows["geometry"].items()}
    # one scale for all pies (the key stays true for every pie drawn at it): the scale at which the median area
    # holds its pie, no larger than wanted, and not below the legible size (the smallest pie, 0.4 rmax,
    # _MIN_PIE_MM across); the pies of the areas that cannot hold theirs at it are capped to fit
    floor = _MIN_PIE_MM / 2 / 0.3528 * mpp / 0.4
    fits = sorted(max(r - gap, 0.0) / rel[i] for i, (_c, r) in circles.items())
    want = float(np.median(fits)) if fits else rmax
    if want < rmax:
        rmax = max(want, min(floor, rmax))
    legible = _MIN_PIE_MM / 2 / 0.3528 * mpp  # the radius of a pie _MIN_PIE_MM across
    out: dict[Any, tuple[tuple[float, float], float, bool]] = {}
    for i, (c, r) in circles.items():
        rad = rmax * rel[i]
        if rad + gap <= r:
            out[i] = (c, rad, False)
        else:  # capped at the inscribed circle less the margin (a thinner one, not below legible, in a tiny area)
            out[i] = (c, max(min(rad, r - gap), min(legible, 0.85 * r)), True)
    res = pd.DataFrame({"center": [out[i][0] for i in rows.index], "radius": [out[i][1] for i in rows.index],
                        "capped": [out[i][2] for i in rows.index]}, index=rows.index)
    res.attrs["rmax"] = rmax
    return res


def circle_size_key(album: Album, f: MapFrame, rmax: float, nmax: int) -> None:
    """The key of the pies' size, drawn in the map at its scale (so it measures true): nested circles for a few
    program counts (the largest, and round numbers below it drawn larger than the smallest pie) in a white box,
    in the lower or upper corner left free by the scale bar and the inset that hides least of the region."""
    ax = f.ax
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    mpp = (x1 - x0) / (ax.get_window_extent().width * 72.0 / f.fig.dpi)  # metres per point
    values = [nmax]
    for frac in (0.5, 0.2):
        v = _nice_count(nmax * frac)
        if v >= 1 and v / nmax >= 0.16 and v not in values:  # below 0.16 every pie is drawn at the smallest size
            values.append(v)
    fs = max(MIN_PT, 6.5 * f.k)
    w, h, m = key_size(f, rmax)
    boxes = {
        "lower right": (x1 - m - w, y0 + m), "upper right": (x1 - m - w, y1 - m - h), "lower left": (x0 + m, y0 + m), "upper left": (x0 + m, y1 - m - h),
    }
    kept = getattr(f, "key_reserved", None)
    for used in (getattr(f, "scale_corner", None), getattr(f, "inset_corner", None)):
        boxes.pop(used or "", None)
    if kept in boxes:  # the corner kept clear of the region when the map was fitted (Album.city_extent)
        boxes = {kept: boxes[kept]}
    region = overlay.union_all(overlay.make_valid(np.asarray(album.context.geometry.array, dtype=object), what="batas wilayah"), what="batas wilayah") if album.context is not None else shapely.Point()
    corner = min(boxes, key=lambda k: (round(region.intersection(shapely.box(*boxes[k], boxes[k][0] + w, boxes[k][1] + h)).area / (w * h), 2), list(boxes).index(k)))
    bx, by = boxes[corner]
    ax.add_patch(Rectangle((bx, by), w, h, facecolor="white", edgecolor="#777777", linewidth=0.5, alpha=0.92, zorder=30, gid="pie-key-box"))
    ax.text(bx + 1.5 * fs * mpp, by + h - 0.8 * fs * mpp, "Jumlah program\n(luas lingkaran)", fontsize=fs, fontweight="bold", va="top", linespacing=1.2, ha="left", color="#222222", zorder=31, gid="pie-key-title")
    cx = bx + 1.5 * fs * mpp + rmax
    base = by + 1.0 * fs * mpp
    for v in sorted(values, reverse=True):
        r = rmax * math.sqrt(v / nmax)
        ax.add_patch(Wedge((cx, base + r), r, 0, 360, fill=False, edgecolor="#222222", linewidth=0.7, zorder=31, gid=f"pie-key:{v}"))
        ax.add_line(Line2D([cx, cx + rmax + 1.0 * fs * mpp], [base + 2 * r, base + 2 * r], color="#555555", linewidth=0.5, zorder=31))
        ax.text(cx + rmax + 1.3 * fs * mpp, base + 2 * r, f"{v} program", fontsize=fs, va="center", ha="left", color="#222222", zorder=31, gid="pie-key-label")
    f.data["pie_key"] = {"values": sorted(values), "rmax": rmax, "nmax": nmax, "corner": corner}


def key_size(f: MapFrame, rmax: float | None = None) -> tuple[float, float, float]:
    """The circle-size key's width, height and margin from the map's frame (map units), for the largest
    circle ``rmax`` (default: the one :func:`status_pies` draws on this extent)."""
    from sppr_gis.maps.cartography.inset import INSET_MARGIN

    x0, x1 = f.ax.get_xlim()
    y0, y1 = f.ax.get_ylim()
    if rmax is None:
        rmax = _RMAX * min(x1 - x0, y1 - y0)
    mpp = (x1 - x0) / (f.ax.get_window_extent().width * 72.0 / f.fig.dpi)  # metres per point
    fs = max(MIN_PT, 6.5 * f.k)
    m = INSET_MARGIN / f.ax.get_position().height * (y1 - y0)  # the inset's gap to the frame: the two boxes align
    return 2 * rmax + 9 * fs * 0.6 * mpp + 4 * fs * mpp, 2 * rmax + 5.6 * fs * mpp, m


#: The largest pie's radius, as a share of the map's shorter side.
_RMAX = 0.055


def _nice_count(x: float) -> int:
    """``x`` rounded down to 1, 2 or 5 times a power of ten."""
    if x < 1:
        return 0
    e = 10 ** math.floor(math.log10(x))
    return int(max(m for m in (1, 2, 5, 10) if m * e <= x + 1e-9) * e)


def area_numbers(f: MapFrame, agg: pd.DataFrame, numbers: dict[str, str], avoid: list) -> None:
    """Each area's number printed wholly inside it: beside its pie (below, above, right, left, then the
    corners), clear of the pies and the texts already printed, else on the first place inside the area
    clear of the texts, else at its pie's centre.

    Two numbers keep three ems apart side by side (a quarter em above each other): review s9, Kota Bandung Peta 13,
    "29" and "9" of two neighbouring kecamatan two ems apart on one line read as one number "29 9"."""
    from sppr_gis.maps.cartography.common import TextHalo
    from sppr_gis.maps.pages.pola_ruang import _code_spots, _data_box

    ax = f.ax
    renderer = f.fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    taken = list(avoid) + [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    fs = max(MIN_PT, 6.5 * f.k)
    em = fs * f.fig.dpi / 72  # pixels
    style = {"ha": "center", "va": "center", "fontsize": fs, "fontweight": "bold", "color": "#111111", "zorder": 9,
             "path_effects": [TextHalo(linewidth=2.0, foreground=(1, 1, 1, 0.9))], "gid": "area-number"}
    for _, row in agg.iterrows():
        num = numbers.get(str(row["name"]))
        if not num:
            continue
        geom = row["geometry"] if "geometry" in row else None
        p = row["point"]
        t = ax.text(p.x, p.y, num, **style)
        bb = t.get_window_extent(renderer)
        (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        hw, hh = abs(x1 - x0) / 2, abs(y1 - y0) / 2
        rad = float(row.get("radius", 0.0))
        rad = rad if math.isfinite(rad) else 0.0
        cands = [(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)] if rad > 0 else [(0, 0)]
        done = False
        for dx, dy in cands:
            cx, cy = p.x + dx * (rad + hw * 1.1), p.y + dy * (rad + hh * 1.1)
            t.set_position((cx, cy))
            box = shapely.box(cx - hw, cy - hh, cx + hw, cy + hh)
            if (geom is None or geom.contains(box)) and not any(t.get_window_extent(renderer).overlaps(q) for q in taken):
                done = True
                break
        if not done and geom is not None:
            spots = _code_spots(max(shapely.get_parts(geom), key=lambda g: g.area), hw, hh, max(hh / 2, 0.5), taken=[_data_box(ax, q).bounds for q in taken])
            if spots:
                t.set_position(spots[0])
                done = True
        if not done:
            t.set_position((p.x, p.y))
        bb = t.get_window_extent(renderer)
        taken.append(Bbox.from_extents(bb.x0 - 3 * em, bb.y0 - em / 4, bb.x1 + 3 * em, bb.y1 + em / 4))


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
        # programs without a recorded pagu: an area none of whose programs has one has no pagu (NaN), never Rp 0
        no_pagu = int(pd.to_numeric(sel["pagu"], errors="coerce").isna().sum()) if "pagu" in sel.columns else n
        d: dict[str, Any] = {"name": row["name"], "n": n, "tanpa_pagu": no_pagu, "pagu": (_pagu(sel) if no_pagu < n else np.nan) if n else 0.0,
                             "point": row.geometry.representative_point(), "area": row.geometry.area,
                             "geometry": row.geometry}
        st = _counts(sel, "status")
        for s in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"):
            d[s] = st.get(s, 0)
        d["persen_sesuai"] = 100.0 * (d["sesuai"] + d["sesuai_bersyarat"]) / n if n else 0.0
        rows.append(d)
    out = pd.DataFrame(rows)
    out.attrs["by_column"] = by_column
    return out


def _area_pagu(row: Any, fmt: tuple[Any, Any, str]) -> str:
    """An area's pagu as its key prints it: ``pagu tidak tercatat`` where none of its programs has one, the sum with
    ``(N program tanpa pagu)`` where some lack it (never Rp 0 for an unknown)."""
    missing = int(row.get("tanpa_pagu", 0) or 0)
    if pd.isna(row["pagu"]):
        return "pagu tidak tercatat"
    return fmt[1](row["pagu"]) + (f" ({missing} program tanpa pagu)" if missing else "")


def page_kecamatan(album: Album) -> MapFrame | None:
    r = album.L.get("rencana")
    kec = album.L.get("kecamatan")
    kfield = album.kec_field
    if kec is None or not kfield:
        kec, kfield = album.L.get("kelurahan"), album.kel_field
    if r is None or kec is None or not kfield:
        return None
    unit = "kecamatan" if kec is album.L.get("kecamatan") else "kelurahan"
    agg = _aggregate(r, kec, kfield, column=unit)
    # every area numbered on the map and keyed in the table beside it (name, pagu, programs, % sesuai)
    f = album.frame(f"Peta Anggaran dan Kesesuaian Program per {unit.title()}", f"{len(r)} program · {pagu_text(r['pagu'] if 'pagu' in r.columns else None)}", table=True)
    album.city_extent(f, key=key_size)
    vals = agg["pagu"].to_numpy(dtype=float)
    has = agg["n"].to_numpy() > 0
    unrecorded = has & np.isnan(vals)  # programs, none with a recorded pagu: its own key, not the lowest class
    known = has & ~unrecorded
    ranges = natural_classes(vals[known], 5) if known.any() else []
    cmap = colormaps["YlOrBr"]
    ncls = len(ranges)
    shades = [cmap(0.15 + 0.7 * i / max(ncls - 1, 1)) for i in range(ncls)]
    cls = assign_ranges(vals, ranges)
    face = [shades[c] if h and c >= 0 else (0.85, 0.85, 0.85, 1.0) if u else (0.96, 0.96, 0.96, 1.0) for c, h, u in zip(cls, known, unrecorded)]
    # filled as the clean coverage its boundary is drawn from: no white sliver between neighbours (review s9)
    gpd.GeoDataFrame(geometry=cleaned_coverage(kec, outline_tolerance(f.ax, 0.8))).plot(ax=f.ax, color=face, edgecolor="none", zorder=1)
    # the boundary: each shared edge once, slivers closed (a polygon's own edge drew its sliver holes as lines
    # inside the kecamatan and its edge twice where neighbours were digitised apart; review s7)
    draw_outline(f.ax, kec, color="#444444", linewidth=0.8, linestyle="-", zorder=1.05)
    fmt = _money_fmt(max((hi for _, hi in ranges), default=0.0))
    div = {"Rp triliun": 1e12, "Rp miliar": 1e9, "Rp juta": 1e6}.get(fmt[2], 1.0)
    labs = range_labels(ranges, fmt[0], unit=div / 10)
    names_in = [sorted(agg.loc[(cls == i) & known, "name"]) for i in range(ncls)]
    single = bool(ranges) and all(lo == hi for lo, hi in ranges)
    labs = [f"{t} ({', '.join(nm)})" if single else f"{t} ({len(nm)})" for t, nm in zip(labs, names_in)]
    handles = [Patch(facecolor=shades[i], edgecolor="#444444", linewidth=0.5) for i in range(ncls)]
    if unrecorded.any():
        handles.append(Patch(facecolor=(0.85, 0.85, 0.85), edgecolor="#444444", linewidth=0.5))
        labs.append(f"Pagu tidak tercatat ({int(unrecorded.sum())})")
    if (~has).any():
        handles.append(Patch(facecolor=(0.96, 0.96, 0.96), edgecolor="#444444", linewidth=0.5))
        labs.append(f"Tanpa program ({int((~has).sum())})")
    order = sorted(range(len(agg)), key=lambda i: (str(agg["name"].iloc[i]).casefold(), str(agg["name"].iloc[i])))
    # the kecamatan's numbers of the whole album (Peta Administrasi numbers the same; review s8)
    numbers = album.kec_numbers() if unit == "kecamatan" else {}
    if not all(str(n) in numbers for n in agg["name"]):
        numbers = {str(agg["name"].iloc[i]): str(k) for k, i in enumerate(order, start=1)}
    rows = []
    for i in order:
        row = agg.iloc[i]
        bits = [str(row["name"])]
        if row["n"] > 0:
            bits.append(f"{_area_pagu(row, fmt)} · {int(row['n'])} program · {row['persen_sesuai']:.0f}% sesuai*")
        else:
            bits.append("tanpa program")
        rows.append((numbers[str(row["name"])], " · ".join(bits)))
    f.add_table(f"Daftar {unit}", rows, more="lihat Buku Matriks")
    rmax, nmax = status_pies(f, agg, fmt, numbers=numbers)
    sh, sl = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(r, "status") if "status" in r.columns else None, order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"))
    capped = sorted(str(n) for n, c in zip(agg["name"], agg["capped"]) if bool(c))
    if capped:  # the dashed ring of a pie capped to fit its area: the size key does not measure it
        sh = [*sh, Patch(facecolor="white", edgecolor="#222222", linestyle=(0, (2.0, 1.2)), linewidth=0.9, gid="pie-capped-key")]
        sl = [*sl, f"Garis putus ({len(capped)}): ukuran dibatasi luas {unit}; nilai tertulis (nomor (jumlah program))"]
    f.add_legend(
        [
            LegendSection(f"Pagu program per {unit} ({fmt[2]})", handles, labs),
            LegendSection("Proporsi status kesesuaian (lingkaran)", sh, sl),
            album.admin_section(solid="#444444", unit=unit),
        ]
    )
    outside = int(len(r) - agg["n"].sum())
    how = (
        f"Program dihitung pada {unit} yang tercatat untuknya (kolom {unit} lapisan rencana, sama dengan Buku Matriks)"
        if agg.attrs.get("by_column") else f"Program dihitung pada {unit} tempat titik representatif lokasinya berada"
    )
    kind = "satu nilai" if single else "pengelompokan alami (natural breaks), batas dibulatkan"
    note = (
        f"Luas lingkaran sebanding dengan jumlah program. * sesuai = sesuai + sesuai bersyarat. {how}"
        + (f"; {outside} program tanpa {unit}" if outside else "") + f". Kelas pagu: {kind}."
    )
    f.data = {"pagu": dict(zip(agg["name"], agg["pagu"])), "n": dict(zip(agg["name"], agg["n"])), "classes": ranges, "class_of": dict(zip(agg["name"], cls)), "divisor": div,
              "pies_capped": capped}
    page = album.finish(f, note=note, shows=("rencana", "kecamatan"))
    circle_size_key(album, page, rmax, nmax)
    return page
