"""Same inputs, same bytes: with SOURCE_DATE_EPOCH set, two runs write byte-identical files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from robust import PROGRAMS, RULES, SAMPLE, ZONING, sppr

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
STAMP = dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_outputs_byte_identical_and_stamped(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    for run in ("a", "b"):
        r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / run / "h.gpkg",
                 "--tables", tmp_path / run / "h.xlsx", env=env)
        assert r.returncode == 0, r.stderr
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(a) == ["h.gpkg", "h.xlsx"]
    for name in a:
        assert a[name] == b[name], name
    con = sqlite3.connect(tmp_path / "a" / "h.gpkg")
    try:
        stamps = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
        styles = {r[0] for r in con.execute("SELECT update_time FROM layer_styles")}
    finally:
        con.close()
    assert stamps == styles == {STAMP.strftime("%Y-%m-%dT%H:%M:%S.000Z")}


def test_without_source_date_epoch_timestamps_are_the_real_time(tmp_path: Path) -> None:
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "h.gpkg", env={"SOURCE_DATE_EPOCH": ""})
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(tmp_path / "h.gpkg")
    try:
        stamps = [r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")]
    finally:
        con.close()
    assert all(dt.datetime.fromisoformat(s.replace("Z", "+00:00")) >= before for s in stamps)


def test_sync_outputs_byte_identical(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    for run in ("a", "b"):
        r = sppr("-q", "sync", "--config", SAMPLE / "sppr.toml", "--year", "2025", "--out", tmp_path / run, "--no-maps", env=env)
        assert r.returncode == 0, r.stderr
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert {"2025/sppr.gpkg", "2025/buku_matriks.xlsx", "2025/manifest.json"} <= set(a)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []
    manifest = json.loads(a["2025/manifest.json"])
    assert dt.datetime.fromisoformat(manifest["created"]) == STAMP


def test_laporan_html_byte_identical_and_dated_from_the_epoch(tmp_path: Path, monkeypatch) -> None:
    from sppr_gis.io import read_layer, read_programs
    from sppr_gis.report.html import write_report

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    layers = {"programs": read_programs(PROGRAMS), "zoning": read_layer(ZONING)}
    a = write_report(tmp_path / "a.html", layers=layers, year=2025, title="Uji")
    b = write_report(tmp_path / "b.html", layers=layers, year=2025, title="Uji")
    assert Path(a).read_bytes() == Path(b).read_bytes()
    assert STAMP.strftime("%d-%m-%Y %H:%M") in Path(a).read_text(encoding="utf-8")


def test_gpkg_header_does_not_count_write_transactions(tmp_path: Path, monkeypatch) -> None:
    """With SOURCE_DATE_EPOCH, the SQLite header's file change counter (bytes 24-27) and version-valid-for
    number (92-95) are 1 whatever number of transactions wrote the file (it varied between a cold and a warm
    sync), and the file is still a sound database holding every row."""
    import sqlite3

    import geopandas as gpd
    from shapely.geometry import Point

    from sppr_gis.io import write_gpkg

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    frame = gpd.GeoDataFrame({"program_id": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 1)], crs=32648)
    out = write_gpkg({"programs": frame}, tmp_path / "x.gpkg")
    con = sqlite3.connect(out)
    con.execute("CREATE TABLE extra (x INTEGER)")  # more transactions: the counter grows past 1
    con.commit()
    con.execute("INSERT INTO extra VALUES (1)")
    con.commit()
    con.close()
    grown = out.read_bytes()
    assert int.from_bytes(grown[24:28], "big") > 1
    out2 = write_gpkg({"programs": frame}, tmp_path / "y.gpkg")
    head = out2.read_bytes()[:100]
    assert head[24:28] == head[92:96] == (1).to_bytes(4, "big")
    con = sqlite3.connect(out2)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM programs").fetchone()[0] == 2
    con.close()
