"""peelkg view / export-network: the interactive network of units, partners,
powers and systems and the issues the inspectors raised."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.graph.project import VIEW_MAX_NODES, ISSUE_TYPES, aggregate, ego, for_view, match_nodes, project
from peelkg.graph.render import _vis_js as vis_js, render_html

PAYLOAD = "<script>alert(1)</script>"

# A tiny graph in the shape of docs/rdf-shape.md, with hostile report text.
TINY_TTL = """
@prefix peel: <https://w3id.org/peelkg/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@base <https://w3id.org/peelkg/id/> .

<force/x> a peel:PoliceForce ; skos:prefLabel "X Police" .
<report/x-2017> a peel:InspectionReport ; rdfs:label "X Police — PEEL 2017" ; dcterms:title "PEEL 2017" ;
  peel:year 2017 ; peel:force <force/x> .
<report/x-2017/section/1> a peel:Section ; dcterms:title "Vulnerability </title><script>alert(2)</script>" ; peel:index 1 .
<report/x-2017/unit/hub> a peel:Unit, peel:Entity ; skos:prefLabel "Victim hub <b>bold</b>" ; skos:notation "VH" ;
  peel:inReport <report/x-2017> .
<report/x-2017/question/1/afi/1> a peel:AreaForImprovement ; peel:index 1 ;
  peel:text "The force should stop <script>alert(1)</script> in the victim hub." ;
  peel:inReport <report/x-2017> ; peel:inSection <report/x-2017/section/1> ; peel:mentions <report/x-2017/unit/hub> .
"""


def nodes_in(html: str) -> list[dict]:
    """The node data embedded in a view page."""
    m = re.search(r"^var NODES = (.*);$", html, re.M)
    assert m, "no NODES in the page"
    return json.loads(m.group(1))


def find(graph: nx.Graph, name: str) -> list[str]:
    return match_nodes(graph, name)


def run_view(kg: Path, out: Path, *args: str):
    res = CliRunner().invoke(main, ["view", "--kg", str(kg), "-o", str(out), *args])
    return res


@pytest.fixture(scope="module")
def whole(example_kg) -> nx.Graph:
    return project(example_kg)


@pytest.fixture()
def tiny_kg(tmp_path) -> Path:
    (tmp_path / "kg.ttl").write_text(TINY_TTL, encoding="utf-8")
    return tmp_path


# ---- what the whole graph shows --------------------------------------------------


def test_whole_graph_has_entities_and_issues(whole):
    types = {d["type"] for _, d in whole.nodes(data=True)}
    for t in ("unit", "partner", "power", "system", "afi", "weakness", "strength", "finding", "report"):
        assert t in types, f"no {t} node in the whole graph (types: {sorted(types)})"
    for _, _, d in whole.edges(data=True):
        assert d["type"] in ("mentioned-in", "co-mentioned", "raised-in") and d["weight"] >= 1


@pytest.mark.parametrize("name", ["Emerald team", "CAVAA", "ICAIT", "VSOM team"])
def test_named_units_are_joined_to_issues(whole, name):
    hits = find(whole, name)
    assert hits, f"{name} is not a node"
    issues = {nb for h in hits for nb in whole[h] if whole.nodes[nb]["type"] in ISSUE_TYPES + ("strength", "finding")}
    assert issues, f"{name} is not linked to any AFI or finding"


def test_a_unit_named_only_by_acronym_is_joined_to_its_area_for_improvement(whole):
    # 2018/19 AFI: "... reduce the workload of CAVAA officers ..."; the report never expands CAVAA
    (cavaa,) = find(whole, "CAVAA")
    assert "afi" in {whole.nodes[nb]["type"] for nb in whole[cavaa]}


def test_emerald_team_is_one_node_across_years(whole):
    hits = find(whole, "Emerald team")
    assert len(hits) == 1, hits
    assert whole.nodes[hits[0]]["years"] == [2017, 2018]


def test_nodes_carry_quotes_with_source(whole):
    (emerald,) = find(whole, "Emerald team")
    quotes = whole.nodes[emerald]["quotes"]
    assert quotes and all(q["text"] and q["report"] for q in quotes)
    assert any("emerald" in q["text"].lower() for q in quotes)


# ---- the view command --------------------------------------------------------------


def test_view_whole_graph(example_kg, whole, tmp_path):
    out = tmp_path / "view.html"
    res = run_view(example_kg, out)
    assert res.exit_code == 0, res.output
    assert res.output == f"{whole.number_of_nodes()} nodes, {whole.number_of_edges()} edges: {out}\n"
    page = nodes_in(out.read_text(encoding="utf-8"))
    assert sorted(n["id"] for n in page) == sorted(whole)


def test_view_focus_is_the_neighbourhood(example_kg, whole, tmp_path):
    out = tmp_path / "focus.html"
    res = run_view(example_kg, out, "--focus", "Emerald team")
    assert res.exit_code == 0, res.output
    ids = {n["id"] for n in nodes_in(out.read_text(encoding="utf-8"))}
    (centre,) = find(whole, "Emerald team")
    walk = whole.subgraph(n for n, d in whole.nodes(data=True) if d["type"] != "report")
    near = set(nx.single_source_shortest_path_length(walk, centre, cutoff=1))
    reports = {nb for n in near for nb in whole[n] if whole.nodes[nb]["type"] == "report"}
    assert ids == near | reports
    assert len(ids) < whole.number_of_nodes()


def test_view_focus_radius_two_is_larger(whole):
    one, two = ego(whole, "emerald TEAM", 1), ego(whole, "Emerald team", 2)
    assert set(one) < set(two)


def test_view_types_filter(example_kg, tmp_path):
    out = tmp_path / "types.html"
    res = run_view(example_kg, out, "--types", "unit,afi")
    assert res.exit_code == 0, res.output
    types = {n["t"] for n in nodes_in(out.read_text(encoding="utf-8"))}
    assert types == {"unit", "afi"}


def test_view_year_filter(example_kg, whole, tmp_path):
    out = tmp_path / "year.html"
    res = run_view(example_kg, out, "--year", "2017")
    assert res.exit_code == 0, res.output
    page = nodes_in(out.read_text(encoding="utf-8"))
    assert page and all(n["yr"] == [2017] for n in page)
    assert len(page) < whole.number_of_nodes()


def test_view_report_filter(example_kg, whole):
    keys = [whole.nodes[n]["reports"][0] for n, d in whole.nodes(data=True) if d["type"] == "report"]
    g = project(example_kg, report=keys[0])
    assert g.number_of_nodes() and all(d["reports"] == [keys[0]] for _, d in g.nodes(data=True))


def test_view_min_weight_filter(example_kg, whole):
    heavy = project(example_kg, min_weight=2)
    assert 0 < heavy.number_of_edges() < whole.number_of_edges()
    assert all(d["weight"] >= 2 for _, _, d in heavy.edges(data=True))


def test_view_is_offline(example_kg, tmp_path):
    out = tmp_path / "view.html"
    assert run_view(example_kg, out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "@font-face" not in html
    assert "vis.Network" in html and "<style>" in html  # vis-network is inlined, not linked


def test_view_is_deterministic(example_kg, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert run_view(example_kg, a).exit_code == 0
    assert run_view(example_kg, b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_report_text_is_escaped(tiny_kg, tmp_path):
    out = tmp_path / "tiny.html"
    res = run_view(tiny_kg, out)
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert PAYLOAD not in html and "alert(2)" in html and "<script>alert(2)" not in html
    assert "<b>bold</b>" not in html
    # Two script elements (vis-network, then our code) and no other "<script" outside vis-network's own source.
    assert len(re.findall(r"<script>", html)) - vis_js().count("<script>") == 2
    quotes = [q[0] for n in nodes_in(html) for q in n["q"]]
    assert any(PAYLOAD in q for q in quotes)  # kept as data, shown as text


def test_unknown_focus_is_a_one_line_error(example_kg, tmp_path):
    out = tmp_path / "none.html"
    res = run_view(example_kg, out, "--focus", "zzqx")
    assert res.exit_code == 1
    assert res.output == "Error: no node named 'zzqx' in the graph\n"
    assert not out.exists()


def test_unknown_focus_suggests_close_matches(example_kg, tmp_path):
    res = run_view(example_kg, tmp_path / "x.html", "--focus", "Emerald tem")
    assert res.exit_code == 1 and res.output.count("\n") == 1
    assert "close matches: " in res.output and "emerald team" in res.output.lower()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--types", "unit,bogus"], "Error: unknown node type bogus; choose from "),
        (["--year", "1999"], "Error: no report from 1999 in the graph; years: "),
        (["--report", "nope"], "Error: no report 'nope' in the graph; reports: "),
        (["--force", "Atlantis Police"], "Error: no force 'Atlantis Police' in the graph; forces: "),
        (["--types", "report"], "Error: nothing to show: no linked nodes of type report with links of weight 1 or more"),
        (["--min-weight", "100000"], "Error: nothing to show: no linked nodes of type "),
    ],
)
def test_bad_filters_are_one_line_errors(example_kg, tmp_path, args, message):
    res = run_view(example_kg, tmp_path / "x.html", *args)
    assert res.exit_code == 1
    assert res.output.startswith(message) and res.output.count("\n") == 1


def test_unwritable_output_is_a_one_line_error(example_kg, tmp_path):
    out = tmp_path / "missing" / "view.html"
    res = run_view(example_kg, out)
    assert res.exit_code == 1
    assert res.output == f"Error: cannot write {out}: folder {out.parent} does not exist\n"
    assert not out.parent.exists()


def test_report_and_year_together_are_refused(example_kg, tmp_path):
    res = run_view(example_kg, tmp_path / "x.html", "--year", "2017", "--report", "x")
    assert res.exit_code == 2 and "give --report or --year, not both" in res.output


def test_big_graph_is_laid_out_in_python():
    g = nx.Graph()
    for i in range(520):
        g.add_node(f"n{i:03}", label=f"Unit {i}", type="unit", years=[2017], reports=["r"], quotes=[], aliases=[], acronym="")
    for i in range(519):
        g.add_edge(f"n{i:03}", f"n{i + 1:03}", type="co-mentioned", weight=1)
    html = render_html(g)
    page = nodes_in(html)
    assert all(isinstance(n.get("x"), int) and isinstance(n.get("y"), int) for n in page)
    assert re.search(r'var PHYSICS = false;', html)
    assert html == render_html(g)


def test_force_filter_and_aggregate_across_forces(tmp_path):
    two = TINY_TTL + TINY_TTL.replace("force/x", "force/y").replace("x-2017", "y-2017").replace("X Police", "Y Police")
    (tmp_path / "kg.ttl").write_text(two, encoding="utf-8")
    g = project(tmp_path)
    hubs = find(g, "VH")
    assert len(hubs) == 2  # one per force: different forces' units are never merged
    assert {g.nodes[h]["force"] for h in hubs} == {"X Police", "Y Police"}
    only_y = project(tmp_path, force="y police")
    assert {d["force"] for _, d in only_y.nodes(data=True)} == {"Y Police"}
    agg = aggregate(g)
    (hub,) = find(agg, "VH")
    assert agg.nodes[hub]["force"] == "2 forces" and agg.nodes[hub]["forces"] == ["X Police", "Y Police"]
    (afis,) = [n for n, d in agg.nodes(data=True) if d["type"] == "afi"]
    assert agg.edges[hub, afis]["weight"] == 2
    assert agg.nodes[afis]["label"].startswith("AFIs: Vulnerability") and agg.nodes[afis]["label"].endswith("(2017)")


def synthetic(forces: int, units: int) -> nx.Graph:
    """`forces` forces with the same `units` unit names, each unit tied to one AFI."""
    g = nx.Graph()
    for f in range(forces):
        for u in range(units):
            unit, afi = f"f{f}/unit/{u}", f"f{f}/afi/{u}"
            g.add_node(unit, label=f"Unit {u}", type="unit", years=[2017], reports=[f"r{f}"], quotes=[], aliases=[],
                       acronym="", force=f"Force {f}")
            g.add_node(afi, label=f"AFI {u}", type="afi", years=[2017], reports=[f"r{f}"], force=f"Force {f}",
                       quotes=[{"text": f"Improve unit {u}", "report": f"r{f}", "section": "S", "kind": "afi", "year": 2017}],
                       aliases=[], acronym="", theme=f"Theme {u % 3}")
            g.add_edge(unit, afi, type="mentioned-in", weight=1)
    return g


def test_big_multi_force_views_aggregate_by_default():
    g = synthetic(forces=4, units=VIEW_MAX_NODES // 8 + 10)
    assert g.number_of_nodes() > VIEW_MAX_NODES
    view, title, note = for_view(g)
    assert view.number_of_nodes() < VIEW_MAX_NODES and note.startswith("aggregated across 4 forces from ")
    assert "--force NAME" in note and "--full" in note and title.endswith("4 forces")
    assert for_view(g, aggregated=False)[0].number_of_nodes() == g.number_of_nodes()
    small = synthetic(forces=2, units=5)
    assert for_view(small)[2] == "" and for_view(small)[0].number_of_nodes() == small.number_of_nodes()
    focused, _, note = for_view(g, focus="Unit 3")
    assert note == "" and {d["label"] for _, d in focused.nodes(data=True)} == {"Unit 3", "AFI 3"}


def test_cli_threshold_matches_library():
    from peelkg.cli import view

    assert view.VIEW_MAX_NODES == VIEW_MAX_NODES


def test_view_aggregate_flag(example_kg, tmp_path):
    out = tmp_path / "agg.html"
    res = run_view(example_kg, out, "--aggregate")
    assert res.exit_code == 0, res.output
    assert "nodes; use --force NAME, --report ID or --focus NAME to see one force in full, or --full): " in res.output
    assert "(aggregated across 1 force from " in res.output
    assert any(n["id"].startswith("all/report/") for n in nodes_in(out.read_text(encoding="utf-8")))


# ---- export-network --------------------------------------------------------------


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_network(example_kg, whole, tmp_path, fmt, reader):
    out = tmp_path / f"net.{fmt}"
    res = CliRunner().invoke(main, ["export-network", "--kg", str(example_kg), "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output == f"{whole.number_of_nodes()} nodes, {whole.number_of_edges()} edges: {out}\n"
    back = reader(out)
    assert back.number_of_nodes() == whole.number_of_nodes()
    assert back.number_of_edges() == whole.number_of_edges()
    (emerald,) = find(whole, "Emerald team")
    assert back.nodes[emerald]["years"] == "2017; 2018"
    again = tmp_path / f"again.{fmt}"
    CliRunner().invoke(main, ["export-network", "--kg", str(example_kg), "--format", fmt, "-o", str(again)])
    assert out.read_bytes() == again.read_bytes()
