"""`kg serve`: a real SPARQL 1.1 Protocol endpoint (Oxigraph's own server) plus the viewer.

    with start(Path("exports/graph.ttl"), port=7878) as srv:
        print(srv.query_url, srv.viewer_url)
    serve(Path("exports/graph.ttl"))        # prints both URLs, blocks until Ctrl-C

A graph file is first bulk-loaded into a store (a temp directory removed on stop, or
`store_dir`, which is kept; an existing store there is replaced, any other non-empty directory
is an error); a store directory (kg.store.is_store) is served as it is.
The endpoint is `oxigraph serve-read-only` (updates get HTTP 403) unless `read_only=False`
(`oxigraph serve`, which also answers SPARQL Update at /update).  SPARQL queries see the
store's default graph; GRAPH ?g { ... } reaches the per-article named graphs.

Beside it, a small stdlib HTTP server bound to 127.0.0.1 serves only graph.html (written with
kg.viewer.write_html) on `viewer_port` (default port+1; 0 picks a free port).  If the viewer
cannot be written, it is skipped with a warning and `viewer_url` is None.

The oxigraph executable is looked up next to sys.executable (the venv's bin), then on PATH.

Errors for the CLI (`kg serve GRAPH_OR_DIR [--port 7878] [--host 127.0.0.1] [--writable]
[--store DIR] [--viewer-port N] [--no-viewer]`):
  ServeError (exit 2)  oxigraph not installed; port already in use; the server exited or did
                       not answer in time (its stderr is included)
  GraphError (exit 1)  the graph file cannot be read / loaded, --store is not empty
  InputError (exit 1)  GRAPH_OR_DIR does not exist
`serve` returns 0 after Ctrl-C or SIGTERM once both servers are stopped (130 if interrupted
while still loading).
"""
from __future__ import annotations

import atexit
import errno
import functools
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

from .errors import GraphError, InputError, KGError
from .store import is_store, write_store

STARTUP_TIMEOUT = 30.0   # seconds to wait for the endpoint to answer
STOP_TIMEOUT = 10.0      # seconds to wait for the server to exit before killing it
VIEWER_PAGE = "graph.html"


class ServeError(KGError):
    """The SPARQL server cannot be started (missing executable, port in use, crashed)."""
    exit_code = 2


def find_oxigraph() -> Path:
    """The `oxigraph` executable: next to sys.executable first, then on PATH."""
    here = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if here.is_file() and os.access(here, os.X_OK):
        return here
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise ServeError("the 'oxigraph' server executable was not found (looked next to "
                     f"{sys.executable} and on PATH); install it with: pip install oxigraph")


def _check_port(host: str, port: int, what: str) -> None:
    """Raise ServeError if (host, port) cannot be bound right now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ServeError(f"cannot resolve host {host!r}: {e}") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {host} is already in use ({what}); "
                                 "choose another with --port / --viewer-port") from None
            raise ServeError(f"cannot listen on {host}:{port} ({what}): {e.strerror or e}") from None


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class _ViewerHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files of one directory only; no listings; / is the viewer page; quiet."""

    def send_head(self):
        path = urllib.parse.urlsplit(self.path).path
        if path in ("", "/"):
            self.send_response(302)
            self.send_header("Location", "/" + VIEWER_PAGE)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "Not found")
        return None

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


class Server:
    """A running endpoint (+ viewer).  Use as a context manager or call stop()."""

    def __init__(self) -> None:
        self.query_url: str = ""
        self.update_url: str | None = None
        self.viewer_url: str | None = None
        self.store_dir: Path | None = None
        self.process: subprocess.Popen | None = None
        self.warnings: list[str] = []
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: list[Path] = []
        self._stderr = None

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        """Stop both servers and remove temp directories.  Safe to call twice."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)
            self._thread = None
        p = self.process
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=STOP_TIMEOUT)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        for d in self._tmp:
            shutil.rmtree(d, ignore_errors=True)
        self._tmp = []
        atexit.unregister(self.stop)


def _viewer_graph(source: Path, store: Path):
    """The graph the viewer page is drawn from: the file itself, or the store read-only."""
    import rdflib

    from .export import read_graph
    from .store import open_store

    if is_store(source):
        return open_store(store)
    fmt = {".ttl": "turtle", ".nt": "nt"}.get(source.suffix.lower())
    if fmt:  # triple formats: parse straight into a Graph (much faster than via a Dataset)
        try:
            return rdflib.Graph().parse(source, format=fmt)
        except Exception as e:
            raise GraphError(f"{source}: cannot parse as {fmt}: {e}") from None
    g = rdflib.Graph()
    for s, p, o, _ in read_graph(source).quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _start_viewer(srv: Server, source: Path, store: Path, port: int) -> None:
    try:
        from .viewer import write_html

        directory = Path(tempfile.mkdtemp(prefix="kg-viewer-"))
        srv._tmp.append(directory)
        graph = _viewer_graph(source, store)
        try:
            write_html(graph, directory / VIEWER_PAGE, title=f"gongan-kg: {source.name}")
        finally:
            if is_store(source):
                graph.close()  # release the store before the server opens it
    except Exception as e:  # the viewer is optional: never stop the endpoint for it
        msg = f"viewer skipped: {type(e).__name__}: {e}"
        srv.warnings.append(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
        return
    handler = functools.partial(_ViewerHandler, directory=str(directory))
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on 127.0.0.1 is already in use (viewer); "
                             "choose another with --viewer-port") from None
        raise ServeError(f"cannot start the viewer on 127.0.0.1:{port}: {e.strerror or e}") from None
    httpd.daemon_threads = True
    srv._httpd = httpd
    srv._thread = threading.Thread(target=httpd.serve_forever, name="kg-viewer", daemon=True)
    srv._thread.start()
    srv.viewer_url = f"http://127.0.0.1:{httpd.server_address[1]}/{VIEWER_PAGE}"


def _wait_until_up(srv: Server, timeout: float) -> None:
    ask = srv.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    req = urllib.request.Request(ask, headers={"Accept": "application/sparql-results+json"})
    deadline = time.monotonic() + timeout
    while True:
        if not srv.alive():
            raise ServeError(f"the SPARQL server exited (code {srv.process.returncode}): "
                             f"{srv.stderr_text() or 'no message'}")
        try:
            with urllib.request.urlopen(req, timeout=1.0) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"the SPARQL server did not answer at {srv.query_url} within "
                             f"{timeout:.0f} s: {srv.stderr_text() or 'no message'}")
        time.sleep(0.1)


def start(source: Path, *, host: str = "127.0.0.1", port: int = 7878, viewer_port: int | None = None,
          read_only: bool = True, store_dir: Path | None = None, viewer: bool = True,
          timeout: float = STARTUP_TIMEOUT) -> Server:
    """Start the SPARQL endpoint (and the viewer unless `viewer=False`) for a graph file or a
    store directory.  `port` must be a real port (not 0); `viewer_port` 0 picks a free one.

    Returns once the endpoint answers; raises ServeError / GraphError / InputError.
    """
    source = Path(source)
    if not source.exists():
        raise InputError(f"{source}: no such graph file or store directory")
    exe = find_oxigraph()
    vport = port + 1 if viewer_port is None else viewer_port
    if not 0 < port < 65536 or (viewer and not 0 <= vport < 65536):
        raise ServeError(f"invalid port {port if not 0 < port < 65536 else vport}: "
                         "use 1-65535 (the viewer port may be 0 for any free port)")
    _check_port(host, port, "SPARQL endpoint")
    if viewer and vport:
        _check_port("127.0.0.1", vport, "viewer")
    srv = Server()
    atexit.register(srv.stop)
    try:
        if is_store(source):
            store = source
        elif source.is_dir():
            raise GraphError(f"{source}: a directory, but not an Oxigraph store")
        else:
            if store_dir is None:
                tmp = Path(tempfile.mkdtemp(prefix="kg-store-"))
                srv._tmp.append(tmp)
                store = tmp / "store"
            else:
                store = Path(store_dir)
            write_store(source, store)
        srv.store_dir = store
        if viewer:
            _start_viewer(srv, source, store, vport)
        cmd = [str(exe), "serve-read-only" if read_only else "serve",
               "--location", str(store), "--bind", f"{host}:{port}"]
        srv._stderr = tempfile.TemporaryFile()
        srv.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=srv._stderr, start_new_session=True)
        base = f"http://{_url_host(host)}:{port}"
        srv.query_url = base + "/query"
        srv.update_url = None if read_only else base + "/update"
        _wait_until_up(srv, timeout)
    except BaseException:
        srv.stop()
        raise
    return srv


def serve(source: Path, *, host: str = "127.0.0.1", port: int = 7878, viewer_port: int | None = None,
          read_only: bool = True, store_dir: Path | None = None, viewer: bool = True,
          out=None) -> int:
    """Start, print the URLs to `out` (stdout), block until Ctrl-C / SIGTERM, stop cleanly.

    Returns the exit code (0; 130 if interrupted while loading), or raises ServeError if the
    SPARQL server dies on its own."""
    out = out or sys.stdout
    old = None
    if threading.current_thread() is threading.main_thread():
        def _term(signum, frame):
            raise KeyboardInterrupt
        old = signal.signal(signal.SIGTERM, _term)
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # printed below instead
                srv = start(source, host=host, port=port, viewer_port=viewer_port,
                            read_only=read_only, store_dir=store_dir, viewer=viewer)
        except KeyboardInterrupt:  # interrupted while loading: start() has cleaned up
            return 130
        try:
            for w in srv.warnings:
                print(f"warning: {w}", file=sys.stderr)
            print(f"SPARQL endpoint: {srv.query_url}" + ("" if read_only else
                  f"  (updates: {srv.update_url})"), file=out)
            if srv.viewer_url:
                print(f"Graph viewer:    {srv.viewer_url}", file=out)
            print(f"Store:           {srv.store_dir}" + ("  (read-only)" if read_only else ""), file=out)
            print("Press Ctrl-C to stop.", file=out, flush=True)
            while srv.process.poll() is None:
                time.sleep(0.5)
            died = (f"the SPARQL server exited (code {srv.process.returncode}): "
                    f"{srv.stderr_text() or 'no message'}")
        except KeyboardInterrupt:
            print("stopping...", file=out, flush=True)
            return 0
        finally:
            srv.stop()
        raise ServeError(died)
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
