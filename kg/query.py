"""`kg query`: run SPARQL on a graph file or store, format the answer.

    >>> res = run_query(Path("exports/graph.ttl"), ready_queries()["officials_positions"].read_text())
    >>> print(format_result(res))

A graph file is read with rdflib and queried with rdflib's engine; an Oxigraph store (a
directory) is queried in Oxigraph's own engine, whether given as a path or as a graph
load_graph opened.  The results have the same form either way.  The usual prefixes (kg, id,
rdf, rdfs, xsd, skos, dcterms, prov, oa, org, schema, foaf, owl) are predeclared, so queries
may use them without PREFIX lines.  SERVICE (federation) is refused unless
`allow_federation=True`: it makes the engine send requests elsewhere.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from .errors import QueryError
from .graphio import (QUERY_PREFIXES, OxSource, bind_prefixes, is_store, load_graph,  # noqa: F401
                      open_oxigraph, oxigraph_source, quiet)
from .rdf import ID, KG  # noqa: F401

PREFIXES = QUERY_PREFIXES



class FederationError(QueryError):
    """The query asks the engine to fetch data from elsewhere (SERVICE; LOAD in an update)."""


_FEDERATION_WORDS = {False: re.compile(r"service", re.I), True: re.compile(r"service|load", re.I)}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    """SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX), valid anywhere in a query."""
    def sub(m):
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)
    return _UNICODE_ESCAPE.sub(sub, text)


def _finds(tree, names: set[str]) -> bool:
    """True if a CompValue named in `names` is anywhere in rdflib's parse tree."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) in names:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return False


def refuse_federation(sparql: str, *, update: bool = False) -> None:
    """Raise FederationError if `sparql` holds a SERVICE clause (or, for an update, a LOAD):
    both make the engine send requests elsewhere on the caller's behalf.

    Text without those words (codepoint escapes decoded) passes at once; otherwise rdflib's
    SPARQL parser decides, and a text it cannot parse is refused as well.
    """
    if not any(_FEDERATION_WORDS[update].search(t) for t in (sparql, _unescape(sparql))):
        return
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    what = "update" if update else "query"
    try:
        with quiet():
            tree = parseUpdate(sparql) if update else parseQuery(sparql)
    except Exception:  # noqa: BLE001 - pyparsing errors
        raise FederationError(f"the {what} mentions SERVICE{' or LOAD' if update else ''} and "
                              "cannot be checked (it does not parse); federated queries are "
                              "refused unless allowed (--allow-federation)") from None
    names = {"ServiceGraphPattern", "Load"} if update else {"ServiceGraphPattern"}
    if _finds(tree, names):
        raise FederationError(
            f"the {what} uses SERVICE{' or LOAD' if update else ''} (fetching data from another "
            "server); refused unless allowed (--allow-federation)")


@dataclass
class QueryResult:
    type: str                                   # SELECT | ASK | CONSTRUCT | DESCRIBE
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)     # python values (None when unbound)
    terms: list[tuple] = field(default_factory=list)    # the same cells as rdflib terms
    graph: rdflib.Graph | None = None           # CONSTRUCT / DESCRIBE
    namespaces: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))


def run_query(graph: rdflib.Graph | str | Path | OxSource, sparql: str, *,
              allow_federation: bool = False) -> QueryResult:
    """Run a SPARQL query on a graph, a graph file or store path, or an OxSource.

    SELECT -> rows; ASK -> one row (bool,); CONSTRUCT/DESCRIBE -> `.graph` and its triples as
    rows.  A store runs the query in Oxigraph's engine.  Raises QueryError (malformed query,
    evaluation error), FederationError (SERVICE, unless `allow_federation`), GraphError.
    """
    if not sparql or not sparql.strip():
        raise QueryError("empty SPARQL query")
    if not allow_federation:
        refuse_federation(sparql)
    if isinstance(graph, (str, Path)):
        graph = open_oxigraph(graph) if is_store(graph) else load_graph(graph)
    source = graph if isinstance(graph, OxSource) else oxigraph_source(graph)
    try:
        if source is not None:
            return _run_oxigraph(source, sparql)
        return _run_rdflib(graph, sparql)
    except QueryError:
        raise
    except Exception as e:  # noqa: BLE001 - pyparsing / oxigraph / evaluation errors
        msg = " ".join(str(e).split())
        raise QueryError(f"SPARQL query failed: {type(e).__name__}: {msg}") from None


def _graph_result(kind: str, triples) -> QueryResult:
    out = bind_prefixes(rdflib.Graph())
    for t in triples:
        out.add(t)
    terms = sorted(((s, p, o) for s, p, o in out), key=lambda t: tuple(map(_sort_key, t)))
    return QueryResult(kind, ["subject", "predicate", "object"],
                       [tuple(map(to_python, t)) for t in terms], terms, graph=out)


def _select_result(names: list[str], terms: list[tuple]) -> QueryResult:
    values: dict = {}  # terms repeat a lot down a column: convert each once

    def value(term):
        if term is None:
            return None
        try:
            return values[term]
        except KeyError:
            v = values[term] = to_python(term)
            return v
        except TypeError:  # unhashable
            return to_python(term)
    return QueryResult("SELECT", names, [tuple(map(value, t)) for t in terms], terms)


def _run_rdflib(graph: rdflib.Graph, sparql: str) -> QueryResult:
    init_ns = {k: URIRef(v) for k, v in PREFIXES.items()}
    with quiet():
        res = graph.query(sparql, initNs=init_ns)
    kind = res.type
    if kind == "ASK":
        return QueryResult("ASK", ["ask"], [(bool(res.askAnswer),)], [(bool(res.askAnswer),)])
    if kind in ("CONSTRUCT", "DESCRIBE"):
        return _graph_result(kind, res.graph if res.graph is not None else ())
    names = [str(v) for v in (res.vars or [])]
    with quiet():
        terms = [tuple(row.get(v) if hasattr(row, "get") else row[i]
                       for i, v in enumerate(names)) for row in res]
    return _select_result(names, terms)


def _from_ox(term):
    """A pyoxigraph term as the rdflib term rdflib's own engine would give."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == str(XSD.string) else Literal(term.value, datatype=URIRef(dt))
    return Literal(str(term))  # an RDF-star triple term: shown as text


_DESCRIBE = re.compile(r"\s*(?:(?:PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*)*DESCRIBE\b",
                       re.I)


def _run_oxigraph(source: OxSource, sparql: str) -> QueryResult:
    import pyoxigraph as ox

    try:
        res = source.store.query(sparql, prefixes=dict(PREFIXES),
                                 use_default_graph_as_union=source.union)
    except SyntaxError as e:
        msg = " ".join(str(e).split())
        raise QueryError(f"SPARQL query is malformed: {msg}") from None
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ASK", ["ask"], [(bool(res),)], [(bool(res),)])
    if isinstance(res, ox.QueryTriples):
        kind = "DESCRIBE" if _DESCRIBE.match(_unescape(sparql)) else "CONSTRUCT"
        return _graph_result(kind, ((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object))
                                    for t in res))
    names = [v.value for v in res.variables]
    seen: dict = {}

    def term(x):
        if x is None:
            return None
        t = seen.get(x)
        if t is None:
            t = seen[x] = _from_ox(x)
        return t
    width = range(len(names))
    terms = [tuple(term(sol[i]) for i in width) for sol in res]
    return _select_result(names, terms)


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


def _sorted_jsonld(text: str) -> str:
    """rdflib writes JSON-LD nodes in hash order: sort them (by @id) and their value lists, so
    the same graph always gives the same text."""
    doc = json.loads(text)

    def key(v) -> str:
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    nodes = (doc["@graph"] if "@graph" in doc else [doc]) if isinstance(doc, dict) else doc
    if isinstance(nodes, list):
        for n in nodes:
            if isinstance(n, dict):
                for k, v in n.items():
                    if isinstance(v, list):
                        n[k] = sorted(v, key=key)
        nodes.sort(key=key)
    return json.dumps(doc, ensure_ascii=False, indent=2)


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
            return _sorted_jsonld(result.graph.serialize(format="json-ld", indent=2, auto_compact=True))
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
