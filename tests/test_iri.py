"""kg.iri: minted IRIs are deterministic, NFKC-stable, distinct, and survive Turtle,
N-Triples and SPARQL whatever the name contains."""
from __future__ import annotations

import re
import unicodedata

import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDFS, Literal, URIRef
from rdflib.compare import isomorphic

from kg import iri
from kg.rdf import KG
from kg.vocab import ENTITY_TYPES

# Any Unicode scalar value (surrogates cannot be encoded), biased towards the troublemakers.
HOSTILE = list(' \t\n\r<>"\'\\{}|^`（）【】“”《》「」·・　\u200b\ufeff😀👮‍♂️#%/?&;:')
names = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(HOSTILE)),
                min_size=1, max_size=30)
types = st.sampled_from(ENTITY_TYPES)
SAFE_IRI = re.compile(r"^https://w3id\.org/gongan-kg/id/[a-z]+/[0-9a-f]+(-\d+)?$")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(types, names)
def test_deterministic_and_safe(type_, name):
    a = iri.entity(iri.entity_key(type_, name))
    assert a == iri.entity(iri.entity_key(type_, name))
    assert SAFE_IRI.match(str(a)), a
    assert str(a).split("/")[-2] == type_.lower()


@FAST
@given(types, names)
def test_nfkc_equivalent_names_share_an_iri(type_, name):
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        variant = unicodedata.normalize(form, name)
        assert iri.entity(iri.entity_key(type_, variant)) == iri.entity(iri.entity_key(type_, name))


def test_nfkc_examples():
    # full-width letters and digits, compatibility forms, folded white space
    assert iri.entity(iri.entity_key("Case", "“７·１２”专案")) == iri.entity(iri.entity_key("Case", "“7·12”专案"))
    assert iri.entity(iri.entity_key("Bureau", "永康市 公安局")) == iri.entity(iri.entity_key("Bureau", "永康市\u3000公安局"))


@FAST
@given(types, names, names)
def test_different_names_differ(type_, a, b):
    if iri.normalise(a) != iri.normalise(b):
        assert iri.entity(iri.entity_key(type_, a)) != iri.entity(iri.entity_key(type_, b))


@FAST
@given(st.sampled_from(ENTITY_TYPES), st.sampled_from(ENTITY_TYPES), names)
def test_different_types_differ(t1, t2, name):
    if t1 != t2:
        assert iri.entity(iri.entity_key(t1, name)) != iri.entity(iri.entity_key(t2, name))


@FAST
@given(names, st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12))
def test_article_scoped_names_differ_from_global_ones(name, doc_id):
    assert iri.entity(iri.entity_key("Person", name, doc_id)) != iri.entity(iri.entity_key("Person", name))


def test_pipe_in_name_does_not_collide_with_article_scope():
    assert (iri.entity(iri.entity_key("Person", "徐某|001"))
            != iri.entity(iri.entity_key("Person", "徐某", "001")))
    assert (iri.entity(iri.entity_key("Person", "徐某｜001"))   # full-width: NFKC makes it '|'
            != iri.entity(iri.entity_key("Person", "徐某", "001")))


@FAST
@given(names, names, st.integers(0, 10_000))
def test_other_minters_are_distinct_and_safe(doc_a, doc_b, index):
    minted = [iri.article(doc_a), iri.sentence(doc_a, index), iri.article_graph(doc_a),
              iri.mention("Person|x", doc_a, index, doc_b), iri.evidence("a", "memberOf", "b", doc_a, index)]
    assert all(SAFE_IRI.match(str(m)) for m in minted), minted
    assert len(set(minted)) == len(minted)
    if iri.normalise(doc_a) != iri.normalise(doc_b):
        assert iri.article(doc_a) != iri.article(doc_b)
        assert iri.sentence(doc_a, index) != iri.sentence(doc_b, index)


def _graph(type_, name) -> tuple[rdflib.Graph, URIRef]:
    s = URIRef(iri.entity(iri.entity_key(type_, name)))
    g = rdflib.Graph()
    g.add((s, RDFS.label, Literal(name, lang="zh")))
    g.add((s, rdflib.RDF.type, KG[type_]))
    g.add((URIRef(iri.mention(iri.entity_key(type_, name), "doc", 3, name)), KG.denotes, s))
    return g, s


@FAST
@given(types, names)
def test_round_trip_turtle_and_ntriples(type_, name):
    g, _ = _graph(type_, name)
    for fmt in ("turtle", "nt"):
        data = g.serialize(format=fmt, encoding="utf-8")
        back = rdflib.Graph().parse(data=data, format=fmt)
        assert isomorphic(g, back), (fmt, data)


@FAST
@given(types, names)
def test_sparql_finds_the_iri(type_, name):
    g, s = _graph(type_, name)
    rows = list(g.query(f"SELECT ?l WHERE {{ <{s}> <{RDFS.label}> ?l }}"))
    assert [str(r[0]) for r in rows] == [name]
    rows = list(g.query(f"SELECT ?m WHERE {{ ?m <{KG.denotes}> <{s}> }}"))
    assert len(rows) == 1
