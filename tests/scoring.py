"""Matching extracted entities against the gold standard, for the scoring tests.

An extracted entity matches a gold entity when any name of one (name, acronym,
alias) equals any name of the other after normalising: lower case, no quotes
or apostrophes, hyphens and slashes as spaces, each word singular. Each gold
entity is matched at most once (maximum bipartite matching, so the order of
the lists does not change the score).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Optional

_QUOTES = "'\"\u2018\u2019\u201c\u201d`"


def _singular(w: str) -> str:
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 2 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def norm(name: str) -> str:
    """'Clare’s Law' -> 'clare law'; 'MASHs' -> 'mash'; 'anti-social' -> 'anti social'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c) and unicodedata.category(c) != "No")
    s = s.lower()
    s = re.sub(r"['\u2019]s\b", "", s)
    for q in _QUOTES:
        s = s.replace(q, "")
    s = re.sub(r"[-/\u2013\u2014_]", " ", s)
    s = re.sub(r"[^\w ]", " ", s)
    return " ".join(_singular(w) for w in s.split())


def names_of(item) -> set[str]:
    """Normalised names of a gold dict / gold string / extracted Entity."""
    if isinstance(item, str):
        raw: Iterable[Optional[str]] = [item]
    elif isinstance(item, dict):
        raw = [item.get("name"), item.get("acronym"), *(item.get("aliases") or [])]
    else:
        raw = [item.name, item.acronym, *item.aliases]
    return {n for n in (norm(r) for r in raw if r) if n}


@dataclass
class Score:
    gold: int
    extracted: int
    matched: list[tuple[str, str]] = field(default_factory=list)  # (extracted name, gold name)
    accepted: list[str] = field(default_factory=list)  # right but not in gold (reviewed extras)
    wrong: list[str] = field(default_factory=list)  # extracted, neither gold nor accepted
    missed: list[str] = field(default_factory=list)  # gold names not found

    @property
    def precision(self) -> float:
        return (len(self.matched) + len(self.accepted)) / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return len(self.matched) / self.gold if self.gold else 1.0


def _gold_name(g) -> str:
    return g if isinstance(g, str) else g["name"]


def score(extracted: list, gold: list, accepted: Iterable[dict] = ()) -> Score:
    """Score extracted entities (of one kind) against gold entries (of that kind)."""
    ex_names = [names_of(e) for e in extracted]
    gold_names = [names_of(g) for g in gold]
    edges = [[j for j, gn in enumerate(gold_names) if en & gn] for en in ex_names]
    match_of_gold: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in match_of_gold or augment(match_of_gold[j], seen):
                match_of_gold[j] = i
                return True
        return False

    # entities with more mentions first: when two extracted entities claim one gold
    # entity, the minor duplicate is the one reported as wrong
    for i in sorted(range(len(extracted)), key=lambda i: (-len(getattr(extracted[i], "mentions", ())), i)):
        augment(i, set())
    matched_ex = {i: j for j, i in match_of_gold.items()}
    ok_names = set()
    for a in accepted:
        ok_names |= names_of(a)
    s = Score(gold=len(gold), extracted=len(extracted))
    for i, e in enumerate(extracted):
        if i in matched_ex:
            s.matched.append((e.name, _gold_name(gold[matched_ex[i]])))
        elif ex_names[i] & ok_names:
            s.accepted.append(e.name)
        else:
            s.wrong.append(e.name)
    s.missed = [_gold_name(g) for j, g in enumerate(gold) if j not in match_of_gold]
    return s


def table(rows: list[tuple[str, str, Score]]) -> str:
    """A plain-text score table: report, kind, gold, extracted, matched, accepted, precision, recall."""
    head = f"{'report':45s} {'kind':9s} {'gold':>4s} {'extr':>4s} {'match':>5s} {'acc':>3s} {'prec':>5s} {'rec':>5s}"
    lines = [head, "-" * len(head)]
    for report, kind, s in rows:
        lines.append(
            f"{report:45s} {kind:9s} {s.gold:4d} {s.extracted:4d} {len(s.matched):5d} {len(s.accepted):3d} "
            f"{s.precision:5.2f} {s.recall:5.2f}"
        )
    return "\n".join(lines)
