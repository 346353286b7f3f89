"""`thematica anonymise`: find identifiers, review them, replace them, keep the key apart."""

import os
import re
from pathlib import Path
from typing import Annotated

import typer

from thematica.anonymise.decisions import DECISIONS_FILE
from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app

app = typer_app("Find, review and replace identifiers.")

NamesOption = Annotated[Path | None, typer.Option(help="Known names, one a line ('name | LABEL').")]
RecogniserOption = Annotated[
    list[str] | None, typer.Option(help="Use only these recognisers (repeatable).")
]
DecisionsOption = Annotated[
    Path | None, typer.Option(help="Review decisions (CSV), made with `anonymise review`.")
]
KeyOption = Annotated[Path, typer.Option(help="The encrypted key file (kept outside the project).")]
PlaceholderOption = Annotated[
    list[str] | None,
    typer.Option(help="A chosen placeholder, WORDS=PLACEHOLDER, e.g. 'Alfie=[my baby]'."),
]


def _texts(ctx: typer.Context, files: list[Path] | None) -> dict[str, str]:
    """The texts to work on: the files named, by file name, or the project's sources."""
    if files:
        from thematica.anonymise.apply import read_files

        return read_files(files, "review")
    project = get_project(ctx)
    return {s.name: project.sources.text(s.name) for s in project.sources.list()}


def names_of(path: Path | None) -> dict[str, str]:
    from thematica.anonymise.gazetteer import read_names

    return read_names(path) if path else {}


def decisions_of(path: Path | None, must_exist: bool = True):
    from thematica.anonymise.decisions import Decisions

    if path is None:
        return Decisions()
    return Decisions.load(path, missing_ok=not must_exist)


def passphrase() -> str:
    return os.environ.get("THEMATICA_KEY_PASSPHRASE") or typer.prompt(
        "Key passphrase", hide_input=True
    )


@app.command("detect")
def anonymise_detect(
    files: Annotated[list[Path], typer.Argument(help="Transcripts, in any readable format.")],
    names: NamesOption = None,
    recogniser: RecogniserOption = None,
    decisions: DecisionsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the identifiers found in files, with the placeholder each would get.

    Needs no project: offsets count code points in each file's text as read. With
    --decisions, rejected proposals are left out and accepted words added.
    """
    from thematica.anonymise.apply import find, pseudonyms_for
    from thematica.ingest.readers import read_document

    texts = {str(path): read_document(path).text for path in files}
    known, reviewed = names_of(names), decisions_of(decisions)
    found = reviewed.apply(find(texts, known, recogniser, reviewed))
    pseudonyms = pseudonyms_for(known, reviewed)
    rows = [
        {
            "file": p.source,
            "start": p.start,
            "end": p.end,
            "text": p.text,
            "label": p.label,
            "score": round(p.score, 2),
            "recogniser": p.recogniser,
            "placeholder": pseudonyms.placeholder(p.label, p.text),
        }
        for p in found
    ]
    if as_json:
        print_json(rows)
        return
    table(
        ["file", "span", "text", "label", "score", "recogniser", "placeholder"],
        [
            [Path(r["file"]).name, f"[{r['start']}, {r['end']})", r["text"], r["label"],
             f"{r['score']:.2f}", r["recogniser"], r["placeholder"]]
            for r in rows
        ],
        right={"score"},
    )  # fmt: skip
    typer.echo(f"{plural(len(rows), 'identifier')} in {plural(len(texts), 'file')}")


REVIEW_KEYS = (
    "a accept · r reject · A accept all alike · R reject all alike · "
    "p choose a placeholder · s skip · q save and stop"
)


@app.command("review")
def anonymise_review(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Transcripts to review (default: the project's sources)."),
    ] = None,
    decisions: Annotated[
        Path, typer.Option(help="Where decisions are kept (CSV); re-used on the next run.")
    ] = Path(DECISIONS_FILE),
    names: NamesOption = None,
    recogniser: RecogniserOption = None,
) -> None:
    """Walk the proposed identifiers one by one and decide about each.

    Every answer is saved at once to the decisions file, so stopping (q, or Ctrl-D)
    loses nothing; the next run starts with what is still undecided.
    """
    from thematica.anonymise.review import PLACEHOLDER, Review
    from thematica.errors import NotFound

    review = Review(_texts(ctx, files), decisions, names_of(names), recogniser)
    pending = review.pending()
    typer.echo(f"{plural(len(pending), 'identifier')} to review; {REVIEW_KEYS}")
    counts = {"accept": 0, "reject": 0}
    for number, p in enumerate(pending, start=1):
        try:
            item = review.item_at(p.source, p.start, p.end)
        except NotFound:
            continue  # words accepted everywhere on the way took a longer span in
        if item.status != "pending":
            continue  # decided on the way, with "all alike"
        typer.echo("")
        typer.echo(
            f"[{number}/{len(pending)}] {p.source} [{p.start}, {p.end}) {item.label} "
            f"{p.text!r} -> {item.placeholder}"
            f" ({p.recogniser}, {p.score:.2f}; {plural(item.others, 'other place')})"
        )
        typer.echo(f"  {_context(review.texts[p.source], p.start, p.end)}")
        answer = _ask()
        if answer == "q":
            break
        if answer == "s":
            continue
        chosen = ""
        if answer == PLACEHOLDER:
            chosen = _ask_placeholder(p.text)
            if chosen is None:
                break
        counts[review.decide(p, answer, chosen).verdict] += 1
    left = len(review.pending())
    typer.echo("")
    typer.echo(
        f"{counts['accept']} accepted, {counts['reject']} rejected, {left} left to review; "
        f"decisions are in {decisions}"
    )


def _context(text: str, start: int, end: int, width: int = 70) -> str:
    def flat(words: str) -> str:
        return re.sub(r"\s+", " ", words)

    before, after = flat(text[max(0, start - width) : start]), flat(text[end : end + width])
    return f"...{before}[[{text[start:end]}]]{after}..."


def _ask() -> str:
    """One answer from the reviewer; end of input counts as stop."""
    import click

    while True:
        try:
            answer = typer.prompt("decision", default="a", show_default=True).strip()
        except click.exceptions.Abort:
            typer.echo("")
            return "q"
        if answer in {"a", "r", "A", "R", "p", "s", "q"}:
            return answer
        typer.echo(f"  answer one of: {REVIEW_KEYS}")


def _ask_placeholder(words: str) -> str | None:
    """A placeholder for ``words``, asked again until it is one; None: stop."""
    import click

    from thematica.anonymise.pseudonyms import chosen_placeholder
    from thematica.errors import InvalidInput

    while True:
        try:
            typed = typer.prompt(f"placeholder for {words!r} everywhere, e.g. [my baby]")
        except click.exceptions.Abort:
            return None
        try:
            return chosen_placeholder(typed, words)
        except InvalidInput as error:
            typer.echo(f"  {error}")


@app.command("apply")
def anonymise_apply(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SOURCES|FILES]...",
            help="Sources to anonymise (default: all); with --out, files to copy anonymised.",
        ),
    ] = None,
    key: KeyOption = Path("anonymisation.key"),
    names: NamesOption = None,
    decisions: DecisionsOption = None,
    placeholder: PlaceholderOption = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write anonymised copies of FILES here, as .txt, instead."),
    ] = None,
    recogniser: RecogniserOption = None,
) -> None:
    """Replace identifiers; the originals go to the encrypted key.

    In the project's sources by default (codings and memos move with the text), or, with
    --out, in copies of files. The passphrase comes from THEMATICA_KEY_PASSPHRASE, or is
    asked for.
    """
    from thematica.anonymise.apply import anonymise_files, anonymise_sources
    from thematica.errors import InvalidInput

    options = {
        "names": names_of(names) or None,
        "recognisers": recogniser,
        "overrides": placeholders_of(placeholder),
        "decisions": decisions_of(decisions),
    }
    if out is not None:
        if not targets:
            raise InvalidInput("name the files to anonymise into --out")
        state = ctx.find_root().obj
        report = anonymise_files(targets, out, key, passphrase(), actor=state.user, **options)
        where, noun = f" into {out}", "file"
    else:
        report = anonymise_sources(
            get_project(ctx), key, passphrase(), sources=targets or None, **options
        )
        where, noun = "", "source"
    say_anonymised(report, noun, where, key)


def placeholders_of(given: list[str] | None) -> dict[str, str]:
    """``--placeholder WORDS=PLACEHOLDER`` options as words to placeholder."""
    from thematica.errors import InvalidInput

    overrides = {}
    for item in given or []:
        words, sep, chosen = item.partition("=")
        if not sep or not words.strip() or not chosen.strip():
            raise InvalidInput(f"--placeholder {item!r} must look like WORDS=PLACEHOLDER")
        overrides[words.strip()] = chosen.strip()
    return overrides


def say_anonymised(report, noun: str, where: str, key: Path) -> None:
    kinds = ", ".join(f"{n} {label}" for label, n in sorted(report.by_label.items()))
    typer.echo(
        f"Anonymised {plural(report.sources, noun)}{where}: "
        f"{plural(report.replaced, 'identifier')} replaced ({kinds}); originals are in {key}"
    )


@app.command("reidentify")
def anonymise_reidentify(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name.")],
    key: KeyOption = Path("anonymisation.key"),
    out: Annotated[
        Path | None, typer.Option(help="Write the text to this file instead of printing it.")
    ] = None,
) -> None:
    """Show a source with its original words put back, from the key (audited)."""
    from thematica.anonymise.apply import reidentify
    from thematica.errors import InvalidInput

    if out is not None and out.exists():
        raise InvalidInput(f"{out} already exists; choose another file")
    text = reidentify(get_project(ctx), key, passphrase(), source)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote the re-identified text of {source} to {out}")
