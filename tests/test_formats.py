"""Reading reports as PDFs and web pages: the same structure as the text versions.

The example reports are typeset as real PDFs (reportlab) and as inspectorate-style
web pages (tests/formats_fixtures.py); reading those must recover what the text
versions give: force, year, grades, areas for improvement, entities, footnotes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from formats_fixtures import make_html, make_pdf  # noqa: E402

from peelkg.errors import ReportError  # noqa: E402
from peelkg.kg_build.html import html_to_text  # noqa: E402
from peelkg.kg_build.pdf import pdf_to_text  # noqa: E402

HEADERS = {
    "bedfordshire-peel-effectiveness-2017": "PEEL: Police effectiveness 2017 – Bedfordshire Police",
    "bedfordshire-peel-2018-19-effectiveness": "Bedfordshire PEEL 2018 – Effectiveness",
}
STEMS = sorted(HEADERS)
FORMATS = ("pdf", "html")


@pytest.fixture(scope="session")
def converted(tmp_path_factory, example_paths):
    """Each example as .txt (original), .pdf and .html, read through the sources step."""
    from peelkg.kg_build.reports import parse_report
    from peelkg.kg_build.sources import read_source

    folder = tmp_path_factory.mktemp("formats")
    out: dict[tuple[str, str], dict] = {}
    for path in example_paths:
        text = path.read_text(encoding="utf-8")
        files = {
            "txt": path,
            "pdf": folder / f"{path.stem}.pdf",
            "html": folder / f"{path.stem}.html",
        }
        files["pdf"].write_bytes(make_pdf(text, HEADERS[path.stem]))
        files["html"].write_bytes(make_html(text))
        for fmt, file in files.items():
            got_fmt, got_text, sha = read_source(file)
            report = parse_report(got_text, source=file.name, sha256=sha, fmt=got_fmt)
            out[(path.stem, fmt)] = {"format": got_fmt, "text": got_text, "report": report, "path": file}
    return out


def _entity_keys(report) -> set[str]:
    from peelkg.kg_build.entities import extract_entities

    return {e.key for e in extract_entities(report) if e.kind in ("unit", "partner", "power", "system")}


# ---- the same report, whatever the format -------------------------------------


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_format_detected_by_content(converted, stem, fmt):
    assert converted[(stem, fmt)]["format"] == fmt


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_same_force_year_and_grades(converted, stem, fmt):
    base, got = converted[(stem, "txt")]["report"], converted[(stem, fmt)]["report"]
    assert base.force == "Bedfordshire Police"  # the text version itself is read right
    assert (got.force, got.year, got.inspection) == (base.force, base.year, base.inspection)
    assert got.overall_grade == base.overall_grade is not None
    assert [(q.number, q.title, q.grade) for q in got.questions] == [(q.number, q.title, q.grade) for q in base.questions]
    assert len(base.questions) == 5


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_same_areas_for_improvement_verbatim(converted, stem, fmt, gold):
    base, got = converted[(stem, "txt")]["report"], converted[(stem, fmt)]["report"]
    want = [(a.question, a.text) for a in base.areas_for_improvement]
    assert [(a.question, a.text) for a in got.areas_for_improvement] == want
    # and they are the real ones, not an empty list on both sides
    assert {a["text"] for a in gold[stem]["areas_for_improvement"]} <= {t for _, t in want}


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_same_entities(converted, stem, fmt):
    base = _entity_keys(converted[(stem, "txt")]["report"])
    got = _entity_keys(converted[(stem, fmt)]["report"])
    assert len(base) > 20
    assert got == base, f"only in text: {sorted(base - got)}; only in {fmt}: {sorted(got - base)}"


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_same_footnotes_and_citations(converted, stem, fmt):
    base, got = converted[(stem, "txt")]["report"], converted[(stem, fmt)]["report"]
    assert sorted(f.number for f in got.footnotes) == sorted(f.number for f in base.footnotes)
    # Same words; "*" (italics in text from a PDF) is formatting, not content.
    words = lambda r: [" ".join(f.text.replace("*", "").split()) for f in sorted(r.footnotes, key=lambda f: f.number)]  # noqa: E731
    assert words(got) == words(base)
    cited = lambda r: sorted(n for p in r.paragraphs for n in p.footnote_refs)  # noqa: E731
    assert cited(got) == cited(base)
    if "2017" in stem and "2018" not in stem:
        assert len(base.footnotes) == 31


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_furniture_removed(converted, stem):
    text = converted[(stem, "pdf")]["text"]
    report = converted[(stem, "pdf")]["report"]
    assert HEADERS[stem] not in text
    # Page numbers would show up as extra bare-number paragraphs; figures near
    # the foot of a page ("77" in Force in numbers) must not be taken for them.
    bare = lambda r: Counter(p.text for p in r.paragraphs if p.text.strip().isdigit())  # noqa: E731
    assert bare(report) == bare(converted[(stem, "txt")]["report"])
    n_pages = len(re.findall(rb"/Type\s*/Page\b", converted[(stem, "pdf")]["path"].read_bytes()))
    assert n_pages >= 10


def test_pdf_layout_of_2017_report(converted):
    text = converted[("bedfordshire-peel-effectiveness-2017", "pdf")]["text"]
    lines = text.splitlines()
    # headings on their own lines, bullets as "- ", footnotes as superscript lines
    for heading in ("Areas for improvement", "Reducing re-offending", "Annex A – About the data"):
        assert heading in lines
    assert "- The force should ensure that checks are routinely conducted to verify the identity, nationality and overseas convictions of arrested foreign nationals." in lines
    assert any(ln.startswith("¹⁷ Bedfordshire Police set up its Emerald team") for ln in lines)
    assert "Immigration Enforcement¹⁰ to check" in text  # citation hugs its word
    assert "30 June 2017^{8,9}" in text
    # table rows keep their cells apart with tabs
    assert "Tackling serious and organised crime\tGood\t2017" in lines
    assert "*The Strategic Policing Requirement (SPR)*²⁹ specifies" in text  # italics as in the 2017 text
    # a paragraph broken by a page break is whole again
    assert "develop staff skills in crime prevention and problem solving" in text
    # the footnote comes after the paragraph citing it
    cite = text.index("Emerald team¹⁷")
    note = text.index("¹⁷ Bedfordshire Police set up")
    assert cite < note and text.count("\n\n", cite, note) <= 2


def test_html_layout_of_2018_report(converted):
    text = converted[("bedfordshire-peel-2018-19-effectiveness", "html")]["text"]
    lines = text.splitlines()
    assert lines[:4] == ["Bedfordshire PEEL 2018", "", "Effectiveness", ""]
    assert "Last updated 21/01/2020" in lines
    assert "  • The force should ensure regular and active supervision of the quality and progress of investigations. This supervision should be properly recorded." in lines
    for noise in ("cookies", "Skip to content", "Crown copyright", "Related publications", "dataLayer", "Publications"):
        assert noise not in text


def test_conversions_are_deterministic(converted):
    # (one PDF is enough to show it; reading a PDF is the slow part of this file)
    cases = [(stem, "html", html_to_text) for stem in STEMS]
    cases.append(("bedfordshire-peel-2018-19-effectiveness", "pdf", pdf_to_text))
    for stem, fmt, convert in cases:
        data = converted[(stem, fmt)]["path"].read_bytes()
        assert convert(data, "again") == converted[(stem, fmt)]["text"]


# ---- the HTML reader on its own ------------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="{cs}"><title>T</title>
<script>var x = "<p>script text</p>";</script><style>p {{ color: red }}</style></head>
<body><header><nav><a href="/">Home</a></nav></header>
<div class="cookie-banner"><p>We use cookies.</p></div>
<main><h1>Northshire Police PEEL 2021</h1><p>Last updated 02/03/2022</p>
<section><h2>How good is the force at investigating crime?</h2><p><span class="grade">Adequate</span></p>
<h3>Areas for improvement</h3><ul><li>The force should  improve
  supervision.</li><li>The force should ensure <em>timely</em> updates.</li></ul>
<p>The force uses {word} in its work.<sup><a href="#fn1">1</a></sup> It also uses figures.<sup><a href="#fn2">2</a></sup><sup><a href="#fn3">3</a></sup></p>
<p hidden>hidden text</p><p>Next paragraph.</p>
<table><tr><th>Question</th><th>Grade</th></tr><tr><td>Investigating</td><td>Adequate</td></tr></table>
</section>
<ol class="footnotes"><li id="fn1">The first note. <a href="#r1">Back</a></li><li id="fn2">Second.</li><li id="fn3">Third.</li></ol>
</main><footer><p>Crown copyright</p></footer></body></html>"""


def _page(cs="utf-8", word="Operation Café’s hub"):
    return PAGE.format(cs=cs, word=word)


def test_html_title_above_main_is_kept():
    page = (
        "<html><body><header><div class='banner'><h1>Westshire Police PEEL 2022</h1></div>"
        "<nav>Menu</nav></header><main><p>Text of the report.</p></main></body></html>"
    )
    assert html_to_text(page.encode(), "t.html") == "Westshire Police PEEL 2022\n\nText of the report.\n"


def test_html_text_layout():
    text = html_to_text(_page().encode("utf-8"), "p.html")
    assert text == (
        "Northshire Police PEEL 2021\n\n"
        "Last updated 02/03/2022\n\n"
        "How good is the force at investigating crime?\n\n"
        "Adequate\n\n"
        "Areas for improvement\n\n"
        "  • The force should improve supervision.\n"
        "  • The force should ensure timely updates.\n\n"
        "The force uses Operation Café’s hub in its work.¹ It also uses figures.^{2,3}\n\n"
        "¹ The first note.\n\n"
        "² Second.\n\n"
        "³ Third.\n\n"
        "Next paragraph.\n\n"
        "Question\tGrade\n"
        "Investigating\tAdequate\n"
    )


@pytest.mark.parametrize(
    "data",
    [
        _page("windows-1252").encode("cp1252"),
        _page("iso-8859-1").encode("cp1252"),  # browsers read latin-1 as windows-1252
        b"\xef\xbb\xbf" + _page("utf-8").encode("utf-8"),
        "\ufeff".encode("utf-16-le") + _page("utf-8").encode("utf-16-le"),
    ],
    ids=["cp1252", "latin1", "utf8-bom", "utf16-bom"],
)
def test_html_charsets(data):
    assert "Operation Café’s hub" in html_to_text(data, "p.html")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (_page("utf-8").encode("cp1252"), "not valid utf-8"),
        (_page("klingon-8").encode("utf-8"), "unknown charset"),
        (b"<html><body><nav>Home</nav><script>x()</script></body></html>", "no report text"),
    ],
    ids=["empty", "blank", "bad-utf8", "unknown-charset", "only-noise"],
)
def test_html_bad_input(data, reason):
    with pytest.raises(ReportError) as e:
        html_to_text(data, "bad.html")
    assert e.value.source == "bad.html"
    assert reason in str(e.value).lower()
    assert "\n" not in str(e.value)


# ---- the PDF reader on its own -------------------------------------------------


def _one_page_pdf(**canvas_kw) -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, **canvas_kw)
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "Some report text.")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_encrypted_with_password_is_refused():
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = _one_page_pdf(encrypt=StandardEncryption("secret", "owner"))
    with pytest.raises(ReportError, match="encrypted"):
        pdf_to_text(data, "locked.pdf")


def test_pdf_encrypted_without_user_password_is_read():
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = _one_page_pdf(encrypt=StandardEncryption("", "owner"))
    assert pdf_to_text(data, "open.pdf") == "Some report text.\n"


def test_pdf_without_text_is_refused():
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.rect(72, 72, 300, 300, fill=1)  # like a scanned page: marks, no text
    c.showPage()
    c.save()
    with pytest.raises(ReportError, match="no extractable text"):
        pdf_to_text(buf.getvalue(), "scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n garbage", b"not a pdf at all", _one_page_pdf()[:400]],
    ids=["garbage", "no-header", "truncated"],
)
def test_pdf_corrupt_is_refused(data):
    with pytest.raises(ReportError) as e:
        pdf_to_text(data, "broken.pdf")
    assert e.value.source == "broken.pdf"
    assert "\n" not in str(e.value)


def test_pdf_small_document_layout():
    """A two-page PDF: headings, bullets, a footnote, a paragraph across the page break."""
    text = (
        "Northshire Police\n\nTackling crime\n\nGood\n\n"
        + "The force works with Project Lantern³ on many things. " * 120
        + "\n\n³ Project Lantern is a diversion scheme.\n\n"
        "Areas for improvement\n\n- The force should do one thing.\n- The force should do another thing.\n"
    )
    data = make_pdf(text, "Northshire Police – Running header")
    got = pdf_to_text(data, "small.pdf")
    paras = got.split("\n\n")
    assert paras[:3] == ["Northshire Police", "Tackling crime", "Good"]
    assert paras[3] == ("The force works with Project Lantern³ on many things. " * 120).strip()
    assert paras[4] == "³ Project Lantern is a diversion scheme."
    assert paras[5:] == ["Areas for improvement", "- The force should do one thing.\n- The force should do another thing.\n"]
    assert "Running header" not in got


def test_pdf_dash_in_prose_is_not_a_bullet():
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.setFont("Helvetica", 10.5)
    rows = [
        (700, "The force works with young people"),
        (686, "– in particular those at risk – to divert them."),
        (660, "Powers used:"),
        (640, "• criminal behaviour orders"),
        (626, "• dispersal orders"),
    ]
    for y, s in rows:
        c.drawString(72, y, s)
    c.showPage()
    c.save()
    assert pdf_to_text(buf.getvalue(), "d.pdf") == (
        "The force works with young people – in particular those at risk – to divert them.\n\n"
        "Powers used:\n\n"
        "- criminal behaviour orders\n"
        "- dispersal orders\n"
    )
