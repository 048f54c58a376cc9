"""One fiscal year of ``sppr sync``: conformance, synchronization and every table (:func:`run_year`).

:mod:`sppr_gis.run` reads a run's inputs once, calls :func:`run_year` for each fiscal year and writes
what it returns (a :class:`YearResult`); both names are also importable from :mod:`sppr_gis.run`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sppr_gis.analyses import extend_check
from sppr_gis.config import Config
from sppr_gis.conformance import STATUSES
from sppr_gis.kinerja.consolidate import evaluate_year, issue_layer_rows, summary_blocks
from sppr_gis.matrices import (
    CRITERIA,
    capaian_group,
    capaian_program,
    collisions,
    conformance_status_table,
    discontinued_ipus,
    focus,
    ipu_status_table,
    jangka_menengah,
    matriks_1,
    matriks_2,
    matriks_3,
    medium_term_window,
    opd_cluster,
    protected_programs,
    rencana_status_table,
    sinergi_output,
    sinergi_table,
    synergy_pairs,
)
from sppr_gis.network import read_network_map
from sppr_gis.pipeline import CheckResult, PreparedZoning, check, prepare_zoning_cached
from sppr_gis.prepare import RunInputs, empty_year, with_geometry
from sppr_gis.summary import analysis_counts
from sppr_gis.sync import (
    IPU_STATUSES,
    RENCANA_STATUSES,
    SyncResult,
    match_programs,
    synchronize,
)
from sppr_gis.text import angka, persen
from sppr_gis.validate import ISSUE_COLUMNS, Finding, findings_frame

__all__ = ["YearResult", "run_year", "NO_IPU", "KESESUAIAN_COLUMNS"]

#: What the IPU tables and maps say when the config gives no ``indikasi_program``.
NO_IPU = "Indikasi program utama (IPU) tidak diberikan: tidak ada IPU yang disinkronkan; program rencana dinilai kesesuaian ruangnya dan diperingkat tanpa IPU."

#: Columns of the ``Kesesuaian`` sheet (those present).
KESESUAIAN_COLUMNS = [
    "program_id", "tahun", "opd", "kode", "kegiatan", "nama_kegiatan", "pagu", "sumber_dana", "lokasi", "kecamatan", "kelurahan",
    "kawasan_prioritas", "status", "itbx", "score", "dominant_zone", "zones", "syarat", "keterangan", "saran_relokasi", "jarak_relokasi_m",
    "porsi_jaringan", "status_struktur", "status_sinkron", "ipu_id",
    "volume", "satuan", "target", "realisasi", "capaian", "di_bawah_ambang", "lokasi_sumber", "sumber_berkas",
]


@dataclass
class YearResult:
    """One fiscal year's results (before writing).

    Attributes
    ----------
    year : int
    window : (int, int)
        The medium-term window containing the year.
    check : CheckResult
        Conformance of the year's programs.
    sync : SyncResult
    ipu : geopandas.GeoDataFrame
        Layer ``indikasi_program``.
    rencana : geopandas.GeoDataFrame
        Layer ``rencana``.
    sinergi : geopandas.GeoDataFrame
        Synergy pairs, collisions and protected-zone programs.
    issues : pandas.DataFrame
        Layer ``issues``.
    tables : dict
        Machine-named tables (``matriks_1`` ...), written as CSV.
    blocks : list
        The summary sheet's blocks (title, table key, note).
    counts : dict
    pagu : dict
    timings : dict
    """

    year: int
    window: tuple[int, int]
    check: CheckResult
    sync: SyncResult
    ipu: gpd.GeoDataFrame
    rencana: gpd.GeoDataFrame
    sinergi: gpd.GeoDataFrame
    issues: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    blocks: list[tuple[str, str, str | None]]
    counts: dict[str, dict[str, int]]
    pagu: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)
    kinerja: Any = None  # sppr_gis.kinerja.KinerjaResult with [inputs] kinerja



def _issues(inputs: RunInputs, chk: CheckResult, approx_ids: set[str], label: str, extra: Sequence[Finding] = (),
            sources: Mapping[str, str] | None = None) -> gpd.GeoDataFrame:
    ci = chk.issues
    drop = (ci["code"] == "geometri_kosong") & (ci["layer"] == label) & ci["feature_id"].isin(approx_ids)
    if sources:  # the year's check names its programs' file, not "rencana <year>" (analyst s9: which OPD's file to fix?)
        ci = ci.copy()
        mine = (ci["layer"] == label).to_numpy(dtype=bool)
        ci.loc[mine, "layer"] = [sources.get(str(fid), label) for fid in ci.loc[mine, "feature_id"]]
    own = findings_frame([*inputs.findings, *extra], chk.crs)
    df = gpd.GeoDataFrame(pd.concat([own, ci[~drop]], ignore_index=True), geometry=ci.geometry.name, crs=chk.crs)
    df[ISSUE_COLUMNS] = df[ISSUE_COLUMNS].astype(str)
    # paths relative to the config's folder: the same outputs on every machine
    base = str(inputs.config.path.parent) + os.sep
    for c in ("layer", "message"):
        df[c] = df[c].str.replace(base, "", regex=False)
    return df[~df.duplicated(subset=ISSUE_COLUMNS)].reset_index(drop=True)


def _program_sources(ry: pd.DataFrame) -> dict[str, str]:
    """Program id -> the file(s) it comes from (``sumber_berkas``; two files joined when an id is in both)."""
    if "sumber_berkas" not in ry.columns or "program_id" not in ry.columns:
        return {}
    pairs = pd.DataFrame({"id": ry["program_id"].astype(str).to_numpy(), "src": ry["sumber_berkas"].astype(str).to_numpy()})
    pairs = pairs[ry["sumber_berkas"].notna().to_numpy() & ry["program_id"].notna().to_numpy()]
    return {k: ", ".join(sorted(set(v))) for k, v in pairs.groupby("id")["src"]}


def _prepared_zoning(inputs: RunInputs) -> PreparedZoning:
    """The run's zoning, repaired and checked once for all its years (kept on ``inputs``)."""
    cached = getattr(inputs, "_zoning_qa", None)
    if cached is None:
        par = inputs.config.parameters
        cached = prepare_zoning_cached(
            inputs.zoning, inputs.config.fields.get("zone"), sliver_width=par.sliver_width, sliver_area=par.sliver_area, workers=par.workers
        )
        inputs._zoning_qa = cached  # type: ignore[attr-defined]
    return cached


def run_year(inputs: RunInputs, year: int, *, matches: pd.DataFrame | None = None, progress: Callable[[str], None] | None = None) -> YearResult:
    """Conformance, synchronization and every table for one fiscal year.

    The steps, in order: :func:`_check_year` (the year's programs against the zoning; places known
    only by name are not judged), :func:`_synchronize_year` (with the IPU), :func:`_rencana_layer`
    (the check's programs with the sync columns), :func:`_matrices` (Matriks 1-3, Jangka Menengah,
    capaian, added to the layer), :func:`_sinergi` (synergy, collisions, protected zones),
    :func:`_focus_tables`, :func:`_year_issues` (with the kinerja cascade), :func:`_pagu` and
    :func:`_counts`, and :func:`_tables_and_blocks` (what the book and the CSV files hold).

    Parameters
    ----------
    inputs : RunInputs
        From :func:`sppr_gis.prepare.load_inputs`.
    year : int
    matches : pandas.DataFrame, optional
        Precomputed :func:`sppr_gis.sync.match_programs` (shared across years).
    progress : callable, optional
        Called with a label after each step (:data:`sppr_gis.run.STEPS_PER_YEAR` per year).

    Returns
    -------
    YearResult
    """
    step = progress or (lambda label: None)
    par = inputs.config.parameters
    timings: dict[str, float] = {}

    t = time.perf_counter()
    yc = _check_year(inputs, year)
    timings["kesesuaian"] = time.perf_counter() - t
    step(f"{year}: kesesuaian tata ruang")

    t = time.perf_counter()
    if matches is None:
        matches = match_programs(inputs.ipu, inputs.rencana, match_distance=par.match_distance)
    sync = _synchronize_year(inputs, year, yc, matches)
    timings["sinkronisasi"] = time.perf_counter() - t
    step(f"{year}: sinkronisasi")

    t = time.perf_counter()
    out = _rencana_layer(yc, sync)
    window, mats = _matrices(inputs, year, out, matches)
    sinergi = _sinergi(inputs, year, out, yc.chk)
    fk, cap_opd, cap_kl = _focus_tables(inputs.config, out, mats["capaian_program"])
    ipu_out = sync.ipu.copy()
    issues, kinerja = _year_issues(inputs, year, yc, out, ipu_out)
    pagu = _pagu(out)
    counts = _counts(ipu_out, out, sinergi, issues, mats["capaian_program"], yc.chk)
    tables, blocks = _tables_and_blocks(
        inputs.config, year, window, matches, ipu_out, out, sinergi, issues, mats, fk, cap_opd, cap_kl, counts, pagu, kinerja
    )
    timings["matriks"] = time.perf_counter() - t
    step(f"{year}: matriks")
    return YearResult(
        year=year,
        window=window,
        check=yc.chk,
        sync=sync,
        ipu=ipu_out,
        rencana=out,
        sinergi=sinergi,
        issues=issues,
        tables=tables,
        blocks=blocks,
        counts=counts,
        pagu=pagu,
        timings=timings,
        kinerja=kinerja,
    )


@dataclass
class _YearCheck:
    """The year's programs as checked: their rows in ``inputs.rencana`` and the check's result."""

    sel: np.ndarray  # positions of the year's programs in inputs.rencana
    ry: gpd.GeoDataFrame  # those programs
    resolved: np.ndarray  # placed by a region's name only (not judged; geometry kept for the layer)
    chk: CheckResult
    label: str
    no_programs: Finding | None


def _check_year(inputs: RunInputs, year: int) -> _YearCheck:
    """Conformance of the year's programs (places known only by name are not judged)."""
    cfg = inputs.config
    par = cfg.parameters
    rencana = inputs.rencana
    sel = np.flatnonzero((rencana["tahun"] == year).fillna(False).to_numpy(dtype=bool))
    no_programs = empty_year(inputs, year)  # said on stderr, in the issues and in the manifest
    ry = rencana.iloc[sel].reset_index(drop=True)
    approx = (ry["lokasi_sumber"] != "geometri").to_numpy(dtype=bool)
    resolved = approx & (ry["lokasi_sumber"] != "tidak_ada").to_numpy(dtype=bool)
    chk_in = ry.copy()
    geoms = np.asarray(chk_in.geometry.values, dtype=object).copy()
    geoms[approx] = None
    chk_in = with_geometry(chk_in, geoms, ry.crs)
    chk_in.attrs = {"source": f"rencana {year}"}
    label = f"rencana {year}"
    chk = check(
        _prepared_zoning(inputs),
        chk_in,
        inputs.rules,
        zone_field=cfg.fields.get("zone"),
        activity_field="kegiatan",
        id_field="program_id",
        code_field="kode",
        min_share=par.min_share,
        sliver_width=par.sliver_width,
        sliver_area=par.sliver_area,
        workers=par.workers,
        programs_label=label,
    )
    _extend_check(chk, inputs)
    return _YearCheck(sel=sel, ry=ry, resolved=resolved, chk=chk, label=label, no_programs=no_programs)


def _synchronize_year(inputs: RunInputs, year: int, yc: _YearCheck, matches: pd.DataFrame) -> SyncResult:
    """The IPU <-> programs synchronization of ``year``, with the year's conformance statuses."""
    rencana = inputs.rencana
    conf = np.full(len(rencana), None, dtype=object)
    conf[yc.sel] = yc.chk.programs["status"].to_numpy(dtype=object)
    return synchronize(inputs.ipu, rencana, year, conformance=conf, matches=matches)


def _rencana_layer(yc: _YearCheck, sync: SyncResult) -> gpd.GeoDataFrame:
    """The rencana layer: the check's programs + the sync columns and the relocation advice."""
    chk, ry, resolved = yc.chk, yc.ry, yc.resolved
    out = chk.programs.copy()
    g = np.asarray(out.geometry.values, dtype=object)
    g[resolved] = np.asarray(ry.geometry.values, dtype=object)[resolved]
    out = with_geometry(out, g, chk.crs)
    names = ry["lokasi_wilayah"].astype(object).to_numpy()
    kt = out["keterangan"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(resolved):
        kt[i] = f"Lokasi hanya berupa nama wilayah ({names[i]}); kesesuaian tidak dapat dinilai, perlu kajian lokasi rinci."
    out["keterangan"] = kt
    out["status_sinkron"] = sync.rencana["status_sinkron"].to_numpy(dtype=object)
    out["ipu_id"] = sync.rencana["ipu_id"].to_numpy(dtype=object)
    advice = chk.extra_layers.get("saran_relokasi")
    if advice is not None:  # one row per tidak_sesuai program, in order
        at = np.flatnonzero((chk.programs["status"] == "tidak_sesuai").to_numpy(dtype=bool))
        text = np.full(len(out), None, dtype=object)
        dist = np.full(len(out), np.nan)
        text[at] = advice["keterangan"].to_numpy(dtype=object)
        dist[at] = advice["jarak_m"].to_numpy(dtype=float)
        out["saran_relokasi"] = text
        out["jarak_relokasi_m"] = dist
    return out


def _matrices(inputs: RunInputs, year: int, out: gpd.GeoDataFrame, matches: pd.DataFrame) -> tuple[tuple[int, int], dict[str, pd.DataFrame]]:
    """The medium-term window, Matriks 1-3, Jangka Menengah and the programs' capaian; their
    priority and capaian columns are added to ``out``."""
    cfg = inputs.config
    par = cfg.parameters
    rencana = inputs.rencana
    ipu = inputs.ipu
    window = medium_term_window(year, par.medium_term_start if par.medium_term_start is not None else (inputs.years[0] if inputs.years else year))
    m1 = matriks_1(ipu, rencana, matches, year=year, window=window)
    jm = jangka_menengah(ipu, rencana, matches, year=year, window=window)
    m2 = matriks_2(out, weights=par.priority_weights.as_dict(), discontinued=discontinued_ipus(ipu, matches, year))
    m3 = matriks_3(m2, thresholds=par.priority_thresholds)
    cap = capaian_program(out, threshold=par.capaian_threshold, clusters=cfg.opd_clusters)
    out["skor_prioritas"] = m2["skor_prioritas"].to_numpy()
    out["kelas_prioritas"] = m3["kelas_prioritas"].reindex(m2.index).to_numpy(dtype=object)  # m3 keeps m2's index
    out["peringkat_prioritas"] = m3["peringkat"].reindex(m2.index).array  # empty where a program cannot be ranked
    out["capaian"] = cap["capaian"].to_numpy()
    out["di_bawah_ambang"] = cap["di_bawah_ambang"].to_numpy()
    out["klaster"] = cap["klaster"].to_numpy()
    return window, {"matriks_1": m1, "jangka_menengah": jm, "matriks_2": m2, "matriks_3": m3, "capaian_program": cap}


def _sinergi(inputs: RunInputs, year: int, out: gpd.GeoDataFrame, chk: CheckResult) -> gpd.GeoDataFrame:
    """Synergy, collisions, protected zones: the ``Sinergi`` table."""
    par = inputs.config.parameters
    rencana = inputs.rencana
    syn = synergy_pairs(rencana, year, distance=par.synergy_distance)
    col = collisions(rencana, year, distance=par.collision_distance, years=par.collision_years, kegiatan=par.collision_kegiatan)
    prot = protected_programs(out, chk.zone_shares, inputs.protected_codes)
    return sinergi_table(syn, col, prot)


def _focus_tables(cfg: Config, out: gpd.GeoDataFrame, cap: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame | None]:
    """Focus and achievement: budget per OPD, area, priority area, program (and cluster), capaian per OPD (and cluster)."""
    fk = {
        "fokus_opd": focus(out, "opd"),
        "fokus_kecamatan": focus(out, "kecamatan"),
        "fokus_kelurahan": focus(out, "kelurahan"),
        "fokus_kawasan_prioritas": focus(out, "kawasan_prioritas", missing="(di luar kawasan prioritas)"),
        "fokus_program": focus(out, "kode_program", missing="(kode tidak valid/kosong)"),
    }
    if cfg.opd_clusters:
        fk["fokus_klaster"] = focus(out.assign(klaster=opd_cluster(out["opd"], cfg.opd_clusters)), "klaster")
    cap_opd = capaian_group(cap, "opd")
    cap_kl = capaian_group(cap, "klaster") if cfg.opd_clusters else None
    return fk, cap_opd, cap_kl


def _year_issues(inputs: RunInputs, year: int, yc: _YearCheck, out: gpd.GeoDataFrame, ipu_out: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, Any]:
    """The issues layer and the performance cascade with this year's figures (None without ``[inputs] kinerja``)."""
    ry, resolved, no_programs = yc.ry, yc.resolved, yc.no_programs
    issues = _issues(inputs, yc.chk, set(ry["program_id"].astype(str)[resolved]), yc.label, [no_programs] if no_programs else [], sources=_program_sources(ry))
    kinerja = evaluate_year(inputs, year, out, ipu_out)  # the performance cascade, with this year's figures
    if kinerja is not None:
        issues = issue_layer_rows(kinerja, issues)
    return issues, kinerja


def _pagu(out: gpd.GeoDataFrame) -> dict[str, float]:
    """The year's pagu: total, sinkron, sesuai, both, and the share of both."""
    total = float(np.nansum(pd.to_numeric(out["pagu"], errors="coerce")))
    ok = np.isin(out["status"].to_numpy(dtype=object), ["sesuai", "sesuai_bersyarat"])
    pg = pd.to_numeric(out["pagu"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    sinkron = (out["status_sinkron"] == "sinkron").to_numpy(dtype=bool)
    return {
        "total": total,
        "sinkron": float(pg[sinkron].sum()),
        "sesuai": float(pg[ok].sum()),
        "sinkron_sesuai": float(pg[sinkron & ok].sum()),
        "porsi_sinkron_sesuai": float(pg[sinkron & ok].sum() / total) if total else float("nan"),
    }


def _counts(ipu_out: gpd.GeoDataFrame, out: gpd.GeoDataFrame, sinergi: gpd.GeoDataFrame, issues: pd.DataFrame, cap: pd.DataFrame, chk: CheckResult) -> dict:
    """The year's counts per status, per sinergi kind, per severity (the manifest's ``counts``)."""
    return {
        "indikasi_program": {s: int((ipu_out["status_sinkron"] == s).sum()) for s in IPU_STATUSES},
        "rencana": {s: int((out["status_sinkron"] == s).sum()) for s in RENCANA_STATUSES},
        "kesesuaian": {s: int((out["status"] == s).sum()) for s in STATUSES},
        "sinergi": {j: int((sinergi["jenis"] == j).sum()) for j in ("sinergi", "tabrakan", "kawasan_lindung")},
        "issues": {s: int((issues["severity"] == s).sum()) for s in ("error", "warning", "info")},
        "capaian_di_bawah_ambang": int(cap["di_bawah_ambang"].sum()),
        **analysis_counts(out, chk.extra_layers.get("saran_relokasi")),  # saran_relokasi, status_struktur when computed
    }


def _tables_and_blocks(
    cfg: Config,
    year: int,
    window: tuple[int, int],
    matches: pd.DataFrame,
    ipu_out: gpd.GeoDataFrame,
    out: gpd.GeoDataFrame,
    sinergi: gpd.GeoDataFrame,
    issues: pd.DataFrame,
    mats: dict[str, pd.DataFrame],
    fk: dict[str, pd.DataFrame],
    cap_opd: pd.DataFrame,
    cap_kl: pd.DataFrame | None,
    counts: dict,
    pagu: dict[str, float],
    kinerja: Any,
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, str, str | None]]]:
    """The machine-named tables (the CSV files and the book's sheets) and the summary sheet's blocks."""
    par = cfg.parameters
    m1, jm, m2, m3, cap = mats["matriks_1"], mats["jangka_menengah"], mats["matriks_2"], mats["matriks_3"], mats["capaian_program"]
    st_ipu = ipu_status_table(ipu_out["status_sinkron"])
    st_ren = rencana_status_table(out)
    st_conf = conformance_status_table(out)
    key = _key_figures(cfg, year, window, ipu_out, out, counts, pagu, par)
    weights = pd.DataFrame(
        [{"kriteria": col_, "bobot": par.priority_weights.as_dict()[k], "uraian": desc} for k, (col_, desc) in CRITERIA.items()]
    )
    kes_cols = [c for c in KESESUAIAN_COLUMNS if c in out.columns]
    matches_y = matches[matches["tahun"] <= year].reset_index(drop=True)
    tables: dict[str, pd.DataFrame] = {
        "ringkasan": key,
        "status_ipu": st_ipu,
        "status_rencana": st_ren,
        "status_kesesuaian": st_conf,
        **fk,
        "capaian_program": cap,
        "capaian_opd": cap_opd,
        **({"capaian_klaster": cap_kl} if cap_kl is not None else {}),
        "bobot_prioritas": weights,
        "matriks_1": m1,
        "matriks_2": m2,
        "matriks_3": m3,
        "jangka_menengah": jm,
        "kesesuaian": _numbered(pd.DataFrame(out[kes_cols])),
        "sinergi": pd.DataFrame(sinergi_output(sinergi).drop(columns="geometry")),
        "pasangan_sinkron": matches_y.drop(columns=["rencana_pos", "ipu_pos"]),
        "isu_data": issues,
    }
    blocks: list[tuple[str, str, str | None]] = [
        (f"Ringkasan SPPR {year}", "ringkasan", None),
        ("Status sinkronisasi indikasi program utama (IPU)", "status_ipu", NO_IPU if cfg.inputs.indikasi_program is None else "sinkron: diwujudkan program tahun ini; diskontinu: pernah diwujudkan lalu terhenti; diskoneksi: belum pernah diwujudkan; belum_jadwal: di luar periode IPU."),
        (f"Status sinkronisasi program rencana {year}", "status_rencana", "sinkron: mewujudkan IPU; inkonsisten: tidak sesuai tata ruang; tidak_terindikasi: tidak terkait IPU mana pun."),
        ("Kesesuaian program dengan rencana tata ruang (ITBX)", "status_kesesuaian", None),
        ("Fokus anggaran per OPD", "fokus_opd", None),
        *([("Fokus anggaran per klaster OPD", "fokus_klaster", None)] if "fokus_klaster" in fk else []),
        ("Fokus anggaran per kecamatan", "fokus_kecamatan", None),
        ("Fokus anggaran per kelurahan", "fokus_kelurahan", None),
        # only with a kawasan prioritas layer: without one every program is "outside", a table of nothing
        *([("Di dalam dan di luar kawasan prioritas", "fokus_kawasan_prioritas", None)] if cfg.inputs.kawasan_prioritas is not None else []),
        ("Anggaran per program (kode SIPD)", "fokus_program", None),
        (f"Capaian program RKPD per OPD: realisasi/target program lapisan rencana (ambang {angka(par.capaian_threshold, 0)}%)", "capaian_opd",
         "Rata-rata capaian program (realisasi/target kolom lapisan rencana tahun ini); satuan berbeda antarprogram sehingga target tidak "
         "dijumlahkan. Bukan capaian kinerja Renstra/Renja (tabel 'Capaian kinerja per OPD' dari berkas kinerja)."),
        *([(f"Capaian program RKPD per klaster OPD (ambang {angka(par.capaian_threshold, 0)}%)", "capaian_klaster", None)] if cap_kl is not None else []),
        ("Bobot kriteria penilaian prioritas (Matriks 2)", "bobot_prioritas", "Skor prioritas = 100 x jumlah(bobot x nilai) / jumlah bobot."),
    ]
    if kinerja is not None:
        k_tables, k_blocks = summary_blocks(kinerja)
        tables.update(k_tables)
        blocks.extend(k_blocks)
    return tables, blocks


def _extend_check(chk: CheckResult, inputs: RunInputs) -> None:
    """Relocation advice and, with ``network_map`` and a struktur ruang layer, network conformance (as ``sppr check``)."""
    cfg = inputs.config
    par = cfg.parameters
    spec = getattr(cfg.inputs, "network_map", None)
    network = inputs.struktur_ruang if spec is not None else None
    class_map = read_network_map(spec.path) if network is not None else None
    extend_check(
        chk, inputs.rules, relocation_distance=par.relocation_distance, network=network, class_map=class_map,
        class_field=par.network_class_field, network_distance=par.network_distance,
    )


def _key_figures(cfg: Config, year: int, window: tuple[int, int], ipu: pd.DataFrame, ren: pd.DataFrame, counts: dict, pagu: dict, par: Any) -> pd.DataFrame:
    def rp(v: float) -> str:
        return "Rp " + angka(v, 0)

    rows = [
        ("Wilayah", cfg.name),
        ("Tahun anggaran", str(year)),
        ("Jangka menengah", f"{window[0]}-{window[1]}"),
        ("Jumlah indikasi program utama (IPU)", str(len(ipu))),
        *[(f"IPU {s}", str(counts["indikasi_program"][s])) for s in IPU_STATUSES],
        (f"Jumlah program rencana {year}", str(len(ren))),
        *[(f"Program {s}", str(counts["rencana"][s])) for s in RENCANA_STATUSES],
        *[(f"Kesesuaian {s}", str(counts["kesesuaian"][s])) for s in STATUSES],
        ("Total pagu", rp(pagu["total"])),
        ("Pagu program sinkron", rp(pagu["sinkron"])),
        ("Pagu program sesuai tata ruang", rp(pagu["sesuai"])),
        ("Pagu sinkron dan sesuai tata ruang", rp(pagu["sinkron_sesuai"])),
        ("Porsi pagu sinkron dan sesuai", persen(pagu["porsi_sinkron_sesuai"]) if pagu["total"] else "-"),
        ("Pasangan sinergi antar-OPD", str(counts["sinergi"]["sinergi"])),
        ("Konflik pekerjaan (tahun berurutan)", str(counts["sinergi"]["tabrakan"])),
        ("Program di kawasan lindung", str(counts["sinergi"]["kawasan_lindung"])),
        (f"Program dengan capaian di bawah {angka(par.capaian_threshold, 0)}%", str(counts["capaian_di_bawah_ambang"])),
        ("Isu data (galat/peringatan/info)", f"{counts['issues']['error']}/{counts['issues']['warning']}/{counts['issues']['info']}"),
        ("Jarak pencocokan IPU", f"{angka(par.match_distance, 0)} m"),
        ("Jarak sinergi / konflik pekerjaan", f"{angka(par.synergy_distance, 0)} m / {angka(par.collision_distance, 0)} m"),
    ]
    return pd.DataFrame(rows, columns=["uraian", "nilai"])


def _numbered(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a first column ``no`` (1, 2, ... in its row order): the number of each program on Peta 4
    and on its OPD map, so that a program has one number in the book, the report and the album."""
    out = table.reset_index(drop=True)
    out.insert(0, "no", np.arange(1, len(out) + 1))
    return out
