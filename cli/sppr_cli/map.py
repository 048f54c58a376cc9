"""``sppr map``: one map of a result layer (status, OPD, zone or any column) as PNG, PDF or SVG."""

from __future__ import annotations

from pathlib import Path

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _
from sppr_cli.report import user_errors
from sppr_gis.errors import SpprError


def _out(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if Path(value).suffix.lower() not in {".png", ".pdf", ".svg"}:
        raise click.BadParameter(_("must end in .png, .pdf or .svg"), ctx=ctx, param=param)
    return value


@click.command(
    "map", cls=SpprCommand,
    short_help=N_("Draw one map of a result layer (status, OPD, zone or a column)."),
    help=N_(
        "Draw RESULT (an output of sppr check or sppr sync; default layer rencana, programs or indikasi_program) "
        "coloured by --by, with legend, north arrow, scale bar, coordinates and source note."
    ),
    examples=[
        "sppr map hasil.gpkg --by status --out kesesuaian.png --zoning data/sample/zoning.gpkg:rdtr_subzona",
        "sppr map sppr-output/2025/sppr.gpkg:indikasi_program --by sinkron --out ipu.png",
        "sppr map sppr-output/2025/sppr.gpkg --by pagu --out pagu.png",
    ],
)
@click.argument("result", callback=o._existing, metavar="RESULT.gpkg[:LAYER]")
@click.option("--by", default="status", show_default=True, metavar="status|sinkron|opd|zone|COLUMN", help=N_("What colours the features."))
@click.option("--out", required=True, callback=_out, metavar="MAP.png", help=N_("Output image (.png, .pdf or .svg)."))
@click.option("--zoning", default=None, callback=o._existing, metavar="PATH[:LAYER]", help=N_("Zoning drawn faintly underneath."))
@click.option("--title", default=None, help=N_("Map title [default: from --by]."))
@click.option("--subtitle", default=None, help=N_("Second title line (place, year)."))
@click.option("--dpi", type=click.IntRange(50, 600), default=150, show_default=True, help=N_("PNG resolution."))
@click.option("--qgis-styles", is_flag=True, help=N_("Also write QGIS styles (QML/SLD) into RESULT's layer_styles table."))
@o.verbosity_opts
def map_cmd(result, by, out, zoning, title, subtitle, dpi, qgis_styles) -> None:
    """``sppr map`` (help above, translated when shown)."""
    from sppr_gis import io
    from sppr_gis.maps.album import read_result_layer, write_map

    with user_errors():
        io.guard_outputs([("RESULT", result), *o.inputs_of(zoning=zoning)], [io.Target("--out", out)])
        spec = io.parse_layer_spec(result)
        io.list_layers(spec)  # a corrupt or unreadable GeoPackage is one clean error
        try:
            layer = read_result_layer(result)
        except (click.ClickException, SpprError):
            raise
        except Exception as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise click.ClickException(_("{path}: cannot be read ({detail})").format(path=result, detail=detail)) from None
        zon = io.read_layer(zoning, want="polygon") if zoning else None
        gpkg = spec.path
        if qgis_styles and gpkg.suffix.lower() != ".gpkg":
            raise click.BadParameter(_("QGIS styles can only be stored in a GeoPackage"), param_hint="--qgis-styles")
        # drawn under a temporary name, renamed only when everything (styles too) succeeded: no stray image
        with io.staged() as staging:
            tmp = staging.path(out)
            try:
                write_map(layer, tmp, by, zoning=zon, title=title, subtitle=subtitle, dpi=dpi)
            except KeyError as exc:
                raise click.BadParameter(str(exc.args[0]), param_hint="--by") from None
            except ValueError as exc:
                raise click.ClickException(f"{result}: {exc}") from None
            except OSError as exc:
                raise (io.output_error(exc, out) or exc) from None
            styled = None
            if qgis_styles:
                from sppr_gis.maps.styles import write_layer_styles

                try:
                    styled = write_layer_styles(gpkg)
                except Exception as exc:
                    err = io.output_error(exc, gpkg)
                    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise click.ClickException(str(err) if err else _("{path}: QGIS styles cannot be written ({detail})").format(path=gpkg, detail=detail)) from None
        click.echo(_("map -> {path}").format(path=out), err=True)
        if styled is not None:
            click.echo(_("QGIS styles -> {path} ({layers})").format(path=gpkg, layers=", ".join(styled) or _("no layer recognized")), err=True)
