"""Canonical field names and the national-standard aliases (Permen ATR/BPN 14/2021)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sppr_gis.errors import FieldError
from sppr_gis.i18n import _
from sppr_gis.vocabulary import ZONE_CODE_FIELDS

__all__ = ["ZONE_FIELDS", "OUTPUT_COLUMNS", "detect_zone_field", "pick_field", "require_field", "find_field"]

#: Zone code fields in order of preference: RDTR sub-zone, RDTR zone, RTRW kawasan
#: (:data:`sppr_gis.vocabulary.ZONE_CODE_FIELDS`).
ZONE_FIELDS: tuple[str, ...] = ZONE_CODE_FIELDS
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


def pick_field(df: pd.DataFrame, label: str, wanted: str | None, candidates: Sequence[str], what: str, hint: str) -> str:
    """The column named ``wanted``, else the first present of ``candidates`` (case-insensitive).

    Parameters
    ----------
    df : pandas.DataFrame
        The layer or table.
    label : str
        Its name, for messages.
    wanted : str, optional
        Field named by the user.
    candidates : sequence of str
        Standard names tried in order when ``wanted`` is not given.
    what : str
        What the field holds, for messages ("zone code").
    hint : str
        How the user names the field ("--zone-field").

    Raises
    ------
    FieldError
        The named field is missing, or none of the candidates is present.
    """
    cols = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    if wanted:
        found = find_field(cols, wanted)
        if found is None:
            raise FieldError(_("{label}: no {what} field '{wanted}' (fields: {cols})").format(label=label, what=what, wanted=wanted, cols=', '.join(cols)))
        return found
    for name in candidates:
        found = find_field(cols, name)
        if found is not None:
            return found
    raise FieldError(_("{label}: no {what} field ({candidates}); {hint} (fields: {cols})").format(label=label, what=what, candidates=', '.join(candidates), hint=hint, cols=', '.join(cols)))


def detect_zone_field(df: pd.DataFrame, label: str, field: str | None = None) -> str:
    """The zone-code field of a zoning layer: ``field``, else the first of KODSZN, KODZON, KODKWS.

    Raises
    ------
    FieldError
        The named field is missing, or none of the standard fields is present.
    """
    return pick_field(df, label, field, ZONE_FIELDS, _("zone code"), _("name it with --zone-field, or give the file's code as FILE=CODE"))


def require_field(df: pd.DataFrame, field: str, label: str, option: str) -> str:
    """The column for ``field`` (case-insensitive) or a FieldError naming the option to use."""
    cols = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    found = find_field(cols, field)
    if found is None:
        raise FieldError(_("{label}: no field '{field}' (fields: {cols}); name the right one with {option}").format(label=label, field=field, cols=', '.join(cols), option=option))
    return found
