"""Colours: the national zone-class palette, status colours and generated colours for unknown codes.

The zone colours follow the legend colours used consistently by several real
RDTR/RTRW map services (``shared/domain.md``). Codes are matched after
normalisation (``r2`` -> ``R-2``), then by their class prefix (``R-2a`` ->
``R-2``), then by keywords of the class name (``NAMSZN``/``NAMOBJ``). Codes
that match nothing get distinct generated colours, stable across runs. Every
colour can be overridden (e.g. from the run configuration).

Two colours are not in the reference list and are derived from their
neighbours: ``R-5`` (one step lighter than ``R-4``) and ``SPU-4`` (one step
lighter than ``SPU-3``); ``C-1``/``C-2`` (mixed use) use an orange tint. They
are marked ``derived=True``.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sppr_gis.vocabulary import CODE_LABELS, IPU_SYNC_LABELS, STATUS_LABELS, SYNC_LABELS
from sppr_gis.i18n import _

__all__ = [
    "RGB",
    "ZoneClass",
    "ZONE_CLASSES",
    "STATUS_COLORS",
    "STATUS_LABELS",
    "SYNC_COLORS",
    "SYNC_LABELS",
    "IPU_SYNC_COLORS",
    "IPU_SYNC_LABELS",
    "CODE_LABELS",
    "code_label",
    "humanize_codes",
    "normalize_code",
    "parse_color",
    "hex_color",
    "Palette",
    "distinct_colors",
]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class ZoneClass:
    """One entry of the zone palette.

    Parameters
    ----------
    code : str
        Canonical code (``R-2``, ``SPU-1``, ``HL``).
    label : str
        Indonesian class name used in legends.
    rgb : tuple of int
        Fill colour, 0-255.
    keywords : tuple of str
        Lower-case phrases that identify the class in a name field.
    derived : bool
        True when the colour is not in the reference list but derived from it.
    """

    code: str
    label: str
    rgb: RGB
    keywords: tuple[str, ...] = ()
    derived: bool = False


def _z(code: str, label: str, rgb: RGB, *keywords: str, derived: bool = False) -> ZoneClass:
    return ZoneClass(code, label, rgb, tuple(keywords), derived)


#: The default zone palette (RDTR sub-zones and RTRW kawasan).
ZONE_CLASSES: tuple[ZoneClass, ...] = (
    # water, roads, protection
    _z("BA", "Badan air", (151, 219, 242), "badan air", "sungai", "danau", "waduk"),
    _z("BJ", "Badan jalan", (235, 30, 30), "badan jalan"),
    _z("PS", "Perlindungan setempat", (5, 215, 215), "perlindungan setempat", "sempadan"),
    _z("HL", "Hutan lindung", (50, 95, 40), "hutan lindung", "kawasan bawahannya"),
    _z("KS", "Kawasan konservasi", (0, 120, 90), "konservasi", "suaka alam", "pelestarian alam", derived=True),
    _z("HP", "Hutan produksi", (75, 155, 55), "hutan produksi"),
    _z("HPT", "Hutan produksi terbatas", (95, 170, 70), "hutan produksi terbatas", derived=True),
    _z("HPK", "Hutan produksi konversi", (115, 185, 85), "hutan produksi konversi", derived=True),
    _z("CB", "Cagar budaya", (255, 230, 135), "cagar budaya"),
    # housing
    _z("R-1", "Perumahan kepadatan sangat tinggi", (255, 190, 0), "kepadatan sangat tinggi"),
    _z("R-2", "Perumahan kepadatan tinggi", (255, 220, 0), "perumahan kepadatan tinggi"),
    _z("R-3", "Perumahan kepadatan sedang", (255, 240, 5), "kepadatan sedang"),
    _z("R-4", "Perumahan kepadatan rendah", (255, 250, 75), "perumahan kepadatan rendah"),
    _z("R-5", "Perumahan kepadatan sangat rendah", (255, 252, 150), "kepadatan sangat rendah", derived=True),
    # trade, offices, industry, mixed
    _z("K-1", "Perdagangan dan jasa skala kota", (255, 100, 100), "jasa skala kota"),
    _z("K-2", "Perdagangan dan jasa skala WP", (255, 130, 130), "jasa skala wp", "skala wilayah perencanaan"),
    _z("K-3", "Perdagangan dan jasa skala SWP", (255, 165, 165), "jasa skala swp", "skala sub wilayah"),
    _z("KT", "Perkantoran", (155, 155, 155), "perkantoran"),
    _z("KPI", "Kawasan peruntukan industri", (105, 0, 0), "industri"),
    _z("C-1", "Campuran intensitas tinggi", (250, 140, 60), "campuran intensitas tinggi", derived=True),
    _z("C-2", "Campuran intensitas menengah", (250, 175, 110), "campuran intensitas menengah", "campuran", derived=True),
    _z("HK", "Pertahanan dan keamanan", (155, 0, 255), "pertahanan", "keamanan"),
    # public facilities
    _z("SPU-1", "Sarana pelayanan umum skala kota", (125, 25, 125), "pelayanan umum skala kota"),
    _z("SPU-2", "Sarana pelayanan umum skala kecamatan", (155, 50, 155), "pelayanan umum skala kecamatan"),
    _z("SPU-3", "Sarana pelayanan umum skala kelurahan", (185, 75, 185), "pelayanan umum skala kelurahan"),
    _z("SPU-4", "Sarana pelayanan umum skala RW", (215, 110, 215), "pelayanan umum skala rw", derived=True),
    # green space
    _z("RTH-1", "Rimba kota", (55, 85, 10), "rimba kota", "hutan kota"),
    _z("RTH-2", "Taman kota", (65, 105, 0), "taman kota"),
    _z("RTH-3", "Taman kecamatan", (70, 135, 0), "taman kecamatan"),
    _z("RTH-4", "Taman kelurahan", (75, 165, 0), "taman kelurahan"),
    _z("RTH-5", "Taman RW", (80, 195, 0), "taman rw"),
    _z("RTH-6", "Taman RT", (85, 225, 0), "taman rt"),
    _z("RTH-7", "Pemakaman", (90, 255, 0), "pemakaman", "makam"),
    _z("RTH-8", "Jalur hijau", (15, 245, 0), "jalur hijau"),
    _z("RTNH", "Ruang terbuka non hijau", (0, 105, 105), "terbuka non hijau"),
    # other uses, RTRW kawasan
    _z("W", "Pariwisata", (255, 165, 255), "pariwisata", "wisata"),
    _z("PL", "Pengelolaan persampahan", (215, 152, 56), "persampahan", "sampah"),
    _z("TR", "Transportasi", (215, 56, 0), "transportasi", "terminal", "pelabuhan"),
    _z("P-1", "Tanaman pangan", (200, 245, 70), "tanaman pangan", "pertanian"),
    _z("P-3", "Perkebunan", (175, 175, 55), "perkebunan"),
    _z("IK", "Perikanan budi daya", (100, 155, 210), "perikanan"),
    _z("PTB", "Pertambangan dan energi", (165, 120, 80), "pertambangan", derived=True),
    _z("PK", "Permukiman perkotaan", (245, 155, 30), "permukiman perkotaan", "permukiman"),
    _z("PD", "Permukiman perdesaan", (235, 155, 60), "permukiman perdesaan"),
)

#: Aliases seen in local regulations, mapped to a canonical palette code.
CODE_ALIASES: dict[str, str] = {
    "PB": "IK", "PTL": "P-1", "SPU": "SPU-1", "RTH": "RTH-2", "R": "R-3", "K": "K-2", "C": "C-2", "P": "P-1",
    "TPA": "PL", "TPS": "PL", "PSL": "PL", "IPAL": "PL", "PLP": "PL", "SB": "PS", "SP": "PS", "BJL": "BJ", "JLN": "BJ",
}

#: Conformance status (``sppr check``) colours and Indonesian labels.
#: Chosen apart from every zone colour (no grey like KT, no road red like BJ): a status symbol must
#: never read as a zone.
STATUS_COLORS: dict[str, RGB] = {
    "sesuai": (26, 152, 80),
    "sesuai_bersyarat": (37, 99, 235),
    "tidak_sesuai": (200, 0, 80),
    "perlu_kajian": (20, 20, 20),
}
#: Rencana ``status_sinkron`` colours and labels.
SYNC_COLORS: dict[str, RGB] = {
    "sinkron": (26, 152, 80),
    "inkonsisten": (215, 25, 28),
    "tidak_terindikasi": (245, 130, 20),
}
#: IPU ``status_sinkron`` colours and labels.
IPU_SYNC_COLORS: dict[str, RGB] = {
    "sinkron": (26, 152, 80),
    "diskontinu": (245, 130, 20),
    "diskoneksi": (215, 25, 28),
    "belum_jadwal": (150, 150, 150),
}



def code_label(value: object) -> object:
    """The human label of a status code (``sesuai_bersyarat`` -> ``Sesuai bersyarat``); other values unchanged."""
    if isinstance(value, str) and value in CODE_LABELS:
        return CODE_LABELS[value]
    return value


def humanize_codes(text: str) -> str:
    """Status codes inside a text as words: ``IPU belum_jadwal`` -> ``IPU belum dijadwalkan``."""
    import re as _re

    return _re.sub(r"\b(" + "|".join(sorted((k for k in CODE_LABELS if "_" in k), key=len, reverse=True)) + r")\b", lambda m: CODE_LABELS[m.group(1)].lower(), text)

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_color(value: str | Iterable[float]) -> RGB:
    """Parse ``"#RRGGBB"``, ``"R,G,B"`` (0-255) or a sequence of three numbers.

    Sequences of floats all <= 1 are taken as matplotlib 0-1 colours.

    Raises
    ------
    ValueError
        The value is not a colour.
    """
    if isinstance(value, str):
        text = value.strip()
        m = _HEX.match(text)
        if m:
            h = m.group(1)
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        parts = [p for p in re.split(r"[,\s;]+", text) if p]
        if len(parts) != 3:
            raise ValueError(_("'{value}' is not a colour (use #RRGGBB or R,G,B)").format(value=value))
        nums = [float(p) for p in parts]
    else:
        nums = [float(v) for v in value]
        if len(nums) == 4:
            nums = nums[:3]
        if len(nums) != 3:
            raise ValueError(_("{value!r} is not a colour (three numbers expected)").format(value=value))
        if all(0.0 <= n <= 1.0 for n in nums) and any(n != int(n) for n in nums):
            nums = [n * 255.0 for n in nums]
    if not all(0.0 <= n <= 255.0 for n in nums):
        raise ValueError(_("{value!r} is not a colour (components must be 0-255)").format(value=value))
    return (int(round(nums[0])), int(round(nums[1])), int(round(nums[2])))


def hex_color(rgb: RGB) -> str:
    """``(255, 220, 0)`` -> ``"#ffdc00"``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def mpl_color(rgb: RGB, alpha: float | None = None) -> tuple[float, ...]:
    """An RGB(A) tuple in 0-1 for matplotlib."""
    c = (rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0)
    return c if alpha is None else (*c, alpha)


def normalize_code(code: object) -> str:
    """Canonical form of a zone code: upper case, ``_``/space/``.`` as ``-``, ``R2`` -> ``R-2``.

    >>> normalize_code(" spu_1 ")
    'SPU-1'
    >>> normalize_code("r2")
    'R-2'
    """
    text = re.sub(r"[\s_.]+", "-", str(code).strip().upper())
    text = re.sub(r"^([A-Z]+)(\d)", r"\1-\2", text)
    return text.strip("-")


def _lab(rgb: RGB) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour, for perceptual distances."""

    def lin(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def color_distance(a: RGB, b: RGB) -> float:
    """Euclidean distance in CIE L*a*b* (delta E 1976)."""
    la, lb = _lab(a), _lab(b)
    return math.dist(la, lb)


def delta_e2000(a: RGB, b: RGB) -> float:
    """CIE ΔE2000 between two sRGB colours (Sharma, Wu and Dalal 2005: the formula and its test data).

    >>> round(delta_e2000((255, 0, 0), (255, 0, 0)), 6), round(delta_e2000((0, 0, 0), (255, 255, 255)), 1)
    (0.0, 100.0)
    """
    return _de2000(_lab(a), _lab(b))


def _de2000(l1: tuple[float, float, float], l2: tuple[float, float, float]) -> float:
    """ΔE2000 of two CIE L*a*b* colours (kL = kC = kH = 1)."""
    L1, a1, b1 = l1
    L2, a2, b2 = l2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, c_bar_p = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar)) + 0.32 * math.cos(math.radians(3 * h_bar + 6))
         - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_big_h / s_h) ** 2 + r_t * (dc / s_c) * (d_big_h / s_h))


#: Fill patterns (matplotlib hatches) that tell apart legend fills too alike in colour; the first is plain.
HATCHES: tuple[str | None, ...] = (None, "////", "\\\\\\\\", "....", "xxxx", "----", "||||", "++", "oo", "**", "//..", "\\\\\\\\||")
#: The least ΔE2000 between two fills of one legend told apart by colour alone.
MIN_FILL_DE2000 = 25.0


def blend(rgb: RGB, alpha: float) -> RGB:
    """``rgb`` at ``alpha`` over white paper (what a faded fill prints as)."""
    return tuple(int(round(255 - alpha * (255 - c))) for c in rgb)  # type: ignore[return-value]


def faded_hatch(hatch: str | None, alpha: float) -> str | None:
    """``hatch`` at half its density on a faded background (``alpha`` below 0.7), where the pattern only has to
    tell the zones apart under the map's own symbols."""
    return hatch[::2] if hatch and alpha < 0.7 else hatch


def hatch_ink(rgb: RGB) -> tuple[float, float, float]:
    """The colour a fill's hatch is drawn in: the fill darkened (a dark fill lightened), so that the pattern reads on
    it and keeps its hue."""
    if _lab(rgb)[0] < 50:
        return tuple((c + 0.6 * (255 - c)) / 255 for c in rgb)  # type: ignore[return-value]
    return tuple(0.55 * c / 255 for c in rgb)  # type: ignore[return-value]


def fill_hatches(colors: Mapping[str, RGB], alpha: float = 1.0, min_de: float = MIN_FILL_DE2000) -> dict[str, str | None]:
    """A hatch per key so that any two fills of one legend closer than ``min_de`` (ΔE2000, as printed at ``alpha``
    over white) differ in pattern: a greedy colouring of the "too alike" pairs in key order (the first of each
    group plain). Keys already distinct keep no hatch.

    >>> fill_hatches({"a": (255, 220, 0), "b": (255, 230, 5), "c": (0, 90, 200)})
    {'a': None, 'b': '////', 'c': None}
    """
    keys = list(colors)
    labs = {k: _lab(blend(colors[k], alpha)) for k in keys}
    out: dict[str, str | None] = {}
    for i, k in enumerate(keys):
        taken = {out[j] for j in keys[:i] if _de2000(labs[k], labs[j]) < min_de}
        out[k] = next((h for h in HATCHES if h not in taken), HATCHES[(i % (len(HATCHES) - 1)) + 1])
    return out


def distinct_colors(keys: Iterable[str], avoid: Iterable[RGB] = (), min_distance: float = 18.0) -> dict[str, RGB]:
    """Distinct, stable colours for ``keys``.

    Each key starts from a hue derived from its hash (so a code keeps its colour
    from run to run) and steps by the golden angle until the colour is at least
    ``min_distance`` (delta E) from every colour already used, including ``avoid``.

    Parameters
    ----------
    keys : iterable of str
        The codes needing colours (processed in sorted order).
    avoid : iterable of RGB
        Colours already taken (e.g. the fixed palette).
    min_distance : float
        Minimum CIE76 distance; relaxed step by step if no hue fits.

    Returns
    -------
    dict
        Key -> RGB.
    """
    used = list(avoid)
    out: dict[str, RGB] = {}
    golden = 0.381966
    for key in sorted(set(keys)):
        seed = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)
        h0 = (seed % 3600) / 3600.0
        best: tuple[float, RGB] | None = None
        chosen: RGB | None = None
        for i in range(96):
            h = (h0 + i * golden) % 1.0
            light = (0.55, 0.70, 0.42)[(seed + i) % 3]
            sat = (0.65, 0.45, 0.80)[(seed // 3 + i) % 3]
            r, g, b = colorsys.hls_to_rgb(h, light, sat)
            rgb = (int(round(r * 255)), int(round(g * 255)), int(round(b * 255)))
            d = min((color_distance(rgb, u) for u in used), default=1e9)
            if d >= min_distance:
                chosen = rgb
                break
            if best is None or d > best[0]:
                best = (d, rgb)
        if chosen is None:
            assert best is not None
            chosen = best[1]
        out[key] = chosen
        used.append(chosen)
    return out


@dataclass
class Palette:
    """Zone colours: defaults, overrides and generated colours for unknown codes.

    Parameters
    ----------
    overrides : mapping of str to colour, optional
        Code (any spelling; normalised) -> colour (``"#RRGGBB"``, ``"R,G,B"`` or a
        tuple). Applied before the defaults, e.g. from the run configuration's
        ``[palette]`` table.
    classes : sequence of ZoneClass, optional
        The default palette (``ZONE_CLASSES``).

    Examples
    --------
    >>> p = Palette({"R-2": "#ff0000"})
    >>> p.color("r2")
    (255, 0, 0)
    >>> p.color("SPU-1")
    (125, 25, 125)
    """

    overrides: Mapping[str, object] | None = None
    classes: tuple[ZoneClass, ...] = ZONE_CLASSES
    _by_code: dict[str, ZoneClass] = field(init=False, repr=False)
    _over: dict[str, RGB] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {normalize_code(c.code): c for c in self.classes}
        self._over = {}
        for k, v in (self.overrides or {}).items():
            try:
                self._over[normalize_code(k)] = parse_color(v)  # type: ignore[arg-type]
            except ValueError as exc:
                raise ValueError(_("palette override for '{k}': {exc}").format(k=k, exc=exc)) from None

    def match(self, code: object, name: object = None) -> ZoneClass | None:
        """The palette class of a code (exact, class prefix, alias, then name keywords), or ``None``."""
        norm = normalize_code(code) if code is not None else ""
        if norm in self._by_code:
            return self._by_code[norm]
        m = re.match(r"^([A-Z]+(?:-\d+)?)", norm)
        if m and m.group(1) in self._by_code:
            return self._by_code[m.group(1)]
        letters = re.match(r"^([A-Z]+)", norm)
        if letters and letters.group(1) in self._by_code:  # HL-01 -> HL; R-9 stays unknown (no class "R")
            return self._by_code[letters.group(1)]
        if norm in CODE_ALIASES:
            return self._by_code.get(CODE_ALIASES[norm])
        if name is not None and str(name).strip() and str(name).lower() != "nan":
            text = str(name).lower()
            hits = [(len(k), c) for c in self.classes for k in c.keywords if k in text]
            if hits:
                return max(hits, key=lambda t: t[0])[1]
        return None

    def label(self, code: object, name: object = None) -> str:
        """Legend label: ``"R-2 Perumahan kepadatan tinggi"`` (the data's name wins over the palette's)."""
        code_s = str(code)
        if name is not None and str(name).strip() and str(name).lower() not in {"nan", "none"}:
            name_s = " ".join(str(name).split())
            # a zoning keyed by its names (RTRW NAMOBJ "Badan Air") prints the name once, not "Badan Air Badan Air"
            return name_s if name_s.casefold() == " ".join(code_s.split()).casefold() else f"{code_s} {name_s}"
        zc = self.match(code)
        return f"{code_s} {zc.label}" if zc else code_s

    def color(self, code: object, name: object = None) -> RGB:
        """Colour of one code (generated when unknown; prefer :meth:`colors` for many codes)."""
        return self.colors([code], [name] if name is not None else None)[str(code)]

    def colors(self, codes: Iterable[object], names: Iterable[object] | None = None) -> dict[str, RGB]:
        """Colours for the codes present in a layer.

        Parameters
        ----------
        codes : iterable
            Zone codes as they appear in the data.
        names : iterable, optional
            Class names aligned with ``codes`` (``NAMSZN``/``NAMOBJ``), used when a
            code does not match.

        Returns
        -------
        dict
            ``str(code)`` -> RGB, every distinct code once.
        """
        codes = list(codes)
        name_list = list(names) if names is not None else [None] * len(codes)
        first_name: dict[str, object] = {}
        for c, n in zip(codes, name_list):
            if c is None or (isinstance(c, float) and math.isnan(c)):
                continue
            first_name.setdefault(str(c), n)
        out: dict[str, RGB] = {}
        unknown: list[str] = []
        for c, n in first_name.items():
            norm = normalize_code(c)
            if norm in self._over:
                out[c] = self._over[norm]
                continue
            zc = self.match(c, n)
            if zc is not None:
                out[c] = zc.rgb
            else:
                unknown.append(c)
        if unknown:
            taken = list(out.values()) + [z.rgb for z in self.classes] + list(self._over.values())
            out.update(distinct_colors(unknown, avoid=taken))
        return out
