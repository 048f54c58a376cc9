"""Indonesian number and title formatting for messages, explanations and output texts."""

from __future__ import annotations

__all__ = ["KATA_SAMBUNG", "angka", "judul", "luas", "persen"]

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
