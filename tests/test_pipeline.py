"""The build end to end: golden exports, bad input, determinism."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.pipeline import build

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", ["graph.ttl", "graph.trig", "graph.html"])
def test_exports_are_current(seeds_build, name):
    """exports/ holds the graph of seeds/ as the README's first command writes it."""
    committed = ROOT / "exports" / name
    assert committed.is_file(), "run: kg build seeds/ -o exports/"
    assert (seeds_build / name).read_bytes() == committed.read_bytes(), \
        f"exports/{name} is stale: run kg build seeds/ -o exports/"


def test_bad_files_are_reported_and_skipped(seeds_copy, tmp_path):
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "binary.txt").write_bytes(bytes(range(256)) * 8)
    report = build([seeds_copy], tmp_path / "out", progress=False, html=False)
    assert report.articles == 5
    failed = {Path(f).name for f, _ in report.failures}
    assert failed == {"empty.txt", "binary.txt"}
    assert all(reason for _, reason in report.failures)
    assert not report.ok


def test_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    with pytest.raises(InputError):
        build([tmp_path], tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_byte_identical_across_hash_seeds(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"), "-o", str(out), "-q",
                        "--no-html", "--workers", "1"], check=True, env=env, capture_output=True)
        outs.append((out / "graph.ttl").read_bytes())
    assert outs[0] == outs[1]


def test_parallel_map_gives_the_same_graph(tmp_path, monkeypatch):
    import kg.pipeline as p

    src = tmp_path / "many"
    src.mkdir()
    for i, f in enumerate(sorted((ROOT / "seeds").glob("*.txt")) * 2):
        (src / f"{i:02d}_{f.name}").write_bytes(f.read_bytes())
    monkeypatch.setattr(p, "PARALLEL_MIN_ARTICLES", 2)
    a = build([src], tmp_path / "a", progress=False, html=False, workers=2)
    b = build([src], tmp_path / "b", progress=False, html=False, workers=1)
    assert (tmp_path / "a" / "graph.ttl").read_bytes() == (tmp_path / "b" / "graph.ttl").read_bytes()
    assert a.articles == b.articles == 10
