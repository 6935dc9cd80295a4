"""Campaigns, special operations, reforms, programmes and mechanisms:
“云剑2020”命案积案攻坚行动, 扫黑除恶专项斗争, “最多跑一次”改革, 雪亮工程, “三服务”."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .context import Span
from .text import HAN, common_word, stop_words


@lru_cache(maxsize=1)
def heads() -> dict[str, str]:
    return {r["head"]: r["strength"] for r in lexicon.table("campaign_heads.tsv", ("head", "strength"))}


@lru_cache(maxsize=1)
def cues() -> tuple[str, ...]:
    return lexicon.words("campaign_cues.txt")




@lru_cache(maxsize=1)
def _generic() -> tuple[str, ...]:
    return lexicon.words("campaign_generic.txt")


@lru_cache(maxsize=1)
def _quoted_re() -> re.Pattern:
    alt = lexicon.alternation(heads())
    return re.compile(f"“(?P<core>[^“”]{{2,24}})”(?:(?P<mid>[{HAN}]{{0,8}}?)(?P<head>{alt}))?")


@lru_cache(maxsize=1)
def _head_re() -> re.Pattern:
    strong = [h for h, s in heads().items() if s == "strong"]
    return re.compile(f"(?:{lexicon.alternation(strong)})")


CODE = r"\d{1,4}(?:[·.\-－—]\d{1,4}){0,2}"


def _cue_before(text: str, start: int) -> bool:
    window = text[max(0, start - 8):start]
    window = re.sub(r"[“”][^“”]*[“”]|[、和及与]", "", window)   # 开展“A”“B”、“C”: the cue covers the list
    return any(window.endswith(c) or window.endswith(c + "了") for c in cues())


_LIST_HEAD = re.compile("(?:[、和及与]?“[^“”]{2,24}”)*[、和及与]?等?(?P<head>[\u4e00-\u9fff]{1,6})")


def _list_head(text: str, end: int) -> bool:
    """“A”“B”“C”等行动: a head after a list of quoted names covers the whole list."""
    m = _LIST_HEAD.match(text, end)
    return bool(m) and any(m.group("head").startswith(h) for h in heads())


def _quoted_list(text: str, m: re.Match) -> bool:
    """Two or more quoted names in a row closed by 等 (在“五水共治”“五气共治”“三改一拆”等中心工作中)."""
    start = m.start()
    while start > 0 and text[start - 1] in "”、和及与":
        q = text.rfind("“", 0, start - 1)
        if q < 0:
            break
        start = q
    run = re.match("(?:[、和及与]?“[^“”]{2,24}”){2,}等", text[start:])
    return bool(run)


def find_campaigns(text: str, taken: list[bool], bounds: set[int], heading: bool = False) -> list[Span]:
    spans = []
    # quoted names: “X”, “X”改革, “X”命案积案攻坚行动
    for m in _quoted_re().finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        core = m.group("core")
        if re.fullmatch(CODE, core) or re.search("[，。；！？]", core):
            continue
        head, mid = m.group("head"), m.group("mid") or ""
        if head is None or re.match("[等的和及与、]", mid) or "的" in mid:
            head, mid = None, ""   # “A”“B”等行动: the head covers a list; each name stands alone
        if head is not None and heads()[head] == "tight" and mid:
            head, mid = None, ""
        if not re.search(f"[{HAN}]", core) or re.fullmatch(r"[\d\s]+", core):
            continue   # “84110”, “N+”: numbers and symbols are not a campaign's name
        if mid and any(mid.startswith(w) or w in mid for w in _generic()):
            mid, head = "", None
        if text.startswith("称号", m.end()) or text[m.end("core") + 1:m.end("core") + 2] == "案":
            continue   # an honour (“X”称号) or a case (“X”案)
        strong_core = any(core.endswith(h) for h, s in heads().items() if s == "strong")
        if strong_core and head is not None and heads()[head] == "weak" and not mid:
            head = None   # “天网工程”建设: the campaign is “天网工程”
        nxt = text[m.end("core") + 1:m.end("core") + 2]
        in_list = head is None and nxt in "“、和及与等" and (_list_head(text, m.end("core") + 1) or _quoted_list(text, m))
        if head is None and re.search("[、，；]", core) and not in_list:
            continue   # a quoted list without a head is a slogan (“防风险、护稳定”)
        after_core = re.sub("^(?:已|正在|得到|全面|稳步|在全省|全省|全国|全市|逐步|持续)+", "", text[m.end("core") + 1:])
        cue_after = any(after_core.startswith(c) for c in ("推进", "推广", "推行", "实施", "开展"))
        if head is None and not (strong_core or cue_after or in_list or _cue_before(text, m.start())):
            continue
        if head is not None and heads()[head] == "weak" and not (len(mid) <= 4 or _cue_before(text, m.start())):
            head, mid = None, ""
            if not (strong_core or _cue_before(text, m.start())):
                continue
        end = m.end() if head else m.end("core") + 1
        surface = text[m.start():end]
        spans.append(Span(m.start(), end, "Campaign", surface, surface, data={"core": core}))
        for k in range(m.start(), end):
            taken[k] = True
    # unquoted names ending in a strong head: 扫黑除恶专项斗争, 雪亮工程, 派出所勤务机制改革
    for m in _head_re().finditer(text):
        if heading or any(taken[m.start():m.end()]) or m.end() not in bounds:
            continue
        if re.match("(?:城市|单位|成果|经验|工作|中|的|情况|先进|示范|试点|成效|以来|期间)", text[m.end():m.end() + 2]):
            continue   # the head is a modifier here (禁毒示范创建城市, 大会战成果)
        start = m.start()
        # walk left over tokens until a stop word, punctuation or 12 characters
        left = start
        cuts = sorted(b for b in bounds if b < start)
        for b in reversed(cuts):
            piece = text[b:left]
            if not re.fullmatch(f"[{HAN}A-Za-z0-9]+", piece) or piece in stop_words() or any(taken[b:left]) \
                    or start - b > 12:
                break
            left = b
        name = text[left:start]
        while name and any(name.startswith(w) for w in stop_words() if len(w) <= len(name)):
            w = max((w for w in stop_words() if name.startswith(w)), key=len)
            name = name[len(w):]
            left += len(w)
        if len(name) < 2 or any(g in name for g in _generic()) or common_word(name + m.group(), 2000) \
                or common_word(name, 3000):
            continue
        if re.fullmatch(r"[\d年月日]+", name):
            continue
        surface = text[left:m.end()]
        spans.append(Span(left, m.end(), "Campaign", surface, surface, data={"core": name}))
        for k in range(left, m.end()):
            taken[k] = True
    return spans
