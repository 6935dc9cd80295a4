"""An on-disk Oxigraph store, for graphs too large for rdflib's in-memory store.

    write_store(graph_or_files, store_dir) -> store_dir   bulk-load a graph or graph files
    open_store(store_dir) -> rdflib.Graph                 SPARQL on it through oxrdflib
    is_store(path) -> bool                                 is this an Oxigraph store directory?

The store is the directory `oxigraph serve --location DIR` serves (kg.serve) and the same
on-disk format (pyoxigraph and the oxigraph server are the same version).  Named graphs of a
Dataset or of .trig/.nq files are kept; queries on `open_store(...)` see the default graph
(GRAPH ?g { ... } reaches the named ones).  Our prefixes (kg:, id:, rdfs:, ...) are
pre-bound for queries on the opened graph; oxrdflib does not persist prefixes in the store.

Errors for the CLI: GraphError (exit 1) — unreadable input, target exists and is not empty,
not a store, store locked by another process (e.g. a running `kg serve --writable`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Union

import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .errors import GraphError
from .fileio import recover_dir, replace_dir

# Extension -> pyoxigraph format name (RdfFormat attribute).
_OX_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
               ".rdf": "RDF_XML", ".owl": "RDF_XML", ".jsonld": "JSON_LD", ".json": "JSON_LD"}

GraphSource = Union[rdflib.Graph, Path, str, Iterable[Union[Path, str]]]


def _plain(term):
    """xsd:string literal -> plain literal (the same in RDF 1.1; rdflib compares them unequal)."""
    if isinstance(term, rdflib.Literal) and term.datatype == _XSD_STRING:
        return rdflib.Literal(str(term))
    return term


_XSD_STRING = rdflib.XSD.string


def _backend(inner):
    """An oxrdflib store whose results use plain literals, like rdflib's own parsers."""
    from oxrdflib import OxigraphStore

    class _Store(OxigraphStore):
        def triples(self, triple_pattern, context=None):
            for (s, p, o), ctx in super().triples(triple_pattern, context):
                yield (s, p, _plain(o)), ctx

        def query(self, *args, **kwargs):
            res = super().query(*args, **kwargs)
            if res.type == "SELECT":
                res.bindings = ({k: _plain(v) for k, v in row.items()} for row in res.bindings)
            elif res.type == "CONSTRUCT":
                g = rdflib.Graph()
                for s, p, o in res.graph:
                    g.add((s, p, _plain(o)))
                res.graph = g
            return res

    return _Store(store=inner)


def is_store(path: Path) -> bool:
    """True if `path` is a directory holding an Oxigraph (RocksDB) store."""
    p = Path(path)
    return (p.is_dir() and (p / "CURRENT").is_file()
            and any(p.glob("MANIFEST-*")) and any(p.glob("OPTIONS-*")))


def _ox_format(path: Path):
    import pyoxigraph as ox

    name = _OX_FORMATS.get(path.suffix.lower())
    fmt = getattr(ox.RdfFormat, name, None) if name else None
    if fmt is None:
        raise GraphError(f"{path}: cannot load {path.suffix!r} files into a store "
                         f"(expected one of: {', '.join(sorted(_OX_FORMATS))})")
    return fmt


def _load(store, source: GraphSource) -> None:
    import pyoxigraph as ox

    if isinstance(source, rdflib.Graph):
        if isinstance(source, rdflib.ConjunctiveGraph):  # Dataset: keep named graphs
            data = source.serialize(format="nquads", encoding="utf-8")
            store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
        else:
            data = source.serialize(format="nt", encoding="utf-8")
            store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES)
        return
    files = [source] if isinstance(source, (str, Path)) else list(source)
    for f in map(Path, files):
        if not f.is_file():
            raise GraphError(f"{f}: no such graph file")
        fmt = _ox_format(f)
        try:
            store.bulk_load(path=str(f), format=fmt)
        except SyntaxError as e:  # pyoxigraph reports parse errors as SyntaxError
            raise GraphError(f"{f}: cannot parse: {e}") from None


def _clean_stale(store_dir: Path) -> None:
    """Leftovers of a killed rebuild: an old store moved aside is put back if the new one never
    arrived; temp stores of processes that are gone are removed."""
    for p in sorted(store_dir.parent.glob(f".{store_dir.name}.old-*")):
        recover_dir(store_dir, p)
        shutil.rmtree(p, ignore_errors=True)
    for p in store_dir.parent.glob(f".{store_dir.name}.pid*.tmp"):
        try:
            pid = int(p.name.split(".pid", 1)[1].split(".", 1)[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:
            pass


def write_store(graph_or_files: GraphSource, store_dir: Path, *, overwrite: bool = True) -> Path:
    """Bulk-load a Graph/Dataset or graph files (.ttl .nt .nq .trig .jsonld .rdf) into a new
    Oxigraph store at `store_dir`; returns `store_dir`.

    The store is built in a temp directory beside `store_dir` and renamed into place, so a
    failure leaves no half-loaded store.  An existing store at `store_dir` is replaced (a
    rebuild), unless `overwrite=False`; any other non-empty directory or file is an error.
    """
    import pyoxigraph as ox

    store_dir = Path(store_dir)
    _clean_stale(store_dir)
    existing = store_dir.exists() and (not store_dir.is_dir() or any(store_dir.iterdir()))
    if existing and not (overwrite and is_store(store_dir)):
        what = "an existing store (overwrite=False)" if is_store(store_dir) \
            else "not an empty directory"
        raise GraphError(f"{store_dir}: {what}")
    if existing:  # refuse to replace a store another process (e.g. `kg serve`) has open
        try:
            probe = ox.Store(str(store_dir))
            del probe
        except OSError as e:
            raise GraphError(f"{store_dir}: the store is in use by another process ({e})") from None
    try:
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=store_dir.parent, prefix=f".{store_dir.name}.pid{os.getpid()}.", suffix=".tmp"))
    except OSError as e:
        raise GraphError(f"{store_dir}: cannot create: {e.strerror or e}") from None
    try:
        store = ox.Store(str(tmp))
        try:
            _load(store, graph_or_files)
            store.flush()
        finally:
            del store
        if store_dir.exists() and not existing:
            store_dir.rmdir()
        # swap in one step: a kill at any moment leaves the old store or the new one
        previous = replace_dir(tmp, store_dir, store_dir.parent / f".{store_dir.name}.old-{os.getpid()}")
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except GraphError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (OSError, ValueError, SyntaxError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GraphError(f"{store_dir}: cannot write the store: {e}") from None
    return store_dir


def open_store(store_dir: Path, *, dataset: bool = False, read_only: bool = True) -> rdflib.Graph:
    """Open an Oxigraph store as an rdflib graph (via oxrdflib) for SPARQL and reading.

    Returns a Graph over the store's default graph, or with `dataset=True` an rdflib.Dataset
    that also exposes the named graphs (for exports to .nq/.trig).  `read_only` (default)
    opens without taking the store's write lock, so it works beside a running server.
    """
    import pyoxigraph as ox

    from .export import PREFIXES

    store_dir = Path(store_dir)
    if not is_store(store_dir):
        raise GraphError(f"{store_dir}: not an Oxigraph store directory")
    try:
        inner = ox.Store.read_only(str(store_dir)) if read_only else ox.Store(str(store_dir))
    except OSError as e:
        hint = " (locked by another process, e.g. a running `kg serve --writable`; " \
               "open it read-only)" if "lock" in str(e).lower() else ""
        raise GraphError(f"{store_dir}: cannot open the store: {e}{hint}") from None
    backend = _backend(inner)
    if dataset:
        g = rdflib.Dataset(store=backend)
    else:
        g = rdflib.Graph(store=backend, identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g
