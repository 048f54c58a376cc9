"""Issue 19 (8): the album's time at 10,000 programs. The shortcuts must draw exactly what matplotlib would:
checked against matplotlib itself (a callout without the shortcut, ``Axes.get_tightbbox``), never against the
shortcut's own arithmetic. (No timing test: the machine is shared.)"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography import place_callouts  # noqa: E402
from sppr_gis.maps.cartography.frame import _tight_bbox  # noqa: E402


def _axes(dpi=100):
    fig = Figure(figsize=(8, 6), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.12, 0.8, 0.8))
    ax.set_xlim(0, 8000)
    ax.set_ylim(0, 6000)
    ax.set_xlabel("x")
    return fig, ax


def _page(remember: bool) -> bytes:
    """A page of 60 callouts (some at the map's edge) as PNG and PDF bytes; ``remember=False`` takes the memo off
    each circle, so that matplotlib builds the circle's path on every call as it does by itself."""
    fig, ax = _axes()
    rng = np.random.default_rng(3)
    xy = [(float(x), float(y)) for x, y in zip(rng.uniform(0, 8000, 60), rng.uniform(0, 6000, 60))] + [(10.0, 10.0), (7990.0, 5990.0)]
    out = place_callouts(ax, xy, [str(k + 1) for k in range(len(xy))], fontsize=7)
    if not remember:
        for t in out:
            del t.get_bbox_patch().get_path  # the class's own method again
    png, pdf = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=150)
    fig.savefig(pdf, format="pdf", metadata={"CreationDate": None})
    return png.getvalue() + pdf.getvalue()


def test_callout_circles_that_remember_their_path_draw_the_same_bytes():
    """The leaders are clipped at the circles exactly as without the memo: PNG (150 dpi, after a layout at 100 dpi:
    the circles move and grow between the two) and PDF identical byte for byte."""
    assert _page(True) == _page(False)


def test_a_circle_resized_after_drawing_gets_a_new_path():
    """The memo follows the circle: after the font grows, the path is the one matplotlib builds for the new size."""
    fig, ax = _axes()
    (t,) = place_callouts(ax, [(4000.0, 3000.0)], ["7"], fontsize=7)
    r = fig.canvas.get_renderer()
    fig.draw(r)
    small = t.get_bbox_patch().get_path().get_extents()
    t.set_fontsize(14)
    fig.draw(r)
    patch = t.get_bbox_patch()
    fresh = type(patch).get_path(patch)  # matplotlib's own, unmemoized
    np.testing.assert_array_equal(patch.get_path().vertices, fresh.vertices)
    assert fresh.get_extents().width > small.width * 1.5


def test_tight_box_without_measuring_inner_callouts_equals_matplotlibs():
    """``_tight_bbox`` skips the callouts inside the map; the box is matplotlib's ``get_tightbbox`` all the same,
    on a map crowded with callouts and on a strip of a map so low that most circles stick out of it."""
    for height in (0.8, 0.05):
        fig, ax = _axes()
        rng = np.random.default_rng(5)
        xy = [(float(x), float(y)) for x, y in zip(rng.uniform(0, 8000, 120), rng.uniform(0, 6000, 120))]
        place_callouts(ax, xy, [str(k + 1) for k in range(len(xy))], fontsize=7)  # placed inside the full map
        ax.set_position((0.1, 0.12, 0.8, height))  # the strip: the circles keep their offsets, many now stick out
        r = fig.canvas.get_renderer()
        fig.draw(r)
        for t in ax.texts:  # each circle's box where it is now drawn, as the placer records it
            t._sppr_box = tuple(t.get_bbox_patch().get_window_extent(r).extents)
        inner = ax.get_window_extent(r)
        out = [t for t in ax.texts if not (inner.y0 <= t._sppr_box[1] and t._sppr_box[3] <= inner.y1)]
        assert (len(out) == 0) == (height > 0.5) and len(out) < len(xy)  # exercised: all skipped; some skipped, some measured
        expected = ax.get_tightbbox(r).extents
        np.testing.assert_array_equal(_tight_bbox(ax, r).extents, expected)
        assert all(t.get_in_layout() for t in ax.texts)  # left as found
        if height < 0.5:
            below = min(t.get_window_extent(r).y0 for t in out)
            assert expected[1] <= below < inner.y0 - 1  # a callout sets the box's bottom there: the case is real


def test_table_columns_read_once_give_what_a_row_gives():
    """The OPD table reads each column once: every value is the one ``df.iloc[i][col]`` (a pandas row, as before)
    gives, type included, for numpy, nullable, Arrow-string, categorical and object columns with gaps."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from sppr_gis.maps.pages.base import _column_values

    df = gpd.GeoDataFrame(
        {
            "program_id": pd.array(["P-2", None, "P-1"], dtype="string[pyarrow]"),
            "kegiatan": ["jalan_lingkungan", None, float("nan")],
            "pagu": pd.array([1_500_000_000, None, 7], dtype="Int64"),
            "pagu_f": [1.5e9, float("nan"), 3.0],
            "pagu_s": ["1000", "x", None],
            "status": pd.Categorical(["sesuai", "tidak_sesuai", None]),
            "n": [1, 2, 3],
        },
        geometry=[shapely.Point(0, 0), None, shapely.Point(1, 1)], crs=32748,
    )
    for c in df.columns.drop("geometry"):
        got = _column_values(df, c)
        for i in range(len(df)):
            want = df.iloc[i][c]
            assert type(got[i]) is type(want), (c, i)
            assert (pd.isna(want) and pd.isna(got[i])) or got[i] == want, (c, i)


def test_a_number_skips_to_numeric_but_comes_out_the_same():
    import pandas as pd

    from sppr_gis.maps.pages.base import _numeric

    for v in (7, np.int64(7), 1.5e9, np.float32(2.5), float("nan"), None, pd.NA, "1000", "1.000", "x", True, np.bool_(False)):
        want = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        got = _numeric(v)
        assert (pd.isna(want) and pd.isna(got)) or (float(got) == float(want)), v


def test_callout_leaders_end_where_matplotlibs_arrow_ends():
    """The leaders of one ``LineCollection`` run where matplotlib's own arrow (an ``Annotation`` with ``arrowstyle="-"``,
    ``shrinkA=0``, ``shrinkB=1``, clipped at the number's circle) runs, at the layout dpi and at another dpi: from 1 pt
    off the feature to the circle's edge; a feature outside the map gets no leader (its annotation is not drawn)."""
    from matplotlib.collections import LineCollection

    for dpi in (100, 200):
        fig, ax = _axes()
        rng = np.random.default_rng(7)
        xy = [(float(x), float(y)) for x, y in zip(rng.uniform(0, 8000, 40), rng.uniform(0, 6000, 40))] + [(-900.0, 3000.0)]
        out = place_callouts(ax, xy, [str(k + 1) for k in range(len(xy))], fontsize=7, colors=["#d62728"] * len(xy))
        fig.set_dpi(dpi)
        r = fig.canvas.get_renderer()
        fig.draw(r)
        (lc,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "callout-leaders"]
        at = ax.transData.transform(lc.get_offsets())
        starts = at + np.asarray([s[0] for s in lc.get_segments()]) * dpi / 72.0
        ends = at + np.asarray([s[-1] for s in lc.get_segments()]) * dpi / 72.0
        assert len(starts) == len(xy) - 1  # the feature outside the map has none
        for t, s, e in zip(out, starts, ends):
            ref = ax.annotate(
                t.get_text(), t.xy, xytext=t.xyann, textcoords="offset points", ha="center", va="center", fontsize=7, fontweight="bold",
                bbox=dict(boxstyle="circle,pad=0.2", facecolor="white", edgecolor="#d62728", linewidth=1.2),
                arrowprops=dict(arrowstyle="-", color="#d62728", linewidth=0.8, shrinkA=0, shrinkB=1),
            )
            ref.draw(r)  # matplotlib positions and clips its arrow
            path = ref.arrow_patch._get_path_in_displaycoord()[0][0]
            # the arrow runs from the circle (A) to the feature (B)
            np.testing.assert_allclose(s, path.vertices[-1], atol=0.02)
            # matplotlib clips at the circle's edge stroke (1.2 pt wide, drawn over the leader); the leader ends on the
            # same line under that stroke (within half its width: the circle measured at the layout dpi, drawn at another)
            toward_feature = (s - e) / np.hypot(*(s - e))
            d = path.vertices[0] - e
            along, across = d @ toward_feature, d @ np.array([-toward_feature[1], toward_feature[0]])
            assert abs(along) <= 0.6 * dpi / 72.0 and abs(across) < 0.15
            ref.remove()


def test_png_rasterized_from_the_pdf_is_matplotlibs_png():
    """A map's PNG is its PDF page rasterized: the size in pixels and the dpi of matplotlib's own PNG of the figure, and
    the same picture (text, lines, fills: nearly every pixel within a small difference of matplotlib's)."""
    from matplotlib.backends.backend_pdf import PdfPages
    from PIL import Image

    from sppr_gis.maps.album import _rasterize

    fig = Figure(figsize=(16.54, 11.69), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.08, 0.7, 0.85))
    rng = np.random.default_rng(2)
    for k in range(30):
        x, y = rng.uniform(0, 90, 2)
        ax.fill([x, x + 8, x + 4], [y, y, y + 9], color=("#e6c300", "#b94a48", "#3a7d44")[k % 3])
    ax.plot(rng.uniform(0, 100, 20), rng.uniform(0, 100, 20), color="#1f4e9e", linewidth=1.5)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    fig.text(0.78, 0.9, "PETA KESESUAIAN PROGRAM\nKota Contoh · Tahun 2025", fontsize=14, weight="bold", va="top")
    place_callouts(ax, [(float(a), float(b)) for a, b in rng.uniform(5, 95, (25, 2))], [str(k + 1) for k in range(25)], fontsize=7)
    own = io.BytesIO()
    fig.savefig(own, format="png", dpi=200)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        pdf, png = Path(d) / "a.pdf", Path(d) / "a.png"
        with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(pdf) as pp:
            pp.savefig(fig)
        w, h = fig.get_size_inches()
        _rasterize(pdf, [(png, 0, (int(w * 200), int(h * 200)))], 200)
        with Image.open(png) as im, Image.open(own) as ref:
            assert im.size == ref.size
            assert im.info["dpi"] == pytest.approx(ref.info["dpi"], abs=0.01)
            a = np.asarray(im.convert("RGB"), dtype=int)
            b = np.asarray(ref.convert("RGB"), dtype=int)
    diff = np.abs(a - b).max(axis=2)
    assert (diff > 0).any()  # two renderers: the check below is not comparing a file with itself
    assert (diff > 96).mean() < 0.01 and diff.mean() < 3
