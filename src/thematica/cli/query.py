"""`thematica query` (coding queries, text search, word frequencies, saved queries) and
`thematica matrix`."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thematica.cli.coding import _head, _tail
from thematica.cli.common import (
    JsonOption,
    console,
    escape,
    get_project,
    plural,
    print_json,
    table,
    typer_app,
)
from thematica.cli.filtering import Filters, grouped

if TYPE_CHECKING:
    from thematica.query.coding import CodingResult

query = typer_app("Ask the coded data questions: coding queries, text search, word counts.")
matrix = typer_app("Codes by participants, by attribute values, or by codes (co-occurrence).")

Export = Annotated[
    Path | None, typer.Option("--export", help="Also write the result: .csv, .xlsx, .md, .docx.")
]
Save = Annotated[
    str | None, typer.Option("--save", help="Save the query under this name instead of running it.")
]
Describe = Annotated[str, typer.Option("--description", help="What a saved query is for.")]
Children = Annotated[bool, typer.Option(help="Each code stands for itself and its sub-codes.")]
Codes = Annotated[
    list[str] | None, typer.Option("--code", help="A row's code (repeatable; default all).")
]
Count = Annotated[
    str, typer.Option(help="codings, sources, participants, or segments (the passages).")
]


@dataclass(frozen=True)
class Output:
    """The options every query command that answers takes last: write the answer to a
    file, save the query instead of running it, print JSON."""

    export: Export = None
    save: Save = None
    description: Describe = ""
    as_json: JsonOption = False


@query.command("coding")
@grouped
def coding(
    ctx: typer.Context,
    expression: Annotated[
        str, typer.Argument(metavar="QUERY", help='E.g. \'"Warmth" AND NOT "Feeling judged"\'.')
    ],
    children: Children = False,
    context: Annotated[int, typer.Option(help="Characters of context each side.")] = 120,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """Passages where codes meet: AND, OR, NOT, NEAR n, PRECEDES [n], WITHIN TURN."""
    options = {"children": children, "context": context}
    _answer(ctx, "coding", expression, options, filters, output, _print_passages)


@query.command("search")
@grouped
def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar="SEARCH", help="E.g. '\"social worker\" OR NEAR(health visitor, 3)'."
        ),
    ],
    context: Annotated[int, typer.Option(help="Characters of context each side.")] = 60,
    width: Annotated[int, typer.Option(help="Characters of context shown each side.")] = 40,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """Find words, "phrases", prefix* and NEAR(a b, n): keyword in context."""
    show = partial(_print_kwic, width=width)
    _answer(ctx, "search", text, {"context": context}, filters, output, show)


@query.command("code-hits")
@grouped
def code_hits(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="SEARCH", help="The search whose hits to code.")],
    code: Annotated[str, typer.Option("--code", help="Code to apply (name or path).")],
    unit: Annotated[
        str, typer.Option(help="What to code: the matched words, their sentence or their turn.")
    ] = "words",
    as_coder: Annotated[
        str | None, typer.Option("--as", help="Coder layer for the codings (default: --user).")
    ] = None,
    *,
    filters: Filters,
) -> None:
    """Code every hit of a search, in one change (undo takes it back whole)."""
    only = filters.filter()
    added = get_project(ctx).query.code_hits(text, code, unit, only, as_coder)
    typer.echo(f"Coded {plural(added, unit if unit != 'words' else 'hit')} as {code}")


@query.command("words")
@grouped
def words(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(help="How many words to list.")] = 30,
    stop_words: Annotated[
        bool, typer.Option(help="Leave out English stop words (the, and, she...).")
    ] = True,
    min_length: Annotated[int, typer.Option(help="Shortest word counted.")] = 2,
    ignore: Annotated[
        list[str] | None, typer.Option(help="A word to leave out too (repeatable).")
    ] = None,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """The most frequent words in the filtered text."""
    options: dict[str, Any] = {
        "top": top,
        "stop_words": stop_words,
        "min_length": min_length,
        "ignore": list(ignore or []),
    }
    _answer(ctx, "words", "", options, filters, output, _print_words)


@query.command("saved")
def saved(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the saved queries."""
    found = get_project(ctx).query.saved()
    if as_json:
        print_json([q.as_dict() for q in found])
        return
    rows = [[q.name, q.kind, q.query or _options(q.options), _filter(q.filter)] for q in found]
    table(["name", "kind", "query", "filter"], rows)


@query.command("run")
def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A saved query's name.")],
    width: Annotated[int, typer.Option(help="Search: characters of context shown.")] = 40,
    export: Export = None,
    as_json: JsonOption = False,
) -> None:
    """Run a saved query again, on the project as it is now."""
    _check_export(export)
    result = get_project(ctx).query.run(name)
    if hasattr(result, "passages"):
        show: Callable[[Any], None] = _print_passages
    elif hasattr(result, "hits"):
        show = partial(_print_kwic, width=width)
    elif hasattr(result, "words"):
        show = _print_words
    else:
        show = _print_matrix
    _show(result, show, export, as_json)


@query.command("forget")
def forget(ctx: typer.Context, name: Annotated[str, typer.Argument(help="A saved query.")]) -> None:
    """Delete a saved query (undo brings it back)."""
    found = get_project(ctx).query.forget(name)
    typer.echo(f"Forgot saved {found.kind} query {found.name!r}")


@matrix.command("cases")
@grouped
def matrix_cases(
    ctx: typer.Context,
    code: Codes = None,
    count: Count = "codings",
    children: Children = False,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """Codes by participants."""
    _matrix(ctx, "case", code, count, children, filters, output)


@matrix.command("attribute")
@grouped
def matrix_attribute(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ATTRIBUTE", help="A participant attribute.")],
    code: Codes = None,
    count: Count = "codings",
    children: Children = False,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """Codes by the values of a participant attribute."""
    _matrix(ctx, f"attribute:{name}", code, count, children, filters, output)


@matrix.command("cooccurrence")
@grouped
def matrix_cooccurrence(
    ctx: typer.Context,
    code: Codes = None,
    by: Annotated[
        str, typer.Option(help="overlap (codings overlap) or turn (in one speaker turn).")
    ] = "overlap",
    count: Count = "codings",
    children: Children = False,
    *,
    filters: Filters,
    output: Output,
) -> None:
    """Codes by codes: where two codes overlap, or share a speaker turn."""
    if by not in ("overlap", "turn"):
        from thematica.errors import InvalidInput

        raise InvalidInput(f"--by {by!r}: use overlap or turn")
    _matrix(ctx, by, code, count, children, filters, output)


def _matrix(
    ctx: typer.Context,
    by: str,
    codes: list[str] | None,
    count: str,
    children: bool,
    filters: Filters,
    output: Output,
) -> None:
    options = {"codes": codes or None, "by": by, "count": count, "children": children}
    _answer(ctx, "matrix", "", options, filters, output, _print_matrix)


def _answer(
    ctx: typer.Context,
    kind: str,
    text: str,
    options: dict[str, Any],
    filters: Filters,
    output: Output,
    show: Callable[[Any], None],
) -> None:
    """Save the query (``--save``), or run it, print what it finds (with ``show``, or as
    JSON) and write that to the ``--export`` file."""
    project = get_project(ctx)
    only = filters.filter()
    _check_export(output.export)
    if output.save:
        found = project.query.save(output.save, kind, text, only, output.description, **options)
        typer.echo(
            f"Saved {found.kind} query {found.name!r}; run it with: "
            f"thematica query run {found.name!r}"
        )
        return
    result = project.query.ask(kind, text, only, **options)
    _show(result, show, output.export, output.as_json)


# -- printing -------------------------------------------------------------------------------


def _print_passages(result: "CodingResult") -> None:
    from thematica.text.clock import clock

    out = console()
    for p in result.passages:
        who = "".join(f" · {c}" for c in p.cases)
        if p.time is not None:
            who += f" · {clock(p.time)}"
        codes = f" · {'; '.join(p.codes)}" if p.codes else ""
        out.print(f"[bold]{escape(p.source)}[/] [{p.start}, {p.end}){escape(who + codes)}")
        before, after = escape(_tail(p.before)), escape(_head(p.after))
        out.print(f"  [dim]...{before}[/]{escape(' '.join(p.text.split()))}[dim]{after}...[/]")
        out.print()
    typer.echo(
        f"{plural(len(result.passages), 'passage')} in {plural(result.sources, 'source')} "
        f"from {plural(result.cases, 'participant')}"
    )


def _print_kwic(result: Any, width: int) -> None:
    lines = result.kwic(width)
    names = [f"{h.source} [{h.start}]" for h in result.hits]
    size = max((len(n) for n in names), default=0)
    for name, (left, words, right) in zip(names, lines, strict=True):
        typer.echo(f"{name:<{size}}  {left:>{width}}[{words}]{right}".rstrip())
    typer.echo(f"{plural(len(result.hits), 'hit')} in {plural(result.sources, 'source')}")


def _print_words(result: Any) -> None:
    header = ["word", "count", "sources", "participants"]
    rows = [[w.word, w.count, w.sources, w.cases] for w in result.words]
    table(header, rows, right=set(header[1:]))
    typer.echo(f"{plural(result.total, 'word')} counted")


def _print_matrix(result: Any) -> None:
    header, rows = result.table()
    if result.count == "segments":
        rows = [[r[0], *(len(result.cell(r[0], c)) for c in result.columns)] for r in rows]
        typer.echo("(passages per cell; --json or --export for their text)")
    table(header, rows, right=set(header[1:]))


def _check_export(path: Path | None) -> None:
    """Refuse a file that cannot be written before the query runs, not after."""
    if path is not None:
        from thematica.query.export import checked

        checked(path)


def _show(result: Any, show: Callable[[Any], None], path: Path | None, as_json: bool) -> None:
    """Print ``result`` (as JSON, or with ``show``) and write it to ``path``, if given."""
    if as_json:
        print_json(result.as_dict())
    else:
        show(result)
    if path is not None:
        written = result.save(path)
        if not as_json:
            typer.echo(f"Wrote {written}")


def _options(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items() if v not in (None, [], False))


def _filter(only: Any) -> str:
    return "; ".join(f"{k}={v}" for k, v in only.as_dict().items())
