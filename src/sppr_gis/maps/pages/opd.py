"""Album pages: one map per OPD, its programs numbered and listed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.lines import Line2D  # noqa: E402

from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    category_legend,
    draw_by_category,
    geometry_type_legend,
    pagu_text,
)
from sppr_gis.maps.cartography.enlarge import enlargement_note  # noqa: E402
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import (  # noqa: E402
    LEGEND_ROWS,
    STATUS_ORDER,
    _counts,
    _unlocated,
)
from sppr_gis.maps.palette import (  # noqa: E402
    STATUS_COLORS,
    STATUS_LABELS,
)

log = logging.getLogger(__name__)


def pages_opd(album: Album) -> Iterator[MapFrame]:
    r = album.L.get("rencana")
    if r is None or "opd" not in r.columns:
        return
    status_col = "status" if "status" in r.columns else None
    for opd in sorted(r["opd"].dropna().astype(str).unique()):
        sel = r[r["opd"].astype(str) == opd]
        geo = sel[~(sel.geometry.isna() | sel.geometry.is_empty)]
        bits = [f"{len(sel)} program", pagu_text(sel["pagu"] if "pagu" in sel.columns else None)]  # not "Rp 0" for a pagu not recorded
        if "status_sinkron" in sel.columns:
            bits.append(f"{int((sel['status_sinkron'] == 'sinkron').sum())} sinkron dengan IPU")
        if len(geo) < len(sel):
            bits.append(f"{len(sel) - len(geo)} tanpa lokasi")
        # a few programs are listed in the legend column; more in a table beside the map
        f = album.frame(f"Peta Program {opd}", " · ".join(bits), table=len(geo) > LEGEND_ROWS)
        album.city_extent(f, drawn={"rencana": sel})  # this OPD's programs only
        album.zoning(f, 0.3)
        album.admin(f, kelurahan=True, labels=False)
        if status_col:
            dims = draw_by_category(f.ax, sel, status_col, STATUS_COLORS, order=STATUS_ORDER)
            h, lab = category_legend(STATUS_COLORS, STATUS_LABELS, _counts(sel, status_col), kind="mixed", order=("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"),
                                     unlocated=_unlocated(sel, status_col))
            title = "Status kesesuaian (jumlah program)"
        else:
            dims = draw_by_category(f.ax, sel.assign(_x="program"), "_x", {"program": (37, 99, 235)})
            h, lab, title = [], [], ""
        album.kec_names(f)  # after the program lines, clear of them

        def draw(ax: Any, sel: Any = sel, f: MapFrame = f) -> None:  # the map's layers in an enlargement of a dense centre
            fr = SimpleNamespace(ax=ax, k=f.k, fig=f.fig)
            album.zoning(fr, 0.3)
            album.admin(fr, kelurahan=True, labels=False)
            if status_col:
                draw_by_category(ax, sel, status_col, STATUS_COLORS, order=STATUS_ORDER)
            else:
                draw_by_category(ax, sel.assign(_x="program"), "_x", {"program": (37, 99, 235)})
            album.kec_names(fr)

        listed = album.program_callouts(f, geo, sel[~sel.index.isin(geo.index)], draw=draw) if len(sel) else None
        gh, gl = geometry_type_legend(list(dims))
        secs = [LegendSection(title, h, lab) if h else None, LegendSection("Bentuk lokasi", gh, gl), listed]
        adm = album.admin_section()
        if adm and "kelurahan" in album.L:
            adm.handles.append(Line2D([], [], color="#6b6b6b", linewidth=0.6, linestyle=":"))
            adm.labels.append("Batas kelurahan")
        secs.append(adm)
        secs.append(album.background_section(0.3))
        f.add_legend([s for s in secs if s])
        yield album.finish(f, avoid=sel, note=f"Nomor pada peta = nomor pada tabel (rincian di Buku Matriks).{enlargement_note(f.ax)} {album.zoning_note()}", shows=("rencana", "zoning", "kecamatan", "kelurahan"))
