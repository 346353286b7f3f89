"""Carry the parent-infant demo study from raw files to a project and a summary.

Run with ``make demo``. Every step goes through Thematica's public Python API, in the
order a study runs. Steps whose features have not landed yet say so and are skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import thematica

HERE = Path(__file__).resolve().parent
LAYERS = ("Hannah", "Dev", "consensus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("--quiet", action="store_true", help="No progress bar.")
    args = parser.parse_args(argv)
    console = Console(stderr=True, quiet=args.quiet, soft_wrap=True)
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "parent-infant-study.thematica"
    for leftover in args.out.glob(path.name + "*"):
        leftover.unlink()

    steps = [
        ("Create the project", lambda: create(path)),
        ("Import participants", lambda: import_cases(project)),
        ("Import transcripts", lambda: import_sources(project)),
        (
            "Find identifiers for review",
            lambda: propose_identifiers(project, args.out / "identifier-proposals.csv"),
        ),
        ("Import the codebook", lambda: project.codes.import_file(HERE / "codebook.yaml")),
        ("Import codings (3 layers)", lambda: import_codings(project)),
        ("Structural coding by guide", lambda: structural_coding(project)),
        ("Write the reflexive journal", lambda: import_journal(project)),
        ("Compute agreement", None),
        ("Write the summary", lambda: write_summary(project, args.out / "summary.md")),
    ]
    done: list[str] = []
    project = None
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(steps))
        for description, step in steps:
            progress.update(task, description=description)
            if step is None:
                done.append(f"  - {description}: skipped (not available yet)")
            else:
                result = step()
                if description == "Create the project":
                    project = result
                done.append(f"  - {description}: done")
            progress.advance(task)
    project.close()
    console.print("\n".join(done))
    console.print(
        f"\nThe demo study is in [bold]{args.out}/[/] "
        f"({time.perf_counter() - started:.1f} s):\n"
        f"  project  {path}\n"
        f"  summary  {args.out / 'summary.md'}\n"
        f"  identifiers proposed for review  {args.out / 'identifier-proposals.csv'}\n\n"
        f"Try:  thematica -p {path} segments 'Feeling mothered' --coder Hannah"
    )
    return 0


def create(path: Path) -> thematica.Project:
    return thematica.create_project(
        path, name="Parent-infant team study", participant_label="Mother {id}", actor="Hannah"
    )


def propose_identifiers(project: thematica.Project, out: Path) -> None:
    """List what the anonymiser finds, for review. Replacing them waits for the review
    step and its decisions (issue 5), so the demo goes on with the raw text."""
    import csv

    from thematica.anonymise.pipeline import detect

    texts = {s.name: project.sources.text(s.name) for s in project.sources.list()}
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "start", "end", "text", "label", "score", "recogniser"])
        for p in detect(texts):
            writer.writerow([p.source, p.start, p.end, p.text, p.label, p.score, p.recogniser])


def import_cases(project: thematica.Project) -> None:
    education = "No formal qualifications|GCSEs|Vocational (NVQ)|A levels|Degree|Postgraduate"
    project.cases.import_table(
        HERE / "participants.csv",
        id_column="id",
        types={"highest_education": f"ordinal:{education}"},
    )


def import_sources(project: thematica.Project) -> None:
    project.sources.add_files([HERE / "raw"])
    project.cases.link_by_pattern(r"interview-(?P<id>\d+)")


def import_codings(project: thematica.Project) -> None:
    for layer in LAYERS:
        project.codings.import_csv(HERE / "coding" / f"codings-{layer.lower()}.csv")


def structural_coding(project: thematica.Project) -> None:
    project.codings.code_by_guide(HERE / "interview-guide.txt", coder="structural")


def import_journal(project: thematica.Project) -> None:
    entries = yaml.safe_load((HERE / "journal.yaml").read_text(encoding="utf-8"))["entries"]
    for entry in entries:
        project.memos.add(
            entry["text"],
            title=entry["title"],
            author=entry["author"],
            created=f"{entry['date']}T09:00:00.000+00:00",
        )


def write_summary(project: thematica.Project, path: Path) -> None:
    """A plain Markdown summary of the study until the report renderer lands."""
    cases = project.cases.list()
    sources = project.sources.list()
    codes = project.codes.list()
    themes = yaml.safe_load((HERE / "coding" / "themes.yaml").read_text(encoding="utf-8"))
    lines = [
        "# Parent-infant team study: summary",
        "",
        "Fiction written for Thematica's demo (see examples/parent-infant-study/README.md).",
        "",
        "## Participants",
        "",
        f"{len(cases)} mothers; ages {min(c.attributes['age'] for c in cases)} to "
        f"{max(c.attributes['age'] for c in cases)} "
        f"(mean {sum(c.attributes['age'] for c in cases) / len(cases):.1f}).",
        "",
        "| Diagnosis | n |",
        "| --- | --- |",
    ]
    diagnoses = Counter(c.attributes["primary_diagnosis"] for c in cases)
    lines += [f"| {name} | {count} |" for name, count in diagnoses.most_common()]
    words = sum(s.words for s in sources)
    lines += [
        "",
        "## Data",
        "",
        f"{len(sources)} transcripts, {words:,} words; {len(codes)} codes; "
        + ", ".join(
            f"{len(project.codings.list(coder_name=layer))} codings by {layer}" for layer in LAYERS
        )
        + ".",
        "",
        "## Candidate themes",
        "",
    ]
    for theme in themes["themes"]:
        names = list(theme.get("codes", []))
        for sub in theme.get("subthemes", []):
            names += sub.get("codes", [])
        segments = [s for name in names for s in project.segments(name, coder="Hannah")]
        voices = {s.case for s in segments if s.case}
        kind = " (contextual)" if theme.get("contextual") else ""
        lines += [
            f"### {theme['name']}{kind}",
            "",
            " ".join(theme["definition"].split()),
            "",
            f"Drawn from {len(voices)} of {len(cases)} participants "
            f"({len(segments)} coded segments).",
            "",
        ]
        lines += [f"- {sub['name']}" for sub in theme.get("subthemes", [])]
        if segments:
            quote = max(segments, key=lambda s: len(s.text) if len(s.text) < 300 else 0)
            lines += ["", f"> {' '.join(quote.text.split())} [{quote.case}]"]
        lines.append("")
    journal = project.memos.journal()
    lines += ["## Reflexive journal", ""]
    lines += [f"- {m.created[:10]}, {m.author}: {m.title}" for m in journal]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
