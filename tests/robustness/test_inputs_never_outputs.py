"""Inputs are never outputs (issue 17, cases 1, 2 and 4).

1. ``sppr sync`` replaces a year folder only when every file in it is one it wrote (its manifest lists
   them); inputs kept there, or any other file, are an error naming them, and nothing is deleted.
2. No output (``--out``, ``--tables``, ``--map``, a sync year or region folder, a PostGIS table) may be,
   or replace a folder holding, an input: a usage error (exit 2) naming both, paths compared absolute,
   with symlinks followed and by inode (hard links).
4. With ``[output] postgis`` the database is committed after every other fallible step; a folder swap
   failing after it says the database was written and the folder was not.

The expected states come from the files themselves (SHA-256 of every byte before and after, the
folder listing by ``os.walk``) and from the database (plain SQL through psycopg), never from sppr_gis.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from robust import PG, SAMPLE, load_table, pg, schema  # noqa: F401 (fixtures)

ZONING = SAMPLE / "zoning.gpkg"
RULES_CSV = SAMPLE / "itbx.csv"
RULES_XLSX = SAMPLE / "itbx.xlsx"
PROGRAMS = SAMPLE / "rencana_pupr.gpkg"


def invoke(*args: object, env: dict[str, str] | None = None):
    """``sppr`` in-process (so a test can inject a failure); stdout and stderr together in ``output``."""
    from sppr_cli.main import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def digest(path: Path) -> dict[str, str]:
    """SHA-256 of a file, or of every file under a folder (relative path -> hash)."""
    path = Path(path)
    if path.is_file():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    out = {}
    for root, _dirs, names in os.walk(path):
        for n in names:
            p = Path(root, n)
            out[str(p.relative_to(path))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def project(tmp_path: Path, rencana: str = "data/rencana_kesehatan.csv", *, extra: str = "", kode: str | None = None) -> Path:
    """A small project: inputs copied under ``data/``, a config with paths relative to it."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name in ("zoning.gpkg", "itbx.csv", "ipu.gpkg", "rencana_kesehatan.csv", "admin.gpkg"):
        if not (data / name).exists():
            shutil.copy(SAMPLE / name, data / name)
    cfg = tmp_path / (f"{kode}.toml" if kode else "sppr.toml")
    head = f'[project]\nname = "Kota {kode}"\nkode = "{kode}"\n\n' if kode else ""
    cfg.write_text(
        head + "[inputs]\n"
        'zoning = "data/zoning.gpkg:rdtr_subzona"\n'
        'rules = "data/itbx.csv"\n'
        'indikasi_program = "data/ipu.gpkg:indikasi_program"\n'
        f"rencana = [{json.dumps(rencana)}]\n"
        'kelurahan = "data/admin.gpkg:kelurahan"\n' + extra,
        encoding="utf-8",
    )
    return cfg


def sync(cfg: Path, out: Path, *more: object, env: dict[str, str] | None = None):
    return invoke("sync", "--config", cfg, "--year", "2025", "--out", out, "--no-maps", "-q", *more, env=env)


def no_leftovers(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.startswith((".sppr-", ".2025.old", ".A1.old"))] if folder.exists() else []
    assert left == [], left


# ----------------------------------------------------------------------------- case 1: sync never deletes inputs


def test_sync_refuses_a_year_folder_holding_its_own_rencana_inputs(tmp_path: Path) -> None:
    """The issue's case: the analyst keeps 2025/rencana_*.xlsx next to the outputs of an earlier run."""
    year = tmp_path / "hasil" / "2025"
    year.mkdir(parents=True)
    shutil.copy(SAMPLE / "rencana_perkim.xlsx", year / "rencana_perkim.xlsx")
    shutil.copy(SAMPLE / "rencana_pendidikan.xlsx", year / "rencana_pendidikan.xlsx")
    cfg = project(tmp_path, "hasil/2025/rencana_perkim.xlsx", extra="")
    text = cfg.read_text(encoding="utf-8").replace('rencana = ["hasil/2025/rencana_perkim.xlsx"]', 'rencana = ["hasil/2025/rencana_perkim.xlsx", "hasil/2025/rencana_pendidikan.xlsx"]')
    cfg.write_text(text, encoding="utf-8")
    before = digest(year)
    res = sync(cfg, tmp_path / "hasil")
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert str(year) in line and "rencana_perkim.xlsx" in line and "rencana_pendidikan.xlsx" in line and "inputs.rencana[0]" in line
    assert digest(year) == before  # every byte of both inputs still there, nothing added
    no_leftovers(tmp_path / "hasil")


def test_sync_replaces_only_what_it_wrote_and_names_any_other_file(tmp_path: Path) -> None:
    cfg, out = project(tmp_path), tmp_path / "hasil"
    assert sync(cfg, out).exit_code == 0
    year = out / "2025"
    # the manifest lists exactly the files of the folder (listing by os.walk)
    listed = set(json.loads((year / "manifest.json").read_text(encoding="utf-8"))["outputs"])
    assert listed == set(digest(year)) and "sppr.gpkg" in listed and "manifest.json" in listed
    assert sync(cfg, out).exit_code == 0  # its own folder is replaced
    (year / "catatan rapat.docx").write_bytes(b"notes of the analyst")
    (year / "csv" / "koreksi.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = digest(year)
    res = sync(cfg, out)
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert "catatan rapat.docx" in line and "csv/koreksi.csv" in line and str(year) in line
    assert "sppr.gpkg" not in line.split("(", 1)[1].split(";", 1)[0]  # only the foreign files are named
    assert digest(year) == before
    no_leftovers(out)
    (year / "catatan rapat.docx").unlink()
    (year / "csv" / "koreksi.csv").unlink()
    assert sync(cfg, out).exit_code == 0


def test_sync_refuses_a_year_folder_without_manifest(tmp_path: Path) -> None:
    """A folder 2025 that sppr did not write (no manifest): nothing in it is sppr's."""
    out = tmp_path / "hasil"
    (out / "2025" / "arsip").mkdir(parents=True)
    (out / "2025" / "arsip" / "rtrw_lama.pdf").write_bytes(b"%PDF-1.4 old plan")
    before = digest(out / "2025")
    res = sync(project(tmp_path), out)
    assert res.exit_code == 2 and "arsip/rtrw_lama.pdf" in one_line(res.output)
    assert digest(out / "2025") == before


def test_multi_region_sync_never_deletes_a_region_folder_holding_inputs(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    region = out / "2025" / "A1"
    region.mkdir(parents=True)
    shutil.copy(SAMPLE / "rencana_kesehatan.csv", region / "rencana_kesehatan.csv")
    a1 = project(tmp_path, "hasil/2025/A1/rencana_kesehatan.csv", kode="A1")
    a2 = project(tmp_path, kode="A2")
    before = digest(region)
    res = invoke("sync", "--config", a1, "--config", a2, "--year", "2025", "--out", out, "--no-maps", "-q")
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert str(region) in line and "rencana_kesehatan.csv" in line and "A1.toml inputs.rencana[0]" in line
    assert digest(region) == before and not (out / "2025" / "A2").exists()


def test_multi_region_sync_names_foreign_files_in_a_region_folder(tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    a1, a2 = project(tmp_path, kode="A1"), project(tmp_path, kode="A2")
    assert invoke("sync", "--config", a1, "--config", a2, "--year", "2025", "--out", out, "--no-maps", "-q").exit_code == 0
    (out / "2025" / "A1" / "foto_lokasi.jpg").write_bytes(b"\xff\xd8\xff")
    before = digest(out / "2025")
    res = invoke("sync", "--config", a1, "--config", a2, "--year", "2025", "--out", out, "--no-maps", "-q")
    assert res.exit_code == 2 and "foto_lokasi.jpg" in one_line(res.output)
    assert digest(out / "2025") == before


# ----------------------------------------------------------------------------- case 2: an output that is an input


@pytest.fixture
def zfile(tmp_path: Path) -> Path:
    z = tmp_path / "z.gpkg"
    shutil.copy(ZONING, z)
    return z


def check(*more: object):
    return invoke("check", "--programs", PROGRAMS, *more)


def test_check_out_is_the_zoning_file(tmp_path: Path, zfile: Path) -> None:
    before = digest(zfile)
    res = check("--zoning", f"{zfile}:rdtr_subzona", "--rules", RULES_CSV, "--out", zfile)
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert "--out" in line and "--zoning" in line and str(zfile) in line
    assert digest(zfile) == before


def test_check_tables_is_the_rules_matrix(tmp_path: Path) -> None:
    rules = tmp_path / "itbx.xlsx"
    shutil.copy(RULES_XLSX, rules)
    before = digest(rules)
    res = check("--zoning", f"{ZONING}:rdtr_subzona", "--rules", rules, "--out", tmp_path / "hasil.gpkg", "--tables", rules)
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert "--tables" in line and "--rules" in line and "itbx.xlsx" in line
    assert digest(rules) == before and not (tmp_path / "hasil.gpkg").exists()


@pytest.mark.parametrize("how", ["symlink", "hardlink", "symlinked folder", "relative with .."])
def test_check_out_is_the_zoning_under_another_name(tmp_path: Path, zfile: Path, how: str) -> None:
    if how == "symlink":
        out = tmp_path / "hasil.gpkg"
        out.symlink_to(zfile)
    elif how == "hardlink":
        out = tmp_path / "hasil.gpkg"
        os.link(zfile, out)
    elif how == "symlinked folder":
        (tmp_path / "lihat").symlink_to(tmp_path, target_is_directory=True)
        out = tmp_path / "lihat" / "z.gpkg"
    else:
        (tmp_path / "sub").mkdir()
        out = Path(os.path.relpath(tmp_path / "sub" / ".." / "z.gpkg"))
    before = digest(zfile)
    res = check("--zoning", f"{zfile}:rdtr_subzona", "--rules", RULES_CSV, "--out", out)
    assert res.exit_code == 2, res.output
    assert "--zoning" in one_line(res.output)
    assert digest(zfile) == before
    if how == "symlink":
        assert out.is_symlink()


def test_check_zone_code_input_and_csv_table_family(tmp_path: Path, zfile: Path) -> None:
    """``file:layer=CODE`` is the file; ``--tables x.csv`` writes x_programs.csv, which is the --programs input."""
    before = digest(zfile)
    res = check("--zoning", f"{zfile}:rdtr_subzona=R-1", "--rules", RULES_CSV, "--out", zfile)
    assert res.exit_code == 2 and digest(zfile) == before
    progs = tmp_path / "x_programs.csv"
    progs.write_text("program_id,kegiatan,lon,lat\nP1,pembangunan_jalan,104.05,1.1\n", encoding="utf-8")
    before = digest(progs)
    res = invoke("check", "--programs", progs, "--zoning", f"{ZONING}:rdtr_subzona", "--rules", RULES_CSV, "--out", tmp_path / "x.gpkg", "--tables", tmp_path / "x.csv")
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert "x_programs.csv" in line and "--programs" in line
    assert digest(progs) == before and not (tmp_path / "x.gpkg").exists()


def test_check_out_links_to_a_zipped_zoning(tmp_path: Path) -> None:
    z = tmp_path / "rth.zip"
    shutil.copy(SAMPLE / "zoning_rth.zip", z)
    out = tmp_path / "hasil.gpkg"
    os.link(z, out)
    before = digest(z)
    res = check("--zoning", f"{z}:zoning_rth=RTH-1", "--zoning", f"{ZONING}:rdtr_subzona", "--rules", RULES_CSV, "--out", out)
    assert res.exit_code == 2 and "rth.zip" in one_line(res.output)
    assert digest(z) == before


def test_revisi_outputs_that_are_inputs(tmp_path: Path, zfile: Path) -> None:
    rules = tmp_path / "itbx.xlsx"
    shutil.copy(RULES_XLSX, rules)
    before = {**digest(zfile), "r": digest(rules)["."]}
    base = ["revisi", "--zoning-lama", f"{ZONING}:rdtr_subzona", "--zoning-baru", f"{zfile}:rdtr_subzona", "--programs", PROGRAMS, "--rules", RULES_CSV]
    res = invoke(*base, "--out", zfile)
    assert res.exit_code == 2 and "--zoning-baru" in one_line(res.output)
    res = invoke(*base, "--rules-baru", rules, "--out", tmp_path / "r.gpkg", "--tables", rules)
    assert res.exit_code == 2 and "--rules-baru" in one_line(res.output)
    os.link(rules, tmp_path / "peta.pdf")
    res = invoke(*base, "--rules-baru", rules, "--out", tmp_path / "r.gpkg", "--map", tmp_path / "peta.pdf")
    assert res.exit_code == 2 and "--map" in one_line(res.output)
    assert {**digest(zfile), "r": digest(rules)["."]} == before and not (tmp_path / "r.gpkg").exists()


def test_map_out_is_the_result(tmp_path: Path, zfile: Path) -> None:
    out = tmp_path / "peta.png"
    os.link(zfile, out)
    before = digest(zfile)
    res = invoke("map", f"{zfile}:rdtr_subzona", "--by", "KODSZN", "--out", out)
    assert res.exit_code == 2 and "RESULT" in one_line(res.output) and str(zfile) in one_line(res.output)
    assert digest(zfile) == before


def test_kinerja_out_is_its_data(tmp_path: Path) -> None:
    """`sppr kinerja --out` naming its own --data workbook (here through a symlink) is a usage error naming both."""
    data = tmp_path / "kinerja.xlsx"
    shutil.copy(SAMPLE / "kinerja.xlsx", data)
    (tmp_path / "hasil.xlsx").symlink_to(data)
    before = digest(data)
    res = invoke("kinerja", "--data", data, "--year", "2025", "--out", tmp_path / "hasil.xlsx")
    assert res.exit_code == 2, res.output
    assert "--data" in one_line(res.output) and str(data) in one_line(res.output)
    assert digest(data) == before


@pytest.mark.parametrize("where", ["logo", "rules", "config", "symlinked year folder"])
def test_sync_year_folder_holding_any_file_the_config_names(tmp_path: Path, where: str) -> None:
    """Config-relative inputs of every kind: rules, the album logo, the config file itself; a year folder
    that is a symlink to the data folder."""
    out = tmp_path / "hasil"
    year = out / "2025"
    year.mkdir(parents=True)
    cfg = project(tmp_path)
    if where == "logo":
        (year / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[album]\nlogo = "hasil/2025/logo.png"\n', encoding="utf-8")
        name = "album.logo"
    elif where == "rules":
        shutil.move(tmp_path / "data" / "itbx.csv", year / "itbx.csv")
        cfg.write_text(cfg.read_text(encoding="utf-8").replace('"data/itbx.csv"', '"hasil/2025/itbx.csv"'), encoding="utf-8")
        name = "inputs.rules"
    elif where == "config":
        moved = year / "sppr.toml"
        moved.write_text(cfg.read_text(encoding="utf-8").replace('"data/', '"../../data/'), encoding="utf-8")
        cfg = moved
        name = "--config"
    else:
        year.rmdir()
        year.symlink_to(tmp_path / "data", target_is_directory=True)
        name = "inputs.zoning"
    before = digest(tmp_path)
    res = sync(cfg, out)
    assert res.exit_code == 2, res.output
    assert name in one_line(res.output)
    assert digest(tmp_path) == before


def test_postgis_out_overwriting_the_input_table(pg: PG, schema: str, tmp_path: Path) -> None:
    import geopandas as gpd

    zoning = gpd.read_file(ZONING, layer="rdtr_subzona")
    load_table(pg, zoning, schema, "programs")  # the zoning happens to be stored as a table named 'programs'
    with pg.connect() as conn:
        before = conn.execute(f'SELECT count(*), md5(string_agg(ST_AsEWKB(geom)::text, \',\' ORDER BY gid)) FROM "{schema}".programs').fetchone()
    res = invoke("check", "--zoning", pg.uri(f"{schema}.programs"), "--programs", PROGRAMS, "--rules", RULES_CSV, "--out", pg.uri(schema), "--overwrite", env=pg.env)
    assert res.exit_code == 2, res.output
    line = one_line(res.output)
    assert f"{schema}.programs" in line and "--zoning" in line and pg.password not in res.output
    with pg.connect() as conn:
        after = conn.execute(f'SELECT count(*), md5(string_agg(ST_AsEWKB(geom)::text, \',\' ORDER BY gid)) FROM "{schema}".programs').fetchone()
        tables = {t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}
    assert after == before and tables == {"programs"}


def test_guard_outputs_library(tmp_path: Path) -> None:
    """The one library function: shapefile side files, zip members, folder sources, file=CODE, PostGIS."""
    from sppr_gis.errors import OutputConflictError
    from sppr_gis.io import Target, guard_outputs, parse_layer_spec

    shp = tmp_path / "zona.shp"
    for ext in (".shp", ".dbf", ".shx", ".prj"):
        shp.with_suffix(ext).write_bytes(b"x")
    with pytest.raises(OutputConflictError, match="zona.dbf"):
        guard_outputs([("--zoning", f"{shp}=R-1")], [("--tables", tmp_path / "zona.dbf")])
    guard_outputs([("--zoning", f"{shp}=R-1")], [("--tables", tmp_path / "zona.xlsx")])  # another file: fine
    z = tmp_path / "rth.zip"
    shutil.copy(SAMPLE / "zoning_rth.zip", z)
    with pytest.raises(OutputConflictError, match="rth.zip"):
        guard_outputs([("--zoning", f"/vsizip/{z}/zoning_rth.shp")], [Target("year folder", tmp_path, folder=True)])
    folder = tmp_path / "shp"
    folder.mkdir()
    (folder / "a.shp").write_bytes(b"x")
    with pytest.raises(OutputConflictError, match="a.shp"):
        guard_outputs([("--zoning", parse_layer_spec(str(folder)))], [("--out", folder / "a.shp")])
    guard_outputs([("--zoning", parse_layer_spec(str(folder)))], [("--out", folder / "hasil.gpkg")])  # a new file beside
    # a folder replaced that holds a hard link to an input elsewhere
    out = tmp_path / "out"
    out.mkdir()
    os.link(shp, out / "salinan.shp")
    with pytest.raises(OutputConflictError, match="salinan|replaced"):
        guard_outputs([("--zoning", shp)], [Target("year folder", out, folder=True)])
    # PostgreSQL: the same table in the same database (unquoted names fold to lower case), not another database
    uri = "postgresql://u@db.example:5432/gis"
    with pytest.raises(OutputConflictError, match="rob.programs"):
        guard_outputs([("--zoning", f"{uri}#rob.Programs")], [Target("--out", f"{uri}#rob", tables=("programs", "issues"))])
    guard_outputs([("--zoning", f"{uri}#rob.Programs")], [Target("--out", "postgresql://u@db.example:5432/other#rob", tables=("programs",))])
    guard_outputs([("--zoning", f'{uri}#rob."Programs"')], [Target("--out", f"{uri}#rob", tables=("programs",))])


# ----------------------------------------------------------------------------- case 4: PostGIS and the folder swap


def _busy_on(monkeypatch: pytest.MonkeyPatch, when) -> list[tuple[str, str]]:
    """Make ``os.rename`` (and so ``Path.rename``) fail with EBUSY for the renames ``when(src, dst)`` picks."""
    real = os.rename
    calls: list[tuple[str, str]] = []

    def rename(src, dst, *a, **k):
        calls.append((os.fspath(src), os.fspath(dst)))
        if when(os.fspath(src), os.fspath(dst)):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), os.fspath(src))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "rename", rename)
    return calls


def _pg_project(tmp_path: Path, pg: PG, schema: str) -> Path:
    return project(tmp_path, extra=f'\n[output]\npostgis = "{pg.uri(schema)}"\n')


def _tables(pg: PG, schema: str) -> dict[str, int]:
    with pg.connect() as conn:
        names = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))]
        return {t: conn.execute(f'SELECT count(*) FROM "{schema}"."{t}"').fetchone()[0] for t in names}


def test_sync_folder_busy_before_the_database_leaves_the_database_unchanged(pg: PG, schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "hasil"
    assert sync(project(tmp_path), out).exit_code == 0  # an earlier run without PostGIS output
    before = digest(out / "2025")
    cfg = _pg_project(tmp_path, pg, schema)
    final = str(out / "2025")
    # the old year folder cannot be moved (a file in it is open on Windows, a busy mount...)
    _busy_on(monkeypatch, lambda src, dst: src == final)
    res = sync(cfg, out, env=pg.env)
    assert _tables(pg, schema) == {}  # the database was never touched
    assert digest(out / "2025") == before
    assert res.exit_code == 1, res.output
    line = one_line(res.output)
    assert final in line and "busy" in line and "no output folder was changed" in line and pg.password not in res.output
    no_leftovers(out)


@pytest.mark.parametrize("earlier", [True, False], ids=["replacing an earlier run", "first run"])
def test_sync_folder_busy_after_the_database_says_which_landed(pg: PG, schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: bool) -> None:
    out = tmp_path / "hasil"
    if earlier:
        assert sync(project(tmp_path), out).exit_code == 0
    before = digest(out / "2025") if earlier else None
    cfg = _pg_project(tmp_path, pg, schema)
    final = str(out / "2025")
    # placing the new year folder fails, after the database was committed
    calls = _busy_on(monkeypatch, lambda src, dst: dst == final and ".sppr-staging-" in src)
    res = sync(cfg, out, env=pg.env)
    assert any(dst == final and ".sppr-staging-" in src for src, dst in calls)  # the failure was really injected
    if earlier:
        assert digest(out / "2025") == before  # the previous year folder is back, untouched
    else:
        assert not (out / "2025").exists()
    tables = _tables(pg, schema)
    assert tables.get("rencana_2025", 0) > 0 and tables.get("indikasi_program_2025", 0) > 0
    assert res.exit_code == 1, res.output
    line = one_line(res.output)
    assert final in line and "busy" in line
    assert "database WAS written" in line and f"#{schema}" in line and f"{schema}.rencana_2025" in line and pg.password not in res.output
    no_leftovers(out)


def test_multi_region_folder_busy_after_its_database_write_says_so(pg: PG, schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several regions: a region's tables are committed by its task; placing its folder then fails.
    That region fails alone, naming its folder and saying its database was written; the other lands."""
    out = tmp_path / "hasil"
    a1 = project(tmp_path, kode="A1", extra=f'\n[output]\npostgis = "{pg.uri(schema)}"\n')
    a2 = project(tmp_path, kode="A2")
    final = str(out / "2025" / "A1")
    _busy_on(monkeypatch, lambda src, dst: dst == final)
    res = invoke("sync", "--config", a1, "--config", a2, "--year", "2025", "--out", out, "--no-maps", "-q", env=pg.env)
    assert not (out / "2025" / "A1").exists() and (out / "2025" / "A2" / "sppr.gpkg").exists()
    assert _tables(pg, schema).get("rencana_2025", 0) > 0
    assert res.exit_code == 1, res.output
    line = one_line(res.output)
    assert "1 of 2 regions failed" in line and final in line and "busy" in line and "database WAS written" in line and f"#{schema}" in line
    assert pg.password not in res.output
    no_leftovers(out)
