"""Issue 19 (8): the album at 10,000 programs under a minute. Two shortcuts, each checked against what matplotlib
(or a one-process album) gives without it: text sizes measured once for every page, and the PDF written in two
processes and joined. (No timing test: the machine is shared.)"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import sppr_gis.maps.album as album  # noqa: E402
from sppr_gis.maps.cartography import common  # noqa: E402

pypdf = pytest.importorskip("pypdf")
pdfplumber = pytest.importorskip("pdfplumber")

TEXTS = ["Peta 4", "PETA KESESUAIAN PROGRAM TERHADAP RENCANA TATA RUANG", "Kepala Bappeda, Ir. H. Contoh Nama, M.T.", "NIP. 19700101 199503 1 001", "Rp 12,3 miliar · sesuai"]


def _measured(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height in pixels of ``text`` on a new page (its own figure and renderer)."""
    fig = Figure(figsize=(16.54, 11.69), dpi=200)
    FigureCanvasAgg(fig)
    t = fig.text(0.1, 0.5, text, fontsize=size, weight=weight)
    bb = t.get_window_extent()
    return bb.width, bb.height


def test_text_measured_once_for_all_pages_is_what_each_page_measures():
    """Each page measures its texts with a renderer of its own; the shared sizes equal a fresh renderer's own
    measure (matplotlib's per-renderer path), and a second page finds them measured."""
    plain = common._TEXT_METRICS_FUNCTION
    from matplotlib.font_manager import FontProperties

    for size in (7.0, 9.9, 15.5):
        for text in TEXTS:
            fp = FontProperties(size=size, weight="bold")
            fresh = RendererAgg(100, 100, 200)
            own = plain(fresh)(text, fp, False, 200)
            assert own == fresh.get_text_width_height_descent(text, fp, False)
            shared = matplotlib.text._get_text_metrics_with_cache(RendererAgg(100, 100, 200), text, fp, False, 200)
            assert shared == own
    common._TEXT_METRICS.clear()
    first = [_measured(t, 8.5) for t in TEXTS]
    n = len(common._TEXT_METRICS)
    assert n >= len(TEXTS)
    assert [_measured(t, 8.5) for t in TEXTS] == first
    assert len(common._TEXT_METRICS) == n  # the second page measured nothing anew


def test_shared_text_sizes_follow_the_rc_they_depend_on():
    """A size measured under other rcParams (hinting) is measured anew: the key holds them, so it is never reused."""
    text = "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        loose = _measured(text, 7.5)
        fresh = RendererAgg(100, 100, 200)
        from matplotlib.font_manager import FontProperties

        ref = fresh.get_text_width_height_descent(text, FontProperties(size=7.5), False)
    default = _measured(text, 7.5)
    fresh = RendererAgg(100, 100, 200)
    from matplotlib.font_manager import FontProperties

    assert default[0] == pytest.approx(fresh.get_text_width_height_descent(text, FontProperties(size=7.5), False)[0], abs=1e-9)
    assert loose[0] == pytest.approx(ref[0], abs=1e-9)
    assert loose != default  # the two settings measure differently: the rc is part of the key


def _sheets(tmp, dpi=60):
    """Six sheets like an album's: a cover, two map pages with PNGs (each with many texts and a collection), a
    continuation page of rows, another map and a last page; every text unique, so a page out of order shows."""
    def fig(name, n):
        f = Figure(figsize=(11.69, 8.27), dpi=dpi)
        FigureCanvasAgg(f)
        ax = f.add_axes((0.05, 0.1, 0.6, 0.8))
        ax.scatter(range(n * 10), [(i * 37) % 101 for i in range(n * 10)], s=4)
        for k in range(n):
            ax.text(k % 10, (k * 7) % 100, f"{name}-{k}", fontsize=7)
        f.text(0.7, 0.9, f"HALAMAN {name.upper()}", fontsize=12, weight="bold")
        return f

    out = [(fig("sampul", 2), None, None)]
    for i, n in enumerate((40, 60, 5, 50, 3)):
        f = fig(f"lembar{i}", n)
        png = tmp / f"{i:02d}_peta.png" if i != 2 else None
        w, h = f.get_size_inches()
        out.append((f, png, (int(w * dpi), int(h * dpi)) if png else None))
    return out


def _write(tmp, monkeypatch, forked: bool, whole: bool = False):
    """The sheets written by the album's writer; ``whole``: as one PDF by matplotlib alone (never split)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(album, "_can_fork", lambda: forked)
    if whole:
        monkeypatch.setattr(album, "_split_sheets", lambda sheets: 0)
    else:
        monkeypatch.setattr(album, "_split_sheets", _SPLIT)
    calls = []
    real_fork = os.fork
    monkeypatch.setattr(album.os, "fork", lambda: calls.append(1) or real_fork())
    sheets = _sheets(tmp)
    figs = [s[0] for s in sheets]
    front, pages, conts = [], [], {}
    # the album's own sequence: the cover, then each map and its continuation pages
    front = [figs[0]]

    class P:
        def __init__(self, f):
            self.fig = f

    pages = [("00_peta", P(figs[1])), ("01_peta", P(figs[2])), ("03_peta", P(figs[4])), ("04_peta", P(figs[5]))]
    conts = {0: [], 1: [figs[3]], 2: [], 3: []}
    pdf = tmp / "album_peta.pdf"
    outline = [("Daftar Peta", 0), ("Peta 1. Satu", 1), ("Peta 2. Dua", 2), ("Peta 3. Tiga", 4), ("Peta 4. Empat", 5)]
    pngs = album._write_files(pdf, tmp, front, pages, conts, outline, dpi=60, title="Album Peta Kota Contoh Tahun 2025")
    assert bool(calls) == forked
    return pdf, pngs


_SPLIT = album._split_sheets


def _words(pdf):
    with pdfplumber.open(pdf) as d:
        return [[(w["text"], round(w["x0"], 3), round(w["top"], 3)) for w in p.extract_words()] for p in d.pages]


def test_album_written_in_two_processes_is_the_one_process_album(tmp_path, monkeypatch):
    """Written in two processes and joined, the album has the one-process album's pages in order (every word at its
    place), its bookmarks to the same pages, its metadata, the same PNGs and the same bytes; a second run too."""
    one, two, again, whole = tmp_path / "one", tmp_path / "two", tmp_path / "again", tmp_path / "whole"
    for d in (one, two, again, whole):
        d.mkdir()
    pdf0, png0 = _write(whole, monkeypatch, forked=False, whole=True)
    assert 0 < _SPLIT(_sheets(tmp_path)) < 6
    pdf1, png1 = _write(one, monkeypatch, forked=False)
    pdf2, png2 = _write(two, monkeypatch, forked=True)
    pdf3, _png3 = _write(again, monkeypatch, forked=True)
    w1, w2 = _words(pdf1), _words(pdf2)
    assert len(w1) == 6 and w1 == w2 == _words(pdf0)
    r1, r2 = pypdf.PdfReader(str(pdf1)), pypdf.PdfReader(str(pdf2))
    assert [(o.title, r1.get_destination_page_number(o)) for o in r1.outline] == [(o.title, r2.get_destination_page_number(o)) for o in r2.outline]
    assert [o.title for o in r2.outline][1] == "Peta 1. Satu" and r2.get_destination_page_number(r2.outline[3]) == 4
    assert r2.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    for key in ("/Title", "/Creator", "/Subject", "/CreationDate"):
        assert r2.metadata[key] == r1.metadata[key]
    r0 = pypdf.PdfReader(str(pdf0))
    assert [(o.title, r0.get_destination_page_number(o)) for o in r0.outline] == [(o.title, r2.get_destination_page_number(o)) for o in r2.outline]
    assert [p.name for p in png0] == [p.name for p in png1] == [p.name for p in png2]
    for a, b, c in zip(png0, png1, png2):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert pdf2.read_bytes() == pdf3.read_bytes()
    assert pdf1.read_bytes() == pdf2.read_bytes()  # one CPU or two: the same album, byte for byte
    assert not [p for p in two.iterdir() if p.suffix == ".pdf" and p.name != "album_peta.pdf"]  # the parts are gone
    fonts = set()
    for page in r2.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(f.get_object()["/Subtype"])
    assert fonts == {"/Type0"} or "/Type3" not in fonts  # TrueType (Type 42) as before, never Type 3


def test_a_failed_second_process_leaves_the_album_whole(tmp_path, monkeypatch):
    """When the forked copy cannot write its part, this process writes it: the album is the one-process album."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    pdf1, _ = _write(one, monkeypatch, forked=False)
    real = album._write_part

    def broken(path, sheets, meta, dpi, outline=None):
        if path.name.endswith(".2.pdf") and os.getpid() != parent:
            os._exit(3)
        return real(path, sheets, meta, dpi, outline)

    parent = os.getpid()
    monkeypatch.setattr(album, "_write_part", broken)
    pdf2, _ = _write(two, monkeypatch, forked=True)
    assert _words(pdf1) == _words(pdf2)
    assert pdf1.read_bytes() == pdf2.read_bytes()


def test_a_hung_second_process_is_stopped_and_the_album_written_whole(tmp_path, monkeypatch):
    """A forked copy that never ends (a lock another thread held at the fork) does not hang the album: past its
    deadline it is stopped and this process writes its part; the album is the one-process album."""
    import time as _time

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    pdf1, _ = _write(one, monkeypatch, forked=False)
    real = album._write_part
    real_wait = album._wait_child
    stopped = []

    def hung(path, sheets, meta, dpi, outline=None):
        if path.name.endswith(".2.pdf") and os.getpid() != parent:
            while True:
                _time.sleep(1)
        return real(path, sheets, meta, dpi, outline)

    def soon(pid, deadline):
        status = real_wait(pid, _time.monotonic() + 0.5)
        stopped.append(status is None)
        return status

    parent = os.getpid()
    monkeypatch.setattr(album, "_write_part", hung)
    monkeypatch.setattr(album, "_wait_child", soon)
    started = _time.monotonic()
    pdf2, _ = _write(two, monkeypatch, forked=True)
    assert stopped == [True]
    assert _time.monotonic() - started < 120
    assert pdf1.read_bytes() == pdf2.read_bytes()
