"""Officials and other persons: post titles (a grammar: organisation + modifiers + head),
names before or after them, bylines, anonymised people."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .context import Context, Span, bureau_name, has_department, police_functions, unit_suffixes
from .orgs import org_heads, org_name
from .registry import SentenceView, extractor
from .text import (HAN, NAME_STOP, SPEECH, Bounds, common_word, dictionary_word, is_han, name_at,
                   stop_prefixes, surnames)


@lru_cache(maxsize=1)
def post_heads() -> dict[str, str]:
    return {r["head"]: r["class"] for r in lexicon.table("post_heads.tsv", ("head", "class"))}


@lru_cache(maxsize=1)
def _org_alt() -> str:
    heads = set(org_heads()) | {"公安", "市局", "分局", "公安分局"} | set(unit_suffixes())
    return lexicon.alternation(heads)


# At most this many organisations and modifiers before a post's head (重庆市公安局渝中区分局
# 党委副书记 has two of each): real posts are far shorter, and a bound keeps the scan linear.
MAX_POST_ORGS = 8
MAX_POST_MODS = 6


def post_regex(ctx: Context) -> re.Pattern:
    return _post_regex(ctx.place_re)


@lru_cache(maxsize=256)
def _post_regex(P: str) -> re.Pattern:
    return _post_grammar().compile(P)


@lru_cache(maxsize=1)
def _post_grammar() -> lexicon.Slotted:
    # Organisations and modifiers are read as atomic groups (one way each, no re-splitting:
    # 公安局公安局… would otherwise double the work per repetition), all but the last, which
    # may still give back a shorter reading (公安局长 = 公安 + 局长).  The slot takes the
    # article's place forms.
    P = lexicon.SLOT
    org = f"(?:(?:{P})?(?:自治区|省|市|区|县|州|镇|乡)?(?:{_org_alt()}))"
    mods = f"(?:{lexicon.alternation(lexicon.words('post_modifiers.txt') + police_functions())})"   # 刑侦大队长, 副大队长
    heads = lexicon.alternation(post_heads())
    return lexicon.Slotted(f"(?P<org>(?>{org}){{0,{MAX_POST_ORGS - 1}}}{org}?)(?P<pl>(?:(?:{P})|自治区)?)"
                           f"(?P<mod>(?>{mods}){{0,{MAX_POST_MODS - 1}}}{mods}?)(?P<head>{heads})")


_BYLINE = re.compile(r"(?P<role>本版供稿|供稿|特约记者|见习记者|实习生|通讯员|记者|摄影|编辑|作者|摄)[\s　：:■]*")


@lru_cache(maxsize=1)
def _heads_re() -> re.Pattern:
    return re.compile(lexicon.alternation(post_heads()))


_ANON_TAILS = "某某|某|先生|女士|大爷|阿姨|大妈|师傅|老汉"
_has_anon_tail = re.compile(_ANON_TAILS).search   # a cheap test before the surname scan
_ANON_PLACE = frozenset("乡镇村县市区街路")   # after X某: an anonymised place (吴某乡)
_COMRADE = re.compile("同志(?!们)")


@lru_cache(maxsize=1)
def _anon_re() -> re.Pattern:
    sur = lexicon.alternation(surnames())
    return re.compile(f"(?P<n>(?:{sur})(?:{_ANON_TAILS}))")


@lru_cache(maxsize=1)
def _org_heads_longest() -> tuple[str, ...]:
    return tuple(sorted(org_heads(), key=len, reverse=True))


def _post_orgs(org_text: str, inherited, ctx: Context):
    """Organisations named inside a post's organisation part; returns (names, place)."""
    place = None
    m = ctx.place_rx.match(org_text) if org_text else None
    if m:
        place = ctx.place_of(m.group("p"))
    lvl = re.match("(?:.*?)(自治区|省|市|区|县|州)", org_text[len(m.group()) if m else 0:])
    if place is None and lvl and org_text[len(m.group()) if m else 0:].startswith(lvl.group(1)):
        place = ctx.level_place("省" if lvl.group(1) == "自治区" else lvl.group(1))   # 自治区党委: the region's
    if place is None:
        place = inherited
    out = []
    rest = org_text[len(m.group()) if m else 0:]
    rest = rest[3:] if rest.startswith("自治区") else rest.lstrip("省市区县州")
    if not rest:
        return out, place
    # police organs
    if rest.startswith(("公安厅", "公安局", "公安", "市局", "分局")):
        d = place or ctx.home
        if rest.startswith("公安厅"):
            if d is not None and d.level != "province":
                d = ctx.level_place("省")
            if d is not None and not has_department(d):
                d = None   # a municipality has no 公安厅
        elif rest.startswith("公安局") and d is not None and has_department(d):
            d = None   # a province's organ is its 公安厅: whose 公安局 this is, the text does not say
        if d is not None:
            out.append(("Bureau", bureau_name(d)))
        return out, place
    for h in _org_heads_longest():
        if rest.startswith(h):
            typ, template = org_heads()[h]
            nm = org_name(h, place.name if place else None)
            if nm:
                out.append((typ, nm))
            if h == "委" and rest[1:].startswith("政法委") and place:
                out.append(("Organization", org_name("政法委", place.name)))
            break
    return out, place


def _function_unit(pm: re.Match, ctx: Context) -> str | None:
    """A unit head after a police function with no organ written (刑侦大队长, 禁毒副支队长): the
    article's own police unit (临颍县公安局刑侦大队), named as the unit extractor names it."""
    head = pm.group("head")
    if pm.group("org") or pm.group("pl") or not head.endswith("长"):
        return None
    unit = head[:-1]
    if unit_suffixes().get(unit) not in ("function", "either"):
        return None
    fn = next((f for f in _functions_longest() if f in pm.group("mod")), None)
    main = ctx.main_bureau()
    return f"{main}{fn}{unit}" if fn and main and main.endswith(("公安局", "分局")) else None


@lru_cache(maxsize=1)
def _functions_longest() -> tuple[str, ...]:
    return tuple(sorted(police_functions(), key=len, reverse=True))


def _unit_before(pm: re.Match, bureaus) -> object:
    """A police organ or unit span that ends where the post's modifiers and head begin."""
    hs = pm.start("pl")
    cands = [b for b in bureaus if b.end == hs]
    return max(cands, key=lambda b: b.end - b.start) if cands else None


def _chain_start(unit, bureaus) -> int:
    start = unit.start
    while True:
        prev = next((b for b in bureaus if b.end == start and b is not unit), None)
        if prev is None:
            return start
        start = prev.start


def _post_literal(pm: re.Match, ctx: Context) -> str:
    """The post as written, less a leading province name and its 人民政府 (浙江省人民政府副省长 ->
    副省长, 浙江省委常委 -> 省委常委), as annotators write province-level posts."""
    post = pm.group()
    m = ctx.place_rx.match(post)
    if m:
        d = ctx.place_of(m.group())
        if d is not None and has_department(d):
            rest = post[m.end():]
            rest = re.sub("^省?(?:人民政府|政府)", "", rest)
            if rest.startswith(("公安", "省公安")):
                return post   # 湖北省公安厅党委书记: a police post keeps its organ's full name
            if d.name.endswith("自治区"):
                return "自治区" + rest   # 内蒙古自治区党委书记 -> 自治区党委书记, as the region's own text writes it
            if rest and not rest.startswith("委"):
                return rest
            return "省" + rest if not rest.startswith("省") else rest
    return post


@lru_cache(maxsize=1)
def _unit_suffix_words() -> tuple[str, ...]:
    return tuple(unit_suffixes())


_DOTTED = re.compile(f"[{HAN}]{{2,6}}·[{HAN}]{{2,4}}")
_LONG = re.compile(f"[{HAN}]{{4}}(?=[，。、；：等在介说表出带]|$)")
_SHORT = re.compile(f"[{HAN}]{{2,3}}(?=[，。、；]|$)")


def _name_after_post(text: str, pos: int, bounds: set[int]) -> str:
    """The name after a title: surname + given name, a dotted transliterated name
    (阿不都热依木·买买提), or a name of two to four characters standing alone (扎西顿珠，)."""
    if text.startswith(_unit_suffix_words(), pos):
        return ""   # 交警支队: a unit's name, not a title and a name
    m = _DOTTED.match(text, pos)
    if m:
        dot = m.group().index("·")
        for e in range(pos + dot + 3, m.end() + 1):   # shortest given part that ends the name
            if e >= len(text) or text[e] in NAME_STOP or not re.match(f"[{HAN}]", text[e]) \
                    or common_word(text[e:e + 2], 50):
                return text[pos:e]
        return m.group()
    if text.startswith(stop_prefixes(), pos):
        return ""   # 民警荣获…: a cue word, not a name
    nm = name_at(text, pos, bounds)
    if nm:
        e = pos + len(nm)
        if len(nm) == 3 and is_han(text[e:e + 1]) and text[e] not in NAME_STOP and text[e + 1:e + 2] == "、":
            return text[pos:e + 1]   # a four-character name in a list (教导员阿合买提、)
        return nm
    e = pos + 3   # after a title, a given name may start with a function character (局长郑向东表示)
    if text[pos:pos + 1] in surnames() and text[pos + 1:pos + 2] in NAME_STOP and is_han(text[pos + 2:e]) \
            and text[pos + 2] not in NAME_STOP and (e == len(text) or not is_han(text[e]) or text[e] in NAME_STOP
                                                   or text.startswith(SPEECH, e)):
        return text[pos:e]
    m = _LONG.match(text, pos)
    if m and not common_word(m.group()[:2], 200) and not common_word(m.group()[2:], 100) \
            and not any(ch in NAME_STOP for ch in m.group()):
        return m.group()   # (民警献上锦旗，: a verb and its object)
    # a name of no known surname, alone between the title and a stop (副所长哈力木、)
    m = _SHORT.match(text, pos)
    if m and not any(ch in NAME_STOP for ch in m.group()) and (dictionary_word(m.group()) or (0, 1))[1] == 1 \
            and not common_word(m.group()[:2], 50) and not common_word(m.group()[-2:], 50):
        return m.group()   # (not a word of the dictionary, unless as a name: 民警值班、 is not one)
    return ""


_BYLINE_BRACKET = re.compile(r"[（(]((?:本版供稿|供稿|特约记者|见习记者|通讯员|记者)[^（）()]{2,40})[）)]")
_BYLINE_LEAD = re.compile(r"(?:.{0,30}?\s)?(?=(?:记者|通讯员)[\s　]+)")
_PHOTO_CREDIT = re.compile(rf"(?:^|[。！？\s　])(?P<n>[{HAN}]{{2,3}})[\s　]+摄(?:影)?(?=$|[\s　])")


_DATELINE_NAMES = re.compile(r"\d{1,2}日电\s*[（(]\s*([^（）()]{2,24}?)\s*[）)]")
_CLOSING_NAMES = re.compile(rf"[（(]\s*([{HAN}]{{2,3}}(?:[\s　]++[{HAN}]{{2,3}})++)\s*[）)]")
_LIST_SEP = re.compile(r"[\s　、，,]+")


def _listed_names(text: str, a: int, b: int, bounds: set[int]) -> list[tuple[int, int]]:
    """The names listed in text[a:b], separated by spaces, 、 or commas: every item must be a
    personal name (surname + given name), or none is read."""
    out, pos = [], a
    for sep in [*_LIST_SEP.finditer(text, a, b), None]:
        end = sep.start() if sep else b
        if not 2 <= end - pos <= 3 or name_at(text, pos, bounds, end=end) != text[pos:end]:
            return []
        out.append((pos, end))
        pos = sep.end() if sep else b
    return out


def _name_ending_at(text: str, h: int, bounds: Bounds, ok) -> int | None:
    """Where a personal name that ends at `h` starts (a title or 同志 follows it: 周海涛书记):
    three characters, then two, then four, the first that `ok(start)` accepts; None if none."""
    for i0 in (h - 3, h - 2, h - 4):
        if i0 >= 0 and ok(i0) and name_at(text, i0, bounds, end=h):
            return i0
    return None


def _bylines(text: str, bounds: set[int], kind: str) -> list[Span]:
    """Reporters and correspondents: byline lines, 本报讯（记者 张三 通讯员 李四）, 记者 王五 报道,
    and photo credits (赵六 摄)."""
    regions = []
    if kind == "byline":
        regions.append((0, len(text)))
    for m in _BYLINE_BRACKET.finditer(text):
        regions.append(m.span(1))
    m = _BYLINE_LEAD.match(text)
    if m and kind != "byline":
        end = re.search(r"(?:报道)?[：:/]|(?<=[\s　])(?=今年|近日|日前|近期|连日来|\d)", text[m.end():])
        regions.append((m.end(), m.end() + (end.start() if end else min(40, len(text) - m.end()))))
    spans = []
    for s0, e0 in regions:
        for m in _BYLINE.finditer(text, s0, e0):
            role = m.group("role")
            pos = m.end()
            while pos < e0:
                nm = name_at(text, pos, bounds)
                if not nm or (nm[-1:] in "报摄" and len(nm) == 3):
                    nm = nm[:-1] if nm and len(nm) == 3 and nm[-1] in "报摄" else nm
                if not nm:
                    break
                post = None if role in ("本版供稿", "供稿", "编辑", "作者", "摄") else role
                spans.append(Span(pos, pos + len(nm), "Person", nm, nm, data={"posts": [post] if post else [], "orgs": []}))
                pos += len(nm)
                while pos < e0 and text[pos] in " 　、，":
                    pos += 1
    # names alone in brackets: after a dateline (人民网长沙5月3日电（赵文静）), or two or more
    # closing a report (（孙丽华 钱多多）)
    for rx in (_DATELINE_NAMES, _CLOSING_NAMES):
        for m in rx.finditer(text):
            for a, b in _listed_names(text, *m.span(1), bounds):
                if not any(sp.start == a for sp in spans):
                    spans.append(Span(a, b, "Person", text[a:b], text[a:b], data={"posts": [], "orgs": []}))
    for m in _PHOTO_CREDIT.finditer(text):
        nm = name_at(text, m.start("n"), bounds, end=m.end("n"))
        if nm and not any(sp.start == m.start("n") for sp in spans):
            spans.append(Span(m.start("n"), m.end("n"), "Person", nm, nm, data={"posts": [], "orgs": []}))
    return spans


@extractor(30, ties=100)
def find_people(view: SentenceView) -> list[Span]:
    """People and officials with their posts, read from the text as written (the spaces around
    a byline's names are not lost quotes), given the sentence's bureaus.  A person takes its
    characters and those of its post.  At the same extent as another span, a person is listed
    after it (the nearest-span rules then read the person)."""
    people = [p for p in _people(view.plain, view.ctx, view.plain_bounds, view.kind, view.found.get("bureaus", ()))
              if view.free(p.start, p.end)]
    for sp in people:
        view.take(sp)
        view.take_range(*sp.data.get("post_span", (sp.start, sp.start)))
    return people


def _people(text: str, ctx: Context, bounds: Bounds, kind: str, bureaus: list[Span] = ()) -> list[Span]:
    spans: list[Span] = _bylines(text, bounds, kind)
    used = [False] * (len(text) + 1)
    for sp in spans:
        for k in range(sp.start, sp.end):
            used[k] = True
    heads = post_heads()
    # every post ends in a head: without one the sentence has no post to read
    rx = post_regex(ctx) if _heads_re().search(text) else None
    post_matches = list(rx.finditer(text)) if rx else []
    # title first: 浙江省委常委、政法委书记李国华 ; 副市长、公安局长：赵建平
    chains = []
    for m in post_matches:
        # the post ends at a word boundary, or a surname follows (局长于海波: jieba reads 长于)
        if m.end() not in bounds and m.end() != len(text) and not (
                text[m.end()] in surnames() and m.start("head") in bounds and m.start() in bounds
                and not any(text.startswith(f, m.end() - 1) or text.startswith(f, m.end()) for f in ctx.form_map)):
            continue
        chains.append(m)
    i = 0
    while i < len(chains):
        group = [chains[i]]
        while i + 1 < len(chains) and chains[i + 1].start() == group[-1].end() + 1 and text[group[-1].end()] in "、和及":
            group.append(chains[i + 1])
            i += 1
        i += 1
        end = group[-1].end()
        pos = end
        while pos < len(text) and text[pos] in "：: 　":
            pos += 1
        if used[pos]:
            continue
        nm = _name_after_post(text, pos, bounds)
        if not nm or text[pos:pos + len(nm) + 1].endswith("某"):
            continue
        posts, orgs, inherited, official = [], [], None, False
        start = group[0].start()
        for n, pm in enumerate(group):
            staff = heads[pm.group("head")] == "staff"
            unit = _unit_before(pm, bureaus)
            if unit is not None:
                # 重庆市公安局渝中区分局党委副书记: the post belongs to the unit written before it
                orgs.append(("Bureau", unit.name))
                if n == 0:
                    start = min(start, _chain_start(unit, bureaus))
                written = text[_chain_start(unit, bureaus) if n == 0 else pm.start():pm.end()]
                short = pm.group("mod") + pm.group("head")
            else:
                found, place = _post_orgs(pm.group("org"), ctx.place_of(pm.group("pl")) or inherited, ctx)
                inherited = place or inherited
                region = ctx.level_place("省") if pm.group("pl") == "自治区" else None
                if region is not None and not found and pm.group("mod").startswith("党委"):
                    found = [("Organization", region.name + "党委")]   # 自治区党委书记: the region's Party committee
                orgs.extend(found)
                own = _function_unit(pm, ctx)
                if own and not found:
                    orgs.append(("Bureau", own))
                written = pm.group()
                short = _post_literal(pm, ctx)
            if staff:   # 派出所民警, 专案组民警: the post is 民警
                posts.append(pm.group("mod") + pm.group("head"))
            else:
                # as written, and the shorter form annotators also use (副省长 for 浙江省人民政府副省长,
                # 原所长 for …派出所原所长)
                posts.extend(dict.fromkeys(v for v in (written, short) if v))
            official |= not staff
        typ = "Official" if official else "Person"
        names = [(pos, nm)]
        # a list of people under one title: 市领导张建国、李卫民；民警张伟、王芳
        q = pos + len(nm)
        while q < len(text) and text[q] == "、":
            nxt = _name_after_post(text, q + 1, bounds)
            if not nxt or rx.match(text, q + 1) and rx.match(text, q + 1).end() > q + 1 \
                    or any(nxt.startswith(f) for f in ctx.form_map) or any(b.start == q + 1 for b in bureaus):
                break   # (…教导员努尔江、公安厅边防总队: an organ, not a name)
            names.append((q + 1, nxt))
            q += 1 + len(nxt)
        for p0, n0 in names:
            spans.append(Span(p0, p0 + len(n0), typ, n0, n0,
                              data={"posts": posts, "orgs": orgs, "post_span": (start, end)}))
        for k in range(start, q):
            used[k] = True
    # name first: 周海涛书记, 张建国总书记, 刘志明总理, 民警孙丽娟 is title-first above
    for m in post_matches:
        if used[m.start()] or m.group("org") or heads[m.group("head")] != "official" \
                or text.startswith("小组", m.end()) or m.group() == "领导":
            continue   # …专项斗争领导小组: a group's name; 厅领导, 张三领导…: a verb or a body's leaders
        h = m.start()
        if h not in bounds:
            continue   # 江阴市长泾镇: 市长 inside a place name
        i0 = _name_ending_at(text, h, bounds, lambda i: not used[i] and not (h - i == 3 and text[i] in NAME_STOP)
                             and text[i:h] not in ctx.form_map)
        if i0 is not None:
            spans.append(Span(i0, h, "Official", text[i0:h], text[i0:h],
                              data={"posts": [m.group()], "orgs": [], "post_span": (m.start(), m.end())}))
            for k in range(i0, m.end()):
                used[k] = True
    # a name before 同志 (李卫东同志, 给予孙晓峰同志记…), not inside a quoted name (“向…同志学习”)
    for m in _COMRADE.finditer(text) if "同志" in text else ():
        if text.count("“", 0, m.start()) > text.count("”", 0, m.start()):
            continue
        h = m.start()
        i0 = _name_ending_at(text, h, bounds, lambda i: not any(used[i:h]) and (
            i == 0 or not is_han(text[i - 1]) or text[i - 1] in NAME_STOP or i in bounds))
        if i0 is not None:
            spans.append(Span(i0, h, "Person", text[i0:h], text[i0:h], data={"posts": [], "orgs": []}))
            for k in range(i0, h):
                used[k] = True
    # anonymised people: 徐某, 黄先生, 邵大爷, 何某川 (kept per article, never merged)
    for m in _anon_re().finditer(text) if _has_anon_tail(text) else ():
        e = m.end()
        if text[e - 2:e] != "某某" and text[e - 1] == "某" and is_han(text[e:e + 1]):
            if text[e] in _ANON_PLACE:
                continue   # 吴某乡: an anonymised place
            given_ends = e + 1 == len(text) or not is_han(text[e + 1]) or text[e + 1] in NAME_STOP \
                or text.startswith(SPEECH, e + 1)
            if given_ends and text[e] not in NAME_STOP and not text.startswith(SPEECH, e) \
                    and not common_word(text[e:e + 2], 100):
                e += 1   # 何某川(…, 邹某平、: a given name after 某 (not 汪某看到, 汪某称)
        if any(used[m.start():e]):
            continue
        spans.append(Span(m.start(), e, "Person", text[m.start():e], text[m.start():e], anonymous=True,
                          data={"posts": [], "orgs": []}))
    return spans
