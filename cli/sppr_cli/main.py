"""The ``sppr`` root group: verbosity and logging once, version, subcommands."""

from __future__ import annotations

import contextlib
import logging
import warnings
import signal
import sys
from typing import Any

import click
from shapely.errors import GEOSException

import sppr_gis
from sppr_gis.errors import Interrupted
from sppr_cli.i18n import N_, TranslatedGroup, _, click_translations
from sppr_cli.options import verbosity_opts


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(_("%(prog)s, version %(version)s") % {"prog": "sppr", "version": sppr_gis.__version__})
    ctx.exit()


def _show_versions(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import geopandas
    import pandas
    import pyogrio
    import pyproj
    import shapely

    click.echo(f"sppr_gis {sppr_gis.__version__}")
    click.echo(f"python {sys.version.split()[0]}")
    for mod in (geopandas, shapely, pyproj, pyogrio, pandas, click):
        click.echo(f"{mod.__name__} {getattr(mod, '__version__', '?')}")
    click.echo(f"GEOS {shapely.geos_version_string}, GDAL {pyogrio.__gdal_version_string__}, PROJ {pyproj.proj_version_str}")
    ctx.exit()


class SpprGroup(TranslatedGroup):
    """The root group: SIGTERM and Ctrl-C end a command with exit status 143 and 130, one line, no leftovers.

    Both signals become exceptions in the main thread (:class:`~sppr_gis.errors.Interrupted`,
    :class:`KeyboardInterrupt`), so every ``finally`` and staging clean-up runs before the exit.
    While a command runs, Click's own messages come from the ``sppr`` catalog (``SPPR_LANG``).
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        previous: dict[int, Any] = {}

        def on_signal(signum: int, frame: object) -> None:
            raise Interrupted(signum)

        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, on_signal)
            except (ValueError, OSError):  # not the main thread
                pass
        try:
            with click_translations():
                return super().main(*args, **kwargs)
        finally:
            for sig, handler in previous.items():
                with contextlib.suppress(ValueError, OSError):
                    signal.signal(sig, handler)

    def invoke(self, ctx: click.Context) -> Any:  # noqa: D102
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, Interrupted) as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
            click.echo(_("Error: interrupted ({signal}); unfinished outputs were removed").format(signal=name), err=True)
            ctx.exit(128 + int(signum))
        except GEOSException as exc:
            # a geometry operation outside sppr_gis.overlay's door (a map, a predicate): one line, exit 1
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise click.ClickException(
                _("a geometry operation failed (GEOS: {detail}); repair the input geometry and try again").format(detail=detail)
            ) from None


@click.group(
    cls=SpprGroup, context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("SPPR: check program locations against the zoning (ITBX) and synchronize programs with the spatial plan."),
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version, help=N_("Show the version and exit."))
@click.option("--show-versions", is_flag=True, expose_value=False, is_eager=True, callback=_show_versions, help=N_("Show library versions and exit."))
@verbosity_opts
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The ``sppr`` root group (its help is the ``help`` above, translated when shown)."""
    ctx.ensure_object(dict)
    logging.basicConfig(stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_ReaderFormatter())
    # Library warnings (GDAL through pyogrio, pandas) as one log line each, without a source
    # line, and silenced by -q like the rest of the tool's messages.
    warnings.showwarning = _log_warning


class _ReaderFormatter(logging.Formatter):
    """A log line in the reader's language: ``Peringatan: <message>`` (``Warning: <message>`` with SPPR_LANG=en);
    the logger's name follows the level only when the library logs at DEBUG (``-v``), for whoever reports a bug."""

    def format(self, record: logging.LogRecord) -> str:
        level = {"WARNING": _("warning"), "ERROR": _("error"), "CRITICAL": _("error"), "INFO": _("info")}.get(record.levelname, record.levelname.lower())
        level = level[:1].upper() + level[1:]
        where = f" {record.name}" if logging.getLogger("sppr_gis").isEnabledFor(logging.DEBUG) else ""
        return f"{level}{where}: {record.getMessage()}"


def _log_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None, line: str | None = None) -> None:
    logging.getLogger("sppr_gis.peringatan").warning("%s", message)


def _register() -> None:
    from sppr_cli.check import check
    from sppr_cli.kinerja import kinerja
    from sppr_cli.map import map_cmd
    from sppr_cli.revisi import revisi
    from sppr_cli.site import site
    from sppr_cli.sync import sync

    cli.add_command(check)
    cli.add_command(kinerja)
    cli.add_command(map_cmd)
    cli.add_command(revisi)
    cli.add_command(site)
    cli.add_command(sync)


_register()
