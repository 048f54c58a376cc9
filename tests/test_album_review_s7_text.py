"""Issue 19, cartographer review of session 7: wording, chart and legend details.

1. a pagu not recorded is printed "pagu tidak tercatat", never "Rp 0" (OPD maps, Peta kawasan prioritas);
2. Grafik 1: each value at its bar's end, each cluster's average printed by its line, every line keyed;
3. Peta 3: the struktur ruang legend in the plan's hierarchy, each class keyed with the map's line style;
4. class ranges that do not overlap (the predikat bands, ``sppr map`` classes, the budget classes).

Expected values come from the sample's data read here and from hand-computed figures, never from the drawing code.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

matplotlib.use("Agg")

from mapdata import realistic_album, sample_album_layers  # noqa: E402
from printing import pdf_words  # noqa: E402

from sppr_gis.maps import album as album_mod  # noqa: E402

pytest.importorskip("pdfplumber")

#: 1 mm in points.
MM = 72 / 25.4


@pytest.fixture(scope="module")
def sample():
    return sample_album_layers()


def _album(layers, paper="A3", dpi=100):
    return realistic_album(layers, paper=paper, dpi=dpi)


def _printed(fig) -> str:
    words, _ = pdf_words(fig)
    return " ".join(w["text"] for w in words)


def _miliar(v: float) -> str:
    """Rupiah in miliar as the pages print them, written out here: one decimal, decimal comma."""
    assert v >= 1e9
    return f"Rp {v / 1e9:.1f} miliar".replace(".", ",")


# --------------------------------------------------------------------------- 1. pagu not recorded


def test_opd_subtitle_tells_a_pagu_not_recorded_from_rp_0(sample):
    """Review s7 (MEDIUM): an OPD whose programs have no recorded pagu was printed "pagu Rp 0". Now: every pagu
    missing -> "pagu tidak tercatat"; some missing -> the recorded sum and "(N program tanpa pagu)"; all recorded
    and 0 -> "pagu Rp 0" still."""
    _res, layers = sample
    r = layers["rencana"].copy()
    r["pagu"] = pd.to_numeric(r["pagu"], errors="coerce").astype(float)
    none, some, zero = "Dinas Perhubungan", "Dinas Kesehatan", "Dinas Lingkungan Hidup"
    r.loc[r["opd"] == none, "pagu"] = np.nan
    first = r.index[r["opd"] == some][0]
    r.loc[first, "pagu"] = np.nan
    r.loc[r["opd"] == zero, "pagu"] = 0.0
    kept = r[r["opd"].isin([none, some, zero])]
    recorded = float(kept.loc[(kept["opd"] == some) & kept["pagu"].notna(), "pagu"].sum())
    n_some = int((kept["opd"] == some).sum())
    a = _album({**layers, "rencana": kept})
    seen = {}
    for page in a.pages_opd():
        opd = next(o for o in (none, some, zero) if page.title.endswith(o))
        seen[opd] = _printed(page.fig)
    assert set(seen) == {none, some, zero}
    assert "pagu tidak tercatat" in seen[none] and "Rp 0" not in seen[none], seen[none]
    assert f"{n_some} program · pagu {_miliar(recorded)} (1 program tanpa pagu)" in seen[some], seen[some]
    assert re.search(r"pagu Rp 0(?![,\d])", seen[zero]) and "tidak tercatat" not in seen[zero], seen[zero]


def test_kawasan_legend_says_pagu_not_recorded(sample):
    """Review s7 (priority.py 'Rp 0'): a kawasan's programs without pagu are not "Rp 0" in the Peta 15 legend."""
    _res, layers = sample
    r = layers["rencana"].copy()
    r["pagu"] = np.nan
    a = _album({**layers, "rencana": r})
    a.page_conformance()
    page = a.page_priority()
    sec = next(s for s in page.legend_sections if s.title == "Kawasan prioritas")
    with_programs = [t for t in sec.labels if not re.search(r"\n0 program$", t)]
    assert with_programs, sec.labels
    for t in sec.labels:
        assert "Rp 0" not in t, t
    for t in with_programs:
        assert t.endswith("pagu tidak tercatat"), t


# --------------------------------------------------------------------------- 2. Grafik 1


@pytest.fixture(scope="module")
def chart(sample):
    from sppr_gis.maps.kinerja_pages import page_capaian_opd

    res, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=100, paper="A3",
                         sumber={"kinerja": "berkas kinerja.xlsx"})
    page = page_capaian_opd(a, res.kinerja)
    page.fig.canvas.draw()
    ax = next(x for x in page.fig.axes if any(t.get_gid() == "bar-value" for t in x.texts))
    return res, page, ax


def test_chart_values_stand_at_their_bar_ends(chart):
    """Review s7: values moved right of the cluster's average line stood away from their bars. Each value's text now
    begins or ends within 2 mm of its bar's end (the bar's end from the kinerja table: capaian of the OPD named on
    the bar's row)."""
    res, page, ax = chart
    r = page.fig.canvas.get_renderer()
    px_mm = page.fig.dpi / 25.4
    capaian = dict(zip(res.kinerja.opd["opd"].astype(str), res.kinerja.opd["capaian"].astype(float)))
    rows = {round(float(y), 6): t.get_text() for y, t in zip(ax.get_yticks(), ax.get_yticklabels())}
    values = [t for t in ax.texts if t.get_gid() == "bar-value"]
    assert len(values) == len(capaian)
    for t in values:
        opd = rows[round(float(t.get_position()[1]), 6)]
        v = capaian[opd]
        assert t.get_text() == f"{v:.1f}%".replace(".", ","), (opd, t.get_text())
        end = ax.transData.transform((v, t.get_position()[1]))[0]
        bb = t.get_window_extent(r)
        gap = min(abs(bb.x0 - end), abs(bb.x1 - end)) / px_mm
        assert gap <= 2.0, (opd, t.get_text(), round(gap, 1))


def test_chart_prints_each_cluster_average_by_its_line(chart):
    """Review s7: the averages were not printed. Each cluster's average (kinerja klaster table) is printed as
    "rata-rata 97,9%" within 2 mm of the upper end of its dashed line, and on the page as printed."""
    res, page, ax = chart
    r = page.fig.canvas.get_renderer()
    px_mm = page.fig.dpi / 25.4
    kl = res.kinerja.klaster.dropna(subset=["capaian"])
    assert len(kl) >= 2
    lines = [ln for ln in ax.lines if ln.get_gid() == "cluster-average"]
    printed = _printed(page.fig)
    for c in kl["capaian"].astype(float):
        want = f"rata-rata {c:.1f}%".replace(".", ",")
        assert want in printed, (want, printed[:400])
        t = next(t for t in ax.texts if t.get_text() == want)
        ln = next(ln for ln in lines if abs(ln.get_xdata()[0] - c) < 1e-9)
        top = ax.transData.transform((c, max(ln.get_ydata())))
        bb = t.get_window_extent(r)
        dx = max(bb.x0 - top[0], 0, top[0] - bb.x1) / px_mm
        dy = max(bb.y0 - top[1], 0, top[1] - bb.y1) / px_mm
        assert dx <= 2.0 and dy <= 2.0, (want, dx, dy)


def test_chart_keys_every_line_it_draws(chart):
    """Review s7: the grey lines were not keyed. Every line drawn on the chart (the predikat limits, the cluster
    averages, the rules between clusters) has a legend swatch of the same colour, style and width."""
    _res, page, ax = chart
    drawn = {(to_hex(ln.get_color()), ln.get_linestyle(), round(float(ln.get_linewidth()), 3)) for ln in ax.lines}
    assert len(drawn) >= 3, drawn  # predikat limits, averages, rules
    keyed = {(to_hex(h.get_color()), h.get_linestyle(), round(float(h.get_linewidth()), 3))
             for s in page.legend_sections for h in s.handles if isinstance(h, Line2D)}
    assert drawn <= keyed, drawn - keyed


# --------------------------------------------------------------------------- 3. Peta 3


def _struktur_sample(layers):
    """The sample's network with one road made an arteri sekunder (wider than a kolektor primer)."""
    net = layers["struktur_ruang"].copy()
    net.loc[net["NAMOBJ"] == "Jalan Ganet", "JNSRSR"] = "Jalan Arteri Sekunder"
    return {**layers, "struktur_ruang": net}


@pytest.fixture(scope="module")
def struktur(sample):
    _res, layers = sample
    layers = _struktur_sample(layers)
    page = _album(layers).page_struktur()
    page.fig.canvas.draw()
    return layers, page


def test_struktur_legend_follows_the_hierarchy(struktur):
    """Review s7: classes keyed by line width put a sekunder road before a primer one. The legend lists them as the
    plan does: roads (primer system, then sekunder; arteri before kolektor), water resources, drinking water
    (transmisi before distribusi), drainage (primer before sekunder)."""
    _layers, page = struktur
    sec = next(s for s in page.legend_sections if s.title == "Struktur ruang (jaringan)")
    classes = [re.sub(r" \(.*$", "", t) for t in sec.labels if t not in ("Eksisting", "Rencana")]
    assert classes == [
        "Jalan Arteri Primer", "Jalan Kolektor Primer", "Jalan Arteri Sekunder", "Jalan Kolektor Sekunder", "Sungai",
        "Jaringan Transmisi Air Minum", "Jaringan Distribusi Air Minum", "Jaringan Drainase Primer", "Jaringan Drainase Sekunder",
    ], classes


def _dashes_pt(artist) -> tuple[float, ...]:
    """The printed dash pattern (points) of a line or line collection: () when solid."""
    if isinstance(artist, Line2D):
        offset, seq = artist._dash_pattern  # scaled by the width, as drawn
    else:
        offset, seq = artist.get_dashes()[0]
    return tuple(round(float(v), 3) for v in seq) if seq else ()


def test_struktur_legend_draws_each_class_as_the_map_does(struktur):
    """Review s7: a class the map draws dashed (every line of it planned) was keyed solid, and the dashes of a wide
    planned road (9 pt) were longer than the legend's swatch, so its key looked solid too. Each class's swatch has the
    map's dash pattern in points (solid where any of its lines is existing), and a planned swatch shows at least one
    gap within its length."""
    layers, page = struktur
    net = layers["struktur_ruang"]
    planned_only = {str(k) for k, g in net.groupby("JNSRSR") if g["STSJRN"].str.lower().str.contains("rencana").all()}
    assert {"Jalan Kolektor Sekunder", "Jaringan Drainase Primer", "Jaringan Transmisi Air Minum"} <= planned_only
    sec = next(s for s in page.legend_sections if s.title == "Struktur ruang (jaringan)")
    drawn = {}
    for coll in page.ax.collections:
        if coll.get_gid() == "network":
            drawn.setdefault(to_hex(coll.get_edgecolor()[0]), set()).add(_dashes_pt(coll))
    fs = 7.0
    for h, label in zip(sec.handles, sec.labels):
        kind = re.sub(r" \(.*$", "", label)
        if kind in ("Eksisting", "Rencana"):
            continue
        pattern = _dashes_pt(h)
        col = to_hex(h.get_color())
        if kind in planned_only:
            assert pattern, (kind, "keyed solid, drawn dashed")
            assert drawn[col] == {pattern}, (kind, pattern, drawn[col])
            assert sum(pattern[:2]) < 1.6 * fs, (kind, pattern)  # a dash and a gap within the 1.6 em swatch
        else:
            assert pattern == (), (kind, pattern)
            assert () in drawn[col], (kind, drawn[col])


# --------------------------------------------------------------------------- 4. class ranges


def _bands(text: str) -> dict[str, tuple[str, float, float]]:
    """The predikat bands as printed: name -> (how the lower limit is held, lower, upper)."""
    out = {}
    for name, rng in re.findall(r"(Sangat rendah|Rendah|Sedang|Tinggi|Sangat tinggi) \(([^)]*)%\)", text):
        rng = rng.replace(",", ".")
        if m := re.fullmatch(r"≤ (\d+(?:\.\d+)?)", rng):
            out[name] = ("le", -np.inf, float(m.group(1)))
        elif m := re.fullmatch(r"> (\d+(?:\.\d+)?)", rng):
            out[name] = ("gt", float(m.group(1)), np.inf)
        elif m := re.fullmatch(r"(>\s*)?(\d+(?:\.\d+)?)\s*[–-]\s*(\d+(?:\.\d+)?)", rng):
            out[name] = ("gt" if m.group(1) else "ge", float(m.group(2)), float(m.group(3)))
        else:
            raise AssertionError(rng)
    return out


def test_predikat_bands_do_not_overlap(chart):
    """Review s7 (LOW): "50–65", "65–75" both held 65. Every capaian from 0 to 130 in steps of 0.5 lies in exactly
    one printed band, and it is the band of Permendagri 86/2017 (written out here: <= 50, <= 65, <= 75, <= 90)."""
    _res, page, _ax = chart
    bands = _bands(" ".join(page.legend_sections[0].labels))
    assert len(bands) == 5, bands

    def held(v, how, lo, hi):
        return (v > lo if how in ("gt", "le") else v >= lo) and v <= hi

    for v in np.arange(0, 130.5, 0.5):
        inside = [n for n, (how, lo, hi) in bands.items() if held(v, how, lo, hi)]
        want = "Sangat rendah" if v <= 50 else "Rendah" if v <= 65 else "Sedang" if v <= 75 else "Tinggi" if v <= 90 else "Sangat tinggi"
        assert inside == [want], (v, inside)


def test_map_class_labels_do_not_overlap():
    """``sppr map`` classes (upper limit held, v in (b[i-1], b[i]]): "0 – 10", "> 10 – 20"; integers "11 – 20"."""
    from sppr_gis.maps.classify import class_labels

    assert class_labels([10.0, 20.0, 35.0], lambda v: f"{v:g}", lowest=0.0) == ["0 – 10", "> 10 – 20", "> 20 – 35"]
    assert class_labels([10.0, 20.0, 35.0], lambda v: f"{v:g}", lowest=2.0, integer=True) == ["2 – 10", "11 – 20", "21 – 35"]


def test_budget_class_labels_do_not_overlap_when_the_format_drops_decimals():
    """The budget map's classes ``lo <= v < hi`` in Rp miliar from 100 up are printed without decimals: the upper
    limit one unit below the next class's lower limit, never equal to it."""
    from sppr_gis.maps.classify import range_labels

    fmt = lambda v: f"{v / 1e9:.0f}" if v / 1e9 >= 100 else f"{v / 1e9:.1f}".replace(".", ",")  # noqa: E731
    labels = range_labels([(50e9, 100e9), (100e9, 200e9), (200e9, 300e9)], fmt, unit=1e8)
    assert labels == ["50,0 – 99,9", "100 – 199", "200 – 299"], labels


# --------------------------------------------------------------------------- 5. Lampiran columns


def test_lampiran_rows_are_not_broken_to_one_word_lines(sample):
    """Review s7 (LOW): Lampiran lists in narrow columns, wrapped at a character count, broke rows before their
    last word ("PUPR-2025-001 Pembangunan Jalan ·" / "sesuai"). On the A3 Lampiran of the conformance map (67 rows
    of at most 62 characters, which fit one sheet) no printed line holds a single word, and every line lies within
    its sheet's list area (left of the panel)."""
    from sppr_gis.maps.cartography import TABLE_HEADING, continuation_pages

    _res, layers = sample
    a = _album(layers)
    page = a.page_conformance()
    figs = continuation_pages(page)
    assert len(figs) == 1
    fig = figs[0]
    r = fig.canvas.get_renderer()
    rows = [t for t in fig.texts if t.get_gid() == "table-row"]
    listed = [t for n, t in page.overflow_rows if n != TABLE_HEADING]
    assert len(rows) == len(listed) == 67
    assert max(len(" ".join(str(t).split())) for t in listed) <= 62
    lonely = [ln for t in rows for ln in t.get_text().split("\n") if len(ln.split()) == 1]
    assert not lonely, lonely
    panel = min(t.get_window_extent(r).x0 for t in fig.texts if t.get_text().startswith("Lampiran Peta"))
    for t in rows:
        assert t.get_window_extent(r).x1 < panel, t.get_text()


def test_chart_key_counts_only_the_predikat_its_opd_have(chart):
    """Review s9 (sample Grafik 1): 'Sangat rendah: 0', 'Rendah: 0', 'Sedang: 0' read as classes of the chart. The key
    keeps the whole scale, with a count after the predikat of the kinerja table's OPD only (counted here)."""
    res, page, _ax = chart
    want = res.kinerja.opd["predikat"].dropna().astype(str).value_counts().to_dict()
    key = [lg for lg in page.legends if lg.get_title().get_text().startswith("Predikat capaian")]
    assert len(key) == 1
    got = {}
    texts = [" ".join(t.get_text().split()) for t in key[0].get_texts()]
    assert len(texts) == 5 and not any(t.endswith(": 0") for t in texts), texts
    for text in texts:
        if text.endswith(")"):
            continue
        name, _, n = text.rpartition(": ")
        got[name.split(" (")[0].lower()] = int(n)
    assert got == want
