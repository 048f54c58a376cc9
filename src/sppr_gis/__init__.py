"""sppr_gis: spatial-plan synchronization (SPPR) for Indonesian local government.

Checks whether infrastructure programs sit where the zoning allows them (the
ITBX matrix) and synchronizes each year's programs with the spatial plan.

>>> import sppr_gis
>>> zoning = sppr_gis.read_layer("data/sample/zoning.gpkg:rdtr_subzona")      # doctest: +SKIP
>>> programs = sppr_gis.read_programs("data/sample/rencana_pupr.gpkg")       # doctest: +SKIP
>>> rules = sppr_gis.read_rules("data/sample/itbx.csv")                      # doctest: +SKIP
>>> result = sppr_gis.check(zoning, programs, rules)                         # doctest: +SKIP
>>> result.programs[["program_id", "status", "itbx", "score"]]              # doctest: +SKIP
"""

from sppr_gis._version import __version__
from sppr_gis.errors import SpprError
from sppr_gis.io import read_layer, read_programs, read_table, write_gpkg
from sppr_gis.pipeline import CheckResult, ZoningInput, check
from sppr_gis.results import write_check_result
from sppr_gis.rules import Rules, read_rules

__all__ = [
    "check",
    "CheckResult",
    "ZoningInput",
    "read_layer",
    "read_programs",
    "read_table",
    "read_rules",
    "Rules",
    "write_gpkg",
    "write_check_result",
    "SpprError",
    "__version__",
]
