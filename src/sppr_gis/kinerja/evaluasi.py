"""The Permendagri 86/2017 form *Evaluasi terhadap hasil Renja Perangkat Daerah* (a worksheet).

The form's header spans several merged rows and ends in a row numbering its columns::

    1 No | 2 Kode | 3 Urusan/Bidang/Program/Kegiatan | 4 Indikator | 5 Target Renstra (K, Rp) |
    6 Realisasi s.d. tahun lalu | 7 Target Renja tahun ini (K, Rp) | 8-11 Realisasi triwulan I-IV (K, Rp) |
    12 = 8+9+10+11 Realisasi tahun ini | 13 = 12/7*100 Tingkat capaian (%) | 14 = 6 + 12 | 15 = 14/5*100 |
    16 Perangkat daerah penanggung jawab | 17 Keterangan

Kode may be split over several cells (urusan, bidang, program, kegiatan). A row whose program/kegiatan
cell is empty and whose indicator is given is another indicator of the row above. Rows of averages and
predikat (``Rata-rata capaian kinerja``, ``Predikat kinerja``) and the signature block are not indicators.
Column 12 is taken as the form defines it (the quarters' sum; a stored value when its formula is
something else); Rp columns headed ``(000)`` are multiplied by 1,000.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from sppr_gis.errors import InputError
from sppr_gis.i18n import _
from sppr_gis.kinerja.canonical import canonical_frame

__all__ = ["find_numbering", "read_evaluasi_renja"]

_NUM = re.compile(r"^\s*(\d{1,2})(?:\s*$|\s*=)")


def _merged_top_left(ws: Any) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(row, col) of every cell inside a merged range -> (min_row, min_col, max_row, max_col)."""
    out: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        b = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                out[(r, c)] = b
    return out


def find_numbering(ws: Any, limit: int = 40) -> tuple[int, dict[int, tuple[int, int]]] | None:
    """The row numbering the form's columns, and each number's column span (1-based, inclusive).

    Parameters
    ----------
    ws : openpyxl worksheet
    limit : int
        Rows searched from the top.

    Returns
    -------
    (int, dict) or None
        The row and ``number -> (first column, last column)``; None when no row numbers at least
        ten columns 1, 2, 3, ... in order.
    """
    merged = _merged_top_left(ws)
    for r in range(1, min(ws.max_row, limit) + 1):
        found: list[tuple[int, int]] = []
        for c in range(1, ws.max_column + 1):
            v = ws.cell(r, c).value
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, (int, float)) and float(v).is_integer():
                found.append((int(v), c))
            elif isinstance(v, str) and (m := _NUM.match(v)):
                found.append((int(m.group(1)), c))
        nums = [n for n, _ in found]
        if len(nums) >= 10 and nums == list(range(1, len(nums) + 1)):
            spans = {}
            for n, c in found:
                b = merged.get((r, c))
                spans[n] = (c, b[3]) if b else (c, c)
            return r, spans
    return None


def _label(ws: Any, merged: dict, r: int, c: int) -> str:
    b = merged.get((r, c))
    v = ws.cell(b[0], b[1]).value if b else ws.cell(r, c).value
    return "" if v is None else str(v).strip()


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_formula(v: object) -> bool:
    return isinstance(v, str) and v.startswith("=")


def read_evaluasi_renja(ws: Any, wsv: Any, source: str, *, year: int | None = None, opd: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a Permendagri 86 evaluation form, as the canonical frame.

    The steps: the numbering row and the year (:func:`_form_year`), the
    columns (:func:`_layout`), the rows (:func:`_form_rows`), their OPD
    (:func:`_owners`), budgets given once (:func:`_budget_once`), then the
    canonical frame.

    Parameters
    ----------
    ws : openpyxl worksheet
        Loaded with formulas.
    wsv : openpyxl worksheet
        The same sheet loaded with the stored values (``data_only=True``).
    source : str
        File name for messages.
    year : int, optional
        The year of columns 7 and 12 when the title names none (``Tahun 2018``).
    opd : str, optional
        OPD of rows without column 16.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Canonical rows (with ``capaian_formulir``: the form's own column 13 as stored) and issues.

    Raises
    ------
    InputError
        No year, or columns 2, 3, 4, 7 or 12 missing from the numbering row.
    """
    found = find_numbering(ws)
    assert found is not None
    num_row, spans = found
    merged = _merged_top_left(ws)
    for need in (2, 3, 4, 7, 12):
        if need not in spans:
            raise InputError(_("{source}: sheet '{title}': the column numbering row {num_row} has no column {need} (Permendagri 86 evaluation form)").format(source=source, title=ws.title, num_row=num_row, need=need))
    y = _form_year(ws, num_row, year, source)
    form = _Form(ws, wsv, merged, num_row, spans)
    lay = _layout(form)
    issues_extra: list[dict] = []
    rows, opd_seen = _form_rows(form, lay, source, opd, y, issues_extra)
    _owners(rows, opd_seen, opd, issues_extra)
    _budget_once(rows, y)
    raw = pd.DataFrame(rows)
    if raw.empty:
        raise InputError(_("{source}: sheet '{title}': no program or kegiatan rows below the column numbering row {num_row}").format(source=source, title=ws.title, num_row=num_row))
    first = [row["_row"] for row in rows]
    frame, issues = canonical_frame(raw.drop(columns=["_row", "capaian_formulir"]), source, default_opd=opd, form="evaluasi_renja", row_numbers=first)
    frame["capaian_formulir"] = pd.to_numeric(pd.Series([row["capaian_formulir"] for row in rows], dtype=object), errors="coerce").to_numpy()
    if issues_extra:
        issues = pd.concat([pd.DataFrame(issues_extra), issues], ignore_index=True)
    return frame, issues


def _form_year(ws: Any, num_row: int, year: int | None, source: str) -> int:
    """The year the title above the numbering row names (``Tahun 2018``), else ``year``; neither is an InputError."""
    y = year
    for r in range(1, num_row):
        for c in range(1, min(ws.max_column, 40) + 1):
            v = ws.cell(r, c).value
            if isinstance(v, str) and (m := re.search(r"\btahun\s+(\d{4})\b", v, re.I)):
                y = int(m.group(1))
                break
        else:
            continue
        break
    if y is None:
        raise InputError(_("{source}: sheet '{title}': the form names no year (a title 'Tahun YYYY'); give the year").format(source=source, title=ws.title))
    return y


@dataclass
class _Form:
    """One evaluation form sheet: its cells (formulas and stored values), the numbering row and its column groups."""

    ws: Any
    wsv: Any
    merged: dict
    num_row: int
    spans: dict
    quarters: list = field(default_factory=list)

    def cols(self, n: int) -> tuple[int | None, int | None, int | None, float]:
        """K column, satuan column, Rp column and the Rp factor of numbered group ``n``."""
        ws, merged, num_row, spans = self.ws, self.merged, self.num_row, self.spans
        if n not in spans:
            return None, None, None, 1.0
        a, b = spans[n]
        k_cols, rp, factor = [], None, 1.0
        for c in range(a, b + 1):
            lab = _label(ws, merged, num_row - 1, c).casefold()
            if "rp" in lab:
                rp = c
                factor = 1000.0 if "000" in lab else 1.0
            else:
                k_cols.append(c)
        if a == b:
            return a, None, None, 1.0
        return (k_cols[0] if k_cols else None), (k_cols[1] if len(k_cols) > 1 else None), rp, factor

    def value(self, r: int, c: int | None) -> Any:
        """A cell's value: a number, text, or the stored value of a formula (None when not stored)."""
        ws, wsv, merged = self.ws, self.wsv, self.merged
        if c is None:
            return None
        b = merged.get((r, c))
        if b and (b[0], b[1]) != (r, c):
            return None
        v = ws.cell(r, c).value
        if _is_formula(v):
            return wsv.cell(r, c).value
        return v

    def number(self, r: int, c: int | None) -> Any:
        """A cell's value as :meth:`value`, None when blank."""
        value = self.value
        v = value(r, c)
        if _blank(v):
            return None
        return v

    def realisation(self, r: int, col12: int | None, part: int, factor: float) -> Any:
        """Column 12 (K: part 0, Rp: part 2) as the form defines it: 8 + 9 + 10 + 11."""
        ws, wsv, quarters, value = self.ws, self.wsv, self.quarters, self.value
        raw = ws.cell(r, col12).value if col12 else None
        qs = [q[part] for q in quarters]
        qv = [value(r, c) for c in qs if c is not None]
        if _is_formula(raw) or raw is None or (isinstance(raw, str) and not raw.strip()):
            if _is_formula(raw) and not all(str(cell_ref) in raw.upper() for cell_ref in [ws.cell(r, c).coordinate for c in qs if c is not None]):
                stored = wsv.cell(r, col12).value
                return stored
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if all(_blank(v) for v in qv):
                    return None
            total = 0.0
            for v in qv:
                if _blank(v):
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    total += float(v)
                else:
                    return v  # text where a number belongs: reported by the canonical reader
            return total
        return raw


class _Layout(NamedTuple):
    """The columns :func:`_form_rows` reads."""

    no_col: int | None
    kode_a: int
    kode_b: int
    name_col: int
    ind_col: int
    opd_col: int | None
    k7: int | None
    rp7: int | None
    f7: float
    k12: int | None
    rp12: int | None
    f12: float
    k13: int | None
    sat_col: int | None


def _layout(form: _Form) -> _Layout:
    """The columns of the numbered groups (target 7, realisation 12, quarters 8-11 kept on ``form``, capaian 13), satuan, kode, name, indicator, OPD."""
    ws, merged, num_row, spans, cols = form.ws, form.merged, form.num_row, form.spans, form.cols
    k7, sat7, rp7, f7 = cols(7)
    k5, sat5, _u, _u = cols(5)
    k12, _u, rp12, f12 = cols(12)
    quarters = [cols(n) for n in (8, 9, 10, 11) if n in spans]
    k13, _u, _u, _u = cols(13)
    sat_col = sat7 or sat5
    for c in range(1, ws.max_column + 1):
        if any("satuan" in _label(ws, merged, r, c).casefold() for r in range(max(1, num_row - 3), num_row)):
            sat_col = c
            break
    no_col = spans.get(1, (None, None))[0]
    kode_a, kode_b = spans[2]
    name_col, ind_col = spans[3][0], spans[4][0]
    opd_col = spans.get(16, (None, None))[0]
    form.quarters = quarters
    return _Layout(no_col, kode_a, kode_b, name_col, ind_col, opd_col, k7, rp7, f7, k12, rp12, f12, k13, sat_col)


def _form_rows(form: _Form, lay: _Layout, source: str, opd: str | None, y: int, issues_extra: list[dict]) -> tuple[list[dict], list[str | None]]:
    """The program, kegiatan and sub_kegiatan rows of the form (headings, averages and notes skipped), and each row's OPD cell."""
    ws, merged, num_row, value, number, realisation = form.ws, form.merged, form.num_row, form.value, form.number, form.realisation
    no_col, kode_a, kode_b, name_col, ind_col, opd_col, k7, rp7, f7, k12, rp12, f12, k13, sat_col = lay
    rows: list[dict] = []
    program_kode: str | None = None
    kegiatan_kode: str | None = None
    current: dict | None = None
    opd_seen: list[str | None] = []
    for r in range(num_row + 1, ws.max_row + 1):
        no = value(r, no_col) if no_col else None
        if isinstance(no, str) and no.strip() and not no.strip().isdigit():
            continue  # averages, predikat, notes
        name = value(r, name_col)
        ind = value(r, ind_col)
        name = None if _blank(name) else str(name).strip()
        ind = None if _blank(ind) else str(ind).strip()
        if name is None and ind is None:
            continue
        parts = [value(r, c) for c in range(kode_a, kode_b + 1)]
        kparts = [str(int(p)) if isinstance(p, float) and p.is_integer() else str(p).strip() for p in parts if not _blank(p)]
        kode = ".".join(kparts)
        if name is not None:
            segs = len(kode.split(".")) if kode else 0
            if re.match(r"^\s*program\b", name, re.I):
                level = "program"
            elif ind is None:
                current = None
                continue  # urusan / bidang heading
            elif segs == 6:
                level = "sub_kegiatan"
            else:
                level = "kegiatan"
            if level == "program":
                own = kode or f"baris {r}"
                induk = None
                program_kode, kegiatan_kode = own, None
            else:
                parent = kegiatan_kode if level == "sub_kegiatan" else program_kode
                own = kode if kode and kode not in (program_kode, kegiatan_kode) else f"baris {r}"
                if own.startswith("baris "):
                    issues_extra.append({"layer": source, "feature_id": f"{opd or ''} / {own}", "severity": "info", "code": "kinerja_kode_dibuat",
                                         "message": f"{source} baris {r}: {level} '{name[:40]}' tanpa kode sendiri; dinamai '{own}'", "opd": opd or "", "kode": own})
                induk = parent
                if level == "kegiatan":
                    kegiatan_kode = own
            current = {"level": level, "kode": own, "induk": induk, "uraian": name}
        elif current is None:
            continue
        o = value(r, opd_col) if opd_col else None
        if _blank(o) and opd_col and (r, opd_col) in merged:
            b = merged[(r, opd_col)]
            o = ws.cell(b[0], b[1]).value
        opd_seen.append(None if _blank(o) else str(o).strip())
        tgt = number(r, k7)
        pagu = number(r, rp7)
        rk = realisation(r, k12, 0, 1.0)
        rrp = realisation(r, rp12, 2, f12) if rp12 else None
        rows.append({
            "opd": None, "level": current["level"], "kode": current["kode"], "induk": current["induk"], "uraian": current["uraian"],
            "indikator": ind, "satuan": value(r, sat_col) if sat_col else None,
            f"target_{y}": tgt, f"realisasi_{y}": rk,
            f"pagu_{y}": pagu * f7 if isinstance(pagu, (int, float)) and not isinstance(pagu, bool) else pagu,
            f"realisasi_pagu_{y}": rrp * f12 if isinstance(rrp, (int, float)) and not isinstance(rrp, bool) else rrp,
            "capaian_formulir": value(r, k13) if k13 else None, "_row": r,
        })
    return rows, opd_seen


def _owners(rows: list[dict], opd_seen: list[str | None], opd: str | None, issues_extra: list[dict]) -> None:
    """Each row's OPD, in place: column 16, a program row taking its kegiatan's, then carried forward."""
    # OPD: column 16 (merged over a program's rows); a program row takes its kegiatan's, then carried forward
    owners = pd.Series(opd_seen, dtype=object)
    owners = owners.bfill(limit=1).ffill().fillna(opd)
    for row, o in zip(rows, owners):
        row["opd"] = o
    for item in issues_extra:  # name the OPD the row turned out to belong to
        o = next((row["opd"] for row in rows if row["kode"] == item["kode"]), None) or ""
        item["opd"], item["feature_id"] = o, f"{o} / {item['kode']}"


def _budget_once(rows: list[dict], y: int) -> None:
    """A node's budget given once, on its first row, as the sum of its rows' (in place)."""
    # the form gives Rp on every indicator row of a kegiatan and sums the rows (column 7 of the program row is
    # SUM over them): a node's budget is the sum of its rows', given once on its first row (the canonical rule)
    for money in (f"pagu_{y}", f"realisasi_pagu_{y}"):
        first_of: dict[tuple, int] = {}
        for i, row in enumerate(rows):
            key = (row["level"], row["kode"])
            v = row[money]
            if key not in first_of:
                first_of[key] = i
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                j = first_of[key]
                base = rows[j][money]
                if base is None or (isinstance(base, float) and math.isnan(base)):
                    rows[j][money] = float(v)
                elif isinstance(base, (int, float)) and not isinstance(base, bool):
                    rows[j][money] = float(base) + float(v)
                row[money] = None
