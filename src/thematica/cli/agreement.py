"""Agreement, double coding and consensus: `agreement`, `double-coding`, `consensus`."""

import math
from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app

commands = typer_app()
double = typer_app("Choose sources for a second coder, and keep coders blind.")
consensus = typer_app("Resolve disagreements into a consensus layer.")

SourcesOption = Annotated[
    list[str] | None, typer.Option("--sources", help="Only these sources (repeatable).")
]


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _number(value: float | None, percent: bool = False) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.1%}" if percent else f"{value:.2f}"


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f" [{_number(low)}, {_number(high)}]"


@commands.command()
def agreement(
    ctx: typer.Context,
    coders: Annotated[str, typer.Option(help="Coders to compare, e.g. Hannah,Dev[,Ana].")],
    sources: SourcesOption = None,
    unit: Annotated[
        str, typer.Option(help="char, turn, paragraph or segment: what one decision is.")
    ] = "char",
    code: Annotated[
        list[str] | None, typer.Option(help="Only this code and its children (repeatable).")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Segments: the overlap that makes two segments match.")
    ] = 0.9,
    ci: Annotated[
        int, typer.Option(help="Turns, paragraphs: bootstrap resamples for intervals.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 1,
    by_source: Annotated[bool, typer.Option(help="Also show each code per source.")] = False,
    disagreements: Annotated[
        Path | None, typer.Option(help="Write the disagreements to a .csv or .html file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """How far coders agree, per code and overall, on a named unit."""
    from thematica.agreement.compare import compare, export_disagreements
    from thematica.agreement.compare import disagreements as find_disagreements

    project = get_project(ctx)
    names = _names(coders)
    result = compare(project, names, sources, unit, code, threshold, ci, seed)
    if disagreements is not None:
        found = find_disagreements(project, names, sources, code)
        export_disagreements(found, result.coders, disagreements)
    if as_json:
        print_json(result.as_dict())
        return
    typer.echo(
        f"Agreement of {' and '.join(result.coders)} on "
        f"{plural(len(result.sources), 'source')}; unit: {result.unit_name}"
    )
    typer.echo("")
    rows = []
    for row in [*result.codes, None]:
        figures = row.figures if row else result.overall
        label = row.code if row else "overall (all codes pooled)"
        rows.append(
            [label, f"{figures.units:,.0f}", _number(figures.prevalence),
             _number(figures.percent, percent=True),
             _number(figures.kappa) + _interval(figures.kappa_low, figures.kappa_high),
             _number(figures.alpha) + _interval(figures.alpha_low, figures.alpha_high),
             _number(row.unitized_alpha if row else result.unitized_alpha)]
        )  # fmt: skip
        if row and by_source:
            rows += [
                [f"  {s.source}", f"{s.figures.units:,.0f}", _number(s.figures.prevalence),
                 _number(s.figures.percent, percent=True), _number(s.figures.kappa),
                 _number(s.figures.alpha), ""]
                for s in row.sources
            ]  # fmt: skip
    columns = ["code", "units", "prevalence", "agreement", result.kappa_name, "alpha", "u-alpha"]
    table(columns, rows, right=set(columns[1:]))
    typer.echo("")
    typer.echo(f"Method: {result.method}")
    for note in result.notes:
        typer.echo(f"Note: {note}")
    if disagreements is not None:
        typer.echo(f"Wrote {plural(len(found), 'disagreement')} to {disagreements}")


@double.command("pick")
def double_pick(
    ctx: typer.Context,
    sources: Annotated[list[str] | None, typer.Argument(help="Sources to double-code.")] = None,
    random: Annotated[int | None, typer.Option(help="Draw this many sources at random.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the draw (recorded).")] = None,
    stratify: Annotated[
        str | None, typer.Option(help="Spread the draw over this case attribute's values.")
    ] = None,
) -> None:
    """Pick sources for double coding, by name or by a seeded random draw."""
    from thematica.agreement.double_coding import pick, picked

    project = get_project(ctx)
    names = pick(project, sources or None, random, seed, stratify)
    method = {p.source: p.method for p in picked(project)}[names[0]]
    typer.echo(f"Picked {plural(len(names), 'source')} ({method}): {', '.join(names)}")


@double.command("list")
def double_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The sources picked for double coding, with how they were picked."""
    from thematica.agreement.double_coding import picked

    found = picked(get_project(ctx))
    if as_json:
        print_json([vars(p) for p in found])
        return
    table(["source", "how", "picked"], [[p.source, p.method, p.picked[:10]] for p in found])


@double.command("blind")
def double_blind(
    ctx: typer.Context,
    coder: Annotated[str, typer.Argument(help="The coder to blind (or unblind).")],
    off: Annotated[bool, typer.Option("--off", help="Lift the blind.")] = False,
) -> None:
    """Hide other coders' codings of the double-coded sources from a coder."""
    from thematica.agreement.double_coding import set_blind

    set_blind(get_project(ctx), coder, blind=not off)
    typer.echo(f"{coder} is {'no longer ' if off else ''}coding blind")


LayerOption = Annotated[str, typer.Option("--into", help="The consensus layer.")]


@consensus.command("start")
def consensus_start(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="Coders to reconcile, e.g. Hannah,Dev.")],
    sources: SourcesOption = None,
    into: LayerOption = "consensus",
) -> None:
    """Seed a consensus layer with what the coders agree on, and queue the rest."""
    from thematica.agreement import consensus as core

    started = core.start(get_project(ctx), _names(from_), sources, into)
    typer.echo(
        f"Started {started.layer!r}: {plural(started.seeded, 'agreed coding')} copied, "
        f"{plural(started.queued, 'disagreement')} to resolve"
    )


def _show(item) -> None:
    typer.echo(f"Item {item.id} · {item.source} [{item.start}, {item.end}) · {item.code}")
    for name in item.coders:
        parts = ", ".join(f"[{s}, {e})" for s, e in item.spans[name]) or "not coded"
        typer.echo(f"  {name}: {parts}")
    typer.echo(f"  text: {' '.join(item.text.split())}")


@consensus.command("next")
def consensus_next(
    ctx: typer.Context, into: LayerOption = "consensus", as_json: JsonOption = False
) -> None:
    """Show the next open disagreement."""
    from thematica.agreement import consensus as core

    project = get_project(ctx)
    item = core.next_item(project, into)
    if as_json:
        print_json(item.as_dict() if item else None)
        return
    if item is None:
        typer.echo("Every disagreement is resolved")
        return
    _show(item)
    state = core.progress(project, into)
    typer.echo(f"{state.remaining} of {state.total} left")


@consensus.command("list")
def consensus_list(
    ctx: typer.Context,
    into: LayerOption = "consensus",
    open_only: Annotated[bool, typer.Option("--open", help="Only open items.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the queue."""
    from thematica.agreement import consensus as core

    found = core.items(get_project(ctx), into, "open" if open_only else None)
    if as_json:
        print_json([i.as_dict() for i in found])
        return
    table(
        ["#", "source", "span", "code", "status", "text"],
        [[i.id, i.source, f"[{i.start}, {i.end})", i.code, i.resolution or i.status,
          " ".join(i.text.split())[:50]] for i in found],
        right={"#"},
    )  # fmt: skip


@consensus.command("resolve")
def consensus_resolve(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="Item number (see `consensus next`).")],
    how: Annotated[str, typer.Argument(help="take, union, intersection, drop or edit.")],
    coder: Annotated[str | None, typer.Option(help="take: whose version.")] = None,
    start: Annotated[int | None, typer.Option(help="edit: start of the agreed span.")] = None,
    end: Annotated[int | None, typer.Option(help="edit: end of the agreed span.")] = None,
    memo: Annotated[str, typer.Option(help="What the discussion concluded.")] = "",
) -> None:
    """Resolve one disagreement; the agreed codings go into the consensus layer."""
    from thematica.agreement import consensus as core
    from thematica.errors import InvalidInput

    if (start is None) != (end is None):
        raise InvalidInput("give both --start and --end")
    span = (start, end) if start is not None else None
    done = core.resolve(get_project(ctx), item, how, coder, span, memo)
    typer.echo(f"Resolved item {done.id} ({done.resolution})")


@consensus.command("status")
def consensus_status(ctx: typer.Context, into: LayerOption = "consensus") -> None:
    """How many disagreements are resolved."""
    from thematica.agreement import consensus as core

    state = core.progress(get_project(ctx), into)
    typer.echo(
        f"{state.layer}: {state.resolved} of {state.total} disagreements resolved, "
        f"{state.remaining} left"
    )
