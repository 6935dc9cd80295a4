"""kg.viewer without a browser: content, escaping, determinism, layout, atomic writes."""
from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import SKOS

from kg import viewer
from kg.errors import GraphError, ResourceError
from kg.rdf import ID, KG
from kg.model import ENTITY_TYPES
from kg.viewer import graph_data, render_html, write_html
from graphs import synthetic_graph

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
    out = write_html(g, tmp_path / "big.html")
    data = page_data(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 5000 and len(data["edges"]) >= 9000
    assert data["static"]


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
