"""The kinerja of one ``sppr sync`` year: the cascade read with the run's inputs, evaluated with its results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from sppr_gis.config import load_config
from sppr_gis.io.vector import parse_layer_spec
from sppr_gis.kinerja.book import write_book
from sppr_gis.i18n import _
from sppr_gis.kinerja.core import KinerjaResult, evaluate
from sppr_gis.kinerja.forms import read_kinerja
from sppr_gis.text import angka

__all__ = ["evaluate_year", "issue_layer_rows", "kinerja_report", "summary_blocks"]


def evaluate_year(inputs: Any, year: int, rencana: pd.DataFrame, ipu: pd.DataFrame) -> KinerjaResult | None:
    """The year's :class:`KinerjaResult` when the config has ``[inputs] kinerja`` (else None).

    Parameters
    ----------
    inputs : sppr_gis.prepare.RunInputs
        With ``kinerja`` read by :func:`sppr_gis.prepare.load_inputs`.
    year : int
    rencana : pandas.DataFrame
        The year's ``rencana`` layer (status, kode, opd, pagu, kecamatan, lokasi_sumber, geometry).
    ipu : pandas.DataFrame
        The year's ``indikasi_program`` layer (``status_sinkron``).
    """
    table = getattr(inputs, "kinerja", None)
    if table is None:
        return None
    cfg = inputs.config
    return evaluate(
        table.frame, year, clusters=cfg.opd_clusters, rencana=rencana, ipu=ipu,
        penataan_ruang=(cfg.kinerja or {}).get("penataan_ruang"), reading_issues=table.issues, layer=table.source,
    )


def issue_layer_rows(result: KinerjaResult, issues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``issues`` with the kinerja issue rows appended (no geometry), the columns of the ``issues`` layer."""
    if not len(result.issues):
        return issues
    add = result.issues[[c for c in issues.columns if c in result.issues.columns]].copy()
    geo = gpd.GeoDataFrame(add, geometry=gpd.GeoSeries([None] * len(add), crs=issues.crs).values, crs=issues.crs)
    geo = geo.rename_geometry(issues.geometry.name) if issues.geometry.name != "geometry" else geo
    return gpd.GeoDataFrame(pd.concat([issues, geo], ignore_index=True), geometry=issues.geometry.name, crs=issues.crs)


def summary_blocks(result: KinerjaResult) -> tuple[dict[str, pd.DataFrame], list[tuple[str, str, str | None]]]:
    """Tables (CSV names) and summary-sheet blocks of the kinerja."""
    tables = {"kinerja_opd": result.opd, "kinerja_indikator": result.indikator, "kinerja_kecamatan": result.kecamatan}
    blocks: list[tuple[str, str, str | None]] = [
        (f"Capaian kinerja per OPD {result.year} (cascading Renstra/Renja, berkas kinerja)", "kinerja_opd",
         "Capaian OPD = rata-rata capaian program indikator kinerja berkas kinerja (bukan capaian program RKPD lapisan rencana); predikat Permendagri 86/2017 (<=50 sangat rendah, <=65 rendah, <=75 sedang, <=90 tinggi, >90 sangat tinggi). Serapan = realisasi/pagu sub kegiatan."),
    ]
    if len(result.klaster):
        tables["kinerja_klaster"] = result.klaster
        blocks.append((f"Capaian kinerja per klaster OPD {result.year}", "kinerja_klaster", None))
    f = result.figures
    def num(v: float) -> str:
        return angka(v, 1) if v == v else "-"

    rows = [
        ("IPU terjadwal yang sinkron, % (persen_ipu_sinkron)", num(f.get("persen_ipu_sinkron", float("nan")))),
        ("Skor penyelenggaraan penataan ruang (skor_penataan_ruang)", num(f.get("skor_penataan_ruang", float("nan")))),
    ]
    tables["kinerja_angka_sppr"] = pd.DataFrame(rows, columns=["uraian", "nilai"])
    blocks.append(("Angka SPPR untuk indikator kinerja (kolom sppr)", "kinerja_angka_sppr", "persen_program_sesuai_ruang dan persen_pagu_sesuai_ruang dihitung per OPD atas program berlokasi."))
    return tables, blocks


def kinerja_report(data: str | os.PathLike[str], year: int, out: str | os.PathLike[str], *, config: str | os.PathLike[str] | None = None) -> KinerjaResult:
    """``sppr kinerja``: read the cascade, evaluate ``year`` and write the workbook ``out``.

    Parameters
    ----------
    data : path-like
        The kinerja input (any form :func:`sppr_gis.kinerja.read_kinerja` reads; ``file.xlsx:sheet`` names a sheet).
    year : int
    out : path-like
        The ``.xlsx`` to write (atomically).
    config : path-like, optional
        A ``sppr sync`` config: its ``[opd_clusters]`` and ``[kinerja]`` tables are used (the figures that
        need the spatial run, ``persen_*``, are computed by ``sppr sync`` only).

    Returns
    -------
    KinerjaResult

    Raises
    ------
    SpprError
        Unreadable input, bad config; ``UsageError``-like ``ValueError`` when ``out`` is the input.
    """
    spec = parse_layer_spec(str(data))
    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(_("--out {out}: expected an .xlsx workbook").format(out=out))
    if target.exists() and spec.path.exists() and os.path.samefile(target, spec.path):
        raise ValueError(_("--out {out} is the input {data}: inputs are never outputs").format(out=out, data=data))
    clusters: dict = {}
    settings: dict = {}
    region = None
    if config is not None:
        cfg = load_config(config, check_files=False)
        clusters, settings, region = dict(cfg.opd_clusters), dict(cfg.kinerja or {}), cfg.name
    if not spec.path.exists():
        raise FileNotFoundError(2, "No such file", str(spec.path))
    table = read_kinerja(spec.path, sheet=spec.layer, year=year, tahun_awal=settings.get("tahun_awal"))
    result = evaluate(table.frame, year, clusters=clusters, penataan_ruang=settings.get("penataan_ruang"), reading_issues=table.issues, layer=table.source)
    write_book(result, target, region=region)
    return result
