"""Options shared by several ``sppr`` subcommands, with validating callbacks."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import click
from pyproj import CRS

from sppr_cli.i18n import N_, _
from sppr_gis import vocabulary as vocab
from sppr_gis.io import LayerSpec, parse_layer_spec

F = Callable[..., Any]


class DecimalFloat(click.ParamType):
    """A number option that also takes a decimal comma (``0,05``, ``104,4834``), as the data readers do."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        from sppr_gis.text import parse_number

        try:
            number = parse_number(str(value))
        except ValueError:
            number = None
        if number is None or (number != number and str(value).strip().lower() != "nan"):
            self.fail(_("'{value}' is not a number (decimals with a point or a comma: 0.05 or 0,05)").format(value=value), param, ctx)
        return number


#: Float options: decimal points and decimal commas.
DECIMAL = DecimalFloat()


def _layer_spec(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    values = value if isinstance(value, tuple) else (value,)
    specs = []
    for v in values:
        spec = parse_layer_spec(v)
        if not spec.exists():
            raise click.BadParameter(_("file '{path}' does not exist").format(path=spec.path), ctx=ctx, param=param)
        specs.append(spec)
    return tuple(specs) if isinstance(value, tuple) else specs[0]


def _crs(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        CRS.from_user_input(value)
    except Exception:
        raise click.BadParameter(_("'{value}' is not a CRS (try EPSG:32648)").format(value=value), ctx=ctx, param=param) from None
    return value


def _pair(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise click.BadParameter(_("expected two column names separated by a comma (LON,LAT), got '{value}'").format(value=value), ctx=ctx, param=param)
    return parts[0], parts[1]


def _share(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0.0 < value <= 1.0:
        raise click.BadParameter(_("must be greater than 0 and at most 1, got {value}").format(value=value), ctx=ctx, param=param)
    return value


def _existing(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not parse_layer_spec(value).exists():
        raise click.BadParameter(_("file '{path}' does not exist").format(path=value), ctx=ctx, param=param)
    return value


zoning_opt = click.option(
    "--zoning",
    "zoning",
    multiple=True,
    required=True,
    callback=_layer_spec,
    metavar="PATH[:LAYER][=CODE]",
    help=N_("Zoning polygons; repeatable. PATH:LAYER names a layer (required when the source has several); PATH=CODE gives every feature that zone code. A PATH holding '=' or ':' that exists is a path."),
)
rules_opt = click.option("--rules", required=True, callback=_existing, metavar="PATH", help=N_("ITBX matrix (CSV or XLSX)."))
zone_field_opt = click.option("--zone-field", default=None, metavar="F", help=N_("Zone code field [default: the first present of KODSZN, KODZON, KODKWS]."))
activity_field_opt = click.option("--activity-field", default=vocab.DEFAULT_ACTIVITY_FIELD, show_default=True, metavar="F", help=N_("Program activity field."))
id_field_opt = click.option("--id-field", default=vocab.DEFAULT_ID_FIELD, show_default=True, metavar="F", help=N_("Program id field."))
min_share_opt = click.option(
    "--min-share", type=DECIMAL, default=vocab.DEFAULT_MIN_SHARE, show_default=True, callback=_share, help=N_("Zones with a smaller share are not counted.")
)
def _non_negative(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (value == value and value not in (float("inf"), float("-inf")) and value >= 0):
        raise click.BadParameter(_("must be a finite number >= 0, got {value}").format(value=value), ctx=ctx, param=param)
    return value


sliver_width_opt = click.option(
    "--sliver-width", type=DECIMAL, default=vocab.DEFAULT_SLIVER_WIDTH, show_default=True, callback=_non_negative, metavar="M",
    help=N_("Zoning overlaps and gaps narrower than this (metres) are digitizing noise: summarized in one issue, not listed."),
)
sliver_area_opt = click.option(
    "--sliver-area", type=DECIMAL, default=vocab.DEFAULT_SLIVER_AREA, show_default=True, callback=_non_negative, metavar="M2",
    help=N_("Zoning overlaps and gaps smaller than this (m²) are digitizing noise. Measures never depend on either tolerance."),
)
assume_crs_opt = click.option("--assume-crs", default=None, callback=_crs, metavar="CRS", help=N_("CRS for layers that have none (e.g. EPSG:32648)."))
xy_fields_opt = click.option("--xy-fields", default=None, callback=_pair, metavar="LON,LAT", help=N_("Coordinate columns of table inputs."))
def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(_("unknown text encoding '{value}' (e.g. cp1252, utf-8)").format(value=value), ctx=ctx, param=param) from None
    return value


encoding_opt = click.option(
    "--encoding", default=None, callback=_encoding, metavar="ENC",
    help=N_("Text encoding of legacy inputs (e.g. cp1252 for a DBF without .cpg) [default: declared, else UTF-8 or cp1252 recognized]."),
)
engine_opt = click.option("--engine", type=click.Choice(["pyogrio", "fiona"]), default="pyogrio", show_default=True, help=N_("Vector I/O engine."))
def _workers(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """At most the CPUs this process may use: more threads only cost memory (a thread stack each)."""
    if value is None:
        return None
    from sppr_gis.validate import usable_cpus

    cpus = usable_cpus()
    if value > cpus:
        click.echo(
            _("warning: --{option} {value}: only {cpus} CPUs can be used here; using {cpus}").format(option=param.name.replace("_", "-"), value=value, cpus=cpus),
            err=True,
        )
        return cpus
    return value


workers_opt = click.option("--workers", type=click.IntRange(min=1), default=None, callback=_workers, help=N_("Threads for the engine [default and at most: the CPUs this process may use]."))


def _scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or value == "local":
        return value
    if not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://\S+|[A-Za-z0-9.\-\[\]:]+:\d+", value):
        raise click.BadParameter(_("'{value}' is not a scheduler address: give tcp://HOST:8786 or 'local'").format(value=value), ctx=ctx, param=param)
    return value


scheduler_opt = click.option(
    "--scheduler", default=None, callback=_scheduler, metavar="tcp://HOST:8786|local",
    help=N_("Compute on a dask.distributed cluster (its scheduler's address), or 'local' for a local cluster of --workers-processes processes [default: in this process]."),
)
worker_processes_opt = click.option(
    "--workers-processes", type=click.IntRange(min=1), default=None, metavar="N", callback=_workers,
    help=N_("Worker processes of --scheduler local (one thread each) [default: the command's --workers where it has one, else all CPUs]."),
)


def _verbosity(ctx: click.Context, param: click.Parameter, value: int) -> int:
    obj = ctx.ensure_object(dict)
    sign = -1 if param.name == "quiet" else 1
    obj["verbosity"] = obj.get("verbosity", 0) + sign * value
    level = logging.WARNING - 10 * obj["verbosity"]
    logging.getLogger("sppr_gis").setLevel(max(logging.DEBUG, min(logging.CRITICAL, level)))
    return value


def verbosity_opts(f: F) -> F:
    """``-v/--verbose`` and ``-q/--quiet``, counted, on the root group and on subcommands."""
    f = click.option("-q", "--quiet", count=True, expose_value=False, callback=_verbosity, help=N_("Less output (repeatable)."))(f)
    f = click.option("-v", "--verbose", count=True, expose_value=False, callback=_verbosity, help=N_("More output (repeatable)."))(f)
    return f


def verbosity(ctx: click.Context) -> int:
    """Net verbosity (verbose - quiet) set anywhere on the command line."""
    root = ctx.find_root()
    return int((root.obj or {}).get("verbosity", 0))


__all__ = [
    "LayerSpec",
    "zoning_opt",
    "rules_opt",
    "zone_field_opt",
    "activity_field_opt",
    "id_field_opt",
    "min_share_opt",
    "sliver_width_opt",
    "sliver_area_opt",
    "assume_crs_opt",
    "xy_fields_opt",
    "encoding_opt",
    "engine_opt",
    "workers_opt",
    "scheduler_opt",
    "worker_processes_opt",
    "verbosity_opts",
    "verbosity",
]


code_field_opt = click.option("--code-field", default=vocab.DEFAULT_CODE_FIELD, show_default=True, metavar="F", help=N_("SIPD code field used with --code-map."))


relocation_distance_opt = click.option(
    "--relocation-distance", type=DECIMAL, default=vocab.DEFAULT_RELOCATION_DISTANCE, show_default=True, callback=_non_negative, metavar="M",
    help=N_("Relocation advice (layer saran_relokasi): the nearest zone permitting (I) the activity, within this many metres."),
)


def network_opts(f: F) -> F:
    """``--struktur-ruang``, ``--network-class-field``, ``--network-map``, ``--network-distance``."""
    f = click.option(
        "--network-distance", type=DECIMAL, default=vocab.DEFAULT_NETWORK_DISTANCE, show_default=True, callback=_non_negative, metavar="M",
        help=N_("A program follows the planned network where it lies within this many metres of a line of its classes."),
    )(f)
    f = click.option("--network-map", default=None, callback=_existing, metavar="PATH", help=N_("CSV/XLSX kegiatan,kelas: the network classes each activity must follow (with --struktur-ruang)."))(f)
    f = click.option("--network-class-field", default=vocab.DEFAULT_NETWORK_CLASS_FIELD, show_default=True, metavar="F", help=N_("Class field of the --struktur-ruang layer."))(f)
    f = click.option(
        "--struktur-ruang", default=None, callback=_layer_spec, metavar="PATH[:LAYER]",
        help=N_("Planned network lines (struktur ruang): adds porsi_jaringan and status_struktur for the activities in --network-map."),
    )(f)
    return f


def check_network_opts(struktur_ruang: object, network_map: object) -> None:
    """``--struktur-ruang`` and ``--network-map`` go together (a usage error otherwise)."""
    if struktur_ruang is not None and network_map is None:
        raise click.UsageError(_("--struktur-ruang needs --network-map (CSV kegiatan,kelas: the classes each activity must follow)"))
    if network_map is not None and struktur_ruang is None:
        raise click.UsageError(_("--network-map needs --struktur-ruang (the planned network layer)"))


def inputs_of(**options: Any) -> list[tuple[str, Any]]:
    """The inputs given, as ``(option, source)`` pairs for :func:`sppr_gis.io.guard_outputs`.

    ``inputs_of(zoning=(spec, ...), rules="itbx.xlsx", conditions=None)`` ->
    ``[("--zoning", spec), ..., ("--rules", "itbx.xlsx")]`` (options not given left out).
    """
    out: list[tuple[str, Any]] = []
    for name, value in options.items():
        for v in value if isinstance(value, (tuple, list)) else (value,):
            if v is not None:
                out.append(("--" + name.replace("_", "-"), v))
    return out


no_cache_opt = click.option(
    "--no-cache", is_flag=True,
    help=N_("Do not reuse or keep the prepared zoning in the cache (SPPR_CACHE_DIR, default the user cache folder); results are the same."),
)


def no_cache_env(no_cache: bool) -> Any:
    """A context in which ``--no-cache`` holds (``SPPR_NO_CACHE=1``, also for the workers of a local cluster started in it)."""
    import contextlib
    import os

    from sppr_gis.cache import NO_CACHE_ENV

    @contextlib.contextmanager
    def ctx() -> Any:
        before = os.environ.get(NO_CACHE_ENV)
        os.environ[NO_CACHE_ENV] = "1"
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(NO_CACHE_ENV, None)
            else:
                os.environ[NO_CACHE_ENV] = before

    return ctx() if no_cache else contextlib.nullcontext()
