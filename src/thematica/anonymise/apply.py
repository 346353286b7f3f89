"""Anonymise a project's sources: replace identifiers, remap codings, keep the key apart.

>>> report = anonymise_sources(project, "study.key", passphrase, names=read_names("names.txt"))

One transaction replaces the identifiers in every chosen source (codings, memos and
turns move with the text, through the same operation as any text change) and, before it
commits, saves the original values to the encrypted key vault outside the project. If
saving the key fails, the sources are left as they were. The audit event records what
was replaced and where, never the original words, and the database pages that held the
old text are overwritten, so the project keeps no copy of what was removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.anonymise.gazetteer import aliases
from thematica.anonymise.pipeline import detect
from thematica.anonymise.pseudonyms import Pseudonyms, Replacement, edits, replacements
from thematica.errors import InvalidInput
from thematica.ingest.sources import edit_source_text

if TYPE_CHECKING:
    from thematica.project import Project


@dataclass(frozen=True)
class AnonymiseReport:
    sources: int
    replaced: int
    by_label: dict[str, int]
    codings_removed: int


def new_positions(replaced: Sequence[Replacement]) -> list[tuple[int, int]]:
    """Where each placeholder stands in the anonymised text."""
    shift, placed = 0, []
    for r in replaced:
        start = r.start + shift
        placed.append((start, start + len(r.placeholder)))
        shift += len(r.placeholder) - (r.end - r.start)
    return placed


def anonymise_sources(
    project: Project,
    key: str | Path,
    passphrase: str,
    sources: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> AnonymiseReport:
    """Replace every proposed identifier in ``sources`` (default: all) with its placeholder."""
    from thematica.anonymise.vault import KeyEntry, KeyVault

    key = Path(key)
    chosen = list(sources) if sources else [s.name for s in project.sources.list()]
    if not chosen:
        raise InvalidInput("the project has no sources to anonymise")
    texts = {name: project.sources.text(name) for name in chosen}
    proposals = detect(texts, recognisers, names)
    pseudonyms = Pseudonyms(overrides=dict(overrides or {}), aliases=aliases(dict(names or {})))
    grouped = replacements(proposals, pseudonyms)
    vault = KeyVault.open(key, passphrase) if key.exists() else KeyVault.create(key, passphrase)
    # A second pass would move the placeholders of the first, and the key's positions
    # for them would go stale: anonymise a source once, after review.
    done = [name for name in chosen if vault.lookup(name)]
    if done:
        raise InvalidInput(
            f"{done[0]} is already anonymised (its key entries are in {key}); "
            "name the sources that are not"
        )
    removed = 0
    with project.transaction("anonymise", f"{len(grouped)} sources") as tx:
        # The row changes would hold the original text for undo: this event keeps none.
        tx.undoable = False
        if project.dialect == "sqlite":
            tx.conn.exec_driver_sql("PRAGMA secure_delete = ON")
        entries = []
        for name, replaced in grouped.items():
            report, _, _ = edit_source_text(tx, name, edits(replaced))
            removed += report.collapsed
            entries += [
                KeyEntry(
                    source=name,
                    start=start,
                    end=end,
                    original=r.original,
                    placeholder=r.placeholder,
                    label=r.label,
                    added_by=project.actor,
                )
                for r, (start, end) in zip(replaced, new_positions(replaced), strict=True)
            ]
        counts = Counter(e.label for e in entries)
        tx.after = {"sources": sorted(grouped), "replaced": len(entries), "by_label": counts}
        vault.add(entries)
        vault.save()  # inside the transaction: if this fails, nothing is committed
    if project.dialect == "sqlite":
        with project.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return AnonymiseReport(len(grouped), len(entries), dict(counts), removed)
