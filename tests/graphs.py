"""Synthetic graphs for tests (not a test module)."""
from __future__ import annotations

import random

import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, PROV

from kg.rdf import ID, KG
from kg.vocab import ENTITY_TYPES


def synthetic_graph(n: int, m: int, seed: int = 1, sources: bool = False) -> rdflib.Graph:
    """n typed, labelled nodes and about m kg: edges (hubs at low indices).  With `sources`,
    in the layout of docs/rdf-layout.md: one article per 10 nodes, one sentence per node
    ("节点{i}号出现在这里。", mentioned there), each edge's evidence in its subject's sentence."""
    rnd = random.Random(seed)
    g = rdflib.Graph()
    nodes = []
    for i in range(n):
        t = ENTITY_TYPES[i % len(ENTITY_TYPES)]
        u = ID[f"{t.lower()}/n{i:05d}"]
        g.add((u, RDF.type, KG[t]))
        g.add((u, RDFS.label, Literal(f"节点{i}号", lang="zh")))
        nodes.append(u)
    preds = ["memberOf", "subOrganizationOf", "locatedIn", "conducted", "solved", "partOf",
             "received", "endorsed"]
    links = set()
    while len(links) < m:
        a = rnd.randrange(n)
        b = min(n - 1, int(rnd.paretovariate(1.2)) - 1) if rnd.random() < 0.5 else rnd.randrange(n)
        if a != b:
            links.add((a, rnd.choice(preds), b))
    for a, p, b in links:
        g.add((nodes[a], KG[p], nodes[b]))
    if sources:
        for i, u in enumerate(nodes):
            art, sent, men = ID[f"article/a{i // 10:04d}"], ID[f"sentence/s{i:05d}"], ID[f"mention/m{i:05d}"]
            if i % 10 == 0:
                g.add((art, RDF.type, KG.Article))
                g.add((art, DCTERMS.title, Literal(f"第{i // 10}篇文章", lang="zh")))
                g.add((art, KG.sourceFile, Literal(f"a{i // 10:04d}.txt")))
            g.add((sent, RDF.type, KG.Sentence))
            g.add((sent, DCTERMS.isPartOf, art))
            g.add((sent, KG["index"], Literal(i % 10)))
            g.add((sent, KG.text, Literal(f"节点{i}号出现在这里。", lang="zh")))
            g.add((u, KG.mentionedIn, art))
            g.add((men, RDF.type, KG.Mention))
            g.add((men, KG.denotes, u))
            g.add((men, KG.surface, Literal(f"节点{i}号", lang="zh")))
            g.add((men, PROV.wasDerivedFrom, sent))
            g.add((men, DCTERMS.source, art))
        for a, p, b in links:
            ev = ID[f"evidence/e{a:05d}-{p}-{b:05d}"]
            g.add((ev, RDF.type, KG.Evidence))
            g.add((ev, RDF.subject, nodes[a]))
            g.add((ev, RDF.predicate, KG[p]))
            g.add((ev, RDF.object, nodes[b]))
            g.add((ev, PROV.wasDerivedFrom, ID[f"sentence/s{a:05d}"]))
            g.add((ev, DCTERMS.source, ID[f"article/a{a // 10:04d}"]))
    return g
