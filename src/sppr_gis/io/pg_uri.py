"""PostgreSQL URIs and the names in them: ``postgresql://[user@]host[:port]/dbname#schema.table``.

:func:`split_uri` and :func:`parse_pg` split a URI into what libpq gets, the
``#fragment`` and a password-free label (:class:`PgSource`); :func:`parse_names`
resolves the fragment's identifiers as PostgreSQL resolves them (unquoted folds
to lower case, ``"Quoted"`` is exact, longer than 63 bytes is an error);
:func:`target_schema` reads an output URI's schema. Nothing here connects:
:mod:`sppr_gis.io.postgis` reads and writes, and re-exports every name.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from typing import Any

from sppr_gis.errors import InputError, LayerError
from sppr_gis.i18n import _

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "PG_PREFIXES",
    "PgSource",
    "is_postgis",
    "parse_names",
    "parse_pg",
    "quote_name",
    "redact",
    "split_uri",
    "target_schema",
]

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


def _qname(schema: str, table: str) -> str:
    return f"{quote_name(schema)}.{quote_name(table)}"
