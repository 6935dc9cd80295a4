"""kg.serve: a real Oxigraph SPARQL endpoint on 127.0.0.1, queried with the SPARQL 1.1 Protocol."""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import sys
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.errors import GraphError, InputError, KGError
from kg.serve import ServeError, find_oxigraph, start
from kg.store import write_store
from procs import children

TIMEOUT = 10  # seconds, every HTTP request
ROOT = Path(__file__).resolve().parent.parent
BUREAUS = """PREFIX kg: <https://w3id.org/gongan-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { ?b a kg:Bureau ; rdfs:label ?label } ORDER BY ?label"""
WANT = ["永康市公安局", "浙江省公安厅", "芝英派出所", "金华市公安局"]

try:
    find_oxigraph()
except ServeError:
    pytest.skip("the oxigraph executable is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def viewer_module(monkeypatch):
    """The real kg.viewer if it imports, else a stand-in, so the viewer server is tested."""
    try:
        import kg.viewer  # noqa: F401
    except Exception:
        fake = types.ModuleType("kg.viewer")

        def write_html(graph, out, *, title="gongan-kg"):
            out.write_text(f"<!doctype html><html><title>{len(graph)}</title></html>", encoding="utf-8")
            return out

        fake.write_html = write_html
        monkeypatch.setitem(sys.modules, "kg.viewer", fake)


def get(url: str, accept: str = "application/sparql-results+json"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def select_get(query_url: str, query: str) -> list[str]:
    _, ctype, body = get(query_url + "?" + urllib.parse.urlencode({"query": query}))
    assert ctype.startswith("application/sparql-results+json")
    return [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]


def post(url: str, body: str, ctype: str):
    req = urllib.request.Request(url, data=body.encode("utf-8"), method="POST",
                                 headers={"Content-Type": ctype,
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        return r.status, r.read()


def test_read_only_endpoint_and_viewer(mini_graph_path, viewer_module):
    port = free_port()
    srv = start(mini_graph_path, port=port, viewer_port=0)
    proc = srv.process
    store = srv.store_dir
    try:
        assert srv.query_url == f"http://127.0.0.1:{port}/query"
        assert srv.alive() and store.is_dir()
        assert _servers_on(engine_port(srv)) == [proc.pid]  # Oxigraph, behind the guard
        assert _oxigraph_children(os.getpid()) == [proc.pid]
        # GET, SPARQL 1.1 Protocol
        assert select_get(srv.query_url, BUREAUS) == WANT
        # POST with a direct query body
        status, body = post(srv.query_url, BUREAUS, "application/sparql-query")
        assert status == 200
        assert [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]] == WANT
        # POST, form-encoded
        status, body = post(srv.query_url, "query=" + urllib.parse.quote("ASK { ?s ?p ?o }"),
                            "application/x-www-form-urlencoded")
        assert json.loads(body)["boolean"] is True
        # updates are refused when read-only, and nothing changed
        base = srv.query_url.rsplit("/", 1)[0]
        with pytest.raises(urllib.error.HTTPError) as e:
            post(base + "/update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                 "application/sparql-update")
        assert e.value.code in (403, 405)
        _, _, body = get(srv.query_url + "?" + urllib.parse.urlencode({"query": "ASK { <urn:a> ?p ?o }"}))
        assert json.loads(body)["boolean"] is False
        # the viewer page, served from its own directory only
        assert srv.viewer_url and srv.viewer_url.startswith("http://127.0.0.1:")
        status, ctype, page = get(srv.viewer_url, accept="text/html")
        assert status == 200 and ctype.startswith("text/html")
        assert b"<html" in page.lower()
        root = srv.viewer_url.rsplit("/", 1)[0]
        status, _, page2 = get(root + "/", accept="text/html")  # / redirects to the page
        assert page2 == page
        # the page asks the endpoint for what it does not embed; the endpoint answers its origin only
        assert f'"endpoint":"{srv.query_url}"'.encode() in page.replace(b" ", b"")
        origin = root.removesuffix("/")
        for who, allowed in ((origin, True), ("http://evil.example", False)):
            req = urllib.request.Request(srv.query_url, method="POST", data=b"query=ASK%7B%7D", headers={
                "Content-Type": "application/x-www-form-urlencoded", "Origin": who,
                "Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                assert (r.headers.get("Access-Control-Allow-Origin") == who) is allowed
        for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/nope.txt"):
            with pytest.raises(urllib.error.HTTPError) as e:
                get(root + path, accept="*/*")
            assert e.value.code == 404
    finally:
        srv.stop()
    assert proc.poll() is not None  # the server process is gone
    assert _servers_on(engine_port(srv)) == []
    assert not srv.alive()
    assert not store.exists()  # temp store removed
    with pytest.raises(OSError):
        urllib.request.urlopen(srv.query_url + "?query=ASK%7B%7D", timeout=2)
    srv.stop()  # twice is fine


def test_writable_store_dir(mini_graph_path, tmp_path):
    store = write_store(mini_graph_path, tmp_path / "store")
    port = free_port()
    with start(store, port=port, viewer_port=0, read_only=False) as srv:
        assert srv.store_dir == store
        assert srv.viewer_url and not srv.warnings  # drawn from the store itself
        status, _ = post(srv.update_url, "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                         "application/sparql-update")
        assert status in (200, 204)
        _, _, body = get(srv.query_url + "?" + urllib.parse.urlencode({"query": "ASK { <urn:a> ?p ?o }"}))
        assert json.loads(body)["boolean"] is True
        with pytest.raises(GraphError, match="in use"):  # not rebuilt under a running server
            write_store(mini_graph_path, store)
        proc = srv.process
    assert proc.poll() is not None
    assert store.exists()  # a given store is kept


def test_port_in_use_is_a_clear_error(mini_graph_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port}.*already in use"):
            start(mini_graph_path, port=port, viewer_port=0)


def test_no_viewer_and_bad_ports(mini_graph_path):
    with pytest.raises(ServeError, match="invalid port 0"):
        start(mini_graph_path, port=0)
    with pytest.raises(ServeError, match="invalid port 65536"):
        start(mini_graph_path, port=65535)  # the viewer would be on port+1
    with start(mini_graph_path, port=free_port(), viewer=False) as srv:
        assert srv.viewer_url is None and not srv.warnings
        assert select_get(srv.query_url, BUREAUS) == WANT


def test_missing_source_and_executable(tmp_path, monkeypatch):
    with pytest.raises(InputError):
        start(tmp_path / "missing.ttl", port=free_port(), viewer_port=0)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KGError, match="oxigraph"):
        find_oxigraph()


def test_viewer_failure_is_only_a_warning(mini_graph_path, monkeypatch):
    broken = types.ModuleType("kg.viewer")

    def write_html(graph, out, *, title=""):
        raise RuntimeError("no template")

    broken.write_html = write_html
    monkeypatch.setitem(sys.modules, "kg.viewer", broken)
    with pytest.warns(RuntimeWarning, match="viewer skipped"):
        srv = start(mini_graph_path, port=free_port(), viewer_port=0)
    with srv:
        assert srv.viewer_url is None
        assert select_get(srv.query_url, BUREAUS) == WANT


def test_serve_reports_a_dying_server(mini_graph_path):
    import threading

    from kg import serve as serve_mod

    port = free_port()
    out = io.StringIO()
    result = {}

    def run():
        try:
            serve_mod.serve(mini_graph_path, port=port, viewer=False, out=out)
        except ServeError as e:
            result["error"] = str(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    for _ in range(300):  # wait (bounded) until serve() is up and blocking
        if "Press Ctrl-C" in out.getvalue():
            break
        t.join(0.1)
    (pid,) = _oxigraph_children(os.getpid())
    os.kill(pid, signal.SIGKILL)  # the server we started, by its id
    t.join(30)
    assert not t.is_alive()
    assert "exited (code -9)" in result["error"]
    assert "SPARQL endpoint" in out.getvalue()


def test_bad_graph_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("not turtle at all", encoding="utf-8")
    with pytest.raises(KGError, match="bad.ttl"):
        start(bad, port=free_port(), viewer_port=0)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_serve_blocks_until_interrupted_then_stops(mini_graph_path, tmp_path, signame):
    """`serve` as the CLI runs it: prints both URLs; Ctrl-C or SIGTERM stops it and its child."""
    import subprocess

    port = free_port()
    code = ("import sys; from pathlib import Path; from kg.serve import serve; "
            f"sys.exit(serve(Path(sys.argv[1]), port={port}, viewer_port=0, out=sys.stdout, err=sys.stderr))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(mini_graph_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        lines = []
        for line in proc.stdout:  # ends when the process exits, so no hang if it dies
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        assert f"SPARQL endpoint: http://127.0.0.1:{port}/query" in text, proc.stderr.read()
        assert "Graph viewer:    http://127.0.0.1:" in text
        assert select_get(f"http://127.0.0.1:{port}/query", BUREAUS) == WANT
        engines = _oxigraph_children(proc.pid)
        assert len(engines) == 1
        proc.send_signal(getattr(signal, signame))
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert _gone(engines)  # the oxigraph child is gone too
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2)


def _servers_on(port: int) -> list[int]:
    """Pids of live processes whose command line binds 127.0.0.1:port."""
    needle = f"127.0.0.1:{port}".encode()
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if needle in (d / "cmdline").read_bytes().split(b"\0"):
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def engine_port(srv) -> int:
    return urllib.parse.urlsplit(srv.engine_url).port


def _oxigraph_children(parent: int) -> list[int]:
    """Pids of live oxigraph processes whose parent is `parent`."""
    return children(parent, "oxigraph")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def _gone(pids: list[int], tries: int = 100) -> bool:
    """True once none of `pids` is alive (checked up to `tries` times, 0.1 s apart)."""
    import time

    for _ in range(tries):
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------- the guard (issue 9)

def _listener():
    """A loopback socket a SERVICE clause could be aimed at; accept() tells if it was called."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.setblocking(False)
    return s


def _was_called(s) -> bool:
    try:
        conn, _ = s.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def test_service_is_refused_and_nothing_is_fetched(mini_graph_path):
    target = _listener()
    service = (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{target.getsockname()[1]}/sparql> "
               "{ ?s ?p ?o } }")
    sneaky = service.replace("SERVICE", "\\u0053ervice")  # a codepoint escape, lower case
    try:
        with start(mini_graph_path, port=free_port(), viewer=False) as srv:
            for send in (lambda q: get(srv.query_url + "?" + urllib.parse.urlencode({"query": q})),
                         lambda q: post(srv.query_url, q, "application/sparql-query"),
                         lambda q: post(srv.query_url, "query=" + urllib.parse.quote(q),
                                        "application/x-www-form-urlencoded")):
                for q in (service, sneaky):
                    with pytest.raises(urllib.error.HTTPError) as e:
                        send(q)
                    assert e.value.code == 403
                    assert b"SERVICE" in e.value.read()
            # the word alone (in a string, a prefixed name, a comment) is not a SERVICE clause
            ok = BUREAUS.replace("} ORDER BY", 'FILTER (!CONTAINS(STR(?label), "service")) '
                                 "OPTIONAL { ?b kg:service ?x } # SERVICE\n} ORDER BY")
            assert select_get(srv.query_url, ok) == WANT
            with pytest.raises(urllib.error.HTTPError) as e:  # only the endpoint's own paths
                get(srv.query_url.rsplit("/", 1)[0] + "/elsewhere")
            assert e.value.code == 404
        assert not _was_called(target)
    finally:
        target.close()


def test_federation_when_allowed(mini_graph_path):
    target = _listener()
    q = (f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{target.getsockname()[1]}/sparql> "
         "{ ?s ?p ?o } }")
    try:
        with start(mini_graph_path, port=free_port(), viewer=False, allow_federation=True,
                   query_timeout=1) as srv:
            try:
                get(srv.query_url + "?" + urllib.parse.urlencode({"query": q}))
            except urllib.error.HTTPError as e:  # the silent target never answers: timeout
                assert e.code in (500, 504)
        assert _was_called(target)  # the request did go out
    finally:
        target.close()


def test_load_is_refused_in_updates(mini_graph_path, tmp_path):
    store = write_store(mini_graph_path, tmp_path / "store")
    with start(store, port=free_port(), viewer=False, read_only=False) as srv:
        with pytest.raises(urllib.error.HTTPError) as e:
            post(srv.update_url, "LOAD <http://127.0.0.1:1/x.ttl>", "application/sparql-update")
        assert e.value.code == 403
        status, _ = post(srv.update_url, "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                         "application/sparql-update")
        assert status in (200, 204)


RUNAWAY = """SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"""


def test_runaway_query_times_out_and_the_endpoint_recovers(mini_graph_path):
    with start(mini_graph_path, port=free_port(), viewer=False, query_timeout=1) as srv:
        first = srv.process.pid
        req = urllib.request.Request(srv.query_url + "?" + urllib.parse.urlencode({"query": RUNAWAY}),
                                     headers={"Accept": "application/sparql-results+json"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 504 and b"timeout" in e.value.read()
        answered = False
        for _ in range(100):  # bounded: the engine may be restarting
            try:
                answered = select_get(srv.query_url, BUREAUS) == WANT
                break
            except urllib.error.HTTPError as e:
                assert e.code in (502, 503)
                import time
                time.sleep(0.1)
        assert answered
        if srv.restarts:  # the runaway engine was replaced, and the old one is gone
            assert srv.process.pid != first and _gone([first])


def test_result_size_limit(mini_graph_path):
    with start(mini_graph_path, port=free_port(), viewer=False, max_result_bytes=200) as srv:
        with pytest.raises(urllib.error.HTTPError) as e:
            get(srv.query_url + "?" + urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o }"}))
        assert e.value.code == 500 and b"larger than 200 bytes" in e.value.read()
        _, _, body = get(srv.query_url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        assert json.loads(body)["boolean"] is True


def test_kill_9_leaves_no_orphan_and_the_next_serve_sweeps(mini_graph_path, tmp_path):
    import subprocess

    from kg.serve import TEMP_PREFIX, sweep_stale_temp

    port = free_port()
    code = ("import sys; from pathlib import Path; from kg.serve import serve; "
            f"sys.exit(serve(Path(sys.argv[1]), port={port}, viewer=False, out=sys.stdout, err=sys.stderr))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(mini_graph_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(tmp_path), env=env)
    try:
        for line in proc.stdout:  # ends when the process exits, so no hang if it dies
            if line.startswith("Press Ctrl-C"):
                break
        engines = _oxigraph_children(proc.pid)
        assert len(engines) == 1, proc.stderr.read()
        proc.kill()  # SIGKILL: no handler runs
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert _gone(engines)  # PR_SET_PDEATHSIG took the engine down
    left = list(tmp_path.glob(TEMP_PREFIX + "*"))
    assert len(left) == 1  # its temp folder could not be removed by a dead process ...
    assert sweep_stale_temp(tmp_path) == left  # ... the next `kg serve` removes it
    assert not left[0].exists()


def test_sweep_spares_a_live_server(mini_graph_path):
    import tempfile

    from kg.serve import sweep_stale_temp

    with start(mini_graph_path, port=free_port(), viewer=False) as srv:
        store = srv.store_dir
        sweep_stale_temp(Path(tempfile.gettempdir()))
        assert store.is_dir()
        assert select_get(srv.query_url, BUREAUS) == WANT
