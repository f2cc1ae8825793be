"""`peelkg serve`: a real server process on a free loopback port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from peelkg.queries.server import free_port

pytestmark = pytest.mark.server

COUNT_REPORTS = "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a peel:InspectionReport }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def start(kg: Path, *extra: str):
    port = free_port()
    cmd = [sys.executable, "-c", "from peelkg.cli import main; main()", "serve", "--kg", str(kg), "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start within 60 s")


def children(pid: int) -> set[int]:
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.add(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out


def http(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def get_query(url: str, q: str, accept: str | None = None):
    return http(url + "/query?" + urllib.parse.urlencode({"query": q}), headers={"Accept": accept} if accept else {})


@pytest.fixture(scope="module")
def server(example_kg):
    proc, url = start(example_kg, "--timeout", "2")
    yield url
    stop(proc)


def test_get_json(server):
    status, ctype, body = get_query(server, COUNT_REPORTS, "application/sparql-results+json")
    assert (status, ctype) == (200, "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "2"


def test_default_is_json_and_prefixes_are_predeclared(server):
    status, ctype, body = get_query(server, COUNT_REPORTS)
    assert status == 200 and ctype == "application/sparql-results+json"


def test_post_form_and_direct(server):
    form = urllib.parse.urlencode({"query": COUNT_REPORTS}).encode()
    a = http(server + "/query", data=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    b = http(server + "/query", data=COUNT_REPORTS.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert a == b == (200, "text/csv; charset=utf-8", "n\r\n2\r\n")


@pytest.mark.parametrize(
    "accept,ctype,expected",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", '<literal datatype="http://www.w3.org/2001/XMLSchema#integer">2</literal>'),
        ("text/csv", "text/csv; charset=utf-8", "n\r\n2\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", '?n\n2\n'),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv; charset=utf-8", "n\r\n2\r\n"),
    ],
)
def test_content_negotiation(server, accept, ctype, expected):
    status, got_type, body = get_query(server, COUNT_REPORTS, accept)
    assert (status, got_type) == (200, ctype)
    assert expected in body


def test_not_acceptable(server):
    status, _, body = get_query(server, COUNT_REPORTS, "image/png")
    assert status == 406 and "results come as" in body


def test_construct_as_turtle_and_ntriples(server):
    q = "CONSTRUCT { ?r peel:year ?y } WHERE { ?r a peel:InspectionReport ; peel:year ?y }"
    status, ctype, body = get_query(server, q, "text/turtle")
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    assert "<https://w3id.org/peelkg/id/report/bedfordshire-police-2017-effectiveness> peel:year 2017 ." in body
    status, ctype, body = get_query(server, q, "application/n-triples")
    assert ctype == "application/n-triples"
    assert sorted(body.splitlines()) == [
        "<https://w3id.org/peelkg/id/report/bedfordshire-police-2017-effectiveness> <https://w3id.org/peelkg/def#year> \"2017\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
        "<https://w3id.org/peelkg/id/report/bedfordshire-police-2018-effectiveness> <https://w3id.org/peelkg/def#year> \"2018\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
    ]


def test_syntax_error_is_400_with_position(server):
    status, _, body = get_query(server, "SELECT ?s WHERE {")
    assert status == 400 and body.startswith("SPARQL syntax error: error at 1:18")


def test_update_refused_when_read_only(server):
    status, _, body = http(
        server + "/update", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", headers={"Content-Type": "application/sparql-update"}
    )
    assert status == 403 and "read-only" in body
    assert get_query(server, "ASK { <urn:a> ?p ?o }")[2] == '{"head":{},"boolean":false}'


def test_timeout_stops_a_heavy_query_and_the_server_keeps_serving(server):
    t = time.monotonic()
    status, _, body = get_query(server, HEAVY)
    assert (status, body) == (503, "query timed out after 2 s and was stopped\n")
    assert time.monotonic() - t < 15
    assert get_query(server, COUNT_REPORTS, "text/csv")[2] == "n\r\n2\r\n"


def test_writable_accepts_updates_and_stops_cleanly(example_kg, tmp_path):
    kg = tmp_path / "kg"
    shutil.copytree(example_kg, kg)  # updates change the store: never the shared build
    proc, url = start(kg, "--writable")
    workers = children(proc.pid)
    assert workers
    status, _, _ = http(url + "/update", data=urllib.parse.urlencode({"update": "INSERT DATA { <urn:a> <urn:b> 'c' }"}).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 204
    assert get_query(url, "ASK { <urn:a> <urn:b> 'c' }")[2] == '{"head":{},"boolean":true}'
    out = stop(proc)
    assert proc.returncode == 0
    assert out.splitlines()[0].startswith(f"SPARQL endpoint at {url}/query (read-write")
    assert out.splitlines()[-1] == "stopped"
    deadline = time.monotonic() + 10  # worker processes (and spawn's helper) go with the server
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_binding_elsewhere_warns(example_kg):
    port = free_port()
    cmd = [sys.executable, "-c", "from peelkg.cli import main; main()", "serve", "--kg", str(example_kg), "--host", "0.0.0.0", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert err.startswith("warning: listening on 0.0.0.0: anyone who can reach this machine can query the graph")


def test_missing_store_is_a_one_line_error(tmp_path):
    (tmp_path / "kg.ttl").write_text("")
    res = subprocess.run(
        [sys.executable, "-c", "from peelkg.cli import main; main()", "serve", "--kg", str(tmp_path), "--port", str(free_port())],
        capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 1
    assert res.stderr == f"Error: no store in {tmp_path}: run `peelkg build` first\n"
