"""bench/bench.py: the synthetic corpus generator (fast; nothing is timed)."""
from __future__ import annotations

import importlib.util
import json
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


def test_measure_counts_waited_for_descendants(bench, tmp_path):
    # the child runs a grandchild that burns CPU and reports its own CPU time: the tree's CPU
    # (os.wait4) must include it; memory of the largest process covers the 30 MiB buffer
    grandchild = ("import resource; x = bytearray(30 * 2**20); n = sum(range(3 * 10**6)); "
                  "r = resource.getrusage(resource.RUSAGE_SELF); print(r.ru_utime + r.ru_stime)")
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}])"
    run = bench.measure("t", [sys.executable, "-c", child], tmp_path, articles=3)
    assert run.returncode == 0 and run.wall > 0
    own = float((tmp_path / "t.stdout").read_text())
    assert run.cpu >= own > 0
    assert run.maxrss_mib >= 30
    assert run.tree_rss_mib > 0 and run.tree_pss_mib > 0
    assert run.note == ""          # nothing escaped wait4


def test_change_articles_replaces_files_and_leaves_the_cache_alone(bench, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for i in range(200):
        (cache / f"{i:05d}.txt").write_text(f"第{i}篇", encoding="utf-8")
    work = bench.working_copy(cache, tmp_path / "work")
    changed = bench.change_articles(work, 0.01, seed=1)
    assert len(changed) == 2
    names = {p.name for p in changed}
    for f in sorted(work.glob("*.txt")):
        original = (cache / f.name).read_text(encoding="utf-8")
        assert original == f"第{int(f.stem)}篇"          # the cached corpus is never written
        assert (f.read_text(encoding="utf-8") != original) == (f.name in names)
    assert not list(work.glob(".*"))


def _run(bench, program, n, wall, cpu, rss):
    return bench.Run(program, n, ["x"], wall, cpu, 0.0, rss, rss, rss * 0.8, cpu, 0)


def test_tables_ratios_and_bars(bench):
    runs = [_run(bench, "kg build", 500, 10.0, 16.0, 400), _run(bench, "baseline", 500, 40.0, 38.0, 150),
            _run(bench, "kg build", 5000, 90.0, 160.0, 480), _run(bench, "baseline", 5000, 400.0, 390.0, 160)]
    corpora = {500: {"han": 1000, "bytes": 5000}, 5000: {"han": 10000, "bytes": 50000}}
    text = bench.markdown(runs, corpora, 7, bench.machine_info(), "python bench/bench.py", commit="abc")
    rows = bench.parse_table(text)
    assert [(r["articles"], r["run"]) for r in rows] == [
        ("500", "`kg build`"), ("500", "baseline"), ("5,000", "`kg build`"), ("5,000", "baseline")]
    ratios = bench.parse_table(text, bench.RATIO_COLUMNS)
    assert ratios[0]["wall kg/baseline"] == "0.25×" and ratios[0]["CPU kg/baseline"] == "0.42×"
    assert ratios[1]["kg peak RSS tree vs smallest"] == "1.20×"
    assert ratios[1]["wall incremental/full"] == "–"     # no incremental run in this table
    assert "kg wall / baseline wall = 0.25 (bar ≤ 0.33; goal 0.10): met" in text
    assert "= 1.20 × that at 500 (bar ≤ 1.3) and 0.47 GiB (bar < 1): met" in text
    assert "cores" in text and "Python" in text and "commit abc" in text


def test_plot_without_matplotlib_says_so(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert bench.plot(tmp_path / "none.json", tmp_path / "p.png") is False
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists()


def test_end_to_end_tiny(bench, tmp_path, capsys):
    """--sizes 10: kg build, the baseline and the incremental build, as the lead runs it."""
    out, js, png = tmp_path / "results.md", tmp_path / "results.json", tmp_path / "bench.png"
    args = ["--sizes", "10", "--corpus-dir", str(tmp_path / "corpora"), "--out", str(out),
            "--json", str(js), "--plot", str(png)]
    assert bench.main(args) == 0
    rows = bench.parse_table(out.read_text(encoding="utf-8"))
    assert [r["run"] for r in rows] == ["`kg build`", "baseline", "`kg build (incremental)`"]
    for r in rows:
        assert r["articles"] == "10"
        for col in ("wall s", "CPU s", "CPU/wall", "articles/s", "peak RSS tree MiB",
                    "peak PSS tree MiB", "peak RSS largest MiB"):
            assert float(r[col]) >= 0, col
        assert float(r["peak RSS tree MiB"]) > 0 and float(r["wall s"]) > 0
        before, after = r["load before/after"].split("/")
        float(before), float(after)
    assert rows[2]["note"] == "1 changed: 1 extracted, 9 unchanged, 0 removed"
    ratios = bench.parse_table(out.read_text(encoding="utf-8"), bench.RATIO_COLUMNS)
    assert len(ratios) == 1
    for col in bench.RATIO_COLUMNS[1:]:
        assert float(ratios[0][col].removesuffix("×")) > 0, col
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [m["program"] for m in data["runs"][0]["measurements"]] == [
        "kg build", "baseline", "kg build (incremental)"]
    # the corpus is cached: a second run does not generate it again
    def no_generation(*a, **k):
        raise AssertionError("corpus generated twice")
    bench.generate_corpus, real = no_generation, bench.generate_corpus
    try:
        assert bench.main(args[:4] + ["--generate-only"]) == 0
    finally:
        bench.generate_corpus = real
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "matplotlib is not installed" in capsys.readouterr().err
