"""The RDF mapping: a hand-built report maps to the triples docs/rdf-shape.md describes."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from peelkg.kg_build.model import (
    AreaForImprovement,
    CauseOfConcern,
    CorpusGraph,
    Entity,
    EntityLink,
    Finding,
    FollowUp,
    Footnote,
    GradeChange,
    Mention,
    Paragraph,
    Question,
    Recommendation,
    Report,
    ReportGraph,
    Section,
    Statistic,
)
from peelkg.kg_build.rdf import corpus_triples, report_triples
from peelkg.namespaces import GRADE, ID, LEX, OA, ORG, PEEL, PREFIXES, QB

# Untrusted text: quotes, newlines, markup, backslashes, a form feed (PDF text has them).
NASTY = 'The "VSOM" team\'s <script>alert(1)</script> backlog \\ was\nreduced \x0c & fixed.'

TEXT_2017 = (
    "Bedfordshire Police: PEEL effectiveness 2017\n"
    "Preventing crime\n"
    "The force should improve how it uses problem solving.\n"
    "The violent and sex offender management (VSOM) team had a backlog of visits.\n"
    "Neighbourhood teams work well with Luton Borough Council.\n"
    "Anti-social behaviour fell by -5% against -0.05% for England and Wales.\n"
)
TEXT_2018 = (
    "Bedfordshire Police: PEEL 2018/19\n"
    "In 2017, we found that problem solving was weak. The force has now improved.\n"
    + NASTY
    + "\n"
)


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def sample_report_2017() -> ReportGraph:
    t = TEXT_2017
    afi = "The force should improve how it uses problem solving."
    finding = "The violent and sex offender management (VSOM) team had a backlog of visits."
    stat = "-5% against -0.05%"
    paras = []
    lines = ["Preventing crime", afi, finding, "Neighbourhood teams work well with Luton Borough Council.",
             "Anti-social behaviour fell by -5% against -0.05% for England and Wales."]
    for i, line in enumerate(lines):
        s, e = _span(t, line)
        paras.append(Paragraph(index=i, text=line, start=s, end=e, section=0 if i else None, question=1,
                               kind="afi" if line == afi else "body", footnote_refs=[1] if i == 2 else []))
    report = Report(
        key="bedfordshire-police-2017-effectiveness",
        source="bedfordshire-peel-effectiveness-2017.txt",
        sha256=hashlib.sha256(t.encode()).hexdigest(),
        format="txt",
        text=t,
        force="Bedfordshire Police",
        inspection="PEEL police effectiveness 2017",
        year=2017,
        published="2018-03",
        overall_grade="Requires improvement",
        questions=[Question(number=1, title="Preventing crime", grade="Good"),
                   Question(number=2, title="Investigating crime", grade=None, last_inspected=2016)],
        sections=[Section(index=0, title="Preventing crime", question=1)],
        paragraphs=paras,
        footnotes=[Footnote(number=1, text="VSOM: violent and sex offender management.", start=0, end=5, cited_in=[2])],
        areas_for_improvement=[AreaForImprovement(1, 1, afi, *_span(t, afi))],
        causes_of_concern=[CauseOfConcern(index=1, text="Backlogs.", start=_span(t, "backlog")[0],
                                          end=_span(t, "backlog")[1], status="no longer a cause of concern")],
        recommendations=[Recommendation(index=1, text="Clear the backlog.", start=_span(t, "backlog of visits")[0],
                                        end=_span(t, "backlog of visits")[1], cause=1)],
        statistics=[Statistic(index=1, label="Change in ASB incidents", value="-5%", number=-5.0, unit="percent",
                              period="12 months to 31 March 2017", comparator="-0.05%", comparator_number=-0.05,
                              comparator_area="England and Wales", section="Force in numbers", question=1,
                              start=_span(t, stat)[0], end=_span(t, stat)[1])],
    )
    vs, ve = _span(t, "VSOM")
    vsom = Entity(key="unit/vsom", kind="unit", name="violent and sex offender management", acronym="VSOM",
                  aliases=["VSOM team", "VSOMT"], definition="violent and sex offender management", subkind="team",
                  lexicon="vsom", mentions=[Mention(start=vs, end=ve, surface="VSOM", paragraph=2, how="acronym")])
    council = Entity(key="partner/luton-borough-council", kind="partner", name="Luton Borough Council",
                     mentions=[Mention(*_span(t, "Luton Borough Council"), "Luton Borough Council", paragraph=3)])
    fs, fe = _span(t, finding)
    findings = [Finding(index=1, text=finding, start=fs, end=fe, paragraph=2, section=0, question=1,
                        polarity="weakness", cues=["backlog"], entities=["unit/vsom"])]
    return ReportGraph(report=report, entities=[vsom, council], findings=findings)


def sample_report_2018() -> ReportGraph:
    t = TEXT_2018
    s, e = _span(t, NASTY)
    report = Report(
        key="bedfordshire-police-2018-effectiveness",
        source="bedfordshire-peel-2018-19-effectiveness.txt",
        sha256=hashlib.sha256(t.encode()).hexdigest(),
        format="html",
        text=t,
        force="Bedfordshire Police",
        inspection="PEEL 2018/19",
        year=2018,
        published="2020-01-21",
        overall_grade=None,
        questions=[Question(number=1, title="Preventing crime", grade="Outstanding")],
        paragraphs=[Paragraph(index=0, text=NASTY, start=s, end=e, question=1)],
        areas_for_improvement=[AreaForImprovement(question=1, index=1, text=NASTY, start=s, end=e)],
    )
    vsom = Entity(key="unit/vsom-team", kind="unit", name="VSOM team", mentions=[Mention(s + 5, s + 9, "VSOM", 0)])
    return ReportGraph(report=report, entities=[vsom])


def sample_corpus() -> CorpusGraph:
    r17, r18 = sample_report_2017(), sample_report_2018()
    ev = "The force has now improved."
    es, ee = _span(TEXT_2018, ev)
    return CorpusGraph(
        reports=[r17, r18],
        links=[EntityLink(force="Bedfordshire Police", kind="unit", key="unit/vsom", name="VSOM",
                          members=[(r17.report.key, "unit/vsom"), (r18.report.key, "unit/vsom-team")],
                          reasons=["same acronym VSOM"])],
        followups=[FollowUp(force="Bedfordshire Police", earlier_report=r17.report.key, later_report=r18.report.key,
                            question=1, index=1, text=r17.report.areas_for_improvement[0].text, status="improved",
                            evidence=ev, evidence_start=es, evidence_end=ee, carried_forward_as=(1, 1))],
        grade_changes=[GradeChange(force="Bedfordshire Police", earlier_report=r17.report.key,
                                   later_report=r18.report.key, question=1, before="Good", after="Outstanding"),
                       GradeChange(force="Bedfordshire Police", earlier_report=r17.report.key,
                                   later_report=r18.report.key, question=None, before="Requires improvement",
                                   after=None)],
    )


R17 = ID["report/bedfordshire-police-2017-effectiveness"]
R18 = ID["report/bedfordshire-police-2018-effectiveness"]
FORCE = ID["force/bedfordshire-police"]


@pytest.fixture(scope="module")
def corpus() -> CorpusGraph:
    return sample_corpus()


@pytest.fixture(scope="module")
def g17(corpus) -> set:
    return set(report_triples(corpus.reports[0]))


@pytest.fixture(scope="module")
def links(corpus) -> set:
    return set(corpus_triples(corpus))


def _u(s: str) -> URIRef:
    return URIRef(str(R17) + s)


def test_report_node(g17):
    expected = {
        (R17, RDF.type, PEEL.InspectionReport),
        (R17, RDF.type, PROV.Entity),
        (R17, RDFS.label, Literal("Bedfordshire Police \u2014 PEEL police effectiveness 2017")),
        (R17, DCTERMS.title, Literal("PEEL police effectiveness 2017")),
        (R17, PEEL.inspection, Literal("PEEL police effectiveness 2017")),
        (R17, PEEL.year, Literal(2017)),
        (R17, DCTERMS.issued, Literal("2018-03", datatype=rdfns.XSD.gYearMonth)),
        (R17, PEEL.force, FORCE),
        (R17, DCTERMS.source, Literal("bedfordshire-peel-effectiveness-2017.txt")),
        (R17, PEEL.sourceFormat, Literal("txt")),
        (R17, PEEL.sha256, Literal(hashlib.sha256(TEXT_2017.encode()).hexdigest())),
        (R17, PEEL.overallJudgement, _u("/judgement")),
        (R17, PEEL.hasQuestion, _u("/question/1")),
        (R17, PEEL.hasQuestion, _u("/question/2")),
        (R17, PEEL.hasAreaForImprovement, _u("/question/1/afi/1")),
    }
    assert {t for t in g17 if t[0] == R17} == expected
    assert (R17, PEEL.year, Literal(2017)) in g17 and Literal(2017).datatype == rdfns.XSD.integer


def test_question_grade(g17):
    q, j = _u("/question/1"), _u("/question/1/judgement")
    assert {t for t in g17 if t[0] in (q, j)} == {
        (q, RDF.type, PEEL.InspectionQuestion),
        (q, PEEL.questionNumber, Literal(1)),
        (q, DCTERMS.title, Literal("Preventing crime")),
        (q, PEEL.inReport, R17),
        (q, PEEL.judgement, j),
        (j, RDF.type, PEEL.Judgement),
        (j, PEEL.grade, GRADE["good"]),
        (j, PEEL.ofQuestion, q),
        (j, PEEL.inReport, R17),
    }
    overall = _u("/judgement")
    assert (overall, PEEL.grade, GRADE["requires-improvement"]) in g17
    assert (overall, PEEL.isOverall, Literal(True)) in g17
    # a question the report does not grade still has a judgement: ungraded
    assert (_u("/question/2/judgement"), PEEL.grade, GRADE["ungraded"]) in g17
    assert (_u("/question/2"), PEEL.lastInspected, Literal(2016)) in g17


def test_afi_with_evidence_offsets(g17):
    afi = _u("/question/1/afi/1")
    text = "The force should improve how it uses problem solving."
    start = TEXT_2017.index(text)
    ev, quote, pos = (URIRef(f"{afi}/evidence{x}") for x in ("", "/quote", "/position"))
    assert {t for t in g17 if t[0] in (afi, ev, quote, pos)} == {
        (afi, RDF.type, PEEL.AreaForImprovement),
        (afi, RDF.type, PEEL.Statement),
        (afi, PEEL.text, Literal(text)),
        (afi, PEEL["index"], Literal(1)),
        (afi, PEEL.inReport, R17),
        (afi, PEEL.inQuestion, _u("/question/1")),
        (afi, PEEL.inSection, _u("/section/0")),  # found from the offsets
        (afi, PEEL.inParagraph, _u("/paragraph/1")),
        (afi, PEEL.evidence, ev),
        (ev, RDF.type, OA.SpecificResource),
        (ev, OA.hasSource, R17),
        (ev, OA.hasSelector, quote),
        (ev, OA.hasSelector, pos),
        (quote, RDF.type, OA.TextQuoteSelector),
        (quote, OA.exact, Literal(text)),
        (quote, OA.prefix, Literal(TEXT_2017[start - 32 : start])),
        (quote, OA.suffix, Literal(TEXT_2017[start + len(text) : start + len(text) + 32])),
        (pos, RDF.type, OA.TextPositionSelector),
        (pos, OA.start, Literal(start)),
        (pos, OA.end, Literal(start + len(text))),
    }


def test_entity_with_acronym_and_aliases(g17):
    e = _u("/unit/vsom")
    assert {t for t in g17 if t[0] == e} == {
        (e, RDF.type, PEEL.Entity),
        (e, RDF.type, PEEL.Unit),
        (e, RDF.type, ORG.OrganizationalUnit),
        (e, SKOS.prefLabel, Literal("violent and sex offender management")),
        (e, SKOS.notation, Literal("VSOM")),
        (e, SKOS.altLabel, Literal("VSOM team")),
        (e, SKOS.altLabel, Literal("VSOMT")),
        (e, SKOS.definition, Literal("violent and sex offender management")),
        (e, PEEL.kind, Literal("team")),
        (e, PEEL.inReport, R17),
        (e, ORG.unitOf, FORCE),
        (e, PEEL.mentionCount, Literal(1)),
        (e, PEEL.mentionedIn, _u("/paragraph/2")),
        (e, PEEL.lexiconConcept, LEX["vsom"]),
        (e, PEEL.weaknessFindings, Literal(1)),  # finding/1 is a weakness naming it
        (e, PEEL.weaknessCues, Literal("backlog")),
        # every name, lower case, for lookups; the aliases as one sorted list
        (e, PEEL.nameKey, Literal("violent and sex offender management")),
        (e, PEEL.nameKey, Literal("vsom")),
        (e, PEEL.nameKey, Literal("vsom team")),
        (e, PEEL.nameKey, Literal("vsomt")),
        (e, PEEL.aliasList, Literal("VSOM team; VSOMT")),
    }
    p = _u("/partner/luton-borough-council")
    assert (p, RDF.type, ORG.Organization) in g17 and (p, RDF.type, PEEL.Partner) in g17
    assert not any(t[0] == p and t[1] == ORG.unitOf for t in g17)  # only units are unitOf the force


def test_finding(g17):
    f = _u("/finding/1")
    assert (f, PEEL.polarity, PEEL.Weakness) in g17
    assert (f, PEEL.cue, Literal("backlog")) in g17
    assert (f, PEEL.mentions, _u("/unit/vsom")) in g17
    assert (f, PEEL.supports, _u("/question/1/judgement")) in g17
    assert (f, PEEL.inParagraph, _u("/paragraph/2")) in g17


def test_units_carry_their_weakness_findings_and_cues():
    """peel:weaknessFindings / peel:weaknessCues: distinct weakness findings that
    mention the unit, and their cues (lower case, distinct, sorted); strength
    findings and non-units get none. Partners named with a unit in a finding
    get peel:coMentionedUnits."""
    rg = sample_report_2017()
    f1 = rg.findings[0]
    rg.findings += [
        Finding(index=2, text=f1.text, start=f1.start, end=f1.end, paragraph=2, polarity="weakness", cues=["Vacancies", "backlog"],
                entities=["unit/vsom", "partner/luton-borough-council"]),
        Finding(index=3, text=f1.text, start=f1.start, end=f1.end, paragraph=2, polarity="strength", cues=["good"],
                entities=["unit/vsom"]),
    ]
    g = set(report_triples(rg))
    assert (_u("/unit/vsom"), PEEL.weaknessFindings, Literal(2)) in g
    assert (_u("/unit/vsom"), PEEL.weaknessCues, Literal("backlog, vacancies")) in g
    council = _u("/partner/luton-borough-council")
    assert not any(s == council and p in (PEEL.weaknessFindings, PEEL.weaknessCues) for s, p, _ in g)
    # finding/2 names the council with the unit: its co-mentioned units (any polarity)
    assert (council, PEEL.coMentionedUnits, Literal("violent and sex offender management")) in g
    assert not any(p == PEEL.coMentionedUnits for _, p, _ in set(report_triples(sample_report_2017())))


def test_co_mentions_are_counted_per_pair():
    """peel:CoMention: one node per pair of entities named in the same findings,
    its two members (peel:pairOf, and in IRI order as peel:firstOfPair and
    peel:secondOfPair) and the number of findings naming both; a pair named
    twice in one finding counts once."""
    rg = sample_report_2017()
    f1 = rg.findings[0]
    for i, ents in ((2, ["unit/vsom", "partner/luton-borough-council", "unit/vsom"]),
                    (3, ["partner/luton-borough-council", "unit/vsom"])):
        rg.findings.append(Finding(index=i, text=f1.text, start=f1.start, end=f1.end, paragraph=2,
                                   polarity="neutral", entities=ents))
    g = set(report_triples(rg))
    pair = _u("/co-mention/partner/luton-borough-council/unit/vsom")  # members in IRI order
    assert {(p, o) for s, p, o in g if s == pair} == {
        (RDF.type, PEEL.CoMention),
        (PEEL.pairOf, _u("/partner/luton-borough-council")),
        (PEEL.pairOf, _u("/unit/vsom")),
        (PEEL.firstOfPair, _u("/partner/luton-borough-council")),
        (PEEL.secondOfPair, _u("/unit/vsom")),
        (PEEL.findingCount, Literal(2)),
        (PEEL.inReport, R17),
    }
    assert sum(1 for _, p, o in g if o == PEEL.CoMention) == 1
    assert not any(o == PEEL.CoMention for _, p, o in set(report_triples(sample_report_2017())))


def test_every_co_mention_of_the_examples_has_its_members_in_order(example_kg):
    """On the example build: first and second of pair are the two pairOf members,
    the first's IRI sorting before the second's, and the pair's IRI names them."""
    from peelkg.queries import runner

    rows = runner.select(example_kg, (
        "SELECT ?c ?first ?second (GROUP_CONCAT(STR(?m); separator=' ') AS ?members) WHERE { "
        "?c a peel:CoMention ; peel:firstOfPair ?first ; peel:secondOfPair ?second ; peel:pairOf ?m } "
        "GROUP BY ?c ?first ?second")).rows
    assert len(rows) > 50
    for c, first, second, members in rows:
        assert first < second
        assert sorted(members.split()) == [first, second]
        report = first.split("/")[:-2]
        assert c == "/".join(report + ["co-mention"] + first.split("/")[-2:] + second.split("/")[-2:])


def test_power_figures_keep_their_strongest_tie():
    """A figure inside a finding that names a power: peel:statisticInStatement; a
    figure only in the same paragraph as such a finding: peel:statisticInParagraph;
    a figure recorded as about the power (peel:about) gets neither."""
    rg = sample_report_2017()
    t = rg.report.text
    line = "Anti-social behaviour fell by -5% against -0.05% for England and Wales."
    s, e = _span(t, line)
    dvpn = Entity(key="power/dvpn", kind="power", name="DVPN", mentions=[Mention(s, s + 4, "Anti", paragraph=4)])
    cpn = Entity(key="power/cpn", kind="power", name="CPN", mentions=[Mention(s, s + 4, "Anti", paragraph=4)])
    rg.entities += [dvpn, cpn]
    # finding/2 spans the whole line (holds the figure) and names the DVPN; finding/3 is
    # the line's first word only, in the same paragraph, and names the CPN
    rg.findings += [Finding(index=2, text=line, start=s, end=e, paragraph=4, entities=["power/dvpn"]),
                    Finding(index=3, text="Anti-social", start=s, end=s + 11, paragraph=4, entities=["power/cpn"])]
    stat = _u("/statistic/1")
    g = set(report_triples(rg))
    assert (_u("/power/dvpn"), PEEL.statisticInStatement, stat) in g
    assert (_u("/power/cpn"), PEEL.statisticInParagraph, stat) in g
    assert (_u("/power/dvpn"), PEEL.statisticInParagraph, stat) not in g  # the strongest tie only
    rg.report.statistics[0].entity = "power/dvpn"  # about the DVPN: the about tie is the only one
    g = set(report_triples(rg))
    assert (stat, PEEL.about, _u("/power/dvpn")) in g
    assert not any(x == _u("/power/dvpn") and p in (PEEL.statisticInParagraph, PEEL.statisticInStatement)
                   for x, p, _ in g)
    assert (_u("/power/cpn"), PEEL.statisticInParagraph, stat) in g


def test_cause_and_recommendation(g17):
    assert (_u("/cause/1"), PEEL.concernStatus, Literal("no longer a cause of concern")) in g17
    assert (_u("/recommendation/1"), PEEL.forCause, _u("/cause/1")) in g17
    assert (_u("/paragraph/2"), PEEL.citesFootnote, _u("/footnote/1")) in g17


def test_statistic_with_comparator(g17):
    s = _u("/statistic/1")
    facts = {(p, o) for (x, p, o) in g17 if x == s}
    assert {
        (RDF.type, QB.Observation),
        (RDF.type, PEEL.Statistic),
        (QB.dataSet, _u("/dataset")),
        (RDFS.label, Literal("Change in ASB incidents")),
        (PEEL["index"], Literal(1)),  # PEEL.index is str.index
        (PEEL.valueText, Literal("-5%")),
        (PEEL.value, Literal(Decimal("-5.0"))),
        (PEEL.unit, Literal("percent")),
        (PEEL.period, Literal("12 months to 31 March 2017")),
        (PEEL.comparatorText, Literal("-0.05%")),
        (PEEL.comparatorValue, Literal(Decimal("-0.05"))),
        (PEEL.comparatorArea, Literal("England and Wales")),
        (PEEL.sectionTitle, Literal("Force in numbers")),
        (PEEL.inReport, R17),
        (PEEL.inQuestion, _u("/question/1")),
        (PEEL.inParagraph, _u("/paragraph/4")),  # the "Force in numbers" lines it was read from
        (PEEL.evidence, URIRef(f"{s}/evidence")),
    } == facts
    value = next(o for (x, p, o) in g17 if x == s and p == PEEL.comparatorValue)
    assert value.datatype == rdfns.XSD.decimal and str(value) == "-0.05"
    assert (_u("/dataset"), RDF.type, QB.DataSet) in g17


def test_report_graph_subjects_stay_under_the_report(corpus):
    for rg in corpus.reports:
        base = str(ID[f"report/{rg.report.key}"])
        for s, _p, _o in report_triples(rg):
            assert s == URIRef(base) or str(s).startswith(base + "/"), s


def test_followup_with_status(links):
    f = URIRef(f"{R18}/followup/1-1")
    ev_start = TEXT_2018.index("The force has now improved.")
    assert (f, RDF.type, PEEL.FollowUp) in links
    assert (f, PEEL.followsUp, _u("/question/1/afi/1")) in links
    assert (f, PEEL.status, PEEL.Improved) in links
    assert (f, PEEL.inReport, R18) in links
    assert (f, PEEL.carriedForwardAs, URIRef(f"{R18}/question/1/afi/1")) in links
    assert (f, PEEL.evidenceText, Literal("The force has now improved.")) in links
    assert (URIRef(f"{f}/evidence/position"), OA.start, Literal(ev_start)) in links
    assert (URIRef(f"{f}/evidence/quote"), OA.exact, Literal("The force has now improved.")) in links
    assert (R18, PEEL.follows, R17) in links


def _open(triples) -> dict:
    """AFI -> ({peel:openStatus}, {peel:latestFollowUp}) as the links graph gives them."""
    out: dict = {}
    for s, p, o in triples:
        if p in (PEEL.openStatus, PEEL.latestFollowUp):
            out.setdefault(s, (set(), set()))[0 if p == PEEL.openStatus else 1].add(str(o))
    return out


def test_open_afis_are_derived_from_follow_ups_and_follows():
    """peel:openStatus / peel:latestFollowUp, as the open-afis query defines 'open':
    "current" for the AFIs of a report no later report follows; the status of each
    follow-up of the latest year (not carried forward) for a followed-up AFI; nothing
    once any follow-up says addressed, nor for an AFI a later inspection left out."""
    afi17, afi18 = _u("/question/1/afi/1"), URIRef(f"{R18}/question/1/afi/1")
    fu18 = f"{R18}/followup/1-1"
    # the sample: 2018 carries the 2017 AFI forward, so only the 2018 one is open
    assert _open(corpus_triples(sample_corpus())) == {afi18: ({"current"}, set())}

    corpus = sample_corpus()
    corpus.followups[0].carried_forward_as = None  # improved, and not repeated: still open
    assert _open(corpus_triples(corpus)) == {afi17: ({"improved"}, {fu18}), afi18: ({"current"}, set())}
    corpus.followups[0].status = "addressed"  # closed
    assert _open(corpus_triples(corpus)) == {afi18: ({"current"}, set())}

    # a 2019 report follows 2018 up too, and the 2017 AFI twice: the 2019 follow-ups
    # are the latest, one status each; the 2018 one no longer counts
    corpus = sample_corpus()
    corpus.followups[0].carried_forward_as = None
    r19 = sample_report_2018()
    r19.report.key, r19.report.year = "bedfordshire-police-2019-effectiveness", 2019
    corpus.reports.append(r19)
    later = {"earlier_report": R17.split("/report/")[1], "later_report": r19.report.key, "question": 1, "index": 1,
             "text": "x", "force": "Bedfordshire Police"}
    corpus.followups += [FollowUp(**later, status="not addressed"), FollowUp(**later, status="not reassessed"),
                         FollowUp(**{**later, "earlier_report": r19.report.key.replace("2019", "2018")},
                                  status="not reassessed")]
    R19 = f"{ID}report/{r19.report.key}"
    got = _open(corpus_triples(corpus))
    assert got[afi17] == ({"not addressed", "not reassessed"}, {f"{R19}/followup/1-1", f"{R19}/followup/1-1-2"})
    assert got[afi18] == ({"not reassessed"}, {f"{R19}/followup/1-1-3"})  # 2019 follows 2018: no longer current
    assert got[URIRef(f"{R19}/question/1/afi/1")] == ({"current"}, set())
    assert len(got) == 3
    # a follow-up without a year (its report is not in the corpus) cannot be the latest
    corpus.reports.remove(r19)
    assert _open(corpus_triples(corpus))[afi17] == ({"improved"}, {fu18})


def test_grade_changes_and_canonical_entities(links):
    g = URIRef(f"{R18}/grade-change/1")
    assert {(p, o) for s, p, o in links if s == g} == {
        (RDF.type, PEEL.GradeChange),
        (PEEL.earlierReport, R17),
        (PEEL.laterReport, R18),
        (PEEL.direction, Literal("improved")),
        (PEEL.question, Literal(1)),
        (PEEL.fromJudgement, _u("/question/1/judgement")),
        (PEEL.toJudgement, URIRef(f"{R18}/question/1/judgement")),
        (PEEL.fromGrade, GRADE["good"]),
        (PEEL.toGrade, GRADE["outstanding"]),
    }
    overall = URIRef(f"{R18}/grade-change/overall")
    assert (overall, PEEL.fromJudgement, _u("/judgement")) in links
    assert not any(s == overall and p == PEEL.toJudgement for s, p, o in links)  # 2018 has no overall grade
    c = ID["force/bedfordshire-police/unit/vsom"]
    assert (c, RDF.type, PEEL.CanonicalEntity) in links
    assert (c, PEEL.force, FORCE) in links
    assert (c, PEEL.mergeReason, Literal("same acronym VSOM")) in links
    assert (c, PEEL.nameKey, Literal("vsom")) in links  # a lookup by its name finds it
    assert (_u("/unit/vsom"), PEEL.canonical, c) in links
    assert (URIRef(f"{R18}/unit/vsom-team"), PEEL.canonical, c) in links
    assert (FORCE, RDF.type, PEEL.PoliceForce) in links
    assert (FORCE, SKOS.prefLabel, Literal("Bedfordshire Police")) in links


def test_force_name_key_is_its_name_in_lower_case():
    # A force named with capitals and punctuation: its one key is the name as
    # SPARQL LCASE gives it (what a query matches ?_force_key against).
    from peelkg.kg_build.rdf import corpus_head_triples

    head = set(corpus_head_triples({"bedfordshire-police": "Bedfordshire Police", "devon-and-cornwall-police": "Devon & Cornwall POLICE"}))
    keys = {(s, o) for s, p, o in head if p == PEEL.nameKey}
    assert keys == {(FORCE, Literal("bedfordshire police")),
                    (ID["force/devon-and-cornwall-police"], Literal("devon & cornwall police"))}
    assert all(o.datatype is None and o.language is None for _, o in keys)  # plain strings, as the runner binds


def test_grade_scale_in_corpus_graph(links):
    assert (GRADE["requires-improvement"], SKOS.prefLabel, Literal("Requires improvement")) in links
    assert (GRADE["outstanding"], PEEL.rank, Literal(5)) in links
    assert (GRADE["ungraded"], SKOS.inScheme, GRADE["scale"]) in links
    assert not any(s == GRADE["ungraded"] and p == PEEL.rank for s, p, o in links)
    assert (PEEL.Addressed, SKOS.prefLabel, Literal("addressed")) in links


def test_deterministic_and_no_blank_nodes(corpus):
    a = [report_triples(rg) for rg in corpus.reports] + [corpus_triples(corpus)]
    b = [report_triples(rg) for rg in sample_corpus().reports] + [corpus_triples(sample_corpus())]
    assert a == b
    for triples in a:
        assert len(triples) == len(set(triples))  # no duplicates
        for t in triples:
            assert not any(isinstance(x, BNode) for x in t), t
            assert isinstance(t[0], URIRef) and isinstance(t[1], URIRef)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own TriG code
def test_untrusted_text_round_trips_through_turtle(corpus):
    triples = report_triples(corpus.reports[1]) + corpus_triples(corpus)
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in triples:
        g.add(t)
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    afi = URIRef(f"{R18}/question/1/afi/1")
    assert back.value(afi, PEEL.text) == Literal(NASTY)
    assert str(back.value(afi, PEEL.text)) == NASTY
    assert str(back.value(URIRef(f"{afi}/evidence/quote"), OA.exact)) == NASTY
    assert len(back) == len(g)
    # and in a TriG dataset with the named graphs
    ds = Dataset()
    ds.graph(ID["graph/x"]).add((afi, PEEL.text, Literal(NASTY)))
    back_ds = Dataset().parse(data=ds.serialize(format="trig"), format="trig")
    assert str(next(o for _s, _p, o, _g in back_ds.quads((afi, PEEL.text, None, None)))) == NASTY


def test_bad_spans_give_no_evidence():
    rg = sample_report_2017()
    rg.report.areas_for_improvement[0].start = 0
    rg.report.areas_for_improvement[0].end = 0
    triples = report_triples(rg)
    afi = _u("/question/1/afi/1")
    assert not any(s == afi and p == PEEL.evidence for s, p, o in triples)
    assert (afi, PEEL.text, Literal("The force should improve how it uses problem solving.")) in triples


def test_grade_change_across_renumbered_questions():
    corpus = sample_corpus()
    # question 2 of 2017 became question 1 of 2018
    corpus.grade_changes = [GradeChange(force="Bedfordshire Police", earlier_report=corpus.reports[0].report.key,
                                        later_report=corpus.reports[1].report.key, question=1, before=None,
                                        after="Outstanding", earlier_question=2)]
    triples = corpus_triples(corpus)
    g = URIRef(f"{R18}/grade-change/1")
    assert (g, PEEL.fromJudgement, _u("/question/2/judgement")) in triples
    assert (g, PEEL.toJudgement, URIRef(f"{R18}/question/1/judgement")) in triples
    assert (g, PEEL.toGrade, GRADE["outstanding"]) in triples
    assert (g, PEEL.direction, Literal("changed")) in triples
    assert not any(s == g and p == PEEL.fromGrade for s, p, o in triples)
