"""The ITBX matrix of a zoning regulation, condition texts, and SIPD code -> activity mapping."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sppr_gis.errors import InputError, RulesError
from sppr_gis.i18n import _

__all__ = ["Cell", "Rules", "read_rules", "parse_cell", "activity_key", "zone_key", "CLASS_ORDER", "CLASS_WEIGHT"]

#: Restrictiveness: I < T < B < X.
CLASS_ORDER = {"I": 0, "T": 1, "B": 2, "X": 3}
#: Score weights per class (contract).
CLASS_WEIGHT = {"I": 1.0, "T": 0.75, "B": 0.5, "X": 0.0}
CLASS_NAME = {"I": "diizinkan", "T": "terbatas", "B": "bersyarat", "X": "dilarang"}

_TOKEN = re.compile(r"^([ITBX])(\d+[A-Za-z]?)?$")
_SPLIT = re.compile(r"\s*[,;]\s*")
#: Sets of letters one cell may hold: one class, or T with B ("T1,B2", common in Perda).
VALID_LETTER_SETS = (frozenset("I"), frozenset("T"), frozenset("B"), frozenset("X"), frozenset("TB"))


@dataclass(frozen=True)
class Cell:
    """One ITBX cell: its class and the numbered conditions it carries.

    Attributes
    ----------
    cls : {"I", "T", "B", "X"}
        The most restrictive letter in the cell.
    conditions : tuple of str
        Condition codes as written (``("T1", "B2")``), in order.
    raw : str
        The cell text.
    """

    cls: str
    conditions: tuple[str, ...]
    raw: str


def parse_cell(text: object) -> Cell | None:
    """Parse one cell; ``None`` for a blank cell (no rule).

    Valid cells: one class letter, optionally numbered (``I``, ``T1``, ``B2``),
    several numbered conditions of one class (``T1,T2``), or T with B
    (``T1,B2``, common in Perda), separated by commas or semicolons. Any other
    mixture (``X, T1``, ``I, T1``) contradicts itself, and tokens separated only
    by blanks (``T1 B2``) are ambiguous: both are errors.

    Raises
    ------
    ValueError
        A token is not I, T, B or X with an optional condition number, tokens are
        not separated by commas, or the letters contradict each other.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    raw = str(text).strip()
    if not raw:
        return None
    tokens = _SPLIT.split(raw.upper())
    letters: list[str] = []
    conditions: list[str] = []
    for tok in tokens:
        m = _TOKEN.match(tok)
        if not m:
            raise ValueError(
                _("'{raw}' is not an ITBX cell (expected I, T, B or X, optionally numbered: T1, B2; several separated by commas: 'T1,B2')").format(raw=raw)
            )
        letters.append(m.group(1))
        if m.group(2):
            conditions.append(tok)
    if frozenset(letters) not in VALID_LETTER_SETS:
        raise ValueError(
            _("'{raw}' mixes {letters}. A cell holds one class (I, T, B or X, optionally with condition numbers), or T with B ('T1,B2')").format(raw=raw, letters=_joined_letters(letters))
        )
    cls = max(letters, key=CLASS_ORDER.__getitem__)
    return Cell(cls=cls, conditions=tuple(conditions), raw=raw)


_ACTIVITY_SPACING = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=4096)
def _text_activity_key(text: str) -> str:
    return _ACTIVITY_SPACING.sub("_", text.strip().casefold())


def activity_key(name: object) -> str:
    """Normalized activity name used for matching (case and spacing insensitive)."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    # a run asks for the keys of a few hundred activity texts tens of thousands of times
    return _text_activity_key(name) if type(name) is str else _ACTIVITY_SPACING.sub("_", str(name).strip().casefold())


def zone_key(code: object) -> str:
    """Zone code as matched against the matrix: blanks removed, upper case (``'r - 2'`` -> ``'R-2'``)."""
    return re.sub(r"\s+", "", str(code)).upper()


@dataclass
class Rules:
    """An ITBX matrix: activities x zone codes -> cells.

    Build it with :func:`read_rules` or :meth:`Rules.from_frame`.

    Attributes
    ----------
    cells : dict
        ``(activity_key, zone_code) -> Cell``; blank cells are absent.
    activities : dict
        ``activity_key -> activity name as written``.
    categories : dict
        ``activity_key -> category`` (may be empty).
    zone_codes : list of str
        Zone codes, the matrix's columns.
    condition_texts : dict
        ``condition code -> text`` (optional table).
    code_map : list of (str, str)
        SIPD code prefix -> activity name, longest prefix first (optional).
    source : str
        Where the matrix came from.
    """

    cells: dict[tuple[str, str], Cell]
    activities: dict[str, str]
    categories: dict[str, str] = field(default_factory=dict)
    zone_codes: list[str] = field(default_factory=list)
    condition_texts: dict[str, str] = field(default_factory=dict)
    code_map: list[tuple[str, str]] = field(default_factory=list)
    source: str = "<frame>"

    @classmethod
    def from_frame(cls, df: pd.DataFrame, source: str = "<frame>") -> Rules:
        """Build rules from a table: ``category`` (optional), ``activity``, then zone columns.

        Parameters
        ----------
        df : pandas.DataFrame
            The matrix as read (all cells as text).
        source : str
            Name used in error messages.

        Raises
        ------
        RulesError
            Missing ``activity`` column, duplicate activities or zone columns,
            or a cell that is not an ITBX class (the message names row and column).
        """
        cols = [str(c).strip() for c in df.columns]
        lower = [c.lower() for c in cols]
        if "activity" not in lower:
            # Indonesian tables: 'Kegiatan' / 'Jenis Kegiatan' and 'Kategori'
            lower = ["activity" if c in ACTIVITY_HEADERS else ("category" if c == "kategori" else c) for c in lower]
        if "activity" not in lower:
            # the header is not quoted: a wrong file (a password file, a report) must not be echoed
            raise RulesError(_("{source}: no 'activity' column in the header row ({n} columns; expected 'category' (optional), 'activity', then one column per zone code)").format(source=source, n=len(cols)))
        a_idx = lower.index("activity")
        c_idx = lower.index("category") if "category" in lower else None
        zone_cols = [c for i, c in enumerate(cols) if i != a_idx and i != c_idx and not c.lower().startswith("unnamed:")]
        if not zone_cols:
            raise RulesError(_("{source}: no zone-code columns after 'activity'").format(source=source))
        raw = [str(c).strip() for c in df.attrs.get("header", [])]
        if len(raw) == len(cols):
            raw_zone = [c for i, c in enumerate(raw) if i != a_idx and i != c_idx and c and c.lower() != "nan"]
            dup = sorted({c for c in raw_zone if raw_zone.count(c) > 1})
        else:
            dup = sorted({c for c in zone_cols if zone_cols.count(c) > 1})
        if not dup:
            by_key: dict[str, list[str]] = {}
            for c in zone_cols:
                by_key.setdefault(zone_key(c), []).append(c)
            dup = sorted(" = ".join(repr(c) for c in v) for v in by_key.values() if len(v) > 1)
        if dup:
            raise RulesError(_("{source}: zone code column(s) repeated (codes differing only in case or blanks are one code): {dup}").format(source=source, dup=', '.join(dup)))
        cells: dict[tuple[str, str], Cell] = {}
        activities: dict[str, str] = {}
        categories: dict[str, str] = {}
        values = df.to_numpy(dtype=object)
        for r in range(len(df)):
            row_no = r + 2  # spreadsheet row (header = 1)
            name = values[r, a_idx]
            key = activity_key(name)
            if not key:
                if all(parse_cell(v) is None for v in values[r]):
                    continue  # wholly blank row
                raise RulesError(_("{source}: row {row_no} has cells but no activity name").format(source=source, row_no=row_no))
            if key in activities:
                raise RulesError(_("{source}: row {row_no}: activity '{name}' appears twice").format(source=source, row_no=row_no, name=name))
            activities[key] = str(name).strip()
            if c_idx is not None and values[r, c_idx] is not None and not pd.isna(values[r, c_idx]):
                categories[key] = str(values[r, c_idx]).strip()
            for j, col in enumerate(cols):
                if col not in zone_cols:
                    continue
                try:
                    cell = parse_cell(values[r, j])
                except ValueError as exc:
                    raise RulesError(_("{source}: row {row_no} ('{name}'), column '{col}': {exc}").format(source=source, row_no=row_no, name=name, col=col, exc=exc)) from None
                if cell is not None:
                    cells[(key, col)] = cell
        if not activities:
            raise RulesError(_("{source}: the matrix has no activity rows").format(source=source))
        return cls(cells=cells, activities=activities, categories=categories, zone_codes=zone_cols, source=source)

    def zone_column(self, code: object) -> str | None:
        """The matrix column for a zoning's zone code: the code itself, else the column that
        differs from it only in case or blanks (``'k'``, ``'R - 2'`` -> ``'K'``, ``'R-2'``); None when absent."""
        text = str(code)
        if text in self._columns:
            return text
        if getattr(self, "_keys", None) is None or len(self._keys) != len(self.zone_codes):
            self._keys = {zone_key(c): c for c in self.zone_codes}
        return self._keys.get(zone_key(text))

    @property
    def _columns(self) -> frozenset[str]:
        cols = getattr(self, "_colset", None)
        if cols is None or len(cols) != len(self.zone_codes):
            cols = self._colset = frozenset(self.zone_codes)
        return cols

    def suggest_zone(self, code: object) -> str | None:
        """The matrix column closest to an unknown zone code (difflib), for a "maksud Anda ...?" hint."""
        import difflib

        keys = {zone_key(c): c for c in self.zone_codes}
        close = difflib.get_close_matches(zone_key(code), list(keys), n=1, cutoff=0.6)
        return keys[close[0]] if close else None

    def suggest_activity(self, name: object) -> str | None:
        """The matrix activity closest to an unknown one (difflib), for a "maksud Anda ...?" hint.

        Parameters
        ----------
        name : object
            The activity as written in the program or on the command line.

        Returns
        -------
        str or None
            The activity name as the matrix writes it; None when the name is in the matrix or none is close.
        """
        import difflib

        key = activity_key(name)
        if not key or key in self.activities:
            return None
        cache = self.__dict__.setdefault("_suggested", {})
        if key not in cache:
            close = difflib.get_close_matches(key, list(self.activities), n=1, cutoff=0.75)
            cache[key] = self.activities[close[0]] if close else None
        return cache[key]

    def has_activity(self, name: object) -> bool:
        """Whether the matrix has a row for this activity."""
        return activity_key(name) in self.activities

    def cell(self, activity: object, zone_code: str) -> Cell | None:
        """The cell for (activity, zone code), ``None`` when blank or absent."""
        return self.cells.get((activity_key(activity), zone_code))

    def long(self) -> pd.DataFrame:
        """The matrix in long form: ``activity_key, zone_code, itbx, conditions, cell``."""
        rows = [(a, z, c.cls, ",".join(c.conditions), c.raw) for (a, z), c in self.cells.items()]
        return pd.DataFrame(rows, columns=["activity_key", "zone_code", "itbx", "conditions", "cell"])

    def activity_for_code(self, code: object) -> str | None:
        """The activity mapped to a SIPD code by the longest matching prefix, if any."""
        text = code_text(code)
        if not text:
            return None
        text = normalize_code(text)
        digits = text.isdigit()
        for prefix, act in self.code_map:
            if text == prefix or text.startswith(prefix + "."):
                return act
            if digits and prefix.isdigit() and text.startswith(prefix):
                return act  # dotless schemes (KBLI: five digits): a digit prefix
        return None


def code_text(code: object) -> str:
    """A code as text: blank for None/NaN, a whole float without its ``.0`` (``41011.0`` -> ``41011``)."""
    if code is None or code is pd.NA or (isinstance(code, float) and pd.isna(code)):
        return ""
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


def normalize_code(code: str) -> str:
    """SIPD code with the zero-padded kegiatan segment undone (``1.03.10.02.01`` -> ``1.03.10.2.01``)."""
    parts = code.strip().split(".")
    if len(parts) >= 4 and re.fullmatch(r"0\d", parts[3]):
        parts[3] = parts[3][1:]
    return ".".join(parts)


#: Suffixes a rules, conditions or code-mapping table may have.
RULE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


#: Header cells that name the activity column (the contract's name and the Indonesian one).
ACTIVITY_HEADERS = ("activity", "kegiatan", "jenis kegiatan")
#: How far down a sheet the header row is looked for (title rows above it are skipped).
HEADER_SEARCH_ROWS = 20


def _is_activity_header(cell: object) -> bool:
    return str(cell).strip().lower() in ACTIVITY_HEADERS


def _header_line(lines: list[str]) -> int:
    """Index of the first text line that holds an activity header cell (0 if none)."""
    for i, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        cells = [c.strip().strip('"').strip() for c in re.split(r"[,;\t|]", line)]
        if any(_is_activity_header(c) for c in cells):
            return i
    return 0


def _with_header(grid: pd.DataFrame) -> pd.DataFrame:
    """A sheet read without header: the first row holding an activity header becomes the header
    (title rows above it are skipped); repeated names get pandas' ``.1`` suffix, the raw row is kept."""
    row = 0
    for i in range(min(len(grid), HEADER_SEARCH_ROWS)):
        if any(_is_activity_header(c) for c in grid.iloc[i].tolist()):
            row = i
            break
    raw = ["" if (c is None or (isinstance(c, float) and pd.isna(c))) else str(c).strip() for c in grid.iloc[row].tolist()] if len(grid) else []
    seen: dict[str, int] = {}
    cols = []
    for k, c in enumerate(raw):
        name = c or f"Unnamed: {k}"
        n = seen.get(name, 0)
        seen[name] = n + 1
        cols.append(name if n == 0 else f"{name}.{n}")
    df = grid.iloc[row + 1 :].reset_index(drop=True)
    df.columns = cols
    df.attrs["header"] = raw
    return df


def _read_any(path: Path, what: str) -> pd.DataFrame:
    """A small table as text cells; ``attrs["header"]`` holds the header row as written
    (pandas renames a repeated column ``R-2`` to ``R-2.1``; the raw header keeps it)."""
    from sppr_gis.io.tables import sniff_table

    if not path.exists():
        raise InputError(_("{path}: {what} file not found").format(path=path, what=what))
    if path.is_dir() or path.suffix.lower() not in RULE_SUFFIXES | {".xls"}:
        raise InputError(_("{path}: the {what} must be a CSV or XLSX file").format(path=path, what=what))
    kind = sniff_table(path)
    try:
        if kind == "xlsx":
            grid = pd.read_excel(path, dtype=object, engine="openpyxl", header=None)
            return _with_header(grid)
        for enc in ["utf-16"] if kind == "utf-16" else ["utf-8-sig", "cp1252"]:
            try:
                lines = path.read_text(encoding=enc).splitlines()
                skip = _header_line(lines)
                df = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=enc, skiprows=skip)
                head = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=enc, header=None, nrows=1, skiprows=skip)
                df.attrs["header"] = [str(c).strip() for c in head.iloc[0].tolist()] if len(head) else []
                return df
            except UnicodeDecodeError:
                continue
    except Exception as exc:
        raise InputError(_("{path}: cannot read the {what} ({kind}; is it a CSV or XLSX table?)").format(path=path, what=what, kind=type(exc).__name__)) from None
    raise InputError(_("{path}: the {what} is neither UTF-8 nor cp1252 text").format(path=path, what=what))


def _two_columns(path: Path, what: str, first: str, second: str) -> tuple[pd.Series, pd.Series]:
    """Columns ``first`` and ``second`` (case-insensitive) of a small table, or a RulesError."""
    df = _read_any(path, what)
    lower = {str(c).strip().lower(): c for c in df.columns}
    if first not in lower or second not in lower:
        raise RulesError(_("{path}: the {what} needs columns '{first}' and '{second}'").format(path=path, what=what, first=first, second=second))
    return df[lower[first]], df[lower[second]]


def read_rules(
    path: str | Path,
    *,
    conditions: str | Path | None = None,
    code_map: str | Path | None = None,
) -> Rules:
    """Read an ITBX matrix from CSV or XLSX, with optional condition texts and code mapping.

    Parameters
    ----------
    path : str or Path
        The matrix: ``category`` (optional), ``activity``, then one column per zone code.
    conditions : str or Path, optional
        Table with columns ``kode`` and ``uraian`` (condition code -> text).
    code_map : str or Path, optional
        Table with columns ``kode`` and ``activity`` mapping SIPD codes (or their
        prefixes, longest wins) to activities; an activity the matrix lacks is
        allowed (its programs become ``perlu_kajian``). Codes are read as text
        (leading zeros kept). A dotted prefix matches at ``.`` boundaries
        (``1.03`` maps ``1.03.10``, not ``1.030``); a prefix of digits only
        matches any code of digits only that begins with it (KBLI: ``41`` maps
        ``41011``).

    Returns
    -------
    Rules

    Raises
    ------
    InputError, RulesError
    """
    path = Path(path)
    rules = Rules.from_frame(_read_any(path, _("ITBX matrix")), source=str(path))
    if conditions is not None:
        kodes, texts = _two_columns(Path(conditions), _("condition table"), "kode", "uraian")
        rules.condition_texts = {str(k).strip().upper(): str(v).strip() for k, v in zip(kodes, texts) if str(k).strip()}
    if code_map is not None:
        mpath = Path(code_map)
        kodes, acts = _two_columns(mpath, _("code mapping"), "kode", "activity")
        pairs = []
        for r, (k, a) in enumerate(zip(kodes, acts)):
            if not str(k).strip():
                continue
            if not str(a).strip() or str(a).strip().lower() == "nan":
                raise RulesError(_("{mpath}: row {row}: code '{k}' has no activity").format(mpath=mpath, row=r + 2, k=k))
            # An activity the matrix lacks is allowed: such programs are assessed
            # as perlu_kajian and reported, like any activity missing from the matrix.
            pairs.append((normalize_code(code_text(k)), str(a).strip()))
        rules.code_map = sorted(pairs, key=lambda p: -len(p[0]))
    return rules


def _joined_letters(letters: list[str]) -> str:
    """The distinct class letters of a cell in the order written, joined for a sentence (``X and T``)."""
    distinct = list(dict.fromkeys(letters))
    return _("{first} and {last}").format(first=", ".join(distinct[:-1]), last=distinct[-1])
