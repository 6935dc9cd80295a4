"""`kg serve`: a SPARQL 1.1 Protocol endpoint (Oxigraph's own server behind a guard) plus the viewer.

    with start(Path("exports/graph.ttl"), port=7878) as srv:
        print(srv.query_url, srv.viewer_url)
    serve(Path("exports/graph.ttl"))        # prints both URLs, blocks until Ctrl-C

A graph file is first bulk-loaded into a store (in a temp folder removed on stop, or
`store_dir`, which is kept; an existing store there is replaced, any other non-empty directory
is an error); a store directory (kg.graphio.is_store) is served as it is.

The engine is `oxigraph serve-read-only` (updates refused) unless `read_only=False` (`oxigraph
serve`, which also answers SPARQL Update at /update), bound to a private loopback port.  The
public address (`host:port`) is a small guard in front of it that forwards SPARQL Protocol
requests and
  - refuses SERVICE in queries (and SERVICE or LOAD in updates) with HTTP 403: both make the
    server fetch from other hosts on the caller's behalf (unless `allow_federation=True`);
  - passes the query timeout to Oxigraph (`--timeout-s`, default 30 s), and answers 504 when
    a request still runs past it; since Oxigraph does not stop every operator on time (an
    ORDER BY over a cartesian product runs on), the engine is then restarted;
  - answers 500 when a result grows past `max_result_bytes` (default 64 MiB) and 413 for a
    request body over MAX_REQUEST_BYTES; at most MAX_CONCURRENT requests at once (else 503).
SPARQL queries see the store's default graph; GRAPH ?g { ... } reaches the per-article graphs.

The Oxigraph child runs in its own process group with PR_SET_PDEATHSIG (Linux), so it dies
with `kg serve` even on SIGKILL; stop(), SIGTERM and SIGHUP stop it and remove the temp folder.
A temp folder left by a killed `kg serve` is removed by the next one (its lock is free).

Beside it, a small stdlib HTTP server bound to 127.0.0.1 serves only graph.html (written with
kg.viewer.write_html) on `viewer_port` (default port+1; 0 picks a free port).  If the viewer
cannot be written, it is skipped with a warning and `viewer_url` is None.

The oxigraph executable is looked up next to sys.executable (the venv's bin), then on PATH.

Errors for the CLI (`kg serve GRAPH_OR_DIR [--port 7878] [--host 127.0.0.1] [--writable]
[--store DIR] [--viewer-port N] [--no-viewer] [--timeout S] [--allow-federation]`):
  ServeError (exit 2)  oxigraph not installed; port already in use; the server exited or did
                       not answer in time (its stderr is included)
  GraphError (exit 1)  the graph file cannot be read / loaded, --store is not empty
  InputError (exit 1)  GRAPH_OR_DIR does not exist
`serve` returns 0 after Ctrl-C, SIGTERM or SIGHUP once both servers are stopped (130 if
interrupted while still loading).
"""
from __future__ import annotations

import atexit
import ctypes
import errno
import fcntl
import functools
import http.client
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

from .errors import GraphError, InputError, KGError, QueryError
from .graphio import is_store
from .query import refuse_federation
from .store import write_store

STARTUP_TIMEOUT = 30.0   # seconds to wait for the endpoint to answer
STOP_TIMEOUT = 10.0      # seconds to wait for the server to exit before killing it
QUERY_TIMEOUT = 30.0     # seconds, default per query
GRACE = 2.0              # seconds past the timeout before the guard gives up on a request
MAX_RESULT_BYTES = 64 * 1024 * 1024
MAX_REQUEST_BYTES = 1024 * 1024
MAX_CONCURRENT = 4
VIEWER_PAGE = "graph.html"
TEMP_PREFIX = "kg-serve-"
_LOCK = ".lock"
_PATHS = {"/", "/query", "/update", "/store"}   # what Oxigraph's server answers
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "content-length", "host", "server",
               "date"}


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


# --- the child dies with its parent ------------------------------------------------------

_PR_SET_PDEATHSIG = 1
try:  # resolved before any fork: the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):  # pragma: no cover - no libc prctl
    _prctl = None


def _die_with_parent(parent: int):
    """preexec_fn: SIGKILL this child when the thread that started it ends (Linux)."""
    def setup() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)
    return setup


# --- temp folders ------------------------------------------------------------------------

def _make_temp() -> tuple[Path, int]:
    """A fresh temp folder holding a lock file this process keeps locked while it lives."""
    d = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    fd = os.open(d / _LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return d, fd


def sweep_stale_temp(root: Path | None = None) -> list[Path]:
    """Remove the temp folders of `kg serve` processes that are gone (their lock is free)."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for d in root.glob(TEMP_PREFIX + "*"):
        lock = d / _LOCK
        if not d.is_dir() or not lock.is_file():
            continue
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live server holds it
        else:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        finally:
            os.close(fd)
    return removed


# --- the viewer --------------------------------------------------------------------------

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


# --- the guard in front of Oxigraph ------------------------------------------------------

class _GuardHandler(http.server.BaseHTTPRequestHandler):
    """Forwards requests to the engine after the checks of the module docstring."""

    server_version = "kg-serve"
    srv: "Server"  # set on the subclass made per server

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def _reply(self, code: int, text: str) -> None:
        body = (text.rstrip("\n") + "\n").encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - stdlib names
        self._forward()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def _operations(self, path: str, query: str, body: bytes) -> list[tuple[str, bool]]:
        """The SPARQL texts of the request, each with `is an update`."""
        if path not in ("/query", "/update"):
            return []
        update = path == "/update"
        field = "update" if update else "query"
        texts = urllib.parse.parse_qs(query).get(field, [])
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.command == "POST":
            if ctype == "application/x-www-form-urlencoded":
                texts += urllib.parse.parse_qs(body.decode("utf-8", "replace")).get(field, [])
            elif ctype in ("application/sparql-query", "application/sparql-update"):
                texts.append(body.decode("utf-8", "replace"))
        return [(t, update) for t in texts]

    def _forward(self) -> None:
        srv = self.srv
        if not srv._slots.acquire(blocking=False):
            self._reply(503, "busy: too many requests at once; try again")
            return
        try:
            self._forward_checked(srv)
        finally:
            srv._slots.release()

    def _forward_checked(self, srv: "Server") -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path not in _PATHS:
            self._reply(404, "not found: the endpoint is /query" + ("" if srv.update_url is None
                                                                   else " (updates: /update)"))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._reply(400, "bad Content-Length")
            return
        if length > MAX_REQUEST_BYTES:
            self._reply(413, f"request body over {MAX_REQUEST_BYTES} bytes")
            return
        body = self.rfile.read(length) if length > 0 else b""
        if not srv.allow_federation:
            for text, update in self._operations(parts.path, parts.query, body):
                try:
                    refuse_federation(text, update=update)
                except QueryError as e:
                    self._reply(403, f"refused: {e}")
                    return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        deadline = time.monotonic() + srv.timeout + GRACE
        conn = http.client.HTTPConnection("127.0.0.1", srv._engine_port, timeout=srv.timeout + GRACE)
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            chunks, size = [], 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                conn.sock.settimeout(left)
                chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > srv.max_result_bytes:
                    self._reply(500, f"the result is larger than {srv.max_result_bytes} bytes; "
                                     "ask for less (LIMIT)")
                    return
                chunks.append(chunk)
        except (TimeoutError, socket.timeout):
            srv._request_restart()
            self._reply(504, f"the query ran longer than the {srv.timeout:g} s timeout and was "
                             "stopped")
            return
        except (OSError, http.client.HTTPException) as e:
            self._reply(502, f"the SPARQL engine is not available ({type(e).__name__}); "
                             "try again")
            return
        finally:
            conn.close()
        data = b"".join(chunks)
        if b"operation has been cancelled" in data[-300:]:  # Oxigraph's own timeout mid-stream
            self._reply(504, f"the query ran longer than the {srv.timeout:g} s timeout and was "
                             "stopped")
            return
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in _HOP_BY_HOP and not k.lower().startswith("access-control-"):
                self.send_header(k, v)
        origin = self.headers.get("Origin")
        if origin and origin in getattr(srv, "viewer_origins", ()):   # the viewer's page, nobody else's
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _GuardServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# --- the server --------------------------------------------------------------------------

class Server:
    """A running endpoint (+ viewer).  Use as a context manager or call stop()."""

    def __init__(self) -> None:
        self.query_url: str = ""
        self.update_url: str | None = None
        self.viewer_url: str | None = None
        self.engine_url: str = ""            # Oxigraph itself, on a private loopback port
        self.store_dir: Path | None = None
        self.process: subprocess.Popen | None = None
        self.warnings: list[str] = []
        self.timeout: float = QUERY_TIMEOUT
        self.max_result_bytes: int = MAX_RESULT_BYTES
        self.allow_federation: bool = False
        self.restarts: int = 0
        self._cmd: list[str] = []
        self._engine_port: int = 0
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._guard: _GuardServer | None = None
        self._guard_thread: threading.Thread | None = None
        self._supervisor: threading.Thread | None = None
        self._restart = threading.Event()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._lock = threading.Lock()
        self._tmp: Path | None = None
        self._tmp_fd: int | None = None
        self._stderr = None

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exited(self) -> int | None:
        """The exit code of the engine if it died on its own (not stopped or restarted by us)."""
        with self._lock:
            if self._restart.is_set() or self._stopping.is_set() or self.process is None:
                return None
            return self.process.poll()

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    # the engine is started, restarted and stopped by one long-lived thread: PR_SET_PDEATHSIG
    # fires when the thread that forked the child ends
    def _spawn(self) -> None:
        self._stderr = self._stderr or tempfile.TemporaryFile()
        with self._lock:
            self.process = subprocess.Popen(
                self._cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._stderr, start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()))
        _wait_until_up(self, STARTUP_TIMEOUT)

    def _kill_engine(self) -> None:
        p = self.process
        if p is None or p.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
            try:
                os.killpg(p.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def _supervise(self) -> None:
        try:
            self._spawn()
        except BaseException as e:  # reported by start()
            self._start_error = e
            self._kill_engine()
            self._ready.set()
            return
        self._ready.set()
        while not self._stopping.is_set():
            if not self._restart.wait(0.2) or self._stopping.is_set():
                continue
            self._kill_engine()
            try:
                self._spawn()
                self.restarts += 1
            except BaseException as e:  # noqa: BLE001 - the serve loop reports a dead engine
                self.warnings.append(f"the SPARQL engine could not be restarted: {e}")
            finally:
                with self._lock:
                    self._restart.clear()
        self._kill_engine()

    def _request_restart(self) -> None:
        """A request overran the timeout: restart the engine to stop the work it still does."""
        self._restart.set()

    def stop(self) -> None:
        """Stop both servers and the engine, remove the temp folder.  Safe to call twice."""
        self._stopping.set()
        for attr in ("_guard", "_httpd"):
            httpd = getattr(self, attr)
            if httpd is not None:
                httpd.shutdown()
                httpd.server_close()
                setattr(self, attr, None)
        for attr in ("_guard_thread", "_thread", "_supervisor"):
            t = getattr(self, attr)
            if t is not None and t is not threading.current_thread():
                t.join(timeout=2 * STOP_TIMEOUT + 1)
            setattr(self, attr, None)
        self._kill_engine()  # if the supervisor could not
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        if self._tmp_fd is not None:
            os.close(self._tmp_fd)
            self._tmp_fd = None
        atexit.unregister(self.stop)

    def temp_dir(self) -> Path:
        if self._tmp is None:
            self._tmp, self._tmp_fd = _make_temp()
        return self._tmp


def _viewer_graph(source: Path, store: Path):
    """The graph the viewer page is drawn from: the file itself, or the store read-only."""
    import rdflib

    from .graphio import graph_format, load_graph, open_store, read_graph

    if is_store(source):
        return open_store(store)
    if not graph_format(source).dataset:  # triple formats: parse straight into a Graph
        return load_graph(source)
    g = rdflib.Graph()
    for s, p, o, _ in read_graph(source).quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _start_viewer(srv: Server, source: Path, store: Path, port: int, endpoint: str | None = None) -> None:
    """The viewer page on 127.0.0.1:`port`.  With `endpoint` (the guard's /query) the page holds
    the search index and the overview and fetches the rest from the endpoint, which answers the
    page's origin (CORS) and no other."""
    try:
        from .viewer import write_html

        directory = srv.temp_dir() / "viewer"
        directory.mkdir()
        graph = _viewer_graph(source, store)
        try:
            write_html(graph, directory / VIEWER_PAGE, title=f"gongan-kg: {source.name}", endpoint=endpoint)
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
    vp = httpd.server_address[1]
    srv.viewer_url = f"http://127.0.0.1:{vp}/{VIEWER_PAGE}"
    srv.viewer_origins = (f"http://127.0.0.1:{vp}", f"http://localhost:{vp}")


def _wait_until_up(srv: Server, timeout: float) -> None:
    ask = srv.engine_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
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
            raise ServeError(f"the SPARQL server did not answer at {srv.engine_url} within "
                             f"{timeout:.0f} s: {srv.stderr_text() or 'no message'}")
        time.sleep(0.1)


def start(source: Path, *, host: str = "127.0.0.1", port: int = 7878, viewer_port: int | None = None,
          read_only: bool = True, store_dir: Path | None = None, viewer: bool = True,
          timeout: float = STARTUP_TIMEOUT, query_timeout: float = QUERY_TIMEOUT,
          max_result_bytes: int = MAX_RESULT_BYTES, allow_federation: bool = False) -> Server:
    """Start the SPARQL endpoint (and the viewer unless `viewer=False`) for a graph file or a
    store directory.  `port` must be a real port (not 0); `viewer_port` 0 picks a free one.
    `timeout` bounds the start-up, `query_timeout` (seconds) each query.

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
    if not query_timeout > 0:
        raise ServeError(f"invalid query timeout {query_timeout!r}: use a number of seconds > 0")
    _check_port(host, port, "SPARQL endpoint")
    if viewer and vport:
        _check_port("127.0.0.1", vport, "viewer")
    sweep_stale_temp()
    srv = Server()
    srv.timeout, srv.max_result_bytes, srv.allow_federation = (
        float(query_timeout), int(max_result_bytes), bool(allow_federation))
    atexit.register(srv.stop)
    try:
        if is_store(source):
            store = source
        elif source.is_dir():
            raise GraphError(f"{source}: a directory, but not an Oxigraph store")
        else:
            store = Path(store_dir) if store_dir is not None else srv.temp_dir() / "store"
            write_store(source, store)
        srv.store_dir = store
        if viewer:
            _start_viewer(srv, source, store, vport, endpoint=f"http://{_url_host(host)}:{port}/query")
        srv._engine_port = _free_port()
        srv.engine_url = f"http://127.0.0.1:{srv._engine_port}/query"
        srv._cmd = [str(exe), "serve-read-only" if read_only else "serve",
                    "--location", str(store), "--bind", f"127.0.0.1:{srv._engine_port}",
                    "--timeout-s", str(max(1, int(round(srv.timeout))))]
        srv._supervisor = threading.Thread(target=srv._supervise, name="kg-engine", daemon=True)
        srv._supervisor.start()
        while not srv._ready.wait(0.1):
            pass
        if srv._start_error is not None:
            raise srv._start_error
        handler = type("_Guard", (_GuardHandler,), {"srv": srv})
        try:
            srv._guard = _GuardServer((host, port), handler)
        except OSError as e:
            raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
        srv._guard_thread = threading.Thread(target=srv._guard.serve_forever, name="kg-guard",
                                             daemon=True)
        srv._guard_thread.start()
        base = f"http://{_url_host(host)}:{port}"
        srv.query_url = base + "/query"
        srv.update_url = None if read_only else base + "/update"
    except BaseException:
        srv.stop()
        raise
    return srv


def _say(stream, text: str) -> None:
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


def serve(source: Path, *, host: str = "127.0.0.1", port: int = 7878, viewer_port: int | None = None,
          read_only: bool = True, store_dir: Path | None = None, viewer: bool = True,
          query_timeout: float = QUERY_TIMEOUT, max_result_bytes: int = MAX_RESULT_BYTES,
          allow_federation: bool = False, out=None, err=None) -> int:
    """Start, say the URLs to `out` and warnings to `err` (text streams the caller gives; the
    CLI gives stdout and stderr; None: silent), block until Ctrl-C / SIGTERM / SIGHUP, stop.

    Returns the exit code (0; 130 if interrupted while loading), or raises ServeError if the
    SPARQL server dies on its own."""
    old = {}
    if threading.current_thread() is threading.main_thread():
        def _term(signum, frame):
            raise KeyboardInterrupt
        for sig in (signal.SIGTERM, signal.SIGHUP):
            old[sig] = signal.signal(sig, _term)
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # printed below instead
                srv = start(source, host=host, port=port, viewer_port=viewer_port,
                            read_only=read_only, store_dir=store_dir, viewer=viewer,
                            query_timeout=query_timeout, max_result_bytes=max_result_bytes,
                            allow_federation=allow_federation)
        except KeyboardInterrupt:  # interrupted while loading: start() has cleaned up
            return 130
        try:
            for w in srv.warnings:
                _say(err, f"warning: {w}")
            _say(out, f"SPARQL endpoint: {srv.query_url}" + ("" if read_only else
                 f"  (updates: {srv.update_url})"))
            if srv.viewer_url:
                _say(out, f"Graph viewer:    {srv.viewer_url}")
            _say(out, f"Store:           {srv.store_dir}" + ("  (read-only)" if read_only else ""))
            _say(out, f"Query timeout:   {srv.timeout:g} s; federation (SERVICE) "
                 + ("allowed" if srv.allow_federation else "refused"))
            _say(out, "Press Ctrl-C to stop.")
            while (code := srv.exited()) is None:
                time.sleep(0.5)
            died = f"the SPARQL server exited (code {code}): {srv.stderr_text() or 'no message'}"
        except KeyboardInterrupt:
            _say(out, "stopping...")
            return 0
        finally:
            srv.stop()
        raise ServeError(died)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
