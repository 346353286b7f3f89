"""The embedding cache: each text embedded once per model, kept in the project.

A vector is stored under the model's name and weights hash and the SHA-256 of the text,
so a passage is embedded again only when its words change, and a rebuilt model never
reuses another model's vectors. Vectors are stored as float16 (half the size; cosine
scores move in the fourth decimal place) and used as float32.

The cache is derived data, not part of the study: it is written outside the audit log
(an undo must undo the researcher's last change, not a cache fill), and rows that no
text of the project hashes to any more are pruned whenever new ones are written, so a
deleted source or a withdrawn participant's words leave no vectors behind.

>>> found = vectors(project, model, ["She made me tea.", "I rang them twice."])
>>> found.shape
(2, 256)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from thematica.assist.embedders import Embedder, normalise
from thematica.assist.extra import require
from thematica.store.schema import code, coding, embedding, source, turn
from thematica.text import checksum

if TYPE_CHECKING:
    import numpy as np

    from thematica.project import Project

# Below this many texts, look their hashes up; above it, read the model's whole cache.
_LOOKUP_LIMIT = 2000
_BATCH = 500


def vectors(project: Project, model: Embedder, texts: Sequence[str]) -> np.ndarray:
    """One unit-length float32 row per text, from the cache or embedded now (and cached)."""
    np = require("numpy")
    hashes = [checksum(t) for t in texts]
    with project.read() as conn:
        cached = _cached(conn, model, hashes)
    new = {d: t for d, t in zip(hashes, texts, strict=True) if d not in cached}
    if new:
        cached.update(store(project, model, list(new.values()), model.encode(list(new.values()))))
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    joined = b"".join(cached[d] for d in hashes)
    rows16 = np.frombuffer(joined, dtype="<f2").reshape(len(texts), model.dim)
    return normalise(rows16.astype(np.float32))


def cached(project: Project, model: Embedder, text: str) -> np.ndarray | None:
    """The cached vector of one text, or None; nothing is embedded or written."""
    np = require("numpy")
    with project.read() as conn:
        found = _cached(conn, model, [checksum(text)])
    if not found:
        return None
    (row,) = found.values()
    return normalise(np.frombuffer(row, dtype="<f2").astype(np.float32)[None, :])[0]


def _cached(conn: Connection, model: Embedder, hashes: Sequence[str]) -> dict[str, bytes]:
    query = select(embedding.c.text_hash, embedding.c.vector).where(
        embedding.c.model == model.name, embedding.c.model_hash == model.hash
    )
    wanted = set(hashes)
    if len(wanted) > _LOOKUP_LIMIT:
        return {d: bytes(v) for d, v in conn.execute(query) if d in wanted}
    found: dict[str, bytes] = {}
    ordered = sorted(wanted)
    for at in range(0, len(ordered), _BATCH):
        batch = ordered[at : at + _BATCH]
        found.update(
            (d, bytes(v)) for d, v in conn.execute(query.where(embedding.c.text_hash.in_(batch)))
        )
    return found


def _insert_new(conn: Connection, rows: list[dict]) -> None:
    """Insert rows, skipping any another process cached meanwhile."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    statement = insert(embedding).on_conflict_do_nothing(
        index_elements=["model", "model_hash", "text_hash"]
    )
    for at in range(0, len(rows), _BATCH):
        conn.execute(statement, rows[at : at + _BATCH])


def live_texts(conn: Connection) -> tuple[dict[int, list[str]], list[str]]:
    """Every text the cache may hold a vector for: by source id, each turn and each of
    its sentences, the whole text of a source without turns, and each coded segment;
    and apart, each code's description."""
    from thematica.assist.passages import description_text, sentences

    texts = dict(conn.execute(select(source.c.id, source.c.text)).all())
    spans: list[tuple[int, int, int]] = list(
        conn.execute(select(turn.c.source_id, turn.c.start, turn.c.end))
    )
    with_turns = {source_id for source_id, _, _ in spans}
    spans += [(sid, 0, len(text)) for sid, text in texts.items() if sid not in with_turns]
    found: dict[int, list[str]] = {source_id: [] for source_id in texts}
    for source_id, start, end in spans:
        text = texts[source_id]
        pieces = [(start, end), *sentences(text[start:end], start)]
        found[source_id] += [text[s:e].strip() for s, e in pieces]
    for source_id, start, end in conn.execute(
        select(coding.c.source_id, coding.c.start, coding.c.end)
    ):
        found[source_id].append(texts[source_id][start:end])
    descriptions = [
        description_text(name, description)
        for name, description in conn.execute(select(code.c.name, code.c.description))
    ]
    return found, descriptions


def live_hashes(conn: Connection) -> set[str]:
    """The hash of every text of :func:`live_texts`."""
    by_source, descriptions = live_texts(conn)
    return {checksum(t) for texts in by_source.values() for t in texts} | {
        checksum(d) for d in descriptions
    }


def missing(project: Project, model: Embedder, texts: Sequence[str]) -> list[str]:
    """The texts (each once) that the cache holds no vector for under ``model``."""
    hashes = {checksum(t): t for t in texts}
    with project.read() as conn:
        cached = _cached(conn, model, list(hashes))
    return [text for digest, text in hashes.items() if digest not in cached]


def store(
    project: Project, model: Embedder, texts: Sequence[str], rows: np.ndarray, prune: bool = True
) -> dict[str, bytes]:
    """Keep ``rows`` (one vector per text, from ``model``) in the cache; return them as
    stored, by the hash of their text. ``prune``: also drop the vectors no text of the
    project has any more (a batch storing source after source does it once, at the end)."""
    np = require("numpy")
    half = np.asarray(rows, dtype=np.float32).astype(np.float16)
    new = [
        {
            "model": model.name,
            "model_hash": model.hash,
            "text_hash": checksum(t),
            "vector": v.tobytes(),
        }
        for t, v in zip(texts, half, strict=True)
    ]
    with project.writing() as conn:
        _insert_new(conn, new)
        if prune:
            _prune(conn, model)
    return {row["text_hash"]: row["vector"] for row in new}


def tidy(project: Project, model: Embedder) -> None:
    """Drop the vectors no text of the project has any more, and another build's."""
    with project.writing() as conn:
        _prune(conn, model)


def _prune(conn: Connection, model: Embedder) -> None:
    # A model rebuilt under the same name makes its old vectors useless.
    conn.execute(
        delete(embedding).where(
            embedding.c.model == model.name, embedding.c.model_hash != model.hash
        )
    )
    prune(conn)


def prune(conn: Connection) -> int:
    """Remove cached vectors of texts the project no longer has; return how many.

    For a participant's withdrawal, say, inside its transaction: ``prune(tx.conn)``. An
    empty cache needs nothing, not even the assist extra.
    """
    if conn.execute(select(embedding.c.id).limit(1)).first() is None:
        return 0
    live = live_hashes(conn)
    stale = [
        row_id
        for row_id, digest in conn.execute(select(embedding.c.id, embedding.c.text_hash))
        if digest not in live
    ]
    for at in range(0, len(stale), _BATCH):
        conn.execute(delete(embedding).where(embedding.c.id.in_(stale[at : at + _BATCH])))
    return len(stale)
