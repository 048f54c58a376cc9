"""Album pages on the bundled sample's real sync results: budget per kecamatan, sinergi, the new base maps.

The pages are built once for the module from the layers ``sppr sync`` gives the
album (no PDF or PNG is written, so this stays fast); their figures are checked
against answers computed here independently (a geopandas spatial join, the
sample's own files).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from mapdata import sample_album_layers
from conftest import SAMPLE

from sppr_gis.maps import album as album_mod
from sppr_gis.maps.cartography import rupiah
from sppr_gis.maps.classify import assign_ranges, few_classes, range_labels


@pytest.fixture(scope="module")
def sample():
    """The sample's 2025 result and the layers the sync hands to the album."""
    return sample_album_layers()


@pytest.fixture(scope="module")
def pages(sample):
    _, layers = sample
    from sppr_gis.config import load_config

    sumber = load_config(SAMPLE / "sppr.toml").album["sumber"]  # the sample's citations, as sync prints them
    a = album_mod._Album(layers, year=2025, title="SPPR Kota Contoh", palette=None, source=None, region="Kota Contoh", sumber=sumber)
    out = {
        "admin": a.page_admin(),
        "zoning": a.page_zoning(),
        "struktur": a.page_struktur(),
        "conformance": a.page_conformance(),
        "ipu_period": a.page_ipu_period(),
        "kecamatan": a.page_kecamatan(),
        "sinergi": a.page_sinergi(),
    }
    assert all(p is not None for p in out.values())
    return out


def _legend(page, title_part):
    lg = next(lg for lg in page.legends if title_part in lg.get_title().get_text())
    return lg, [t.get_text() for t in lg.get_texts()]


def _zone_key(page):
    """The pola ruang key's labels (both groups, Zona Lindung and Zona Budi Daya), wrapping joined."""
    return [" ".join(t.get_text().split()) for lg in page.legends if lg.get_title().get_text() in ("Zona Lindung", "Zona Budi Daya") for t in lg.get_texts()]


def _strip_count(label):
    return re.sub(r"\s*\(\d+\)$", "", label)


# --------------------------------------------------------------------------- budget per kecamatan


def test_kecamatan_totals_equal_the_matrices_and_an_independent_join(sample, pages):
    res, _ = sample
    page = pages["kecamatan"]
    shown = page.data["pagu"]
    # 1. the Buku Matriks' focus table (tables of the same run)
    focus = res.tables["fokus_kecamatan"]
    matrices = {str(k): float(v) for k, v in zip(focus["kecamatan"], focus["pagu"]) if k in shown}
    assert set(matrices) == set(shown)
    for name, v in shown.items():
        assert v == pytest.approx(matrices[name], rel=1e-12), name
    # 2. a second method: each program's pieces in the sample's kecamatan file (geopandas' overlay), the kecamatan
    # holding its largest piece (lines by length, polygons by area, points by count; ties to the first listed)
    kec = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan").to_crs(res.rencana.crs)
    ren = res.rencana[~(res.rencana.geometry.isna() | res.rencana.geometry.is_empty)]
    progs = gpd.GeoDataFrame({"pid": np.arange(len(ren)), "pagu": pd.to_numeric(ren["pagu"], errors="coerce").fillna(0.0).to_numpy(),
                              "dim": [g.geom_type for g in ren.geometry]}, geometry=ren.geometry.values, crs=ren.crs)
    pieces = []
    for kind in ("Point", "Line", "Polygon"):
        part = progs[progs["dim"].str.contains(kind)]
        if len(part):
            o = gpd.overlay(part, kec[["WADMKC", "geometry"]].assign(kpos=np.arange(len(kec))), how="intersection", keep_geom_type=False)
            o["m"] = {"Point": o.geometry.apply(lambda g: len(getattr(g, "geoms", [g]))), "Line": o.geometry.length, "Polygon": o.geometry.area}[kind]
            pieces.append(o[["pid", "pagu", "WADMKC", "kpos", "m"]])
    allp = pd.concat(pieces).groupby(["pid", "pagu", "WADMKC", "kpos"], as_index=False)["m"].sum()
    best = allp.sort_values(["pid", "m", "kpos"], ascending=[True, False, True], kind="stable").drop_duplicates("pid")
    independent = best.groupby("WADMKC")["pagu"].sum().to_dict()
    assert set(independent) == set(shown)
    for name, v in shown.items():
        assert v == pytest.approx(independent[name], rel=1e-12), name
    # the map numbers each kecamatan and its key lists those totals (on the continuation page when the map keeps
    # the full frame): "Name · Rp … · n program · p% sesuai*"; a short key (at most 6 rows) stays in the map's legend
    # panel as "k. Name · Rp … · n program"
    rows = [str(t) for _n, t in page.overflow_rows] if page.table_apart else [t.get_text() for t in page.fig.texts if t.get_gid() == "table-row"]
    if not rows:
        keys = [lg for lg in page.legends if lg.get_title().get_text().startswith("Daftar kecamatan")]
        assert len(keys) == 1, [lg.get_title().get_text() for lg in page.legends]
        rows = [re.sub(r"^\d+\.\s+", "", " ".join(t.get_text().split())) for t in keys[0].get_texts()]
    on_map = {t.get_text() for t in page.ax.texts if t.get_text().isdigit()}
    for name, v in shown.items():
        row = [r for r in rows if r.split(" · ", 1)[0] == name]
        assert len(row) == 1, (name, rows)
        assert rupiah(v).replace("Rp ", "") in row[0], (name, rupiah(v), row[0])
    assert {str(k) for k in range(1, len(rows) + 1)} <= on_map


def test_kecamatan_classes_do_not_overlap(pages):
    page = pages["kecamatan"]
    ranges = page.data["classes"]
    assert ranges and len(ranges) <= 6
    for (lo, hi), (lo2, hi2) in zip(ranges, ranges[1:]):
        assert lo <= hi <= lo2 <= hi2
        assert (lo, hi) != (lo2, hi2)
    # every kecamatan with programs lies in exactly one class, the one the map gives it
    for name, v in page.data["pagu"].items():
        if page.data["n"][name] == 0:
            continue
        hits = [i for i, (lo, hi) in enumerate(ranges) if (lo == hi and v == lo) or (lo < hi and lo <= v < hi)]
        assert hits == [page.data["class_of"][name]], name
    # and the legend labels are distinct (no shared limit printed twice)
    _, labels = _legend(page, "Pagu program per")
    assert len(set(labels)) == len(labels)
    assert not any("Jenks" in t.get_text() for t in page.fig.texts)


def test_few_classes_equal_intervals_have_rounded_disjoint_limits():
    vals = [3.2e9, 7.9e9, 12.5e9, 18.1e9, 25.0e9, 31.7e9, 44.4e9, 93.5e9]
    ranges = few_classes(vals, 5)
    steps = {round(hi - lo, 3) for lo, hi in ranges}
    assert len(steps) == 1  # equal intervals
    step = steps.pop()
    assert step / 10 ** np.floor(np.log10(step)) in (1.0, 2.0, 2.5, 5.0)  # a rounded width
    assert ranges[0][0] % step == 0 and ranges[0][0] <= min(vals) and ranges[-1][1] > max(vals)
    for (_, hi), (lo2, _) in zip(ranges, ranges[1:]):
        assert hi == lo2
    cls = assign_ranges(vals, ranges)
    assert (cls >= 0).all() and list(cls) == sorted(cls)
    labels = range_labels(ranges, lambda v: f"{v / 1e9:.1f}", unit=0.1e9)
    assert labels[0] == "0.0 – 19.9" and labels[1] == "20.0 – 39.9"  # the upper limit one display unit below the next class
    assert few_classes([5.0, 1.0, 5.0]) == [(1.0, 1.0), (5.0, 5.0)]


# --------------------------------------------------------------------------- sinergi


def test_sinergi_legend_entries_are_the_drawn_categories(pages):
    page = pages["sinergi"]
    drawn = {str(t.get_gid()).split(":", 1)[1] for t in page.ax.texts if str(t.get_gid()).startswith("relasi:")}
    assert drawn == set(page.data["relations"]) and len(drawn) >= 3
    lg, labels = _legend(page, "Sinergi dan konflik")
    assert [_strip_count(t) for t in labels] == [album_mod.RELATION_LABELS[k] for k in page.data["relations"]]
    # each entry's symbol has the colour of the callouts of its category
    from matplotlib.colors import to_rgb

    for kind, h in zip(page.data["relations"], lg.legend_handles):
        edge = {to_rgb(t.get_bbox_patch().get_edgecolor()) for t in page.ax.texts if t.get_gid() == f"relasi:{kind}"}
        assert edge == {to_rgb(h.get_markeredgecolor())}, kind
    # every numbered callout has its row in the table beside the map, and the other way round
    numbers = sorted(int(t.get_text()) for t in page.ax.texts if str(t.get_gid()).startswith("relasi:"))
    rows = sorted(int(n) for n, _t in page.overflow_rows) if page.table_apart else sorted(int(t.get_text()) for t in page.fig.texts if t.get_gid() == "table-number")
    assert numbers == rows == list(range(1, len(rows) + 1))


def test_programs_permitted_in_protected_zones_are_not_conflicts(sample, pages):
    res, layers = sample
    s, r = layers["sinergi"], layers["rencana"]
    kinds = album_mod._relation_kinds(s, r)
    status = dict(zip(r["program_id"].astype(str), r["status"].astype(str)))
    lind = s["jenis"].astype(str) == "kawasan_lindung"
    assert lind.any()
    for pid, kind in zip(s.loc[lind, "program_id"].astype(str), kinds[lind]):
        want = {"sesuai": "lindung_I", "sesuai_bersyarat": "lindung_TB", "tidak_sesuai": "lindung_X", "perlu_kajian": "lindung_kajian"}[status[pid]]
        assert kind == want, pid
        assert album_mod._is_conflict(kind) == (status[pid] == "tidak_sesuai"), pid
    # the sample's RTH programs in RTH zones (ITBX I) are among them, drawn as "diizinkan", not as conflicts
    rth = lind & s["zona"].astype(str).str.startswith("RTH") & s["program_id"].astype(str).map(status).eq("sesuai").to_numpy()
    assert rth.any()
    assert set(kinds[rth]) == {"lindung_I"}
    _, labels = _legend(pages["sinergi"], "Sinergi dan konflik")
    permitted = [t for t in labels if t.startswith(album_mod.RELATION_LABELS["lindung_I"])]
    assert permitted and "bukan konflik" in permitted[0]
    # the subtitle counts programs, not "kawasan lindung" areas
    sub = pages["sinergi"].subtitle
    assert "program di kawasan lindung" in sub and not re.search(r"\d+ kawasan lindung", sub)


# --------------------------------------------------------------------------- the base maps


def test_administrative_map_names_kecamatan_kelurahan_and_roads(sample, pages):
    _, layers = sample
    page = pages["admin"]
    texts = {" ".join(t.get_text().split()) for t in page.ax.texts}  # a name may be set on two lines
    kec = gpd.read_file(SAMPLE / "admin.gpkg", layer="kecamatan")["WADMKC"]
    assert {n.upper() for n in kec} <= texts
    kel = set(gpd.read_file(SAMPLE / "admin.gpkg", layer="kelurahan")["WADMKD"])
    assert len(kel & texts) >= len(kel) // 2  # most kelurahan named (names that would collide are dropped)
    roads = set(gpd.read_file(SAMPLE / "struktur_ruang.gpkg")["NAMOBJ"])
    assert len(roads & texts) >= 5
    _, labels = _legend(page, "Kecamatan")
    assert [lab.split(" (")[0] for lab in labels] == list(kec)
    kel_of = gpd.read_file(SAMPLE / "admin.gpkg", layer="kelurahan")["WADMKC"].value_counts()
    for lab in labels:  # area and number of kelurahan of each kecamatan
        name = lab.split(" (")[0]
        assert re.search(r"\(\d+,\d\d km², (\d+) kelurahan\)$", lab).group(1) == str(kel_of[name]), lab


def test_struktur_ruang_map_by_class_named_from_attributes(pages):
    page = pages["struktur"]
    net = gpd.read_file(SAMPLE / "struktur_ruang.gpkg")
    lg, labels = _legend(page, "Struktur ruang")
    classes = {lab.split(" (")[0] for lab in labels} - {"Eksisting", "Rencana"}
    assert classes == set(net["JNSRSR"])
    named = {t.get_text() for t in page.ax.texts if t.get_gid() == "line-label"}
    # along their lines where the name fits the line (8 of 17 on A3: the names longer than their stubs, which made
    # 0.6 of them before, are numbered instead), the others keyed by number: every network named
    assert named <= set(net["NAMOBJ"]) and len(named) >= 0.45 * len(net)
    _, keyed = _legend(page, "Nama ruas jaringan")
    keyed = {re.sub(r"^\d+\. ", "", " ".join(k.split())) for k in keyed}
    assert named | keyed == set(net["NAMOBJ"]) and not named & keyed
    widths = {lab.split(" (")[0]: h.get_linewidth() for lab, h in zip(labels, lg.legend_handles)}
    assert widths["Jalan Arteri Primer"] > widths["Jalan Kolektor Primer"] > widths["Jaringan Drainase Sekunder"]


def test_pola_ruang_map_has_the_itbx_key_and_codes_in_large_blocks(sample, pages):
    _, layers = sample
    page = pages["zoning"]
    zoning = layers["zoning"]
    zf = album_mod.zone_field(zoning)
    nf = album_mod.name_field(zoning, "zone")
    codes = set(zoning[zf].astype(str))
    labels = _zone_key(page)  # names may be wrapped over two lines
    assert not any(t.endswith("…") for t in labels)  # whole names, not cut
    in_legend = {lab.split(" ", 1)[0] for lab in labels}
    assert in_legend == codes
    # code and name: the data's name column when the layer has one, else the national palette's class name
    from sppr_gis.maps.palette import Palette

    pal = Palette()
    names = dict(zip(zoning[zf].astype(str), zoning[nf].astype(str))) if nf else {}
    for lab in labels:
        code, name = lab.split(" ", 1)
        want = pal.label(code, names.get(code)).split(" ", 1)[1]
        assert len(name) > 3 and want.lower().startswith(name.rstrip("…").lower()), lab
    printed = [t for t in page.ax.texts if t.get_gid() == "zone-code"]
    assert len(printed) >= 50 and {t.get_text().replace("\n", "") for t in printed} <= codes  # 'RTH-' over '1' is RTH-1
    # each printed code sits inside a polygon of that code
    import shapely

    for t in printed[:40]:
        x, y = t.get_position()
        hit = zoning[zoning.geometry.contains(shapely.Point(x, y))]
        assert t.get_text().replace("\n", "") in set(hit[zf].astype(str))


def test_medium_term_ipu_map_shows_every_year(sample, pages):
    res, _ = sample
    page = pages["ipu_period"]
    ipu = res.ipu
    start = pd.to_numeric(ipu["tahun_mulai"]).astype(int)
    _, labels = _legend(page, "Tahun mulai")
    assert {int(re.search(r"\d{4}", t).group()) for t in labels} == set(start)
    counts = {int(re.search(r"\d{4}", t).group()): int(re.search(r"\((\d+)\)$", t).group(1)) for t in labels}
    assert counts == start.value_counts().to_dict()
    assert f"{start.min()}–" in page.title
    # the table is on the continuation page (the map keeps the full frame): its rows are the page's overflow rows
    rows = [t for _n, t in page.overflow_rows] if page.table_apart else [t.get_text() for t in page.fig.texts if t.get_gid() == "table-row"]
    assert len(rows) == page.table_shown == len(ipu[~(ipu.geometry.isna() | ipu.geometry.is_empty)])  # all listed
    ids = set(ipu["ipu_id"].astype(str))
    assert all(r.split(" ", 1)[0] in ids for r in rows)


# --------------------------------------------------------------------------- issue 11: Perda zone names, whole citations


def test_pola_ruang_key_prints_the_perda_zone_names(pages):
    """The key is 'code + the zoning's own name' (NAMSZN of the sample's file, read here directly), never cut."""
    raw = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    perda = dict(zip(raw["KODSZN"].astype(str), raw["NAMSZN"].astype(str)))
    labels = _zone_key(pages["zoning"])  # wrapped over lines in the legend
    assert sorted(labels) == sorted(f"{code} {name}" for code, name in perda.items())


def test_sync_zoning_for_maps_carries_the_name_beside_the_code(sample):
    _, layers = sample
    z = layers["zoning"]
    raw = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    assert list(z["zone_code"].astype(str)) == list(raw["KODSZN"].astype(str))
    assert list(z["zone_name"].astype(str)) == list(raw["NAMSZN"].astype(str))


def test_source_citations_are_printed_whole_on_every_page(pages):
    """Every configured citation appears in full (wrapping joined) and nothing is ellipsized, at 7 pt or more."""
    from sppr_gis.config import load_config

    sumber = load_config(SAMPLE / "sppr.toml").album["sumber"]
    shows = {"admin": ("kecamatan", "kelurahan", "struktur_ruang"), "zoning": ("zoning", "kecamatan"), "struktur": ("struktur_ruang", "rencana", "kecamatan", "kelurahan"),
             "conformance": ("rencana", "zoning", "kecamatan")}
    for name, page in pages.items():
        src = [t for t in page.fig.texts if t.get_gid() == "sources"]
        assert len(src) in (1, 2, 3), name  # the panel, or two or three columns in the strip under the map
        text = " ".join(" ".join(t.get_text() for t in src).split())
        assert "..." not in text and "…" not in text, (name, text)
        assert min(t.get_fontsize() for t in src) >= 7.0
        for key in shows.get(name, ()):
            assert " ".join(sumber[key].split()) in text, (name, key)
        assert "Dibuat " in text and "Sistem koordinat" in text  # the last lines too
        fig = page.fig
        from sppr_gis.maps.cartography import _PANEL_X

        r = fig.canvas.get_renderer()
        for t in src:
            bb = fig.transFigure.inverted().transform(t.get_window_extent(r))
            if page.sources_in_strip:  # under the map and its grid labels, inside the map's frame
                below = fig.transFigure.inverted().transform(page.ax.get_tightbbox(r))[0][1]
                assert bb[1][1] <= below + 1e-4 and bb[0][1] >= 0.035 and bb[1][0] <= page.panel_x[0] - 0.01, name
            else:  # inside the panel, above the preparer block
                assert bb[0][1] >= page.prep_top and bb[1][1] <= page.note_top and bb[1][0] <= page.panel_x[1], name
        assert page.panel_x == _PANEL_X  # the sample's paper is A3: the panel as ever


# --------------------------------------------------------------------------- issue 12: relocation advice, struktur ruang status


def test_conformance_map_draws_one_relocation_leader_per_advice_row(sample, pages):
    res, layers = sample
    page = pages["conformance"]
    adv = res.check.extra_layers["saran_relokasi"]
    rencana = layers["rencana"].set_index("program_id")
    zoning = layers["zoning"]
    leaders = {tuple(map(tuple, ln.get_xydata())) for ln in page.ax.lines if ln.get_gid() == "relokasi"}
    expected = set()
    for (_, row), pt in zip(adv.iterrows(), adv.geometry):
        if pt is None or pt.is_empty or not row["jarak_m"] > 0:
            continue
        prog = rencana.loc[row["program_id"]].geometry
        # the program's nearest point to the advised point, by projection on its lines (a second method)
        if prog.geom_type in ("LineString", "MultiLineString"):
            parts = list(getattr(prog, "geoms", [prog]))
            near = min((ln.interpolate(ln.project(pt)) for ln in parts), key=pt.distance)
        elif prog.geom_type in ("Point", "MultiPoint"):
            near = min(getattr(prog, "geoms", [prog]), key=pt.distance)
        else:
            ring = prog.exterior
            near = ring.interpolate(ring.project(pt))
        assert near.distance(pt) == pytest.approx(row["jarak_m"], abs=1e-6)  # the leader is as long as the advised distance
        # the advised point lies on a zone of the advised code
        code_zones = zoning[zoning["zone_code"] == row["zone_code"]]
        assert code_zones.distance(pt).min() < 1e-6
        expected.add((row["program_id"], (near.x, near.y), (pt.x, pt.y)))
    assert len(leaders) == len(expected) == 3  # the sample: 3 programs with a zone some metres away
    for _, a, b in expected:
        match = [ln for ln in leaders if np.allclose(ln[0], a, atol=1e-6) and np.allclose(ln[1], b, atol=1e-6)]
        assert len(match) == 1, (a, b)
    # targets: every advised point (leaders' ends and the one already partly in a permitted zone)
    targets = [ln for ln in page.ax.lines if ln.get_gid() == "relokasi-tujuan"]
    pts = [g for g in adv.geometry if g is not None and not g.is_empty]
    assert len(targets) == 1 and sorted(map(tuple, np.round(targets[0].get_xydata(), 6))) == sorted((round(g.x, 6), round(g.y, 6)) for g in pts)
    # labels: code and rounded distance of the advice they sit by
    want = {f"{r.zone_code} · {round(r.jarak_m)} m" for r in adv.itertuples() if isinstance(r.zone_code, str) and r.jarak_m > 0}
    got = {t.get_text() for t in page.ax.texts if t.get_gid() == "relokasi-label"}
    assert got <= want and len(got) >= 2
    # legend: counts of each kind of advice
    _, labels = _legend(page, "Saran relokasi")
    labels = [" ".join(t.split()) for t in labels]
    n_none = int(adv.geometry.isna().sum() + adv.geometry.is_empty.sum())
    assert labels[0].endswith(f"({len(expected)})") and "jarak" in labels[0]
    assert labels[1].endswith(f"({len(pts) - len(expected)})") and labels[2].endswith(f"({n_none})")


def test_struktur_map_colours_network_programs_by_status_struktur(sample, pages):
    """Each assessed program is drawn once in its status' colour; the statuses are re-derived here from the
    sample's files with buffers and overlays (a second method) for the line programs away from the class limits."""
    import shapely
    from matplotlib.colors import to_rgba

    _, layers = sample
    page = pages["struktur"]
    r = layers["rencana"]
    assessed = r[r["status_struktur"].notna()]
    assert len(assessed) >= 10
    for status, rgb in album_mod.STRUKTUR_COLORS.items():
        geoms = [g for g in assessed.loc[assessed["status_struktur"] == status].geometry if g is not None and not g.is_empty]
        colls = [c for c in page.ax.collections if c.get_gid() == f"struktur:{status}"]
        drawn = sum(len(c.get_offsets()) if c.get_paths() and len(c.get_offsets()) > 1 else len(c.get_paths()) for c in colls)
        assert drawn == sum(shapely.get_num_geometries(g) for g in geoms), status
        for c in colls:
            want = to_rgba(tuple(v / 255 for v in rgb))[:3]
            # lines and area outlines carry it as edge colour, point symbols as face colour (with a dark rim)
            assert any(len(cols) and np.allclose(cols[0][:3], want) for cols in (c.get_edgecolor(), c.get_facecolor())), status
    _, labels = _legend(page, "jaringan rencana")
    counts = assessed["status_struktur"].value_counts()
    assert [int(re.search(r"\((\d+)\)$", t).group(1)) for t in labels] == [int(counts.get(s, 0)) for s in album_mod.STRUKTUR_COLORS]
    # second method for lines: porsi = length within 25 m of a planned line of the activity's classes / length
    net = gpd.read_file(SAMPLE / "struktur_ruang.gpkg", layer="jaringan").to_crs(r.crs)
    classes = pd.read_csv(SAMPLE / "jaringan_kegiatan.csv").groupby("kegiatan")["kelas"].apply(set)
    checked = 0
    for _, row in assessed.iterrows():
        g = row.geometry
        if g.geom_type != "LineString" or row["kegiatan"] not in classes.index:
            continue
        band = shapely.union_all(shapely.buffer(np.asarray(net[net["JNSRSR"].isin(classes[row["kegiatan"]])].geometry.array, dtype=object), 25, quad_segs=64))  # shapely: GeoSeries.buffer takes quad_segs only from geopandas 1.2
        share = g.intersection(band).length / g.length
        if 0.01 < share < 0.89 or 0.91 < share < 0.999:
            want = "sebagian"
        elif share >= 0.91:
            want = "sesuai"
        elif share == 0:
            want = "di_luar_rencana"
        else:
            continue  # too near a class limit for a buffer to decide
        assert row["status_struktur"] == want, (row["program_id"], share)
        checked += 1
    assert checked >= 10
