"""Matriks 2 and 3: the priority assessment of the year's programs and their ranking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sppr_gis.matrices._common import _col, _num, _text, conforming
from sppr_gis.sync import SEP, ipu_status
from sppr_gis.text import angka
from sppr_gis.i18n import _

#: Matriks 2 criteria: weight key -> (value column, Indonesian description).
CRITERIA: dict[str, tuple[str, str]] = {
    "conformance": ("nilai_kesesuaian", "kesesuaian dengan rencana tata ruang: skor ITBX/100 bila sesuai atau sesuai bersyarat, 0 bila tidak sesuai atau perlu kajian"),
    "realizes_ipu": ("nilai_realisasi_ipu", "mewujudkan indikasi program utama RTRW (1 bila sinkron dengan minimal satu IPU)"),
    "continues_ipu": ("nilai_kelanjutan", "melanjutkan IPU yang diskontinu pada tahun sebelumnya (1 bila ya)"),
    "priority_area": ("nilai_kawasan_prioritas", "berada (sebagian) di kawasan prioritas/strategis (1 bila ya)"),
    "budget_readiness": ("nilai_kesiapan_anggaran", "kesiapan anggaran: 1 bila pagu > 0 dan sumber dana terisi, 0,5 bila hanya pagu, 0 bila tidak ada pagu"),
}


def discontinued_ipus(ipu: pd.DataFrame, matches: pd.DataFrame, year: int) -> set[str]:
    """Ids of the IPUs whose status in ``year - 1`` was ``diskontinu``."""
    st = ipu_status(ipu, matches, year - 1)
    return {str(i) for i, s in zip(ipu["ipu_id"], st) if s == "diskontinu"}


def matriks_2(rencana_y: pd.DataFrame, *, weights: Mapping[str, float], discontinued: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Matriks 2: priority assessment of the year's programs.

    Each criterion of :data:`CRITERIA` gets a value in [0, 1]; the score is
    ``100 * sum(w_c * v_c) / sum(w_c)``, rounded to 2 decimals.

    Parameters
    ----------
    rencana_y : pandas.DataFrame
        The year's programs with ``program_id, opd, kode, kegiatan, pagu,
        sumber_dana, status, score, status_sinkron, ipu_id`` and
        ``di_kawasan_prioritas``/``kawasan_prioritas`` (optional).
    weights : mapping
        Criterion (keys of :data:`CRITERIA`) -> weight >= 0; missing keys weigh 0.
    discontinued : set of str
        IPU ids that were ``diskontinu`` the year before (:func:`discontinued_ipus`).

    Returns
    -------
    pandas.DataFrame
        The identifying columns, the basis columns, ``nilai_*`` per criterion
        and ``skor_prioritas``; rows in input order.
    """
    n = len(rencana_y)
    status = _col(rencana_y, "status").map(_text).to_numpy(dtype=object)
    score = _num(_col(rencana_y, "score"), n)
    ids = _col(rencana_y, "ipu_id").map(_text).to_numpy(dtype=object)
    pagu = _num(_col(rencana_y, "pagu"), n)
    dana = _col(rencana_y, "sumber_dana").map(_text).to_numpy(dtype=object)
    in_kp = _col(rencana_y, "di_kawasan_prioritas").fillna(False).astype(bool).to_numpy() if "di_kawasan_prioritas" in rencana_y.columns else np.zeros(n, dtype=bool)
    values = {
        "nilai_kesesuaian": np.where(conforming(status), np.nan_to_num(score) / 100.0, 0.0),
        "nilai_realisasi_ipu": (ids != "").astype(float),
        "nilai_kelanjutan": np.array([float(any(i in discontinued for i in s.split(SEP) if i)) for s in ids]),
        "nilai_kawasan_prioritas": in_kp.astype(float),
        "nilai_kesiapan_anggaran": np.where(np.nan_to_num(pagu) > 0, np.where(dana != "", 1.0, 0.5), 0.0),
    }
    w = {k: float(weights.get(k, 0.0)) for k in CRITERIA}
    total = sum(w.values())
    if total <= 0:
        raise ValueError(_("at least one priority weight must be greater than 0"))
    skor = sum(w[k] * values[col] for k, (col, _) in CRITERIA.items()) * 100.0 / total
    out = pd.DataFrame(
        {
            "program_id": _col(rencana_y, "program_id").map(_text).to_numpy(dtype=object),
            "opd": _col(rencana_y, "opd").map(_text).to_numpy(dtype=object),
            "kode": _col(rencana_y, "kode").map(_text).to_numpy(dtype=object),
            "kegiatan": _col(rencana_y, "kegiatan").map(_text).to_numpy(dtype=object),
            "pagu": pagu,
            "sumber_dana": dana,
            "status": status,
            "score": score,
            "status_sinkron": _col(rencana_y, "status_sinkron").map(_text).to_numpy(dtype=object),
            "ipu_id": ids,
            "kawasan_prioritas": _col(rencana_y, "kawasan_prioritas").map(_text).to_numpy(dtype=object),
            "lokasi_ada": _located(rencana_y),
        }
    )
    for col, v in values.items():
        out[col] = v
    out["skor_prioritas"] = np.round(skor, 2)
    return out


def _located(rencana_y: pd.DataFrame) -> np.ndarray:
    """Whether each program has a usable location: a non-empty geometry (a frame without geometry:
    its ``lokasi_ada`` column, else every program)."""
    if isinstance(rencana_y, gpd.GeoDataFrame) and rencana_y._geometry_column_name in rencana_y.columns:
        g = rencana_y.geometry
        return (g.notna() & ~g.is_empty.fillna(True)).to_numpy(dtype=bool)
    if "lokasi_ada" in rencana_y.columns:
        return rencana_y["lokasi_ada"].fillna(False).astype(bool).to_numpy()
    return np.ones(len(rencana_y), dtype=bool)


#: Matriks 3 class of a program without a usable location (no coordinates, or unusable ones).
UNRANKED = "Tidak dapat diperingkat"


def matriks_3(m2: pd.DataFrame, *, thresholds: tuple[float, float] = (70.0, 50.0)) -> pd.DataFrame:
    """Matriks 3: the programs ranked by priority, with the reason and a recommendation.

    Order: programs not inconsistent with the zoning first, then by
    ``skor_prioritas`` (high first), ``pagu`` (high first), ``program_id``.
    Class: ``Prioritas I`` (score >= thresholds[0]), ``Prioritas II``
    (>= thresholds[1]), ``Prioritas III``; an ``inkonsisten`` program is
    ``Tidak diprioritaskan`` whatever its score. A program without a usable
    location (``lokasi_ada`` false: no coordinates, or unusable ones) cannot be
    judged against the zoning, so it cannot be ranked: it is listed last, class
    ``Tidak dapat diperingkat``, without ``peringkat``, the reason saying so.

    Parameters
    ----------
    m2 : pandas.DataFrame
        :func:`matriks_2` output.
    thresholds : (float, float)

    Returns
    -------
    pandas.DataFrame
        ``peringkat, program_id, opd, kegiatan, pagu, skor_prioritas,
        kelas_prioritas, status_sinkron, status, ipu_id, alasan, rekomendasi``,
        in rank order; the index is ``m2``'s (to map ranks back to programs).
    """
    df = m2.copy()
    bad = (df["status_sinkron"] == "inkonsisten").to_numpy()
    located = df["lokasi_ada"].fillna(False).astype(bool).to_numpy() if "lokasi_ada" in df.columns else np.ones(len(df), dtype=bool)
    df["_bad"] = np.where(~located, 2, bad.astype(int))
    df["_neg_skor"] = -df["skor_prioritas"].to_numpy(dtype=float)
    df["_neg_pagu"] = -np.nan_to_num(df["pagu"].to_numpy(dtype=float))
    df = df.sort_values(["_bad", "_neg_skor", "_neg_pagu", "program_id"], kind="stable")  # keeps m2's index
    hi, mid = thresholds
    s = df["skor_prioritas"].to_numpy(dtype=float)
    group = df["_bad"].to_numpy()
    kelas = np.where(s >= hi, "Prioritas I", np.where(s >= mid, "Prioritas II", "Prioritas III")).astype(object)
    kelas[group == 1] = "Tidak diprioritaskan"
    kelas[group == 2] = UNRANKED
    ranked = int((group < 2).sum())
    df["peringkat"] = pd.array(list(range(1, ranked + 1)) + [None] * (len(df) - ranked), dtype="Int64")
    df["kelas_prioritas"] = kelas
    df["alasan"] = [_reason(r) if g < 2 else "tanpa lokasi yang dapat digunakan (koordinat kosong atau tidak valid): kesesuaian ruang tidak dapat dinilai, tidak dapat diperingkat"
                    for r, g in zip(df.itertuples(index=False), group)]
    df["rekomendasi"] = [_recommend(r) if g < 2 else "Lengkapi atau perbaiki koordinat/lokasi program, lalu jalankan ulang penilaian."
                         for r, g in zip(df.itertuples(index=False), group)]
    cols = ["peringkat", "program_id", "opd", "kegiatan", "pagu", "skor_prioritas", "kelas_prioritas", "status_sinkron", "status", "ipu_id", "alasan", "rekomendasi"]
    return df[cols]


def _reason(r: Any) -> str:
    bits = []
    st = r.status
    if st == "sesuai":
        bits.append("sesuai tata ruang")
    elif st == "sesuai_bersyarat":
        bits.append(f"sesuai bersyarat (skor {angka(r.score, 0)})")
    elif st == "tidak_sesuai":
        bits.append("tidak sesuai tata ruang")
    else:
        bits.append("kesesuaian perlu kajian")
    if r.nilai_realisasi_ipu > 0:
        bits.append(f"mewujudkan {r.ipu_id}")
    else:
        bits.append("tidak terindikasi dalam IPU")
    if r.nilai_kelanjutan > 0:
        bits.append("melanjutkan IPU yang diskontinu")
    if r.nilai_kawasan_prioritas > 0:
        bits.append(f"di {r.kawasan_prioritas}")
    ka = r.nilai_kesiapan_anggaran
    bits.append("anggaran siap" if ka >= 1 else ("sumber dana belum jelas" if ka > 0 else "pagu belum ada"))
    return "; ".join(bits)


def _recommend(r: Any) -> str:
    ss, st = r.status_sinkron, r.status
    if ss == "inkonsisten":
        return "Pindahkan lokasi atau ubah kegiatan agar sesuai rencana tata ruang sebelum dianggarkan."
    if st == "perlu_kajian":
        return "Lengkapi/verifikasi lokasi dan kegiatan; lakukan kajian kesesuaian."
    if ss == "tidak_terindikasi":
        return "Tinjau keterkaitan dengan indikasi program RTRW; usulkan sebagai program pendukung atau revisi IPU."
    if st == "sesuai_bersyarat":
        return "Lanjutkan dengan memenuhi syarat ITBX (lihat kolom syarat)."
    return "Lanjutkan sesuai rencana."
