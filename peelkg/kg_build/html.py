"""HTML -> report text, in the layout of the inspectorate's report web pages.

Parses with selectolax (a real HTML5 parser), keeps the report content (the
``main`` element, else ``article``, else ``body``) and drops page furniture:
scripts, styles, navigation, headers/footers outside the content, cookie
banners, breadcrumbs, hidden elements. Emits the 2018/19 web-page text layout:

- one block per paragraph, heading or grade label, blank lines between blocks;
- list items as ``  • item`` lines; table rows as tab-separated cells;
- superscript citations as Unicode superscripts attached to the word (``^{8,9}``
  for a run of several); footnotes (targets of those citations, or a footnotes
  list) as ``¹⁷ text`` lines after the paragraph that first cites them.
"""

from __future__ import annotations

import codecs
import re

from peelkg.errors import ReportError

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# Elements that are never report text.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "nav", "form", "button", "select", "input", "textarea", "label", "aside", "dialog", "head",
}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog"}
_NOISE = re.compile(r"cookie|consent|breadcrumb|skip-?link|share-?(?:this|links?|buttons?)|social|newsletter|feedback|site-(?:header|footer)|print-?link", re.I)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "figure", "figcaption", "blockquote",
    "pre", "address", "details", "summary", "dl", "dt", "dd", "hr", "center", "fieldset", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "body", "html",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Grade labels and the like are their own line, even when written as an inline span.
_OWN_LINE = re.compile(r"\b(?:grade|judgement|judgment|rating|question-number)\b", re.I)
_FOOTNOTE_CONTAINER = re.compile(r"foot-?notes?|end-?notes?", re.I)


def html_to_text(data: bytes, source: str) -> str:
    """Extract the text of a report web page in the 2018/19 web-page layout.

    Raises ReportError for pages that cannot be decoded or hold no text.
    """
    from selectolax.lexbor import LexborHTMLParser

    page = _decode(data, source)
    tree = LexborHTMLParser(page)
    body = tree.body
    if body is None:
        raise ReportError(source, "HTML page has no body")
    root = tree.css_first("main") or tree.css_first("[role=main]") or tree.css_first("article") or body
    # Some pages put the report title (h1) in a banner above the content.
    title = tree.css_first("h1") if root.css_first("h1") is None else None
    title_text = " ".join(title.text(deep=True).split()) if title is not None else ""
    _drop_noise(root)
    notes = _take_footnotes(root)
    writer = _Writer()
    if title_text:
        writer.blocks.append(("heading", title_text))
    writer.walk(root)
    blocks = writer.finish()
    text = _assemble(blocks, notes)
    if not re.search(r"\w", text):
        raise ReportError(source, "HTML page holds no report text")
    return text


# ---- decoding ----------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode(data: bytes, source: str) -> str:
    """BOM first, then the declared charset, else UTF-8; never guess silently."""
    if not data.strip():
        raise ReportError(source, "HTML page is empty")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as e:
                raise ReportError(source, f"HTML page is not valid {enc} ({e.reason} at byte {e.start})") from None
    m = _META_CHARSET.search(data[:4096])
    enc = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ReportError(source, f"HTML page declares an unknown charset {enc!r}") from None
    if enc in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        enc = "cp1252"  # what browsers do (WHATWG encoding standard)
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        raise ReportError(source, f"HTML page is not valid {enc} ({e.reason} at byte {e.start})") from None


# ---- cleaning ----------------------------------------------------------------


def _is_noise(node) -> bool:
    tag = node.tag
    if tag in _DROP_TAGS or (tag.startswith("-") and tag != "-text"):
        return True
    attrs = node.attributes
    cls = " ".join(filter(None, (attrs.get("class"), attrs.get("id"))))
    return bool(
        (attrs.get("role") or "").lower() in _DROP_ROLES
        or "hidden" in attrs
        or (attrs.get("aria-hidden") or "").lower() == "true"
        or re.search(r"display\s*:\s*none", attrs.get("style") or "", re.I)
        or (cls and _NOISE.search(cls) and tag not in _HEADINGS)
    )


def _drop_noise(node) -> None:
    """Remove furniture; never look inside a removed subtree (decompose frees it)."""
    for child in list(node.iter(include_text=False)):
        if _is_noise(child):
            child.decompose()
        else:
            _drop_noise(child)


def _note_number(text: str) -> int | None:
    m = re.match(r"^\s*\[?(\d{1,3})\]?[.)]?\s*$", text)
    return int(m.group(1)) if m else None


def _take_footnotes(root) -> dict[int, str]:
    """Remove footnotes from the flow; return number -> text."""
    notes: dict[int, str] = {}
    targets: dict[str, int] = {}
    back_ids: set[str] = set()
    for sup in root.css("sup"):
        n = _note_number(sup.text(deep=True))
        a = sup.css_first("a[href^='#']")
        if n is not None and a is not None:
            targets[a.attributes.get("href", "#")[1:]] = n
        for el in [sup] + list(sup.css("[id]")):
            if el.attributes.get("id"):
                back_ids.add(el.attributes["id"])
    found: dict[str, object] = {}
    for node in root.traverse(include_text=False):
        ident = node.attributes.get("id")
        if ident in targets and ident not in found:
            found[ident] = node
    for ident, node in found.items():
        notes.setdefault(targets[ident], _note_text(node, back_ids))
    for node in found.values():
        node.decompose()
    boxes = []
    for box in root.traverse(include_text=False):
        cls = " ".join(filter(None, (box.attributes.get("class"), box.attributes.get("id"))))
        if cls and _FOOTNOTE_CONTAINER.search(cls):
            boxes.append(box)
            break  # the outermost one; its list holds the notes
    for box in boxes:
        ol = box.css_first("ol")
        items = box.css("li") or box.css("p")
        start = int(ol.attributes.get("start") or 1) if ol is not None else 1
        for k, li in enumerate(items):
            value = li.attributes.get("value") or ""
            text = _note_text(li, back_ids)
            m = re.match(r"^\s*\[?(\d{1,3})\]?[.)]?\s+(.*)$", text, re.S)
            if value.isdigit():
                n = int(value)
            elif m and ol is None:
                n, text = int(m.group(1)), m.group(2)
            else:
                n = start + k
            if text:
                notes.setdefault(n, text)
        box.decompose()
    return notes


def _note_text(node, back_ids: set[str]) -> str:
    for a in node.css("a[href^='#']"):
        href = (a.attributes.get("href") or "#")[1:]
        if href in back_ids or re.search(r"back|return|↩", a.text(deep=True), re.I):
            a.decompose()
    return " ".join(node.text(deep=True).split())


# ---- writing -----------------------------------------------------------------


class _Writer:
    """Walks the tree, building blocks: (kind, text) with kind para | heading | item | row."""

    def __init__(self):
        self.blocks: list[tuple[str, str]] = []
        self.buf: list[str] = []
        self.sups: list[str] = []
        self.kind = "para"

    def flush(self) -> None:
        self._flush_sup()
        text = " ".join("".join(self.buf).replace("\xa0", " ").split(" "))
        lines = [" ".join(ln.split()) for ln in text.split("\n")]
        for ln in lines:
            if ln:
                self.blocks.append((self.kind, ln))
        self.buf = []

    def _flush_sup(self) -> None:
        if self.sups:
            while self.buf and self.buf[-1].endswith((" ", "\xa0")) and self.buf[-1].strip() == "":
                self.buf.pop()
            if self.buf:
                self.buf[-1] = self.buf[-1].rstrip()
            self.buf.append(self.sups[0].translate(_SUP) if len(self.sups) == 1 else "^{" + ",".join(self.sups) + "}")
            self.sups = []

    def text(self, s: str) -> None:
        if self.sups and s.strip() == "":
            return  # whitespace between two citations
        self._flush_sup()
        self.buf.append(re.sub(r"\s+", " ", s))  # source line breaks are just spaces

    def walk(self, node) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.text(child.text_content or "")
            elif tag.startswith("-"):
                continue
            elif tag == "br":
                self.buf.append("\n")
            elif tag == "sup":
                n = _note_number(child.text(deep=True))
                if n is not None:
                    self.sups.append(str(n))
                else:
                    self.walk(child)
            elif tag in ("table", "thead", "tbody", "tfoot"):
                self.flush()
                self.walk(child)
            elif tag == "tr":
                self.flush()
                cells = [" ".join(c.text(deep=True).split()) for c in child.iter() if c.tag in ("td", "th")]
                if any(cells):
                    self.blocks.append(("row", "\t".join(cells)))
            elif tag == "li":
                self.flush()
                saved, self.kind = self.kind, "item"
                self.walk(child)
                self.flush()
                self.kind = saved
            elif tag in _HEADINGS:
                self.flush()
                saved, self.kind = self.kind, "heading"
                self.walk(child)
                self.flush()
                self.kind = saved
            elif tag in _BLOCK_TAGS or _OWN_LINE.search(child.attributes.get("class") or ""):
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def finish(self) -> list[tuple[str, str]]:
        self.flush()
        return self.blocks


def _cited(text: str) -> set[int]:
    out: set[int] = set()
    for m in re.finditer(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\^\{([^}]*)\}", text):
        if m.group(1):
            out.add(int(m.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))))
        else:
            out.update(int(n) for n in re.findall(r"\d+", m.group(2)))
    return out


def _assemble(blocks: list[tuple[str, str]], notes: dict[int, str]) -> str:
    """Blocks -> text; each footnote goes after the block (or list) that first cites it."""
    placed: set[int] = set()
    out: list[str] = []
    pending: list[int] = []
    for i, (kind, text) in enumerate(blocks):
        if out:
            same_run = kind in ("item", "row") and blocks[i - 1][0] == kind and not pending
            out.append("\n" if same_run else "\n\n")
        out.append("  • " + text if kind == "item" else text)
        pending += sorted(n for n in _cited(text) if n in notes and n not in placed and n not in pending)
        nxt = blocks[i + 1][0] if i + 1 < len(blocks) else None
        if pending and not (kind in ("item", "row") and nxt == kind):
            for n in pending:
                out.append(f"\n\n{str(n).translate(_SUP)} {notes[n]}")
                placed.add(n)
            pending = []
    rest = [n for n in sorted(notes) if n not in placed]
    for n in rest:
        out.append(f"\n\n{str(n).translate(_SUP)} {notes[n]}")
    return "".join(out).strip() + "\n"
