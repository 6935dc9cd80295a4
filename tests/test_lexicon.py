"""Resource files are validated on load, with file and line in the error."""
from __future__ import annotations

import pytest

from kg import lexicon
from kg.errors import ResourceError


@pytest.fixture
def resdir(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon, "RESOURCE_DIR", tmp_path)
    for f in (lexicon.words, lexicon.table, lexicon.patterns):
        f.cache_clear()
    yield tmp_path
    for f in (lexicon.words, lexicon.table, lexicon.patterns):
        f.cache_clear()


def test_duplicate_word_names_file_and_line(resdir):
    (resdir / "w.txt").write_text("# c\n甲\n乙\n甲\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"w\.txt:4: duplicate"):
        lexicon.words("w.txt")


def test_table_column_count(resdir):
    (resdir / "t.tsv").write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"t\.tsv:1: expected 2"):
        lexicon.table("t.tsv", ("x", "y"))


def test_bad_regex_and_bad_json(resdir):
    (resdir / "p.jsonl").write_text('{"pattern": "("}\n', encoding="utf-8")
    with pytest.raises(ResourceError, match=r"p\.jsonl:1: bad regular expression"):
        lexicon.patterns("p.jsonl")
    (resdir / "q.jsonl").write_text('{"pattern": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ResourceError, match=r"q\.jsonl:2: invalid JSON"):
        lexicon.patterns("q.jsonl")


def test_missing_file(resdir):
    with pytest.raises(ResourceError, match="missing"):
        lexicon.words("absent.txt")


def test_shipped_resources_all_load():
    lexicon.words.cache_clear()
    for f in lexicon.RESOURCE_DIR.iterdir():
        if f.suffix == ".txt":
            assert lexicon.words(f.name)
        elif f.suffix == ".jsonl":
            assert lexicon.patterns(f.name)
