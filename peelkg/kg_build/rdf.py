"""Model -> triples: the only place the RDF mapping lives (docs/rdf-shape.md).

``report_triples`` gives one report's named graph: every subject is the
report's IRI or an IRI under it, so a report's triples can be cached and
re-serialised on their own. ``corpus_triples`` gives the links graph: the
shared nodes (forces, the grade scale and other concept schemes, canonical
entities) and what ties reports together (follow-ups, grade changes,
peel:follows).

Triples are built as plain tuples (no rdflib Graph in the hot path) with the
predicates made once at import; no blank nodes, ever.
"""

from __future__ import annotations

import bisect
import math
import re
from decimal import Decimal
from typing import Optional, Union

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from peelkg.kg_build.model import (
    CorpusGraph,
    Entity,
    FollowUp,
    GradeChange,
    Report,
    ReportGraph,
)
from peelkg.kg_build.slugs import slugify
from peelkg.namespaces import (
    GRADE,
    LEX,
    OA,
    ORG,
    PEEL,
    QB,
    canonical_entity_iri,
    child_iri,
    force_iri,
    grade_iri,
    report_iri,
)

Triple = tuple[URIRef, URIRef, Node]

# Predicates and classes, made once. PEEL["..."] rather than PEEL.x: Namespace
# is a str, so PEEL.index / PEEL.title would be str methods.
A = RDF.type
_P = {
    n: PEEL[n]
    for n in (
        "force inspection year sourceFormat sha256 overallJudgement hasQuestion follows "
        "questionNumber lastInspected judgement ofQuestion grade isOverall inReport inQuestion "
        "inSection inParagraph index level text kind citesFootnote footnoteNumber evidence mentions "
        "polarity cue supports areaForImprovement concernStatus forCause mentionCount mentionedIn "
        "lexiconConcept canonical mergeReason valueText value unit period comparatorText "
        "comparatorValue comparatorArea sectionTitle about followsUp status evidenceText "
        "carriedForwardAs fromJudgement toJudgement fromGrade toGrade direction question "
        "earlierReport laterReport weaknessFindings weaknessCues coMentionedUnits nameKey aliasList "
        "statisticInStatement statisticInParagraph pairOf firstOfPair secondOfPair findingCount hasAreaForImprovement "
        "openStatus latestFollowUp"
    ).split()
}
_C = {
    n: PEEL[n]
    for n in (
        "PoliceForce InspectionReport InspectionQuestion Judgement Section Paragraph Footnote "
        "Statement AreaForImprovement CauseOfConcern Recommendation Finding Statistic Entity CanonicalEntity "
        "FollowUp GradeChange CoMention"
    ).split()
}
RDFS_LABEL, PREF, ALT, NOTATION, DEFINITION = RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.notation, SKOS.definition
TITLE, ISSUED, SOURCE = DCTERMS.title, DCTERMS.issued, DCTERMS.source
UNIT_OF = ORG.unitOf
# Namespace attribute access makes a new URIRef each time: make these once.
OA_SPECIFIC, OA_SOURCE, OA_SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
OA_QUOTE, OA_EXACT, OA_PREFIX, OA_SUFFIX = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
OA_POSITION, OA_START, OA_END = OA.TextPositionSelector, OA.start, OA.end
QB_DATASET, QB_OBSERVATION, QB_IN_DATASET = QB.DataSet, QB.Observation, QB.dataSet

# Entity kind -> its classes (peel:Entity added to every one).
KIND_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "unit": (PEEL["Unit"], ORG.OrganizationalUnit),
    "partner": (PEEL["Partner"], ORG.Organization),
    "power": (PEEL["Power"],),
    "system": (PEEL["System"],),
    "programme": (PEEL["Programme"],),
    "place": (PEEL["Place"], DCTERMS.Location),
    "role": (PEEL["Role"], ORG.Role),
    "meeting": (PEEL["Meeting"],),
}
POLARITY = {"strength": PEEL["Strength"], "weakness": PEEL["Weakness"], "neutral": PEEL["Neutral"]}
FOLLOWUP_STATUS = {
    "addressed": PEEL["Addressed"],
    "improved": PEEL["Improved"],
    "not addressed": PEEL["NotAddressed"],
    "not reassessed": PEEL["NotReassessed"],
}
UNGRADED = GRADE["ungraded"]

EVIDENCE_CONTEXT = 32  # characters of oa:prefix / oa:suffix

_TRUE = Literal(True)
_INTS: dict[int, Literal] = {}
_INT_CACHE = 4096
_GRADES: dict[str, URIRef] = {}
_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9._-]*)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


# ---- literals ---------------------------------------------------------------


def _fast_text(text: str) -> Literal:
    # Literal(str) spends most of its time on datatype checks a plain string never
    # needs; build the same object directly (checked against Literal at import).
    if type(text) is not str:
        return Literal(text)
    lit = str.__new__(Literal, text)
    lit._language = None
    lit._datatype = None
    lit._value = text
    lit._ill_typed = None
    return lit


def _fast_text_ok() -> bool:
    try:
        for probe in ("x", 'a "b"\n<c>', ""):
            fast, slow = _fast_text(probe), Literal(probe)
            if fast != slow or hash(fast) != hash(slow) or fast.n3() != slow.n3():
                return False
            if any(getattr(fast, a) != getattr(slow, a) for a in Literal.__slots__):
                return False
        return True
    except Exception:  # rdflib changed its internals: use the public constructor
        return False


_text = _fast_text if _fast_text_ok() else Literal


def _int(n: int) -> Literal:
    lit = _INTS.get(n)
    if lit is None:
        lit = Literal(int(n))
        if 0 <= n < _INT_CACHE:  # indexes, numbers, years; not every text offset
            _INTS[n] = lit
    return lit


def _decimal(x: Union[float, int, None]) -> Optional[Literal]:
    """A float as xsd:decimal via its shortest repr: round-trip safe and deterministic."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, float) and not math.isfinite(x):
        return None  # xsd:decimal has no NaN or infinity
    return Literal(Decimal(repr(float(x))))  # 4 -> "4.0": one lexical form for whole numbers


def _issued(published: str) -> Literal:
    """'2020-01-21' -> xsd:date, '2018-03' -> xsd:gYearMonth, '2018' -> xsd:gYear, else plain."""
    p = published.strip()
    if _DATE.match(p):
        return Literal(p, datatype=XSD.date)
    if _YEAR_MONTH.match(p):
        return Literal(p, datatype=XSD.gYearMonth)
    if _YEAR.match(p):
        return Literal(p, datatype=XSD.gYear)
    return Literal(p)


def _grade(label: Optional[str]) -> URIRef:
    """Grade concept for a model grade label; no grade given -> grade:ungraded."""
    if not label:
        return UNGRADED
    iri = _GRADES.get(label)
    if iri is None:
        iri = _GRADES[label] = grade_iri(label)
    return iri


# ---- IRIs under a report ----------------------------------------------------


def question_iri(report: URIRef, number: int) -> URIRef:
    """{R}/question/N."""
    return child_iri(report, "question", number)


def judgement_iri(report: URIRef, question: Optional[int] = None) -> URIRef:
    """{R}/question/N/judgement, or {R}/judgement for the overall judgement."""
    return child_iri(report, "judgement") if question is None else child_iri(report, "question", question, "judgement")


def afi_iri(report: URIRef, question: Optional[int], index: int) -> URIRef:
    """{R}/question/N/afi/I; {R}/afi/I when the AFI is tied to no question."""
    if question is None:
        return child_iri(report, "afi", index)
    return child_iri(report, "question", question, "afi", index)


def entity_key_path(key: str) -> str:
    """An entity key as an IRI path; keys are slugs already, anything else is slugified per part."""
    if _SAFE_KEY.match(key):
        return key
    return "/".join(slugify(part) for part in key.split("/"))


def entity_iri(report: URIRef, key: str) -> URIRef:
    """{R}/<kind>/<slug>."""
    return child_iri(report, entity_key_path(key))


def canonical_iri(force: str, key: str) -> URIRef:
    """id:force/<force-key>/<kind>/<slug>; force may be a name or a key."""
    return canonical_entity_iri(slugify(force), entity_key_path(key))


# ---- report graph -------------------------------------------------------------


def _span_ok(text: str, start: Optional[int], end: Optional[int]) -> bool:
    return start is not None and end is not None and 0 <= start < end <= len(text)


def _evidence(out: list, subject: URIRef, report: URIRef, text: str, start: Optional[int], end: Optional[int]) -> None:
    """peel:evidence with a quote and a position selector, when the span is a real one."""
    if not _span_ok(text, start, end):
        return
    ev = child_iri(subject, "evidence")
    quote = child_iri(ev, "quote")
    pos = child_iri(ev, "position")
    out += [
        (subject, _P["evidence"], ev),
        (ev, A, OA_SPECIFIC),
        (ev, OA_SOURCE, report),
        (ev, OA_SELECTOR, quote),
        (ev, OA_SELECTOR, pos),
        (quote, A, OA_QUOTE),
        (quote, OA_EXACT, _text(text[start:end])),
        (pos, A, OA_POSITION),
        (pos, OA_START, _int(start)),
        (pos, OA_END, _int(end)),
    ]
    if start > 0:
        out.append((quote, OA_PREFIX, _text(text[max(0, start - EVIDENCE_CONTEXT) : start])))
    if end < len(text):
        out.append((quote, OA_SUFFIX, _text(text[end : end + EVIDENCE_CONTEXT])))


class _Report:
    """Lookups shared by the mapping of one report."""

    def __init__(self, rg: ReportGraph):
        r = rg.report
        self.r = r
        self.iri = report_iri(r.key)
        # IRIs made once: most triples point at these
        self.questions = {q.number: question_iri(self.iri, q.number) for q in r.questions}
        self.sections = {s.index: child_iri(self.iri, "section", s.index) for s in r.sections}
        self.paras = {p.index: child_iri(self.iri, "paragraph", p.index) for p in r.paragraphs}
        paras = sorted(r.paragraphs, key=lambda p: (p.start, p.index))
        self._starts = [p.start for p in paras]
        self._sorted = paras
        self.entities = {e.key: entity_iri(self.iri, e.key) for e in rg.entities}

    def question(self, n: Optional[int]) -> Optional[URIRef]:
        return self.questions.get(n)

    def section(self, i: Optional[int]) -> Optional[URIRef]:
        return self.sections.get(i)

    def paragraph(self, i: Optional[int]) -> Optional[URIRef]:
        return self.paras.get(i)

    def paragraph_at(self, offset: int):
        """The paragraph whose span holds offset, if any."""
        k = bisect.bisect_right(self._starts, offset) - 1
        if k >= 0 and self._sorted[k].start <= offset < self._sorted[k].end:
            return self._sorted[k]
        return None


def _statement(out: list, ctx: _Report, s: URIRef, cls: URIRef, index: int, text: str, start: int, end: int,
               question: Optional[int], section: Optional[int] = None, paragraph: Optional[int] = None) -> None:
    """What every peel:Statement has; section/paragraph found from the offsets when not given."""
    if paragraph is None and ctx.paras and 0 <= start < end:
        p = ctx.paragraph_at(start)
        if p is not None:
            paragraph = p.index
            section = p.section if section is None else section
            question = p.question if question is None else question
    out += [(s, A, cls), (s, A, _C["Statement"]), (s, _P["text"], _text(text)), (s, _P["index"], _int(index)),
            (s, _P["inReport"], ctx.iri)]
    for pred, obj in ((_P["inQuestion"], ctx.question(question)), (_P["inSection"], ctx.section(section)),
                      (_P["inParagraph"], ctx.paragraph(paragraph))):
        if obj is not None:
            out.append((s, pred, obj))
    _evidence(out, s, ctx.iri, ctx.r.text, start, end)


def _name_keys(subject: URIRef, labels: list) -> list[Triple]:
    """peel:nameKey: each label lower-cased (as SPARQL LCASE), distinct."""
    return [(subject, _P["nameKey"], _text(k)) for k in sorted({str(_text(x)).lower() for x in labels if x})]


def _entity(out: list, ctx: _Report, e: Entity, force: URIRef) -> None:
    E = ctx.entities[e.key]
    out.extend((E, A, c) for c in (_C["Entity"], *KIND_CLASSES.get(e.kind, ())))
    out += [(E, PREF, _text(e.name)), (E, _P["inReport"], ctx.iri), (E, _P["mentionCount"], _int(len(e.mentions)))]
    if e.acronym:
        out.append((E, NOTATION, _text(e.acronym)))
    aliases = [a for a in dict.fromkeys(e.aliases) if a and a != e.name and a != e.acronym]
    out.extend((E, ALT, _text(a)) for a in aliases)
    # Lookups by name, written once here: a case-insensitive match on labels is a
    # scan of every label in SPARQL, a lower-cased key is one index lookup.
    out.extend(_name_keys(E, [e.name, e.acronym, *aliases]))
    if aliases:
        out.append((E, _P["aliasList"], _text("; ".join(sorted({str(_text(a)) for a in aliases})))))
    if e.definition:
        out.append((E, DEFINITION, _text(e.definition)))
    if e.subkind:
        out.append((E, _P["kind"], _text(e.subkind)))
    if e.kind == "unit":
        out.append((E, UNIT_OF, force))
    if e.lexicon:
        out.append((E, _P["lexiconConcept"], _lexicon_iri(e.lexicon)))
    for i in sorted({m.paragraph for m in e.mentions if m.paragraph is not None}):
        p = ctx.paragraph(i)
        if p is not None:
            out.append((E, _P["mentionedIn"], p))


def _lexicon_iri(ident: str) -> URIRef:
    """A lexicon concept id: local to lex: ('partner/action-fraud'), 'lex:…', or a full IRI (user lexicons)."""
    if ident.startswith("lex:"):
        return LEX[ident[4:]]
    return URIRef(ident) if ":" in ident else LEX[ident]


def _power_figures(ctx: _Report, rg: ReportGraph) -> list[Triple]:
    """The figures tied to each power, by the strongest tie only: peel:about
    (already on the figure), else peel:statisticInStatement (the figure lies inside
    a finding that names the power), else peel:statisticInParagraph (it lies in
    the paragraph of such a finding). Written once here: in SPARQL the position
    comparison joins every finding with every figure of the corpus."""
    r = rg.report
    powers = {e.key for e in rg.entities if e.kind == "power" and e.key in ctx.entities}
    if not powers or not r.statistics:
        return []
    spans = {k: [] for k in powers}  # power -> (start, end) of the findings naming it
    paras = {k: set() for k in powers}  # power -> paragraphs of those findings
    for f in rg.findings:
        for k in dict.fromkeys(f.entities):
            if k in powers:
                if _span_ok(r.text, f.start, f.end):
                    spans[k].append((f.start, f.end))
                para = f.paragraph
                if para is None and ctx.paras and 0 <= f.start < f.end:  # as _statement finds it
                    p = ctx.paragraph_at(f.start)
                    para = p.index if p is not None else None
                if para is not None and para in ctx.paras:
                    paras[k].add(para)
    out: list[Triple] = []
    for st in r.statistics:
        if not _span_ok(r.text, st.start, st.end):
            continue
        S = child_iri(ctx.iri, "statistic", st.index)
        para = ctx.paragraph_at(st.start)
        for k in sorted(powers):
            if st.entity == k:
                continue
            if any(s0 <= st.start and st.end <= s1 for s0, s1 in spans[k]):
                out.append((ctx.entities[k], _P["statisticInStatement"], S))
            elif para is not None and para.index in paras[k]:
                out.append((ctx.entities[k], _P["statisticInParagraph"], S))
    return out


def report_triples(rg: ReportGraph) -> list[Triple]:
    """Every triple of one report's named graph (id:graph/<report-key>), deterministic order, no duplicates."""
    ctx = _Report(rg)
    r: Report = rg.report
    R = ctx.iri
    force = force_iri(r.force_key)
    out: list = [
        (R, A, _C["InspectionReport"]),
        (R, A, PROV.Entity),
        (R, RDFS_LABEL, _text(f"{r.force} \u2014 {r.inspection}")),
        (R, TITLE, _text(r.inspection)),
        (R, _P["inspection"], _text(r.inspection)),
        (R, _P["year"], _int(r.year)),
        (R, _P["force"], force),
        (R, SOURCE, _text(r.source)),
        (R, _P["sourceFormat"], _text(r.format)),
        (R, _P["sha256"], _text(r.sha256)),
    ]
    if r.published:
        out.append((R, ISSUED, _issued(r.published)))
    if r.overall_grade:
        J = judgement_iri(R)
        out += [(R, _P["overallJudgement"], J), (J, A, _C["Judgement"]), (J, _P["grade"], _grade(r.overall_grade)),
                (J, _P["inReport"], R), (J, _P["isOverall"], _TRUE)]

    graded: dict[int, URIRef] = {}  # question number -> judgement that findings support
    for q in r.questions:
        Q, J = ctx.questions[q.number], judgement_iri(R, q.number)
        out += [(R, _P["hasQuestion"], Q), (Q, A, _C["InspectionQuestion"]), (Q, _P["questionNumber"], _int(q.number)),
                (Q, _P["inReport"], R), (Q, _P["judgement"], J),
                (J, A, _C["Judgement"]), (J, _P["grade"], _grade(q.grade)), (J, _P["ofQuestion"], Q),
                (J, _P["inReport"], R)]
        if q.title:
            out.append((Q, TITLE, _text(q.title)))
        if q.last_inspected is not None:
            out.append((Q, _P["lastInspected"], _int(q.last_inspected)))
        if q.grade and q.grade != "Ungraded":
            graded[q.number] = J

    for s in r.sections:
        S = ctx.sections[s.index]
        out += [(S, A, _C["Section"]), (S, TITLE, _text(s.title)), (S, _P["index"], _int(s.index)),
                (S, _P["level"], _int(s.level)), (S, _P["inReport"], R)]
        q = ctx.question(s.question)
        if q is not None:
            out.append((S, _P["inQuestion"], q))

    footnotes: dict[int, URIRef] = {}
    for f in r.footnotes:
        # a repeated number (some layouts restart numbering) gets its own node
        F = child_iri(R, "footnote", f.number if f.number not in footnotes else f"{f.number}-{f.start}")
        footnotes.setdefault(f.number, F)
        out += [(F, A, _C["Footnote"]), (F, _P["footnoteNumber"], _int(f.number)), (F, _P["text"], _text(f.text)),
                (F, _P["inReport"], R)]

    for p in r.paragraphs:
        P = ctx.paras[p.index]
        out += [(P, A, _C["Paragraph"]), (P, _P["text"], _text(p.text)), (P, _P["index"], _int(p.index)),
                (P, _P["inReport"], R), (P, _P["kind"], _text(p.kind))]
        for pred, obj in ((_P["inSection"], ctx.section(p.section)), (_P["inQuestion"], ctx.question(p.question))):
            if obj is not None:
                out.append((P, pred, obj))
        out.extend((P, _P["citesFootnote"], footnotes[n]) for n in dict.fromkeys(p.footnote_refs) if n in footnotes)

    afis = []
    for a in r.areas_for_improvement:
        S = afi_iri(R, a.question, a.index)
        afis.append(S)
        out.append((R, _P["hasAreaForImprovement"], S))
        _statement(out, ctx, S, _C["AreaForImprovement"], a.index, a.text, a.start, a.end, a.question)
    causes = {}
    for c in r.causes_of_concern:
        S = causes[c.index] = child_iri(R, "cause", c.index)
        _statement(out, ctx, S, _C["CauseOfConcern"], c.index, c.text, c.start, c.end, c.question)
        if c.status:
            out.append((S, _P["concernStatus"], _text(c.status)))
    for rec in r.recommendations:
        S = child_iri(R, "recommendation", rec.index)
        _statement(out, ctx, S, _C["Recommendation"], rec.index, rec.text, rec.start, rec.end, rec.question)
        if rec.cause in causes:
            out.append((S, _P["forCause"], causes[rec.cause]))

    for e in rg.entities:
        _entity(out, ctx, e, force)

    # Units under pressure, written here once rather than counted by every query:
    # an aggregate in SPARQL runs over the whole corpus before any force/year
    # filter applies (seconds at 200 reports; one lookup per unit this way).
    # Likewise the units each partner is named with (in the same findings).
    unit_names = {ctx.entities[e.key]: str(_text(e.name)) for e in rg.entities
                  if e.kind == "unit" and e.key in ctx.entities}
    partners = {ctx.entities[e.key] for e in rg.entities if e.kind == "partner" and e.key in ctx.entities}
    pressure: dict[URIRef, tuple[set, set]] = {}  # unit -> (its weakness findings, their cues)
    partner_units: dict[URIRef, set] = {}  # partner -> names of the units named with it
    pairs: dict[tuple[str, str], int] = {}  # (key a, key b), a's IRI < b's: findings naming both
    for f in rg.findings:
        S = child_iri(R, "finding", f.index)
        keys = [k for k in dict.fromkeys(f.entities) if k in ctx.entities]
        named = [ctx.entities[k] for k in keys]
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                pair = (a, b) if str(ctx.entities[a]) < str(ctx.entities[b]) else (b, a)
                pairs[pair] = pairs.get(pair, 0) + 1
        with_units = {unit_names[e] for e in named if e in unit_names}
        if with_units:
            for e in named:
                if e in partners:
                    partner_units.setdefault(e, set()).update(with_units)
        if f.polarity == "weakness":
            for U in named:
                if U in unit_names:
                    found, cues = pressure.setdefault(U, (set(), set()))
                    found.add(S)
                    cues.update(str(_text(c)).lower() for c in f.cues)
        _statement(out, ctx, S, _C["Finding"], f.index, f.text, f.start, f.end, f.question, f.section, f.paragraph)
        out.append((S, _P["polarity"], POLARITY.get(f.polarity, POLARITY["neutral"])))
        out.extend((S, _P["cue"], _text(c)) for c in dict.fromkeys(f.cues))
        out.extend((S, _P["mentions"], e) for e in named)
        if f.question in graded:
            out.append((S, _P["supports"], graded[f.question]))
        if f.afi is not None and 0 <= f.afi < len(afis):
            out.append((S, _P["areaForImprovement"], afis[f.afi]))
    for P in sorted(partner_units, key=str):
        out.append((P, _P["coMentionedUnits"], _text("; ".join(sorted(partner_units[P])))))
    for U in sorted(pressure, key=str):
        found, cues = pressure[U]
        out.append((U, _P["weaknessFindings"], _int(len(found))))
        if cues:
            out.append((U, _P["weaknessCues"], _text(", ".join(sorted(cues)))))
    # Co-mentions counted once here (what the co-mentions query, a unit's file and
    # the network view need): a GROUP BY over every pair of mentions in SPARQL
    # runs over all the reports before a force filter can apply. The members
    # also in order (first/second of pair), so a query reads each pair once
    # instead of pairOf's four combinations less the three it filters out.
    for a, b in sorted(pairs, key=lambda ab: (str(ctx.entities[ab[0]]), str(ctx.entities[ab[1]]))):
        C = child_iri(R, "co-mention", entity_key_path(a), entity_key_path(b))
        Ea, Eb = ctx.entities[a], ctx.entities[b]
        out += [(C, A, _C["CoMention"]), (C, _P["pairOf"], Ea), (C, _P["pairOf"], Eb),
                (C, _P["firstOfPair"], Ea), (C, _P["secondOfPair"], Eb),
                (C, _P["findingCount"], _int(pairs[a, b])), (C, _P["inReport"], R)]

    if r.statistics:
        D = child_iri(R, "dataset")
        out += [(D, A, QB_DATASET), (D, _P["inReport"], R)]
        for st in r.statistics:
            S = child_iri(R, "statistic", st.index)
            out += [(S, A, QB_OBSERVATION), (S, A, _C["Statistic"]), (S, QB_IN_DATASET, D),
                    (S, RDFS_LABEL, _text(st.label)), (S, _P["valueText"], _text(st.value)), (S, _P["inReport"], R),
                    (S, _P["index"], _int(st.index))]
            for pred, val in ((_P["value"], _decimal(st.number)),
                              (_P["comparatorValue"], _decimal(st.comparator_number))):
                if val is not None:
                    out.append((S, pred, val))
            for pred, txt in ((_P["unit"], st.unit), (_P["period"], st.period), (_P["comparatorText"], st.comparator),
                              (_P["comparatorArea"], st.comparator_area), (_P["sectionTitle"], st.section)):
                if txt:
                    out.append((S, pred, _text(txt)))
            q = ctx.question(st.question)
            if q is not None:
                out.append((S, _P["inQuestion"], q))
            if st.entity in ctx.entities:
                out.append((S, _P["about"], ctx.entities[st.entity]))
            para = ctx.paragraph_at(st.start) if _span_ok(r.text, st.start, st.end) else None
            if para is not None:
                out.append((S, _P["inParagraph"], ctx.paras[para.index]))
            _evidence(out, S, R, r.text, st.start, st.end)
        out += _power_figures(ctx, rg)

    return list(dict.fromkeys(out))


# ---- corpus (links) graph ---------------------------------------------------------


def _followup(out: list, fu: FollowUp, reports: dict[str, Report], seen: set) -> URIRef:
    """The follow-up's triples (into ``out``); returns its IRI."""
    later = report_iri(fu.later_report)
    name = f"{fu.question}-{fu.index}" if fu.question is not None else str(fu.index)
    F = child_iri(later, "followup", name)
    n = 2
    while F in seen:  # two follow-ups of the same AFI number (from different earlier reports)
        F = child_iri(later, "followup", f"{name}-{n}")
        n += 1
    seen.add(F)
    out += [(F, A, _C["FollowUp"]), (F, _P["followsUp"], afi_iri(report_iri(fu.earlier_report), fu.question, fu.index)),
            (F, _P["inReport"], later)]
    status = FOLLOWUP_STATUS.get(fu.status)
    if status is not None:
        out.append((F, _P["status"], status))
    if fu.evidence:
        out.append((F, _P["evidenceText"], _text(fu.evidence)))
    rep = reports.get(fu.later_report)
    if rep is not None:
        _evidence(out, F, later, rep.text, fu.evidence_start, fu.evidence_end)
    if fu.carried_forward_as is not None:
        q, i = fu.carried_forward_as
        out.append((F, _P["carriedForwardAs"], afi_iri(later, q, i)))
    return F


OPEN_CURRENT = "current"  # peel:openStatus of an AFI that the latest inspection of its series raised


def _open_afis(out: list, corpus: CorpusGraph, fus: list[tuple[FollowUp, URIRef]], followed: set[str]) -> None:
    """peel:openStatus on each area for improvement that is still open, as the
    open-afis query defines "open" (see its header), and peel:latestFollowUp to
    the follow-up that gives the status:

    - no status at all when any follow-up says it was addressed (it is closed);
    - "current" when no later report peel:follows its report (``followed`` holds
      the keys of the reports that one does);
    - else the status (improved, not addressed, not reassessed) of each of its
      follow-ups of the latest year any follow-up of it has, unless that
      follow-up carries it forward (then the later AFI is the open one).

    Written once here: in SPARQL "the latest follow-up" is a MAX over every
    follow-up of the corpus, before a force filter can apply."""
    years = {rg.report.key: rg.report.year for rg in corpus.reports}
    by_afi: dict[URIRef, list[tuple[FollowUp, URIRef]]] = {}
    for fu, F in fus:
        by_afi.setdefault(afi_iri(report_iri(fu.earlier_report), fu.question, fu.index), []).append((fu, F))
    for rg in corpus.reports:
        r = rg.report
        R = report_iri(r.key)
        for a in r.areas_for_improvement:
            S = afi_iri(R, a.question, a.index)
            fs = [(fu, F, years.get(fu.later_report)) for fu, F in by_afi.get(S, ())]
            if any(fu.status == "addressed" for fu, _, _ in fs):
                continue
            if r.key not in followed:
                out.append((S, _P["openStatus"], _text(OPEN_CURRENT)))
            latest = max((y for _, _, y in fs if y is not None), default=None)
            for fu, F, y in fs:
                if y is not None and y == latest and fu.status in FOLLOWUP_STATUS and fu.carried_forward_as is None:
                    out += [(S, _P["openStatus"], _text(fu.status)), (S, _P["latestFollowUp"], F)]


def _judgement_exists(rep: Optional[Report], question: Optional[int], grade: Optional[str]) -> bool:
    if rep is None:
        return grade is not None
    if question is None:
        return bool(rep.overall_grade)
    return any(q.number == question for q in rep.questions)


def _grade_change(out: list, gc: GradeChange, reports: dict[str, Report]) -> None:
    E, L = report_iri(gc.earlier_report), report_iri(gc.later_report)
    G = child_iri(L, "grade-change", "overall" if gc.question is None else gc.question)
    out += [(G, A, _C["GradeChange"]), (G, _P["earlierReport"], E), (G, _P["laterReport"], L),
            (G, _P["direction"], _text(gc.direction))]
    if gc.question is not None:
        out.append((G, _P["question"], _int(gc.question)))
    # questions may be renumbered between inspections: the earlier side has its own number
    earlier_q = gc.question if gc.earlier_question is None else gc.earlier_question
    for pred, rep_iri, key, q, grade in ((_P["fromJudgement"], E, gc.earlier_report, earlier_q, gc.before),
                                         (_P["toJudgement"], L, gc.later_report, gc.question, gc.after)):
        if _judgement_exists(reports.get(key), q, grade):
            out.append((G, pred, judgement_iri(rep_iri, q)))
    if gc.before:
        out.append((G, _P["fromGrade"], _grade(gc.before)))
    if gc.after:
        out.append((G, _P["toGrade"], _grade(gc.after)))


def corpus_head_triples(forces: dict[str, str]) -> list[Triple]:
    """The part of the links graph that belongs to no single force: the bundled
    vocabulary (grade scheme, lexicon concepts) and one node per force
    (``forces`` maps force key -> force name)."""
    from peelkg.ontology import vocabulary_triples

    out: list = list(vocabulary_triples())
    for key in sorted(forces):
        F = force_iri(key)
        out += [(F, A, ORG.Organization), (F, A, _C["PoliceForce"]), (F, PREF, _text(forces[key])),
                (F, RDFS_LABEL, _text(forces[key]))]
        # the force's name in lower case: a query given a force name (runner
        # binding ?_force_key) finds it by one lookup, not LCASE over every force
        out.extend(_name_keys(F, [forces[key]]))
    return list(dict.fromkeys(out))


def force_link_triples(corpus: CorpusGraph) -> list[Triple]:
    """The links graph's triples that ``corpus`` gives: canonical entities and
    peel:canonical links, follow-ups, grade changes, peel:follows, and which
    areas for improvement are open (peel:openStatus). Every subject
    belongs to one force, so the links of each force can be made (and cached)
    on their own: the build calls this once per force."""
    out: list = []
    reports = {rg.report.key: rg.report for rg in corpus.reports}
    for link in corpus.links:
        force = force_iri(slugify(link.force))
        C = canonical_iri(link.force, link.key)
        out.extend((C, A, c) for c in (_C["CanonicalEntity"], *KIND_CLASSES.get(link.kind, ())))
        out += [(C, PREF, _text(link.name)), (C, _P["force"], force)]
        out.extend(_name_keys(C, [link.name]))
        if link.kind == "unit":
            out.append((C, UNIT_OF, force))
        out.extend((C, _P["mergeReason"], _text(why)) for why in dict.fromkeys(link.reasons))
        out.extend((entity_iri(report_iri(rk), ek), _P["canonical"], C) for rk, ek in link.members)

    seen: set = set()
    fus = [(fu, _followup(out, fu, reports, seen)) for fu in corpus.followups]
    for gc in corpus.grade_changes:
        _grade_change(out, gc, reports)

    pairs = {(x.later_report, x.earlier_report) for x in (*corpus.followups, *corpus.grade_changes)}
    out.extend((report_iri(later), _P["follows"], report_iri(earlier)) for later, earlier in sorted(pairs))
    _open_afis(out, corpus, fus, {earlier for _, earlier in pairs})
    return list(dict.fromkeys(out))


def corpus_triples(corpus: CorpusGraph) -> list[Triple]:
    """The whole links graph (namespaces.LINKS_GRAPH) of ``corpus``:
    corpus_head_triples for its forces plus force_link_triples."""
    forces = {rg.report.force_key: rg.report.force for rg in corpus.reports}
    return list(dict.fromkeys(corpus_head_triples(forces) + force_link_triples(corpus)))
