"""Natural keys: slugs for IRIs, and a short hash where text has no key."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, straight quotes, folded accents and white space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.lower().split())


def slugify(text: str, max_len: int = 80) -> str:
    """'Clare's Law' -> 'clares-law'; stable and IRI-safe."""
    s = normalise(text).replace("'", "")
    s = _NON_WORD.sub("-", s).strip("-")
    if len(s) > max_len:
        s = s[:max_len].rstrip("-")
    return s or "x"


def text_hash(text: str, n: int = 12) -> str:
    """A short, stable hash of normalised text, for things with no natural key."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:n]
