"""PostGIS in and out against a real PostgreSQL + PostGIS server (see conftest: SPPR_TEST_PG)."""

from __future__ import annotations

import json
import os
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from sppr_gis.io import read_layer, read_programs

from robust import PG, PROGRAMS, RULES, SAMPLE, ZONING, load_table, pg, schema, sppr  # noqa: F401 (fixtures)


@pytest.fixture
def loaded(pg: PG, schema: str) -> str:
    """The sample zoning and PUPR programs loaded into ``schema`` with plain SQL."""
    load_table(pg, read_layer(ZONING), schema, "zona")
    load_table(pg, read_programs(PROGRAMS), schema, "program")
    return schema


def _one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_check_from_postgis_equals_check_from_files(pg: PG, loaded: str, tmp_path: Path) -> None:
    from_db = sppr("-q", "check", "--zoning", pg.uri(f"{loaded}.zona"), "--programs", pg.uri(f"{loaded}.program"), "--rules", RULES,
                   "--out", tmp_path / "db.gpkg", env=pg.env)
    assert from_db.returncode == 0, from_db.stderr
    from_files = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "f.gpkg")
    assert from_files.returncode == 0, from_files.stderr
    a = pyogrio.read_dataframe(tmp_path / "db.gpkg", layer="programs").sort_values("program_id")
    b = pyogrio.read_dataframe(tmp_path / "f.gpkg", layer="programs").sort_values("program_id")
    assert list(a["program_id"]) == list(b["program_id"])
    assert list(a["status"]) == list(b["status"])
    sa = pyogrio.read_dataframe(tmp_path / "db.gpkg", layer="zone_shares").sort_values(["program_id", "zone_code"])
    sb = pyogrio.read_dataframe(tmp_path / "f.gpkg", layer="zone_shares").sort_values(["program_id", "zone_code"])
    assert len(sa) == len(sb) > 0
    np.testing.assert_allclose(sa["measure"].to_numpy(float), sb["measure"].to_numpy(float), rtol=1e-9)


def test_check_out_postgis_one_transaction_keys_gist_and_measures(pg: PG, schema: str, tmp_path: Path) -> None:
    out = pg.uri(schema)
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, env=pg.env)
    assert r.returncode == 0, r.stderr
    ref = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "ref.gpkg")
    assert ref.returncode == 0, ref.stderr
    with pg.connect() as conn:
        tables = {t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))}
        assert {"programs", "zone_shares", "issues"} <= tables
        for t in tables:
            pk = conn.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass AND indisprimary", (f'"{schema}"."{t}"',)).fetchone()[0]
            assert pk == 1, t
        gist = {t for (t,) in conn.execute("SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef ILIKE '%%USING gist%%'", (schema,))}
        assert {"programs", "issues"} <= gist
        n = conn.execute(f'SELECT count(*) FROM "{schema}".programs').fetchone()[0]
        assert n == len(pyogrio.read_dataframe(tmp_path / "ref.gpkg", layer="programs"))
        # a program wholly in one zone: its measure is PostGIS's own area/length of the stored geometry
        rows = conn.execute(
            f"""SELECT s.program_id, s.zone_code, s.measure,
                       CASE WHEN GeometryType(p.geom) LIKE '%%POLYGON' THEN ST_Area(p.geom) ELSE ST_Length(p.geom) END
                FROM "{schema}".zone_shares s JOIN "{schema}".programs p USING (program_id)
                WHERE s.share = 1 AND GeometryType(p.geom) NOT LIKE '%%POINT' AND ST_IsValid(p.geom)"""
        ).fetchall()
    assert len(rows) >= 10
    gpkg = pyogrio.read_dataframe(tmp_path / "ref.gpkg", layer="zone_shares").set_index(["program_id", "zone_code"])["measure"]
    for pid, code, measure, postgis in rows:
        assert measure == pytest.approx(postgis, rel=1e-9, abs=1e-6), pid
        assert gpkg[(pid, code)] == pytest.approx(postgis, rel=1e-9, abs=1e-6), pid


def test_existing_table_is_an_error_and_nothing_is_written(pg: PG, schema: str) -> None:
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".issues (x int)')
        conn.execute(f'INSERT INTO "{schema}".issues VALUES (7)')
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", pg.uri(schema), env=pg.env)
    assert r.returncode == 1
    line = _one_line(r.stderr)
    assert f"{schema}.issues" in line and "--overwrite" in line
    assert "Traceback" not in r.stderr
    with pg.connect() as conn:
        tables = {t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))}
        assert tables == {"issues"}  # programs and zone_shares were rolled back with the rest
        assert conn.execute(f'SELECT x FROM "{schema}".issues').fetchall() == [(7,)]
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", pg.uri(schema), "--overwrite", env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        assert conn.execute(f'SELECT count(*) FROM "{schema}".issues').fetchone()[0] > 0


def test_no_table_named_lists_the_geometry_tables(pg: PG, loaded: str, tmp_path: Path) -> None:
    r = sppr("check", "--zoning", pg.uri(), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "x.gpkg", env=pg.env)
    assert r.returncode == 2
    assert f"{loaded}.zona" in r.stderr and f"{loaded}.program" in r.stderr
    r = sppr("check", "--zoning", pg.uri(f"{loaded}.nope"), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "x.gpkg", env=pg.env)
    assert r.returncode == 1 and f"{loaded}.zona" in r.stderr
    assert not (tmp_path / "x.gpkg").exists()


def test_failed_connection_one_line_naming_host_and_database_never_the_password(pg: PG, tmp_path: Path) -> None:
    secret = "Sekret-9f3a"
    host_db = pg.dsn.split("@", 1)[1]  # host:port/db
    host = host_db.split(":")[0].split("/")[0]
    db = host_db.rsplit("/", 1)[1]
    bad_port = pg.dsn.rsplit(":", 1)[0] + ":1/" + db
    r = sppr("check", "--zoning", bad_port.replace("://", f"://").replace("@", f":{secret}@", 1) + "#x.zona", "--programs", PROGRAMS,
             "--rules", RULES, "--out", tmp_path / "x.gpkg")
    assert r.returncode == 1
    line = _one_line([ln for ln in r.stderr.splitlines() if ln.startswith("Error")][0])
    assert host in line and db in line
    assert secret not in r.stderr + r.stdout
    # a wrong password: refused by the server, still one line, the password not echoed
    r = sppr("check", "--zoning", pg.uri("x.zona", password=secret), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "x.gpkg",
             env={"PGPASSWORD": ""})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and secret not in r.stderr + r.stdout
    assert db in [ln for ln in r.stderr.splitlines() if ln.startswith("Error")][0]
    assert not (tmp_path / "x.gpkg").exists()


def test_credentials_from_pgpass_service_file_env_and_uri(pg: PG, loaded: str, tmp_path: Path) -> None:
    user_host = pg.dsn.split("://", 1)[1]
    user, rest = user_host.split("@", 1)
    hostport, db = rest.split("/", 1)
    host, port = hostport.split(":") if ":" in hostport else (hostport, "5432")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{host}:{port}:{db}:{user}:{pg.password}\n")
    pgpass.chmod(0o600)
    no_pw = {"PGPASSWORD": "", "PGPASSFILE": str(pgpass)}
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    # ~/.pgpass (PGPASSFILE)
    r = sppr("-q", "check", "--zoning", pg.uri(f"{loaded}.zona"), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "a.gpkg",
             env={**no_pw})
    assert r.returncode == 0, r.stderr
    # pg_service.conf (PGSERVICEFILE) and the service form of the URI
    svc = tmp_path / "pg_service.conf"
    svc.write_text(f"[rtrw]\nhost={host}\nport={port}\ndbname={db}\nuser={user}\n")
    r = sppr("-q", "check", "--zoning", f"postgresql:///?service=rtrw#{loaded}.zona", "--programs", PROGRAMS, "--rules", RULES,
             "--out", tmp_path / "b.gpkg", env={**no_pw, "PGSERVICEFILE": str(svc)})
    assert r.returncode == 0, r.stderr
    # libpq's environment: PGHOST, PGPORT, PGUSER, PGDATABASE
    r = sppr("-q", "check", "--zoning", f"postgresql://#{loaded}.zona", "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "c.gpkg",
             env={**no_pw, "PGHOST": host, "PGPORT": port, "PGUSER": user, "PGDATABASE": db})
    assert r.returncode == 0, r.stderr
    # a password in the URI works, with a warning, and is nowhere in the output
    r = sppr("check", "--zoning", pg.uri(f"{loaded}.zona", password=pg.password), "--programs", PROGRAMS, "--rules", RULES,
             "--out", tmp_path / "d.gpkg", env={"PGPASSWORD": "", "PGPASSFILE": str(tmp_path / "none")})
    assert r.returncode == 0, r.stderr
    assert "password" in r.stderr.lower()
    assert pg.password not in r.stderr + r.stdout
    assert pg.password.encode() not in (tmp_path / "d.gpkg").read_bytes()
    for name in "abc":
        assert (tmp_path / f"{name}.gpkg").exists()


def test_sync_reads_zoning_from_postgis_and_writes_its_year_layers_to_the_config_schema(pg: PG, loaded: str, tmp_path: Path) -> None:
    schema = loaded
    cfg = tomllib.loads((SAMPLE / "sppr.toml").read_text(encoding="utf-8"))
    text = (SAMPLE / "sppr.toml").read_text(encoding="utf-8")
    conf = tmp_path / "sppr.toml"
    # the sample's relative paths resolved against the sample folder; the output schema added
    for key, value in cfg["inputs"].items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                text = text.replace(f'"{v}"', json.dumps(str(SAMPLE / v)), 1)
    text += f'\n[output]\npostgis = "{pg.uri(schema)}"\n'
    zoning_file = json.dumps(str(SAMPLE / cfg["inputs"]["zoning"]))
    assert zoning_file in text
    text = text.replace(zoning_file, json.dumps(pg.uri(f"{schema}.zona")))
    conf.write_text(text, encoding="utf-8")
    r = sppr("-q", "sync", "--config", conf, "--year", "2025", "--out", tmp_path / "out", "--no-maps", env=pg.env)
    assert r.returncode == 0, r.stderr
    gpkg = tmp_path / "out" / "2025" / "sppr.gpkg"
    ren = pyogrio.read_dataframe(gpkg, layer="rencana")
    with pg.connect() as conn:
        rows = conn.execute(f'SELECT program_id, status, status_sinkron, pagu FROM "{schema}".rencana_2025 ORDER BY fid').fetchall()
        ipu = conn.execute(f'SELECT count(*) FROM "{schema}".indikasi_program_2025').fetchone()[0]
    assert len(rows) == len(ren) > 0
    assert [r[:3] for r in rows] == [tuple(t) for t in ren[["program_id", "status", "status_sinkron"]].itertuples(index=False)]
    np.testing.assert_allclose([np.nan if r[3] is None else r[3] for r in rows], ren["pagu"].to_numpy(float))
    assert ipu == len(pyogrio.read_dataframe(gpkg, layer="indikasi_program"))
    manifest = json.loads((tmp_path / "out" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert pg.password not in json.dumps(manifest)
    zoning = [i for i in manifest["inputs"] if i["role"] == "zoning"][0]
    assert zoning["path"].startswith("postgresql://") and zoning["layer"] == f"{schema}.zona"
    # the same run from the zoning file gives the same statuses
    r = sppr("-q", "sync", "--config", SAMPLE / "sppr.toml", "--year", "2025", "--out", tmp_path / "ref", "--no-maps")
    assert r.returncode == 0, r.stderr
    ref = pyogrio.read_dataframe(tmp_path / "ref" / "2025" / "sppr.gpkg", layer="rencana", read_geometry=False)
    assert list(ref["status"]) == list(ren["status"])
