"""One SPPR run (``sppr sync``): read once, then per fiscal year conformance, sync, matrices, outputs.

>>> from sppr_gis.run import run_sync
>>> run = run_sync("data/sample/sppr.toml", [2025], "sppr-output")      # doctest: +SKIP
>>> run.years[0].counts["rencana"]                                      # doctest: +SKIP

Outputs under ``OUT/YEAR/`` (contract ``sppr sync``): ``sppr.gpkg`` (layers
``indikasi_program``, ``rencana``, ``zone_shares``, ``issues``, plus ``sinergi``
and ``pasangan_sinkron``), ``buku_matriks.xlsx`` (sheets :data:`SHEETS`),
``csv/*.csv``, ``manifest.json``, and the album and HTML report when the maps
package is available. All years are written into a staging folder inside OUT
and renamed into place only when every year succeeded, so a failed run leaves
no half-written folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import sppr_gis
from sppr_gis.clock import now_utc, source_date_epoch
from sppr_gis.config import Config, load_config
from sppr_gis.conformance import STATUSES
from sppr_gis.errors import OutputError, SpprError
from sppr_gis.io import FolderSwap, Target, check_replaceable, guard_outputs, output_error, write_gpkg, write_postgis
from sppr_gis.io.write import csv_safe
from sppr_gis.matrices import (
    CRITERIA,
    HEADERS,
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
from sppr_gis.pipeline import CheckResult, PreparedZoning, check, prepare_zoning_qa
from sppr_gis.kinerja.consolidate import evaluate_year, issue_layer_rows, summary_blocks
from sppr_gis.prepare import RunInputs, empty_year, load_inputs, with_geometry
from sppr_gis.sync import (
    IPU_STATUSES,
    RENCANA_STATUSES,
    SyncResult,
    match_programs,
    synchronize,
)
from sppr_gis.summary import analysis_counts, issue_notes
from sppr_gis.text import angka, persen
from sppr_gis.validate import ISSUE_COLUMNS, Finding, findings_frame

__all__ = ["SHEETS", "YearResult", "SyncRun", "run_year", "write_year", "run_sync", "run_sources", "count_steps", "stage_names", "parse_years"]

log = logging.getLogger(__name__)

#: Sheets of ``buku_matriks.xlsx``, in order (contract).
#: What the IPU tables and maps say when the config gives no ``indikasi_program``.
NO_IPU = "Indikasi program utama (IPU) tidak diberikan: tidak ada IPU yang disinkronkan; program rencana dinilai kesesuaian ruangnya dan diperingkat tanpa IPU."
SHEETS: tuple[str, ...] = ("Ringkasan", "Matriks 1", "Matriks 2", "Matriks 3", "Jangka Menengah", "Kesesuaian", "Sinergi", "Isu Data")
#: Progress steps per year (for a progress bar) and for reading the inputs.
STEPS_PER_YEAR = 5
STEPS_READ = 4

#: Columns of the ``Kesesuaian`` sheet (those present).
KESESUAIAN_COLUMNS = [
    "program_id", "tahun", "opd", "kode", "kegiatan", "nama_kegiatan", "pagu", "sumber_dana", "lokasi", "kecamatan", "kelurahan",
    "kawasan_prioritas", "status", "itbx", "score", "dominant_zone", "zones", "syarat", "keterangan", "saran_relokasi", "jarak_relokasi_m",
    "porsi_jaringan", "status_struktur", "status_sinkron", "ipu_id",
    "volume", "satuan", "target", "realisasi", "capaian", "di_bawah_ambang", "lokasi_sumber", "sumber_berkas",
]


def count_steps(n_years: int) -> int:
    """Progress steps of a run over ``n_years`` years."""
    return STEPS_READ + STEPS_PER_YEAR * n_years


def stage_names(years: Sequence[int]) -> list[str]:
    """What each progress step of a run over ``years`` does, in order (``count_steps`` of them).

    Parameters
    ----------
    years : sequence of int

    Returns
    -------
    list of str
        Indonesian stage names (``membaca zonasi dan matriks ITBX``, ``2025: menghitung irisan dan kesesuaian`` ...).
    """
    names = ["membaca zonasi dan matriks ITBX", "membaca batas wilayah dan kawasan prioritas", "membaca indikasi program", "membaca rencana program"]
    for y in years:
        names += [f"{y}: menghitung irisan dan kesesuaian", f"{y}: sinkronisasi", f"{y}: menyusun matriks",
                  f"{y}: menulis GeoPackage dan buku matriks", f"{y}: menulis album peta dan laporan"]
    return names


def parse_years(text: str) -> list[int]:
    """``"2025"`` -> [2025]; ``"2025-2029"`` -> [2025, ..., 2029].

    Raises
    ------
    ValueError
        Not a year or a range ``A-B`` with A <= B (at most 50 years).
    """
    t = str(text).strip()
    parts = [p.strip() for p in t.replace("–", "-").split("-")]
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"'{text}' is not a year or a range of years such as 2025-2029") from None
    if len(nums) == 1:
        a = b = nums[0]
    elif len(nums) == 2:
        a, b = nums
    else:
        raise ValueError(f"'{text}' is not a year or a range of years such as 2025-2029")
    if not (1900 <= a <= 2200 and 1900 <= b <= 2200) or a > b or b - a >= 50:
        raise ValueError(f"'{text}': expected years between 1900 and 2200, first <= last, at most 50 years")
    return list(range(a, b + 1))


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


@dataclass
class SyncRun:
    """What :func:`run_sync` returns.

    Attributes
    ----------
    out_dir : Path
    years : list of YearResult
    folders : list of Path
        The written year folders.
    timings : dict
    summary : list of dict
        What was read, one item per input (also in each manifest's ``input_summary``).
    """

    out_dir: Path
    years: list[YearResult]
    folders: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    summary: list[dict[str, Any]] = field(default_factory=list)


def _issues(inputs: RunInputs, chk: CheckResult, approx_ids: set[str], label: str, extra: Sequence[Finding] = ()) -> gpd.GeoDataFrame:
    ci = chk.issues
    drop = (ci["code"] == "geometri_kosong") & (ci["layer"] == label) & ci["feature_id"].isin(approx_ids)
    own = findings_frame([*inputs.findings, *extra], chk.crs)
    df = gpd.GeoDataFrame(pd.concat([own, ci[~drop]], ignore_index=True), geometry=ci.geometry.name, crs=chk.crs)
    df[ISSUE_COLUMNS] = df[ISSUE_COLUMNS].astype(str)
    # paths relative to the config's folder: the same outputs on every machine
    base = str(inputs.config.path.parent) + os.sep
    for c in ("layer", "message"):
        df[c] = df[c].str.replace(base, "", regex=False)
    return df[~df.duplicated(subset=ISSUE_COLUMNS)].reset_index(drop=True)


def _prepared_zoning(inputs: RunInputs) -> PreparedZoning:
    """The run's zoning, repaired and checked once for all its years (kept on ``inputs``)."""
    cached = getattr(inputs, "_zoning_qa", None)
    if cached is None:
        par = inputs.config.parameters
        cached = prepare_zoning_qa(
            inputs.zoning, inputs.config.fields.get("zone"), sliver_width=par.sliver_width, sliver_area=par.sliver_area, workers=par.workers
        )
        inputs._zoning_qa = cached  # type: ignore[attr-defined]
    return cached


def run_year(inputs: RunInputs, year: int, *, matches: pd.DataFrame | None = None, progress: Callable[[str], None] | None = None) -> YearResult:
    """Conformance, synchronization and every table for one fiscal year.

    Parameters
    ----------
    inputs : RunInputs
        From :func:`sppr_gis.prepare.load_inputs`.
    year : int
    matches : pandas.DataFrame, optional
        Precomputed :func:`sppr_gis.sync.match_programs` (shared across years).
    progress : callable, optional
        Called with a label after each step (:data:`STEPS_PER_YEAR` per year).

    Returns
    -------
    YearResult
    """
    step = progress or (lambda label: None)
    cfg = inputs.config
    par = cfg.parameters
    timings: dict[str, float] = {}
    rencana = inputs.rencana
    ipu = inputs.ipu

    # ---- conformance of the year's programs (places known only by name are not judged)
    t = time.perf_counter()
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
    timings["kesesuaian"] = time.perf_counter() - t
    step(f"{year}: kesesuaian tata ruang")

    # ---- synchronization
    t = time.perf_counter()
    if matches is None:
        matches = match_programs(ipu, rencana, match_distance=par.match_distance)
    conf = np.full(len(rencana), None, dtype=object)
    conf[sel] = chk.programs["status"].to_numpy(dtype=object)
    sync = synchronize(ipu, rencana, year, conformance=conf, matches=matches)
    timings["sinkronisasi"] = time.perf_counter() - t
    step(f"{year}: sinkronisasi")

    # ---- the rencana layer: check's programs + sync columns
    t = time.perf_counter()
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

    # ---- synergy, collisions, protected zones
    syn = synergy_pairs(rencana, year, distance=par.synergy_distance)
    col = collisions(rencana, year, distance=par.collision_distance, years=par.collision_years, kegiatan=par.collision_kegiatan)
    prot = protected_programs(out, chk.zone_shares, inputs.protected_codes)
    sinergi = sinergi_table(syn, col, prot)

    # ---- focus and achievement
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

    # ---- the IPU layer and the issues
    ipu_out = sync.ipu.copy()
    issues = _issues(inputs, chk, set(ry["program_id"].astype(str)[resolved]), label, [no_programs] if no_programs else [])
    kinerja = evaluate_year(inputs, year, out, ipu_out)  # the performance cascade, with this year's figures
    if kinerja is not None:
        issues = issue_layer_rows(kinerja, issues)

    st_ipu = ipu_status_table(ipu_out["status_sinkron"])
    st_ren = rencana_status_table(out)
    st_conf = conformance_status_table(out)
    total = float(np.nansum(pd.to_numeric(out["pagu"], errors="coerce")))
    ok = np.isin(out["status"].to_numpy(dtype=object), ["sesuai", "sesuai_bersyarat"])
    pg = pd.to_numeric(out["pagu"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    sinkron = (out["status_sinkron"] == "sinkron").to_numpy(dtype=bool)
    pagu = {
        "total": total,
        "sinkron": float(pg[sinkron].sum()),
        "sesuai": float(pg[ok].sum()),
        "sinkron_sesuai": float(pg[sinkron & ok].sum()),
        "porsi_sinkron_sesuai": float(pg[sinkron & ok].sum() / total) if total else float("nan"),
    }
    counts = {
        "indikasi_program": {s: int((ipu_out["status_sinkron"] == s).sum()) for s in IPU_STATUSES},
        "rencana": {s: int((out["status_sinkron"] == s).sum()) for s in RENCANA_STATUSES},
        "kesesuaian": {s: int((out["status"] == s).sum()) for s in STATUSES},
        "sinergi": {j: int((sinergi["jenis"] == j).sum()) for j in ("sinergi", "tabrakan", "kawasan_lindung")},
        "issues": {s: int((issues["severity"] == s).sum()) for s in ("error", "warning", "info")},
        "capaian_di_bawah_ambang": int(cap["di_bawah_ambang"].sum()),
        **analysis_counts(out, chk.extra_layers.get("saran_relokasi")),  # saran_relokasi, status_struktur when computed
    }
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
        "kesesuaian": pd.DataFrame(out[kes_cols]),
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
        ("Di dalam dan di luar kawasan prioritas", "fokus_kawasan_prioritas", None),
        ("Anggaran per program (kode SIPD)", "fokus_program", None),
        (f"Capaian per OPD (ambang {angka(par.capaian_threshold, 0)}%)", "capaian_opd", "Rata-rata capaian program (realisasi/target); satuan berbeda antarprogram sehingga target tidak dijumlahkan."),
        *([(f"Capaian per klaster OPD (ambang {angka(par.capaian_threshold, 0)}%)", "capaian_klaster", None)] if cap_kl is not None else []),
        ("Bobot kriteria penilaian prioritas (Matriks 2)", "bobot_prioritas", "Skor prioritas = 100 x jumlah(bobot x nilai) / jumlah bobot."),
    ]
    if kinerja is not None:
        k_tables, k_blocks = summary_blocks(kinerja)
        tables.update(k_tables)
        blocks.extend(k_blocks)
    timings["matriks"] = time.perf_counter() - t
    step(f"{year}: matriks")
    return YearResult(
        year=year,
        window=window,
        check=chk,
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


def _extend_check(chk: CheckResult, inputs: RunInputs) -> None:
    """Relocation advice and, with ``network_map`` and a struktur ruang layer, network conformance (as ``sppr check``)."""
    from sppr_gis.analyses import extend_check
    from sppr_gis.network import read_network_map

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
        ("Tabrakan pekerjaan (tahun berurutan)", str(counts["sinergi"]["tabrakan"])),
        ("Program di kawasan lindung", str(counts["sinergi"]["kawasan_lindung"])),
        (f"Program dengan capaian di bawah {angka(par.capaian_threshold, 0)}%", str(counts["capaian_di_bawah_ambang"])),
        ("Isu data (galat/peringatan/info)", f"{counts['issues']['error']}/{counts['issues']['warning']}/{counts['issues']['info']}"),
        ("Jarak pencocokan IPU", f"{angka(par.match_distance, 0)} m"),
        ("Jarak sinergi / tabrakan", f"{angka(par.synergy_distance, 0)} m / {angka(par.collision_distance, 0)} m"),
    ]
    return pd.DataFrame(rows, columns=["uraian", "nilai"])


# ----------------------------------------------------------------------------- writing


def _versions() -> dict[str, str]:
    import geopandas
    import pyogrio
    import pyproj
    import shapely

    return {
        "sppr_gis": sppr_gis.__version__,
        "python": sys.version.split()[0],
        "geopandas": geopandas.__version__,
        "shapely": shapely.__version__,
        "pyproj": pyproj.__version__,
        "pyogrio": pyogrio.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "GEOS": shapely.geos_version_string,
        "GDAL": pyogrio.__gdal_version_string__,
        "PROJ": pyproj.proj_version_str,
    }


def _layer(df: pd.DataFrame) -> pd.DataFrame:
    """A frame GDAL can store: nullable ints and bools as plain types, text as str."""
    out = df.copy()
    for c in out.columns:
        if c == getattr(out, "_geometry_column_name", None):
            continue
        s = out[c]
        if isinstance(s.dtype, pd.BooleanDtype):
            out[c] = s.astype(object).where(s.notna(), None)
        elif isinstance(s.dtype, pd.StringDtype):
            out[c] = s.astype(object).where(s.notna(), None)
    return out


def _album_and_report(result: YearResult, inputs: RunInputs, folder: Path, tables: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> list[Path]:
    """The Album Peta and the HTML report (matplotlib is a required dependency: they are always written)."""
    written: list[Path] = []
    layers: dict[str, gpd.GeoDataFrame | None] = {
        "zoning": inputs.zones_raw,
        "rencana": result.rencana,
        "indikasi_program": _with_window(result.ipu, result.window),
        "kecamatan": inputs.admin.kecamatan,
        "kelurahan": inputs.admin.kelurahan,
        "kawasan_prioritas": inputs.kawasan_prioritas,
        "sinergi": result.sinergi,
        "struktur_ruang": inputs.struktur_ruang,
        "saran_relokasi": result.check.extra_layers.get("saran_relokasi"),  # leaders on the conformance map
        "kinerja": result.kinerja,  # not a layer: the kinerja pages and report section (None without [inputs] kinerja)
    }
    title = inputs.config.title
    from sppr_gis.maps.album import write_album
    from sppr_gis.report.html import write_report

    t = time.perf_counter()
    album = dict(getattr(inputs.config, "album", None) or {})
    written.extend(
        Path(p)
        for p in write_album(
            layers, folder, year=result.year, title=title, palette=inputs.config.palette or None, region=inputs.config.name,
            paper=album.get("paper", "A3"), office=album.get("instansi"), signatory=album.get("penandatangan"), logo=album.get("logo"),
            sumber=_album_sources(inputs, album.get("sumber")), kata_pengantar=album.get("kata_pengantar"),
            tempat=album.get("tempat"), tanggal=album.get("tanggal"), inset=album.get("inset"),
        )
    )
    manifest["timings"]["album"] = round(time.perf_counter() - t, 4)
    t = time.perf_counter()
    maps = [p for p in written if p.suffix.lower() == ".png"]
    p = write_report(
        folder / "laporan.html",
        layers=layers,
        tables=tables,
        manifest=manifest,
        maps=maps,
        year=result.year,
        title=title,
        palette=inputs.config.palette or None,
        paper=album.get("paper", "A3"),
    )
    written.append(Path(p) if p is not None else folder / "laporan.html")
    manifest["timings"]["laporan"] = round(time.perf_counter() - t, 4)
    return written


def check_album_layout(cfg: Config) -> None:
    """Lay out the album's signature block as it will print, before any input is read or output written.

    The block (``[album] instansi``, ``penandatangan``, ``tempat``/``tanggal``, ``logo``) is placed on one map
    page of the configured paper, drawn around a placeholder square (the block's place does not depend on the
    map), and under the ``kata_pengantar`` when there is one: the album's own layout code, so the check and the
    album cannot disagree. Takes about a second.

    Parameters
    ----------
    cfg : Config
        The run configuration.

    Raises
    ------
    sppr_gis.errors.ConfigError
        The block cannot fit beside the map even at 7 pt (the message names ``album.penandatangan`` or
        ``album.instansi``), or the foreword and the block cannot share their page (``album.kata_pengantar``).
    """
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.album import album_pages, kata_pengantar_page

    album = dict(getattr(cfg, "album", None) or {})
    if not any(album.get(k) for k in ("instansi", "penandatangan", "tempat", "tanggal", "logo", "kata_pengantar")):
        return
    paper = album.get("paper", "A3")
    place_date = ", ".join(str(x) for x in (album.get("tempat"), album.get("tanggal")) if x and str(x).strip()) or None
    square = gpd.GeoDataFrame({"nama": [""]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs=32748)
    figs = []
    try:
        for _, page in album_pages({"kecamatan": square}, year=0, title=cfg.title, paper=paper, dpi=30, office=album.get("instansi"),
                                   signatory=album.get("penandatangan"), logo=album.get("logo"), place_date=place_date):
            figs.append(page.fig)
            break
        if album.get("kata_pengantar") and str(album["kata_pengantar"]).strip():
            figs.append(kata_pengantar_page(album["kata_pengantar"], office=album.get("instansi"), signatory=album.get("penandatangan"),
                                            place_date=place_date, paper=paper, dpi=30))
    finally:
        for f in figs:
            plt.close(f)


def _with_window(ipu: pd.DataFrame | None, window: Sequence[int]) -> pd.DataFrame | None:
    """The IPU layer for the album, carrying the Buku Matriks' medium-term window (``attrs["jangka_menengah"]``):
    the album's Jangka Menengah map then shows the same IPUs and the same period as the workbook's sheet."""
    if ipu is None:
        return None
    out = ipu.copy()
    out.attrs["jangka_menengah"] = (int(window[0]), int(window[1]))
    return out


def _album_sources(inputs: RunInputs, given: Mapping[str, str] | None) -> dict[str, str]:
    """Citations per input for the album: ``[album.sumber]``, else the input's file name."""
    out: dict[str, str] = {}
    ins = inputs.config.inputs
    for key in ("zoning", "rules", "struktur_ruang", "indikasi_program", "rencana", "kecamatan", "kelurahan", "kawasan_prioritas"):
        spec = getattr(ins, key, None)
        specs = list(spec) if isinstance(spec, (tuple, list)) else ([spec] if spec is not None else [])
        names = [Path(getattr(getattr(sp, "layer", None), "path", "") or "").name for sp in specs]
        names = [n for n in names if n]
        if names:
            out[key] = "berkas " + ", ".join(names)
    out.update({k: v for k, v in (given or {}).items() if v})
    return out


def _styler(palette: Mapping[str, str] | None) -> Callable[[Path], object] | None:
    """QGIS layer styles for a result GeoPackage."""
    from sppr_gis.maps.styles import write_layer_styles

    return lambda path: write_layer_styles(path, palette=palette or None)


def _year_layers(result: YearResult) -> dict[str, pd.DataFrame]:
    """The layers of ``sppr.gpkg`` (and of ``[output] postgis``, as ``<layer>_<year>``)."""
    return {
        "indikasi_program": _layer(result.ipu),
        "rencana": _layer(result.rencana),
        "zone_shares": _layer(result.check.zone_shares),
        "issues": _layer(result.issues),
        "sinergi": _layer(sinergi_output(result.sinergi)),
        "pasangan_sinkron": _layer(result.tables["pasangan_sinkron"]),
        **{k: _layer(v) for k, v in result.check.extra_layers.items()},
        **(_kinerja_layers(result.kinerja) if result.kinerja is not None else {}),
    }


def _kinerja_layers(kinerja: Any) -> dict[str, pd.DataFrame]:
    from sppr_gis.kinerja.book import layers

    return {k: _layer(v) for k, v in layers(kinerja).items()}


def write_year(
    result: YearResult,
    inputs: RunInputs,
    folder: Path,
    *,
    timings: dict[str, float] | None = None,
    maps: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write one year's outputs into ``folder`` (created; expected empty).

    Parameters
    ----------
    result : YearResult
    inputs : RunInputs
    folder : Path
    timings : dict, optional
        Reading timings to record in the manifest.
    maps : bool
        Also write the Album Peta and ``laporan.html`` (when their modules are available).
    progress : callable, optional
        Called with a label after the tables and after the maps (2 steps).

    Returns
    -------
    list of Path
        The files written.
    """
    from sppr_gis.report.excel import Block, write_workbook

    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    cfg = inputs.config
    files: list[Path] = []
    gpkg = folder / "sppr.gpkg"
    write_gpkg(_year_layers(result), gpkg, finish=_styler(cfg.palette))
    files.append(gpkg)
    t = result.tables
    headers = {
        **HEADERS, "kriteria": "Kriteria", "bobot": "Bobot", "uraian": "Uraian", "saran_relokasi": "Saran Relokasi",
        "jarak_relokasi_m": "Jarak Relokasi (m)", "porsi_jaringan": "Porsi pada Jaringan Rencana", "status_struktur": "Status Struktur Ruang",
    }
    sheets: dict[str, Any] = {
        "Ringkasan": [Block(title, t[key], note) for title, key, note in result.blocks],
        "Matriks 1": [Block("Matriks 1", t["matriks_1"], NO_IPU)] if cfg.inputs.indikasi_program is None else t["matriks_1"],
        "Matriks 2": t["matriks_2"],
        "Matriks 3": t["matriks_3"],
        "Jangka Menengah": [Block("Jangka Menengah", t["jangka_menengah"], NO_IPU)] if cfg.inputs.indikasi_program is None else t["jangka_menengah"],
        "Kesesuaian": t["kesesuaian"],
        "Sinergi": t["sinergi"],
        "Isu Data": t["isu_data"],
    }
    assert tuple(sheets) == SHEETS
    if result.kinerja is not None:  # the cascade in the evaluation layout (sppr_gis.kinerja)
        from sppr_gis.kinerja.book import evaluation_sheet, headers as kinerja_headers

        sheets["Kinerja"] = evaluation_sheet(result.kinerja)
        headers = {**kinerja_headers(result.year), **headers}
    book = folder / "buku_matriks.xlsx"
    write_workbook(sheets, book, headers=headers, title=f"{cfg.title} - Tahun {result.year}", region=cfg.name, year=result.year)
    files.append(book)
    csv_dir = folder / "csv"
    csv_dir.mkdir(exist_ok=True)
    for name, df in t.items():
        p = csv_dir / f"{name}.csv"
        csv_safe(pd.DataFrame(df)).to_csv(p, index=False, encoding="utf-8")  # no text a spreadsheet would evaluate
        files.append(p)
    timings_all = {**{f"baca.{k}": v for k, v in (timings or {}).items()}, **result.timings, "tulis": time.perf_counter() - t0}
    base = cfg.path.parent
    manifest: dict[str, Any] = {
        "tool": "sppr_gis",
        "command": "sppr sync",
        "config": str(cfg.path),
        "name": cfg.name,
        "title": cfg.title,
        "year": result.year,
        "window": list(result.window),
        "created": now_utc().isoformat(),
        "crs": inputs.crs.to_string(),
        "inputs": [
            {
                "role": role,
                "key": spec.key,
                "path": spec.label if spec.layer.is_postgis else _rel(spec.path, base),
                "layer": spec.layer.layer,
                "sha256": inputs.hashes.get(_rel(spec.path, base)),
            }
            for role, spec in cfg.inputs.all()
        ],
        "input_summary": [{**item, "notes": issue_notes(result.issues, item["source"])} for item in inputs.summary],
        "parameters": cfg.parameters.as_dict(),
        "fields": {k: v for k, v in cfg.fields.items()},
        "opd_clusters": {k: list(v) for k, v in cfg.opd_clusters.items()},
        "protected_zones": list(inputs.protected_codes),
        "versions": _versions(),
        "counts": {
            **result.counts,
            "rows": {"indikasi_program": len(result.ipu), "rencana": len(result.rencana), "zone_shares": len(result.check.zone_shares), "issues": len(result.issues), "sinergi": len(result.sinergi)},
        },
        "pagu": result.pagu,
        "catatan": [str(m) for m in result.issues.loc[result.issues["code"] == "tahun_tanpa_program", "message"]],
        "timings": {k: round(v, 4) for k, v in timings_all.items()},
    }
    step = progress or (lambda label: None)
    step(f"{result.year}: tabel ditulis")
    if maps:
        files.extend(_album_and_report(result, inputs, folder, t, manifest))
    step(f"{result.year}: album peta dan laporan")
    manifest["timings"]["tulis_total"] = round(time.perf_counter() - t0, 4)
    manifest["outputs"] = sorted(_rel(p, folder) for p in folder.rglob("*") if p.is_file()) + ["manifest.json"]
    if source_date_epoch() is not None:  # reproducible output: the same bytes every run, so no wall-clock timings
        manifest["timings"] = {k: None for k in manifest["timings"]}
    mpath = folder / "manifest.json"
    mpath.write_text(json.dumps(_finite(manifest), ensure_ascii=False, indent=2, default=_json_default, allow_nan=False), encoding="utf-8")
    files.append(mpath)
    return files


def _finite(v: Any) -> Any:
    """``v`` with every NaN or Infinity replaced by ``None`` (the manifest is strict JSON)."""
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else None
    return v


def _json_default(v: object) -> object:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    return str(v)


def _rel(path: Path, base: Path) -> str:
    try:
        return str(Path(path).relative_to(base))
    except ValueError:
        return str(path)


def run_sync(
    config: Config | str | os.PathLike[str],
    years: Sequence[int],
    out_dir: str | os.PathLike[str] = "sppr-output",
    *,
    progress: Callable[[str], None] | None = None,
    maps: bool = True,
    inputs: RunInputs | None = None,
) -> SyncRun:
    """The SPPR run: read the inputs once, then for each year compute and write ``OUT/YEAR/``.

    Parameters
    ----------
    config : Config or path
        The configuration (a TOML path is loaded and validated).
    years : sequence of int
        Fiscal years (one output folder each).
    out_dir : path-like
        Output folder (default ``sppr-output``).
    progress : callable, optional
        Called with a label after each step; :func:`count_steps` gives the total.
    maps : bool
        Also write the Album Peta and ``laporan.html`` (default True).
    inputs : RunInputs, optional
        The inputs already read (:func:`sppr_gis.prepare.load_inputs` of
        ``config``), e.g. by a client that sent them to a dask worker.

    Returns
    -------
    SyncRun

    Raises
    ------
    OutputConflictError
        A year folder holds an input of the run, or files this tool did not
        write (its ``manifest.json`` lists what it wrote): nothing is read,
        written or deleted.
    SpprError
        Configuration or data that cannot be processed. No year folder is
        written (or replaced) unless every year succeeded. With ``[output]
        postgis`` the database is committed after every other step that can
        fail, just before the year folders are renamed into place; should that
        rename still fail, the message says the database was written and the
        folders were not.
    """
    t0 = time.perf_counter()
    cfg = config if isinstance(config, Config) else load_config(config)
    years = [int(y) for y in years]
    if not years:
        raise ValueError("no year given")
    out = Path(out_dir)
    finals = [out / str(y) for y in years]
    # before any work: no year folder may hold an input, nor anything this tool did not write there
    guard_outputs(run_sources(cfg), [Target("year folder", f, folder=True) for f in finals])
    check_replaceable(finals)
    if maps:
        check_album_layout(cfg)  # a signature block that cannot fit stops the run before anything is read or written
    inputs = inputs if inputs is not None else load_inputs(cfg, progress=progress)
    matches = match_programs(inputs.ipu, inputs.rencana, match_distance=cfg.parameters.match_distance)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".sppr-staging-", dir=out))
    except OSError as exc:
        raise (output_error(exc, out / "x") or OutputError(f"{out}: cannot write ({exc.strerror or exc})")) from None
    results: list[YearResult] = []
    folders: list[Path] = []
    swap = FolderSwap([(staging / str(y), f) for y, f in zip(years, finals)])
    try:
        for y in years:
            res = run_year(inputs, y, matches=matches, progress=progress)
            try:
                write_year(res, inputs, staging / str(y), timings=inputs.timings, maps=maps, progress=progress)
            except SpprError:
                raise
            except Exception as exc:
                err = output_error(exc, out / str(y))
                if err is None:
                    raise
                raise err from None
            results.append(res)
        # every step that can fail on the files comes first (the folders checked again and the old ones set
        # aside); the database is committed next, and only the renames into place come after it
        pg = cfg.output.get("postgis")
        layers = {f"{name}_{res.year}": df for res in results for name, df in _year_layers(res).items()} if pg else {}
        if pg:
            guard_outputs(run_sources(cfg), [Target(f"{cfg.path.name} output.postgis", pg, tables=tuple(layers))])
        swap.prepare()
        written = write_postgis(layers, pg, overwrite=True) if pg else []
        try:
            folders = swap.place()
        except OutputError as exc:
            if not written:
                raise
            from sppr_gis.io.postgis import parse_pg

            src = parse_pg(pg)
            raise OutputError(
                f"{exc}; but the database WAS written: {src.label}#{src.fragment or 'public'} now holds this run's tables "
                f"({', '.join(written)}) while the year folders were not replaced"
            ) from None
        swap.finish()
    except BaseException:
        swap.undo()
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            try:
                out.rmdir()  # only when empty
            except OSError:
                pass
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return SyncRun(out_dir=out, years=results, folders=folders, timings={"baca": inputs.timings.get("total", 0.0), "total": time.perf_counter() - t0}, summary=list(inputs.summary))


def run_sources(cfg: Config) -> list[tuple[str, Any]]:
    """Every input a run of ``cfg`` reads, labelled for messages (for :func:`sppr_gis.io.guard_outputs`).

    Parameters
    ----------
    cfg : Config

    Returns
    -------
    list of (str, source)
        The config file itself, each ``[inputs]`` entry (a :class:`~sppr_gis.io.LayerSpec`:
        ``file.gpkg:layer``, ``file=CODE``, a zip, a PostGIS table) and the album's files
        (``logo``, ``inset``).
    """
    name = cfg.path.name
    out: list[tuple[str, Any]] = [("--config", cfg.path)]
    out += [(f"{name} {spec.key}", spec.layer) for _role, spec in cfg.inputs.all()]
    album = dict(getattr(cfg, "album", None) or {})
    for key in ("logo", "inset"):
        value = album.get(key)
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            out.append((f"{name} album.{key}", path if path.is_absolute() else cfg.path.parent / path))
    return out

