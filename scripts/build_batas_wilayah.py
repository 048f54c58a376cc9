"""Build ``src/sppr_gis/maps/data/batas_wilayah.gpkg``, the boundary extract for the album's location inset.

Source: cahyadsn/wilayah_boundaries (MIT licence, Kepmendagri No 300.2.2-2430 Tahun 2025 codes and names),
the per-province SQL files ``db/kab/wilayah_boundaries_kab_*.sql`` (kabupaten/kota) and
``db/prov/wilayah_boundaries_prov_*.sql`` (province names). Each row is
``('kode','nama',lat,lng,'<MultiPolygon [[[[lat, lng], ...]]] or Polygon [[[lat, lng], ...]]>')``: note the
latitude-first order.

What the script does, so that the shipped file stays small (about 1-2 MB) and reproducible:

- reads the kabupaten/kota polygons, swaps to (lon, lat), repairs them (``make_valid``);
- in World Mercator (EPSG:3395, scale within 2 % over Indonesia) drops island parts under
  ``--min-area`` km² and simplifies each unit with ``--tolerance`` metres (``preserve_topology``);
- rounds coordinates to 4 decimals (about 11 m) and writes one layer ``kabupaten_kota`` in EPSG:4326 with
  ``kode``, ``nama``, ``kode_prov`` and ``provinsi`` (a single layer: the album reads the file's only layer;
  provinces are ``dissolve("kode_prov")``).

Usage::

    python scripts/build_batas_wilayah.py /path/to/wilayah_boundaries/db [out.gpkg]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROW = re.compile(r"\(\s*'([0-9.]+)'\s*,\s*'((?:[^']|'')*)'\s*,\s*(-?[0-9.eE+-]+)\s*,\s*(-?[0-9.eE+-]+)\s*,\s*'(\[.*?\])'\s*\)\s*[,;]")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "sppr_gis" / "maps" / "data" / "batas_wilayah.gpkg"


def read_rows(files: list[Path]) -> list[tuple[str, str, str]]:
    """(kode, nama, path-json) of every INSERT row in ``files``."""
    rows = []
    for f in files:
        for m in ROW.finditer(f.read_text(encoding="utf-8")):
            rows.append((m.group(1), m.group(2).replace("''", "'"), m.group(5)))
    return rows


def to_geometry(path_json: str) -> shapely.Geometry:
    """The row's ``[[[[lat, lng], ...]]]`` MultiPolygon as a shapely geometry in (lon, lat)."""
    import json

    data = json.loads(path_json)
    if data and data[0] and isinstance(data[0][0][0], (int, float)):  # a Polygon ([[[lat, lng], ...]]), not a MultiPolygon
        data = [data]
    polys = []
    for poly in data:
        rings = [[(p[1], p[0]) for p in ring] for ring in poly if len(ring) >= 4]
        if rings:
            polys.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.make_valid(shapely.MultiPolygon(polys)) if polys else shapely.Polygon()


def drop_small(g: shapely.Geometry, min_area: float) -> shapely.Geometry:
    """``g`` without the polygon parts smaller than ``min_area`` (but keep the largest one)."""
    parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
    if not parts:
        return shapely.Polygon()
    big = [p for p in parts if p.area >= min_area] or [max(parts, key=lambda p: p.area)]
    return shapely.MultiPolygon(big)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", type=Path, help="the db/ folder of a wilayah_boundaries checkout")
    ap.add_argument("out", type=Path, nargs="?", default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=300.0, help="simplification tolerance in metres (default 300)")
    ap.add_argument("--min-area", type=float, default=0.25, help="drop island parts under this many km² (default 0.25)")
    a = ap.parse_args(argv)

    kab = read_rows(sorted((a.db / "kab").glob("wilayah_boundaries_kab_*.sql")))
    prov_names = {k: n for k, n, _ in read_rows(sorted((a.db / "prov").glob("wilayah_boundaries_prov_*.sql")))}
    g = gpd.GeoDataFrame(
        {"kode": [k for k, _, _ in kab], "nama": [n for _, n, _ in kab]},
        geometry=[to_geometry(p) for _, _, p in kab], crs=4326,
    )
    g["kode_prov"] = g["kode"].str.slice(0, 2)
    g["provinsi"] = g["kode_prov"].map(prov_names)
    if g["provinsi"].isna().any():
        print(f"no province name for {sorted(set(g.loc[g['provinsi'].isna(), 'kode_prov']))}", file=sys.stderr)
        return 1
    m = g.to_crs(3395)
    m["geometry"] = [drop_small(x, a.min_area * 1e6) for x in m.geometry]
    m["geometry"] = shapely.make_valid(shapely.simplify(m.geometry.values, a.tolerance, preserve_topology=True))
    s = m.to_crs(4326)
    s["geometry"] = shapely.make_valid(shapely.set_precision(s.geometry.values, 1e-4))
    s["geometry"] = [drop_small(x, 0) for x in s.geometry]  # polygons only (no collapsed lines)
    s = s[~s.geometry.is_empty]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.unlink(missing_ok=True)
    s[["kode", "nama", "kode_prov", "provinsi", "geometry"]].sort_values("kode").to_file(
        a.out, layer="kabupaten_kota", driver="GPKG", SPATIAL_INDEX="YES")
    print(f"{a.out}: {len(s)} kabupaten/kota in {s['kode_prov'].nunique()} provinsi, {a.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
