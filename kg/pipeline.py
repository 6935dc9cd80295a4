"""The build: files -> Documents -> mentions/facts -> per-article graph parts (the map, one
process per core or a Dask cluster) -> the on-disk reduce store -> graph.ttl, graph.trig,
graph.html.  `build` is what `kg build` runs.

Memory stays flat: articles are read when a worker is free, each finished part goes to disk
(kg/workstore.py), and the output files are streamed out of it.  One article that cannot be read,
raises, or runs over its time budget is reported (and listed in OUT/failures.tsv) and skipped;
the others are built.  A build's files appear together or not at all: they are written into a
fresh folder beside OUT, which then takes OUT's place in one step.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import rdf
from .errors import GraphError, InputError, one_line
from .extract import extract_document, warm_up
from .fileio import replace_dir, sibling, sweep_stale, write_atomic
from .graphio import is_store
from .ingest import decode_bytes, document_from_text, safe_name, scan_inputs
from .model import ArticlePart, Failure
from .pool import Beside, run_dask, run_local
from .workstore import WorkStore, pack

# The files a build writes into its folder; anything else there is the user's, not ours.
OUTPUT_FILES = ("graph.ttl", "graph.trig", "graph.html", "failures.tsv")
CACHE_DIR = ".kg"
DEFAULT_TIMEOUT = 60.0

Progress = Callable[[str, int, "int | None"], None]


@dataclass
class BuildReport:
    articles: int = 0                       # articles in the graph
    failures: list[Failure] = field(default_factory=list)
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    outputs: list[Path] = field(default_factory=list)
    extracted: int = 0                      # articles (re)extracted in this build
    unchanged: int = 0                      # articles reused from the earlier build
    removed: int = 0                        # articles of the earlier build whose files are gone

    @property
    def ok(self) -> bool:
        return not self.failures


# ----------------------------------------------------------------------------- the map step

def process_article(data: bytes, name: str, doc_id: str) -> ArticlePart | Failure:
    """The map step for one article: decode, split, extract, and its share of the graph.
    Never raises: anything that goes wrong is a Failure naming the stage."""
    stage = "read"
    try:
        text, encoding = decode_bytes(data, name)
        doc = document_from_text(text, doc_id=doc_id, source=name, encoding=encoding)
        stage = "extract"
        result = extract_document(doc)
        stage = "graph"
        return pack(rdf.article_part(result))
    except InputError as e:
        return Failure(name, stage, str(e).removeprefix(f"{name}: "))
    except Exception as e:   # the article boundary: one bad article never stops a build
        return Failure(name, stage, one_line(e))


def doc_ids(files: list[Path]) -> list[str]:
    """Unique article ids: the file name without extension, or folder_name when two inputs
    share a name; a number is added if even that collides."""
    stems = [safe_name(f.stem) for f in files]
    count = Counter(stems)
    ids = [stem if count[stem] == 1 else f"{safe_name(f.parent.name)}_{stem}" for f, stem in zip(files, stems)]
    seen: Counter = Counter()
    total = Counter(ids)
    out = []
    for i in ids:
        seen[i] += 1
        out.append(i if total[i] == 1 else f"{i}~{seen[i]}")
    return out


# ----------------------------------------------------------------------------- output folder

def _check_out_dir(out: Path) -> None:
    """Refuse, before any work, an output folder we cannot write or that holds other files."""
    if out.exists() and not out.is_dir():
        raise GraphError(f"{out}: exists and is not a folder")
    parent = out.parent if out.parent != Path("") else Path(".")
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as e:
            raise GraphError(f"{parent}: cannot create the output folder ({e.strerror or e})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise GraphError(f"{parent}: not writable (the build's folder is made there)")
    if out.is_dir():
        foreign = [p.name for p in out.iterdir()
                   if p.name not in OUTPUT_FILES and p.name != CACHE_DIR
                   and not (p.name.startswith(".") and p.name.endswith(".tmp"))
                   and not (p.is_dir() and is_store(p))]
        if foreign:
            shown = ", ".join(sorted(foreign)[:3]) + (" …" if len(foreign) > 3 else "")
            raise GraphError(f"{out}: holds files that are not a build's ({shown}); "
                             "build into an empty folder or an earlier build's folder")


# ----------------------------------------------------------------------------- the build

def build(inputs, out_dir: Path, *, workers: int | None = None, progress: Progress | bool | None = None,
          html: bool = True, store: Path | None = None, article_timeout: float | None = DEFAULT_TIMEOUT,
          scheduler: str | None = None, incremental: bool = True) -> BuildReport:
    """Build the graph of `inputs` (files and folders) into `out_dir`: graph.ttl, graph.trig,
    graph.html (and failures.tsv when articles were skipped).

    An earlier build in `out_dir` is reused: unchanged articles are not extracted again, new
    ones are added, those whose files are gone are dropped; the result is the same as a fresh
    build.  `progress(stage, done, total)` is called as the build goes.  Raises InputError if
    no article is usable, GraphError if the output cannot be written."""
    out = Path(out_dir)
    if out.is_symlink():   # the folder it points to takes the new build, not the link
        out = out.resolve()
    report = BuildReport()
    tick = progress if callable(progress) else (lambda *a: None)
    inputs = [inputs] if isinstance(inputs, (str, bytes, os.PathLike)) else list(inputs)
    for p in inputs:   # a mistyped path must not become a build of the rest (it would drop articles)
        if not Path(os.fsdecode(p)).exists():
            raise InputError(f"{safe_name(p)}: no such file or folder")
    scan = scan_inputs(inputs)
    files = scan.files
    report.failures += [Failure(name, "read", reason) for name, reason in scan.problems]
    if not files:
        raise InputError("no .txt articles found in " + ", ".join(safe_name(p) for p in inputs)
                         + "".join(f"; {n}: {r}" for n, r in scan.problems[:3]))
    _check_out_dir(out)
    sweep_stale(out)
    new, old = sibling(out, "new"), sibling(out, "old")
    try:
        new.mkdir(parents=True)
    except OSError as e:
        raise GraphError(f"{new}: cannot create ({e.strerror or e})") from None
    viewer = None
    try:
        # the viewer's process starts now (at a lower priority than the workers), so that it has
        # loaded its code when the graph is ready
        viewer = Beside("kg.viewer:write_build_page", nice=10) if html else None
        cache = out / CACHE_DIR / "cache.sqlite" if incremental and (out / CACHE_DIR).is_dir() \
            else new / CACHE_DIR / "cache.sqlite"
        ws = WorkStore(cache)
        try:
            _map(files, ws, report, workers=workers, timeout=article_timeout, scheduler=scheduler, tick=tick)
            report.articles = ws.count()
            if not report.articles:
                reasons = "; ".join(f"{f.file}: {f.reason}" for f in report.failures[:5])
                raise InputError(f"no article could be built ({reasons})")
            ws.prepare_reads()
            if viewer is not None:   # drawn while the graph files are written
                viewer.start(new, cache)
            _write_graph(ws, new, report)
            if viewer is not None:
                tick("viewer", 0, 1)
                viewer.result()
                tick("viewer", 1, 1)
        finally:
            ws.close()
        if report.failures:
            lines = ["file\tstage\treason"] + [
                "\t".join(safe_name(x).replace("\t", " ") for x in (f.file, f.stage, f.reason))
                for f in sorted(report.failures, key=lambda f: f.file)]
            write_atomic(("\n".join(lines) + "\n").encode("utf-8"), new / "failures.tsv")
        if store is not None:
            _write_store(new, out, Path(store))
        if cache.parent.parent == out:   # carry the cache and any earlier store over
            os.replace(cache.parent, new / CACHE_DIR)
        if out.is_dir():
            for p in out.iterdir():
                if p.is_dir() and is_store(p) and not (new / p.name).exists():
                    os.replace(p, new / p.name)
        previous = replace_dir(new, out, old)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        if viewer is not None:
            viewer.cancel()
        shutil.rmtree(new, ignore_errors=True)
        raise
    report.outputs = [out / n for n in OUTPUT_FILES if (out / n).exists()]
    if store is not None:
        report.outputs.append(Path(store))
    return report


def _map(files: list[Path], ws: WorkStore, report: BuildReport, *, workers, timeout, scheduler, tick) -> None:
    ids = doc_ids(files)
    known = ws.known()
    current = set(ids)
    for doc_id in sorted(set(known) - current):
        ws.remove(doc_id)
        report.removed += 1
    inflight: dict[int, tuple[str, str, str]] = {}
    total = len(files)
    done = 0

    def tasks():
        nonlocal done
        for i, (f, doc_id) in enumerate(zip(files, ids)):
            name = safe_name(f.name)
            try:
                data = f.read_bytes()
            except OSError as e:
                report.failures.append(Failure(safe_name(str(f)), "read", f"cannot read ({e.strerror or e})"))
                ws.remove(doc_id)
                done += 1
                continue
            sha = hashlib.sha256(data).hexdigest()
            if known.get(doc_id) == (name, sha):
                report.unchanged += 1
                done += 1
                continue
            inflight[i] = (doc_id, sha, str(f))
            yield i, (data, name, doc_id)

    workers = workers or os.cpu_count() or 1
    if scheduler:
        results = run_dask(process_article, tasks(), address=scheduler, timeout=timeout)
    else:
        results = run_local(process_article, tasks(), workers=min(workers, max(1, total)), timeout=timeout,
                            init=warm_up)   # each worker loads the dictionaries once; the parent never does
    tick("extracting", 0, total)
    for tid, res in results:
        doc_id, sha, path = inflight.pop(tid)
        done += 1
        if isinstance(res, ArticlePart):
            try:
                ws.add(res, sha, new=doc_id not in known)
                report.extracted += 1
            except Exception as e:   # one article's write must not stop the build either
                ws.remove(doc_id)
                report.failures.append(Failure(safe_name(path), "write", one_line(e)))
        else:
            ws.remove(doc_id)
            report.failures.append(Failure(safe_name(path), res.stage, res.reason))
        tick("extracting", done, total)
    ws.commit()


def _write_graph(ws: WorkStore, new: Path, report: BuildReport) -> None:
    """graph.ttl and graph.trig, streamed out of the work store in a fixed order."""
    try:
        with open(new / "graph.ttl", "wb") as ttl, open(new / "graph.trig", "wb") as trig:
            report.entities, report.relations = rdf.write_graph(ws, ttl, trig)
    except OSError as e:
        raise GraphError(f"{new}: cannot write the graph ({e.strerror or e})") from None


def graph_bytes(results) -> tuple[bytes, bytes]:
    """(Turtle, TriG) of extraction results, in memory, exactly as a build writes them."""
    import io

    ws = WorkStore(None, fingerprint_="memory")
    for r in results:
        ws.add(rdf.article_part(r), "")
    ttl, trig = io.BytesIO(), io.BytesIO()
    rdf.write_graph(ws, ttl, trig)
    ws.close()
    return ttl.getvalue(), trig.getvalue()


def _write_store(new: Path, out: Path, store: Path) -> None:
    """--store: the graph bulk-loaded into an Oxigraph store, swapped in whole.  A store inside
    OUT is made inside the new build folder (and so appears with the other files)."""
    from .store import write_store

    try:
        rel = store.resolve().relative_to(out.resolve())
    except ValueError:
        rel = None
    write_store([new / "graph.trig"], new / rel if rel is not None else store)


__all__ = ["build", "graph_bytes", "process_article", "doc_ids", "BuildReport"]
