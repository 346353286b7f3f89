"""Consensus: from two (or more) coders' layers to one agreed layer, disagreement by
disagreement, leaving every original coding untouched.

>>> consensus.start(project, ["Hannah", "Dev"])
Started(layer='consensus', seeded=212, queued=37)
>>> item = consensus.next_item(project)
>>> consensus.resolve(project, item.id, "union", memo="Both readings fit: she means both.")

``start`` looks at each code in each source: where the coders' codings of it form a
stretch they coded identically, the consensus layer gets it at once; every stretch where
they differ becomes an item in a queue. Each item is resolved by taking one coder's
version, the union or the intersection of theirs, dropping it, or an edited span, with
an optional memo of the discussion. Every resolution is an audit event (and can be
undone); the originals stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from thematica.agreement.compare import components, load_layers, merged
from thematica.errors import InvalidInput, NotFound
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, consensus_item, memo, source

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

LAYER = "consensus"
WAYS = ("take", "union", "intersection", "drop", "edit")


@dataclass(frozen=True)
class Started:
    layer: str
    seeded: int  # codings both (all) coders agreed on, copied to the layer
    queued: int  # disagreements waiting for the team


@dataclass
class Item:
    """One disagreement: a code, a stretch of a source, and each coder's coded parts."""

    id: int
    source: str
    code: str
    start: int
    end: int
    status: str
    coders: list[str]
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    text: str = ""
    resolution: str | None = None
    resolved_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Progress:
    layer: str
    resolved: int
    total: int

    @property
    def remaining(self) -> int:
        return self.total - self.resolved


def start(
    project: Project,
    coders: list[str],
    sources: list[str] | None = None,
    layer: str = LAYER,
) -> Started:
    """Seed the ``layer`` with what the coders agree on and queue every disagreement."""
    from thematica.coding.coders import ensure_coder
    from thematica.project import now

    study = load_layers(project, coders, sources, None)
    if layer in study.coders:
        raise InvalidInput(f"the consensus layer {layer!r} cannot be one of the coders compared")
    with project.transaction("start consensus", layer) as tx:
        layer_id = ensure_coder(tx, layer)
        source_ids = list(study.sources)
        taken = tx.conn.execute(
            select(func.count())
            .select_from(coding)
            .where(coding.c.coder_id == layer_id, coding.c.source_id.in_(source_ids))
        ).scalar()
        queued = tx.conn.execute(
            select(func.count())
            .select_from(consensus_item)
            .where(
                consensus_item.c.layer_id == layer_id, consensus_item.c.source_id.in_(source_ids)
            )
        ).scalar()
        if taken or queued:
            raise InvalidInput(
                f"the {layer!r} layer already has codings or a queue for these sources: "
                "carry on with `thematica consensus next`, or choose another --into layer"
            )
        stamp, names = now(), ",".join(study.coders)
        codings, items = [], []
        for (source_id, code_id), layers in sorted(study.joined.items()):
            for begin, end, parts in components(layers):
                if all(part == parts[0] for part in parts):
                    codings += [
                        {"source_id": source_id, "start": s, "end": e, "code_id": code_id,
                         "coder_id": layer_id, "created": stamp,
                         "provenance": f"agreed by {names}"}
                        for s, e in parts[0]
                    ]  # fmt: skip
                else:
                    items.append(
                        {"source_id": source_id, "start": begin, "end": end, "code_id": code_id,
                         "layer_id": layer_id, "coders": names, "status": "open"}
                    )  # fmt: skip
        tx.insert_many(coding, codings)
        # Numbered in reading order, so item 1 is the first disagreement in the text.
        items.sort(key=lambda i: (study.sources[i["source_id"]][0], i["start"], i["code_id"]))
        tx.insert_many(consensus_item, items)
        tx.after = {"coders": study.coders, "seeded": len(codings), "queued": len(items)}
    return Started(layer, len(codings), len(items))


def items(project: Project, layer: str = LAYER, status: str | None = None) -> list[Item]:
    """The queue of ``layer``, in source and text order; ``status`` open or resolved."""
    with project.read() as conn:
        return _items(conn, layer, status=status)


def next_item(project: Project, layer: str = LAYER) -> Item | None:
    """The first open item, or None when every disagreement is resolved."""
    with project.read() as conn:
        found = _items(conn, layer, status="open", limit=1)
    return found[0] if found else None


def progress(project: Project, layer: str = LAYER) -> Progress:
    with project.read() as conn:
        layer_id = _layer_id(conn, layer)
        counts = dict(
            conn.execute(
                select(consensus_item.c.status, func.count())
                .where(consensus_item.c.layer_id == layer_id)
                .group_by(consensus_item.c.status)
            ).all()
        )
    return Progress(layer, counts.get("resolved", 0), sum(counts.values()))


def resolve(
    project: Project,
    item_id: int,
    how: str,
    coder: str | None = None,
    span: tuple[int, int] | Sequence[tuple[int, int]] | None = None,
    memo_text: str = "",
) -> Item:
    """Resolve an open item: ``take`` a ``coder``'s version, the ``union`` or
    ``intersection`` of all versions, ``drop`` it, or ``edit`` to ``span`` (or several
    spans); the agreed
    codings go into the consensus layer, with ``memo_text`` anchored to the stretch."""
    from thematica.project import now
    from thematica.text.span import Span, intersection, union

    if how not in WAYS:
        raise InvalidInput(f"resolve with one of {', '.join(WAYS)}, not {how!r}")
    with project.transaction("resolve disagreement", f"item {item_id}") as tx:
        item = _item(tx, item_id)
        if item.status != "open":
            raise InvalidInput(
                f"item {item_id} is already resolved ({item.resolution} by {item.resolved_by})"
            )
        parts = {name: [Span(s, e) for s, e in spans] for name, spans in item.spans.items()}
        if how == "take":
            if coder not in parts:
                raise InvalidInput(f"take whose version? one of {', '.join(item.coders)}")
            chosen = parts[coder]
        elif how == "union":
            chosen = union(s for spans in parts.values() for s in spans)
        elif how == "intersection":
            chosen = list(parts[item.coders[0]])
            for name in item.coders[1:]:
                chosen = intersection(chosen, parts[name])
        elif how == "drop":
            chosen = []
        else:
            if not span:
                raise InvalidInput("edit needs the agreed span: --start N --end N")
            length = tx.conn.execute(
                select(source.c.length).where(source.c.name == item.source)
            ).scalar()
            spans = [span] if isinstance(span[0], int) else span
            chosen = union(Span(*s).check_within(length) for s in spans)
        row = tx.conn.execute(
            select(
                consensus_item.c.source_id, consensus_item.c.code_id, consensus_item.c.layer_id
            ).where(consensus_item.c.id == item_id)
        ).one()
        stamp = now()
        label = f"{how} {coder}" if how == "take" else how
        tx.insert_many(
            coding,
            [
                {"source_id": row.source_id, "start": s.start, "end": s.end,
                 "code_id": row.code_id, "coder_id": row.layer_id, "created": stamp,
                 "provenance": f"consensus item {item_id}: {label}"}
                for s in chosen
            ],
        )  # fmt: skip
        memo_id = None
        if memo_text.strip():
            memo_id = tx.insert(
                memo,
                {"anchor_kind": "source", "anchor_id": row.source_id,
                 "source_id": row.source_id, "start": item.start, "end": item.end,
                 "title": f"Consensus on {item.code}", "text": memo_text.strip(),
                 "author": project.actor, "created": stamp},
            )  # fmt: skip
        tx.update(
            consensus_item,
            item_id,
            {"status": "resolved", "resolution": label, "resolved_by": project.actor,
             "resolved_at": stamp, "memo_id": memo_id},
        )  # fmt: skip
        tx.before = {"item": item_id, "code": item.code, "source": item.source}
        tx.after = {
            "resolution": label,
            "codings": [[s.start, s.end] for s in chosen],
            "memo": memo_id,
        }
    return items_by_id(project, [item_id])[0]


def items_by_id(project: Project, ids: list[int]) -> list[Item]:
    with project.read() as conn:
        return _items(conn, None, ids=ids)


def _layer_id(conn, layer: str) -> int:
    found = conn.execute(select(coder_table.c.id).where(coder_table.c.name == layer)).scalar()
    if found is None:
        raise NotFound(
            f"no consensus layer {layer!r}: start one with `thematica consensus start --from A,B`"
        )
    return found


def _item(tx: Transaction, item_id: int) -> Item:
    found = _items(tx.conn, None, ids=[item_id])
    if not found:
        raise NotFound(f"no consensus item {item_id}; `thematica consensus list` shows them")
    return found[0]


def _items(
    conn,
    layer: str | None,
    status: str | None = None,
    ids: list[int] | None = None,
    limit: int | None = None,
) -> list[Item]:
    from thematica.coding.codebook import _Tree
    from thematica.store.texts import span_texts

    query = (
        select(
            consensus_item.c.id, source.c.name, consensus_item.c.code_id,
            consensus_item.c.start, consensus_item.c.end, consensus_item.c.status,
            consensus_item.c.coders, consensus_item.c.resolution,
            consensus_item.c.resolved_by, consensus_item.c.source_id,
        )
        .join(source, source.c.id == consensus_item.c.source_id)
        .order_by(source.c.name, consensus_item.c.start, consensus_item.c.id)
    )  # fmt: skip
    if layer is not None:
        query = query.where(consensus_item.c.layer_id == _layer_id(conn, layer))
    if status is not None:
        query = query.where(consensus_item.c.status == status)
    if ids is not None:
        query = query.where(consensus_item.c.id.in_(ids))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    tree = _Tree(conn)
    texts = span_texts(conn, [(r.source_id, r.start, r.end) for r in rows])
    coder_ids = dict(conn.execute(select(coder_table.c.name, coder_table.c.id)).all())
    found = []
    for row, (_, words, _) in zip(rows, texts, strict=True):
        names = row.coders.split(",")
        spans = {}
        for name in names:
            coder_id = coder_ids.get(name)
            # The coders' codings as they are now, inside the item's stretch.
            current = conn.execute(
                select(coding.c.start, coding.c.end).where(
                    coding.c.coder_id == coder_id,
                    coding.c.source_id == row.source_id,
                    coding.c.code_id == row.code_id,
                    coding.c.start < row.end,
                    coding.c.end > row.start,
                )
            ).all()
            spans[name] = [
                (max(s, row.start), min(e, row.end)) for s, e in merged([tuple(c) for c in current])
            ]
        found.append(
            Item(row.id, row.name, tree.path(row.code_id), row.start, row.end, row.status,
                 names, spans, words, row.resolution, row.resolved_by)
        )  # fmt: skip
    return found
