"""The Kata Pengantar's signature block never breaks inside a name with degrees (issue 19, cartographer review:
"Dr. Ir. Nama Penandatangan Lengkap, S.T.," / "M.T." printed on two lines)."""

from __future__ import annotations

import pytest

from sppr_gis.maps.pages.front import kata_pengantar_page, name_lines

pdfplumber = pytest.importorskip("pdfplumber")

TITLE = "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Contoh"
NAME = "Dr. Ir. Nama Penandatangan Lengkap, S.T., M.T."
NIP = "NIP 19700101 199503 1 001"
TEXT = "Album Peta ini melengkapi Buku Matriks SPPR Kota Contoh.\n\nData kota ini adalah data contoh."


def _lines(fig, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    fig.savefig(path)
    with pdfplumber.open(str(path)) as doc:
        return [ln.strip() for ln in (doc.pages[0].extract_text() or "").split("\n")]


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_the_name_with_degrees_prints_on_one_line(tmp_path, paper):
    fig = kata_pengantar_page(TEXT, signatory=f"{TITLE}\n\n{NAME}\n{NIP}", place_date="Kota Contoh, 7 Desember 2026", paper=paper, dpi=72)
    lines = _lines(fig, tmp_path, paper)
    assert NAME in lines, lines  # the whole name and its degrees on one line
    assert "M.T." not in lines and NIP in lines


def test_a_name_too_long_for_the_page_breaks_before_its_degrees(tmp_path):
    name = "Prof. Dr. Ir. Raden Mas Nama Penandatangan Yang Sangat Panjang Sekali Dan Lengkap Sekali Lagi, S.T., M.T., M.Eng., Ph.D."
    fig = kata_pengantar_page(TEXT, signatory=f"{TITLE}\n\n{name}\n{NIP}", place_date="Kota Contoh, 7 Desember 2026", paper="A4", dpi=72)
    lines = _lines(fig, tmp_path, "long")
    head = name.split(", ")[0] + ","
    assert head in lines, lines  # the name whole, its comma ending the line
    degrees = [ln for ln in lines if "S.T." in ln or "Ph.D." in ln]
    assert degrees and all(ln.rstrip(",").split(", ") and all(d.endswith(".") for d in ln.rstrip(",").split(", ")) for ln in degrees), degrees
    assert " ".join(degrees).replace(" ", "") == "S.T.,M.T.,M.Eng.,Ph.D."  # every degree whole, in order


@pytest.mark.parametrize(
    ("name", "width", "expected"),
    [
        # fits: one line
        ("Dr. Ir. Nama, S.T., M.T.", 40, ["Dr. Ir. Nama, S.T., M.T."]),
        # does not fit: the name, then the degrees together when they fit
        ("Dr. Ir. Nama Penandatangan Lengkap, S.T., M.T.", 36, ["Dr. Ir. Nama Penandatangan Lengkap,", "S.T., M.T."]),
        # the degrees on as few lines as fit, never split inside one
        ("Nama Lengkap, S.T., M.T., M.Eng., Ph.D.", 14, ["Nama Lengkap,", "S.T., M.T.,", "M.Eng., Ph.D."]),
        # not a name with degrees: left to the ordinary wrapping
        ("Badan Perencanaan, Riset dan Inovasi Daerah", 20, ["Badan Perencanaan, Riset dan Inovasi Daerah"]),
        ("Nama Tanpa Gelar", 5, ["Nama Tanpa Gelar"]),
    ],
)
def test_name_lines_table(name, width, expected):
    assert name_lines(name, lambda t: len(t) <= width) == expected
