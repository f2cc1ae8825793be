"""`peelkg build`: the example reports become kg.ttl, kg.trig and a store, deterministically."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from peelkg.cli import main
from peelkg.kg_build.sources import discover, read_source
from peelkg.namespaces import LINKS_GRAPH, PEEL, report_graph_iri

KIND_CLASS = {"unit": "Unit", "partner": "Partner", "power": "Power", "system": "System",
              "programme": "Programme", "place": "Place", "role": "Role", "meeting": "Meeting"}
PLURAL = {k: k + "s" for k in KIND_CLASS}


def run_build(*args) -> "click.testing.Result":  # noqa: F821
    return CliRunner().invoke(main, ["build", *map(str, args)])


def quads(path: Path) -> list:
    with open(path, "rb") as f:
        return list(ox.parse(f, ox.RdfFormat.TRIG))


@pytest.fixture(scope="module")
def built(tmp_path_factory, example_paths):
    """One CLI build of the examples: (click result, out dir)."""
    out = tmp_path_factory.mktemp("build") / "kg-out"
    res = run_build(*example_paths, "--out", out)
    assert res.exit_code == 0, res.output
    return res, out


def test_build_exits_0_and_writes_graph_trig_and_store(built):
    res, out = built
    assert (out / "kg.ttl").is_file() and (out / "kg.trig").is_file() and (out / "store").is_dir()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".build-tmp")]


def test_summary_line_is_exact(built):
    """One line on stdout, numbers cross-checked against the written graph."""
    res, out = built
    qs = quads(out / "kg.trig")
    report_graphs = {q.graph_name for q in qs if q.graph_name != ox.NamedNode(str(LINKS_GRAPH))}
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    parts = []
    for kind, cls in KIND_CLASS.items():
        n = len({(q.subject, q.graph_name) for q in qs if q.graph_name in report_graphs
                 and q.predicate == rdf_type and q.object == ox.NamedNode(str(PEEL[cls]))})
        if n:
            parts.append(f"{n:,} {PLURAL[kind]}")
    expected = (f"Built {len(report_graphs)} reports: {len(qs):,} triples; "
                f"entities: {', '.join(parts) or 'none'} -> {out / 'kg.ttl'}\n")
    assert res.stdout == expected
    assert re.fullmatch(r"Built 2 reports: [\d,]+ triples; entities: .+ -> .+kg\.ttl\n", res.stdout)


def test_kg_ttl_loads_in_rdflib_and_pyoxigraph_with_same_count(built):
    _, out = built
    g = Graph().parse(out / "kg.ttl", format="turtle")
    with open(out / "kg.ttl", "rb") as f:
        ox_triples = set(ox.parse(f, ox.RdfFormat.TURTLE))
    assert len(g) == len(ox_triples) > 1000


def test_one_named_graph_per_report_plus_links(built):
    _, out = built
    graphs = {q.graph_name.value for q in quads(out / "kg.trig")}
    store = ox.Store.read_only(str(out / "store"))
    keys = sorted(r["r"].value.rsplit("/", 1)[1] for r in store.query(
        "SELECT ?r WHERE { ?r a <%s> }" % PEEL.InspectionReport, use_default_graph_as_union=True))
    assert len(keys) == 2
    assert graphs == {str(report_graph_iri(k)) for k in keys} | {str(LINKS_GRAPH)}


def test_store_holds_exactly_the_trig_quads(built):
    _, out = built
    store = ox.Store.read_only(str(out / "store"))
    mem = ox.Store()  # the store keeps canonical literals ("2269.0"^^xsd:decimal -> "2269"): compare like with like
    mem.extend(quads(out / "kg.trig"))
    assert set(store) == set(mem) and len(mem) > 1000


def test_two_builds_are_byte_identical(built, example_paths, tmp_path):
    _, out = built
    res = run_build(*example_paths, "--out", tmp_path / "again", "--no-incremental")
    assert res.exit_code == 0, res.output
    for name in ("kg.ttl", "kg.trig"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes()


def test_jobs_2_is_byte_identical_to_jobs_1(built, example_paths, tmp_path):
    _, out = built
    res = run_build(*example_paths, "--out", tmp_path / "j2", "--jobs", "2")
    assert res.exit_code == 0, res.output
    assert res.stdout == built[0].stdout.replace(str(out), str(tmp_path / "j2"))
    for name in ("kg.ttl", "kg.trig"):
        assert (tmp_path / "j2" / name).read_bytes() == (out / name).read_bytes()


def test_input_order_does_not_matter(built, example_paths, tmp_path):
    _, out = built
    res = run_build(*reversed(example_paths), "--out", tmp_path / "rev")
    assert res.exit_code == 0, res.output
    for name in ("kg.ttl", "kg.trig"):
        assert (tmp_path / "rev" / name).read_bytes() == (out / name).read_bytes()


def test_a_folder_builds_like_its_files(built, example_paths, tmp_path):
    """A folder is searched recursively; README.md and hidden files are not reports."""
    _, out = built
    src = tmp_path / "reports"
    (src / "sub").mkdir(parents=True)
    shutil.copy(example_paths[0], src / example_paths[0].name)
    shutil.copy(example_paths[1], src / "sub" / example_paths[1].name)
    (src / "README.md").write_text("# not a report\n")
    (src / ".hidden.txt").write_text("not a report either\n")
    res = run_build(src, "--out", tmp_path / "folder")
    assert res.exit_code == 0, res.output
    for name in ("kg.ttl", "kg.trig"):
        assert (tmp_path / "folder" / name).read_bytes() == (out / name).read_bytes()


def test_same_report_twice_is_an_error_naming_both_files(example_paths, tmp_path):
    copy = tmp_path / "copy-of-2017.txt"
    shutil.copy(example_paths[0], copy)
    res = run_build(example_paths[0], copy, "--out", tmp_path / "dup")
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1
    assert example_paths[0].name in res.stderr and copy.name in res.stderr and "same report" in res.stderr
    assert not (tmp_path / "dup").exists()


# ---- sources: discovery and format sniffing ----------------------------------


def test_discover_mixed_folder_sorted_skipping_hidden(tmp_path):
    for rel in ("b/report.pdf", "a.html", "c.txt", "b/page.htm", ".git/x.txt", "notes.md", ".hidden.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    got = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert got == ["a.html", "b/page.htm", "b/report.pdf", "c.txt"]
    # A file named explicitly is read whatever its extension; duplicates collapse.
    assert discover([tmp_path / "notes.md", tmp_path / "c.txt", tmp_path / "c.txt"]) == [
        tmp_path / "c.txt", tmp_path / "notes.md"]


def test_format_is_recognised_by_content_not_extension(tmp_path, monkeypatch):
    seen = {}

    def fake_html(data: bytes, source: str) -> str:
        seen["html"] = source
        return "html text"

    import peelkg.kg_build.html as html_mod  # noqa: F401 - must exist for the real reader

    monkeypatch.setattr(html_mod, "html_to_text", fake_html)
    page = tmp_path / "saved.txt"
    page.write_bytes(b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body><p>x</p></body></html>")
    assert read_source(page)[:2] == ("html", "html text") and seen["html"] == "saved.txt"

    text = tmp_path / "report.html"
    text.write_bytes("Bedfordshire Police\r\nPEEL \u2019 2017\r\n".encode("utf-8"))
    fmt, got, sha = read_source(text)
    assert (fmt, got) == ("txt", "Bedfordshire Police\nPEEL \u2019 2017\n") and len(sha) == 64

    utf16 = tmp_path / "notepad.txt"
    utf16.write_bytes("Report \u2019 text\n".encode("utf-16"))
    assert read_source(utf16)[:2] == ("txt", "Report \u2019 text\n")


# ---- stats and validate (read a finished build) --------------------------------


def test_stats_json_counts_match_the_graph(example_kg):
    res = CliRunner().invoke(main, ["stats", "--kg", str(example_kg), "--format", "json"])
    assert res.exit_code == 0, res.output
    import json

    stats = json.loads(res.stdout)
    qs = quads(example_kg / "kg.trig")
    assert stats["triples"] == len(qs)
    assert stats["reports"] == 2 and stats["classes"]["peel:InspectionReport"] == 2
    assert sum(v["triples"] for v in stats["graphs"].values()) == len(qs)
    assert list(stats["graphs"])[-1] == "links"


def test_stats_table_starts_with_the_totals(example_kg):
    res = CliRunner().invoke(main, ["stats", "--kg", str(example_kg)])
    assert res.exit_code == 0, res.output
    n = len(quads(example_kg / "kg.trig"))
    assert res.stdout.splitlines()[0] == f"{n:,} triples in 2 report graph(s) + links"
    assert "  peel:InspectionReport " in res.stdout


def test_validate_conforms_on_the_examples(example_kg):
    res = CliRunner().invoke(main, ["validate", "--kg", str(example_kg)])
    assert (res.exit_code, res.stdout) == (0, f"{example_kg / 'kg.ttl'}: conforms to the peelkg shapes\n"), res.output


def test_validate_fails_with_a_report_on_a_broken_graph(example_kg, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    # A report with no force, label or source and a year that is not a number.
    (broken / "kg.ttl").write_text(
        f'<{PEEL}nowhere> a <{PEEL}InspectionReport> ; <{PEEL}year> "soon" .\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", "--kg", str(broken)])
    assert res.exit_code == 1
    assert "Conforms: False" in res.stdout and "nowhere" in res.stdout


def test_output_does_not_depend_on_the_hash_seed(built, example_paths, tmp_path):
    """Sets and dicts iterate in hash order, which changes per process: the output must not."""
    import os
    import subprocess
    import sys

    _, out = built
    code = "import sys; from pathlib import Path; from peelkg.kg_build.pipeline import build; " \
           "build([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]), incremental=False)"
    for seed in ("1", "2"):
        target = tmp_path / f"seed{seed}"
        subprocess.run([sys.executable, "-c", code, str(target), *map(str, example_paths)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).resolve().parent.parent)
        for name in ("kg.ttl", "kg.trig"):
            assert (target / name).read_bytes() == (out / name).read_bytes(), (seed, name)
