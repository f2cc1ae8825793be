"""`peelkg query`, `peelkg sparql`, `peelkg serve`, `peelkg push`: reading the graph
with SPARQL, serving it, and loading it into another triplestore."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from peelkg.cli import format_option, kg_option, main
from peelkg.errors import PeelkgError
from peelkg.queries import runner

ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(runner.ENGINES),
    default="oxigraph",
    show_default=True,
    help="SPARQL engine: pyoxigraph (fast) or rdflib (reference).",
)


def _list_queries(ctx: click.Context, _param, value: bool) -> None:
    # Eager, so the list shows even before anything has been built.
    if not value or ctx.resilient_parsing:
        return
    click.echo(list_text(), nl=False)
    ctx.exit(0)


def list_text() -> str:
    """The `peelkg query --list` text: name, parameters, first sentence of the summary."""
    queries = runner.list_queries()
    width = max(len(q.name) for q in queries)
    lines = []
    for q in queries:
        first = q.summary.split(". ")[0].rstrip(".") + "."
        lines.append(f"{q.name.ljust(width)}  {first}")
        for p in q.params:
            need = "required" if p.required else "optional"
            ex = f" e.g. {p.example}" if p.example else ""
            lines.append(f"{'':{width}}    --param {p.name}=...  ({need}){ex}")
    return "\n".join(lines) + "\n"


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.ClickException(f"--param expects KEY=VALUE, got {pair!r}")
        out[key.strip()] = value
    return out


@main.command("query")
@click.argument("name", required=False)
@click.option(
    "--list",
    "list_",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_queries,
    help="List the named queries and their parameters.",
)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@format_option()
@ENGINE_OPTION
@kg_option
def query_cmd(name: str | None, params: tuple[str, ...], fmt: str, engine: str, kg_dir: Path) -> None:
    """Run the named query NAME (see --list) on the graph.

    Table output shortens long text; use --format csv, tsv or json for the full text.
    """
    if not name:
        raise click.ClickException("give a query name (peelkg query --list shows them)")
    try:
        result = runner.run_named(kg_dir, name, _parse_params(params), engine=engine)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(runner.format_result(result, fmt), nl=False)


@main.command("sparql")
@click.argument("query")
@format_option()
@ENGINE_OPTION
@kg_option
def sparql_cmd(query: str, fmt: str, engine: str, kg_dir: Path) -> None:
    """Run ad-hoc SPARQL: QUERY is the text, '-' for standard input, or @FILE.rq.

    SELECT and ASK print in --format; CONSTRUCT and DESCRIBE print Turtle.
    The peelkg prefixes (peel:, id:, grade:, skos:, ...) are predeclared and the
    default graph is the union of all report graphs.
    """
    if query == "-":
        text = sys.stdin.read()
    elif query.startswith("@"):
        path = Path(query[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    else:
        text = query
    try:
        result = runner.run_sparql(kg_dir, text, engine=engine)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(runner.format_result(result, fmt), nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0 = any free port).")
@click.option("--writable", is_flag=True, help="Also accept SPARQL Update at /update (changes the build's store).")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query or update may run before it is stopped.",
)
@kg_option
def serve_cmd(host: str, port: int, writable: bool, timeout: float, kg_dir: Path) -> None:
    """Serve the graph as a SPARQL 1.1 Protocol endpoint at /query.

    Results come as JSON, XML, CSV or TSV (Accept header); CONSTRUCT and
    DESCRIBE as Turtle or N-Triples. The default graph is the union of all
    report graphs. Read-only unless --writable. Stop with Ctrl-C.
    """
    from peelkg.queries import server

    if not server.is_loopback(host):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can query"
            + (" and CHANGE" if writable else "")
            + " the graph",
            err=True,
        )
    try:
        server.serve(kg_dir, host=host, port=port, writable=writable, timeout=timeout, announce=click.echo)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("push")
@click.option("--endpoint", required=True, help="Graph Store Protocol URL, e.g. http://localhost:7878/store")
@click.option("--graph", "graph", default=None, help="Load everything into this one named graph instead.")
@click.option("--replace", is_flag=True, help="Replace the graphs (HTTP PUT) instead of adding to them (POST).")
@kg_option
def push_cmd(endpoint: str, graph: str | None, replace: bool, kg_dir: Path) -> None:
    """Load the graph into a SPARQL 1.1 Graph Store Protocol endpoint.

    Sends one request per named graph (each report and the links graph), or the
    whole graph into --graph.
    """
    from peelkg.queries import push

    try:
        summary = push.push(kg_dir, endpoint, graph=graph, replace=replace)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary.describe())
