"""Issue 19, the cartographer's review of session 9 on the Kota Bandung album (findings on constructed data or the
sample; the Bandung data has no licence and is never committed).

Expected values come from geometry and figures built here, never from the drawing code's own output.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from mapdata import sample_album_layers  # noqa: E402

from sppr_gis.maps import album as album_mod  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    return sample_album_layers()


def _album(layers, paper="A3", dpi=100, **kw):
    return album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=dpi, paper=paper, **kw)


# --------------------------------------------------------------------------- Grafik 1: averages clear of the 90 % line


@pytest.mark.parametrize("average", [88.9, 90.4, 64.2])
def test_chart_average_label_stands_clear_of_the_predikat_lines(sample, average):
    """Review s9 (Bandung Grafik 1): an average label sat on the 90 % line. A cluster whose average is a hair from a
    predikat limit (88.9 and 90.4 beside 90, 64.2 beside 65) prints "rata-rata ..." with no predikat line (50, 65, 75,
    90: Permendagri 86/2017) running through its text."""
    from sppr_gis.maps.kinerja_pages import page_capaian_opd

    res, layers = sample
    kl = res.kinerja.klaster.copy()
    kl["capaian"] = kl["capaian"].astype(float)
    kl.loc[kl.index[0], "capaian"] = average
    page = page_capaian_opd(_album(layers, sumber={"kinerja": "berkas kinerja.xlsx"}), SimpleNamespace(opd=res.kinerja.opd, klaster=kl, year=2025))
    page.fig.canvas.draw()
    r = page.fig.canvas.get_renderer()
    ax = next(x for x in page.fig.axes if any(t.get_gid() == "bar-value" for t in x.texts))
    want = f"rata-rata {average:.1f}%".replace(".", ",")
    label = next(t for t in ax.texts if want in t.get_text())
    bb = label.get_window_extent(r)
    for limit in (50.0, 65.0, 75.0, 90.0):
        x = ax.transData.transform((limit, 0))[0]
        assert not bb.x0 - 0.5 <= x <= bb.x1 + 0.5, (want, limit, round(bb.x0, 1), round(x, 1), round(bb.x1, 1))
