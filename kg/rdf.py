"""Corpus -> RDF (the layout of docs/rdf-layout.md).  No blank nodes, so the Turtle is
byte-identical for the same input."""
from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from . import iri
from .fileio import write_atomic  # noqa: F401  (the build writes through rdf.write_atomic)
from .iri import ID, KG
from .model import Corpus

OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES = {"kg": KG, "id": ID, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV,
            "oa": OA, "xsd": XSD}


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _bind(g: Graph) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)


def build_graph(corpus: Corpus) -> Graph:
    """The whole graph: entities, relations with evidence, mentions, articles, sentences."""
    g = Graph()
    _bind(g)
    sentences_used: set[tuple[str, int]] = set()
    for doc in corpus.documents:
        a = iri.article(doc.doc_id)
        g.add((a, RDF.type, KG.Article))
        g.add((a, DCTERMS.identifier, Literal(doc.doc_id)))
        g.add((a, KG.sourceFile, Literal(doc.source)))
        g.add((a, KG.encoding, Literal(doc.encoding)))
        if doc.title:
            g.add((a, DCTERMS.title, _zh(doc.title)))
        for b in doc.bylines:
            g.add((a, KG.byline, _zh(b)))
    for ent in corpus.entities.values():
        e = iri.entity(ent.key)
        g.add((e, RDF.type, KG[ent.type]))
        g.add((e, RDFS.label, _zh(ent.name)))
        for alias in ent.aliases:
            g.add((e, SKOS.altLabel, _zh(alias)))
        for doc_id in ent.articles:
            g.add((e, KG.mentionedIn, iri.article(doc_id)))
        for m in {(m.doc_id, m.sentence, m.surface, m.start, m.end) for m in ent.mentions}:
            doc_id, idx, surface, start, end = m
            node = iri.mention(ent.key, doc_id, idx, surface)
            g.add((node, RDF.type, KG.Mention))
            g.add((node, KG.denotes, e))
            g.add((node, KG.surface, _zh(surface)))
            g.add((node, PROV.wasDerivedFrom, iri.sentence(doc_id, idx)))
            g.add((node, DCTERMS.source, iri.article(doc_id)))
            if start >= 0:
                g.add((node, OA.start, Literal(start)))
                g.add((node, OA.end, Literal(end)))
            sentences_used.add((doc_id, idx))
    for rel in corpus.relations:
        s = iri.entity(rel.subject)
        p = KG[rel.predicate]
        o = _zh(rel.object) if rel.literal else iri.entity(rel.object)
        g.add((s, p, o))
        for doc_id, idx in rel.evidence:
            ev = iri.evidence(rel.subject, rel.predicate, rel.object, doc_id, idx)
            g.add((ev, RDF.type, KG.Evidence))
            g.add((ev, RDF.type, RDF.Statement))
            g.add((ev, RDF.subject, s))
            g.add((ev, RDF.predicate, p))
            g.add((ev, RDF.object, o))
            g.add((ev, PROV.wasDerivedFrom, iri.sentence(doc_id, idx)))
            g.add((ev, DCTERMS.source, iri.article(doc_id)))
            sentences_used.add((doc_id, idx))
    for doc in corpus.documents:
        for sent in doc.sentences:
            if (doc.doc_id, sent.index) not in sentences_used:
                continue
            node = iri.sentence(doc.doc_id, sent.index)
            g.add((node, RDF.type, KG.Sentence))
            g.add((node, DCTERMS.isPartOf, iri.article(doc.doc_id)))
            g.add((node, KG["index"], Literal(sent.index)))
            g.add((node, KG["text"], _zh(sent.text)))
            g.add((node, OA.start, Literal(sent.start)))
            g.add((node, OA.end, Literal(sent.end)))
    return g


def build_dataset(corpus: Corpus, graph: Graph) -> Dataset:
    """The same triples in the default graph, and each relation triple also in the named graph
    of every article that states it."""
    ds = Dataset()
    _bind(ds)
    default = ds.default_context
    for t in graph:
        default.add(t)
    for rel in corpus.relations:
        s = iri.entity(rel.subject)
        o = _zh(rel.object) if rel.literal else iri.entity(rel.object)
        for doc_id in sorted({d for d, _ in rel.evidence}):
            ds.graph(iri.article_graph(doc_id)).add((s, KG[rel.predicate], o))
    return ds


def serialize(graph: Graph | Dataset, fmt: str) -> bytes:
    if fmt == "trig":
        return _trig(graph)
    data = graph.serialize(format=fmt)
    return data.encode("utf-8") if isinstance(data, str) else data


def _trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in a fixed order (rdflib writes them in set order)."""
    import io

    from rdflib.plugins.serializers.trig import TrigSerializer

    ser = TrigSerializer(ds)
    ser.contexts = sorted(ser.contexts, key=lambda c: (c.identifier != ser.default_context, str(c.identifier)))
    buf = io.BytesIO()
    ser.serialize(buf, encoding="utf-8")
    return buf.getvalue()
