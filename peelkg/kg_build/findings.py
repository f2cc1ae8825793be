"""Report + entities -> findings: the sentences that say something about a unit,
partner, power ... or that support a graded judgement, with their polarity.

A finding is a sentence (true offsets into ``report.text``) that mentions an
entity, that states an area for improvement, or that sits under a graded
question and carries evaluative wording. Polarity comes from cue words and
phrases ("backlog", "excessive workloads", "needs to improve" vs "is good at",
"effective", "improved"), with simple negation ("not effective" is a weakness)
and more weight for the main clause of a contrast ("Although ..., X is high").
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Optional

from peelkg.kg_build.sentences import report_sentence_spans, sentence_spans
from peelkg.kg_build.model import Entity, Finding, Report

__all__ = ["extract_findings", "link_statistics", "sentence_spans", "polarity"]

# ---------------------------------------------------------------------------
# sentences

# ---------------------------------------------------------------------------
# polarity

# Every cue starts with a literal word (or its first three letters): cues are looked up
# by the first three letters of each word, so a sentence costs one pass over
# its words instead of trying every cue at every position.
_WEAK = [
    r"requires? improvement", r"areas? for improvement", r"cause of concern", r"causes? for concern",
    r"serious concerns?", r"needs? to (?:improve|do more|make sure|ensure|increase|reduce|develop)",
    r"must (?:improve|ensure|do more)", r"should", r"not always", r"not yet", r"not consistently",
    r"backlogs?", r"excessive(?:ly)?", r"delay(?:s|ed)?", r"vacan(?:cy|cies|t)", r"sickness", r"struggl\w+",
    r"lack(?:s|ed|ing)?(?: of)?", r"limited", r"insufficient(?:ly)?", r"under-resourced", r"inconsistent(?:ly)?",
    r"poor(?:ly)?", r"shortages?", r"shortfalls?", r"too (?:high|many|few|slow|long)", r"high workloads?",
    r"unacceptabl[ey](?: high)?", r"missing opportunities", r"missed opportunities",
    r"opportunities (?:had been |have been |were |are )?missed",
    r"fail(?:s|ed|ure|ures|ing)?", r"ineffective(?:ly)?", r"little (?:use|awareness|evidence|understanding)",
    r"inadequate(?:ly)?", r"weak(?:ness|nesses|er)?", r"gaps?", r"overdue", r"outstrip\w*",
    r"cannot", r"unable", r"under pressure", r"pressures?", r"challenges?", r"serious challenge", r"mixed",
    r"worse(?:ning)?", r"lower than", r"remains? (?:low|high)", r"only \d[\d.,]*", r"does not", r"did not",
    r"has not", r"have not", r"absence of", r"lengthy", r"risk-averse", r"no evidence",
]
_STRONG = [
    r"no longer (?:a cause of concern|an area for improvement|such a concern)", r"good at",
    r"good understanding", r"good standard", r"good service", r"good use", r"works? well",
    r"well (?:supervised|trained|briefed|resourced|placed|developed)",
    r"good", r"effective(?:ly)?", r"improv(?:ed|ing|ement|ements)", r"positive(?:ly)?", r"strong(?:ly)?",
    r"excellent", r"comprehensive", r"clear(?:ly)?", r"robust", r"proactive(?:ly)?", r"outstanding",
    r"successful(?:ly)?", r"innovative", r"valu(?:able|es|ed)", r"pleased", r"thorough(?:ly)?",
    r"appropriate(?:ly)?", r"well-developed", r"manageable", r"quickly", r"promptly", r"swiftly",
    r"solid progress", r"progress", r"knowledgeable", r"professional(?:ly)?", r"empathy", r"cleared",
    r"well", r"sound", r"high-quality", r"high quality", r"timely", r"accurate(?:ly)?",
]


def _cue_table() -> dict[str, list[tuple[re.Pattern, bool]]]:
    table: dict[str, list[tuple[re.Pattern, bool]]] = {}
    for pats, weak in ((_WEAK, True), (_STRONG, False)):
        for pat in pats:
            lit = re.match(r"[a-z]+", pat).group()
            assert lit, pat
            table.setdefault(lit[:3], []).append((re.compile(pat + r"(?![\w-])", re.I), weak))
    return table


_CUES = _cue_table()
# per bucket, one regex that matches where any of its cues does: most candidate words
# ("has", "goal") match no cue, and one failed match is cheaper than one per cue
_CUE_ANY = {k: re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in b), re.I) for k, b in _CUES.items()}
_CONTRACTION = re.compile(r"(?:isn|wasn|weren|don|doesn|didn|aren|couldn|can|hasn|haven)['\u2019]t(?!\w)", re.I)
_WORDS = re.compile(r"(?<![\w-])[A-Za-z][\w'\u2019-]*")
_NEGATORS = {"not", "never", "no", "nor", "without", "lack", "little", "less", "hardly", "rarely", "neither"}
_NEG_WORD_RE = re.compile(r"[A-Za-z'\u2019]+")
_CONTRAST_START = re.compile(r"\s*(?:although|though|despite|while|whilst|even though)\b[^,]*,", re.I)
_CONTRAST_MID = re.compile(r"(?:,|;)\s*(?:but|however|yet)\b|\bhowever,|\bbut\b", re.I)


_OPENERS = "(\"'\u2018\u201c[\u2022*-"
_AS_AFTER = re.compile(r"\s+as\b")  # "well" in "as well as"


def _cues(sentence: str, low: Optional[str] = None):
    """(start, text, is_weak) for each cue of the sentence, left to right, longest first at a position.

    Words come from str.split (fast); a comprehension picks the few words whose
    first three letters (after opening marks) start some cue, or that carry an
    apostrophe (contractions), and only those are located and tried against the
    cue patterns. Cues do not overlap. ``low`` is ``sentence.lower()`` when the
    caller has it already."""
    if low is None:
        low = sentence.lower()
    if len(low) != len(sentence):
        # lower() changed the length (e.g. "\u0130"): the word-by-word scan, whose
        # offsets into the lower-cased text the fast path reproduces
        yield from _cues_by_words(sentence, low)
        return
    words = low.split()
    cands = [w for w in words if w.lstrip(_OPENERS)[:3] in _CUES]
    if "'" in low or "\u2019" in low:
        apos = [w for w in words if ("'" in w or "\u2019" in w) and w.lstrip(_OPENERS)[:3] not in _CUES]
        if apos:
            keep = set(cands) | set(apos)
            cands = [w for w in words if w in keep]
    if not cands:
        return
    find = low.find
    n = len(low)
    pos = 0  # end of the last cue
    at = 0  # where the next candidate word is searched from
    for word in cands:
        # the first white-space delimited occurrence after the previous candidate is this
        # word: a skipped word equal to it would have been a candidate too
        start = find(word, at)
        end = start + len(word)
        while (start > 0 and not low[start - 1].isspace()) or (end < n and not low[end].isspace()):
            start = find(word, start + 1)
            end = start + len(word)
        at = end
        core = word.lstrip(_OPENERS)
        start = end - len(core)
        if start < pos:
            continue
        key = core[:3]
        any_cue = _CUE_ANY.get(key)
        if any_cue is not None and any_cue.match(sentence, start):
            best = _best_cue(sentence, start, core, _CUES[key])
        elif "'" in core or "\u2019" in core:
            best = _best_cue(sentence, start, core, None)
        else:
            continue  # most candidates: no cue starts here and no contraction is possible
        if best is not None:
            pos = best[0].end()
            yield start, best[0].group(), best[1]


def _best_cue(sentence: str, start: int, core: str, bucket):
    """The longest cue of ``bucket`` matching at ``start``, else a negative
    contraction ("wasn't"); (match, is_weakness) or None."""
    best = None
    for rx, weak in bucket or ():
        m = rx.match(sentence, start)
        if m and (best is None or m.end() > best[0].end()):
            best = (m, weak)
    if best is None and ("'" in core or "\u2019" in core):
        m = _CONTRACTION.match(sentence, start)
        if m:
            best = (m, True)
    return best


def _cues_by_words(sentence: str, low: str):
    """The plain word-by-word cue scan (str.split), used when lower-casing changes offsets."""
    find = low.find
    pos = 0  # end of the last cue: cues do not overlap
    at = 0  # where the next word is searched from
    for word in low.split():
        start = find(word, at)
        at = start + len(word)
        core = word.lstrip(_OPENERS)
        start += len(word) - len(core)
        if start < pos:
            continue
        best = _best_cue(sentence, start, core, _CUES.get(core[:3]))
        if best is not None:
            pos = best[0].end()
            yield start, best[0].group(), best[1]


def _negated(sentence: str, pos: int) -> bool:
    words = _NEG_WORD_RE.findall(sentence[max(0, pos - 40) : pos])[-4:]
    return any(w.lower() in _NEGATORS or w.lower().endswith(("n't", "n\u2019t")) for w in words)


def polarity(sentence: str) -> tuple[str, list[str]]:
    """('strength' | 'weakness' | 'neutral', cues) of one sentence.

    Weakness and strength cues are counted; a strength cue right after a
    negation ("not effective", "does not have an effective approach") counts as
    a weakness; cues in the main clause of a contrast count double."""
    main_from = 0
    low = sentence.lower()
    m = _CONTRAST_START.match(sentence)
    if m:
        main_from = m.end()
    else:
        # every match holds one of these words: most sentences need no search
        m = _CONTRAST_MID.search(sentence) if "but" in low or "however" in low or "yet" in low else None
        if m:
            main_from = m.start()
    weak = strong = 0.0
    cues: list[str] = []
    for start, cue, is_weak in _cues(sentence, low):
        cue = cue.lower()
        if not is_weak and cue == "well" and (_AS_AFTER.match(sentence, start + 4)
                                              or sentence[max(0, start - 3) : start].lower() == "as "):
            continue  # "as well as"
        weight = 2.0 if main_from > 0 and start >= main_from else 1.0
        if is_weak:
            weak += weight
        elif _negated(sentence, start):
            weak += weight
            cue = "not " + cue
        else:
            strong += weight
        if cue not in cues:
            cues.append(cue)
    if weak > strong:
        return "weakness", cues
    if strong > weak:
        return "strength", cues
    return "neutral", cues


# ---------------------------------------------------------------------------
# findings


def _mention_index(entities: list[Entity]) -> tuple[list[int], list[tuple[int, int, str]]]:
    spans = sorted((m.start, m.end, e.key) for e in entities for m in e.mentions)
    return [s for s, _, _ in spans], spans


def _keys_in(starts: list[int], spans: list[tuple[int, int, str]], s: int, e: int) -> list[str]:
    i = bisect.bisect_left(starts, s)
    if i == len(spans) or spans[i][0] >= e:
        return []  # no mention starts in the span (many sentences)
    keys = set()
    while i < len(spans) and spans[i][0] < e:
        if spans[i][1] <= e:
            keys.add(spans[i][2])
        i += 1
    return sorted(keys)


def extract_findings(report: Report, entities: list[Entity]) -> list[Finding]:
    """Findings of a report, sorted by index (text order). ``Finding.afi`` is the
    position of the area for improvement in ``report.areas_for_improvement``."""
    text = report.text
    starts, spans = _mention_index(entities)
    graded = {q.number for q in report.questions if q.grade and q.grade != "Ungraded"}
    afis = sorted(
        ((a.start, a.end, i) for i, a in enumerate(report.areas_for_improvement) if a.end > a.start),
        key=lambda t: t[0],
    )
    afi_starts = [a[0] for a in afis]
    covered_afis: set[int] = set()
    found: list[Finding] = []
    for p in report.paragraphs:
        in_graded = p.question in graded
        for s, e in report_sentence_spans(text, p.start, p.end):
            afi = _afi_at(afis, afi_starts, s, e)
            keys = _keys_in(starts, spans, s, e)
            if afi is None and not keys and not in_graded:
                continue  # not a finding whatever its polarity: skip the polarity scan
            sentence = text[s:e]
            pol, cues = polarity(sentence)
            if afi is not None:
                covered_afis.add(afi)
                pol = "weakness"
                if "area for improvement" not in cues:
                    cues = ["area for improvement", *cues]
            elif not keys and not (in_graded and cues and pol != "neutral"):
                continue
            found.append(
                Finding(index=0, text=sentence, start=s, end=e, paragraph=p.index, section=p.section,
                        question=p.question, polarity=pol, cues=cues, entities=keys, afi=afi)
            )
    # an area for improvement outside every paragraph is still a finding
    for a_start, a_end, i in afis:
        if i in covered_afis:
            continue
        a = report.areas_for_improvement[i]
        para = _paragraph_at(report, a_start)
        _, cues = polarity(text[a_start:a_end])
        found.append(
            Finding(index=0, text=text[a_start:a_end], start=a_start, end=a_end,
                    paragraph=para.index if para else 0, section=para.section if para else None,
                    question=a.question, polarity="weakness", cues=["area for improvement", *cues],
                    entities=_keys_in(starts, spans, a_start, a_end), afi=i)
        )
    found.sort(key=lambda f: (f.start, f.end))
    for n, f in enumerate(found, 1):
        f.index = n
    return found


def _afi_at(afis, afi_starts, s: int, e: int) -> Optional[int]:
    i = bisect.bisect_right(afi_starts, e) - 1
    while i >= 0:
        a_start, a_end, idx = afis[i]
        if a_start < e and s < a_end:
            return idx
        if a_end <= s and a_start < s - 5000:
            break
        i -= 1
    return None


def _paragraph_at(report: Report, pos: int):
    for p in report.paragraphs:
        if p.start <= pos < p.end:
            return p
    return None


_STAT_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _stat_words(text: str) -> tuple[str, ...]:
    """Lower-case words, apostrophes dropped, crude singular: 'DVPO applications' -> ('dvpo', 'application').
    Cached (names and labels recur); a tuple, so the shared result cannot be changed."""
    out = []
    for w in _STAT_WORD.findall(text.lower().replace("'", "").replace("\u2019", "")):
        if len(w) > 3 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 2 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return tuple(out)


_STAT_PREFERENCE = ("power", "unit", "partner", "system", "programme", "role", "meeting")


def link_statistics(report: Report, entities: list[Entity]) -> None:
    """Set ``Statistic.entity`` where the figure's label or sentence (its span)
    mentions an entity. The label decides first ('dispersal orders'); otherwise
    the sentence's mentions, preferring powers, then units, partners ..., then
    the mention nearest the label. Places are never what a figure is about
    ('England and Wales' is the comparator)."""
    kind_of = {e.key: e.kind for e in entities}
    rank = {k: i for i, k in enumerate(_STAT_PREFERENCE)}
    ranked = [e for e in entities if e.kind in rank]
    starts, spans = _mention_index(ranked)
    # every name as a word tuple -> entity keys; a label is looked up by its word n-grams
    names: dict[tuple[str, ...], set[str]] = {}
    for e in ranked:
        for n in {e.name, e.acronym, *e.aliases} - {None, ""}:
            words = tuple(_stat_words(n))
            if words and len(n) >= 3:
                names.setdefault(words, set()).add(e.key)
    longest = max((len(w) for w in names), default=0)
    text = report.text
    for st in report.statistics:
        words = _stat_words(st.label or "")
        hits = []
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + longest) + 1):
                for k in names.get(tuple(words[i:j]), ()):
                    hits.append((-(j - i), rank[kind_of[k]], k))
        if hits:
            st.entity = min(hits)[2]  # the longest name in the label: "CPN warnings" over "CPN"
            continue
        if st.end <= st.start:
            continue
        at = text.find(st.label, st.start, st.end) if st.label else -1
        at = at if at >= 0 else st.start
        best = None
        i = bisect.bisect_left(starts, st.start)
        while i < len(spans) and spans[i][0] < st.end:
            s, e, key = spans[i]
            if e <= st.end:
                cand = (rank[kind_of[key]], abs(s - at), key)
                best = cand if best is None or cand < best else best
            i += 1
        if best is not None:
            st.entity = best[2]
