"""`thematica cases`: participants and their attributes."""

from pathlib import Path
from typing import Annotated, Any

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app

app = typer_app("Participants (cases) and their attributes.")


def _parse_types(values: list[str]) -> dict[str, str]:
    from thematica.errors import InvalidInput

    types = {}
    for value in values:
        name, sep, kind = value.partition("=")
        if not sep:
            raise InvalidInput(f"--type {value!r} must look like NAME=TYPE, e.g. age=integer")
        types[name.strip()] = kind.strip()
    return types


@app.command("import")
def cases_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or Excel (.xlsx), one row per participant.")],
    id_column: Annotated[str, typer.Option("--id", help="Column holding the participant id.")],
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="Attribute type, NAME=TYPE or NAME=ordinal:low|mid|high (repeatable).",
        ),
    ] = None,
    source_column: Annotated[
        str | None, typer.Option(help="Column naming each participant's sources (; between).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV.")] = None,
) -> None:
    """Create or update cases from a table; other columns become typed attributes."""
    result = get_project(ctx).cases.import_table(
        file,
        id_column=id_column,
        types=_parse_types(type_ or []),
        encoding=encoding,
        source_column=source_column,
    )
    typer.echo(
        f"Imported {plural(result.created + result.updated, 'case')} "
        f"({result.created} new, {result.updated} updated) with "
        f"{plural(len(result.attributes), 'attribute')}: "
        + ", ".join(f"{a.name} ({a.describe()})" for a in result.attributes)
    )


@app.command("list")
def cases_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the cases with their attributes."""
    project = get_project(ctx)
    cases = project.cases.list()
    if as_json:
        print_json([c.as_dict() for c in cases])
        return
    names = [a.name for a in project.cases.attributes()]
    rows = [
        [c.label, *(_cell(c.attributes.get(n)) for n in names), ", ".join(c.sources)] for c in cases
    ]
    table(["case", *names, "sources"], rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@app.command("show")
def cases_show(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case id or label.")],
    as_json: JsonOption = False,
) -> None:
    """Show one case's attributes and sources."""
    found = get_project(ctx).cases.get(case)
    if as_json:
        print_json(found.as_dict())
        return
    typer.echo(f"{found.label} (id {found.key})")
    for name, value in found.attributes.items():
        typer.echo(f"  {name}: {_cell(value)}")
    typer.echo(f"  sources: {', '.join(found.sources) or '(none)'}")


@app.command("link")
def cases_link(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Case id or label.")] = None,
    source: Annotated[str | None, typer.Argument(help="Source name.")] = None,
    speaker: Annotated[
        str | None, typer.Option(help="Only this speaker's turns are the participant's.")
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(help="Link by source name, e.g. 'interview-(?P<id>\\d+)'."),
    ] = None,
) -> None:
    """Link a case to a source (or to one speaker in it), or link many by a name pattern."""
    from thematica.errors import InvalidInput

    cases = get_project(ctx).cases
    if pattern is not None:
        if case or source or speaker:
            raise InvalidInput("give either CASE SOURCE or --pattern, not both")
        for label, name in cases.link_by_pattern(pattern):
            typer.echo(f"Linked {label} to {name}")
        return
    if not (case and source):
        raise InvalidInput("give CASE and SOURCE, or --pattern")
    cases.link(case, source, speaker=speaker)
    typer.echo(f"Linked {case} to {source}" + (f" (speaker {speaker})" if speaker else ""))


@app.command("withdraw")
def cases_withdraw(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case id or label of the participant.")],
    key: Annotated[
        Path | None,
        typer.Option(help="The anonymisation key file: their identifiers are removed from it."),
    ] = None,
    without_key: Annotated[
        bool, typer.Option(help="Go on without the key of an anonymised source.")
    ] = False,
    include_shared: Annotated[
        bool, typer.Option(help="Also remove sources shared with other participants, whole.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Withdraw a participant: erase their sources, codings, memos, quotes and every
    other trace, for good (it cannot be undone); the log records only that it happened."""
    from thematica.backup import list_backups
    from thematica.cli.anonymise import passphrase as key_passphrase

    project = get_project(ctx)
    found = project.cases.get(case)
    if not yes:
        sources = ", ".join(found.sources) or "no sources"
        typer.confirm(
            f"Erase {found.label} and {sources}, with everything coded, noted and quoted "
            "from them, for good?",
            abort=True,
        )
    done = project.cases.withdraw(
        case,
        key=key,
        passphrase=key_passphrase() if key is not None else None,
        without_key=without_key,
        include_shared=include_shared,
    )
    if as_json:
        print_json(done.as_dict())
        return
    kinds = (("coding", "coding"), ("memo", "memo"), ("exemplar", "quote"))
    parts = [plural(len(done.sources), "source")] + [
        plural(done.removed.get(table, 0), noun) for table, noun in kinds
    ]
    typer.echo(
        f"Withdrew {done.label} (id {done.case}): removed {', '.join(parts)} "
        f"({plural(sum(done.removed.values()), 'row')} in all)."
    )
    if done.key_entries is not None:
        typer.echo(f"Removed {plural(done.key_entries, 'identifier')} from the key {key}.")
    typer.echo(
        f"Logged as event {done.event}, without content; "
        f"{plural(done.events_erased, 'earlier event')} lost their details. "
        "This cannot be undone."
    )
    if not done.wiped:
        typer.echo(
            "Warning: another program has the project open, so deleted text may remain "
            "in its write-ahead log until that program closes it.",
            err=True,
        )
    for place in done.still_named:
        typer.echo(f"Note: {place} still names {done.label}; reword it if it says more.", err=True)
    older = list_backups(project)
    if older:
        typer.echo(
            f"Note: {plural(len(older), 'backup')} made before this still hold their words; "
            "`thematica backup --keep 1` replaces them with one made now.",
            err=True,
        )
