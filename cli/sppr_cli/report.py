"""Terminal output shared by subcommands: summaries, progress, error handling."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Callable

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sppr_cli.i18n import ngettext
from sppr_gis.errors import AmbiguousLayerError, MissingFileError, OutputConflictError, SpprError, redact


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into one clean message and exit status 1 (no traceback).

    A source with several layers and none named, an output that would overwrite an input (or a folder of
    files the tool did not write), and a missing file the configuration names are usage errors (exit status 2).
    """
    try:
        yield
    except (AmbiguousLayerError, OutputConflictError, MissingFileError) as exc:
        raise click.UsageError(redact(str(exc)), ctx=click.get_current_context(silent=True)) from None
    except SpprError as exc:
        raise click.ClickException(redact(str(exc))) from None
    except OSError as exc:  # disk full, permission denied: the user's to fix, no traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        raise click.ClickException(redact(f"{where}{exc.strerror or exc}")) from None


@contextlib.contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields an ``advance(n, description=None)`` callback
    (``description`` names the stage now running)."""
    if not enabled or total == 0:
        yield lambda n, description=None: None
        return
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n, description=None: bar.update(task, advance=n, description=description)


def _number(v: object) -> str:
    """A table cell for a person: numbers the Indonesian way (``1.234``, ``236,04``), other values as text."""
    from sppr_gis.text import angka

    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
        return str(v)
    return angka(float(v), 0 if float(v).is_integer() else 2)


def print_table(df: pd.DataFrame, title: str, console: Console) -> None:
    """Print a small DataFrame as a rich table (index as the first column)."""
    table = Table(title=title, title_justify="left")
    table.add_column(str(df.index.name or ""))
    for col in df.columns:
        table.add_column(str(col), justify="right")
    for idx, row in df.iterrows():
        table.add_row(str(idx), *(_number(v) for v in row))
    console.print(table)


def read_progress(show: bool) -> Callable[[str, int, int | None], None] | None:
    """A callback for long table reads: one line on stderr per chunk (``membaca x.csv: 200.000 dari 1.000.000 baris``)."""
    if not show:
        return None
    from sppr_gis.text import angka

    def report(stage: str, done: int, total: int | None) -> None:
        if done:
            if total:
                line = ngettext("{stage}: {done} of {total} row", "{stage}: {done} of {total} rows", total)
            else:
                line = ngettext("{stage}: {done} row", "{stage}: {done} rows", done)
            click.echo(line.format(stage=stage, done=angka(done, 0), total=angka(total or 0, 0)), err=True)

    return report


def stdout_console() -> Console:
    """Console for results (stdout); plain when not a terminal."""
    return Console(file=sys.stdout, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
