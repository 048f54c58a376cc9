"""Cartography for SPPR results: zone palette, map furniture, the Album Peta, single maps, QGIS styles.

Matplotlib is used with the Agg backend only (no display, no tile servers). It is
imported on first use of a map function, not with this package: writing QGIS
styles into a result (``sppr check``) needs only sqlite and XML.

>>> from sppr_gis.maps import write_album, write_map, write_layer_styles   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from sppr_gis.maps.palette import Palette

__all__ = ["write_album", "album_pages", "single_map", "write_map", "Palette", "write_layer_styles"]

_LAZY = {
    "write_album": "album",
    "album_pages": "album",
    "single_map": "album",
    "write_map": "album",
    "write_layer_styles": "styles",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sppr_gis.maps' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sppr_gis.maps.{module}"), name)
