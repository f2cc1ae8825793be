"""Every namespace and IRI pattern peelkg uses. No IRI strings elsewhere."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/peelkg/"

PEEL = Namespace(BASE + "def#")  # the ontology
ID = Namespace(BASE + "id/")  # instance data
GRADE = Namespace(BASE + "grade/")  # SKOS grade scale concepts
LEX = Namespace(BASE + "lexicon/")  # SKOS lexicon concepts
SHAPES = Namespace(BASE + "shapes#")

ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "peel": PEEL,
    "id": ID,
    "grade": GRADE,
    "lex": LEX,
    "org": ORG,
    "qb": QB,
    "oa": OA,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "sh": SH,
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))


# ---- IRI patterns (natural keys) ------------------------------------------


def force_iri(force_key: str) -> URIRef:
    return ID[f"force/{force_key}"]


def report_iri(report_key: str) -> URIRef:
    return ID[f"report/{report_key}"]


def report_graph_iri(report_key: str) -> URIRef:
    """The named graph holding one report's triples."""
    return ID[f"graph/{report_key}"]


LINKS_GRAPH = ID["graph/links"]  # cross-report links, follow-ups, grade changes


def grade_iri(grade: str) -> URIRef:
    """'Requires improvement' -> grade:requires-improvement."""
    from peelkg.kg_build.slugs import slugify

    return GRADE[slugify(grade)]


def canonical_entity_iri(force_key: str, entity_key: str) -> URIRef:
    """One real unit/partner/power of a force across its reports."""
    return ID[f"force/{force_key}/{entity_key}"]


def child_iri(parent: URIRef, *parts: object) -> URIRef:
    """parent + '/a/b/c': questions, AFIs, paragraphs ... of a report."""
    return URIRef(str(parent) + "".join(f"/{p}" for p in parts))
