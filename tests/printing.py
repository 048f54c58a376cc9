"""Helpers the print tests share: the Buku Matriks printed through LibreOffice, and a logo drawn for the album."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest


def soffice() -> str:
    """The LibreOffice executable; the test is skipped without it or without pdfplumber."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) not installed")
    pytest.importorskip("pdfplumber")
    return exe


def print_book(book: Path, out: Path) -> Path:
    """The book printed to PDF by LibreOffice (a profile of its own, so that runs side by side do not share one)."""
    profile = out / "lo-profile"
    subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=300)
    return out / (book.stem + ".pdf")


def draw_logo(folder: Path) -> Path:
    """A logo drawn here (a shield with a pin), as ``folder/logo.png``."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Polygon

    fig = Figure(figsize=(1.0, 1.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 12)
    ax.set_axis_off()
    ax.add_patch(Polygon([(1, 11), (9, 11), (9, 5), (5, 0.6), (1, 5)], closed=True, fc="#0b5394", ec="#d4a017", lw=3))
    ax.add_patch(Circle((5, 7), 2, fc="#d4a017"))
    path = folder / "logo.png"
    fig.savefig(path)
    return path


@contextlib.contextmanager
def pdf_page(fig):
    """The figure printed to PDF (TrueType fonts, as the album writes it), open as a pdfplumber page."""
    import matplotlib
    import pdfplumber

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format="pdf")
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        yield doc.pages[0]


def pdf_words(fig) -> tuple[list[dict], float]:
    """Words of a figure as printed to PDF (pdfplumber: real text only, glyph outlines are not words; x0, top,
    x1, bottom in PDF points from the top left) and the page height."""
    with pdf_page(fig) as page:
        # upright and rotated characters apart: pdfplumber 0.11 otherwise cuts a horizontal line of text into single
        # letters where a rotated label (a grid label, a road name) shares its height ("Zon a L i n d u n g"); and in
        # the order written (each matplotlib text one run), not by lines across the page: a line of the legend beside
        # stacked zone codes ("RTH" over "1") is otherwise interleaved with them
        def chars(upright: bool):
            return page.filter(lambda o: o.get("object_type") != "char" or bool(o.get("upright")) == upright)
        return chars(True).extract_words(use_text_flow=True) + chars(False).extract_words(), page.height
