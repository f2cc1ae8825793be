"""Figures in inspection reports: the 'Force in numbers' block and in-text figures.

Used by ``reports.py``. Two readers:

* :func:`figures_block` reads a figures graphic flattened to lines (label with its
  period, the force's name and value, the comparator area's name and value, in
  either order), as PDF text extraction leaves it.
* :func:`text_figures` reads figures out of prose, one sentence at a time: a number
  with its unit or noun ("2,314 cases", "19.1 percent", "18 minutes"), the period
  the sentence states, and an England and Wales comparator when the same sentence
  ("compared with the England and Wales rate of 45.5") or the next one ("This
  compares with 25.7 percent for England and Wales.") gives it.

Everything here is pattern-driven and linear in the text; nothing is specific to
one force.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from peelkg.kg_build.model import Statistic

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)

_PCT_TAIL = re.compile(r"\s*(?:%|percent|per cent)$", re.I)
_ANY_DIGIT = re.compile(r"\d")
_RANGE_AFTER = re.compile(r"\s*(?:and|or|to)\s+\d")
_NOT_COUNT_AFTER = re.compile(r"\s+(?:of|or|to|and|in|at|times|another|way)\b", re.I)
_SCALE = re.compile(r"\s*(million|billion|m|bn)$", re.I)
_SCALES = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_NUMERIC = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_number(value: str) -> Optional[float]:
    """'2,314' -> 2314.0, '-5%' -> -5.0, '+10%' -> 10.0, 'Seventeen' -> 17.0; None if not a number."""
    v = value.strip().replace("\u2212", "-").replace("\u2013", "-")
    v = _PCT_TAIL.sub("", v).strip()
    v = v.lstrip("£$")
    scale = 1.0
    m = _SCALE.search(v)
    if m:
        scale = _SCALES[m.group(1).lower()]
        v = v[: m.start()].strip()
    w = WORD_NUMBERS.get(v.lower())
    if w is not None:
        return float(w) * scale
    if _NUMERIC.fullmatch(v):
        return float(v.replace(",", "")) * scale
    return None


# ---- the 'Force in numbers' block -------------------------------------------

_VALUE_LINE = re.compile(r"^(?:[+\-\u2212]?£?\d[\d,]*(?:\.\d+)?\s*%?|[\u2013\u2014-])$")
_AREA_NAMES = {
    "england and wales", "england", "wales", "national", "national average", "msg",
    "most similar group", "most similar group average", "msg average", "region", "regional average",
}
_FORCE_SUFFIX = re.compile(r"\b(?:Police|Constabulary|Police Service)$")
_LABEL_PERIOD = re.compile(
    r"\s*\b((?:\d+|twelve|six|three) months? (?:to|ending) \d{1,2} (?:%s) \d{4}"
    r"(?: (?:against|compared with|to) (?:the )?(?:\d+|twelve|six|three) months? (?:to|ending) \d{1,2} (?:%s) \d{4})?"
    r"|as at \d{1,2} (?:%s) \d{4}|year ending (?:\d{1,2} )?(?:%s) \d{4}|(?:in )?\d{4}/\d{2,4})\s*$" % (MONTHS, MONTHS, MONTHS, MONTHS),
    re.I,
)
_RATE_UNIT = re.compile(
    r"\bper\s+((?:[\d,]+|one|a)\s+)?((?:thousand|million|billion)\s+)?(?:of\s+the\s+)?([a-z][a-z\- ]*?)\s*$", re.I
)


def _unit_for(label: str, value: str) -> str:
    if value.rstrip().endswith("%"):
        return "percent"
    m = _RATE_UNIT.search(label)
    if m:
        return " ".join(p.strip() for p in ("per", m.group(1) or "", m.group(2) or "", m.group(3)) if p.strip())
    if value.lstrip("+-\u2212").startswith("£"):
        return "pounds"
    return "count"


def _fold(s: str) -> str:
    return " ".join(s.lower().replace("\u2019", "'").split())


def figures_block(lines: Iterable[tuple[str, int, int]], force: str) -> list[Statistic]:
    """Read a flattened 'Force in numbers' graphic.

    ``lines`` are the block's non-blank lines as (stripped text, start, end). The
    layout is: optional group titles, a label ending in its period, then the
    force's name and value and the comparator area's name and value (names and
    values either interleaved or names first). Lines starting with '*' are notes.
    Returned statistics have ``index`` 0; the caller numbers them.
    """
    out: list[Statistic] = []
    force_n = _fold(force) if force else ""
    group: Optional[str] = None
    texts: list[tuple[str, int, int]] = []
    label: Optional[tuple[str, int, int]] = None
    names: list[str] = []
    values: list[tuple[str, int, int]] = []

    def is_area(s: str) -> bool:
        n = _fold(s)
        return n == force_n or n in _AREA_NAMES or bool(_FORCE_SUFFIX.search(s))

    group_starred = False
    starred: list[int] = []
    notes: list[str] = []

    def start_label() -> None:
        nonlocal group, label, texts, group_starred
        if not texts:
            return
        if len(texts) >= 2:
            group = texts[-2][0].rstrip("*").strip()
            group_starred = texts[-2][0].endswith("*")
        label = texts[-1]
        texts = []

    def emit(partial: bool = False) -> None:
        nonlocal label, names, values
        if label is None or len(values) < (1 if partial else 2):
            return
        text, a, _ = label
        pm = _LABEL_PERIOD.search(text)
        period = pm.group(1) if pm else None
        name = text[: pm.start()].strip() if pm else text.strip()
        name = name.rstrip("*").strip()
        if period is None and group_starred:
            starred.append(len(out))  # its period is in the graphic's '*' note
        if group and _fold(group) not in _fold(name):
            name = f"{group}: {name[:1].lower() + name[1:]}" if not name[:2].isupper() else f"{group}: {name}"
        # Which value is the force's: the one under the force's name; else the first.
        fi, ci = 0, 1
        if len(names) >= 2:
            for i, nm in enumerate(names[:2]):
                if _fold(nm) == force_n or (_fold(nm) not in _AREA_NAMES):
                    fi, ci = i, 1 - i
                    break
        if len(values) < 2:
            # one value left (the other was lost in conversion): keep it if it is the force's
            if fi != 0 or (names and _fold(names[0]) in _AREA_NAMES and _fold(names[0]) != force_n):
                label, names, values = None, [], []
                return
            fv, cv = values[0], None
        else:
            fv, cv = values[fi], values[ci]
        area = (names[ci] if len(names) >= 2 else "England and Wales") if cv else None
        out.append(
            Statistic(
                index=0,
                label=name,
                value=fv[0],
                number=parse_number(fv[0]),
                unit=_unit_for(name, fv[0]),
                period=period,
                comparator=cv[0] if cv else None,
                comparator_number=parse_number(cv[0]) if cv else None,
                comparator_area=area,
                section="Force in numbers",
                start=a,
                end=max(fv[2], cv[2]) if cv else fv[2],
            )
        )
        label, names, values = None, [], []

    for s, a, b in lines:
        if s.startswith("*"):
            notes.append(s)  # a note under the graphic
            continue
        if _VALUE_LINE.match(s):
            if label is None:
                start_label()
            values.append((s, a, b))
            if len(values) >= max(2, len(names)):
                emit()
            continue
        if is_area(s):
            if label is None:
                start_label()
            names.append(s)
            continue
        if label is not None:  # an unfinished figure: keep what is certain, start again
            emit(partial=True)
            label, names, values = None, [], []
        texts.append((s, a, b))
    for note in notes:
        m = _NOTE_PERIOD.search(note)
        if m:
            for k in starred:
                out[k].period = m.group(1)
            break
    return out


_NOTE_PERIOD = re.compile(
    r"\b((?:\d+|twelve) months? (?:to|ending) \d{1,2} (?:%s) \d{4}|year ending (?:\d{1,2} )?(?:%s) \d{4})" % (MONTHS, MONTHS),
    re.I,
)


# ---- figures in prose -------------------------------------------------------

# Footnote marks written with ASCII digits, and URLs: blanked before reading figures.
_MASK = re.compile(r"\^\{[^}]*\}|\[\d{1,3}\]|(?:https?://|www\.)\S+")
_NUM_RUN = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")
_NUM_OK = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_NUM_SUFFIX = re.compile(r"\s*(?:%|percent\b|per cent\b)|\s(?:million|billion|m|bn)\b")
_SUPERSCRIPT_SET = frozenset("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
# Number words as counts: after a space, before a space or a hyphenated unit ("three-month").
# Matched on lower-cased text with a leading space, so the match starts one before the word.
_WORD_FAST = re.compile(
    # the words as a trie: about twice as fast to scan as a flat alternation
    r" (t(?:wo|hree|en|welve|hirteen|wenty|hirty)|f(?:our|ive|ifteen|ourteen|orty|ifty)|s(?:ix|even|ixteen|eventeen)"
    r"|e(?:ight|leven|ighteen)|n(?:ine|ineteen)|one)(-(?:minute|hour|day|week|month|year)s?)?(?= )"
)
_DURATION = re.compile(r"^\s+(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b", re.I)
# Words just before a number that make it a reference, not a figure ("section 136",
# "question 4", "every 100", "these 60"); checked as word sets, not regexes, for speed.
_SKIP_BEFORE_WORDS = frozenset(
    "section sections s. act outcome outcomes question questions figure figures table annex chapter page pages "
    "paragraph para level tier phase stage step version wave category article schedule part rule aged age ages "
    "quarter quarters every per top number no. tranche cohort priority grade band recommendation operation "
    "project route junction these those last past".split()
)
_SKIP_BEFORE_PAIRS = frozenset({("age", "of"), ("of", "the"), ("out", "of")})
_SKIP_WORD_BEFORE_WORDS = frozenset(
    "the these those all both of its their our his her first last every per quarter quarters one or each any "
    "which another other than".split()
)
_MONTH_SET = frozenset(MONTHS.split("|"))
_OPENERS = "(\"'\u2018\u201c["


def _prev_words(before: str) -> list[str]:
    ws = before.split()[-2:]
    return [w.strip(_OPENERS) for w in ws]


def _skip_before(words: list[str]) -> bool:
    if not words:
        return False
    last = words[-1].lower()
    if last in _SKIP_BEFORE_WORDS:
        return True
    if len(words) < 2:
        return False
    first = words[0].lower()
    if (first, last) in _SKIP_BEFORE_PAIRS:
        return True
    # "one in four", "1 in 5": a ratio, not a count
    return last == "in" and (first.isdigit() or first in WORD_NUMBERS)


# Counts of the report's own statements are not figures about the force.
_META_AFTER = re.compile(r"^\s+(?:\w+\s+)?(?:areas? for improvement|causes? of concern|recommendations?)\b", re.I)
_PHONE = {"999", "101", "111", "112"}
_PHONE_AFTER = re.compile(r"^\s+(?:and\s+\d+\s+|or\s+\d+\s+)?(?:calls?|number|line|service)\b", re.I)
_DATE_AFTER = re.compile(r"^\s*(?:%s)\b" % MONTHS)
_AGE_RANGE = re.compile(r"\bage[ds]?\s+\d+\s*(?:to|and|-|\u2013)\s*$", re.I)
_PERIOD_AFTER = re.compile(r"^\s*(?:months?|weeks?|years?|days?)\s+(?:to|ending|from|up to|before)\b", re.I)
_AGE_AFTER = re.compile(r"^\s*-?\s*(?:year-olds?|years? old|year old|years of age)\b", re.I)
_TIME_AFTER = re.compile(r"^(?::\d|\s*(?:am|pm|hrs)\b)", re.I)
_STOP = {
    "in", "of", "to", "for", "at", "on", "by", "since", "between", "during", "compared", "which", "who",
    "that", "and", "but", "were", "was", "is", "are", "had", "have", "has", "from", "with", "per", "or",
    "as", "than", "this", "it", "they", "a", "an", "the", "across", "within", "into", "when", "where",
    "while", "over", "under", "out", "being", "be", "been", "also", "only", "more", "less", "times",
}
# "the number of orders that the force has brought has increased from 57 ..." -> "orders"
_NUMBER_OF = re.compile(
    r"\b(?:number|numbers|total|count)\s+of\s+((?:[A-Za-z'\u2019\-()]+\s+){0,5}?[A-Za-z'\u2019\-()]+?)"
    r"(?=\s+(?:that|which|who|it|the force|has|have|had|was|were|is|are|in|rose|fell|increased|decreased|reduced)\b|,)",
    re.I,
)
_PART_OF = re.compile(r"\s+(?:out\s+)?of\s+(?:(?:the|these|those|its)\s+)?[\d,]+\s+")
_PCT_OF = re.compile(r"^\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?", re.I)
_NOUN_WORD = re.compile(r"\s*([A-Za-z][A-Za-z'’\-]*|\([A-Za-z][A-Za-z\-]*\))")
_PER_POP = re.compile(
    r"\bper\s+((?:[\d,]+|one|a)\s+)?((?:thousand|million)\s+)?(?:of\s+the\s+)?(population|people|residents|head of population)\b",
    re.I,
)
_FOR_EVERY = re.compile(r"\bfor every ([\d,]+) ([a-z][a-z\- ]*?)(?= recorded| in the| by | per |,|\.|$)", re.I)
_CMP_CUE = re.compile(
    r"\b(?:compared (?:with|to)|compares (?:with|to)|in comparison (?:with|to)|against|than|whereas)\b", re.I
)
_AREA = re.compile(r"\b(England and Wales|national average|most similar group|MSG)\b")
_CMP_LEAD = re.compile(
    r"^(?:This|That|It|These)\s+(?:compares?|is|was|were|are)\b|^(?:During|In|Over|For)\s+(?:the same period|the same time)[^,]*England and Wales"
    r"|^(?:In|Across|For)\s+England and Wales\b|^The England and Wales (?:rate|figure|average|proportion)\b",
    re.I,
)
_SAME_RATE = re.compile(r"\b(?:also|the same as) the (?:rate|figure|proportion|average) (?:for|in|across) (England and Wales)", re.I)
# The period a sentence states. Each pattern is tried only near its key word (found
# with str.find), which keeps this cheap on long sentences.
_PERIOD_RULES = tuple(
    (key, re.compile(rx % {"m": MONTHS}, re.I), back)
    for key, rx, back in (
        ("month", r"((?:\d+|six|twelve|three|nine) months? (?:to|ending|from) (?:\d{1,2} )?(?:%(m)s)(?: \d{4})?"
                  r"(?: to \d{1,2} (?:%(m)s) \d{4})?)", 10),
        ("quarter", r"((?:between )?quarters? \w+ (?:and|to) (?:quarter )?\w+ of \d{4}/\d{2})", 8),
        ("between", r"(between (?:%(m)s) and (?:%(m)s) \d{4})", 0),
        (" to ", r"((?:%(m)s) \d{4} to (?:the end of )?(?:%(m)s) \d{4})", 15),
        ("as at", r"(as at (?:\d{1,2} )?(?:%(m)s) \d{4})", 0),
        ("as of", r"(as of (?:\d{1,2} )?(?:%(m)s) \d{4})", 0),
        ("year ", r"(year (?:ending|to) (?:\d{1,2} )?(?:%(m)s) \d{4})", 0),
        ("since", r"(since (?:(?:%(m)s) )?\d{4})", 0),
        ("time of", r"(at the time of (?:the |our )?inspection)", 12),
        ("/", r"(in \d{4}/\d{2})", 8),
    )
)


def _find_period(s: str) -> Optional[str]:
    """The first period stated in a sentence: '12 months to 30 June 2017', 'since 2016' ..."""
    low = s.lower()
    best: Optional[tuple[int, str]] = None
    for key, rx, back in _PERIOD_RULES:
        i = low.find(key)
        while i >= 0:
            if key == " to " and not low[max(0, i - 4):i].isdigit():
                i = low.find(key, i + 1)  # only "<Month> <year> to ..."
                continue
            m = rx.search(s, max(0, i - back), i + len(key) + 70)
            if m:
                if best is None or m.start() < best[0]:
                    best = (m.start(), m.group(1))
                break
            i = low.find(key, i + 1)
    return best[1] if best else None


_OWN_PERIOD = re.compile(r"^\s*(?:[a-z\-]+\s+){0,3}?in ((?:%s) \d{4}|\d{4}/\d{2})\b" % MONTHS)


def _noun_phrase(after: str, max_words: int = 6) -> str:
    """The noun phrase a figure counts: '15 community protection notices (CPNs), 13 ...' -> 'community protection notices (CPNs)'."""
    words: list[str] = []
    pos = 0
    while len(words) < max_words:
        m = _NOUN_WORD.match(after, pos)
        if not m:
            break
        w = m.group(1)
        if w.lower() in _STOP:
            break
        words.append(w)
        pos = m.end()
        if w.startswith("("):
            break
    return " ".join(words)


def _has_plural_noun(phrase: str) -> bool:
    for w in phrase.split()[:4]:
        w = w.strip("()")
        if len(w) > 2 and w.endswith("s") and not w.endswith("ss") and w.lower() not in ("its", "this", "was", "has", "is"):
            return True
    return False


def _label_before(sentence: str, ts: int) -> str:
    """The words before a figure, within its clause: 'a low compliance rate of 19.1' -> 'low compliance rate'."""
    head = sentence[:ts]
    cut = max(head.rfind(","), head.rfind(";"), head.rfind(":"), head.rfind("("), head.rfind(")"))
    m = None
    for m in _ANY_DIGIT.finditer(head):
        pass
    if m is not None:
        cut = max(cut, m.end())
    words = head[cut + 1:].split()
    while words and words[-1].lower() in _LABEL_DROP_TAIL:
        words.pop()
    words = words[-6:]
    while words and words[0].lower() in _LABEL_DROP_HEAD:
        words.pop(0)
    return " ".join(words).strip(" '\u2018\u2019")


_LABEL_DROP_TAIL = {
    "of", "by", "at", "in", "to", "was", "were", "is", "are", "just", "around", "about", "approximately",
    "over", "under", "almost", "nearly", "only", "more", "less", "than", "within", "up", "the", "a", "an",
}
_LABEL_DROP_HEAD = {"percent", "per", "cent", "and", "but", "so", "which", "while", "whereas", "this", "that", "it", "the", "a", "an", "of", "in", "to"}


class _Fig:
    __slots__ = ("value", "number", "unit", "label", "pos", "period", "comparator", "comparator_number")

    def __init__(self, value, number, unit, label, pos, period):
        self.value, self.number, self.unit, self.label, self.pos, self.period = value, number, unit, label, pos, period
        self.comparator = None
        self.comparator_number = None


def _sentence_tokens(text: str, s: str, a: int, nums: list[tuple[int, int]], wordms: list[tuple[int, str, str]]) -> list[_Fig]:
    """Figures in one sentence ``s`` (masked; it starts at ``a`` in ``text``), in order.

    ``nums`` are the digit runs and ``wordms`` the number words (start, word, hyphen
    suffix) found in the sentence, with offsets into ``s``.
    """
    found: list[_Fig] = []
    per_pop = _PER_POP.search(s) if "per " in s else None
    every = _FOR_EVERY.search(s) if "every" in s else None
    n = len(s)
    for ts, run_end in nums:
        digits = s[ts:run_end].rstrip(",")
        te = ts + len(digits)
        prev = s[ts - 1] if ts else " "
        money = "£" if prev == "£" else None
        if not money and (prev.isalnum() or prev in "_.,/$-"):
            continue  # part of a word, a date like 30/06, a code
        nxt = s[te] if te < n else " "
        if nxt not in _SUPERSCRIPT_SET and (nxt.isalnum() or nxt in "_/"):
            continue
        if len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2099 and nxt != "%" \
                and not s.startswith((" percent", " per cent", "%"), te):
            continue  # a year
        if not digits.isdigit() and not _NUM_OK.match(digits):
            continue
        sm = _NUM_SUFFIX.match(s, te) if nxt in " %" else None
        suffix = sm.group() if sm else ""
        te += len(suffix)
        before, after = s[max(0, ts - 40): ts], s[te: te + 60]
        plain = "," not in digits and "." not in digits
        is_pct = bool(suffix) and ("%" in suffix or "cent" in suffix)
        if plain and not is_pct and not money and len(digits) == 4 and 1900 <= int(digits) <= 2099:
            continue  # a year
        pw = _prev_words(before) if before[-1:].isspace() else []
        if not money and _skip_before(pw):
            continue
        if pw and pw[-1].lower() in ("to", "and", "-", "\u2013") and _AGE_RANGE.search(before):
            continue  # "aged 10 to 17"
        if _DATE_AFTER.match(after) or (pw and pw[-1] in _MONTH_SET and plain and int(digits) <= 31):
            continue
        if _PERIOD_AFTER.match(after) or _AGE_AFTER.match(after) or _TIME_AFTER.match(after):
            continue
        if not is_pct and not money and pw and pw[-1].lower() == "between" and _RANGE_AFTER.match(after):
            continue  # a range bound "between 16 and 1,678" stays one figure? keep it simple: skip the first bound
        if _META_AFTER.match(after) or (digits in _PHONE and _PHONE_AFTER.match(after)):
            continue
        value = text[a + ts: a + te].strip()
        unit: Optional[str]
        label = ""
        if is_pct:
            unit = "percent"
            of = _PCT_OF.match(after)
            label = (_noun_phrase(after[of.end():]) if of else "") or _label_before(s, ts)
        elif money:
            unit = "pounds"
            label = _noun_phrase(after) or _label_before(s, ts - 1)
        else:
            d = _DURATION.match(after)
            if d:
                unit = d.group(1).lower()
                label = _label_before(s, ts)
            else:
                label = _noun_phrase(after)
                unit = "count"
                if per_pop and per_pop.start() > te:
                    unit = " ".join(x.strip() for x in ("per", per_pop.group(1) or "", per_pop.group(2) or "", per_pop.group(3)) if x.strip())
                elif every and not (every.start() <= ts < every.end()):
                    unit = f"per {every.group(1)} {every.group(2).strip()}"
        if not label:
            part = _PART_OF.match(after)  # "23 of the 60 cases" -> "cases"
            if part:
                label = _noun_phrase(after[part.end():])
        if not label:
            nm = _NUMBER_OF.search(s, 0, ts) if "of " in s[:ts] else None
            label = (nm.group(1).strip() if nm else "") or _label_before(s, ts) or "figure"
        own = _OWN_PERIOD.match(after)
        found.append(_Fig(value, parse_number(value), unit, label, ts, own.group(1) if own else None))
    for ts, word, hyphen in wordms:
        te = ts + len(word) + len(hyphen or "")
        before, after = s[max(0, ts - 40): ts], s[te: te + 60]
        pw = _prev_words(before) if before[-1:].isspace() else []
        if pw and (pw[-1].lower() in _SKIP_WORD_BEFORE_WORDS or _skip_before(pw)):
            continue
        if _NOT_COUNT_AFTER.match(after) or _META_AFTER.match(after):
            continue
        if hyphen:
            unit = hyphen.lstrip("-").rstrip("s") + "s"
            label = _noun_phrase(s[te:])
        else:
            d = _DURATION.match(after)
            if d:
                if _PERIOD_AFTER.match(after):
                    continue
                unit, label = d.group(1).lower(), _label_before(s, ts) or "duration"
            else:
                if word.lower() == "one":
                    continue  # 'one' is mostly not a count ("one of", "one example")
                label = _noun_phrase(after)
                if not _has_plural_noun(label):
                    continue
                unit = "count"
        value = text[a + ts: a + ts + len(word)]
        found.append(_Fig(value, parse_number(word), unit, label or "figure", ts, None))
    found.sort(key=lambda f: f.pos)
    return found


def text_figures(text: str, sentences: list[tuple[int, int]]) -> list[tuple[Statistic, int]]:
    """Figures in a run of sentences (one paragraph): (Statistic, sentence number) pairs.

    ``sentences`` are (start, end) spans in ``text``. Footnote marks and URLs are
    blanked first, so their digits are not read as figures. Comparators are taken from the same
    sentence (after "compared with" and an England and Wales mention) or from the
    next sentence when it opens with "This compares with ..." / "During the same
    period in England and Wales ...". Statistic indexes are 0; the caller numbers them.
    """
    out: list[tuple[Statistic, int]] = []
    if not sentences:
        return out
    pa, pb = sentences[0][0], sentences[-1][1]
    para = text[pa:pb].replace("\n", " ")  # wrapped lines read as one (same length: offsets hold)
    if "^{" in para or "[" in para or "www." in para or "http" in para:
        para = _MASK.sub(lambda m: " " * len(m.group(0)), para)
    # One scan of the paragraph for digit runs and number words ("four examiners").
    nums = [(m.start(), m.end()) for m in _NUM_RUN.finditer(para)]
    low = " " + para.lower()
    wordms = [(m.start(), para[m.start(): m.start() + len(m.group(1))], m.group(2)) for m in _WORD_FAST.finditer(low)]
    if not nums and not wordms:
        return out  # nothing that could be a figure: most paragraphs
    prev_idx = -1
    prev_stats: list[Statistic] = []
    ni = wi = 0
    for si, (a, b) in enumerate(sentences):
        lo, hi = a - pa, b - pa
        s = para[lo:hi]
        sn: list[tuple[int, int]] = []
        while ni < len(nums) and nums[ni][0] < hi:
            if nums[ni][0] >= lo:
                sn.append((nums[ni][0] - lo, min(nums[ni][1], hi) - lo))
            ni += 1
        sw: list[tuple[int, str, str]] = []
        while wi < len(wordms) and wordms[wi][0] < hi:
            if wordms[wi][0] >= lo:
                sw.append((wordms[wi][0] - lo, wordms[wi][1], wordms[wi][2]))
            wi += 1
        figs = _sentence_tokens(text, s, a, sn, sw) if (sn or sw) else []
        if not figs and not (prev_stats and prev_idx == si - 1):
            continue
        area = _AREA.search(s) if ("England" in s or "national" in s or "similar" in s or "MSG" in s) else None
        mains, comps = figs, []
        if area and figs:
            if _CMP_LEAD.match(s) and prev_stats and prev_idx == si - 1:
                mains, comps = [], figs
                for st, c in zip(prev_stats, comps):
                    st.comparator, st.comparator_number, st.comparator_area = c.value, c.number, area.group(1)
            else:
                cue = _CMP_CUE.search(s)
                if cue:
                    mains = [f for f in figs if f.pos < cue.start()]
                    comps = [f for f in figs if f.pos >= cue.start()]
                    if not mains:
                        mains, comps = figs, []
        elif not figs and prev_stats and prev_idx == si - 1:
            same = _SAME_RATE.search(s)
            if same:
                st = prev_stats[-1]
                st.comparator, st.comparator_number, st.comparator_area = st.value, st.number, same.group(1)
        period = None
        if mains:
            period = _find_period(s)
        stats: list[Statistic] = []
        for i, f in enumerate(mains):
            st = Statistic(
                index=0,
                label=f.label,
                value=f.value,
                number=f.number,
                unit=f.unit,
                period=f.period or period,
                start=a,
                end=b,
            )
            if comps:
                # Pair in order; a single comparator belongs to the last figure before the cue.
                c = comps[i] if len(comps) == len(mains) else (comps[0] if i == len(mains) - 1 else None)
                if c is not None:
                    st.comparator, st.comparator_number, st.comparator_area = c.value, c.number, area.group(1)
            stats.append(st)
            out.append((st, si))
        if stats:
            prev_stats, prev_idx = stats, si
        elif figs:  # comparator-only sentence: keep pointing at the figures it compared
            prev_idx = si
    return out
