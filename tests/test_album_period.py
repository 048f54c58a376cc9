"""Issue 19, defect 6: one source for the period and title case.

- The Daftar Peta and Peta 6 said 2021-2030 (the span of the IPU data) while the Buku Matriks said 2023-2027 (the
  medium-term window of the config, ``medium_term_start``). The album now takes the window ``sppr sync`` computed
  for the Buku Matriks: same period, same IPUs.
- "Umum Dan": Indonesian titles keep their conjunctions lower case.
"""

from __future__ import annotations

import dataclasses
import re

import geopandas as gpd
import pytest
from conftest import SAMPLE

from sppr_gis.text import judul


@pytest.fixture(scope="module")
def inputs():
    from sppr_gis.config import load_config
    from sppr_gis.prepare import load_inputs

    return load_inputs(load_config(SAMPLE / "sppr.toml"))


def _album_layers(inputs, year, tmp_path, monkeypatch):
    """The layers ``sppr sync`` hands to the album (captured at :func:`write_album`, which is not run here)."""
    import sppr_gis.maps.album as album_mod
    import sppr_gis.report.html as html_mod
    from sppr_gis.run import _album_and_report, run_year

    res = run_year(inputs, year)
    seen = {}
    monkeypatch.setattr(album_mod, "write_album", lambda layers, *a, **k: seen.update(layers) or [])
    monkeypatch.setattr(html_mod, "write_report", lambda *a, **k: None)
    _album_and_report(res, inputs, tmp_path, res.tables, {"timings": {}})
    return res, seen


def _jm_page(layers, year):
    from sppr_gis.maps.album import album_pages

    keep = {k: layers[k] for k in ("indikasi_program", "kecamatan")}
    for stem, page in album_pages(keep, year=year, title="SPPR Kota Contoh", paper="A4", dpi=30):
        if stem.endswith("ipu_jangka_menengah"):
            return page
    raise AssertionError("no Jangka Menengah map")


@pytest.mark.parametrize(("start", "year", "window"), [(2023, 2025, (2023, 2027)), (2021, 2025, (2021, 2025)), (2021, 2027, (2026, 2030))])
def test_the_jangka_menengah_map_has_the_buku_matriks_period_and_ipus(inputs, tmp_path, monkeypatch, start, year, window):
    # the window by hand: five-year blocks from medium_term_start; the IPUs in it straight from the sample's file
    cfg = inputs.config
    monkeypatch.setattr(inputs, "config", dataclasses.replace(cfg, parameters=dataclasses.replace(cfg.parameters, medium_term_start=start)))
    res, layers = _album_layers(inputs, year, tmp_path, monkeypatch)
    assert tuple(res.window) == window
    ipu = gpd.read_file(SAMPLE / "ipu.gpkg")
    overlap = (ipu["tahun_mulai"] <= window[1]) & (ipu["tahun_akhir"] >= window[0])
    in_window, outside = set(ipu.loc[overlap, "ipu_id"]), set(ipu.loc[~overlap, "ipu_id"])
    # the Buku Matriks' sheet lists exactly the IPUs of the window
    assert set(res.tables["jangka_menengah"]["ipu_id"]) == in_window
    page = _jm_page(layers, year)
    assert page.title == f"Peta Indikasi Program Utama Jangka Menengah {window[0]}–{window[1]}"
    # the list beside the map, or on the continuation page when the map keeps the full frame (overflow rows)
    text = " ".join([t.get_text() for t in page.fig.texts] + [str(t) for _n, t in (page.overflow_rows if page.table_apart else [])])
    printed = set(re.findall(r"IPU-\d{3}", text))
    assert printed <= in_window and not printed & outside  # (IPUs without geometry may be placed by lokasi)
    if start == 2021 and year == 2027:
        assert outside  # the case is meaningful: some IPUs end before 2026
    assert printed, text[:200]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dinas pekerjaan umum dan penataan ruang", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("DINAS PERUMAHAN DAN KAWASAN PERMUKIMAN", "Dinas Perumahan dan Kawasan Permukiman"),
        ("badan perencanaan pembangunan, riset dan inovasi daerah", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah"),
        ("dan lain-lain untuk kota di pesisir", "Dan Lain-Lain untuk Kota di Pesisir"),
        ("dinas kependudukan dan pencatatan sipil DKI jakarta", "Dinas Kependudukan dan Pencatatan Sipil DKI Jakarta"),
        ("program yang dilaksanakan pada atau dengan dana dari APBD ke desa", "Program yang Dilaksanakan pada atau dengan Dana dari APBD ke Desa"),
    ],
)
def test_judul_keeps_conjunctions_lower_case(text, expected):
    assert judul(text) == expected


def test_the_report_captions_opd_maps_in_title_case():
    from sppr_gis.report.html import _caption

    assert _caption("09_opd_dinas-pekerjaan-umum-dan-penataan-ruang.png") == "Program Dinas Pekerjaan Umum dan Penataan Ruang"
