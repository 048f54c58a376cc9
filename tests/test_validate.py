"""Zoning topology and geometry findings, with areas worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from shapely import Polygon, box

from sppr_gis.validate import duplicate_ids, repair_geometries, zoning_topology
import pandas as pd


def topo(geoms, codes, workers=2):
    g = np.array(geoms, dtype=object)
    ids = np.array([f"#{i + 1}" for i in range(len(g))], dtype=object)
    return zoning_topology(g, np.array(codes, dtype=object), ids, "zona.gpkg", workers=workers)


def test_clean_tessellation_has_no_findings():
    geoms = [box(x, y, x + 10, y + 10) for x in range(0, 50, 10) for y in range(0, 50, 10)]
    findings, overlapping, any_overlap = topo(geoms, ["A", "B"] * 12 + ["A"])
    assert findings == [] and overlapping == set() and any_overlap is False


def test_overlap_containment_and_gap():
    geoms = [
        box(0, 0, 100, 100),  # A
        box(90, 0, 200, 100),  # B: overlaps A by 10 x 100 = 1000 m²
        box(20, 20, 30, 30),  # C: inside A, 100 m²
        Polygon([(0, 100), (200, 100), (200, 200), (0, 200)], holes=[[(50, 150), (60, 150), (60, 160), (50, 160)]]),  # A, hole 100 m² = gap
        box(150, 20, 160, 30),  # B inside B: same-code overlap 100 m²
    ]
    findings, overlapping, any_overlap = topo(geoms, ["A", "B", "C", "A", "B"])
    got = sorted((f.code, f.feature_id, f.severity) for f in findings)
    assert got == [
        ("celah_zona", "celah-1", "error"),
        ("tumpang_tindih_kode_sama", "#2,#5", "warning"),
        ("tumpang_tindih_zona", "#1,#2", "error"),
        ("tumpang_tindih_zona", "#1,#3", "error"),
    ]
    msgs = {f.feature_id: f.message for f in findings}
    assert "1.000,0 m²" in msgs["#1,#2"] and "100,0 m²" in msgs["#1,#3"] and "100,0 m²" in msgs["celah-1"]
    assert overlapping == {"B"} and any_overlap is True


def test_one_and_two_threads_agree():
    rng = np.random.default_rng(3)
    geoms = [box(x, y, x + w, y + w) for x, y, w in zip(rng.uniform(0, 500, 300), rng.uniform(0, 500, 300), rng.uniform(5, 40, 300))]
    codes = list(rng.choice(["A", "B", "C"], 300))
    a, b = topo(geoms, codes, workers=1), topo(geoms, codes, workers=2)
    assert [f.feature_id for f in a[0]] == [f.feature_id for f in b[0]] and a[1:] == b[1:]


def test_repair_and_empty():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    fixed, findings = repair_geometries(np.array([bowtie, None, Polygon(), box(0, 0, 1, 1)], dtype=object), ["a", "b", "c", "d"], "p")
    assert fixed[0].area == pytest.approx(50.0)  # two triangles of 25 m²
    assert [(f.feature_id, f.code) for f in findings] == [("b", "geometri_kosong"), ("c", "geometri_kosong"), ("a", "geometri_diperbaiki")]
    assert fixed[3].equals(box(0, 0, 1, 1))


def test_duplicate_and_missing_ids():
    out = duplicate_ids(pd.Series(["P1", "P2", "P1", None, " "]), "p", "program_id")
    assert sorted((f.feature_id, f.code) for f in out) == [("#4", "id_kosong"), ("#5", "id_kosong"), ("P1", "id_ganda")]
