"""Bahasa Indonesia by default, English with SPPR_LANG=en (issue 20, section 1).

The catalog (src/sppr_gis/locale/id/LC_MESSAGES/sppr.po, compiled to sppr.mo) holds every message marked in
src/, cli/ and Click's own strings; the CLI renders help and Click's messages through it at the moment they
are shown, so one process can switch languages between invocations (as these tests do).
"""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from shapely.errors import GEOSException

LOCALE = ROOT / "src" / "sppr_gis" / "locale"
PO = LOCALE / "id" / "LC_MESSAGES" / "sppr.po"
MO = LOCALE / "id" / "LC_MESSAGES" / "sppr.mo"
POT = LOCALE / "sppr.pot"

ZONING = f"{SAMPLE / 'zoning.gpkg'}:rdtr_subzona"
PROGRAMS = SAMPLE / "rencana_pupr.gpkg"
RULES = SAMPLE / "itbx.csv"

#: English function words that never belong in an Indonesian help text (whole words, any case). Option
#: names, metavars and example command lines are removed before looking (they stay as they are).
ENGLISH = ["the", "of", "and", "when", "with", "is", "are", "for", "to", "from", "this", "that", "each", "every", "or", "by",
           "file", "files", "default", "given", "which", "its", "into", "than", "only", "show", "message", "exit", "usage", "options"]
#: Indonesian words that never belong in an English help text.
INDONESIAN = ["yang", "dan", "untuk", "dengan", "berkas", "atau", "tidak", "bawaan", "wajib", "tampilkan", "opsi", "penggunaan", "boleh", "dari"]


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def _msgids(messages) -> set:
    return {m.id for m in messages if m.id}


def _extracted() -> set:
    """The messages marked in the code today (``_``, ``ngettext``, ``N_``), as ``pybabel extract`` finds them."""
    ids = set()
    for folder in (ROOT / "src", ROOT / "cli", Path(click.__file__).parent):
        for _file, _line, message, _comments, _context in extract_from_dir(str(folder), method_map=[("**.py", "python")]):
            ids.add(message)
    return ids


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None and name != ""}


def _texts(m) -> list[str]:
    return list(m.id) if isinstance(m.id, tuple) else [m.id]


def _translations(m) -> list[str]:
    return list(m.string) if isinstance(m.string, (tuple, list)) else [m.string]


# -- the catalog ---------------------------------------------------------------------------------------------


def test_every_message_of_the_code_and_of_click_has_an_indonesian_translation():
    cat = _catalog()
    translated = {m.id for m in cat if m.id and all(s and s.strip() for s in _translations(m))}
    extracted = _extracted()
    assert extracted, "nothing extracted"
    # Click's own strings are in it (the help option, the usage line, the missing-option error)
    assert {"Usage:", "Show this message and exit.", "Missing option", "Error: {message}"} <= {i if isinstance(i, str) else i[0] for i in extracted}
    missing = sorted(map(str, extracted - translated))
    assert not missing, f"messages without an Indonesian translation (run scripts/i18n.sh update, translate): {missing}"
    with POT.open("rb") as f:
        template = read_po(f)
    assert not sorted(map(str, _msgids(template) - translated)), "the committed sppr.pot has untranslated messages"


def test_translations_use_only_the_placeholders_of_their_message():
    """A translation with a placeholder its message does not fill would fail when shown (KeyError)."""
    bad = []
    for m in _catalog():
        if not m.id:
            continue
        allowed = set().union(*(_fields(t) for t in _texts(m)))
        for s in _translations(m):
            if not _fields(s) <= allowed:
                bad.append((m.id, s))
    assert not bad


def test_the_committed_mo_is_the_compiled_po():
    """sppr.mo (what runs and ships in the wheel) gives exactly the .po's translations."""
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    cat = _catalog()
    assert len([m for m in cat if m.id]) > 100
    for m in cat:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            for n in (1, 2, 5):
                assert mo.ngettext(m.id[0], m.id[1], n) == m.string[0], m.id
        else:
            assert mo.gettext(m.id) == m.string, m.id


def test_the_wheel_ships_the_compiled_catalog():
    """The package data of sppr_gis names the compiled catalog (checked by hand: the built wheel holds
    sppr_gis/locale/id/LC_MESSAGES/sppr.mo)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]["sppr_gis"]
    package = ROOT / "src" / "sppr_gis"
    assert any(MO in package.glob(g) for g in globs)


# -- --help --------------------------------------------------------------------------------------------------


def _commands() -> list[list[str]]:
    from sppr_cli.main import cli

    return [[]] + [[name] for name in sorted(cli.commands)]


def _help(args: list[str], lang: str | None) -> str:
    from sppr_cli.main import cli

    env = {"SPPR_LANG": lang}  # None removes it: the default
    r = CliRunner().invoke(cli, [*args, "--help"], env=env, prog_name="sppr", catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def _prose(text: str) -> str:
    """The help without what stays in any language: option names, metavars, example command lines, paths, codes."""
    text = text.split("\nContoh:\n")[0].split("\nExamples:\n")[0]
    text = re.sub(r"(?m)^Usage: .*$|^Penggunaan: .*$", "", text)
    text = re.sub(r"(?<![\w])-{1,2}[\w-]+", " ", text)  # --option, -v
    text = re.sub(r"\b[A-Z][A-Z0-9_.:]*[A-Z0-9]\b", " ", text)  # metavars and acronyms (PATH, OUT, ITBX, OPD)
    text = re.sub(r"\S*[/\\.=@:#|\[\]]\S*", " ", text)  # paths, file names, PATH:LAYER forms
    return text


@pytest.mark.parametrize("args", _commands(), ids=lambda a: " ".join(a) or "sppr")
def test_help_is_indonesian_by_default_and_english_on_request(args):
    words = lambda text: {w.lower() for w in re.findall(r"[A-Za-z_]+", _prose(text))}
    default = _help(args, None)
    english = _help(args, "en")
    again = _help(args, "id")
    assert default == again  # switched back and forth in one process: rendered when shown
    assert "Penggunaan:" in default and "Opsi:" in default and "Tampilkan bantuan ini lalu keluar." in default
    assert "Usage:" in english and "Options:" in english and "Show this message and exit." in english
    assert not words(default) & set(ENGLISH), sorted(words(default) & set(ENGLISH))
    assert not words(english) & set(INDONESIAN), sorted(words(english) & set(INDONESIAN))
    # option names and metavars stay as they are
    names = lambda text: re.findall(r"(?m)^  (-[^ ].*?)(?:  |$)", re.split(r"(?m)^(?:Options|Opsi):$", text)[1])
    assert names(default) == names(english) and len(names(default)) >= 4


def test_lang_and_lc_messages_do_not_choose_the_language():
    from sppr_cli.main import cli

    r = CliRunner().invoke(cli, ["check", "--help"], env={"SPPR_LANG": None, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANGUAGE": "en"})
    assert "Penggunaan:" in r.output
    r = CliRunner().invoke(cli, ["check", "--help"], env={"SPPR_LANG": "en", "LANG": "id_ID.UTF-8", "LC_ALL": "id_ID.UTF-8", "LANGUAGE": "id"})
    assert "Usage:" in r.output


def test_check_help_names_every_default_zone_field():
    from sppr_gis import vocabulary as vocab

    text = " ".join(_help(["check"], "en").split())
    assert all(f in text for f in vocab.ZONE_CODE_FIELDS)


def test_click_is_left_as_it_was_outside_a_sppr_command():
    """Another Click program in the same process keeps Click's own gettext."""
    from sppr_cli.main import cli

    CliRunner().invoke(cli, ["--help"], env={"SPPR_LANG": None})
    assert click.core._ is gettext.gettext and click.exceptions.ngettext is gettext.ngettext


# -- errors --------------------------------------------------------------------------------------------------


def _run(args: list[str], lang: str | None):
    from sppr_cli.main import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env={"SPPR_LANG": lang}, prog_name="sppr", catch_exceptions=False)


def test_missing_option_in_each_language():
    args = ["check", "--programs", PROGRAMS, "--rules", RULES, "--out", "hasil.gpkg"]
    r = _run(args, None)
    assert r.exit_code == 2
    assert "Penggunaan: sppr check" in r.stderr and "Lihat 'sppr check --help' untuk bantuan." in r.stderr
    assert "Galat: Opsi wajib belum diberikan: '--zoning'." in r.stderr
    r = _run(args, "en")
    assert r.exit_code == 2
    assert "Usage: sppr check" in r.stderr and "Try 'sppr check --help' for help." in r.stderr
    assert "Error: Missing option '--zoning'." in r.stderr


def test_a_file_that_does_not_exist_in_each_language(tmp_path):
    args = ["check", "--zoning", tmp_path / "nope.gpkg", "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "hasil.gpkg"]
    r = _run(args, None)
    assert r.exit_code == 2
    assert f"Galat: Nilai '--zoning' tidak valid: berkas '{tmp_path / 'nope.gpkg'}' tidak ditemukan" in r.stderr
    r = _run(args, "en")
    assert r.exit_code == 2
    assert f"Error: Invalid value for '--zoning': file '{tmp_path / 'nope.gpkg'}' does not exist" in r.stderr
    # Click's own check (click.Path(exists=True)) too
    r = _run(["sync", "--config", tmp_path / "nope.toml", "--year", "2025"], None)
    assert r.exit_code == 2 and f"Galat: Nilai '--config' tidak valid: '{tmp_path / 'nope.toml'}' tidak ditemukan." in r.stderr
    r = _run(["sync", "--config", tmp_path / "nope.toml", "--year", "2025"], "en")
    assert r.exit_code == 2 and f"Error: Invalid value for '--config': File '{tmp_path / 'nope.toml'}' does not exist." in r.stderr


def test_unknown_option_and_command_in_each_language():
    r = _run(["chek"], None)
    assert r.exit_code == 2 and "Galat: Perintah 'chek' tidak dikenal. Maksud Anda 'check'?" in r.stderr
    r = _run(["chek"], "en")
    assert r.exit_code == 2 and "Error: No such command 'chek'." in r.stderr
    r = _run(["check", "--zonning", "x"], None)
    assert r.exit_code == 2 and "Galat: Opsi '--zonning' tidak dikenal." in r.stderr


def _rules_without_activity(tmp_path: Path) -> Path:
    p = tmp_path / "itbx_tanpa_kegiatan.csv"
    p.write_text("kategori,nama,R-4\npendidikan,pembangunan_sekolah,I\n", encoding="utf-8")
    return p


def test_a_data_error_in_each_language(tmp_path):
    """A rules file without the activity column: exit 1, one line naming the file, in the reader's language."""
    rules = _rules_without_activity(tmp_path)
    args = ["-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", rules, "--out", tmp_path / "hasil.gpkg"]
    for lang, prefix in ((None, "Galat: "), ("en", "Error: ")):
        r = _run(args, lang)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.exit_code == 1 and len(lines) == 1, r.stderr
        assert lines[0].startswith(prefix + str(rules)), lines[0]
        assert "activity" in lines[0]  # the column's name stays as the contract spells it
    assert not (tmp_path / "hasil.gpkg").exists()


def test_a_library_data_error_reads_in_indonesian(tmp_path):
    rules = _rules_without_activity(tmp_path)
    r = _run(["-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", rules, "--out", tmp_path / "hasil.gpkg"], None)
    line = r.stderr.strip()
    body = line.split(str(rules), 1)[1]
    assert not {w.lower() for w in re.findall(r"[A-Za-z]+", body)} & {"no", "column", "in", "the", "header", "row", "columns", "expected", "then", "one", "per"}, line


def test_a_data_error_of_the_cli_in_each_language(tmp_path, monkeypatch):
    """The CLI's own data error (a GEOS failure outside the overlay): exit 1, one line, in the reader's language."""
    import sppr_cli.check

    def fail(*args, **kwargs):
        raise GEOSException("IllegalArgumentException: injected")

    monkeypatch.setattr(sppr_cli.check, "run_check", fail)
    args = ["-q", "check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "hasil.gpkg"]
    r = _run(args, None)
    assert r.exit_code == 1
    assert r.stderr.strip() == "Galat: operasi geometri gagal (GEOS: IllegalArgumentException: injected); perbaiki geometri masukan lalu coba lagi"
    r = _run(args, "en")
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: a geometry operation failed (GEOS: IllegalArgumentException: injected); repair the input geometry and try again"


def test_the_summary_follows_the_language(tmp_path):
    """The console summary of sppr check: Indonesian by default, English on request; status codes unchanged."""
    args = ["check", "--zoning", ZONING, "--programs", PROGRAMS, "--rules", RULES, "--out", tmp_path / "hasil.gpkg"]
    r = _run(args, None)
    assert r.exit_code == 0, r.output
    assert "program dinilai ->" in r.stdout and "Status kesesuaian" in r.stdout and "jumlah" in r.stdout
    r = _run(args, "en")
    assert r.exit_code == 0, r.output
    assert "programs assessed ->" in r.stdout and "Conformance status" in r.stdout and "count" in r.stdout
    assert "dinilai" not in r.stdout and "Status kesesuaian" not in r.stdout
    for status in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"):
        assert status in r.stdout
