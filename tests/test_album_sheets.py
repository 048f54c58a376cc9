"""Review s5 (cartographer, album at print size): IPU numbers keyed everywhere, one standard album scale, continuation
sheets labelled.

``sppr sync`` is run on a copy of the sample with a realistic ``[album]`` (two-line instansi, four-line
penandatangan with a blank line and NIP, a logo, tempat/tanggal), on A3 and on A4. Expected values are read
independently of the album code: the IPU table from ``sppr.gpkg`` and ``buku_matriks.xlsx``, the printed text and
its positions from the PDF (pdfplumber), the region's extent from the sample's own boundary file.
"""

from __future__ import annotations

import re
import shutil

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, invoke
from printing import draw_logo

pdfplumber = pytest.importorskip("pdfplumber")

INSTANSI = "Pemerintah Kota Contoh\\nBadan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
PENANDATANGAN = ("Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Contoh\\n\\n"
                 "Dr. Ir. Raja Muhammad Ariffin Syahputra, S.T., M.T., M.Sc.\\nNIP 19700101 199503 1 001")
#: The standard map scales a reviewer accepts (denominators).
STANDARD = [1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 250_000, 500_000, 1_000_000]
MAP_SHEET = re.compile(r"(?<!,\s)Lembar (\d+) dari (\d+)")
LAMPIRAN = re.compile(r"Lampiran Peta (\d+), Lembar (\d+) dari (\d+)")


@pytest.fixture(scope="module", params=["A3", "A4"])
def synced(request, tmp_path_factory):
    paper = request.param
    root = tmp_path_factory.mktemp(f"s5_{paper}")
    src = root / "sample"
    shutil.copytree(SAMPLE, src, ignore=shutil.ignore_patterns("make_sample.py", "README.md"))
    logo = draw_logo(root)
    cfg = src / "sppr.toml"
    text = cfg.read_text(encoding="utf-8")
    a, b = text.index("[album]"), text.index("[album.sumber]")
    album = (f'[album]\ninstansi = "{INSTANSI}"\npenandatangan = "{PENANDATANGAN}"\nlogo = "{logo.as_posix()}"\n'
             f'tempat = "Tanjungpinang"\ntanggal = "2 Januari 2026"\npaper = "{paper}"\n\n')
    cfg.write_text(text[:a] + album + text[b:], encoding="utf-8")
    out = root / "out"
    res = invoke(CliRunner(), ["sync", "--config", cfg, "--year", "2025", "--out", out, "-q"])
    assert res.exit_code == 0, res.output + res.stderr
    year = out / "2025"
    with pdfplumber.open(str(year / "album_peta.pdf")) as pdf:
        pages = [(p.extract_text() or "", p.extract_words(), p.width, p.height, list(p.rects)) for p in pdf.pages]
    return paper, year, pages


def _ipu_table(year):
    """Number (row, from 1) -> (ipu_id, program) of the IPU layer in sppr.gpkg; the Buku Matriks lists them in that order."""
    g = gpd.read_file(year / "sppr.gpkg", layer="indikasi_program")
    jm = pd.read_excel(year / "buku_matriks.xlsx", sheet_name="Jangka Menengah")
    assert jm["ID IPU"].astype(str).tolist() == g["ipu_id"].astype(str).tolist()[: len(jm)] or set(jm["ID IPU"].astype(str)) <= set(g["ipu_id"].astype(str))
    located = {n for n, geom in enumerate(g.geometry, start=1) if geom is not None and not geom.is_empty}
    return {n: (str(i), str(p)) for n, (i, p) in enumerate(zip(g["ipu_id"], g["program"]), start=1)}, located


def _map_page(pages, title):
    """The map sheet whose title reads ``title`` (its words in order: the panel's lines interleave with the map's)."""
    pattern = re.compile(r"\b" + r"\b.{0,120}?\b".join(map(re.escape, title.split())) + r"\b", flags=re.DOTALL)
    hits = [k for k, (t, *_r) in enumerate(pages) if MAP_SHEET.search(t) and pattern.search(t.upper())]
    assert len(hits) == 1, (title, hits)
    return hits[0]


def _map_numbers(words, width):
    """The numbers printed on the map: digit-only words between the top grid labels and the bottom ones (the
    'mT' row), left of the panel, except the scale bar's labels (on the line of its 'km' or 'm')."""
    bottom = max(w["top"] for w in words if w["text"] == "mT")
    top = min(w["bottom"] for w in words if "BT" in w["text"] or w["text"].endswith("'"))
    bar_lines = {round(w["top"]) for w in words if w["text"] in ("km", "m")}
    return [int(w["text"]) for w in words if w["text"].isdigit() and top < w["top"] < bottom - 2 and w["x1"] < width * 0.72
            and round(w["top"]) not in bar_lines]


def _key(pages, k):
    """The key of map page ``k``: on that page and on its 'Lampiran' pages, number -> (IPU id, the words after it on its line)."""
    key = {}
    j = k
    while True:
        words = pages[j][1]
        for w in words:
            if re.fullmatch(r"IPU-\d+", w["text"]):
                line = [v for v in words if abs(v["top"] - w["top"]) < 2]
                left = [v for v in line if v["x1"] <= w["x0"] + 0.5 and w["x0"] - v["x1"] < 30]
                num = max(left, key=lambda v: v["x1"], default=None)
                if num is None:
                    continue
                n = int(num["text"].rstrip("."))
                after = " ".join(v["text"] for v in sorted(line, key=lambda v: v["x0"]) if w["x1"] < v["x0"] < w["x1"] + 160)
                key[n] = (w["text"], after)
        j += 1
        if j >= len(pages) or not LAMPIRAN.search(pages[j][0]):
            return key


@pytest.mark.parametrize("title", ["PETA SINKRONISASI INDIKASI PROGRAM UTAMA", "PETA INDIKASI PROGRAM UTAMA JANGKA MENENGAH"])
def test_every_ipu_number_on_the_map_is_its_row_of_the_ipu_table_and_keyed_with_its_name(synced, title):
    paper, year, pages = synced
    table, located = _ipu_table(year)
    k = _map_page(pages, title)
    text, words, width, _h, _r = pages[k]
    drawn = _map_numbers(words, width)
    key = _key(pages, k)
    assert drawn and key, (paper, title)
    assert len(drawn) == len(set(drawn)), (paper, sorted(drawn))  # one number per IPU
    for n in drawn:
        assert n in key, (paper, title, n)
        ipu_id, program = table[n]
        assert key[n][0] == ipu_id, (paper, title, n, key[n], ipu_id)
        first = " ".join(program.split()[:2])
        assert key[n][1].startswith(first), (paper, title, n, key[n], program)
    if "SINKRONISASI" in title:  # every located IPU is numbered on the sync map (the sample's are not too dense)
        assert set(drawn) == located, (paper, sorted(located - set(drawn)))


def test_the_same_ipu_has_the_same_number_on_both_ipu_maps(synced):
    paper, year, pages = synced
    a = _key(pages, _map_page(pages, "PETA SINKRONISASI INDIKASI PROGRAM UTAMA"))
    b = _key(pages, _map_page(pages, "PETA INDIKASI PROGRAM UTAMA JANGKA MENENGAH"))
    common = set(a) & set(b)
    assert len(common) >= 30, paper
    for n in common:
        assert a[n][0] == b[n][0], (paper, n, a[n], b[n])


def test_every_map_is_at_one_standard_scale_that_the_grid_and_the_scale_bar_confirm(synced):
    """'Skala 1 : N' on every map sheet: one N, a standard scale; N equals the ground distance between two grid
    labels over their distance on paper, and the scale bar's drawn length times N is the length it is labelled with."""
    paper, year, pages = synced
    maps = [k for k, (t, *_r) in enumerate(pages) if MAP_SHEET.search(t) and "mT" in t]
    assert len(maps) >= 12
    # the panel's text in the order it is written (each matplotlib text one run): pdfplumber's line clustering
    # interleaves the panel's "Skala" and "(pada kertas A4)" lines with stacked zone codes ("RTH" over "1") at their height
    with pdfplumber.open(str(year / "album_peta.pdf")) as pdf:
        flow = {k: pdf.pages[k].filter(lambda o: o.get("object_type") != "char" or bool(o.get("upright"))).extract_text(use_text_flow=True) or ""
                for k in maps}
    scales = set()
    for k in maps:
        text, words, width, height, rects = pages[k]
        m = re.search(r"Skala 1 : ([\d.]+)", text) or re.search(r"Skala 1 : ([\d.]+)", flow[k])
        assert m, (paper, k)
        n = int(m.group(1).replace(".", ""))
        scales.add(n)
        # the grid: labels "435.000 mT" centred on their lines
        mt = sorted((w for w in words if w["text"] == "mT"), key=lambda w: w["x0"])
        ticks = sorted(((float(w["text"].replace(".", "")), w["x0"]) for w in words if re.fullmatch(r"\d{1,3}(\.\d{3})+", w["text"]) and abs(w["top"] - mt[0]["top"]) < 1),
                       key=lambda t: t[1])
        assert len(ticks) >= 3 and len(mt) == len(ticks), (paper, k)
        centres = [((x0 + e["x1"]) / 2, v) for (v, x0), e in zip(ticks, mt)]
        (xa, va), (xb, vb) = centres[0], centres[-1]
        measured = (vb - va) / ((xb - xa) / 72 * 0.0254)
        assert abs(measured / n - 1) < 0.01, (paper, k, n, measured)
        # the scale bar: its boxes in the lower part of the map, its last label in km
        label = [w for w in words if w["text"] == "km" and w["top"] > height * 0.6 and w["x0"] < width * 0.5]
        assert label, (paper, k)
        km_word = label[0]
        value = next(float(w["text"].replace(",", ".")) for w in words if abs(w["top"] - km_word["top"]) < 2 and w["x1"] <= km_word["x0"] + 1 and km_word["x0"] - w["x1"] < 8)
        boxes = [r for r in rects if abs(r["top"] - km_word["bottom"]) < 20 and r["top"] > km_word["top"] and r["height"] < 12 and r["x0"] < width * 0.5 and r["width"] < width * 0.2]
        span = max(r["x1"] for r in boxes) - min(r["x0"] for r in boxes)
        assert abs(span / 72 * 0.0254 * n / (value * 1000) - 1) < 0.01, (paper, k, span, n, value)
    assert len(scales) == 1, (paper, scales)
    (n,) = scales
    assert n in STANDARD, (paper, n)
    # the whole administrative area (the sample's own kecamatan, in the maps' UTM 48N) fits the map frame (the
    # largest white box of the first map sheet that is not the page) at N; at the next larger standard scale it
    # would not fit beside nor under the inset (the box holding "LOKASI"), above the scale bar's strip
    kec = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan").to_crs(32648)
    x0, y0, x1, y1 = kec.total_bounds
    _t, words, width, height, rects = pages[maps[0]]
    mm = 25.4 / 72
    filled = sorted((r for r in rects if r.get("fill") and r["width"] < width * 0.95), key=lambda r: -r["width"] * r["height"])
    frame = filled[0]
    fw, fh = frame["width"] * mm, frame["height"] * mm
    lok = next(w for w in words if w["text"] == "LOKASI")
    inset = min((r for r in filled if r["x0"] <= lok["x0"] and r["top"] <= lok["top"] and r["x1"] >= lok["x1"] and r["bottom"] > lok["bottom"] and r is not frame),
                key=lambda r: r["width"] * r["height"])
    iw, ih = (inset["width"] + 8) * mm, (inset["height"] + 8) * mm  # with its margins
    cw, ch = (x1 - x0) * 1000, (y1 - y0) * 1000  # mm on the ground
    assert cw / n < fw and ch / n < fh, (paper, n, fw, fh)
    bigger = STANDARD[STANDARD.index(n) - 1]
    fits_beside = cw / bigger + iw < fw and ch / bigger < fh * 0.87
    fits_under = cw / bigger < fw and ch / bigger + ih < fh * 0.87
    assert not (fits_beside or fits_under), (paper, n, bigger)


def test_continuation_pages_are_lampiran_sheets_with_the_maps_title_and_signature_and_listed_in_the_daftar(synced):
    paper, _year, pages = synced
    texts = [" ".join(t.split()) for t, *_r in pages]
    lamp = [(k, LAMPIRAN.search(t)) for k, t in enumerate(texts) if LAMPIRAN.search(t)]
    assert len(lamp) >= 5, paper
    daftar = "\n".join(t for t, *_r in pages if "DAFTAR PETA" in t)
    for k, m in lamp:
        num, sheet, of = int(m.group(1)), int(m.group(2)), int(m.group(3))
        assert 1 <= sheet <= of
        # the map it continues: the nearest map sheet before it, with the same number and title
        mk = max(j for j in range(k) if MAP_SHEET.search(texts[j]))
        assert re.search(rf"PETA {num}\s+Lembar", texts[mk]), (paper, k, num)
        assert k - mk == sheet, (paper, k, mk, sheet)
        # its side panel (right of 72% of the width) has the map's title as the DAFTAR PETA names it
        title = re.search(rf"^Peta {num}\s+(.+?)\s+\d+\s*$", daftar, flags=re.MULTILINE).group(1)
        panel = " ".join(w["text"] for w in pages[k][1] if w["x0"] > pages[k][2] * 0.72)
        assert " ".join(title.upper().split()) in panel, (paper, k, title, panel[:200])
        assert panel.startswith(f"Lampiran Peta {num}, Lembar {sheet} dari {of}"), (paper, k, panel[:60])
        for line in ["Dr. Ir. Raja Muhammad Ariffin Syahputra, S.T., M.T., M.Sc.", "NIP 19700101 199503 1 001", "Tanjungpinang, 2 Januari 2026", "Pemerintah Kota Contoh"]:
            assert line in panel, (paper, k, line)
        assert f"Halaman {k + 1}" in texts[k]
        # the DAFTAR PETA lists the map's lampiran with the page(s) it is on
        row = re.search(rf"^Lampiran Peta {num} \((\d+) lembar\)\s+(\d+)(?:–(\d+))?\s*$", daftar, flags=re.MULTILINE)
        assert row, (paper, num)
        first, last = int(row.group(2)), int(row.group(3) or row.group(2))
        assert first <= k + 1 <= last and int(row.group(1)) == of == last - first + 1, (paper, num, row.group(0), k + 1)


def test_a_short_key_stays_on_its_map_page(synced):
    """The budget map keys the sample's four kecamatan: on the map page itself, no Lampiran after it."""
    paper, _year, pages = synced
    k = _map_page(pages, "PETA ANGGARAN DAN KESESUAIAN PROGRAM PER KECAMATAN")
    names = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan")
    col = next(c for c in names.columns if c != "geometry" and names[c].astype(str).str.contains("Tanjungpinang").any())
    text = " ".join(pages[k][0].split())
    for i, name in enumerate(sorted(names[col].astype(str)), start=1):
        assert f"{i}. {name}" in text, (paper, i, name)
    assert not LAMPIRAN.search(pages[k + 1][0]), paper
