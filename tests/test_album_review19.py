"""Issue 19 (defect 7), the cartographer's review of the album's map pages on a realistic configuration.

Expected values come from geometry built here or from the configuration's own file names, never from the
code that draws the pages.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from conftest import SAMPLE

matplotlib.use("Agg")

pdfplumber = pytest.importorskip("pdfplumber")


def _pdf_words(fig):
    """Words of a page as printed (pdfplumber: real text only; glyph outlines are not words)."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        return doc.pages[0].extract_words()


# --------------------------------------------------------------------------- 5: kinerja cited by default


def test_kinerja_input_is_cited_by_file_name_without_album_sumber():
    """Review 5: the kinerja pages cite their input like the other inputs: ``[album.sumber] kinerja`` when given,
    else "berkas <file name>" of ``[inputs] kinerja``."""
    from sppr_gis.config import load_config
    from sppr_gis.run import _album_sources

    cfg = load_config(SAMPLE / "sppr.toml")
    assert cfg.inputs.kinerja is not None
    inputs = SimpleNamespace(config=cfg)
    assert _album_sources(inputs, None)["kinerja"] == "berkas kinerja.xlsx"
    assert _album_sources(inputs, {"kinerja": "Renstra OPD 2025"})["kinerja"] == "Renstra OPD 2025"


@pytest.fixture(scope="module")
def sample():
    """The sample's 2025 result and the layers the sync hands to the album."""
    from mapdata import sample_album_layers

    return sample_album_layers()


def test_kinerja_per_kecamatan_page_cites_the_kinerja_input(sample):
    """Review 5: Peta 17 (capaian per kecamatan) shows kinerja values, so its sources strip cites the kinerja
    input (with the [album.sumber] text), not only the programs and the kecamatan boundaries."""
    from sppr_gis.maps import album as album_mod
    from sppr_gis.maps.kinerja_pages import page_capaian_kecamatan

    res, layers = sample
    sumber = {"rencana": "RKPD 2025", "kecamatan": "Batas kecamatan contoh", "kinerja": "berkas kinerja.xlsx"}
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=72, paper="A4", sumber=sumber)
    page = page_capaian_kecamatan(a, res.kinerja)
    assert page is not None
    cited = " ".join(page.sources_artist.get_text().split())
    assert "Capaian kinerja (Renstra/Renja): berkas kinerja.xlsx" in cited, cited


# --------------------------------------------------------------------------- 7: haloed names stay text


def test_haloed_labels_are_real_text_in_the_pdf():
    """Review 7: names placed with a white halo (point labels, line labels, the inset's names) are real text
    in the PDF: pdfplumber finds each of them as words, and the halo is still drawn (a white stroke under)."""
    import matplotlib.pyplot as plt
    import shapely

    from sppr_gis.maps.cartography.common import _HALO
    from sppr_gis.maps.cartography.labels import place_labels, place_line_labels

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_facecolor("#777777")
    placed = place_labels(ax, [(20, 80), (70, 20)], ["Kelurahan Sukamaju", "Kecamatan Bukit Bestari"], fontsize=9)
    placed += place_line_labels(ax, [shapely.LineString([(5, 50), (95, 52)])], ["Jalan Raja Haji Fisabilillah"], fontsize=9)
    ax.text(50, 90, "Kabupaten Bintan", path_effects=_HALO, fontsize=9)
    assert len(placed) == 3
    words = " ".join(w["text"] for w in _pdf_words(fig))
    plt.close(fig)
    for name in ("Kelurahan Sukamaju", "Kecamatan Bukit Bestari", "Jalan Raja Haji Fisabilillah", "Kabupaten Bintan"):
        assert name in words, (name, words)
    # the halo is still there: a white stroke under each name (rendered: white pixels on the grey ground)
    fig, ax = plt.subplots(figsize=(2, 1), dpi=100)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_facecolor("#777777")
    ax.set_axis_off()
    fig.patch.set_facecolor("#777777")
    ax.text(0.5, 0.5, "Bintan", path_effects=_HALO, fontsize=14, ha="center", va="center", color="black")
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    assert (img.min(axis=2) > 240).sum() > 50  # the halo's white
    assert (img.max(axis=2) < 30).sum() > 50  # the black text over it
