"""The zoning cache (contract, "Cache"): reused only for the same zoning, settings and version; an entry
that fails its hash is rebuilt; concurrent runs never see a half-written entry; results identical with
and without it."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import ORIGIN, UTM48N, invoke, make_rules
from shapely.geometry import LineString, Point, Polygon, box

import sppr_gis
from sppr_gis import cache, pipeline

ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"


def _zoning_utm() -> gpd.GeoDataFrame:
    x0, y0 = ORIGIN
    circle = Point(x0 + 150, y0 - 150).buffer(80, quad_segs=150)  # 601 vertices: cut when max_vertices is small
    rows = [
        ("R-1", box(x0, y0, x0 + 100, y0 + 100)),
        ("R-1", box(x0 + 100, y0, x0 + 200, y0 + 100)),  # same code: a seam
        ("K-1", box(x0, y0 + 100, x0 + 100, y0 + 200)),
        ("K-1", box(x0 + 100, y0 + 100, x0 + 200, y0 + 200)),
        ("HL", box(x0 + 80, y0 + 80, x0 + 130, y0 + 130)),  # overlaps four zones
        ("R-1", Polygon([(x0 + 200, y0), (x0 + 300, y0 + 100), (x0 + 300, y0), (x0 + 200, y0 + 100)])),  # bow-tie: repaired
        ("K-1", circle),
    ]
    return gpd.GeoDataFrame({"KODSZN": [r[0] for r in rows], "NAMA": [f"zona {i}" for i in range(len(rows))]}, geometry=[r[1] for r in rows], crs=UTM48N)


def _programs() -> gpd.GeoDataFrame:
    x0, y0 = ORIGIN
    geoms = [
        Point(x0 + 50, y0 + 50),
        Point(x0 + 100, y0 + 100),  # on four zones' corner
        LineString([(x0 - 20, y0 + 100), (x0 + 320, y0 + 100)]),  # along the seam, out of the zoning
        LineString([(x0 + 150, y0 - 250), (x0 + 150, y0 + 150)]),  # through the circle
        box(x0 + 60, y0 + 60, x0 + 160, y0 + 160),
        box(x0 + 120, y0 - 120, x0 + 180, y0 - 60),
    ]
    acts = ["rumah", "rumah", "jalan", "jalan", "pasar", "pasar"]
    return gpd.GeoDataFrame({"program_id": [f"P{i}" for i in range(len(geoms))], "kegiatan": acts}, geometry=geoms, crs=UTM48N)


RULES = {"rumah": {"R-1": "I", "K-1": "T", "HL": "X"}, "jalan": {"R-1": "I", "K-1": "I", "HL": "B"}, "pasar": {"R-1": "T", "K-1": "I", "HL": "X"}}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Zoning as GeoJSON (EPSG:4326, so the run picks the UTM zone), programs as GPKG, rules as CSV; a fresh cache."""
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("SPPR_NO_CACHE", raising=False)
    _zoning_utm().to_crs("EPSG:4326").to_file(tmp_path / "zoning.geojson", driver="GeoJSON")
    _programs().to_file(tmp_path / "programs.gpkg", layer="programs")
    rows = [{"activity": a, **cells} for a, cells in RULES.items()]
    pd.DataFrame(rows).fillna("").to_csv(tmp_path / "itbx.csv", index=False)
    return tmp_path


def _check(runner, w: Path, out: str, *extra: str) -> bytes:
    r = invoke(runner, ["-q", "check", "--zoning", w / "zoning.geojson", "--programs", w / "programs.gpkg", "--rules", w / "itbx.csv", "--out", w / out, *extra])
    assert r.exit_code == 0, r.output + r.stderr
    return (w / out).read_bytes()


def _entries(w: Path) -> list[Path]:
    folder = w / "cache"
    return sorted(folder.glob("zoning-*.npz")) if folder.exists() else []


class Preparations:
    """Counts how often the zoning is really prepared (not taken from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.n = 0
        real = pipeline.prepare_zoning_qa

        def counted(*a, **k):
            self.n += 1
            return real(*a, **k)

        monkeypatch.setattr(pipeline, "prepare_zoning_qa", counted)


def test_warm_run_reuses_the_entry_and_writes_the_same_bytes(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    prep = Preparations(monkeypatch)
    cold = _check(runner, world, "cold.gpkg")
    assert prep.n == 1 and len(_entries(world)) == 1
    warm = _check(runner, world, "warm.gpkg")
    assert prep.n == 1, "the warm run prepared the zoning again"
    nocache = _check(runner, world, "nocache.gpkg", "--no-cache")
    assert prep.n == 2, "--no-cache used the cache"
    assert cold == warm == nocache
    assert not list((world / "cache").glob(".tmp-*")), "a temporary file was left in the cache"


def test_library_results_equal_with_and_without_cache_and_pieces_are_reused(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's cut pieces come from the cache too (max_vertices 64 cuts the 601-vertex circle)."""
    zoning, programs, rules = _zoning_utm(), _programs(), make_rules(RULES)
    plain = sppr_gis.check(zoning, programs, rules, max_vertices=64, cache=False)
    sppr_gis.check(zoning, programs, rules, max_vertices=64)  # fills the cache
    cuts = []
    from sppr_gis import engine

    real_cut = engine.cut_zones
    monkeypatch.setattr(engine, "cut_zones", lambda *a, **k: cuts.append(1) or real_cut(*a, **k))
    prep = Preparations(monkeypatch)
    warm = sppr_gis.check(zoning, programs, rules, max_vertices=64)
    assert prep.n == 0 and cuts == []
    pd.testing.assert_frame_equal(pd.DataFrame(warm.programs.drop(columns="geometry")), pd.DataFrame(plain.programs.drop(columns="geometry")))
    pd.testing.assert_frame_equal(warm.zone_shares, plain.zone_shares)
    pd.testing.assert_frame_equal(pd.DataFrame(warm.issues.drop(columns="geometry")), pd.DataFrame(plain.issues.drop(columns="geometry")))
    assert list(shapely.to_wkb(warm.issues.geometry.values)) == list(shapely.to_wkb(plain.issues.geometry.values))
    # the line along y = 100 by hand: the tops of the two R-1 squares (200 m; the repaired bow-tie's
    # triangles touch it only at points), the bottoms of the two K-1 squares (200 m), HL's inside (50 m)
    line = warm.zone_shares[warm.zone_shares["program_id"] == "P2"].set_index("zone_code")["measure"]
    assert line.to_dict() == pytest.approx({"HL": 50.0, "K-1": 200.0, "R-1": 200.0})


def test_one_changed_byte_in_the_zoning_is_a_new_entry(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    prep = Preparations(monkeypatch)
    _check(runner, world, "a.gpkg")
    path = world / "zoning.geojson"
    text = path.read_bytes()
    # one digit of one coordinate: the 6th decimal of the first longitude (about 0.1 m; a digit beyond
    # the 16th significant one may not change the double that is read, and then nothing changed)
    i = text.index(b'"coordinates"')
    pos = text.index(b".", i) + 6
    changed = text[:pos] + bytes([ord("1") if text[pos] != ord("1") else ord("2")]) + text[pos + 1 :]
    assert sum(a != b for a, b in zip(text, changed)) == 1
    path.write_bytes(changed)
    warm = _check(runner, world, "b.gpkg")
    assert prep.n == 2, "a changed zoning was taken from the cache"
    assert len(_entries(world)) == 2
    assert warm == _check(runner, world, "c.gpkg", "--no-cache")


@pytest.mark.parametrize("option", [("--sliver-width", "2"), ("--sliver-area", "0.5"), ("--zone-field", "NAMA")])
def test_a_changed_setting_is_a_new_entry(world: Path, runner, monkeypatch: pytest.MonkeyPatch, option: tuple[str, str]) -> None:
    prep = Preparations(monkeypatch)
    _check(runner, world, "a.gpkg")
    b = _check(runner, world, "b.gpkg", *option)
    assert prep.n == 2 and len(_entries(world)) == 2
    assert b == _check(runner, world, "c.gpkg", *option, "--no-cache")


def test_max_vertices_and_version_are_part_of_the_key(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zoning, programs, rules = _zoning_utm(), _programs(), make_rules(RULES)
    prep = Preparations(monkeypatch)
    sppr_gis.check(zoning, programs, rules)
    sppr_gis.check(zoning, programs, rules, max_vertices=64)
    assert prep.n == 2
    monkeypatch.setattr(sppr_gis._version, "__version__", "0.0.0-other")
    sppr_gis.check(zoning, programs, rules)
    assert prep.n == 3 and len(_entries(world)) == 3
    sppr_gis.check(zoning, programs, rules)
    assert prep.n == 3


def _damaged(blob: bytes, damage: str) -> bytes | None:
    """A cache file's bytes damaged as ``damage`` says: "flip" one bit in the middle, "truncate" to a third,
    "garbage_with_valid_hash" bytes whose sha256 is right but which are no archive; None for the kinds a test
    makes itself (another key, other polygons)."""
    if damage == "flip":
        k = len(blob) // 2
        return blob[:k] + bytes([blob[k] ^ 0x01]) + blob[k + 1 :]
    if damage == "truncate":
        return blob[: len(blob) // 3]
    if damage == "garbage_with_valid_hash":
        payload = b"not an npz archive"
        return hashlib.sha256(payload).digest() + payload
    return None


@pytest.mark.parametrize("damage", ["flip", "truncate", "other_key", "garbage_with_valid_hash"])
def test_a_corrupt_entry_is_rebuilt_never_trusted(world: Path, runner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, damage: str) -> None:
    good = _check(runner, world, "a.gpkg")
    (entry,) = _entries(world)
    blob = entry.read_bytes()
    bad = _damaged(blob, damage)  # flip: one bit in the middle of the zones' WKB
    if damage == "other_key":  # a whole, valid entry of another zoning under this name
        sppr_gis.check(_zoning_utm().iloc[:3], _programs(), make_rules(RULES))
        other = next(p for p in _entries(world) if p != entry)
        bad = other.read_bytes()
    entry.write_bytes(bad)
    prep = Preparations(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="sppr_gis.cache"):
        again = _check(runner, world, "b.gpkg")
    assert prep.n == 1, "a damaged entry was used"
    assert again == good
    assert any("rebuilt" in r.getMessage() for r in caplog.records)
    fixed = entry.read_bytes()
    assert hashlib.sha256(fixed[32:]).digest() == fixed[:32]
    prep.n = 0
    assert _check(runner, world, "c.gpkg") == good and prep.n == 0  # the rebuilt entry is used


def test_two_concurrent_runs(world: Path) -> None:
    """Two processes fill the same empty cache at once: both succeed with the same bytes as an uncached run."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "cli"), os.environ.get("PYTHONPATH", "")])}
    args = ["--zoning", world / "zoning.geojson", "--programs", world / "programs.gpkg", "--rules", world / "itbx.csv"]

    def start(out: str, *extra: str) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "sppr_cli", "-q", "check", *map(str, args), "--out", str(world / out), *extra]
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    procs = [start("p1.gpkg"), start("p2.gpkg")]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "rebuilt" not in err and "Traceback" not in err
    ref = start("ref.gpkg", "--no-cache")
    assert ref.communicate(timeout=300) and ref.returncode == 0
    expected = (world / "ref.gpkg").read_bytes()
    assert (world / "p1.gpkg").read_bytes() == expected == (world / "p2.gpkg").read_bytes()
    assert len(_entries(world)) == 1
    assert not list((world / "cache").glob(".tmp-*"))


def test_readers_never_see_a_half_written_entry(world: Path) -> None:
    """Two processes rewrite one entry over and over while a third reads it: every read is whole."""
    sppr_gis.check(_zoning_utm(), _programs(), make_rules(RULES))
    (entry,) = _entries(world)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    writer = textwrap.dedent(
        f"""
        from pathlib import Path
        from sppr_gis import cache
        p = Path({str(entry)!r}); blob = p.read_bytes()
        for _ in range(150):
            cache._write(p, blob)
        """
    )
    reader = textwrap.dedent(
        f"""
        import hashlib
        from pathlib import Path
        p = Path({str(entry)!r}); bad = 0
        for _ in range(400):
            b = p.read_bytes()
            bad += hashlib.sha256(b[32:]).digest() != b[:32]
        print(bad)
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for code in (writer, writer, reader)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert outs[2][0].strip() == "0", "a reader saw a half-written entry"
    assert not list(entry.parent.glob(".tmp-*"))


def test_an_unwritable_cache_costs_only_the_reuse(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = world / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("SPPR_CACHE_DIR", str(blocker / "cache"))
    assert _check(runner, world, "a.gpkg") == _check(runner, world, "b.gpkg", "--no-cache")


def test_default_folder_is_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("SPPR_CACHE_DIR", raising=False)
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("sppr-gis", appauthor=False))
    monkeypatch.setenv("SPPR_CACHE_DIR", "/tmp/somewhere")
    assert cache.cache_dir() == Path("/tmp/somewhere")


def test_sync_reuses_the_zoning_across_runs(tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = ROOT / "data" / "sample" / "sppr.toml"
    prep = Preparations(monkeypatch)

    def run(out: str, *extra: str) -> bytes:
        r = invoke(runner, ["-q", "sync", "--config", config, "--year", "2025", "--out", tmp_path / out, "--no-maps", *extra])
        assert r.exit_code == 0, r.output + r.stderr
        return (tmp_path / out / "2025" / "sppr.gpkg").read_bytes()

    a = run("a")
    assert prep.n == 1
    b = run("b")
    assert prep.n == 1, "the second sync prepared the zoning again"
    c = run("c", "--no-cache")
    assert prep.n == 2 and "SPPR_NO_CACHE" not in os.environ
    assert a == b, "cold and warm differ"
    assert b == c, "warm and uncached differ"


# ----------------------------------------------------------------------------- the pre-key (issue 18)


def _aliases(w: Path) -> list[Path]:
    folder = w / "cache"
    return sorted(folder.glob("alias-*.key")) if folder.exists() else []


class ZoningReads:
    """Counts the reads of a zoning file (``sppr check`` reads every layer through ``io.read_layer``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
        import sppr_gis.io as sio

        self.paths: list[str] = []
        real = sio.read_layer

        def counted(spec, *a, **k):
            path = str(getattr(spec, "path", spec))
            if "programs" not in path:
                self.paths.append(path)
                if fail:
                    raise AssertionError(f"the zoning {path} was read")
            return real(spec, *a, **k)

        monkeypatch.setattr(sio, "read_layer", counted)


def _check_at(runner, w: Path, zoning: Path, out: str, *extra: str, quiet: bool = True):
    args = ["check", "--zoning", zoning, "--programs", w / "programs.gpkg", "--rules", w / "itbx.csv", "--out", w / out, *extra]
    r = invoke(runner, ["-q", *args] if quiet else args)
    assert r.exit_code == 0, r.output + r.stderr
    return (w / out).read_bytes(), r


def _issue_layers(path: Path) -> set[str]:
    return set(gpd.read_file(path, layer="issues")["layer"])


def test_warm_run_with_the_alias_does_not_read_the_zoning(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run finds the entry by the file's bytes: the zoning is not read at all (a reader that
    fails proves it); outputs, the input summary and the issues' layer names are those of a cold run."""
    cold, rc = _check_at(runner, world, world / "zoning.geojson", "cold.gpkg", "-v", quiet=False)
    assert len(_entries(world)) == 1 and len(_aliases(world)) == 1
    prep = Preparations(monkeypatch)
    ZoningReads(monkeypatch, fail=True)
    warm, rw = _check_at(runner, world, world / "zoning.geojson", "warm.gpkg", "-v", quiet=False)
    assert prep.n == 0
    assert warm == cold
    summary = [line for line in rc.stderr.splitlines() if "zonasi" in line]
    assert summary and summary == [line for line in rw.stderr.splitlines() if "zonasi" in line]
    assert str(world / "zoning.geojson") in _issue_layers(world / "warm.gpkg")  # the repaired bow-tie


@pytest.mark.parametrize("keep_alias", [True, False])
def test_a_copied_or_renamed_zoning_reuses_the_entry_and_names_the_new_path(world: Path, runner, monkeypatch: pytest.MonkeyPatch, keep_alias: bool) -> None:
    """The key and the pre-key hold the zoning's content, not its path: a copy under another name and
    folder is warm (by the alias, or without it by the key after reading), and every output names the
    file given to this run: byte for byte what an uncached run on the copy writes."""
    _check_at(runner, world, world / "zoning.geojson", "a.gpkg")
    other = world / "salinan" / "RTRW copy.geojson"
    other.parent.mkdir()
    other.write_bytes((world / "zoning.geojson").read_bytes())
    (world / "zoning.geojson").unlink()
    if not keep_alias:
        for a in _aliases(world):
            a.unlink()
    prep = Preparations(monkeypatch)
    reads = ZoningReads(monkeypatch)
    warm, _r = _check_at(runner, world, other, "b.gpkg")
    assert prep.n == 0, "a renamed zoning was prepared again"
    assert reads.paths == ([] if keep_alias else [str(other)])
    layers = _issue_layers(world / "b.gpkg")
    assert str(other) in layers and str(world / "zoning.geojson") not in layers
    plain, _r = _check_at(runner, world, other, "c.gpkg", "--no-cache")
    assert warm == plain and prep.n == 1
    assert len(_entries(world)) == 1


def test_one_changed_byte_in_a_shapefiles_dbf_is_a_new_entry(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of a shapefile is in the pre-key: one byte of the .dbf (a zone code) is not warm."""
    shp = world / "zona.shp"
    _zoning_utm().to_crs("EPSG:4326").to_file(shp)
    first, _r = _check_at(runner, world, shp, "a.gpkg")
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    i = data.index(b"HL")
    dbf.write_bytes(data[:i] + b"R-" + data[i + 2 :])  # HL -> R- : another zone code, same length
    prep = Preparations(monkeypatch)
    reads = ZoningReads(monkeypatch)
    second, _r = _check_at(runner, world, shp, "b.gpkg")
    assert prep.n == 1 and reads.paths == [str(shp)]
    assert len(_entries(world)) == 2 and len(_aliases(world)) == 2
    assert second != first
    plain, _r = _check_at(runner, world, shp, "c.gpkg", "--no-cache")
    assert second == plain


@pytest.mark.parametrize("damage", ["flip", "truncate", "other_alias", "garbage_with_valid_hash", "no_entry"])
def test_a_corrupt_alias_is_ignored(world: Path, runner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, damage: str) -> None:
    good, _r = _check_at(runner, world, world / "zoning.geojson", "a.gpkg")
    (alias,) = _aliases(world)
    blob = alias.read_bytes()
    if damage == "flip":
        k = len(blob) // 2
        alias.write_bytes(blob[:k] + bytes([blob[k] ^ 0x01]) + blob[k + 1 :])
    elif damage == "truncate":
        alias.write_bytes(blob[: len(blob) // 2])
    elif damage == "other_alias":  # a whole, valid alias of another zoning file under this name
        (world / "other.geojson").write_bytes((world / "zoning.geojson").read_bytes().replace(b"R-1", b"R-9"))
        _check_at(runner, world, world / "other.geojson", "o.gpkg")
        other = next(p for p in _aliases(world) if p != alias)
        alias.write_bytes(other.read_bytes())
    elif damage == "garbage_with_valid_hash":
        payload = b"sppr-gis zoning alias\n{not json"
        alias.write_bytes(hashlib.sha256(payload).digest() + payload)
    else:  # the entry it names is gone
        for e in _entries(world):
            e.unlink()
    reads = ZoningReads(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="sppr_gis.cache"):
        again, _r = _check_at(runner, world, world / "zoning.geojson", "b.gpkg")
    assert reads.paths == [str(world / "zoning.geojson")], "a damaged alias was used"
    assert again == good
    if damage != "no_entry":
        assert any("alias not used" in r.getMessage() for r in caplog.records)
    reads.paths.clear()
    assert _check_at(runner, world, world / "zoning.geojson", "c.gpkg")[0] == good and reads.paths == []  # the alias is written again


def test_postgis_and_missing_sources_have_no_prekey(tmp_path: Path) -> None:
    """A PostGIS table has no files to hash: it keeps the path through reading and the key."""
    from sppr_gis.io import parse_layer_spec

    pg = parse_layer_spec("postgresql://localhost/sppr#public.rtrw")
    assert cache.source_files(pg) is None
    assert cache.zoning_prekey([pg], None, sliver_width=1.0, sliver_area=1.0, max_vertices=4096, read_options={}) is None
    shp = tmp_path / "zona.shp"
    _zoning_utm().to_file(shp)
    (tmp_path / "zonasi.shp").write_bytes(b"another layer")  # same prefix, another stem: not part of zona
    assert [name for name, _f in cache.source_files(parse_layer_spec(str(shp)))] == [".cpg", ".dbf", ".prj", ".shp", ".shx"]


def test_what_reading_the_zoning_said_is_said_again_when_it_is_not_read(world: Path, runner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A shapefile without .cpg: the reader's warning (naming this run's path) comes on the
    warm run too, though the zoning is not read."""
    import pyogrio

    shp = world / "zona.shp"
    z = _zoning_utm().to_crs("EPSG:4326")
    z["NAMA"] = [f"zona ke-{i} (Ciléungsi)" for i in range(len(z))]  # UTF-8 bytes; without .cpg GDAL reads ISO-8859-1
    pyogrio.write_dataframe(z, shp, encoding="utf-8")
    shp.with_suffix(".cpg").unlink(missing_ok=True)

    def said() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("sppr_gis") and r.levelno >= logging.WARNING and ".cpg" in r.getMessage()]

    with caplog.at_level(logging.WARNING):
        _check_at(runner, world, shp, "a.gpkg", quiet=False)
        first = said()
        caplog.clear()
        ZoningReads(monkeypatch, fail=True)
        copy = world / "lain" / "zona.shp"
        copy.parent.mkdir()
        for f in world.glob("zona.*"):
            (copy.parent / f.name).write_bytes(f.read_bytes())
        _check_at(runner, world, copy, "b.gpkg", quiet=False)
        second = said()
    assert len(first) == 1 and str(shp) in first[0]
    assert second == [first[0].replace(str(shp), str(copy))]


def test_no_alias_when_the_file_changes_while_it_is_read(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-key is taken before the zoning is read: when the file is replaced in between, the alias
    of its old bytes must not name the new content's entry (a later run on the old bytes would get
    the other zoning's answers)."""
    import sppr_gis.io as sio

    path = world / "zoning.geojson"
    old = path.read_bytes()
    new = old.replace(b"R-1", b"R-7")
    real = sio.read_layer

    def swapped(spec, *a, **k):
        if "zoning" in str(getattr(spec, "path", spec)) and path.read_bytes() == old:
            path.write_bytes(new)  # replaced after the pre-key, before the read
        return real(spec, *a, **k)

    monkeypatch.setattr(sio, "read_layer", swapped)
    _check_at(runner, world, path, "a.gpkg")
    assert _aliases(world) == []
    monkeypatch.setattr(sio, "read_layer", real)
    path.write_bytes(old)
    got, _r = _check_at(runner, world, path, "b.gpkg")
    assert got == _check_at(runner, world, path, "c.gpkg", "--no-cache")[0]


# ----------------------------------------------------------------------------- relocation pieces (issue 18)


def _records(w: Path) -> list[Path]:
    folder = w / "cache"
    return sorted(folder.glob("pieces-*.npz")) if folder.exists() else []


class Cuts:
    """Counts the relocation index's cuts (``split_large`` as sppr_gis.relocation calls it); ``fail``
    makes a cut raise (a run that must not cut)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from sppr_gis import relocation

        self.n = 0
        self.fail = False
        real = relocation.split_large

        def counted(*a, **k):
            if self.fail:
                raise AssertionError("the relocation pieces were cut again")
            self.n += 1
            return real(*a, **k)

        monkeypatch.setattr(relocation, "split_large", counted)
        # 64 vertices: the 601-vertex circle (a permitted K-1 zone) is cut into pieces
        monkeypatch.setattr(relocation, "CUT_VERTICES", 64)


def _relocation_layer(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer="saran_relokasi")


def test_warm_run_reuses_the_relocation_pieces(world: Path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    cuts = Cuts(monkeypatch)
    # the cold run cuts the relocation pieces once, from the engine's pieces, when its zoning's cache entry is
    # written (since 7 December 2026): its relocation advice loads them from the record and cuts nothing
    cuts.fail = True
    cold = _check(runner, world, "cold.gpkg")  # the relocation index's cutter raises if called
    assert len(_records(world)) == 1, "the cold run kept no relocation pieces"
    advice = _relocation_layer(world / "cold.gpkg")
    assert advice["zone_code"].notna().any(), "no relocation advice: the test would not exercise the pieces"
    warm = _check(runner, world, "warm.gpkg")  # the cutter raises if called
    cuts.fail = False
    nocache = _check(runner, world, "nocache.gpkg", "--no-cache")
    assert cuts.n == 1, "--no-cache used the relocation pieces' record"
    assert cold == warm == nocache
    assert len(_records(world)) == 1
    assert not list((world / "cache").glob(".tmp-*")), "a temporary file was left in the cache"


def test_relocation_pieces_are_the_same_geometries_in_the_same_order(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record's pieces, decoded, equal a fresh cut coordinate for coordinate; and they cover
    each polygon exactly (their areas add up to its area: an independent check of the cut)."""
    from sppr_gis import relocation

    rules = make_rules(RULES)
    zones = sppr_gis.check(_zoning_utm(), _programs(), rules).zones
    geoms = shapely.force_2d(zones.geometry.values)
    fresh = relocation.PermittedZones(geoms, zones["zone_code"].to_numpy(dtype=object), rules, cut_vertices=64, zoning_key="k" * 64)
    parts, owner = fresh.pieces()
    assert len(parts) > len(geoms), "nothing was cut"
    (rec,) = _records(world)
    assert rec.name == cache.pieces_path("k" * 64, 64).name
    kept = cache.load_pieces("k" * 64, 64, fresh.geoms)
    assert kept is not None
    assert list(shapely.to_wkb(kept[0])) == list(shapely.to_wkb(parts)) and kept[1].tolist() == owner.tolist()
    by_owner = pd.Series(shapely.area(kept[0])).groupby(kept[1]).sum()
    assert by_owner.to_numpy() == pytest.approx(shapely.area(fresh.geoms)[by_owner.index.to_numpy()], rel=1e-9)
    # another cut threshold or another entry is another record
    assert cache.load_pieces("k" * 64, 128, fresh.geoms) is None and cache.load_pieces("j" * 64, 64, fresh.geoms) is None


@pytest.mark.parametrize("damage", ["flip", "truncate", "other_key", "other_polygons", "garbage_with_valid_hash"])
def test_a_corrupt_relocation_pieces_record_is_ignored_and_rebuilt(world: Path, runner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, damage: str) -> None:
    import numpy as np

    cuts = Cuts(monkeypatch)
    good = _check(runner, world, "a.gpkg")
    (record,) = _records(world)
    blob = record.read_bytes()
    bad = _damaged(blob, damage)  # flip: one bit in the middle of the pieces' WKB
    if damage == "other_key":  # a whole, valid record of another zoning entry under this name
        geoms = np.array([box(0, 0, 1, 1)], dtype=object)
        cache.keep_pieces("0" * 64, 64, geoms, geoms, np.zeros(1, dtype=np.int64))
        bad = cache.pieces_path("0" * 64, 64).read_bytes()
    elif damage == "other_polygons":  # valid, this key, but cut from other polygons (one square)
        key = record.name
        entry_key = _entries(world)[0].name[len("zoning-") : -len(".npz")]
        assert cache.pieces_path(entry_key, 64).name == key
        geoms = np.array([box(0, 0, 1, 1)], dtype=object)
        cache.keep_pieces(entry_key, 64, geoms, geoms, np.zeros(1, dtype=np.int64))
        bad = record.read_bytes()
    record.write_bytes(bad)
    cuts.n = 0
    with caplog.at_level(logging.WARNING, logger="sppr_gis.cache"):
        again = _check(runner, world, "b.gpkg")
    assert cuts.n == 1, "a damaged record was used"
    assert again == good
    assert any("relocation pieces not used" in r.getMessage() and "rebuilt" in r.getMessage() for r in caplog.records)
    fixed = record.read_bytes()
    assert hashlib.sha256(fixed[32:]).digest() == fixed[:32] and fixed != bad
    cuts.fail = True
    assert _check(runner, world, "c.gpkg") == good  # the rebuilt record is used


def test_the_zoning_preparation_keeps_the_relocation_pieces_a_fresh_cut_gives(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check on a new zoning halves the engine's pieces further into the relocation index's and keeps
    them under its entry's key: the record equals the relocation index's own cut, piece for piece and in
    order, and the pieces cover each zone exactly (their areas add up to its area: an independent check)."""
    import numpy as np

    from sppr_gis import relocation

    monkeypatch.setattr(relocation, "CUT_VERTICES", 64)  # the 601-vertex circle is cut
    rules = make_rules(RULES)
    res = sppr_gis.check(_zoning_utm(), _programs(), rules)
    key = res.zoning_key
    geoms = np.asarray(res.zones.geometry.array, dtype=object)
    kept = cache.load_pieces(key, 64, geoms)
    assert kept is not None, "the zoning's preparation kept no relocation pieces"
    fresh = relocation.PermittedZones(geoms, res.zones["zone_code"].to_numpy(dtype=object), rules, cut_vertices=64)  # no key: cut here
    parts, owner = fresh.pieces()
    assert len(parts) > len(geoms), "nothing was cut"
    assert list(shapely.to_wkb(kept[0])) == list(shapely.to_wkb(parts)) and kept[1].tolist() == owner.tolist()
    assert shapely.get_num_coordinates(kept[0]).max() <= 64
    by_owner = pd.Series(shapely.area(kept[0])).groupby(kept[1]).sum()
    assert by_owner.to_numpy() == pytest.approx(shapely.area(geoms)[by_owner.index.to_numpy()], rel=1e-9)
    # the engine's pieces (cut at its own threshold in the same halving) are not changed by it
    assert res.zoning_key == key and len(cache.load_pieces(key, 64, geoms)[0]) == len(parts)
