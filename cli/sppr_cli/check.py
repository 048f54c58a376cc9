"""``sppr check``: conformance of program locations with the zoning (ITBX)."""

from __future__ import annotations

import sys
from pathlib import Path

import logging

import click

from sppr_cli import options as o
from sppr_cli.report import print_table, progress_bar, stdout_console, user_errors
from sppr_gis import io, read_rules
from sppr_gis.io.postgis import is_postgis
from sppr_gis.pipeline import ZoningInput, check as run_check

log = logging.getLogger("sppr_gis.cli")


def _output(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from sppr_gis.io.postgis import is_postgis

    if is_postgis(value):
        from sppr_gis.errors import LayerError
        from sppr_gis.io.postgis import target_schema

        try:
            target_schema(value)  # postgresql://HOST/DB#SCHEMA, "Quoted" exact, at most 63 bytes
        except LayerError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        return value
    if Path(value).suffix.lower() != ".gpkg":
        raise click.BadParameter(f"'{value}': the output is a GeoPackage and must end in .gpkg (or be postgresql://HOST/DB#SCHEMA); use --tables for CSV or XLSX", ctx=ctx, param=param)
    if Path(value).is_dir():
        raise click.BadParameter(f"'{value}' is a folder", ctx=ctx, param=param)
    return value


def _print_inputs(zinputs, progs, result, zone_field, activity_field, id_field) -> None:
    from sppr_gis.schema import detect_zone_field
    from sppr_gis.summary import describe_input, format_summary, issue_notes

    items = []
    for z in zinputs:
        try:
            zf = detect_zone_field(z.frame, z.label, zone_field) if z.code is None else None
        except Exception:
            zf = None
        item = describe_input(z.frame, "zonasi", fields={"zona": zf} if zf else {}, source=z.label)
        if z.code is not None:
            item["fields"] = {"zona": f"={z.code}"}
        items.append(item)
    items.append(describe_input(progs, "program", fields={"id": id_field, "kegiatan": activity_field}))
    for item in items:
        item["notes"] = issue_notes(result.issues, item["source"])
        click.echo("masukan: " + format_summary(item), err=True)


def _cluster(scheduler: str | None, processes: int | None):
    """A dask.distributed client for ``--scheduler`` (closed on exit), or None without one."""
    import contextlib

    if scheduler is None:
        return contextlib.nullcontext(None)
    from sppr_gis.cluster import cluster_client

    return cluster_client(scheduler, processes)


def qgis_styles(path: Path) -> None:
    """Write QGIS layer styles into the result, so it opens styled like the atlas."""
    from sppr_gis.maps.styles import write_layer_styles

    write_layer_styles(path)


@click.command(short_help="Check program locations against the zoning and its ITBX matrix.")
@o.zoning_opt
@click.option(
    "--programs",
    required=True,
    multiple=True,
    callback=o._layer_spec,
    metavar="PATH[:LAYER]",
    help="Program locations: a vector layer, or CSV/XLSX with coordinates or WKT; repeatable (one layer per geometry type, one file per OPD), all combined.",
)
@o.rules_opt
@click.option("--out", required=True, callback=_output, metavar="OUT.gpkg|postgresql://HOST/DB#SCHEMA", help="Output GeoPackage (layers programs, zone_shares, issues), or a PostGIS schema (tables written in one transaction).")
@click.option("--overwrite", is_flag=True, help="Replace existing tables of a PostGIS --out (a GeoPackage is always replaced).")
@o.zone_field_opt
@o.activity_field_opt
@o.id_field_opt
@o.min_share_opt
@o.sliver_width_opt
@o.sliver_area_opt
@o.assume_crs_opt
@o.xy_fields_opt
@click.option("--wkt-field", default=None, metavar="F", help="WKT column of a table input [default: wkt/geometry].")
@click.option("--coord-field", default=None, metavar="F", help="Column of a table input holding 'lat, lon' in one cell [default: koordinat].")
@click.option("--sheet", default=None, help="Excel sheet of a table input [default: the only one; PATH:SHEET names one].")
@click.option("--header-row", type=click.IntRange(min=1), default=1, show_default=True, metavar="N", help="Spreadsheet row of a table input's header (title rows above it are skipped).")
@click.option("--conditions", default=None, callback=o._existing, metavar="PATH", help="Condition texts (kode, uraian) for the ITBX cells.")
@click.option("--code-map", default=None, callback=o._existing, metavar="PATH", help="SIPD code prefix -> activity table (kode, activity).")
@click.option("--code-field", default="kode", show_default=True, metavar="F", help="SIPD code field used with --code-map.")
@click.option("--tables", default=None, type=click.Path(dir_okay=False), help="Also write the tables as XLSX (one sheet each) or CSV (PATH stem + _name.csv).")
@o.relocation_distance_opt
@o.network_opts
@o.encoding_opt
@o.engine_opt
@o.workers_opt
@o.scheduler_opt
@o.worker_processes_opt
@o.verbosity_opts
@click.pass_context
def check(ctx: click.Context, zoning, programs, rules, out, overwrite, zone_field, activity_field, id_field, min_share, sliver_width, sliver_area, assume_crs, xy_fields, wkt_field, coord_field, sheet, header_row, conditions, code_map, code_field, tables, encoding, engine, workers, scheduler, workers_processes, relocation_distance, struktur_ruang, network_class_field, network_map, network_distance) -> None:
    """Overlay program locations (points, lines, polygons) on the zoning, score each
    against the ITBX matrix, and write OUT with layers programs, zone_shares and issues.

    \b
    Example:
      sppr check --zoning data/sample/zoning.gpkg:rdtr_subzona \\
                 --programs data/sample/rencana_pupr.gpkg --rules data/sample/itbx.csv \\
                 --out hasil.gpkg
    """
    verbosity = o.verbosity(ctx)
    o.check_network_opts(struktur_ruang, network_map)
    if tables is not None and Path(tables).suffix.lower() not in {".csv", ".xlsx"}:
        raise click.BadParameter("must end in .csv or .xlsx", param_hint="--tables")
    sources = o.inputs_of(zoning=zoning, programs=programs, rules=rules, conditions=conditions, code_map=code_map, struktur_ruang=struktur_ruang, network_map=network_map)
    with user_errors():
        io.guard_outputs(sources, [io.Target("--out", out), *(io.table_targets("--tables", tables, []) if tables else [])])
        zinputs = []
        for spec in zoning:
            frame = io.read_layer(spec, want="polygon", assume_crs=assume_crs, encoding=encoding, engine=engine)
            zinputs.append(ZoningInput(frame, code=spec.code, label=frame.attrs["source"]))
        progs = io.read_program_sources(
            programs, id_field=id_field, assume_crs=assume_crs, xy_fields=xy_fields, wkt_field=wkt_field, coord_field=coord_field,
            sheet=sheet, header_row=header_row, encoding=encoding, engine=engine,
        )
        if not len(progs):
            click.echo(f"Warning: {progs.attrs.get('source', 'programs')}: the program layer holds no features (wrong layer?)", err=True)
        ruleset = read_rules(rules, conditions=conditions, code_map=code_map)
        show = verbosity >= 0 and (sys.stderr.isatty() or verbosity > 0) and len(progs) >= 2000
        with _cluster(scheduler, workers_processes or workers) as client, progress_bar(len(progs), "menghitung irisan dan kesesuaian", show) as advance:
            result = run_check(
                zinputs, progs, ruleset, zone_field=zone_field, activity_field=activity_field, id_field=id_field,
                code_field=code_field, min_share=min_share, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, progress=advance,
                client=client,
            )
        o.add_analyses(result, ruleset, relocation_distance, struktur_ruang, network_class_field, network_map, network_distance, activity_field=activity_field, id_field=id_field, assume_crs=assume_crs, encoding=encoding, engine=engine)
        if verbosity >= 0:
            _print_inputs(zinputs, progs, result, zone_field, activity_field, id_field)
        # the GPKG and its tables are renamed into place together, after both were written (or neither);
        # a PostGIS target is written last, in one transaction, so a failure there leaves no file either
        layers = result.layers()
        io.guard_outputs(sources, [io.Target("--out", out, tables=tuple(layers)), *(io.table_targets("--tables", tables, layers) if tables else [])])
        with io.staged() as staging:
            if not is_postgis(out):
                io.write_gpkg(result.layers(), out, finish=qgis_styles, staging=staging)
            if tables:
                io.write_tables(result.layers(), tables, staging=staging)
            if is_postgis(out):
                written = io.write_postgis(result.layers(), out, overwrite=overwrite)
                log.info("PostGIS: %s", ", ".join(written))
    if verbosity < 0:
        return
    if is_postgis(out):
        out = io.parse_layer_spec(out).label
    console = stdout_console()
    console.print(f"[bold]{len(result.programs)}[/] program dinilai -> {out} (CRS {result.crs.to_string()})")
    print_table(result.counts(), "Status kesesuaian", console)
    from sppr_gis.summary import analysis_counts, format_analysis_counts

    for line in format_analysis_counts(analysis_counts(result.programs, result.extra_layers.get("saran_relokasi")), relocation_distance):
        console.print(line)
    if "opd" in result.programs.columns:
        print_table(result.counts("opd"), "Per OPD", console)
    if len(result.issues):
        summary = result.issues.groupby(["severity", "code"]).size().rename("jumlah").reset_index().set_index("severity")
        print_table(summary, f"Isu data ({len(result.issues)}; rincian di layer 'issues')", console)
    if verbosity > 0:
        for k, v in result.timings.items():
            click.echo(f"  {k}: {v:.2f} s", err=True)
