"""SIPD program codes (Permendagri 90/2019 nomenclature): parse, validate, hierarchy.

A full code is ``U.BB.PP.K.KK.SSSS``::

    1                    urusan            (U)
    1.03                 bidang urusan     (U.BB)
    1.03.10              program           (U.BB.PP)
    1.03.10.2.01         kegiatan          (U.BB.PP.K.KK)
    1.03.10.2.01.0053    sub-kegiatan      (U.BB.PP.K.KK.SSSS)

Some tools zero-pad the kegiatan's first segment (``1.03.10.02.01``); both forms
parse to the same code. Programs that serve every urusan are coded ``X.XX.PP``
in SIPD, and are accepted. Sub-activity numbers changed between nomenclature
versions, so a code is only meaningful with its version; this module checks
the shape, not membership in a particular list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sppr_gis.rules import normalize_code
from sppr_gis.validate import Finding

__all__ = ["SipdCode", "parse_code", "is_valid_code", "code_columns", "LEVELS", "Level"]

Level = Literal["urusan", "bidang", "program", "kegiatan", "sub_kegiatan"]
#: Levels by number of segments (1..6; the kegiatan spans two segments, K.KK).
LEVELS: dict[int, Level] = {1: "urusan", 2: "bidang", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}

_SEGMENTS = (
    ("urusan (U)", re.compile(r"\d|X"), "1 digit"),
    ("bidang urusan (BB)", re.compile(r"\d{2}|XX"), "2 digit"),
    ("program (PP)", re.compile(r"\d{2}"), "2 digit"),
    ("kegiatan (K)", re.compile(r"\d"), "1 digit (atau 2 dengan nol di depan)"),
    ("kegiatan (KK)", re.compile(r"\d{2}"), "2 digit"),
    ("sub-kegiatan (SSSS)", re.compile(r"\d{4}"), "4 digit"),
)


@dataclass(frozen=True)
class SipdCode:
    """A parsed SIPD code.

    Attributes
    ----------
    code : str
        The normalized code (kegiatan segment without zero padding).
    raw : str
        The text as given.
    """

    code: str
    raw: str

    @property
    def segments(self) -> tuple[str, ...]:
        """The code's segments."""
        return tuple(self.code.split("."))

    @property
    def level(self) -> Level:
        """The most detailed level the code names."""
        return LEVELS[len(self.segments)]

    def prefix(self, level: Level) -> str | None:
        """The code of ``level`` containing this one (``None`` if the code is less detailed)."""
        n = {v: k for k, v in LEVELS.items()}[level]
        segs = self.segments
        return ".".join(segs[:n]) if len(segs) >= n else None

    @property
    def urusan(self) -> str:
        """``U``."""
        return self.segments[0]

    @property
    def bidang(self) -> str | None:
        """``U.BB``."""
        return self.prefix("bidang")

    @property
    def program(self) -> str | None:
        """``U.BB.PP``."""
        return self.prefix("program")

    @property
    def kegiatan(self) -> str | None:
        """``U.BB.PP.K.KK``."""
        return self.prefix("kegiatan")

    @property
    def sub_kegiatan(self) -> str | None:
        """``U.BB.PP.K.KK.SSSS``."""
        return self.prefix("sub_kegiatan")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"\s+", "", str(value)).upper()


def parse_code(value: object) -> SipdCode:
    """Parse and validate one SIPD code.

    Parameters
    ----------
    value : object
        The code as read (text; a number read from a spreadsheet cell is
        accepted if its text is a valid code).

    Returns
    -------
    SipdCode

    Raises
    ------
    ValueError
        The code is blank or malformed; the message (Indonesian) says which
        segment is wrong and what it should look like.

    Examples
    --------
    >>> parse_code("1.03.10.02.01.0053").code
    '1.03.10.2.01.0053'
    >>> parse_code("1.03.10").level
    'program'
    """
    text = _text(value)
    if not text:
        raise ValueError("kode kosong")
    shown = re.sub(r"\s+", "", str(value))
    parts = text.split(".")
    if len(parts) not in LEVELS:
        hint = " (kegiatan terdiri atas dua segmen K.KK)" if len(parts) == 4 else ""
        raise ValueError(f"kode '{shown}' memiliki {len(parts)} segmen; kode SIPD berbentuk U.BB.PP.K.KK.SSSS (1, 2, 3, 5 atau 6 segmen){hint}")
    norm = normalize_code(text).split(".")
    for i, seg in enumerate(norm):
        name, pattern, shape = _SEGMENTS[i]
        if not pattern.fullmatch(seg):
            extra = ""
            if isinstance(value, float):
                extra = "; sel terbaca sebagai angka, simpan kolom kode sebagai teks"
            raise ValueError(f"kode '{shown}': segmen {name} '{shown.split('.')[i]}' harus {shape}{extra}")
    if (norm[0] == "X") != (len(norm) > 1 and norm[1] == "XX"):
        raise ValueError(f"kode '{shown}': kode lintas urusan ditulis X.XX")
    return SipdCode(code=".".join(norm), raw=str(value))


def is_valid_code(value: object) -> bool:
    """Whether ``value`` is a well-formed SIPD code."""
    try:
        parse_code(value)
    except ValueError:
        return False
    return True


def code_columns(
    codes: pd.Series | Sequence[object],
    *,
    layer: str | Sequence[str] = "rencana",
    ids: Sequence[object] | None = None,
    field: str = "kode",
) -> tuple[pd.DataFrame, list[Finding]]:
    """Normalized codes and their hierarchy, with a finding per malformed code.

    Parameters
    ----------
    codes : pandas.Series or sequence
        The codes as read.
    layer : str or sequence of str
        Layer label for the findings (one, or one per code).
    ids : sequence, optional
        Feature ids for the findings (default: 1-based positions).
    field : str
        Field name, for the messages.

    Returns
    -------
    table : pandas.DataFrame
        Positional rows: ``kode_sipd`` (normalized, empty when invalid),
        ``kode_valid`` (bool), ``kode_level``, ``kode_urusan``, ``kode_bidang``,
        ``kode_program``, ``kode_kegiatan``, ``kode_sub_kegiatan``.
    findings : list of Finding
        ``kode_sipd_tidak_valid`` (warning) for each malformed code; blank codes
        give one ``kode_sipd_kosong`` (info) finding for the layer.
    """
    values = list(codes)
    ids = [f"#{i + 1}" for i in range(len(values))] if ids is None else list(ids)
    cols: dict[str, list[object]] = {k: [] for k in ("kode_sipd", "kode_valid", "kode_level", "kode_urusan", "kode_bidang", "kode_program", "kode_kegiatan", "kode_sub_kegiatan")}
    findings: list[Finding] = []
    blank = 0
    layers = [layer] * len(values) if isinstance(layer, str) else list(layer)
    for lab, fid, v in zip(layers, ids, values):
        try:
            c: SipdCode | None = parse_code(v)
        except ValueError as exc:
            c = None
            if _text(v):
                where = "" if field == "kode" else f"{field}: "
                findings.append(Finding(lab, str(fid), "warning", "kode_sipd_tidak_valid", f"{where}{exc}"))
            else:
                blank += 1
        cols["kode_sipd"].append(c.code if c else None)
        cols["kode_valid"].append(c is not None)
        cols["kode_level"].append(c.level if c else None)
        cols["kode_urusan"].append(c.urusan if c else None)
        cols["kode_bidang"].append(c.bidang if c else None)
        cols["kode_program"].append(c.program if c else None)
        cols["kode_kegiatan"].append(c.kegiatan if c else None)
        cols["kode_sub_kegiatan"].append(c.sub_kegiatan if c else None)
    if blank:
        findings.append(Finding(layer if isinstance(layer, str) else "rencana", "", "info", "kode_sipd_kosong", f"{blank} program tanpa {field} (kode SIPD)"))
    table = pd.DataFrame(cols)
    for k in table.columns:
        if k != "kode_valid":
            table[k] = table[k].astype("string")
    table["kode_valid"] = table["kode_valid"].astype(bool)
    return table, findings
