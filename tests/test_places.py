"""The national division table and its short forms."""
from __future__ import annotations

from hypothesis import given, strategies as st

from kg.places import COUNTY, PREFECTURE, PROVINCE, gazetteer, short_form


def test_levels_and_parents():
    g = gazetteer()
    yk = g.by_name["永康市"][0]
    assert yk.level == COUNTY and g.parent(yk).name == "金华市" and g.province(yk).name == "浙江省"
    assert g.by_name["湖州市"][0].level == PREFECTURE
    assert g.by_name["新疆维吾尔自治区"][0].level == PROVINCE
    assert len(g.by_code) > 3000


def test_short_forms():
    assert short_form("永康市") == "永康"
    assert short_form("广西壮族自治区") == "广西"
    assert short_form("延边朝鲜族自治州") == "延边"
    assert short_form("浦东新区") == "浦东"
    assert short_form("城区") == ""


@given(st.sampled_from(sorted(gazetteer().by_code)))
def test_every_division_resolves_by_its_names(code):
    g = gazetteer()
    d = g.by_code[code]
    assert d in g.candidates(d.name)
    if d.short:
        assert d in g.candidates(d.short)
    assert all(a.level != COUNTY for a in g.ancestors(d))
