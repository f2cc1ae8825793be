"""`peelkg serve`: a SPARQL 1.1 Protocol endpoint over the build's pyoxigraph store.

Why not wrap the ``oxigraph serve-read-only`` binary? It has the union default
graph, but its ``--timeout-s`` is cooperative: measured on 0.5.13 a heavy
COUNT(*) with a 2 s timeout ran ~11 s, and because results are streamed the
client got ``200 OK`` followed by a truncated body ("The SPARQL operation has
been cancelled"), i.e. invalid JSON. Users of a shared endpoint need a hard
limit and a clean error, so this is a small ``ThreadingHTTPServer`` in front of
a pool of worker *processes*, each holding the store open: a query runs in a
worker, its whole result is serialised there, and a worker that overruns the
timeout is killed and replaced while the client gets ``503`` with a one-line
message. It also needs nothing beyond pyoxigraph.

Endpoints:
  GET/POST /query   SPARQL query (``?query=``, form POST, or ``application/sparql-query`` body)
  POST /update      SPARQL Update (form or ``application/sparql-update``), only with --writable
  GET /             a short text description

Results: JSON, XML, CSV, TSV by ``Accept`` (JSON by default); CONSTRUCT and
DESCRIBE: Turtle (default), N-Triples or RDF/XML. The default graph is the union
of all graphs, unless the request names ``default-graph-uri``.

Read-only mode opens the store read-only in two workers. --writable opens it
read-write in ONE worker (RocksDB allows one writer), so queries and updates
run one at a time; updates change the build's store (kg.ttl/kg.trig are not
rewritten; the next ``peelkg build`` replaces the store).
"""

from __future__ import annotations

import ipaddress
import multiprocessing as mp
import queue
import signal
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

from peelkg.errors import PeelkgError
from peelkg.namespaces import PREFIXES
from peelkg.state import STORE_DIR

MAX_BODY = 10 * 1024 * 1024  # a query or update larger than this is refused

RESULT_TYPES = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}
RESULT_CT = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml", "CSV": "text/csv", "TSV": "text/tab-separated-values"}
GRAPH_CT = {"TURTLE": "text/turtle", "N_TRIPLES": "application/n-triples", "RDF_XML": "application/rdf+xml"}


def is_loopback(host: str) -> bool:
    """True for localhost / 127.x / ::1 (where serving is private to this machine)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _accepted(accept: str) -> list[str]:
    """Media types from an Accept header, best first (q-values honoured)."""
    items = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, bits[0].lower()))
    return [t for _, _, t in sorted(items)]


def _pick(accept: list[str], table: dict[str, str], default: str) -> Optional[str]:
    if not accept:
        return default
    for t in accept:
        if t in table:
            return table[t]
        if t in ("*/*", "application/*", "text/*"):
            return default
    return None


# ---- worker process ----------------------------------------------------------


def _worker(store_path: str, writable: bool, conn) -> None:
    """Serve jobs from the pipe until it closes: (kind, text, accept, default_graphs)."""
    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    store = ox.Store(store_path) if writable else ox.Store.read_only(store_path)
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        kind, text, accept, default_graphs = job
        try:
            conn.send(_run_job(ox, store, prefixes, kind, text, accept, default_graphs))
        except Exception as exc:  # a worker must answer every job
            conn.send((500, "text/plain", f"internal error: {type(exc).__name__}: {exc}".encode()))


def _one_line(exc: Exception, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _run_job(ox, store, prefixes, kind, text, accept, default_graphs):
    if kind == "update":
        try:
            store.update(text, prefixes=prefixes)
        except SyntaxError as exc:
            return 400, "text/plain", f"SPARQL syntax error: {_one_line(exc)}".encode()
        store.flush()
        return 204, "", b""
    kwargs = {"prefixes": prefixes}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    try:
        res = store.query(text, **kwargs)
    except SyntaxError as exc:
        return 400, "text/plain", f"SPARQL syntax error: {_one_line(exc)}".encode()
    except (ValueError, RuntimeError) as exc:
        return 400, "text/plain", f"query failed: {exc}".encode()
    if isinstance(res, (ox.QuerySolutions, ox.QueryBoolean)):
        fmt = _pick(accept, RESULT_TYPES, "JSON")
        if fmt is None:
            return 406, "text/plain", ("not acceptable; results come as " + ", ".join(sorted(set(RESULT_CT.values())))).encode()
        return 200, RESULT_CT[fmt], res.serialize(format=getattr(ox.QueryResultsFormat, fmt))
    fmt = _pick(accept, GRAPH_TYPES, "TURTLE")
    if fmt is None:
        return 406, "text/plain", ("not acceptable; graphs come as " + ", ".join(sorted(GRAPH_CT.values()))).encode()
    triples = sorted(res, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    # id: is left out: its local names hold '/', which Turtle prints as '\/'.
    extra = {"prefixes": {p: ns for p, ns in prefixes.items() if p != "id"}} if fmt == "TURTLE" else {}
    return 200, GRAPH_CT[fmt], ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), **extra)


class _Pool:
    """Worker processes holding the store open; a worker that overruns is killed."""

    def __init__(self, store_path: Path, writable: bool, size: int):
        self.store_path = str(store_path)
        self.writable = writable
        self.ctx = mp.get_context("spawn")  # no fork of a threaded server
        self.idle: "queue.Queue" = queue.Queue()
        self.all: set = set()
        self.lock = threading.Lock()
        launched = [self._launch() for _ in range(size)]  # start together: spawning is slow
        for w in launched:
            self.idle.put(self._ready(w))

    def _launch(self):
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(self.store_path, self.writable, child), daemon=True)
        proc.start()
        child.close()
        return proc, parent

    def _ready(self, w):
        proc, conn = w
        try:
            ok = conn.poll(60) and conn.recv() == ("ready",)
        except (EOFError, OSError):
            ok = False
        if not ok:
            proc.kill()
            raise PeelkgError(f"cannot open the store in {self.store_path} (is another process writing it?)")
        with self.lock:
            self.all.add(w)
        return w

    def _start(self):
        return self._ready(self._launch())

    def _discard(self, w) -> None:
        proc, conn = w
        proc.kill()
        proc.join(5)
        conn.close()
        with self.lock:
            self.all.discard(w)

    def run(self, job: tuple, timeout: float) -> tuple[int, str, bytes]:
        try:
            w = self.idle.get(timeout=timeout)
        except queue.Empty:
            return 503, "text/plain", f"server busy: no worker free within {timeout:g} s".encode()
        proc, conn = w
        try:
            conn.send(job)
            if conn.poll(timeout):
                result = conn.recv()
                self.idle.put(w)
                return result
            outcome = (503, "text/plain", f"query timed out after {timeout:g} s and was stopped".encode())
        except (EOFError, OSError, BrokenPipeError):
            outcome = (500, "text/plain", b"worker failed; it has been restarted")
        self._discard(w)
        try:
            self.idle.put(self._start())
        except PeelkgError as exc:
            return 500, "text/plain", str(exc).encode()
        return outcome

    def close(self) -> None:
        with self.lock:
            workers = list(self.all)
        for w in workers:
            self._discard(w)


def _handler(pool: _Pool, writable: bool, timeout: float):
    class Handler(BaseHTTPRequestHandler):
        server_version = "peelkg-sparql"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: one line per request is noise here
            pass

        def _reply(self, status: int, ctype: str, body: bytes) -> None:
            if ctype == "text/plain" and status >= 400 and not body.endswith(b"\n"):
                body += b"\n"  # error messages are one line
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._reply(status, "text/plain", (message + "\n").encode())

        def _body(self) -> Optional[bytes]:
            try:
                n = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                n = -1
            if n < 0 or n > MAX_BODY:
                self._error(413, f"request body must be at most {MAX_BODY} bytes")
                return None
            return self.rfile.read(n)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/":
                mode = "read-write: SPARQL Update at /update" if writable else "read-only"
                self._reply(200, "text/plain", f"peelkg SPARQL endpoint ({mode}). Query at /query?query=...\n".encode())
                return
            if url.path != "/query":
                self._error(404, f"no such path {url.path}; use /query")
                return
            args = urllib.parse.parse_qs(url.query)
            if "query" not in args:
                self._error(400, "missing query parameter")
                return
            self._query(args["query"][0], args.get("default-graph-uri", []))

        def do_HEAD(self):
            self.do_GET()

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path not in ("/query", "/update"):
                self._error(404, f"no such path {url.path}; use /query or /update")
                return
            body = self._body()
            if body is None:
                return
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            args = urllib.parse.parse_qs(url.query)
            field = "query" if url.path == "/query" else "update"
            if ctype == "application/x-www-form-urlencoded":
                args.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
                text = args.get(field, [None])[0]
            elif ctype == f"application/sparql-{field}":
                text = body.decode("utf-8", "replace")
            else:
                self._error(415, f"POST {url.path} needs application/x-www-form-urlencoded or application/sparql-{field}")
                return
            if not text:
                self._error(400, f"missing {field}")
                return
            if field == "query":
                self._query(text, args.get("default-graph-uri", []))
            elif not writable:
                self._error(403, "read-only endpoint: updates are refused (start `peelkg serve --writable` to allow them)")
            else:
                self._reply(*pool.run(("update", text, [], []), timeout))

        def _query(self, text: str, default_graphs: list[str]) -> None:
            accept = _accepted(self.headers.get("Accept") or "")
            self._reply(*pool.run(("query", text, accept, default_graphs), timeout))

    return Handler


class SparqlServer:
    """The endpoint, for use from Python (tests, notebooks): start(), url, stop()."""

    def __init__(self, kg_dir: Path, host: str = "127.0.0.1", port: int = 7878, writable: bool = False, timeout: float = 30.0):
        store = Path(kg_dir) / STORE_DIR
        if not store.is_dir():
            raise PeelkgError(f"no store in {kg_dir}: run `peelkg build` first")
        self.pool = _Pool(store, writable, 1 if writable else 2)
        try:
            self.httpd = ThreadingHTTPServer((host, port), _handler(self.pool, writable, timeout))
        except OSError as exc:
            self.pool.close()
            raise PeelkgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.httpd.daemon_threads = True
        self.writable = writable
        self.timeout = timeout

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.pool.close()


def serve(
    kg_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    writable: bool = False,
    timeout: float = 30.0,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop the workers and return."""
    srv = SparqlServer(kg_dir, host=host, port=port, writable=writable, timeout=timeout)
    stopping = threading.Event()

    def stop(*_):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=srv.httpd.shutdown, daemon=True).start()

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    mode = "read-write: updates at /update" if writable else "read-only"
    announce(f"SPARQL endpoint at {srv.url}/query ({mode}; union default graph; timeout {timeout:g} s). Ctrl-C to stop.")
    try:
        srv.httpd.serve_forever()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        srv.httpd.server_close()
        srv.pool.close()
        announce("stopped")


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
