"""Issue 19 (t19-fix, high): a program has one number everywhere.

Peta 4 said "Nomor pada peta = nomor baris lembar Kesesuaian" but the sheet had no "No." column (and Excel's row
numbers are one off, the header taking row 1), and the OPD maps (Peta 7-12) numbered their programs from 1 again.
Now the Kesesuaian sheet has a "No." column, and for every program listed, the number on Peta 4's list, the
Kesesuaian "No." and the number on its OPD map's list are equal. The book is read with openpyxl and the album
PDF with pdfplumber (the numbers as printed).
"""

from __future__ import annotations

import re

import pytest
from conftest import SAMPLE
from mapdata import sample_album_layers

openpyxl = pytest.importorskip("openpyxl")
pdfplumber = pytest.importorskip("pdfplumber")

ROW = re.compile(r"(?<![\d-])(\d+)\.? ?([A-Z]+-\d{4}-\d{3})\b")  # "12 PUPR-2025-012 ..." in a list, "36. DINKES-2025-001 ..." in a legend


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from sppr_gis.config import load_config
    from sppr_gis.maps.album import write_album
    from sppr_gis.run import _write_book

    res, layers = sample_album_layers()
    cfg = load_config(SAMPLE / "sppr.toml")
    out = tmp_path_factory.mktemp("numbers")
    book = _write_book(res, cfg, out)
    write_album(layers, out, year=2025, title="SPPR Kota Contoh", region="Kota Contoh", dpi=40, paper="A4")
    return book, out / "album_peta.pdf", layers


def test_peta4_kesesuaian_no_and_opd_maps_give_a_program_one_number(outputs):
    book, pdf, layers = outputs
    ws = openpyxl.load_workbook(book, read_only=True)["Kesesuaian"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and "ID Program" in r)
    cols = rows[head]
    assert cols[0] == "No.", cols
    pid = cols.index("ID Program")
    listed = [(int(r[0]), str(r[pid])) for r in rows[head + 1:] if r and r[pid]]
    # the sheet's rows are the rencana's, numbered 1, 2, ... (an id may repeat: a number per row)
    assert listed == list(enumerate(layers["rencana"]["program_id"].astype(str), start=1))
    sheet: dict[str, set[int]] = {}
    for n, p in listed:
        sheet.setdefault(p, set()).add(n)

    peta4: dict[str, int] = {}
    opd: dict[str, int] = {}
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            text = page.extract_text() or ""
            target = peta4 if re.search(r"\bPETA 4\b", text) else opd if "PETA PROGRAM DINAS" in text else None
            if target is None:
                continue
            for m in ROW.finditer(text):
                target[m.group(2)] = int(m.group(1))
    assert len(peta4) >= 20 and len(opd) >= 0.8 * len(sheet), (len(peta4), len(opd))
    for p, n in peta4.items():
        assert n in sheet[p], ("Peta 4", p, n, sheet[p])
    for p, n in opd.items():
        assert n in sheet[p], ("OPD map", p, n, sheet[p])
