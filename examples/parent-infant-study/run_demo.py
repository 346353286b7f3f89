"""Carry the parent-infant demo study from raw files to a project and a summary.

Run with ``make demo``. Every step goes through Thematica's public Python API, in the
order a study runs. Steps whose features have not landed yet say so and are skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from functools import reduce
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import thematica
from thematica.agreement import consensus, double_coding
from thematica.agreement.compare import compare, disagreements, export_disagreements
from thematica.report.render import write_report
from thematica.report.results import build_report

HERE = Path(__file__).resolve().parent
CODERS = ("Hannah", "Dev")
LAYERS = (*CODERS, "consensus")
# Only for the fictional demo: a real key's passphrase is never written down.
DEMO_PASSPHRASE = "demo only: parent-infant study key"
# The same for the team's log-in: a real password is typed at a prompt.
DEMO_TEAM_PASSWORD = "demo only: team password"


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
        ("Give the team its accounts", lambda: team_accounts(project)),
        ("Import participants", lambda: import_cases(project)),
        ("Import transcripts", lambda: import_sources(project)),
        ("Import the codebook", lambda: project.codes.import_file(HERE / "codebook.yaml")),
        ("Import codings (2 coders)", lambda: import_codings(project)),
        ("Structural coding by guide", lambda: structural_coding(project)),
        ("Write the reflexive journal", lambda: import_journal(project)),
        ("Compute agreement", lambda: compute_agreement(project, args.out)),
        ("Resolve disagreements", lambda: reach_consensus(project)),
        ("Anonymise the transcripts", lambda: anonymise(project, args.out)),
        ("Build themes and choose quotes", lambda: build_themes(project)),
        ("Write the summary", lambda: write_summary(project, args.out / "summary.md")),
        ("Write the report (md, html, docx)", lambda: write_reports(project, args.out)),
        ("Suggest passages for one code", lambda: suggest_passages(project)),
        ("Transcribe a pilot recording", lambda: transcribe_recording(args.out / "recording")),
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
                done.append(f"  - {description}: {result if isinstance(result, str) else 'done'}")
            progress.advance(task)
    project.close()
    console.print("\n".join(done))
    console.print(
        f"\nThe demo study is in [bold]{args.out}/[/] "
        f"({time.perf_counter() - started:.1f} s):\n"
        f"  project  {path}\n"
        f"  summary  {args.out / 'summary.md'}\n"
        f"  report  {args.out / 'report.html'}, {args.out / 'report.docx'}, "
        f"{args.out / 'report.md'}\n"
        f"  agreement  {args.out / 'agreement.json'}, {args.out / 'disagreements.html'}\n"
        f"  anonymisation key  {args.out / 'parent-infant-study.key'} "
        f"(passphrase: {DEMO_PASSPHRASE!r})\n\n"
        f"Try:  thematica -p {path} segments 'Feeling mothered' --coder Hannah"
    )
    return 0


def create(path: Path) -> thematica.Project:
    return thematica.create_project(
        path, name="Parent-infant team study", participant_label="Mother {id}", actor="Hannah"
    )


def team_accounts(project: thematica.Project) -> str:
    """Hannah leads and Dev codes, as on a team server (`thematica serve --team`), whose
    accounts live in the project: first, since changes to accounts are not undone."""
    try:
        from thematica.team import accounts
    except ImportError:
        return "skipped; to add it: pip install 'thematica[team]'"
    for name, role in (("Hannah", "lead"), ("Dev", "coder")):
        accounts.add_user(project, name, DEMO_TEAM_PASSWORD, role=role)
    return (
        "Hannah (lead) and Dev (coder); try `thematica serve --team` on the project, "
        f"password {DEMO_TEAM_PASSWORD!r}"
    )


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
    for coder in CODERS:
        project.codings.import_csv(HERE / "coding" / f"codings-{coder.lower()}.csv")
    # Dev coded three transcripts independently: those are the double-coded ones.
    doubled = sorted({c.source for c in project.codings.list(coder_name="Dev")})
    double_coding.pick(project, doubled)


def compute_agreement(project: thematica.Project, out: Path) -> None:
    results = {
        unit: compare(project, list(CODERS), unit=unit).as_dict() for unit in ("turn", "char")
    }
    (out / "agreement.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    export_disagreements(
        disagreements(project, list(CODERS)), list(CODERS), out / "disagreements.html"
    )


def reach_consensus(project: thematica.Project) -> Counter:
    """Resolve every disagreement the way the team did: ``coding/codings-consensus.csv``
    records the codings they agreed, so each item takes whichever way gives them."""
    from thematica.text.quote import find_quote

    consensus.start(project, list(CODERS))
    agreed: dict[tuple[str, str], list[tuple[int, int]]] = {}
    with (HERE / "coding" / "codings-consensus.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = project.sources.text(row["source"])
            span = find_quote(text, row["quote"], row["prefix"] or "", row["suffix"] or "")
            code = project.codes.get(row["code"]).path
            agreed.setdefault((row["source"], code), []).append((span.start, span.end))
    outcomes: Counter = Counter()
    for item in consensus.items(project, status="open"):
        wanted = sorted(
            (max(s, item.start), min(e, item.end))
            for s, e in agreed.get((item.source, item.code), [])
            if s < item.end and e > item.start
        )
        how, coder, span = _resolution(item, wanted)
        consensus.resolve(project, item.id, how, coder, span)
        outcomes[how if how != "take" else f"take {coder}"] += 1
    return outcomes


def _resolution(item, wanted):
    from thematica.text.span import Span, intersection, union

    parts = {name: [Span(*s) for s in spans] for name, spans in item.spans.items()}
    as_spans = [Span(*s) for s in wanted]
    for name in item.coders:
        if parts[name] == as_spans:
            return "take", name, None
    if union(s for spans in parts.values() for s in spans) == as_spans:
        return "union", None, None
    if reduce(intersection, parts.values()) == as_spans:
        return "intersection", None, None
    if not wanted:
        return "drop", None, None
    return "edit", None, wanted


def anonymise(project: thematica.Project, out: Path) -> None:
    """Replace the identifiers with the reviewed decisions shipped beside the transcripts;
    the codings, memos and consensus move with the text."""
    from thematica.anonymise.apply import anonymise_sources
    from thematica.anonymise.decisions import Decisions
    from thematica.anonymise.gazetteer import read_names
    from thematica.anonymise.vault import KeyVault

    key = out / "parent-infant-study.key"
    key.unlink(missing_ok=True)
    KeyVault.create(key, DEMO_PASSPHRASE).save()
    anonymise_sources(
        project,
        key,
        DEMO_PASSPHRASE,
        names=read_names(HERE / "names.txt"),
        decisions=Decisions.load(HERE / "raw" / "anonymisation-decisions.csv", missing_ok=False),
    )


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


def build_themes(project: thematica.Project) -> None:
    """The themes the team developed, and for each theme and subtheme an exemplar quote:
    a participant's coded answer of quotable length, from a woman not yet quoted."""
    project.themes.import_file(HERE / "coding" / "themes.yaml")
    project.themes.set_wording(noun="woman/women")
    quoted: set[str] = set()
    for theme in project.themes.list():
        candidates = [
            segment
            for code in theme.codes
            for segment in project.segments(code, coder="Hannah", context=0)
            if segment.role == "participant" and 80 <= len(segment.text) <= 320
        ]
        candidates.sort(
            key=lambda s: (s.case in quoted, not s.text[:1].isupper(), -len(s.text), s.source)
        )
        if candidates:
            project.themes.add_quote(theme.path, candidates[0].coding)
            quoted.add(candidates[0].case)
    project.themes.set_phase(6)


def write_reports(project: thematica.Project, out: Path) -> None:
    report = build_report(project, coder="Hannah", spec=HERE / "table1.toml")
    for suffix in ("md", "html", "docx"):
        write_report(report, out / f"report.{suffix}")


def transcribe_recording(out: Path) -> str:
    """Speak the pilot interview in ``recording-script.txt`` with two espeak-ng voices and
    transcribe it into a draft, when transcription and espeak-ng are installed; the draft
    is left to correct and confirm, outside the study's project."""
    from thematica.transcribe import INSTALL, extra_installed
    from thematica.transcribe.synthetic import missing_programs, read_script, synthesise

    missing = missing_programs()
    if not extra_installed() or missing:
        needs = [INSTALL] + ([f"apt-get install {' '.join(missing)}"] if missing else [])
        return f"skipped; to add it: {' and '.join(needs)}"
    from thematica.transcribe.pipeline import Transcriber

    out.mkdir(exist_ok=True)
    recording = out / "pilot-interview.wav"
    recording.with_suffix(".vtt").unlink(missing_ok=True)  # the last run's draft
    synthesise(read_script(HERE / "recording-script.txt"), recording)
    transcript = Transcriber("tiny.en").transcribe(recording)
    return (
        f"{out / 'pilot-interview.vtt'} ({len(transcript.phrases)} phrases, "
        f"{transcript.duration:.0f} s); confirm with `thematica transcript confirm`"
    )


def suggest_passages(project: thematica.Project) -> str:
    """Participant turns most like Hannah's "Feeling mothered" segments and not coded with
    it, by the default local model, when the assist extra is installed. Nothing is coded:
    accepting one is the researcher's `thematica assist accept`."""
    from thematica.assist.extra import INSTALL, installed

    if not installed():
        return f"skipped; to add it: {INSTALL}"
    found = project.assist.similar(code="Feeling mothered", coder="Hannah", limit=3)
    best = found.passages[0]
    words = " ".join(best.text.split()[:12])
    return (
        f"{len(found.passages)} turns like {found.code.split('/')[-1]} ({found.model}), best "
        f'{best.score:.2f} [{best.case}] "{words}..."; try `thematica assist similar`'
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
    lines += ["## Double coding and agreement", ""]
    doubled = double_coding.picked(project)
    lines += [
        f"{' and '.join(CODERS)} both coded {len(doubled)} transcripts "
        f"({', '.join(p.source for p in doubled)}; picked {doubled[0].method}).",
        "",
        "| unit | agreement | kappa | Krippendorff's alpha | prevalence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for unit in ("turn", "char"):
        result = compare(project, list(CODERS), unit=unit)
        o = result.overall
        lines.append(
            f"| {result.unit_name} | {o.percent:.1%} | {o.kappa:.2f} ({result.kappa_name}) "
            f"| {o.alpha:.2f} | {o.prevalence:.3f} |"
        )
    state = consensus.progress(project)
    lines += [
        "",
        f"{state.total} disagreements were discussed and resolved into the consensus layer "
        f"({state.resolved} resolved, {state.remaining} open).",
        "",
    ]
    journal = project.memos.journal()
    lines += ["## Reflexive journal", ""]
    lines += [f"- {m.created[:10]}, {m.author}: {m.title}" for m in journal]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
