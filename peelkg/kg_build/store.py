"""The pyoxigraph store next to kg.ttl: what queries and views read.

One named graph per report plus ``id:graph/links``; queries run with the
union of all graphs as the default graph (``use_default_graph_as_union``).

A store is always built in a temporary folder and renamed into place, so a
reader never sees a half-written store. pyoxigraph has no ``close()``: the
store is flushed and its last reference dropped (which closes RocksDB) before
the folder is renamed.
"""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox

from peelkg.errors import PeelkgError
from peelkg.state import STORE_DIR


def _close(store: "ox.Store") -> None:
    store.flush()
    del store
    gc.collect()  # drops the RocksDB handle (and its LOCK) now, not "eventually"


def write_store(path: Path, trig: bytes | str) -> None:
    """Create a NEW store at ``path`` (must not exist) from a TriG document."""
    path = Path(path)
    store = ox.Store(str(path))
    data = trig.encode("utf-8") if isinstance(trig, str) else trig
    store.bulk_load(input=data, format=ox.RdfFormat.TRIG)
    _close(store)


def update_store(
    old: Path,
    new: Path,
    header: str,
    replace: Mapping[str, str],
    remove: Iterable[str] = (),
) -> None:
    """Make ``new`` = ``old`` with some named graphs replaced or removed.

    ``replace`` maps a graph IRI to its TriG block (``<g> { ... }``);
    ``header`` holds the @prefix lines the blocks need. ``old`` is not
    modified: it is snapshotted with a RocksDB checkpoint (hard links, cheap)
    and only the snapshot is changed.
    """
    src = ox.Store.read_only(str(old))
    src.backup(str(new))
    del src
    gc.collect()
    store = ox.Store(str(new))
    for g in sorted(set(remove) | set(replace)):
        store.remove_graph(ox.NamedNode(g))
    if replace:
        body = header + "".join(replace[g] for g in sorted(replace))
        # bulk_load is not transactional, but this store is a private copy until swapped in.
        store.bulk_load(input=body.encode("utf-8"), format=ox.RdfFormat.TRIG)
    _close(store)


def swap_dir(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target``, replacing any existing folder there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def open_store(kg_dir: Path, read_only: bool = True) -> "ox.Store":
    """Open the store of a build folder (read-only by default).

    Query it with ``store.query(q, use_default_graph_as_union=True)`` to see
    every report graph plus the links graph as one default graph.
    """
    path = Path(kg_dir) / STORE_DIR
    if not path.is_dir():
        raise PeelkgError(f"no store in {kg_dir}: run `peelkg build REPORTS --out {kg_dir}` first")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise PeelkgError(f"cannot open the store in {kg_dir}: {exc}") from None
