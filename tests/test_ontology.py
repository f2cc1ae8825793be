"""The ontology and SHACL shapes: documented, complete for what rdf.py writes, and enforced."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

try:  # the hand-built model of test_rdf.py
    from test_rdf import sample_corpus
except ImportError:  # tests/ imported as a package
    from tests.test_rdf import sample_corpus

from peelkg import ontology
from peelkg.errors import PeelkgError
from peelkg.kg_build.model import GRADE_RANK, GRADES
from peelkg.kg_build.rdf import corpus_triples, report_triples
from peelkg.namespaces import GRADE, ID, LEX, OA, PEEL
from peelkg.state import KG_FILE

DECLARING_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}


def _sample_graph() -> Graph:
    corpus = sample_corpus()
    g = Graph()
    for rg in corpus.reports:
        for t in report_triples(rg):
            g.add(t)
    for t in corpus_triples(corpus):
        g.add(t)
    return g


def _declared(onto: Graph) -> set:
    return {s for t in DECLARING_TYPES for s in onto.subjects(RDF.type, t)}


def _peel_terms(g: Graph) -> set:
    """Every peel: IRI used as a predicate, class or object in g."""
    used = set()
    for s, p, o in g:
        for x in (p, o):
            if isinstance(x, URIRef) and str(x).startswith(str(PEEL)):
                used.add(x)
    return used


def test_every_term_has_label_and_comment():
    onto = ontology.ontology_graph()
    terms = _declared(onto)
    assert len(terms) > 80  # classes, properties and the concept schemes
    missing = sorted(str(t) for t in terms if onto.value(t, RDFS.label) is None or onto.value(t, RDFS.comment) is None)
    assert missing == []


def test_properties_have_ranges_and_classes_link_to_standards():
    onto = ontology.ontology_graph()
    props = set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    assert [str(p) for p in sorted(props) if onto.value(p, RDFS.range) is None] == []
    org = "http://www.w3.org/ns/org#"
    assert (PEEL.Unit, RDFS.subClassOf, URIRef(org + "OrganizationalUnit")) in onto
    assert (PEEL.Statistic, RDFS.subClassOf, URIRef("http://purl.org/linked-data/cube#Observation")) in onto
    assert (PEEL.InspectionReport, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in onto
    for cls in ("Finding", "AreaForImprovement", "CauseOfConcern", "Recommendation"):
        assert (PEEL[cls], RDFS.subClassOf, PEEL.Statement) in onto
    for cls in ("Unit", "Partner", "Power", "System", "Programme", "Place", "Role", "Meeting"):
        assert (PEEL[cls], RDFS.subClassOf, PEEL.Entity) in onto


def test_grade_scale_matches_the_model():
    triples = ontology.grade_scale_triples()
    g = Graph()
    for t in triples:
        g.add(t)
    concepts = set(g.subjects(SKOS.inScheme, GRADE.scale))
    assert {str(g.value(c, SKOS.prefLabel)) for c in concepts} == set(GRADES)
    for c in concepts:
        label = str(g.value(c, SKOS.prefLabel))
        rank = g.value(c, PEEL.rank)
        assert (rank.toPython() if rank is not None else None) == GRADE_RANK.get(label), label
    assert (GRADE.scale, RDF.type, SKOS.ConceptScheme) in g
    assert triples == sorted(triples)  # deterministic order


def test_every_peel_term_written_is_declared():
    declared = _declared(ontology.ontology_graph())
    used = _peel_terms(_sample_graph())
    assert len(used) > 50
    assert sorted(str(t) for t in used - declared) == []


def test_every_peel_term_in_the_shape_doc_is_declared():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "rdf-shape.md").read_text(encoding="utf-8")
    terms = {PEEL[t] for t in re.findall(r"\bpeel:([A-Za-z][A-Za-z0-9]*)", doc)}
    assert len(terms) > 50
    assert sorted(str(t) for t in terms - _declared(ontology.ontology_graph())) == []


def test_bundled_files_parse():
    assert len(ontology.shapes_graph()) > 100
    assert "owl:Ontology" in ontology.read_text("peelkg.ttl")
    with pytest.raises(PeelkgError, match="no-such-file.ttl"):
        ontology.read_text("no-such-file.ttl")


def test_lexicon_parses():
    try:
        ontology.read_text("lexicon.ttl")
    except Exception:
        pytest.skip("lexicon.ttl not written yet (owned by the entities helper)")
    lex = ontology.lexicon_graph()
    concepts = set(lex.subjects(RDF.type, SKOS.Concept))
    assert concepts, "lexicon has no skos:Concept"
    assert all(str(c).startswith(str(LEX)) for c in concepts)
    declared = _declared(ontology.ontology_graph())
    assert sorted(str(t) for t in _peel_terms(lex) - declared) == []  # its peel: terms are in the ontology


def test_sample_graph_conforms():
    conforms, text = ontology.validate(_sample_graph())
    assert conforms, text


def test_report_graph_alone_and_dataset_conform():
    """One report's graph validates on its own (the concept schemes are added), and so does a
    TriG-style dataset of named graphs, as the union of its graphs."""
    corpus = sample_corpus()
    g = Graph()
    for t in report_triples(corpus.reports[0]):
        g.add(t)
    g.add((ID["force/bedfordshire-police"], RDF.type, PEEL.PoliceForce))
    g.add((ID["force/bedfordshire-police"], SKOS.prefLabel, Literal("Bedfordshire Police")))
    g.add((ID["force/bedfordshire-police"], PEEL.nameKey, Literal("bedfordshire police")))  # as the links graph has it
    before = len(g)
    conforms, text = ontology.validate(g)
    assert conforms, text
    assert len(g) == before  # the caller's graph is not changed
    ds = Dataset()
    for rg in corpus.reports:
        graph = ds.graph(ID[f"graph/{rg.report.key}"])
        for t in report_triples(rg):
            graph.add(t)
    links = ds.graph(ID["graph/links"])
    for t in corpus_triples(corpus):
        links.add(t)
    conforms, text = ontology.validate(ds)
    assert conforms, text
    links.remove((None, PEEL.status, None))
    assert not ontology.validate(ds)[0]


def _broken(mutate) -> tuple[bool, str]:
    g = _sample_graph()
    mutate(g)
    return ontology.validate(g)


R17 = ID["report/bedfordshire-police-2017-effectiveness"]


@pytest.mark.parametrize(
    "name, mutate, expect",
    [
        ("judgement without grade",
         lambda g: g.remove((URIRef(f"{R17}/question/1/judgement"), PEEL.grade, None)), "grade"),
        ("grade outside the scale",
         lambda g: g.set((URIRef(f"{R17}/question/1/judgement"), PEEL.grade, GRADE["excellent"])), "grade"),
        ("two grades",
         lambda g: g.add((URIRef(f"{R17}/judgement"), PEEL.grade, GRADE["good"])), "grade"),
        ("report without year",
         lambda g: g.remove((R17, PEEL.year, None)), "year"),
        ("evidence with start after end",
         lambda g: g.set((URIRef(f"{R17}/question/1/afi/1/evidence/position"), OA.start, Literal(10_000))), "start"),
        ("statement without evidence",
         lambda g: g.remove((URIRef(f"{R17}/finding/1"), PEEL.evidence, None)), "evidence"),
        ("entity without prefLabel",
         lambda g: g.remove((URIRef(f"{R17}/unit/vsom"), SKOS.prefLabel, None)), "prefLabel"),
        ("entity without report",
         lambda g: g.remove((URIRef(f"{R17}/unit/vsom"), PEEL.inReport, None)), "inReport"),
        ("follow-up with unknown status",
         lambda g: g.set((URIRef(f"{ID['report/bedfordshire-police-2018-effectiveness']}/followup/1-1"),
                          PEEL.status, PEEL.Forgotten)), "status"),
        ("evidence without a position selector",
         lambda g: g.remove((URIRef(f"{R17}/finding/1/evidence"), OA.hasSelector,
                             URIRef(f"{R17}/finding/1/evidence/position"))), "hasSelector"),
        ("paragraph without text",
         lambda g: g.remove((URIRef(f"{R17}/paragraph/1"), PEEL.text, None)), "text"),
        ("finding without polarity",
         lambda g: g.remove((URIRef(f"{R17}/finding/1"), PEEL.polarity, None)), "polarity"),
        ("follow-up of an AFI that does not exist",
         lambda g: g.set((URIRef(f"{ID['report/bedfordshire-police-2018-effectiveness']}/followup/1-1"),
                          PEEL.followsUp, URIRef(f"{R17}/question/9/afi/9"))), "followsUp"),
        ("statistic without value text",
         lambda g: g.remove((URIRef(f"{R17}/statistic/1"), PEEL.valueText, None)), "valueText"),
    ],
)
def test_broken_graph_fails_validation(name, mutate, expect):
    conforms, text = _broken(mutate)
    assert not conforms, name
    assert expect in text, text


PIPELINE_STEPS = ("sources", "reports", "entities", "findings", "linking", "serialise", "store", "pipeline")


def _has_pipeline() -> bool:
    return all(importlib.util.find_spec(f"peelkg.kg_build.{m}") is not None for m in PIPELINE_STEPS)


@pytest.fixture(scope="module")
def example_graph(request) -> Graph:
    if not _has_pipeline():
        pytest.skip("pipeline steps not all written yet")
    kg = request.getfixturevalue("example_kg")
    return Graph().parse(kg / KG_FILE, format="turtle")


def test_example_build_conforms(example_graph):
    started = time.perf_counter()
    conforms, text = ontology.validate(example_graph)
    elapsed = time.perf_counter() - started
    print(f"SHACL validation of {len(example_graph)} triples: {elapsed:.2f}s")
    assert conforms, text[:5000]


def test_example_build_uses_only_declared_terms(example_graph):
    declared = _declared(ontology.ontology_graph())
    assert sorted(str(t) for t in _peel_terms(example_graph) - declared) == []


def test_example_build_broken_fails(example_graph):
    judgement = next(example_graph.subjects(PEEL.grade, None))
    removed = list(example_graph.triples((judgement, PEEL.grade, None)))
    try:
        for t in removed:
            example_graph.remove(t)
        conforms, text = ontology.validate(example_graph)
    finally:
        for t in removed:
            example_graph.add(t)
    assert not conforms
    assert str(judgement) in text and "grade" in text


def test_example_build_evidence_and_graph_layout(example_graph, request):
    """No blank nodes; every quote is as long as its position span; and in kg.trig each
    report's named graph only holds triples about that report (what incremental rebuilds rely on)."""
    import pyoxigraph

    from peelkg.state import TRIG_FILE

    assert not any(isinstance(x, BNode) for t in example_graph for x in t)
    spans = 0
    for pos in example_graph.subjects(RDF.type, OA.TextPositionSelector):
        ev = next(example_graph.subjects(OA.hasSelector, pos))
        quote = next(q for q in example_graph.objects(ev, OA.hasSelector) if q != pos)
        start, end = (example_graph.value(pos, OA[p]).toPython() for p in ("start", "end"))
        assert len(str(example_graph.value(quote, OA.exact))) == end - start
        spans += 1
    assert spans > 100
    kg = request.getfixturevalue("example_kg")
    graphs = set()
    for quad in pyoxigraph.parse(path=str(kg / TRIG_FILE), format=pyoxigraph.RdfFormat.TRIG):
        g = quad.graph_name.value
        graphs.add(g)
        if g == str(ID["graph/links"]):
            continue
        base = str(ID["report/"]) + g[len(str(ID["graph/"])):]
        assert quad.subject.value == base or quad.subject.value.startswith(base + "/"), (g, quad.subject)
    assert str(ID["graph/links"]) in graphs and len(graphs) == 3
