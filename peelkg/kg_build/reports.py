"""Read an inspection report's text into the document model (text -> Report).

The reader is driven by layout and by the language of inspection reports, not by
any force's names. It makes one pass over the lines to classify them (blank,
heading, bullet, footnote, grade line, question number, table row, text), then
reads structure from that sequence:

* the header (title, force, inspection, publication date, overall grade);
* the contents list (skipped) and any 'Force in numbers' graphic (figures);
* questions: a heading or question sentence followed by a grade line, a
  "Question N: ..." heading, or a number alone on a line followed by a question
  sentence; a judgments table (question, grade, last inspected) when present;
* sections, paragraphs, footnotes (superscript or [n] markers) and citations;
* areas for improvement (under "Area(s) for improvement" headings), causes of
  concern, recommendations, and statistics (see ``statistics.py``).

``Report.text`` is the input with ``\\r\\n`` turned into ``\\n`` (and a BOM
dropped); every offset points into it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from peelkg.errors import ReportError
from peelkg.kg_build import statistics as stats
from peelkg.kg_build.sentences import report_sentence_spans, sentence_spans
from peelkg.kg_build.model import (
    AreaForImprovement,
    CauseOfConcern,
    Footnote,
    Paragraph,
    Question,
    Recommendation,
    Report,
    Section,
    Statistic,
)
from peelkg.kg_build.slugs import normalise, slugify

__all__ = ["parse_report", "split_sentences", "canonical_grade"]

SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "0123456789")
_SUP = "[" + SUPERSCRIPTS + "]"

_GRADE_WORDS = r"(outstanding|good|adequate|requires improvement|inadequate|ungraded|not graded)"
_CANONICAL_GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "adequate": "Adequate",
    "requires improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "ungraded": "Ungraded",
    "not graded": "Ungraded",
}

# ---- line patterns (precompiled once) ----------------------------------------

_MD = re.compile(r"^(#{1,6})\s+")
_FOOTNOTE_SUP = re.compile(r"^(" + _SUP + r"+)\s*(?=\S)")
_FOOTNOTE_BRACKET = re.compile(r"^\[(\d{1,3})\]\s*(?=\S)")
_BULLET = re.compile(r"^(?:[-\u2022*\u25aa\u25e6\u00b7\u2023\u2013\u25cf]|\d{1,2}[.)])\s+(?=\S)")
_GRADE_LINE = re.compile(
    r"^(?:(?:grade|graded|judgment|judgement|rating|our judgment|our judgement)\s*[:\u2013\u2014-]\s*)?"
    + _GRADE_WORDS
    + r"\.?$",
    re.I,
)
_OVERALL_LINE = re.compile(r"^overall\b[^.\n]{0,80}?[\s:\u2013\u2014-]" + _GRADE_WORDS + r"\.?$", re.I)
_JUDGMENT_ROW = re.compile(
    r"^([A-Z][^.:;\t]{2,120}?)\s*(?::|\s\u2013|\s\u2014|\s-)\s*" + _GRADE_WORDS + r"\.?$", re.I
)
_BULLET_FIRST = frozenset("-\u2022*\u25aa\u25e6\u00b7\u2023\u2013\u25cf")
# Last four letters of each grade word: a line that ends otherwise is no grade line.
_GRADE_TAILS = frozenset(("ding", "good", "uate", "ment", "aded"))
_OUR_JUDGMENTS = re.compile(r"^(?:our |the )?(?:judge?ments?|grades?|overall judge?ments?)$", re.I)
_NO_AREAS = re.compile(r"^no (?:areas?|questions?|pillars?)\b", re.I)
_NUMBER_LINE = re.compile(r"^\d{1,2}$")
_QUESTION_PREFIX = re.compile(r"^question\s+(\d{1,2})\s*[:.\u2013\u2014-]?\s*(.*)$", re.I)
_CONTENTS_ROW = re.compile(r"^.+?(?:\t+|\s*\.{3,}\s*|\s{2,})\d{1,3}$")
_CAPTION = re.compile(
    r"^(?:Figure\s+\d+|Table\s+\d+|Chart\s+\d+|Source[s]?\s*:|Note[s]?\s*:|For further information|Please see)", re.I
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_ZONE_HEAD = re.compile(
    r"^(?:contents|table of contents|.+ in numbers|summary|overview|.+ overview|introduction|key findings|"
    r"questions for .+|about this (?:report|inspection)|our judge?ments?|judge?ments?)$",
    re.I,
)
_IN_NUMBERS = re.compile(r"^.+ in numbers$", re.I)
_AFI_HEAD = re.compile(r"^areas? for improvement(?:\s*\d+)?\s*:?$", re.I)
_CAUSE_HEAD = re.compile(r"^causes? of concern(?:\s*\d+)?\s*:?$", re.I)
_REC_HEAD = re.compile(r"^recommendations?(?:\s*\d+)?\s*:?$", re.I)
_SUMMARY_HEAD = re.compile(r"^(?:summary|overview|.+ overview|summary for question \d+|key findings|.+ summary)$", re.I)
_END_HEAD = re.compile(
    r"^(?:annex|appendix|annexe)\b|^(?:footnotes|notes|endnotes|references|glossary|about the data|"
    r"methodology|about this inspection)$",
    re.I,
)
_TRAILING_REF = re.compile("(?:" + _SUP + r"+|\^\{[^}]*\}|\[\d{1,3}\])+$")
_SENTENCE_COMMA = re.compile(r",\s+[a-z]")
_PEEL_YEAR = re.compile(r"\bPEEL\b[^\n]{0,40}?\b(\d{4}(?:/\d{2})?)\b")
_PERIOD_SPLIT = re.compile(r"(\d{4})/(\d{2,4})")
_YEAR_CELL = re.compile(r"\d{4}(?:/\d{2})?")
_SOURCE_LEAD = re.compile(r"\b(?:available (?:from|at)|see)\s*:\s*$", re.I)


# ---- header patterns ---------------------------------------------------------

_MONTHS = stats.MONTHS
_MONTH_NUM = {m.lower(): i for i, m in enumerate(_MONTHS.split("|"), 1)}
_DATE_FULL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(%s)\s+(\d{4})\b" % _MONTHS, re.I)
_DATE_MONTH = re.compile(r"\b(%s)\s+(\d{4})\b" % _MONTHS, re.I)
_DATE_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_LABEL = re.compile(r"^(?:published|publication date|date of publication|date published|last updated|updated|date)\b\s*:?\s*(.*)$", re.I)
_ONLY_DATE = re.compile(
    r"^(?:(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:%s)\s+\d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})$" % _MONTHS, re.I
)
_PILLARS = r"(effectiveness|efficiency|legitimacy|leadership)"
_TITLE_PILLAR = re.compile(r"\bPEEL\b[:\s\u2013\u2014-]*(?:police\s+)?" + _PILLARS + r"\s+(\d{4}(?:/\d{2,4})?)", re.I)
_TITLE_PERIOD = re.compile(r"\bPEEL\b\s*:?\s*(\d{4}(?:/\d{2,4})?)\b")
_PILLAR_LINE = re.compile(r"^" + _PILLARS + r"$", re.I)
_PILLAR_ANY = re.compile(r"^(?:questions for\s+)?" + _PILLARS + r"(?:\s+overview)?$", re.I)
_INSPECTION_OF = re.compile(r"\binspection of\s+(?:the\s+)?(.+?)\s*\.?$", re.I)
_TITLE_STEM = re.compile(r"^(.+?)\s+PEEL\b")
_FORCE_NAME = re.compile(
    r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:\s+(?:and|of|&)\s+[A-Z][a-z]+|\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?){0,3})"
    r"\s+(Police Service|Constabulary|Police)\b"
)
_NAME_STOPWORDS = {
    "The", "In", "When", "Since", "All", "Other", "Our", "Each", "Every", "For", "If", "Many", "Some", "Most",
    "This", "That", "These", "Both", "At", "By", "On", "As", "Where", "While", "And", "But", "With", "From",
    "Three", "Two", "Four", "Neighbouring", "National", "Local", "Senior", "Response", "Community", "However",
}
_INSPECTION_LANGUAGE = re.compile(
    r"\b(?:PEEL|HMICFRS|HMIC|HMI)\b|\b(?:inspection|inspectorate|inspected|areas? for improvement|causes? of concern)\b",
    re.I,
)
_LAST_INSPECTED = re.compile(
    r"\bjudge?ments?\s+from\s+(?:the\s+|our\s+)?(\d{4})\b[^.]{0,120}?\b(?:carried (?:over|forward)|remains?|still appl)"
    r"|\b(?:carried (?:over|forward)|remains? in place)\s+from\s+(?:the\s+|our\s+)?(\d{4})\b",
    re.I,
)

# ---- sentences and statements ------------------------------------------------

_COC_STATEMENT = re.compile(
    r"\b(?:identified|raised|found|had|set out|highlighted|issued|reported|judged|gave|have)\b[^.]{0,60}?"
    r"\b(?:as\s+)?(?:an?\s+)?causes?\s+of\s+concern\b"
    r"|\bserious\s+concerns?\s+(?:that|about|over|regarding|with)\b"
    r"|\bcauses?\s+of\s+concern\s+(?:is|was|remains?)\s+that\b",
    re.I,
)
_COC_NOT = re.compile(
    r"\bno longer\b|\bto address (?:this|the|that)\b|\bno (?:new |other )?(?:causes? of concern|serious concerns?)\b"
    r"|\b(?:not|never|any)\b[^.]{0,40}\b(?:causes? of concern|serious concerns?)\b",
    re.I,
)
_COC_STATUS = re.compile(
    r"\b(no longer (?:a |an |such a )?(?:cause of )?concern[^.;]*|remains? a cause of concern|"
    r"(?:is|was) still a cause of concern)",
    re.I,
)
_STATUS_TAIL = re.compile(r"\s+for (?:the )?(?:force|constabulary|service)\s*$", re.I)
_REC_SENTENCE = re.compile(r"\b(?:we|HMICFRS|HMIC|the inspectorate)\s+recommends?\s+(?:that\b|the\b)", re.I)
_SHOULD = re.compile(r"\b(?:should|needs? to|must)\b", re.I)


def canonical_grade(word: str) -> Optional[str]:
    """'requires Improvement' -> 'Requires improvement'; None if not a grade."""
    return _CANONICAL_GRADES.get(" ".join(word.lower().split()))


def split_sentences(text: str, start: int = 0, end: Optional[int] = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text[start:end]``: the shared splitter."""
    return sentence_spans(text, start, len(text) if end is None else end)


# ---- line items --------------------------------------------------------------


@dataclass
class _Item:
    kind: str  # text | bullet | footnote | grade | number | table
    text: str  # content, without markers
    start: int  # offset of the content
    end: int
    line_start: int  # offset of the line (with its marker)
    md: int = 0  # markdown heading level, 0 if none
    lines: int = 1
    grade: Optional[str] = None
    overall: bool = False
    number: Optional[int] = None
    heading: bool = False  # decided after the pass
    row: Optional[tuple[str, str]] = None  # (title, grade) of a "Title: Grade" line
    zone: str = "body"  # header | contents | figures | body


def _heading_like(s: str) -> bool:
    """A short title-like line: capital first, no closing punctuation, no sentence commas."""
    if not s or len(s) > 110 or "\t" in s:
        return False
    c = s[0]
    if not (c.isupper() or c in "'\u2018\"\u201c*("):
        return False
    end = _TRAILING_REF.sub("", s)
    if not end or end[-1] in ".,;:!?" or _URL.match(s) or _CAPTION.match(s):
        return False
    if len(s.split()) > 14 or _SENTENCE_COMMA.search(s):
        return False
    if _GRADE_LINE.match(s) or _NUMBER_LINE.match(s):
        return False
    return True


def _one_line(s: str) -> str:
    """A title that wrapped over lines, on one line."""
    return " ".join(s.split()) if "\n" in s else s


def _prose(s: str) -> bool:
    """A sentence-like line (body text, not a title)."""
    words = s.count(" ") + 1
    return (words >= 8 and s[-1:] in ".!:;\u201d\u2019\"'" + SUPERSCRIPTS) or words >= 25


def _lines_to_items(text: str) -> list[_Item]:
    """One pass over the lines: classify each, merge wrapped lines into the item before."""
    items: list[_Item] = []
    n = len(text)
    pos = 0
    prev_blank = True
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        line = text[pos:nl]
        line_start = pos
        pos = nl + 1
        s = line.strip()
        if not s:
            prev_blank = True
            continue
        cstart = line_start + (len(line) - len(line.lstrip()))
        md = 0
        c0 = s[0]
        m = _MD.match(s) if c0 == "#" else None
        if m:
            md = len(m.group(1))
            cstart += m.end()
            s = s[m.end():].strip()
            if not s:
                prev_blank = True
                continue
            c0 = s[0]
        cend = cstart + len(s)
        # Cheap first-character and length tests pick which patterns can apply.
        mm = None
        if not md:
            if c0 in SUPERSCRIPTS:
                mm = _FOOTNOTE_SUP.match(s)
            elif c0 == "[":
                mm = _FOOTNOTE_BRACKET.match(s)
        bm = _BULLET.match(s) if not md and not mm and (c0 in _BULLET_FIRST or c0.isdigit()) else None
        tail = s.rstrip(".")[-4:].lower()
        gradeish = tail in _GRADE_TAILS
        if mm:
            num = int(mm.group(1).translate(_SUP_TO_DIGIT))
            item = _Item("footnote", s[mm.end():], cstart + mm.end(), cend, line_start, number=num)
        elif bm:
            marker = s[: bm.end()].strip().rstrip(".)")
            item = _Item("bullet", s[bm.end():], cstart + bm.end(), cend, line_start,
                         number=int(marker) if marker.isdigit() else None)
        elif gradeish and c0 in "Oo" and _OVERALL_LINE.match(s):
            item = _Item("grade", s, cstart, cend, line_start, md=md, overall=True,
                         grade=canonical_grade(_OVERALL_LINE.match(s).group(1)))
        elif gradeish and len(s) < 60 and _GRADE_LINE.match(s):
            item = _Item("grade", s, cstart, cend, line_start, md=md, grade=canonical_grade(_GRADE_LINE.match(s).group(1)))
        elif not md and len(s) <= 2 and s.isascii() and s.isdigit():
            item = _Item("number", s, cstart, cend, line_start, number=int(s))
        elif "\t" in s:
            item = _Item("table", s, cstart, cend, line_start)
        elif gradeish and len(s) < 160 and _JUDGMENT_ROW.match(s):
            jm = _JUDGMENT_ROW.match(s)
            item = _Item("table", s, cstart, cend, line_start, md=md, row=(jm.group(1).strip(), jm.group(2)))
        else:
            item = _Item("text", s, cstart, cend, line_start, md=md)
        prev = items[-1] if items else None
        if (
            not prev_blank
            and prev is not None
            and item.kind == "text"
            and not item.md
            and prev.kind in ("text", "bullet", "footnote")
            and not prev.md
            # a short title-like line directly above a capitalised line is a heading, not a wrap
            and not (prev.lines == 1 and prev.kind == "text" and len(prev.text) < 60 and s[:1].isupper()
                     and _heading_like(prev.text))
            and not (c0 in "wWhH" and _URL.match(s))
        ):
            # a wrapped line: same paragraph
            prev.end = cend
            prev.text = text[prev.start:cend]
            prev.lines += 1
        else:
            items.append(item)
        prev_blank = False
    return items


# ---- header ------------------------------------------------------------------


def _parse_date(s: str) -> Optional[str]:
    m = _DATE_ISO.search(s)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = _DATE_FULL.search(s)
    if m:
        return f"{int(m.group(3)):04d}-{_MONTH_NUM[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    m = _DATE_SLASH.search(s)
    if m:  # UK order: day/month/year
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _DATE_MONTH.search(s)
    if m:
        return f"{int(m.group(2)):04d}-{_MONTH_NUM[m.group(1).lower()]:02d}"
    return None


def _clean_force(name: str) -> Optional[str]:
    words = name.split()
    while words and words[0] in _NAME_STOPWORDS:
        words = words[1:]
    if len(words) < 2:
        return None
    return " ".join(words)


def _force_names(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in _FORCE_NAME.finditer(text):
        name = _clean_force(m.group(0))
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _find_force(header: list[_Item], text: str) -> Optional[str]:
    # 1. "An inspection of X Police"
    for it in header:
        m = _INSPECTION_OF.search(it.text)
        if m:
            fm = _FORCE_NAME.search(m.group(1))
            if fm:
                name = _clean_force(fm.group(0))
                if name:
                    return name
    counts = None
    # 2. title stem "X PEEL 2018" + the body's "X Police|Constabulary|Police Service"
    for it in header:
        m = _TITLE_STEM.match(it.text)
        if m and not m.group(1).upper().startswith("PEEL"):
            stem = m.group(1).strip(" :\u2013-")
            if _FORCE_NAME.fullmatch(stem):
                return _clean_force(stem)
            stem_counts: dict[str, int] = {}
            for m in re.finditer(re.escape(stem) + r"\s+(Police Service|Constabulary|Police)\b", text):
                name = f"{stem} {m.group(1)}"
                stem_counts[name] = stem_counts.get(name, 0) + 1
            if stem_counts:
                return max((c, -text.find(n), n) for n, c in stem_counts.items())[2]
    # 3. a force named in the header
    for it in header:
        fm = _FORCE_NAME.search(it.text)
        if fm and _clean_force(fm.group(0)):
            return _clean_force(fm.group(0))
    # 4. the force named most often
    counts = counts if counts is not None else _force_names(text)
    if counts:
        return max((c, -text.find(n), n) for n, c in counts.items())[2]
    return None


def _find_inspection(header: list[_Item], text: str, body_items: list[_Item]) -> tuple[Optional[str], Optional[str], bool]:
    """(pillar, period, is_peel) from the title lines."""
    pillar = period = None
    peel = False
    explicit = False
    for it in header:
        m = _TITLE_PILLAR.search(it.text)
        if m:
            return m.group(1).lower(), m.group(2), True
    for it in header:
        m = _TITLE_PERIOD.search(it.text)
        if m and period is None:
            period, peel = m.group(1), True
            explicit = "/" in period
        if pillar is None:
            pm = _PILLAR_LINE.match(it.text)
            if pm:
                pillar = pm.group(1).lower()
    if pillar is None:
        for it in body_items[:400]:
            if it.kind == "text" and len(it.text) < 60:
                pm = _PILLAR_ANY.match(it.text)
                if pm:
                    pillar = pm.group(1).lower()
                    break
    if period and not explicit and period.isdigit():
        # A web page titled "PEEL 2018" reports the 2018/19 inspection when the text says so.
        y = int(period)
        span = f"{y}/{(y + 1) % 100:02d}"
        if text.count(span) >= 2:
            period = span
    if period is None:
        m = _PEEL_YEAR.search(text)
        if m:
            period, peel = m.group(1), True
    return pillar, period, peel or "PEEL" in text


def _norm_period(p: str) -> str:
    m = _PERIOD_SPLIT.fullmatch(p)
    if m:
        return f"{m.group(1)}/{m.group(2)[-2:]}"
    return p


# ---- the reader --------------------------------------------------------------


def parse_report(text: str, *, source: str, sha256: str, fmt: str = "txt") -> Report:
    """Read one inspection report's text into a :class:`Report`.

    ``source`` is the file name (for messages and provenance), ``sha256`` the hash
    of the source bytes, ``fmt`` the source format (txt | html | pdf).
    Raises :class:`ReportError` when the text is not an inspection report.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # Offsets must stay true: \r\n -> \n, and a lone \r (old Mac) -> \n (same length).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportError(source, "not an inspection report: the text is empty")
    if not _INSPECTION_LANGUAGE.search(text):
        raise ReportError(
            source, "not an inspection report: no inspection language found (PEEL, HMICFRS, inspection, areas for improvement)"
        )

    items = _lines_to_items(text)
    h = _header_end(items)
    for it in items[:h]:
        it.zone = "header"
    header = items[:h]

    force = _find_force(header, text)
    pillar, period, is_peel = _find_inspection(header, text, items[h:])

    published = None
    for it in header:
        lm = _DATE_LABEL.match(it.text)
        if lm and _parse_date(lm.group(1)):
            published = _parse_date(lm.group(1))
            break
    if published is None:
        for it in header:
            if _ONLY_DATE.match(it.text):
                published = _parse_date(it.text)
                break

    overall = None
    for it in header:
        if it.kind == "grade":
            overall = it.grade
            break

    _mark_contents(items, h)
    figure_zones = _mark_figures(items, h)

    # Headings (body only).
    for i in range(h, len(items)):
        it = items[i]
        if it.zone != "body" or it.kind != "text":
            continue
        if it.md or (it.lines == 1 and _heading_like(it.text) and i + 1 < len(items)):
            it.heading = True

    questions, q_items, table_overall = _find_questions(items, h, text)
    if overall is None:
        for it in items[h:]:
            if it.kind == "grade" and it.overall and it.zone == "body":
                overall = it.grade
                break
    if overall is None:
        overall = table_overall

    if force is None:
        if questions:
            raise ReportError(source, "not an inspection report: no police force named in the title or text")
        raise ReportError(source, "not an inspection report: no force name or graded questions found")

    year = None
    if period:
        period = _norm_period(period)
        year = int(period[:4])
    elif published:
        year = int(published[:4])
    if year is None:
        raise ReportError(source, "not an inspection report: no inspection year found in the title or date")
    if period is None:
        period = str(year)

    if pillar:
        inspection = f"PEEL police {pillar} {period}" if is_peel else f"Police {pillar} {period}"
    else:
        inspection = f"PEEL {period}" if is_peel else f"Inspection {period}"
    key = f"{slugify(force)}-{year}-{slugify(pillar or ('peel' if is_peel else 'inspection'))}"

    report = Report(
        key=key,
        source=source,
        sha256=sha256,
        format=fmt,
        text=text,
        force=force,
        inspection=inspection,
        year=year,
        published=published,
        overall_grade=overall,
        questions=questions,
    )
    _read_body(report, items, h, q_items, figure_zones)

    if not report.questions and report.overall_grade is None and not report.areas_for_improvement \
            and not report.recommendations and not report.causes_of_concern:
        raise ReportError(
            source, "not an inspection report: no graded questions, overall judgment or areas for improvement found"
        )
    return report


def _header_end(items: list[_Item]) -> int:
    """Index of the first item after the title block."""
    h = len(items)
    for i, it in enumerate(items):
        if it.kind in ("bullet", "table", "footnote", "number"):
            h = i
            break
        if it.kind == "text" and (_ZONE_HEAD.match(it.text) or _prose(it.text) or _QUESTION_PREFIX.match(it.text)):
            h = i
            if _prose(it.text) and i > 0:
                p = items[i - 1]
                if p.kind == "text" and (p.md >= 2 or (_heading_like(p.text) and not _INSPECTION_OF.search(p.text)
                                                       and not _TITLE_PERIOD.search(p.text) and not _PILLAR_LINE.match(p.text)
                                                       and not _DATE_LABEL.match(p.text) and not _ONLY_DATE.match(p.text))):
                    h = i - 1
            break
        if it.kind == "grade" and not it.overall and i > 0:
            # a grade after a title-like line that is not a date: a question heading, body starts there
            p = items[i - 1]
            if p.kind == "text" and (p.md >= 2 or _heading_like(p.text)) and not (
                _DATE_LABEL.match(p.text) or _ONLY_DATE.match(p.text) or _INSPECTION_OF.search(p.text)
                or _TITLE_PERIOD.search(p.text) or _PILLAR_LINE.match(p.text)
            ):
                h = i - 1
                break
    return h


def _mark_contents(items: list[_Item], h: int) -> None:
    i = h
    while i < len(items):
        it = items[i]
        if it.kind == "text" and len(it.text) < 20 and it.text.lower() in ("contents", "table of contents"):
            j = i + 1
            while j < len(items) and (
                items[j].kind in ("table", "text") and _CONTENTS_ROW.match(items[j].text)
            ):
                items[j].zone = "contents"
                j += 1
            it.zone = "contents"
            i = j
            continue
        i += 1


def _mark_figures(items: list[_Item], h: int) -> list[tuple[int, int]]:
    """Mark 'Force in numbers' graphics; returns their (first, last) item indexes."""
    zones = []
    i = h
    while i < len(items):
        it = items[i]
        if it.zone == "body" and it.kind == "text" and _IN_NUMBERS.match(it.text):
            j = i + 1
            while j < len(items):
                t = items[j]
                if t.kind in ("text", "bullet") and _prose(t.text) and not t.text.startswith("*"):
                    break
                if t.kind == "footnote":
                    break
                j += 1
            end = j
            if j < len(items) and j - 1 > i and items[j - 1].kind == "text" and _heading_like(items[j - 1].text) \
                    and not items[j - 1].text.startswith("*"):
                end = j - 1
            for k in range(i + 1, end):
                items[k].zone = "figures"
            if end > i + 1:
                zones.append((i + 1, end - 1))
            i = max(end, i + 1)
            continue
        i += 1
    return zones


def _judgments_table(items: list[_Item], h: int, limit: int) -> tuple[list[tuple[str, str, Optional[int], _Item]], Optional[str]]:
    rows = []
    overall = None
    for k in range(h, limit):
        it = items[k]
        if it.kind != "table" or it.zone != "body":
            continue
        if it.row is not None:
            if not _in_row_run(items, k):
                continue  # a lone "Title: Grade" line heads a question; see _find_questions
            cells = [it.row[0], it.row[1]]
        else:
            cells = [c.strip() for c in it.text.split("\t") if c.strip()]
        if len(cells) < 2:
            continue
        grade = None
        year = None
        for c in cells[1:]:
            g = canonical_grade(c)
            if g and grade is None:
                grade = g
            elif _YEAR_CELL.fullmatch(c):
                year = int(c[:4])
        if grade is None:
            continue
        if cells[0].lower().startswith("overall"):
            overall = grade
            continue
        rows.append((cells[0], grade, year, it))
    return rows, overall


def _in_row_run(items: list[_Item], k: int) -> bool:
    """Whether the "Title: Grade" line at ``k`` has another one next to it (a judgments list)."""
    return any(0 <= j < len(items) and items[j].row is not None for j in (k - 1, k + 1))


def _grouped_judgments(items: list[_Item], h: int) -> list[tuple[str, str, Optional[int], _Item]]:
    """An "Our judgments" list grouped by grade (2021+ PEEL reports):

        Our judgments / Good / Preventing crime / Treatment of the public / Adequate / Investigating crime ...

    Marks the list's items (zone "judgments") and returns (title, grade, None, item) rows.
    """
    for i in range(h, len(items)):
        it = items[i]
        if not (it.kind == "text" and it.heading and _OUR_JUDGMENTS.match(it.text)):
            continue
        if i + 1 >= len(items) or items[i + 1].kind != "grade" or items[i + 1].overall:
            return []
        rows = []
        grade = None
        j = i + 1
        while j < len(items):
            t = items[j]
            if t.kind == "grade" and not t.overall:
                grade = t.grade
            elif t.kind == "text" and _NO_AREAS.match(t.text):
                pass
            elif grade is not None and t.kind in ("text", "bullet") and t.lines == 1 and _heading_like(t.text):
                nxt = items[j + 1] if j + 1 < len(items) else None
                if nxt is not None and nxt.kind == "text" and _prose(nxt.text) and not _NO_AREAS.match(nxt.text):
                    break  # a section heading with its text: the list has ended
                rows.append((t.text, grade, None, t))
            else:
                break
            j += 1
        for k in range(i + 1, j):
            items[k].zone = "judgments"
            items[k].heading = False
        return rows
    return []


def _merge_grouped(chapters: list[Question], rows, items: list[_Item]) -> list[Question]:
    """Questions from chapters (in text order) and a grade-grouped judgments list."""
    left = list(rows)
    any_match = False
    for ch in chapters:
        nt = normalise(ch.title)
        for r in left:
            nr = normalise(r[0])
            if nt == nr or nt.startswith(nr) or nr.startswith(nt):
                ch.title, ch.grade = r[0], ch.grade or r[1]
                left.remove(r)
                any_match = True
                break
    questions = list(chapters)
    if any_match or not chapters:
        questions += [Question(number=0, title=r[0], grade=r[1], start=r[3].start, end=r[3].end) for r in left]
    for k, q in enumerate(questions, 1):
        q.number = k
    return questions


def _find_questions(items: list[_Item], h: int, text: str):
    """Questions from headings, grade lines and any judgments table."""
    grouped = _grouped_judgments(items, h)
    found: list[tuple[int, int, Optional[int], str, Optional[str], _Item]] = []  # (first idx, title idx, number, title, grade, title item)
    used: set[int] = set()
    n = len(items)
    for i in range(h, n):
        it = items[i]
        if it.zone != "body" or i in used:
            continue
        if it.kind == "text":
            qm = _QUESTION_PREFIX.match(it.text)
            if qm and (it.heading or it.text.endswith("?") or qm.group(2).endswith("?")) and qm.group(2):
                grade = items[i + 1].grade if i + 1 < n and items[i + 1].kind == "grade" else None
                found.append((i, i, int(qm.group(1)), qm.group(2).strip(), grade, it))
                used.add(i)
                continue
        if it.kind == "number" and i + 1 < n and items[i + 1].kind == "text":
            t = items[i + 1]
            nxt = items[i + 2] if i + 2 < n else None
            if t.text.endswith("?") or (nxt is not None and nxt.kind == "grade" and not nxt.overall):
                grade = nxt.grade if nxt is not None and nxt.kind == "grade" and not nxt.overall else None
                found.append((i, i + 1, it.number, _one_line(t.text), grade, t))
                used.update((i, i + 1))
                continue
        if it.kind == "table" and it.row is not None and not it.row[0].lower().startswith("overall") \
                and not _in_row_run(items, i):
            found.append((i, i, None, it.row[0], canonical_grade(it.row[1]), it))
            used.add(i)
            continue
        if it.kind == "grade" and not it.overall and i > h:
            p = items[i - 1]
            if i - 1 in used or p.zone != "body":
                continue
            if p.kind == "bullet" and p.number is not None and (p.text.endswith("?") or _heading_like(p.text)):
                found.append((i - 1, i - 1, p.number, p.text, it.grade, p))
                used.add(i - 1)
                continue
            if p.kind == "text" and p.lines == 1 and (p.heading or p.text.endswith("?")) and not _ONLY_DATE.match(p.text) \
                    and not _DATE_LABEL.match(p.text):
                qm = _QUESTION_PREFIX.match(p.text)
                first = i - 1
                num = None
                title = p.text
                if qm and qm.group(2):
                    num, title = int(qm.group(1)), qm.group(2).strip()
                elif i - 2 >= h and items[i - 2].kind == "number":
                    first, num = i - 2, items[i - 2].number
                found.append((first, i - 1, num, title, it.grade, p))
                used.add(i - 1)
    found.sort(key=lambda f: f[0])

    limit = found[0][0] if found else n
    table, table_overall = _judgments_table(items, h, limit)

    chapters: list[Question] = []
    q_items: list[tuple[int, int]] = []  # (first item index, title item index) per chapter
    for k, (first, ti, num, title, grade, titem) in enumerate(found):
        chapters.append(Question(number=num if num is not None else 0, title=title, grade=grade,
                                 start=items[first].line_start))
        q_items.append((first, ti))

    # Spans: to the next question, or to an annex / notes heading after the last one.
    end_all = len(text)
    if found:
        for it in items[found[-1][0] + 1:]:
            if it.heading and _END_HEAD.match(it.text):
                end_all = it.line_start
                break
    for k, q in enumerate(chapters):
        q.end = chapters[k + 1].start if k + 1 < len(chapters) else end_all
        # "... our judgment from the 2017 inspection has been carried over": look only
        # around the key words, not through the whole question.
        for kw in ("carried", "remain"):
            pos = text.find(kw, q.start, q.end)
            m = None
            while pos >= 0 and m is None:
                m = _LAST_INSPECTED.search(text, max(q.start, pos - 200), min(q.end, pos + 60))
                pos = text.find(kw, pos + 1, q.end)
            if m:
                q.last_inspected = int(m.group(1) or m.group(2))
                break

    if grouped:
        return _merge_grouped(chapters, grouped, items), q_items, table_overall
    if not table:
        nums = [q.number for q in chapters]
        if 0 in nums or len(set(nums)) != len(nums):
            # numbers missing or repeated: use report order
            for k, q in enumerate(chapters, 1):
                q.number = k
        return chapters, q_items, table_overall

    # A judgments table names the questions (and when each was last inspected);
    # chapters give their place in the text. Number them in the table's order.
    questions: list[Question] = []
    matched: set[int] = set()
    for r_idx, (rtitle, rgrade, ryear, rit) in enumerate(table):
        nr = normalise(rtitle)
        c = None
        for k, ch in enumerate(chapters):
            if k in matched:
                continue
            nt = normalise(ch.title)
            if nt == nr or nt.startswith(nr) or nr.startswith(nt):
                c = k
                break
        if c is None and len(table) == len(chapters) and r_idx not in matched:
            c = r_idx
        if c is not None:
            matched.add(c)
            ch = chapters[c]
            ch.title = rtitle
            ch.grade = ch.grade or rgrade
            ch.last_inspected = ryear or ch.last_inspected
            questions.append(ch)
        else:
            questions.append(Question(number=0, title=rtitle, grade=rgrade, last_inspected=ryear,
                                      start=rit.start, end=rit.end))
    questions.extend(ch for k, ch in enumerate(chapters) if k not in matched)
    for k, q in enumerate(questions, 1):
        q.number = k
    return questions, q_items, table_overall


_HAS_SUP = re.compile(_SUP)
# The same citations as _REF, found fast (no look-behind); the character before a
# superscript is checked in Python.
_REF_FAST = re.compile("(" + _SUP + r"+)|\^\{(\d+(?:\s*,\s*\d+)*)\}|\[(\d{1,3})\]")
_REF_BEFORE = frozenset(")].,;:'\u2019\u201d*%")


def _refs_in(s: str) -> list[int]:
    """Footnote numbers cited in a paragraph, in order."""
    out: list[int] = []
    if "[" not in s and "^{" not in s and not _HAS_SUP.search(s):
        return out
    for m in _REF_FAST.finditer(s):
        if m.group(1):
            k = m.start()
            if k == 0 or not (s[k - 1].isalnum() or s[k - 1] in _REF_BEFORE or s[k - 1] == "_"):
                continue
            out.append(int(m.group(1).translate(_SUP_TO_DIGIT)))
        elif m.group(2):
            out.extend(int(x) for x in m.group(2).split(","))
        else:
            out.append(int(m.group(3)))
    return out


def _read_body(report: Report, items: list[_Item], h: int, q_items: list[tuple[int, int]],
               figure_zones: list[tuple[int, int]]) -> None:
    text = report.text
    spans = sorted((q.start, q.end, q.number) for q in report.questions)
    q_starts = [sp[0] for sp in spans]
    q_title_items = {ti for _, ti in q_items}
    q_first_items = {first for first, _ in q_items}

    def question_at(off: int) -> Optional[int]:
        k = bisect.bisect_right(q_starts, off) - 1
        if k >= 0 and off < spans[k][1]:
            return spans[k][2]
        return None

    # Figures are read from the questions' text (and the overview), not from an annex.
    annex_start = max((sp[1] for sp in spans), default=len(text))
    first_q = min((items[f].line_start for f, _ in q_items), default=len(text))

    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    footnotes: dict[int, list[Footnote]] = {}  # number -> footnotes (numbering may restart)
    raw_refs: list[list[int]] = []
    afis: list[AreaForImprovement] = []
    causes: list[CauseOfConcern] = []
    recs: list[Recommendation] = []
    afi_index_by_q: dict[Optional[int], int] = {}
    statement_paras: set[int] = set()  # paragraphs read as causes / recommendations by their heading

    cur_section: Optional[Section] = None
    block: Optional[str] = None  # afi | cause | rec
    last_cause: Optional[int] = None
    last_footnote: Optional[Footnote] = None

    def add_paragraph(it: _Item, kind: str) -> Paragraph:
        p = Paragraph(
            index=len(paragraphs), text=text[it.start:it.end], start=it.start, end=it.end,
            section=cur_section.index if cur_section else None, question=question_at(it.start), kind=kind,
        )
        paragraphs.append(p)
        raw_refs.append(_refs_in(p.text))
        return p

    for i in range(h, len(items)):
        it = items[i]
        if it.zone == "contents":
            continue
        if it.zone == "judgments":
            if it.kind in ("text", "bullet"):
                add_paragraph(it, "table")  # an area named in the grade-grouped judgments list
            continue
        if it.zone == "figures":
            if it.kind == "text" and it.text.startswith("*") and _prose(it.text):
                add_paragraph(it, "table")
            continue
        if it.kind == "footnote":
            fn = Footnote(number=it.number, text=it.text, start=it.start, end=it.end)
            footnotes.setdefault(it.number, []).append(fn)
            last_footnote = fn
            continue
        if last_footnote is not None and it.kind == "text" and not it.heading and (
            _URL.match(it.text) or _SOURCE_LEAD.search(it.text)
        ) and i > 0 and items[i - 1].kind in ("footnote", "text") and (
            items[i - 1].kind == "footnote" or items[i - 1].end <= last_footnote.end or
            (i + 1 < len(items) and _URL.match(items[i + 1].text) and items[i - 1].end == last_footnote.end)
        ):
            # a footnote's reference line or URL, set apart by a blank line
            last_footnote.end = it.end
            last_footnote.text = text[last_footnote.start:it.end]
            continue
        last_footnote = None
        if it.kind == "grade" or it.kind == "number" or i in q_first_items and i not in q_title_items:
            continue
        if it.heading or i in q_title_items:
            title = it.row[0] if it.row is not None else _one_line(it.text)
            qm = _QUESTION_PREFIX.match(title)
            if qm and qm.group(2):
                title = qm.group(2).strip()
            q = question_at(it.start)
            if it.md:
                level = 1 if it.md <= 2 else 2
            else:
                level = 1 if (q is None or i in q_title_items) else 2
            if cur_section is not None:
                cur_section.end = it.line_start
            cur_section = Section(index=len(sections), title=title, question=q, level=level, start=it.start, end=len(text))
            sections.append(cur_section)
            if _AFI_HEAD.match(title):
                block = "afi"
            elif _CAUSE_HEAD.match(title):
                block = "cause"
            elif _REC_HEAD.match(title):
                block = "rec"
            else:
                block = None
                last_cause = None if q is None else last_cause
            continue
        if it.kind == "table":
            add_paragraph(it, "table")
            continue
        if it.kind == "text" and _CAPTION.match(it.text):
            add_paragraph(it, "table")
            continue
        q = question_at(it.start)
        in_summary = (cur_section is not None and _SUMMARY_HEAD.match(cur_section.title) is not None) or (
            cur_section is None and it.start < first_q
        )
        kind = "bullet" if it.kind == "bullet" else ("summary" if in_summary else "body")
        if block == "afi":
            if it.kind == "bullet" or (_SHOULD.search(it.text) and not it.text.rstrip().endswith(":")):
                p = add_paragraph(it, "afi")
                k = afi_index_by_q.get(q, 0) + 1
                afi_index_by_q[q] = k
                afis.append(AreaForImprovement(question=q, index=k, text=p.text, start=p.start, end=p.end))
                continue
            if it.kind == "text" and it.text.rstrip().endswith(":") and len(it.text) < 200:
                add_paragraph(it, kind)  # a lead-in ("The force should:") before the bullets
                continue
            block = None
        elif block == "cause":
            p = add_paragraph(it, kind)
            statement_paras.add(p.index)
            causes.append(CauseOfConcern(index=len(causes) + 1, text=p.text, start=p.start, end=p.end, question=q))
            last_cause = len(causes)
            block = "cause-done"
            continue
        elif block == "rec":
            p = add_paragraph(it, kind)
            statement_paras.add(p.index)
            if not p.text.rstrip().endswith(":"):
                recs.append(Recommendation(index=len(recs) + 1, text=p.text, start=p.start, end=p.end, question=q,
                                           cause=last_cause))
            continue
        add_paragraph(it, kind)

    # Footnote citations: keep only numbers that are footnotes of this report.
    fn_starts = {n: [f.start for f in fs] for n, fs in footnotes.items()}
    for p, refs in zip(paragraphs, raw_refs):
        seen = []
        for r in refs:
            if r in footnotes and r not in seen:
                seen.append(r)
        p.footnote_refs = seen
        for r in seen:
            _footnote_for(footnotes[r], fn_starts[r], p.start).cited_in.append(p.index)

    # Duplicated AFIs (listed in a summary and again under the question): keep the first under a question.
    afis = _dedupe_afis(afis)

    # Sentence-level reading: causes of concern, recommendations, statistics.
    statistics: list[Statistic] = []
    for a, b in figure_zones:
        lines = [(items[k].text, items[k].start, items[k].end) for k in range(a, b + 1)
                 if items[k].kind in ("text", "number", "grade", "table", "bullet") and items[k].zone == "figures"]
        statistics.extend(stats.figures_block(lines, report.force))
    pending_status: Optional[CauseOfConcern] = None
    status_budget = 0
    for p in paragraphs:
        if p.kind == "table":
            continue
        low = p.text.lower()
        statements = p.index not in statement_paras and ("concern" in low or "recommend" in low)
        figures = p.start < annex_start and p.kind in ("body", "bullet", "summary")
        if not (statements or figures or pending_status is not None):
            continue
        sents = report_sentence_spans(text, p.start, p.end)  # findings asks again: remembered
        for a, b in sents if (statements or pending_status is not None) else ():
            s = text[a:b]
            if pending_status is not None and status_budget > 0:
                sm = _COC_STATUS.search(s)
                if sm:
                    pending_status.status = _STATUS_TAIL.sub("", sm.group(1).strip())
                    pending_status = None
            if p.index in statement_paras:
                continue
            if not statements:
                continue
            if p.kind != "afi" and _COC_STATEMENT.search(s) and not _COC_NOT.search(s) and \
                    not any(c.start <= a < c.end for c in causes):
                c = CauseOfConcern(index=len(causes) + 1, text=s, start=a, end=b, question=p.question)
                causes.append(c)
                pending_status, status_budget = c, 8
                continue
            if p.kind not in ("afi",) and _REC_SENTENCE.search(s) and not any(r.start <= a < r.end for r in recs):
                recs.append(Recommendation(index=len(recs) + 1, text=s, start=a, end=b, question=p.question))
        if pending_status is not None:
            status_budget -= 1
        if figures:
            sec = sections[p.section].title if p.section is not None else None
            for st, _ in stats.text_figures(text, sents):
                st.section = sec
                st.question = p.question
                statistics.append(st)
    for k, st in enumerate(statistics, 1):
        st.index = k
    # Number causes and recommendations in text order (heading-led ones were found first).
    old_index = {id(c): c.index for c in causes}
    causes.sort(key=lambda c: c.start)
    renumber = {}
    for k, c in enumerate(causes, 1):
        renumber[old_index[id(c)]] = k
        c.index = k
    recs.sort(key=lambda r: r.start)
    for k, r in enumerate(recs, 1):
        r.index = k
        if r.cause is not None:
            r.cause = renumber.get(r.cause)

    report.sections = sections
    report.paragraphs = paragraphs
    report.footnotes = [f for k in sorted(footnotes) for f in footnotes[k]]
    report.areas_for_improvement = afis
    report.causes_of_concern = causes
    report.recommendations = recs
    report.statistics = statistics


def _footnote_for(candidates: list[Footnote], starts: list[int], at: int) -> Footnote:
    """The footnote a citation at ``at`` means when a number is used more than once:
    the first one after it (PDF page foot, end notes), else the last one before."""
    if len(candidates) == 1:
        return candidates[0]
    k = bisect.bisect_left(starts, at)  # candidates are in text order
    return candidates[k] if k < len(candidates) else candidates[-1]


def _fold(s: str) -> str:
    """Cheap comparison key: lower case, straight quotes, single spaces."""
    return " ".join(s.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def _dedupe_afis(afis: list[AreaForImprovement]) -> list[AreaForImprovement]:
    by_text: dict[str, AreaForImprovement] = {}
    for a in afis:
        k = _fold(a.text)
        old = by_text.get(k)
        if old is None or (old.question is None and a.question is not None):
            by_text[k] = a
    kept = [a for a in afis if by_text[_fold(a.text)] is a]
    if len(kept) == len(afis):
        return afis
    counters: dict[Optional[int], int] = {}
    for a in kept:
        counters[a.question] = counters.get(a.question, 0) + 1
        a.index = counters[a.question]
    return kept
