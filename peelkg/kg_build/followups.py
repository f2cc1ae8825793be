"""Follow-ups: what a later report says about an earlier report's areas for improvement.

The later report discusses an earlier area for improvement (AFI) in a passage
that names the earlier inspection ("In 2017, we found ...", "our 2017 area for
improvement", "In our effectiveness report of 2017, we said ...", "last year").
We find those *trigger* sentences, cut the passage that follows each one (to the
end of its paragraph), match passages to AFIs by content (TF-IDF cosine on
stemmed content words, with the question as a prior), and classify the status
from wording cues in the passage. Nothing here knows any force, place or unit:
only the earlier report's year and generic inspection wording.

Public helpers:

- ``find_followups(earlier, later, question_map) -> list[FollowUp]``
- ``classify_status(sentences) -> (status, cues)``
- ``trigger_pattern(year, slash_year=None)`` and ``split_sentences(text, offset)``
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

from peelkg.kg_build.sentences import sentence_spans
from peelkg.kg_build.model import AreaForImprovement, FollowUp, Report

# ---- text utilities ---------------------------------------------------------

_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our ours out over own same she should so some such than that
    the their theirs them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yet
    force forces forc police hmicfrs inspection inspect report year years make made makes sure ensure
    should must need needs needed take takes taken""".split()
)

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ities", "ity", "ings", "ing",
             "ised", "ises", "ise", "ized", "izes", "ize", "edly", "ed", "ies", "es", "ly", "s", "e")


# the suffixes by their last letter, in _SUFFIXES order (the first that fits wins)
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {
    c: tuple(s for s in _SUFFIXES if s.endswith(c)) for c in {s[-1] for s in _SUFFIXES}
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately crude suffix stripper: same on both sides is all that matters."""
    n = len(word)
    if n < 5:
        return word  # every suffix would leave fewer than 4 letters
    for suf in _SUFFIXES_BY_LAST.get(word[-1], ()):
        if n - len(suf) >= 4 and word.endswith(suf):
            return word[: -len(suf)]
    return word


# Quotes and dashes as normalise() folds them; str.translate is much faster than
# NFKD on whole paragraphs, and accents do not matter for matching content words.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def fold(text: str) -> str:
    """Lower case with straight quotes and hyphens (a fast normalise for matching)."""
    return " ".join(text.translate(_FOLD).lower().split())


# fold() then dropping apostrophes, for tokens only: white space and the other
# folded marks never touch a run of [a-z0-9], so they are left as they are.
_FOLD_TOKENS = str.maketrans({"\u2019": None, "\u2018": None, "'": None})


@lru_cache(maxsize=65536)
def _content_stem(word: str) -> str:
    """The stem of a content word; "" for a stop word, a number or a single letter."""
    return stem(word) if word not in _STOP and not word.isdigit() and len(word) > 1 else ""


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[str, ...]:
    stems = map(_content_stem, _WORD.findall(text.translate(_FOLD_TOKENS).lower()))
    return tuple(s for s in stems if s)


def content_tokens(text: str) -> list[str]:
    """Stemmed content words of a text (stop words and inspection boilerplate removed)."""
    return list(_tokens(text))


@lru_cache(maxsize=16384)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(_tokens(text))


class Tfidf:
    """TF-IDF vectors over a small collection (one report pair)."""

    def __init__(self, documents: list[str]):
        df: Counter = Counter()
        for d in documents:
            df.update(_token_set(d))
        n = max(len(documents), 1)
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self._default = math.log(1 + n) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        tf = Counter(_tokens(text))
        v = {t: (1 + math.log(c)) * self.idf.get(t, self._default) for t, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    @staticmethod
    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        # words missing from b add exactly 0.0: skipping them keeps the same sum
        return sum((x * b[t] for t, x in a.items() if t in b), 0.0)


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Sentences of a paragraph as (text, start, end), offsets shifted by ``offset``."""
    return [(text[s:e], offset + s, offset + e) for s, e in sentence_spans(text, 0, len(text))]


# ---- triggers: sentences that name the earlier inspection ---------------------

def trigger_pattern(year: int, slash_year: Optional[str] = None) -> re.Pattern:
    """A regex that finds a reference to the inspection of ``year``.

    ``slash_year`` ("2018/19") is accepted when the earlier report is labelled that
    way; otherwise "2017/18" is a financial year, not the 2017 inspection.
    """
    y = re.escape(str(year))
    ys = f"(?:{re.escape(slash_year)}|{y}(?!/))" if slash_year else f"{y}(?![/\\-]\\d)"
    parts = [
        rf"\b(?:in|since|during|from)\s+{ys}\b(?!\s+(?:to|and)\b)",  # "In 2017, we found"
        rf"\bour\s+(?:\w+[\s-]+){{0,3}}?{ys}\b",  # "our 2017 area for improvement"
        rf"\b(?:report|inspection|assessment|judgment|judgement)s?\s+(?:of|in|from)\s+{ys}\b",  # "report of 2017"
        rf"\b{ys}\s+(?:[\w-]+\s+){{0,2}}?(?:inspection|report|assessment|area for improvement|areas for improvement)\b",
        r"\b(?:last|previous|preceding)\s+(?:year|time|inspection|report|assessment)\b",
        r"\bour\s+(?:last|previous)\s+(?:\w+\s+){0,2}(?:inspection|report|assessment)\b",
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_JUDGEMENT_ONLY = re.compile(r"\b(?:judged|graded|rated|judgments?|judgements?)\b", re.I)
_DISCUSSES = re.compile(r"\barea(?:s)? for improvement\b|\b(?:found|said|identified|recommended|asked)\b", re.I)
_RELATIVE = re.compile(r"\b(?:last|previous|preceding)\s", re.I)


def _is_trigger(sentence: str, pat: re.Pattern, year: str = "") -> Optional[re.Match]:
    # "In April 2017, the Home Office ..." is a date, not the inspection: the pattern
    # wants the year right after the preposition (or after "our"/"report of").
    s = fold(sentence)
    if year and year not in s and not _mentions_relative(s):
        return None  # every alternative of trigger_pattern(year) needs one or the other
    return pat.search(s)


_LEADING = re.compile(r"^(?:however,?\s+|but\s+|also,?\s+)?(?:in|since|during|last|at|our|when|following)\b", re.I)


def _starts_with_trigger(sentence: str, m: re.Match) -> bool:
    """True when the sentence opens with the reference ("In 2017, ...", "Last year, ...")."""
    head = fold(sentence)[: m.start()]
    return m.start() <= 40 and (m.start() == 0 or bool(_LEADING.match(head + m.group(0))))


# ---- status cues ---------------------------------------------------------------

_NEG = r"(?:not|n't|no|never|isn't|wasn't|hasn't|haven't|didn't|doesn't|aren't|weren't)"

_STRONG_ADDRESSED = [
    r"\b(?:has|have|had)\s+(?:now\s+|since\s+|all\s+|both\s+)?been\s+(?:fully\s+)?(?:addressed|resolved|met|completed|implemented|cleared|rectified|fixed)\b",
    r"\bno\s+longer\s+(?:an?\s+|such\s+a\s+|the\s+)?(?:area for improvement|cause of concern|concern|problem|issue|case)\b",
    r"\b(?:both|all)\s+(?:have\s+been|were)\s+(?:addressed|resolved)\b",
    r"\b(?:has|have|had)\s+(?:now\s+|since\s+|fully\s+|successfully\s+)?(?:addressed|resolved)\s+(?:this|these|it|them|the|that|our|each|both|all)\b",
]
_STRONG_NOT = [
    r"\b(?:this|that|it|the position|the situation)\s+(?:still\s+)?remains\s+the\s+case\b",
    r"\b(?:is|was)\s+still\s+the\s+case\b",
    rf"\b(?:has|have|had)\s+(?:not|n't)\s+(?:yet\s+)?been\s+(?:addressed|resolved)\b",
    r"\bhas(?:n't| not)\s+(?:yet\s+)?(?:improved|changed|addressed)\b",
    r"\bno\s+(?:evidence|progress|improvement)\b",
    r"\bremains?\s+an?\s+area\s+for\s+(?:improvement|development)\b",
    r"\bstill\s+(?:isn't|is not|aren't|are not|doesn't|does not|don't|do not|hasn't|has not|can't|cannot)\b",
]
_IMPROVED = [
    r"\b(?:has|have|had|is|was|were|are)\s+(?:now\s+|since\s+|also\s+|greatly\s+|significantly\s+|considerably\s+)?(?:improved|better|progressed)\b",
    r"\b(?:clear|significant|considerable|some|marked)\s+improvements?\b",
    r"\bimprovement(?:s)?\s+(?:is|was|were|are|has|have)\b",
    r"\bsituation\s+(?:has|had)\s+(?:now\s+)?improved\b",
    r"\bto\s+a\s+(?:good|high)\s+standard\b",
    r"\b(?:had|has|have)\s+(?:now\s+|since\s+)?(?:cleared|reviewed|introduced|implemented|established|allocated|increased|better\s+\w+)\b",
    r"\b(?:had|has|have)\s+(?:now\s+|since\s+)?(?:fallen|reduced|decreased|come\s+down)\b",  # backlogs, delays
    r"\bnow\s+(?:has|have|routinely|effectively|consistently|regularly|always|good)\b",
    r"\bnow\s+(?!is\b|was\b|its\b|this\b|thus\b|as\b)[a-z]+s\b",  # "the force now completes / evaluates ..."
    r"\b(?:is|are|was|were)\s+now\s+[a-z]+ed\b",  # "devices are now examined"
    r"\b(?:improving|progress)\b",
]
# Shortfalls that mean the problem is not fully fixed (the passage says so now).
_SHORTFALL = [
    r"\bstill\b(?!\s+(?:familiaris|learn))",
    r"\bremains?\s+(?:low|high|limited|a\s+challenge|inconsistent|poor)\b",
    r"\b(?:will|to)\s+(?:continue\s+to\s+)?monitor\b",
    r"\bsome\s+progress\b",
    r"\bis\s+improving\b|\bimproving\b",
    r"\b(?:isn't|is not|aren't|are not|wasn't|weren't)\s+yet\b|\bnot\s+yet\b",
    r"\bdespite\s+this\b",
    r"\b(?:couldn't|can't|cannot|could not|don't|doesn't|do not|does not|isn't|aren't|is not|are not)\s+always\b",
]
# Contrast words alone are weak: "it has improved. But partners' use is patchy" is addressed.
_WEAK_SHORTFALL = [r"\bbut\b", r"\bhowever\b", r"\balthough\b"]

_ANAPHOR = re.compile(
    r"\b(?:these|both|all|each\s+of\s+(?:these|the))\s+(?:\w+\s+)?areas?\s+for\s+improvement\b|\bboth\s+(?:have|had|were)\b",
    re.I,
)


# one alternation per cue class: one pass over the text each
_STRONG_ADDRESSED, _STRONG_NOT, _IMPROVED, _SHORTFALL, _WEAK_SHORTFALL = (
    [re.compile("|".join(f"(?:{p})" for p in ps), re.I)]
    for ps in (_STRONG_ADDRESSED, _STRONG_NOT, _IMPROVED, _SHORTFALL, _WEAK_SHORTFALL)
)


_CATEGORICAL = re.compile(r"the case|\bno\b|been addressed|been resolved|has(?:n't| not)\s", re.I)


def _cues(patterns: list[re.Pattern], text: str) -> list[str]:
    return [m.group(0).lower() for p in patterns for m in p.finditer(text)]


def classify_status(sentences: list[str], trigger: str = "") -> tuple[str, list[str]]:
    """Status of an earlier AFI from the sentences that follow its trigger.

    The trigger sentence describes the earlier finding ("In 2017, the force wasn't
    ..."), so its negative wording is ignored; only an explicit resolution in it
    ("... has been addressed") counts. Returns (status, cues that decided it).
    """
    text = fold(" ".join(sentences))
    trig = fold(trigger)
    strong_add = _cues(_STRONG_ADDRESSED, text) + _cues(_STRONG_ADDRESSED, trig)
    strong_not = _cues(_STRONG_NOT, text)
    improved = _cues(_IMPROVED, text)
    shortfall = _cues(_SHORTFALL, text)
    weak = _cues(_WEAK_SHORTFALL, text)
    if strong_not and not strong_add:
        # "some progress, but this remains an area for improvement" / "the backlog has
        # fallen, but supervisors still don't ..." is partial; "this remains the case",
        # "no progress" and "has not been addressed" are categorical.
        categorical = [c for c in strong_not if _CATEGORICAL.search(c)]
        progress = [c for c in improved if "progress" in c or "improv" in c] if categorical else improved
        if progress:
            return "improved", progress + strong_not
        return "not addressed", strong_not
    if strong_add:
        return "addressed", strong_add
    if improved and shortfall:
        return "improved", improved + shortfall
    if improved:
        return "addressed", improved + weak
    if shortfall or weak:
        return "not addressed", shortfall + weak
    return "not addressed", []


# ---- passages -------------------------------------------------------------------


@dataclass
class Passage:
    """A trigger sentence and the sentences that follow it (its discussion)."""

    question: Optional[int]
    paragraph: int  # index into _paragraph_spans(later)
    trigger: tuple[str, int, int]
    follow: list[tuple[str, int, int]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)  # text to match AFIs against (>1 when enumerating)
    context: str = ""  # the passage plus the next paragraph, for carried-forward matching

    @property
    def text(self) -> str:
        return " ".join([self.trigger[0]] + [s[0] for s in self.follow])

    def status(self) -> tuple[str, list[str]]:
        return classify_status([s[0] for s in self.follow], self.trigger[0])

    def evidence(self) -> tuple[str, int, int]:
        """The sentence that settles it: the trigger, or a later "both have been addressed"."""
        if not _cues(_STRONG_ADDRESSED, fold(self.trigger[0])):
            for s in self.follow:
                if _ANAPHOR.search(s[0]) and classify_status([s[0]])[1]:
                    return s
        return self.trigger


_ENUM = re.compile(r"\b(?:two|three|four|five|six|\d+)\s+areas\s+for\s+improvement\b|\bareas\s+for\s+improvement\b", re.I)


def _paragraph_spans(report: Report) -> list[tuple[int, int, Optional[int]]]:
    """(start, end, question) of each paragraph, from the model or from blank lines."""
    spans: list[tuple[int, int, Optional[int]]] = []
    if report.paragraphs:
        for p in report.paragraphs:
            spans.append((p.start, p.end, p.question if p.question is not None else _question_at(report, p.start)))
    else:
        for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", report.text):
            spans.append((m.start(), m.end(), _question_at(report, m.start())))
    return sorted(spans)


def _question_at(report: Report, pos: int) -> Optional[int]:
    for q in report.questions:
        if q.start <= pos < q.end:
            return q.number
    return None


def slash_label(report: Report) -> Optional[str]:
    """'2018/19' when the report calls its inspection that way."""
    m = re.search(rf"\b{report.year}/(\d{{2}}|\d{{4}})\b", f"{report.inspection} {report.key.replace('-', '/')}")
    if m:
        return m.group(0)
    m = re.search(rf"\b{report.year}/\d{{2}}\b", report.text[:3000])
    return m.group(0) if m else None


def _mentions_relative(raw: str) -> bool:
    """_RELATIVE.search(raw), skipped when plain ASCII text lacks the words it needs."""
    if raw.isascii():
        low = raw.lower()
        if "last" not in low and "previous" not in low and "preceding" not in low:
            return False
    # non-ASCII text goes to the regex: under re.I "ſ" matches "s", for one
    return _RELATIVE.search(raw) is not None


def _overlaps_afi(report: Report) -> Callable[[int, int], bool]:
    """A test: does text[ps:pe] overlap one of the report's AFIs? (bisect, not a scan)"""
    spans = sorted((a.start, a.end) for a in report.areas_for_improvement)
    starts = [s for s, _ in spans]
    reach: list[int] = []  # reach[k]: the furthest end among the first k + 1 AFIs by start
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)

    def overlaps(ps: int, pe: int) -> bool:
        k = bisect_left(starts, pe)  # the AFIs that start before pe
        return k > 0 and reach[k - 1] > ps

    return overlaps


def find_passages(earlier: Report, later: Report, paragraphs: Optional[list[tuple[int, int, Optional[int]]]] = None) -> list[Passage]:
    """Every passage of ``later`` that refers back to the inspection of ``earlier``.

    ``paragraphs`` is ``_paragraph_spans(later)`` when the caller has it already."""
    pat = trigger_pattern(earlier.year, slash_label(earlier))
    year = str(earlier.year)
    in_afi = _overlaps_afi(later)
    if paragraphs is None:
        paragraphs = _paragraph_spans(later)
    passages: list[Passage] = []
    for pi, (ps, pe, q) in enumerate(paragraphs):
        if in_afi(ps, pe):
            continue  # the later report's own AFIs are not discussion of the earlier ones
        raw = later.text[ps:pe]
        if year not in raw and not _mentions_relative(raw):
            continue  # cheap pre-filter: most paragraphs never name the earlier inspection
        sents = split_sentences(raw, ps)
        current: Optional[Passage] = None
        for s in sents:
            m = _is_trigger(s[0], pat, year)
            if m and _JUDGEMENT_ONLY.search(s[0]) and not _DISCUSSES.search(s[0]):
                continue  # "In 2017, we judged the force as good at ..." recalls a grade, not an AFI
            if m and (current is None or _starts_with_trigger(s[0], m)):
                current = Passage(question=q, paragraph=pi, trigger=s)
                passages.append(current)
            elif current is not None:
                current.follow.append(s)
        for p in passages:
            if p.context:
                continue
            nxt = ""
            if pi + 1 < len(paragraphs):
                ns, ne, _ = paragraphs[pi + 1]
                nsents = split_sentences(later.text[ns:ne], ns)
                # a bare restatement ("... had two areas for improvement: ...") is settled
                # by the next paragraph ("We assessed these ..., and both have been addressed")
                if not p.follow:
                    for t in nsents:
                        if _is_trigger(t[0], pat, year):
                            break
                        p.follow.append(t)
                nxt = " ".join(t[0] for t in nsents)
            p.context = p.text + " " + nxt
            p.segments = _segments(p.trigger[0]) or [p.text]
    return passages


def _segments(trigger: str) -> list[str]:
    """Split an enumerating trigger ("two areas for improvement: we said A; and that B") into A, B."""
    if not _ENUM.search(trigger) or ";" not in trigger:
        return []
    body = trigger.split(":", 1)[1] if ":" in trigger else trigger
    parts = [p.strip() for p in re.split(r";\s*(?:and\s+)?", body) if p.strip()]
    return parts if len(parts) > 1 else []


# ---- matching -------------------------------------------------------------------

MATCH_THRESHOLD = 0.20  # cosine (+ prior): below this a passage is not about the AFI
QUESTION_PRIOR = 0.08  # same (matched) question
CARRY_THRESHOLD = 0.45  # later AFI restates the earlier one
NARROW_MIN = 0.03  # ... or narrows it: some shared content words
NARROW_BONUS = 0.25
GROUND_MARGIN = 0.01  # a later AFI's best paragraph must beat the runner-up


def find_followups(earlier: Report, later: Report, question_map: dict[int, int]) -> list[FollowUp]:
    """One FollowUp per AFI of ``earlier``: status, evidence and carried-forward AFI.

    ``question_map`` maps earlier question numbers to later ones (see
    linking.match_questions); it is a prior, not a filter.
    """
    afis = sorted(earlier.areas_for_improvement, key=lambda a: (a.start, a.question or 0, a.index))
    if not afis:
        return []
    paragraphs = _paragraph_spans(later)
    passages = find_passages(earlier, later, paragraphs)
    later_afis = sorted(later.areas_for_improvement, key=lambda a: (a.start, a.question or 0, a.index))
    texts = [later.text[ps:pe] for ps, pe, _ in paragraphs]
    tfidf = Tfidf([a.text for a in afis] + [a.text for a in later_afis] + texts)
    afi_vecs = [tfidf.vector(a.text) for a in afis]

    # candidates: (passage index, segment index)
    cands: list[tuple[float, int, int, int]] = []  # (-score, afi i, passage j, segment k)
    for j, p in enumerate(passages):
        seg_vecs = [tfidf.vector(s) for s in p.segments]
        head_vec = tfidf.vector(" ".join([p.trigger[0]] + [s[0] for s in p.follow[:1]]))
        body_vec = tfidf.vector(p.text)
        for i, a in enumerate(afis):
            prior = QUESTION_PRIOR if a.question is not None and question_map.get(a.question) == p.question else 0.0
            for k, sv in enumerate(seg_vecs):
                if len(seg_vecs) > 1:
                    sim = Tfidf.cosine(afi_vecs[i], sv)
                else:
                    sim = max(Tfidf.cosine(afi_vecs[i], head_vec), 0.9 * Tfidf.cosine(afi_vecs[i], body_vec))
                if sim + prior >= MATCH_THRESHOLD and sim > 0.05:
                    cands.append((-(sim + prior), i, j, k))
    cands.sort()
    taken_afi: dict[int, tuple[int, int]] = {}
    taken_seg: set[tuple[int, int]] = set()
    for _, i, j, k in cands:
        if i in taken_afi or (j, k) in taken_seg:
            continue
        taken_afi[i] = (j, k)
        taken_seg.add((j, k))

    statuses: dict[int, str] = {}  # by passage: one passage can settle several AFIs
    out: list[FollowUp] = []
    for i, a in enumerate(afis):
        fu = FollowUp(
            force=later.force,
            earlier_report=earlier.key,
            later_report=later.key,
            question=a.question,
            index=a.index,
            text=a.text,
            status="not reassessed",
        )
        if i in taken_afi:
            j = taken_afi[i][0]
            p = passages[j]
            if j not in statuses:
                statuses[j] = p.status()[0]
            fu.status = statuses[j]
            ev = p.evidence()
            fu.evidence, fu.evidence_start, fu.evidence_end = ev
        out.append(fu)

    _carried_forward(out, afis, afi_vecs, later_afis, passages, taken_afi, tfidf, paragraphs, texts)
    return sorted(out, key=lambda f: (f.question if f.question is not None else 10**6, f.index))


def _carried_forward(out, afis, afi_vecs, later_afis, passages, taken_afi, tfidf, spans, texts) -> None:
    """Mark FollowUps whose AFI the later report repeats or narrows.

    Only AFIs the later report says are not (fully) fixed can be carried forward.
    A later AFI qualifies when it restates the earlier one (cosine >= CARRY_THRESHOLD),
    or when it narrows it: it shares content words with it and is grounded in the
    follow-up discussion itself (the paragraph that best covers the later AFI's
    words is the discussion's paragraph or the one right after it). ``spans`` and
    ``texts`` are the later report's paragraphs (_paragraph_spans) and their text.
    """
    if not later_afis or not any(fu.status in ("improved", "not addressed") and i in taken_afi for i, fu in enumerate(out)):
        return  # nothing can be carried forward: skip scoring the later AFIs
    later_vecs = [tfidf.vector(b.text) for b in later_afis]
    by_question: dict[Optional[int], list[tuple[int, int, int, frozenset[str]]]] = {}
    for pi, ((ps, pe, q), text) in enumerate(zip(spans, texts)):
        # headings and captions (few words) never ground an AFI
        if len(text.split()) >= 12:
            by_question.setdefault(q, []).append((pi, ps, pe, _token_set(text)))
    grounding = [_grounding(b, by_question.get(b.question, []), tfidf) for b in later_afis]
    cands = []
    for i, fu in enumerate(out):
        if fu.status not in ("improved", "not addressed") or i not in taken_afi:
            continue
        p = passages[taken_afi[i][0]]
        region = {p.paragraph, p.paragraph + 1}
        for j, b in enumerate(later_afis):
            sim = Tfidf.cosine(afi_vecs[i], later_vecs[j])
            if sim >= CARRY_THRESHOLD:
                cands.append((-sim, i, j))
            elif sim >= NARROW_MIN and grounding[j] in region and b.question == p.question:
                cands.append((-(sim + NARROW_BONUS), i, j))
    cands.sort()
    used_i, used_j = set(), set()
    for _, i, j in cands:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        out[i].carried_forward_as = (later_afis[j].question, later_afis[j].index)
        out[i].carried_forward_text = later_afis[j].text


def _grounding(afi: AreaForImprovement, paragraphs: list[tuple[int, int, int, frozenset[str]]], tfidf: Tfidf) -> Optional[int]:
    """Index of the paragraph of the AFI's question that best covers its words
    (IDF-weighted), or None when no paragraph clearly wins. ``paragraphs`` holds
    (index, start, end, content words) of the paragraphs of the AFI's question
    with 12 words or more, in _paragraph_spans order."""
    words = set(content_tokens(afi.text))
    total = sum(tfidf.idf.get(t, 0.0) for t in words) or 1.0
    scored = []
    for pi, ps, pe, toks in paragraphs:
        if ps < afi.end and afi.start < pe:
            continue
        cover = sum(tfidf.idf.get(t, 0.0) for t in words & toks) / total
        scored.append((cover, pi))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < GROUND_MARGIN):
        return None
    return scored[0][1]


__all__ = ["classify_status", "find_followups", "find_passages", "fold", "split_sentences", "trigger_pattern", "Tfidf"]
