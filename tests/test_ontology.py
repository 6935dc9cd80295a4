"""ontology/kg.ttl: parses, declares exactly the layout's terms, labels them, and keeps the
reference scorer's class mapping right."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS

from kg.rdf import KG
from kg.model import PREDICATES
from kg.errors import ResourceError
from kg.vocab import ENTITY_TYPES, entity_types
from kg.paths import ontology_file, shapes_file

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ontology_file("kg.ttl")
SHAPES = shapes_file()
SCORER = ROOT.parent / "shared" / "tools" / "score_reference.py"

CLASSES = ["Entity", *ENTITY_TYPES, "Article", "Sentence", "Evidence", "Mention", "Observation", "Fact"]
OBJECT_PROPS = ["memberOf", "subOrganizationOf", "locatedIn", "conducted", "solved", "partOf",
                "received", "endorsed", "mentionedIn", "denotes", "subject", "evidenceOf",
                "factSubject", "factPredicate"]
DATA_PROPS = ["holdsPosition", "text", "index", "surface", "sourceFile", "byline", "encoding",
              "indicator", "value", "unit", "change", "direction", "approximate", "period", "figureText",
              "covers", "dateSource", "dateText", "articleCount", "undatedArticleCount", "firstDate",
              "lastDate", "year"]
OTHER_PROPS = ["factObject"]   # an entity or a literal, like rdf:object
SDO = rdflib.Namespace("https://schema.org/")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def ours(g, kind):
    return {str(s)[len(str(KG)):] for s in g.subjects(RDF.type, kind) if str(s).startswith(str(KG))}


def test_exact_terms(onto):
    assert ours(onto, OWL.Class) == set(CLASSES)
    assert ours(onto, OWL.ObjectProperty) == set(OBJECT_PROPS)
    assert ours(onto, OWL.DatatypeProperty) == set(DATA_PROPS)
    assert ours(onto, RDF.Property) == set(OTHER_PROPS)
    assert set(PREDICATES) <= set(OBJECT_PROPS) | set(DATA_PROPS)


def test_entity_types_are_the_classes_under_entity_most_specific_first():
    # the guidelines' eight types, in the viewer's legend order
    assert ENTITY_TYPES == ("Official", "Person", "Bureau", "Organization", "Campaign", "Case", "Award", "Place")


def test_entity_types_of_another_ontology(tmp_path):
    f = tmp_path / "o.ttl"
    f.write_text("@prefix kg: <https://w3id.org/gongan-kg/ontology#> .\n"
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                 "kg:B rdfs:subClassOf kg:Entity . kg:A rdfs:subClassOf kg:Entity .\n"
                 "kg:A2 rdfs:subClassOf kg:A . kg:A3 rdfs:subClassOf kg:A2 . kg:Article rdfs:subClassOf kg:Other .\n",
                 encoding="utf-8")
    assert entity_types(f) == ("B", "A3", "A2", "A")
    f.write_text("@prefix kg: <https://w3id.org/gongan-kg/ontology#> .\nkg:A a kg:B .\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="no class"):
        entity_types(f)


def test_header(onto):
    [o] = list(onto.subjects(RDF.type, OWL.Ontology))
    assert onto.value(o, OWL.versionInfo) is not None
    assert {l.language for l in onto.objects(o, DCTERMS.title)} >= {"en", "zh"}
    assert onto.value(o, DCTERMS.description) is not None


def test_every_term_has_zh_and_en_labels(onto):
    for name in CLASSES + OBJECT_PROPS + DATA_PROPS + OTHER_PROPS:
        langs = {l.language for l in onto.objects(KG[name], RDFS.label)}
        assert {"zh", "en"} <= langs, name
        assert onto.value(KG[name], RDFS.comment) is not None, name


def test_alignment_axioms(onto):
    sub = lambda a, b: (a, RDFS.subClassOf, b) in onto  # noqa: E731
    subp = lambda a, b: (a, RDFS.subPropertyOf, b) in onto  # noqa: E731
    assert sub(KG.Official, KG.Person) and sub(KG.Bureau, KG.Organization)
    assert sub(KG.Person, FOAF.Person) and sub(KG.Person, SDO.Person)
    assert sub(KG.Organization, ORG.Organization)
    assert sub(KG.Bureau, SDO.GovernmentOrganization)
    assert sub(KG.Article, SDO.NewsArticle) and sub(KG.Article, PROV.Entity)
    assert sub(KG.Evidence, RDF.Statement) and sub(KG.Place, SDO.Place)
    assert subp(KG.memberOf, ORG.memberOf) and subp(KG.subOrganizationOf, ORG.subOrganizationOf)
    assert subp(KG.received, SDO.award) and subp(KG.holdsPosition, SDO.jobTitle)


def test_domains_and_ranges_follow_the_guidelines(onto):
    dom = lambda p: set(onto.objects(KG[p], RDFS.domain))  # noqa: E731
    rng = lambda p: set(onto.objects(KG[p], RDFS.range))  # noqa: E731
    assert dom("memberOf") == {KG.Person} and rng("memberOf") == {KG.Organization}
    assert dom("solved") == {KG.Bureau} and rng("solved") == {KG.Case}
    assert dom("partOf") == {KG.Case} and rng("partOf") == {KG.Campaign}
    assert dom("conducted") == {KG.Organization} and rng("conducted") == {KG.Campaign}
    assert rng("received") == {KG.Award} and rng("locatedIn") == {KG.Place}
    assert dom("endorsed") == {KG.Official}
    assert rng("index") == {rdflib.XSD.integer}


def test_no_blank_nodes(onto):
    assert not any(isinstance(t, rdflib.BNode) for triple in onto for t in triple)


def test_shapes_parse_and_cover_every_relation():
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targeted = {str(o)[len(str(KG)):] for o in shapes.objects(None, sh.targetSubjectsOf)}
    assert set(PREDICATES) <= targeted


def _scorer():
    if not SCORER.is_file():
        pytest.skip("reference scorer not present")
    spec = importlib.util.spec_from_file_location("score_reference", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_reference_scorer_maps_each_class_to_its_own_type(tmp_path):
    scorer = _scorer()
    data = tmp_path / "one_of_each.ttl"
    lines = ["@prefix kg: <https://w3id.org/gongan-kg/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    for t in ENTITY_TYPES:
        lines.append(f'<http://example.org/{t}> a kg:{t} ; rdfs:label "{t}"@zh .')
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    nodes, _, _ = scorer.load_pred([str(data), str(ONTOLOGY)])
    got = {str(n).rsplit("/", 1)[-1]: t for n, (t, _) in nodes.items()}
    assert got == {t: t for t in ENTITY_TYPES}


def test_reference_scorer_ignores_support_classes(tmp_path):
    # Articles, sentences, evidence, mentions and fact nodes must never be scored as entities.
    scorer = _scorer()
    data = tmp_path / "support.ttl"
    data.write_text("@prefix kg: <https://w3id.org/gongan-kg/ontology#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" +
                    "".join(f'<http://example.org/{c}> a kg:{c} ; rdfs:label "x"@zh .\n'
                            for c in ("Article", "Sentence", "Evidence", "Mention", "Fact")),
                    encoding="utf-8")
    nodes, rels, _ = scorer.load_pred([str(data), str(ONTOLOGY)])
    assert nodes == {} and rels == []
