"""The naive baseline `kg build` is compared with: jieba.posseg + regex + rdflib, one process.

usage: python bench/baseline.py CORPUS_DIR OUT.ttl

The script a developer writes in an afternoon: for every *.txt in CORPUS_DIR (UTF-8), the words
jieba.posseg tags nr (person), ns (place) and nt (organisation), plus two regexes (police bodies
such as X公安局 / X派出所, and “…”专项行动 campaigns), are added as triples to one in-memory
rdflib Graph (the article mentions the entity; the entity has a type and a label), which is
serialised to Turtle at the end.  No ontology, no relations between entities, no resolution.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sys
from pathlib import Path

TYPES = {"nr": "Person", "ns": "Place", "nt": "Organization"}
POLICE = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:公安局|公安厅|派出所|交警大队|刑警大队)")
CAMPAIGN = re.compile(r"“([^”\n]{2,20})”(?:专项行动|行动)")
NS = "http://example.org/naive/"


def run(corpus: Path, out: Path) -> tuple[int, int]:
    import jieba
    import jieba.posseg as pseg
    from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

    jieba.setLogLevel(logging.WARNING)
    ex = Namespace(NS)
    g = Graph()
    g.bind("ex", ex)

    def entity(kind: str, name: str) -> URIRef:
        node = ex[f"{kind}/{hashlib.sha1(name.encode('utf-8')).hexdigest()[:16]}"]
        g.add((node, RDF.type, ex[kind]))
        g.add((node, RDFS.label, Literal(name, lang="zh")))
        return node

    files = sorted(corpus.glob("*.txt"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        doc = ex[f"doc/{f.stem}"]
        g.add((doc, RDF.type, ex.Article))
        g.add((doc, ex.source, Literal(f.name)))
        for w in pseg.cut(text):
            kind = TYPES.get(w.flag)
            if kind and len(w.word) > 1:
                g.add((doc, ex.mentions, entity(kind, w.word)))
        for m in POLICE.finditer(text):
            g.add((doc, ex.mentions, entity("PoliceBureau", m.group(0))))
        for m in CAMPAIGN.finditer(text):
            g.add((doc, ex.mentions, entity("Campaign", m.group(1))))
    g.serialize(destination=str(out), format="turtle")
    return len(files), len(g)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    corpus, out = Path(args[0]), Path(args[1])
    if not corpus.is_dir():
        print(f"{corpus}: not a folder", file=sys.stderr)
        return 1
    articles, triples = run(corpus, out)
    print(f"{articles} articles; {triples} triples; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
