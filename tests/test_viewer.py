"""kg.viewer without a browser: content, escaping, determinism, layout, atomic writes."""
from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg import viewer
from kg.errors import GraphError, ResourceError
from kg.rdf import ID, KG
from kg.vocab import ENTITY_TYPES
from kg.viewer import (graph_data, graph_data_from_store, render_html, render_html_from_store,
                       to_pyvis, write_html, write_html_from_store)

from graphs import synthetic_graph

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

WSQ = "https://w3id.org/gongan-kg/id/official/wsq"
HOSTILE = "<img src=x onerror=alert(1)>"
_DATA = re.compile(r'<script type="application/json" id="data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def mini(mini_graph_path):
    return rdflib.Graph().parse(mini_graph_path, format="turtle")


@pytest.fixture(scope="module")
def mini_html(mini):
    return render_html(mini, title="mini <test> & co")


def page_data(page: str) -> dict:
    found = _DATA.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


# ----------------------------------------------------------------------------- content

def test_every_label_is_in_the_page_as_json_data(mini, mini_html):
    labels = {str(o) for o in mini.objects(None, RDFS.label)}
    assert len(labels) == 12
    for label in labels:
        escaped = json.dumps(label, ensure_ascii=False)[1:-1]
        escaped = escaped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        assert escaped in mini_html, label
    # The hostile label never appears as markup, only escaped.
    assert HOSTILE not in mini_html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in mini_html


def test_data_parses_back(mini_html):
    data = page_data(mini_html)
    assert data["title"] == "mini <test> & co"
    assert len(data["nodes"]) == 12 and len(data["edges"]) == 10
    assert not data["static"]
    counts = {t["name"]: t["count"] for t in data["types"]}
    assert counts == {"Official": 1, "Person": 1, "Bureau": 4, "Organization": 1, "Campaign": 1,
                      "Case": 1, "Award": 1, "Place": 2}
    by_iri = {n["iri"]: n for n in data["nodes"]}
    wsq = by_iri[WSQ]
    assert data["types"][wsq["t"]]["name"] == "Official"
    assert wsq["l"] == "王双全"
    positions = dict((p, ev) for p, ev in wsq["p"])
    assert set(positions) == {"副省长", "省公安厅厅长"}
    assert "王双全批示肯定" in data["sentences"][positions["副省长"][0]]["text"]
    assert positions["省公安厅厅长"] == []
    # Aliases, articles and mentions.
    yk = by_iri["https://w3id.org/gongan-kg/id/bureau/yk"]
    assert yk["a"] == ["市公安局", "永康公安"]
    assert [data["articles"][a]["title"] for a in yk["ar"]] == ["永康公安全力打造平安高地"]
    assert data["articles"][yk["ar"][0]]["file"] == "a1.txt"
    (surface, sent, _), = yk["m"]
    assert surface == "市公安局" and data["sentences"][sent]["i"] == 0
    # Edges: kg: predicates only, evidence attached to the right triple.
    preds = [p["name"] for p in data["preds"]]
    edges = {(data["nodes"][e["f"]]["l"], preds[e["p"]], data["nodes"][e["to"]]["l"]): e
             for e in data["edges"]}
    assert ("永康市公安局", "subOrganizationOf", "金华市公安局") in edges
    assert ("王双全", "memberOf", "浙江省人民政府") in edges
    endorsed = edges[("王双全", "endorsed", "永康市公安局")]
    assert [data["sentences"][s]["text"][:5] for s in endorsed["ev"]] == ["受到副省长"]
    assert edges[("永康市公安局", "subOrganizationOf", "金华市公安局")]["ev"] == []
    zh = {p["name"]: p["zh"] for p in data["preds"]}
    assert zh["subOrganizationOf"] == "隶属"
    assert not any(p in preds for p in ("mentionedIn", "denotes", "type"))


def test_data_script_cannot_break_out(mini_html):
    raw = _DATA.findall(mini_html)[0]
    assert not set(raw) & set("<>&")
    # The title is escaped in the markup too.
    assert "<title>mini &lt;test&gt; &amp; co</title>" in mini_html


def test_offline_no_external_src_or_href(mini_html):
    assert not re.search(r"""(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", mini_html)
    assert not re.search(r"(?i)<(?:link|script)[^>]*\b(?:src|href)\s*=", mini_html)
    assert not re.search(r"(?i)@import|@font-face", mini_html)
    # vis-network is inlined from the pyvis package.
    assert "vis-network" in mini_html and "forceAtlas2Based" in mini_html
    assert mini_html.count("</script>") == 3 and "<!--" not in mini_html


def test_deterministic_bytes(mini, mini_graph_path):
    a = render_html(mini)
    assert render_html(mini) == a
    # Same triples inserted in another order give the same page.
    lines = mini.serialize(format="nt").splitlines()
    random.Random(3).shuffle(lines)
    shuffled = rdflib.Graph().parse(data="\n".join(lines), format="nt")
    assert render_html(shuffled) == a


def test_most_specific_type_and_label_choice():
    g = rdflib.Graph()
    x = ID["official/x"]
    g.add((x, RDF.type, KG.Person))
    g.add((x, RDF.type, KG.Official))
    g.add((x, RDFS.label, Literal("Wang", lang="en")))
    g.add((x, RDFS.label, Literal("王", lang="zh")))
    g.add((x, SKOS.altLabel, Literal("王", lang="zh")))
    g.add((x, SKOS.altLabel, Literal("老王", lang="zh")))
    y = ID["bureau/y"]  # no label: falls back to the IRI's last segment
    g.add((y, RDF.type, KG.Organization))
    g.add((y, RDF.type, KG.Bureau))
    g.add((x, KG.memberOf, y))
    g.add((x, KG.memberOf, Literal("not a node")))
    g.add((x, RDFS.seeAlso, y))  # not kg: -> not an edge
    data = graph_data(g)
    names = [t["name"] for t in data["types"]]
    nodes = {n["iri"]: n for n in data["nodes"]}
    assert names[nodes[str(x)]["t"]] == "Official"
    assert names[nodes[str(y)]["t"]] == "Bureau"
    assert nodes[str(x)]["l"] == "王" and nodes[str(x)]["a"] == ["老王"]
    assert nodes[str(y)]["l"] == "y"
    assert len(data["edges"]) == 1


def test_empty_graph_renders():
    data = page_data(render_html(rdflib.Graph()))
    assert data["nodes"] == [] and data["edges"] == []
    assert all(t["count"] == 0 for t in data["types"])


def test_not_a_graph_is_a_named_error():
    with pytest.raises(GraphError, match="rdflib.Graph"):
        render_html("graph.ttl")


# ----------------------------------------------------------------------------- layout

def test_large_graph_uses_static_layout():
    g = synthetic_graph(1200, 2400)
    data = graph_data(g)
    assert data["static"] and not data["edgeLabels"]
    xy = [(n["x"], n["y"]) for n in data["nodes"]]
    assert len(xy) == 1200
    assert len(set(xy)) == len(xy), "two nodes at the same position"
    assert graph_data(g) == data


def test_layout_separates_components_and_nodes():
    edges = [(0, "p", 1), (1, "p", 2), (3, "p", 4)]
    pos = viewer._layout(6, edges)
    assert len(set(pos)) == 6
    d = lambda a, b: ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5
    assert min(d(a, b) for a in range(6) for b in range(a + 1, 6)) > 30
    assert viewer._layout(0, []) == []


def test_5000_nodes_render(tmp_path):
    g = synthetic_graph(5000, 10000)
    out = write_html(g, tmp_path / "big.html", max_nodes=5000)
    data = page_data(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 5000 and len(data["edges"]) == 10000
    assert data["static"] and data["overview"] == 5000 and data["omitted"] == 0


# ----------------------------------------------------------------------------- writing

def test_write_html_atomic(mini, tmp_path):
    out = tmp_path / "sub" / "graph.html"
    assert write_html(mini, out) == out
    assert out.read_text(encoding="utf-8") == render_html(mini)
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]


def test_write_html_failure_leaves_old_file(mini, tmp_path, monkeypatch):
    out = tmp_path / "graph.html"
    out.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(GraphError, match="No space left"):
        write_html(mini, out)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]


def test_write_html_render_failure_writes_nothing(tmp_path):
    out = tmp_path / "graph.html"
    with pytest.raises(GraphError):
        write_html(None, out)
    assert list(tmp_path.iterdir()) == []


def test_write_html_unwritable_target(mini, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GraphError, match="cannot write"):
        write_html(mini, blocker / "graph.html")


# ----------------------------------------------------------------------------- resources

def test_bad_labels_file_names_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "labels.tsv").write_text("# comment\ntype\tOfficial\t官员\tred\n", encoding="utf-8")
    monkeypatch.setattr(viewer, "ASSETS", tmp_path)
    viewer._labels.cache_clear()
    try:
        with pytest.raises(ResourceError, match=r"labels.tsv:2:"):
            viewer._labels()
        (tmp_path / "labels.tsv").write_text("type\tOfficial\t官员\t#ffffff\n", encoding="utf-8")
        viewer._labels.cache_clear()
        with pytest.raises(ResourceError, match="Person"):
            viewer._labels()
    finally:
        viewer._labels.cache_clear()


def test_inline_refuses_closing_tags():
    with pytest.raises(ResourceError):
        viewer._inline("var a = '</script>';", "script", "x.js")
    assert viewer._inline("a < b", "script", "x.js") == "a < b"


def test_assets_ship_with_the_package():
    for name in ("template.html", "viewer.js", "viewer.css", "labels.tsv"):
        assert (Path(viewer.ASSETS) / name).is_file()


def test_seeds_graph(seeds_graph):
    """The real build output: every entity becomes a node, evidence reaches the page."""
    data = graph_data(seeds_graph)
    entities = {s for t in ENTITY_TYPES for s in seeds_graph.subjects(RDF.type, KG[t])}
    assert len(data["nodes"]) == len(entities) > 50
    labels = {n["l"] for n in data["nodes"]}
    assert {"永康市公安局", "王双全"} <= labels
    assert sum(1 for e in data["edges"] if e["ev"]) == len(data["edges"])  # every fact has a source
    wsq = next(n for n in data["nodes"] if n["l"] == "王双全")
    assert "副省长" in {p for p, _ in wsq.get("p", [])}


# ----------------------------------------------------------------------------- from a store

REPO = Path(__file__).resolve().parents[1]


def store_of(graph: rdflib.Graph, path=None) -> ox.Store:
    store = ox.Store(str(path)) if path else ox.Store()
    store.bulk_load(graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def exports_store():
    store = ox.Store()
    store.bulk_load(path=str(REPO / "exports" / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def test_store_and_rdflib_paths_give_the_same_page(exports_store, tmp_path):
    graph = rdflib.Graph().parse(REPO / "exports" / "graph.ttl", format="turtle")
    page = render_html_from_store(exports_store, title="t")
    assert page == render_html(graph, title="t")
    # An on-disk store, written through write_html_from_store.
    disk = store_of(graph, tmp_path / "store")
    out = write_html_from_store(disk, tmp_path / "g.html", title="t")
    assert out.read_text(encoding="utf-8") == page
    data = page_data(page)
    entities = {s for t in ENTITY_TYPES for s in graph.subjects(RDF.type, KG[t])}
    assert len(data["nodes"]) == len(entities) and data["omitted"] == 0


def test_a_graph_over_an_oxigraph_store_is_read_in_place(seeds_graph, tmp_path):
    from kg.store import open_store, write_store

    write_store(seeds_graph, tmp_path / "store")
    g = open_store(tmp_path / "store")
    try:
        assert viewer._to_store(g) is g.store._inner
        assert render_html(g) == render_html(seeds_graph)
    finally:
        g.close()


def test_not_a_store_is_a_named_error():
    with pytest.raises(GraphError, match="pyoxigraph.Store"):
        render_html_from_store(rdflib.Graph())


def _overview_key(data, i, deg):
    t = data["types"][data["nodes"][i]["t"]]["name"]
    first = t in ("Bureau", "Official")
    return (deg[i] == 0, -deg[i] * (2 if first else 1), not first, data["nodes"][i]["iri"])


def test_overview_is_capped_by_degree_bureaus_and_officials_first():
    g = synthetic_graph(400, 700)
    data = graph_data_from_store(store_of(g), max_nodes=50)
    nodes = data["nodes"]
    assert len(nodes) == 400 and data["overview"] == 50 and data["omitted"] == 350
    assert data["totalEdges"] == len(data["edges"]) == 700      # static page: every edge
    assert all("x" in n for n in nodes[:50]) and not any("x" in n for n in nodes[50:])
    # Each part sorted by IRI; the overview holds the 50 best by the documented rule.
    assert [n["iri"] for n in nodes[:50]] == sorted(n["iri"] for n in nodes[:50])
    assert [n["iri"] for n in nodes[50:]] == sorted(n["iri"] for n in nodes[50:])
    deg = [0] * len(nodes)
    for e in data["edges"]:
        deg[e["f"]] += 1
        deg[e["to"]] += 1
    worst_in = max(_overview_key(data, i, deg) for i in range(50))
    best_out = min(_overview_key(data, i, deg) for i in range(50, 400))
    assert worst_in < best_out
    types = [data["types"][n["t"]]["name"] for n in nodes[:50]]
    assert 25 < sum(t in ("Bureau", "Official") for t in types) < 50   # favoured, not alone
    # The page says how many were left out; the search index holds every name.
    page = render_html(g, max_nodes=50)
    assert page_data(page)["omitted"] == 350
    assert {n["l"] for n in page_data(page)["nodes"]} == {f"节点{i}号" for i in range(400)}


def test_max_nodes_larger_than_graph_and_zero(mini):
    assert graph_data(mini, max_nodes=10_000)["omitted"] == 0
    data = graph_data(mini, max_nodes=0)
    assert data["overview"] == 0 and data["omitted"] == 12 and len(data["nodes"]) == 12


def test_entities_outside_the_overview_keep_their_sources():
    g = synthetic_graph(300, 500, sources=True)
    data = graph_data(g, max_nodes=40)
    S, A = data["sentences"], data["articles"]
    outside = data["nodes"][40:]
    assert all(n.get("ar") and "m" not in n for n in outside)   # mentions: overview only
    assert all(n.get("m") for n in data["nodes"][:40])
    i = min(e["f"] for e in data["edges"] if e["f"] >= 40)   # outside, with facts
    n = data["nodes"][i]
    label = n["l"]
    k = int(label[2:-1])
    assert [A[a] for a in n["ar"]] == [{"title": f"第{k // 10}篇文章", "file": f"a{k // 10:04d}.txt"}]
    facts = [e for e in data["edges"] if e["f"] == i]
    assert facts
    for e in facts:
        (sent,) = e["ev"]
        assert S[sent]["text"] == f"{label}出现在这里。" and A[S[sent]["a"]]["title"] == f"第{k // 10}篇文章"


def test_sources_are_capped_and_counted():
    g = rdflib.Graph()
    hub, other = ID["bureau/hub"], ID["campaign/c"]
    g.add((hub, RDF.type, KG.Bureau))
    g.add((other, RDF.type, KG.Campaign))
    g.add((hub, KG.conducted, other))
    many = 2 * max(viewer.ARTICLE_CAP, viewer.MENTION_CAP, viewer.EVIDENCE_CAP) + 3
    for k in range(many):
        art, sent, men = ID[f"article/{k:03d}"], ID[f"sentence/{k:03d}"], ID[f"mention/{k:03d}"]
        g.add((art, DCTERMS.title, Literal(f"文章{k:03d}")))
        g.add((sent, KG.text, Literal(f"句子{k:03d}")))
        g.add((sent, DCTERMS.isPartOf, art))
        g.add((hub, KG.mentionedIn, art))
        g.add((men, KG.denotes, hub))
        g.add((men, KG.surface, Literal("局")))
        g.add((men, PROV.wasDerivedFrom, sent))
        for p, o in ((KG.conducted, other), (KG.holdsPosition, Literal("职务"))):
            r = rdflib.BNode()
            g.add((r, RDF.subject, hub))
            g.add((r, RDF.predicate, p))
            g.add((r, RDF.object, o))
            g.add((r, PROV.wasDerivedFrom, sent))
    g.add((hub, KG.holdsPosition, Literal("职务")))
    data = graph_data(g)
    node = next(n for n in data["nodes"] if n["iri"] == str(hub))
    S = data["sentences"]
    assert len(node["ar"]) == viewer.ARTICLE_CAP and node["arn"] == many
    assert len(node["m"]) == viewer.MENTION_CAP and node["mn"] == many
    (edge,) = data["edges"]
    assert len(edge["ev"]) == viewer.EVIDENCE_CAP and edge["en"] == many
    (pos,) = node["p"]
    assert pos[0] == "职务" and len(pos[1]) == viewer.EVIDENCE_CAP and pos[2] == many
    # The first by IRI, shown in reading order.
    assert [S[s]["text"] for s in edge["ev"]] == [f"句子{k:03d}" for k in range(viewer.EVIDENCE_CAP)]
    # Only referenced sentences are in the page.
    assert len(S) == max(viewer.MENTION_CAP, viewer.EVIDENCE_CAP)


def test_work_store_sentences_sort_as_their_iris():
    """The build's viewer keeps the first sentences by IRI without minting them: an int per
    sentence (article number, then the index as text: 10 before 9) in the IRIs' order."""
    from kg import iri

    code = viewer._TextOrder()
    docs = sorted(["a", "b", "c"], key=iri.article)
    indices = [0, 1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 999, 1000, 10 ** 12 - 1]
    refs = {(d, i): n * viewer._PER_ARTICLE + code[i] for n, d in enumerate(docs) for i in indices}
    assert sorted(refs, key=refs.get) == sorted(refs, key=lambda r: iri.sentence(*r))
    with pytest.raises(ValueError):
        code[10 ** 12]


def test_rendering_pauses_garbage_collection_and_resumes_it(mini, monkeypatch):
    import gc

    seen = []
    page = viewer._page
    monkeypatch.setattr(viewer, "_page", lambda data: seen.append(gc.isenabled()) or page(data))
    assert gc.isenabled()
    render_html(mini)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        render_html(mini)
        assert not gc.isenabled()   # left as the caller had it
    finally:
        gc.enable()


def _json_values():
    from hypothesis import strategies as st
    text = st.text(alphabet=st.sampled_from("ab公安<>&\u2028\u2029\"\\/ \n"), max_size=6)
    scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), text,
                       st.floats(allow_nan=False, allow_infinity=False, width=32))
    return st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(text, inner, max_size=4)), max_leaves=12)


def test_streamed_data_is_the_json_of_the_whole():
    """The page's data written a batch at a time (`_Items`) is the text of json.dumps of the
    whole, made safe for a script element: any values, any batch size, empty lists included."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.text(alphabet="abcL", min_size=1, max_size=4), _json_values(), max_size=5),
           st.dictionaries(st.text(alphabet="abcL", min_size=1, max_size=4),
                           st.lists(_json_values(), max_size=7), max_size=3),
           st.integers(1, 4))
    def check(plain, streamed, size):
        data = {**plain, **{k: viewer._Items(lambda v=v: iter(v)) for k, v in streamed.items()}}
        whole = {**plain, **streamed}
        monkey = viewer._Items.batches
        try:
            viewer._Items.batches = lambda self, size=size: monkey(self, size)
            text = "".join(viewer._json_pieces(data))
        finally:
            viewer._Items.batches = monkey
        expected = json.dumps(whole, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert text == viewer._script_safe(expected)
        assert json.loads(text) == json.loads(expected)
        assert not re.search("[<>&\u2028\u2029]", text)
    check()


def test_a_page_failing_while_it_is_written_leaves_nothing(mini, tmp_path, monkeypatch):
    """The page is written in pieces as its data is encoded: a failure half-way (after the first
    pieces reached the disk) leaves no file, and an earlier page in place."""
    out = tmp_path / "graph.html"
    out.write_text("old", encoding="utf-8")
    edges = viewer._Items.batches

    def failing(self, size=2000):
        yield from edges(self, size)
        raise MemoryError("while encoding")
    monkeypatch.setattr(viewer._Items, "batches", failing)
    with pytest.raises(MemoryError):
        viewer._write(viewer._page_parts(viewer._sections(viewer._StoreSource(viewer._to_store(mini)),
                                                         title="t", max_nodes=10, endpoint=None)),
                      out, chunk=10)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]


def test_a_builds_page_is_drawn_without_rdflib(tmp_path):
    """The build draws graph.html in a process of its own (kg.pool.Beside); rdflib, which it
    does not need, would add a fifth to that process's memory."""
    import subprocess
    import sys

    from kg.pipeline import build

    build(sorted(SEEDS.glob("*.txt"))[:2], tmp_path / "out", html=False)
    code = ("import sys; from pathlib import Path; from kg.viewer import write_build_page; "
            f"write_build_page(Path({str(tmp_path / 'out')!r}), Path({str(tmp_path / 'out' / '.kg' / 'cache.sqlite')!r})); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rdflib'))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    assert (tmp_path / "out" / "graph.html").stat().st_size > 100_000


# ----------------------------------------------------------------------------- endpoint

def test_endpoint_page_embeds_the_overview_and_the_index_only():
    g = synthetic_graph(300, 500, sources=True)
    full = graph_data(g, max_nodes=40)
    data = graph_data(g, max_nodes=40, endpoint="/query")
    assert data["endpoint"] == "/query"
    assert [(n["l"], n["iri"], n.get("a")) for n in data["nodes"]] == \
        [(n["l"], n["iri"], n.get("a")) for n in full["nodes"]]
    assert [(n["x"], n["y"]) for n in data["nodes"][:40]] == [(n["x"], n["y"]) for n in full["nodes"][:40]]
    for n in data["nodes"]:
        assert n["q"] == 1 and not ({"m", "ar", "p"} & set(n))
    inner = [(e["f"], e["p"], e["to"]) for e in full["edges"] if e["f"] < 40 and e["to"] < 40]
    assert [(e["f"], e["p"], e["to"]) for e in data["edges"]] == inner
    assert all(e["ev"] == [] for e in data["edges"])
    assert data["totalEdges"] == len(full["edges"]) == 500
    assert data["sentences"] == [] and data["articles"] == []


def test_endpoint_csp(mini):
    assert "connect-src" not in render_html(mini)
    assert "default-src 'none'; connect-src 'self'; script-src" in render_html(mini, endpoint="/query")
    page = render_html(mini, endpoint="http://127.0.0.1:7878/query")
    assert "connect-src http://127.0.0.1:7878; " in page
    assert page_data(page)["endpoint"] == "http://127.0.0.1:7878/query"
    for bad in ("javascript:alert(1)", "http://x/q'; script-src *", "//evil/q", "", "ftp://x/q"):
        with pytest.raises(GraphError, match="endpoint"):
            render_html(mini, endpoint=bad)


# ----------------------------------------------------------------------------- pyvis

def test_to_pyvis(mini):
    from pyvis.network import Network

    net = to_pyvis(mini)
    assert isinstance(net, Network)
    data = graph_data(mini)
    assert len(net.nodes) == 12 and len(net.edges) == 10
    by_label = {n["label"]: n for n in net.nodes}
    types = {t["name"]: t for t in data["types"]}
    yk = by_label["永康市公安局"]
    assert yk["color"] == types["Bureau"]["colour"]
    assert yk["title"] == "公安机关 / Bureau\n永康市公安局\n别名 / aliases: 市公安局、永康公安"
    assert by_label[HOSTILE]["title"] == "地点 / Place\n" + HOSTILE   # plain text tooltip
    page = net.generate_html()
    assert HOSTILE not in page
    titles = {e["title"] for e in net.edges}
    assert "永康市公安局 —隶属 / subOrganizationOf→ 金华市公安局" in titles
    assert len(to_pyvis(mini, max_nodes=5).nodes) == 5
    assert len(to_pyvis(store_of(mini)).nodes) == 12


def test_to_pyvis_escapes_titles_when_pyvis_uses_html_popups(mini, tmp_path):
    """pyvis renders every node title with innerHTML once one contains "href"."""
    g = rdflib.Graph()
    for t in mini:
        g.add(t)
    g.add((ID["bureau/yk"], SKOS.altLabel, Literal("href")))
    net = to_pyvis(g)
    before = [n["title"] for n in net.nodes]
    out = tmp_path / "g.html"
    net.write_html(str(out))
    page = out.read_text(encoding="utf-8")
    assert "popup.innerHTML" in page and HOSTILE not in page
    titles = {n["label"]: n["title"] for n in pyvis_nodes(page)}
    assert titles[HOSTILE] == "地点 / Place<br>&lt;img src=x onerror=alert(1)&gt;"
    assert [n["title"] for n in net.nodes] == before   # restored after rendering
    # Without "href" anywhere, titles stay plain text (vis shows them as text).
    plain = to_pyvis(mini).generate_html()
    assert "popup.innerHTML" not in plain
    assert {n["label"]: n["title"] for n in pyvis_nodes(plain)}[HOSTILE] == "地点 / Place\n" + HOSTILE


def pyvis_nodes(page: str) -> list:
    start = page.index("nodes = new vis.DataSet(") + len("nodes = new vis.DataSet(")
    return json.JSONDecoder().raw_decode(page[start:])[0]


def test_a_damaged_work_store_is_a_named_error(tmp_path):
    """Rows of an article the store no longer lists (a damaged store) are reported as such, not
    as a KeyError from deep inside the page's collection."""
    import sqlite3

    from kg.pipeline import build

    out = tmp_path / "out"
    build(sorted(SEEDS.glob("*.txt"))[:2], out, html=False)
    cache = out / ".kg" / "cache.sqlite"
    db = sqlite3.connect(cache)
    db.execute("DELETE FROM articles WHERE doc_id = (SELECT MIN(doc_id) FROM articles)")
    db.commit()
    db.close()
    with pytest.raises(GraphError, match="inconsistent"):
        viewer.write_build_page(out, cache)
    assert not (out / "graph.html").exists()
