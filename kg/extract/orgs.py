"""Other organisations: Party committees, governments, courts, other agencies, media, teams."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..errors import ResourceError
from ..places import gazetteer
from .context import Context, Span
from .registry import SentenceView, extractor
from .text import HAN, common_word, dictionary_word, function_chars, left_start, name_at, stop_words


@lru_cache(maxsize=1)
def org_heads() -> dict[str, tuple[str, str]]:
    rows = lexicon.table("org_heads.tsv", ("head", "type", "template"))
    return {r["head"]: (r["type"], r["template"]) for r in rows}


@lru_cache(maxsize=1)
def _all_heads() -> dict[str, tuple[str, str]]:
    """org_heads.tsv and org_heads_more.tsv (heads the post grammar does not use)."""
    rows = lexicon.table("org_heads_more.tsv", ("head", "type", "template"))
    return {**org_heads(), **{r["head"]: (r["type"], r["template"]) for r in rows}}


def _two_columns(name: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """A two-column table whose second column takes one of `allowed` (errors name file:line)."""
    out = {}
    for path, n, line in lexicon._lines(name):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 2 or cells[1] not in allowed:
            raise ResourceError(f"{path}:{n}: expected a name and one of {', '.join(allowed)}, tab-separated")
        out[cells[0]] = cells[1]
    return out


@lru_cache(maxsize=1)
def org_suffixes() -> dict[str, str]:
    """suffix -> yes | written | no (see org_suffixes.tsv)."""
    return _two_columns("org_suffixes.tsv", ("yes", "written", "no"))


@lru_cache(maxsize=1)
def media_heads() -> dict[str, bool]:
    """head -> strong? (media_heads.tsv)."""
    return {h: v == "strong" for h, v in _two_columns("media_heads.tsv", ("strong", "weak")).items()}


# National bodies: a national prefix, a name, an organ head, then no more name (国家统计局发布)
_NATIONAL = re.compile(f"(?:最高|全国|中央|国家|国务院|中国)[{HAN}]{{0,8}}?"
                       "(?:人民法院|法院|人民检察院|检察院|委员会|总局|部|局|署|办公室|办|委|银行|军)"
                       f"(?=[、，。；：）”\\s]|和|与|及|等|有关|负责|联合|会同|召开|举行|发布|印发|部署|主任|部长|局长"
                       "|副|党组|领导|的|在|对|将|已|要|指导|新闻|官方|发言人|$)")
# An item of a list of organisations, by the shape of its last word (自然资源部)
_LIST_ITEM = re.compile(f"[{HAN}]{{3,10}}(?:部|署|委员会)|[{HAN}]{{2,8}}银行")
# Offices of campaigns and committees: (place|level|全国|中央) + 2-4 characters + 办 (包河区扫黑办, 市打传办)
_OFFICE = re.compile(f"[{HAN}]{{2,4}}办(?![理法公事案好成到])")


_LEVEL = "自治区|省|市|区|县|州"


def org_name(head: str, place_name: str | None) -> str | None:
    typ, template = _all_heads()[head]
    if template == "-":
        return head
    if not place_name:
        return None
    return template.format(place=place_name)


def resolve_place(ctx: Context, place_form: str | None, level: str | None):
    if place_form:
        return ctx.place_of(place_form)
    if level == "自治区":   # the article's autonomous region (自治区党委)
        d = ctx.level_place("省")
        return d if d is not None and d.name.endswith("自治区") else None
    if level:
        return ctx.level_place(level)
    return None


@lru_cache(maxsize=64)
def _head_rx(place_re: str) -> re.Pattern:
    return _head_grammar().compile(place_re)


@lru_cache(maxsize=1)
def _head_grammar() -> lexicon.Slotted:
    heads = [h for h in _all_heads() if _all_heads()[h][0] == "Organization"]
    return lexicon.Slotted(f"(?P<p>{lexicon.SLOT})?(?P<lvl>{_LEVEL})?(?P<h>{lexicon.alternation(heads)})")


@lru_cache(maxsize=64)
def _prefix_rx(place_re: str) -> re.Pattern:
    return re.compile(f"(?P<p>{place_re})?(?P<lvl>{_LEVEL})?")


@lru_cache(maxsize=1)
def _suffix_rx() -> re.Pattern:
    return re.compile(f"(?:{lexicon.alternation(org_suffixes())})")


@lru_cache(maxsize=1)
def _media_rx() -> re.Pattern:
    return re.compile(f"(?:{lexicon.alternation(media_heads())})(?![告送表道到名案警复批])")


@extractor(40)
def find_orgs(view: SentenceView) -> list[Span]:
    text, ctx, taken, bounds = view.text, view.ctx, view.taken, view.bounds
    spans = []
    P = ctx.place_re
    rx = _head_rx(P)
    for m in rx.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        h = m.group("h")
        typ, template = _all_heads()[h]
        inherit = None
        if template != "-" and not (m.group("p") or m.group("lvl")):
            # 自治区党委政府, 市委市政府: a head right after an organ of a place shares its place
            prev = next((sp for sp in reversed(spans) if sp.end == m.start() and sp.data.get("division")), None)
            if prev is None:
                continue
            inherit = gazetteer().by_code.get(prev.data["division"])
        if h == "委" and re.match("(?:员|托|屈|派|会)", text[m.end():m.end() + 1]):
            continue
        if m.group("lvl") and not m.group("p") and m.start() > 0 and re.match(f"[{HAN}]", text[m.start() - 1]) \
                and text[m.start() - 1] not in function_chars()[1] and not taken[m.start() - 1] \
                and not text[:m.start()].endswith(("贯彻", "落实", "按照", "根据", "会同", "配合", "联合", "部署")):
            continue   # 全市委…, 城市政府… are not ours
        d = inherit or resolve_place(ctx, m.group("p"), m.group("lvl"))
        if template != "-" and d is None:
            continue
        # a level word after a full place name (浙江省 + 委) is part of the name already
        name = org_name(h, d.name if d else None)
        if name is None:
            continue
        s0 = m.start()
        if h in ("委", "党委") and text.endswith("共青团", 0, m.start()):
            name, s0 = "共青团" + name, m.start() - 3   # 共青团浙江省委: the Youth League's committee
        data = {"division": d.code} if d else {}
        spans.append(Span(s0, m.end(), "Organization", name, text[s0:m.end()], data=data))
        for k in range(s0, m.end()):
            taken[k] = True
    # other agencies and bodies: (place|level)? + name + suffix
    sfx = org_suffixes()
    rx2 = _suffix_rx()
    for m in rx2.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        suffix = m.group()
        start = left_start(text, m.start(), bounds, stop_words(), 10, taken)
        name = text[start:m.start()]
        owner = next((sp for sp in spans if sp.end == m.start()), None)
        if sfx[suffix] == "written":
            # only right after a place written here (四川省…厅) or an organisation (…统计局 + …中心)
            owner = next((sp for sp in spans if sp.end == start), None) if name else \
                next((sp for sp in spans if 0 <= m.start() - sp.end <= 6
                      and re.fullmatch(f"[{HAN}]*", text[sp.end:m.start()])), None)
            if owner is not None and not name:
                name, start = text[owner.end:m.start()], owner.end
            if owner is not None and not re.search("[的和与及、在对为了将被由]", name):
                canon = owner.name + name + suffix
                spans.append(Span(owner.start, m.end(), "Organization", canon, text[owner.start:m.end()],
                                  data={"parent": owner.name}))
                for k in range(start, m.end()):
                    taken[k] = True
                continue
            # the nearest place written before, with only a name between (江苏省财政厅)
            w0 = max(0, m.start() - 16)
            places = [p for p in ctx.place_rx.finditer(text[w0:m.start()])
                      if re.fullmatch(f"[{HAN}]*", text[w0 + p.end():m.start()])] if ctx.form_map else []
            if not places:
                continue
            pl = places[-1]
            rest = text[w0 + pl.end():m.start()]
            if (len(rest) < 2 and len(suffix) < 3) or rest and common_word(rest + suffix, 100) or "公安" in rest \
                    or rest.startswith(("人民", "州", "市", "县", "区", "省")) or "某" in rest \
                    or re.search("优秀|先进|模范|示范|[的在对为了将被由个首第一]", rest) or any(taken[w0 + pl.start():m.start()]) \
                    or rest and (common_word(rest[-1:] + suffix, 50) or common_word(rest[-2:] + suffix, 50)):   # 大局
                continue
            d = ctx.place_of(pl.group())
            s1 = w0 + pl.start()
            spans.append(Span(s1, m.end(), "Organization", f"{d.name}{rest}{suffix}", text[s1:m.end()],
                              data={"division": d.code}))
            for k in range(s1, m.end()):
                taken[k] = True
            continue
        if owner is not None and not name:
            spans.append(Span(owner.start, m.end(), "Organization", owner.name + suffix, text[owner.start:m.end()],
                              data=dict(owner.data)))
            for k in range(m.start(), m.end()):
                taken[k] = True
            continue
        pm = _prefix_rx(P).match(name)
        d = resolve_place(ctx, pm.group("p"), pm.group("lvl"))
        rest = name[pm.end():]
        if sfx[suffix] == "yes":   # needs a place: written, or the article's own
            d = d or ctx.level_place("市") or ctx.home
            if d is None or (rest and common_word(rest, 100)):
                continue
            canon = f"{d.name}{rest}{suffix}"
        else:
            cut = max((name.rfind(c) for c in "的和与及在对为了将被由因"), default=-1)
            name, start = name[cut + 1:], start + cut + 1
            if len(name) < 2 or "某" in name or common_word(name + suffix, 100):
                continue
            canon = f"{name}{suffix}"
        spans.append(Span(start, m.end(), "Organization", canon, text[start:m.end()],
                          data={"division": d.code} if d else {}))
        for k in range(start, m.end()):
            taken[k] = True
    spans += _bank_branches(text, taken)
    spans += _groups(text, taken)
    spans += _national(text, taken)
    spans += _offices(text, ctx, taken)
    spans += _listed(text, taken, spans)
    spans += find_media(text, ctx, taken, bounds)
    return spans


def _mark(taken, s, e):
    for k in range(s, e):
        taken[k] = True


def _clean(name: str) -> bool:
    return not any(w in name for w in stop_words() if len(w) >= 2) and not re.search("[的和与及在对为了将被由]", name)


_GROUP = re.compile("(?P<o>公安部|中央|国务院)(?P<g>第[一二三四五六七八九十]+(?:督察组|督导组|巡视组|巡察组|工作组|检查组|考核组))")


_BANK_BRANCH = re.compile(f"(?:中国)?[{HAN}]{{2,6}}?银行[{HAN}]{{2,6}}?(?:分行|支行|营业部)")


def _bank_branches(text: str, taken: list[bool]) -> list[Span]:
    """中国工商银行宜宾分行: a bank's branch, as written."""
    spans = []
    for m in _BANK_BRANCH.finditer(text) if "银行" in text else ():
        if any(taken[m.start():m.end()]) or not _clean(m.group()):
            continue
        spans.append(Span(m.start(), m.end(), "Organization", m.group(), m.group()))
        _mark(taken, m.start(), m.end())
    return spans


def _groups(text: str, taken: list[bool]) -> list[Span]:
    """Numbered inspection groups of a national organ (公安部第三督察组), under that organ."""
    spans = []
    for m in _GROUP.finditer(text):
        if any(taken[m.start("g"):m.end()]):
            continue
        owner = m.group("o")
        parent = ("Bureau" if owner == "公安部" else "Organization", owner)
        spans.append(Span(m.start(), m.end(), "Organization", m.group(), m.group(), data={"parent_key": parent}))
        _mark(taken, m.start("g"), m.end())
    return spans


def _national(text: str, taken: list[bool]) -> list[Span]:
    spans = []
    for m in _NATIONAL.finditer(text):
        if any(taken[m.start():m.end()]) or (m.start() > 0 and taken[m.start() - 1]):
            continue
        if m.start() > 0 and re.match(f"[{HAN}]", text[m.start() - 1]) and text[m.start() - 1] not in function_chars()[1]:
            continue
        if not _clean(m.group()[2:]) or re.search("优秀|先进|模范|示范|公安|英雄", m.group()):
            continue
        spans.append(Span(m.start(), m.end(), "Organization", m.group(), m.group()))
        _mark(taken, m.start(), m.end())
    return spans


def _offices(text: str, ctx: Context, taken: list[bool]) -> list[Span]:
    spans = []
    if "办" not in text:
        return spans
    forms = sorted(ctx.form_map, key=len, reverse=True)
    for k in range(len(text)):
        o = _OFFICE.match(text, k)
        if o is None or k == 0 or any(taken[k:o.end()]):
            continue
        if not _clean(o.group()) or common_word(o.group()[:-1], 300) or o.group()[0] in "省市县区州":
            continue
        pre = next((f for f in ("全国", "中央") if text.endswith(f, 0, k)), None)
        if pre:
            name, data = pre + o.group(), {}
        else:
            form = next((f for f in forms if text.endswith(f, 0, k)), None)
            lvl = next((v for v in ("自治区", "省", "市", "区", "县", "州") if text.endswith(v, 0, k)), None)
            d = resolve_place(ctx, form, None if form else lvl)
            if d is None:
                continue
            pre = form or lvl
            name, data = d.name + o.group(), {"division": d.code}
        s0 = k - len(pre)
        if any(taken[s0:k]):
            continue
        spans.append(Span(s0, o.end(), "Organization", name, text[s0:o.end()], data=data))
        _mark(taken, s0, o.end())
    return spans


_LIST_ITEM_RX = re.compile(f"(?<=、)[{HAN}]{{2,12}}?(?=、|有关|等|负责)")
_NAME_CHAR = re.compile(f"[{HAN}A-Za-z]")


def _listed(text: str, taken: list[bool], found: list[Span]) -> list[Span]:
    """Items of a 、-list that holds an organisation and end like an organ (…、自然资源部、…)."""
    spans = []
    ends = {sp.end for sp in found} | {sp.start for sp in found}
    for m in _LIST_ITEM_RX.finditer(text):
        if any(taken[m.start():m.end()]) or not _LIST_ITEM.fullmatch(m.group()) or not _clean(m.group().replace("和", "")):
            continue
        if not (m.start() - 1 in ends or m.end() + 1 in ends) or m.group().endswith(tuple(org_heads())):
            continue
        ends |= {m.start(), m.end()}
        spans.append(Span(m.start(), m.end(), "Organization", m.group(), m.group()))
        _mark(taken, m.start(), m.end())
    return spans


_BYLINE_LEFT = re.compile(r"(?:^|(?<=[\s（(：:、】\]|“”])|(?<=来源)|(?<=本报讯))$")
_BYLINE_RIGHT = re.compile(f"[\\s“”]*(?:[{HAN}]{{0,4}}\\s*\\d{{1,2}}月\\d{{1,2}}日(?:电|消息|讯)|\\d{{1,2}}日(?:电|讯)|讯|全媒体记者|记者|编辑|作者"
                           f"|通讯员|的微博|报道|消息|摄)")


def _plain_word(word: str) -> bool:
    """A dictionary word that is not a name of an organisation (nt) or other proper noun."""
    info = dictionary_word(word)
    return info is not None and info[0] >= 20 and info[1] == 0


def find_media(text: str, ctx: Context, taken: list[bool], bounds: set[int]) -> list[Span]:
    """Media outlets: 齐鲁晚报, 人民网, 顶端新闻 (strong heads anywhere, weak heads in bylines and
    source lines, see media_heads.tsv)."""
    heads = media_heads()
    rx = _media_rx()
    found = []   # (start, end, strong-or-byline)
    for m in rx.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        head = m.group()
        # the name: a run of up to 5 characters before the head, cut at a place name or a taken span
        k = m.start()
        while k > 0 and m.start() - k < 5 and _NAME_CHAR.match(text[k - 1]) and not taken[k - 1]:
            k -= 1
        name = text[k:m.start()]
        if heads[head]:
            pl = list(ctx.place_rx.finditer(name)) if ctx.form_map else []
            start = max(left_start(text, m.start(), bounds, stop_words(), 5, taken), k)
            if pl and pl[-1].start() > 0 and start < k + pl[-1].start():
                start = k + pl[-1].start()
        else:
            if not _BYLINE_LEFT.search(text[:k]):
                continue
            start = k
        while start < m.start() and text[start] in "据在由从对向和与及的经":
            start += 1
        name = text[start:m.start()]
        byline = bool(_BYLINE_RIGHT.match(text, m.end())) or bool(re.search("来源[：:]?\\s*$", text[:start]))
        if not name or name[0] in "本我该此全各每" or not _clean(name) or _plain_word(name + head) and not byline or "某" in name or \
                len(name) == 1 and not heads[head] and head != "网" and not _BYLINE_RIGHT.match(text, m.end()):
            continue
        branch = re.match(f"[{HAN}]{{2,4}}?(?:分社|记者站)", text[m.end():])   # …报业集团嘉兴分社
        end = m.end() + (branch.end() if branch else 0)
        found.append([start, end, heads[head] or byline])
    # an outlet listed with another (大河报、映象网、顶端新闻5月9日消息) is one too
    changed = True
    while changed:
        changed = False
        for a, b in zip(found, found[1:]):
            if text[a[1]:b[0]] in ("、", "和") and a[2] != b[2]:
                a[2] = b[2] = True
                changed = True
    spans = []
    for s, e, ok in found:
        if ok and not any(taken[s:e]):
            spans.append(Span(s, e, "Organization", text[s:e], text[s:e], data={"media": True}))
            _mark(taken, s, e)
            spans += _byline_names(text, e, taken)
    return spans


_BYLINE_ROLE = re.compile(r"[\s“”（(]*(?P<role>全媒体记者|记者|编辑|作者|撰稿)[：:]?\s*")


def _byline_names(text: str, end: int, taken: list[bool]) -> list[Span]:
    """The people a byline names right after its outlet (作者：X, 记者X Y, 编辑X); names the
    person grammar took already are stepped over."""
    m = _BYLINE_ROLE.match(text, end)
    if not m:
        return []
    role = m.group("role")
    posts = [] if role == "作者" else [role]
    out, pos = [], m.end()
    while pos < len(text):
        if taken[pos]:
            while pos < len(text) and taken[pos]:
                pos += 1
            continue
        if text[pos] in " 、\u3000":
            pos += 1
            continue
        nm = name_at(text, pos)
        if not nm or re.match(f"[{HAN}]", text[pos + len(nm):pos + len(nm) + 1]) and not name_at(text, pos + len(nm)):
            break
        out.append(Span(pos, pos + len(nm), "Person", nm, nm, data={"posts": posts, "orgs": []}))
        _mark(taken, pos, pos + len(nm))
        pos += len(nm)
    return out
