"""The Naming stage, after Find: one canonical name per organ within an article.

A branch written 旌阳区分局 and 旌阳分局 takes the fuller form, a name defined as short for
another is that one, and an autonomous division written short (红河州) keeps that form, as do
its organs.  A person written with the first part of a transliterated name is the person the
article names in full (阿合买提, 阿合买提·努尔兰).  The stage renames the spans in place and records
the names in the context (`Context.written`, `Context.short`) for the relation rules.
"""
from __future__ import annotations

import re

from ..places import gazetteer
from .context import Context, bureau_name


def name_organs(ctx: Context, analysed) -> None:
    """Rename the spans of `analysed` (kg.extract.find's output) in place."""
    ctx.written = one_name_per_organ(analysed)
    autonomous_as_written(analysed, ctx)
    dotted_names_in_full(analysed)
    anonymised_names_in_full(analysed)


def anonymised_names_in_full(analysed) -> None:
    """An anonymised person written 何某 where the article also writes 何某川 (and no other
    name of that start) is 何某川: the text gives the given name only where a stop follows it."""
    full: dict[str, set[str]] = {}
    for _, _, spans in analysed:
        for sp in spans:
            if sp.anonymous and len(sp.name) == 3 and sp.name[1] == "某" and sp.name[2] != "某":
                full.setdefault(sp.name[:2], set()).add(sp.name)
    for _, _, spans in analysed:
        for sp in spans:
            names = full.get(sp.name) if sp.anonymous else None
            if names is not None and len(names) == 1:
                sp.name = next(iter(names))


def dotted_names_in_full(analysed) -> None:
    """A person written with the first part of a transliterated name the article gives in
    full (阿合买提 beside 阿合买提·努尔兰) is that person, when one full name has that part.  (The
    text is folded: one middle dot, kg.extract.text.fold.)"""
    full: dict[str, set[str]] = {}
    for _, _, spans in analysed:
        for sp in spans:
            if sp.type in ("Person", "Official") and "·" in sp.name:
                full.setdefault(sp.name.partition("·")[0], set()).add(sp.name)
    if not full:
        return
    for _, _, spans in analysed:
        for sp in spans:
            names = full.get(sp.name) if sp.type in ("Person", "Official") else None
            if names is not None and len(names) == 1:
                sp.name = next(iter(names))


def autonomous_as_written(analysed, ctx: Context) -> None:
    """An autonomous prefecture or county written short (红河州, 循化县) keeps that name in the
    article, and so do its organs (红河州公安局)."""
    short: dict[str, str] = {}
    for _, _, spans in analysed:
        for sp in spans:
            d = gazetteer().by_code.get(sp.data.get("division") or "") if sp.type == "Place" else None
            if d is not None and "自治" in d.name and not d.name.endswith("自治区") and sp.surface != d.name \
                    and len(sp.surface) >= 3 and sp.surface[-1] == d.name[-1]:
                short.setdefault(d.code, sp.surface)
    if not short:
        return
    rename = _prefix_renamer({gazetteer().by_code[c].name: w for c, w in short.items()})
    for _, _, spans in analysed:
        for sp in spans:
            sp.name = rename(sp.name)
            _rename_references(sp, rename)
    ctx.short = short
    for c, w in short.items():
        ctx.written.setdefault(c, rename(ctx.written.get(c) or bureau_name(gazetteer().by_code[c])))


_SHORT_FOR = re.compile(r"[（(](?:以下|下文)?简称[：:]?“([^“”]{2,12})”[）)]")


def one_name_per_organ(analysed) -> dict[str, str]:
    """Within an article, one name per police organ: a branch written 旌阳区分局 and 旌阳分局 takes
    the fuller form, and a name defined as short for another (（以下简称“旌阳分局”）) is that one."""
    branches: dict[str, str] = {}
    for _, _, spans in analysed:
        for sp in spans:
            code = sp.data.get("division")
            if sp.type == "Bureau" and code and "分局" in sp.name and sp.data.get("written"):
                best = branches.get(code)
                if best is None or len(sp.name) > len(best):
                    branches[code] = sp.name
    aliases: dict[str, str] = {}
    for _, text, spans in analysed:
        for m in _SHORT_FOR.finditer(text):
            owner = next((sp for sp in reversed(spans) if sp.end <= m.start() and sp.type != "Place"), None)
            if owner is not None and owner.end == m.start():
                aliases[m.group(1)] = owner.name
    built = {bureau_name(gazetteer().by_code[c]): w for c, w in branches.items()}
    # the other forms of a branch written in the article (天河分局 beside 天河区分局) too, so that
    # the posts and units that name them follow
    built.update({sp.name: branches[sp.data["division"]] for _, _, spans in analysed for sp in spans
                  if sp.type == "Bureau" and sp.data.get("division") in branches and "分局" in sp.name})
    rename = _prefix_renamer({b: w for b, w in sorted(built.items(), key=lambda kv: -len(kv[0])) if b != w})
    for _, _, spans in analysed:
        for sp in spans:
            code = sp.data.get("division")
            if sp.type == "Bureau" and code in branches and "分局" in sp.name and sp.name != branches[code]:
                sp.name = branches[code]
            elif sp.type == "Bureau":
                sp.name = rename(sp.name)
            _rename_references(sp, rename)
            if sp.surface in aliases and sp.type != "Place":
                sp.name = aliases[sp.surface]
    return branches


def _prefix_renamer(mapping: dict[str, str]):
    """A function that gives a name starting with a key of `mapping` that key's value as its
    start instead (the first key that fits, in the mapping's order)."""
    def rename(name):
        for old, new in mapping.items():
            if name and name.startswith(old):
                return new + name[len(old):]
        return name
    return rename


def _rename_references(sp, rename) -> None:
    """The organs a span refers to (its parent, the organisations of its posts), renamed."""
    if sp.data.get("parent"):
        sp.data["parent"] = rename(sp.data["parent"])
    if "orgs" in sp.data:
        sp.data["orgs"] = [(t, rename(n)) for t, n in sp.data["orgs"]]
