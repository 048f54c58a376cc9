"""Former home of the cluster runner and of several regions' sync; kept so that user scripts still import.

The code lives in :mod:`sppr_gis.cluster` (the cluster, distributed zone shares, the zoning QA's
cluster runner; below :mod:`sppr_gis.pipeline`) and :mod:`sppr_gis.regions` (``sppr sync`` over
several regions and their rekap; above :mod:`sppr_gis.run`). Nothing inside the library imports
this module: it only re-exports their names for scripts, notebooks and tests.
"""

from __future__ import annotations

from sppr_gis.cluster import (  # noqa: F401 - re-exported as they were
    MAX_PARTITION_SIZE,
    MIN_PARTITION_SIZE,
    ClusterError,
    ClusterRunner,
    check_workers,
    cluster_client,
    distributed_shares,
    hilbert_order,
    pack_wkb,
    partition_programs,
    process_cluster,
    unpack_wkb,
    worker_count,
)
from sppr_gis.cluster import with_credentials as _with_credentials  # noqa: F401 - the former private name
from sppr_gis.regions import RegionOutcome, RegionsRun, region_code, sync_regions, write_rekap  # noqa: F401

__all__ = [
    "ClusterError",
    "ClusterRunner",
    "RegionOutcome",
    "RegionsRun",
    "cluster_client",
    "distributed_shares",
    "hilbert_order",
    "pack_wkb",
    "partition_programs",
    "process_cluster",
    "region_code",
    "sync_regions",
    "unpack_wkb",
]
