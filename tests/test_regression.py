"""Regression set: realistic sentences and short articles the extractor must get right.

Cases live in tests/data/regression/*.json (one file per theme).  Each case:

    id                unique, used as the test id
    text              the sentence or short article
    entities          [[type, canonical name], ...] that must be produced
    relations         [[subject, predicate, object], ...] that must be produced
                      (object is a literal for holdsPosition, else an entity name)
    absent_entities   names that must not be produced as any entity
    absent_relations  triples that must not be produced
    why               what the case pins down
    exhaustive        optional: true = no entity other than the expected ones may be produced
                      (a Place embedded in an expected name is still allowed)
    known_gap         optional (set by the lead): the case xfails with this reason, strictly:
                      a gap that closes fails the run until the mark is removed

Names are compared after the guidelines' normalisation (`norm`).  Mentions flagged
`anonymous` (徐某, 李先生 …) are not named entities and are ignored by the absent and
exhaustive checks.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kg.model import PREDICATES
from kg.vocab import ENTITY_TYPES

REGRESSION = Path(__file__).resolve().parent / "data" / "regression"

REQUIRED_KEYS = {"id", "text", "entities", "relations", "absent_entities", "absent_relations", "why"}
OPTIONAL_KEYS = {"exhaustive", "known_gap"}
# Types whose canonical name is written in the text itself (modulo normalisation).
VERBATIM_TYPES = {"Official", "Person", "Campaign", "Case", "Award"}

_DROP = str.maketrans("", "", "“”\"'‘’《》 \t\r\n\u3000")
_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "･": "·"})


def norm(s: str) -> str:
    """The guidelines' comparison form: NFKC, no quotes/brackets/spaces, one middle dot."""
    return unicodedata.normalize("NFKC", s).translate(_DOTS).translate(_DROP)


def load_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(REGRESSION.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            cases.append((path.name, case))
    return cases


def _params():
    params = []
    for fname, case in load_cases():
        marks = []
        if case.get("known_gap"):
            marks.append(pytest.mark.xfail(reason=case["known_gap"], strict=True))
        params.append(pytest.param(case, id=case.get("id", fname), marks=marks))
    return params


@pytest.fixture(scope="module")
def extract():
    from kg.extract import extract_document
    from kg.ingest import document_from_text

    def run(case: dict):
        return extract_document(document_from_text(case["text"], doc_id=case["id"]))

    return run


def _fact_key(f) -> tuple[str, str, str]:
    obj = f.object if isinstance(f.object, str) else f.object[1]
    return norm(f.subject[1]), f.predicate, norm(obj)


@pytest.mark.parametrize("case", _params())
def test_regression(case, extract):
    res = extract(case)
    named = [m for m in res.mentions if not m.anonymous]
    produced = {(m.type, norm(m.name)) for m in named}
    produced_names = {n for _, n in produced}
    facts = {_fact_key(f) for f in res.facts}

    expected = {(t, norm(n)) for t, n in case["entities"]}
    expected_rel = {(norm(s), p, norm(o)) for s, p, o in case["relations"]}
    problems = []

    missing = sorted(expected - produced)
    if missing:
        problems.append(f"missing entities: {missing}")
    unexpected = sorted(n for n in {norm(a) for a in case["absent_entities"]} if n in produced_names)
    if unexpected:
        found = sorted((t, n) for t, n in produced if n in unexpected)
        problems.append(f"entities that must be absent: {found}")
    if case.get("exhaustive"):
        # A Place embedded in an expected name (宁德市 in 宁德市公安局) is optional, as in the gold.
        allowed = {n for _, n in expected}
        extra = sorted(e for e in produced if e[1] not in allowed
                       and not (e[0] == "Place" and any(e[1] in n for n in allowed)))
        if extra:
            problems.append(f"extra entities (case is exhaustive): {extra}")
    missing_rel = sorted(expected_rel - facts)
    if missing_rel:
        problems.append(f"missing relations: {missing_rel}")
    bad_rel = sorted({(norm(s), p, norm(o)) for s, p, o in case["absent_relations"]} & facts)
    if bad_rel:
        problems.append(f"relations that must be absent: {bad_rel}")

    if problems:
        pytest.fail(
            f"[{case['id']}] {case['why']}\n  " + "\n  ".join(problems)
            + f"\n  produced entities: {sorted(produced)}\n  produced facts: {sorted(facts)}",
            pytrace=False,
        )


def test_regression_cases_well_formed():
    files = sorted(REGRESSION.glob("*.json"))
    assert files, f"no regression files in {REGRESSION}"
    seen: set[str] = set()
    errors: list[str] = []
    total = 0
    for path in files:
        try:
            cases = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}: invalid JSON: {exc}")
            continue
        if not isinstance(cases, list):
            errors.append(f"{path.name}: top level must be a list")
            continue
        for i, case in enumerate(cases):
            total += 1
            where = f"{path.name}[{i}] {case.get('id')!r}"
            keys = set(case)
            if REQUIRED_KEYS - keys:
                errors.append(f"{where}: missing keys {sorted(REQUIRED_KEYS - keys)}")
                continue
            if keys - REQUIRED_KEYS - OPTIONAL_KEYS:
                errors.append(f"{where}: unknown keys {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}")
            if case["id"] in seen:
                errors.append(f"{where}: duplicate id")
            seen.add(case["id"])
            if not case["text"].strip() or not case["why"].strip():
                errors.append(f"{where}: empty text or why")
            if "exhaustive" in case and not isinstance(case["exhaustive"], bool):
                errors.append(f"{where}: exhaustive must be true/false")
            text = norm(case["text"])
            names = set()
            for ent in case["entities"]:
                if len(ent) != 2 or ent[0] not in ENTITY_TYPES or not ent[1].strip():
                    errors.append(f"{where}: bad entity {ent}")
                    continue
                names.add(norm(ent[1]))
                if ent[0] in VERBATIM_TYPES and norm(ent[1]) not in text:
                    errors.append(f"{where}: {ent[0]} {ent[1]!r} does not occur in the text")
            for rel in case["relations"] + case["absent_relations"]:
                if len(rel) != 3 or rel[1] not in PREDICATES:
                    errors.append(f"{where}: bad relation {rel}")
                    continue
            for s, p, o in case["relations"]:
                if norm(s) not in names:
                    errors.append(f"{where}: relation subject {s!r} is not an expected entity")
                if p == "holdsPosition":
                    if not o.strip():
                        errors.append(f"{where}: empty post literal")
                elif norm(o) not in names:
                    errors.append(f"{where}: relation object {o!r} is not an expected entity")
            clash = names & {norm(a) for a in case["absent_entities"]}
            if clash:
                errors.append(f"{where}: names both expected and absent: {sorted(clash)}")
            both = ({(norm(s), p, norm(o)) for s, p, o in case["relations"]}
                    & {(norm(s), p, norm(o)) for s, p, o in case["absent_relations"]})
            if both:
                errors.append(f"{where}: relations both expected and absent: {sorted(both)}")
    assert not errors, "\n".join(errors)
    assert 120 <= total <= 260, f"{total} cases; the set should hold about 120-250"
