"""Coders: the people (and the consensus layer) who code. Each coder's codings are a layer."""

from sqlalchemy import bindparam, select
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
