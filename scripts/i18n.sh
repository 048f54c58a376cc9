#!/usr/bin/env bash
# The gettext catalog of sppr (docs/i18n.md), with Babel's pybabel:
#   scripts/i18n.sh extract   # messages of src/, cli/ and the installed click -> src/sppr_gis/locale/sppr.pot
#   scripts/i18n.sh update    # merge the template into locale/id/LC_MESSAGES/sppr.po (then translate the new entries)
#   scripts/i18n.sh compile   # sppr.po -> sppr.mo (committed, shipped in the wheel)
#   scripts/i18n.sh all       # the three in order
# PYTHON (default: python) is the interpreter whose click is extracted and whose pybabel runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
LOCALE=src/sppr_gis/locale
POT=$LOCALE/sppr.pot
pybabel() { "$PYTHON" -c 'import sys; from babel.messages.frontend import main; sys.argv[0] = "pybabel"; main()' "$@"; }

extract() {
  local click_dir
  click_dir=$("$PYTHON" -c 'import click, os; print(os.path.dirname(click.__file__))')
  # sorted by msgid and located by file only: two branches' catalogs merge without line-number noise
  pybabel extract -F babel.cfg --sort-output --add-location file --project sppr-gis --copyright-holder "sppr_gis contributors" \
    --msgid-bugs-address "" -o "$POT" src cli "$click_dir"
  # click's files by their package path, not this machine's site-packages
  sed -i "s#${click_dir}/#click/#g" "$POT"
}
update() { pybabel update -D sppr -i "$POT" -d "$LOCALE" -l id --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date; }
compile() { pybabel compile -D sppr -d "$LOCALE" -l id --statistics; }

case "${1:-all}" in
  extract) extract ;;
  update) update ;;
  compile) compile ;;
  all) extract; update; compile ;;
  *) echo "usage: $0 extract|update|compile|all" >&2; exit 2 ;;
esac
