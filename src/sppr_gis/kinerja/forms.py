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

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sppr_gis.errors import AmbiguousLayerError, InputError
from sppr_gis.i18n import _
from sppr_gis.kinerja.core import ISSUE_COLUMNS, LEVELS

__all__ = ["BASE_COLUMNS", "KinerjaTable", "read_kinerja", "canonical_frame"]

#: Columns of the canonical frame besides the year columns.
BASE_COLUMNS: list[str] = ["opd", "level", "kode", "induk", "uraian", "indikator", "satuan", "arah", "sifat", "sppr", "baris", "sumber"]

_ALIASES: dict[str, tuple[str, ...]] = {
    "opd": ("opd", "perangkat_daerah", "nama_opd", "skpd", "nama_skpd", "instansi", "unit_kerja", "pd"),
    "level": ("level", "tingkat", "jenjang", "tingkatan"),
    "kode": ("kode", "kode_rekening", "kode_sub_giat", "kode_giat", "kode_program", "kode_sasaran", "kode_tujuan"),
    "induk": ("induk", "kode_induk", "parent", "kode_parent"),
    "uraian": ("uraian", "nama", "nomenklatur", "nama_sub_giat", "nama_giat", "nama_program", "sasaran_teks", "tujuan_teks", "program_kegiatan"),
    "indikator": ("indikator", "indikator_kinerja", "indikator_teks", "indikator_program", "indikator_kegiatan"),
    "satuan": ("satuan", "satuan_indikator"),
    "arah": ("arah", "polaritas", "arah_indikator"),
    "sifat": ("sifat", "sifat_indikator", "jenis_capaian", "akumulasi"),
    "sppr": ("sppr", "kunci_sppr", "sumber_sppr"),
}
_YEAR_COL = re.compile(r"(target|realisasi_pagu|realisasi_anggaran|realisasi|pagu|anggaran)_?(\d{4})")
_RENSTRA_COL = re.compile(r"(target|realisasi_target|realisasi_pagu|realisasi|pagu)_([1-9])")
_LEVEL_WORDS = {
    "tujuan": "tujuan", "sasaran": "sasaran", "program": "program", "kegiatan": "kegiatan", "giat": "kegiatan",
    "sub_kegiatan": "sub_kegiatan", "subkegiatan": "sub_kegiatan", "sub_giat": "sub_kegiatan", "subgiat": "sub_kegiatan",
}
_ARAH = {"positif": "positif", "+": "positif", "naik": "positif", "positive": "positif",
         "negatif": "negatif", "-": "negatif", "turun": "negatif", "negative": "negatif", "menurun": "negatif"}
_SIFAT = {"tahunan": "tahunan", "annual": "tahunan", "kumulatif": "kumulatif", "akumulatif": "kumulatif", "cumulative": "kumulatif"}


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


def _norm_header(h: object) -> str:
    s = str(h).strip().casefold()
    s = re.sub(r"[\s\-/.]+", "_", s)
    return re.sub(r"_+", "_", s).strip("_")


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or (isinstance(v, str) and not v.strip())


def _text(v: object) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _parse_number(v: object, thousands_dot: bool) -> float:
    from sppr_gis.prepare import parse_number  # the readers' one number parser (Indonesian separators, "Rp")

    return parse_number(v, thousands_dot=thousands_dot)


def canonical_frame(
    raw: pd.DataFrame, source: str, *, first_row: int = 2, default_opd: str | None = None, form: str = "tabel", row_numbers: list[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The canonical frame of a table whose headers follow the contract (any case, Indonesian spellings).

    Parameters
    ----------
    raw : pandas.DataFrame
        As read (object columns).
    source : str
        File name for messages.
    first_row : int
        Spreadsheet row of the first data row (for ``baris``).
    default_opd : str, optional
        OPD of rows that name none.
    form : str
        For the messages.
    row_numbers : list of int, optional
        The spreadsheet row of each row of ``raw`` (default: consecutive from ``first_row``).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Rows and reading issues.

    Raises
    ------
    InputError
        A required column (``level``, ``kode``; ``opd`` unless ``default_opd``) is missing.
    """
    cols = {_norm_header(c): c for c in raw.columns}
    rown = list(row_numbers) if row_numbers is not None else list(range(first_row, first_row + len(raw)))
    out = pd.DataFrame(index=range(len(raw)))
    for canon, names in _ALIASES.items():
        src = next((cols[nm] for nm in names if nm in cols), None)
        out[canon] = [_text(v) for v in raw[src]] if src is not None else None
    missing = [c for c in ("level", "kode") if all(nm not in cols for nm in _ALIASES[c])]
    if "opd" not in missing and default_opd is None and all(nm not in cols for nm in _ALIASES["opd"]):
        missing.insert(0, "opd")
    if missing:
        raise InputError(_("{source}: column(s) {missing} missing (a kinerja table needs opd, level, kode; headers found: {columns})").format(source=source, missing=', '.join(missing), columns=', '.join((str(c) for c in raw.columns))))
    if default_opd:
        out["opd"] = [o if o else default_opd for o in out["opd"]]
    issues: list[dict] = []

    def issue(i: int, severity: str, code: str, message: str) -> None:
        o, k = out.at[i, "opd"] or "", out.at[i, "kode"] or ""
        message = message.replace(f"baris {rown[i]}:", f"baris {rown[i]} ({o} {k}):", 1)
        issues.append({"layer": source, "feature_id": f"{o} / {k}", "severity": severity, "code": code, "message": message, "opd": o, "kode": k})

    lv = []
    for i, v in enumerate(out["level"]):
        key = _norm_header(v) if v else ""
        if key in _LEVEL_WORDS:
            lv.append(_LEVEL_WORDS[key])
        else:
            lv.append(v or "")
            issue(i, "error", "kinerja_level_tidak_dikenal", f"{source} baris {rown[i]}: level '{v or ''}' bukan salah satu dari {', '.join(LEVELS)}")
    out["level"] = lv
    for name, words, default in (("arah", _ARAH, "positif"), ("sifat", _SIFAT, "tahunan")):
        vals = []
        for i, v in enumerate(out[name]):
            if v is None:
                vals.append(default)
            elif v.casefold() in words:
                vals.append(words[v.casefold()])
            else:
                vals.append(default)
                issue(i, "warning", f"kinerja_{name}_tidak_dikenal", f"{source} baris {rown[i]}: {name} '{v}' tidak dikenal; dianggap {default}")
        out[name] = vals
    years: dict[str, object] = {}
    for nc, c in cols.items():
        m = _YEAR_COL.fullmatch(nc)
        if m:
            kind = {"anggaran": "pagu", "realisasi_anggaran": "realisasi_pagu"}.get(m.group(1), m.group(1))
            years.setdefault(f"{kind}_{m.group(2)}", c)
    for name in sorted(years, key=lambda s: (s.rsplit("_", 1)[1], s)):
        src = years[name]
        money = name.startswith(("pagu", "realisasi_pagu"))
        vals = np.full(len(raw), np.nan)
        for i, v in enumerate(raw[src]):
            try:
                vals[i] = _parse_number(v, money)
            except ValueError:
                issue(i, "error", "kinerja_bukan_angka", f"{source} baris {rown[i]}: {name} '{str(v)[:40]}' bukan angka; dianggap kosong")
                continue
            if not math.isfinite(vals[i]) and not math.isnan(vals[i]):
                vals[i] = np.nan
                issue(i, "error", "kinerja_bukan_angka", f"{source} baris {rown[i]}: {name} tidak hingga; dianggap kosong")
            elif money and vals[i] < 0:
                issue(i, "error", "kinerja_pagu_negatif", f"{source} baris {rown[i]}: {name} negatif ({vals[i]:g}); dianggap kosong")
                vals[i] = np.nan
        out[name] = vals
    out["baris"] = rown
    out["sumber"] = source
    keep = ~(out["kode"].isna() & out["indikator"].isna() & out["uraian"].isna())
    out = out[keep.to_numpy()].reset_index(drop=True)
    return out, pd.DataFrame(issues, columns=ISSUE_COLUMNS)


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
    """
    from sppr_gis.io.tables import sniff_table

    p = Path(path)
    source = p.name
    kind = sniff_table(p)
    if kind != "xlsx":
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

    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, data_only=False)
        wv = openpyxl.load_workbook(p, data_only=True)
    except Exception as exc:
        raise InputError(_("{p}: cannot be read as a workbook ({reason})").format(p=p, reason=str(exc).strip().splitlines()[0])) from None
    names = list(wb.sheetnames)
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
    frames, issue_frames, forms = [], [], set()
    for name in chosen:
        ws, wsv = wb[name], wv[name]
        from sppr_gis.kinerja.evaluasi import find_numbering, read_evaluasi_renja

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


def _header_has(raw: pd.DataFrame, canon: str) -> bool:
    cols = {_norm_header(c) for c in raw.columns}
    return any(n in cols for n in _ALIASES[canon])
