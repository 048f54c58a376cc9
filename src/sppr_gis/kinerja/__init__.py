"""Kinerja: the Renstra performance cascade and its achievement (capaian), consolidated with the SPPR.

>>> from sppr_gis.kinerja import read_kinerja, evaluate
>>> table = read_kinerja("data/sample/kinerja.xlsx")                 # doctest: +SKIP
>>> result = evaluate(table.frame, 2025, reading_issues=table.issues)  # doctest: +SKIP

- :mod:`sppr_gis.kinerja.forms`: the contract's table, Renstra exports, and (with
  :mod:`sppr_gis.kinerja.evaluasi`) the Permendagri 86/2017 evaluation form of Renja results;
- :mod:`sppr_gis.kinerja.core`: capaian, predikat, the roll-up, the run's own figures;
- :mod:`sppr_gis.kinerja.book`: the ``Kinerja`` sheet (evaluation layout) and the standalone workbook.

See ``docs/kinerja.md``.
"""

from sppr_gis.kinerja.core import (
    ASPEK_PENATAAN_RUANG,
    LEVELS,
    PREDIKAT,
    SPPR_KEYS,
    KinerjaResult,
    capaian,
    evaluate,
    predikat,
    skor_penataan_ruang,
    sppr_figures,
    year_values,
)
from sppr_gis.kinerja.forms import KinerjaTable, read_kinerja

__all__ = [
    "ASPEK_PENATAAN_RUANG",
    "LEVELS",
    "PREDIKAT",
    "SPPR_KEYS",
    "KinerjaResult",
    "KinerjaTable",
    "capaian",
    "evaluate",
    "predikat",
    "read_kinerja",
    "skor_penataan_ruang",
    "sppr_figures",
    "year_values",
]
