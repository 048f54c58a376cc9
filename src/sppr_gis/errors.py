"""One exception hierarchy for sppr_gis.

Every error a user can fix by correcting their data or options is a
:class:`SpprError`. Leaves also inherit the matching built-in so that callers
can catch them generically (``except OSError``), following rasterio and fiona.
"""

from __future__ import annotations

import re

__all__ = [
    "redact",
    "SpprError",
    "InputError",
    "LayerError",
    "GeometryError",
    "AmbiguousLayerError",
    "FieldError",
    "CRSError",
    "RulesError",
    "ConfigError",
    "MissingFileError",
    "OutputError",
    "OutputConflictError",
    "Interrupted",
]


class SpprError(Exception):
    """Root of all sppr_gis errors; the message names the file, layer, field or row."""


class InputError(SpprError, OSError):
    """An input file is missing, unreadable or in an unsupported format."""


class LayerError(SpprError, ValueError):
    """A layer is missing, empty where it must not be, or of the wrong geometry type."""


class AmbiguousLayerError(LayerError):
    """A source holds several candidate layers (or sheets) and none was named.

    Reading one of them silently would drop the others, so this is a usage
    error (``sppr`` exits with status 2). The message lists the layers and says
    how to name one (``path.gpkg:layer``).

    Attributes
    ----------
    path : str
        The data source.
    layers : tuple of str
        The candidate layer (or sheet) names.
    """

    def __init__(self, message: str, path: str = "", layers: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.layers = tuple(layers)


class FieldError(SpprError, KeyError):
    """A required field (column) is missing or holds unusable values."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


class CRSError(SpprError, ValueError):
    """A layer has no CRS (and none was assumed) or CRSs cannot be reconciled."""


class GeometryError(SpprError, ValueError):
    """A geometry operation that cannot be computed even with snap-rounding."""


class RulesError(SpprError, ValueError):
    """The ITBX matrix (or a condition / code-mapping table) is malformed."""


class ConfigError(SpprError, ValueError):
    """The run configuration is malformed (unknown key, bad value, missing input)."""


class MissingFileError(ConfigError):
    """The configuration file, or a file it names, does not exist: a usage error (exit status 2), like a missing
    file given on the command line."""


class OutputError(SpprError, OSError):
    """An output cannot be written (disk full, read-only file system, database refused it).

    The message names the output; nothing half-written is left behind.
    """


class Interrupted(BaseException):
    """The process received SIGTERM (or SIGINT): raised in the main thread so cleanup runs.

    A ``BaseException`` like :class:`KeyboardInterrupt`, so ``except Exception``
    never swallows it. ``signum`` is the signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: ``scheme://`` and the user information up to the last ``@`` of the word (greedy: a password may hold ``@``).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>\S*)@")


def redact(text: str) -> str:
    """``text`` with the password part of every URI in it hidden.

    Everything between ``://`` and the authority's last ``@`` (within the word) is
    replaced by ``***`` when it holds a password (a ``:`` or an ``@``: a
    password written without percent-encoding); a bare user name is kept. A
    safety net for messages: the tool's own messages are built from
    password-free labels.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """

    def hide(m: re.Match[str]) -> str:
        info = m.group("userinfo")
        if ":" not in info and "@" not in info:
            return m.group(0)
        return f"{m.group('scheme')}***@"

    return _USERINFO.sub(hide, str(text))


class OutputConflictError(SpprError, ValueError):
    """An output would overwrite an input, or replace a folder holding files the run did not write.

    A usage error (``sppr`` exits with status 2): the message names the output
    and the input (or the foreign files); nothing is written or deleted.
    """
