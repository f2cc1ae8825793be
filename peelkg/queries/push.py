"""`peelkg push`: load a built graph into any SPARQL 1.1 Graph Store Protocol endpoint.

One HTTP request per named graph (each report's graph and ``id:graph/links``),
PUT with ``--replace`` (the graph is replaced) or POST (triples are added), body
Turtle. Triples outside any named graph go to the endpoint's default graph. With
``graph=IRI`` everything goes into that one graph. urllib only: no dependency.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pyoxigraph as ox

from peelkg.errors import PeelkgError
from peelkg.namespaces import PREFIXES
from peelkg.state import KG_FILE, TRIG_FILE

DEFAULT = "default graph"


@dataclass
class PushSummary:
    endpoint: str
    replace: bool
    graphs: list[tuple[str, int]] = field(default_factory=list)  # (graph IRI or DEFAULT, triples sent)

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)

    def describe(self) -> str:
        """One line for the CLI."""
        verb = "replaced" if self.replace else "added to"
        n = len(self.graphs)
        return f"pushed {self.triples} triples in {n} graph{'s' if n != 1 else ''} ({verb}) at {self.endpoint}"


def _graph_url(endpoint: str, graph: Optional[str]) -> str:
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if graph is None:
        return f"{endpoint}{sep}default"
    return f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"


def _send(url: str, method: str, body: bytes, timeout: float) -> None:
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "text/turtle; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()[0]
        except Exception:  # the body is only a hint
            pass
        raise PeelkgError(f"push failed: {method} {url} -> HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as exc:
        raise PeelkgError(f"push failed: cannot reach {url}: {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise PeelkgError(f"push failed: {method} {url}: {exc}") from None


def _quads(kg_dir: Path) -> list:
    trig = kg_dir / TRIG_FILE
    path, fmt = (trig, ox.RdfFormat.TRIG) if trig.is_file() else (kg_dir / KG_FILE, ox.RdfFormat.TURTLE)
    try:
        return list(ox.parse(path=str(path), format=fmt))
    except (OSError, SyntaxError, ValueError) as exc:
        raise PeelkgError(f"cannot read {path}: {exc}") from None


def push(kg_dir: Path, endpoint: str, *, graph: Optional[str] = None, replace: bool = False, timeout: float = 120.0) -> PushSummary:
    """Send the build in ``kg_dir`` to the Graph Store endpoint; PeelkgError on any HTTP failure."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PeelkgError(f"push failed: {endpoint!r} is not an http(s) URL")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise PeelkgError(f"push failed: --graph {graph!r} is not an absolute IRI") from None
    by_graph: dict[Optional[str], list] = {}
    for q in _quads(Path(kg_dir)):
        key = graph if graph is not None else (None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value)
        by_graph.setdefault(key, []).append(ox.Triple(q.subject, q.predicate, q.object))
    method = "PUT" if replace else "POST"
    summary = PushSummary(endpoint=endpoint, replace=replace)
    prefixes = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    for key in sorted(by_graph, key=lambda k: (k is not None, k or "")):
        triples = list(dict.fromkeys(by_graph[key]))  # one graph may collect a triple from several
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        _send(_graph_url(endpoint, key), method, body, timeout)
        summary.graphs.append((key or DEFAULT, len(triples)))
    return summary
