"""Resolution across articles (the reduce step): mentions -> entities, facts -> relations.

Identity is (type, normalised name), so 钱大伟 in two articles is one node.  A name that one
article uses as an alias of an entity (永康公安 -> 永康市公安局) resolves to that entity in every
article.  Campaigns with the same quoted core (“三服务” and “三服务”活动) are one campaign.
Anonymised people (徐某) are scoped to their article and never merged.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

from . import iri
from .model import ArticleResult, Corpus, Entity, Mention, Relation

_QUOTES = re.compile(r"[“”‘’\"'《》〈〉「」『』【】()（）\[\]［］\s]")
_DOTS = str.maketrans({c: "·" for c in "·•・‧∙⋅．"})


def match_key(name: str) -> str:
    """The form two names are compared in (as the annotation guidelines compare them)."""
    s = unicodedata.normalize("NFKC", name).translate(_DOTS)
    return _QUOTES.sub("", s).lower()


def _campaign_core(name: str) -> str:
    m = re.match(r"“([^“”]+)”", name)
    return match_key(m.group(1)) if m else match_key(name)


def _group_key(m: Mention) -> tuple[str, str]:
    if m.anonymous:
        return (m.type, f"{match_key(m.name)}|{m.doc_id}")
    if m.type == "Campaign":
        return (m.type, _campaign_core(m.name))
    return (m.type, match_key(m.name))


def resolve(results: list[ArticleResult]) -> Corpus:
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for r in results:
        for m in r.mentions:
            groups[_group_key(m)].append(m)
    # Officials are Persons too: one node, typed Official, when any article gives a post.
    officials = {k[1] for k in groups if k[0] == "Official"}
    for k in [k for k in groups if k[0] == "Person" and k[1] in officials]:
        groups[("Official", k[1])].extend(groups.pop(k))
    # an alias seen for one entity resolves the same surface elsewhere (same type)
    entities: dict[str, Entity] = {}
    group_entity: dict[tuple[str, str], str] = {}
    for gk in sorted(groups):
        ms = groups[gk]
        typ = gk[0]
        names = Counter(m.name for m in ms)
        # canonical: the most used name; ties -> the longest, then the first in code order
        name = sorted(names, key=lambda n: (-names[n], -len(n), n))[0]
        anonymous = any(m.anonymous for m in ms)
        key = iri.entity_key(typ, name, ms[0].doc_id if anonymous else None)
        ent = entities.setdefault(key, Entity(key, typ, name))
        ent.mentions.extend(ms)
        group_entity[gk] = key

    def lookup(doc_id: str, endpoint) -> str | None:
        typ, name = endpoint
        probe = Mention(doc_id, 0, typ, name, name)
        gk = _group_key(probe)
        if gk not in group_entity and typ == "Person":
            gk = ("Official", gk[1])
        if gk not in group_entity:
            # an anonymised person is keyed by article
            gk2 = (typ, f"{match_key(name)}|{doc_id}")
            return group_entity.get(gk2)
        return group_entity[gk]

    evidence: dict[tuple[str, str, str, bool], set[tuple[str, int]]] = defaultdict(set)
    for r in results:
        for f in r.facts:
            s = lookup(f.doc_id, f.subject)
            if s is None:
                continue
            if isinstance(f.object, str):
                evidence[(s, f.predicate, f.object, True)].add((f.doc_id, f.sentence))
                continue
            o = lookup(f.doc_id, f.object)
            if o is None or o == s:
                continue
            evidence[(s, f.predicate, o, False)].add((f.doc_id, f.sentence))
    relations = [Relation(s, p, o, lit, tuple(sorted(ev)))
                 for (s, p, o, lit), ev in sorted(evidence.items())]
    documents = sorted((r.document for r in results), key=lambda d: d.doc_id)
    return Corpus(documents, dict(sorted(entities.items())), relations,
                  sorted(results, key=lambda r: r.document.doc_id))
