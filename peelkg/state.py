"""Where the last build went, so queries and views find it without --kg."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_OUT = "kg-out"
KG_FILE = "kg.ttl"
TRIG_FILE = "kg.trig"
STORE_DIR = "store"  # pyoxigraph store next to kg.ttl
TEXT_INDEX = "text-index.sqlite"  # word index of the store's statement texts (kg_build/textindex.py)


def _state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "peelkg" / "last-build"


def remember_build(out_dir: Path) -> None:
    """Record out_dir as the default graph for later commands (best effort)."""
    try:
        f = _state_file()
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(str(Path(out_dir).resolve()), encoding="utf-8")
    except OSError:
        pass  # a read-only home must not fail a build


def default_kg_dir() -> Path:
    """$PEELKG_KG, else the last build's output folder, else ./kg-out."""
    env = os.environ.get("PEELKG_KG")
    if env:
        return Path(env)
    try:
        p = Path(_state_file().read_text(encoding="utf-8").strip())
        if (p / KG_FILE).exists():
            return p
    except OSError:
        pass
    return Path(DEFAULT_OUT)
