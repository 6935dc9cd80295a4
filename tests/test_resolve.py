"""Resolution across articles."""
from __future__ import annotations

from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.resolve import resolve


def _corpus(*texts):
    return resolve([extract_document(document_from_text(t, doc_id=f"d{i}")) for i, t in enumerate(texts)])


def test_same_official_in_two_articles_is_one_entity():
    c = _corpus("苏州市委书记刘建军出席会议。", "会上，苏州市委书记刘建军讲话。")
    officials = [e for e in c.entities.values() if e.type == "Official"]
    assert [e.name for e in officials] == ["刘建军"] and officials[0].articles == ["d0", "d1"]


def test_anonymised_people_are_never_merged():
    c = _corpus("民警传唤了嫌疑人徐某。", "民警抓获了嫌疑人徐某。")
    anon = [e for e in c.entities.values() if e.name == "徐某"]
    assert len(anon) == 2


def test_surface_forms_are_kept_as_aliases():
    c = _corpus("湖州公安召开大会。湖州市公安局开展“净网2022”专项行动。")
    b = next(e for e in c.entities.values() if e.name == "湖州市公安局")
    assert "湖州公安" in b.aliases
