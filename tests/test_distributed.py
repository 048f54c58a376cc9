"""sppr check and sppr sync on a real dask.distributed cluster (issue 13).

In CI, ``.ci/run`` starts ``dask scheduler`` and two ``dask worker --nthreads 1``
processes on localhost before the tests and stops them after; its address comes in
``SPPR_TEST_DASK_SCHEDULER``. Without it (a developer's machine) the fixture starts
the same three processes itself (random ports, a working folder of their own,
stopped at teardown). Either way the tests connect by address, as a user would to a
real cluster, and are never skipped: a cluster that cannot start or join fails them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import GOLDEN, SAMPLE, gdf, invoke
from shapely.geometry import LineString, Point, box

try:
    from distributed import Client
except ImportError:  # pragma: no cover - the test extra installs it; fail loudly, never skip
    Client = None


def _dask_cli() -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "distributed.cli.dask_scheduler"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """Address of a scheduler with two one-thread workers, as separate processes."""
    if Client is None:
        pytest.fail('dask.distributed is not installed: pip install ".[test]" (it includes sppr-gis[distributed])')
    given = os.environ.get("SPPR_TEST_DASK_SCHEDULER")
    if not given and os.environ.get("SPPR_REQUIRE_DASK") == "1":
        pytest.fail("SPPR_REQUIRE_DASK=1 but SPPR_TEST_DASK_SCHEDULER names no cluster (.ci/dask.sh starts one)")
    if given:
        with Client(given, timeout="30s") as c:
            try:
                c.wait_for_workers(2, timeout=60)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"SPPR_TEST_DASK_SCHEDULER={given}: two workers did not answer ({exc})")
            threads = sorted(w["nthreads"] for w in c.scheduler_info()["workers"].values())
            pids = set(c.run(os.getpid).values())
        assert threads[:2] == [1, 1], f"the cluster at {given} should have one-thread workers, has {threads}"
        assert os.getpid() not in pids and len(pids) >= 2, "the workers must be processes of their own"
        yield given
        return
    from sppr_gis.distributed import ClusterError, process_cluster

    try:
        # the workers run in their own folder: nothing of the repository's is on their path or cwd
        with process_cluster(2, tmp_path_factory.mktemp("dask-cluster"), timeout=60) as address:
            yield address
    except ClusterError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster, timeout="30s") as c:
        yield c


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame, close: tuple[str, ...] = ("measure", "share", "score", "unzoned_share")) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        if col in close:
            np.testing.assert_allclose(pd.to_numeric(a[col]).to_numpy(float), pd.to_numeric(b[col]).to_numpy(float), rtol=1e-9, atol=1e-9, err_msg=col)
        elif col == getattr(a, "_geometry_column_name", None):
            assert shapely.equals_exact(np.asarray(a[col].array, dtype=object), np.asarray(b[col].array, dtype=object), 0).all() or a[col].isna().equals(b[col].isna())
        else:
            pd.testing.assert_series_equal(a[col].reset_index(drop=True), b[col].reset_index(drop=True), check_names=False, obj=col)


# ----------------------------------------------------------------------------- check


def test_check_on_cluster_equals_local_run(client):
    """The sample city through sppr_gis.check(client=...) gives the local run's rows, shares and statuses."""
    import sppr_gis

    zoning = sppr_gis.read_layer(f"{SAMPLE}/zoning.gpkg:rdtr_subzona")
    programs = sppr_gis.read_layer(f"{SAMPLE}/rencana_pupr.gpkg:rencana")
    rules = sppr_gis.read_rules(SAMPLE / "itbx.csv", conditions=SAMPLE / "syarat_itbx.csv")
    local = sppr_gis.check(zoning, programs, rules)
    remote = sppr_gis.check(zoning, programs, rules, client=client)
    assert remote.timings["engine.worker_seconds"] > 0  # the engine ran on the workers
    _frames_equal(local.programs.drop(columns="geometry"), remote.programs.drop(columns="geometry"))
    _frames_equal(local.zone_shares, remote.zone_shares)
    pd.testing.assert_frame_equal(local.issues.drop(columns="geometry"), remote.issues.drop(columns="geometry"))


def test_many_partitions_equal_engine_and_postgis(client):
    """Digitized zoning (jittered borders, overlay zones, a duplicate) cut into partitions of 7 programs:
    the assembled shares equal one ZoneIndex of the whole zoning and the PostGIS reference."""
    from sppr_gis.distributed import distributed_shares, partition_programs
    from sppr_gis.engine import ZoneIndex
    from sppr_gis.pipeline import prepare_zoning_qa

    zoning = gpd.read_file(GOLDEN / "digitized.gpkg", layer="zoning")
    programs = gpd.read_file(GOLDEN / "digitized.gpkg", layer="programs")
    prepared = prepare_zoning_qa(zoning)
    zg = np.asarray(prepared.zones.geometry.array, dtype=object)
    zc = prepared.zones["zone_code"].to_numpy(dtype=object)
    work = shapely.make_valid(np.asarray(programs.to_crs(prepared.crs).geometry.array, dtype=object))
    parts = partition_programs(work, 7)
    assert len(parts) > 10 and sorted(np.concatenate(parts)) == sorted(np.flatnonzero(~(shapely.is_missing(work) | shapely.is_empty(work))))
    local = ZoneIndex(zg, zc, overlaps=prepared.topology.overlaps).shares(work, workers=1)
    remote = distributed_shares(client, zg, zc, work, overlaps=prepared.topology.overlaps, partition_size=7)
    pd.testing.assert_frame_equal(local.pairs[["prog", "zone_code"]], remote.pairs[["prog", "zone_code"]])
    np.testing.assert_allclose(remote.pairs["measure"], local.pairs["measure"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(remote.pairs["share"], local.pairs["share"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(remote.measure, local.measure, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(remote.unzoned, local.unzoned, atol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(remote.dim, local.dim)
    # and against PostGIS, computed without sppr_gis
    ref = pd.read_csv(GOLDEN / "digitized_shares.csv", dtype={"program_id": str})
    ids = programs["program_id"].astype(str).to_numpy()
    got = pd.DataFrame({"program_id": ids[remote.pairs["prog"]], "zone_code": remote.pairs["zone_code"], "share": remote.pairs["share"]})
    m = ref.merge(got, on=["program_id", "zone_code"], how="outer", suffixes=("_ref", "_got"))
    m = m[(m["share_ref"].fillna(0) > 1e-9) | (m["share_got"].fillna(0) > 1e-9)]
    np.testing.assert_allclose(m["share_got"].fillna(0), m["share_ref"].fillna(0), atol=1e-6)


def test_degenerate_inputs_on_cluster(client):
    """No programs, only null/empty ones, and a mix: the cluster's result equals the engine's."""
    from sppr_gis.distributed import distributed_shares
    from sppr_gis.engine import ZoneIndex

    zg = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)], dtype=object)
    zc = np.array(["R-1", "K-1"], dtype=object)
    for progs in (
        np.array([], dtype=object),
        np.array([None, shapely.Point()], dtype=object),
        np.array([None, LineString([(5, 5), (15, 5)]), shapely.Point(), Point(10, 5), LineString([(1, 1), (1, 1)]), box(30, 30, 31, 31)], dtype=object),
    ):
        local = ZoneIndex(zg, zc, overlaps=(np.zeros(0, int), np.zeros(0, int))).shares(progs, workers=1)
        remote = distributed_shares(client, zg, zc, progs, overlaps=(np.zeros(0, int), np.zeros(0, int)))
        pd.testing.assert_frame_equal(local.pairs, remote.pairs, check_dtype=False)
        np.testing.assert_array_equal(local.dim, remote.dim)
        np.testing.assert_allclose(local.measure, remote.measure, equal_nan=True)
        np.testing.assert_allclose(local.unzoned, remote.unzoned, equal_nan=True)


def _two_regencies(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """Two regencies' zonings digitized apart (overlapping on the strip 99 <= x <= 100 at their border)."""
    a = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 60, 50)}, {"KODSZN": "K-1", "geometry": box(60, 0, 100, 50)}])
    b = gdf([{"KODSZN": "RTH-1", "geometry": box(99, 0, 200, 50)}, {"KODSZN": "R-2", "geometry": box(99, 50, 200, 80)}])
    progs = gdf(
        [
            # the provincial road: 10 -> 190 along y = 25 (180 m)
            {"program_id": "JALAN-PROV", "kegiatan": "jalan", "geometry": LineString([(10, 25), (190, 25)])},
            # a polygon across the border: 20 x 10 m
            {"program_id": "IRIGASI", "kegiatan": "jalan", "geometry": box(90, 10, 110, 20)},
            # a point in the overlap strip
            {"program_id": "TITIK", "kegiatan": "jalan", "geometry": Point(99.5, 5)},
            # a road wholly in the second regency, partly in its R-2
            {"program_id": "JALAN-B", "kegiatan": "jalan", "geometry": LineString([(150, 40), (150, 70)])},
        ]
    )
    rules = tmp_path / "itbx.csv"
    rules.write_text("activity,R-2,K-1,RTH-1\njalan,I,T1,X\n", encoding="utf-8")
    pa, pb, pp = tmp_path / "kab_a.gpkg", tmp_path / "kab_b.gpkg", tmp_path / "jalan.gpkg"
    a.to_file(pa, layer="zona")
    b.to_file(pb, layer="zona")
    progs.to_file(pp, layer="program")
    return pa, pb, pp, rules


#: Hand answers: (program, zone code) -> measure (m for lines, m² for polygons, weight for points).
CROSS_BORDER = {
    ("JALAN-PROV", "R-2"): 50.0,  # x 10..60
    ("JALAN-PROV", "K-1"): 40.0,  # x 60..100
    ("JALAN-PROV", "RTH-1"): 91.0,  # x 99..190 (the overlap strip counts for both codes)
    ("IRIGASI", "K-1"): 100.0,  # x 90..100
    ("IRIGASI", "RTH-1"): 110.0,  # x 99..110
    ("TITIK", "K-1"): 0.5,
    ("TITIK", "RTH-1"): 0.5,
    ("JALAN-B", "RTH-1"): 10.0,  # y 40..50
    ("JALAN-B", "R-2"): 20.0,  # y 50..70
}


def test_cross_border_program_cli(cluster, tmp_path, runner):
    """`sppr check --zoning A --zoning B --scheduler ADDRESS`: a provincial road gets shares from both
    regencies' zonings (hand-built geometry), and the file equals the local run's."""
    pa, pb, pp, rules = _two_regencies(tmp_path)
    args = ["check", "--zoning", f"{pa}:zona", "--zoning", f"{pb}:zona", "--programs", f"{pp}:program", "--rules", rules, "-q"]
    r = invoke(runner, [*args, "--out", tmp_path / "remote.gpkg", "--scheduler", cluster])
    assert r.exit_code == 0, r.output
    r = invoke(runner, [*args, "--out", tmp_path / "local.gpkg"])
    assert r.exit_code == 0, r.output
    shares = gpd.read_file(tmp_path / "remote.gpkg", layer="zone_shares")
    got = {(p, c): m for p, c, m in zip(shares["program_id"], shares["zone_code"], shares["measure"])}
    assert got.keys() == CROSS_BORDER.keys()
    for k, v in CROSS_BORDER.items():
        assert got[k] == pytest.approx(v, rel=1e-9), k
    progs = gpd.read_file(tmp_path / "remote.gpkg", layer="programs").set_index("program_id")
    assert progs.loc["JALAN-PROV", "status"] == "tidak_sesuai"  # RTH-1 prohibits it
    assert progs.loc["JALAN-PROV", "unzoned_share"] == pytest.approx(0.0)
    for layer in ("programs", "zone_shares", "issues"):
        a = gpd.read_file(tmp_path / "local.gpkg", layer=layer)
        b = gpd.read_file(tmp_path / "remote.gpkg", layer=layer)
        _frames_equal(pd.DataFrame(a.drop(columns="geometry", errors="ignore")), pd.DataFrame(b.drop(columns="geometry", errors="ignore")))


def test_unreachable_scheduler_is_one_line(tmp_path, runner):
    """A scheduler that does not answer: exit 1, one line naming it, no output file, no traceback."""
    pa, pb, pp, rules = _two_regencies(tmp_path)
    out = tmp_path / "x.gpkg"
    r = invoke(runner, ["check", "--zoning", f"{pa}:zona", "--programs", f"{pp}:program", "--rules", rules, "--out", out, "--scheduler", "tcp://127.0.0.1:9", "-q"])
    assert r.exit_code == 1
    assert "tcp://127.0.0.1:9" in r.output and "Traceback" not in r.output
    assert not out.exists()


# ----------------------------------------------------------------------------- sync over regions


def _region(tmp_path: Path, kode: str | None, name: str) -> Path:
    """A copy of the sample city's config naming another region (inputs by absolute path)."""
    text = (SAMPLE / "sppr.toml").read_text(encoding="utf-8")
    folder = tmp_path / f"cfg-{name.replace(' ', '_')}"
    folder.mkdir()
    for f in SAMPLE.iterdir():
        if f.is_file() and f.suffix != ".py":
            os.symlink(f, folder / f.name)
    (folder / "sppr.toml").unlink()
    head = f'name = "{name}"\n' + (f'kode = "{kode}"\n' if kode else "")
    text = text.replace('name = "Kota Contoh"\n', head, 1)
    cfg = folder / "sppr.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def _same_folder(a: Path, b: Path) -> None:
    names_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert names_a == names_b
    for rel in names_a:
        if rel.endswith(".csv"):
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    for layer in ("rencana", "indikasi_program", "zone_shares", "issues", "sinergi"):
        x = gpd.read_file(a / "sppr.gpkg", layer=layer)
        y = gpd.read_file(b / "sppr.gpkg", layer=layer)
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), obj=layer)
    ma, mb = (json.loads((p / "manifest.json").read_text()) for p in (a, b))
    assert ma["counts"] == mb["counts"] and ma["pagu"] == mb["pagu"]


def test_sync_regions_on_cluster(cluster, tmp_path, runner, monkeypatch):
    """Two regions and one that fails on its worker (its PostGIS output refuses the connection): each
    region's folder equals its run alone, the broken one fails alone (exit 1 naming it, no folder),
    rekap.xlsx / rekap.gpkg cover the two."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    a = _region(tmp_path, "2171", "Kota Batam")
    b = _region(tmp_path, None, "Kota Tanjung Pinang")
    broken = _region(tmp_path, "2101", "Kabupaten Rusak")
    with broken.open("a", encoding="utf-8") as f:
        f.write('\n[output]\npostgis = "postgresql://sppr@127.0.0.1:9/tidak_ada#hasil"\n')
    out = tmp_path / "out"
    r = invoke(runner, ["sync", "--config", a, "--config", broken, "--config", b, "--year", "2025", "--out", out, "--no-maps", "--scheduler", cluster, "-q"])
    assert r.exit_code == 1
    assert "Kabupaten Rusak" in r.output and "2101" in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in (out / "2025").iterdir()) == ["2171", "kota-tanjung-pinang", "rekap.gpkg", "rekap.xlsx"]
    alone = tmp_path / "alone"
    r = invoke(runner, ["sync", "--config", a, "--year", "2025", "--out", alone, "--no-maps", "-q"])
    assert r.exit_code == 0, r.output
    _same_folder(out / "2025" / "2171", alone / "2025")
    rekap = pd.read_excel(out / "2025" / "rekap.xlsx")
    assert rekap["wilayah"].tolist() == ["2171", "kota-tanjung-pinang"]
    manifest = json.loads((alone / "2025" / "manifest.json").read_text())
    row = rekap.iloc[0]
    assert row["pagu_total"] == pytest.approx(manifest["pagu"]["total"])
    assert row["porsi_pagu_sinkron_sesuai"] == pytest.approx(manifest["pagu"]["porsi_sinkron_sesuai"])
    for s, n in manifest["counts"]["kesesuaian"].items():
        assert row[f"kesesuaian_{s}"] == n
    ren = gpd.read_file(out / "2025" / "rekap.gpkg", layer="rencana")
    assert sorted(ren["wilayah"].unique()) == ["2171", "kota-tanjung-pinang"]
    assert len(ren) == 2 * len(gpd.read_file(alone / "2025" / "sppr.gpkg", layer="rencana"))
    assert not list(out.glob(".sppr-regions-*"))


def test_sync_regions_locally_in_sequence(tmp_path, runner, monkeypatch):
    """Without --scheduler the regions run one after another here; same layout and rekap; a region
    whose ITBX matrix cannot be read fails alone (exit 1 naming it and the file, no folder)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    a = _region(tmp_path, "2171", "Kota Batam")
    b = _region(tmp_path, "2172", "Kota Tanjung Pinang")
    broken = _region(tmp_path, "2101", "Kabupaten Rusak")
    (broken.parent / "itbx.csv").unlink()
    (broken.parent / "itbx.csv").write_text("bukan,matriks\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"
    r = invoke(runner, ["sync", "--config", a, "--config", b, "--config", broken, "--year", "2025", "--out", out, "--no-maps", "-q"])
    assert r.exit_code == 1
    assert "Kabupaten Rusak (2101)" in r.output and "itbx.csv" in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in (out / "2025").iterdir()) == ["2171", "2172", "rekap.gpkg", "rekap.xlsx"]
    for layer in ("rencana", "zone_shares"):  # the same data under two names
        x, y = (gpd.read_file(out / "2025" / k / "sppr.gpkg", layer=layer) for k in ("2171", "2172"))
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y))
    assert pd.read_excel(out / "2025" / "rekap.xlsx")["nama"].tolist() == ["Kota Batam", "Kota Tanjung Pinang"]


def test_config_kode_validated(tmp_path):
    from sppr_gis.config import load_config
    from sppr_gis.errors import ConfigError

    cfg = _region(tmp_path, "21 71", "Kota X")
    with pytest.raises(ConfigError, match="project.kode"):
        load_config(cfg)


def test_sync_regions_read_on_workers(cluster, tmp_path, runner, monkeypatch):
    """--read-on workers: the workers read the regions' files themselves (here the machine's own disk
    stands for a shared path). The client's own reader is made to fail, so a region can only succeed
    if its worker read it; a region whose ITBX matrix is unreadable fails alone, naming the file."""
    import sppr_gis.prepare

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    a = _region(tmp_path, "2171", "Kota Batam")
    broken = _region(tmp_path, "2101", "Kabupaten Rusak")
    (broken.parent / "itbx.csv").unlink()
    (broken.parent / "itbx.csv").write_text("bukan,matriks\n1,2\n", encoding="utf-8")
    alone = tmp_path / "alone"
    r = invoke(runner, ["sync", "--config", a, "--year", "2025", "--out", alone, "--no-maps", "-q"])
    assert r.exit_code == 0, r.output

    def not_here(*args, **kwargs):
        raise AssertionError("the client read a region's inputs")

    monkeypatch.setattr(sppr_gis.prepare, "load_inputs", not_here)
    out = tmp_path / "out"
    r = invoke(runner, ["sync", "--config", a, "--config", broken, "--year", "2025", "--out", out, "--no-maps",
                        "--scheduler", cluster, "--read-on", "workers", "-q"])
    assert r.exit_code == 1
    assert "Kabupaten Rusak (2101)" in r.output and "itbx.csv" in r.output and "Traceback" not in r.output
    assert "the client read" not in r.output
    assert sorted(p.name for p in (out / "2025").iterdir()) == ["2171", "rekap.gpkg", "rekap.xlsx"]
    _same_folder(out / "2025" / "2171", alone / "2025")


def _jittered_grid(n: int = 36, size: float = 10.0, seed: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """An n x n grid of square zones, each digitized on its own (corners jittered up to 5 cm, so
    neighbours overlap or leave slivers), one cell left out (a real gap) and one overlay zone."""
    rng = np.random.default_rng(seed)
    geoms, codes = [], []
    for r in range(n):
        for c in range(n):
            if (r, c) == (n // 2, n // 2):
                continue  # the real gap: one empty cell
            x0, y0 = c * size, r * size
            ring = [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]
            ring = [(x + rng.uniform(-0.05, 0.05), y + rng.uniform(-0.05, 0.05)) for x, y in ring]
            geoms.append(shapely.Polygon(ring))
            codes.append(f"R-{(r // 6 + c // 6) % 4 + 1}")
    geoms.append(box(40.0, 40.0, 60.0, 55.0))  # an overlay zone over six cells: real overlaps
    codes.append("RTH-1")
    return np.asarray(shapely.make_valid(np.asarray(geoms, dtype=object)), dtype=object), np.asarray(codes, dtype=object)


def test_zoning_qa_on_cluster_equals_local(client):
    """The topology check's heavy steps (pair overlaps, erosion, dilated union in bands, triple
    overlaps) sent to the cluster give the very findings of a local run; the overlaps' total area
    equals a literal pairwise intersection of the zones, and the one real gap its cell."""
    from sppr_gis.distributed import ClusterRunner
    from sppr_gis.validate import GeometryRunner, zoning_topology

    geoms, codes = _jittered_grid()
    ids = np.array([f"z{i}" for i in range(len(geoms))], dtype=object)
    runner = ClusterRunner(client, min_send=0)
    remote = zoning_topology(geoms, codes, ids, "zona", runner=runner)
    local = zoning_topology(geoms, codes, ids, "zona", runner=GeometryRunner(2))
    assert runner.seconds["send"] > 0  # it did send
    np.testing.assert_array_equal(remote.overlaps[0], local.overlaps[0])
    np.testing.assert_array_equal(remote.overlaps[1], local.overlaps[1])
    assert (remote.noise_overlaps, remote.noise_overlap_area, remote.noise_gap_area) == (local.noise_overlaps, local.noise_overlap_area, local.noise_gap_area)
    assert [(f.code, f.feature_id, f.message) for f in remote.findings] == [(f.code, f.feature_id, f.message) for f in local.findings]
    for a, b in zip(remote.findings, local.findings):
        assert (a.geometry is None and b.geometry is None) or shapely.equals_exact(a.geometry, b.geometry, 0)
    # independently: every pair of zones intersected whole, areas summed
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    literal = shapely.area(shapely.intersection(geoms[i[keep]], geoms[j[keep]])).sum()
    reported = sum(float(f.message.split("seluas ")[1].split(" m²")[0].replace(".", "").replace(",", ".")) for f in remote.findings if f.code in ("tumpang_tindih_zona", "tumpang_tindih_kode_sama"))
    assert reported + remote.noise_overlap_area == pytest.approx(literal, abs=0.05 * len(remote.findings) + 1e-6)
    gaps = [f for f in remote.findings if f.code == "celah_zona"]
    assert len(gaps) == 1 and gaps[0].geometry.area == pytest.approx(100.0, abs=2.0)


def test_rekap_streams_regions_with_different_schemas(tmp_path):
    """rekap.gpkg is written region by region: columns are the union (a column a region lacks is null
    there), integer columns stay integers, a column that is text in one region and a number in another
    becomes text, and regions in different UTM zones are put in EPSG:4326 (compared with a to_crs of
    each region's own layer)."""
    from sppr_gis.distributed import RegionOutcome, write_rekap

    year = tmp_path / "2025"
    a = gpd.GeoDataFrame({"program_id": ["A1", "A2"], "jumlah": [3, 4], "catatan": ["x", None]}, geometry=[Point(500000, 100000), Point(500100, 100000)], crs=32648)
    b = gpd.GeoDataFrame({"program_id": ["B1"], "catatan": [7]}, geometry=[Point(400000, 9900000)], crs=32749)
    for kode, frame in (("2171", a), ("6401", b)):
        (year / kode).mkdir(parents=True)
        frame.to_file(year / kode / "sppr.gpkg", layer="rencana", driver="GPKG")
    fig = [{"year": 2025, "counts": {"kesesuaian": {"sesuai": 1}}, "pagu": {"total": 1.0, "sinkron": 1.0, "sesuai": 1.0, "sinkron_sesuai": 1.0, "porsi_sinkron_sesuai": 1.0}}]
    regions = [RegionOutcome("a.toml", kode="2171", name="A", figures=fig), RegionOutcome("b.toml", kode="6401", name="B", figures=fig)]
    written = write_rekap(tmp_path, [2025], regions)
    assert [p.name for p in written] == ["rekap.xlsx", "rekap.gpkg"]
    got = gpd.read_file(year / "rekap.gpkg", layer="rencana")
    assert got["wilayah"].tolist() == ["2171", "2171", "6401"]
    assert got["program_id"].tolist() == ["A1", "A2", "B1"]
    assert got["jumlah"].tolist()[:2] == [3, 4] and pd.isna(got["jumlah"].iloc[2])
    assert [None if pd.isna(v) else v for v in got["catatan"]] == ["x", None, "7"]
    assert got.crs.to_epsg() == 4326
    want = pd.concat([a.to_crs(4326).geometry, b.to_crs(4326).geometry], ignore_index=True)
    assert shapely.equals_exact(np.asarray(got.geometry.array, dtype=object), np.asarray(want.array, dtype=object), 1e-9).all()


def test_a_collection_is_judged_part_by_part_on_the_cluster_too(client):
    """Issue 17 case 5: a lot with its access road through RTH-1 (X for roads), on the cluster as locally."""
    import sppr_gis
    from conftest import make_rules
    from shapely.geometry import GeometryCollection

    zoning = gdf([{"KODSZN": "R-2", "geometry": box(0, 0, 100, 100)}, {"KODSZN": "RTH-1", "geometry": box(100, 0, 200, 100)}])
    rules = make_rules({"jalan": {"R-2": "I", "RTH-1": "X"}})
    gc = GeometryCollection([box(10, 10, 50, 50), LineString([(50, 30), (150, 30)]), Point(20, 20)])
    programs = gdf([{"program_id": f"P{i}", "kegiatan": "jalan", "geometry": g} for i, g in enumerate([gc, box(10, 10, 50, 50)])])
    local = sppr_gis.check(zoning, programs, rules)
    remote = sppr_gis.check(zoning, programs, rules, client=client)
    assert list(remote.programs.status) == ["tidak_sesuai", "sesuai"]
    _frames_equal(local.programs.drop(columns="geometry"), remote.programs.drop(columns="geometry"))
    _frames_equal(local.zone_shares, remote.zone_shares)


# ----------------------------------------------------------------------------- issue 17


def test_small_zoning_qa_on_cluster_runs_locally(client, cluster, tmp_path, runner):
    """Issue 17 case 16: zoning big enough for a union in bands (1,000 zones or more) but below
    MIN_SEND (2,000) on a 2-worker cluster recursed forever (ClusterRunner.unions -> unions_later ->
    GeometryRunner.unions_later -> self.unions). The QA's findings equal a local run's; and four
    regencies' zoning (400 zones each) through the CLI on the cluster give the hand-computed shares and
    the local run's outputs."""
    from sppr_gis.distributed import ClusterRunner
    from sppr_gis.validate import GeometryRunner, union_chunks, zoning_topology

    geoms, codes = _jittered_grid(n=40)
    ids = np.array([f"z{i}" for i in range(len(geoms))], dtype=object)
    runner_ = ClusterRunner(client)
    assert len(geoms) < runner_.MIN_SEND and len(union_chunks(geoms, runner_.chunk_count())) > 1
    remote = zoning_topology(geoms, codes, ids, "zona", runner=runner_)
    local = zoning_topology(geoms, codes, ids, "zona", runner=GeometryRunner(2))
    assert [(f.code, f.feature_id, f.message) for f in remote.findings] == [(f.code, f.feature_id, f.message) for f in local.findings]
    assert (remote.noise_overlaps, remote.noise_overlap_area, remote.noise_gap_area) == (local.noise_overlaps, local.noise_overlap_area, local.noise_gap_area)
    # the one real gap, its cell (hand geometry: a 10 x 10 m cell, corners jittered up to 5 cm)
    gaps = [f for f in remote.findings if f.code == "celah_zona"]
    assert len(gaps) == 1 and gaps[0].geometry.area == pytest.approx(100.0, abs=2.0)
    # four regencies 250 m apart, each 20 x 20 cells of 10 m: R-2 in its first 12 columns, K-1 after
    specs = []
    for k in range(4):
        x0 = 250.0 * k
        cells = [{"KODSZN": "R-2" if c < 12 else "K-1", "geometry": box(x0 + 10 * c, 10 * r, x0 + 10 * c + 10, 10 * r + 10)} for r in range(20) for c in range(20)]
        p = tmp_path / f"kab_{k}.gpkg"
        gdf(cells).to_file(p, layer="zona")
        specs += ["--zoning", f"{p}:zona"]
    progs = gdf([{"program_id": "JALAN", "kegiatan": "jalan", "geometry": LineString([(5, 25), (945, 25)])}])
    progs.to_file(tmp_path / "p.gpkg", layer="program")
    (tmp_path / "itbx.csv").write_text("activity,R-2,K-1\njalan,I,T1\n", encoding="utf-8")
    args = ["check", *specs, "--programs", f"{tmp_path / 'p.gpkg'}:program", "--rules", tmp_path / "itbx.csv", "-q"]
    r = invoke(runner, [*args, "--out", tmp_path / "remote.gpkg", "--scheduler", cluster])
    assert r.exit_code == 0, r.output
    r = invoke(runner, [*args, "--out", tmp_path / "local.gpkg"])
    assert r.exit_code == 0, r.output
    shares = gpd.read_file(tmp_path / "remote.gpkg", layer="zone_shares")
    # 5..120 in the first, 120 m in each other; K-1: 80 m in the first three, 870..945 in the last
    assert dict(zip(shares["zone_code"], shares["measure"])) == pytest.approx({"R-2": 115.0 + 3 * 120.0, "K-1": 3 * 80.0 + 75.0})
    for layer in ("programs", "zone_shares", "issues"):
        a = gpd.read_file(tmp_path / "local.gpkg", layer=layer)
        b = gpd.read_file(tmp_path / "remote.gpkg", layer=layer)
        _frames_equal(pd.DataFrame(a.drop(columns="geometry", errors="ignore")), pd.DataFrame(b.drop(columns="geometry", errors="ignore")))


def test_silent_scheduler_fails_within_30_s(tmp_path):
    """Issue 17 case 15: an address that accepts TCP and never answers (a socket server in this
    process) makes `sppr check --scheduler` exit 1 with one line within 30 s (it hung until killed)."""
    import socket
    import subprocess
    import threading
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.5)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # accepted, never answered
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    pa, _, pp, rules = _two_regencies(tmp_path)
    out = tmp_path / "x.gpkg"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "sppr_cli", "check", "--zoning", f"{pa}:zona", "--programs", f"{pp}:program", "--rules", str(rules),
           "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}", "-q"]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60, env=env)
    finally:
        elapsed = time.monotonic() - t0
        stop.set()
        t.join(5)
        for c in held:
            c.close()
        server.close()
    assert proc.returncode == 1, proc.stderr
    assert elapsed < 30, f"took {elapsed:.0f} s"
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not out.exists()


def _listening_ports(pids: set[int]) -> set[tuple[str, int]]:
    import psutil

    got = set()
    for pid in pids:
        try:
            for c in psutil.Process(pid).net_connections(kind="tcp"):
                if c.status == psutil.CONN_LISTEN:
                    got.add((c.laddr.ip, c.laddr.port))
        except psutil.NoSuchProcess:
            continue
    return got


def test_local_cluster_is_private(monkeypatch):
    """Issue 17 case 13: `--scheduler local` starts a cluster no one else can use and that holds no password.

    - without the run's certificate nobody connects: not by plain TCP, not with another TLS certificate;
    - nothing listens on 8787 nor outside 127.0.0.1, and no listener of its processes answers HTTP
      (there was a dashboard, and /json, /info ... listing the tasks);
    - PGPASSWORD is in neither the scheduler's nor the workers' environment (it was, for anyone to read
      with run_on_scheduler), while a task given the credentials gets them.
    """
    import urllib.request

    import psutil
    from distributed.security import Security

    from sppr_gis.distributed import cluster_client

    monkeypatch.setenv("PGPASSWORD", "rahasia-17")
    with cluster_client("local", 2) as c:
        assert c.run_on_scheduler(lambda: os.environ.get("PGPASSWORD")) is None
        address = c.scheduler.address
        port = int(address.rsplit(":", 1)[1])
        assert address.startswith("tls://")
        for other in (f"tcp://127.0.0.1:{port}",):
            with pytest.raises(Exception):  # noqa: B017 - whatever the failure, it must not connect
                Client(other, timeout="5s")
        with pytest.raises(Exception):  # noqa: B017
            Client(address, security=Security.temporary(), timeout="5s")
        assert set(c.run(lambda: os.environ.get("PGPASSWORD")).values()) == {None}
        assert c.run_on_scheduler(lambda: sorted(k for k in os.environ if "PASSWORD" in k.upper())) == []
        pids = {c.run_on_scheduler(os.getpid), *c.run(os.getpid).values()}
        pids |= {psutil.Process(p).ppid() for p in list(pids)} - {os.getpid()}  # the nannies
        assert os.getpid() not in pids  # the scheduler is not in this process (whose environment has the password)
        ports = _listening_ports(pids)
        assert ports and all(ip == "127.0.0.1" for ip, _ in ports), ports
        assert 8787 not in {p for _, p in ports}
        for _, p in ports:
            for path in ("/health", "/json/identity.json", "/info/main/workers.html", "/status"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{p}{path}", timeout=3) as resp:
                        pytest.fail(f"port {p} answered {path} with HTTP {resp.status}")
                except urllib.error.HTTPError as exc:
                    assert exc.code == 404, (p, path, exc.code)
                except (urllib.error.URLError, OSError, ValueError):
                    pass  # not HTTP (TLS)
        from sppr_gis.distributed import _with_credentials

        creds = c.scatter([{"PGPASSWORD": "rahasia-17"}], direct=True, hash=False)[0]
        assert c.submit(_with_credentials, creds, os.environ.get, "PGPASSWORD", pure=False).result() == "rahasia-17"
        assert set(c.run(lambda: os.environ.get("PGPASSWORD")).values()) == {None}  # gone after the task


# ----------------------------------------------------------------------------- issue 18 case 3: the cluster run's speed


def _digitized_inputs():
    from conftest import make_rules

    import sppr_gis

    zoning = gpd.read_file(GOLDEN / "digitized.gpkg", layer="zoning")
    programs = gpd.read_file(GOLDEN / "digitized.gpkg", layer="programs")
    acts = sorted(set(programs["kegiatan"].astype(str)))
    codes = sorted(set(zoning["KODSZN"].astype(str)))
    cells = ["I", "T", "B", "X"]
    rules = make_rules({a: {c: cells[(i + k) % 4] for k, c in enumerate(codes)} for i, a in enumerate(acts)})
    assert isinstance(rules, sppr_gis.Rules)
    return zoning, programs, rules


def test_cluster_run_uses_the_zoning_cache(client, tmp_path, monkeypatch):
    """``check(client=...)`` keeps the prepared zoning in the zoning cache (the same entry, byte for
    byte, as a local run's), a later cluster or local run reuses it without preparing the zoning
    again, ``cache=False`` neither reads nor writes it, and every run's answers equal a local
    uncached run's (max_vertices 16 cuts the 41-vertex zones, so cut pieces travel to the tasks)."""
    import sppr_gis
    from sppr_gis import pipeline

    zoning, programs, rules = _digitized_inputs()
    monkeypatch.delenv("SPPR_NO_CACHE", raising=False)
    plain = sppr_gis.check(zoning, programs, rules, max_vertices=16, cache=False)

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "local"))
    sppr_gis.check(zoning, programs, rules, max_vertices=16)
    (local_entry,) = (tmp_path / "local").glob("zoning-*.npz")

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "off"))
    off = sppr_gis.check(zoning, programs, rules, max_vertices=16, client=client, cache=False)
    assert not (tmp_path / "off").exists() or not list((tmp_path / "off").iterdir()), "cache=False wrote an entry"

    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cluster"))
    cold = sppr_gis.check(zoning, programs, rules, max_vertices=16, client=client)
    (entry,) = (tmp_path / "cluster").glob("zoning-*.npz")
    assert entry.name == local_entry.name and entry.read_bytes() == local_entry.read_bytes()

    made, sent_cut = [], []
    import sppr_gis.cluster as cluster

    real_subset = cluster._subset_cut
    monkeypatch.setattr(cluster, "_subset_cut", lambda *a: sent_cut.append(1) or real_subset(*a))
    real = pipeline._ZoningQA.__init__
    monkeypatch.setattr(pipeline._ZoningQA, "__init__", lambda self, *a, **k: made.append(1) or real(self, *a, **k))
    real_prep = pipeline.prepare_zoning_qa
    monkeypatch.setattr(pipeline, "prepare_zoning_qa", lambda *a, **k: made.append(1) or real_prep(*a, **k))
    warm = sppr_gis.check(zoning, programs, rules, max_vertices=16, client=client)
    assert made == [] and warm.timings["topology"] == 0.0, "the warm cluster run prepared the zoning again"
    assert sent_cut, "the warm cluster run did not send the cached cut pieces to its tasks"
    local_warm = sppr_gis.check(zoning, programs, rules, max_vertices=16)  # a local run on the cluster's entry
    assert made == []
    for res in (off, cold, warm, local_warm):
        assert res.timings is not None
        _frames_equal(plain.programs.drop(columns="geometry"), res.programs.drop(columns="geometry"))
        _frames_equal(plain.zone_shares, res.zone_shares)
        pd.testing.assert_frame_equal(plain.issues.drop(columns="geometry"), res.issues.drop(columns="geometry"))
        assert list(shapely.to_wkb(plain.issues.geometry.values)) == list(shapely.to_wkb(res.issues.geometry.values))
    assert warm.timings["engine.worker_seconds"] > 0  # the warm run's engine still ran on the workers


def test_tasks_get_the_zonings_cut_pieces(client):
    """A task's pieces are the whole zoning's cut restricted to its zones: the same pieces, owners and
    sources as cutting those zones alone (an independent cut), and the shares computed with them on
    the cluster equal one local ZoneIndex of the whole zoning, bit for bit."""
    from sppr_gis.cluster import _subset_cut, _unpack_cut, distributed_shares
    from sppr_gis.engine import ZoneIndex, cut_zones, polygonal_parts
    from sppr_gis.pipeline import prepare_zoning_qa

    zoning, programs, _rules = _digitized_inputs()
    prepared = prepare_zoning_qa(zoning)
    zg = np.asarray(prepared.zones.geometry.array, dtype=object)
    zc = prepared.zones["zone_code"].to_numpy(dtype=object)
    # a multipolygon among them: its parts are numbered after the single polygons' parts
    zg = zg.copy()
    zg[5] = shapely.MultiPolygon([zg[5], shapely.affinity.translate(zg[5], 5000, 0)])
    cut = cut_zones(zg, 16)
    assert (cut.source >= 0).sum() > 20 and len(cut.moved) > 0
    zsel = np.array([0, 3, 5, 7, 40, 41, 42, 90, 148])
    mine = _unpack_cut(zg[zsel], _subset_cut(cut, polygonal_parts(zg)[1], zsel, len(zg)))
    alone = cut_zones(zg[zsel], 16)
    assert len(mine.pieces) == len(alone.pieces) and shapely.equals_exact(mine.pieces, alone.pieces, 0).all()
    np.testing.assert_array_equal(mine.owner, alone.owner)
    np.testing.assert_array_equal(mine.source, alone.source)
    np.testing.assert_array_equal(mine.moved_piece, alone.moved_piece)
    # the edge envelopes are padded by a figure of the extent (the whole zoning's here, the subset's there)
    assert shapely.equals_exact(mine.moved, alone.moved, 1e-2).all()

    work = shapely.make_valid(np.asarray(programs.to_crs(prepared.crs).geometry.array, dtype=object))
    overlaps = prepared.topology.overlaps
    local = ZoneIndex(zg, zc, max_vertices=16, overlaps=overlaps, cut=cut).shares(work, workers=1)
    for size in (None, 9):
        remote = distributed_shares(client, zg, zc, work, overlaps=overlaps, max_vertices=16, partition_size=size, cut=cut)
        pd.testing.assert_frame_equal(local.pairs, remote.pairs)
        np.testing.assert_array_equal(remote.measure, local.measure)
        np.testing.assert_array_equal(remote.unzoned, local.unzoned)
        np.testing.assert_array_equal(remote.dim, local.dim)


def test_partitions_of_about_equal_cost():
    """Programs cut into runs by estimated cost: every program in one run, runs ascending, and no run
    costs more than its fair share plus the costliest single program (the bound of a greedy cut)."""
    from sppr_gis.cluster import partition_by_cost

    rng = np.random.default_rng(4)
    n = 1000
    geoms = shapely.points(rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)).astype(object)
    geoms[[3, 50]] = None  # no box: left out
    cost = rng.pareto(1.5, n) + 1.0  # a few very costly programs (long lines over many zones)
    for k in (1, 2, 4, 7):
        parts = partition_by_cost(geoms, cost, k)
        assert len(parts) == k
        allpos = np.concatenate(parts)
        assert sorted(allpos.tolist()) == [i for i in range(n) if i not in (3, 50)]
        assert all((np.diff(p) > 0).all() and len(p) for p in parts)
        total = cost[allpos].sum()
        assert max(cost[p].sum() for p in parts) <= total / k + cost.max() + 1e-9
    parts = partition_by_cost(geoms, cost, 2, max_size=300)
    assert len(parts) >= 4 and max(len(p) for p in parts) <= 300


# ----------------------------------------------------------------------------- issue 18 case 3: the relocation advice on the cluster


def _permitted_distance(geom: object, act: str, zones: gpd.GeoDataFrame, rules) -> tuple[str | None, float]:
    """The nearest permitted code and its distance, brute force: each code's polygons unioned, the
    distance to each union (plain shapely, no index, no cut pieces)."""
    key = act.strip().lower()
    permitted = sorted(z for (a, z), c in rules.cells.items() if a == key and c.cls == "I")
    best: tuple[float, str] | None = None
    for code in permitted:
        sel = zones["zone_code"].astype(str).map(lambda z: rules.zone_column(z) or z) == code
        if not sel.any():
            continue
        d = shapely.distance(geom, shapely.union_all(np.asarray(zones.geometry[sel].array, dtype=object)))
        if best is None or (d, code) < best:
            best = (d, code)
    return (None, np.nan) if best is None else (best[1], best[0])


def test_relocation_advice_on_cluster_equals_local(client, monkeypatch):
    """relocation_advice(client=...) gives the local layer row for row and bit for bit (zones cut into
    16-vertex pieces, chunks of 7 programs: many tasks, pieces shared by the tasks), the nearest zones
    were found on the workers, and each distance equals a brute-force one (union per code, shapely)."""
    import sppr_gis
    import sppr_gis.cluster as cluster
    from sppr_gis import relocation

    zoning, programs, rules = _digitized_inputs()
    res = sppr_gis.check(zoning, programs, rules, cache=False)
    monkeypatch.setattr(relocation, "RELOCATION_CHUNK", 7)
    monkeypatch.setattr(relocation, "CUT_VERTICES", 16)
    local = relocation.relocation_advice(res.programs, res.zones, rules)
    calls = []
    real = cluster.distributed_nearest
    monkeypatch.setattr(cluster, "distributed_nearest", lambda c, pieces, acts, groups, *a: calls.append(len(groups)) or real(c, pieces, acts, groups, *a))
    remote = relocation.relocation_advice(res.programs, res.zones, rules, client=client)
    assert calls and calls[0] >= 8, "the advice did not run as several tasks on the cluster"

    def kept() -> int:
        import sppr_gis.cluster as c

        return len(c._RELOCATION_PIECES)

    assert set(client.run(kept).values()) == {0}, "the workers kept the run's pieces after it"
    assert len(local) == (res.programs["status"] == "tidak_sesuai").sum() >= 20
    pd.testing.assert_frame_equal(pd.DataFrame(local.drop(columns="geometry")), pd.DataFrame(remote.drop(columns="geometry")))
    assert list(shapely.to_wkb(local.geometry.values)) == list(shapely.to_wkb(remote.geometry.values))
    # independent: the distance to the union of each permitted code's zones, nearest code first
    work = res.programs.set_index("program_id")
    for row in remote.itertuples():
        code, d = _permitted_distance(shapely.make_valid(work.geometry[row.program_id]), work.loc[row.program_id, "kegiatan_itbx"], res.zones, rules)
        if d <= relocation.DEFAULT_RELOCATION_DISTANCE:
            assert row.zone_code == code and row.jarak_m == pytest.approx(d, abs=1e-6), row.program_id
        else:
            assert pd.isna(row.zone_code)


def _relocation_rows(path: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM saran_relokasi ORDER BY fid").fetchall()


def test_relocation_layer_of_cluster_cli_is_byte_identical(cluster, tmp_path, runner, monkeypatch):
    """`sppr check --scheduler`: the saran_relokasi table of the GeoPackage holds the local run's rows,
    byte for byte (geometry blobs included), and its nearest zones were found on the cluster with the
    pieces sent once (while the workers computed the shares)."""
    import sppr_gis.cluster as cl

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    calls = []
    real = cl.distributed_nearest
    monkeypatch.setattr(cl, "distributed_nearest", lambda *a: calls.append(1) or real(*a))
    shipped = []

    class Counting(cl.ShippedPieces):
        def __init__(self, *a):
            shipped.append(1)
            super().__init__(*a)

    monkeypatch.setattr(cl, "ShippedPieces", Counting)
    args = ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{SAMPLE}/rencana_pupr.gpkg:rencana",
            "--rules", SAMPLE / "itbx.csv", "--no-cache", "-q"]
    r = invoke(runner, [*args, "--out", tmp_path / "local.gpkg"])
    assert r.exit_code == 0, r.output
    assert calls == []
    r = invoke(runner, [*args, "--out", tmp_path / "remote.gpkg", "--scheduler", cluster])
    assert r.exit_code == 0, r.output
    assert calls == [1], "the relocation advice did not run on the cluster"
    assert shipped == [1], "the pieces sent while the shares ran were not the ones used (or were sent again)"
    local, remote = _relocation_rows(tmp_path / "local.gpkg"), _relocation_rows(tmp_path / "remote.gpkg")
    assert len(local) >= 5 and remote == local


def test_failing_relocation_task_leaves_no_output(cluster, tmp_path, runner, monkeypatch):
    """A relocation task that fails on a worker: one line naming the advice, exit 1, no output file."""
    import sppr_gis.cluster as cl

    def boom(*a):  # pickled by value: the workers run this one
        raise RuntimeError("pecah di worker")

    monkeypatch.setattr(cl, "_relocation_task", boom)
    out = tmp_path / "hasil.gpkg"
    r = invoke(runner, ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{SAMPLE}/rencana_pupr.gpkg:rencana",
                        "--rules", SAMPLE / "itbx.csv", "--no-cache", "-q", "--out", out, "--scheduler", cluster])
    assert r.exit_code == 1, r.output
    assert "relocation advice" in r.output and "pecah di worker" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cluster_cli_looks_up_the_cache_while_reading(cluster, tmp_path, runner, monkeypatch):
    """`sppr check --scheduler` looks the zoning up in the cache while it reads the programs: a warm run
    prepares nothing (no QA, here or on the cluster) and writes the cold run's file byte for byte; a
    wrong --zone-field still fails with the same one line as a local run's."""
    import sppr_cli.check as cli_check
    from sppr_gis import pipeline

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    monkeypatch.delenv("SPPR_NO_CACHE", raising=False)
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    args = ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{SAMPLE}/rencana_pupr.gpkg:rencana",
            "--rules", SAMPLE / "itbx.csv", "-q", "--scheduler", cluster]
    r = invoke(runner, [*args, "--out", tmp_path / "cold.gpkg"])
    assert r.exit_code == 0, r.output
    looked, made = [], []
    real_lookup = cli_check.start_zoning_lookup
    monkeypatch.setattr(cli_check, "start_zoning_lookup", lambda *a, **k: looked.append(1) or real_lookup(*a, **k))
    real = pipeline._ZoningQA.__init__
    monkeypatch.setattr(pipeline._ZoningQA, "__init__", lambda self, *a, **k: made.append(1) or real(self, *a, **k))
    r = invoke(runner, [*args, "--out", tmp_path / "warm.gpkg"])
    assert r.exit_code == 0, r.output
    assert looked == [1] and made == [], "the warm cluster run did not take the zoning from the cache looked up while reading"
    assert (tmp_path / "warm.gpkg").read_bytes() == (tmp_path / "cold.gpkg").read_bytes()
    bad = [a if a != "-q" else "--zone-field=TIDAK_ADA" for a in args]
    remote = invoke(runner, [*bad, "--out", tmp_path / "x.gpkg"])
    local = invoke(runner, [*bad[:-2], "--out", tmp_path / "y.gpkg"])
    assert remote.exit_code == local.exit_code == 1 and "TIDAK_ADA" in remote.output
    assert remote.output.strip().splitlines()[-1] == local.output.strip().splitlines()[-1]
    assert not (tmp_path / "x.gpkg").exists()


def test_warm_cluster_run_reuses_the_relocation_pieces(cluster, tmp_path, runner, monkeypatch):
    """`sppr check --scheduler` with the cache: the cold run keeps the relocation pieces next to the
    zoning's entry, the warm run sends those to the workers without cutting them (the cutter raises),
    and both saran_relokasi tables hold a local --no-cache run's rows byte for byte."""
    from sppr_gis import relocation

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    monkeypatch.setenv("SPPR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SPPR_NO_CACHE", raising=False)
    monkeypatch.setattr(relocation, "CUT_VERTICES", 16)  # the sample's zones are cut into pieces
    real = relocation.split_large
    cut = []

    def counted(*a, **k):
        cut.append(1)
        return real(*a, **k)

    monkeypatch.setattr(relocation, "split_large", counted)
    args = ["check", "--zoning", f"{SAMPLE}/zoning.gpkg:rdtr_subzona", "--programs", f"{SAMPLE}/rencana_pupr.gpkg:rencana", "--rules", SAMPLE / "itbx.csv", "-q"]
    r = invoke(runner, [*args, "--no-cache", "--out", tmp_path / "local.gpkg"])
    assert r.exit_code == 0, r.output
    r = invoke(runner, [*args, "--out", tmp_path / "cold.gpkg", "--scheduler", cluster])
    assert r.exit_code == 0, r.output
    assert len(cut) == 2 and len(list((tmp_path / "cache").glob("pieces-*.npz"))) == 1

    def fail(*a, **k):
        raise AssertionError("the relocation pieces were cut again")

    monkeypatch.setattr(relocation, "split_large", fail)
    r = invoke(runner, [*args, "--out", tmp_path / "warm.gpkg", "--scheduler", cluster])
    assert r.exit_code == 0, r.output
    local = _relocation_rows(tmp_path / "local.gpkg")
    assert len(local) >= 5 and _relocation_rows(tmp_path / "cold.gpkg") == local and _relocation_rows(tmp_path / "warm.gpkg") == local
