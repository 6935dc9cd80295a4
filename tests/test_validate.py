"""kg.validate: SHACL shapes on the hand-written mini graph, its mutations, and the seeds graph."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.errors import GraphError, KGError
from kg.rdf import ID, KG
from kg.validate import ValidationReport, validate

A1 = ID["article/a1"]
S0 = ID["sentence/a1-0"]
WSQ = ID["official/wsq"]
YK = ID["bureau/yk"]
YLB = ID["person/ylb"]
PLACE = ID["place/yk"]
RELATIONS = [KG[p] for p in ("memberOf", "subOrganizationOf", "locatedIn", "conducted", "solved",
                             "partOf", "received", "endorsed", "holdsPosition")]


def complete(g: rdflib.Graph) -> rdflib.Graph:
    """Add an evidence node (from sentence a1-0) and a fact node for every relation triple that
    lacks one."""
    for p in RELATIONS:
        for s, o in sorted(g.subject_objects(p)):
            has = any((ev, RDF.predicate, p) in g and (ev, RDF.object, o) in g
                      for ev in g.subjects(RDF.subject, s))
            if not has:
                digest = hashlib.sha1(f"{s} {p} {o!r}".encode()).hexdigest()[:12]
                ev, fact = ID["evidence/test-" + digest], ID["fact/test-" + digest]
                g.add((ev, RDF.type, KG.Evidence))
                g.add((ev, RDF.type, RDF.Statement))
                g.add((ev, RDF.subject, s))
                g.add((ev, RDF.predicate, p))
                g.add((ev, RDF.object, o))
                g.add((ev, PROV.wasDerivedFrom, S0))
                g.add((ev, DCTERMS.source, A1))
                g.add((ev, KG.evidenceOf, fact))
                for t in [(fact, RDF.type, KG.Fact), (fact, KG.factSubject, s), (fact, KG.factPredicate, p),
                          (fact, KG.factObject, o), (fact, KG.articleCount, Literal(1)),
                          (fact, KG.undatedArticleCount, Literal(1))]:
                    g.add(t)
    return g


@pytest.fixture
def mini(mini_graph_path) -> rdflib.Graph:
    """mini.ttl with provenance for every relation (the hand-written file has some gaps)."""
    return complete(rdflib.Graph().parse(mini_graph_path, format="turtle"))


def messages(report: ValidationReport) -> list[str]:
    return [v.message for v in report.violations]


def test_completed_mini_conforms(mini):
    report = validate(mini)
    assert report.conforms, report.text
    assert report.violations == []
    assert report.text.startswith("Conforms")


def test_mini_file_breaks_only_the_provenance_rule(mini_graph_path):
    # The file itself may lack evidence for some relations; nothing else may be wrong.
    report = validate(mini_graph_path)
    assert all(m.startswith("provenance:") for m in messages(report)), report.text
    assert report.conforms == (not report.violations)


def test_second_zh_label(mini):
    mini.add((YK, RDFS.label, Literal("永康公安局", lang="zh")))
    report = validate(mini)
    assert not report.conforms
    [v] = report.violations
    assert v.message.startswith("entity label:")
    assert v.focus == str(YK) and v.path == "rdfs:label"
    assert v.label in ("永康市公安局", "永康公安局") and v.label in report.text
    assert str(YK) in report.text


def test_english_label_alongside_is_fine(mini):
    mini.add((YK, RDFS.label, Literal("Yongkang Public Security Bureau", lang="en")))
    assert validate(mini).conforms


def test_missing_label(mini):
    mini.remove((WSQ, RDFS.label, None))
    report = validate(mini)
    assert not report.conforms
    assert [m for m in messages(report) if m.startswith("entity label:")]
    assert any(v.focus == str(WSQ) and v.label is None for v in report.violations)


def test_plain_string_label_is_rejected(mini):
    mini.remove((PLACE, RDFS.label, None))
    mini.add((PLACE, RDFS.label, Literal("永康市")))
    report = validate(mini)
    assert not report.conforms
    assert {m.split(":")[0] for m in messages(report)} == {"entity label"}


def test_entity_without_a_class_of_ours(mini):
    mini.remove((PLACE, RDF.type, KG.Place))
    report = validate(mini)
    assert not report.conforms
    hits = [v for v in report.violations if v.message.startswith("entity class:")]
    assert hits and hits[0].focus == str(PLACE) and hits[0].label == "永康市"
    # the locatedIn range is broken too
    assert any(m.startswith("locatedIn: the object") for m in messages(report))


def test_entity_with_two_classes_of_ours(mini):
    mini.add((WSQ, RDF.type, KG.Person))  # an Official is typed kg:Official only
    report = validate(mini)
    assert [v.message.split(":")[0] for v in report.violations] == ["entity class"]
    assert "王双全" in report.text


def test_conducted_from_a_person(mini):
    mini.add((YLB, KG.conducted, ID["campaign/shce"]))
    report = complete_and_validate(mini)
    assert not report.conforms
    assert messages(report) == ["conducted: the subject must be a Bureau or an Organization"]
    assert report.violations[0].label == "俞亮波"


def complete_and_validate(g):
    return validate(complete(g))


def test_relation_with_wrong_object_class(mini):
    mini.add((YK, KG.solved, ID["campaign/shce"]))
    report = complete_and_validate(mini)
    assert messages(report) == ["solved: the object must be a Case"]
    assert report.violations[0].path == "kg:solved"


def test_relation_without_evidence(mini):
    mini.add((YK, KG.locatedIn, ID["place/x"]))
    report = validate(mini)
    assert not report.conforms
    [v] = report.violations
    assert v.message.startswith("provenance:")
    assert v.path == "kg:locatedIn" and v.value == "<img src=x onerror=alert(1)> id:place/x"
    assert "provenance" in report.text and "永康市公安局" in report.text


def test_holds_position_without_evidence(mini):
    mini.add((WSQ, KG.holdsPosition, Literal("厅长", lang="zh")))
    report = validate(mini)
    assert [m.split(":")[0] for m in messages(report)] == ["provenance"]


def test_evidence_without_sentence(mini):
    ev = next(mini.subjects(RDF.type, KG.Evidence))
    mini.remove((ev, PROV.wasDerivedFrom, None))
    report = validate(mini)
    assert not report.conforms
    assert any(m.startswith("evidence: must have exactly one prov:wasDerivedFrom")
               for m in messages(report))


def test_dangling_evidence(mini):
    ev = ID["evidence/dangling"]
    fact = next(mini.subjects(KG.factPredicate, KG.solved))
    for t in [(ev, RDF.type, KG.Evidence), (ev, RDF.subject, YK), (ev, RDF.predicate, KG.solved),
              (ev, RDF.object, ID["case/none"]), (ev, PROV.wasDerivedFrom, S0),
              (ev, DCTERMS.source, A1), (ev, KG.evidenceOf, fact)]:
        mini.add(t)
    report = validate(mini)
    assert sorted(messages(report)) == ["evidence: describes a triple that is not in the graph",
                                        f"fact: its evidence node {ev} reifies another triple"]


def test_evidence_without_fact_node(mini):
    ev = next(mini.subjects(RDF.predicate, KG.conducted))
    mini.remove((ev, KG.evidenceOf, None))
    report = validate(mini)
    assert sorted(messages(report)) == ["evidence: must have exactly one kg:evidenceOf, the kg:Fact of its triple",
                                        "fact: needs at least one evidence node (kg:evidenceOf)"]


def test_fact_node_rules(mini):
    fact = next(mini.subjects(KG.factPredicate, KG.conducted))
    mini.remove((fact, KG.factObject, None))
    mini.add((fact, KG.factObject, ID["campaign/none"]))
    mini.set((fact, KG.undatedArticleCount, Literal(2)))
    mini.add((fact, KG.year, Literal("2019")))
    report = validate(mini)
    got = set(messages(report))
    assert got == {"fact: stands for a triple that is not in the graph",
                   f"fact: its evidence node {next(mini.subjects(KG.evidenceOf, fact))} reifies another triple",
                   "fact: must have exactly one kg:undatedArticleCount, an xsd:integer from 0 to its kg:articleCount",
                   "fact: kg:year is an xsd:gYear"}, report.text


def test_sentence_and_article_rules(mini):
    mini.remove((S0, KG["index"], None))  # KG.index is str.index
    mini.remove((A1, KG.sourceFile, None))
    report = validate(mini)
    got = set(messages(report))
    assert "sentence: must have exactly one kg:index, an xsd:integer" in got
    assert "article: must have exactly one kg:sourceFile" in got


def test_validate_reads_files_and_reports_bad_ones(tmp_path, mini):
    f = tmp_path / "g.nt"
    mini.serialize(f, format="nt", encoding="utf-8")
    assert validate(f).conforms
    assert validate(str(f)).conforms
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(GraphError, match="bad.ttl"):
        validate(bad)
    with pytest.raises(GraphError):
        validate(tmp_path / "missing.ttl")


def test_bad_shapes_file_cannot_run(tmp_path, mini):
    bad = tmp_path / "shapes.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . <x> sh:property", encoding="utf-8")
    with pytest.raises(KGError) as e:
        validate(mini, shapes=bad)
    assert not isinstance(e.value, GraphError)
    assert e.value.exit_code == 2
    with pytest.raises(KGError):
        validate(mini, shapes=tmp_path / "nope.ttl")


@pytest.fixture
def seeds_ttl(request) -> Path:
    pytest.importorskip("kg.pipeline", reason="the build pipeline has not landed yet")
    return request.getfixturevalue("seeds_graph_path")


def test_seeds_graph_conforms(seeds_ttl):
    report = validate(seeds_ttl)
    assert report.conforms, report.text[:4000]


@pytest.mark.parametrize("content", ["", "@prefix kg: <https://w3id.org/gongan-kg/ontology#> .\n",
                                     "# only a comment\n"])
def test_an_empty_graph_is_an_input_error_not_conforms(tmp_path, content):
    import subprocess
    import sys

    from kg.errors import InputError

    f = tmp_path / "empty.ttl"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        validate(f)
    with pytest.raises(InputError):
        validate(rdflib.Graph())
    r = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(f)],
                       capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 1
    assert "empty.ttl" in r.stderr and "nothing to validate" in r.stderr
    assert "Conforms" not in r.stdout and "Traceback" not in r.stderr
