"""Extraction results -> RDF in the layout of docs/rdf-layout.md.

The graph is written in two halves, so that a build never holds the corpus in memory:

* `article_part(result)` (map side, per article, in the worker): the triples only this article
  states (the article, its sentences, mentions, evidence nodes, `kg:mentionedIn`) as a Turtle
  chunk, its named graph (the relation triples it states) as a TriG chunk, and the small records
  the reduce step needs (names and types per entity, relations).
* `entity_triples(...)` (reduce side): per entity its type, canonical label, aliases, relation
  triples and one fact node (kg:Fact) per relation, once for the whole corpus.

A build's graph.ttl is the header, every article's chunk in doc-id order, then the entity chunks in
key order (kg/workstore.py keeps them on disk): byte-identical for the same input, whatever the
number of workers or the order articles finished in.  No blank nodes.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph as ox
from rdflib import Namespace

from . import iri
from .graphio import PREFIXES
from .model import ArticlePart, ArticleResult
from .resolve import article_facts, article_keys, identity, mention_key

KG_NS = iri.KG_NS
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
PROV_NS = "http://www.w3.org/ns/prov#"
OA_NS = "http://www.w3.org/ns/oa#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
ID_NS = iri.ID_NS
# The prefixes the graph files declare (kg/graphio.py's table).  Resource IRIs (id:) stay in
# full: their local names contain '/', which Turtle would escape; rdf: terms too.
_OX_PREFIXES = {k: v for k, v in PREFIXES.items() if k not in ("id", "rdf")}
HEADER = "".join(f"@prefix {k}: <{v}> .\n" for k, v in _OX_PREFIXES.items()).encode()

# rdflib namespaces, for the modules that read graphs with rdflib (query, export, viewer …)
KG = Namespace(KG_NS)
ID = Namespace(ID_NS)

_N = ox.NamedNode
A = _N(RDF_NS + "type")


def kg(name: str) -> ox.NamedNode:
    return _N(KG_NS + name)


_P = {name: _N(ns + name) for ns, names in (
    (RDFS_NS, ("label",)), (SKOS_NS, ("altLabel",)),
    (DCTERMS_NS, ("identifier", "title", "source", "isPartOf", "date")), (PROV_NS, ("wasDerivedFrom",)),
    (OA_NS, ("start", "end")), (RDF_NS, ("subject", "predicate", "object", "Statement")))
    for name in names}
_C = {name: kg(name) for name in ("Article", "Sentence", "Mention", "Evidence", "sourceFile", "encoding",
                                  "byline", "mentionedIn", "denotes", "surface", "index", "text",
                                  "dateSource", "dateText", "covers", "Observation", "indicator", "value",
                                  "unit", "approximate", "figureText", "change", "direction", "period",
                                  "subject", "evidenceOf", "Fact", "factSubject", "factPredicate",
                                  "factObject", "articleCount", "undatedArticleCount", "firstDate",
                                  "lastDate", "year")}
_XSD = {name: _N(XSD_NS + name) for name in ("date", "gYearMonth", "gYear", "string", "decimal", "boolean")}


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def node(i) -> ox.NamedNode:
    return _N(str(i))


def _order(term) -> tuple:
    if isinstance(term, ox.Literal):
        return (1, term.value, term.language or "", term.datatype.value)
    return (0, term.value, "", "")


def sort_triples(triples) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (_order(t.subject), _order(t.predicate), _order(t.object)))


def _strip_header(data: bytes) -> bytes:
    n = 0
    while data.startswith(b"@prefix ", n):
        n = data.index(b"\n", n) + 1
    return data[n:]


def turtle_chunk(triples, *, ordered: bool = False) -> bytes:
    """Triples as Turtle statements without the @prefix header; sorted here unless the caller
    made them in a deterministic order already (`ordered`)."""
    triples = list(triples) if ordered else sort_triples(triples)
    if not triples:
        return b""
    return _strip_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_OX_PREFIXES))


def trig_graph_chunk(graph: ox.NamedNode, triples) -> bytes:
    """One named graph block of TriG, without the header."""
    triples = sort_triples(triples)
    if not triples:
        return b""
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    return _strip_header(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_OX_PREFIXES))


def _T(s, p, o) -> ox.Triple:
    return ox.Triple(s, p, o)


def article_part(result: ArticleResult) -> ArticlePart:
    """The map side of the graph for one article (see the module docstring)."""
    doc = result.document
    did = doc.doc_id
    a = node(iri.article(did))
    t: list[ox.Triple] = [
        _T(a, A, _C["Article"]),
        _T(a, _P["identifier"], ox.Literal(did)),
        _T(a, _C["sourceFile"], ox.Literal(doc.source)),
        _T(a, _C["encoding"], ox.Literal(doc.encoding)),
    ]
    if doc.title:
        t.append(_T(a, _P["title"], zh(doc.title)))
    for b in doc.bylines:
        t.append(_T(a, _C["byline"], zh(b)))
    # A long article's triples are serialised as they come, a batch at a time, so that a worker's
    # memory stays bounded (an ordinary article is one batch).
    turtle_parts: list[bytes] = []
    count = 0

    def flush(force: bool = False) -> None:
        nonlocal count
        if t and (force or len(t) >= _PART_BATCH):
            turtle_parts.append(turtle_chunk(t, ordered=True))   # made in a fixed order
            count += len(t)
            t.clear()
    sentences_used: set[int] = set()
    # entities: names and types for the reduce, mentions here
    names: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    mention_rows: dict[str, set[tuple[int, str, int, int]]] = defaultdict(set)
    for m in result.mentions:
        key = mention_key(m)
        names[key][(m.type, m.name)] += 1
        mention_rows[key].add((m.sentence, m.surface, m.start, m.end))
    for key in sorted(mention_rows):
        e = node(iri.entity(key))
        t.append(_T(e, _C["mentionedIn"], a))
        for idx, surface, start, end in sorted(mention_rows[key]):
            mn = node(iri.mention(key, did, idx, surface))
            t += [_T(mn, A, _C["Mention"]), _T(mn, _C["denotes"], e), _T(mn, _C["surface"], zh(surface)),
                  _T(mn, _P["wasDerivedFrom"], node(iri.sentence(did, idx))), _T(mn, _P["source"], a)]
            if start >= 0:
                t += [_T(mn, _P["start"], ox.Literal(start)), _T(mn, _P["end"], ox.Literal(end))]
            sentences_used.add(idx)
        flush()
    # relations: resolved within the article; evidence here, the triple itself in the reduce
    keys = article_keys(result)
    evidence = article_facts(result, keys)
    named: list[ox.Triple] = []
    for (s, p, o, lit), idxs in sorted(evidence.items()):
        st = _T(node(iri.entity(s)), kg(p), zh(o) if lit else node(iri.entity(o)))
        named.append(st)
        fact = node(iri.fact(s, p, o, lit))
        for idx in sorted(idxs):
            ev = node(iri.evidence(s, p, o, did, idx))
            t += [_T(ev, A, _C["Evidence"]), _T(ev, A, _P["Statement"]), _T(ev, _P["subject"], st.subject),
                  _T(ev, _P["predicate"], st.predicate), _T(ev, _P["object"], st.object),
                  _T(ev, _P["wasDerivedFrom"], node(iri.sentence(did, idx))), _T(ev, _P["source"], a),
                  _T(ev, _C["evidenceOf"], fact)]
            sentences_used.add(idx)
        flush()
    cited = set(sentences_used)   # by mentions and evidence: the sentences the viewer shows
    t += _dates_and_figures(result, a, keys, names, sentences_used)
    for sent in doc.sentences:
        if sent.index in sentences_used:
            sn = node(iri.sentence(did, sent.index))
            t += [_T(sn, A, _C["Sentence"]), _T(sn, _P["isPartOf"], a), _T(sn, _C["index"], ox.Literal(sent.index)),
                  _T(sn, _C["text"], zh(sent.text)), _T(sn, _P["start"], ox.Literal(sent.start)),
                  _T(sn, _P["end"], ox.Literal(sent.end))]
    flush(force=True)
    return ArticlePart(
        doc_id=did, source=doc.source,
        turtle=b"".join(turtle_parts),
        trig=trig_graph_chunk(node(iri.article_graph(did)), named),
        names=sorted((k, typ, name, n) for k, d in names.items() for (typ, name), n in d.items()),
        mentions=sorted({(k, idx, surface) for k, rows in mention_rows.items() for idx, surface, _, _ in rows}),
        evidence=sorted((*fact, idx) for fact, idxs in evidence.items() for idx in idxs),
        sentences=[(x.index, x.text) for x in doc.sentences if x.index in cited],
        title=doc.title,
        date=result.date.value if result.date is not None else "",
        triples=count,
    )


_PART_BATCH = 50_000   # triples serialised at a time in article_part


def _canonical_decimal(value: str) -> str:
    """xsd:decimal's canonical form (26000 -> 26000.0): what Turtle writers print, so the
    graph round-trips through every format unchanged."""
    return value if "." in value else value + ".0"


def _date_literal(value: str) -> ox.Literal:
    """2019-12-06 -> xsd:date, 2019-12 -> xsd:gYearMonth, 2019 -> xsd:gYear (lexical form kept)."""
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(value), "string")
    return ox.Literal(value, datatype=_XSD[kind])


def _dates_and_figures(result: ArticleResult, a, keys, names, sentences_used: set[int]) -> list[ox.Triple]:
    """The article's date (dcterms:date, kg:dateSource, kg:dateText), the period it reviews
    (kg:covers) and its observations (kg:Observation, docs/rdf-layout.md).  An observation's
    subject is the entity of the article it names; one the article does not mention otherwise
    enters the reduce as a name of its own (`names`, with no mention counted)."""
    doc = result.document
    out: list[ox.Triple] = []
    if result.date is not None:
        out += [_T(a, _P["date"], _date_literal(result.date.value)),
                _T(a, _C["dateSource"], ox.Literal(result.date.source)),
                _T(a, _C["dateText"], zh(result.date.text))]
    if result.covers:
        out.append(_T(a, _C["covers"], ox.Literal(result.covers)))
    for o in result.observations:
        n = node(iri.observation(doc.doc_id, o.sentence, o.n))
        out += [_T(n, A, _C["Observation"]), _T(n, _C["indicator"], zh(o.indicator)),
                _T(n, _C["value"], ox.Literal(_canonical_decimal(o.value), datatype=_XSD["decimal"])),
                _T(n, _C["unit"], ox.Literal(o.unit)),
                _T(n, _C["approximate"], ox.Literal(bool(o.approximate))),
                _T(n, _C["figureText"], zh(o.surface)),
                _T(n, _P["wasDerivedFrom"], node(iri.sentence(doc.doc_id, o.sentence))),
                _T(n, _P["source"], a)]
        if o.change:
            out.append(_T(n, _C["change"], ox.Literal(o.change)))
        if o.direction:
            out.append(_T(n, _C["direction"], ox.Literal(o.direction)))
        if o.period:
            out.append(_T(n, _C["period"], ox.Literal(o.period)))
        if o.start >= 0:
            out += [_T(n, _P["start"], ox.Literal(o.start)), _T(n, _P["end"], ox.Literal(o.end))]
        if o.subject is not None:
            typ, name = o.subject
            key = keys.get((typ, name))
            if key is None:
                key = identity(typ, name)
                names[key][(typ, name)] += 0
            out.append(_T(n, _C["subject"], node(iri.entity(key))))
        sentences_used.add(o.sentence)
    return out


def entity_triples(key: str, type_: str, label: str, aliases, relations) -> list[ox.Triple]:
    """An entity's corpus-level triples: its type, label, aliases, the relations it is the
    subject of (kg/workstore.py `Relation`s) and each relation's fact node (kg:Fact)."""
    e = node(iri.entity(key))
    out = [_T(e, A, kg(type_)), _T(e, _P["label"], zh(label))]
    out += [_T(e, _P["altLabel"], zh(x)) for x in aliases if x != label]
    for r in relations:
        obj = zh(r.o) if r.lit else node(iri.entity(r.o))
        out.append(_T(e, kg(r.p), obj))
        out += fact_triples(key, e, r, obj)
    return out


def fact_triples(key: str, e, r, obj) -> list[ox.Triple]:
    """The fact node of a relation: the triple it stands for and what the articles stating it
    say (docs/rdf-layout.md, "Facts"); evidence nodes point to it with kg:evidenceOf."""
    f = node(iri.fact(key, r.p, r.o, r.lit))
    out = [_T(f, A, _C["Fact"]), _T(f, _C["factSubject"], e), _T(f, _C["factPredicate"], kg(r.p)),
           _T(f, _C["factObject"], obj), _T(f, _C["articleCount"], ox.Literal(r.articles)),
           _T(f, _C["undatedArticleCount"], ox.Literal(r.articles - r.dated))]
    if r.dated:
        out += [_T(f, _C["firstDate"], _date_literal(r.first)), _T(f, _C["lastDate"], _date_literal(r.last))]
    out += [_T(f, _C["year"], ox.Literal(y, datatype=_XSD["gYear"])) for y in r.years]
    return out


def write_graph(store, ttl, trig) -> tuple[Counter, Counter]:
    """Stream a work store (kg/workstore.py) into Turtle and TriG file objects: the header,
    every article's chunk in doc-id order, the entities in key order, then (TriG) the named
    graphs.  Returns the entities per type and relations per predicate."""
    entities: Counter = Counter()
    relations: Counter = Counter()
    ttl.write(HEADER)
    trig.write(HEADER)
    for _, chunk in store.chunks("turtle"):
        ttl.write(chunk)
        trig.write(chunk)
    batch: list = []

    def flush():
        chunk = turtle_chunk(batch)
        ttl.write(chunk)
        trig.write(chunk)
        batch.clear()

    for key, type_, label, aliases, rels in store.entities():
        entities[type_] += 1
        for r in rels:
            relations[r.p] += 1
        batch += entity_triples(key, type_, label, aliases, rels)
        if len(batch) >= 20000:
            flush()
    flush()
    for _, chunk in store.chunks("trig"):
        trig.write(chunk)
    return entities, relations
