"""Sentences: the one splitter every step uses (statistics, findings, follow-ups).

Offsets are true offsets into the text given, so a sentence can always be cut
back out of the report. Hard-wrapped text (a line break inside a paragraph) does
not end a sentence; nor do "e.g.", "i.e.", "Mr.", decimals or a following
lower-case word.
"""

from __future__ import annotations

import re

# Characters that start a bullet line, and superscript footnote marks.
_BULLET_START = "-\u2022*\u00b7\u2013\u25aa\u25cf"
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"

__all__ = ["sentence_spans", "soft_newline"]

def soft_newline(text: str, pos: int) -> bool:
    """Is the line break at text[pos] a wrap inside a paragraph (hard-wrapped text),
    rather than the end of a paragraph, heading, bullet or table row? A wrap
    follows a long line that does not end a sentence and is followed by more text."""
    start = text.rfind("\n", 0, pos) + 1
    line = text[start:pos].rstrip()
    if len(line) < 40 or "\t" in line or line[-1] in ".!?:;":
        return False
    j = pos + 1
    n = len(text)
    while j < n and text[j] in " \t":
        j += 1
    if j >= n or text[j] == "\n" or text[j] in _BULLET_START or text[j] in _SUPERSCRIPTS:
        return False
    return True


_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "etc", "mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "v", "approx",
                  "cf", "para", "paras", "fig", "figs", "inc", "ltd", "co", "dept", "est", "al", "op", "det", "supt",
                  "insp", "sgt", "ch", "pc", "pcs", "gov", "www"}
# a full stop, ! or ? (with closing quotes/brackets) followed by white space; or a line break
_BOUNDARY = re.compile(
    r"[.!?][\"'\u2019\u201d)\]]*(?:\[\d{1,3}\]|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+)?(?=\s)|\n"
)
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end) offsets, white space trimmed.
    Does not split at "e.g.", "i.e.", "Mr.", decimals ("2.5") or before a
    lower-case word."""
    out: list[tuple[int, int]] = []
    s = start
    for m in _BOUNDARY.finditer(text, start, end):
        b = m.end()
        if m.group() == "\n" and soft_newline(text, m.start()):
            continue  # hard-wrapped text: the sentence goes on
        if m.group() != "\n":
            dot = m.start()
            w = _WORD_BEFORE.search(text, max(start, dot - 12), dot)
            if w and w.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            # the next word starts in lower case: not a sentence end ("approx. one")
            j = b
            while j < end and text[j] in " \t":
                j += 1
            if j < end and text[j].islower():
                continue
        _add(text, s, b if m.group() != "\n" else m.start(), out)
        s = b
    _add(text, s, end, out)
    return out


def _add(text: str, s: int, e: int, out: list) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    # bullets and list marks are not part of the sentence
    while s < e and text[s] in "-\u2022*\u2013\u00b7":
        s += 1
        while s < e and text[s].isspace():
            s += 1
    if e > s and (text[s].isalpha() or any(c.isalpha() for c in text[s:e])):  # most start with a letter
        out.append((s, e))
