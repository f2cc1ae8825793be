"""The build: report files -> kg.ttl, kg.trig, a pyoxigraph store and its text index.

    discover -> per source: read, parse, entities, statistics, findings, rdf,
    serialise (in worker processes when jobs > 1) -> link the reports of each
    force -> links graph -> write kg.ttl / kg.trig / store / text index ->
    remember the build.

Guarantees:

* deterministic: reports are ordered by report key, never by input order or
  completion order, so the same inputs give byte-identical files whatever
  ``jobs`` is;
* all or nothing: every output is written to a temporary folder inside
  ``out_dir`` and renamed into place at the very end; a failed build leaves
  ``out_dir`` as it was;
* incremental: a report whose bytes (and the code and lexicon) did not change
  is taken from the cache (``cache.py``); kg.ttl/kg.trig are re-assembled from
  per-report chunks, which is exactly what a full build writes; only forces
  with a changed report are re-linked; the store (and its text index) only
  reloads the named graphs that changed;
* bounded memory: a report's document model goes to a pickle as soon as it is
  rendered and comes back only while its force is linked, so memory does not
  grow with the number of reports.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import shutil
import sqlite3
import time
from collections import Counter
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from peelkg.errors import PeelkgError, ReportError
from peelkg.kg_build import sources
from peelkg.kg_build.cache import Cache, Entry, dump_rg, entry_key, fingerprint, part_key, read_chunk
from peelkg.kg_build.model import ENTITY_KINDS, CorpusGraph, ReportGraph
from peelkg.kg_build.serialise import trig_brackets, trig_wrap, turtle_body_count, turtle_header
from peelkg.kg_build.store import swap_dir, update_store, write_store
from peelkg.namespaces import LINKS_GRAPH, report_graph_iri
from peelkg.state import KG_FILE, STORE_DIR, TEXT_INDEX, TRIG_FILE, remember_build

STAGES = ("read", "parse", "entities", "findings", "link", "rdf", "serialise", "write", "store", "index")


@dataclass
class BuildResult:
    """What a build produced (the CLI prints it as one summary line)."""

    reports: list[str]  # report keys, sorted
    triples: int  # statements written (sum over the named graphs of kg.trig)
    entities_by_kind: dict[str, int]  # per-report entities, summed over reports
    errors: list[str]  # "file: reason" of each skipped input (keep_going)
    out_dir: Path
    reused: list[str] = field(default_factory=list)  # report keys taken from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (summed over workers)
    text_chars: int = 0  # characters of report text analysed (not counting cache hits)
    relinked: list[str] = field(default_factory=list)  # force keys whose links were made anew (not cached)


# ---- one report -----------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _lexicon(lexicon_files: tuple[str, ...]):
    try:
        from peelkg.kg_build.lexicon import load_lexicon
    except ModuleNotFoundError as exc:  # lexicon.py not there: entities use their own defaults
        if exc.name != "peelkg.kg_build.lexicon":
            raise
        return None
    return load_lexicon([Path(f) for f in lexicon_files])


@contextmanager
def _paused_gc():
    """Run the block with the cyclic garbage collector off (restored after).

    Analysis allocates hundreds of thousands of small objects and no reference
    cycles worth collecting; every allocation burst would otherwise trigger
    collections that walk all live objects, which roughly doubled the cost of
    tokenising."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyse(path: Path, data: bytes, sha: str, lexicon_files: tuple[str, ...], t: dict) -> ReportGraph:
    from peelkg.kg_build.entities import extract_entities
    from peelkg.kg_build.findings import extract_findings, link_statistics
    from peelkg.kg_build.reports import parse_report

    with _paused_gc():
        c = time.perf_counter()
        fmt, text = sources.decode_source(data, path.name)
        c2 = time.perf_counter()
        t["read"] = t.get("read", 0.0) + c2 - c
        report = parse_report(text, source=path.name, sha256=sha, fmt=fmt)
        c3 = time.perf_counter()
        t["parse"] = t.get("parse", 0.0) + c3 - c2
        entities = extract_entities(report, _lexicon(lexicon_files))
        link_statistics(report, entities)
        c4 = time.perf_counter()
        t["entities"] = t.get("entities", 0.0) + c4 - c3
        findings = extract_findings(report, entities)
        t["findings"] = t.get("findings", 0.0) + time.perf_counter() - c4
        return ReportGraph(report=report, entities=entities, findings=findings)


def analyse_source(path: Path, lexicon_files: Sequence[Path] = ()) -> ReportGraph:
    """Read one report file and extract everything from it (no RDF yet)."""
    path = Path(path)
    data = sources.read_bytes(path)
    return _analyse(path, data, hashlib.sha256(data).hexdigest(), tuple(str(f) for f in lexicon_files), {})


def _render(rg: ReportGraph, t: dict) -> tuple[str, str, int]:
    """(Turtle body, TriG block, triple count) of one report's named graph."""
    from peelkg.kg_build.rdf import report_triples

    c = time.perf_counter()
    triples = report_triples(rg)
    c2 = time.perf_counter()
    body, n = turtle_body_count(triples)
    block = trig_wrap(report_graph_iri(rg.report.key), body)
    t["rdf"] = t.get("rdf", 0.0) + c2 - c
    t["serialise"] = t.get("serialise", 0.0) + time.perf_counter() - c2
    return body, block, n


def _work(job: tuple) -> tuple:
    """Worker: ('ok', Entry, timings) or ('error', file name, reason, timings).

    Errors travel as plain tuples: exceptions with custom __init__ arguments
    (ReportError) do not survive pickling between processes.
    """
    path, data, sha, key, lexicon_files, chunk_dir = job
    t: dict = {}
    try:
        rg = _analyse(path, data, sha, lexicon_files, t)
        ttl_text, trig_text, n = _render(rg, t)
        # Chunks go to the build's private staging folder, not through memory:
        # at hundreds of reports they are most of the output.
        c = time.perf_counter()
        ttl, trig, rg_file = (Path(chunk_dir) / f"{key}{ext}" for ext in (".ttl", ".trig", ".rg"))
        ttl.write_bytes(ttl_text.encode("utf-8"))
        trig.write_bytes(trig_text.encode("utf-8"))
        dump_rg(rg, rg_file)
        t["write"] = t.get("write", 0.0) + time.perf_counter() - c
    except ReportError as exc:
        return ("error", exc.source, exc.reason, t)
    except PeelkgError as exc:
        return ("error", path.name, str(exc), t)
    except Exception as exc:  # noqa: BLE001 - a bug in one report's analysis must not crash the CLI
        if os.environ.get("PEELKG_DEBUG"):
            raise
        return ("error", path.name, f"internal error while analysing it ({type(exc).__name__}: {exc}); set PEELKG_DEBUG=1 for details", t)
    ents = Counter(e.kind for e in rg.entities)
    entry = Entry(key=key, report_key=rg.report.key, source=path.name, force_key=rg.report.force_key,
                  force=rg.report.force, rg_file=rg_file, ttl=ttl, trig=trig, quads=n,
                  entities=dict(sorted(ents.items())), chars=len(rg.report.text))
    return ("ok", entry, t)


# ---- the build -------------------------------------------------------------


def _add_times(total: dict, t: dict) -> None:
    for k, v in t.items():
        total[k] = total.get(k, 0.0) + v


def build(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    keep_going: bool = False,
    jobs: int = 1,
    progress: Optional[Callable[[str], None]] = None,
    lexicon_files: Sequence[Path] = (),
    incremental: bool = True,
) -> BuildResult:
    """Build the knowledge graph of ``inputs`` (files and folders) into ``out_dir``.

    Writes ``kg.ttl`` (union of all graphs), ``kg.trig`` (one named graph per
    report + the links graph), the pyoxigraph store ``store/`` and its text
    index ``text-index.sqlite`` (``textindex.py``), then records
    ``out_dir`` as the default graph for later commands.

    Without ``keep_going`` the first bad input raises ReportError and nothing
    in ``out_dir`` changes; with it, bad inputs are listed in
    ``BuildResult.errors`` and the rest is built (PeelkgError if none is good).
    ``jobs`` > 1 analyses reports in that many processes (0 = all cores);
    the output is byte-identical either way. ``progress(file_name)`` is called
    once per input report. ``incremental=False`` re-analyses every report
    (the cache is still refreshed for the next build).
    """
    out_dir = Path(out_dir)
    t_total: dict = {s: 0.0 for s in STAGES}
    errors: list[ReportError] = []

    def fail(err: ReportError) -> None:
        if not keep_going:
            raise err
        errors.append(err)

    c = time.perf_counter()
    paths = sources.discover(inputs, on_error=fail)
    if not paths and not errors:
        shown = ", ".join(str(p) for p in inputs) or "(nothing given)"
        raise PeelkgError(f"no report files found in {shown} (expected .txt, .html or .pdf files)")
    lex = tuple(str(f) for f in lexicon_files)
    fp = fingerprint(lexicon_files)
    cache = Cache(out_dir, fp)

    # Read every file (cheap) and look it up in the cache; only misses are analysed.
    entries: list[Entry] = []
    jobs_todo: list[tuple] = []
    for path in paths:
        try:
            data = sources.read_bytes(path)
        except ReportError as err:
            fail(err)
            if progress:
                progress(path.name)
            continue
        sha = hashlib.sha256(data).hexdigest()
        key = entry_key(fp, path.name, sha)
        hit = cache.get(key) if incremental else None
        if hit is not None:
            entries.append(hit)
            if progress:
                progress(path.name)
        else:
            jobs_todo.append((path, data, sha, key, lex))
    t_total["read"] += time.perf_counter() - c
    staging = _Staging(out_dir)
    try:
        return _build_rest(staging, cache, paths, entries, jobs_todo, errors, fail, t_total,
                           keep_going=keep_going, jobs=jobs, progress=progress, lex=lex)
    finally:
        staging.close()


def _build_rest(staging, cache, paths, entries, jobs_todo, errors, fail, t_total, *, keep_going, jobs,
                progress, lex) -> BuildResult:
    out_dir = staging.out_dir
    if jobs_todo:
        # Load the lexicon once, here: a bad lexicon file is one error (not one
        # per report), and forked workers inherit the loaded copy.
        c = time.perf_counter()
        _lexicon(lex)
        t_total["entities"] += time.perf_counter() - c
        chunk_dir = staging.make() / "chunks"
        chunk_dir.mkdir()
        jobs_todo = [job + (str(chunk_dir),) for job in jobs_todo]
    text_chars = 0

    def collect(res: tuple) -> None:
        nonlocal text_chars
        _add_times(t_total, res[-1])
        if res[0] == "ok":
            entries.append(res[1])
            text_chars += res[1].chars
        else:
            fail(ReportError(res[1], res[2]))

    def tick(res: tuple) -> None:
        if progress:
            progress(res[1].source if res[0] == "ok" else res[1])

    n_workers = (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)
    if n_workers > 1 and len(jobs_todo) > 1:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(jobs_todo))) as pool:
            futures = [pool.submit(_work, job) for job in jobs_todo]
            try:
                for fut in as_completed(futures):
                    tick(fut.result())
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        # Results are taken in input order, so the error named is the same as with jobs=1.
        for fut in futures:
            collect(fut.result())
    else:
        for job in jobs_todo:
            res = _work(job)
            tick(res)
            collect(res)

    # Errors are reported in input order, whatever order workers finished in.
    order = {p.name: i for i, p in enumerate(paths)}
    errors.sort(key=lambda e: (order.get(e.source, -1), e.source))

    entries = _drop_duplicates(entries, paths, fail)
    if not entries:
        if len(errors) == 1:
            raise errors[0]
        raise PeelkgError(f"none of the {len(errors)} inputs could be built (first: {errors[0]})")
    entries.sort(key=lambda e: e.report_key)

    relinked: list[str] = []
    parts = _links_graph(entries, cache, staging, t_total, relinked)
    _write_outputs(staging, cache, entries, parts, t_total)
    remember_build(out_dir)

    ents: Counter = Counter()
    for e in entries:
        ents.update(e.entities)
    return BuildResult(
        reports=[e.report_key for e in entries],
        triples=sum(e.quads for e in entries) + sum(p.triples for p in parts),
        entities_by_kind={k: ents[k] for k in sorted(ents, key=lambda k: (k not in ENTITY_KINDS, ENTITY_KINDS.index(k) if k in ENTITY_KINDS else 0, k))},
        errors=[str(e) for e in errors],
        out_dir=out_dir,
        reused=[e.report_key for e in entries if e.cached],
        timings=t_total,
        text_chars=text_chars,
        relinked=relinked,
    )


@dataclass
class _Part:
    """One piece of the links graph: a Turtle body in a file (staged or cached)."""

    key: str  # cache.part_key of the force's reports (or of the shared head)
    file: Path
    triples: int


def _links_graph(entries: list[Entry], cache: Cache, staging: "_Staging", t_total: dict,
                 relinked: list[str]) -> list[_Part]:
    """The links graph, as parts: the shared head (vocabulary, forces), then
    each force's links in force-key order.

    Links never cross forces, so each force is linked on its own, with only
    its reports' models in memory, and a force whose reports are all unchanged
    takes its part from the cache. Parts go to files as they are made, so the
    links graph is never held in memory whole. Concatenated, they are one
    deterministic Turtle body with one block per subject (every linked
    subject belongs to one force; the head's subjects to none).
    """
    from peelkg.kg_build.linking import link
    from peelkg.kg_build.rdf import corpus_head_triples, force_link_triples

    part_dir = staging.make() / "parts"
    part_dir.mkdir(exist_ok=True)

    def staged(key: str, body: str, n: int) -> _Part:
        f = part_dir / f"{key}.links"
        f.write_bytes(body.encode("utf-8"))
        return _Part(key, f, n)

    by_force: dict[str, list[Entry]] = {}
    forces: dict[str, str] = {}
    for e in entries:  # sorted by report key: the last report's spelling of the force wins
        by_force.setdefault(e.force_key, []).append(e)
        forces[e.force_key] = e.force
    c = time.perf_counter()
    head, n = turtle_body_count(corpus_head_triples(forces))
    parts = [staged(part_key(cache.fp, ["head", hashlib.sha256(head.encode("utf-8")).hexdigest()]), head, n)]
    t_total["serialise"] += time.perf_counter() - c
    for fk in sorted(by_force):
        group = by_force[fk]
        pk = part_key(cache.fp, [e.key for e in group])
        hit = cache.get_part(pk)
        if hit is not None:
            parts.append(_Part(pk, *hit))
            continue
        relinked.append(fk)
        c = time.perf_counter()
        graphs = [e.load_rg() for e in group]
        links, followups, grade_changes = link(graphs)
        c2 = time.perf_counter()
        triples = force_link_triples(CorpusGraph(reports=graphs, links=links, followups=followups,
                                                 grade_changes=grade_changes))
        del graphs
        c3 = time.perf_counter()
        parts.append(staged(pk, *turtle_body_count(triples)))
        t_total["link"] += c2 - c
        t_total["rdf"] += c3 - c2
        t_total["serialise"] += time.perf_counter() - c3
    return parts


def _links_change(cache: Cache, parts: list[_Part]) -> Optional[tuple[str, str]]:
    """(before, after) TriG blocks for updating the store's links graph: only
    the parts that changed since the last build (no triple is in two parts).
    None when the last build's parts are not all known (rebuild the store)."""
    old = cache.previous_parts()
    if old is None:
        return None
    now = {p.key for p in parts}
    gone = [cache.part_file(k) for k in sorted(old) if k not in now]
    if any(f is None for f in gone):
        return None
    before = "".join(f.read_text(encoding="utf-8") for f in gone)
    after = "".join(p.file.read_text(encoding="utf-8") for p in parts if p.key not in old)
    return trig_wrap(LINKS_GRAPH, before), trig_wrap(LINKS_GRAPH, after)


def _drop_duplicates(entries: list[Entry], paths: list[Path], fail) -> list[Entry]:
    """Two files that are the same report (same key): an error naming both."""
    order = {p.name: i for i, p in enumerate(paths)}
    seen: dict[str, Entry] = {}
    for e in sorted(entries, key=lambda e: (order.get(e.source, 0), e.source)):
        first = seen.get(e.report_key)
        if first is None:
            seen[e.report_key] = e
        else:
            fail(ReportError(e.source, f"same report as {first.source} ({e.report_key}); remove one of them"))
    return list(seen.values())


class _Staging:
    """The build's private temp folder inside out_dir (same file system, so
    outputs can be renamed into place). On failure it is removed, and so is
    out_dir if this build created it: a failed build leaves nothing behind."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.tmp = out_dir / f".build-tmp-{os.getpid()}"
        self.created = False
        self.committed = False
        self.made = False

    def make(self) -> Path:
        if not self.made:
            try:
                if not self.out_dir.exists():
                    self.out_dir.mkdir(parents=True)
                    self.created = True
                if self.tmp.exists():
                    shutil.rmtree(self.tmp)
                self.tmp.mkdir()
            except OSError as exc:
                raise PeelkgError(f"cannot write to the output folder {self.out_dir}: {exc.strerror or exc}") from None
            self.made = True
        return self.tmp

    def close(self) -> None:
        if self.made:
            shutil.rmtree(self.tmp, ignore_errors=True)
            if self.created and not self.committed:
                shutil.rmtree(self.out_dir, ignore_errors=True)


def _write_outputs(staging: _Staging, cache: Cache, entries: list[Entry], parts: list[_Part],
                   t_total: dict) -> None:
    """Write everything into the staging folder, then swap it in."""
    out_dir = staging.out_dir
    tmp = staging.make()
    opening, closing = (x.encode("utf-8") for x in trig_brackets(LINKS_GRAPH))
    try:
        c = time.perf_counter()
        header = turtle_header()
        for name, chunks, before, after in ((KG_FILE, [e.ttl for e in entries], b"", b""),
                                            (TRIG_FILE, [e.trig for e in entries], opening, closing)):
            with open(tmp / name, "wb") as f:
                f.write(header.encode("utf-8"))
                for chunk in chunks:  # cached chunks are copied as bytes, never decoded
                    f.write(chunk.read_bytes() if isinstance(chunk, Path) else chunk.encode("utf-8"))
                f.write(before)
                for part in parts:
                    f.write(part.file.read_bytes())
                f.write(after)
        c2 = time.perf_counter()
        t_total["write"] += c2 - c

        # Store: reload only changed graphs when most of the last build is reusable.
        prev = cache.previous if cache.index.get("fingerprint") == cache.fp else {}
        now = {e.report_key: e.key for e in entries}
        changed = [k for k, v in now.items() if prev.get(k) != v]
        removed = [k for k in prev if k not in now]
        old_store = out_dir / STORE_DIR
        def all_blocks():
            for e in entries:
                yield e.trig.read_bytes() if isinstance(e.trig, Path) else e.trig.encode("utf-8")
            for part in parts:  # TriG lets a graph's triples come in several blocks
                yield opening + part.file.read_bytes() + closing

        links_change = _links_change(cache, parts) if prev else None
        changes: dict = {}
        if links_change and old_store.is_dir() and len(changed) + len(removed) <= len(now) // 2:
            by_key = {e.report_key: e for e in entries}
            changes = {str(report_graph_iri(k)): (cache.old_trig(prev.get(k)), read_chunk(by_key[k].trig))
                       for k in changed}
            changes.update({str(report_graph_iri(k)): (None, None) for k in removed})
            changes[str(LINKS_GRAPH)] = links_change
            try:
                update_store(old_store, tmp / STORE_DIR, header, changes)
            except OSError:  # old store unusable (corrupt, locked): rebuild it
                changes = {}
                shutil.rmtree(tmp / STORE_DIR, ignore_errors=True)
                write_store(tmp / STORE_DIR, all_blocks(), header.encode("utf-8"))
        else:
            write_store(tmp / STORE_DIR, all_blocks(), header.encode("utf-8"))
        c3 = time.perf_counter()
        t_total["store"] += c3 - c2

        # The text index follows the store: only the changed graphs' rows when
        # the store was updated in place, else all of them.
        _write_text_index(out_dir / TEXT_INDEX, old_store, tmp / STORE_DIR, tmp / TEXT_INDEX, changes)
        t_total["index"] += time.perf_counter() - c3

        # Commit. The index goes first so a crash mid-swap forces a full store next time.
        c = time.perf_counter()
        cache.invalidate()
        os.replace(tmp / KG_FILE, out_dir / KG_FILE)
        os.replace(tmp / TRIG_FILE, out_dir / TRIG_FILE)
        swap_dir(tmp / STORE_DIR, out_dir / STORE_DIR)
        os.replace(tmp / TEXT_INDEX, out_dir / TEXT_INDEX)  # it names the store it indexes (textindex.py)
        staging.committed = True
        cache.commit(entries, [(p.key, p.file, p.triples) for p in parts])
        t_total["write"] += time.perf_counter() - c
    except OSError as exc:
        raise PeelkgError(f"cannot write the build output in {out_dir}: {exc.strerror or exc}") from None


def _write_text_index(old: Path, old_store: Path, store_dir: Path, path: Path, changes: dict) -> None:
    """The text index of the store at ``store_dir``, at ``path``: the last
    build's index ``old`` (of ``old_store``) with the rows of the ``changes``
    graphs replaced, or (no changes given, or an old index that cannot be
    used) made anew."""
    from peelkg.kg_build import textindex

    try:
        if changes and old.is_file():
            try:
                textindex.update_index(old, old_store, store_dir, path, changes)
                return
            except textindex.IndexUnusable:
                path.unlink(missing_ok=True)
        textindex.build_index(store_dir, path)
    except sqlite3.Error as exc:
        raise PeelkgError(f"cannot write the text index {path.name} in {path.parent}: {exc}") from None
