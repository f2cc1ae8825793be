"""The view in a real headless browser, with the network cut off: it must draw
every node, settle, show its legend, raise no errors and never run report text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from peelkg.graph.project import ego, match_nodes, project
from peelkg.graph.render import render

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def ensure_chromium() -> Path:
    """Debian's chromium; installed here when missing and we are root."""
    if CHROMIUM.exists():
        return CHROMIUM
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=False, capture_output=True, timeout=900)
        if CHROMIUM.exists():
            return CHROMIUM
    pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`sudo apt-get install -y chromium`) to run the browser test")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=ARGS)
        yield b
        b.close()


def open_page(browser, html: Path):
    """Open `html` with every http(s) request aborted; returns (page, requests, errors)."""
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    requests, errors = [], []

    def route(r):
        if r.request.url.startswith(("http:", "https:")):
            requests.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(html.as_uri())
    page.wait_for_function("window.peelkg && window.peelkg.settled === true", timeout=60_000)
    return page, requests, errors


@pytest.fixture(scope="module")
def hostile_view(example_kg, output_dir):
    """The example graph, with hostile text planted in one node's label and quote."""
    graph = project(example_kg)
    victim = sorted(n for n, d in graph.nodes(data=True) if d["type"] == "unit")[0]
    graph.nodes[victim]["label"] = "Unit " + XSS
    graph.nodes[victim]["quotes"] = [{"text": "Quote " + XSS, "report": "Report " + XSS, "section": XSS, "kind": "afi", "year": 2017}]
    out = output_dir / "view-example.html"
    render(graph, out)
    return graph, victim, out


def test_view_in_headless_browser(browser, hostile_view, output_dir):
    graph, victim, html = hostile_view
    page, requests, errors = open_page(browser, html)
    try:
        assert requests == [], f"the page tried to reach the network: {requests}"
        assert page.evaluate("network.body.data.nodes.length") == graph.number_of_nodes()
        assert page.evaluate("network.body.data.edges.length") == graph.number_of_edges()
        assert page.evaluate("network.physics.physicsEnabled") is False  # settled, then stopped
        legend = page.locator("#legend")
        assert legend.is_visible()
        assert "Unit / team" in legend.inner_text() and "Area for improvement" in legend.inner_text()

        # Click the planted node where it is drawn: its quote shows as text and nothing runs.
        page.evaluate(f"network.focus({victim!r}, {{scale: 1.2}})")
        box = page.locator("#mynetwork").bounding_box()
        pos = page.evaluate(f"network.canvasToDOM(network.getPositions([{victim!r}])[{victim!r}])")
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_timeout(300)
        details = page.locator("#details").inner_text()
        assert "Quote <img src=x" in details and "<script>window.__xss=2</script>" in details
        assert page.evaluate("window.__xss") is None
        assert page.locator("#details img, #details script, #tip img").count() == 0
        page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)  # off the node: tooltip closes
        page.evaluate("network.fit()")
        page.wait_for_timeout(200)
        assert not page.locator("#tip").is_visible()
        page.screenshot(path=str(output_dir / "view-example.png"))
        assert errors == []
    finally:
        page.close()


def test_focus_in_the_page_matches_ego(browser, example_kg, output_dir):
    graph = project(example_kg)
    out = output_dir / "view-focus.html"
    render(graph, out, hidden_types=())  # every type ticked, as ego() sees them
    page, requests, errors = open_page(browser, out)
    try:
        page.fill("#focus", "emerald team")
        page.click("#focusbtn")
        page.wait_for_timeout(300)
        shown = page.evaluate("nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) { return n.id; })")
        assert sorted(shown) == sorted(ego(graph, "Emerald team", 1))
        page.screenshot(path=str(output_dir / "view-focus.png"))
        page.click("#resetbtn")
        page.uncheck('.typefilter[value="report"]')
        hidden = page.evaluate("nodes.get({filter: function (n) { return n.hidden; }}).length")
        assert hidden == sum(1 for _, d in graph.nodes(data=True) if d["type"] == "report")

        # Compare years: both-year nodes turn one colour, single-year nodes others.
        (emerald,) = match_nodes(graph, "Emerald team")
        page.check("#yearcolour")
        assert page.evaluate(f"nodes.get({emerald!r}).color") == "#1b9e77"
        assert page.locator("#yearkey").is_visible()
        page.uncheck('.yearfilter[value="2017"]')
        only_2017 = [n for n, d in graph.nodes(data=True) if d["years"] == [2017] and d["type"] != "report"]
        assert page.evaluate(f"nodes.get({only_2017[0]!r}).hidden") is True
        assert requests == [] and errors == []
    finally:
        page.close()
