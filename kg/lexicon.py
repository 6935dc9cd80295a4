"""Loading the resource files under kg/resources/: lexicons, patterns and cue words are data.

Every loader validates as it reads and raises ResourceError naming the file and line.
Files are UTF-8; blank lines and lines starting with # are ignored.  The columns of the tables
(.tsv) and the keys of the pattern files (.jsonl), with their allowed values, are declared once
in kg/resources/SCHEMA.tsv; a file not declared there loads unchecked.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ResourceError
from .paths import resource_dir

RESOURCE_DIR = resource_dir()
SCHEMA = "SCHEMA.tsv"


def _path(name: str) -> Path:
    p = RESOURCE_DIR / name
    if not p.is_file():
        raise ResourceError(f"{p}: resource file is missing")
    return p


def _lines(name: str):
    p = _path(name)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ResourceError(f"{p}: not UTF-8 ({e})") from None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield p, n, line


@lru_cache(maxsize=None)
def words(name: str) -> tuple[str, ...]:
    """One entry per line (a word list).  Duplicates are an error: they hide typos."""
    seen: dict[str, int] = {}
    for p, n, line in _lines(name):
        if line in seen:
            raise ResourceError(f"{p}:{n}: duplicate entry {line!r} (first on line {seen[line]})")
        if any(ch.isspace() for ch in line):
            raise ResourceError(f"{p}:{n}: entry {line!r} contains white space")
        seen[line] = n
    return tuple(seen)


@dataclass(frozen=True)
class Column:
    name: str
    values: frozenset[str] | None   # the allowed words; None = any text
    boolean: bool = False           # JSON true/false
    integer: bool = False           # a whole number (JSON number, or digits in a .tsv cell)
    optional: bool = False          # the cell may be empty (.tsv), the key absent (.jsonl)

    def check(self, value, where: str) -> None:
        if value is None or value == "":
            if not self.optional:
                raise ResourceError(f"{where}: {self.name} is empty")
        elif self.boolean:
            if not isinstance(value, bool):
                raise ResourceError(f"{where}: {self.name} must be true or false, found {value!r}")
        elif self.integer:
            if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
                raise ResourceError(f"{where}: {self.name} must be a whole number, found {value!r}")
        elif not isinstance(value, str):
            raise ResourceError(f"{where}: {self.name} must be text, found {value!r}")
        elif self.values is not None and value not in self.values:
            raise ResourceError(f"{where}: {self.name} {value!r} is not one of "
                                f"{', '.join(sorted(self.values))}")


def _column(name: str, spec: str, where: str) -> Column:
    optional = spec.endswith("?")
    spec = spec.removesuffix("?")
    if spec == "text":
        return Column(name, None, optional=optional)
    if spec == "bool":
        return Column(name, None, boolean=True, optional=optional)
    if spec == "int":
        return Column(name, None, integer=True, optional=optional)
    words_ = spec.split("|")
    if not spec or not all(w and not any(ch.isspace() for ch in w) for w in words_):
        raise ResourceError(f"{where}: bad values {spec!r} (text, bool, int or a|b|c, with an optional ?)")
    return Column(name, frozenset(words_), optional=optional)


@lru_cache(maxsize=None)
def schema() -> dict[str, tuple[Column, ...]]:
    """The declared columns of each table, file name -> columns in order (SCHEMA.tsv)."""
    out: dict[str, list[Column]] = {}
    for p, n, line in _lines(SCHEMA):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 3 or not all(cells):
            raise ResourceError(f"{p}:{n}: expected file<TAB>column<TAB>values")
        file, col, spec = cells
        cols = out.setdefault(file, [])
        if any(c.name == col for c in cols):
            raise ResourceError(f"{p}:{n}: column {col!r} of {file} declared twice")
        cols.append(_column(col, spec, f"{p}:{n}"))
    return {f: tuple(c) for f, c in out.items()}


def columns(name: str) -> tuple[str, ...] | None:
    """The declared column names of a resource table, or None when it is not declared."""
    cols = schema().get(name)
    return tuple(c.name for c in cols) if cols else None


@lru_cache(maxsize=None)
def table(name: str, columns: tuple[str, ...] | None = None) -> tuple[dict[str, str], ...]:
    """A tab-separated table (empty trailing cells may be left out).  Its columns and their allowed
    values come from SCHEMA.tsv; `columns`, when given, must agree with the declaration (or
    names the columns of an undeclared table)."""
    declared = schema().get(name)
    if declared is not None:
        names = tuple(c.name for c in declared)
        if columns is not None and tuple(columns) != names:
            raise ResourceError(f"{RESOURCE_DIR / SCHEMA}: {name} is declared with columns "
                                f"({', '.join(names)}), the code reads ({', '.join(columns)})")
        columns = names
    elif columns is None:
        raise ResourceError(f"{RESOURCE_DIR / name}: no columns declared in {SCHEMA}")
    rows = []
    for p, n, line in _lines(name):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < len(columns):
            cells += [""] * (len(columns) - len(cells))   # empty trailing cells (checked below)
        if len(cells) != len(columns):
            raise ResourceError(f"{p}:{n}: expected {len(columns)} tab-separated columns "
                                f"({', '.join(columns)}), found {len(cells)}")
        for col, cell in zip(declared or (), cells):
            col.check(cell, f"{p}:{n}")
        rows.append(dict(zip(columns, cells)))
    return tuple(rows)


@lru_cache(maxsize=None)
def patterns(name: str) -> tuple[dict, ...]:
    """JSON Lines of pattern objects; each must have a compilable "pattern" regex."""
    declared = schema().get(name)
    out = []
    for p, n, line in _lines(name):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ResourceError(f"{p}:{n}: invalid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or "pattern" not in obj:
            raise ResourceError(f"{p}:{n}: expected an object with a \"pattern\" key")
        if declared is not None:
            unknown = sorted(set(obj) - {c.name for c in declared})
            if unknown:
                raise ResourceError(f"{p}:{n}: unknown key {unknown[0]!r} (declared in {SCHEMA}: "
                                    f"{', '.join(c.name for c in declared)})")
            for col in declared:
                col.check(obj.get(col.name), f"{p}:{n}")
        try:
            obj["regex"] = re.compile(obj["pattern"])
        except re.error as e:
            raise ResourceError(f"{p}:{n}: bad regular expression ({e})") from None
        out.append(obj)
    return tuple(out)


def load(name: str):
    """Any resource file by its kind: .txt a word list, .tsv a declared table, .jsonl patterns."""
    if name == SCHEMA:
        return schema()
    suffix = Path(name).suffix
    if suffix == ".txt":
        return words(name)
    if suffix == ".tsv":
        return table(name)
    if suffix == ".jsonl":
        return patterns(name)
    raise ResourceError(f"{RESOURCE_DIR / name}: unknown kind of resource file")


def translator(table: dict[int, str | int | None]):
    """str.translate(table) as a function that first looks for a character of the table (a
    regex scan) and returns text holding none unchanged: most text holds none, and translate
    looks up every character."""
    if not table:
        return lambda text: text
    needs = re.compile("[%s]" % "".join(re.escape(chr(c)) for c in table))

    def translate(text: str) -> str:
        return text.translate(table) if needs.search(text) else text
    return translate


def alternation(entries, *, longest_first: bool = True) -> str:
    """A regex alternation of literal entries, longest first so the fullest form wins."""
    return _alternation(tuple(entries), longest_first)


@lru_cache(maxsize=1024)
def _alternation(entries: tuple[str, ...], longest_first: bool) -> str:
    items = sorted(set(entries), key=lambda s: (-len(s), s)) if longest_first else list(entries)
    return "|".join(re.escape(e) for e in items)


# The article's place forms are one alternation embedded in several grammars (posts, organs):
# compiling such a grammar per article spent most of its time re-parsing the fixed parts.
# A Slotted pattern is parsed once with a placeholder; each fill parses only the alternation,
# copies the path from the root to each placeholder and compiles the result.  The Pattern is
# the one re.compile(template with the slot replaced) gives (tests/test_lexicon.py); where the
# re module's internals differ from what this expects, it falls back to re.compile.
SLOT = "\ue000"   # private use: never in a template's own text

try:
    import _sre
    from re import _compiler, _parser
    _SLOT_ITEM = (_parser.LITERAL, ord(SLOT))   # the slot in a parse tree
except ImportError:   # pragma: no cover - another Python
    _sre = _compiler = _parser = None


class Slotted:
    """A regex template with SLOT where an alternation goes, each occurrence the whole body of a
    group: `(?:SLOT)` or `(?P<name>SLOT)`.  `compile(alt)` = re.compile(template with alt)."""

    def __init__(self, template: str):
        if re.search(rf"(?<!\(\?:)(?<!>){SLOT}|{SLOT}(?!\))", template):
            raise ValueError("the slot must be the whole body of a group")
        self.template = template
        self._tree = None
        if _parser is not None and SLOT in template:
            try:
                tree = _parser.parse(template)
                self._holes, found = self._paths(tree)
                if found == template.count(SLOT) and _SLOT_ITEM not in tree.data:
                    self._tree = tree
                    # the code of the top-level parts without a slot is the same in every fill
                    self._static = {}
                    for i, item in enumerate(tree.data):
                        if id(item) not in self._holes:
                            self._static[i] = code = []
                            _compiler._compile(code, [item], tree.state.flags)
            except Exception:   # pragma: no cover - internals changed
                self._tree = None

    @staticmethod
    def _paths(tree) -> tuple[set[int], int]:
        """ids of the objects of the parse tree that contain a slot literal, and the number of
        slot literals that are items of a SubPattern (where a fill puts the alternation)."""
        holes: set[int] = set()
        count = 0

        def walk(x) -> bool:
            nonlocal count
            sub = isinstance(x, _parser.SubPattern)
            if not (sub or isinstance(x, (tuple, list))):
                return False
            found = False
            for item in x.data if sub else x:
                if sub and item == _SLOT_ITEM:
                    count += 1
                    found = True
                elif walk(item):
                    found = True
            if found:
                holes.add(id(x))
            return found
        walk(tree)
        return holes, count

    def compile(self, alt: str) -> re.Pattern:
        source = self.template.replace(SLOT, alt)
        if self._tree is None:
            return re.compile(source)
        filler = _parser.parse(alt)
        if filler.state.groups != 1 or filler.state.flags & ~re.UNICODE or filler.state.grouprefpos:
            return re.compile(source)
        items, holes = filler.data, self._holes

        def fill(x):
            if id(x) not in holes:
                return x
            if isinstance(x, _parser.SubPattern):
                data = []
                for item in x.data:
                    if item == _SLOT_ITEM:
                        data += items
                    else:
                        data.append(fill(item))
                return _parser.SubPattern(x.state, data)
            return type(x)(fill(y) for y in x)
        p = fill(self._tree)
        state = p.state
        code: list[int] = []   # what _compiler._code(p, 0) gives, the fixed parts copied
        _compiler._compile_info(code, p, state.flags)
        for i, item in enumerate(p.data):
            if i in self._static:
                code += self._static[i]
            else:
                _compiler._compile(code, [item], state.flags)
        code.append(_compiler.SUCCESS)
        indexgroup = [None] * state.groups
        for k, i in state.groupdict.items():
            indexgroup[i] = k
        return _sre.compile(source, state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup))
