"""Police organs and their units: 浙江省公安厅, 永康公安, 市公安局, 区公安分局, 网安大队, 芝英派出所.

Each span's data carries `parent` (the canonical name of the organ a unit belongs to, when the
text or the context says) and `division` (the place a top-level organ serves).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..places import COUNTY, PREFECTURE, PROVINCE, gazetteer
from .context import (Context, Span, bureau_name, custody_suffixes, has_department, police_functions, unit_organs,
                      unit_suffixes)
from .registry import SentenceView, extractor
from .text import HAN, Bounds, common_word, function_chars, relation_cues, stop_words, strip_quotes

@lru_cache(maxsize=1)
def _context_re() -> re.Pattern:
    """The organs an article names without their place (kg/resources/context_forms.txt)."""
    forms = lexicon.alternation(lexicon.words("context_forms.txt"))
    return re.compile(f"(?<![{HAN}])(?:{forms})|(?<=[该本])(?:局|分局)|(?<=[该本原])厅|(?:{forms})")


@lru_cache(maxsize=256)
def _explicit_re(P: str) -> re.Pattern:
    return _explicit().compile(P)


@lru_cache(maxsize=1)
def _explicit() -> lexicon.Slotted:
    """place + level? + head: 永康市公安局, 旌阳分局, 南昌铁路公安局, 日喀则市公安边防支队, 湖州警方."""
    return lexicon.Slotted(f"(?P<p>(?:{lexicon.SLOT}))(?P<lvl>省|市|区|县)?(?P<h>{_SECTORS}"
                           "|公安厅|公安局|公安分局|公安处|市局|分局|公安|警方|局(?=党委|领导|机关))")


# Police of a sector, named as written after their place: 南昌铁路公安局, and the border and fire
# forces of before 2019, which were not units of a 公安局 (日喀则市公安边防支队, 上海市公安消防总队).
_SECTORS = "(?:铁路|民航|森林|港航)公安(?:局|处)|公安(?:边防|消防)(?:总队|支队)"


@lru_cache(maxsize=1)
def _unit_re() -> re.Pattern:
    alt = lexicon.alternation(unit_suffixes())
    return re.compile(f"(?P<name>“[^“”]{{2,12}}”|[{HAN}A-Za-z]{{0,10}}?)(?P<suf>{alt})(?!长|员|创建|建设|规范化)")


@lru_cache(maxsize=1)
def _any_suffix() -> re.Pattern:
    """A unit suffix anywhere: without one _unit_re cannot match (and scanning for it is cheap,
    where _unit_re tries every start)."""
    return re.compile(lexicon.alternation(unit_suffixes()))


@lru_cache(maxsize=1)
def _generic_names() -> frozenset[str]:
    return frozenset(lexicon.words("generic_unit_names.txt"))


def _trim_name(name: str, start: int, bounds: set[int]) -> tuple[str, int]:
    """Cut a unit's name at the last token boundary where a stop word or verb precedes it."""
    best = (name, start)
    if name.startswith("“"):
        return best   # a quoted name is whole
    stops, lengths = _stop_suffixes()
    for k in range(len(name) + 1):
        if start + k in bounds:
            head = name[:k]
            if any(head[k - n:] in stops for n in lengths if n <= k) or (len(head) >= 2 and common_word(head[-2:], 300)):
                best = (name[k:], start + k)
    return best


@lru_cache(maxsize=1)
def _stop_suffixes() -> tuple[frozenset[str], tuple[int, ...]]:
    """The stop words, and their lengths: a head ends in one if its last n characters are one."""
    stops = stop_words()
    return stops, tuple(sorted({len(w) for w in stops}))


_QUOTED_UNITS = "工作室|实验室|专业队|突击队|战队|警务队|工作站|服务站"


def _quote_depth(text: str) -> list[int]:
    if "“" not in text:
        return [0] * (len(text) + 1)
    out, d = [], 0
    for ch in text:
        if ch == "“":
            d += 1
        out.append(d)
        if ch == "”":
            d = max(0, d - 1)
    out.append(d)
    return out


@extractor(20, gives_way=True)
def find_bureaus(view: SentenceView) -> list[Span]:
    """Police organs.  They give way to people: they take their characters after the people
    extractor has run, and one overlapping a person is dropped (people read them as posts)."""
    return [b for b in _bureaus(view.text, view.ctx, view.bounds) if view.free(b.start, b.end)]


_MINISTRY = re.compile("公安部")
_QUOTED_UNIT = re.compile(f"“[^“”]{{1,12}}(?:{_QUOTED_UNITS})”")
_SQUAD_LIST = re.compile(f"“([^“”]{{2,40}})”[一二三四五六七八九十两\\d]+支[{HAN}]{{0,4}}队")


_ORGAN_LEVELS = {"province": (PROVINCE,), "prefecture": (PREFECTURE,), "local": (PREFECTURE, COUNTY),
                 "": (PREFECTURE, COUNTY)}


def _organ_level(d) -> str:
    return PREFECTURE if d.is_municipality else d.level   # a municipality's organ is a city's


def _organ_before(spans: list[Span], start: int, suf: str) -> str | None:
    """The organ its sentence names last before a unit written alone, if it is of the level such
    units belong to (unit_suffixes.tsv, column organ): 宣威市公安局…
    抽调禁毒大队 is 宣威市公安局's.  None when it names none, or the last is of another level."""
    for sp in reversed(spans):
        if sp.end <= start and sp.data.get("division"):
            d = gazetteer().by_code.get(sp.data["division"])
            if d is None:
                return None
            return sp.name if _organ_level(d) in _ORGAN_LEVELS[unit_organs().get(suf, "")] else None
    return None


def _home_organ(ctx: Context, suf: str) -> str | None:
    """The article's own organ for a unit written alone, or the one above it whose level such
    units belong to (a 支队 in a county's article is its city's)."""
    levels = _ORGAN_LEVELS[unit_organs().get(suf, "")]
    if ctx.home is not None:
        for d in [ctx.home] + gazetteer().ancestors(ctx.home):
            if _organ_level(d) in levels:
                return ctx.main_bureau() if d is ctx.home else bureau_name(d)
    return ctx.main_bureau()


def _bureaus(text: str, ctx: Context, bounds: Bounds) -> list[Span]:
    spans: list[Span] = []
    taken = [False] * (len(text) + 1)

    def add(sp: Span):
        spans.append(sp)
        for k in range(sp.start, sp.end):
            taken[k] = True

    # 公安部 (the ministry)
    for m in _MINISTRY.finditer(text):
        add(Span(m.start(), m.end(), "Bureau", "公安部", m.group(), data={"level": "national"}))
    # explicit: place + level? + head
    for m in _explicit_re(ctx.place_re).finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        d = ctx.place_of(m.group("p"))
        if d is None:
            continue
        h = m.group("h")
        if h in ("公安", "警方") and re.match("(?:机关|工作|民警|队伍|系统|史|厅|局|部|分局|干警|战线|事业|之)", text[m.end():m.end() + 2]):
            continue
        if h == "局" and not m.group("p").endswith("市") and m.group("lvl") != "市":
            continue
        district = d.level == COUNTY and d.name.endswith("区")
        if re.fullmatch(_SECTORS, h):
            name = m.group()   # 南昌铁路公安局: a sector police, named as written
        elif h == "公安局" and district and (m.group("lvl") or m.group("p").endswith("区")):
            name = m.group()  # 南山区公安局 is that district's own name
        elif h in ("分局", "公安分局") and district and ctx.gaz_parent(d) is not None:
            # as written: 龙岗分局 -> 深圳市公安局龙岗分局, 武侯区公安分局 -> 成都市公安局武侯区分局
            name = f"{ctx.gaz_parent(d).name}公安局{m.group('p')}{m.group('lvl') or ''}分局"
        else:
            name = bureau_name(d)
        add(Span(m.start(), m.end(), "Bureau", name, m.group(), data={"division": d.code, "written": True}))
    # context forms: 市公安局, 省厅, 分局 … resolved by the article's home
    for m in _context_re().finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        form = m.group()
        if form in ("局", "分局") and text[m.start() - 1:m.start()] in ("该", "本"):
            # 该局: the organ of that kind the sentence named last (记者从成都市公安局获悉，该局…)
            prev = max((s for s in spans if s.end <= m.start() and s.data.get("division") and s.name.endswith(form)),
                       key=lambda s: s.end, default=None)
            if prev is not None:
                add(Span(m.start(), m.end(), "Bureau", prev.name, form, data={"division": prev.data["division"]}))
                continue
        d = None
        if form.startswith(("省",)) or form in ("公安厅", "厅"):
            d = ctx.level_place("省")
            if d is not None and "厅" in form and not has_department(d):
                d = None   # a municipality has no 公安厅: another province's, which the text does not name
        elif form.startswith(("市", "我市", "州", "盟")):
            d = ctx.level_place(form[1] if form[0] == "我" else form[0])
        elif form.startswith("旗"):
            d = ctx.level_place("旗")
        elif form.startswith(("区", "县", "我区", "我县")) or form in ("分局", "公安分局", "局"):
            d = ctx.level_place("区") or ctx.level_place("县") or ctx.home
        elif form == "公安局":
            d = ctx.home
            if d is not None and has_department(d):
                # a province's organ is its 公安厅: this 公安局 is that of the last city or county
                # written before it (原岳阳市副市长、公安局局长), or unknown
                d = next((x for x in reversed([ctx.place_of(p.group()) for p in ctx.place_rx.finditer(text, 0, m.start())])
                          if x is not None and x.level != PROVINCE), None)
        if d is None:
            continue
        if form in ("公安局", "州公安局", "盟公安局", "旗公安局") and m.start() > 0 and re.match(f"[{HAN}]", text[m.start() - 1]) \
                and text[m.start() - 1] not in function_chars()[1]:
            continue   # inside a longer name we do not know (…县公安局 of an unknown county)
        add(Span(m.start(), m.end(), "Bureau", bureau_name(d), form, data={"division": d.code}))
    # units: after a bureau (a chain) or standing alone
    spans.sort(key=lambda s: s.start)
    # quoted unit names: “梦想工作室”, “猎鹰实验室”
    for m in _QUOTED_UNIT.finditer(text):
        if not any(taken[m.start():m.end()]):
            add(Span(m.start(), m.end(), "Bureau", m.group(), m.group(), data={"parent": ctx.main_bureau()}))
    # a quoted list of squads: “运河骑警、铁血特战”两支尖刀队
    for m in _SQUAD_LIST.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        pos = m.start(1)
        for item in m.group(1).split("、"):
            if 2 <= len(item) <= 8:
                add(Span(pos, pos + len(item), "Bureau", item, item, data={"parent": ctx.main_bureau()}))
            pos += len(item) + 1
    depth = None
    for m in _unit_re().finditer(text) if _any_suffix().search(text) else ():
        if any(taken[m.start("suf"):m.end("suf")]):
            continue
        if depth is None:
            depth = _quote_depth(text)
        if depth[m.start("suf")] and not m.group("name").startswith("“"):
            continue   # inside a quoted campaign or award name (“枫桥式公安派出所”)
        name, start = m.group("name"), m.start("name")
        suf = m.group("suf")
        cut = max((k + 1 for k in range(start, m.start("suf")) if taken[k]), default=start)
        name, start = name[cut - start:], cut
        # the organ right before the unit, if the unit follows it directly
        parent = next((s for s in spans if s.end == start or s.end == m.start()), None)
        if parent is not None and name[:1] in function_chars()[0]:
            parent = None   # 刑侦支队和东城派出所: listed with the organ, not inside it
        if (suf in ("局", "分局") or unit_suffixes()[suf] == "attached") and parent is None:
            continue   # 刑侦局, 高新区分局 are units only right after their organ (公安部刑侦局)
        if m.end() not in bounds:   # (asked last: segmenting is the costly part)
            continue
        if parent is None:
            name, start = _trim_name(name, start, bounds)
        # 被评为全国一级拘留所: an honour, not a unit; after its organ only its own name counts
        # (授予原厅禁毒总队: a unit)
        before = text[start if parent is not None else max(0, start - 6):m.start("suf")]
        if any(c in before for c in relation_cues()["received"]):
            continue
        name = name.lstrip("市县区和与及、")
        quoted = name.startswith("“")
        bare = strip_quotes(name)
        naming = unit_suffixes()[suf]
        is_function = bool(bare) and re.sub("[一二三四五六七八九十]+$", "", bare).endswith(police_functions())
        if naming == "either":
            naming = "function" if is_function else "place"
        if naming == "attached":   # right after its organ (checked above): any modifier of two or more
            if len(bare) < 2 or common_word(text[m.start("suf") - 1:m.end()], 100):   # characters (not 领导干部)
                continue
            naming, is_function = "function", True
        if naming == "function" and not (is_function or quoted or suf == "分局"):
            continue
        if naming == "place" and (is_function or (start > 0 and text[start - 1] in "“”")):
            continue   # 联勤警务站, “国”字牌拘留所: a kind of unit, not a named one
        if naming == "place" and not quoted and (len(bare) < 2 and suf not in custody_suffixes()):
            continue
        if bare and common_word(bare, 500) and not is_function and parent is None:
            continue
        surface = text[start:m.end()]
        if suf in custody_suffixes() and not bare:
            d = ctx.level_place("市") if parent is None else None
            base = d.name if d else (ctx.home.name if ctx.home else "")
            canon = f"{base}{suf}"
            par = parent.name if parent else ctx.main_bureau()
        elif naming == "function":
            par = parent.name if parent else _organ_before(spans, start, suf) or _home_organ(ctx, suf)
            canon = f"{par}{name}{suf}" if par else f"{name}{suf}"
        else:
            par = parent.name if parent else ctx.main_bureau()
            # written right after its organ, a squad (大队, 支队) or a unit with a common word for a name
            # is named with the organ (宁波市公安局合成作战大队, 青河县公安局城关派出所)
            adjacent = parent is not None and text[parent.end:m.start("suf") - len(name)] == ""
            generic = unit_suffixes()[suf] == "either" or bare in _generic_names()
            canon = f"{parent.name}{name}{suf}" if adjacent and not quoted and generic else f"{name}{suf}"
        sp = Span(start, m.end(), "Bureau", canon, surface, data={"parent": par})
        if parent is not None:
            sp.data["chain_from"] = parent.start
        add(sp)
        spans.sort(key=lambda s: s.start)
    return spans
