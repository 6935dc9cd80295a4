"""All IRI minting, in one place.

IRIs are opaque and deterministic: a type segment plus a hash of the normalised identity,
so they are valid in Turtle, N-Triples and SPARQL whatever a label contains, and the same
input always gives the same IRI.  Names live in rdfs:label, never in the IRI.

IRIs are plain strings here, so that Resolve can mint keys without rdflib; kg/rdf.py writes
them as Turtle and holds the rdflib namespaces KG and ID.
"""
from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

KG_NS = "https://w3id.org/gongan-kg/ontology#"
ID_NS = "https://w3id.org/gongan-kg/id/"

_DIGEST = 16  # hex characters: 64 bits, ample for any corpus


def normalise(text: str) -> str:
    """NFKC and folded white space: the form identities are hashed from."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@lru_cache(maxsize=1 << 14)   # an article names its entities and itself many times
def _digest(*parts: str) -> str:
    joined = "\x1f".join(normalise(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:_DIGEST]


def entity_key(type_: str, name: str, doc_id: str | None = None) -> str:
    """The identity of an entity: type + name, scoped to one article when `doc_id` is given
    (anonymised people such as 徐某 are never merged across articles)."""
    def esc(part: str) -> str:   # '|' separates the parts: keep it out of them
        return normalise(part).replace("%", "%25").replace("|", "%7C")
    return f"{type_}|{esc(name)}" + (f"|{esc(doc_id)}" if doc_id else "")


def entity(key: str) -> str:
    type_ = key.split("|", 1)[0]
    return f"{ID_NS}{type_.lower()}/{_digest(key)}"


def article(doc_id: str) -> str:
    return f"{ID_NS}article/{_digest(doc_id)}"


def sentence(doc_id: str, index: int) -> str:
    return f"{ID_NS}sentence/{_digest(doc_id)}-{index}"


def mention(entity_key_: str, doc_id: str, index: int, surface: str) -> str:
    return f"{ID_NS}mention/{_digest(entity_key_, doc_id, str(index), surface)}"


def evidence(subject: str, predicate: str, obj: str, doc_id: str, index: int) -> str:
    return f"{ID_NS}evidence/{_digest(subject, predicate, obj, doc_id, str(index))}"


def fact(subject: str, predicate: str, obj: str, literal: bool) -> str:
    """The one node (kg:Fact) of a distinct fact: subject key, predicate, object key or literal."""
    return f"{ID_NS}fact/{_digest(subject, predicate, 'literal' if literal else 'entity', obj)}"


def observation(doc_id: str, sentence_index: int, n: int) -> str:
    """The n-th figure of a sentence (kg:Observation)."""
    return f"{ID_NS}observation/{_digest(doc_id)}-{sentence_index}-{n}"


def article_graph(doc_id: str) -> str:
    """Named graph holding the facts one article states (TriG / N-Quads export)."""
    return f"{ID_NS}graph/{_digest(doc_id)}"
