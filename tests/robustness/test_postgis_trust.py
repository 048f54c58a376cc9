"""PostGIS: never destroy, never misjudge, never leak (issue 17), against the real server (see robust.py: SPPR_TEST_PG).

Cases 3 (--overwrite and sync re-runs keep the agency's views, foreign keys and grants; a change that would
break them stops and names them), 6 (two geometry columns), 7 (names resolve as PostgreSQL resolves them),
8 (mixed SRIDs), 12 (no part of a password leaks), 14 (interval columns, a schema name with a dot),
18 (a least-privilege role writing to a schema it owns), 19 (names over 63 bytes).
"""

from __future__ import annotations

import json
import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyogrio
import pytest

from sppr_gis.io import read_layer, read_programs

from robust import PG, PROGRAMS, RULES, SAMPLE, ZONING, load_table, pg, schema, sppr  # noqa: F401 (fixtures)

#: Passwords with every character that breaks a hand-written URI parser; each piece is distinctive, so that
#: finding any piece (the tail after an '@', the part before a '/') in an output is a leak.
PASSWORD = "Qx7v@Zk/w9:Rm#1"
PIECES = ("Qx7v", "v@Zk", "Zk/w9", "w9:Rm", "Rm#1", "Zk%2Fw9", "Rm%231")


def _one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def _error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("Error")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


def _no_piece(text: str | bytes, what: str) -> None:
    for piece in PIECES:
        needle = piece.encode() if isinstance(text, bytes) else piece
        assert needle not in text, f"{piece!r} of the password found in {what}"


@pytest.fixture
def extra_schemas(pg: PG) -> Iterator[list[str]]:
    """Names of more schemas a test creates (views and tables of 'the agency'), dropped afterwards."""
    names: list[str] = []
    yield names
    with pg.connect() as conn:
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name.replace(chr(34), chr(34) * 2)}" CASCADE')


@pytest.fixture
def make_role(pg: PG) -> Iterator:
    """``make_role(password)``: a new LOGIN role with that password and no privilege at all; dropped afterwards."""
    import psycopg

    made: list[str] = []

    def make(password: str) -> str:
        name = f"t_role_{uuid.uuid4().hex[:8]}"
        with pg.connect() as conn:
            try:
                conn.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(psycopg.sql.Identifier(name), psycopg.sql.Literal(password)))
            except psycopg.errors.InsufficientPrivilege:
                pytest.fail("the SPPR_TEST_PG role needs CREATEROLE for these tests (.ci/postgis.sh grants it)")
            conn.execute(f"GRANT {name} TO CURRENT_USER")  # to hand it schemas and to clean up after it
        made.append(name)
        return name

    yield make
    with pg.connect() as conn:
        for name in made:
            conn.execute(f"REASSIGN OWNED BY {name} TO CURRENT_USER")
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")


def _uri(pg: PG, fragment: str = "", user: str | None = None, password: str | None = None, encode: bool = True) -> str:
    """The test server's URI with another user and/or a password written into it (percent-encoded or raw)."""
    scheme, rest = pg.dsn.split("://", 1)
    old_user, host = rest.split("@", 1)
    info = user or old_user
    if password is not None:
        info += ":" + (quote(password, safe="") if encode else password)
    return f"{scheme}://{info}@{host}" + (f"#{fragment}" if fragment else "")


def _tables(conn, schema: str) -> set[str]:
    return {t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``program_id -> status`` of the sample run from files (the answer any PostGIS route must give)."""
    out = tmp_path_factory.mktemp("ref") / "ref.gpkg"
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out)
    assert r.returncode == 0, r.stderr
    df = pyogrio.read_dataframe(out, layer="programs", read_geometry=False)
    return dict(zip(df["program_id"], df["status"]))


def _statuses(gpkg: Path) -> dict[str, str]:
    df = pyogrio.read_dataframe(gpkg, layer="programs", read_geometry=False)
    return dict(zip(df["program_id"], df["status"]))


# ----------------------------------------------------------------------------- case 3: no CASCADE, rows replaced in place


def test_no_cascade_anywhere_in_the_sources() -> None:
    import sppr_cli
    import sppr_gis

    hits = []
    for package in (sppr_gis, sppr_cli):  # the code that runs (PYTHONPATH decides which checkout)
        folder = Path(package.__file__).parent
        for path in folder.rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\b(DROP|TRUNCATE|ALTER)\b.*\bCASCADE\b", line, re.IGNORECASE):
                    hits.append(f"{path}:{n}")
    assert hits == []


def test_overwrite_keeps_the_agencys_views_foreign_keys_and_grants(pg: PG, schema: str, extra_schemas: list[str], reference: dict[str, str]) -> None:
    out = pg.uri(schema)
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, env=pg.env)
    assert r.returncode == 0, r.stderr
    agency = f"{schema}_agency"
    extra_schemas.append(agency)
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{agency}"')
        conn.execute(f'CREATE VIEW "{agency}".tidak_sesuai AS SELECT program_id, status FROM "{schema}".programs WHERE status = \'tidak_sesuai\'')
        conn.execute(f'CREATE VIEW "{agency}".semua AS SELECT * FROM "{schema}".issues')
        # a follow-up table keyed on the results, deleting its rows when a result row is deleted
        conn.execute(f'CREATE TABLE "{agency}".tindak_lanjut (id int PRIMARY KEY, fid bigint REFERENCES "{schema}".programs (fid) ON DELETE CASCADE, catatan text)')
        conn.execute(f'INSERT INTO "{agency}".tindak_lanjut VALUES (1, 1, \'survei lapangan\'), (2, 2, \'rapat\')')
        conn.execute(f'GRANT SELECT ON "{schema}".programs TO PUBLIC')
        oid = conn.execute(f"SELECT '\"{schema}\".programs'::regclass::oid").fetchone()[0]
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, "--overwrite", env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        assert conn.execute(f"SELECT '\"{schema}\".programs'::regclass::oid").fetchone()[0] == oid  # the same table, not a new one
        rows = conn.execute(f'SELECT program_id, status FROM "{agency}".tidak_sesuai').fetchall()
        assert sorted(rows) == sorted((p, s) for p, s in reference.items() if s == "tidak_sesuai")
        assert conn.execute(f'SELECT count(*) FROM "{agency}".semua').fetchone()[0] > 0
        assert conn.execute(f'SELECT id, fid, catatan FROM "{agency}".tindak_lanjut ORDER BY id').fetchall() == [(1, 1, "survei lapangan"), (2, 2, "rapat")]
        assert conn.execute(f"SELECT count(*) FROM pg_constraint WHERE confrelid = '\"{schema}\".programs'::regclass").fetchone()[0] == 1
        acl = conn.execute(f"SELECT relacl::text FROM pg_class WHERE oid = '\"{schema}\".programs'::regclass").fetchone()[0]
        assert acl is not None and "=r/" in acl  # PUBLIC's SELECT is still granted
        assert conn.execute(f'SELECT count(*) FROM "{schema}".programs').fetchone()[0] == len(reference)
        pk = conn.execute(f"SELECT count(*) FROM pg_index WHERE indrelid = '\"{schema}\".programs'::regclass AND indisprimary").fetchone()[0]
        assert pk == 1


def test_overwrite_keeps_a_column_the_agency_added(pg: PG, schema: str, reference: dict[str, str]) -> None:
    """An agency's own column on a result table (a verification note) is never dropped: rows that stay keep its values."""
    out = pg.uri(schema)
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        conn.execute(f'ALTER TABLE "{schema}".programs ADD COLUMN catatan_verifikasi text')
        conn.execute(f'UPDATE "{schema}".programs SET catatan_verifikasi = \'sudah disurvei\' WHERE fid = 1')
        first = conn.execute(f'SELECT program_id FROM "{schema}".programs WHERE fid = 1').fetchone()[0]
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, "--overwrite", env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        rows = conn.execute(f'SELECT fid, program_id, catatan_verifikasi FROM "{schema}".programs ORDER BY fid').fetchall()
    assert len(rows) == len(reference)
    assert rows[0] == (1, first, "sudah disurvei")
    assert all(c is None for _, _, c in rows[1:])


def test_overwrite_whose_columns_changed_under_a_view_stops_and_names_it(pg: PG, schema: str, extra_schemas: list[str]) -> None:
    agency = f"{schema}_laporan"
    extra_schemas.append(agency)
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".programs (fid bigint PRIMARY KEY, program_id text, status integer, geom geometry(Geometry, 32648))')
        conn.execute(f"INSERT INTO \"{schema}\".programs VALUES (1, 'P-1', 3, ST_GeomFromText('POINT(440000 100000)', 32648))")
        conn.execute(f'CREATE SCHEMA "{agency}"')
        conn.execute(f'CREATE VIEW "{agency}".rekap AS SELECT status, count(*) AS n FROM "{schema}".programs GROUP BY status')
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", pg.uri(schema), "--overwrite", env=pg.env)
    assert r.returncode == 1, r.stderr
    line = _one_line(r.stderr)
    assert f"view {agency}.rekap" in line and f"{schema}.programs" in line and "status" in line, line
    with pg.connect() as conn:
        assert _tables(conn, schema) == {"programs"}  # nothing else written: one transaction
        assert conn.execute(f'SELECT fid, program_id, status FROM "{schema}".programs').fetchall() == [(1, "P-1", 3)]
        assert conn.execute(f'SELECT status, n FROM "{agency}".rekap').fetchall() == [(3, 1)]


def _sync_config(tmp_path: Path, zoning: str, output: str, name: str = "sppr.toml") -> Path:
    """The sample config with its paths made absolute, the zoning replaced and ``[output] postgis`` added."""
    cfg = tomllib.loads((SAMPLE / "sppr.toml").read_text(encoding="utf-8"))
    text = (SAMPLE / "sppr.toml").read_text(encoding="utf-8")
    for value in cfg["inputs"].values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                text = text.replace(f'"{v}"', json.dumps(str(SAMPLE / v)), 1)
    zoning_file = json.dumps(str(SAMPLE / cfg["inputs"]["zoning"]))
    assert zoning_file in text
    text = text.replace(zoning_file, json.dumps(zoning))
    text += f"\n[output]\npostgis = {json.dumps(output)}\n"
    conf = tmp_path / name
    conf.write_text(text, encoding="utf-8")
    return conf


def test_sync_rerun_keeps_a_view_on_its_year_tables(pg: PG, schema: str, extra_schemas: list[str], tmp_path: Path) -> None:
    cfg = tomllib.loads((SAMPLE / "sppr.toml").read_text(encoding="utf-8"))
    conf = _sync_config(tmp_path, str(SAMPLE / cfg["inputs"]["zoning"]), pg.uri(schema))
    r = sppr("-q", "sync", "--config", conf, "--year", "2025", "--out", tmp_path / "out", "--no-maps", env=pg.env)
    assert r.returncode == 0, r.stderr
    agency = f"{schema}_dashboard"
    extra_schemas.append(agency)
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{agency}"')
        conn.execute(f'CREATE VIEW "{agency}".rencana AS SELECT program_id, status_sinkron FROM "{schema}".rencana_2025')
    r = sppr("-q", "sync", "--config", conf, "--year", "2025", "--out", tmp_path / "out", "--no-maps", env=pg.env)
    assert r.returncode == 0, r.stderr
    ren = pyogrio.read_dataframe(tmp_path / "out" / "2025" / "sppr.gpkg", layer="rencana", read_geometry=False)
    with pg.connect() as conn:
        rows = conn.execute(f'SELECT program_id, status_sinkron FROM "{agency}".rencana ORDER BY program_id').fetchall()
    assert rows == sorted(zip(ren["program_id"], ren["status_sinkron"])) and len(rows) > 0


# ----------------------------------------------------------------------------- cases 6, 7, 8: what is read is what was meant


def test_two_geometry_columns_are_a_usage_error_and_one_can_be_named(pg: PG, schema: str, tmp_path: Path, reference: dict[str, str]) -> None:
    load_table(pg, read_layer(ZONING), schema, "zona")
    load_table(pg, read_programs(PROGRAMS), schema, "program")
    with pg.connect() as conn:
        # 'batas_lama' (the zoning moved 1000 km east) sorts before 'geom': it was the one read silently
        conn.execute(f'ALTER TABLE "{schema}".zona ADD COLUMN batas_lama geometry(Geometry, 32648)')
        conn.execute(f'UPDATE "{schema}".zona SET batas_lama = ST_Translate(geom, 1000000, 0)')
    r = sppr("check", "--zoning", pg.uri(f"{schema}.zona"), "--programs", pg.uri(f"{schema}.program"), "--rules", RULES,
             "--out", tmp_path / "x.gpkg", env=pg.env)
    assert r.returncode == 2, r.stderr
    line = _error_line(r.stderr)
    assert "batas_lama" in line and "geom" in line and f"{schema}.zona:" in line, line
    assert not (tmp_path / "x.gpkg").exists()
    r = sppr("-q", "check", "--zoning", pg.uri(f"{schema}.zona:geom"), "--programs", pg.uri(f"{schema}.program"), "--rules", RULES,
             "--out", tmp_path / "geom.gpkg", env=pg.env)
    assert r.returncode == 0, r.stderr
    assert _statuses(tmp_path / "geom.gpkg") == reference
    r = sppr("-q", "check", "--zoning", pg.uri(f"{schema}.zona:batas_lama"), "--programs", pg.uri(f"{schema}.program"), "--rules", RULES,
             "--out", tmp_path / "lama.gpkg", env=pg.env)
    assert r.returncode == 0, r.stderr
    assert set(_statuses(tmp_path / "lama.gpkg").values()) == {"perlu_kajian"}  # no program lies 1000 km east
    r = sppr("check", "--zoning", pg.uri(f"{schema}.zona:tidak_ada"), "--programs", PROGRAMS, "--rules", RULES,
             "--out", tmp_path / "y.gpkg", env=pg.env)
    assert r.returncode == 1 and "tidak_ada" in _error_line(r.stderr) and "batas_lama" in r.stderr


def _square(conn, schema: str, table: str, x: float) -> None:
    """A table ``"schema"."table"`` holding one 10 m square at x (EPSG:32648), with a column saying which table it is."""
    conn.execute(f'CREATE TABLE "{schema}"."{table}" (id int PRIMARY KEY, asal text, geom geometry(Polygon, 32648))')
    conn.execute(f'INSERT INTO "{schema}"."{table}" VALUES (1, %s, ST_MakeEnvelope(%s, 0, %s, 10, 32648))', (table, x, x + 10))


def test_names_resolve_as_postgresql_resolves_them(pg: PG, schema: str, extra_schemas: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", pg.password)
    mixed = f"Rob_{schema}"
    extra_schemas.append(mixed)
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE SCHEMA "{mixed}"')
        _square(conn, schema, "ZONING", 0)
        _square(conn, schema, "zoning", 100)
        _square(conn, schema, "Zoning", 200)
        _square(conn, mixed, "Zoning", 300)
    cases = {
        f"{schema}.Zoning": ("zoning", 100),  # unquoted: folded to lower case
        f"{schema}.ZONING": ("zoning", 100),
        f'{schema}."ZONING"': ("ZONING", 0),  # quoted: exact
        f'"{schema}"."Zoning"': ("Zoning", 200),
        f'"{mixed}"."Zoning"': ("Zoning", 300),
    }
    for fragment, (asal, x) in cases.items():
        gdf = read_layer(pg.uri(fragment))
        assert list(gdf["asal"]) == [asal], fragment
        assert tuple(gdf.total_bounds) == (x, 0, x + 10, 10), fragment
    # the schema unquoted folds to lower case, which does not exist: an error with the quoted name to use
    r = sppr("check", "--zoning", pg.uri(f"{mixed}.Zoning"), "--programs", PROGRAMS, "--rules", RULES, "--out", "/nonexistent/x.gpkg", env=pg.env)
    assert r.returncode == 1
    line = _error_line(r.stderr)
    assert f'"{mixed}"."Zoning"' in line, line


def test_mixed_srids_in_one_column_are_refused_naming_them_and_a_row(pg: PG, schema: str, tmp_path: Path) -> None:
    load_table(pg, read_programs(PROGRAMS), schema, "program")
    with pg.connect() as conn:
        conn.execute(f'ALTER TABLE "{schema}".program ALTER COLUMN geom TYPE geometry USING geom')
        conn.execute(f'UPDATE "{schema}".program SET geom = ST_Transform(geom, 4326) WHERE gid % 2 = 0')
        srids = dict(conn.execute(f'SELECT gid, ST_SRID(geom) FROM "{schema}".program ORDER BY gid').fetchall())
    assert srids[1] == 32648 and srids[2] == 4326
    for extra in ([], ["--assume-crs", "EPSG:32648"]):
        r = sppr("check", "--zoning", ZONING, "--programs", pg.uri(f"{schema}.program"), "--rules", RULES, "--out", tmp_path / "x.gpkg",
                 *extra, env=pg.env)
        assert r.returncode == 1, r.stderr
        line = _error_line(r.stderr)
        assert "4326" in line and "32648" in line and "gid=2" in line, line
        assert not (tmp_path / "x.gpkg").exists()
    # one SRID in an unconstrained column: that SRID is the layer's CRS
    with pg.connect() as conn:
        conn.execute(f'UPDATE "{schema}".program SET geom = ST_Transform(geom, 32648) WHERE gid % 2 = 0')
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", pg.uri(f"{schema}.program"), "--rules", RULES, "--out", tmp_path / "ok.gpkg", env=pg.env)
    assert r.returncode == 0, r.stderr


# ----------------------------------------------------------------------------- case 12: no part of a password leaks


def test_redact_hides_everything_up_to_the_last_at() -> None:
    from sppr_gis.errors import redact

    for raw in (PASSWORD, quote(PASSWORD, safe="")):
        text = f"Error: cannot read postgresql://rob_user:{raw}@db.pemda.go.id:5432/rtrw#rdtr.zona (x)"
        shown = redact(text)
        _no_piece(shown, shown)
        assert "postgresql://***@db.pemda.go.id:5432/rtrw#rdtr.zona (x)" in shown
    assert redact("postgresql://gis@db/rtrw#a.b") == "postgresql://gis@db/rtrw#a.b"  # a bare user name is no secret


def test_a_password_in_the_uri_never_leaks_encoded_or_not(pg: PG, schema: str, make_role, tmp_path: Path) -> None:
    load_table(pg, read_layer(ZONING), schema, "zona")
    role = make_role(PASSWORD)
    with pg.connect() as conn:
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    no_pw = {"PGPASSWORD": "", "PGPASSFILE": str(tmp_path / "none")}
    for encode in (True, False):
        uri = _uri(pg, f"{schema}.zona", user=role, password=PASSWORD, encode=encode)
        out = tmp_path / f"ok_{encode}.gpkg"
        r = sppr("-v", "check", "--zoning", uri, "--programs", PROGRAMS, "--rules", RULES, "--out", out, env=no_pw)
        assert r.returncode == 0, r.stderr
        assert "password" in r.stderr.lower()  # the warning
        _no_piece(r.stderr + r.stdout, "stderr/stdout")
        _no_piece(out.read_bytes(), out.name)  # the issues layer names its sources
        # a wrong password: refused, one line naming host and database, nothing of it shown
        wrong = _uri(pg, f"{schema}.zona", user=role, password=PASSWORD[::-1] + "@x", encode=encode)
        r = sppr("check", "--zoning", wrong, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "no.gpkg", env=no_pw)
        assert r.returncode == 1
        line = _error_line(r.stderr)
        assert "127.0.0.1" in line and "sppr_test" in line, line
        for piece in ("1#mR", "9w/kZ", "v7xQ", "@x"):
            assert piece not in r.stderr + r.stdout
        # no server there: the same
        closed = re.sub(r":\d+/", ":1/", uri)
        r = sppr("check", "--zoning", closed, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "no.gpkg", env=no_pw)
        assert r.returncode == 1
        line = _error_line(r.stderr)
        assert "127.0.0.1" in line and "sppr_test" in line, line
        _no_piece(r.stderr + r.stdout, "a connection failure")
    # sync: the manifest's inputs, the logs, every output file
    conf = _sync_config(tmp_path, _uri(pg, f"{schema}.zona", user=role, password=PASSWORD, encode=False), pg.uri(schema))
    conf.write_text(conf.read_text(encoding="utf-8").split("\n[output]")[0], encoding="utf-8")  # no PostGIS output for this role
    r = sppr("-v", "sync", "--config", conf, "--year", "2025", "--out", tmp_path / "out", "--no-maps", env=no_pw)
    assert r.returncode == 0, r.stderr
    _no_piece(r.stderr + r.stdout, "sync's logs")
    manifest = json.loads((tmp_path / "out" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    zoning = [i for i in manifest["inputs"] if i["role"] == "zoning"][0]
    assert zoning["path"].startswith(f"postgresql://{role}@127.0.0.1") and zoning["layer"] == f"{schema}.zona"
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file() and zipfile.is_zipfile(path):  # buku_matriks.xlsx: its XML parts
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    _no_piece(zf.read(member), f"{path}/{member}")
        elif path.is_file():
            _no_piece(path.read_bytes(), str(path))


# ----------------------------------------------------------------------------- case 14: interval columns, dotted schema names


def test_an_interval_column_is_read_as_postgresqls_text(pg: PG, schema: str, tmp_path: Path) -> None:
    load_table(pg, read_programs(PROGRAMS), schema, "program")
    with pg.connect() as conn:
        conn.execute(f'ALTER TABLE "{schema}".program ADD COLUMN durasi interval, ADD COLUMN tags text[]')
        conn.execute(f"UPDATE \"{schema}\".program SET durasi = make_interval(days => gid, hours => 2), tags = ARRAY['a', gid::text]")
        expected = conn.execute(f'SELECT program_id, durasi::text, tags::text FROM "{schema}".program ORDER BY gid').fetchall()
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", pg.uri(f"{schema}.program"), "--rules", RULES, "--out", tmp_path / "x.gpkg", env=pg.env)
    assert r.returncode == 0, r.stderr
    df = pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="programs", read_geometry=False).set_index("program_id")
    assert [(p, df.loc[p, "durasi"], df.loc[p, "tags"]) for p, _, _ in expected] == expected
    assert expected[0][1] == "1 day 02:00:00"


def test_a_schema_name_with_a_dot_works_quoted_as_source_and_target(pg: PG, extra_schemas: list[str], tmp_path: Path, reference: dict[str, str]) -> None:
    source, target = f"rtrw.{uuid.uuid4().hex[:6]}", f"hasil.{uuid.uuid4().hex[:6]}"
    extra_schemas.extend([source, target])
    load_table(pg, read_layer(ZONING), source, "zona")
    r = sppr("-q", "check", "--zoning", pg.uri(f'"{source}".zona'), "--programs", PROGRAMS, "--rules", RULES, "--out", pg.uri(f'"{target}"'),
             env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        rows = dict(conn.execute(f'SELECT program_id, status FROM "{target}".programs').fetchall())
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (target.split(".")[0],)).fetchone()[0] == 0
    assert rows == reference
    # unquoted, the dot separates names: one clear line saying how to quote
    r = sppr("check", "--zoning", pg.uri(f"{source}.zona"), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "x.gpkg", env=pg.env)
    assert r.returncode == 1
    assert f'"{source}".zona' in _error_line(r.stderr)


# ----------------------------------------------------------------------------- cases 18, 19: least privilege, 63 bytes


def test_a_role_without_create_on_the_database_writes_to_the_schema_it_owns(pg: PG, schema: str, make_role) -> None:
    secret = f"lp-{uuid.uuid4().hex}"
    role = make_role(secret)
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION {role}')
        assert conn.execute("SELECT has_database_privilege(%s, current_database(), 'CREATE')", (role,)).fetchone()[0] is False
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", _uri(pg, schema, user=role),
             env={"PGPASSWORD": secret})
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        assert {"programs", "zone_shares", "issues"} <= _tables(conn, schema)
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = 'programs'", (schema,)).fetchone()[0]
    assert owner == role
    # a schema it does not have is still created where it may (here it may not: one line, nothing written)
    other = f"{schema}_new"
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", _uri(pg, other, user=role),
             env={"PGPASSWORD": secret})
    assert r.returncode == 1 and "permission denied" in _one_line(r.stderr)


def test_names_over_63_bytes_are_errors_never_truncated(pg: PG, schema: str, extra_schemas: list[str], tmp_path: Path) -> None:
    long_schema = "é" * 32  # 32 characters, 64 bytes in UTF-8
    extra_schemas.append("é" * 31)  # what PostgreSQL would have truncated it to (removed should a failing run create it)
    r = sppr("check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", pg.uri(long_schema), env=pg.env)
    assert r.returncode == 2
    line = _error_line(r.stderr)
    assert long_schema in line and "64 bytes" in line and "63" in line, line
    with pg.connect() as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'éééé%'").fetchone()[0] == 0
    long_table = "zona_" + "x" * 59  # 64 bytes; PostgreSQL would find zona_xxx... (63) if it were created
    load_table(pg, read_layer(ZONING), schema, long_table[:63])
    r = sppr("check", "--zoning", pg.uri(f"{schema}.{long_table}"), "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "x.gpkg",
             env=pg.env)
    assert r.returncode == 1
    line = _error_line(r.stderr)
    assert long_table in line and "64 bytes" in line, line
    assert not (tmp_path / "x.gpkg").exists()
    # sync: the year suffix makes a layer's table name; the config's schema is checked when it is read
    conf = _sync_config(tmp_path, str(ZONING).rsplit(":", 1)[0] + ":rdtr_subzona", pg.uri(long_schema))
    r = sppr("sync", "--config", conf, "--year", "2025", "--out", tmp_path / "out", "--no-maps", env=pg.env)
    assert r.returncode != 0 and long_schema in r.stderr and "63" in r.stderr
    assert not (tmp_path / "out" / "2025").exists()


def test_an_inputs_own_fid_and_geom_columns_are_kept(pg: PG, schema: str, tmp_path: Path) -> None:
    """A QGIS export's `fid` and a text column `geom` reach the PostGIS result as `fid_input`/`geom_input`
    (they were dropped silently); the table's own `fid` stays the key 1..n."""
    import geopandas as gpd

    progs = gpd.read_file(PROGRAMS).to_crs(4326).head(3)
    pts = progs.geometry.representative_point()
    csv = tmp_path / "rencana.csv"
    lines = ["fid,program_id,kegiatan,lon,lat,geom"]
    for k, (pid, keg, p) in enumerate(zip(progs["program_id"], progs["kegiatan"], pts)):
        lines.append(f"{101 + k},{pid},{keg},{p.x:.7f},{p.y:.7f},catatan {k}")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", csv, "--rules", RULES, "--out", pg.uri(schema), env=pg.env)
    assert r.returncode == 0, r.stderr
    with pg.connect() as conn:
        rows = conn.execute(f'SELECT fid, fid_input, geom_input, program_id FROM "{schema}".programs ORDER BY fid').fetchall()
    assert [(f, str(fi), g) for f, fi, g, _ in rows] == [(1, "101", "catatan 0"), (2, "102", "catatan 1"), (3, "103", "catatan 2")]
    assert [p for *_, p in rows] == list(progs["program_id"].astype(str))
