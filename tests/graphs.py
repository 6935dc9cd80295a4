"""Synthetic graphs for tests (not a test module)."""
from __future__ import annotations

import random

import rdflib
from rdflib import RDF, RDFS, Literal

from kg.rdf import ID, KG
from kg.model import ENTITY_TYPES


def synthetic_graph(n: int, m: int, seed: int = 1) -> rdflib.Graph:
    """n typed, labelled nodes and about m kg: edges (hubs at low indices)."""
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
    while len(g) < 2 * n + m:
        a = nodes[rnd.randrange(n)]
        b = nodes[min(n - 1, int(rnd.paretovariate(1.2)) - 1) if rnd.random() < 0.5 else rnd.randrange(n)]
        if a != b:
            g.add((a, KG[rnd.choice(preds)], b))
    return g
