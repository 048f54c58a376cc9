"""PostGIS sources and targets: ``postgresql://[user@]host[:port]/dbname#schema.table``.

Layers are read and written with psycopg 3 (the optional extra
``sppr-gis[postgis]``). libpq resolves everything a URI leaves out, exactly as
``psql`` does: ``PGHOST``/``PGPORT``/``PGUSER``/``PGDATABASE``, a
``?service=NAME`` from ``pg_service.conf``, and the password from
``PGPASSWORD`` or ``~/.pgpass``. A password written in the URI is accepted
with a warning; no message built here ever holds it.

Names after ``#`` resolve as PostgreSQL resolves them: an unquoted name folds
to lower case, a ``"Quoted"`` one is exact (and may hold a dot), and a name
longer than 63 bytes is an error, never truncated. ``#schema.table:column``
names the geometry column of a table that has several (without it, several
are a usage error listing them).

Output tables are written in one transaction (all or nothing), each with a
primary key ``fid`` and a GiST index on its geometry. An existing schema is
used as it is; an existing table (with ``overwrite``) keeps its identity,
grants, views and foreign keys: its rows are replaced in place, and nothing is
ever dropped.
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
from sppr_gis.i18n import _
from sppr_gis.io.pg_uri import (
    MAX_IDENTIFIER_BYTES,
    PG_PREFIXES,
    PgSource,
    _check_length,
    _driver,
    _qname,
    _scrub,
    is_postgis,
    parse_names,
    parse_pg,
    quote_name,
    redact,
    split_uri,
    target_schema,
)
from sppr_gis.io.write import reserved_names

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "PG_PREFIXES",
    "PgSource",
    "connect",
    "is_postgis",
    "list_pg_layers",
    "parse_names",
    "parse_pg",
    "quote_name",
    "read_pg_layer",
    "redact",
    "split_uri",
    "target_schema",
    "write_postgis",
]

log = logging.getLogger(__name__)

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
        log.warning(_("{label}: a password written in the URI is used; prefer PGPASSWORD, ~/.pgpass or pg_service.conf").format(label=src.label))
    err = OutputError if for_output else InputError
    try:
        conn = psycopg.connect(src.conninfo, connect_timeout=int(os.environ.get("PGCONNECT_TIMEOUT", "10")), autocommit=True)
    except psycopg.Error as exc:
        raise err(_("{where}: cannot connect to PostgreSQL ({exc})").format(where=src.where, exc=_scrub(str(exc), src))) from None
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
        raise InputError(_("{where}: the database has no PostGIS extension (CREATE EXTENSION postgis)").format(where=src.where))
    rows = conn.execute(
        "SELECT f_table_schema, f_table_name, f_geometry_column, type, srid FROM geometry_columns "
        "WHERE f_table_schema NOT IN ('pg_catalog', 'information_schema', 'topology', 'tiger') "
        "ORDER BY f_table_schema, f_table_name, f_geometry_column"
    ).fetchall()
    return [(_qname(s, t), str(g), str(ty), int(srid or 0)) for s, t, g, ty, srid in rows]


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


#: Column types read as they are; any other (interval, json, arrays, uuid, time, ranges ...) is read as
#: PostgreSQL's own text form, which every output format can hold.
_NATIVE_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text", "varchar", "bpchar", "name", "date", "timestamp", "timestamptz"}


def _relation(conn: Any, schema: str, table: str) -> tuple[int, str] | None:
    row = conn.execute(
        "SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (schema, table),
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def read_pg_layer(text: str, *, assume_crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a PostGIS table or view as a GeoDataFrame.

    Parameters
    ----------
    text : str
        ``postgresql://.../dbname#schema.table`` (``#table`` is in ``public``).
        Names resolve as PostgreSQL resolves them: unquoted folds to lower
        case, ``"Quoted"`` is exact (``#"Rob"."Zoning"``, ``#"rtrw.2024".zona``).
        ``#schema.table:column`` names the geometry column of a table that has several.
    assume_crs : str, optional
        CRS for a geometry column without an SRID.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows in primary-key order (else as stored), 2-D geometries,
        ``attrs["source"]`` the password-free label. Columns of types other
        than numbers, text, booleans, dates and timestamps (``interval``,
        ``json``, arrays ...) are read as PostgreSQL's text form of the value.

    Raises
    ------
    InputError
        Connection failure (exit 1), no PostGIS, rows of one column in several SRIDs.
    AmbiguousLayerError
        No table named (the message lists the geometry tables), or a table with
        several geometry columns and none named (the message lists them).
    LayerError
        The named table is not a geometry table of the database, or a name is malformed.
    CRSError
        No SRID and no ``assume_crs``.
    """
    from sppr_gis.crs import ensure_crs

    src = parse_pg(text)
    names_given = src.source_names()
    with connect(src) as conn:
        layers = _layers(conn, src)
        names = [n for n, *_ in layers]
        schema, table, wanted = _named_table(src, layers, names, names_given)
        rel, label, gcol, srid, geometry_names = _geometry_column(conn, src, names, schema, table, wanted)
        attrs, keys = _attributes(conn, rel, geometry_names)
        rows = _fetch(conn, src, label, schema, table, gcol, attrs, keys)
        srid = _one_srid(rows, srid, label, gcol, attrs, keys)
        crs = _crs_of(conn, srid)
    gdf = _frame(rows, attrs, crs)
    gdf = ensure_crs(gdf, label, assume_crs)
    gdf.attrs["source"] = label
    return gdf


def _named_table(src: PgSource, layers: list[tuple[str, str, str, int]], names: list[str], names_given: tuple[str, str, str | None] | None) -> tuple[str, str, str | None]:
    """``(schema, table, geometry column or None)`` the URI names; none named is a usage error listing the geometry tables."""
    if names_given is None:
        shown = ", ".join(f"{n} ({ty})" for n, _, ty, _ in layers) or "none"
        if not layers:
            raise LayerError(_("{label}: no geometry table in database {dbname}").format(label=src.label, dbname=src.dbname))
        raise AmbiguousLayerError(
            _("{label}: {n} geometry tables and none named ({shown}); name one as {label}#{names}").format(label=src.label, n=len(layers), shown=shown, names=names[0]),
            path=src.label,
            layers=tuple(names),
        )
    return names_given


def _geometry_column(conn: Any, src: PgSource, names: list[str], schema: str, table: str, wanted: str | None) -> tuple[tuple[int, str], str, str, int, list[str]]:
    """The table's relation, its label for messages, the geometry column read and its SRID, and all its geometry columns.

    A table that is not a geometry table, or one with several geometry columns and none named, is an error naming them.
    """
    full = _qname(schema, table)
    label = f"{src.label}#{full}"
    rel = _relation(conn, schema, table)
    gcols = conn.execute(
        "SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s ORDER BY f_geometry_column",
        (schema, table),
    ).fetchall()
    if rel is None or not gcols:
        near = [n for n in names if n.replace('"', "").casefold() == f"{schema}.{table}".casefold()]
        hint = _("; names are folded to lower case unless quoted: did you mean #{name}?").format(name=near[0]) if near else ""
        what = _("not a geometry table") if rel is not None else _("no such table or view")
        raise LayerError(_("{label}: {what} (geometry tables: {names}){hint}").format(label=label, what=what, names=', '.join(names) or _("none"), hint=hint))
    geometry_names = [str(g) for g, _ in gcols]
    if wanted is None and len(gcols) > 1:
        raise AmbiguousLayerError(
            _("{label}: {n} geometry columns ({geometry_names}) and none named; name one as {label}:{geometry_names2}").format(label=label, n=len(gcols), geometry_names=', '.join(geometry_names), geometry_names2=quote_name(geometry_names[0])),
            path=label,
            layers=tuple(f"{full}:{quote_name(g)}" for g in geometry_names),
        )
    if wanted is not None and wanted not in geometry_names:
        raise LayerError(_("{label}: no geometry column {wanted} (geometry columns: {geometry_names})").format(label=label, wanted=quote_name(wanted), geometry_names=', '.join(geometry_names)))
    gcol, srid = next((str(g), int(sr or 0)) for g, sr in gcols if wanted is None or g == wanted)
    if len(gcols) > 1:
        label = f"{label}:{quote_name(gcol)}"
    return rel, label, gcol, srid, geometry_names


def _attributes(conn: Any, rel: tuple[int, str], geometry_names: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The attribute columns ``(name, type)`` in table order (no geometry or geography), and the primary key's columns."""
    columns = conn.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (rel[0],),
    ).fetchall()
    keys = [
        r[0]
        for r in conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s AND i.indisprimary",
            (rel[0],),
        ).fetchall()
    ]
    # the other geometry (and geography) columns are not attributes
    attrs = [(str(c), str(t)) for c, t in columns if c not in geometry_names and t not in ("geometry", "geography")]
    return attrs, keys


def _fetch(conn: Any, src: PgSource, label: str, schema: str, table: str, gcol: str, attrs: list[tuple[str, str]], keys: list[str]) -> list[tuple]:
    """The rows: attributes (as PostgreSQL's text form when not a native type), WKB and SRID, in primary-key order."""
    from psycopg import sql

    query = sql.SQL("SELECT {cols}ST_AsBinary({g}), ST_SRID({g}) FROM {t}{order}").format(
        cols=sql.SQL("").join(
            sql.SQL("{}, ").format(sql.Identifier(c) if t in _NATIVE_TYPES else sql.SQL("{}::text").format(sql.Identifier(c))) for c, t in attrs
        ),
        g=sql.Identifier(gcol),
        t=sql.Identifier(schema, table),
        order=sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(sql.Identifier(k) for k in keys)) if keys else sql.SQL(""),
    )
    try:
        rows = conn.execute(query).fetchall()
    except Exception as exc:
        raise InputError(_("{label}: cannot be read ({exc})").format(label=label, exc=_scrub(str(exc), src))) from None
    return rows


def _one_srid(rows: list[tuple], srid: int, label: str, gcol: str, attrs: list[tuple[str, str]], keys: list[str]) -> int:
    """The SRID of the rows (the column's, else the rows' own); rows in several SRIDs are an error naming two of them."""
    srids = [r[-1] for r in rows]
    found = sorted({int(s) for s in srids if s is not None})
    if len(found) > 1:
        first = next(int(s) for s in srids if s is not None)
        i = next(i for i, s in enumerate(srids) if s is not None and int(s) != first)
        j = next(i for i, s in enumerate(srids) if s is not None)
        raise InputError(
            _("{label}: the geometries of column {gcol} are in several SRIDs ({found}): {row_name} has SRID {srids}, {row_name2} has SRID {first}; bring them to one (ST_Transform) first").format(label=label, gcol=quote_name(gcol), found=', '.join(map(str, found)), row_name=_row_name(rows[i], i, attrs, keys), srids=srids[i], row_name2=_row_name(rows[j], j, attrs, keys), first=first)
        )
    if not srid and found:
        srid = found[0]
    return srid


def _frame(rows: list[tuple], attrs: list[tuple[str, str]], crs: Any) -> gpd.GeoDataFrame:
    """The rows as a GeoDataFrame of 2-D geometries in a column named ``geometry``."""
    names_out = [c for c, _ in attrs]
    data = {c: [_plain_value(r[i]) for r in rows] for i, c in enumerate(names_out)}
    wkb = [r[len(attrs)] for r in rows]
    geoms = shapely.from_wkb(np.array([bytes(b) if b is not None else None for b in wkb], dtype=object))
    gdf = gpd.GeoDataFrame(pd.DataFrame(data, columns=names_out), geometry=gpd.GeoSeries(shapely.force_2d(geoms)), crs=crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    return gdf


def _row_name(row: tuple, index: int, attrs: list[tuple[str, str]], keys: list[str]) -> str:
    """A row for messages: its primary key when it has one, else its position (1-based, as read)."""
    names = [c for c, _ in attrs]
    shown = [f"{k}={row[names.index(k)]}" for k in keys if k in names]
    return f"the row {', '.join(shown)}" if shown else f"row {index + 1}"


def _pg_type(s: pd.Series) -> str:
    """The column type for a Series, spelled as PostgreSQL's ``format_type`` spells it."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "bigint"
    if pd.api.types.is_float_dtype(dt):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "timestamp with time zone" if getattr(dt, "tz", None) is not None else "timestamp without time zone"
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


@dataclass
class _Table:
    """What one layer becomes: its columns (``fid`` first, ``geom`` last) with their types."""

    df: pd.DataFrame
    gcol: str | None
    attrs: list[str]
    kinds: list[str]
    srid: int

    @property
    def columns(self) -> list[tuple[str, str]]:
        cols = [("fid", "bigint"), *zip(self.attrs, self.kinds)]
        if self.gcol is not None:
            cols.append(("geom", f"geometry(Geometry,{self.srid})" if self.srid else "geometry(Geometry)"))
        return cols


def _plan(df: pd.DataFrame, where: str) -> _Table:
    gcol = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    df = reserved_names(df, where)  # an input's own fid/geom column is kept as fid_input/geom_input
    attrs = [str(c) for c in df.columns if c != gcol]
    for c in attrs:
        try:
            _check_length(c, "column")
        except LayerError as exc:
            raise OutputError(f"{where}: {exc}") from None
    srid = 0
    if gcol is not None:
        epsg = df.crs.to_epsg() if df.crs is not None else None
        srid = int(epsg or 0)
    return _Table(df, gcol, attrs, [_pg_type(df[c]) for c in attrs], srid)


def write_postgis(layers: Mapping[str, pd.DataFrame], target: str, *, overwrite: bool = False, suffix: str = "") -> list[str]:
    """Write result layers as tables of one schema, in one transaction.

    Parameters
    ----------
    layers : mapping of name to (Geo)DataFrame
        GeoDataFrames get a ``geom`` column (``geometry(Geometry, SRID)``) and a GiST index.
    target : str
        ``postgresql://.../dbname#schema`` (default ``public``; ``#"My.Schema"`` is
        exact). An existing schema is used as it is (no database-level CREATE
        privilege needed); a missing one is created.
    overwrite : bool
        Replace the rows of existing tables in place: the tables themselves stay,
        with their grants, views, foreign keys and indexes. Rows are matched by
        ``fid``: a row whose ``fid`` remains is updated (so a foreign key on it
        holds), the rest are deleted. Without ``overwrite`` an existing table is
        an error and nothing is written. Nothing is ever dropped, nor CASCADE used.
    suffix : str
        Appended to every table name (``_2025`` for a sync year).

    Returns
    -------
    list of str
        The tables written, ``schema.table``.

    Raises
    ------
    OutputError
        Connection failure, a name longer than 63 bytes, an existing table
        without ``overwrite``, an existing table whose columns changed while
        other objects (views, foreign keys ...) depend on it (they are named), or
        any failure while writing; then no table is created or changed.
    """
    from psycopg import sql

    src = parse_pg(target)
    try:
        schema = target_schema(target)
    except LayerError as exc:
        raise OutputError(f"{src.label}: {exc}") from None
    plans: dict[str, _Table] = {}
    for name, df in layers.items():
        table = f"{name}{suffix}"
        where = f"{src.label}#{_qname(schema, table)}"
        try:
            _check_length(table, "the table name")
        except LayerError as exc:
            raise OutputError(f"{where}: {exc}") from None
        plans[table] = _plan(df, where)
    written: list[str] = []
    with connect(src, for_output=True) as conn:
        if not _has_postgis(conn):
            raise OutputError(_("{where}: the database has no PostGIS extension (CREATE EXTENSION postgis)").format(where=src.where))
        try:
            with conn.transaction():
                # CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists
                if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
                    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                conn.execute("SET CONSTRAINTS ALL DEFERRED")
                for table, plan in plans.items():
                    label = f"{src.label}#{_qname(schema, table)}"
                    rel = _relation(conn, schema, table)
                    if rel is not None and not overwrite:
                        raise OutputError(_("{label}: the table exists (give --overwrite to replace it); nothing was written").format(label=label))
                    if rel is None:
                        _create_table(conn, plan, schema, table)
                        _copy_rows(conn, plan, sql.Identifier(schema, table))
                    elif rel[1] not in ("r", "p"):
                        raise OutputError(_("{label}: exists and is not a table (a view or another relation); nothing was written").format(label=label))
                    else:
                        _replace_rows(conn, plan, schema, table, rel[0], label)
                    written.append(_qname(schema, table))
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError(_("{label}#{schema}: writing failed, nothing was written ({exc})").format(label=src.label, schema=quote_name(schema), exc=_scrub(str(exc), src))) from None
    return written


def _index_name(table: str) -> str:
    name = f"{table}_geom_idx"
    if len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return name
    import hashlib

    digest = hashlib.sha1(table.encode("utf-8")).hexdigest()[:10]
    return f"sppr_{digest}_geom_idx"


def _create_table(conn: Any, plan: _Table, schema: str, table: str) -> None:
    from psycopg import sql

    ident = sql.Identifier(schema, table)
    defs = [sql.SQL("{} {}{}").format(sql.Identifier(c), sql.SQL(k), sql.SQL(" PRIMARY KEY" if c == "fid" else "")) for c, k in plan.columns]
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
    if plan.gcol is not None:
        conn.execute(sql.SQL("CREATE INDEX {} ON {} USING GIST (geom)").format(sql.Identifier(_index_name(table)), ident))


def _rows(plan: _Table) -> Iterator[list[Any]]:
    df = plan.df
    hexes = None
    if plan.gcol is not None:
        geoms = np.asarray(df.geometry.values, dtype=object)
        hexes = shapely.to_wkb(shapely.set_srid(geoms, plan.srid), hex=True, include_srid=True)
    columns = [df[c].to_numpy(dtype=object) for c in plan.attrs]
    for i in range(len(df)):
        row = [i + 1] + [_cell(col[i], k) for col, k in zip(columns, plan.kinds)]
        if hexes is not None:
            row.append(hexes[i])
        yield row


def _copy_rows(conn: Any, plan: _Table, ident: Any) -> None:
    from psycopg import sql

    names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in plan.columns)
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(ident, names)) as copy:
        for row in _rows(plan):
            copy.write_row(row)


def _dependents(conn: Any, oid: int) -> list[str]:
    """The objects that depend on a table and would block changing its columns.

    Views and materialized views (through their rewrite rules), foreign keys
    of other tables that reference it, and any other normal dependency that
    PostgreSQL records in ``pg_depend`` (functions with SQL bodies, ...).

    Parameters
    ----------
    conn : psycopg.Connection
    oid : int
        The table's ``pg_class`` oid.

    Returns
    -------
    list of str
        One description each, e.g. ``view laporan.v_programs``, sorted.
    """
    rows = conn.execute(
        """
        SELECT DISTINCT CASE
            WHEN d.classid = 'pg_rewrite'::regclass THEN (
                SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END
                       || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE r.oid = d.objid)
            WHEN d.classid = 'pg_constraint'::regclass THEN (
                SELECT 'foreign key ' || quote_ident(k.conname) || ' of ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE k.oid = d.objid)
            ELSE pg_describe_object(d.classid, d.objid, d.objsubid)
        END
        FROM pg_depend d
        WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = %s AND d.deptype = 'n'
          AND NOT (d.classid = 'pg_class'::regclass AND d.objid = %s)
        """,
        (oid, oid),
    ).fetchall()
    return sorted({str(r[0]) for r in rows if r[0]})


def _replace_rows(conn: Any, plan: _Table, schema: str, table: str, oid: int, label: str) -> None:
    """Replace an existing table's rows in place (its grants, views, foreign keys and indexes stay)."""
    from psycopg import sql

    ident = sql.Identifier(schema, table)
    existing = dict(
        conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (oid,),
        ).fetchall()
    )
    wanted = dict(plan.columns)
    # A column the result does not write (an agency's own, e.g. a verification note) is the agency's:
    # it is never dropped, and keeps its values on the rows that stay (they are updated by fid).
    changed = [c for c, k in wanted.items() if c in existing and existing[c] != k]
    added = [c for c in wanted if c not in existing]
    emptied = False
    if changed:
        deps = _dependents(conn, oid)
        if deps:
            what = ", ".join(f"{quote_name(c)} {existing[c]} -> {wanted[c]}" for c in changed)
            raise OutputError(
                _("{label}: the result's column types differ from the existing table's (type changed: {what}) and other objects depend on it: {deps}; nothing was written (adapt or drop them yourself, or write to another schema)").format(label=label, what=what, deps=', '.join(deps))
            )
        # nothing depends on the table: it is emptied and the changed columns take the result's types
        conn.execute(sql.SQL("DELETE FROM {}").format(ident))
        emptied = True
        for c in changed:
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL").format(ident, sql.Identifier(c), sql.SQL(wanted[c])))
    for c in added:
        conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(ident, sql.Identifier(c), sql.SQL(wanted[c])))
    keyed = conn.execute(
        "SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE i.indrelid = %s AND i.indisunique AND i.indnatts = 1 AND a.attname = 'fid' AND i.indpred IS NULL",
        (oid,),
    ).fetchone() is not None
    if not keyed:
        if not emptied:
            conn.execute(sql.SQL("DELETE FROM {}").format(ident))
            emptied = True
        if conn.execute("SELECT 1 FROM pg_index WHERE indrelid = %s AND indisprimary", (oid,)).fetchone() is None:
            conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (fid)").format(ident))
    if plan.gcol is not None:
        gist = conn.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am m ON m.oid = c.relam "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = %s AND m.amname = 'gist' AND a.attname = 'geom'",
            (oid,),
        ).fetchone()
        if gist is None:
            conn.execute(sql.SQL("CREATE INDEX {} ON {} USING GIST (geom)").format(sql.Identifier(_index_name(table)), ident))
    if emptied or not keyed:
        _copy_rows(conn, plan, ident)
        return
    # rows matched by fid: a row that stays is updated, never deleted and inserted again, so the
    # agency's foreign keys on it hold (and their ON DELETE actions do not fire); the rest go
    conn.execute(sql.SQL("DELETE FROM {} WHERE fid > %s OR fid < 1").format(ident), (len(plan.df),))
    cols = [c for c, _ in plan.columns]
    update = (
        sql.SQL("DO UPDATE SET {}").format(sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in cols[1:]))
        if len(cols) > 1
        else sql.SQL("DO NOTHING")
    )
    insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (fid) {}").format(
        ident, sql.SQL(", ").join(map(sql.Identifier, cols)), sql.SQL(", ").join([sql.Placeholder()] * len(cols)), update
    )
    with conn.cursor() as cur:
        cur.executemany(insert, _rows(plan))
