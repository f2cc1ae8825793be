"""`peelkg export`: every format parses back to the same graph; -o writes atomically.
Also the Turtle writer itself: isomorphic to rdflib's, escapes untrusted text."""

from __future__ import annotations

import io
from decimal import Decimal

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from peelkg.cli import main
from peelkg.kg_build import serialise
from peelkg.namespaces import GRADE, ID, PEEL

OX_FORMAT = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
             "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMAT = {"ttl": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}


def export(kg, *args):
    return CliRunner().invoke(main, ["export", "--kg", str(kg), *map(str, args)])


def canonical(quads) -> set:
    """Quads as the store keeps them (canonical literals: "2269.0"^^xsd:decimal -> "2269")."""
    mem = ox.Store()
    mem.extend(q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return set(mem)


@pytest.fixture(scope="module")
def store_quads(example_kg):
    return set(ox.Store.read_only(str(example_kg / "store")))


@pytest.fixture(scope="module")
def exported(example_kg) -> dict:
    """Each format exported once to stdout: {fmt: bytes}."""
    out = {}
    for fmt in OX_FORMAT:
        res = export(example_kg, "--format", fmt)
        assert res.exit_code == 0, res.output
        out[fmt] = res.stdout_bytes
    return out


@pytest.mark.parametrize("fmt", sorted(OX_FORMAT))
def test_each_format_parses_back_to_the_same_graph(exported, store_quads, fmt):
    data = exported[fmt]
    parsed = set(ox.parse(data, OX_FORMAT[fmt]))
    if fmt in ("trig", "nq", "jsonld"):  # named graphs kept
        assert canonical(parsed) == store_quads
    else:  # the union of the graphs
        assert canonical(parsed) == {ox.Quad(q.subject, q.predicate, q.object) for q in store_quads}
    # rdflib reads it too, with the same number of statements
    ds = Dataset()
    ds.parse(source=io.BytesIO(data), format=RDFLIB_FORMAT[fmt])
    n = len(set(ds.quads((None, None, None, None)))) if fmt in ("trig", "nq", "jsonld") else len(
        {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})
    assert n == len(parsed)


@pytest.mark.parametrize("fmt", ["nq", "jsonld"])
def test_export_is_deterministic(example_kg, exported, fmt):
    assert export(example_kg, "--format", fmt).stdout_bytes == exported[fmt]


def test_output_file_is_written_atomically(example_kg, tmp_path):
    target = tmp_path / "graph.nq"
    target.write_text("old content\n")
    res = export(example_kg, "--format", "nq", "-o", target)
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and res.stderr == f"Wrote {target}\n"
    assert target.read_bytes() == export(example_kg, "--format", "nq").stdout_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq"]  # no temp file left


def test_output_into_missing_folder_fails_cleanly(example_kg, tmp_path):
    res = export(example_kg, "--format", "ttl", "-o", tmp_path / "no" / "such" / "dir.ttl")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: cannot write ") and res.stderr.count("\n") == 1
    assert "Traceback" not in res.output
    assert not (tmp_path / "no").exists()


def test_export_without_a_build_says_what_to_do(tmp_path):
    res = export(tmp_path / "empty")
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: no knowledge graph in {tmp_path / 'empty'}: run `peelkg build")


# ---- the Turtle writer -------------------------------------------------------


def test_turtle_is_isomorphic_to_what_rdflib_writes(example_paths):
    """On a real report's triples: our Turtle, rdflib's Turtle and the triples
    themselves are the same graph (rdflib's isomorphism check)."""
    from peelkg.kg_build.pipeline import analyse_source
    from peelkg.kg_build.rdf import report_triples

    triples = report_triples(analyse_source(example_paths[1]))
    g = Graph()
    for t in triples:
        g.add(t)
    ours = Graph().parse(data=serialise.turtle(triples), format="turtle")
    theirs = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert len(ours) == len(g) > 1000
    assert isomorphic(ours, theirs) and isomorphic(ours, g)
    with_ox = {(q.subject, q.predicate, q.object) for q in ox.parse(serialise.turtle(triples).encode(), ox.RdfFormat.TURTLE)}
    assert len(with_ox) == len(g)


NASTY = 'The "VSOM" team\'s <script>alert(1)</script> \\ back\nslash\r\t\x0c\x01 \u2019caf\u00e9 \U0001F600'
R = ID["report/x-2017"]
TRIPLES = [
    (R, RDF.type, PEEL.InspectionReport),
    (R, RDF.type, PEEL.Entity),
    (R, PEEL.text, Literal(NASTY)),
    (R, PEEL.text, Literal("")),
    (R, PEEL.year, Literal(2017)),
    (R, PEEL.value, Literal(Decimal("-5.0"))),
    (R, PEEL.value, Literal("-5", datatype=XSD.decimal)),  # not a Turtle DECIMAL token: stays quoted
    (R, PEEL.flag, Literal(True)),
    (R, PEEL.ratio, Literal(1.5e3)),
    (R, PEEL.issued, Literal("2018-03", datatype=XSD.gYearMonth)),
    (R, RDFS.label, Literal("Bedfordshire", lang="en-GB")),
    (R, PEEL.grade, GRADE["requires-improvement"]),
    (R, PEEL.odd, URIRef("https://w3id.org/peelkg/def#a.b")),
    (R, PEEL.blank, BNode("b1")),
    (GRADE.good, RDFS.label, Literal("Good")),
]


def test_turtle_writer_round_trips_nasty_text_in_both_parsers():
    text = serialise.turtle(TRIPLES)
    g = Graph()
    for t in TRIPLES:
        g.add(t)
    assert isomorphic(Graph().parse(data=text, format="turtle"), g)
    assert len(list(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE))) == len(TRIPLES)
    assert isomorphic(Graph().parse(data=serialise.ntriples(TRIPLES), format="nt"), g)


def test_turtle_writer_layout_is_sorted_and_uses_safe_prefixed_names():
    body = serialise.turtle_body([
        (R, PEEL.year, Literal(2017)),
        (R, PEEL.grade, GRADE["requires-improvement"]),
        (R, RDF.type, PEEL.InspectionReport),
        (GRADE.good, RDFS.label, Literal('say "hi"\n')),
        (R, PEEL.value, Literal("-5", datatype=XSD.decimal)),
    ])
    assert body == (
        'grade:good rdfs:label "say \\"hi\\"\\n" .\n\n'
        "<https://w3id.org/peelkg/id/report/x-2017> a peel:InspectionReport ;\n"
        "    peel:grade grade:requires-improvement ;\n"
        '    peel:value "-5"^^xsd:decimal ;\n'
        "    peel:year 2017 .\n\n"
    )


def test_trig_and_nquads_keep_graphs():
    graphs = {ID["graph/a"]: TRIPLES[:5], ID["graph/b"]: TRIPLES[3:9]}
    want = {(str(g), str(s), str(p), str(o)) for g, ts in graphs.items() for s, p, o in ts}
    for text, fmt in ((serialise.trig(graphs), ox.RdfFormat.TRIG), (serialise.nquads(graphs), ox.RdfFormat.N_QUADS),
                      (serialise.jsonld(graphs), ox.RdfFormat.JSON_LD)):
        got = {(q.graph_name.value, q.subject.value, q.predicate.value, q.object.value)
               for q in ox.parse(text.encode("utf-8"), fmt)}
        assert got == want, fmt
