"""Small helpers and constants shared by the album's pages: field lookup, counts, anchors, colours of networks and OPDs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from sppr_gis import vocabulary  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    counts_of,
    rupiah,
)
from sppr_gis.maps.palette import (  # noqa: E402
    RGB,
    distinct_colors,
)
from sppr_gis.text import angka  # noqa: E402

log = logging.getLogger(__name__)


STATUS_ORDER = ("tidak_sesuai", "perlu_kajian", "sesuai_bersyarat", "sesuai")


_ZONE_FIELDS = ("zone_code", *vocabulary.ZONE_CODE_FIELDS)


_ZONE_NAME_FIELDS = (*vocabulary.ZONE_NAME_FIELDS, vocabulary.OBJECT_NAME_FIELD, "zone_name")


_KEC_FIELDS = vocabulary.KECAMATAN_NAME_FIELDS


_KEL_FIELDS = vocabulary.KELURAHAN_NAME_FIELDS


#: The vocabulary's kawasan names, then a RTRW kawasan's own name or code (a layer with no other name).
_AREA_FIELDS = (*vocabulary.KAWASAN_NAME_FIELDS, "kawasan", "NAMKWS", "KODKWS")


#: Land under every map (the region), so that faded layers read as land, not water.
LAND = (243, 239, 228)


#: Soft fills of the administrative map, one per kecamatan (cycled).
#: (lavender, lime, light blue, light orange, pink, teal: L* 69-91, every pair ΔE2000 >= 26, review s5; the earlier
#: pastels were as close as ΔE2000 6.6). More areas than these share them, told apart by hatches (kec_fills).
KEC_FILLS: tuple[RGB, ...] = ((219, 204, 255), (213, 242, 97), (121, 206, 242), (255, 178, 102), (255, 128, 153), (82, 204, 167))


#: Up to this many numbered programs are listed in the legend column rather than in a table beside the map.
LEGEND_ROWS = 0


#: The heading row over the programs a list keys that have no location (review s6: on Lampiran Peta 4 they followed
#: the numbered rows unannounced).
UNLOCATED_HEADING = "Program tanpa lokasi (tidak digambar di peta)"


#: Width (figure fraction) of the table column beside maps with numbered callouts.
TABLE_WIDTH = 0.18



def name_forms(name: object) -> list[str]:
    """A place name as it may be printed: on one line, and (with two words or more) on two lines split where the
    lines come out most nearly equal."""
    words = str(name).split()
    forms = [" ".join(words)]
    if len(words) > 1:
        cut = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
        forms.append(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
    return forms

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
    """The zone-name column that goes with ``code_field``: ``zone_name`` (the sync's), the names paired
    with a KOD field (:func:`sppr_gis.vocabulary.zone_name_fields`: KODSZN -> NAMSZN, NAMOBJ), else NAMSZN,
    NAMZON, NAMKWS, NAMOBJ."""
    paired = vocabulary.zone_name_fields(code_field) if code_field and code_field.upper().startswith("KOD") else []
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


def _unlocated(gdf: gpd.GeoDataFrame | None, column: str | pd.Series) -> dict[str, int]:
    """Per category of ``column`` (a column name or values aligned with ``gdf``), how many rows have no location."""
    if gdf is None or (isinstance(column, str) and column not in gdf.columns):
        return {}
    values = gdf[column] if isinstance(column, str) else pd.Series(np.asarray(column), index=gdf.index)
    missing = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    return {str(k): int(v) for k, v in values[missing].astype(str).value_counts().items()}


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
    "kinerja": "Capaian kinerja (Renstra/Renja)",
}


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
    """Dark, meaningful colours for struktur ruang networks: water blue, roads dark grey/red, energy orange.

    The water family told apart (CIE ΔE2000 >= 20 between any two of river, the two drinking-water and the two
    drainage colours, and from the roads and the status bands of the programs over them): a river blue, drinking water
    navy then cyan, drainage teal then dark green (review s6: the river (30, 110, 200) and the second water main
    (60, 90, 200) were 9 apart, the two drainage teals 11)."""
    rules = [
        (("sungai", "air baku", "danau"), [(30, 110, 200)]),
        (("air minum", "spam", "pdam"), [(0, 40, 110), (0, 175, 225)]),
        (("drainase", "saluran"), [(0, 120, 120), (0, 80, 30)]),
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


#: Struktur ruang families in the order of the plan's own listing (Permen ATR/BPN 14/2021, struktur ruang RDTR):
#: transport, energy, telecommunication, water resources, drinking water, waste water, solid waste, drainage.
_NETWORK_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("jalan", "jembatan", "tol"),
    ("rel", "kereta", "stasiun", "terminal", "pelabuhan", "bandar udara", "bandara"),
    ("listrik", "energi", "transmisi tenaga", "tegangan", "sutt", "gardu", "pembangkit"),
    ("telekomunikasi",),
    ("sungai", "danau", "air baku", "irigasi", "embung", "waduk", "sumber daya air"),
    ("air minum", "spam", "pdam"),
    ("limbah", "sanitasi", "ipal"),
    ("sampah", "persampahan", "tps"),
    ("drainase", "saluran"),
)


def network_rank(kind: str) -> tuple[int, int, int, str]:
    """Where a struktur ruang class stands in its legend: the hierarchy, not the line width.

    Families as the plan lists them (:data:`_NETWORK_FAMILIES`: roads first, drainage last, other classes after);
    within roads toll roads, then the primary system (arteri, kolektor, lokal, lingkungan), then the secondary
    system in the same order (review s7: "Jalan Kolektor Sekunder" was keyed before "Jalan Kolektor Primer"
    would have been by width, the arteri sekunder before the kolektor primer); within the other families
    primer, sekunder, tersier and transmisi before distribusi; then the name.

    >>> names = ["Jalan Kolektor Sekunder", "Sungai", "Jalan Arteri Sekunder", "Jaringan Drainase Primer", "Jalan Kolektor Primer", "Jalan Arteri Primer"]
    >>> sorted(names, key=network_rank)
    ['Jalan Arteri Primer', 'Jalan Kolektor Primer', 'Jalan Arteri Sekunder', 'Jalan Kolektor Sekunder', 'Sungai', 'Jaringan Drainase Primer']
    """
    low = " ".join(str(kind).lower().split())
    family = next((i for i, words in enumerate(_NETWORK_FAMILIES) if any(w in low for w in words)), len(_NETWORK_FAMILIES))
    if "tol" in low.split() or "bebas hambatan" in low:
        system, function = -1, 0
    else:
        system = 2 if "tersier" in low else 1 if "sekunder" in low or "distribusi" in low else 0
        function = next((i for i, w in enumerate(("arteri", "kolektor", "lokal", "lingkungan")) if w in low), 4)
    return (family, system, function, low)


def planned_dash(width: float) -> tuple[int, tuple[float, float]]:
    """The dash of a planned (rencana) network line ``width`` points wide, for the map and its legend alike.

    Dashes at least 4 pt (twice the width for wide lines) with gaps at least 2 pt, whatever the width: the earlier
    pattern, 4 x 2 line widths, printed a 9 pt dash on a 2.3 pt road, longer than the legend's 11 pt swatch, which
    then showed the planned road solid (review s7, Peta 3). Matplotlib scales a dash pattern by the line's width
    (``lines.scale_dashes``); the pattern returned is divided by it, so the printed lengths are these.

    >>> planned_dash(1.0), planned_dash(3.0)
    ((0, (4.0, 2.0)), (0, (2.0, 0.8)))
    """
    w = max(float(width), 1e-6)
    return (0, (round(max(4.0, 2.0 * w) / w, 6), round(max(2.0, 0.8 * w) / w, 6)))


def _km(metres: float) -> str:
    return f"{angka(metres / 1000, 1)} km" if metres >= 1000 else f"{angka(metres, 0)} m"


def _opd_colors(opds: Sequence[str]) -> dict[str, RGB]:
    # categorical colours without the greens, reds and purples that mean sinergi / konflik / status
    base = [(31, 119, 180), (255, 127, 14), (140, 86, 75), (227, 119, 194), (23, 190, 207), (188, 189, 34), (60, 60, 60), (255, 187, 120), (174, 199, 232), (150, 150, 150)]
    out = {o: base[i] for i, o in enumerate(opds[: len(base)])}
    if len(opds) > len(base):
        out.update(distinct_colors(opds[len(base):], avoid=list(out.values())))
    return out


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


def _money_fmt(top: float) -> tuple[Any, Any, str]:
    from sppr_gis.text import angka

    for div, word in ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")):
        if top >= div:
            def short(v: float, div: float = div) -> str:
                x = v / div
                return angka(x, 0 if x >= 100 or abs(x - round(x)) < 0.05 else 1)

            return short, lambda v: rupiah(v), f"Rp {word}"
    return (lambda v: angka(v, 0)), (lambda v: rupiah(v)), "Rp"


#: Normalized place name for matching (the vocabulary's, as the tables use it).
_place_key = vocabulary.place_key
