"""Extraction: Document -> mentions and facts (the map step; one article, no global state).

`extract_document` runs the entity grammars sentence by sentence (kg/extract/bureaus.py,
orgs.py, people.py, campaigns.py, cases.py, awards.py, places.py) in the context of the
article (its home place, kg/extract/context.py) and then the relation rules
(kg/extract/relations.py).
"""
from __future__ import annotations

import re

from ..ingest import original_span
from ..model import ArticleResult, Document, Mention
from .awards import find_awards
from .bureaus import find_bureaus
from .campaigns import find_campaigns
from .cases import find_cases
from .context import Context, Span, bureau_name
from .dates import date_article
from .figures import find_observations
from .orgs import find_orgs
from .people import find_people
from .places import find_towns, index_places
from .relations import relate
from .text import HAN, Bounds, fold

__all__ = ["extract_document", "analyse", "warm_up"]

SKIP_KINDS = ("residue",)


def _restore_lost_quotes(text: str) -> str:
    """OCR and web copies lose quotation marks and leave spaces: 开展 枫桥式 公安派出所创建.
    A Han phrase between two such spaces becomes a quoted name (length-preserving)."""
    if "“" in text or "”" in text:
        return text
    out = list(text)
    opened = False
    for m in re.finditer(f"(?<=[{HAN}\\dA-Za-z]) (?=[{HAN}\\dA-Za-z])", text):
        out[m.start()] = "”" if opened else "“"
        opened = not opened
    if opened:   # an unpaired mark: undo the last one
        k = max(i for i, ch in enumerate(out) if ch == "“")
        out[k] = " "
    return "".join(out)


def analyse(doc: Document) -> tuple[Context, list[tuple[int, str, list[Span]]]]:
    """The spans of every sentence, with the article's context (for tests and debugging)."""
    sentences = [s for s in doc.sentences if s.kind not in SKIP_KINDS]
    texts = [fold(s.text) for s in sentences]
    ctx = Context.from_index(index_places(texts))
    out = []
    for s, plain in zip(sentences, texts):
        text = _restore_lost_quotes(plain) if s.kind == "body" else plain
        bounds = Bounds(text)
        taken = [False] * (len(text) + 1)
        spans: list[Span] = find_cases(text, taken)
        bureaus = [b for b in find_bureaus(text, ctx, bounds) if not any(taken[b.start:b.end])]
        # people from the text as written: spaces around a byline's names are not lost quotes
        people = [p for p in find_people(plain, ctx, Bounds(plain) if plain != text else bounds, s.kind, bureaus)
                  if not any(taken[p.start:p.end])]
        for sp in people:
            ps, pe = sp.data.get("post_span", (sp.start, sp.start))
            for k in list(range(sp.start, sp.end)) + list(range(ps, pe)):
                taken[k] = True
        bureaus = [b for b in bureaus if not any(taken[k] for k in range(b.start, b.end)
                                                 if any(p.start <= k < p.end for p in people))]
        for sp in bureaus:
            for k in range(sp.start, sp.end):
                taken[k] = True
        spans += bureaus
        spans += find_orgs(text, ctx, taken, bounds)
        spans += find_awards(text, taken)
        spans += find_campaigns(text, taken, bounds, heading=s.kind in ("heading", "caption"))
        spans += _place_spans(text, ctx, taken, bounds)
        spans += people
        spans.sort(key=lambda sp: (sp.start, -sp.end))
        out.append((s.index, text, spans))
    ctx.written = _one_name_per_organ(out)
    _autonomous_as_written(out, ctx)
    return ctx, out


def _autonomous_as_written(analysed, ctx: Context) -> None:
    """An autonomous prefecture or county written short (红河州, 循化县) keeps that name in the
    article, and so do its organs (红河州公安局)."""
    from ..places import gazetteer
    short: dict[str, str] = {}
    for _, _, spans in analysed:
        for sp in spans:
            d = gazetteer().by_code.get(sp.data.get("division") or "") if sp.type == "Place" else None
            if d is not None and "自治" in d.name and not d.name.endswith("自治区") and sp.surface != d.name \
                    and len(sp.surface) >= 3 and sp.surface[-1] == d.name[-1]:
                short.setdefault(d.code, sp.surface)
    if not short:
        return
    full = {gazetteer().by_code[c].name: w for c, w in short.items()}

    def rename(name):
        for f, w in full.items():
            if name and name.startswith(f):
                return w + name[len(f):]
        return name
    for _, _, spans in analysed:
        for sp in spans:
            sp.name = rename(sp.name)
            if sp.data.get("parent"):
                sp.data["parent"] = rename(sp.data["parent"])
            if "orgs" in sp.data:
                sp.data["orgs"] = [(t, rename(n)) for t, n in sp.data["orgs"]]
    ctx.short = short
    for c, w in short.items():
        ctx.written.setdefault(c, rename(ctx.written.get(c) or bureau_name(gazetteer().by_code[c])))


_SHORT_FOR = re.compile(r"[（(](?:以下|下文)?简称[：:]?“([^“”]{2,12})”[）)]")


def _one_name_per_organ(analysed) -> dict[str, str]:
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
    from ..places import gazetteer
    from .context import bureau_name
    built = {bureau_name(gazetteer().by_code[c]): w for c, w in branches.items()}
    built = {b: w for b, w in built.items() if b != w}

    def rename(name):
        for b, w in built.items():
            if name and name.startswith(b):
                return w + name[len(b):]
        return name
    for _, _, spans in analysed:
        for sp in spans:
            code = sp.data.get("division")
            if sp.type == "Bureau" and code in branches and "分局" in sp.name and sp.name != branches[code]:
                sp.name = branches[code]
            elif sp.type == "Bureau":
                sp.name = rename(sp.name)
            if sp.data.get("parent"):
                sp.data["parent"] = rename(sp.data["parent"])
            if "orgs" in sp.data:
                sp.data["orgs"] = [(t, rename(n)) for t, n in sp.data["orgs"]]
            if sp.surface in aliases and sp.type != "Place":
                sp.name = aliases[sp.surface]
    return branches


def _place_spans(text: str, ctx: Context, taken: list[bool], bounds: set[int]) -> list[Span]:
    spans = []
    if ctx.form_map:
        for m in re.finditer(ctx.place_re, text):
            d = ctx.place_of(m.group())
            if d is not None:
                spans.append(Span(m.start(), m.end(), "Place", d.name, m.group(), data={"division": d.code}))
    return spans + find_towns(text, spans, taken, bounds)


def warm_up() -> None:
    """Load every lexicon, compile the grammar and initialise the segmenter once, so that
    worker processes forked afterwards share them (call in the parent before forking)."""
    from ..ingest import _rules, document_from_text
    from . import text as _text
    from .places import _forms
    _rules()
    _text.tokenizer()
    _text._dict_words()
    _forms()
    sample = ("浙江省永康市公安局局长张三、副局长李四在“雷霆2024”专项行动中侦破“7·12”案，荣立集体二等功。\n"
              "本报讯（记者 王五）市委书记赵六批示肯定芝英派出所“枫桥式”做法，徐某被刑拘。")
    extract_document(document_from_text(sample, doc_id="warm-up"))


def extract_document(doc: Document) -> ArticleResult:
    ctx, analysed = analyse(doc)
    by_index = {s.index: s for s in doc.sentences}
    mentions: list[Mention] = []
    for index, text, spans in analysed:
        sent = by_index[index]
        for sp in spans:
            start, end = _original(sent, sp.start, sp.end)
            mentions.append(Mention(doc.doc_id, index, sp.type, sp.name, sp.surface, start, end,
                                    anonymous=sp.anonymous))
    facts, extra = relate(doc, ctx, analysed)
    mentions.extend(extra)
    date, covers, cal = date_article(doc)
    return ArticleResult(doc, mentions, facts, date, covers, find_observations(doc, ctx, analysed, cal))


def _original(sentence, i: int, j: int) -> tuple[int, int]:
    """Offsets in the file of a span of the sentence; (-1, -1) if it is not inside it."""
    try:
        return original_span(sentence, i, j)
    except ValueError:
        return -1, -1
