"""The text index (kg_build/textindex.py): the build writes it beside the
store, the runner uses it to narrow text queries (search, evidence), and it
never changes an answer: rows with and without it are the same, on both
engines, and an index that does not belong to the store is not used."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from peelkg.kg_build import textindex
from peelkg.kg_build.pipeline import build
from peelkg.queries import runner
from peelkg.state import STORE_DIR, TEXT_INDEX

# (query, parameters): phrases that match many, few and no statements, the
# same phrase in other cases, text with quotes and FTS syntax, a phrase the
# index cannot take (too short), text beyond ASCII, and evidence by IRI.
AFI_IRI = "https://w3id.org/peelkg/id/report/bedfordshire-police-2017-effectiveness/question/1/afi/1"
CASES = [
    ("search", {"phrase": "backlog"}),
    ("search", {"phrase": "BACKLOG", "force": "bedfordshire POLICE"}),
    ("search", {"phrase": "backlog", "force": "Bedfordshire Police", "year": "2017"}),
    ("search", {"phrase": "backlog", "force": "No Such Police"}),
    ("search", {"phrase": "MASH"}),
    ("search", {"phrase": "Emerald team", "year": "2018"}),
    ("search", {"phrase": 'the "team" OR NEAR(x y)'}),
    ("search", {"phrase": "zzz-not-in-any-report"}),
    ("search", {"phrase": "ab"}),
    ("search", {"phrase": "café"}),
    ("search", {"phrase": "CLARE’S LAW"}),
    ("evidence", {"target": "Emerald team"}),
    ("evidence", {"target": "Emerald team", "force": "Bedfordshire Police", "year": "2017"}),
    ("evidence", {"target": "ICAIT", "year": "2018"}),
    ("evidence", {"target": "domestic abuse", "force": "Nowhere Constabulary"}),
    ("evidence", {"target": AFI_IRI}),
]


def index_rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(con.execute(
            "SELECT g.graph, g.force, g.year, r.subject, f.text FROM rows r JOIN fts f ON f.rowid = r.id "
            "JOIN graphs g ON g.graph = r.graph").fetchall())
    finally:
        con.close()


def test_build_writes_the_index_beside_the_store(example_kg):
    path = example_kg / TEXT_INDEX
    rows = index_rows(path)
    assert len(rows) > 500
    graphs = {r[0] for r in rows}
    assert any(g.endswith("/graph/links") for g in graphs)  # follow-ups' evidence quotes
    # Report graphs know their force and year; the links graph has neither.
    by_graph = {r[0]: (r[1], r[2]) for r in rows}
    assert by_graph["https://w3id.org/peelkg/id/graph/bedfordshire-police-2017-effectiveness"] == (
        "https://w3id.org/peelkg/id/force/bedfordshire-police", "2017")
    assert by_graph["https://w3id.org/peelkg/id/graph/links"] == (None, None)
    # Texts are lower-cased; paragraphs and footnotes are left out.
    assert all(r[4] == r[4].lower() for r in rows)
    assert not any("/paragraph/" in r[3] or "/footnote/" in r[3] for r in rows)


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}-{'-'.join(p.values())[:40]}" for n, p in CASES])
def test_rows_are_the_same_with_and_without_the_index(example_kg, name, params):
    q = runner.load_query(name)
    bindings = {"_" + k: v for k, v in params.items()}
    indexed = runner.select(example_kg, q.text, dict(bindings))  # a build folder: the index is used
    scanned = runner.select(runner.open_store(example_kg), q.text, dict(bindings))  # an open store: no index
    rdflib = runner.select(example_kg, q.text, dict(bindings), engine="rdflib")
    assert indexed.vars == scanned.vars == rdflib.vars
    assert indexed.rows == scanned.rows == rdflib.rows


def test_the_runner_binds_the_candidates_and_they_hold_every_answer(example_kg):
    q = runner.load_query("search")
    store = runner.open_store(example_kg)
    plain = {"_phrase": "backlog"}
    narrowed = runner._text_candidates(store, example_kg, q.text, dict(plain))
    candidates = {c.value for c in narrowed["statement"]}
    column = [c for c, _ in q.columns].index("statement")
    answers = {r[column] for r in runner.select(store, q.text, dict(plain)).rows}
    assert answers and answers <= candidates
    rows = index_rows(example_kg / TEXT_INDEX)
    assert len(candidates) < len(rows) / 20  # it narrows a lot
    # A force that is not in the graph leaves only rows of no single report (the links graph).
    none = runner._text_candidates(store, example_kg, q.text, {**plain, "_force": "No Such Police"})
    assert {c.value for c in none["statement"]} <= {r[3] for r in rows if r[1] is None}
    # Phrases the index cannot take: the query runs as written.
    assert "statement" not in runner._text_candidates(store, example_kg, q.text, {"_phrase": "ab"})
    # Beyond ASCII: the texts and the phrase are lower-cased alike.
    apostrophe = runner._text_candidates(store, example_kg, q.text, {"_phrase": "CLARE’S LAW"})["statement"]
    assert apostrophe and all("2018" in c.value for c in apostrophe)  # the 2017 report writes Clare's


def assert_ranges_hold_their_rows(path: Path) -> None:
    """Each graph's [first_id, last_id] holds exactly its rows (what a scoped lookup reads)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ranges = con.execute("SELECT graph, first_id, last_id FROM graphs").fetchall()
        assert ranges
        for graph, first, last in ranges:
            ids = [i for (i,) in con.execute("SELECT id FROM rows WHERE graph = ? ORDER BY id", (graph,))]
            assert ids == list(range(first, last + 1)), graph
    finally:
        con.close()


F17 = "https://w3id.org/peelkg/id/force/bedfordshire-police"


@pytest.mark.parametrize("phrase", ["backlog", "emerald team", "clare", "zzz-not-in-any-report"])
@pytest.mark.parametrize("scope", [{"forces": [F17]}, {"year": "2017"}, {"forces": [F17], "year": "2018"},
                                   {"forces": []}, {"forces": ["https://example.org/no-force"], "year": "2017"}])
def test_a_scoped_lookup_reads_the_graphs_ranges_and_finds_what_a_filter_would(example_kg, monkeypatch, phrase, scope):
    """A lookup narrowed to some forces and a year reads those graphs' rowid
    ranges; its answer is the unscoped answer less the other reports' rows,
    and the same when it takes one pass over every match instead (past
    MAX_RANGES graphs)."""
    path, store = example_kg / TEXT_INDEX, example_kg / STORE_DIR
    assert_ranges_hold_their_rows(path)
    rows = index_rows(path)
    keep = {r[0] for r in rows if (r[1] is None or "forces" not in scope or r[1] in scope["forces"])
            and (r[2] is None or "year" not in scope or r[2] == scope["year"])}
    kept_subjects = {r[3] for r in rows if r[0] in keep}
    expected = sorted(set(textindex.lookup(path, phrase, 10_000, store) or []) & kept_subjects)
    ranged = textindex.lookup(path, phrase, 10_000, store, **scope)
    monkeypatch.setattr(textindex, "MAX_RANGES", 0)
    one_pass = textindex.lookup(path, phrase, 10_000, store, **scope)
    assert ranged == one_pass == expected
    if phrase == "backlog" and F17 in scope.get("forces", []):
        assert expected  # the case has answers to lose


def test_an_index_of_another_store_is_not_used(tmp_path, example_kg):
    copy = tmp_path / "copy"
    shutil.copytree(example_kg, copy)  # a copied store folder is another folder (another inode)
    assert textindex.lookup(copy / TEXT_INDEX, "backlog", 1000, copy / STORE_DIR) is None
    assert textindex.lookup(example_kg / TEXT_INDEX, "backlog", 1000, example_kg / STORE_DIR)
    assert textindex.lookup(example_kg / TEXT_INDEX, "backlog", 1, example_kg / STORE_DIR) is None  # over the cap
    q = runner.load_query("search")
    assert runner.select(copy, q.text, {"_phrase": "backlog"}).rows == runner.select(
        example_kg, q.text, {"_phrase": "backlog"}).rows


def test_incremental_build_updates_the_index_like_a_full_build(tmp_path, example_paths):
    src = tmp_path / "src"
    src.mkdir()
    a, b = (shutil.copy(p, src / p.name) for p in example_paths)
    out = tmp_path / "inc"
    build([a, b], out)
    text = Path(b).read_text(encoding="utf-8")
    new = text.replace("backlog", "pile-up of work", 1)
    assert new != text
    Path(b).write_text(new, encoding="utf-8")
    inc = build([a, b], out)
    assert len(inc.reused) == 1
    full = tmp_path / "full"
    build([a, b], full, incremental=False)
    assert index_rows(out / TEXT_INDEX) == index_rows(full / TEXT_INDEX)
    assert_ranges_hold_their_rows(out / TEXT_INDEX)  # the replaced graph's rows were written together
    assert textindex.lookup(out / TEXT_INDEX, "pile-up of work", 100, out / STORE_DIR)
    # Dropping a report drops its rows.
    build([a], out)
    assert not any("2018" in r[0] for r in index_rows(out / TEXT_INDEX))
