"""Resolution across articles: which mentions are one entity, and what the entity is called.

Identity is local: (type, normalised name), so 钱大伟 in two articles is one node without either
article knowing of the other, and the reduce step is a union.  Officials and other persons share
an identity (one node, typed Official when any article gives a post).  Campaigns with the same
quoted core (“三服务” and “三服务”活动) are one campaign.  Anonymised people (徐某) are scoped to
their article and never merged.

What does need the whole corpus, the canonical name and the final type, is decided by rules over
counts (`best_name`, `final_type`) that the reduce store (kg/workstore.py) evaluates on disk.
`resolve` runs the same rules in memory, for notebooks and tests.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

from . import iri, lexicon
from .model import ArticleResult, Corpus, Entity, Mention, Relation

_QUOTES = re.compile(r"[“”‘’\"'《》〈〉「」『』【】()（）\[\]［］\s]")
_dots = lexicon.translator(str.maketrans({c: "·" for c in "·•・‧∙⋅．"}))
_CORE = re.compile(r"“([^“”]+)”")
# Types that share one identity: an Official is a Person with a post.
_IDENTITY_TYPE = {"Official": "Person"}
_SHARING = {ident: (ident, *(t for t, i in _IDENTITY_TYPE.items() if i == ident))
            for ident in set(_IDENTITY_TYPE.values())}   # Person -> (Person, Official)


def match_key(name: str) -> str:
    """The form two names are compared in (as the annotation guidelines compare them)."""
    s = _dots(unicodedata.normalize("NFKC", name))
    return _QUOTES.sub("", s).lower()


def _name_key(type_: str, name: str) -> str:
    if type_ == "Campaign":
        m = _CORE.match(name)
        if m:
            return match_key(m.group(1))
    return match_key(name)


def identity(type_: str, name: str, doc_id: str | None = None) -> str:
    """The entity key of a (type, name): the same in every article.  `doc_id` scopes it to one
    article (anonymised people)."""
    return iri.entity_key(_IDENTITY_TYPE.get(type_, type_), _name_key(type_, name), doc_id)


def mention_key(m: Mention) -> str:
    return identity(m.type, m.name, m.doc_id if m.anonymous else None)


def best_name(counts: dict[str, int]) -> str:
    """The canonical name among the names used for one entity: the most used; ties -> the
    longest, then the first in code order."""
    return min(counts, key=lambda n: (-counts[n], -len(n), n))


def final_type(types) -> str:
    """Official when any article gives the person a post."""
    types = set(types)
    return "Official" if "Official" in types else min(types)


def article_keys(result: ArticleResult) -> dict[tuple[str, str], str]:
    """(type, name) endpoints of this article's facts -> entity keys.  An endpoint that names no
    mention of the article resolves as a named entity; anonymous names stay in the article."""
    out: dict[tuple[str, str], str] = {}
    for m in result.mentions:
        k = mention_key(m)
        ident = _IDENTITY_TYPE.get(m.type, m.type)
        for t in _SHARING.get(ident, (m.type,)):
            out.setdefault((t, m.name), k)
    return out


def article_facts(result: ArticleResult, keys: dict[tuple[str, str], str] | None = None
                  ) -> dict[tuple[str, str, str, bool], set[int]]:
    """The article's facts resolved to entity keys: (subject, predicate, object key or literal,
    is-literal) -> the sentences that state it.  Facts about no entity of the article, or about
    an entity and itself, are dropped."""
    keys = article_keys(result) if keys is None else keys
    out: dict[tuple[str, str, str, bool], set[int]] = defaultdict(set)
    for f in result.facts:
        s = keys.get(tuple(f.subject))
        if s is None:
            continue
        if isinstance(f.object, str):
            out[(s, f.predicate, f.object, True)].add(f.sentence)
            continue
        o = keys.get(tuple(f.object))
        if o is not None and o != s:
            out[(s, f.predicate, o, False)].add(f.sentence)
    return out


def resolve(results: list[ArticleResult]) -> Corpus:
    """The reduce step in memory (notebooks, tests): the same rules as the on-disk build."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for r in results:
        for m in r.mentions:
            groups[mention_key(m)].append(m)
    entities: dict[str, Entity] = {}
    for key in sorted(groups):
        ms = groups[key]
        entities[key] = Entity(key, final_type(m.type for m in ms),
                               best_name(Counter(m.name for m in ms)), ms)
    evidence: dict[tuple[str, str, str, bool], set[tuple[str, int]]] = defaultdict(set)
    for r in results:
        for fact, sentences in article_facts(r).items():
            evidence[fact].update((r.document.doc_id, i) for i in sentences)
    relations = [Relation(s, p, o, lit, tuple(sorted(ev)))
                 for (s, p, o, lit), ev in sorted(evidence.items())]
    documents = sorted((r.document for r in results), key=lambda d: d.doc_id)
    return Corpus(documents, entities, relations, sorted(results, key=lambda r: r.document.doc_id))
