"""The language people read: Bahasa Indonesia by default, English with ``SPPR_LANG=en``.

Messages are written in English in the code and marked with :func:`_` (or :func:`ngettext`); their
Indonesian translations live in the gettext catalog ``locale/id/LC_MESSAGES/sppr.po`` (managed with Babel:
``pybabel extract/update/compile``; the compiled ``sppr.mo`` ships in the wheel).

Only ``SPPR_LANG`` chooses the language (``id``, the default, or ``en``; ``in``/``indonesia`` and
``english`` are accepted too). ``LANG``, ``LC_ALL`` and ``LC_MESSAGES`` do not change it: a server whose
locale is ``C`` or ``en_US.UTF-8`` still speaks Indonesian to its analysts unless ``SPPR_LANG=en`` is set.
The language is read at every call, so a test or a notebook can switch it with the environment.

Codes in outputs (status values, issue codes, column names) never go through this module.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import lru_cache
from pathlib import Path

__all__ = ["DOMAIN", "LOCALEDIR", "language", "translation", "_", "ngettext"]

#: The gettext domain of sppr_gis (and of the CLI, which shares the catalog).
DOMAIN = "sppr"
#: Where the compiled catalogs are: ``LOCALEDIR/<lang>/LC_MESSAGES/sppr.mo``.
LOCALEDIR = Path(__file__).resolve().parent / "locale"

_ENGLISH = {"en", "en_us", "en_gb", "english", "inggris"}


def language() -> str:
    """The language messages are given in: ``"id"`` (default) or ``"en"`` (``SPPR_LANG=en``).

    Returns
    -------
    str
    """
    value = os.environ.get("SPPR_LANG", "").strip().lower().replace("-", "_").split(".")[0]
    return "en" if value in _ENGLISH else "id"


@lru_cache(maxsize=4)
def _catalog(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALEDIR), languages=[lang], fallback=True)


def translation() -> _gettext.NullTranslations:
    """The catalog for :func:`language` (English is the messages as written).

    Returns
    -------
    gettext.NullTranslations
    """
    return _catalog(language())


def _(message: str) -> str:
    """``message`` in the reader's language (mark every message a person reads with it).

    Parameters
    ----------
    message : str
        The English text, with ``{named}`` placeholders filled in *after* translation
        (``_("{path}: cannot be read").format(path=p)``), so the catalog holds one entry per message.

    Returns
    -------
    str
    """
    return translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the reader's language.

    Parameters
    ----------
    singular, plural : str
    n : int

    Returns
    -------
    str
    """
    return translation().ngettext(singular, plural, n)
