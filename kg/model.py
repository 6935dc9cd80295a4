"""The one data model that flows through the pipeline.

Document -> Mention -> Entity -> Relation -> graph.  Everything here is plain data:
each stage is a function of the previous stage's output.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The entity types are the ontology's (kg/vocab.py); the guidelines' core types and relations:
CORE_TYPES = ("Official", "Bureau", "Campaign", "Case", "Award")
PREDICATES = ("holdsPosition", "memberOf", "subOrganizationOf", "locatedIn", "conducted",
              "solved", "partOf", "received", "endorsed")


@dataclass(frozen=True)
class Sentence:
    """A sentence (or heading/byline line) of a document.

    `text` is the sentence with OCR line breaks undone; `start`/`end` are character offsets
    into `Document.text` (the decoded original file), so `text` can always be traced back.
    `gaps` lists (position in `text`, n): n original characters (line breaks and the white
    space around them, letter-spacing, `&nbsp;`) were removed just before `text[position]`;
    `kg.ingest.original_span` uses it to map a span of `text` back to `Document.text`.
    """
    index: int
    text: str
    start: int
    end: int
    kind: str = "body"  # body | heading | byline | caption | residue
    paragraph: int = 0
    gaps: tuple[tuple[int, int], ...] = ()


@dataclass
class Span:
    """What an extractor finds: a typed stretch of one sentence (offsets into the folded sentence
    text), its canonical name, the text as written, and what the relation rules need (`data`)."""
    start: int
    end: int
    type: str
    name: str
    surface: str
    anonymous: bool = False
    data: dict = field(default_factory=dict)


@dataclass
class Document:
    """One article, decoded and split."""
    doc_id: str            # file name without extension, unique within a build
    source: str            # file name as given (no directories)
    text: str              # decoded original text
    encoding: str
    title: str = ""
    bylines: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class Mention:
    """A surface form of an entity in one sentence of one article.

    `name` is the canonical name resolved in the article's context (市公安局 -> 永康市公安局);
    `surface` is what the text says.  `anonymous` marks people like 徐某 who must never be
    merged across articles.
    """
    doc_id: str
    sentence: int
    type: str
    name: str
    surface: str
    start: int = -1        # offsets into Document.text, -1 when not known
    end: int = -1
    anonymous: bool = False


@dataclass(frozen=True)
class Fact:
    """A relation found in one sentence: endpoints are (type, canonical name) in the article."""
    doc_id: str
    sentence: int
    subject: tuple[str, str]
    predicate: str
    object: tuple[str, str] | str     # (type, name) or a literal (holdsPosition)


@dataclass(frozen=True)
class DocDate:
    """The article's publication date as the text states it (kg/extract/dates.py).

    `value` is "2019-12-06", "2019-12" or "2019"; `source` says what it was read from
    (published | stamp | dateline); `text` is the stretch of the file it was read from."""
    value: str
    source: str
    text: str


@dataclass(frozen=True)
class Observation:
    """One figure a sentence reports (kg/extract/figures.py).  `value` is a decimal string
    (万/亿 multiplied out), never a float, so output is deterministic; `period` is resolved
    ("2019", "2019-01/2019-06") or None; `subject` is (type, canonical name) or None."""
    doc_id: str
    sentence: int
    n: int                      # the figure's number within its sentence (0, 1, ...)
    indicator: str
    value: str
    unit: str
    approximate: bool = False
    change: str | None = None   # 同比 | 环比 | 较去年, or None for a level or count
    direction: str | None = None  # up | down for a change
    period: str | None = None
    subject: tuple[str, str] | None = None
    surface: str = ""           # the figure as written (1300余起)
    start: int = -1             # offsets of the figure in Document.text, -1 when not known
    end: int = -1


@dataclass
class ArticleResult:
    """What extraction produced for one article (the map step's output)."""
    document: Document
    mentions: list[Mention]
    facts: list[Fact]
    date: DocDate | None = None
    covers: str | None = None   # the period an annual or half-year review reports on
    observations: list[Observation] = field(default_factory=list)


@dataclass
class Entity:
    """One real-world thing after resolution across articles."""
    key: str               # stable identity: used for the IRI
    type: str
    name: str
    mentions: list[Mention] = field(default_factory=list)

    @property
    def aliases(self) -> list[str]:
        return sorted({m.surface for m in self.mentions} - {self.name})

    @property
    def articles(self) -> list[str]:
        return sorted({m.doc_id for m in self.mentions})


@dataclass(frozen=True)
class Relation:
    """A resolved relation with its evidence."""
    subject: str           # Entity.key
    predicate: str
    object: str            # Entity.key, or the literal for holdsPosition
    literal: bool
    evidence: tuple[tuple[str, int], ...]   # (doc_id, sentence index) pairs


@dataclass
class Corpus:
    """The reduce step's output: what the graph is written from."""
    documents: list[Document]
    entities: dict[str, Entity]
    relations: list[Relation]
    results: list[ArticleResult] = field(default_factory=list)   # for dates and observations


@dataclass
class ArticlePart:
    """One article's share of the graph (the map step's output, kg/rdf.py `article_part`).

    `turtle` holds the triples only this article states, `trig` its named graph.  The rows are
    what the reduce step merges and the build's viewer reads: `names` (entity key, type, name,
    count), `mentions` (entity key, sentence index, surface), `evidence` (subject key, predicate,
    object key or literal, is-literal, sentence index) and `sentences` (index, text) of the
    sentences those cite; `title` and `date` (lexical form, or "") describe the article."""
    doc_id: str
    source: str
    turtle: bytes
    trig: bytes
    names: list[tuple[str, str, str, int]]
    mentions: list[tuple[str, int, str]]
    evidence: list[tuple[str, str, str, bool, int]]
    sentences: list[tuple[int, str]] = field(default_factory=list)
    title: str = ""
    date: str = ""
    triples: int = 0
    packed: bool = False      # turtle and trig zlib-compressed (kg/workstore.py `pack`)


@dataclass(frozen=True)
class Failure:
    """An article that could not be built: the file, the stage (read, extract, graph, write,
    timeout, crash) and a one-line reason."""
    file: str
    stage: str
    reason: str
