"""Generators for the format tests: real PDFs and web pages made from report text.

The example reports ship as text. To test the PDF and HTML readers on the same
content, these helpers typeset the text as an A4 PDF (reportlab: running
header, page numbers, bold headings, bullets, footnotes at the bottom of the
page where they are cited, superscript citations) and as an inspectorate-style
web page (h1 title, "Last updated", grade labels, question sections, lists,
footnotes, plus navigation/cookie/script noise a reader must ignore).

This is test scaffolding, so it may use simple rules about the two example
layouts; the product code (peelkg/kg_build/pdf.py, html.py) must not.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

GRADES = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate", "Ungraded")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_ASCII = str.maketrans(SUPERSCRIPTS, "0123456789")
_SUP_RUN = re.compile(r"\^\{([^}]*)\}|([" + SUPERSCRIPTS + r"]+)")
_FOOTNOTE = re.compile(r"^([" + SUPERSCRIPTS + r"]+)\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:-|•)\s+(.*)$")
_TERMINAL = tuple(".!?:;\"”’')")


@dataclass
class Block:
    """One logical block of a report: what a typesetter lays out as a unit."""

    kind: str  # heading | grade | para | bullet | table | number
    text: str = ""  # with inline markup: Unicode superscripts, ^{..}, *italic*
    level: int = 2
    cells: list[str] = field(default_factory=list)


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 90 or s.endswith((".", ",", ";", ":")):
        return False
    if "www." in s or "http" in s or _SUP_RUN.search(s):
        return False
    return s[0].isupper() or s[0].isdigit()


def parse_text(text: str) -> tuple[list[Block], dict[int, str]]:
    """Split report text into blocks and footnotes (number -> text).

    Paragraphs the original PDF split at a page break (no closing punctuation,
    continued by a block starting in lower case) are joined again; footnote lines
    are taken out of the flow (the typesetter places them where they are cited).
    """
    blocks: list[Block] = []
    notes: dict[int, str] = {}
    lines = text.splitlines()
    in_note: int | None = None  # the footnote the previous line belonged to
    for k, raw in enumerate(lines):
        line = raw.strip().replace("\u2003", " ").strip()
        if not line or line == "Skip to content":  # web-page furniture in the 2018/19 text
            continue
        m = _FOOTNOTE.match(line)
        if m:
            in_note = int(m.group(1).translate(_TO_ASCII))
            notes[in_note] = m.group(2)
            continue
        # A source line ("... Available from:" + URL) after a footnote belongs to it.
        if in_note is not None and (line.endswith("Available from:") or line.startswith(("www.", "http"))):
            notes[in_note] += " " + line
            continue
        in_note = None
        m = _BULLET.match(raw)
        if m:
            blocks.append(Block("bullet", m.group(1)))
        elif "\t" in raw:
            blocks.append(Block("table", cells=[c.strip() for c in raw.strip().split("\t")]))
        elif line in GRADES:
            blocks.append(Block("grade", line))
        elif line.isdigit() and len(line) <= 2 and _next_line(lines, k).endswith("?"):
            blocks.append(Block("number", line))
        elif _is_heading(line):
            blocks.append(Block("heading", line))
        else:
            prev = blocks[-1] if blocks else None
            first_alpha = next((c for c in line if c.isalpha()), "A")
            if prev and prev.kind == "para" and not prev.text.endswith(_TERMINAL) and first_alpha.islower():
                prev.text += " " + line
            else:
                blocks.append(Block("para", line))
    # A heading followed by a grade (or a question number before it) is a question heading.
    for i, b in enumerate(blocks):
        if b.kind == "heading" and i + 1 < len(blocks) and blocks[i + 1].kind == "grade":
            b.level = 1
        if b.kind == "heading" and i > 0 and blocks[i - 1].kind == "number":
            b.level = 1
    return blocks, notes


def _next_line(lines: list[str], k: int) -> str:
    return next((ln.strip() for ln in lines[k + 1 :] if ln.strip()), "")


def citations(text: str) -> list[int]:
    """Footnote numbers cited in a text (superscripts and ^{a,b})."""
    out = []
    for m in _SUP_RUN.finditer(text):
        body = m.group(1) if m.group(1) is not None else m.group(2).translate(_TO_ASCII)
        out += [int(n) for n in re.findall(r"\d+", body)]
    return out


def _runs(text: str) -> list[tuple[str, str]]:
    """Inline runs (text, style) with style n(ormal) | i(talic) | s(uperscript)."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _SUP_RUN.finditer(text):
        out += _italic_runs(text[pos : m.start()])
        out.append((m.group(1) if m.group(1) is not None else m.group(2).translate(_TO_ASCII), "s"))
        pos = m.end()
    out += _italic_runs(text[pos:])
    return [r for r in out if r[0]]


def _italic_runs(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"\*([^*]+)\*", text)
    return [(p, "i" if k % 2 else "n") for k, p in enumerate(parts)]


# ---- PDF ---------------------------------------------------------------------

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 64.0, PAGE_W - 64.0
TOP, BOTTOM = PAGE_H - 72.0, 62.0
BODY = ("Helvetica", 10.5, 14.0)
NOTE = ("Helvetica", 7.5, 9.0)
FONTS = {"n": "Helvetica", "i": "Helvetica-Oblique", "b": "Helvetica-Bold", "s": "Helvetica"}


def _words(runs: list[tuple[str, str]], base: str = "n") -> list[list[tuple[str, str]]]:
    """Runs -> words, each a list of (text, style) pieces; spaces separate words."""
    words: list[list[tuple[str, str]]] = [[]]
    for txt, style in runs:
        style = base if (style == "n" and base != "n") else style
        if style == "s":
            words[-1].append((txt.replace(" ", ""), "s"))
            continue
        for k, part in enumerate(re.split(r"(\s+)", txt)):
            if not part:
                continue
            if part.isspace():
                if words[-1]:
                    words.append([])
            else:
                words[-1].append((part, style))
    return [w for w in words if w]


class _Typesetter:
    """A small page-layout engine: lines, footnotes reserved at the page bottom."""

    def __init__(self, header: str, notes: dict[int, str]):
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(header)
        self.header = header
        self.notes = notes
        self.page = 1
        self.y = TOP
        self.page_notes: list[int] = []
        self.placed: set[int] = set()
        self.columns: list[float] = [LEFT]

    # measurements
    @staticmethod
    def _size(style: str, size: float) -> float:
        return size * 0.62 if style == "s" else size

    def _width(self, word, size) -> float:
        return sum(stringWidth(t, FONTS[s], self._size(s, size)) for t, s in word)

    def _wrap(self, words, width, size) -> list[list]:
        lines, cur, w = [], [], 0.0
        space = stringWidth(" ", "Helvetica", size)
        for word in words:
            ww = self._width(word, size)
            if cur and w + space + ww > width:
                lines.append(cur)
                cur, w = [], 0.0
            w += (space if cur else 0) + ww
            cur.append(word)
        if cur:
            lines.append(cur)
        return lines

    def _note_lines(self, n: int) -> list:
        words = _words([(str(n), "s"), (" " + self.notes[n], "n")])
        # The number and the first word stay together, as in a real footnote.
        words = [words[0] + [(" ", "n")] + words[1]] + words[2:] if len(words) > 1 else words
        return self._wrap(words, RIGHT - LEFT, NOTE[1])

    def _notes_height(self, numbers: list[int]) -> float:
        if not numbers:
            return 0.0
        return 10.0 + sum(len(self._note_lines(n)) * NOTE[2] + 3 for n in numbers)

    # drawing
    def _draw_line(self, line, x, y, size, font_style="n"):
        # One text object per line, as typesetters write it.
        t = self.c.beginText(x, y)
        font = None
        for k, word in enumerate(line):
            for j, (txt, style) in enumerate(word):
                st = font_style if style == "n" and font_style != "n" else style
                fs = self._size(st, size)
                tail = " " if (j == len(word) - 1 and k < len(line) - 1) else ""
                if (FONTS[st], fs) != font:
                    font = (FONTS[st], fs)
                    t.setFont(*font)
                t.setRise(size * 0.38 if st == "s" else 0.0)
                t.textOut(txt + tail)
        t.setRise(0)  # the text rise outlives the text object in PDF
        self.c.drawText(t)

    def _finish_page(self):
        c = self.c
        c.setFillGray(0.35)
        c.setFont("Helvetica", 8)
        c.drawString(LEFT, PAGE_H - 40, self.header)
        c.setFont("Helvetica", 9)
        c.drawCentredString(PAGE_W / 2, 32, str(self.page))
        c.setFillGray(0)
        if self.page_notes:
            y = BOTTOM + self._notes_height(self.page_notes) - 4
            c.setLineWidth(0.5)
            c.line(LEFT, y, LEFT + 120, y)
            y -= 10
            for n in self.page_notes:
                for line in self._note_lines(n):
                    self._draw_line(line, LEFT, y, NOTE[1])
                    y -= NOTE[2]
                y -= 3
        c.showPage()
        self.page += 1
        self.y = TOP
        self.page_notes = []

    def _room(self, height: float, new_notes: list[int]) -> bool:
        bottom = BOTTOM + self._notes_height(self.page_notes + new_notes)
        return self.y - height >= bottom

    def space(self, h: float):
        if self.y < TOP:
            self.y -= h

    def lines(self, lines, x, size, leading, style="n", keep=0.0):
        for i, line in enumerate(lines):
            cited = [n for w in line for t, s in w if s == "s" for n in map(int, re.findall(r"\d+", t))]
            new = sorted({n for n in cited if n in self.notes and n not in self.placed})
            need = leading + (keep if i == 0 else 0.0)
            if not self._room(need, new) and self.y < TOP:
                self._finish_page()
            self.y -= leading
            self._draw_line(line, x, self.y + 3, size, style)
            self.page_notes += new
            self.placed.update(new)

    def block(self, b: Block, last_bullet: bool):
        font, size, leading = BODY
        if b.kind in ("heading", "number"):
            size, leading = (16, 20) if b.level == 1 else (12.5, 16)
            self.space(14 if b.level == 1 else 10)
            self.lines(self._wrap(_words(_runs(b.text), "b"), RIGHT - LEFT, size), LEFT, size, leading, "b", keep=3 * 14)
            self.y -= 6
        elif b.kind == "grade":
            self.lines([[[(b.text, "b")]]], LEFT, 12, 16, "b")
            self.y -= 8
        elif b.kind == "bullet":
            lines = self._wrap(_words(_runs(b.text)), RIGHT - LEFT - 24, size)
            self.lines(lines[:1], LEFT + 24, size, leading)
            # The bullet glyph sits on the first line, wherever it landed.
            self.c.setFont("Helvetica", size)
            self.c.drawString(LEFT + 10, self.y + 3, "•")
            self.lines(lines[1:], LEFT + 24, size, leading)
            self.y -= 8 if last_bullet else 4
        elif b.kind == "table":
            size = 10.0
            xs = list(self.columns)
            if len(b.cells) == 2 and b.cells[1].isdigit():
                xs[1] = RIGHT - stringWidth(b.cells[1], "Helvetica", size)  # contents page number
            if not self._room(leading, []):
                self._finish_page()
            self.y -= leading
            for x, cell in zip(xs, b.cells):
                self.c.setFont("Helvetica", size)
                self.c.drawString(x, self.y + 3, cell)
        else:
            self.lines(self._wrap(_words(_runs(b.text)), RIGHT - LEFT, size), LEFT, size, leading)
            self.y -= 8

    def finish(self) -> bytes:
        self._finish_page()
        self.c.save()
        return self.buf.getvalue()


def make_pdf(text: str, header: str) -> bytes:
    """Typeset report text as an A4 PDF with a running header and page numbers."""
    blocks, notes = parse_text(text)
    ts = _Typesetter(header, notes)
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if b.kind == "table" and (i == 0 or blocks[i - 1].kind != "table"):
            ts.y -= 4
            rows = [r.cells for r in blocks[i:]]
            rows = rows[: next((k for k, r in enumerate(blocks[i:]) if r.kind != "table"), len(rows))]
            ts.columns = [LEFT]
            for k in range(1, max(len(r) for r in rows)):
                w = max(stringWidth(r[k - 1], "Helvetica", 10.0) for r in rows if len(r) > k - 1)
                ts.columns.append(ts.columns[-1] + w + 28)
        ts.block(b, last_bullet=b.kind == "bullet" and (nxt is None or nxt.kind != "bullet"))
        if b.kind == "table" and (nxt is None or nxt.kind != "table"):
            ts.y -= 8
    return ts.finish()


# ---- HTML --------------------------------------------------------------------


def _inline_html(text: str) -> str:
    out = []
    for txt, style in _runs(text):
        if style == "s":
            nums = [n for n in re.split(r"\s*,\s*", txt.strip()) if n]
            out.append("".join(f'<sup><a href="#fn-{n}" id="ref-{n}">{n}</a></sup>' for n in nums))
        elif style == "i":
            out.append(f"<em>{html.escape(txt)}</em>")
        else:
            out.append(html.escape(txt))
    return "".join(out)


_NOISE_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - HMICFRS</title>
<style>.grade {{ font-weight: bold }} nav a {{ color: #fff }}</style>
<script>window.dataLayer = window.dataLayer || []; var tpl = "<p>Not report text</p>";</script>
</head>
<body class="report-page">
<div id="cookie-banner" class="cookie-banner" role="region" aria-label="Cookies on this site">
  <p>We use cookies to make this website work and to collect information about how you use it.</p>
  <button type="button">Accept analytics cookies</button> <button type="button">Reject analytics cookies</button>
</div>
<header class="site-header">
  <a class="skip-link" href="#main-content">Skip to content</a>
  <a href="/hmicfrs/" class="logo">HMICFRS</a>
  <nav aria-label="Main navigation"><ul>
    <li><a href="/hmicfrs/our-work/">Our work</a></li>
    <li><a href="/hmicfrs/publications/">Publications</a></li>
    <li><a href="/hmicfrs/police-forces/">Police forces</a></li>
  </ul></nav>
</header>
<div class="breadcrumbs"><a href="/hmicfrs/">Home</a> &gt; <a href="/hmicfrs/peel-assessments/">PEEL</a></div>
<main id="main-content">
<article class="report">
"""

_NOISE_TAIL = """</article>
<aside class="related"><h2>Related publications</h2><ul><li><a href="/x">Another force's report</a></li></ul></aside>
</main>
<footer class="site-footer">
  <p>&copy; Crown copyright. All content is available under the Open Government Licence v3.0, except where otherwise stated.</p>
  <ul><li><a href="/privacy">Privacy</a></li><li><a href="/cookies">Cookies</a></li></ul>
</footer>
<script src="/assets/site.js"></script>
<noscript><p>Please enable JavaScript</p></noscript>
</body>
</html>
"""


def make_html(text: str, *, charset: str = "utf-8") -> bytes:
    """Render report text as an inspectorate-style report web page."""
    blocks, notes = parse_text(text)
    body: list[str] = []
    title = next((b.text for b in blocks if b.kind == "heading"), "Report")
    open_section = False
    list_open = False
    first_heading = True
    qnum = 0
    for i, b in enumerate(blocks):
        if b.kind != "bullet" and list_open:
            body.append("</ul>")
            list_open = False
        if b.kind == "number" or (b.kind == "heading" and b.level == 1 and (i == 0 or blocks[i - 1].kind != "number")):
            if open_section:
                body.append("</section>")
            qnum += 1
            body.append(f'<section class="question" id="question-{qnum}">')
            open_section = True
        if b.kind == "number":
            body.append(f'<div class="question-number">{html.escape(b.text)}</div>')
        elif b.kind == "heading":
            if first_heading:
                body.append(f"<h1>{_inline_html(b.text)}</h1>")
                first_heading = False
            elif b.level == 1:
                body.append(f"<h2>{_inline_html(b.text)}</h2>")
            elif b.text.startswith("Summary for question"):
                body.append(f'<p><a class="summary-link" href="#question-{qnum}">{html.escape(b.text)}</a></p>')
            else:
                body.append(f"<h3>{_inline_html(b.text)}</h3>")
        elif b.kind == "grade":
            body.append(f'<p><span class="grade">{html.escape(b.text)}</span></p>')
        elif b.kind == "bullet":
            if not list_open:
                body.append('<ul class="list">')
                list_open = True
            body.append(f"<li>{_inline_html(b.text)}</li>")
        elif b.kind == "table":
            body.append("<table><tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in b.cells) + "</tr></table>")
        elif b.text.startswith("Last updated"):
            body.append(f'<p class="last-updated">{html.escape(b.text)}</p>')
        else:
            body.append(f"<p>{_inline_html(b.text)}</p>")
    if list_open:
        body.append("</ul>")
    if open_section:
        body.append("</section>")
    # Consecutive one-row tables are one table.
    page = "\n".join(body).replace("</tr></table>\n<table><tr>", "</tr>\n<tr>")
    if notes:
        items = "\n".join(
            f'<li id="fn-{n}" value="{n}">{_inline_html(t)} <a href="#ref-{n}" class="back">Back to text</a></li>'
            for n, t in sorted(notes.items())
        )
        page += f'\n<section class="footnotes"><h2>Footnotes</h2><ol>\n{items}\n</ol></section>\n'
    doc = _NOISE_HEAD.format(charset=charset, title=html.escape(title)) + page + _NOISE_TAIL
    return doc.encode(charset, errors="xmlcharrefreplace")
