"""Links across inspections: one force's reports over the years.

``link(reports)`` returns

- EntityLinks: per-report entities of one force that are the same real unit,
  partner, power ... (conservative, with the reasons recorded);
- FollowUps: what each later report says about the earlier report's areas for
  improvement (see followups.py);
- GradeChanges: per matched question and overall, between consecutive
  inspections of the same pillar.

A force's first integrated PEEL report (no pillar in its name) also follows up
the areas for improvement of the force's last report of each separate pillar;
grades are not compared across pillars.

Reports are grouped by force first, so the cost grows with the number of reports
per force, never with the size of the corpus; nothing links across forces.
Output is sorted and does not depend on the order reports are given in.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Optional

from peelkg.kg_build.followups import Tfidf, content_tokens, find_followups, fold
from peelkg.kg_build.model import Entity, EntityLink, FollowUp, GradeChange, Report, ReportGraph
from peelkg.kg_build.slugs import normalise, slugify

# ---- pairs of consecutive inspections --------------------------------------------

PILLARS = ("effectiveness", "efficiency", "legitimacy", "leadership")


def pillar(report: Report) -> str:
    """'effectiveness' | 'efficiency' | 'legitimacy' | 'leadership' | 'peel' (integrated)."""
    text = normalise(f"{report.inspection} {report.key}")
    for p in PILLARS:
        if p in text:
            return p
    return "peel"


def consecutive_pairs(reports: list[Report]) -> list[tuple[Report, Report]]:
    """(earlier, later) pairs: same force, same pillar, next inspection year."""
    groups: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in reports:
        groups[(r.force_key, pillar(r))].append(r)
    pairs = []
    for key in sorted(groups):
        rs = sorted(groups[key], key=lambda r: (r.year, r.key))
        # one report per year (the first by key if a year repeats), so a duplicate
        # file cannot pair a report with itself
        by_year: dict[int, Report] = {}
        for r in rs:
            by_year.setdefault(r.year, r)
        years = sorted(by_year)
        pairs.extend((by_year[a], by_year[b]) for a, b in zip(years, years[1:]))
    return pairs


def bridge_pairs(reports: list[Report]) -> list[tuple[Report, Report]]:
    """(earlier, later) pairs where a force's first integrated PEEL inspection follows
    its last separate-pillar inspections (effectiveness, efficiency, legitimacy ...),
    which it reviews without being the same pillar. Used for follow-ups only."""
    by_force: dict[str, list[Report]] = defaultdict(list)
    for r in reports:
        by_force[r.force_key].append(r)
    pairs = []
    for fk in sorted(by_force):
        rs = sorted(by_force[fk], key=lambda r: (r.year, r.key))
        integrated = [r for r in rs if pillar(r) == "peel"]
        if not integrated:
            continue
        first = integrated[0]
        for p in PILLARS:
            before = [r for r in rs if pillar(r) == p and r.year < first.year]
            if before:
                last_year = before[-1].year
                pairs.append((next(r for r in before if r.year == last_year), first))
    return pairs


# ---- questions across years --------------------------------------------------------

# Question titles change wording across years ("Preventing crime and tackling
# anti-social behaviour" vs "How effective is the force at preventing crime, ...?"):
# compare content words without the question frame.
_FRAME = re.compile(r"^\s*how\s+(?:effective|efficient|legitimate|well)\s+(?:is|are)\s+(?:the\s+force(?:'s|s)?\s+(?:at\s+)?)?", re.I)


def _title_tokens(title: str) -> set[str]:
    return set(content_tokens(_FRAME.sub("", normalise(title))))


def title_similarity(a: str, b: str) -> float:
    """Share of the shorter title's content words found in the longer one (0..1)."""
    ta, tb = _title_tokens(a), _title_tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


TITLE_MIN = 0.34  # a third of the words in common
SAME_NUMBER_BONUS = 0.25


def match_questions(earlier: Report, later: Report, *, by_number: bool = True) -> dict[int, int]:
    """Earlier question number -> later question number, one-to-one.

    Matched by title similarity with a bonus for the same number; a same-numbered
    pair with no common words is not matched (the report was restructured).
    ``by_number=False`` matches titles only (reports of different pillars).
    """
    cands = []
    for qa in earlier.questions:
        for qb in later.questions:
            sim = title_similarity(qa.title, qb.title)
            same = by_number and qa.number == qb.number
            score = sim + (SAME_NUMBER_BONUS if same else 0.0)
            if sim >= TITLE_MIN or (same and sim > 0):
                cands.append((-score, qa.number, qb.number))
    cands.sort()
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, a, b in cands:
        if a in out or b in used:
            continue
        out[a] = b
        used.add(b)
    return out


def grade_changes(earlier: Report, later: Report, qmap: dict[int, int]) -> list[GradeChange]:
    """Overall (question None) first, then one per matched question, by earlier number.

    The overall change is always there (it records that the two inspections are
    compared, even when neither gives a grade); a question with no grade on
    either side is left out."""
    out = [GradeChange(later.force, earlier.key, later.key, None, earlier.overall_grade, later.overall_grade)]
    qa = {q.number: q for q in earlier.questions}
    qb = {q.number: q for q in later.questions}
    for a in sorted(qmap):
        b = qmap[a]
        if qa[a].grade is None and qb[b].grade is None:
            continue
        # GradeChange.question is the LATER report's number: the IRI sits in the later report
        out.append(
            GradeChange(later.force, earlier.key, later.key, b, qa[a].grade, qb[b].grade, earlier_question=None if a == b else a)
        )
    return out


# ---- entity resolution --------------------------------------------------------------

# Words that never identify anything on their own: a shared "team" or "the force" is no evidence.
GENERIC = frozenset(
    """the a an of and for in on at to its our their
    team teams unit units department departments service services force forces police policing
    officer officers staff group groups hub hubs board boards meeting meetings new local
    county national regional central specialist centre center office programme project
    system systems order orders notice notices power powers partner partners scheme
    authority authorities council""".split()
)
_LEAD_ARTICLE = re.compile(r"^(?:the|a|an|its|our)\s+")


def _label(text: str) -> str:
    return _LEAD_ARTICLE.sub("", fold(text)).strip(" .,'\"")


def _specific(label: str) -> bool:
    """Has at least one word that is not generic (so 'team' or 'the unit' never merges)."""
    words = re.findall(r"[a-z0-9]+", label)
    return any(w not in GENERIC and len(w) > 2 for w in words)


def _acronym_ok(acr: Optional[str]) -> bool:
    return bool(acr) and len(acr) >= 2 and any(c.isalpha() for c in acr) and acr.lower() not in GENERIC


DEFINITION_MIN = 0.6  # Jaccard of definitions' content words


def resolve_entities(graphs: list[ReportGraph]) -> list[EntityLink]:
    """Canonical entities of each force: per-report entities of the same kind that share
    an acronym, a normalised name, an alias or a definition. Only groups that span two
    or more reports are returned (a one-report entity needs no link)."""
    by_force: dict[str, list[tuple[Report, Entity]]] = defaultdict(list)
    for g in graphs:
        for e in g.entities:
            by_force[g.report.force_key].append((g.report, e))
    links: list[EntityLink] = []
    for fk in sorted(by_force):
        links.extend(_resolve_force(by_force[fk]))
    return sorted(links, key=lambda l: (slugify(l.force), l.key))


def _resolve_force(items: list[tuple[Report, Entity]]) -> list[EntityLink]:
    items = sorted(items, key=lambda it: (it[0].year, it[0].key, it[1].key))
    nodes = [(r.key, e.key) for r, e in items]
    parent = list(range(len(items)))
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)  # edge -> reasons

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    in_reports = [{r.key} for r, _ in items]  # by root: the reports its group spans

    def union(i: int, j: int, why: str) -> None:
        ri, rj = find(i), find(j)
        if ri == rj:
            reasons[(min(i, j), max(i, j))].add(why)
            return
        if in_reports[ri] & in_reports[rj]:
            # one real thing appears once per report (entities.py merged aliases):
            # a link that would join two entities of one report is not trusted
            return
        reasons[(min(i, j), max(i, j))].add(why)
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        in_reports[root] |= in_reports[other]

    # Index by (kind, label) so each rule is a bucket join, not all pairs.
    buckets: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, (r, e) in enumerate(items):
        if _acronym_ok(e.acronym):
            buckets[(e.kind, "acronym", e.acronym.upper())].append(i)
        name = _label(e.name)
        if _specific(name):
            buckets[(e.kind, "name", name)].append(i)
        for al in e.aliases:
            lab = _label(al)
            if _specific(lab) and lab != name:
                buckets[(e.kind, "alias", lab)].append(i)
        if e.definition:
            buckets[(e.kind, "defkind", "")].append(i)

    names = {k: v for k, v in buckets.items() if k[1] == "name"}
    # strongest evidence first, so a weaker rule cannot pre-empt it
    priority = {"name": 0, "acronym": 1, "alias": 2, "defkind": 3}
    for (kind, rule, label), idx in sorted(buckets.items(), key=lambda kv: (priority[kv[0][1]], kv[0])):
        if rule == "acronym":
            _chain(idx, union, f"same acronym {label}")
        elif rule == "name":
            _chain(idx, union, f"same normalised name '{label}'")
        elif rule == "alias":
            # an alias of one entity equals the name or an alias of another
            _chain(sorted(set(names.get((kind, "name", label), []) + idx)), union, f"alias overlap '{label}'")
        elif rule == "defkind":
            _definition_matches(items, idx, union)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    why_by_root: dict[int, set[str]] = defaultdict(set)
    for (a, _), ws in reasons.items():
        why_by_root[find(a)].update(ws)
    out: list[EntityLink] = []
    used_keys: set[str] = set()
    for root in sorted(groups, key=lambda r: nodes[r]):
        members = groups[root]
        if len({items[i][0].key for i in members}) < 2:
            continue
        why = sorted(why_by_root[root])
        ents = [items[i][1] for i in members]
        name = _preferred_name(ents)
        kind = ents[0].kind
        key = f"{kind}/{slugify(name)}"
        base, n = key, 2
        while key in used_keys:
            key, n = f"{base}-{n}", n + 1
        used_keys.add(key)
        out.append(
            EntityLink(
                force=items[root][0].force,
                kind=kind,
                key=key,
                name=name,
                members=sorted(nodes[i] for i in members),
                reasons=why,
            )
        )
    return out


def _chain(idx: list[int], union, why: str) -> None:
    """Link every entity of a bucket to the first one of another report (items are in
    year order, so each links to the earliest report it can)."""
    for pos, j in enumerate(idx):
        for i in idx[:pos]:
            union(i, j, why)


def _definition_matches(items, idx, union) -> None:
    """Entities of one kind whose definitions say the same thing (few have definitions).

    A definition shared by two entities of one report (one footnote defining both
    "right to ask" and "right to know") identifies neither, so a match counts only
    when it is the only one in each of the two reports."""
    toks = {i: set(content_tokens(items[i][1].definition or "")) for i in idx}

    def same(i: int, j: int) -> bool:
        ti, tj = toks[i], toks[j]
        return len(ti) >= 3 and len(tj) >= 3 and len(ti & tj) / len(ti | tj) >= DEFINITION_MIN

    # Prefix filtering: two sets with Jaccard >= t share a token among the first
    # len - ceil(t * len) + 1 tokens of each (rarest first), so only those pairs are compared.
    df: dict[str, int] = defaultdict(int)
    for i in idx:
        for t in toks[i]:
            df[t] += 1
    index: dict[str, list[int]] = defaultdict(list)
    cands: set[tuple[int, int]] = set()
    for i in idx:
        ordered = sorted(toks[i], key=lambda t: (df[t], t))
        for t in ordered[: len(ordered) - math.ceil(DEFINITION_MIN * len(ordered)) + 1]:
            for j in index[t]:
                cands.add((j, i))
            index[t].append(i)
    matches: dict[int, list[int]] = defaultdict(list)
    for i, j in sorted(cands):
        if same(i, j):
            matches[i].append(j)
            matches[j].append(i)
    for i in sorted(matches):
        for j in matches[i]:
            if j < i:
                continue
            in_j = [k for k in matches[i] if items[k][0].key == items[j][0].key]
            in_i = [k for k in matches[j] if items[k][0].key == items[i][0].key]
            if len(in_j) == 1 and len(in_i) == 1 and items[i][0].key != items[j][0].key:
                union(i, j, "definition match")


def _preferred_name(ents: list[Entity]) -> str:
    """The most used name; ties go to a capitalised spelling (a proper name), then to
    the latest report's (entities are in year order)."""
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, int] = {}
    for pos, e in enumerate(ents):
        counts[e.name] += 1
        last[e.name] = pos
    return max(counts, key=lambda n: (counts[n], n != n.lower(), last[n], n))


# ---- the whole step -------------------------------------------------------------------


def link(reports: list[ReportGraph]) -> tuple[list[EntityLink], list[FollowUp], list[GradeChange]]:
    """Links across the reports of each force: canonical entities, follow-ups, grade changes.

    Deterministic and independent of input order; no link crosses forces.
    """
    graphs = sorted(reports, key=lambda g: g.report.key)
    links = resolve_entities(graphs)
    followups: list[FollowUp] = []
    changes: list[GradeChange] = []
    for earlier, later in consecutive_pairs([g.report for g in graphs]):
        qmap = match_questions(earlier, later)
        followups.extend(find_followups(earlier, later, qmap))
        changes.extend(grade_changes(earlier, later, qmap))
    for earlier, later in bridge_pairs([g.report for g in graphs]):
        # grades of different pillars (and scales) are not compared
        followups.extend(find_followups(earlier, later, match_questions(earlier, later, by_number=False)))
    followups.sort(key=lambda f: (f.later_report, f.earlier_report, f.question if f.question is not None else 10**6, f.index))
    changes.sort(key=lambda c: (c.later_report, c.earlier_report, -1 if c.question is None else c.question))
    return links, followups, changes


__all__ = ["link", "bridge_pairs", "consecutive_pairs", "match_questions", "grade_changes", "resolve_entities", "pillar", "Tfidf"]
