"""`thematica anonymise`: find identifiers, replace them, keep the key apart."""

import os
from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app

app = typer_app("Find and replace identifiers.")


@app.command("detect")
def anonymise_detect(
    files: Annotated[list[Path], typer.Argument(help="Transcripts, in any readable format.")],
    names: Annotated[
        Path | None, typer.Option(help="Known names, one a line ('name | LABEL').")
    ] = None,
    recogniser: Annotated[
        list[str] | None, typer.Option(help="Use only these recognisers (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the identifiers found in files, with the placeholder each would get.

    Needs no project: offsets count code points in each file's text as read.
    """
    from thematica.anonymise.gazetteer import aliases, read_names
    from thematica.anonymise.pipeline import detect
    from thematica.anonymise.pseudonyms import Pseudonyms
    from thematica.ingest.readers import read_document

    texts = {str(path): read_document(path).text for path in files}
    known = read_names(names) if names else {}
    found = detect(texts, recogniser, known)
    pseudonyms = Pseudonyms(aliases=aliases(known))
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


@app.command("apply")
def anonymise_apply(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to anonymise (default: all).")
    ] = None,
    key: Annotated[
        Path, typer.Option(help="The encrypted key file (kept outside the project).")
    ] = Path("anonymisation.key"),
    names: Annotated[
        Path | None, typer.Option(help="Known names, one a line ('name | LABEL').")
    ] = None,
    placeholder: Annotated[
        list[str] | None,
        typer.Option(help="A chosen placeholder, WORDS=PLACEHOLDER, e.g. 'Alfie=[my baby]'."),
    ] = None,
) -> None:
    """Replace identifiers in the project's sources; originals go to the encrypted key.

    The passphrase comes from THEMATICA_KEY_PASSPHRASE, or is asked for.
    """
    from thematica.anonymise.apply import anonymise_sources
    from thematica.anonymise.gazetteer import read_names
    from thematica.errors import InvalidInput

    overrides = {}
    for item in placeholder or []:
        words, sep, chosen = item.partition("=")
        if not sep or not words.strip() or not chosen.strip():
            raise InvalidInput(f"--placeholder {item!r} must look like WORDS=PLACEHOLDER")
        overrides[words.strip()] = chosen.strip()
    passphrase = os.environ.get("THEMATICA_KEY_PASSPHRASE") or typer.prompt(
        "Key passphrase", hide_input=True
    )
    report = anonymise_sources(
        get_project(ctx),
        key,
        passphrase,
        sources=sources or None,
        names=read_names(names) if names else None,
        overrides=overrides,
    )
    kinds = ", ".join(f"{n} {label}" for label, n in sorted(report.by_label.items()))
    typer.echo(
        f"Anonymised {plural(report.sources, 'source')}: {plural(report.replaced, 'identifier')}"
        f" replaced ({kinds}); originals are in {key}"
    )
