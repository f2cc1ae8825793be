"""Follow-ups of earlier areas for improvement: status, evidence, carried-forward AFIs.

The main test scores `peelkg followups --format json` on a build of the two
Bedfordshire examples against ../shared/gold/followups-2017-to-2018.json and
prints the score table; the same must hold with the reports in reverse order and
with another force's report mixed in. The small tests above it pin the wording
rules on a fictional force.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from peelkg.kg_build.followups import classify_status, split_sentences, trigger_pattern
from peelkg.kg_build.linking import link
from peelkg.kg_build.model import AreaForImprovement, Paragraph, Question, Report, ReportGraph

UNSEEN = Path(__file__).parent / "data" / "unseen" / "report.txt"

# ---- wording rules -------------------------------------------------------------


@pytest.mark.parametrize(
    "sentences,status",
    [
        (["This remains the case.", "Staff told us they had no time."], "not addressed"),
        (["We assessed these areas for improvement, and both have been addressed."], "addressed"),
        (["During our most recent fieldwork, we found that this situation had improved: it was no longer an area for improvement."], "addressed"),
        (["It has since improved in this respect.", "But partner agencies' usage wasn't consistent."], "addressed"),
        (["The situation has now improved."], "addressed"),
        (["There are still frequent delays.", "So the situation is improving."], "improved"),
        (["The force has reviewed its use of these orders.", "Despite this, the level of applications remains low."], "improved"),
        (["The force still isn't checking the identity of detainees."], "not addressed"),
        (["Officers were unclear about the policy."], "not addressed"),
        (["We are pleased that the force has now addressed this."], "addressed"),
        (["Our findings show that this area for improvement has been addressed."], "addressed"),
        (["The force has made some progress, but this remains an area for improvement."], "improved"),
        (["This has not yet been addressed."], "not addressed"),
    ],
)
def test_status_from_wording(sentences, status):
    assert classify_status(sentences)[0] == status


def test_past_wording_in_the_trigger_does_not_count():
    # the trigger describes the earlier finding; its negatives are history, not status
    trig = "In 2019, the force wasn't routinely evaluating its crime prevention work."
    assert classify_status(["It now evaluates every operation, and the results are good."], trig)[0] == "addressed"


@pytest.mark.parametrize(
    "sentence,hit",
    [
        ("In 2019, we found that the force needed to improve.", True),
        ("In our effectiveness report of 2019, we said that the force should act.", True),
        ("The force has reviewed its use of DVPOs following our 2019 area for improvement.", True),
        ("Last year, we identified some areas where the plan could be improved.", True),
        ("However, the force had two areas for improvement in the 2019 effectiveness inspection: A; and B.", True),
        ("In April 2019, the Home Office amended legislation.", False),
        ("Orders increased from 57 in 2019/20 to 169 in 2020/21.", False),
        ("In 2018, we found that the force needed to improve.", False),
    ],
)
def test_trigger_names_the_earlier_inspection(sentence, hit):
    assert bool(trigger_pattern(2019).search(sentence)) is hit


def test_sentences_keep_offsets():
    text = "In 2019, we found X. This remains the case. It wasn’t fixed (e.g. in custody). Done."
    sents = split_sentences(text, 100)
    assert [s for s, _, _ in sents] == ["In 2019, we found X.", "This remains the case.", "It wasn’t fixed (e.g. in custody).", "Done."]
    assert all(text[a - 100 : b - 100] == s for s, a, b in sents)


# ---- a fictional force, end to end through link() ---------------------------------

EARLIER_AFIS = [
    "The force should reduce the backlog of digital devices awaiting forensic examination.",
    "The force should ensure that officers record stop and search encounters accurately and explain the grounds.",
    "The force should train more officers to recognise and record hate crime.",
    "The force should improve the quality of its missing persons investigations.",
]
LATER_PARAS = [
    "Wessex Police is good at investigating crime.",
    "In April 2019, the force moved to a new headquarters building in the city centre.",
    "In our 2019 inspection, we said that the force should reduce the backlog of digital devices awaiting "
    "examination. The backlog has been cleared and devices are now examined within a week.",
    "In 2019, the force wasn't recording the grounds for stop and search encounters accurately. This remains "
    "the case. Only half of the records we reviewed explained the grounds.",
    "In 2019, we judged Wessex Police as good at investigating crime, and the quality of its investigations "
    "remains good.",
    "In 2019, we found that too few officers had been trained to recognise hate crime. Training has improved, "
    "but many response officers still haven't completed it.",
]
LATER_AFIS = ["The force should ensure that officers record the grounds for every stop and search encounter accurately."]


def _report(year: int, paras: list[str], afis: list[str], pillar: str = "effectiveness") -> Report:
    text, paragraphs = "", []
    for p in ["Questions", "1", "How effective is the force at investigating crime?"] + paras:
        if text:
            text += "\n\n"
        paragraphs.append(Paragraph(index=len(paragraphs), text=p, start=len(text), end=len(text) + len(p), question=1))
        text += p
    found = []
    for i, a in enumerate(afis, 1):
        text += "\n\n" + a
        found.append(AreaForImprovement(question=1, index=i, text=a, start=len(text) - len(a), end=len(text)))
        paragraphs.append(Paragraph(index=len(paragraphs), text=a, start=found[-1].start, end=found[-1].end, question=1, kind="afi"))
    return Report(
        key=f"wessex-police-{year}-{pillar or 'peel'}",
        source=f"wessex-{year}.txt",
        sha256="0" * 64,
        format="txt",
        text=text,
        force="Wessex Police",
        inspection=f"PEEL police {pillar} {year}" if pillar else f"PEEL {year}/{year % 100 + 1}",
        year=year,
        questions=[Question(1, "Investigating crime", "Good", start=0, end=len(text))],
        paragraphs=paragraphs,
        areas_for_improvement=found,
    )


def test_fictional_force_followups():
    earlier = _report(2019, ["Wessex Police requires improvement at investigating crime."], EARLIER_AFIS)
    later = _report(2021, LATER_PARAS, LATER_AFIS)
    _, fus, _ = link([ReportGraph(later), ReportGraph(earlier)])
    got = [(f.index, f.status, f.carried_forward_as) for f in fus]
    assert got == [(1, "addressed", None), (2, "not addressed", (1, 1)), (3, "improved", None), (4, "not reassessed", None)]
    for f in fus[:3]:
        assert later.text[f.evidence_start : f.evidence_end] == f.evidence
        assert f.evidence.startswith("In ")
    assert fus[3].evidence is None
    assert fus[1].carried_forward_text == LATER_AFIS[0]


def test_integrated_peel_report_follows_up_each_pillar():
    earlier = _report(2019, ["Wessex Police requires improvement at investigating crime."], EARLIER_AFIS)
    legit = _report(2019, ["Wessex Police is good at treating the public fairly."], [EARLIER_AFIS[3]], "legitimacy")
    older = _report(2017, ["Wessex Police requires improvement."], EARLIER_AFIS[:1])
    peel = _report(2021, LATER_PARAS, LATER_AFIS, pillar="")
    _, fus, changes = link([ReportGraph(r) for r in (peel, legit, earlier, older)])
    pairs = sorted({(f.earlier_report, f.later_report) for f in fus})
    assert pairs == [
        ("wessex-police-2017-effectiveness", "wessex-police-2019-effectiveness"),
        ("wessex-police-2019-effectiveness", "wessex-police-2021-peel"),
        ("wessex-police-2019-legitimacy", "wessex-police-2021-peel"),
    ]
    got = [(f.index, f.status) for f in fus if f.earlier_report == "wessex-police-2019-effectiveness"]
    assert got == [(1, "addressed"), (2, "not addressed"), (3, "improved"), (4, "not reassessed")]
    # grades are compared within a pillar only
    assert {(c.earlier_report, c.later_report) for c in changes} == {
        ("wessex-police-2017-effectiveness", "wessex-police-2019-effectiveness")
    }


# ---- the gold standard, through the CLI on a build ----------------------------------


def _nq(s: str | None) -> str:
    return (s or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def score(rows: list[dict], gold: dict) -> tuple[list[tuple], dict]:
    """Score the followups JSON of the example pair against the gold."""
    ours = {
        (r["question"], r["index"]): r
        for r in rows
        if r["earlier_report"].endswith("2017-effectiveness") and "bedfordshire" in r["earlier_report"]
    }
    table, s = [], {"n": 0, "exact": 0, "accepted": 0, "evidence": 0, "cf_right": 0, "cf_gold": 0, "cf_found": 0, "cf_wrong": 0}
    for g in gold["followups"]:
        r = ours.get((g["q"], g["index"]))
        status = r["status"] if r else "(missing)"
        acc = status in g["accept"]
        ev = bool(r) and _nq(r["evidence"]).startswith(_nq(g["evidence"]))
        want = (g["carried_forward_as"]["q"], g["carried_forward_as"]["index"]) if g["carried_forward_as"] else None
        cf = r["carried_forward_as"] if r else None
        have = (cf["question"], cf["index"]) if cf else None
        s["n"] += 1
        s["accepted"] += acc
        s["exact"] += status == g["status"]
        s["evidence"] += ev
        s["cf_gold"] += want is not None
        s["cf_found"] += have is not None
        s["cf_right"] += want is not None and want == have
        s["cf_wrong"] += have is not None and want != have
        table.append((g["q"], g["index"], g["status"], status, acc, ev, want == have))
    return table, s


def print_table(title: str, table: list[tuple], s: dict, out: Path | None = None) -> None:
    lines = [title, f"{'q':>2} {'idx':>3}  {'gold':<14} {'ours':<15} {'accepted':<8} {'evidence':<8} carried-forward"]
    for q, i, g, o, acc, ev, cf in table:
        lines.append(f"{q:>2} {i:>3}  {g:<14} {o:<15} {'yes' if acc else 'NO':<8} {'yes' if ev else 'NO':<8} {'ok' if cf else 'WRONG'}")
    lines.append(
        f"accepted {s['accepted']}/{s['n']} (same as the gold's first choice: {s['exact']}), evidence {s['evidence']}/{s['n']}, carried forward: "
        f"{s['cf_right']}/{s['cf_gold']} found, {s['cf_wrong']} wrong"
    )
    print("\n".join(lines))
    if out is not None:
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cli_rows(kg_dir: Path, *args: str) -> list[dict]:
    from peelkg.cli import main

    res = CliRunner().invoke(main, ["followups", "--format", "json", "--kg", str(kg_dir), *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _check(rows: list[dict], gold: dict, title: str, out: Path | None = None) -> None:
    table, s = score(rows, gold)
    print_table(title, table, s, out)
    assert s["evidence"] == s["n"], "every 2017 AFI must be linked to its evidence sentence"
    assert s["accepted"] >= 12
    assert s["cf_wrong"] == 0
    assert s["cf_right"] >= 2
    for r in rows:
        assert set(r) >= {"force", "earlier_report", "later_report", "question", "index", "text", "status", "evidence", "carried_forward_as"}


def _check_grades(kg_dir: Path, gold: dict) -> None:
    from peelkg.queries.runner import run_named

    res = run_named(kg_dir, "grade-changes", {"force": "Bedfordshire"})
    got = {}
    for row in res.rows:
        r = dict(zip(res.vars, row))
        got[r["question"]] = (r["from_grade"], r["to_grade"], r["direction"])
    for g in gold["grade_changes"]:
        q = g.get("question", g.get("q"))
        assert got.get(str(q)) is not None, f"no grade change for question {q}"
        assert got[str(q)][:2] == (g["from"], g["to"]), f"question {q}: {got[str(q)]} != {g}"
    assert len(got) == len(gold["grade_changes"])


def test_followups_match_gold(example_kg, example_paths, gold, output_dir):
    rows = _cli_rows(example_kg)
    assert len(rows) == len(gold["followups"]["followups"])
    _check(rows, gold["followups"], "follow-ups 2017 -> 2018/19 (examples)", output_dir / "followups-score.txt")
    _check_grades(example_kg, gold["followups"])
    # evidence offsets cut the sentence back out of the later report's text
    from peelkg.kg_build.sources import read_source

    _, later_text, _ = read_source(example_paths[1])
    for r in rows:
        assert later_text[r["evidence_start"] : r["evidence_end"]] == r["evidence"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own, while it parses TriG
def test_named_queries_carried_forward_and_engines(example_kg, gold):
    from peelkg.queries.runner import run_named

    res = run_named(example_kg, "carried-forward", {})
    got = {(r[res.vars.index("question")], r[res.vars.index("index")], r[res.vars.index("later_question")], r[res.vars.index("later_index")]) for r in res.rows}
    want = {(g["q"], g["index"], g["carried_forward_as"]["q"], g["carried_forward_as"]["index"]) for g in gold["followups"]["followups"] if g["carried_forward_as"]}
    assert got == want
    # both engines give the same answers to the three follow-up queries
    for name in ("followups", "carried-forward", "grade-changes"):
        a = run_named(example_kg, name, {"force": "Bedfordshire"})
        b = run_named(example_kg, name, {"force": "Bedfordshire"}, engine="rdflib")
        assert (a.vars, a.rows) == (b.vars, b.rows), name
        assert a.rows


def test_followups_reverse_order_and_other_force(tmp_path, example_paths, gold):
    from peelkg.kg_build.pipeline import build

    build([UNSEEN, *reversed(example_paths)], tmp_path)
    rows = _cli_rows(tmp_path)
    bedford = [r for r in rows if "bedfordshire" in r["earlier_report"]]
    _check(bedford, gold["followups"], "follow-ups, reversed + another force")
    for r in rows:  # no link between forces
        assert r["earlier_report"].split("-")[0] == r["later_report"].split("-")[0]
    assert _cli_rows(tmp_path, "--force", "bedfordshire") == bedford
    _check_grades(tmp_path, gold["followups"])


def test_followups_table_output(example_kg):
    from peelkg.cli import main

    res = CliRunner().invoke(main, ["followups", "--kg", str(example_kg), "--force", "Bedfordshire Police"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "Bedfordshire Police: bedfordshire-police-2017-effectiveness -> bedfordshire-police-2018-effectiveness"
    assert lines[1].split() == ["afi", "status", "carried", "area", "for", "improvement", "evidence"]
    afis = [l for l in lines if re.match(r"^\d+\.\d+ ", l)]
    assert [l.split()[0] for l in afis] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5", "4.1", "4.2"]
    assert afis[3].split()[1:4] == ["not", "addressed", "1.2"]  # status, then the carrying AFI
    assert re.fullmatch(r"(\d+ [a-z ]+, )*\d+ [a-z ]+ \(14 areas for improvement\)", lines[-1])


def test_followups_unknown_force_and_missing_graph(example_kg, tmp_path):
    from peelkg.cli import main

    res = CliRunner().invoke(main, ["followups", "--kg", str(example_kg), "--force", "Nowhere Constabulary"])
    assert res.exit_code == 0
    assert res.output == "no follow-ups: the graph needs two inspections of the same force and pillar\n"
    res = CliRunner().invoke(main, ["followups", "--kg", str(tmp_path / "none")])
    assert res.exit_code != 0
    assert "Traceback" not in res.output and "no knowledge graph" in res.output


def test_link_is_order_independent_on_examples(example_graphs):
    graphs = list(example_graphs)
    base = link(graphs)
    assert base == link(list(reversed(graphs)))
    shuffled = graphs[:]
    random.Random(1).shuffle(shuffled)
    assert base == link(shuffled)
    links, fus, changes = base
    assert len(fus) == 14 and len(changes) == 6
    assert any(l.key == "unit/emerald-team" for l in links)


# ---- an unseen layout and force, through the real readers -----------------------------

# A fictional 2021 inspection of the fictional force of tests/data/unseen/report.txt,
# in the same layout, following up its six 2019/20 areas for improvement.
WESSEX_VALE_2021 = """# PEEL: Police effectiveness 2021/22

## An inspection of Wessex Vale Constabulary

Published: 3 March 2022

Overall judgment: Good

## Summary

Wessex Vale Constabulary is good at reducing crime and keeping people safe. In 2019/20, we judged the force as adequate at tackling serious and organised crime.

## Question 1: How effective is the force at preventing crime and tackling anti-social behaviour?

Grade: Good

### Prioritising crime prevention

In our 2019/20 inspection, we found that neighbourhood officers were often diverted from prevention work to support response teams. This is no longer the case. Neighbourhood officers now spend most of their time on prevention work in their districts.

Last time, we said that the force should evaluate its problem-solving work and share what works. It still doesn't evaluate most of its problem-solving plans, and staff told us they rarely heard about tactics that had worked elsewhere.

Area for improvement 1

The force should evaluate its problem-solving work and share what works across all districts and with partner organisations.

## Question 2: How effective is the force at investigating crime and reducing re-offending?

Grade: Requires improvement

### Investigation quality

In 2019, there was a backlog of 1,460 outstanding investigations and supervision was inconsistent. The backlog has fallen to 600 investigations, but supervisors still do not review investigations often enough.

The Kestrel team now has twelve more investigators, and victims of rape told us they received a good service.

Area for improvement 2

The force should make sure that investigations are supervised effectively and that supervisors record their reviews.

## Question 3: How effective is the force at protecting vulnerable people and supporting victims?

Grade: Good

### Supporting victims

In our 2019/20 inspection, we identified an area for improvement in how officers record the voice of the child at domestic abuse incidents. The force has introduced new guidance and a training package. Officers now record the child's views in most cases.

## Question 4: How effective is the force at tackling serious and organised crime?

Grade: Good

### Disrupting serious and organised crime

We said in 2019 that the force should make better use of ancillary orders to disrupt organised criminals. It has obtained three serious crime prevention orders since then, but their use remains low.
"""


def test_unseen_layout_followups(tmp_path):
    from peelkg.kg_build.pipeline import build

    later = tmp_path / "wessex-vale-2021.txt"
    later.write_text(WESSEX_VALE_2021, encoding="utf-8")
    out = tmp_path / "kg"
    build([later, UNSEEN], out)
    rows = _cli_rows(out, "--force", "wessex vale")
    got = {(r["question"], r["index"]): r for r in rows}
    assert sorted(got) == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1)]
    assert got[(1, 1)]["status"] == "addressed"
    assert got[(1, 2)]["status"] == "not addressed"
    assert got[(1, 2)]["carried_forward_as"]["question"] == 1 and got[(1, 2)]["carried_forward_as"]["index"] == 1
    assert got[(2, 1)]["status"] == "improved"
    assert got[(2, 1)]["carried_forward_as"]["question"] == 2
    assert got[(2, 2)]["status"] == "not reassessed" and got[(2, 2)]["evidence"] is None
    assert got[(3, 1)]["status"] == "addressed"
    assert got[(4, 1)]["status"] in ("improved", "not addressed")
    for r in rows:
        if r["status"] != "not reassessed":
            assert WESSEX_VALE_2021[r["evidence_start"] : r["evidence_end"]] == r["evidence"]
            assert not r["evidence"].startswith("In 2019/20, we judged")
