"""Reading vector layers through pyogrio (fiona as the alternative engine)."""

from __future__ import annotations

import codecs
import logging
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sppr_gis.crs import ensure_crs
from sppr_gis.errors import AmbiguousLayerError, InputError, LayerError
from sppr_gis.findings import Finding
from sppr_gis.i18n import _

__all__ = ["LayerSpec", "LayerInfo", "parse_layer_spec", "list_layers", "choose_layer", "read_layer", "read_programs", "read_program_sources"]

log = logging.getLogger(__name__)

Engine = Literal["pyogrio", "fiona"]


@dataclass(frozen=True)
class LayerSpec:
    """A layer named on the command line or in a config file.

    Parameters
    ----------
    path : Path
        The data source (file, zipped shapefile, folder).
    layer : str or None
        Layer name (``file.gpkg:layer``, ``data.zip:zona``); ``None`` takes the
        only suitable layer (several are an error, never a silent choice).
    code : str or None
        A zone code given to every feature (``file.shp=R-2``), for zoning
        delivered as one file per class.
    header_row : int or None
        Spreadsheet row of a table's header (``file.csv@4``, ``book.xlsx:Sheet@4``);
        ``None`` finds it in the sheet.
    """

    path: Path
    layer: str | None = None
    code: str | None = None
    uri: str | None = None
    header_row: int | None = None

    @property
    def is_postgis(self) -> bool:
        """A PostGIS table (``postgresql://...#schema.table``), not a file."""
        return self.uri is not None

    @property
    def label(self) -> str:
        """Human-readable name used in messages: ``file.gpkg:layer`` (a URI without its password)."""
        if self.uri is not None:
            from sppr_gis.io.postgis import parse_pg

            return parse_pg(self.uri).label + (f"#{self.layer}" if self.layer else "")
        return f"{self.path}:{self.layer}" if self.layer else str(self.path)

    def exists(self) -> bool:
        """Whether the file exists (a database source is checked when it is read)."""
        return True if self.uri is not None else self.path.exists()


def _resolve(text: str, base: Path | None) -> Path:
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    return path


def _splits(text: str) -> list[tuple[str, str | None, str | None]]:
    """Candidate readings ``(path, layer, code)`` of a spec, the longest path first.

    A ``=CODE`` suffix is tried before a ``:LAYER`` suffix so that
    ``file.gpkg:layer=CODE`` splits into all three parts; a code never holds a
    path separator.
    """
    out: list[tuple[str, str | None, str | None]] = []

    def layers(rest: str, code: str | None) -> None:
        for i in range(len(rest) - 1, 0, -1):
            if rest[i] == ":":
                out.append((rest[:i], rest[i + 1 :] or None, code))

    for i in range(len(text) - 1, 0, -1):
        if text[i] == "=":
            rest, code = text[:i], text[i + 1 :].strip()
            if "/" in code or "\\" in code:
                continue
            out.append((rest, None, code or None))
            layers(rest, code or None)
    layers(text, None)
    return out


def parse_layer_spec(spec: str | os.PathLike[str] | LayerSpec, base: Path | None = None) -> LayerSpec:
    """Parse ``path``, ``path:layer``, ``path=CODE`` or ``path:layer=CODE`` (and, for a table,
    ``path@N`` or ``book.xlsx:Sheet@N``: its header is on spreadsheet row N).

    A path that itself holds ``=`` or ``:`` is still a path: when the whole text
    names an existing file or folder, it is taken as is. Otherwise the splits
    ``FILE=CODE``, ``FILE:LAYER`` and ``FILE:LAYER=CODE`` are tried, the longest
    existing ``FILE`` first (``rtrw=2024/zoning.gpkg:zona`` is the layer
    ``zona`` of the file ``rtrw=2024/zoning.gpkg``). When no reading names an
    existing file, the usual one is returned (so that "file not found" names
    the intended file).

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        The text as given by the user.
    base : Path, optional
        Folder that relative paths are relative to (a config file's folder).

    Returns
    -------
    LayerSpec
    """
    if isinstance(spec, LayerSpec):
        return spec
    text = os.fspath(spec)
    if text.strip().lower().startswith(("postgresql://", "postgres://")):
        return _pg_spec(text.strip())
    if _resolve(text, base).exists():
        return LayerSpec(path=_resolve(text, base))
    at = re.fullmatch(r"(.+)@(\d+)", text)
    if at is not None and int(at.group(2)) >= 1:
        # 'file.csv@4', 'book.xlsx:Sheet@4': a table whose header is on spreadsheet row 4
        inner = parse_layer_spec(at.group(1), base)
        if inner.uri is None and inner.path.suffix.lower() in {".csv", ".txt", ".xlsx", ".xlsm", ".xls"} and inner.path.exists():
            return replace(inner, header_row=int(at.group(2)))
    readings = _splits(text)
    for path_text, layer, code in readings:
        if path_text and _resolve(path_text, base).exists():
            same = [(lay, cod) for p, lay, cod in readings if p == path_text and lay is not None]
            if code is not None and len(same) > 1:
                # 'f.gpkg:x=y' is the layer 'x=y' when the source has one, else the layer 'x' given the code 'y'
                layer, code = _existing_layer(_resolve(path_text, base), same, (layer, code))
            return LayerSpec(path=_resolve(path_text, base), layer=layer, code=code)
    code = None
    if "=" in text:
        head, tail = text.rsplit("=", 1)
        if "/" not in tail and "\\" not in tail:
            text, code = head, tail.strip() or None
    layer = None
    # 'C:\\x.gpkg' is a drive letter, not a layer separator.
    idx = text.rfind(":")
    if idx > 1:
        text, layer = text[:idx], text[idx + 1 :] or None
    return LayerSpec(path=_resolve(text, base), layer=layer, code=code)


def _existing_layer(path: Path, readings: list[tuple[str | None, str | None]], default: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """Of the readings ``(layer, code)`` of one source, the first whose layer the source has (those without
    a code first: a layer whose name holds '=' is named whole); ``default`` when none or unreadable."""
    try:
        infos = list_layers(path)
    except Exception:
        return default
    for layer, code in sorted(readings, key=lambda r: r[1] is not None):
        try:
            _match(LayerSpec(path, layer), infos)
        except LayerError:
            continue
        return layer, code
    return default


def _pg_spec(text: str) -> LayerSpec:
    """``postgresql://...#schema.table[=CODE]``: the URI kept whole, the table as the layer."""
    from sppr_gis.io.postgis import split_uri

    conninfo, fragment = split_uri(text)  # a password may hold '#': the fragment follows the last '@'
    fragment = fragment or ""
    code = None
    if "=" in fragment:
        fragment, code = fragment.rsplit("=", 1)
        code = code.strip() or None
    from sppr_gis.io.postgis import parse_pg

    label = parse_pg(conninfo).label
    return LayerSpec(path=Path(label), layer=fragment.strip() or None, code=code, uri=conninfo)


PARQUET_SUFFIXES = {".parquet", ".geoparquet"}


def _read_parquet(spec: LayerSpec, assume_crs: str | None) -> gpd.GeoDataFrame:
    """GeoParquet through pyarrow (GDAL wheels often lack the Parquet driver)."""
    try:
        gdf = gpd.read_parquet(spec.path)
    except Exception as exc:
        raise InputError(_("{path}: cannot be read as GeoParquet ({reason})").format(path=spec.path, reason=_short(exc))) from exc
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    gdf = ensure_crs(gdf, str(spec.path), assume_crs)
    gdf.attrs["source"] = str(spec.path)
    return gdf


@dataclass(frozen=True)
class LayerInfo:
    """One layer of a data source, as :func:`list_layers` finds it.

    Attributes
    ----------
    name : str
        The name that selects it (``source:name``): the layer name, for a
        shapefile its file stem; inside a zip, the member's path without suffix
        where two members share a stem.
    geometry_type : str or None
        GDAL's geometry type (``"Polygon"``, ``"Unknown"`` ...); ``None`` for a
        table without geometry.
    gdal_path : str
        What GDAL opens (``/vsizip/...`` for a zip member).
    gdal_layer : str or None
        The layer inside ``gdal_path``.
    member : str or None
        The member's path inside a zip archive.
    legacy_text : bool
        A shapefile without a ``.cpg`` (its text encoding is undeclared).
    """

    name: str
    geometry_type: str | None
    gdal_path: str
    gdal_layer: str | None = None
    member: str | None = None
    legacy_text: bool = False


#: Vector data sets recognized inside a zip archive.
ZIP_VECTOR_SUFFIXES = {".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".gml", ".tab", ".mif", ".sqlite", ".gdb"}
_GENERIC = {"unknown", "geometry", "geometrycollection"}


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _no_cpg(shp: Path) -> bool:
    return not any(shp.with_suffix(s).exists() for s in (".cpg", ".CPG"))


def _zip_layers(path: Path) -> list[LayerInfo]:
    """The vector data sets of a zip archive, in subfolders too."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(_("{path}: not a readable zip archive ({reason})").format(path=path, reason=_short(exc))) from exc
    root = "/vsizip/" + os.path.abspath(path)
    members = [n for n in names if not n.startswith("__MACOSX/") and not PurePosixPath(n).name.startswith("._")]
    lower = {n.lower() for n in members}
    sets: list[str] = []
    for n in members:
        low = n.lower().rstrip("/")
        if ".gdb/" in low + "/":
            gdb = n[: low.index(".gdb") + 4]
            if gdb not in sets:
                sets.append(gdb)
            continue
        if not n.endswith("/") and PurePosixPath(low).suffix in ZIP_VECTOR_SUFFIXES:
            sets.append(n)
    found: list[tuple[str, str, str | None, bool]] = []  # (member, layer, type, legacy)
    for m in sets:
        gp = f"{root}/{m}"
        try:
            layers = pyogrio.list_layers(gp)
        except Exception as exc:
            if m.lower().endswith(".json"):
                continue  # a .json that is not GeoJSON (metadata)
            raise InputError(_("{path}: member '{m}' cannot be read as vector data ({reason})").format(path=path, m=m, reason=_short(exc))) from exc
        legacy = m.lower().endswith(".shp") and (m[:-4] + ".cpg").lower() not in lower
        for lname, gtype in layers:
            found.append((m, str(lname), None if gtype is None else str(gtype), legacy))
    if not found:
        try:  # something GDAL reads at the root (e.g. a CSV with geometry)
            return [LayerInfo(str(n), None if t is None else str(t), root, str(n)) for n, t in pyogrio.list_layers(root)]
        except Exception:
            shown = ", ".join(members[:10]) + (" ..." if len(members) > 10 else "")
            raise InputError(_("{path}: the zip holds no vector data set (files: {shown})").format(path=path, shown=shown or 'none')) from None
    per_member: dict[str, int] = {}
    for m, _u, _u, _u in found:
        per_member[m] = per_member.get(m, 0) + 1
    stems = [lname for _, lname, _, _ in found]
    out = []
    for m, lname, gtype, legacy in found:
        name = lname
        if stems.count(lname) > 1:
            stem = str(PurePosixPath(m).with_suffix(""))
            name = stem if per_member[m] == 1 else f"{stem}/{lname}"
        out.append(LayerInfo(name, gtype, f"{root}/{m}", lname, member=m, legacy_text=legacy))
    return out


def list_layers(source: str | os.PathLike[str] | LayerSpec) -> list[LayerInfo]:
    """The layers of a data source: a file, a folder, or a zip archive (subfolders included).

    Parameters
    ----------
    source : str, path-like or LayerSpec
        The data source (a ``:layer`` part is ignored).

    Returns
    -------
    list of LayerInfo

    Raises
    ------
    InputError
        The source is missing or cannot be read.
    """
    spec = parse_layer_spec(source)
    if spec.uri is not None:
        from sppr_gis.io.postgis import list_pg_layers

        return [LayerInfo(n, ty, spec.label, n) for n, _, ty, _ in list_pg_layers(spec.uri)]  # the label: never a password
    path = spec.path
    if not path.exists():
        raise InputError(_("{path}: file not found").format(path=path))
    if path.is_file() and path.suffix.lower() == ".zip":
        return _zip_layers(path)
    try:
        layers = pyogrio.list_layers(str(path))
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError(_("{path}: cannot be read as a vector data source ({reason})").format(path=path, reason=_short(exc))) from exc
    out = []
    for n, t in layers:
        shp = path if path.suffix.lower() == ".shp" else (path / f"{n}.shp" if path.is_dir() else None)
        legacy = shp is not None and shp.exists() and _no_cpg(shp)
        out.append(LayerInfo(str(n), None if t is None else str(t), str(path), str(n), legacy_text=legacy))
    return out


def _match(spec: LayerSpec, infos: list[LayerInfo]) -> LayerInfo:
    want = str(spec.layer)
    for test in (
        lambda i: i.name == want,
        lambda i: i.member is not None and want in (i.member, str(PurePosixPath(i.member).with_suffix(""))),
        lambda i: i.name.casefold() == want.casefold(),
    ):
        hits = [i for i in infos if test(i)]
        if len(hits) == 1:
            return hits[0]
    raise LayerError(_("{path}: no layer named '{want}' (layers: {infos})").format(path=spec.path, want=want, infos=', '.join((i.name for i in infos))))


def _describe(infos: list[LayerInfo]) -> str:
    return ", ".join(f"{i.name} ({i.geometry_type or 'no geometry'})" for i in infos)


def choose_layer(spec: str | os.PathLike[str] | LayerSpec, want: Literal["polygon", "any"] = "any") -> LayerInfo:
    """The layer a spec selects; never one of several silently.

    A named layer (``path:layer``) must exist. Without a name, a source with one
    layer gives it; otherwise the candidates are its layers with a geometry
    (for ``want="polygon"``, those whose type is polygonal or generic), and
    exactly one candidate gives it.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        ``path`` or ``path:layer``.
    want : {"polygon", "any"}
        What the caller reads: zoning and boundaries (polygons) or anything.

    Returns
    -------
    LayerInfo

    Raises
    ------
    InputError
        The source is missing or unreadable.
    LayerError
        The named layer does not exist, or no layer is suitable.
    AmbiguousLayerError
        Several candidate layers and none named (the message lists them).
    """
    return _choose(parse_layer_spec(spec), want)[0]


def _choose(spec: LayerSpec, want: Literal["polygon", "any"]) -> tuple[LayerInfo, int]:
    """The chosen layer and the number of layers in the source."""
    infos = list_layers(spec)
    if not infos:
        raise LayerError(_("{path}: the data source holds no layer").format(path=spec.path))
    if spec.layer is not None:
        return _match(spec, infos), len(infos)
    if len(infos) == 1:
        return infos[0], 1
    spatial = [i for i in infos if i.geometry_type is not None]
    if want == "polygon":
        cands = [i for i in spatial if "polygon" in i.geometry_type.lower() or i.geometry_type.lower() in _GENERIC]  # type: ignore[union-attr]
    else:
        cands = spatial
    if len(cands) == 1:
        return cands[0], len(infos)
    if not cands and want == "polygon" and spatial:
        raise LayerError(_("{path}: no polygon layer (layers: {describe}); name one as {path}:LAYER").format(path=spec.path, describe=_describe(infos)))
    shown = cands or infos
    kind = _("polygon layers") if want == "polygon" and cands else _("layers")
    raise AmbiguousLayerError(
        _("{path}: {n} {kind} and none named ({describe}); name one as {path}:{name}").format(path=spec.path, n=len(shown), kind=kind, describe=_describe(shown), name=shown[0].name),
        path=str(spec.path),
        layers=tuple(i.name for i in shown),
    )


def _fix_legacy_text(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Text of a shapefile without ``.cpg``: GDAL decodes it as ISO-8859-1; recover UTF-8 or cp1252.

    Bytes decoded as ISO-8859-1 are recovered exactly. When every non-ASCII text
    is valid UTF-8, that is what it was; else C1 control characters (U+0080 to
    U+009F, never typed) betray Windows-1252 (en dash, curly quotes). Otherwise
    the text is left as read.
    """
    cols = [c for c in gdf.columns if c != gdf.geometry.name and (gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c].dtype))]
    texts = {v for c in cols for v in gdf[c] if isinstance(v, str) and not v.isascii()}
    if not texts:
        return gdf
    try:
        raw = {t: t.encode("latin-1") for t in texts}
    except UnicodeEncodeError:
        return gdf  # GDAL knew the encoding (an LDID byte)
    for enc in ("utf-8", "cp1252"):
        if enc == "cp1252" and not any(0x80 <= ord(ch) <= 0x9F for t in texts for ch in t):
            break
        try:
            fixed = {t: b.decode(enc) for t, b in raw.items()}
        except UnicodeDecodeError:
            continue
        log.warning(_("{label}: no .cpg file; text read as {encoding} (name the code page with --encoding or encoding = ... if wrong)").format(label=label, encoding=enc))
        out = gdf.copy()
        for c in cols:
            out[c] = gdf[c].map(lambda v: fixed.get(v, v) if isinstance(v, str) else v).astype(gdf[c].dtype)
        return out
    return gdf


def read_layer(
    spec: str | os.PathLike[str] | LayerSpec,
    *,
    want: Literal["polygon", "any"] = "any",
    assume_crs: str | None = None,
    encoding: str | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read one vector layer with its CRS checked.

    The steps: a PostGIS URI or a GeoParquet file goes to its own reader; else
    the layer is chosen (:func:`_choose`), read (:func:`_read_options`,
    :func:`_read_features`), its legacy text recovered, its geometries made
    2-D and its CRS checked.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        ``path`` or ``path:layer``; zip archives are read in place, their data
        sets in subfolders too (``data.zip:zona`` names the shapefile ``zona``).
    want : {"polygon", "any"}
        What is read, when the source has several layers and none is named: the
        one polygon layer, or the one layer with geometry. Several candidates
        are an :class:`~sppr_gis.errors.AmbiguousLayerError` (see :func:`choose_layer`).
    assume_crs : str, optional
        CRS given to a layer that has none; without it such a layer is an error.
    encoding : str, optional
        Attribute encoding for sources that do not declare one (e.g. ``cp1252``
        for a legacy DBF without a ``.cpg``). Without it, such a shapefile's text
        is recovered as UTF-8 or Windows-1252 where unambiguous (a warning is logged).
    engine : {"pyogrio", "fiona"}
        I/O engine.

    Returns
    -------
    geopandas.GeoDataFrame
        The features, 2-D geometries, with ``attrs["source"]`` set to the layer label.

    Raises
    ------
    InputError
        The file is missing or unreadable.
    LayerError
        The layer does not exist or is not suitable.
    AmbiguousLayerError
        Several candidate layers and none named.
    CRSError
        The layer has no CRS and ``assume_crs`` was not given.
    """
    spec = parse_layer_spec(spec)
    if spec.uri is not None:
        from sppr_gis.io.postgis import read_pg_layer

        return read_pg_layer(spec.uri + (f"#{spec.layer}" if spec.layer else ""), assume_crs=assume_crs)
    if not spec.path.exists():
        raise InputError(_("{path}: file not found").format(path=spec.path))
    if spec.path.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(spec, assume_crs)
    if spec.path.suffix.lower() == ".shp" and not any(spec.path.with_suffix(x).exists() for x in (".dbf", ".DBF", ".Dbf")):
        raise InputError(_("{path}: the shapefile's attribute file {name} is missing (a shapefile is .shp, .shx, .dbf and .prj together)").format(path=spec.path, name=spec.path.with_suffix('.dbf').name))
    one = _one_layer_file(spec)
    info, n_layers = (one, 1) if one is not None else _choose(spec, want)
    label = f"{spec.path}:{info.name}" if spec.layer is not None or n_layers > 1 else str(spec.path)
    kwargs = _read_options(encoding, label)
    try:
        gdf, unreadable = _read_features(info, label, kwargs, engine)
    except InputError:
        if one is None:
            raise
        _choose(spec, want)  # unreadable as a data source: the listing's own error, as without the shortcut
        raise
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise LayerError(_("{label}: the layer has no geometry column").format(label=label))
    if info.legacy_text and not encoding and engine == "pyogrio":
        gdf = _fix_legacy_text(gdf, label)
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    gdf = ensure_crs(gdf, label, assume_crs)
    gdf.attrs["source"] = label
    if unreadable:
        gdf.attrs["findings"] = list(gdf.attrs.get("findings", [])) + unreadable
    return gdf


def _one_layer_file(spec: LayerSpec) -> LayerInfo | None:
    """The layer of a GeoJSON file, without listing the file's layers; ``None`` where a listing is needed.

    A GeoJSON file holds exactly one layer, and listing it costs GDAL a full parse of the file (a
    third of reading a large one). A named layer (``path:layer``) is still matched against the
    listing, and a ``.json`` file only counts as GeoJSON when it starts as a FeatureCollection
    (TopoJSON, also ``.json``, can hold several layers).
    """
    path = spec.path
    if spec.layer is not None or not path.is_file():
        return None
    suffix = path.suffix.lower()
    if suffix == ".json":
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if b"FeatureCollection" not in head or b"Topology" in head:
            return None
    elif suffix != ".geojson":
        return None
    return LayerInfo(path.stem, None, str(path), None)


def _read_options(encoding: str | None, label: str) -> dict[str, object]:
    """The reader's options: the attribute encoding, by Python's canonical name."""
    kwargs: dict[str, object] = {}
    if encoding:
        try:  # Python's canonical name: GDAL's iconv does not know spellings like 'latin-1'
            kwargs["encoding"] = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(_("{label}: unknown text encoding '{encoding}' (e.g. cp1252, utf-8)").format(label=label, encoding=encoding)) from None
    return kwargs


def _read_features(info: LayerInfo, label: str, kwargs: dict[str, object], engine: Engine) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """The layer's features, and a finding for each feature whose geometry GEOS cannot parse (the rest are read)."""
    import warnings

    unreadable: list[Finding] = []
    said: list[warnings.WarningMessage] = []
    try:
        try:
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                if engine == "fiona":
                    gdf = gpd.read_file(info.gdal_path, layer=info.gdal_layer, engine="fiona", **kwargs)
                else:
                    gdf = pyogrio.read_dataframe(info.gdal_path, layer=info.gdal_layer, **kwargs)
        except shapely.errors.ShapelyError:
            # a feature GEOS cannot parse (an unclosed ring, a one-vertex line): read the rest; GDAL's warning
            # about it ("Non closed ring detected ...") is this feature's finding now, not a line of its own
            said = []
            gdf, unreadable = _read_feature_by_feature(info, label, kwargs)
    except Exception as exc:
        raise InputError(_("{label}: cannot be read ({reason})").format(label=label, reason=_short(exc))) from exc
    for w in said:  # what the driver said while reading, naming the file it said it of (analyst s9)
        warnings.warn(f"{label}: {w.message}", w.category if issubclass(w.category, Warning) else RuntimeWarning, stacklevel=2)
    return gdf, unreadable


#: Issue code of a feature whose geometry the driver returns but GEOS cannot parse.
UNREADABLE_GEOMETRY = "geometri_tak_terbaca"


def _read_feature_by_feature(info: LayerInfo, label: str, kwargs: Mapping[str, object]) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """A layer some of whose geometries GEOS cannot parse (an unclosed ring, a line of one vertex).

    The attributes are read as usual without the geometries, the geometries as
    WKB (with the features' FIDs) parsed one by one by shapely. Each unparsable
    one is a ``geometri_tak_terbaca`` finding (severity error) naming the
    feature's position and FID; its row stays, with a null geometry.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's "Non closed ring detected": reported below
        attrs = pyogrio.read_dataframe(info.gdal_path, layer=info.gdal_layer, read_geometry=False, **kwargs)
        meta, fids, wkb, _u = pyogrio.raw.read(info.gdal_path, layer=info.gdal_layer, columns=[], return_fids=True, **kwargs)
    if len(wkb) != len(attrs):
        raise InputError(_("{label}: cannot be read (the layer changed while it was read)").format(label=label))
    wkb = np.asarray(wkb, dtype=object)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    gdf = gpd.GeoDataFrame(pd.DataFrame(attrs), geometry=gpd.GeoSeries(geoms, index=attrs.index, crs=meta.get("crs")))
    findings: list[Finding] = []
    for i in np.flatnonzero(shapely.is_missing(geoms)):
        if wkb[i] is None:
            continue
        try:
            shapely.from_wkb(wkb[i])
            reason = "tidak dikenal"
        except shapely.errors.ShapelyError as exc:
            reason = _short(exc)
        fid = "" if fids is None else f", fid {int(fids[i])}"
        findings.append(
            Finding(label, f"#{i + 1}", "error", UNREADABLE_GEOMETRY,
                    f"lapisan '{info.gdal_layer or info.name}', fitur ke-{i + 1}{fid}: geometri tidak dapat dibaca ({reason}); fitur dibaca tanpa geometri (perbaiki geometrinya)", row=int(i))
        )
    return gdf, findings


def _outside_lon_lat(gdf: gpd.GeoDataFrame, label: str, id_field: str | None) -> gpd.GeoDataFrame:
    """Rows of a geographic layer whose coordinates are beyond +-180/+-90 (or not finite):
    a null geometry and one finding each, never Infinity in an output."""
    if gdf.crs is None or not gdf.crs.is_geographic or not len(gdf):
        return gdf
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = np.zeros(len(geoms), dtype=bool)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        c = shapely.get_coordinates(g)
        bad[i] = not (np.isfinite(c).all() and (np.abs(c[:, 0]) <= 180).all() and (np.abs(c[:, 1]) <= 90).all())
    if not bad.any():
        return gdf
    from sppr_gis.schema import find_field
    from sppr_gis.findings import Finding, frame_ids

    ids = frame_ids(gdf, find_field([str(c) for c in gdf.columns], id_field) if id_field else None)
    findings = list(gdf.attrs.get("findings", []))
    for i in np.flatnonzero(bad):
        x, y = shapely.get_coordinates(geoms[i])[0]
        findings.append(Finding(label, str(ids[i]), "error", "koordinat_di_luar_crs", f"koordinat {x:.6g}, {y:.6g} di luar rentang {gdf.crs.name} (CRS lapisan salah?)", row=int(i)))
    out = gdf.copy()
    out.loc[bad, out.geometry.name] = None
    out.attrs = {**gdf.attrs, "findings": findings}
    return out


def read_programs(
    spec: str | os.PathLike[str] | LayerSpec,
    *,
    assume_crs: str | None = None,
    xy_fields: tuple[str, str] | None = None,
    wkt_field: str | None = None,
    coord_field: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    engine: Engine = "pyogrio",
    id_field: str | None = "program_id",
    progress: Callable[[str, int, int | None], None] | None = None,
) -> gpd.GeoDataFrame:
    """Read a program list: a vector layer, or a CSV/XLSX table with coordinates or WKT.

    Parameters
    ----------
    spec : str, path-like or LayerSpec
        The file (``path:layer`` for layers; ``book.xlsx:Sheet`` for a sheet).
    assume_crs : str, optional
        CRS for layers without one; for tables, the CRS of the coordinates
        (default EPSG:4326).
    xy_fields : (str, str), optional
        Longitude and latitude (or x and y) column names of a table.
    wkt_field : str, optional
        Column of a table holding WKT geometries.
    coord_field : str, optional
        Column of a table holding ``"lat, lon"`` in one cell (default: a
        ``koordinat`` column when there are no separate coordinate columns).
    sheet : str, optional
        Sheet of an Excel workbook (default: the ``:name`` of the spec, else the
        only sheet).
    header_row : int, optional
        Spreadsheet row (1-based) of a table's header; the spec's own ``@N``
        wins. Default: found in each sheet (see :func:`~sppr_gis.io.tables.read_table`).
    encoding : str, optional
        Text encoding for CSV files and legacy DBFs.
    engine : {"pyogrio", "fiona"}
        I/O engine for vector layers.
    id_field : str, optional
        Id field naming rows in findings about a layer's coordinates.
    progress : callable, optional
        ``progress(stage, rows_done, rows_total)`` for a table's long read
        (see :func:`~sppr_gis.io.tables.read_table`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per input row; rows whose coordinates cannot be used (blank,
        unreadable, out of range for a geographic CRS) have a null geometry and
        are listed in ``attrs["findings"]``.
    """
    from sppr_gis.io.tables import TABLE_SUFFIXES, read_table

    spec = parse_layer_spec(spec)
    if spec.uri is None and spec.path.suffix.lower() in TABLE_SUFFIXES:
        return read_table(
            spec.path,
            sheet=sheet if spec.layer is None else spec.layer,
            xy_fields=xy_fields,
            wkt_field=wkt_field,
            coord_field=coord_field,
            crs=assume_crs or "EPSG:4326",
            encoding=encoding,
            header_row=spec.header_row or header_row,
            key_fields=(id_field,) if id_field else (),
            progress=progress,
        )
    gdf = read_layer(spec, want="any", assume_crs=assume_crs, encoding=encoding, engine=engine)
    if gdf.attrs.get("findings") and id_field:
        from sppr_gis.schema import find_field
        from sppr_gis.findings import frame_ids

        # a feature whose geometry could not be parsed is named by its program id where there is one
        ids = frame_ids(gdf, find_field([str(c) for c in gdf.columns], id_field))
        gdf.attrs["findings"] = [
            replace(f, feature_id=str(ids[f.row])) if f.code == UNREADABLE_GEOMETRY and f.row is not None else f for f in gdf.attrs["findings"]
        ]
    return _outside_lon_lat(gdf, str(gdf.attrs.get("source", spec.label)), id_field)


def read_program_sources(
    specs: str | os.PathLike[str] | LayerSpec | Sequence[str | os.PathLike[str] | LayerSpec],
    *,
    id_field: str | None = "program_id",
    **kwargs: Any,
) -> gpd.GeoDataFrame:
    """Read one or several program lists (one per geometry type, one per OPD) as one frame.

    Each input is read with :func:`read_programs`, then they are combined with
    :func:`sppr_gis.io.combine.combine_programs`: rows in input order,
    attributes unioned (names differing only in case are one column), a
    ``sumber_berkas`` column naming each row's input, geometries in the first
    input's CRS, and an ``id_ganda_antar_berkas`` finding for every id found in
    more than one input.

    Parameters
    ----------
    specs : spec or sequence of specs
        ``path``, ``path:layer`` or ``book.xlsx:Sheet`` (or :class:`LayerSpec`).
    id_field : str, optional
        Program id field; every input must have it.
    **kwargs
        Passed to :func:`read_programs` (``assume_crs``, ``xy_fields``,
        ``wkt_field``, ``coord_field``, ``sheet``, ``header_row``, ``encoding``, ``engine``, ``progress``).

    Returns
    -------
    geopandas.GeoDataFrame
        With ``attrs["source"]`` (the inputs' labels joined by ``" + "``) and
        ``attrs["findings"]``. A single input is returned as :func:`read_programs` reads it.

    Raises
    ------
    InputError, LayerError, AmbiguousLayerError, FieldError, CRSError
        As :func:`read_programs`, naming the input; FieldError too when an input
        lacks ``id_field``.
    """
    from sppr_gis.io.combine import combine_programs

    items = [specs] if isinstance(specs, (str, os.PathLike, LayerSpec)) else list(specs)
    if not items:
        raise ValueError(_("no program input given"))
    frames = [read_programs(s, id_field=id_field, **kwargs) for s in items]
    return combine_programs(frames, id_field=id_field)
