"""kg.evaluate: agreement with the reference scorer, the per-article breakdown, gold errors."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import rdflib

from kg.errors import GoldError, GraphError
from kg.evaluate import evaluate, format_report, norm, report_json
from kg.paths import ontology_file

DATA = Path(__file__).resolve().parent / "data"
EVAL_GOLD = DATA / "eval_gold"
GOLD = DATA / "gold"
ONTOLOGY = ontology_file("kg.ttl")
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "score_reference.py"   # ../shared

PREFIXES = """
@prefix kg: <https://w3id.org/gongan-kg/ontology#> .
@prefix id: <https://w3id.org/gongan-kg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.is_file():
        pytest.skip("reference scorer not available")
    spec = importlib.util.spec_from_file_location("score_reference", REFERENCE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def assert_agrees(ref_result: dict, ours: dict) -> None:
    """Every count, every P/R/F1 and every missed/false list equal to the reference's."""
    for block in ("entities", "relations"):
        assert ref_result[block].keys() == ours[block].keys()
        for k, rv in ref_result[block].items():
            ov = ours[block][k]
            for f in ("gold", "tp", "fp", "fn", "p", "r", "f1"):
                assert ov[f] == rv[f], (block, k, f, ov[f], rv[f])
            for f in ("missed", "false"):
                assert [tuple(x) if isinstance(x, list) else x for x in ov[f]] == list(rv[f]), (block, k, f)
    for k in ("entity_core_micro", "entity_all_micro", "relation_micro"):
        for f in ("p", "r", "f1"):
            assert ours[k][f] == ref_result[k][f], (k, f)


# ------------------------------------------------------------ agreement with the reference

def test_agrees_with_reference_on_mini(reference, mini_graph_path):
    ours = report_json(evaluate(EVAL_GOLD, mini_graph_path))
    assert_agrees(reference.score(str(EVAL_GOLD), [str(mini_graph_path)]), ours)
    # and the fixture exercises something: hits, misses, a false holdsPosition, an alias match
    assert ours["entities"]["Organization"]["tp"] == 1          # 浙江省人民政府 is an alias of 浙江省政府
    assert ours["entities"]["Bureau"]["missed"] == ["永康市公安局网安大队"]
    assert ours["relations"]["holdsPosition"]["false"] == [["王双全", "holdsPosition", "省公安厅厅长"]]
    assert ours["relations"]["memberOf"]["fp"] == 0             # the optional relation is not false
    assert 0 < ours["relation_micro"]["f1"] < 1
    if ONTOLOGY.is_file():
        with_onto = report_json(evaluate(EVAL_GOLD, mini_graph_path, ONTOLOGY))
        assert_agrees(reference.score(str(EVAL_GOLD), [str(mini_graph_path), str(ONTOLOGY)]), with_onto)


def test_agrees_with_reference_on_seeds(reference, request):
    pytest.importorskip("kg.pipeline", reason="kg.pipeline not written yet")
    graph = request.getfixturevalue("seeds_graph_path")
    ours = report_json(evaluate(GOLD, graph))
    assert_agrees(reference.score(str(GOLD), [str(graph)]), ours)
    if ONTOLOGY.is_file():
        ours = report_json(evaluate(GOLD, graph, ONTOLOGY))
        assert_agrees(reference.score(str(GOLD), [str(graph), str(ONTOLOGY)]), ours)
    # every gold article is found in the graph built from the seeds
    assert all(a["in_graph"] for a in ours["articles"])


def test_graph_object_same_as_path(mini_graph_path):
    g = rdflib.Graph().parse(mini_graph_path, format="turtle")
    assert report_json(evaluate(EVAL_GOLD, g))["entities"] == report_json(evaluate(EVAL_GOLD, mini_graph_path))["entities"]


SUBCLASS_GRAPH = PREFIXES + """
id:b1 a kg:TrafficSquad ; rdfs:label "永康市公安局交警大队"@zh .
id:b2 a kg:Bureau ; rdfs:label "永康市公安局"@zh .
id:b1 kg:subOrganizationOf id:b2 .
"""
SUBCLASS_ONTOLOGY = PREFIXES + """
kg:TrafficSquad rdfs:subClassOf kg:PoliceUnit .
kg:PoliceUnit rdfs:subClassOf kg:Bureau .
"""
SUBCLASS_GOLD = {"doc": "x.txt",
                 "entities": [{"type": "Bureau", "name": "永康市公安局交警大队"},
                              {"type": "Bureau", "name": "永康市公安局"}],
                 "relations": [{"s": "永康市公安局交警大队", "p": "subOrganizationOf", "o": "永康市公安局"}]}


def test_subclasses_from_the_ontology(reference, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.json").write_text(json.dumps(SUBCLASS_GOLD, ensure_ascii=False), encoding="utf-8")
    graph, onto = tmp_path / "g.ttl", tmp_path / "kg.ttl"
    graph.write_text(SUBCLASS_GRAPH, encoding="utf-8")
    onto.write_text(SUBCLASS_ONTOLOGY, encoding="utf-8")

    without = report_json(evaluate(gold, graph))
    assert without["entities"]["Bureau"]["tp"] == 1
    assert without["relations"]["subOrganizationOf"]["tp"] == 0   # subject is not a scored node
    with_onto = report_json(evaluate(gold, graph, onto))
    assert with_onto["entities"]["Bureau"]["tp"] == 2
    assert with_onto["relations"]["subOrganizationOf"]["tp"] == 1
    assert_agrees(reference.score(str(gold), [str(graph), str(onto)]), with_onto)
    assert_agrees(reference.score(str(gold), [str(graph)]), without)


def test_norm_matches_guidelines():
    assert norm("“7・12”涉黑专案") == norm("7·12涉黑专案") == "7·12涉黑专案"
    assert norm("《亲清护企 实施意见》") == "亲清护企实施意见"
    assert norm("ＰＴＵ") == "ptu"


# ------------------------------------------------------------ per-article breakdown

TWO_ARTICLES = PREFIXES + """
id:art_a a kg:Article ; kg:sourceFile "a.txt" .
id:art_b a kg:Article ; kg:sourceFile "b.txt" .
id:yk a kg:Bureau ; rdfs:label "永康市公安局"@zh ; kg:mentionedIn id:art_a, id:art_b .
id:jh a kg:Bureau ; rdfs:label "金华市公安局"@zh ; kg:mentionedIn id:art_a .
id:ph a kg:Bureau ; rdfs:label "平湖市公安局"@zh ; kg:mentionedIn id:art_b .
id:xx a kg:Campaign ; rdfs:label "瞎编行动"@zh ; kg:mentionedIn id:art_b .
id:cl a kg:Official ; rdfs:label "陈龙"@zh .
id:m1 a kg:Mention ; kg:denotes id:cl ; dcterms:source id:art_a .
id:yk kg:subOrganizationOf id:jh .
id:ph kg:conducted id:xx .
id:cl kg:endorsed id:yk .
id:cl kg:holdsPosition "市委书记"@zh .
id:e1 a kg:Evidence ; rdf:subject id:yk ; rdf:predicate kg:subOrganizationOf ; rdf:object id:jh ;
    dcterms:source id:art_a .
id:e2 a kg:Evidence ; rdf:subject id:ph ; rdf:predicate kg:conducted ; rdf:object id:xx ;
    dcterms:source id:art_b .
id:e3 a kg:Evidence ; rdf:subject id:cl ; rdf:predicate kg:endorsed ; rdf:object id:yk ;
    dcterms:source id:art_b .
id:e4 a kg:Evidence ; rdf:subject id:cl ; rdf:predicate kg:holdsPosition ; rdf:object "市委书记"@zh ;
    dcterms:source id:art_a .
"""
GOLD_A = {"doc": "a.txt",
          "entities": [{"type": "Bureau", "name": "永康市公安局", "aliases": ["永康公安"]},
                       {"type": "Bureau", "name": "金华市公安局"},
                       {"type": "Official", "name": "陈龙", "positions": ["市委书记"]}],
          "relations": [{"s": "永康公安", "p": "subOrganizationOf", "o": "金华市公安局"},
                        {"s": "陈龙", "p": "endorsed", "o": "永康市公安局"}]}
GOLD_B = {"doc": "b.txt",
          "entities": [{"type": "Bureau", "name": "永康市公安局"},
                       {"type": "Official", "name": "陈龙"},
                       {"type": "Place", "name": "平湖市"}],
          "relations": [{"s": "陈龙", "p": "endorsed", "o": "永康公安"}]}
GOLD_C = {"doc": "c.txt", "entities": [{"type": "Place", "name": "嘉兴市"}], "relations": []}


@pytest.fixture
def two_articles(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    for name, d in (("a", GOLD_A), ("b", GOLD_B), ("c", GOLD_C)):
        (gold / f"{name}.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    graph = tmp_path / "g.ttl"
    graph.write_text(TWO_ARTICLES, encoding="utf-8")
    return gold, graph


def test_per_article_breakdown(two_articles, reference):
    gold, graph = two_articles
    report = evaluate(gold, graph)
    assert_agrees(reference.score(str(gold), [str(graph)]), report_json(report))
    arts = {a.doc: a for a in report.articles}
    assert list(arts) == ["a.txt", "b.txt", "c.txt"]

    a = arts["a.txt"]
    assert a.in_graph
    assert (a.entities["Bureau"].tp, a.entities["Bureau"].fp, a.entities["Bureau"].fn) == (2, 0, 0)
    # 陈龙 reaches article a through a mention node (no kg:mentionedIn)
    assert a.entities["Official"].tp == 1
    assert a.relations["subOrganizationOf"].tp == 1          # gold subject written as an alias
    assert a.relations["holdsPosition"].tp == 1
    # the endorsement's evidence is in article b, not a
    assert a.relations["endorsed"].missed == [("陈龙", "endorsed", "永康市公安局")]

    b = arts["b.txt"]
    assert b.entities["Bureau"].false == ["平湖市公安局"]       # not in b's gold
    assert b.entities["Campaign"].false == ["瞎编行动"]
    assert b.entities["Official"].missed == ["陈龙"]            # not mentioned in b
    assert b.entities["Place"].missed == ["平湖市"]
    assert b.relations["endorsed"].tp == 1                     # gold object alias defined in a.json
    assert b.relations["conducted"].false == [("?平湖市公安局", "conducted", "?")]
    assert b.relations["holdsPosition"].fp == 0

    c = arts["c.txt"]
    assert not c.in_graph
    assert c.entities["Place"].missed == ["嘉兴市"]
    assert c.entity_all_micro.tp == 0 and c.entity_all_micro.fn == 1

    text = format_report(report, detail=True, per_article=True)
    assert "== b.txt" in text and "false:  平湖市公安局" in text
    assert "c.txt" in text and "not in graph" in text
    j = report_json(report)
    json.dumps(j, ensure_ascii=False)
    assert [x["doc"] for x in j["articles"]] == ["a.txt", "b.txt", "c.txt"]
    assert j["articles"][1]["relations"]["conducted"]["false"] == [["?平湖市公安局", "conducted", "?"]]


def test_format_report_detail_shows_why(mini_graph_path):
    report = evaluate(EVAL_GOLD, mini_graph_path)
    plain = format_report(report)
    assert "永康市公安局网安大队" not in plain and "relation_micro" in plain
    assert "== " not in plain
    detail = format_report(report, detail=True)
    assert "missed: 永康市公安局网安大队" in detail
    assert "false:  王双全 —holdsPosition→ 省公安厅厅长" in detail


def test_trig_reads_named_graphs(tmp_path, mini_graph_path):
    g = rdflib.Graph().parse(mini_graph_path, format="turtle")
    ds = rdflib.Dataset()
    named = ds.graph(rdflib.URIRef("https://w3id.org/gongan-kg/id/graph/a1"))
    for t in g:
        named.add(t)
    trig = tmp_path / "g.trig"
    ds.serialize(trig, format="trig")
    assert report_json(evaluate(EVAL_GOLD, trig))["entities"] == report_json(evaluate(EVAL_GOLD, g))["entities"]


# ------------------------------------------------------------ errors

def _gold_dir(tmp_path, text: str) -> Path:
    d = tmp_path / "gold"
    d.mkdir(exist_ok=True)
    (d / "x.json").write_text(text, encoding="utf-8")
    return d


def test_missing_gold_dir(tmp_path, mini_graph_path):
    with pytest.raises(GoldError, match="not found"):
        evaluate(tmp_path / "nope", mini_graph_path)


def test_empty_gold_dir(tmp_path, mini_graph_path):
    with pytest.raises(GoldError, match=r"no \*\.json"):
        evaluate(tmp_path, mini_graph_path)


def test_malformed_json_names_file_and_position(tmp_path, mini_graph_path):
    d = _gold_dir(tmp_path, '{\n  "entities": [\n    {"type": "Bureau" "name": "x"}\n  ]\n}\n')
    with pytest.raises(GoldError) as e:
        evaluate(d, mini_graph_path)
    assert f"{d / 'x.json'}:3:" in str(e.value)


@pytest.mark.parametrize("doc, where", [
    ({"entities": []}, "relations"),
    ({"entities": [{"type": "Bureu", "name": "x"}], "relations": []}, "entities[0].type"),
    ({"entities": [{"type": "Bureau"}], "relations": []}, "entities[0].name"),
    ({"entities": [], "relations": [{"s": "a", "p": "knows", "o": "b"}]}, "relations[0].p"),
    ({"entities": [], "relations": [], "optional": [{"foo": 1}]}, "optional[0]"),
    ({"entities": [{"type": "Bureau", "name": "x", "aliases": "y"}], "relations": []}, "entities[0].aliases"),
    ([], "top level"),
])
def test_malformed_gold_structure(tmp_path, mini_graph_path, doc, where):
    d = _gold_dir(tmp_path, json.dumps(doc))
    with pytest.raises(GoldError) as e:
        evaluate(d, mini_graph_path)
    assert str(e.value).startswith(f"{d / 'x.json'}: {where}")


def test_not_utf8_gold(tmp_path, mini_graph_path):
    d = tmp_path / "gold"
    d.mkdir()
    (d / "x.json").write_bytes('{"entities": [], "relations": [], "doc": "永康"}'.encode("gb18030"))
    with pytest.raises(GoldError, match="not UTF-8"):
        evaluate(d, mini_graph_path)


def test_unreadable_graph(tmp_path):
    with pytest.raises(GraphError, match="not found"):
        evaluate(EVAL_GOLD, tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(GraphError, match="bad.ttl"):
        evaluate(EVAL_GOLD, bad)
    with pytest.raises(GraphError, match="ontology"):
        evaluate(EVAL_GOLD, DATA / "mini.ttl", tmp_path / "no-ontology.ttl")
