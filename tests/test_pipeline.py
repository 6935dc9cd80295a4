"""The build end to end: golden exports, bad input, fault isolation, incremental builds,
determinism, crash safety."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import GraphError, InputError
from kg.pipeline import build, doc_ids
from procs import alive, children

ROOT = Path(__file__).parent.parent
SEEDS = ROOT / "seeds"
GOOD = "湖州市公安局开展“净网2022”专项行动，侦破“3·15”特大网络诈骗案。\n"


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
    report = build([seeds_copy], tmp_path / "out", html=False)
    assert report.articles == 5
    assert {Path(f.file).name for f in report.failures} == {"empty.txt", "binary.txt"}
    assert all(f.reason and f.stage == "read" for f in report.failures)
    assert not report.ok
    rows = (tmp_path / "out" / "failures.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "file\tstage\treason" and len(rows) == 3


def test_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"")
    with pytest.raises(InputError):
        build([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.kg-*"))


def _corpus(tmp_path, extra: dict[str, str]) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:2]:
        (src / f.name).write_bytes(f.read_bytes())
    for name, text in extra.items():
        (src / name).write_text(text, encoding="utf-8")
    return src


def _raise_on_marker(doc):
    from kg.extract import extract_document as real

    if "BOOM" in doc.text:
        raise RuntimeError("extractor exploded")
    return real(doc)


def test_an_article_that_raises_is_skipped_and_the_rest_is_complete(tmp_path, monkeypatch):
    import kg.pipeline as p

    src = _corpus(tmp_path, {"bad.txt": "BOOM " + GOOD, "good.txt": GOOD})
    clean = build([src / n for n in ("good.txt",)] + sorted(SEEDS.glob("*.txt"))[:2], tmp_path / "ref", html=False)
    monkeypatch.setattr(p, "extract_document", _raise_on_marker)
    report = build([src], tmp_path / "out", html=False, workers=2)
    assert [(Path(f.file).name, f.stage) for f in report.failures] == [("bad.txt", "extract")]
    assert "RuntimeError: extractor exploded" in report.failures[0].reason
    assert report.articles == 3 == clean.articles
    # the others are all there: the graph equals the build without the bad article
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (tmp_path / "ref" / "graph.ttl").read_bytes()


def test_a_sentence_ending_in_a_post_title_does_not_stop_the_build(tmp_path):
    src = _corpus(tmp_path, {"post.txt": "张三是市公安局局长", "good.txt": GOOD})
    report = build([src], tmp_path / "out", html=False)
    assert report.articles >= 3


def _sleep_on_marker(doc):
    from kg.extract import extract_document as real

    if "SLOW" in doc.text:
        time.sleep(60)
    return real(doc)


def _die_on_marker(doc):
    from kg.extract import extract_document as real

    if "DIE" in doc.text:
        os._exit(9)
    return real(doc)


def test_an_article_over_its_budget_is_skipped(tmp_path, monkeypatch):
    import kg.pipeline as p

    src = _corpus(tmp_path, {"slow.txt": "SLOW " + GOOD, "good.txt": GOOD})
    monkeypatch.setattr(p, "extract_document", _sleep_on_marker)
    t = time.monotonic()
    report = build([src], tmp_path / "out", html=False, article_timeout=2, workers=2)
    assert time.monotonic() - t < 50
    assert [(Path(f.file).name, f.stage) for f in report.failures] == [("slow.txt", "timeout")]
    assert report.articles == 3


def test_a_worker_that_dies_is_replaced(tmp_path, monkeypatch):
    import kg.pipeline as p

    src = _corpus(tmp_path, {"die.txt": "DIE " + GOOD, "good.txt": GOOD})
    monkeypatch.setattr(p, "extract_document", _die_on_marker)
    report = build([src], tmp_path / "out", html=False, workers=1)
    assert [(Path(f.file).name, f.stage) for f in report.failures] == [("die.txt", "crash")]
    assert report.articles == 3


def test_cli_exit_status_and_failures(tmp_path):
    src = _corpus(tmp_path, {"empty.txt": ""})
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(tmp_path / "o"), "-q",
                        "--no-html"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "empty.txt (read): empty file" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "o" / "failures.tsv").is_file()


def test_incremental_build_equals_a_fresh_build(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    files = sorted(SEEDS.glob("*.txt"))
    for f in files[:4]:
        (src / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "out"
    first = build([src], out, html=False)
    assert (first.extracted, first.unchanged, first.removed) == (4, 0, 0)
    (src / files[0].name).unlink()                                   # gone
    (src / files[4].name).write_bytes(files[4].read_bytes())         # new
    (src / files[1].name).write_bytes(files[1].read_bytes() + GOOD.encode())   # changed
    second = build([src], out, html=False)
    assert (second.extracted, second.unchanged, second.removed) == (2, 2, 1)
    fresh = build([src], tmp_path / "fresh", html=False)
    for name in ("graph.ttl", "graph.trig"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert fresh.entities == second.entities


def test_byte_identical_across_hash_seeds_workers_and_input_order(tmp_path):
    outs = []
    files = [str(f) for f in sorted(SEEDS.glob("*.txt"))]
    for seed, workers, order in (("1", "1", files), ("2", "2", files[::-1])):
        out = tmp_path / seed
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg.cli", "build", *order, "-o", str(out), "-q",
                        "--no-html", "--workers", workers], check=True, env=env, capture_output=True)
        outs.append(((out / "graph.ttl").read_bytes(), (out / "graph.trig").read_bytes()))
    assert outs[0] == outs[1]


def test_doc_ids_are_unique_and_printable(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    paths = [a / "x.txt", b / "x.txt", Path(os.fsdecode(b"/t/\xd5\xc5.txt")), Path("/t/e\x1b[31m.txt")]
    ids = doc_ids(paths)
    assert len(set(ids)) == 4
    for i in ids:
        i.encode("utf-8")
        assert i.isprintable()


def test_an_output_folder_with_other_files_is_refused_before_work(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    with pytest.raises(GraphError, match="not a build's"):
        build([SEEDS], out, html=False)
    assert (out / "notes.md").read_text() == "mine"


def test_stale_folders_of_a_killed_build_are_removed(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / ".out.kg-new-999999999"
    (stale / ".kg").mkdir(parents=True)
    (stale / "graph.ttl").write_bytes(b"half")
    build([sorted(SEEDS.glob("*.txt"))[0]], out, html=False)
    assert not stale.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_sigkill_at_random_points_never_leaves_a_mixed_output(tmp_path):
    """Kill builds at several points: the output folder is always a whole build (old or new),
    the workers die with the build, and the next build succeeds."""
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (src / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(out), "-q"], check=True,
                   capture_output=True)
    reference = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.trig", "graph.html")}
    for delay in (0.3, 0.9, 1.5, 2.2, 3.0, 4.0):
        (src / "extra.txt").write_text(GOOD * int(delay * 10), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(out), "-q",
                                 "--workers", "2", "--fresh"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        kids = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(alive(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        for k in kids:
            assert not alive(k), f"worker {k} outlived its build"
        files = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.trig", "graph.html")}
        complete = [n for n in files if files[n] == reference[n]]
        assert len(complete) in (0, 3), f"mixed output after a kill at {delay}s: {complete} old"
        if not complete:   # a whole new build: re-take it as the reference
            reference = files
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(out), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not list(tmp_path.glob(".out.kg-*"))


def test_the_build_draws_the_viewer_its_graph_gives(tmp_path):
    """A build draws graph.html from its work store's rows; the page is the one `kg view` draws
    from the build's graph.ttl (mentions, evidence, sentences and articles included)."""
    import pyoxigraph as ox

    from kg.viewer import render_html_from_store

    files = sorted(SEEDS.glob("*.txt"))[:3]
    build(files, tmp_path / "out")
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    page = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert page == render_html_from_store(store, title="gongan-kg")
    assert '"m":[[' in page   # mentions are in the side panel data
    for small in (1, 7):      # the same with an overview smaller than the graph
        from kg.viewer import WorkStoreSource, _graph_data, graph_data_from_store
        from kg.workstore import WorkStore
        ws = WorkStore(tmp_path / "out" / ".kg" / "cache.sqlite")
        try:
            assert _graph_data(WorkStoreSource(ws), title="t", max_nodes=small, endpoint=None) == \
                graph_data_from_store(store, title="t", max_nodes=small)
        finally:
            ws.close()


def test_a_changed_extractor_re_extracts_everything(tmp_path, monkeypatch):
    import kg.workstore

    files = sorted(SEEDS.glob("*.txt"))[:2]
    build(files, tmp_path / "out", html=False)
    again = build(files, tmp_path / "out", html=False)
    assert (again.extracted, again.unchanged) == (0, 2)
    monkeypatch.setattr(kg.workstore, "fingerprint", lambda: "another extractor")
    changed = build(files, tmp_path / "out", html=False)
    assert (changed.extracted, changed.unchanged) == (2, 0)


def test_a_step_failing_after_the_viewer_reports_its_own_error(tmp_path):
    """The viewer's process is done when --store fails: the store's error reaches the caller (not
    one of stopping the finished viewer) and the build's working folder is removed."""
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("not a store", encoding="utf-8")
    with pytest.raises(GraphError, match="not an empty directory"):
        build(sorted(SEEDS.glob("*.txt"))[:1], tmp_path / "out", store=busy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


def test_articles_are_added_in_one_transaction(tmp_path):
    """Adding articles to the work store writes nothing to disk until a commit (autocommit
    per statement made a build of 500 articles 10 s slower)."""
    from kg.extract import extract_document
    from kg.ingest import document_from_text
    from kg.rdf import article_part
    from kg.workstore import WorkStore

    ws = WorkStore(tmp_path / "cache.sqlite")
    part = article_part(extract_document(document_from_text("永康市公安局局长张三。", doc_id="a")))
    for new in (True, False):
        ws.commit()
        ws.add(part, "sha", new=new)
        assert ws.db.in_transaction
    ws.close()
