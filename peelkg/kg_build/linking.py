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

Reports are grouped by force first; nothing links across forces. The cost is
linear in the number of reports: rules are bucket joins, consecutive inspections
are paired once, and only matching definitions are compared in pairs.
Output is sorted and does not depend on the order reports are given in.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import Optional

from peelkg.kg_build.followups import Tfidf, content_tokens, find_followups, fold
from peelkg.kg_build.model import Entity, EntityLink, FollowUp, GradeChange, Report, ReportGraph
from peelkg.kg_build.slugs import normalise, slugify

# ---- pairs of consecutive inspections --------------------------------------------

PILLARS = ("effectiveness", "efficiency", "legitimacy", "leadership")


def pillar(report: Report) -> str:
    """'effectiveness' | 'efficiency' | 'legitimacy' | 'leadership' | 'peel' (integrated)."""
    return _pillar(f"{report.inspection} {report.key}")


@lru_cache(maxsize=4096)
def _pillar(name: str) -> str:
    # cached: pairing asks once per report and pillar, and normalise() is slow
    text = normalise(name)
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


@lru_cache(maxsize=16384)
def _title_tokens(title: str) -> frozenset[str]:
    # cached: each title is compared with every title of the other report
    return frozenset(content_tokens(_FRAME.sub("", normalise(title))))


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
_ALNUM = re.compile(r"[a-z0-9]+")

# A force's reports repeat the same names, aliases and force names year after year:
# normalising each distinct string once keeps the cost per entity constant.
_slug = lru_cache(maxsize=65536)(slugify)


@lru_cache(maxsize=65536)
def _label(text: str) -> str:
    return _LEAD_ARTICLE.sub("", fold(text)).strip(" .,'\"")


@lru_cache(maxsize=65536)
def _specific(label: str) -> bool:
    """Has at least one word that is not generic (so 'team' or 'the unit' never merges)."""
    return any(w not in GENERIC and len(w) > 2 for w in _ALNUM.findall(label))


def _acronym_ok(acr: Optional[str]) -> bool:
    return bool(acr) and len(acr) >= 2 and any(c.isalpha() for c in acr) and acr.lower() not in GENERIC


DEFINITION_MIN = 0.6  # Jaccard of definitions' content words


def resolve_entities(graphs: list[ReportGraph]) -> list[EntityLink]:
    """Canonical entities of each force: per-report entities of the same kind that share
    an acronym, a normalised name, an alias or a definition. Only groups that span two
    or more reports are returned (a one-report entity needs no link)."""
    by_force: dict[str, list[tuple[Report, Entity]]] = defaultdict(list)
    for g in graphs:
        items = by_force[_slug(g.report.force)]  # Report.force_key, normalised once per report
        items.extend((g.report, e) for e in g.entities)
    links: list[EntityLink] = []
    for fk in sorted(by_force):
        links.extend(_resolve_force(by_force[fk]))
    return sorted(links, key=lambda l: (_slug(l.force), l.key))


class _Groups:
    """Union-find over one force's entities that never joins two entities of one report.

    Reasons are kept per group (the union of the reasons of the links that made it,
    or that were found again inside it)."""

    def __init__(self, reports: list[str]):
        self.parent = list(range(len(reports)))
        self.reports = [{r} for r in reports]  # by root: the reports its group spans
        self.reasons: list[set[str]] = [set() for _ in reports]  # by root

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int, why: str) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            self.reasons[ri].add(why)
            return
        if not self.reports[ri].isdisjoint(self.reports[rj]):
            # one real thing appears once per report (entities.py merged aliases):
            # a link that would join two entities of one report is not trusted
            return
        root, other = min(ri, rj), max(ri, rj)
        self.parent[other] = root
        for table in (self.reports, self.reasons):
            a, b = table[root], table[other]
            if len(a) < len(b):  # grow the bigger set: merging stays linear overall
                a, b = b, a
            a |= b
            table[root] = a
            table[other] = set()
        self.reasons[root].add(why)


def _resolve_force(items: list[tuple[Report, Entity]]) -> list[EntityLink]:
    items = sorted(items, key=lambda it: (it[0].year, it[0].key, it[1].key))
    nodes = [(r.key, e.key) for r, e in items]
    groups_uf = _Groups([r.key for r, _ in items])
    union = groups_uf.union

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
            _chain(idx, groups_uf, f"same acronym {label}")
        elif rule == "name":
            _chain(idx, groups_uf, f"same normalised name '{label}'")
        elif rule == "alias":
            # an alias of one entity equals the name or an alias of another
            _chain(sorted(set(names.get((kind, "name", label), []) + idx)), groups_uf, f"alias overlap '{label}'")
        elif rule == "defkind":
            _definition_matches(items, idx, union)

    find = groups_uf.find
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    out: list[EntityLink] = []
    used_keys: set[str] = set()
    for root in sorted(groups, key=lambda r: nodes[r]):
        members = groups[root]
        if len(groups_uf.reports[root]) < 2:
            continue
        why = sorted(groups_uf.reasons[root])
        ents = [items[i][1] for i in members]
        name = _preferred_name(ents)
        kind = ents[0].kind
        key = f"{kind}/{_slug(name)}"
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


def _chain(idx: list[int], groups: _Groups, why: str) -> None:
    """Link every entity of a bucket to the entities before it, in bucket order (items
    are in year order, so each links to the earliest report it can).

    Same result as trying union(i, j) for every earlier i, in linear time: only the
    first member of each group met so far needs trying, since a later member of a
    group already tried gives the same answer (joined: nothing new; refused: the
    group of j only grows, so it is refused again)."""
    find, union = groups.find, groups.union
    firsts: list[int] = []  # first bucket member of each group met so far, in bucket order
    for j in idx:
        for i in firsts:
            union(i, j, why)
        seen: set[int] = set()
        kept = []
        for i in firsts + [j]:
            r = find(i)
            if r not in seen:
                seen.add(r)
                kept.append(i)
        firsts = kept


def _definition_matches(items, idx, union) -> None:
    """Entities of one kind whose definitions say the same thing (few have definitions).

    A definition shared by two entities of one report (one footnote defining both
    "right to ask" and "right to know") identifies neither, so a match counts only
    when it is the only one in each of the two reports."""
    # Entities with the same content words (a definition repeated year after year)
    # form one class: similarity is computed once per pair of classes.
    class_of: dict[frozenset, int] = {}
    classes: list[frozenset] = []
    members: list[list[int]] = []
    cls: dict[int, int] = {}
    for i in idx:
        t = frozenset(content_tokens(items[i][1].definition or ""))
        if len(t) < 3:
            continue  # too short to identify anything: never matches
        c = class_of.get(t)
        if c is None:
            c = class_of[t] = len(classes)
            classes.append(t)
            members.append([])
        members[c].append(i)
        cls[i] = c
    if not cls:
        return

    # Prefix filtering: two sets with Jaccard >= t share a token among the first
    # len - ceil(t * len) + 1 tokens of each (rarest first), so only those pairs are compared.
    # Document frequency counts entities, not classes (it only orders the tokens).
    df: dict[str, int] = defaultdict(int)
    for c, t in enumerate(classes):
        for tok in t:
            df[tok] += len(members[c])
    index: dict[str, list[int]] = defaultdict(list)
    linked: list[set[int]] = [{c} for c in range(len(classes))]  # a class always matches itself
    for c, t in enumerate(classes):
        ordered = sorted(t, key=lambda tok: (df[tok], tok))
        near: set[int] = set()
        for tok in ordered[: len(ordered) - math.ceil(DEFINITION_MIN * len(ordered)) + 1]:
            near.update(index[tok])
            index[tok].append(c)
        for d in near:
            u = classes[d]
            if len(t & u) / len(t | u) >= DEFINITION_MIN:
                linked[c].add(d)
                linked[d].add(c)

    # matching entities per report, by class: the entity itself is left out below
    report = {i: items[i][0].key for i in cls}
    per_report: list[dict[str, int]] = []
    for c in range(len(classes)):
        counts: dict[str, int] = defaultdict(int)
        for d in linked[c]:
            for k in members[d]:
                counts[report[k]] += 1
        per_report.append(counts)

    # Unions in the order (i, j), i < j, over matching pairs; a pair counts when j is
    # i's only match in j's report and i is j's only match in i's report.
    for i in sorted(cls):
        ci, ri = cls[i], report[i]
        only = per_report[ci]
        partners = sorted(k for d in linked[ci] for k in members[d] if k > i and report[k] != ri and only[report[k]] == 1)
        for j in partners:
            if per_report[cls[j]][ri] == 1:
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
