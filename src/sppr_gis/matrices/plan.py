"""Matriks 1 and the Jangka Menengah: implementation of the medium-term plan (IPU x years)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sppr_gis.matrices._common import _col, _num, _text
from sppr_gis.sync import SEP, ipu_status, join_ids


def medium_term_window(year: int, start: int | None = None) -> tuple[int, int]:
    """The 5-year window containing ``year``, in blocks from ``start``.

    Parameters
    ----------
    year : int
        The run year.
    start : int, optional
        First year of a window (e.g. the RPJMD's); default ``year``.

    Returns
    -------
    (int, int)
        First and last year.
    """
    start = year if start is None else int(start)
    first = start + 5 * ((year - start) // 5)
    return first, first + 4


def _realizing(rencana: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """Matches with the program's OPD, pagu, target, realisation, unit."""
    pos = matches["rencana_pos"].to_numpy(dtype=np.int64)
    m = matches.copy()
    n = len(rencana)
    m["opd"] = _col(rencana, "opd").to_numpy(dtype=object)[pos] if n else []
    m["pagu"] = _num(_col(rencana, "pagu"), n)[pos] if n else []
    m["target"] = _num(_col(rencana, "target"), n)[pos] if n else []
    m["realisasi"] = _num(_col(rencana, "realisasi"), n)[pos] if n else []
    m["satuan"] = _col(rencana, "satuan").map(_text).to_numpy(dtype=object)[pos] if n else []
    return m


def _sum_or_nan(values: np.ndarray) -> float:
    return float(np.sum(values)) if len(values) and not np.isnan(values).any() else float("nan")


def matriks_1(ipu: pd.DataFrame, rencana: pd.DataFrame, matches: pd.DataFrame, *, year: int, window: tuple[int, int]) -> pd.DataFrame:
    """Matriks 1: identification of implementation (keterlaksanaan) of the medium-term plan.

    One row per IPU and per year t of the window up to ``year`` in which the IPU
    is scheduled (tahun_mulai <= t <= tahun_akhir).

    Parameters
    ----------
    ipu : pandas.DataFrame
        Canonical IPU fields.
    rencana : pandas.DataFrame
        All rencana rows (positions as in ``matches``): ``opd``, ``pagu``,
        ``target``, ``realisasi``, ``satuan``.
    matches : pandas.DataFrame
        :func:`sppr_gis.sync.match_programs` output.
    year : int
        The run year.
    window : (int, int)
        The medium-term window.

    Returns
    -------
    pandas.DataFrame
        ``ipu_id, program, kegiatan, instansi, lokasi, sumber_dana, tahun,
        status_sinkron, terlaksana ("ya"/"tidak"), jumlah_program, program_ids,
        opd, pagu, satuan, target, realisasi, capaian``. ``target`` and
        ``realisasi`` are sums over the realizing programs, given only when they
        share one unit and all carry the value; ``capaian`` = realisasi /
        target x 100. A program realizing several IPUs counts for each.
    """
    years = list(range(window[0], min(window[1], year) + 1))
    start = _num(ipu["tahun_mulai"], len(ipu))
    end = _num(ipu["tahun_akhir"], len(ipu))
    real = _realizing(rencana, matches)
    groups = {k: g for k, g in real.groupby(["ipu_pos", "tahun"], sort=False)}
    status_by_year = {t: np.asarray(ipu_status(ipu, matches, t), dtype=object) for t in years}
    # the IPU's text columns once, as lists (pandas .iloc per cell cost seconds at a few thousand IPUs)
    text = {c: [_text(v) for v in _col(ipu, c).to_numpy(dtype=object)] for c in ("ipu_id", "program", "kegiatan", "instansi", "lokasi", "sumber_dana")}
    rows = []
    for q in range(len(ipu)):
        for t in years:
            if not (start[q] <= t <= end[q]):
                continue
            g = groups.get((q, t))
            n = 0 if g is None else len(g)
            units = sorted(set(g["satuan"])) if n else []
            one_unit = n > 0 and len(units) == 1
            tgt = _sum_or_nan(g["target"].to_numpy()) if one_unit else float("nan")
            rea = _sum_or_nan(g["realisasi"].to_numpy()) if one_unit else float("nan")
            rows.append(
                {
                    "ipu_id": text["ipu_id"][q],
                    "program": text["program"][q],
                    "kegiatan": text["kegiatan"][q],
                    "instansi": text["instansi"][q],
                    "lokasi": text["lokasi"][q],
                    "sumber_dana": text["sumber_dana"][q],
                    "tahun": t,
                    "status_sinkron": status_by_year[t][q],
                    "terlaksana": "ya" if n else "tidak",
                    "jumlah_program": n,
                    "program_ids": join_ids(g["program_id"]) if n else "",
                    "opd": SEP.join(sorted({_text(o) for o in g["opd"]}, key=str.casefold)) if n else "",
                    "pagu": float(np.nansum(g["pagu"].to_numpy())) if n else 0.0,
                    "satuan": units[0] if one_unit else SEP.join(units),
                    "target": tgt,
                    "realisasi": rea,
                    "capaian": 100.0 * rea / tgt if tgt > 0 and not np.isnan(rea) else float("nan"),
                }
            )
    cols = ["ipu_id", "program", "kegiatan", "instansi", "lokasi", "sumber_dana", "tahun", "status_sinkron", "terlaksana", "jumlah_program", "program_ids", "opd", "pagu", "satuan", "target", "realisasi", "capaian"]
    return pd.DataFrame(rows, columns=cols)


def jangka_menengah(ipu: pd.DataFrame, rencana: pd.DataFrame, matches: pd.DataFrame, *, year: int, window: tuple[int, int]) -> pd.DataFrame:
    """The SPPR Jangka Menengah: every IPU scheduled in the window x the window's years.

    Parameters
    ----------
    ipu, rencana, matches : as for :func:`matriks_1`
    year : int
        The run year: years up to it show the IPU's ``status_sinkron``; later
        years show ``dijadwalkan`` (in its period) or ``belum_jadwal``.
    window : (int, int)

    Returns
    -------
    pandas.DataFrame
        ``ipu_id, program, kegiatan, instansi, lokasi, sumber_dana, tahun_mulai,
        tahun_akhir``, ``status_<t>`` and ``pagu_<t>`` for each year t,
        ``pagu_total``, ``tahun_dijadwalkan`` (scheduled years up to ``year``),
        ``tahun_terlaksana`` (of those, years with a realizing program) and
        ``keterlaksanaan`` (their ratio, %).
    """
    years = list(range(window[0], window[1] + 1))
    start = _num(ipu["tahun_mulai"], len(ipu))
    end = _num(ipu["tahun_akhir"], len(ipu))
    keep = np.flatnonzero((start <= window[1]) & (end >= window[0]))
    real = _realizing(rencana, matches)
    pagu = real.groupby(["ipu_pos", "tahun"])["pagu"].sum()
    done = set(zip(real["ipu_pos"], real["tahun"]))
    status = {t: ipu_status(ipu, matches, t) for t in years if t <= year}
    out = pd.DataFrame(
        {
            "ipu_id": ipu["ipu_id"].map(_text).to_numpy(dtype=object)[keep],
            "program": _col(ipu, "program").map(_text).to_numpy(dtype=object)[keep],
            "kegiatan": ipu["kegiatan"].map(_text).to_numpy(dtype=object)[keep],
            "instansi": _col(ipu, "instansi").map(_text).to_numpy(dtype=object)[keep],
            "lokasi": _col(ipu, "lokasi").map(_text).to_numpy(dtype=object)[keep],
            "sumber_dana": _col(ipu, "sumber_dana").map(_text).to_numpy(dtype=object)[keep],
            "tahun_mulai": start[keep].astype(np.int64),
            "tahun_akhir": end[keep].astype(np.int64),
        }
    )
    for t in years:
        if t <= year:
            out[f"status_{t}"] = status[t][keep]
        else:
            out[f"status_{t}"] = np.where((start[keep] <= t) & (t <= end[keep]), "dijadwalkan", "belum_jadwal")
    for t in years:
        out[f"pagu_{t}"] = [float(pagu.get((q, t), 0.0)) for q in keep]
    out["pagu_total"] = out[[f"pagu_{t}" for t in years]].sum(axis=1)
    sched = [[t for t in years if t <= year and start[q] <= t <= end[q]] for q in keep]
    out["tahun_dijadwalkan"] = [len(s) for s in sched]
    out["tahun_terlaksana"] = [sum((q, t) in done for t in s) for q, s in zip(keep, sched)]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["keterlaksanaan"] = np.where(out["tahun_dijadwalkan"] > 0, 100.0 * out["tahun_terlaksana"] / out["tahun_dijadwalkan"].replace(0, np.nan), np.nan)
    return out
