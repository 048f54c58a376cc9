"""Kinerja (issue 21): formulas, roll-up, bad input, the Permendagri 86 form, the run and the CLI.

Every expected figure is computed by hand in the comments (not by the code under test). The Permendagri 86
evaluation form is checked against its own column formulas recalculated by LibreOffice (``soffice``).
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from sppr_gis.kinerja import capaian, evaluate, predikat, read_kinerja, skor_penataan_ruang

ROOT = Path(__file__).resolve().parents[1]


def _table(tmp_path: Path, rows: list[dict], name: str = "kinerja.csv") -> Path:
    p = tmp_path / name
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def row(opd, level, kode, induk, t, r, *, arah="positif", sifat="tahunan", year=2025, pagu=None, rpagu=None, uraian=None, indikator=None, **extra):
    d = {"opd": opd, "level": level, "kode": kode, "induk": induk, "uraian": uraian or f"{level} {kode}", "indikator": indikator or f"ind {kode}",
         "arah": arah, "sifat": sifat, f"target_{year}": t, f"realisasi_{year}": r}
    if pagu is not None:
        d[f"pagu_{year}"] = pagu
    if rpagu is not None:
        d[f"realisasi_pagu_{year}"] = rpagu
    d.update(extra)
    return d


# ----------------------------------------------------------------------------- formulas


def test_capaian_formulas_by_hand():
    assert capaian(80, 60) == pytest.approx(75.0)                    # 60/80*100
    assert capaian(10, 12, "negatif") == pytest.approx(80.0)         # (20-12)/10*100
    assert capaian(10, 8, "negatif") == pytest.approx(120.0)         # (20-8)/10*100: lower is better
    assert capaian(10, 25, "negatif") == 0.0                         # (20-25)/10*100 = -50 -> not below 0
    assert capaian(0, 0) == 100.0 and capaian(0, 0, "negatif") == 100.0
    assert math.isnan(capaian(0, 3)) and math.isnan(capaian(5, float("nan")))


@pytest.mark.parametrize(
    "value, expected",
    [(0, "sangat rendah"), (50, "sangat rendah"), (50.01, "rendah"), (65, "rendah"), (65.5, "sedang"), (75, "sedang"),
     (75.1, "tinggi"), (90, "tinggi"), (90.01, "sangat tinggi"), (140, "sangat tinggi")],
)
def test_predikat_bands_permendagri_86(value, expected):
    assert predikat(value) == expected


def test_skor_penataan_ruang_equal_and_weighted():
    a = {"pengaturan": 80, "pembinaan": 70, "perencanaan": 85, "pemanfaatan": 75, "pengendalian": 65}
    assert skor_penataan_ruang(a) == pytest.approx(75.0)  # (80+70+85+75+65)/5
    w = {"perencanaan": 2, "pengendalian": 3}              # others weigh 1: (80+70+170+75+195)/8 = 73.75
    assert skor_penataan_ruang(a, w) == pytest.approx(73.75)


def test_kumulatif_sums_years_with_a_target():
    rows = [row("A", "program", "1", None, None, None, sifat="kumulatif")]
    rows[0].update({"target_2023": 10, "realisasi_2023": 8, "target_2024": None, "realisasi_2024": 5, "target_2025": 20, "realisasi_2025": 15, "target_2026": 30, "realisasi_2026": 1})
    res = evaluate(pd.DataFrame(rows).pipe(_canon), 2025)
    # years <= 2025 with a target: 2023, 2025 -> T = 30, R = 8 + 15 = 23 -> 76.666...
    assert res.indikator["target"].iloc[0] == 30 and res.indikator["realisasi"].iloc[0] == 23
    assert res.indikator["capaian"].iloc[0] == pytest.approx(23 / 30 * 100)
    assert res.indikator["predikat"].iloc[0] == "tinggi"


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    from sppr_gis.kinerja.forms import canonical_frame

    f, _ = canonical_frame(df.astype(object).where(df.notna(), None), "t.csv")
    return f


# ----------------------------------------------------------------------------- roll-up


def _cascade() -> list[dict]:
    return [
        row("Dinas A", "tujuan", "T1", None, 100, 90),                                   # 90
        row("Dinas A", "sasaran", "S1", "T1", 50, 40),                                   # 80
        row("Dinas A", "program", "1.03.10", "S1", 80, 60),                              # 75
        row("Dinas A", "program", "1.03.10", "S1", 10, 12, arah="negatif", indikator="genangan"),  # 80 -> program 77.5
        row("Dinas A", "kegiatan", "1.03.10.2.01", "1.03.10", 4, 4),
        row("Dinas A", "sub_kegiatan", "1.03.10.2.01.0053", "1.03.10.2.01", 5, 4.5, pagu=1000, rpagu=900),
        row("Dinas A", "sub_kegiatan", "1.03.10.2.01.0056", "1.03.10.2.01", 9, 8.1, pagu=3000, rpagu=2100),
        row("Dinas A", "program", "1.03.06", None, 40, 20),                              # 50
        row("Dinas A", "sub_kegiatan", "1.03.06.2.01.0012", "1.03.06", 3, 3, pagu=500, rpagu=500),
        row("Dinas B", "program", "1.02.02", None, 100, 95),                             # 95
        row("Dinas B", "sub_kegiatan", "1.02.02.2.01.0004", "1.02.02", 2, 1, pagu=2000, rpagu=1000),
        row("Dinas C", "program", "2.11.11", None, 0, 0),                                # 100
    ]


def test_rollup_node_opd_cluster_budget_by_hand(tmp_path):
    t = read_kinerja(_table(tmp_path, _cascade()))
    clusters = {"Infra": ["Dinas A", "Dinas C"], "Sosial": ["Dinas B"]}
    res = evaluate(t.frame, 2025, clusters=clusters)
    ind = res.indikator
    prog = ind[(ind["kode"] == "1.03.10")]
    assert prog["capaian"].tolist() == pytest.approx([75.0, 80.0])
    assert prog["capaian_node"].iloc[0] == pytest.approx(77.5)
    opd = res.opd.set_index("opd")
    # Dinas A: programs 77.5 and 50 -> 63.75 (rendah); budget 1000 + 3000 + 500 = 4500, realised 900 + 2100 + 500 = 3500
    assert opd.loc["Dinas A", "capaian"] == pytest.approx(63.75) and opd.loc["Dinas A", "predikat"] == "rendah"
    assert opd.loc["Dinas A", "pagu"] == 4500 and opd.loc["Dinas A", "realisasi_pagu"] == 3500
    assert opd.loc["Dinas A", "serapan"] == pytest.approx(3500 / 4500 * 100)
    assert opd.loc["Dinas B", "capaian"] == pytest.approx(95.0) and opd.loc["Dinas C", "capaian"] == 100.0
    kl = res.klaster.set_index("klaster")
    assert kl.loc["Infra", "capaian"] == pytest.approx((63.75 + 100) / 2)     # 81.875
    assert kl.loc["Infra", "pagu"] == 4500 and kl.loc["Sosial", "serapan"] == pytest.approx(50.0)
    keg = ind[ind["kode"] == "1.03.10.2.01"].iloc[0]
    assert keg["pagu"] == 4000 and keg["realisasi_pagu"] == 3000            # its two sub kegiatan
    assert ind[ind["kode"] == "1.03.10"]["pagu"].iloc[0] == 4000


# ----------------------------------------------------------------------------- bad input


def test_bad_input_becomes_issue_rows_and_rows_stay(tmp_path):
    rows = _cascade() + [
        row("Dinas A", "kegiatan", "9.99.99.2.01", "9.99.99", 1, 1),                                  # orphan
        row("Dinas B", "program", "1.02.02", None, 5, 5, uraian="another name"),                       # duplicate kode
        row("Dinas B", "sub_kegiatan", "1.02.02.2.01.0005", "1.02.02", None, 3),                       # missing target
        row("Dinas C", "program", "2.11.12", None, "sepuluh", 3),                                      # text where a number belongs
        row("Dinas C", "program", "2.11.13", None, 10, 25, arah="negatif"),                            # negative, R > 2T
    ]
    t = read_kinerja(_table(tmp_path, rows))
    res = evaluate(t.frame, 2025, reading_issues=t.issues)
    assert len(res.indikator) == len(rows)
    iss = res.issues
    def has(code, opd, kode):
        return ((iss["code"] == code) & (iss["opd"] == opd) & (iss["kode"] == kode)).any()
    assert has("kinerja_induk_tidak_ada", "Dinas A", "9.99.99.2.01")
    assert has("kinerja_kode_ganda", "Dinas B", "1.02.02")
    assert has("kinerja_target_kosong", "Dinas B", "1.02.02.2.01.0005")
    assert has("kinerja_bukan_angka", "Dinas C", "2.11.12")
    assert has("kinerja_negatif_melampaui", "Dinas C", "2.11.13")
    neg = res.indikator[res.indikator["kode"] == "2.11.13"].iloc[0]
    assert neg["capaian"] == 0.0 and neg["predikat"] == "sangat rendah"
    assert all("Dinas" in m for m in iss["message"])


# ----------------------------------------------------------------------------- forms


def test_renstra_export_target_1_to_5(tmp_path):
    df = pd.DataFrame([
        {"nama_skpd": "Dinas A", "level": "program", "kode_program": "1.03.10", "nama_program": "Jalan", "indikator_teks": "Mantap", "satuan": "%",
         "target_1": 70, "target_2": 75, "target_3": 80, "realisasi_target_1": 70, "realisasi_target_2": 72, "realisasi_target_3": 60,
         "pagu_3": 100},
    ])
    p = tmp_path / "renstra.csv"
    df.to_csv(p, index=False)
    t = read_kinerja(p, tahun_awal=2023)
    assert t.form == "renstra"
    res = evaluate(t.frame, 2025)
    assert res.indikator["capaian"].iloc[0] == pytest.approx(75.0)     # year 3 = 2025: 60/80
    assert res.indikator["capaian_node"].iloc[0] == pytest.approx(75.0)
    with pytest.raises(Exception, match="tahun_awal"):
        read_kinerja(p)


def _write_form(path: Path) -> dict:
    """A Permendagri 86/2017 'Evaluasi hasil Renja PD' form in the layout of a real 2018 Bappeda workbook
    (merged header rows, column numbering row with its formulas, kode split over four cells, Rp (000)),
    with figures of our own. Returns the hand-computed expectations."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet-1"
    ws["A2"], ws["A3"], ws["A5"] = "Formulir", "Evaluasi Hasil terhadap RENJA PD", "Tahun 2024"
    heads = {"A10": "No", "B10": "Kode", "F10": "Program/Kegiatan", "G10": "Indikator", "H10": "Target Renstra", "K10": "Realisasi s.d. tahun lalu",
             "M10": "Target tahun berjalan", "O10": "Realisasi Kinerja Pada Triwulan", "W10": "Realisasi tahun berjalan", "Y10": "Tingkat capaian (%)",
             "AA10": "Realisasi s.d. tahun ini", "AC10": "Tingkat capaian Renstra (%)", "AE10": "Perangkat Daerah Penanggung Jawab", "AF10": "Keterangan"}
    for k, v in heads.items():
        ws[k] = v
    for rng in ("A10:A12", "B10:E12", "F10:F12", "G10:G12", "H10:J11", "K10:L11", "M10:N11", "O10:V10", "W10:X11", "Y10:Z11", "AA10:AB11", "AC10:AD11", "AE10:AE12", "AF10:AF12", "H12:I12"):
        ws.merge_cells(rng)
    for c, v in zip(("O11", "Q11", "S11", "U11"), ("I", "II", "III", "IV")):
        ws[c] = v
    for c0 in ("O", "Q", "S", "U"):
        ws.merge_cells(f"{c0}11:{chr(ord(c0) + 1)}11")
    for k, rp in (("H", "J"), ("K", "L"), ("M", "N"), ("O", "P"), ("Q", "R"), ("S", "T"), ("U", "V"), ("W", "X"), ("Y", "Z"), ("AA", "AB"), ("AC", "AD")):
        ws[f"{k}12"], ws[f"{rp}12"] = "K", "Rp. (000)"
    nums = {"A13": 1, "B13": 2, "F13": 3, "G13": 4, "H13": 5, "K13": 6, "M13": 7, "O13": 8, "Q13": 9, "S13": 10, "U13": 11,
            "W13": "12 = 8+9+10+11", "Y13": "13 = 12/7*100", "AA13": "14 = 6 + 12", "AC13": "15 = 14/5*100", "AE13": 16, "AF13": 17}
    for k, v in nums.items():
        ws[k] = v
    for rng in ("B13:E13", "H13:J13", "K13:L13", "M13:N13", "O13:P13", "Q13:R13", "S13:T13", "U13:V13", "W13:X13", "Y13:Z13", "AA13:AB13", "AC13:AD13"):
        ws.merge_cells(rng)
    # program row 15, kegiatan rows 16 (two indicators: 16, 17) and 18
    ws["A15"], ws["B15"], ws["C15"], ws["D15"], ws["F15"] = 1, "1", "06", "01", "Program Perencanaan Tata Ruang"
    ws["G15"], ws["H15"], ws["I15"], ws["M15"], ws["N15"] = "Cakupan dokumen rencana", 100, "persen", 100, "=SUM(N16:N18)"
    data = {  # row: (uraian, indikator, satuan, target K, Rp (000), quarters K, quarters Rp)
        16: ("Penyusunan RDTR", "Dokumen RDTR", "dokumen", 4, 300, (0, 1, 1, 1), (50, 60, 70, 80)),
        17: (None, "Peta dasar skala 1:5000", "lembar", 40, 200, (10, 10, 5, 5), (40, 40, 40, 40)),
        18: ("Sosialisasi tata ruang", "Peserta sosialisasi", "orang", 200, 150, (50, 50, 60, 70), (30, 30, 40, 50)),
    }
    for r, (name, ind, sat, t, rp, qk, qr) in data.items():
        ws[f"B{r}"], ws[f"C{r}"], ws[f"D{r}"] = "1", "06", "01"
        if name:
            ws[f"F{r}"] = name
        ws[f"G{r}"], ws[f"I{r}"], ws[f"M{r}"], ws[f"N{r}"] = ind, sat, t, rp
        for (k, rc), vk, vr in zip((("O", "P"), ("Q", "R"), ("S", "T"), ("U", "V")), qk, qr):
            ws[f"{k}{r}"], ws[f"{rc}{r}"] = vk, vr
        ws[f"W{r}"], ws[f"X{r}"] = f"=O{r}+Q{r}+S{r}+U{r}", f"=P{r}+R{r}+T{r}+V{r}"
        ws[f"Y{r}"], ws[f"Z{r}"] = f"=W{r}/M{r}*100", f"=X{r}/N{r}*100"
    ws["AE16"] = "Dinas PUPR Bidang Tata Ruang"
    ws.merge_cells("AE16:AE18")
    ws["A20"], ws["Y20"] = "Rata-rata capaian kinerja (%)", "=AVERAGE(Y16:Y18)"
    ws["A21"], ws["Y21"] = "Predikat kinerja", '=IF(Y20<=50,"Sangat Rendah",IF(Y20<=65,"Rendah",IF(Y20<=75,"Sedang",IF(Y20<=90,"Tinggi","Sangat Tinggi"))))'
    wb.save(path)
    # by hand: row 16: 3/4 = 75; row 17: 30/40 = 75; row 18: 230/200 = 115; kegiatan RDTR budget 300 + 200 = 500 (000)
    return {16: 75.0, 17: 75.0, 18: 115.0, "pagu_rdtr": 500_000.0, "pagu_program": 650_000.0, "real_rdtr": (260 + 160) * 1000.0}


def test_permendagri_86_form_read_by_hand(tmp_path):
    p = tmp_path / "evaluasi.xlsx"
    exp = _write_form(p)
    t = read_kinerja(p)
    assert t.form == "evaluasi_renja"
    res = evaluate(t.frame, 2024, reading_issues=t.issues)
    ind = res.indikator.set_index("baris")
    for r in (16, 17, 18):
        assert ind.loc[r, "capaian"] == pytest.approx(exp[r])
    assert set(ind["opd"]) == {"Dinas PUPR Bidang Tata Ruang"}
    rdtr = ind.loc[16]
    assert rdtr["level"] == "kegiatan" and rdtr["pagu"] == exp["pagu_rdtr"] and rdtr["realisasi_pagu"] == exp["real_rdtr"]
    assert ind.loc[15, "level"] == "program" and ind.loc[15, "pagu"] == exp["pagu_program"]


@pytest.fixture(scope="module")
def soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice (soffice) not installed")
    return exe


def _recalculated(soffice: str, xlsx: Path, tmp: Path) -> list[list[str]]:
    """The workbook's first sheet as CSV after LibreOffice recalculated every formula."""
    prof = tmp / "lo_profile" / "user"
    prof.mkdir(parents=True)
    (prof / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        "</oor:items>", encoding="utf-8")
    out = tmp / "csv"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'lo_profile').as_uri()}", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=240)
    return list(csv.reader(open(next(out.glob("*.csv")), encoding="utf-8")))


def test_permendagri_86_form_matches_its_own_formulas_in_libreoffice(tmp_path, soffice):
    p = tmp_path / "evaluasi.xlsx"
    _write_form(p)
    grid = _recalculated(soffice, p, tmp_path)
    res = evaluate(read_kinerja(p).frame, 2024)
    ind = res.indikator.set_index("baris")
    col = {"W": 22, "X": 23, "Y": 24, "N": 13}  # 0-based columns of the CSV
    for r in (16, 17, 18):
        lo = grid[r - 1]
        assert ind.loc[r, "realisasi"] == pytest.approx(float(lo[col["W"]]))     # 12 = 8+9+10+11
        assert ind.loc[r, "capaian"] == pytest.approx(float(lo[col["Y"]]))       # 13 = 12/7*100
    assert ind.loc[15, "pagu"] == pytest.approx(float(grid[14][col["N"]]) * 1000)  # program Rp = SUM of its rows, (000)
    assert grid[20][col["Y"]].casefold() == predikat(float(grid[19][col["Y"]]))    # the form's own predikat formula
    assert float(grid[19][col["Y"]]) == pytest.approx(np.mean([75.0, 75.0, 115.0]))


# ----------------------------------------------------------------------------- the run's figures and spatial link


def test_sppr_keys_and_spatial_link_by_hand(tmp_path):
    rows = [
        row("Dinas A", "sasaran", "S1", None, 90, 0, sppr="persen_program_sesuai_ruang"),
        row("Dinas A", "sasaran", "S1", None, 90, 0, sppr="persen_pagu_sesuai_ruang", indikator="pagu sesuai"),
        row("Dinas A", "sasaran", "S1", None, 80, 0, sppr="persen_ipu_sinkron", indikator="ipu"),
        row("Dinas A", "sasaran", "S1", None, 80, 0, sppr="skor_penataan_ruang", indikator="skor"),
        row("Dinas A", "program", "1.03.10", "S1", 10, 8),
        row("Dinas A", "sub_kegiatan", "1.03.10.2.01.0053", "1.03.10", 10, 8),
    ]
    crs = "EPSG:32648"
    ren = gpd.GeoDataFrame({
        "program_id": ["p1", "p2", "p3", "p4"], "opd": ["Dinas A"] * 4, "kode": ["1.03.10.2.01.0053", "1.03.10.02.01.0053", "1.03.10.2.01.0053", "9.99"],
        "pagu": [100.0, 300.0, 50.0, 1000.0], "status": ["sesuai", "tidak_sesuai", "perlu_kajian", "sesuai_bersyarat"],
        "lokasi_sumber": ["geometri", "geometri", "wilayah", "geometri"], "kecamatan": ["K1", "K1", "K2", "K2"],
    }, geometry=[Point(0, 0), Point(1, 1), Point(2, 2), box(0, 0, 1, 1)], crs=crs)
    ipu = pd.DataFrame({"status_sinkron": ["sinkron", "diskoneksi", "belum_jadwal", "sinkron", "diskontinu"]})
    pr = {"pengaturan": 80, "pembinaan": 70, "perencanaan": 85, "pemanfaatan": 75, "pengendalian": 65}
    t = read_kinerja(_table(tmp_path, rows))
    res = evaluate(t.frame, 2025, rencana=ren, ipu=ipu, penataan_ruang=pr)
    real = res.indikator["realisasi"].tolist()
    # located: p1, p2, p4 (p3 only a place name); conforming: p1, p4 -> 2/3; pagu 1100/1400
    assert real[0] == pytest.approx(200 / 3) and real[1] == pytest.approx(1100 / 1400 * 100)
    assert real[2] == pytest.approx(50.0)   # scheduled 4 (belum_jadwal out), sinkron 2
    assert real[3] == pytest.approx(75.0)
    sub = res.indikator[res.indikator["level"] == "sub_kegiatan"].iloc[0]
    # kode matches p1, p2 (zero-padded code), p3 -> 3 programs, 2 located, 1 conforming, pagu 450
    assert (sub["jumlah_program"], sub["jumlah_berlokasi"], sub["jumlah_sesuai"], sub["pagu_program"]) == (3, 2, 1, 450.0)
    kec = res.kecamatan.set_index("kecamatan")
    assert list(kec.index) == ["K1"] and kec.loc["K1", "jumlah_program"] == 2 and kec.loc["K1", "capaian"] == pytest.approx(80.0)


# ----------------------------------------------------------------------------- config and CLI


def test_config_kinerja_keys_validated(tmp_path):
    from sppr_gis.config import load_config
    from sppr_gis.errors import ConfigError

    src = (ROOT / "data/sample/sppr.toml").read_text(encoding="utf-8")
    bad = src.replace("pengendalian = 65", "pengendalian = 165\nbobt = 1")
    p = ROOT / "data/sample/_t21_bad.toml"
    try:
        p.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_config(p)
        assert "kinerja.penataan_ruang.pengendalian" in str(e.value) and "kinerja.penataan_ruang.bobt" in str(e.value)
    finally:
        p.unlink(missing_ok=True)
    cfg = load_config(ROOT / "data/sample/sppr.toml")
    assert cfg.inputs.kinerja is not None and cfg.kinerja["penataan_ruang"]["perencanaan"] == 85.0


def _sppr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sppr_cli", *args], capture_output=True, text=True, timeout=600)


def test_cli_kinerja_sample(tmp_path):
    out = tmp_path / "kinerja_2025.xlsx"
    r = _sppr("kinerja", "--data", str(ROOT / "data/sample/kinerja.xlsx"), "--year", "2025", "--out", str(out), "--config", str(ROOT / "data/sample/sppr.toml"))
    assert r.returncode == 0, r.stderr
    book = pd.ExcelFile(out)
    assert book.sheet_names[:2] == ["Kinerja", "Kinerja OPD"] and "Kinerja Klaster" in book.sheet_names
    opd = pd.read_excel(out, sheet_name="Kinerja OPD").set_index("OPD")
    # Dinas Kesehatan: program 81/90 = 90 (its only program) -> 90.0, tinggi
    assert opd.loc["Dinas Kesehatan"].iloc[1] == pytest.approx(90.0)


def test_cli_kinerja_bad_usage(tmp_path):
    r = _sppr("kinerja", "--data", str(tmp_path / "none.xlsx"), "--year", "2025", "--out", str(tmp_path / "o.xlsx"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    p = tmp_path / "k.csv"
    p.write_text("opd,kode\nA,1\n", encoding="utf-8")
    r = _sppr("kinerja", "--data", str(p), "--year", "2025", "--out", str(tmp_path / "o.xlsx"))
    assert r.returncode == 1 and "level" in r.stderr and "Traceback" not in r.stderr and not (tmp_path / "o.xlsx").exists()
