"""The Relate stage: relations between the spans of an article (the guidelines' nine predicates).

A rule is a function (Article, Said) -> facts, run for every sentence in order (`RULES`); an
article rule (Article) -> facts runs once after them (`ARTICLE_RULES`).  A fact is
(sentence index, subject, predicate, object): the sentence is its evidence; subject and
object are (type, canonical name), the object of holdsPosition the post as written.  What the
rules share across sentences (the main bureau, the task forces, the last campaign named) is
derived once, up front, in `Article`.

Rules work inside one sentence, plus the article's main bureau as the implicit actor
("市公安局 …; 全年破获…": the article's own police did it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from ..model import Document, Fact, Mention
from ..places import gazetteer
from .context import Context, Span, bureau_name
from .text import relation_cues

ACTORS = ("Bureau", "Organization")
RECIPIENTS = ("Bureau", "Organization", "Person", "Official", "Place", "Campaign")

Key = tuple[str, str]
Found = Iterable[tuple[int, Key, str, "Key | str"]]   # (sentence index, subject, predicate, object)
_END = (float("inf"),)


@dataclass
class Said:
    """One sentence as the rules read it."""
    n: int               # its position among the article's analysed sentences
    index: int           # Sentence.index: the evidence of the facts read from it
    text: str
    spans: list[Span]

    @cached_property
    def actors(self) -> list[Span]:
        return [sp for sp in self.spans if sp.type in ACTORS]


@dataclass
class Article:
    """What the rules read of an article, derived once before they run."""
    doc_id: str
    ctx: Context
    sentences: list[Said]
    mentioned: set[Key]                  # (type, name) of every span
    posted: dict[Key, tuple[int, int, int]] = field(default_factory=dict)
    extra: list[Mention] = field(default_factory=list)   # the bodies named in posts (posted), as mentions
    main_key: Key | None = None          # the article's main bureau, if the article names it
    found_places: set[str] = field(default_factory=set)
    forces: dict[str, list[Key]] = field(default_factory=dict)      # a case's code -> its task forces
    campaign_before: list[Key | None] = field(default_factory=list)  # per sentence: the last campaign before it

    @classmethod
    def of(cls, doc_id: str, ctx: Context, analysed) -> "Article":
        sentences = [Said(n, index, text, spans) for n, (index, text, spans) in enumerate(analysed)]
        art = cls(doc_id, ctx, sentences, {(sp.type, sp.name) for s in sentences for sp in s.spans})
        main = ctx.main_bureau()
        art.main_key = ("Bureau", main) if main and ("Bureau", main) in art.mentioned else None
        if art.main_key is None:   # the home's organ is not named: the one organ the article names, if one
            organs = {sp.name for s in sentences for sp in s.spans if sp.type == "Bureau" and sp.data.get("division")}
            art.main_key = ("Bureau", organs.pop()) if len(organs) == 1 else None
        art.found_places = {d.name for d in ctx.places.found.values()}
        last = None
        for s in sentences:
            art.campaign_before.append(last)
            for j, sp in enumerate(s.spans):
                if sp.data.get("task_force"):   # “7·12”专案组: it solves that case
                    art.forces.setdefault(sp.data["task_force"], []).append((sp.type, sp.name))
                if sp.type == "Campaign":
                    last = (sp.type, sp.name)
                if sp.type in ("Official", "Person"):
                    for k, (typ, org) in enumerate(sp.data.get("orgs", [])):
                        art.posted.setdefault((typ, org), (s.n, j, k))
                        art.extra.append(Mention(doc_id, s.index, typ, org, org))
        return art

    def known(self, key: Key, at: tuple = _END) -> bool:
        """The article names `key`: as a span, or as a body in a post at or before `at`
        ((sentence, span, body) positions: the rules read the article in order)."""
        where = self.posted.get(key)
        return key in self.mentioned or where is not None and where <= at


# --------------------------------------------------------------------------- sentence rules

def posts(art: Article, s: Said) -> Found:
    """A person's posts (holdsPosition) and the bodies they serve in (memberOf): those the post
    names, and an organ written right before or inside the post (公安部第三督察组组长X), or right
    before the name of a person written without one."""
    ents = s.spans
    for j, sp in enumerate(ents):
        if sp.type not in ("Official", "Person"):
            continue
        key = (sp.type, sp.name)
        for post in sp.data.get("posts", []):
            yield s.index, key, "holdsPosition", post
        ps, pe = sp.data.get("post_span", (-1, -1))
        named = {n for _, n in sp.data.get("orgs", [])}
        member = bool(named)
        for o in ents:
            if o.type in ("Bureau", "Organization") and o.name not in named and ps >= 0 \
                    and (o.surface == o.name or o.data.get("written")) \
                    and (o.end == ps or ps <= o.start and o.end <= pe) \
                    and not any(b is not o and b.type == "Bureau" and b.start == o.end for b in ents):
                member = True
                yield s.index, key, "memberOf", (o.type, o.name)
        for k, (typ, org) in enumerate(sp.data.get("orgs", [])):
            yield s.index, key, "memberOf", (typ, org)
            yield from _committee(art, s.index, (typ, org), (s.n, j, k))
        head = _BARE_UNIT_HEAD.fullmatch(s.text, ps, pe) if not member and ps >= 0 else None
        if head:   # a bare head (所长, 支队长): the unit of that kind named last before
            o = max((o for o in ents if o.type == "Bureau" and o.end <= ps and o.name.endswith(head.group(1))),
                    key=lambda o: o.end, default=None)
            if o is not None:
                yield s.index, key, "memberOf", (o.type, o.name)
        if ps < 0:   # no post: an organ written right before the name (原厅刑侦总队赵立新)
            o = next((o for o in ents if o.type == "Bureau" and o.end == sp.start), None)
            if o is not None and not any(b.type == "Bureau" and b.start == o.end and b is not o for b in ents):
                yield s.index, key, "memberOf", (o.type, o.name)


# a post that is only a unit's head, with 副 or 常务副 at most: the unit's kind (所长: 所)
_BARE_UNIT_HEAD = re.compile("(?:常务副|副)?(所|局|分局|总队|支队|大队|中队|处|科)长")


def task_forces(art: Article, s: Said) -> Found:
    """A task force is under the organ that formed it (宝鸡市公安局…成立“…”专案组), else the main bureau."""
    for sp in s.spans:
        if sp.data.get("task_force"):
            owner = next((b for b in reversed(s.spans) if b.type == "Bureau" and b.end <= sp.start
                          and not b.data.get("task_force") and b.name.endswith(("公安局", "公安厅", "分局"))), None)
            okey = (owner.type, owner.name) if owner else art.main_key
            if okey:
                yield s.index, (sp.type, sp.name), "subOrganizationOf", okey


def bureau_parents(art: Article, s: Said) -> Found:
    """A unit under the organ its name was read with, if the article names that organ."""
    main = art.main_key[1] if art.main_key else None
    for j, sp in enumerate(s.spans):
        if sp.type == "Bureau":
            parent = sp.data.get("parent")
            if parent and art.known(("Bureau", parent), (s.n, j, -1)) or parent == main and art.main_key:
                yield s.index, (sp.type, sp.name), "subOrganizationOf", ("Bureau", parent)


def org_parents(art: Article, s: Said) -> Found:
    """公安部第五督察组 -> 公安部, …统计局调查中心 -> …统计局 (when the article names the parent)."""
    for j, sp in enumerate(s.spans):
        if sp.type == "Organization":
            pk = sp.data.get("parent_key") or (sp.data.get("parent") and ("Organization", sp.data["parent"]))
            if pk and art.known(tuple(pk), (s.n, j, -1)):
                yield s.index, (sp.type, sp.name), "subOrganizationOf", tuple(pk)


def seats(art: Article, s: Said) -> Found:
    """An organ named after a place the article names is located there (永康市公安局 -> 永康市);
    a committee's unit is under the committee (X委政法委 -> X委)."""
    for j, sp in enumerate(s.spans):
        if sp.type in ("Bureau", "Organization"):
            key = (sp.type, sp.name)
            code = sp.data.get("division")
            if code and sp.name == _top_name(sp, code, art.ctx):
                d = gazetteer().by_code.get(code)
                if d is not None and d.name in art.found_places:
                    yield s.index, key, "locatedIn", ("Place", art.ctx.short.get(d.code, d.name))
            yield from _committee(art, s.index, key, (s.n, j, -1))


def bylines(art: Article, s: Said) -> Found:
    """齐鲁晚报记者张某某: the reporter works for the outlet."""
    for org, person in _bylines(s.text, s.spans):
        yield s.index, (person.type, person.name), "memberOf", (org.type, org.name)


def organ_chains(art: Article, s: Said) -> Found:
    """A bureau written right after another is its unit (杭州市公安局拱墅区分局)."""
    organs = [sp for sp in s.spans if sp.type == "Bureau"]
    for a, b in zip(organs, organs[1:]):
        if a.end == b.start and a.name != b.name:
            yield s.index, (b.type, b.name), "subOrganizationOf", (a.type, a.name)


def conducted(art: Article, s: Said) -> Found:
    """Who runs a campaign: the main bureau, actors with a cue word before it or the clause's
    subject, and the organ whose deployment the sentence follows."""
    for sp in s.spans:
        if sp.type == "Campaign":
            key = (sp.type, sp.name)
            if art.main_key:
                yield s.index, art.main_key, "conducted", key
            cued = _cued_actors(s.text, s.actors, sp, "conducted") or _subjects(s.text, s.actors, sp)
            for a in cued + _directors(s.text, s.actors, sp, s.spans):
                yield s.index, (a.type, a.name), "conducted", key


def cases(art: Article, s: Said) -> Found:
    """A case is part of the campaign it was solved in (在“净网2022”专项行动中…侦破“4·18”案) and
    solved by the bureaus with a cue word before it, its task forces, else the main bureau."""
    text = s.text
    for sp in s.spans:
        if sp.type != "Case":
            continue
        key = (sp.type, sp.name)
        for c in s.spans:
            if c.type == "Campaign" and c.end <= sp.start and re.match("(?:中|期间|以来)", text[c.end:c.end + 2]) \
                    and text[max(0, c.start - 2):c.start].endswith(("在", "开展", "于")):
                yield s.index, key, "partOf", (c.type, c.name)
        bureaus = [a for a in _cued_actors(text, s.actors, sp, "solved") if a.type == "Bureau"]
        for a in bureaus:
            yield s.index, (a.type, a.name), "solved", key
        for f in art.forces.get(sp.data.get("code") or "-", []):
            yield s.index, f, "solved", key
        if art.main_key and not bureaus:
            yield s.index, art.main_key, "solved", key


_BACK_REF = re.compile(r"(?:该|此|这一?|上述)(?:项)?(?:做法|机制|工作|模式|经验|举措|项目|系统|平台|创新)")


def awards(art: Article, s: Said) -> Found:
    """Who received an award (`_recipients`); else the campaign a back reference points to
    (该做法…被评为), the sentence's topic, or the main bureau."""
    text, ents = s.text, s.spans
    nested = None   # the spans inside a longer one, found once per sentence when an award asks
    for j, sp in enumerate(ents):
        if sp.type != "Award" or sp.data.get("handed"):
            continue   # 为“最美交警”“最美社区民警”授奖: the honours, not who got them
        key = (sp.type, sp.name)
        nested = _inside_longer(ents) if nested is None else nested
        whos = _recipients(text, ents, sp, nested)
        for w in whos[1:]:
            yield s.index, w, "received", key
        who = whos[0] if whos else None
        if who is None and _BACK_REF.search(text[:sp.start]):
            who = next(((c.type, c.name) for c in reversed(ents[:j]) if c.type == "Campaign"),
                       art.campaign_before[s.n])
        cue = sp.data.get("cue") or ""
        adjectival = cue and text[max(0, sp.start - 1):sp.start] == "的" and cue in text[max(0, sp.start - len(cue) - 1):sp.start]
        if who is None and ("counted_from" in sp.data or adjectival):
            continue   # honours counted or handed out: no implicit recipient
        if who is None:   # the sentence's topic: 解放路派出所成立于…，自…被…授予…
            topic = next((t for t in ents if t.type in ("Bureau", "Person", "Official") and t.start <= 1
                          and not t.anonymous and t.end <= sp.start), None)
            while topic is not None:   # the end of a chain of organs: 市公安局 + 解放路派出所
                nxt = next((t for t in ents if t.type == "Bureau" and t.start == topic.end), None)
                if nxt is None:
                    break
                topic = nxt
            if topic is not None:
                who = (topic.type, topic.name)
        if who is None and _PRONOUN_SUBJECT.search(text, 0, sp.start):
            who = _last_person(art, s, sp.start)   # 他…荣立二等功: the person the text spoke of
            if who is None:
                continue
        if who is None and art.main_key:
            who = art.main_key
        if who is not None:
            yield s.index, who, "received", key


_PRONOUN_SUBJECT = re.compile("(?:^|[，。；：])[他她](?![们人])")


def _last_person(art: Article, s: Said, end: int) -> Key | None:
    """The person (not anonymised) named last before `end` in this sentence or the ones before."""
    for said in [s] + art.sentences[s.n - 1::-1] if s.n else [s]:
        for sp in reversed(said.spans):
            if sp.type in ("Person", "Official") and not sp.anonymous and (said is not s or sp.end <= end):
                return (sp.type, sp.name)
    return None


_QUOTED = re.compile("“[^“”]{2,20}”")


def endorsements(art: Article, s: Said) -> Found:
    """Officials who 批示肯定/点赞 … endorse the campaign named (or quoted, if the article names it
    elsewhere), else the bureau, in their part of the sentence."""
    text, ents = s.text, s.spans
    for seg_start, seg_end in _segments(text):
        if not any(c in text[seg_start:seg_end] for c in relation_cues()["endorsed"]):
            continue
        seg = [sp for sp in ents if seg_start <= sp.start < seg_end]
        officials = [sp for sp in seg if sp.type == "Official"]
        campaigns = [sp for sp in seg if sp.type == "Campaign"]
        own = {n for o in officials for _, n in o.data.get("orgs", [])}
        organs = [(b.type, b.name) for b in seg if b.type == "Bureau" and b.name not in own
                  and not any(o.start <= b.start < o.end for o in officials)]
        # a campaign the article names, quoted here without its head (批示肯定“雪亮工程”建设经验)
        named = [("Campaign", q) for q in _QUOTED.findall(text, seg_start, seg_end) if ("Campaign", q) in art.mentioned]
        targets = [(c.type, c.name) for c in campaigns] or named or organs[-1:] or ([art.main_key] if art.main_key else [])
        for o in officials:
            for t in targets:
                yield s.index, (o.type, o.name), "endorsed", t


# --------------------------------------------------------------------------- article rules

def main_bureau_parent(art: Article) -> Found:
    """The article's bureau is under the bureau of the place above it (永康市公安局 -> 金华市公安局),
    stated where the main bureau is first named."""
    ctx = art.ctx
    if art.main_key and ctx.home is not None:
        parent = gazetteer().parent(ctx.home)
        if parent is not None:
            pkey = ("Bureau", ctx.written.get(parent.code) or bureau_name(parent))
            if art.known(pkey):
                first = next(s.index for s in art.sentences for sp in s.spans if (sp.type, sp.name) == art.main_key)
                yield first, art.main_key, "subOrganizationOf", pkey


def county_bureau_parents(art: Article) -> Found:
    """Every county-level bureau is under the named bureau of its prefecture (如东县公安局 -> 南通市公安局)."""
    for s in art.sentences:
        for sp in s.spans:
            d = gazetteer().by_code.get(sp.data.get("division") or "")
            if sp.type != "Bureau" or d is None or d.level != "county" or (sp.type, sp.name) == art.main_key:
                continue
            parent = gazetteer().parent(d)
            if parent is not None and parent.level == "prefecture":
                pkey = ("Bureau", art.ctx.written.get(parent.code) or bureau_name(parent))
                if art.known(pkey) and pkey != (sp.type, sp.name):
                    yield s.index, (sp.type, sp.name), "subOrganizationOf", pkey


def posted_seats(art: Article) -> Found:
    """An organisation named in a post after a place the article names is located there (深圳市委 -> 深圳市)."""
    shown = {d.name: art.ctx.short.get(d.code, d.name) for d in art.ctx.places.found.values()}
    places = sorted(set(shown) | set(shown.values()), key=len, reverse=True)
    for m in art.extra:
        if m.type == "Organization":
            p = next((p for p in places if m.name.startswith(p)), None)
            if p:
                yield m.sentence, (m.type, m.name), "locatedIn", ("Place", shown.get(p, p))


RULES: list[Callable[[Article, Said], Found]] = [
    posts, task_forces, bureau_parents, org_parents, seats, bylines, organ_chains,
    conducted, cases, awards, endorsements]
ARTICLE_RULES: list[Callable[[Article], Found]] = [main_bureau_parent, county_bureau_parents, posted_seats]


def relate(doc: Document, ctx: Context, analysed) -> tuple[list[Fact], list[Mention]]:
    """The article's facts (each once per sentence, none relating a thing to itself) and the
    bodies named in posts as extra mentions."""
    art = Article.of(doc.doc_id, ctx, analysed)
    facts: list[Fact] = []
    seen: set = set()

    def add(found: Found) -> None:
        for index, subj, pred, obj in found:
            if subj != obj and (subj, pred, obj, index) not in seen:
                seen.add((subj, pred, obj, index))
                facts.append(Fact(doc.doc_id, index, subj, pred, obj))
    for s in art.sentences:
        for rule in RULES:
            add(rule(art, s))
    for rule in ARTICLE_RULES:
        add(rule(art))
    return facts, art.extra


_COMMITTEE = re.compile(r"(.+?委)(政法委|理论中心组|宣传部|组织部)$")


def _committee(art: Article, index: int, key: Key, at: tuple) -> Found:
    """X委政法委 / X委理论中心组 belong to X委."""
    typ, name = key
    m = _COMMITTEE.match(name) if typ == "Organization" else None
    if m and art.known(("Organization", m.group(1)), at):
        yield index, key, "subOrganizationOf", ("Organization", m.group(1))


_BYLINE_GAP = re.compile(r"^[\s（(“”]*(?:·[\u4e00-\u9fff]{1,5})?\s*(?:[\u4e00-\u9fff]{0,4}\s*\d{1,2}月\d{1,2}日(?:电|消息|讯)|讯)?"
                         r"[\s（(“”]*(?:全媒体|融媒体|首席)?(?:记者|编辑|作者[：:]?|撰稿|文|摄影?)?[\s：:“”]*$")


def _bylines(text: str, ents: list[Span]) -> list[tuple[Span, Span]]:
    """Reporters and editors named after their outlet in a byline or source line (法治网 记者 X,
    （大众网记者X、Y）, 来源：齐鲁晚报 作者：X, 人民网兰州6月3日电（记者 X））; not 通讯员."""
    out = []
    media = [sp for sp in ents if sp.type == "Organization" and sp.data.get("media")]
    people = [sp for sp in ents if sp.type in ("Person", "Official") and not sp.anonymous]
    for m in media:
        group = [m] + [o for o in media if o is not m and text[o.end:m.start] == "、"]
        last = m.end
        for p in people:
            if p.start < last:
                continue
            gap = text[last:p.start]
            if last == m.end and _BYLINE_GAP.match(gap) or last > m.end and re.fullmatch(r"[\s、“”]*", gap):
                out += [(o, p) for o in group]
                last = p.end
            else:
                break
    return out


_SEMICOLON = re.compile("[；;]")
_DIRECTED_BY = re.compile("(?:按照|根据)(?P<a>[^，。；]{2,30}?)(?:的)?(?:统一|总体)?(?:部署|安排)")


def _segments(text: str) -> list[tuple[int, int]]:
    """The ；-separated parts of a sentence: an endorsement speaks of the part it is in."""
    out, start = [], 0
    for m in _SEMICOLON.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _top_name(sp: Span, code: str, ctx: Context) -> str:
    d = gazetteer().by_code.get(code)
    if d is None:
        return ""
    top = ctx.written.get(code) if code in ctx.short else bureau_name(d)
    if sp.type == "Bureau":
        return top if sp.name == top else sp.name
    return sp.name if sp.name.startswith(ctx.short.get(code, d.name)) else ""


def _cued_actors(text: str, actors: list[Span], target: Span, relation: str) -> list[Span]:
    """Actors before the target with the relation's cue word between them (公安部部署“云剑”),
    unless another actor stands between them other than in a list or a chain with it
    (省公安厅对岳阳市公安局侦破的…案: 岳阳市公安局's; 公安部、公安厅联合侦破: both)."""
    out = []
    before = sorted((a for a in actors if a.end <= target.start), key=lambda a: a.start)
    for k, a in enumerate(before):
        between = text[a.end:target.start]
        if len(between) <= 12 and any(c in between for c in relation_cues()[relation]) and not re.search("[，。；]", between):
            inner = [b for b in before[k + 1:] if b.start >= a.end]
            ends = [a.end] + [b.end for b in inner[:-1]]
            if all(_LIST_GAP.fullmatch(text[e:b.start]) for e, b in zip(ends, inner)):
                out.append(a)
    return out


_LIST_GAP = re.compile("[、和与及]?")


# words first, then single characters; possessive: a run of them is read once, never re-split
_PRE_SUBJECT = re.compile(r"^(?:今年|去年|近年|近日|日前|目前|当天|昨天|今天|随后|同时|为此|对此|首先|其次|最后|"
                          r"一是|二是|三是|四是|五是|[\d年月日上中下旬底初今近去此以来前后期间同时其中据悉另外此外\s])*+$")


def _subjects(text: str, actors: list[Span], target: Span) -> list[Span]:
    """The subject of the sentence or clause that runs the campaign (公安部组织…，深入开展“云剑”…;
    市委、市政府高度重视，坚持把扫黑除恶…): an actor opening a clause before the target, with a
    cue word between them and no full stop; the actors listed with it (、/和) too."""
    cues = relation_cues()["conducted"]
    best = None
    for a in actors:
        if a.end > target.start:
            break
        brk = max(text.rfind(p, 0, a.start) for p in "，。；：！？,;") + 1
        if not _PRE_SUBJECT.match(text[brk:a.start]):
            continue
        between = text[a.end:target.start]
        if re.search("[。；！？;]", between) or len(between) > 100 or not any(c in between for c in cues):
            continue
        best = a
    if best is None:
        return []
    while True:   # the end of a chain of organs: 哈尔滨市公安局 + 道里分局
        nxt = next((a for a in actors if a.type == "Bureau" and a.start == best.end and a.end <= target.start), None)
        if nxt is None:
            break
        best = nxt
    out = [best]
    for a in reversed([x for x in actors if x.end <= best.start]):
        if text[a.end:out[0].start] in ("、", "和", "与", "及"):
            out.insert(0, a)
    # the subject's own list after it (市委、市政府高度重视…)
    for a in actors:
        if a.start > out[-1].end and text[out[-1].end:a.start] in ("、", "和", "与", "及") and a.end <= target.start:
            out.append(a)
    return out


def _directors(text: str, actors: list[Span], target: Span, ents: list[Span]) -> list[Span]:
    """按照公安部统一部署，…开展X: the organ whose deployment the sentence follows runs X too (the
    first campaign after it and those listed with that one, not campaigns named in passing)."""
    out = []
    for m in _DIRECTED_BY.finditer(text):
        if m.end() > target.start:
            break
        camps = [c for c in ents if c.type == "Campaign" and c.start >= m.end()]
        group = camps[:1]
        for c in camps[1:]:
            if re.fullmatch(r"[、和及与暨\s“”]*", text[group[-1].end:c.start]):
                group.append(c)
            else:
                break
        if target in group:
            out += [a for a in actors if m.start("a") <= a.start and a.end <= m.end("a")]
    return out


def _recipients(text: str, ents: list[Span], award: Span, nested: set[int]) -> list:
    """Who an award goes to: the nearest entity before it in its clause, skipping the agent of
    a passive (被省厅记二等功), with the names listed with it (张伟、王芳分别荣立…); else the
    person or bureau the sentence opens with (民警马建军…，被追记一等功)."""
    if "counted_from" in award.data:   # 德阳市公安局等15个“…”: the names before 等
        cf = award.data["counted_from"]
        before = [sp for sp in ents if sp.end == cf and sp.type in RECIPIENTS]
        if not before:
            return []
        out = [before[-1]]
        while True:
            prev = [sp for sp in ents if sp.end == out[0].start - 1 and text[sp.end] == "、" and sp.type == out[0].type]
            if not prev:
                break
            out.insert(0, prev[-1])
        return [(sp.type, sp.name) for sp in out]
    clause_start = max(text.rfind(p, 0, award.start) for p in "，。；！？,;") + 1
    # 给予/授予/追授 X (记) AWARD: the recipients stand between the cue and the award
    grant = max((text.rfind(c, clause_start, award.start), c) for c in ("给予", "授予", "追授"))
    if grant[0] >= 0 and "被" not in text[clause_start:grant[0]]:   # not 被(公安部)授予
        inside = [sp for sp in ents if sp.start >= grant[0] + len(grant[1]) and sp.end <= award.start
                  and sp.type in RECIPIENTS and sp.type != "Place"]
        people = [sp for sp in inside if sp.type in ("Person", "Official")]
        organs = [sp for sp in inside if not any(o.start == sp.end and o.type == "Bureau" for o in inside)
                  and not any(o.start < sp.start and sp.end <= o.end for o in inside)]
        return [(sp.type, sp.name) for sp in people or organs]
    cue = award.data.get("cue")
    limit = text.rfind(cue, clause_start, award.start) if cue else -1
    limit = award.start if limit < 0 else limit   # the recipient stands before the cue word
    before = [sp for sp in ents if clause_start <= sp.start and sp.end <= limit and sp.type in RECIPIENTS
              and id(sp) not in nested]   # not the 铜陵市 inside 铜陵市公安局
    for k in range(len(before) - 1, -1, -1):
        sp = before[k]
        if text[max(0, sp.start - 1):sp.start] == "被":
            continue   # the agent of a passive: the recipient stands before 被
        out = [(sp.type, sp.name)]
        while k > 0 and before[k - 1].type == sp.type and text[before[k - 1].end:before[k].start] == "、":
            k -= 1
            out.insert(0, (before[k].type, before[k].name))
        return out
    if clause_start > 0 and text[clause_start:award.start].lstrip().startswith(("被", "获", "荣", "记", "追")):
        # a clause without a subject (…，获得…称号): the subject of the clause before it
        prev_start = max(text.rfind(p, 0, clause_start - 1) for p in "，。；！？,;") + 1
        first = next((sp for sp in ents if sp.type in ("Person", "Official", "Bureau") and not sp.anonymous
                      and prev_start <= sp.start < clause_start), None)
        while first is not None:   # the end of a chain of organs: 市公安局 + 食药环侦支队
            nxt = next((sp for sp in ents if sp.type == "Bureau" and sp.start == first.end), None)
            if nxt is None:
                break
            first = nxt
        if first is None:
            first = next((sp for sp in ents if sp.type in ("Person", "Official", "Bureau")
                          and not sp.anonymous and sp.start <= 6), None)
        if first is not None and first.end <= award.start:
            out = [first]
            while True:   # 阿布都·热合曼、周志刚获得…，被授予…: every name of the list
                nxt = next((sp for sp in ents if sp.type == first.type and sp.start == out[-1].end + 1
                            and text[out[-1].end] == "、" and sp.end <= award.start), None)
                if nxt is None:
                    break
                out.append(nxt)
            return [(sp.type, sp.name) for sp in out]
    return []


def _inside_longer(ents: list[Span]) -> set[int]:
    """ids of the spans that lie inside a longer span (one sort, not a scan per span)."""
    out: set[int] = set()
    by_start = sorted(ents, key=lambda sp: sp.start)
    reach = -1   # the furthest end of the spans that start before the current group
    i = 0
    while i < len(by_start):
        j = i
        while j < len(by_start) and by_start[j].start == by_start[i].start:
            j += 1
        group_end = max(sp.end for sp in by_start[i:j])
        out.update(id(sp) for sp in by_start[i:j] if reach >= sp.end or group_end > sp.end)
        reach = max(reach, group_end)
        i = j
    return out
