"""The SPPR tables (Permen ATR/BPN 13/2021) and the budget, synergy and achievement views.

Every function takes plain frames with the canonical field names (see
:mod:`sppr_gis.sync`) and returns a plain frame with machine column names; the
Indonesian headers of the matrices book are in :data:`HEADERS`.

- :func:`matriks_1`: identification of implementation of the medium-term plan,
  one row per (IPU, year of the window up to the run year in its period).
- :func:`matriks_2`: priority assessment of the year's programs with weighted,
  documented criteria (:data:`CRITERIA`).
- :func:`matriks_3`: the programs ranked, with class, reason and recommendation.
- :func:`jangka_menengah`: IPU x years of the 5-year window.
- :func:`synergy_pairs`, :func:`collisions`, :func:`protected_programs`,
  :func:`sinergi_table`: coordination between agencies.
- :func:`focus`, :func:`status_table`: budget and counts by status, agency,
  area, priority area.
- :func:`capaian_program`, :func:`capaian_group`: achievement (target vs
  realisation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.i18n import _
from sppr_gis.sync import SEP, ipu_status, join_ids
from sppr_gis.text import angka
from sppr_gis.vocabulary import (
    IPU_STATUSES,
    PROTECTED_KINDS,
    PROTECTED_VERDICTS,
    RENCANA_STATUSES,
    STATUSES,
    place_key,
)

__all__ = [
    "CRITERIA",
    "HEADERS",
    "medium_term_window",
    "matriks_1",
    "jangka_menengah",
    "discontinued_ipus",
    "matriks_2",
    "matriks_3",
    "synergy_pairs",
    "collisions",
    "protected_programs",
    "sinergi_table",
    "sinergi_output",
    "SINERGI_COLUMNS",
    "SINERGI_STRUCTURED",
    "focus",
    "status_table",
    "capaian_program",
    "capaian_group",
    "opd_cluster",
    "conforming",
    "ipu_status_table",
    "rencana_status_table",
    "conformance_status_table",
]

#: Matriks 2 criteria: weight key -> (value column, Indonesian description).
CRITERIA: dict[str, tuple[str, str]] = {
    "conformance": ("nilai_kesesuaian", "kesesuaian dengan rencana tata ruang: skor ITBX/100 bila sesuai atau sesuai bersyarat, 0 bila tidak sesuai atau perlu kajian"),
    "realizes_ipu": ("nilai_realisasi_ipu", "mewujudkan indikasi program utama RTRW (1 bila sinkron dengan minimal satu IPU)"),
    "continues_ipu": ("nilai_kelanjutan", "melanjutkan IPU yang diskontinu pada tahun sebelumnya (1 bila ya)"),
    "priority_area": ("nilai_kawasan_prioritas", "berada (sebagian) di kawasan prioritas/strategis (1 bila ya)"),
    "budget_readiness": ("nilai_kesiapan_anggaran", "kesiapan anggaran: 1 bila pagu > 0 dan sumber dana terisi, 0,5 bila hanya pagu, 0 bila tidak ada pagu"),
}

#: Indonesian column headers of the matrices book (machine name -> header).
HEADERS: dict[str, str] = {
    "ipu_id": "ID IPU",
    "program": "Program",
    "kegiatan": "Kegiatan",
    "instansi": "Instansi Pelaksana",
    "sumber_dana": "Sumber Dana",
    "lokasi": "Lokasi",
    "tahun": "Tahun",
    "tahun_mulai": "Tahun Mulai",
    "tahun_akhir": "Tahun Akhir",
    "dijadwalkan": "Dijadwalkan",
    "terlaksana": "Terlaksana",
    "status_sinkron": "Status Sinkronisasi",
    "jumlah_program": "Jumlah Program",
    "program_id": "ID Program",
    "program_ids": "Program Perwujudan",
    "opd": "OPD",
    "pagu": "Pagu (Rp)",
    "satuan": "Satuan",
    "volume": "Volume",
    "target": "Target",
    "realisasi": "Realisasi",
    "capaian": "Capaian (%)",
    "kode": "Kode SIPD",
    "kode_program": "Kode Program",
    "kode_valid": "Kode Valid",
    "nama_kegiatan": "Nama Kegiatan",
    "status": "Status Kesesuaian",
    "itbx": "ITBX",
    "score": "Skor Kesesuaian",
    "dominant_zone": "Zona Dominan",
    "zones": "Zona (Porsi)",
    "syarat": "Syarat",
    "keterangan": "Keterangan",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
    "kawasan_prioritas": "Kawasan Prioritas",
    "di_kawasan_prioritas": "Di Kawasan Prioritas",
    "lokasi_sumber": "Sumber Lokasi",
    "sumber_berkas": "Berkas Sumber",
    "nilai_kesesuaian": "Nilai Kesesuaian",
    "nilai_realisasi_ipu": "Nilai Perwujudan IPU",
    "nilai_kelanjutan": "Nilai Kelanjutan IPU Diskontinu",
    "nilai_kawasan_prioritas": "Nilai Kawasan Prioritas",
    "nilai_kesiapan_anggaran": "Nilai Kesiapan Anggaran",
    "skor_prioritas": "Skor Prioritas",
    "peringkat": "Peringkat",
    "kelas_prioritas": "Kelas Prioritas",
    "lokasi_ada": "Lokasi Dapat Digunakan",
    "alasan": "Alasan",
    "rekomendasi": "Rekomendasi",
    "pagu_total": "Pagu Total (Rp)",
    "tahun_dijadwalkan": "Tahun Dijadwalkan s.d. Tahun Ini",
    "tahun_terlaksana": "Tahun Terlaksana",
    "keterlaksanaan": "Keterlaksanaan (%)",
    "jenis": "Jenis",
    "program_id_2": "ID Program Kedua",
    "opd_2": "OPD Kedua",
    "kegiatan_2": "Kegiatan Kedua",
    "tahun_2": "Tahun Kedua",
    "pagu_2": "Pagu Kedua (Rp)",
    "jarak_m": "Jarak (m)",
    "zona": "Zona Lindung (Porsi)",
    "porsi_pagu": "Porsi Pagu",
    "jumlah_sinkron": "Program Sinkron",
    "jumlah_inkonsisten": "Program Inkonsisten",
    "jumlah_tidak_terindikasi": "Program Tidak Terindikasi",
    "pagu_sinkron": "Pagu Sinkron (Rp)",
    "pagu_sesuai": "Pagu Sesuai Tata Ruang (Rp)",
    "pagu_sinkron_sesuai": "Pagu Sinkron dan Sesuai (Rp)",
    "porsi_sinkron_sesuai": "Porsi Pagu Sinkron dan Sesuai",
    "jumlah": "Jumlah",
    "porsi_jumlah": "Porsi Jumlah",
    "klaster": "Klaster OPD",
    "jumlah_berdata": "Program Berdata Capaian",
    "rata_rata_capaian": "Rata-rata Capaian (%)",
    "capaian_tertimbang_pagu": "Capaian Tertimbang Pagu (%)",
    "jumlah_di_bawah_ambang": "Program di Bawah Ambang",
    "di_bawah_ambang": "Di Bawah Ambang",
    "uraian": "Uraian",
    "nilai": "Nilai",
    "kriteria": "Kriteria",
    "bobot": "Bobot",
    "saran_relokasi": "Saran Relokasi",
    "jarak_relokasi_m": "Jarak Relokasi (m)",
    "porsi_jaringan": "Porsi pada Jaringan Rencana",
    "status_struktur": "Status Struktur Ruang",
    "layer": "Lapisan",
    "feature_id": "ID Fitur",
    "severity": "Tingkat",
    "code": "Kode Isu",
    "message": "Pesan",
    "kode_urusan": "Urusan",
    "kode_bidang": "Bidang Urusan",
}

TOTAL = "Jumlah"
UNKNOWN = "(tidak diketahui)"
OUTSIDE_KP = "(di luar kawasan prioritas)"
NO_CLUSTER = "(tanpa klaster)"


def _num(s: pd.Series | None, n: int) -> np.ndarray:
    if s is None:
        return np.full(n, np.nan)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


def conforming(status: pd.Series | Sequence[object]) -> np.ndarray:
    """Whether each conformance status is ``sesuai`` or ``sesuai_bersyarat``."""
    return np.isin(np.asarray(list(status), dtype=object), ["sesuai", "sesuai_bersyarat"])


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


# ----------------------------------------------------------------------------- Matriks 1 and JM


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


# ----------------------------------------------------------------------------- Matriks 2 and 3


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


# ----------------------------------------------------------------------------- synergy and conflict


def _precise(rencana: pd.DataFrame) -> np.ndarray:
    g = np.asarray(rencana.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    if "lokasi_sumber" in rencana.columns:
        ok &= (rencana["lokasi_sumber"].astype(object) == "geometri").to_numpy(dtype=bool)
    return ok


def _pair_frame(rencana: gpd.GeoDataFrame, a: np.ndarray, b: np.ndarray, jenis: str, notes: list[str]) -> gpd.GeoDataFrame:
    g = np.asarray(rencana.geometry.values, dtype=object)
    n = len(rencana)
    years = _num(_col(rencana, "tahun"), n)
    pagu = _num(_col(rencana, "pagu"), n)
    pid = _col(rencana, "program_id").map(_text).to_numpy(dtype=object)
    opd = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    data = {
        "jenis": [jenis] * len(a),
        "tahun": years[a].astype(np.int64),
        "program_id": pid[a],
        "opd": opd[a],
        "kegiatan": keg[a],
        "pagu": pagu[a],
        "tahun_2": years[b].astype(np.int64),
        "program_id_2": pid[b],
        "opd_2": opd[b],
        "kegiatan_2": keg[b],
        "pagu_2": pagu[b],
        "jarak_m": np.round(shapely.distance(g[a], g[b]), 2) if len(a) else np.array([], dtype=float),
        "zona": [""] * len(a),
        "keterangan": notes,
    }
    geom = _pair_union(g[a], g[b]) if len(a) else np.array([], dtype=object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom, crs=rencana.crs).values, crs=rencana.crs)


def _pair_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Union of each pair of program geometries, for the pair's row in the GIS layer.

    Agencies deliver invalid rings (bow-ties, self-touching): those are repaired first
    (``make_valid``), and a union GEOS cannot node is redone on a snap grid
    (:func:`sppr_gis.engine.robust_overlay`).
    """
    from sppr_gis.overlay import make_valid, robust_overlay

    a, b = a.copy(), b.copy()
    for x in (a, b):
        bad = ~shapely.is_missing(x) & ~shapely.is_valid(x)
        if bad.any():
            x[bad] = make_valid(x[bad], method="linework", what="programs")
    return robust_overlay(shapely.union, a, b)[0]


def synergy_pairs(rencana: gpd.GeoDataFrame, year: int, *, distance: float) -> gpd.GeoDataFrame:
    """Programs of different OPDs in ``year`` within ``distance`` metres: to coordinate.

    Only programs with their own geometry take part (a place given as a
    kelurahan name is too coarse). Each pair once, the earlier row first.

    Parameters
    ----------
    rencana : geopandas.GeoDataFrame
        Programs (any years; metric CRS): ``program_id, tahun, opd, kegiatan, pagu``.
    year : int
    distance : float
        Metres (inclusive).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pair (:func:`sinergi_table` columns, ``jenis`` = ``sinergi``),
        geometry the union of both programs.
    """
    sel = np.flatnonzero((_num(_col(rencana, "tahun"), len(rencana)) == year) & _precise(rencana))
    g = np.asarray(rencana.geometry.values, dtype=object)[sel]
    tree = shapely.STRtree(g)
    i, j = tree.query(g, predicate="dwithin", distance=float(distance))
    opd = _col(rencana, "opd").map(lambda v: place_key(v)).to_numpy(dtype=object)[sel]
    keep = (i < j) & (opd[i] != opd[j])
    a, b = sel[i[keep]], sel[j[keep]]
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    opd_all = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    d = shapely.distance(np.asarray(rencana.geometry.values, dtype=object)[a], np.asarray(rencana.geometry.values, dtype=object)[b]) if len(a) else []
    notes = [
        f"{opd_all[x]} ({keg[x]}) dan {opd_all[y]} ({keg[y]}) bekerja {('bersinggungan' if dd == 0 else 'berjarak ' + angka(dd) + ' m')} pada {year}: koordinasikan desain dan jadwal."
        for x, y, dd in zip(a, b, d)
    ]
    return _pair_frame(rencana, a, b, "sinergi", notes)


def collisions(
    rencana: gpd.GeoDataFrame,
    year: int,
    *,
    distance: float,
    years: int = 1,
    kegiatan: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Works of different OPDs at the same place in nearby years (dug up twice).

    A program p of ``year`` and a program q of another year with
    ``|q.tahun - year| <= years``, different OPDs, within ``distance`` metres;
    when ``kegiatan`` is given both activities must be in it.

    Parameters
    ----------
    rencana : geopandas.GeoDataFrame
        Programs of all years (metric CRS).
    year : int
    distance : float
        Metres (inclusive).
    years : int
        How many years apart still collide (>= 1).
    kegiatan : sequence of str
        Activities that dig up the ground; empty: all.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pair (``jenis`` = ``tabrakan``): the program of ``year``
        first, the other year's second.
    """
    from sppr_gis.rules import activity_key

    n = len(rencana)
    yrs = _num(_col(rencana, "tahun"), n)
    ok = _precise(rencana)
    if kegiatan:
        allowed = {activity_key(k) for k in kegiatan}
        ok &= _col(rencana, "kegiatan").map(activity_key).isin(allowed).to_numpy(dtype=bool)
    now = np.flatnonzero(ok & (yrs == year))
    other = np.flatnonzero(ok & (yrs != year) & (np.abs(yrs - year) <= years))
    g = np.asarray(rencana.geometry.values, dtype=object)
    tree = shapely.STRtree(g[other])
    i, j = tree.query(g[now], predicate="dwithin", distance=float(distance))
    a, b = now[i], other[j]
    opd_k = _col(rencana, "opd").map(lambda v: place_key(v)).to_numpy(dtype=object)
    keep = opd_k[a] != opd_k[b]
    a, b = a[keep], b[keep]
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    opd = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    notes = []
    for x, y in zip(a, b):
        first, second = (y, x) if yrs[y] < yrs[x] else (x, y)
        notes.append(
            f"Lokasi yang sama dikerjakan {opd[first]} ({keg[first]}, {int(yrs[first])}) lalu {opd[second]} ({keg[second]}, {int(yrs[second])}): "
            "satukan pekerjaan atau atur urutannya agar tidak dibongkar ulang."
        )
    return _pair_frame(rencana, a, b, "tabrakan", notes)


def protected_programs(rencana_y: gpd.GeoDataFrame, zone_shares: pd.DataFrame, protected_codes: Sequence[str]) -> gpd.GeoDataFrame:
    """The year's programs with a counted share in a protected zone.

    Parameters
    ----------
    rencana_y : geopandas.GeoDataFrame
        The year's programs, in the order given to ``sppr check``.
    zone_shares : pandas.DataFrame
        ``sppr check`` zone shares: ``feature`` (1-based position), ``zone_code``,
        ``share``, ``itbx``, ``counted``.
    protected_codes : sequence of str

    Returns
    -------
    geopandas.GeoDataFrame
        ``jenis`` = ``kawasan_lindung``, program columns, ``status`` (the program's
        conformance status), ``jenis_lindung`` (the structured verdict:
        :data:`sppr_gis.vocabulary.PROTECTED_KINDS` of the status, ``lindung_X``,
        ``lindung_TB``, ``lindung_kajian`` or ``lindung_I``; None for an unknown status),
        ``zona`` (codes and shares), ``keterangan``; geometry of the program.
    """
    codes = set(protected_codes)
    zs = zone_shares[zone_shares["zone_code"].isin(codes) & zone_shares["counted"].astype(bool)]
    pos = sorted({int(f) - 1 for f in zs["feature"]})
    n = len(rencana_y)
    sub = rencana_y.iloc[pos]
    zona = []
    notes = []
    st = _col(rencana_y, "status").map(_text).to_numpy(dtype=object)
    for p in pos:
        rows = zs[zs["feature"] == p + 1].sort_values(["share", "zone_code"], ascending=[False, True])
        parts = [f"{z} {angka(100 * s)}%" + (f" ({c})" if isinstance(c, str) and c else "") for z, s, c in zip(rows["zone_code"], rows["share"], rows["itbx"])]
        zona.append("; ".join(parts))
        verdict = PROTECTED_VERDICTS.get(st[p], st[p])
        notes.append(f"Program di kawasan lindung {', '.join(rows['zone_code'])}: {verdict}; pastikan tidak mengurangi fungsi lindung.")
    data = {
        "jenis": ["kawasan_lindung"] * len(pos),
        "tahun": _num(_col(sub, "tahun"), len(sub)).astype(np.int64) if len(sub) else np.array([], dtype=np.int64),
        "program_id": _col(sub, "program_id").map(_text).to_numpy(dtype=object),
        "opd": _col(sub, "opd").map(_text).to_numpy(dtype=object),
        "kegiatan": _col(sub, "kegiatan").map(_text).to_numpy(dtype=object),
        "pagu": _num(_col(sub, "pagu"), len(sub)),
        "status": st[pos] if n else np.array([], dtype=object),
        "jenis_lindung": np.array([PROTECTED_KINDS.get(st[p]) for p in pos], dtype=object),
        "zona": zona,
        "keterangan": notes,
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(sub.geometry.values, dtype=object), crs=rencana_y.crs).values, crs=rencana_y.crs)


#: Columns of the ``sinergi`` table as written (GeoPackage layer, Buku Matriks sheet, CSV).
SINERGI_COLUMNS = ["jenis", "tahun", "program_id", "opd", "kegiatan", "pagu", "tahun_2", "program_id_2", "opd_2", "kegiatan_2", "pagu_2", "jarak_m", "zona", "keterangan"]
#: Structured columns the ``sinergi`` table carries in memory for the album, after :data:`SINERGI_COLUMNS`:
#: ``jenis_lindung``, the protected-zone verdict of a ``kawasan_lindung`` row
#: (:data:`sppr_gis.vocabulary.PROTECTED_KINDS`; None on the other rows), so that no reader has to
#: search ``keterangan`` for Indonesian words. :func:`sinergi_output` drops them before writing.
SINERGI_STRUCTURED = ["jenis_lindung"]


def sinergi_table(*parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Synergy pairs, collisions and protected-zone programs in one table (``Sinergi``).

    Parameters
    ----------
    *parts : geopandas.GeoDataFrame
        Outputs of :func:`synergy_pairs`, :func:`collisions`, :func:`protected_programs`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SINERGI_COLUMNS` + :data:`SINERGI_STRUCTURED` + geometry, the parts
        in the given order.
    """
    crs = next((p.crs for p in parts if p.crs is not None), None)
    frames = []
    for p in parts:
        f = pd.DataFrame({c: (p[c].to_numpy() if c in p.columns else [None] * len(p)) for c in [*SINERGI_COLUMNS, *SINERGI_STRUCTURED]})
        f["geometry"] = np.asarray(p.geometry.values, dtype=object)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*SINERGI_COLUMNS, *SINERGI_STRUCTURED, "geometry"])
    for c in ("tahun_2",):
        df[c] = pd.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v) for v in df[c]], dtype="Int64")
    df["tahun"] = pd.array([int(v) for v in df["tahun"]], dtype="Int64")
    for c in ("pagu", "pagu_2", "jarak_m"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["jenis_lindung"] = df["jenis_lindung"].astype(object).where(df["jenis_lindung"].notna(), None)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)


def sinergi_output(sinergi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``sinergi`` table as written: :data:`SINERGI_COLUMNS` and its geometry (the in-memory
    :data:`SINERGI_STRUCTURED` columns dropped).

    Parameters
    ----------
    sinergi : geopandas.GeoDataFrame
        An output of :func:`sinergi_table`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return sinergi.drop(columns=[c for c in SINERGI_STRUCTURED if c in sinergi.columns])


# ----------------------------------------------------------------------------- focus and budget


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
        pagu_sinkron_sesuai, porsi_sinkron_sesuai``; groups by pagu (high
        first) then name, and a final ``Jumlah`` row.
    """
    n = len(rencana_y)
    key = _col(rencana_y, by).map(lambda v: _text(v) or missing).to_numpy(dtype=object)
    pagu = np.nan_to_num(_num(_col(rencana_y, "pagu"), n))
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
        }
    )
    g = df.groupby("key", sort=True).sum(numeric_only=True).reset_index()
    g["_neg"] = -g["pagu"]
    g = g.sort_values(["_neg", "key"], kind="stable").drop(columns="_neg")
    tot = {"key": TOTAL, **g.drop(columns="key").sum(numeric_only=True).to_dict()}
    g = pd.concat([g, pd.DataFrame([tot])], ignore_index=True)
    total = float(pagu.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        g["porsi_pagu"] = g["pagu"].astype(float) / total if total else np.nan
        g["porsi_sinkron_sesuai"] = np.where(g["pagu"].astype(float) > 0, g["pagu_sinkron_sesuai"].astype(float) / g["pagu"].astype(float).replace(0, np.nan), np.nan)
    g = g.rename(columns={"key": by})
    for c in ("jumlah_program", "jumlah_sinkron", "jumlah_inkonsisten", "jumlah_tidak_terindikasi"):
        g[c] = g[c].astype(np.int64)
    for c in ("pagu", "pagu_sinkron", "pagu_sesuai", "pagu_sinkron_sesuai"):
        g[c] = g[c].astype(float)
    return g[[by, "jumlah_program", "pagu", "porsi_pagu", "jumlah_sinkron", "jumlah_inkonsisten", "jumlah_tidak_terindikasi", "pagu_sinkron", "pagu_sesuai", "pagu_sinkron_sesuai", "porsi_sinkron_sesuai"]]


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
