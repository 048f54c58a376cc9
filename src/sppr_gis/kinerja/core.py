"""Capaian of the performance cascade for one year: formulas, roll-up, the run's own figures.

The contract (``shared/contracts.md``, section *Kinerja*), for year Y:

- capaian (%) of an indicator: ``positif`` R/T x 100; ``negatif`` (2T - R)/T x 100, not below 0;
  T = 0 and R = 0 gives 100; T = 0 otherwise, or a missing R, gives no capaian and an issue.
  ``kumulatif``: R and T are the sums over the years up to Y that have a target.
- predikat (Permendagri 86/2017): <= 50 ``sangat rendah``, <= 65 ``rendah``, <= 75 ``sedang``,
  <= 90 ``tinggi``, above 90 ``sangat tinggi``.
- a node's capaian is the mean of its indicators'; an OPD's the mean of its program nodes'; a
  cluster's the mean of its OPDs' (each over the members that have one). Pagu and realisasi_pagu
  are summed from the budget rows (sub_kegiatan) upward; serapan = sum realisasi_pagu / sum pagu x 100.

Input: the canonical frame of :func:`sppr_gis.kinerja.forms.read_kinerja` (one row per indicator).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sppr_gis.rules import normalize_code
from sppr_gis.sync import place_key

__all__ = [
    "LEVELS",
    "PREDIKAT",
    "SPPR_KEYS",
    "ASPEK_PENATAAN_RUANG",
    "KinerjaResult",
    "capaian",
    "predikat",
    "year_values",
    "sppr_figures",
    "skor_penataan_ruang",
    "evaluate",
]

#: The cascade's levels, top down (contract).
LEVELS: tuple[str, ...] = ("tujuan", "sasaran", "program", "kegiatan", "sub_kegiatan")
#: Permendagri 86/2017 bands: (upper bound inclusive, predikat); above the last: ``sangat tinggi``.
PREDIKAT: tuple[tuple[float, str], ...] = ((50.0, "sangat rendah"), (65.0, "rendah"), (75.0, "sedang"), (90.0, "tinggi"))
#: Keys of the ``sppr`` column: figures the run computes (realisasi of year Y).
SPPR_KEYS: tuple[str, ...] = ("persen_program_sesuai_ruang", "persen_pagu_sesuai_ruang", "persen_ipu_sinkron", "skor_penataan_ruang")
#: Aspects of ``[kinerja.penataan_ruang]`` (the five of penyelenggaraan penataan ruang, PP 21/2021).
ASPEK_PENATAAN_RUANG: tuple[str, ...] = ("pengaturan", "pembinaan", "perencanaan", "pemanfaatan", "pengendalian")
#: No cluster given for an OPD (the same words as the run's other cluster tables).
NO_CLUSTER = "(tanpa klaster)"
#: Columns of the issue rows (those of the ``issues`` layer, plus ``opd`` and ``kode``).
ISSUE_COLUMNS = ["layer", "feature_id", "severity", "code", "message", "opd", "kode"]
_CONFORM = ("sesuai", "sesuai_bersyarat")


def capaian(target: float, realisasi: float, arah: str = "positif") -> float:
    """Capaian (%) of one indicator.

    Parameters
    ----------
    target, realisasi : float
        T and R (NaN when missing).
    arah : {"positif", "negatif"}
        ``negatif``: lower is better.

    Returns
    -------
    float
        ``positif`` R/T x 100; ``negatif`` max(0, (2T - R)/T x 100); 100 when T = 0 and R = 0;
        NaN when T or R is missing, or T = 0 and R != 0.

    Examples
    --------
    >>> capaian(80, 60)
    75.0
    >>> capaian(10, 12, "negatif")
    80.0
    >>> capaian(0, 0, "negatif")
    100.0
    """
    t, r = float(target), float(realisasi)
    if math.isnan(t) or math.isnan(r):
        return float("nan")
    if t == 0:
        return 100.0 if r == 0 else float("nan")
    if arah == "negatif":
        return max(0.0, (2.0 * t - r) / t * 100.0)
    return r / t * 100.0


def predikat(value: float) -> str | None:
    """The Permendagri 86/2017 predikat of a capaian (None when there is none).

    Examples
    --------
    >>> predikat(50), predikat(50.01), predikat(90), predikat(90.5)
    ('sangat rendah', 'rendah', 'tinggi', 'sangat tinggi')
    """
    v = float(value)
    if math.isnan(v):
        return None
    for hi, name in PREDIKAT:
        if v <= hi:
            return name
    return "sangat tinggi"


def _years(columns: Sequence[str], prefix: str) -> list[int]:
    pat = re.compile(rf"{prefix}_(\d{{4}})")
    return sorted(int(m.group(1)) for c in columns if (m := pat.fullmatch(str(c))))


def year_values(frame: pd.DataFrame, year: int) -> tuple[np.ndarray, np.ndarray]:
    """T and R of every row for ``year`` (``kumulatif`` rows: sums over the years up to it that have a target).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical rows: ``sifat`` and numeric ``target_YYYY``, ``realisasi_YYYY``.
    year : int

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        T and R (NaN where missing). A kumulatif row whose realisasi of ``year`` is missing has no R.
    """
    n = len(frame)
    cols = list(frame.columns)

    def col(name: str) -> np.ndarray:
        return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float) if name in cols else np.full(n, np.nan)

    t = col(f"target_{year}")
    r = col(f"realisasi_{year}")
    kum = (frame["sifat"].astype(str) == "kumulatif").to_numpy(dtype=bool) if "sifat" in cols else np.zeros(n, bool)
    if kum.any():
        tk = np.zeros(n)
        rk = np.zeros(n)
        has_t = np.zeros(n, bool)
        for y in _years(cols, "target"):
            if y > year:
                continue
            ty, ry = col(f"target_{y}"), col(f"realisasi_{y}")
            ok = ~np.isnan(ty)
            has_t |= ok
            tk = tk + np.where(ok, ty, 0.0)
            rk = rk + np.where(ok & ~np.isnan(ry), ry, 0.0)
        t = np.where(kum, np.where(has_t, tk, np.nan), t)
        r = np.where(kum, np.where(np.isnan(r), np.nan, rk), r)
    return t, r


def skor_penataan_ruang(aspek: Mapping[str, float], bobot: Mapping[str, float] | None = None) -> float:
    """Skor penyelenggaraan penataan ruang: the (weighted) mean of the aspect scores given.

    Parameters
    ----------
    aspek : mapping
        Aspect (:data:`ASPEK_PENATAAN_RUANG`) -> score 0-100.
    bobot : mapping, optional
        Aspect -> weight (equal weights when absent; an aspect without a weight weighs 1).

    Returns
    -------
    float
        NaN when no aspect is given.
    """
    keys = [k for k in ASPEK_PENATAAN_RUANG if k in aspek and aspek[k] is not None]
    if not keys:
        return float("nan")
    w = np.array([float((bobot or {}).get(k, 1.0)) for k in keys])
    v = np.array([float(aspek[k]) for k in keys])
    return float((w * v).sum() / w.sum()) if w.sum() > 0 else float("nan")


def _located(rencana: pd.DataFrame) -> np.ndarray:
    """Programs with a location of their own (a geometry, not only a place name)."""
    if "lokasi_sumber" in rencana.columns:
        ok = (rencana["lokasi_sumber"].astype(object) == "geometri").to_numpy(dtype=bool).copy()
    else:
        ok = np.ones(len(rencana), bool)
    geom = getattr(rencana, "geometry", None)
    if geom is not None:
        g = np.asarray(geom.values, dtype=object)
        ok &= np.array([x is not None and not getattr(x, "is_empty", True) for x in g], dtype=bool)
    return ok


def sppr_figures(rencana: pd.DataFrame | None, ipu: pd.DataFrame | None, penataan_ruang: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The run's figures that ``sppr`` keys bring into the indicators.

    Parameters
    ----------
    rencana : pandas.DataFrame, optional
        The year's programs with ``opd``, ``pagu``, ``status`` (and ``lokasi_sumber``, geometry).
    ipu : pandas.DataFrame, optional
        The IPU with the year's ``status_sinkron``.
    penataan_ruang : mapping, optional
        ``[kinerja.penataan_ruang]``: aspect scores and optional ``bobot``.

    Returns
    -------
    dict
        ``persen_program_sesuai_ruang`` and ``persen_pagu_sesuai_ruang``: OPD key -> percent (of the
        OPD's located programs); ``persen_ipu_sinkron``: percent of scheduled IPU that are sinkron;
        ``skor_penataan_ruang``: the score (NaN when not configured).
    """
    out: dict[str, Any] = {"persen_program_sesuai_ruang": {}, "persen_pagu_sesuai_ruang": {}, "persen_ipu_sinkron": float("nan"), "skor_penataan_ruang": float("nan")}
    if rencana is not None and len(rencana):
        loc = _located(rencana)
        ok = np.isin(rencana["status"].astype(object).to_numpy(), _CONFORM) if "status" in rencana.columns else np.zeros(len(rencana), bool)
        pagu = pd.to_numeric(rencana["pagu"], errors="coerce").fillna(0.0).to_numpy(dtype=float) if "pagu" in rencana.columns else np.zeros(len(rencana))
        keys = np.array([place_key(o) for o in rencana["opd"]], dtype=object)
        for k in sorted(set(keys[loc])):
            m = loc & (keys == k)
            out["persen_program_sesuai_ruang"][k] = float(ok[m].sum() / m.sum() * 100.0)
            ps = pagu[m].sum()
            out["persen_pagu_sesuai_ruang"][k] = float(pagu[m & ok].sum() / ps * 100.0) if ps > 0 else float("nan")
    if ipu is not None and len(ipu) and "status_sinkron" in ipu.columns:
        st = ipu["status_sinkron"].astype(object).to_numpy()
        sched = st != "belum_jadwal"
        if sched.any():
            out["persen_ipu_sinkron"] = float((st[sched] == "sinkron").sum() / sched.sum() * 100.0)
    if penataan_ruang:
        aspek = {k: v for k, v in penataan_ruang.items() if k in ASPEK_PENATAAN_RUANG}
        out["skor_penataan_ruang"] = skor_penataan_ruang(aspek, penataan_ruang.get("bobot"))
    return out


@dataclass
class KinerjaResult:
    """The cascade evaluated for one year.

    Attributes
    ----------
    year : int
    indikator : pandas.DataFrame
        Layer ``kinerja_indikator``: every input row, ``target``, ``realisasi`` (of the year, as
        used), ``capaian``, ``predikat``, ``capaian_node``, ``pagu``/``realisasi_pagu`` of the node
        (summed from the budget rows), and on sub_kegiatan rows the spatial link
        (``jumlah_program``, ``jumlah_berlokasi``, ``jumlah_sesuai``, ``pagu_program``).
    opd : pandas.DataFrame
        Layer ``kinerja_opd``: ``opd, klaster, capaian, predikat, pagu, realisasi_pagu, serapan,
        jumlah_program_node, jumlah_indikator``.
    klaster : pandas.DataFrame
        Layer ``kinerja_klaster``: ``klaster, capaian, predikat, pagu, realisasi_pagu, serapan, jumlah_opd``.
    kecamatan : pandas.DataFrame
        ``kecamatan, jumlah_program, capaian, predikat``: capaian of the located programs whose
        ``kode`` is a sub_kegiatan's, by kecamatan (empty without a run).
    program_capaian : pandas.DataFrame
        ``program_id, kode, kecamatan, capaian``: each located program of the year with its
        sub_kegiatan's capaian (for the map).
    issues : pandas.DataFrame
        :data:`ISSUE_COLUMNS`.
    figures : dict
        :func:`sppr_figures`.
    """

    year: int
    indikator: pd.DataFrame
    opd: pd.DataFrame
    klaster: pd.DataFrame
    kecamatan: pd.DataFrame
    program_capaian: pd.DataFrame
    issues: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)


def _mean(values: Sequence[float] | np.ndarray) -> float:
    a = np.asarray(values, dtype=float)
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else float("nan")


def _issue(rows: list[dict], layer: str, opd: str, kode: str, severity: str, code: str, message: str) -> None:
    rows.append({"layer": layer, "feature_id": f"{opd} / {kode}", "severity": severity, "code": code, "message": message, "opd": opd, "kode": kode})


def _fmt(v: float) -> str:
    return f"{v:g}"


def evaluate(
    frame: pd.DataFrame,
    year: int,
    *,
    clusters: Mapping[str, Sequence[str]] | None = None,
    rencana: pd.DataFrame | None = None,
    ipu: pd.DataFrame | None = None,
    penataan_ruang: Mapping[str, Any] | None = None,
    reading_issues: pd.DataFrame | None = None,
    layer: str = "kinerja",
) -> KinerjaResult:
    """Capaian, predikat and roll-up of the cascade for ``year``.

    The steps: the rows and their keys (:func:`_cascade`), the run's figures
    into realisasi (:func:`_sppr_realisasi`), indicator capaian
    (:func:`_indicator_capaian`), the nodes and their parents (:func:`_nodes`),
    node capaian (:func:`_node_capaian`), budgets (:func:`_budget`), the
    spatial link to the rencana (:func:`_spatial_link`), then the OPD, cluster
    and kecamatan tables.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical rows (:func:`sppr_gis.kinerja.forms.read_kinerja`).
    year : int
    clusters : mapping, optional
        ``[opd_clusters]``: cluster -> OPD names.
    rencana : pandas.DataFrame, optional
        The run's programs of the year (``kode``, ``opd``, ``pagu``, ``status``, ``kecamatan``,
        ``lokasi_sumber``, geometry): the spatial link and the ``sppr`` figures.
    ipu : pandas.DataFrame, optional
        The run's IPU with the year's ``status_sinkron``.
    penataan_ruang : mapping, optional
        ``[kinerja.penataan_ruang]``.
    reading_issues : pandas.DataFrame, optional
        Issues found while reading (kept first).
    layer : str
        The input's name in issue rows.

    Returns
    -------
    KinerjaResult
    """
    st = _cascade(frame, year, layer, reading_issues)
    figures = sppr_figures(rencana, ipu, penataan_ruang)
    _sppr_realisasi(st, figures, rencana)
    cap = _indicator_capaian(st)
    node_of, nodes, parent = _nodes(st)
    children, node_cap = _node_capaian(st, nodes, node_of, parent, cap)
    leaves = _budget(st, nodes, node_of, children)
    prog_cap = _spatial_link(st, rencana, node_of, node_cap)
    opd_df = _opd_table(st, clusters, nodes, node_cap, leaves)
    kl_df = _cluster_table(opd_df, clusters)
    kec_df = _kecamatan_table(prog_cap)
    df, issues = st.df, st.issues
    iss = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    iss = iss.astype(str)
    return KinerjaResult(year=year, indikator=df, opd=opd_df, klaster=kl_df, kecamatan=kec_df, program_capaian=prog_cap, issues=iss.drop_duplicates().reset_index(drop=True), figures=figures)


@dataclass
class _Cascade:
    """What the steps of :func:`evaluate` share: the rows, their key columns as arrays, the issues found so far."""

    df: pd.DataFrame
    n: int
    year: int
    layer: str
    issues: list[dict]
    opd: np.ndarray
    level: np.ndarray
    kode: np.ndarray
    induk: np.ndarray
    arah: np.ndarray
    okey: np.ndarray


def _cascade(frame: pd.DataFrame, year: int, layer: str, reading_issues: pd.DataFrame | None) -> _Cascade:
    """The rows as a fresh frame with every column the steps read, and their key columns as arrays."""
    issues: list[dict] = [] if reading_issues is None else reading_issues.to_dict("records")
    df = frame.copy().reset_index(drop=True)
    n = len(df)
    for c in ("opd", "level", "kode", "induk", "uraian", "indikator", "satuan", "arah", "sifat", "sppr"):
        if c not in df.columns:
            df[c] = None
    opd = df["opd"].astype(object).where(df["opd"].notna(), "").astype(str).to_numpy()
    level = df["level"].astype(object).where(df["level"].notna(), "").astype(str).to_numpy()
    kode = df["kode"].astype(object).where(df["kode"].notna(), "").astype(str).to_numpy()
    induk = df["induk"].astype(object).where(df["induk"].notna(), "").astype(str).to_numpy()
    arah = df["arah"].astype(object).where(df["arah"].notna(), "positif").astype(str).to_numpy()
    okey = np.array([place_key(o) for o in opd], dtype=object)
    return _Cascade(df, n, year, layer, issues, opd, level, kode, induk, arah, okey)


def _sppr_realisasi(st: _Cascade, figures: Mapping[str, Any], rencana: pd.DataFrame | None) -> None:
    """The run's figures into ``realisasi_<year>`` of the rows keyed by ``sppr``; an issue where none can be given."""
    df, issues, layer, year = st.df, st.issues, st.layer, st.year
    opd, kode, okey = st.opd, st.kode, st.okey
    # ---- the run's figures into realisasi_Y
    rcol = f"realisasi_{year}"
    if rcol not in df.columns:
        df[rcol] = np.nan
    df[rcol] = pd.to_numeric(df[rcol], errors="coerce")
    for i, key in enumerate(df["sppr"].tolist()):
        if key is None or (isinstance(key, float) and math.isnan(key)) or not str(key).strip():
            continue
        k = str(key).strip()
        if k not in SPPR_KEYS:
            _issue(issues, layer, opd[i], kode[i], "error", "kinerja_sppr_tidak_dikenal", f"{opd[i]} {kode[i]}: kunci sppr '{k}' tidak dikenal (salah satu dari {', '.join(SPPR_KEYS)})")
            continue
        v = figures.get(k)
        if isinstance(v, dict):
            v = v.get(okey[i], float("nan"))
        if v is None or (isinstance(v, float) and math.isnan(v)):
            if rencana is None and k != "skor_penataan_ruang":
                _issue(issues, layer, opd[i], kode[i], "info", "kinerja_sppr_tanpa_run", f"{opd[i]} {kode[i]}: angka '{k}' dihitung oleh sppr sync; di sini realisasi dari tabel dipakai")
            else:
                _issue(issues, layer, opd[i], kode[i], "warning", "kinerja_sppr_tanpa_nilai", f"{opd[i]} {kode[i]}: angka '{k}' tidak dapat dihitung dari hasil SPPR {year} (tidak ada program berlokasi, IPU terjadwal atau skor aspek penataan ruang)")
            continue
        df.loc[i, rcol] = float(v)


def _indicator_capaian(st: _Cascade) -> np.ndarray:
    """Each indicator's target, realisasi, capaian and predikat for the year; an issue where capaian cannot be computed."""
    df, n, issues, layer, year = st.df, st.n, st.issues, st.layer, st.year
    opd, level, kode, arah = st.opd, st.level, st.kode, st.arah
    # ---- indicator capaian
    t, r = year_values(df, year)
    cap = np.full(n, np.nan)
    for i in range(n):
        lv = level[i]
        if lv not in LEVELS:
            continue
        if math.isnan(t[i]):
            _issue(issues, layer, opd[i], kode[i], "warning", "kinerja_target_kosong", f"{opd[i]} {kode[i]}: target {year} kosong; capaian tidak dihitung")
            continue
        if math.isnan(r[i]):
            _issue(issues, layer, opd[i], kode[i], "warning", "kinerja_realisasi_kosong", f"{opd[i]} {kode[i]}: realisasi {year} kosong; capaian tidak dihitung")
            continue
        if t[i] == 0 and r[i] != 0:
            _issue(issues, layer, opd[i], kode[i], "warning", "kinerja_target_nol", f"{opd[i]} {kode[i]}: target {year} 0 dengan realisasi {_fmt(r[i])}; capaian tidak dapat dihitung")
            continue
        if arah[i] == "negatif" and t[i] != 0 and r[i] > 2 * t[i]:
            _issue(issues, layer, opd[i], kode[i], "warning", "kinerja_negatif_melampaui", f"{opd[i]} {kode[i]}: indikator negatif dengan realisasi {_fmt(r[i])} > 2 x target {_fmt(t[i])}; capaian 0")
        cap[i] = capaian(t[i], r[i], arah[i])
    df["target"] = t
    df["realisasi"] = r
    df["capaian"] = cap
    df["predikat"] = [predikat(c) for c in cap]
    return cap


def _nodes(st: _Cascade) -> tuple[list[tuple[str, str, str]], dict[tuple[str, str, str], list[int]], dict[tuple[str, str, str], tuple[str, str, str] | None]]:
    """The cascade's nodes ``(opd key, level, kode)``, their rows and parents; issues for duplicate codes and orphans."""
    df, n, issues, layer = st.df, st.n, st.issues, st.layer
    opd, level, kode, induk, okey = st.opd, st.level, st.kode, st.induk, st.okey
    # ---- nodes: (opd key, level, kode); duplicates and orphans
    node_of = [(okey[i], level[i], kode[i]) for i in range(n)]
    nodes: dict[tuple[str, str, str], list[int]] = {}
    for i, k in enumerate(node_of):
        nodes.setdefault(k, []).append(i)
    for k, rows in nodes.items():
        if k[1] not in LEVELS:
            continue
        names = {str(df.at[i, "uraian"]).strip().casefold() for i in rows if df.at[i, "uraian"] is not None and str(df.at[i, "uraian"]).strip() not in ("", "nan", "None")}
        inds = [str(df.at[i, "indikator"]).strip().casefold() for i in rows if df.at[i, "indikator"] is not None and str(df.at[i, "indikator"]).strip() not in ("", "nan", "None")]
        if len(names) > 1 or len(inds) != len(set(inds)):
            i0 = rows[0]
            _issue(issues, layer, opd[i0], kode[i0], "error", "kinerja_kode_ganda", f"{opd[i0]}: kode {k[1]} '{kode[i0]}' dipakai {len(rows)} baris ({'uraian berbeda' if len(names) > 1 else 'indikator berulang'})")
    parent: dict[tuple[str, str, str], tuple[str, str, str] | None] = {}
    by_kode: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {}
    for k in nodes:
        by_kode.setdefault((k[0], k[2]), {})[k[1]] = k
    for k, rows in nodes.items():
        if k[1] not in LEVELS:
            continue
        ind = next((induk[i] for i in rows if induk[i].strip()), "")
        if not ind:
            parent[k] = None
            if k[1] in ("sasaran", "kegiatan", "sub_kegiatan"):
                i0 = rows[0]
                _issue(issues, layer, opd[i0], kode[i0], "warning", "kinerja_induk_kosong", f"{opd[i0]}: {k[1]} '{kode[i0]}' tanpa induk")
            continue
        depth = LEVELS.index(k[1])
        cands = by_kode.get((k[0], ind), {})
        found = next((cands[lv] for lv in reversed(LEVELS[:depth]) if lv in cands), None)
        parent[k] = found
        if found is None:
            i0 = rows[0]
            _issue(issues, layer, opd[i0], kode[i0], "error", "kinerja_induk_tidak_ada", f"{opd[i0]}: induk '{ind}' dari {k[1]} '{kode[i0]}' tidak ada di {', '.join(LEVELS[:depth]) or '-'} OPD ini")
    return node_of, nodes, parent


def _node_capaian(st: _Cascade, nodes: dict[tuple[str, str, str], list[int]], node_of: list[tuple[str, str, str]], parent: dict[tuple[str, str, str], tuple[str, str, str] | None], cap: np.ndarray) -> tuple[dict[tuple[str, str, str], list[tuple[str, str, str]]], dict[tuple[str, str, str], float]]:
    """Each node's capaian (``capaian_node``, ``predikat_node``); the children of each node."""
    df = st.df
    # ---- node capaian: mean of its indicators; without one, the mean of its child nodes
    children: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for k, p in parent.items():
        if p is not None:
            children.setdefault(p, []).append(k)
    node_cap: dict[tuple[str, str, str], float] = {}

    def ncap(k: tuple[str, str, str], seen: frozenset = frozenset()) -> float:
        if k in node_cap:
            return node_cap[k]
        v = _mean(cap[nodes[k]])
        if math.isnan(v) and k not in seen:
            v = _mean([ncap(c, seen | {k}) for c in children.get(k, [])])
        node_cap[k] = v
        return v

    for k in nodes:
        if k[1] in LEVELS:
            ncap(k)
    df["capaian_node"] = [node_cap.get(k, float("nan")) for k in node_of]
    df["predikat_node"] = [predikat(v) for v in df["capaian_node"]]
    return children, node_cap


def _budget(st: _Cascade, nodes: dict[tuple[str, str, str], list[int]], node_of: list[tuple[str, str, str]], children: dict[tuple[str, str, str], list[tuple[str, str, str]]]) -> dict[str, list[tuple[float, float]]]:
    """``pagu``, ``realisasi_pagu`` and ``serapan`` of each node; the budget nodes (pagu, realisasi) of each OPD."""
    df, n, year = st.df, st.n, st.year
    # ---- budget: pagu of the budget nodes (those with pagu and no descendant with pagu), summed upward
    pcol, rpcol = f"pagu_{year}", f"realisasi_pagu_{year}"
    pagu_row = pd.to_numeric(df[pcol], errors="coerce").to_numpy(dtype=float) if pcol in df.columns else np.full(n, np.nan)
    rpagu_row = pd.to_numeric(df[rpcol], errors="coerce").to_numpy(dtype=float) if rpcol in df.columns else np.full(n, np.nan)

    def first(vals: np.ndarray) -> float:
        v = vals[~np.isnan(vals)]
        return float(v[0]) if v.size else float("nan")

    own_p = {k: first(pagu_row[rows]) for k, rows in nodes.items()}
    own_r = {k: first(rpagu_row[rows]) for k, rows in nodes.items()}
    sums: dict[tuple[str, str, str], tuple[float, float, bool]] = {}

    def budget(k: tuple[str, str, str], seen: frozenset = frozenset()) -> tuple[float, float, bool]:
        if k in sums:
            return sums[k]
        kids = [budget(c, seen | {k}) for c in children.get(k, []) if c not in seen]
        if any(b[2] for b in kids):
            res = (sum(b[0] for b in kids if b[2]), sum(b[1] for b in kids if b[2]), True)
        elif not math.isnan(own_p[k]):
            res = (own_p[k], 0.0 if math.isnan(own_r[k]) else own_r[k], True)
        else:
            res = (float("nan"), float("nan"), False)
        sums[k] = res
        return res

    leaves: dict[str, list[tuple[float, float]]] = {}
    for k in nodes:
        if k[1] not in LEVELS:
            continue
        budget(k)
        has_kid_budget = any(budget(c)[2] for c in children.get(k, []))
        if not math.isnan(own_p[k]) and not has_kid_budget:
            leaves.setdefault(k[0], []).append((own_p[k], 0.0 if math.isnan(own_r[k]) else own_r[k]))
    df["pagu"] = [sums.get(k, (np.nan, np.nan, False))[0] for k in node_of]
    df["realisasi_pagu"] = [sums.get(k, (np.nan, np.nan, False))[1] for k in node_of]
    df["serapan"] = [(rp / p * 100.0) if p and not math.isnan(p) and p > 0 else np.nan for p, rp in zip(df["pagu"], df["realisasi_pagu"])]
    return leaves


def _spatial_link(st: _Cascade, rencana: pd.DataFrame | None, node_of: list[tuple[str, str, str]], node_cap: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    """The rencana programs of each sub_kegiatan (counts and pagu in its row); the located programs with their capaian."""
    df, n = st.df, st.n
    level, kode = st.level, st.kode
    # ---- spatial link: sub_kegiatan kode = rencana programs' kode
    prog_cap = pd.DataFrame(columns=["program_id", "kode", "opd", "kecamatan", "capaian"])
    jp = np.full(n, np.nan)
    jl = np.full(n, np.nan)
    js = np.full(n, np.nan)
    pp = np.full(n, np.nan)
    if rencana is not None:
        rk = np.array([_norm_kode(v) for v in (rencana["kode"] if "kode" in rencana.columns else [None] * len(rencana))], dtype=object)
        loc = _located(rencana)
        ok = np.isin(rencana["status"].astype(object).to_numpy(), _CONFORM) if "status" in rencana.columns else np.zeros(len(rencana), bool)
        pg = pd.to_numeric(rencana["pagu"], errors="coerce").fillna(0.0).to_numpy(dtype=float) if "pagu" in rencana.columns else np.zeros(len(rencana))
        sub_cap: dict[str, list[float]] = {}
        for i in range(n):
            if level[i] != "sub_kegiatan":
                continue
            m = rk == _norm_kode(kode[i])
            jp[i], jl[i], js[i], pp[i] = int(m.sum()), int((m & loc).sum()), int((m & loc & ok).sum()), float(pg[m].sum())
            sub_cap.setdefault(_norm_kode(kode[i]), []).append(node_cap.get(node_of[i], float("nan")))
        rows_pc = []
        kec = rencana["kecamatan"].astype(object).to_numpy() if "kecamatan" in rencana.columns else np.full(len(rencana), None, dtype=object)
        pid = rencana["program_id"].astype(object).to_numpy() if "program_id" in rencana.columns else np.arange(len(rencana)).astype(object)
        for j in np.flatnonzero(loc):
            if rk[j] in sub_cap:
                rows_pc.append({"program_id": pid[j], "kode": rk[j], "opd": rencana["opd"].iloc[j], "kecamatan": kec[j], "capaian": _mean(sub_cap[rk[j]])})
        if rows_pc:
            prog_cap = pd.DataFrame(rows_pc)
    df["jumlah_program"] = jp
    df["jumlah_berlokasi"] = jl
    df["jumlah_sesuai"] = js
    df["pagu_program"] = pp
    return prog_cap


def _opd_table(st: _Cascade, clusters: Mapping[str, Sequence[str]] | None, nodes: dict[tuple[str, str, str], list[int]], node_cap: dict[tuple[str, str, str], float], leaves: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    """One row per OPD: capaian of its program nodes, its cluster, its budget."""
    n, opd, okey = st.n, st.opd, st.okey
    # ---- OPD and cluster
    lookup = {place_key(m): c for c, members in (clusters or {}).items() for m in members}
    opd_rows = []
    names: dict[str, str] = {}
    for i in range(n):
        names.setdefault(okey[i], opd[i])
    for ok_ in sorted(names, key=lambda s: names[s]):
        progs = [k for k in nodes if k[0] == ok_ and k[1] == "program"]
        c = _mean([node_cap[k] for k in progs])
        lv = leaves.get(ok_, [])
        p = float(sum(a for a, _ in lv)) if lv else float("nan")
        rp = float(sum(b for _, b in lv)) if lv else float("nan")
        opd_rows.append({
            "opd": names[ok_], "klaster": lookup.get(ok_, NO_CLUSTER) if clusters else None, "capaian": c, "predikat": predikat(c),
            "pagu": p, "realisasi_pagu": rp, "serapan": rp / p * 100.0 if lv and p > 0 else float("nan"),
            "jumlah_program_node": len(progs), "jumlah_indikator": int(sum(1 for i in range(n) if okey[i] == ok_)),
        })
    opd_df = pd.DataFrame(opd_rows, columns=["opd", "klaster", "capaian", "predikat", "pagu", "realisasi_pagu", "serapan", "jumlah_program_node", "jumlah_indikator"])
    return opd_df


def _cluster_table(opd_df: pd.DataFrame, clusters: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """One row per cluster (and the OPDs in none), from the OPD rows."""
    kl_rows = []
    if clusters:
        order = list(clusters) + ([NO_CLUSTER] if (opd_df["klaster"] == NO_CLUSTER).any() else [])
        for cname in order:
            g = opd_df[opd_df["klaster"] == cname]
            c = _mean(g["capaian"].to_numpy(dtype=float))
            has = g["pagu"].notna()
            p = float(g.loc[has, "pagu"].sum()) if has.any() else float("nan")
            rp = float(g.loc[has, "realisasi_pagu"].sum()) if has.any() else float("nan")
            kl_rows.append({"klaster": cname, "capaian": c, "predikat": predikat(c), "pagu": p, "realisasi_pagu": rp,
                            "serapan": rp / p * 100.0 if has.any() and p > 0 else float("nan"), "jumlah_opd": len(g)})
    kl_df = pd.DataFrame(kl_rows, columns=["klaster", "capaian", "predikat", "pagu", "realisasi_pagu", "serapan", "jumlah_opd"])
    return kl_df


def _kecamatan_table(prog_cap: pd.DataFrame) -> pd.DataFrame:
    """Capaian per kecamatan from the located programs."""
    # ---- capaian per kecamatan from the located programs
    kec_rows = []
    if len(prog_cap):
        pc = prog_cap[prog_cap["kecamatan"].notna()]
        for kname, g in pc.groupby("kecamatan", sort=True):
            c = _mean(g["capaian"].to_numpy(dtype=float))
            kec_rows.append({"kecamatan": kname, "jumlah_program": len(g), "capaian": c, "predikat": predikat(c)})
    kec_df = pd.DataFrame(kec_rows, columns=["kecamatan", "jumlah_program", "capaian", "predikat"])
    return kec_df


def _norm_kode(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    s = re.sub(r"\s+", "", str(v))
    try:
        return normalize_code(s)
    except Exception:
        return s
