"""The canonical frame of the performance cascade: the contract's columns, their aliases, and the reading of one table.

Every form :mod:`sppr_gis.kinerja.forms` reads (the contract's table, Renstra exports, and through
:mod:`sppr_gis.kinerja.evaluasi` the Permendagri 86/2017 evaluation form) ends in
:func:`canonical_frame`. Headers in any case, with spaces or underscores, and Indonesian spellings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from sppr_gis.errors import InputError
from sppr_gis.kinerja.core import ISSUE_COLUMNS, LEVELS
from sppr_gis.text import parse_number
from sppr_gis.i18n import _

__all__ = ["BASE_COLUMNS", "canonical_frame"]

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
_LEVEL_WORDS = {
    "tujuan": "tujuan", "sasaran": "sasaran", "program": "program", "kegiatan": "kegiatan", "giat": "kegiatan",
    "sub_kegiatan": "sub_kegiatan", "subkegiatan": "sub_kegiatan", "sub_giat": "sub_kegiatan", "subgiat": "sub_kegiatan",
}
_ARAH = {"positif": "positif", "+": "positif", "naik": "positif", "positive": "positif",
         "negatif": "negatif", "-": "negatif", "turun": "negatif", "negative": "negatif", "menurun": "negatif"}
_SIFAT = {"tahunan": "tahunan", "annual": "tahunan", "kumulatif": "kumulatif", "akumulatif": "kumulatif", "cumulative": "kumulatif"}


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
    return parse_number(v, thousands_dot=thousands_dot)  # the readers' one number parser (Indonesian separators, "Rp")


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

    Notes
    -----
    The steps: columns found, levels, ``arah``, ``sifat``, the year columns (:func:`_year_columns`), empty rows dropped.
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
    _year_columns(out, raw, cols, source, rown, issue)
    out["baris"] = rown
    out["sumber"] = source
    keep = ~(out["kode"].isna() & out["indikator"].isna() & out["uraian"].isna())
    out = out[keep.to_numpy()].reset_index(drop=True)
    return out, pd.DataFrame(issues, columns=ISSUE_COLUMNS)
def _year_columns(out: pd.DataFrame, raw: pd.DataFrame, cols: dict[str, object], source: str, rown: list[int], issue: Callable[[int, str, str, str], None]) -> None:
    """The ``target_YYYY``, ``realisasi_YYYY``, ``pagu_YYYY`` ... columns of ``raw`` parsed into ``out`` (sorted by year)."""
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


