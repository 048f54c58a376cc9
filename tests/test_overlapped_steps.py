"""Issue 18 (warm runs): the steps ``sppr check`` now overlaps give the answers of the steps run in turn.

``sppr check`` prepares (or decodes from the cache) the zoning while it reads the programs
(:func:`sppr_gis.pipeline.start_zoning`) and computes the relocation advice while the other layers are
written (:func:`sppr_gis.analyses.relocation_pending`, a callable layer of
:func:`sppr_gis.io.write_gpkg`). Each test compares the overlapped path with the sequential one
(main's), frame for frame and byte for byte.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from conftest import SAMPLE
from sppr_gis import io, pipeline, read_rules
from sppr_gis.analyses import extend_check, relocation_pending
from sppr_gis.errors import GeometryError
from sppr_gis.pipeline import ZoningInput, check, prepare_zoning_cached, start_zoning
from sppr_gis.results import write_check_result


def _inputs():
    zoning = io.read_layer(io.parse_layer_spec(f"{SAMPLE}/zoning.gpkg:rdtr_subzona"), want="polygon")
    progs = io.read_program_sources([io.parse_layer_spec(str(SAMPLE / "rencana_pupr.gpkg"))], id_field="program_id")
    rules = read_rules(str(SAMPLE / "itbx.csv"))
    return [ZoningInput(zoning, label="z")], progs, rules


def _same(x: pd.DataFrame, y: pd.DataFrame) -> None:
    """Equal frames, geometries coordinate for coordinate (as WKB), floats bit for bit."""
    if isinstance(x, gpd.GeoDataFrame):
        assert isinstance(y, gpd.GeoDataFrame) and x.crs == y.crs
        x, y = x.to_wkb(), y.to_wkb()
    pd.testing.assert_frame_equal(x, y, check_exact=True)


def _frames_equal(a, b) -> None:
    for name in ("programs", "zone_shares", "issues"):
        _same(getattr(a, name), getattr(b, name))


def test_zoning_prepared_in_background_gives_the_same_check(tmp_path: Path) -> None:
    zinputs, progs, rules = _inputs()
    ready = start_zoning(zinputs, cache=False)
    prepared = ready()
    assert ready() is prepared  # the same object on every call
    _frames_equal(check(prepared, progs, rules, workers=1), check(zinputs, progs, rules, workers=1, cache=False))


def test_zoning_error_raised_when_waited_for() -> None:
    zinputs, _, _ = _inputs()
    ready = start_zoning(zinputs, zone_field="NO_SUCH_FIELD", cache=False)  # does not raise here
    with pytest.raises(Exception) as in_thread:
        ready()
    with pytest.raises(type(in_thread.value)) as direct:
        prepare_zoning_cached(zinputs, zone_field="NO_SUCH_FIELD", cache=False)
    assert str(in_thread.value) == str(direct.value)


def test_relocation_in_background_equals_extend_check() -> None:
    zinputs, progs, rules = _inputs()
    prepared = prepare_zoning_cached(zinputs, cache=False)
    result = check(prepared, progs, rules, workers=1)
    finish = relocation_pending(result, rules, relocation_distance=1500.0)
    layer = finish()
    assert finish() is layer and result.extra_layers["saran_relokasi"] is layer
    assert "relokasi" in result.timings
    expected = extend_check(check(prepared, progs, rules, workers=1), rules, relocation_distance=1500.0).extra_layers["saran_relokasi"]
    assert len(expected) > 0 and expected["zone_code"].notna().any()
    _same(layer, expected)


def test_relocation_pieces_made_ready_beside_the_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # check(prepare_relocation=True) without a cluster: pieces an earlier run kept in the cache are read
    # in a thread of their own while the verdict is worked out, and used by the advice; pieces not yet
    # kept are cut by the advice itself (not beside the verdict: a cold run's memory), unless the zoning
    # preparation kept them with its entry (the finer halving, cut.split_levels), as for these zones
    from sppr_gis import cache as cache_mod
    from sppr_gis import relocation

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    zinputs, progs, rules = _inputs()
    cut_in: list[str] = []
    read_in: list[str] = []
    split, load = relocation.split_large, cache_mod.load_pieces

    def counted_cut(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        cut_in.append(threading.current_thread().name)
        return split(*args, **kw)

    def counted_read(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        found = load(*args, **kw)
        if found is not None:
            read_in.append(threading.current_thread().name)
        return found

    monkeypatch.setattr(relocation, "split_large", counted_cut)
    monkeypatch.setattr(cache_mod, "load_pieces", counted_read)
    layers = []
    for _ in range(2):  # cold, then warm
        result = check(prepare_zoning_cached(zinputs), progs, rules, workers=1, prepare_relocation=True)
        layers.append(relocation_pending(result, rules, relocation_distance=1500.0)())
        assert getattr(result, "relocation_index", None) is None  # the pieces are not kept with the result
    # never cut by the advice: the zoning preparation of the first (cold) run halves its pieces once more for the
    # relocation and keeps them with the cache entry (split_levels, s7-cold), so neither run cuts again
    assert cut_in == []
    # and each run reads them beside its verdict (the first once its preparation has written them)
    assert len(read_in) == 2 and all(t.startswith("sppr-relokasi-index") for t in read_in)
    monkeypatch.setattr(relocation, "split_large", split)
    monkeypatch.setattr(cache_mod, "load_pieces", load)
    expected = extend_check(check(zinputs, progs, rules, workers=1, cache=False), rules, relocation_distance=1500.0).extra_layers["saran_relokasi"]
    assert len(expected) > 0 and expected["zone_code"].notna().any()
    for layer in layers:
        _same(layer, expected)


def test_write_gpkg_callable_layer_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:32748")
    b = pd.DataFrame({"t": ["x", "y", "z"]})
    calls = []

    def later() -> pd.DataFrame:
        calls.append(sorted(p.name for p in tmp_path.iterdir()))
        return b

    io.write_gpkg({"a": a, "b": b}, tmp_path / "direct.gpkg")
    io.write_gpkg({"a": a, "b": later}, tmp_path / "lazy.gpkg")
    assert len(calls) == 1
    assert (tmp_path / "direct.gpkg").read_bytes() == (tmp_path / "lazy.gpkg").read_bytes()


def test_failing_pending_layer_leaves_no_output(tmp_path: Path) -> None:
    zinputs, progs, rules = _inputs()
    result = check(zinputs, progs, rules, workers=1, cache=False)

    def fails() -> gpd.GeoDataFrame:
        raise RuntimeError("advice failed")

    with pytest.raises(RuntimeError, match="advice failed"):
        write_check_result(result, tmp_path / "hasil.gpkg", tmp_path / "hasil.csv", pending={"saran_relokasi": fails})
    assert os.listdir(tmp_path) == []


def test_pending_layer_written_last_and_in_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    zinputs, progs, rules = _inputs()
    prepared = prepare_zoning_cached(zinputs, cache=False)
    seq = extend_check(check(prepared, progs, rules, workers=1), rules)
    write_check_result(seq, tmp_path / "seq.gpkg", tmp_path / "seq.csv")
    bg = check(prepared, progs, rules, workers=1)
    write_check_result(bg, tmp_path / "bg.gpkg", tmp_path / "bg.csv", pending={"saran_relokasi": relocation_pending(bg, rules)})
    assert (tmp_path / "seq.gpkg").read_bytes() == (tmp_path / "bg.gpkg").read_bytes()
    for name in seq.layers():
        assert (tmp_path / f"seq_{name}.csv").read_bytes() == (tmp_path / f"bg_{name}.csv").read_bytes()


def test_cli_errors_in_the_same_order(runner, tmp_path: Path) -> None:
    """Bad zone field and bad activity field at once: the programs' field is named, as before the zoning
    was prepared in a thread (check() names the programs' fields before it prepares the zoning)."""
    from conftest import invoke

    args = ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", SAMPLE / "itbx.csv",
            "--out", tmp_path / "h.gpkg", "--zone-field", "NO_ZONE_FIELD", "--activity-field", "no_activity_field"]
    r = invoke(runner, args)
    assert r.exit_code == 1
    assert "no_activity_field" in r.stderr and "NO_ZONE_FIELD" not in r.stderr
    assert "Traceback" not in r.stderr and os.listdir(tmp_path) == []
    # the zone field alone is named once the programs' fields are right
    r = invoke(runner, args[:-2])
    assert r.exit_code == 1 and "NO_ZONE_FIELD" in r.stderr and os.listdir(tmp_path) == []


def _entry_files(d: Path) -> list[Path]:
    return sorted(d.glob("zoning-*.npz"))


def test_cache_entry_written_behind_has_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18: a cold ``sppr check`` writes the zoning's cache entry in a thread while it measures the
    programs; the entry's bytes are those written before returning (main's way)."""
    zinputs, _, _ = _inputs()
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "now"))
    prepare_zoning_cached(zinputs)
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "behind"))
    prepared = prepare_zoning_cached(zinputs, write_behind=True)
    assert "cache.write" in prepared.seconds  # in its place among the timings from the start
    prepared.wait_written()
    prepared.wait_written()  # a second wait returns at once
    (a,), (b,) = _entry_files(tmp_path / "now"), _entry_files(tmp_path / "behind")
    assert a.name == b.name and a.read_bytes() == b.read_bytes()


def test_check_returns_only_when_the_entry_written_behind_is_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry written behind is complete when check() returns (a slow disk made slower: the
    writer sleeps first), so a run that exits after check() leaves it, and the next run reuses it."""
    import time

    from sppr_gis import cache as cache_mod

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "c"))
    real_write = cache_mod._write

    def slow_write(path, blob):  # noqa: ANN001, ANN202
        time.sleep(0.5)
        real_write(path, blob)

    monkeypatch.setattr(cache_mod, "_write", slow_write)
    zinputs, progs, rules = _inputs()
    cold = check(start_zoning(zinputs), progs, rules, workers=1)
    assert len(_entry_files(tmp_path / "c")) == 1
    assert cold.timings["cache.write"] >= 0.5  # the written entry's time, not the placeholder
    monkeypatch.setattr(cache_mod, "_write", real_write)
    warm_zoning = prepare_zoning_cached(zinputs)
    assert warm_zoning.seconds["topology"] == 0.0  # taken from the entry, not prepared again
    _frames_equal(check(warm_zoning, progs, rules, workers=1), cold)
    # check()'s own preparation (a zoning passed as read) writes behind and waits the same way
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "d"))
    monkeypatch.setattr(cache_mod, "_write", slow_write)
    _frames_equal(check(zinputs, progs, rules, workers=1), cold)
    assert len(_entry_files(tmp_path / "d")) == 1


def test_entry_that_cannot_be_written_behind_costs_only_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from sppr_gis import cache as cache_mod

    def failing_write(path, blob):  # noqa: ANN001, ANN202
        raise OSError("disk full")

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setattr(cache_mod, "_write", failing_write)
    zinputs, progs, rules = _inputs()
    with caplog.at_level("WARNING", logger="sppr_gis"):
        got = check(start_zoning(zinputs), progs, rules, workers=1)
    assert any("cannot write" in r.getMessage() and "disk full" in r.getMessage() for r in caplog.records)
    _frames_equal(got, check(zinputs, progs, rules, workers=1, cache=False))
    assert not _entry_files(tmp_path / "c")


def test_programs_prepared_while_the_zoning_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18 (warm runs): when the zoning's metric CRS is known before it is ready (the cache alias's,
    or a metric zoning's own), check() prepares the programs first, then waits; same answers and timings' order."""
    import sppr_gis.pipeline as pipeline

    zinputs, progs, rules = _inputs()
    prepared = prepare_zoning_cached(zinputs, cache=False)
    assert start_zoning(zinputs, cache=False).crs == zinputs[0].frame.crs == prepared.crs  # a metric zoning: its own CRS
    calls: list[str] = []
    real = pipeline.prepare_programs

    def noting(*a, **k):  # noqa: ANN002, ANN003, ANN202
        calls.append("programs")
        return real(*a, **k)

    monkeypatch.setattr(pipeline, "prepare_programs", noting)
    ready = pipeline._ZoningReady(lambda: (calls.append("zoning"), prepared)[1], prepared.crs)
    got = check(ready, progs, rules, workers=1)
    assert calls == ["programs", "zoning"]
    calls.clear()
    want = check(lambda: (calls.append("zoning"), prepared)[1], progs, rules, workers=1)  # no CRS known: main's order
    assert calls == ["zoning", "programs"]
    _frames_equal(got, want)
    assert list(got.timings) == list(want.timings)
    # a CRS announced wrongly: the programs prepared again in the zoning's, same answers
    other = pipeline._ZoningReady(lambda: prepared, "EPSG:32749")
    _frames_equal(check(other, progs, rules, workers=1), want)


def test_programs_error_after_the_zonings_when_prepared_early(monkeypatch: pytest.MonkeyPatch) -> None:
    import sppr_gis.pipeline as pipeline
    from sppr_gis.errors import SpprError

    zinputs, progs, rules = _inputs()

    def failing(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise SpprError("programs broken")

    monkeypatch.setattr(pipeline, "prepare_programs", failing)
    bad_zoning = start_zoning(zinputs, zone_field="NO_SUCH_FIELD", cache=False)
    assert bad_zoning.crs is not None  # the programs are prepared first
    with pytest.raises(Exception) as err:
        check(bad_zoning, progs, rules, workers=1)
    assert "NO_SUCH_FIELD" in str(err.value)  # the zoning's error, as when it was waited for first
    with pytest.raises(SpprError, match="programs broken"):
        check(start_zoning(zinputs, cache=False), progs, rules, workers=1)


# ----------------------------------------------------------------------------- the engine beside the zoning's QA
# (issue 18, cold runs: the engine needs only the zones' overlapping pairs and cut pieces; the rest of the
# zoning QA, the dilated union on a provincial RTRWP, ends in its thread while the programs are measured)



def _spy_order(monkeypatch: pytest.MonkeyPatch, wait_for_engine: bool) -> list[str]:
    """Record when the topology check (after the pairs and the cut) and the engine's shares start; with
    ``wait_for_engine`` the topology check waits (up to 20 s) until the engine has started."""
    order: list[str] = []
    engine_started = threading.Event()
    real_topology, real_shares = pipeline.zoning_topology, pipeline.ZoneIndex.shares

    def topology(*a, **k):
        if wait_for_engine:
            engine_started.wait(timeout=20)
        order.append("topology")
        return real_topology(*a, **k)

    def shares(self, *a, **k):
        order.append("engine")
        engine_started.set()
        return real_shares(self, *a, **k)

    monkeypatch.setattr(pipeline, "zoning_topology", topology)
    monkeypatch.setattr(pipeline.ZoneIndex, "shares", shares)
    return order


def test_engine_measures_while_the_zoning_qa_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    zinputs, progs, rules = _inputs()
    want = check(prepare_zoning_cached(zinputs, cache=False), progs, rules, workers=1)  # prepared first, in turn
    order = _spy_order(monkeypatch, wait_for_engine=True)
    got = check(start_zoning(zinputs, cache=False), progs, rules, workers=1)
    assert order == ["engine", "topology"]  # main: the topology check ran first (after waiting 20 s in vain)
    _frames_equal(got, want)  # the zoning's findings in their place in the issues, the same answers


def test_many_programs_measured_after_the_zoning_qa(monkeypatch: pytest.MonkeyPatch) -> None:
    zinputs, progs, rules = _inputs()
    monkeypatch.setattr(pipeline, "ENGINE_BESIDE_QA_PROGRAMS", len(progs) - 1)
    order = _spy_order(monkeypatch, wait_for_engine=False)
    check(start_zoning(zinputs, cache=False), progs, rules, workers=1)
    assert order == ["topology", "engine"]  # both at once would hold the QA's and the engine's memory


def test_zoning_qa_error_after_the_engine_started_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zinputs, progs, rules = _inputs()
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    order = _spy_order(monkeypatch, wait_for_engine=False)

    def broken(*a, **k):
        order.append("topology")
        raise GeometryError("zoning gaps: GEOS gave up")

    monkeypatch.setattr(pipeline, "zoning_topology", broken)
    with pytest.raises(GeometryError, match="GEOS gave up"):
        check(start_zoning(zinputs), progs, rules, workers=1)
    assert "topology" in order
    assert not list((tmp_path / "cache").glob("zoning-*.npz"))  # no entry of a failed preparation


def test_relocation_started_once_the_programs_are_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # check(on_programs=...): called with the result being built as soon as its programs layer is final,
    # before the zone_shares table and the findings' geometries are made (sppr check starts the relocation
    # advice there, beside them); not while the zoning's cache entry is still being written (a cold run)
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    zinputs, progs, rules = _inputs()
    steps: list[str] = []
    shares_table, locate = pipeline._zone_shares_table, pipeline._locate_findings

    def table(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        steps.append("zone_shares")
        return shares_table(*args, **kw)

    def located(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        steps.append("findings")
        return locate(*args, **kw)

    monkeypatch.setattr(pipeline, "_zone_shares_table", table)
    monkeypatch.setattr(pipeline, "_locate_findings", located)
    given: list[object] = []
    started: list[object] = []

    def on_programs(early):  # noqa: ANN001, ANN202
        steps.append("programs")
        given.append(early)
        assert early.programs["status"].isin(["tidak_sesuai"]).any() and not len(early.zone_shares)
        started.append(relocation_pending(early, rules, relocation_distance=1500.0))

    cold = check(prepare_zoning_cached(zinputs, write_behind=True), progs, rules, workers=1, prepare_relocation=True, on_programs=on_programs)
    assert steps == ["zone_shares", "findings"] and given == []  # its entry written behind: not called
    steps.clear()
    warm = check(prepare_zoning_cached(zinputs), progs, rules, workers=1, prepare_relocation=True, on_programs=on_programs)
    assert steps == ["programs", "zone_shares", "findings"]
    assert len(given) == 1 and given[0] is warm and len(warm.zone_shares) == len(cold.zone_shares) > 0
    layer = started[0]()
    assert warm.extra_layers["saran_relokasi"] is layer and "relokasi" in warm.timings
    monkeypatch.setattr(pipeline, "_zone_shares_table", shares_table)
    monkeypatch.setattr(pipeline, "_locate_findings", locate)
    ref = check(zinputs, progs, rules, workers=1, cache=False)
    expected = extend_check(ref, rules, relocation_distance=1500.0).extra_layers["saran_relokasi"]
    assert len(expected) > 0 and expected["zone_code"].notna().any()
    _same(layer, expected)
    for name in ("programs", "zone_shares"):
        _same(getattr(warm, name), getattr(ref, name))
    _same(warm.issues, ref.issues)
