"""PDF -> report text, in the layout of text extracted from an inspection PDF.

Uses pdfminer.six (MIT) for the characters with their fonts, sizes and
positions, and does its own layout (see docs/pdf-extractors.md for why):

- page furniture is dropped: lines repeated at the same place on most pages
  (running headers/footers, with digits ignored) and bare page numbers in the
  top or bottom margin;
- headings (bold or larger than body text) stand on their own lines;
- bullets become ``- `` lines;
- superscript citation numbers become Unicode superscripts attached to the word
  (``crime²³``); a superscript list becomes ``^{8,9}``;
- footnotes (small text at the bottom of a page, starting with a number) become
  ``¹⁷ text`` lines placed after the paragraph that cites them;
- a paragraph broken by a page break is joined again;
- table rows keep their cells apart with tabs; italic runs become ``*...*``.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from peelkg.errors import ReportError

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_BULLETS = "•●▪■◦‣○∙·–-*"
_TERMINAL = re.compile(r"[.!?:;][\"”’')]*$")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_ITALIC = re.compile(r"italic|oblique", re.I)
# Typesetters' ligatures come out as one character; the reader wants letters.
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_PAGE_NO = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s+of\s+\d{1,4})?$", re.I)


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool
    italic: bool


@dataclass
class _Line:
    chars: list[_Char]
    page: int
    top: float = 0.0
    bottom: float = 0.0
    base: float = 0.0  # y0 of the line's main-size characters
    size: float = 0.0  # dominant font size
    text: str = ""  # with superscripts and tabs rendered
    plain: str = ""  # without superscripts, for furniture matching
    x0: float = 0.0
    x1: float = 0.0
    bold: bool = False
    has_tab: bool = False
    kind: str = "body"  # body | heading | footnote | furniture


@dataclass
class _Block:
    kind: str  # para | heading | bullet | table | footnote
    text: str
    pages: list[int] = field(default_factory=list)
    number: int = 0  # footnote number
    full: bool = False  # its last line runs to the right edge of the text (so it may go on)


def pdf_to_text(data: bytes, source: str) -> str:
    """Extract the text of a report PDF in the 2017 'text from PDF' layout.

    Raises ReportError for encrypted, corrupt or text-less (scanned) PDFs.
    """
    pages, heights = _read_chars(data, source)
    lines_by_page = [_group_lines(chars, n) for n, chars in enumerate(pages)]
    all_lines = [ln for page in lines_by_page for ln in page]
    if not any(ln.plain.strip() for ln in all_lines):
        raise ReportError(source, "PDF has no extractable text (a scanned image? run OCR on it first)")
    body_size = _body_size(all_lines)
    _mark_furniture(lines_by_page, heights)
    blocks: list[_Block] = []
    notes: list[tuple[int, _Block]] = []  # (page, footnote block)
    for n, lines in enumerate(lines_by_page):
        body, foot = _split_footnotes([ln for ln in lines if ln.kind != "furniture"], body_size)
        page_blocks = _blocks(body, body_size, n)
        if blocks and page_blocks and _continues(blocks[-1], page_blocks[0]):
            blocks[-1].text = _join(blocks[-1].text, page_blocks[0].text)
            blocks[-1].pages.append(n)
            page_blocks = page_blocks[1:]
        blocks += page_blocks
        notes += [(n, b) for b in _footnote_blocks(foot)]
    _place_footnotes(blocks, notes)
    parts: list[str] = []
    prev = ""
    for b in blocks:
        if not b.text.strip():
            continue
        # List items and table rows run on without blank lines, as in the 2017 text.
        parts.append("\n" if parts and b.kind == prev and b.kind in ("bullet", "table") else "\n\n" if parts else "")
        parts.append(_render(b))
        prev = b.kind
    return "".join(parts).strip() + "\n"


# ---- reading -----------------------------------------------------------------


def _read_chars(data: bytes, source: str) -> tuple[list[list[_Char]], list[tuple[float, float]]]:
    """All upright characters of every page, with font facts; errors -> ReportError."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    if b"%PDF" not in data[:1024]:
        raise ReportError(source, "not a PDF file (no %PDF header)")
    try:
        parser = PDFParser(io.BytesIO(data))
        doc = PDFDocument(parser)
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ReportError(source, f"PDF is encrypted and cannot be read without its password ({type(e).__name__})") from None
    except Exception as e:  # pdfminer raises many kinds of parse errors
        raise ReportError(source, _corrupt(e)) from None
    rsrc = PDFResourceManager(caching=True)
    device = PDFPageAggregator(rsrc, laparams=None)  # no pdfminer layout analysis: we do our own
    interp = PDFPageInterpreter(rsrc, device)
    pages: list[list[_Char]] = []
    heights: list[tuple[float, float]] = []  # (bottom, top) of each page

    def walk(obj, out):
        for item in obj:
            if isinstance(item, LTChar):
                text = item.get_text()
                if item.upright and text.strip("\x00"):
                    name = item.fontname or ""
                    out.append(
                        _Char(_LIGATURES.get(text, text), item.x0, item.x1, item.y0, item.y1, round(item.size, 1),
                              bool(_BOLD.search(name)), bool(_ITALIC.search(name)))
                    )
            elif isinstance(item, LTContainer):
                walk(item, out)

    try:
        for page in PDFPage.create_pages(doc):
            interp.process_page(page)
            layout = device.get_result()
            chars: list[_Char] = []
            walk(layout, chars)
            pages.append(chars)
            heights.append((layout.y0, layout.y1))
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ReportError(source, f"PDF is encrypted and cannot be read without its password ({type(e).__name__})") from None
    except ReportError:
        raise
    except Exception as e:
        raise ReportError(source, _corrupt(e)) from None
    if not pages:
        raise ReportError(source, "PDF has no pages")
    return pages, heights


def _corrupt(e: Exception) -> str:
    detail = " ".join(str(e).split())[:200]
    return f"corrupt or unreadable PDF ({type(e).__name__}{': ' + detail if detail else ''})"


# ---- lines -------------------------------------------------------------------


def _group_lines(chars: list[_Char], page: int) -> list[_Line]:
    """Cluster characters into lines by vertical overlap; superscripts join their line."""
    lines: list[_Line] = []
    for ch in sorted(chars, key=lambda c: (-(c.y0 + c.y1) / 2, c.x0)):
        h = max(ch.y1 - ch.y0, 0.1)
        if lines:
            cur = lines[-1]
            overlap = min(cur.top, ch.y1) - max(cur.bottom, ch.y0)
            if overlap >= 0.5 * min(h, cur.top - cur.bottom):
                cur.chars.append(ch)
                cur.top, cur.bottom = max(cur.top, ch.y1), min(cur.bottom, ch.y0)
                continue
        lines.append(_Line([ch], page, top=ch.y1, bottom=ch.y0))
    for ln in lines:
        _finish_line(ln)
    return [ln for ln in lines if ln.plain.strip()]


def _finish_line(ln: _Line) -> None:
    chars = sorted(ln.chars, key=lambda c: c.x0)
    sizes = Counter(c.size for c in chars if c.text.strip())
    ln.size = sizes.most_common(1)[0][0] if sizes else chars[0].size
    main = [c for c in chars if abs(c.size - ln.size) < 0.6 and c.text.strip()] or chars
    ln.base = statistics.median(c.y0 for c in main)
    ln.x0 = min(c.x0 for c in chars if c.text.strip()) if any(c.text.strip() for c in chars) else chars[0].x0
    ln.x1 = max(c.x1 for c in chars)
    visible = [c for c in chars if c.text.strip()]
    ln.bold = bool(visible) and sum(c.bold for c in visible) >= 0.8 * len(visible)
    out: list[str] = []
    plain: list[str] = []
    sup: list[str] = []
    italic = False
    prev: _Char | None = None

    def flush_sup():
        if sup:
            raw = "".join(sup)
            s = raw.strip()
            while out and out[-1] == " ":  # a citation hugs the word before it
                out.pop()
            out.append(s.translate(_SUP) if s.isdigit() else "^{" + s + "}")
            if raw != raw.rstrip():
                out.append(" ")
            sup.clear()

    def close_italic():
        """End an italic run with '*' placed before any trailing spaces."""
        spaces = []
        while out and out[-1] == " ":
            spaces.append(out.pop())
        out.append("*")
        out.extend(spaces)

    for c in chars:
        is_sup = c.size < 0.8 * ln.size and (c.y0 - ln.base) > 0.2 * ln.size
        gap = c.x0 - prev.x1 if prev else 0.0
        if prev is not None and c.text != " " and prev.text != " ":
            if gap > max(2.2 * ln.size, 18.0):
                flush_sup()
                if italic:
                    out.append("*")
                    italic = False
                out.append("\t")
                plain.append("\t")
                ln.has_tab = True
            elif gap > 0.22 * min(c.size, prev.size) and not (is_sup and sup):
                flush_sup()
                out.append(" ")
                plain.append(" ")
        if is_sup and (c.text.isdigit() or (sup and c.text in ", ")):
            if italic and not sup:  # citation numbers are not part of an italic title
                close_italic()
                italic = False
            sup.append(c.text)
            prev = c
            continue
        flush_sup()
        if c.text.strip():
            if c.italic and not italic:
                out.append("*")
                italic = True
            elif not c.italic and italic:
                close_italic()
                italic = False
        out.append(c.text)
        plain.append(c.text)
        prev = c
    flush_sup()
    if italic:
        while out and out[-1] == " ":
            out.pop()
        out.append("*")
    ln.text = re.sub(r" {3,}", "  ", "".join(out)).strip(" ")
    ln.text = ln.text.replace("**", "")  # an italic run that held only a citation
    ln.plain = "".join(plain).strip()


def _body_size(lines: list[_Line]) -> float:
    """The font size most text is set in."""
    weights = Counter()
    for ln in lines:
        weights[ln.size] += len(ln.plain)
    return weights.most_common(1)[0][0] if weights else 10.0


def _mark_furniture(pages: list[list[_Line]], page_boxes: list[tuple[float, float]]) -> None:
    """Running headers/footers and page numbers: lines repeated at one place on most pages."""
    n_pages = len(pages)
    where: dict[str, list[tuple[int, float]]] = {}  # text with digits masked -> (page, baseline)
    for n, lines in enumerate(pages):
        for ln in lines:
            where.setdefault(re.sub(r"\d+", "#", ln.plain.lower()), []).append((n, ln.base))
    for n, lines in enumerate(pages):
        bottom, top = page_boxes[n] if n < len(page_boxes) else (0.0, 842.0)
        margin = 0.12 * (top - bottom)
        for ln in lines:
            in_margin = ln.base > top - margin or ln.base < bottom + margin
            if not in_margin:
                continue
            spots = where[re.sub(r"\d+", "#", ln.plain.lower())]
            repeats = len({p for p, base in spots if abs(base - ln.base) <= 8})
            # A bare number is a page number only where other pages have one too
            # (a figure near the foot of one page is not).
            if (n_pages >= 2 and repeats >= max(2, 0.5 * n_pages)) or (n_pages == 1 and _PAGE_NO.match(ln.plain)):
                ln.kind = "furniture"


# ---- blocks ------------------------------------------------------------------


def _split_footnotes(lines: list[_Line], body_size: float) -> tuple[list[_Line], list[_Line]]:
    """Small-font lines under the page's body text, starting with a number, are footnotes."""
    i = len(lines)
    while i > 0 and lines[i - 1].size < 0.9 * body_size:
        i -= 1
    tail = lines[i:]
    # The block must open with a footnote number, or it is just small body text.
    while tail and not _note_start(tail[0]):
        tail = tail[1:]
        i += 1
    return lines[:i], tail


_NOTE_START = re.compile(r"^([" + _SUP_CHARS + r"]+|\d{1,3})\s*(\S.*)$")


def _note_start(ln: _Line):
    m = _NOTE_START.match(ln.text)
    if not m:
        return None
    if m.group(1)[0] in "0123456789" and not re.match(r"^[0-9]{1,3}\s+\S", ln.text):
        return None
    return m


def _footnote_blocks(lines: list[_Line]) -> list[_Block]:
    out: list[_Block] = []
    sup_style = any(ln.text[:1] in _SUP_CHARS for ln in lines)
    for ln in lines:
        m = _note_start(ln)
        if m and (not sup_style or m.group(1)[0] in _SUP_CHARS):
            num = int(m.group(1).translate(str.maketrans(_SUP_CHARS, "0123456789")))
            if not out or num > out[-1].number:
                out.append(_Block("footnote", m.group(2).strip(), [ln.page], num))
                continue
        if out:
            out[-1].text = _join(out[-1].text, ln.text)
    return out


def _blocks(lines: list[_Line], body_size: float, page: int) -> list[_Block]:
    """Body lines -> paragraphs, headings, bullets and table rows, by font and spacing."""
    gaps = [a.base - b.base for a, b in zip(lines, lines[1:]) if not a.has_tab and abs(a.size - b.size) < 0.6]
    leading = statistics.median(gaps) if gaps else body_size * 1.35
    leading = min(max(leading, body_size * 1.05), body_size * 1.6)
    out: list[_Block] = []
    prev: _Line | None = None
    left = min((ln.x0 for ln in lines), default=0.0)
    right = max((ln.x1 for ln in lines), default=0.0)
    for ln in lines:
        heading = ln.bold or ln.size >= 1.15 * body_size
        text = ln.text
        bullet = _bullet(text)
        if bullet is not None and text[0] in "-–*" and prev is not None and not ln.has_tab:
            # A dash opening a line inside running prose is punctuation, not a list mark.
            close = (prev.base - ln.base) <= max(leading, prev.size * 1.2) * 1.3
            in_list = bool(out) and out[-1].kind == "bullet"
            if close and not in_list and not re.search(r"[.:;!?]$", prev.text.rstrip()):
                bullet = None
        kind = "heading" if heading and not bullet else "table" if ln.has_tab else "bullet" if bullet else "para"
        if kind == "bullet":
            text = bullet
        cur = out[-1] if out else None
        same = (
            cur is not None
            and prev is not None
            and kind in ("para", "heading")
            and not ln.has_tab
            and (prev.base - ln.base) <= max(leading, prev.size * 1.2) * 1.3
        )
        if same and cur.kind == "heading" and kind == "heading" and abs(prev.size - ln.size) < 0.6:
            cur.text = _join(cur.text, text)
        elif same and cur.kind in ("para", "bullet") and kind == "para" and (cur.kind == "para" or ln.x0 > prev.x0 - 2):
            cur.text = _join(cur.text, text)
        else:
            out.append(_Block(kind, text, [page]))
        out[-1].full = ln.x1 >= right - 0.15 * (right - left)
        prev = ln
    return out


_CID_BULLET = re.compile(r"^\(cid:\d+\)\s+(?=\S)")


def _bullet(text: str) -> str | None:
    # A glyph with no Unicode mapping opening a line is, in practice, a bullet symbol.
    m = _CID_BULLET.match(text)
    if m:
        return text[m.end() :].strip()
    if len(text) > 2 and text[0] in _BULLETS and text[1] in " \t":
        if text[0] in "-–*" and not text[2:3].strip():
            return None
        return text[2:].strip()
    return None


def _join(a: str, b: str) -> str:
    """Join two lines of one paragraph; a line-end hyphen after a letter keeps no space."""
    if a.endswith("\u00ad"):  # soft hyphen: the word was split by the typesetter
        return a[:-1] + b
    if re.search(r"[A-Za-z]-$", a):
        return a + b
    if a.endswith("*") and b.startswith("*") and not a.endswith("**"):
        return a[:-1] + " " + b[1:]  # one italic run over two lines
    return a + " " + b


def _continues(last: _Block, first: _Block) -> bool:
    """Does the first block of a page carry on the paragraph the last page ended with?"""
    if last.kind not in ("para", "bullet") or first.kind != "para":
        return False
    if _TERMINAL.search(last.text.rstrip()):
        return False
    letter = next((c for c in first.text if c.isalpha()), "")
    return letter.islower() or last.full or last.text.rstrip().endswith((",", "-", "–"))


_CITE = re.compile(r"([" + _SUP_CHARS + r"]+)|\^\{([^}]*)\}")


def _cites(text: str) -> set[int]:
    out: set[int] = set()
    for m in _CITE.finditer(text):
        if m.group(1):
            out.add(int(m.group(1).translate(str.maketrans(_SUP_CHARS, "0123456789"))))
        else:
            out.update(int(n) for n in re.findall(r"\d+", m.group(2)))
    return out


def _place_footnotes(blocks: list[_Block], notes: list[tuple[int, _Block]]) -> None:
    """Put each footnote after the paragraph on its page that cites it (else at the page's end)."""
    after: dict[int, list[_Block]] = {}
    for page, note in notes:
        on_page = [i for i, b in enumerate(blocks) if page in b.pages]
        citing = [i for i in on_page if note.number in _cites(blocks[i].text)]
        if citing:
            where = citing[0]
        elif on_page:
            where = on_page[-1]
        else:
            where = max((i for i, b in enumerate(blocks) if b.pages and b.pages[-1] <= page), default=-1)
        # A footnote after a list item would split the list: put it after the list.
        while where + 1 < len(blocks) and blocks[where].kind == "bullet" and blocks[where + 1].kind == "bullet":
            where += 1
        after.setdefault(where, []).append(note)
    result = list(after.get(-1, []))
    for i, b in enumerate(blocks):
        result.append(b)
        result += sorted(after.get(i, []), key=lambda n: n.number)
    blocks[:] = result


def _render(b: _Block) -> str:
    if b.kind == "footnote":
        return f"{str(b.number).translate(_SUP)} {b.text}"
    if b.kind == "bullet":
        return f"- {b.text}"
    return b.text
