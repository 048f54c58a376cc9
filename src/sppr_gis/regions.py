"""``sppr sync`` over several regions: one task per region, on a dask.distributed cluster or in turn.

:func:`sync_regions` (``sppr sync --config A.toml --config B.toml ...``): one
task per region. The client reads each region's inputs and sends them; the
worker runs the year(s) exactly as ``sppr sync`` does for that config alone,
writes into its own temporary folder and sends the folder back as a tar
archive, which the client unpacks into ``DIR/YEAR/KODE/``. A region that
fails fails alone. ``DIR/YEAR/rekap.xlsx`` and ``rekap.gpkg`` sum up the
regions that ran.

This module sits above :mod:`sppr_gis.run` (each task is one region's run); the cluster
itself is :mod:`sppr_gis.cluster`. Workers never read the client's disk: every input
travels with its task (or, ``read_on="workers"``, is read from a path they share).
"""

from __future__ import annotations

import functools
import io as _io
import logging
import os
import re
import shutil
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sppr_gis import prepare  # by module: tests replace prepare.load_inputs to prove the client reads nothing
from sppr_gis.cluster import check_workers, client_credentials, cluster_client, total_threads, tune_malloc, with_credentials
from sppr_gis.config import load_config
from sppr_gis.errors import ConfigError, OutputError, SpprError
from sppr_gis.io import FolderSwap, Target, check_replaceable, guard_outputs, write_gpkg_chunks
from sppr_gis.io.postgis import parse_pg
from sppr_gis.io.write import XLSX_TEXT_OPTIONS
from sppr_gis.run import run_sources, run_sync
from sppr_gis.i18n import _

__all__ = ["RegionOutcome", "RegionsRun", "region_code", "sync_regions", "write_rekap"]

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- regions


def region_code(config: Any) -> str:
    """The folder name of a region: ``[project] kode``, else a slug of ``[project] name``.

    Parameters
    ----------
    config : Config

    Returns
    -------
    str
    """
    kode = getattr(config, "kode", None)
    if kode:
        return str(kode)
    slug = re.sub(r"[^a-z0-9]+", "-", str(config.name).lower()).strip("-")
    return slug or "wilayah"


@dataclass
class RegionOutcome:
    """One region of :func:`sync_regions`.

    Attributes
    ----------
    config : str
        The config file.
    kode : str or None
        Its folder name (None when the config itself could not be read).
    name : str or None
        ``[project] name``.
    error : str or None
        Why it failed (one line naming the region); None when it ran.
    folders : list of Path
        ``DIR/YEAR/KODE`` written.
    figures : list of dict
        Per year: ``year``, ``counts``, ``pagu`` (as in :class:`sppr_gis.run.YearResult`).
    seconds : float
        Time spent on the region (reading on the client + its task).
    """

    config: str
    kode: str | None = None
    name: str | None = None
    error: str | None = None
    folders: list[Path] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RegionsRun:
    """What :func:`sync_regions` returns.

    Attributes
    ----------
    out_dir : Path
    regions : list of RegionOutcome
        In the order the configs were given.
    rekap : list of Path
        ``rekap.xlsx`` and ``rekap.gpkg`` per year.
    timings : dict
    """

    out_dir: Path
    regions: list[RegionOutcome]
    rekap: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[RegionOutcome]:
        """The regions that did not run."""
        return [r for r in self.regions if r.error is not None]


def _region_task(inputs: Any, years: list[int], maps: bool) -> dict[str, Any]:
    """Worker side: run the region's years as ``sppr sync`` would, return the folder as a tar archive."""
    tune_malloc()
    tmp = Path(tempfile.mkdtemp(prefix="sppr-region-"))
    try:
        run = run_sync(inputs.config, years, tmp / "out", maps=maps, inputs=inputs)
        buf = _io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for y in years:
                tar.add(tmp / "out" / str(y), arcname=str(y))
        figures = [{"year": r.year, "counts": r.counts, "pagu": r.pagu} for r in run.years]
        return {"tar": buf.getvalue(), "figures": figures, "seconds": run.timings.get("total", 0.0), "pid": os.getpid()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _region_task_reading(config: str, years: list[int], maps: bool) -> dict[str, Any]:
    """Worker side, ``read_on="workers"``: read the region's config and inputs here, then run it."""
    return _region_task(prepare.load_inputs(load_config(config)), years, maps)


def _uses_postgis(cfg: Any, reading: bool) -> bool:
    """Whether a region's task touches PostGIS on its worker: its output, or (``reading``) any input."""
    if getattr(cfg, "output", {}).get("postgis"):
        return True
    if not reading:
        return False
    try:
        text = Path(cfg.path).read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return True
    return "postgresql:" in text or "postgres:" in text


def _run_region_local(inputs: Any, years: list[int], maps: bool) -> dict[str, Any]:
    return _region_task(inputs, years, maps)


def _message(exc: BaseException) -> str:
    if isinstance(exc, SpprError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def sync_regions(
    configs: Sequence[str | os.PathLike[str]],
    years: Sequence[int],
    out_dir: str | os.PathLike[str] = "sppr-output",
    *,
    client: Any = None,
    maps: bool = True,
    progress: Callable[[str], None] | None = None,
    read_on: str = "client",
) -> RegionsRun:
    """``sppr sync`` over several regions: one task per region, outputs under ``DIR/YEAR/KODE/``.

    Each region's folder equals a run of its config alone (``sppr sync --config
    X --year Y --out D`` writes the same files into ``D/Y/``). A region whose
    config, inputs or run fails is reported and leaves no output; the others
    complete. ``DIR/YEAR/rekap.xlsx`` and ``DIR/YEAR/rekap.gpkg`` cover the
    regions that ran. The steps: configs loaded (:func:`_load_configs`), folders guarded
    (:func:`_guard_regions`), regions run (:func:`_run_locally`, :func:`_run_on_cluster`) and
    placed (:func:`_place`), then the rekap (:func:`write_rekap`).

    Parameters
    ----------
    configs : sequence of path
        The regions' TOML configs.
    years : sequence of int
    out_dir : path-like
    client : distributed.Client or str, optional
        Run the regions on this cluster (a client or a scheduler address,
        ``"local"`` for a local cluster). None: one after another in this process.
    maps : bool
        Also write each region's Album Peta and ``laporan.html``.
    progress : callable, optional
        Called with a label as each region finishes.
    read_on : {"client", "workers"}
        Who reads each region's inputs. ``"client"`` (default): this process reads
        them and sends them with the task, so the workers need no access to the data.
        ``"workers"``: each task reads its region's config and inputs on the worker
        (the config paths, the files they name and any PostGIS URIs must be the same
        for the workers, e.g. a shared file system); the client then only checks the
        configs, which takes the reading off the client when hundreds of regions run.
        Ignored without a cluster.

    Returns
    -------
    RegionsRun
        Check :attr:`RegionsRun.failed`.

    Raises
    ------
    ConfigError
        Two configs name the same region folder.
    OutputConflictError
        A region folder ``DIR/YEAR/KODE`` or a rekap file is, or holds, an input of
        a region, or a region folder holds files sppr did not write (nothing runs).
    ClusterError
        The cluster cannot be reached.
    """
    if isinstance(client, str):
        with cluster_client(client) as c:
            return sync_regions(configs, years, out_dir, client=c, maps=maps, progress=progress, read_on=read_on)
    t0 = time.perf_counter()
    years = _checked_arguments(years, client, read_on)
    out = Path(out_dir)
    outcomes, loaded = _load_configs(configs)
    by_kode = _guard_regions(out, years, outcomes, loaded)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sppr-regions-", dir=out))
    step = progress or (lambda label: None)
    place = functools.partial(_place, staging=staging, out=out, years=years, by_kode=by_kode)
    try:
        if client is None:
            _run_locally(outcomes, loaded, years, maps, place, step)
        else:
            _run_on_cluster(client, outcomes, loaded, years, maps, place, _label, step, read_on=read_on)
        rekap = write_rekap(out, years, outcomes) if any(o.error is None for o in outcomes) else []
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RegionsRun(out_dir=out, regions=outcomes, rekap=rekap, timings={"total": time.perf_counter() - t0})


def _checked_arguments(years: Sequence[int], client: Any, read_on: str) -> list[int]:
    """The years as a list, once ``read_on`` is known, a year given, and the cluster's workers can run sppr_gis."""
    if read_on not in ("client", "workers"):
        raise ValueError(_("read_on must be 'client' or 'workers', got {read_on!r}").format(read_on=read_on))
    years = [int(y) for y in years]
    if not years:
        raise ValueError(_("no year given"))
    if client is not None:
        check_workers(client)
    return years


def _load_configs(configs: Sequence[str | os.PathLike[str]]) -> tuple[list[RegionOutcome], list[Any]]:
    """Each region's outcome (its kode and name, or why its config failed) and its config (None if it failed);
    two configs naming the same region folder are refused."""
    outcomes = [RegionOutcome(config=str(c)) for c in configs]
    loaded: list[Any] = []
    for o in outcomes:
        try:
            cfg = load_config(o.config)
            o.kode, o.name = region_code(cfg), cfg.name
            loaded.append(cfg)
        except SpprError as exc:
            o.error = f"{o.config}: {exc}"
            loaded.append(None)
    seen: dict[str, str] = {}
    for o in outcomes:
        if o.kode is not None:
            if o.kode in seen:
                raise ConfigError(_("{config} and {seen} both name region '{kode}'; give each [project] kode").format(config=o.config, seen=seen[o.kode], kode=o.kode))
            seen[o.kode] = o.config
    return outcomes, loaded


def _guard_regions(out: Path, years: list[int], outcomes: list[RegionOutcome], loaded: list[Any]) -> dict[str | None, Any]:
    """The configs by region kode, once no region folder (nor a rekap file) holds or is an input of any region,
    and every region folder to replace holds only what sppr wrote there."""
    # before any work: no region folder (nor a rekap file) may hold or be an input of any region,
    # and a region folder is replaced only when it holds nothing but what sppr wrote there
    by_kode = {o.kode: cfg for o, cfg in zip(outcomes, loaded) if cfg is not None}
    region_folders = [out / str(y) / str(k) for y in years for k in by_kode]
    guard_outputs(
        [src for cfg in by_kode.values() for src in run_sources(cfg)],
        [Target(_("region folder"), f, folder=True) for f in region_folders]
        + [Target("rekap", out / str(y) / name) for y in years for name in ("rekap.xlsx", "rekap.gpkg")],
    )
    check_replaceable(region_folders)
    return by_kode


def _place(o: RegionOutcome, data: dict[str, Any], *, staging: Path, out: Path, years: list[int], by_kode: dict[str | None, Any]) -> None:
    """A region's finished run (its folders as a tar) unpacked into ``staging`` and its year folders put in place."""
    target = staging / str(o.kode)
    target.mkdir()
    with tarfile.open(fileobj=_io.BytesIO(data["tar"]), mode="r") as tar:
        tar.extractall(target, filter="data")
    swap = FolderSwap([(target / str(y), out / str(y) / str(o.kode)) for y in years])
    try:
        swap.prepare()
        o.folders.extend(swap.place())
    except OutputError as exc:
        uri = (getattr(by_kode.get(o.kode), "output", None) or {}).get("postgis")
        if not uri:
            raise
        src = parse_pg(uri)
        raise OutputError(_("{exc}; but the database WAS written: {label}#{fragment} holds this region's tables of this run").format(exc=exc, label=src.label, fragment=src.fragment or 'public')) from None
    swap.finish()
    o.figures = data["figures"]


def _label(o: RegionOutcome) -> str:
    """A region as messages name it: ``Name (KODE)``."""
    return f"{o.name} ({o.kode})" if o.name and o.name != o.kode else str(o.kode)


def _run_locally(outcomes: list[RegionOutcome], loaded: list[Any], years: list[int], maps: bool, place: Callable[..., None], step: Callable[[str], None]) -> None:
    """The regions run one after another in this process; a region's failure is recorded on its outcome."""
    label = _label
    for o, cfg in zip(outcomes, loaded):
        if cfg is None:
            continue
        t = time.perf_counter()
        try:
            data = _run_region_local(prepare.load_inputs(cfg), years, maps)
            place(o, data)
        except SpprError as exc:
            o.error = f"wilayah {label(o)} ({o.config}): {_message(exc)}"
        except Exception as exc:
            log.debug("region %s failed", o.kode, exc_info=True)
            o.error = f"wilayah {label(o)} ({o.config}): {_message(exc)}"
        o.seconds = time.perf_counter() - t
        step(f"wilayah {label(o)}")


def _run_on_cluster(client: Any, outcomes: list[RegionOutcome], loaded: list[Any], years: list[int], maps: bool, place: Callable[..., None], label: Callable[[RegionOutcome], str], step: Callable[[str], None], *, read_on: str = "client") -> None:
    """Send each region as one task (read here, or by the worker), place results as they come (a bounded window)."""
    from distributed import as_completed  # dask.distributed: the optional extra, needed only with a cluster

    window = 2 * total_threads(client)
    queue = [(o, cfg) for o, cfg in zip(outcomes, loaded) if cfg is not None]
    started: dict[Any, tuple[RegionOutcome, float]] = {}
    seq = as_completed([])
    creds = client_credentials(client)
    sent: list[Any] = []

    def submit(cfg: Any, key: str, func: Callable[..., Any], *args: Any) -> Any:
        if creds and _uses_postgis(cfg, read_on == "workers"):
            if not sent:  # straight to a worker, never through the scheduler
                sent.append(client.scatter([creds], direct=True, hash=False)[0])
            return client.submit(with_credentials, sent[0], func, *args, key=key, pure=False)
        return client.submit(func, *args, key=key, pure=False)

    def feed() -> None:
        while queue and len(started) < window:
            o, cfg = queue.pop(0)
            t = time.perf_counter()
            if read_on == "workers":
                fut = submit(cfg, f"sppr-region-{o.kode}-{uuid.uuid4().hex[:6]}", _region_task_reading, str(Path(o.config).resolve()), years, maps)
                started[fut] = (o, t)
                seq.add(fut)
                continue
            try:
                inputs = prepare.load_inputs(cfg)
            except Exception as exc:  # noqa: BLE001 - a broken region fails alone
                o.error = f"wilayah {label(o)} ({o.config}): {_message(exc)}"
                o.seconds = time.perf_counter() - t
                step(f"wilayah {label(o)}")
                continue
            data = client.scatter([inputs], hash=False)[0]
            fut = submit(cfg, f"sppr-region-{o.kode}-{uuid.uuid4().hex[:6]}", _region_task, data, years, maps)
            started[fut] = (o, t)
            seq.add(fut)

    try:
        feed()
        while started:
            fut = next(seq)
            o, t = started.pop(fut)
            try:
                place(o, fut.result())
            except Exception as exc:  # noqa: BLE001 - a broken region fails alone
                o.error = f"wilayah {label(o)} ({o.config}): {_message(exc)}"
            fut.release()
            o.seconds = time.perf_counter() - t
            step(f"wilayah {label(o)}")
            feed()
    except BaseException:
        for fut in started:
            fut.cancel()
        raise
    finally:
        for fut in sent:  # the credentials leave the worker's memory with the last task that needed them
            fut.release()


# ----------------------------------------------------------------------------- rekap


def write_rekap(out_dir: Path, years: Sequence[int], regions: Sequence[RegionOutcome]) -> list[Path]:
    """``DIR/YEAR/rekap.xlsx`` (one row per region that ran) and ``DIR/YEAR/rekap.gpkg`` (their layers, ``wilayah``).

    Parameters
    ----------
    out_dir : Path
    years : sequence of int
    regions : sequence of RegionOutcome
        Regions that failed are left out.

    Returns
    -------
    list of Path
        The files written.
    """
    written: list[Path] = []
    ran = [r for r in regions if r.error is None]
    for y in years:
        rows = []
        for r in ran:
            fig = next((f for f in r.figures if int(f["year"]) == int(y)), None)
            if fig is None:
                continue
            row: dict[str, Any] = {"wilayah": r.kode, "nama": r.name}
            for group in ("kesesuaian", "rencana", "indikasi_program"):
                prefix = {"kesesuaian": "kesesuaian", "rencana": "program", "indikasi_program": "ipu"}[group]
                row.update({f"{prefix}_{k}": v for k, v in fig["counts"].get(group, {}).items()})
            p = fig["pagu"]
            total = float(p.get("total") or 0.0)
            row.update(
                {
                    "pagu_total": total,
                    "pagu_sinkron": p.get("sinkron"),
                    "pagu_sesuai": p.get("sesuai"),
                    "pagu_sinkron_sesuai": p.get("sinkron_sesuai"),
                    "porsi_pagu_sinkron": (p.get("sinkron") or 0.0) / total if total else None,
                    "porsi_pagu_sesuai": (p.get("sesuai") or 0.0) / total if total else None,
                    "porsi_pagu_sinkron_sesuai": p.get("porsi_sinkron_sesuai") if total else None,
                }
            )
            rows.append(row)
        if not rows:
            continue
        folder = out_dir / str(y)
        df = pd.DataFrame(rows)
        xlsx = folder / "rekap.xlsx"
        tmp = folder / f".rekap-{uuid.uuid4().hex[:6]}.xlsx"
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": dict(XLSX_TEXT_OPTIONS)}) as xw:  # text stays text
            df.to_excel(xw, sheet_name="Rekap", index=False)
        os.replace(tmp, xlsx)
        written.append(xlsx)
        # every region's layers, one CRS (EPSG:4326 where the regions' CRSs differ), with `wilayah`;
        # written layer by layer, region by region: a country's layers do not fit in memory at once
        sources = [(str(r.kode), folder / str(r.kode) / "sppr.gpkg") for r in ran]
        sources = [(k, p) for k, p in sources if p.exists()]
        if sources:
            gpkg = folder / "rekap.gpkg"
            write_gpkg_chunks(_rekap_chunks(sources), gpkg)
            written.append(gpkg)
    return written


def _rekap_chunks(sources: Sequence[tuple[str, Path]]) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each region's layers with ``wilayah`` in front, one (layer, region) at a time, for :func:`write_rekap`.

    A first pass reads only the layers' schemas: the columns of a layer are the
    union over the regions (in order of first appearance), a column's type the
    regions' common one (integers stay integers, with nulls where a region has
    none; integers with floats become floats; any other mix text), and geometries go to EPSG:4326 when the regions'
    CRSs differ. Every piece of a layer then has the same columns and types.
    """
    import geopandas as gpd
    import pyogrio

    schema: dict[str, dict[str, Any]] = {}
    has: dict[Path, set[str]] = {}
    for _u, src in sources:
        listed = pyogrio.list_layers(src)
        has[src] = {str(n) for n, _ in listed}
        for name, gtype in listed:
            if name == "layer_styles":
                continue
            info = pyogrio.read_info(src, layer=name)
            ent = schema.setdefault(str(name), {"fields": {}, "crs": set(), "geom": False, "count": 0})
            ent["count"] += 1
            ent["geom"] = ent["geom"] or gtype is not None
            if gtype is not None:
                ent["crs"].add(info.get("crs") or "")
            for f, t in zip(info["fields"], info["dtypes"]):
                ent["fields"].setdefault(str(f), {"types": set(), "n": 0})
                ent["fields"][str(f)]["types"].add(str(t))
                ent["fields"][str(f)]["n"] += 1

    def target_type(f: dict[str, Any], regions: int) -> str:
        types, everywhere = f["types"], f["n"] == regions
        if types <= {"int64", "int32"}:
            return "Int64"  # nullable: a region may leave it empty or lack it
        if types <= {"int64", "float64", "int32", "float32"}:
            return "float64"
        if len(types) == 1 and everywhere and types != {"object"}:
            return next(iter(types))
        return "object"

    for name, ent in schema.items():
        types = {f: target_type(v, ent["count"]) for f, v in ent["fields"].items()}
        to_4326 = ent["geom"] and len(ent["crs"]) > 1
        for kode, src in sources:
            if name not in has[src]:
                continue
            g = pyogrio.read_dataframe(src, layer=name, read_geometry=ent["geom"], use_arrow=True)
            if ent["geom"] and to_4326:
                g = g.to_crs("EPSG:4326")
            cols = {}
            for f, t in types.items():
                col = g[f] if f in g.columns else pd.Series([None] * len(g), index=g.index, dtype=object)
                if t == "object":
                    plain = col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
                    col = col.astype(object).where(col.notna(), None)
                    if not plain:  # numbers (or dates) where another region has text
                        col = col.map(lambda v: v if v is None else str(v))
                else:
                    col = col.astype(t)
                cols[f] = col
            frame = pd.DataFrame({"wilayah": [kode] * len(g), **cols}, index=g.index)
            if ent["geom"]:
                frame = gpd.GeoDataFrame(frame, geometry=g.geometry.values, crs="EPSG:4326" if to_4326 else g.crs)
            yield name, frame
