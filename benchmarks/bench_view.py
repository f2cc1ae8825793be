"""How the network view scales: 2, 50 and 200 reports.

For each corpus size: build the graph, project it, render the page, and time
how long headless Chromium takes to load the page and settle the layout (the
page sets window.peelkg.settled). Prints one table.

    .venv/bin/python benchmarks/bench_view.py [--sizes 2,50,200] [--work DIR]

The corpus comes from benchmarks/make_corpus.py N OUTDIR when it exists;
otherwise the example reports are copied under other force names. "default"
is what `peelkg view` draws (aggregated across forces above 1,500 nodes);
"full" is `peelkg view --full`. Timings depend on machine load: compare rows
of one run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peelkg.graph.project import for_view, project  # noqa: E402
from peelkg.graph.render import render  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Made-up force names (letters only, as the report reader expects): "Avonford-Carnmoor Police".
FORCES = ["Avonford", "Brackenshire", "Carnmoor", "Dunhallow", "Eastmere", "Fenwick", "Glenarden", "Holloway",
          "Ivybridge", "Jarrowdale", "Kestrelvale", "Lindmoor", "Marchfield", "Northolt", "Oakhaven", "Pendlebury"]


def force_name(k: int) -> str:
    return f"{FORCES[k % len(FORCES)]}-{FORCES[(k // len(FORCES)) % len(FORCES)]}"


def make_corpus(n: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    maker = ROOT / "benchmarks" / "make_corpus.py"
    if maker.exists():
        subprocess.run([sys.executable, str(maker), str(n), str(out)], check=True)
        return sorted(p for p in out.iterdir() if p.is_file())
    files = []
    for i in range(n):
        src = EXAMPLES[i % len(EXAMPLES)]
        force = force_name(i // 2) if n > 2 else "Bedfordshire"
        text = src.read_text(encoding="utf-8").replace("Bedfordshire", force)
        p = out / re.sub(r"bedfordshire", force.lower().replace(" ", "-"), src.name)
        p.write_text(text, encoding="utf-8")
        files.append(p)
    return files


def settle_time(browser, html: Path) -> tuple[float, int]:
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith(("http:", "https:")) else r.continue_())
    t = time.perf_counter()
    page.goto(html.as_uri())
    page.wait_for_function("window.peelkg && window.peelkg.settled === true", timeout=300_000)
    elapsed = time.perf_counter() - t
    drawn = page.evaluate("network.body.data.nodes.length")
    page.close()
    return elapsed, drawn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2,50,200")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="keep corpora and graphs already in --work (re-measure the view only)")
    args = ap.parse_args()
    from peelkg.kg_build.pipeline import build
    from playwright.sync_api import sync_playwright

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-view-"))
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in [int(s) for s in args.sizes.split(",")]:
            kg = work / f"kg-{n}"
            t_build = float("nan")
            if not (args.reuse and (kg / "kg.ttl").exists()):
                corpus = make_corpus(n, work / f"corpus-{n}")
                t0 = time.perf_counter()
                build(corpus, kg, jobs=args.jobs, keep_going=True)
                t_build = time.perf_counter() - t0
            t0 = time.perf_counter()
            g = project(kg)
            t_project = time.perf_counter() - t0
            for mode in ("default", "full"):
                view, title, note = for_view(g, aggregated=None if mode == "default" else False)
                if mode == "full" and rows and rows[-1][0] == n and "aggregated" not in rows[-1][1]:
                    continue  # the default view already was the full graph
                html = work / f"view-{n}-{mode}.html"
                t0 = time.perf_counter()
                render(view, html, title=title, note=note)
                t_render = time.perf_counter() - t0
                settle, drawn = settle_time(browser, html)
                assert drawn == view.number_of_nodes()
                rows.append((n, mode + (" (aggregated)" if note else ""), view.number_of_nodes(), view.number_of_edges(),
                             html.stat().st_size / 1e6, t_build, t_project, t_render, settle))
            print(f"done {n} reports", file=sys.stderr, flush=True)
        browser.close()
    head = ("reports", "view", "nodes", "edges", "html MB", "build s", "project s", "render s", "browser settle s")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join([str(r[0]), r[1], str(r[2]), str(r[3]), f"{r[4]:.2f}"] + [f"{x:.2f}" for x in r[5:]]))
    print(f"(work folder: {work})")


if __name__ == "__main__":
    main()
