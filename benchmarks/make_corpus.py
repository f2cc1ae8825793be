"""A synthetic corpus of PEEL reports for scale benchmarks.

    .venv/bin/python benchmarks/make_corpus.py N OUTDIR [--seed S]

Writes N plain-text reports made from the two example reports (both layouts:
the 2017 text-from-PDF one and the 2018/19 web-page one), each under another
force (the 43 England & Wales forces, plus invented ones past that), another
inspection year (2014-2023) and PEEL pillar, with varied content: paragraphs
shuffled within sections, a few dropped, named units/operations renamed with
invented names, figures and grades varied. Same N and seed -> same files.

Importable: ``make_corpus(n, out, seed=0) -> list[Path]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_2017 = ROOT / "examples" / "bedfordshire-peel-effectiveness-2017.txt"
EXAMPLE_2018 = ROOT / "examples" / "bedfordshire-peel-2018-19-effectiveness.txt"

# The 43 territorial police forces of England and Wales (public names).
FORCES = [
    "Avon and Somerset Constabulary", "Bedfordshire Police", "Cambridgeshire Constabulary", "Cheshire Constabulary",
    "City of London Police", "Cleveland Police", "Cumbria Constabulary", "Derbyshire Constabulary",
    "Devon and Cornwall Police", "Dorset Police", "Durham Constabulary", "Dyfed-Powys Police", "Essex Police",
    "Gloucestershire Constabulary", "Greater Manchester Police", "Gwent Police", "Hampshire Constabulary",
    "Hertfordshire Constabulary", "Humberside Police", "Kent Police", "Lancashire Constabulary",
    "Leicestershire Police", "Lincolnshire Police", "Merseyside Police", "Metropolitan Police Service",
    "Norfolk Constabulary", "North Wales Police", "North Yorkshire Police", "Northamptonshire Police",
    "Northumbria Police", "Nottinghamshire Police", "South Wales Police", "South Yorkshire Police",
    "Staffordshire Police", "Suffolk Constabulary", "Surrey Police", "Sussex Police", "Thames Valley Police",
    "Warwickshire Police", "West Mercia Police", "West Midlands Police", "West Yorkshire Police", "Wiltshire Police",
]
# Invented syllables for place, unit and operation names no real report uses.
_SYL_A = ["Ash", "Brack", "Carn", "Dun", "East", "Fen", "Glen", "Hol", "Ivy", "Kes", "Lind", "March", "Oak", "Pen", "Rook", "Stan", "Thorn", "Wold"]
_SYL_B = ["ford", "mere", "wick", "dale", "ton", "bury", "field", "haven", "moor", "ley", "combe", "stow"]
_CODE_WORDS = ["Kestrel", "Lantern", "Harbour", "Juniper", "Falcon", "Meridian", "Beacon", "Cobalt", "Aspen", "Quartz",
               "Talon", "Orchid", "Granite", "Saffron", "Willow", "Vector", "Sentinel", "Bramble", "Cinder", "Nimbus"]
_COLOURS = ["Sapphire", "Amber", "Onyx", "Jade", "Ruby", "Opal", "Topaz", "Garnet", "Coral", "Indigo", "Cobalt", "Jet"]
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
PILLARS = ["effectiveness", "efficiency", "legitimacy"]
LAYOUTS = ("2017", "2018")


def _place(rng: random.Random) -> str:
    return rng.choice(_SYL_A) + rng.choice(_SYL_B)


def _area(force: str) -> str:
    area = re.sub(r"\s+(Police Service|Constabulary|Police)$", "", force)
    return "London" if area == "Metropolitan" else area


def _vary_number(m: re.Match, rng: random.Random) -> str:
    raw = m.group(0)
    digits = raw.replace(",", "")
    if "." in digits:
        value = float(digits) * rng.uniform(0.6, 1.5)
        decimals = len(digits.split(".")[1])
        return f"{value:.{decimals}f}"
    value = max(1, round(int(digits) * rng.uniform(0.6, 1.5)))
    return f"{value:,}" if "," in raw else str(value)


# Counts and percentages in prose; not years, not "12 months", not "per 1,000 population".
_NUMBER = re.compile(r"(?<![\w/.,])(?!(?:19|20)\d\d\b)\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w/])|(?<![\w/.,])(?!(?:19|20)\d\d\b)\d+(?:\.\d+)?(?=\s*(?:%|percent|cases|officers|arrests|posts|orders|crimes|investigations|offenders|referrals|warrants|files|detectives|applications|disclosures))")


def _shift_years(text: str, delta: int) -> str:
    return re.sub(r"\b(20[01]\d|202\d)\b", lambda m: str(int(m.group(1)) + delta), text)


def _vary_lines(lines: list[str], rng: random.Random) -> list[str]:
    """Shuffle runs of prose paragraphs between headings; drop a few."""
    out: list[str] = []
    run: list[str] = []

    def flush():
        body = [p for p in run if rng.random() > 0.08 or len(run) < 3]
        rng.shuffle(body)
        for p in body:
            out.extend([p, ""])
        run.clear()

    for line in lines:
        prose = len(line) > 200 and not line.startswith(("-", " ", "\t")) and line[:1].isupper()
        if prose:
            run.append(line)
        elif line.strip() == "" and run:
            continue
        else:
            flush()
            out.append(line)
    flush()
    return out


def make_report(template: str, layout: str, force: str, year: int, pillar: str, rng: random.Random) -> str:
    """One synthetic report from an example's text."""
    text = template
    base_year = 2017 if layout == "2017" else 2018
    text = _shift_years(text, year - base_year)
    area = _area(force)
    names = {}
    for town in ("Luton", "Bedford", "Dunstable"):
        names[town] = _place(rng)
    text = text.replace("Bedfordshire Police", force)
    text = re.sub(r"\bBedfordshire\b", area, text)
    for town, new in names.items():
        text = re.sub(rf"\b{town}\b", new, text)
    # Named units, operations and projects get invented names (one per report).
    colour = rng.choice(_COLOURS)
    text = re.sub(r"\b[Ee]merald team\b", f"{colour} team", text)
    text = re.sub(r"\bEmerald\b", colour, text)
    words = rng.sample(_CODE_WORDS, 6)
    ops: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        key = m.group(2)
        if key not in ops:
            ops[key] = words[len(ops) % len(words)] + ("" if len(ops) < len(words) else str(len(ops)))
        return f"{m.group(1)} {ops[key]}"

    text = re.sub(r"\b(Operation|Project) ([A-Z][a-z]+)\b", rename, text)
    # Pillar in the title lines only (the first 12 lines), so the report is filed under it.
    lines = text.split("\n")
    for k in range(min(12, len(lines))):
        lines[k] = re.sub(r"\b(effectiveness|Effectiveness)\b", lambda m: pillar if m.group(1).islower() else pillar.capitalize(), lines[k])
    # Grades: whole-line labels and the judgments table.
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped in GRADES + ["Ungraded"] and stripped != "Ungraded":
            lines[k] = line.replace(stripped, rng.choice(GRADES))
        elif "\t" in line and any(g in line for g in GRADES):
            g = next(g for g in GRADES if g in line)
            lines[k] = line.replace(g, rng.choice(GRADES), 1)
        elif re.match(r"^Overall \w+ \d{4}\s+", line):
            g = next((g for g in GRADES if line.endswith(g)), None)
            if g:
                lines[k] = line[: -len(g)] + rng.choice(GRADES)
    lines = _vary_lines(lines, rng)
    text = "\n".join(lines)
    text = _NUMBER.sub(lambda m: _vary_number(m, rng), text)
    return text


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def make_corpus(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write n synthetic reports into out (created); return their paths, in order."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    templates = {"2017": EXAMPLE_2017.read_text(encoding="utf-8"), "2018": EXAMPLE_2018.read_text(encoding="utf-8")}
    plan_rng = random.Random(f"plan-{seed}")
    # Every (force, year, pillar) is a distinct report key (the layout is not part
    # of it); shuffled so that each force has reports from several years.
    keys = [(f, y, p) for p in PILLARS for y in range(2014, 2024) for f in FORCES]
    plan_rng.shuffle(keys)
    # Alternate the two layouts, so that even N=2 has one of each.
    combos = [(f, y, LAYOUTS[i % 2], p) for i, (f, y, p) in enumerate(keys)]
    if n > len(combos):
        raise SystemExit(f"make_corpus: at most {len(combos)} distinct reports")
    paths = []
    for i, (force, year, layout, pillar) in enumerate(combos[:n]):
        rng = random.Random(f"{seed}-{i}")
        text = make_report(templates[layout], layout, force, year, pillar, rng)
        name = f"{i:04d}-{_slug(force)}-peel-{year}-{pillar}-{'pdf-text' if layout == '2017' else 'web'}.txt"
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    paths = make_corpus(args.n, args.outdir, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} reports ({size / 1e6:.1f} MB) to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
