"""Named-query speed: pyoxigraph vs rdflib's SPARQL engine, side by side in one run.

    .venv/bin/python benchmarks/bench_queries.py [--reports 200] [--runs 9] [--rdflib-budget 900] [--work DIR]

Two builds: the example reports, and N synthetic reports (benchmarks/make_corpus.py,
not timed; the build is reused from --work if it is already there). For each
build and each named query (required parameters set to their documented
examples, so most queries cover every report), time `runner.select` on an open
pyoxigraph store (1 warm-up + --runs runs) and on the rdflib Dataset that
`--engine rdflib` uses (loading it is timed separately). Prints p50/p95 in ms and
the rdflib/pyoxigraph ratio of the p50s.

rdflib is slow on large graphs, so at scale it runs in a child process with a
total time budget (--rdflib-budget seconds, load included); queries it did not
reach are shown as "-". Goals: pyoxigraph p50 <= 10 ms per named query at 200
reports, and >= 20x faster than rdflib.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EXAMPLES = [
    ROOT / "examples" / "bedfordshire-peel-effectiveness-2017.txt",
    ROOT / "examples" / "bedfordshire-peel-2018-19-effectiveness.txt",
]


def _params(q) -> dict:
    return {"_" + p.name: p.example for p in q.params if p.required}


def _pcts(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return statistics.median(s), p95


def time_oxigraph(kg: Path, runs: int) -> dict[str, tuple[float, float, int]]:
    """name -> (p50 ms, p95 ms, rows)."""
    from peelkg.queries import runner

    store = runner.open_store(kg)
    out = {}
    for q in runner.list_queries():
        b = _params(q)
        res = runner.select(store, q.text, b)  # warm-up
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            runner.select(store, q.text, b)
            samples.append((time.perf_counter() - t) * 1000)
            if len(samples) >= 3 and sum(samples) > 20000:  # slow query: three runs tell enough
                break
        p50, p95 = _pcts(samples)
        out[q.name] = (p50, p95, len(res.rows))
    return out


def _rdflib_child(kg: str, runs: int, budget: float, conn) -> None:
    from peelkg.queries import runner

    start = time.perf_counter()
    ds = runner._rdflib_dataset(Path(kg))
    conn.send(("load", (time.perf_counter() - start) * 1000))
    for q in runner.list_queries():
        b = _params(q)
        samples = []
        for i in range(runs):
            if time.perf_counter() - start > budget:
                break
            t = time.perf_counter()
            res = runner.select(ds, q.text, b, engine="rdflib")
            samples.append((time.perf_counter() - t) * 1000)
            if samples[-1] > 5000 and i >= 0:  # slow queries: fewer repeats
                break
        if not samples:
            break
        p50, p95 = _pcts(samples)
        conn.send((q.name, (p50, p95, len(res.rows))))
    conn.send(("done", None))


def time_rdflib(kg: Path, runs: int, budget: float) -> tuple[float | None, dict]:
    """(load ms, name -> (p50, p95, rows)) from a child process that stops at the budget."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_rdflib_child, args=(str(kg), runs, budget, child), daemon=True)
    proc.start()
    child.close()
    load, out = None, {}
    deadline = time.monotonic() + budget + 120  # a query may overrun the budget a little
    while time.monotonic() < deadline:
        if not parent.poll(max(0.0, deadline - time.monotonic())):
            break
        try:
            name, value = parent.recv()
        except EOFError:
            break
        if name == "done":
            break
        if name == "load":
            load = value
        else:
            out[name] = value
    proc.kill()
    proc.join()
    return load, out


def build_scale(n: int, work: Path) -> Path:
    from peelkg.kg_build.pipeline import build
    from peelkg.state import KG_FILE

    out = work / f"kg-{n}"
    if (out / KG_FILE).exists() and (out / "store").is_dir():
        return out
    from make_corpus import make_corpus

    paths = make_corpus(n, work / f"corpus-{n}", seed=0)
    t = time.perf_counter()
    build(paths, out, jobs=0)
    print(f"built {n} reports in {time.perf_counter() - t:.0f} s (not part of the timings)", flush=True)
    return out


def table(label: str, kg: Path, runs: int, budget: float) -> None:
    from peelkg.queries import runner

    triples = sum(1 for _ in open(kg / "kg.trig", encoding="utf-8"))  # lines: a rough size only
    ox = time_oxigraph(kg, runs)
    load, rd = time_rdflib(kg, runs, budget)
    print(f"\n## {label}  ({kg}, kg.trig {triples} lines; rdflib load {load / 1000 if load else float('nan'):.1f} s)")
    head = f"{'query':22} {'rows':>6} {'ox p50':>8} {'ox p95':>8} {'rdf p50':>9} {'rdf p95':>9} {'ratio':>7}"
    print(head)
    print("-" * len(head))
    for q in runner.list_queries():
        p50, p95, n = ox[q.name]
        if q.name in rd:
            r50, r95, _ = rd[q.name]
            ratio = f"{r50 / p50:6.0f}x" if p50 > 0 else "-"
            rcols = f"{r50:9.1f} {r95:9.1f} {ratio:>7}"
        else:
            rcols = f"{'-':>9} {'-':>9} {'-':>7}"
        print(f"{q.name:22} {n:6d} {p50:8.2f} {p95:8.2f} {rcols}")
    ps = sorted(v[0] for v in ox.values())
    print(f"pyoxigraph p50 over queries: median {statistics.median(ps):.2f} ms, max {ps[-1]:.2f} ms; "
          f"{sum(p <= 10 for p in ps)}/{len(ps)} queries at <= 10 ms")
    if rd:
        ratios = sorted(rd[k][0] / ox[k][0] for k in rd)
        print(f"rdflib/pyoxigraph: min {ratios[0]:.0f}x, median {statistics.median(ratios):.0f}x over {len(ratios)} queries")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--rdflib-budget", type=float, default=900.0, help="seconds for rdflib per build (load included)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the builds (reused if present)")
    args = ap.parse_args()

    from peelkg.kg_build.pipeline import build

    work = args.work or Path(tempfile.mkdtemp(prefix="peelkg-bench-q-"))
    work.mkdir(parents=True, exist_ok=True)
    ex = work / "kg-examples"
    if not (ex / "kg.ttl").exists():
        build(EXAMPLES, ex)
    table("example build (2 reports)", ex, args.runs, args.rdflib_budget)
    if args.reports > 0:
        scale = build_scale(args.reports, work)
        table(f"{args.reports}-report build", scale, args.runs, args.rdflib_budget)


if __name__ == "__main__":
    main()
