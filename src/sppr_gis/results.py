"""Writing a command's result: the outputs that belong together, staged and renamed into place together.

The CLI parses options, calls the library and prints; what a result becomes on disk (or in PostGIS) is
decided here, so that a script writes exactly what ``sppr check`` writes with one call.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sppr_gis import io
from sppr_gis.io.postgis import is_postgis

__all__ = ["write_check_result"]

log = logging.getLogger(__name__)


def _qgis_styles(path: Path) -> None:
    """QGIS layer styles in the result GeoPackage, so it opens styled like the atlas."""
    from sppr_gis.maps.styles import write_layer_styles

    write_layer_styles(path)


def write_check_result(
    result: Any,
    out: str | os.PathLike[str],
    tables: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[tuple[str, Any]] = (),
    overwrite: bool = False,
    pending: Mapping[str, Callable[[], Any]] | None = None,
) -> list[str]:
    """Write a :class:`sppr_gis.pipeline.CheckResult` as ``sppr check`` does.

    The GeoPackage (with QGIS styles) and its ``tables`` are renamed into place together, after
    both were written (or neither); a PostGIS target is written last, in one transaction, so a
    failure there leaves no file either.

    Parameters
    ----------
    result : CheckResult
        The check (with :func:`sppr_gis.analyses.extend_check`'s layers, if any).
    out : path or str
        ``OUT.gpkg``, or ``postgresql://HOST/DB#SCHEMA``.
    tables : path, optional
        Also the tables: ``.xlsx`` (one sheet each) or ``.csv`` (``stem_name.csv`` each).
    sources : sequence of (option, source)
        The run's inputs (:func:`sppr_gis.io.guard_outputs`): no output may be one of them.
    overwrite : bool
        Replace existing tables of a PostGIS ``out``.
    pending : mapping of layer name to callable, optional
        Layers still being computed (e.g. :func:`sppr_gis.analyses.relocation_pending`), written
        after ``result``'s own: each callable is called when its layer's turn comes (it must
        also store its layer in ``result``, as that function's does), so the layers before it
        are written meanwhile.

    Returns
    -------
    list of str
        The PostGIS tables written (empty for a GeoPackage).

    Raises
    ------
    sppr_gis.errors.SpprError
        An output is an input, or cannot be written (naming it).
    """
    pending = dict(pending or {})
    # the layers as held: the issues' WKB written without decoding it (CheckResult.layers(held=True))
    layers = {**result.layers(held=True), **pending}
    targets = [io.Target("--out", out, tables=tuple(layers)), *(io.table_targets("--tables", tables, layers) if tables else [])]
    io.guard_outputs(list(sources), targets)
    written: list[str] = []
    with io.staged() as staging:
        if not is_postgis(out):
            io.write_gpkg(layers, out, finish=_qgis_styles, staging=staging)
        for finish in pending.values():  # stored in result by now (or here, for a PostGIS target)
            finish()
        if tables:
            io.write_tables(result.layers(), tables, staging=staging)
        if is_postgis(out):
            written = list(io.write_postgis(result.layers(), out, overwrite=overwrite))
            log.info("PostGIS: %s", ", ".join(written))
    return written
