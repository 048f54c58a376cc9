"""Independent PostGIS reference for the zone shares of ``sppr check``.

Implements the "Meaning" of `sppr check` (shared/contracts.md) entirely in SQL:
geometries are read from the GeoPackage as raw WKB (pyogrio.raw, no shapely),
sent to PostGIS as bytea through psycopg, repaired, intersected and measured
there, and the results written as CSV with full double precision.

Writes ``OUTDIR/<name>_shares.csv``   program_id, zone_code, measure, share
       ``OUTDIR/<name>_unzoned.csv``  program_id, measure, unzoned
       ``OUTDIR/<name>_provenance.json``  versions, inputs (sha256), date

Example:
    .venv/bin/python tests/golden/make_postgis_reference.py \\
        --zoning tests/golden/cases.gpkg --zoning-layer zoning --zone-field KODSZN \\
        --programs tests/golden/cases.gpkg --programs-layer programs --id-field program_id \\
        --name cases --dsn "dbname=sppr_golden"

Rules (see README.md):
- repair: ST_MakeValid(ST_Force2D(g), 'method=linework'); zones keep their
  polygonal part only; a program keeps the parts of its highest dimension.
- polygons: measure = ST_Area, lines: ST_Length of the point set (ST_UnaryUnion: a line out and back counts once, as its intersections do); measure(p, c) = measure of
  (p ∩ ST_Union(zones with code c)), with ST_CollectionExtract of the program's
  dimension before measuring.  unzoned = 1 - measure(p ∩ ST_Union(all zones)) / measure(p).
- points: each part of an n-part (Multi)Point weighs 1/n, split equally over the
  k_i codes whose (repaired) zone polygons it intersects (boundary included);
  program measure = 1; unzoned = weight of the parts touching no zone.
- null/empty geometry: no share rows, unzoned (and measure) empty.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import psycopg
import pyogrio
import pyogrio.raw

# ----------------------------------------------------------------------------- SQL
# Every number in the output comes from these statements.  {srid} is an integer.
SQL_SETUP = """
CREATE TEMP TABLE zraw (zid integer PRIMARY KEY, code text, srid integer, wkb bytea);
CREATE TEMP TABLE praw (pid integer PRIMARY KEY, srid integer, wkb bytea);
"""

SQL_REPAIR = """
-- zones: repaired, polygonal part only
CREATE TEMP TABLE z AS
SELECT zid, code,
       ST_CollectionExtract(
           ST_MakeValid(ST_Force2D(ST_SetSRID(ST_GeomFromWKB(wkb), srid)), 'method=linework'),
           3) AS geom
FROM zraw
WHERE wkb IS NOT NULL;
DELETE FROM z WHERE geom IS NULL OR ST_IsEmpty(geom);
CREATE INDEX ON z USING gist (geom);

-- programs: transformed to the zoning SRID if needed, repaired
CREATE TEMP TABLE p0 AS
SELECT pid,
       ST_MakeValid(ST_Force2D(
           CASE WHEN srid = {srid} THEN ST_SetSRID(ST_GeomFromWKB(wkb), srid)
                ELSE ST_Transform(ST_SetSRID(ST_GeomFromWKB(wkb), srid), {srid}) END),
           'method=linework') AS g
FROM praw
WHERE wkb IS NOT NULL;
DELETE FROM p0 WHERE g IS NULL OR ST_IsEmpty(g);

-- keep the parts of the highest dimension (ST_Dimension of a collection = max)
CREATE TEMP TABLE p AS
SELECT pid, ST_Dimension(g) AS dim, ST_CollectionExtract(g, ST_Dimension(g) + 1) AS geom
FROM p0;
CREATE INDEX ON p USING gist (geom);

-- one dissolved geometry per zone code, and one for all zones
CREATE TEMP TABLE u AS
SELECT code, ST_Union(geom) AS geom FROM z WHERE code IS NOT NULL GROUP BY code;
CREATE INDEX ON u USING gist (geom);
CREATE TEMP TABLE uall AS SELECT ST_Union(geom) AS geom FROM z;
"""

# lines and polygons: measure of the program and of its intersection with each code
SQL_LINEAR_AREAL = """
CREATE TEMP TABLE pm AS
SELECT pid, dim,
       CASE dim WHEN 2 THEN ST_Area(geom) ELSE ST_Length(ST_UnaryUnion(geom)) END AS measure
FROM p WHERE dim IN (1, 2);

CREATE TEMP TABLE shares_la AS
SELECT p.pid, u.code,
       CASE p.dim WHEN 2 THEN ST_Area(ST_CollectionExtract(ST_Intersection(p.geom, u.geom), 3))
                  ELSE ST_Length(ST_CollectionExtract(ST_Intersection(p.geom, u.geom), 2)) END AS measure
FROM p JOIN u ON ST_Intersects(p.geom, u.geom)
WHERE p.dim IN (1, 2);

CREATE TEMP TABLE zoned_la AS
SELECT p.pid,
       CASE p.dim WHEN 2 THEN ST_Area(ST_CollectionExtract(ST_Intersection(p.geom, uall.geom), 3))
                  ELSE ST_Length(ST_CollectionExtract(ST_Intersection(p.geom, uall.geom), 2)) END AS zoned
FROM p CROSS JOIN uall
WHERE p.dim IN (1, 2) AND uall.geom IS NOT NULL AND ST_Intersects(p.geom, uall.geom);
"""

# points: parts, their weight 1/n, the codes each part intersects (boundary included)
SQL_POINTS = """
CREATE TEMP TABLE pparts AS
SELECT p.pid, coalesce(d.path[1], 1) AS part, d.geom, 1.0::float8 / ST_NumGeometries(p.geom) AS weight
FROM p, LATERAL ST_Dump(p.geom) AS d
WHERE p.dim = 0;

CREATE TEMP TABLE ppart_codes AS
SELECT DISTINCT pp.pid, pp.part, z.code
FROM pparts pp JOIN z ON ST_Intersects(pp.geom, z.geom)
WHERE z.code IS NOT NULL;

CREATE TEMP TABLE shares_pt AS
SELECT pc.pid, pc.code, sum(pp.weight / k.k) AS measure
FROM ppart_codes pc
JOIN pparts pp USING (pid, part)
JOIN (SELECT pid, part, count(*)::float8 AS k FROM ppart_codes GROUP BY pid, part) k USING (pid, part)
GROUP BY pc.pid, pc.code;

CREATE TEMP TABLE unzoned_pt AS
SELECT pp.pid,
       coalesce(sum(pp.weight) FILTER (
           WHERE NOT EXISTS (SELECT 1 FROM z WHERE ST_Intersects(pp.geom, z.geom))), 0.0) AS unzoned
FROM pparts pp GROUP BY pp.pid;
"""

SQL_RESULT_SHARES = """
SELECT s.pid, s.code, s.measure, s.measure / pm.measure AS share
FROM shares_la s JOIN pm USING (pid)
WHERE s.measure > 0 AND pm.measure > 0
UNION ALL
SELECT pid, code, measure, measure AS share FROM shares_pt WHERE measure > 0
"""

SQL_RESULT_UNZONED = """
SELECT pm.pid, pm.measure,
       CASE WHEN pm.measure > 0 THEN 1.0 - coalesce(zl.zoned, 0.0) / pm.measure END AS unzoned
FROM pm LEFT JOIN zoned_la zl USING (pid)
UNION ALL
SELECT pid, 1.0::float8, unzoned FROM unzoned_pt
"""

ALL_SQL = {
    "setup": SQL_SETUP,
    "repair": SQL_REPAIR,
    "lines_polygons": SQL_LINEAR_AREAL,
    "points": SQL_POINTS,
    "result_shares": SQL_RESULT_SHARES,
    "result_unzoned": SQL_RESULT_UNZONED,
}


# ------------------------------------------------------------------------- helpers
def _srid(meta, path, layer) -> int:
    crs = meta.get("crs")
    m = re.fullmatch(r"EPSG:(\d+)", crs or "")
    if not m:
        sys.exit(f"{path}:{layer}: cannot read an EPSG code from the layer CRS ({crs!r})")
    return int(m.group(1))


def _read(path, layer, field):
    meta, _fids, wkbs, fields = pyogrio.raw.read(path, layer=layer, columns=[field], return_fids=True)
    names = list(meta["fields"])
    if field not in names:
        sys.exit(f"{path}:{layer}: no field {field!r} (fields: {names})")
    values = fields[names.index(field)]
    return meta, list(values), list(wkbs)


def _sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fmt(v) -> str:
    return "" if v is None else repr(float(v))


def _sort_key(v):
    # numeric ids sort numerically, the rest as text; None last
    if v is None:
        return (2, 0, "")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, float(v), "")
    try:
        return (0, float(str(v)), "") if re.fullmatch(r"[+-]?\d+(\.\d+)?", str(v)) else (1, 0, str(v))
    except ValueError:  # pragma: no cover
        return (1, 0, str(v))


def _id_str(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "item"):          # numpy scalar
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def run(args) -> None:
    zmeta, codes, zwkb = _read(args.zoning, args.zoning_layer, args.zone_field)
    pmeta, ids, pwkb = _read(args.programs, args.programs_layer, args.id_field)
    zsrid = _srid(zmeta, args.zoning, args.zoning_layer)
    psrid = _srid(pmeta, args.programs, args.programs_layer)
    ids = [i.item() if hasattr(i, "item") else i for i in ids]
    codes = [None if c is None else _id_str(c) for c in codes]

    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)

    with psycopg.connect(args.dsn, autocommit=False) as conn, conn.cursor() as cur:
        cur.execute(SQL_SETUP)
        with cur.copy("COPY zraw (zid, code, srid, wkb) FROM STDIN") as cp:
            for i, (c, w) in enumerate(zip(codes, zwkb)):
                cp.write_row((i, c, zsrid, None if w is None else bytes(w)))
        with cur.copy("COPY praw (pid, srid, wkb) FROM STDIN") as cp:
            for i, w in enumerate(pwkb):
                cp.write_row((i, psrid, None if w is None else bytes(w)))
        cur.execute(SQL_REPAIR.format(srid=int(zsrid)))
        cur.execute(SQL_LINEAR_AREAL)
        cur.execute(SQL_POINTS)

        # facts for the provenance file
        cur.execute("SELECT postgis_full_version(), version(), postgis_geos_version()")
        pg_full, pg_version, geos = cur.fetchone()
        cur.execute("""SELECT count(*) FILTER (WHERE NOT ST_IsValid(ST_SetSRID(ST_GeomFromWKB(wkb), srid)))
                       FROM zraw WHERE wkb IS NOT NULL""")
        invalid_z = cur.fetchone()[0]
        cur.execute("""SELECT count(*) FILTER (WHERE NOT ST_IsValid(ST_SetSRID(ST_GeomFromWKB(wkb), srid)))
                       FROM praw WHERE wkb IS NOT NULL""")
        invalid_p = cur.fetchone()[0]
        cur.execute("SELECT dim, count(*) FROM p GROUP BY dim ORDER BY dim")
        dims = {str(d): n for d, n in cur.fetchall()}
        null_codes = sum(1 for c in codes if c is None)

        cur.execute(SQL_RESULT_SHARES)
        share_rows = cur.fetchall()
        cur.execute(SQL_RESULT_UNZONED)
        unz = {pid: (m, u) for pid, m, u in cur.fetchall()}
        conn.rollback()   # temp tables only; leave nothing behind

    share_rows = [(ids[pid], code, m, s) for pid, code, m, s in share_rows]
    share_rows.sort(key=lambda r: (_sort_key(r[0]), r[1]))
    with open(outdir / f"{args.name}_shares.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["program_id", "zone_code", "measure", "share"])
        for pid, code, m, s in share_rows:
            w.writerow([_id_str(pid), code, _fmt(m), _fmt(s)])

    order = sorted(range(len(ids)), key=lambda i: (_sort_key(ids[i]), i))
    with open(outdir / f"{args.name}_unzoned.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["program_id", "measure", "unzoned"])
        for i in order:
            m, u = unz.get(i, (None, None))
            w.writerow([_id_str(ids[i]), _fmt(m), _fmt(u)])

    prov = {
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "postgis_full_version": pg_full,
        "postgres_version": pg_version,
        "geos_version": geos,
        "psycopg": psycopg.__version__,
        "pyogrio": pyogrio.__version__,
        "zoning": {"path": str(args.zoning), "layer": args.zoning_layer, "field": args.zone_field,
                   "srid": zsrid, "features": len(codes), "invalid_before_repair": invalid_z,
                   "null_codes": null_codes, "sha256": _sha256(args.zoning)},
        "programs": {"path": str(args.programs), "layer": args.programs_layer, "field": args.id_field,
                     "srid": psrid, "features": len(ids), "invalid_before_repair": invalid_p,
                     "by_dimension_after_repair": dims,
                     "null_or_empty": len(ids) - sum(dims.values()),
                     "sha256": _sha256(args.programs)},
        "rows": {"shares": len(share_rows), "unzoned": len(ids)},
    }
    if psrid != zsrid:
        prov["programs"]["transformed_to"] = zsrid
    with open(outdir / f"{args.name}_provenance.json", "w") as f:
        json.dump(prov, f, indent=2, default=str)
        f.write("\n")
    print(f"{args.name}: {len(share_rows)} share rows, {len(ids)} programs "
          f"(dims {dims}), {invalid_z} invalid zones, {invalid_p} invalid programs, "
          f"{null_codes} zones without code -> {outdir}")
    print(f"  {pg_full}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="PostGIS reference zone shares (see module docstring).")
    ap.add_argument("--zoning", required=True)
    ap.add_argument("--zoning-layer", required=True)
    ap.add_argument("--zone-field", default="KODSZN")
    ap.add_argument("--programs", required=True)
    ap.add_argument("--programs-layer", required=True)
    ap.add_argument("--id-field", default="program_id")
    ap.add_argument("--name", required=True, help="output prefix, e.g. cases")
    ap.add_argument("--outdir", default=str(Path(__file__).resolve().parent))
    ap.add_argument("--dsn", default=os.environ.get("SPPR_GOLDEN_DSN", "dbname=sppr_golden"))
    ap.add_argument("--print-sql", action="store_true", help="print the SQL and exit")
    args = ap.parse_args(argv)
    if args.print_sql:
        for k, v in ALL_SQL.items():
            print(f"-- [{k}]\n{v.strip()}\n")
        return
    run(args)


if __name__ == "__main__":
    main()
