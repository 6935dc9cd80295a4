"""The build: files -> Documents -> mentions/facts (map, one process per core) -> Corpus
(reduce) -> RDF files and the viewer.  `build` is what `kg build` runs."""
from __future__ import annotations

import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .extract import extract_document
from .fileio import write_atomic
from .ingest import collect_inputs, read_document
from .model import ArticleResult, Corpus
from .resolve import resolve

# Below this many articles a worker pool costs more (start-up, dictionary loading) than it saves.
PARALLEL_MIN_ARTICLES = 64


@dataclass
class BuildReport:
    articles: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    outputs: list[Path] = field(default_factory=list)
    corpus: Corpus | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


def process_file(path: str, doc_id: str | None = None) -> ArticleResult | tuple[str, str]:
    """The map step for one file: read and extract.  Returns (file, reason) on bad input."""
    try:
        doc = read_document(Path(path))
    except InputError as e:
        return (str(path), str(e))
    if doc_id:
        doc.doc_id = doc_id
    return extract_document(doc)


def _doc_ids(files: list[Path]) -> list[str | None]:
    stems = Counter(f.stem for f in files)
    return [None if stems[f.stem] == 1 else f"{f.parent.name}_{f.stem}" for f in files]


def extract_files(files: list[Path], *, workers: int | None = None, progress: bool = True):
    """Map: every article independently, in parallel when there are many."""
    ids = _doc_ids(files)
    workers = workers or os.cpu_count() or 1
    bar = _progress(len(files), progress)
    out = []
    try:
        if workers > 1 and len(files) >= PARALLEL_MIN_ARTICLES:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for r in pool.map(process_file, map(str, files), ids, chunksize=16):
                    out.append(r)
                    bar.update(1)
        else:
            for f, i in zip(files, ids):
                out.append(process_file(str(f), i))
                bar.update(1)
    finally:
        bar.close()
    return out


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="extracting", file=sys.stderr,
                disable=not enabled or total < 2, leave=False)


def build_corpus(inputs, *, workers: int | None = None, progress: bool = False) -> tuple[Corpus, list]:
    """Read, extract and resolve: the Corpus and the list of (file, reason) failures."""
    files = collect_inputs(inputs)
    results, failures = [], []
    for r in extract_files(files, workers=workers, progress=progress):
        (failures if isinstance(r, tuple) else results).append(r)
    return resolve(results), failures


def build(inputs, out_dir: Path, *, workers: int | None = None, progress: bool = True,
          html: bool = True, store: Path | None = None) -> BuildReport:
    """Build the graph of `inputs` (files and folders) into `out_dir`: graph.ttl, graph.trig,
    graph.html.  Bad articles are reported in the result and skipped; if none is usable,
    InputError.  Outputs are written atomically."""
    from . import rdf

    corpus, failures = build_corpus(inputs, workers=workers, progress=progress)
    report = BuildReport(articles=len(corpus.documents), failures=failures, corpus=corpus)
    if not corpus.documents:
        reasons = "; ".join(r for _, r in failures)
        raise InputError(f"no article could be read ({reasons})")
    report.entities = Counter(e.type for e in corpus.entities.values())
    report.relations = Counter(r.predicate for r in corpus.relations)
    out_dir = Path(out_dir)
    graph = rdf.build_graph(corpus)
    ttl = rdf.write_turtle(graph)
    trig = rdf.write_trig(graph, corpus)
    page = None
    if html:
        from .viewer import render_html

        page = render_html(graph, title="gongan-kg").encode("utf-8")
    report.outputs.append(write_atomic(ttl, out_dir / "graph.ttl"))
    report.outputs.append(write_atomic(trig, out_dir / "graph.trig"))
    if page is not None:
        report.outputs.append(write_atomic(page, out_dir / "graph.html"))
    if store is not None:
        from .store import write_store

        report.outputs.append(write_store(graph, Path(store)))
    return report


__all__ = ["build", "build_corpus", "extract_files", "process_file", "BuildReport"]
