"""RDF -> networkx: the one place the network views read the knowledge graph.

The projection answers "which units, partners, powers and systems are tied to
which issues the inspectors raised". Nodes are typed (see NODE_TYPES); edges are
typed and weighted by the number of statements (findings, AFIs, causes of
concern, recommendations) that link the two ends:

* ``mentioned-in``  entity -- issue (AFI, cause, recommendation, finding cluster)
* ``co-mentioned``  entity -- entity, mentioned by the same statement
* ``raised-in``     issue  -- report

Findings are grouped per report section and polarity: one node
"Weaknesses: Protecting vulnerable people (2017)" (or "Strengths: …", or
"Findings: …" for neutral ones) quoting each finding, which stays readable
where hundreds of individual findings would not.

Entities are merged across reports through ``peel:canonical`` when the build
linked them; otherwise by (force, kind, normalised label).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from peelkg.errors import PeelkgError, QueryError
from peelkg.kg_build.slugs import normalise, slugify
from peelkg.namespaces import ID, PEEL, canonical_entity_iri, report_iri
from peelkg.state import KG_FILE, STORE_DIR, TRIG_FILE

ENTITY_TYPES = ("unit", "partner", "power", "system", "programme", "place", "role", "meeting")
ISSUE_TYPES = ("afi", "cause", "recommendation", "weakness")
NODE_TYPES = ENTITY_TYPES + ISSUE_TYPES + ("strength", "finding", "report")
# Findings are grouped per report section and polarity: node type and label prefix.
_CLUSTER_TYPE = {"weakness": "weakness", "strength": "strength", "neutral": "finding"}
CLUSTER_LABEL = {"weakness": "Weaknesses", "strength": "Strengths", "finding": "Findings"}
# What `peelkg view` shows unless --types says otherwise: who/what is tied to which issue.
DEFAULT_TYPES = ("unit", "partner", "power", "system", "programme", "afi", "cause", "recommendation", "weakness",
                 "strength", "finding", "report")
EDGE_TYPES = ("mentioned-in", "co-mentioned", "raised-in")

MAX_QUOTES = 12  # per node: enough to read, bounded so big corpora stay small
# Which quotes an entity shows first: what the inspectors asked to change.
_QUOTE_ORDER = {"afi": 0, "cause": 1, "recommendation": 2, "weakness": 3, "strength": 4, "neutral": 5}

_ENTITY_CLASS = {
    "unit": PEEL.Unit,
    "partner": PEEL.Partner,
    "power": PEEL.Power,
    "system": PEEL.System,
    "programme": PEEL.Programme,
    "place": PEEL.Place,
    "role": PEEL.Role,
    "meeting": PEEL.Meeting,
}
_KIND_OF_CLASS = {str(v): k for k, v in _ENTITY_CLASS.items()}
_STATEMENT_CLASS = {
    str(PEEL.AreaForImprovement): "afi",
    str(PEEL.CauseOfConcern): "cause",
    str(PEEL.Recommendation): "recommendation",
    str(PEEL.Finding): "finding",
}
_POLARITY = {str(PEEL.Weakness): "weakness", str(PEEL.Strength): "strength", str(PEEL.Neutral): "neutral"}

# ---- SPARQL (class lists are constants; user parameters arrive as bindings) ----

_Q_REPORTS = """
SELECT ?r ?year ?label ?title ?force ?forceLabel WHERE {
  ?r a peel:InspectionReport ; peel:year ?year .
  OPTIONAL { ?r rdfs:label ?label }
  OPTIONAL { ?r dcterms:title ?title }
  OPTIONAL { ?r peel:force ?force . OPTIONAL { ?force skos:prefLabel ?forceLabel } }
}"""

# Flat patterns, no report join unless a year is asked for (pyoxigraph plans long
# OPTIONAL chains poorly); sections, questions and canonical labels are looked up
# separately. {year} is replaced by the constant _YEAR_PATTERN or nothing.
_YEAR_PATTERN = "?r peel:year ?year ."

_Q_ENTITIES = """
SELECT ?e ?r ?cls ?label ?notation WHERE {
  VALUES ?cls { %s }
  ?e a ?cls ; peel:inReport ?r ; skos:prefLabel ?label . {year}
  OPTIONAL { ?e skos:notation ?notation }
}""" % " ".join(f"<{c}>" for c in _ENTITY_CLASS.values())

_Q_CANONICAL = """
SELECT ?e ?canon ?canonLabel WHERE {
  ?e peel:canonical ?canon .
  OPTIONAL { ?canon skos:prefLabel ?canonLabel }
}"""

_Q_ALIASES = """
SELECT ?e ?r ?alt WHERE { ?e skos:altLabel ?alt ; peel:inReport ?r . {year} }"""

_Q_STATEMENTS = """
SELECT ?s ?r ?cls ?text ?polarity ?index ?sec ?q WHERE {
  VALUES ?cls { peel:AreaForImprovement peel:CauseOfConcern peel:Recommendation peel:Finding }
  ?s a ?cls ; peel:inReport ?r ; peel:text ?text . {year}
  OPTIONAL { ?s peel:polarity ?polarity }
  OPTIONAL { ?s peel:index ?index }
  OPTIONAL { ?s peel:inSection ?sec }
  OPTIONAL { ?s peel:inQuestion ?q }
}"""

_Q_SECTIONS = """
SELECT ?sec ?title ?index WHERE {
  ?sec a peel:Section .
  OPTIONAL { ?sec dcterms:title ?title }
  OPTIONAL { ?sec peel:index ?index }
}"""

_Q_QUESTIONS = """
SELECT ?q ?number ?title WHERE {
  ?q a peel:InspectionQuestion .
  OPTIONAL { ?q peel:questionNumber ?number }
  OPTIONAL { ?q dcterms:title ?title }
}"""

# A finding that is an AFI sentence points to its AFI: the AFI takes over its mentions.
_Q_AFI_SENTENCES = """
SELECT ?f ?a WHERE { ?f peel:areaForImprovement ?a }"""

_Q_MENTIONS = """
SELECT ?s ?e ?r WHERE { ?s peel:mentions ?e ; peel:inReport ?r . {year} }"""


def _select(source, query: str, bindings: Optional[dict] = None) -> list[dict]:
    """Run one SELECT over the whole dataset (union of named graphs), through
    peelkg.queries.runner. Rows come back as dicts (unbound variables absent).
    `bindings` map variable names to rdflib terms, bound as data by the runner."""
    from peelkg.queries.runner import select

    try:
        res = select(_store(source), query, bindings or None)
    except QueryError as exc:
        raise PeelkgError(f"cannot read the knowledge graph: {exc}") from exc
    return [{k: v for k, v in zip(res.vars, row) if v is not None} for row in res.rows]


_STORES: dict = {}


def _store(source):
    """An open pyoxigraph Store: `source` itself, or the build folder's kg.ttl
    loaded into memory, or (without kg.ttl) the build's store via the runner.

    Why memory first: the projection reads almost every entity and statement,
    and scanning the on-disk store's union of named graphs measured about 3x
    slower, parse included, than parsing kg.ttl into memory (50 reports:
    about 13 s against 5 s on the 2-core build machine).
    """
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        return source
    path = Path(source)
    ttl = path if path.is_file() else path / KG_FILE
    try:
        key = (str(path.resolve()), ttl.stat().st_mtime_ns if ttl.exists() else 0)
    except OSError:
        key = (str(path), 0)
    if key in _STORES:
        return _STORES[key]
    if ttl.is_file():
        store = ox.Store()
        try:
            store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError, ValueError) as exc:
            raise PeelkgError(f"{ttl}: not readable Turtle: {exc}") from exc
    elif path.is_dir() and ((path / STORE_DIR).is_dir() or (path / TRIG_FILE).is_file()):
        from peelkg.queries.runner import open_store

        try:
            store = open_store(path)
        except QueryError as exc:
            raise PeelkgError(str(exc)) from exc
    else:
        raise PeelkgError(f"no knowledge graph in {path}: run `peelkg build` first")
    _STORES.clear()  # one graph at a time is plenty; a new build gets a new key
    _STORES[key] = store
    return store


# ---- projection ---------------------------------------------------------------


@dataclass
class _Statement:
    iri: str
    report: str
    kind: str  # afi | cause | recommendation | weakness | strength | neutral
    text: str
    index: int = 0
    section: str = ""
    section_key: str = ""
    section_index: int = 0
    question_title: str = ""
    question: Optional[int] = None
    entities: set = field(default_factory=set)  # node ids


def _short(iri: str) -> str:
    """Node ids: the IRI without the instance-data base (shorter pages, still unique)."""
    base = str(ID)
    return iri[len(base):] if iri.startswith(base) else iri


def _int(v, default=0) -> int:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return default


def _summary(text: str, limit: int = 48) -> str:
    """A short label from an AFI/cause/recommendation: drop the 'The force should' opening."""
    t = " ".join(text.split())
    for lead in ("the force should ", "the constabulary should ", "the service should ", "the force must ", "the constabulary must "):
        if t.lower().startswith(lead):
            t = t[len(lead):]
            break
    if len(t) > limit:
        t = t[: limit - 1].rsplit(" ", 1)[0] + "…"
    return t


def project(
    kg_dir_or_store,
    *,
    report: Optional[str] = None,
    year: Optional[int] = None,
    force: Optional[str] = None,
    types: Optional[Iterable[str]] = None,
    min_weight: int = 1,
    max_quotes: int = MAX_QUOTES,
) -> nx.Graph:
    """Project the knowledge graph onto a typed, weighted networkx Graph.

    report: a report key (e.g. "bedfordshire-police-2017-effectiveness") or IRI;
    year: the inspection year; force: a force name or key (case-insensitive);
    types: node types to keep (default DEFAULT_TYPES, see NODE_TYPES);
    min_weight: drop edges made by fewer statements; max_quotes: quotes kept per node.
    Nodes left without edges are dropped. Raises PeelkgError for an unknown
    report, force or type, or a year with no report.
    """
    types = _check_types(types)
    if min_weight < 1:
        raise PeelkgError(f"--min-weight must be at least 1, not {min_weight}")
    source = kg_dir_or_store
    reports = {r["r"]: r for r in _select(source, _Q_REPORTS)}
    bindings: dict = {}
    if report is not None:
        iri = report if report.startswith(str(ID)) else str(report_iri(report))
        if iri not in reports:
            keys = sorted(_short(r)[len("report/"):] for r in reports)
            raise PeelkgError(f"no report {report!r} in the graph; reports: {', '.join(keys) or 'none'}")
        bindings["r"] = URIRef(iri)
    if year is not None:
        years = sorted({_int(r.get("year")) for r in reports.values()})
        if int(year) not in years:
            raise PeelkgError(f"no report from {year} in the graph; years: {', '.join(map(str, years)) or 'none'}")
        bindings["year"] = Literal(int(year), datatype=XSD.integer)
    wanted_force = None
    if force is not None:
        names = {}
        for row in reports.values():
            if row.get("force"):
                key = _short(row["force"])[len("force/"):]
                for name in (key, row.get("forceLabel") or key):
                    names[normalise(name)] = row["force"]
                names[normalise(slugify(row.get("forceLabel") or key))] = row["force"]
        wanted_force = names.get(normalise(force)) or names.get(normalise(slugify(force)))
        if wanted_force is None:
            labels = sorted({r.get("forceLabel") or _short(r["force"]) for r in reports.values() if r.get("force")})
            raise PeelkgError(f"no force {force!r} in the graph; forces: {', '.join(labels) or 'none'}")
    reports = {
        k: v for k, v in reports.items()
        if ("r" not in bindings or k == str(bindings["r"])) and (year is None or _int(v.get("year")) == int(year))
        and (wanted_force is None or v.get("force") == wanted_force)
    }
    if not reports:
        raise PeelkgError("no report matches those filters")

    def q(text: str) -> str:
        return text.replace("{year}", _YEAR_PATTERN if "year" in bindings else "")

    g = nx.Graph()
    rep_info = {}
    several_forces = len({row.get("force") for row in reports.values()}) > 1
    for iri, row in sorted(reports.items()):
        y = _int(row.get("year"))
        force_key = _short(row["force"])[len("force/"):] if row.get("force") else None
        # The short title ("PEEL police effectiveness 2017") unless forces must be told apart.
        label = (row.get("label") if several_forces else row.get("title")) or row.get("title") or row.get("label") or _short(iri)
        rep_info[iri] = {
            "key": _short(iri)[len("report/"):],
            "year": y,
            "label": row.get("label") or label,
            "force": row.get("forceLabel") or "",
            "force_key": force_key or _short(iri)[len("report/"):],
        }
        g.add_node(
            _short(iri), label=f"{label}" if str(y) in label else f"{label} ({y})", type="report",
            reports=[rep_info[iri]["key"]], years=[y], quotes=[], aliases=[], acronym="",
            force=rep_info[iri]["force"],
        )

    # Entities: one node per canonical entity, else per (force, kind, label).
    ent_node: dict[str, str] = {}  # entity IRI -> node id
    canon = {row["e"]: row for row in _select(source, _Q_CANONICAL)}
    for row in _select(source, q(_Q_ENTITIES), bindings):
        r = row["r"]
        if r not in rep_info:
            continue
        kind = _KIND_OF_CLASS[row["cls"]]
        c = canon.get(row["e"])
        if c:
            nid = _short(c["canon"])
            label = c.get("canonLabel") or row["label"]
        else:
            nid = _short(str(canonical_entity_iri(rep_info[r]["force_key"], f"{kind}/{slugify(row['label'])}")))
            label = row["label"]
        ent_node[row["e"]] = nid
        if nid not in g:
            g.add_node(nid, label=label, type=kind, reports=[], years=[], quotes=[], aliases=[], acronym="",
                       force=rep_info[r]["force"], _names=set())
        n = g.nodes[nid]
        n["_names"].add(row["label"])
        if row.get("notation") and not n["acronym"]:
            n["acronym"] = row["notation"]
        elif row.get("notation"):
            n["_names"].add(row["notation"])
        if rep_info[r]["key"] not in n["reports"]:
            n["reports"].append(rep_info[r]["key"])
            n["years"].append(rep_info[r]["year"])
    for row in _select(source, q(_Q_ALIASES), bindings):
        nid = ent_node.get(row["e"])
        if nid:
            g.nodes[nid]["_names"].add(row["alt"])

    # Statements and what they mention.
    stmts: dict[str, _Statement] = {}
    sections = {row["sec"]: row for row in _select(source, _Q_SECTIONS)}
    questions = {row["q"]: row for row in _select(source, _Q_QUESTIONS)}
    for row in _select(source, q(_Q_STATEMENTS), bindings):
        r = row["r"]
        if r not in rep_info or row["s"] in stmts:
            continue
        kind = _STATEMENT_CLASS[row["cls"]]
        if kind == "finding":
            kind = _POLARITY.get(row.get("polarity", ""), "neutral")
        sec = sections.get(row.get("sec", ""), {})
        qu = questions.get(row.get("q", ""), {})
        qnum = _int(qu["number"]) if qu.get("number") is not None else None
        if row.get("sec"):
            section_key = f"section-{_int(sec.get('index'))}"
        elif qnum is not None:
            section_key = f"question-{qnum}"
        else:
            section_key = "other"
        stmts[row["s"]] = _Statement(
            iri=row["s"], report=r, kind=kind, text=" ".join(str(row["text"]).split()), index=_int(row.get("index")),
            section=str(sec.get("title") or qu.get("title") or ""), section_key=section_key,
            question_title=str(qu.get("title") or ""),
            section_index=_int(sec.get("index"), qnum or 0), question=qnum,
        )
    for row in _select(source, q(_Q_MENTIONS), bindings):
        st, nid = stmts.get(row["s"]), ent_node.get(row["e"])
        if st and nid:
            st.entities.add(nid)
    for row in _select(source, _Q_AFI_SENTENCES):
        f, a = stmts.get(row["f"]), stmts.get(row["a"])
        if f and a:
            a.entities |= f.entities
            del stmts[row["f"]]  # the AFI node says it; no second copy among the findings

    weights: dict[tuple, list] = defaultdict(lambda: [0, ""])

    def link(a: str, b: str, etype: str) -> None:
        key = (a, b) if a < b else (b, a)
        weights[key][0] += 1
        weights[key][1] = etype

    for st in sorted(stmts.values(), key=lambda s: (s.report, s.kind, s.index, s.iri)):
        info = rep_info[st.report]
        quote = {"text": st.text, "report": info["label"], "section": st.section, "kind": st.kind, "year": info["year"]}
        issue = None
        if st.kind in ("afi", "cause", "recommendation"):
            issue = _short(st.iri)
            prefix = {"afi": "AFI", "cause": "Cause of concern", "recommendation": "Recommendation"}[st.kind]
            g.add_node(issue, label=f"{prefix} {info['year']}: {_summary(st.text)}", type=st.kind,
                       reports=[info["key"]], years=[info["year"]], quotes=[quote], aliases=[], acronym="",
                       force=info["force"], theme=st.question_title or st.section)  # AFIs sit in an "Areas for improvement" section
        elif st.kind in _CLUSTER_TYPE:
            ntype = _CLUSTER_TYPE[st.kind]
            issue = f"{_short(st.report)}/{ntype}/{st.section_key}"
            if issue not in g:
                title = st.section or "other"
                g.add_node(issue, label=f"{CLUSTER_LABEL[ntype]}: {title} ({info['year']})", type=ntype,
                           reports=[info["key"]], years=[info["year"]], quotes=[], aliases=[], acronym="",
                           force=info["force"], theme=st.section)
            g.nodes[issue]["quotes"].append(quote)
        if issue is not None:
            link(issue, _short(st.report), "raised-in")
        ents = sorted(st.entities)
        for i, a in enumerate(ents):
            g.nodes[a]["quotes"].append(quote)
            if issue is not None:
                link(a, issue, "mentioned-in")
            for b in ents[i + 1:]:
                link(a, b, "co-mentioned")

    for (a, b), (w, etype) in sorted(weights.items()):
        if w >= min_weight:
            g.add_edge(a, b, type=etype, weight=w)

    g.remove_nodes_from([n for n, d in g.nodes(data=True) if d["type"] not in types])
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    if g.number_of_nodes() == 0:
        raise PeelkgError(f"nothing to show: no linked nodes of type {', '.join(types)} with links of weight {min_weight} or more")
    for _, d in g.nodes(data=True):
        _finish_node(d, max_quotes)
    # Rebuild in sorted order so every consumer (HTML, GraphML) is deterministic.
    out = nx.Graph()
    out.add_nodes_from(sorted(g.nodes(data=True)))
    out.add_edges_from(sorted((min(a, b), max(a, b), d) for a, b, d in g.edges(data=True)))
    out.graph["reports"] = sorted(i["key"] for i in rep_info.values())
    out.graph["years"] = sorted({i["year"] for i in rep_info.values()})
    return out


def _finish_node(d: dict, max_quotes: int) -> None:
    names = d.pop("_names", set())
    pairs = sorted(zip(d["years"], d["reports"]))
    d["years"] = sorted(set(y for y, _ in pairs))
    d["reports"] = [r for _, r in pairs]
    seen, quotes = set(), []
    for q in sorted(d["quotes"], key=lambda q: (_QUOTE_ORDER.get(q["kind"], 9), q["year"], q["report"], q["section"], q["text"])):
        k = (q["text"], q["report"])
        if k not in seen:
            seen.add(k)
            quotes.append(q)
    d["quote_count"] = len(quotes)
    d["quotes"] = quotes[:max_quotes]
    d["aliases"] = sorted(n for n in names if normalise(n) != normalise(d["label"]) and n != d["acronym"])


def _check_types(types) -> tuple:
    if types is None:
        return DEFAULT_TYPES
    types = tuple(t.strip().lower() for t in types if t and t.strip())
    bad = [t for t in types if t not in NODE_TYPES]
    if bad or not types:
        raise PeelkgError(f"unknown node type {', '.join(bad) or '(none)'}; choose from {', '.join(NODE_TYPES)}")
    return types


# ---- many forces at once -------------------------------------------------------

AGGREGATE_QUOTES = 3


def aggregate(graph: nx.Graph, max_quotes: int = AGGREGATE_QUOTES) -> nx.Graph:
    """One network across forces: entities merged by (type, label), issues by
    (type, theme: the report section, or the question for AFIs), reports by
    year. Weights add up; each node keeps a few quotes, its years, and says how
    many forces it comes from."""
    key_of, groups = {}, defaultdict(list)
    for n, d in graph.nodes(data=True):
        t = d["type"]
        if t == "report":
            key = f"all/report/{d['years'][0]}"
        elif t in ENTITY_TYPES:
            key = f"all/{t}/{slugify(d['label'])}"
        else:
            key = f"all/{t}/{slugify(d['theme']) if d.get('theme') else 'other'}"
        key_of[n] = key
        groups[key].append(n)
    out = nx.Graph()
    prefix = {"afi": "AFIs", "cause": "Causes of concern", "recommendation": "Recommendations", **CLUSTER_LABEL}
    for key in sorted(groups):
        members = [graph.nodes[n] for n in sorted(groups[key])]
        first = members[0]
        t = first["type"]
        forces = sorted({m.get("force", "") for m in members if m.get("force")})
        reports = sorted({r for m in members for r in m.get("reports", [])})
        years = sorted({y for m in members for y in m.get("years", [])})
        if t == "report":
            label = f"PEEL {years[0]} ({len(reports)} report{'s' if len(reports) != 1 else ''})"
        elif t in ENTITY_TYPES:
            label = sorted((m["label"] for m in members), key=lambda x: (x != x.strip(), x.lower() != x, x))[0]
        else:
            span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
            label = f"{prefix.get(t, t)}: {first.get('theme') or 'other'} ({span})"
        quotes = [q for m in members for q in m.get("quotes", [])]
        quotes.sort(key=lambda q: (_QUOTE_ORDER.get(q["kind"], 9), q["year"], q["report"], q["text"]))
        out.add_node(
            key, label=label, type=t, years=years, reports=reports, quotes=quotes[:max_quotes],
            quote_count=sum(m.get("quote_count", len(m.get("quotes", []))) for m in members),
            aliases=sorted({a for m in members for a in m.get("aliases", [])})[:10],
            acronym=next((m["acronym"] for m in members if m.get("acronym")), ""),
            force=f"{len(forces)} forces" if len(forces) != 1 else forces[0], forces=forces,
            theme=first.get("theme", ""),
        )
    weights: dict = {}
    for a, b, d in graph.edges(data=True):
        ka, kb = sorted((key_of[a], key_of[b]))
        if ka == kb:
            continue
        w = weights.setdefault((ka, kb), [0, d["type"]])
        w[0] += d["weight"]
    for (a, b), (w, t) in sorted(weights.items()):
        out.add_edge(a, b, type=t, weight=w)
    out.graph.update(graph.graph, aggregated=True)
    return out


VIEW_MAX_NODES = 1500  # above this (and with several forces) the default view aggregates


def for_view(graph: nx.Graph, *, focus: Optional[str] = None, radius: int = 1,
             aggregated: Optional[bool] = None) -> tuple[nx.Graph, str, str]:
    """What `peelkg view` draws: (graph, title, note).

    With `focus`, the neighbourhood of that node. Otherwise the whole graph,
    aggregated across forces (see `aggregate`) when `aggregated` is True, or
    when it is None and the graph has more than VIEW_MAX_NODES nodes from more
    than one force: a page of tens of thousands of nodes is neither small nor
    readable. The note says how to see more.
    """
    title, note = "PEEL inspection network", ""
    if focus:
        graph = ego(graph, focus, radius)
        title = f"PEEL inspection network: {focus}"
    forces = {d.get("force") for _, d in graph.nodes(data=True) if d.get("force")}
    if aggregated or (aggregated is None and not focus and graph.number_of_nodes() > VIEW_MAX_NODES and len(forces) > 1):
        full = graph.number_of_nodes()
        graph = aggregate(graph)
        plural = "s" if len(forces) != 1 else ""
        note = (f"aggregated across {len(forces)} force{plural} from {full} nodes; "
                "use --force NAME, --report ID or --focus NAME to see one force in full, or --full")
        title = f"PEEL inspection network: {len(forces)} force{plural}"
    return graph, title, note


# ---- focus ----------------------------------------------------------------------


def node_names(data: dict) -> list[str]:
    """Everything a node answers to: label, acronym, aliases."""
    return [n for n in [data.get("label", ""), data.get("acronym", ""), *data.get("aliases", [])] if n]


def match_nodes(graph: nx.Graph, name: str) -> list[str]:
    """Nodes answering to `name`: by label, acronym or alias (case-insensitive);
    failing that, by an acronym written inside a label ("CAVAA" -> "CAVAA unit")."""
    want = normalise(name)
    hits = [n for n, d in graph.nodes(data=True) if any(normalise(x) == want for x in node_names(d))]
    if hits or not want:
        return hits
    return [n for n, d in graph.nodes(data=True) if d.get("type") != "report"
            and any(len(tok) > 1 and tok.isupper() and normalise(tok) == want
                    for x in node_names(d) for tok in re.findall(r"[\w'’-]+", x))]


def ego(graph: nx.Graph, focus: str, radius: int = 1) -> nx.Graph:
    """The neighbourhood of the node(s) named `focus` (label, acronym or alias,
    case-insensitive), up to `radius` steps. Report nodes are kept for context
    but not walked through (every issue of a report would otherwise be 2 steps
    from everything). Raises PeelkgError, with close matches, when nothing matches."""
    want = normalise(focus)
    hits = match_nodes(graph, focus)
    if not hits:
        # Labels win over aliases, so suggestions read as the nodes are labelled.
        by_norm: dict = {}
        pairs = [(i, x) for _, d in graph.nodes(data=True) if d["type"] != "report" for i, x in enumerate(node_names(d))]
        for _, x in sorted(pairs, key=lambda p: (p[0] > 0, p[1])):
            by_norm.setdefault(normalise(x), x)
        close = difflib.get_close_matches(want, list(by_norm), n=5, cutoff=0.6)
        close += [k for k in by_norm if want and want in k and k not in close][: 5 - len(close)]
        hint = "; close matches: " + ", ".join(by_norm[c] for c in close) if close else ""
        raise PeelkgError(f"no node named {focus!r} in the graph{hint}")
    walk = graph.subgraph([n for n, d in graph.nodes(data=True) if d["type"] != "report" or n in hits])
    keep = set()
    for h in hits:
        keep |= set(nx.single_source_shortest_path_length(walk, h, cutoff=radius))
    keep |= {nb for n in keep for nb in graph[n] if graph.nodes[nb]["type"] == "report"}
    sub = graph.subgraph(sorted(keep)).copy()
    sub.graph.update(graph.graph, focus=sorted(hits))
    return sub
