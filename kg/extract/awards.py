"""Awards, honours and titles: 三等功, 集体二等功, “平安金鼎”, 枫桥式公安派出所, 全国一级拘留所."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .campaigns import head_words
from .context import Span
from .registry import SentenceView, extractor
from .text import HAN, dictionary_word, name_at, relation_cues, stop_prefixes


@lru_cache(maxsize=1)
def heads() -> dict[str, str]:
    return {r["head"]: r["kind"] for r in lexicon.table("award_heads.tsv", ("head", "kind"))}


def received_cues() -> tuple[str, ...]:
    return relation_cues()["received"]


_MERIT = re.compile(r"(?:个人|集体)?(?:一|二|三|特)等功|(?<=[记予获到])嘉奖")
_PREFIX = re.compile(r"^(?:\d{4}年度?|连续\S{1,3}年|首批|第[一二三四五六七八九十\d]+批|年度)+")


_LISTED = re.compile("、(?P<it>[^、，。；！？等]{3,30}?)(?=[、，。；！？]|等|$)")
_CONFER = re.compile("表彰|授予|评为|命名|荣获|授奖|颁奖|颁发|获评")
_COUNTED = re.compile(f"(?:等|共)?[\\d一二三四五六七八九十百千]+(?:个|名|位|家|支|人)[{HAN}]{{0,12}}?(?P<a>“[^“”]{{2,24}}”)")
_HANDED = re.compile("为(?P<qs>(?:“[^“”]{2,16}”、?){1,8})(?:授奖|颁奖|颁发|授牌|表彰)")


@lru_cache(maxsize=1)
def _head_alt() -> str:
    return lexicon.alternation(heads())


@lru_cache(maxsize=1)
def _cue_re() -> re.Pattern:
    return re.compile(f"(?P<cue>{lexicon.alternation(received_cues())})(?P<span>[^，。；！？,;]{{2,40}})")


@extractor(50)
def find_awards(view: SentenceView) -> list[Span]:
    text, taken = view.text, view.taken
    spans = []

    def add(s, e, name, cue=None):
        spans.append(Span(s, e, "Award", name, text[s:e], data={"cue": cue}))
        for k in range(s, e):
            taken[k] = True

    def person(s, e):
        spans.append(Span(s, e, "Person", text[s:e], text[s:e], data={"honouree": True}))
        for k in range(s, e):
            taken[k] = True

    head_alt = _head_alt()
    for m in _cue_re().finditer(text):
        span, s0 = m.group("span"), m.start("span")
        if m.group("cue") in ("授予", "追授") and "被" not in text[max(0, m.start() - 8):m.start()]:
            span, s0 = _honourees(text, span, s0, taken, person)
        # the object stops at the next cue word (获得…命名 枫桥式…) – keep what follows the last cue
        for c in received_cues():
            k = span.rfind(c)
            if k > 0 and len(c) >= 2:
                span, s0 = span[k + len(c):], s0 + k + len(c)
                break
        stripped = span.lstrip("了 为")
        span, s0 = stripped, s0 + len(span) - len(stripped)
        # a quoted honour (“最强党支部”称号), else the words up to the first award head
        q = re.search("“[^“”]+”", span)
        h = None
        for hm in re.finditer(f"(?:{head_alt})(?![{HAN}])", span):
            if not (q and q.start() < hm.start() < q.end()):
                h = hm
                break
        whole = q and h and q.end() <= h.start() and h.group() != "称号" and \
            re.fullmatch(f"[{HAN}]{{0,8}}", span[q.end():h.start()])
        if q and not whole and (h is None or q.start() < h.start()):
            after = span[q.end():]
            if after.startswith(head_words()):
                continue   # “最多跑一次”改革: a campaign, not an honour
            hq = re.match(f"(?:{head_alt})", after)
            e = q.end() + (len(hq.group()) if hq and hq.group() not in ("称号", "荣誉") else 0)
            s1, e1 = s0 + q.start(), s0 + e
            if re.search(r"\d{4}年|\d+月\d+日|^“[\d\-:. ]+”$", span[q.start():e]):
                continue   # a date between lost quotes, not an honour
            if not any(taken[s1:e1]):
                name = span[q.start():e]   # an honour in quotes is named without them
                add(s1, e1, name[1:-1] if name.endswith("”") else name, m.group("cue"))
            continue
        if h is None:
            continue
        cand, start = span[:h.end()], s0
        pm = _PREFIX.match(cand)
        if pm:
            cand, start = cand[pm.end():], start + pm.end()
        cand = cand.strip()
        tail = re.search("(?:荣誉称号|称号|荣誉)$", cand)
        if tail and (re.search(f"(?:{head_alt}|”)$", cand[:tail.start()]) or tail.group() != "荣誉" and tail.start() >= 3):
            cand = cand[:tail.start()]   # 爱民模范荣誉称号: the honour is 爱民模范
        if len(cand) < 3 or any(taken[start:start + len(cand)]) or "”" in cand and "“" not in cand:
            continue
        end = start + len(cand)
        add(start, end, cand.removeprefix("个人") if _MERIT.fullmatch(cand) else cand, m.group("cue"))
        # the honours listed after it: 荣获A、B、C等多项荣誉
        for it in _LISTED.finditer(text, end):
            if it.start() != end:
                break
            name = it.group("it")
            if any(taken[it.start("it"):it.end("it")]) or not re.search(f"(?:{head_alt}|”)$", name) \
                    or re.match(f"[{HAN}]{{0,4}}(?:{head_alt})$", name) and len(name) < 4:
                break
            add(it.start("it"), it.end("it"), name, m.group("cue"))
            end = it.end("it")
    # honours given to counted recipients: 德阳市公安局等15个“全省优秀公安局”、…予以表彰
    if _CONFER.search(text):
        for m in _COUNTED.finditer(text):
            s1, e1 = m.start("a"), m.end("a")
            if not any(taken[s1:e1]) and not m.group("a")[1:-1].endswith(head_words()):
                add(s1, e1, m.group("a")[1:-1])
                spans[-1].data["counted_from"] = m.start()
    # quoted honours handed out together: 为“最美交警”“最美社区民警”授奖
    for m in _HANDED.finditer(text):
        for q in re.finditer("“[^“”]{2,16}”", m.group("qs")):
            s1 = m.start("qs") + q.start()
            if not any(taken[s1:s1 + len(q.group())]):
                add(s1, s1 + len(q.group()), q.group()[1:-1])
                spans[-1].data["handed"] = True
    if spans or _CONFER.search(text):
        _listed_people(text, taken, person)
    for m in _MERIT.finditer(text):
        if not any(taken[m.start():m.end()]):
            # 个人二等功 is the 二等功; a collective merit (集体二等功) is an award of its own
            add(m.start(), m.end(), m.group().removeprefix("个人"))
    return spans


_UNIT_END = "处部队局所室科委会厅组站心校院长员任记警"


def _name_edge(text: str, i: int) -> bool:
    """A name may start here: at the start, after punctuation, or after a unit or a post (…总队刘建国)."""
    return i == 0 or not re.match(f"[{HAN}]", text[i - 1]) or text[i - 1] in _UNIT_END


def _honourees(text: str, span: str, s0: int, taken: list[bool], person) -> tuple[str, int]:
    """授予 A、B、C + award: the people listed (a unit or a post before each name), and the award
    after the last one.  Returns the award's part of the span."""
    items, pos = [], 0
    for part in span.split("、"):
        items.append((pos, part))
        pos += len(part) + 1
    found = []
    for n, (off, part) in enumerate(items):
        last = n == len(items) - 1
        for i in (range(len(part) - 1, -1, -1) if last else range(len(part))):
            k = s0 + off + i
            if not _name_edge(text, k):
                continue
            nm = name_at(text, k)
            if nm and (any(taken[k:k + len(nm)]) and not all(taken[k:k + len(nm)])
                       or taken[k] and k + len(nm) < len(taken) and taken[k + len(nm)]):
                continue   # inside a span found before, unless it is exactly this name
            rest = part[i + len(nm):]
            if not nm or (last and (len(rest) < 4 or not re.search(f"(?:{_head_alt()})$", rest)
                                    or dictionary_word(rest[:2]) is None)) or (not last and rest):
                continue
            found.append((k, k + len(nm)))
            break
        else:
            if last:
                return span, s0
    for a, b in found:
        if not any(taken[a:b]):
            person(a, b)
    a, b = found[-1]
    return text[b:s0 + len(span)], b


_ROLE_END = ("候选人", "民警", "辅警", "同志", "警官", "教导员", "所长", "队长", "局长", "政委", "书记", "英雄", "烈士")
_COUNT_AFTER = re.compile("等[\\d一二三四五六七八九十两]+[名位人]")


def _listed_people(text: str, taken: list[bool], person) -> None:
    """Honourees in a sentence about honours that the person grammar may miss: transliterated names
    (艾力·买买提, after a role, a comma or 、) and a name right before 等N名/位 (刘志强等三位民警)."""
    for m in re.finditer("·", text):
        d = m.start()
        if d < 2 or taken[d - 1] or taken[d]:
            continue
        left = next((k for k in range(2, 6) if d - k >= 0 and re.fullmatch(f"[{HAN}]{{{k}}}", text[d - k:d])
                     and (d - k == 0 or not re.match(f"[{HAN}]", text[d - k - 1]) or text[:d - k].endswith(_ROLE_END)
                          or text[d - k - 1] in "和与及等、")), None)
        if left is None:
            continue
        e = d + 1
        while e < len(text) and e - d <= 6 and re.match(f"[{HAN}]", text[e]) and text[e] not in "等和与及的在对为是了被将获" \
                and not text.startswith(stop_prefixes(), e):
            e += 1
        if 2 <= e - d - 1 <= 6 and not any(taken[d - left:e]):
            person(d - left, e)
            while text[e:e + 1] == "、" and not taken[e + 1:e + 2] == [True]:   # 阿布都·热合曼、周志刚
                nm = name_at(text, e + 1)
                if not nm or any(taken[e + 1:e + 1 + len(nm)]) or re.match(f"[{HAN}]", text[e + 1 + len(nm):e + 2 + len(nm)]) \
                        and not text.startswith(relation_cues()["received"] + ("等",), e + 1 + len(nm)):
                    break
                person(e + 1, e + 1 + len(nm))
                e = e + 1 + len(nm)
    for m in _COUNT_AFTER.finditer(text):
        cf = m.start()
        if cf == 0 or taken[cf - 1]:
            continue
        for n in (3, 2):
            if cf - n >= 0 and name_at(text, cf - n) == text[cf - n:cf] and _name_edge(text, cf - n) \
                    and not any(taken[cf - n:cf]):
                person(cf - n, cf)
                break
