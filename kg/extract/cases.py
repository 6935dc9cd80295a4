"""Cases named by a code or described as one specific case: “7·12”涉黑专案, “2019-124”省毒品目标案件,
张某等人黑社会性质组织案件."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .campaigns import CODE
from .context import Span
from .text import HAN, surnames

_HEAD = r"(?:系列案件|系列案|专案|案件|案)"


@lru_cache(maxsize=1)
def _rx() -> re.Pattern:
    return re.compile(f"(?P<q>“)?(?P<code>{CODE})(?P<q2>”)?(?P<desc>[{HAN}]{{0,14}}?){_HEAD}(?![{HAN}]?(?:件数|发|值|由|情|卷))")


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
        if m.group("q2") and not m.group("q") and m.start() > 0 and re.match(f"[{HAN}A-Za-z]", text[m.start() - 1]):
            continue   # “云剑2020”命案…: the digits end a campaign's name
        if re.match("[亿万千百元个人起名件次年月日%％]", m.group("desc") or ""):
            continue   # 1.8亿元的…案: an amount, not a code
        if not quoted and not re.search(r"[·.\-－—]", code):
            continue
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
        if any(taken[m.start():m.end()]) or re.search("[因所涉犯被的了在将已对向]", m.group("desc")):
            continue
        spans.append(Span(m.start(), m.end(), "Case", m.group(), m.group()))
        for k in range(m.start(), m.end()):
            taken[k] = True
    return spans
