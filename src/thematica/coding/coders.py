"""Coders: the people (and the consensus layer) who code. Each coder's codings are a layer."""

from sqlalchemy import Select, Table, bindparam, or_, select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput, not_found
from thematica.store.changes import Writer
from thematica.store.schema import coder

CONSENSUS = "consensus"


_CODER_BY_NAME = select(coder.c.id).where(coder.c.name == bindparam("name"))


def find_coder(conn: Connection, name: str) -> int:
    found = conn.execute(_CODER_BY_NAME, {"name": name}).scalar()
    if found is None:
        names = list(conn.execute(select(coder.c.name)).scalars())
        raise not_found("coder", name, names, "thematica codings list")
    return found


def ensure_coder(tx: Writer, name: str) -> int:
    """The id of coder ``name``, creating the coder on first use."""
    name = name.strip()
    if not name:
        raise InvalidInput("a coder needs a name")
    found = tx.conn.execute(_CODER_BY_NAME, {"name": name}).scalar()
    if found is not None:
        return found
    kind = "consensus" if name == CONSENSUS else "person"
    return tx.insert(coder, {"name": name, "kind": kind, "blind": False})


def visible_coders(conn: Connection, actor: str) -> tuple[int, list[int]] | None:
    """What a blind coder may not see: ``(their coder id, the double-coded sources)``,
    whose other coders' codings are hidden from them; None for everyone else."""
    from thematica.store.schema import double_coded

    row = conn.execute(select(coder.c.id, coder.c.blind).where(coder.c.name == actor)).first()
    if row is None or not row.blind:
        return None
    return row.id, list(conn.execute(select(double_coded.c.source_id)).scalars())


def hide_from_blind(query: Select, conn: Connection, actor: str, coding_table: Table) -> Select:
    """``query`` over codings, less other coders' codings of double-coded sources when
    ``actor`` is coding blind."""
    hidden = visible_coders(conn, actor)
    if hidden is None:
        return query
    me, sources = hidden
    return query.where(or_(coding_table.c.coder_id == me, coding_table.c.source_id.not_in(sources)))
