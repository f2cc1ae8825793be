"""Named queries: what they find in the example build, how parameters are bound
(as data, never as query text), and that pyoxigraph and rdflib agree.

Logic tests run on MINI, a small hand-written graph in the shape of
docs/rdf-shape.md; content tests run on the real example build (`example_kg`)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from peelkg.errors import QueryError
from peelkg.queries.runner import (
    QueryResult,
    format_result,
    list_queries,
    load_query,
    open_store,
    run_named,
    run_sparql,
    select,
)

MINI = r"""
BASE <https://w3id.org/peelkg/id/>
PREFIX peel: <https://w3id.org/peelkg/def#>
PREFIX id: <https://w3id.org/peelkg/id/>
PREFIX grade: <https://w3id.org/peelkg/grade/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

grade:good a skos:Concept ; skos:prefLabel "Good" ; peel:rank 4 .
grade:requires-improvement a skos:Concept ; skos:prefLabel "Requires improvement" ; peel:rank 2 .
grade:ungraded a skos:Concept ; skos:prefLabel "Ungraded" .

GRAPH <graph/testshire-police-2017-effectiveness> {
  <force/testshire-police> a org:Organization, peel:PoliceForce ; skos:prefLabel "Testshire Police" ; rdfs:label "Testshire Police" ;
    peel:nameKey "testshire police" .
  <report/testshire-police-2017-effectiveness> a peel:InspectionReport, prov:Entity ;
    rdfs:label "Testshire Police — PEEL police effectiveness 2017" ;
    dcterms:title "PEEL police effectiveness 2017" ; peel:inspection "PEEL police effectiveness 2017" ;
    peel:year 2017 ; dcterms:issued "2018-03"^^xsd:gYearMonth ;
    peel:force <force/testshire-police> ;
    peel:overallJudgement <report/testshire-police-2017-effectiveness/judgement> ;
    peel:hasQuestion <report/testshire-police-2017-effectiveness/question/1>, <report/testshire-police-2017-effectiveness/question/2> ;
    peel:hasAreaForImprovement <report/testshire-police-2017-effectiveness/question/1/afi/1>,
      <report/testshire-police-2017-effectiveness/question/2/afi/1>, <report/testshire-police-2017-effectiveness/question/2/afi/2> ;
    dcterms:source "testshire-2017.txt" ; peel:sourceFormat "txt" ; peel:sha256 "abc" .
  <report/testshire-police-2017-effectiveness/judgement> a peel:Judgement ; peel:grade grade:requires-improvement ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:isOverall true .
  <report/testshire-police-2017-effectiveness/question/1> a peel:InspectionQuestion ; peel:questionNumber 1 ;
    dcterms:title "Preventing crime" ; peel:inReport <report/testshire-police-2017-effectiveness> ;
    peel:judgement <report/testshire-police-2017-effectiveness/question/1/judgement> .
  <report/testshire-police-2017-effectiveness/question/1/judgement> a peel:Judgement ; peel:grade grade:requires-improvement ;
    peel:ofQuestion <report/testshire-police-2017-effectiveness/question/1> ; peel:inReport <report/testshire-police-2017-effectiveness> .
  <report/testshire-police-2017-effectiveness/question/2> a peel:InspectionQuestion ; peel:questionNumber 2 ;
    dcterms:title "Investigating crime" ; peel:inReport <report/testshire-police-2017-effectiveness> ;
    peel:judgement <report/testshire-police-2017-effectiveness/question/2/judgement> .
  <report/testshire-police-2017-effectiveness/question/2/judgement> a peel:Judgement ; peel:grade grade:good ;
    peel:ofQuestion <report/testshire-police-2017-effectiveness/question/2> ; peel:inReport <report/testshire-police-2017-effectiveness> .

  <report/testshire-police-2017-effectiveness/paragraph/3> a peel:Paragraph ; peel:index 3 ; peel:text "The Ruby team has a backlog of cases. Officers use DVPNs well." ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/2> .

  <report/testshire-police-2017-effectiveness/question/1/afi/1> a peel:AreaForImprovement, peel:Statement ; peel:index 1 ;
    peel:text "The force should ensure that local teams are well resourced." ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/1> ;
    peel:mentions <report/testshire-police-2017-effectiveness/unit/local-teams> ;
    peel:evidence <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence> .
  <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence> a oa:SpecificResource ; oa:hasSource <report/testshire-police-2017-effectiveness> ;
    oa:hasSelector <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence/quote>, <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence/position> .
  <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence/quote> a oa:TextQuoteSelector ; oa:exact "The force should ensure that local teams are well resourced." ; oa:prefix "improvement\n" ; oa:suffix "\nSummary" .
  <report/testshire-police-2017-effectiveness/question/1/afi/1/evidence/position> a oa:TextPositionSelector ; oa:start 100 ; oa:end 160 .
  <report/testshire-police-2017-effectiveness/question/2/afi/1> a peel:AreaForImprovement, peel:Statement ; peel:index 1 ;
    peel:text "The force should reduce the Ruby team backlog." ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/2> ;
    peel:mentions <report/testshire-police-2017-effectiveness/unit/ruby-team> .
  <report/testshire-police-2017-effectiveness/question/2/afi/2> a peel:AreaForImprovement, peel:Statement ; peel:index 2 ;
    peel:text "The force should use \"DVPNs\" more {often}." ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/2> .

  <report/testshire-police-2017-effectiveness/finding/1> a peel:Finding, peel:Statement ; peel:index 1 ;
    peel:text "The Ruby team has a backlog of cases." ; peel:polarity peel:Weakness ; peel:cue "backlog" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/2> ;
    peel:inParagraph <report/testshire-police-2017-effectiveness/paragraph/3> ;
    peel:supports <report/testshire-police-2017-effectiveness/question/2/judgement> ;
    peel:mentions <report/testshire-police-2017-effectiveness/unit/ruby-team>, <report/testshire-police-2017-effectiveness/partner/city-council> ;
    peel:evidence <report/testshire-police-2017-effectiveness/finding/1/evidence> .
  <report/testshire-police-2017-effectiveness/finding/1/evidence> a oa:SpecificResource ; oa:hasSource <report/testshire-police-2017-effectiveness> ;
    oa:hasSelector <report/testshire-police-2017-effectiveness/finding/1/evidence/quote>, <report/testshire-police-2017-effectiveness/finding/1/evidence/position> .
  <report/testshire-police-2017-effectiveness/finding/1/evidence/quote> a oa:TextQuoteSelector ; oa:exact "The Ruby team has a backlog of cases." ; oa:prefix "" ; oa:suffix " Officers" .
  <report/testshire-police-2017-effectiveness/finding/1/evidence/position> a oa:TextPositionSelector ; oa:start 500 ; oa:end 537 .
  <report/testshire-police-2017-effectiveness/finding/2> a peel:Finding, peel:Statement ; peel:index 2 ;
    peel:text "Officers use DVPNs well, and the Ruby team has vacancies and high workload." ; peel:polarity peel:Weakness ; peel:cue "vacancies", "workload" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inQuestion <report/testshire-police-2017-effectiveness/question/2> ;
    peel:inParagraph <report/testshire-police-2017-effectiveness/paragraph/3> ;
    peel:mentions <report/testshire-police-2017-effectiveness/unit/ruby-team>, <report/testshire-police-2017-effectiveness/power/dvpn> .
  <report/testshire-police-2017-effectiveness/finding/3> a peel:Finding, peel:Statement ; peel:index 3 ;
    peel:text "The VSOM team manages offenders well with the city council." ; peel:polarity peel:Strength ;
    peel:inReport <report/testshire-police-2017-effectiveness> ;
    peel:mentions <report/testshire-police-2017-effectiveness/unit/vsom>, <report/testshire-police-2017-effectiveness/partner/city-council> .

  <report/testshire-police-2017-effectiveness/unit/ruby-team> a peel:Unit, org:OrganizationalUnit, peel:Entity ; skos:prefLabel "Ruby team" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; org:unitOf <force/testshire-police> ; peel:mentionCount 3 ;
    # as the build writes them from finding/1 and finding/2 (tests/test_rdf.py checks the build)
    peel:weaknessFindings 2 ; peel:weaknessCues "backlog, vacancies, workload" ; peel:nameKey "ruby team" .
  <report/testshire-police-2017-effectiveness/unit/local-teams> a peel:Unit, org:OrganizationalUnit, peel:Entity ; skos:prefLabel "local teams" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; org:unitOf <force/testshire-police> ; peel:mentionCount 1 ;
    peel:nameKey "local teams" .
  <report/testshire-police-2017-effectiveness/unit/vsom> a peel:Unit, org:OrganizationalUnit, peel:Entity ; skos:prefLabel "violent and sex offender management" ;
    skos:notation "VSOM" ; skos:altLabel "VSOM team" ; skos:definition "manages violent and sex offenders" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; org:unitOf <force/testshire-police> ; peel:mentionCount 1 ;
    # lookup keys and alias list, as the build writes them (tests/test_rdf.py checks the build)
    peel:nameKey "violent and sex offender management", "vsom", "vsom team" ; peel:aliasList "VSOM team" .
  <report/testshire-police-2017-effectiveness/partner/city-council> a peel:Partner, org:Organization, peel:Entity ; skos:prefLabel "city council" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:mentionCount 2 ;
    # as the build writes it from finding/1 and finding/3
    peel:coMentionedUnits "Ruby team; violent and sex offender management" ; peel:nameKey "city council" .
  <report/testshire-police-2017-effectiveness/power/dvpn> a peel:Power, peel:Entity ; skos:prefLabel "domestic violence protection notices" ; skos:notation "DVPN" ;
    peel:kind "notice" ; peel:inReport <report/testshire-police-2017-effectiveness> ; peel:mentionCount 2 ;
    peel:nameKey "domestic violence protection notices", "dvpn" ;
    # as the build writes it: statistic/2 sits in paragraph/3, as does finding/2, which names the power
    peel:statisticInParagraph <report/testshire-police-2017-effectiveness/statistic/2> .
  # co-mentions, as the build counts them from the findings' peel:mentions
  <report/testshire-police-2017-effectiveness/co-mention/partner/city-council/unit/ruby-team> a peel:CoMention ;
    peel:pairOf <report/testshire-police-2017-effectiveness/partner/city-council>, <report/testshire-police-2017-effectiveness/unit/ruby-team> ;
    peel:firstOfPair <report/testshire-police-2017-effectiveness/partner/city-council> ; peel:secondOfPair <report/testshire-police-2017-effectiveness/unit/ruby-team> ;
    peel:findingCount 1 ; peel:inReport <report/testshire-police-2017-effectiveness> .
  <report/testshire-police-2017-effectiveness/co-mention/power/dvpn/unit/ruby-team> a peel:CoMention ;
    peel:pairOf <report/testshire-police-2017-effectiveness/power/dvpn>, <report/testshire-police-2017-effectiveness/unit/ruby-team> ;
    peel:firstOfPair <report/testshire-police-2017-effectiveness/power/dvpn> ; peel:secondOfPair <report/testshire-police-2017-effectiveness/unit/ruby-team> ;
    peel:findingCount 1 ; peel:inReport <report/testshire-police-2017-effectiveness> .
  <report/testshire-police-2017-effectiveness/co-mention/partner/city-council/unit/vsom> a peel:CoMention ;
    peel:pairOf <report/testshire-police-2017-effectiveness/partner/city-council>, <report/testshire-police-2017-effectiveness/unit/vsom> ;
    peel:firstOfPair <report/testshire-police-2017-effectiveness/partner/city-council> ; peel:secondOfPair <report/testshire-police-2017-effectiveness/unit/vsom> ;
    peel:findingCount 1 ; peel:inReport <report/testshire-police-2017-effectiveness> .

  <report/testshire-police-2017-effectiveness/dataset> a qb:DataSet ; peel:inReport <report/testshire-police-2017-effectiveness> .
  <report/testshire-police-2017-effectiveness/statistic/1> a qb:Observation, peel:Statistic ; qb:dataSet <report/testshire-police-2017-effectiveness/dataset> ;
    rdfs:label "DVPNs per 100 domestic abuse arrests" ; peel:index 1 ; peel:valueText "4" ; peel:value 4.0 ; peel:unit "per 100 arrests" ;
    peel:period "12 months to 30 June 2017" ; peel:comparatorText "6" ; peel:comparatorValue 6.0 ; peel:comparatorArea "England and Wales" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:about <report/testshire-police-2017-effectiveness/power/dvpn> .
  <report/testshire-police-2017-effectiveness/statistic/2> a qb:Observation, peel:Statistic ; qb:dataSet <report/testshire-police-2017-effectiveness/dataset> ;
    rdfs:label "Calls per 1,000 population" ; peel:index 2 ; peel:valueText "199" ; peel:value 199.0 ; peel:unit "per 1,000 population" ;
    peel:inReport <report/testshire-police-2017-effectiveness> ; peel:inParagraph <report/testshire-police-2017-effectiveness/paragraph/3> .
}

GRAPH <graph/testshire-police-2018-effectiveness> {
  <force/testshire-police> a org:Organization, peel:PoliceForce ; skos:prefLabel "Testshire Police" ; rdfs:label "Testshire Police" ;
    peel:nameKey "testshire police" .
  <report/testshire-police-2018-effectiveness> a peel:InspectionReport, prov:Entity ;
    rdfs:label "Testshire Police — PEEL police effectiveness 2018/19" ;
    dcterms:title "PEEL police effectiveness 2018/19" ; peel:inspection "PEEL police effectiveness 2018/19" ;
    peel:year 2018 ; dcterms:issued "2020-01-21"^^xsd:date ;
    peel:force <force/testshire-police> ;
    peel:overallJudgement <report/testshire-police-2018-effectiveness/judgement> ;
    peel:hasQuestion <report/testshire-police-2018-effectiveness/question/1>, <report/testshire-police-2018-effectiveness/question/2> ;
    peel:hasAreaForImprovement <report/testshire-police-2018-effectiveness/question/1/afi/1> .
  <report/testshire-police-2018-effectiveness/judgement> a peel:Judgement ; peel:grade grade:good ;
    peel:inReport <report/testshire-police-2018-effectiveness> ; peel:isOverall true .
  <report/testshire-police-2018-effectiveness/question/1> a peel:InspectionQuestion ; peel:questionNumber 1 ;
    dcterms:title "Preventing crime" ; peel:inReport <report/testshire-police-2018-effectiveness> ;
    peel:judgement <report/testshire-police-2018-effectiveness/question/1/judgement> .
  <report/testshire-police-2018-effectiveness/question/1/judgement> a peel:Judgement ; peel:grade grade:good ;
    peel:ofQuestion <report/testshire-police-2018-effectiveness/question/1> ; peel:inReport <report/testshire-police-2018-effectiveness> .
  <report/testshire-police-2018-effectiveness/question/2> a peel:InspectionQuestion ; peel:questionNumber 2 ;
    dcterms:title "Investigating crime" ; peel:inReport <report/testshire-police-2018-effectiveness> ;
    peel:judgement <report/testshire-police-2018-effectiveness/question/2/judgement> .
  <report/testshire-police-2018-effectiveness/question/2/judgement> a peel:Judgement ; peel:grade grade:ungraded ;
    peel:ofQuestion <report/testshire-police-2018-effectiveness/question/2> ; peel:inReport <report/testshire-police-2018-effectiveness> .
  <report/testshire-police-2018-effectiveness/question/1/afi/1> a peel:AreaForImprovement, peel:Statement ; peel:index 1 ;
    peel:text "The force should improve its analysis." ;
    peel:inReport <report/testshire-police-2018-effectiveness> ; peel:inQuestion <report/testshire-police-2018-effectiveness/question/1> .
  <report/testshire-police-2018-effectiveness/unit/ruby-team> a peel:Unit, org:OrganizationalUnit, peel:Entity ; skos:prefLabel "Ruby team" ;
    peel:inReport <report/testshire-police-2018-effectiveness> ; org:unitOf <force/testshire-police> ; peel:mentionCount 1 ;
    peel:nameKey "ruby team" .
  <report/testshire-police-2018-effectiveness/finding/1> a peel:Finding, peel:Statement ; peel:index 1 ;
    peel:text "The Ruby team no longer has a backlog." ; peel:polarity peel:Strength ;
    peel:inReport <report/testshire-police-2018-effectiveness> ;
    peel:mentions <report/testshire-police-2018-effectiveness/unit/ruby-team> .
}

GRAPH <graph/links> {
  <force/testshire-police/unit/ruby-team> a peel:CanonicalEntity, peel:Unit ; skos:prefLabel "Ruby team" ;
    peel:force <force/testshire-police> ; peel:mergeReason "same normalised name" ; peel:nameKey "ruby team" .
  <report/testshire-police-2017-effectiveness/unit/ruby-team> peel:canonical <force/testshire-police/unit/ruby-team> .
  <report/testshire-police-2018-effectiveness/unit/ruby-team> peel:canonical <force/testshire-police/unit/ruby-team> .
  <report/testshire-police-2018-effectiveness> peel:follows <report/testshire-police-2017-effectiveness> .
  <report/testshire-police-2018-effectiveness/followup/2-1> a peel:FollowUp ;
    peel:followsUp <report/testshire-police-2017-effectiveness/question/2/afi/1> ;
    peel:inReport <report/testshire-police-2018-effectiveness> ; peel:status peel:Addressed ;
    peel:evidenceText "The backlog has been cleared." .
  <report/testshire-police-2018-effectiveness/followup/1-1> a peel:FollowUp ;
    peel:followsUp <report/testshire-police-2017-effectiveness/question/1/afi/1> ;
    peel:inReport <report/testshire-police-2018-effectiveness> ; peel:status peel:Improved ;
    peel:evidenceText "Some progress." .
  # which AFIs are open, as the build derives it from the follow-ups and peel:follows
  # (tests/test_rdf.py checks the build): 2017 q2/1 was addressed and 2017 q2/2 was
  # left out by the 2018 inspection, so they have none
  <report/testshire-police-2017-effectiveness/question/1/afi/1> peel:openStatus "improved" ;
    peel:latestFollowUp <report/testshire-police-2018-effectiveness/followup/1-1> .
  <report/testshire-police-2018-effectiveness/question/1/afi/1> peel:openStatus "current" .
  <report/testshire-police-2018-effectiveness/grade-change/overall> a peel:GradeChange ;
    peel:fromGrade grade:requires-improvement ; peel:toGrade grade:good ; peel:direction "improved" ; peel:toJudgement <report/testshire-police-2018-effectiveness/judgement> ;
    peel:earlierReport <report/testshire-police-2017-effectiveness> ; peel:laterReport <report/testshire-police-2018-effectiveness> .
  <report/testshire-police-2018-effectiveness/grade-change/1> a peel:GradeChange ;
    peel:fromGrade grade:requires-improvement ; peel:toGrade grade:good ; peel:direction "improved" ; peel:question 1 ; peel:toJudgement <report/testshire-police-2018-effectiveness/question/1/judgement> ;
    peel:earlierReport <report/testshire-police-2017-effectiveness> ; peel:laterReport <report/testshire-police-2018-effectiveness> .
}
"""


def write_kg(trig: str, out: Path) -> Path:
    """A build folder (kg.trig, kg.ttl, store/) holding `trig`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "kg.trig").write_text(trig, encoding="utf-8")
    quads = list(ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG))
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    (out / "kg.ttl").write_bytes(ox.serialize(sorted(union, key=str), format=ox.RdfFormat.TURTLE))
    store = ox.Store(str(out / "store"))
    store.bulk_load(trig.encode("utf-8"), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return out


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    return write_kg(MINI, tmp_path_factory.mktemp("mini"))


def rows(kg, name, params=None, engine="oxigraph"):
    """Rows of a named query as dicts."""
    res = run_named(kg, name, params or {}, engine=engine)
    return [dict(zip(res.vars, r)) for r in res.rows]


def both(kg, name, params=None):
    """Rows from pyoxigraph, after checking rdflib gives the same rows in the same order."""
    a = run_named(kg, name, params or {}, engine="oxigraph")
    b = run_named(kg, name, params or {}, engine="rdflib")
    assert a.vars == b.vars
    assert a.rows == b.rows
    return [dict(zip(a.vars, r)) for r in a.rows]


# ---- API ---------------------------------------------------------------------


def test_list_queries_reads_headers():
    qs = {q.name: q for q in list_queries()}
    afis = qs["afis"]
    assert afis.summary.startswith("Areas for improvement of a report")
    assert [p.name for p in afis.params] == ["report", "force", "year"]
    assert not any(p.required for p in afis.params)
    assert afis.params[0].example == "bedfordshire-police-2017-effectiveness"
    search = qs["search"]
    assert search.params[0].name == "phrase" and search.params[0].required
    assert search.columns[0] == ("force", "force name")
    assert "followups" in qs and "grade-changes" in qs and "carried-forward" in qs


def test_unknown_query_lists_the_known_ones():
    with pytest.raises(QueryError) as err:
        load_query("no-such-query")
    assert "unknown query 'no-such-query'" in str(err.value)
    assert "grade-history" in str(err.value) and "units-under-pressure" in str(err.value)


def test_missing_parameter_is_named_with_its_example(mini):
    with pytest.raises(QueryError) as err:
        run_named(mini, "search", {})
    assert str(err.value) == (
        "query search needs parameter 'phrase': Text to look for, case-insensitive (example: --param phrase='backlog')"
    )


def test_unknown_parameter_is_refused(mini):
    with pytest.raises(QueryError, match="query reports has no parameter 'colour'"):
        run_named(mini, "reports", {"colour": "blue"})


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_syntax_error_names_line_and_column_on_one_line(mini, engine):
    with pytest.raises(QueryError) as err:
        run_sparql(mini, "SELECT ?s\nWHERE {\n  ?s ?p ?o \n  FILTER(}", engine=engine)
    msg = str(err.value)
    assert "\n" not in msg
    assert re.match(r"SPARQL syntax error at line \d+, column \d+: ", msg), msg
    # The '}' is at line 4, column 10: pyoxigraph points just after it, rdflib at FILTER.
    column = "1[01]" if engine == "oxigraph" else "3"
    assert re.match(rf"SPARQL syntax error at line 4, column {column}: ", msg), msg


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_ask_construct(mini, engine):
    res = run_sparql(mini, "SELECT ?y WHERE { ?r a peel:InspectionReport ; peel:year ?y } ORDER BY ?y", engine=engine)
    assert (res.kind, res.vars, res.rows) == ("select", ["y"], [(2017,), (2018,)])
    ask = run_sparql(mini, "ASK { ?u skos:notation 'VSOM' }", engine=engine)
    assert (ask.kind, ask.boolean) == ("ask", True)
    graph = run_sparql(mini, "CONSTRUCT { ?f skos:prefLabel ?l } WHERE { ?f a peel:PoliceForce ; skos:prefLabel ?l }", engine=engine)
    assert graph.kind == "graph"
    parsed = list(ox.parse(graph.graph_turtle.encode(), format=ox.RdfFormat.TURTLE))
    assert [(t.subject.value, t.object.value) for t in parsed] == [
        ("https://w3id.org/peelkg/id/force/testshire-police", "Testshire Police")
    ]


def test_python_values_from_typed_literals(mini):
    res = run_sparql(
        mini,
        "SELECT ?v ?n ?b ?u WHERE { ?s peel:valueText '4' ; peel:value ?v . "
        "BIND(1 AS ?n) BIND(true AS ?b) OPTIONAL { ?s peel:nothing ?u } }",
    )
    assert res.rows == [(Decimal("4"), 1, True, None)]


def test_select_on_an_open_store_with_bindings(mini):
    store = open_store(mini)
    res = select(store, "SELECT ?t WHERE { ?s peel:year ?y ; rdfs:label ?t }", {"y": 2018})
    assert res.rows == [("Testshire Police — PEEL police effectiveness 2018/19",)]


# ---- parameters are data ---------------------------------------------------

NASTY = 'x" } . } DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } #\n> . } DROP ALL'


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name,param", [("search", "phrase"), ("unit", "name"), ("lookup", "name"), ("evidence", "target")])
def test_injection_attempt_is_just_a_string(mini, engine, name, param):
    before = len(run_sparql(mini, "SELECT * WHERE { ?s ?p ?o }").rows)
    res = run_named(mini, name, {param: NASTY}, engine=engine)
    assert res.kind == "select" and res.rows == []
    assert len(run_sparql(mini, "SELECT * WHERE { ?s ?p ?o }").rows) == before


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_quotes_and_braces_in_a_parameter_match_as_text(mini, engine):
    found = rows(mini, "search", {"phrase": '"DVPNs" more {often}'}, engine=engine)
    assert [r["text"] for r in found] == ['The force should use "DVPNs" more {often}.']


def test_values_block_goes_into_the_where_clause_not_into_comments_strings_or_iris():
    from peelkg.queries.runner import _with_values

    q = 'PREFIX ex: <http://e/WHERE>\nSELECT ?WHERE # WHERE {\nWHERE { ex:WHERE ?p "WHERE {" }'
    assert _with_values(q, {"_x": 'a"b}\n'}) == (
        'PREFIX ex: <http://e/WHERE>\nSELECT ?WHERE # WHERE {\nWHERE { VALUES ?_x { "a\\"b}\\n" }  ex:WHERE ?p "WHERE {" }'
    )


# ---- formats -----------------------------------------------------------------

SMALL = QueryResult(
    "select",
    ["name", "n", "note"],
    [("Ruby team", 2, 'says "hi", twice'), ("VSOM", Decimal("0.5"), None), ("tab\there", 10, "line\nbreak")],
)


def test_format_csv():
    assert format_result(SMALL, "csv") == (
        'name,n,note\nRuby team,2,"says ""hi"", twice"\nVSOM,0.5,\ntab\there,10,"line\nbreak"\n'
    )


def test_format_tsv():
    assert format_result(SMALL, "tsv") == (
        'name\tn\tnote\nRuby team\t2\tsays "hi", twice\nVSOM\t0.5\t\ntab\\there\t10\tline\\nbreak\n'
    )


def test_format_json():
    assert json.loads(format_result(SMALL, "json")) == [
        {"name": "Ruby team", "n": 2, "note": 'says "hi", twice'},
        {"name": "VSOM", "n": 0.5},
        {"name": "tab\there", "n": 10, "note": "line\nbreak"},
    ]


def test_format_table():
    assert format_result(SMALL, "table") == (
        "name       n    note\n"
        "---------  ---  ----------------\n"
        'Ruby team  2    says "hi", twice\n'
        "VSOM       0.5\n"
        "tab here   10   line break\n"
        "(3 rows)\n"
    )


def test_format_ask():
    res = QueryResult("ask", [], [], boolean=True)
    assert format_result(res, "table") == "true\n"
    assert format_result(res, "json") == '{"boolean": true}\n'


# ---- query logic on the small graph ------------------------------------------


def test_reports(mini):
    got = both(mini, "reports")
    assert [(r["year"], r["overall_grade"], r["questions"], r["afis"]) for r in got] == [
        (2017, "Requires improvement", 2, 3),
        (2018, "Good", 2, 1),
    ]
    assert both(mini, "reports", {"force": "TESTSHIRE police"}) == got
    assert both(mini, "reports", {"force": "Nowhere Police"}) == []


def test_grade_history_gives_previous_grade_and_change(mini):
    got = both(mini, "grade-history", {"force": "Testshire Police"})
    assert [(r["year"], r["question"], r["grade"], r["previous_grade"], r["change"]) for r in got] == [
        (2017, "overall", "Requires improvement", None, None),
        (2017, "1", "Requires improvement", None, None),
        (2017, "2", "Good", None, None),
        (2018, "overall", "Good", "Requires improvement", "improved"),
        (2018, "1", "Good", "Requires improvement", "improved"),
        (2018, "2", "Ungraded", None, None),
    ]


def test_afis_by_report_key_or_year(mini):
    by_key = both(mini, "afis", {"report": "testshire-police-2017-effectiveness"})
    assert [(r["question"], r["index"]) for r in by_key] == [(1, 1), (2, 1), (2, 2)]
    assert both(mini, "afis", {"force": "testshire police", "year": "2017"}) == by_key
    assert [r["year"] for r in both(mini, "afis")] == [2017, 2017, 2017, 2018]


def test_open_afis_follow_the_documented_definition(mini):
    got = both(mini, "open-afis")
    assert [(r["year"], r["question"], r["index"], r["status"], r["followed_up_in"]) for r in got] == [
        (2017, 1, 1, "improved", 2018),  # followed up, still a shortfall
        (2018, 1, 1, "current", None),  # raised by the latest inspection
    ]  # 2017 q2/1 was addressed; 2017 q2/2 was never followed up and the force was re-inspected
    assert got[0]["follow_up_evidence"] == "Some progress." and got[1]["follow_up_evidence"] is None
    assert both(mini, "open-afis", {"force": "testshire POLICE"}) == got


def test_open_afis_keep_each_latest_follow_up_with_its_own_status(tmp_path):
    """Two follow-ups of one AFI in the latest year: one row each, with its own
    status and evidence (the build gives the AFI both statuses)."""
    extra = """
GRAPH <https://w3id.org/peelkg/id/graph/links> {
  <https://w3id.org/peelkg/id/report/testshire-police-2018-effectiveness/followup/1-1-2> a <https://w3id.org/peelkg/def#FollowUp> ;
    <https://w3id.org/peelkg/def#followsUp> <https://w3id.org/peelkg/id/report/testshire-police-2017-effectiveness/question/1/afi/1> ;
    <https://w3id.org/peelkg/def#inReport> <https://w3id.org/peelkg/id/report/testshire-police-2018-effectiveness> ;
    <https://w3id.org/peelkg/def#status> <https://w3id.org/peelkg/def#NotReassessed> ;
    <https://w3id.org/peelkg/def#evidenceText> "Not looked at." .
  <https://w3id.org/peelkg/id/report/testshire-police-2017-effectiveness/question/1/afi/1>
    <https://w3id.org/peelkg/def#openStatus> "not reassessed" ;
    <https://w3id.org/peelkg/def#latestFollowUp> <https://w3id.org/peelkg/id/report/testshire-police-2018-effectiveness/followup/1-1-2> .
}
"""
    kg = write_kg(MINI + extra, tmp_path / "kg")
    got = both(kg, "open-afis")
    assert [(r["year"], r["status"], r["followed_up_in"], r["follow_up_evidence"]) for r in got] == [
        (2017, "improved", 2018, "Some progress."),
        (2017, "not reassessed", 2018, "Not looked at."),
        (2018, "current", None, None),
    ]


def test_unit_file(mini):
    got = both(mini, "unit", {"name": "RUBY team"})
    assert [(r["year"], r["relation"], r["item"]) for r in got] == [
        (2017, "report", "Testshire Police — PEEL police effectiveness 2017"),
        (2017, "finding", "The Ruby team has a backlog of cases."),
        (2017, "finding", "Officers use DVPNs well, and the Ruby team has vacancies and high workload."),
        (2017, "area for improvement", "The force should reduce the Ruby team backlog."),
        (2017, "partner", "city council"),
        (2017, "power", "domestic violence protection notices"),
        (2018, "report", "Testshire Police — PEEL police effectiveness 2018/19"),
        (2018, "finding", "The Ruby team no longer has a backlog."),
    ]
    by_acronym = both(mini, "unit", {"name": "vsom"})
    assert {r["unit"] for r in by_acronym} == {"violent and sex offender management"}


def test_units_under_pressure_counts_weakness_findings_with_cues(mini):
    got = both(mini, "units-under-pressure")
    assert [(r["year"], r["unit"], r["weakness_findings"], r["cues"]) for r in got] == [
        (2017, "Ruby team", 2, "backlog, vacancies, workload")
    ]


def test_partners_with_co_mentioned_units(mini):
    got = both(mini, "partners")
    assert [(r["partner"], r["mentions"], r["units"]) for r in got] == [
        ("city council", 2, "Ruby team; violent and sex offender management")
    ]


def test_powers_with_their_statistics(mini):
    got = both(mini, "powers")
    assert [(r["power"], r["statistic"], r["value"], r["link"]) for r in got] == [
        ("domestic violence protection notices", "DVPNs per 100 domestic abuse arrests", "4", "about"),
        ("domestic violence protection notices", "Calls per 1,000 population", "199", "same paragraph"),
    ]


def test_statistics_compare_with_the_comparator(mini):
    got = both(mini, "statistics")
    assert [(r["statistic"], r["value"], r["comparator"], r["compared"], r["about"]) for r in got] == [
        ("DVPNs per 100 domestic abuse arrests", Decimal("4"), Decimal("6"), "below", "domestic violence protection notices"),
        ("Calls per 1,000 population", Decimal("199"), None, None, None),
    ]


def test_evidence_by_iri_and_by_fragment(mini):
    iri = "https://w3id.org/peelkg/id/report/testshire-police-2017-effectiveness/question/1/afi/1"
    by_iri = both(mini, "evidence", {"target": iri})
    assert [(r["kind"], r["source"], r["start"], r["end"], r["prefix"], r["suffix"]) for r in by_iri] == [
        ("area for improvement", "testshire-2017.txt", 100, 160, "improvement\n", "\nSummary")
    ]
    by_text = both(mini, "evidence", {"target": "ruby TEAM has"})
    assert [r["statement"].rsplit("/", 2)[-2:] for r in by_text] == [["finding", "1"]]


def test_search_is_case_insensitive(mini):
    got = both(mini, "search", {"phrase": "BACKLOG"})
    assert [(r["year"], r["kind"], r["polarity"]) for r in got] == [
        (2017, "area for improvement", None),
        (2017, "finding", "weakness"),
        (2018, "finding", "strength"),
    ]
    assert both(mini, "search", {"phrase": "backlog", "year": "2018"}) == got[2:]


def test_co_mentions_count_shared_findings(mini):
    got = both(mini, "co-mentions")
    assert [(r["entity_a"], r["kind_a"], r["entity_b"], r["kind_b"], r["findings"]) for r in got] == [
        ("city council", "partner", "Ruby team", "unit", 1),
        ("city council", "partner", "violent and sex offender management", "unit", 1),
        ("domestic violence protection notices", "power", "Ruby team", "unit", 1),
    ]


def test_lookup_resolves_aliases_and_links_across_reports(mini):
    alias = both(mini, "lookup", {"name": "vsom TEAM"})
    assert [(r["kind"], r["name"], r["acronym"], r["aliases"], r["definition"]) for r in alias] == [
        ("unit", "violent and sex offender management", "VSOM", "VSOM team", "manages violent and sex offenders")
    ]
    linked = both(mini, "lookup", {"name": "Ruby team"})
    assert [(r["year"], r["mentions"]) for r in linked] == [(2017, 3), (2018, 1)]
    assert {r["canonical"] for r in linked} == {"https://w3id.org/peelkg/id/force/testshire-police/unit/ruby-team"}


def test_lookup_reaches_linked_entities_that_do_not_have_the_name(tmp_path):
    """The 2018 unit is linked to the 2017 Ruby team but named differently: a
    lookup by either name gives both reports' rows, once each, also when scoped
    to a force or a year."""
    renamed = MINI.replace(
        'skos:prefLabel "Ruby team" ;\n    peel:inReport <report/testshire-police-2018-effectiveness>',
        'skos:prefLabel "Ruby unit" ;\n    peel:inReport <report/testshire-police-2018-effectiveness>',
    ).replace('peel:mentionCount 1 ;\n    peel:nameKey "ruby team" .', 'peel:mentionCount 1 ;\n    peel:nameKey "ruby unit" .')
    assert renamed.count('"ruby unit"') == 1 and renamed.count('"Ruby unit"') == 1
    kg = write_kg(renamed, tmp_path / "kg")
    expected = [(2017, "Ruby team"), (2018, "Ruby unit")]
    for name in ("Ruby team", "RUBY UNIT"):
        got = both(kg, "lookup", {"name": name})
        assert [(r["year"], r["name"]) for r in got] == expected, name
        assert both(kg, "lookup", {"name": name, "force": "testshire police"}) == got
        assert [(r["year"], r["name"]) for r in both(kg, "lookup", {"name": name, "year": "2018"})] == expected[1:]
        assert both(kg, "lookup", {"name": name, "force": "Nowhere Police"}) == []


def test_entities_by_kind(mini):
    got = both(mini, "entities", {"kind": "Power"})
    assert [(r["name"], r["acronym"], r["subkind"]) for r in got] == [("domestic violence protection notices", "DVPN", "notice")]


# ---- content of the example build ----------------------------------------------


def test_emerald_team_is_among_2017_units_under_pressure(example_kg):
    got = rows(example_kg, "units-under-pressure", {"force": "Bedfordshire Police", "year": "2017"})
    assert any(r["unit"].lower() == "emerald team" for r in got), [r["unit"] for r in got]
    assert all(r["year"] == 2017 and r["weakness_findings"] >= 1 for r in got)
    counts = [r["weakness_findings"] for r in got]
    assert counts == sorted(counts, reverse=True)


def test_2018_grades(example_kg, gold):
    got = rows(example_kg, "grade-history", {"force": "Bedfordshire Police"})
    grades_2018 = {r["question"]: r["grade"] for r in got if r["year"] == 2018}
    expected = {str(q["number"]): q["grade"] for q in gold["bedfordshire-peel-2018-19-effectiveness"]["questions"]}
    assert expected == {"1": "Good", "2": "Good", "3": "Good", "4": "Good", "5": "Ungraded"}
    assert {k: grades_2018.get(k) for k in expected} == expected
    assert grades_2018["overall"] == "Good"
    changed = {r["question"]: (r["previous_grade"], r["change"]) for r in got if r["year"] == 2018}
    assert changed["overall"] == ("Requires improvement", "improved")


def test_clares_law_figures_appear_under_powers(example_kg, gold):
    got = rows(example_kg, "powers", {"force": "Bedfordshire Police"})
    clare = {
        s["value"]
        for g in ("bedfordshire-peel-effectiveness-2017", "bedfordshire-peel-2018-19-effectiveness")
        for s in gold[g]["statistics"]
        if "Clare" in s["label"]
    }
    found = {
        r["value"]
        for r in got
        if r["statistic"] and re.search(r"clare|right to (ask|know)", r["power"] + " " + (r["acronym"] or ""), re.I)
    }
    assert len(clare & found) >= len(clare) // 2, (sorted(clare), sorted(found))


def test_2017_afis_by_question(example_kg, gold):
    got = rows(example_kg, "afis", {"force": "Bedfordshire Police", "year": "2017"})
    expected = Counter(a["question_number"] for a in gold["bedfordshire-peel-effectiveness-2017"]["areas_for_improvement"])
    assert expected == Counter({1: 4, 2: 3, 3: 5, 4: 2})
    assert Counter(r["question"] for r in got) == expected
    by_key = rows(example_kg, "afis", {"report": "bedfordshire-police-2017-effectiveness"})
    assert by_key == got


def test_lookup_vsom_resolves(example_kg):
    got = rows(example_kg, "lookup", {"name": "VSOM"})
    assert got, "VSOM not found"
    assert {r["kind"] for r in got} == {"unit"}
    assert all("violent and sex" in r["name"].lower() for r in got)
    assert {r["year"] for r in got} == {2017, 2018}
    assert rows(example_kg, "lookup", {"name": "vsom", "force": "Bedfordshire Police"}) == got
    assert [r["year"] for r in rows(example_kg, "lookup", {"name": "VSOM", "year": "2018"})] == [2018]


def test_open_afis_of_the_example_build_agree_with_afis_and_followups(example_kg):
    """What peel:openStatus gives, checked against the queries it is derived from:
    every AFI of 2018 (the latest inspection) is current, and a 2017 AFI is open
    exactly when its follow-up neither addressed nor carried it forward."""
    force = {"force": "Bedfordshire Police"}
    got = both(example_kg, "open-afis", force)
    key = ("question", "index", "text")
    current = [tuple(r[k] for k in key) for r in got if r["status"] == "current"]
    assert current == [tuple(r[k] for k in key) for r in rows(example_kg, "afis", {**force, "year": "2018"})]
    assert {r["year"] for r in got if r["status"] == "current"} == {2018}
    followed = [(*(r[k] for k in key), r["status"], r["follow_up_evidence"]) for r in got if r["status"] != "current"]
    expected = [(*(r[k] for k in key), r["status"], r["evidence"]) for r in rows(example_kg, "followups", force)
                if r["status"] != "addressed" and r["cf_index"] is None]
    assert followed and sorted(followed, key=repr) == sorted(expected, key=repr)
    assert all(r["year"] == 2017 and r["followed_up_in"] == 2018 for r in got if r["status"] != "current")


def test_search_backlog_finds_icait_findings(example_kg):
    got = rows(example_kg, "search", {"phrase": "backlog"})
    icait = [r for r in got if re.search(r"ICAIT|internet child abuse investigation team", r["text"])]
    assert icait and all(r["year"] == 2017 for r in icait)
    assert all("backlog" in r["text"].lower() for r in got)


def test_reports_of_the_example_build(example_kg):
    got = rows(example_kg, "reports")
    assert [(r["force"], r["year"], r["overall_grade"]) for r in got] == [
        ("Bedfordshire Police", 2017, "Requires improvement"),
        ("Bedfordshire Police", 2018, "Good"),
    ]


def _examples(q):
    return {p.name: p.example for p in q.params if p.example}


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_named_query_gives_the_same_rows_on_both_engines(example_kg, name):
    params = _examples(load_query(name))
    a = run_named(example_kg, name, params, engine="oxigraph")
    b = run_named(example_kg, name, params, engine="rdflib")
    assert a.vars == b.vars
    assert sorted(map(repr, a.rows)) == sorted(map(repr, b.rows))
    # Both engines also agree on the order the query asks for, where it fixes one.
    assert len(a.rows) == len(b.rows)


def _filter_cases():
    """(query, parameter) for every optional force/year filter that is also a column."""
    out = []
    for q in list_queries():
        cols = {c for c, _ in q.columns}
        out += [(q.name, p.name) for p in q.params if p.name in ("force", "year") and not p.required and p.name in cols]
    return out


@pytest.mark.parametrize("name,param", _filter_cases())
def test_force_and_year_filters_keep_exactly_the_matching_rows(example_kg, name, param):
    # The queries apply these filters first (they pick which reports' graphs are
    # read at all), so check that they still select exactly the matching rows of
    # the unfiltered answer, in its order.
    q = load_query(name)
    base = {p.name: p.example for p in q.params if p.required}
    everything = run_named(example_kg, name, base)
    col = everything.vars.index(param)
    value = "bedfordshire police" if param == "force" else "2017"
    expected = [r for r in everything.rows if str(r[col]).lower() == value]
    assert expected, f"no {param}={value} rows in the example build to compare"
    assert run_named(example_kg, name, {**base, param: value}).rows == expected
    other = "Nowhere Police" if param == "force" else "1999"
    assert run_named(example_kg, name, {**base, param: other}).rows == []
