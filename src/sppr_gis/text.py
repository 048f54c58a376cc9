"""Indonesian number formatting for messages and explanations."""

from __future__ import annotations

__all__ = ["angka", "luas", "persen"]


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
