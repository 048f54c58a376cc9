"""The zoning cache: what a run prepares from the zoning, kept for the next run on the same zoning.

Preparing a city's or a province's zoning (combining the layers, repairing them, the topology QA,
cutting large polygons for the engine) costs more than measuring the programs. Analysts check one
OPD after another and one fiscal year after another against the same RTRW, so a later run whose
zoning is unchanged reuses what an earlier one prepared (contract, "Cache"):

- the cache lives in ``SPPR_CACHE_DIR``, by default the platform's user cache directory
  (:func:`platformdirs.user_cache_dir`); ``SPPR_NO_CACHE=1`` (what ``--no-cache`` sets) or
  ``cache=False`` skips it;
- an entry's key is a sha256 over the zoning as read (every layer's geometries as WKB, its zone
  codes, CRS, given code and reader findings), the zoning settings (zone field, sliver
  tolerances, ``max_vertices``), the sppr_gis version and the shapely/GEOS versions. What is read
  is what is hashed, so a changed byte that changes a geometry, a code or the CRS is a new entry,
  for files, zips and PostGIS tables alike; the CRS the run measures in follows from those. A
  layer's name (its path) is not in the key: in the entry's texts it is a token per layer, filled
  with this run's names when the entry is read (:class:`Labels`), so a copied or renamed file is
  the same zoning and the outputs name the file given to this run;
- a pre-key (:func:`zoning_prekey`) is a sha256 over the zoning files' bytes (every file that
  makes a layer: a shapefile's sidecars, a folder's files; PostGIS tables have none), the read
  options, the settings and the versions (sppr_gis, shapely/GEOS, pyogrio/GDAL, pyproj). Its
  alias file names the entry's key and keeps what a run needs of the zoning as read (the metric
  CRS, the extent the programs are checked against, each layer's summary); with it ``sppr
  check`` does not read the zoning at all (:func:`zoning_alias`, :func:`zoning_by_alias`). An alias is written and
  checked as an entry is (sha256 first, atomic); a missing or damaged alias or entry means the
  zoning is read as without one;
- an entry holds the repaired zones, the findings of the preparation and of the topology QA
  (overlap and gap polygons included), the overlapping pairs and noise figures, and the engine's
  cut pieces (:class:`~sppr_gis.engine.ZoneCut`), all as plain arrays (geometries as WKB, text as
  UTF-8) in an ``.npz`` archive loaded with ``allow_pickle=False``; the file begins with the sha256
  of the rest, checked before anything is loaded: an entry that fails it (or cannot be decoded) is
  rebuilt and replaced, never trusted;
- an entry is written to a temporary file in the cache directory and renamed into place
  (:func:`os.replace`), so a concurrent run sees the whole entry or none;
- a cached run's results are identical to an uncached one's (the same geometries, coordinate for
  coordinate, in the same order).
- next to an entry, a record of the relocation advice's cut pieces (:func:`load_pieces`,
  :func:`keep_pieces`; ``pieces-<key>.npz``, its key a sha256 over the entry's key, the cutting
  threshold, the layouts and the versions): the pieces as WKB in their order and each piece's
  polygon, written atomically by the first run that cuts them and checked as an entry is (sha256
  first, its key, and the coordinate counts and bounds of the polygons it was cut from); a record
  that fails is ignored and the pieces are cut again. Without the cache it is neither read nor written.

The cache is an optimization: a cache directory that cannot be written only costs the reuse
(one warning), never the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import io
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import shapely

from sppr_gis import _version as _version_module

__all__ = ["CACHE_ENV", "NO_CACHE_ENV", "cache_dir", "enabled", "zoning_key", "zoning_prekey", "PreKey", "source_files", "cached_zoning", "lookup_zoning", "keep_zoning", "ZoningAlias", "zoning_alias", "zoning_by_alias", "entry_path", "alias_path", "Labels", "pieces_key", "pieces_path", "load_pieces", "keep_pieces"]

log = logging.getLogger(__name__)

#: Environment variable naming the cache directory.
CACHE_ENV = "SPPR_CACHE_DIR"
#: Environment variable that switches the cache off (``1``, ``true``, ``yes``; set by ``--no-cache``).
NO_CACHE_ENV = "SPPR_NO_CACHE"
#: Layout of an entry; part of the key, so a new layout never reads an old entry. Also raised when what
#: an entry holds is computed differently at the same version: 2, invalid MultiPolygon zones repaired
#: part by part (:func:`sppr_gis.overlay.make_valid_by_parts`), so a warm run never returns the
#: coordinates of an entry repaired the old way while a cold run returns the new ones; 3, the entry's
#: texts hold a token per layer instead of its name (:class:`Labels`; the key is path-free).
FORMAT = 3
_DIGEST = 32  # bytes of sha256 at the start of an entry file


def cache_dir() -> Path:
    """The cache directory: ``SPPR_CACHE_DIR``, else the user cache directory of ``sppr-gis``.

    Returns
    -------
    pathlib.Path
    """
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("sppr-gis", appauthor=False))


def enabled(flag: bool | None = None) -> bool:
    """Whether to use the cache: ``flag`` when given, else unless ``SPPR_NO_CACHE`` is set to a true value.

    Parameters
    ----------
    flag : bool, optional

    Returns
    -------
    bool
    """
    if flag is not None:
        return bool(flag)
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() not in {"1", "true", "yes", "on"}


def _version() -> str:
    return str(_version_module.__version__)


class _Hasher:
    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def put(self, *items: object) -> None:
        for item in items:
            b = item if isinstance(item, bytes) else repr(item).encode("utf-8")
            self.h.update(len(b).to_bytes(8, "little"))
            self.h.update(b)

    def geoms(self, geoms: np.ndarray) -> None:
        wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), output_dimension=3)
        data, lengths = _join([None if w is None else bytes(w) for w in wkb])
        self.put(lengths.tobytes(), data)


def zoning_key(inputs: Sequence[Any], zone_field: str | None, *, sliver_width: float, sliver_area: float, max_vertices: int) -> str:
    """The cache key of a zoning and its settings.

    Parameters
    ----------
    inputs : sequence of ZoningInput
        The zoning layers as read (``frame``, ``code``, ``name``).
    zone_field : str, optional
        The zone field asked for (None: the default detection).
    sliver_width, sliver_area : float
        The QA's noise tolerances.
    max_vertices : int
        The engine's cutting threshold.

    Returns
    -------
    str
        64 hex digits.
    """
    from pyproj import CRS

    from sppr_gis.schema import detect_zone_field

    labels = [zi.name for zi in inputs]
    strip = Labels(labels).strip
    h = _Hasher()
    h.put("sppr-gis zoning cache", FORMAT, _version(), shapely.__version__, shapely.geos_version_string)
    h.put(zone_field, float(sliver_width), float(sliver_area), int(max_vertices), len(inputs))
    for i, zi in enumerate(inputs):
        frame = zi.frame
        # the layer's name (its path) is not part of the key: a copied or renamed file is the same
        # zoning; only which inputs share a name (and a name that is no path, see Labels) is
        h.put(labels.index(zi.name), None if _is_path(zi.name) else zi.name)
        h.put(zi.code, CRS.from_user_input(frame.crs).to_wkt() if frame.crs is not None else None, len(frame))
        if zi.code is None:
            fld = detect_zone_field(frame, zi.name, zone_field)
            h.put(str(fld), "\x1f".join(repr(v) for v in frame[fld].astype(object).tolist()))
        h.geoms(np.asarray(frame.geometry.array, dtype=object))
        for f in frame.attrs.get("findings", []):
            h.put(strip(f.layer), strip(f.feature_id), f.severity, f.code, strip(f.message), f.row, f.wkb)
    return h.h.hexdigest()


def _is_path(label: str) -> bool:
    """Whether a layer's name looks like a path or URI (then it is kept out of the key and out of
    the entry's texts); any other name (``zoning[0]``) could also occur in a message by chance,
    so it stays in the key and such an entry serves that name only."""
    return any(c in label for c in "/\\.:#")


class Labels:
    """The zoning layers' names (paths) in an entry's texts: replaced by a token per layer when an
    entry is written and by this run's names when it is read, so that the entry serves a copied or
    renamed file and the outputs name the file given to this run.

    Parameters
    ----------
    labels : sequence of str
        This run's layer names, in input order.
    """

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        first = {lab: self.labels.index(lab) for lab in self.labels}
        # longest first: a name inside another name (a.gpkg in a.gpkg:zona) is not cut in two
        self.pairs = sorted(((lab, f"\x00{i}\x00") for lab, i in first.items()), key=lambda p: -len(p[0]))

    def strip(self, text: object) -> object:
        """``text`` with every layer name replaced by its token (other values as they are)."""
        if not isinstance(text, str):
            return text
        for lab, tok in self.pairs:
            if lab:
                text = text.replace(lab, tok)
        return text

    def fill(self, text: object) -> object:
        """``text`` with every token replaced by this run's layer name."""
        if not isinstance(text, str) or "\x00" not in text:
            return text
        for i, lab in enumerate(self.labels):
            text = text.replace(f"\x00{i}\x00", lab)
        return text


def entry_path(key: str) -> Path:
    """Where the entry of ``key`` is kept."""
    return cache_dir() / f"zoning-{key}.npz"


def alias_path(prekey: str) -> Path:
    """Where the alias of the pre-key ``prekey`` (the key of its entry) is kept."""
    return cache_dir() / f"alias-{prekey}.key"


def source_files(spec: Any) -> list[tuple[str, Path]] | None:
    """The files a layer is read from, each with its name relative to the layer's (for the pre-key).

    A file with its siblings of the same stem (a shapefile's ``.shp``, ``.shx``, ``.dbf``, ``.prj``,
    ``.cpg``; a MapInfo table's; a GeoPackage's ``-wal``), or every file of a folder. None for a
    PostGIS table or a path that is neither a file nor a folder: such a layer has no pre-key.

    Parameters
    ----------
    spec : sppr_gis.io.LayerSpec

    Returns
    -------
    list of (str, pathlib.Path) or None
        Sorted by name.
    """
    if getattr(spec, "uri", None) is not None:
        return None
    path = Path(spec.path)
    if path.is_dir():
        files = [(f.relative_to(path).as_posix(), f) for f in path.rglob("*") if f.is_file()]
    elif path.is_file():
        stem = path.name[: len(path.name) - len(path.suffix)] if path.suffix else path.name
        files = [
            (f.name[len(stem) :].lower(), f)
            for f in path.parent.iterdir()
            if f.is_file() and f.name.lower().startswith(stem.lower()) and (f == path or f.name[len(stem) :].startswith(".")) and not f.name.endswith("-shm")
        ]
    else:
        return None
    return sorted(files)


@dataclass(frozen=True)
class PreKey:
    """The pre-key of zoning files (:func:`zoning_prekey`).

    Attributes
    ----------
    digest : str
        64 hex digits: the files' bytes, the read options, the settings, the versions.
    paths : tuple of str
        Each layer's path as given this run (not part of the digest): a layer's name in messages is
        its path followed by what the alias keeps (``:layer``).
    again : callable
        Computes the digest again from the files (None when they cannot be read): an alias is written
        only when the files still hash to ``digest`` after they were read (a file replaced while it
        was read must not give its old bytes the new content's entry).
    """

    digest: str
    paths: tuple[str, ...]
    again: Callable[[], str | None] = field(compare=False, repr=False, default=lambda: None)


def zoning_prekey(
    specs: Sequence[Any],
    zone_field: str | None,
    *,
    sliver_width: float,
    sliver_area: float,
    max_vertices: int,
    read_options: dict[str, Any],
) -> PreKey | None:
    """The pre-key of zoning files: a sha256 over their bytes, the read options, the settings and the
    versions (not over their paths). Its alias names the entry's key, so that a warm run need not read
    the zoning to find its entry.

    Parameters
    ----------
    specs : sequence of sppr_gis.io.LayerSpec
        The zoning layers as named (layer, zone code given to all).
    zone_field : str, optional
    sliver_width, sliver_area : float
    max_vertices : int
        The settings (as for :func:`zoning_key`).
    read_options : dict
        Everything else the reading depends on (``want``, ``assume_crs``, ``encoding``, ``engine``).

    Returns
    -------
    PreKey or None
        None when a layer is not made of files (PostGIS) or a file cannot be read.
    """
    import pyogrio
    import pyproj

    h = _Hasher()
    h.put("sppr-gis zoning pre-key", FORMAT, _version(), shapely.__version__, shapely.geos_version_string)
    h.put(pyogrio.__version__, pyogrio.__gdal_version_string__, pyproj.__version__, pyproj.proj_version_str)
    h.put(zone_field, float(sliver_width), float(sliver_area), int(max_vertices), sorted((str(k), repr(v)) for k, v in read_options.items()), len(specs))
    for spec in specs:
        files = source_files(spec)
        if not files:
            return None
        h.put(spec.layer, spec.code, getattr(spec, "header_row", None), len(files))
        for name, f in files:
            file_hash = hashlib.sha256()
            try:
                with open(f, "rb") as fh:
                    for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        file_hash.update(chunk)
            except OSError:
                return None
            h.put(name, file_hash.digest())

    def again() -> str | None:
        same = zoning_prekey(specs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, read_options=read_options)
        return None if same is None else same.digest

    return PreKey(h.h.hexdigest(), tuple(str(spec.path) for spec in specs), again)


_ALIAS = b"sppr-gis zoning alias\n"


def _read_blob(path: Path, instead: str) -> bytes | None:
    """The bytes of a cache file; None when it is missing or cannot be read (said, with what is done ``instead``)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("zoning cache %s: cannot read (%s); %s", path, exc, instead)
        return None


def _read_alias(prekey: str) -> tuple[str, dict[str, Any]] | None:
    """The key the alias of ``prekey`` names and its record of the zoning as read; None when there
    is none or it fails its sha256."""
    path = alias_path(prekey)
    blob = _read_blob(path, "reading the zoning")
    if blob is None:
        return None
    payload = blob[_DIGEST:]
    try:
        if hashlib.sha256(payload).digest() != blob[:_DIGEST] or not payload.startswith(_ALIAS):
            raise ValueError("it fails its sha256")
        alias = json.loads(payload[len(_ALIAS) :].decode("utf-8"))
        key, read = alias["key"], alias["read"]
        if alias["prekey"] != prekey:
            raise ValueError("it is another zoning's")
        if not (isinstance(key, str) and len(key) == 64 and not set(key) - set("0123456789abcdef") and isinstance(read, dict)):
            raise ValueError("it names no entry")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("zoning cache %s: alias not used (%s); reading the zoning", path, exc)
        return None
    return key, read


def _write_alias(prekey: str, key: str, read: dict[str, Any]) -> None:
    """Write the alias of ``prekey``: the entry's key and the record of the zoning as read (no layer
    names in it), preceded by the sha256 of the rest, atomically as an entry."""
    payload = _ALIAS + json.dumps({"prekey": prekey, "key": key, "read": read}, sort_keys=True).encode("utf-8")
    try:
        _write(alias_path(prekey), hashlib.sha256(payload).digest() + payload)
    except OSError as exc:
        log.warning("zoning cache %s: cannot write (%s)", cache_dir(), exc)


@dataclass(frozen=True)
class ZoningAlias:
    """An alias found for zoning files (:func:`zoning_alias`): where their entry is and what a run
    needs of the zoning as read.

    Attributes
    ----------
    key : str
        The entry's key.
    read : dict
        The record of the zoning as read (see :func:`sppr_gis.pipeline.zoning_record`).
    labels : list of str
        Each layer's name in messages, this run (this run's path and what followed it).
    """

    key: str
    read: dict[str, Any]
    labels: list[str]


def zoning_alias(prekey: PreKey | None, use: bool | None = None) -> ZoningAlias | None:
    """The alias of zoning files' pre-key; None when there is none, or it fails its hash or holds no
    usable record (then the zoning is read as without a pre-key).

    Parameters
    ----------
    prekey : PreKey, optional
        :func:`zoning_prekey` of the zoning files (None: returns None).
    use : bool, optional
        Use the cache (default: unless ``SPPR_NO_CACHE`` is set).

    Returns
    -------
    ZoningAlias or None
    """
    if prekey is None or not enabled(use):
        return None
    alias = _read_alias(prekey.digest)
    if alias is None:
        return None
    key, read = alias
    try:
        if not isinstance(read.get("metric"), str) or len(read.get("inputs", ())) != len(prekey.paths):
            raise ValueError("it holds no record of this zoning as read")
        # this run's layer names: this run's paths, and what followed the path when the entry was made
        labels = [p + str(item["label_tail"]) for p, item in zip(prekey.paths, read["inputs"])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("zoning cache %s: alias not used (%s); reading the zoning", alias_path(prekey.digest), exc)
        return None
    return ZoningAlias(key, read, labels)


def zoning_by_alias(alias: ZoningAlias, make: Callable[..., Any]) -> Any:
    """The prepared zoning of an alias's entry, without reading the zoning.

    Parameters
    ----------
    alias : ZoningAlias
    make : callable
        Builds a PreparedZoning from its fields.

    Returns
    -------
    PreparedZoning
        With ``read`` and ``labels`` from the alias.

    Raises
    ------
    Exception
        The entry is missing, fails its hash or cannot be decoded (read the zoning instead).
    """
    from pyproj import CRS

    t0 = time.perf_counter()
    path = entry_path(alias.key)
    prepared = _decode(alias.key, path.read_bytes(), CRS.from_user_input(alias.read["metric"]), make, Labels(alias.labels))
    prepared.read = alias.read
    prepared.labels = alias.labels
    prepared.key = alias.key
    prepared.seconds.update({"zoning": time.perf_counter() - t0, "topology": 0.0})
    log.info("zoning cache: reused %s without reading the zoning", path)
    return prepared


# ----------------------------------------------------------------------------- encoding


def _join(items: Sequence[bytes | None]) -> tuple[bytes, np.ndarray]:
    """Items as one buffer and their lengths (-1 for None)."""
    lengths = np.array([-1 if b is None else len(b) for b in items], dtype=np.int64)
    return b"".join(b for b in items if b is not None), lengths


def _split(data: np.ndarray, lengths: np.ndarray) -> list[bytes | None]:
    buf = data.tobytes()
    ends = np.cumsum(np.maximum(lengths, 0))
    starts = ends - np.maximum(lengths, 0)
    return [None if n < 0 else buf[a:b] for a, b, n in zip(starts.tolist(), ends.tolist(), lengths.tolist())]


class _Pieces:
    """A uint8 array given as the ``bytes`` it is made of: written into the archive piece by piece
    (:func:`_savez`), never joined in memory."""

    __slots__ = ("pieces", "size")

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.size = sum(len(p) for p in pieces)


def _put_geoms(out: dict[str, Any], name: str, geoms: np.ndarray) -> None:
    geoms = np.asarray(geoms, dtype=object)
    lengths = np.empty(len(geoms), dtype=np.int64)
    pieces = []
    for lo in range(0, len(geoms), _DECODE_BATCH):  # encoded in batches: no WKB object per geometry kept
        wkb = shapely.to_wkb(geoms[lo : lo + _DECODE_BATCH], output_dimension=3)
        lengths[lo : lo + len(wkb)] = [-1 if w is None else len(w) for w in wkb]
        pieces.append(b"".join(w for w in wkb if w is not None))
    out[name] = _Pieces(pieces)
    out[name + ".n"] = lengths


#: Geometries decoded at once (bounds the WKB copies alive together).
_DECODE_BATCH = 4096


def _get_geoms(z: Any, name: str) -> np.ndarray:
    buf = z[name].tobytes()
    lengths = z[name + ".n"]
    ends = np.cumsum(np.maximum(lengths, 0)).tolist()
    out = np.full(len(lengths), None, dtype=object)
    for lo in range(0, len(lengths), _DECODE_BATCH):
        hi = min(lo + _DECODE_BATCH, len(lengths))
        have = np.flatnonzero(lengths[lo:hi] >= 0) + lo
        if len(have):
            out[have] = shapely.from_wkb(np.array([buf[ends[i] - lengths[i] : ends[i]] for i in have.tolist()], dtype=object))
    return out


def _put_text(out: dict[str, np.ndarray], name: str, values: Sequence[object]) -> None:
    data, lengths = _join([None if v is None else str(v).encode("utf-8") for v in values])
    out[name] = np.frombuffer(data, dtype=np.uint8)
    out[name + ".n"] = lengths


def _get_text(z: Any, name: str) -> np.ndarray:
    return np.array([None if b is None else b.decode("utf-8") for b in _split(z[name], z[name + ".n"])], dtype=object)


def _encode(key: str, prepared: Any, labels: Labels) -> bytes:
    """The entry's bytes: the sha256 of the payload, then the payload (an ``.npz`` archive)."""
    buf = io.BytesIO()
    _encode_into(buf, key, prepared, labels)
    return buf.getvalue()


def _encode_into(f: BinaryIO, key: str, prepared: Any, labels: Labels) -> None:
    """Write the entry into the empty, seekable binary file ``f``: a placeholder for the digest, the
    payload streamed after it, then the digest of the payload as read back (the entry is never
    held whole in memory). The bytes equal :func:`_encode`'s: the archive's offsets are relative
    to its own start."""
    _savez_with_digest(f, _arrays(key, prepared, labels))


def _savez_with_digest(f: BinaryIO, arrays: dict[str, Any] | Iterator[tuple[str, Any]]) -> None:
    """``arrays`` (a dict, or (name, array) pairs made one after the other) as an ``.npz`` archive after a
    placeholder for its sha256, streamed into the empty, seekable binary file ``f``; then the digest of
    the archive as read back written in front of it."""
    f.write(bytes(_DIGEST))
    _savez(f, iter(arrays.items()) if isinstance(arrays, dict) else arrays)
    del arrays  # the entry's arrays freed before it is read back (when the caller holds no other reference)
    f.flush()
    f.seek(_DIGEST)
    digest = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        digest.update(chunk)
    f.seek(0)
    f.write(digest.digest())
    f.flush()


def _savez(f: BinaryIO, items: Iterator[tuple[str, Any]]) -> None:
    """``np.savez(f, **dict(items))``, byte for byte, with each array written as it comes and let go
    (a generator makes the next one only then) and a :class:`_Pieces` written without joining it:
    the archive is never in memory, and of its arrays only the one being written."""
    import zipfile

    from numpy.lib import format as npy

    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zipf:  # as np.savez opens it
        for name, val in items:
            with zipf.open(name + ".npy", "w", force_zip64=True) as fid:
                if isinstance(val, _Pieces):
                    header = npy.header_data_from_array_1_0(np.empty(0, dtype=np.uint8))
                    header["shape"] = (val.size,)
                    npy.write_array_header_1_0(fid, header)
                    for piece in val.pieces:
                        fid.write(piece)
                else:
                    npy.write_array(fid, np.asanyarray(val), allow_pickle=False)
            val = None  # noqa: PLW2901 - let it go before the next one is made


def _arrays(key: str, prepared: Any, labels: Labels) -> Iterator[tuple[str, Any]]:
    """The entry's arrays in order, each made when the one before it was written (:func:`_savez`)."""
    out: dict[str, Any] = {}

    def handed() -> Iterator[tuple[str, Any]]:  # the arrays put so far, handed on and not kept here
        while out:
            name = next(iter(out))
            yield name, out.pop(name)

    def put_text(name: str, values: Sequence[object]) -> None:
        # the layers' names out of the texts, and back exactly as they were (else no entry)
        stripped = [labels.strip(v) for v in values]
        if any(labels.fill(b) != a for a, b in zip(values, stripped)):
            raise ValueError(f"the zoning's texts ({name}) cannot be stored without the layer names")
        _put_text(out, name, stripped)

    _put_text(out, "key", [key])
    zones = prepared.zones
    _put_geoms(out, "zones", np.asarray(zones.geometry.array, dtype=object))
    yield from handed()
    for col in ("zone_code", "zone_source", "zone_fid"):
        put_text(col, zones[col].tolist())
    fnd = list(prepared.findings)
    topo = prepared.topology
    out["n_topology_findings"] = np.array([len(topo.findings)], dtype=np.int64)
    for col in ("layer", "feature_id", "severity", "code", "message"):
        put_text("f." + col, [getattr(f, col) for f in fnd])
    yield from handed()
    # the findings' WKB as they hold it (a large one is kept as WKB, not decoded to be stored, nor copied)
    wkb = [f.wkb for f in fnd]
    out["f.geometry"] = _Pieces([w for w in wkb if w is not None])
    out["f.geometry.n"] = np.array([-1 if w is None else len(w) for w in wkb], dtype=np.int64)
    del wkb
    yield from handed()
    out["f.row"] = np.array([-1 if f.row is None else int(f.row) for f in fnd], dtype=np.int64)
    out["overlaps"] = np.stack([np.asarray(topo.overlaps[0], dtype=np.int64), np.asarray(topo.overlaps[1], dtype=np.int64)]) if len(topo.overlaps[0]) else np.zeros((2, 0), np.int64)
    out["noise"] = np.array([topo.noise_overlap_area, topo.noise_gap_area], dtype=np.float64)
    out["noise_overlaps"] = np.array([topo.noise_overlaps], dtype=np.int64)
    put_text("label", [prepared.label])
    put_text("ids", list(prepared.ids))
    cut = prepared.cut
    out["cut.max_vertices"] = np.array([cut.max_vertices], dtype=np.int64)
    yield from handed()
    _put_geoms(out, "cut.pieces", cut.pieces)
    yield from handed()
    out["cut.owner"] = np.asarray(cut.owner, dtype=np.int64)
    out["cut.source"] = np.asarray(cut.source, dtype=np.int64)
    _put_geoms(out, "cut.moved", cut.moved)
    out["cut.moved_piece"] = np.asarray(cut.moved_piece, dtype=np.int64)
    yield from handed()


def _decode(key: str, blob: bytes, crs: Any, make: Callable[..., Any], labels: Labels) -> Any:
    """The prepared zoning of an entry; ValueError when the entry fails its hash or is not this key's.

    ``crs`` is the run's metric CRS; ``labels`` are this run's layer names (filled into the texts)."""
    import geopandas as gpd

    from sppr_gis.engine import ZoneCut
    from sppr_gis.findings import Finding
    from sppr_gis.validate import Topology

    # no copy of the payload: hashed through a view, read through a BytesIO sharing ``blob``
    if len(blob) < _DIGEST or hashlib.sha256(memoryview(blob)[_DIGEST:]).digest() != blob[:_DIGEST]:
        raise ValueError("the entry fails its sha256")
    stream = io.BytesIO(blob)
    stream.seek(_DIGEST)
    with np.load(stream, allow_pickle=False) as z:
        if _get_text(z, "key")[0] != key:
            raise ValueError("the entry holds another key")
        def get_text(name: str) -> np.ndarray:
            values = _get_text(z, name)
            return np.array([labels.fill(v) for v in values], dtype=object) if any(isinstance(v, str) and "\x00" in v for v in values) else values

        geoms = _get_geoms(z, "zones")
        zones = gpd.GeoDataFrame(
            {col: get_text(col) for col in ("zone_code", "zone_source", "zone_fid")},
            geometry=gpd.GeoSeries(geoms, crs=crs).values,
            crs=crs,
        )
        cols = {col: get_text("f." + col) for col in ("layer", "feature_id", "severity", "code", "message")}
        fgeoms = _split(z["f.geometry"], z["f.geometry.n"])  # the findings keep their WKB (decoded when read)
        rows = z["f.row"].tolist()
        findings = [
            Finding(cols["layer"][i], cols["feature_id"][i], cols["severity"][i], cols["code"][i], cols["message"][i], fgeoms[i], None if rows[i] < 0 else int(rows[i]))
            for i in range(len(rows))
        ]
        n_topo = int(z["n_topology_findings"][0])
        ov = z["overlaps"]
        noise = z["noise"]
        topo = Topology(findings[len(findings) - n_topo :] if n_topo else [], (ov[0].copy(), ov[1].copy()), int(z["noise_overlaps"][0]), float(noise[0]), float(noise[1]))
        cut = ZoneCut(int(z["cut.max_vertices"][0]), _get_geoms(z, "cut.pieces"), z["cut.owner"].copy(), z["cut.source"].copy(), _get_geoms(z, "cut.moved"), z["cut.moved_piece"].copy())
        label = get_text("label")[0]
        ids = get_text("ids")
    if cut.pieces.size and int(cut.owner.max()) >= len(zones):
        raise ValueError("the entry's pieces do not belong to its zones")
    return make(crs=crs, zones=zones, findings=findings, topology=topo, label=label, ids=ids, seconds={}, cut=cut)


def _write(path: Path, blob: bytes | Callable[[BinaryIO], None]) -> None:
    """Write atomically: a temporary file in the same directory, renamed into place.

    ``blob`` is the entry's bytes, or a function writing them into the (empty, seekable) file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as f:
            if callable(blob):
                blob(f)
            else:
                f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cached_zoning(
    inputs: Sequence[Any],
    zone_field: str | None,
    *,
    sliver_width: float,
    sliver_area: float,
    max_vertices: int,
    build: Callable[[], Any],
    make: Callable[..., Any],
    crs: Callable[[], Any],
    use: bool | None = None,
    prekey: PreKey | None = None,
    record: Callable[[Any], Any] | None = None,
    write_behind: bool = False,
) -> Any:
    """The prepared zoning from the cache, or built (and kept) when it is not there.

    Parameters
    ----------
    inputs : sequence of ZoningInput
        The zoning as read.
    zone_field : str, optional
    sliver_width, sliver_area : float
    max_vertices : int
        The settings (part of the key).
    build : callable
        Prepares the zoning (returns a :class:`~sppr_gis.pipeline.PreparedZoning`).
    make : callable
        Builds a PreparedZoning from its fields (the class itself).
    crs : callable
        The run's metric CRS (computed from ``inputs``; not stored).
    use : bool, optional
        Use the cache (default: unless ``SPPR_NO_CACHE`` is set).
    prekey : PreKey, optional
        :func:`zoning_prekey` of the files ``inputs`` were read from: its alias is written, naming
        the entry and holding ``record``'s result.
    record : callable, optional
        Takes the run's metric CRS and returns what a run that does not read the zoning needs of
        it (JSON-able, without the layers' names).
    write_behind : bool
        A freshly prepared zoning's entry (and alias) is written in a background thread instead of
        before returning: the caller must call the result's ``wait_written()`` before it lets go of
        the result or returns itself (:func:`sppr_gis.pipeline.check` does). ``cache.write`` is then
        in ``seconds`` (as 0) from the start and set once written.

    Returns
    -------
    PreparedZoning
        With ``cut`` (the engine's pieces) filled in.
    """
    from sppr_gis.engine import cut_zones

    def fresh() -> Any:
        prepared = build()
        if prepared.cut is None or prepared.cut.max_vertices != max_vertices:  # else cut by build(), beside its QA
            t = time.perf_counter()
            prepared.cut = cut_zones(np.asarray(prepared.zones.geometry.array, dtype=object), max_vertices)
            prepared.seconds["cut"] = time.perf_counter() - t
        return prepared

    def alias(key: str, metric: Any) -> None:
        if prekey is None or record is None:
            return
        try:
            read = record(metric)
        except Exception as exc:  # noqa: BLE001 - without its record the entry serves runs that read the zoning
            log.info("zoning cache: no alias (%s)", exc)
            return
        if prekey.again() != prekey.digest:
            log.warning("zoning cache: the zoning files changed while they were read; no alias written")
            return
        _write_alias(prekey.digest, key, read)

    if not enabled(use):
        return fresh()
    key, prepared = lookup_zoning(inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, make=make, crs=crs)
    if prepared is not None:
        alias(key, prepared.crs)
        return prepared
    prepared = fresh()
    prepared.key = key
    labels = Labels([zi.name for zi in inputs])

    def keep() -> None:
        if keep_zoning(key, prepared, labels):
            alias(key, prepared.crs)

    def keep_finer() -> None:
        from sppr_gis.engine import release_memory

        _keep_finer(key, prepared)
        release_memory()  # the pieces' WKB, freed in this thread's arena

    if not write_behind:
        keep()
        keep_finer()
        return prepared
    # the relocation pieces (halved further from the engine's, then written) when the caller waits for the
    # entry (check(): after the engine and the verdict, whose memory they would add to; before the relocation)
    prepared.after_written = keep_finer
    from concurrent.futures import ThreadPoolExecutor

    # written while the caller measures the programs (0.7 s of a cold run on one core otherwise)
    prepared.seconds["cache.write"] = 0.0  # in its place among the timings; set when written
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sppr-cache-write")
    prepared.writing = pool.submit(keep)
    pool.shutdown(wait=False)
    return prepared


def _keep_finer(key: str, prepared: Any) -> None:
    """The relocation index's pieces, halved further from the engine's (``prepared.cut.finer``), kept as the
    relocation pieces record of the entry ``key`` (:func:`keep_pieces`: the relocation advice of this
    run and of later ones loads them instead of cutting the zones again), then let go."""
    cut = prepared.cut
    finer = getattr(cut, "finer", None)
    if finer is None:
        return
    cut.finer = None
    geoms = np.asarray(prepared.zones.geometry.array, dtype=object)
    if (shapely.is_missing(geoms) | shapely.is_empty(geoms)).any():
        return  # the relocation index leaves such zones out: its polygons are not these (never so after the preparation)
    # The relocation index's own cut keeps a single polygon at most this big as it is (the zone's own object);
    # a record, decoded, copies every piece. Where such polygons hold most of the vertices (20,356 digitized
    # zones: 76 %; the West Java RTRWP's multipolygons: 0.4 %) the cut is cheap and the record would add a
    # copy of the zoning to the relocation's memory (digitized cold +40 MiB at times): it cuts them itself.
    nv = shapely.get_num_coordinates(geoms)
    whole = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (nv <= finer.vertices)
    if 2 * int(nv[whole].sum()) > int(nv.sum()):
        return
    vertices, pieces, owner = finer()  # halved further from the engine's pieces, here, after the zoning QA
    keep_pieces(key, vertices, geoms, pieces, owner)


def lookup_zoning(
    inputs: Sequence[Any], zone_field: str | None, *, sliver_width: float, sliver_area: float, max_vertices: int, make: Callable[..., Any], crs: Callable[[], Any]
) -> tuple[str, Any]:
    """The key of a zoning and its settings, and its prepared zoning from the cache (None when there is
    no entry, or one that fails its hash or cannot be decoded: it is then rebuilt by the caller).

    :func:`cached_zoning` in two halves, for a caller that prepares the zoning itself (``sppr check
    --scheduler``: the QA's heavy steps on the cluster) and keeps it with :func:`keep_zoning`.

    Parameters
    ----------
    inputs, zone_field, sliver_width, sliver_area, max_vertices, make, crs
        As for :func:`cached_zoning`.

    Returns
    -------
    (str, PreparedZoning or None)
    """
    t0 = time.perf_counter()
    key = zoning_key(inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices)
    path = entry_path(key)
    labels = Labels([zi.name for zi in inputs])
    blob = _read_blob(path, "preparing the zoning")
    if blob is not None:
        try:
            prepared = _decode(key, blob, crs(), make, labels)
        except Exception as exc:  # noqa: BLE001 - any entry that cannot be decoded is rebuilt
            log.warning("zoning cache %s: entry not used (%s); rebuilt", path, exc)
        else:
            prepared.seconds.update({"zoning": time.perf_counter() - t0, "topology": 0.0})
            prepared.key = key
            log.info("zoning cache: reused %s", path)
            return key, prepared
    return key, None


def keep_zoning(key: str, prepared: Any, labels: Labels) -> bool:
    """Keep a prepared zoning (with its ``cut``) as the entry of ``key`` (atomically; a directory that
    cannot be written, or texts that cannot be made path-free, cost only the reuse: one warning). Adds
    ``cache.write`` to ``prepared.seconds``.

    Parameters
    ----------
    key : str
        From :func:`lookup_zoning`.
    prepared : PreparedZoning
    labels : Labels
        The zoning layers' names this run (``Labels([zi.name for zi in inputs])``): replaced by
        tokens in the entry's texts (required: an entry written without them would carry this run's
        path under a path-free key).

    Returns
    -------
    bool
        Whether the entry was written.
    """
    path = entry_path(key)
    t = time.perf_counter()
    try:
        _write(path, lambda f: _encode_into(f, key, prepared, labels))
    except (OSError, ValueError) as exc:
        log.warning("zoning cache %s: cannot write (%s); the zoning will be prepared again next time", path.parent, exc)
        written = False
    else:
        written = True
    prepared.seconds["cache.write"] = time.perf_counter() - t
    return written


# ----------------------------------------------------------------------------- relocation pieces

#: Layout of a relocation pieces record (part of its key).
PIECES_FORMAT = 1


def pieces_key(key: str, cut_vertices: int) -> str:
    """The key of the relocation pieces record of the zoning entry ``key`` cut at ``cut_vertices``.

    Parameters
    ----------
    key : str
        The zoning entry's key (:func:`zoning_key`: the zoning's content, its settings, the versions).
    cut_vertices : int
        The relocation index's cutting threshold (:data:`sppr_gis.relocation.CUT_VERTICES`).

    Returns
    -------
    str
        64 hex digits.
    """
    h = _Hasher()
    h.put("sppr-gis relocation pieces", FORMAT, PIECES_FORMAT, _version(), shapely.__version__, shapely.geos_version_string)
    h.put(str(key), int(cut_vertices))
    return h.h.hexdigest()


def pieces_path(key: str, cut_vertices: int) -> Path:
    """Where the relocation pieces record of the zoning entry ``key`` cut at ``cut_vertices`` is kept."""
    return cache_dir() / f"pieces-{pieces_key(key, cut_vertices)}.npz"


def _fingerprint(geoms: np.ndarray) -> dict[str, np.ndarray]:
    """What a record checks of the polygons it was cut from: their number of coordinates and bounds."""
    geoms = np.asarray(geoms, dtype=object)
    return {"src.n": shapely.get_num_coordinates(geoms).astype(np.int64), "src.bounds": shapely.bounds(geoms).astype(np.float64)}


def load_pieces(key: str, cut_vertices: int, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The relocation pieces of ``geoms`` kept by an earlier run (:func:`keep_pieces`), or None.

    None when there is no record, or one that fails its sha256, holds another key, cannot be decoded
    or was cut from other polygons (their coordinate counts or bounds differ): the caller cuts the
    pieces again and keeps them (never trusted, as an entry).

    Parameters
    ----------
    key : str
        The zoning entry's key.
    cut_vertices : int
    geoms : numpy.ndarray of shapely geometries
        The polygons the pieces are of (the relocation index's, in its order).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or None
        The pieces and, per piece, its polygon's position in ``geoms``.
    """
    path = pieces_path(key, cut_vertices)
    blob = _read_blob(path, "cutting the relocation pieces")
    if blob is None:
        return None
    try:
        if len(blob) < _DIGEST or hashlib.sha256(memoryview(blob)[_DIGEST:]).digest() != blob[:_DIGEST]:
            raise ValueError("the record fails its sha256")
        stream = io.BytesIO(blob)
        stream.seek(_DIGEST)
        with np.load(stream, allow_pickle=False) as z:
            if _get_text(z, "key")[0] != pieces_key(key, cut_vertices):
                raise ValueError("the record holds another key")
            want = _fingerprint(geoms)
            if not (np.array_equal(z["src.n"], want["src.n"]) and np.array_equal(z["src.bounds"], want["src.bounds"], equal_nan=True)):
                raise ValueError("the record was cut from other polygons")
            pieces = _get_geoms(z, "pieces")
            owner = z["owner"].astype(np.int64, copy=True)
        if len(owner) != len(pieces) or (len(owner) and (int(owner.min()) < 0 or int(owner.max()) >= len(geoms))) or shapely.is_missing(pieces).any():
            raise ValueError("the record's pieces do not belong to its polygons")
    except Exception as exc:  # noqa: BLE001 - any record that cannot be used is rebuilt
        log.warning("zoning cache %s: relocation pieces not used (%s); rebuilt", path, exc)
        return None
    log.info("zoning cache: reused the relocation pieces %s", path)
    return pieces, owner


def keep_pieces(key: str, cut_vertices: int, geoms: np.ndarray, pieces: np.ndarray, owner: np.ndarray) -> bool:
    """Keep the relocation pieces of ``geoms`` next to the zoning entry ``key`` (atomically; a
    directory that cannot be written costs only the reuse: one warning).

    Parameters
    ----------
    key : str
        The zoning entry's key.
    cut_vertices : int
    geoms : numpy.ndarray of shapely geometries
        The polygons cut (checked by :func:`load_pieces`).
    pieces : numpy.ndarray of shapely geometries
        The pieces, in order.
    owner : numpy.ndarray of int
        Per piece, its polygon's position in ``geoms``.

    Returns
    -------
    bool
        Whether the record was written.
    """
    path = pieces_path(key, cut_vertices)
    out: dict[str, np.ndarray] = {}
    _put_text(out, "key", [pieces_key(key, cut_vertices)])
    out.update(_fingerprint(geoms))
    _put_geoms(out, "pieces", pieces)
    out["owner"] = np.asarray(owner, dtype=np.int64)

    try:
        _write(path, lambda f: _savez_with_digest(f, out))
    except OSError as exc:
        log.warning("zoning cache %s: cannot write (%s); the relocation pieces will be cut again next time", path.parent, exc)
        return False
    return True
