"""Sentences: the one splitter every step uses (statistics, findings, follow-ups).

Offsets are true offsets into the text given, so a sentence can always be cut
back out of the report. Hard-wrapped text (a line break inside a paragraph) does
not end a sentence; nor do "e.g.", "i.e.", "Mr.", decimals or a following
lower-case word.
"""

from __future__ import annotations

import re
from typing import Optional

# Characters that start a bullet line, and superscript footnote marks.
_BULLET_START = "-\u2022*\u00b7\u2013\u25aa\u25cf"
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"

__all__ = ["sentence_spans", "report_sentence_spans", "soft_newline"]

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
_LONG_WORD_END = re.compile(r"[A-Za-z]{7}")  # matched against exactly the 7 characters before a mark


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end) offsets, white space trimmed.
    Does not split at "e.g.", "i.e.", "Mr.", decimals ("2.5") or before a
    lower-case word."""
    out: list[tuple[int, int]] = []
    s = start
    for m in _BOUNDARY.finditer(text, start, end):
        b = m.end()
        dot = m.start()
        if b - dot == 1 and text[dot] == "\n":
            if soft_newline(text, dot):
                continue  # hard-wrapped text: the sentence goes on
            _add(text, s, dot, out)
            s = b
            continue
        # the next word starts in lower case: not a sentence end ("approx. one")
        j = b
        while j < end and text[j] in " \t":
            j += 1
        if j < end and text[j].islower():
            continue
        # seven ASCII letters before the mark: a word longer than any abbreviation
        # (the common case), so the abbreviation search can be skipped
        if not (dot - 7 >= start and _LONG_WORD_END.match(text, dot - 7, dot)):
            w = _WORD_BEFORE.search(text, max(start, dot - 12), dot)
            if w and w.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        _add(text, s, b, out)
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


# Memo of report_sentence_spans for one text (the report being analysed): parsing
# splits the paragraphs with statements or figures and findings splits every
# paragraph again. Keyed by the text object itself (held here, so its identity
# cannot be reused by another string); a new text starts a new memo.
_memo_text: Optional[str] = None
_memo: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}


def report_sentence_spans(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """``sentence_spans`` as a tuple, remembered for the current text: the report
    analysis asks for the same paragraphs more than once."""
    global _memo_text
    if text is not _memo_text:
        _memo.clear()
        _memo_text = text
    spans = _memo.get((start, end))
    if spans is None:
        spans = _memo[(start, end)] = tuple(sentence_spans(text, start, end))
    return spans
