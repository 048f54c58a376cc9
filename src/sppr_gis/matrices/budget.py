"""Budget focus, counts by status, and achievement (target vs realisation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sppr_gis.matrices._common import (
    NO_CLUSTER,
    TOTAL,
    UNKNOWN,
    _col,
    _num,
    _text,
    conforming,
)
from sppr_gis.vocabulary import (
    IPU_STATUSES,
    RENCANA_STATUSES,
    STATUSES,
    place_key,
)


def status_table(values: pd.Series | Sequence[object], order: Sequence[str], pagu: Sequence[float] | None = None, *, name: str = "status") -> pd.DataFrame:
    """Counts (and pagu) per status, every status of ``order`` present, with a total row.

    Parameters
    ----------
    values : sequence
        Status per row.
    order : sequence of str
        Statuses in report order.
    pagu : sequence of float, optional
        Pagu per row.
    name : str
        Name of the status column.

    Returns
    -------
    pandas.DataFrame
        ``<name>, jumlah, porsi_jumlah`` (+ ``pagu, porsi_pagu``); porsi in [0, 1].
    """
    v = np.asarray(list(values), dtype=object)
    n = len(v)
    rows = []
    p = np.nan_to_num(np.asarray(pagu, dtype=float)) if pagu is not None else None
    total_p = float(p.sum()) if p is not None else 0.0
    for s in order:
        m = v == s
        row: dict[str, object] = {name: s, "jumlah": int(m.sum()), "porsi_jumlah": (m.sum() / n) if n else np.nan}
        if p is not None:
            row["pagu"] = float(p[m].sum())
            row["porsi_pagu"] = (float(p[m].sum()) / total_p) if total_p else np.nan
        rows.append(row)
    tot: dict[str, object] = {name: TOTAL, "jumlah": n, "porsi_jumlah": 1.0 if n else np.nan}
    if p is not None:
        tot["pagu"], tot["porsi_pagu"] = total_p, (1.0 if total_p else np.nan)
    rows.append(tot)
    return pd.DataFrame(rows)


def focus(rencana_y: pd.DataFrame, by: str, *, missing: str = UNKNOWN) -> pd.DataFrame:
    """Regional/agency focus of the year's budget: counts and pagu per group, by status.

    Parameters
    ----------
    rencana_y : pandas.DataFrame
        The year's programs: ``pagu``, ``status`` (conformance), ``status_sinkron``
        and the grouping column.
    by : str
        Grouping column (``opd``, ``kecamatan``, ``kelurahan``, ``kawasan_prioritas``,
        ``klaster``, ``kode_program`` ...).
    missing : str
        Group name for rows without a value.

    Returns
    -------
    pandas.DataFrame
        ``<by>, jumlah_program, pagu, porsi_pagu, jumlah_sinkron,
        jumlah_inkonsisten, jumlah_tidak_terindikasi, pagu_sinkron, pagu_sesuai,
        pagu_sinkron_sesuai, porsi_sinkron_sesuai, jumlah_tanpa_pagu``; groups by
        pagu (high first) then name, and a final ``Jumlah`` row. A group none of
        whose programs has a recorded pagu has no pagu (NaN, printed "–"), not
        Rp 0; ``jumlah_tanpa_pagu`` counts the group's programs without one.
    """
    n = len(rencana_y)
    key = _col(rencana_y, by).map(lambda v: _text(v) or missing).to_numpy(dtype=object)
    raw = _num(_col(rencana_y, "pagu"), n)
    recorded = ~np.isnan(raw)
    pagu = np.nan_to_num(raw)
    ss = _col(rencana_y, "status_sinkron").map(_text).to_numpy(dtype=object)
    ok = conforming(_col(rencana_y, "status"))
    df = pd.DataFrame(
        {
            "key": key,
            "jumlah_program": 1,
            "pagu": pagu,
            "jumlah_sinkron": (ss == "sinkron").astype(int),
            "jumlah_inkonsisten": (ss == "inkonsisten").astype(int),
            "jumlah_tidak_terindikasi": (ss == "tidak_terindikasi").astype(int),
            "pagu_sinkron": np.where(ss == "sinkron", pagu, 0.0),
            "pagu_sesuai": np.where(ok, pagu, 0.0),
            "pagu_sinkron_sesuai": np.where((ss == "sinkron") & ok, pagu, 0.0),
            "jumlah_tanpa_pagu": (~recorded).astype(int),
            "_tercatat": recorded.astype(int),
        }
    )
    g = df.groupby("key", sort=True).sum(numeric_only=True).reset_index()
    g["_neg"] = -g["pagu"]
    g = g.sort_values(["_neg", "key"], kind="stable").drop(columns="_neg")
    tot = {"key": TOTAL, **g.drop(columns="key").sum(numeric_only=True).to_dict()}
    g = pd.concat([g, pd.DataFrame([tot])], ignore_index=True)
    # a group without one recorded pagu has no pagu at all (not Rp 0)
    unrecorded = g["_tercatat"].to_numpy() == 0
    for c in ("pagu", "pagu_sinkron", "pagu_sesuai", "pagu_sinkron_sesuai"):
        g[c] = g[c].astype(float).mask(unrecorded)
    g = g.drop(columns="_tercatat")
    total = float(pagu.sum()) if recorded.any() else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        g["porsi_pagu"] = g["pagu"].astype(float) / total if total else np.nan
        g["porsi_sinkron_sesuai"] = np.where(g["pagu"].astype(float) > 0, g["pagu_sinkron_sesuai"].astype(float) / g["pagu"].astype(float).replace(0, np.nan), np.nan)
    g = g.rename(columns={"key": by})
    for c in ("jumlah_program", "jumlah_sinkron", "jumlah_inkonsisten", "jumlah_tidak_terindikasi", "jumlah_tanpa_pagu"):
        g[c] = g[c].astype(np.int64)
    for c in ("pagu", "pagu_sinkron", "pagu_sesuai", "pagu_sinkron_sesuai"):
        g[c] = g[c].astype(float)
    return g[[by, "jumlah_program", "pagu", "porsi_pagu", "jumlah_sinkron", "jumlah_inkonsisten", "jumlah_tidak_terindikasi", "pagu_sinkron", "pagu_sesuai", "pagu_sinkron_sesuai", "porsi_sinkron_sesuai", "jumlah_tanpa_pagu"]]


# ----------------------------------------------------------------------------- achievement


def opd_cluster(opd: pd.Series | Sequence[object], clusters: Mapping[str, Sequence[str]]) -> np.ndarray:
    """The cluster of each OPD (names compared ignoring case and punctuation); ``(tanpa klaster)`` if none."""
    lookup = {place_key(m): c for c, members in clusters.items() for m in members}
    return np.array([lookup.get(place_key(o), NO_CLUSTER) for o in opd], dtype=object)


def capaian_program(rencana_y: pd.DataFrame, *, threshold: float, clusters: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Achievement per program: ``capaian = realisasi / target x 100``.

    Parameters
    ----------
    rencana_y : pandas.DataFrame
        ``program_id, opd, kegiatan, pagu, satuan, target, realisasi``.
    threshold : float
        Percent; programs with a capaian below it are flagged.
    clusters : mapping, optional
        Cluster name -> OPD names.

    Returns
    -------
    pandas.DataFrame
        ``program_id, opd, klaster, kegiatan, pagu, satuan, target, realisasi,
        capaian, di_bawah_ambang``; capaian is empty where the target is
        missing or not positive, or the realisation is missing.
    """
    n = len(rencana_y)
    tgt = _num(_col(rencana_y, "target"), n)
    rea = _num(_col(rencana_y, "realisasi"), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        cap = np.where((tgt > 0) & ~np.isnan(rea), 100.0 * rea / tgt, np.nan)
    opd = _col(rencana_y, "opd").map(_text)
    return pd.DataFrame(
        {
            "program_id": _col(rencana_y, "program_id").map(_text).to_numpy(dtype=object),
            "opd": opd.to_numpy(dtype=object),
            "klaster": opd_cluster(opd, clusters or {}),
            "kegiatan": _col(rencana_y, "kegiatan").map(_text).to_numpy(dtype=object),
            "pagu": _num(_col(rencana_y, "pagu"), n),
            "satuan": _col(rencana_y, "satuan").map(_text).to_numpy(dtype=object),
            "target": tgt,
            "realisasi": rea,
            "capaian": cap,
            "di_bawah_ambang": ~np.isnan(cap) & (cap < threshold),
        }
    )


def capaian_group(cap: pd.DataFrame, by: str) -> pd.DataFrame:
    """Achievement per OPD or cluster.

    ``rata_rata_capaian`` is the plain mean of the programs' capaian (units
    differ between programs, so targets are never summed across them);
    ``capaian_tertimbang_pagu`` weighs each program's capaian by its pagu.

    Parameters
    ----------
    cap : pandas.DataFrame
        :func:`capaian_program` output.
    by : {"opd", "klaster"}

    Returns
    -------
    pandas.DataFrame
        ``<by>, jumlah_program, jumlah_berdata, pagu, rata_rata_capaian,
        capaian_tertimbang_pagu, jumlah_di_bawah_ambang``, sorted by name, with a
        final ``Jumlah`` row over all programs.
    """
    rows = []

    def summarize(name: str, g: pd.DataFrame) -> dict[str, object]:
        c = g["capaian"].to_numpy(dtype=float)
        p = np.nan_to_num(g["pagu"].to_numpy(dtype=float))
        has = ~np.isnan(c)
        wsum = float(p[has].sum())
        return {
            by: name,
            "jumlah_program": int(len(g)),
            "jumlah_berdata": int(has.sum()),
            "pagu": float(p.sum()),
            "rata_rata_capaian": float(c[has].mean()) if has.any() else np.nan,
            "capaian_tertimbang_pagu": float((c[has] * p[has]).sum() / wsum) if wsum > 0 else np.nan,
            "jumlah_di_bawah_ambang": int(g["di_bawah_ambang"].sum()),
        }

    keys = cap[by].map(lambda v: _text(v) or UNKNOWN)
    for name in sorted(set(keys)):
        rows.append(summarize(name, cap[keys == name]))
    rows.append(summarize(TOTAL, cap))
    return pd.DataFrame(rows, columns=[by, "jumlah_program", "jumlah_berdata", "pagu", "rata_rata_capaian", "capaian_tertimbang_pagu", "jumlah_di_bawah_ambang"])


def ipu_status_table(statuses: Sequence[object]) -> pd.DataFrame:
    """IPU counts per status (:data:`IPU_STATUSES`) with a total row."""
    return status_table(statuses, IPU_STATUSES, name="status_sinkron")


def rencana_status_table(rencana_y: pd.DataFrame) -> pd.DataFrame:
    """The year's programs per ``status_sinkron`` with counts and pagu."""
    return status_table(rencana_y["status_sinkron"], RENCANA_STATUSES, _num(_col(rencana_y, "pagu"), len(rencana_y)), name="status_sinkron")


def conformance_status_table(rencana_y: pd.DataFrame) -> pd.DataFrame:
    """The year's programs per conformance ``status`` with counts and pagu."""
    return status_table(rencana_y["status"], STATUSES, _num(_col(rencana_y, "pagu"), len(rencana_y)))
