"""kg/extract/dates.py: the article's date, the period it reviews, relative periods."""
from __future__ import annotations

import pytest

from kg import lexicon
from kg.errors import ResourceError
from kg.extract import dates
from kg.extract.dates import Calendar, find_periods, read_covers, read_date
from kg.ingest import document_from_text


def doc(text: str):
    return document_from_text(text, "t.txt")


@pytest.mark.parametrize("text, value, source", [
    ("标题\n发布时间:2019-06-13 责任编辑:\n正文。", "2019-06-13", "published"),
    ("标题\n本站发表时间:［２０２２－０１－０９］\n正文。", "2022-01-09", "published"),
    ("某地警方开展行动\n2018-07-09 15:51:37 来源:某网\n正文。", "2018-07-09", "stamp"),
    ("某地警方开展行动\n21.11.2018  06:30\n正文。", "2018-11-21", "stamp"),
    ("某地警方开展行动\n某某晚报 2024年01月29日 记者某某\n正文。", "2024-01-29", "stamp"),
    ("中新网某市4月11日电(记者)警方打掉一个团伙。2019年2月，某某报警。", "2019-04-11", "dateline"),
    ("本报讯(记者 某某)5月18日上午，专案组抓获逃犯。该案发生于1991年，2023年5月告破。", "2023-05-18", "dateline"),
])
def test_date_sources(text, value, source):
    d = read_date(doc(text))
    assert d is not None and (d.value, d.source) == (value, source)


def test_stamp_beats_dateline_and_published_beats_stamp():
    assert read_date(doc("标题\n21.11.2018 06:30\n新华网成都11月20日电 仪式举行。")).value == "2018-11-21"
    assert read_date(doc("发布时间:2024-11-23 15:27\n中新网 银川10月24日电 警方抓获逃犯。2023年10月发现线索。")).value == "2024-11-23"


def test_no_date_in_the_text_means_none():
    # an event date in a sentence, a day without a year, a dateline without any year: no date
    assert read_date(doc("2019年2月23日，市民张某报警，称被骗。警方随即立案。")) is None
    assert read_date(doc("11月25日，省公安厅召开新闻发布会。")) is None
    assert read_date(doc("本报讯 5月18日，专案组抓获逃犯。")) is None


def test_dateline_year_from_a_campaign_name():
    text = "本报讯  8月16日，记者从某市公安局获悉，该局在“云剑-2022”行动中破获一起案件。"
    assert read_date(doc(text)).value == "2022-08-16"


def test_dateline_year_after_a_reviewed_year():
    text = "本报讯(记者 某某)2月12日上午，省公安厅举行新闻发布会，通报了2014年全省刑侦工作。"
    assert read_date(doc(text)).value == "2015-02-12"
    assert read_covers(doc(text), None) == "2014"


@pytest.mark.parametrize("text, covers", [
    ("2020年，是极不平凡的一年。全年破获案件100起。", "2020"),
    ("7月6日，市公安局召开2018年上半年全市公安工作会议。", "2018-01/2018-06"),
    ("2021年是开局之年。市公安局部署工作。", None),
])
def test_covers(text, covers):
    assert read_covers(doc(text), None) == covers


def test_covers_relative_to_the_date_and_history_is_no_review():
    d = doc("发布时间:2021-03-10\n3月9日，警方召开会议，总结去年工作。")
    assert read_covers(d, read_date(d)) == "2020"
    d = doc("发布时间:2024-10-13\n1984年，指导员创建了荣誉室。")
    assert read_covers(d, read_date(d)) is None


@pytest.mark.parametrize("cal, text, period", [
    (Calendar(2017, 9), "今年以来，武汉共打掉团伙118个", "2017-01/2017-09"),
    (Calendar(2020, 5), "去年以来，全省共侦破案件", "2019-01/2020-05"),
    (Calendar(2022, 1), "去年共预警劝阻", "2021"),
    (Calendar(2022, 4), "一年来，全国共破获", "2021-04/2022-04"),
    (Calendar(2021, 3, "2020"), "三年来，累计打掉团伙", "2018-01/2020-12"),
    (Calendar(0, 0, "2019", 2019), "今年以来，累计处置", "2019"),
    (Calendar(0, 0, "2019", 2019), "2019年以来，累计刑拘", "2019"),
    (Calendar(2023, 2), "2023年1月，共查获", "2023-01"),
    (Calendar(2018, 7), "2018年上半年，立案数下降", "2018-01/2018-06"),
    (Calendar(), "今年以来，共破获", None),
    (Calendar(2021, 12), "今年3月以来，共侦破", "2021-03/2021-12"),
    (Calendar(2021, 12), "去年10月起，共侦破", "2020-10/2021-12"),
    (Calendar(2015, 2), "岁末年初，公安部部署", "2014-12/2015-02"),
    (Calendar(2023, 7), "自2014年公安部部署开展“猎狐行动”以来，累计缉捕", "2014-01/2023-07"),
    (Calendar(2021, 1), "今年元旦假期，市公安局每日出动", "2021"),
])
def test_relative_periods(cal, text, period):
    found = find_periods(text, cal)
    assert found and found[0][2] == period


def test_bad_resources_name_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon, "RESOURCE_DIR", tmp_path)
    lexicon.patterns.cache_clear(), lexicon.table.cache_clear()
    dates.date_lines.cache_clear(), dates.period_words.cache_clear()
    try:
        (tmp_path / "date_lines.jsonl").write_text('{"kind": "guess", "pattern": "(?P<m>1)(?P<d>2)"}\n', encoding="utf-8")
        with pytest.raises(ResourceError, match=r"date_lines\.jsonl.*guess"):
            dates.date_lines()
        (tmp_path / "period_words.tsv").write_text("近三年\tpast_years\n", encoding="utf-8")
        with pytest.raises(ResourceError, match=r"period_words\.tsv.*number of years"):
            dates.period_words()
    finally:
        lexicon.patterns.cache_clear(), lexicon.table.cache_clear()
        dates.date_lines.cache_clear(), dates.period_words.cache_clear()
