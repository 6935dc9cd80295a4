"""Fuzzing extraction with mutated articles (issue 9): quotes, brackets, control, zero-width and
RTL characters, emoji, long repetitions, truncation and shuffled lines never raise, every
mention points inside the article, and the work stays within a budget per character (counted
in steps, not seconds)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import extract_document, warm_up
from kg.ingest import document_from_text
from kg.workstore import unpack_turtle

from test_extract_bounds import steps

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
ARTICLES = [p.read_text(encoding="utf-8") for p in SEEDS]

INSERTS = ['"', "'", "“", "”", "‘", "’", "《", "》", "（", "）", "(", ")", "【", "】", "「", "」",
           "\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x85", "\u200b", "\u200d", "\u2028", "\u202e",
           "\u2066", "\ufeff", "\ufffd", "😀", "👮‍♂️", "🇨🇳", "\r", "\n", "\n\n", "\t", "\u3000", "。", "，",
           "、", "：", "·", "—", "…", "...", "某", "局长", "公安局", "派出所", "专项行动", "记者", "“7·12”案",
           "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(ARTICLES))
    if draw(st.booleans()):
        lines = text.split("\n")
        text = "\n".join(draw(st.permutations(lines)))
    for _ in range(draw(st.integers(1, 6))):
        k = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "insert", "repeat", "truncate", "end after a title"]))
        if op == "insert":
            text = text[:k] + draw(st.sampled_from(INSERTS)) * draw(st.sampled_from([1, 1, 2, 7, 60])) + text[k:]
        elif op == "repeat":
            j = min(len(text), k + draw(st.integers(1, 12)))
            text = text[:k] + text[k:j] * draw(st.integers(2, 40)) + text[j:]
        elif op == "truncate":
            text = text[:k]
        else:   # a line, or the article, ends right after a post title or a role
            ends = [m.end() for m in re.finditer("局长|书记|民警|所长|记者|政委|主任", text)]
            if ends:
                e = ends[k % len(ends)]
                text = text[:e] + draw(st.sampled_from(["", "\n", "\n\n", "：", " "])) + text[e:] * draw(st.booleans())
    return text


@pytest.fixture(scope="module", autouse=True)
def _warm():
    warm_up()


def _run(text):
    return extract_document(document_from_text(text, doc_id="x"))


def _per_article_patterns():
    """The caches of the patterns made for an article's place names."""
    from kg.extract import bureaus, context, orgs, people
    return (people._post_regex, bureaus._explicit_re, context._place_rx, orgs._head_rx, orgs._prefix_rx)


def _cold(fn, text) -> int:
    """Steps of fn(text) with the article's place-name patterns made afresh (patterns a process
    compiles once, on first use, are not the article's work: a first call warms them)."""
    fn(text)
    for cached in _per_article_patterns():
        cached.cache_clear()
    return steps(fn, text)


def _budget() -> tuple[float, int]:
    """Steps per character of the seeds as written, and the fixed work of an article (its
    place names' patterns compiled afresh), with generous margins."""
    per_char = max(steps(_run, a) / len(a) for a in ARTICLES)
    fixed = _cold(_run, "湖州市公安局。")
    return 4 * per_char, 3 * fixed


@pytest.fixture(scope="module")
def budget():
    return _budget()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_articles(text, budget):
    doc = document_from_text(text, doc_id="x")
    result = None

    def go(t):
        nonlocal result
        result = extract_document(doc)
    work = _cold(go, text)
    per_char, fixed = budget
    assert work <= per_char * len(text) + fixed
    for m in result.mentions:
        assert (m.start, m.end) == (-1, -1) or 0 <= m.start <= m.end <= len(doc.text)
        assert m.name and m.type


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(mutated(), min_size=1, max_size=3),
       encoding=st.sampled_from(["utf-8", "gb18030", "utf-16-le", "utf-16"]))
def test_mutated_articles_through_the_whole_pipeline(texts, encoding):
    """Bytes in any encoding -> the map step -> the merged graph: no exception, and every
    output parses with rdflib and with Oxigraph."""
    import pyoxigraph as ox
    import rdflib

    from kg import rdf
    from kg.model import ArticlePart, Failure
    from kg.pipeline import graph_bytes, process_article

    results = []
    for i, text in enumerate(texts):
        data = text.encode(encoding, errors="replace")
        part = process_article(data, f"f{i}.txt", f"f{i}")
        assert isinstance(part, (ArticlePart, Failure))
        if isinstance(part, Failure):
            assert part.stage == "read", part   # only unreadable bytes may fail
            continue
        list(ox.parse(rdf.HEADER + unpack_turtle(part), format=ox.RdfFormat.TURTLE))
        results.append(extract_document(document_from_text(data.decode(encoding, errors="replace"), doc_id=f"f{i}")))
    ttl, trig = graph_bytes(results)
    rdflib.Graph().parse(data=ttl, format="turtle")
    rdflib.Dataset().parse(data=trig, format="trig")
    list(ox.parse(trig, format=ox.RdfFormat.TRIG))
