"""kg.query: loading graphs in every format, running SPARQL, formatting results."""
from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib
from rdflib import Literal, URIRef

from kg.errors import GraphError, QueryError
from kg.query import QueryResult, format_result, load_graph, ready_queries, run_query

BUREAUS = "SELECT ?b ?name WHERE { ?b a kg:Bureau ; rdfs:label ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def mini(mini_graph_path):
    return load_graph(mini_graph_path)


def names(graph) -> list[str]:
    return [row[1] for row in run_query(graph, BUREAUS).rows]


@pytest.mark.parametrize("ext,fmt", [(".ttl", "turtle"), (".nt", "nt"), (".rdf", "xml"),
                                     (".xml", "xml"), (".jsonld", "json-ld"),
                                     (".json-ld", "json-ld"), (".trig", "trig"), (".nq", "nquads")])
def test_every_format_loads_the_same_triples(tmp_path, mini, ext, fmt):
    f = tmp_path / f"g{ext}"
    src = mini
    if fmt in ("trig", "nquads"):
        src = rdflib.Dataset()
        named = src.graph(URIRef("https://w3id.org/gongan-kg/id/graph/a1"))
        for t in mini:
            named.add(t)
    f.write_bytes(src.serialize(format=fmt, encoding="utf-8"))
    g = load_graph(f)
    assert names(g) == names(mini)
    assert len(set(g.triples((None, None, None)))) == len(mini)


def test_named_graphs_are_visible(tmp_path):
    trig = tmp_path / "g.trig"
    trig.write_text("""@prefix kg: <https://w3id.org/gongan-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://x/b1> a kg:Bureau ; rdfs:label "甲"@zh .
<http://x/g1> { <http://x/b2> a kg:Bureau ; rdfs:label "乙"@zh . }
<http://x/g2> { <http://x/b1> a kg:Bureau ; rdfs:label "甲"@zh . }
""", encoding="utf-8")
    g = load_graph(trig)
    assert names(g) == ["乙", "甲"]          # union, no duplicates
    rows = run_query(g, "SELECT ?g WHERE { GRAPH ?g { ?b a kg:Bureau } } ORDER BY ?g").rows
    assert rows == [("http://x/g1",), ("http://x/g2",)]


def test_oxigraph_store_directory(tmp_path, mini_graph_path, mini):
    import pyoxigraph

    d = tmp_path / "store"
    store = pyoxigraph.Store(str(d))
    store.load(path=str(mini_graph_path), format=pyoxigraph.RdfFormat.TURTLE)
    store.flush()
    del store
    g = load_graph(d)
    assert names(g) == names(mini)
    res = run_query(g, "ASK { ?x kg:holdsPosition \"副省长\"@zh }")
    assert res.rows == [(True,)]


def test_load_errors(tmp_path):
    with pytest.raises(GraphError, match="no such file"):
        load_graph(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/gongan-kg/ontology#> .\n\nkg:a kg:b kg:c ;;; .\n<x",
                   encoding="utf-8")
    with pytest.raises(GraphError) as e:
        load_graph(bad)
    assert "bad.ttl" in str(e.value) and "turtle" in str(e.value)
    other = tmp_path / "g.csv"
    other.write_text("a,b", encoding="utf-8")
    with pytest.raises(GraphError, match="unknown graph format"):
        load_graph(other)
    with pytest.raises(GraphError, match="not an Oxigraph store"):
        load_graph(tmp_path)
    binary = tmp_path / "bin.nt"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(GraphError, match="bin.nt"):
        load_graph(binary)


def test_prefixes_are_bound_without_prefix_lines(mini):
    ns = dict(mini.namespaces())
    for p in ("kg", "id", "rdfs", "skos", "dcterms", "prov", "oa", "rdf", "xsd", "org", "schema", "foaf"):
        assert p in ns
    assert str(ns["schema"]) == "https://schema.org/"
    rows = run_query(mini, "SELECT ?x WHERE { ?x skos:altLabel \"永康\"@zh }").rows
    assert rows == [("https://w3id.org/gongan-kg/id/place/yk",)]


def test_select_rows_are_python_values(mini):
    res = run_query(mini, "SELECT ?i ?t WHERE { ?s kg:index ?i ; kg:text ?t } ORDER BY ?i")
    assert res.type == "SELECT" and res.vars == ["i", "t"]
    assert [r[0] for r in res.rows] == [0, 1, 2]
    assert all(type(r[1]) is str for r in res.rows)
    assert isinstance(res.terms[0][1], Literal) and res.terms[0][1].language == "zh"


def test_unbound_is_none(mini):
    res = run_query(mini, "SELECT ?b ?alt WHERE { ?b a kg:Bureau OPTIONAL { ?b skos:altLabel ?alt } }")
    assert any(r[1] is None for r in res.rows)


def test_ask_and_construct(mini):
    assert run_query(mini, "ASK { ?x a kg:Official }").rows == [(True,)]
    assert run_query(mini, "ASK { ?x a kg:Nothing }").rows == [(False,)]
    res = run_query(mini, "CONSTRUCT { ?b rdfs:label ?l } WHERE { ?b a kg:Bureau ; rdfs:label ?l }")
    assert res.type == "CONSTRUCT" and isinstance(res.graph, rdflib.Graph) and len(res.graph) == 4
    assert len(res.rows) == 4
    res = run_query(mini, "DESCRIBE <https://w3id.org/gongan-kg/id/bureau/yk>")
    assert res.graph is not None and (URIRef("https://w3id.org/gongan-kg/id/bureau/yk"), None, None) in res.graph


def test_query_errors(mini):
    with pytest.raises(QueryError, match="SPARQL"):
        run_query(mini, "SELECT ?x WHERE { ?x a }")
    with pytest.raises(QueryError):
        run_query(mini, "SELEKT * WHERE {}")
    with pytest.raises(QueryError, match="empty"):
        run_query(mini, "  ")


def test_table_aligns_cjk_and_compacts_iris(mini):
    text = format_result(run_query(mini, BUREAUS))
    lines = text.splitlines()
    assert lines[-1] == "(4 rows)"
    assert "id:bureau/yk" in text and "https://" not in text
    # every name column starts at the same display column: CJK characters are double width
    import unicodedata

    def width(s):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    starts = {width(line[:line.index(name)]) for line, name in
              ((line, line.split()[1]) for line in lines[2:-1])}
    assert len(starts) == 1
    widths = {width(line) for line in lines[:2]}
    assert len(widths) == 1 or max(widths) == width(lines[1])


def test_table_singular_and_empty(mini):
    assert format_result(run_query(mini, "SELECT ?x WHERE { ?x a kg:Official }")).endswith("(1 row)\n")
    assert format_result(run_query(mini, "SELECT ?x WHERE { ?x a kg:Nothing }")).endswith("(0 rows)\n")
    assert "true" in format_result(run_query(mini, "ASK { ?x a kg:Official }"))


def test_table_keeps_rows_on_one_line(mini):
    g = rdflib.Graph()
    g.add((URIRef("http://x/a"), rdflib.RDFS.label, Literal("一\n二")))
    text = format_result(run_query(g, "SELECT ?l WHERE { ?a rdfs:label ?l }"))
    assert len(text.splitlines()) == 4 and "<http://x/a>" not in text


def test_csv(mini):
    text = format_result(run_query(mini, BUREAUS), "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["b", "name"]
    assert ["https://w3id.org/gongan-kg/id/bureau/yk", "永康市公安局"] in rows
    assert len(rows) == 5


def test_json_is_sparql_results_json_and_deterministic(mini):
    res = run_query(mini, BUREAUS)
    text = format_result(res, "json")
    assert text == format_result(run_query(mini, BUREAUS), "json")
    data = json.loads(text)
    assert data["head"]["vars"] == ["b", "name"]
    first = data["results"]["bindings"][0]
    assert first["b"]["type"] == "uri"
    assert first["name"] == {"type": "literal", "value": res.rows[0][1], "xml:lang": "zh"}
    ask = json.loads(format_result(run_query(mini, "ASK { ?x a kg:Official }"), "json"))
    assert ask == {"head": {}, "boolean": True}
    typed = json.loads(format_result(run_query(mini, "SELECT ?i WHERE { ?s kg:index ?i } ORDER BY ?i"), "json"))
    assert typed["results"]["bindings"][0]["i"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_unknown_format(mini):
    with pytest.raises(QueryError, match="format"):
        format_result(run_query(mini, BUREAUS), "xlsx")


def test_ready_queries_found():
    q = ready_queries()
    assert "entity_profile" in q and q["entity_profile"].suffix == ".rq"
    assert all(p.is_file() for p in q.values())


def test_query_result_defaults():
    r = QueryResult("SELECT", ["x"], [("a",)], [(Literal("a"),)])
    assert format_result(r).splitlines()[2] == "a"


# ---------------------------------------------------------------- stores: Oxigraph's own engine

@pytest.fixture
def mini_store(tmp_path, mini_graph_path):
    from kg.store import write_store

    return write_store(mini_graph_path, tmp_path / "store")


QUERIES = [BUREAUS,
           "SELECT ?i ?t WHERE { ?s kg:index ?i ; kg:text ?t } ORDER BY ?i",
           "SELECT ?b ?alt WHERE { ?b a kg:Bureau OPTIONAL { ?b skos:altLabel ?alt } } ORDER BY ?b ?alt",
           "ASK { ?x a kg:Official }",
           "CONSTRUCT { ?b rdfs:label ?l } WHERE { ?b a kg:Bureau ; rdfs:label ?l }"]


@pytest.mark.parametrize("sparql", QUERIES)
def test_a_store_runs_in_oxigraph_and_formats_the_same(mini, mini_store, sparql, monkeypatch):
    want = {fmt: format_result(run_query(mini, sparql), fmt) for fmt in ("table", "csv", "json")}

    def no_rdflib(*a, **k):
        raise AssertionError("rdflib's evaluator ran on a store")
    monkeypatch.setattr(rdflib.Graph, "query", no_rdflib)
    for source in (mini_store, str(mini_store), load_graph(mini_store)):
        res = run_query(source, sparql)
        for fmt in ("table", "csv", "json"):
            assert format_result(res, fmt) == want[fmt], (source, fmt)


def test_store_query_errors(mini_store):
    with pytest.raises(QueryError, match="malformed"):
        run_query(mini_store, "SELECT ?x WHERE { ?x a }")


# ---------------------------------------------------------------- SERVICE (federation)

from kg.query import FederationError, refuse_federation  # noqa: E402

REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { ?a ?b ?c . service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c . \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { OPTIONAL { SERVICE ?where { ?s ?p ?o } } VALUES ?where { <http://x/> } }",
    "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ",     # cannot be parsed: refused too
]
ALLOWED = [
    'SELECT * WHERE { ?s rdfs:label ?l FILTER (CONTAINS(?l, "SERVICE")) }',
    "SELECT * WHERE { ?s schema:Service ?o }  # SERVICE in a comment",
    "SELECT ?service WHERE { ?service a kg:Bureau }",
]


@pytest.mark.parametrize("sparql", REFUSED)
def test_service_is_refused(mini, sparql):
    with pytest.raises(FederationError, match="SERVICE"):
        run_query(mini, sparql)
    with pytest.raises(FederationError):
        refuse_federation(sparql)


@pytest.mark.parametrize("sparql", ALLOWED)
def test_the_word_service_elsewhere_is_fine(sparql):
    refuse_federation(sparql)


def test_load_is_refused_in_updates():
    with pytest.raises(FederationError, match="LOAD"):
        refuse_federation("LOAD <http://127.0.0.1:9/x.ttl> INTO GRAPH <urn:g>", update=True)
    refuse_federation("INSERT DATA { <urn:a> <urn:b> \"load\" }", update=True)


def test_federation_when_allowed(mini):
    q = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert run_query(mini, q, allow_federation=True).type == "SELECT"


def test_cli_refuses_service(mini_graph_path, capsys):
    from kg.cli import main

    assert main(["query", str(mini_graph_path), REFUSED[0]]) == 1
    err = capsys.readouterr().err
    assert "SERVICE" in err and "--allow-federation" in err and "Traceback" not in err
