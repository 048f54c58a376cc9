"""``check``: conformance of program locations with the zoning, as one library call."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.cache import Labels, cached_zoning, enabled as cache_enabled, keep_zoning, lookup_zoning
from sppr_gis.cluster import ClusterRunner, cluster_client, distributed_shares
from sppr_gis.conformance import STATUSES, assess, combine_parts
from sppr_gis.crs import ensure_crs, metric_crs, outside_area_of_use, to_metric
from sppr_gis.engine import DEFAULT_MAX_VERTICES, SNAP_GRIDS, ProgramParts, ShareResult, ZoneCut, ZoneIndex, cut_zones, polygonal_parts, program_parts, release_memory
from sppr_gis.errors import FieldError, LayerError
from sppr_gis.findings import findings_table
from sppr_gis.i18n import _
from sppr_gis.io.write import WkbLayer, returning_freed_memory
from sppr_gis.rules import Rules, activity_key
from sppr_gis.schema import OUTPUT_COLUMNS, detect_zone_field, find_field, require_field
from sppr_gis.text import angka
from sppr_gis.validate import Finding, GeometryRunner, Topology, attach_geometry, duplicate_ids, frame_ids, repair_geometries, usable_cpus, zone_overlaps, zoning_topology
from sppr_gis.zoning import ZoningInput, as_zoning_inputs

__all__ = ["ZoningInput", "CheckResult", "PreparedZoning", "check", "prepare_zoning", "prepare_zoning_qa", "prepare_zoning_cached", "start_zoning", "zoning_from_files", "start_cached_zoning", "zoning_record", "read_extent", "zoning_messages", "say_zoning_messages", "describe_zoning_input", "prepare_programs", "release_memory"]

_UNIT = {0: "titik", 1: "m", 2: "m2"}


@dataclass
class CheckResult:
    """What :func:`check` returns.

    Attributes
    ----------
    programs : geopandas.GeoDataFrame
        One row per input program, input attributes kept, geometry as given
        (in ``crs``), plus ``status``, ``itbx``, ``score``, ``dominant_zone``,
        ``keterangan`` and helper columns (``unzoned_share``, ``zones``,
        ``syarat``, ``kegiatan_itbx``, ``measure``, ``measure_unit``).
    zone_shares : pandas.DataFrame
        One row per (program, zone code) touched: ``program_id``, ``zone_code``,
        ``measure``, ``share``, ``itbx`` (+ ``cell``, ``counted``, ``unit``, ``feature``).
    issues : pandas.DataFrame
        Data-quality findings: ``layer``, ``feature_id``, ``severity``, ``code``, ``message``,
        and their geometry (a GeoDataFrame). :func:`check` gives it as a
        :class:`sppr_gis.io.WkbLayer` that is decoded on first read, so that writing the
        outputs (:meth:`layers` with ``held=True``) does not decode a large finding's WKB;
        :attr:`issue_table` reads its columns without the geometry.
    crs : pyproj.CRS
        The metric CRS of the outputs.
    timings : dict
        Seconds per stage.
    zones : geopandas.GeoDataFrame
        The combined, repaired zoning used (``zone_code``, ``zone_source``).
    extra_layers : dict
        Further output layers added after the check (e.g. ``saran_relokasi`` by
        :func:`sppr_gis.analyses.extend_check`).
    """

    programs: gpd.GeoDataFrame
    zone_shares: pd.DataFrame
    issues: pd.DataFrame
    crs: CRS
    timings: dict[str, float] = field(default_factory=dict)
    zones: gpd.GeoDataFrame | None = None
    extra_layers: dict[str, pd.DataFrame] = field(default_factory=dict)

    def counts(self, by: str | None = None) -> pd.DataFrame:
        """Program counts by status (columns in contract order), optionally per ``by`` (e.g. ``opd``)."""
        status = pd.Categorical(self.programs["status"], categories=list(STATUSES))
        if by is None or by not in self.programs.columns:
            return pd.Series(status).value_counts(sort=False).rename_axis("status").to_frame("jumlah").T
        key = self.programs[by].astype("string").fillna("(kosong)")
        return pd.crosstab(key, status, dropna=False).reindex(columns=list(STATUSES), fill_value=0)

    def layers(self, *, held: bool = False) -> dict[str, pd.DataFrame]:
        """The output layers by name (programs, zone_shares, issues, then any of :attr:`extra_layers`), ready for :func:`sppr_gis.io.write_gpkg`.

        Parameters
        ----------
        held : bool
            ``issues`` as it is held: a :class:`sppr_gis.io.WkbLayer` until it was read (for
            :func:`sppr_gis.io.write_gpkg`, which writes the same bytes without decoding it).
        """
        issues = self.__dict__["_issues"] if held else self.issues
        return {"programs": self.programs, "zone_shares": self.zone_shares, "issues": issues, **self.extra_layers}

    @property
    def issue_table(self) -> pd.DataFrame:
        """The ``issues`` columns without their geometry (nothing decoded)."""
        held = self.__dict__["_issues"]
        table = held.table if isinstance(held, WkbLayer) else held
        return pd.DataFrame(table.drop(columns=[table.geometry.name]) if isinstance(table, gpd.GeoDataFrame) else table)


class _HeldIssues:
    """:attr:`CheckResult.issues`: a :class:`~sppr_gis.io.WkbLayer` given is decoded on first read and kept decoded."""

    def __get__(self, obj: CheckResult | None, objtype: type | None = None) -> pd.DataFrame:
        if obj is None:
            raise AttributeError("issues")  # a required field (no class default)
        held = obj.__dict__["_issues"]
        if isinstance(held, WkbLayer):
            held = obj.__dict__["_issues"] = held.to_geodataframe()
        return held

    def __set__(self, obj: CheckResult, value: pd.DataFrame | WkbLayer) -> None:
        obj.__dict__["_issues"] = value


CheckResult.issues = _HeldIssues()  # type: ignore[assignment] - set after @dataclass: the field stays required


def prepare_zoning(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    crs: CRS,
    zone_field: str | None = None,
    workers: int | None = None,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Combine zoning layers into one repaired polygon layer with a ``zone_code`` column.

    Features without a code or without any polygon are left out and reported.

    Parameters
    ----------
    zoning : GeoDataFrame, ZoningInput or a sequence of them
    crs : pyproj.CRS
        Target (metric) CRS.
    zone_field : str, optional
        Zone code field (default: first present of KODSZN, KODZON, KODKWS).
    workers : int, optional
        Threads for the repairs (default: the CPUs this process may use; same result on any number).

    Returns
    -------
    (geopandas.GeoDataFrame, list of Finding)
        Columns ``zone_code``, ``zone_source``, ``zone_fid`` (1-based), geometry.
    """
    findings: list[Finding] = []
    frames = []
    for zi in as_zoning_inputs(zoning):
        label = zi.name
        findings.extend(zi.frame.attrs.get("findings", []))  # the reader's (a feature whose geometry could not be parsed)
        gdf = ensure_crs(zi.frame, label)
        if zi.code is not None:
            codes = pd.Series([zi.code] * len(gdf), index=gdf.index, dtype=object)
        else:
            fld = detect_zone_field(gdf, label, zone_field)
            codes = gdf[fld].astype(object)
        codes = codes.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip() else str(v).strip())
        gdf = to_metric(gdf, crs)
        ids = np.array([f"#{i + 1}" for i in range(len(gdf))], dtype=object)
        geoms, fnd = repair_geometries(gdf.geometry.values, ids, label, min(workers or usable_cpus(), usable_cpus()))
        findings.extend(fnd)
        _u, owner = polygonal_parts(geoms)
        has_poly = np.zeros(len(gdf), dtype=bool)
        has_poly[owner] = True
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        for i in np.flatnonzero(~has_poly & ~empty):
            findings.append(Finding(label, ids[i], "warning", "zona_bukan_poligon", f"fitur zona {ids[i]} bukan poligon ({geoms[i].geom_type}); tidak dipakai", geoms[i]))
        no_code = codes.isna().to_numpy()
        for i in np.flatnonzero(no_code & has_poly):
            findings.append(Finding(label, ids[i], "error", "kode_zona_kosong", f"fitur zona {ids[i]} tidak memiliki kode zona; tidak dipakai", geoms[i]))
        keep = has_poly & ~no_code
        frames.append(
            gpd.GeoDataFrame(
                {"zone_code": codes.to_numpy()[keep], "zone_source": label, "zone_fid": ids[keep]},
                geometry=gpd.GeoSeries(geoms[keep], crs=crs).values,
                crs=crs,
            )
        )
    zones = pd.concat(frames, ignore_index=True)
    if not len(zones):
        raise LayerError(_("{layers}: no zone polygon with a zone code").format(layers=', '.join((z.name for z in as_zoning_inputs(zoning)))))
    return gpd.GeoDataFrame(zones, geometry="geometry", crs=crs), findings


@dataclass
class PreparedZoning:
    """Zoning ready for :func:`check`: combined, repaired, in the metric CRS, its QA done once.

    Build it with :func:`prepare_zoning_qa` and pass it as ``zoning`` to
    :func:`check` to check several program sets (e.g. each fiscal year) against
    the same zoning without repeating the topology check.

    Attributes
    ----------
    crs : pyproj.CRS
        The metric CRS.
    zones : geopandas.GeoDataFrame
        ``zone_code``, ``zone_source``, ``zone_fid``, geometry.
    findings : list of Finding
        Findings of the preparation and of the topology check.
    topology : Topology
        Overlap pairs and noise figures.
    label : str
        The zoning's name in findings.
    ids : numpy.ndarray
        Zone ids as the findings name them.
    seconds : dict
        Time spent preparing (``zoning``) and checking topology (``topology``).
    """

    crs: CRS
    zones: gpd.GeoDataFrame
    findings: list[Finding]
    topology: Topology
    label: str
    ids: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)
    cut: Any = None  # sppr_gis.engine.ZoneCut: the engine's pieces, when prepared (and cached) with the zoning
    read: Any = None  # from the cache: what a run that does not read the zoning needs of it (see zoning_record)
    labels: Any = None  # with ``read``: each zoning layer's name in messages, this run
    key: str | None = None  # the zoning cache entry's key (None: the cache not used); keys the relocation pieces' record
    writing: Any = None  # the cache entry being written behind (prepare_zoning_cached(write_behind=True)): a future
    after_written: Any = None  # with ``writing``: what wait_written() then does here (the relocation pieces' record)

    def wait_written(self) -> None:
        """Wait until the cache entry written behind (``write_behind=True``) is on disk (raising what its
        writing raised), then keep the relocation pieces' record (cut further from the engine's pieces,
        here: after what the caller did meanwhile); at once when there is none."""
        writing, self.writing = self.writing, None
        after, self.after_written = self.after_written, None
        if writing is not None:
            writing.result()
        if after is not None:
            after()


def describe_zoning_input(zi: ZoningInput, zone_field: str | None = None) -> dict[str, Any]:
    """The summary of one zoning layer as read that ``sppr check`` prints (see
    :func:`sppr_gis.summary.describe_input`), its zone field found as the preparation finds it.

    Parameters
    ----------
    zi : ZoningInput
    zone_field : str, optional

    Returns
    -------
    dict
    """
    from sppr_gis.summary import describe_input

    try:
        zf = detect_zone_field(zi.frame, zi.name, zone_field) if zi.code is None else None
    except Exception:  # noqa: BLE001 - a missing field is reported by the preparation
        zf = None
    item = describe_input(zi.frame, "zonasi", fields={"zona": zf} if zf else {}, source=zi.name)
    if zi.code is not None:
        item["fields"] = {"zona": f"={zi.code}"}
    return item


def zoning_record(inputs: Sequence[ZoningInput], zone_field: str | None, crs: CRS, paths: Sequence[str]) -> dict[str, Any]:
    """What a run that takes the prepared zoning from the cache without reading it needs of the zoning
    as read: the metric CRS, the extent the programs are checked against
    (:func:`sppr_gis.crs.zoning_extent`) and each layer's summary (without its name).

    Parameters
    ----------
    inputs : sequence of ZoningInput
    zone_field : str, optional
    crs : pyproj.CRS
        The run's metric CRS.
    paths : sequence of str
        Each layer's path as given (its name in messages begins with it).

    Returns
    -------
    dict
        JSON-able: ``metric``, ``extent`` (``crs``, ``metric``, ``bounds``; or None), ``inputs``
        (each with ``label_tail``: what follows the path in the layer's name, and ``messages``:
        the warnings logged while it was read, see :func:`zoning_messages`).

    Raises
    ------
    ValueError
        A layer's name does not begin with its path.
    """
    from sppr_gis.crs import zoning_extent

    extent = zoning_extent([zi.frame for zi in inputs])
    labels = Labels([zi.name for zi in inputs])
    items = []
    for zi, path in zip(inputs, paths, strict=True):
        if not zi.name.startswith(path):
            raise ValueError(f"the layer {zi.name!r} is not named by its path")
        item = describe_zoning_input(zi, zone_field)
        item.pop("source", None)
        item["label_tail"] = zi.name[len(path) :]
        item["messages"] = [[name, level, labels.strip(message)] for name, level, message in zi.frame.attrs.get("read_messages", [])]
        items.append(item)
    return {
        "metric": crs.srs,
        "extent": None if extent is None else {"crs": extent[0].srs, "metric": extent[1].srs, "bounds": extent[2].tolist()},
        "inputs": items,
    }


@contextmanager
def zoning_messages() -> Iterator[list[list[Any]]]:
    """Collect the warnings logged (by sppr_gis's loggers, library warnings included where the caller
    routes them there) in this thread while a zoning layer is read: put the list in the frame's
    ``attrs["read_messages"]`` and the zoning cache's alias keeps them (:func:`say_zoning_messages`).

    Yields
    ------
    list
        ``[logger name, level, message]`` per record, filled as they are logged.
    """
    import logging
    import threading

    said: list[list[Any]] = []
    reader = threading.get_ident()

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == reader:  # not what another thread logs meanwhile
                said.append([record.name, record.levelno, record.getMessage()])

    handler = _Keep(logging.WARNING)
    logger = logging.getLogger("sppr_gis")
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


def say_zoning_messages(alias: Any) -> None:
    """Log again what was logged while the zoning was read (:func:`zoning_messages`), for a zoning
    taken from the cache without reading it; the layers' names are this run's.

    Parameters
    ----------
    alias : sppr_gis.cache.ZoningAlias
        From :func:`zoning_from_files`.
    """
    import logging

    labels = Labels(alias.labels)
    for item in alias.read.get("inputs", []):
        for name, level, message in item.get("messages", []):
            logging.getLogger(str(name)).log(int(level), "%s", labels.fill(str(message)))


def read_extent(alias: Any) -> tuple[CRS, CRS, np.ndarray] | None:
    """:func:`sppr_gis.crs.zoning_extent` of a zoning taken from the cache without reading it
    (``alias``: a :class:`sppr_gis.cache.ZoningAlias`)."""
    ext = alias.read.get("extent")
    if ext is None:
        return None
    return CRS.from_user_input(ext["crs"]), CRS.from_user_input(ext["metric"]), np.array(ext["bounds"], dtype=float).reshape(-1, 4)


def zoning_from_files(
    specs: Sequence[Any],
    zone_field: str | None = None,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    cache: bool | None = None,
    read_options: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """The alias of zoning files in the cache, found by the files' bytes without reading them.

    Parameters
    ----------
    specs : sequence of sppr_gis.io.LayerSpec
        The zoning layers as named.
    zone_field, sliver_width, sliver_area, max_vertices, cache
        As for :func:`prepare_zoning_cached`.
    read_options : dict, optional
        What else the reading depends on (``want``, ``assume_crs``, ``encoding``, ``engine``).

    Returns
    -------
    (sppr_gis.cache.PreKey or None, sppr_gis.cache.ZoningAlias or None)
        The pre-key (pass it to :func:`start_zoning` when the zoning must be read: its alias is then
        written) and the alias (None: read the zoning; else :func:`start_cached_zoning`). The
        alias's ``read`` is the record (:func:`zoning_record`); :func:`read_extent` gives the extent.
    """
    from sppr_gis.cache import enabled, zoning_alias, zoning_prekey

    if not enabled(cache):
        return None, None
    prekey = zoning_prekey(specs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, read_options=dict(read_options or {}))
    return prekey, zoning_alias(prekey, use=cache)


class _ZoningReady:
    """What :func:`start_zoning` and :func:`start_cached_zoning` return: called, it waits for the prepared
    zoning; ``crs`` is its metric CRS when known before it is ready (None: not known), so that
    :func:`check` prepares the programs meanwhile."""

    def __init__(self, result: Callable[[], PreparedZoning], crs: CRS | None, future: Any = None, early: Any = None, max_vertices: int | None = None) -> None:
        self._result = result
        self.crs = crs
        self.future = future  # the preparation (a Future), when it may hand over early
        self.early = early  # a Future of the EngineZoning, set before the preparation's topology check ends
        self.max_vertices = max_vertices  # the cut pieces' size the preparation was asked for

    def __call__(self) -> PreparedZoning:
        return self._result()

    def engine_first(self, max_vertices: int) -> EngineZoning | None:
        """Wait until the engine can start: the :class:`EngineZoning` when the preparation handed it
        over (its topology check then still running), None when the preparation ended first (or
        failed, or cannot hand over: call this object then)."""
        if self.future is None or self.early is None or self.max_vertices != max_vertices:
            return None
        from concurrent.futures import FIRST_COMPLETED, wait

        wait([self.future, self.early], return_when=FIRST_COMPLETED)
        if self.future.done() or not self.early.done():
            return None
        return self.early.result()


def _known_metric_crs(zoning: Any) -> CRS | None:
    """The zoning's metric CRS when it is its first layer's own (cheap: no extent), else None."""
    try:
        frames = [z.frame for z in as_zoning_inputs(zoning)]
        frames = [f for f in frames if len(f)]
        if not frames or frames[0].crs is None:
            return None
        from sppr_gis.crs import _is_metric

        first = CRS.from_user_input(frames[0].crs)
        return first if _is_metric(first) else None  # metric_crs's own choice then, without an extent
    except Exception:  # noqa: BLE001 - the preparation reports what is wrong, where it did
        return None


def start_cached_zoning(alias: Any, fallback: Callable[[], PreparedZoning]) -> Callable[[], PreparedZoning]:
    """The prepared zoning of an alias's entry, decoded in a background thread (as :func:`start_zoning`
    does) while the caller reads the programs; when the entry is missing, fails its hash or cannot be
    decoded, ``fallback`` (which reads and prepares the zoning) runs in that thread instead.

    Parameters
    ----------
    alias : sppr_gis.cache.ZoningAlias
        From :func:`zoning_from_files`.
    fallback : callable
        Reads the zoning and returns :func:`prepare_zoning_cached` of it.

    Returns
    -------
    callable
        Waits for the prepared zoning and returns it; pass it to :func:`check` as ``zoning``.
    """
    import logging
    from concurrent.futures import ThreadPoolExecutor

    from sppr_gis.cache import entry_path, zoning_by_alias

    def run() -> PreparedZoning:
        try:
            return zoning_by_alias(alias, PreparedZoning)
        except Exception as exc:  # noqa: BLE001 - an entry that cannot be used is rebuilt from the zoning
            logging.getLogger("sppr_gis.cache").warning("zoning cache %s: entry not used (%s); reading the zoning", entry_path(alias.key), exc)
        return fallback()

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-zoning")
    future = pool.submit(run)
    pool.shutdown(wait=False)
    try:
        crs = CRS.from_user_input(alias.read["metric"])
    except Exception:  # noqa: BLE001 - not known in advance: check() waits first
        crs = None
    return _ZoningReady(future.result, crs)


def prepare_zoning_cached(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zone_field: str | None = None,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    cache: bool | None = None,
    prekey: Any = None,
    write_behind: bool = False,
    early: Callable[[EngineZoning], None] | None = None,
) -> PreparedZoning:
    """:func:`prepare_zoning_qa` and the engine's cut pieces, reused from the zoning cache when an
    earlier run prepared the same zoning with the same settings (:mod:`sppr_gis.cache`).

    Parameters
    ----------
    zoning, zone_field, sliver_width, sliver_area, workers, max_vertices
        As for :func:`check`.
    cache : bool, optional
        Use the cache (default: unless ``SPPR_NO_CACHE`` is set).
    prekey : sppr_gis.cache.PreKey, optional
        The pre-key of the files the zoning was read from (:func:`zoning_from_files`): a later run
        finds the entry by it without reading the zoning.
    write_behind : bool
        A fresh entry is written in a background thread (see :func:`sppr_gis.cache.cached_zoning`):
        pass the result to :func:`check` (which waits for it before returning) or call its
        ``wait_written()``.
    early : callable, optional
        As for :func:`prepare_zoning_qa`, when the zoning is prepared (not on a cache hit).

    Returns
    -------
    PreparedZoning
    """
    inputs = as_zoning_inputs(zoning)
    return cached_zoning(
        inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, use=cache, make=PreparedZoning,
        build=lambda: prepare_zoning_qa(
            inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, max_vertices=max_vertices, early=early,
            relocation_vertices=_relocation_vertices() if cache_enabled(cache) else None,
        ),
        crs=lambda: metric_crs([z.frame for z in inputs]),
        prekey=prekey, record=None if prekey is None else (lambda crs: zoning_record(inputs, zone_field, crs, prekey.paths)),
        write_behind=write_behind,
    )


def _relocation_vertices() -> int | None:
    """The relocation index's cutting threshold (:data:`sppr_gis.relocation.CUT_VERTICES`, read now)."""
    from sppr_gis import relocation

    return relocation.CUT_VERTICES


def start_zoning(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zone_field: str | None = None,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    cache: bool | None = None,
    prekey: Any = None,
) -> Callable[[], PreparedZoning]:
    """:func:`prepare_zoning_cached` started in a background thread, so that it runs while the caller
    reads the programs (``sppr check``: a warm run decodes the cached zoning meanwhile).

    Parameters
    ----------
    zoning, zone_field, sliver_width, sliver_area, workers, max_vertices, cache, prekey
        As for :func:`prepare_zoning_cached`.

    Returns
    -------
    callable
        Waits for the prepared zoning and returns it (raising what the preparation raised);
        pass it (not its result) to :func:`check` as ``zoning``: the answers are the same.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    # what the engine needs, handed over before the rest of the zoning QA (check() measures meanwhile)
    early: Future[EngineZoning] = Future()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-zoning")
    future = pool.submit(  # its cache entry written behind: check() waits for it before it returns
        prepare_zoning_cached, zoning, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, max_vertices=max_vertices, cache=cache, prekey=prekey,
        write_behind=True, early=early.set_result,
    )
    pool.shutdown(wait=False)
    return _ZoningReady(future.result, _known_metric_crs(zoning), future, early, max_vertices)


def start_zoning_lookup(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zone_field: str | None = None,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    cache: bool | None = None,
) -> Callable[[], PreparedZoning | None]:
    """The zoning cache's entry of this zoning looked up (and decoded) in a background thread, nothing
    prepared: for a cluster run (``sppr check --scheduler``), whose QA runs on the workers on a miss.

    Parameters
    ----------
    zoning, zone_field, sliver_width, sliver_area, max_vertices, cache
        As for :func:`prepare_zoning_cached`.

    Returns
    -------
    callable
        Waits for the lookup: the prepared zoning (pass it to :func:`check` as ``zoning``: the
        answers are the same), or None when there is no valid entry, the cache is off or the
        zoning's fields are wrong (check() then says so where it would).
    """
    from concurrent.futures import ThreadPoolExecutor

    if not cache_enabled(cache):
        return lambda: None
    inputs = as_zoning_inputs(zoning)

    def lookup() -> PreparedZoning | None:
        try:
            return lookup_zoning(
                inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, make=PreparedZoning,
                crs=lambda: metric_crs([z.frame for z in inputs]),
            )[1]
        except Exception:  # noqa: BLE001 - e.g. no zone field: check() raises it again where it would
            return None

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-zoning-cache")
    future = pool.submit(lookup)
    pool.shutdown(wait=False)
    return future.result


def prepare_zoning_qa(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput],
    zone_field: str | None = None,
    *,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
    client: Any = None,
    max_vertices: int | None = None,
    early: Callable[[EngineZoning], None] | None = None,
    relocation_vertices: int | None = None,
) -> PreparedZoning:
    """Combine, repair and check the zoning once (see :func:`check` for the parameters).

    With ``client`` (a :class:`distributed.Client`), the topology check's heavy
    steps run on that cluster (:class:`sppr_gis.cluster.ClusterRunner`);
    the findings equal a local run's.

    Parameters
    ----------
    max_vertices : int, optional
        Also cut the zones into the engine's pieces of at most this many vertices
        (:func:`sppr_gis.engine.cut_zones`, in ``cut``), while the dilated union
        of the topology check runs in its thread.
    early : callable, optional
        Called (in this thread) with the :class:`EngineZoning` as soon as what the engine needs is
        ready (with ``max_vertices``: the zones, their overlapping pairs and cut pieces), before the
        rest of the topology check: :func:`check` measures the programs meanwhile.
    relocation_vertices : int, optional
        With ``max_vertices``: also cut the zones into the relocation index's pieces of at most this
        many vertices, in the same halving (``cut.finer``; the zoning cache keeps them next to its
        entry, where the relocation advice finds them, :func:`sppr_gis.cache.load_pieces`).

    Returns
    -------
    PreparedZoning
    """
    # its threads' GEOS temporaries not kept resident (glibc); on one thread (workers=1) no thread is started
    with returning_freed_memory() if workers != 1 else nullcontext():
        return _ZoningQA(zoning, zone_field, sliver_width, sliver_area, workers, client).finish(max_vertices, early, relocation_vertices)


@dataclass
class EngineZoning:
    """What the engine needs of a zoning being prepared, before its topology check ends
    (:func:`prepare_zoning_qa`'s ``early``): the metric CRS, the zones, their ids and label as the
    findings name them, the overlapping pairs and the engine's cut pieces."""

    crs: CRS
    zones: gpd.GeoDataFrame
    ids: np.ndarray
    label: str
    pairs: tuple[np.ndarray, np.ndarray]
    cut: Any


class _ZoningQA:
    """:func:`prepare_zoning_qa` in steps: combine and repair at once, then the overlaps, then the rest
    of the topology check, which :func:`check` on a cluster runs in a thread of its own while the
    engine's partitions (which need only the overlaps) run."""

    def __init__(self, zoning: Any, zone_field: str | None, sliver_width: float, sliver_area: float, workers: int | None, client: Any) -> None:
        for name, value in (("sliver_width", sliver_width), ("sliver_area", sliver_area)):
            if not (np.isfinite(float(value)) and float(value) >= 0.0):
                raise ValueError(_("{name} must be a finite number >= 0, got {value}").format(name=name, value=value))
        t0 = time.perf_counter()
        self.crs = metric_crs([z.frame for z in as_zoning_inputs(zoning)])
        self.zones, self.findings = prepare_zoning(zoning, self.crs, zone_field, workers)
        self.t1 = time.perf_counter()
        self.seconds = {"zoning": self.t1 - t0}
        self.geoms = np.asarray(self.zones.geometry.array, dtype=object)
        fids = self.zones["zone_fid"].to_numpy(dtype=object)
        sources = self.zones["zone_source"].to_numpy(dtype=object)
        single = len(set(sources)) <= 1
        self.ids = fids if single else sources + fids
        self.label = str(sources[0]) if single and len(sources) else "zoning"
        self.sliver = (sliver_width, sliver_area)
        self.workers = workers
        self.runner = ClusterRunner(client) if client is not None else GeometryRunner(workers)
        self.overlaps: Any = None
        # the dilated union (a third of the QA; on few huge zones, such as a province's RTRWP, most of it)
        # needs only the zones: it starts now, on the cluster or in a thread here, beside the overlaps
        # (one chunk too: the same union, its dilation on this runner's threads)
        chunks = self.runner.union_bands(self.geoms)
        self.union_parts = self.runner.unions_later(chunks, sliver_width / 2.0)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The overlapping zone pairs (what the engine needs), computed once."""
        if self.overlaps is None:
            self.overlaps = zone_overlaps(self.geoms, self.workers, runner=self.runner)
            release_memory()  # the overlay results the parts came from (about 100 MiB on 20k digitized zones)
        return self.overlaps.left, self.overlaps.right

    def finish(self, max_vertices: int | None = None, early: Callable[[EngineZoning], None] | None = None, finer: int | None = None) -> PreparedZoning:
        pairs = self.pairs()
        cut, t_cut = None, 0.0
        if max_vertices is not None:
            # the engine's cut (and the relocation index's finer one, in the same halving), here while the
            # dilated union (started in __init__) runs in its thread
            t = time.perf_counter()
            cut = cut_zones(self.geoms, max_vertices, finer=finer)
            t_cut = time.perf_counter() - t
            if early is not None:  # the engine can start: the rest of the QA below runs beside it
                early(EngineZoning(self.crs, self.zones, self.ids, self.label, pairs, cut))
        topo = zoning_topology(
            self.geoms, self.zones["zone_code"].to_numpy(dtype=object), self.ids, self.label, sliver_width=self.sliver[0], sliver_area=self.sliver[1],
            workers=self.workers, runner=self.runner, overlaps=self.overlaps, union_parts=self.union_parts,
        )
        release_memory()
        seconds = {**self.seconds, "topology": time.perf_counter() - self.t1 - t_cut}
        if cut is not None:
            seconds["cut"] = t_cut
        return PreparedZoning(self.crs, self.zones, list(self.findings) + list(topo.findings), topo, self.label, self.ids, seconds, cut=cut)


def prepare_programs(
    programs: gpd.GeoDataFrame, crs: CRS, ids: np.ndarray, label: str, reader_findings: Sequence[Finding] = ()
) -> tuple[np.ndarray, np.ndarray, pd.Series, list[Finding]]:
    """Programs in the metric CRS, checked and repaired: the step :func:`check` and single sites share.

    Locations outside their CRS's area of use (swapped lon/lat) or that the
    transformation turns into Infinity keep a null geometry and one finding;
    invalid geometries are repaired (make_valid, linework); rows a reader
    already nulled (``reader_findings`` with a ``row``) keep the reader's reason
    instead of a second "empty geometry" finding.

    Parameters
    ----------
    programs : geopandas.GeoDataFrame
        As read (any CRS).
    crs : pyproj.CRS
        The metric CRS.
    ids : numpy.ndarray
        Program ids for the findings.
    label : str
        The programs' name in findings.
    reader_findings : sequence of Finding
        Findings the reader attached (``attrs["findings"]``).

    Returns
    -------
    out_geoms : numpy.ndarray
        Geometries as given, in ``crs`` (null where they cannot be).
    work : numpy.ndarray
        The geometries to measure (2-D, repaired; null where unusable).
    reason : pandas.Series
        Why a row has no usable geometry (positional; None elsewhere).
    findings : list of Finding
    """
    findings: list[Finding] = []
    src_crs = CRS.from_user_input(programs.crs)
    outside = outside_area_of_use(np.asarray(programs.geometry.values, dtype=object), src_crs)
    reason = pd.Series([None] * len(programs), dtype=object)
    for i in np.flatnonzero(outside):
        findings.append(Finding(label, ids[i], "error", "koordinat_di_luar_crs", f"lokasi di luar wilayah berlaku {src_crs.name} (bujur/lintang tertukar atau CRS salah?)"))
        reason.iloc[i] = "Koordinat di luar wilayah berlaku CRS; periksa bujur/lintang."
    out_geoms = np.asarray(to_metric(programs, crs).geometry.values, dtype=object)
    # a location the CRS cannot transform (swapped or projected coordinates read as
    # lon/lat) becomes Infinity: never written; such rows keep a null geometry
    xy, at = shapely.get_coordinates(out_geoms, return_index=True)
    broken = np.zeros(len(out_geoms), dtype=bool)
    broken[at[~np.isfinite(xy).all(axis=1)]] = True
    for i in np.flatnonzero(broken & ~outside):
        findings.append(Finding(label, ids[i], "error", "koordinat_di_luar_crs", f"lokasi tidak dapat diubah ke {crs.name} (koordinat di luar rentang)"))
        reason.iloc[i] = "Koordinat di luar rentang CRS; periksa bujur/lintang."
    out_geoms[broken] = None
    outside = outside | broken
    # the 2-D geometries to measure: the given ones themselves where they have no Z or M (no second copy)
    work = out_geoms.copy()
    extra = shapely.has_z(work) | (shapely.has_m(work) if hasattr(shapely, "has_m") else False)
    if np.any(extra):
        work[extra] = shapely.force_2d(work[extra])
    work[outside] = None
    work, fnd = repair_geometries(work, ids, label)
    # rows a reader nulled (bad coordinates, WKT) keep the reader's reason, not a second "empty" finding
    told = np.zeros(len(programs), dtype=bool)
    for f in reader_findings:
        if f.row is not None and 0 <= f.row < len(programs) and f.geometry is None:
            told[f.row] = True
            if reason.iloc[f.row] is None:
                reason.iloc[f.row] = f"{f.message.rstrip('.')}."
    quiet = set(ids[outside | told])
    findings.extend(f for f in fnd if not (f.code == "geometri_kosong" and f.feature_id in quiet))
    return out_geoms, work, reason, findings


def check(
    zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput] | PreparedZoning | Callable[[], PreparedZoning],
    programs: gpd.GeoDataFrame,
    rules: Rules,
    *,
    zone_field: str | None = None,
    activity_field: str = "kegiatan",
    id_field: str = "program_id",
    code_field: str = "kode",
    min_share: float = 0.01,
    sliver_width: float = 1.0,
    sliver_area: float = 1.0,
    workers: int | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    progress: Callable[[int], None] | None = None,
    programs_label: str | None = None,
    client: Any = None,
    cache: bool | None = None,
    prepare_relocation: bool = False,
    on_programs: Callable[[CheckResult], Any] | None = None,
) -> CheckResult:
    """Conformance of program locations with the zoning and its ITBX matrix.

    Implements ``sppr check`` (see ``contracts.md``): zone shares per program,
    counted zones (share >= ``min_share``), status, ITBX class, score, dominant
    zone and an Indonesian explanation, plus data-quality findings.

    Parameters
    ----------
    zoning : GeoDataFrame, ZoningInput, a sequence of them, or PreparedZoning
        Zoning polygons (several layers allowed; :class:`ZoningInput` gives all
        features of a layer one code), or zoning prepared once with
        :func:`prepare_zoning_qa` (then ``zone_field``, ``sliver_width`` and
        ``sliver_area`` were given there), or zoning being prepared
        (:func:`start_zoning`: waited for where check() would prepare it, so
        the programs' field errors still come first, and its stages are in
        the timings).
    programs : geopandas.GeoDataFrame
        Program locations: points, lines and polygons, mixed, single or multi.
        Rows read from tables may carry reader findings in ``attrs["findings"]``.
    rules : Rules
        The ITBX matrix (:func:`sppr_gis.read_rules`).
    zone_field : str, optional
        Zone code field (default: the first present of KODSZN, KODZON, KODKWS).
    activity_field : str
        Program field holding the activity (the matrix's row names).
    id_field : str
        Program id field.
    code_field : str
        SIPD code field, used when the activity is blank and ``rules`` has a code
        mapping.
    min_share : float
        Zones with a smaller share are not counted (0 < min_share <= 1).
    sliver_width, sliver_area : float
        Zoning overlaps and gaps narrower than ``sliver_width`` (m) or smaller
        than ``sliver_area`` (m²) are digitizing noise: summarized in one
        ``info`` finding each instead of listed. Measures never depend on them.
    workers : int, optional
        Threads for the engine (default: all CPUs).
    max_vertices : int
        Zone parts with more vertices are cut before intersecting.
    progress : callable, optional
        Called with the number of programs finished, chunk by chunk.
    programs_label : str, optional
        Name of the programs layer in findings (default: ``attrs["source"]``).
    client : distributed.Client or str, optional
        Compute the zone shares on a dask.distributed cluster: a client, a
        scheduler address (``"tcp://HOST:8786"``) or ``"local"`` (see
        :func:`sppr_gis.cluster.distributed_shares`). The zoning QA's heavy
        steps run there too (:class:`sppr_gis.cluster.ClusterRunner`). The
        results equal a local run; reading, the verdict and writing stay in
        this process.
    cache : bool, optional
        Reuse (and keep) the prepared zoning in the zoning cache (:mod:`sppr_gis.cache`):
        default on unless ``SPPR_NO_CACHE`` is set, with ``client`` too (a cluster run on a cached
        zoning skips the QA; one on a new zoning keeps what its QA found). Results are the same
        either way.
    prepare_relocation : bool
        With ``client``: cut the zones for the relocation advice and send the pieces to the workers
        while they compute the shares (:func:`sppr_gis.relocation.permitted_index`), for a later
        :func:`sppr_gis.analyses.relocation_pending` or :func:`~sppr_gis.analyses.extend_check`
        with the same ``rules`` and ``client`` (``sppr check --scheduler`` does). Without one: when
        an earlier run kept the pieces in the cache, they are read in a thread while the verdict is
        worked out, once the shares are done (``sppr check`` does). The answers are the same.
    on_programs : callable, optional
        Called with the :class:`CheckResult` being built as soon as its ``programs`` layer is final
        (before the zone_shares table and the findings' geometries are made), when no zoning cache
        entry is still being written: its ``programs``, ``zones``, ``crs`` and the relocation
        index (and ``zoning_key``) are set then, ``zone_shares`` and ``issues`` are empty until
        check() returns that same object. ``sppr check`` starts the relocation advice there
        (:func:`sppr_gis.analyses.relocation_pending`, which reads only those), so that it runs
        beside the rest. Not called otherwise (the caller starts it on the returned result).

    Returns
    -------
    CheckResult

    Raises
    ------
    CRSError, FieldError, LayerError
        Inputs that cannot be processed (the message names the layer and field).

    Notes
    -----
    The steps, in order: the programs' fields (``_program_columns``); the zoning, prepared or
    its QA started on the cluster (``_start_zoning``); the programs repaired and split into the
    units the engine measures (``_program_units``); the engine's shares and the zoning's
    findings (``_measure``); activities, rules coverage and verdict (``_verdict``); the
    outputs (``_output_programs``, ``_zone_shares_table``); each finding's geometry
    (``_locate_findings``). A zoning being prepared (:func:`start_zoning`) is handed to the
    engine once its overlapping pairs and cut pieces are ready, the rest of its QA (the dilated
    union, gaps, erosion) ending in its thread while the programs are measured (at most
    :data:`ENGINE_BESIDE_QA_PROGRAMS` programs); its findings then take the same place in the
    issues, and an error of that QA is raised as before.
    """
    if not 0.0 < float(min_share) <= 1.0:
        raise ValueError(_("min_share must be in (0, 1], got {min_share}").format(min_share=min_share))
    if isinstance(client, str):
        with cluster_client(client) as c:
            return check(
                zoning, programs, rules, zone_field=zone_field, activity_field=activity_field, id_field=id_field, code_field=code_field,
                min_share=min_share, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, max_vertices=max_vertices,
                progress=progress, programs_label=programs_label, client=c, cache=cache,
            )  # no relocation index: this client is closed on return
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    plabel = programs_label or str(programs.attrs.get("source", "programs"))
    findings: list[Finding] = list(programs.attrs.get("findings", []))
    programs, id_col, act_col, code_col = _program_columns(programs, rules, plabel, id_field, activity_field, code_field)
    early_crs = getattr(zoning, "crs", None) if isinstance(zoning, _ZoningReady) and client is None else None
    units, ptimings, findings_at = None, {}, len(findings)
    if early_crs is not None:  # the zoning still being prepared (or decoded): the programs prepared meanwhile
        try:
            units = _program_units(programs, early_crs, id_col, plabel, findings, ptimings)
        except BaseException:
            zoning().wait_written()  # the zoning's error first, as before
            raise
    zoning_run = _start_zoning(zoning, zone_field, sliver_width, sliver_area, workers, max_vertices, cache, client, timings, len(programs))
    crs, zones = zoning_run.crs, zoning_run.zones
    relocation_index = _start_relocation_index(zones, rules, client, zoning_run.key) if prepare_relocation and client is not None else None
    if units is None or crs != early_crs:  # (a CRS other than expected: prepared again in the zoning's)
        del findings[findings_at:]
        ptimings = {}
        units = _program_units(programs, crs, id_col, plabel, findings, ptimings)
    timings.update(ptimings)  # after the zoning's, as before
    ids, out_geoms, work, empty_reason, parts = units
    zgeoms = np.asarray(zones.geometry.array, dtype=object)
    zcodes = zones["zone_code"].to_numpy(dtype=object)
    res, prepared = _measure(zoning_run, zgeoms, zcodes, parts, ids, plabel, findings, timings, client=client, workers=workers, max_vertices=max_vertices, progress=progress)
    if zoning_run.early is not None:  # handed over to the engine before its QA ended: prepared now
        zoning_run.prepared, zoning_run.key = prepared, prepared.key
    if prepare_relocation and client is None and _relocation_pieces_kept(zoning_run.key, cache):
        # the advice's pieces read from the cache beside the verdict (one thread); pieces still to be cut
        # are cut with the advice, as before (cutting beside the verdict raised a cold run's peak memory)
        relocation_index = _start_relocation_index(zones, rules, None, zoning_run.key)
    zids, zlabel = prepared.ids, prepared.label
    t = time.perf_counter()
    acts, matrix_name, verdict, shares = _verdict(programs, act_col, code_col, rules, res, work, ids, plabel, zones, zlabel, parts, empty_reason, min_share, findings)
    timings["verdict"] = time.perf_counter() - t
    out = _output_programs(programs, out_geoms, crs, verdict, acts, matrix_name, res, parts, plabel, findings)
    writing = zoning_run.prepared is not None and zoning_run.prepared.writing is not None  # its cache entry, written behind
    # (the relocation pieces' record is kept once that entry is written: what reads it starts after it)
    result = _result(out, crs, timings, zones, relocation_index, zoning_run.key if cache_enabled(cache) else None)
    if on_programs is not None and not writing:
        on_programs(result)
    zone_shares = _zone_shares_table(shares, ids, res)
    findings = _locate_findings(findings, plabel, ids, out, zones, zlabel, zids, zgeoms)
    if writing:
        zoning_run.prepared.wait_written()
        timings["cache.write"] = zoning_run.prepared.seconds.get("cache.write", 0.0)
    timings["total"] = time.perf_counter() - t0
    # the issues kept as the findings hold their geometry (a large one as WKB) until written or read
    result.zone_shares, result.issues = zone_shares, WkbLayer(*findings_table(findings), crs=crs)
    return result


def _result(out: gpd.GeoDataFrame, crs: CRS, timings: dict[str, float], zones: gpd.GeoDataFrame, relocation_index: Any, zoning_key: str | None) -> CheckResult:
    """check()'s result with its programs layer (zone_shares and issues empty until check() sets them)."""
    result = CheckResult(programs=out, zone_shares=pd.DataFrame(), issues=pd.DataFrame(), crs=crs, timings=timings, zones=zones)
    if relocation_index is not None:
        result.relocation_index = relocation_index  # type: ignore[attr-defined] - read by sppr_gis.analyses
    if zoning_key is not None:  # the relocation advice keeps its cut pieces next to the zoning's entry
        result.zoning_key = zoning_key  # type: ignore[attr-defined] - read by sppr_gis.analyses
    return result


def _relocation_pieces_kept(key: str | None, cache: bool | None) -> bool:
    """Whether the relocation advice's pieces of the zoning cache entry ``key`` are in the cache (an earlier run cut them)."""
    if key is None or not cache_enabled(cache):
        return False
    from sppr_gis.cache import pieces_path
    from sppr_gis.relocation import CUT_VERTICES

    return pieces_path(key, CUT_VERTICES).is_file()


def _start_relocation_index(zones: gpd.GeoDataFrame, rules: Rules, client: Any, zoning_key: str | None = None) -> Any:
    """The relocation advice's index of ``zones``, cut (and sent to ``client``'s workers, if any) in a thread (a future)."""
    from concurrent.futures import ThreadPoolExecutor

    from sppr_gis.relocation import permitted_index

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-relokasi-index")
    future = pool.submit(permitted_index, zones, rules, client, zoning_key=zoning_key)
    pool.shutdown(wait=False)
    return future


# ----------------------------------------------------------------------------- check()'s steps (in order; see its Notes)


@dataclass
class _ZoningRun:
    """The zoning as check() starts it: prepared here, or its QA finishing on the cluster (``pending``)."""

    crs: CRS
    zones: gpd.GeoDataFrame
    prepared: PreparedZoning | None = None
    qa: _ZoningQA | None = None
    pending: Any = None
    cut: ZoneCut | Callable[[], ZoneCut] | None = None  # the engine's pieces of the whole zoning (or what waits for them)
    pairs: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None  # on a cluster: waits for the overlapping pairs
    key: str | None = None  # the zoning cache entry's key (None: the cache not used)
    early: EngineZoning | None = None  # here: the zoning handed over to the engine while its QA ends (``pending``)


def _program_columns(programs: gpd.GeoDataFrame, rules: Rules, plabel: str, id_field: str, activity_field: str, code_field: str) -> tuple[gpd.GeoDataFrame, str, str | None, str | None]:
    """The programs with a CRS, and their id, activity and SIPD code columns (FieldError when missing)."""
    programs = ensure_crs(programs, plabel)
    id_col = require_field(programs, id_field, plabel, "--id-field")
    act_col = find_field([str(c) for c in programs.columns], activity_field)
    code_col = find_field([str(c) for c in programs.columns], code_field)
    if act_col is None and not (rules.code_map and code_col):
        raise FieldError(_("{plabel}: no field '{activity_field}' (fields: {columns}); name the right one with --activity-field").format(plabel=plabel, activity_field=activity_field, columns=', '.join(map(str, programs.columns))))
    return programs, id_col, act_col, code_col


#: With at most this many programs, check() measures them while the zoning's QA ends (its dilated union,
#: gaps, erosion); with more, after it (the memory of both at once).
ENGINE_BESIDE_QA_PROGRAMS = 10_000


def _start_zoning(zoning: Any, zone_field: str | None, sliver_width: float, sliver_area: float, workers: int | None, max_vertices: int, cache: bool | None, client: Any, timings: dict[str, float], n_programs: int = 0) -> _ZoningRun:
    """The prepared zoning (given, or from the cache), or on a cluster the zoning QA, finishing in a thread while the engine runs."""
    pending = None  # on a cluster: the topology check, finishing in a thread while the engine runs
    if isinstance(zoning, PreparedZoning):
        prepared = zoning
        crs, zones = prepared.crs, prepared.zones
    elif callable(zoning):  # being prepared (start_zoning): wait for it here, as if prepared here
        # few programs: the engine beside the rest of the QA (many: after it, since both at once would hold
        # the QA's dilated zones and the engine's index, +160-190 MiB on 50k programs x 20k digitized zones)
        beside = isinstance(zoning, _ZoningReady) and client is None and n_programs <= ENGINE_BESIDE_QA_PROGRAMS
        handed = zoning.engine_first(max_vertices) if beside else None
        if handed is not None:  # the engine starts; the rest of the zoning QA runs beside it (waited for in _measure)
            return _ZoningRun(handed.crs, handed.zones, None, pending=zoning.future, cut=handed.cut, pairs=lambda: handed.pairs, early=handed)
        prepared = zoning()
        crs, zones = prepared.crs, prepared.zones
        timings.update(prepared.seconds)
    elif client is None:
        prepared = prepare_zoning_cached(  # its cache entry written while the programs are measured
            zoning, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, max_vertices=max_vertices, cache=cache, write_behind=True,
        )
        crs, zones = prepared.crs, prepared.zones
        timings.update(prepared.seconds)
    else:
        from concurrent.futures import ThreadPoolExecutor

        # the zoning cache, as without a cluster: an entry of this zoning and these settings is the
        # whole preparation (QA findings and the engine's cut pieces, which the tasks then receive)
        inputs = as_zoning_inputs(zoning)
        key = None
        if cache_enabled(cache):
            key, prepared = lookup_zoning(
                inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, make=PreparedZoning,
                crs=lambda: metric_crs([z.frame for z in inputs]),
            )
            if prepared is not None:
                timings.update(prepared.seconds)
                return _ZoningRun(prepared.crs, prepared.zones, prepared, cut=prepared.cut, key=key)
        qa = _ZoningQA(inputs, zone_field, sliver_width, sliver_area, workers, client)
        crs, zones = qa.crs, qa.zones
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sppr-qa")
        # the engine's cut here while the workers find the overlapping pairs (the client waits on them):
        # the tasks then get their zones' pieces instead of each cutting them again
        def cutting() -> ZoneCut:
            t = time.perf_counter()
            cut = cut_zones(qa.geoms, max_vertices)
            timings["cut"] = time.perf_counter() - t
            return cut

        # and the programs are prepared here while the pairs are found (check() waits for them only
        # when the engine's partitions are packed)
        cut_run = pool.submit(cutting)
        pairs_run = pool.submit(qa.pairs)

        def finish() -> PreparedZoning:
            pairs_run.result()
            prepared = qa.finish()
            prepared.cut = cut_run.result()
            prepared.key = key
            if key is not None:
                keep_zoning(key, prepared, Labels([zi.name for zi in inputs]))
            return prepared

        pending = pool.submit(finish)
        pool.shutdown(wait=False)
        return _ZoningRun(crs, zones, None, qa, pending, cut_run.result, pairs_run.result, key=key)
    return _ZoningRun(crs, zones, prepared, cut=prepared.cut, key=prepared.key)


def _program_units(programs: gpd.GeoDataFrame, crs: CRS, id_col: str, plabel: str, findings: list[Finding], timings: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, ProgramParts]:
    """Programs: CRS area check, transform, repair; then the units the engine measures."""
    t = time.perf_counter()
    ids = frame_ids(programs, id_col)
    out_geoms, work, empty_reason, fnd = prepare_programs(programs, crs, ids, plabel, findings)
    findings.extend(fnd)
    findings.extend(duplicate_ids(programs[id_col], plabel, id_col))
    parts = program_parts(work, out_geoms)  # a collection's polygons, lines and points are measured apart
    timings["programs"] = time.perf_counter() - t
    return ids, out_geoms, work, empty_reason, parts


def _measure(zoning_run: _ZoningRun, zgeoms: np.ndarray, zcodes: np.ndarray, parts: ProgramParts, ids: np.ndarray, plabel: str, findings: list[Finding], timings: dict[str, float], *, client: Any, workers: int | None, max_vertices: int, progress: Callable[[int], None] | None) -> tuple[ShareResult, PreparedZoning]:
    """The zoning's own findings and the engine's shares (locally or on the cluster), with the findings about the measures."""
    pending, prepared = zoning_run.pending, zoning_run.prepared
    zone_findings_at = len(findings)
    if pending is None:
        topo = prepared.topology
        findings.extend(prepared.findings)

    # ---- engine
    t = time.perf_counter()
    if client is not None:
        try:
            res = distributed_shares(client, zgeoms, zcodes, parts.geoms, overlaps=zoning_run.pairs if pending is not None else topo.overlaps, max_vertices=max_vertices, progress=progress, cut=zoning_run.cut)
        except BaseException:
            if pending is not None:
                pending.cancel()
            raise
        t += res.timings.get("wait", 0.0)  # waiting for the QA's pairs is the QA's time (engine.wait)
        if pending is not None:
            t_wait = time.perf_counter()
            prepared = pending.result()
            findings[zone_findings_at:zone_findings_at] = prepared.findings
            timings.update(prepared.seconds)
            timings["topology.wait"] = time.perf_counter() - t_wait
            t += timings["topology.wait"]
    elif pending is not None:  # here, the zoning's QA ending in its thread beside the engine
        try:
            index = ZoneIndex(zgeoms, zcodes, max_vertices=max_vertices, overlaps=zoning_run.pairs(), cut=zoning_run.cut)
            res = index.shares(parts.geoms, workers=workers, progress=progress)
        except BaseException:
            pending.result()  # the zoning's error first, as when it was prepared before the engine
            raise
        del index
        release_memory()
        t_wait = time.perf_counter()
        prepared = pending.result()
        findings[zone_findings_at:zone_findings_at] = prepared.findings
        timings.update(prepared.seconds)
        timings["topology.wait"] = time.perf_counter() - t_wait
        t += timings["topology.wait"]  # the QA's time, not the engine's
    else:
        index = ZoneIndex(zgeoms, zcodes, max_vertices=max_vertices, overlaps=topo.overlaps, cut=prepared.cut)
        res = index.shares(parts.geoms, workers=workers, progress=progress)
        # the index (line meter, per-thread prepared copies) is not needed after the shares
        del index
        release_memory()
    for i in np.unique(parts.owner[res.snapped]):
        findings.append(
            Finding(plabel, ids[i], "info", "ukuran_dibulatkan", f"irisan dengan zona dihitung dengan pembulatan ke grid {angka(SNAP_GRIDS[0] * 1000, 0)} mm (GEOS tidak dapat menghitungnya dalam floating point)")
        )
    timings["engine"] = time.perf_counter() - t
    timings.update({f"engine.{k}": v for k, v in res.timings.items()})
    measured = ~np.isnan(res.unzoned)
    if measured.any() and (res.unzoned[measured] >= 1.0).all():
        findings.append(
            Finding(plabel, "", "warning", "program_di_luar_zonasi", f"tidak satu pun dari {int(measured.sum())} lokasi program berada di zonasi: CRS, wilayah, atau lapisan yang salah?")
        )
    return res, prepared


def _verdict(programs: gpd.GeoDataFrame, act_col: str | None, code_col: str | None, rules: Rules, res: ShareResult, work: np.ndarray, ids: np.ndarray, plabel: str, zones: gpd.GeoDataFrame, zlabel: str, parts: ProgramParts, empty_reason: np.ndarray, min_share: float, findings: list[Finding]) -> tuple[pd.Series, dict[object, object], pd.DataFrame, pd.DataFrame]:
    """Activities (with SIPD code mapping), rules coverage, and the verdict: activities, their matrix names, verdict and shares."""
    measured = ~np.isnan(res.unzoned)
    prog_measured = np.bincount(parts.owner[measured], minlength=parts.n) > 0
    acts = program_activities(programs, act_col, code_col, rules)
    known: dict[object, bool] = {}  # once per distinct activity text
    matrix_name: dict[object, object] = {}  # the matrix's name of each distinct activity
    for i, a in enumerate(acts):
        hashable = a if isinstance(a, (str, int, float, type(None))) else str(a)
        if hashable not in known:
            known[hashable] = rules.has_activity(a)
        if (type(a), hashable) not in matrix_name:  # by type too: 1 and 1.0 are equal keys but different texts
            matrix_name[type(a), hashable] = rules.activities.get(activity_key(a), None)
        if not known[hashable] and prog_measured[i]:
            what = f"'{a}'" if activity_key(a) else "(kosong)"
            findings.append(Finding(plabel, ids[i], "warning", "kegiatan_tidak_ada_di_itbx", f"kegiatan {what} tidak ada dalam matriks ITBX {rules.source}"))
    zone_counts = zones["zone_code"].value_counts()
    findings.extend(zone_code_findings(zone_counts, rules, zlabel))
    verdict, shares, fnd = judge(res, acts, rules, work, ids, plabel, min_share=min_share, empty_reason=empty_reason, parts=parts)
    findings.extend(fnd)
    return acts, matrix_name, verdict, shares


def _output_programs(programs: gpd.GeoDataFrame, out_geoms: np.ndarray, crs: CRS, verdict: pd.DataFrame, acts: pd.Series, matrix_name: dict[object, object], res: ShareResult, parts: ProgramParts, plabel: str, findings: list[Finding]) -> gpd.GeoDataFrame:
    """The programs layer: the input columns (renamed where they clash with the outputs) and the verdict's."""
    out = gpd.GeoDataFrame(pd.DataFrame(programs.drop(columns=programs.geometry.name)).reset_index(drop=True), geometry=gpd.GeoSeries(out_geoms, crs=crs).values, crs=crs)
    clash = [c for c in OUTPUT_COLUMNS if c in out.columns]
    if clash:
        out = out.rename(columns={c: f"{c}_input" for c in clash})
        findings.append(Finding(plabel, "", "info", "kolom_diganti_nama", f"kolom masukan {', '.join(clash)} diganti nama menjadi *_input"))
    for col in ("status", "itbx", "score", "dominant_zone", "keterangan", "unzoned_share", "zones", "syarat"):
        out[col] = verdict[col].to_numpy()
    out["kegiatan_itbx"] = [matrix_name[type(a), a if isinstance(a, (str, int, float, type(None))) else str(a)] for a in acts]
    # a collection's measure is that of its highest-dimension part (each part's is in zone_shares)
    out["measure"] = res.measure[parts.first]
    out["measure_unit"] = [_UNIT.get(int(d)) for d in res.dim[parts.first]]
    return out.set_geometry(out.geometry.name)


def _zone_shares_table(shares: pd.DataFrame, ids: np.ndarray, res: ShareResult) -> pd.DataFrame:
    """The zone_shares table: one row per (program part, zone code)."""
    prog = shares["prog"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "program_id": pd.array(ids[prog], dtype="string"),
            "zone_code": shares["zone_code"].astype("string").to_numpy(),
            "measure": shares["measure"].to_numpy(),
            "share": shares["share"].to_numpy(),
            "itbx": shares["itbx"].to_numpy(),
            "cell": shares["cell"].to_numpy(),
            "counted": shares["counted"].to_numpy(),
            "unit": [_UNIT[int(d)] for d in res.dim[shares["part"].to_numpy(dtype=np.int64)]],
            "feature": prog + 1,
            "bagian": shares["bagian"].astype("string").array,
        }
    )


def _locate_findings(findings: list[Finding], plabel: str, ids: np.ndarray, out: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, zlabel: str, zids: np.ndarray, zgeoms: np.ndarray) -> list[Finding]:
    """The findings with the geometry of the program or zone each is about."""
    findings = attach_geometry(findings, plabel, ids, np.asarray(out.geometry.array, dtype=object))
    for source, sub in zones.groupby("zone_source", sort=False):
        findings = attach_geometry(findings, str(source), sub["zone_fid"].to_numpy(), np.asarray(sub.geometry.array, dtype=object))
    if zlabel == "zoning":
        findings = attach_geometry(findings, zlabel, zids, zgeoms)
    return findings


# ----------------------------------------------------------------------------- named steps
# The verdict step, shared by check() and by the single-site and revision paths
# (sppr_gis.site, sppr_gis.revision): every path gives a program the same answer.


def zone_code_findings(zone_counts: pd.Series, rules: Rules, label: str) -> list[Finding]:
    """Zoning codes the matrix spells otherwise (one ``info`` listing each normalization) or lacks
    (a warning each, with the closest matrix code as a suggestion).

    Parameters
    ----------
    zone_counts : pandas.Series
        Number of features per zoning code.
    rules : Rules
    label : str
        The zoning's name in the findings.

    Returns
    -------
    list of Finding
    """
    out: list[Finding] = []
    normalized = []
    for code in sorted(set(map(str, zone_counts.index)) - set(rules.zone_codes)):
        column = rules.zone_column(code)
        if column is not None:
            normalized.append(f"'{code}' -> '{column}' ({zone_counts[code]} fitur)")
            continue
        guess = rules.suggest_zone(code)
        hint = f"; maksud Anda {guess}? (kolom matriks '{guess}' mirip: salah ketik di matriks atau di zonasi)" if guess else ""
        message = (f"kode zona '{code}' ({zone_counts[code]} fitur) tidak ada sebagai kolom di matriks ITBX {rules.source}{hint}; "
                   "program di zona ini dinilai perlu_kajian")
        out.append(Finding(label, code, "warning", "zona_tidak_ada_di_itbx", message))
        # on the console too: one missing column turns every program of the zone perlu_kajian (analyst s9: a typo in
        # the matrix changed 8 statuses with only a line in Isu Data)
        logging.getLogger("sppr_gis.rules").warning("%s: %s", label, message)
    if normalized:
        out.insert(0, Finding(label, "", "info", "kode_zona_dinormalisasi",
                              f"kode zona yang hanya berbeda huruf besar/kecil atau spasi dari kolom matriks ITBX dibaca sebagai kolom itu: {', '.join(normalized)}"))
    return out


def program_activities(programs: pd.DataFrame, act_col: str | None, code_col: str | None, rules: Rules) -> pd.Series:
    """Activity per program (positional): the activity field, else the activity its SIPD code maps to.

    Parameters
    ----------
    programs : pandas.DataFrame
    act_col, code_col : str or None
        The activity and SIPD code columns (None when absent).
    rules : Rules
        Its ``code_map`` maps SIPD codes to activities.

    Returns
    -------
    pandas.Series
    """
    acts = programs[act_col].astype(object) if act_col else pd.Series([None] * len(programs), index=programs.index, dtype=object)
    acts = acts.reset_index(drop=True)
    if rules.code_map and code_col:
        blank = acts.map(lambda v: not activity_key(v))
        mapped = programs[code_col].reset_index(drop=True).map(rules.activity_for_code)
        acts = acts.where(~blank, mapped)
    return acts


def judge(
    res: ShareResult,
    acts: pd.Series,
    rules: Rules,
    work: np.ndarray,
    ids: np.ndarray,
    label: str,
    *,
    min_share: float = 0.01,
    empty_reason: pd.Series | None = None,
    parts: ProgramParts | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    """The verdict step: status, ITBX class, score, dominant zone and keterangan from the engine's shares.

    Parameters
    ----------
    res : ShareResult
        The engine's shares of ``work`` (of ``parts.geoms`` when ``parts`` is given).
    acts : pandas.Series
        Activity per program (positional).
    rules : Rules
    work : numpy.ndarray
        The measured geometries (to tell degenerate ones from empty ones).
    ids : numpy.ndarray
        Program ids, for findings.
    label : str
        Name of the programs layer in findings.
    min_share : float
    empty_reason : pandas.Series, optional
        Positional text saying why a program cannot be assessed; completed here
        (in place) for degenerate geometries.
    parts : ProgramParts, optional
        :func:`sppr_gis.engine.program_parts` of ``work``: each part of a collection
        is judged alone and the program takes its most restrictive part's verdict
        (:func:`sppr_gis.conformance.combine_parts`).

    Returns
    -------
    verdict, shares : pandas.DataFrame
        As :func:`sppr_gis.conformance.assess` (one verdict row per program);
        ``shares`` also has ``part`` (the unit of ``res``) and ``bagian`` (the part's name, or empty).
    findings : list of Finding
    """
    findings: list[Finding] = []
    reason = pd.Series([None] * len(acts), dtype=object) if empty_reason is None else empty_reason
    if parts is None or parts.whole:
        degenerate = np.isnan(res.measure) & ~(shapely.is_missing(work) | shapely.is_empty(work))
        for i in np.flatnonzero(degenerate):
            findings.append(Finding(label, ids[i], "warning", "geometri_tanpa_ukuran", "geometri tanpa luas/panjang; tidak dapat dinilai"))
            reason.iloc[i] = "Geometri tanpa luas/panjang; lokasi tidak dapat dinilai."
        verdict, shares = assess(res.pairs, res.unzoned, acts, rules, min_share=min_share, empty_reason=reason)
        shares["part"] = shares["prog"].to_numpy(dtype=np.int64)
        shares["bagian"] = pd.array([None] * len(shares), dtype="string")
        return verdict, shares, findings
    own = parts.owner
    u_reason = pd.Series(list(reason.iloc[own]), dtype=object)
    degenerate = np.isnan(res.measure) & ~(shapely.is_missing(parts.geoms) | shapely.is_empty(parts.geoms))
    for u in np.flatnonzero(degenerate):
        what = f"bagian {parts.bagian[u]} " if parts.bagian[u] is not None else ""
        findings.append(Finding(label, ids[own[u]], "warning", "geometri_tanpa_ukuran", f"{what}geometri tanpa luas/panjang; tidak dapat dinilai"))
        u_reason.iloc[u] = "Geometri tanpa luas/panjang; lokasi tidak dapat dinilai."
    u_acts = pd.Series(list(acts.iloc[own]), dtype=object)
    verdict_u, shares_u = assess(res.pairs, res.unzoned, u_acts, rules, min_share=min_share, empty_reason=u_reason)
    verdict, shares = combine_parts(verdict_u, shares_u, own, parts.bagian, parts.n)
    return verdict, shares, findings
