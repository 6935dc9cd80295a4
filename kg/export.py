"""Exporting the graph: JSON-LD, N-Triples, N-Quads, TriG, Turtle and GraphML (for Gephi).

    export(graph, fmt, out) -> out          write a file
    render(graph, fmt) -> bytes             the same bytes, e.g. for standard output

`graph` is an `rdflib.Graph`, an `rdflib.Dataset` (e.g. `graph.trig` with its per-article
named graphs, read with `read_graph`), or a path read_graph can read (file or store).
Quad formats (`nq`, `trig`) and `jsonld` keep the named graphs of a Dataset; a plain Graph
goes into the one named graph `DEFAULT_GRAPH`.  Triple formats (`nt`, `ttl`) and `graphml`
take the union of all graphs.

What is exported is chosen by `what` (EXPORTS): "graph" (the default) is the graph itself in
the formats above.  Another view of the graph (e.g. a CSV table of statistics) registers
itself in EXPORTS as {format: render function (graph) -> bytes}; `kg export --what NAME`
offers it.

Output is deterministic (same graph -> same bytes, blank-node labels aside) and written
atomically: a temp file beside `out`, then `os.replace`, so a failure never leaves a
half-written file.

Errors for the CLI (`kg export GRAPH --format FMT [--what graph] [-o OUT]`, standard output
without -o):
  FormatError (a GraphError, exit 1)  "unknown export format 'x' (choose from: jsonld, ...)"
  GraphError (exit 1)                 the graph cannot be read or the output cannot be written
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import rdflib
from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .errors import GraphError
from .figures_csv import observations_csv
from .fileio import write_atomic
from .graphio import PREFIXES, read_graph  # noqa: F401 - read_graph is part of this API
from .rdf import ID, KG
from .vocab import ENTITY_TYPES

FORMATS = ("jsonld", "nt", "nq", "trig", "ttl", "graphml")
DEFAULT_GRAPH = ID["graph/default"]
_ALIASES = {"json-ld": "jsonld", "turtle": "ttl", "nquads": "nq", "ntriples": "nt"}

_ENTITY_CLASSES = {KG[t]: t for t in ENTITY_TYPES}


class FormatError(GraphError):
    """An unknown export format was asked for."""

    def __init__(self, fmt: str, formats=FORMATS, what: str = "graph"):
        self.formats = tuple(formats)
        of = "" if what == "graph" else f" of {what!r}"
        super().__init__(f"unknown export format{of} {fmt!r} (choose from: {', '.join(formats)})")


# --- helpers ---------------------------------------------------------------------------------

def _triples(graph: rdflib.Graph):
    """All triples of a Graph, or the union of a Dataset's graphs."""
    if isinstance(graph, rdflib.ConjunctiveGraph):  # Dataset is one
        return {(s, p, o) for s, p, o, _ in graph.quads((None, None, None, None))}
    return set(graph)


def _as_graph(graph: rdflib.Graph) -> rdflib.Graph:
    if isinstance(graph, rdflib.ConjunctiveGraph):
        g = rdflib.Graph()
        for t in _triples(graph):
            g.add(t)
        return _bind(g)
    return _bind(_copy(graph, rdflib.Graph()))


def _as_dataset(graph: rdflib.Graph) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    if isinstance(graph, rdflib.ConjunctiveGraph):
        for s, p, o, c in graph.quads((None, None, None, None)):
            name = c.identifier if isinstance(c, rdflib.Graph) else c
            if name is None or name == DATASET_DEFAULT_GRAPH_ID:
                ds.default_graph.add((s, p, o))
            else:
                ds.graph(name).add((s, p, o))
    else:
        _copy(graph, ds.graph(DEFAULT_GRAPH))
    return _bind(ds)


def _copy(src, dst):
    for t in src:
        dst.add(t)
    return dst


def _bind(g):
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def _sorted_lines(text: str) -> str:
    lines = sorted(line for line in text.splitlines() if line.strip())
    return "\n".join(lines) + ("\n" if lines else "")


def _sort_json(obj, key=None):
    """Sort JSON-LD arrays (they are sets, except under @list) and node objects by @id."""
    if isinstance(obj, dict):
        return {k: _sort_json(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        items = [_sort_json(v) for v in obj]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return obj


def _local(iri) -> str:
    s = str(iri)
    for sep in ("#", "/"):
        if sep in s:
            s = s.rsplit(sep, 1)[1]
            break
    return s


# --- writers ---------------------------------------------------------------------------------

def _rdf_text(graph, fmt: str) -> str:
    if fmt == "ttl":
        return _as_graph(graph).serialize(format="turtle")
    if fmt == "nt":
        return _sorted_lines(_as_graph(graph).serialize(format="nt"))
    if fmt == "nq":
        return _sorted_lines(_as_dataset(graph).serialize(format="nquads"))
    if fmt == "trig":
        return _sorted_trig(_as_dataset(graph))
    if fmt == "jsonld":
        src = _as_dataset(graph) if isinstance(graph, rdflib.ConjunctiveGraph) else _as_graph(graph)
        text = src.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        doc = _sort_json(json.loads(text))
        return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    raise FormatError(fmt)


def _sorted_trig(ds) -> str:
    """rdflib writes TriG's named graphs in set (hash) order: write them sorted."""
    import io

    from rdflib.plugins.serializers.trig import TrigSerializer

    ser = TrigSerializer(ds)
    ser.contexts = sorted(ser.contexts, key=lambda c: str(c.identifier))
    buf = io.BytesIO()
    ser.serialize(buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def to_networkx(graph: rdflib.Graph):
    """The entity graph as a networkx MultiDiGraph (nodes and edges inserted in sorted order).

    Nodes: every subject typed with one of our 8 classes; attributes label, type, aliases
    ("|"-joined skos:altLabel), positions ("|"-joined kg:holdsPosition), iri.
    Edges: every triple between two such nodes, attribute predicate (local name), keyed by it.
    """
    import networkx as nx

    triples = _triples(graph)
    types: dict = {}
    for s, p, o in triples:
        if p == RDF.type and o in _ENTITY_CLASSES and isinstance(s, URIRef):
            # one class per entity by the layout; if not, keep the first by name
            t = _ENTITY_CLASSES[o]
            types[s] = min(t, types.get(s, t))
    labels: dict = {}
    aliases: dict = {n: set() for n in types}
    positions: dict = {n: set() for n in types}
    edges = set()
    for s, p, o in triples:
        if s not in types:
            continue
        if p == RDFS.label:
            labels[s] = min(str(o), labels.get(s, str(o)))
        elif p == SKOS.altLabel:
            aliases[s].add(str(o))
        elif p == KG.holdsPosition and isinstance(o, Literal):
            positions[s].add(str(o))
        elif o in types and p != RDF.type:
            edges.add((str(s), _local(p), str(o)))
    g = nx.MultiDiGraph()
    for n in sorted(types, key=str):
        g.add_node(str(n), label=labels.get(n, ""), type=types[n],
                   aliases="|".join(sorted(aliases[n])),
                   positions="|".join(sorted(positions[n])), iri=str(n))
    for s, p, o in sorted(edges, key=lambda e: (e[0], e[2], e[1])):
        g.add_edge(s, o, key=p, predicate=p)
    return g


def _graphml_bytes(graph) -> bytes:
    import io

    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(to_networkx(graph), buf, encoding="utf-8")
    return buf.getvalue()


def _graph_bytes(graph, fmt: str) -> bytes:
    return _graphml_bytes(graph) if fmt == "graphml" else _rdf_text(graph, fmt).encode("utf-8")


# what -> {format -> render(graph) -> bytes}.  Add other views of the graph here.
EXPORTS: dict[str, dict[str, Callable[[rdflib.Graph], bytes]]] = {
    "graph": {fmt: (lambda graph, fmt=fmt: _graph_bytes(graph, fmt)) for fmt in FORMATS},
    # the statistics (kg:Observation) as a flat table a researcher opens in a spreadsheet
    "observations": {"csv": lambda graph: observations_csv(graph)},
}


def all_formats() -> list[str]:
    """Every format some export offers, for the command line's --format choices."""
    return list(dict.fromkeys(f for table in EXPORTS.values() for f in table))


def render(graph: rdflib.Graph | str | os.PathLike, fmt: str, *, what: str = "graph") -> bytes:
    """The bytes of `what` (EXPORTS) of `graph` in `fmt` ("turtle", "json-ld", "nquads" and
    "ntriples" are accepted too).  Raises FormatError, GraphError."""
    table = EXPORTS.get(what)
    if table is None:
        raise GraphError(f"unknown export {what!r} (choose from: {', '.join(sorted(EXPORTS))})")
    fmt = (fmt or "").lower().lstrip(".")
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in table:
        raise FormatError(fmt, tuple(table), what)
    if isinstance(graph, (str, os.PathLike)):
        graph = read_graph(Path(graph))
    try:
        return table[fmt](graph)
    except GraphError:
        raise
    except Exception as e:
        raise GraphError(f"cannot serialise the {what} as {fmt}: {e}") from None


def export(graph: rdflib.Graph | str | os.PathLike, fmt: str, out: Path, *,
           what: str = "graph") -> Path:
    """Write `what` of `graph` (a Graph, Dataset, or a path for read_graph) to `out` in `fmt`
    (see render); returns `out`."""
    return write_atomic(render(graph, fmt, what=what), Path(out))
