"""Cases named by a code or described as one specific case: “7·12”涉黑专案, “2019-124”省毒品目标案件,
张某等人黑社会性质组织案件."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .campaigns import CODE
from .context import Span
from .text import HAN, surnames

_HEAD = r"(?:系列案件|系列案|专案|案件|案|犯罪团伙|团伙)"


@lru_cache(maxsize=1)
def _rx() -> re.Pattern:
    return re.compile(f"(?P<q>“)?(?P<code>{CODE}|[{HAN}]{{2}}\\d{{1,3}}号)(?P<q2>”)?(?P<desc>[{HAN}]{{0,14}}?){_HEAD}(?![{HAN}]?(?:件数|发|值|由|情|卷|成员))")


@lru_cache(maxsize=1)
def _anon_rx() -> re.Pattern:
    sur = lexicon.alternation(surnames())
    return re.compile(f"(?P<who>(?:{sur})某+(?:等人|等|为首的)?)(?P<desc>[{HAN}]{{2,14}}?){_HEAD}")


def find_cases(text: str, taken: list[bool]) -> list[Span]:
    spans = []
    for m in _rx().finditer(text):
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
        surface = m.group()
        if m.group("q") and not m.group("q2"):
            surface = surface.replace("“", "")
        elif m.group("q2") and not m.group("q"):
            surface = surface.replace("”", "")
        spans.append(Span(m.start(), m.end(), "Case", surface, surface, data={"code": code}))
        for k in range(m.start(), m.end()):
            taken[k] = True
    for m in _anon_rx().finditer(text):
        if any(taken[m.start():m.end()]) or re.search("[因所涉犯被的了在将已对向从于迫]", m.group("desc")) \
                or re.search("(?:投案|立案|报案|结案|办案|破案|作案|犯案|备案)$", m.group()):
            continue
        spans.append(Span(m.start(), m.end(), "Case", m.group(), m.group()))
        for k in range(m.start(), m.end()):
            taken[k] = True
    return spans
