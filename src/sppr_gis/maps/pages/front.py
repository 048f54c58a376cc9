"""The album's front matter: cover, KATA PENGANTAR and DAFTAR PETA, and the PDF bookmarks."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from sppr_gis.i18n import _

log = logging.getLogger(__name__)


_SPPR_PHRASE = "SINKRONISASI PROGRAM PEMANFAATAN RUANG"


def _album_title(title: str, year: int) -> str:
    """``SPPR Kota Contoh`` stays as is (no 'SPPR SPPR'); a bare region gets the SPPR prefix."""
    t = " ".join(str(title).split())
    return t if t.upper().startswith("SPPR") or _SPPR_PHRASE in t.upper() else f"SPPR {t}"


def _text_figure(size: tuple[float, float], dpi: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    fig.patches.append(Rectangle((0.012, 0.035), 0.976, 0.93, transform=fig.transFigure, fill=False, edgecolor="#222222", linewidth=1.0))
    return fig


def cover_page(*, title: str, region: str, year: int, office: str | None = None, logo: Any = None, paper: str = "A3", dpi: int = 200) -> Any:
    """The album's cover: ALBUM PETA, the SPPR title, region, year, office (and logo)."""
    from sppr_gis.maps.cartography import paper_size

    size = paper_size(paper)
    k = size[0] / 11.69
    fig = _text_figure(size, dpi)
    y = 0.80
    if logo is not None:
        try:
            import matplotlib.image as mpimg

            img = mpimg.imread(str(logo))
            h = 0.16
            w = h * size[1] / size[0] * img.shape[1] / img.shape[0]
            lax = fig.add_axes((0.5 - w / 2, 0.74, w, h))
            lax.imshow(img, interpolation="lanczos")
            lax.set_axis_off()
            y = 0.68
        except Exception as exc:  # pragma: no cover
            log.warning(_("logo {logo} cannot be read: {exc}").format(logo=logo, exc=exc))
    fig.text(0.5, y, "ALBUM PETA", ha="center", va="top", fontsize=26 * k, fontweight="bold", color="#222222")
    fig.text(0.5, y - 0.09, _album_title(title, year).upper(), ha="center", va="top", fontsize=17 * k, fontweight="bold", color="#222222")
    if _SPPR_PHRASE not in _album_title(title, year).upper():  # the phrase once, not as title and subtitle
        fig.text(0.5, y - 0.16, _SPPR_PHRASE, ha="center", va="top", fontsize=11 * k, color="#333333")
    if region and region.upper() not in _album_title(title, year).upper():
        fig.text(0.5, y - 0.21, region.upper(), ha="center", va="top", fontsize=13 * k, fontweight="bold", color="#333333")
    fig.text(0.5, y - 0.28, f"TAHUN {year}", ha="center", va="top", fontsize=15 * k, fontweight="bold", color="#222222")
    if office:
        fig.text(0.5, 0.12, office.upper(), ha="center", va="center", fontsize=12 * k, fontweight="bold", color="#222222", wrap=True)
    return fig


def _page_heading(fig: Any, text: str, k: float) -> None:
    fig.text(0.5, 0.92, text, ha="center", va="top", fontsize=16 * k, fontweight="bold", color="#222222")


def kata_pengantar_page(
    text: str, *, office: str | None = None, signatory: str | None = None, place_date: str | None = None, paper: str = "A3", dpi: int = 200,
) -> Any:
    """The KATA PENGANTAR (foreword) page: the config's text, paragraphs separated by blank lines, and under it
    the place-and-date line and every line of the signatory with room to sign.

    Raises
    ------
    sppr_gis.errors.ConfigError
        The text and the signature block cannot both fit the page at 9 pt (names ``album.kata_pengantar``).
    """
    import textwrap as _tw

    from sppr_gis.errors import ConfigError
    from sppr_gis.maps.cartography import _bottom, paper_size, preparer_artists

    size = paper_size(paper)
    k = size[0] / 11.69
    fig = _text_figure(size, dpi)
    _page_heading(fig, "KATA PENGANTAR", k)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]
    block = None
    if signatory or place_date:
        signatory, sign_left = _signature_fit(fig, signatory, 10 * k) if signatory else (signatory, 0.58)
        block = preparer_artists(fig, 0.12, 0.88, 0.08, office=None, signatory=signatory, place_date=place_date, fontsize=10 * k, sign_left=sign_left, max_height=0.6)
    floor = (block.top if block else 0.08) + 0.03
    fs = 10 * k
    while True:
        chars = int(0.76 * size[0] * 72 / (fs * 0.55))
        body = "\n\n".join(_tw.fill(p, chars) for p in paras)
        t = fig.text(0.12, 0.84, body, ha="left", va="top", fontsize=fs, color="#222222", linespacing=1.5, gid="kata-pengantar")
        if _bottom(fig, t) >= floor:
            break
        t.remove()
        if fs <= 9:
            raise ConfigError("album.kata_pengantar: the foreword and the signature block do not fit one page; shorten the text")
        fs = max(9.0, fs - 0.5)
    return fig


#: The Kata Pengantar's signature block: its right edge, its usual left edge and the leftmost it may start
#: (the text's margin), as figure fractions.
_SIGN_RIGHT, _SIGN_LEFT, _SIGN_LEFTMOST = 0.88, 0.58, 0.12
#: A degree or title after a name's comma (``S.T.``, ``M.T.``, ``M.Eng.``, ``Ph.D.``, ``MT``, ``SE``).
_DEGREE = re.compile(r"^(?:[A-Z][A-Za-z]{0,3}\.?){1,4}$")


def _text_width(fig: Any, text: str, fontsize: float, bold: bool) -> float:
    """Width of a line of text on the page (figure fraction)."""
    t = fig.text(0, 0, text, fontsize=fontsize, fontweight="bold" if bold else "normal")
    try:
        return float(t.get_window_extent(fig.canvas.get_renderer()).width / (fig.get_figwidth() * fig.dpi))
    finally:
        t.remove()


def name_lines(name: str, fits: Any) -> list[str]:
    """A signatory's name with degrees as lines that never break inside the name or a degree.

    The whole line when ``fits`` it; else the name, then its degrees (``", "``-separated) packed on as few lines
    as fit (a degree never split from its dots, never alone when it can join the one before).

    Parameters
    ----------
    name : str
        ``"Dr. Ir. Nama Penandatangan Lengkap, S.T., M.T."``.
    fits : callable
        ``fits(line) -> bool``: whether a line fits the block's width.

    Returns
    -------
    list of str
        ``["Dr. Ir. Nama Penandatangan Lengkap,", "S.T., M.T."]`` when the whole line does not fit.
    """
    if fits(name) or ", " not in name:
        return [name]
    head, *degrees = name.split(", ")
    if not degrees or not all(_DEGREE.match(d.strip()) for d in degrees):
        return [name]  # not a name with degrees: wrapped as any text
    lines = [head + ","]
    cur = ""
    for i, d in enumerate(degrees):
        piece = d + ("," if i < len(degrees) - 1 else "")
        trial = f"{cur} {piece}".strip()
        if cur and not fits(trial):
            lines.append(cur)
            cur = piece
        else:
            cur = trial
    lines.append(cur)
    return lines


def _signature_fit(fig: Any, signatory: str, fontsize: float) -> tuple[str, float]:
    """The signatory's text and the block's left edge so that no name with degrees breaks inside (issue 19: "M.T."
    alone on a line): the block widens (to the text's margin at most) until the lines below the signature (name,
    NIP) fit unwrapped; a name that still does not fit is broken at the ", " before its degrees."""
    from sppr_gis.maps.cartography import signature_parts
    from sppr_gis.maps.cartography.common import _pt

    size = _pt(fontsize)
    _, below = signature_parts(signatory)
    if not below:
        return signatory, _SIGN_LEFT
    bold = {below[0]} if len(below) >= 2 else set()
    need = max(_text_width(fig, ln, size, ln in bold) for ln in below) * 1.04 + 0.004
    left = max(_SIGN_LEFTMOST, min(_SIGN_LEFT, _SIGN_RIGHT - need))
    room = _SIGN_RIGHT - left
    if need <= room + 1e-9:  # (room is need again, up to rounding, when the block widened to fit)
        return signatory, left
    lines = str(signatory).strip("\n").split("\n")
    out = []
    for ln in lines:
        if ln.rstrip() in below and _text_width(fig, ln.rstrip(), size, ln.rstrip() in bold) * 1.04 + 0.004 > room:
            out.extend(name_lines(ln.rstrip(), lambda t, b=ln.rstrip() in bold: _text_width(fig, t, size, b) * 1.04 + 0.004 <= room))
        else:
            out.append(ln)
    return "\n".join(out), left


#: Map rows per DAFTAR PETA page at the page's full size (10 pt on A3, 7 pt on A4), in one column.
_DAFTAR_ROWS = 24

#: The DAFTAR PETA's rows run from this height of the page down (figure fraction) over :data:`_DAFTAR_SPAN`.
_DAFTAR_TOP, _DAFTAR_SPAN = 0.83, 0.72


def daftar_layout(n: int, paper: str = "A3") -> tuple[int, int, int, float]:
    """How the DAFTAR PETA lays out ``n`` rows: on one page whenever it can (a closer row spacing, a smaller type
    down to 7 pt, then two columns), on more pages only when two columns at 7 pt are full.

    Parameters
    ----------
    n : int
        The rows (maps and their Lampiran sheets).
    paper : str
        ``A3`` or ``A4``.

    Returns
    -------
    tuple of int, int, int, float
        Pages, columns, rows per column and the type size (points).

    >>> daftar_layout(27, "A3")[:3], daftar_layout(27, "A4")[:3]
    ((1, 1, 27), (1, 1, 27))
    """
    from sppr_gis.maps.cartography import MIN_PT, paper_size

    size = paper_size(paper)
    k = size[0] / 11.69
    span_pt = _DAFTAR_SPAN * size[1] * 72
    n = max(n, 1)
    full = 10 * k
    sizes = [full] + [v / 2 for v in range(int(full * 2) - 1, int(MIN_PT * 2) - 1, -1)]
    sizes = [v for v in dict.fromkeys(max(MIN_PT, v) for v in sizes)]
    for cols in (1, 2):
        for fs in sizes:
            per_col = int(span_pt // (1.45 * fs))  # a row's pitch at least 1.45 times its type
            if n <= cols * min(per_col, 2 * _DAFTAR_ROWS if cols == 1 else per_col):
                return 1, cols, math.ceil(n / cols), fs
    per_col = int(span_pt // (1.45 * MIN_PT))
    return math.ceil(n / (2 * per_col)), 2, per_col, MIN_PT


def daftar_peta_pages(entries: Sequence[tuple[str, str, int]], *, paper: str = "A3", dpi: int = 200) -> list[Any]:
    """DAFTAR PETA: one row per map (``Peta N``, title, page number), on one page when it fits (:func:`daftar_layout`)."""
    from sppr_gis.maps.cartography import MIN_PT, paper_size

    size = paper_size(paper)
    k = size[0] / 11.69
    npages, ncols, per_col, fs = daftar_layout(len(entries), paper)
    per_page = ncols * per_col
    # the full page's spacing (24 rows) when the rows are few, closer when they are many
    step = _DAFTAR_SPAN / max(per_col, _DAFTAR_ROWS) if fs >= 10 * k - 1e-9 else _DAFTAR_SPAN / per_col
    # columns: number, title, page number
    spans = [(0.12, 0.20, 0.86)] if ncols == 1 else [(0.06, 0.115, 0.475), (0.525, 0.58, 0.94)]
    figs = []
    chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]
    for ci, chunk in enumerate(chunks):
        fig = _text_figure(size, dpi)
        _page_heading(fig, "DAFTAR PETA" + (" (lanjutan)" if ci else ""), k)
        for c, (xn, xt, xp) in enumerate(spans):
            part = chunk[c * per_col : (c + 1) * per_col]
            if not part and c:
                continue
            fig.text(xp, 0.84, "Halaman", ha="right", va="bottom", fontsize=max(MIN_PT, 0.9 * fs), fontweight="bold", color="#222222")
            y = _DAFTAR_TOP
            for number, title, page in part:
                fig.text(xn, y, number, ha="left", va="top", fontsize=fs, fontweight="bold", color="#222222", gid="daftar-number")
                fig.text(xt, y, title, ha="left", va="top", fontsize=fs, color="#222222", gid="daftar-title")
                fig.text(xp, y, str(page), ha="right", va="top", fontsize=fs, color="#222222", gid="daftar-page")
                fig.add_artist(Line2D([xn, xp], [y - step * 0.62, y - step * 0.62], transform=fig.transFigure, color="#bbbbbb", linewidth=0.4, linestyle=":"))
                y -= step
        figs.append(fig)
    return figs


def _add_outline(pdf: PdfPages, entries: Sequence[tuple[str, int]]) -> None:
    """PDF bookmarks (``/Outlines``) to pages, written through matplotlib's own PDF writer.

    matplotlib writes the catalog when the file is opened, so a second catalog
    with ``/Outlines`` is written and made the trailer's root.
    """
    from matplotlib.backends.backend_pdf import Name

    f = pdf._ensure_file()
    pages = f.pageList
    refs = [f.reserveObject(f"outline item {i}") for i in range(len(entries))]
    outlines = f.reserveObject("outlines")
    for i, ((title, page), ref) in enumerate(zip(entries, refs)):
        item: dict[str, Any] = {"Title": title, "Parent": outlines, "Dest": [pages[page], Name("Fit")]}
        if i > 0:
            item["Prev"] = refs[i - 1]
        if i < len(refs) - 1:
            item["Next"] = refs[i + 1]
        f.writeObject(ref, item)
    f.writeObject(outlines, {"Type": Name("Outlines"), "First": refs[0], "Last": refs[-1], "Count": len(refs)} if refs else {"Type": Name("Outlines"), "Count": 0})
    root = f.reserveObject("catalog with outlines")
    f.writeObject(root, {"Type": Name("Catalog"), "Pages": f.pagesObject, "Outlines": outlines, "PageMode": Name("UseOutlines")})
    f.rootObject = root
