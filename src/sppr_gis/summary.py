"""What was read: a short summary of every input (source, features, CRS, fields mapped, rows set aside).

Printed on stderr by the CLI (suppressed by ``-q``) and recorded in the sync
manifest, so that a wrong layer or column shows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import shapely

from sppr_gis.i18n import _
from sppr_gis.schema import find_field
from sppr_gis.text import angka
from sppr_gis.vocabulary import NETWORK_STATUSES

__all__ = ["STRUKTUR_STATUSES", "analysis_counts", "describe_input", "format_analysis_counts", "format_summary", "issue_notes"]

#: Struktur ruang conformance classes, in order (see ``sppr check --struktur-ruang``).
STRUKTUR_STATUSES = NETWORK_STATUSES

_KIND = {"Point": "titik", "MultiPoint": "titik", "LineString": "garis", "MultiLineString": "garis", "Polygon": "poligon", "MultiPolygon": "poligon"}


def describe_input(frame: pd.DataFrame, role: str, *, fields: Mapping[str, str | None] | None = None, source: str | None = None) -> dict[str, Any]:
    """A summary of one input as read.

    Parameters
    ----------
    frame : (Geo)DataFrame
        The input as read (before any transformation).
    role : str
        What it is for: ``zonasi``, ``program``, ``rencana``, ``indikasi_program`` ...
    fields : mapping, optional
        Meaning -> column name wanted (``{"zona": "KODSZN", "id": "program_id"}``);
        only those present in ``frame`` are reported, under the column found
        (case-insensitive).
    source : str, optional
        The source label (default ``frame.attrs["source"]``).

    Returns
    -------
    dict
        ``role``, ``source``, ``features``, ``crs``, ``geometry`` (counts by kind,
        ``kosong`` for null or empty), ``fields`` (meaning -> column), ``missing_fields``.
    """
    src = source or str(frame.attrs.get("source", "?"))
    out: dict[str, Any] = {"role": role, "source": src, "features": int(len(frame))}
    crs = getattr(frame, "crs", None)
    out["crs"] = crs.to_string() if crs is not None else None
    if hasattr(frame, "geometry") and getattr(frame, "_geometry_column_name", None) in frame.columns:
        g = frame.geometry.values
        empty = shapely.is_missing(g) | shapely.is_empty(g)
        kinds: dict[str, int] = {}
        for t in pd.Series(shapely.get_type_id(g[~empty])).map(lambda i: _KIND.get(_TYPE_NAMES.get(int(i), ""), "lain")):
            kinds[t] = kinds.get(t, 0) + 1
        if empty.any():
            kinds["kosong"] = int(empty.sum())
        out["geometry"] = kinds
    cols = [str(c) for c in frame.columns]
    found: dict[str, str] = {}
    missing: list[str] = []
    for meaning, wanted in (fields or {}).items():
        col = find_field(cols, wanted) if wanted else None
        if col is None:
            missing.append(meaning)
        else:
            found[meaning] = col
    out["fields"] = found
    if missing:
        out["missing_fields"] = missing
    return out


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def issue_notes(issues: pd.DataFrame, source: str) -> dict[str, int]:
    """Finding codes and counts about one input (rows repaired, set aside, and why).

    Parameters
    ----------
    issues : DataFrame
        With ``layer`` and ``code`` columns (the ``issues`` layer).
    source : str
        The input's label as it appears in ``issues.layer``.

    Returns
    -------
    dict
        Code -> count, most frequent first.
    """
    if issues is None or not len(issues) or "layer" not in issues.columns:
        return {}
    sel = issues[issues["layer"].astype(str) == source]
    counts = sel["code"].astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def format_summary(item: Mapping[str, Any]) -> str:
    """One line: ``program rencana.gpkg: 120 fitur (titik 40, poligon 80), EPSG:4326; id=program_id ...``.

    Parameters
    ----------
    item : mapping
        From :func:`describe_input` (plus ``notes`` from :func:`issue_notes`).

    Returns
    -------
    str
    """
    parts = [_("{role} {source}: {n} features").format(role=item["role"], source=item["source"], n=item["features"])]
    geom = item.get("geometry")
    if geom:
        parts[0] += " (" + ", ".join(f"{k} {v}" for k, v in geom.items()) + ")"
    if item.get("crs"):
        parts.append(str(item["crs"]))
    if item.get("fields"):
        parts.append(_("columns {fields}").format(fields=", ".join(f"{k}={v}" for k, v in item["fields"].items())))
    if item.get("missing_fields"):
        parts.append(_("without columns {fields}").format(fields=", ".join(item["missing_fields"])))
    notes = item.get("notes")
    if notes:
        parts.append(_("issues {codes}").format(codes=", ".join(f"{k} {v}" for k, v in notes.items())))
    return "; ".join(parts)


def analysis_counts(programs: pd.DataFrame, relocation: pd.DataFrame | None = None) -> dict[str, dict[str, int]]:
    """Counts of the relocation advice and of the struktur ruang conformance, when they were computed.

    Parameters
    ----------
    programs : DataFrame
        The ``programs`` (or sync ``rencana``) layer; ``status_struktur`` is
        counted when present (empty for programs whose activity follows no network).
    relocation : DataFrame, optional
        The ``saran_relokasi`` layer: one row per ``tidak_sesuai`` program,
        ``zone_code`` empty beyond the relocation distance.

    Returns
    -------
    dict
        ``saran_relokasi``: ``{"ada_zona_i": n, "tidak_ada": m}`` (programs with
        an I zone within the distance, and without); ``status_struktur``:
        ``{"sesuai": a, "sebagian": b, "di_luar_rencana": c}``. A key is left out
        when its analysis was not run.
    """
    out: dict[str, dict[str, int]] = {}
    if relocation is not None and "zone_code" in relocation.columns:
        code = relocation["zone_code"].astype("string").str.strip()
        found = int((code.notna() & (code != "")).sum())
        out["saran_relokasi"] = {"ada_zona_i": found, "tidak_ada": len(relocation) - found}
    if "status_struktur" in programs.columns:
        st = programs["status_struktur"].astype("string")
        out["status_struktur"] = {s: int((st == s).sum()) for s in STRUKTUR_STATUSES}
    return out



def format_analysis_counts(counts: Mapping[str, Mapping[str, int]], relocation_distance: float | None = None) -> list[str]:
    """Summary lines for :func:`analysis_counts`, in the reader's language (:mod:`sppr_gis.i18n`).

    ``saran relokasi: 4 program tidak sesuai punya zona I dalam 2.000 m, 1 tidak`` and
    ``struktur ruang: 15 sesuai, 6 sebagian, 38 di luar rencana (59 program yang kegiatannya mengikuti jaringan)``.

    Parameters
    ----------
    counts : mapping
        From :func:`analysis_counts`.
    relocation_distance : float, optional
        The ``--relocation-distance`` used, in metres.

    Returns
    -------
    list of str
    """
    lines = []
    rel = counts.get("saran_relokasi")
    if rel is not None:
        if relocation_distance is not None:
            line = _("relocation advice: {found} non-conforming programs have a zone where the activity is permitted (I) within {distance} m, {none} do not")
        else:
            line = _("relocation advice: {found} non-conforming programs have a zone where the activity is permitted (I), {none} do not")
        lines.append(line.format(found=rel["ada_zona_i"], none=rel["tidak_ada"], distance=angka(relocation_distance, 0) if relocation_distance is not None else ""))
    st = counts.get("status_struktur")
    if st is not None:
        total = sum(st.values())
        words = {"sesuai": _("conforming"), "sebagian": _("partly"), "di_luar_rencana": _("outside the plan")}
        parts = ", ".join(f"{st.get(s, 0)} {words.get(s, s)}" for s in STRUKTUR_STATUSES)
        lines.append(_("struktur ruang: {parts} ({total} programs whose activity follows a network)").format(parts=parts, total=total))
    return lines
