"""Links across inspections: entity resolution, pairing of inspections, grade changes.

These tests build small reports by hand (fictional forces), so they test linking.py
alone, whatever the readers upstream do.
"""

from __future__ import annotations

import random

from peelkg.kg_build.linking import consecutive_pairs, link, match_questions, pillar, title_similarity
from peelkg.kg_build.model import Entity, Question, Report, ReportGraph


def report(force: str, year: int, inspection: str = "effectiveness", *, overall=None, questions=(), text="") -> Report:
    slug = force.lower().replace(" ", "-")
    return Report(
        key=f"{slug}-{year}-{inspection}",
        source=f"{slug}-{year}.txt",
        sha256="0" * 64,
        format="txt",
        text=text,
        force=force,
        inspection=f"PEEL police {inspection} {year}",
        year=year,
        overall_grade=overall,
        questions=[Question(number=i + 1, title=t, grade=g) for i, (t, g) in enumerate(questions)],
    )


def ent(key: str, name: str, acronym=None, aliases=(), definition=None) -> Entity:
    return Entity(key=key, kind=key.split("/")[0], name=name, acronym=acronym, aliases=list(aliases), definition=definition)


def graphs():
    """Two years of a fictional force, plus one report of another force."""
    a17 = ReportGraph(
        report("Wessex Police", 2017),
        [
            ent("unit/emerald-team", "Emerald team"),
            ent("unit/vsom", "violent and sex offender management", acronym="VSOM"),
            ent("unit/team", "team"),
            ent("partner/local-authority", "local authority"),
            ent("power/dvpo", "domestic violence protection order", acronym="DVPO"),
            ent("system/athena", "Athena"),
            ent("unit/cavaa-unit", "child and vulnerable adult abuse unit", aliases=["CAVA unit"]),
            ent(
                "unit/signal-desk",
                "Signal desk",
                definition="A team that reviews every missing person report within one hour and assigns risk.",
            ),
        ],
    )
    a18 = ReportGraph(
        report("Wessex Police", 2018),
        [
            ent("unit/emerald-team", "emerald team"),
            ent("unit/vsom-team", "violent and sex offender management team", acronym="VSOM", aliases=["VSOMT"]),
            ent("unit/the-team", "The team"),
            ent("partner/local-authorities", "local authorities"),
            ent("power/dvpo", "DVPO", acronym="DVPO"),
            ent("unit/athena", "Athena"),  # same name, different kind: must not merge with the system
            ent("unit/cava", "CAVA unit"),
            ent(
                "unit/missing-persons-hub",
                "missing persons hub",
                definition="A team that reviews every missing person report within one hour and assigns risk.",
            ),
        ],
    )
    b18 = ReportGraph(
        report("Mercia Constabulary", 2018),
        [ent("unit/emerald-team", "Emerald team"), ent("unit/vsom", "VSOM", acronym="VSOM")],
    )
    return [a17, a18, b18]


def _by_member(links):
    return {m: l for l in links for m in l.members}


def test_same_normalised_name_links_across_years():
    links, _, _ = link(graphs())
    by = _by_member(links)
    emerald = by[("wessex-police-2017-effectiveness", "unit/emerald-team")]
    assert emerald.members == [
        ("wessex-police-2017-effectiveness", "unit/emerald-team"),
        ("wessex-police-2018-effectiveness", "unit/emerald-team"),
    ]
    assert emerald.reasons == ["same normalised name 'emerald team'"]
    assert emerald.key == "unit/emerald-team" and emerald.kind == "unit" and emerald.force == "Wessex Police"


def test_same_acronym_links_different_names():
    links, _, _ = link(graphs())
    vsom = _by_member(links)[("wessex-police-2018-effectiveness", "unit/vsom-team")]
    assert ("wessex-police-2017-effectiveness", "unit/vsom") in vsom.members
    assert "same acronym VSOM" in vsom.reasons
    dvpo = _by_member(links)[("wessex-police-2017-effectiveness", "power/dvpo")]
    assert dvpo.kind == "power" and "same acronym DVPO" in dvpo.reasons


def test_alias_overlap_and_definition_match():
    by = _by_member(link(graphs())[0])
    cava = by[("wessex-police-2018-effectiveness", "unit/cava")]
    assert ("wessex-police-2017-effectiveness", "unit/cavaa-unit") in cava.members
    assert cava.reasons == ["alias overlap 'cava unit'"]
    desk = by[("wessex-police-2018-effectiveness", "unit/missing-persons-hub")]
    assert ("wessex-police-2017-effectiveness", "unit/signal-desk") in desk.members
    assert desk.reasons == ["definition match"]


def test_no_merge_across_kinds_forces_or_on_generic_words():
    links, _, _ = link(graphs())
    by = _by_member(links)
    # different kinds with the same name stay apart
    assert ("wessex-police-2017-effectiveness", "system/athena") not in by
    assert ("wessex-police-2018-effectiveness", "unit/athena") not in by
    # "team" / "The team" share only a generic word
    assert ("wessex-police-2017-effectiveness", "unit/team") not in by
    # singular vs plural generic partner names are not evidence either
    assert ("wessex-police-2017-effectiveness", "partner/local-authority") not in by
    # nothing of the other force is linked to anything
    assert not any(rk.startswith("mercia") for l in links for rk, _ in l.members)
    for l in links:
        assert len({rk for rk, _ in l.members}) >= 2
        assert all(ek.split("/")[0] == l.kind for _, ek in l.members)


def test_entity_links_deterministic_and_order_independent():
    base = link(graphs())
    for seed in range(5):
        g = graphs()
        random.Random(seed).shuffle(g)
        assert link(g) == base
    keys = [(l.force, l.key) for l in base[0]]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_pillar_and_consecutive_pairs():
    r = [
        report("Wessex Police", 2016),
        report("Wessex Police", 2018),
        report("Wessex Police", 2017),
        report("Wessex Police", 2017, "efficiency"),
        report("Mercia Constabulary", 2017),
    ]
    assert pillar(r[3]) == "efficiency"
    pairs = [(a.key, b.key) for a, b in consecutive_pairs(r)]
    assert pairs == [
        ("wessex-police-2016-effectiveness", "wessex-police-2017-effectiveness"),
        ("wessex-police-2017-effectiveness", "wessex-police-2018-effectiveness"),
    ]


QS_2017 = [
    ("Preventing crime and tackling anti-social behaviour", "Requires improvement"),
    ("Investigating crime and reducing re-offending", "Requires improvement"),
    ("Protecting vulnerable people and supporting victims", "Inadequate"),
    ("Tackling serious and organised crime", "Good"),
    ("Specialist capabilities", "Ungraded"),
]
QS_2018 = [
    ("How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?", "Good"),
    ("How effective is the force at protecting those who are vulnerable from harm, and supporting victims?", "Good"),
    ("How effective is the force at investigating crime and reducing re-offending?", "Requires improvement"),
    ("How effective is the force at tackling serious and organised crime?", "Requires improvement"),
    ("How effective are the force's specialist capabilities?", "Ungraded"),
]


def test_questions_matched_by_title_not_only_number():
    e = report("Wessex Police", 2017, questions=QS_2017)
    l = report("Wessex Police", 2018, questions=QS_2018)
    # the later report swapped questions 2 and 3: titles win over numbers
    assert match_questions(e, l) == {1: 1, 2: 3, 3: 2, 4: 4, 5: 5}
    assert title_similarity("Specialist capabilities", "How effective are the force's specialist capabilities?") == 1.0
    assert title_similarity("Specialist capabilities", "Tackling serious and organised crime") == 0.0


def test_grade_changes_overall_and_per_question_with_direction():
    e = report("Wessex Police", 2017, overall="Requires improvement", questions=QS_2017)
    l = report("Wessex Police", 2018, overall="Good", questions=QS_2018)
    other = report("Mercia Constabulary", 2018, overall="Inadequate", questions=QS_2018)
    _, _, changes = link([ReportGraph(l), ReportGraph(other), ReportGraph(e)])
    got = [(c.question, c.before, c.after, c.direction) for c in changes]
    assert got == [
        (None, "Requires improvement", "Good", "improved"),
        (1, "Requires improvement", "Good", "improved"),
        (2, "Inadequate", "Good", "improved"),  # later question 2 is the earlier question 3
        (3, "Requires improvement", "Requires improvement", "unchanged"),
        (4, "Good", "Requires improvement", "declined"),
        (5, "Ungraded", "Ungraded", "unchanged"),
    ]
    assert [c.earlier_question for c in changes] == [None, None, 3, 2, None, None]
    assert {(c.earlier_report, c.later_report, c.force) for c in changes} == {
        ("wessex-police-2017-effectiveness", "wessex-police-2018-effectiveness", "Wessex Police")
    }


def test_shared_definition_within_a_report_is_not_evidence():
    # one footnote defines two powers in the later report: it identifies neither
    d = "A scheme that lets people ask the police about a partner's history of domestic violence."
    e = ReportGraph(report("Wessex Police", 2017), [ent("power/right-to-ask", "right to ask", definition=d)])
    l = ReportGraph(
        report("Wessex Police", 2018),
        [ent("power/ask-scheme", "ask scheme", definition=d), ent("power/know-scheme", "know scheme", definition=d)],
    )
    assert link([e, l])[0] == []
    # with one candidate on each side, the definition links them
    l.entities.pop()
    (only,) = link([e, l])[0]
    assert only.reasons == ["definition match"] and only.name == "ask scheme"


def test_examples_entities_link_across_years(example_graphs):
    graphs = list(example_graphs)
    links, _, _ = link(graphs)
    by_key = {l.key: l for l in links}
    emerald = by_key["unit/emerald-team"]
    assert emerald.name == "Emerald team"
    assert [rk for rk, _ in emerald.members] == ["bedfordshire-police-2017-effectiveness", "bedfordshire-police-2018-effectiveness"]
    vsom = [l for l in links if "same acronym VSOM" in l.reasons]
    assert len(vsom) == 1 and vsom[0].kind == "unit"
    assert len({rk for rk, _ in vsom[0].members}) == 2
    for l in links:
        assert l.reasons, l
        assert len({ek.split("/")[0] for _, ek in l.members}) == 1  # one kind per canonical entity
        # at most one entity per report: a canonical entity is one real thing
        assert len({rk for rk, _ in l.members}) == len(l.members), l
    print(f"\n{len(links)} canonical entities link the 2017 and 2018/19 reports")


def test_one_entity_per_report_in_a_canonical_entity():
    # the name links the two Kestrel teams; the shared acronym would also pull in the
    # later report's knife team, joining two entities of one report: refused
    e = ReportGraph(report("Wessex Police", 2017), [ent("unit/kestrel-team", "Kestrel team", acronym="KT")])
    l = ReportGraph(
        report("Wessex Police", 2018),
        [ent("unit/kestrel-team", "Kestrel team"), ent("unit/knife-team", "knife team", acronym="KT")],
    )
    (only,) = link([l, e])[0]
    assert only.members == [("wessex-police-2017-effectiveness", "unit/kestrel-team"), ("wessex-police-2018-effectiveness", "unit/kestrel-team")]
    assert only.reasons == ["same normalised name 'kestrel team'"]


def test_reports_with_nothing_to_link():
    e = report("Wessex Police", 2017, questions=[("Investigating crime", None)])
    l = report("Wessex Police", 2018, questions=[("Investigating crime", None)])
    links, fus, changes = link([ReportGraph(e), ReportGraph(l)])
    assert links == [] and fus == []
    assert [(c.question, c.before, c.after, c.direction) for c in changes] == [(None, None, None, "unchanged")]
    assert link([]) == ([], [], [])
    assert link([ReportGraph(e)]) == ([], [], [])
