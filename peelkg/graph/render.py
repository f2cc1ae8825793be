"""networkx -> one self-contained, offline HTML page (pyvis 0.3.2 + vis-network),
and networkx -> GraphML/GEXF for Gephi and Cytoscape.

pyvis assembles the nodes, edges and options; the page is our own template
because pyvis's links Bootstrap and tom-select from CDNs, has no legend and
shows tooltips as plain text. vis-network's JS/CSS are inlined from pyvis's
package files, so the page works with no network at all.

Report text is untrusted: it only ever reaches the page as JSON data (escaped
for a <script> context by Jinja's `tojson`) and is put on screen with
`textContent`, never `innerHTML`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

import networkx as nx
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from peelkg.errors import PeelkgError

# type -> (colour, vis shape, legend text). Shapes with the label below the
# glyph, so every node reads the same way.
STYLE = {
    "unit": ("#1f77b4", "dot", "Unit / team"),
    "partner": ("#2ca02c", "diamond", "Partner organisation"),
    "power": ("#9467bd", "triangle", "Power / order"),
    "system": ("#17becf", "square", "System / model"),
    "programme": ("#bcbd22", "hexagon", "Programme / operation"),
    "place": ("#8c564b", "triangleDown", "Place"),
    "role": ("#e377c2", "dot", "Role"),
    "meeting": ("#7f7f7f", "square", "Meeting / board"),
    "afi": ("#ff7f0e", "star", "Area for improvement"),
    "cause": ("#d62728", "star", "Cause of concern"),
    "recommendation": ("#8c1c13", "star", "Recommendation"),
    "weakness": ("#f28e8c", "triangleDown", "Weaknesses (per section)"),
    "strength": ("#7fc97f", "triangle", "Strengths (per section)"),
    "finding": ("#c2c2d6", "dot", "Other findings (per section)"),
    "report": ("#444444", "box", "Inspection report"),
}
# Rest length per edge type: issues spread around their report instead of piling up on it.
EDGE_LENGTH = {"mentioned-in": 100, "co-mentioned": 120, "raised-in": 240}
EDGE_STYLE = {
    "mentioned-in": ("#8f8f8f", "Mentioned in an issue"),
    "co-mentioned": ("#c9c9c9", "Mentioned together"),
    "raised-in": ("#e2e2e2", "Raised in report"),
}
LAYOUT_THRESHOLD = 500  # above this many nodes, lay out in Python and switch physics off
STABILISATION_ITERATIONS = 200
SEED = 7

_LIB = Path(__import__("pyvis").__file__).parent / "templates" / "lib"
_VIS_JS = _LIB / "vis-9.1.2" / "vis-network.min.js"
_VIS_CSS = _LIB / "vis-9.1.2" / "vis-network.css"


def _positions(graph: nx.Graph) -> dict:
    """Seeded spring layout per connected component, components packed in rows
    (biggest first): one big spring layout of thousands of nodes is slow and
    lets small components drift apart."""
    comps = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    pos, x0, y0, row_h, row_w = {}, 0.0, 0.0, 0.0, 0.0
    max_row = 120 * math.sqrt(len(graph)) * 2
    for comp in comps:
        sub = graph.subgraph(comp)
        r = 60 * math.sqrt(len(comp)) + 40  # area grows with the node count
        if len(comp) == 1:
            p = {comp[0]: (0.0, 0.0)}
        else:
            p = nx.spring_layout(sub, seed=SEED, weight="weight") if len(comp) < 500 else _big_layout(sub, 40 if len(comp) < 1500 else 20)
        if row_w + 2 * r > max_row and row_w > 0:
            x0, y0, row_w, row_h = 0.0, y0 + row_h, 0.0, 0.0
        cx, cy = x0 + r, y0 + r
        for n, (x, y) in p.items():
            pos[n] = (round(cx + x * r), round(cy + y * r))
        x0 += 2 * r + 40
        row_w += 2 * r + 40
        row_h = max(row_h, 2 * r + 40)
    return pos


def _big_layout(graph: nx.Graph, iterations: int = 40) -> dict:
    """Fruchterman-Reingold in numpy for one big component (networkx needs scipy
    above 500 nodes). Dense O(n^2) per iteration, in blocks to bound memory."""
    import numpy as np

    nodes = list(graph)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    rng = np.random.default_rng(SEED)
    pos = rng.random((n, 2))
    src = np.array([index[a] for a, b in graph.edges()], dtype=np.int64)
    dst = np.array([index[b] for a, b in graph.edges()], dtype=np.int64)
    w = np.array([d.get("weight", 1) for _, _, d in graph.edges(data=True)], dtype=float)
    k = math.sqrt(1.0 / n)
    t = 0.1
    block = max(1, 2_000_000 // n)
    for _ in range(iterations):
        disp = np.zeros((n, 2))
        x, y = pos[:, 0], pos[:, 1]
        for s in range(0, n, block):
            dx = x[s:s + block, None] - x[None, :]
            dy = y[s:s + block, None] - y[None, :]
            f = (k * k) / np.maximum(dx * dx + dy * dy, 1e-6)  # repulsion
            disp[s:s + block, 0] += (dx * f).sum(1)
            disp[s:s + block, 1] += (dy * f).sum(1)
        delta = pos[src] - pos[dst]
        dist = np.maximum(np.sqrt((delta ** 2).sum(-1)), 1e-3)
        pull = delta * (dist * w / k)[:, None]  # attraction along edges
        np.add.at(disp, src, -pull)
        np.add.at(disp, dst, pull)
        length = np.maximum(np.sqrt((disp ** 2).sum(-1)), 1e-9)
        pos += disp * (np.minimum(length, t) / length)[:, None]
        t -= 0.1 / (iterations + 1)
    pos -= pos.mean(0)
    pos /= max(np.abs(pos).max(), 1e-9)
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for v, i in index.items()}


# Containers (reports, per-section finding groups) collect many links by design;
# capped lower so the units, partners and issues stay the prominent nodes.
_CONTAINERS = ("report", "weakness", "strength", "finding")
HIDDEN_TYPES = ("finding",)  # in the page, but unticked at first: neutral findings are the bulk
HIDDEN_EDGE_TYPES = ("co-mentioned",)  # likewise: half the links, and the entity-issue links matter most


def _value(wdeg: float, ntype: str) -> float:
    # log: a node with 200 links is bigger than one with 2, not 100 times bigger.
    v = min(math.log2(1 + wdeg), 3.0 if ntype in _CONTAINERS else 8.0)
    if ntype in ("afi", "cause", "recommendation"):
        v = max(v, 2.5)  # what the inspectors asked to change: never a speck
    return round(v, 2)


def build_network(graph: nx.Graph, hidden_types=HIDDEN_TYPES, hidden_edge_types=HIDDEN_EDGE_TYPES) -> Network:
    """The pyvis Network for `graph`: styled nodes/edges and settle-then-stop physics."""
    net = Network(height="100%", width="100%", cdn_resources="in_line", notebook=False)
    big = graph.number_of_nodes() > LAYOUT_THRESHOLD
    pos = _positions(graph) if big else {}
    wdeg = dict(graph.degree(weight="weight"))
    for nid in sorted(graph):
        d = graph.nodes[nid]
        colour, shape, _ = STYLE.get(d["type"], ("#999999", "dot", d["type"]))
        opts = {
            "color": colour,
            # value drives vis-network's scaling: glyph and label grow with weighted degree,
            # and small labels fade out when zoomed out (less clutter at first sight).
            "value": _value(wdeg.get(nid, 0), d["type"]),
            "t": d["type"],
            "yr": list(d.get("years", [])),
            "r": list(d.get("reports", [])),
            "q": [[q["text"], q["report"], q.get("section", "")] for q in d.get("quotes", [])],
            "n": d.get("quote_count", len(d.get("quotes", []))),
            "a": list(d.get("aliases", [])),
            "k": d.get("acronym", ""),
        }
        if d["type"] == "report":
            opts["font"] = {"color": "#ffffff", "strokeWidth": 0}
        if d["type"] in hidden_types:
            opts["hidden"] = True  # still laid out, so ticking the type shows it in place
        if nid in pos:
            opts["x"], opts["y"] = pos[nid]
        # Node() directly: Network.add_node checks membership in a list (quadratic).
        node = Node(nid, shape, label=str(d.get("label", nid)), **opts)
        net.nodes.append(node.options)
        net.node_ids.append(nid)
        net.node_map[nid] = node.options
    for i, (a, b) in enumerate(sorted((min(a, b), max(a, b)) for a, b in graph.edges())):
        d = graph.edges[a, b]
        colour = {"color": EDGE_STYLE.get(d.get("type"), ("#cccccc", ""))[0],
                  "opacity": 0.35 if d.get("type") == "raised-in" else 0.8}
        w = d.get("weight", 1)
        # Edge() directly: Network.add_edge scans every edge for duplicates (quadratic).
        net.edges.append(Edge(a, b, width=round(min(1 + math.log2(w), 6), 2), color=colour,
                              title=f"{d.get('type', '')} ×{w}", et=d.get("type", ""), w=w,
                              length=EDGE_LENGTH.get(d.get("type"), 140), id=f"e{i}").options)
        if d.get("type") in hidden_edge_types:
            net.edges[-1]["hidden"] = True  # still a spring: co-mentioned entities stay close
    net.options = _options(graph.number_of_nodes(), physics=not big)
    return net


def _options(n: int, physics: bool) -> dict:
    return {
        "autoResize": True,
        "layout": {"randomSeed": SEED, "improvedLayout": n <= 150},
        "nodes": {
            "font": {"size": 15, "face": "Helvetica, Arial, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "borderWidth": 1,
            "widthConstraint": {"maximum": 170},
            "scaling": {"min": 10, "max": 40,
                        "label": {"enabled": True, "min": 12, "max": 26, "maxVisible": 30, "drawThreshold": 5}},
        },
        "edges": {"smooth": False, "selectionWidth": 2, "color": {"inherit": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 300},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80, "centralGravity": 0.015, "springLength": 110,
                                 "springConstant": 0.06, "avoidOverlap": 0.8, "damping": 0.5},
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "stabilization": {"enabled": physics, "iterations": STABILISATION_ITERATIONS, "updateInterval": 25, "fit": True},
        },
    }


def _env() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env


def render_html(graph: nx.Graph, *, title: str = "PEEL inspection network", note: str = "",
                hidden_types=HIDDEN_TYPES) -> str:
    """The whole page as a string (deterministic for the same graph).
    Nodes of `hidden_types` are in the page but hidden until their legend box is ticked."""
    net = build_network(graph, hidden_types)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    counts = {}
    for _, d in graph.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    legend = [
        {"type": t, "colour": c, "shape": s, "text": txt, "count": counts[t], "on": t not in hidden_types}
        for t, (c, s, txt) in STYLE.items() if t in counts
    ]
    edge_legend = [{"type": t, "colour": c, "text": txt, "on": t not in HIDDEN_EDGE_TYPES} for t, (c, txt) in EDGE_STYLE.items()
                   if any(d.get("type") == t for _, _, d in graph.edges(data=True))]
    years = sorted({y for _, d in graph.nodes(data=True) for y in d.get("years", [])})
    reports = _report_list(graph)
    page = _env().from_string(_TEMPLATE).render(
        title=title,
        note=note,
        nodes=nodes,
        edges=edges,
        options=Markup(options),
        legend=legend,
        edge_legend=edge_legend,
        years=years,
        reports=reports,
        n_nodes=graph.number_of_nodes(),
        n_edges=graph.number_of_edges(),
        physics=net.options["physics"]["enabled"],
        vis_js=Markup(_vis_js()),
        vis_css=Markup(_VIS_CSS.read_text(encoding="utf-8")),
    )
    return page


def _vis_js() -> str:
    # The source-map comment would point at a file that is not there.
    return re.sub(r"//# sourceMappingURL=\S*", "", _VIS_JS.read_text(encoding="utf-8"))


def _report_list(graph: nx.Graph) -> list[dict]:
    out = {}
    for _, d in graph.nodes(data=True):
        if d["type"] == "report" or len(d.get("reports", [])) == 1:
            out.setdefault(d["reports"][0], d["years"][0])
    return [{"key": k, "year": y} for k, y in sorted(out.items(), key=lambda kv: (kv[1], kv[0]))]


def _atomic_write(path: Path, data: str) -> Path:
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise PeelkgError(f"cannot write {path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the page is meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise PeelkgError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def render(graph: nx.Graph, path, *, title: str = "PEEL inspection network", note: str = "",
           hidden_types=HIDDEN_TYPES) -> Path:
    """Write the interactive view of `graph` to `path` (UTF-8, atomically)."""
    return _atomic_write(Path(path), render_html(graph, title=title, note=note, hidden_types=hidden_types))


# ---- GraphML / GEXF ---------------------------------------------------------------


def flat_graph(graph: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML/GEXF can store: lists joined with '; ',
    quotes as 'text [report — section]' lines."""
    out = nx.Graph()
    for n, d in sorted(graph.nodes(data=True)):
        flat = {}
        for k, v in d.items():
            if k == "quotes":
                flat[k] = "\n".join(f"{q['text']} [{q['report']}{' — ' + q['section'] if q.get('section') else ''}]" for q in v)
            elif isinstance(v, (list, tuple, set)):
                flat[k] = "; ".join(str(x) for x in v)
            elif v is None:
                flat[k] = ""
            else:
                flat[k] = v
        out.add_node(n, **flat)
    for a, b, d in sorted((min(a, b), max(a, b), d) for a, b, d in graph.edges(data=True)):
        out.add_edge(a, b, **d)
    return out


_XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'


def export_network(graph: nx.Graph, path, fmt: str) -> Path:
    """Write `graph` as GraphML or GEXF (deterministic: GEXF's date stamp is dropped)."""
    flat = flat_graph(graph)
    if fmt == "graphml":
        text = _XML_DECL + "\n".join(nx.generate_graphml(flat, prettyprint=True)) + "\n"
    elif fmt == "gexf":
        text = _XML_DECL + "\n".join(nx.generate_gexf(flat, prettyprint=True)) + "\n"
        text = re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)
    else:
        raise PeelkgError(f"unknown network format {fmt!r}: choose graphml or gexf")
    return _atomic_write(Path(path), text)


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="peelkg">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
  html, body { margin: 0; height: 100%; font-family: Helvetica, Arial, sans-serif; color: #222; }
  body { display: flex; }
  #side { width: 330px; min-width: 330px; height: 100%; overflow-y: auto; box-sizing: border-box;
          padding: 10px 12px; border-right: 1px solid #ddd; background: #fafafa; font-size: 13px; }
  #side h1 { font-size: 16px; margin: 0 0 4px; }
  #side h2 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
  #stats, .note { color: #666; font-size: 12px; }
  #main { flex: 1; position: relative; height: 100%; }
  #mynetwork { position: absolute; inset: 0; }
  #legend label { display: flex; align-items: center; gap: 6px; padding: 1px 0; cursor: pointer; }
  #legend svg { flex: none; }
  .count { color: #888; margin-left: auto; }
  .edgekey { display: flex; align-items: center; gap: 6px; }
  .edgekey span.line { display: inline-block; width: 26px; height: 3px; }
  #years label, #reportsel { margin-right: 8px; }
  #reportsel { max-width: 100%; }
  #focusbox { display: flex; gap: 4px; }
  #focusbox input { flex: 1; min-width: 0; }
  button { cursor: pointer; }
  #details { margin-top: 8px; }
  #details h3 { font-size: 15px; margin: 4px 0; }
  #details .meta { color: #555; margin-bottom: 6px; }
  #details blockquote { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #ccc; background: #fff; }
  #details cite { display: block; color: #777; font-size: 11px; margin-top: 2px; font-style: normal; }
  #tip { position: absolute; display: none; max-width: 360px; background: #fffef5; border: 1px solid #bbb;
         border-radius: 4px; padding: 6px 8px; font-size: 12px; box-shadow: 2px 2px 8px rgba(0,0,0,.2);
         pointer-events: none; z-index: 10; white-space: normal; }
  #tip b { display: block; margin-bottom: 2px; }
  #loading { position: absolute; top: 10px; left: 10px; background: rgba(255,255,255,.9); padding: 4px 8px;
             border: 1px solid #ddd; border-radius: 4px; font-size: 12px; z-index: 5; }
</style>
</head>
<body>
<div id="side">
  <h1>{{ title }}</h1>
  <div id="stats">{{ n_nodes }} nodes, {{ n_edges }} links. Hover a node for a summary; click it for what the inspection said.</div>
  {% if note %}<p class="note">{{ note }}</p>{% endif %}
  <h2>Legend (tick to show)</h2>
  <div id="legend">
  {% for item in legend %}
    <label><input type="checkbox" class="typefilter" value="{{ item.type }}"{% if item.on %} checked{% endif %}>
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {%- if item.shape == "dot" %}<circle cx="8" cy="8" r="6" fill="{{ item.colour }}"/>
      {%- elif item.shape == "diamond" %}<polygon points="8,1 15,8 8,15 1,8" fill="{{ item.colour }}"/>
      {%- elif item.shape == "triangle" %}<polygon points="8,1 15,14 1,14" fill="{{ item.colour }}"/>
      {%- elif item.shape == "triangleDown" %}<polygon points="1,2 15,2 8,15" fill="{{ item.colour }}"/>
      {%- elif item.shape == "square" %}<rect x="2" y="2" width="12" height="12" fill="{{ item.colour }}"/>
      {%- elif item.shape == "hexagon" %}<polygon points="4,1 12,1 15,8 12,15 4,15 1,8" fill="{{ item.colour }}"/>
      {%- elif item.shape == "star" %}<polygon points="8,0 10,6 16,6 11,10 13,16 8,12 3,16 5,10 0,6 6,6" fill="{{ item.colour }}"/>
      {%- else %}<rect x="0" y="3" width="16" height="10" rx="2" fill="{{ item.colour }}"/>{% endif %}
      </svg>
      <span>{{ item.text }}</span><span class="count">{{ item.count }}</span></label>
  {% endfor %}
  <div class="note">Links (width: how many statements)</div>
  {% for e in edge_legend %}
    <label class="edgekey"><input type="checkbox" class="edgefilter" value="{{ e.type }}"{% if e.on %} checked{% endif %}><span class="line" style="background: {{ e.colour }}"></span><span>{{ e.text }}</span></label>
  {% endfor %}
  </div>
  {% if years|length > 1 %}
  <h2>Years</h2>
  <div id="years">{% for y in years %}<label><input type="checkbox" class="yearfilter" value="{{ y }}" checked> {{ y }}</label>{% endfor %}</div>
  <label style="display:block;margin-top:4px"><input type="checkbox" id="yearcolour"> Colour by year (compare)</label>
  <div id="yearkey" class="note" style="display:none"></div>
  {% endif %}
  {% if reports|length > 1 %}
  <h2>Report</h2>
  <select id="reportsel"><option value="">All reports</option>{% for r in reports %}<option value="{{ r.key }}">{{ r.year }}: {{ r.key }}</option>{% endfor %}</select>
  {% endif %}
  <h2>Focus</h2>
  <div id="focusbox"><input id="focus" type="text" placeholder="Name or acronym, e.g. a team">
    <select id="radius"><option value="1">1 step</option><option value="2">2 steps</option></select>
    <button id="focusbtn" type="button">Focus</button><button id="resetbtn" type="button">All</button></div>
  <div id="focusmsg" class="note"></div>
  <div id="details"></div>
</div>
<div id="main"><div id="mynetwork"></div><div id="loading">Laying out…</div><div id="tip"></div></div>
<script>{{ vis_js }}</script>
<script>
"use strict";
var NODES = {{ nodes|tojson }};
var EDGES = {{ edges|tojson }};
var OPTIONS = {{ options }};
var PHYSICS = {{ physics|tojson }};
window.peelkg = { settled: false, nodeCount: NODES.length, edgeCount: EDGES.length };
var nodes = new vis.DataSet(NODES);
var edges = new vis.DataSet(EDGES);
var byId = {};
NODES.forEach(function (n) { byId[n.id] = n; });
var adj = {};
EDGES.forEach(function (e) {
  (adj[e.from] = adj[e.from] || []).push(e.to);
  (adj[e.to] = adj[e.to] || []).push(e.from);
});
var container = document.getElementById("mynetwork");
var network = new vis.Network(container, { nodes: nodes, edges: edges }, OPTIONS);
var loading = document.getElementById("loading");

function settled() {
  loading.style.display = "none";
  window.peelkg.settled = true;
}
if (PHYSICS) {
  network.on("stabilizationProgress", function (p) {
    loading.textContent = "Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });  // settle once, then stop moving
    network.fit();
    settled();
  });
} else {
  network.once("afterDrawing", function () { network.fit(); settled(); });
}

function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (cls) { e.className = cls; }
  return e;
}
function typeName(t) {
  var box = document.querySelector('.typefilter[value="' + t + '"]');
  return box ? box.parentNode.querySelector("span").textContent : t;
}
function names(n) { return [n.label, n.k].concat(n.a || []).filter(Boolean); }
function norm(s) { return String(s).toLowerCase().replace(/\s+/g, " ").trim(); }

// Hover: a short summary next to the pointer.
var tip = document.getElementById("tip");
network.on("hoverNode", function (p) {
  var n = byId[p.node];
  tip.textContent = "";
  tip.appendChild(el("b", n.label));
  tip.appendChild(el("div", typeName(n.t) + (n.yr && n.yr.length ? " · " + n.yr.join(", ") : "") + (n.k ? " · " + n.k : "")));
  if (n.q && n.q.length) {
    var t = n.q[0][0];
    tip.appendChild(el("div", "“" + (t.length > 220 ? t.slice(0, 219) + "…" : t) + "”"));
    tip.appendChild(el("div", n.n > 1 ? "(click for all " + n.n + " quotes)" : "(click for the source)", "note"));
  }
  tip.style.left = (p.pointer.DOM.x + 14) + "px";
  tip.style.top = (p.pointer.DOM.y + 14) + "px";
  tip.style.display = "block";
});
network.on("blurNode", function () { tip.style.display = "none"; });
network.on("dragStart", function () { tip.style.display = "none"; });

// Click: everything the inspection said about the node.
var details = document.getElementById("details");
function showDetails(id) {
  var n = byId[id];
  details.textContent = "";
  if (!n) { return; }
  details.appendChild(el("h3", n.label));
  var meta = typeName(n.t);
  if (n.k) { meta += " · " + n.k; }
  if (n.yr && n.yr.length) { meta += " · " + n.yr.join(", "); }
  details.appendChild(el("div", meta, "meta"));
  if (n.a && n.a.length) { details.appendChild(el("div", "Also called: " + n.a.join("; "), "meta")); }
  var neigh = (adj[id] || []).map(function (x) { return byId[x]; }).filter(function (x) { return x.t !== "report"; });
  if (neigh.length) { details.appendChild(el("div", "Linked to " + neigh.length + ": " + neigh.slice(0, 12).map(function (x) { return x.label; }).join("; ") + (neigh.length > 12 ? "; …" : ""), "meta")); }
  if (n.q && n.q.length) {
    details.appendChild(el("h2", "What the inspection said" + (n.n > n.q.length ? " (" + n.q.length + " of " + n.n + ")" : "")));
    n.q.forEach(function (q) {
      var b = el("blockquote", q[0]);
      b.appendChild(el("cite", q[1] + (q[2] ? " — " + q[2] : "")));
      details.appendChild(b);
    });
  }
}
network.on("click", function (p) {
  if (p.nodes.length) { showDetails(p.nodes[0]); } else { details.textContent = ""; }
});

// Filters: type, year, report, focus. A node shows when it passes all of them.
var focusSet = null;
function checked(cls) {
  var out = {};
  document.querySelectorAll("." + cls).forEach(function (b) { if (b.checked) { out[b.value] = true; } });
  return out;
}
function applyFilters() {
  var types = checked("typefilter");
  var yearBoxes = document.querySelectorAll(".yearfilter");
  var years = yearBoxes.length ? checked("yearfilter") : null;
  var sel = document.getElementById("reportsel");
  var report = sel ? sel.value : "";
  var updates = [];
  NODES.forEach(function (n) {
    var show = !!types[n.t];
    if (show && years) { show = (n.yr || []).some(function (y) { return years[y]; }); }
    if (show && report) { show = (n.r || []).indexOf(report) >= 0; }
    if (show && focusSet) { show = !!focusSet[n.id]; }
    updates.push({ id: n.id, hidden: !show });
  });
  nodes.update(updates);
}
document.querySelectorAll(".typefilter, .yearfilter").forEach(function (b) { b.addEventListener("change", applyFilters); });
document.querySelectorAll(".edgefilter").forEach(function (b) {
  b.addEventListener("change", function () {
    var on = checked("edgefilter");
    edges.update(EDGES.map(function (e) { return { id: e.id, hidden: !on[e.et] }; }));
  });
});
var reportSel = document.getElementById("reportsel");
if (reportSel) { reportSel.addEventListener("change", applyFilters); }

function focusOn() {
  var want = norm(document.getElementById("focus").value);
  var msg = document.getElementById("focusmsg");
  if (!want) { return; }
  var hits = NODES.filter(function (n) { return names(n).some(function (x) { return norm(x) === want; }); });
  if (!hits.length) { hits = NODES.filter(function (n) { return n.t !== "report" && names(n).some(function (x) { return norm(x).indexOf(want) >= 0; }); }); }
  if (!hits.length) { msg.textContent = "Nothing named “" + want + "”."; return; }
  var radius = parseInt(document.getElementById("radius").value, 10);
  var keep = {}, frontier = hits.map(function (n) { return n.id; });
  frontier.forEach(function (id) { keep[id] = true; });
  for (var step = 0; step < radius; step++) {
    var next = [];
    frontier.forEach(function (id) {
      (adj[id] || []).forEach(function (x) {
        if (!keep[x] && byId[x].t !== "report") { keep[x] = true; next.push(x); }
      });
    });
    frontier = next;
  }
  Object.keys(keep).forEach(function (id) {
    (adj[id] || []).forEach(function (x) { if (byId[x].t === "report") { keep[x] = true; } });
  });
  focusSet = keep;
  msg.textContent = hits.length + " match" + (hits.length > 1 ? "es" : "") + ", " + Object.keys(keep).length + " nodes shown.";
  applyFilters();
  network.fit({ nodes: Object.keys(keep), animation: false });
  showDetails(hits[0].id);
}
document.getElementById("focusbtn").addEventListener("click", focusOn);
document.getElementById("focus").addEventListener("keydown", function (e) { if (e.key === "Enter") { focusOn(); } });
document.getElementById("resetbtn").addEventListener("click", function () {
  focusSet = null;
  document.getElementById("focusmsg").textContent = "";
  applyFilters();
  network.fit({ animation: false });
});

// Compare years: colour nodes by whether they appear in the first year only, the last only, or both.
var yc = document.getElementById("yearcolour");
if (yc) {
  yc.addEventListener("change", function () {
    var ys = Array.from(document.querySelectorAll(".yearfilter")).map(function (b) { return parseInt(b.value, 10); });
    var first = Math.min.apply(null, ys), last = Math.max.apply(null, ys);
    var key = document.getElementById("yearkey");
    var updates = NODES.map(function (n) {
      if (!yc.checked) { return { id: n.id, color: n.color }; }
      var y = n.yr || [];
      var early = y.some(function (v) { return v < last; }), late = y.indexOf(last) >= 0;
      return { id: n.id, color: early && late ? "#1b9e77" : late ? "#d95f02" : "#7570b3" };
    });
    nodes.update(updates);
    key.style.display = yc.checked ? "block" : "none";
    key.textContent = "Purple: before " + last + " only · Orange: " + last + " only · Green: both (shapes still show the type)";
  });
}
</script>
</body>
</html>
"""
