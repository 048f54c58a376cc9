"""QGIS styles (QML) and OGC SLD for the result layers, stored in a GeoPackage's ``layer_styles`` table.

QGIS reads the ``layer_styles`` table of a GeoPackage (the QGIS GeoPackage
styling convention) and opens a layer with the row marked ``useAsDefault``, so
the analyst sees the same symbology as the Album Peta without restyling:

- ``programs`` / ``rencana``: conformance ``status`` (default style) and, when
  present, ``status_sinkron`` (alternative style "Sinkronisasi");
- ``indikasi_program``: IPU ``status_sinkron``;
- zoning layers (``zone_code``/KODSZN/KODZON/KODKWS): the zone palette;
- ``kecamatan``/``kelurahan``: outlines; ``kawasan_prioritas``: hatched outlines;
- ``sinergi``: ``jenis`` (sinergi green, konflik red dashed).

Layers of mixed geometry (points, lines and polygons in one table, as
``sppr check`` writes them) get a rule-based renderer with one rule per
category and geometry type; single-type layers a categorized renderer.

>>> write_layer_styles("sppr-output/2025/sppr.gpkg")     # doctest: +SKIP
['indikasi_program', 'rencana']
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from sppr_gis.i18n import _
from sppr_gis.maps.palette import (
    IPU_SYNC_COLORS,
    IPU_SYNC_LABELS,
    RGB,
    STATUS_COLORS,
    STATUS_LABELS,
    SYNC_COLORS,
    SYNC_LABELS,
    Palette,
    distinct_colors,
    normalize_code,
)
from sppr_gis.vocabulary import (
    KAWASAN_NAME_FIELDS,
    KECAMATAN_NAME_FIELDS,
    KELURAHAN_NAME_FIELDS,
    OBJECT_NAME_FIELD,
    ZONE_CODE_FIELDS,
    ZONE_NAME_FIELDS,
)

__all__ = ["Category", "LayerStyle", "categorized_qml", "categorized_sld", "outline_qml", "outline_sld", "styles_for_gpkg", "write_layer_styles", "read_layer_styles"]

Geom = Literal["point", "line", "polygon", "mixed"]

QGIS_VERSION = "3.22.0"
_INK = (35, 35, 35)


@dataclass(frozen=True)
class Category:
    """One symbol class: field value, legend label, colour; ``dashed`` for lines (conflicts, plans)."""

    value: str
    label: str
    rgb: RGB
    dashed: bool = False


@dataclass(frozen=True)
class LayerStyle:
    """A style for one GeoPackage table: name, QML, SLD, whether it is the default, description."""

    table: str
    name: str
    qml: str
    sld: str
    default: bool = True
    description: str = ""


# --------------------------------------------------------------------------- QML


def _c(rgb: RGB, alpha: int = 255) -> str:
    return f"{rgb[0]},{rgb[1]},{rgb[2]},{alpha}"


def _opts(props: Mapping[str, str]) -> str:
    inner = "".join(f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>' for k, v in props.items())
    # <prop> duplicates keep older QGIS releases happy; newer ones read <Option>
    legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{inner}</Option>{legacy}'


def _symbol_qml(name: str, geom: Literal["point", "line", "polygon"], cat: Category, *, fill_alpha: int = 190, hatch: bool = False, outline_only: bool = False) -> str:
    if geom == "point":
        props = {
            "name": "circle", "color": _c(cat.rgb), "outline_color": _c(_INK), "outline_width": "0.3", "outline_width_unit": "MM",
            "size": "3.2", "size_unit": "MM", "outline_style": "solid", "angle": "0", "joinstyle": "bevel", "scale_method": "diameter",
        }
        layer = f'<layer class="SimpleMarker" enabled="1" locked="0" pass="0">{_opts(props)}</layer>'
        return f'<symbol type="marker" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">{layer}</symbol>'
    if geom == "line":
        halo = {"line_color": "255,255,255,255", "line_width": "1.5", "line_width_unit": "MM", "line_style": "solid", "capstyle": "round", "joinstyle": "round"}
        main = {
            "line_color": _c(cat.rgb), "line_width": "0.9", "line_width_unit": "MM", "line_style": "dash" if cat.dashed else "solid",
            "capstyle": "round", "joinstyle": "round", "use_custom_dash": "0",
        }
        layers = f'<layer class="SimpleLine" enabled="1" locked="0" pass="0">{_opts(halo)}</layer><layer class="SimpleLine" enabled="1" locked="0" pass="0">{_opts(main)}</layer>'
        return f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">{layers}</symbol>'
    if outline_only:
        props = {"color": "0,0,0,0", "style": "no", "outline_color": _c(cat.rgb), "outline_width": "0.6", "outline_width_unit": "MM", "outline_style": "dash" if cat.dashed else "solid", "joinstyle": "bevel"}
        layers = f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">{_opts(props)}</layer>'
    else:
        props = {
            "color": _c(cat.rgb, fill_alpha), "style": "b_diagonal" if hatch else "solid",
            "outline_color": _c(cat.rgb if hatch else _INK), "outline_width": "0.6" if hatch else "0.26", "outline_width_unit": "MM",
            "outline_style": "solid", "joinstyle": "bevel",
        }
        layers = f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">{_opts(props)}</layer>'
    return f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">{layers}</symbol>'


def _qml_doc(renderer: str, labels: str = "") -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling">\n{renderer}\n{labels}</qgis>\n'
    )


def _expr_value(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _field(f: str) -> str:
    return '"' + f.replace('"', '""') + '"'


_GEOM_QGIS = {"point": "Point", "line": "Line", "polygon": "Polygon"}


def categorized_qml(field: str, categories: Sequence[Category], geom: Geom, *, fill_alpha: int = 190, hatch: bool = False, other_label: str | None = "Lainnya") -> str:
    """QML for a layer coloured by the values of ``field``.

    Parameters
    ----------
    field : str
        Attribute holding the categories.
    categories : sequence of Category
        Values, labels and colours (legend order).
    geom : {"point", "line", "polygon", "mixed"}
        Geometry type of the table; ``mixed`` gives a rule-based renderer with a
        rule per category and geometry type.
    fill_alpha : int
        Polygon fill opacity, 0-255.
    hatch : bool
        Hatched polygon fill.
    other_label : str or None
        Legend label for values not in ``categories`` (grey); None to hide them.

    Returns
    -------
    str
        The QML document.
    """
    cats = list(categories)
    other = Category("", other_label or "", (150, 150, 150)) if other_label else None
    if geom != "mixed":
        sym = []
        rows = []
        for i, c in enumerate(cats):
            rows.append(f'<category symbol="{i}" value={quoteattr(c.value)} label={quoteattr(c.label)} render="true" type="string"/>')
            sym.append(_symbol_qml(str(i), geom, c, fill_alpha=fill_alpha, hatch=hatch))
        if other is not None:
            i = len(cats)
            rows.append(f'<category symbol="{i}" value="" label={quoteattr(other.label)} render="true" type="string"/>')
            sym.append(_symbol_qml(str(i), geom, other, fill_alpha=fill_alpha, hatch=hatch))
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(field)} symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">'
            f'<categories>{"".join(rows)}</categories><symbols>{"".join(sym)}</symbols>'
            f'<rotation/><sizescale/></renderer-v2>'
        )
        return _qml_doc(renderer)
    # rule-based for mixed geometry tables
    rules = []
    syms = []
    n = 0
    known = " AND ".join(f"{_field(field)} <> {_expr_value(c.value)}" for c in cats)
    entries = [(c, f"{_field(field)} = {_expr_value(c.value)}") for c in cats]
    if other is not None:
        entries.append((other, f"({_field(field)} IS NULL" + (f" OR ({known})" if known else "") + ")"))
    for ci, (c, cond) in enumerate(entries):
        children = []
        for g in ("polygon", "line", "point"):
            key = str(n)
            flt = f"{cond} AND geometry_type($geometry) = '{_GEOM_QGIS[g]}'"
            children.append(f'<rule key="r{n}" symbol="{key}" filter={quoteattr(flt)} label={quoteattr(c.label)}/>')
            syms.append(_symbol_qml(key, g, c, fill_alpha=fill_alpha, hatch=hatch))  # type: ignore[arg-type]
            n += 1
        rules.append(f'<rule key="c{ci}" label={quoteattr(c.label)}>{"".join(children)}</rule>')
    renderer = (
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">'
        f'<rules key="root">{"".join(rules)}</rules><symbols>{"".join(syms)}</symbols></renderer-v2>'
    )
    return _qml_doc(renderer)


def outline_qml(rgb: RGB, *, dashed: bool = False, label_field: str | None = None, hatch: bool = False) -> str:
    """QML for boundaries: no fill (or a light hatch), coloured outline, optional labels from ``label_field``."""
    cat = Category("", "", rgb, dashed)
    if hatch:
        sym = _symbol_qml("0", "polygon", cat, fill_alpha=120, hatch=True)
    else:
        sym = _symbol_qml("0", "polygon", cat, outline_only=True)
    renderer = f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1"><symbols>{sym}</symbols><rotation/><sizescale/></renderer-v2>'
    labels = ""
    if label_field:
        labels = (
            '<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName={quoteattr(label_field)} isExpression="0" fontSize="9" fontWeight="75" fontItalic="1" textColor="60,60,60,255" fontFamily="Sans Serif" namedStyle="Bold Italic">'
            '<text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="1"/></text-style>'
            '<placement placement="1" priority="5"/><rendering obstacle="1" scaleVisibility="0"/></settings></labeling>'
        )
    return _qml_doc(renderer, labels)


# --------------------------------------------------------------------------- SLD

_SLD_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">'
)


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _css(name: str, value: str) -> str:
    return f'<CssParameter name="{name}">{escape(value)}</CssParameter>'


def _sld_symbolizers(geom: Literal["point", "line", "polygon"], c: Category, fill_opacity: float = 0.75, outline_only: bool = False) -> str:
    if geom == "point":
        return (
            "<PointSymbolizer><Graphic><Mark><WellKnownName>circle</WellKnownName>"
            f"<Fill>{_css('fill', _hex(c.rgb))}</Fill><Stroke>{_css('stroke', _hex(_INK))}{_css('stroke-width', '0.8')}</Stroke>"
            "</Mark><Size>9</Size></Graphic></PointSymbolizer>"
        )
    if geom == "line":
        dash = _css("stroke-dasharray", "6 3") if c.dashed else ""
        return f"<LineSymbolizer><Stroke>{_css('stroke', _hex(c.rgb))}{_css('stroke-width', '2.5')}{dash}</Stroke></LineSymbolizer>"
    if outline_only:
        dash = _css("stroke-dasharray", "6 3") if c.dashed else ""
        return f"<PolygonSymbolizer><Stroke>{_css('stroke', _hex(c.rgb))}{_css('stroke-width', '1.5')}{dash}</Stroke></PolygonSymbolizer>"
    return (
        f"<PolygonSymbolizer><Fill>{_css('fill', _hex(c.rgb))}{_css('fill-opacity', f'{fill_opacity:.2f}')}</Fill>"
        f"<Stroke>{_css('stroke', _hex(_INK))}{_css('stroke-width', '0.5')}</Stroke></PolygonSymbolizer>"
    )


def _sld_eq(field: str, value: str) -> str:
    return f"<ogc:PropertyIsEqualTo><ogc:PropertyName>{escape(field)}</ogc:PropertyName><ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo>"


def _sld_dim(dim: int) -> str:
    return (
        "<ogc:PropertyIsEqualTo><ogc:Function name=\"dimension\"><ogc:PropertyName>geometry</ogc:PropertyName></ogc:Function>"
        f"<ogc:Literal>{dim}</ogc:Literal></ogc:PropertyIsEqualTo>"
    )


def categorized_sld(layer: str, field: str, categories: Sequence[Category], geom: Geom, *, fill_opacity: float = 0.75) -> str:
    """SLD 1.0 with one rule per category (per category and geometry type for mixed layers)."""
    rules = []
    for c in categories:
        if geom == "mixed":
            for g, d in (("polygon", 2), ("line", 1), ("point", 0)):
                flt = f"<ogc:Filter><ogc:And>{_sld_eq(field, c.value)}{_sld_dim(d)}</ogc:And></ogc:Filter>"
                rules.append(f"<Rule><Name>{escape(c.value)} ({g})</Name><Title>{escape(c.label)}</Title>{flt}{_sld_symbolizers(g, c, fill_opacity)}</Rule>")  # type: ignore[arg-type]
        else:
            flt = f"<ogc:Filter>{_sld_eq(field, c.value)}</ogc:Filter>"
            rules.append(f"<Rule><Name>{escape(c.value)}</Name><Title>{escape(c.label)}</Title>{flt}{_sld_symbolizers(geom, c, fill_opacity)}</Rule>")
    return f"{_SLD_HEAD}<NamedLayer><Name>{escape(layer)}</Name><UserStyle><Name>{escape(layer)}</Name><FeatureTypeStyle>{''.join(rules)}</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"


def outline_sld(layer: str, rgb: RGB, *, dashed: bool = False) -> str:
    """SLD 1.0 for boundaries (outline only)."""
    rule = f"<Rule><Name>batas</Name>{_sld_symbolizers('polygon', Category('', '', rgb, dashed), outline_only=True)}</Rule>"
    return f"{_SLD_HEAD}<NamedLayer><Name>{escape(layer)}</Name><UserStyle><Name>{escape(layer)}</Name><FeatureTypeStyle>{rule}</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"


# --------------------------------------------------------------------------- GeoPackage


def _geometry_tables(con: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    rows = con.execute("SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns").fetchall()
    return {r[0]: (r[1], str(r[2]).upper()) for r in rows}


def _kind(type_name: str) -> Geom:
    t = type_name.upper()
    if t in {"POINT", "MULTIPOINT"}:
        return "point"
    if t in {"LINESTRING", "MULTILINESTRING", "CURVE", "MULTICURVE", "COMPOUNDCURVE", "CIRCULARSTRING"}:
        return "line"
    if t in {"POLYGON", "MULTIPOLYGON", "SURFACE", "MULTISURFACE", "CURVEPOLYGON"}:
        return "polygon"
    return "mixed"


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")').fetchall()]


def _distinct(con: sqlite3.Connection, table: str, column: str, limit: int = 200) -> list[str]:
    rows = con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL LIMIT {int(limit)}').fetchall()
    return sorted({str(r[0]) for r in rows if str(r[0]).strip()})


def _dims(con: sqlite3.Connection, table: str, gcol: str, kind: Geom) -> Geom:
    """A mixed table whose features are all of one dimension is styled as that type."""
    if kind != "mixed":
        return kind
    # GeoPackage binary: byte 3 holds the envelope flags; the WKB type follows the header.
    try:
        rows = con.execute(f'SELECT "{gcol}" FROM "{table}" WHERE "{gcol}" IS NOT NULL LIMIT 5000').fetchall()
    except sqlite3.Error:
        return kind
    seen = set()
    for (blob,) in rows:
        if blob is None or len(blob) < 8:
            continue
        flags = blob[3]
        env = (flags >> 1) & 0b111
        off = 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(env, 0)
        if len(blob) < off + 5:
            continue
        little = blob[off] == 1
        wkb_type = int.from_bytes(blob[off + 1 : off + 5], "little" if little else "big") % 1000
        seen.add({1: "point", 4: "point", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}.get(wkb_type, "mixed"))
    if len(seen) == 1:
        return seen.pop()  # type: ignore[return-value]
    return kind


_ZONE_FIELDS = ("zone_code", *ZONE_CODE_FIELDS)


def _find(cols: Sequence[str], *names: str) -> str | None:
    low = {c.lower(): c for c in cols}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


def styles_for_gpkg(path: str | os.PathLike[str], palette: Palette | Mapping[str, object] | None = None) -> list[LayerStyle]:
    """The styles for every recognised layer of a result GeoPackage.

    Layers are recognised by name and columns (see the module docstring);
    others get no style.

    Parameters
    ----------
    path : path
        The GeoPackage.
    palette : Palette or mapping, optional
        Zone colours or overrides.

    Returns
    -------
    list of LayerStyle
    """
    pal = palette if isinstance(palette, Palette) else Palette(palette)
    out: list[LayerStyle] = []
    with sqlite3.connect(os.fspath(path)) as con:
        tables = _geometry_tables(con)
        for table, (gcol, gtype) in tables.items():
            cols = _columns(con, table)
            kind = _dims(con, table, gcol, _kind(gtype))
            name = table.lower()
            status = _find(cols, "status")
            sync = _find(cols, "status_sinkron")
            zone = _find(cols, *_ZONE_FIELDS)
            if status and set(_distinct(con, table, status)) <= set(STATUS_COLORS) | {""}:
                cats = [Category(k, STATUS_LABELS[k], v) for k, v in STATUS_COLORS.items()]
                out.append(LayerStyle(table, "Kesesuaian", categorized_qml(status, cats, kind), categorized_sld(table, status, cats, kind), True, "Status kesesuaian terhadap zonasi (ITBX)"))
                if sync:
                    sc = [Category(k, SYNC_LABELS[k], v, dashed=(k == "tidak_terindikasi")) for k, v in SYNC_COLORS.items()]
                    out.append(LayerStyle(table, "Sinkronisasi", categorized_qml(sync, sc, kind), categorized_sld(table, sync, sc, kind), False, "Status sinkronisasi dengan indikasi program"))
            elif sync:
                present = set(_distinct(con, table, sync))
                if present & {"diskontinu", "diskoneksi", "belum_jadwal"} or name.startswith("indikasi") or "ipu" in name:
                    cats = [Category(k, IPU_SYNC_LABELS[k], v) for k, v in IPU_SYNC_COLORS.items()]
                else:
                    cats = [Category(k, SYNC_LABELS[k], v) for k, v in SYNC_COLORS.items()]
                out.append(LayerStyle(table, "Sinkronisasi", categorized_qml(sync, cats, kind), categorized_sld(table, sync, cats, kind), True, "Status sinkronisasi indikasi program"))
            elif zone and kind in ("polygon", "mixed"):
                codes = _distinct(con, table, zone, limit=1000)
                nfield = _find(cols, *ZONE_NAME_FIELDS, OBJECT_NAME_FIELD)
                names: dict[str, str] = {}
                if nfield:
                    for code, nm in con.execute(f'SELECT "{zone}", MIN("{nfield}") FROM "{table}" GROUP BY "{zone}"').fetchall():
                        if code is not None and nm:
                            names[str(code)] = str(nm)
                colors = pal.colors(codes, [names.get(c) for c in codes])
                cats = [Category(c, pal.label(c, names.get(c)), colors[c]) for c in sorted(codes, key=normalize_code)]
                out.append(LayerStyle(table, "Zonasi", categorized_qml(zone, cats, "polygon", fill_alpha=255), categorized_sld(table, zone, cats, "polygon", fill_opacity=1.0), True, "Zona dengan palet nasional"))
            elif name in ("kecamatan", "kelurahan") or name.startswith(("batas", "admin")):
                lf = _find(cols, *(KECAMATAN_NAME_FIELDS if name == "kecamatan" else (*KELURAHAN_NAME_FIELDS, *KECAMATAN_NAME_FIELDS)))
                rgb = (40, 40, 40) if name != "kelurahan" else (110, 110, 110)
                out.append(LayerStyle(table, "Batas", outline_qml(rgb, dashed=True, label_field=lf), outline_sld(table, rgb, dashed=True), True, "Batas administrasi"))
            elif name.startswith("kawasan"):
                lf = _find(cols, *KAWASAN_NAME_FIELDS)
                out.append(LayerStyle(table, "Kawasan", outline_qml((200, 0, 120), hatch=True, label_field=lf), outline_sld(table, (200, 0, 120)), True, "Kawasan prioritas"))
            elif _find(cols, "jenis") and name.startswith("sinergi"):
                jf = _find(cols, "jenis")
                assert jf is not None
                kinds = _distinct(con, table, jf)
                fixed = {k: ((200, 0, 30) if "konflik" in k.lower() else (0, 140, 70)) for k in kinds if "konflik" in k.lower() or "sinergi" in k.lower()}
                fixed.update(distinct_colors([k for k in kinds if k not in fixed], avoid=list(fixed.values())))
                cats = [Category(k, k.replace("_", " ").capitalize(), fixed[k], dashed="konflik" in k.lower()) for k in kinds]
                out.append(LayerStyle(table, "Sinergi", categorized_qml(jf, cats, kind), categorized_sld(table, jf, cats, kind), True, "Sinergi dan konflik antarprogram"))
    return out


_CREATE = """
CREATE TABLE IF NOT EXISTS "layer_styles" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "f_table_catalog" TEXT(256),
    "f_table_schema" TEXT(256),
    "f_table_name" TEXT(256),
    "f_geometry_column" TEXT(256),
    "styleName" TEXT(30),
    "styleQML" TEXT,
    "styleSLD" TEXT,
    "useAsDefault" BOOLEAN,
    "description" TEXT,
    "owner" TEXT(30),
    "ui" TEXT(30),
    "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def write_layer_styles(
    path: str | os.PathLike[str],
    styles: Sequence[LayerStyle] | None = None,
    *,
    palette: Palette | Mapping[str, object] | None = None,
) -> list[str]:
    """Write QML and SLD styles into the GeoPackage's ``layer_styles`` table (QGIS convention).

    Existing styles of the same table and name are replaced; the table is
    registered in ``gpkg_contents`` as an attributes table so that the file
    stays a valid GeoPackage.

    Parameters
    ----------
    path : path
        An existing GeoPackage (e.g. ``sppr.gpkg`` of a sync run or the output of
        ``sppr check``).
    styles : sequence of LayerStyle, optional
        What to write (default: :func:`styles_for_gpkg`).
    palette : Palette or mapping, optional
        Zone colours for the default styles.

    Returns
    -------
    list of str
        The tables styled, sorted.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(_("{path}: no such GeoPackage").format(path=path))
    if styles is None:
        styles = styles_for_gpkg(path, palette)
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    con = sqlite3.connect(os.fspath(path))
    try:
        with con:
            con.execute(_CREATE)
            exists = con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
            if not exists:
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', ?)",
                    (now,),
                )
            gcols = _geometry_tables(con)
            for st in styles:
                gcol = gcols.get(st.table, ("geom", ""))[0]
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (st.table, st.name))
                if st.default:
                    con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (st.table,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', NULL, ?)",
                    (st.table, gcol, st.name, st.qml, st.sld, 1 if st.default else 0, st.description, now),
                )
    finally:
        con.close()
    return sorted({s.table for s in styles})


def read_layer_styles(path: str | os.PathLike[str]) -> list[dict[str, object]]:
    """The rows of ``layer_styles`` as dicts (empty when the table is missing)."""
    con = sqlite3.connect(os.fspath(path))
    try:
        con.row_factory = sqlite3.Row
        try:
            rows = con.execute("SELECT * FROM layer_styles ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            return []
        return [dict(r) for r in rows]
    finally:
        con.close()
