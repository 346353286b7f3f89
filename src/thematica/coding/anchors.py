"""Keeping memos when what they were written on goes away."""

from collections.abc import Sequence

from sqlalchemy import select

from thematica.store.changes import Writer
from thematica.store.schema import memo


def detach_coding_memos(tx: Writer, coding_ids: Sequence[int]) -> None:
    """Re-anchor memos on these codings to the source text they covered.

    Called before codings are deleted: a researcher's note is never lost with a coding.
    """
    if not coding_ids:
        return
    notes: list[int] = []
    for at in range(0, len(coding_ids), 500):
        chunk = list(coding_ids[at : at + 500])
        notes += (
            tx.conn.execute(
                select(memo.c.id).where(memo.c.anchor_kind == "coding", memo.c.anchor_id.in_(chunk))
            )
            .scalars()
            .all()
        )
    tx.update_many(memo, notes, {"anchor_kind": "source", "anchor_id": None})
