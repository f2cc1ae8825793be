"""The text index next to the store: a SQLite FTS5 table (trigram tokenizer)
of every statement text, for the named queries' "text contains" prefilter.

One row per (named graph, subject, text) for

* every ``peel:text`` literal (findings, AFIs, causes of concern,
  recommendations, paragraphs, footnotes ...), under its subject;
* every ``oa:exact`` quote, under the statement that owns it
  (``?s peel:evidence ?ev . ?ev oa:hasSelector ?q . ?q oa:exact ?x``):
  statistics and follow-ups have their text only there.

Texts are stored lower-cased with ``str.lower`` (what rdflib's LCASE does,
and the same Unicode lower-case mapping as pyoxigraph's), so a lookup of
the lower-cased phrase finds exactly the subjects for which the queries'
``CONTAINS(LCASE(text), LCASE(phrase))`` holds. ``lookup`` returns them;
the queries keep their own filter, so the index only ever narrows the
candidates, it never decides the answer.

The index records the inode of the store folder it was made from (the build
renames that folder into place, which keeps the inode), so a reader can tell
an index that belongs to another store (a build that stopped between the two
renames, a copied folder) and not use it.

Each graph's row in table ``graphs`` records the force IRI and year of the
report the graph holds (none for the links graph), so a lookup can also be
narrowed to the reports of some forces and a year; rows of a graph with no
single report are always kept, so narrowing never loses an answer. It also
records the graph's range of row ids (a graph's rows are written together,
so their ids are consecutive): FTS5 reads a phrase's matches within a rowid
range without reading the rest, so a lookup narrowed to a few reports reads
only their part of the index (at 200 reports, on a new connection as the
runner opens one, about 1 ms against 5 to 10 ms for all the matches
filtered afterwards).

Like the store, the index is written in the build's staging folder and
renamed into place; an incremental build copies the last index and replaces
only the rows of the graphs that changed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Iterable, Optional

import pyoxigraph as ox

from peelkg.namespaces import OA, PEEL

INDEX_VERSION = "3"
MIN_PHRASE = 3  # the trigram index needs three characters to narrow anything
# Up to this many graphs in scope, a lookup reads each one's rowid range; past
# it (a year over many forces, say) one pass over all the matches is cheaper.
MAX_RANGES = 16

# Per graph: the texts of everything but the document's structure (paragraphs
# and footnotes are never a statement a text query returns: leaving them out
# halves the index and the candidates), and each statement's quotes unless
# the quote is its text already (most are).
_ROWS = f"""
SELECT ?s ?x WHERE {{
  {{ ?s <{PEEL.text}> ?x MINUS {{ ?s a <{PEEL.Paragraph}> }} MINUS {{ ?s a <{PEEL.Footnote}> }} }}
  UNION
  {{ ?s <{PEEL.evidence}> ?ev . ?ev <{OA.hasSelector}> ?q . ?q <{OA.exact}> ?x MINUS {{ ?s <{PEEL.text}> ?x }} }}
}}"""

# Per graph: the force and year of the report it holds.
_REPORT = f"""
SELECT ?f ?y WHERE {{ ?r a <{PEEL.InspectionReport}> ; <{PEEL.force}> ?f ; <{PEEL.year}> ?y }}"""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE graphs(graph TEXT PRIMARY KEY, force TEXT, year TEXT, first_id INTEGER, last_id INTEGER);
CREATE TABLE rows(id INTEGER PRIMARY KEY, graph TEXT NOT NULL, subject TEXT NOT NULL);
CREATE INDEX rows_graph ON rows(graph);
CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='trigram case_sensitive 1');
"""


class IndexUnusable(Exception):
    """The index file is missing, unreadable, of another version or of another store."""


def graph_rows(store: ox.Store, graph: ox.NamedNode) -> list[tuple[str, str]]:
    """(subject, lower-cased text) rows of one named graph, sorted, no duplicates.

    A blank-node subject comes as "_:" + its id, so that a lookup can tell it
    cannot bind it (see lookup)."""
    rows: set[tuple[str, str]] = set()
    for sol in store.query(_ROWS, default_graph=graph):
        s, x = sol[0], sol[1]
        if isinstance(x, ox.Literal) and isinstance(s, (ox.NamedNode, ox.BlankNode)):
            rows.add((s.value if isinstance(s, ox.NamedNode) else "_:" + s.value, x.value.lower()))
    return sorted(rows)


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")  # a staged file: it is renamed into place only when complete
    con.execute("PRAGMA synchronous=OFF")
    return con


def graph_report(store: ox.Store, graph: ox.NamedNode) -> tuple[Optional[str], Optional[str]]:
    """(force IRI, year) of the one report graph ``graph`` holds, else (None, None)."""
    found = {(sol[0].value, sol[1].value) for sol in store.query(_REPORT, default_graph=graph)
             if isinstance(sol[0], ox.NamedNode) and isinstance(sol[1], ox.Literal)}
    return found.pop() if len(found) == 1 else (None, None)


def _fill(con: sqlite3.Connection, store: ox.Store, graphs: Iterable[ox.NamedNode]) -> int:
    n = 0
    for g in graphs:
        rows = graph_rows(store, g)
        start = con.execute("SELECT COALESCE(MAX(id), 0) FROM rows").fetchone()[0] + 1
        con.execute("INSERT INTO graphs(graph, force, year, first_id, last_id) VALUES (?, ?, ?, ?, ?)",
                    (g.value, *graph_report(store, g), start, start + len(rows) - 1))
        con.executemany("INSERT INTO rows(id, graph, subject) VALUES (?, ?, ?)",
                        ((start + i, g.value, s) for i, (s, _) in enumerate(rows)))
        con.executemany("INSERT INTO fts(rowid, text) VALUES (?, ?)",
                        ((start + i, t) for i, (_, t) in enumerate(rows)))
        n += len(rows)
    return n


def _store_inode(store_dir: Path) -> str:
    return str(os.stat(store_dir).st_ino)


def _unusable(con: sqlite3.Connection, store_dir: Optional[Path]) -> Optional[str]:
    """Why the index open on ``con`` cannot serve the store at ``store_dir``
    (None: it can; no ``store_dir``: any store)."""
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("version") != INDEX_VERSION:
        return "it is of another version"
    if store_dir is not None and (not store_dir.is_dir() or meta.get("store_inode") != _store_inode(store_dir)):
        return f"it is not the index of {store_dir}"
    return None


def build_index(store_dir: Path, path: Path) -> int:
    """Write a NEW index at ``path`` from every named graph of the store at
    ``store_dir`` (opened read-only). Returns the number of rows."""
    store = ox.Store.read_only(str(store_dir))
    try:
        con = _connect(path)
        try:
            con.executescript(_SCHEMA)
            con.execute("BEGIN")
            n = _fill(con, store, sorted(store.named_graphs(), key=lambda g: g.value))
            con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                            [("version", INDEX_VERSION), ("store_inode", _store_inode(store_dir))])
            con.execute("COMMIT")
            con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        finally:
            con.close()
    finally:
        del store
    return n


def update_index(old: Path, old_store_dir: Path, store_dir: Path, path: Path, graphs: Iterable[str]) -> int:
    """Write ``path`` = the index ``old`` (not modified) with the rows of
    ``graphs`` (graph IRIs: changed or removed) taken anew from the store at
    ``store_dir``. IndexUnusable when ``old`` cannot be used (rebuild it then),
    for instance when it is not the index of ``old_store_dir``, the store
    ``store_dir`` was made from. Returns the number of rows replaced."""
    try:
        con = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        try:
            why = _unusable(con, old_store_dir)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise IndexUnusable(f"cannot read {old}: {exc}") from None
    if why:
        raise IndexUnusable(f"{old}: {why}")
    shutil.copyfile(old, path)
    store = ox.Store.read_only(str(store_dir))
    try:
        con = _connect(path)
        try:
            con.execute("BEGIN")
            todo = sorted(set(graphs))
            for g in todo:
                con.execute("DELETE FROM fts WHERE rowid IN (SELECT id FROM rows WHERE graph = ?)", (g,))
                con.execute("DELETE FROM rows WHERE graph = ?", (g,))
                con.execute("DELETE FROM graphs WHERE graph = ?", (g,))
            present = {g.value for g in store.named_graphs()}
            n = _fill(con, store, [ox.NamedNode(g) for g in todo if g in present])
            con.execute("UPDATE meta SET value = ? WHERE key = 'store_inode'", (_store_inode(store_dir),))
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise IndexUnusable(f"cannot update the copy of {old}: {exc}") from None
        finally:
            con.close()
    finally:
        del store
    return n


def lookup(path: Path, phrase: str, cap: int, store_dir: Optional[Path] = None,
           forces: Optional[Iterable[str]] = None, year: Optional[str] = None) -> Optional[list[str]]:
    """IRIs of the subjects whose text contains ``phrase`` (case-insensitive,
    as ``CONTAINS(LCASE(text), LCASE(phrase))``), sorted; None when the index
    cannot answer: no usable index file, an index of another store than
    ``store_dir``, a phrase under MIN_PHRASE characters,
    more than ``cap`` subjects, or a subject that is a blank node.

    ``forces`` (force IRIs) and ``year`` (its lexical form) narrow the answer
    to the graphs of reports of one of those forces and of that year, plus the
    graphs that hold no single report."""
    if len(phrase) < MIN_PHRASE or "\x00" in phrase:
        return None
    if not Path(path).is_file():
        return None
    # An FTS5 phrase of trigrams (a string: '"' doubled inside quotes, so the
    # phrase is never query syntax) matches the texts that hold those trigrams
    # one after the other: exactly the texts that contain the phrase. The texts
    # are lower-cased already and the tokenizer keeps case.
    match = '"' + phrase.lower().replace('"', '""') + '"'
    scope, args = [], []
    if forces is not None:
        forces = sorted(set(forces))
        scope.append(f"(force IS NULL OR force IN ({', '.join('?' * len(forces))}))")
        args += forces
    if year is not None:
        scope.append("(year IS NULL OR year = ?)")
        args.append(year)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if _unusable(con, store_dir):
                return None
            rows = _matches(con, match, scope, args, cap + 1)
        finally:
            con.close()
    except (sqlite3.Error, OSError):
        return None
    subjects = sorted(rows)
    if len(subjects) > cap or any(s.startswith("_:") for s in subjects):
        return None
    return subjects


def _matches(con: sqlite3.Connection, match: str, scope: list[str], args: list, limit: int) -> set[str]:
    """Up to ``limit`` distinct subjects whose text matches ``match``, among the
    graphs that satisfy every ``scope`` condition (all graphs when none)."""
    # (Sub-selects, not joins: SQLite then reads the FTS matches once, 3x faster.)
    everything = "SELECT DISTINCT subject FROM rows WHERE id IN (SELECT rowid FROM fts WHERE fts MATCH ?"
    if not scope:
        return {s for (s,) in con.execute(everything + ") LIMIT ?", (match, limit))}
    where = " AND ".join(scope)
    ranges = con.execute(f"SELECT first_id, last_id FROM graphs WHERE {where} AND first_id <= last_id "
                         f"ORDER BY first_id LIMIT {MAX_RANGES + 1}", args).fetchall()
    if len(ranges) > MAX_RANGES:
        sql = everything + f") AND graph IN (SELECT graph FROM graphs WHERE {where}) LIMIT ?"
        return {s for (s,) in con.execute(sql, (match, *args, limit))}
    found: set[str] = set()
    for first, last in ranges:
        found.update(s for (s,) in con.execute(everything + " AND rowid BETWEEN ? AND ?) LIMIT ?",
                                               (match, first, last, limit)))
        if len(found) >= limit:
            break
    return found
