"""Every named query file: a grlc-style header that matches the query, and SPARQL
that both engines accept."""

from __future__ import annotations

import re
from importlib import resources

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from peelkg.queries.runner import list_queries, load_query

QUERIES = list_queries()
NAMES = [q.name for q in QUERIES]
EXPECTED = {
    "afis", "co-mentions", "entities", "evidence", "grade-history", "lookup", "open-afis",
    "partners", "powers", "reports", "search", "statistics", "unit", "units-under-pressure",
}  # fmt: skip


def test_the_named_queries_users_expect_are_there():
    assert EXPECTED <= set(NAMES)
    assert NAMES == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_has_summary_params_and_columns(name):
    text = resources.files("peelkg.queries").joinpath(f"{name}.rq").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#+")]
    assert header[0].startswith("#+ summary: ") and len(header[0]) > 30
    assert "#+ params:" in header and "#+ columns:" in header
    q = load_query(name)
    assert q.columns, "no columns documented"
    for p in q.params:
        assert p.description, f"parameter {p.name} has no description"
        assert p.example, f"parameter {p.name} has no example"
        if not p.required:
            assert "default:" in p.description, f"optional parameter {p.name} documents no default"


@pytest.mark.parametrize("name", NAMES)
def test_parses_with_pyoxigraph_and_columns_match_the_projection(name):
    q = load_query(name)
    res = ox.Store().query(q.text, use_default_graph_as_union=True)
    assert [v.value for v in res.variables] == [c for c, _ in q.columns]


@pytest.mark.parametrize("name", NAMES)
def test_parses_with_rdflib(name):
    q = load_query(name)
    prepared = prepareQuery(q.text)
    assert prepared.algebra.name == "SelectQuery"


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_grlc_variables_of_the_query(name):
    q = load_query(name)
    params = {p.name for p in q.params}
    used = set(re.findall(r"\?_([A-Za-z0-9_]+)", q.text))
    # ?_name_key: parameter `name` in lower case, bound by the runner
    used = {u[: -len("_key")] if u.endswith("_key") and u[: -len("_key")] in params else u for u in used}
    assert used == params
