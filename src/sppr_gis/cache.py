"""The zoning cache: what a run prepares from the zoning, kept for the next run on the same zoning.

Preparing a city's or a province's zoning (combining the layers, repairing them, the topology QA,
cutting large polygons for the engine) costs more than measuring the programs. Analysts check one
OPD after another and one fiscal year after another against the same RTRW, so a later run whose
zoning is unchanged reuses what an earlier one prepared (contract, "Cache"):

- the cache lives in ``SPPR_CACHE_DIR``, by default the platform's user cache directory
  (:func:`platformdirs.user_cache_dir`); ``SPPR_NO_CACHE=1`` (what ``--no-cache`` sets) or
  ``cache=False`` skips it;
- an entry's key is a sha256 over the zoning as read (every layer's geometries as WKB, its zone
  codes, CRS, name, given code and reader findings), the zoning settings (zone field, sliver
  tolerances, ``max_vertices``), the sppr_gis version and the shapely/GEOS versions. What is read
  is what is hashed, so a changed byte that changes a geometry, a code or the CRS is a new entry,
  for files, zips and PostGIS tables alike; the CRS the run measures in follows from those;
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

The cache is an optimization: a cache directory that cannot be written only costs the reuse
(one warning), never the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import shapely

from sppr_gis import _version as _version_module

__all__ = ["CACHE_ENV", "NO_CACHE_ENV", "cache_dir", "enabled", "zoning_key", "cached_zoning", "entry_path", "keep_zoning", "lookup_zoning"]

log = logging.getLogger(__name__)

#: Environment variable naming the cache directory.
CACHE_ENV = "SPPR_CACHE_DIR"
#: Environment variable that switches the cache off (``1``, ``true``, ``yes``; set by ``--no-cache``).
NO_CACHE_ENV = "SPPR_NO_CACHE"
#: Layout of an entry; part of the key, so a new layout never reads an old entry. Also raised when what
#: an entry holds is computed differently at the same version: 2, invalid MultiPolygon zones repaired
#: part by part (:func:`sppr_gis.overlay.make_valid_by_parts`), so a warm run never returns the
#: coordinates of an entry repaired the old way while a cold run returns the new ones.
FORMAT = 2
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

    h = _Hasher()
    h.put("sppr-gis zoning cache", FORMAT, _version(), shapely.__version__, shapely.geos_version_string)
    h.put(zone_field, float(sliver_width), float(sliver_area), int(max_vertices), len(inputs))
    for zi in inputs:
        frame = zi.frame
        h.put(zi.name, zi.code, CRS.from_user_input(frame.crs).to_wkt() if frame.crs is not None else None, len(frame))
        if zi.code is None:
            fld = detect_zone_field(frame, zi.name, zone_field)
            h.put(str(fld), "\x1f".join(repr(v) for v in frame[fld].astype(object).tolist()))
        h.geoms(np.asarray(frame.geometry.array, dtype=object))
        for f in frame.attrs.get("findings", []):
            h.put(f.layer, f.feature_id, f.severity, f.code, f.message, f.row, None if f.geometry is None else shapely.to_wkb(f.geometry))
    return h.h.hexdigest()


def entry_path(key: str) -> Path:
    """Where the entry of ``key`` is kept."""
    return cache_dir() / f"zoning-{key}.npz"


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


def _put_geoms(out: dict[str, np.ndarray], name: str, geoms: np.ndarray) -> None:
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), output_dimension=3)
    data, lengths = _join([None if w is None else bytes(w) for w in wkb])
    out[name] = np.frombuffer(data, dtype=np.uint8)
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


def _encode(key: str, prepared: Any) -> bytes:
    """The entry's bytes: the sha256 of the payload, then the payload (an ``.npz`` archive)."""
    buf = io.BytesIO()
    _encode_into(buf, key, prepared)
    return buf.getvalue()


def _encode_into(f: BinaryIO, key: str, prepared: Any) -> None:
    """Write the entry into the empty, seekable binary file ``f``: a placeholder for the digest, the
    payload streamed after it, then the digest of the payload as read back (the entry is never
    held whole in memory). The bytes equal :func:`_encode`'s: the archive's offsets are relative
    to its own start."""
    out = _arrays(key, prepared)
    f.write(bytes(_DIGEST))
    np.savez(f, **out)
    del out
    f.flush()
    f.seek(_DIGEST)
    digest = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        digest.update(chunk)
    f.seek(0)
    f.write(digest.digest())
    f.flush()


def _arrays(key: str, prepared: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    _put_text(out, "key", [key])
    zones = prepared.zones
    _put_geoms(out, "zones", np.asarray(zones.geometry.array, dtype=object))
    for col in ("zone_code", "zone_source", "zone_fid"):
        _put_text(out, col, zones[col].tolist())
    fnd = list(prepared.findings)
    topo = prepared.topology
    out["n_topology_findings"] = np.array([len(topo.findings)], dtype=np.int64)
    for col in ("layer", "feature_id", "severity", "code", "message"):
        _put_text(out, "f." + col, [getattr(f, col) for f in fnd])
    _put_geoms(out, "f.geometry", np.array([f.geometry for f in fnd], dtype=object))
    out["f.row"] = np.array([-1 if f.row is None else int(f.row) for f in fnd], dtype=np.int64)
    out["overlaps"] = np.stack([np.asarray(topo.overlaps[0], dtype=np.int64), np.asarray(topo.overlaps[1], dtype=np.int64)]) if len(topo.overlaps[0]) else np.zeros((2, 0), np.int64)
    out["noise"] = np.array([topo.noise_overlap_area, topo.noise_gap_area], dtype=np.float64)
    out["noise_overlaps"] = np.array([topo.noise_overlaps], dtype=np.int64)
    _put_text(out, "label", [prepared.label])
    _put_text(out, "ids", list(prepared.ids))
    cut = prepared.cut
    out["cut.max_vertices"] = np.array([cut.max_vertices], dtype=np.int64)
    _put_geoms(out, "cut.pieces", cut.pieces)
    out["cut.owner"] = np.asarray(cut.owner, dtype=np.int64)
    out["cut.source"] = np.asarray(cut.source, dtype=np.int64)
    _put_geoms(out, "cut.moved", cut.moved)
    out["cut.moved_piece"] = np.asarray(cut.moved_piece, dtype=np.int64)
    return out


def _decode(key: str, blob: bytes, crs: Any, make: Callable[..., Any]) -> Any:
    """The prepared zoning of an entry; ValueError when the entry fails its hash or is not this key's."""
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
        geoms = _get_geoms(z, "zones")
        zones = gpd.GeoDataFrame(
            {col: _get_text(z, col) for col in ("zone_code", "zone_source", "zone_fid")},
            geometry=gpd.GeoSeries(geoms, crs=crs).values,
            crs=crs,
        )
        cols = {col: _get_text(z, "f." + col) for col in ("layer", "feature_id", "severity", "code", "message")}
        fgeoms = _get_geoms(z, "f.geometry")
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
        label = _get_text(z, "label")[0]
        ids = _get_text(z, "ids")
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

    Returns
    -------
    PreparedZoning
        With ``cut`` (the engine's pieces) filled in.
    """
    from sppr_gis.engine import cut_zones

    def fresh() -> Any:
        prepared = build()
        t = time.perf_counter()
        prepared.cut = cut_zones(np.asarray(prepared.zones.geometry.array, dtype=object), max_vertices)
        prepared.seconds["cut"] = time.perf_counter() - t
        return prepared

    if not enabled(use):
        return fresh()
    key, prepared = lookup_zoning(inputs, zone_field, sliver_width=sliver_width, sliver_area=sliver_area, max_vertices=max_vertices, make=make, crs=crs)
    if prepared is not None:
        return prepared
    prepared = fresh()
    keep_zoning(key, prepared)
    return prepared


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
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        blob = None
    except OSError as exc:
        log.warning("zoning cache %s: cannot read (%s); preparing the zoning", path, exc)
        blob = None
    if blob is not None:
        try:
            prepared = _decode(key, blob, crs(), make)
        except Exception as exc:  # noqa: BLE001 - any entry that cannot be decoded is rebuilt
            log.warning("zoning cache %s: entry not used (%s); rebuilt", path, exc)
        else:
            prepared.seconds.update({"zoning": time.perf_counter() - t0, "topology": 0.0})
            log.info("zoning cache: reused %s", path)
            return key, prepared
    return key, None


def keep_zoning(key: str, prepared: Any) -> None:
    """Keep a prepared zoning (with its ``cut``) as the entry of ``key`` (atomically; a directory that
    cannot be written costs only the reuse: one warning). Adds ``cache.write`` to ``prepared.seconds``.

    Parameters
    ----------
    key : str
        From :func:`lookup_zoning`.
    prepared : PreparedZoning
    """
    path = entry_path(key)
    t = time.perf_counter()
    try:
        _write(path, lambda f: _encode_into(f, key, prepared))
    except OSError as exc:
        log.warning("zoning cache %s: cannot write (%s); the zoning will be prepared again next time", path.parent, exc)
    prepared.seconds["cache.write"] = time.perf_counter() - t
