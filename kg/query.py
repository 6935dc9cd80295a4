"""`kg query`: load a graph, run SPARQL, format the answer.

    >>> g = load_graph("exports/graph.ttl")
    >>> res = run_query(g, ready_queries()["officials_positions"].read_text(encoding="utf-8"))
    >>> print(format_result(res))

The usual prefixes (kg, id, rdf, rdfs, xsd, skos, dcterms, prov, oa, org, schema, foaf, owl)
are bound, so queries may use them without PREFIX lines.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from .errors import GraphError, QueryError
from .rdf import ID, KG

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "oa": "http://www.w3.org/ns/oa#",
    "org": str(ORG),
    "schema": "https://schema.org/",
    "foaf": str(FOAF),
}

# file extension -> (rdflib format, is a dataset format)
FORMATS = {
    ".ttl": ("turtle", False),
    ".turtle": ("turtle", False),
    ".nt": ("nt", False),
    ".n3": ("n3", False),
    ".trig": ("trig", True),
    ".nq": ("nquads", True),
    ".jsonld": ("json-ld", True),
    ".json-ld": ("json-ld", True),
    ".json": ("json-ld", True),
    ".rdf": ("xml", False),
    ".xml": ("xml", False),
    ".owl": ("xml", False),
}



@contextmanager
def _quiet():
    """Silence rdflib's own Dataset.default_context deprecation warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def bind_prefixes(g: rdflib.Graph) -> rdflib.Graph:
    """Bind our usual prefixes on `g` (replacing rdflib's defaults of the same name)."""
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, URIRef(ns), override=True, replace=True)
    return g


def _is_oxigraph_dir(path: Path) -> bool:
    # RocksDB directories always hold a CURRENT file and *.sst/MANIFEST files.
    return path.is_dir() and (path / "CURRENT").is_file()


def load_graph(path: str | Path) -> rdflib.Graph:
    """Read a graph file (format from the extension) or an Oxigraph store directory.

    TriG / N-Quads / JSON-LD are read into a Dataset and its union graph is returned, so
    SPARQL sees the triples of every named graph.  Raises GraphError with the file name and
    the parser's message.
    """
    p = Path(path)
    if not p.exists():
        raise GraphError(f"{p}: no such file or directory")
    if p.is_dir():
        if not _is_oxigraph_dir(p):
            raise GraphError(f"{p}: a directory, but not an Oxigraph store (no CURRENT file)")
        return _open_oxigraph(p)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise GraphError(f"{p}: unknown graph format {p.suffix!r} (known: {known})")
    name, is_dataset = fmt
    try:
        if is_dataset:
            ds = rdflib.Dataset(default_union=True)
            with _quiet():
                ds.parse(str(p), format=name)
            g = ds
        else:
            g = rdflib.Graph()
            g.parse(str(p), format=name)
    except (OSError, UnicodeDecodeError) as e:
        raise GraphError(f"{p}: cannot read: {e}") from None
    except Exception as e:  # noqa: BLE001 - rdflib parsers raise many types
        msg = " ".join(str(e).split())
        raise GraphError(f"{p}: cannot parse as {name}: {msg}") from None
    return bind_prefixes(g)


def _open_oxigraph(p: Path) -> rdflib.Graph:
    try:
        import pyoxigraph
        from oxrdflib import OxigraphStore
    except ImportError as e:  # pragma: no cover - both are dependencies
        raise GraphError(f"{p}: Oxigraph support is not installed ({e})") from None
    try:
        store = pyoxigraph.Store.read_only(str(p))
    except Exception as e:  # noqa: BLE001 - e.g. locked by a running server
        raise GraphError(f"{p}: cannot open the Oxigraph store: {e}") from None
    # Query the default graph; if it is empty (only named graphs were loaded), the union of
    # all graphs.  Oxigraph's union repeats a triple once per graph holding it, and
    # graph.trig already repeats its named graphs' triples in the default graph.
    has_default = next(iter(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())),
                       None) is not None
    g = rdflib.Dataset(store=OxigraphStore(store=store), default_union=not has_default)
    return bind_prefixes(g)


@dataclass
class QueryResult:
    type: str                                   # SELECT | ASK | CONSTRUCT | DESCRIBE
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)     # python values (None when unbound)
    terms: list[tuple] = field(default_factory=list)    # the same cells as rdflib terms
    graph: rdflib.Graph | None = None           # CONSTRUCT / DESCRIBE
    namespaces: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))


def run_query(graph: rdflib.Graph, sparql: str) -> QueryResult:
    """Run a SPARQL query.  SELECT -> rows of rdflib terms; ASK -> one row (bool,);
    CONSTRUCT/DESCRIBE -> `.graph`.  A malformed query raises QueryError."""
    if not sparql or not sparql.strip():
        raise QueryError("empty SPARQL query")
    init_ns = {k: URIRef(v) for k, v in PREFIXES.items()}
    try:
        with _quiet():
            res = graph.query(sparql, initNs=init_ns)
        kind = res.type
        if kind == "ASK":
            return QueryResult("ASK", ["ask"], [(bool(res.askAnswer),)], [(bool(res.askAnswer),)])
        if kind in ("CONSTRUCT", "DESCRIBE"):
            out = bind_prefixes(rdflib.Graph())
            for t in res.graph if res.graph is not None else ():
                out.add(t)
            terms = sorted(((s, p, o) for s, p, o in out), key=lambda t: tuple(map(_sort_key, t)))
            return QueryResult(kind, ["subject", "predicate", "object"],
                               [tuple(map(to_python, t)) for t in terms], terms, graph=out)
        names = [str(v) for v in (res.vars or [])]
        with _quiet():
            terms = [tuple(row.get(v) if hasattr(row, "get") else row[i]
                           for i, v in enumerate(names)) for row in res]
    except QueryError:
        raise
    except Exception as e:  # noqa: BLE001 - pyparsing / oxigraph / evaluation errors
        msg = " ".join(str(e).split())
        raise QueryError(f"SPARQL query failed: {type(e).__name__}: {msg}") from None
    return QueryResult("SELECT", names, [tuple(map(to_python, t)) for t in terms], terms)


def to_python(term):
    """A cell as a plain python value: IRIs and strings as str, typed numbers, booleans and
    dates as python objects, blank nodes as "_:id", unbound as None."""
    if term is None or isinstance(term, bool):
        return term
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.language or term.datatype in (None, XSD.string):
            return str(term)
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def _sort_key(term) -> str:
    return "" if term is None else f"{type(term).__name__}:{term}"


def _compact(term, namespaces: dict[str, str]) -> str:
    """A short, readable form of a term for the text table."""
    if term is None:
        return ""
    if isinstance(term, bool):
        return "true" if term else "false"
    if isinstance(term, URIRef):
        s = str(term)
        best = None
        for prefix, ns in namespaces.items():
            if s.startswith(ns) and (best is None or len(ns) > len(namespaces[best])):
                best = prefix
        return f"{best}:{s[len(namespaces[best]):]}" if best else f"<{s}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return " ".join(str(term).split())   # keep each row on one line
    return str(term)


def _plain(term) -> str:
    """The full value of a term for CSV: IRIs in full, literals by their lexical form."""
    if term is None:
        return ""
    if isinstance(term, bool):
        return "true" if term else "false"
    return str(term)


def _width(text: str) -> int:
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _json_term(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render a result as `table` (aligned text, CJK-aware, compact IRIs), `csv`, or `json`
    (SPARQL 1.1 Query Results JSON; for CONSTRUCT/DESCRIBE, `json` gives JSON-LD and `table`
    and `csv` list the triples)."""
    if fmt not in ("table", "csv", "json"):
        raise QueryError(f"unknown output format {fmt!r} (use table, csv or json)")
    if fmt == "json":
        if result.type == "ASK":
            return json.dumps({"head": {}, "boolean": bool(result.rows[0][0])}, indent=2)
        if result.graph is not None:
            return result.graph.serialize(format="json-ld", indent=2, auto_compact=True)
        bindings = []
        for row in result.terms:
            b = {v: _json_term(t) for v, t in zip(result.vars, row) if t is not None}
            bindings.append(b)
        return json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(result.vars)
        for row in result.terms:
            w.writerow([_plain(t) for t in row])
        return buf.getvalue()
    cells = [[_compact(t, result.namespaces) for t in row] for row in result.terms]
    widths = [_width(v) for v in result.vars]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], _width(c))
    sep = "  "
    lines = [sep.join(_pad(v, widths[i]) for i, v in enumerate(result.vars)).rstrip(),
             sep.join("-" * w for w in widths)]
    for row in cells:
        lines.append(sep.join(_pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
    n = len(result.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


def ready_queries() -> dict[str, Path]:
    """The ready queries of ontology/queries/ (shipped in the package), name (file stem) -> path."""
    from .paths import queries_dir

    return {p.stem: p for p in sorted(queries_dir().glob("*.rq"))}
