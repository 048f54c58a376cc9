"""``sppr check``: conformance of program locations with the zoning (ITBX)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _, ngettext
from sppr_cli.report import print_table, progress_bar, read_progress, stdout_console, user_errors
from sppr_gis import io, read_rules
from sppr_gis.analyses import extend_check_from_files, relocation_pending
from sppr_gis.crs import check_programs_reach_zoning
from sppr_gis.io.postgis import is_postgis
from sppr_gis.pipeline import ZoningInput, check as run_check, prepare_zoning_cached, read_extent, release_memory, say_zoning_messages, start_cached_zoning, start_zoning, start_zoning_lookup, zoning_from_files, zoning_messages
from sppr_gis.results import write_check_result
from sppr_gis.text import angka


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
        raise click.BadParameter(
            _("'{value}': the output is a GeoPackage and must end in .gpkg (or be postgresql://HOST/DB#SCHEMA); use --tables for CSV or XLSX").format(value=value),
            ctx=ctx, param=param,
        )
    if Path(value).is_dir():
        raise click.BadParameter(_("'{value}' is a folder").format(value=value), ctx=ctx, param=param)
    return value


def _print_inputs(zinputs, progs, result, zone_field, activity_field, id_field) -> None:
    from sppr_gis.pipeline import describe_zoning_input
    from sppr_gis.summary import describe_input, format_summary, issue_notes

    # a zoning taken from the cache without reading it: (label, its summary as read when cached)
    items = [
        {**{k: v for k, v in z[1].items() if k not in ("label_tail", "messages")}, "source": z[0]} if isinstance(z, tuple) else describe_zoning_input(z, zone_field) for z in zinputs
    ]
    items.append(describe_input(progs, "program", fields={"id": id_field, "kegiatan": activity_field}))
    for item in items:
        item["notes"] = issue_notes(result.issue_table, item["source"])  # (the geometries not decoded)
        click.echo(_("input: {summary}").format(summary=format_summary(item)), err=True)


def _count_column(counts):  # noqa: ANN001, ANN202
    """The status counts' one row, labelled in the reader's language (the status codes stay)."""
    return counts.rename(index={"jumlah": _("count")})


def _cluster(scheduler: str | None, processes: int | None):
    """A dask.distributed client for ``--scheduler`` (closed on exit), or None without one."""
    import contextlib

    if scheduler is None:
        return contextlib.nullcontext(None)
    from sppr_gis.cluster import cluster_client

    return cluster_client(scheduler, processes)


@click.command(
    cls=SpprCommand,
    short_help=N_("Check program locations against the zoning and its ITBX matrix."),
    help=N_(
        "Overlay program locations (points, lines, polygons) on the zoning, score each against the ITBX matrix, "
        "and write OUT with layers programs, zone_shares and issues."
    ),
    examples=[
        "sppr check --zoning data/sample/zoning.gpkg:rdtr_subzona \\",
        "           --programs data/sample/rencana_pupr.gpkg --rules data/sample/itbx.csv \\",
        "           --out hasil.gpkg",
    ],
)
@o.zoning_opt
@click.option(
    "--programs",
    required=True,
    multiple=True,
    callback=o._layer_spec,
    metavar="PATH[:LAYER]",
    help=N_("Program locations: a vector layer, or CSV/XLSX with coordinates or WKT; repeatable (one layer per geometry type, one file per OPD), all combined."),
)
@o.rules_opt
@click.option("--out", required=True, callback=_output, metavar="OUT.gpkg|postgresql://HOST/DB#SCHEMA", help=N_("Output GeoPackage (layers programs, zone_shares, issues), or a PostGIS schema (tables written in one transaction)."))
@click.option("--overwrite", is_flag=True, help=N_("Replace existing tables of a PostGIS --out (a GeoPackage is always replaced)."))
@o.zone_field_opt
@o.activity_field_opt
@o.id_field_opt
@o.min_share_opt
@o.sliver_width_opt
@o.sliver_area_opt
@o.assume_crs_opt
@o.xy_fields_opt
@click.option("--wkt-field", default=None, metavar="F", help=N_("WKT column of a table input [default: wkt/geometry]."))
@click.option("--coord-field", default=None, metavar="F", help=N_("Column of a table input holding 'lat, lon' in one cell [default: koordinat]."))
@click.option("--sheet", default=None, help=N_("Excel sheet of a table input [default: the only one; PATH:SHEET names one]."))
@click.option("--header-row", type=click.IntRange(min=1), default=None, metavar="N", help=N_("Spreadsheet row of every table input's header [default: found in each sheet: the first row holding the coordinate, WKT or id columns]; PATH@N or BOOK.xlsx:SHEET@N sets one file's."))
@click.option("--conditions", default=None, callback=o._existing, metavar="PATH", help=N_("Condition texts (kode, uraian) for the ITBX cells."))
@click.option("--code-map", default=None, callback=o._existing, metavar="PATH", help=N_("SIPD code prefix -> activity table (kode, activity)."))
@o.code_field_opt
@click.option("--tables", default=None, type=click.Path(dir_okay=False), help=N_("Also write the tables as XLSX (one sheet each) or CSV (PATH stem + _name.csv)."))
@o.relocation_distance_opt
@o.network_opts
@o.encoding_opt
@o.engine_opt
@o.workers_opt
@o.scheduler_opt
@o.worker_processes_opt
@o.no_cache_opt
@o.verbosity_opts
@click.pass_context
def check(ctx: click.Context, zoning, programs, rules, out, overwrite, zone_field, activity_field, id_field, min_share, sliver_width, sliver_area, assume_crs, xy_fields, wkt_field, coord_field, sheet, header_row, conditions, code_map, code_field, tables, encoding, engine, workers, scheduler, workers_processes, relocation_distance, struktur_ruang, network_class_field, network_map, network_distance, no_cache=False) -> None:
    """``sppr check`` (help above, translated when shown)."""
    verbosity = o.verbosity(ctx)
    o.check_network_opts(struktur_ruang, network_map)
    if tables is not None and Path(tables).suffix.lower() not in {".csv", ".xlsx"}:
        raise click.BadParameter(_("must end in .csv or .xlsx"), param_hint="--tables")
    sources = o.inputs_of(zoning=zoning, programs=programs, rules=rules, conditions=conditions, code_map=code_map, struktur_ruang=struktur_ruang, network_map=network_map)
    with user_errors():
        io.guard_outputs(sources, [io.Target("--out", out), *(io.table_targets("--tables", tables, []) if tables else [])])
        cache = False if no_cache else None
        prekey, alias = (None, None) if scheduler is not None else zoning_from_files(
            zoning, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, cache=cache,
            read_options={"want": "polygon", "assume_crs": assume_crs, "encoding": encoding, "engine": engine},
        )

        def read_zoning() -> list[ZoningInput]:
            zinputs = []
            for spec in zoning:
                with zoning_messages() as said:  # kept with the alias, said again when the zoning is not read
                    frame = io.read_layer(spec, want="polygon", assume_crs=assume_crs, encoding=encoding, engine=engine)
                frame.attrs["read_messages"] = said
                zinputs.append(ZoningInput(frame, code=spec.code, label=frame.attrs["source"]))
            return zinputs

        if alias is not None:
            # unchanged zoning files (by their bytes) whose preparation is in the cache are not read: the
            # entry is decoded in a thread (an entry that cannot be used: the zoning read there instead)
            zinputs = list(zip(alias.labels, alias.read["inputs"]))
            say_zoning_messages(alias)
            zoning_ready = start_cached_zoning(alias, lambda: prepare_zoning_cached(
                read_zoning(), zone_field, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, cache=cache, prekey=prekey,
                write_behind=True,  # check() waits for the entry before it returns
            ))
        else:
            zinputs = read_zoning()
            # the zoning is prepared (or taken from the cache) while the programs and rules are read;
            # check() waits for it where it would prepare it, so errors come in the same order
            # (on a cluster only its cache entry is looked up meanwhile: on a miss the QA runs on the workers)
            zoning_ready = start_zoning(
                zinputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, cache=cache, prekey=prekey,
            ) if scheduler is None else start_zoning_lookup(zinputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, cache=cache)
        progs = io.read_program_sources(
            programs, id_field=id_field, assume_crs=assume_crs, xy_fields=xy_fields, wkt_field=wkt_field, coord_field=coord_field,
            sheet=sheet, header_row=header_row, encoding=encoding, engine=engine,
            progress=read_progress(verbosity > 0 or (verbosity >= 0 and sys.stderr.isatty())),
        )
        if not len(progs):
            click.echo(_("Warning: {source}: the program layer holds no features (wrong layer?)").format(source=progs.attrs.get("source", "programs")), err=True)
        if alias is not None:
            check_programs_reach_zoning(progs, [], str(progs.attrs.get("source", "programs")), assume_crs, extent=read_extent(alias))
        else:
            check_programs_reach_zoning(progs, [z.frame for z in zinputs], str(progs.attrs.get("source", "programs")), assume_crs)
        ruleset = read_rules(rules, conditions=conditions, code_map=code_map)
        show = verbosity >= 0 and (sys.stderr.isatty() or verbosity > 0) and len(progs) >= 2000
        # on a cluster, the relocation advice runs there too: the client stays open until it is written
        with _cluster(scheduler, workers_processes or workers) as client:
            if scheduler is not None:
                found = zoning_ready()  # the cached zoning, or None: the QA on the cluster
                zoning_ready = None if found is None else (lambda: found)
            started = {}

            def start_relocation(early):  # noqa: ANN001, ANN202 - the advice beside the rest of the check, once the programs are judged
                started["saran_relokasi"] = relocation_pending(early, ruleset, relocation_distance=relocation_distance, id_field=id_field, client=client)

            with progress_bar(len(progs), _("computing overlaps and conformance"), show) as advance:
                result = run_check(
                    zinputs if zoning_ready is None else zoning_ready, progs, ruleset, zone_field=zone_field, activity_field=activity_field, id_field=id_field,
                    code_field=code_field, min_share=min_share, sliver_width=sliver_width, sliver_area=sliver_area, workers=workers, progress=advance,
                    client=client, cache=cache, prepare_relocation=struktur_ruang is None,
                    on_programs=start_relocation if struktur_ruang is None and client is None else None,
                )
            # the prepared zoning (the engine's cut pieces, the QA's pairs) is not needed after the check:
            # freed before the layers are written (the result keeps the zones)
            zoning_ready = None
            release_memory()
            pending = {}
            if struktur_ruang is None:  # the advice changes no layer: the others are written while it runs
                pending["saran_relokasi"] = started.get("saran_relokasi") or relocation_pending(
                    result, ruleset, relocation_distance=relocation_distance, id_field=id_field, client=client
                )
            else:
                extend_check_from_files(
                    result, ruleset, relocation_distance=relocation_distance, network=struktur_ruang, network_map=network_map, class_field=network_class_field,
                    network_distance=network_distance, activity_field=activity_field, id_field=id_field, assume_crs=assume_crs, encoding=encoding, engine=engine,
                )
            if verbosity >= 0:
                _print_inputs(zinputs, progs, result, zone_field, activity_field, id_field)
            write_check_result(result, out, tables, sources=sources, overwrite=overwrite, pending=pending)
    if verbosity < 0:
        return
    if is_postgis(out):
        out = io.parse_layer_spec(out).label
    console = stdout_console()
    n = len(result.programs)
    console.print(
        ngettext("[bold]{n}[/] program assessed -> {out} (CRS {crs})", "[bold]{n}[/] programs assessed -> {out} (CRS {crs})", n).format(
            n=angka(n, 0), out=out, crs=result.crs.to_string()
        )
    )
    print_table(_count_column(result.counts()), _("Conformance status"), console)
    from sppr_gis.summary import analysis_counts, format_analysis_counts

    for line in format_analysis_counts(analysis_counts(result.programs, result.extra_layers.get("saran_relokasi")), relocation_distance):
        console.print(line)
    if "opd" in result.programs.columns:
        print_table(result.counts("opd"), _("By OPD"), console)
    issues = result.issue_table
    if len(issues):
        levels = {"error": _("error"), "warning": _("warning"), "info": _("info")}  # the Buku Matriks' words (Galat, Peringatan)
        summary = issues.groupby(["severity", "code"]).size().rename(_("count")).reset_index()
        summary = summary.assign(severity=summary["severity"].map(lambda s: levels.get(s, s))).rename(columns={"severity": _("severity"), "code": _("code")}).set_index(_("severity"))
        print_table(summary, _("Data issues ({n}; details in layer 'issues')").format(n=angka(len(issues), 0)), console)
    if verbosity > 0:
        for k, v in result.timings.items():
            click.echo(f"  {k}: {angka(v, 2)} s", err=True)
