"""The README's SPARQL examples run pasted as they are: every prefix declared (as `kg serve`
needs), in Oxigraph's engine, on the committed seeds graph, with rows."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _examples() -> list[str]:
    blocks = re.findall(r"```sparql\n(.*?)```", README, re.S)
    for cmd in re.findall(r"^kg query \S+ '(.*?)'", README, re.S | re.M):   # inline queries
        blocks.append(cmd)
    return blocks


@pytest.fixture(scope="module")
def store():
    st = ox.Store()
    st.load(path=str(ROOT / "exports" / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    return st


def test_there_are_examples():
    assert len(_examples()) >= 2


@pytest.mark.parametrize("query", _examples(), ids=lambda q: shlex.split(q.strip())[-1][:20])
def test_readme_query_runs_pasted(store, query):
    rows = list(store.query(query))   # no implicit prefixes: an undeclared one is a syntax error
    assert rows
