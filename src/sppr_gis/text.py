"""Indonesian numbers and titles: formatting for messages, explanations and output texts, and parsing amounts as typed in spreadsheets."""

from __future__ import annotations

import re

import numpy as np
from sppr_gis.i18n import _

__all__ = ["AKRONIM", "KATA_SAMBUNG", "angka", "judul", "luas", "nomenklatur", "parse_number", "persen"]

#: Conjunctions and prepositions that stay lower case inside an Indonesian title (PUEBI: "Dinas Pekerjaan Umum
#: dan Penataan Ruang", "Rencana Tata Ruang Wilayah untuk Kota ...").
KATA_SAMBUNG = frozenset({"dan", "di", "ke", "dari", "yang", "untuk", "pada", "atau", "dengan", "serta", "oleh", "bagi", "dalam", "terhadap"})


def luas(value: float) -> str:
    """An area or length for a message: one decimal, more for small non-zero values (``0,004``)."""
    if value and abs(value) < 0.05:
        return angka(value, 3)
    return angka(value)


def angka(value: float, decimals: int = 1) -> str:
    """Format a number the Indonesian way: ``12.345,6``."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def persen(share: float, decimals: int = 1) -> str:
    """Format a share in [0, 1] as a percentage: ``72,5%``."""
    return angka(100.0 * share, decimals) + "%"


_ID_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DEC_COMMA = re.compile(r"^-?\d+,\d+$")


def parse_number(value: object, *, thousands_dot: bool = False) -> float:
    """Parse an amount as typed in Indonesian spreadsheets.

    Parameters
    ----------
    value : object
        A number, or text such as ``"Rp 1.250.000.000"``, ``"1.250.000,50"``,
        ``"2,5"``, ``"1,250,000"``.
    thousands_dot : bool
        Read a single dot group (``"1.250"``) as thousands (1250), as for
        Rupiah amounts; otherwise it is a decimal point.

    Returns
    -------
    float
        NaN when blank.

    Raises
    ------
    ValueError
        The text is not a number.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(_("not a number: {value!r}").format(value=value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = re.sub(r"(?i)^rp\.?", "", str(value).strip()).replace(" ", "").replace("\u00a0", "")
    if not text or text in {"-", "nan", "NaN", "None", "null"}:
        return float("nan")
    if _ID_THOUSANDS.fullmatch(text) and (thousands_dot or text.count(".") > 1 or "," in text):
        return float(text.replace(".", "").replace(",", "."))
    if _EN_THOUSANDS.fullmatch(text) and (text.count(",") > 1 or "." in text or thousands_dot):
        return float(text.replace(",", ""))
    if _DEC_COMMA.fullmatch(text):
        return float(text.replace(",", "."))
    try:
        return float(text)
    except ValueError:
        raise ValueError(_("not a number: {value!r}").format(value=value)) from None


def judul(text: str) -> str:
    """Title case for an Indonesian title: every word capitalised except :data:`KATA_SAMBUNG` (unless first).

    Words already holding a capital after their first letter (``DKI``, ``RTRW``, ``SiLPA``) are kept as written,
    unless the whole text is upper case (then every word is recased); a hyphenated word is capitalised part by
    part (``Sosial-Budaya``).

    Parameters
    ----------
    text : str
        The words, in any case (``"dinas pekerjaan umum dan penataan ruang"``).

    Returns
    -------
    str
        ``"Dinas Pekerjaan Umum dan Penataan Ruang"``.
    """

    def word(w: str, first: bool) -> str:
        if any(c.isupper() for c in w[1:]):
            return w
        if not first and w.lower() in KATA_SAMBUNG:
            return w.lower()
        return "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))

    words = str(text).lower().split() if str(text).isupper() else str(text).split()
    return " ".join(word(w, i == 0) for i, w in enumerate(words))


#: Acronyms that nomenclature writes upper case whatever the source's casing (Permendagri 90/2019 and the
#: sectors' own names: "Pembangunan TPS3R", "Penyediaan RTH Publik", "Perluasan SPAM").
AKRONIM = frozenset({
    "APBD", "APBN", "BTS", "DAK", "IPA", "IPAL", "IPLT", "IPU", "KKPR", "MBR", "MCK", "OPD", "PAUD", "PDAM", "PJU", "PJUTS", "PKL", "RDTR",
    "RPJMD", "RSUD", "RTH", "RTLH", "RTRW", "SD", "SDN", "SMA", "SMK", "SMP", "SMPN", "SPAM", "SPPR", "SR", "TK", "TPA", "TPS", "TPS3R", "TPST",
    "UPT", "UPTD",
})
_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"})
_SNAKE_NAME = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")
_ABBREV = re.compile(r"[a-z](?:\.[a-z])+\.?")
_PART = re.compile(r"([A-Za-z0-9\u00c0-\u024f]+)")


def nomenklatur(name: str) -> str:
    """A program, kegiatan or sub kegiatan name as the nomenclature writes it, for printed texts (the Buku
    Matriks, the album's tables); the data keep the name as the source writes it.

    Every word capitalised ("Sub Kegiatan", "Penyelenggaraan Jalan Kabupaten/Kota"), except
    :data:`KATA_SAMBUNG` inside the name ("Pengelolaan dan Pengembangan Sistem Drainase"); :data:`AKRONIM`
    and Roman numerals upper case, and so is a short word of letters and digits ("tps3r" -> "TPS3R"); a word
    written with a capital after its first letter ("SiLPA", "DKI") is kept, unless the whole name is upper
    case; an identifier (``ipal_komunal``) reads as words ("IPAL Komunal"). Parts of a word joined by "/", "-",
    "(" are each cased ("Kabupaten/Kota", "Sosial-Budaya").

    Parameters
    ----------
    name : str
        The name as written in the source (``"pembangunan tps3r"``, ``"sub kegiatan penyediaan rth publik"``).

    Returns
    -------
    str
        ``"Pembangunan TPS3R"``, ``"Sub Kegiatan Penyediaan RTH Publik"``; text without letters unchanged.
    """
    text = str(name).strip()
    if _SNAKE_NAME.fullmatch(text):
        text = text.replace("_", " ")
    shout = text.isupper()

    def part(p: str, first: bool) -> str:
        up = p.upper()
        if up in AKRONIM or up in _ROMAN and (not first or len(up) > 1):
            return up
        if any(c.isdigit() for c in p) and any(c.isalpha() for c in p) and len(p) <= 6:
            return up  # a code-like word: TPS3R, B1, K3
        if not shout and any(c.isupper() for c in p[1:]):
            return p  # written with an inner capital (SiLPA, DKI): the source knows
        if not first and p.lower() in KATA_SAMBUNG:
            return p.lower()
        return p[:1].upper() + p[1:].lower()

    out = []
    for k, word in enumerate(text.split()):
        if k and _ABBREV.fullmatch(word):
            out.append(word)  # "s.d.", "d.a.": abbreviations keep their case
            continue
        pieces = _PART.split(word)
        out.append("".join(part(x, k == 0 and j == 1) if j % 2 else x for j, x in enumerate(pieces)))
    return " ".join(out)
