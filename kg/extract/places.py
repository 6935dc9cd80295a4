"""Places an article names, and the article's home place (what 市/区/省 refer to)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .. import lexicon
from ..places import COUNTY, PREFECTURE, PROVINCE, Division, gazetteer
from .text import HAN, common_word

# Words that, right after a place's short form, show it is used as a place (永康公安, 湖州警方).
_PLACE_CUE = re.compile(r"(公安|警方|市局|分局|市委|县委|区委|省委|州委|政府|全市|全区|全县|大地|人民|籍|境内|地区|市民|警务|法院|检察院)")


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


def _scan(text: str, forms: dict[str, list[Division]], maxlen: int):
    i, n = 0, len(text)
    while i < n:
        for L in range(min(maxlen, n - i), 1, -1):
            s = text[i:i + L]
            if s in forms:
                yield i, i + L, s
                i += L - 1
                break
        i += 1


def index_places(texts: list[str]) -> PlaceIndex:
    gaz = gazetteer()
    full = gaz.by_name
    short = gaz.by_short
    maxlen = max(map(len, full))
    idx = PlaceIndex()
    pending: list[tuple[str, list[Division], bool]] = []   # short forms waiting for context
    for text in texts:
        for s, e, form in _scan(text, {**short, **full}, maxlen):
            if form in full and not _blocked(form):
                cands = full[form]
                strong = True
            else:
                if form not in full and _blocked(form):
                    continue   # a short form that is an ordinary word (公安, 城关) never counts
                cands = full.get(form) or short[form]
                after = text[e:e + 3]
                strong = bool(_PLACE_CUE.match(after))
            if re.match("(?:镇|乡|村|街道|路|街|桥|社区|小区|站|港|湾|山|湖|江|河)", text[e:e + 2]) and form not in full:
                continue   # 舟山镇, 永康南站: part of a smaller place's name
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
                rounds == 1 and any(a.code in idx.found for a in gaz.ancestors(d)))
            if ok and not (d.level != PROVINCE and _blocked(form) and not strong):
                idx.found[d.code] = d
    for form, cands, strong in pending:
        d = _choose(cands, idx)
        if d is not None and d.code in idx.found:
            idx.forms.setdefault(d.code, set()).add(form)
            idx.counts[d.code] += 1
    idx.home = _home(idx, texts)
    return idx


def _blocked(form: str) -> bool:
    return form in lexicon.words("place_short_blocklist.txt")


def _choose(cands: list[Division], idx: PlaceIndex) -> Division | None:
    """Pick among same-named divisions: the one whose ancestors the article mentions."""
    if len(cands) == 1:
        return cands[0]
    gaz = gazetteer()

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
    gaz = gazetteer()
    police = Counter()
    joined = "\n".join(texts)
    for code, forms in idx.forms.items():
        for f in forms:
            police[code] += len(re.findall(re.escape(f) + r"(?:市|区|县)?(?:公安|警方|市局|分局)", joined))
    level_rank = {COUNTY: 2, PREFECTURE: 1, PROVINCE: 0}

    def score(code):
        d = idx.found[code]
        return (police[code] > 0, police[code] + idx.counts[code], level_rank[d.level])
    best = max(sorted(idx.found), key=score)
    # a child of the winner that the police are named after wins (永康 inside 金华)
    return gaz.by_code[best]
