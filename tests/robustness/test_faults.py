"""Faults and interrupts lose nothing: real signals to a real child process, real full and read-only file systems."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from robust import PROGRAMS, RULES, SAMPLE, ZONING, mountable, remount_readonly, sppr, sppr_popen, tmpfs  # noqa: F401 (fixtures)

CONFIG = SAMPLE / "sppr.toml"


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("Error")]


def _all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture(scope="module")
def result_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("res") / "hasil.gpkg"
    r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def _signal_while_staging(tmp_path: Path, sig: int) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    out.mkdir()
    (out / "2025").mkdir()
    (out / "2025" / "sebelumnya.txt").write_text("hasil lama")  # an earlier run's folder: must survive untouched
    (out / "2025" / "manifest.json").write_text('{"outputs": ["sebelumnya.txt", "manifest.json"]}')  # (its files, as sync lists them)
    # --no-cache: the zoning prepared by an earlier test (the cache key is the content, not the path) would make
    # the run end within the moment the signal needs to land
    proc = sppr_popen("sync", "--config", CONFIG, "--year", "2025", "--out", out, "--no-maps", "--no-cache")
    deadline = time.monotonic() + 120
    staged = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(".sppr-staging-") for p in out.iterdir()):
            staged = True
            time.sleep(0.3)  # let it get into the work
            break
        time.sleep(0.01)
    assert staged and proc.poll() is None, "the run ended before its staging folder appeared"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    # (what the run printed on stdout too: a run that ended normally despite the signal shows its summary there)
    return proc.returncode, stderr + ("\n--- stdout:\n" + stdout if proc.returncode in (0, None) else ""), out


def test_sigterm_during_sync_exits_143_and_leaves_nothing(tmp_path: Path) -> None:
    rc, stderr, out = _signal_while_staging(tmp_path, signal.SIGTERM)
    assert rc == 143, stderr
    errors = _errors(stderr)
    assert len(errors) == 1 and "SIGTERM" in errors[0], stderr
    assert "Traceback" not in stderr
    assert _all_files(out) == ["2025", "2025/manifest.json", "2025/sebelumnya.txt"]


def test_ctrl_c_during_sync_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    rc, stderr, out = _signal_while_staging(tmp_path, signal.SIGINT)
    assert rc == 130, stderr
    errors = _errors(stderr)
    assert len(errors) == 1 and "Ctrl-C" in errors[0], stderr
    assert "Traceback" not in stderr
    assert _all_files(out) == ["2025", "2025/manifest.json", "2025/sebelumnya.txt"]


def test_full_disk_check_one_line_naming_the_path_nothing_left(tmp_path: Path, mountable: None) -> None:
    with tmpfs(tmp_path / "full", size="64k") as full:
        target = full / "hasil.gpkg"
        r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", target)
        assert r.returncode == 1
        errors = _errors(r.stderr)
        assert len(errors) == 1 and str(target) in errors[0] and "disk full" in errors[0], r.stderr
        assert "Traceback" not in r.stderr
        assert _all_files(full) == []


def test_gpkg_and_tables_appear_together_or_not_at_all(tmp_path: Path, mountable: None) -> None:
    """The tables do not fit (full disk): the GeoPackage, written first, must not appear alone."""
    with tmpfs(tmp_path / "full", size="16k") as full:
        out = tmp_path / "hasil.gpkg"
        r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", out, "--tables", full / "hasil.xlsx")
        assert r.returncode == 1
        assert "disk full" in _errors(r.stderr)[0] and str(full / "hasil.xlsx") in _errors(r.stderr)[0], r.stderr
        assert not out.exists()
        assert _all_files(full) == []
        assert [p.name for p in tmp_path.iterdir()] == ["full"]  # no temporary GeoPackage beside the target


def test_read_only_file_system_check_and_sync(tmp_path: Path, mountable: None) -> None:
    with tmpfs(tmp_path / "ro", size="1m") as ro:
        remount_readonly(ro)
        r = sppr("-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", ro / "hasil.gpkg")
        assert r.returncode == 1
        errors = _errors(r.stderr)
        assert len(errors) == 1 and str(ro / "hasil.gpkg") in errors[0] and "read-only file system" in errors[0], r.stderr
        r = sppr("-q", "sync", "--config", CONFIG, "--year", "2025", "--out", ro / "o", "--no-maps")
        assert r.returncode == 1
        errors = _errors(r.stderr)
        assert len(errors) == 1 and str(ro / "o") in errors[0] and "read-only file system" in errors[0], r.stderr
        assert "Traceback" not in r.stderr


def test_full_disk_sync_leaves_no_staging(tmp_path: Path, mountable: None) -> None:
    with tmpfs(tmp_path / "full", size="256k") as full:
        r = sppr("-q", "sync", "--config", CONFIG, "--year", "2025", "--out", full / "o", "--no-maps")
        assert r.returncode == 1
        errors = _errors(r.stderr)
        assert len(errors) == 1 and str(full / "o") in errors[0] and "disk full" in errors[0], r.stderr
        assert "Traceback" not in r.stderr
        assert _all_files(full) == []


def test_map_of_a_corrupt_geopackage_is_a_clean_error_without_image(tmp_path: Path, result_gpkg: Path) -> None:
    bad = tmp_path / "rusak.gpkg"
    bad.write_bytes(result_gpkg.read_bytes()[:6000])
    r = sppr("map", bad, "--out", tmp_path / "peta.png")
    assert r.returncode == 1
    errors = _errors(r.stderr)
    assert len(errors) == 1 and str(bad) in errors[0], r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rusak.gpkg"]


def test_map_styles_into_a_read_only_geopackage_no_stray_image(tmp_path: Path, result_gpkg: Path, mountable: None) -> None:
    with tmpfs(tmp_path / "ro", size="2m") as ro:
        (ro / "hasil.gpkg").write_bytes(result_gpkg.read_bytes())
        remount_readonly(ro)
        out = tmp_path / "img"
        out.mkdir()
        r = sppr("map", ro / "hasil.gpkg", "--out", out / "peta.png", "--qgis-styles")
        assert r.returncode == 1
        errors = _errors(r.stderr)
        assert len(errors) == 1 and str(ro / "hasil.gpkg") in errors[0] and "read-only" in errors[0], r.stderr
        assert "Traceback" not in r.stderr
        assert list(out.iterdir()) == []
