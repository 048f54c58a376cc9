"""The ``Kinerja`` section of ``laporan.html``: capaian per cluster and OPD, the cascade, the kinerja issues."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from sppr_gis.kinerja.book import evaluation_sheet, headers as kinerja_headers

__all__ = ["kinerja_section"]


def kinerja_section(result: Any, headers: Mapping[str, str], table_html: Callable[[pd.DataFrame, str, Mapping[str, str]], str]) -> str:
    """HTML of the section (inside the report's ``<section>``).

    Parameters
    ----------
    result : sppr_gis.kinerja.KinerjaResult
    headers : mapping
        The report's column headers.
    table_html : callable
        The report's table renderer (``df, table_id, headers -> html``).
    """
    hdr = {**kinerja_headers(result.year), **headers}
    note = (
        '<p class="note">Capaian indikator: positif R/T x 100, negatif (2T - R)/T x 100 (tidak kurang dari 0); '
        "capaian simpul = rata-rata indikatornya, OPD = rata-rata programnya, klaster = rata-rata OPD-nya. "
        "Predikat menurut Permendagri 86/2017. Angka dari SPPR (kolom <code>sppr</code>) mengisi realisasi tahun ini.</p>"
    )
    body = note
    if len(result.klaster):
        body += "<h3>Per klaster OPD</h3>" + table_html(result.klaster, "t-kinerja-klaster", hdr)
    body += "<h3>Per OPD</h3>" + table_html(result.opd, "t-kinerja-opd", hdr)
    if len(result.kecamatan):
        body += "<h3>Per kecamatan (program berlokasi)</h3>" + table_html(result.kecamatan, "t-kinerja-kecamatan", hdr)
    sheet = evaluation_sheet(result)
    body += f"<details><summary>Kaskade kinerja ({len(sheet)} indikator)</summary>{table_html(sheet, 't-kinerja-kaskade', hdr)}</details>"
    if len(result.issues):
        body += f"<details><summary>Isu data kinerja ({len(result.issues)})</summary>{table_html(result.issues, 't-kinerja-isu', hdr)}</details>"
    return body if body else html.escape("-")
