"""The ``Kinerja`` sheet (the evaluation layout) and the standalone ``sppr kinerja`` workbook.

The sheet follows the Permendagri 86/2017 evaluation form: the cascade in order (tujuan, sasaran, program,
kegiatan, sub kegiatan), each node's name indented by its level, one line per indicator with target,
realisasi, capaian and predikat of the year, and the node's Rupiah (pagu, realisasi, serapan) on its
first line; sub kegiatan lines also show their programs in the SPPR (how many, located, conforming).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sppr_gis.kinerja.core import LEVELS, KinerjaResult
from sppr_gis.matrices import HEADERS
from sppr_gis.report.excel import write_workbook
from sppr_gis.sync import place_key
from sppr_gis.text import nomenklatur

__all__ = ["SHEET_COLUMNS", "headers", "evaluation_sheet", "layers", "write_book"]

#: Columns of the ``Kinerja`` sheet, in order.
SHEET_COLUMNS = [
    "opd", "tingkat", "kode", "uraian", "indikator", "satuan", "target", "realisasi", "capaian", "predikat",
    "pagu", "pagu_realisasi", "serapan", "jumlah_program", "jumlah_berlokasi", "jumlah_sesuai",
]
_LEVEL_WORDS = {"tujuan": "Tujuan", "sasaran": "Sasaran", "program": "Program", "kegiatan": "Kegiatan", "sub_kegiatan": "Sub Kegiatan"}
_INDENT = "\u2003"  # an em space per level: the book prints it as one indent level of the cell (sppr_gis.report.excel)


def headers(year: int) -> dict[str, str]:
    """Indonesian headers of the kinerja tables for ``year``."""
    return {
        "tingkat": "Tingkat", "kode": "Kode", "uraian": "Tujuan/Sasaran/Program/Kegiatan/Sub Kegiatan", "indikator": "Indikator Kinerja",
        "target": f"Target {year} (K)", "realisasi": f"Realisasi {year} (K)", "capaian": "Capaian (%)", "predikat": "Predikat",
        "pagu": f"Pagu {year} (Rp)", "pagu_realisasi": f"Realisasi Anggaran {year} (Rp)", "serapan": "Serapan (%)",
        "jumlah_program": "Program SPPR", "jumlah_berlokasi": "Program Berlokasi", "jumlah_sesuai": "Program Sesuai Ruang",
        "realisasi_pagu": f"Realisasi Anggaran {year} (Rp)", "jumlah_opd": "Jumlah OPD", "jumlah_program_node": "Jumlah Program",
        "jumlah_indikator": "Jumlah Indikator", "capaian_node": "Capaian Simpul (%)",
    }


def _order(ind: pd.DataFrame) -> list[int]:
    """Row positions in cascade order: per OPD, each root then its descendants (input order among siblings)."""
    okey = [place_key(o) for o in ind["opd"]]
    level = ind["level"].astype(str).tolist()
    kode = ind["kode"].astype(object).where(ind["kode"].notna(), "").astype(str).tolist()
    induk = ind["induk"].astype(object).where(ind["induk"].notna(), "").astype(str).tolist()
    node_rows: dict[tuple[str, str, str], list[int]] = {}
    for i in range(len(ind)):
        node_rows.setdefault((okey[i], level[i], kode[i]), []).append(i)
    nodes = list(node_rows)
    kids: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    placed: set[tuple[str, str, str]] = set()
    for k in nodes:
        rows = node_rows[k]
        ind_k = next((induk[i] for i in rows if induk[i].strip()), "")
        if not ind_k or k[1] not in LEVELS:
            continue
        depth = LEVELS.index(k[1])
        for lv in reversed(LEVELS[:depth]):
            p = (k[0], lv, ind_k)
            if p in node_rows:
                kids.setdefault(p, []).append(k)
                placed.add(k)
                break
    out: list[int] = []
    seen: set[tuple[str, str, str]] = set()

    def walk(k: tuple[str, str, str]) -> None:
        if k in seen:
            return
        seen.add(k)
        out.extend(node_rows[k])
        for c in kids.get(k, []):
            walk(c)

    names = {}
    for i in range(len(ind)):
        names.setdefault(okey[i], str(ind["opd"].iloc[i]))
    for o in sorted(names, key=lambda s: names[s]):
        for k in nodes:
            if k[0] == o and k not in placed:
                walk(k)
    return out


def evaluation_sheet(result: KinerjaResult) -> pd.DataFrame:
    """The ``Kinerja`` sheet: the cascade in order, names indented by level, one line per indicator.

    Parameters
    ----------
    result : KinerjaResult

    Returns
    -------
    pandas.DataFrame
        :data:`SHEET_COLUMNS`.
    """
    ind = result.indikator
    rows = []
    prev = None
    for i in _order(ind):
        r = ind.iloc[i]
        lv = str(r["level"])
        key = (place_key(r["opd"]), lv, str(r["kode"]))
        first = key != prev
        prev = key
        depth = LEVELS.index(lv) if lv in LEVELS else 0
        name = r["uraian"] if isinstance(r["uraian"], str) else ""
        if lv in ("program", "kegiatan", "sub_kegiatan"):
            name = nomenklatur(name)  # printed as the nomenclature writes it (Permendagri 90); the layers keep the source's
        rows.append({
            "opd": r["opd"] if first else None,
            "tingkat": _LEVEL_WORDS.get(lv, lv) if first else None,
            "kode": r["kode"] if first else None,
            "uraian": (_INDENT * depth + name) if first else None,
            "indikator": r["indikator"], "satuan": r["satuan"],
            "target": r["target"], "realisasi": r["realisasi"], "capaian": r["capaian"], "predikat": r["predikat"],
            "pagu": r["pagu"] if first else np.nan,
            "pagu_realisasi": r["realisasi_pagu"] if first else np.nan,
            "serapan": r["serapan"] if first else np.nan,
            "jumlah_program": r["jumlah_program"] if first else np.nan,
            "jumlah_berlokasi": r["jumlah_berlokasi"] if first else np.nan,
            "jumlah_sesuai": r["jumlah_sesuai"] if first else np.nan,
        })
    df = pd.DataFrame(rows, columns=SHEET_COLUMNS)
    for c in ("jumlah_program", "jumlah_berlokasi", "jumlah_sesuai"):
        df[c] = pd.array([None if pd.isna(v) else int(v) for v in df[c]], dtype="Int64")
    return df


def layers(result: KinerjaResult) -> dict[str, pd.DataFrame]:
    """The GeoPackage layers (no geometry): ``kinerja_indikator``, ``kinerja_opd``, ``kinerja_klaster``."""
    ind = result.indikator.copy()
    for c in ind.columns:
        if ind[c].dtype == object:
            ind[c] = ind[c].where(ind[c].notna(), None)
    return {"kinerja_indikator": ind, "kinerja_opd": result.opd.copy(), "kinerja_klaster": result.klaster.copy()}


def tables(result: KinerjaResult) -> dict[str, pd.DataFrame]:
    """Machine-named tables (CSV) of the result."""
    return {
        "kinerja_indikator": result.indikator, "kinerja_opd": result.opd, "kinerja_klaster": result.klaster,
        "kinerja_kecamatan": result.kecamatan, "kinerja_isu": result.issues,
    }


def write_book(result: KinerjaResult, target: str | os.PathLike[str], *, title: str = "Evaluasi Kinerja", region: str | None = None, extra_headers: Mapping[str, str] | None = None) -> Path:
    """The standalone workbook of ``sppr kinerja``: sheets ``Kinerja``, ``Kinerja OPD``, ``Kinerja Klaster``
    (with clusters), ``Indikator`` and ``Isu Data``; written atomically.

    Parameters
    ----------
    result : KinerjaResult
    target : path-like
        The ``.xlsx``.
    title, region : str
        For the page headers.
    extra_headers : mapping, optional

    Returns
    -------
    Path
    """
    sheets: dict[str, pd.DataFrame] = {"Kinerja": evaluation_sheet(result), "Kinerja OPD": result.opd}
    if len(result.klaster):
        sheets["Kinerja Klaster"] = result.klaster
    sheets["Indikator"] = result.indikator
    sheets["Isu Data"] = result.issues
    hdr = {**HEADERS, **headers(result.year), **(extra_headers or {})}
    titles = {"Kinerja": f"Evaluasi kinerja {result.year}", "Kinerja OPD": "Capaian kinerja per OPD", "Kinerja Klaster": "Capaian kinerja per klaster OPD",
              "Indikator": "Capaian per indikator", "Isu Data": "Isu data kinerja"}
    return write_workbook(sheets, target, headers=hdr, title=f"{title} - Tahun {result.year}", region=region, year=result.year, sheet_titles=titles)
