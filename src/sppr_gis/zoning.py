"""The zoning as the steps take it: one or several layers, each optionally with one zone code for all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd

from sppr_gis.errors import LayerError
from sppr_gis.i18n import _

__all__ = ["ZoningInput", "as_zoning_inputs"]


@dataclass
class ZoningInput:
    """One zoning layer, optionally with a zone code given to all its features.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The polygons.
    code : str, optional
        Zone code for every feature (zoning delivered as one file per class).
    label : str, optional
        Name used in findings and messages (default: ``frame.attrs["source"]``).
    """

    frame: gpd.GeoDataFrame
    code: str | None = None
    label: str | None = None

    @property
    def name(self) -> str:
        """The label used in messages."""
        return self.label or str(self.frame.attrs.get("source", "zoning"))


def as_zoning_inputs(zoning: gpd.GeoDataFrame | ZoningInput | Sequence[gpd.GeoDataFrame | ZoningInput]) -> list[ZoningInput]:
    """The zoning as a list of :class:`ZoningInput`, as every step that takes zoning accepts it.

    Parameters
    ----------
    zoning : GeoDataFrame, ZoningInput or a sequence of them
        A frame becomes a :class:`ZoningInput` labelled by its ``attrs["source"]``
        (default ``zoning[i]``).

    Returns
    -------
    list of ZoningInput

    Raises
    ------
    TypeError
        An item is neither a GeoDataFrame nor a ZoningInput.
    LayerError
        No zoning layer given.
    """
    items = [zoning] if isinstance(zoning, (gpd.GeoDataFrame, ZoningInput)) else list(zoning)
    out = []
    for i, z in enumerate(items):
        if isinstance(z, ZoningInput):
            out.append(z)
        elif isinstance(z, gpd.GeoDataFrame):
            out.append(ZoningInput(z, label=str(z.attrs.get("source", f"zoning[{i}]"))))
        else:
            raise TypeError(_("zoning[{i}] is a {kind}, not a GeoDataFrame or ZoningInput").format(i=i, kind=type(z).__name__))
    if not out:
        raise LayerError(_("no zoning layer given"))
    return out
