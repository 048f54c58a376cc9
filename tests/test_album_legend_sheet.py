"""Issue 19, defect 4 ("A4 is not usable"): a legend that cannot fit beside its map continues on the map's Lampiran
sheet instead of stopping the album.

Real RDTRs carry 25-60 subzones. The sample's zoning relabelled here to 45 distinct codes (and names) stopped the A4
album on Peta 2 ("legendanya (46 butir) tidak muat ..."), 80 the A3 album. Now the legend keeps beside the map what
fits and the rest is printed on "Lampiran Peta 2", and the map says on which page. Checked on the printed PDF
(pdfplumber): every code with its name exactly once over the map's panel and the sheet, every character at least
7 pt, the page the note names is the page the sheet is numbered with by the album. The codes and names are made
here, never read from the code under test.
"""

from __future__ import annotations

import re
import string

import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from printing import draw_logo, pdf_page, pdf_words

from sppr_gis.errors import OutputError
from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography import MapFrame, continuation_pages
from sppr_gis.maps.cartography.legend import LegendSection

pytest.importorskip("pdfplumber")

INSTANSI = "Pemerintah Kota Contoh\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
PENANDATANGAN = "Kepala Bappeda Kota Contoh\n\nDr. Ir. Nama Lengkap, M.T.\nNIP 19700101 199503 1 001"


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


def relabelled(zoning, n: int) -> tuple[object, dict[str, str]]:
    """The zoning with ``n`` distinct codes: the sample's 20 codes with a letter (``R-2a``, ``R-2b`` ...; the palette
    colours them by class) and their names with ``Tipe A``, ``Tipe B`` ...; polygon i takes code i mod n."""
    orig = zoning[["zone_code", "zone_name"]].drop_duplicates("zone_code").values.tolist()
    assert len(orig) == 20
    keys = []
    for j in range(n):
        code, name = orig[j % len(orig)]
        s = string.ascii_lowercase[j // len(orig)]
        keys.append((f"{code}{s}", f"{name} Tipe {s.upper()}"))
    assert len(zoning) >= n and len(dict(keys)) == n
    z = zoning.copy()
    z["zone_code"] = [keys[i % n][0] for i in range(len(z))]
    z["zone_name"] = [keys[i % n][1] for i in range(len(z))]
    return z, dict(keys)


def zoning_page(sample, tmp_path, paper: str, n: int):
    """Peta 2 (the pola ruang map) of the sample with ``n`` zone codes, with the realistic [album] (two-line
    instansi, four-line penandatangan, a logo, place and date)."""
    _res, layers = sample
    z, names = relabelled(layers["zoning"], n)
    a = album_mod._Album({**layers, "zoning": z}, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=40,
                         paper=paper, office=INSTANSI, signatory=PENANDATANGAN, logo=draw_logo(tmp_path), place_date="Kota Contoh, 2 Januari 2026")
    a.number = 1  # Peta 1 is the administrative map
    page = a.page_zoning()
    assert page is not None and page.number == "Peta 2"
    return page, names


def _panel_left_pt(page: MapFrame) -> float:
    return page.panel_x[0] * page.fig.get_figwidth() * 72


def _stream(fig, keep) -> str:
    """The words of the printed figure whose left edge passes ``keep(x0)``, in the order written (a legend entry's
    lines one after the other), joined by spaces."""
    words, _h = pdf_words(fig)
    return " ".join(w["text"] for w in words if keep(w["x0"]))


def _min_size(fig) -> float:
    """The smallest printed size of an upright character (pdfplumber gives a rotated one, a grid label, its width)."""
    with pdf_page(fig) as p:
        return min(c["size"] for c in p.chars if c["text"].strip() and c["upright"])


def _count(entry: str, text: str) -> int:
    return len(re.findall(r"(?<![\w-])" + re.escape(entry) + r"(?![\w-])", text))


@pytest.mark.parametrize(("paper", "n"), [("A4", 45), ("A3", 80)])
def test_a_long_legend_continues_on_the_lampiran_sheet_with_every_code_once(sample, tmp_path, paper, n):
    """45 codes on A4 and 80 on A3 (each stopped the album with OutputError before): the map page is made, part of
    its legend beside the map and the rest on its Lampiran sheet; over both, every code with its whole name is
    printed exactly once, at 7 pt or more; the map's note names the sheet's page as the album numbers it."""
    page, names = zoning_page(sample, tmp_path, paper, n)
    sheets = continuation_pages(page)
    assert len(sheets) == 1
    # the album's numbering (the map printed as page 7 here): the sheet is page 8, listed in the DAFTAR PETA
    entries, rows = album_mod._number_pages([("02_zonasi", page)], {0: sheets}, first=7)
    assert entries == [("Peta 2", page.title, 7)]
    assert rows[-1] == ("", "Lampiran Peta 2 (1 lembar)", "8")
    left = _panel_left_pt(page)
    beside = _stream(page.fig, lambda x: x >= left)  # the panel (the map's own codes are left of it)
    on_sheet = _stream(sheets[0], lambda x: x < left)  # the sheet's columns (its panel has the title and signatory)
    keyed = re.sub(r"Tanpa kode di peta \(.*?\): .*?\.(?= |$)", "", beside)
    for code, name in names.items():
        entry = f"{code} {name}"
        assert _count(entry, beside) + _count(entry, on_sheet) == 1, (entry, _count(entry, beside), _count(entry, on_sheet))
        # the code itself nowhere else in the panel nor on the sheet (no second, shortened key; the note counting
        # the blocks left without a code on the map, "Tanpa kode di peta (...): 2 blok C-1a, ...", names codes too)
        assert _count(code, keyed) + _count(code, on_sheet) == 1, code
    n_beside = sum(_count(f"{c} {t}", beside) for c, t in names.items())
    # as much as fits stays beside the map, the rest continues. s8: the bound was 10 (main: 17 of 45 on A4); the map's note
    # now names every code whose blocks are left without a code on the map (review s7: never 'N blok kode lain'), 43 codes
    # of this relabelled city on A4, and takes the panel's room: 3 entries stay beside the map there
    assert 3 <= n_beside < n
    # the note beside the map names page 8; the sheet is page 8 and says what it is
    assert re.search(r"Legenda berlanjut pada halaman 8\b", beside), beside[-400:]
    sheet_text = " ".join(w["text"] for w in pdf_words(sheets[0])[0])
    assert "Halaman 8" in sheet_text and "LAMPIRAN PETA 2 · LEGENDA (LANJUTAN)" in sheet_text
    assert "Lampiran Peta 2, Lembar 1 dari 1" in sheet_text
    # a section split across the sheet repeats its title with "(lanjutan)" there
    split = [t for t in ("Zona Lindung", "Zona Budi Daya") if t in beside and t in on_sheet]
    assert all(f"{t} (lanjutan)" in on_sheet for t in split)
    assert _min_size(page.fig) >= 7 - 1e-3 and _min_size(sheets[0]) >= 7 - 1e-3


def test_a_legend_that_fits_stays_beside_the_map_with_no_sheet(sample, tmp_path):
    """The sample's own 20 codes on A3: every one beside the map, no Lampiran sheet, no note (unchanged)."""
    page, names = zoning_page(sample, tmp_path, "A3", 20)
    assert continuation_pages(page) == [] and page.legend_overflow == []
    beside = _stream(page.fig, lambda x: x >= _panel_left_pt(page))
    assert all(_count(f"{c} {t}", beside) == 1 for c, t in names.items())
    assert "berlanjut" not in beside


def _big_frame(n_entries: int, rows: int) -> MapFrame:
    """An A4 page (the album's kind: ``legend_sheet``) with a legend of ``n_entries`` entries in one section after a
    short one, and a keyed table of ``rows`` rows printed apart."""
    f = MapFrame("Peta Uji", crs="EPSG:32648", number="Peta 9", paper="A4", dpi=40, table_width=0.2, table_apart=True, legend_sheet=True)
    f.ax.plot([0, 1000], [0, 1000], color="#777777")
    f.set_extent((0, 0, 1000, 1000))
    f.add_legend([
        LegendSection("Jaringan", [Line2D([], [], color="#777777")], ["Jalan uji"]),
        LegendSection("Kelas", [Patch(facecolor=(i / n_entries, 0.4, 0.6)) for i in range(n_entries)], [f"KL-{i:03d} kelas uji nomor {i}" for i in range(n_entries)]),
    ])
    if rows:
        f.add_table("Daftar Program", [(str(i + 1), f"Program uji nomor {i + 1}") for i in range(rows)])
    f.finish("Sumber: data uji.")
    return f


def test_the_legend_comes_first_on_the_sheets_and_each_note_names_its_own_page():
    """A legend of 200 entries and a table of 40 rows on one A4 page: the legend continues over the first sheet(s),
    the table after it; the legend's note names the first sheet's page, the table's note the page of the sheet its
    list begins on (not simply the next page)."""
    f = _big_frame(200, 40)
    sheets = continuation_pages(f)
    texts = [" ".join(w["text"] for w in pdf_words(s)[0]) for s in sheets]
    first_table = next(i for i, t in enumerate(texts) if "DAFTAR PROGRAM" in t)
    assert first_table >= 1  # 200 entries fill more than one A4 sheet: the list starts on a later one
    assert "LEGENDA (LANJUTAN)" in texts[0]
    f.set_page(20, continued_on=21)
    on_map = " ".join(w["text"] for w in pdf_words(f.fig)[0])
    assert re.search(r"Legenda berlanjut pada halaman 21\b", on_map)
    assert re.search(rf"pada halaman {21 + first_table}\b", on_map.replace("Legenda berlanjut pada halaman 21", ""))
    # every entry once over the map and the sheets, the table's 40 rows on the sheets
    everything = on_map + " " + " ".join(texts)
    assert all(_count(f"KL-{i:03d} kelas uji nomor {i}", everything) == 1 for i in range(200))
    assert all(_count(f"Program uji nomor {i + 1}", " ".join(texts)) == 1 for i in range(40))


def test_a_legend_with_no_room_at_all_still_stops_the_album():
    """The OutputError stays for a page where not even one entry fits beside the map."""
    from sppr_gis.maps.cartography import legend

    f = _big_frame(5, 0)
    for lg in f.legends:
        lg.remove()
    f.legends = []
    with pytest.raises(OutputError, match="Peta 9"):
        legend.stack_legends(f, 0.8, 0.5, 0.499, 0.98, sheet=True)  # a room of a thousandth of the page's height
