"""Incremental builds: only changed reports are re-analysed, and the result is
byte-identical to a full build of the same inputs (store: the same quads)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from peelkg.kg_build.pipeline import build


UNSEEN = Path(__file__).parent / "data" / "unseen" / "report.txt"  # a fictional other force


def outputs(out):
    return {n: (out / n).read_bytes() for n in ("kg.ttl", "kg.trig")}


def store_quads(out):
    return set(ox.Store.read_only(str(out / "store")))


@pytest.fixture()
def sources(tmp_path, example_paths):
    src = tmp_path / "src"
    src.mkdir()
    a, b = (src / p.name for p in example_paths)
    shutil.copy(example_paths[0], a)
    shutil.copy(example_paths[1], b)
    return a, b


def change(path):
    """Edit one report a little (a real wording change, still the same report)."""
    text = path.read_text(encoding="utf-8")
    new = text.replace("the force", "the Force", 1)
    assert new != text
    path.write_text(new, encoding="utf-8")


def test_rebuild_after_one_change_equals_full_build(tmp_path, sources):
    a, b = sources
    out = tmp_path / "inc"
    first = build([a, b], out)
    assert first.reused == []
    again = build([a, b], out)
    assert sorted(again.reused) == sorted(first.reports)  # nothing changed: nothing re-read

    change(b)
    inc = build([a, b], out)
    full = build([a, b], tmp_path / "full", incremental=False)
    assert full.reused == []
    assert len(inc.reused) == 1 and inc.reused[0] in first.reports
    changed_key = (set(full.reports) - set(inc.reused)).pop()
    assert changed_key != inc.reused[0]
    assert outputs(out) == outputs(tmp_path / "full")
    assert store_quads(out) == store_quads(tmp_path / "full")
    assert (inc.reports, inc.triples, inc.entities_by_kind) == (full.reports, full.triples, full.entities_by_kind)


def test_removing_a_report_drops_its_graph(tmp_path, sources):
    a, b = sources
    out = tmp_path / "inc"
    both = build([a, b], out)
    only_a = build([a], out)
    assert len(only_a.reports) == 1 and only_a.reused == only_a.reports
    full = build([a], tmp_path / "full")
    assert outputs(out) == outputs(tmp_path / "full")
    assert store_quads(out) == store_quads(tmp_path / "full")
    gone = (set(both.reports) - set(only_a.reports)).pop()
    assert not any(gone in q.graph_name.value for q in store_quads(out))
    assert full.reports == only_a.reports


def test_no_incremental_and_a_new_lexicon_re_read_everything(tmp_path, sources):
    a, b = sources
    out = tmp_path / "inc"
    build([a, b], out)
    assert build([a, b], out, incremental=False).reused == []
    assert len(build([a, b], out).reused) == 2
    # Changing the lexicon changes what extraction sees: the cache must not be used.
    lex = tmp_path / "extra-lexicon.ttl"
    lex.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
    assert build([a, b], out, lexicon_files=[lex]).reused == []
    assert len(build([a, b], out, lexicon_files=[lex]).reused) == 2


def test_renamed_file_is_re_read(tmp_path, sources):
    """The file name is recorded in the graph (dcterms:source), so it is part of the cache key."""
    a, b = sources
    out = tmp_path / "inc"
    build([a, b], out)
    renamed = b.with_name("renamed-" + b.name)
    b.rename(renamed)
    res = build([a, renamed], out)
    assert len(res.reused) == 1
    assert b"renamed-" in (out / "kg.ttl").read_bytes()


def test_cli_summary_says_how_many_were_unchanged(tmp_path, sources):
    from click.testing import CliRunner

    from peelkg.cli import main

    a, b = sources
    args = ["build", str(a), str(b), "--out", str(tmp_path / "out")]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == second.exit_code == 0, second.output
    assert first.stdout.startswith("Built 2 reports: ")
    assert second.stdout == first.stdout.replace("Built 2 reports: ", "Built 2 reports (2 unchanged): ")
    third = CliRunner().invoke(main, args + ["--no-incremental"])
    assert third.stdout == first.stdout


def test_only_the_changed_force_is_re_linked(tmp_path, sources):
    """Links never cross forces: a change to one force's report re-links that
    force only, and the other force's links (and store quads) are kept as they were."""
    a, b = sources
    other = tmp_path / "src" / "other-force.txt"
    shutil.copy(UNSEEN, other)
    out = tmp_path / "inc"
    first = build([a, b, other], out)
    assert len(first.relinked) == 2 and "bedfordshire-police" in first.relinked

    assert build([a, b, other], out).relinked == []  # nothing changed: nothing re-linked

    change(b)
    inc = build([a, b, other], out)
    assert inc.relinked == ["bedfordshire-police"]
    full = build([a, b, other], tmp_path / "full", incremental=False)
    assert outputs(out) == outputs(tmp_path / "full")
    assert store_quads(out) == store_quads(tmp_path / "full")
    assert inc.triples == full.triples
