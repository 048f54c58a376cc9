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

One year's computation (conformance, synchronization, every table) is :func:`sppr_gis.year.run_year`;
this module writes what it returns (:func:`write_year`) and runs the years (:func:`run_sync`).
"""

from __future__ import annotations

import contextlib
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

from sppr_gis._version import __version__
from sppr_gis.clock import now_utc, source_date_epoch
from sppr_gis.config import Config, load_config
from sppr_gis.errors import OutputError, SpprError
from sppr_gis.io import FolderSwap, Target, check_replaceable, guard_outputs, output_error, write_gpkg, write_postgis
from sppr_gis.io.postgis import parse_pg
from sppr_gis.io.write import csv_safe
from sppr_gis.matrices import HEADERS, sinergi_output
from sppr_gis.kinerja.book import evaluation_sheet, headers as kinerja_headers, layers as kinerja_layers
from sppr_gis.prepare import RunInputs, load_inputs
from sppr_gis.processes import Beside
from sppr_gis.report.excel import Block, write_workbook
from sppr_gis.sync import match_programs
from sppr_gis.summary import issue_notes
from sppr_gis.year import NO_IPU, YearResult, run_year
from sppr_gis.i18n import _

__all__ = ["SHEETS", "YearResult", "SyncRun", "run_year", "write_year", "run_sync", "run_sources", "count_steps", "stage_names", "parse_years"]

log = logging.getLogger(__name__)

#: Sheets of ``buku_matriks.xlsx``, in order (contract).
SHEETS: tuple[str, ...] = ("Ringkasan", "Matriks 1", "Matriks 2", "Matriks 3", "Jangka Menengah", "Kesesuaian", "Sinergi", "Isu Data")
#: Progress steps per year (for a progress bar) and for reading the inputs.
STEPS_PER_YEAR = 5
STEPS_READ = 4


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
        Stage names in the reader's language (``membaca zonasi dan matriks ITBX``, ``2025: menghitung irisan dan
        kesesuaian`` ... in Indonesian; ``reading the zoning and the ITBX matrix`` ... with ``SPPR_LANG=en``).
    """
    names = [_("reading the zoning and the ITBX matrix"), _("reading boundaries and priority areas"), _("reading the indikasi program"), _("reading the rencana programs")]
    for y in years:
        names += [_("{year}: overlaying and judging conformance").format(year=y), _("{year}: synchronizing").format(year=y), _("{year}: building the matrices").format(year=y),
                  _("{year}: writing the GeoPackage and the Buku Matriks").format(year=y), _("{year}: writing the Album Peta and the report").format(year=y)]
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
        raise ValueError(_("'{text}' is not a year or a range of years such as 2025-2029").format(text=text)) from None
    if len(nums) == 1:
        a = b = nums[0]
    elif len(nums) == 2:
        a, b = nums
    else:
        raise ValueError(_("'{text}' is not a year or a range of years such as 2025-2029").format(text=text))
    if not (1900 <= a <= 2200 and 1900 <= b <= 2200) or a > b or b - a >= 50:
        raise ValueError(_("'{text}': expected years between 1900 and 2200, first <= last, at most 50 years").format(text=text))
    return list(range(a, b + 1))


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


# ----------------------------------------------------------------------------- writing


def _versions() -> dict[str, str]:
    import geopandas
    import pyogrio
    import pyproj
    import shapely

    return {
        "sppr_gis": __version__,
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
        for _u, page in album_pages({"kecamatan": square}, year=0, title=cfg.title, paper=paper, dpi=30, office=album.get("instansi"),
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
    for key in ("zoning", "rules", "struktur_ruang", "indikasi_program", "rencana", "kecamatan", "kelurahan", "kawasan_prioritas", "kinerja"):
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
    return {k: _layer(v) for k, v in kinerja_layers(kinerja).items()}


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

    The steps: ``sppr.gpkg`` (:func:`_year_layers`, with QGIS styles), ``buku_matriks.xlsx``
    (:func:`_write_book`), ``csv/`` (:func:`_write_csv`), the manifest's content (:func:`_manifest`),
    the Album Peta and ``laporan.html`` (:func:`_album_and_report`, which add their timings), and
    ``manifest.json`` last (:func:`_write_manifest`: the list of outputs, the total time).

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
    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    cfg = inputs.config
    files: list[Path] = []
    # the Buku Matriks (xlsxwriter, one Python thread) is written by a forked copy while this process writes the
    # GeoPackage, the CSVs and the album, when two CPUs are ours: the same bytes (sppr_gis.processes.Beside)
    book = Beside(lambda: _write_book(result, cfg, folder), clean=lambda: _remove_temporaries(folder, BOOK))
    try:
        gpkg = folder / "sppr.gpkg"
        write_gpkg(_year_layers(result), gpkg, finish=_styler(cfg.palette))
        files.append(gpkg)
        files.extend(_write_csv(result.tables, folder))
        timings_all = {**{f"baca.{k}": v for k, v in (timings or {}).items()}, **result.timings, "tulis": time.perf_counter() - t0}
        manifest = _manifest(result, inputs, timings_all)
        step = progress or (lambda label: None)
        step(f"{result.year}: tabel ditulis")
        if maps:
            files.extend(_album_and_report(result, inputs, folder, result.tables, manifest))
        book.finish()
    finally:
        book.cancel()
    files.insert(1, folder / BOOK)
    manifest["timings"]["buku_matriks"] = round(book.seconds or 0.0, 4)
    step(f"{result.year}: album peta dan laporan")
    files.append(_write_manifest(manifest, folder, t0))
    return files


BOOK = "buku_matriks.xlsx"


def _remove_temporaries(folder: Path, name: str) -> None:
    """The temporary files a writer of ``folder/name`` stopped half-way may have left (:class:`~sppr_gis.io.write.Staging`
    names them ``.<name>.*.tmp<suffix>``)."""
    for p in folder.glob(f".{name}.*.tmp{Path(name).suffix}"):
        with contextlib.suppress(OSError):
            p.unlink()


def _write_book(result: YearResult, cfg: Config, folder: Path) -> Path:
    """``buku_matriks.xlsx``: the sheets :data:`SHEETS` (and ``Kinerja`` with ``[inputs] kinerja``)."""
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
        sheets["Kinerja"] = evaluation_sheet(result.kinerja)
        headers = {**kinerja_headers(result.year), **headers}
    book = folder / BOOK
    paper = dict(getattr(cfg, "album", None) or {}).get("paper", "A3")  # the album's paper: one paper per run
    write_workbook(sheets, book, headers=headers, title=f"{cfg.title} - Tahun {result.year}", region=cfg.name, year=result.year, paper=paper)
    return book


def _write_csv(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """``csv/<table>.csv``, one file per machine-named table."""
    files: list[Path] = []
    csv_dir = folder / "csv"
    csv_dir.mkdir(exist_ok=True)
    for name, df in tables.items():
        p = csv_dir / f"{name}.csv"
        csv_safe(pd.DataFrame(df)).to_csv(p, index=False, encoding="utf-8")  # no text a spreadsheet would evaluate
        files.append(p)
    return files


def _manifest(result: YearResult, inputs: RunInputs, timings_all: dict[str, float]) -> dict[str, Any]:
    """What ``manifest.json`` says of the run: the config, inputs and their hashes, parameters, versions, counts, timings."""
    cfg = inputs.config
    base = cfg.path.parent
    return {
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


def _write_manifest(manifest: dict[str, Any], folder: Path, t0: float) -> Path:
    """``manifest.json``, written last: the total time and the list of outputs added (no timings with
    ``SOURCE_DATE_EPOCH``)."""
    manifest["timings"]["tulis_total"] = round(time.perf_counter() - t0, 4)
    manifest["outputs"] = sorted(_rel(p, folder) for p in folder.rglob("*") if p.is_file()) + ["manifest.json"]
    if source_date_epoch() is not None:  # reproducible output: the same bytes every run, so no wall-clock timings
        manifest["timings"] = {k: None for k in manifest["timings"]}
    mpath = folder / "manifest.json"
    mpath.write_text(json.dumps(_finite(manifest), ensure_ascii=False, indent=2, default=_json_default, allow_nan=False), encoding="utf-8")
    return mpath


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

    The steps: the year folders guarded (no input among them, nothing this tool did not write), the
    inputs read and the IPU matched once, a staging folder (:func:`_staging_folder`), each year
    computed and staged (:func:`_run_and_stage`), then put in place (:func:`_publish`); on any failure
    the staging is discarded and the old folders stay (:func:`_discard`).

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
        raise ValueError(_("no year given"))
    out = Path(out_dir)
    finals = [out / str(y) for y in years]
    # before any work: no year folder may hold an input, nor anything this tool did not write there
    guard_outputs(run_sources(cfg), [Target(_("year folder"), f, folder=True) for f in finals])
    check_replaceable(finals)
    if maps:
        check_album_layout(cfg)  # a signature block that cannot fit stops the run before anything is read or written
    inputs = inputs if inputs is not None else load_inputs(cfg, progress=progress)
    matches = match_programs(inputs.ipu, inputs.rencana, match_distance=cfg.parameters.match_distance)
    created = not out.exists()
    staging = _staging_folder(out)
    swap = FolderSwap([(staging / str(y), f) for y, f in zip(years, finals)])
    try:
        results = [_run_and_stage(inputs, y, matches, staging, out, maps=maps, progress=progress) for y in years]
        folders = _publish(cfg, results, swap)
    except BaseException:
        _discard(swap, staging, out, created)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return SyncRun(out_dir=out, years=results, folders=folders, timings={"baca": inputs.timings.get("total", 0.0), "total": time.perf_counter() - t0}, summary=list(inputs.summary))


def _staging_folder(out: Path) -> Path:
    """The run's staging folder inside ``out`` (``out`` created if need be)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".sppr-staging-", dir=out))
    except OSError as exc:
        raise (output_error(exc, out / "x") or OutputError(f"{out}: cannot write ({exc.strerror or exc})")) from None


def _run_and_stage(
    inputs: RunInputs, y: int, matches: pd.DataFrame, staging: Path, out: Path, *, maps: bool, progress: Callable[[str], None] | None
) -> YearResult:
    """One year computed (:func:`run_year`) and written into the staging folder (:func:`write_year`)."""
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
    return res


def _publish(cfg: Config, results: list[YearResult], swap: FolderSwap) -> list[Path]:
    """The staged years put in place: ``[output] postgis`` committed, then the year folders renamed.

    Every step that can fail on the files comes first (the folders checked again and the old ones set
    aside); the database is committed next, and only the renames into place come after it.
    """
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
        src = parse_pg(pg)
        raise OutputError(
            f"{exc}; but the database WAS written: {src.label}#{src.fragment or 'public'} now holds this run's tables "
            f"({', '.join(written)}) while the year folders were not replaced"
        ) from None
    swap.finish()
    return folders


def _discard(swap: FolderSwap, staging: Path, out: Path, created: bool) -> None:
    """After a failure: the old year folders back in place, the staging folder (and an ``out`` this run created) removed."""
    swap.undo()
    shutil.rmtree(staging, ignore_errors=True)
    if created:
        try:
            out.rmdir()  # only when empty
        except OSError:
            pass


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

