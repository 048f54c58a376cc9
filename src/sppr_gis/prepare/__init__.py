"""The inputs of an ``sppr sync`` run, read once and brought into canonical form.

Reads every file the configuration names, renames the configured fields to the
canonical names (:data:`sppr_gis.config.FIELD_DEFAULTS`), parses years and
amounts, resolves places given only as text (``lokasi``) through the
kelurahan/kecamatan layers, parses SIPD codes, and transforms everything into
the run's metric CRS. Problems that leave a row usable become findings; those
that make the run meaningless raise an :class:`~sppr_gis.errors.SpprError`
naming the file, field and rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis.config import Config, InputSpec
from sppr_gis.crs import metric_crs, to_metric
from sppr_gis.errors import AmbiguousLayerError, FieldError, LayerError
from sppr_gis.i18n import _
from sppr_gis.io import read_layer
from sppr_gis.overlay import make_valid
from sppr_gis.io.combine import concat_frames
from sppr_gis.io.tables import TABLE_SUFFIXES, read_table
from sppr_gis.kinerja.forms import read_kinerja
from sppr_gis.prepare.rows import (
    _bad_coord_rows,
    _blank,
    _drop_resolved,
    _empty_geom,
    _found_fields,
    _ints,
    _kept_apart,
    _named,
    _numbers,
    _resolve_lokasi,
    _source_name,
    with_geometry,
)
from sppr_gis.rules import Rules, activity_key, read_rules
from sppr_gis.schema import ZONE_FIELDS, detect_zone_field, find_field
from sppr_gis.sipd import code_columns
from sppr_gis.summary import describe_input
from sppr_gis.sync import AdminAreas
from sppr_gis.text import parse_number
from sppr_gis.validate import Finding, duplicate_ids, frame_ids
from sppr_gis.vocabulary import KAWASAN_NAME_FIELDS, place_key, zone_name_fields
from sppr_gis.zoning import ZoningInput

__all__ = [
    "RunInputs",
    "load_inputs",
    "empty_year",
    "canonicalize",
    "parse_number",
    "sha256_file",
    "IPU_FIELDS",
    "RENCANA_FIELDS",
]

log = logging.getLogger(__name__)

#: IPU fields: canonical name -> (config key, required).
IPU_FIELDS: dict[str, tuple[str, bool]] = {
    "ipu_id": ("ipu_id", True),
    "program": ("program", False),
    "kegiatan": ("activity", True),
    "instansi": ("instansi", False),
    "sumber_dana": ("sumber_dana", False),
    "tahun_mulai": ("tahun_mulai", True),
    "tahun_akhir": ("tahun_akhir", True),
    "lokasi": ("lokasi", False),
}
#: Rencana fields: canonical name -> (config key, required).
RENCANA_FIELDS: dict[str, tuple[str, bool]] = {
    "program_id": ("program_id", True),
    "tahun": ("tahun", True),
    "opd": ("opd", False),  # required unless the file's config gives ``opd``
    "kode": ("kode", False),
    "kegiatan": ("activity", False),  # required unless SIPD codes map to activities
    "pagu": ("pagu", False),
    "sumber_dana": ("sumber_dana", False),
    "volume": ("volume", False),
    "satuan": ("satuan", False),
    "target": ("target", False),
    "realisasi": ("realisasi", False),
    "lokasi": ("lokasi", False),
}
#: Columns the run adds to the rencana table; input columns of these names are kept as ``*_input``.
DERIVED = ("kecamatan", "kelurahan", "kawasan_prioritas", "di_kawasan_prioritas", "lokasi_sumber", "lokasi_wilayah", "sumber_berkas", "kegiatan_dari_kode")
@dataclass
class RunInputs:
    """Everything an ``sppr sync`` run reads, in canonical form and one metric CRS.

    Attributes
    ----------
    config : Config
    crs : pyproj.CRS
        The metric CRS (the zoning's, or the UTM zone of its extent).
    zoning : list of ZoningInput
        Zoning layers as read (for :func:`sppr_gis.pipeline.check`).
    protected_codes : tuple of str
        Zone codes of protected areas (config, else the zoning's ``JNSRPR``).
    rules : Rules
    ipu : geopandas.GeoDataFrame
        Canonical IPU fields, ``lokasi_sumber``, ``lokasi_wilayah``, ``kecamatan``,
        ``kelurahan``; geometry resolved from ``lokasi`` where none was given.
    rencana : geopandas.GeoDataFrame
        All years; canonical fields (``tahun`` Int64, ``pagu``/``volume``/
        ``target``/``realisasi`` float), ``sumber_berkas``, ``lokasi_sumber``,
        ``lokasi_wilayah``, ``kecamatan``, ``kelurahan``, ``kawasan_prioritas``,
        ``di_kawasan_prioritas``, SIPD code columns.
    admin : AdminAreas
    kawasan_prioritas : geopandas.GeoDataFrame or None
        ``nama``, geometry.
    struktur_ruang : geopandas.GeoDataFrame or None
    zones_raw : geopandas.GeoDataFrame or None
        The zoning in the metric CRS, for maps: ``zone_code`` and ``zone_name`` (the Perda
        name, NAMSZN/NAMZON/NAMKWS beside the code field, else NAMOBJ; None where absent).
    findings : list of Finding
        Reading, field, lokasi and code findings.
    summary : list of dict
        What was read, one item per input (:func:`sppr_gis.summary.describe_input`).
    hashes : dict
        Input file -> sha256.
    timings : dict
        Seconds per reading stage.
    """

    config: Config
    crs: CRS
    zoning: list[ZoningInput]
    protected_codes: tuple[str, ...]
    rules: Rules
    ipu: gpd.GeoDataFrame
    rencana: gpd.GeoDataFrame
    admin: AdminAreas
    kawasan_prioritas: gpd.GeoDataFrame | None = None
    struktur_ruang: gpd.GeoDataFrame | None = None
    zones_raw: gpd.GeoDataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    summary: list[dict] = field(default_factory=list)
    kinerja: Any = None  # sppr_gis.kinerja.KinerjaTable when [inputs] kinerja is given

    @property
    def years(self) -> list[int]:
        """Years present in the rencana tables."""
        return sorted(int(y) for y in self.rencana["tahun"].dropna().unique())


# ----------------------------------------------------------------------------- helpers


def sha256_file(path: Path) -> str:
    """The sha256 of a file (for the manifest)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hash_spec(spec: InputSpec, base: Path, out: dict[str, str]) -> None:
    if spec.layer.is_postgis:
        return  # a database table has no file to hash
    path = spec.path
    files = [path]
    if path.suffix.lower() == ".shp":
        files = sorted(p for p in path.parent.glob(path.stem + ".*") if p.is_file())
    for f in files:
        try:
            key = str(f.relative_to(base))
        except ValueError:
            key = str(f)
        if key not in out and f.is_file():
            out[key] = sha256_file(f)


def canonicalize(
    df: gpd.GeoDataFrame,
    spec: Mapping[str, tuple[str, bool]],
    names: Mapping[str, str | None],
    label: str,
    *,
    config_name: str = "config",
    optional: Sequence[str] = (),
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Rename the configured source fields to canonical names.

    A field is found by its configured name, else its canonical name, else the
    canonical name cut to 10 characters (Shapefile DBF field names), all
    case-insensitively. Missing optional fields become empty columns.

    Parameters
    ----------
    df : geopandas.GeoDataFrame
    spec : mapping
        Canonical name -> (config key, required).
    names : mapping
        Config key -> configured source name (``None``: the canonical name).
    label : str
        File label for messages.
    config_name : str
        Config file name for messages.
    optional : sequence of str
        Required fields that the caller can do without (checked by the caller).

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        The frame and the canonical fields that were missing.

    Raises
    ------
    FieldError
        Required fields missing; one message lists them with the config keys to set.
    """
    cols = [str(c) for c in df.columns if c != df.geometry.name]
    renames: dict[str, str] = {}
    missing_req: list[str] = []
    missing: list[str] = []
    used: set[str] = set()
    for canon, (key, required) in spec.items():
        configured = names.get(key)
        candidates = [c for c in (configured, canon, canon[:10] if len(canon) > 10 else None) if c]
        found = None
        for c in candidates:
            f = find_field(cols, c)
            if f is not None and f not in used:
                found = f
                break
        if found is None:
            missing.append(canon)
            if required and canon not in optional:
                want = f"'{configured}'" if configured and configured != canon else f"'{canon}'"
                missing_req.append(f"{want} (set fields.{key} in {config_name})")
            continue
        used.add(found)
        if found != canon:
            renames[found] = canon
    if missing_req:
        raise FieldError(_("{label}: missing field(s) {missing_req}; fields are: {cols}").format(label=label, missing_req=', '.join(missing_req), cols=', '.join(cols)))
    # an input column already named like a canonical target but not chosen: keep it as *_input
    clash = {c: f"{c}_input" for c in cols if c in renames.values() and c not in renames}
    out = df.rename(columns={**clash, **renames})
    for canon in missing:
        out[canon] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out, missing


@contextlib.contextmanager
def _config_key(spec: InputSpec, config_name: str) -> Iterator[None]:
    """Name the config key in the message of a source with several layers and none named."""
    try:
        yield
    except AmbiguousLayerError as exc:
        raise AmbiguousLayerError(_("{key} in {config_name}: {exc} (or set layer/sheet = \"...\")").format(key=spec.key, config_name=config_name, exc=exc), exc.path, exc.layers) from None


def _read_layer(spec: InputSpec, params_crs: str | None, config_name: str, want: str = "any") -> gpd.GeoDataFrame:
    with _config_key(spec, config_name):
        return read_layer(spec.layer, want=want, assume_crs=spec.crs or params_crs, encoding=spec.encoding)  # type: ignore[arg-type]


def _read_any(spec: InputSpec, params_crs: str | None, config_name: str = "config", want: str = "any", keys: Sequence[str] = ()) -> gpd.GeoDataFrame:
    if not spec.layer.is_postgis and spec.path.suffix.lower() in TABLE_SUFFIXES:
        with _config_key(spec, config_name):
            return read_table(
                spec.path,
                sheet=spec.layer.layer,
                xy_fields=spec.xy_fields,
                wkt_field=spec.wkt_field,
                coord_field=spec.coord_field,
                crs=spec.crs or "EPSG:4326",
                encoding=spec.encoding,
                header_row=spec.header_row or spec.layer.header_row,
                require_geometry=False,
                key_fields=keys,
            )
    return _read_layer(spec, params_crs, config_name, want)


def _own_zone_field(frame: gpd.GeoDataFrame, spec: InputSpec, fields: Mapping[str, str | None]) -> gpd.GeoDataFrame:
    """A zoning file's own ``fields.zone``, renamed to the run's zone field name.

    The conformance check reads one zone field for every zoning layer (``[fields]
    zone``, else the first of KODSZN, KODZON, KODKWS); a file whose codes are in
    another field (``fields = { zone = "KODE" }`` for that input) has it renamed
    to that name, and a column already so named is kept as ``<name>_input``.
    """
    own = spec.fields.get("zone")
    if not own or spec.layer.code is not None:
        return frame
    label = str(frame.attrs.get("source", spec.label))
    chosen = detect_zone_field(frame, label, own)
    target = fields.get("zone") or ZONE_FIELDS[0]
    if chosen == target:
        return frame
    aside = {str(c): f"{c}_input" for c in frame.columns if str(c).casefold() == target.casefold() and c != chosen}
    out = frame.rename(columns={**aside, chosen: target})
    out.attrs = dict(frame.attrs)
    return out


def _zone_names(frame: pd.DataFrame, code_field: str | None) -> np.ndarray:
    """The Perda zone names for the maps' key: the name field paired with the code field
    (KODSZN -> NAMSZN, KODZON -> NAMZON, KODKWS -> NAMKWS), else ``NAMOBJ``; None where absent.

    A file given one code (``PATH=CODE``) has its subzone or zone name field read, not ``NAMOBJ``
    (there it names the object, a park or a cemetery, not the class).
    """
    cols = [str(c) for c in frame.columns]
    wanted = zone_name_fields(code_field)
    name = next((f for f in (find_field(cols, w) for w in wanted) if f is not None), None)
    if name is None:
        return np.full(len(frame), None, dtype=object)
    v = frame[name].astype("string").str.strip()
    return v.where(v.notna() & (v != ""), None).astype(object).to_numpy()


def empty_year(inputs: RunInputs, year: int) -> Finding | None:
    """A finding (and a warning on the log) when no rencana program has ``tahun`` ``year``; else None.

    Such a year is still run: its outputs hold the IPU status (nothing realizes
    an IPU that year) and empty program tables, and the ``issues`` layer and the
    manifest say why.

    Parameters
    ----------
    inputs : RunInputs
    year : int

    Returns
    -------
    Finding or None
        Severity ``warning``, code ``tahun_tanpa_program``, naming the year, the
        rencana files and the years they hold.
    """
    tahun = inputs.rencana["tahun"]
    if bool((tahun == year).fillna(False).any()):
        return None
    base = inputs.config.path.parent
    files = ", ".join(_source_name(spec, base) for spec in inputs.config.inputs.rencana)
    present = ", ".join(str(int(y)) for y in sorted(tahun.dropna().unique())) or "-"
    log.warning(_("{year}: no rencana program has tahun {year} (rencana: {files}; years present: {present}); the year's outputs hold the IPU status only").format(year=year, files=files, present=present))
    return Finding(
        f"rencana {year}", "", "warning", "tahun_tanpa_program",
        f"tidak ada program rencana tahun {year} di {files} (tahun yang ada: {present}); keluaran tahun ini hanya memuat status IPU",
    )


# ----------------------------------------------------------------------------- main entry


def load_inputs(config: Config, *, progress: Callable[[str], None] | None = None) -> RunInputs:
    """Read and prepare every input of a run.

    The steps, each timed and reported to ``progress``: :func:`_zoning` and
    :func:`_rules`; the boundaries (:func:`_admin_areas`, :func:`_kawasan`,
    :func:`_struktur`); :func:`_ipu`; :func:`_rencana`; then
    :func:`_cluster_findings` and :func:`_kinerja`.

    Parameters
    ----------
    config : Config
        A validated configuration (:func:`sppr_gis.config.load_config`).
    progress : callable, optional
        Called with a short label after each input group is read.

    Returns
    -------
    RunInputs

    Raises
    ------
    SpprError
        Unreadable files, missing required fields, an IPU period that is not
        two years (the message names the file, field and rows).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    step = progress or (lambda label: None)
    inp = config.inputs
    base = config.path.parent
    findings: list[Finding] = []
    summary: list[dict] = []
    hashes: dict[str, str] = {}
    for _u, spec in inp.all():
        _hash_spec(spec, base, hashes)

    zinputs, crs, zones_raw, protected = _zoning(config, summary)
    rules = _rules(config)
    timings["zoning_rules"] = time.perf_counter() - t0
    step("zonasi dan matriks ITBX")

    t = time.perf_counter()
    admin = _admin_areas(config, crs, findings)
    kawasan = _kawasan(config, crs, findings)
    struktur = _struktur(config, crs, findings)
    timings["boundaries"] = time.perf_counter() - t
    step("batas wilayah dan kawasan prioritas")

    t = time.perf_counter()
    ipu = _ipu(config, crs, admin, findings, summary)
    timings["ipu"] = time.perf_counter() - t
    step("indikasi program")

    t = time.perf_counter()
    rencana = _rencana(config, crs, admin, rules, kawasan, findings, summary)
    timings["rencana"] = time.perf_counter() - t
    step("rencana program")

    _cluster_findings(config, rencana, findings)
    kinerja = _kinerja(config, summary)
    timings["total"] = time.perf_counter() - t0
    return RunInputs(
        config=config,
        crs=crs,
        zoning=zinputs,
        protected_codes=tuple(sorted(protected)),
        rules=rules,
        ipu=ipu,
        rencana=rencana,
        admin=admin,
        kawasan_prioritas=kawasan,
        struktur_ruang=struktur,
        zones_raw=zones_raw,
        findings=findings,
        hashes=hashes,
        timings=timings,
        summary=summary,
        kinerja=kinerja,
    )


def _zoning(config: Config, summary: list[dict]) -> tuple[list[ZoningInput], CRS, gpd.GeoDataFrame, set[str]]:
    """The zoning layers as read (for the QA), the run's metric CRS, their zones in it (code, name) and the protected codes."""
    inp, par, fld, cfg_name = config.inputs, config.parameters, config.fields, config.path.name
    zinputs: list[ZoningInput] = []
    protected: set[str] = set(par.protected_zones)
    raw_frames = []
    for spec in inp.zoning:
        frame = _own_zone_field(_read_layer(spec, par.assume_crs, cfg_name, "polygon"), spec, fld)
        zinputs.append(ZoningInput(frame, code=spec.layer.code, label=frame.attrs["source"]))
        raw_frames.append((spec, frame))
    crs = metric_crs([z.frame for z in zinputs])
    zparts = []
    for spec, frame in raw_frames:
        label = str(frame.attrs.get("source"))
        if spec.layer.code is not None:
            codes = pd.Series([spec.layer.code] * len(frame), index=frame.index, dtype=object)
            summary.append({**describe_input(frame, "zonasi", source=label), "fields": {"zona": f"={spec.layer.code}"}})
        else:
            zf = detect_zone_field(frame, label, fld.get("zone"))
            codes = frame[zf].astype(object)
            summary.append(describe_input(frame, "zonasi", fields={"zona": zf}, source=label))
        if not par.protected_zones:
            pf = find_field([str(c) for c in frame.columns], str(spec.fields.get("protected") or fld.get("protected") or "JNSRPR"))
            if pf is not None:
                mask = frame[pf].astype("string").str.casefold().str.contains("lindung", na=False).to_numpy(dtype=bool)
                protected.update(str(c).strip() for c in codes[mask] if not _blank(c))
        zcols = {"zone_code": codes.astype("string").str.strip().to_numpy(), "zone_name": _zone_names(frame, None if spec.layer.code is not None else zf)}
        zparts.append(gpd.GeoDataFrame(zcols, geometry=to_metric(frame, crs).geometry.values, crs=crs))
    zones_raw = gpd.GeoDataFrame(pd.concat(zparts, ignore_index=True), geometry="geometry", crs=crs)
    return zinputs, crs, zones_raw, protected


def _rules(config: Config) -> Rules:
    """The ITBX matrix, with its conditions and SIPD code map when given."""
    inp = config.inputs
    rules = read_rules(
        inp.rules.path,
        conditions=inp.conditions.path if inp.conditions else None,
        code_map=inp.code_map.path if inp.code_map else None,
    )
    return rules


def _admin_areas(config: Config, crs: CRS, findings: list[Finding]) -> AdminAreas:
    """The kelurahan and kecamatan layers, as the places programs are located in."""
    inp, par, fld, cfg_name = config.inputs, config.parameters, config.fields, config.path.name
    kel = _read_layer(inp.kelurahan, par.assume_crs, cfg_name, "polygon") if inp.kelurahan else None
    kec = _read_layer(inp.kecamatan, par.assume_crs, cfg_name, "polygon") if inp.kecamatan else None
    for frame in (kel, kec):
        findings.extend(frame.attrs.get("findings", []) if frame is not None else [])  # features whose geometry could not be parsed
    kel_name = (inp.kelurahan.fields.get("kelurahan_name") if inp.kelurahan else None) or fld.get("kelurahan_name")
    kec_name = (inp.kecamatan.fields.get("kecamatan_name") if inp.kecamatan else None) or fld.get("kecamatan_name")
    admin = AdminAreas.from_layers(kel, kec, crs, kelurahan_name=kel_name, kecamatan_name=kec_name)
    return admin


def _kawasan(config: Config, crs: CRS, findings: list[Finding]) -> gpd.GeoDataFrame | None:
    """The priority areas (``nama``, repaired polygons in ``crs``), None without the input."""
    inp, par, fld, cfg_name = config.inputs, config.parameters, config.fields, config.path.name
    kawasan = None
    if inp.kawasan_prioritas is not None:
        kp = _read_layer(inp.kawasan_prioritas, par.assume_crs, cfg_name, "polygon")
        label = str(kp.attrs.get("source"))
        findings.extend(kp.attrs.get("findings", []))
        cols = [str(c) for c in kp.columns if c != kp.geometry.name]
        wanted = inp.kawasan_prioritas.fields.get("kawasan_name") or fld.get("kawasan_name")
        nf = find_field(cols, wanted) if wanted else next((find_field(cols, c) for c in KAWASAN_NAME_FIELDS if find_field(cols, c)), None)
        if wanted and nf is None:
            raise FieldError(_("{label}: no field '{wanted}' (fields.kawasan_name in {cfg_name}); fields are: {cols}").format(label=label, wanted=wanted, cfg_name=cfg_name, cols=', '.join(cols)))
        kp = to_metric(kp, crs)
        names = [str(v).strip() if nf and not _blank(v) else f"Kawasan prioritas {i + 1}" for i, v in enumerate(kp[nf] if nf else [None] * len(kp))]
        kawasan = gpd.GeoDataFrame({"nama": names}, geometry=make_valid(np.asarray(kp.geometry.values, dtype=object), what=label), crs=crs)
    return kawasan


def _struktur(config: Config, crs: CRS, findings: list[Finding]) -> gpd.GeoDataFrame | None:
    """The struktur ruang layers as one frame in ``crs`` (``sumber_berkas`` naming each file), None without them."""
    inp, par, cfg_name, base = config.inputs, config.parameters, config.path.name, config.path.parent
    struktur = None
    if inp.struktur_ruang:
        parts = []
        for spec in inp.struktur_ruang:
            s = _read_layer(spec, par.assume_crs, cfg_name)
            findings.extend(s.attrs.get("findings", []))
            s = to_metric(s, crs).copy()
            s["sumber_berkas"] = _source_name(spec, base)
            parts.append(s)
        struktur = concat_frames(parts, crs=crs)
        struktur.attrs = {}
    return struktur


def _ipu(config: Config, crs: CRS, admin: AdminAreas, findings: list[Finding], summary: list[dict]) -> gpd.GeoDataFrame:
    """The IPU in canonical form (an empty one without the input): periods checked, places resolved and located."""
    inp, par, fld, cfg_name = config.inputs, config.parameters, config.fields, config.path.name
    ipu_spec = inp.indikasi_program
    if ipu_spec is None:
        # no IPU given: an empty table of its fields, so the rencana alone are judged and ranked
        raw = gpd.GeoDataFrame({k: pd.Series([], dtype=object) for k in IPU_FIELDS}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
        raw.attrs = {"source": "indikasi_program", "findings": []}
        names: dict[str, Any] = {k: None for k in fld}
    else:
        raw = _read_any(ipu_spec, par.assume_crs, cfg_name, keys=[str({**fld, **ipu_spec.fields}.get("ipu_id") or "ipu_id")])
        names = {**fld, **ipu_spec.fields}
    label = str(raw.attrs.get("source", ipu_spec.label if ipu_spec is not None else "indikasi_program"))
    reader_findings = list(raw.attrs.get("findings", []))
    bad = _bad_coord_rows(raw)
    if ipu_spec is not None:
        summary.append(describe_input(raw, "indikasi_program", fields=_found_fields(raw, IPU_FIELDS, names, ("ipu_id", "kegiatan", "tahun_mulai", "tahun_akhir"))))
    ipu, _u = canonicalize(raw, IPU_FIELDS, names, label, config_name=cfg_name)
    ipu = _kept_apart(ipu, ["lokasi_sumber", "lokasi_wilayah", "kecamatan", "kelurahan"])
    ipu = ipu.reset_index(drop=True)
    ids = frame_ids(ipu, "ipu_id")
    reader_findings = _named(reader_findings, ids)
    findings.extend(duplicate_ids(ipu["ipu_id"], label, "ipu_id"))
    problems = []
    start, bad_s = _ints(ipu["tahun_mulai"], label, "tahun_mulai", ids)
    end, bad_e = _ints(ipu["tahun_akhir"], label, "tahun_akhir", ids)
    for fid, v in bad_s:
        problems.append(f"{fid}: tahun_mulai {v!r}")
    for fid, v in bad_e:
        problems.append(f"{fid}: tahun_akhir {v!r}")
    rev = np.flatnonzero((start > end).fillna(False).to_numpy(dtype=bool))
    for i in rev:
        problems.append(f"{ids[i]}: tahun_mulai {start.iloc[i]} > tahun_akhir {end.iloc[i]}")
    if problems:
        more = _(" (and {n} more)").format(n=len(problems) - 10) if len(problems) > 10 else ""
        raise FieldError(_("{label}: the IPU period must be two years (tahun_mulai <= tahun_akhir): ").format(label=label) + "; ".join(problems[:10]) + more)
    ipu["tahun_mulai"], ipu["tahun_akhir"] = start, end
    blank_act = ipu["kegiatan"].map(_blank).to_numpy(dtype=bool)
    for i in np.flatnonzero(blank_act):
        findings.append(Finding(label, str(ids[i]), "warning", "kegiatan_kosong", "IPU tanpa kegiatan; tidak dapat disinkronkan"))
    ipu = to_metric(ipu, crs)
    ipu, fnd = _resolve_lokasi(ipu, admin, label, ids, bad)
    findings.extend(_drop_resolved(reader_findings, ipu["lokasi_sumber"].to_numpy(), int(raw.attrs.get("first_row", 2))))
    findings.extend(fnd)
    for i in np.flatnonzero(ipu["lokasi_sumber"].to_numpy() == "tidak_ada"):
        findings.append(Finding(label, str(ids[i]), "warning", "lokasi_ipu_kosong", "IPU tanpa geometri dan tanpa lokasi yang dikenal; tidak dapat disinkronkan"))
    kc, kl = admin.locate(ipu.geometry.values)
    kl[ipu["lokasi_sumber"].to_numpy() == "kecamatan"] = None
    ipu["kecamatan"], ipu["kelurahan"] = pd.array(kc, dtype="string"), pd.array(kl, dtype="string")
    ipu.attrs = {"source": label, "given": ipu_spec is not None}
    return ipu


def _rencana(config: Config, crs: CRS, admin: AdminAreas, rules: Rules, kawasan: gpd.GeoDataFrame | None, findings: list[Finding], summary: list[dict]) -> gpd.GeoDataFrame:
    """The rencana files (:func:`_rencana_file`) as one frame, with activities from codes, SIPD code columns and places."""
    inp = config.inputs
    frames = []
    for spec in inp.rencana:
        frames.append(_rencana_file(spec, config, crs, admin, rules, findings, summary))
    # one column for names that differ only in case across files (GeoPackage fields are case-insensitive)
    rencana = concat_frames(frames, crs=crs)
    rencana.attrs = {"source": "rencana"}
    if not len(rencana):
        raise LayerError(_("{rencana}: no rencana programs").format(rencana=', '.join((s.label for s in inp.rencana))))
    _activities_and_codes(rencana, rules, findings)
    _places(rencana, admin, kawasan)
    return rencana


def _rencana_file(spec: InputSpec, config: Config, crs: CRS, admin: AdminAreas, rules: Rules, findings: list[Finding], summary: list[dict]) -> gpd.GeoDataFrame:
    """One rencana file in canonical form: years and amounts parsed, places resolved, in ``crs``."""
    par, fld, cfg_name, base = config.parameters, config.fields, config.path.name, config.path.parent
    keys = [str({**fld, **spec.fields}.get(k) or k) for k in ("program_id", "tahun")]
    raw = _read_any(spec, par.assume_crs, cfg_name, keys=keys)
    label = str(raw.attrs.get("source", spec.label))
    reader_findings = list(raw.attrs.get("findings", []))
    bad = _bad_coord_rows(raw)
    names = {**fld, **spec.fields}
    summary.append(describe_input(raw, "rencana", fields=_found_fields(raw, RENCANA_FIELDS, names, ("program_id", "tahun", "opd", "kegiatan", "kode", "pagu"))))
    if not len(raw):
        log.warning(_("{label}: the rencana layer holds no rows (wrong layer or sheet?)").format(label=label))
    optional = ["kegiatan"] if rules.code_map else []
    df, missing = canonicalize(raw, RENCANA_FIELDS, names, label, config_name=cfg_name, optional=optional)
    if "kegiatan" in missing and "kode" in missing:
        raise FieldError(_("{label}: no field '{field}' (set fields.activity in {cfg_name}) and no SIPD code field to map activities from").format(label=label, field=names.get('activity') or 'kegiatan', cfg_name=cfg_name))
    if "kegiatan" in missing and not rules.code_map:
        raise FieldError(_("{label}: no field '{field}' (set fields.activity in {cfg_name})").format(label=label, field=names.get('activity') or 'kegiatan', cfg_name=cfg_name))
    if spec.opd:
        df["opd"] = df["opd"].map(lambda v, o=spec.opd: o if _blank(v) else v)
    elif "opd" in missing:
        raise FieldError(_("{label}: no field '{field}'; set fields.opd, or opd = \"...\" for this file in {key} of {cfg_name}").format(label=label, field=names.get('opd') or 'opd', key=spec.key, cfg_name=cfg_name))
    df = _kept_apart(df, DERIVED)
    df = df.reset_index(drop=True)
    rid = frame_ids(df, "program_id")
    reader_findings = _named(reader_findings, rid)
    yrs, bad_y = _ints(df["tahun"], label, "tahun", rid)
    for fid, v in bad_y:
        what = "tahun kosong" if _blank(v) else f"tahun {v!r} tidak dikenal"  # never "tahun nan" (analyst s9)
        findings.append(Finding(label, fid, "error", "tahun_tidak_valid", f"{what}; program tidak masuk tahun mana pun"))
    df["tahun"] = yrs
    blank_pagu = df["pagu"].map(_blank).to_numpy(dtype=bool) if "pagu" not in missing else np.zeros(len(df), dtype=bool)
    _numbers(df, "pagu", label, rid, findings, thousands_dot=True, non_negative=True)
    # a program of a file that has a pagu column but no pagu in its row: counted without pagu ("–"), never Rp 0;
    # said per row so the OPD can fill it in (analyst s9: only "Program tanpa Pagu 1" in the Ringkasan told it)
    for fid in rid[blank_pagu]:
        findings.append(Finding(label, str(fid), "warning", "pagu_kosong", "pagu kosong; program dihitung tanpa pagu (ditulis '–', tidak dijumlahkan)"))
    for col in ("volume", "target", "realisasi"):
        _numbers(df, col, label, rid, findings)
    df = to_metric(df, crs)
    df, fnd = _resolve_lokasi(df, admin, label, rid, bad)
    findings.extend(_drop_resolved(reader_findings, df["lokasi_sumber"].to_numpy(), int(raw.attrs.get("first_row", 2))))
    findings.extend(fnd)
    df["sumber_berkas"] = _source_name(spec, base)
    df = with_geometry(df, np.asarray(df.geometry.values, dtype=object), crs)
    return df


def _activities_and_codes(rencana: gpd.GeoDataFrame, rules: Rules, findings: list[Finding]) -> None:
    """Fill blank activities from the SIPD code (``kegiatan_dari_kode``) and add the code's columns, in place."""
    # activity from the SIPD code where the activity is blank
    blank = rencana["kegiatan"].map(lambda v: not activity_key(v)).to_numpy(dtype=bool)
    from_code = np.zeros(len(rencana), dtype=bool)
    if rules.code_map and blank.any():
        mapped = rencana["kode"].map(rules.activity_for_code)
        fill = blank & mapped.notna().to_numpy(dtype=bool)
        rencana.loc[fill, "kegiatan"] = mapped[fill]
        from_code = fill
    rencana["kegiatan_dari_kode"] = from_code
    codes, fnd = code_columns(rencana["kode"], layer=list(rencana["sumber_berkas"]), ids=frame_ids(rencana, "program_id"), field="kode")
    findings.extend(fnd)
    for c in codes.columns:
        rencana[c] = codes[c].to_numpy()


def _places(rencana: gpd.GeoDataFrame, admin: AdminAreas, kawasan: gpd.GeoDataFrame | None) -> None:
    """Add ``kecamatan``, ``kelurahan``, ``kawasan_prioritas`` and ``di_kawasan_prioritas``, in place."""
    # where: kecamatan, kelurahan, priority area
    kc, kl = admin.locate(rencana.geometry.values)
    src = rencana["lokasi_sumber"].to_numpy()
    kl[src == "kecamatan"] = None
    rencana["kecamatan"], rencana["kelurahan"] = pd.array(kc, dtype="string"), pd.array(kl, dtype="string")
    names_kp = np.full(len(rencana), None, dtype=object)
    if kawasan is not None and len(kawasan):
        g = np.asarray(rencana.geometry.values, dtype=object).copy()
        approx = src != "geometri"  # a whole kelurahan is inside only if its centre is
        ok = ~_empty_geom(g)
        g[approx & ok] = shapely.point_on_surface(g[approx & ok])
        tree = shapely.STRtree(np.asarray(kawasan.geometry.values, dtype=object))
        a, b = tree.query(g, predicate="intersects")
        kp_names = kawasan["nama"].to_numpy(dtype=object)
        hits: dict[int, list[str]] = {}
        for i, j in zip(a, b):
            hits.setdefault(int(i), []).append(str(kp_names[j]))
        for i, ns in hits.items():
            names_kp[i] = "; ".join(sorted(set(ns)))
    rencana["kawasan_prioritas"] = pd.array(names_kp, dtype="string")
    rencana["di_kawasan_prioritas"] = pd.notna(names_kp)


def _cluster_findings(config: Config, rencana: gpd.GeoDataFrame, findings: list[Finding]) -> None:
    """A finding for each OPD of ``[opd_clusters]`` absent from the rencana."""
    cfg_name = config.path.name
    # opd clusters naming OPDs absent from the data
    present = {place_key(o) for o in rencana["opd"].dropna()}
    for cname, members in config.opd_clusters.items():
        for m in members:
            if place_key(m) not in present:
                findings.append(Finding(cfg_name, f"opd_clusters.{cname}", "info", "opd_klaster_tidak_ada", f"OPD '{m}' di klaster '{cname}' tidak ada di data rencana"))


def _kinerja(config: Config, summary: list[dict]) -> Any:
    """The performance cascade (:func:`sppr_gis.kinerja.forms.read_kinerja`), None without the input."""
    inp, cfg_name, base = config.inputs, config.path.name, config.path.parent
    kinerja = None
    if inp.kinerja is not None:  # the performance cascade (sppr_gis.kinerja), evaluated per year by run_year
        with _config_key(inp.kinerja, cfg_name):
            kinerja = read_kinerja(inp.kinerja.path, sheet=inp.kinerja.layer.layer, tahun_awal=config.kinerja.get("tahun_awal"), opd=inp.kinerja.opd)
        summary.append({**describe_input(kinerja.frame, "kinerja", source=_source_name(inp.kinerja, base)), "form": kinerja.form})
    return kinerja
