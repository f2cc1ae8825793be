"""peelkg analyse: centrality, communities, units most linked to weaknesses."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peelkg.cli import main
from peelkg.graph.project import node_names, project
from peelkg.kg_build.slugs import normalise


def run(example_kg, *args):
    res = CliRunner().invoke(main, ["analyse", "--kg", str(example_kg), *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_analyse_json_shape(example_kg):
    data = json.loads(run(example_kg, "--format", "json", "--top", "5"))
    assert set(data) == {"nodes", "edges", "degree", "betweenness", "communities", "weakness_units"}
    assert data["nodes"] > 0 and data["edges"] > 0
    assert 0 < len(data["degree"]) <= 5
    assert all(set(r) == {"id", "label", "type", "degree", "weighted_degree"} for r in data["degree"])
    weights = [r["weighted_degree"] for r in data["degree"]]
    assert weights == sorted(weights, reverse=True)
    assert all(r["type"] != "report" for r in data["degree"])
    assert data["betweenness"] and all(0 < r["betweenness"] <= 1 for r in data["betweenness"])
    assert data["communities"] and all(c["size"] >= len(c["members"]) >= 1 for c in data["communities"])
    assert all(r["type"] == "unit" and r["weight"] >= 1 for r in data["weakness_units"])


def test_analyse_table_shape(example_kg):
    out = run(example_kg)
    lines = out.splitlines()
    assert lines[0].startswith("Network: ") and "nodes" in lines[0]
    for heading in (
        "Most connected (weighted degree = statements linking the node)",
        "Brokers (betweenness centrality)",
        "Communities (Louvain, seeded)",
        "Units most linked to weaknesses (AFIs, causes of concern, recommendations, weakness findings)",
    ):
        assert heading in lines
        assert lines[lines.index(heading) + 1].split()[:2] in (["rank", "node"], ["#", "size"], ["rank", "unit"])


def test_analyse_is_deterministic(example_kg):
    assert run(example_kg, "--format", "json") == run(example_kg, "--format", "json")


def test_a_unit_named_in_an_afi_is_weakness_linked(example_kg, gold):
    # Units the gold standard's AFIs name outright: at least one must show up.
    named = set()
    for report in (v for k, v in gold.items() if k != "followups"):
        afis = " ".join(a["text"].lower() for a in report["areas_for_improvement"])
        for u in report["units"]:
            for name in [u["name"], u.get("acronym") or "", *u.get("aliases", [])]:
                if name and name.lower() in afis:
                    named.add(normalise(u["name"]))
                    if u.get("acronym"):
                        named.add(normalise(u["acronym"]))
    assert named, "the gold AFIs name no unit"
    data = json.loads(run(example_kg, "--format", "json", "--top", "50"))
    graph = project(example_kg)
    found = {normalise(x) for r in data["weakness_units"] for x in node_names(graph.nodes[r["id"]])}
    assert named & found, f"none of {sorted(named)} among {sorted(found)}"


def test_analyse_year_filter(example_kg):
    all_ = json.loads(run(example_kg, "--format", "json"))
    y2017 = json.loads(run(example_kg, "--format", "json", "--year", "2017"))
    assert 0 < y2017["nodes"] < all_["nodes"]
