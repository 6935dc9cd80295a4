"""Cases named by a code or described as one specific case: “7·12”涉黑专案, “2019-124”省毒品目标案件,
张某等人黑社会性质组织案件."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .campaigns import CODE
from .context import Span
from .registry import SentenceView, extractor
from .text import HAN, surnames

_HEAD = r"(?:系列案件|系列案|专案|案件|案|犯罪团伙|团伙)"
_has_digit = re.compile(r"\d").search


@lru_cache(maxsize=1)
def _rx() -> re.Pattern:
    return re.compile(f"(?P<q>“)?(?P<code>{CODE}|[{HAN}]{{2}}\\d{{1,3}}号)(?P<q2>”)?(?P<desc>[{HAN}]{{0,14}}?|(?<=”)[{HAN}、]{{0,20}}?){_HEAD}"
                      "(?![{HAN}]?(?:件数|发|值|由|情|卷|成员))(?!组|指挥部|专班|工作组)")


# a task force named by its case's code: (某县)“1998.3.6”专案组, “2019.2.23”通讯网络诈骗专案组
_TASK_FORCE = re.compile(f"“(?P<code>{CODE})”(?P<desc>[{HAN}]{{0,12}}?)(?:专案组|工作专班|专班)")
# a case named in quotes as a whole: “1998年东川抢劫杀人案”
_QUOTED = re.compile("“(?P<body>[^“”，。]{4,30}?(?:案|案件|专案))”")
_COMPANY = re.compile(f"某[{HAN}]{{2,14}}?(?:有限责任公司|有限公司|公司|厂)(?P<desc>[{HAN}、]{{2,24}}?)(?:案件|案)(?![{HAN}])")
# a place written before a coded case: 安顺市“6·18”…案, 某县王某…案
_PLACE_BEFORE = re.compile(f"[{HAN}]{{1,5}}(?:市|县|区|州|旗|省)$")


def _place_before(text: str, start: int) -> int:
    """Where a place written right before a case's name starts (after a cue word or punctuation)."""
    m = _PLACE_BEFORE.search(text[max(0, start - 6):start])
    if not m:
        return start
    s = max(0, start - 6) + m.start()
    for k in range(s, start - 1):   # the place starts after a cue (如破获安顺市…)
        if re.search("(?:破获|侦破|侦办|告破|查处|打掉|办理|其中|包括)$", text[:k]):
            return k
    if s == 0 or not re.match(f"[{HAN}]", text[s - 1]):
        return s   # …or after punctuation
    return start


@lru_cache(maxsize=1)
def _anon_rx() -> re.Pattern:
    sur = lexicon.alternation(surnames())
    return re.compile(f"(?P<who>(?:{sur})某+[{HAN}]?(?=“)|(?:{sur})某+(?:等人|等|为首的)?)(?P<desc>“[^“”]{{2,12}}”[{HAN}]{{0,10}}?|[{HAN}]{{2,14}}?){_HEAD}")


@extractor(10)
def find_cases(view: SentenceView) -> list[Span]:
    """Cases, and the task forces named after a case's code (“7·12”专案组, typed Bureau)."""
    text, taken = view.text, view.taken
    spans = []
    for m in _TASK_FORCE.finditer(text) if "“" in text else ():
        s0 = _place_before(text, m.start())   # (某县)“1998.3.6”专案组
        spans.append(Span(s0, m.end(), "Bureau", text[s0:m.end()], text[s0:m.end()], data={"task_force": m.group("code")}))
        for k in range(s0, m.end()):
            taken[k] = True
    for m in _QUOTED.finditer(text) if "“" in text else ():
        body = m.group("body")
        if any(taken[m.start():m.end()]) or not re.search(r"\d", body) or re.search("[的了在]", body):
            continue   # a case quoted as a whole carries a date or a code
        code = re.search(CODE, body)
        spans.append(Span(m.start(), m.end(), "Case", m.group(), m.group(), data={"code": code.group() if code else ""}))
        for k in range(m.start(), m.end()):
            taken[k] = True
    for m in _COMPANY.finditer(text) if "某" in text else ():   # 贵州省某建设有限公司非法采矿案: an anonymised company's case
        if any(taken[m.start():m.end()]) or re.search("[的了在是]|发生|一起", m.group("desc")):
            continue
        s0 = _place_before(text, m.start())
        spans.append(Span(s0, m.end(), "Case", text[s0:m.end()], text[s0:m.end()]))
        for k in range(s0, m.end()):
            taken[k] = True
    for m in _rx().finditer(text) if _has_digit(text) else ():   # every code has a digit
        if any(taken[m.start():m.end()]):
            continue
        quoted = bool(m.group("q") or m.group("q2"))
        code = m.group("code")
        if re.search("(?:投案|立案|报案|结案|办案|破案|作案|犯案|涉案|备案|的案)$", m.group()) or \
                re.search("的|以来|侦破|破获", m.group("desc") or ""):
            continue   # 投案, 以来侦破的涉案…: prose around the word 案, not a case's name
        if m.group("q2") and not m.group("q") and m.start() > 0 and re.match(f"[{HAN}A-Za-z\\-－—]", text[m.start() - 1]):
            continue   # “云剑2020”命案…: the digits end a campaign's name
        if re.match("[亿万千百元个人起名件次年月日%％]", m.group("desc") or ""):
            continue   # 1.8亿元的…案: an amount, not a code
        if not quoted and not re.search(r"[·.\-－—]", code):
            continue
        if "团伙" in m.group()[-4:] and not quoted:
            continue   # a gang is a case only when it has a code name (“11·22”…团伙)
        if not m.group("desc") and not quoted:
            continue
        s0 = _place_before(text, m.start()) if quoted else m.start()
        if any(taken[s0:m.start()]):
            s0 = m.start()
        surface = text[s0:m.end()]
        if m.group("q") and not m.group("q2"):
            surface = surface.replace("“", "")
        elif m.group("q2") and not m.group("q"):
            surface = surface.replace("”", "")
        spans.append(Span(s0, m.end(), "Case", surface, surface, data={"code": code}))
        for k in range(s0, m.end()):
            taken[k] = True
    for m in _anon_rx().finditer(text) if "某" in text else ():
        if any(taken[m.start():m.end()]) or re.search("[因所涉犯被的了在将已对向从于迫]|发生|一起", m.group("desc")) \
                or re.search("(?:投案|立案|报案|结案|办案|破案|作案|犯案|备案)$", m.group()):
            continue
        s0 = _place_before(text, m.start())
        if any(taken[s0:m.start()]):
            s0 = m.start()
        spans.append(Span(s0, m.end(), "Case", text[s0:m.end()], text[s0:m.end()]))
        for k in range(s0, m.end()):
            taken[k] = True
    return spans
