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
from sppr_gis.maps.cartography.common import Note, TextHalo  # noqa: E402
from sppr_gis.maps.cartography.labels import _reserved, _seg_box, _seg_cross  # noqa: E402
from sppr_gis.maps.pages.base import BUDI_DAYA, LINDUNG, Album  # noqa: E402
from sppr_gis.maps.pages.spots import _code_spots, _data_box, _inscribed_circle  # noqa: E402,F401

log = logging.getLogger(__name__)


def page_zoning(album: Album) -> MapFrame | None:
    z = album.L.get("zoning")
    if z is None:
        return None
    ncodes = len(album.zone_colors)
    named = zone_codes_are_names(album)  # the zoning's "codes" are its names (Kota Bandung: NAMOBJ): say so
    what = "nama" if named else "kode"
    f = album.frame("Peta Rencana Pola Ruang (Zonasi)", (f"{ncodes} zona/subzona; nama zona pada peta = kolom matriks ITBX" if named else
                                                          f"{ncodes} kode zona/subzona; kode pada peta = kolom matriks ITBX") if ncodes else None)
    album.city_extent(f, drawn={})  # no program drawn: none noted
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
    box_note = " (dalam kotak putih bila {w}nya berdiri di atas zona lain)"
    if named:
        note = (
            "Nama zona dicetak di dalam blok zonanya; blok yang terlalu kecil untuk namanya diberi nama di sampingnya dengan "
            "garis penunjuk" + box_note.format(w="nama") + ". Nama yang sama dipakai sebagai kolom matriks ITBX (I/T/B/X) dalam Buku Matriks. "
            "Nama zona menurut data pola ruang (Perda)."
        )
        short = "Nama zona = kolom matriks ITBX (Buku Matriks); blok kecil diberi nama di sampingnya dengan garis penunjuk."
    else:
        note = (
            "Kode zona dicetak di dalam blok zonanya; blok yang terlalu kecil untuk kodenya diberi kode di sampingnya dengan "
            "garis penunjuk" + box_note.format(w="kode") + ". Kode yang sama dipakai sebagai kolom matriks ITBX (I/T/B/X) dalam Buku Matriks. "
            "Nama zona menurut data pola ruang (Perda)."
        )
        # its short form, printed under the map when the full one would take the legend's room (A4): every code without
        # a code on the map is still named, without the counts
        short = "Kode zona = kolom matriks ITBX (Buku Matriks); blok kecil diberi kode di sampingnya dengan garis penunjuk. Nama zona menurut Perda."
    repeated = int(f.data.get("zone_repeated") or 0)
    if repeated:  # names repeated sparingly (review s9: "Kawasan Pertanian" seven times on Bandung's Peta 2)
        tail = (f" Nama yang sama tidak diulang dalam jarak {REPEAT_MM:g} mm dari nama yang sudah dicetak: {repeated} blok tanpa nama "
                "di dekat blok bernama sama, dikenali dari warnanya.")
        note += tail
        short += tail
    keyed = f.data.get("zone_keyed") or {}
    if keyed:
        note += " " + keyed_note(keyed, what=what)
        short += " " + keyed_note(keyed, why=f"terlalu sempit, atau tanpa tempat bebas dalam {LEADER_MAX_MM:g} mm; dikenali dari warnanya", what=what)
    if dropped:
        tail = f" Nama {dropped} kecamatan tidak dicetak agar tidak menutupi nama zona; nama semua kecamatan pada Peta Administrasi."
        note += tail
        short += tail
    return album.finish(f, note=Note(note, short), shows=("zoning", "kecamatan"))


def keyed_note(keyed: dict[str, int], why: str | None = None, what: str = "kode") -> str:
    """The note that names the zone blocks left without a code on the map, per code, the most numerous first: every
    code (review s7: '15 blok kode lain' left the reader to guess which), each block without its code (too narrow for
    a leader: a road body, a sliver; or too small for its code with no free place within :data:`LEADER_MAX_MM`). Codes with as many blocks share one count ('2 blok masing-masing K-2, RTH-7'): a city of many codes keeps
    its note short enough to leave the legend room beside the map.

    Parameters
    ----------
    keyed : dict of str to int
        Zone code -> blocks without a code (``frame.data["zone_keyed"]``, :func:`zone_codes`).
    why : str, optional
        The reason in brackets (shorter in the note's short form, printed under the map on A4); by default the block is
        too narrow for a leader, or has no free place for its ``what`` within :data:`LEADER_MAX_MM`.
    what : str
        What the map prints for a zone: "kode", or "nama" where the zoning's codes are its names
        (:func:`zone_codes_are_names`).

    Returns
    -------
    str
        One sentence in Bahasa Indonesia.

    >>> keyed_note({"BJ": 24, "RTH-3": 2, "R-4": 2, "K-1": 1})
    'Tanpa kode di peta (blok terlalu sempit untuk garis penunjuk, atau tanpa tempat bebas untuk kodenya dalam 12 mm; dikenali dari warnanya pada legenda): 24 blok BJ; 2 blok masing-masing R-4, RTH-3; 1 blok K-1.'
    """
    groups: dict[int, list[str]] = {}
    for code, n in sorted(keyed.items(), key=lambda kv: (-kv[1], kv[0])):
        groups.setdefault(n, []).append(code)
    parts = [f"{n} blok {codes[0]}" if len(codes) == 1 else f"{n} blok masing-masing {', '.join(codes)}" for n, codes in groups.items()]
    if why is None:
        why = f"blok terlalu sempit untuk garis penunjuk, atau tanpa tempat bebas untuk {what}nya dalam {LEADER_MAX_MM:g} mm; dikenali dari warnanya pada legenda"
    return f"Tanpa {what} di peta ({why}): " + "; ".join(parts) + "."


#: The least distance (mm at print size) between two prints of one zone name (where the codes are names): a name is
#: not repeated on a block nearer than this to where it stands already (review s9, Kota Bandung Peta 2: "Kawasan
#: Pertanian" seven times, five of them within 3 km).
REPEAT_MM = 50.0


def zone_codes_are_names(album: Album) -> bool:
    """Whether the zoning's codes are its names (:meth:`Album.zone_codes_are_names`).

    Parameters
    ----------
    album : Album
        The album (its zone codes and their Perda names).

    Returns
    -------
    bool
        True where what the pola ruang map prints for a zone is its name.
    """
    return album.zone_codes_are_names()


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
    # clear of the zone codes' leaders too (a name over a leader reads as crossed out)
    leaders = [shapely.LineString(np.asarray(ln.get_xydata(), dtype=float)) for ln in frame.ax.lines if ln.get_gid() == "zone-leader"]
    res = names_or_numbers(frame.ax, whole, [n.upper() for n in first], fontsize=MIN_PT, min_fontsize=MIN_PT, color="#4a4a4a", style="italic", weight="normal", number=False,
                           avoid=leaders)
    return sum(1 for r in res if r == "")


#: The least distance (points at print size) between a zone code's printed box and the edge of its block: the code,
#: its halo and the zone's outline stay within the block.
CODE_MARGIN_PT = 0.5


def zone_codes(album: Album, frame: MapFrame) -> int:
    """Zone codes printed wholly inside their zone blocks; returns how many labels.

    A block is a part of a zone as the map shows it: within the frame and the city, less the zones drawn over it
    (where the layer overlaps itself). Every block gets the first form of its code whose printed box (measured
    from the rendered text) fits in it :data:`CODE_MARGIN_PT` inside its edge and clear of the names already on
    the map: the code on one line at the page's size, then at 7 pt (a name of several words also wrapped at its
    spaces; a code is never broken at its hyphen). A block that holds no form gets its code beside it with a short
    leader into it (:func:`_leader_labels`: on a clear spot, else in a white box over another zone); a block too
    narrow for a leader (a strip, a speck), or with no room within :data:`LEADER_MAX_MM`, is keyed:
    ``frame.data["zone_keyed"]`` counts them per code for the map's note (their colour in the legend names them).
    """
    z = album.L.get("zoning")
    if z is None or not album.zfield:
        return 0
    ok = (z[album.zfield].notna() & ~(z.geometry.isna() | z.geometry.is_empty)).to_numpy()
    if not ok.any():
        return 0
    fs = max(MIN_PT, 6 * frame.k)
    ax, fig = frame.ax, frame.fig
    mpp = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent().width * 72.0 / fig.dpi)
    margin = CODE_MARGIN_PT * mpp
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = _label_area(album, shapely.box(x0, y0, x1, y1))
    # every row as drawn (draw_zoning fills them in order: a later row covers an earlier one)
    drawn = np.asarray(z.geometry.array, dtype=object)
    has = ~(shapely.is_missing(drawn) | shapely.is_empty(drawn))
    drawn[has] = overlay.make_valid(drawn[has], what="zoning")
    shown = _visible_blocks(drawn, view)
    codes = z[album.zfield].astype(str).to_numpy()
    renderer = fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    taken_data = [_data_box(ax, q).bounds for q in taken]
    boxes = _Boxes(taken)
    inv = ax.transData.inverted()
    sizes: dict[tuple[str, float], tuple[float, float]] = {}  # (text, size) -> half width, half height as printed (map units)

    def half(text: str, size: float, style: dict) -> tuple[float, float]:
        if (text, size) not in sizes:
            probe = ax.text(0, 0, text, **{**style, "fontsize": size})
            bb = probe.get_window_extent(renderer)
            probe.remove()
            sizes[text, size] = (bb.width / 2 * 72.0 / fig.dpi * mpp, bb.height / 2 * 72.0 / fig.dpi * mpp)
        return sizes[text, size]

    labelled: set[str] = set()
    # where the codes are names, a name stands at most once within REPEAT_MM (review s9): code -> where it stands
    at: dict[str, list[Any]] | None = {} if zone_codes_are_names(album) else None
    apart = REPEAT_MM * 72.0 / 25.4 * mpp
    repeated = 0
    pending: list[tuple[str, Any]] = []  # (code, block): the blocks no form of their code fits in, for a leader label
    parts_of: dict[str, list[Any]] = {}  # code -> its blocks: a label beside a block keeps off all of them
    n = 0
    for i in np.flatnonzero(ok):
        g = shown[i]
        if g is None or g.is_empty:
            continue
        code = codes[i]
        style = _code_style(album, code)
        forms = _code_forms(code, fs)
        for part in shapely.get_parts(g):
            if shapely.get_type_id(part) != 3 or part.area <= 0:
                continue
            parts_of.setdefault(code, []).append(part)
            if at is not None and at.get(code) and float(shapely.distance(part, shapely.multipoints(at[code]))) < apart:
                repeated += 1  # its name stands near: the block is known by its colour
                continue
            pb = part.bounds
            circle: Any = None
            t = None
            for text, size in forms:
                hw, hh = half(text, size, style)
                hw, hh = hw + margin, hh + margin
                if pb[2] - pb[0] < 2 * hw or pb[3] - pb[1] < 2 * hh or part.area < 4 * hw * hh:  # the block cannot hold the code's box
                    continue
                if circle is None:
                    try:
                        circle = _inscribed_circle(part, max(min(hw, hh) / 4, 0.5))
                    except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
                        break
                if circle[1] + max(min(hw, hh) / 4, 0.5) < min(hw, hh):  # (the radius is found within that tolerance)
                    continue
                for cx, cy in _code_spots(part, hw, hh, max(min(hw, hh) / 4, 0.5), taken=taken_data, circle=circle):
                    t = ax.text(cx, cy, text, **{**style, "fontsize": size})
                    bb = t.get_window_extent(renderer)
                    (bx0, by0), (bx1, by1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
                    inner = 0.999 * margin  # the rendered box, checked (the measured size is the probe's)
                    if boxes.hits(bb) or not shapely.contains(part, shapely.box(min(bx0, bx1) - inner, min(by0, by1) - inner, max(bx0, bx1) + inner, max(by0, by1) + inner)):
                        t.remove()
                        t = None
                        continue
                    break
                if t is not None:
                    break
            if t is None:
                pending.append((code, part))
                continue
            n += 1
            labelled.add(code)
            if at is not None:
                at.setdefault(code, []).append(_data_box(ax, bb).centroid)
            taken.append(bb)
            boxes.add(bb)
            taken_data.append(_data_box(ax, bb).bounds)
    # a label beside its block stands within the map, clear of the boxes kept free (the inset), on its own code's
    # zones or on the background beyond the zoning (outside the city: its leader says which block it names), never on
    # a block of another code (review s7)
    reserved = [_data_box(ax, q).bounds for q in _reserved(ax)]
    # and of the lower corners, where the scale bar goes when the page is finished (add_scale_bar: a bar of at most a
    # quarter of the map's width 3.5 % in from the side, 4 % up, in a white box about 10 % of the height tall)
    w, h = x1 - x0, y1 - y0
    reserved += [(x0, y0, x0 + 0.32 * w, y0 + 0.12 * h), (x1 - 0.32 * w, y0, x1, y0 + 0.12 * h)]
    # a label beside its block stands on no block of another code (review s7: 'R-4' over an RTH-1 block): the zones as
    # drawn, every row (a row drawn over another covers it), in the frame and beyond the city
    frame_box = shapely.box(x0, y0, x1, y1)
    near = has & shapely.intersects(drawn, frame_box)
    zones = _DrawnZones(drawn[near], codes[near])
    added, keyed = _leader_labels(album, frame, pending, labelled, boxes, taken_data + reserved, frame_box, mpp, parts_of, zones=zones,
                                  blocks=_Blocks(parts_of), apart=(at, apart) if at is not None else None)
    frame.data["zone_keyed"] = keyed
    frame.data["zone_repeated"] = repeated + int(frame.data.pop("zone_repeated_beside", 0))
    return n + added


class _DrawnZones:
    """The zone polygons as drawn on the map (every row, valid) and their codes, for the test whether a label's box
    stands on a zone of another code (:meth:`foreign`)."""

    def __init__(self, geoms: np.ndarray, codes: np.ndarray) -> None:
        self.geoms = np.asarray(geoms, dtype=object)
        self.codes = np.asarray(codes, dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def foreign(self, boxes: np.ndarray, code: str) -> np.ndarray:
        """Which of ``boxes`` ((n, 4) x0, y0, x1, y1, map units) meet a drawn zone whose code is not ``code`` (a row
        of ``code`` drawn under another code's row is covered by it: that row meets the box too)."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        out = np.zeros(len(boxes), dtype=bool)
        if not len(boxes) or not len(self.geoms):
            return out
        a, b = self.tree.query(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]), predicate="intersects")
        other = self.codes[b] != code
        out[a[other]] = True
        return out


#: The share of another code's block a code's box set beside its own block may cover at most (:meth:`_Blocks.smothers`).
SMOTHER_SHARE = 0.4


class _Blocks:
    """The zone blocks as the map shows them (each row less the rows drawn over it, within the city and the frame) and
    their codes, for counting the blocks of other codes a leader crosses (:meth:`crossed`)."""

    def __init__(self, parts_of: dict[str, list[Any]]) -> None:
        self.geoms = np.asarray([g for ps in parts_of.values() for g in ps], dtype=object)
        self.codes = np.asarray([c for c, ps in parts_of.items() for _ in ps], dtype=object)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None

    def crossed(self, segs: np.ndarray, pads: np.ndarray, code: str) -> np.ndarray:
        """Per leader of ``segs`` ((n, 4) x0, y0, x1, y1), how many blocks of a code other than ``code`` it meets,
        leaving out those its label's box (``pads``, (n, 4)) stands on: a leader entering the zone its label is set on
        to reach it crosses nothing; one running over a third block reads as pointing at it (review s8)."""
        segs = np.asarray(segs, dtype=float).reshape(-1, 4)
        out = np.zeros(len(segs), dtype=int)
        if self.tree is None or not len(segs):
            return out
        lines = shapely.linestrings(np.stack([segs[:, :2], segs[:, 2:]], axis=1))
        a, b = self.tree.query(lines, predicate="intersects")
        other = self.codes[b] != code
        a, b = a[other], b[other]
        if len(a):
            pads = np.asarray(pads, dtype=float).reshape(-1, 4)[a]
            under = shapely.intersects(self.geoms[b], shapely.box(pads[:, 0], pads[:, 1], pads[:, 2], pads[:, 3]))
            a = a[~under]
        return np.bincount(a, minlength=len(segs))[: len(segs)]


    def smothers(self, pads: np.ndarray, code: str, share: float = SMOTHER_SHARE) -> np.ndarray:
        """Per box of ``pads`` ((n, 4)), whether it covers ``share`` or more of a block of a code other than ``code``: a
        code set there reads as that block's (review s9, sample A4 Peta 2: a white 'R-3' box on 97 % of an RTH-1 block
        left without its code)."""
        pads = np.asarray(pads, dtype=float).reshape(-1, 4)
        out = np.zeros(len(pads), dtype=bool)
        if self.tree is None or not len(pads):
            return out
        boxes = shapely.box(pads[:, 0], pads[:, 1], pads[:, 2], pads[:, 3])
        a, b = self.tree.query(boxes, predicate="intersects")
        other = self.codes[b] != code
        a, b = a[other], b[other]
        if len(a):
            g = self.geoms[b]
            covered = shapely.area(shapely.intersection(g, boxes[a])) >= share * shapely.area(g)
            out[a[covered]] = True
        return out


def _visible_blocks(geoms: np.ndarray, view: Any) -> np.ndarray:
    """Each zone as the map shows it: within ``view`` (the frame within the city), less the zones drawn over it
    (the later rows of the layer, where it overlaps itself); None for a missing geometry."""
    g = np.asarray(geoms, dtype=object)
    out = np.full(len(g), None, dtype=object)
    idx = np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)))
    if not len(idx):
        return out
    tree = shapely.STRtree(g[idx])
    a, b = tree.query(g[idx], predicate="intersects")
    later = b > a
    a, b = a[later], b[later]
    if len(a):
        inner = shapely.relate_pattern(g[idx[a]], g[idx[b]], "T********")  # interiors meet: one covers part of the other
        a, b = a[inner], b[inner]
    over: dict[int, list[Any]] = {}
    for i, j in zip(a.tolist(), b.tolist()):
        over.setdefault(i, []).append(g[idx[j]])
    shapely.prepare(view)
    for k, i in enumerate(idx):
        geom = g[i]
        if k in over:
            geom = shapely.difference(geom, shapely.union_all(over[k]))
        if not shapely.contains(view, geom):
            geom = shapely.intersection(geom, view)
        out[i] = geom
    return out


def _code_style(album: Album, code: str) -> dict:
    """How a zone's code is printed: bold, white on a dark zone colour, near black on a light one, with a halo."""
    rgb = album.zone_colors.get(code, (200, 200, 200))
    dark = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 110
    return {"ha": "center", "va": "center", "fontweight": "bold", "color": "white" if dark else "#1a1a1a", "zorder": 4, "linespacing": 0.95,
            "path_effects": [TextHalo(linewidth=1.6, foreground=(0.1, 0.1, 0.1, 0.6) if dark else (1, 1, 1, 0.7))], "gid": "zone-code"}


def _code_forms(code: str, fs: float) -> list[tuple[str, float]]:
    """The forms tried for a block, in order: the code on one line at ``fs``, then at 7 pt; then, for a zone named by
    several words, the name wrapped at its spaces (:func:`_forms`) at ``fs`` and at 7 pt. A code is never broken
    (review s8: ``SPU-`` over ``3`` read as two labels): a block that holds none of these gets its code beside it."""
    sizes = list(dict.fromkeys((fs, max(MIN_PT, min(fs, MIN_PT)))))
    rest = _forms(code)[1:]
    return [(code, s) for s in sizes] + [(f, s) for f in rest for s in sizes]


def _label_area(album: Album, view: Any) -> Any:
    """Where zone names may go: the map's view within the administrative area (a zone reaching beyond the
    city is named on its part inside), the view alone without a boundary layer."""
    area = album.admin_area()
    if area is None:
        return view
    inside = shapely.intersection(view, area)
    return view if inside.is_empty else inside


def _forms(code: str) -> list[str]:
    """The ways a zone's code or name may be printed: on one line; a name of several words also wrapped at its spaces
    to two or three short lines. A code is never broken inside a word (``SPU-`` over ``3``, review s8)."""
    out = [code]
    if " " in code.strip():
        # whole words only: "Pertania" over "n" reads as neither
        out += [textwrap.fill(code, w, break_long_words=False, break_on_hyphens=False) for w in (max(len(code) // 2 + 1, 8), max(len(code) // 3 + 1, 8))]
    return list(dict.fromkeys(out))


#: A block narrower than this (the diameter of the largest circle inside it, mm at print size) is a strip or a speck
#: (a road body, a sliver along a river): its colour is all a reader sees of it, a leader into it would point at a line.
#: Such a block takes no leader (unless its code has no other label on the map) and is keyed: counted in the map's note.
LEADER_MIN_MM = 1.0
#: The farthest a leader label stands from the point it names (mm at print size, the leader's length at most).
LEADER_MAX_MM = 12.0
#: The least clearance (points at print size) between a leader label and the texts and leaders already on the map.
LEADER_GAP_PT = 1.0


#: The white box of a code set beside its block over another code's zone: its padding around the text (a fraction of
#: the font size, as matplotlib's ``boxstyle`` pad).
BOX_PAD = 0.15


def _leader_labels(album: Album, frame: MapFrame, pending: list[tuple[str, Any]], labelled: set[str], taken: _Boxes, taken_data: list, view: Any,
                   mpp: float, parts_of: dict[str, list[Any]] | None = None, zones: _DrawnZones | None = None,
                   blocks: _Blocks | None = None, apart: tuple[dict[str, list[Any]], float] | None = None) -> tuple[int, dict[str, int]]:
    """Codes for the blocks :func:`zone_codes` could not label inside: each block at least :data:`LEADER_MIN_MM`
    across gets its code on one line at 7 pt beside it, tied by a leader of at most :data:`LEADER_MAX_MM` to the
    centre of its inscribed circle (:func:`_beside`); a code printed nowhere else gets one at its largest block however
    narrow. The label keeps clear of its own block (it never reads as spilling out of it), of every text and leader
    already on the map and of the leader points of the other blocks that get one; its leader crosses no text and no
    other leader. It stands, best first: on a clear spot (its own code's zones or the background beyond the zoning,
    review s7) with a leader over no block of another code; in a white box over another code's zone (review s8: the
    leader says which block it names, the box keeps it legible on a dark fill) with such a leader; then the same with
    the leader over the fewest other blocks (:meth:`_Blocks.crossed`); off the other blocks of its code where it can
    (there it would read as theirs).

    With ``apart`` (code -> the points where its name stands, and the least distance in map units; where the codes are
    names), a block nearer than that to its name gets no label of its own (a code's first label is always set): they
    are counted in ``frame.data["zone_repeated_beside"]``, not among the blocks left without a label.

    Returns how many labels were added and, per code, the blocks left without one (too narrow, or no room within
    :data:`LEADER_MAX_MM`): the map's note counts them, keyed by their colour in the legend.
    """
    tol = max(0.05 * 72.0 / 25.4 * mpp, 0.5)
    mm = 72.0 / 25.4 * mpp  # map units per mm at print size
    items = []
    for code, part in pending:
        try:
            (cx, cy), r = _inscribed_circle(part, tol)
        except shapely.errors.GEOSException:  # pragma: no cover - a polygon GEOS cannot handle
            p = part.representative_point()
            (cx, cy), r = (p.x, p.y), 0.0
        if not shapely.contains_xy(part, cx, cy):  # pragma: no cover - the circle's centre lies in the block
            p = part.representative_point()
            cx, cy = p.x, p.y
        items.append((code, part, (cx, cy), 2 * r / mm))
    # a code with no label yet first (at its largest block: else it is not on the map at all), then the blocks wide
    # enough for a leader, largest first (they take the nearest places)
    first: dict[str, int] = {}
    for k, (code, part, _, _) in enumerate(items):
        if code not in labelled and (code not in first or part.area > items[first[code]][1].area):
            first[code] = k
    first_of = set(first.values())
    order = sorted(first.values(), key=lambda k: items[k][0]) + sorted(
        (k for k, it in enumerate(items) if it[3] >= LEADER_MIN_MM and k not in first.values()), key=lambda k: -items[k][1].area)
    # the leader points of the blocks that get a leader (a narrow block's point may be covered: it takes none)
    pts = np.asarray([it[2] for it in items], dtype=float).reshape(-1, 2)
    ordered = np.zeros(len(items), dtype=bool)
    ordered[order] = True
    # "centres": code -> the middle halves of its labels set beside a block: a block of the code holding one has its code
    st: dict[str, Any] = {"leaders": np.zeros((0, 4)), "done": np.zeros(len(items), dtype=bool), "added": 0, "centres": {}, "repeated": 0}
    same: dict[str, Any] = {}  # code -> its blocks as one geometry (prepared), built when first needed
    renderer = frame.fig.canvas.get_renderer()
    boxpad = BOX_PAD * MIN_PT * frame.fig.dpi / 72.0  # the white box's padding, display units

    def place(k: int, alone: bool = False) -> bool:
        """Item ``k``'s label beside its block; whether it found a place. ``alone``: the code has no other label
        (it may touch other texts, never cross them)."""
        code, part, xy, _ = items[k]
        if st["done"][k]:
            return False
        if apart is not None and apart[0].get(code) and float(shapely.distance(part, shapely.multipoints(apart[0][code]))) < apart[1]:
            st["done"][k] = True  # its name stands near (review s9): known by its colour
            st["repeated"] += 1
            return False
        if any(shapely.contains(part, c) for c in st["centres"].get(code, ())):  # a label of its code stands on it already
            st["done"][k] = True
            return False
        mask = ordered.copy()
        mask[k] = False
        others = pts[mask]
        if code not in same:
            same[code] = shapely.union_all([part, *(parts_of or {}).get(code, [])])
            shapely.prepare(same[code])
        # near black on a white halo (in a white box over another code's zone): beside its block it stands on another
        # colour
        style = {**_code_style(album, code), "fontsize": MIN_PT, "color": "#1a1a1a", "path_effects": [TextHalo(linewidth=1.6, foreground=(1, 1, 1, 0.85))]}
        # its forms, the most compact first ('Kawasan Pertanian' on one line, then over two: narrower, it finds room
        # where the line does not)
        forms = sorted(_forms(code), key=lambda t: max(len(ln) for ln in t.split("\n")) * (t.count("\n") + 1))
        placed = None
        for gap_pt in (LEADER_GAP_PT, 0.0):  # then touching the other texts' halos (never on them)
            for form in forms:
                placed = _beside(frame, xy, form, style, taken_data, st["leaders"], others, own=part, same=same[code], area=view, mpp=mpp,
                                 gap_pt=gap_pt, zones=zones, blocks=blocks, code=code)
                if placed is not None:
                    break
            if placed is not None:
                break
        if placed is None:
            return False
        t, seg = placed
        if apart is not None and apart[0].get(code):
            c = _data_box(frame.ax, t.get_window_extent(renderer)).centroid
            if float(shapely.distance(c, shapely.multipoints(apart[0][code]))) < apart[1]:
                # set beside, farther from its block, the name came nearer than REPEAT_MM to where it stands already
                # (a block kept clear of another code's block looks farther): not printed again, known by its colour
                t.remove()
                leader = [ln for ln in frame.ax.lines if ln.get_gid() == "zone-leader"]
                if leader:
                    leader[-1].remove()
                st["done"][k] = True
                st["repeated"] += 1
                return False
        bb = t.get_window_extent(renderer).padded(boxpad)  # with its box (or halo)
        taken.add(bb)
        box = _data_box(frame.ax, bb)
        taken_data.append(box.bounds)
        st["leaders"] = np.vstack([st["leaders"], seg])
        labelled.add(code)
        st["done"][k] = True
        st["added"] += 1
        # its middle half (a block holding it has the label on it, not only its edge)
        bx0, by0, bx1, by1 = box.bounds
        qx, qy = (bx1 - bx0) / 4, (by1 - by0) / 4
        st["centres"].setdefault(code, []).append(shapely.box(bx0 + qx, by0 + qy, bx1 - qx, by1 - qy))
        if apart is not None:
            apart[0].setdefault(code, []).append(box.centroid)
        return True

    # the codes with no other label first, each at its largest block, else at another of its blocks (the one near the
    # city's edge may have room)
    head = [k for k in order if k in first_of]
    for k in head:
        if not place(k, alone=True):
            code = items[k][0]
            for j in sorted((j for j, it in enumerate(items) if it[0] == code and j != k), key=lambda j: -items[j][1].area):
                if place(j, alone=True):
                    break
    for k in order:
        if k not in first_of:
            place(k)
    done, added = st["done"], st["added"]
    frame.data["zone_repeated_beside"] = st["repeated"]
    centres = st["centres"]
    # a block a label of its code stands on (set beside another block of the code) has its code on the map
    for k in np.flatnonzero(~done):
        code, part = items[k][0], items[k][1]
        if any(shapely.contains(part, c) for c in centres.get(code, ())):
            done[k] = True
    keyed: dict[str, int] = {}
    for k in np.flatnonzero(~done):
        keyed[items[k][0]] = keyed.get(items[k][0], 0) + 1
    for code in sorted(keyed):
        log.debug("kode zona %s: %d blok terlalu sempit atau tanpa tempat untuk garis penunjuk: dikenali dari warnanya", code, keyed[code])
    return added, dict(sorted(keyed.items()))


def _beside(frame: MapFrame, xy: tuple[float, float], text: str, style: dict, taken: list, leaders: np.ndarray, anchors: np.ndarray, own: Any,
            area: Any, mpp: float, same: Any = None, reach: float = LEADER_MAX_MM, gap_pt: float = LEADER_GAP_PT,
            zones: _DrawnZones | None = None, blocks: _Blocks | None = None, code: str | None = None) -> tuple[Any, np.ndarray] | None:
    """A label too large for its block, set beside it, its leader from ``xy`` to the box's nearest edge at least 4 pt
    and at most ``reach`` mm long. Candidates stand on rings around ``xy`` (steps of the label's height); each keeps
    within ``area`` (the map), off ``own`` (its block), off every box of ``taken`` (data bounds of the texts on the map)
    and every segment of ``leaders`` ((n, 4) x0, y0, x1, y1), holds no point of ``anchors`` (the other blocks' leader
    points), all with ``gap_pt`` points and the box's padding (:data:`BOX_PAD`) to spare; its leader meets no text
    box and crosses no leader.

    Of those, the first of, in order: a leader over no block of another code (``blocks``, :meth:`_Blocks.crossed`)
    before one over some (the fewest); the box on no zone of another code (``zones``, :meth:`_DrawnZones.foreign`)
    before one over it, which is then set in a white box; off ``same`` (the other blocks of its code) before on them;
    the shortest leader. Returns the text and its leader segment (drawn), or None."""
    ax, fig = frame.ax, frame.fig
    renderer = fig.canvas.get_renderer()
    t = ax.text(*xy, text, **style)
    bb = t.get_window_extent(renderer)
    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    hw, hh = abs(x1 - x0) / 2, abs(y1 - y0) / 2
    dx, dy = (x0 + x1) / 2 - xy[0], (y0 + y1) / 2 - xy[1]  # the box's centre from the text's anchor (0 when centred)
    gap = gap_pt * mpp
    frame_pad = BOX_PAD * float(style.get("fontsize", MIN_PT)) * mpp  # the white box around the text
    mm = 72.0 / 25.4 * mpp
    step = min(2 * hh, 1.5 * mm)
    tb = np.asarray(taken, dtype=float).reshape(-1, 4)
    tb = tb[(tb[:, 0] < xy[0] + reach * mm + 2 * hw) & (tb[:, 2] > xy[0] - reach * mm - 2 * hw)
            & (tb[:, 1] < xy[1] + reach * mm + 2 * hh) & (tb[:, 3] > xy[1] - reach * mm - 2 * hh)]
    grown = tb + np.asarray([-gap, -gap, gap, gap])
    # only the leaders and leader points within reach (a city of many small blocks: each test stays local)
    rx = ry = reach * mm + 2 * max(hw, hh) + frame_pad + gap + 1.0
    if len(leaders):
        lx0, lx1 = np.minimum(leaders[:, 0], leaders[:, 2]), np.maximum(leaders[:, 0], leaders[:, 2])
        ly0, ly1 = np.minimum(leaders[:, 1], leaders[:, 3]), np.maximum(leaders[:, 1], leaders[:, 3])
        leaders = leaders[(lx0 < xy[0] + rx) & (lx1 > xy[0] - rx) & (ly0 < xy[1] + ry) & (ly1 > xy[1] - ry)]
    if len(anchors):
        anchors = anchors[(np.abs(anchors[:, 0] - xy[0]) < rx) & (np.abs(anchors[:, 1] - xy[1]) < ry)]
    for g in (own, same):
        if g is not None and not shapely.is_prepared(g):
            shapely.prepare(g)
    best: tuple[Any, ...] | None = None  # (rank, centre, end, leader segment, boxed)
    ring = 0
    while True:
        ring += 1
        rho = ring * step
        if rho - max(hw, hh) > reach * mm:
            break
        n = 16 + 8 * ring  # about a millimetre apart
        a = 2 * math.pi * np.arange(n) / n
        c = np.c_[xy[0] + rho * np.cos(a), xy[1] + rho * np.sin(a)]
        boxes = np.c_[c[:, 0] - hw, c[:, 1] - hh, c[:, 0] + hw, c[:, 1] + hh]
        framed = boxes + np.asarray([-frame_pad, -frame_pad, frame_pad, frame_pad])
        ends = np.c_[np.clip(xy[0], boxes[:, 0], boxes[:, 2]), np.clip(xy[1], boxes[:, 1], boxes[:, 3])]
        length = np.hypot(ends[:, 0] - xy[0], ends[:, 1] - xy[1])
        ok = (length >= 4 * mpp) & (length <= reach * mm)
        if len(grown):
            ok &= ~_overlap_any(framed, grown)
        pad = framed + np.asarray([-gap, -gap, gap, gap])
        if len(anchors):
            ok &= ~((anchors[None, :, 0] > pad[:, None, 0]) & (anchors[None, :, 0] < pad[:, None, 2])
                    & (anchors[None, :, 1] > pad[:, None, 1]) & (anchors[None, :, 1] < pad[:, None, 3])).any(axis=1)
        segs = np.c_[np.full(len(c), xy[0]), np.full(len(c), xy[1]), ends]
        if len(leaders):
            ok &= ~_seg_box(leaders, pad).any(axis=0)
            ok &= ~_seg_cross(segs, leaders).any(axis=1)
        if len(tb):  # a leader keeps a point off every text even where the label's box may touch one (its end, at the
            # label's corner, would read as leading to that text)
            ok &= ~_seg_box(segs, tb + np.asarray([-1, -1, 1, 1]) * max(gap, 1.0 * mpp)).any(axis=1)
        idx = np.flatnonzero(ok)
        if len(idx):
            pb = shapely.box(pad[idx, 0], pad[idx, 1], pad[idx, 2], pad[idx, 3])
            fb = shapely.box(framed[idx, 0], framed[idx, 1], framed[idx, 2], framed[idx, 3])
            keep = ~shapely.intersects(own, pb) & shapely.contains(area, fb)
            idx, pb = idx[keep], pb[keep]
        if not len(idx):
            continue
        if blocks is not None:  # never on most of another code's block: it would read as that block's code
            keep = ~blocks.smothers(framed[idx], code)
            idx, pb = idx[keep], pb[keep]
            if not len(idx):
                continue
        crossed = blocks.crossed(segs[idx], pad[idx], code) if blocks is not None else np.zeros(len(idx), dtype=int)
        boxed = zones.foreign(pad[idx], code) if zones is not None else np.zeros(len(idx), dtype=bool)
        on_same = shapely.intersects(same, pb) if same is not None else np.zeros(len(idx), dtype=bool)
        ranks = [(int(crossed[j] > 0), int(boxed[j]), int(on_same[j]), int(crossed[j]), float(length[i])) for j, i in enumerate(idx)]
        j = min(range(len(idx)), key=ranks.__getitem__)
        if best is None or ranks[j] < best[0]:
            i = idx[j]
            best = (ranks[j], c[i], ends[i], segs[i], bool(boxed[j]))
        if best[0][:3] == (0, 0, 0):  # the best kind, the nearest: farther rings hold none better
            break
    if best is None:
        t.remove()
        return None
    _, centre, end, seg, in_box = best
    t.set_position((centre[0] - dx, centre[1] - dy))
    if in_box:  # over another code's zone: in a white box, legible on any fill
        t.set_path_effects([])
        t.set_bbox(dict(boxstyle=f"square,pad={BOX_PAD}", facecolor="white", edgecolor="#4d4d4d", linewidth=0.3))
        t._sppr_boxed = True  # type: ignore[attr-defined]
    ax.plot([xy[0], end[0]], [xy[1], end[1]], color="#1a1a1a", linewidth=0.5, zorder=3.9, gid="zone-leader",
            marker="o", markersize=1.6, markevery=[0], markeredgewidth=0)
    return t, seg


def _overlap_any(boxes: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Per box of ``boxes`` ((n, 4)), whether its interior meets any box of ``taken`` ((m, 4)); rows x0, y0, x1, y1."""
    b = boxes[:, None, :]
    q = taken[None, :, :]
    return ((b[..., 0] < q[..., 2]) & (q[..., 0] < b[..., 2]) & (b[..., 1] < q[..., 3]) & (q[..., 1] < b[..., 3])).any(axis=1)
