"""``sppr map``: one map of a result layer (status, OPD, zone or any column) as PNG, PDF or SVG."""

from __future__ import annotations

from pathlib import Path

import click

from sppr_cli import options as o
from sppr_cli.report import user_errors
from sppr_gis.errors import SpprError


def _out(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if Path(value).suffix.lower() not in {".png", ".pdf", ".svg"}:
        raise click.BadParameter("must end in .png, .pdf or .svg", ctx=ctx, param=param)
    return value


@click.command("map", short_help="Draw one map of a result layer (status, OPD, zone or a column).")
@click.argument("result", callback=o._existing, metavar="RESULT.gpkg[:LAYER]")
@click.option("--by", default="status", show_default=True, metavar="status|sinkron|opd|zone|COLUMN", help="What colours the features.")
@click.option("--out", required=True, callback=_out, metavar="MAP.png", help="Output image (.png, .pdf or .svg).")
@click.option("--zoning", default=None, callback=o._existing, metavar="PATH[:LAYER]", help="Zoning drawn faintly underneath.")
@click.option("--title", default=None, help="Map title [default: from --by].")
@click.option("--subtitle", default=None, help="Second title line (place, year).")
@click.option("--dpi", type=click.IntRange(50, 600), default=150, show_default=True, help="PNG resolution.")
@click.option("--qgis-styles", is_flag=True, help="Also write QGIS styles (QML/SLD) into RESULT's layer_styles table.")
@o.verbosity_opts
def map_cmd(result, by, out, zoning, title, subtitle, dpi, qgis_styles) -> None:
    """Draw RESULT (an output of sppr check or sppr sync; default layer rencana,
    programs or indikasi_program) coloured by --by, with legend, north arrow,
    scale bar, coordinates and source note.

    \b
    Examples:
      sppr map hasil.gpkg --by status --out kesesuaian.png --zoning data/sample/zoning.gpkg:rdtr_subzona
      sppr map sppr-output/2025/sppr.gpkg:indikasi_program --by sinkron --out ipu.png
      sppr map sppr-output/2025/sppr.gpkg --by pagu --out pagu.png
    """
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
            raise click.ClickException(f"{result}: cannot be read ({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__})") from None
        zon = io.read_layer(zoning, want="polygon") if zoning else None
        gpkg = spec.path
        if qgis_styles and gpkg.suffix.lower() != ".gpkg":
            raise click.BadParameter("QGIS styles can only be stored in a GeoPackage", param_hint="--qgis-styles")
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
                    raise click.ClickException(str(err) if err else f"{gpkg}: QGIS styles cannot be written ({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__})") from None
        click.echo(f"peta -> {out}", err=True)
        if styled is not None:
            click.echo(f"gaya QGIS -> {gpkg} ({', '.join(styled) or 'tidak ada layer dikenali'})", err=True)
