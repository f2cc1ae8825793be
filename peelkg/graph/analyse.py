"""Network analysis of the projection: who is central, who brokers between
groups, which groups form, and which units the inspectors' concerns cluster on."""

from __future__ import annotations

import json

import networkx as nx

from peelkg.graph.project import ENTITY_TYPES

SEED = 7
ISSUE_NODE_TYPES = ("afi", "cause", "recommendation", "weakness")
EXACT_BETWEENNESS_MAX = 1500  # above this many nodes, sample pivots (seeded)


def _row(graph: nx.Graph, n: str) -> dict:
    d = graph.nodes[n]
    return {"id": n, "label": d.get("label", n), "type": d.get("type", "")}


def analyse(graph: nx.Graph, top: int = 10) -> dict:
    """Centrality of the actors (entity nodes), communities, and the units most
    linked to AFIs, causes of concern, recommendations and weakness findings.

    Report nodes are left out: every issue of a report touches its report node,
    which would otherwise top every ranking and merge every community.
    """
    g = graph.subgraph(sorted(n for n, d in graph.nodes(data=True) if d.get("type") != "report")).copy()
    out: dict = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    wdeg = dict(g.degree(weight="weight"))
    deg = dict(g.degree())
    # Rankings list actors (units, partners, powers ...): the per-section finding
    # groups are containers whose degree says how long a section is, not who matters.
    actors = [n for n, d in g.nodes(data=True) if d.get("type") in ENTITY_TYPES]
    ranked = sorted(actors, key=lambda n: (-wdeg[n], -deg[n], n))[:top]
    out["degree"] = [{**_row(g, n), "degree": deg[n], "weighted_degree": wdeg[n]} for n in ranked]

    if g.number_of_nodes() > EXACT_BETWEENNESS_MAX:
        bc = nx.betweenness_centrality(g, k=EXACT_BETWEENNESS_MAX, seed=SEED)
    else:
        bc = nx.betweenness_centrality(g)
    ranked = sorted(actors, key=lambda n: (-bc[n], n))[:top]
    out["betweenness"] = [{**_row(g, n), "betweenness": round(bc[n], 4)} for n in ranked if bc[n] > 0]

    comms = nx.community.louvain_communities(g, weight="weight", seed=SEED) if g.number_of_edges() else []
    # Members: actors first (they name the group), then issues, heaviest first.
    comms = [sorted(c, key=lambda n: (g.nodes[n]["type"] not in ENTITY_TYPES, -wdeg[n], n)) for c in comms if len(c) > 1]
    comms.sort(key=lambda c: (-len(c), c[0]))
    out["communities"] = [
        {
            "size": len(c),
            "types": dict(sorted(_count(g.nodes[n]["type"] for n in c).items())),
            "members": [g.nodes[n].get("label", n) for n in c[:top]],
        }
        for c in comms[:top]
    ]

    weak = []
    for n, d in g.nodes(data=True):
        if d.get("type") != "unit":
            continue
        by_type = {t: 0 for t in ISSUE_NODE_TYPES}
        for nb in g[n]:
            t = g.nodes[nb].get("type")
            if t in by_type:
                by_type[t] += g.edges[n, nb].get("weight", 1)
        total = sum(by_type.values())
        if total:
            weak.append({**_row(g, n), "weight": total, "afis": by_type["afi"], "causes": by_type["cause"],
                         "recommendations": by_type["recommendation"], "weakness_findings": by_type["weakness"]})
    weak.sort(key=lambda r: (-r["weight"], r["label"].lower(), r["id"]))
    out["weakness_units"] = weak[:top]
    return out


def _count(items) -> dict:
    c: dict = {}
    for i in items:
        c[i] = c.get(i, 0) + 1
    return c


def to_json(result: dict) -> str:
    """The analysis as pretty, stable JSON."""
    return json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False)


def _table(headers: list[str], rows: list[list]) -> list[str]:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]


def _cut(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def to_table(result: dict) -> str:
    """The analysis as plain-text tables, one per measure."""
    out = [f"Network: {result['nodes']} nodes, {result['edges']} edges (report nodes left out)", ""]
    out.append("Most connected (weighted degree = statements linking the node)")
    out += _table(["rank", "node", "type", "links", "weighted"],
                  [[i, _cut(r["label"]), r["type"], r["degree"], r["weighted_degree"]] for i, r in enumerate(result["degree"], 1)])
    out += ["", "Brokers (betweenness centrality)"]
    out += _table(["rank", "node", "type", "betweenness"],
                  [[i, _cut(r["label"]), r["type"], f"{r['betweenness']:.4f}"] for i, r in enumerate(result["betweenness"], 1)])
    out += ["", "Communities (Louvain, seeded)"]
    out += _table(["#", "size", "types", "main members"],
                  [[i, c["size"], ", ".join(f"{t} {k}" for t, k in c["types"].items()),
                    _cut("; ".join(c["members"][:4]), 90)] for i, c in enumerate(result["communities"], 1)])
    out += ["", "Units most linked to weaknesses (AFIs, causes of concern, recommendations, weakness findings)"]
    out += _table(["rank", "unit", "total", "afis", "causes", "recs", "weakness findings"],
                  [[i, _cut(r["label"]), r["weight"], r["afis"], r["causes"], r["recommendations"], r["weakness_findings"]]
                   for i, r in enumerate(result["weakness_units"], 1)])
    return "\n".join(out)


__all__ = ["analyse", "to_json", "to_table", "ENTITY_TYPES"]
