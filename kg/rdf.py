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

import re
from collections import Counter, defaultdict
from functools import lru_cache

from . import iri, lexicon
from .graphio import PREFIXES
from .model import ArticlePart, ArticleResult
from .resolve import article_facts, article_keys, identity, mention_key

KG_NS = iri.KG_NS
RDF_NS, RDFS_NS, SKOS_NS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"]
DCTERMS_NS, PROV_NS, OA_NS, XSD_NS = PREFIXES["dcterms"], PREFIXES["prov"], PREFIXES["oa"], PREFIXES["xsd"]
ID_NS = iri.ID_NS
# The prefixes the graph files declare (kg/graphio.py's table).  Resource IRIs (id:) stay in
# full: their local names contain '/', which Turtle would escape; rdf: terms too.
_PREFIXES = {k: v for k, v in PREFIXES.items() if k not in ("id", "rdf")}
HEADER = "".join(f"@prefix {k}: <{v}> .\n" for k, v in _PREFIXES.items()).encode()


def __getattr__(name: str):
    """KG and ID: rdflib namespaces, for the modules that read graphs with rdflib (query,
    export, viewer …); made on first use (writing the graph needs no rdflib)."""
    if name in ("KG", "ID"):
        from rdflib import Namespace

        globals().update(KG=Namespace(KG_NS), ID=Namespace(ID_NS))
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ----------------------------------------------------------------------------- Turtle text
# Terms are written as Turtle text directly (no term objects): an article makes thousands of
# triples, and building them as pyoxigraph terms to serialise them cost a fifth of its time.  The
# layout is the one pyoxigraph's serialiser writes (tests/test_rdf.py compares the two), so the
# files read the same whichever wrote them.

_ESCAPES = {**{c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
            0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_escape = lexicon.translator(str.maketrans(_ESCAPES))
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")


def quoted(text: str) -> str:
    """A Turtle string: "text" with the characters Turtle forbids escaped."""
    return '"' + _escape(text) + '"'


def iri_text(value: str) -> str:
    """An IRI as Turtle: a prefixed name in our vocabularies, <…> for everything else."""
    return f"<{value}>" if value.startswith(ID_NS) else _vocabulary_text(value)


@lru_cache(maxsize=4096)
def _vocabulary_text(value: str) -> str:
    for prefix, ns in _PREFIXES.items():
        if value.startswith(ns):
            if _LOCAL.match(value, len(ns)):
                return f"{prefix}:{value[len(ns):]}"
            import pyoxigraph as ox   # a local name that needs Turtle's escapes: as it writes them

            t = ox.Triple(ox.NamedNode(ID_NS), ox.NamedNode(ID_NS), ox.NamedNode(value))
            out = ox.serialize([t], format=ox.RdfFormat.TURTLE, prefixes={prefix: ns}).decode()
            return out.rsplit("\n", 2)[-2].split(" ", 2)[2][:-2]
    return f"<{value}>"


def zh(text: str) -> str:
    return quoted(text) + "@zh"


def node(i) -> str:
    return iri_text(str(i))


def kg(name: str) -> str:
    return iri_text(KG_NS + name)


def typed(value: str, datatype: str) -> str:
    """A literal of an XSD datatype, written bare where Turtle allows (integers, decimals, booleans)."""
    if datatype == "string":
        return quoted(value)
    if datatype == "decimal" and _DECIMAL.match(value) or datatype == "boolean" and value in ("true", "false"):
        return value
    return f"{quoted(value)}^^xsd:{datatype}"


def integer(n: int) -> str:
    return str(int(n))


A = "a"   # rdf:type as a predicate
_P = {name: iri_text(ns + name) for ns, names in (
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


def turtle_text(triples, indent: str = "") -> str:
    """(subject, predicate, object) Turtle terms as statements, in the order given: a run of
    one subject is one statement (predicates after ';', objects of one predicate after ',')."""
    out: list[str] = []
    ps = pp = None
    for s, p, o in triples:
        if s == ps:
            out.append(f" , {o}" if p == pp else f" ;\n{indent}\t{p} {o}")
        else:
            if ps is not None:
                out.append(" .\n")
            out.append(f"{indent}{s} {p} {o}")
        ps, pp = s, p
    if ps is not None:
        out.append(" .\n")
    return "".join(out)


def turtle_chunk(triples) -> bytes:
    """Triples as Turtle statements without the @prefix header, in the order given."""
    return turtle_text(triples).encode("utf-8")


def trig_graph_chunk(graph: str, triples) -> bytes:
    """One named graph block of TriG, without the header, in the order given."""
    body = turtle_text(triples, "\t")
    return f"{graph} {{\n{body}}}\n".encode("utf-8") if body else b""


def _sorted_relations(rows) -> list[tuple[str, str, str]]:
    """Relation triples (subject IRI, predicate, object key or literal, is-literal) in term order
    (IRIs before literals, then by value), as Turtle terms."""
    return [(node(s), kg(p), zh(o) if lit else node(o))
            for s, p, o, lit in sorted(rows, key=lambda r: (r[0], r[1], r[3], r[2]))]


def article_part(result: ArticleResult) -> ArticlePart:
    """The map side of the graph for one article (see the module docstring)."""
    doc = result.document
    did = doc.doc_id
    a = node(iri.article(did))
    t: list[tuple[str, str, str]] = [
        (a, A, _C["Article"]),
        (a, _P["identifier"], quoted(did)),
        (a, _C["sourceFile"], quoted(doc.source)),
        (a, _C["encoding"], quoted(doc.encoding)),
    ]
    if doc.title:
        t.append((a, _P["title"], zh(doc.title)))
    for b in doc.bylines:
        t.append((a, _C["byline"], zh(b)))
    # A long article's triples are written as they come, a batch at a time, so that a worker's
    # memory stays bounded (an ordinary article is one batch).
    turtle_parts: list[bytes] = []
    count = 0

    def flush(force: bool = False) -> None:
        nonlocal count
        if t and (force or len(t) >= _PART_BATCH):
            turtle_parts.append(turtle_chunk(t))   # made in a fixed order
            count += len(t)
            t.clear()
    sentences_used: set[int] = set()
    sentence_nodes: dict[int, str] = {}

    def sentence_node(idx: int) -> str:
        sn = sentence_nodes.get(idx)
        if sn is None:
            sn = sentence_nodes[idx] = node(iri.sentence(did, idx))
        return sn
    # entities: names and types for the reduce, mentions here
    names: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    mention_rows: dict[str, set[tuple[int, str, int, int]]] = defaultdict(set)
    for m in result.mentions:
        key = mention_key(m)
        names[key][(m.type, m.name)] += 1
        mention_rows[key].add((m.sentence, m.surface, m.start, m.end))
    P_src, P_derived, P_start, P_end = _P["source"], _P["wasDerivedFrom"], _P["start"], _P["end"]
    C_mention, C_denotes, C_surface = _C["Mention"], _C["denotes"], _C["surface"]
    for key in sorted(mention_rows):
        e = node(iri.entity(key))
        t.append((e, _C["mentionedIn"], a))
        for idx, surface, start, end in sorted(mention_rows[key]):
            mn = node(iri.mention(key, did, idx, surface))
            t += [(mn, A, C_mention), (mn, C_denotes, e), (mn, C_surface, zh(surface)),
                  (mn, P_derived, sentence_node(idx)), (mn, P_src, a)]
            if start >= 0:
                t += [(mn, P_start, integer(start)), (mn, P_end, integer(end))]
            sentences_used.add(idx)
        flush()
    # relations: resolved within the article; evidence here, the triple itself in the reduce
    keys = article_keys(result)
    evidence = article_facts(result, keys)
    relations = []   # (subject IRI, predicate, object IRI or literal, is-literal): the named graph
    for (s, p, o, lit), idxs in sorted(evidence.items()):
        s_iri, o_val = iri.entity(s), o if lit else iri.entity(o)
        relations.append((s_iri, p, o_val, lit))
        st = (node(s_iri), kg(p), zh(o) if lit else node(o_val))
        fact = node(iri.fact(s, p, o, lit))
        for idx in sorted(idxs):
            ev = node(iri.evidence(s, p, o, did, idx))
            t += [(ev, A, _C["Evidence"]), (ev, A, _P["Statement"]), (ev, _P["subject"], st[0]),
                  (ev, _P["predicate"], st[1]), (ev, _P["object"], st[2]),
                  (ev, P_derived, sentence_node(idx)), (ev, P_src, a), (ev, _C["evidenceOf"], fact)]
            sentences_used.add(idx)
        flush()
    named = _sorted_relations(relations)
    cited = set(sentences_used)   # by mentions and evidence: the sentences the viewer shows
    t += _dates_and_figures(result, a, keys, names, sentences_used)
    for sent in doc.sentences:
        if sent.index in sentences_used:
            sn = sentence_node(sent.index)
            t += [(sn, A, _C["Sentence"]), (sn, _P["isPartOf"], a), (sn, _C["index"], integer(sent.index)),
                  (sn, _C["text"], zh(sent.text)), (sn, P_start, integer(sent.start)),
                  (sn, P_end, integer(sent.end))]
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


def _date_literal(value: str) -> str:
    """2019-12-06 -> xsd:date, 2019-12 -> xsd:gYearMonth, 2019 -> xsd:gYear (lexical form kept)."""
    return typed(value, {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(value), "string"))


def _dates_and_figures(result: ArticleResult, a, keys, names, sentences_used: set[int]) -> list[tuple]:
    """The article's date (dcterms:date, kg:dateSource, kg:dateText), the period it reviews
    (kg:covers) and its observations (kg:Observation, docs/rdf-layout.md).  An observation's
    subject is the entity of the article it names; one the article does not mention otherwise
    enters the reduce as a name of its own (`names`, with no mention counted)."""
    doc = result.document
    out: list[tuple] = []
    if result.date is not None:
        out += [(a, _P["date"], _date_literal(result.date.value)),
                (a, _C["dateSource"], quoted(result.date.source)),
                (a, _C["dateText"], zh(result.date.text))]
    if result.covers:
        out.append((a, _C["covers"], quoted(result.covers)))
    for o in result.observations:
        n = node(iri.observation(doc.doc_id, o.sentence, o.n))
        out += [(n, A, _C["Observation"]), (n, _C["indicator"], zh(o.indicator)),
                (n, _C["value"], typed(_canonical_decimal(o.value), "decimal")),
                (n, _C["unit"], quoted(o.unit)),
                (n, _C["approximate"], typed("true" if o.approximate else "false", "boolean")),
                (n, _C["figureText"], zh(o.surface)),
                (n, _P["wasDerivedFrom"], node(iri.sentence(doc.doc_id, o.sentence))),
                (n, _P["source"], a)]
        if o.change:
            out.append((n, _C["change"], quoted(o.change)))
        if o.direction:
            out.append((n, _C["direction"], quoted(o.direction)))
        if o.period:
            out.append((n, _C["period"], quoted(o.period)))
        if o.start >= 0:
            out += [(n, _P["start"], integer(o.start)), (n, _P["end"], integer(o.end))]
        if o.subject is not None:
            typ, name = o.subject
            key = keys.get((typ, name))
            if key is None:
                key = identity(typ, name)
                names[key][(typ, name)] += 0
            out.append((n, _C["subject"], node(iri.entity(key))))
        sentences_used.add(o.sentence)
    return out


def entity_triples(key: str, type_: str, label: str, aliases, relations) -> list[tuple[str, str, str]]:
    """An entity's corpus-level triples: its type, label, aliases and the relations it is the
    subject of (kg/workstore.py `Relation`s, in predicate and object order), then each
    relation's fact node (kg:Fact)."""
    e = node(iri.entity(key))
    out = [(e, A, kg(type_)), (e, _P["label"], zh(label))]
    out += [(e, _P["altLabel"], zh(x)) for x in aliases if x != label]
    facts = []
    for r in relations:
        obj = zh(r.o) if r.lit else node(iri.entity(r.o))
        out.append((e, kg(r.p), obj))
        facts += fact_triples(key, e, r, obj)
    return out + facts


def fact_triples(key: str, e: str, r, obj: str) -> list[tuple[str, str, str]]:
    """The fact node of a relation: the triple it stands for and what the articles stating it
    say (docs/rdf-layout.md, "Facts"); evidence nodes point to it with kg:evidenceOf."""
    f = node(iri.fact(key, r.p, r.o, r.lit))
    out = [(f, A, _C["Fact"]), (f, _C["articleCount"], integer(r.articles)),
           (f, _C["factObject"], obj), (f, _C["factPredicate"], kg(r.p)), (f, _C["factSubject"], e)]
    if r.dated:
        out += [(f, _C["firstDate"], _date_literal(r.first)), (f, _C["lastDate"], _date_literal(r.last))]
    out.append((f, _C["undatedArticleCount"], integer(r.articles - r.dated)))
    out += [(f, _C["year"], typed(str(y), "gYear")) for y in r.years]
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

    for key, type_, label, aliases, rels in store.entities():   # in key order, each one's facts after it
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
