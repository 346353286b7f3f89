"""Keeping theme links when the codes they point at are merged or deleted.

The codebook calls these inside its own transaction (``Codebook.merge`` and
``Codebook.delete``), so that a theme follows a merged code and forgets a deleted one,
and undo brings the links back with the code.
"""

from collections.abc import Sequence

from sqlalchemy import select

from thematica.store.changes import Writer
from thematica.store.schema import theme_code


def move_code_links(tx: Writer, code_id: int, into_id: int) -> None:
    """Point every theme linked to ``code_id`` at ``into_id`` instead (a code merge); a
    theme already linked to both keeps one link."""
    rows = tx.conn.execute(
        select(theme_code.c.id, theme_code.c.theme_id, theme_code.c.code_id).where(
            theme_code.c.code_id.in_([code_id, into_id])
        )
    ).all()
    has_target = {r.theme_id for r in rows if r.code_id == into_id}
    moving = [r.id for r in rows if r.code_id == code_id and r.theme_id not in has_target]
    doubled = [r.id for r in rows if r.code_id == code_id and r.theme_id in has_target]
    tx.delete_many(theme_code, doubled)
    tx.update_many(theme_code, moving, {"code_id": into_id})


def drop_code_links(tx: Writer, code_ids: Sequence[int]) -> None:
    """Unlink deleted codes from every theme (the audit event keeps the links)."""
    if not code_ids:
        return
    links: list[int] = []
    for at in range(0, len(code_ids), 500):
        chunk = list(code_ids[at : at + 500])
        links += tx.conn.execute(
            select(theme_code.c.id).where(theme_code.c.code_id.in_(chunk))
        ).scalars()
    tx.delete_many(theme_code, links)
