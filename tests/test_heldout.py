"""The held-out evaluation set (tests/data/heldout): well-formed gold, and a scored build.

The articles are invented but realistic police news from provinces other than 浙江; the gold
follows docs/GUIDELINES.md.  The scoring test prints the reference scorer's table and asserts
no threshold (the lead sets the bar).
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from kg.paths import ontology_dir

DATA = Path(__file__).resolve().parent / "data"
HELDOUT = DATA / "heldout"
HELDOUT_GOLD = HELDOUT / "gold"
SEED_GOLD = DATA / "gold"
ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "tools" / "score_reference.py"

TYPES = {"Official", "Person", "Bureau", "Organization", "Campaign", "Case", "Award", "Place"}
PREDICATES = {"holdsPosition", "memberOf", "subOrganizationOf", "locatedIn", "conducted",
              "solved", "partOf", "received", "endorsed"}
PERSONS = {"Official", "Person"}
ORGS = {"Bureau", "Organization"}
# Subject and object types allowed for required relations (the guidelines' relation table).
SIGNATURE = {
    "holdsPosition": (PERSONS, None),
    "memberOf": (PERSONS, ORGS),
    "subOrganizationOf": (ORGS, ORGS),
    "locatedIn": (ORGS, {"Place"}),
    "conducted": (ORGS, {"Campaign"}),
    "solved": ({"Bureau"}, {"Case"}),
    "partOf": ({"Case"}, {"Campaign"}),
    "received": (PERSONS | ORGS | {"Place", "Campaign"}, {"Award"}),
    "endorsed": ({"Official"}, {"Campaign", "Bureau"}),
}
# Seed names that are nationwide institutions, honours or campaigns, so a held-out article
# may name them too.  Everything else named in the seed gold (people, cases, local units and
# campaigns) must not reappear.  Places are real and exempt.
NATIONAL = {"公安部", "中国共产党", "一等功", "二等功", "三等功", "集体三等功", "嘉奖",
            "枫桥式公安派出所", "“枫桥式公安派出所”创建", "打击治理跨境赌博", "新冠肺炎疫情防控"}
GB18030_ARTICLES = {"008_harbin_daoli_gb18030.txt"}

QUOTES = "\"'“”‘’「」『』《》〈〉【】()（）[]［］ \t\r\n\u3000"


def norm(s: str) -> str:
    """The scorer's comparison form: NFKC, one middle dot, no quotes/brackets/space, lower case."""
    s = unicodedata.normalize("NFKC", s)
    for d in "·•・‧∙⋅．":
        s = s.replace(d, "·")
    return "".join(ch for ch in s if ch not in QUOTES).lower()


def articles() -> list[Path]:
    return sorted(HELDOUT.glob("*.txt"))


def read_article(path: Path) -> str:
    enc = "gb18030" if path.name in GB18030_ARTICLES else "utf-8"
    return path.read_bytes().decode(enc)


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def gold_files() -> list[Path]:
    return sorted(HELDOUT_GOLD.glob("*.json"))


def all_forms(gold: dict, with_optional: bool = True):
    """Yield (type, name, form) for every name and alias of the entities of one gold file."""
    items = list(gold["entities"])
    if with_optional:
        items += [e for e in gold["optional"] if "name" in e]
    for e in items:
        for form in [e["name"], *e.get("aliases", [])]:
            yield e.get("type"), e["name"], form


# ---------------------------------------------------------------- the files


def test_ten_articles_each_with_gold():
    txt = [p.stem for p in articles()]
    js = [p.stem for p in gold_files()]
    assert len(txt) == 10
    assert txt == js
    for p in gold_files():
        assert load_gold(p)["doc"] == p.stem + ".txt"


def test_articles_decode_and_have_realistic_length():
    for p in articles():
        text = read_article(p)
        assert 600 <= len(text) <= 2000, (p.name, len(text))
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) >= 450, p.name


def test_one_article_is_gb18030_not_utf8():
    for name in GB18030_ARTICLES:
        raw = (HELDOUT / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert "哈尔滨" in raw.decode("gb18030")
    for p in articles():
        if p.name not in GB18030_ARTICLES:
            p.read_bytes().decode("utf-8")


def test_surface_variety_is_present():
    texts = {p.name: read_article(p) for p in articles()}
    joined = "\n".join(texts.values())
    web = [n for n, t in texts.items() if "首页 > 新闻中心 > 警务动态" in t]
    assert web and all(k in texts[web[0]] for k in ("来源：", "责任编辑：", "分享到：", "相关新闻", "打印本页"))
    ocr = [n for n, t in texts.items()
           if sum(1 for line in t.splitlines() if len(line) == 18) >= 15]
    assert ocr, "no OCR-style column broken at 18 characters"
    assert any(t.count('"') >= 6 and ", " in t for t in texts.values()), "no ASCII-punctuated article"
    for cue in ("“6.30”", "2021-037", "0512", "“5·20”", "昆仑2022", "猎狐-2023", "净网2021",
                "云剑-2022", "集体一等功", "个人二等功", "三等功", "嘉奖", "全国优秀公安局",
                "枫桥式公安派出所", "先进集体", "英雄模范", "批示", "点赞", "王某", "李某某", "张先生",
                "记者", "通讯员"):
        assert cue in joined, cue


# ---------------------------------------------------------------- the gold


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_gold_schema(path):
    gold = load_gold(path)
    assert set(gold) == {"doc", "entities", "relations", "optional"}
    names = set()
    for e in gold["entities"]:
        assert e["type"] in TYPES, e
        assert isinstance(e["name"], str) and e["name"].strip() == e["name"] != "", e
        assert isinstance(e["aliases"], list), e
        assert e["name"] not in e["aliases"], e
        assert e["name"] not in names, f"duplicate entity {e['name']}"
        names.add(e["name"])
        if e["type"] in PERSONS:
            assert isinstance(e.get("positions", []), list), e
        else:
            assert not e.get("positions"), e
    for r in gold["relations"]:
        assert set(r) == {"s", "p", "o"} and r["p"] in PREDICATES, r
    for o in gold["optional"]:
        if "name" in o:
            assert o["type"] in TYPES, o
            assert o["name"] not in names, f"{o['name']} is both required and optional"
        else:
            assert set(o) == {"s", "p", "o"} and o["p"] in PREDICATES, o


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_relation_endpoints_and_types(path):
    gold = load_gold(path)
    types = {e["name"]: e["type"] for e in gold["entities"]}
    opt_types = {o["name"]: o["type"] for o in gold["optional"] if "name" in o}
    for r in gold["relations"]:
        s_types, o_types = SIGNATURE[r["p"]]
        assert r["s"] in types, f"subject not an entity: {r}"
        assert types[r["s"]] in s_types, f"bad subject type {types[r['s']]}: {r}"
        if r["p"] == "holdsPosition":
            assert r["o"] and r["o"] not in types, r
        else:
            assert r["o"] in types, f"object not an entity: {r}"
            assert types[r["o"]] in o_types, f"bad object type {types[r['o']]}: {r}"
    known = set(types) | set(opt_types)
    for o in gold["optional"]:
        if "s" in o:
            assert o["s"] in known, o
            assert o["p"] == "holdsPosition" or o["o"] in known, o
    triples = [(r["s"], r["p"], r["o"]) for r in gold["relations"]]
    triples += [(o["s"], o["p"], o["o"]) for o in gold["optional"] if "s" in o]
    assert len(triples) == len(set(triples)), "duplicate relation"


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_positions_are_written_in_the_article(path):
    gold = load_gold(path)
    flat = re.sub(r"\s+", "", read_article(HELDOUT / gold["doc"]))
    held = {(r["s"], r["o"]) for r in gold["relations"] if r["p"] == "holdsPosition"}
    for e in gold["entities"]:
        for pos in e.get("positions", []):
            assert pos in flat, f"{e['name']}: post {pos!r} not in the text"
            assert (e["name"], pos) in held, f"{e['name']} {pos} lacks its holdsPosition triple"
    # officials and persons are bare names, never name+title
    for e in gold["entities"]:
        if e["type"] in PERSONS:
            assert not re.search(r"(书记|局长|厅长|市长|所长|主任|民警|记者)$", e["name"]), e["name"]


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_every_entity_is_grounded_in_the_article(path):
    """Each entity's name or an alias occurs in the text; a name resolved from context
    (南通市委 for 市委, …分局网安大队 for 分局网安大队) at least with its place or unit prefix cut."""
    gold = load_gold(path)
    flat = norm(read_article(HELDOUT / gold["doc"]))
    for e in gold["entities"]:
        name = norm(e["name"])
        forms = [norm(f) for f in e["aliases"]] + [name]
        forms.append(re.sub(r"^.*?(市|省|区|县)(?=.)", "", name))
        forms.append(re.sub(r"^.*(局|厅)(?=..)", "", name))
        assert any(f and f in flat for f in forms), e["name"]


def test_one_entity_per_thing_across_the_set():
    """A name or alias means one (type, name) in the whole held-out set, as the scorer assumes."""
    owner: dict[str, tuple] = {}
    for path in gold_files():
        for t, name, form in all_forms(load_gold(path)):
            key = (t, name)
            prev = owner.setdefault(norm(form), key)
            assert prev == key, f"{form!r} names {prev} and {key} ({path.name})"


def test_no_seed_entity_reused():
    """No held-out name or alias is a seed entity's name, and no held-out name is a seed alias
    (a shared generic alias such as “情指行” is fine); seed people and cases are not mentioned."""
    seed_names: dict[str, tuple] = {}
    seed_forms: dict[str, tuple] = {}
    for path in sorted(SEED_GOLD.glob("*.json")):
        for t, name, form in all_forms(load_gold(path)):
            if t != "Place" and name not in NATIONAL:
                seed_forms[norm(form)] = (t, name)
                if form == name:
                    seed_names[norm(form)] = (t, name)
    assert seed_names, "seed gold not found"
    for path in gold_files():
        for t, name, form in all_forms(load_gold(path)):
            hit = seed_names.get(norm(form)) or (seed_forms.get(norm(form)) if form == name else None)
            assert hit is None, f"{form!r} ({path.name}) reuses seed entity {hit}"
    texts = "\n".join(norm(read_article(p)) for p in articles())
    for form, (t, name) in seed_forms.items():
        if t in {"Official", "Person", "Case"} and len(form) >= 2:
            assert form not in texts, f"seed {t} {name} mentioned in the held-out articles"


# ---------------------------------------------------------------- scored build


def _load_scorer():
    if not SCORER.exists():
        pytest.skip(f"reference scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("score_reference", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def format_table(res: dict) -> str:
    lines = [f"{'held-out':14} gold  tp  fp  fn     P     R    F1"]
    for block in ("entities", "relations"):
        for k, v in res[block].items():
            lines.append(f"{k:14} {v['gold']:4} {v['tp']:3} {v['fp']:3} {v['fn']:3} "
                         f"{v['p']:5.2f} {v['r']:5.2f} {v['f1']:5.2f}")
    for k in ("entity_core_micro", "entity_all_micro", "relation_micro"):
        v = res[k]
        lines.append(f"{k}: P={v['p']:.3f} R={v['r']:.3f} F1={v['f1']:.3f}")
    return "\n".join(lines)


def test_score_heldout_build(tmp_path):
    scorer = _load_scorer()
    from kg.pipeline import build

    src = tmp_path / "heldout"
    src.mkdir()
    for p in articles():  # the articles only, not the gold folder
        shutil.copy2(p, src / p.name)
    out = tmp_path / "out"
    build([src], out, progress=False)
    graph = out / "graph.ttl"
    assert graph.exists()
    files = [graph] + sorted(ontology_dir().glob("*.ttl"))
    res = scorer.score(HELDOUT_GOLD, files)
    print(format_table(res))   # captured: shown only when the test fails
    assert set(res["entities"]) == TYPES
    assert sum(v["gold"] for v in res["entities"].values()) > 200


def test_gold_scores_perfectly_against_itself(tmp_path):
    """A graph holding exactly the gold must score 1.0: the gold is consistent for the scorer."""
    import rdflib
    from rdflib import RDF, RDFS, Literal, Namespace

    scorer = _load_scorer()
    KG = Namespace("https://w3id.org/gongan-kg/ontology#")
    ID = Namespace("https://w3id.org/gongan-kg/id/test/")
    g = rdflib.Graph()
    node = {}
    for path in gold_files():
        gold = load_gold(path)
        for e in gold["entities"]:
            n = node.setdefault(e["name"], ID[f"e{len(node)}"])
            g.add((n, RDF.type, KG[e["type"]]))
            g.add((n, RDFS.label, Literal(e["name"], lang="zh")))
        for r in gold["relations"]:
            o = Literal(r["o"], lang="zh") if r["p"] == "holdsPosition" else node[r["o"]]
            g.add((node[r["s"]], KG[r["p"]], o))
    ttl = tmp_path / "gold.ttl"
    g.serialize(ttl, format="turtle")
    res = scorer.score(HELDOUT_GOLD, [ttl])
    for block in ("entities", "relations"):
        for k, v in res[block].items():
            assert (v["fp"], v["fn"]) == (0, 0), (k, v["missed"], v["false"])
