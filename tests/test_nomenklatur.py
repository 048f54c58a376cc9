"""Program, kegiatan and sub kegiatan names printed as the nomenclature writes them (issue 19, cartographer review).

The sources write names in their own casing ("tps3r", "sub kegiatan penyediaan rth publik", "Pembangunan jalan");
the Buku Matriks and the album's tables print them as Permendagri 90 does: every word capitalised, acronyms upper
case, the conjunctions and prepositions lower case inside. The data (codes, CSV, GeoPackage) keep the source's text.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sppr_gis.text import nomenklatur

# (source text, as printed): written by hand from the Permendagri 90/2019 nomenclature and PUEBI title rules
CASES = [
    ("tps3r", "TPS3R"),
    ("pembangunan tps3r", "Pembangunan TPS3R"),
    ("ipal_komunal", "IPAL Komunal"),
    ("jaringan_air_minum", "Jaringan Air Minum"),
    ("ruang_terbuka_hijau", "Ruang Terbuka Hijau"),
    ("penerangan_jalan", "Penerangan Jalan"),
    ("halte", "Halte"),
    ("puskesmas", "Puskesmas"),
    ("sub kegiatan penyediaan rth publik", "Sub Kegiatan Penyediaan RTH Publik"),
    ("Sub kegiatan pembangunan spam jaringan perpipaan", "Sub Kegiatan Pembangunan SPAM Jaringan Perpipaan"),
    ("Pengadaan penerangan jalan umum (pju)", "Pengadaan Penerangan Jalan Umum (PJU)"),
    ("Penyelenggaraan jalan kabupaten/kota", "Penyelenggaraan Jalan Kabupaten/Kota"),
    ("Program pengelolaan dan pengembangan sistem drainase", "Program Pengelolaan dan Pengembangan Sistem Drainase"),
    ("PEMBANGUNAN JALAN DI KELURAHAN DOMPAK", "Pembangunan Jalan di Kelurahan Dompak"),
    ("penyediaan sarana untuk pejalan kaki yang aman dari kendaraan ke sekolah",
     "Penyediaan Sarana untuk Pejalan Kaki yang Aman dari Kendaraan ke Sekolah"),
    ("dan seterusnya", "Dan Seterusnya"),  # a conjunction that starts the name is capitalised
    ("Pembangunan Drainase Primer Sei Jang Tahap II", "Pembangunan Drainase Primer Sei Jang Tahap II"),
    ("pembangunan ruang kelas baru sd negeri", "Pembangunan Ruang Kelas Baru SD Negeri"),
    ("Pengelolaan SiLPA", "Pengelolaan SiLPA"),  # an inner capital: the source's spelling
    ("Pembangunan Jalan Tembus Senggarang s.d. Dompak", "Pembangunan Jalan Tembus Senggarang s.d. Dompak"),
    ("rehabilitasi jalan ir. sutami", "Rehabilitasi Jalan Ir. Sutami"),
    ("Pembangunan sosial-budaya", "Pembangunan Sosial-Budaya"),
]


@pytest.mark.parametrize(("source", "printed"), CASES)
def test_nomenklatur_table(source, printed):
    assert nomenklatur(source) == printed


def test_the_book_prints_names_as_the_nomenclature_and_keeps_the_codes(tmp_path):
    """The Buku Matriks cells of activity and name columns, not the other columns; the code column is untouched."""
    import openpyxl

    from sppr_gis.matrices import HEADERS
    from sppr_gis.report.excel import write_workbook

    df = pd.DataFrame({
        "program_id": ["DLH-1", "DLH-2", "PUPR-3"],
        "kode": ["2.11.11.2.01.0005", "1.03.05.2.01", "1.03.10.2.01"],
        "kegiatan": ["tps3r", "ipal_komunal", "penerangan_jalan"],
        "nama_kegiatan": ["pembangunan tps3r kel. kampung bugis", "Pembangunan IPAL komunal", "sub kegiatan pengadaan pju"],
        "opd": ["dinas lingkungan hidup", "DLH", "Dinas PUPR"],
    })
    ws = openpyxl.load_workbook(write_workbook({"Kesesuaian": df}, tmp_path / "b.xlsx", headers=HEADERS))["Kesesuaian"]
    cols = {c.value: [ws.cell(r, c.column).value for r in range(2, 5)] for c in ws[1]}
    assert cols["Kegiatan"] == ["TPS3R", "IPAL Komunal", "Penerangan Jalan"]
    assert cols["Nama Kegiatan"] == ["Pembangunan TPS3R Kel. Kampung Bugis", "Pembangunan IPAL Komunal", "Sub Kegiatan Pengadaan PJU"]
    assert cols["OPD"] == ["dinas lingkungan hidup", "DLH", "Dinas PUPR"]  # not a name column: as written
    assert [str(v) for v in cols[HEADERS["kode"]]] == ["2.11.11.2.01.0005", "1.03.05.2.01", "1.03.10.2.01"]


def test_the_sample_book_and_csv(tmp_path):
    """The sample's run: the Buku Matriks shows "TPS3R" and "Sub Kegiatan" names; the CSV and GeoPackage keep
    the source's "tps3r"."""
    import geopandas as gpd
    import openpyxl
    from click.testing import CliRunner
    from pathlib import Path

    from sppr_cli.main import cli

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    res = CliRunner().invoke(cli, ["-q", "sync", "--config", str(sample / "sppr.toml"), "--year", "2025", "--out", str(tmp_path), "--no-maps"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "2025"
    wb = openpyxl.load_workbook(out / "buku_matriks.xlsx")
    kes = wb["Kesesuaian"]
    col = next(c.column for c in kes[1] if c.value == "Kegiatan")
    shown = {kes.cell(r, col).value for r in range(2, kes.max_row + 1)}
    assert "TPS3R" in shown and "tps3r" not in shown and "Pembangunan Jalan" in shown
    assert all(v == nomenklatur(v) for v in shown if v)
    kin = wb["Kinerja"]
    rows = [(kin.cell(r, 2).value, kin.cell(r, 4).value) for r in range(2, kin.max_row + 1)]
    assert ("Sub Kegiatan", "Pembangunan TPS3R") in rows and ("Sub Kegiatan", "Pembangunan Jalan") in rows
    assert ("Kegiatan", "Penyelenggaraan Jalan Kabupaten/Kota") in rows
    # the data keep the source's text
    assert "tps3r" in set(pd.read_csv(out / "csv" / "kesesuaian.csv")["kegiatan"])
    assert "tps3r" in set(gpd.read_file(out / "sppr.gpkg", layer="rencana")["kegiatan"])


@pytest.mark.parametrize(
    ("column", "text", "printed"),
    [
        ("saran_relokasi", "Kegiatan 'tps3r' tidak diizinkan (I) di zona mana pun", "Kegiatan 'TPS3R' tidak diizinkan (I) di zona mana pun"),
        # the code the ITBX lacks (or a typo's suggestion) stays the code to look for
        ("keterangan", "Kegiatan 'bank_sampah' tidak ada dalam matriks ITBX.", "Kegiatan 'bank_sampah' tidak ada dalam matriks ITBX."),
        ("keterangan", "Dinas PUPR (pembangunan_jalan) dan Dinas Perhubungan (halte_bus) bekerja berjarak 10,0 m",
         "Dinas PUPR (Pembangunan Jalan) dan Dinas Perhubungan (Halte Bus) bekerja berjarak 10,0 m"),
        ("keterangan", "Zona R-4 100,0% (X: dilarang). Tidak sesuai: dilarang (X) di R-4.", "Zona R-4 100,0% (X: dilarang). Tidak sesuai: dilarang (X) di R-4."),
        ("message", "kolom 'nama_kegiatan' kosong", "kolom 'nama_kegiatan' kosong"),  # a field name in an issue: as written
    ],
)
def test_explanations_name_the_activity_they_quote(column, text, printed):
    from sppr_gis.report.labels import reader_text

    assert reader_text(text, column) == printed


def test_the_sinergi_map_table_names_activities_as_the_nomenclature():
    """Review round 3 (Peta 14): the synergy table wrote the activity in parentheses as the data have it,
    "(tps3r)"; a printed name follows the nomenclature ("(TPS3R)", "(Pembangunan Jalan)"), the id unchanged."""
    import pandas as pd

    from sppr_gis.maps.pages.synergy import _relation_row

    row = pd.Series({"program_id": "DLH-2025-003", "kegiatan": "tps3r",
                     "program_id_2": "PUPR-2025-001", "kegiatan_2": "pembangunan_jalan"})
    text = _relation_row(row, "sinergi")
    assert "DLH-2025-003 (TPS3R)" in text and "PUPR-2025-001 (Pembangunan Jalan)" in text, text
    assert "tps3r" not in text and "pembangunan jalan" not in text
