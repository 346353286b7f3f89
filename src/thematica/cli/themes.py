"""Themes: the `themes`, `quotes` and `framework` groups, and `phase` and `status`."""

from pathlib import Path
from typing import Annotated

import typer

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

app = typer_app("Themes and subthemes: build, review, define; prevalence and history.")
quotes = typer_app("Exemplar quotes for themes: choose, trim, attribute.")
commands = typer_app()
framework = typer.Typer(
    help="The framework matrix (participants x themes): show it, or write it with --out.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ThemeArgument = Annotated[str, typer.Argument(help="Theme name, path (Theme/Subtheme) or number.")]
CoderOption = Annotated[
    str | None, typer.Option(help="One coder's layer (default: every layer together).")
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _label(theme) -> str:
    return f"{'Theme' if theme.depth == 0 else 'Subtheme'} {theme.id}: {theme.path}"


# -- themes ---------------------------------------------------------------------------


@app.command("add")
def themes_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Theme name.")],
    parent: Annotated[str | None, typer.Option(help="Parent theme: makes a subtheme.")] = None,
    definition: Annotated[str, typer.Option(help="What the theme is about.")] = "",
    status: Annotated[str, typer.Option(help="candidate, reviewed or defined.")] = "candidate",
    contextual: Annotated[
        bool, typer.Option("--contextual", help="A contextual theme, framing the others.")
    ] = False,
    code: Annotated[
        list[str] | None, typer.Option("--code", help="Link this code (repeatable).")
    ] = None,
) -> None:
    """Add a theme or subtheme."""
    made = get_project(ctx).themes.add(
        name,
        parent=parent,
        definition=definition,
        status=status,
        contextual=contextual,
        codes=code or [],
    )
    linked = f" with {plural(len(made.codes), 'code')}" if made.codes else ""
    typer.echo(f"Added {made.kind} {made.path} (theme {made.id}){linked}")


@app.command("list")
def themes_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List themes and subthemes, in order, with their status and counts."""
    found = get_project(ctx).themes.list()
    if as_json:
        print_json([t.as_dict() for t in found])
        return
    rows = [
        [
            t.id,
            "  " * t.depth + t.name + (" (contextual)" if t.contextual else ""),
            t.status,
            len(t.codes),
            t.quotes,
        ]
        for t in found
    ]
    table(["#", "theme", "status", "codes", "quotes"], rows, right={"#", "codes", "quotes"})


@app.command("tree")
def themes_tree(ctx: typer.Context) -> None:
    """Show the themes as a tree, with their linked codes: a thematic map in text."""
    from rich.tree import Tree

    found = get_project(ctx).themes.list()
    root = Tree("themes", guide_style="dim")
    nodes: dict[str, Tree] = {}
    for theme in found:
        parent = nodes[theme.parent] if theme.parent else root
        marks = theme.status + (", contextual" if theme.contextual else "")
        node = parent.add(f"{escape(theme.name)} [dim]({marks})[/]")
        nodes[theme.path] = node
        for code in theme.codes:
            node.add(f"[dim]code:[/] {escape(code)}")
    console().print(root)


@app.command("show")
def themes_show(ctx: typer.Context, theme: ThemeArgument, as_json: JsonOption = False) -> None:
    """Show one theme: status, codes, subthemes, definition."""
    found = get_project(ctx).themes.get(theme)
    if as_json:
        print_json(found.as_dict())
        return
    typer.echo(_label(found))
    typer.echo(f"  status: {found.status}")
    typer.echo(f"  contextual: {_yes(found.contextual)}")
    typer.echo(f"  codes: {', '.join(found.codes) or '(none)'}")
    typer.echo(f"  subthemes: {'; '.join(found.subthemes) or '(none)'}")
    typer.echo(f"  quotes: {found.quotes}")
    if found.definition:
        typer.echo("")
        typer.echo(found.definition)


@app.command("rename")
def themes_rename(
    ctx: typer.Context,
    theme: ThemeArgument,
    new_name: Annotated[str, typer.Argument(help="New name.")],
) -> None:
    """Rename a theme."""
    made = get_project(ctx).themes.rename(theme, new_name)
    typer.echo(f"Renamed {theme} to {made.path}")


@app.command("define")
def themes_define(
    ctx: typer.Context,
    theme: ThemeArgument,
    definition: Annotated[str, typer.Argument(help="The definition.")],
) -> None:
    """Set a theme's definition."""
    made = get_project(ctx).themes.define(theme, definition)
    typer.echo(f"Defined {made.path}")


@app.command("status")
def themes_status(
    ctx: typer.Context,
    theme: ThemeArgument,
    status: Annotated[str, typer.Argument(help="candidate, reviewed or defined.")],
) -> None:
    """Set a theme's status: candidate, reviewed or defined."""
    themes = get_project(ctx).themes
    was = themes.get(theme).status
    made = themes.set_status(theme, status)
    typer.echo(f"{made.path}: {was} -> {made.status}")


@app.command("contextual")
def themes_contextual(
    ctx: typer.Context,
    theme: ThemeArgument,
    off: Annotated[bool, typer.Option("--off", help="No longer contextual.")] = False,
) -> None:
    """Mark a theme as contextual (framing the others), or not with --off."""
    made = get_project(ctx).themes.set_contextual(theme, not off)
    typer.echo(f"{made.path} is {'now' if made.contextual else 'no longer'} contextual")


@app.command("move")
def themes_move(
    ctx: typer.Context,
    theme: ThemeArgument,
    parent: Annotated[str | None, typer.Option(help="New parent theme.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Move to the top level.")] = False,
    position: Annotated[
        int | None, typer.Option(help="Place among its siblings, 1 for first.")
    ] = None,
) -> None:
    """Move a theme under another, to the top level, or to another place among its
    siblings."""
    from thematica.errors import InvalidInput

    if parent is None and not top and position is None:
        raise InvalidInput("give --parent THEME, --top or --position N")
    themes = get_project(ctx).themes
    made = themes.move(theme, parent, top=top, position=position)
    siblings = [t for t in themes.list() if t.parent == made.parent]
    place = [t.id for t in siblings].index(made.id) + 1
    typer.echo(f"Moved {theme} to {made.path} (position {place} of {len(siblings)})")


@app.command("link")
def themes_link(
    ctx: typer.Context,
    theme: ThemeArgument,
    codes: Annotated[list[str], typer.Argument(help="Codes (names or paths).")],
) -> None:
    """Link codes to a theme."""
    made = get_project(ctx).themes.link(theme, codes)
    typer.echo(f"Linked {plural(len(codes), 'code')} to {made.path}")


@app.command("unlink")
def themes_unlink(
    ctx: typer.Context,
    theme: ThemeArgument,
    codes: Annotated[list[str], typer.Argument(help="Codes (names or paths).")],
) -> None:
    """Unlink codes from a theme (the codes and codings stay)."""
    made = get_project(ctx).themes.unlink(theme, codes)
    typer.echo(f"Unlinked {plural(len(codes), 'code')} from {made.path}")


@app.command("merge")
def themes_merge(
    ctx: typer.Context,
    theme: ThemeArgument,
    into: Annotated[str, typer.Argument(help="Theme that takes in its codes and subthemes.")],
) -> None:
    """Merge one theme into another: codes, subthemes, quotes and summaries move."""
    project = get_project(ctx)
    made = project.themes.merge(theme, into)
    after = project.log(1)[0].after
    typer.echo(
        f"Merged {theme} into {made.path}: {plural(after['codes_moved'], 'code')}, "
        f"{plural(after['subthemes_moved'], 'subtheme')} and "
        f"{plural(after['quotes_moved'], 'quote')} moved"
    )


@app.command("split")
def themes_split(
    ctx: typer.Context,
    theme: ThemeArgument,
    new_name: Annotated[str, typer.Argument(help="Name of the new theme.")],
    code: Annotated[
        list[str] | None, typer.Option("--code", help="A linked code that moves (repeatable).")
    ] = None,
    subtheme: Annotated[
        list[str] | None, typer.Option("--subtheme", help="A subtheme that moves (repeatable).")
    ] = None,
    definition: Annotated[str, typer.Option(help="The new theme's definition.")] = "",
) -> None:
    """Split a theme: a new theme beside it takes some of its codes and subthemes."""
    made = get_project(ctx).themes.split(
        theme, new_name, codes=code or [], subthemes=subtheme or [], definition=definition
    )
    typer.echo(
        f"Split {theme}: {made.path} (theme {made.id}) takes "
        f"{plural(len(made.codes), 'code')} and {plural(len(made.subthemes), 'subtheme')}"
    )


@app.command("delete")
def themes_delete(
    ctx: typer.Context,
    theme: ThemeArgument,
    force: Annotated[
        bool, typer.Option("--force", help="Also delete its subthemes, quotes and summaries.")
    ] = False,
) -> None:
    """Delete a theme (its codes stay); refused while it has subthemes or quotes, unless
    --force."""
    gone = get_project(ctx).themes.delete(theme, force=force)
    extra = f" and {plural(len(gone.subthemes), 'subtheme')}" if gone.subthemes else ""
    typer.echo(f"Deleted {gone.kind} {gone.path}{extra}")


@app.command("history")
def themes_history(ctx: typer.Context, theme: ThemeArgument, as_json: JsonOption = False) -> None:
    """Every change to a theme, oldest first (#N names a theme merged away or deleted)."""
    events = get_project(ctx).themes.history(theme)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    rows = [
        [
            e.id,
            e.at[:19].replace("T", " "),
            e.actor,
            e.what,
            f"undone by {e.undone_by}" if e.undone_by else "",
        ]
        for e in events
    ]
    table(["#", "at (UTC)", "who", "what", ""], rows, right={"#"})


@app.command("map")
def themes_map(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="The figure to write: .svg or .png.")],
    title: Annotated[str | None, typer.Option(help="Title (default: the study's name).")] = None,
) -> None:
    """Draw the thematic map: themes, subthemes and their codes, as SVG or PNG."""
    from thematica.report.charts import save
    from thematica.report.results import map_of

    save(map_of(get_project(ctx), title), out)
    typer.echo(f"Wrote the thematic map to {out}")


@app.command("import")
def themes_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .yaml themes file.")],
) -> None:
    """Add the themes of a YAML file; update those already there."""
    result = get_project(ctx).themes.import_file(file)
    typer.echo(
        f"Imported {file}: {plural(result.created, 'theme')} added, {result.updated} updated, "
        f"{plural(result.links, 'code')} linked"
    )


@app.command("export")
def themes_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .yaml file to write.")],
) -> None:
    """Write the themes, with definitions, statuses and codes, to YAML."""
    count = get_project(ctx).themes.export(file)
    typer.echo(f"Exported {plural(count, 'theme')} to {file}")


@app.command("prevalence")
def themes_prevalence(
    ctx: typer.Context, coder: CoderOption = None, as_json: JsonOption = False
) -> None:
    """How many participants and sources each theme, subtheme and code draws on."""
    found = get_project(ctx).themes.prevalence(coder=coder)
    if as_json:
        print_json(found.as_dict())
        return
    layer = f"coder {coder}" if coder else "all coders"
    typer.echo(
        f"Prevalence ({layer}) among {plural(found.participants, 'participant')} "
        f"in {plural(found.sources, 'source')}"
    )
    typer.echo("")
    rows = [
        [
            "  " * row.depth + ("code: " if row.kind == "code" else "") + row.name,
            row.participants,
            row.sources,
            row.codings,
            row.words,
        ]
        for row in found.rows
    ]
    table(
        ["theme", "participants", "sources", "codings", "in words"],
        rows,
        right={"participants", "sources", "codings"},
    )


@app.command("wording")
def themes_wording(
    ctx: typer.Context,
    noun: Annotated[
        str | None, typer.Option(help="What participants are called: singular/plural.")
    ] = None,
    scale: Annotated[
        Path | None, typer.Option(help="A .toml or .yaml file with the wording scale.")
    ] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Go back to the default scale.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show or set how counts of participants are put in words ("most women")."""
    project = get_project(ctx)
    if noun is not None or scale is not None or default:
        wording = project.themes.set_wording(noun, scale, default)
        if not as_json:
            typer.echo(f"Set the wording: {wording.singular}/{wording.plural}")
    else:
        wording = project.themes.wording()
    total = project.themes.prevalence().participants
    if as_json:
        print_json(
            {
                **wording.as_dict(),
                "participants": total,
                "words": [wording.words(n, total) for n in range(total + 1)],
            }  # fmt: skip
        )
        return
    if noun is not None or scale is not None or default:
        return
    kind = "default" if wording.is_default_scale else "custom"
    typer.echo(f"Participants are called {wording.singular}/{wording.plural}; {kind} scale:")
    typer.echo("")
    table(["rule", "words"], [[r.describe(), r.words] for r in wording.scale])
    typer.echo("")
    table(
        [f"n of {total}", "in words"],
        [[n, wording.words(n, total)] for n in range(total + 1)],
        right={f"n of {total}"},
    )


# -- quotes -----------------------------------------------------------------------------


@quotes.command("add")
def quotes_add(
    ctx: typer.Context,
    theme: ThemeArgument,
    coding: Annotated[int, typer.Option(help="The coding (segment) to quote.")],
    keep: Annotated[
        list[str] | None,
        typer.Option(help="Keep only START:END of the segment, offsets from its start (repeat)."),
    ] = None,
    interviewer: Annotated[
        bool, typer.Option("--interviewer", help="Keep interviewer turns in the quote.")
    ] = False,
) -> None:
    """Choose a coded segment as an exemplar quote for a theme."""
    from thematica.themes.quotes import parse_keep

    pieces = parse_keep(keep) if keep else None
    made = get_project(ctx).themes.add_quote(theme, coding, pieces, interviewer=interviewer)
    typer.echo(f"Added quote {made.id} to {made.theme}: {made.render()}")


@quotes.command("list")
def quotes_list(
    ctx: typer.Context,
    theme: Annotated[str | None, typer.Argument(help="Only this theme's quotes.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List exemplar quotes, theme by theme."""
    found = get_project(ctx).themes.quotes(theme)
    if as_json:
        print_json([q.as_dict() for q in found])
        return
    for quote in found:
        typer.echo(f"{quote.id} · {quote.theme} · {quote.source} [{quote.start}, {quote.end})")
        typer.echo(f"  {quote.render()}")
        typer.echo("")
    typer.echo(plural(len(found), "quote"))


@quotes.command("remove")
def quotes_remove(
    ctx: typer.Context,
    quote: Annotated[int, typer.Argument(metavar="ID", help="Quote id.")],
) -> None:
    """Remove an exemplar quote (the coding stays)."""
    gone = get_project(ctx).themes.remove_quote(quote)
    typer.echo(f"Removed quote {gone.id} from {gone.theme}")


# -- framework --------------------------------------------------------------------------


@framework.callback()
def framework_matrix(
    ctx: typer.Context,
    coder: CoderOption = None,
    subthemes: Annotated[
        bool, typer.Option("--subthemes", help="A column for every subtheme too.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Write the matrix to a .xlsx or .csv file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The framework matrix: participants x themes, each cell her coded segments for the
    theme and the summary written for it. With no --out: counts of segments per cell."""
    if ctx.invoked_subcommand is not None:
        return
    matrix = get_project(ctx).themes.framework(coder=coder, subthemes=subthemes)
    if out is not None:
        matrix.save(out)
        if not as_json:
            segments = sum(len(c.excerpts) for c in matrix.cells.values())
            summaries = sum(1 for c in matrix.cells.values() if c.summary)
            typer.echo(
                f"Wrote {out}: {plural(len(matrix.cases), 'participant')} x "
                f"{plural(len(matrix.themes), 'theme')}, {plural(segments, 'segment')}, "
                f"{summaries} {'summary' if summaries == 1 else 'summaries'}"
            )
            return
    if as_json:
        print_json(matrix.as_dict())
        return
    themes = {t.path: t.id for t in get_project(ctx).themes.list()}
    headings = [f"#{themes[t]}" for t in matrix.themes]
    rows = []
    for case in matrix.cases:
        cells = [matrix.cell(case, t) for t in matrix.themes]
        rows.append([case, *(f"{len(c.excerpts)}{'*' if c.summary else ''}" for c in cells)])
    table(["participant", *headings], rows, right=set(headings))
    typer.echo("")
    width = max((len(h) for h in headings), default=0)
    for heading, path in zip(headings, matrix.themes, strict=True):
        typer.echo(f"{heading:<{width}}  {path}")
    typer.echo("Cells count coded segments; * marks a written summary.")


@framework.command("summary")
def framework_summary(
    ctx: typer.Context,
    theme: ThemeArgument,
    case: Annotated[str, typer.Argument(help="Participant (label or id).")],
    text: Annotated[str, typer.Argument(help="The summary; empty to remove it.")],
) -> None:
    """Write the summary of one participant for one theme (a cell of the matrix)."""
    project = get_project(ctx)
    project.themes.summarise(theme, case, text)
    event = project.log(1)[0]
    done = "Removed" if not text.strip() else "Wrote"
    typer.echo(f"{done} the summary for {event.after['case']} in {project.themes.get(theme).path}")


# -- phase and status -------------------------------------------------------------------


@commands.command()
def phase(
    ctx: typer.Context,
    number: Annotated[
        int | None, typer.Argument(metavar="[N]", help="Set the phase, 1 to 6.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set the phase of the analysis (Braun & Clarke, 1 to 6)."""
    from thematica.themes.phases import PHASES, phase_name

    themes = get_project(ctx).themes
    was = themes.set_phase(number) if number is not None else None
    current = themes.phase
    if as_json:
        print_json({"phase": current, "name": phase_name(current), "of": len(PHASES)})
        return
    line = f"Phase {current} of {len(PHASES)}: {phase_name(current)}"
    if was is not None:
        line += f" (was {was}: {phase_name(was)})"
    typer.echo(line)


@commands.command()
def status(ctx: typer.Context, coder: CoderOption = None, as_json: JsonOption = False) -> None:
    """Where the analysis stands: phase, sources read and coded, codes in themes, themes
    defined."""
    project = get_project(ctx)
    found = project.themes.progress(coder=coder)
    if as_json:
        print_json(found.as_dict())
        return

    def share(n: int, total: int) -> str:
        return f"{100 * n / total:.0f}%" if total else "-"

    name = project.setting("name") or project.location
    typer.echo(f"{name}: phase {found.phase} of 6, {found.phase_name}")
    typer.echo("")
    rows = [
        ["sources with notes (familiarised)", found.familiarised, found.sources],
        ["sources coded", found.coded, found.sources],
        ["codes in themes (of codes used)", found.codes_in_themes, found.codes],
        ["themes defined (of all themes)", found.defined, found.themes],
    ]
    table(
        ["progress", "done", "of", "%"],
        [[*row, share(row[1], row[2])] for row in rows],
        right={"done", "of", "%"},
    )
