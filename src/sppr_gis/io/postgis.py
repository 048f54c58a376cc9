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
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.errors import AmbiguousLayerError, InputError, LayerError, OutputError
from sppr_gis.i18n import _
from sppr_gis.io.write import reserved_names

__all__ = [
    "PG_PREFIXES",
    "MAX_IDENTIFIER_BYTES",
    "PgSource",
    "is_postgis",
    "parse_pg",
    "parse_names",
    "quote_name",
    "split_uri",
    "target_schema",
    "redact",
    "connect",
    "list_pg_layers",
    "read_pg_layer",
    "write_postgis",
]

log = logging.getLogger(__name__)

#: URI schemes read as PostGIS.
PG_PREFIXES = ("postgresql://", "postgres://")


def is_postgis(text: object) -> bool:
    """Whether ``text`` is a PostgreSQL URI (``postgresql://...``)."""
    return isinstance(text, str) and text.strip().lower().startswith(PG_PREFIXES)


#: PostgreSQL's longest identifier (NAMEDATALEN - 1 bytes); a longer one would be truncated silently.
MAX_IDENTIFIER_BYTES = 63

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def quote_name(name: str) -> str:
    """``name`` as it is written in SQL: bare when PostgreSQL would read it back unchanged, else "quoted"."""
    return name if _PLAIN_NAME.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def _check_length(name: str, what: str) -> str:
    size = len(name.encode("utf-8"))
    if size > MAX_IDENTIFIER_BYTES:
        raise LayerError(
            _("{what} {name} is {size} bytes long; PostgreSQL keeps at most {max_identifier_bytes} bytes of a name and would truncate it: give a shorter name").format(what=what, name=quote_name(name), size=size, max_identifier_bytes=MAX_IDENTIFIER_BYTES)
        )
    return name


def parse_names(fragment: str) -> tuple[tuple[str, ...], str | None]:
    """The identifiers of a URI fragment, resolved as PostgreSQL resolves them.

    ``schema.table``, ``table``, ``schema``, each part either unquoted (folded to
    lower case, as PostgreSQL folds it) or ``"Quoted"`` (exact; ``""`` is a quote
    inside it, and a quoted name may hold a dot). An optional ``:column``
    suffix names the geometry column (``#rdtr.subzona:geom_asli``).

    Parameters
    ----------
    fragment : str
        The text after ``#``.

    Returns
    -------
    tuple
        ``(names, geometry_column)``; ``geometry_column`` is None when not named.

    Raises
    ------
    LayerError
        An empty or unterminated name, or one longer than 63 bytes.
    """
    text = fragment.strip()
    n = len(text)
    shown = f"#{fragment}"

    def ident(i: int) -> tuple[str, int]:
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == '"':
            j, buf = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise LayerError(_("{shown}: a quoted name is not closed (write \"Name\", with \"\" for a quote inside it)").format(shown=shown))
                buf.append(text[j:k])
                if text[k + 1 : k + 2] == '"':
                    buf.append('"')
                    j = k + 2
                    continue
                name, i = "".join(buf), k + 1
                break
            if not name:
                raise LayerError(_("{shown}: an empty quoted name").format(shown=shown))
        else:
            j = i
            while j < n and text[j] not in '.:"':
                j += 1
            name, i = text[i:j].strip().translate(_FOLD), j
            if not name:
                raise LayerError(_("{shown}: a name is empty (give #schema.table, #table or #schema)").format(shown=shown))
        while i < n and text[i].isspace():
            i += 1
        return _check_length(name, "the name"), i

    names: list[str] = []
    geometry: str | None = None
    i = 0
    while True:
        name, i = ident(i)
        names.append(name)
        if i >= n:
            break
        if text[i] == ".":
            i += 1
            continue
        if text[i] == ":":
            geometry, i = ident(i + 1)
            if i < n:
                raise LayerError(_("{shown}: unexpected text after the geometry column ({text!r})").format(shown=shown, text=text[i:]))
            break
        raise LayerError(_("{shown}: unexpected {text!r} (quote a name that holds it: #\"Name\")").format(shown=shown, text=text[i]))
    return tuple(names), geometry


def split_uri(text: str) -> tuple[str, str | None]:
    """Split a PostgreSQL URI into the connection part and the ``#fragment``.

    The user information ends at the authority's last ``@``, so a password
    written without percent-encoding (``p@ss/w:rd#1``) is neither cut at its
    ``#`` nor shown: the fragment is the first ``#`` after that ``@``.

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of str
        ``(uri, fragment)``; the fragment is None when the URI has none.
    """
    text = text.strip()
    scheme_end = text.find("://")
    head = scheme_end + 3 if scheme_end >= 0 else 0
    at = text.rfind("@", head)
    cut = text.find("#", at + 1 if at >= 0 else head)
    if cut < 0:
        return text, None
    return text[:cut], text[cut + 1 :]


def target_schema(text: str) -> str:
    """The schema named by a PostGIS output URI (``#schema``; ``public`` when none).

    Parameters
    ----------
    text : str
        ``postgresql://.../dbname#schema`` (``#"My.Schema"`` for a name with a dot).

    Returns
    -------
    str
        The schema, resolved as PostgreSQL resolves it.

    Raises
    ------
    LayerError
        The fragment names a table (or a geometry column), or a name is malformed or too long.
    """
    _u, fragment = split_uri(text)
    if fragment is None or not fragment.strip():
        return "public"
    names, geometry = parse_names(fragment)
    if len(names) != 1 or geometry is not None:
        raise LayerError(
            _("#{fragment}: name a schema (#schema), not a table: the tables are named after the layers (quote a schema whose name holds a dot: #\"my.schema\")").format(fragment=fragment)
        )
    return names[0]


def redact(text: str) -> str:
    """``text`` with the user information of every URI in it hidden (see :func:`sppr_gis.errors.redact`)."""
    from sppr_gis.errors import redact as _redact

    return _redact(text)


@dataclass(frozen=True)
class PgSource:
    """A PostgreSQL URI split into what libpq gets and what sppr_gis uses.

    Attributes
    ----------
    conninfo : str
        libpq ``key=value`` connection string (built by libpq's own parser, the
        password included: never shown).
    fragment : str or None
        ``schema.table`` (a source), ``table`` (in ``public``) or ``schema`` (a target),
        optionally ``:geometry_column``; as written.
    host : str
        Host for messages (from the URI, else ``PGHOST``, else the service, else ``localhost``).
    dbname : str
        Database for messages.
    label : str
        The URI with any password removed: safe for messages, logs and manifests.
    has_password : bool
        The URI itself holds a password.
    """

    conninfo: str = field(repr=False)
    fragment: str | None
    host: str
    dbname: str
    label: str
    has_password: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def where(self) -> str:
        """``host/dbname`` for messages."""
        return f"{self.host}/{self.dbname}"

    def source_names(self) -> tuple[str, str, str | None] | None:
        """``(schema, table, geometry column or None)`` from the fragment (``public`` when only a table is named).

        Raises
        ------
        LayerError
            A malformed name, or more than two dotted parts (a dot inside a name must be quoted).
        """
        if not self.fragment or not self.fragment.strip():
            return None
        names, geometry = parse_names(self.fragment)
        if len(names) > 2:
            raise LayerError(
                _("{label}#{fragment}: {n} dotted names; give #schema.table, and quote a name that holds a dot (e.g. #\"{names}\".{names2})").format(label=self.label, fragment=self.fragment, n=len(names), names='.'.join(names[:-1]), names2=quote_name(names[-1]))
            )
        schema, table = names if len(names) == 2 else ("public", names[0])
        return schema, table, geometry


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise InputError(_("PostGIS needs the psycopg package: pip install 'sppr-gis[postgis]'")) from None
    return psycopg


def parse_pg(text: str) -> PgSource:
    """Split a PostgreSQL URI into the libpq part, the ``#fragment`` and a password-free label.

    The user information (``user:password``) is taken up to the authority's
    last ``@`` and percent-decoded, so a password holding an unencoded ``@``,
    ``/``, ``:`` or ``#`` works and never leaks into the host; the rest is
    parsed by libpq (``psycopg.conninfo.conninfo_to_dict``).

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
    from urllib.parse import quote, unquote

    uri, fragment = split_uri(text)
    scheme_end = uri.find("://")
    head = scheme_end + 3 if scheme_end >= 0 else 0
    at = uri.rfind("@", head)
    user = password = None
    rest = uri
    if at >= 0:
        userinfo = uri[head:at]
        rest = uri[:head] + uri[at + 1 :]
        name, colon, secret = userinfo.partition(":")
        user = unquote(name) or None
        password = unquote(secret) if colon and secret else None
    psycopg = _driver()
    try:
        params = psycopg.conninfo.conninfo_to_dict(rest)
    except Exception:
        raise InputError(_("not a valid PostgreSQL URI (postgresql://[user@]host[:port]/dbname#schema.table)")) from None
    if user and "user" not in params:
        params["user"] = user
    if password and "password" not in params:
        params["password"] = password
    conninfo = psycopg.conninfo.make_conninfo("", **params)
    pw = params.get("password")
    secrets = tuple(s for s in {str(pw), quote(str(pw), safe=""), secret if at >= 0 and password else ""} if s) if pw else ()
    service = params.get("service")
    host = str(params.get("host") or os.environ.get("PGHOST") or (f"service {service}" if service else "localhost"))
    dbname = str(params.get("dbname") or os.environ.get("PGDATABASE") or params.get("user") or os.environ.get("PGUSER") or (f"service {service}" if service else "?"))
    port = params.get("port")
    shown_user = params.get("user")
    label = "postgresql://" + (f"{quote(str(shown_user), safe='')}@" if shown_user else "") + str(params.get("host") or "") + (f":{port}" if port else "") + "/" + str(params.get("dbname") or "")
    if service:
        label += f"?service={service}"
    return PgSource(conninfo, fragment.strip() if fragment and fragment.strip() else None, host, dbname, label, has_password=bool(pw), secrets=secrets)


def _scrub(message: str, src: PgSource) -> str:
    """One line of a driver message, any password (and any URI's user information) removed."""
    lines = [ln.strip() for ln in str(message).strip().splitlines() if ln.strip()]
    line = "; ".join(lines[:2]) if lines else "unknown error"
    for secret in sorted(src.secrets, key=len, reverse=True):
        line = line.replace(secret, "***")
    return redact(line)


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


def _qname(schema: str, table: str) -> str:
    return f"{quote_name(schema)}.{quote_name(table)}"


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
    from psycopg import sql

    from sppr_gis.crs import ensure_crs

    src = parse_pg(text)
    names_given = src.source_names()
    with connect(src) as conn:
        layers = _layers(conn, src)
        names = [n for n, *_ in layers]
        if names_given is None:
            shown = ", ".join(f"{n} ({ty})" for n, _, ty, _ in layers) or "none"
            if not layers:
                raise LayerError(_("{label}: no geometry table in database {dbname}").format(label=src.label, dbname=src.dbname))
            raise AmbiguousLayerError(
                _("{label}: {n} geometry tables and none named ({shown}); name one as {label}#{names}").format(label=src.label, n=len(layers), shown=shown, names=names[0]),
                path=src.label,
                layers=tuple(names),
            )
        schema, table, wanted = names_given
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
        crs = _crs_of(conn, srid)
    names_out = [c for c, _ in attrs]
    data = {c: [_plain_value(r[i]) for r in rows] for i, c in enumerate(names_out)}
    wkb = [r[len(attrs)] for r in rows]
    geoms = shapely.from_wkb(np.array([bytes(b) if b is not None else None for b in wkb], dtype=object))
    gdf = gpd.GeoDataFrame(pd.DataFrame(data, columns=names_out), geometry=gpd.GeoSeries(shapely.force_2d(geoms)), crs=crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf = ensure_crs(gdf, label, assume_crs)
    gdf.attrs["source"] = label
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
