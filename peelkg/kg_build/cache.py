"""Content-hash cache for incremental builds, kept in ``<out>/.peelkg-cache``.

One entry per report, keyed by sha256(code fingerprint, file name, sha256 of
the source bytes). The fingerprint covers the peelkg version, the source of
every build module (``peelkg/kg_build``, namespaces, ``ontology/`` with
the bundled lexicon) and the content of the
lexicon files, so changing the code or the lexicon invalidates every entry
and a stale graph can never be reused.

An entry holds what a rebuild needs without re-reading the report:

* ``<key>.ttl``   the report's Turtle body (its named graph, no @prefix lines)
* ``<key>.trig``  the same as a TriG block
* ``<key>.pkl``   small facts about it (report key, force, counts)
* ``<key>.rg``    the pickled ReportGraph, read only when its force is re-linked

and one entry per force (``<part key>.links``: that force's part of the links
graph as a Turtle body), keyed by the entry keys of the force's reports, so a
rebuild re-links only the forces whose reports changed, and the store updates
only the links of those forces.

``index.json`` records the last build: fingerprint and report key -> entry,
which tells the store which named graphs changed. Entries are pickles: the
cache trusts its own output folder, like any build cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

from peelkg import __version__
from peelkg.errors import PeelkgError
from peelkg.kg_build.model import ReportGraph

CACHE_DIR = ".peelkg-cache"
INDEX_FILE = "index.json"
_PKG = Path(__file__).resolve().parent.parent  # the peelkg package folder

Chunk = Union[str, Path]  # text in memory, or a cache file holding it


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the peelkg version and every file that shapes a report's graph."""
    h = hashlib.sha256(__version__.encode())
    files = [_PKG / "namespaces.py", _PKG / "__init__.py"]
    for sub in ("kg_build", "ontology", "data"):  # ontology/ holds the bundled lexicon
        root = _PKG / sub
        if root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    for p in sorted(files):
        h.update(str(p.relative_to(_PKG)).encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            pass
    return h.hexdigest()


def fingerprint(lexicon_files: Sequence[Path] = ()) -> str:
    """Code fingerprint plus the content of the extra lexicon files, in order."""
    h = hashlib.sha256(code_fingerprint().encode())
    for f in lexicon_files:
        try:
            h.update(b"\0lexicon\0" + Path(f).read_bytes())
        except OSError:
            raise PeelkgError(f"{Path(f).name}: no such lexicon file (or it cannot be read)") from None
    return h.hexdigest()


def entry_key(fp: str, source_name: str, sha256: str) -> str:
    """The cache key of one source file's build output."""
    return hashlib.sha256(f"{fp}\0{source_name}\0{sha256}".encode()).hexdigest()


@dataclass
class Entry:
    """One report's build output: chunks for kg.ttl/kg.trig and where its
    ReportGraph is (a pickle file, loaded only for linking: the build never
    holds every report's model in memory at once)."""

    key: str  # cache key
    report_key: str
    source: str
    force_key: str
    force: str
    rg_file: Path  # pickled ReportGraph
    ttl: Chunk
    trig: Chunk
    quads: int
    entities: dict[str, int] = field(default_factory=dict)
    chars: int = 0  # characters of report text
    cached: bool = False  # True when taken from the cache (not re-analysed)

    def load_rg(self) -> ReportGraph:
        """The report's document model (unpickled from rg_file)."""
        with open(self.rg_file, "rb") as f:
            return pickle.load(f)


def dump_rg(rg: ReportGraph, path: Path) -> None:
    """Pickle a ReportGraph for Entry.load_rg."""
    path.write_bytes(pickle.dumps(rg, protocol=pickle.HIGHEST_PROTOCOL))


def part_key(fp: str, entry_keys: Sequence[str]) -> str:
    """The cache key of one force's links: its reports' entry keys (any change
    to one of them, or a report added or removed, re-links the force)."""
    return "part-" + hashlib.sha256("\0".join([fp, *sorted(entry_keys)]).encode()).hexdigest()


def read_chunk(chunk: Chunk) -> str:
    return chunk.read_text(encoding="utf-8") if isinstance(chunk, Path) else chunk


class Cache:
    """The cache of one output folder."""

    def __init__(self, out_dir: Path, fp: str):
        self.dir = Path(out_dir) / CACHE_DIR
        self.fp = fp
        self.index = self._read_index()

    def _read_index(self) -> dict:
        try:
            data = json.loads((self.dir / INDEX_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("reports"), dict):
                return data
        except (OSError, ValueError):
            pass
        return {"fingerprint": None, "reports": {}}

    @property
    def previous(self) -> dict[str, str]:
        """report key -> entry key of the last successful build in this folder."""
        return dict(self.index.get("reports", {}))

    def get(self, key: str) -> Optional[Entry]:
        """The entry for a cache key, or None (missing, unreadable or from other code)."""
        base = self.dir / key
        try:
            with open(base.with_suffix(".pkl"), "rb") as f:
                meta = pickle.load(f)
            ttl, trig, rg = base.with_suffix(".ttl"), base.with_suffix(".trig"), base.with_suffix(".rg")
            if not (ttl.is_file() and trig.is_file() and rg.is_file()) or meta.get("fingerprint") != self.fp:
                return None
            return Entry(
                key=key,
                report_key=meta["report_key"],
                source=meta["source"],
                force_key=meta["force_key"],
                force=meta["force"],
                rg_file=rg,
                ttl=ttl,
                trig=trig,
                quads=meta["quads"],
                entities=meta["entities"],
                chars=meta["chars"],
                cached=True,
            )
        except Exception:  # noqa: BLE001 - any unreadable entry is just a miss
            return None

    def _parts(self) -> dict:
        parts = self.index.get("parts") if self.index.get("fingerprint") == self.fp else None
        return parts if isinstance(parts, dict) else {}

    def part_file(self, key: str) -> Optional[Path]:
        """The Turtle body file of a links part of the last build (None if gone)."""
        path = (self.dir / key).with_suffix(".links")
        return path if path.is_file() else None

    def get_part(self, key: str) -> Optional[tuple[Path, int]]:
        """A links part of the last build: (its Turtle body file, its triple count), or None."""
        n = self._parts().get(key)
        path = self.part_file(key)
        return (path, n) if isinstance(n, int) and path is not None else None

    def previous_parts(self) -> Optional[set[str]]:
        """The keys of the last build's links parts (None if unknown)."""
        parts = self._parts()
        return set(parts) if parts else None

    def old_trig(self, key: Optional[str]) -> Optional[str]:
        """The TriG block of an entry of the last build (None if gone)."""
        if not key:
            return None
        try:
            return (self.dir / key).with_suffix(".trig").read_text(encoding="utf-8")
        except OSError:
            return None

    def invalidate(self) -> None:
        """Forget the last build (called before outputs are swapped in)."""
        try:
            os.remove(self.dir / INDEX_FILE)
        except FileNotFoundError:
            pass

    def commit(self, entries: Sequence[Entry], parts: Sequence[tuple[str, Path, int]]) -> None:
        """Store new entries and the links ``parts`` ((key, staged or cached
        Turtle body file, triple count)), record this build, drop unused entries."""
        self.dir.mkdir(parents=True, exist_ok=True)
        keep = {k for k, _, _ in parts}
        for k, path, _ in parts:
            target = (self.dir / k).with_suffix(".links")
            if path != target:  # staged in the same folder tree: move it
                os.replace(path, target)
        for e in entries:
            keep.add(e.key)
            if e.cached:
                continue
            base = self.dir / e.key
            meta = {
                "fingerprint": self.fp,
                "report_key": e.report_key,
                "source": e.source,
                "force_key": e.force_key,
                "force": e.force,
                "quads": e.quads,
                "entities": e.entities,
                "chars": e.chars,
            }
            for chunk, suffix in ((e.ttl, ".ttl"), (e.trig, ".trig"), (e.rg_file, ".rg")):
                if isinstance(chunk, Path):  # a staged file in the same folder tree: move it
                    os.replace(chunk, base.with_suffix(suffix))
                else:
                    _atomic_write(base.with_suffix(suffix), chunk.encode("utf-8"))
            _atomic_write(base.with_suffix(".pkl"), pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL))
        index = {"fingerprint": self.fp, "reports": {e.report_key: e.key for e in sorted(entries, key=lambda e: e.report_key)},
                 "parts": {k: n for k, _, n in parts}}
        _atomic_write(self.dir / INDEX_FILE, json.dumps(index, indent=1, sort_keys=True).encode("utf-8"))
        for p in self.dir.iterdir():
            if p.name != INDEX_FILE and p.stem not in keep:
                try:
                    p.unlink()
                except OSError:
                    pass


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
