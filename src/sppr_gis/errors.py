"""One exception hierarchy for sppr_gis.

Every error a user can fix by correcting their data or options is a
:class:`SpprError`. Leaves also inherit the matching built-in so that callers
can catch them generically (``except OSError``), following rasterio and fiona.
"""

from __future__ import annotations

__all__ = [
    "SpprError",
    "InputError",
    "LayerError",
    "FieldError",
    "CRSError",
    "RulesError",
    "ConfigError",
    "SpprWarning",
]


class SpprError(Exception):
    """Root of all sppr_gis errors; the message names the file, layer, field or row."""


class InputError(SpprError, OSError):
    """An input file is missing, unreadable or in an unsupported format."""


class LayerError(SpprError, ValueError):
    """A layer is missing, empty where it must not be, or of the wrong geometry type."""


class FieldError(SpprError, KeyError):
    """A required field (column) is missing or holds unusable values."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


class CRSError(SpprError, ValueError):
    """A layer has no CRS (and none was assumed) or CRSs cannot be reconciled."""


class RulesError(SpprError, ValueError):
    """The ITBX matrix (or a condition / code-mapping table) is malformed."""


class ConfigError(SpprError, ValueError):
    """The run configuration is malformed (unknown key, bad value, missing input)."""


class SpprWarning(UserWarning):
    """Warnings issued by sppr_gis; filter with ``warnings.simplefilter``."""
