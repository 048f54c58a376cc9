"""Zone shares against reference answers computed independently in PostGIS.

The CSVs in tests/golden were produced by tests/golden/make_postgis_reference.py
(ST_MakeValid linework, ST_Union per code, ST_Intersection, ST_Area/ST_Length);
see tests/golden/README.md. CI needs no PostGIS: the answers are committed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sppr_gis
from conftest import GOLDEN, make_rules

CASES = [
    ("cases", GOLDEN / "cases.gpkg", "zoning", GOLDEN / "cases.gpkg", "programs"),
    # digitized polygon by polygon: jittered edges, overlays, a shifted duplicate, a bow-tie, a real gap
    ("digitized", GOLDEN / "digitized.gpkg", "zoning", GOLDEN / "digitized.gpkg", "programs"),
    ("sample_pupr", GOLDEN.parent.parent / "data/sample/zoning.gpkg", "rdtr_subzona", GOLDEN.parent.parent / "data/sample/rencana_pupr.gpkg", "rencana"),
]


@pytest.mark.parametrize("name, zpath, zlayer, ppath, player", CASES, ids=[c[0] for c in CASES])
def test_shares_match_postgis(name, zpath, zlayer, ppath, player):
    ref_shares = pd.read_csv(GOLDEN / f"{name}_shares.csv", dtype={"program_id": str, "zone_code": str})
    ref_unz = pd.read_csv(GOLDEN / f"{name}_unzoned.csv", dtype={"program_id": str})
    zoning = sppr_gis.read_layer(f"{zpath}:{zlayer}")
    programs = sppr_gis.read_programs(f"{ppath}:{player}")
    rules = make_rules({"x": {"R-2": "I"}})
    res = sppr_gis.check(zoning, programs, rules, zone_field="KODSZN", activity_field="kegiatan")
    assert len(res.programs) == len(programs)
    got = res.zone_shares[["program_id", "zone_code", "measure", "share"]].astype({"program_id": str, "zone_code": str})
    merged = ref_shares.merge(got, on=["program_id", "zone_code"], how="outer", suffixes=("_ref", "_got"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"pairs only on one side:\n{missing}"
    np.testing.assert_allclose(merged["share_got"], merged["share_ref"], atol=1e-9)
    np.testing.assert_allclose(merged["measure_got"], merged["measure_ref"], rtol=1e-9, atol=1e-6)
    u = ref_unz.merge(res.programs[["program_id", "unzoned_share"]].astype({"program_id": str}), on="program_id", how="left")
    assert len(u) == len(ref_unz)
    both = u["unzoned"].notna()
    assert (u["unzoned_share"].isna() == ~both).all()
    np.testing.assert_allclose(u.loc[both, "unzoned_share"], u.loc[both, "unzoned"], atol=1e-9)
