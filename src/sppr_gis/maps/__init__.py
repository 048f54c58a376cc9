"""Cartography for SPPR results: zone palette, map furniture, the Album Peta, single maps, QGIS styles.

Matplotlib is used with the Agg backend only (no display, no tile servers).

>>> from sppr_gis.maps import write_album, write_map, write_layer_styles   # doctest: +SKIP
"""

from sppr_gis.maps.album import album_pages, single_map, write_album, write_map
from sppr_gis.maps.palette import Palette

__all__ = ["write_album", "album_pages", "single_map", "write_map", "Palette", "write_layer_styles"]


def __getattr__(name: str):  # styles imported lazily (sqlite + XML only)
    if name == "write_layer_styles":
        from sppr_gis.maps.styles import write_layer_styles

        return write_layer_styles
    raise AttributeError(name)
