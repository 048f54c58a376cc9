"""The CLI's language: every ``--help`` and Click's own messages, translated when they are shown.

Texts are written in English and translated through the ``sppr`` gettext catalog
(:mod:`sppr_gis.i18n`), so ``SPPR_LANG`` alone chooses the language, read at every call: help texts are
marked with :func:`N_` (kept in English on the command objects, found by ``pybabel extract``) and passed
through :func:`~sppr_gis.i18n._` by :class:`SpprCommand` when the help is rendered, and Click's own
strings ("Usage:", "Missing option …", "Error: …") come from the same catalog while a ``sppr`` command runs
(:func:`click_translations`).
"""

from __future__ import annotations

import contextlib
import gettext
import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Sequence
from typing import Any

import click

from sppr_gis.i18n import _, ngettext

__all__ = ["HELP_OPTION_HELP", "N_", "SpprCommand", "_", "click_translations", "ngettext"]


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is translated when shown).

    Parameters
    ----------
    message : str

    Returns
    -------
    str
        ``message`` unchanged.
    """
    return message


#: Click's text for ``-h/--help`` (a Click msgid, translated in our catalog).
HELP_OPTION_HELP = "Show this message and exit."

#: Click msgids that ``pybabel extract`` cannot find in click's source (looked up through a variable).
_CLICK_MSGIDS = (N_("required"),)


def _click_modules() -> list[Any]:
    mods = []
    for info in pkgutil.iter_modules(click.__path__):
        try:
            mods.append(importlib.import_module(f"click.{info.name}"))
        except Exception:
            continue
    return mods


@contextlib.contextmanager
def click_translations() -> Iterator[None]:
    """While it is open, Click's messages come from the ``sppr`` catalog, in the language of ``SPPR_LANG``.

    Click marks its strings with ``from gettext import gettext as _`` (and ``ngettext``) in each module,
    which would look them up in the process-wide gettext domain in the language of ``LANG``/``LC_*``.
    Here those names are pointed at :mod:`sppr_gis.i18n`'s functions for the duration of a ``sppr``
    command and restored after, so another Click program in the same process is not affected.
    """
    saved: list[tuple[Any, str, Any]] = []
    for mod in _click_modules():
        for name, ours, stdlib in (("_", _, gettext.gettext), ("ngettext", ngettext, gettext.ngettext)):
            if getattr(mod, name, None) is stdlib:
                saved.append((mod, name, stdlib))
                setattr(mod, name, ours)
    try:
        yield
    finally:
        for mod, name, value in saved:
            setattr(mod, name, value)


@contextlib.contextmanager
def _shown(obj: Any, attr: str, msgid: str | None = None) -> Iterator[None]:
    """``obj.attr`` translated for as long as it is being rendered (the English msgid kept on the object)."""
    original = getattr(obj, attr)
    source = msgid if msgid is not None else original
    if source:
        setattr(obj, attr, _(inspect.cleandoc(source)))
    try:
        yield
    finally:
        setattr(obj, attr, original)


class _Translated:
    """Mixin for :class:`click.Command` and :class:`click.Group`: help texts translated at render time."""

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples = list(examples)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _shown(self, "help"):
            super().format_help_text(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        with _shown(self, "short_help"), _shown(self, "help"):
            return super().get_short_help_str(limit)  # type: ignore[misc]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        help_option = self.get_help_option(ctx)  # type: ignore[attr-defined]
        with contextlib.ExitStack() as stack:
            for param in self.get_params(ctx):  # type: ignore[attr-defined]
                # Click fixes the help option's text when it first builds it (in the language of that
                # moment): render it from Click's msgid instead.
                stack.enter_context(_shown(param, "help", HELP_OPTION_HELP if param is help_option else None))
            super().format_options(ctx, formatter)  # type: ignore[misc]

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)  # type: ignore[misc]
        if self.examples:
            with formatter.section(_("Examples")):
                for line in self.examples:
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


class SpprCommand(_Translated, click.Command):
    """A ``sppr`` subcommand: help (``help=N_(...)``, ``short_help=N_(...)``, option helps) translated when
    shown, and ``examples`` (command lines, never translated) listed under their own heading."""


class TranslatedGroup(_Translated, click.Group):
    """The root group's base: like :class:`SpprCommand`, and its subcommands listed in the reader's language."""
