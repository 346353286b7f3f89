"""`thematica memo`: the reflexive journal and anchored memos."""

from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, print_json, short, table, typer_app

app = typer_app("The reflexive journal and anchored memos.")


@app.command("add")
def memo_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The memo. With no anchor: a journal entry.")],
    title: Annotated[str, typer.Option(help="A short title.")] = "",
    source: Annotated[str | None, typer.Option(help="Anchor to this source.")] = None,
    start: Annotated[int | None, typer.Option(help="Span start in the source.")] = None,
    end: Annotated[int | None, typer.Option(help="Span end in the source.")] = None,
    quote: Annotated[str | None, typer.Option(help="Anchor to these words in the source.")] = None,
    prefix: Annotated[str, typer.Option(help="Words just before the quote.")] = "",
    suffix: Annotated[str, typer.Option(help="Words just after the quote.")] = "",
    code_name: Annotated[str | None, typer.Option("--code", help="Anchor to a code.")] = None,
    coding: Annotated[int | None, typer.Option(help="Anchor to a coding id.")] = None,
) -> None:
    """Write a memo or a reflexive journal entry."""
    made = get_project(ctx).memos.add(
        text,
        title,
        source=source,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        code=code_name,
        coding=coding,
    )
    typer.echo(f"Added memo {made.id} ({made.anchor})")


@app.command("list")
def memo_list(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Option(help="project (the journal), source, code or coding.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List memos."""
    found = get_project(ctx).memos.list(kind)
    if as_json:
        print_json([m.as_dict() for m in found])
        return
    rows = [[m.id, m.created[:10], m.author, m.anchor, m.title or short(m.text, 50)] for m in found]
    table(["#", "date", "author", "anchor", "memo"], rows, right={"#"})


@app.command("show")
def memo_show(
    ctx: typer.Context,
    memo_id: Annotated[int, typer.Argument(metavar="ID", help="Memo id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one memo in full."""
    found = get_project(ctx).memos.get(memo_id)
    if as_json:
        print_json(found.as_dict())
        return
    heading = f"Memo {found.id}" + (f": {found.title}" if found.title else "")
    typer.echo(heading)
    typer.echo(f"{found.author} · {found.created[:16].replace('T', ' ')} · {found.anchor}")
    typer.echo("")
    typer.echo(found.text)


@app.command("edit")
def memo_edit(
    ctx: typer.Context,
    memo_id: Annotated[int, typer.Argument(metavar="ID", help="Memo id.")],
    text: Annotated[str | None, typer.Option(help="The new text.")] = None,
    title: Annotated[str | None, typer.Option(help="The new title ('' for none).")] = None,
) -> None:
    """Change a memo's text or title; its anchor, author and date stay."""
    memos = get_project(ctx).memos
    old = memos.get(memo_id)
    new = memos.edit(memo_id, text=text, title=title)
    changed = [key for key in ("title", "text") if getattr(old, key) != getattr(new, key)]
    if changed:
        typer.echo(f"Edited memo {new.id} ({new.anchor}): new {' and '.join(changed)}")
    else:
        typer.echo(f"Memo {new.id} ({new.anchor}) already says that; nothing changed")


@app.command("delete")
def memo_delete(
    ctx: typer.Context,
    memo_id: Annotated[int, typer.Argument(metavar="ID", help="Memo id.")],
) -> None:
    """Delete a memo (`thematica undo` brings it back)."""
    gone = get_project(ctx).memos.delete(memo_id)
    typer.echo(f"Deleted memo {gone.id} ({gone.anchor})")


# -- anonymisation ----------------------------------------------------------------------
