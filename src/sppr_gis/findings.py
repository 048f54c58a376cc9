"""One ``Finding`` type for every data-quality finding, and the ``issues`` layer built from them.

This module sits at the bottom of the house: readers (``sppr_gis.io``) report what they cannot use with it,
the checks in :mod:`sppr_gis.validate` produce it, and every writer of the ``issues`` layer consumes it.
It imports nothing from sppr_gis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["Finding", "Severity", "ISSUE_COLUMNS", "findings_frame", "findings_table", "attach_geometry", "frame_ids"]

Severity = Literal["error", "warning", "info"]
ISSUE_COLUMNS = ["layer", "feature_id", "severity", "code", "message"]


class _Geometry:
    """``Finding.geometry``: holds a shapely geometry or its WKB (``bytes``, the compact form a large
    finding keeps from the check to the writer); always read as a shapely geometry, WKB decoded on
    each read and not kept."""

    def __get__(self, obj: object, objtype: type | None = None) -> object:
        if obj is None:
            return None  # the dataclass default
        g = obj.__dict__.get("_geometry")
        return shapely.from_wkb(g) if isinstance(g, bytes) else g

    def __set__(self, obj: object, value: object) -> None:
        obj.__dict__["_geometry"] = None if value is self else value


@dataclass(frozen=True)
class Finding:
    """One data-quality finding, as written to the ``issues`` layer.

    Attributes
    ----------
    layer : str
        The input (file and layer) it concerns.
    feature_id : str
        The feature's id (or spreadsheet row); empty for layer-wide findings.
    severity : {"error", "warning", "info"}
    code : str
        Stable machine-readable code (e.g. ``geometri_tidak_valid``).
    message : str
        Indonesian explanation for the analyst.
    geometry : shapely geometry, optional
        Where it is, in the output CRS: the overlap or gap polygon, the repaired
        feature, the program. Filled in by :func:`attach_geometry` when the
        finding names a feature. May be given as WKB (``bytes``): it is then
        kept as such (less memory than a large GEOS geometry) and decoded on
        each read; :attr:`wkb` gives the bytes without decoding.
    row : int, optional
        Position (0-based) of the row a reader found unusable (its geometry was
        set to null), in the frame the reader returned; shifted when frames are
        combined. Lets :func:`sppr_gis.check` explain that row with the reader's
        reason instead of a second "empty geometry" finding.
    """

    layer: str
    feature_id: str
    severity: Severity
    code: str
    message: str
    geometry: object = field(default=_Geometry(), compare=False)
    row: int | None = field(default=None, compare=False)

    @property
    def wkb(self) -> bytes | None:
        """The geometry as WKB (as given, or encoded), without decoding WKB it holds; None without geometry."""
        g = self.__dict__.get("_geometry")
        return g if g is None or isinstance(g, bytes) else shapely.to_wkb(g)

    @property
    def has_geometry(self) -> bool:
        """Whether the finding has a geometry (without decoding WKB it holds)."""
        return self.__dict__.get("_geometry") is not None


def findings_frame(findings: Iterable[Finding], crs: object = None) -> gpd.GeoDataFrame:
    """The ``issues`` layer: one row per finding, columns as in the contract, and its geometry.

    Parameters
    ----------
    findings : iterable of Finding
    crs : optional
        CRS of the findings' geometries (the output CRS).
    """
    table, held = findings_table(findings)
    wkb = np.fromiter((isinstance(g, bytes) for g in held), dtype=bool, count=len(held))
    if wkb.any():  # WKB held by a finding decoded here, for the layer
        held[wkb] = shapely.from_wkb(held[wkb])
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(held, crs=crs).values, crs=crs)


def findings_table(findings: Iterable[Finding]) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``issues`` layer's columns, and each finding's geometry as it holds it (nothing decoded).

    Parameters
    ----------
    findings : iterable of Finding

    Returns
    -------
    table : pandas.DataFrame
        The columns of :data:`ISSUE_COLUMNS`, as text.
    geoms : numpy.ndarray
        Object array, one per finding: its shapely geometry, its WKB (``bytes``, as a large
        finding keeps it), or None. :func:`findings_frame` is these two as a GeoDataFrame.
    """
    findings = list(findings)
    rows = [[f.layer, f.feature_id, f.severity, f.code, f.message] for f in findings]
    table = pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype(str)
    geoms = np.empty(len(findings), dtype=object)
    geoms[:] = [f.__dict__.get("_geometry") for f in findings]
    return table, geoms


def attach_geometry(findings: Sequence[Finding], layer: str, ids: Sequence[object], geoms: np.ndarray) -> list[Finding]:
    """Give findings about features of ``layer`` that have no geometry yet the feature's geometry.

    Parameters
    ----------
    findings : sequence of Finding
    layer : str
        The layer label the findings use.
    ids : sequence
        Feature ids as the findings name them (``feature_id``).
    geoms : array of geometries
        The features' geometries (output CRS), aligned with ``ids``.

    Returns
    -------
    list of Finding
    """
    where: dict[str, list[int]] = {}
    for i, fid in enumerate(ids):
        where.setdefault(str(fid), []).append(i)
    out = []
    for f in findings:
        rows = where.get(f.feature_id, []) if not f.has_geometry and f.layer == layer else []
        if rows and f.row is not None and 0 <= f.row < len(geoms):
            rows = [f.row]
        present = [geoms[i] for i in rows if geoms[i] is not None and not shapely.is_empty(geoms[i])]
        if len(rows) == 1 and present:
            f = replace(f, geometry=present[0])
        elif len(rows) > 1 and present and f.code.startswith("id_ganda"):
            # a duplicated id is located by all its rows; other findings naming it cannot tell them apart
            f = replace(f, geometry=shapely.geometrycollections(present))
        out.append(f)
    return out


def frame_ids(gdf: gpd.GeoDataFrame, id_field: str | None) -> np.ndarray:
    """Feature ids for findings: the id field when present, else 1-based feature numbers."""
    if id_field and id_field in gdf.columns:
        vals = gdf[id_field].astype(object).to_numpy()
        return np.array([f"#{i + 1}" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for i, v in enumerate(vals)], dtype=object)
    return np.array([f"#{i + 1}" for i in range(len(gdf))], dtype=object)
