"""Reader-facing words for the codes in the tables (shared by ``buku_matriks.xlsx`` and ``laporan.html``).

The GeoPackage and the CSVs keep the machine codes (``sesuai_bersyarat``,
``belum_jadwal``, ``warning``); what people read and print shows words.
"""

from __future__ import annotations

import functools

__all__ = ["COLUMN_LABELS", "SEVERITY_LABELS", "reader_text"]

#: Finding severities of the ``issues`` layer, in Indonesian (as the summary's "galat/peringatan/info").
SEVERITY_LABELS: dict[str, str] = {"error": "Galat", "warning": "Peringatan", "info": "Info"}
#: Column-specific words: codes that are plain English words, so they are not status codes everywhere.
COLUMN_LABELS: dict[str, dict[str, str]] = {"severity": SEVERITY_LABELS}


@functools.lru_cache(maxsize=1 << 16)
def reader_text(value: str, column: str | None = None) -> str:
    """The words a reader sees for a cell's text (cached: tables repeat their labels on every row).

    A status code becomes its label (``sesuai_bersyarat`` -> ``Sesuai bersyarat``),
    status codes inside a longer text become words (``IPU belum_jadwal`` ->
    ``IPU belum dijadwalkan``), a severity in the ``severity`` column its
    Indonesian word; other text is returned unchanged.

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
    from sppr_gis.maps.palette import code_label, humanize_codes

    if column is not None:
        words = COLUMN_LABELS.get(str(column).lower())
        if words and value in words:
            return words[value]
    label = code_label(value)
    return str(label) if label is not value else humanize_codes(value)
