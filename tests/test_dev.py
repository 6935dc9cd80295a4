"""The real development set (../shared/dev: 36 web-page articles and their gold) meets the
quality bar, scored with the reference scorer.  Skipped when the shared folder is absent.

The bar is set a little below what the extractor reaches today (issue 8), so that a change
that loses quality on real text fails here, not later on unseen articles.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "dev"
SCORER = SHARED / "tools" / "score_reference.py"
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "kg.ttl"

CORE_BAR = 0.94       # reached: 0.967 (issue 8: 0.85 on unseen text, goal 0.90)
RELATION_BAR = 0.87   # reached: 0.901 (issue 8: 0.70 on unseen text, goal 0.80)


@pytest.fixture(scope="module")
def dev_scores(tmp_path_factory):
    if not (DEV / "articles").is_dir() or not (DEV / "gold").is_dir() or not SCORER.is_file():
        pytest.skip(f"development set not found at {DEV}")
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("dev")
    report = build([DEV / "articles"], out, progress=False, html=False)
    spec = importlib.util.spec_from_file_location("score_reference", SCORER)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    scores = scorer.score(str(DEV / "gold"), [str(out / "graph.ttl"), str(ONTOLOGY)])
    scores["report"] = report
    return scores


def test_dev_set_builds_every_article(dev_scores):
    report = dev_scores["report"]
    assert not report.failures, report.failures
    assert report.articles == len(list((DEV / "articles").glob("*.txt")))


def test_dev_set_core_entities(dev_scores):
    f1 = dev_scores["entity_core_micro"]["f1"]
    per_type = {t: round(v["f1"], 2) for t, v in dev_scores["entities"].items()}
    assert f1 >= CORE_BAR, f"core-entity F1 {f1:.3f} < {CORE_BAR}; per type: {per_type}"


def test_dev_set_relations(dev_scores):
    f1 = dev_scores["relation_micro"]["f1"]
    per_pred = {p: round(v["f1"], 2) for p, v in dev_scores["relations"].items()}
    assert f1 >= RELATION_BAR, f"relation F1 {f1:.3f} < {RELATION_BAR}; per predicate: {per_pred}"

