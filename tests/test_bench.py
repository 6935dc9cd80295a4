"""bench/bench.py: the synthetic corpus generator (fast; nothing is timed)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("kg_bench", ROOT / "bench" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["kg_bench"] = mod          # dataclasses look their module up
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("kg_bench", None)


def test_corpus_differs_from_seeds_and_is_utf8(bench, tmp_path):
    paths = bench.generate_corpus(tmp_path / "c", 10, seed=7)
    assert len(paths) == 10 == len(list((tmp_path / "c").glob("*.txt")))
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = []
    for p in paths:
        text = p.read_bytes().decode("utf-8")        # raises if not valid UTF-8
        assert text not in seeds
        for place in ("永康", "金华", "平湖", "嘉兴", "拱墅", "杭州", "浙江"):
            assert place not in text.replace("\n", ""), (p.name, place)
        assert "王双全" not in text.replace("\n", "")
        texts.append(text)
    assert len(set(texts)) == 10
    # the i-th article comes from seed i mod 5 and keeps its size roughly
    for p, text in zip(paths, texts):
        seed = seeds[int(p.name[:5]) % 5]
        assert abs(len(text) - len(seed)) < 0.05 * len(seed)
    # deterministic for a given seed
    again = bench.generate_corpus(tmp_path / "d", 3, seed=7)
    assert [p.read_text(encoding="utf-8") for p in again] == texts[:3]


def test_places_are_real_and_of_the_same_level(bench):
    div = bench.load_divisions()
    assert {p.short for p in div["province"]} >= {"江苏", "广东"}
    assert "永康" in {p.short for p in div["county_city"]}
    assert "拱墅" in {p.short for p in div["district"]}
    import random
    mapping = bench._pick_places(random.Random(1), div)
    assert set(mapping) == {"浙江", "金华", "嘉兴", "杭州", "永康", "平湖", "拱墅"}
    assert len(set(mapping.values())) == 7
    assert mapping["浙江"] in {p.short for p in div["province"]}
    assert mapping["永康"] in {p.short for p in div["county_city"]}


def test_measure_and_table(bench, tmp_path):
    run = bench.measure("t", [sys.executable, "-c", "x = bytearray(30 * 2**20); print('ok')"], tmp_path)
    assert run.returncode == 0 and run.wall > 0
    assert run.maxrss_mib >= 30
    assert (tmp_path / "t.stdout").read_text().strip() == "ok"
    table = bench.markdown(run, run, 10, 1000, 5000, 7, bench.machine_info())
    assert "| ratio kg / baseline | 1 | 1 | 1.00× |" in table
    assert "cores" in table and "Python" in table
