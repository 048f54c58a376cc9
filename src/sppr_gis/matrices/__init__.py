"""The SPPR tables (Permen ATR/BPN 13/2021) and the budget, synergy and achievement views.

Every function takes plain frames with the canonical field names (see
:mod:`sppr_gis.sync`) and returns a plain frame with machine column names; the
Indonesian headers of the matrices book are in :data:`HEADERS`.

- :func:`matriks_1`: identification of implementation of the medium-term plan,
  one row per (IPU, year of the window up to the run year in its period).
- :func:`matriks_2`: priority assessment of the year's programs with weighted,
  documented criteria (:data:`CRITERIA`).
- :func:`matriks_3`: the programs ranked, with class, reason and recommendation.
- :func:`jangka_menengah`: IPU x years of the 5-year window.
- :func:`synergy_pairs`, :func:`collisions`, :func:`protected_programs`,
  :func:`sinergi_table`: coordination between agencies.
- :func:`focus`, :func:`status_table`: budget and counts by status, agency,
  area, priority area.
- :func:`capaian_program`, :func:`capaian_group`: achievement (target vs
  realisation).

Each family is a module of this package (:mod:`~sppr_gis.matrices.plan`: Matriks 1 and JM;
:mod:`~sppr_gis.matrices.priority`: Matriks 2 and 3; :mod:`~sppr_gis.matrices.coordination`: synergy,
collisions, protected zones; :mod:`~sppr_gis.matrices.budget`: focus, status counts, achievement;
:mod:`~sppr_gis.matrices.headers`: :data:`HEADERS`); every name is imported from here.
"""


from __future__ import annotations

from sppr_gis.matrices._common import NO_CLUSTER, OUTSIDE_KP, TOTAL, UNKNOWN, conforming  # noqa: F401
from sppr_gis.matrices.budget import (
    capaian_group,
    capaian_program,
    conformance_status_table,
    focus,
    ipu_status_table,
    opd_cluster,
    rencana_status_table,
    status_table,
)
from sppr_gis.matrices.coordination import (
    SINERGI_COLUMNS,
    SINERGI_STRUCTURED,
    collisions,
    protected_programs,
    sinergi_output,
    sinergi_table,
    synergy_pairs,
)
from sppr_gis.matrices.headers import HEADERS
from sppr_gis.matrices.plan import jangka_menengah, matriks_1, medium_term_window
from sppr_gis.matrices.priority import (  # noqa: F401
    CRITERIA,
    UNRANKED,
    discontinued_ipus,
    matriks_2,
    matriks_3,
)

# The vocabulary names this module had at module level before it became a package (the same objects).
from sppr_gis.vocabulary import (  # noqa: F401
    IPU_STATUSES,
    PROTECTED_KINDS,
    PROTECTED_VERDICTS,
    RENCANA_STATUSES,
    STATUSES,
    place_key,
)

__all__ = [
    "CRITERIA",
    "HEADERS",
    "medium_term_window",
    "matriks_1",
    "jangka_menengah",
    "discontinued_ipus",
    "matriks_2",
    "matriks_3",
    "synergy_pairs",
    "collisions",
    "protected_programs",
    "sinergi_table",
    "sinergi_output",
    "SINERGI_COLUMNS",
    "SINERGI_STRUCTURED",
    "focus",
    "status_table",
    "capaian_program",
    "capaian_group",
    "opd_cluster",
    "conforming",
    "ipu_status_table",
    "rencana_status_table",
    "conformance_status_table",
]
