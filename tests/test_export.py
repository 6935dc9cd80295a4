"""kg.export: every RDF format round-trips, GraphML keeps entities and relations."""
from __future__ import annotations

import json
import os

import networkx as nx
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import GraphError, KGError
from kg.export import DEFAULT_GRAPH, FORMATS, FormatError, export, read_graph, to_networkx

ID = "https://w3id.org/gongan-kg/id/"
PARSE = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "nq": "nquads", "trig": "trig"}


@pytest.fixture(scope="module")
def mini(mini_graph_path):
    return rdflib.Graph().parse(mini_graph_path, format="turtle")


@pytest.fixture(scope="module")
def mini_dataset(mini_graph_path):
    """The mini graph in the default graph plus two facts in per-article named graphs."""
    ds = rdflib.Dataset()
    ds.default_graph.parse(mini_graph_path, format="turtle")
    yk, jh = URIRef(ID + "bureau/yk"), URIRef(ID + "bureau/jh")
    sub = URIRef("https://w3id.org/gongan-kg/ontology#subOrganizationOf")
    ds.graph(URIRef(ID + "graph/a1")).add((yk, sub, jh))
    ds.graph(URIRef(ID + "graph/a2")).add((yk, sub, jh))
    ds.graph(URIRef(ID + "graph/a2")).add((yk, URIRef(ID + "x"), Literal("永康")))
    return ds


def _quads(ds):
    """Quads of a Dataset as comparable tuples (default graph named None)."""
    out = set()
    for s, p, o, c in ds.quads((None, None, None, None)):
        name = c.identifier if isinstance(c, rdflib.Graph) else c
        out.add((s, p, o, None if name in (None, rdflib.graph.DATASET_DEFAULT_GRAPH_ID) else name))
    return out


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_triple_formats_round_trip(mini, fmt, tmp_path):
    out = export(mini, fmt, tmp_path / f"g.{fmt}")
    back = rdflib.Graph().parse(out, format=PARSE[fmt])
    assert len(back) == len(mini) > 100
    assert isomorphic(back, mini)


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_quad_formats_put_a_plain_graph_in_one_named_graph(mini, fmt, tmp_path):
    out = export(mini, fmt, tmp_path / f"g.{fmt}")
    back = rdflib.Dataset().parse(out, format=PARSE[fmt])
    assert {c for *_, c in _quads(back)} == {DEFAULT_GRAPH}
    assert isomorphic(back.graph(DEFAULT_GRAPH), mini)


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_dataset_keeps_named_graphs(mini_dataset, fmt, tmp_path):
    out = export(mini_dataset, fmt, tmp_path / f"g.{fmt}")
    back = rdflib.Dataset().parse(out, format=PARSE[fmt])
    assert _quads(back) == _quads(mini_dataset)


def test_trig_file_exported_as_nq_keeps_named_graphs(mini_dataset, tmp_path):
    """`kg export GRAPH.trig --format nq`: read a TriG file, write N-Quads."""
    trig = export(mini_dataset, "trig", tmp_path / "graph.trig")
    ds = read_graph(trig)
    out = export(ds, "nq", tmp_path / "graph.nq")
    text = out.read_text(encoding="utf-8")
    assert f"<{ID}graph/a1> ." in text and f"<{ID}graph/a2> ." in text
    assert _quads(rdflib.Dataset().parse(out, format="nquads")) == _quads(mini_dataset)


def test_triple_formats_take_the_union_of_a_dataset(mini_dataset, mini, tmp_path):
    back = rdflib.Graph().parse(export(mini_dataset, "nt", tmp_path / "g.nt"), format="nt")
    assert len(back) == len(mini) + 1  # the extra literal triple; the sub-org fact was there


def test_export_from_a_path_or_a_store(mini, mini_graph_path, tmp_path):
    from kg.store import write_store

    store = write_store(mini, tmp_path / "store")
    for src in (mini_graph_path, store):
        g = nx.read_graphml(export(src, "graphml", tmp_path / "g.graphml"), force_multigraph=True)
        assert (g.number_of_nodes(), g.number_of_edges()) == (12, 10)
        back = rdflib.Graph().parse(export(src, "turtle", tmp_path / "g.ttl"), format="turtle")
        assert isomorphic(back, mini)


def test_jsonld_uses_compact_context(mini, tmp_path):
    doc = json.loads(export(mini, "jsonld", tmp_path / "g.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["kg"] == "https://w3id.org/gongan-kg/ontology#"
    assert "kg:mentionedIn" in json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(mini_graph_path, fmt, tmp_path):
    a = export(rdflib.Graph().parse(mini_graph_path), fmt, tmp_path / f"a.{fmt}")
    b = export(rdflib.Graph().parse(mini_graph_path), fmt, tmp_path / f"b.{fmt}")
    assert a.read_bytes() == b.read_bytes()


def test_graphml_keeps_labels_types_and_edges(mini, tmp_path):
    out = export(mini, "graphml", tmp_path / "g.graphml")
    assert "永康市公安局" in out.read_text(encoding="utf-8")  # real UTF-8, not char refs
    g = nx.read_graphml(out, force_multigraph=True)
    # 12 entities of the 8 classes; articles, sentences, evidence, mentions are not nodes
    assert g.number_of_nodes() == 12
    yk = g.nodes[ID + "bureau/yk"]
    assert yk["label"] == "永康市公安局" and yk["type"] == "Bureau"
    assert yk["aliases"] == "市公安局|永康公安"
    assert yk["iri"] == ID + "bureau/yk"
    wsq = g.nodes[ID + "official/wsq"]
    assert wsq["type"] == "Official" and wsq["positions"] == "副省长|省公安厅厅长"
    # 10 relation triples between entities (holdsPosition literals are node attributes)
    assert g.number_of_edges() == 10
    preds = [d["predicate"] for _, _, d in g.edges(ID + "bureau/zy", data=True)]
    assert sorted(preds) == ["received", "subOrganizationOf"]
    edge = g.get_edge_data(ID + "official/wsq", ID + "bureau/yk")
    assert [d["predicate"] for d in edge.values()] == ["endorsed"]


def test_to_networkx_is_sorted(mini):
    g = to_networkx(mini)
    assert list(g.nodes) == sorted(g.nodes)
    assert list(g.edges(keys=True)) == sorted(g.edges(keys=True))


def test_unknown_format_lists_formats(mini, tmp_path):
    with pytest.raises(FormatError) as e:
        export(mini, "xml", tmp_path / "g.xml")
    assert isinstance(e.value, KGError)
    for fmt in FORMATS:
        assert fmt in str(e.value)
    assert not (tmp_path / "g.xml").exists()


def test_failed_write_leaves_no_file(mini, tmp_path, monkeypatch):
    out = tmp_path / "g.ttl"
    out.write_text("old", encoding="utf-8")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(GraphError, match="No space left"):
        export(mini, "ttl", out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]  # temp file removed


def test_read_graph_errors(tmp_path):
    with pytest.raises(GraphError, match="no such"):
        read_graph(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(GraphError, match="cannot parse"):
        read_graph(bad)
    odd = tmp_path / "g.csv"
    odd.write_text("a,b", encoding="utf-8")
    with pytest.raises(GraphError, match="extension"):
        read_graph(odd)


@pytest.fixture
def seeds(request):
    pytest.importorskip("kg.pipeline", reason="the build pipeline has not landed yet")
    return request.getfixturevalue("seeds_graph")


def test_seeds_graph_round_trips(seeds, tmp_path):
    seeds_graph = seeds
    for fmt in ("ttl", "nt"):
        back = rdflib.Graph().parse(export(seeds_graph, fmt, tmp_path / f"s.{fmt}"), format=PARSE[fmt])
        assert isomorphic(back, seeds_graph)
    g = nx.read_graphml(export(seeds_graph, "graphml", tmp_path / "s.graphml"), force_multigraph=True)
    assert g.number_of_nodes() > 0
    assert all(d["type"] and d["iri"] for _, d in g.nodes(data=True))


def test_trig_is_identical_across_hash_seeds(tmp_path):
    """Named graphs are written in a fixed order, whatever PYTHONHASHSEED is."""
    import subprocess
    import sys

    from pathlib import Path

    src = Path(__file__).parent.parent / "exports" / "graph.trig"
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.trig"
        subprocess.run([sys.executable, "-m", "kg.cli", "export", str(src), "--format", "trig", "-o", str(out)],
                       check=True, capture_output=True, env=dict(os.environ, PYTHONHASHSEED=seed))
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_without_output_writes_to_stdout_and_no_file(mini_graph_path, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    before = set(root.iterdir())
    env = dict(os.environ, PYTHONPATH=str(root))
    r = subprocess.run([sys.executable, "-m", "kg.cli", "export", str(mini_graph_path), "--format", "nt"],
                       capture_output=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == export(mini_graph_path, "nt", tmp_path / "want.nt").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["want.nt"]   # nothing written in the cwd
    assert set(root.iterdir()) == before and not (mini_graph_path.with_suffix(".nt")).exists()


def test_exports_registry_takes_other_views(mini, monkeypatch, tmp_path):
    """The place for another view of the graph (e.g. `--what observations` as CSV)."""
    from kg import export as ex

    monkeypatch.setitem(ex.EXPORTS, "counts", {"csv": lambda g: f"triples\n{len(g)}\n".encode()})
    assert "csv" in ex.all_formats()
    assert ex.render(mini, "csv", what="counts") == f"triples\n{len(mini)}\n".encode()
    assert export(mini, "csv", tmp_path / "c.csv", what="counts").read_text() == f"triples\n{len(mini)}\n"
    with pytest.raises(FormatError, match="of 'counts'.*choose from: csv"):
        ex.render(mini, "ttl", what="counts")
    with pytest.raises(FormatError):
        ex.render(mini, "csv")  # the graph itself has no csv
    with pytest.raises(GraphError, match="unknown export 'nope'"):
        ex.render(mini, "ttl", what="nope")
