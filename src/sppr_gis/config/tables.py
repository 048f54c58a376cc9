"""The checks shared by every table of the run configuration, and its optional tables.

:class:`_Errors` collects every problem of the file; :func:`_unknown`, :func:`_number`
and :func:`_str_list` check keys and values by their dotted key; :func:`kinerja_table`,
:func:`_output`, :func:`_album` and :func:`_palette` validate ``[kinerja]``,
``[output]``, ``[album]`` and ``[palette]``. :mod:`sppr_gis.config` assembles them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sppr_gis.errors import ConfigError, MissingFileError
from sppr_gis.i18n import _

_INPUT_KEYS = {
    "zoning",
    "rules",
    "conditions",
    "code_map",
    "indikasi_program",
    "rencana",
    "struktur_ruang",
    "network_map",
    "kecamatan",
    "kelurahan",
    "kawasan_prioritas",
    "kinerja",
}
_OUTPUT_KEYS = {"postgis"}


class _Errors:
    """Collects problems; raises one ConfigError listing all of them."""

    def __init__(self, source: str, check_files: bool = True) -> None:
        self.source = source
        self.check_files = check_files
        self.items: list[str] = []
        self.missing = False

    def add(self, key: str, message: str, *, missing: bool = False) -> None:
        """A problem of ``key``; ``missing``: a file it names does not exist (the error is then a usage error)."""
        self.items.append(f"{key}: {message}")
        self.missing = self.missing or missing

    def raise_if_any(self) -> None:
        kind = MissingFileError if self.missing else ConfigError
        if self.items:
            if len(self.items) == 1:
                raise kind(f"{self.source}: {self.items[0]}")
            raise kind(_("{source}: {n} problems:").format(source=self.source, n=len(self.items)) + "\n  " + "\n  ".join(self.items))


def _unknown(table: Mapping[str, Any], allowed: set[str], prefix: str, err: _Errors) -> None:
    for key in table:
        if key not in allowed:
            hint = _closest(key, allowed)
            err.add(f"{prefix}{key}", _("unknown key (did you mean '{hint}'?)").format(hint=hint) if hint else _("unknown key; known keys: {keys}").format(keys=", ".join(sorted(allowed))))


def _closest(key: str, allowed: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return found[0] if found else None


def _is_str(v: object) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _number(table: Mapping[str, Any], key: str, prefix: str, err: _Errors, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False, integer: bool = False) -> Any:
    v = table[key]
    name = f"{prefix}{key}"
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        err.add(name, (_("expected a whole number, got {v!r}") if integer else _("expected a number, got {v!r}")).format(v=v))
        return None
    if not math.isfinite(v):
        err.add(name, _("must be a finite number, got {v}").format(v=v))
        return None
    if lo is not None and (v < lo or (lo_open and v == lo)):
        err.add(name, (_("must be greater than {lo}, got {v}") if lo_open else _("must be at least {lo}, got {v}")).format(lo=lo, v=v))
        return None
    if hi is not None and v > hi:
        err.add(name, _("must be at most {hi}, got {v}").format(hi=hi, v=v))
        return None
    return v


def _str_list(table: Mapping[str, Any], key: str, prefix: str, err: _Errors) -> tuple[str, ...] | None:
    v = table[key]
    if not (isinstance(v, list) and all(_is_str(x) for x in v)):
        err.add(f"{prefix}{key}", _("expected a list of texts"))
        return None
    return tuple(str(x).strip() for x in v)


_ASPEK = ("pengaturan", "pembinaan", "perencanaan", "pemanfaatan", "pengendalian")


def kinerja_table(table: Any, err: "_Errors") -> dict[str, Any]:
    """``[kinerja]``: ``tahun_awal`` (first year of a Renstra export's target_1..5) and
    ``[kinerja.penataan_ruang]``: the five aspect scores (0-100) and an optional ``bobot`` table."""
    if not isinstance(table, dict):
        err.add("kinerja", _("expected a table"))
        return {}
    _unknown(table, {"tahun_awal", "penataan_ruang"}, "kinerja.", err)
    out: dict[str, Any] = {}
    if "tahun_awal" in table:
        v = _number(table, "tahun_awal", "kinerja.", err, lo=1900, hi=2200, integer=True)
        if v is not None:
            out["tahun_awal"] = int(v)
    pr = table.get("penataan_ruang")
    if pr is not None:
        if not isinstance(pr, dict):
            err.add("kinerja.penataan_ruang", _("expected a table of aspect scores (0-100)"))
        else:
            _unknown(pr, set(_ASPEK) | {"bobot"}, "kinerja.penataan_ruang.", err)
            scores: dict[str, Any] = {}
            for k in _ASPEK:
                if k in pr:
                    v = _number(pr, k, "kinerja.penataan_ruang.", err, lo=0.0, hi=100.0)
                    if v is not None:
                        scores[k] = float(v)
            bobot = pr.get("bobot")
            if bobot is not None:
                if not isinstance(bobot, dict):
                    err.add("kinerja.penataan_ruang.bobot", _("expected a table: aspect = weight"))
                else:
                    _unknown(bobot, set(_ASPEK), "kinerja.penataan_ruang.bobot.", err)
                    w = {}
                    for k in _ASPEK:
                        if k in bobot:
                            v = _number(bobot, k, "kinerja.penataan_ruang.bobot.", err, lo=0.0)
                            if v is not None:
                                w[k] = float(v)
                    if w and not any(w.get(k, 1.0) > 0 for k in scores):
                        err.add("kinerja.penataan_ruang.bobot", _("the weights of the aspects given are all 0"))
                    scores["bobot"] = w
            out["penataan_ruang"] = scores
    return out


def _output(table: Any, err: _Errors) -> dict[str, str]:
    """``[output]``: ``postgis = "postgresql://HOST/DB#SCHEMA"`` (each year's layers also go there)."""
    if not isinstance(table, dict):
        err.add("output", _("expected a table"))
        return {}
    _unknown(table, _OUTPUT_KEYS, "output.", err)
    out: dict[str, str] = {}
    if "postgis" in table:
        v = table["postgis"]
        if not (isinstance(v, str) and v.strip().lower().startswith(("postgresql://", "postgres://"))):
            err.add("output.postgis", _("expected a PostgreSQL URI naming a schema: \"postgresql://HOST/DB#SCHEMA\""))
        else:
            from sppr_gis.errors import LayerError
            from sppr_gis.io.postgis import target_schema

            try:
                target_schema(v)  # #SCHEMA ("Quoted" exact), never a table; at most 63 bytes
            except LayerError as exc:
                err.add("output.postgis", _("{exc} (the tables are named <layer>_<year>)").format(exc=exc))
            else:
                out["postgis"] = v.strip()
    return out


_ALBUM_KEYS = {"instansi", "penandatangan", "tempat", "tanggal", "logo", "inset", "paper", "kata_pengantar", "sumber"}


def _album(table: Any, base: Path, err: _Errors, check_files: bool = True) -> dict[str, Any]:
    """``[album]``: instansi, penandatangan, tempat, tanggal, logo (path), inset (path[:layer]), paper (A3|A4), kata_pengantar, [album.sumber]."""
    if not isinstance(table, dict):
        err.add("album", _("expected a table"))
        return {}
    _unknown(table, _ALBUM_KEYS, "album.", err)
    out: dict[str, Any] = {}
    for key in ("instansi", "penandatangan", "tempat", "tanggal", "kata_pengantar"):
        if key in table:
            if isinstance(table[key], str):
                out[key] = table[key].strip()
            else:
                err.add(f"album.{key}", _("expected a text"))
    if "paper" in table:
        paper = str(table["paper"]).strip().upper()
        if paper in ("A3", "A4"):
            out["paper"] = paper
        else:
            err.add("album.paper", _("{paper!r}: use \"A3\" or \"A4\"").format(paper=table['paper']))
    if "logo" in table:
        if not isinstance(table["logo"], str):
            err.add("album.logo", _("expected a path to a PNG or JPEG file"))
        else:
            logo = (base / table["logo"]).resolve()
            if check_files and not logo.is_file():
                err.add("album.logo", _("file not found: {logo}").format(logo=logo), missing=True)
            out["logo"] = logo
    if "inset" in table:
        if not isinstance(table["inset"], str):
            err.add("album.inset", "expected a path to a boundary layer (path or path:layer)")
        else:
            spec = table["inset"].strip()
            path, _u, layer = spec.rpartition(":") if ":" in spec[2:] and not (base / spec).exists() else (spec, "", "")
            inset = (base / path).resolve()
            if check_files and not inset.exists():
                err.add("album.inset", _("file not found: {logo}").format(logo=inset), missing=True)
            out["inset"] = f"{inset}:{layer}" if layer else str(inset)
    sumber = table.get("sumber", {})
    if not isinstance(sumber, dict):
        err.add("album.sumber", _("expected a table: input key = citation"))
    else:
        out["sumber"] = {}
        for k, v in sumber.items():
            if k not in _INPUT_KEYS:
                err.add(f"album.sumber.{k}", _("unknown input key (one of: {input_keys})").format(input_keys=', '.join(sorted(_INPUT_KEYS))))
            elif not isinstance(v, str):
                err.add(f"album.sumber.{k}", _("expected a text"))
            else:
                out["sumber"][k] = v.strip()
    return out


def _palette(table: Any, err: _Errors) -> dict[str, str]:
    """``[palette]``: zone code = "#rrggbb" or [r, g, b] (0-255)."""
    if not isinstance(table, dict):
        err.add("palette", _("expected a table: zone code = \"#rrggbb\" or [r, g, b]"))
        return {}
    out: dict[str, str] = {}
    for code, value in table.items():
        if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value.strip()):
            out[str(code)] = value.strip().lower()
        elif isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
            out[str(code)] = "#{:02x}{:02x}{:02x}".format(*value)
        else:
            err.add(f"palette.{code}", _("{value!r} is not a colour: use \"#rrggbb\" or [r, g, b] with 0-255").format(value=value))
    return out
