"""Bad input: one clear line naming the file and the reason, exit 1, no traceback,
and the output folder untouched (no kg.ttl, or the previous one unchanged)."""

from __future__ import annotations

import io
import shutil

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.errors import ReportError
from peelkg.kg_build.pipeline import build
from peelkg.kg_build.sources import read_source

# name -> (bytes, expected reason or None when another module words it)
BAD = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\n\t\n", "empty file"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not a report (expected UTF-8 text, HTML or PDF)"),
    "latin1.txt": ("Bedfordshire Police \u2013 caf\u00e9 \u201cquoted\u201d\n".encode("cp1252"), "not UTF-8 text (convert it to UTF-8)"),
    "shopping.txt": (b"Shopping list\n\nmilk\neggs\nbread\n", None),
}


def run(*args):
    return CliRunner().invoke(main, ["build", *map(str, args)])


def assert_one_line_error(res, name: str, reason: str | None):
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert isinstance(res.exception, SystemExit)  # a clean exit, not an uncaught exception
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"Error: {name}: ")
    if reason is not None:
        assert lines[0] == f"Error: {name}: {reason}"
    else:
        assert len(lines[0]) > len(f"Error: {name}: ") + 5  # some reason is given


@pytest.fixture(scope="module")
def previous(tmp_path_factory, example_paths):
    """A good earlier build, to check a failed build leaves it alone."""
    out = tmp_path_factory.mktemp("prev") / "kg"
    build(example_paths, out)
    return out


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_fresh_output(tmp_path, example_paths, name):
    data, reason = BAD[name]
    bad = tmp_path / name
    bad.write_bytes(data)
    res = run(example_paths[0], bad, "--out", tmp_path / "out")
    assert_one_line_error(res, name, reason)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_keeps_previous_build(tmp_path, example_paths, previous, name):
    out = tmp_path / "kg"
    shutil.copytree(previous, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    data, reason = BAD[name]
    bad = tmp_path / name
    bad.write_bytes(data)
    res = run(*example_paths, bad, "--out", out)
    assert_one_line_error(res, name, reason)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_missing_path(tmp_path, example_paths):
    res = run(example_paths[0], tmp_path / "nope.txt", "--out", tmp_path / "out")
    assert_one_line_error(res, "nope.txt", "no such file")
    assert not (tmp_path / "out").exists()


def test_pdf_without_text(tmp_path, example_paths):
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf)
    c.rect(100, 100, 200, 200)  # a drawing, no text: like a scanned page
    c.showPage()
    c.save()
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(buf.getvalue())
    res = run(example_paths[0], bad, "--out", tmp_path / "out")
    assert_one_line_error(res, "scan.pdf", None)
    assert "text" in res.stderr.lower()
    assert not (tmp_path / "out").exists()


def test_keep_going_builds_the_good_one_and_warns(tmp_path, example_paths):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    res = run(example_paths[0], bad, tmp_path / "missing.txt", "--out", tmp_path / "out", "--keep-going")
    assert res.exit_code == 3, res.output
    assert res.stdout.startswith("Built 1 report: ") and res.stdout.count("\n") == 1
    assert res.stderr.splitlines() == [
        "Warning: skipped missing.txt: no such file",
        "Warning: skipped empty.txt: empty file",
    ]
    assert (tmp_path / "out" / "kg.ttl").is_file()


def test_keep_going_with_nothing_good_fails(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    res = run(bad, "--out", tmp_path / "out", "--keep-going")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[-1] == "Error: empty.txt: empty file"
    assert not (tmp_path / "out").exists()


def test_no_reports_in_folder(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.md").write_text("x")
    res = run(tmp_path / "src", "--out", tmp_path / "out")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: no report files found in ") and res.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["empty.txt", "image.txt", "latin1.txt"])
def test_read_source_raises_report_error_with_file_name(tmp_path, name):
    data, reason = BAD[name]
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ReportError) as exc:
        read_source(tmp_path / name)
    assert (exc.value.source, exc.value.reason) == (name, reason)


def test_parallel_build_names_the_same_bad_file_as_a_serial_one(tmp_path, example_paths):
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "b-image.txt").write_bytes(BAD["image.txt"][0])
    for jobs in ("1", "2"):
        res = run(tmp_path / "b-image.txt", example_paths[1], tmp_path / "a-empty.txt",
                  "--jobs", jobs, "--out", tmp_path / "out")
        assert_one_line_error(res, "a-empty.txt", "empty file")
        assert not (tmp_path / "out").exists()


def test_bad_lexicon_file_is_one_clear_error(tmp_path, example_paths):
    lex = tmp_path / "my-lexicon.ttl"
    lex.write_text("this is not turtle {{{\n")
    res = run(example_paths[0], "--lexicon", lex, "--out", tmp_path / "out")
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1 and "my-lexicon.ttl" in res.stderr and "Traceback" not in res.output
    res = run(example_paths[0], "--lexicon", tmp_path / "missing.ttl", "--out", tmp_path / "out")
    assert res.exit_code == 1
    assert res.stderr == "Error: missing.ttl: no such lexicon file (or it cannot be read)\n"
    assert not (tmp_path / "out").exists()
