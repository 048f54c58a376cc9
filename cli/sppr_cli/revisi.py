"""``sppr revisi``: what a revision of the RTRW/RDTR changes for the programs and the zones."""

from __future__ import annotations

from pathlib import Path

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _
from sppr_cli.report import print_table, stdout_console, user_errors
from sppr_gis.text import angka


def _gpkg(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if Path(value).suffix.lower() != ".gpkg":
        raise click.BadParameter(_("'{value}': the output is a GeoPackage and must end in .gpkg").format(value=value), ctx=ctx, param=param)
    if Path(value).is_dir():
        raise click.BadParameter(_("'{value}' is a folder").format(value=value), ctx=ctx, param=param)
    return value


def _map_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if Path(value).suffix.lower() not in {".png", ".pdf"}:
        raise click.BadParameter(_("'{value}': the map is written as .png or .pdf").format(value=value), ctx=ctx, param=param)
    if Path(value).is_dir():
        raise click.BadParameter(_("'{value}' is a folder").format(value=value), ctx=ctx, param=param)
    return value


def _zoning_opt(name: str, help: str):  # noqa: ANN202
    return click.option(name, multiple=True, required=True, callback=o._layer_spec, metavar="PATH[:LAYER][=CODE]", help=help)


@click.command(
    cls=SpprCommand,
    short_help=N_("What a revision of the zoning (and ITBX) changes: statuses, zone transitions, changed areas."),
    help=N_(
        "Assess the same programs under the old and the new zoning (and ITBX), and measure how the zone codes moved: "
        "OUT gets layers perubahan_status (status and ITBX class before and after, berubah), transisi_zona (m² from each "
        "old code to each new code) and perubahan_zona (the polygons whose code changed). With --map, one map page of "
        "those changes (A3 or A4 landscape, PNG or PDF), written together with OUT."
    ),
    examples=[
        "sppr revisi --zoning-lama rdtr_2021.gpkg --zoning-baru rdtr_2025.gpkg \\",
        "            --programs data/sample/rencana_pupr.gpkg --rules data/sample/itbx.csv \\",
        "            --out revisi.gpkg --tables revisi.xlsx --map revisi.pdf --paper A3",
    ],
)
@_zoning_opt("--zoning-lama", N_("Zoning polygons before the revision; repeatable (PATH=CODE gives every feature that zone code)."))
@_zoning_opt("--zoning-baru", N_("Zoning polygons after the revision; repeatable (PATH=CODE gives every feature that zone code)."))
@click.option("--programs", required=True, multiple=True, callback=o._layer_spec, metavar="PATH[:LAYER]", help=N_("Program locations (as for sppr check); repeatable."))
@o.rules_opt
@click.option("--rules-baru", default=None, callback=o._existing, metavar="PATH", help=N_("The revised ITBX matrix [default: --rules for both]."))
@click.option("--out", required=True, callback=_gpkg, metavar="OUT.gpkg", help=N_("Output GeoPackage (layers perubahan_status, transisi_zona, perubahan_zona, issues)."))
@click.option("--tables", default=None, type=click.Path(dir_okay=False), help=N_("Also write the tables as XLSX (one sheet each) or CSV (PATH stem + _name.csv)."))
@click.option(
    "--map", "map_path", default=None, callback=_map_path, metavar="PATH.png|PATH.pdf",
    help=N_("Also write one map page: the polygons whose zone code changed (coloured by old → new code) and the programs whose status changed (numbered, listed with old → new status), with legend, scale bar, north arrow and sources."),
)
@click.option("--paper", default="A3", show_default=True, type=click.Choice(["A3", "A4"], case_sensitive=False), help=N_("Paper of the --map page (landscape)."))
@o.zone_field_opt
@o.activity_field_opt
@o.id_field_opt
@o.min_share_opt
@o.assume_crs_opt
@o.xy_fields_opt
@click.option("--code-map", default=None, callback=o._existing, metavar="PATH", help=N_("SIPD code prefix -> activity table (kode, activity)."))
@o.code_field_opt
@o.encoding_opt
@o.engine_opt
@o.workers_opt
@o.verbosity_opts
@click.pass_context
def revisi(ctx: click.Context, zoning_lama, zoning_baru, programs, rules, rules_baru, out, tables, map_path, paper, zone_field, activity_field, id_field, min_share, assume_crs, xy_fields, code_map, code_field, encoding, engine, workers) -> None:
    """``sppr revisi`` (help above, translated when shown)."""
    verbosity = o.verbosity(ctx)
    if tables is not None and Path(tables).suffix.lower() not in {".csv", ".xlsx"}:
        raise click.BadParameter(_("must end in .csv or .xlsx"), param_hint="--tables")
    from sppr_gis import io, read_rules
    from sppr_gis.pipeline import ZoningInput
    from sppr_gis.revision import revise, revision_sources

    sources = o.inputs_of(zoning_lama=zoning_lama, zoning_baru=zoning_baru, programs=programs, rules=rules, rules_baru=rules_baru, code_map=code_map)
    outputs = [io.Target("--out", out), *([io.Target("--map", map_path)] if map_path else [])]
    with user_errors():
        io.guard_outputs(sources, outputs + (io.table_targets("--tables", tables, []) if tables else []))
        sides = []
        for specs in (zoning_lama, zoning_baru):
            zs = []
            for spec in specs:
                frame = io.read_layer(spec, want="polygon", assume_crs=assume_crs, encoding=encoding, engine=engine)
                zs.append(ZoningInput(frame, code=spec.code, label=frame.attrs["source"]))
            sides.append(zs)
        progs = io.read_program_sources(programs, id_field=id_field, assume_crs=assume_crs, xy_fields=xy_fields, encoding=encoding, engine=engine)
        ruleset = read_rules(rules, code_map=code_map)
        ruleset_new = read_rules(rules_baru, code_map=code_map) if rules_baru else None
        result = revise(
            sides[0], sides[1], progs, ruleset, ruleset_new, zone_field=zone_field, activity_field=activity_field, id_field=id_field,
            code_field=code_field, min_share=min_share, workers=workers,
        )
        result.write(out, tables, map_path, paper=paper, map_sources=revision_sources(zoning_lama, zoning_baru, programs, rules, rules_baru), sources=sources)
    if verbosity < 0:
        return
    console = stdout_console()
    ps = result.perubahan_status
    console.print(
        _("[bold]{n}[/] programs assessed twice, {changed} changed -> {out} (CRS {crs})").format(
            n=angka(len(ps), 0), changed=angka(int(ps["berubah"].sum()), 0), out=out, crs=result.crs.to_string()
        )
    )
    if len(ps):
        import pandas as pd

        print_table(pd.crosstab(ps["status_lama"], ps["status_baru"]), _("Old status (rows) -> new status (columns)"), console)
    moved = result.transisi_zona[result.transisi_zona["berubah"]]
    console.print(
        _("{pairs} code pairs changed, {ha} ha (layers transisi_zona, perubahan_zona)").format(pairs=angka(len(moved), 0), ha=angka(moved["luas_m2"].sum() / 1e4, 2))
    )
    if map_path:
        console.print(_("map -> {path}").format(path=map_path) + f" ({paper.upper()})")
    if verbosity > 0:
        for k, v in result.timings.items():
            click.echo(f"  {k}: {angka(v, 2)} s", err=True)

