"""laporan.html: self-contained (no external resources), Leaflet and data embedded, loads in headless Chromium."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from cdp import find_chromium, load_page
from mapdata import make_layers

from sppr_gis.maps.album import write_album
from sppr_gis.report.html import leaflet_assets, write_report

EXTERNAL = [
    re.compile(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I),  # attributes loading or linking out
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),  # CSS url()
    re.compile(r"""@import""", re.I),
    re.compile(r"""<link\b""", re.I),
    re.compile(r"""<script\b[^>]*\bsrc\s*=""", re.I),
    re.compile(r"""<iframe\b""", re.I),
    re.compile(r"""tileLayer\s*\(""", re.I),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    layers = make_layers()
    # something a popup or table must escape
    layers["rencana"].loc[0, "keterangan"] = "<script>alert('x')</script> & co"
    out = tmp_path_factory.mktemp("laporan")
    paths = write_album(layers, out, year=2025, title="Kota Contoh")
    tables = {
        "ringkasan": pd.DataFrame({"uraian": ["Wilayah", "Total pagu"], "nilai": ["Kota Contoh", "Rp 1.000"]}),
        "status_ipu": layers["indikasi_program"]["status_sinkron"].value_counts().rename_axis("status").reset_index(name="jumlah_program"),
        "matriks_1": pd.DataFrame({"ipu_id": ["IPU01"], "program": ["Jalan <b>baru</b>"], "pagu": [12_500_000_000.0]}),
        "lain_lain": pd.DataFrame({"a": [1, 2]}),
    }
    manifest = {"name": "contoh", "year": 2025, "parameters": {"min_share": 0.01}, "inputs": [{"role": "zoning", "path": "zoning.gpkg", "sha256": "ab" * 32}]}
    path = write_report(out / "laporan.html", layers=layers, tables=tables, manifest=manifest, maps=[p for p in paths if p.suffix == ".png"], year=2025, title="Kota Contoh")
    return path, layers, [p for p in paths if p.suffix == ".png"]


def _data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="sppr-data">(.*?)</script>', text, re.S)
    assert m
    return json.loads(m.group(1))


def test_no_external_resources(report):
    text = report[0].read_text(encoding="utf-8")
    for pat in EXTERNAL:
        assert not pat.search(text), pat.pattern
    # the only http(s) strings left are the SVG namespace and the project URL in Leaflet's licence comment
    leaflet_js = leaflet_assets()[0]
    assert leaflet_js in text
    outside = text.replace(leaflet_js, "")
    assert re.findall(r"https?://[^\s\"'<>)]+", outside) == []
    assert set(re.findall(r"https?://[^\s\"'<>)]+", leaflet_js)) <= {"http://www.w3.org/2000/svg", "https://leafletjs.com"}
    assert 'href="https://leafletjs.com"' not in text


def test_embeds_leaflet_data_and_maps(report):
    path, layers, pngs = report
    text = path.read_text(encoding="utf-8")
    js, css, lic = leaflet_assets()
    assert js in text and "Leaflet 1.9.4" in text
    assert "url(images/" not in text and "url(data:image/png;base64," in text  # Leaflet's CSS images inlined
    assert "BSD 2-Clause License" in text
    data = _data(text)
    ren = layers["rencana"]
    drawable = int((~(ren.geometry.isna() | ren.geometry.is_empty)).sum())
    assert len(data["programs"]["features"]) == drawable
    assert len(data["zoning"]["features"]) == len(layers["zoning"])
    assert len(data["ipu"]["features"]) == len(layers["indikasi_program"])
    statuses = {f["properties"]["status"] for f in data["programs"]["features"]}
    assert statuses <= {"Sesuai", "Sesuai bersyarat (T/B)", "Tidak sesuai (X)", "Perlu kajian"}
    lon, lat = data["programs"]["features"][0]["geometry"]["coordinates"][:2] if data["programs"]["features"][0]["geometry"]["type"] == "Point" else (104.5, 0.9)
    assert 103 < lon < 106 and 0 < lat < 2  # WGS 84 for Leaflet
    assert text.count("data:image/png;base64,") >= len(pngs)
    assert len(re.findall(r"<figure><img", text)) == len(pngs)


def test_tables_and_escaping(report):
    text = report[0].read_text(encoding="utf-8")
    assert "Matriks 1 - Identifikasi keterlaksanaan program" in text
    assert "Status sinkronisasi indikasi program utama (IPU)" in text
    assert "Lain lain" in text  # unknown tables under "Tabel lain"
    assert "12.500.000.000" in text  # Rupiah with Indonesian separators
    assert "jalan &lt;b&gt;baru&lt;/b&gt;" in text.lower()  # escaped (the name's case is the nomenclature's: issue 19)
    assert "<script>alert" not in text
    assert "ab" * 32 in text  # manifest inputs
    data = _data(text)
    assert any("<script>alert" in f["properties"].get("keterangan", "") for f in data["programs"]["features"])  # escaped by JS at display


def test_write_report_into_a_folder_and_without_tables(tmp_path):
    layers = make_layers(n_programs=12)
    p = write_report(tmp_path, layers={"programs": layers["rencana"], "zoning": layers["zoning"]}, year=2025, title="Cek")
    assert p == tmp_path / "laporan.html"
    text = p.read_text(encoding="utf-8")
    assert "Kesesuaian lokasi program (rincian)" in text and "sppr-data" in text


@pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (Debian: apt-get install -y chromium); browser check skipped")
def test_report_loads_in_headless_chromium(report, tmp_path):
    path, layers, pngs = report
    rep = load_page(
        find_chromium(),
        path,
        {
            "ready": "window.__spprMapReady === true",
            "paths": "document.querySelectorAll('.leaflet-overlay-pane path').length",
            "panes": "document.querySelectorAll('.leaflet-pane').length",
            "legend": "document.querySelectorAll('.legend i').length",
            "layers_control": "document.querySelectorAll('.leaflet-control-layers-overlays input').length",
            "images": "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length",
            "external": "Array.from(document.querySelectorAll('[src],[href]')).map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => /^(https?:)?\\/\\//i.test(u))",
            "popup": "(function(){var p=document.querySelector('.leaflet-overlay-pane path.leaflet-interactive'); if(!p) return ''; p.dispatchEvent(new MouseEvent('click',{bubbles:true,clientX:1,clientY:1})); var c=document.querySelector('.leaflet-popup-content'); return c?c.innerHTML:'';})()",
        },
        scroll_to="#peta",
    )
    assert rep.exceptions == [] and rep.console_errors == [] and rep.log_errors == [], (rep.exceptions, rep.console_errors, rep.log_errors)
    v = rep.values
    assert v["ready"] is True
    assert v["panes"] >= 5
    assert v["paths"] >= len(layers["zoning"])  # zoning polygons and program shapes drawn as SVG paths
    assert v["legend"] >= 8 and v["layers_control"] >= 3
    assert v["images"] == len(pngs)
    assert v["external"] == []
    assert "<td>" in v["popup"]
    bad = [u for u in rep.requests if not u.startswith(("file:", "data:", "about:"))]
    assert bad == []
    assert rep.screenshot and len(rep.screenshot) > 20_000
    (tmp_path / "laporan.png").write_bytes(rep.screenshot)


# --------------------------------------------------------------------------- buku_matriks.xlsx prints


def test_workbook_prints_with_numbers_and_labels(tmp_path):
    import openpyxl

    from sppr_gis.report.excel import Block, write_workbook

    wide = pd.DataFrame({f"kolom_{i}": ["uraian yang cukup panjang untuk kolom ini"] for i in range(16)})
    m2 = pd.DataFrame(
        {
            "program_id": ["P-1", "P-2"],
            "kode": ["1.03.10.2.01.0053", "1.03.06"],
            "pagu": [23_269_000_000.0, 1_500_000.0],
            "status": ["sesuai_bersyarat", "perlu_kajian"],
            "status_sinkron": ["tidak_terindikasi", "sinkron"],
            "porsi_sesuai": [0.293, 1.0],
        }
    )
    ring = pd.DataFrame({"uraian": ["Tahun anggaran", "Jumlah IPU", "IPU belum_jadwal", "Total pagu", "Porsi pagu sinkron", "Jangka menengah"],
                         "nilai": ["2025", "1.036", "6", "Rp 219.804.000.000", "29,3%", "2023-2027"]})
    jm = pd.DataFrame({"ipu_id": ["IPU-1"], "status_2026": ["belum_jadwal"]})
    path = write_workbook({"Ringkasan": [Block("Ringkasan", ring)], "Matriks 2": m2, "Jangka Menengah": jm, "Lebar": wide}, tmp_path / "b.xlsx",
                          title="SPPR Kota Contoh - Tahun 2025", region="Kota Contoh", year=2025)
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        ps = ws.page_setup
        assert ps.orientation == "landscape", ws.title
        # 1 page wide (1 is the default, left out), or too wide for that at 7 pt: column groups at 70% (issue 19)
        assert (ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1) and ps.fitToHeight == 0) or ps.scale >= 70, ws.title
        if ws.title != "Ringkasan":  # the header row repeats on every page (stacked tables: the page header names the book)
            assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
        assert ws.freeze_panes is not None
        assert "SPPR Kota Contoh - Tahun 2025" in ws.oddHeader.left.text and ws.title in ws.oddHeader.right.text
        assert "&P" in ws.oddFooter.right.text
    assert {ws.page_setup.paperSize for ws in wb} == {8}  # one paper for the book: A3, since "Lebar" needs it (issue 19)
    ws = wb["Matriks 2"]
    assert [c.value for c in ws[1]][:3] == ["Program id", "Kode", "Pagu"]  # no header mapping given
    assert ws["C2"].value == 23_269_000_000 and ws["C2"].data_type == "n" and ws["C2"].number_format == '[$-421]"Rp" #,##0_);-"Rp" #,##0_);"–"_)'
    assert ws["B2"].value == "1.03.10.2.01.0053" and ws["B2"].data_type == "s"  # SIPD codes stay text
    assert ws["D2"].value == "Sesuai bersyarat" and ws["D3"].value == "Perlu kajian" and ws["E2"].value == "Tidak terindikasi"
    assert ws["F2"].number_format == "[$-421]0.0%_)" and ws["F2"].data_type == "n"
    assert wb["Jangka Menengah"]["B2"].value == "Belum dijadwalkan"
    r = {row[0].value: row[1] for row in wb["Ringkasan"].iter_rows(min_row=5) if row[0].value}
    assert r["Tahun anggaran"].value == 2025 and r["Tahun anggaran"].number_format == "0"
    assert r["Jumlah IPU"].value == 1036 and r["Jumlah IPU"].number_format == "[$-421]#,##0_)"
    assert r["Total pagu"].value == 219_804_000_000 and r["Total pagu"].number_format == '[$-421]"Rp" #,##0_);-"Rp" #,##0_);"–"_)'
    assert r["Porsi pagu sinkron"].value == pytest.approx(0.293) and r["Porsi pagu sinkron"].number_format == "[$-421]0.0%_)"
    assert r["Jangka menengah"].value == "2023-2027"
    assert "IPU belum dijadwalkan" in r  # codes inside a text become words


def test_report_tables_show_labels_not_codes(tmp_path):
    layers = make_layers(n_programs=12)
    tables = {"status_ipu": pd.DataFrame({"status": ["belum_jadwal", "sesuai_bersyarat"], "jumlah_program": [3, 4]}),
              "ringkasan": pd.DataFrame({"uraian": ["IPU belum_jadwal"], "nilai": ["6"]})}
    p = write_report(tmp_path, layers={"programs": layers["rencana"], "zoning": layers["zoning"]}, tables=tables, year=2025, title="Cek")
    text = p.read_text(encoding="utf-8")
    body = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)  # tables, not the embedded data (codes there are the contract)
    assert re.search(r"<td[^>]*>Belum dijadwalkan</td>", body) and re.search(r"<td[^>]*>Sesuai bersyarat</td>", body)
    assert "IPU belum dijadwalkan" in body
    assert not re.search(r">\s*(belum_jadwal|sesuai_bersyarat)\s*<", body)


def test_every_album_page_has_a_caption_of_its_own():
    import inspect
    from pathlib import Path

    from sppr_gis.maps import album
    from sppr_gis.report.html import _caption

    # the page stems the album builds (its builders list), each must have a written caption, not the file name
    src = inspect.getsource(album)
    stems = set(re.findall(r'\("([a-z_]+)", a\.page_', src))
    assert {"administrasi", "struktur_ruang", "ipu_jangka_menengah", "zonasi"} <= stems
    for stem in stems:
        assert _caption(Path(f"07_{stem}.png")) != stem.replace("_", " ").capitalize(), stem
