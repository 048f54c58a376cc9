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


# --------------------------------------------------------------------------- legend classes no feature falls in


def test_category_legend_leaves_out_a_class_with_no_item():
    """Review s9: "Perlu kajian (0)" was keyed on Peta 3 and Peta 13 of Bandung (no program had that status). With
    counts, only the classes that hold an item are listed, in the given order."""
    from sppr_gis.maps.cartography import category_legend

    colors = {"a": (1, 2, 3), "b": (4, 5, 6), "c": (7, 8, 9)}
    h, lab = category_legend(colors, {"a": "A", "b": "B", "c": "C"}, {"a": 2, "c": 1, "b": 0}, kind="mixed", order=("c", "b", "a"))
    assert lab == ["C (1)", "A (2)"] and len(h) == 2


def test_status_keys_leave_out_a_status_no_program_has(sample):
    """The conformance map and the kecamatan budget map of a plan with no 'perlu kajian' program (the sample's
    programs less those): no 'Perlu kajian' entry in either legend; the other statuses keyed with their counts."""
    from sppr_gis.maps.pages.budget import page_kecamatan
    from sppr_gis.maps.pages.conformance import page_conformance
    from sppr_gis.vocabulary import STATUS_LABELS

    _res, layers = sample
    r = layers["rencana"]
    assert (r["status"] == "perlu_kajian").any()
    kept = dict(layers, rencana=r[r["status"] != "perlu_kajian"])
    counts = kept["rencana"]["status"].astype(str).value_counts().to_dict()
    for page in (page_conformance, page_kecamatan):
        f = page(_album(kept))
        labels = [" ".join(t.get_text().split()) for lg in f.legends for t in lg.texts]
        assert not [t for t in labels if t.startswith("Perlu kajian")], (page.__name__, labels)
        for status, n in counts.items():
            assert any(t.startswith(f"{STATUS_LABELS[status]} ({n}") for t in labels), (page.__name__, status, n, labels)
