"""Step 1: find report files and turn each into (format, text).

The format is recognised by CONTENT, not by the file name: a ``.txt`` that is
really a saved web page is read as HTML, a PDF renamed ``.txt`` as PDF.

Encoding policy (decided, not guessed): text must be UTF-8 (a BOM is allowed),
or UTF-16 with a BOM (what Windows Notepad writes as "Unicode"). There is NO
silent cp1252 fallback: a misdecoded report would put wrong characters into
the graph (quotes, dashes, names) without anyone noticing, so a non-UTF-8 file
is rejected with a message that says how to fix it.

Line endings are normalised to ``\\n`` so a report saved on Windows parses
exactly like the same report saved on Linux.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Callable, Optional, Sequence

from peelkg.errors import ReportError

# Extensions picked up when a FOLDER is given; files named explicitly are
# always read (their format is sniffed from the content).
REPORT_EXTENSIONS = (".txt", ".html", ".htm", ".pdf")

_HTML_START = re.compile(
    r"\A\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>]|<title[\s>]|<!--)",
    re.IGNORECASE,
)
_BOMS_16 = (b"\xff\xfe", b"\xfe\xff")


def discover(
    inputs: Sequence[Path], on_error: Optional[Callable[[ReportError], None]] = None
) -> list[Path]:
    """Expand files and folders (recursively) into a sorted list of report files.

    Hidden files and folders (names starting with '.') are skipped; in folders
    only report-like extensions are taken (see REPORT_EXTENSIONS). A missing
    path raises ReportError(name, "no such file"), or is passed to
    ``on_error`` (keep-going builds) and skipped.
    """
    found: dict[str, Path] = {}
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith(".") or not name.lower().endswith(REPORT_EXTENSIONS):
                        continue
                    f = Path(root) / name
                    found.setdefault(os.path.realpath(f), f)
        elif p.is_file():
            found.setdefault(os.path.realpath(p), p)
        else:
            err = ReportError(p.name or str(p), "no such file")
            if on_error is None:
                raise err
            on_error(err)
    return sorted(found.values(), key=lambda q: (str(q), q.name))


def read_bytes(path: Path) -> bytes:
    """The raw bytes of a report file, or a ReportError saying why not."""
    name = path.name or str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReportError(name, "no such file") from None
    except IsADirectoryError:
        raise ReportError(name, "is a folder, not a file") from None
    except PermissionError:
        raise ReportError(name, "cannot read the file (permission denied)") from None
    except OSError as exc:
        raise ReportError(name, f"cannot read the file ({exc.strerror or exc})") from None


def sniff_format(data: bytes) -> str:
    """'pdf', 'html' or 'txt', from the first bytes of the content."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n\f")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_BOMS_16):
        try:
            sample = head.decode("utf-16", errors="ignore")
        except UnicodeDecodeError:  # pragma: no cover - errors=ignore
            sample = ""
    else:
        sample = head.decode("utf-8", errors="ignore")
    if _HTML_START.match(sample.lstrip("\ufeff")):
        return "html"
    return "txt"


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a plain-text report -> str (UTF-8 or BOM-marked UTF-16), LF line ends."""
    if data.startswith(_BOMS_16):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportError(name, "not valid UTF-16 text (convert it to UTF-8)") from None
    else:
        if b"\x00" in data:
            raise ReportError(name, "binary file, not a report (expected UTF-8 text, HTML or PDF)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReportError(name, "not UTF-8 text (convert it to UTF-8)") from None
    if "\x00" in text:
        raise ReportError(name, "binary file, not a report (expected UTF-8 text, HTML or PDF)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_source(data: bytes, name: str) -> tuple[str, str]:
    """(format, text) of a report's bytes; ReportError if it cannot be a report."""
    if not data.strip():
        raise ReportError(name, "empty file")
    fmt = sniff_format(data)
    if fmt == "pdf":
        from peelkg.kg_build.pdf import pdf_to_text

        text = pdf_to_text(data, name)
        if not text or not text.strip():
            raise ReportError(name, "PDF has no extractable text (is it a scanned image? run OCR first)")
    elif fmt == "html":
        from peelkg.kg_build.html import html_to_text

        text = html_to_text(data, name)
        if not text or not text.strip():
            raise ReportError(name, "HTML page has no text")
    else:
        text = decode_text(data, name)
        if not text.strip():
            raise ReportError(name, "empty file")
    return fmt, text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: Path) -> tuple[str, str, str]:
    """Read one report file: (format 'txt'|'html'|'pdf', text, sha256 of the bytes).

    Raises ReportError(file name, reason) for a missing, empty, binary,
    non-UTF-8 or text-less file.
    """
    data = read_bytes(Path(path))
    fmt, text = decode_source(data, Path(path).name)
    return fmt, text, hashlib.sha256(data).hexdigest()
