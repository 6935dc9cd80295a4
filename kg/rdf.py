"""Corpus -> RDF (the layout of docs/rdf-layout.md), and the Turtle/TriG files of a build.
No blank nodes, and triples are written in sorted order, so the files are byte-identical for
the same input."""
from __future__ import annotations


from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from . import iri
from .iri import ID, KG
from .model import ArticleResult, Corpus

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
    if corpus.results:
        from .resolve import match_key

        known = {(e.type, match_key(e.name)): iri.entity(k) for k, e in corpus.entities.items()}
        for r in corpus.results:
            for t in article_extra_triples(r, lambda typ, name: known.get((typ, match_key(name)))):
                g.add(t)
    return g


def _ox(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"unsupported term {term!r}")   # no blank nodes in our graphs


def _key(term) -> tuple:
    return (isinstance(term, Literal), str(term), str(getattr(term, "language", "") or ""),
            str(getattr(term, "datatype", "") or ""))


def write_turtle(graph: Graph) -> bytes:
    """Turtle through Oxigraph's serializer, triples in sorted order: byte-identical for the
    same graph, and many times faster than rdflib's pretty printer on large graphs."""
    import pyoxigraph as ox

    triples = sorted(graph, key=lambda t: (_key(t[0]), _key(t[1]), _key(t[2])))
    data = ox.serialize((ox.Triple(_ox(s), _ox(p), _ox(o)) for s, p, o in triples),
                        format=ox.RdfFormat.TURTLE, prefixes=_OX_PREFIXES)
    return _fixed_header(data)


def write_trig(graph: Graph, corpus: Corpus) -> bytes:
    """TriG: the whole graph as the default graph, and each relation triple also in the named
    graph of every article that states it (sorted, as write_turtle)."""
    import pyoxigraph as ox

    quads = [(None, s, p, o) for s, p, o in graph]
    for rel in corpus.relations:
        s = iri.entity(rel.subject)
        o = _zh(rel.object) if rel.literal else iri.entity(rel.object)
        for doc_id in sorted({d for d, _ in rel.evidence}):
            quads.append((iri.article_graph(doc_id), s, KG[rel.predicate], o))
    quads.sort(key=lambda q: (q[0] is not None, _key(q[0]) if q[0] is not None else (), _key(q[1]), _key(q[2]), _key(q[3])))
    default = ox.DefaultGraph()
    data = ox.serialize((ox.Quad(_ox(s), _ox(p), _ox(o), default if g is None else _ox(g)) for g, s, p, o in quads),
                        format=ox.RdfFormat.TRIG, prefixes=_OX_PREFIXES)
    return _fixed_header(data)


# Resource IRIs (id:) stay in full: their local names contain '/', which Turtle would escape.
_OX_PREFIXES = {k: str(v) for k, v in PREFIXES.items() if k != "id"}


def _fixed_header(data: bytes) -> bytes:
    """Oxigraph writes the @prefix lines in hash order: put them in ours."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    header = [f"@prefix {k}: <{v}> .".encode() for k, v in _OX_PREFIXES.items()]
    return b"\n".join(header + lines[n:])


def _canonical_decimal(value: str) -> str:
    """xsd:decimal's canonical form (26000 -> 26000.0): what Turtle writers print, so the
    graph round-trips through every format unchanged."""
    return value if "." in value else value + ".0"


def _date_literal(value: str) -> Literal:
    """2019-12-06 -> xsd:date, 2019-12 -> xsd:gYearMonth, 2019 -> xsd:gYear (lexical form kept)."""
    kind = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.string)
    return Literal(value, datatype=kind)


def article_extra_triples(result: ArticleResult, entity_of=None) -> list[tuple]:
    """The triples of an article's date (dcterms:date, kg:dateSource, kg:dateText), the period it
    reviews (kg:covers) and its observations (kg:Observation with indicator, value, unit, change,
    direction, approximate, period, subject, figureText, the sentence and the article), self-contained: the
    sentences the observations come from are included.  `entity_of(type, name)` gives the IRI
    of the subject entity when the caller knows the resolved entities; otherwise the IRI is minted
    from the name and the subject gets its type and label here."""
    doc = result.document
    a = iri.article(doc.doc_id)
    out: list[tuple] = []
    if result.date is not None:
        out.append((a, DCTERMS.date, _date_literal(result.date.value)))
        out.append((a, KG.dateSource, Literal(result.date.source)))
        out.append((a, KG.dateText, _zh(result.date.text)))
    if result.covers:
        out.append((a, KG.covers, Literal(result.covers)))
    by_index = {s.index: s for s in doc.sentences}
    for o in result.observations:
        node = iri.observation(doc.doc_id, o.sentence, o.n)
        sent = iri.sentence(doc.doc_id, o.sentence)
        out += [(node, RDF.type, KG.Observation),
                (node, KG.indicator, _zh(o.indicator)),
                (node, KG.value, Literal(_canonical_decimal(o.value), datatype=XSD.decimal)),
                (node, KG.unit, Literal(o.unit)),
                (node, KG.approximate, Literal(o.approximate)),
                (node, KG.figureText, _zh(o.surface)),
                (node, PROV.wasDerivedFrom, sent),
                (node, DCTERMS.source, a)]
        if o.change:
            out.append((node, KG.change, Literal(o.change)))
        if o.direction:
            out.append((node, KG.direction, Literal(o.direction)))
        if o.period:
            out.append((node, KG.period, Literal(o.period)))
        if o.start >= 0:
            out += [(node, OA.start, Literal(o.start)), (node, OA.end, Literal(o.end))]
        if o.subject is not None:
            typ, name = o.subject
            e = entity_of(typ, name) if entity_of else None
            if e is None:
                e = iri.entity(iri.entity_key(typ, name))
                out += [(e, RDF.type, KG[typ]), (e, RDFS.label, _zh(name))]
            out.append((node, KG.subject, e))
        s = by_index.get(o.sentence)
        if s is not None:
            out += [(sent, RDF.type, KG.Sentence), (sent, DCTERMS.isPartOf, a),
                    (sent, KG["index"], Literal(s.index)), (sent, KG["text"], _zh(s.text)),
                    (sent, OA.start, Literal(s.start)), (sent, OA.end, Literal(s.end))]
    return out
