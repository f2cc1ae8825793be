"""`peelkg push`: load the example build into a real Oxigraph server over the
SPARQL 1.1 Graph Store Protocol and read it back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.queries.server import free_port

pytestmark = pytest.mark.server

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


@pytest.fixture()
def endpoint(tmp_path):
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server binary is missing: pip install oxigraph")
    port = free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).close()
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def count(url: str, query: str) -> int:
    req = urllib.request.Request(
        url + "/query", data=query.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"])


def push(*args):
    return CliRunner().invoke(main, ["push", *args], catch_exceptions=False)


def test_push_every_named_graph(endpoint, example_kg):
    quads = list(ox.parse(path=str(example_kg / "kg.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name for q in quads}
    res = push("--endpoint", endpoint + "/store", "--kg", str(example_kg))
    assert res.exit_code == 0, res.output
    assert res.output == f"pushed {len(quads)} triples in {len(graphs)} graphs (added to) at {endpoint}/store\n"
    in_graphs = count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    in_default = count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert in_graphs + in_default == len(quads)
    n_graphs = count(endpoint, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert n_graphs == len([g for g in graphs if not isinstance(g, ox.DefaultGraph)])
    # Pushing again with --replace replaces each graph: nothing doubles.
    again = push("--endpoint", endpoint + "/store", "--kg", str(example_kg), "--replace")
    assert again.exit_code == 0 and "(replaced)" in again.output
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == in_graphs


def test_push_into_one_graph(endpoint, example_kg):
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(example_kg / "kg.trig"), format=ox.RdfFormat.TRIG)}
    res = push("--endpoint", endpoint + "/store", "--graph", "https://example.org/peel", "--kg", str(example_kg))
    assert res.exit_code == 0, res.output
    assert res.output == f"pushed {len(union)} triples in 1 graph (added to) at {endpoint}/store\n"
    n = count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/peel> { ?s ?p ?o } }")
    assert n == len(union)


def test_unreachable_endpoint_is_one_line(example_kg):
    port = free_port()
    res = push("--endpoint", f"http://127.0.0.1:{port}/store", "--kg", str(example_kg))
    assert res.exit_code == 1
    assert res.output.startswith(f"Error: push failed: cannot reach http://127.0.0.1:{port}/store?")
    assert res.output.count("\n") == 1


def test_http_error_is_one_line(endpoint, example_kg):
    res = push("--endpoint", endpoint + "/no-such-path", "--kg", str(example_kg))
    assert res.exit_code == 1
    assert res.output.startswith(f"Error: push failed: POST {endpoint}/no-such-path?")
    assert "-> HTTP 404" in res.output
    assert res.output.count("\n") == 1


def test_not_a_url(example_kg):
    res = push("--endpoint", "ftp://example.org/store", "--kg", str(example_kg))
    assert res.output == "Error: push failed: 'ftp://example.org/store' is not an http(s) URL\n"
