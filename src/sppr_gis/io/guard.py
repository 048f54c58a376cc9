"""Inputs are never outputs: the one check every command runs before it writes, and folder swaps.

:func:`guard_outputs` refuses any output that is an input of the run, or that
would replace a folder holding one. Paths are compared made absolute, with
symbolic links followed, and by file identity (``st_dev``/``st_ino``, so a hard
link or a symlink to an input is the input). An input counts with every file it
reads: a shapefile's side files, a folder source's files, the zip of a zip
member. A PostGIS output table that is a PostGIS input table counts too.

:func:`foreign_files` lists what a folder about to be replaced holds beyond the
files its ``manifest.json`` says the tool wrote; :class:`FolderSwap` replaces
folders in two steps (set the old ones aside, then place the new ones) so that
a caller can commit a database in between, and puts everything back when a
step fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from sppr_gis.errors import OutputConflictError, OutputError
from sppr_gis.i18n import _
from sppr_gis.io.postgis import is_postgis
from sppr_gis.io.vector import LayerSpec, parse_layer_spec

__all__ = ["MANIFEST", "FolderSwap", "Source", "Target", "check_replaceable", "foreign_files", "guard_outputs", "table_targets"]

#: The file in an output folder that lists the files the tool wrote there (key ``outputs``).
MANIFEST = "manifest.json"

#: Files that belong to a shapefile ``x.shp`` (``x.dbf`` ...).
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".fix", ".qpj", ".shp.xml", ".aih", ".ain", ".atx", ".ixs", ".mxs")
#: At most this many files of a folder source are compared (a folder source is a handful of shapefiles).
_FOLDER_LIMIT = 20000

#: An input as a command gets it: a path, ``file.gpkg:layer``/``file=CODE`` parsed or not, a PostgreSQL URI.
Source = Union[str, "os.PathLike[str]", LayerSpec]


@dataclass(frozen=True)
class Target:
    """One output of a run.

    Attributes
    ----------
    label : str
        How the user named it (``--out``, ``--tables``, ``year folder``), for messages.
    path : str or Path
        The file written (replaced if it exists), the folder replaced as a whole, or a
        PostgreSQL URI naming the output schema (``postgresql://host/db#schema``).
    folder : bool
        The folder is replaced as a whole (everything in it goes).
    tables : tuple of str
        For a PostgreSQL target: the tables written into its schema.
    """

    label: str
    path: str | Path
    folder: bool = False
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class _File:
    label: str
    shown: str
    abs: str
    real: str
    key: tuple[int, int] | None


def _norm(p: str) -> str:
    return os.path.normcase(os.path.normpath(p))


def _key(path: str, follow: bool = True) -> tuple[int, int] | None:
    try:
        st = os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _zip_of(text: str) -> str | None:
    """The archive of a GDAL zip path (``/vsizip//abs/b.zip/member.shp``, ``/vsizip/rel/b.zip/m.shp``, ``a/b.zip/m.shp``)."""
    vsi = text.startswith("/vsizip/")
    found = None
    for t in ([text[len("/vsizip"):], text[len("/vsizip/"):]] if vsi else [text]):
        low = t.lower()
        i = max(low.find(".zip/"), low.find(".zip" + os.sep))
        archive = t[: i + 4] if i >= 0 else (t if vsi else None)
        if archive is not None and os.path.exists(archive):
            return archive
        found = found or archive
    return found


def _files(label: str, src: Source) -> list[_File]:
    """The files an input reads (none for a database)."""
    if not isinstance(src, LayerSpec):
        src = parse_layer_spec(os.fspath(src))  # 'file.gpkg:layer', 'file=CODE' as a command gets them
    if src.is_postgis:
        return []
    text = os.fspath(src.path)
    shown = src.label
    paths = [text]
    archive = _zip_of(text)
    if archive is not None and not os.path.exists(text):
        paths = [archive]
    p = Path(paths[0])
    if p.is_dir():
        n = 0
        for root, _dirs, names in os.walk(p):
            for name in names:
                paths.append(os.path.join(root, name))
                n += 1
            if n > _FOLDER_LIMIT:
                break
    else:
        low = p.name.lower()
        if low.endswith(".shp"):
            stem = p.name[:-4]
            paths += [str(p.with_name(stem + ext)) for ext in SHAPEFILE_PARTS[1:] if p.with_name(stem + ext).exists()]
            paths += [str(p.with_name(stem + ext.upper())) for ext in SHAPEFILE_PARTS[1:] if p.with_name(stem + ext.upper()).exists()]
    out = []
    for q in dict.fromkeys(paths):
        out.append(_File(label, shown, _norm(os.path.abspath(q)), _norm(os.path.realpath(q)), _key(q)))
    return out


def table_targets(label: str, target: str | os.PathLike[str], names: Iterable[str]) -> list[Target]:
    """The files :func:`sppr_gis.io.write_tables` writes for ``target``: the workbook, or one CSV per table.

    Parameters
    ----------
    label : str
        The option (``--tables``).
    target : path-like
        ``x.xlsx`` or ``x.csv`` (then ``x_<name>.csv`` for each name).
    names : iterable of str
        The tables' names.

    Returns
    -------
    list of Target
    """
    t = Path(target)
    if t.suffix.lower() == ".xlsx":
        return [Target(label, t)]
    return [Target(label, t.with_name(f"{t.stem}_{name}.csv")) for name in names]


def _pg_key(uri: str) -> tuple[str, str, str] | None:
    """``(host, port, dbname)`` of a PostgreSQL URI, for comparing databases."""
    try:
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        return None
    try:
        d = conninfo_to_dict(uri.partition("#")[0].strip())
    except Exception:  # noqa: BLE001 - not a URI libpq reads: no database to compare
        return None
    host = str(d.get("host") or os.environ.get("PGHOST") or "localhost")
    if host in ("127.0.0.1", "::1", "") or host.startswith("/"):
        host = "localhost"
    port = str(d.get("port") or os.environ.get("PGPORT") or "5432")
    db = str(d.get("dbname") or os.environ.get("PGDATABASE") or d.get("user") or os.environ.get("PGUSER") or "")
    return host, port, db


def _ident(name: str) -> str:
    name = name.strip()
    return name[1:-1].replace('""', '"') if len(name) >= 2 and name[0] == name[-1] == '"' else name.lower()


def _pg_conflicts(inputs: Sequence[tuple[str, Source]], target: Target) -> list[str]:
    """PostGIS input tables that ``target`` would write over."""
    where = _pg_key(str(target.path))
    if where is None or not target.tables:
        return []
    schema = _ident(str(target.path).partition("#")[2] or "public")
    tables = {_ident(t) for t in target.tables}
    found = []
    for label, src in inputs:
        if not isinstance(src, LayerSpec):
            if not is_postgis(os.fspath(src)):
                continue
            src = parse_layer_spec(os.fspath(src))
        if src.uri is None or not src.layer or _pg_key(src.uri) != where:
            continue
        s, _u, t = src.layer.rpartition(".")
        if _ident(s or "public") == schema and _ident(t) in tables:
            found.append(_("{output} writes table {schema}.{table}, which is an input of this run ({input} {source})").format(output=target.label, schema=schema, table=_ident(t), input=label, source=src.label))
    return found


def guard_outputs(inputs: Iterable[tuple[str, Source]], outputs: Iterable[Target | tuple[str, str | os.PathLike[str]]]) -> None:
    """Refuse any output that is an input of the run, or that would replace a folder holding one.

    Call it before writing anything. An output file conflicts with an input when
    their absolute paths, their paths with symbolic links followed, or their
    files (device and inode: hard links, symlinks) are the same. A folder that
    is replaced as a whole conflicts with every input inside it (either path) and
    with every input one of its files is (by inode). Each input counts with the
    files it reads: a shapefile's ``.dbf``, ``.shx``, ``.prj`` ...; a folder
    source's files; the archive of a zip member.

    Parameters
    ----------
    inputs : iterable of (label, source)
        Every input of the run: the label names it for the user (``--zoning``,
        ``sppr.toml inputs.rencana[0]``); the source is a path, a
        ``file.gpkg:layer`` / ``file=CODE`` :class:`~sppr_gis.io.LayerSpec`, or a
        PostgreSQL URI.
    outputs : iterable of Target or (label, path)
        Every output (a pair is a file).

    Raises
    ------
    OutputConflictError
        Naming each output and the input it would destroy (a usage error: the
        CLI exits with status 2). Nothing is written.
    """
    inputs = list(inputs)
    files: list[_File] = []
    for label, src in inputs:
        files.extend(_files(label, src))
    by_key: dict[tuple[int, int], _File] = {f.key: f for f in reversed(files) if f.key is not None}
    problems: list[str] = []
    for out in outputs:
        t = out if isinstance(out, Target) else Target(out[0], out[1])
        text = os.fspath(t.path)
        if is_postgis(text):
            problems += _pg_conflicts(inputs, t)
            continue
        oabs, oreal = _norm(os.path.abspath(text)), _norm(os.path.realpath(text))
        hit: dict[str, _File] = {}
        if t.folder:
            for f in files:
                if any(_inside(a, b) for a in (f.abs, f.real) for b in (oabs, oreal)):
                    hit.setdefault(f.label, f)
            if os.path.isdir(text) and by_key:
                for root, _dirs, names in os.walk(text):
                    for name in names:
                        k = _key(os.path.join(root, name))
                        if k in by_key:
                            hit.setdefault(by_key[k].label, by_key[k])
        else:
            k = _key(text)
            for f in files:
                if f.abs == oabs or f.real == oreal or (k is not None and f.key == k):
                    hit.setdefault(f.label, f)
        if hit:
            named = ", ".join(f"{f.label} '{f.shown}'" for f in hit.values())
            if t.folder:
                problems.append((_("{label} '{text}' would be replaced as a whole, but it holds inputs of this run ({named})") if len(hit) > 1 else _("{label} '{text}' would be replaced as a whole, but it holds an input of this run ({named})")).format(label=t.label, text=text, named=named))
            else:
                problems.append(_("{label} '{text}' is an input of this run ({named})").format(label=t.label, text=text, named=named))
    if problems:
        raise OutputConflictError("; ".join(problems) + _("; inputs are never overwritten: choose another output"))


def foreign_files(folder: str | os.PathLike[str], manifest: str = MANIFEST) -> list[str]:
    """What ``folder`` holds beyond the files its manifest lists as written by the tool.

    Parameters
    ----------
    folder : path-like
        An output folder about to be replaced (``OUT/2025``).
    manifest : str
        The manifest's name; its ``outputs`` key lists the files written (relative, ``/``-separated).

    Returns
    -------
    list of str
        Paths relative to ``folder`` (``/``-separated), sorted; symbolic links count as
        files (never followed). Empty when the folder does not exist or holds only the
        tool's files. ``["."]`` when ``folder`` is not a folder (a file, a symbolic link).
    """
    folder = os.fspath(folder)
    if not os.path.lexists(folder):
        return []
    if os.path.islink(folder) or not os.path.isdir(folder):
        return ["."]
    listed: set[str] = set()
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        data = json.loads(Path(folder, manifest).read_text(encoding="utf-8"))
        listed = {str(p).replace("\\", "/") for p in data.get("outputs", [])}
    extra = []
    for root, dirs, names in os.walk(folder):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            rel = os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
            if rel not in listed:
                extra.append(rel)
    return sorted(extra)


def check_replaceable(folders: Iterable[str | os.PathLike[str]], manifest: str = MANIFEST) -> None:
    """Refuse to replace a folder that holds anything the tool did not write there.

    Parameters
    ----------
    folders : iterable of path-like
        Output folders a run replaces as a whole.
    manifest : str

    Raises
    ------
    OutputConflictError
        Naming each such folder and its foreign files (at most 10 each). Nothing is deleted.
    """
    problems = []
    for folder in folders:
        extra = foreign_files(folder, manifest)
        if extra == ["."]:
            problems.append(_("{folder} is not a folder written by sppr (a file or a symbolic link)").format(folder=folder))
        elif extra:
            shown = ", ".join(extra[:10]) + (_(" and {n} more").format(n=len(extra) - 10) if len(extra) > 10 else "")
            problems.append(_("{folder} holds files sppr did not write ({shown}; its {manifest} does not list them)").format(folder=folder, shown=shown, manifest=manifest))
    if problems:
        raise OutputConflictError("; ".join(problems) + _("; such a folder is never replaced: move those files elsewhere or choose another output folder"))


def _why(exc: BaseException, target: Path) -> str:
    if isinstance(exc, OSError):
        return (exc.strerror or str(exc)).lower()
    return f"{type(exc).__name__}: {exc}"


class FolderSwap:
    """Replace output folders with staged ones: set the old ones aside, then place the new ones.

    Between :meth:`prepare` (every old folder checked and renamed aside, undone on
    failure) and :meth:`place` (the staged folders renamed into place) a caller
    may commit a database, so that the only file step after it is one rename per
    folder. A failure in :meth:`place` puts every folder back as it was and says so.

    Parameters
    ----------
    pairs : sequence of (staged, final)
        Staged folder and the folder it replaces (same file system).
    manifest : str
        Each final folder may only hold the files its manifest lists (:func:`check_replaceable`).
    """

    def __init__(self, pairs: Sequence[tuple[str | os.PathLike[str], str | os.PathLike[str]]], manifest: str = MANIFEST) -> None:
        self.pairs = [(Path(s), Path(f)) for s, f in pairs]
        self.manifest = manifest
        self._aside: dict[Path, Path] = {}
        self._placed: list[tuple[Path, Path]] = []
        self._done = False

    def prepare(self) -> None:
        """Check the folders and set the existing ones aside.

        Raises
        ------
        OutputConflictError
            A folder holds files the tool did not write (nothing moved).
        OutputError
            A folder cannot be moved (busy, permission): the ones moved are put back.
        """
        check_replaceable([f for _, f in self.pairs], self.manifest)
        final = None
        try:
            for _u, final in self.pairs:
                final.parent.mkdir(parents=True, exist_ok=True)
                if os.path.lexists(final):
                    old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
                    os.rename(final, old)
                    self._aside[final] = old
        except BaseException as exc:
            left = self.undo()
            if isinstance(exc, OSError) and final is not None:
                what = "; not restored: " + ", ".join(left) if left else "; no output folder was changed"
                raise OutputError(_("{final}: cannot be replaced ({reason}){what}").format(final=final, reason=_why(exc, final), what=what)) from None
            raise

    def place(self) -> list[Path]:
        """Rename every staged folder into place; on failure put every folder back.

        Returns
        -------
        list of Path
            The folders placed.

        Raises
        ------
        OutputError
            Naming the folder that could not be placed; every folder is as it was
            before (or the message says which is not).
        """
        for staged, final in self.pairs:
            try:
                os.rename(staged, final)
            except BaseException as exc:
                left = self.undo()
                if isinstance(exc, OSError):
                    what = "; not restored: " + ", ".join(left) if left else "; no output folder was changed"
                    raise OutputError(_("{final}: cannot be replaced ({reason}){what}").format(final=final, reason=_why(exc, final), what=what)) from None
                raise
            self._placed.append((staged, final))
        return [f for _, f in self._placed]

    def undo(self) -> list[str]:
        """Put back what :meth:`prepare` and :meth:`place` moved (nothing once :meth:`finish` ran).

        Returns
        -------
        list of str
            What could not be put back (empty when all was).
        """
        if self._done:
            return []
        left = []
        for staged, final in reversed(self._placed):
            try:
                os.rename(final, staged)
            except OSError as exc:
                left.append(_("{final} holds this run's new output ({reason})").format(final=final, reason=_why(exc, final)))
        self._placed = []
        for final, old in list(self._aside.items()):
            if os.path.lexists(final):
                left.append(_("the previous {final} is at {old}").format(final=final, old=old))
                continue
            try:
                os.rename(old, final)
                del self._aside[final]
            except OSError as exc:
                left.append(_("the previous {final} is at {old} ({reason})").format(final=final, old=old, reason=_why(exc, final)))
        return left

    def finish(self) -> None:
        """Remove the old folders set aside (after :meth:`place`)."""
        self._done = True
        for old in self._aside.values():
            if os.path.islink(old):
                with contextlib.suppress(OSError):
                    os.unlink(old)
            else:
                shutil.rmtree(old, ignore_errors=True)
        self._aside = {}
