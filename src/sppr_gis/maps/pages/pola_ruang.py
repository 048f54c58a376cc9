"""Album page: pola ruang (zoning) with the full palette, the ITBX key and the zone codes in large blocks."""

from __future__ import annotations

import logging
import math
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    MIN_PT,
    MapFrame,
)
from sppr_gis.maps.cartography.common import TextHalo  # noqa: E402
from sppr_gis.maps.pages.base import BUDI_DAYA, LINDUNG, Album  # noqa: E402
from sppr_gis.maps.pages.spots import _code_spots, _data_box, _inscribed_circle  # noqa: E402,F401

log = logging.getLogger(__name__)


def page_zoning(album: Album) -> MapFrame | None:
    z = album.L.get("zoning")
    if z is None:
        return None
    ncodes = len(album.zone_colors)
    f = album.frame("Peta Rencana Pola Ruang (Zonasi)", f"{ncodes} kode zona/subzona; kode pada peta = kolom matriks ITBX" if ncodes else None)
    album.city_extent(f)
    album.zoning(f, 1.0)
    album.zoning_page = album.number
    # the zones' names win on the zoning map: printed first; the kecamatan names after them, smaller and lighter,
    # inside their kecamatan and clear of the zone names, else left to Peta 1 (which names every kecamatan)
    album.admin(f, labels=False)
    zone_codes(album, f)
    dropped = kec_names_after_zones(album, f)
    groups = album.zone_groups()
    secs = []
    for group, title in ((LINDUNG, "Zona Lindung"), (BUDI_DAYA, "Zona Budi Daya")):
        sec = album.zone_section(1.0, used={c for c, g in groups.items() if g == group}, whole=True)
        if sec is not None:
            sec.title = title
            # the key keeps whole names: wrapped in two columns rather than cut
            sec.short_labels = [textwrap.fill(t, 27) for t in sec.labels]
            secs.append(sec)
    f.add_legend([s for s in [*secs, album.admin_section()] if s])
    note = (
        "Kode zona dicetak pada blok zona yang cukup besar; kode yang sama dipakai sebagai kolom matriks ITBX (I/T/B/X) dalam Buku Matriks. "
        "Nama zona menurut data pola ruang (Perda)."
    )
    if dropped:
        note += f" Nama {dropped} kecamatan tidak dicetak agar tidak menutupi nama zona; nama semua kecamatan pada Peta Administrasi."
    return album.finish(f, note=note, shows=("zoning", "kecamatan"))


class _Boxes:
    """Display boxes already on the map (names, codes), tested for overlap as :meth:`Bbox.overlaps` does, all at once."""

    def __init__(self, boxes: Any = ()) -> None:
        self.a = np.empty((64, 4))
        self.n = 0
        for b in boxes:
            self.add(b)

    def add(self, bb: Any) -> None:
        if self.n == len(self.a):
            self.a = np.concatenate([self.a, np.empty_like(self.a)])
        x0, y0, x1, y1 = bb.extents
        self.a[self.n] = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.n += 1

    def hits(self, bb: Any) -> bool:
        """Whether ``bb`` overlaps (touching counts) any box."""
        x0, y0, x1, y1 = bb.extents
        x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        q = self.a[: self.n]
        return bool(((x0 <= q[:, 2]) & (q[:, 0] <= x1) & (y0 <= q[:, 3]) & (q[:, 1] <= y1)).any())


def kec_names_after_zones(album: Album, frame: MapFrame) -> int:
    """The kecamatan names on the zoning map, after the zone names: 7 pt italic grey, each wholly inside its
    kecamatan and clear of every text already printed; returns how many did not fit (left out)."""
    from sppr_gis.maps.pages.administrasi import names_or_numbers

    kec = album.L.get("kecamatan")
    if kec is None or not album.kec_field:
        return 0
    ok = kec[~(kec.geometry.isna() | kec.geometry.is_empty)]
    names = ok[album.kec_field].astype(str).tolist()
    first = list(dict.fromkeys(names))
    geoms = overlay.make_valid(np.asarray(ok.geometry.array, dtype=object), what="kecamatan")
    whole = [shapely.union_all([g for g, n in zip(geoms, names) if n == k]) for k in first]
    res = names_or_numbers(frame.ax, whole, [n.upper() for n in first], fontsize=MIN_PT, min_fontsize=MIN_PT, color="#4a4a4a", style="italic", weight="normal", number=False)
    return sum(1 for r in res if r == "")


def zone_codes(album: Album, frame: MapFrame) -> int:
    """Zone codes printed inside the zone blocks large enough to hold them, then every other code drawn on the
    map once (see :func:`_label_missing_codes`); returns how many labels."""
    z = album.L.get("zoning")
    if z is None or not album.zfield:
        return 0
    ok = z[z[album.zfield].notna() & ~(z.geometry.isna() | z.geometry.is_empty)]
    if not len(ok):
        return 0
    fs = max(MIN_PT, 6 * frame.k)
    mpp = (frame.ax.get_xlim()[1] - frame.ax.get_xlim()[0]) / (frame.ax.get_window_extent().width * 72.0 / frame.fig.dpi)
    codes = ok[album.zfield].astype(str).to_numpy()
    half_h = fs * 0.7 * mpp
    geoms = overlay.make_valid(np.asarray(ok.geometry.array, dtype=object), what="zoning")
    # cheap first cut: the bounding box must be large enough
    b = shapely.bounds(geoms)
    cand = np.flatnonzero(np.minimum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) >= 2 * half_h * 0.8)
    renderer = frame.fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in frame.ax.texts if t.get_visible() and t.get_text()]
    labelled: set[str] = set()
    n = 0
    sizes: dict[str, tuple[float, float]] = {}  # each code's box as printed (half width, half height; map units)
    x0, x1 = frame.ax.get_xlim()
    y0, y1 = frame.ax.get_ylim()
    view = _label_area(album, shapely.box(x0, y0, x1, y1))
    taken_data = [_data_box(frame.ax, q).bounds for q in taken]
    boxes = _Boxes(taken)
    for i in cand:
        rgb = album.zone_colors.get(codes[i], (200, 200, 200))
        dark = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 110
        style = {"ha": "center", "va": "center", "fontsize": fs, "fontweight": "bold", "color": "white" if dark else "#1a1a1a", "zorder": 4,
                 "path_effects": [TextHalo(linewidth=1.6, foreground=(0.1, 0.1, 0.1, 0.6) if dark else (1, 1, 1, 0.7))], "gid": "zone-code"}
        if codes[i] not in sizes:
            probe = frame.ax.text(0, 0, codes[i], **style)
            bb = probe.get_window_extent(renderer)
            probe.remove()
            sizes[codes[i]] = (bb.width / 2 * 72.0 / frame.fig.dpi * mpp, bb.height / 2 * 72.0 / frame.fig.dpi * mpp)
        hw, hh = sizes[codes[i]]
        # every block (part) of the zone in view that can hold the code gets it
        g = geoms[i]
        if not shapely.contains(view, g):
            g = shapely.intersection(g, view)
        for part in shapely.get_parts(g):
            if shapely.get_type_id(part) != 3:
                continue
            gb = part.bounds
            if gb[2] - gb[0] < 2 * hw or gb[3] - gb[1] < 2 * hh:  # the block's box cannot hold the code's
                continue
            t = None
            for cx, cy in _code_spots(part, hw, hh, max(half_h / 2, 0.5), taken=taken_data):
                t = frame.ax.text(cx, cy, codes[i], **style)
                bb = t.get_window_extent(renderer)
                if boxes.hits(bb):  # a kecamatan name is there
                    t.remove()
                    t = None
                    continue
                break
            if t is None:
                continue
            n += 1
            labelled.add(codes[i])
            taken.append(bb)
            boxes.add(bb)
            taken_data.append(_data_box(frame.ax, taken[-1]).bounds)
    return n + _label_missing_codes(album, frame, codes, geoms, labelled, boxes, mpp)


def _label_area(album: Album, view: Any) -> Any:
    """Where zone names may go: the map's view within the administrative area (a zone reaching beyond the
    city is named on its part inside), the view alone without a boundary layer."""
    area = album.admin_area()
    if area is None:
        return view
    inside = shapely.intersection(view, area)
    return view if inside.is_empty else inside


def _two_line(code: str) -> str:
    """``RTH-1`` as ``RTH`` over ``1`` (a code without a hyphen stays on one line)."""
    head, sep, tail = code.partition("-")
    return f"{head}\n{tail}" if sep and head and tail else code


def _forms(code: str) -> list[str]:
    """The ways a zone's code or name may be printed: on one line, ``RTH`` over ``1``, a name of several words
    wrapped to two or three short lines."""
    out = [code, _two_line(code)]
    if " " in code.strip():
        out += [textwrap.fill(code, w) for w in (max(len(code) // 2 + 1, 8), max(len(code) // 3 + 1, 8))]
    return list(dict.fromkeys(out))


def _label_missing_codes(album: Album, frame: MapFrame, codes: np.ndarray, geoms: np.ndarray, labelled: set[str], taken: _Boxes, mpp: float) -> int:
    """Label once every zone code drawn on the map that no block could hold at the usual size: in its largest
    part within the frame, on one line or as two lines (``RTH`` over ``1``), at 7 pt; the first place
    (largest part first) where the label fits the part's inscribed circle and hides no name, else the
    centre of the largest part where it hides no name, else the largest part's centre. Returns how many
    codes were added."""
    renderer = frame.fig.canvas.get_renderer()
    x0, x1 = frame.ax.get_xlim()
    y0, y1 = frame.ax.get_ylim()
    view = _label_area(album, shapely.box(x0, y0, x1, y1))
    parts: dict[str, list[Any]] = {}
    for code, g in zip(codes, geoms):
        if code in labelled or g is None or g.is_empty:
            continue
        for part in shapely.get_parts(shapely.intersection(g, view)):
            if shapely.get_type_id(part) == 3 and part.area > 0:
                parts.setdefault(code, []).append(part)
    added = 0
    fs = MIN_PT
    for code, ps in sorted(parts.items()):
        ps.sort(key=lambda p: -p.area)
        rgb = album.zone_colors.get(code, (200, 200, 200))
        dark = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 110
        style = {"ha": "center", "va": "center", "fontsize": fs, "fontweight": "bold", "color": "white" if dark else "#1a1a1a", "zorder": 4, "linespacing": 0.95,
                 "path_effects": [TextHalo(linewidth=1.6, foreground=(0.1, 0.1, 0.1, 0.6) if dark else (1, 1, 1, 0.7))], "gid": "zone-code"}
        placed = None
        first = None
        centres: list[tuple[tuple[float, float], Any]] = []
        for part in ps[:8]:
            try:
                (cx, cy), radius = _inscribed_circle(part, max(fs * 0.35 * mpp, 0.5))
            except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
                continue
            first = first or (cx, cy)
            centres.append(((cx, cy), part))
            for text in _forms(code):
                lines = text.split("\n")
                half_w = (max(len(ln) for ln in lines) * 0.62 * fs + 2) / 2 * mpp
                half_h = len(lines) * fs * 0.6 * mpp
                if radius < np.hypot(half_w, half_h):
                    continue
                t = frame.ax.text(cx, cy, text, **style)
                if taken.hits(t.get_window_extent(renderer)):
                    t.remove()
                    continue
                placed = t
                break
            if placed is not None:
                break
        if placed is None and first is not None:  # too small for any form: the most compact form at the centre of the
            small = min(_forms(code), key=lambda t: max(len(ln) for ln in t.split("\n")) * (t.count("\n") + 1))
            inv = frame.ax.transData.inverted()
            # at a part's centre: inside the part, or (a short code such as "RTH" over "1") over its edge but in
            # the city; else a name beside the largest part with a leader
            short = max(len(ln) for ln in small.split("\n")) <= 6
            for xy, part in centres:
                placed = frame.ax.text(*xy, small, **style)
                bb = placed.get_window_extent(renderer)
                (bx0, by0), (bx1, by1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
                box = shapely.box(bx0, by0, bx1, by1)
                if not taken.hits(bb) and (shapely.contains(part, box) or (short and shapely.contains(view, box))):
                    break
                placed.remove()
                placed = None
            if placed is None:
                placed = _beside(frame, first, min(_forms(code), key=lambda t: max(len(ln) for ln in t.split("\n")) * (t.count("\n") + 1)), style, taken, view, mpp)
            if placed is None:
                placed = frame.ax.text(*first, _two_line(code), **style)
        if placed is not None:
            taken.add(placed.get_window_extent(renderer))
            labelled.add(code)
            added += 1
    return added


def _beside(frame: MapFrame, xy: tuple[float, float], text: str, style: dict, taken: _Boxes, area: Any, mpp: float) -> Any:
    """A label too large for its zone, set beside it: the nearest place on rings around ``xy`` (steps of the
    label's height) where its box lies within ``area`` (the city) and meets no text already printed, tied to
    ``xy`` by a thin leader; None when no ring within twelve steps has room."""
    renderer = frame.fig.canvas.get_renderer()
    t = frame.ax.text(*xy, text, **style)
    bb = t.get_window_extent(renderer)
    step = bb.height * 72.0 / frame.fig.dpi * mpp
    inv = frame.ax.transData.inverted()
    for ring in range(1, 13):
        for k in range(8 + 4 * ring):
            a = 2 * math.pi * k / (8 + 4 * ring)
            p = (xy[0] + ring * step * math.cos(a), xy[1] + ring * step * math.sin(a))
            t.set_position(p)
            bb = t.get_window_extent(renderer)
            (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
            if taken.hits(bb) or not shapely.contains(area, shapely.box(x0, y0, x1, y1)):
                continue
            # the leader from the zone to the label's nearest edge
            ex, ey = min(max(xy[0], x0), x1), min(max(xy[1], y0), y1)
            frame.ax.plot([xy[0], ex], [xy[1], ey], color="#1a1a1a", linewidth=0.5, zorder=3.9, gid="zone-leader")
            return t
    t.remove()
    return None
