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


@pytest.mark.parametrize("name", NAMES)
def test_text_index_header_names_a_parameter_and_a_variable(name):
    text = load_query(name).text
    lines = [line for line in text.splitlines() if line.startswith("#+ text_index:")]
    if not lines:
        assert name not in ("search", "evidence"), "text queries should use the text index"
        return
    assert len(lines) == 1
    m = re.match(r"^#\+ text_index: ([A-Za-z_]\w*) contains ([A-Za-z_]\w*)$", lines[0])
    assert m, lines[0]
    var, param = m.groups()
    assert param in {p.name for p in load_query(name).params}
    assert re.search(rf"\?{var}\b", text.split("#+ text_index:", 1)[1]), f"?{var} is not in the query"


def test_a_malformed_text_index_header_is_an_error():
    from peelkg.errors import QueryError
    from peelkg.queries.runner import _parse_header

    with pytest.raises(QueryError, match="expected '#\\+ text_index: VAR contains PARAM'"):
        _parse_header("bad", "#+ summary: A query with a bad header line.\n#+ text_index: statement phrase\nSELECT * WHERE { ?s ?p ?o }\n")
