"""Indonesian number formatting for messages and explanations."""

from __future__ import annotations

__all__ = ["angka", "persen"]


def angka(value: float, decimals: int = 1) -> str:
    """Format a number the Indonesian way: ``12.345,6``."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def persen(share: float, decimals: int = 1) -> str:
    """Format a share in [0, 1] as a percentage: ``72,5%``."""
    return angka(100.0 * share, decimals) + "%"
