"""How the build scales: N = 2, 50, 200, 1000 synthetic reports.

    .venv/bin/python benchmarks/bench_scale.py [--max-n 200] [--sizes 2,50,200,1000] [--work DIR]

For each N, one fresh child process (so peak memory of one run does not
pollute the next) makes the corpus (benchmarks/make_corpus.py, not timed),
then times:

- a full build into an empty folder (pipeline.build, jobs=1: one core);
- an incremental rebuild into the same folder after one report changed
  (one paragraph of one file rewritten);

and reports input MB, wall and CPU seconds, MB/s end-to-end (per wall
second and per CPU second: the CPU figure is what one core does when the
machine is busy with other work), triples, peak RSS (getrusage of the child: after both builds, and after the full one)
and the incremental/full ratio. Prints one table; the goals are
>= 2 MB/s, time linear in N (the per-report column stays flat),
peak memory <= 1 GB at 1000, incremental <= 10% of full.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SIZES = (2, 50, 200, 1000)


def _child(n: int, work: Path) -> dict:
    """Run inside the child process: corpus, full build, incremental build."""
    from make_corpus import make_corpus

    from peelkg.kg_build.pipeline import build

    corpus = work / f"corpus-{n}"
    out = work / f"kg-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    paths = make_corpus(n, corpus, seed=0)
    size = sum(p.stat().st_size for p in paths)

    t0, c0 = time.perf_counter(), time.process_time()
    full = build(paths, out, jobs=1)
    t_full, c_full = time.perf_counter() - t0, time.process_time() - c0
    rss_full_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    # One report changes: its longest paragraph gets a new sentence.
    victim = paths[len(paths) // 2]
    lines = victim.read_text(encoding="utf-8").split("\n")
    k = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[k] += " The force has since reviewed this work with its partners."
    victim.write_text("\n".join(lines), encoding="utf-8")
    t0, c0 = time.perf_counter(), time.process_time()
    inc = build(paths, out, jobs=1)
    t_inc, c_inc = time.perf_counter() - t0, time.process_time() - c0

    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "n": n,
        "mb": size / 1e6,
        "full_s": t_full,
        "inc_s": t_inc,
        "full_cpu": c_full,
        "inc_cpu": c_inc,
        "triples": full.triples,
        "reused": len(inc.reused),
        "rss_mb": rss_kb / 1024,
        "rss_full_mb": rss_full_kb / 1024,
        "stages": {k: round(v, 2) for k, v in full.timings.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build time, throughput, memory and incremental cost against N.")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N values")
    ap.add_argument("--max-n", type=int, default=None, help="stop before sizes above this")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--stages", action="store_true", help="also print seconds per build stage")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child is not None:
        print(json.dumps(_child(args.child, args.work)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.max_n is not None:
        sizes = [n for n in sizes if n <= args.max_n]
    work = args.work or Path(tempfile.mkdtemp(prefix="peelkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    head = (
        f"{'N':>5} {'MB':>6} {'full s':>8} {'cpu s':>7} {'MB/s':>6} {'MB/cpu-s':>8} {'cpu ms/rep':>10} "
        f"{'triples':>9} {'peak MB':>8} {'(full)':>7} {'incr s':>7} {'incr/full':>9}"
    )
    print(head)
    print("-" * len(head))
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--work", str(work)],
            capture_output=True, text=True, cwd=ROOT,
        )
        if proc.returncode != 0:
            print(f"N={n}: child failed\n{proc.stderr[-3000:]}", file=sys.stderr)
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(
            f"{r['n']:>5} {r['mb']:>6.2f} {r['full_s']:>8.2f} {r['full_cpu']:>7.2f} {r['mb'] / r['full_s']:>6.2f} "
            f"{r['mb'] / r['full_cpu']:>8.2f} "
            f"{1000 * r['full_cpu'] / r['n']:>10.0f} {r['triples']:>9} {r['rss_mb']:>8.0f} {r['rss_full_mb']:>7.0f} "
            f"{r['inc_s']:>7.2f} {r['inc_s'] / r['full_s']:>9.1%}",
            flush=True,
        )
        if args.stages:
            print("      stages (s): " + ", ".join(f"{k} {v}" for k, v in r["stages"].items()), flush=True)
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        wall = (b["full_s"] / b["n"]) / (a["full_s"] / a["n"])
        cpu = (b["full_cpu"] / b["n"]) / (a["full_cpu"] / a["n"])
        print(f"\ncost per report, N={b['n']} vs N={a['n']}: wall {wall:.2f}x, cpu {cpu:.2f}x (1.00x = linear)")
        # The same split by stage (wall seconds): the store (RocksDB bulk load) vs everything else.
        print("wall ms per report by N: " + ", ".join(
            f"N={r['n']}: store {1000 * r['stages'].get('store', 0) / r['n']:.0f}, "
            f"rest {1000 * (sum(r['stages'].values()) - r['stages'].get('store', 0)) / r['n']:.0f}" for r in rows))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
