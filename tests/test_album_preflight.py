"""Issue 19, defect 1 (its last point): a signature block that cannot fit stops ``sppr sync`` with exit 1 naming
the key *before* any input is read or output written, not after the GeoPackage and the Buku Matriks."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, invoke

HUGE = "\\n".join(f"Baris jabatan {i} yang panjang sekali untuk diuji" for i in range(60)) + "\\n\\nNama Lengkap, S.T.\\nNIP 19700101 199503 1 001"


def _sample_with(tmp_path, penandatangan: str):
    src = tmp_path / "sample"
    shutil.copytree(SAMPLE, src, ignore=shutil.ignore_patterns("make_sample.py", "README.md"))
    cfg = src / "sppr.toml"
    text = cfg.read_text(encoding="utf-8")
    text, n = re.subn(r'^penandatangan = ".*"$', lambda _m: f'penandatangan = "{penandatangan}"', text, flags=re.MULTILINE)
    assert n == 1
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_a_block_that_cannot_fit_stops_sync_before_reading_or_writing(tmp_path, monkeypatch):
    import sppr_gis.run as run_mod

    cfg = _sample_with(tmp_path, HUGE)
    out = tmp_path / "out"

    def must_not_read(*a, **k):
        raise AssertionError("the inputs were read before the album's signature block was checked")

    monkeypatch.setattr(run_mod, "load_inputs", must_not_read)
    res = invoke(CliRunner(), ["sync", "--config", cfg, "--year", "2025", "--out", out, "-q"])
    assert res.exit_code == 1, res.output
    err = res.stderr.strip()
    assert "Traceback" not in res.output + res.stderr
    assert len(err.splitlines()) == 1 and "album.penandatangan" in err, err
    assert not out.exists()


def test_with_no_maps_the_block_is_not_checked(tmp_path, monkeypatch):
    import sppr_gis.run as run_mod

    cfg = _sample_with(tmp_path, HUGE)
    seen = []

    def stop_here(*a, **k):
        seen.append(True)
        raise run_mod.SpprError("stopped after the check")

    monkeypatch.setattr(run_mod, "load_inputs", stop_here)
    res = invoke(CliRunner(), ["sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "out", "-q", "--no-maps"])
    assert seen and res.exit_code == 1 and "stopped after the check" in res.stderr


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_the_samples_block_and_a_four_line_block_pass_the_check(tmp_path, paper):
    from sppr_gis.config import load_config
    from sppr_gis.run import check_album_layout

    four = "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Contoh\\n\\nDr. Ir. Raja Muhammad Ariffin, S.T., M.T.\\nNIP 19700101 199503 1 001"
    cfg = _sample_with(tmp_path, four)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('paper = "A3"', f'paper = "{paper}"'), encoding="utf-8")
    check_album_layout(load_config(cfg))
    check_album_layout(load_config(SAMPLE / "sppr.toml"))
