"""The document model between reading and RDF: plain dataclasses.

Every offset (``start``/``end``) is a character offset into ``Report.text``,
the normalised text the reader produced (for PDF and HTML, the extracted text),
so provenance can always be cut back out of the report: ``report.text[start:end]``.

The pipeline is:

    sources.py   file -> (format, text)
    reports.py   text -> Report            (structure: questions, grades, AFIs ...)
    entities.py  Report -> entities + mentions
    findings.py  Report + entities -> findings
    linking.py   [ReportGraph] -> links across reports, follow-ups, grade changes
    rdf.py       model -> triples          (the only place the RDF mapping lives)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# Grade labels as they are written in reports; the canonical spelling.
GRADES = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate", "Ungraded")
# Higher is better; "Adequate" is the 2021+ PEEL scale's middle grade. Ungraded has no rank.
GRADE_RANK = {"Inadequate": 1, "Requires improvement": 2, "Adequate": 3, "Good": 4, "Outstanding": 5}

# Entity kinds; each maps to one ontology class in rdf.py.
ENTITY_KINDS = ("unit", "partner", "power", "system", "programme", "place", "role", "meeting")

POLARITIES = ("strength", "weakness", "neutral")

FOLLOWUP_STATUSES = ("addressed", "improved", "not addressed", "not reassessed")


@dataclass
class Span:
    """Anything cut out of the report text."""

    start: int
    end: int


@dataclass
class Question:
    number: int  # 1-based, in report order
    title: str
    grade: Optional[str] = None  # one of GRADES, or None when the report gives none
    last_inspected: Optional[int] = None  # year the judgement was last inspected, if stated
    start: int = 0  # span of the whole question's part of the report
    end: int = 0


@dataclass
class Section:
    index: int  # 0-based, in report order
    title: str
    question: Optional[int] = None  # question number the section sits under
    level: int = 1  # 1 = top heading, 2 = sub-heading
    start: int = 0
    end: int = 0


@dataclass
class Paragraph:
    index: int  # 0-based, in report order
    text: str
    start: int
    end: int
    section: Optional[int] = None  # Section.index
    question: Optional[int] = None  # Question.number
    kind: str = "body"  # body | bullet | summary | afi | table
    footnote_refs: list[int] = field(default_factory=list)  # footnote numbers cited here


@dataclass
class Footnote:
    number: int
    text: str
    start: int
    end: int
    cited_in: list[int] = field(default_factory=list)  # Paragraph.index values


@dataclass
class AreaForImprovement:
    question: Optional[int]  # question number (None if the report does not tie it to one)
    index: int  # 1-based within its question
    text: str  # verbatim
    start: int
    end: int


@dataclass
class CauseOfConcern:
    index: int  # 1-based within the report
    text: str
    start: int
    end: int
    question: Optional[int] = None
    status: Optional[str] = None  # e.g. "no longer a cause of concern", when the report says


@dataclass
class Recommendation:
    index: int  # 1-based within the report
    text: str
    start: int
    end: int
    question: Optional[int] = None
    cause: Optional[int] = None  # CauseOfConcern.index it belongs to, if any


@dataclass
class Statistic:
    index: int  # 1-based within the report
    label: str
    value: str  # as written: "199", "-5%", "2,314", "four"
    number: Optional[float]  # parsed value, if numeric ("four" -> 4.0)
    unit: Optional[str]  # "per 1,000 population", "percent", "count", "minutes" ...
    period: Optional[str]  # "12 months to 30 June 2017"
    comparator: Optional[str] = None  # England and Wales figure as written
    comparator_number: Optional[float] = None
    comparator_area: Optional[str] = None  # "England and Wales"
    section: Optional[str] = None  # "Force in numbers", or a section title
    question: Optional[int] = None
    start: int = 0
    end: int = 0
    entity: Optional[str] = None  # Entity.key this figure is about (e.g. a power), if known


@dataclass
class Report:
    """One inspection report, as recovered from its text."""

    key: str  # natural key: "<force-slug>-<year>-<inspection-slug>", e.g. "bedfordshire-police-2017-effectiveness"
    source: str  # file name as given (not a full path: builds must not depend on where files live)
    sha256: str  # of the source bytes
    format: str  # txt | html | pdf
    text: str
    force: str  # "Bedfordshire Police"
    inspection: str  # "PEEL police effectiveness 2017"
    year: int  # first year of the inspection (2018/19 -> 2018)
    published: Optional[str] = None  # ISO date or year-month: "2018-03", "2020-01-21"
    overall_grade: Optional[str] = None
    questions: list[Question] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    areas_for_improvement: list[AreaForImprovement] = field(default_factory=list)
    causes_of_concern: list[CauseOfConcern] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)

    @property
    def force_key(self) -> str:
        from peelkg.kg_build.slugs import slugify

        return slugify(self.force)


@dataclass
class Mention:
    start: int
    end: int
    surface: str  # the text as written
    paragraph: Optional[int] = None  # Paragraph.index
    how: str = "pattern"  # lexicon | acronym | pattern | footnote | alias


@dataclass
class Entity:
    """A unit, partner, power, system ... as named in one report (aliases merged)."""

    key: str  # "<kind>/<slug>", unique within a report, e.g. "unit/emerald-team"
    kind: str  # one of ENTITY_KINDS
    name: str  # preferred name
    acronym: Optional[str] = None
    aliases: list[str] = field(default_factory=list)  # sorted, without name/acronym
    definition: Optional[str] = None  # from a footnote or an acronym definition
    subkind: Optional[str] = None  # "order", "notice", "IT system", "multi-agency body" ...
    lexicon: Optional[str] = None  # id of the lexicon concept that seeded it, if any
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Finding:
    """A sentence-level statement that mentions an entity or supports a judgement."""

    index: int  # 1-based within the report, in text order
    text: str
    start: int
    end: int
    paragraph: int  # Paragraph.index
    section: Optional[int] = None
    question: Optional[int] = None
    polarity: str = "neutral"  # one of POLARITIES
    cues: list[str] = field(default_factory=list)  # the words that set the polarity ("backlog")
    entities: list[str] = field(default_factory=list)  # Entity.key values, sorted
    afi: Optional[int] = None  # index into report.areas_for_improvement when the finding is an AFI sentence


@dataclass
class ReportGraph:
    """Everything extracted from one report: what rdf.py maps."""

    report: Report
    entities: list[Entity] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# ---- across reports (linking.py) -------------------------------------------


@dataclass
class EntityLink:
    """Per-report entities of one force that are the same real thing."""

    force: str
    kind: str
    key: str  # canonical slug key "<kind>/<slug>"
    name: str
    members: list[tuple[str, str]]  # (report key, entity key), sorted
    reasons: list[str]  # "same acronym VSOM", "same normalised name", "definition match"


@dataclass
class FollowUp:
    """What a later report says about an earlier area for improvement."""

    force: str
    earlier_report: str
    later_report: str
    question: Optional[int]
    index: int
    text: str
    status: str  # one of FOLLOWUP_STATUSES
    evidence: Optional[str] = None
    evidence_start: Optional[int] = None  # offsets into the later report's text
    evidence_end: Optional[int] = None
    carried_forward_as: Optional[tuple[Optional[int], int]] = None  # (question, index) in the later report
    carried_forward_text: Optional[str] = None


@dataclass
class GradeChange:
    force: str
    earlier_report: str
    later_report: str
    question: Optional[int]  # None = overall; the LATER report's question number
    before: Optional[str]
    after: Optional[str]
    earlier_question: Optional[int] = None  # the EARLIER report's number, when it differs from question

    @property
    def direction(self) -> str:
        if self.before not in GRADE_RANK or self.after not in GRADE_RANK:
            return "unchanged" if self.before == self.after else "changed"
        d = GRADE_RANK[self.after] - GRADE_RANK[self.before]
        return "improved" if d > 0 else "declined" if d < 0 else "unchanged"


@dataclass
class CorpusGraph:
    """All reports of a build, plus what links them."""

    reports: list[ReportGraph] = field(default_factory=list)
    links: list[EntityLink] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    grade_changes: list[GradeChange] = field(default_factory=list)
