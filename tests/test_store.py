"""kg.store: write a store, reopen it, same triples and same SPARQL answers."""
from __future__ import annotations

import pytest
import rdflib
from rdflib import Literal, URIRef

from kg.errors import GraphError
from kg.export import export, read_graph
from kg.fileio import sweep_stale
from kg.store import is_store, open_store, write_store

ID = "https://w3id.org/gongan-kg/id/"
QUERY = """
SELECT ?label (COUNT(?x) AS ?n) WHERE {
  ?b a kg:Bureau ; rdfs:label ?label ; kg:subOrganizationOf ?x .
} GROUP BY ?label ORDER BY ?label
"""
PREFIXES = """PREFIX kg: <https://w3id.org/gongan-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def mini(mini_graph_path):
    return rdflib.Graph().parse(mini_graph_path, format="turtle")


def _rows(graph, query):
    return sorted(tuple(str(v) for v in row) for row in graph.query(query))


def test_write_and_reopen_a_graph(mini, tmp_path):
    store_dir = write_store(mini, tmp_path / "store")
    assert is_store(store_dir)
    g = open_store(store_dir)
    try:
        assert len(g) == len(mini)
        want = _rows(mini, PREFIXES + QUERY)
        assert want == [("永康市公安局", "1"), ("芝英派出所", "1")]
        assert _rows(g, PREFIXES + QUERY) == want
        assert _rows(g, QUERY) == want  # our prefixes are pre-bound
        assert (URIRef(ID + "bureau/yk"), rdflib.RDFS.label, Literal("永康市公安局", lang="zh")) in g
    finally:
        g.close()


def test_write_from_files_keeps_named_graphs(mini_graph_path, tmp_path):
    ds = read_graph(mini_graph_path)
    named = URIRef(ID + "graph/a1")
    ds.graph(named).add((URIRef(ID + "bureau/yk"), URIRef(ID + "p"), Literal("x")))
    trig = export(ds, "trig", tmp_path / "graph.trig")
    store_dir = write_store([trig], tmp_path / "store")
    g = open_store(store_dir)
    try:
        n = len(rdflib.Graph().parse(mini_graph_path))
        assert len(g) == n  # the default graph
        rows = _rows(g, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert rows == [(str(named), "1")]
    finally:
        g.close()
    d = open_store(store_dir, dataset=True)
    try:
        assert {str(c.identifier) for c in d.graphs()} >= {str(named)}
        back = rdflib.Dataset().parse(export(d, "nq", tmp_path / "back.nq"), format="nquads")
        assert len(back.graph(named)) == 1
    finally:
        d.close()


def test_turtle_file_source(mini, mini_graph_path, tmp_path):
    g = open_store(write_store(mini_graph_path, tmp_path / "s"))
    try:
        assert len(g) == len(mini)
    finally:
        g.close()


def test_read_graph_opens_a_store(mini, tmp_path):
    d = read_graph(write_store(mini, tmp_path / "s"))
    assert len(rdflib.Graph().parse(data=d.serialize(format="nt"), format="nt")) == len(mini)


def test_refuses_non_empty_target_and_can_overwrite(mini, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(GraphError, match="not an empty directory"):
        write_store(mini, target)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    store_dir = write_store(mini, tmp_path / "s")
    with pytest.raises(GraphError, match="existing store"):
        write_store(mini, store_dir, overwrite=False)
    small = rdflib.Graph()
    small.add((URIRef(ID + "a"), URIRef(ID + "b"), Literal("c")))
    write_store(small, store_dir)  # a rebuild replaces the store
    g = open_store(store_dir)
    try:
        assert len(g) == 1
    finally:
        g.close()


def test_bad_input_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <http://x/> .\n:a :b ", encoding="utf-8")
    with pytest.raises(GraphError, match="bad.ttl"):
        write_store(bad, tmp_path / "s")
    assert not (tmp_path / "s").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.ttl"]  # temp store removed
    with pytest.raises(GraphError, match="no such"):
        write_store(tmp_path / "missing.ttl", tmp_path / "s")
    odd = tmp_path / "g.csv"
    odd.write_text("a,b", encoding="utf-8")
    with pytest.raises(GraphError, match="csv"):
        write_store(odd, tmp_path / "s")


def test_is_store_and_open_errors(mini_graph_path, tmp_path):
    assert not is_store(tmp_path)
    assert not is_store(mini_graph_path)
    assert not is_store(tmp_path / "missing")
    with pytest.raises(GraphError, match="not an Oxigraph store"):
        open_store(tmp_path)


def test_plain_strings_stay_plain(mini, tmp_path):
    """Oxigraph reports "a1" as "a1"^^xsd:string; the opened graph gives rdflib's plain form."""
    art = URIRef(ID + "article/a1")
    ident = URIRef("http://purl.org/dc/terms/identifier")
    g = open_store(write_store(mini, tmp_path / "s"))
    try:
        assert list(g.objects(art, ident)) == [Literal("a1")]
        rows = list(g.query(f"SELECT ?i WHERE {{ <{art}> dcterms:identifier ?i }}"))
        assert rows[0][0] == Literal("a1") and rows[0][0].datatype is None
        built = g.query(f"CONSTRUCT {{ ?a dcterms:identifier ?i }} WHERE {{ ?a dcterms:identifier ?i }}").graph
        assert (art, ident, Literal("a1")) in built
        assert set(g) == set(mini)
    finally:
        g.close()


def test_sigkill_while_replacing_leaves_a_store_that_opens(tmp_path, mini_graph_path, seeds_graph_path):
    """Kill rebuilds of a store at several points: the store always opens, with the old or
    the new content, and the next rebuild succeeds."""
    import signal
    import subprocess
    import sys
    import time

    import pyoxigraph as ox

    target = tmp_path / "store"
    write_store([mini_graph_path], target)
    sizes = {len(ox.Store.read_only(str(target)))}
    code = ("import sys; from kg.store import write_store; "
            "write_store([sys.argv[1]], sys.argv[2])")
    for delay in (0.2, 0.5, 0.8, 1.2, 1.8, 2.5):
        proc = subprocess.Popen([sys.executable, "-c", code, str(seeds_graph_path), str(target)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        sweep_stale(target)   # what the next writer does first
        n = len(ox.Store.read_only(str(target)))
        sizes.add(n)
        assert n > 0
    assert len(sizes) <= 2
    write_store([seeds_graph_path], target)
    assert not list(tmp_path.glob(".store.*"))
