"""Awards, honours and titles: 三等功, 集体二等功, “平安金鼎”, 枫桥式公安派出所, 全国一级拘留所."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .campaigns import heads as campaign_heads
from .context import Span
from .text import HAN, relation_cues


@lru_cache(maxsize=1)
def heads() -> dict[str, str]:
    return {r["head"]: r["kind"] for r in lexicon.table("award_heads.tsv", ("head", "kind"))}


def received_cues() -> tuple[str, ...]:
    return relation_cues()["received"]


_MERIT = re.compile(r"(?:个人|集体)?(?:一|二|三|特)等功|(?<=[记予获到])嘉奖")
_PREFIX = re.compile(r"^(?:\d{4}年度?|连续\S{1,3}年|首批|第[一二三四五六七八九十\d]+批|年度)+")


@lru_cache(maxsize=1)
def _cue_re() -> re.Pattern:
    return re.compile(f"(?P<cue>{lexicon.alternation(received_cues())})(?P<span>[^，。；！？,;]{{2,40}})")


def find_awards(text: str, taken: list[bool]) -> list[Span]:
    spans = []

    def add(s, e, name, cue=None):
        spans.append(Span(s, e, "Award", name, text[s:e], data={"cue": cue}))
        for k in range(s, e):
            taken[k] = True

    head_alt = lexicon.alternation(heads())
    for m in _cue_re().finditer(text):
        span, s0 = m.group("span"), m.start("span")
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
            if any(after.startswith(ch) for ch in campaign_heads()):
                continue   # “最多跑一次”改革: a campaign, not an honour
            hq = re.match(f"(?:{head_alt})", after)
            e = q.end() + (len(hq.group()) if hq and hq.group() != "称号" else 0)
            s1, e1 = s0 + q.start(), s0 + e
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
        if len(cand) < 3 or any(taken[start:start + len(cand)]) or "”" in cand and "“" not in cand:
            continue
        end = start + len(cand)
        add(start, end, cand.removeprefix("个人") if _MERIT.fullmatch(cand) else cand, m.group("cue"))
    for m in _MERIT.finditer(text):
        if not any(taken[m.start():m.end()]):
            # 个人二等功 is the 二等功; a collective merit (集体二等功) is an award of its own
            add(m.start(), m.end(), m.group().removeprefix("个人"))
    return spans
