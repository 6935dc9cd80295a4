"""Per-article context: the places it names, its home place and main bureau, and the
grammar's regexes specialised to the article's place names."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .. import lexicon
from ..places import COUNTY, PROVINCE, Division, gazetteer
from ..model import Span  # noqa: F401 - the extractors import it from here
from .places import PlaceIndex


def has_department(d: Division) -> bool:
    """A province whose police organ is a 公安厅; a municipality's is a 公安局 (北京市公安局), and it
    has no 公安厅."""
    return d.level == PROVINCE and not d.is_municipality


def bureau_name(d: Division) -> str:
    """The canonical name of the police organ that serves a division."""
    gaz = gazetteer()
    if has_department(d):
        return d.name + "公安厅"
    if d.level == COUNTY and d.name.endswith("区"):
        parent = gaz.parent(d)
        if parent is not None:
            return f"{parent.name}公安局{d.name}分局"
    return d.name + "公安局"


@lru_cache(maxsize=1)
def unit_suffixes() -> dict[str, str]:
    return {r["suffix"]: r["naming"] for r in lexicon.table("unit_suffixes.tsv")}


@lru_cache(maxsize=1)
def unit_organs() -> dict[str, str]:
    """Unit suffix -> the level of the organ such a unit belongs to (unit_suffixes.tsv, column
    organ): province, prefecture or local; absent: any."""
    return {r["suffix"]: r["organ"] for r in lexicon.table("unit_suffixes.tsv") if r["organ"]}


@lru_cache(maxsize=1)
def custody_suffixes() -> frozenset[str]:
    """Places of custody (看守所, 拘留所 …): unit_suffixes.tsv, column custody."""
    return frozenset(r["suffix"] for r in lexicon.table("unit_suffixes.tsv") if r["custody"] == "yes")


@lru_cache(maxsize=1)
def police_functions() -> tuple[str, ...]:
    return lexicon.words("police_functions.txt")


@dataclass
class Context:
    places: PlaceIndex
    home: Division | None
    form_map: dict[str, Division]
    place_re: str                    # alternation of the article's place forms
    written: dict = field(default_factory=dict)   # division code -> the organ's name as the text writes it
    short: dict = field(default_factory=dict)     # division code -> an autonomous division's name as written (黔西南州)

    @classmethod
    def from_index(cls, idx: PlaceIndex) -> "Context":
        fm = idx.form_map()
        alt = lexicon.alternation(fm) if fm else "(?!)"
        return cls(idx, idx.home, fm, alt)

    @cached_property
    def place_rx(self) -> re.Pattern:
        """The article's place forms, as group "p" (use with .match)."""
        return _place_rx(self.place_re)

    # What 省/市/区/县 refer to in this article.
    def level_place(self, level_word: str) -> Division | None:
        gaz = gazetteer()
        h = self.home
        if h is None:
            return None
        chain = [h] + gaz.ancestors(h)
        if level_word == "省":
            return chain[-1]
        if level_word in ("市", "州", "盟"):
            for d in chain:
                if d.name.endswith(("市", "州", "盟")) and d.level != PROVINCE or d.is_municipality:
                    return d
            return None
        if level_word in ("区", "县", "旗"):
            if h.level == COUNTY:
                return h
            # the article is about a city: its 区/县 is the county it names most (望城区 in 长沙)
            counties = [d for d in self.places.found.values() if d.level == COUNTY
                        and d.name.endswith({"区": "区", "县": "县", "旗": "旗"}[level_word])]
            counties.sort(key=lambda d: (gaz.parent(d) != h, -self.places.counts[d.code], d.code))
            return counties[0] if counties else None
        return None

    @staticmethod
    def gaz_parent(d: Division) -> Division | None:
        return gazetteer().parent(d)

    def main_bureau(self) -> str | None:
        if self.home is None:
            return None
        return self.written.get(self.home.code) or bureau_name(self.home)

    def place_of(self, form: str) -> Division | None:
        return self.form_map.get(form)


@lru_cache(maxsize=256)
def _place_rx(place_re: str) -> re.Pattern:
    return re.compile(f"(?P<p>{place_re})")
