"""Anonymise transcripts: replace identifiers, remap codings, keep the key apart.

>>> report = anonymise_sources(project, "study.key", passphrase, decisions=decisions)
>>> report = anonymise_files(["raw/interview-01.docx"], "anonymised/", "study.key", passphrase)
>>> text = reidentify(project, "study.key", passphrase, "interview-01.txt")

In a project, one transaction replaces the identifiers in every chosen source (codings,
memos and turns move with the text, through the same operation as any text change) and,
before it commits, saves the original values to the encrypted key vault outside the
project. If saving the key fails, the sources are left as they were. The audit event
records what was replaced and where, never the original words, and the database pages
that held the old text are overwritten, so the project keeps no copy of what was removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.anonymise.decisions import Decisions
from thematica.anonymise.gazetteer import aliases
from thematica.anonymise.pipeline import Proposal, detect
from thematica.anonymise.pseudonyms import Pseudonyms, Replacement, edits, replacements
from thematica.errors import InvalidInput
from thematica.ingest.sources import edit_source_text
from thematica.text.remap import apply_edits

if TYPE_CHECKING:
    from thematica.anonymise.vault import KeyEntry, KeyVault
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


def study_names(
    names: Mapping[str, str] | None = None, decisions: Decisions | None = None
) -> dict[str, str]:
    """The study's names and the words a reviewer accepted everywhere: both are found
    wherever they occur, with their labels."""
    return {**dict(names or {}), **(decisions.names() if decisions else {})}


def find(
    texts: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    decisions: Decisions | None = None,
) -> list[Proposal]:
    """Every proposal, before decisions are applied: what the recognisers and the names
    find, and whatever a reviewer accepted by hand (found everywhere, like a name)."""
    return detect(texts, recognisers, study_names(names, decisions))


def pseudonyms_for(
    names: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    overrides: Mapping[str, str] | None = None,
    known: Sequence[KeyEntry] = (),
) -> Pseudonyms:
    """The study's placeholders: chosen ones first, then those an earlier anonymisation
    gave (``known`` key entries), then new ones in order."""
    chosen = {**(decisions.placeholders() if decisions else {}), **dict(overrides or {})}
    pseudonyms = Pseudonyms(overrides=chosen, aliases=aliases(study_names(names, decisions)))
    for entry in known:
        pseudonyms.keep(entry.label, entry.original, entry.placeholder)
    return pseudonyms


def plan(
    texts: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    decisions: Decisions | None = None,
    overrides: Mapping[str, str] | None = None,
    known: Sequence[KeyEntry] = (),
) -> dict[str, list[Replacement]]:
    """What would be replaced in each text, and by which placeholder.

    ``decisions`` drop what a reviewer rejected and add what they accepted by hand;
    ``overrides`` (words to placeholder) come on top of the placeholders they chose;
    ``known`` key entries from an earlier anonymisation keep their placeholders.
    """
    decisions = decisions if decisions is not None else Decisions()
    found = find(texts, names, recognisers, decisions)
    return plan_found(found, texts, names, decisions, overrides, known)


def plan_found(
    found: Sequence[Proposal],
    texts: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    overrides: Mapping[str, str] | None = None,
    known: Sequence[KeyEntry] = (),
) -> dict[str, list[Replacement]]:
    """:func:`plan` for proposals :func:`find` gave already (a review keeps them)."""
    decisions = decisions if decisions is not None else Decisions()
    proposals = decisions.apply(found, texts)
    return replacements(proposals, pseudonyms_for(names, decisions, overrides, known))


def _open_vault(key: Path, passphrase: str, names: Sequence[str]) -> KeyVault:
    from thematica.anonymise.vault import KeyVault

    vault = KeyVault.open(key, passphrase) if key.exists() else KeyVault.create(key, passphrase)
    # A second pass would move the placeholders of the first, and the key's positions
    # for them would go stale: anonymise a transcript once, after review.
    done = [name for name in names if vault.lookup(name)]
    if done:
        raise InvalidInput(
            f"{done[0]} is already anonymised (its key entries are in {key}); "
            "name the transcripts that are not"
        )
    return vault


def _key_entries(name: str, replaced: Sequence[Replacement], actor: str | None) -> list:
    from thematica.anonymise.vault import KeyEntry

    return [
        KeyEntry(
            source=name,
            start=start,
            end=end,
            original=r.original,
            placeholder=r.placeholder,
            label=r.label,
            added_by=actor,
        )
        for r, (start, end) in zip(replaced, new_positions(replaced), strict=True)
    ]


def anonymise_sources(
    project: Project,
    key: str | Path,
    passphrase: str,
    sources: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    overrides: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    proposals: Sequence[Proposal] | None = None,
) -> AnonymiseReport:
    """Replace every identifier in ``sources`` (default: all) with its placeholder.

    ``proposals``: what :func:`find` would give for these sources, found already (by
    :mod:`thematica.batch`, on other machines), so the recognisers do not run again.
    """
    key = Path(key)
    chosen = list(sources) if sources else [s.name for s in project.sources.list()]
    if not chosen:
        raise InvalidInput("the project has no sources to anonymise")
    texts = {name: project.sources.text(name) for name in chosen}
    vault = _open_vault(key, passphrase, chosen)
    if proposals is None:
        proposals = find(texts, names, recognisers, decisions)
    grouped = plan_found(proposals, texts, names, decisions, overrides, vault.entries)
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
            entries += _key_entries(name, replaced, project.actor)
        counts = Counter(e.label for e in entries)
        tx.after = {"sources": sorted(grouped), "replaced": len(entries), "by_label": counts}
        vault.add(entries)
        vault.save()  # inside the transaction: if this fails, nothing is committed
    if project.dialect == "sqlite":
        with project.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return AnonymiseReport(len(grouped), len(entries), dict(counts), removed)


def read_files(paths: Sequence[Path], doing: str) -> dict[str, str]:
    """Each file's text, by file name: the name that key entries and decisions about one
    place use. Two files of one name are refused, since they could not be told apart."""
    from thematica.ingest.readers import read_document

    texts: dict[str, str] = {}
    for path in paths:
        if path.name in texts:
            raise InvalidInput(f"two files are called {path.name}: {doing} them separately")
        texts[path.name] = read_document(path).text
    return texts


def anonymise_files(
    paths: Sequence[str | Path],
    out: str | Path,
    key: str | Path,
    passphrase: str,
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    overrides: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    actor: str | None = None,
) -> AnonymiseReport:
    """Write an anonymised copy of each file, as ``OUT/<name>.txt``; originals to the key.

    The key knows each transcript by its file name, as decisions about one place do.
    Nothing is written unless everything is: the copies go in only after the key is
    saved, and an existing copy is never overwritten.
    """
    from thematica.project import default_actor

    key, out = Path(key), Path(out)
    actor = actor or default_actor()
    files = [Path(p) for p in paths]
    if not files:
        raise InvalidInput("no files to anonymise")
    texts = read_files(files, "anonymise")
    targets = {name: out / f"{Path(name).stem}.txt" for name in texts}
    if out.resolve() in {p.resolve().parent for p in files}:
        raise InvalidInput("write the anonymised copies to another folder than the originals")
    clash = next((t for t in targets.values() if t.exists()), None)
    if clash is not None:
        raise InvalidInput(f"{clash} already exists: choose another --out folder")
    vault = _open_vault(key, passphrase, list(texts))
    grouped = plan(texts, names, recognisers, decisions, overrides, vault.entries)
    entries = [e for name, replaced in grouped.items() for e in _key_entries(name, replaced, actor)]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, text in texts.items():
            staged = targets[name].with_name(f".{targets[name].name}.partial")
            staged.write_text(apply_edits(text, edits(grouped.get(name, []))), encoding="utf-8")
            written.append(staged)
        vault.add(entries)
        vault.save()
        for staged in written:
            staged.rename(staged.with_name(staged.name[1:].removesuffix(".partial")))
    except BaseException:
        for staged in written:
            staged.unlink(missing_ok=True)
        raise
    counts = Counter(e.label for e in entries)
    return AnonymiseReport(len(texts), len(entries), dict(counts), 0)


def reidentify(project: Project, key: str | Path, passphrase: str, source: str) -> str:
    """A source's text with the original words put back, from the key; audited.

    The project keeps no original words, so this needs the key and its passphrase. Each
    time it is done, the audit log records who read which source (never the words).
    """
    from thematica.anonymise.vault import KeyVault

    vault = KeyVault.open(Path(key), passphrase)
    text = project.sources.text(source)
    entries = sorted(vault.lookup(source), key=lambda e: e.start, reverse=True)
    if not entries:
        raise InvalidInput(f"the key {key} holds no identifiers of {source}")
    for e in entries:
        if text[e.start : e.end] != e.placeholder:
            raise InvalidInput(
                f"{source} has changed at [{e.start}, {e.end}) since it was anonymised "
                f"(expected {e.placeholder!r}); the key no longer fits it"
            )
        text = text[: e.start] + e.original + text[e.end :]
    with project.transaction("re-identify", source) as tx:
        tx.after = {"identifiers": len(entries), "key": str(key)}
    return text
