"""PostGIS sources and targets: ``postgresql://[user@]host[:port]/dbname#schema.table``.

Layers are read and written with psycopg 3 (the optional extra
``sppr-gis[postgis]``). libpq resolves everything a URI leaves out, exactly as
``psql`` does: ``PGHOST``/``PGPORT``/``PGUSER``/``PGDATABASE``, a
``?service=NAME`` from ``pg_service.conf``, and the password from
``PGPASSWORD`` or ``~/.pgpass``. A password written in the URI is accepted
with a warning; no message built here ever holds it.

Output tables are written in one transaction (all or nothing), each with a
primary key ``fid`` and a GiST index on its geometry.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.errors import AmbiguousLayerError, InputError, LayerError, OutputError

__all__ = ["PG_PREFIXES", "PgSource", "is_postgis", "parse_pg", "connect", "list_pg_layers", "read_pg_layer", "write_postgis"]

log = logging.getLogger(__name__)

#: URI schemes read as PostGIS.
PG_PREFIXES = ("postgresql://", "postgres://")


def is_postgis(text: object) -> bool:
    """Whether ``text`` is a PostgreSQL URI (``postgresql://...``)."""
    return isinstance(text, str) and text.strip().lower().startswith(PG_PREFIXES)


@dataclass(frozen=True)
class PgSource:
    """A PostgreSQL URI split into what libpq gets and what sppr_gis uses.

    Attributes
    ----------
    conninfo : str
        The URI without its ``#fragment`` (given to libpq as is).
    fragment : str or None
        ``schema.table`` (a source), ``table`` (in ``public``) or ``schema`` (a target).
    host : str
        Host for messages (from the URI, else ``PGHOST``, else the service, else ``localhost``).
    dbname : str
        Database for messages.
    label : str
        The URI with any password removed: safe for messages, logs and manifests.
    has_password : bool
        The URI itself holds a password.
    """

    conninfo: str
    fragment: str | None
    host: str
    dbname: str
    label: str
    has_password: bool = False

    @property
    def where(self) -> str:
        """``host/dbname`` for messages."""
        return f"{self.host}/{self.dbname}"

    def split_table(self) -> tuple[str, str] | None:
        """``(schema, table)`` from the fragment (``public`` when only a table is named)."""
        if not self.fragment:
            return None
        if "." in self.fragment:
            schema, table = self.fragment.split(".", 1)
            return schema or "public", table
        return "public", self.fragment


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise InputError("PostGIS needs the psycopg package: pip install 'sppr-gis[postgis]'") from None
    return psycopg


def parse_pg(text: str) -> PgSource:
    """Split a PostgreSQL URI into the libpq part, the ``#fragment`` and a password-free label.

    Parameters
    ----------
    text : str
        ``postgresql://[user[:password]@]host[:port]/dbname[?service=...]#schema.table``.

    Returns
    -------
    PgSource

    Raises
    ------
    InputError
        Not a URI libpq accepts (the message never holds the password).
    """
    text = text.strip()
    conninfo, _, fragment = text.partition("#")
    psycopg = _driver()
    try:
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
    except Exception:
        raise InputError("not a valid PostgreSQL URI (postgresql://[user@]host[:port]/dbname#schema.table)") from None
    service = params.get("service")
    host = str(params.get("host") or os.environ.get("PGHOST") or (f"service {service}" if service else "localhost"))
    dbname = str(params.get("dbname") or os.environ.get("PGDATABASE") or params.get("user") or os.environ.get("PGUSER") or (f"service {service}" if service else "?"))
    user = params.get("user")
    port = params.get("port")
    label = "postgresql://" + (f"{user}@" if user else "") + str(params.get("host") or "") + (f":{port}" if port else "") + "/" + str(params.get("dbname") or "")
    if service:
        label += f"?service={service}"
    return PgSource(conninfo, fragment.strip() or None, host, dbname, label, has_password=bool(params.get("password")))


def _scrub(message: str, src: PgSource) -> str:
    """One line of a driver message, any password removed."""
    lines = [ln.strip() for ln in str(message).strip().splitlines() if ln.strip()]
    line = "; ".join(lines[:2]) if lines else "unknown error"
    with contextlib.suppress(Exception):
        pw = _driver().conninfo.conninfo_to_dict(src.conninfo).get("password")
        if pw:
            line = line.replace(str(pw), "***")
    return line


@contextlib.contextmanager
def connect(src: PgSource | str, *, for_output: bool = False) -> Iterator[Any]:
    """A psycopg connection; a failure is one line naming host and database.

    Parameters
    ----------
    src : PgSource or str
    for_output : bool
        Raise :class:`OutputError` rather than :class:`InputError`.

    Yields
    ------
    psycopg.Connection
        Closed on exit (not committed: callers use ``conn.transaction()``).
    """
    if isinstance(src, str):
        src = parse_pg(src)
    psycopg = _driver()
    if src.has_password:
        log.warning("%s: a password written in the URI is used; prefer PGPASSWORD, ~/.pgpass or pg_service.conf", src.label)
    err = OutputError if for_output else InputError
    try:
        conn = psycopg.connect(src.conninfo, connect_timeout=int(os.environ.get("PGCONNECT_TIMEOUT", "10")), autocommit=True)
    except psycopg.Error as exc:
        raise err(f"{src.where}: cannot connect to PostgreSQL ({_scrub(str(exc), src)})") from None
    try:
        yield conn
    finally:
        conn.close()


def _has_postgis(conn: Any) -> bool:
    return conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is not None


def list_pg_layers(src: PgSource | str) -> list[tuple[str, str, str, int]]:
    """The geometry tables and views of a database: ``(schema.table, geometry column, type, srid)``.

    Parameters
    ----------
    src : PgSource or str

    Returns
    -------
    list of tuple
    """
    if isinstance(src, str):
        src = parse_pg(src)
    with connect(src) as conn:
        return _layers(conn, src)


def _layers(conn: Any, src: PgSource) -> list[tuple[str, str, str, int]]:
    if not _has_postgis(conn):
        raise InputError(f"{src.where}: the database has no PostGIS extension (CREATE EXTENSION postgis)")
    rows = conn.execute(
        "SELECT f_table_schema, f_table_name, f_geometry_column, type, srid FROM geometry_columns "
        "WHERE f_table_schema NOT IN ('pg_catalog', 'information_schema', 'topology', 'tiger') "
        "ORDER BY f_table_schema, f_table_name, f_geometry_column"
    ).fetchall()
    return [(f"{s}.{t}", str(g), str(ty), int(srid or 0)) for s, t, g, ty, srid in rows]


def _crs_of(conn: Any, srid: int) -> Any:
    if not srid:
        return None
    row = conn.execute("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = %s", (srid,)).fetchone()
    if row is None:
        return f"EPSG:{srid}"
    auth, code, wkt = row
    return f"{auth}:{code}" if auth and code else wkt


def _plain_value(v: Any) -> Any:
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return v


def read_pg_layer(text: str, *, assume_crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a PostGIS table or view as a GeoDataFrame.

    Parameters
    ----------
    text : str
        ``postgresql://.../dbname#schema.table`` (``#table`` is in ``public``).
    assume_crs : str, optional
        CRS for a geometry column without an SRID.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows in primary-key order (else as stored), 2-D geometries,
        ``attrs["source"]`` the password-free label.

    Raises
    ------
    InputError
        Connection failure (exit 1), no PostGIS.
    AmbiguousLayerError
        No table named: the message lists the geometry tables.
    LayerError
        The named table is not a geometry table of the database.
    CRSError
        No SRID and no ``assume_crs``.
    """
    from psycopg import sql

    from sppr_gis.crs import ensure_crs

    src = parse_pg(text)
    with connect(src) as conn:
        layers = _layers(conn, src)
        names = [n for n, *_ in layers]
        st = src.split_table()
        if st is None:
            shown = ", ".join(f"{n} ({ty})" for n, _, ty, _ in layers) or "none"
            if not layers:
                raise LayerError(f"{src.label}: no geometry table in database {src.dbname}")
            raise AmbiguousLayerError(
                f"{src.label}: {len(layers)} geometry tables and none named ({shown}); name one as {src.label}#{names[0]}",
                path=src.label,
                layers=tuple(names),
            )
        schema, table = st
        hits = [row for row in layers if row[0] == f"{schema}.{table}"] or [row for row in layers if row[0].casefold() == f"{schema}.{table}".casefold()]
        if not hits:
            raise LayerError(f"{src.label}: no geometry table '{schema}.{table}' (geometry tables: {', '.join(names) or 'none'})")
        full, gcol, _, srid = hits[0]
        schema, table = full.split(".", 1)
        label = f"{src.label}#{full}"
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                (sql.Identifier(schema, table).as_string(conn),),
            ).fetchall()
        ]
        keys = [
            r[0]
            for r in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (sql.Identifier(schema, table).as_string(conn),),
            ).fetchall()
        ]
        attrs = [c for c in cols if c != gcol]
        geo_types = {r[0] for r in conn.execute("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s", (schema, table)).fetchall()}
        attrs = [c for c in attrs if c not in geo_types]
        query = sql.SQL("SELECT {cols}ST_AsBinary({g}) FROM {t}{order}").format(
            cols=sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(c)) for c in attrs),
            g=sql.Identifier(gcol),
            t=sql.Identifier(schema, table),
            order=sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(sql.Identifier(k) for k in keys)) if keys else sql.SQL(""),
        )
        try:
            rows = conn.execute(query).fetchall()
        except Exception as exc:
            raise InputError(f"{label}: cannot be read ({_scrub(str(exc), src)})") from None
        crs = _crs_of(conn, srid)
    data = {c: [_plain_value(r[i]) for r in rows] for i, c in enumerate(attrs)}
    wkb = [r[len(attrs)] for r in rows]
    geoms = shapely.from_wkb(np.array([bytes(b) if b is not None else None for b in wkb], dtype=object))
    gdf = gpd.GeoDataFrame(pd.DataFrame(data), geometry=gpd.GeoSeries(shapely.force_2d(geoms)), crs=crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf = ensure_crs(gdf, label, assume_crs)
    gdf.attrs["source"] = label
    return gdf


def _pg_type(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "bigint"
    if pd.api.types.is_float_dtype(dt):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "timestamptz" if getattr(dt, "tz", None) is not None else "timestamp"
    vals = [v for v in s if v is not None and not (isinstance(v, float) and math.isnan(v)) and v is not pd.NA]
    if vals and all(isinstance(v, (bool, np.bool_)) for v in vals):
        return "boolean"
    if vals and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "bigint"
    if vals and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "double precision"
    return "text"


def _cell(v: Any, kind: str) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None  # no NaN or Infinity reaches an output
    if kind == "text" and not isinstance(v, str):
        return str(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def write_postgis(layers: Mapping[str, pd.DataFrame], target: str, *, overwrite: bool = False, suffix: str = "") -> list[str]:
    """Write result layers as tables of one schema, in one transaction.

    Parameters
    ----------
    layers : mapping of name to (Geo)DataFrame
        GeoDataFrames get a ``geom`` column (``geometry(Geometry, SRID)``) and a GiST index.
    target : str
        ``postgresql://.../dbname#schema`` (the schema is created if missing; default ``public``).
    overwrite : bool
        Replace existing tables; otherwise an existing table is an error and nothing is written.
    suffix : str
        Appended to every table name (``_2025`` for a sync year).

    Returns
    -------
    list of str
        The tables written, ``schema.table``.

    Raises
    ------
    OutputError
        Connection failure, an existing table without ``overwrite``, or any
        failure while writing; then no table is created or changed.
    """
    from psycopg import sql

    src = parse_pg(target)
    schema = (src.fragment or "public").strip()
    if "." in schema:
        raise OutputError(f"{src.label}#{schema}: name a schema as the target (#schema), not a table; tables are named after the layers")
    written: list[str] = []
    with connect(src, for_output=True) as conn:
        if not _has_postgis(conn):
            raise OutputError(f"{src.where}: the database has no PostGIS extension (CREATE EXTENSION postgis)")
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                for name, df in layers.items():
                    table = f"{name}{suffix}"
                    ident = sql.Identifier(schema, table)
                    exists = conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()[0] is not None
                    if exists and not overwrite:
                        raise OutputError(f"{src.label}#{schema}.{table}: the table exists (give --overwrite to replace it); nothing was written")
                    if exists:
                        conn.execute(sql.SQL("DROP TABLE {} CASCADE").format(ident))
                    _write_table(conn, df, schema, table)
                    written.append(f"{schema}.{table}")
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError(f"{src.label}#{schema}: writing failed, nothing was written ({_scrub(str(exc), src)})") from None
    return written


def _write_table(conn: Any, df: pd.DataFrame, schema: str, table: str) -> None:
    from psycopg import sql

    gcol = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    attrs = [c for c in df.columns if c != gcol and str(c).lower() not in {"fid", "geom"}]
    kinds = [_pg_type(df[c]) for c in attrs]
    defs = [sql.SQL("fid bigint PRIMARY KEY")]
    defs += [sql.SQL("{} {}").format(sql.Identifier(str(c)), sql.SQL(k)) for c, k in zip(attrs, kinds)]
    srid = 0
    if gcol is not None:
        crs = df.crs
        epsg = crs.to_epsg() if crs is not None else None
        srid = int(epsg or 0)
        defs.append(sql.SQL("geom geometry(Geometry, {})").format(sql.Literal(srid)))
    ident = sql.Identifier(schema, table)
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
    names = [sql.Identifier("fid")] + [sql.Identifier(str(c)) for c in attrs] + ([sql.Identifier("geom")] if gcol else [])
    if gcol is not None:
        geoms = np.asarray(df.geometry.values, dtype=object)
        hexes = shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True)
    columns = [df[c].to_numpy(dtype=object) for c in attrs]
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(ident, sql.SQL(", ").join(names))) as copy:
        for i in range(len(df)):
            row = [i + 1] + [_cell(col[i], k) for col, k in zip(columns, kinds)]
            if gcol is not None:
                row.append(hexes[i])
            copy.write_row(row)
    if gcol is not None:
        conn.execute(sql.SQL("CREATE INDEX {} ON {} USING GIST (geom)").format(sql.Identifier(f"{table}_geom_idx"[:63]), ident))
