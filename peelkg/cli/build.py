"""`peelkg build`, `export`, `stats`, `validate`: making and handing over the graph."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from peelkg.cli import format_option, kg_option, main
from peelkg.errors import PeelkgError
from peelkg.state import DEFAULT_OUT, KG_FILE, TRIG_FILE

EXIT_PARTIAL = 3  # --keep-going built something but skipped some inputs

_PLURAL = {"unit": "units", "partner": "partners", "power": "powers", "system": "systems",
           "programme": "programmes", "place": "places", "role": "roles", "meeting": "meetings"}


def summary_line(result, kg_file: Path) -> str:
    """`Built 2 reports (1 unchanged): 11,234 triples; entities: 40 units, ... -> kg-out/kg.ttl`."""
    from peelkg.kg_build.model import ENTITY_KINDS

    n = len(result.reports)
    head = f"Built {n:,} report{'s' if n != 1 else ''}"
    if result.reused:
        head += f" ({len(result.reused):,} unchanged)"
    kinds = [k for k in ENTITY_KINDS if result.entities_by_kind.get(k)]
    kinds += sorted(k for k in result.entities_by_kind if k not in ENTITY_KINDS and result.entities_by_kind[k])
    ents = ", ".join(f"{result.entities_by_kind[k]:,} {_PLURAL.get(k, k + 's')}" for k in kinds) or "none"
    return f"{head}: {result.triples:,} triples; entities: {ents} -> {kg_file}"


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="Output folder for kg.ttl, kg.trig and the store.")
@click.option("--keep-going", is_flag=True,
              help=f"Skip reports that cannot be read (a warning each) and build the rest; "
                   f"exit {EXIT_PARTIAL} if any was skipped.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Analyse reports in N processes (0 = all cores). Output is identical.")
@click.option("--lexicon", "lexicon_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Extra lexicon file(s) to seed entity recognition (repeatable).")
@click.option("--no-incremental", is_flag=True, help="Re-analyse every report, ignoring the build cache.")
def build_cmd(paths, out_dir, keep_going, jobs, lexicon_files, no_incremental):
    """Build the knowledge graph from report files or folders (.txt, .html, .pdf).

    Writes OUT/kg.ttl (all triples), OUT/kg.trig (one named graph per report
    plus cross-report links) and OUT/store (for queries). Unchanged reports
    are reused from the previous build in OUT. The format is recognised from
    the content; text files must be UTF-8 (or UTF-16 with a byte-order mark).
    Folders are searched recursively for .txt, .html, .htm and .pdf files.

    \b
    Exit status: 0 built; 1 error (nothing written, previous output kept);
    3 built with --keep-going but some inputs were skipped.
    """
    from peelkg.kg_build.pipeline import build
    from peelkg.kg_build.sources import discover

    def warn(msg: str) -> None:
        click.echo(f"Warning: skipped {msg}", err=True)

    try:
        skipped: list = []
        found = discover(paths, on_error=skipped.append) if keep_going else discover(paths)
        # The bar only on a terminal: logs and pipes get just the summary line.
        with click.progressbar(length=len(found), label="Building", file=sys.stderr, show_pos=True,
                               hidden=not sys.stderr.isatty()) as bar:
            result = build(list(paths), out_dir, keep_going=keep_going, jobs=jobs,
                           progress=lambda _name: bar.update(1), lexicon_files=lexicon_files,
                           incremental=not no_incremental)
    except PeelkgError as exc:
        for e in skipped if keep_going else ():
            warn(str(e))
        raise click.ClickException(str(exc)) from None
    for e in result.errors:
        warn(e)
    click.echo(summary_line(result, out_dir / KG_FILE))
    if result.errors:
        sys.exit(EXIT_PARTIAL)


# ---- export -----------------------------------------------------------------

EXPORT_FORMATS = ("ttl", "trig", "nt", "nq", "jsonld")


def _quads_by_graph(kg_dir: Path) -> dict:
    """{graph IRI: [rdflib triples]} parsed from kg.trig (fast: pyoxigraph parser)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        # Plain strings stay plain (as written), not ^^xsd:string.
        return Literal(t.value) if dt == "http://www.w3.org/2001/XMLSchema#string" else Literal(t.value, datatype=URIRef(dt), normalize=False)

    graphs: dict = {}
    with open(kg_dir / TRIG_FILE, "rb") as f:
        for q in ox.parse(f, ox.RdfFormat.TRIG):
            graphs.setdefault(URIRef(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None, []).append(
                (term(q.subject), term(q.predicate), term(q.object)))
    graphs.pop(None, None)  # kg.trig has no default-graph triples; ignore any
    return graphs


def export_text(kg_dir: Path, fmt: str) -> str:
    """The graph of a build folder in one of EXPORT_FORMATS, deterministic."""
    from peelkg.kg_build import serialise

    if fmt == "ttl":
        return (kg_dir / KG_FILE).read_text(encoding="utf-8")
    if fmt == "trig":
        if not (kg_dir / TRIG_FILE).exists():
            raise PeelkgError(f"no {TRIG_FILE} in {kg_dir}: rebuild it with `peelkg build`")
        return (kg_dir / TRIG_FILE).read_text(encoding="utf-8")
    graphs = _quads_by_graph(kg_dir)
    if fmt == "nq":
        return serialise.nquads(graphs)
    if fmt == "nt":
        return serialise.ntriples(t for ts in graphs.values() for t in ts)
    return serialise.jsonld(graphs)


def atomic_write(path: Path, text: str) -> None:
    """Write text to path via a temp file + rename (never a half-written file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise PeelkgError(f"cannot write {path}: {exc.strerror or exc}") from None


@main.command("export")
@kg_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="ttl", show_default=True,
              help="ttl = Turtle (union), trig = TriG (named graphs), nt = N-Triples, nq = N-Quads, jsonld = JSON-LD.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of standard output.")
def export_cmd(kg_dir, fmt, output):
    """Export the graph for another triplestore or tool."""
    try:
        text = export_text(kg_dir, fmt)
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write(output, text)
            click.echo(f"Wrote {output}", err=True)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None


# ---- stats ------------------------------------------------------------------

_STATS_CLASSES = """
SELECT ?g ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?g ?class
"""
_STATS_TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_stats(kg_dir: Path) -> dict:
    """Counts from the store: triples and instances per class, overall and per report."""
    from peelkg.kg_build.store import open_store
    from peelkg.namespaces import BASE, LINKS_GRAPH, PREFIXES

    store = open_store(kg_dir)
    graph_prefix = BASE + "id/graph/"
    ns = sorted(((str(v), k) for k, v in PREFIXES.items()), key=lambda x: -len(x[0]))

    def short(iri: str) -> str:
        for base, p in ns:
            if iri.startswith(base):
                return f"{p}:{iri[len(base):]}"
        return iri

    def name(g: str) -> str:
        return "links" if g == str(LINKS_GRAPH) else g[len(graph_prefix):] if g.startswith(graph_prefix) else g

    per: dict = {}
    for row in store.query(_STATS_TRIPLES):
        per.setdefault(name(row["g"].value), {"triples": 0, "classes": {}})["triples"] = int(row["n"].value)
    totals: dict = {}
    for row in store.query(_STATS_CLASSES):
        g, cls, n = name(row["g"].value), short(row["class"].value), int(row["n"].value)
        per.setdefault(g, {"triples": 0, "classes": {}})["classes"][cls] = n
    # Instances across the union (a node typed in two graphs counts once).
    q = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
    for row in store.query(q, use_default_graph_as_union=True):
        totals[short(row["class"].value)] = int(row["n"].value)
    for g in per.values():
        g["classes"] = dict(sorted(g["classes"].items()))
    reports = {k: v for k, v in sorted(per.items()) if k != "links"}
    return {
        "triples": sum(v["triples"] for v in per.values()),
        "reports": len(reports),
        "classes": dict(sorted(totals.items())),
        "graphs": {**reports, **({"links": per["links"]} if "links" in per else {})},
    }


def stats_table(stats: dict) -> str:
    lines = [f"{stats['triples']:,} triples in {stats['reports']} report graph(s) + links", "", "Class counts:"]
    width = max((len(c) for c in stats["classes"]), default=5)
    lines += [f"  {c:<{width}}  {n:>8,}" for c, n in stats["classes"].items()]
    lines += ["", "Per graph:"]
    gw = max((len(g) for g in stats["graphs"]), default=5)
    for g, v in stats["graphs"].items():
        top = ", ".join(f"{c} {n:,}" for c, n in sorted(v["classes"].items(), key=lambda x: (-x[1], x[0]))[:4])
        lines.append(f"  {g:<{gw}}  {v['triples']:>8,} triples  {top}")
    return "\n".join(lines)


@main.command("stats")
@kg_option
@format_option(("table", "json"), "table")
def stats_cmd(kg_dir, fmt):
    """Counts by class and per report graph."""
    try:
        stats = graph_stats(kg_dir)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(stats, indent=2) if fmt == "json" else stats_table(stats))


# ---- validate ---------------------------------------------------------------


@main.command("validate")
@kg_option
def validate_cmd(kg_dir):
    """Check the graph against peelkg's SHACL shapes (exit 0 conforms, 1 not)."""
    from rdflib import Graph

    try:
        from peelkg.ontology import validate
    except ImportError:
        raise click.ClickException("SHACL shapes are not available in this installation (peelkg.ontology)") from None
    g = Graph()
    try:
        g.parse(kg_dir / KG_FILE, format="turtle")
    except Exception as exc:  # noqa: BLE001 - rdflib raises many types for bad files
        raise click.ClickException(f"{KG_FILE}: cannot be parsed ({exc})") from None
    conforms, text = validate(g)
    if conforms:
        click.echo(f"{kg_dir / KG_FILE}: conforms to the peelkg shapes")
        return
    click.echo(text)
    sys.exit(1)
