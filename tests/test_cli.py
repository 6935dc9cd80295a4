"""The command line end to end: messages and exit codes, never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def test_build_prints_a_summary(tmp_path):
    r = kg("build", ROOT / "seeds" / "000_a832aa4fba26be71.txt", "-o", tmp_path, "-q")
    assert r.returncode == 0, r.stderr
    assert "articles: 1" in r.stdout and "Bureau" in r.stdout and "conducted" in r.stdout
    assert (tmp_path / "graph.ttl").is_file() and (tmp_path / "graph.html").is_file()


def test_missing_input_is_a_clear_error(tmp_path):
    r = kg("build", tmp_path / "nope", "-o", tmp_path / "out")
    assert r.returncode == 1
    assert "nope" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_skipped_article_sets_exit_status(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text((ROOT / "seeds" / "002_8256717d42fffe5b.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    r = kg("build", src, "-o", tmp_path / "out", "-q")
    assert r.returncode == 1
    assert "bad.txt" in r.stderr and "articles: 1" in r.stdout


def test_query_table_csv_json_and_errors(seeds_graph_path, tmp_path):
    q = "SELECT ?n WHERE { ?o a kg:Official ; rdfs:label ?n } ORDER BY ?n"
    r = kg("query", seeds_graph_path, q)
    assert r.returncode == 0 and "王双全" in r.stdout and "rows" in r.stdout
    r = kg("query", seeds_graph_path, q, "--format", "json")
    assert any(b["n"]["value"] == "王双全" for b in json.loads(r.stdout)["results"]["bindings"])
    f = tmp_path / "q.rq"
    f.write_text(q, encoding="utf-8")
    assert "王双全" in kg("query", seeds_graph_path, "-f", f, "--format", "csv").stdout
    bad = kg("query", seeds_graph_path, "SELEC nonsense")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    missing = kg("query", tmp_path / "none.ttl", q)
    assert missing.returncode == 1 and "none.ttl" in missing.stderr


def test_eval_view_export(seeds_graph_path, tmp_path):
    r = kg("eval", ROOT / "tests" / "data" / "gold", seeds_graph_path, "--detail")
    assert r.returncode == 0 and "Official" in r.stdout
    r = kg("view", seeds_graph_path, "-o", tmp_path / "v.html")
    assert r.returncode == 0 and (tmp_path / "v.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    r = kg("export", seeds_graph_path, "--format", "nt", "-o", tmp_path / "g.nt")
    assert r.returncode == 0 and (tmp_path / "g.nt").stat().st_size > 0


def test_build_store_then_query_the_store(tmp_path):
    store = tmp_path / "store"
    r = kg("build", ROOT / "seeds" / "003_b71ec4731ef991f3.txt", "-o", tmp_path / "out", "-q", "--store", store)
    assert r.returncode == 0, r.stderr
    q = kg("query", store, "SELECT ?n WHERE { ?o a kg:Official ; rdfs:label ?n }", "--format", "csv")
    assert q.returncode == 0, q.stderr
    assert "汤洪成" in q.stdout


def test_validate_exit_codes(seeds_graph_path, tmp_path):
    assert kg("validate", seeds_graph_path).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text(seeds_graph_path.read_text(encoding="utf-8") +
                   '\n<https://w3id.org/gongan-kg/id/person/x> a <https://w3id.org/gongan-kg/ontology#Person> .\n',
                   encoding="utf-8")
    r = kg("validate", bad)
    assert r.returncode == 1 and "person/x" in r.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    r = kg("validate", broken)
    assert r.returncode == 2 and "broken.ttl" in r.stderr and "Traceback" not in r.stderr
