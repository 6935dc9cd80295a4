"""Shared fixtures.  `seeds_build` builds the seed articles once per test session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.paths import ontology_file

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
GOLD = DATA / "gold"
ONTOLOGY = ontology_file("kg.ttl")


@pytest.fixture(scope="session")
def mini_graph_path() -> Path:
    """A small hand-written graph in the layout of docs/rdf-layout.md."""
    return DATA / "mini.ttl"


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory) -> Path:
    """Build seeds/ once; returns the output folder (graph.ttl, graph.trig, graph.html)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seeds_build")
    build([SEEDS], out, progress=False)
    return out


@pytest.fixture(scope="session")
def seeds_graph_path(seeds_build) -> Path:
    return seeds_build / "graph.ttl"


@pytest.fixture(scope="session")
def seeds_graph(seeds_graph_path):
    import rdflib

    return rdflib.Graph().parse(seeds_graph_path, format="turtle")


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A writable copy of seeds/ for tests that add or break files."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
