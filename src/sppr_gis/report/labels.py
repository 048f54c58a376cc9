"""Reader-facing words for the codes in the tables (shared by ``buku_matriks.xlsx`` and ``laporan.html``).

The GeoPackage and the CSVs keep the machine codes (``sesuai_bersyarat``,
``belum_jadwal``, ``warning``); what people read and print shows words.
"""

from __future__ import annotations

import functools
import re

from sppr_gis.maps.palette import code_label, humanize_codes
from sppr_gis.text import nomenklatur

__all__ = ["COLUMN_LABELS", "NAME_COLUMNS", "SEVERITY_LABELS", "reader_text"]

#: Finding severities of the ``issues`` layer, in Indonesian (as the summary's "galat/peringatan/info").
SEVERITY_LABELS: dict[str, str] = {"error": "Galat", "warning": "Peringatan", "info": "Info"}
#: Columns holding an activity name as the ITBX matrix writes it.
ACTIVITY_COLUMNS = frozenset({"kegiatan", "kegiatan_2", "kegiatan_itbx", "activity"})
#: Columns holding a program, kegiatan or sub kegiatan name (printed as the nomenclature writes it:
#: :func:`sppr_gis.text.nomenklatur`), besides :data:`ACTIVITY_COLUMNS`.
NAME_COLUMNS = frozenset({"nama_kegiatan", "nama_sub_kegiatan", "sub_kegiatan", "nama_program", "program"})
#: Columns of explanations that quote an activity by its identifier (printed as its name).
EXPLANATION_COLUMNS = frozenset({"keterangan", "saran_relokasi"})
_QUOTED = re.compile(r"'([a-z][a-z0-9]*(?:_[a-z0-9]+)*)'")
#: An activity named by its identifier alone in parentheses, optionally with its year: "(pembangunan_jalan)",
#: "(halte)", "(tps3r)", "(pembangunan_jalan, 2024)" (a single lower-case word alone in parentheses, as the
#: Sinergi and Kesesuaian explanations write a program's activity).
_PAREN_ID = re.compile(r"\(([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(, \d{4})?\)")

#: Column-specific words: codes that are plain English words, so they are not status codes everywhere.
COLUMN_LABELS: dict[str, dict[str, str]] = {"severity": SEVERITY_LABELS}


@functools.lru_cache(maxsize=1 << 16)
def reader_text(value: str, column: str | None = None) -> str:
    """The words a reader sees for a cell's text (cached: tables repeat their labels on every row).

    A status code becomes its label (``sesuai_bersyarat`` -> ``Sesuai bersyarat``),
    status codes inside a longer text become words (``IPU belum_jadwal`` ->
    ``IPU belum dijadwalkan``), a severity in the ``severity`` column its
    Indonesian word, a name in an activity or name column (:data:`ACTIVITY_COLUMNS`,
    :data:`NAME_COLUMNS`) as the nomenclature writes it (``pembangunan_jalan`` ->
    ``Pembangunan Jalan``, ``tps3r`` -> ``TPS3R``: :func:`sppr_gis.text.nomenklatur`);
    other text is returned unchanged.

    Parameters
    ----------
    value : str
        The cell text.
    column : str, optional
        The machine column name.

    Returns
    -------
    str
    """
    if column is not None:
        col = str(column).lower()
        words = COLUMN_LABELS.get(col)
        if words and value in words:
            return words[value]
        if col in ACTIVITY_COLUMNS or col in NAME_COLUMNS:
            # a name as the nomenclature writes it: pembangunan_jalan -> Pembangunan Jalan, tps3r -> TPS3R
            return nomenklatur(value)
        if col in EXPLANATION_COLUMNS:
            # the activity an explanation names ("Dinas X (pembangunan_jalan)", the advice's "Kegiatan 'tps3r'");
            # a quoted code in a Keterangan stays (it says which ITBX code is missing or misspelt)
            if col == "saran_relokasi":
                value = _QUOTED.sub(lambda m: f"'{nomenklatur(m.group(1))}'", value)
            value = _PAREN_ID.sub(lambda m: f"({nomenklatur(m.group(1))}{m.group(2) or ''})", value)
    label = code_label(value)
    return str(label) if label is not value else humanize_codes(value)
