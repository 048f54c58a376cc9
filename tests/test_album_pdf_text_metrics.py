"""A PDF page's texts are measured through its MixedModeRenderer by the PDF renderer under it; the album's pages
repeat their numbers, legends and signatory lines, so a size measured on one page serves the next (issue 19,
point 8: each page's new renderer measured them anew)."""

from __future__ import annotations

import hashlib
import io

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages, RendererPdf  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import common  # noqa: E402

TEXTS = [str(n) for n in range(1, 121)] + ["Legenda: Dinas Pekerjaan Umum dan Penataan Ruang", "Kecamatan Sukajadi", "Rp 1.234.567"]


def _page() -> Figure:
    fig = Figure(figsize=(8.27, 11.69), dpi=200)
    for i, t in enumerate(TEXTS):
        fig.text(0.02 + 0.3 * (i % 3), 0.98 - 0.0075 * i, t, fontsize=6 + (i % 3))
    return fig


def _pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"CreationDate": None}) as pdf:
        for _ in range(pages):
            pdf.savefig(_page())
    return buf.getvalue()


def test_a_pdf_page_measures_what_an_earlier_page_measured_once_and_draws_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    plain_measure = RendererPdf.get_text_width_height_descent

    def counted(self: RendererPdf, s: str, prop: object, ismath: object) -> tuple[float, float, float]:
        calls.append(s)
        return plain_measure(self, s, prop, ismath)

    common._TEXT_METRICS.clear()
    with monkeypatch.context() as m:
        m.setattr(RendererPdf, "get_text_width_height_descent", counted)
        shared = _pdf(3)
    # every text of the page measured on the first page only (each page has its own renderer)
    assert sorted(calls) == sorted(TEXTS)
    # the same bytes as with matplotlib's own cache, one per renderer
    monkeypatch.setattr(matplotlib.text, "_get_text_metrics_function", common._TEXT_METRICS_FUNCTION)
    assert hashlib.md5(shared).hexdigest() == hashlib.md5(_pdf(3)).hexdigest()
