"""``sppr sync``: the SPPR run for one fiscal year or a range of years."""

from __future__ import annotations

import sys

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _
from sppr_cli.report import print_table, stdout_console, user_errors
from sppr_gis.text import angka, persen


def _years(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    if value is None:
        return None
    from sppr_gis.run import parse_years

    try:
        years = parse_years(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    if param.name == "year" and len(years) != 1:
        raise click.BadParameter(_("one year expected, got '{value}' (use --years A-B for a range)").format(value=value), ctx=ctx, param=param)
    return years


@click.command(
    cls=SpprCommand,
    short_help=N_("Synchronize programs with the spatial plan for a fiscal year (SPPR)."),
    help=N_(
        "Run the SPPR for a fiscal year: conformance of every agency's programs with the zoning, synchronization "
        "with the spatial plan's indikasi program (IPU), the matrices (Matriks 1-3, Jangka Menengah), synergy and "
        "conflicts between agencies, budget focus and achievement. Writes DIR/YEAR/ with sppr.gpkg, buku_matriks.xlsx, "
        "csv/, manifest.json (and the Album Peta and laporan.html when available)."
    ),
    examples=[
        "sppr sync --config data/sample/sppr.toml --year 2025",
        "sppr sync --config data/sample/sppr.toml --years 2025-2029 --out hasil",
        "sppr sync --config batam.toml --config tanjungpinang.toml --year 2025 --scheduler tcp://10.0.0.5:8786",
    ],
)
@click.option(
    "--config", "config_paths", required=True, multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="CONFIG.toml",
    help=N_("Run configuration (inputs, fields, parameters). Repeat it for several regions: each goes to DIR/YEAR/KODE/, with DIR/YEAR/rekap.xlsx and rekap.gpkg."),
)
@click.option("--year", "--tahun", "year", default=None, callback=_years, metavar="YEAR", help=N_("Fiscal year, e.g. 2025."))
@click.option("--years", default=None, callback=_years, metavar="A-B", help=N_("A range of fiscal years, e.g. 2025-2029 (one output folder each)."))
@click.option("--out", "out_dir", default="sppr-output", show_default=True, type=click.Path(file_okay=False), metavar="DIR", help=N_("Output folder; results go to DIR/YEAR/."))
@click.option("--no-maps", is_flag=True, help=N_("Skip the Album Peta and laporan.html (faster)."))
@o.scheduler_opt
@click.option(
    "--read-on", type=click.Choice(["client", "workers"]), default="client", show_default=True,
    help=N_("With several --config or --scheduler: who reads each region's inputs. 'workers': each worker reads its region's files "
    "(paths and PostGIS URIs must be the same for the workers, e.g. a shared file system), taking the reading off this machine."),
)
@o.worker_processes_opt
@o.no_cache_opt
@o.verbosity_opts
@click.pass_context
def sync(ctx: click.Context, config_paths: tuple[str, ...], year: list[int] | None, years: list[int] | None, out_dir: str, no_maps: bool, scheduler: str | None, read_on: str, workers_processes: int | None, no_cache: bool = False) -> None:
    """``sppr sync`` (help above, translated when shown)."""
    from sppr_cli.report import progress_bar
    from sppr_gis.config import load_config
    from sppr_gis.run import count_steps, run_sync, stage_names
    from sppr_gis.summary import format_analysis_counts, format_summary

    if year is None and years is None:
        raise click.UsageError(_("give the fiscal year: --year 2025 or --years 2025-2029."))
    if year is not None and years is not None:
        raise click.UsageError(_("give exactly one of --year YEAR or --years A-B"))
    run_years = year or years or []
    verbosity = o.verbosity(ctx)
    if len(config_paths) > 1 or scheduler is not None:
        with o.no_cache_env(no_cache):
            _sync_regions(list(config_paths), run_years, out_dir, not no_maps, scheduler, workers_processes, verbosity, read_on)
        return
    config_path = config_paths[0]
    show = verbosity >= 0 and (sys.stderr.isatty() or verbosity > 0)
    stages = stage_names(run_years)
    done = [0]

    def step(label: str) -> None:
        done[0] += 1
        now = stages[min(done[0], len(stages) - 1)]
        advance(1, now)
        if verbosity > 0 and not sys.stderr.isatty():
            click.echo("  " + _("done: {step}").format(step=label), err=True)

    with user_errors(), progress_bar(count_steps(len(run_years)), stages[0], show) as advance:
        with o.no_cache_env(no_cache):
            result = run_sync(config_path, run_years, out_dir, progress=step, maps=not no_maps)
    if verbosity < 0:
        return
    for item in result.summary:
        click.echo(_("input: {summary}").format(summary=format_summary(item)), err=True)
    console = stdout_console()
    cfg = load_config(config_path, check_files=False)
    relocation_distance = cfg.parameters.relocation_distance
    for res, folder in zip(result.years, result.folders):
        c = res.counts
        console.print(_("[bold]SPPR {year}[/] -> {folder}  (medium term {start}-{end})").format(year=res.year, folder=folder, start=res.window[0], end=res.window[1]))
        import pandas as pd

        ipu = pd.DataFrame([c["indikasi_program"]], index=pd.Index(["IPU"], name=""))
        ren = pd.DataFrame([c["rencana"]], index=pd.Index([_("programs")], name=""))
        if cfg.inputs.indikasi_program is None:
            console.print(_("No IPU given: the rencana programs are assessed and ranked without IPU"))
        else:
            print_table(ipu, _("IPU synchronization status"), console)
        print_table(ren, _("Rencana program status {year}").format(year=res.year), console)
        p = res.pagu
        porsi = persen(p["porsi_sinkron_sesuai"]) if p["total"] else "-"
        console.print(
            _("total pagu Rp {total}; sinkron Rp {sinkron}; sinkron and conforming to the spatial plan Rp {both} ({share})").format(
                total=angka(p["total"], 0), sinkron=angka(p["sinkron"], 0), both=angka(p["sinkron_sesuai"], 0), share=porsi
            )
        )
        s = c["sinergi"]
        console.print(
            _("synergy {synergy} pairs, conflicts {conflicts}, in protected areas {protected}; data issues {errors} errors, {warnings} warnings, {info} info").format(
                synergy=s["sinergi"], conflicts=s["tabrakan"], protected=s["kawasan_lindung"],
                errors=c["issues"]["error"], warnings=c["issues"]["warning"], info=c["issues"]["info"],
            )
        )
        for line in format_analysis_counts(c, relocation_distance):
            console.print(line)
        if verbosity > 0:
            for k, v in res.timings.items():
                click.echo(f"  {k}: {angka(v, 2)} s", err=True)
    if verbosity > 0:
        click.echo("  " + _("total") + f": {angka(result.timings['total'], 2)} s", err=True)


def _sync_regions(configs: list[str], years: list[int], out_dir: str, maps: bool, scheduler: str | None, processes: int | None, verbosity: int, read_on: str = "client") -> None:
    """Several regions (or one on a cluster): DIR/YEAR/KODE/ each, and the province's rekap."""
    import contextlib

    import pandas as pd

    from sppr_cli.report import progress_bar
    from sppr_gis.cluster import cluster_client
    from sppr_gis.regions import sync_regions

    show = verbosity >= 0 and (sys.stderr.isatty() or verbosity > 0)
    with user_errors():
        ctx = cluster_client(scheduler, processes) if scheduler is not None else contextlib.nullcontext(None)
        with ctx as client, progress_bar(len(configs), _("regions"), show) as advance:
            run = sync_regions(configs, years, out_dir, client=client, maps=maps, progress=lambda label: advance(1, label), read_on=read_on)
    if verbosity >= 0:
        console = stdout_console()
        rows = [
            {_("region"): r.kode or "-", _("name"): r.name or "-", _("result"): _("failed") if r.error else ", ".join(str(f) for f in r.folders), _("seconds"): round(r.seconds, 1)}
            for r in run.regions
        ]
        title = _("SPPR {years}: {ok} of {n} regions").format(years=", ".join(map(str, years)), ok=len(run.regions) - len(run.failed), n=len(run.regions))
        print_table(pd.DataFrame(rows).set_index(_("region")), title, console)
        for p in run.rekap:
            console.print(_("rekap -> {path}").format(path=p))
    if run.failed:
        lines = [r.error or r.config for r in run.failed]
        raise click.ClickException(_("{failed} of {n} regions failed (no output for them): ").format(failed=len(run.failed), n=len(run.regions)) + "; ".join(lines))
