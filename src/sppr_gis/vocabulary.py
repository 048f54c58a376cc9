"""The one vocabulary of sppr_gis: status codes, their Indonesian labels, field names and defaults.

Every module that names a status, looks for a standard field (Permen ATR/BPN 14/2021, BIG's
administrative layers) or defaults a parameter reads it from here, so the CLI, the config, the
tables and the maps cannot drift apart. This module imports nothing from :mod:`sppr_gis`
(it is the bottom layer) and holds data plus the one normalization every place name goes
through (:func:`place_key`).

Codes (status values, column names) never change with the language; the labels are the
Indonesian texts written in reports and maps.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "STATUSES",
    "STATUS_RANK",
    "IPU_STATUSES",
    "RENCANA_STATUSES",
    "NETWORK_STATUSES",
    "STATUS_LABELS",
    "SYNC_LABELS",
    "IPU_SYNC_LABELS",
    "CODE_LABELS",
    "PROTECTED_VERDICTS",
    "PROTECTED_KINDS",
    "ZONE_CODE_FIELDS",
    "ZONE_NAME_FIELDS",
    "OBJECT_NAME_FIELD",
    "KELURAHAN_NAME_FIELDS",
    "KECAMATAN_NAME_FIELDS",
    "KELURAHAN_KEC_FIELDS",
    "KAWASAN_NAME_FIELDS",
    "DEFAULT_MIN_SHARE",
    "DEFAULT_SLIVER_WIDTH",
    "DEFAULT_SLIVER_AREA",
    "DEFAULT_RELOCATION_DISTANCE",
    "DEFAULT_NETWORK_DISTANCE",
    "DEFAULT_NETWORK_CLASS_FIELD",
    "DEFAULT_ACTIVITY_FIELD",
    "DEFAULT_ID_FIELD",
    "DEFAULT_CODE_FIELD",
    "zone_name_fields",
    "place_key",
]

# ----------------------------------------------------------------------------- statuses

#: Conformance statuses (``sppr check``: layer ``programs``, column ``status``) in report order.
STATUSES: tuple[str, ...] = ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian")
#: How restrictive each conformance status is (a program's parts: the most restrictive decides).
STATUS_RANK: dict[str, int] = {"sesuai": 0, "sesuai_bersyarat": 1, "perlu_kajian": 2, "tidak_sesuai": 3}
#: IPU ``status_sinkron`` values in report order.
IPU_STATUSES: tuple[str, ...] = ("sinkron", "diskontinu", "diskoneksi", "belum_jadwal")
#: Rencana ``status_sinkron`` values in report order.
RENCANA_STATUSES: tuple[str, ...] = ("sinkron", "inkonsisten", "tidak_terindikasi")
#: Struktur ruang ``status_struktur`` values in report order.
NETWORK_STATUSES: tuple[str, ...] = ("sesuai", "sebagian", "di_luar_rencana")

# ----------------------------------------------------------------------------- Indonesian labels

#: Legend labels of the conformance statuses (maps, HTML report).
STATUS_LABELS: dict[str, str] = {
    "sesuai": "Sesuai",
    "sesuai_bersyarat": "Sesuai bersyarat (T/B)",
    "tidak_sesuai": "Tidak sesuai (X)",
    "perlu_kajian": "Perlu kajian",
}
#: Legend labels of the rencana ``status_sinkron``.
SYNC_LABELS: dict[str, str] = {
    "sinkron": "Sinkron dengan indikasi program",
    "inkonsisten": "Inkonsisten terhadap tata ruang",
    "tidak_terindikasi": "Tidak terindikasi dalam IPU",
}
#: Legend labels of the IPU ``status_sinkron``.
IPU_SYNC_LABELS: dict[str, str] = {
    "sinkron": "Sinkron (terealisasi tahun ini)",
    "diskontinu": "Diskontinu (tidak dilanjutkan)",
    "diskoneksi": "Diskoneksi (tidak diprogramkan)",
    "belum_jadwal": "Belum dijadwalkan (di luar periode)",
}
#: Human labels of every status code written in the tables (the GeoPackage keeps the codes).
CODE_LABELS: dict[str, str] = {
    "sesuai": "Sesuai",
    "sesuai_bersyarat": "Sesuai bersyarat",
    "tidak_sesuai": "Tidak sesuai",
    "perlu_kajian": "Perlu kajian",
    "sinkron": "Sinkron",
    "diskontinu": "Diskontinu",
    "diskoneksi": "Diskoneksi",
    "belum_jadwal": "Belum dijadwalkan",
    "dijadwalkan": "Dijadwalkan",
    "inkonsisten": "Inkonsisten",
    "tidak_terindikasi": "Tidak terindikasi",
    "sebagian": "Sebagian",
    "di_luar_rencana": "Di luar rencana",
    "kawasan_lindung": "Kawasan lindung",
    "tabrakan": "Konflik pekerjaan",
    "sinergi": "Sinergi",
}
#: The verdict word a protected-zone note (``sinergi``, ``keterangan``) gives for a conformance status.
PROTECTED_VERDICTS: dict[str, str] = {
    "tidak_sesuai": "dilarang",
    "sesuai_bersyarat": "diizinkan bersyarat",
    "sesuai": "diizinkan",
    "perlu_kajian": "perlu kajian",
}
#: The structured verdict of a program in a protected zone, by its conformance status: the values of
#: the ``jenis_lindung`` column the ``sinergi`` table carries in memory (the album's categories).
PROTECTED_KINDS: dict[str, str] = {
    "tidak_sesuai": "lindung_X",
    "sesuai_bersyarat": "lindung_TB",
    "perlu_kajian": "lindung_kajian",
    "sesuai": "lindung_I",
}

# ----------------------------------------------------------------------------- field names

#: Zone code fields in order of preference: RDTR sub-zone, RDTR zone, RTRW kawasan.
ZONE_CODE_FIELDS: tuple[str, ...] = ("KODSZN", "KODZON", "KODKWS")
#: Zone name fields, aligned with :data:`ZONE_CODE_FIELDS` (KODSZN -> NAMSZN, ...).
ZONE_NAME_FIELDS: tuple[str, ...] = ("NAMSZN", "NAMZON", "NAMKWS")
#: The generic object-name field of the national standard (any layer).
OBJECT_NAME_FIELD = "NAMOBJ"
#: Kelurahan/desa name fields of an administrative layer, in order of preference.
KELURAHAN_NAME_FIELDS: tuple[str, ...] = ("WADMKD", "NAMOBJ", "kelurahan", "desa", "nama", "name", "nama_kelurahan")
#: Kecamatan name fields of an administrative layer, in order of preference.
KECAMATAN_NAME_FIELDS: tuple[str, ...] = ("WADMKC", "NAMOBJ", "kecamatan", "nama", "name", "nama_kecamatan")
#: Fields of a kelurahan layer naming the kecamatan it lies in.
KELURAHAN_KEC_FIELDS: tuple[str, ...] = ("WADMKC", "kecamatan", "nama_kecamatan")
#: Name fields of a priority-area (kawasan prioritas / strategis) layer, in order of preference.
KAWASAN_NAME_FIELDS: tuple[str, ...] = ("nama", "NAMOBJ", "name", "nama_kawasan", "NAMA")


def zone_name_fields(code_field: str | None) -> list[str]:
    """The zone-name fields to look for beside a zone-code field, in order of preference.

    Parameters
    ----------
    code_field : str or None
        The zone-code field used (``KODSZN``, ``KODZON``, ``KODKWS``, a user's own), or None
        for a file given one code (``PATH=CODE``).

    Returns
    -------
    list of str
        ``KODxxx`` -> ``[NAMxxx, NAMOBJ]``; another field -> ``[NAMOBJ]``; None ->
        :data:`ZONE_NAME_FIELDS` (the sub-zone or zone name of a one-code file).
    """
    if code_field is None:
        return list(ZONE_NAME_FIELDS)
    if str(code_field).upper().startswith("KOD"):
        return ["NAM" + str(code_field)[3:], OBJECT_NAME_FIELD]
    return [OBJECT_NAME_FIELD]


# ----------------------------------------------------------------------------- defaults

#: Zones with a smaller share are not counted (``--min-share``, ``[parameters] min_share``).
DEFAULT_MIN_SHARE = 0.01
#: Zoning overlaps and gaps narrower than this many metres are digitizing noise (``--sliver-width``).
DEFAULT_SLIVER_WIDTH = 1.0
#: Zoning overlaps and gaps smaller than this many m² are digitizing noise (``--sliver-area``).
DEFAULT_SLIVER_AREA = 1.0
#: Relocation advice only within this many metres (``--relocation-distance``).
DEFAULT_RELOCATION_DISTANCE = 2000.0
#: A program follows the planned network within this many metres of it (``--network-distance``).
DEFAULT_NETWORK_DISTANCE = 25.0
#: Class field of the struktur ruang layer (``--network-class-field``).
DEFAULT_NETWORK_CLASS_FIELD = "kelas"
#: Activity field of the programs (``--activity-field``).
DEFAULT_ACTIVITY_FIELD = "kegiatan"
#: Id field of the programs (``--id-field``).
DEFAULT_ID_FIELD = "program_id"
#: SIPD code field of the programs (``--code-field``).
DEFAULT_CODE_FIELD = "kode"

# ----------------------------------------------------------------------------- place names

_PUNCT = re.compile(r"[^\w\s]")


def place_key(text: object) -> str:
    """Normalized place (or agency) name for matching: case, punctuation and spacing ignored.

    Parameters
    ----------
    text : object
        A name; None, NaN and ``pd.NA`` are missing.

    Returns
    -------
    str
        ``"Kec. Bukit  Bestari"`` -> ``"kec bukit bestari"``; ``""`` for a missing name.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ""
    return " ".join(_PUNCT.sub(" ", str(text).casefold()).split())
