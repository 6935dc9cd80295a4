"""Golden Turtle: a fixed article gives these exact bytes (regenerate with KG_UPDATE_GOLDEN=1)."""
from __future__ import annotations

import os
from pathlib import Path

import rdflib

from kg import iri, rdf
from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.resolve import resolve

GOLDEN = Path(__file__).parent / "data" / "golden"
ARTICLE = ("宁波公安开展“净网2023”专项行动\n\n记者 周明\n\n"
           "今年以来，市公安局网安支队开展“净网2023”专项行动，成功侦破“3·15”特大网络诈骗案，"
           "得到宁波市委书记孙立新的批示肯定。北仑分局获评全国优秀公安局。\n")


def _turtle() -> bytes:
    corpus = resolve([extract_document(document_from_text(ARTICLE, doc_id="golden"))])
    return rdf.write_turtle(rdf.build_graph(corpus))


def test_turtle_matches_golden():
    data = _turtle()
    path = GOLDEN / "article.ttl"
    if os.environ.get("KG_UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes(), "Turtle changed: review, then KG_UPDATE_GOLDEN=1 pytest tests/test_rdf.py"


def test_turtle_and_trig_round_trip():
    import rdflib.compare

    corpus = resolve([extract_document(document_from_text(ARTICLE, doc_id="golden"))])
    g = rdf.build_graph(corpus)
    back = rdflib.Graph().parse(data=rdf.write_turtle(g), format="turtle")
    assert rdflib.compare.isomorphic(g, back)
    ds = rdflib.Dataset().parse(data=rdf.write_trig(g, corpus), format="trig")
    named = [c for c in ds.graphs() if c.identifier == rdflib.URIRef(iri.article_graph("golden"))]
    assert named and len(named[0]) == len(corpus.relations)
    assert rdflib.compare.isomorphic(ds.default_graph, g)


def test_every_fact_has_evidence_and_parses():
    g = rdflib.Graph().parse(data=_turtle(), format="turtle")
    facts = [(s, p, o) for s, p, o in g if str(p).startswith(str(rdf.KG)) and
             rdf.KG[str(p).split("#")[1]] in {rdf.KG[x] for x in
             ("memberOf", "subOrganizationOf", "locatedIn", "conducted", "solved", "partOf", "received", "endorsed", "holdsPosition")}]
    assert facts
    for s, p, o in facts:
        evs = set(g.subjects(rdflib.RDF.subject, s)) & set(g.subjects(rdflib.RDF.predicate, p)) & set(g.subjects(rdflib.RDF.object, o))
        assert evs, (s, p, o)
