"""Text fitting measures candidate wraps line by line (issue 19, defect 8: page building time); the widths and the
chosen wraps must be those of the matplotlib artists it no longer makes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography.textfit import _fit_block, _fit_text, _measure, _width, _wrap_lines  # noqa: E402

PARAS = [
    "Sumber: Rencana program OPD tahun 2025 (Bappeda); batas administrasi kecamatan dan kelurahan (BIG, 2023); "
    "pola ruang RTRW Kota 2021-2041 (Perda No. 3 Tahun 2021), dipudarkan.",
    "Catatan: 12 lokasi program di luar bingkai peta (P-0001, P-0002, P-0003, P-0004, P-0005, P-0006, P-0007, P-0008, ...).",
    "Sistem koordinat WGS 84 / UTM zone 48S (EPSG:32748); jarak pada skala grafis adalah jarak grid proyeksi.",
    "Dibuat 14-11-2023 dengan sppr_gis 0.0.0.",
]


def _fig() -> Figure:
    fig = Figure(figsize=(16.54, 11.69), dpi=100)
    FigureCanvasAgg(fig)
    return fig


@pytest.mark.parametrize("size,kw", [(7.0, {}), (9.2, {"linespacing": 1.2}), (11.0, {"fontweight": "bold"}), (7.5, {"fontstyle": "italic"})])
def test_measured_width_is_the_artists(size: float, kw: dict) -> None:
    fig = _fig()
    m = _measure(fig, size, {"va": "top", **kw})
    for w in (130, 61, 40, 22):
        s = "\n".join(_wrap_lines(p, w) for p in PARAS)
        t = fig.text(0.3, 0.8, s, fontsize=size, va="top", **kw)
        assert m.width(s) == pytest.approx(_width(fig, t), rel=1e-12, abs=1e-12)
        t.remove()


def _reference_block(fig: Figure, paras: list[str], max_width: float, min_y: float, size: float) -> tuple[str, float]:
    """The block by a linear scan making an artist for every wrap width (largest fitting width first)."""
    from sppr_gis.maps.cartography.common import MIN_PT
    from sppr_gis.maps.cartography.textfit import _bottom

    while True:
        chosen = None
        for w in range(130, 19, -3):
            t = fig.text(0.05, 0.5, "\n".join(_wrap_lines(p, w) for p in paras), fontsize=size, va="top", linespacing=1.2)
            fits = _width(fig, t) <= max_width
            t.remove()
            if fits:
                chosen = "\n".join(_wrap_lines(p, w) for p in paras)
                break
        if chosen is None:
            chosen = "\n".join(_wrap_lines(p, 20) for p in paras)
        t = fig.text(0.05, 0.5, chosen, fontsize=size, va="top", linespacing=1.2)
        bottom = _bottom(fig, t)
        t.remove()
        if bottom >= min_y or size <= MIN_PT:
            return chosen, size
        size = max(MIN_PT, size - 0.3)


@pytest.mark.parametrize("max_width,min_y", [(0.40, 0.40), (0.22, 0.38), (0.12, 0.30), (0.30, 0.47)])
def test_fit_block_is_the_linear_scans(max_width: float, min_y: float) -> None:
    fig = _fig()
    want = _reference_block(fig, PARAS, max_width, min_y, 9.2)
    t = _fit_block(fig, 0.05, 0.5, PARAS, max_width, min_y, fontsize=9.2, linespacing=1.2, drop=False)
    assert (t.get_text(), t.get_fontsize()) == want


def test_fit_text_is_the_widest_fitting_wrap() -> None:
    fig = _fig()
    title = "PETA SEBARAN RENCANA PROGRAM PERANGKAT DAERAH: DINAS PEKERJAAN UMUM DAN PENATAAN RUANG KOTA"
    t = _fit_text(fig, 0.7, 0.9, title, 0.18, fontsize=11, min_fontsize=9, fontweight="bold", va="top")
    want = None
    for size in (11, 10.5, 10, 9.5, 9):
        for w in range(60, 9, -2):
            probe = fig.text(0.7, 0.9, _wrap_lines(title, w), fontsize=size, fontweight="bold", va="top")
            fits = _width(fig, probe) <= 0.18
            probe.remove()
            if fits:
                want = (_wrap_lines(title, w), size)
                break
        if want:
            break
    assert (t.get_text(), t.get_fontsize()) == want
