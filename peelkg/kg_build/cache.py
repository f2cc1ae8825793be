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
* ``<key>.pkl``   the ReportGraph (for linking) and counts

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
LINKS_KEY = "links"  # the links graph's last TriG block: links.trig
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
    """One report's build output: chunks for kg.ttl/kg.trig and what linking needs."""

    key: str  # cache key
    report_key: str
    source: str
    rg: ReportGraph
    ttl: Chunk
    trig: Chunk
    quads: int
    entities: dict[str, int] = field(default_factory=dict)
    cached: bool = False  # True when taken from the cache (not re-analysed)


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
            ttl, trig = base.with_suffix(".ttl"), base.with_suffix(".trig")
            if not (ttl.is_file() and trig.is_file()) or meta.get("fingerprint") != self.fp:
                return None
            return Entry(
                key=key,
                report_key=meta["report_key"],
                source=meta["source"],
                rg=meta["rg"],
                ttl=ttl,
                trig=trig,
                quads=meta["quads"],
                entities=meta["entities"],
                cached=True,
            )
        except Exception:  # noqa: BLE001 - any unreadable entry is just a miss
            return None

    def old_trig(self, key: Optional[str]) -> Optional[str]:
        """The TriG block of an entry of the last build (None if gone)."""
        if not key:
            return None
        try:
            return (self.dir / key).with_suffix(".trig").read_text(encoding="utf-8")
        except OSError:
            return None

    def old_links(self) -> Optional[str]:
        """The links graph's TriG block as the last build wrote it (None if unknown)."""
        return self.old_trig(LINKS_KEY) if self.index.get("fingerprint") == self.fp else None

    def invalidate(self) -> None:
        """Forget the last build (called before outputs are swapped in)."""
        try:
            os.remove(self.dir / INDEX_FILE)
        except FileNotFoundError:
            pass

    def commit(self, entries: Sequence[Entry], links_trig: str) -> None:
        """Store new entries and the links block, record this build, drop unused entries."""
        self.dir.mkdir(parents=True, exist_ok=True)
        _atomic_write((self.dir / LINKS_KEY).with_suffix(".trig"), links_trig.encode("utf-8"))
        keep = {LINKS_KEY}
        for e in entries:
            keep.add(e.key)
            if e.cached:
                continue
            base = self.dir / e.key
            meta = {
                "fingerprint": self.fp,
                "report_key": e.report_key,
                "source": e.source,
                "rg": e.rg,
                "quads": e.quads,
                "entities": e.entities,
            }
            for chunk, suffix in ((e.ttl, ".ttl"), (e.trig, ".trig")):
                if isinstance(chunk, Path):  # a staged file in the same folder tree: move it
                    os.replace(chunk, base.with_suffix(suffix))
                else:
                    _atomic_write(base.with_suffix(suffix), chunk.encode("utf-8"))
            _atomic_write(base.with_suffix(".pkl"), pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL))
        index = {"fingerprint": self.fp, "reports": {e.report_key: e.key for e in sorted(entries, key=lambda e: e.report_key)}}
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
