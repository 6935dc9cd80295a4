"""Campaigns, special operations, reforms, programmes and mechanisms:
“云剑2020”命案积案攻坚行动, 扫黑除恶专项斗争, “最多跑一次”改革, 雪亮工程, “三服务”."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .context import Span
from .registry import SentenceView, extractor
from .text import HAN, common_word, stop_prefixes, stop_words


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
def _single_quoted_re() -> re.Pattern:
    return re.compile(f"‘[^‘’“”]{{2,16}}’[{HAN}]{{0,12}}?(?:{lexicon.alternation(heads())})")


@lru_cache(maxsize=1)
def head_words() -> tuple[str, ...]:
    return tuple(heads())


@lru_cache(maxsize=1)
def _strong_heads() -> tuple[str, ...]:
    return tuple(h for h, s in heads().items() if s == "strong")


@lru_cache(maxsize=1)
def _cues_le() -> tuple[str, ...]:
    return tuple(c + "了" for c in cues())


@lru_cache(maxsize=1)
def _head_re() -> re.Pattern:
    return re.compile(f"(?:{lexicon.alternation(_strong_heads())})")


CODE = r"\d{1,4}(?:[·.\-－—]\d{1,4}){0,2}"


@lru_cache(maxsize=1)
def _left_stops() -> tuple[str, ...]:
    return tuple(sorted(lexicon.words("campaign_left_stops.txt"), key=len, reverse=True))


def _cue_before(text: str, start: int) -> bool:
    window = text[max(0, start - 8):start]
    window = re.sub(r"[“”][^“”]*[“”]|[、及与\s]|和(?!发展)", "", window)   # 开展“A”“B”、“C”: the cue covers the list
    window = re.sub("(?:新时代|新形势下|新时期)$", "", window)   # 坚持和发展新时代“浦江经验”
    if re.search("(?:可|所|用|得|予|加|难|足)以$", window):
        return False   # 可以“加快磨合”: 以 is not the cue here
    return window.endswith(cues()) or window.endswith(_cues_le())


_LIST_HEAD = re.compile(r"(?:[、和及与\s]?“[^“”]{2,24}”)*[、和及与\s]?等?(?:系列|一系列|各类|多项)?(?P<head>[\u4e00-\u9fff]{1,6})")


def _list_head(text: str, end: int) -> bool:
    """“A”“B”“C”等行动: a head after a list of quoted names covers the whole list."""
    m = _LIST_HEAD.match(text, end)
    return bool(m) and m.group("head").startswith(head_words())


_QUOTED_RUN = re.compile("(?:[、和及与 ]?“[^“”]{2,24}”){2,}+等")
_LIST_ITEMS = 12   # a list of operations longer than this is not read as one (keeps the scan linear)


def _quoted_list(text: str, m: re.Match) -> bool:
    """Two or more quoted names in a row closed by 等 (在“五水共治”“五气共治”“三改一拆”等中心工作中)."""
    start = m.start()
    for _ in range(_LIST_ITEMS):
        if not (start > 0 and text[start - 1] in "”、和及与 "):
            break
        q = text.rfind("“", max(0, start - 28), start - 1)
        if q < 0:
            break
        start = q
    return bool(_QUOTED_RUN.match(text, start, min(len(text), start + 27 * (_LIST_ITEMS + 1))))


_KEYWORD_LINE = re.compile("\\s*(?:关键词|关键字|标签|tags)[：:]", re.I)
_CODE = re.compile(CODE)
_CLAUSE_MARK = re.compile("[，。；！？]")
_HAN_CHAR = re.compile(f"[{HAN}]")
_DIGITS = re.compile(r"[\d\s]+")
_CRIME_AFTER = re.compile("(?:犯罪|案件|团伙|人员|分子)")
_CRIME_KINDS_AFTER = re.compile("(?:[、和及与 ]?“[^“”]{2,24}”)*+等?[一二三四五六七八九十两\\d]*[类种]?(?:犯罪|案件|违法)")
_ADVERBS_AT_START = re.compile("^(?:已|正在|得到|全面|稳步|在全省|全省|全国|全市|逐步|持续)++")
_LIST_MARK = re.compile("[、，；]")


@extractor(60)
def find_campaigns(view: SentenceView) -> list[Span]:
    text, taken, bounds = view.text, view.taken, view.bounds
    heading = view.kind in ("heading", "caption")
    spans = []
    if _KEYWORD_LINE.match(text):
        return spans   # a page's keyword line: words run together
    # names in single quotes inside a quotation: ‘狂风3号’严厉打击…专项行动
    for m in _single_quoted_re().finditer(text) if "‘" in text else ():
        if not any(taken[m.start():m.end()]) and heads().get(_head_of(m.group())) == "strong":
            spans.append(Span(m.start(), m.end(), "Campaign", m.group(), m.group(), data={"core": m.group()}))
            for k in range(m.start(), m.end()):
                taken[k] = True
    # quoted names: “X”, “X”改革, “X”命案积案攻坚行动
    for m in _quoted_re().finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        core = m.group("core")
        if _CODE.fullmatch(core) and not _quoted_list(text, m) or _CLAUSE_MARK.search(core):
            continue   # “4.15” stands alone as a code; in a list of operations (“净网”“4.15”等) it is one
        head, mid = m.group("head"), m.group("mid") or ""
        if head is None or re.match("[等的和及与、]", mid) or "的" in mid:
            head, mid = None, ""   # “A”“B”等行动: the head covers a list; each name stands alone
        if head is not None and heads().get(head, "strong") == "tight" and mid:
            head, mid = None, ""
        coded = bool(_CODE.fullmatch(core))
        if not coded and (not _HAN_CHAR.search(core) or _DIGITS.fullmatch(core)):
            continue   # “84110”, “N+”: numbers and symbols are not a campaign's name
        if mid and any(mid.startswith(w) or w in mid for w in _generic()):
            mid, head = "", None
        if text.startswith("称号", m.end()) or text[m.end("core") + 1:m.end("core") + 2] == "案" \
                or _CRIME_AFTER.match(text[m.end("core") + 1:]):
            continue   # an honour (“X”称号), a case (“X”案) or a kind of crime (“盗抢骗”犯罪)
        if _CRIME_KINDS_AFTER.match(text[m.end("core") + 1:]):
            continue   # “黑拐枪”、“盗抢骗”等四类犯罪: kinds of crime
        short = 0
        if head and head.endswith("战") and text.startswith("果", m.end()):
            head, short = head[:-1], 1   # …百日攻坚战果显著: 战果 is a word
        if mid and re.search("[一二三四五六七八九十两\\d]+项", mid):
            head, mid = None, ""   # “A”综合整治四项行动: the count closes a list
        strong_core = core.endswith(_strong_heads())
        if strong_core and head is not None and heads().get(head, "strong") == "weak" and not mid:
            head = None   # “天网工程”建设: the campaign is “天网工程”
        nxt = text[m.end("core") + 1:m.end("core") + 2]
        in_list = head is None and nxt in "“、和及与等 " and (_list_head(text, m.end("core") + 1) or _quoted_list(text, m))
        if head is None and _LIST_MARK.search(core) and not in_list:
            continue   # a quoted list without a head is a slogan (“防风险、护稳定”)
        after_core = _ADVERBS_AT_START.sub("", text[m.end("core") + 1:])
        cue_after = any(after_core.startswith(c) for c in ("推进", "推广", "推行", "实施", "开展"))
        if head is None and not (strong_core or cue_after or in_list or _cue_before(text, m.start())):
            continue
        if head is not None and heads().get(head, "strong") == "weak" and not (len(mid) <= 4 or _cue_before(text, m.start())):
            head, mid = None, ""
            if not (strong_core or _cue_before(text, m.start())):
                continue
        end = m.end() - short if head else m.end("core") + 1
        surface = text[m.start():end]
        spans.append(Span(m.start(), end, "Campaign", surface, surface, data={"core": core}))
        for k in range(m.start(), end):
            taken[k] = True
    # unquoted names ending in a strong head: 扫黑除恶专项斗争, 雪亮工程, 派出所勤务机制改革
    for m in _head_re().finditer(text):
        if heading or any(taken[m.start():m.end()]) or m.end() not in bounds:
            continue
        if re.match("(?:城市|单位|成果|经验|工作|中|的|情况|先进|示范|试点|成效|以来|期间|机制|公安|局|处)", text[m.end():m.end() + 2]):
            continue   # the head is a modifier here (禁毒示范创建城市, 大会战成果)
        start = m.start()
        # walk left over tokens (their starts within 16 characters, nearest first) until a stop
        # word or punctuation
        left = start
        for b in (b for b in range(start - 1, max(-1, start - 17), -1) if b in bounds):
            piece = text[b:left]
            if not re.fullmatch(f"[{HAN}A-Za-z0-9]+", piece) or piece in stop_words() or any(taken[b:left]):
                break
            left = b
        if left >= 2 and text[left - 1] == "及":   # 部署推动了积案攻坚及清逃专项行动: one name
            run = _run_left(text, left - 1, taken)
            cm = max((run.rfind(c) + len(c) for c in cues() if c in run), default=-1)
            if cm > 0:
                cm += run.startswith("了", cm)
                if 2 <= len(run) - cm <= 10:
                    left -= 1 + len(run) - cm
        name = text[left:start]
        for w in _left_stops():
            k = name.rfind(w)
            if k >= 0:
                name, left = name[k + len(w):], left + k + len(w)
        while name and name.startswith(stop_prefixes(1)):
            w = max((w for w in stop_words() if name.startswith(w)), key=len)
            name = name[len(w):]
            left += len(w)
        if len(name) < 2 or any(g in name for g in _generic()) or common_word(name + m.group(), 2000) \
                or common_word(name, 3000):
            continue
        if re.fullmatch(r"[\d年月日]+", name) or re.match("[一二三四五六七八九十两\\d]+[项次个]", name):
            continue   # 四项行动, 150次…战役: counts
        surface = text[left:m.end()]
        spans.append(Span(left, m.end(), "Campaign", surface, surface, data={"core": name}))
        for k in range(left, m.end()):
            taken[k] = True
    spans += _cue_lists(text, taken)
    spans += _prefixed(text, taken)
    spans += _coordinated(text, taken, spans)
    return spans


def _coordinated(text: str, taken: list[bool], found: list[Span]) -> list[Span]:
    """开展秋冬治安打击整治和“护网行动”: an unquoted name between a cue and 和/及/、 + a campaign."""
    out = []
    for c in found:
        if c.start < 2 or text[c.start - 1] not in "和及与、":
            continue
        run = _run_left(text, c.start - 1, taken)
        cm = max((run.rfind(w) + len(w) for w in cues() if len(w) >= 2 and w in run), default=-1)
        if cm < 0:
            continue
        item = run[cm:]
        a = c.start - 1 - len(item)
        if 4 <= len(item) <= 12 and not common_word(item, 300) and not any(g in item for g in _generic()) \
                and not any(w in item for w in stop_prefixes()):
            out.append(Span(a, c.start - 1, "Campaign", item, item, data={"core": item, "listed": True}))
            for k in range(a, c.start - 1):
                taken[k] = True
    return out


@lru_cache(maxsize=1)
def _prefix_re() -> re.Pattern:
    alt = lexicon.alternation(lexicon.words("campaign_prefixes.txt"))
    return re.compile(f"(?:{alt})(?P<obj>[{HAN}]{{2,12}})")


def _prefixed(text: str, taken: list[bool]) -> list[Span]:
    """打击治理养老诈骗犯罪: an opening from campaign_prefixes.txt and its object."""
    spans = []
    for m in _prefix_re().finditer(text):
        obj = m.group("obj")
        k = obj.find("犯罪")
        if k >= 0:
            obj = obj[:k + 2]
        else:
            stop = re.search("的|工作|和|与|及|等|成效|情况|进展|力度|举措|专项|行动|斗争|中|方面", obj)
            obj = obj[:stop.start()] if stop else obj
        end = m.start("obj") + len(obj)
        if len(obj) < 2 or any(taken[m.start():end]) or (k < 0 and end < len(text) and re.match(f"[{HAN}]", text[end])
                                                           and not re.match("的|工作|和|与|及|等|成效|情况|进展|力度|举措|中|方面", text[end:])):
            continue
        name = text[m.start():end]
        spans.append(Span(m.start(), end, "Campaign", name, name, data={"core": name}))
        for k in range(m.start(), end):
            taken[k] = True
    return spans


def _head_of(name: str) -> str:
    return max((h for h in heads() if name.endswith(h)), key=len, default="")


def _run_left(text: str, end: int, taken: list[bool]) -> str:
    k = end
    while k > 0 and end - k < 10 and re.match(f"[{HAN}]", text[k - 1]) and not taken[k - 1]:
        k -= 1
    return text[k:end]


_CLOSE = re.compile("(?:等(?:系列|一系列|各类|多项)?|[一二三四五六七八九十两\\d]+项)(?:专项行动|专项斗争|专项整治|行动|战役|攻坚)")


@lru_cache(maxsize=1)
def _cue_list_re() -> re.Pattern:
    return re.compile(f"(?:{lexicon.alternation(cues())})了?(?P<items>[^，。；！？：]{{2,90}}?){_CLOSE.pattern}")


def _cue_lists(text: str, taken: list[bool]) -> list[Span]:
    """Campaigns listed after a cue and closed by 等…行动 or N项行动 (统筹推进A、B、C等专项行动):
    each unquoted item is a campaign (quoted ones are found as such)."""
    spans = []
    for m in _cue_list_re().finditer(text):
        s0 = m.start("items")
        parts = re.split("([、和及与]|“[^“”]*”[^、和及与]*)", m.group("items"))
        pos = s0
        for part in parts:
            a, b = pos, pos + len(part)
            pos = b
            item = part.strip()
            if item.startswith("“") and item.endswith("”") and "、" in item and not any(taken[a:b]):
                spans.append(Span(a, b, "Campaign", item, item, data={"core": item[1:-1], "listed": True}))
                for k in range(a, b):
                    taken[k] = True   # “断链、追赃”: a slogan-like name inside a list of operations
                continue
            if not item or item[0] == "“" or re.fullmatch("[、和及与]", item):
                continue
            for w in ("常态化", "新一轮", "持续", "深入", "全面", "了"):
                if item.startswith(w):
                    item, a = item[len(w):], a + len(w)
            if not re.fullmatch(f"[{HAN}]{{3,16}}", item) or any(taken[a:b]) or common_word(item, 300) \
                    or any(g in item for g in _generic()) or re.search("[的在对为是]", item) \
                    or any(w in item for w in stop_prefixes()):
                continue
            spans.append(Span(a, b, "Campaign", item, item, data={"core": item, "listed": True}))
            for k in range(a, b):
                taken[k] = True
    return spans
