"""The analyses that complete a ``sppr check`` result: relocation advice and struktur ruang conformance.

:func:`extend_check` adds to a :class:`~sppr_gis.pipeline.CheckResult` the layer
``saran_relokasi`` (:mod:`sppr_gis.relocation`) and, with a planned network, the
columns ``porsi_jaringan`` and ``status_struktur`` of the ``programs`` layer
(:mod:`sppr_gis.network`). ``sppr check`` and ``sppr sync`` both call it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd

from sppr_gis.i18n import _
from sppr_gis.network import DEFAULT_NETWORK_CLASS_FIELD, DEFAULT_NETWORK_DISTANCE, assess_network
from sppr_gis.pipeline import CheckResult
from sppr_gis.relocation import DEFAULT_RELOCATION_DISTANCE, relocation_advice
from sppr_gis.rules import Rules

__all__ = ["extend_check", "extend_check_from_files", "relocation_pending"]


def extend_check(
    result: CheckResult,
    rules: Rules,
    *,
    relocation_distance: float = DEFAULT_RELOCATION_DISTANCE,
    network: gpd.GeoDataFrame | None = None,
    class_map: Mapping[str, tuple[str, ...]] | None = None,
    class_field: str = DEFAULT_NETWORK_CLASS_FIELD,
    network_distance: float = DEFAULT_NETWORK_DISTANCE,
    activity_field: str = "kegiatan",
    id_field: str = "program_id",
) -> CheckResult:
    """Add relocation advice and (with ``network``) struktur ruang conformance to a check result, in place.

    Parameters
    ----------
    result : CheckResult
        From :func:`sppr_gis.pipeline.check` (its ``zones`` are used).
    rules : Rules
        The ITBX matrix the check used.
    relocation_distance : float
        Metres: no relocation advice beyond it.
    network : geopandas.GeoDataFrame, optional
        Planned network lines (struktur ruang).
    class_map : mapping, optional
        ``activity -> classes`` (:func:`sppr_gis.network.read_network_map`); required with ``network``.
    class_field : str
        Class field of ``network``.
    network_distance : float
        Metres.
    activity_field, id_field : str
        The programs' activity and id fields.

    Returns
    -------
    CheckResult
        ``result``, with ``extra_layers["saran_relokasi"]`` and, with a network,
        ``programs["porsi_jaringan"]`` and ``programs["status_struktur"]``.
    """
    t = time.perf_counter()
    result.extra_layers["saran_relokasi"] = _relocation(result, rules, relocation_distance, id_field)
    result.timings["relokasi"] = time.perf_counter() - t
    if network is not None:
        if class_map is None:
            raise ValueError(_("a network needs its class map (activity -> classes)"))
        t = time.perf_counter()
        nc = assess_network(result.programs, network, class_map, class_field=class_field, distance=network_distance, activity_field=activity_field)
        result.programs["porsi_jaringan"] = nc["porsi_jaringan"].to_numpy()
        result.programs["status_struktur"] = nc["status_struktur"].to_numpy()
        result.timings["struktur_ruang"] = time.perf_counter() - t
    return result


def _relocation(result: CheckResult, rules: Rules, relocation_distance: float, id_field: str, client: Any = None) -> gpd.GeoDataFrame:
    """The ``saran_relokasi`` layer of a check result (its nearest zones found on ``client``'s cluster when given)."""
    if result.zones is None:
        raise ValueError(_("the check result carries no zoning (CheckResult.zones)"))
    idf = id_field if id_field in result.programs.columns else "program_id"
    zones: Any = result.zones
    ready = getattr(result, "relocation_index", None)  # check(prepare_relocation=True): cut (and sent) meanwhile
    if ready is not None:
        result.relocation_index = None  # type: ignore[attr-defined] - its pieces freed with the advice, not kept to the end
        try:
            index = ready.result()
        except Exception:  # noqa: BLE001 - built again below; a cluster that fails says so there
            index = None
        if index is not None and index.rules is rules and (index.shipped_to(client) if client is not None else not index.shipped_to_any):
            zones = index
    key = getattr(result, "zoning_key", None)  # check(): the zoning cache entry's key (pieces reused or kept)
    return relocation_advice(result.programs, zones, rules, max_distance=relocation_distance, id_field=idf, client=client, zoning_key=key)


def relocation_pending(
    result: CheckResult,
    rules: Rules,
    *,
    relocation_distance: float = DEFAULT_RELOCATION_DISTANCE,
    id_field: str = "program_id",
    client: Any = None,
) -> Callable[[], gpd.GeoDataFrame]:
    """:func:`extend_check` without a network, started in a background thread.

    The relocation advice reads the check result and changes none of its layers,
    so the programs, zone_shares and issues layers can be written meanwhile: pass
    the returned callable to :func:`sppr_gis.results.write_check_result` as its
    ``pending`` layer ``saran_relokasi`` (:func:`sppr_gis.io.write_gpkg` calls it
    when that layer's turn comes). The answers are those of :func:`extend_check`.

    Parameters
    ----------
    result : CheckResult
        From :func:`sppr_gis.pipeline.check`; not changed until the callable is called.
    rules : Rules
        The ITBX matrix the check used.
    relocation_distance : float
        Metres: no relocation advice beyond it.
    id_field : str
        The programs' id field.
    client : distributed.Client, optional
        Find the nearest permitted zones on this cluster (one task per chunk of one activity's
        programs, :func:`sppr_gis.cluster.distributed_nearest`); the client must stay open until
        the callable has returned. The layer equals a local run's.

    Returns
    -------
    callable
        Waits for the advice (raising what it raised), stores it in
        ``result.extra_layers["saran_relokasi"]`` (and ``result.timings["relokasi"]``)
        and returns it; later calls return the same layer.
    """
    def run() -> tuple[gpd.GeoDataFrame, float]:
        t = time.perf_counter()
        return _relocation(result, rules, relocation_distance, id_field, client), time.perf_counter() - t

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-relokasi")
    future = pool.submit(run)
    pool.shutdown(wait=False)

    def finish() -> gpd.GeoDataFrame:
        if "saran_relokasi" not in result.extra_layers:
            layer, seconds = future.result()
            result.extra_layers["saran_relokasi"] = layer
            result.timings["relokasi"] = seconds
        return result.extra_layers["saran_relokasi"]

    return finish


def extend_check_from_files(
    result: CheckResult,
    rules: Rules,
    *,
    relocation_distance: float = DEFAULT_RELOCATION_DISTANCE,
    network: Any = None,
    network_map: str | os.PathLike[str] | None = None,
    class_field: str = DEFAULT_NETWORK_CLASS_FIELD,
    network_distance: float = DEFAULT_NETWORK_DISTANCE,
    activity_field: str = "kegiatan",
    id_field: str = "program_id",
    assume_crs: str | None = None,
    encoding: str | None = None,
    engine: str = "pyogrio",
) -> CheckResult:
    """:func:`extend_check` with the struktur ruang network and its class map read from their sources.

    Parameters
    ----------
    result, rules, relocation_distance, class_field, network_distance, activity_field, id_field
        As for :func:`extend_check`.
    network : LayerSpec or str, optional
        The planned network layer (``--struktur-ruang``); with it, ``network_map`` is required.
    network_map : path, optional
        CSV/XLSX ``kegiatan,kelas`` (``--network-map``).
    assume_crs, encoding, engine
        As for :func:`sppr_gis.io.read_layer`.

    Returns
    -------
    CheckResult
        ``result``, extended in place.
    """
    from sppr_gis import io
    from sppr_gis.network import read_network_map

    frame = class_map = None
    if network is not None:
        frame = io.read_layer(network, assume_crs=assume_crs, encoding=encoding, engine=engine)
        class_map = read_network_map(str(network_map))
    return extend_check(
        result, rules, relocation_distance=relocation_distance, network=frame, class_map=class_map, class_field=class_field,
        network_distance=network_distance, activity_field=activity_field, id_field=id_field,
    )
