"""Canonical field names and the national-standard aliases (Permen ATR/BPN 14/2021)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sppr_gis.errors import FieldError

__all__ = ["ZONE_FIELDS", "OUTPUT_COLUMNS", "detect_zone_field", "require_field", "find_field"]

#: Zone code fields in order of preference: RDTR sub-zone, RDTR zone, RTRW kawasan.
ZONE_FIELDS: tuple[str, ...] = ("KODSZN", "KODZON", "KODKWS")
#: Columns ``sppr check`` adds to the programs layer.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "status",
    "itbx",
    "score",
    "dominant_zone",
    "keterangan",
    "unzoned_share",
    "zones",
    "syarat",
    "kegiatan_itbx",
    "measure",
    "measure_unit",
)


def find_field(columns: Sequence[str], name: str) -> str | None:
    """The column matching ``name`` exactly, else case-insensitively, else ``None``."""
    if name in columns:
        return name
    lower = {str(c).lower(): c for c in columns}
    return lower.get(name.lower())


def detect_zone_field(df: pd.DataFrame, label: str, field: str | None = None) -> str:
    """The zone-code field of a zoning layer.

    Parameters
    ----------
    df : pandas.DataFrame
        The zoning layer.
    label : str
        Its name, for messages.
    field : str, optional
        Field named by the user (matched case-insensitively); by default the
        first present of KODSZN, KODZON, KODKWS.

    Raises
    ------
    FieldError
        The named field is missing, or none of the standard fields is present.
    """
    cols = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    if field:
        found = find_field(cols, field)
        if found is None:
            raise FieldError(f"{label}: no zone field '{field}' (fields: {', '.join(cols)})")
        return found
    for name in ZONE_FIELDS:
        found = find_field(cols, name)
        if found is not None:
            return found
    raise FieldError(
        f"{label}: no zone code field ({', '.join(ZONE_FIELDS)}); name it with --zone-field, "
        f"or give the file's code as FILE=CODE (fields: {', '.join(cols)})"
    )


def require_field(df: pd.DataFrame, field: str, label: str, option: str) -> str:
    """The column for ``field`` (case-insensitive) or a FieldError naming the option to use."""
    cols = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    found = find_field(cols, field)
    if found is None:
        raise FieldError(f"{label}: no field '{field}' (fields: {', '.join(cols)}); name the right one with {option}")
    return found
