"""The bundled ontology, SHACL shapes and lexicon, and SHACL validation.

The Turtle files ship inside the package and are read with importlib.resources,
so this works from a wheel as well as from a checkout.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SKOS

from peelkg.errors import PeelkgError
from peelkg.namespaces import GRADE, PREFIXES

ONTOLOGY_FILE = "peelkg.ttl"
SHAPES_FILE = "shapes.ttl"
LEXICON_FILE = "lexicon.ttl"


def read_text(name: str) -> str:
    """Text of a bundled file of this package, e.g. read_text('peelkg.ttl')."""
    try:
        return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PeelkgError(f"bundled ontology file not found: {name}") from None


def _parse(name: str) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.parse(data=read_text(name), format="turtle")
    return g


@lru_cache(maxsize=None)
def _cached(name: str) -> Graph:
    return _parse(name)


def _copy(g: Graph) -> Graph:
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    for t in g:
        out.add(t)
    return out


def ontology_graph() -> Graph:
    """The peelkg ontology (classes, properties, grade scale, concept schemes): a fresh copy."""
    return _copy(_cached(ONTOLOGY_FILE))


def shapes_graph() -> Graph:
    """The SHACL shapes: a fresh copy."""
    return _copy(_cached(SHAPES_FILE))


def lexicon_graph() -> Graph:
    """The SKOS lexicon that seeds entity recognition: a fresh copy."""
    return _copy(_cached(LEXICON_FILE))


def _scheme_triples(schemes: set[URIRef]) -> list[tuple]:
    g = _cached(ONTOLOGY_FILE)
    subjects = set(schemes)
    for scheme in schemes:
        subjects.update(g.subjects(SKOS.inScheme, scheme))
    return sorted(t for s in subjects for t in g.triples((s, None, None)))


@lru_cache(maxsize=None)
def _grade_scale() -> tuple:
    return tuple(_scheme_triples({GRADE.scale}))


@lru_cache(maxsize=None)
def _vocabulary() -> tuple:
    g = _cached(ONTOLOGY_FILE)
    return tuple(_scheme_triples(set(g.subjects(RDF.type, SKOS.ConceptScheme))))


def grade_scale_triples() -> list[tuple]:
    """The SKOS grade scale (grade:scale and its six concepts), sorted."""
    return list(_grade_scale())


def vocabulary_triples() -> list[tuple]:
    """Every concept scheme of the ontology with its concepts (grades, polarities,
    follow-up statuses), sorted: what the corpus graph carries so queries can
    read their labels without loading the ontology."""
    return list(_vocabulary())


def validate(data_graph: Graph | Dataset) -> tuple[bool, str]:
    """SHACL-validate a graph against the bundled shapes.

    A Dataset (e.g. a parsed kg.trig) is validated as the union of its graphs,
    since reports refer to the shared nodes of the links graph. A graph without
    the concept schemes (e.g. one report's graph) is validated with them added,
    on a copy. No inference: the shapes target the types rdf.py asserts.
    (RDFS inference made validating the example build ~8x slower, 13 s against
    1.6 s CPU, and would make canonical entities peel:Entity too.)
    Returns (conforms, human-readable report text).
    """
    import pyshacl  # heavy import; only validation needs it

    if getattr(data_graph, "context_aware", False):  # Dataset / ConjunctiveGraph
        union = Graph()
        for s, p, o, _g in data_graph.quads((None, None, None, None)):
            union.add((s, p, o))
        data_graph = union
    if (GRADE.scale, RDF.type, SKOS.ConceptScheme) not in data_graph:
        data_graph = _copy(data_graph)
        for t in _vocabulary():
            data_graph.add(t)
    conforms, _report_graph, text = pyshacl.validate(
        data_graph,
        shacl_graph=_cached(SHAPES_FILE),
        inference="none",
        advanced=False,
        allow_warnings=False,
    )
    return bool(conforms), str(text)


__all__ = [
    "read_text",
    "ontology_graph",
    "shapes_graph",
    "lexicon_graph",
    "grade_scale_triples",
    "vocabulary_triples",
    "validate",
]
