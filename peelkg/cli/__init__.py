"""The `peelkg` command: one click group; each command parses options, calls one
library function and formats the result. Commands live in one module per
capability (build, query, view, followups); this module holds the group and the
options they share."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from peelkg import __version__
from peelkg.state import KG_FILE, default_kg_dir

FORMATS_TABLE = ("table", "csv", "tsv", "json")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peelkg")
def main() -> None:
    """peelkg: police inspection reports as an RDF knowledge graph.

    Build a graph from reports, query it with SPARQL, explore it as a network
    and export it to other triplestores.
    """


def kg_option(f):
    """--kg DIR: the build output folder to read (default: the last build)."""

    @click.option(
        "--kg",
        "kg_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder written by `peelkg build` (default: the last build, or ./kg-out).",
    )
    @functools.wraps(f)
    def wrapper(*args, kg_dir=None, **kwargs):
        kg_dir = kg_dir or default_kg_dir()
        if not (kg_dir / KG_FILE).exists():
            raise click.ClickException(
                f"no knowledge graph in {kg_dir}: run `peelkg build REPORTS --out {kg_dir}` first, or pass --kg DIR"
            )
        return f(*args, kg_dir=kg_dir, **kwargs)

    return wrapper


def format_option(choices=FORMATS_TABLE, default="table"):
    """--format for commands that print results."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


# Register the commands (import for side effects: each module adds to `main`).
from peelkg.cli import build as _build  # noqa: E402,F401

for _mod in ("query", "view", "followups"):
    try:
        __import__(f"peelkg.cli.{_mod}")
    except ModuleNotFoundError as exc:  # pragma: no cover - while modules are being written
        if exc.name != f"peelkg.cli.{_mod}":
            raise
