"""`peelkg view`, `peelkg analyse`, `peelkg export-network`: the graph as a network."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from peelkg.cli import format_option, kg_option, main
from peelkg.errors import PeelkgError

VIEW_MAX_NODES = 1500  # mirrors peelkg.graph.project.VIEW_MAX_NODES (not imported: keeps CLI start-up light)


def _filter_options(f):
    """--report / --year / --types / --min-weight, shared by the network commands."""

    @click.option("--report", "report", default=None, metavar="ID", help="Only this report (its key, e.g. bedfordshire-police-2017-effectiveness).")
    @click.option("--year", "year", type=int, default=None, help="Only reports of this inspection year.")
    @click.option("--force", "force", default=None, metavar="NAME", help="Only this force's reports (name or key).")
    @click.option("--types", "types", default=None, metavar="LIST",
                  help="Comma-separated node types: unit,partner,power,system,programme,place,role,meeting,afi,cause,"
                       "recommendation,weakness,strength,finding,report (default: all but place, role and meeting).")
    @click.option("--min-weight", "min_weight", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Drop links made by fewer statements than this.")
    @functools.wraps(f)
    def wrapper(*args, report=None, year=None, force=None, types=None, min_weight=1, **kwargs):
        if report is not None and year is not None:
            raise click.UsageError("give --report or --year, not both")
        filters = {"report": report, "year": year, "force": force, "min_weight": min_weight,
                   "types": [t for t in types.split(",")] if types is not None else None}
        return f(*args, filters=filters, **kwargs)

    return wrapper


def _project(kg_dir: Path, filters: dict):
    from peelkg.graph.project import project

    try:
        return project(kg_dir, **filters)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("view")
@click.option("--focus", default=None, metavar="NAME", help="Show only this node (name, acronym or alias) and its neighbourhood.")
@click.option("--radius", type=click.IntRange(1, 2), default=1, show_default=True, help="Steps out from --focus.")
@_filter_options
@click.option("--aggregate/--full", "aggregated", default=None,
              help=f"Merge forces: entities by name, issues by report section and year. "
                   f"Default: only when the network has more than {VIEW_MAX_NODES} nodes and spans several forces.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write.")
@kg_option
def view_cmd(kg_dir: Path, output: Path, focus, radius, filters, aggregated):
    """Write an interactive network view (one offline HTML file).

    Nodes are units, partners, powers, systems, programmes and the issues the
    inspectors raised (AFIs, causes of concern, recommendations, weakness
    findings grouped by section); links are weighted by how many statements
    make them. Hover or click a node to read what the inspection said.
    """
    from peelkg.graph.project import for_view
    from peelkg.graph.render import render

    graph = _project(kg_dir, filters)
    try:
        graph, title, note = for_view(graph, focus=focus, radius=radius, aggregated=aggregated)
        render(graph, output, title=title, note=note[:1].upper() + note[1:] + "." if note else "")
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges{' (' + note + ')' if note else ''}: {output}")


@main.command("analyse")
@format_option(("table", "json"), "table")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many rows per measure.")
@_filter_options
@kg_option
def analyse_cmd(kg_dir: Path, fmt: str, top: int, filters):
    """Centrality, communities and the units most linked to weaknesses."""
    from peelkg.graph.analyse import analyse, to_json, to_table

    result = analyse(_project(kg_dir, filters), top=top)
    click.echo(to_json(result) if fmt == "json" else to_table(result))


@main.command("export-network")
@format_option(("graphml", "gexf"), "graphml")
@_filter_options
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@kg_option
def export_network_cmd(kg_dir: Path, fmt: str, output: Path, filters):
    """Write the network as GraphML or GEXF, for Gephi or Cytoscape."""
    from peelkg.graph.render import export_network

    graph = _project(kg_dir, filters)
    try:
        export_network(graph, output, fmt)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges: {output}")
