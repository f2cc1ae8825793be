"""Findings: sentences about entities or supporting a judgement, with polarity and cues."""

from __future__ import annotations

import pytest

from peelkg.kg_build.entities import extract_entities
from peelkg.kg_build.findings import extract_findings, link_statistics, polarity, sentence_spans
from peelkg.kg_build.model import POLARITIES
from peelkg.kg_build.reports import parse_report

STEMS = ["bedfordshire-peel-effectiveness-2017", "bedfordshire-peel-2018-19-effectiveness"]


@pytest.fixture(scope="module")
def analysed(example_paths) -> dict:
    out = {}
    for p in example_paths:
        r = parse_report(p.read_text(encoding="utf-8"), source=p.name, sha256="0" * 64)
        ents = extract_entities(r)
        link_statistics(r, ents)
        out[p.stem] = (r, ents, extract_findings(r, ents))
    return out


def _finding(analysed, stem, starts_with):
    r, ents, fs = analysed[stem]
    hits = [f for f in fs if f.text.startswith(starts_with)]
    assert len(hits) == 1, f"no single finding starts with {starts_with!r}"
    return hits[0]


# ---- sentences -------------------------------------------------------------

SPLITS = [
    ("The force is good. It is effective.", ["The force is good.", "It is effective."]),
    ("Partners (e.g. local authorities) help. They share data.", ["Partners (e.g. local authorities) help.", "They share data."]),
    ("This is, i.e. in short, fine. Next one.", ["This is, i.e. in short, fine.", "Next one."]),
    ("Mr. Smith chairs it. The rate was 2.5 percent. Done.", ["Mr. Smith chairs it.", "The rate was 2.5 percent.", "Done."]),
    ("HMICFRS said “the force should act.” The force agreed.", ["HMICFRS said “the force should act.”", "The force agreed."]),
    ("  - A bullet point without a stop\n- Another one.", ["A bullet point without a stop", "Another one."]),
    ("It tackles farm theft.[1] The unit is good.\u00b2 Next.", ["It tackles farm theft.[1]", "The unit is good.\u00b2", "Next."]),
    ("The force has created a new unit to tackle farm theft and heritage crime\nacross its districts. It is good.",
     ["The force has created a new unit to tackle farm theft and heritage crime\nacross its districts.", "It is good."]),
    ("Short heading line\nThe body follows.", ["Short heading line", "The body follows."]),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_sentences_split_where_a_reader_would(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == expected


# ---- polarity --------------------------------------------------------------

POLARITY = [
    ("The team is struggling to process packages, despite working regular overtime.", "weakness", "struggling"),
    ("We found that investigators had excessive workloads at the time of our inspection.", "weakness", "excessive"),
    ("There is a backlog of 312 devices.", "weakness", "backlog"),
    ("The force needs to improve its investigation of crimes.", "weakness", "needs to improve"),
    ("Its approach is not effective.", "weakness", "not effective"),
    ("The force does not yet have an effective approach to prevention.", "weakness", "not effective"),
    ("Bedfordshire Police is good at managing sex offenders.", "strength", "good at"),
    ("The force works well with partner organisations.", "strength", "works well"),
    ("Staff have a good understanding of vulnerability.", "strength", "good understanding"),
    ("Although the timeliness has improved, workloads are too high.", "weakness", "too high"),
    ("Some problems persist, but the situation has improved overall.", "strength", "improved"),
    ("We conclude that this is no longer a cause of concern for the force.", "strength", "no longer a cause of concern"),
    ("The force collects data on these offences as well as arrests.", "neutral", None),
]


@pytest.mark.parametrize("sentence,expected,cue", POLARITY)
def test_polarity_from_cues(sentence, expected, cue):
    got, cues = polarity(sentence)
    assert got == expected, cues
    if cue:
        assert cue in cues


# ---- findings of the example reports ---------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_findings_offsets_are_true_and_in_text_order(analysed, stem):
    r, ents, fs = analysed[stem]
    assert fs, "no findings"
    keys = {e.key for e in ents}
    assert [f.index for f in fs] == list(range(1, len(fs) + 1))
    assert [f.start for f in fs] == sorted(f.start for f in fs)
    for f in fs:
        assert r.text[f.start : f.end] == f.text
        assert f.polarity in POLARITIES
        assert set(f.entities) <= keys and f.entities == sorted(f.entities)
        p = r.paragraphs[f.paragraph]
        assert p.start <= f.start and f.end <= p.end or f.afi is not None
        assert f.question == p.question or f.afi is not None


def test_icait_backlog_is_a_weakness_about_icait(analysed):
    f = _finding(analysed, STEMS[0], "In addition, there were 16 further cases")
    assert f.polarity == "weakness" and "backlog" in f.cues
    assert "unit/internet-child-abuse-investigation-team" in f.entities
    f = _finding(analysed, STEMS[0], "Resource shortages are also affecting")
    assert f.polarity == "weakness"
    assert "unit/internet-child-abuse-investigation-team" in f.entities


def test_emerald_team_workload_is_a_weakness_about_the_team(analysed):
    f = _finding(analysed, STEMS[0], "We found that investigators in the Emerald team had excessive workloads")
    assert (f.polarity, f.question) == ("weakness", 3)
    assert "unit/emerald-team" in f.entities and "excessive" in f.cues


def test_strength_under_a_graded_question(analysed):
    f = _finding(analysed, STEMS[0], "Bedfordshire Police is good at managing sex offenders.")
    assert (f.polarity, f.question) == ("strength", 3)
    f = _finding(analysed, STEMS[1], "The force is good at responding to people who have mental health conditions.")
    assert f.polarity == "strength"


@pytest.mark.parametrize("stem", STEMS)
def test_every_area_for_improvement_is_a_weakness_finding(analysed, stem):
    r, ents, fs = analysed[stem]
    by_afi = {}
    for f in fs:
        if f.afi is not None:
            by_afi.setdefault(f.afi, []).append(f)
    assert sorted(by_afi) == list(range(len(r.areas_for_improvement)))
    for i, found in by_afi.items():
        a = r.areas_for_improvement[i]
        for f in found:
            assert f.polarity == "weakness" and "area for improvement" in f.cues
            assert a.start < f.end and f.start < a.end


def test_findings_are_deterministic(analysed):
    r, ents, fs = analysed[STEMS[1]]
    assert extract_findings(r, ents) == fs


# ---- statistics about entities ---------------------------------------------


def _stat(r, label_part):
    hits = [s for s in r.statistics if label_part.lower() in s.label.lower()]
    if not hits:
        pytest.skip(f"the reader gives no statistic labelled {label_part!r}")
    return hits[0]


def test_statistics_link_to_the_power_they_count(analysed):
    r, ents, fs = analysed[STEMS[1]]
    assert _stat(r, "DVPO").entity == "power/domestic-violence-protection-order"
    r, ents, fs = analysed[STEMS[0]]
    assert _stat(r, "dispersal orders").entity == "power/dispersal-order"
    assert _stat(r, "CPN warnings").entity == "power/community-protection-warning"


def test_statistics_without_an_entity_stay_unlinked(analysed):
    r, ents, fs = analysed[STEMS[0]]
    s = _stat(r, "Incidents per 1,000 population")
    assert s.entity is None
