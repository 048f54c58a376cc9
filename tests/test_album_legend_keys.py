"""Issue 19, review of session 6 (findings 2 and 3): every symbol drawn on a map has a legend entry, and the
kecamatan boundaries are drawn once.

- the OPD maps (and Peta 5, Peta 15) drew the zoning faded under the programs (a sempadan sungai read as a river)
  with no key; Peta 13 and Peta 17 drew the kecamatan boundaries with no legend entry;
- where two kecamatan meet, each drew its own dash-dot outline over the other's, the dashes out of step (a solid
  line), and the kelurahan's dotted outline ran along the kecamatan's too.

Read from the drawn artists (colours of the collections on the map, lengths of the outlines) and the PDF text,
against the sample's layers read here.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from matplotlib.colors import to_rgba, to_rgba_array
from printing import pdf_words

from sppr_gis.maps import album as album_mod

pytest.importorskip("pdfplumber")

#: The region's ground under every map (a warm light grey, sppr_gis.maps.pages.common.LAND): the paper of the
#: region, as white paper is outside it; not a symbol.
GROUND = (242 / 255, 239 / 255, 228 / 255)


@pytest.fixture(scope="module")
def sample():
    from mapdata import sample_album_layers

    return sample_album_layers()


@pytest.fixture(scope="module")
def pages(sample):
    _res, layers = sample
    return list(album_mod.album_pages(layers, year=2025, title="SPPR Kota Contoh", paper="A3", dpi=40, region="Kota Contoh"))


def _colours(artist) -> list[tuple[float, ...]]:
    out = []
    for get in ("get_facecolor", "get_edgecolor", "get_color", "get_markerfacecolor", "get_markeredgecolor"):
        if hasattr(artist, get):
            try:
                out.extend(map(tuple, to_rgba_array(getattr(artist, get)())))
            except (TypeError, ValueError):
                continue
    return out


def test_every_colour_drawn_on_a_map_is_keyed_in_its_legend(pages):
    """Each collection drawn on a map (zones, programs, areas, lines) with a visible colour has a legend entry of
    that colour: its fill where it has one (the edge of a filled shape is a darker shade of it), else its line.
    Leaders of numbered callouts and white or ground-coloured fills are not symbols; the dots and leaders of point
    symbols spread apart where they lay on one another are."""
    checked = spread = 0
    for stem, page in pages:
        if page.chart or page.ax is None:
            continue
        keyed = [c[:3] for lg in page.legends for h in lg.legend_handles for c in _colours(h) if c[3] > 0]
        assert keyed, stem
        keyed_rgb = np.array(keyed)
        missing = set()
        for coll in page.ax.collections:
            gid = str(coll.get_gid() or "")
            if not coll.get_visible() or ("leader" in gid and gid != "stack-leader"):  # a callout's leader is no symbol
                continue
            spread += gid == "stack-origin"
            faces = [c for c in to_rgba_array(coll.get_facecolor()) if c[3] >= 0.05] if hasattr(coll, "get_facecolor") else []
            for c in faces if len(faces) else [c for c in to_rgba_array(coll.get_edgecolor()) if c[3] >= 0.05]:
                rgb = np.asarray(c[:3])
                if (rgb > 0.97).all() or np.abs(rgb - GROUND).max() < 0.01:
                    continue
                checked += 1
                if np.abs(keyed_rgb - rgb).max(axis=1).min() >= 0.03:
                    missing.add(tuple(np.round(rgb, 2)))
        assert not missing, (stem, page.title, sorted(missing))
    assert checked > 100
    assert spread >= 1  # (the sample has points spread apart: the case is checked)


def test_a_faded_zoning_background_is_keyed_with_its_codes(pages, sample):
    """The OPD maps, Peta 5 and Peta 15 draw the zoning faded under their programs: their legend names every zone
    code of the sample's zoning (read here) in a section of the background."""
    _res, layers = sample
    codes = {str(c) for c in layers["zoning"]["zone_code"].dropna()}
    assert len(codes) == 20
    faded = [p for stem, p in pages if "opd_" in stem or stem.endswith(("sinkronisasi_ipu", "kawasan_prioritas"))]
    assert len(faded) == 8
    for page in faded:
        secs = [lg for lg in page.legends if lg.get_title().get_text().startswith("Latar: zona")]
        assert secs, page.title
        texts = {" ".join(t.get_text().split()).split(" ")[0] for lg in secs for t in lg.texts}
        assert codes <= texts, (page.title, sorted(codes - texts))


def _words_text(fig) -> str:
    words, _h = pdf_words(fig)
    return " ".join(w["text"] for w in words)


def test_budget_and_capaian_maps_key_their_kecamatan_boundaries(pages, sample):
    """Peta 13 (pagu per kecamatan) and Peta 17 (capaian per kecamatan) draw every kecamatan's edge: their legend
    prints "Batas administrasi" and "Batas kecamatan" (read from the PDF)."""
    from sppr_gis.maps.kinerja_pages import page_capaian_kecamatan

    res, layers = sample
    budget = next(p for stem, p in pages if stem.endswith("anggaran_kecamatan"))
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A3")
    capaian = page_capaian_kecamatan(a, res.kinerja)
    assert capaian is not None
    for page in (budget, capaian):
        text = _words_text(page.fig)
        assert "Batas administrasi" in text and "Batas kecamatan" in text, page.title


def _drawn_length(coll) -> float:
    return float(sum(np.hypot(*np.diff(np.asarray(seg), axis=0).T).sum() for seg in coll.get_segments() if len(seg) > 1))


def test_kecamatan_edges_are_drawn_once_and_kelurahan_dots_not_over_them(pages, sample):
    """The kecamatan's dash-dot outline is as long as the union of the kecamatan boundaries (each shared edge
    once, not twice), and the kelurahan's dotted outline has no length along a kecamatan boundary."""
    _res, layers = sample
    target = layers["kecamatan"].to_crs("EPSG:32648")  # the sample's maps are in UTM 48N (their CRS note)
    ink = to_rgba("#2b2b2b")[:3]
    opd = next(p for stem, p in pages if "opd_" in stem)
    outlines = [c for c in opd.ax.collections if c.get_gid() == "outline"]
    kec_lines = [c for c in outlines if np.allclose(to_rgba_array(c.get_edgecolor())[0][:3], ink)]
    kel_lines = [c for c in outlines if not np.allclose(to_rgba_array(c.get_edgecolor())[0][:3], ink)]
    assert len(kec_lines) == 1 and len(kel_lines) == 1
    segs = np.concatenate([np.asarray(s) for s in kec_lines[0].get_segments()])
    union = shapely.union_all(shapely.boundary(np.asarray(target.geometry.array, dtype=object)))
    assert np.allclose([segs[:, 0].min(), segs[:, 1].min()], union.bounds[:2], atol=1.0)  # the same coordinates
    drawn = _drawn_length(kec_lines[0])
    assert drawn == pytest.approx(union.length, rel=1e-6), (drawn, union.length)
    per_kec = float(sum(shapely.boundary(g).length for g in target.geometry))
    assert per_kec > 1.3 * union.length  # (each kecamatan drawn alone would draw the shared edges twice)
    dotted = shapely.MultiLineString([np.asarray(s) for s in kel_lines[0].get_segments() if len(s) > 1])
    assert dotted.intersection(union.buffer(0.5)).length < 1e-3 * union.length


def test_struktur_ruang_networks_are_told_apart_by_colour(pages):
    """Review s6, finding 4: the struktur ruang map's networks (the sample: a river, two drinking-water and two
    drainage classes, roads) in colours a reader tells apart: every two classes' legend lines at least 20 apart
    in CIE ΔE2000 (the project's formula, checked against Sharma et al. 2005 in test_album_legend_fills)."""
    from sppr_gis.maps.palette import delta_e2000

    page = next(p for stem, p in pages if stem.endswith("struktur_ruang"))
    sec = next(lg for lg in page.legends if lg.get_title().get_text().startswith("Struktur ruang"))
    lines = {" ".join(t.get_text().split()).split(" (")[0]: tuple(int(round(255 * v)) for v in to_rgba(h.get_color())[:3])
             for h, t in zip(sec.legend_handles, sec.texts) if t.get_text() not in ("Eksisting", "Rencana")}
    water = [k for k in lines if any(w in k.lower() for w in ("sungai", "air minum", "drainase"))]
    assert len(water) == 5, lines
    names = sorted(lines)
    close = [(a, b, round(delta_e2000(lines[a], lines[b]), 1)) for i, a in enumerate(names) for b in names[i + 1:] if delta_e2000(lines[a], lines[b]) < 20]
    assert not close, close
    # nor like the bands of the year's programs drawn over them (sesuai green, sebagian orange, di luar magenta)
    bands = next(lg for lg in page.legends if lg.get_title().get_text().startswith("Program"))
    band = [tuple(int(round(255 * v)) for v in to_rgba(h.get_color())[:3]) for h in bands.legend_handles if hasattr(h, "get_color")]
    assert len(band) == 3
    near = [(a, b, round(delta_e2000(lines[a], b), 1)) for a in names for b in band if delta_e2000(lines[a], b) < 20]
    assert not near, near


def test_on_a4_spread_points_are_keyed_in_the_note(sample):
    """On A4 the legend of Peta Kesesuaian has no row to spare (three columns at 7 pt): the spread points' key is
    a sentence of the page's note there, read from the PDF."""
    _res, layers = sample
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", dpi=40, paper="A4")
    page = a.page_conformance()
    assert any(c.get_gid() == "stack-origin" for c in page.ax.collections)
    text = _words_text(page.fig)
    assert "dipencarkan melingkar" in text and "lokasi sebenarnya" in text
