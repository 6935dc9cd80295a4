"""Other organisations: Party committees, governments, courts, other agencies, media, teams."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from .context import Context, Span
from .text import HAN, common_word, left_start, stop_words


@lru_cache(maxsize=1)
def org_heads() -> dict[str, tuple[str, str]]:
    rows = lexicon.table("org_heads.tsv", ("head", "type", "template"))
    return {r["head"]: (r["type"], r["template"]) for r in rows}


@lru_cache(maxsize=1)
def org_suffixes() -> dict[str, bool]:
    rows = lexicon.table("org_suffixes.tsv", ("suffix", "needs_place"))
    return {r["suffix"]: r["needs_place"] == "yes" for r in rows}


_LEVEL = "省|市|区|县|州"


def org_name(head: str, place_name: str | None) -> str | None:
    typ, template = org_heads()[head]
    if template == "-":
        return head
    if not place_name:
        return None
    return template.format(place=place_name)


def resolve_place(ctx: Context, place_form: str | None, level: str | None):
    if place_form:
        return ctx.place_of(place_form)
    if level:
        return ctx.level_place(level)
    return None


def find_orgs(text: str, ctx: Context, taken: list[bool], bounds: set[int]) -> list[Span]:
    spans = []
    heads = [h for h in org_heads() if org_heads()[h][0] == "Organization"]
    alt = lexicon.alternation(heads)
    P = ctx.place_re
    rx = re.compile(f"(?P<p>{P})?(?P<lvl>{_LEVEL})?(?P<h>{alt})")
    for m in rx.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        h = m.group("h")
        typ, template = org_heads()[h]
        if template != "-" and not (m.group("p") or m.group("lvl")):
            continue
        if h == "委" and re.match("(?:员|托|屈|派|会)", text[m.end():m.end() + 1]):
            continue
        if m.group("lvl") and not m.group("p") and m.start() > 0 and re.match(f"[{HAN}]", text[m.start() - 1]) \
                and text[m.start() - 1] not in "和与及、的在向到由受经对为给将获由、":
            continue   # 全市委…, 城市政府… are not ours
        d = resolve_place(ctx, m.group("p"), m.group("lvl"))
        if template != "-" and d is None:
            continue
        # a level word after a full place name (浙江省 + 委) is part of the name already
        name = org_name(h, d.name if d else None)
        if name is None:
            continue
        data = {"division": d.code} if d else {}
        spans.append(Span(m.start(), m.end(), "Organization", name, m.group(), data=data))
        for k in range(m.start(), m.end()):
            taken[k] = True
    # other agencies and bodies: (place|level)? + name + suffix
    sfx = org_suffixes()
    alt2 = lexicon.alternation(sfx)
    rx2 = re.compile(f"(?:{alt2})")
    for m in rx2.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        suffix = m.group()
        start = left_start(text, m.start(), bounds, stop_words(), 10, taken)
        name = text[start:m.start()]
        owner = next((sp for sp in spans if sp.end == m.start()), None)
        if owner is not None and not name:
            spans.append(Span(owner.start, m.end(), "Organization", owner.name + suffix, text[owner.start:m.end()],
                              data=dict(owner.data)))
            for k in range(m.start(), m.end()):
                taken[k] = True
            continue
        pm = re.match(f"(?P<p>{P})?(?P<lvl>{_LEVEL})?", name)
        d = resolve_place(ctx, pm.group("p"), pm.group("lvl"))
        rest = name[pm.end():]
        if sfx[suffix]:   # needs a place: written, or the article's own
            d = d or ctx.level_place("市") or ctx.home
            if d is None or (rest and common_word(rest, 100)):
                continue
            canon = f"{d.name}{rest}{suffix}"
        else:
            if len(name) < 2:
                continue
            canon = f"{name}{suffix}"
        spans.append(Span(start, m.end(), "Organization", canon, text[start:m.end()],
                          data={"division": d.code} if d else {}))
        for k in range(start, m.end()):
            taken[k] = True
    return spans
