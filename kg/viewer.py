"""The offline interactive HTML graph, at corpus size.

`render_html_from_store(store)` reads an Oxigraph store (pyoxigraph.Store) whose default
graph has the layout of docs/rdf-layout.md and returns one self-contained HTML page:
vis-network's JS/CSS (shipped inside pyvis) are inlined, the data goes in as JSON inside
`<script type="application/json">`, and the page's own script builds every piece of text
with `textContent`.  No external URL, no CDN.  `render_html(graph)` does the same for an
rdflib graph (read in place if it is over an Oxigraph store, else copied into a temporary
in-memory store).  A build draws its page from its work store's rows instead
(`write_html_from_workstore`, `WorkStoreSource`): the same page as from its graph, without
loading the graph anywhere.  Both sources feed one collector (`_Collected`).

From a store everything is collected with SPARQL run in Oxigraph's own engine and streamed;
memory grows with the number of entities and edges, not with evidence, mention or sentence
triples:

- Nodes are the resources typed with one of our entity classes (kg.vocab), edges the kg: triples
  between two of them.  EVERY entity is in the page's search index (type, label, aliases,
  IRI), and every edge is in the page with its source sentences.
- The overview drawn on open holds at most `max_nodes` entities: connected before isolated,
  then by degree, bureaus' and officials' degree counted double (`_overview_key`).  The
  page says how many were left out.  An entity outside the overview is drawn with its
  neighbours when search or a link opens it.
- Side-panel sources are embedded for every entity, capped (the first by IRI; larger caps
  inside the overview): source sentences per fact or position, articles per entity, and
  for overview entities their mentions (surface form in its sentence); the panel says how
  many more there are.  The page is about (entities + edges) x caps in size.
- With `endpoint` (a SPARQL endpoint URL, e.g. `kg serve`'s /query) the page holds only
  the search index and the overview (its nodes and the edges between them) and queries
  the endpoint for an entity's facts, neighbours and sources when it is opened (the
  endpoint must allow cross-origin requests if it is on another origin).

The overview settles with vis' physics when small; above `STATIC_LAYOUT_THRESHOLD` nodes
positions are computed here (a radial tree per connected component, O(n log n)) and
physics starts off.  Output is deterministic (sorted).

`to_pyvis(graph)` gives the same entity graph as a pyvis Network, for notebooks.
"""
from __future__ import annotations

import bisect
import gc
import html
import importlib.util
import json
import math
import re
import time
import urllib.parse
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache
from itertools import groupby, islice
from importlib import resources
from operator import itemgetter
from pathlib import Path

import pyoxigraph as ox

from .fileio import write_atomic
from .errors import GraphError, ResourceError
from . import iri
from .vocab import ENTITY_TYPES

ASSETS = Path(str(resources.files("kg") / "viewer_assets"))
STATIC_LAYOUT_THRESHOLD = 800   # above this many nodes: layout in Python, physics off
_EDGE_LABEL_THRESHOLD = 800     # above this many nodes: no edge labels drawn on the canvas
MAX_NODES = 2000                # default size of the overview
# Sources embedded per entity of the overview / outside it (the panel says how many more):
EVIDENCE_CAP, EVIDENCE_CAP_OUTSIDE = 5, 2     # sentences per fact or position
ARTICLE_CAP, ARTICLE_CAP_OUTSIDE = 30, 5      # articles per entity
MENTION_CAP = 10                              # mentions per entity (overview only)
_BATCH = 500                    # IRIs per VALUES block

_TYPE_RANK = {t: i for i, t in enumerate(ENTITY_TYPES)}  # Official before Person, Bureau before Organization
_KG_NS = iri.KG_NS
_TYPE_IRIS = {_KG_NS + t: t for t in ENTITY_TYPES}
_FIRST_TYPES = {"Bureau", "Official"}
FIRST_WEIGHT = 2                # their degree counts double when choosing the overview
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
# --------------------------------------------------------------------------- assets

@lru_cache(maxsize=None)
def _labels() -> tuple[dict, dict]:
    """(types, predicates) from viewer_assets/labels.tsv, validated with file:line errors."""
    path = ASSETS / "labels.tsv"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ResourceError(f"{path}: cannot read ({e})") from None
    types: dict[str, dict] = {}
    preds: dict[str, dict] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        kind = cells[0]
        if kind == "type":
            if len(cells) != 4 or not re.fullmatch(r"#[0-9a-fA-F]{6}", cells[3]):
                raise ResourceError(f"{path}:{n}: expected type<TAB>name<TAB>label<TAB>#rrggbb")
            if cells[1] not in _TYPE_RANK:
                raise ResourceError(f"{path}:{n}: unknown entity type {cells[1]!r}")
            types[cells[1]] = {"zh": cells[2], "colour": cells[3].lower()}
        elif kind == "predicate":
            if len(cells) != 3 or not cells[1] or not cells[2]:
                raise ResourceError(f"{path}:{n}: expected predicate<TAB>name<TAB>label")
            preds[cells[1]] = {"zh": cells[2]}
        else:
            raise ResourceError(f"{path}:{n}: unknown kind {kind!r} (expected type or predicate)")
    missing = [t for t in ENTITY_TYPES if t not in types]
    if missing:
        raise ResourceError(f"{path}: no display entry for type(s) {', '.join(missing)}")
    return types, preds


def _vis_file(name: str) -> str:
    """A file of the vis-network build shipped inside the pyvis package."""
    try:   # found without importing pyvis (its import costs a fifth of a second)
        spec = importlib.util.find_spec("pyvis")
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError("no module named 'pyvis'")
        base = Path(list(spec.submodule_search_locations)[0]) / "lib" / "vis-9.1.2"
        return (base / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as e:
        raise ResourceError(f"vis-network's {name} not found in the pyvis package ({e}); "
                            "reinstall pyvis>=0.3.2") from None


def _asset(name: str) -> str:
    path = ASSETS / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise ResourceError(f"{path}: viewer asset missing or unreadable ({e})") from None


def _inline(code: str, tag: str, what: str) -> str:
    """Code safe to place inside <tag>…</tag>: it must not close the element early."""
    if re.search(rf"</{tag}|<!--", code, re.IGNORECASE):
        raise ResourceError(f"{what} contains '</{tag}' or '<!--' and cannot be inlined")
    return code


# --------------------------------------------------------------------------- reading

_PREFIXES = """PREFIX kg: <https://w3id.org/gongan-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_TYPE_VALUES = " ".join(f"kg:{t}" for t in ENTITY_TYPES)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] or iri


def _key(term) -> str | None:
    """A node's key: the IRI, or _:id for a blank node; None for a literal."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return None


def _lit_rank(lit) -> tuple:
    """Preferred literal first: @zh, then untagged, then any; ties by text."""
    lang = lit.language or ""
    return (0 if lang.startswith("zh") else 1 if not lang else 2, lit.value)


def _keep(bucket: list, item, cap: int) -> None:
    """Keep the `cap` smallest distinct items, sorted."""
    i = bisect.bisect_left(bucket, item)
    if i < len(bucket) and bucket[i] == item:
        return
    if len(bucket) < cap:
        bucket.insert(i, item)
    elif i < cap:
        bucket.insert(i, item)
        bucket.pop()


class _Capped:
    """Per-key capped lists of the smallest items, and how many items each key saw."""

    def __init__(self):
        self.items, self.count = defaultdict(list), defaultdict(int)

    def add(self, k, item, cap: int) -> None:
        self.count[k] += 1
        _keep(self.items[k], item, cap)


def _iri_values(keys) -> str:
    return " ".join(f"<{k}>" for k in keys)


def _to_store(graph: rdflib.Graph) -> ox.Store:
    """An Oxigraph store whose default graph holds `graph`'s triples: the store itself for
    a Graph over an Oxigraph store's default graph (oxrdflib, kg.store.open_store), else a
    temporary in-memory copy."""
    import rdflib   # only here: a build's page (kg.pool.Beside) never loads it
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if not isinstance(graph, rdflib.Graph):
        raise GraphError(f"render_html expects an rdflib.Graph, got {type(graph).__name__}")
    inner = getattr(graph.store, "_inner", None)
    if isinstance(inner, ox.Store) and graph.identifier == DATASET_DEFAULT_GRAPH_ID \
            and not isinstance(graph, rdflib.ConjunctiveGraph):
        return inner
    cache: dict = {}

    def term(t):
        x = cache.get(t)
        if x is None:
            if isinstance(t, rdflib.URIRef):
                x = ox.NamedNode(str(t))
            elif isinstance(t, rdflib.BNode):
                x = ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(t)) or "b")
            elif t.language:
                x = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None:
                x = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                x = ox.Literal(str(t))
            cache[t] = x
        return x

    store = ox.Store()
    quads = []
    for s, p, o in graph.triples((None, None, None)):
        try:
            quads.append(ox.Quad(term(s), term(p), term(o)))
        except (ValueError, TypeError):  # an IRI or language tag Oxigraph refuses: skip it
            continue
    store.extend(quads)
    return store


def _overview_key(degree: int, type_: str, iri: str) -> tuple:
    """Rank for the overview, best first: connected before isolated; then by degree, where
    bureaus and officials count FIRST_WEIGHT times (so they come first among entities of
    comparable degree, without crowding out the campaigns and cases they are linked to);
    then bureaus and officials first; then by IRI."""
    first = type_ in _FIRST_TYPES
    return (degree == 0, -degree * (FIRST_WEIGHT if first else 1), not first, iri)


class _StoreSource:
    """What the page needs, read from an Oxigraph store with SPARQL (streamed).  Keys are IRIs
    (`_:id` for blank nodes); literals come with their preference rank (`_lit_rank`)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def entity_types(self):
        """(entity, type name) for every typed entity; an entity may have several."""
        for e, t in self._q(f"SELECT ?e ?t WHERE {{ VALUES ?t {{ {_TYPE_VALUES} }} ?e a ?t }}"):
            k = _key(e)
            if k is not None:
                yield k, _TYPE_IRIS[t.value]

    def entity_statements(self):
        """What the entities say, one pass over the subject index: (entity, "label", rank),
        (entity, "alias", text), (entity, "position", text), (entity, "edge", predicate's
        local name, object) for kg: triples whose object is a resource."""
        label_p, alt_p, pos_p = RDFS_LABEL, SKOS_ALT, _KG_NS + "holdsPosition"
        for s, p, o in self._q(f"SELECT ?s ?p ?o WHERE {{ VALUES ?t {{ {_TYPE_VALUES} }} ?s a ?t . "
                               f"?s ?p ?o FILTER(?p != rdf:type && ?p != kg:mentionedIn) }}"):
            k, pv = _key(s), p.value
            if isinstance(o, ox.Literal):
                if pv == label_p:
                    yield k, "label", _lit_rank(o), None
                elif pv == alt_p:
                    yield k, "alias", o.value, None
                elif pv == pos_p:
                    yield k, "position", o.value, None
            elif pv.startswith(_KG_NS):
                yield k, "edge", _local(pv), _key(o)

    def fact_sources(self):
        """(subject, predicate's local name, object key, sentences, count) of every fact whose
        object is a resource, and (subject, None, literal text, ...) where it is a literal: the
        first EVIDENCE_CAP sentences of its evidence nodes by IRI, and how many nodes there are."""
        found = _Capped()
        for s, p, o, d in self._q("SELECT ?s ?p ?o ?d WHERE { ?r rdf:subject ?s ; rdf:predicate ?p ; "
                                  "rdf:object ?o ; prov:wasDerivedFrom ?d }"):
            d = _key(d)
            if d is None:
                continue
            if isinstance(o, ox.Literal):
                found.add((_key(s), None, o.value), d, EVIDENCE_CAP)
            elif isinstance(p, ox.NamedNode):
                found.add((_key(s), _local(p.value), _key(o)), d, EVIDENCE_CAP)
        for k, items in found.items.items():
            yield *k, items, found.count[k]

    def entity_articles(self):
        """(entity, articles, count): the first ARTICLE_CAP articles mentioning it by IRI, and how many."""
        found = _Capped()
        for e, a in self._q("SELECT ?e ?a WHERE { ?e kg:mentionedIn ?a }"):
            a = _key(a)
            if a is not None:
                found.add(_key(e), a, ARTICLE_CAP)
        for e, items in found.items.items():
            yield e, items, found.count[e]

    def mentions(self, keys):
        """(entity, [(sentence, surface)], count): per entity of `keys` the first MENTION_CAP by
        sentence then surface, and how many mentions it has."""
        found = _Capped()
        for e, surf, d in self._values(
                keys, "SELECT ?x ?surf ?d WHERE { VALUES ?x { %s } LATERAL { SELECT ?x ?surf ?d "
                "WHERE { ?m kg:denotes ?x ; kg:surface ?surf ; prov:wasDerivedFrom ?d } ORDER BY ?d ?surf LIMIT "
                f"{MENTION_CAP} }} }}"):
            d = _key(d)
            if d:
                found.add(_key(e), (d, surf.value), MENTION_CAP)
        for e, n in self._values(keys, "SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES ?x { %s } "
                                 "?m kg:denotes ?x } GROUP BY ?x"):
            e = _key(e)
            if e in found.items:
                found.count[e] = int(n.value)
        for e, items in found.items.items():
            yield e, items, found.count[e]

    def sentences(self, keys):
        """(sentence, text rank, article or None, index or -1)."""
        for s, text, part, idx in self._values(
                keys, "SELECT ?x ?text ?a ?i WHERE { VALUES ?x { %s } ?x kg:text ?text "
                "OPTIONAL { ?x dcterms:isPartOf ?a } OPTIONAL { ?x kg:index ?i } }"):
            try:
                n = int(idx.value) if idx is not None else -1
            except ValueError:
                n = -1
            yield _key(s), _lit_rank(text), _key(part) if part is not None else None, n

    def articles(self, keys):
        """(article, title rank or None, file, identifier, date), each None when absent."""
        for a, title, file, ident, date in self._values(
                keys, "SELECT ?x ?t ?f ?id ?date WHERE { VALUES ?x { %s } "
                "OPTIONAL { ?x dcterms:title ?t } OPTIONAL { ?x kg:sourceFile ?f } "
                "OPTIONAL { ?x dcterms:identifier ?id } OPTIONAL { ?x dcterms:date ?date } }"):
            yield (_key(a), _lit_rank(title) if title is not None else None,
                   file.value if file is not None else None, ident.value if ident is not None else None,
                   date.value if date is not None else None)

    def _q(self, query: str):
        try:
            return self.store.query(_PREFIXES + query)
        except (SyntaxError, OSError, ValueError) as e:
            raise GraphError(f"cannot read the store: {e}") from None

    def _values(self, keys, template: str):
        """Run `template` with its VALUES block filled, in batches (IRIs only)."""
        iris = sorted(k for k in keys if k and not k.startswith("_:"))
        for n in range(0, len(iris), _BATCH):
            yield from self._q(template % _iri_values(iris[n:n + _BATCH]))


class _TextOrder(dict):
    """Sentence index -> an int in the order of the index as text, as the sentences' IRIs
    have it (10 before 9): its digits read in base 11, one above their value, padded with 0
    to 12 places."""

    def __missing__(self, idx: int) -> int:
        digits = str(idx)
        if not 0 <= idx < 10 ** 12:
            raise ValueError(f"sentence index out of range: {idx}")
        code = 0
        for c in digits.ljust(12, "/"):   # "/" is the character before "0"
            code = code * 11 + ord(c) - ord("/")
        self[idx] = code
        return code


# A work store's sentence: its article's number x _PER_ARTICLE + its index's _TextOrder code (an
# odd factor, so that the ints' low bits, which place them in dicts and sets, vary by article).
_PER_ARTICLE = 11 ** 12


def _drain(owner, name: str):
    """Yield the items of the list `owner.name` (in reverse), each dropped as it is yielded."""
    items = getattr(owner, name)
    setattr(owner, name, [])
    while items:
        yield items.pop()


class WorkStoreSource:
    """The same, read from a build's work store (kg/workstore.py) instead of a graph: a build
    draws its page from the rows its articles left there, with the IRIs kg/iri.py gives them,
    so the page is the one its graph.ttl would give, without loading the graph anywhere.

    Entities are their IRIs; articles and sentences, whose IRIs the page does not show, are
    refs that sort as their IRIs do: an article is its IRI's digest, a sentence an int (its
    article's number in digest order, then its index as text, `_TextOrder`)."""

    def __init__(self, ws):
        self.ws = ws
        self._entities: dict[bytes, tuple[str, str]] = {}   # entity key (UTF-8) -> IRI, canonical name
        docs = sorted((iri.article(d).rpartition("/")[2], d) for d, _ in ws.sources())
        self._digest = {d: h for h, d in docs}                               # doc id -> digest
        self._first = {d: n * _PER_ARTICLE for n, (_, d) in enumerate(docs)}   # doc id -> ref of index 0
        self._code = _TextOrder()

    def entity_types(self):
        entities = self._entities
        for key, type_, label in self.ws.names():
            e = iri.entity(key)
            entities[key.encode()] = (e, label)
            yield e, type_

    def entity_statements(self):
        """As _StoreSource's, after `entity_types` (which read the labels).  Reads the mentions
        and the evidence, each table once, keeping what `entity_articles`, `mentions` and
        `fact_sources` give (capped)."""
        entities, first, digest, code = self._entities, self._first, self._digest, self._code
        for e, label in entities.values():
            yield e, "label", (0, label), None
        self._articles, self._mentions = [], {}
        for key, rows in groupby(self.ws.mentions(), itemgetter(0)):
            if key not in entities:
                continue
            e, label = entities[key]
            rows = list(rows)
            if len(rows) == 1:   # most entities
                (_, doc, idx, surface), = rows
                if surface != label:
                    yield e, "alias", surface, None
                self._articles.append((e, [digest[doc]], 1))
                self._mentions[e] = ([(first[doc] + code[idx], surface)], 1)
                continue
            for surface in {r[3] for r in rows} - {label}:
                yield e, "alias", surface, None
            arts = sorted({digest[r[1]] for r in rows})
            self._articles.append((e, arts[:ARTICLE_CAP], len(arts)))
            items = sorted({(first[doc] + code[idx], surface) for _, doc, idx, surface in rows})
            self._mentions[e] = (items[:MENTION_CAP], len(rows))
        self._facts = []
        for s, rows in groupby(self.ws.evidence(), itemgetter(0)):
            if s not in entities:
                continue
            e = entities[s][0]
            facts: dict[tuple, list[int]] = {}   # (predicate or None for a literal, object) -> sentences
            positions = set()
            for _, p, o, lit, doc, idx in rows:
                if lit:
                    if p == "holdsPosition":
                        positions.add(o)
                    p = None
                refs = facts.get((p, o))
                if refs is None:
                    facts[p, o] = [first[doc] + code[idx]]
                else:
                    refs.append(first[doc] + code[idx])
            for (p, o), refs in facts.items():
                if p is None:
                    o = o.decode()
                elif o in entities:
                    o = entities[o][0]
                    yield e, "edge", p, o
                else:
                    continue
                n = len(refs)
                if n > 1:
                    refs = sorted(set(refs))[:EVIDENCE_CAP]
                self._facts.append((e, p, o, refs, n))
            for o in positions:
                yield e, "position", o.decode(), None

    def fact_sources(self):
        yield from _drain(self, "_facts")

    def entity_articles(self):
        yield from _drain(self, "_articles")

    def mentions(self, keys):
        found, self._mentions = self._mentions, {}
        for e in keys:
            if e in found:
                yield e, *found[e]

    def sentences(self, refs):
        wanted, first, digest, code = set(refs), self._first, self._digest, self._code
        for doc, idx, text in self.ws.sentences():
            ref = first[doc] + code[idx]
            if ref in wanted:
                yield ref, (0, text), digest[doc], idx

    def articles(self, refs):
        wanted, digest = set(refs), self._digest
        for doc, source, title, date in self.ws.articles():
            if digest[doc] in wanted:
                yield digest[doc], (0, title) if title else None, source, doc, date or None


class _Collected:
    """What the page needs, from a source (`_StoreSource`, `WorkStoreSource`), capped."""

    def __init__(self, src, max_nodes: int, lazy: bool):
        self.timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name):
            nonlocal clock
            now = time.perf_counter()
            self.timings[name] = round(now - clock, 3)
            clock = now

        # Entities and their most specific type.
        rank: dict[str, int] = {}
        for k, t in src.entity_types():
            r = _TYPE_RANK[t]
            if r < rank.get(k, len(ENTITY_TYPES)):
                rank[k] = r
        keys = sorted(rank)
        tmp = {k: i for i, k in enumerate(keys)}
        lap("entities")
        # Names, positions and edges (kg: triples between two entities).
        labels: dict = {}
        alias: dict = defaultdict(set)
        positions: dict = defaultdict(set)
        edges = set()
        for s, kind, x, y in src.entity_statements():
            i = tmp.get(s)
            if i is None:
                continue
            if kind == "label":
                if i not in labels or x < labels[i]:
                    labels[i] = x
            elif kind == "alias":
                alias[i].add(x)
            elif kind == "position":
                positions[i].add(x)
            else:
                j = tmp.get(y)
                if j is not None:
                    edges.add((i, x, j))
        lap("names and edges")
        # The overview: see _overview_key.
        deg = [0] * len(keys)
        for a, _, b in edges:
            if a != b:
                deg[a] += 1
                deg[b] += 1
        ranked = sorted(range(len(keys)), key=lambda i: _overview_key(
            deg[i], ENTITY_TYPES[rank[keys[i]]], keys[i]))
        inside = set(ranked[:max(0, max_nodes)])
        order = sorted(inside) + sorted(set(range(len(keys))) - inside)  # each part by IRI
        new = {old: i for i, old in enumerate(order)}
        ov = self.overview = len(inside)
        self.keys = [keys[i] for i in order]
        self.index = index = {k: i for i, k in enumerate(self.keys)}
        self.node_type = [ENTITY_TYPES[rank[k]] for k in self.keys]
        self.node_label = [labels[old][1] if old in labels else _local(keys[old]) for old in order]
        self.node_alias = {new[i]: v - {self.node_label[new[i]]} for i, v in alias.items()}
        self.all_preds = sorted({p for _, p, _ in edges})
        edges = [(new[a], p, new[b]) for a, p, b in edges]   # still distinct: `new` is one-to-one
        self.total_edges = len(edges)
        if lazy:
            edges = [e for e in edges if e[0] < ov and e[2] < ov]
        edges.sort()
        self.edges = edges
        self.full = not lazy   # panel data embedded?
        self.node_pos = {} if lazy else {new[i]: v for i, v in positions.items()}
        del edges, tmp, ranked, labels, alias, positions
        lap("overview")
        self.edge_ev, self.pos_ev, self.node_articles, self.node_mentions = {}, {}, {}, {}
        self.articles, self.sentences = [], []
        if lazy:   # the page asks the endpoint for every panel
            return

        # Sources, capped (more for the overview): the first sentences / articles by IRI.
        edge_set = set(self.edges)
        edge_ev, pos_ev = {}, {}
        for s, p, o, refs, n in src.fact_sources():
            i = index.get(s)
            if i is None:
                continue
            if p is None:
                pos_ev[i, o] = (refs[:EVIDENCE_CAP if i < ov else EVIDENCE_CAP_OUTSIDE], n)
            else:
                e = (i, p, index.get(o))
                if e in edge_set:  # facts of embedded edges only
                    edge_ev[e] = (refs[:EVIDENCE_CAP if i < ov or e[2] < ov else EVIDENCE_CAP_OUTSIDE], n)
        del edge_set
        lap("evidence")
        node_arts = {}
        for e, refs, n in src.entity_articles():
            i = index.get(e)
            if i is not None:
                node_arts[i] = (refs[:ARTICLE_CAP if i < ov else ARTICLE_CAP_OUTSIDE], n)
        lap("articles of entities")
        # Mentions (surface form in its sentence), for the overview only: per entity, the
        # first MENTION_CAP by sentence IRI, and how many there are.
        mentions = {}
        for e, items, n in src.mentions(self.keys[:ov]):
            i = index.get(e)
            if i is not None:
                mentions[i] = (items, n)
        lap("mentions")

        # The sentences and articles referenced, fetched by IRI.
        sent_refs = {d for v, _ in edge_ev.values() for d in v}
        sent_refs |= {d for v, _ in pos_ev.values() for d in v}
        sent_refs |= {d for v, _ in mentions.values() for d, _ in v}
        sents = {}
        for k, text, part, n in src.sentences(sent_refs):
            old = sents.get(k)
            cand = (text, part or "", n)
            if old is None or cand < old:
                sents[k] = cand
        art_refs = {a for v, _ in node_arts.values() for a in v}
        art_refs |= {v[1] for v in sents.values() if v[1]}
        titles, files, idents = {}, {}, {}
        dates: dict = {}
        for k, title, file, ident, date in src.articles(art_refs):
            if title is not None and (k not in titles or title < titles[k]):
                titles[k] = title
            if file is not None:
                files[k] = min(files.get(k, file), file)
            if ident is not None:
                idents[k] = min(idents.get(k, ident), ident)
            if date is not None:
                dates[k] = min(dates.get(k, date), date)

        def art_title(a):
            return titles[a][1] if a in titles else files.get(a) or idents.get(a) or _local(a)

        art_key = {a: (art_title(a), files.get(a, ""), a) for a in art_refs}
        del titles, idents
        self.articles, article_ids = [], {}
        for a in sorted(art_refs, key=art_key.__getitem__):
            article_ids[a] = len(self.articles)
            entry = {"title": art_key[a][0], "file": art_key[a][1]}
            if a in dates:   # the article's date (dcterms:date), shown next to each source
                entry["date"] = dates[a]
            self.articles.append(entry)
        del art_key, files, dates
        # Sentences by article (those of none first), index, IRI: (text, article, index).
        order = sorted((article_ids.get(part, -1), n, s, text) for s, ((_, text), part, n) in sents.items())
        del sents
        self.sentences = [(text, a, n) for a, n, _, text in order]
        sentence_ids = {s: i for i, (_, _, s, _) in enumerate(order)}
        del order
        lap("sentences and articles")

        # Sources by number; a sentence cited but not found is left out.
        if len(sentence_ids) < len(sent_refs):
            found = sentence_ids.keys()
            edge_ev = {e: ([d for d in v if d in found], n) for e, (v, n) in edge_ev.items()}
            pos_ev = {k: ([d for d in v if d in found], n) for k, (v, n) in pos_ev.items()}
        sid, aid = sentence_ids.__getitem__, article_ids.__getitem__
        self.edge_ev = {e: (sorted(map(sid, v)), n) for e, (v, n) in edge_ev.items()}
        del edge_ev
        self.pos_ev = {k: (sorted(map(sid, v)), n) for k, (v, n) in pos_ev.items()}
        del pos_ev
        self.node_articles = {i: (sorted(map(aid, v)), n) for i, (v, n) in node_arts.items()}
        del node_arts
        self.node_mentions = {}
        for i, (items, n) in mentions.items():
            rows = [[surf, s, -1] for s, surf in
                    sorted((sentence_ids[d], surf) for d, surf in items if d in sentence_ids)]
            self.node_mentions[i] = (rows, max(n, len(rows)))
        lap("sources by number")


# --------------------------------------------------------------------------- layout

def _layout(n: int, edges: list[tuple[int, str, int]]) -> list[tuple[float, float]]:
    """Deterministic positions: a radial tree per connected component (BFS from the
    highest-degree node, each subtree gets an angular wedge proportional to its size),
    components packed on shelves, largest first.  O(n log n)."""
    adj: list[set] = [set() for _ in range(n)]
    for a, _, b in edges:
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    deg = [len(x) for x in adj]
    order = sorted(range(n), key=lambda i: (-deg[i], i))
    place = [0] * n   # node -> its place in `order`
    for k, i in enumerate(order):
        place[i] = k
    seen = [False] * n
    comps = []
    for root in order:
        if seen[root]:
            continue
        seen[root] = True
        parent = {root: -1}
        bfs = [root]
        children: dict[int, list[int]] = defaultdict(list)
        k = 0
        while k < len(bfs):
            u = bfs[k]
            k += 1
            for v in sorted(adj[u], key=place.__getitem__):
                if not seen[v]:
                    seen[v] = True
                    parent[v] = u
                    children[u].append(v)
                    bfs.append(v)
        comps.append((root, bfs, children))

    ring, gap = 170.0, 60.0
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    placed = []
    for root, bfs, children in comps:
        size = {}
        for u in reversed(bfs):
            size[u] = 1 + sum(size[c] for c in children.get(u, ()))
        depth = {root: 0}
        for u in bfs:
            for c in children.get(u, ()):
                depth[c] = depth[u] + 1
        per_depth: dict[int, int] = defaultdict(int)
        for u in bfs:
            per_depth[depth[u]] += 1
        radius = {0: 0.0}
        for d in range(1, max(depth.values()) + 1):
            radius[d] = max(radius[d - 1] + ring, per_depth[d] * gap / (2 * math.pi))
        local = {root: (0.0, 0.0)}
        wedge = {root: (0.0, 2 * math.pi)}
        for u in bfs:
            lo, hi = wedge[u]
            kids = children.get(u, ())
            total = sum(size[c] for c in kids) or 1
            a = lo
            for c in kids:
                span = (hi - lo) * size[c] / total
                wedge[c] = (a, a + span)
                mid = a + span / 2
                r = radius[depth[c]]
                local[c] = (r * math.cos(mid), r * math.sin(mid))
                a += span
        extent = max(radius.values()) + gap
        placed.append((extent, bfs, local))

    # Shelf packing: rows of components, row width ~ sqrt of the total area.
    total_area = sum((2 * e) ** 2 for e, _, _ in placed)
    row_width = max(math.sqrt(total_area) * 1.2, max((2 * e for e, _, _ in placed), default=0))
    x = y = row_h = 0.0
    for extent, bfs, local in placed:
        w = 2 * extent
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h, 0.0
        cx, cy = x + extent, y + extent
        for u in bfs:
            lx, ly = local[u]
            pos[u] = (cx + lx, cy + ly)
        x += w
        row_h = max(row_h, w)
    # Centre on the origin.
    if n:
        mx = (min(p[0] for p in pos) + max(p[0] for p in pos)) / 2
        my = (min(p[1] for p in pos) + max(p[1] for p in pos)) / 2
        pos = [(p[0] - mx, p[1] - my) for p in pos]
    return [(round(px, 1), round(py, 1)) for px, py in pos]


# --------------------------------------------------------------------------- page

def _check_store(store) -> None:
    if not isinstance(store, ox.Store):
        raise GraphError(f"expected a pyoxigraph.Store, got {type(store).__name__}")


def _endpoint_origin(endpoint: str) -> str:
    """The CSP source for `endpoint`: 'self' for a path, else scheme://host[:port]."""
    if not isinstance(endpoint, str) or re.search(r"[\s'\";,<>\\`]", endpoint) or not endpoint:
        raise GraphError(f"invalid SPARQL endpoint URL {endpoint!r}")
    if endpoint.startswith("/") and not endpoint.startswith("//"):
        return "'self'"
    u = urllib.parse.urlsplit(endpoint)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise GraphError(f"invalid SPARQL endpoint URL {endpoint!r}: use http(s)://host[:port]/path or /path")
    return f"{u.scheme}://{u.netloc}"


def graph_data_from_store(store: ox.Store, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES,
                          endpoint: str | None = None) -> dict:
    """The JSON-ready data the page is drawn from (useful in notebooks and tests)."""
    _check_store(store)
    return _graph_data(_StoreSource(store), title=title, max_nodes=max_nodes, endpoint=endpoint)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection inside: a page's data is hundreds of thousands of
    containers, each walked again by every full collection, which finds next to nothing to
    free.  Used where the data is dropped before the end, so that it never reaches one."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Items:
    """A list in the page's data made on demand: `make()` gives its items.  The page's
    writer encodes them in batches, each dropped in turn (`_json_pieces`), so that the
    largest lists (nodes, edges, sentences) never exist whole as Python objects."""

    def __init__(self, make):
        self.make = make

    def batches(self, size: int = 2000):
        items = iter(self.make())
        while batch := list(islice(items, size)):
            yield batch


def _sections(src, *, title: str, max_nodes: int, endpoint: str | None) -> dict:
    """The page's data: `_graph_data`'s, with its largest lists as `_Items`."""
    if endpoint is not None:
        _endpoint_origin(endpoint)
    types, preds = _labels()
    c = _Collected(src, max_nodes, lazy=endpoint is not None)
    n, ov = len(c.keys), c.overview
    static = ov > STATIC_LAYOUT_THRESHOLD
    xy = _layout(ov, [e for e in c.edges if e[0] < ov and e[2] < ov])
    pred_names = sorted(set(c.all_preds) | set(preds) | {"holdsPosition"})
    pred_idx = {p: i for i, p in enumerate(pred_names)}
    counts = defaultdict(int)
    for t in c.node_type:
        counts[t] += 1

    def nodes():
        alias, positions, pos_ev = c.node_alias, c.node_pos, c.pos_ev
        articles, mentions = c.node_articles, c.node_mentions
        for i, (type_, label, key) in enumerate(zip(c.node_type, c.node_label, c.keys)):
            node = {"t": _TYPE_RANK[type_], "l": label, "iri": key}
            if i < ov:
                node["x"], node["y"] = xy[i]
            if alias.get(i):
                node["a"] = sorted(alias[i])
            if not c.full:
                node["q"] = 1   # sources not embedded: ask the endpoint
            if positions.get(i):
                rows = []
                for p in sorted(positions[i]):
                    ev, total = pos_ev.get((i, p), ([], 0))
                    rows.append([p, ev] + ([total] if total > len(ev) else []))
                node["p"] = rows
            if i in articles:
                arts, total = articles[i]
                node["ar"] = arts
                if total > len(arts):
                    node["arn"] = total
            if i in mentions:
                rows, total = mentions[i]
                node["m"] = rows
                if total > len(rows):
                    node["mn"] = total
            yield node

    def edges():
        edge_ev = c.edge_ev
        for e in c.edges:
            ev, total = edge_ev.get(e) or ([], 0)
            edge = {"f": e[0], "to": e[2], "p": pred_idx[e[1]], "ev": ev}
            if total > len(ev):
                edge["en"] = total
            yield edge

    def sentences():
        for text, a, i in c.sentences:
            yield {"text": text, "a": a, "i": i}

    data = {
        "title": title,
        "static": static,
        "edgeLabels": ov <= _EDGE_LABEL_THRESHOLD,
        "overview": ov,
        "omitted": n - ov,
        "totalEdges": c.total_edges,
        "types": [{"name": t, "zh": types[t]["zh"], "colour": types[t]["colour"],
                   "count": counts[t]} for t in ENTITY_TYPES],
        "preds": [{"name": p, "zh": preds.get(p, {}).get("zh", p)} for p in pred_names],
        "nodes": _Items(nodes),
        "edges": _Items(edges),
        "articles": c.articles,
        "sentences": _Items(sentences),
    }
    if endpoint is not None:
        data["endpoint"] = endpoint
    return data


def _graph_data(src, *, title: str, max_nodes: int, endpoint: str | None) -> dict:
    return {k: list(v.make()) if isinstance(v, _Items) else v
            for k, v in _sections(src, title=title, max_nodes=max_nodes, endpoint=endpoint).items()}


def graph_data(graph: rdflib.Graph, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES,
               endpoint: str | None = None) -> dict:
    """graph_data_from_store for an rdflib graph (loaded into a temporary store)."""
    return graph_data_from_store(_to_store(graph), title=title, max_nodes=max_nodes, endpoint=endpoint)


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                           check_circular=False).encode   # the data has no cycles; checking costs a tenth


def _script_safe(text: str) -> str:
    """JSON that cannot end the <script> element or open markup: <, >, & as \\u escapes."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json_pieces(data: dict):
    """json.dumps(data) with _ENCODE's options, as pieces of text, each safe inside a script
    element: `_Items` are encoded a batch at a time (a list's text is its items' joined by ",")."""
    yield "{"
    for n, key in enumerate(sorted(data)):
        value = data[key]
        yield ("," if n else "") + _ENCODE(key) + ":"
        if isinstance(value, _Items):
            sep = "["
            for batch in value.batches():
                yield sep + _script_safe(_ENCODE(batch)[1:-1])
                sep = ","
            yield "[]" if sep == "[" else "]"
        else:
            yield _script_safe(_ENCODE(value))
    yield "}"


_SLOT = re.compile(r"/\*@(\w+)@\*/")


def _page(data: dict) -> str:
    return "".join(_page_parts(data))


def _page_parts(data: dict):
    """The page as pieces of text (the template's, its slots', the data's in pieces), not
    joined: the page of a large build is tens of megabytes, most of it data."""
    title = data["title"]
    endpoint = data.get("endpoint")
    slots = {
        "TITLE": html.escape(title),
        "CONNECT": "connect-src " + html.escape(_endpoint_origin(endpoint), quote=False) + "; " if endpoint else "",
        "VIS_CSS": _inline(_vis_file("vis-network.css"), "style", "vis-network.css"),
        "VIEWER_CSS": _inline(_asset("viewer.css"), "style", "viewer.css"),
        "VIS_JS": _inline(_vis_file("vis-network.min.js"), "script", "vis-network.min.js"),
        "VIEWER_JS": _inline(_asset("viewer.js"), "script", "viewer.js"),
    }
    template = _asset("template.html")
    missing = (set(slots) | {"DATA"}) - set(_SLOT.findall(template))
    if missing:
        raise ResourceError(f"{ASSETS / 'template.html'}: missing slot(s) {sorted(missing)}")
    # One pass, so inserted text is never scanned for slots again.
    for i, x in enumerate(_SLOT.split(template)):   # text, slot name, text, …
        if i % 2 == 0:
            yield x
        elif x == "DATA":
            yield from _json_pieces(data)
        else:
            yield slots.get(x, f"/*@{x}@*/")


@_gc_paused()
def render_html_from_store(store: ox.Store, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES,
                           endpoint: str | None = None) -> str:
    """The whole page as a string: self-contained, deterministic; offline unless `endpoint`
    (a SPARQL endpoint URL, absolute or a path on the page's server) is given."""
    _check_store(store)
    return _page(_sections(_StoreSource(store), title=title, max_nodes=max_nodes, endpoint=endpoint))


def render_html(graph: rdflib.Graph, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES,
                endpoint: str | None = None) -> str:
    """render_html_from_store for an rdflib graph (small graphs, notebooks)."""
    return render_html_from_store(_to_store(graph), title=title, max_nodes=max_nodes, endpoint=endpoint)


def _write(page, out: Path, chunk: int = 1 << 20) -> Path:
    """Write a page (text, or an iterable of its pieces), the pieces joined into chunks of
    about `chunk` characters, each encoded and dropped as it is written: a large page's text
    and bytes are never whole at once."""
    def chunks():
        held, size = [], 0
        for piece in page:
            held.append(piece)
            size += len(piece)
            if size >= chunk:
                yield "".join(held).encode("utf-8")
                held, size = [], 0
        yield "".join(held).encode("utf-8")
    out = Path(out)
    write_atomic(page.encode("utf-8") if isinstance(page, str) else chunks(), out,
                 what="cannot write the viewer page")
    return out


def write_html_from_store(store: ox.Store, out: Path, *, title: str = "gongan-kg",
                          max_nodes: int = MAX_NODES, endpoint: str | None = None) -> Path:
    """Render and write atomically (temp file in the same folder, then os.replace)."""
    return _write(render_html_from_store(store, title=title, max_nodes=max_nodes, endpoint=endpoint), out)


@_gc_paused()
def write_html_from_workstore(ws, out: Path, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES) -> Path:
    """A build's page, from its work store (kg/workstore.py): the same page as
    write_html_from_store on the build's graph, read from the reduce's rows."""
    return _write(_page_parts(_sections(WorkStoreSource(ws), title=title, max_nodes=max_nodes, endpoint=None)), out)


def write_build_page(out_dir: Path, cache: Path, *, title: str = "gongan-kg") -> Path:
    """A build's graph.html in `out_dir`, drawn from its work store at `cache` (kg/workstore.py)
    through a read-only connection of its own: memory bounded by the number of entities and
    edges, not of triples.  The build runs it in a process of its own (kg.pool.Beside)."""
    from .workstore import WorkStore

    ws = WorkStore.reader(cache)
    try:
        return write_html_from_workstore(ws, Path(out_dir) / "graph.html", title=title)
    except KeyError as e:   # a row of an article the store does not list: the store is damaged
        raise GraphError(f"{cache}: the work store is inconsistent (no article {e}); delete it and "
                         "build again") from None
    finally:
        ws.close()


def write_html(graph: rdflib.Graph, out: Path, *, title: str = "gongan-kg", max_nodes: int = MAX_NODES,
               endpoint: str | None = None) -> Path:
    """Render and write atomically (temp file in the same folder, then os.replace)."""
    return _write(render_html(graph, title=title, max_nodes=max_nodes, endpoint=endpoint), out)


# --------------------------------------------------------------------------- pyvis

def _tooltip(types: list, t: int, label: str, aliases: list) -> str:
    """The node tooltip, as the page's: plain text."""
    tip = types[t]["zh"] + " / " + types[t]["name"] + "\n" + label
    if aliases:
        tip += "\n别名 / aliases: " + "、".join(aliases)
    return tip


def to_pyvis(graph, *, max_nodes: int | None = MAX_NODES, notebook: bool = False,
             height: str = "750px", width: str = "100%", cdn_resources: str = "in_line", **kwargs):
    """A pyvis.network.Network of the entity graph (an rdflib.Graph or a pyoxigraph.Store):
    the viewer's overview (at most `max_nodes` entities; None for all) with the same colours,
    labels and tooltips, and edges labelled with their predicate.

    Tooltips are plain text; pyvis switches to an HTML popup (innerHTML) when any node title
    contains "href", so the returned network HTML-escapes our titles at render time in that
    case (and only then: plain-text tooltips stay unescaped).  Other keyword arguments go to
    pyvis.network.Network."""
    try:
        from pyvis.network import Network
    except ImportError as e:
        raise ResourceError(f"pyvis is not installed ({e}); pip install pyvis") from None
    store = graph if isinstance(graph, ox.Store) else _to_store(graph)
    data = graph_data_from_store(store, max_nodes=len(store) + 1 if max_nodes is None else max_nodes)
    types, preds, nodes = data["types"], data["preds"], data["nodes"]
    ov = data["overview"]

    class _Net(Network):
        _kg_ids: set = set()

        def generate_html(self, *args, **kw):
            link = any("href" in str(n.get("title") or "") for n in self.nodes)
            saved = []
            if link:  # the popup will use innerHTML: our text must be escaped
                for n in self.nodes:
                    if n["id"] in self._kg_ids and n.get("title"):
                        saved.append((n, n["title"]))
                        n["title"] = html.escape(n["title"]).replace("\n", "<br>")
            try:
                return super().generate_html(*args, **kw)
            finally:
                for n, t in saved:
                    n["title"] = t

    net = _Net(height=height, width=width, directed=True, notebook=notebook,
               cdn_resources=cdn_resources, **kwargs)
    net._kg_ids = set(range(ov))
    deg = defaultdict(int)
    for e in data["edges"]:
        if e["f"] < ov and e["to"] < ov:
            deg[e["f"]] += 1
            deg[e["to"]] += 1
    for i in range(ov):
        n = nodes[i]
        colour = types[n["t"]]["colour"]
        net.add_node(i, label=n["l"], title=_tooltip(types, n["t"], n["l"], n.get("a", [])),
                     color=colour, size=9 + min(18, 3 * math.sqrt(deg[i])), shape="dot")
    for e in data["edges"]:
        if e["f"] < ov and e["to"] < ov:
            p = preds[e["p"]]
            net.add_edge(e["f"], e["to"], label=p["zh"], arrows="to",
                         title=nodes[e["f"]]["l"] + " —" + p["zh"] + " / " + p["name"] + "→ "
                         + nodes[e["to"]]["l"])
    return net
