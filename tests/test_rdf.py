"""Golden Turtle: a fixed article gives these exact bytes (regenerate with KG_UPDATE_GOLDEN=1)."""
from __future__ import annotations

import os
from pathlib import Path

import rdflib

from kg import iri, rdf
from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.pipeline import graph_bytes

GOLDEN = Path(__file__).parent / "data" / "golden"
ARTICLE = ("宁波公安开展“净网2023”专项行动\n\n记者 周明\n\n"
           "今年以来，市公安局网安支队开展“净网2023”专项行动，成功侦破“3·15”特大网络诈骗案，"
           "得到宁波市委书记孙立新的批示肯定。北仑分局获评全国优秀公安局。\n")


def _result():
    return extract_document(document_from_text(ARTICLE, doc_id="golden"))


def test_turtle_matches_golden():
    data = graph_bytes([_result()])[0]
    path = GOLDEN / "article.ttl"
    if os.environ.get("KG_UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes(), "Turtle changed: review, then KG_UPDATE_GOLDEN=1 pytest tests/test_rdf.py"


def test_turtle_and_trig_round_trip():
    import rdflib.compare

    ttl, trig = graph_bytes([_result()])
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    ds = rdflib.Dataset().parse(data=trig, format="trig")
    part = rdf.article_part(_result())
    named = [c for c in ds.graphs() if str(c.identifier) == str(iri.article_graph("golden"))]
    assert named and len(named[0]) == len({e[:4] for e in part.evidence}) > 0
    assert rdflib.compare.isomorphic(ds.default_graph, g)


def test_article_order_does_not_change_the_bytes():
    a = extract_document(document_from_text(ARTICLE, doc_id="a"))
    b = extract_document(document_from_text("湖州市公安局开展“净网2022”专项行动。", doc_id="b"))
    assert graph_bytes([a, b]) == graph_bytes([b, a])


def test_every_fact_has_evidence_and_parses():
    g = rdflib.Graph().parse(data=graph_bytes([_result()])[0], format="turtle")
    preds = {rdflib.URIRef(rdf.KG_NS + x) for x in ("memberOf", "subOrganizationOf", "locatedIn", "conducted",
                                                      "solved", "partOf", "received", "endorsed", "holdsPosition")}
    facts = [(s, p, o) for s, p, o in g if p in preds]
    assert facts
    for s, p, o in facts:
        evs = set(g.subjects(rdflib.RDF.subject, s)) & set(g.subjects(rdflib.RDF.predicate, p)) & set(g.subjects(rdflib.RDF.object, o))
        assert evs, (s, p, o)


def test_labels_follow_the_most_used_name_across_articles():
    """An entity named two ways takes the name most mentions use, wherever they are."""
    texts = ["会上，“三服务”活动开展。", "开展“三服务”活动。“三服务”活动成效明显。", "开展“三服务”。"]
    results = [extract_document(document_from_text(t, doc_id=f"d{i}")) for i, t in enumerate(texts)]
    g = rdflib.Graph().parse(data=graph_bytes(results)[0], format="turtle")
    labels = {str(o) for s, o in g.subject_objects(rdflib.RDFS.label)
              if (s, rdflib.RDF.type, rdflib.URIRef(rdf.KG_NS + "Campaign")) in g}
    assert labels == {"“三服务”活动"}


def test_a_long_article_is_serialised_in_batches_to_the_same_graph(monkeypatch):
    import rdflib.compare

    result = _result()
    whole = rdf.article_part(result)
    monkeypatch.setattr(rdf, "_PART_BATCH", 7)
    batched = rdf.article_part(result)
    assert batched.triples == whole.triples
    g1 = rdflib.Graph().parse(data=rdf.HEADER + whole.turtle, format="turtle")
    g2 = rdflib.Graph().parse(data=rdf.HEADER + batched.turtle, format="turtle")
    assert len(g1) == whole.triples and rdflib.compare.isomorphic(g1, g2)
    assert (whole.mentions, whole.evidence, whole.sentences) == (batched.mentions, batched.evidence, batched.sentences)


_FACT_ARTICLES = {"d1": "发布时间:2020-03-01\n湖州市公安局开展“净网2022”专项行动。\n",
                  "d2": "发布时间:2019-12-06\n湖州市公安局开展“净网2022”专项行动。湖州市公安局开展“净网2022”专项行动。\n",
                  "d3": "湖州市公安局开展“净网2022”专项行动。\n"}


def _facts_graph():
    results = [extract_document(document_from_text(t, doc_id=d)) for d, t in _FACT_ARTICLES.items()]
    return rdflib.Graph().parse(data=graph_bytes(results)[0], format="turtle")


def test_each_fact_has_one_node_that_sums_up_its_evidence():
    """The reduce writes one kg:Fact per relation triple; its counts, dates and years are those
    of the articles its evidence nodes (kg:evidenceOf) cite, and it names the triple."""
    KG, RDF_ = rdflib.Namespace(rdf.KG_NS), rdflib.RDF
    g = _facts_graph()
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    facts = set(g.subjects(RDF_.type, KG.Fact))
    relations = {(s, p, o) for s, p, o in g if str(p) in {rdf.KG_NS + x for x in (
        "memberOf", "subOrganizationOf", "locatedIn", "conducted", "solved", "partOf", "received",
        "endorsed", "holdsPosition")}}
    assert facts and len(facts) == len(relations)
    for f in facts:
        triple = (g.value(f, KG.factSubject), g.value(f, KG.factPredicate), g.value(f, KG.factObject))
        assert triple in relations
        evs = set(g.subjects(KG.evidenceOf, f))
        assert evs and all((ev, RDF_.subject, triple[0]) in g and (ev, RDF_.object, triple[2]) in g for ev in evs)
        articles = {g.value(ev, dcterms.source) for ev in evs}
        dates = sorted(str(d) for d in (g.value(a, dcterms.date) for a in articles) if d is not None)
        assert g.value(f, KG.articleCount).toPython() == len(articles)
        assert g.value(f, KG.undatedArticleCount).toPython() == len(articles) - len(dates)
        assert [str(x) for x in (g.value(f, KG.firstDate), g.value(f, KG.lastDate))] == \
            ([dates[0], dates[-1]] if dates else ["None", "None"])
        assert sorted(str(y) for y in g.objects(f, KG.year)) == sorted({d[:4] for d in dates})
    conducted = [f for f in facts if g.value(f, KG.factPredicate) == KG.conducted]
    assert len(conducted) == 1
    f = conducted[0]
    assert (g.value(f, KG.articleCount).toPython(), g.value(f, KG.undatedArticleCount).toPython()) == (3, 1)
    assert len(set(g.subjects(KG.evidenceOf, f))) == 4   # d2 states it twice
    assert (str(g.value(f, KG.firstDate)), str(g.value(f, KG.lastDate))) == ("2019-12-06", "2020-03-01")
    assert g.value(f, KG.firstDate).datatype == rdflib.XSD.date
    assert sorted(str(y) for y in g.objects(f, KG.year)) == ["2019", "2020"]


# --------------------------------------------------------------------------- the Turtle writer
# kg/rdf.py writes Turtle text itself; its layout must stay the one pyoxigraph's serialiser
# writes (the files read the same, and a store dump of them compares equal).

import pyoxigraph as ox  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

_NAMES = ["label", "altLabel", "identifier", "source", "start", "type", "denotes", "Fact", "a_b-c", "x.y", "9z"]
_VOCAB = [rdf.RDFS_NS, rdf.SKOS_NS, rdf.DCTERMS_NS, rdf.PROV_NS, rdf.OA_NS, rdf.KG_NS, rdf.RDF_NS]


def _iri_term():
    ids = st.builds(lambda k, h: f"{rdf.ID_NS}{k}/{h}", st.sampled_from(["bureau", "fact", "mention"]),
                    st.text("0123456789abcdef-", min_size=1, max_size=20))
    vocab = st.builds(lambda ns, n: ns + n, st.sampled_from(_VOCAB), st.sampled_from(_NAMES))
    return st.one_of(ids, vocab).map(lambda v: (rdf.iri_text(v), ox.NamedNode(v)))


def _literal_term():
    text = st.text(max_size=12)
    xsd = rdf.XSD_NS
    return st.one_of(
        text.map(lambda s: (rdf.quoted(s), ox.Literal(s))),
        text.map(lambda s: (rdf.zh(s), ox.Literal(s, language="zh"))),
        st.integers(-10**12, 10**12).map(lambda n: (rdf.integer(n), ox.Literal(n))),
        st.booleans().map(lambda b: (rdf.typed("true" if b else "false", "boolean"), ox.Literal(b))),
        st.sampled_from(["26000.0", "-3.5", ".5", "+1.25", "1e5", "12", "3."]).map(
            lambda v: (rdf.typed(v, "decimal"), ox.Literal(v, datatype=ox.NamedNode(xsd + "decimal")))),
        st.sampled_from(["2019-12-06", "2019-12", "2019", "2019年"]).map(
            lambda v: (rdf._date_literal(v), ox.Literal(v, datatype=ox.NamedNode(
                xsd + {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(v), "string"))))))


_subjects = st.lists(_iri_term(), min_size=1, max_size=3)
_predicates = _iri_term().map(lambda t: (rdf.A, t[1]) if t[1].value == rdf.RDF_NS + "type" else t)


def _strip_header(data: bytes) -> bytes:
    return b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"@prefix "))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), _predicates, st.one_of(_iri_term(), _literal_term())), max_size=12),
       _subjects)
def test_turtle_text_is_what_pyoxigraph_writes(rows, subjects):
    """Runs of one subject and one predicate, escapes, bare numbers and booleans, prefixed
    names: the same bytes as pyoxigraph's Turtle and TriG serialisers, in the order given."""
    triples = [(subjects[i % len(subjects)], p, o) for i, p, o in rows]
    ours = rdf.turtle_chunk((s[0], p[0], o[0]) for s, p, o in triples)
    theirs = ox.serialize([ox.Triple(s[1], p[1], o[1]) for s, p, o in triples], format=ox.RdfFormat.TURTLE,
                          prefixes=rdf._PREFIXES) if triples else b""
    assert ours == _strip_header(theirs)
    g = ox.NamedNode(rdf.ID_NS + "graph/1")
    ours = rdf.trig_graph_chunk(rdf.node(g.value), [(s[0], p[0], o[0]) for s, p, o in triples])
    theirs = ox.serialize([ox.Quad(s[1], p[1], o[1], g) for s, p, o in triples], format=ox.RdfFormat.TRIG,
                          prefixes=rdf._PREFIXES) if triples else b""
    assert ours == _strip_header(theirs)
