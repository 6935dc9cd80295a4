"""Places an article names, and the article's home place (what 市/区/省 refer to)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .. import lexicon
from ..model import Span
from ..places import COUNTY, PREFECTURE, PROVINCE, Division, gazetteer
from .registry import SentenceView, extractor
from .text import HAN, common_word

# Words that, right after a place's short form, show it is used as a place (永康公安, 湖州警方, 兰州交警).
_PLACE_CUE = re.compile(r"(公安|交警|特警|巡警|民警|铁路|民航|警方|市局|分局|市委|县委|区委|省委|州委|政府|全市|全区|全县|大地|人民|籍|境内|地区|市民|警务|法院|检察院)")


@dataclass
class PlaceIndex:
    """The divisions an article mentions, with where each form occurs."""
    found: dict[str, Division] = field(default_factory=dict)      # code -> division
    forms: dict[str, set[str]] = field(default_factory=dict)       # code -> surface forms seen
    counts: Counter = field(default_factory=Counter)               # code -> occurrences
    home: Division | None = None

    def form_map(self) -> dict[str, Division]:
        out = {}
        for code, forms in self.forms.items():
            for f in forms:
                out[f] = self.found[code]
        for d in self.found.values():   # full names of mentioned places always resolve
            out.setdefault(d.name, d)
        return out


@lru_cache(maxsize=1)
def _forms() -> tuple[dict[str, list[Division]], dict[str, tuple[int, ...]]]:
    """Every division's full name and short form, and for each first two characters the lengths
    of the forms (of two or more characters) that start with them (longest first)."""
    gaz = gazetteer()
    forms = {**gaz.by_short, **gaz.by_name}
    lengths: dict[str, set[int]] = {}
    for f in forms:
        if len(f) >= 2:
            lengths.setdefault(f[:2], set()).add(len(f))
    return forms, {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}


@lru_cache(maxsize=1)
def _first_chars() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in sorted({p[0] for p in _forms()[1]})) + "]")


def _scan(text: str):
    """Longest place forms, left to right, without overlaps: (start, end, form)."""
    forms, lengths = _forms()
    first = _first_chars()
    i, n = 0, len(text)
    while i < n:
        m = first.search(text, i)   # the next character a form starts with
        if m is None:
            return
        i = m.start()
        for L in lengths.get(text[i:i + 2], ()):
            if i + L <= n and text[i:i + L] in forms:
                yield i, i + L, text[i:i + L]
                i += L - 1
                break
        i += 1


_SMALLER_PLACE = re.compile("(?:镇|乡|村|街道|路|街|桥|社区|小区|站|港|湾|山|湖|江|河)")
_TOWN_AHEAD = re.compile(f"(?=(?P<name>[{HAN}]{{2}})(?P<suf>街道|镇|乡))")


def index_places(texts: list[str]) -> PlaceIndex:
    gaz = gazetteer()
    full = gaz.by_name
    short = gaz.by_short
    idx = PlaceIndex()
    pending: list[tuple[str, list[Division], bool]] = []   # short forms waiting for context
    for text in texts:
        for s, e, form in _scan(text):
            if form in full and not _blocked(form):
                cands = full[form]
                strong = True
            else:
                if form not in full and _blocked(form):
                    continue   # a short form that is an ordinary word (公安, 城关) never counts
                cands = full.get(form) or short[form]
                after = text[e:e + 3]
                strong = bool(_PLACE_CUE.match(after))
            if _SMALLER_PLACE.match(text[e:e + 2]) and form not in full:
                continue   # 舟山镇, 永康南站: part of a smaller place's name
            if (len(form) <= 2 or form not in full) and _glued(text, s, e):
                continue
            pending.append((form, cands, strong))
    # full names and cue-supported short forms first; then short forms whose parent is known
    for rounds in range(2):
        for form, cands, strong in pending:
            d = _choose(cands, idx)
            if d is None:
                continue
            prov_known = any(a.code in idx.found for a in gaz.ancestors(d))
            ok = strong or d.level == PROVINCE or (
                d.level == PREFECTURE and not common_word(form, 100) and (rounds == 1 and prov_known or len(form) >= 3)) or (
                rounds == 1 and prov_known)
            if ok and not (d.level != PROVINCE and _blocked(form) and not strong):
                idx.found[d.code] = d
    for form, cands, strong in pending:
        d = _choose(cands, idx)
        if d is not None and d.code in idx.found:
            idx.forms.setdefault(d.code, set()).add(form)
            idx.counts[d.code] += 1
    idx.home = _home(idx, texts)
    return idx


def _glued(text: str, s: int, e: int) -> bool:
    """A short form inside other words: not followed by a place cue (永康公安, 金水分局), and its
    first character makes a common word with the one before it (示范县, 市民和, 十八大安保)."""
    return s > 0 and not _PLACE_CUE.match(text, e) and common_word(text[s - 1:s + 1], 100)


def _blocked(form: str) -> bool:
    return form in _blocklist()


@lru_cache(maxsize=1)
def _blocklist() -> frozenset[str]:
    return frozenset(lexicon.words("place_short_blocklist.txt"))


def _choose(cands: list[Division], idx: PlaceIndex) -> Division | None:
    """Pick among same-named divisions: the one whose ancestors the article mentions."""
    if len(cands) == 1:
        return cands[0]
    gaz = gazetteer()
    for d in cands:   # 长沙: the city, not 长沙县 inside it
        if any(gaz.parent(o) is d for o in cands if o is not d):
            return d

    def score(d):
        return (sum(a.code in idx.found for a in gaz.ancestors(d)), d.code in idx.found,
                {PROVINCE: 2, PREFECTURE: 1, COUNTY: 0}[d.level])
    best = max(cands, key=score)
    return best


def _home(idx: PlaceIndex, texts: list[str]) -> Division | None:
    """The place the article is about: most mentioned, preferring places its police are
    named after (永康公安, 平湖市公安局) and the lowest level among equals."""
    if not idx.found:
        return None
    police = Counter()
    named = _police_named(texts, {f for forms in idx.forms.values() for f in forms})
    for code, forms in idx.forms.items():
        for f in forms:
            police[code] += named[f]
    level_rank = {COUNTY: 2, PREFECTURE: 1, PROVINCE: 0}

    def score(code):
        d = idx.found[code]
        return (police[code] > 0, police[code] + idx.counts[code], level_rank[d.level])
    return idx.found[max(sorted(idx.found), key=score)]


_POLICE_CUE = re.compile("公安|警方|市局|分局")


def _police_named(texts: list[str], forms: set[str]) -> Counter:
    """How often each of `forms` is written right before a police word, with an optional level
    word between (永康公安, 平湖市公安局, 旌阳分局): one scan, whatever the number of forms."""
    lengths = sorted({len(f) for f in forms})
    out: Counter = Counter()
    for text in texts:
        for m in _POLICE_CUE.finditer(text):
            c = m.start()
            seen = set()
            for end in (c - 1, c) if c and text[c - 1] in "市区县" else (c,):
                for L in lengths:
                    f = text[end - L:end] if L <= end else ""
                    if f in forms and f not in seen:   # one count per cue and form
                        seen.add(f)
                        out[f] += 1
    return out


_TOWN = re.compile(f"(?P<name>[{HAN}]{{2,3}}?)(?P<suf>街道|镇|乡)")
_VILLAGE = re.compile(f"(?P<name>[{HAN}]{{2,3}}?)(?P<suf>村|社区)(?!民|委|干部|级|组)")
_NOT_NAME = set("一二三四五六七八九十百千个各全本该每乡村镇这那此其")


@extractor(70)
def find_places(view: SentenceView) -> list[Span]:
    """The divisions the article names (in any of their forms, over other spans: 铜陵市 inside
    铜陵市公安局), then towns and villages on free characters."""
    ctx, text = view.ctx, view.text
    spans = []
    if ctx.form_map:
        for m in ctx.place_rx.finditer(text):
            d = ctx.place_of(m.group())
            if d is not None and not ((len(m.group()) <= 2 or m.group() != d.name) and _glued(text, *m.span())):
                spans.append(Span(m.start(), m.end(), "Place", d.name, m.group(), data={"division": d.code}))
    return spans + find_towns(text, spans, view.taken, view.bounds)


def find_towns(text: str, divisions: list, taken: list[bool], bounds: set[int]) -> list:
    """Towns, streets and villages (below the division table): 江阴市长泾镇, 香洲区拱北街道,
    舟山镇红柿园村.  A name written right after a county (or a town, for villages) counts; a
    two-character town name also counts after a preposition or punctuation (为舟山镇…)."""

    out = []
    ends = {sp.end for sp in divisions if gazetteer().by_code[sp.data["division"]].level == COUNTY}
    ends |= {e + 1 for e in ends if text[e:e + 1] in ("县", "区", "市", "旗")}   # 孟连 + 县勐马镇

    def ok(name, start, chained=False):
        return (chained or not any(ch in _NOT_NAME for ch in name) and not common_word(name, 300)) \
            and not any(taken[start:start + len(name)])
    for e in sorted(ends):   # written right after a county: 江阴市长泾镇
        if text[e:e + 1] in ("县", "区", "市", "旗") and e + 1 in ends:
            continue
        m = _TOWN.match(text, e)
        if m and ok(m.group("name"), e, chained=True):
            out.append(Span(e, m.end(), "Place", m.group(), m.group()))
    for m in _TOWN_AHEAD.finditer(text):
        start = m.start()
        end = m.end("suf")
        before = text[start - 1:start] if start else ""
        if any(sp.start <= start < sp.end for sp in out) or start in ends:
            continue
        if before and re.match(f"[{HAN}]", before) and before not in "为如在到的于至和及与从":
            continue
        if (start in bounds or not before) and ok(m.group("name"), start) and not _blocked(m.group("name") + m.group("suf")):
            out.append(Span(start, end, "Place", text[start:end], text[start:end]))
    town_ends = {sp.end for sp in out}
    for e in sorted(town_ends):   # a village right after its town: 舟山镇红柿园村
        m = _VILLAGE.match(text, e)
        if m and ok(m.group("name"), e, chained=True):
            out.append(Span(e, m.end(), "Place", m.group(), m.group()))
    return out
