"""The policing lexicon: SKOS concepts that seed entity recognition.

The bundled ``ontology/lexicon.ttl`` holds general policing vocabulary of
England and Wales (national powers, systems, partner bodies, generic unit
types). Users add their own concepts in Turtle files passed as ``extra``; no
code change is needed. The lexicon only *seeds* recognition: entities.py
discovers names the lexicon has never heard of.

Matching works on tokens, not on one regex per label: every label is cut into
match keys (lower case, apostrophes dropped, a crude singular) and stored in a
dict keyed by its first token, so one pass over a report's tokens finds every
known surface form (roughly linear in the text length).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from peelkg.errors import PeelkgError
from peelkg.kg_build.model import ENTITY_KINDS
from peelkg.namespaces import LEX, PEEL

__all__ = ["Concept", "Lexicon", "LexEntry", "load_lexicon", "match_key", "label_tokens", "WORD_RE"]

# A word: letters/digits, with an inner apostrophe ("Clare's") and a plural
# possessive apostrophe ("victims'"). Hyphens and slashes split words but are
# transparent to matching, so "anti-social" == "anti social".
WORD_RE = re.compile(r"[A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]+(?:['\u2019][A-Za-z]+)*(?:(?<=s)['\u2019](?![A-Za-z]))?")

_NO_SINGULAR = ("ss", "us", "is", "ys", "'s")


_KEYS: dict[str, str] = {}  # word -> match key (a report repeats its words; bounded below)


def match_key(word: str) -> str:
    """The key a word is matched by: lower case, no apostrophes, crude singular."""
    key = _KEYS.get(word)
    if key is None:
        key = _match_key(word)
        if len(_KEYS) < 200_000:
            _KEYS[word] = key
    return key


def _match_key(word: str) -> str:
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "")
    n = len(w)
    if n > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if n > 2 and w.endswith("s") and not w.endswith(_NO_SINGULAR):
        return w[:-1]
    return w


def label_tokens(label: str) -> list[str]:
    """The words of a label, as written."""
    return WORD_RE.findall(label)


def _case(word: str) -> str:
    """How strictly a label word must match: 'upper' (acronym), 'title' (proper name) or 'any'."""
    letters = word.rstrip("s") if len(word) > 2 else word
    if sum(c.isupper() for c in word) >= 2 and letters.upper() == letters:
        return "upper"
    if word[:1].isupper():
        return "title"
    return "any"


@dataclass
class Concept:
    """One lexicon concept: a kind of unit, partner, power, system ..."""

    id: str  # local name under lex:, e.g. "power/domestic-violence-protection-order"
    kind: str  # one of ENTITY_KINDS
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    notation: Optional[str] = None  # the acronym
    subkind: Optional[str] = None
    definition: Optional[str] = None


@dataclass
class LexEntry:
    """One surface form of a concept, cut into match keys."""

    keys: tuple[str, ...]
    cases: tuple[str, ...]  # per word: 'upper' | 'title' | 'any'
    concept: Concept
    is_acronym: bool = False
    possessive: tuple[bool, ...] = ()  # per word: the label itself is possessive ("Clare's")


class Lexicon:
    """Concepts plus a first-token index of every surface form."""

    def __init__(self, concepts: Sequence[Concept]):
        self.concepts: list[Concept] = sorted(concepts, key=lambda c: c.id)
        self.by_id: dict[str, Concept] = {c.id: c for c in self.concepts}
        # first match key -> entries, longest first (longest match wins)
        self.index: dict[str, list[LexEntry]] = {}
        # acronym match key -> concept (for "VSOMT"-style and definition lookups)
        self.acronyms: dict[str, Concept] = {}
        for c in self.concepts:
            forms = [c.pref_label, *c.alt_labels]
            for form in forms:
                self._add(form, c, is_acronym=False)
            if c.notation:
                self._add(c.notation, c, is_acronym=True)
                self.acronyms.setdefault(match_key(c.notation), c)
        for entries in self.index.values():
            entries.sort(key=lambda e: (-len(e.keys), e.concept.id))
        # second level: (first key, second key) -> multi-word entries; first key -> one-word entries
        self.index2: dict[tuple[str, str], list[LexEntry]] = {}
        self.index1: dict[str, list[LexEntry]] = {}
        for k0, entries in self.index.items():
            for e in entries:
                if len(e.keys) > 1:
                    self.index2.setdefault((k0, e.keys[1]), []).append(e)
                else:
                    self.index1.setdefault(k0, []).append(e)

    def _add(self, form: str, c: Concept, *, is_acronym: bool) -> None:
        words = label_tokens(form)
        if not words:
            return
        keys = tuple(match_key(w) for w in words)
        cases = tuple(_case(w) for w in words)
        if is_acronym:
            cases = tuple("upper" if cs != "any" else "title" for cs in cases)
        entries = self.index.setdefault(keys[0], [])
        if any(e.keys == keys and e.concept.id == c.id for e in entries):
            return
        poss = tuple(w.lower().replace("\u2019", "'").endswith("'s") for w in words)
        entries.append(LexEntry(keys, cases, c, is_acronym, poss))

    def __len__(self) -> int:
        return len(self.concepts)

    def concept(self, ident: str) -> Optional[Concept]:
        return self.by_id.get(ident)


def _literal(g: Graph, s, p) -> Optional[str]:
    vals = sorted(str(o) for o in g.objects(s, p) if isinstance(o, Literal))
    return vals[0] if vals else None


def _concepts(g: Graph) -> list[Concept]:
    out = []
    base = str(LEX)
    for s in sorted(set(g.subjects(RDF.type, SKOS.Concept)), key=str):
        kind = _literal(g, s, PEEL.entityKind)
        label = _literal(g, s, SKOS.prefLabel)
        if not kind or not label:
            continue  # not a lexicon concept (e.g. a grade): ignore
        ident = str(s)[len(base):] if str(s).startswith(base) else str(s)
        out.append(
            Concept(
                id=ident,
                kind=kind,
                pref_label=label,
                alt_labels=sorted({str(o) for o in g.objects(s, SKOS.altLabel)}),
                notation=_literal(g, s, SKOS.notation),
                subkind=_literal(g, s, PEEL.subkind),
                definition=_literal(g, s, SKOS.definition),
            )
        )
    return out


@lru_cache(maxsize=1)
def _bundled() -> tuple[Concept, ...]:
    from peelkg.ontology import LEXICON_FILE, read_text

    g = Graph()
    g.parse(data=read_text(LEXICON_FILE), format="turtle")
    return tuple(_concepts(g))


@lru_cache(maxsize=1)
def _default() -> Lexicon:
    return Lexicon(_bundled())


def load_lexicon(extra: Sequence[Path] = ()) -> Lexicon:
    """The bundled lexicon plus concepts from user Turtle files (same shape:
    skos:Concept with skos:prefLabel and peel:entityKind). The default (no
    extra files) is built once and cached. A user concept with the id of a
    bundled one replaces it."""
    if not extra:
        return _default()
    concepts = {c.id: c for c in _bundled()}
    for path in extra:
        g = Graph()
        try:
            g.parse(str(path), format="turtle")
        except FileNotFoundError:
            raise PeelkgError(f"{path}: lexicon file not found") from None
        except Exception as exc:  # rdflib raises many types for bad Turtle
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PeelkgError(f"{path}: not a readable Turtle lexicon ({first})") from None
        for c in _concepts(g):
            if c.kind not in ENTITY_KINDS:
                raise PeelkgError(
                    f"{path}: concept {c.id} has peel:entityKind {c.kind!r}; use one of {', '.join(ENTITY_KINDS)}"
                )
            concepts[c.id] = c
    return Lexicon(list(concepts.values()))
