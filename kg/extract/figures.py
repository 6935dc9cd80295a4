"""Statistics as observations: every figure a sentence reports about policing (破获案件1300余起,
刑事警情同比下降22.71%, 群众安全感满意度97.31%) with its indicator, value, unit, change, period
and subject (the spec: "Dates and figures" in the annotation guidelines).

A figure is a number with a counter word or % (kg/resources/figure_units.txt).  Its indicator is
what the text names before it, back to the clause boundary, without the verb, scope words and the
comparison (破获电信网络诈骗案件 -> 电信网络诈骗案件); or, when nothing is named before it, the
noun after it (打掉1个黑社会犯罪集团).  A change with nothing named before it (同比分别上升28.5%和
76.6%) belongs to the figures just before it.  The framing words are data
(kg/resources/figure_words.tsv).
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import lru_cache

from .. import lexicon
from ..errors import ResourceError
from ..model import Document, Observation
from .dates import Calendar, find_periods

ROLES = ("verb", "measure", "lead", "tail", "stop", "word", "not_thing", "money", "compare", "up", "down", "approx")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS = {"万亿": 10 ** 12, "千万": 10 ** 7, "百万": 10 ** 6, "十万": 10 ** 5, "万": 10 ** 4, "亿": 10 ** 8}
_narrow = lexicon.translator(str.maketrans("０１２３４５６７８９％．", "0123456789%."))
_HARD = "，。；：！？（）()!?;:"          # clause boundaries (folded text: ASCII punctuation is full width)
MAX_INDICATOR = 30
_ASCII_STOP = re.compile(r"(?<=[\u4e00-\u9fff”])\.(?=\s|[\u4e00-\u9fff“])")   # 押解回国. 这是…: a full stop


@lru_cache(maxsize=1)
def figure_words() -> dict[str, tuple[str, ...]]:
    path = lexicon.RESOURCE_DIR / "figure_words.tsv"
    out: dict[str, list[str]] = {r: [] for r in ROLES}
    for row in lexicon.table("figure_words.tsv", ("role", "word")):
        role, word = row["role"], row["word"]
        if role not in ROLES:
            raise ResourceError(f"{path}: role {role!r} of {word!r} is not one of {', '.join(ROLES)}")
        if not word:
            raise ResourceError(f"{path}: role {role!r} without a word")
        if word in out[role]:
            raise ResourceError(f"{path}: duplicate entry {role} {word!r}")
        out[role].append(word)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def figure_units() -> tuple[str, ...]:
    return lexicon.words("figure_units.txt")


@lru_cache(maxsize=1)
def _figure_re() -> re.Pattern:
    w = figure_words()
    before = lexicon.alternation([a for a in w["approx"] if a not in ("余", "多", "左右", "以上")] + ["多达", "达"])
    units = lexicon.alternation(figure_units())
    cn = "".join(_CN_DIGITS) + "".join(_CN_SMALL)
    num = rf"(?P<num>\d{{1,3}}(?:[,，]\d{{3}})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?|[{cn}]+)"
    mul = lexicon.alternation(_MULTIPLIERS)
    return re.compile(rf"(?<![\d.A-Za-z·])(?P<pre>{before})?{num}(?P<a1>余|多)?(?P<mul>{mul})?(?P<a2>余|多)?"
                      rf"(?:(?P<unit>{units})|(?<=[万亿])(?![\u4e00-\u9fff]))(?P<a3>左右|以上)?")


@lru_cache(maxsize=1)
def _numeral() -> re.Pattern:
    """A character a number of _figure_re starts with."""
    return re.compile(rf"[\d{''.join(_CN_DIGITS) + ''.join(_CN_SMALL)}]")


@lru_cache(maxsize=1)
def _change_re() -> re.Pattern:
    w = figure_words()
    cmp_ = lexicon.alternation(w["compare"])
    dirs = lexicon.alternation(w["up"] + w["down"])
    return re.compile(rf"(?P<cmp>{cmp_})?(?:分别|均|再次|大幅|明显|持续|又)*(?P<dir>{dirs})了?$")


def chinese_number(s: str) -> int | None:
    """一百二十 -> 120, 两 -> 2, 三千 -> 3000; None if it is not a number."""
    if all(ch in _CN_DIGITS for ch in s):   # digit by digit: 一二 is not a number we read
        return _CN_DIGITS[s] if len(s) == 1 else None
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def decimal_text(d: Decimal) -> str:
    """A decimal as plain text: 26000, 22.71 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def parse_value(num: str, mul: str | None) -> Decimal | None:
    if num[0].isdigit():
        d = Decimal(num.replace(",", "").replace("，", ""))
    else:
        n = chinese_number(num)
        if n is None:
            return None
        d = Decimal(n)
    if mul:
        d *= _MULTIPLIERS[mul]
    return d


# ---------------------------------------------------------------- one sentence

class _Fig:
    __slots__ = ("m", "start", "end", "value", "unit", "approx", "indicator", "change", "direction",
                 "used_right", "chinese", "left", "verb")

    def __init__(self, m: re.Match):
        self.m = m
        self.start, self.end = m.start(), m.end()
        self.value = parse_value(m.group("num"), m.group("mul"))
        self.unit = "%" if m.group("unit") in ("%", "％") else (m.group("unit") or "")
        pre = m.group("pre") or ""
        self.approx = bool(m.group("a1") or m.group("a2") or m.group("a3")) or (pre not in ("", "达", "多达"))
        self.indicator = ""
        self.change = None
        self.direction = None
        self.used_right = 0
        self.chinese = not m.group("num")[0].isdigit()
        self.left = ""
        self.verb = ""


def _strip_front(s: str, verbs: bool = True) -> tuple[str, str]:
    """Scope, time, adverbs and the verb off the front of an indicator; returns (rest, last verb)."""
    w = figure_words()
    verb = ""
    changed = True
    while s and changed:
        changed = False
        m = _TIME_AT_START.match(s)
        if m and m.end() > 0:
            s, changed = s[m.end():], True
            continue
        if s.startswith(w["lead"]):   # (which one: the first in order)
            for word in w["lead"]:
                if s.startswith(word):
                    s, changed = s[len(word):], True
                    break
        if changed or not verbs or not s.startswith(w["verb"]):
            continue
        for word in w["verb"]:
            if s.startswith(word) and not s[len(word):].startswith(w["measure"]):
                verb, s, changed = word, s[len(word):], True
                break
    return s, verb


_TIME_AT_START = re.compile(r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来|起|至今|来|期间|份|底|初|中旬|上旬|下旬)?"
                            r"|(?:今年|去年|全年|上半年|下半年|近年来|近期|日前|近日|元旦期间|春节期间|假期)")


def _strip_tail(s: str) -> tuple[str, bool]:
    w = figure_words()
    approx = False
    changed = True
    while s and changed and s.endswith(w["tail"]):
        changed = False
        for word in w["tail"]:
            if s.endswith(word):
                s, changed = s[: -len(word)], True
                approx = approx or word in w["approx"]
                break
    return s, approx


@lru_cache(maxsize=1)
def _stops_and_verbs() -> tuple[str, ...]:
    return figure_words()["stop"] + figure_words()["verb"]


_NOUN_RUN = re.compile(r"[^\s，。；：！？、（）()\d%·…—.]+")
_SPACES = re.compile(r"\s+")
_CHANGED_TO = re.compile(r"(?:提高|提升|上升|增长|增加|下降|降低|减少|降|升)(?:到|至)$")
_WHOLE_AREA = re.compile(r"全局|全区|全县")
_HE_SHE = re.compile(r"[他她](?!们)")
_DIRECTED = re.compile(r"(?:统一)?(?:部署|挂牌督办|督办|交办|批示)")
_UNDER = re.compile(r"(?:在|按照|根据|依照|遵照|配合|协助)[^，。在]{0,16}$")


def _right_noun(text: str, pos: int) -> str:
    w = figure_words()
    m = _NOUN_RUN.match(text[pos:])
    if not m:
        return ""
    noun = m.group()
    if noun.startswith(w["verb"] + w["compare"] + w["up"] + w["down"]):
        return ""
    masked = noun
    for word in w["word"]:   # 在押人员: a stop word inside a word is no stop
        masked = masked.replace(word, "\x00" * len(word))
    cut = len(noun)
    for stop in _stops_and_verbs():
        k = masked.find(stop)
        if k != -1 and k < cut:
            cut = k
    noun = noun[:cut]
    return noun if len(noun) >= 2 else ""


_LIST_END = re.compile(r"(?<![一二三四五六特同平高中初上下])等(?!级|次)")


def _after_list(s: str) -> str:
    """抢劫、伤害等八类主要犯罪 -> 八类主要犯罪 (the 等 of 一等功 is no list)."""
    parts = _LIST_END.split(s)
    return parts[-1] if len(parts) > 1 and parts[-1] else s


def _inside_quotes(text: str, pos: int) -> bool:
    return text.count("“", 0, pos) > text.count("”", 0, pos)


def sentence_figures(text: str, actor_ends: list[int] = ()) -> list[dict]:
    """The figures of one (folded) sentence: dicts with indicator, value (Decimal), unit,
    approximate, change, direction, start, end (offsets in `text`).  `actor_ends`: where names
    of organs end (an indicator starts after them)."""
    text = _narrow(text)
    if not _numeral().search(text):
        return []   # every figure has a number: digits or Chinese numerals
    w = figure_words()
    figs: list[_Fig] = []
    skipped: list[int] = []
    for m in _figure_re().finditer(text):
        f = _Fig(m)
        if f.value is None or f.value == 0 or (f.chinese and not m.group("mul")):
            continue   # 三个, 两名: words more than figures; 百亿 is one
        if text[max(0, f.start - 2):f.start].endswith(("这", "该", "此", "上述", "其中的")):
            continue   # 这5起专案: the figures named before
        if text[max(0, f.start - 1):f.start] in ("第", "前", "后", "每", "上"):
            continue   # 第3名, 前10位: ranks and limits
        if _inside_quotes(text, f.start):
            continue   # “四个意识”
        thing = next((t for t in w["not_thing"] if text.startswith(t, f.end)), None)
        if thing:      # 5个月, 从28个国家和地区: no figure, but what follows starts after it
            skipped.append(f.end + len(thing))
            continue
        figs.append(f)
    out: list[_Fig] = []
    prev_end = 0
    for f in figs:
        lo = max([prev_end] + [text.rfind(ch, 0, f.start) + 1 for ch in _HARD]
                 + [e for e in actor_ends if e <= f.start]
                 + [m.end() for m in _ASCII_STOP.finditer(text, 0, f.start)]
                 + [e for e in skipped if e <= f.start])
        raw_left = text[lo:f.start]
        left, approx_tail = _strip_tail(_SPACES.sub("", raw_left))
        if left.endswith("从"):   # 从92.1%提高到98.6%: the level before, and the level after
            left = left[:-1]
        to = _CHANGED_TO.search(left)
        level_to = bool(to)
        if to:
            left = left[:to.start()]
        cm = None if level_to else _change_re().search(left)
        if cm:
            is_change = f.unit in ("%", "个百分点") or cm.group("cmp")
            if is_change:
                f.change = cm.group("cmp") or "同比"
                f.direction = "down" if cm.group("dir") in w["down"] else "up"
                f.change = f.change.replace("同期", "") if f.change.startswith(("较", "比")) else f.change
                f.change = "较去年" if f.change in ("较上年", "比去年", "与去年同期相比", "较同期") else f.change
            left = left[:cm.start()]
            left, _ = _strip_tail(left)
        f.left = left
        # a list of values: 48.3%、102.3% / 40%和100%
        in_list = bool(out) and re.fullmatch(r"[、和及与]|以及", text[out[-1].end:f.start])
        if in_list:
            head = out[-1]
            f.change, f.direction = head.change, head.direction
            f.approx = f.approx or (bool(head.m.group("pre")) and head.m.group("pre") not in ("达", "多达"))
            f.indicator = "\x00list"
            out.append(f)
            prev_end = f.end
            continue
        items = left.split("、")
        f.indicator = items[-1]
        f.indicator = _after_list(f.indicator)
        if f.indicator.endswith(("的",) + w["lead"]) and len(f.indicator) > 1 or (
                f.indicator.endswith("等") and _LIST_END.search(f.indicator[-2:])):
            f.indicator = ""   # 某市公安局等24个“优秀公安局”, 破获的5起…: the thing follows
        f.indicator, f.verb = _strip_front(f.indicator)
        f.indicator = _strip_tail(f.indicator)[0]
        noun = "" if f.change else _right_noun(text, f.end)
        if noun:    # 打掉1个黑社会犯罪集团, 向5000余名群众: the noun after the figure is the thing
            f.indicator, f.used_right = noun, len(noun)
        if not f.indicator and f.verb:
            f.indicator = f.verb   # 预警劝阻318.5万人次, 刑事拘留同比上升35.54%
        if not f.indicator and level_to and out and out[-1].indicator not in ("\x00list",):
            f.indicator = out[-1].indicator
        out.append(f)
        prev_end = f.end + f.used_right
    _fill_lists(out)
    result = []
    for f in out:
        ind = f.indicator
        if not ind or ind == "\x00list" or len(ind) > MAX_INDICATOR:
            continue
        if ind.startswith(w["not_thing"]) and f.used_right:
            continue
        money = any(k in f.left + ind for k in w["money"])
        if not f.unit:   # 查获赃款赃物824万: an amount of money without its unit
            if not money:
                continue
            f.unit = "元"
        if f.unit == "元" and not money:
            continue
        result.append({"indicator": ind, "value": f.value, "unit": f.unit, "approximate": f.approx,
                       "change": f.change, "direction": f.direction, "start": f.start, "end": f.end,
                       "surface": text[f.start:f.end]})
    return result


def _fill_lists(figs: list[_Fig]) -> None:
    """Indicators for the figures of a list and for changes that name nothing: from the 、-items
    before the list (破案数、抓获犯罪嫌疑人数同比提高48.3%、102.3%), else from the figures
    just before (抓获…1.3万余名，同比分别上升超40%和100%)."""
    i = 0
    while i < len(figs):
        j = i + 1
        while j < len(figs) and figs[j].indicator == "\x00list":
            j += 1
        group = figs[i:j]
        k = len(group)
        head = group[0]
        if k > 1 or (not head.indicator and head.change):
            items = [s for s in head.left.split("、") if s]
            # the items name measures (破案数、抓获犯罪嫌疑人数): their verbs stay
            cleaned = [_strip_front(s, verbs=False)[0] for s in items[-k:]] if len(items) >= k else []
            if k > 1 and len(cleaned) == k and all(cleaned):
                for f, s in zip(group, cleaned):
                    f.indicator = _after_list(s)
            else:
                before = [f for f in figs[:i] if f.indicator and f.indicator != "\x00list" and not f.change]
                if len(before) >= k and (not head.indicator or k > 1):
                    for f, b in zip(group, before[-k:]):
                        f.indicator = b.indicator
                elif k > 1:
                    for f in group[1:]:
                        f.indicator = ""
        i = j


# ---------------------------------------------------------------- one article

def find_observations(doc: Document, ctx, analysed, cal: Calendar) -> list[Observation]:
    """The observations of an article.  `ctx`, `analysed`: kg.extract.analyse's output (the
    spans other extractors found); `cal`: the article's calendar (kg.extract.dates)."""
    from ..ingest import original_span

    by_index = {s.index: s for s in doc.sentences}
    main = _main_subject(ctx, analysed)
    default_period = cal.covers or _lead_period(analysed, cal)
    found: list[tuple[bool, Observation]] = []
    para_period: dict[int, str | None] = {}
    carry: tuple[int, tuple[str, str]] | None = None   # (paragraph, subject) of the sentence before
    for index, text, spans in analysed:
        sent = by_index[index]
        heading = sent.kind in ("heading", "caption", "byline")
        verbs = figure_words()["verb"]
        # 破获2001年本地命案积案1起: a year after the verb dates the thing counted, not the count
        periods = [p for p in find_periods(text, cal) if not text[:p[0]].endswith(verbs + ("、",))]
        organs = [sp for sp in spans if sp.type == "Bureau" and not _guest(text, sp.start, sp.end)
                  and not text.startswith("门", sp.end)]   # 公安部门 (departments) is no 公安部
        w = figure_words()
        actors = [sp.end for sp in spans if sp.type in ("Bureau", "Organization")
                  or sp.type == "Place" and text.startswith(w["lead"] + w["verb"], sp.end)]   # 西安市共查处…
        figs = sentence_figures(text, actors)
        prev = carry[1] if carry and carry[0] == sent.paragraph else None
        carry = (sent.paragraph, ("Bureau", _specific(organs))) if organs else None
        for n, f in enumerate(figs):
            if _individual(text, spans, f["start"]):
                continue
            named = [sp for sp in organs if sp.end <= f["start"]]
            seg = max([text.rfind("；", 0, f["start"])] + [m.end() for m in _ASCII_STOP.finditer(text, 0, f["start"])])
            named = [sp for sp in named if sp.start > seg] or named   # ……；夷陵区公安分局侦破…: its own clause
            scoped = _WHOLE_AREA.search(text[:f["start"]])
            subject = ("Bureau", _specific(named)) if named else (main if scoped else prev or main)
            before = [p for p in periods if p[1] <= f["start"]]
            if before:
                period = before[-1][2]
            elif sent.paragraph in para_period:
                period = para_period[sent.paragraph]
            else:
                period = default_period
            try:
                a, b = original_span(sent, f["start"], f["end"])
            except ValueError:
                a, b = -1, -1
            found.append((heading, Observation(
                doc.doc_id, index, n, f["indicator"], decimal_text(f["value"]), f["unit"], f["approximate"],
                f["change"], f["direction"], period, subject, f["surface"], a, b)))
        if periods:
            para_period[sent.paragraph] = periods[-1][2]
    return _dedupe(found)


def _specific(organs) -> str:
    """The first organ a sentence names, or a branch of it named there too (深圳市公安局龙岗区分局
    rather than 深圳市公安局; its units, 刑侦大队, report the organ's figures)."""
    first = organs[0].name
    units = [sp.name for sp in organs[1:] if sp.name.startswith(first) and len(sp.name) > len(first)
             and sp.name.endswith(("分局", "公安局"))]
    return units[0] if units else first


def _guest(text: str, start: int, end: int) -> bool:
    """A bureau named as helper or principal (在…的指导下, 按照公安部统一部署) is not the one
    whose figures the sentence reports."""
    if _DIRECTED.match(text[end:]):
        return True   # 公安部挂牌督办的…, 公安部部署开展…: the principal, not the one reporting
    return bool(_UNDER.search(text[:start])) and bool(
        re.match(r"[^，。]{0,40}?(?:指导|支持|配合|协助|帮助|领导|部署|要求)", text[end:]))


def _individual(text: str, spans, pos: int) -> bool:
    """A figure after a person's name, with nothing between that makes it the organ's (民警某某…
    培训警力1500余人次): one person's figures are not the organ's."""
    he = [m.end() for m in _HE_SHE.finditer(text[:pos])]   # 他参与侦破…: one person
    people = [sp.end for sp in spans if sp.type in ("Official", "Person") and sp.end <= pos
              and not _object(text, sp.start) and not text.startswith("等", sp.end)] + he
    if not people:
        return False
    between = text[max(people):pos]
    return not re.search(r"介绍|表示|说|指出|通报|透露|获悉|了解|全市|全省|全区|全县|全州|全国|全局|全年|共", between)


def _object(text: str, start: int) -> bool:
    """A person named after a verb of the clause (抓获犯罪嫌疑人赵某某, 抓获李某某等) is its object."""
    lo = max(text.rfind(ch, 0, start) for ch in "，。；：！？")
    return any(v in text[lo + 1:start] for v in figure_words()["verb"])


def _main_subject(ctx, analysed) -> tuple[str, str] | None:
    """The organ whose figures an article reports unless a sentence names another: the bureau of
    its home place when the text names it (about as often as any other), else the bureau it names
    most, else its home place (never an organ the text does not name)."""
    counts = Counter(sp.name for _, _, spans in analysed for sp in spans if sp.type == "Bureau")
    main = ctx.main_bureau()
    if main in counts and counts[main] * 2 >= max(counts.values()):
        return ("Bureau", main)
    if counts:
        return ("Bureau", sorted(counts, key=lambda n: (-counts[n], n))[0])
    return ("Place", ctx.home.name) if ctx.home is not None else None


def _lead_period(analysed, cal: Calendar) -> str | None:
    """A period the article opens with (今年以来, 黔西南公安…) applies to figures that name none."""
    for _, text, _ in analysed[:3]:
        for _, _, val in find_periods(text, cal):
            if val:
                return val
    return None


def _dedupe(found: list[tuple[bool, Observation]]) -> list[Observation]:
    """One observation per figure: a headline repeating a figure of the body, or the lead
    repeating one of a later paragraph, is the same observation."""
    body = [o for h, o in found if not h]
    body_values = {o.value for o in body}
    keep: list[Observation] = []
    for heading, o in found:
        if heading and o.value in body_values:
            continue
        dup = any(k.value == o.value and k.unit == o.unit and bool(k.change) == bool(o.change)
                  and k.direction == o.direction and (k.indicator in o.indicator or o.indicator in k.indicator)
                  for k in keep)
        if not dup:
            keep.append(o)
    return keep
