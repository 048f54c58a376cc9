"""Several inputs of one kind as one frame: programs from several files, rencana from every OPD."""

from __future__ import annotations

from dataclasses import replace

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.crs import outside_area_of_use
from sppr_gis.errors import FieldError
from sppr_gis.io.tables import unique_columns
from sppr_gis.schema import find_field
from sppr_gis.findings import Finding, frame_ids
from sppr_gis.i18n import _

__all__ = ["concat_frames", "combine_programs", "SOURCE_COLUMN"]

#: Column saying which input each row of a combined frame came from.
SOURCE_COLUMN = "sumber_berkas"


def _to_crs(frame: gpd.GeoDataFrame, crs: CRS, label: str, id_field: str | None) -> tuple[np.ndarray, list[Finding]]:
    """Geometries of ``frame`` in ``crs``; rows outside their own CRS's area of use, or whose
    transformation is not finite, become null (one finding each) instead of Infinity."""
    geoms = np.asarray(frame.geometry.values, dtype=object).copy()
    if frame.crs is None or CRS.from_user_input(frame.crs) == crs:
        return geoms, []
    findings: list[Finding] = []
    ids = frame_ids(frame, find_field([str(c) for c in frame.columns], id_field) if id_field else None)
    src = CRS.from_user_input(frame.crs)
    outside = outside_area_of_use(geoms, src)
    for i in np.flatnonzero(outside):
        findings.append(Finding(label, str(ids[i]), "error", "koordinat_di_luar_crs", f"lokasi di luar wilayah berlaku {src.name} (bujur/lintang tertukar atau CRS salah?)", row=int(i)))
    geoms[outside] = None
    out = np.asarray(gpd.GeoSeries(geoms, crs=src).to_crs(crs).values, dtype=object)
    present = ~(shapely.is_missing(out) | shapely.is_empty(out))
    finite = np.ones(len(out), dtype=bool)
    if present.any():
        coords_ok = [bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in out[present]]
        finite[np.flatnonzero(present)] = coords_ok
    for i in np.flatnonzero(~finite):
        findings.append(Finding(label, str(ids[i]), "error", "koordinat_di_luar_crs", f"lokasi tidak dapat diubah dari {src.name} ke {crs.name} (koordinat di luar rentang)", row=int(i)))
    out[~finite] = None
    return out, findings


def _shift(findings: list[Finding], offset: int) -> list[Finding]:
    """Findings with their ``row`` moved by ``offset`` (the frame's place in a combined frame)."""
    if not offset:
        return list(findings)
    return [replace(f, row=f.row + offset) if f.row is not None else f for f in findings]


def concat_frames(
    frames: Sequence[gpd.GeoDataFrame],
    *,
    labels: Sequence[str] | None = None,
    source_column: str | None = None,
    crs: object | None = None,
    id_field: str | None = None,
) -> gpd.GeoDataFrame:
    """The rows of several frames in one, attributes unioned.

    Column names that differ only in case (``Pagu`` in one file, ``pagu`` in
    another) are one column, spelled as first seen: GeoPackage and the other
    GDAL formats treat field names without regard to case, so both could not
    be written. Two such names inside one frame are kept apart (``pagu_2``).

    Parameters
    ----------
    frames : sequence of GeoDataFrame
    labels : sequence of str, optional
        Name of each frame's input (default: ``attrs["source"]``).
    source_column : str, optional
        Add this column holding each row's label (an input column of that name
        is kept as ``<name>_input``).
    crs : CRS-like, optional
        Output CRS (default: the first frame's). Rows of other CRSs are
        transformed; rows that cannot be (outside their CRS's area of use, not
        finite) get a null geometry and a finding in ``attrs["findings"]``.
    id_field : str, optional
        Id field used to name rows in those findings.

    Returns
    -------
    geopandas.GeoDataFrame
        With ``attrs["findings"]``: the frames' own findings, then the CRS ones.
    """
    if not frames:
        raise ValueError(_("no frame to combine"))
    labels = list(labels) if labels is not None else [str(f.attrs.get("source", f"input[{k}]")) for k, f in enumerate(frames)]
    target = CRS.from_user_input(crs) if crs is not None else next((CRS.from_user_input(f.crs) for f in frames if f.crs is not None), None)
    spelling: dict[str, str] = {}
    parts = []
    findings: list[Finding] = []
    extra: list[Finding] = []
    offset = 0
    for frame, label in zip(frames, labels):
        findings.extend(_shift(frame.attrs.get("findings", []), offset))
        plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        cols = [spelling.setdefault(c.casefold(), c) for c in unique_columns([str(c) for c in plain.columns])]
        plain.columns = cols
        clash = {c: f"{c}_input" for c in cols if c == "geometry" or (source_column and c.casefold() == source_column.casefold())}
        plain = plain.rename(columns=clash)
        if source_column:
            plain[source_column] = label
        plain = plain.reset_index(drop=True)
        if target is not None:
            geoms, fnd = _to_crs(frame, target, label, id_field)
            extra.extend(_shift(fnd, offset))
        else:
            geoms = np.asarray(frame.geometry.values, dtype=object)
        parts.append(gpd.GeoDataFrame(plain, geometry=gpd.GeoSeries(geoms, index=plain.index, crs=target), crs=target))
        offset += len(frame)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=target)
    # whole numbers stay whole where an input lacks the column (not 2025.0 next to a blank)
    for col in out.columns:
        kinds = [p[col].dtype for p in parts if col in p.columns]
        if kinds and all(pd.api.types.is_integer_dtype(k) for k in kinds) and not pd.api.types.is_integer_dtype(out[col].dtype):
            out[col] = out[col].astype("Int64")
    out.attrs = {"source": " + ".join(labels), "findings": findings + extra}
    return out


def combine_programs(frames: Sequence[gpd.GeoDataFrame], *, id_field: str | None = "program_id", source_column: str = SOURCE_COLUMN) -> gpd.GeoDataFrame:
    """Program lists from several inputs (one per geometry type, one per OPD) as one frame.

    Rows keep their input order, input after input; attributes are unioned (see
    :func:`concat_frames`), ``source_column`` names each row's input, and the
    geometries are in the first input's CRS. An id that appears in more than
    one input is an ``id_ganda_antar_berkas`` finding naming the inputs.

    Parameters
    ----------
    frames : sequence of GeoDataFrame
        As :func:`sppr_gis.io.read_programs` returns them (``attrs["source"]``,
        ``attrs["findings"]``).
    id_field : str, optional
        The program id field; every input must have it (any case).
    source_column : str
        Name of the added column (default ``sumber_berkas``).

    Returns
    -------
    geopandas.GeoDataFrame
        One frame; a single input is returned unchanged.

    Raises
    ------
    FieldError
        An input lacks ``id_field``.
    """
    frames = list(frames)
    if len(frames) == 1:
        return frames[0]
    labels = [str(f.attrs.get("source", f"programs[{k}]")) for k, f in enumerate(frames)]
    id_cols: list[str | None] = []
    for frame, label in zip(frames, labels):
        col = None
        if id_field:
            cols = [str(c) for c in frame.columns if c != frame.geometry.name]
            col = find_field(cols, id_field)
            if col is None:
                raise FieldError(_("{label}: no field '{id_field}' (fields: {cols}); name the right one with --id-field").format(label=label, id_field=id_field, cols=', '.join(cols)))
        id_cols.append(col)
    out = concat_frames(frames, labels=labels, source_column=source_column, id_field=id_field)
    if id_field:
        where: dict[str, dict[str, int]] = {}
        for frame, label, col in zip(frames, labels, id_cols):
            for v in frame[col]:
                if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or not str(v).strip():
                    continue
                counts = where.setdefault(str(v).strip(), {})
                counts[label] = counts.get(label, 0) + 1
        for value, counts in where.items():
            if len(counts) > 1:
                files = ", ".join(f"{lab} ({n} baris)" for lab, n in counts.items())
                out.attrs["findings"].append(
                    Finding(out.attrs["source"], value, "error", "id_ganda_antar_berkas", f"{id_field} '{value}' dipakai di {len(counts)} berkas: {files}")
                )
    return out
