"""Indonesian numbers: formatting for messages and explanations, and parsing amounts as typed in spreadsheets."""

from __future__ import annotations

import re

import numpy as np
from sppr_gis.i18n import _

__all__ = ["angka", "luas", "parse_number", "persen"]


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
