"""The report reader: text -> Report (force, inspection, questions, grades, AFIs,
causes of concern, recommendations, footnotes, figures), scored against gold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from peelkg.errors import ReportError
from peelkg.kg_build.model import Report
from peelkg.kg_build.reports import parse_report, split_sentences
from peelkg.kg_build.statistics import figures_block, parse_number

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UNSEEN = ROOT / "tests" / "data" / "unseen"
STEMS = ["bedfordshire-peel-effectiveness-2017", "bedfordshire-peel-2018-19-effectiveness"]

# How many figures each example's 'Force in numbers' graphic holds (the 2018/19
# web page has none).
FORCE_IN_NUMBERS = {"bedfordshire-peel-effectiveness-2017": 11, "bedfordshire-peel-2018-19-effectiveness": 0}


def _norm(s: str) -> str:
    """Compare text after normalising quotes and white space only."""
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(s.split())


_cache: dict[str, Report] = {}


def read(stem: str) -> Report:
    if stem not in _cache:
        path = EXAMPLES / f"{stem}.txt"
        _cache[stem] = parse_report(path.read_text(encoding="utf-8"), source=path.name, sha256="0" * 64)
    return _cache[stem]


@pytest.fixture(scope="module")
def unseen() -> tuple[Report, dict]:
    text = (UNSEEN / "report.txt").read_text(encoding="utf-8")
    expected = json.loads((UNSEEN / "expected.json").read_text(encoding="utf-8"))
    return parse_report(text, source="report.txt", sha256="0" * 64), expected


def _mini(body: str) -> str:
    """A minimal report: title, force, date and one graded question, then ``body``."""
    return ("PEEL: Police effectiveness 2019\n\nAn inspection of Northmoor Police\n\nMarch 2020\n\n"
            "Preventing crime\n\nGood\n\n" + body + "\n")


# ---- the two example reports, against gold ------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_report_identity(stem, gold):
    r, g = read(stem), gold[stem]
    assert (r.force, r.inspection, r.year, r.published, r.overall_grade) == (
        g["force"], g["inspection"], g["year"], g["published"], g["overall_grade"]
    )
    assert r.source == f"{stem}.txt" and r.format == "txt"
    assert r.key == f"bedfordshire-police-{g['year']}-effectiveness"


@pytest.mark.parametrize("stem", STEMS)
def test_questions_and_grades(stem, gold):
    r, g = read(stem), gold[stem]
    got = [{"number": q.number, "title": q.title, "grade": q.grade, "last_inspected": q.last_inspected} for q in r.questions]
    assert got == g["questions"]
    for q in r.questions:
        assert 0 <= q.start < q.end <= len(r.text)
    # question spans follow one another and do not overlap
    spans = sorted((q.start, q.end) for q in r.questions)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_2018_carried_over_judgment():
    q4 = read(STEMS[1]).questions[3]
    assert (q4.grade, q4.last_inspected) == ("Good", 2017)


@pytest.mark.parametrize("stem", STEMS)
def test_areas_for_improvement_verbatim(stem, gold):
    r, g = read(stem), gold[stem]
    got = [(a.question, _norm(a.text)) for a in r.areas_for_improvement]
    want = [(a["question_number"], _norm(a["text"])) for a in g["areas_for_improvement"]]
    assert got == want
    # 1-based index within each question
    seen: dict = {}
    for a in r.areas_for_improvement:
        seen[a.question] = seen.get(a.question, 0) + 1
        assert a.index == seen[a.question]


@pytest.mark.parametrize("stem", STEMS)
def test_causes_of_concern(stem, gold):
    r, g = read(stem), gold[stem]
    assert len(r.causes_of_concern) == len(g["causes_of_concern"])
    got = sorted((_norm(c.text), c.status) for c in r.causes_of_concern)
    want = sorted((_norm(c["text"]), c.get("status")) for c in g["causes_of_concern"])
    assert got == want
    assert r.recommendations == []  # neither example makes a recommendation


def test_footnotes_2017():
    r = read(STEMS[0])
    numbers = [f.number for f in r.footnotes]
    # Footnotes 21 and 22 are cited in the body but their text was lost when the PDF was converted.
    assert not re.search(r"^\u00b2\u00b9|^\u00b2\u00b2", r.text, re.M)
    assert numbers == [n for n in range(1, 34) if n not in (21, 22)]
    thrive = next(f for f in r.footnotes if f.number == 3)
    assert thrive.text.startswith("The threat, harm, risk")
    assert thrive.cited_in
    citing = r.paragraphs[thrive.cited_in[0]]
    assert "THRIVE\u00b3" in citing.text and 3 in citing.footnote_refs
    # footnote lines are not paragraphs of the body
    assert not any(p.text.startswith(thrive.text[:30]) for p in r.paragraphs)
    # a footnote's reference line and URL, set apart by blank lines, belong to it
    spr = next(f for f in r.footnotes if f.number == 29)
    assert spr.text.rstrip().endswith("The_Strategic_Policing_Requirement.pdf")


def test_footnote_citations_in_superscript_braces():
    r = read(STEMS[0])
    cap = next(p for p in r.paragraphs if p.text.startswith("Figure 2:"))
    assert cap.kind == "table" and cap.footnote_refs == [13, 14]


@pytest.mark.parametrize("stem", STEMS)
def test_offsets_are_true(stem):
    r = read(stem)
    assert "\r" not in r.text
    for x in r.areas_for_improvement + r.paragraphs + r.footnotes + r.causes_of_concern + r.recommendations:
        assert r.text[x.start:x.end] == x.text, x
    for s in r.statistics:
        assert s.start < s.end and s.value in r.text[s.start:s.end], s
    for s in r.sections:
        assert r.text[s.start:s.start + len(s.title)] == s.title or s.title in r.text[s.start:s.end], s


@pytest.mark.parametrize("stem", STEMS)
def test_structure(stem):
    r = read(stem)
    kinds = {p.kind for p in r.paragraphs}
    assert {"body", "afi"} <= kinds
    # every paragraph inside a question says so, and its section belongs to the same question
    for p in r.paragraphs:
        if p.section is not None and r.sections[p.section].question is not None:
            assert p.question == r.sections[p.section].question
    afi_sections = [s for s in r.sections if s.title.lower() == "areas for improvement"]
    assert [s.question for s in afi_sections] == sorted({a.question for a in r.areas_for_improvement})
    # the contents list and the annex are not questions
    assert not any(s.title == "Force in numbers" and s.question for s in r.sections)
    assert all(p.question is None for p in r.paragraphs if "Annex A" in p.text[:10])


def test_overview_paragraphs_are_summary():
    r = read(STEMS[1])
    first = r.paragraphs[0]
    assert first.kind == "summary" and first.text.startswith("Bedfordshire Police is effective")


# ---- figures: Force in numbers, and figures in the text (scored, printed) --


@pytest.mark.parametrize("stem", STEMS)
def test_force_in_numbers_complete(stem, gold):
    r, g = read(stem), gold[stem]
    fin = [s for s in r.statistics if s.section == "Force in numbers"]
    assert len(fin) == FORCE_IN_NUMBERS[stem]
    gold_keys = {
        (parse_number(s["value"]), parse_number(s["comparator"]) if s["comparator"] else None, s["unit"], s["period"])
        for s in g["statistics"]
    }
    for s in fin:
        assert (s.number, s.comparator_number, s.unit, s.period) in gold_keys, s
        assert s.comparator_area == "England and Wales"
        assert s.value in r.text[s.start:s.end] and s.comparator in r.text[s.start:s.end]


def test_force_in_numbers_first_figure():
    s = next(s for s in read(STEMS[0]).statistics if s.section == "Force in numbers")
    assert (s.label, s.value, s.number, s.unit, s.period, s.comparator, s.comparator_number) == (
        "Calls for assistance: incidents per 1,000 population", "199", 199.0, "per 1,000 population",
        "12 months to 30 June 2017", "282", 282.0,
    )


def test_figures_block_names_first_then_values():
    lines = ["Domestic abuse", "Domestic abuse incidents per 1,000 population 12 months to 30 June 2017",
             "Northmoor Police", "England and Wales", "16", "15",
             "Change in recorded crime 12 months to 30 June 2016 against 12 months to 30 June 2017",
             "Northmoor Police", "+10%", "England and Wales", "\u22120.05%"]
    got = figures_block([(s, i, i + 1) for i, s in enumerate(lines)], "Northmoor Police")
    assert [(s.value, s.comparator, s.unit) for s in got] == [
        ("16", "15", "per 1,000 population"), ("+10%", "\u22120.05%", "percent")]
    assert got[1].period == "12 months to 30 June 2016 against 12 months to 30 June 2017"
    assert got[1].comparator_number == -0.05


def test_figures_block_keeps_a_figure_whose_comparator_was_lost():
    lines = ["Crimes recorded per 1,000 population 12 months to 30 June 2017", "Northmoor Police", "67",
             "England and Wales", "Change in recorded crime 12 months to 30 June 2016 against 12 months to 30 June 2017",
             "Northmoor Police", "+10%", "England and Wales", "+14%"]
    got = figures_block([(s, i, i + 1) for i, s in enumerate(lines)], "Northmoor Police")
    assert [(s.value, s.comparator, s.comparator_area) for s in got] == [
        ("67", None, None), ("+10%", "+14%", "England and Wales")]


def _score(stem, gold):
    """(gold in-text figures, our in-text figures, matched), after taking out the
    'Force in numbers' figures; matched by value and comparator."""
    r, g = read(stem), gold[stem]
    left_gold = [(parse_number(s["value"]), parse_number(s["comparator"]) if s["comparator"] else None)
                 for s in g["statistics"]]
    for s in r.statistics:
        if s.section == "Force in numbers" and (s.number, s.comparator_number) in left_gold:
            left_gold.remove((s.number, s.comparator_number))
    ours = [(s.number, s.comparator_number) for s in r.statistics if s.section != "Force in numbers"]
    n_gold, n_ours = len(left_gold), len(ours)
    tp = 0
    for fig in ours:
        if fig in left_gold:
            left_gold.remove(fig)
            tp += 1
    return n_gold, n_ours, tp


def test_in_text_statistics_recall_precision(gold, output_dir):
    rows = ["in-text figures                              gold  ours   hit  recall  precision"]
    scores = {}
    for stem in STEMS:
        n_gold, n_ours, tp = _score(stem, gold)
        recall, precision = tp / n_gold, (tp / n_ours if n_ours else 0.0)
        scores[stem] = (recall, precision)
        rows.append(f"{stem:44} {n_gold:5} {n_ours:5} {tp:5}  {recall:6.2f}  {precision:9.2f}")
    table = "\n".join(rows)
    print("\nStatistics in the text (matched by value + comparator)\n" + table)
    (output_dir / "reports_statistics_scores.txt").write_text(table + "\n", encoding="utf-8")
    for stem, (recall, precision) in scores.items():
        assert recall >= 0.8 and precision >= 0.8, (stem, recall, precision)


def test_in_text_comparators():
    r = read(STEMS[1])
    by_value = {s.value: s for s in r.statistics}
    assert (by_value["0.05"].comparator, by_value["0.04"].comparator) == ("0.10", "0.11")  # next-sentence comparators
    assert by_value["0.05"].unit == "per 1,000 population"
    assert by_value["30.8 percent"].comparator_number == 25.7
    dv = read(STEMS[0])
    arrests = next(s for s in dv.statistics if s.value == "56.3")
    assert (arrests.comparator_number, arrests.unit, arrests.period) == (
        45.5, "per 100 domestic abuse-related offences", "12 months to 30 June 2017")


@pytest.mark.parametrize("written, number", [
    ("2,314", 2314.0), ("-5%", -5.0), ("+10%", 10.0), ("\u22120.05%", -0.05), ("Seventeen", 17.0),
    ("19.1 percent", 19.1), ("2.4 million", 2.4e6), ("\u00a33m", 3e6), ("1,2", None), ("many", None),
])
def test_parse_number(written, number):
    assert parse_number(written) == number


def test_years_dates_and_footnote_numbers_are_not_figures():
    r = read(STEMS[0])
    numbers = {s.number for s in r.statistics if s.section != "Force in numbers"}
    assert not numbers & {2016.0, 2017.0, 2018.0, 30.0, 136.0}
    for s in r.statistics:
        assert not re.fullmatch(r"(19|20)\d\d", s.value)


FIGURES_PARAGRAPH = (
    "In the 12 months to 31 March 2022, the force answered 91 percent of 999 calls within 10 seconds. "
    "This compares with 71 percent across England and Wales. It has 1,234 police officers and 310 police staff. "
    "Officers used section 136 of the Mental Health Act 1983 on 212 occasions. Children aged 10 to 17 are "
    "referred to the youth offending team. The force spent \u00a32.4 million on its new control room in 2021. "
    "One in four victims said they were not updated. The control room operates 24/7 and has three-quarters of "
    "its posts filled. At 9pm on Fridays, two of the five response teams are on duty. Between 2019 and 2021, "
    "the force recruited 450 new officers. Tier 2 incidents are attended within 60 minutes on average. "
    "Figure 3 shows the same model."
)


def test_figures_in_prose_and_what_is_not_a_figure():
    r = parse_report(_mini(FIGURES_PARAGRAPH), source="m.txt", sha256="0" * 64)
    got = [(s.value, s.unit, s.comparator) for s in r.statistics]
    assert got == [
        ("91 percent", "percent", "71 percent"), ("10", "seconds", None), ("1,234", "count", None),
        ("310", "count", None), ("212", "count", None), ("2.4 million", "pounds", None),
        ("450", "count", None), ("60", "minutes", None),
    ]
    first = r.statistics[0]
    assert (first.period, first.comparator_area, first.question) == ("12 months to 31 March 2022", "England and Wales", 1)
    assert r.text[first.start:first.end].startswith("In the 12 months")


# ---- layouts it has never seen -------------------------------------------


def test_unseen_report(unseen):
    r, e = unseen
    assert (r.force, r.year, r.overall_grade, r.inspection, r.published) == (
        e["force"], e["year"], e["overall_grade"], e["inspection"], e["published"])
    assert [{"number": q.number, "title": q.title, "grade": q.grade} for q in r.questions] == e["questions"]
    assert [(a.question, a.text) for a in r.areas_for_improvement] == [
        (a["question_number"], a["text"]) for a in e["areas_for_improvement"]]
    assert [f.number for f in r.footnotes] == [1, 2, 3]
    assert all(f.cited_in for f in r.footnotes)
    assert r.footnotes[0].text.startswith("Heritage crime is")
    for x in r.areas_for_improvement + r.paragraphs + r.footnotes:
        assert r.text[x.start:x.end] == x.text
    arrests = next(s for s in r.statistics if s.value == "48.2")
    assert (arrests.comparator, arrests.comparator_area) == ("32.9", "England and Wales")
    assert {s.value for s in r.statistics} >= {"1,460", "312", "17", "38 percent"}


PEEL_2021 = """PEEL 2021/22
An inspection of Northmoor Police

Published 12 March 2022

Our judgments

Preventing crime and anti-social behaviour\tAdequate
Investigating crime\tRequires improvement

Summary

Northmoor Police is adequate at preventing crime, but it requires improvement in how it investigates crime.

Cause of concern

The force is not doing enough to safeguard children who go missing from home. This puts some children at risk of harm.

Recommendations

We recommend that, within six months, the force should:
  \u2022 make sure that every report of a missing child is risk assessed by a supervisor;
  \u2022 review its policy on children who repeatedly go missing.

Preventing crime and anti-social behaviour

Adequate

The force is adequate at preventing crime. In the year ending 31 March 2022, the force recorded 41 anti-social behaviour incidents per 1,000 population. This compares with 29 across England and Wales.

Area for improvement

The force should make sure that neighbourhood officers have time for problem solving.

Investigating crime

Requires improvement

Investigations are not always supervised. We recommend that the force reviews how it supervises investigations.
"""


def test_judgments_table_causes_and_recommendations():
    r = parse_report(PEEL_2021, source="northmoor.txt", sha256="0" * 64)
    assert (r.force, r.inspection, r.year, r.published, r.key) == (
        "Northmoor Police", "PEEL 2021/22", 2021, "2022-03-12", "northmoor-police-2021-peel")
    assert [(q.number, q.title, q.grade) for q in r.questions] == [
        (1, "Preventing crime and anti-social behaviour", "Adequate"), (2, "Investigating crime", "Requires improvement")]
    assert [c.text for c in r.causes_of_concern] == [
        "The force is not doing enough to safeguard children who go missing from home. This puts some children at risk of harm."]
    assert [(x.text, x.cause, x.question) for x in r.recommendations] == [
        ("make sure that every report of a missing child is risk assessed by a supervisor;", 1, None),
        ("review its policy on children who repeatedly go missing.", 1, None),
        ("We recommend that the force reviews how it supervises investigations.", None, 2),
    ]
    assert [(a.question, a.index) for a in r.areas_for_improvement] == [(1, 1)]
    fig = next(s for s in r.statistics if s.value == "41")
    assert (fig.unit, fig.period, fig.comparator) == ("per 1,000 population", "year ending 31 March 2022", "29")


COLON_LAYOUT = """PEEL 2021/22: An inspection of Harrowby and Fenn Constabulary

Published 3 June 2022

Our judgments

Preventing crime and anti-social behaviour: Good
Investigating crime: Requires improvement
Protecting vulnerable people: Adequate

Summary

Harrowby and Fenn Constabulary is good at preventing crime, but it requires improvement at investigating crime.

1. How effective is the force at preventing crime?

Good

The force is good at preventing crime. It works well with the Fenland rural partnership.

2. How effective is the force at investigating crime?

Requires improvement

Investigations are not well supervised. There is a backlog of 900 cases.

Areas for improvement

- The force should supervise investigations better.

Protecting vulnerable people \u2013 Adequate

The force protects vulnerable people adequately.
"""


def test_colon_judgments_and_numbered_questions():
    r = parse_report(COLON_LAYOUT, source="harrowby.txt", sha256="0" * 64)
    assert (r.force, r.inspection, r.year) == ("Harrowby and Fenn Constabulary", "PEEL 2021/22", 2021)
    assert [(q.number, q.title, q.grade) for q in r.questions] == [
        (1, "Preventing crime and anti-social behaviour", "Good"),
        (2, "Investigating crime", "Requires improvement"),
        (3, "Protecting vulnerable people", "Adequate"),
    ]
    # each question's span holds its chapter (not just the table row)
    assert "backlog of 900 cases" in r.text[r.questions[1].start:r.questions[1].end]
    assert [(a.question, a.index, a.text) for a in r.areas_for_improvement] == [
        (2, 1, "The force should supervise investigations better.")]
    assert [p.question for p in r.paragraphs if p.text.startswith("The force protects")] == [3]


GROUPED_JUDGMENTS = """PEEL 2021/22
An inspection of Northmoor Police

Published 9 September 2022

Our judgements

Outstanding

No areas graded as outstanding.

Good

Preventing crime and anti-social behaviour

Treatment of the public

Adequate

Investigating crime

Summary

Northmoor Police is good at preventing crime. It is adequate at investigating crime.

Treatment of the public

Good

The force treats the public fairly and with respect.

Preventing crime and anti-social behaviour

Good

The force prevents crime well.

Investigating crime

Adequate

Area for improvement

The force should supervise investigations better.
"""


def test_judgments_grouped_by_grade():
    r = parse_report(GROUPED_JUDGMENTS, source="g.txt", sha256="0" * 64)
    assert [(q.number, q.title, q.grade) for q in r.questions] == [
        (1, "Treatment of the public", "Good"),
        (2, "Preventing crime and anti-social behaviour", "Good"),
        (3, "Investigating crime", "Adequate"),
    ]
    assert r.published == "2022-09-09" and r.overall_grade is None
    assert [(a.question, a.text) for a in r.areas_for_improvement] == [
        (3, "The force should supervise investigations better.")]
    # the list itself is not a set of sections
    assert [s.title for s in r.sections][:2] == ["Our judgements", "Summary"]


def test_hard_wrapped_text_reads_the_same(unseen):
    """The unseen report with its paragraphs wrapped at 70 columns (as plain-text exports do)."""
    import textwrap

    r0, e = unseen
    blocks = r0.text.split("\n\n")
    # paragraphs wrap; headings do not
    wrapped = "\n\n".join("\n".join(textwrap.wrap(b, 70)) if len(b) > 70 and not b.startswith("#") else b
                          for b in blocks)
    assert wrapped.count("\n") > r0.text.count("\n") + 20
    r = parse_report(wrapped, source="wrapped.txt", sha256="0" * 64)
    assert [(q.number, q.title, q.grade) for q in r.questions] == [(q.number, q.title, q.grade) for q in r0.questions]
    assert [(a.question, _norm(a.text)) for a in r.areas_for_improvement] == [
        (a["question_number"], a["text"]) for a in e["areas_for_improvement"]]
    assert len(r.paragraphs) == len(r0.paragraphs)
    assert [s.title for s in r.sections] == [s.title for s in r0.sections]


@pytest.mark.parametrize("stem", STEMS)
def test_wrapped_lines_read_the_same(stem):
    """Each long line wrapped at 78 columns (bullets continue indented), as a plain-text export would."""
    import textwrap

    base = read(stem)
    lines = []
    for line in base.text.split("\n"):
        if len(line) > 100 and "\t" not in line:
            indent = "  " if line.lstrip()[:2] in ("- ", "\u2022 ") else ""
            line = "\n".join(textwrap.wrap(line, 78, subsequent_indent=indent, break_on_hyphens=False,
                                             break_long_words=False))
        lines.append(line)
    r = parse_report("\n".join(lines), source="wrapped.txt", sha256="0" * 64)
    assert [(q.number, q.title, q.grade, q.last_inspected) for q in r.questions] == [
        (q.number, q.title, q.grade, q.last_inspected) for q in base.questions]
    assert [(a.question, _norm(a.text)) for a in r.areas_for_improvement] == [
        (a.question, _norm(a.text)) for a in base.areas_for_improvement]
    assert [(f.number, _norm(f.text)) for f in r.footnotes] == [(f.number, _norm(f.text)) for f in base.footnotes]
    assert len(r.causes_of_concern) == len(base.causes_of_concern)
    figures = lambda rep: sorted((s.value, s.comparator or "") for s in rep.statistics)  # noqa: E731
    assert figures(r) == figures(base)


# ---- statements: areas for improvement, causes of concern, footnotes -----


def test_areas_for_improvement_after_a_lead_in():
    body = ("The force is good at preventing crime.\n\nAreas for improvement\n\nThe force should:\n\n"
            "\u2022 evaluate its problem solving;\n\u2022 share what works.\n\n"
            "Investigating crime\n\nAdequate\n\nArea for improvement\n\n"
            "The force needs to make sure that victims are updated.\n\nWe found that staff work hard.\n")
    r = parse_report(_mini(body), source="m.txt", sha256="0" * 64)
    assert [(a.question, a.index, a.text) for a in r.areas_for_improvement] == [
        (1, 1, "evaluate its problem solving;"), (1, 2, "share what works."),
        (2, 1, "The force needs to make sure that victims are updated.")]
    assert r.paragraphs[-1].kind == "body"


@pytest.mark.parametrize("sentence, is_cause", [
    ("We found no causes of concern.", False),
    ("We did not identify any cause of concern in this inspection.", False),
    ("We conclude that this is no longer a cause of concern for the force.", False),
    ("In 2016 we had serious concerns that teams were under-resourced.", True),
    ("We have identified a cause of concern about the force's response to missing children.", True),
])
def test_cause_of_concern_sentences(sentence, is_cause):
    r = parse_report(_mini("The force is good at preventing crime. " + sentence), source="m.txt", sha256="0" * 64)
    assert [c.text for c in r.causes_of_concern] == ([sentence] if is_cause else [])


def test_cause_of_concern_status_from_a_later_sentence():
    body = ("In 2018 we identified as a cause of concern that the force did not record crime accurately. "
            "The force has improved its recording.\n\nWe found that this is no longer a cause of concern for the force.")
    r = parse_report(_mini(body), source="m.txt", sha256="0" * 64)
    assert [(c.index, c.question, c.status) for c in r.causes_of_concern] == [(1, 1, "no longer a cause of concern")]


def test_footnote_numbering_that_restarts():
    body = ("The force uses the Harbour model.[1] It works.\n\n[1] The Harbour model is a triage scheme.\n\n"
            "Investigating crime\n\nAdequate\n\nThe force uses Niche.[1]\n\n[1] Niche is a records system.\n")
    r = parse_report(_mini(body), source="m.txt", sha256="0" * 64)
    got = [(f.number, f.text, [r.paragraphs[i].text for i in f.cited_in]) for f in r.footnotes]
    assert got == [
        (1, "The Harbour model is a triage scheme.", ["The force uses the Harbour model.[1] It works."]),
        (1, "Niche is a records system.", ["The force uses Niche.[1]"]),
    ]


def test_sentences():
    text = "The force made 0.05 DVPN applications. This compares with 0.10 (e.g. in Wales). Staff told us.\u00b3 It is good."
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got == ["The force made 0.05 DVPN applications.", "This compares with 0.10 (e.g. in Wales).",
                   "Staff told us.\u00b3", "It is good."]


# ---- input handling ------------------------------------------------------


def test_crlf_and_bom_are_normalised():
    text = (EXAMPLES / f"{STEMS[1]}.txt").read_text(encoding="utf-8")
    r = parse_report("\ufeff" + text.replace("\n", "\r\n"), source="x.txt", sha256="0" * 64)
    assert r.text == text
    assert [a.text for a in r.areas_for_improvement] == [a.text for a in read(STEMS[1]).areas_for_improvement]


def test_deterministic():
    text = (EXAMPLES / f"{STEMS[0]}.txt").read_text(encoding="utf-8")
    a = parse_report(text, source="a.txt", sha256="0" * 64)
    b = parse_report(text, source="a.txt", sha256="0" * 64)
    assert a == b


# ---- not a report ---------------------------------------------------------------

NOT_REPORTS = {
    "recipe": "Victoria sponge\n\nIngredients\n\n- 200g butter\n- 200g sugar\n- 4 eggs\n\nMethod\n\nHeat the oven to 190C. "
              "Cream the butter and sugar, beat in the eggs, fold in the flour and bake for 20 minutes. Good.\n",
    "lorem": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
             "dolore magna aliqua.\n\nUt enim ad minim veniam, quis nostrud exercitation ullamco laboris.\n",
    "empty": "   \n\n",
    "press release": "Northmoor Police news\n\nOfficers from Northmoor Police arrested two men after a burglary in "
                     "the town centre on Tuesday. The inspection of the scene continues.\n",
    "no force": "PEEL 2021/22\n\nSummary\n\nThe inspection found that the service is good at preventing crime and "
                "keeping people safe in its area.\n\nPreventing crime\n\nGood\n\nIt works well with partners.\n",
}


@pytest.mark.parametrize("name", sorted(NOT_REPORTS))
def test_not_a_report_raises(name):
    with pytest.raises(ReportError) as err:
        parse_report(NOT_REPORTS[name], source=f"{name}.txt", sha256="0" * 64)
    msg = str(err.value)
    assert msg.startswith(f"{name}.txt: not an inspection report: ") and "\n" not in msg
    assert err.value.source == f"{name}.txt"
