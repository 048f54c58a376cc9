"""The library's messages: Bahasa Indonesia by default, English with ``SPPR_LANG=en`` (issue 20, part 1).

Every ``_("...")`` message in src/sppr_gis has an Indonesian translation in the gettext catalog, the compiled
catalog says the same as the .po, and real data errors read in Indonesian by default and in English with
``SPPR_LANG=en`` through the real CLI in a child process. Codes (option names, column names, config keys)
stay as they are in both languages.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import string
import subprocess
import symtable
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sppr_gis"
SAMPLE = ROOT / "data" / "sample"
PO = SRC / "locale" / "id" / "LC_MESSAGES" / "sppr.po"
MO = PO.with_suffix(".mo")


def _msgids() -> dict[str, str]:
    """Every literal ``_("...")`` in src/sppr_gis, found by parsing the code (not by the tool under test)."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
                arg = node.args[0]
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), f"{path}:{node.lineno}: _() needs a literal (no f-string)"
                found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_catalog_header_is_indonesian_with_one_plural_form():
    cat = _catalog()
    assert str(cat.locale) == "id"
    assert cat.plural_forms == "nplurals=1; plural=0;"
    assert not cat.fuzzy


def test_every_message_in_src_has_an_indonesian_translation():
    ids = _msgids()
    assert len(ids) > 200  # the library's errors, warnings and log lines are marked
    cat = _catalog()
    missing = [f"{where}: {mid!r}" for mid, where in ids.items() if mid not in cat or not str(cat[mid].string).strip()]
    assert not missing, "untranslated:\n" + "\n".join(missing)
    fuzzy = [mid for mid in ids if cat[mid].fuzzy]
    assert not fuzzy


def test_translations_keep_every_placeholder():
    cat = _catalog()
    for mid in _msgids():
        tr = str(cat[mid].string)
        assert _fields(tr) == _fields(mid), f"{mid!r} -> {tr!r}"
        # the translation formats with the same values as the message
        values = dict.fromkeys(_fields(mid), 1.5)
        tr.format(**values)


def test_compiled_catalog_matches_the_po():
    cat = _catalog()
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = [m.id for m in cat if m.id and not isinstance(m.id, tuple) and mo.gettext(m.id) != m.string]
    # plural entries (Click's): Indonesian has one form, the .po's first
    stale += [m.id for m in cat if isinstance(m.id, tuple) and mo.ngettext(m.id[0], m.id[1], 2) != m.string[0]]
    assert not stale, f"sppr.mo is older than sppr.po (pybabel compile): {stale[:3]}"


def test_no_function_hides_the_translation_function():
    """A function that binds ``_`` as a throwaway name and also calls ``_()`` would fail on its error path."""
    bad = []

    def walk(table: symtable.SymbolTable, path: Path) -> None:
        if table.get_type() == "function":
            try:
                sym = table.lookup("_")
            except KeyError:
                sym = None
            if sym is not None and sym.is_local() and sym.is_referenced():
                bad.append(f"{path}:{table.get_lineno()} {table.get_name()}")
        for child in table.get_children():
            walk(child, path)

    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "_(" in text:
            walk(symtable.symtable(text, str(path), "exec"), path)
    assert not bad


def test_language_comes_from_sppr_lang_only(monkeypatch):
    from sppr_gis.i18n import _, language

    msg = "{path}: file not found"
    monkeypatch.delenv("SPPR_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert language() == "id"
    assert _(msg).format(path="a.gpkg") == "a.gpkg: berkas tidak ditemukan"
    monkeypatch.setenv("SPPR_LANG", "en")
    assert _(msg).format(path="a.gpkg") == "a.gpkg: file not found"


def test_library_error_reads_in_the_chosen_language(monkeypatch, tmp_path):
    from sppr_gis.errors import InputError
    from sppr_gis.rules import read_rules

    missing = tmp_path / "tidak_ada.csv"
    monkeypatch.delenv("SPPR_LANG", raising=False)
    with pytest.raises(InputError) as exc:
        read_rules(missing)
    assert str(exc.value) == f"{missing}: berkas matriks ITBX tidak ditemukan"
    monkeypatch.setenv("SPPR_LANG", "en")
    with pytest.raises(InputError) as exc:
        read_rules(missing)
    assert str(exc.value) == f"{missing}: ITBX matrix file not found"


# --- real data errors through the real CLI, in a child process -------------------------------------------


def _sppr(args: list[object], lang: str | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SPPR_LANG"}
    env["LANG"] = "C.UTF-8"  # a server's usual locale: it must not switch the language
    if lang is not None:
        env["SPPR_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "sppr_cli", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False)


def _both(args: list[object], cwd: Path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    return _sppr(args, None, cwd), _sppr(args, "en", cwd)


def _zoning_without_zone_field(tmp_path: Path) -> Path:
    z = gpd.read_file(SAMPLE / "zoning.gpkg", layer="rdtr_subzona")
    z = z.rename(columns={c: f"{c}_LAMA" for c in ("KODSZN", "KODZON", "KODKWS") if c in z.columns})
    out = tmp_path / "zonasi.gpkg"
    z.to_file(out, layer="zonasi", driver="GPKG")
    return out


def test_missing_zone_field_in_each_language(tmp_path):
    zoning = _zoning_without_zone_field(tmp_path)
    args = ["check", "--zoning", zoning, "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", SAMPLE / "itbx.csv", "--out", tmp_path / "hasil.gpkg"]
    ind, eng = _both(args, tmp_path)
    assert ind.returncode == eng.returncode == 1
    assert f"{zoning}: tidak ada kolom kode zona (KODSZN, KODZON, KODKWS); sebutkan dengan --zone-field" in ind.stderr
    assert "no zone code field" not in ind.stderr and "Traceback" not in ind.stderr
    assert f"{zoning}: no zone code field (KODSZN, KODZON, KODKWS); name it with --zone-field" in eng.stderr
    assert "tidak ada kolom" not in eng.stderr
    assert not (tmp_path / "hasil.gpkg").exists()


def test_rules_without_activity_column_in_each_language(tmp_path):
    rules = tmp_path / "itbx.csv"
    rules.write_text("kategori,nama_kegiatan,R-2,K-1\nJalan,pembangunan_jalan,I,T1\n", encoding="utf-8")
    args = ["check", "--zoning", f"{SAMPLE / 'zoning.gpkg'}:rdtr_subzona", "--programs", SAMPLE / "rencana_pupr.gpkg", "--rules", rules, "--out", tmp_path / "hasil.gpkg"]
    ind, eng = _both(args, tmp_path)
    assert ind.returncode == eng.returncode == 1
    assert f"{rules}: tidak ada kolom 'activity' di baris judul kolom" in ind.stderr
    assert f"{rules}: no 'activity' column in the header row" in eng.stderr
    assert "column in the header" not in ind.stderr and "judul kolom" not in eng.stderr
    assert not (tmp_path / "hasil.gpkg").exists()


def test_config_key_error_in_each_language(tmp_path):
    cfg = tmp_path / "sppr.toml"
    cfg.write_text(
        "[inputs]\n"
        f"zoning = '{SAMPLE / 'zoning.gpkg'}:rdtr_subzona'\n"
        f"rules = '{SAMPLE / 'itbx.csv'}'\n"
        f"rencana = ['{SAMPLE / 'rencana_pupr.gpkg'}']\n"
        "[parameters]\n"
        "min_sharee = 0.01\n",
        encoding="utf-8",
    )
    args = ["sync", "--config", cfg, "--year", "2025", "--out", tmp_path / "keluaran"]
    ind, eng = _both(args, tmp_path)
    assert ind.returncode == eng.returncode == 1, ind.stderr
    # the key is a code: it stays as written in both languages
    assert f"{cfg}: parameters.min_sharee: kunci tidak dikenal (maksud Anda 'min_share'?)" in ind.stderr
    assert f"{cfg}: parameters.min_sharee: unknown key (did you mean 'min_share'?)" in eng.stderr
    assert not (tmp_path / "keluaran").exists()


def test_output_conflict_in_each_language(tmp_path):
    programs = tmp_path / "rencana.gpkg"
    shutil.copy(SAMPLE / "rencana_pupr.gpkg", programs)
    before = programs.read_bytes()
    args = ["check", "--zoning", f"{SAMPLE / 'zoning.gpkg'}:rdtr_subzona", "--programs", programs, "--rules", SAMPLE / "itbx.csv", "--out", programs]
    ind, eng = _both(args, tmp_path)
    assert ind.returncode == eng.returncode == 2
    assert "adalah masukan proses ini" in ind.stderr and "masukan tidak pernah ditimpa: pilih keluaran lain" in ind.stderr
    assert "is an input of this run" in eng.stderr and "inputs are never overwritten" in eng.stderr
    assert "is an input of this run" not in ind.stderr
    assert programs.read_bytes() == before
