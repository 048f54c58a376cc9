"""``sppr site``: one location against the zoning, the same answer as ``sppr check``."""

from __future__ import annotations

import json
import math

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _
from sppr_cli.report import stdout_console, user_errors


def _lon(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and -180.0 <= value <= 180.0):
        raise click.BadParameter(_("longitude must be between -180 and 180, got {value}").format(value=value), ctx=ctx, param=param)
    return value


def _lat(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and -90.0 <= value <= 90.0):
        raise click.BadParameter(_("latitude must be between -90 and 90, got {value}").format(value=value), ctx=ctx, param=param)
    return value


def _geometry(lon: float | None, lat: float | None, wkt: str | None) -> object:
    import shapely

    if wkt is not None:
        if lon is not None or lat is not None:
            raise click.UsageError(_("give either --lon/--lat or --wkt, not both"))
        try:
            geom = shapely.from_wkt(wkt)
        except Exception:
            raise click.BadParameter(
                _("'{wkt}' is not WKT: write the geometry type and its coordinates in brackets, x before y, e.g. \"POINT (104.4834 0.9348)\" or \"LINESTRING (442500 103300, 442700 103350)\" with --crs EPSG:32648").format(wkt=wkt),
                param_hint="--wkt",
            ) from None
        if geom is None or geom.is_empty:
            raise click.BadParameter(_("the geometry is empty"), param_hint="--wkt")
        return geom
    if lon is None or lat is None:
        raise click.UsageError(_("give the location: --lon X --lat Y, or --wkt WKT [--crs CRS]"))
    return shapely.Point(lon, lat)


@click.command(
    cls=SpprCommand,
    short_help=N_("Check one location (point, line, polygon) against the zoning, as sppr check would."),
    help=N_(
        "Answer for one location exactly what `sppr check` answers for it: status, ITBX class, score, dominant zone, "
        "shares, keterangan and, when tidak_sesuai, the nearest zone where the activity is permitted."
    ),
    examples=[
        "sppr site --zoning data/sample/zoning.gpkg:rdtr_subzona --rules data/sample/itbx.csv \\",
        "          --kegiatan pembangunan_sekolah --lon 104.4834 --lat 0.9348",
        "sppr site ... --kegiatan pembangunan_jalan --crs EPSG:32648 \\",
        "          --wkt \"LINESTRING (442500 103300, 442700 103350)\" --json",
    ],
)
@o.zoning_opt
@o.rules_opt
@click.option("--kegiatan", required=True, metavar="ACTIVITY", help=N_("The activity, as in the ITBX matrix (e.g. pembangunan_sekolah)."))
@click.option("--lon", type=o.DECIMAL, default=None, callback=_lon, help=N_("Longitude (EPSG:4326) of a point."))
@click.option("--lat", type=o.DECIMAL, default=None, callback=_lat, help=N_("Latitude (EPSG:4326) of a point."))
@click.option("--wkt", default=None, metavar="WKT", help=N_("A point, line or polygon as WKT (in --crs)."))
@click.option("--crs", "crs", default="EPSG:4326", show_default=True, callback=o._crs, metavar="CRS", help=N_("CRS of --wkt."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print one JSON object (status, itbx, score, dominant_zone, keterangan, zone_shares, saran_relokasi)."))
@o.zone_field_opt
@o.min_share_opt
@o.relocation_distance_opt
@click.option("--conditions", default=None, callback=o._existing, metavar="PATH", help=N_("Condition texts (kode, uraian) for the ITBX cells."))
@o.assume_crs_opt
@o.encoding_opt
@o.engine_opt
@o.verbosity_opts
@click.pass_context
def site(ctx: click.Context, zoning, rules, kegiatan, lon, lat, wkt, crs, as_json, zone_field, min_share, relocation_distance, conditions, assume_crs, encoding, engine) -> None:
    """``sppr site`` (help above, translated when shown)."""
    if wkt is None and ctx.get_parameter_source("crs") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(_("--crs is the CRS of --wkt; --lon/--lat are always EPSG:4326"))
    geom = _geometry(lon, lat, wkt)
    from sppr_gis import io, read_rules
    from sppr_gis.pipeline import ZoningInput
    from sppr_gis.site import check_site, load_zoning

    with user_errors():
        zinputs = []
        for spec in zoning:
            frame = io.read_layer(spec, want="polygon", assume_crs=assume_crs, encoding=encoding, engine=engine)
            zinputs.append(ZoningInput(frame, code=spec.code, label=frame.attrs["source"]))
        ruleset = read_rules(rules, conditions=conditions)
        if (close := ruleset.suggest_activity(kegiatan)) is not None:
            raise click.BadParameter(_("'{kegiatan}' is not in the ITBX matrix; did you mean '{close}'?").format(kegiatan=kegiatan, close=close), param_hint="--kegiatan")
        loaded = load_zoning(zinputs, zone_field)
        answer = check_site(loaded, geom, kegiatan, ruleset, crs=crs, min_share=min_share, relocation_distance=relocation_distance)
    if as_json:
        click.echo(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
        return
    if o.verbosity(ctx) < 0:
        return
    from rich.table import Table

    from sppr_gis.text import angka, persen

    console = stdout_console()
    score = "-" if math.isnan(answer.score) else angka(answer.score, 1)
    console.print(
        _("[bold]{status}[/]  ITBX {itbx}  score {score}  dominant zone {zone}").format(
            status=answer.status, itbx=answer.itbx or "-", score=score, zone=answer.dominant_zone or "-"
        )
    )
    if answer.zone_shares:
        table = Table(title=_("Zone shares"), title_justify="left")
        for c in (_("zone"), _("share"), "ITBX"):
            table.add_column(c)
        for s in answer.zone_shares:
            table.add_row(s["zone_code"], persen(s["share"]), s["itbx"] or "-")
        console.print(table)
    console.print(answer.keterangan)
    if answer.syarat:
        console.print(_("Conditions: {syarat}").format(syarat=answer.syarat))
    if answer.saran_relokasi is not None:
        r = answer.saran_relokasi
        where = " " + _("(nearest point: {lon}, {lat})").format(lon=f"{r['lon']:.6f}", lat=f"{r['lat']:.6f}") if r.get("lon") is not None else ""
        console.print(_("Relocation advice: {text}").format(text=r["keterangan"]) + where)
