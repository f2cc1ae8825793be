"""Shared fixtures: the example reports, the gold standard, one example build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLD = ROOT.parent / "shared" / "gold"
OUTPUT = ROOT / "tests" / "output"  # screenshots and score tables land here (git-ignored)

REPORT_2017 = EXAMPLES / "bedfordshire-peel-effectiveness-2017.txt"
REPORT_2018 = EXAMPLES / "bedfordshire-peel-2018-19-effectiveness.txt"


@pytest.fixture(scope="session")
def example_paths() -> list[Path]:
    return [REPORT_2017, REPORT_2018]


@pytest.fixture(scope="session")
def gold() -> dict:
    """Gold files by report stem, plus 'followups'."""
    if not GOLD.is_dir():
        pytest.fail(f"gold standard not found at {GOLD}: the tests expect ../shared beside the repo")
    out = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in GOLD.glob("*.json")}
    out["followups"] = out.pop("followups-2017-to-2018")
    return out


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def example_graphs(example_paths):
    """The example reports analysed (read, parsed, entities, findings), no RDF."""
    from peelkg.kg_build.pipeline import analyse_source

    return [analyse_source(p) for p in example_paths]


@pytest.fixture(scope="session")
def example_kg(tmp_path_factory, example_paths) -> Path:
    """One build of the example reports, shared by every test that only reads it."""
    from peelkg.kg_build.pipeline import build

    out = tmp_path_factory.mktemp("kg")
    build(example_paths, out)
    return out
