"""The layer rules, read from the source with ast (imports at module level and inside functions):

- Read (kg/ingest.py) knows no entity types and nothing of the later stages;
- jieba is imported only in Find (kg/extract/);
- rdflib (and the libraries built on it) only from the Graph stage on (kg/rdf.py and later),
  never from Read, Find, the model, Resolve or the lexicon, not even through another module;
- nothing below the CLI prints or draws progress bars (progress goes through a callback);
- nothing imports the CLI;
- no import cycles among the kg modules.

A violation in a file another branch is changing is an xfail(strict=True) naming the file: it
turns into a failure as soon as the file is fixed, and the mark must then go.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

from kg.model import PREDICATES
from kg.vocab import ENTITY_TYPES

KG = Path(__file__).resolve().parent.parent / "kg"

# Below the Graph stage: no rdflib, directly or through any kg module they import.
BELOW_GRAPH = ("kg.ingest", "kg.model", "kg.resolve", "kg.lexicon", "kg.iri", "kg.places",
               "kg.errors", "kg.paths", "kg.fileio")
RDF_LIBS = {"rdflib", "oxrdflib", "pyshacl"}
READ_MAY_IMPORT = {"kg.errors", "kg.lexicon", "kg.model", "kg.paths", "kg.fileio"}
MODEL_TYPE_NAMES = {"Entity", "Mention", "Relation", "ENTITY_TYPES", "PREDICATES", "Span"}


def _name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=None)
def modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), str(p)))
            for p in sorted(KG.rglob("*.py")) if "__pycache__" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or \
           (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST):
    """Every node, skipping `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


@lru_cache(maxsize=None)
def imports(mod: str) -> tuple[frozenset[str], frozenset[str]]:
    """(kg modules, top-level outside packages) that `mod` imports, anywhere in its code."""
    path, tree = modules()[mod]
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    ours, theirs = set(), set()

    def add(name: str) -> None:
        if name == "kg" or name.startswith("kg."):
            ours.add(name)
        else:
            theirs.add(name.split(".")[0])

    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                add(a.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "__future__":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                add(sub if sub in modules() else target)
    ours.discard(mod)
    return frozenset(m for m in ours if m in modules()), frozenset(theirs)


def reachable(mod: str) -> set[str]:
    seen, todo = set(), [mod]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(imports(m)[0])
    return seen


def cycles() -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in imports(v)[0]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(modules()):
        if v not in index:
            visit(v)
    return out


def _known(mod: str, reasons: dict[str, str]):
    return pytest.param(mod, marks=pytest.mark.xfail(strict=True, reason=reasons[mod])) \
        if mod in reasons else mod


# --- the checker itself ---------------------------------------------------------------

def test_the_reader_sees_every_module_and_import():
    mods = modules()
    assert {"kg.cli", "kg.ingest", "kg.rdf", "kg.extract", "kg.extract.people"} <= set(mods)
    assert "kg.model" in imports("kg.ingest")[0]
    assert "jieba" in set().union(*(imports(m)[1] for m in mods if m.startswith("kg.extract")))
    assert "rdflib" in imports("kg.rdf")[1]
    assert {"kg.iri", "kg.model"} <= imports("kg.rdf")[0]      # `from . import iri` is the module


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    fake = {"kg.a": ({"kg.b"}, set()), "kg.b": ({"kg.c"}, set()), "kg.c": ({"kg.a"}, set()),
            "kg.d": ({"kg.a"}, set())}
    monkeypatch.setitem(globals(), "modules", lambda: fake)
    monkeypatch.setitem(globals(), "imports", lambda m: fake[m])
    assert cycles() == [{"kg.a", "kg.b", "kg.c"}]


# --- the rules --------------------------------------------------------------------------

def test_read_knows_no_entity_types():
    ours, _ = imports("kg.ingest")
    assert ours <= READ_MAY_IMPORT, sorted(ours - READ_MAY_IMPORT)
    _, tree = modules()["kg.ingest"]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    assert not names & (MODEL_TYPE_NAMES | set(ENTITY_TYPES) | set(PREDICATES))


def test_jieba_only_in_find():
    users = {m for m in modules() if "jieba" in imports(m)[1]}
    assert users and all(m.startswith("kg.extract") for m in users), sorted(users)


@pytest.mark.parametrize("mod", BELOW_GRAPH + tuple(m for m in sorted(modules()) if m.startswith("kg.extract")))
def test_no_rdflib_below_the_graph_stage(mod):
    through = {m: sorted(imports(m)[1] & RDF_LIBS) for m in reachable(mod)}
    assert not any(through.values()), {m: libs for m, libs in through.items() if libs}


PRINTS = {
}


def _output_calls(mod: str) -> list[str]:
    path, tree = modules()[mod]
    found = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"{path.name}:{node.lineno}: print()")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and node.attr in ("stdout", "stderr", "__stdout__", "__stderr__"):
            found.append(f"{path.name}:{node.lineno}: sys.{node.attr}")
    if "tqdm" in imports(mod)[1]:
        found.append(f"{path.name}: imports tqdm")
    return found


@pytest.mark.parametrize("mod", [_known(m, PRINTS) for m in sorted(modules()) if m != "kg.cli"])
def test_nothing_below_the_cli_prints(mod):
    assert _output_calls(mod) == []


def test_the_print_check_sees_the_cli_print():
    assert any("print()" in c for c in _output_calls("kg.cli"))


def test_nothing_imports_the_cli():
    assert [m for m in modules() if "kg.cli" in imports(m)[0]] == []


IN_CYCLES = {
}


@pytest.mark.parametrize("mod", [_known(m, IN_CYCLES) for m in sorted(modules())])
def test_no_import_cycles(mod):
    assert [c for c in cycles() if mod in c] == []
