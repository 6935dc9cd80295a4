"""Time every ready query (ontology/queries/*.rq) in Oxigraph's own engine on a large store.

usage: python bench/queries.py [--store DIR] [--copies 130] [--runs 15] [--out bench/results.md]

Without --store, a store of about 1 M quads is made from the seeds build (graph.trig: default
graph and per-article named graphs), replicated --copies times:
  - articles, sentences, evidence, mentions and named graphs get new IRIs in every copy (and
    articles new file names), so each copy is five more articles;
  - the 10 entities mentioned in most articles stay shared by every copy (hubs, like 公安部);
  - every other entity is shared by the copies of one of 20 groups (copy k is in group
    k mod 20): group 0 keeps the seeds' IRIs and labels, group g appends "-g" to the IRI and
    to its labels.  So the seeds' own names still exist, with copies/20 times the evidence;
  - a fact node (kg:Fact) stays one per distinct triple: shared when its subject and object
    are, else one per group (its counts and dates stay the seeds' ones).
With --store DIR, an existing store (e.g. `kg build CORPUS -o OUT --store OUT/store`) is used.

Each query runs through kg.query.run_query on the store opened once (Oxigraph's engine, the
result converted as `kg query` does); the median and the slowest of --runs runs (at least 3 for
a query slower than 2 s) are reported, after one warm-up run.  The table is printed and, with --out, written under the heading
"Ready queries" of that file (replacing an earlier such section).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HUBS = 10
GROUPS = 20
HEADING = "## Ready queries"
_STRUCTURAL = {"article", "sentence", "evidence", "mention", "graph"}


def seeds_trig(tmp: Path) -> Path:
    from kg.pipeline import build

    build([ROOT / "seeds"], tmp / "seeds", progress=False)
    return tmp / "seeds" / "graph.trig"


def replicate(trig: Path, copies: int):
    """Yield the quads of `copies` varied copies of the graph in `trig` (see the module doc)."""
    import pyoxigraph as ox

    from kg.graphio import PREFIXES

    idns, kg = PREFIXES["id"], PREFIXES["kg"]
    rdfs_label = PREFIXES["rdfs"] + "label"
    alt = PREFIXES["skos"] + "altLabel"
    source_file, ident = kg + "sourceFile", PREFIXES["dcterms"] + "identifier"
    quads = list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))

    def kind(node) -> str | None:
        if isinstance(node, ox.NamedNode) and node.value.startswith(idns):
            return node.value[len(idns):].split("/", 1)[0]
        return None

    mentioned = Counter(q.subject.value for q in quads
                        if q.predicate.value == kg + "mentionedIn" and isinstance(q.graph_name, ox.DefaultGraph))
    hubs = {iri for iri, _ in mentioned.most_common(HUBS)}
    ends: dict = {}   # fact node -> its subject and object
    for q in quads:
        if q.predicate.value in (kg + "factSubject", kg + "factObject"):
            ends.setdefault(q.subject, []).append(q.object)
    for k in range(copies):
        group = k % GROUPS
        memo: dict = {}

        def node(n):
            got = memo.get(n)
            if got is None:
                kd = kind(n)
                if kd == "fact":
                    shared = group == 0 or all(node(x) == x for x in ends.get(n, ()))
                    got = memo[n] = n if shared else ox.NamedNode(f"{n.value}-{group}")
                    return got
                if kd is None or (kd not in _STRUCTURAL and (n.value in hubs or group == 0)) \
                        or (kd in _STRUCTURAL and k == 0):
                    got = n
                else:
                    got = ox.NamedNode(f"{n.value}-{k if kd in _STRUCTURAL else group}")
                memo[n] = got
            return got

        for q in quads:
            s, p, o, g = q.subject, q.predicate, q.object, q.graph_name
            s2 = node(s)
            if isinstance(o, ox.Literal):
                o2 = o
                if k and p.value in (source_file, ident):
                    stem, dot, ext = o.value.rpartition(".")
                    o2 = ox.Literal(f"{stem}-{k}.{ext}" if dot else f"{o.value}-{k}")
                elif s2 != s and p.value in (rdfs_label, alt) and kind(s) not in _STRUCTURAL:
                    o2 = ox.Literal(f"{o.value}-{group}", language=o.language)
            else:
                o2 = node(o)
            g2 = g if isinstance(g, ox.DefaultGraph) else node(g)
            yield ox.Quad(s2, p, o2, g2)


def make_store(path: Path, copies: int) -> int:
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="kg-bench-q-") as tmp:
        trig = seeds_trig(Path(tmp))
        store = ox.Store(str(path))
        store.bulk_extend(replicate(trig, copies))
        store.flush()
        n = len(store)
        del store
    return n


def bench(store_dir: Path, runs: int) -> list[tuple[str, int, float, float]]:
    from kg.graphio import open_oxigraph
    from kg.query import ready_queries, run_query

    src = open_oxigraph(store_dir)
    rows = []
    for name, path in ready_queries().items():
        text = path.read_text(encoding="utf-8")
        n = len(run_query(src, text).rows)  # warm-up
        times = []
        for _ in range(runs):  # fewer runs (at least 3) for a query slower than 2 s
            t0 = time.perf_counter()
            run_query(src, text)
            times.append(time.perf_counter() - t0)
            if len(times) >= 3 and sum(times) > 6:
                break
        rows.append((name, n, statistics.median(times) * 1000, max(times) * 1000, len(times)))
        print(f"{name:22s} {n:6d} rows  median {rows[-1][2]:8.1f} ms  max {rows[-1][3]:8.1f} ms",
              flush=True)
    return rows


def table(rows, quads: int, runs: int, how: str) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [HEADING, "",
             f"`bench/queries.py` ({_dt.date.today().isoformat()}): every ready query through "
             f"`kg.query.run_query` in Oxigraph's own engine on a store of {quads:,} quads "
             f"({how}); median and slowest of up to {runs} runs after a warm-up. "
             f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f}.",
             "", "| query | rows | median ms | max ms | runs |", "|---|---:|---:|---:|---:|"]
    for name, n, med, mx, k in rows:
        lines.append(f"| `{name}.rq` | {n:,} | {med:.1f} | {mx:.1f} | {k} |")
    return "\n".join(lines) + "\n"


def write_section(out: Path, section: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if HEADING in text:
        head, _, rest = text.partition(HEADING)
        nxt = rest.find("\n## ")
        text = head + section + (rest[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    out.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="an existing Oxigraph store (else one is made)")
    ap.add_argument("--copies", type=int, default=130, help="copies of the seeds (130: just over 1 M quads)")
    ap.add_argument("--keep", type=Path, help="keep the made store in this (new) folder")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--out", type=Path, help="write the table into this Markdown file")
    a = ap.parse_args(argv)
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="kg-bench-store-") as tmp:
        if a.store:
            store_dir, how = a.store, f"the store {a.store.name}"
            quads = len(ox.Store.read_only(str(store_dir)))
        else:
            store_dir = a.keep or Path(tmp) / "store"
            t0 = time.perf_counter()
            quads = make_store(store_dir, a.copies)
            how = f"the seeds build replicated {a.copies} times"
            print(f"made a store of {quads:,} quads in {time.perf_counter() - t0:.0f} s", flush=True)
        rows = bench(store_dir, a.runs)
    section = table(rows, quads, a.runs, how)
    print(section)
    if a.out:
        write_section(a.out, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
