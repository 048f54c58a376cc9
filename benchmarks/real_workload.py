"""The real public provincial RTRW workload of issue 18, rebuilt from a fetched snapshot.

Source (public GitHub repository, fetched with the session's ``fetch`` tool as a bare git directory):

- repository ``hanggeraqiimmohpandego-sys/WebGIS_KKPR_Jabar`` (a WebGIS of KKPR permits in West Java),
  commit ``91be882ebaa573e22e43212693a0ededa39b2347`` (9 Nov 2025);
- zoning: ``data/RTRWP <Kab|Kota> <name>.zip``, each one GeoJSON (EPSG:4326, Esri export: every
  coordinate ``[lon, lat, 0, null]``) of the provincial RTRW's *pola ruang* (RTRWP Jawa Barat) clipped to one
  regency or city, one feature per class (``NAMOBJ``, 14 classes in these 11), dissolved into very large
  multipolygons (up to about 260k vertices), some of them invalid. The snapshot holds 11 of the 27
  (the other zips are 4 MiB or more and are not in the snapshot): Kab Majalengka, Kab Purwakarta,
  Kota Bandung, Banjar, Bekasi, Bogor, Cimahi, Cirebon, Depok, Sukabumi, Tasikmalaya. Together:
  69 features, 890,310 vertices, 10 invalid.
- programs: ``data/kkpr.json``, 235 real KKPR permit polygons (Persetujuan/Konfirmasi KKPR: holder,
  KBLI, address, number) in EPSG:4326, one of them invalid.
- **Licence: none stated** (no LICENSE file, no licence in the README or page). The RTRWP is a
  published regional regulation's map and the KKPR list a public register, but the repository grants
  no licence: nothing of it is committed here (not even a small extract). The data stay in
  ``benchmarks/_work/`` (git-ignored) and are rebuilt by this script.

What the script writes (deterministic: same snapshot, same bytes), into ``--out`` (default
``benchmarks/_work/real-jabar``):

- ``zoning.geojson``: the 11 files' features in one FeatureCollection (in the order above), geometry and
  properties as published (coordinates parsed and re-serialized by ``json``: the same doubles), plus
  ``KABKOT`` (the regency or city) and a sequential feature ``id`` (the published ids restart at 0 in
  each file). Zone field: ``NAMOBJ``.
- ``programs.geojson``: the 235 KKPR polygons as published, plus ``program_id`` (``KKPR-0001`` ... in
  file order; the published ``ID`` is not unique) and ``kegiatan``: the KBLI division of ``KO_KBLI``
  (five digits, zero-padded) grouped into 13 activities (``KBLI_ACTIVITY``; KBLI 0 = a public road).
- ``itbx.csv``: an ITBX matrix of those 13 activities x the 14 ``NAMOBJ`` classes (I/T/B/X), drawn up
  for this benchmark by simple rules (``rules()``): **not** the Perda's own matrix.

Usage::

    python benchmarks/real_workload.py --mirror /work/.mirror/hanggeraqiimmohpandego-sys+WebGIS_KKPR_Jabar/repo
    python benchmarks/bench_idiom.py --workdir benchmarks/_work/real-jabar --zone-field NAMOBJ \\
        --sppr-arg=--zone-field=NAMOBJ --no-baseline
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = "hanggeraqiimmohpandego-sys/WebGIS_KKPR_Jabar"
COMMIT = "91be882ebaa573e22e43212693a0ededa39b2347"
DEFAULT_MIRROR = Path("/work/.mirror/hanggeraqiimmohpandego-sys+WebGIS_KKPR_Jabar/repo")
# git blob ids (sha1 of the content) at COMMIT: the script refuses other bytes.
ZONING_BLOBS = {
    "Kab Majalengka": "93d432a09f01b33bf000580b38a479710b6594a0",
    "Kab Purwakarta": "28e85812f4509f786500b4e229fc8bf5d2087194",
    "Kota Bandung": "b898bf0743cd5d03a15771ec432cfce2943d6375",
    "Kota Banjar": "21a57f948653750df63644c9cb94db8d5a00f953",
    "Kota Bekasi": "bf9a46533d980589ffc2a64e5740cde1762f34a0",
    "Kota Bogor": "fd0eaeac8f2ee511807da3b9cd859a717ac463a1",
    "Kota Cimahi": "2c6a6f44b7fac09f9f3c4ec3a098fff6bf408f8b",
    "Kota Cirebon": "2ade00b22cc34be76030ac642ae2750543dab518",
    "Kota Depok": "764d64134996ef058fe8959af3758715f8711cd7",
    "Kota Sukabumi": "a0fda8b4c8d64795398b4341aa3a56e971890b56",
    "Kota Tasikmalaya": "fb56d04beef080291928325d2b0db1bb60d76d96",
}
KKPR_BLOB = ("data/kkpr.json", "00416abcb890c2e9348474120740f5b78ad465b6")

# KBLI 2020 divisions (first two of five digits) -> activity of the benchmark's ITBX matrix.
KBLI_ACTIVITY = [
    ((0, 0), "Jalan dan prasarana pemerintah"),
    ((1, 3), "Pertanian, kehutanan dan perikanan"),
    ((5, 9), "Pertambangan dan penggalian"),
    ((10, 33), "Industri pengolahan"),
    ((35, 35), "Pengadaan listrik dan gas"),
    ((36, 39), "Pengelolaan air, limbah dan daur ulang"),
    ((41, 43), "Konstruksi"),
    ((45, 47), "Perdagangan besar dan eceran"),
    ((49, 53), "Transportasi dan pergudangan"),
    ((55, 56), "Akomodasi dan makan minum"),
    ((58, 63), "Informasi dan komunikasi"),
    ((64, 82), "Real estat dan jasa usaha"),
    ((84, 99), "Jasa pemerintahan, kesehatan dan sosial"),
]
PROTECTED = ("Kawasan Konservasi", "Kawasan yang Memberikan Perlindungan terhadap Kawasan Bawahannya",
             "Kawasan Perlindungan Setempat", "Badan Air")  # fmt: skip


def activity(kbli: int) -> str:
    """The benchmark activity of a KBLI code (an int: leading zeros lost in the source)."""
    div = int(f"{int(kbli):05d}"[:2])
    for (lo, hi), name in KBLI_ACTIVITY:
        if lo <= div <= hi:
            return name
    raise ValueError(f"KBLI {kbli}: division {div} has no activity")


def rules(codes: list[str]) -> list[dict[str, str]]:
    """The benchmark's ITBX matrix (I/T/B/X per activity and NAMOBJ class), from simple rules."""
    allowed = {  # activity -> (I, T); protected classes X (B for networks), the rest B
        "Jalan dan prasarana pemerintah": ({"Kawasan Transportasi", "Kawasan Permukiman"}, None),
        "Pertanian, kehutanan dan perikanan": ({"Kawasan Pertanian", "Kawasan Perikanan", "Kawasan Hutan Produksi"}, {"Kawasan Permukiman"}),
        "Pertambangan dan penggalian": ({"Kawasan Pertambangan dan Energi"}, {"Kawasan Hutan Produksi", "Kawasan Pertanian"}),
        "Industri pengolahan": ({"Kawasan Peruntukan Industri"}, {"Kawasan Permukiman", "Kawasan Pertambangan dan Energi"}),
        "Pengadaan listrik dan gas": ({"Kawasan Pertambangan dan Energi", "Kawasan Peruntukan Industri"}, None),
        "Pengelolaan air, limbah dan daur ulang": ({"Kawasan Peruntukan Industri"}, None),
        "Konstruksi": ({"Kawasan Permukiman", "Kawasan Peruntukan Industri"}, {"Kawasan Transportasi"}),
        "Perdagangan besar dan eceran": ({"Kawasan Permukiman"}, {"Kawasan Peruntukan Industri", "Kawasan Transportasi", "Kawasan Pariwisata"}),
        "Transportasi dan pergudangan": ({"Kawasan Transportasi", "Kawasan Peruntukan Industri"}, {"Kawasan Permukiman"}),
        "Akomodasi dan makan minum": ({"Kawasan Permukiman", "Kawasan Pariwisata"}, {"Kawasan Transportasi"}),
        "Informasi dan komunikasi": ({"Kawasan Permukiman"}, None),
        "Real estat dan jasa usaha": ({"Kawasan Permukiman"}, {"Kawasan Peruntukan Industri", "Kawasan Pariwisata"}),
        "Jasa pemerintahan, kesehatan dan sosial": ({"Kawasan Permukiman"}, {"Kawasan Pertahanan dan Keamanan", "Kawasan Pertanian"}),
    }  # fmt: skip
    networks = {"Jalan dan prasarana pemerintah", "Pengadaan listrik dan gas", "Pengelolaan air, limbah dan daur ulang", "Informasi dan komunikasi"}
    out = []
    for _, act in KBLI_ACTIVITY:
        i_codes, t_codes = allowed[act]
        row = {"category": "KKPR", "activity": act}
        for c in codes:
            if c in i_codes:
                row[c] = "I"
            elif c in PROTECTED:
                row[c] = "B" if act in networks else "X"
            elif t_codes is None or c in t_codes:  # networks: T wherever not I or protected
                row[c] = "T"
            else:
                row[c] = "B"
        out.append(row)
    return out


def _blob(mirror: Path, path: str, blob: str) -> bytes:
    got = subprocess.run(["git", "-C", str(mirror), "rev-parse", f"{COMMIT}:{path}"], capture_output=True, text=True)
    if got.returncode or got.stdout.strip() != blob:
        sys.exit(f"{mirror}: {path} at {COMMIT[:12]} is not blob {blob[:12]} ({(got.stdout or got.stderr).strip()[:120]})")
    data = subprocess.run(["git", "-C", str(mirror), "cat-file", "blob", blob], capture_output=True, check=True).stdout
    if not data:
        sys.exit(f"{mirror}: {path} is listed but absent from the snapshot")
    return data


def _dump(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def build(mirror: Path, out: Path) -> dict:
    """Write zoning.geojson, programs.geojson and itbx.csv under ``out``; return a summary."""
    out.mkdir(parents=True, exist_ok=True)
    feats: list[dict] = []
    for name, blob in ZONING_BLOBS.items():
        path = f"data/RTRWP {name}.zip"
        with zipfile.ZipFile(io.BytesIO(_blob(mirror, path, blob))) as z:
            (member,) = z.namelist()
            fc = json.loads(z.read(member))
        for f in fc["features"]:
            f.pop("id", None)
            f["properties"]["KABKOT"] = name
            feats.append(f)
    for k, f in enumerate(feats):
        f["id"] = k
    zoning = {"type": "FeatureCollection", "name": "rtrwp_jabar_11",
              "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": feats}  # fmt: skip
    _dump(zoning, out / "zoning.geojson")

    kkpr = json.loads(_blob(mirror, *KKPR_BLOB))
    for k, f in enumerate(kkpr["features"]):
        p = f["properties"]
        f["properties"] = {"program_id": f"KKPR-{k + 1:04d}", "kegiatan": activity(p["KO_KBLI"]), **p}
    kkpr = {"type": "FeatureCollection", "name": "kkpr",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": kkpr["features"]}  # fmt: skip
    _dump(kkpr, out / "programs.geojson")

    codes = sorted({f["properties"]["NAMOBJ"] for f in feats})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["category", "activity", *codes], lineterminator="\n")
    w.writeheader()
    w.writerows(rules(codes))
    (out / "itbx.csv").write_text(buf.getvalue(), encoding="utf-8")
    summary = {"repo": REPO, "commit": COMMIT, "zones": len(feats), "regencies_and_cities": len(ZONING_BLOBS),
               "codes": len(codes), "programs": len(kkpr["features"]), "out": str(out)}  # fmt: skip
    (out / "workload.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help=f"git directory of the fetched snapshot of {REPO}")
    ap.add_argument("--out", type=Path, default=HERE / "_work" / "real-jabar")
    a = ap.parse_args(argv)
    s = build(a.mirror, a.out)
    print(json.dumps(s, indent=2))
    return s


if __name__ == "__main__":
    main()
