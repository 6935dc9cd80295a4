"""Graph I/O: the prefixes, the format table, reading graph files and Oxigraph stores.

    load_graph(path) -> rdflib.Graph     for SPARQL and reading: a file (a dataset's graphs as
                                          their union) or a store; our prefixes bound
    read_graph(path) -> rdflib.Dataset   for export: the named graphs of .trig/.nq kept
    open_store(dir, dataset=False)       a store as an rdflib graph (oxrdflib, plain literals)
    open_oxigraph(dir) -> OxSource       a store for Oxigraph's own SPARQL engine
    is_store(path) / graph_format(path)  what a path is

Every reading error is a GraphError naming the file.  This module imports nothing else of
kg but errors and iri, so every graph-reading module can import it.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import GraphError
from .iri import ID_NS, KG_NS

# The prefixes of docs/rdf-layout.md: Turtle/TriG output and the JSON-LD @context.
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "id": ID_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# ... plus the vocabularies we align with: what a query may use without PREFIX lines.
QUERY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "owl": "http://www.w3.org/2002/07/owl#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


@dataclass(frozen=True)
class Format:
    rdflib: str          # rdflib parser name
    dataset: bool        # a quad format (named graphs)
    oxigraph: str        # pyoxigraph.RdfFormat attribute


# File extension -> format.
FORMATS: dict[str, Format] = {
    ".ttl": Format("turtle", False, "TURTLE"),
    ".turtle": Format("turtle", False, "TURTLE"),
    ".nt": Format("nt", False, "N_TRIPLES"),
    ".n3": Format("n3", False, "N3"),
    ".trig": Format("trig", True, "TRIG"),
    ".nq": Format("nquads", True, "N_QUADS"),
    ".jsonld": Format("json-ld", True, "JSON_LD"),
    ".json-ld": Format("json-ld", True, "JSON_LD"),
    ".json": Format("json-ld", True, "JSON_LD"),
    ".rdf": Format("xml", False, "RDF_XML"),
    ".xml": Format("xml", False, "RDF_XML"),
    ".owl": Format("xml", False, "RDF_XML"),
}


@contextmanager
def quiet():
    """Silence rdflib's own Dataset.default_context deprecation warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def bind_prefixes(g: rdflib.Graph, prefixes: dict[str, str] = QUERY_PREFIXES) -> rdflib.Graph:
    """Bind `prefixes` on `g` (replacing rdflib's defaults of the same name); returns `g`."""
    from rdflib import URIRef

    for prefix, ns in prefixes.items():
        g.bind(prefix, URIRef(ns), override=True, replace=True)
    return g


def is_store(path: str | Path) -> bool:
    """True if `path` is a directory holding an Oxigraph (RocksDB) store."""
    p = Path(path)
    return (p.is_dir() and (p / "CURRENT").is_file()
            and any(p.glob("MANIFEST-*")) and any(p.glob("OPTIONS-*")))


def graph_format(path: str | Path) -> Format:
    """The format of a graph file, from its extension; GraphError if unknown."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise GraphError(f"{p}: unknown graph format, extension {p.suffix!r} "
                         f"(known: {', '.join(sorted(FORMATS))})")
    return fmt


def ox_format(path: str | Path):
    """The pyoxigraph.RdfFormat of a graph file; GraphError if unknown."""
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, graph_format(path).oxigraph, None)
    if fmt is None:  # pragma: no cover - every name above exists in pyoxigraph 0.4+
        raise GraphError(f"{path}: Oxigraph cannot read {Path(path).suffix!r} files")
    return fmt


def _check_file(p: Path) -> Format:
    if p.is_dir():
        if not is_store(p):
            raise GraphError(f"{p}: a directory, but not an Oxigraph store (no CURRENT file)")
    elif not p.exists():
        raise GraphError(f"{p}: no such file or directory")
    return graph_format(p)


def _parse(p: Path, fmt: Format, into: rdflib.Graph) -> rdflib.Graph:
    try:
        with quiet():
            into.parse(str(p), format=fmt.rdflib)
    except (OSError, UnicodeDecodeError) as e:
        raise GraphError(f"{p}: cannot read: {e}") from None
    except Exception as e:  # noqa: BLE001 - rdflib parsers raise many types
        msg = " ".join(str(e).split())
        raise GraphError(f"{p}: cannot parse as {fmt.rdflib}: {msg}") from None
    return into


def load_graph(path: str | Path) -> rdflib.Graph:
    """Read a graph file (format from the extension) or an Oxigraph store directory.

    TriG / N-Quads / JSON-LD are read into a Dataset whose union graph SPARQL sees.  A store
    is read through oxrdflib: its default graph, or the union of its graphs if the default
    graph is empty.  Our QUERY_PREFIXES are bound.  Raises GraphError naming the file.
    """
    import rdflib

    p = Path(path)
    if is_store(p):
        src = open_oxigraph(p)
        g = rdflib.Dataset(store=_backend(src.store), default_union=src.union)
        return bind_prefixes(g)
    fmt = _check_file(p)
    g = rdflib.Dataset(default_union=True) if fmt.dataset else rdflib.Graph()
    return bind_prefixes(_parse(p, fmt, g))


def read_graph(path: str | Path) -> rdflib.Dataset:
    """Read a graph file or a store, always as a Dataset: the triples of a triple format in
    its default graph, the named graphs of a quad format kept.  Raises GraphError."""
    import rdflib

    p = Path(path)
    if is_store(p):
        return open_store(p, dataset=True)
    if not p.is_file():
        raise GraphError(f"{p}: no such graph file or store directory")
    return _parse(p, graph_format(p), rdflib.Dataset())


# --- Oxigraph stores ---------------------------------------------------------------------

@dataclass
class OxSource:
    """A store opened read-only for Oxigraph's own engine; `union`: queries see the union of
    all graphs (the store has no default-graph triples), else the default graph."""
    path: Path
    store: object        # pyoxigraph.Store
    union: bool


def _open_ox(p: Path, read_only: bool = True):
    import pyoxigraph as ox

    if not is_store(p):
        raise GraphError(f"{p}: not an Oxigraph store directory")
    try:
        return ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
    except OSError as e:
        hint = " (locked by another process, e.g. a running `kg serve --writable`; " \
               "open it read-only)" if "lock" in str(e).lower() else ""
        raise GraphError(f"{p}: cannot open the store: {e}{hint}") from None


def open_oxigraph(path: str | Path) -> OxSource:
    """Open a store read-only (works beside a running server) for pyoxigraph queries."""
    import pyoxigraph as ox

    p = Path(path)
    store = _open_ox(p)
    has_default = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                       None) is not None
    return OxSource(p, store, union=not has_default)


def _backend(inner):
    """An oxrdflib store whose results use plain literals, like rdflib's own parsers."""
    import rdflib
    from oxrdflib import OxigraphStore

    Literal, xsd_string = rdflib.Literal, rdflib.XSD.string

    def plain(term):
        """xsd:string literal -> plain literal (the same in RDF 1.1; rdflib compares them unequal)."""
        if isinstance(term, Literal) and term.datatype == xsd_string:
            return Literal(str(term))
        return term

    class _Store(OxigraphStore):
        def triples(self, triple_pattern, context=None):
            for (s, p, o), ctx in super().triples(triple_pattern, context):
                yield (s, p, plain(o)), ctx

        def query(self, *args, **kwargs):
            res = super().query(*args, **kwargs)
            if res.type == "SELECT":
                res.bindings = ({k: plain(v) for k, v in row.items()} for row in res.bindings)
            elif res.type == "CONSTRUCT":
                g = rdflib.Graph()
                for s, p, o in res.graph:
                    g.add((s, p, plain(o)))
                res.graph = g
            return res

    return _Store(store=inner)


def open_store(store_dir: str | Path, *, dataset: bool = False,
               read_only: bool = True) -> rdflib.Graph:
    """Open an Oxigraph store as an rdflib graph (via oxrdflib) for reading.

    A Graph over the store's default graph, or with `dataset=True` a Dataset that also
    exposes the named graphs.  `read_only` (default) opens without the store's write lock,
    so it works beside a running server.  PREFIXES are bound.
    """
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    backend = _backend(_open_ox(Path(store_dir), read_only))
    if dataset:
        g = rdflib.Dataset(store=backend)
    else:
        g = rdflib.Graph(store=backend, identifier=DATASET_DEFAULT_GRAPH_ID)
    return bind_prefixes(g, PREFIXES)


def oxigraph_source(graph) -> OxSource | None:
    """The pyoxigraph store under an rdflib graph opened by load_graph/open_store, if any."""
    import rdflib
    from oxrdflib import OxigraphStore
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    store = getattr(graph, "store", None)
    if not isinstance(store, OxigraphStore):
        return None
    union = bool(getattr(graph, "default_union", False))
    if not isinstance(graph, rdflib.ConjunctiveGraph) and graph.identifier != DATASET_DEFAULT_GRAPH_ID:
        return None  # a named graph of the store: leave it to rdflib
    return OxSource(Path(""), store._inner, union=union)
