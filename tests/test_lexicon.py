"""Resource files are validated on load, with file and line in the error."""
from __future__ import annotations

import re

import pytest

from kg import lexicon
from kg.errors import ResourceError


CACHED = (lexicon.words, lexicon.table, lexicon.patterns, lexicon.schema)


@pytest.fixture
def resdir(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon, "RESOURCE_DIR", tmp_path)
    (tmp_path / "SCHEMA.tsv").write_text("# none\n", encoding="utf-8")
    for f in CACHED:
        f.cache_clear()
    yield tmp_path
    for f in CACHED:
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
    for f in CACHED:
        f.cache_clear()
    files = sorted(f.name for f in lexicon.RESOURCE_DIR.iterdir() if f.is_file())
    assert {n.rsplit(".", 1)[-1] for n in files} == {"txt", "tsv", "jsonl"}
    for name in files:
        assert lexicon.load(name), name


def test_every_table_is_declared():
    """Each .tsv table (and each .jsonl pattern file) has its columns in SCHEMA.tsv, and every
    declaration names a shipped file."""
    files = {f.name for f in lexicon.RESOURCE_DIR.iterdir() if f.suffix in (".tsv", ".jsonl")}
    files.discard(lexicon.SCHEMA)
    declared = set(lexicon.schema())
    assert files - declared == set(), "declare these in kg/resources/SCHEMA.tsv"
    assert declared - files == set(), "SCHEMA.tsv declares files that do not exist"


SCHEMA = ("t.tsv\thead\ttext\nt.tsv\tkind\tstrong|weak\n"
          "p.jsonl\tpattern\ttext\np.jsonl\tkind\ta|b\np.jsonl\tlist\tbool?\n")


def test_enum_typo_names_file_and_line(resdir):
    (resdir / "SCHEMA.tsv").write_text(SCHEMA, encoding="utf-8")
    (resdir / "t.tsv").write_text("# c\n甲\tstrong\n乙\tstorng\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"t\.tsv:3: kind 'storng' is not one of strong, weak"):
        lexicon.table("t.tsv")


def test_declared_columns_are_used_and_checked(resdir):
    (resdir / "SCHEMA.tsv").write_text(SCHEMA, encoding="utf-8")
    (resdir / "t.tsv").write_text("甲\tweak\n", encoding="utf-8")
    assert lexicon.table("t.tsv") == ({"head": "甲", "kind": "weak"},)
    assert lexicon.table("t.tsv", ("head", "kind")) == lexicon.table("t.tsv")
    with pytest.raises(ResourceError, match=r"SCHEMA\.tsv: t\.tsv is declared with columns \(head, kind\)"):
        lexicon.table("t.tsv", ("head", "strength"))
    (resdir / "e.tsv").write_text("甲\n", encoding="utf-8")
    (resdir / "SCHEMA.tsv").write_text(SCHEMA.replace("t.tsv", "e.tsv"), encoding="utf-8")
    lexicon.schema.cache_clear()
    with pytest.raises(ResourceError, match=r"e\.tsv:1: kind is empty"):
        lexicon.table("e.tsv")


def test_undeclared_table_loads_as_asked(resdir):
    (resdir / "u.tsv").write_text("甲\tanything\n", encoding="utf-8")
    assert lexicon.table("u.tsv", ("a", "b")) == ({"a": "甲", "b": "anything"},)
    with pytest.raises(ResourceError, match="no columns declared"):
        lexicon.table("u.tsv")


def test_jsonl_keys_and_values(resdir):
    (resdir / "SCHEMA.tsv").write_text(SCHEMA, encoding="utf-8")
    (resdir / "p.jsonl").write_text('{"pattern": "x", "kind": "a", "list": true}\n{"pattern": "y", "kind": "a"}\n',
                                    encoding="utf-8")
    assert len(lexicon.patterns("p.jsonl")) == 2
    for bad, msg in (('{"pattern": "x", "kind": "c"}', r"p\.jsonl:2: kind 'c' is not one of a, b"),
                     ('{"pattern": "x"}', r"p\.jsonl:2: kind is empty"),
                     ('{"pattern": "x", "kind": "a", "list": "yes"}', r"p\.jsonl:2: list must be true or false"),
                     ('{"pattern": "x", "kind": "a", "wy": "?"}', r"p\.jsonl:2: unknown key 'wy'")):
        (resdir / "p.jsonl").write_text('{"pattern": "z", "kind": "b"}\n' + bad + "\n", encoding="utf-8")
        lexicon.patterns.cache_clear()
        with pytest.raises(ResourceError, match=msg):
            lexicon.patterns("p.jsonl")


def test_bad_schema_line(resdir):
    (resdir / "SCHEMA.tsv").write_text("# c\nt.tsv\thead\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"SCHEMA\.tsv:2: expected file<TAB>column<TAB>values"):
        lexicon.schema()
    (resdir / "SCHEMA.tsv").write_text("t.tsv\thead\ta b|c\n", encoding="utf-8")
    lexicon.schema.cache_clear()
    with pytest.raises(ResourceError, match=r"SCHEMA\.tsv:1: bad values"):
        lexicon.schema()


# Slotted: the grammars that take an article's place forms, compiled without re-parsing

from hypothesis import given, settings, strategies as st  # noqa: E402

_forms = st.lists(st.text(alphabet="永康金华市县区东阳a.|(*?", min_size=1, max_size=5), max_size=8)


def _grammars():
    from kg.extract import bureaus, orgs, people
    return [people._post_grammar(), bureaus._explicit(), orgs._head_grammar(),
            lexicon.Slotted(f"x(?:{lexicon.SLOT})|(?P<a>{lexicon.SLOT})+y(?>{lexicon.SLOT})")]


@settings(max_examples=60, deadline=None)
@given(forms=_forms)
def test_slotted_compiles_the_pattern_re_compile_gives(forms):
    alt = lexicon.alternation(forms) if forms else "(?!)"
    for g in _grammars():
        assert g._tree is not None   # the fast path is taken on this Python
        got = g.compile(alt)
        want = re.compile(g.template.replace(lexicon.SLOT, alt))
        assert got == want   # same source, flags and compiled code
        assert got.groupindex == want.groupindex


def test_slotted_falls_back_on_a_filler_with_groups():
    g = lexicon.Slotted(f"(?P<p>{lexicon.SLOT})市")
    got = g.compile("(永康)|金华")
    assert got == re.compile("(?P<p>(永康)|金华)市") and got.groups == 2


def test_slot_must_be_a_whole_group_body():
    with pytest.raises(ValueError):
        lexicon.Slotted(f"a{lexicon.SLOT}b")
    with pytest.raises(ValueError):
        lexicon.Slotted(f"(?:{lexicon.SLOT}|b)")


def test_slot_at_the_top_level_compiles_as_re_does():
    g = lexicon.Slotted(f"(?:{lexicon.SLOT})x")
    assert g.compile("永康|金华") == re.compile("(?:永康|金华)x")
