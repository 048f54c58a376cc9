"""Coordination between agencies: synergy pairs, collisions, programs in protected zones (``Sinergi``)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sppr_gis.matrices._common import _col, _num, _text
from sppr_gis.text import angka
from sppr_gis.vocabulary import (
    PROTECTED_KINDS,
    PROTECTED_VERDICTS,
    place_key,
)


def _precise(rencana: pd.DataFrame) -> np.ndarray:
    g = np.asarray(rencana.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    if "lokasi_sumber" in rencana.columns:
        ok &= (rencana["lokasi_sumber"].astype(object) == "geometri").to_numpy(dtype=bool)
    return ok


def _pair_frame(rencana: gpd.GeoDataFrame, a: np.ndarray, b: np.ndarray, jenis: str, notes: list[str]) -> gpd.GeoDataFrame:
    g = np.asarray(rencana.geometry.values, dtype=object)
    n = len(rencana)
    years = _num(_col(rencana, "tahun"), n)
    pagu = _num(_col(rencana, "pagu"), n)
    pid = _col(rencana, "program_id").map(_text).to_numpy(dtype=object)
    opd = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    data = {
        "jenis": [jenis] * len(a),
        "tahun": years[a].astype(np.int64),
        "program_id": pid[a],
        "opd": opd[a],
        "kegiatan": keg[a],
        "pagu": pagu[a],
        "tahun_2": years[b].astype(np.int64),
        "program_id_2": pid[b],
        "opd_2": opd[b],
        "kegiatan_2": keg[b],
        "pagu_2": pagu[b],
        "jarak_m": np.round(shapely.distance(g[a], g[b]), 2) if len(a) else np.array([], dtype=float),
        "zona": [""] * len(a),
        "keterangan": notes,
    }
    geom = _pair_union(g[a], g[b]) if len(a) else np.array([], dtype=object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom, crs=rencana.crs).values, crs=rencana.crs)


def _pair_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Union of each pair of program geometries, for the pair's row in the GIS layer.

    Agencies deliver invalid rings (bow-ties, self-touching): those are repaired first
    (``make_valid``), and a union GEOS cannot node is redone on a snap grid
    (:func:`sppr_gis.engine.robust_overlay`).
    """
    from sppr_gis.overlay import make_valid, robust_overlay

    a, b = a.copy(), b.copy()
    for x in (a, b):
        bad = ~shapely.is_missing(x) & ~shapely.is_valid(x)
        if bad.any():
            x[bad] = make_valid(x[bad], method="linework", what="programs")
    return robust_overlay(shapely.union, a, b)[0]


def synergy_pairs(rencana: gpd.GeoDataFrame, year: int, *, distance: float) -> gpd.GeoDataFrame:
    """Programs of different OPDs in ``year`` within ``distance`` metres: to coordinate.

    Only programs with their own geometry take part (a place given as a
    kelurahan name is too coarse). Each pair once, the earlier row first.

    Parameters
    ----------
    rencana : geopandas.GeoDataFrame
        Programs (any years; metric CRS): ``program_id, tahun, opd, kegiatan, pagu``.
    year : int
    distance : float
        Metres (inclusive).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pair (:func:`sinergi_table` columns, ``jenis`` = ``sinergi``),
        geometry the union of both programs.
    """
    sel = np.flatnonzero((_num(_col(rencana, "tahun"), len(rencana)) == year) & _precise(rencana))
    g = np.asarray(rencana.geometry.values, dtype=object)[sel]
    tree = shapely.STRtree(g)
    i, j = tree.query(g, predicate="dwithin", distance=float(distance))
    opd = _col(rencana, "opd").map(lambda v: place_key(v)).to_numpy(dtype=object)[sel]
    keep = (i < j) & (opd[i] != opd[j])
    a, b = sel[i[keep]], sel[j[keep]]
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    opd_all = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    d = shapely.distance(np.asarray(rencana.geometry.values, dtype=object)[a], np.asarray(rencana.geometry.values, dtype=object)[b]) if len(a) else []
    notes = [
        f"{opd_all[x]} ({keg[x]}) dan {opd_all[y]} ({keg[y]}) bekerja {('bersinggungan' if dd == 0 else 'berjarak ' + angka(dd) + ' m')} pada {year}: koordinasikan desain dan jadwal."
        for x, y, dd in zip(a, b, d)
    ]
    return _pair_frame(rencana, a, b, "sinergi", notes)


def collisions(
    rencana: gpd.GeoDataFrame,
    year: int,
    *,
    distance: float,
    years: int = 1,
    kegiatan: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Works of different OPDs at the same place in nearby years (dug up twice).

    A program p of ``year`` and a program q of another year with
    ``|q.tahun - year| <= years``, different OPDs, within ``distance`` metres;
    when ``kegiatan`` is given both activities must be in it.

    Parameters
    ----------
    rencana : geopandas.GeoDataFrame
        Programs of all years (metric CRS).
    year : int
    distance : float
        Metres (inclusive).
    years : int
        How many years apart still collide (>= 1).
    kegiatan : sequence of str
        Activities that dig up the ground; empty: all.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pair (``jenis`` = ``tabrakan``): the program of ``year``
        first, the other year's second.
    """
    from sppr_gis.rules import activity_key

    n = len(rencana)
    yrs = _num(_col(rencana, "tahun"), n)
    ok = _precise(rencana)
    if kegiatan:
        allowed = {activity_key(k) for k in kegiatan}
        ok &= _col(rencana, "kegiatan").map(activity_key).isin(allowed).to_numpy(dtype=bool)
    now = np.flatnonzero(ok & (yrs == year))
    other = np.flatnonzero(ok & (yrs != year) & (np.abs(yrs - year) <= years))
    g = np.asarray(rencana.geometry.values, dtype=object)
    tree = shapely.STRtree(g[other])
    i, j = tree.query(g[now], predicate="dwithin", distance=float(distance))
    a, b = now[i], other[j]
    opd_k = _col(rencana, "opd").map(lambda v: place_key(v)).to_numpy(dtype=object)
    keep = opd_k[a] != opd_k[b]
    a, b = a[keep], b[keep]
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    opd = _col(rencana, "opd").map(_text).to_numpy(dtype=object)
    keg = _col(rencana, "kegiatan").map(_text).to_numpy(dtype=object)
    notes = []
    for x, y in zip(a, b):
        first, second = (y, x) if yrs[y] < yrs[x] else (x, y)
        notes.append(
            f"Lokasi yang sama dikerjakan {opd[first]} ({keg[first]}, {int(yrs[first])}) lalu {opd[second]} ({keg[second]}, {int(yrs[second])}): "
            "satukan pekerjaan atau atur urutannya agar tidak dibongkar ulang."
        )
    return _pair_frame(rencana, a, b, "tabrakan", notes)


def protected_programs(rencana_y: gpd.GeoDataFrame, zone_shares: pd.DataFrame, protected_codes: Sequence[str]) -> gpd.GeoDataFrame:
    """The year's programs with a counted share in a protected zone.

    Parameters
    ----------
    rencana_y : geopandas.GeoDataFrame
        The year's programs, in the order given to ``sppr check``.
    zone_shares : pandas.DataFrame
        ``sppr check`` zone shares: ``feature`` (1-based position), ``zone_code``,
        ``share``, ``itbx``, ``counted``.
    protected_codes : sequence of str

    Returns
    -------
    geopandas.GeoDataFrame
        ``jenis`` = ``kawasan_lindung``, program columns, ``status`` (the program's
        conformance status), ``jenis_lindung`` (the structured verdict:
        :data:`sppr_gis.vocabulary.PROTECTED_KINDS` of the status, ``lindung_X``,
        ``lindung_TB``, ``lindung_kajian`` or ``lindung_I``; None for an unknown status),
        ``zona`` (codes and shares), ``keterangan``; geometry of the program.
    """
    codes = set(protected_codes)
    zs = zone_shares[zone_shares["zone_code"].isin(codes) & zone_shares["counted"].astype(bool)]
    pos = sorted({int(f) - 1 for f in zs["feature"]})
    n = len(rencana_y)
    sub = rencana_y.iloc[pos]
    zona = []
    notes = []
    st = _col(rencana_y, "status").map(_text).to_numpy(dtype=object)
    for p in pos:
        rows = zs[zs["feature"] == p + 1].sort_values(["share", "zone_code"], ascending=[False, True])
        parts = [f"{z} {angka(100 * s)}%" + (f" ({c})" if isinstance(c, str) and c else "") for z, s, c in zip(rows["zone_code"], rows["share"], rows["itbx"])]
        zona.append("; ".join(parts))
        verdict = PROTECTED_VERDICTS.get(st[p], st[p])
        notes.append(f"Program di kawasan lindung {', '.join(rows['zone_code'])}: {verdict}; pastikan tidak mengurangi fungsi lindung.")
    data = {
        "jenis": ["kawasan_lindung"] * len(pos),
        "tahun": _num(_col(sub, "tahun"), len(sub)).astype(np.int64) if len(sub) else np.array([], dtype=np.int64),
        "program_id": _col(sub, "program_id").map(_text).to_numpy(dtype=object),
        "opd": _col(sub, "opd").map(_text).to_numpy(dtype=object),
        "kegiatan": _col(sub, "kegiatan").map(_text).to_numpy(dtype=object),
        "pagu": _num(_col(sub, "pagu"), len(sub)),
        "status": st[pos] if n else np.array([], dtype=object),
        "jenis_lindung": np.array([PROTECTED_KINDS.get(st[p]) for p in pos], dtype=object),
        "zona": zona,
        "keterangan": notes,
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(sub.geometry.values, dtype=object), crs=rencana_y.crs).values, crs=rencana_y.crs)


#: Columns of the ``sinergi`` table as written (GeoPackage layer, Buku Matriks sheet, CSV).
SINERGI_COLUMNS = ["jenis", "tahun", "program_id", "opd", "kegiatan", "pagu", "tahun_2", "program_id_2", "opd_2", "kegiatan_2", "pagu_2", "jarak_m", "zona", "keterangan"]
#: Structured columns the ``sinergi`` table carries in memory for the album, after :data:`SINERGI_COLUMNS`:
#: ``jenis_lindung``, the protected-zone verdict of a ``kawasan_lindung`` row
#: (:data:`sppr_gis.vocabulary.PROTECTED_KINDS`; None on the other rows), so that no reader has to
#: search ``keterangan`` for Indonesian words. :func:`sinergi_output` drops them before writing.
SINERGI_STRUCTURED = ["jenis_lindung"]


def sinergi_table(*parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Synergy pairs, collisions and protected-zone programs in one table (``Sinergi``).

    Parameters
    ----------
    *parts : geopandas.GeoDataFrame
        Outputs of :func:`synergy_pairs`, :func:`collisions`, :func:`protected_programs`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SINERGI_COLUMNS` + :data:`SINERGI_STRUCTURED` + geometry, the parts
        in the given order.
    """
    crs = next((p.crs for p in parts if p.crs is not None), None)
    frames = []
    for p in parts:
        f = pd.DataFrame({c: (p[c].to_numpy() if c in p.columns else [None] * len(p)) for c in [*SINERGI_COLUMNS, *SINERGI_STRUCTURED]})
        f["geometry"] = np.asarray(p.geometry.values, dtype=object)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*SINERGI_COLUMNS, *SINERGI_STRUCTURED, "geometry"])
    for c in ("tahun_2",):
        df[c] = pd.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v) for v in df[c]], dtype="Int64")
    df["tahun"] = pd.array([int(v) for v in df["tahun"]], dtype="Int64")
    for c in ("pagu", "pagu_2", "jarak_m"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["jenis_lindung"] = df["jenis_lindung"].astype(object).where(df["jenis_lindung"].notna(), None)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)


def sinergi_output(sinergi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``sinergi`` table as written: :data:`SINERGI_COLUMNS` and its geometry (the in-memory
    :data:`SINERGI_STRUCTURED` columns dropped).

    Parameters
    ----------
    sinergi : geopandas.GeoDataFrame
        An output of :func:`sinergi_table`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return sinergi.drop(columns=[c for c in SINERGI_STRUCTURED if c in sinergi.columns])
