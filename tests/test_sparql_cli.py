"""`peelkg query` and `peelkg sparql` through click's CliRunner, on a tiny graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.queries.runner import list_queries

TINY = """
PREFIX peel: <https://w3id.org/peelkg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
BASE <https://w3id.org/peelkg/id/>
GRAPH <graph/a-police-2017-effectiveness> {
  <force/a-police> a peel:PoliceForce ; skos:prefLabel "A Police" .
  <report/a-police-2017-effectiveness> a peel:InspectionReport ; peel:force <force/a-police> ; peel:year 2017 ;
    rdfs:label "A Police, 2017" .
  <report/a-police-2017-effectiveness/finding/1> a peel:Finding ; peel:index 1 ;
    peel:inReport <report/a-police-2017-effectiveness> ;
    peel:text "A \\"quoted\\" backlog, with a comma." ; peel:polarity peel:Weakness .
}
GRAPH <graph/a-police-2018-effectiveness> {
  <force/a-police> a peel:PoliceForce ; skos:prefLabel "A Police" .
  <report/a-police-2018-effectiveness> a peel:InspectionReport ; peel:force <force/a-police> ; peel:year 2018 ;
    rdfs:label "A Police, 2018" .
}
"""

YEARS = "SELECT ?year ?label WHERE { ?r a peel:InspectionReport ; peel:year ?year ; rdfs:label ?label } ORDER BY ?year"


@pytest.fixture(scope="module")
def kg(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    (out / "kg.trig").write_text(TINY, encoding="utf-8")
    quads = list(ox.parse(TINY.encode(), format=ox.RdfFormat.TRIG))
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    (out / "kg.ttl").write_bytes(ox.serialize(sorted(union, key=str), format=ox.RdfFormat.TURTLE))
    store = ox.Store(str(out / "store"))
    store.bulk_load(TINY.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return out


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_list_shows_every_query_with_its_parameters(tmp_path):
    res = run("query", "--list")  # works before anything is built
    assert res.exit_code == 0
    lines = res.output.splitlines()
    queries = list_queries()
    width = max(len(q.name) for q in queries)
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == [q.name for q in queries]
    i = lines.index(next(line for line in lines if line.startswith("search ")))
    assert lines[i : i + 4] == [
        "search".ljust(width) + "  Search: findings, areas for improvement, causes of concern and recommendations"
        " whose text contains a phrase (case-insensitive), in report order.",
        " " * width + "    --param phrase=...  (required) e.g. backlog",
        " " * width + "    --param force=...  (optional) e.g. Bedfordshire Police",
        " " * width + "    --param year=...  (optional) e.g. 2017",
    ]


def test_sparql_csv(kg):
    res = run("sparql", YEARS, "--format", "csv", "--kg", str(kg))
    assert res.exit_code == 0
    assert res.output == "year,label\n2017,\"A Police, 2017\"\n2018,\"A Police, 2018\"\n"


def test_sparql_tsv(kg):
    res = run("sparql", YEARS, "--format", "tsv", "--kg", str(kg))
    assert res.output == "year\tlabel\n2017\tA Police, 2017\n2018\tA Police, 2018\n"


def test_sparql_json(kg):
    res = run("sparql", YEARS, "--format", "json", "--kg", str(kg))
    assert res.output == (
        '[\n  {\n    "year": 2017,\n    "label": "A Police, 2017"\n  },\n'
        '  {\n    "year": 2018,\n    "label": "A Police, 2018"\n  }\n]\n'
    )


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_sparql_table_on_both_engines(kg, engine):
    res = run("sparql", YEARS, "--kg", str(kg), "--engine", engine)
    assert res.output == (
        "year  label\n"
        "----  --------------\n"
        "2017  A Police, 2017\n"
        "2018  A Police, 2018\n"
        "(2 rows)\n"
    )


def test_sparql_from_file_and_stdin(kg, tmp_path):
    f = tmp_path / "years.rq"
    f.write_text(YEARS, encoding="utf-8")
    from_file = run("sparql", f"@{f}", "--format", "csv", "--kg", str(kg))
    from_stdin = run("sparql", "-", "--format", "csv", "--kg", str(kg), input=YEARS)
    assert from_file.output == from_stdin.output == "year,label\n2017,\"A Police, 2017\"\n2018,\"A Police, 2018\"\n"
    missing = run("sparql", f"@{tmp_path / 'nope.rq'}", "--kg", str(kg))
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: cannot read ") and missing.output.count("\n") == 1


def test_construct_prints_turtle(kg):
    res = run(
        "sparql",
        "CONSTRUCT { ?f skos:prefLabel ?l } WHERE { ?f a peel:PoliceForce ; skos:prefLabel ?l }",
        "--kg",
        str(kg),
    )
    assert res.exit_code == 0
    body = [line for line in res.output.splitlines() if not line.startswith("@prefix")]
    assert body == ['<https://w3id.org/peelkg/id/force/a-police> skos:prefLabel "A Police" .']
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in res.output


def test_ask(kg):
    assert run("sparql", "ASK { ?s peel:year 2018 }", "--kg", str(kg)).output == "true\n"


def test_syntax_error_is_one_line_with_line_and_column(kg):
    res = run("sparql", "SELECT ?s\nWHERE { ?s ?p }", "--kg", str(kg))
    assert res.exit_code == 1
    assert res.output.count("\n") == 1
    assert res.output.startswith("Error: SPARQL syntax error at line 2, column ")


def test_unknown_query_name_lists_known_ones(kg):
    res = run("query", "nope", "--kg", str(kg))
    assert res.exit_code == 1
    names = ", ".join(q.name for q in list_queries())
    assert res.output == f"Error: unknown query 'nope'; known queries: {names}\n"


def test_missing_parameter_names_it_and_shows_example(kg):
    res = run("query", "unit", "--kg", str(kg))
    assert res.exit_code == 1
    assert res.output == (
        "Error: query unit needs parameter 'name': Unit name, acronym or alias, case-insensitive"
        " (example: --param name='Emerald team')\n"
    )


def test_bad_param_syntax(kg):
    res = run("query", "search", "--param", "phrase", "--kg", str(kg))
    assert res.exit_code == 1
    assert res.output == "Error: --param expects KEY=VALUE, got 'phrase'\n"


def test_named_query_with_param(kg):
    res = run("query", "search", "--param", "phrase=BACKLOG", "--format", "csv", "--kg", str(kg))
    assert res.exit_code == 0
    assert res.output == (
        "force,year,question,kind,polarity,text,statement,report\n"
        'A Police,2017,,finding,weakness,"A ""quoted"" backlog, with a comma.",'
        "https://w3id.org/peelkg/id/report/a-police-2017-effectiveness/finding/1,"
        "https://w3id.org/peelkg/id/report/a-police-2017-effectiveness\n"
    )


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_injection_attempt_through_the_cli_is_data(kg, engine):
    nasty = 'x" } . } DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } #\n> . } DROP ALL'
    res = run("query", "search", "--param", f"phrase={nasty}", "--format", "csv", "--kg", str(kg), "--engine", engine)
    assert res.exit_code == 0
    assert res.output == "force,year,question,kind,polarity,text,statement,report\n"
    quoted = run("query", "search", "--param", 'phrase="quoted"', "--format", "csv", "--kg", str(kg), "--engine", engine)
    assert quoted.output.count("\n") == 2
    after = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", "--kg", str(kg))
    assert after.output == "n\n17\n"  # 17 quads, unchanged


def test_no_graph_is_a_clear_error(tmp_path):
    res = run("sparql", "ASK {}", "--kg", str(tmp_path / "none"))
    assert res.exit_code == 1
    assert res.output.startswith("Error: no knowledge graph in ")
