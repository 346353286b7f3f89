"""Assisted coding: `thematica assist similar|suggest|clusters|accept|build-model|models`."""

from typing import Annotated

import typer

from thematica.cli.common import (
    JsonOption,
    get_project,
    plural,
    print_json,
    short,
    table,
    typer_app,
)

app = typer_app(
    "Assisted coding with local models: similar passages, code suggestions, groups of "
    "uncoded turns. Proposes only: a coding is made when you accept one."
)

ModelOption = Annotated[
    str | None,
    typer.Option(help="Model name or folder (default: the project's assist.model, else the "
                 "registry's default; see `thematica assist models`)."),
]  # fmt: skip
LayerOption = Annotated[
    str | None, typer.Option("--coder", help="Only this coder's codings (default: everyone's).")
]
UnitOption = Annotated[str, typer.Option(help="Passages: turn or sentence.")]
RoleOption = Annotated[
    list[str] | None,
    typer.Option("--role", help="Speakers' roles to include (repeatable; default participant)."),
]
StartOption = Annotated[int | None, typer.Option(help="Start offset (characters).")]
EndOption = Annotated[int | None, typer.Option(help="End offset, exclusive.")]
QuoteOption = Annotated[str | None, typer.Option(help="The exact words, instead of offsets.")]
PrefixOption = Annotated[str, typer.Option(help="Words just before the quote.")]
SuffixOption = Annotated[str, typer.Option(help="Words just after the quote.")]


def _span(ctx, source, start, end, quote, prefix, suffix) -> tuple[int, int]:
    """The selection's offsets, given as offsets or found by quote."""
    from thematica.errors import InvalidInput
    from thematica.text import find_quote

    if quote is not None:
        if start is not None or end is not None:
            raise InvalidInput("give either --start/--end or --quote, not both")
        text = get_project(ctx).sources.text(source)
        found = find_quote(text, quote, prefix, suffix, where=source)
        return found.start, found.end
    if start is None or end is None:
        raise InvalidInput("give --start and --end, or --quote")
    return start, end


def _quoted(path: str) -> str:
    return f'"{path}"' if " " in path else path


@app.command()
def similar(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Option(help="Passages like this code's segments.")] = None,
    coding: Annotated[int | None, typer.Option(help="Passages like this one coding.")] = None,
    model: ModelOption = None,
    coder: LayerOption = None,
    unit: UnitOption = "turn",
    role: RoleOption = None,
    limit: Annotated[int, typer.Option(help="How many passages.")] = 10,
    context: Annotated[int, typer.Option(help="Characters of context each side (JSON).")] = 80,
    as_json: JsonOption = False,
) -> None:
    """Passages most like a code's segments, or one coding, that are not coded with it."""
    roles = tuple(role or ("participant",))
    found = get_project(ctx).assist.similar(
        code, coding, model=model, coder=coder, unit=unit, roles=roles, limit=limit,
        context=context,
    )  # fmt: skip
    if as_json:
        print_json(found.as_dict())
        return
    like = f"coding {coding}" if coding is not None else plural(found.segments, "segment")
    typer.echo(
        f"{' and '.join(roles).capitalize()} {unit}s most like {found.code} ({like}; model "
        f"{found.model}), not coded with it:"
    )
    for rank, p in enumerate(found.passages, start=1):
        who = f" · {p.case}" if p.case else ""
        typer.echo(f"\n{rank}. {p.score:.3f}  {p.source} [{p.start}, {p.end}){who}")
        typer.echo(f"   {short(p.text, 160)}")
        typer.echo(f"   like coding {p.like}: {short(p.like_text, 100)}")
    extra = f" --like {coding}" if coding is not None else ""
    typer.echo(
        f"\nAccept one: thematica assist accept SOURCE --start START --end END "
        f"--code {_quoted(found.code)}{extra}"
    )


@app.command()
def suggest(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name.")],
    start: StartOption = None,
    end: EndOption = None,
    quote: QuoteOption = None,
    prefix: PrefixOption = "",
    suffix: SuffixOption = "",
    model: ModelOption = None,
    coder: LayerOption = None,
    limit: Annotated[int, typer.Option(help="How many codes.")] = 3,
    as_json: JsonOption = False,
) -> None:
    """Codes for a selection: its nearest coded segments and code descriptions vote."""
    begin, finish = _span(ctx, source, start, end, quote, prefix, suffix)
    found = get_project(ctx).assist.suggest(
        source, begin, finish, model=model, coder=coder, limit=limit
    )
    if as_json:
        print_json([s.as_dict() for s in found])
        return
    typer.echo(f"Codes for {source} [{begin}, {finish}):")
    for rank, suggestion in enumerate(found, start=1):
        typer.echo(f"\n{rank}. {suggestion.code}  (votes {suggestion.score:.2f})")
        if suggestion.description is not None:
            typer.echo(f"   {suggestion.description:.3f}  its description")
        for s in suggestion.segments:
            who = f" · {s.case}" if s.case else ""
            typer.echo(f"   {s.score:.3f}  coding {s.coding}, {s.source}{who}: {short(s.text, 80)}")


@app.command()
def clusters(
    ctx: typer.Context,
    groups: Annotated[
        int | None, typer.Option(help="How many groups (default: one per 50 passages).")
    ] = None,
    model: ModelOption = None,
    coder: LayerOption = None,
    unit: UnitOption = "turn",
    role: RoleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Uncoded passages in groups with keywords: prompts to read, never codes."""
    roles = tuple(role or ("participant",))
    found = get_project(ctx).assist.clusters(
        model=model, coder=coder, groups=groups, unit=unit, roles=roles
    )
    if as_json:
        print_json([c.as_dict() for c in found])
        return
    whose = f" by {coder}" if coder else ""
    total = sum(c.size for c in found)
    typer.echo(
        f"{plural(total, f'{unit}')} not coded{whose}, in {len(found)} groups. Prompts to "
        "read, not codes: add a code yourself if one fits."
    )
    for rank, c in enumerate(found, start=1):
        typer.echo(
            f"\n{rank}. {', '.join(c.keywords)}  ({plural(c.size, unit)}, "
            f"{plural(c.participants, 'participant')})"
        )
        for p in c.examples:
            who = f" [{p.case}]" if p.case else f" [{p.source}]"
            typer.echo(f"   {short(p.text, 110)}{who}")


@app.command()
def accept(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name.")],
    code: Annotated[str, typer.Option(help="The code to code the passage with.")],
    start: StartOption = None,
    end: EndOption = None,
    quote: QuoteOption = None,
    prefix: PrefixOption = "",
    suffix: SuffixOption = "",
    like: Annotated[
        int | None, typer.Option(help="The coding it was found from (similar --coding).")
    ] = None,
    model: ModelOption = None,
    coder: Annotated[str | None, typer.Option(help="Who codes it (default: --user).")] = None,
    layer: Annotated[
        str | None, typer.Option(help="The coder whose segments it was compared with.")
    ] = None,
) -> None:
    """Accept a suggested passage: code it, as you, and record the suggestion."""
    begin, finish = _span(ctx, source, start, end, quote, prefix, suffix)
    made = get_project(ctx).assist.accept(
        source, begin, finish, code, like=like, model=model, coder=coder, layer=layer
    )
    c = made.coding
    typer.echo(
        f"Coded {c.source} [{c.start}, {c.end}) as {c.code} by {c.coder} (coding {c.id}; "
        f"suggested by {made.model}, score {made.score:.3f}, like {made.basis})"
    )


@app.command("build-model")
def build_model(
    name: Annotated[str, typer.Option(help="The registry's model to build.")] = "minilm-static",
    out: Annotated[str | None, typer.Option(help="Folder (default: the registry's).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Distil the static model from MiniLM with model2vec (about a minute and a half)."""
    import os
    import sys
    from pathlib import Path

    from thematica.assist.distil import build_static_model
    from thematica.assist.registry import find_model

    if quiet or not sys.stderr.isatty():
        os.environ["TQDM_DISABLE"] = "1"  # model2vec's progress bar is tqdm's
    built = build_static_model(find_model(name), Path(out) if out else None)
    typer.echo(
        f"Built {built.name} from {built.teacher} in {built.seconds:.0f} s: {built.folder} "
        f"({built.vocabulary:,} tokens, {built.dim} dimensions, sha256 {built.hash[:12]})"
    )


@app.command()
def models(as_json: JsonOption = False) -> None:
    """The models the registry knows, and whether each is ready to use."""
    from thematica.assist.embedders import WEIGHTS
    from thematica.assist.registry import registry

    found, default = registry()
    rows = [
        {
            "name": spec.name,
            "default": spec.name == default,
            "loader": spec.loader,
            "ready": (spec.folder / WEIGHTS).is_file(),
            "folder": str(spec.folder),
            "description": spec.description,
        }
        for spec in found.values()
    ]
    if as_json:
        print_json(rows)
        return
    table(
        ["model", "loader", "ready", "description"],
        [
            [r["name"] + (" (default)" if r["default"] else ""), r["loader"],
             "yes" if r["ready"] else "no", r["description"]]
            for r in rows
        ],
    )  # fmt: skip
