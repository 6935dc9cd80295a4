"""Tests for kg.ingest: inputs, decoding, OCR joins, kinds, residue and the offset map."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import (collect_inputs, decode_bytes, document_from_text, original_span,
                       read_document)
from kg.lexicon import patterns

DATA = Path(__file__).resolve().parent / "data" / "ingest"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SAMPLE = ("永康公安全力打造平安高地\n\n过去一年，面对突如其来的新冠\n肺炎疫情，市公安局领导组织带头，"
          "全警闻令而动。\n“一警情三推送”全省推广，受到浙江省委常委、政法委书记王昌荣批示肯定！\n")


def kinds(doc, kind):
    return [s.text for s in doc.sentences if s.kind == kind]


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------------------- encodings

@pytest.mark.parametrize("encoding, data, name", [
    ("utf-8", SAMPLE.encode("utf-8"), "utf-8"),
    ("utf-8-sig", SAMPLE.encode("utf-8-sig"), "utf-8-sig"),
    ("gb18030", SAMPLE.encode("gb18030"), "gb18030"),
    ("gbk", SAMPLE.encode("gbk"), "gb18030"),
    ("utf-16-le", b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be", b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ("utf-8 crlf", SAMPLE.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    ("gbk cr", SAMPLE.replace("\n", "\r").encode("gbk"), "gb18030"),
])
def test_encodings_read_the_same_text(tmp_path, encoding, data, name):
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.text == SAMPLE
    assert doc.encoding == name
    assert doc.doc_id == "article" and doc.source == "article.txt"
    assert doc.title == "永康公安全力打造平安高地"


def test_gbk_detection_on_a_short_text():
    text, enc = decode_bytes("市公安局".encode("gbk"), "x.txt")
    assert (text, enc) == ("市公安局", "gb18030")


def test_gb18030_only_characters():
    s = "公安𠀀局\n"  # a character outside GBK
    assert decode_bytes(s.encode("gb18030"), "x.txt") == (s, "gb18030")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \r\n\t\n", "empty"),
    ("\u3000\n".encode("utf-8"), "empty"),
    (b"\xef\xbb\xbf", "empty"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\x00\x10\x01", "binary"),
    (b"\x01\x02\x03\x04\x05\x06\x07\x08abc", "binary"),
    (bytes(range(0x80, 0x100)) * 4, "decode"),
])
def test_bad_input_raises_input_error_naming_the_file(data, reason):
    with pytest.raises(InputError, match=rf"^broken\.txt: .*{reason}"):
        decode_bytes(data, "broken.txt")


def test_read_document_errors_name_the_path(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty.txt"):
        read_document(p)
    with pytest.raises(InputError, match="missing.txt"):
        read_document(tmp_path / "missing.txt")


# ---------------------------------------------------------------------------- inputs

def test_collect_inputs_files_and_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / ".hidden").mkdir()
    for rel in ["a/1.txt", "a/deep/2.TXT", "a/notes.md", "a/.hidden/3.txt", "b.txt"]:
        (tmp_path / rel).write_text("市公安局。", encoding="utf-8")
    got = collect_inputs([tmp_path / "a", tmp_path / "b.txt", str(tmp_path / "a" / "1.txt")])
    assert got == sorted(got)
    assert [p.name for p in got] == ["1.txt", "2.TXT", "b.txt"]  # de-duplicated, .md skipped
    assert collect_inputs(tmp_path / "b.txt") == [(tmp_path / "b.txt").resolve()]


def test_collect_inputs_missing_and_empty(tmp_path):
    with pytest.raises(InputError, match="nope"):
        collect_inputs([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .txt articles"):
        collect_inputs([tmp_path / "empty"])


# ---------------------------------------------------------------------------- OCR joins

def test_word_broken_across_a_line_break_and_a_blank_line():
    text = ("全警齐心，筑牢平安关卡\n\n"
            "在疫情得到有效缓解的时候，为\n"
            "不失时机推进复工复产，广大民警和\n"
            "辅警们积极适应疫情常态化下的办\n"
            "案、收押、抓捕等工作，筑起了疫情防\n"
            "\n"
            "控的坚固防线。其中，有4个集体、\n"
            "51名民警和5名辅警分别被评为全\n"
            "市公安机关疫情防控成绩突出集体。\n")
    doc = document_from_text(text)
    assert [s.kind for s in doc.sentences] == ["heading", "body", "body"]
    assert doc.sentences[0].text == "全警齐心，筑牢平安关卡"
    assert doc.sentences[1].text.endswith("抓捕等工作，筑起了疫情防控的坚固防线。")
    assert "办案" in doc.sentences[1].text
    assert doc.sentences[2].text == "其中，有4个集体、51名民警和5名辅警分别被评为全市公安机关疫情防控成绩突出集体。"
    # the heading is its own paragraph, the body one more
    assert doc.sentences[0].paragraph != doc.sentences[1].paragraph


def test_blank_separated_column_with_a_spaced_headline():
    text = ("这一年，区公安分局聚焦公安打击主\n\n责主业，纵深推进扫黑除恶专项斗争，\n\n"
            "全区涉黑恶警情同比下降94.53%。\n\n"
            "扫黑恶强整治  全警出击严打突出违法犯罪\n\n"
            "这一年，区公安分局以“智安工程”\n\n为核心，以“智慧警务”为驱动，坚持智\n\n"
            "慧引领、数据赋能。\n")
    doc = document_from_text(text)
    assert kinds(doc, "heading") == ["扫黑恶强整治  全警出击严打突出违法犯罪"]
    assert kinds(doc, "body") == [
        "这一年，区公安分局聚焦公安打击主责主业，纵深推进扫黑除恶专项斗争，全区涉黑恶警情同比下降94.53%。",
        "这一年，区公安分局以“智安工程”为核心，以“智慧警务”为驱动，坚持智慧引领、数据赋能。",
    ]


def test_ocr_fixture_title_block_heading_and_byline():
    doc = read_document(DATA / "ocr_column.txt")
    assert [s.kind for s in doc.sentences[:3]] == ["heading"] * 3
    assert doc.title == "永康公安全力打造平安高地"  # kicker first, then title, then subtitle
    assert "全警齐心，筑牢平安关卡" in kinds(doc, "heading")
    assert doc.bylines == ["通讯员 王学武 摄"]
    body = kinds(doc, "body")
    assert "过去一年，市公安局坚持主动担当，护航社会发展大局。" in body
    assert any("筑起了疫情防控的坚固防线。" in s for s in body)


def test_short_line_without_punctuation_ends_a_paragraph():
    text = ("市公安局持续推进平安建设工作，深入开\n展专项斗争\n"
            "全市刑事发案同比下降百分之二十，群\n众安全感不断提升。\n")
    doc = document_from_text(text)
    assert [s.text for s in doc.sentences] == [
        "市公安局持续推进平安建设工作，深入开展专项斗争",
        "全市刑事发案同比下降百分之二十，群众安全感不断提升。",
    ]


def test_closing_quote_on_the_next_line_stays_with_the_sentence():
    doc = document_from_text("他说：“请你们不要着急，我们还有个办法。\n”随后民警赶到现场。")
    assert [s.text for s in doc.sentences] == ["他说：“请你们不要着急，我们还有个办法。”", "随后民警赶到现场。"]


def test_letter_spaced_justified_text_is_closed_up():
    doc = document_from_text("去年，我市实现全年\n有 效 警 情 同 比 下 降\n13.5%，刑事发案数下降\n11.7%。")
    assert doc.sentences[0].text == "去年，我市实现全年有效警情同比下降13.5%，刑事发案数下降11.7%。"


# ---------------------------------------------------------------------------- sentences

def test_sentence_splitting_and_web_punctuation():
    doc = document_from_text("近日,市公安局破获一起案件!抓获嫌疑人12名。 这是“今年最大的一起案件。”"
                             "你知道吗?警方提醒……请谨慎转账\n")
    assert [s.text for s in doc.sentences] == [
        "近日,市公安局破获一起案件!", "抓获嫌疑人12名。", "这是“今年最大的一起案件。”",
        "你知道吗?", "警方提醒……", "请谨慎转账"]  # the cut-off last sentence is kept
    assert all(s.kind == "body" for s in doc.sentences)
    assert [s.index for s in doc.sentences] == list(range(6))


def test_long_sentence_without_final_punctuation_is_split_at_semicolons():
    part = "市公安局深入推进扫黑除恶专项斗争并持续开展治安乱点整治工作" * 2
    doc = document_from_text(f"{part}；{part}；{part}")
    assert [s.text for s in doc.sentences] == [f"{part}；", f"{part}；", part]


def test_full_width_spaces_and_entities():
    text = "\u3000\u3000市公安局召开会议。\n&nbsp;&nbsp;会议要求&amp;部署工作。\n"
    doc = document_from_text(text)
    assert [s.text for s in doc.sentences] == ["市公安局召开会议。", "会议要求&部署工作。"]
    s = doc.sentences[1]
    assert doc.text[s.start:s.end] == "会议要求&amp;部署工作。"
    a, b = original_span(s, 4, 5)
    assert doc.text[a:b] == "&"
    a, b = original_span(s, 5, 7)
    assert doc.text[a:b] == "部署"


def test_markdown_heading_text_and_offsets():
    doc = document_from_text("# 永康公安全力打造平安高地\n\n通讯员 俞亮波\n\n市公安局召开会议。")
    h = doc.sentences[0]
    assert (h.kind, h.text) == ("heading", "永康公安全力打造平安高地")
    assert doc.text[h.start:h.end] == h.text
    assert doc.title == h.text
    assert doc.bylines == ["通讯员 俞亮波"]


# ---------------------------------------------------------------------------- kinds

@pytest.mark.parametrize("line", [
    "通讯员 俞亮波", "■记者 石晓晨", "本版供稿 朱权超", "通讯员 王学武 摄", "记者 张三 通讯员 李四",
    "文/图 王五", "本报记者 欧阳明华", "深圳特区报记者 黄嘉豪  通讯员 龙公宣", "陕西日报记者 贺晓楠",
])
def test_bylines(line):
    doc = document_from_text(f"市公安局召开会议。\n\n{line}\n\n会议部署了工作。")
    assert kinds(doc, "byline") == [line]
    assert doc.bylines == [line]


@pytest.mark.parametrize("lead", ["本报讯", "三峡日报讯"])
def test_inline_byline_is_collected_but_the_sentence_stays_body(lead):
    doc = document_from_text(f"{lead}（记者 张三 通讯员 李四）5月26日，市公安局召开会议。")
    assert doc.bylines == ["记者 张三 通讯员 李四"]
    assert [s.kind for s in doc.sentences] == ["body"]


@pytest.mark.parametrize("head, title", [
    ("永康公安全力打造平安高地\n——2020年工作回顾", "永康公安全力打造平安高地"),  # title + subtitle
    ("连续15年现行命案全破\n永康公安全力打造平安高地", "永康公安全力打造平安高地"),  # kicker + title
    ("普洱警方破获一起毒品目标案件\n缴获冰毒1.26吨", "普洱警方破获一起毒品目标案件"),  # title + deck
    ("河南省公安厅\n关于表彰郑州市公安局金水分局刑侦大队等单位和个人的通报",
     "关于表彰郑州市公安局金水分局刑侦大队等单位和个人的通报"),  # issuing body + title
    ("首页 > 警务动态\n市公安局召开全市公安工作会议", "市公安局召开全市公安工作会议"),  # residue first
])
def test_title_rules(head, title):
    doc = document_from_text(f"{head}\n\n通讯员 李四\n\n市公安局召开会议，部署全年工作。\n")
    assert doc.title == title
    assert doc.sentences[-1].kind == "body"


def test_numbered_captions_at_the_end():
    doc = document_from_text("市公安局召开会议。\n\n①永康公安列阵集训；②洪水中民警\n\n"
                             "奋勇救人；③开展反诈宣传\n")
    assert [s.kind for s in doc.sentences] == ["body", "caption"]
    assert doc.sentences[1].text == "①永康公安列阵集训；②洪水中民警奋勇救人；③开展反诈宣传"


@pytest.mark.parametrize("text", [
    "图为民警在现场疏导交通。",
    "①永康公安列阵集训；②洪水中民警奋勇救人。",
    "近期，我市涌现出4名见义勇为人员：卢义能(图左二)、孙豪分别从水中救上落水人员。",
])
def test_captions(text):
    doc = document_from_text(f"市公安局召开会议。\n\n{text}\n\n会议部署了工作。")
    assert [s.kind for s in doc.sentences][0] == "body"
    assert [s.kind for s in doc.sentences][-1] == "body"
    assert "caption" in [s.kind for s in doc.sentences]
    assert all(s.kind == "caption" for s in doc.sentences[1:-1])


def test_unpunctuated_short_lines_after_the_last_sentence_are_captions():
    doc = document_from_text("# 标题\n\n市公安局召开会议。\n\n\n\n民警从外地抓回逃犯\n\n\n\n"
                             "现场指导智安小区建设\n\n通讯员 胡湘\n")
    assert kinds(doc, "caption") == ["民警从外地抓回逃犯", "现场指导智安小区建设"]
    assert kinds(doc, "byline") == ["通讯员 胡湘"]


# ---------------------------------------------------------------------------- residue

def test_web_article_residue_and_body():
    doc = read_document(DATA / "web_article.txt")
    assert doc.title == "市公安局破获一起特大电信网络诈骗案"
    assert kinds(doc, "heading") == [doc.title]
    body = kinds(doc, "body")
    assert body[0] == "近日,市公安局刑侦大队成功破获一起特大电信网络诈骗案,抓获犯罪嫌疑人12名!"
    assert any(s.startswith("接警后,市公安局迅速成立专案组:") and s.endswith("同步收网。") for s in body)
    assert body[-1] == "请广大市民提高警惕&谨慎转账"
    residue = kinds(doc, "residue")
    for expected in ["首页 > 新闻中心 > 警务动态", "分享到：", "微信 微博 QQ空间", "(责任编辑：王小明)",
                     "上一篇：市公安局开展春季交通安全宣传", "相关新闻", "市公安局召开全市公安工作会议",
                     "“云剑2021”行动启动", "举报电话：0579-87100110", "地址：永康市丽州北路1号"]:
        assert expected in residue
    assert not any("破获一起特大" in r for r in residue)
    # no body or heading sentence carries page furniture
    for s in body:
        assert not re.search(r"责任编辑|分享到|上一篇|版权所有|ICP|点击量", s)


def test_every_boilerplate_pattern_is_exercised_by_a_fixture():
    residue = []
    for name in ("web_article.txt", "web_residue_lines.txt"):
        residue += kinds(read_document(DATA / name), "residue")
    unused = [p["pattern"] for p in patterns("boilerplate.jsonl")
              if not any(p["regex"].search(r) for r in residue)]
    assert unused == []
    doc = read_document(DATA / "web_residue_lines.txt")
    assert kinds(doc, "body") == [] and kinds(doc, "heading") == []


def test_related_list_stops_at_real_text():
    long_para = "市公安局持续推进平安建设，深入开展扫黑除恶专项斗争，全市刑事发案同比下降百分之二十，群众安全感不断提升。"
    doc = document_from_text(f"市公安局召开会议。\n相关阅读\n永康警方破获系列盗窃案\n{long_para}\n")
    assert kinds(doc, "residue") == ["相关阅读", "永康警方破获系列盗窃案"]
    assert kinds(doc, "body")[-1] == long_para


def test_body_mentions_of_page_words_are_not_residue():
    doc = document_from_text("平台有一段小视频，阅读量已高达2万，引发大量网友关注。\n市公安局开通举报电话。")
    assert [s.kind for s in doc.sentences] == ["body", "body"]


# ---------------------------------------------------------------------------- offsets

CJK = "市公安局民警破获案件全省第一疫情防控的坚固线"
ALPHABET = CJK + "，、。！？“”（）0123456789ab:;,!? "


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=120),
       st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["\n", "\n\n", " \n", "\n\u3000", "\r\n", "\n\n\n"])),
                max_size=12))
def test_every_character_maps_back_to_itself(body, breaks):
    text = body
    for pos, br in sorted(breaks, reverse=True):
        pos = min(pos, len(text))
        text = text[:pos] + br + text[pos:]
    doc = document_from_text(text)
    last_end = 0
    for k, s in enumerate(doc.sentences):
        assert s.index == k
        assert s.text and s.text == s.text.strip()
        assert "\n" not in s.text
        assert last_end <= s.start < s.end <= len(doc.text)
        last_end = s.end
        assert original_span(s, 0, len(s.text)) == (s.start, s.end)
        for i, ch in enumerate(s.text):
            a, b = original_span(s, i, i + 1)
            assert (b - a, doc.text[a]) == (1, ch)
        # what the gaps removed was white space
        assert squeeze(doc.text[s.start:s.end]) == squeeze(s.text)
    # nothing lost, nothing duplicated
    assert squeeze("".join(s.text for s in doc.sentences)) == squeeze(doc.text)


def test_original_span_rejects_bad_spans():
    s = document_from_text("市公安局召开会议。").sentences[0]
    assert original_span(s, 2, 2) == (s.start + 2, s.start + 2)
    with pytest.raises(ValueError):
        original_span(s, 3, 99)


# ---------------------------------------------------------------------------- seeds

@pytest.fixture(scope="module")
def seeds():
    return {p.name[:3]: read_document(p) for p in sorted(SEEDS.glob("*.txt"))}


def test_seeds_sentences_are_clean_and_traceable(seeds):
    assert len(seeds) == 5
    for doc in seeds.values():
        assert doc.encoding == "utf-8"
        assert doc.sentences
        for s in doc.sentences:
            if s.kind == "body":
                assert "\n" not in s.text, (doc.doc_id, s.text)
            pieces = [doc.text[a:b] for a, b in
                      (original_span(s, i, i + 1) for i in range(len(s.text)))]
            assert "".join(pieces) == s.text
            assert squeeze(doc.text[s.start:s.end]).lstrip("#") == squeeze(s.text)


def test_seed_000_headings_and_broken_phrase(seeds):
    doc = seeds["000"]
    headings = kinds(doc, "heading")
    for h in ["全警齐心，筑牢平安关卡", "开拓进取，勇担护航卫士", "强力打处，严守法网底线",
              "改革创新，激发警务动能", "严管厚爱，彰显警营活力"]:
        assert h in headings
    assert doc.title == "永康公安全力打造平安高地"
    hits = [s for s in doc.sentences if "疫情防控的坚固防线" in s.text]
    assert len(hits) == 1 and hits[0].kind == "body"
    assert len(headings) == 7  # kicker + title + five section headings
    assert kinds(doc, "caption")[0].startswith("①永康公安列阵集训；②洪水中民警奋勇救人；")


def test_seed_004_headings_and_columns(seeds):
    doc = seeds["004"]
    assert doc.title == "2019年拱墅公安开创新时代公安工作新局面"
    assert doc.bylines == ["本版供稿 朱权超"]
    assert kinds(doc, "heading") == [
        "忠诚担当  数据赋能  借势借力  砥砺前行", "2019年拱墅公安开创新时代公安工作新局面",
        "防风险清隐患  全力维护社会大局稳定", "扫黑恶强整治  全警出击严打突出违法犯罪",
        "增智力抓长效  全面提升基层治理能力", "优服务重质效  全程护航大城北崛起",
        "提能力促规范  全心锻造“三能四强”拱墅铁军"]
    body = kinds(doc, "body")
    assert body[0] == "2019年，既是新中国成立70周年大庆之年，也是安保维稳大考之年。"
    assert "其中仅用时3小时，速破祥符“11·15”故意杀人案。" in body
    assert body[-1].endswith("全力护航平安拱墅建设。")


def test_seeds_titles_bylines_and_residue(seeds):
    assert seeds["001"].title.startswith("防风险 优服务 保平安")
    assert seeds["001"].bylines == ["通讯员 俞亮波", "通讯员 王聪", "通讯员 王学武 摄", "通讯员 卢卓卓"]
    assert "市看守所内 一次特殊 见面" in kinds(seeds["001"], "heading")
    residue = kinds(seeds["001"], "residue")
    assert residue[0] == "扫黑除恶举报方式" and "举报电话:0579-87102993或110" in residue
    assert seeds["002"].title.startswith("市公安局强化社会治理和平安法治建设")
    assert "咬定不弃,全力攻坚命案积案" in kinds(seeds["002"], "heading")
    assert "民警为无户口群众解决户口问题" in kinds(seeds["002"], "caption")
    assert seeds["002"].bylines == ["通讯员 胡湘"]
    assert seeds["003"].bylines == ["■记者 石晓晨"]
    assert "副市长、公安局长：汤洪成" in kinds(seeds["003"], "caption")
    assert "【看点】" in kinds(seeds["003"], "heading")
    assert any(s.startswith("为啃下命案积案这一“硬骨头”,专班借助") for s in kinds(seeds["002"], "body"))


# ---------------------------------------------------------------------------- inputs as users have them

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", ["公安局长王某开展专项行动。", "Police 公安局 report 2024.\n第二行。"])
def test_utf16_without_bom(text, encoding):
    """issue 9: BOM-less UTF-16 (开 is U+5F00: a NUL byte) was rejected as binary."""
    assert decode_bytes(text.encode(encoding), "x") == (text, encoding)


def test_nul_bytes_that_are_not_utf16_are_binary():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03garbage\xff\xfe\x00", "x")


def test_safe_name():
    from kg.ingest import safe_name
    assert safe_name("001_永康.txt") == "001_永康.txt"
    assert safe_name(b"\xb9\xab\xb0\xb2.txt") == "公安.txt"          # GBK bytes on a UTF-8 system
    assert safe_name("a\x1b[31mb\u202ec.txt") == "a\\x1b[31mb\\u202ec.txt"
    assert safe_name(b"\xff\x00x") == "\\xff\\x00x"
    for raw in (b"\xff\xfe.txt", "\x1b]0;title\x07.txt", "\u0085\u2028x", b"\x80\x81\x82"):
        shown = safe_name(raw)
        assert shown.isprintable() and shown.encode("utf-8")


def test_undecodable_file_name(tmp_path):
    """issue 9: a seed named with GBK bytes crashed the build (UnicodeEncodeError in iri)."""
    from kg.iri import article
    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, b"\xd3\xc0\xbf\xb5\x1b[2J.txt")   # 永康 + a terminal escape, GBK
    with open(path, "wb") as f:
        f.write(SAMPLE.encode("utf-8"))
    files = collect_inputs(tmp_path)
    doc = read_document(files[0])
    assert doc.doc_id == "永康\\x1b[2J" and doc.source == "永康\\x1b[2J.txt"
    article(doc.doc_id)   # an identifier can be made of it
    with pytest.raises(InputError) as e:
        read_document(Path(os.fsdecode(os.path.join(folder, b"\xff\x1b[2J.txt"))))
    assert "\x1b" not in str(e.value) and "\\xff" in str(e.value)


def test_unreadable_folders_are_reported(tmp_path, monkeypatch):
    """issue 9: a chmod 000 folder inside the input was skipped silently.  (Simulated: the
    tests may run as root, who reads everything.)"""
    from kg.ingest import scan_inputs
    for rel in ["ok/1.txt", "locked/2.txt", "ok/3.txt"]:
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("市公安局。", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(p="."):
        if Path(p).name == "locked":
            raise PermissionError(13, "Permission denied", str(p))
        return real_scandir(p)
    monkeypatch.setattr(os, "scandir", scandir)
    scan = scan_inputs([tmp_path, os.fsencode(tmp_path / "missing\x1b")])
    assert [p.name for p in scan.files] == ["1.txt", "3.txt"]
    assert sorted(reason.split(" (")[0] for _, reason in scan.problems) == [
        "cannot read folder", "no such file or folder"]
    assert any(name.endswith("locked") for name, _ in scan.problems)
    assert all(name.isprintable() for name, _ in scan.problems)
    with pytest.raises(InputError, match="locked: cannot read folder"):
        collect_inputs(tmp_path)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200),
                 st.text(max_size=80).map(lambda t: t.encode("utf-16-le", "surrogatepass")),
                 st.text(max_size=80).map(lambda t: t.encode("gb18030", "ignore"))))
def test_any_bytes_decode_or_raise_an_input_error(data):
    try:
        text, encoding = decode_bytes(data, "x")
    except InputError:
        return
    assert text.strip() and "\x00" not in text and encoding


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_splits_into_capped_sentences(text):
    from kg.ingest import MAX_SENTENCE
    doc = document_from_text(text, doc_id="x")
    for s in doc.sentences:
        assert 0 < len(s.text) <= MAX_SENTENCE
        a, b = original_span(s, 0, len(s.text))
        assert 0 <= a <= b <= len(doc.text)
