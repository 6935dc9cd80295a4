"""The extractor protocol: an entity extractor is a function (SentenceView) -> list[Span],
registered with `@extractor(rank)`; `find_spans` runs the registered extractors over a
sentence in rank order.

An extractor skips characters an earlier one took (`view.free(start, end)`) and takes the
characters of the spans it keeps (`view.take(span)`), so the rank decides who wins
overlapping characters.  Every module of kg/extract/ is imported when kg.extract is, so a new
module with a registered function is all the wiring an extractor needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from ..model import Span
from .text import Bounds

if TYPE_CHECKING:
    from .context import Context

__all__ = ["SentenceView", "Extractor", "extractor", "register", "unregister", "extractors", "find_spans"]


@dataclass
class SentenceView:
    """What an extractor sees of one sentence.  Span offsets are offsets into `text`."""
    text: str                  # folded, lost quotation marks restored (body sentences)
    plain: str                 # folded, as written (the same length as `text`)
    kind: str                  # body | heading | byline | caption
    ctx: "Context"             # the article's places, home and regexes
    bounds: Bounds             # word boundaries of `text`
    taken: list[bool]          # characters earlier extractors took (len(text) + 1 flags)
    found: dict[str, list[Span]] = field(default_factory=dict)   # extractor name -> its spans so far

    @classmethod
    def of(cls, text: str, plain: str, kind: str, ctx: "Context") -> "SentenceView":
        return cls(text, plain, kind, ctx, Bounds(text), [False] * (len(text) + 1))

    @cached_property
    def plain_bounds(self) -> Bounds:
        """Word boundaries of `plain`."""
        return self.bounds if self.plain == self.text else Bounds(self.plain)

    def free(self, start: int, end: int) -> bool:
        """No earlier extractor took a character of text[start:end]."""
        return not any(self.taken[start:end])

    def take(self, span: Span) -> None:
        self.take_range(span.start, span.end)

    def take_range(self, start: int, end: int) -> None:
        if end > start:
            self.taken[start:end] = [True] * (end - start)


@dataclass(frozen=True)
class Extractor:
    name: str
    rank: int            # run order: a lower rank runs first and wins overlapping characters
    find: Callable[[SentenceView], list[Span]]
    gives_way: bool      # its spans take their characters after the next extractor, minus those overlapping its spans
    ties: int            # where its spans stand among spans of the same extent (a lower number first)


_REGISTRY: list[Extractor] = []   # in rank order
_LISTED: list[Extractor] = []     # in ties order


def register(ex: Extractor) -> None:
    """Add an extractor (replacing one of the same name)."""
    unregister(ex.name)
    _REGISTRY.append(ex)
    _REGISTRY.sort(key=lambda e: (e.rank, e.name))
    _LISTED[:] = sorted(_REGISTRY, key=lambda e: e.ties)


def unregister(name: str) -> None:
    _REGISTRY[:] = [e for e in _REGISTRY if e.name != name]
    _LISTED[:] = sorted(_REGISTRY, key=lambda e: e.ties)


def extractor(rank: int, *, name: str | None = None, gives_way: bool = False, ties: int | None = None):
    """Register the decorated function as an extractor.  `name` (default: the function's module,
    e.g. "people") is the key of its spans in `SentenceView.found`."""
    def deco(fn: Callable[[SentenceView], list[Span]]):
        register(Extractor(name or fn.__module__.rpartition(".")[2], rank, fn, gives_way,
                           rank if ties is None else ties))
        return fn
    return deco


def extractors() -> tuple[Extractor, ...]:
    return tuple(_REGISTRY)


def find_spans(view: SentenceView) -> list[Span]:
    """Run the registered extractors over the sentence: its spans in text order, longer first."""
    waiting: tuple[str, list[Span]] | None = None   # a giving-way extractor's spans
    for ex in _REGISTRY:
        spans = ex.find(view)
        view.found[ex.name] = spans
        if waiting is not None:
            name, held = waiting
            kept = [b for b in held if not any(p.start < b.end and b.start < p.end for p in spans)]
            for b in kept:
                view.take(b)
            view.found[name] = kept
        waiting = (ex.name, spans) if ex.gives_way else None
    if waiting is not None:
        for b in waiting[1]:
            view.take(b)
    out = [sp for ex in _LISTED for sp in view.found[ex.name]]
    out.sort(key=lambda sp: (sp.start, -sp.end))
    return out
