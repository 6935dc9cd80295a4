"""Loading the resource files under kg/resources/: lexicons, patterns and cue words are data.

Every loader validates as it reads and raises ResourceError naming the file and line.
Files are UTF-8; blank lines and lines starting with # are ignored.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ResourceError

RESOURCE_DIR = Path(str(resources.files("kg") / "resources"))


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


@lru_cache(maxsize=None)
def table(name: str, columns: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    """A tab-separated table with the given columns (the last may be empty)."""
    rows = []
    for p, n, line in _lines(name):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) == len(columns) - 1:
            cells.append("")
        if len(cells) != len(columns):
            raise ResourceError(f"{p}:{n}: expected {len(columns)} tab-separated columns "
                                f"({', '.join(columns)}), found {len(cells)}")
        rows.append(dict(zip(columns, cells)))
    return tuple(rows)


@lru_cache(maxsize=None)
def patterns(name: str) -> tuple[dict, ...]:
    """JSON Lines of pattern objects; each must have a compilable "pattern" regex."""
    out = []
    for p, n, line in _lines(name):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ResourceError(f"{p}:{n}: invalid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or "pattern" not in obj:
            raise ResourceError(f"{p}:{n}: expected an object with a \"pattern\" key")
        try:
            obj["regex"] = re.compile(obj["pattern"])
        except re.error as e:
            raise ResourceError(f"{p}:{n}: bad regular expression ({e})") from None
        out.append(obj)
    return tuple(out)


def alternation(entries, *, longest_first: bool = True) -> str:
    """A regex alternation of literal entries, longest first so the fullest form wins."""
    return _alternation(tuple(entries), longest_first)


@lru_cache(maxsize=1024)
def _alternation(entries: tuple[str, ...], longest_first: bool) -> str:
    items = sorted(set(entries), key=lambda s: (-len(s), s)) if longest_first else list(entries)
    return "|".join(re.escape(e) for e in items)
