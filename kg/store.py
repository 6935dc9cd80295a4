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

import shutil
from pathlib import Path
from typing import Iterable, Union

import rdflib

from .errors import GraphError
from .fileio import replace_dir, sibling, sweep_stale
from .graphio import is_store, open_store, ox_format  # noqa: F401 - part of this module's API

# Extension -> pyoxigraph format name (RdfFormat attribute).
GraphSource = Union[rdflib.Graph, Path, str, Iterable[Union[Path, str]]]


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
        fmt = ox_format(f)
        try:
            store.bulk_load(path=str(f), format=fmt)
        except SyntaxError as e:  # pyoxigraph reports parse errors as SyntaxError
            raise GraphError(f"{f}: cannot parse: {e}") from None


def write_store(graph_or_files: GraphSource, store_dir: Path, *, overwrite: bool = True) -> Path:
    """Bulk-load a Graph/Dataset or graph files (.ttl .nt .nq .trig .jsonld .rdf) into a new
    Oxigraph store at `store_dir`; returns `store_dir`.

    The store is built in a temp directory beside `store_dir` and renamed into place, so a
    failure leaves no half-loaded store.  An existing store at `store_dir` is replaced (a
    rebuild), unless `overwrite=False`; any other non-empty directory or file is an error.
    """
    import pyoxigraph as ox

    store_dir = Path(store_dir)
    sweep_stale(store_dir)
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
        tmp = sibling(store_dir, "new")
        tmp.mkdir()
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
        previous = replace_dir(tmp, store_dir, sibling(store_dir, "old"))
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except GraphError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (OSError, ValueError, SyntaxError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GraphError(f"{store_dir}: cannot write the store: {e}") from None
    return store_dir
