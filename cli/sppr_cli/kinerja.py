"""``sppr kinerja``: capaian of the Renstra/Renja performance cascade for one year, as a workbook."""

from __future__ import annotations

from pathlib import Path

import click

from sppr_cli import options as o
from sppr_cli.i18n import N_, SpprCommand, _
from sppr_cli.options import verbosity, verbosity_opts
from sppr_cli.report import stdout_console, user_errors
from sppr_gis.text import angka


@click.command(
    "kinerja", cls=SpprCommand,
    short_help=N_("Achievement (capaian) of the performance cascade for one year, as a workbook."),
    help=N_("Capaian, predikat and roll-up (OPD, cluster) of the performance cascade for YEAR."),
    examples=["sppr kinerja --data kinerja.xlsx --year 2025 --out kinerja_2025.xlsx --config data/sample/sppr.toml"],
)
@click.option("--data", "data", required=True, help=N_("Kinerja table, Renstra export or Permendagri 86 evaluation form (CSV/XLSX; file.xlsx:sheet)."))
@click.option("--year", "--tahun", "year", required=True, type=click.IntRange(1900, 2200), help=N_("Fiscal year evaluated."))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("Workbook to write (.xlsx)."))
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=N_("A sppr sync config: [opd_clusters] and [kinerja] are used."))
@verbosity_opts
def kinerja(data: str, year: int, out: Path, config: Path | None) -> None:
    """``sppr kinerja`` (help above, translated when shown)."""
    from sppr_gis import io
    from sppr_gis.io.vector import parse_layer_spec
    from sppr_gis.kinerja.consolidate import kinerja_report

    if not parse_layer_spec(data).path.exists():
        raise click.BadParameter(_("file '{path}' does not exist").format(path=data), param_hint="--data")
    with user_errors():
        io.guard_outputs(o.inputs_of(data=data, config=config), [io.Target("--out", out)])
        try:
            result = kinerja_report(data, year, out, config=config)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if verbosity(click.get_current_context()) >= 0:
        con = stdout_console()
        n_err = int((result.issues["severity"] == "error").sum()) if len(result.issues) else 0
        con.print(
            _("{out}: {indicators} indicators, {opd} OPD, {issues} issues ({errors} errors)").format(
                out=out, indicators=angka(len(result.indikator), 0), opd=angka(len(result.opd), 0), issues=angka(len(result.issues), 0), errors=angka(n_err, 0)
            )
        )
        for r in result.opd.itertuples():
            cap = "-" if r.capaian != r.capaian else f"{angka(r.capaian, 1)}%"
            con.print("  " + _("{opd}: capaian {capaian} ({predikat})").format(opd=r.opd, capaian=cap, predikat=r.predikat or _("no predikat")))
