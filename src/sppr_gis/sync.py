"""Synchronization of development-plan programs (rencana) with the spatial plan's IPU.

Contract (``contracts.md``, ``sppr sync`` / Meaning):

- A rencana program p *realizes* IPU q when p.kegiatan == q.kegiatan (compared
  with :func:`sppr_gis.rules.activity_key`), q.tahun_mulai <= p.tahun <=
  q.tahun_akhir, and the distance between their geometries is <= the match
  distance (metres, in a metric CRS).
- IPU ``status_sinkron`` for year Y: ``belum_jadwal`` if Y is outside its period;
  else ``sinkron`` if realized by a program of year Y; else ``diskontinu`` if
  realized in an earlier year of its period; else ``diskoneksi``.
- Rencana ``status_sinkron`` for the programs of year Y: ``inkonsisten`` if its
  conformance status is ``tidak_sesuai``; else ``sinkron`` if it realizes at
  least one IPU; else ``tidak_terindikasi``.

The tables use the canonical field names (``ipu_id``, ``kegiatan``,
``tahun_mulai``, ``tahun_akhir``; ``program_id``, ``tahun``, ``kegiatan``,
``pagu``); :mod:`sppr_gis.run` renames the configured fields to them. Places
written as text (``lokasi``: a kelurahan or kecamatan name) are resolved
through the administrative boundaries with :class:`AdminAreas`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from sppr_gis import overlay
from sppr_gis.crs import metric_crs, to_metric
from sppr_gis.errors import CRSError, FieldError
from sppr_gis.i18n import _
from sppr_gis.rules import activity_key
from sppr_gis.schema import find_field, pick_field
from sppr_gis.validate import Finding
from sppr_gis.vocabulary import (
    IPU_STATUSES,
    KECAMATAN_NAME_FIELDS,
    KELURAHAN_KEC_FIELDS,
    KELURAHAN_NAME_FIELDS,
    RENCANA_STATUSES,
    place_key,
)

__all__ = [
    "IPU_STATUSES",
    "RENCANA_STATUSES",
    "AdminAreas",
    "SyncResult",
    "match_programs",
    "ipu_status",
    "rencana_status",
    "synchronize",
    "place_key",
    "join_ids",
]

IpuStatus = Literal["sinkron", "diskontinu", "diskoneksi", "belum_jadwal"]
RencanaStatus = Literal["sinkron", "inkonsisten", "tidak_terindikasi"]

#: Separator of id lists in one cell (as ``zones`` in ``sppr check``).
SEP = "; "

_KEL_PREFIX = re.compile(r"^(?:kelurahan|kel|desa|des|ds)\b\.?\s*")
_KEC_PREFIX = re.compile(r"^(?:kecamatan|kec|kc)\b\.?\s*")
_PARTS = re.compile(r"\s*(?:\bs\s?/\s?d\b\.?|\bs\.\s?d\b\.?|\bsampai dengan\b|\bhingga\b|\bdan\b|[,;/|&]|\s-\s)\s*", re.IGNORECASE)


def join_ids(values: Sequence[object]) -> str:
    """Sorted, de-duplicated ids joined with ``"; "`` (empty string for none)."""
    return SEP.join(sorted({str(v) for v in values}, key=_natural))


def _natural(text: str) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _split_place(text: str) -> list[tuple[str | None, str]]:
    """``"Kel. A, Kec. B"`` -> ``[("kelurahan", "a"), ("kecamatan", "b")]``."""
    out: list[tuple[str | None, str]] = []
    for part in _PARTS.split(str(text).strip()):
        p = part.strip().casefold()
        if not p:
            continue
        kind: str | None = None
        if _KEL_PREFIX.match(p):
            kind, p = "kelurahan", _KEL_PREFIX.sub("", p)
        elif _KEC_PREFIX.match(p):
            kind, p = "kecamatan", _KEC_PREFIX.sub("", p)
        key = place_key(p)
        if key:
            out.append((kind, key))
    return out


@dataclass
class AdminAreas:
    """Kelurahan and kecamatan polygons with normalized names, in one metric CRS.

    Build it with :meth:`from_layers`. Either layer may be absent; when only
    kelurahan are given and they carry their kecamatan's name (``WADMKC``), the
    kecamatan are dissolved from them.

    Attributes
    ----------
    kelurahan : geopandas.GeoDataFrame or None
        Columns ``nama``, ``key``, ``kecamatan`` (may be empty), geometry.
    kecamatan : geopandas.GeoDataFrame or None
        Columns ``nama``, ``key``, geometry.
    crs : pyproj.CRS
    """

    kelurahan: gpd.GeoDataFrame | None
    kecamatan: gpd.GeoDataFrame | None
    crs: CRS
    _kel_index: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _kec_index: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for frame, index in ((self.kelurahan, self._kel_index), (self.kecamatan, self._kec_index)):
            if frame is None:
                continue
            for i, k in enumerate(frame["key"]):
                if k:
                    index.setdefault(k, []).append(i)

    @classmethod
    def from_layers(
        cls,
        kelurahan: gpd.GeoDataFrame | None,
        kecamatan: gpd.GeoDataFrame | None,
        crs: CRS,
        *,
        kelurahan_name: str | None = None,
        kecamatan_name: str | None = None,
    ) -> AdminAreas:
        """Prepare the boundary layers.

        Parameters
        ----------
        kelurahan, kecamatan : geopandas.GeoDataFrame or None
            Polygon layers (any CRS).
        crs : pyproj.CRS
            The metric CRS of the run.
        kelurahan_name, kecamatan_name : str, optional
            Name fields (default: the first present of ``WADMKD``/``WADMKC``,
            ``NAMOBJ``, ``kelurahan``/``kecamatan``, ``nama``, ``name``).

        Raises
        ------
        FieldError
            No name field.
        """
        kel = kec = None
        if kelurahan is not None:
            label = str(kelurahan.attrs.get("source", "kelurahan"))
            nf = pick_field(kelurahan, label, kelurahan_name, KELURAHAN_NAME_FIELDS, _("kelurahan name"), _("name it in [fields] kelurahan_name"))
            cols = [str(c) for c in kelurahan.columns]
            kf = next((find_field(cols, c) for c in KELURAHAN_KEC_FIELDS if find_field(cols, c) and find_field(cols, c) != nf), None)
            k = to_metric(kelurahan, crs)
            kel = gpd.GeoDataFrame(
                {
                    "nama": k[nf].astype("string").str.strip().to_numpy(),
                    "key": [place_key(v) for v in k[nf]],
                    "kecamatan": k[kf].astype("string").str.strip().to_numpy() if kf else pd.array([None] * len(k), dtype="string"),
                },
                geometry=overlay.make_valid(np.asarray(k.geometry.values, dtype=object), what=label, ids=[f"#{i + 1}" for i in range(len(k))]),
                crs=crs,
            )
        if kecamatan is not None:
            label = str(kecamatan.attrs.get("source", "kecamatan"))
            nf = pick_field(kecamatan, label, kecamatan_name, KECAMATAN_NAME_FIELDS, _("kecamatan name"), _("name it in [fields] kecamatan_name"))
            k = to_metric(kecamatan, crs)
            kec = gpd.GeoDataFrame(
                {"nama": k[nf].astype("string").str.strip().to_numpy(), "key": [place_key(v) for v in k[nf]]},
                geometry=overlay.make_valid(np.asarray(k.geometry.values, dtype=object), what=label, ids=[f"#{i + 1}" for i in range(len(k))]),
                crs=crs,
            )
        elif kel is not None and kel["kecamatan"].notna().any():
            named = kel[kel["kecamatan"].notna()]
            kec_names = sorted(set(named["kecamatan"]))
            kec_geoms = [overlay.union_all(named.geometry.values[(named["kecamatan"] == v).to_numpy()], what=f"{label}: kecamatan {v}") for v in kec_names]
            kec = gpd.GeoDataFrame({"nama": pd.array(kec_names, dtype="string"), "key": [place_key(v) for v in kec_names]}, geometry=kec_geoms, crs=crs)
        return cls(kelurahan=kel, kecamatan=kec, crs=crs)

    @property
    def empty(self) -> bool:
        """Whether no boundary layer is available."""
        return self.kelurahan is None and self.kecamatan is None

    def resolve(
        self, texts: Sequence[object], ids: Sequence[object], layer: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Finding]]:
        """Resolve ``lokasi`` texts naming kelurahan and/or kecamatan to polygons.

        ``"Kel. Tanjung Ayun Sakti"``, ``"Kelurahan X, Kec. Y"``,
        ``"Kecamatan Y"`` and bare names (kelurahan first, then kecamatan) are
        understood; several kelurahan give their union. A kecamatan named with a
        kelurahan narrows same-named kelurahan down.

        Parameters
        ----------
        texts : sequence
            The ``lokasi`` texts (blank entries are skipped).
        ids : sequence
            Feature ids, for the findings.
        layer : str
            Layer label, for the findings.

        Returns
        -------
        geometries : numpy.ndarray
            Polygon or None per text.
        source : numpy.ndarray
            ``"kelurahan"``, ``"kecamatan"`` or None per text.
        names : numpy.ndarray
            The resolved place names (``"Kel. A (Kec. B)"``) or None.
        findings : list of Finding
            ``lokasi_tidak_dikenal`` and ``lokasi_ambigu`` warnings.

        Notes
        -----
        The steps, per text: its names sorted into kelurahan, kecamatan and unknown
        (:meth:`_place_keys`), the kelurahan rows it names, narrowed by its kecamatan
        (:meth:`_kelurahan_rows`), else the kecamatan rows; their union is the place.
        """
        n = len(texts)
        geoms = np.full(n, None, dtype=object)
        source = np.full(n, None, dtype=object)
        names = np.full(n, None, dtype=object)
        findings: list[Finding] = []
        for i, (text, fid) in enumerate(zip(texts, ids)):
            if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
                continue
            if self.empty:
                findings.append(Finding(layer, str(fid), "warning", "lokasi_tidak_dikenal", f"lokasi '{text}' tidak dapat dipetakan: tidak ada batas kelurahan/kecamatan di konfigurasi"))
                continue
            kels, kecs, unknown = self._place_keys(str(text))
            if unknown and not (kels and self.kelurahan is not None) and not (kecs and self.kecamatan is not None):
                # street names beside a known kelurahan are expected; warn only when nothing is found
                findings.append(Finding(layer, str(fid), "warning", "lokasi_tidak_dikenal", f"lokasi '{text}': nama {', '.join(repr(u) for u in unknown)} tidak ditemukan di batas kelurahan/kecamatan"))
            if kels and self.kelurahan is not None:
                rows = self._kelurahan_rows(text, fid, layer, kels, kecs, findings)
                geoms[i] = overlay.union_all(self.kelurahan.geometry.values[rows], what=f"{layer}: feature {fid}: kelurahan")
                source[i] = "kelurahan"
                names[i] = SEP.join(
                    f"Kel. {self.kelurahan['nama'].iloc[r]}" + (f" (Kec. {self.kelurahan['kecamatan'].iloc[r]})" if pd.notna(self.kelurahan["kecamatan"].iloc[r]) else "") for r in rows
                )
            elif kecs and self.kecamatan is not None:
                rows = sorted({r for k in kecs for r in self._kec_index[k]})
                geoms[i] = overlay.union_all(self.kecamatan.geometry.values[rows], what=f"{layer}: feature {fid}: kecamatan")
                source[i] = "kecamatan"
                names[i] = SEP.join(f"Kec. {self.kecamatan['nama'].iloc[r]}" for r in rows)
        return geoms, source, names, findings

    def _place_keys(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """The names in ``text``: known kelurahan, known kecamatan, and unknown ones."""
        kels: list[str] = []
        kecs: list[str] = []
        unknown: list[str] = []
        for kind, key in _split_place(text):
            if kind == "kelurahan" or (kind is None and key in self._kel_index):
                (kels if key in self._kel_index else unknown).append(key)
            elif kind == "kecamatan" or (kind is None and key in self._kec_index):
                (kecs if key in self._kec_index else unknown).append(key)
            else:
                unknown.append(key)
        return kels, kecs, unknown

    def _kelurahan_rows(self, text: object, fid: object, layer: str, kels: list[str], kecs: list[str], findings: list[Finding]) -> list[int]:
        """The kelurahan rows ``text`` names (same-named ones narrowed by its kecamatan), ambiguities added to ``findings``."""
        rows: list[int] = []
        for key in kels:
            cand = self._kel_index[key]
            if kecs:
                narrowed = [r for r in cand if place_key(self.kelurahan["kecamatan"].iloc[r]) in kecs]
                if not narrowed and self.kecamatan is not None:
                    kec_geom = overlay.union_all([self.kecamatan.geometry.iloc[r] for k in kecs for r in self._kec_index[k]], what=f"kecamatan {', '.join(kecs)}")
                    narrowed = [r for r in cand if shapely.contains(kec_geom, shapely.point_on_surface(self.kelurahan.geometry.iloc[r]))]
                cand = narrowed or cand
            if len(cand) > 1:
                findings.append(
                    Finding(layer, str(fid), "warning", "lokasi_ambigu", f"lokasi '{text}': ada {len(cand)} kelurahan bernama '{self.kelurahan['nama'].iloc[cand[0]]}'; dipakai gabungannya (sebutkan kecamatannya)")
                )
            rows.extend(cand)
        rows = sorted(set(rows))
        return rows

    def locate(self, geoms: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
        """Kecamatan and kelurahan holding the largest part of each geometry.

        A line counts by its length inside each area, a polygon by its area, points by how many of them
        lie in it (so a road running 1.8 km in one kelurahan and 0.6 km in its neighbour is that
        kelurahan's, wherever a point on it would have fallen). Ties go to the area listed first.

        Parameters
        ----------
        geoms : sequence of geometries
            In :attr:`crs`.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Kecamatan names and kelurahan names (None where outside or unknown).
        """
        g = np.asarray(geoms, dtype=object)
        ok = np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)))
        out = []
        for frame in (self.kecamatan, self.kelurahan):
            names = np.full(len(g), None, dtype=object)
            if frame is not None and len(frame) and len(ok):
                areas = np.asarray(frame.geometry.values, dtype=object)
                src, dst = shapely.STRtree(areas).query(g[ok], predicate="intersects")
                src = ok[src]
                best = _largest_part(g, areas, src, dst, what="kecamatan/kelurahan: lokasi program")
                names[src[best]] = frame["nama"].to_numpy(dtype=object)[dst[best]]
            out.append(names)
        return out[0], out[1]


def _largest_part(g: np.ndarray, areas: np.ndarray, src: np.ndarray, dst: np.ndarray, *, what: str) -> np.ndarray:
    """For each geometry ``g[src]`` met by ``areas[dst]`` (intersecting pairs): the position in ``src``/``dst`` of the
    pair holding its largest part, measured in the geometry's own dimension (points counted, lines by length,
    polygons by area); ties to the smaller ``dst``. Only geometries met by two or more areas are measured."""
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    counts = np.unique(src, return_counts=True)[1]
    measure = np.zeros(len(src))
    many = np.repeat(counts > 1, counts)
    if many.any():
        a, b = g[src[many]].copy(), areas[dst[many]].copy()
        for arr in (a, b):  # measured on repaired geometry (a self-crossing program polygon as delivered: 147 of 10k in the bench)
            bad = ~shapely.is_valid(arr)
            if bad.any():
                arr[bad] = overlay.make_valid(arr[bad], what=what)
        part, _snapped = overlay.robust_overlay(shapely.intersection, a, b, what=what)
        dim = shapely.get_dimensions(a)
        measure[many] = np.where(dim == 2, shapely.area(part), np.where(dim == 1, shapely.length(part), shapely.get_num_geometries(part)))
    # the largest measure of each group, the first (smallest dst) among equals: sort by (src, -measure, dst)
    pick = np.lexsort((dst, -measure, src))
    first = pick[np.unique(src[pick], return_index=True)[1]]
    return order[first]


@dataclass
class SyncResult:
    """What :func:`synchronize` returns.

    Attributes
    ----------
    year : int
    ipu : geopandas.GeoDataFrame
        Every IPU with ``status_sinkron``, ``realized_by`` (program ids of the
        year), ``tahun_terealisasi`` (years up to the run year it was realized
        in), ``jumlah_program`` and ``pagu_tahun`` (pagu of the realizing programs
        of the year; a program realizing several IPUs counts for each).
    rencana : geopandas.GeoDataFrame
        The programs of the year with ``status_sinkron`` and ``ipu_id`` (the
        IPU ids it realizes).
    matches : pandas.DataFrame
        Every (program, IPU) pair that realizes, all years: ``rencana_pos``,
        ``ipu_pos`` (positions in the inputs), ``program_id``, ``tahun``,
        ``ipu_id``, ``jarak_m``.
    """

    year: int
    ipu: gpd.GeoDataFrame
    rencana: gpd.GeoDataFrame
    matches: pd.DataFrame

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts per status for both tables, all statuses present (zeros included)."""
        return {
            "indikasi_program": {s: int((self.ipu["status_sinkron"] == s).sum()) for s in IPU_STATUSES},
            "rencana": {s: int((self.rencana["status_sinkron"] == s).sum()) for s in RENCANA_STATUSES},
        }


def _require(df: pd.DataFrame, cols: Sequence[str], label: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise FieldError(_("{label}: missing field(s) {missing} (fields: {columns})").format(label=label, missing=', '.join(missing), columns=', '.join(map(str, df.columns))))


def _years(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _common_crs(ipu: gpd.GeoDataFrame, rencana: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    for df, label in ((ipu, "indikasi_program"), (rencana, "rencana")):
        if df.crs is None:
            raise CRSError(_("{label}: the layer has no CRS").format(label=label))
    crs = metric_crs([ipu, rencana]) if ipu.geometry.notna().any() or rencana.geometry.notna().any() else CRS.from_user_input(ipu.crs)
    return to_metric(ipu, crs), to_metric(rencana, crs)


def match_programs(ipu: gpd.GeoDataFrame, rencana: gpd.GeoDataFrame, *, match_distance: float = 50.0) -> pd.DataFrame:
    """Every (rencana program, IPU) pair in which the program realizes the IPU.

    One bulk ``STRtree.query(predicate="dwithin")``, then vectorized activity and
    period filters. Programs or IPUs without geometry realize nothing.

    Parameters
    ----------
    ipu : geopandas.GeoDataFrame
        Fields ``ipu_id``, ``kegiatan``, ``tahun_mulai``, ``tahun_akhir``.
    rencana : geopandas.GeoDataFrame
        Fields ``program_id``, ``tahun``, ``kegiatan`` (all years).
    match_distance : float
        Metres; pairs at a distance <= it match. Both layers are measured in
        one metric CRS (the IPU's if metric, else the UTM zone of the data).

    Returns
    -------
    pandas.DataFrame
        ``rencana_pos``, ``ipu_pos`` (0-based positions), ``program_id``,
        ``tahun``, ``ipu_id``, ``jarak_m``; sorted by IPU, year, program position.
    """
    if match_distance < 0:
        raise ValueError(_("match_distance must be >= 0, got {match_distance}").format(match_distance=match_distance))
    _require(ipu, ["ipu_id", "kegiatan", "tahun_mulai", "tahun_akhir"], str(ipu.attrs.get("source", "indikasi_program")))
    _require(rencana, ["program_id", "tahun", "kegiatan"], str(rencana.attrs.get("source", "rencana")))
    ipu, rencana = _common_crs(ipu, rencana)
    ig = np.asarray(ipu.geometry.values, dtype=object)
    rg = np.asarray(rencana.geometry.values, dtype=object)
    tree = shapely.STRtree(ig)
    r, q = tree.query(rg, predicate="dwithin", distance=float(match_distance))
    r_act = np.array([activity_key(a) for a in rencana["kegiatan"]], dtype=object)
    q_act = np.array([activity_key(a) for a in ipu["kegiatan"]], dtype=object)
    year = _years(rencana["tahun"])
    start, end = _years(ipu["tahun_mulai"]), _years(ipu["tahun_akhir"])
    with np.errstate(invalid="ignore"):
        ok = (r_act[r] == q_act[q]) & (r_act[r] != "") & (start[q] <= year[r]) & (year[r] <= end[q])
    r, q = r[ok], q[ok]
    out = pd.DataFrame(
        {
            "rencana_pos": r.astype(np.int64),
            "ipu_pos": q.astype(np.int64),
            "program_id": rencana["program_id"].astype("string").to_numpy()[r],
            "tahun": year[r].astype(np.int64),
            "ipu_id": ipu["ipu_id"].astype("string").to_numpy()[q],
            "jarak_m": shapely.distance(rg[r], ig[q]) if len(r) else np.array([], dtype=float),
        }
    )
    return out.sort_values(["ipu_pos", "tahun", "rencana_pos"], kind="stable").reset_index(drop=True)


def ipu_status(ipu: pd.DataFrame, matches: pd.DataFrame, year: int) -> np.ndarray:
    """IPU ``status_sinkron`` for ``year`` (contract order of the rules).

    Parameters
    ----------
    ipu : pandas.DataFrame
        Fields ``tahun_mulai``, ``tahun_akhir``.
    matches : pandas.DataFrame
        From :func:`match_programs` (``ipu_pos``, ``tahun``).
    year : int

    Returns
    -------
    numpy.ndarray of str
    """
    n = len(ipu)
    start, end = _years(ipu["tahun_mulai"]), _years(ipu["tahun_akhir"])
    with np.errstate(invalid="ignore"):
        in_period = (start <= year) & (year <= end)
    pos = matches["ipu_pos"].to_numpy(dtype=np.int64)
    yrs = matches["tahun"].to_numpy(dtype=np.int64)
    now = np.zeros(n, dtype=bool)
    now[pos[yrs == year]] = True
    before = np.zeros(n, dtype=bool)
    before[pos[yrs < year]] = True  # a match is always inside the IPU's period
    return np.select(
        [~in_period, now, before],
        ["belum_jadwal", "sinkron", "diskontinu"],
        default="diskoneksi",
    ).astype(object)


def rencana_status(conformance: Sequence[object], realizes: Sequence[bool]) -> np.ndarray:
    """Rencana ``status_sinkron`` from the conformance status and whether it realizes an IPU.

    Parameters
    ----------
    conformance : sequence
        ``sppr check`` status per program (``tidak_sesuai`` -> ``inkonsisten``).
    realizes : sequence of bool
        Whether the program realizes at least one IPU.

    Returns
    -------
    numpy.ndarray of str
    """
    conf = np.asarray([str(c) if c is not None else "" for c in conformance], dtype=object)
    real = np.asarray(realizes, dtype=bool)
    return np.select([conf == "tidak_sesuai", real], ["inkonsisten", "sinkron"], default="tidak_terindikasi").astype(object)


def synchronize(
    ipu: gpd.GeoDataFrame,
    rencana: gpd.GeoDataFrame,
    year: int,
    *,
    conformance: pd.Series | Sequence[object] | None = None,
    match_distance: float = 50.0,
    matches: pd.DataFrame | None = None,
) -> SyncResult:
    """IPU and rencana statuses for one fiscal year.

    Parameters
    ----------
    ipu : geopandas.GeoDataFrame
        The plan's program table: ``ipu_id``, ``kegiatan``, ``tahun_mulai``,
        ``tahun_akhir``, geometry (places given as text resolved beforehand).
    rencana : geopandas.GeoDataFrame
        Development-plan programs of all years: ``program_id``, ``tahun``,
        ``kegiatan``, optional ``pagu``, geometry.
    year : int
        The fiscal year.
    conformance : sequence, optional
        Conformance status (``sppr check``) per rencana row (positional, all
        rows; only the year's rows are read). Default: the ``status`` column
        when present, else every program is taken as conforming.
    match_distance : float
        Metres.
    matches : pandas.DataFrame, optional
        Precomputed :func:`match_programs` output (for multi-year runs).

    Returns
    -------
    SyncResult

    Notes
    -----
    The steps: the matches (unless given) and the conformance read, then the IPU layer with its
    statuses (:func:`_ipu_of_year`), then the year's rencana with theirs (:func:`_rencana_of_year`).
    """
    year = int(year)
    if matches is None:
        matches = match_programs(ipu, rencana, match_distance=match_distance)
    if conformance is None:
        conformance = rencana["status"] if "status" in rencana.columns else [None] * len(rencana)
    conf = np.asarray(list(conformance), dtype=object)
    if len(conf) != len(rencana):
        raise ValueError(_("conformance has {n} values for {n2} rencana rows").format(n=len(conf), n2=len(rencana)))

    out_ipu = _ipu_of_year(ipu, rencana, matches, year)
    out_r = _rencana_of_year(rencana, matches, conf, year)
    return SyncResult(year=year, ipu=out_ipu, rencana=out_r, matches=matches)
def _ipu_of_year(ipu: gpd.GeoDataFrame, rencana: gpd.GeoDataFrame, matches: pd.DataFrame, year: int) -> gpd.GeoDataFrame:
    """The IPU layer of ``year``: status, the programs realizing each IPU, their years, count and pagu."""
    now = matches[matches["tahun"] == year]
    upto = matches[matches["tahun"] <= year]
    out_ipu = ipu.copy()
    for c in ("status_sinkron", "realized_by", "tahun_terealisasi", "jumlah_program", "pagu_tahun"):
        if c in out_ipu.columns:
            out_ipu = out_ipu.rename(columns={c: f"{c}_input"})
    out_ipu["status_sinkron"] = ipu_status(ipu, matches, year)
    by_ipu = now.groupby("ipu_pos")["program_id"].agg(list)
    realized_by = np.full(len(ipu), "", dtype=object)
    realized_by[by_ipu.index.to_numpy(dtype=np.int64)] = [join_ids(v) for v in by_ipu]
    out_ipu["realized_by"] = realized_by
    yrs = upto.groupby("ipu_pos")["tahun"].agg(lambda s: SEP.join(str(y) for y in sorted(set(s))))
    tahun_real = np.full(len(ipu), "", dtype=object)
    tahun_real[yrs.index.to_numpy(dtype=np.int64)] = yrs.to_numpy(dtype=object)
    out_ipu["tahun_terealisasi"] = tahun_real
    n_prog = np.zeros(len(ipu), dtype=np.int64)
    np.add.at(n_prog, now["ipu_pos"].to_numpy(dtype=np.int64), 1)
    out_ipu["jumlah_program"] = n_prog
    pagu = pd.to_numeric(rencana["pagu"], errors="coerce").to_numpy(dtype=float) if "pagu" in rencana.columns else np.zeros(len(rencana))
    pagu_ipu = np.zeros(len(ipu))
    np.add.at(pagu_ipu, now["ipu_pos"].to_numpy(dtype=np.int64), np.nan_to_num(pagu[now["rencana_pos"].to_numpy(dtype=np.int64)]))
    out_ipu["pagu_tahun"] = pagu_ipu

    return out_ipu


def _rencana_of_year(rencana: gpd.GeoDataFrame, matches: pd.DataFrame, conf: np.ndarray, year: int) -> gpd.GeoDataFrame:
    """The year's rencana: each program's status and the IPU it realizes."""
    now = matches[matches["tahun"] == year]
    sel = np.flatnonzero(_years(rencana["tahun"]) == year)
    out_r = rencana.iloc[sel].copy()
    for c in ("status_sinkron", "ipu_id"):
        if c in out_r.columns:
            out_r = out_r.rename(columns={c: f"{c}_input"})
    by_prog = now.groupby("rencana_pos")["ipu_id"].agg(list)
    ids = np.full(len(rencana), "", dtype=object)
    ids[by_prog.index.to_numpy(dtype=np.int64)] = [join_ids(v) for v in by_prog]
    realizes = np.zeros(len(rencana), dtype=bool)
    realizes[by_prog.index.to_numpy(dtype=np.int64)] = True
    out_r["status_sinkron"] = rencana_status(conf[sel], realizes[sel])
    out_r["ipu_id"] = ids[sel]
    return out_r


