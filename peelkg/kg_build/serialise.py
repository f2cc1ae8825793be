"""Deterministic, fast RDF writers: Turtle, TriG, N-Triples, N-Quads, JSON-LD.

rdflib's serialisers are correct but slow (~30k triples/s) and their output
order is not guaranteed, so the build writes RDF itself:

* subjects sorted by IRI; ``rdf:type`` (``a``) first, then predicates sorted
  by IRI; objects sorted (IRIs, blank nodes, then literals);
* prefixed names only where the local part is a plain PN_LOCAL (letters,
  digits, ``_ - .``); anything else (e.g. ``id:report/x`` — ``/`` would need
  escaping) is written as a full ``<IRI>``;
* literals on one line with Turtle escapes; numbers and booleans in short form
  only when their lexical form is exactly the Turtle token (so they parse back
  to the same literal), otherwise ``"lex"^^datatype``.

Terms are rdflib terms (URIRef, Literal, BNode). Output parses in rdflib and
pyoxigraph to a graph isomorphic to the input (tests/test_export.py).
"""

from __future__ import annotations

import json
import re
from typing import Iterable, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from peelkg.namespaces import PREFIXES

Triple = tuple  # (subject, predicate, object) of rdflib terms

_RDF_TYPE = RDF.type
_RDF_TYPE_S = str(RDF.type)
_PN_LOCAL = re.compile(r"\A[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")
_BNODE_LABEL = re.compile(r"\A[A-Za-z0-9_][A-Za-z0-9_\-]*\Z")
_SHORT = {
    str(XSD.integer): re.compile(r"\A[+-]?[0-9]+\Z"),
    str(XSD.decimal): re.compile(r"\A[+-]?[0-9]*\.[0-9]+\Z"),
    str(XSD.boolean): re.compile(r"\A(?:true|false)\Z"),
}
_XSD_STRING = str(XSD.string)

# String escapes: the Turtle ECHARs, \uXXXX for other control characters.
_STR_ESC = {i: f"\\u{i:04X}" for i in list(range(0x20)) + [0x7F]}
_STR_ESC.update({0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x08: "\\b", 0x0C: "\\f"})
_NEEDS_ESC = re.compile(r'[\x00-\x1f\x7f"\\]')
# Characters not allowed raw inside <IRI>.
_IRI_ESC = {i: f"\\u{i:04X}" for i in list(range(0x21)) + [ord(c) for c in '<>"{}|^`\\']}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _esc_str(s: str) -> str:
    return s.translate(_STR_ESC) if _NEEDS_ESC.search(s) else s


def _iri_ref(iri: str) -> str:
    return "<" + (iri.translate(_IRI_ESC) if _IRI_BAD.search(iri) else iri) + ">"


def _sort_key(term) -> tuple:
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    if isinstance(term, BNode):
        return (1, str(term), "", "")
    return (0, str(term), "", "")


class _Writer:
    """Term formatting with a per-writer memo of IRI -> text."""

    def __init__(self, prefixes: Mapping[str, str] | None, short: bool):
        self.short = short
        # Longest namespace first so 'id:' never shadows a longer namespace.
        self.prefixes = sorted(((str(ns), p) for p, ns in (prefixes or {}).items()), key=lambda x: -len(x[0]))
        self.memo: dict[str, str] = {}

    def iri(self, term: str) -> str:
        out = self.memo.get(term)
        if out is None:
            iri = str(term)  # plain str: URIRef + str would build (and warn about) URIRefs
            out = None
            if self.short:
                for ns, p in self.prefixes:
                    if iri.startswith(ns):
                        local = iri[len(ns):]
                        if local == "" or _PN_LOCAL.match(local):
                            out = f"{p}:{local}"
                        break
            if out is None:
                out = _iri_ref(iri)
            self.memo[term] = out
        return out

    def term(self, t) -> str:
        tt = type(t)  # type() dispatch: isinstance() on rdflib terms is slow (ABC checks)
        if tt is URIRef:
            return self.iri(t)
        if tt is Literal or (tt is not BNode and isinstance(t, Literal)):
            lex = str(t)
            lang = t.language
            if lang:
                return f'"{_esc_str(lex)}"@{lang}'
            dt = t.datatype
            if dt is None:
                return f'"{_esc_str(lex)}"'
            dts = str(dt)
            if self.short:
                pat = _SHORT.get(dts)
                if pat is not None and pat.match(lex):
                    return lex
            return f'"{_esc_str(lex)}"^^{self.iri(dts)}'
        if tt is BNode or isinstance(t, BNode):
            label = str(t)
            return "_:" + (label if _BNODE_LABEL.match(label) else "b" + re.sub(r"[^A-Za-z0-9_]", "_", label))
        if isinstance(t, str):  # URIRef subclasses and plain str IRIs
            return self.iri(t)
        raise TypeError(f"not an RDF term: {t!r}")


def turtle_header(prefixes: Mapping[str, str] | None = None) -> str:
    """The @prefix lines (every prefix, sorted by name) and a blank line."""
    prefixes = PREFIXES if prefixes is None else prefixes
    return "".join(f"@prefix {p}: {_iri_ref(str(ns))} .\n" for p, ns in sorted(prefixes.items())) + "\n"


def turtle_body(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> str:
    """Turtle statements (no @prefix lines), one block per subject, sorted."""
    return turtle_body_count(triples, prefixes)[0]


def turtle_body_count(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> tuple[str, int]:
    """(turtle_body(triples), number of distinct triples written)."""
    w = _Writer(PREFIXES if prefixes is None else prefixes, short=True)
    # Group by subject and predicate (URIRef hashing is cheap); objects are
    # de-duplicated by their written form, which avoids hashing rdflib
    # Literals (slow, pure Python) and is one-to-one with the terms.
    by_s: dict = {}
    for s, p, o in triples:
        preds = by_s.get(s)
        if preds is None:
            by_s[s] = {p: [o]}
        else:
            objs = preds.get(p)
            if objs is None:
                preds[p] = [o]
            else:
                objs.append(o)
    term = w.term
    iri = w.iri
    memo = w.memo
    n = 0
    blocks = []
    for s in sorted(by_s, key=str):
        preds = by_s[s]
        parts = []
        for ps, p in sorted((str(p), p) for p in preds):
            objs = preds[p]
            if len(objs) == 1:
                o = objs[0]
                objs_text = (memo.get(o) if type(o) is URIRef else None) or term(o)
                n += 1
            else:
                texts = sorted({(memo.get(o) if type(o) is URIRef else None) or term(o) for o in objs})
                n += len(texts)
                objs_text = ", ".join(texts)
            if ps == _RDF_TYPE_S:  # rdf:type first, written "a"
                parts.insert(0, "a " + objs_text)
            else:
                parts.append(iri(p) + " " + objs_text)
        blocks.append(term(s) + " " + " ;\n    ".join(parts) + " .\n\n")
    return "".join(blocks), n


def turtle(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> str:
    """A complete, deterministic Turtle document."""
    return turtle_header(prefixes) + turtle_body(triples, prefixes)


def trig_block(graph, triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> str:
    """One named graph as a TriG block: ``<g> { ... }`` (no @prefix lines)."""
    return trig_wrap(graph, turtle_body(triples, prefixes), prefixes)


def trig_wrap(graph, body: str, prefixes: Mapping[str, str] | None = None) -> str:
    """A Turtle body (from turtle_body) as the TriG block of named graph ``graph``."""
    opening, closing = trig_brackets(graph, prefixes)
    return opening + body + closing


def trig_brackets(graph, prefixes: Mapping[str, str] | None = None) -> tuple[str, str]:
    """What goes before and after a Turtle body to make it graph ``graph``'s TriG
    block (for bodies streamed from files rather than held in memory)."""
    w = _Writer(PREFIXES if prefixes is None else prefixes, short=True)
    return w.term(graph) + " {\n", "}\n\n"


def trig(graphs: Mapping, prefixes: Mapping[str, str] | None = None) -> str:
    """A complete TriG document: graphs sorted by name, each sorted as in turtle()."""
    return turtle_header(prefixes) + "".join(
        trig_block(g, graphs[g], prefixes) for g in sorted(graphs, key=_sort_key)
    )


def ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples, one statement per line, lines sorted and de-duplicated."""
    w = _Writer(None, short=False)
    t = w.term
    lines = {f"{t(s)} {t(p)} {t(o)} .\n" for s, p, o in triples}
    return "".join(sorted(lines))


def nquads(graphs: Mapping) -> str:
    """N-Quads of {graph: triples}, lines sorted and de-duplicated."""
    w = _Writer(None, short=False)
    t = w.term
    lines = set()
    for g, triples in graphs.items():
        gt = t(g)
        lines.update(f"{t(s)} {t(p)} {t(o)} {gt} .\n" for s, p, o in triples)
    return "".join(sorted(lines))


def jsonld(graphs: Mapping, prefixes: Mapping[str, str] | None = None) -> str:
    """JSON-LD 1.1 of {graph: triples}: one node object per graph, subjects sorted.

    Written by hand (not rdflib) so the output is deterministic; IRIs are
    compacted with the @context prefixes.
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    ordered = sorted(((str(ns), p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))

    def compact(iri: str) -> str:
        for ns, p in ordered:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{p}:{iri[len(ns):]}"
        return iri

    def node_id(t) -> str:
        return f"_:{t}" if isinstance(t, BNode) else compact(str(t))

    def value(o) -> dict:
        if isinstance(o, Literal):
            v: dict = {"@value": str(o)}
            if o.language:
                v["@language"] = o.language
            elif o.datatype is not None and str(o.datatype) != _XSD_STRING:
                v["@type"] = compact(str(o.datatype))
            elif o.datatype is not None:
                v["@type"] = compact(_XSD_STRING)
            return v
        return {"@id": node_id(o)}

    out_graphs = []
    for g in sorted(graphs, key=_sort_key):
        by_s: dict = {}
        for s, p, o in graphs[g]:
            by_s.setdefault(s, {}).setdefault(p, set()).add(o)
        nodes = []
        for s in sorted(by_s, key=_sort_key):
            node: dict = {"@id": node_id(s)}
            preds = by_s[s]
            for p in sorted(preds, key=lambda x: (x != _RDF_TYPE, str(x))):
                objs = sorted(preds[p], key=_sort_key)
                if p == _RDF_TYPE and all(isinstance(o, URIRef) for o in objs):
                    node["@type"] = [compact(str(o)) for o in objs]
                else:
                    node[compact(str(p))] = [value(o) for o in objs]
            nodes.append(node)
        out_graphs.append({"@id": node_id(g), "@graph": nodes})
    doc = {"@context": {p: str(ns) for p, ns in sorted(prefixes.items())}, "@graph": out_graphs}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
