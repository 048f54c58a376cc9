"""Reading the performance cascade as agencies deliver it.

Three forms, told apart by their header rows:

- **the contract's table** (one row per indicator): ``opd, level, kode, induk, uraian, indikator, satuan,
  arah, sifat, target_YYYY, realisasi_YYYY, pagu_YYYY, realisasi_pagu_YYYY`` and an optional ``sppr``;
  headers in any case, with spaces or underscores, and Indonesian spellings (``perangkat_daerah``,
  ``tingkat``, ``kode_induk``, ``nama``, ``indikator_kinerja``, ``anggaran_2025`` ...);
- **Renstra exports** (SIPD clones such as wp-sipd): ``target_1..5``, ``realisasi_target_1..5`` (or
  ``realisasi_1..5``), ``pagu_1..5`` for the five years of the Renstra from ``tahun_awal`` (a column, or
  ``[kinerja] tahun_awal``); the level from a ``level`` column or from sheet names ``tujuan``,
  ``sasaran``, ``program``, ``kegiatan``, ``sub_kegiatan``;
- **the Permendagri 86/2017 evaluation form of Renja results** (Lampiran, *Evaluasi terhadap hasil
  Renja Perangkat Daerah*): merged header rows over a row numbering the columns 1..17 (``12 = 8+9+10+11``,
  ``13 = 12/7*100``): 2 kode (split over several cells), 3 program/kegiatan, 4 indikator, 7 the year's
  target in K and Rp, 8-11 the quarters' realisations, 12 the year's realisation, 16 the responsible
  OPD. Rp columns headed ``Rp. (000)`` are in thousands.

Every form becomes the canonical frame (:data:`BASE_COLUMNS` plus the year columns, ``baris``, the
spreadsheet row, and ``sumber``, the file). Bad cells are issue rows (OPD and kode named); the row stays.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sppr_gis.errors import AmbiguousLayerError, InputError
from sppr_gis.io.tables import sniff_table
from sppr_gis.kinerja.canonical import _ALIASES, _LEVEL_WORDS, _YEAR_COL, BASE_COLUMNS, _blank, _norm_header, canonical_frame
from sppr_gis.kinerja.evaluasi import find_numbering, read_evaluasi_renja
from sppr_gis.i18n import _

__all__ = ["BASE_COLUMNS", "KinerjaTable", "read_kinerja", "canonical_frame"]

_RENSTRA_COL = re.compile(r"(target|realisasi_target|realisasi_pagu|realisasi|pagu)_([1-9])")


@dataclass
class KinerjaTable:
    """What :func:`read_kinerja` returns.

    Attributes
    ----------
    frame : pandas.DataFrame
        Canonical rows (numbers as floats, NaN where blank or not a number).
    issues : pandas.DataFrame
        Reading issues (:data:`sppr_gis.kinerja.core.ISSUE_COLUMNS`).
    form : str
        ``tabel`` | ``renstra`` | ``evaluasi_renja``.
    source : str
        The file's name, for messages and issue rows.
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    form: str
    source: str


def _renstra(raw: pd.DataFrame, source: str, tahun_awal: int | None, sheet_level: str | None) -> pd.DataFrame:
    cols = {_norm_header(c): c for c in raw.columns}
    start = tahun_awal
    col_start = next((cols[c] for c in ("tahun_awal", "tahun_mulai", "awal_periode", "tahun_awal_renstra") if c in cols), None)
    if col_start is not None:
        vals = {int(float(v)) for v in raw[col_start] if not _blank(v)}
        if len(vals) == 1:
            start = vals.pop()
        elif len(vals) > 1:
            raise InputError(_("{source}: column {col_start} names several start years ({vals}); one Renstra period per file").format(source=source, col_start=col_start, vals=', '.join((str(v) for v in sorted(vals)))))
    if start is None:
        raise InputError(_("{source}: a Renstra export (target_1..5) needs its first year: a tahun_awal column, or tahun_awal in the config's [kinerja] table").format(source=source))
    ren = {}
    for nc, c in cols.items():
        m = _RENSTRA_COL.fullmatch(nc)
        if m:
            kind = {"realisasi_target": "realisasi"}.get(m.group(1), m.group(1))
            ren[c] = f"{kind}_{start + int(m.group(2)) - 1}"
    df = raw.rename(columns=ren)
    if sheet_level is not None and all(nm not in cols for nm in _ALIASES["level"]):
        df = df.assign(level=sheet_level)
    return df


def _is_renstra(columns: list[object]) -> bool:
    return any(_RENSTRA_COL.fullmatch(_norm_header(c)) for c in columns)


def _header_index(rows: list[list[Any]], limit: int = 20) -> int | None:
    """The first row (0-based) that holds ``kode`` and either ``level`` or year columns."""
    for i, row in enumerate(rows[:limit]):
        names = {_norm_header(v) for v in row if not _blank(v)}
        has_kode = any(n in names for n in _ALIASES["kode"])
        if has_kode and (any(n in names for n in _ALIASES["level"]) or any(_YEAR_COL.fullmatch(n) or _RENSTRA_COL.fullmatch(n) for n in names)):
            return i
    return None


def read_kinerja(path: str | os.PathLike[str], *, sheet: str | None = None, year: int | None = None, tahun_awal: int | None = None, opd: str | None = None) -> KinerjaTable:
    """Read a kinerja input: the contract's table, a Renstra export, or a Permendagri 86 evaluation form.

    Parameters
    ----------
    path : path-like
        CSV or XLSX.
    sheet : str, optional
        The sheet to read (a workbook with several sheets and none named is read whole only when its
        sheets are named after the levels).
    year : int, optional
        The year of a Permendagri 86 form's target and realisation columns when its title names none.
    tahun_awal : int, optional
        First year of a Renstra export's ``target_1..5``.
    opd : str, optional
        OPD of rows that name none (a form without column 16; default: the file's stem).

    Returns
    -------
    KinerjaTable

    Raises
    ------
    InputError
        Unreadable file, missing columns, no header found.
    AmbiguousLayerError
        Several sheets, none named, and not one per level.

    Notes
    -----
    The steps: a CSV read whole (:func:`_read_text_table`); a workbook's sheets chosen
    (:func:`_chosen_sheets`), each read as a Permendagri 86 form (:func:`read_evaluasi_renja`) or a
    table under its header row (a Renstra export first made canonical), then joined.
    """
    p = Path(path)
    source = p.name
    kind = sniff_table(p)
    if kind != "xlsx":
        return _read_text_table(p, kind, tahun_awal=tahun_awal, opd=opd)

    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, data_only=False)
        wv = openpyxl.load_workbook(p, data_only=True)
    except Exception as exc:
        raise InputError(_("{p}: cannot be read as a workbook ({reason})").format(p=p, reason=str(exc).strip().splitlines()[0])) from None
    names = list(wb.sheetnames)
    chosen = _chosen_sheets(p, names, sheet)
    frames, issue_frames, forms = [], [], set()
    for name in chosen:
        ws, wsv = wb[name], wv[name]
        if find_numbering(ws) is not None:
            f, iss = read_evaluasi_renja(ws, wsv, source, year=year, opd=opd or p.stem)
            forms.add("evaluasi_renja")
        else:
            rows = [list(r) for r in wsv.iter_rows(values_only=True)]
            h = _header_index(rows)
            if h is None:
                raise InputError(_("{p}: sheet '{name}': no header row with kode and level or target_YYYY columns in the first 20 rows").format(p=p, name=name))
            raw = pd.DataFrame(rows[h + 1:], columns=[str(c) if c is not None else f"kolom_{j + 1}" for j, c in enumerate(rows[h])], dtype=object)
            level_from_sheet = _LEVEL_WORDS.get(_norm_header(name))
            if _is_renstra(list(raw.columns)):
                raw = _renstra(raw, source, tahun_awal, level_from_sheet)
                forms.add("renstra")
            else:
                if level_from_sheet is not None and _header_has(raw, "level") is False:
                    raw = raw.assign(level=level_from_sheet)
                forms.add("tabel")
            f, iss = canonical_frame(raw, source, first_row=h + 2, default_opd=opd)
        frames.append(f)
        issue_frames.append(iss)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    issues = pd.concat(issue_frames, ignore_index=True) if len(issue_frames) > 1 else issue_frames[0]
    return KinerjaTable(frame, issues, "+".join(sorted(forms)), source)


def _read_text_table(p: Path, kind: str, *, tahun_awal: int | None, opd: str | None) -> KinerjaTable:
    """A CSV kinerja input: the contract's table or a Renstra export."""
    source = p.name
    try:
        raw = pd.read_csv(p, sep=None, engine="python", dtype=str, keep_default_na=False, encoding="utf-16" if kind == "utf-16" else "utf-8-sig")
    except Exception as exc:
        raise InputError(_("{p}: cannot be read as a table ({reason})").format(p=p, reason=str(exc).strip().splitlines()[0])) from None
    raw = raw.replace("", None)
    form = "renstra" if _is_renstra(list(raw.columns)) else "tabel"
    if form == "renstra":
        raw = _renstra(raw, source, tahun_awal, None)
    frame, issues = canonical_frame(raw, source, default_opd=opd)
    return KinerjaTable(frame, issues, form, source)


def _chosen_sheets(p: Path, names: list[str], sheet: str | None) -> list[str]:
    """The sheets to read: the one named, the only one, or one per level."""
    if sheet is not None:
        if sheet not in names:
            raise InputError(_("{p}: no sheet named '{sheet}' (sheets: {names})").format(p=p, sheet=sheet, names=', '.join(names)))
        chosen = [sheet]
    elif len(names) == 1:
        chosen = names
    elif all(_norm_header(n) in _LEVEL_WORDS for n in names):
        chosen = names
    else:
        raise AmbiguousLayerError(_("{p}: {n} sheets and none named ({names}); name one as {p}:{names2} (sheet = \"...\" in a config)").format(p=p, n=len(names), names=', '.join(names), names2=names[0]), path=str(p), layers=tuple(names))
    return chosen


def _header_has(raw: pd.DataFrame, canon: str) -> bool:
    cols = {_norm_header(c) for c in raw.columns}
    return any(n in cols for n in _ALIASES[canon])
