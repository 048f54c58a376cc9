"""Map furniture with matplotlib (Agg, offline): frame, legend, north arrow, scale bar, ticks, inset, notes.

One page is a :class:`MapFrame`: an A3-landscape figure (A4 on request) with
the map on the left and an information column on the right (map number and
sheet, title, region and year, north arrow and numeric scale, legend, inset
locator, source citations, the preparing office with its logo and signatory),
the layout of Indonesian spatial-plan albums. Every text is at least
:data:`MIN_PT` points at print size (the figure is the paper). The scale bar is drawn inside the map in data coordinates of the
projected (metric) CRS, so its length is true by construction; the frame
refuses geographic CRSs.

The package's modules, one per part of the page: :mod:`.frame` (the page),
:mod:`.legend`, :mod:`.labels`, :mod:`.draw`, :mod:`.grid`, :mod:`.scalebar` (and north
arrow), :mod:`.inset`, :mod:`.preparer` (office and signatory), :mod:`.continuation`,
:mod:`.textfit` and :mod:`.common` (paper sizes, helpers). Their public names are
importable from here.

>>> frame = MapFrame("PETA KESESUAIAN PROGRAM", crs="EPSG:32648")   # doctest: +SKIP
>>> frame.set_extent(zoning.total_bounds)                             # doctest: +SKIP
>>> draw_zoning(frame.ax, zoning, Palette())                           # doctest: +SKIP
>>> frame.add_legend([LegendSection("Zona", handles)])                # doctest: +SKIP
>>> frame.finish(note="Sumber: RDTR")                                  # doctest: +SKIP
>>> frame.fig.savefig("peta.png", dpi=150)                             # doctest: +SKIP
"""

from __future__ import annotations

from sppr_gis.maps.cartography.common import (
    _MAP_BOX,
    _PANEL_X,
    MIN_PT,
    PAGE_SIZE,
    PAPER_SIZES,
    TABLE_HEADING,
    counts_of,
    display_crs,
    fit_extent,
    nice_scale_length,
    pagu_text,
    paper_size,
    rupiah,
    split_by_dimension,
)
from sppr_gis.maps.cartography.continuation import continuation_pages
from sppr_gis.maps.cartography.draw import (
    draw_by_category,
    draw_outline,
    draw_zoning,
    spread_positions,
)
from sppr_gis.maps.cartography.frame import MapFrame
from sppr_gis.maps.cartography.grid import _dms
from sppr_gis.maps.cartography.labels import (
    place_callouts,
    place_labels,
    place_line_labels,
)
from sppr_gis.maps.cartography.legend import (
    LegendSection,
    category_legend,
    geometry_type_legend,
    zone_legend,
)
from sppr_gis.maps.cartography.preparer import (
    PreparerBlock,
    preparer_artists,
    signature_parts,
)
from sppr_gis.maps.cartography.scalebar import ScaleBar
from sppr_gis.maps.cartography.textfit import _bottom

__all__ = [
    "TABLE_HEADING",
    "PAGE_SIZE",
    "PAPER_SIZES",
    "MIN_PT",
    "LegendSection",
    "ScaleBar",
    "MapFrame",
    "PreparerBlock",
    "continuation_pages",
    "preparer_artists",
    "signature_parts",
    "nice_scale_length",
    "fit_extent",
    "split_by_dimension",
    "draw_zoning",
    "draw_by_category",
    "draw_outline",
    "place_labels",
    "place_line_labels",
    "place_callouts",
    "spread_positions",
    "zone_legend",
    "category_legend",
    "geometry_type_legend",
    "display_crs",
    "rupiah",
    "pagu_text",
]
#: Private names re-exported for scripts and tests that import them from here.
_REEXPORTED = (_MAP_BOX, _PANEL_X, _dms, _bottom, counts_of, paper_size)
