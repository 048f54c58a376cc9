"""Conformance verdicts from zone shares and the ITBX matrix (contract: ``sppr check``, Meaning)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sppr_gis.rules import CLASS_NAME, CLASS_ORDER, CLASS_WEIGHT, Rules, activity_key
from sppr_gis.text import persen
from sppr_gis.vocabulary import STATUS_RANK, STATUSES

__all__ = ["assess", "combine_parts", "STATUSES", "STATUS_RANK", "Status"]

Status = Literal["sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"]
_LETTERS = np.array(["I", "T", "B", "X"], dtype=object)
# STATUSES and STATUS_RANK (how restrictive each status is: a collection takes its most restrictive part's)
# live in sppr_gis.vocabulary.


def assess(
    pairs: pd.DataFrame,
    unzoned: np.ndarray,
    activities: pd.Series,
    rules: Rules,
    *,
    min_share: float = 0.01,
    empty_reason: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Status, ITBX class, score, dominant zone and explanation per program.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Zone shares: ``prog`` (0..n-1), ``zone_code``, ``measure``, ``share``.
    unzoned : numpy.ndarray
        Unzoned share per program (NaN when the geometry cannot be measured).
    activities : pandas.Series
        Activity per program (length n, positional), as in the rules' vocabulary.
    rules : Rules
        The ITBX matrix.
    min_share : float
        Zones with a smaller share are not counted.
    empty_reason : pandas.Series, optional
        Text explaining why a program has no measurable geometry (positional).

    Returns
    -------
    verdict : pandas.DataFrame
        n rows (positional): ``status``, ``itbx``, ``score``, ``dominant_zone``,
        ``unzoned_share``, ``zones``, ``syarat``, ``keterangan``.
    shares : pandas.DataFrame
        ``pairs`` with ``itbx``, ``cell`` (the cell text) and ``counted`` added.

    Notes
    -----
    The steps: each pair's ITBX cell and whether its share counts, each program's status, worst
    class and score (:func:`_status`), its dominant zone (:func:`_dominant`) and its texts (:func:`_texts`).
    """
    n = len(activities)
    # activity keys, worked out once per distinct activity text
    acts = activities.astype(object).where(activities.notna(), None).tolist()
    memo: dict[object, object] = {}
    akeys = np.array([memo[a] if a in memo else memo.setdefault(a, activity_key(a)) for a in acts], dtype=object)
    known = np.array([k in rules.activities for k in akeys], dtype=bool)
    sh = pairs.copy()
    prog = sh["prog"].to_numpy(dtype=np.int64)
    sh_keys = akeys[prog] if len(sh) else np.array([], dtype=object)
    column: dict[object, object] = {}  # zoning code -> matrix column (case and blanks ignored), once per code
    cells = [rules.cells.get((a, column[z] if z in column else column.setdefault(z, rules.zone_column(z)))) for a, z in zip(sh_keys, sh["zone_code"])]
    sh["itbx"] = pd.array([c.cls if c else None for c in cells], dtype="string")
    sh["cell"] = pd.array([c.raw if c else None for c in cells], dtype="string")
    counted = sh["share"].to_numpy() >= min_share
    sh["counted"] = counted
    order = np.array([CLASS_ORDER[c.cls] if c else -1 for c in cells], dtype=np.int64)
    weight = np.array([CLASS_WEIGHT[c.cls] if c else 0.0 for c in cells])
    has_rule = order >= 0
    share = sh["share"].to_numpy()
    status, itbx, score, u = _status(prog, n, counted, order, has_rule, share, weight, known, unzoned, min_share)

    dominant = _dominant(prog, sh["zone_code"].to_numpy(dtype=object), share, order, n)

    zones_txt, syarat_txt, notes = _texts(prog, sh["zone_code"].to_numpy(dtype=object), share, cells, counted, status, activities, known, u, empty_reason, rules, min_share)
    verdict = pd.DataFrame(
        {
            "status": status,
            "itbx": pd.array(itbx, dtype="string"),
            "score": score,
            "dominant_zone": pd.array(dominant, dtype="string"),
            "unzoned_share": u,
            "zones": zones_txt,
            "syarat": syarat_txt,
            "keterangan": notes,
        }
    )
    return verdict, sh


def _status(
    prog: np.ndarray, n: int, counted: np.ndarray, order: np.ndarray, has_rule: np.ndarray, share: np.ndarray, weight: np.ndarray,
    known: np.ndarray, unzoned: np.ndarray, min_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each program's status, worst ITBX class and score from its counted shares (and the unzoned share, as floats)."""
    def per_prog(values: np.ndarray) -> np.ndarray:
        return np.bincount(prog, weights=values, minlength=n)

    n_counted = per_prog(counted.astype(float))
    n_x = per_prog((counted & (order == 3)).astype(float))
    n_norule = per_prog((counted & ~has_rule).astype(float))
    rated = counted & has_rule
    w_sum = per_prog(np.where(rated, share * weight, 0.0))
    s_sum = per_prog(np.where(rated, share, 0.0))
    worst = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst, prog[rated], order[rated])

    u = np.asarray(unzoned, dtype=float)
    unmeasured = np.isnan(u)
    status = np.full(n, "sesuai", dtype=object)
    status[worst >= 1] = "sesuai_bersyarat"
    review = ~known | (n_norule > 0) | (np.nan_to_num(u, nan=1.0) >= min_share) | (n_counted == 0) | unmeasured
    status[review] = "perlu_kajian"
    status[n_x > 0] = "tidak_sesuai"
    itbx = np.where(worst >= 0, _LETTERS[np.clip(worst, 0, 3)], None)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(s_sum > 0, 100.0 * w_sum / s_sum, np.nan)
    score[status == "perlu_kajian"] = np.nan
    return status, itbx, score, u


#: Shares closer than this are equal when choosing the dominant zone (a 50/50 split measured in floating point).
TIE_TOLERANCE = 1e-9


def _dominant(prog: np.ndarray, codes: np.ndarray, share: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """Dominant zone per program: the largest share; shares equal within :data:`TIE_TOLERANCE` are
    a tie, broken by the most restrictive ITBX class for the program's activity (X > B > T > I >
    no rule), then by the zone code (the first in sort order)."""
    dominant = np.full(n, None, dtype=object)
    if not len(prog):
        return dominant
    top = np.full(n, -np.inf)
    np.maximum.at(top, prog, share)
    tied = share >= top[prog] - TIE_TOLERANCE
    cand = pd.DataFrame({"prog": prog[tied], "order": -order[tied], "code": codes[tied].astype(str)})
    best = cand.sort_values(["prog", "order", "code"], kind="stable").drop_duplicates("prog")
    dominant[best["prog"].to_numpy()] = codes[tied][best.index.to_numpy()]
    return dominant


def _pct(values: np.ndarray, decimals: int = 1) -> np.ndarray:
    """Shares in [0, 1] as Indonesian percentages (``72,5%``), vectorized (as :func:`persen`)."""
    if not len(values):
        return np.zeros(0, dtype=object)
    txt = np.char.mod(f"%.{decimals}f", 100.0 * np.asarray(values, dtype=float))
    return np.char.add(np.char.replace(txt, ".", ","), "%").astype(object)


def _join(prog: np.ndarray, text: np.ndarray, n: int, sep: str) -> np.ndarray:
    """Texts joined per program, in row order (``prog`` is sorted); "" for programs without rows."""
    out = np.full(n, "", dtype=object)
    if len(prog):
        prog = np.asarray(prog, dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(prog[1:] != prog[:-1]) + 1]
        ends = np.r_[starts[1:], len(prog)]
        items = list(text)
        out[prog[starts]] = [sep.join(items[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
    return out


def _texts(
    prog: np.ndarray,
    codes: np.ndarray,
    share: np.ndarray,
    cells: list,
    counted: np.ndarray,
    status: np.ndarray,
    activities: pd.Series,
    known: np.ndarray,
    u: np.ndarray,
    empty_reason: pd.Series | None,
    rules: Rules,
    min_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``zones``, ``syarat`` and ``keterangan`` for every program, built column-wise.

    The explanation, in this order: an unknown activity; the counted zones with
    their share and cell (``Zona R-2 72,5% (T1: terbatas).``), or why there are
    none; the zones ignored below ``min_share``; the unzoned part; the verdict.
    """
    n = len(status)
    has_cell = np.array([c is not None for c in cells], dtype=bool)
    raw = np.array([c.raw if c is not None else "" for c in cells], dtype=object)
    cls = np.array([c.cls if c is not None else "" for c in cells], dtype=object)
    p1 = _pct(share)
    head = codes.astype(str).astype(object) + " " + p1 if len(codes) else np.zeros(0, dtype=object)
    zones_txt = _join(prog, head, n, "; ")

    # conditions of the counted cells, first occurrence per program, with their texts
    conds = [(int(p), c) for p, cell, k in zip(prog, cells, counted) if k and cell is not None for c in cell.conditions]
    syarat_txt = np.full(n, "", dtype=object)
    if conds:
        cd = pd.DataFrame(conds, columns=["prog", "cond"]).drop_duplicates()
        label = cd["cond"].map(lambda c: f"{c}: {rules.condition_texts[c]}" if c in rules.condition_texts else c)
        syarat_txt = _join(cd["prog"].to_numpy(), label.to_numpy(dtype=object), n, "; ")

    # counted zones
    names = np.array([CLASS_NAME.get(c, "") for c in cls], dtype=object)
    bit = np.where(has_cell, head + " (" + raw + ": " + names + ")", head + " (belum diatur)") if len(codes) else head
    zone_list = _join(prog[counted], bit[counted], n, ", ")
    ignored = ~counted
    ignored_list = _join(prog[ignored], (codes[ignored].astype(str).astype(object) + " " + _pct(share[ignored], 2)) if ignored.any() else np.zeros(0, dtype=object), n, ", ")
    has_ignored = np.bincount(prog[ignored], minlength=n) > 0
    x_rows = counted & has_cell & (cls == "X")
    x_list = _join(prog[x_rows], codes[x_rows].astype(str).astype(object), n, ", ")

    acts = list(activities)
    unknown = np.array(
        [
            ""
            if known[i]
            else (f"Kegiatan '{a}' tidak ada dalam matriks ITBX.{_did_you_mean(rules, a)}" if (a is not None and not (isinstance(a, float) and np.isnan(a)) and str(a)) else "Kegiatan tidak diisi.")
            for i, a in enumerate(acts)
        ],
        dtype=object,
    )
    uu = np.nan_to_num(u, nan=0.0)
    zone_part = np.where(
        zone_list != "",
        "Zona " + zone_list + ".",
        np.where((uu < 1.0) | ~has_ignored, np.where(uu >= 1.0, "Tidak berada di zona mana pun.", "Tidak ada zona dengan porsi yang dihitung."), ""),
    ).astype(object)
    ignored_part = np.where(has_ignored, f"Diabaikan (< {persen(min_share)}): " + ignored_list + ".", "").astype(object)
    unzoned_part = np.where(uu >= min_share, _pct(uu) + " di luar zona.", "").astype(object)
    verdict_part = np.select(
        [status == "tidak_sesuai", status == "perlu_kajian", status == "sesuai_bersyarat"],
        ["Tidak sesuai: dilarang (X) di " + x_list + ".", "Perlu kajian.", "Sesuai bersyarat."],
        "Sesuai.",
    ).astype(object)
    parts = pd.DataFrame({"a": unknown, "z": zone_part, "i": ignored_part, "u": unzoned_part, "v": verdict_part})
    notes = parts["a"].to_numpy(dtype=object)
    for col in ("z", "i", "u", "v"):
        nxt = parts[col].to_numpy(dtype=object)
        notes = np.where((notes != "") & (nxt != ""), notes + " " + nxt, notes + nxt)
    reasons = [None] * n if empty_reason is None else list(empty_reason)
    for i in np.flatnonzero(np.isnan(u)):
        notes[i] = str(reasons[i]) if reasons[i] else "Geometri kosong atau tanpa luas/panjang; lokasi tidak dapat dinilai."
    return zones_txt, syarat_txt, notes.astype(object)




def combine_parts(verdict: pd.DataFrame, shares: pd.DataFrame, owner: np.ndarray, bagian: np.ndarray, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Program verdicts from the verdicts of their parts (a collection's polygons, lines, points).

    A program of one unit keeps its unit's verdict. A collection split into parts
    (contract: "Every part of a program counts") takes the verdict of its
    *deciding* part: the most restrictive status (tidak_sesuai > perlu_kajian >
    sesuai_bersyarat > sesuai), ties broken by the lower score, then by the higher
    dimension. From that part come ``status``, ``score``, ``dominant_zone`` and
    ``unzoned_share``; ``itbx`` is the most restrictive class over all parts;
    ``zones`` and ``syarat`` list every part; ``keterangan`` names the deciding
    part and explains each part.

    Parameters
    ----------
    verdict, shares : pandas.DataFrame
        :func:`assess` of the units (``shares["prog"]`` is the unit).
    owner : numpy.ndarray
        The program of each unit (units of one program consecutive, highest dimension first).
    bagian : numpy.ndarray
        The part name of each unit (None for a whole program).
    n : int
        Number of programs.

    Returns
    -------
    verdict : pandas.DataFrame
        n rows (positional), the columns of :func:`assess`.
    shares : pandas.DataFrame
        The units' shares with ``prog`` the program, ``part`` the unit and ``bagian``.
    """
    owner = np.asarray(owner, dtype=np.int64)
    unit = shares["prog"].to_numpy(dtype=np.int64)
    sh = shares.assign(part=unit, prog=owner[unit] if len(unit) else unit, bagian=pd.array(bagian[unit] if len(unit) else [], dtype="string"))
    sh = sh.sort_values(["prog", "part", "zone_code"], kind="stable").reset_index(drop=True)
    status = verdict["status"].to_numpy(dtype=object)
    rank = np.array([STATUS_RANK[s] for s in status], dtype=np.int64)
    score = verdict["score"].to_numpy(dtype=float)
    # deciding unit: highest rank, then lowest score (NaN last), then the first (highest dimension)
    order = np.lexsort((np.arange(len(owner)), np.nan_to_num(score, nan=np.inf), -rank, owner))
    first_of = np.r_[True, owner[order][1:] != owner[order][:-1]]
    decide = order[first_of]  # one unit per program, in program order
    out = verdict.iloc[decide].reset_index(drop=True).copy()
    letters = verdict["itbx"].astype(object).to_numpy()
    cls = np.array([CLASS_ORDER[c] if isinstance(c, str) and c in CLASS_ORDER else -1 for c in letters], dtype=np.int64)
    worst = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst, owner, cls)
    out["itbx"] = pd.array(np.where(worst >= 0, _LETTERS[np.clip(worst, 0, 3)], None), dtype="string")
    split = np.flatnonzero(np.bincount(owner, minlength=n) > 1)
    if len(split):
        zones = out["zones"].to_numpy(dtype=object).copy()
        syarat = out["syarat"].to_numpy(dtype=object).copy()
        notes = out["keterangan"].to_numpy(dtype=object).copy()
        units_of = pd.Series(np.arange(len(owner))).groupby(owner).apply(list)
        for p in split:
            us = units_of[p]
            d = decide[p]
            names = [str(bagian[u]) for u in us]
            zones[p] = " | ".join(f"{bagian[u]}: {verdict['zones'].iloc[u]}" for u in us if verdict["zones"].iloc[u])
            conds: list[str] = []
            for u in us:
                for c in str(verdict["syarat"].iloc[u] or "").split("; "):
                    if c and c not in conds:
                        conds.append(c)
            syarat[p] = "; ".join(conds)
            head = f"Kumpulan geometri ({', '.join(names)}), dinilai per bagian: bagian {bagian[d]} menentukan status ({status[d]})."
            notes[p] = " ".join([head, *(f"Bagian {bagian[u]}: {verdict['keterangan'].iloc[u]}" for u in us)])
        out["zones"], out["syarat"], out["keterangan"] = zones, syarat, notes
    return out, sh


def _did_you_mean(rules: Rules, activity: object) -> str:
    """`` Maksud Anda '...'?`` for an activity close to one of the matrix (keterangan is Indonesian), else ''."""
    close = rules.suggest_activity(activity)
    return f" Maksud Anda '{close}'?" if close else ""
