"""The TOML run configuration of ``sppr sync``: inputs, field mappings, parameters.

The file is validated as a whole: every unknown key, wrong type, out-of-range
value and missing input file is collected, then one :class:`ConfigError`
lists them all, each named by its dotted key (``parameters.match_distanse``).
Paths are relative to the config file's folder.

Shape (only ``[inputs]`` is required; see ``docs/sync.md``)::

    [project]                       # optional
    name = "Kota Contoh"
    title = "SPPR Kota Contoh"
    kode = "2171"                   # optional: BPS code, names the region's folder in multi-region runs

    [inputs]
    zoning = "zoning.gpkg:rdtr_subzona"            # or a list; "file.shp=CODE"
    rules = "itbx.csv"
    conditions = "itbx_syarat.csv"                 # optional
    code_map = "kode_kegiatan.csv"                 # optional
    indikasi_program = "ipu.gpkg"                  # optional: without it the rencana alone are judged and ranked
    rencana = ["rencana_pupr.gpkg", { path = "rencana_perkim.xlsx", opd = "Dinas Perkim" }]
    struktur_ruang = "struktur_ruang.gpkg"         # optional, or a list
    network_map = "jaringan_kegiatan.csv"          # optional: kegiatan,kelas (struktur ruang conformance)
    kecamatan = "admin.gpkg:kecamatan"             # optional
    kelurahan = "admin.gpkg:kelurahan"             # optional
    kawasan_prioritas = "kawasan_prioritas.gpkg"   # optional

    [fields]                                       # optional overrides of the default names
    zone = "KODSZN"
    activity = "kegiatan"

    [parameters]                                   # optional
    min_share = 0.01
    match_distance = 50

    [parameters.priority_weights]
    conformance = 0.30

    [opd_clusters]
    Infrastruktur = ["Dinas PUPR", "Dinas Perkim"]
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dc_fields
from pathlib import Path
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, packaged as tomli
    import tomli as tomllib  # type: ignore[no-redef]

from sppr_gis.config.tables import (
    _INPUT_KEYS,
    _album,
    _Errors,
    _is_str,
    _number,
    _output,
    _palette,
    _str_list,
    _unknown,
    kinerja_table,
)
from sppr_gis.errors import ConfigError, MissingFileError
from sppr_gis.i18n import _
from sppr_gis.io.vector import LayerSpec, parse_layer_spec
from sppr_gis.vocabulary import (
    DEFAULT_MIN_SHARE,
    DEFAULT_NETWORK_CLASS_FIELD,
    DEFAULT_NETWORK_DISTANCE,
    DEFAULT_RELOCATION_DISTANCE,
    DEFAULT_SLIVER_AREA,
    DEFAULT_SLIVER_WIDTH,
)

__all__ = [
    "Config",
    "InputSpec",
    "Inputs",
    "Parameters",
    "PriorityWeights",
    "FIELD_DEFAULTS",
    "load_config",
    "parse_config",
]

#: Canonical field names (keys of ``[fields]``) and their default source names.
#: ``activity`` is the ``kegiatan`` field of both the IPU and the rencana tables.
FIELD_DEFAULTS: dict[str, str | None] = {
    # zoning
    "zone": None,  # first present of vocabulary.ZONE_CODE_FIELDS (KODSZN, KODZON, KODKWS)
    "protected": "JNSRPR",  # zoning field saying lindung / budi daya
    # shared by IPU and rencana
    "activity": "kegiatan",
    "sumber_dana": "sumber_dana",
    "lokasi": "lokasi",
    # IPU
    "ipu_id": "ipu_id",
    "program": "program",
    "instansi": "instansi",
    "tahun_mulai": "tahun_mulai",
    "tahun_akhir": "tahun_akhir",
    # rencana
    "program_id": "program_id",
    "tahun": "tahun",
    "opd": "opd",
    "kode": "kode",
    "pagu": "pagu",
    "volume": "volume",
    "satuan": "satuan",
    "target": "target",
    "realisasi": "realisasi",
    # boundaries and priority areas (None: first present of the usual names)
    "kecamatan_name": None,
    "kelurahan_name": None,
    "kawasan_name": None,
}

_SPEC_KEYS = {"path", "layer", "sheet", "code", "crs", "xy_fields", "wkt_field", "coord_field", "header_row", "encoding", "opd", "fields"}
_TOP_KEYS = {"project", "inputs", "fields", "parameters", "opd_clusters", "palette", "album", "output", "kinerja"}
_PROJECT_KEYS = {"name", "title", "kode"}


@dataclass(frozen=True)
class InputSpec:
    """One input file named in the config.

    Attributes
    ----------
    layer : LayerSpec
        Path (absolute), layer or sheet (``file:layer``), zone code (``file=CODE``).
    key : str
        Dotted config key, for messages (``inputs.rencana[1]``).
    crs : str, optional
        CRS of the coordinates (tables) or CRS to assume for a layer without one.
    xy_fields : (str, str), optional
        Longitude/latitude columns of a table.
    wkt_field : str, optional
        WKT column of a table.
    encoding : str, optional
        Text encoding of a CSV or legacy DBF (a shapefile without ``.cpg``).
    opd : str, optional
        Agency given to every row that has none (one rencana file per OPD).
    fields : dict
        Field mapping for this file only (same keys as ``[fields]``; for a
        zoning file, ``zone`` and ``protected``).
    coord_field : str, optional
        Column of a table holding ``"lat, lon"`` in one cell (default: ``koordinat``).
    header_row : int, optional
        Spreadsheet row (1-based) of a table's header; title rows above it are skipped.
        Default: found in the sheet (the first row holding the expected fields).
    """

    layer: LayerSpec
    key: str
    crs: str | None = None
    xy_fields: tuple[str, str] | None = None
    wkt_field: str | None = None
    encoding: str | None = None
    opd: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    coord_field: str | None = None
    header_row: int | None = None

    @property
    def path(self) -> Path:
        """The file."""
        return self.layer.path

    @property
    def label(self) -> str:
        """``file`` or ``file:layer`` for messages."""
        return self.layer.label


@dataclass(frozen=True)
class Inputs:
    """The ``[inputs]`` table, resolved against the config file's folder."""

    zoning: tuple[InputSpec, ...]
    rules: InputSpec
    indikasi_program: InputSpec | None
    rencana: tuple[InputSpec, ...]
    conditions: InputSpec | None = None
    code_map: InputSpec | None = None
    struktur_ruang: tuple[InputSpec, ...] = ()
    kecamatan: InputSpec | None = None
    kelurahan: InputSpec | None = None
    kawasan_prioritas: InputSpec | None = None
    network_map: InputSpec | None = None
    kinerja: InputSpec | None = None

    def all(self) -> list[tuple[str, InputSpec]]:
        """Every input as ``(role, spec)``, in a fixed order (for the manifest)."""
        out: list[tuple[str, InputSpec]] = []
        for name in ("zoning", "rules", "conditions", "code_map", "indikasi_program", "rencana", "struktur_ruang", "network_map", "kecamatan", "kelurahan", "kawasan_prioritas", "kinerja"):
            value = getattr(self, name)
            if value is None:
                continue
            for spec in value if isinstance(value, tuple) else (value,):
                out.append((name, spec))
        return out


@dataclass(frozen=True)
class PriorityWeights:
    """Weights of the Matriks 2 criteria (any non-negative numbers; normalized by their sum).

    Attributes
    ----------
    conformance : float
        Conformance with the zoning (``sesuai`` 1, ``sesuai_bersyarat`` score/100, else 0).
    realizes_ipu : float
        The program realizes at least one IPU.
    continues_ipu : float
        The program resumes an IPU that was ``diskontinu`` the year before.
    priority_area : float
        The program lies (partly) inside a priority area.
    budget_readiness : float
        Pagu set (> 0) and funding source named (1; pagu only: 0.5).
    """

    conformance: float = 0.30
    realizes_ipu: float = 0.30
    continues_ipu: float = 0.15
    priority_area: float = 0.15
    budget_readiness: float = 0.10

    def as_dict(self) -> dict[str, float]:
        """The weights by criterion name."""
        return {f.name: float(getattr(self, f.name)) for f in dc_fields(self)}


@dataclass(frozen=True)
class Parameters:
    """The ``[parameters]`` table.

    Attributes
    ----------
    min_share : float
        Zones with a smaller share are not counted (as ``sppr check --min-share``).
    sliver_width, sliver_area : float
        Zoning overlaps and gaps narrower (m) or smaller (m²) than these are
        digitizing noise, summarized in the issues (as ``sppr check --sliver-width``
        and ``--sliver-area``); measures never depend on them.
    match_distance : float
        Metres: a rencana program realizes an IPU within this distance.
    synergy_distance : float
        Metres: programs of different OPDs in the same year this close should coordinate.
    collision_distance : float
        Metres: works of different OPDs this close in consecutive years collide.
    collision_years : int
        Years apart (at least 1) that still count as consecutive works.
    collision_kegiatan : tuple of str
        Activities that dig up the ground (roads, drains, pipes); empty: every activity.
    protected_zones : tuple of str
        Zone codes of protected areas; empty: the zoning's ``JNSRPR`` containing "lindung".
    capaian_threshold : float
        Percent: programs whose achievement is below it are flagged.
    medium_term_start : int, optional
        First year of the 5-year medium-term window; default the earliest rencana year.
    priority_weights : PriorityWeights
        Matriks 2 weights.
    priority_thresholds : (float, float)
        Score limits of Prioritas I and II in Matriks 3.
    assume_crs : str, optional
        CRS given to layers without one.
    workers : int, optional
        Threads for the zone-share engine.
    relocation_distance : float
        Metres: relocation advice (``saran_relokasi``) only within it (as ``sppr check --relocation-distance``).
    network_distance : float
        Metres: a program follows the planned network within it (``--network-distance``).
    network_class_field : str
        Class field of the struktur ruang layer (``--network-class-field``).
    """

    min_share: float = DEFAULT_MIN_SHARE
    sliver_width: float = DEFAULT_SLIVER_WIDTH
    sliver_area: float = DEFAULT_SLIVER_AREA
    match_distance: float = 50.0
    synergy_distance: float = 100.0
    collision_distance: float = 10.0
    collision_years: int = 1
    collision_kegiatan: tuple[str, ...] = ()
    protected_zones: tuple[str, ...] = ()
    capaian_threshold: float = 80.0
    medium_term_start: int | None = None
    priority_weights: PriorityWeights = field(default_factory=PriorityWeights)
    priority_thresholds: tuple[float, float] = (70.0, 50.0)
    assume_crs: str | None = None
    workers: int | None = None
    relocation_distance: float = DEFAULT_RELOCATION_DISTANCE
    network_distance: float = DEFAULT_NETWORK_DISTANCE
    network_class_field: str = DEFAULT_NETWORK_CLASS_FIELD

    def as_dict(self) -> dict[str, Any]:
        """Plain values (for the manifest)."""
        out: dict[str, Any] = {}
        for f in dc_fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.as_dict() if isinstance(v, PriorityWeights) else (list(v) if isinstance(v, tuple) else v)
        return out


@dataclass(frozen=True)
class Config:
    """A validated ``sppr sync`` configuration.

    Attributes
    ----------
    path : Path
        The config file (absolute).
    name : str
        Region name (``[project] name``; default: the config's folder name).
    title : str
        Title of the matrices book and the album.
    inputs : Inputs
    fields : dict
        Canonical field name -> source field name (defaults merged).
    parameters : Parameters
    opd_clusters : dict
        Cluster name -> OPD names.
    palette : dict
        Zone code -> colour (``"#rrggbb"``), overriding the default map palette
        (``[palette]`` table; values ``"#rrggbb"`` or ``[r, g, b]`` with 0-255).
    kode : str or None
        Region code (``[project] kode``, e.g. the BPS code ``2171``): the region's
        folder in a multi-region ``sppr sync``.
    """

    path: Path
    name: str
    title: str
    inputs: Inputs
    fields: Mapping[str, str | None]
    parameters: Parameters
    opd_clusters: Mapping[str, tuple[str, ...]]
    palette: Mapping[str, str] = field(default_factory=dict)
    album: Mapping[str, Any] = field(default_factory=dict)
    output: Mapping[str, str] = field(default_factory=dict)
    kode: str | None = None
    kinerja: Mapping[str, Any] = field(default_factory=dict)


def _spec(value: Any, key: str, base: Path, err: _Errors, *, allow_opd: bool = False) -> InputSpec | None:
    if isinstance(value, str):
        table: dict[str, Any] = {"path": value}
    elif isinstance(value, dict):
        table = dict(value)
        _unknown(table, _SPEC_KEYS if allow_opd else _SPEC_KEYS - {"opd"}, f"{key}.", err)
    else:
        err.add(key, _("expected a path (text) or a table with 'path', got {kind}").format(kind=type(value).__name__))
        return None
    path = table.get("path")
    if not _is_str(path):
        err.add(f"{key}.path" if isinstance(value, dict) else key, _("a file path is required"))
        return None
    layer_spec = parse_layer_spec(str(path), base=base)
    layer = table.get("layer", table.get("sheet"))
    if layer is not None:
        if not _is_str(layer):
            err.add(f"{key}.layer", _("expected text"))
        else:
            layer_spec = LayerSpec(layer_spec.path, str(layer), layer_spec.code, layer_spec.uri)
    code = table.get("code")
    if code is not None:
        if not _is_str(code):
            err.add(f"{key}.code", _("expected a zone code (text)"))
        else:
            layer_spec = LayerSpec(layer_spec.path, layer_spec.layer, str(code).strip(), layer_spec.uri)
    if err.check_files and not layer_spec.exists():
        err.add(key, _("file '{path}' not found (paths are relative to the config file's folder {base})").format(path=layer_spec.path, base=base), missing=True)
    crs = table.get("crs")
    if crs is not None:
        if not _is_str(crs):
            err.add(f"{key}.crs", _("expected a CRS text such as 'EPSG:32648'"))
            crs = None
        else:
            try:
                from pyproj import CRS

                CRS.from_user_input(crs)
            except Exception:
                err.add(f"{key}.crs", _("'{crs}' is not a CRS (try 'EPSG:32648')").format(crs=crs))
                crs = None
    xy = table.get("xy_fields")
    if xy is not None:
        if not (isinstance(xy, list) and len(xy) == 2 and all(_is_str(x) for x in xy)):
            err.add(f"{key}.xy_fields", _("expected two column names: [\"bujur\", \"lintang\"]"))
            xy = None
        else:
            xy = (str(xy[0]), str(xy[1]))
    header_row = table.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        err.add(f"{key}.header_row", _("expected the spreadsheet row number of the header (1, 2, ...), got {header_row!r}").format(header_row=header_row))
        header_row = None
    for k in ("wkt_field", "coord_field", "encoding", "opd"):
        if table.get(k) is not None and not _is_str(table.get(k)):
            err.add(f"{key}.{k}", _("expected text"))
    if _is_str(table.get("encoding")):
        import codecs

        try:
            codecs.lookup(str(table["encoding"]))
        except LookupError:
            err.add(f"{key}.encoding", _("unknown text encoding {encoding!r} (e.g. 'cp1252', 'utf-8')").format(encoding=table['encoding']))
    flds = table.get("fields", {})
    if not isinstance(flds, dict):
        err.add(f"{key}.fields", _("expected a table of field names"))
        flds = {}
    flds = _field_map(flds, f"{key}.fields.", err)
    return InputSpec(
        layer=layer_spec,
        key=key,
        crs=crs,
        xy_fields=xy,
        wkt_field=table.get("wkt_field") if _is_str(table.get("wkt_field")) else None,
        coord_field=table.get("coord_field") if _is_str(table.get("coord_field")) else None,
        header_row=header_row,
        encoding=table.get("encoding") if _is_str(table.get("encoding")) else None,
        opd=str(table["opd"]).strip() if _is_str(table.get("opd")) else None,
        fields=flds,
    )


def _field_map(table: Mapping[str, Any], prefix: str, err: _Errors) -> dict[str, str]:
    _unknown(table, set(FIELD_DEFAULTS), prefix, err)
    out: dict[str, str] = {}
    for k, v in table.items():
        if k not in FIELD_DEFAULTS:
            continue
        if not _is_str(v):
            err.add(f"{prefix}{k}", _("expected a field name (text), got {v!r}").format(v=v))
            continue
        out[k] = str(v).strip()
    return out


def _spec_list(value: Any, key: str, base: Path, err: _Errors, *, allow_opd: bool = False) -> tuple[InputSpec, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        err.add(key, _("the list is empty"))
    out = []
    for i, item in enumerate(items):
        spec = _spec(item, f"{key}[{i}]" if isinstance(value, list) else key, base, err, allow_opd=allow_opd)
        if spec is not None:
            out.append(spec)
    return tuple(out)


def _parameters(table: Mapping[str, Any], err: _Errors) -> Parameters:
    p = "parameters."
    known = {f.name for f in dc_fields(Parameters)}
    _unknown(table, known, p, err)
    kw: dict[str, Any] = {}
    specs: dict[str, dict[str, Any]] = {
        "min_share": {"lo": 0.0, "hi": 1.0, "lo_open": True},
        "sliver_width": {"lo": 0.0},
        "sliver_area": {"lo": 0.0},
        "match_distance": {"lo": 0.0},
        "synergy_distance": {"lo": 0.0},
        "collision_distance": {"lo": 0.0},
        "collision_years": {"lo": 1, "integer": True},
        "capaian_threshold": {"lo": 1.0, "hi": 100.0},
        "medium_term_start": {"lo": 1900, "hi": 2200, "integer": True},
        "workers": {"lo": 1, "integer": True},
        "relocation_distance": {"lo": 0.0},
        "network_distance": {"lo": 0.0},
    }
    for key, kws in specs.items():
        if key in table:
            v = _number(table, key, p, err, **kws)
            if v is not None:
                kw[key] = int(v) if kws.get("integer") else float(v)
    if "capaian_threshold" in table and isinstance(table["capaian_threshold"], (int, float)) and 0 < table["capaian_threshold"] < 1:
        err.items[-1] += " (capaian_threshold is a percentage, e.g. 80)"
    for key in ("collision_kegiatan", "protected_zones"):
        if key in table:
            v = _str_list(table, key, p, err)
            if v is not None:
                kw[key] = v
    if "network_class_field" in table:
        if _is_str(table["network_class_field"]):
            kw["network_class_field"] = str(table["network_class_field"]).strip()
        else:
            err.add(f"{p}network_class_field", _("expected a field name (text), got {network_class_field!r}").format(network_class_field=table['network_class_field']))
    if "assume_crs" in table:
        v = table["assume_crs"]
        try:
            from pyproj import CRS

            CRS.from_user_input(v)
            kw["assume_crs"] = str(v)
        except Exception:
            err.add(f"{p}assume_crs", _("{v!r} is not a CRS (try 'EPSG:32648')").format(v=v))
    if "priority_thresholds" in table:
        v = table["priority_thresholds"]
        if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v) and 0 <= v[1] <= v[0] <= 100):
            err.add(f"{p}priority_thresholds", _("expected two scores [I, II] with 100 >= I >= II >= 0, got {v!r}").format(v=v))
        else:
            kw["priority_thresholds"] = (float(v[0]), float(v[1]))
    if "priority_weights" in table:
        w = table["priority_weights"]
        if not isinstance(w, dict):
            err.add(f"{p}priority_weights", _("expected a table of weights"))
        else:
            wp = f"{p}priority_weights."
            wknown = {f.name for f in dc_fields(PriorityWeights)}
            _unknown(w, wknown, wp, err)
            wk = {}
            for key in sorted(wknown & set(w)):
                v = _number(w, key, wp, err, lo=0.0)
                if v is not None:
                    wk[key] = float(v)
            weights = PriorityWeights(**wk)
            if sum(weights.as_dict().values()) <= 0:
                err.add(f"{p}priority_weights", _("at least one weight must be greater than 0"))
            kw["priority_weights"] = weights
    return Parameters(**kw)


def parse_config(data: Mapping[str, Any], path: str | os.PathLike[str], *, check_files: bool = True) -> Config:
    """Validate a parsed TOML document.

    The steps, one per table, each adding its problems to one collector:
    unknown top-level keys, :func:`_project`, :func:`_inputs`, :func:`_fields`,
    :func:`_parameters`, :func:`_clusters`, then the optional ``[palette]``,
    ``[album]``, ``[output]`` and ``[kinerja]`` (:mod:`sppr_gis.config.tables`);
    the collector raises once, listing them all.

    Parameters
    ----------
    data : mapping
        The document (``tomllib.loads`` output).
    path : path-like
        The config file; relative input paths are resolved against its folder.
    check_files : bool
        Whether input files must exist.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        Listing every unknown key, bad value and missing file, each by its dotted key.
    """
    path = Path(path).resolve()
    base = path.parent
    err = _Errors(str(path), check_files)
    _unknown(data, _TOP_KEYS, "", err)
    name, title, kode = _project(data, base, err)
    inputs = _inputs(data, base, err)
    fields = _fields(data, err)
    par_t = data.get("parameters", {})
    if not isinstance(par_t, dict):
        err.add("parameters", _("expected a table"))
        par_t = {}
    parameters = _parameters(par_t, err)
    clusters = _clusters(data, err)
    palette = _palette(data.get("palette", {}), err)
    album = _album(data.get("album", {}), base, err, check_files)
    output = _output(data.get("output", {}), err)
    kinerja = kinerja_table(data.get("kinerja", {}), err)
    err.raise_if_any()
    assert inputs is not None
    return Config(path=path, name=name, title=title, inputs=inputs, fields=fields, parameters=parameters, opd_clusters=clusters, palette=palette, album=album, output=output, kode=kode, kinerja=kinerja)


def _project(data: Mapping[str, Any], base: Path, err: _Errors) -> tuple[str, str, str | None]:
    """``[project]``: name (default: the config's folder name), title and region ``kode``."""
    project = data.get("project", {})
    if not isinstance(project, dict):
        err.add("project", _("expected a table"))
        project = {}
    _unknown(project, _PROJECT_KEYS, "project.", err)
    name = str(project.get("name") or base.name)
    title = str(project.get("title") or f"SPPR {name}")
    kode = project.get("kode")
    if kode is not None:
        kode = str(kode).strip() if isinstance(kode, (str, int)) and not isinstance(kode, bool) else None
        if not kode or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", kode):
            err.add("project.kode", _("expected a region code of letters, digits, '.', '_' or '-' (e.g. the BPS code \"2171\"), got {kode!r}").format(kode=project.get('kode')))
            kode = None
    return name, title, kode


def _inputs(data: Mapping[str, Any], base: Path, err: _Errors) -> Inputs | None:
    """``[inputs]``: the input files (None when a required one is missing or unusable)."""
    inputs_t = data.get("inputs")
    inputs: Inputs | None = None
    if not isinstance(inputs_t, dict):
        err.add("inputs", _("the [inputs] table is required (zoning, rules, rencana; indikasi_program optional)"))
    else:
        _unknown(inputs_t, _INPUT_KEYS, "inputs.", err)
        for req in ("zoning", "rules", "rencana"):
            if req not in inputs_t:
                err.add(f"inputs.{req}", _("required key missing"))

        def one(k: str) -> InputSpec | None:
            return _spec(inputs_t[k], f"inputs.{k}", base, err) if k in inputs_t else None

        zoning = _spec_list(inputs_t["zoning"], "inputs.zoning", base, err) if "zoning" in inputs_t else ()
        rencana = _spec_list(inputs_t["rencana"], "inputs.rencana", base, err, allow_opd=True) if "rencana" in inputs_t else ()
        struktur = _spec_list(inputs_t["struktur_ruang"], "inputs.struktur_ruang", base, err) if "struktur_ruang" in inputs_t else ()
        rules, ipu = one("rules"), one("indikasi_program")
        if rules is not None and zoning and rencana and (ipu is not None or "indikasi_program" not in inputs_t):
            inputs = Inputs(
                zoning=zoning,
                rules=rules,
                indikasi_program=ipu,
                rencana=rencana,
                conditions=one("conditions"),
                code_map=one("code_map"),
                struktur_ruang=struktur,
                kecamatan=one("kecamatan"),
                kelurahan=one("kelurahan"),
                kawasan_prioritas=one("kawasan_prioritas"),
                network_map=one("network_map"),
                kinerja=_spec(inputs_t["kinerja"], "inputs.kinerja", base, err, allow_opd=True) if "kinerja" in inputs_t else None,
            )
            if inputs.network_map is not None and not struktur:
                err.add("inputs.network_map", _("needs inputs.struktur_ruang (the planned network layer)"))
    return inputs


def _fields(data: Mapping[str, Any], err: _Errors) -> dict[str, str | None]:
    """``[fields]``: the source field names, merged over :data:`FIELD_DEFAULTS`."""
    flds_t = data.get("fields", {})
    if not isinstance(flds_t, dict):
        err.add("fields", _("expected a table"))
        flds_t = {}
    fields = dict(FIELD_DEFAULTS)
    fields.update(_field_map(flds_t, "fields.", err))
    return fields


def _clusters(data: Mapping[str, Any], err: _Errors) -> dict[str, tuple[str, ...]]:
    """``[opd_clusters]``: cluster name -> OPD names; an OPD belongs to at most one cluster."""
    clusters_t = data.get("opd_clusters", {})
    clusters: dict[str, tuple[str, ...]] = {}
    if not isinstance(clusters_t, dict):
        err.add("opd_clusters", _("expected a table: cluster name = [OPD names]"))
    else:
        seen: dict[str, str] = {}
        for cname in clusters_t:
            v = _str_list(clusters_t, cname, "opd_clusters.", err)
            if v is None:
                continue
            for m in v:
                key = " ".join(m.casefold().split())
                if key in seen and seen[key] != cname:
                    err.add(f"opd_clusters.{cname}", _("OPD '{m}' is already in cluster '{seen}'").format(m=m, seen=seen[key]))
                seen[key] = cname
            clusters[str(cname)] = v
    return clusters


def load_config(path: str | os.PathLike[str], *, check_files: bool = True) -> Config:
    """Read and validate a ``sppr sync`` TOML configuration.

    Parameters
    ----------
    path : path-like
        The TOML file.
    check_files : bool
        Whether every input file must exist (default True).

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or fails validation (the message
        names the file and every offending key).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MissingFileError(_("{path}: config file not found").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("{path}: cannot be read ({exc})").format(path=path, exc=exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(path, text, exc)) from None
    return parse_config(data, path, check_files=check_files)


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_DECIMAL_COMMA = re.compile(r"=\s*[-+]?\d+,\d+\s*(#.*)?$")


def _toml_error(path: Path, text: str, exc: Exception) -> str:
    """One line for a config that is not TOML: the line and column in the reader's language, and the
    usual cause when that line holds a decimal comma (``min_share = 0,01``)."""
    where = _TOML_WHERE.search(str(exc))
    if where is None:
        return _("{path}: not valid TOML ({exc})").format(path=path, exc=exc)
    line_no, col = int(where.group(1)), int(where.group(2))
    message = _("{path}: not valid TOML: line {line}, column {col}").format(path=path, line=line_no, col=col)
    lines = text.splitlines()
    line = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
    if line:
        message += f": {line}"
    if _DECIMAL_COMMA.search(line):
        message += ". " + _("Decimal numbers are written with a point (0.01), not a comma.")
    return message
