"""Conformance verdicts from zone shares and the ITBX matrix (contract: ``sppr check``, Meaning)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sppr_gis.rules import CLASS_NAME, CLASS_ORDER, CLASS_WEIGHT, Rules, activity_key
from sppr_gis.text import persen

__all__ = ["assess", "STATUSES", "Status"]

Status = Literal["sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"]
STATUSES: tuple[str, ...] = ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian")
_LETTERS = np.array(["I", "T", "B", "X"], dtype=object)


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
    """
    n = len(activities)
    akeys = np.array([activity_key(a) for a in activities], dtype=object)
    known = np.array([k in rules.activities for k in akeys], dtype=bool)
    sh = pairs.copy()
    prog = sh["prog"].to_numpy(dtype=np.int64)
    sh_keys = akeys[prog] if len(sh) else np.array([], dtype=object)
    cells = [rules.cells.get((a, z)) for a, z in zip(sh_keys, sh["zone_code"])]
    sh["itbx"] = pd.array([c.cls if c else None for c in cells], dtype="string")
    sh["cell"] = pd.array([c.raw if c else None for c in cells], dtype="string")
    counted = sh["share"].to_numpy() >= min_share
    sh["counted"] = counted
    order = np.array([CLASS_ORDER[c.cls] if c else -1 for c in cells], dtype=np.int64)
    weight = np.array([CLASS_WEIGHT[c.cls] if c else 0.0 for c in cells])
    has_rule = order >= 0
    share = sh["share"].to_numpy()

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

    # dominant zone: largest share, ties broken by code (pairs are sorted by prog, zone_code)
    dominant = np.full(n, None, dtype=object)
    if len(sh):
        best = sh.assign(_neg=-share).sort_values(["prog", "_neg", "zone_code"], kind="stable").drop_duplicates("prog")
        dominant[best["prog"].to_numpy()] = best["zone_code"].to_numpy()

    zones_txt = np.full(n, "", dtype=object)
    syarat_txt = np.full(n, "", dtype=object)
    notes = np.full(n, "", dtype=object)
    by_prog: dict[int, list[int]] = {}
    for i, p in enumerate(prog):
        by_prog.setdefault(int(p), []).append(i)
    codes = sh["zone_code"].to_numpy(dtype=object)
    act_list = list(activities)
    reasons = [None] * n if empty_reason is None else list(empty_reason)
    for p in range(n):
        rows = by_prog.get(p, [])
        zones_txt[p] = "; ".join(f"{codes[i]} {persen(share[i])}" for i in rows)
        conds: list[str] = []
        for i in rows:
            c = cells[i]
            if counted[i] and c is not None:
                for cond in c.conditions:
                    if cond not in conds:
                        conds.append(cond)
        syarat_txt[p] = "; ".join(f"{c}: {rules.condition_texts[c]}" if c in rules.condition_texts else c for c in conds)
        notes[p] = _explain(
            status[p],
            act_list[p],
            known[p],
            [(codes[i], share[i], cells[i]) for i in rows if counted[i]],
            [(codes[i], share[i]) for i in rows if not counted[i]],
            u[p],
            reasons[p],
            min_share,
        )
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


def _explain(
    status: str,
    activity: object,
    known: bool,
    counted: list[tuple[str, float, object]],
    ignored: list[tuple[str, float]],
    u: float,
    empty_reason: object,
    min_share: float,
) -> str:
    """A short Indonesian explanation of one verdict."""
    if np.isnan(u):
        return str(empty_reason) if empty_reason else "Geometri kosong atau tanpa luas/panjang; lokasi tidak dapat dinilai."
    parts: list[str] = []
    if not known:
        name = "" if activity is None or (isinstance(activity, float) and np.isnan(activity)) else str(activity)
        parts.append(f"Kegiatan '{name}' tidak ada dalam matriks ITBX." if name else "Kegiatan tidak diisi.")
    zone_bits = []
    for code, share, cell in counted:
        if cell is None:
            zone_bits.append(f"{code} {persen(share)} (belum diatur)")
        else:
            zone_bits.append(f"{code} {persen(share)} ({cell.raw}: {CLASS_NAME[cell.cls]})")
    if zone_bits:
        parts.append("Zona " + ", ".join(zone_bits) + ".")
    elif u < 1.0 or not ignored:
        parts.append("Tidak berada di zona mana pun." if u >= 1.0 else "Tidak ada zona dengan porsi yang dihitung.")
    if ignored:
        parts.append(f"Diabaikan (< {persen(min_share)}): " + ", ".join(f"{c} {persen(s, 2)}" for c, s in ignored) + ".")
    if u >= min_share:
        parts.append(f"{persen(u)} di luar zona.")
    verdict = {
        "tidak_sesuai": "Tidak sesuai: dilarang (X) di " + ", ".join(c for c, _, cell in counted if cell is not None and cell.cls == "X") + ".",
        "perlu_kajian": "Perlu kajian.",
        "sesuai_bersyarat": "Sesuai bersyarat.",
        "sesuai": "Sesuai.",
    }[status]
    parts.append(verdict)
    return " ".join(parts)
