"""What every input table of a run goes through, row by row.

Years (:func:`_ints`) and amounts (:func:`_numbers`) parsed, places given as
text resolved through the boundaries (:func:`_resolve_lokasi`), the readers'
findings tied to row ids (:func:`_named`, :func:`_drop_resolved`), and the
names shown for fields and files. :mod:`sppr_gis.prepare` runs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.config import InputSpec
from sppr_gis.io.vector import UNREADABLE_GEOMETRY
from sppr_gis.schema import find_field
from sppr_gis.sync import AdminAreas
from sppr_gis.text import parse_number
from sppr_gis.validate import Finding

#: Reader findings that mean coordinates were given but wrong: the lokasi text is then not used.
_BAD_COORDS = {"koordinat_tidak_valid", "koordinat_di_luar_crs", "wkt_tidak_valid"}


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or (isinstance(v, str) and not v.strip())


def _ints(values: pd.Series, label: str, field_name: str, ids: np.ndarray) -> tuple[pd.Series, list[tuple[str, object]]]:
    bad: list[tuple[str, object]] = []
    out: list[object] = []
    for fid, v in zip(ids, values):
        if _blank(v):
            out.append(pd.NA)
            bad.append((str(fid), v))
            continue
        try:
            f = parse_number(v)
        except ValueError:
            f = float("nan")
        if np.isnan(f) or f != int(f) or not 1900 <= f <= 2200:
            out.append(pd.NA)
            bad.append((str(fid), v))
        else:
            out.append(int(f))
    return pd.Series(out, index=values.index, dtype="Int64"), bad


def _numbers(df: pd.DataFrame, col: str, label: str, ids: np.ndarray, findings: list[Finding], *, thousands_dot: bool = False, non_negative: bool = False) -> None:
    """Parse a numeric column; text that is not a number, Infinity and (with ``non_negative``)
    negative values become NaN with a finding naming the row: never summed, never published."""
    vals = []
    for fid, v in zip(ids, df[col]):
        try:
            f = parse_number(v, thousands_dot=thousands_dot)
        except ValueError:
            vals.append(float("nan"))
            findings.append(Finding(label, str(fid), "warning", "angka_tidak_valid", f"{col} '{_cut(v)}' bukan angka; dianggap kosong"))
            continue
        if np.isinf(f) or (non_negative and f < 0):
            vals.append(float("nan"))
            why = "tak hingga" if np.isinf(f) else "negatif"
            findings.append(Finding(label, str(fid), "error", f"{col}_tidak_valid", f"{col} {_cut(v)} {why}; tidak dijumlahkan (perbaiki nilainya)"))
            continue
        vals.append(f)
    df[col] = np.asarray(vals, dtype=float)


def _cut(v: object, n: int = 40) -> str:
    t = str(v)
    return t if len(t) <= n else t[: n - 1] + "…"


def _found_fields(frame: pd.DataFrame, spec: Mapping[str, tuple[str, bool]], names: Mapping[str, str | None], shown: Sequence[str]) -> dict[str, str | None]:
    """Meaning -> the column :func:`canonicalize` takes for it (configured name, else canonical)."""
    cols = [str(c) for c in frame.columns]
    out: dict[str, str | None] = {}
    for canon in shown:
        key = spec[canon][0]
        cands = [c for c in (names.get(key), canon, canon[:10] if len(canon) > 10 else None) if c]
        out[canon] = next((find_field(cols, c) for c in cands if find_field(cols, c)), cands[0] if cands else canon)
    return out


def _empty_geom(g: np.ndarray) -> np.ndarray:
    return shapely.is_missing(g) | shapely.is_empty(g)


def _resolve_lokasi(gdf: gpd.GeoDataFrame, admin: AdminAreas, label: str, ids: np.ndarray, bad_coords: np.ndarray) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Fill missing geometries from ``lokasi``; set ``lokasi_sumber`` and ``lokasi_wilayah``."""
    geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
    empty = _empty_geom(geoms)
    source = np.where(empty, "tidak_ada", "geometri").astype(object)
    wilayah = np.full(len(gdf), None, dtype=object)
    findings: list[Finding] = []
    todo = np.flatnonzero(empty & ~bad_coords & gdf["lokasi"].map(lambda v: not _blank(v)).to_numpy(dtype=bool))
    if len(todo):
        g, src, names, fnd = admin.resolve(gdf["lokasi"].to_numpy(dtype=object)[todo], ids[todo], label)
        findings.extend(fnd)
        ok = src != None  # noqa: E711  (object array)
        geoms[todo[ok]] = g[ok]
        source[todo[ok]] = src[ok]
        wilayah[todo[ok]] = names[ok]
        for i in todo[ok]:
            findings.append(Finding(label, str(ids[i]), "info", "lokasi_dari_nama_wilayah", f"tanpa koordinat; lokasi diambil dari nama wilayah {wilayah[i]}"))
    for i in np.flatnonzero(empty & bad_coords & gdf["lokasi"].map(lambda v: not _blank(v)).to_numpy(dtype=bool)):
        findings.append(Finding(label, str(ids[i]), "info", "lokasi_teks_tidak_dipakai", f"koordinat tidak sah; lokasi teks '{gdf['lokasi'].iloc[i]}' tidak dipakai sebagai pengganti (perbaiki koordinatnya)"))
    out = gdf.copy()
    out["lokasi_sumber"] = source
    out["lokasi_wilayah"] = pd.array(wilayah, dtype="string")
    return with_geometry(out, geoms, gdf.crs), findings


def with_geometry(df: gpd.GeoDataFrame, geoms: np.ndarray, crs: object) -> gpd.GeoDataFrame:
    """``df`` with its active geometry replaced by ``geoms`` in a column named ``geometry``."""
    plain = pd.DataFrame(df.drop(columns=df.geometry.name))
    if "geometry" in plain.columns:
        plain = plain.rename(columns={"geometry": "geometry_input"})
    return gpd.GeoDataFrame(plain, geometry=gpd.GeoSeries(np.asarray(geoms, dtype=object), crs=crs, index=plain.index), crs=crs)


def _drop_resolved(reader_findings: list[Finding], source: np.ndarray, first_row: int = 2) -> list[Finding]:
    """Reader findings about blank coordinates are moot for rows placed by their ``lokasi``."""
    out = []
    for f in reader_findings:
        pos = int(f.feature_id) - first_row if str(f.feature_id).isdigit() else -1
        if f.code in {"koordinat_kosong", "geometri_kosong"} and 0 <= pos < len(source) and source[pos] in {"kelurahan", "kecamatan"}:
            continue
        out.append(f)
    return out


def _named(reader_findings: list[Finding], ids: np.ndarray) -> list[Finding]:
    """A vector feature whose geometry could not be parsed, named by its id (not its position)."""
    return [replace(f, feature_id=str(ids[f.row])) if f.code == UNREADABLE_GEOMETRY and f.row is not None and 0 <= f.row < len(ids) else f for f in reader_findings]


def _bad_coord_rows(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Rows (positions) a reader flagged as having wrong coordinates or an unparsable geometry."""
    bad = np.zeros(len(gdf), dtype=bool)
    first_row = int(gdf.attrs.get("first_row", 2))
    for f in gdf.attrs.get("findings", []):
        if f.code in (UNREADABLE_GEOMETRY, "rumus_tanpa_nilai") and f.row is not None and 0 <= f.row < len(gdf):
            bad[f.row] = True
        elif f.code in _BAD_COORDS and str(f.feature_id).isdigit():
            pos = int(f.feature_id) - first_row  # spreadsheet row -> position
            if 0 <= pos < len(gdf):
                bad[pos] = True
    return bad


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _source_name(spec: InputSpec, base: Path) -> str:
    """``file:layer`` relative to the config's folder; a database table by its password-free URI."""
    if spec.layer.is_postgis:
        return spec.label
    return _rel(spec.path, base) + (f":{spec.layer.layer}" if spec.layer.layer else "")


def _kept_apart(gdf: gpd.GeoDataFrame, names: Sequence[str]) -> gpd.GeoDataFrame:
    clash = {c: f"{c}_input" for c in names if c in gdf.columns}
    return gdf.rename(columns=clash) if clash else gdf
