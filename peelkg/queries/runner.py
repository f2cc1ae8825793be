"""Named and ad-hoc SPARQL over a built graph, on pyoxigraph (default) or rdflib.

Named queries are the ``*.rq`` files of this package. Each starts with a
grlc-style header::

    #+ summary: Grade history: grades by question and year for a force.
    #+ params:
    #+   - force: Force name, case-insensitive (example: Bedfordshire Police)
    #+   - year: Inspection year (optional; default: every year) (example: 2017)
    #+ columns:
    #+   - year: year of the inspection

A parameter is required unless its description starts with ``(optional``.
Parameters are always bound as DATA: plain ``xsd:string`` literals serialised by
pyoxigraph's term classes (which escape quotes, braces and newlines) and joined
in with a ``VALUES`` block at the top of the WHERE clause (pyoxigraph) or passed
as ``initBindings`` (rdflib). Query text is never built from parameter values.
As in grlc, parameter ``force`` is the variable ``?_force`` in the query text.
An optional parameter that is not given stays unbound; queries test it with
``BOUND(?_force)`` and then use their documented default. A query that uses
``?_x_key`` also gets parameter ``x`` in lower case there (``?_name_key``,
``?_force_key``), to look names up by the lower-case keys the build writes
(``peel:nameKey``) with one index lookup.

The data sits in named graphs (one per report, plus ``id:graph/links``); every
query here sees their union as the default graph.

A query whose header says ``#+ text_index: statement contains phrase`` looks
for text: on a build's store, the runner first asks the build's text index
(``kg_build/textindex.py``) which subjects' texts contain parameter
``phrase`` and binds ``?statement`` to those (plus the parameter itself when
it is an IRI) with a ``VALUES`` block. The query keeps its own test of the
text, so the index only narrows the candidates and never changes an answer;
without a usable index (rdflib, an open store, a phrase the index cannot
take) the query runs as written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import pyoxigraph as ox

from peelkg.errors import QueryError
from peelkg.kg_build import textindex
from peelkg.namespaces import PREFIXES
from peelkg.state import KG_FILE, STORE_DIR, TEXT_INDEX, TRIG_FILE

ENGINES = ("oxigraph", "rdflib")
FORMATS = ("table", "csv", "tsv", "json")
TABLE_CELL_MAX = 80  # table output shortens long text; csv/tsv/json keep it whole

_XSD = str(PREFIXES["xsd"])
_INT_TYPES = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# `#+ text_index: VAR contains PARAM` (see the module docstring).
_TEXT_INDEX_RE = re.compile(r"^#\+\s*text_index:\s*([A-Za-z_][A-Za-z0-9_]*)\s+contains\s+([A-Za-z_][A-Za-z0-9_]*)\s*$", re.M)
# Past this many candidates, binding them costs about what scanning the texts
# does (200 reports: 946 candidates 0.26 s bound, 0.69 s scanned).
TEXT_INDEX_CAP = 5000
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\s]+$")
_PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}
# Turtle output leaves out id: (its local names hold '/', which Turtle would print as '\/').
TURTLE_PREFIXES = {p: ns for p, ns in sorted(_PREFIX_MAP.items()) if p != "id"}


@dataclass
class Param:
    name: str
    description: str
    example: Optional[str]
    required: bool


@dataclass
class NamedQuery:
    name: str
    summary: str
    params: list[Param]
    columns: list[tuple[str, str]]
    text: str


@dataclass
class QueryResult:
    kind: str  # "select" | "ask" | "graph"
    vars: list[str]
    rows: list[tuple]  # str for IRIs and text, int/float/Decimal/bool for typed literals, None for unbound
    boolean: Optional[bool] = None
    graph_turtle: Optional[str] = None


# ---- named queries -----------------------------------------------------------


def _parse_header(name: str, text: str) -> NamedQuery:
    """Read the `#+` header of one .rq file."""
    summary = ""
    params: list[Param] = []
    columns: list[tuple[str, str]] = []
    block = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break  # header ends at the first line of SPARQL
            continue
        body = line[2:].strip()
        if not body:
            continue
        m = re.match(r"^(summary|params|columns|text_index)\s*:\s*(.*)$", body)
        if m and m.group(1) == "text_index":
            if not _TEXT_INDEX_RE.match(line):
                raise QueryError(f"query {name}: cannot read header line {line.strip()!r} (expected '#+ text_index: VAR contains PARAM')")
            block = None
            continue
        if m:
            block = m.group(1)
            if block == "summary":
                summary = m.group(2).strip()
            continue
        m = re.match(r"^-\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$", body)
        if not m or block not in ("params", "columns"):
            if block == "summary":  # a summary may run over several lines
                summary = f"{summary} {body}".strip()
                continue
            raise QueryError(f"query {name}: cannot read header line {line.strip()!r}")
        key, desc = m.group(1), m.group(2).strip()
        if block == "columns":
            columns.append((key, desc))
            continue
        ex = re.search(r"\(example:\s*(.*?)\)\s*$", desc)
        example = ex.group(1).strip() if ex else None
        description = desc[: ex.start()].strip() if ex else desc
        params.append(Param(key, description, example, not description.lower().startswith("(optional")))
    if not summary:
        raise QueryError(f"query {name}: header has no '#+ summary:' line")
    return NamedQuery(name=name, summary=summary, params=params, columns=columns, text=text)


def _query_files() -> dict[str, Any]:
    pkg = resources.files("peelkg.queries")
    return {f.name[:-3]: f for f in pkg.iterdir() if f.name.endswith(".rq")}


def list_queries() -> list[NamedQuery]:
    """Every named query shipped with peelkg, sorted by name."""
    files = _query_files()
    return [_parse_header(n, files[n].read_text(encoding="utf-8")) for n in sorted(files)]


def load_query(name: str) -> NamedQuery:
    """One named query; QueryError listing the known names if there is none."""
    files = _query_files()
    if name not in files:
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(sorted(files))}")
    return _parse_header(name, files[name].read_text(encoding="utf-8"))


# ---- sources ---------------------------------------------------------------

_lock = threading.Lock()
_datasets: dict[tuple, Any] = {}  # rdflib datasets by (path, mtime, size): parsing TriG is slow


def open_store(kg_dir: Path) -> ox.Store:
    """The pyoxigraph store of a build, opened read-only.

    Falls back to loading kg.trig into memory when the build has no store.
    """
    kg_dir = Path(kg_dir)
    store_dir = kg_dir / STORE_DIR
    if store_dir.is_dir():
        try:
            return ox.Store.read_only(str(store_dir))
        except OSError as exc:
            raise QueryError(f"cannot open the store in {store_dir}: {exc}") from None
    trig = kg_dir / TRIG_FILE
    if trig.is_file():
        store = ox.Store()
        try:
            store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        except (OSError, SyntaxError, ValueError) as exc:
            raise QueryError(f"cannot load {trig}: {exc}") from None
        return store
    raise QueryError(f"no graph in {kg_dir}: expected {STORE_DIR}/ or {TRIG_FILE} (run `peelkg build` first)")


_stores: dict[tuple, ox.Store] = {}


def _cached_store(kg_dir: Path) -> ox.Store:
    """open_store, kept open while the build's store folder stays the same one.

    Opening costs ~50 ms; a rebuild swaps the folder (new inode), which reopens.
    """
    store_dir = Path(kg_dir) / STORE_DIR
    try:
        st = store_dir.stat()
        key = (str(store_dir.resolve()), st.st_ino, st.st_mtime_ns)
    except OSError:
        return open_store(kg_dir)  # no store: open_store falls back or explains
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = open_store(kg_dir)
            _stores.clear()
            _stores[key] = store
    return store


def _rdflib_dataset(kg_dir: Path):
    """kg.trig as an rdflib Dataset whose default graph is the union of all graphs."""
    from rdflib import Dataset

    kg_dir = Path(kg_dir)
    trig = kg_dir / TRIG_FILE
    if not trig.is_file():
        ttl = kg_dir / KG_FILE
        if not ttl.is_file():
            raise QueryError(f"no graph in {kg_dir}: expected {TRIG_FILE} (run `peelkg build` first)")
        trig = ttl
    st = trig.stat()
    key = (str(trig.resolve()), st.st_mtime_ns, st.st_size)
    with _lock:
        ds = _datasets.get(key)
        if ds is None:
            ds = Dataset(default_union=True)
            try:
                with warnings.catch_warnings():  # rdflib warns about its own internals
                    warnings.simplefilter("ignore", DeprecationWarning)
                    ds.parse(str(trig), format="trig")
            except Exception as exc:  # rdflib raises many kinds of parse errors
                raise QueryError(f"cannot load {trig}: {exc}") from None
            _datasets.clear()  # one build at a time is plenty
            _datasets[key] = ds
    return ds


# ---- values ----------------------------------------------------------------


def _typed(lexical: str, datatype: Optional[str]) -> Any:
    """A literal as a python value; the same rule for both engines so rows compare."""
    if datatype in _INT_TYPES:
        try:
            return int(lexical)
        except ValueError:
            return lexical
    if datatype == _XSD + "decimal":
        try:
            # One spelling per number ("4.0" and "4" are the same decimal), no exponent.
            return Decimal(format(Decimal(lexical).normalize(), "f"))
        except InvalidOperation:
            return lexical
    if datatype in (_XSD + "double", _XSD + "float"):
        try:
            return float(lexical)
        except ValueError:
            return lexical
    if datatype == _XSD + "boolean":
        return lexical.strip() in ("true", "1")
    return lexical


_XSD_STRING = ox.NamedNode(_XSD + "string")


def _from_ox(term) -> Any:
    # Runs for every cell of a result: exact types, commonest first, and a plain
    # string without a look at its datatype's IRI (half the time per cell).
    kind = type(term)
    if kind is ox.NamedNode:
        return term.value
    if kind is ox.Literal:
        datatype = term.datatype
        return term.value if datatype == _XSD_STRING else _typed(term.value, datatype.value)
    if term is None:
        return None
    if kind is ox.BlankNode:
        return "_:" + term.value
    return str(term)


def _from_rdflib(term) -> Any:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, Literal):
        return _typed(str(term), str(term.datatype) if term.datatype else None)
    return str(term)


def _to_ox(value: object):
    """A python value or term as a pyoxigraph term (escaping is pyoxigraph's job)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, BNode):
        raise QueryError("blank nodes cannot be bound as query parameters")
    if isinstance(value, Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    return ox.Literal(str(value))


def _to_rdflib(value: object):
    from rdflib import Literal, URIRef

    term = _to_ox(value)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


# ---- binding parameters ----------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>[A-Za-z_][A-Za-z0-9_\-.]*:[A-Za-z0-9_\-.:%]*|:[A-Za-z0-9_\-.:%]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<brace>\{)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _where_brace(query: str) -> int:
    """Offset just after the '{' that opens the top-level WHERE group (or -1).

    Comments, strings and IRIs are skipped so a '{' inside them never counts.
    """
    seen_where = False
    first_brace = -1
    for m in _TOKEN_RE.finditer(query):
        kind = m.lastgroup
        if kind == "word" and m.group().upper() == "WHERE":
            seen_where = True
        elif kind == "brace":
            if seen_where:
                return m.end()
            if first_brace < 0:
                first_brace = m.end()
    return first_brace


def _values_block(bindings: dict[str, object]) -> str:
    parts = []
    for name in sorted(bindings):
        if not _NAME_RE.match(name):
            raise QueryError(f"invalid parameter name {name!r}")
        value = bindings[name]
        # A list binds the variable to each of its values in turn (one row each).
        values = value if isinstance(value, list) else [value]
        # str() of a pyoxigraph term is its N-Triples form: quotes, backslashes and
        # newlines come out escaped, so the value can only ever be data.
        parts.append(f"VALUES ?{name} {{ {' '.join(str(_to_ox(v)) for v in values)} }}")
    return " ".join(parts)


def _with_values(query: str, bindings: dict[str, object]) -> str:
    if not bindings:
        return query
    pos = _where_brace(query)
    if pos < 0:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    return f"{query[:pos]} {_values_block(bindings)} {query[pos:]}"


# ---- running ---------------------------------------------------------------


def _brief(detail: str, limit: int = 100) -> str:
    # pyoxigraph lists every expected token (hundreds of characters); keep the gist.
    detail = " ".join(detail.split())
    return detail if len(detail) <= limit else detail[: limit - 1].rstrip() + "…"


def _syntax_error(exc: Exception, engine: str) -> QueryError:
    """One line naming line and column, from either engine's parser error."""
    msg = str(exc).replace("\n", " ").strip()
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", msg)
    if m:
        return QueryError(f"SPARQL syntax error at line {m.group(1)}, column {m.group(2)}: {_brief(m.group(3))}")
    line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
    col = getattr(exc, "col", None) or getattr(exc, "column", None)
    if isinstance(line, int) and isinstance(col, int):
        detail = getattr(exc, "msg", "") or msg
        return QueryError(f"SPARQL syntax error at line {line}, column {col}: {_brief(detail)}")
    return QueryError(f"SPARQL syntax error ({engine}): {_brief(msg)}")


def _graph_turtle_ox(triples) -> str:
    # Sorted so that the same graph always prints the same way.
    triples = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    return out.decode("utf-8")


def _with_keys(query: str, bindings: dict[str, object]) -> dict[str, object]:
    """Add ``?_x_key`` (the value in lower case) for each text binding ``?_x``
    whose key variable the query uses: it matches the lower-case keys the build
    writes (peel:nameKey) as one index lookup, where LCASE in the query would be
    applied to every candidate (pyoxigraph does not push a BIND into a join)."""
    for name, value in list(bindings.items()):
        key = name + "_key"
        if isinstance(value, str) and key not in bindings and re.search(rf"[?$]{key}\b", query):
            bindings[key] = value.lower()
    return bindings


def select(source, query: str, bindings: Optional[dict[str, object]] = None, engine: str = "oxigraph") -> QueryResult:
    """Run one query (any form) on a kg_dir Path or an open store/Dataset.

    ``bindings`` are bound as data (see the module docstring). Prefixes of
    ``peelkg.namespaces`` are predeclared.
    """
    bindings = _with_keys(query, dict(bindings or {}))
    if engine == "oxigraph":
        return _select_ox(source, query, bindings)
    if engine == "rdflib":
        return _select_rdflib(source, query, bindings)
    raise QueryError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


# The forces named ?_force, by their lower-case name key (peel:nameKey, each
# skos:prefLabel lower-cased): one lookup, where a test of LCASE(label) reads
# every force's labels.
_FORCES = """SELECT DISTINCT ?f WHERE { ?f peel:nameKey ?_force_key ; a peel:PoliceForce }"""


def _text_candidates(store: ox.Store, kg_dir: Path, query: str, bindings: dict[str, object]) -> dict[str, object]:
    """``bindings`` plus the text index's candidates for the query's
    ``text_index`` variable, when the query has one and the index can answer.
    Parameters ``force`` and ``year``, which mean the same in every named
    query, narrow the candidates to those reports."""
    m = _TEXT_INDEX_RE.search(query)
    if not m:
        return bindings
    var, param = m.groups()
    phrase = bindings.get("_" + param)
    if not isinstance(phrase, str) or var in bindings:
        return bindings
    forces = None
    if isinstance(bindings.get("_force"), str):
        # The force IRIs whose name matches, as the queries test it (a name
        # key is LCASE of a skos:prefLabel): the index then skips the other
        # forces' reports.
        text = _with_values(_FORCES, _with_keys(_FORCES, {"_force": bindings["_force"]}))
        forces = [sol[0].value for sol in store.query(text, prefixes=_PREFIX_MAP, use_default_graph_as_union=True)]
    year = bindings.get("_year") if isinstance(bindings.get("_year"), str) else None
    found = textindex.lookup(kg_dir / TEXT_INDEX, phrase, TEXT_INDEX_CAP, kg_dir / STORE_DIR, forces=forces, year=year)
    if found is None:
        return bindings
    candidates = [ox.NamedNode(s) for s in found]
    if _IRI_RE.match(phrase) and phrase not in found:
        try:
            candidates.append(ox.NamedNode(phrase))  # the parameter may name the subject itself
        except ValueError:
            return bindings
    return {**bindings, var: candidates}


def _select_ox(source, query: str, bindings: dict[str, object]) -> QueryResult:
    if isinstance(source, ox.Store):
        store = source
    else:
        store = _cached_store(Path(source))
        bindings = _text_candidates(store, Path(source), query, bindings)
    text = _with_values(query, bindings)
    try:
        res = store.query(text, use_default_graph_as_union=True, prefixes=_PREFIX_MAP)
    except SyntaxError as exc:
        raise _syntax_error(exc, "oxigraph") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", [], [], boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = [tuple(map(_from_ox, sol)) for sol in res]  # a solution iterates its values, None where unbound
        return QueryResult("select", names, rows)
    return QueryResult("graph", [], [], graph_turtle=_graph_turtle_ox(list(res)))


def _select_rdflib(source, query: str, bindings: dict[str, object]) -> QueryResult:
    from pyparsing import ParseException
    from rdflib import Graph

    ds = source if isinstance(source, Graph) else _rdflib_dataset(Path(source))
    init = {k: _to_rdflib(v) for k, v in bindings.items()}
    for k in init:
        if not _NAME_RE.match(k):
            raise QueryError(f"invalid parameter name {k!r}")
    try:
        with warnings.catch_warnings():  # rdflib warns about its own internals
            warnings.simplefilter("ignore", DeprecationWarning)
            res = ds.query(query, initBindings=init, initNs=_PREFIX_MAP)
            if res.type == "SELECT":
                res.bindings  # evaluate now, inside the warning filter and the error handling
    except ParseException as exc:
        raise _syntax_error(exc, "rdflib") from None
    except Exception as exc:  # rdflib reports evaluation problems with assorted types
        raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from None
    if res.type == "ASK":
        return QueryResult("ask", [], [], boolean=bool(res.askAnswer))
    if res.type == "SELECT":
        names = [str(v) for v in res.vars]
        rows = [tuple(_from_rdflib(r[i]) for i in range(len(names))) for r in res]
        return QueryResult("select", names, rows)
    g = Graph()
    for p, ns in TURTLE_PREFIXES.items():
        g.bind(p, ns)
    for t in res:
        g.add(t)
    return QueryResult("graph", [], [], graph_turtle=g.serialize(format="turtle"))


def run_named(kg_dir: Path, name: str, params: dict[str, str], engine: str = "oxigraph") -> QueryResult:
    """Run a named query with string parameters (bound as data).

    QueryError for an unknown query, an unknown parameter, or a missing
    required one (naming it and showing its example).
    """
    q = load_query(name)
    known = {p.name: p for p in q.params}
    for k in params:
        if k not in known:
            names = ", ".join(known) or "none"
            raise QueryError(f"query {name} has no parameter {k!r} (parameters: {names})")
    for p in q.params:
        if p.required and not params.get(p.name):
            ex = f" (example: --param {p.name}={p.example!r})" if p.example else ""
            raise QueryError(f"query {name} needs parameter {p.name!r}: {p.description}{ex}")
    # grlc convention: parameter `force` is the variable ?_force in the query.
    bindings = {"_" + k: str(v) for k, v in params.items() if v is not None and v != ""}
    return select(kg_dir, q.text, bindings, engine=engine)


def run_sparql(kg_dir: Path, text: str, engine: str = "oxigraph") -> QueryResult:
    """Run ad-hoc SPARQL (SELECT/ASK/CONSTRUCT/DESCRIBE); peelkg prefixes are predeclared."""
    if not text.strip():
        raise QueryError("empty query")
    return select(kg_dir, text, None, engine=engine)


# ---- formatting ------------------------------------------------------------


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and "." not in str(v) and "E" not in str(v).upper() else float(v)
    return v


def _short(s: str) -> str:
    s = " ".join(s.split())  # table rows stay on one line
    return s if len(s) <= TABLE_CELL_MAX else s[: TABLE_CELL_MAX - 1] + "…"


def format_result(result: QueryResult, fmt: str) -> str:
    """Render a result as table, csv, tsv or json (graph results are always Turtle)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if result.kind == "graph":
        return result.graph_turtle or ""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"boolean": bool(result.boolean)}) + "\n"
        if fmt in ("csv", "tsv"):
            return "boolean\n" + ("true" if result.boolean else "false") + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "json":
        rows = [{k: _json_value(v) for k, v in zip(result.vars, row) if v is not None} for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(result.vars)
        for row in result.rows:
            w.writerow([_cell(v) for v in row])
        return buf.getvalue()
    if fmt == "tsv":

        def esc(v: Any) -> str:
            return _cell(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

        lines = ["\t".join(result.vars)] + ["\t".join(esc(v) for v in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    # table
    cells = [[_short(_cell(v)) for v in row] for row in result.rows]
    widths = [len(v) for v in result.vars]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))

    def line(vals: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()

    out = [line(result.vars), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    n = len(result.rows)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(out) + "\n"
