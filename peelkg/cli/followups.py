"""`peelkg followups`: what later inspections say about earlier areas for improvement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click

from peelkg.cli import format_option, kg_option, main
from peelkg.errors import PeelkgError


def followup_rows(kg_dir: Path, force: Optional[str] = None) -> list[dict]:
    """The follow-up table of a built graph (named query ``followups``), one dict per
    earlier area for improvement, in the JSON shape of ``peelkg followups --format json``."""
    from peelkg.queries.runner import load_query, select

    q = load_query("followups")
    res = select(kg_dir, q.text, {"_force": force} if force else None)
    rows = []
    for values in res.rows:
        r = dict(zip(res.vars, values))
        cf = None
        if r.get("cf_index") is not None:
            cf = {"question": r.get("cf_question"), "index": r["cf_index"], "text": r.get("cf_text")}
        rows.append(
            {
                "force": r["force"],
                "earlier_report": r["earlier_report"],
                "later_report": r["later_report"],
                "question": r.get("question"),
                "index": r["index"],
                "text": r["text"],
                "status": r["status"],
                "evidence": r.get("evidence"),
                "evidence_start": r.get("evidence_start"),
                "evidence_end": r.get("evidence_end"),
                "carried_forward_as": cf,
            }
        )
    return rows


def _short(text: Optional[str], n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def format_table(rows: list[dict]) -> str:
    """One block per (force, earlier -> later) pair, one line per area for improvement."""
    if not rows:
        return "no follow-ups: the graph needs two inspections of the same force and pillar\n"
    out: list[str] = []
    pair = None
    for r in rows:
        key = (r["force"], r["earlier_report"], r["later_report"])
        if key != pair:
            if pair is not None:
                out.append("")
            out.append(f"{r['force']}: {r['earlier_report']} -> {r['later_report']}")
            out.append(f"{'afi':<6} {'status':<15} {'carried':<8} {'area for improvement':<50} evidence")
            pair = key
        afi = f"{r['question'] if r['question'] is not None else '-'}.{r['index']}"
        cf = r["carried_forward_as"]
        carried = f"{cf['question'] if cf['question'] is not None else '-'}.{cf['index']}" if cf else ""
        out.append(f"{afi:<6} {r['status']:<15} {carried:<8} {_short(r['text'], 50):<50} {_short(r['evidence'], 60)}".rstrip())
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    out.append("")
    out.append(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f" ({len(rows)} areas for improvement)")
    return "\n".join(out) + "\n"


@main.command("followups")
@click.option("--force", "force", default=None, metavar="NAME", help="Only this force (name or part of it, case-insensitive).")
@format_option(("table", "json"), "table")
@kg_option
def followups_command(force: Optional[str], fmt: str, kg_dir: Path) -> None:
    """Follow-ups of earlier areas for improvement.

    For each area for improvement of a force's earlier inspection: what the next
    inspection of the same pillar says (addressed, improved, not addressed, not
    reassessed), the sentence that says so, and the later area for improvement
    that carries it forward.
    """
    try:
        rows = followup_rows(kg_dir, force)
    except PeelkgError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(rows), nl=False)
