"""Officials and other persons: post titles (a grammar: organisation + modifiers + head),
names before or after them, bylines, anonymised people."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .bureaus import _CONTEXT_FORMS
from .context import Context, Span, bureau_name, unit_suffixes
from .orgs import org_heads, org_name
from .text import HAN, NAME_STOP, boundaries, name_at, surnames


@lru_cache(maxsize=1)
def post_heads() -> dict[str, str]:
    return {r["head"]: r["class"] for r in lexicon.table("post_heads.tsv", ("head", "class"))}


def _org_alt() -> str:
    heads = set(org_heads()) | {"公安", "市局", "分局", "公安分局"} | set(unit_suffixes())
    return lexicon.alternation(heads)


def post_regex(ctx: Context) -> re.Pattern:
    P = ctx.place_re
    org = f"(?:(?:{P})?(?:省|市|区|县|州|镇|乡)?(?:{_org_alt()}))"
    mods = lexicon.alternation(lexicon.words("post_modifiers.txt"))
    heads = lexicon.alternation(post_heads())
    return re.compile(f"(?P<org>{org}*)(?P<mod>(?:{mods})*)(?P<head>{heads})")


_BYLINE = re.compile(r"(?P<role>本版供稿|供稿|特约记者|见习记者|实习生|通讯员|记者|摄影|编辑|摄)[\s　：:■]*")


def _anon_re() -> re.Pattern:
    sur = lexicon.alternation(surnames())
    return re.compile(f"(?P<n>(?:{sur})(?:某某|某|先生|女士|大爷|阿姨|大妈|师傅|老汉))")


def _post_orgs(org_text: str, inherited, ctx: Context):
    """Organisations named inside a post's organisation part; returns (names, place)."""
    place = None
    m = re.match(f"(?P<p>{ctx.place_re})", org_text) if org_text else None
    if m:
        place = ctx.place_of(m.group("p"))
    lvl = re.match("(?:.*?)(省|市|区|县|州)", org_text[len(m.group()) if m else 0:])
    if place is None and lvl and org_text[len(m.group()) if m else 0:].startswith(lvl.group(1)):
        place = ctx.level_place(lvl.group(1))
    if place is None:
        place = inherited
    out = []
    rest = org_text[len(m.group()) if m else 0:].lstrip("省市区县州")
    if not rest:
        return out, place
    # police organs
    if rest.startswith(("公安厅", "公安局", "公安", "市局", "分局")):
        d = place or ctx.home
        if rest.startswith("公安厅") and d is not None and d.level != "province":
            d = ctx.level_place("省")
        if d is not None:
            out.append(("Bureau", bureau_name(d)))
        return out, place
    for h in sorted(org_heads(), key=len, reverse=True):
        if rest.startswith(h):
            typ, template = org_heads()[h]
            nm = org_name(h, place.name if place else None)
            if nm:
                out.append((typ, nm))
            if h == "委" and rest[1:].startswith("政法委") and place:
                out.append(("Organization", org_name("政法委", place.name)))
            break
    return out, place


def _post_literal(pm: re.Match, ctx: Context) -> str:
    """The post as written, less a leading province name and its 人民政府 (浙江省人民政府副省长 ->
    副省长, 浙江省委常委 -> 省委常委), as annotators write province-level posts."""
    post = pm.group()
    m = re.match(f"(?:{ctx.place_re})", post)
    if m:
        d = ctx.place_of(m.group())
        if d is not None and d.level == "province" and not d.is_municipality:
            rest = post[m.end():]
            rest = re.sub("^省?(?:人民政府|政府)", "", rest)
            if rest and not rest.startswith(("委", "公安")):
                return rest
            return "省" + rest if not rest.startswith("省") else rest
    return post


def find_people(text: str, ctx: Context, bounds: set[int], kind: str) -> list[Span]:
    spans: list[Span] = []
    used = [False] * (len(text) + 1)
    heads = post_heads()
    rx = post_regex(ctx)
    # bylines: 通讯员 郑伟 / 记者 冯晓东 李四 / 吴志刚 摄
    if kind == "byline":
        for m in _BYLINE.finditer(text):
            role = m.group("role")
            pos = m.end()
            while pos < len(text):
                nm = name_at(text, pos, bounds)
                if not nm:
                    break
                post = None if role in ("本版供稿", "供稿", "编辑", "摄") else ("通讯员" if role == "通讯员" else role)
                spans.append(Span(pos, pos + len(nm), "Person", nm, nm, data={"posts": [post] if post else [], "orgs": []}))
                pos += len(nm)
                while pos < len(text) and text[pos] in " 　、，":
                    pos += 1
        return spans
    # title first: 浙江省委常委、政法委书记李国华 ; 副市长、公安局长：赵建平
    chains = []
    for m in rx.finditer(text):
        if m.end() not in bounds and m.end() != len(text):
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
        nm = name_at(text, pos, bounds)
        if not nm or text[pos:pos + len(nm) + 1].endswith("某"):
            continue
        posts, orgs, inherited, official = [], [], None, False
        for pm in group:
            found, place = _post_orgs(pm.group("org"), inherited, ctx)
            inherited = place or inherited
            orgs.extend(found)
            posts.append(_post_literal(pm, ctx))
            official |= heads[pm.group("head")] == "official"
        typ = "Official" if official else "Person"
        spans.append(Span(pos, pos + len(nm), typ, nm, nm,
                          data={"posts": posts, "orgs": orgs, "post_span": (group[0].start(), end)}))
        for k in range(group[0].start(), pos + len(nm)):
            used[k] = True
    # name first: 周海涛书记, 张建国总书记, 刘志明总理, 民警孙丽娟 is title-first above
    for m in rx.finditer(text):
        if used[m.start()] or m.group("org") or heads[m.group("head")] != "official":
            continue
        h = m.start()
        if h not in bounds:
            continue   # 江阴市长泾镇: 市长 inside a place name
        for L in (3, 2, 4):
            i0 = h - L
            if i0 < 0 or used[i0]:
                continue
            nm = name_at(text, i0, bounds, end=h)
            if nm and not (L == 3 and text[i0] in NAME_STOP) and nm not in ctx.form_map:
                spans.append(Span(i0, h, "Official", nm, nm,
                                  data={"posts": [m.group()], "orgs": [], "post_span": (m.start(), m.end())}))
                for k in range(i0, m.end()):
                    used[k] = True
                break
    # anonymised people: 徐某, 黄先生, 邵大爷 (kept per article, never merged)
    for m in _anon_re().finditer(text):
        if any(used[m.start():m.end()]):
            continue
        spans.append(Span(m.start(), m.end(), "Person", m.group("n"), m.group("n"), anonymous=True,
                          data={"posts": [], "orgs": []}))
    return spans
