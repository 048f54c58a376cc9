"""The Album Peta of an SPPR year: one map a page, as one PDF and as PNGs; and single ad-hoc maps.

Front matter: a cover (ALBUM PETA, the SPPR title, region, year, office and
logo), a KATA PENGANTAR page when its text is given, and the DAFTAR PETA
(every map with its page); every map is a PDF bookmark. Pages are A3
landscape by default (``paper="A4"`` available), text is at least 7 pt at
print size and fonts are embedded as TrueType (``pdf.fonttype`` 42; DejaVu
Sans, shipped with matplotlib, covers Indonesian).

Maps (those whose data is missing are left out):

1. administrative map: kecamatan and kelurahan with names, roads and rivers named;
2. pola ruang (zoning) with the full palette, the ITBX key (code and name) and codes in large blocks;
3. struktur ruang: networks by class, width by hierarchy, planned ones dashed, named along the lines;
4. conformance of the year's programs with the zoning (status of ``sppr check``);
5. synchronization of the indikasi program utama (IPU ``status_sinkron``);
6. medium-term IPU: every IPU of all years by start year, numbered and listed beside the map;
7. one map per OPD (zoomed to its programs, numbered and listed);
8. budget and conformance per kecamatan (pagu counted as the Buku Matriks counts it, classes that fit
   a handful of areas, status pies);
9. synergy and conflicts between programs (numbered and listed; permitted programs in protected
   zones are not conflicts);
10. programs in the priority areas.

Each kind of page is a module of :mod:`sppr_gis.maps.pages` (a function taking the
prepared :class:`~sppr_gis.maps.pages.base.Album`); this module assembles them in
album order and writes the PDF and the PNGs. A new page is a new module there and
one line in :func:`_page_sequence`.

>>> from sppr_gis.maps.album import write_album
>>> paths = write_album(layers, Path("out/2025"), year=2025, title="Kota Tanjungpinang")   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from sppr_gis.maps.cartography import MapFrame, continuation_pages  # noqa: E402
from sppr_gis.maps.pages import (  # noqa: E402
    administrasi,
    budget,
    conformance,
    ipu,
    opd,
    pola_ruang,
    priority,
    struktur,
    synergy,
)
from sppr_gis.maps.pages.base import Album, bundled_inset, read_inset  # noqa: E402
from sppr_gis.maps.pages.common import _slug, name_field, zone_field, zone_name_field  # noqa: E402
from sppr_gis.maps.pages.conformance import RELOCATION_COLOR  # noqa: E402
from sppr_gis.maps.pages.front import (  # noqa: E402
    _add_outline,
    _album_title,
    cover_page,
    daftar_layout,
    daftar_peta_pages,
    kata_pengantar_page,
)
from sppr_gis.maps.pages.pola_ruang import _inscribed_circle  # noqa: E402
from sppr_gis.maps.pages.struktur import STRUKTUR_COLORS, STRUKTUR_LABELS  # noqa: E402
from sppr_gis.maps.pages.synergy import (  # noqa: E402
    RELATION_COLORS,
    RELATION_LABELS,
    _is_conflict,
    _relation_kinds,
)
from sppr_gis.maps.palette import Palette  # noqa: E402
from sppr_gis.maps.single import RESULT_LAYERS, read_result_layer, single_map, write_map  # noqa: E402
from sppr_gis.i18n import _

__all__ = ["write_album", "album_pages", "single_map", "write_map", "read_result_layer", "zone_field", "name_field"]
#: Re-exported from the page modules, where they are defined (scripts and tests import them from here).
_REEXPORTED = (
    bundled_inset, read_inset, zone_name_field, RELOCATION_COLOR, _inscribed_circle, STRUKTUR_COLORS, STRUKTUR_LABELS,
    RELATION_COLORS, RELATION_LABELS, _is_conflict, _relation_kinds, RESULT_LAYERS,
)

log = logging.getLogger(__name__)


class _Album(Album):
    """The album: the prepared layers with one method per kind of page (each defined in its module)."""

    page_admin = administrasi.page_admin
    page_zoning = pola_ruang.page_zoning
    zone_codes = pola_ruang.zone_codes
    page_struktur = struktur.page_struktur
    struktur_programs = struktur.struktur_programs
    page_conformance = conformance.page_conformance
    relocation = conformance.relocation
    page_ipu = ipu.page_ipu
    page_ipu_period = ipu.page_ipu_period
    pages_opd = opd.pages_opd
    page_kecamatan = budget.page_kecamatan
    page_sinergi = synergy.page_sinergi
    page_priority = priority.page_priority


def album_pages(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    year: int,
    title: str,
    palette: Palette | Mapping[str, Any] | None = None,
    source: str | None = None,
    dpi: int = 200,
    paper: str = "A3",
    region: str | None = None,
    office: str | None = None,
    signatory: str | None = None,
    logo: Any = None,
    sumber: Mapping[str, str] | None = None,
    place_date: str | None = None,
    inset: gpd.GeoDataFrame | None = None,
    inset_source: str | None = None,
) -> Iterator[tuple[str, MapFrame]]:
    """Build the album's map pages one by one (the front matter is added by :func:`write_album`).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or None
        ``zoning``, ``rencana``, ``indikasi_program``, ``kecamatan``,
        ``kelurahan``, ``kawasan_prioritas``, ``sinergi``, ``struktur_ruang``;
        any may be missing or None (its pages are left out).
    year : int
        Fiscal year.
    title : str
        The SPPR title printed under every map title (``SPPR Kota Contoh``).
    palette : Palette or mapping, optional
        Zone colours, or overrides code -> colour.
    source : str, optional
        An extra source line printed on every map.
    dpi : int
        Layout (and PNG) resolution.
    paper : str
        ``A3`` (default) or ``A4``, landscape.
    region : str, optional
        Region name (inset title, cover); default ``title``.
    office, signatory : str, optional
        The publishing office and the signatory (name, position, NIP), printed on every page.
    logo : path, optional
        The office's logo (PNG or JPEG).
    sumber : mapping, optional
        Input key (``zoning``, ``rencana``, ``kecamatan`` ...) -> citation,
        printed on the pages that show that input.
    place_date : str, optional
        The place-and-date line above the signatory (``Tanjungpinang, 2 Januari 2026``).
    inset : GeoDataFrame, optional
        Boundaries around the region (province, neighbouring regencies) for the location inset;
        the bundled extract when not given.
    inset_source : str, optional
        Its citation, printed on every map.

    Yields
    ------
    (str, MapFrame)
        File stem (``01_zonasi``) and the finished page.
    """
    a = _Album(layers, year=year, title=title, palette=palette, source=source, dpi=dpi, paper=paper, region=region, office=office, signatory=signatory, logo=logo, sumber=sumber,
               place_date=place_date, inset=inset, inset_source=inset_source)
    yield from _page_sequence(a, layers)


def _page_sequence(a: _Album, layers: Mapping[str, Any]) -> Iterator[tuple[str, MapFrame]]:
    """The pages in album order, each with its file stem (``NN_name``); pages without data are left out."""
    builders = [
        ("administrasi", a.page_admin), ("zonasi", a.page_zoning), ("struktur_ruang", a.page_struktur), ("kesesuaian", a.page_conformance),
        ("sinkronisasi_ipu", a.page_ipu), ("ipu_jangka_menengah", a.page_ipu_period),
    ]
    n = 0
    for stem, build in builders:
        page = build()
        if page is not None:
            n += 1
            yield f"{n:02d}_{stem}", page
    for page in a.pages_opd():
        n += 1
        opd = page.title.replace("Peta Program ", "")
        yield f"{n:02d}_opd_{_slug(opd)}", page
    for stem, build in [("anggaran_kecamatan", a.page_kecamatan), ("sinergi_konflik", a.page_sinergi), ("kawasan_prioritas", a.page_priority)]:
        page = build()
        if page is not None:
            n += 1
            yield f"{n:02d}_{stem}", page
    if layers.get("kinerja") is not None:  # a sppr_gis.kinerja.KinerjaResult: capaian per OPD and per kecamatan
        from sppr_gis.maps.kinerja_pages import kinerja_pages

        for stem, page in kinerja_pages(a, layers["kinerja"]):
            n += 1
            yield f"{n:02d}_{stem}", page


def write_album(
    layers: Mapping[str, gpd.GeoDataFrame | None], out_dir: str | os.PathLike[str], *, year: int, title: str,
    palette: Palette | Mapping[str, Any] | None = None, source: str | None = None, dpi: int = 200, paper: str = "A3",
    region: str | None = None, office: str | None = None, signatory: str | None = None, logo: Any = None,
    sumber: Mapping[str, str] | None = None, kata_pengantar: str | None = None, tempat: str | None = None,
    tanggal: str | None = None, inset: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write the Album Peta: ``out_dir/album_peta.pdf`` and ``out_dir/peta/NN_name.png`` (one per map).

    The PDF holds the cover, the KATA PENGANTAR (when ``kata_pengantar`` is
    given), the DAFTAR PETA and one map a page, with a bookmark per map;
    fonts are embedded as TrueType (no Type 3).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or None
        The year's layers (see :func:`album_pages`); layers in different CRSs are
        transformed into one metric CRS (the zoning's, or its UTM zone).
    out_dir : path
        Output folder (created).
    year : int
        Fiscal year.
    title : str
        The SPPR title (``"SPPR Kota Tanjungpinang"``); a bare region name gets the ``SPPR`` prefix on the cover.
    palette : Palette or mapping, optional
        Zone colours or overrides (``{"R-2": "#ffdc00"}``), e.g. from the config.
    source : str, optional
        An extra source line printed on every map.
    dpi : int
        PNG resolution (at least 200 for print; the PDF is vector).
    paper : str
        ``A3`` (default) or ``A4``, landscape.
    region, office, signatory, logo, sumber
        See :func:`album_pages`.
    kata_pengantar : str, optional
        Text of the foreword page (paragraphs separated by blank lines).
    tempat, tanggal : str, optional
        Place and date of signing, printed as ``tempat, tanggal`` above the signatory.
    inset : path or GeoDataFrame, optional
        ``[album] inset``: boundaries around the region for the location inset (``path`` or ``path:layer``).

    Returns
    -------
    list of Path
        The PDF first, then the PNGs in page order.

    Raises
    ------
    ValueError
        No layer has features and a CRS, or ``paper`` is unknown.
    sppr_gis.errors.ConfigError
        The signatory block cannot fit beside the map or under the foreword, or the inset layer cannot be
        read (the message names the ``[album]`` key); nothing is written.

    Notes
    -----
    Steps: the paper checked, ``peta/`` emptied of an earlier album's maps, the map pages built, the front
    matter made and every page numbered, then the PDF and the PNGs written.
    """
    from sppr_gis.maps.cartography import paper_size

    paper_size(paper)  # validate early
    out_dir = Path(out_dir)
    png_dir = _fresh_png_dir(out_dir)
    place_date = place_date_line(tempat, tanggal)
    inset_gdf = read_inset(inset)
    inset_source = _inset_source(inset, sumber)
    pages = list(album_pages(layers, year=year, title=title, palette=palette, source=source, dpi=dpi, paper=paper, region=region, office=office, signatory=signatory,
                             logo=logo, sumber=sumber, place_date=place_date, inset=inset_gdf, inset_source=inset_source))
    front, entries, conts, n_daftar = _front_matter(pages, title=title, region=region, year=year, office=office, signatory=signatory, logo=logo,
                                                    kata_pengantar=kata_pengantar, place_date=place_date, paper=paper, dpi=dpi)
    pdf_path = out_dir / "album_peta.pdf"
    outline = [("Daftar Peta", len(front) - n_daftar)] + [(f"{num}. {t}", p - 1) for num, t, p in entries]
    pngs = _write_files(pdf_path, png_dir, front, pages, conts, outline, dpi=dpi, title=f"Album Peta {_album_title(title, year)} Tahun {year}")
    log.info(_("album: {n} maps -> {path}").format(n=len(pngs), path=pdf_path))
    return [pdf_path, *pngs]


FILL_PLACE, FILL_DATE = "\u2026\u2026\u2026", "\u2026\u2026\u2026\u2026\u2026\u2026 20\u2026"


def place_date_line(tempat: str | None, tanggal: str | None) -> str:
    """The ``tempat, tanggal`` line above the signatory; a missing part is a line to fill in by hand.

    Parameters
    ----------
    tempat, tanggal : str, optional
        ``[album] tempat`` and ``tanggal``.

    Returns
    -------
    str
        ``"Tanjungpinang, 2 Januari 2026"``; ``"………, ……………… 20…"`` when both are missing (a warning names
        the keys), so every signature block has a place and a date to fill.

    >>> place_date_line("Tanjungpinang", None)
    'Tanjungpinang, \u2026\u2026\u2026\u2026\u2026\u2026 20\u2026'
    """
    place = str(tempat).strip() if tempat is not None and str(tempat).strip() else None
    date = str(tanggal).strip() if tanggal is not None and str(tanggal).strip() else None
    missing = [k for k, v in (("album.tempat", place), ("album.tanggal", date)) if v is None]
    if missing:
        log.warning(_("{keys}: not set; the signature blocks print a place-and-date line to fill in by hand").format(keys=", ".join(missing)))
    return f"{place or FILL_PLACE}, {date or FILL_DATE}"


def _inset_source(inset: str | os.PathLike[str] | gpd.GeoDataFrame | None, sumber: Mapping[str, str] | None) -> str | None:
    """The inset's citation: ``sumber.inset``, else the name of the file it was read from."""
    return (sumber or {}).get("inset") or (f"berkas {Path(str(inset)).name.split(':')[0]}" if inset is not None and not isinstance(inset, gpd.GeoDataFrame) else None)


def _front_matter(
    pages: Sequence[tuple[str, MapFrame]], *, title: str, region: str | None, year: int, office: str | None, signatory: str | None, logo: Any,
    kata_pengantar: str | None, place_date: str | None, paper: str, dpi: int,
) -> tuple[list[Any], list[tuple[str, str, int]], dict[int, list[Any]], int]:
    """The cover, the KATA PENGANTAR (when given) and the DAFTAR PETA, numbered; the map pages numbered after them.

    Returns the front matter, the DAFTAR PETA entries, the continuation pages of each map and the number of DAFTAR PETA pages.
    """
    front = [cover_page(title=title, region=region or title, year=year, office=office, logo=logo, paper=paper, dpi=dpi)]
    if kata_pengantar and str(kata_pengantar).strip():
        front.append(kata_pengantar_page(kata_pengantar, office=office, signatory=signatory, place_date=place_date, paper=paper, dpi=dpi))
    # the continuation pages first (their count does not depend on the numbering): the DAFTAR PETA lists them too
    conts = {i: continuation_pages(page) for i, (_u, page) in enumerate(pages)}
    n_daftar = daftar_layout(len(pages) + sum(1 for c in conts.values() if c), paper)[0]
    entries, rows = _number_pages(pages, conts, first=len(front) + n_daftar + 1)  # the cover is page 1
    front.extend(daftar_peta_pages(rows, paper=paper, dpi=dpi))
    _number_front_matter(front, paper)
    return front, entries, conts, n_daftar


def _fresh_png_dir(out_dir: Path) -> Path:
    """``out_dir/peta``, created, without the numbered PNGs of an earlier album."""
    png_dir = out_dir / "peta"
    png_dir.mkdir(parents=True, exist_ok=True)
    for old in png_dir.glob("[0-9][0-9]_*.png"):
        with contextlib.suppress(OSError):
            old.unlink()
    return png_dir


def _number_pages(pages: Sequence[tuple[str, MapFrame]], conts: Mapping[int, Sequence[Any]], first: int) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, Any]]]:
    """Sheet and page numbers on every map page (``first``: the printed number of the first one) and on its
    continuation pages (``conts``, the map's index -> its lampiran sheets, :func:`continuation_pages`); returns
    the maps' DAFTAR PETA entries (number, title, page) and the DAFTAR PETA rows (each map, then its lampiran
    with its pages)."""
    page_no = first
    entries = []
    rows: list[tuple[str, str, Any]] = []
    for i, (_u, page) in enumerate(pages):
        page.set_sheet(f"Lembar {i + 1} dari {len(pages)}")
        more = conts.get(i) or []
        page.set_page(page_no, continued_on=page_no + 1 if more else None)
        entries.append((page.number or f"Peta {i + 1}", page.title, page_no))
        rows.append(entries[-1])
        for j, fig in enumerate(more, start=1):
            _set_sheet_page(fig, page_no + j, page.k)
        if more:
            span = f"{page_no + 1}" if len(more) == 1 else f"{page_no + 1}–{page_no + len(more)}"
            rows.append(("", f"Lampiran {page.number or f'Peta {i + 1}'} ({len(more)} lembar)", span))
        page_no += 1 + len(more)
    return entries, rows


def _set_sheet_page(fig: Any, number: int, k: float) -> None:
    """``Halaman N`` at the foot of a continuation page (where a map page prints its own)."""
    from sppr_gis.maps.cartography.common import _INK, _pt

    fig.text(0.5, 0.012, f"Halaman {number}", ha="center", va="bottom", fontsize=_pt(7.5 * k), color=_INK, gid="page-number")


def _number_front_matter(front: Sequence[Any], paper: str) -> None:
    """``Halaman N`` at the foot of every front-matter page but the cover."""
    from sppr_gis.maps.cartography import paper_size

    for n, fig in enumerate(front[1:], start=2):
        fig.text(0.5, 0.012, f"Halaman {n}", ha="center", va="bottom", fontsize=max(7.0, 7.5 * paper_size(paper)[0] / 11.69), color="#222222", gid="page-number")


def _write_files(
    pdf_path: Path, png_dir: Path, front: Sequence[Any], pages: Sequence[tuple[str, MapFrame]], conts: Mapping[int, Sequence[Any]],
    outline: Sequence[tuple[str, int]], *, dpi: int, title: str,
) -> list[Path]:
    """The PDF (front matter, each map followed by its continuation pages, bookmarks) and one PNG per map,
    each written atomically; figures are cleared once written. Returns the PNGs.

    Each figure is drawn once, into the PDF; a map's PNG is that PDF page rasterized (:func:`_rasterize`), the
    same drawing at ``dpi``, instead of a second matplotlib drawing of the figure (on a page with thousands of
    numbered callouts the second drawing was a third of the album's time).

    With two or more CPUs (and ``os.fork``) the sheets are written in two parts at once (:func:`_write_parts`):
    drawing a page into the PDF is about half of the album's time and runs in Python, one core per process.
    """
    from sppr_gis.io import atomic_path

    sheets: list[tuple[Any, Path | None, tuple[int, int] | None]] = [(fig, None, None) for fig in front]  # figure, its PNG, PNG size
    for i, (stem, page) in enumerate(pages):
        w, h = page.fig.get_size_inches()
        sheets.append((page.fig, png_dir / f"{stem}.png", (int(w * dpi), int(h * dpi))))  # as matplotlib sizes a PNG
        sheets.extend((extra, None, None) for extra in conts[i])
    meta = {"Title": title, "Creator": "sppr_gis", "Subject": "Sinkronisasi Program Pemanfaatan Ruang"}
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}), atomic_path(pdf_path) as tmp:
        cut = _split_sheets(sheets)
        if cut:  # in two parts joined, forked or not: the same bytes on one CPU as on two
            _write_parts(tmp, sheets, cut, outline, meta, dpi, fork=_can_fork())
        else:
            _write_part(tmp, sheets, meta, dpi, outline)
    return [png for _f, png, _s in sheets if png is not None]


def _write_part(path: Path, sheets: Sequence[tuple[Any, Path | None, tuple[int, int] | None]], meta: Mapping[str, str], dpi: int,
                outline: Sequence[tuple[str, int]] | None = None) -> None:
    """``sheets`` as one PDF (with the ``outline`` bookmarks when given) and their PNGs rasterized from it; each
    figure is cleared once drawn."""
    maps: list[tuple[Path, int, tuple[int, int]]] = []  # PNG, its page in the PDF (from 0), its size in pixels
    with PdfPages(path, metadata=dict(meta)) as pdf:
        for fig, png, size in sheets:
            if png is not None and size is not None:
                maps.append((png, pdf.get_pagecount(), size))
            pdf.savefig(fig)
            fig.clear()
        if outline is not None:
            _add_outline(pdf, outline)
    _rasterize(path, maps, dpi)


def _can_fork() -> bool:
    """Whether the album may write its PDF in two processes (:func:`sppr_gis.processes.can_fork`: ``os.fork``
    exists, two CPUs are ours, and this is the main thread of a process no pool started)."""
    from sppr_gis.processes import can_fork

    return can_fork()


def _sheet_cost(fig: Any, png: Path | None) -> float:
    """A rough cost of drawing a figure into the PDF (and rasterizing it): its texts and its collections' members."""
    cost = 20.0 + len(fig.texts) + (200.0 if png is not None else 0.0)
    for ax in fig.axes:
        cost += len(ax.texts) + 2 * len(ax.patches) + len(ax.lines)
        for c in ax.collections:
            n = max(len(c.get_paths()), len(c.get_offsets()))
            cost += 0.02 * n if c.get_rasterized() else 0.1 * n
    return cost


def _split_sheets(sheets: Sequence[tuple[Any, Path | None, tuple[int, int] | None]]) -> int:
    """Where to cut the sheets into two parts of about equal cost (:func:`_sheet_cost`); 0 when too few to split."""
    if len(sheets) < 4:
        return 0
    costs = np.cumsum([_sheet_cost(fig, png) for fig, png, _s in sheets])
    return int(min(max(int(np.searchsorted(costs, costs[-1] / 2)), 1), len(sheets) - 1))


def _write_parts(tmp: Path, sheets: Sequence[tuple[Any, Path | None, tuple[int, int] | None]], cut: int, outline: Sequence[tuple[str, int]],
                 meta: Mapping[str, str], dpi: int, *, fork: bool = True) -> None:
    """The album PDF written in two parts, at once with ``fork``: the sheets from ``cut`` (and their PNGs) by a
    forked copy of this process, the first ones here; then the two parts joined (pypdf: pages in order, the
    ``outline`` bookmarks, the first part's metadata). Without ``fork``, or should the copy fail, this process
    writes both parts: the same bytes."""
    import signal
    import warnings

    from sppr_gis.processes import fork as processes_fork  # Ctrl-C during the fork is not lost

    parts = (tmp.with_name(tmp.name + ".1.pdf"), tmp.with_name(tmp.name + ".2.pdf"))
    pid = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork with threads (the copy only draws and writes)
            try:
                pid = processes_fork() if fork else None
            except OSError:
                pid = None
        if pid == 0:  # the copy: write the second part, never return into the caller
            code = 1
            try:
                _write_part(parts[1], sheets[cut:], meta, dpi)
                code = 0
            finally:
                os._exit(code)
        started = time.monotonic()
        _write_part(parts[0], sheets[:cut], meta, dpi)
        ok = False
        if pid is not None:
            status = _wait_child(pid, deadline=time.monotonic() + max(120.0, 3 * (time.monotonic() - started)))
            if status is not None:
                pid = None
                ok = os.waitstatus_to_exitcode(status) == 0
        if not ok:
            if fork:
                log.debug("album: the second process did not write its part; written here")
            _write_part(parts[1], sheets[cut:], meta, dpi)
        else:
            for fig, _png, _s in sheets[cut:]:
                fig.clear()
        _join_parts(parts, tmp, outline)
    finally:
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        for p in parts:
            with contextlib.suppress(OSError):
                p.unlink()


def _wait_child(pid: int, deadline: float) -> int | None:
    """The wait status of the album's forked half, or None if it has not ended by ``deadline``
    (:func:`sppr_gis.processes.wait_child`; the caller then stops it and writes that part itself)."""
    from sppr_gis.processes import wait_child

    return wait_child(pid, deadline)


def _join_parts(parts: Sequence[Path], out: Path, outline: Sequence[tuple[str, int]]) -> None:
    """The parts' pages in order as one PDF with the ``outline`` bookmarks (each to its page, fitted) and the first
    part's metadata (matplotlib's, with its ``SOURCE_DATE_EPOCH`` dates), opening with the bookmarks shown."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit

    w = PdfWriter()
    for p in parts:
        w.append(str(p))
    for name, page in outline:
        w.add_outline_item(title=name, page_number=page, fit=Fit.fit())
    w.page_mode = "/UseOutlines"
    info = PdfReader(str(parts[0])).metadata
    if info:
        w.add_metadata({k: v for k, v in info.items()})
    with open(out, "wb") as fh:
        w.write(fh)


def _rasterize(pdf: Path, maps: Sequence[tuple[Path, int, tuple[int, int]]], dpi: int) -> None:
    """Each of ``maps`` (PNG path, page of ``pdf`` from 0, size in pixels): that page as an RGB PNG at ``dpi``
    (PDFium, via pypdfium2), written atomically.

    PDFium rounds the page's size in pixels up where matplotlib rounds it down: the image is cut to the size
    (less than a pixel of white margin). The PNG records ``dpi``.
    """
    import pypdfium2 as pdfium

    from sppr_gis.io import atomic_path

    doc = pdfium.PdfDocument(str(pdf))
    try:
        for png, index, size in maps:
            page = doc[index]
            img = page.render(scale=dpi / 72.0, may_draw_forms=False).to_pil()
            page.close()
            if img.size != size:
                img = img.crop((0, 0, *size))
            with atomic_path(png) as ptmp:
                img.save(ptmp, format="png", dpi=(dpi, dpi), compress_level=3)
    finally:
        doc.close()
