"""Extraction quality on the seeds and the held-out set, and the grammar's key behaviours."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.evaluate import evaluate
from kg.extract import extract_document
from kg.ingest import document_from_text
from kg.paths import ontology_file

DATA = Path(__file__).parent / "data"
ONTOLOGY = ontology_file("kg.ttl")


def _onto():
    return ONTOLOGY if ONTOLOGY.is_file() else None


def test_seeds_meet_the_bar(seeds_graph_path):
    """Issue 8: the seeds stay at or above 0.85 / 0.80 (they score 0.93 / 0.91)."""
    r = evaluate(DATA / "gold", seeds_graph_path, _onto())
    assert r.entity_core_micro.f1 >= 0.85, r.entity_core_micro
    assert r.relation_micro.f1 >= 0.80, r.relation_micro


@pytest.fixture(scope="module")
def heldout_graph(tmp_path_factory):
    from kg.pipeline import build

    src = tmp_path_factory.mktemp("heldout_src")
    for f in (DATA / "heldout").glob("*.txt"):
        shutil.copy(f, src / f.name)
    out = tmp_path_factory.mktemp("heldout_out")
    build([src], out, progress=False, html=False)
    return out / "graph.ttl"


def test_heldout_meets_the_unseen_bar(heldout_graph):
    r = evaluate(DATA / "heldout" / "gold", heldout_graph, _onto())
    assert r.entity_core_micro.f1 >= 0.75, r.entity_core_micro
    assert r.relation_micro.f1 >= 0.50, r.relation_micro


def _run(text: str):
    res = extract_document(document_from_text(text, doc_id="t"))
    ents = {(m.type, m.name) for m in res.mentions}
    facts = {(f.subject[1], f.predicate, f.object if isinstance(f.object, str) else f.object[1]) for f in res.facts}
    return ents, facts, res


def test_context_resolves_city_bureau_and_units():
    ents, facts, _ = _run("湖州公安全力护航。今年以来，市公安局网安大队开展“净网2022”专项行动，侦破“5·20”特大电信网络诈骗案。")
    assert ("Bureau", "湖州市公安局") in ents
    assert ("Bureau", "湖州市公安局网安大队") in ents
    assert ("湖州市公安局网安大队", "subOrganizationOf", "湖州市公安局") in facts
    assert any(t == "Case" and "5·20" in n for t, n in ents)


def test_district_branch_as_written_and_by_context():
    ents, facts, _ = _run("深圳市公安局龙岗分局破获一起案件。龙岗分局民警表示，将继续开展“云剑-2022”行动。")
    assert ("Bureau", "深圳市公安局龙岗分局") in ents
    ents, _, _ = _run("拱墅公安召开大会。区公安分局全力推进“智安小区”建设。")
    assert ("Bureau", "杭州市公安局拱墅区分局") in ents


def test_posts_split_and_person_is_bare_name():
    ents, facts, _ = _run("南京市委常委、政法委书记刘建军，南京市副市长、公安局长赵国栋出席会议。")
    assert ("Official", "刘建军") in ents and ("Official", "赵国栋") in ents
    assert ("刘建军", "holdsPosition", "南京市委常委") in facts
    assert ("刘建军", "holdsPosition", "政法委书记") in facts
    assert ("赵国栋", "memberOf", "南京市公安局") in facts
    assert not any(n.endswith(("书记", "局长")) for _, n in ents)


def test_title_word_inside_a_place_name_is_not_a_post():
    ents, _, _ = _run("江阴市长泾镇派出所民警巡逻。")
    assert not any(t == "Official" for t, _ in ents)


def test_anonymised_people_are_flagged_and_never_officials():
    _, _, res = _run("民警依法传唤了违法嫌疑人徐某，徐某对违法事实供认不讳。")
    anon = [m for m in res.mentions if m.name == "徐某"]
    assert anon and all(m.anonymous for m in anon)


def test_slogans_and_generic_nouns_are_not_entities():
    ents, _, _ = _run("秉承“防风险、护稳定”基本思路，广大民警和群众、企业共同参与。")
    assert not any(n in ("防风险、护稳定", "“防风险、护稳定”", "民警", "群众", "企业") for _, n in ents)


def test_endorsement_goes_to_the_named_campaign():
    ents, facts, _ = _run("济南市公安局推行“一窗通办”改革，得到济南市委书记孙立新的批示肯定。")
    assert ("孙立新", "endorsed", "“一窗通办”改革") in facts


def _child_extract(text):
    from kg.extract import text as T
    r = extract_document(document_from_text(text, doc_id="x"))
    return len(r.mentions), T._lexical_state.cache_info().misses


def test_warm_up_is_shared_by_forked_workers():
    """warm_up() in the parent: a forked worker extracts without loading anything again."""
    import multiprocessing

    from kg.extract import text as T
    from kg.extract import warm_up
    from kg.extract.places import _forms
    from kg.ingest import _rules
    warm_up()
    loaders = (T._lexical_state, T.surnames, T.stop_words, _forms)
    assert all(f.cache_info().currsize for f in loaders) and _rules() is not None
    before = (T._lexical_state.cache_info().misses,)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        n, *misses = pool.apply(_child_extract, ("永康市公安局局长张三在芝英派出所开展“雷霆”专项行动。",))
    assert n >= 3 and tuple(misses) == before


def test_lexical_state_is_kept_and_made_again_when_unreadable(tmp_path, monkeypatch):
    """The tokenizer's word table and jieba's dictionary are kept as one file in the cache
    folder: loading it gives what making it gives; a damaged file is made again, an unwritable
    folder only means it is not kept."""
    from kg.extract import text as T
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    made = T._lexical_state.__wrapped__()
    kept = list(tmp_path.glob("lexicon-*.marshal"))
    assert len(kept) == 1 and made[0]["永康市"] >> T._KIND_BITS == 80000
    assert made[0]["公安局"] & T._KIND_MASK   # a word of jieba's dictionary
    assert T._lexical_state.__wrapped__() == made
    assert made == T._lexical_state()   # the process's own (made or loaded elsewhere) is the same
    kept[0].write_bytes(kept[0].read_bytes()[:1000])
    assert T._lexical_state.__wrapped__() == made
    import marshal
    kept[0].write_bytes(marshal.dumps(({1: 2}, 3, {"公安局": 5})))   # the right outline, the wrong content
    assert T._lexical_state.__wrapped__() == made
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    assert T._lexical_state.__wrapped__() == made


def test_dictionary_words_are_jiebas_dictionary():
    """The lexical state's one table answers for jieba's dictionary as dict.txt reads: every
    word with its frequency and class, and no other word."""
    from kg.extract import text as T
    words = T._read_dict_words()
    for w, (f, tag) in words.items():
        cls = 1 if tag.startswith(("nr", "ns")) else 2 if tag.startswith(("nt", "nz")) else 0
        assert T.dictionary_word(w) == (f, cls), w
    lex = T._lexical_state()[0]
    assert all(T.dictionary_word(w) is None for w in lex if w not in words)
    assert any(w not in words for w in lex)   # prefixes and our own words are in the table too


def test_segmenter_runs_only_where_the_grammar_asks(monkeypatch):
    """jieba is the costliest step: a sentence with no candidate for a name is not segmented."""
    from kg.extract import analyse
    from kg.extract import text as T
    calls = []
    real = T._cut_block
    monkeypatch.setattr(T, "_cut_block", lambda blk, pos, out: calls.append(blk) or real(blk, pos, out))
    analyse(document_from_text("今天天气很好。\n\n永康市公安局芝英派出所民警张伟破获一起案件。", doc_id="x"))
    assert calls == ["永康市公安局芝英派出所民警张伟破获一起案件"]


@pytest.mark.parametrize("texts", [
    ["永康公安开展行动，永康市公安局、平湖市公安局和永康分局。", "永康市局，永康市市局"],
    ["杭州市公安局拱墅区分局，拱墅区公安局，拱墅公安", "杭州警方、杭州市警方、杭州公安公安"],
])
def test_police_named_counts_as_one_regex_per_form(texts):
    """_police_named (one scan) counts what re.findall(form + level? + police word) counts."""
    from kg.extract.places import _police_named
    forms = {"永康", "永康市", "平湖", "平湖市", "杭州", "杭州市", "拱墅", "拱墅区", "市公"}
    joined = "\n".join(texts)
    want = {f: len(re.findall(re.escape(f) + r"(?:市|区|县)?(?:公安|警方|市局|分局)", joined)) for f in forms}
    got = _police_named(texts, forms)
    assert {f: got[f] for f in forms} == want


def _jieba_boundaries(text):
    from kg.extract.text import tokenizer
    out, pos = {0}, 0
    for tok in tokenizer().cut(text, HMM=False):
        pos += len(tok)
        out.add(pos)
    return out


_SEG_ALPHABET = list("公安局长张三李四派出所专项行动abcXY12 .-_%#&+\t\n，。、“”😀\u3000\u200b") + ["AB", "a1", "3.5"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SEG_ALPHABET), max_size=30))
def test_boundaries_are_jiebas(parts):
    """text.boundaries re-implements jieba's cut (HMM off) without its generators: same result."""
    from kg.extract.text import boundaries
    text = "".join(parts)
    assert boundaries(text) == _jieba_boundaries(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SEG_ALPHABET + ["\r\n", "\r", "。\r\n"]), max_size=30), st.data())
def test_bounds_asked_block_by_block_are_the_boundaries(parts, data):
    """Bounds segments only the block a position lies in: the same answers as the whole set,
    whatever is asked first."""
    from kg.extract.text import Bounds, boundaries
    text = "".join(parts)
    want = boundaries(text)
    positions = data.draw(st.lists(st.integers(-2, len(text) + 2), max_size=12)) + list(range(-1, len(text) + 2))
    b = Bounds(text)
    assert [i in b for i in positions] == [i in want for i in positions]
    assert set(b) == want


def test_boundaries_are_jiebas_on_the_seeds():
    from kg.extract.text import boundaries
    for path in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert boundaries(line) == _jieba_boundaries(line), line


# --------------------------------------------------------------------------- patterns of real text
# (written for these tests, with other names and places than the articles they were seen in)

def test_border_and_fire_forces_are_named_as_written():
    ents, facts, _ = _run("西藏自治区公安厅表彰先进。\n公安厅边防总队日喀则市公安边防支队定日县大队、拉萨市公安局城关分局民警出席。")
    assert ("Bureau", "日喀则市公安边防支队") in ents
    assert ("Bureau", "日喀则市公安边防支队定日县大队") in ents
    assert ("Bureau", "日喀则市公安局") not in ents
    assert ("日喀则市公安边防支队定日县大队", "subOrganizationOf", "日喀则市公安边防支队") in facts


def test_a_bare_city_bureau_in_a_province_article_is_never_the_department():
    ents, facts, _ = _run("湖南省公安厅召开大会。\n授予原岳阳市副市长、公安局局长周建国荣誉奖章。\n公安局局长吴平讲话。")
    assert ("周建国", "memberOf", "岳阳市公安局") in facts
    assert ("Bureau", "岳阳市公安局") in ents
    assert not any(s in ("周建国", "吴平") and o == "湖南省公安厅" for s, p, o in facts if p == "memberOf")


def test_a_name_without_a_known_surname_after_a_title():
    ents, facts, _ = _run("伊犁州公安局表彰先进。\n霍城县公安局清水河派出所副所长哈力木、所长同志，局长一行，民警受冻、挨饿。")
    assert ("Official", "哈力木") in ents
    assert ("哈力木", "holdsPosition", "副所长") in facts
    assert not {n for t, n in ents if t in ("Person", "Official")} & {"同志", "一行", "受冻", "挨饿"}


def test_the_first_part_of_a_transliterated_name_is_the_person_named_in_full():
    ents, facts, _ = _run("伊犁州公安局表彰先进。\n霍城县公安局刑侦大队教导员阿合买提、民警出席。\n候选人阿合买提·努尔兰获得提名奖。")
    assert ("Official", "阿合买提·努尔兰") in ents
    assert ("阿合买提·努尔兰", "holdsPosition", "教导员") in facts
    assert not any(n == "阿合买提" for _, n in ents)


def test_a_unit_written_alone_belongs_to_the_organ_of_its_level_named_before_it():
    ents, _, _ = _run("曲靖市公安局通报。曲靖市公安局局长出席。\n宣威市公安局接到线索后，抽调刑侦大队、禁毒大队精干警力成立专案组。\n"
                      "检查组赴宣威市公安局检查，到治安支队调研。")
    assert ("Bureau", "宣威市公安局刑侦大队") in ents          # a county's 大队
    assert ("Bureau", "曲靖市公安局治安支队") in ents          # a 支队 is a city's: not 宣威市's
    assert ("Bureau", "宣威市公安局治安支队") not in ents


def test_quoted_campaigns_separated_by_spaces_are_a_list():
    _, facts, _ = _run("公安部召开发布会。\n公安部部署全国公安机关深入开展“清源” “断卡” “护苗”等专项行动。")
    assert {("公安部", "conducted", f"“{c}”") for c in ("清源", "断卡", "护苗")} <= facts


def test_names_in_brackets_after_a_dateline_or_closing_a_report():
    ents, _, _ = _run("人民网长沙5月3日电(赵文静)近日,湖南省公安厅召开会议。\n全年破案数创新高。(孙丽华 钱多多) 相关视频\n"
                      "会议指出(一是 二是)工作。")
    people = {n for t, n in ents if t == "Person"}
    assert {"赵文静", "孙丽华", "钱多多"} <= people
    assert not people & {"一是", "二是"}


def test_the_author_line_is_a_byline():
    ents, _, _ = _run("湖州市公安局开展巡逻。\n来源:湖州日报\n作者:沈一鸣\n")
    assert ("Person", "沈一鸣") in ents


def test_spokesmen_heads_of_units_and_names_starting_with_a_function_character():
    ents, facts, _ = _run("宁波市公安局召开发布会。\n副市长、市公安局局长郑向东表示,今年治安形势平稳。\n"
                          "市公安局新闻发言人陈立新透露,全市破案上升。\n市公安局刑侦支队负责人林涛介绍,专案组连续作战。\n"
                          "相关负责人表示,将继续加强。")
    assert {("Official", n) for n in ("郑向东", "陈立新", "林涛")} <= ents
    assert ("陈立新", "holdsPosition", "新闻发言人") in facts
    assert ("郑向东", "holdsPosition", "副市长") in facts
    assert not any(n in ("表示", "相关") for _, n in ents)


def test_an_autonomous_regions_posts_keep_its_level_word():
    ents, facts, _ = _run("广西壮族自治区公安厅召开会议。\n自治区党委书记韦国强作出指示。\n自治区副主席、公安厅厅长黄志刚出席。")
    assert ("韦国强", "holdsPosition", "自治区党委书记") in facts
    assert ("韦国强", "memberOf", "广西壮族自治区党委") in facts
    assert ("黄志刚", "holdsPosition", "自治区副主席") in facts


def test_the_one_organ_an_article_names_runs_its_campaigns_when_the_home_organ_is_absent():
    _, facts, _ = _run("4月2日,河北省副省长、省公安厅厅长刘建国深入保定市涞源、易县、涞水等地调研。\n"
                       "刘建国要求,保定各地要持续深化“一盔一带”安全守护行动,推进保定平安建设。")
    assert ("河北省公安厅", "conducted", "“一盔一带”安全守护行动") in facts


def test_a_short_place_form_inside_other_words_is_not_a_place():
    ents, _, _ = _run("南阳市公安局表彰示范县(市)公安机关。\n全市保障市民和游客出行，做好二十大安保工作。\n"
                      "金水分局民警、点赞成都公安。")
    places = {n for t, n in ents if t == "Place"}
    assert not places & {"范县", "民和回族土族自治县", "大安市"}
    assert {"南阳市", "成都市"} <= places   # a police word after the form keeps it (点赞成都公安)


def test_words_that_look_like_names_after_a_title_or_in_a_list():
    ents, _, _ = _run("新疆维吾尔自治区公安厅召开会议。\n成立了由王建军担任组长、9位厅领导担任副组长的领导小组。\n"
                      "会议邀请了和田县公安局刑侦大队教导员努尔江、公安厅边防总队喀什地区公安边防支队民警出席。\n"
                      "仪式上,局长向民警送上鲜花。")
    people = {n for t, n in ents if t in ("Person", "Official")}
    assert "努尔江" in people
    assert not people & {"位厅", "公安厅", "送上鲜花"}


def test_offices_and_departments_right_after_their_organ():
    ents, facts, _ = _run("湖北省公安厅召开会议。\n湖北省公安厅审计处刘明、湖北省公安厅警务保障部陈刚出席。\n"
                          "市公安局部署开展行动，公安局部分民警参加，湖北省公安厅领导干部出席。")
    bureaus = {n for t, n in ents if t == "Bureau"}
    assert {"湖北省公安厅审计处", "湖北省公安厅警务保障部"} <= bureaus
    assert ("湖北省公安厅审计处", "subOrganizationOf", "湖北省公安厅") in facts
    assert not any(n.endswith(("局部", "干部", "部分")) for n in bureaus)


def test_units_of_the_department_written_after_yuan_ting_and_their_people():
    ents, facts, _ = _run("湖北省公安厅举行授勋仪式。\n授予原厅刑侦总队赵立新、原厅法制处孙海金质奖章,授予原厅警务保障部钱勇银质奖章。\n"
                          "某拘留所被评为全国一级拘留所。")
    bureaus = {n for t, n in ents if t == "Bureau"}
    assert {"湖北省公安厅刑侦总队", "湖北省公安厅法制处", "湖北省公安厅警务保障部"} <= bureaus
    assert ("赵立新", "memberOf", "湖北省公安厅刑侦总队") in facts
    assert ("钱勇", "memberOf", "湖北省公安厅警务保障部") in facts
    assert not any("被评为" in n for n in bureaus)


def test_a_short_place_form_before_a_police_word_is_the_home():
    ents, _, _ = _run("春运首日兰州交警全员上路\n春运期间,市公安局加强对客运站的巡逻。")
    assert ("Bureau", "兰州市公安局") in ents


def test_a_municipality_has_no_department():
    ents, facts, res = _run("天津市公安局召开会议。天津市公安局部署工作。\n记者从省公安厅获悉,全省推行网上办理。\n"
                            "省公安厅厅长孙强出席。")
    assert not [m for m in res.mentions if m.type == "Bureau" and "厅" in m.surface]
    assert not any(o == "天津市公安局" for s, p, o in facts if s == "孙强")


def test_a_prefectures_league_s_and_banner_s_own_organ_written_without_its_place():
    for home, form, unit in (("黔东南州", "州公安局", "刑侦支队"), ("锡林郭勒盟", "盟公安局", "刑侦支队"),
                             ("科尔沁右翼前旗", "旗公安局", "刑侦大队")):
        ents, _, res = _run(f"{home}公安局召开会议。\n{form}{unit}破获一起案件。")
        assert any(m.surface == form and m.name == f"{home}公安局" for m in res.mentions), form
        assert ("Bureau", f"{home}公安局{unit}") in ents


def test_a_name_ends_before_a_word_its_stop_character_belongs_to():
    from kg.extract.text import boundaries, name_at
    for text, name in (("王刚陪同检查。", "王刚"), ("李强陪同。", "李强"), ("王小明和李四", "王小明"),
                       ("张三丰等人", "张三丰"), ("赵文静同志", "赵文静")):
        assert name_at(text, 0, boundaries(text)) == name, text


def test_every_form_of_a_branch_is_one_organ_with_its_units_and_members():
    ents, facts, _ = _run("近日，广州市公安局天河区分局破获一起诈骗案。\n天河分局刑警大队民警黄晓东荣立个人二等功。")
    bureaus = {n for t, n in ents if t == "Bureau"}
    assert "广州市公安局天河分局" not in bureaus
    assert "广州市公安局天河区分局刑警大队" in bureaus
    assert ("广州市公安局天河区分局刑警大队", "subOrganizationOf", "广州市公安局天河区分局") in facts


def test_gai_ju_is_the_organ_the_sentence_named_last():
    _, facts, res = _run("武侯区公安分局玉林派出所获得表彰。\n记者从成都市公安局获悉，该局侦破“10·12”网络赌博案。")
    assert any(m.surface == "局" and m.name == "成都市公安局" for m in res.mentions)
    assert ("成都市公安局", "solved", "“10·12”网络赌博案") in facts


def test_anonymised_people_keep_the_given_name_the_text_writes():
    _, _, res = _run("龙泉县公安局破获积案。\n逃犯何某川落网。\n民警抓获了犯罪嫌疑人何某川,随后查明,嫌疑人邹某平、"
                     "邱某某与其同伙。\n在押人员汪某看到视频，汪某称其后悔，平安县吴某乡发生一起案件。")
    anon = {(m.surface, m.name) for m in res.mentions if m.type == "Person"}
    assert {("何某", "何某川"), ("何某川", "何某川"), ("邹某平", "邹某平"), ("邱某某", "邱某某"), ("汪某", "汪某")} <= anon
    assert not {n for _, n in anon} & {"汪某看", "汪某称", "吴某"}


def test_the_cue_belongs_to_the_nearest_actor_unless_actors_are_listed():
    _, facts, _ = _run("湖南省公安厅召开会议。\n湖南省公安厅对岳阳市公安局侦破的“3·15”网络赌博案予以通报表扬。\n"
                       "公安部、湖南省公安厅联合侦破“5·20”案。")
    assert ("岳阳市公安局", "solved", "“3·15”网络赌博案") in facts
    assert ("湖南省公安厅", "solved", "“3·15”网络赌博案") not in facts
    assert {("公安部", "solved", "“5·20”案"), ("湖南省公安厅", "solved", "“5·20”案")} <= facts


def test_a_bare_unit_head_serves_in_the_unit_of_that_kind_named_before_it():
    _, facts, _ = _run("温州市公安局召开会议，局长张三讲话。\n南郊派出所获得表彰，副所长陈海荣立个人一等功。\n"
                       "刑侦支队破获一起案件，支队长王五介绍了案情。\n记者李四采访了所长。")
    assert {("张三", "memberOf", "温州市公安局"), ("陈海", "memberOf", "南郊派出所"),
            ("王五", "memberOf", "温州市公安局刑侦支队")} <= facts


def test_a_name_before_tongzhi_and_an_award_after_a_pronoun():
    ents, facts, _ = _run("宝鸡市公安局渭滨分局召开会议。\n李卫东同志1975年出生，生前在经二路派出所工作。从警25年来，"
                          "他先后荣立个人二等功1次、三等功2次。\n给予孙晓峰同志记个人一等功；广大民警同志积极开展“向李卫东同志学习”专题教育。")
    assert {("Person", "李卫东"), ("Person", "孙晓峰")} <= ents
    assert {("李卫东", "received", "二等功"), ("李卫东", "received", "三等功"), ("孙晓峰", "received", "一等功")} <= facts
    assert not any(s.endswith("分局") and p == "received" for s, p, o in facts)
    assert any(t == "Campaign" and n.startswith("“向李卫东同志学习”") for t, n in ents)   # not cut by the name
    assert ("Person", "民警") not in ents


def test_an_endorsed_campaign_quoted_without_its_head():
    _, facts, _ = _run("温州市公安局全面推行“一镇一警长”。\n市委常委、政法委书记吴明批示肯定“一镇一警长”工作经验，要求全市推广。")
    assert ("吴明", "endorsed", "“一镇一警长”") in facts
    assert ("吴明", "endorsed", "温州市公安局") not in facts


def test_national_bodies_are_organisations_on_their_own():
    ents, _, _ = _run("近日，人力资源社会保障部、公安部联合印发决定。\n最高人民法院、最高人民检察院、国家禁毒委员会参与部署。")
    assert {("Organization", n) for n in ("人力资源社会保障部", "最高人民法院", "最高人民检察院", "国家禁毒委员会")} <= ents
    assert ("Bureau", "公安部") in ents
