"""Helpers and fixtures for the robustness suite: a real PostgreSQL + PostGIS server, real child processes, real mounts.

PostGIS tests need ``SPPR_TEST_PG`` (``postgresql://user@host:port/db`` of a database with the postgis
extension, the role allowed to create schemas) and ``SPPR_TEST_PGPASSWORD``; ``.ci/run`` installs and
starts such a server. Without one they skip, saying why; with ``SPPR_REQUIRE_POSTGIS=1`` (set by
``.ci/run``) they fail instead, so CI never skips them silently.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
ZONING = f"{SAMPLE / 'zoning.gpkg'}:rdtr_subzona"
PROGRAMS = SAMPLE / "rencana_pupr.gpkg"
RULES = SAMPLE / "itbx.csv"


def sppr(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``sppr`` in a child process (stdout and stderr captured as text)."""
    full = {**os.environ, **(env or {})}
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "sppr_cli", *map(str, args)], capture_output=True, text=True, env=full, cwd=cwd, timeout=timeout)


def sppr_popen(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """Start the real ``sppr`` as a child process."""
    return subprocess.Popen([sys.executable, "-m", "sppr_cli", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=cwd)


@dataclass(frozen=True)
class PG:
    """The test server: ``dsn`` has no password; ``password`` is given through PGPASSWORD."""

    dsn: str
    password: str

    @property
    def env(self) -> dict[str, str]:
        return {"PGPASSWORD": self.password}

    def connect(self):
        import psycopg

        return psycopg.connect(self.dsn, password=self.password, autocommit=True)

    def uri(self, fragment: str = "", password: str | None = None) -> str:
        dsn = self.dsn
        if password is not None:
            scheme, rest = dsn.split("://", 1)
            user, host = rest.split("@", 1)
            dsn = f"{scheme}://{user}:{password}@{host}"
        return dsn + (f"#{fragment}" if fragment else "")


def _unavailable(reason: str) -> None:
    if os.environ.get("SPPR_REQUIRE_POSTGIS") == "1":
        pytest.fail(f"PostGIS tests required (SPPR_REQUIRE_POSTGIS=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg() -> PG:
    """The PostgreSQL + PostGIS server named by SPPR_TEST_PG (skip, or fail under SPPR_REQUIRE_POSTGIS=1)."""
    dsn = os.environ.get("SPPR_TEST_PG")
    if not dsn:
        _unavailable("no PostgreSQL + PostGIS server: set SPPR_TEST_PG=postgresql://user@host:port/db and SPPR_TEST_PGPASSWORD (.ci/run starts one)")
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install '.[postgis]')")
    server = PG(dsn, os.environ.get("SPPR_TEST_PGPASSWORD", ""))
    try:
        with server.connect() as conn:
            if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
                _unavailable(f"the database of SPPR_TEST_PG has no postgis extension")
    except psycopg.Error as exc:
        _unavailable(f"cannot connect to SPPR_TEST_PG ({str(exc).strip().splitlines()[0]})")
    return server


@pytest.fixture
def schema(pg: PG) -> Iterator[str]:
    """A fresh schema name, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    yield name
    with pg.connect() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def load_table(pg: PG, frame, schema: str, table: str) -> None:
    """Put a GeoDataFrame into PostGIS with plain SQL (ST_GeomFromWKB), independent of sppr_gis's writer."""
    import shapely

    srid = frame.crs.to_epsg()
    cols = [c for c in frame.columns if c != frame.geometry.name]
    with pg.connect() as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        defs = ", ".join(f'"{c}" text' for c in cols)
        conn.execute(f'CREATE TABLE "{schema}"."{table}" (gid serial PRIMARY KEY, {defs}{", " if defs else ""}geom geometry(Geometry, {srid}))')
        ph = ", ".join(["%s"] * len(cols))
        sql = f'INSERT INTO "{schema}"."{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}{", " if cols else ""}geom) VALUES ({ph}{", " if cols else ""}ST_GeomFromWKB(%s, {srid}))'
        with conn.cursor() as cur:
            for _, row in frame.iterrows():
                g = row[frame.geometry.name]
                vals = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in (row[c] for c in cols)]
                cur.execute(sql, [*vals, None if g is None else shapely.to_wkb(g)])


def can_mount() -> str | None:
    """``None`` when this process may mount a tmpfs (root in a namespace allowing it), else why not."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    probe = Path(f"/tmp/sppr-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True, text=True)
        if r.returncode != 0:
            return f"cannot mount a tmpfs here ({r.stderr.strip() or r.returncode})"
        subprocess.run(["umount", str(probe)], check=False)
        return None
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "64k", readonly: bool = False) -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``path`` (read-only after mounting when asked)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount_readonly(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


@pytest.fixture(scope="session")
def mountable() -> None:
    reason = can_mount()
    if reason:
        pytest.skip(reason)
