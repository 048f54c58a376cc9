"""Album page: the administrative map (kecamatan and kelurahan named, networks along their lines)."""

from __future__ import annotations

import logging

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sppr_gis import overlay  # noqa: E402
from sppr_gis.maps.cartography import (  # noqa: E402
    LegendSection,
    MapFrame,
    draw_outline,
    place_labels,
    place_line_labels,
)
from sppr_gis.maps.pages.base import Album  # noqa: E402
from sppr_gis.maps.pages.common import KEC_FILLS, _first  # noqa: E402
from sppr_gis.maps.palette import (  # noqa: E402
    mpl_color,
)
from sppr_gis.text import angka  # noqa: E402

log = logging.getLogger(__name__)


def page_admin(album: Album) -> MapFrame | None:
    kec, kel = album.L.get("kecamatan"), album.L.get("kelurahan")
    if kec is None and kel is None:
        return None
    base, bfield, unit = (kec, album.kec_field, "kecamatan") if kec is not None else (kel, album.kel_field, "kelurahan")
    names = base[bfield].astype(str).tolist() if bfield else [f"{unit.title()} {i + 1}" for i in range(len(base))]
    area = float(overlay.union_all(overlay.make_valid(np.asarray(base.geometry.dropna().array, dtype=object), what="batas wilayah"), what="batas wilayah").area) / 1e6
    bits = [f"{len(kec)} kecamatan" if kec is not None else None, f"{len(kel)} kelurahan" if kel is not None else None, f"luas {angka(area, 2)} km²"]
    f = album.frame("Peta Administrasi", ", ".join(b for b in bits if b))
    album.city_extent(f)
    fills = {n: KEC_FILLS[i % len(KEC_FILLS)] for i, n in enumerate(dict.fromkeys(names))}
    base.plot(ax=f.ax, color=[mpl_color(fills[n]) for n in names], edgecolor="none", zorder=0.8)
    if kel is not None:
        draw_outline(f.ax, kel, color="#555555", linewidth=0.8, linestyle=":", zorder=3)
    draw_outline(f.ax, kec, color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2)), zorder=3.2)
    net = album.network(f, labels=False)
    # names: kecamatan large, then kelurahan, then the networks along their lines
    pts = base.geometry.representative_point()
    place_labels(f.ax, [(p.x, p.y) for p in pts], [n.upper() for n in names], fontsize=9.5 * f.k, color="#222222", weight="bold", zorder=21)
    if kel is not None and album.kel_field:
        kp = kel.geometry.representative_point()
        place_labels(f.ax, [(p.x, p.y) for p in kp], [str(n) for n in kel[album.kel_field]], fontsize=6 * f.k, color="#333333", style="italic", avoid_lines=True)
    if net is not None:
        roads = album.L["struktur_ruang"]
        nf = _first(roads, ("NAMOBJ", "nama", "name", "NAMA", "NAMJLN"))
        if nf:
            sel = roads[roads[nf].notna()]
            order = np.argsort(-sel.geometry.length.to_numpy(), kind="stable")
            place_line_labels(f.ax, [sel.geometry.iloc[i] for i in order], [str(sel[nf].iloc[i]) for i in order], fontsize=6 * f.k, color="#1f2f4a")
    areas = base.geometry.area.to_numpy() / 1e6
    nkel = {}
    kc = _first(kel, ("WADMKC", "kecamatan", "nama_kecamatan")) if kel is not None and unit == "kecamatan" else None
    if kc and kc != album.kel_field:
        nkel = kel[kc].dropna().astype(str).value_counts().to_dict()
    h = [Patch(facecolor=mpl_color(fills[n]), edgecolor="#444444", linewidth=0.5) for n in names]
    lab = [f"{n} ({angka(a, 2)} km²" + (f", {nkel[n]} kelurahan)" if n in nkel else ")") for n, a in zip(names, areas)]
    # many kecamatan (a real city: 30): the names alone, in columns, when the areas do not fit (A4)
    secs = [LegendSection(unit.title(), h, lab, short_labels=list(names) if len(names) > 12 else None)]
    bh, bl = [], []
    if kec is not None:
        bh.append(Line2D([], [], color="#2b2b2b", linewidth=1.3, linestyle=(0, (6, 2, 1, 2))))
        bl.append("Batas kecamatan")
    if kel is not None:
        bh.append(Line2D([], [], color="#555555", linewidth=0.8, linestyle=":"))
        bl.append("Batas kelurahan")
    secs.append(LegendSection("Batas administrasi", bh, bl))
    secs.append(net)
    f.add_legend([x for x in secs if x])
    return album.finish(f, shows=("kecamatan", "kelurahan", "struktur_ruang"))
