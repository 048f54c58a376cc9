"""The Album Peta's pages, one module per kind of map page.

Each module defines its page as a function of the prepared album
(:class:`sppr_gis.maps.pages.base.Album`: layers in one metric CRS, the shared frame,
extent, zoning and boundaries) returning a finished :class:`~sppr_gis.maps.cartography.MapFrame`
or None when its data is missing; :mod:`sppr_gis.maps.album` assembles them.

- :mod:`~sppr_gis.maps.pages.front`: cover, KATA PENGANTAR, DAFTAR PETA, bookmarks;
- :mod:`~sppr_gis.maps.pages.administrasi`: administrative map;
- :mod:`~sppr_gis.maps.pages.pola_ruang`: zoning with the ITBX key;
- :mod:`~sppr_gis.maps.pages.struktur`: networks and the network programs;
- :mod:`~sppr_gis.maps.pages.conformance`: conformance of the programs, relocation advice;
- :mod:`~sppr_gis.maps.pages.ipu`: IPU synchronization and the medium-term IPU;
- :mod:`~sppr_gis.maps.pages.opd`: one map per OPD;
- :mod:`~sppr_gis.maps.pages.budget`: pagu and conformance per kecamatan;
- :mod:`~sppr_gis.maps.pages.synergy`: synergy and conflicts;
- :mod:`~sppr_gis.maps.pages.priority`: programs in the priority areas;
- :mod:`~sppr_gis.maps.kinerja_pages`: the performance cascade (capaian per OPD and kecamatan).

Continuation pages (legends and tables that do not fit beside a map) are made by
:func:`sppr_gis.maps.cartography.continuation_pages`.
"""
