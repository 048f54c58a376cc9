"""Writing outputs atomically: temporary files beside the targets, then renames.

Outputs that belong together (a GeoPackage and its ``--tables``) are written
under temporary names in their own folders (same file system) and renamed into
place together by :func:`staged` only when all of them were written. On any
exception, SIGTERM or Ctrl-C included (the CLI turns them into exceptions), the
temporary files and their SQLite journals are removed and the targets are left
as they were. Disk-full, read-only and permission failures become one
:class:`~sppr_gis.errors.OutputError` naming the target.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sppr_gis.errors import OutputError, SpprError
from sppr_gis.i18n import _

log = logging.getLogger(__name__)

__all__ = ["FORMULA_START", "XLSX_TEXT_OPTIONS", "Staging", "WkbLayer", "atomic_path", "csv_safe", "csv_text", "output_error", "returning_freed_memory", "staged", "write_gpkg", "write_tables"]

#: Text beginning with one of these is a formula to a spreadsheet that opens a CSV (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: xlsxwriter options under which every text is written as text: never as a formula, a hyperlink or a number.
XLSX_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def csv_text(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet evaluates: text beginning with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading apostrophe, and a carriage return within it
    becomes a line feed (which the CSV writer quotes; a bare one would end the row for a
    spreadsheet); anything else (numbers, negative ones included, dates, missing values) is
    returned as it is.

    Parameters
    ----------
    value : object

    Returns
    -------
    object
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    if "\r" in value:
        # a bare carriage return is not quoted by the CSV writer (its line end is "\n") but ends the row
        # for a spreadsheet, which would read what follows as a cell of its own, "=..." included
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` to write as CSV: its text cells and column names through :func:`csv_text`
    (a leading apostrophe before a formula character; carriage returns as line feeds, which the
    writer quotes).

    Only text columns change (object and string dtypes, and only their ``str``
    values); numeric, boolean and datetime columns are left as they are.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    out = pd.DataFrame(df).copy(deep=False)
    for j, col in enumerate(list(out.columns)):
        s = out.iloc[:, j]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            values = s.to_numpy(dtype=object)
            hit = [k for k, v in enumerate(values) if isinstance(v, str) and (v.startswith(FORMULA_START) or "\r" in v)]
            if hit:
                values = values.copy()
                for k in hit:
                    values[k] = csv_text(values[k])
                out.isetitem(j, pd.Series(values, index=out.index, dtype=object))
    out.columns = [csv_text(c) for c in out.columns]
    return out

_SIDE_FILES = ("-journal", "-wal", "-shm")


def _remove(path: Path) -> None:
    for p in (path, *(Path(str(path) + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError, OSError):
            p.unlink()


def output_error(exc: BaseException, target: str | os.PathLike[str]) -> OutputError | None:
    """An :class:`OutputError` naming ``target`` when ``exc`` comes from the disk, else ``None``.

    The cause is found from the exception chain's ``errno`` (ENOSPC, EROFS,
    EACCES, EDQUOT) or message, else from the target's file system (no free
    space, mounted read-only, folder not writable).

    Parameters
    ----------
    exc : BaseException
        What the writer raised (pyogrio's DataSourceError, an OSError, xlsxwriter's errors).
    target : path-like
        The output as the user named it.

    Returns
    -------
    OutputError or None
    """
    if isinstance(exc, OutputError):
        return exc
    reasons = {errno.ENOSPC: "disk full (no space left on device)", errno.EROFS: "read-only file system", errno.EDQUOT: "disk quota exceeded",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied"}
    reason = None
    e: BaseException | None = exc
    seen = 0
    while e is not None and seen < 10 and reason is None:
        if isinstance(e, OSError):  # GDAL's own errors carry an 'errno' that is a CPLE code, not an OS one
            reason = reasons.get(e.errno or -1)
        text = str(e).lower()
        if reason is None:
            if "no space left" in text or "disk is full" in text or "disk full" in text:
                reason = reasons[errno.ENOSPC]
            elif "read-only file system" in text or "readonly database" in text or "read-only" in text:
                reason = reasons[errno.EROFS]
            elif "permission denied" in text:
                reason = reasons[errno.EACCES]
        e = e.__cause__ or e.__context__
        seen += 1
    folder = Path(target).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if reason is None:
        try:
            st = os.statvfs(folder)
        except OSError:
            return None
        if st.f_flag & getattr(os, "ST_RDONLY", 1):
            reason = reasons[errno.EROFS]
        elif st.f_bavail * st.f_frsize < 1 << 20:
            reason = reasons[errno.ENOSPC]
        elif not os.access(folder, os.W_OK):
            reason = reasons[errno.EACCES]
    if reason is None:
        return None
    return OutputError(f"{target}: cannot write ({reason}); nothing was written")


class Staging:
    """Temporary files beside their targets, renamed into place together by :meth:`commit`."""

    def __init__(self) -> None:
        self._pairs: list[tuple[Path, Path]] = []

    def path(self, target: str | os.PathLike[str]) -> Path:
        """A new temporary path beside ``target`` (same suffix; not created).

        Raises
        ------
        OutputError
            The target's folder cannot be written (read-only, permission, full).
        """
        target = Path(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
            os.close(fd)
            os.unlink(tmp)  # GDAL wants to create the file itself
        except OSError as exc:
            raise (output_error(exc, target) or OutputError(f"{target}: cannot write ({exc.strerror or exc})")) from None
        self._pairs.append((Path(tmp), target))
        return Path(tmp)

    def commit(self) -> None:
        """Rename every temporary file over its target."""
        for tmp, target in self._pairs:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise (output_error(exc, target) or OutputError(f"{target}: cannot write ({exc.strerror or exc})")) from None
        self._pairs = [(t, g) for t, g in self._pairs if t.exists()]

    def discard(self) -> None:
        """Remove the temporary files (and SQLite journals) that are still there."""
        for tmp, _u in self._pairs:
            _remove(tmp)
        self._pairs = []


@contextlib.contextmanager
def staged() -> Iterator[Staging]:
    """Write several outputs under temporary names; rename them all at the end, or none.

    Yields
    ------
    Staging
        Pass it as ``staging=`` to :func:`write_gpkg` and :func:`write_tables`.

    Examples
    --------
    >>> with staged() as st:                                   # doctest: +SKIP
    ...     write_gpkg(layers, "hasil.gpkg", staging=st)
    ...     write_tables(layers, "hasil.xlsx", staging=st)
    """
    st = Staging()
    try:
        yield st
        st.commit()
    finally:
        st.discard()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    with staged() as st:
        yield st.path(target)


def _stamp_gpkg(path: Path) -> None:
    """With SOURCE_DATE_EPOCH set, the GeoPackage's time stamps come from it (byte-identical reruns)."""
    from sppr_gis.clock import now_utc, source_date_epoch

    if source_date_epoch() is None:
        return
    stamp = now_utc().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        con.execute("UPDATE gpkg_contents SET last_change = ?", (stamp,))
        if "layer_styles" in tables:
            con.execute("UPDATE layer_styles SET update_time = ?", (stamp,))
        if "gpkg_metadata_reference" in tables:
            con.execute("UPDATE gpkg_metadata_reference SET timestamp = ?", (stamp,))
        con.commit()
    finally:
        con.close()
    _settle_sqlite_header(path)


#: Offsets of the SQLite header's "file change counter" and "version-valid-for number" (4-byte big-endian each).
_SQLITE_CHANGE_COUNTER, _SQLITE_VERSION_VALID_FOR = 24, 92


def _settle_sqlite_header(path: Path) -> None:
    """Set the closed database's file change counter (and the version-valid-for number that must equal it) to 1.

    The counter counts write transactions, and how many GDAL makes for the same layers is not always the
    same from run to run; nothing else in the file records it. A closed file with both fields equal is a valid
    SQLite database (the counter only tells other open connections that the file changed).
    """
    one = (1).to_bytes(4, "big")
    with open(path, "r+b") as f:
        head = f.read(100)
        if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
            return
        f.seek(_SQLITE_CHANGE_COUNTER)
        f.write(one)
        f.seek(_SQLITE_VERSION_VALID_FOR)
        f.write(one)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns GDAL can store: object columns of mixed content become text (in a copy, made only then)."""
    out = df
    for col in df.columns:
        if col == getattr(df, "_geometry_column_name", None):
            continue
        s = df[col]
        if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
            if out is df:
                out = df.copy()
            out[col] = s.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out


@dataclass
class WkbLayer:
    """A layer whose geometries stay as they are held (WKB ``bytes`` or shapely geometries) until written.

    :func:`write_gpkg` writes it without decoding the WKB (a large geometry held as WKB, such as
    the zoning's noise overlaps of a whole layer, costs its GEOS form and a second encoding
    otherwise); :meth:`to_geodataframe` gives it as a GeoDataFrame. The GeoPackage written is
    byte for byte that of the GeoDataFrame.

    Attributes
    ----------
    table : pandas.DataFrame
        The attribute columns.
    geoms : numpy.ndarray
        One per row (object array): a shapely geometry, its WKB (``bytes``), or None.
    crs : optional
        The geometries' CRS (anything :class:`pyproj.CRS` accepts).
    """

    table: pd.DataFrame
    geoms: np.ndarray
    crs: Any = None

    def __len__(self) -> int:
        return len(self.table)

    def _is_wkb(self) -> np.ndarray:
        return np.fromiter((isinstance(g, bytes) for g in self.geoms), dtype=bool, count=len(self.geoms))

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The layer as a GeoDataFrame (its WKB decoded).

        Returns
        -------
        geopandas.GeoDataFrame
            ``table``'s columns and the geometry column ``geometry``.
        """
        geoms = np.array(self.geoms, dtype=object, copy=True)
        wkb = self._is_wkb()
        if wkb.any():
            geoms[wkb] = shapely.from_wkb(geoms[wkb])
        return gpd.GeoDataFrame(self.table, geometry=gpd.GeoSeries(geoms, crs=self.crs).values, crs=self.crs)

    def wkb(self) -> np.ndarray:
        """The geometries as WKB (object array of ``bytes`` or None): WKB held as it is, the others encoded.

        Returns
        -------
        numpy.ndarray
        """
        out = np.array(self.geoms, dtype=object, copy=True)
        shapes = ~self._is_wkb() & shapely.is_geometry(out)
        if shapes.any():
            out[shapes] = shapely.to_wkb(out[shapes])  # as geopandas encodes them for the Arrow writer
        return out


def _write_wkb_layer(layer: WkbLayer, tmp: Path, name: str, more: dict[str, Any]) -> bool:
    """``layer`` written by the Arrow writer from its WKB, as ``pyogrio.write_dataframe(gdf, use_arrow=True,
    geometry_type="Unknown", promote_to_multi=False)`` writes its GeoDataFrame ``gdf`` (same table,
    same bytes); False (nothing written) where that path would treat a column otherwise (only text
    columns are taken: pyogrio converts other object columns first)."""
    import pyarrow as pa
    from pyogrio.raw import write_arrow
    from pyproj import CRS

    table = reserved_names(layer.table, name)
    def text(s: pd.Series) -> bool:  # a text dtype, or object holding only text: what pyogrio passes on as it is
        return pd.api.types.infer_dtype(s) == "string" if s.dtype == object else isinstance(s.dtype, pd.StringDtype)

    if "geometry" in table.columns or not all(text(table[c]) for c in table.columns):
        return False
    df = pd.DataFrame(table, copy=False).copy(deep=False)
    df["geometry"] = layer.wkb()
    arrow = pa.Table.from_pandas(df, preserve_index=False)
    del df
    field = arrow.schema.field("geometry")
    if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):  # all null: no type inferred
        arrow = arrow.set_column(arrow.schema.get_field_index("geometry"), field.with_type(pa.binary()), arrow["geometry"].cast(pa.binary()))
    crs = None
    if layer.crs is not None:
        c = CRS.from_user_input(layer.crs)
        epsg = c.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else c.to_wkt("WKT1_GDAL")
    write_arrow(arrow, str(tmp), layer=name, driver="GPKG", geometry_name="geometry", geometry_type="Unknown", crs=crs, append=bool(more.get("append")))
    return True


#: Column names a GeoPackage layer reserves (its feature id and its geometry column), case-insensitively.
GPKG_RESERVED = ("fid", "geom")


def reserved_names(df: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Attribute columns named like the output's own ``fid`` or ``geom`` (a QGIS export's ``fid``, a text
    column ``geom``) kept as ``<name>_input`` (``_input_2`` ... if taken), never dropped: a GeoPackage and
    the PostGIS writer use those names for the feature id and the geometry.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
    layer : str
        The layer's name, for the log line.

    Returns
    -------
    DataFrame or GeoDataFrame
        ``df`` itself when nothing clashes, else a renamed copy.
    """
    gcol = getattr(df, "_geometry_column_name", None) if isinstance(df, gpd.GeoDataFrame) else None
    names = [str(c) for c in df.columns]
    clash = [c for c in names if c != gcol and c.casefold() in GPKG_RESERVED]
    if not clash:
        return df
    taken = {n.casefold() for n in names}
    renames = {}
    for c in clash:
        new, k = f"{c}_input", 1
        while new.casefold() in taken:
            k += 1
            new = f"{c}_input_{k}"
        taken.add(new.casefold())
        renames[c] = new
    log.info(_("layer {layer}: column(s) {columns} written as {names} (names a GeoPackage reserves)").format(layer=layer, columns=", ".join(renames), names=", ".join(renames.values())))
    return df.rename(columns=renames)


def write_gpkg(
    layers: Mapping[str, pd.DataFrame | Callable[[], pd.DataFrame]],
    target: str | os.PathLike[str],
    *,
    finish: Callable[[Path], object] | None = None,
    staging: Staging | None = None,
) -> Path:
    """Write several layers into one GeoPackage, atomically.

    Parameters
    ----------
    layers : mapping of layer name to (Geo)DataFrame or WkbLayer, or to a callable returning one
        GeoDataFrames are written with their geometry (mixed types allowed);
        plain DataFrames as attribute tables; a :class:`WkbLayer` as its GeoDataFrame,
        without decoding the WKB it holds. A callable (e.g. waiting for a
        layer computed in another thread) is called when its layer's turn comes,
        so the layers before it are written meanwhile.
    target : path
        The ``.gpkg`` to create (replaced if it exists).
    finish : callable, optional
        Called with the temporary file once the layers are in, before the
        rename (e.g. to add QGIS layer styles); if it fails, nothing is left.
    staging : Staging, optional
        Rename into place with the other outputs of :func:`staged`, not at once.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        Disk full, read-only file system, permission denied (naming ``target``).
    """
    return _write_pieces(layers.items(), target, finish=finish, staging=staging, arrow="rows")


def write_gpkg_chunks(chunks: Iterable[tuple[str, pd.DataFrame]], target: str | os.PathLike[str]) -> Path:
    """Write layers arriving in pieces into one GeoPackage, atomically, one piece in memory at a time.

    The first piece of a layer creates it (its columns and types are the layer's:
    give every piece of a layer the same columns and dtypes); later pieces are
    appended. Used where the whole would not fit in memory (a country's
    ``rekap.gpkg``).

    Parameters
    ----------
    chunks : iterable of (layer name, (Geo)DataFrame)
    target : path
        The ``.gpkg`` to create (replaced if it exists).

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        Disk full, read-only file system, permission denied (naming ``target``).
    """
    return _write_pieces(chunks, target, arrow=True)


#: Seconds between two hand-backs of freed memory (:func:`returning_freed_memory`).
TRIM_EVERY = 0.5


@contextlib.contextmanager
def returning_freed_memory(every: float = TRIM_EVERY) -> Iterator[None]:
    """While the block runs, the pages freed meanwhile are handed back to the system every ``every``
    seconds (glibc's ``malloc_trim`` from a thread of its own; a no-op elsewhere).

    Threads that free large temporaries inside single calls (GEOS unions and dilations of the
    zoning QA; GDAL's geometries of a layer being written while the relocation advice runs) leave
    those pages resident in their arenas otherwise: the process then holds about as much free as
    used at its peak. Nothing computed depends on it.

    Parameters
    ----------
    every : float
        Seconds between two hand-backs.
    """
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim  # ctypes releases the GIL during the call
    except (OSError, AttributeError):  # not glibc
        yield
        return
    import threading

    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            trim(0)

    th = threading.Thread(target=run, name="sppr-trim", daemon=True)
    th.start()
    try:
        yield
    finally:
        stop.set()
        th.join()


def _return_freed_memory() -> None:
    """Hand the pages the layers written so far freed (their WKB and Arrow buffers) back to the system:
    glibc keeps them resident otherwise, under what is computed next. A no-op off glibc."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _write_pieces(
    pieces: Iterable[tuple[str, pd.DataFrame]], target: str | os.PathLike[str], *, finish: Callable[[Path], object] | None = None,
    staging: Staging | None = None, arrow: bool | str = False,
) -> Path:
    """:func:`write_gpkg` and :func:`write_gpkg_chunks`: each (layer, frame) written in turn into the staged
    file (a layer's first piece creates it, later ones are appended), then ``finish``, the timestamps and
    the rename; an I/O failure becomes one :class:`OutputError` naming ``target``, with nothing left."""
    target = Path(target)
    with contextlib.ExitStack() as stack:
        st = staging if staging is not None else stack.enter_context(staged())
        tmp = st.path(target)
        stack.enter_context(returning_freed_memory())  # (GDAL's and the pending layers' temporaries)
        seen: set[str] = set()
        try:
            for name, df in pieces:
                if callable(df):  # a layer still being computed: wait for it here
                    _return_freed_memory()  # (what the layers before it freed, while it is computed)
                    df = df()
                more = {"append": True} if name in seen else {}
                if isinstance(df, WkbLayer):
                    if (arrow is True or (arrow == "rows" and len(df))) and _write_wkb_layer(df, tmp, name, more):
                        seen.add(name)
                        continue
                    df = df.to_geodataframe()
                df = reserved_names(_plain(df), name)
                # The Arrow writer is a third faster and writes the same bytes as the row writer,
                # except for a table without rows (its SQLite pages differ): ``arrow="rows"`` uses it
                # only for frames with rows, so write_gpkg's outputs stay byte for byte as before.
                if arrow is True or (arrow == "rows" and len(df)):
                    more["use_arrow"] = True
                if isinstance(df, gpd.GeoDataFrame):
                    pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG", geometry_type="Unknown", promote_to_multi=False, **more)
                else:
                    pyogrio.write_dataframe(pd.DataFrame(df), tmp, layer=name, driver="GPKG", **more)
                seen.add(name)
            if finish is not None:
                finish(tmp)
            _stamp_gpkg(tmp)
        except (SpprError, KeyboardInterrupt):
            raise
        except Exception as exc:
            err = output_error(exc, target)
            if err is None:
                raise
            raise err from None
    return target


#: The most characters an Excel cell holds.
EXCEL_CELL_LIMIT = 32767
#: What an Excel ``wkt`` cell says instead of a geometry too long for it.
EXCEL_LONG_WKT = "(geometri lebih dari 32.767 karakter; lihat GeoPackage atau CSV)"


def write_tables(tables: Mapping[str, pd.DataFrame], target: str | os.PathLike[str], *, staging: Staging | None = None) -> Path:
    """Write attribute tables as CSV (one file per table, ``stem_name.csv``) or XLSX (one sheet each).

    Parameters
    ----------
    tables : mapping of name to DataFrame
        Geometry columns are written as WKT.
    target : path
        ``something.xlsx`` for a workbook, ``something.csv`` for a family of CSVs.
    staging : Staging, optional
        Rename into place with the other outputs of :func:`staged`, not at once.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        Disk full, read-only file system, permission denied (naming the file).
    """
    target = Path(target)

    def flat(df: pd.DataFrame, sheet: str | None = None) -> pd.DataFrame:
        if isinstance(df, gpd.GeoDataFrame):
            gcol = df.geometry.name
            out = pd.DataFrame(df.drop(columns=gcol))
            out["wkt"] = df.geometry.to_wkt()
            if sheet is not None:
                # an Excel cell holds at most 32,767 characters: a cut WKT would be a wrong geometry
                long = out["wkt"].str.len() > EXCEL_CELL_LIMIT
                if long.any():
                    out.loc[long, "wkt"] = EXCEL_LONG_WKT
                    log.warning(_("{target}, sheet {sheet}: {n} geometries longer than an Excel cell are not written as WKT (see the GeoPackage or CSV)").format(target=target, sheet=sheet, n=int(long.sum())))
            return out
        return pd.DataFrame(df)

    with contextlib.ExitStack() as stack:
        st = staging if staging is not None else stack.enter_context(staged())
        if target.suffix.lower() == ".xlsx":
            jobs = [(target, None)]
        else:
            jobs = [(target.with_name(f"{target.stem}_{name}.csv"), name) for name in tables]
        for path, name in jobs:
            tmp = st.path(path)
            try:
                if name is None:
                    # text stays text (OWASP): a cell "=HYPERLINK(...)" or "=1+1" is not a live formula
                    with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": dict(XLSX_TEXT_OPTIONS)}) as xw:
                        xw.book.set_properties({"created": _created()})
                        for sheet, df in tables.items():
                            _zoned_times_as_text(flat(df, sheet)).to_excel(xw, sheet_name=sheet[:31], index=False)
                else:
                    csv_safe(flat(tables[name])).to_csv(tmp, index=False)
            except (SpprError, KeyboardInterrupt):
                raise
            except Exception as exc:
                err = output_error(exc, path)
                if err is None:
                    raise
                raise err from None
    return target


def _zoned_times_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Times that carry a UTC offset, as ISO text with that offset (``2025-03-01 10:00:00+07:00``, as in the
    CSV outputs): an Excel cell has no time zone, and converting would silently drop or shift the offset."""
    out = None
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            text = s.astype(object).map(lambda v: None if pd.isna(v) else str(v))
        elif s.dtype == object and any(isinstance(v, datetime.datetime) and v.tzinfo is not None for v in s):
            text = s.map(lambda v: str(pd.Timestamp(v)) if isinstance(v, datetime.datetime) and v.tzinfo is not None else v)
        else:
            continue
        out = df.copy() if out is None else out
        out[col] = text
    return df if out is None else out


def _created() -> object:
    from sppr_gis.clock import now_utc

    return now_utc().replace(tzinfo=None)
