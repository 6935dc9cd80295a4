"""Extraction: Document -> mentions and facts (the map step; one article, no global state).

`extract_document` runs three stages over an article:

- Find: the registered entity extractors (kg/extract/registry.py; cases.py, bureaus.py,
  people.py, orgs.py, awards.py, campaigns.py, places.py) sentence by sentence, in the
  context of the article (its places and home, kg/extract/context.py);
- Naming: one canonical name per organ in the article (kg/extract/naming.py);
- Relate: the relation rules (kg/extract/relations.py);

and then reads the article's date and figures (dates.py, figures.py).  Every module of this
package is imported here, so that the extractors it defines are registered.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

from ..ingest import original_span
from ..model import ArticleResult, Document, Mention
from .context import Context, Span
from .dates import date_article
from .figures import find_observations
from .naming import name_organs
from .places import index_places
from .registry import SentenceView, find_spans
from .relations import relate
from .text import HAN, fold

__all__ = ["extract_document", "analyse", "warm_up"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

SKIP_KINDS = ("residue",)


_LOST_QUOTE = re.compile(f"(?<=[{HAN}\\dA-Za-z]) (?=[{HAN}\\dA-Za-z])")


def _restore_lost_quotes(text: str) -> str:
    """OCR and web copies lose quotation marks and leave spaces: 开展 枫桥式 公安派出所创建.
    A Han phrase between two such spaces becomes a quoted name (length-preserving)."""
    if "“" in text or "”" in text:
        return text
    out = list(text)
    opened = False
    for m in _LOST_QUOTE.finditer(text):
        out[m.start()] = "”" if opened else "“"
        opened = not opened
    if opened:   # an unpaired mark: undo the last one
        k = max(i for i, ch in enumerate(out) if ch == "“")
        out[k] = " "
    return "".join(out)


def find(doc: Document) -> tuple[Context, list[tuple[int, str, list[Span]]]]:
    """The Find stage: (sentence index, sentence text, spans) for every sentence, with the
    article's context."""
    sentences = [s for s in doc.sentences if s.kind not in SKIP_KINDS]
    texts = [fold(s.text) for s in sentences]
    ctx = Context.from_index(index_places(texts))
    out = []
    for s, plain in zip(sentences, texts):
        text = _restore_lost_quotes(plain) if s.kind == "body" else plain
        out.append((s.index, text, find_spans(SentenceView.of(text, plain, s.kind, ctx))))
    return ctx, out


def analyse(doc: Document) -> tuple[Context, list[tuple[int, str, list[Span]]]]:
    """The spans of every sentence, canonically named, with the article's context (Find, then
    Naming; for tests and debugging)."""
    ctx, analysed = find(doc)
    name_organs(ctx, analysed)
    return ctx, analysed


def warm_up() -> None:
    """Load every lexicon, compile the grammar and initialise the segmenter once, so that
    worker processes forked afterwards share them (call in the parent before forking)."""
    from ..ingest import _rules, document_from_text
    from . import text as _text
    from .places import _forms
    _rules()
    _text._lexical_state()
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
