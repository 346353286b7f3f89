"""The batch steps: what each worker computes, and how the results are written back."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from thematica.batch.runner import BatchSummary, run
from thematica.errors import InvalidInput
from thematica.ingest.readers import Document, ReadOptions, read_document

if TYPE_CHECKING:
    from distributed import Client

    from thematica.anonymise.apply import AnonymiseReport
    from thematica.anonymise.decisions import Decisions
    from thematica.anonymise.findings import Finding
    from thematica.assist.registry import ModelSpec
    from thematica.ingest.sources import TurnOptions
    from thematica.project import Project

Progress = Callable[[str], None]


# -- import ----------------------------------------------------------------------------


def is_url(item: str | Path) -> bool:
    return "://" in str(item)


def list_files(paths: Sequence[str | Path], recursive: bool = False) -> list[str]:
    """The files named and the readable files in the folders named, local paths or
    fsspec URLs (``s3://bucket/interviews/``), in a stable order."""
    from thematica.ingest.readers import supported
    from thematica.ingest.sources import expand_paths

    suffixes = set(supported())
    found: list[str] = []
    for given in paths:
        if not is_url(given):
            found += [str(p) for p in expand_paths([given], recursive)]
            continue
        import fsspec

        fs, root = fsspec.core.url_to_fs(str(given))
        protocol = str(given).split("://", 1)[0]
        if fs.isdir(root):
            listed = fs.find(root, maxdepth=None if recursive else 1)
            found += sorted(
                f"{protocol}://{p}" for p in listed if PurePosixPath(p).suffix.lower() in suffixes
            )
        else:
            found.append(str(given))
    return found


def file_name(item: str) -> str:
    """The source name a file gets, as ``thematica sources add`` names it."""
    return PurePosixPath(item).name if is_url(item) else Path(item).name


def read_file(item: str, options: ReadOptions | None = None) -> Document:
    """Read one file, on a worker: a local path, or an fsspec URL copied to a
    temporary file first (the readers need a real file)."""
    if not is_url(item):
        return read_document(item, options)
    import fsspec

    with tempfile.TemporaryDirectory(prefix="thematica-") as folder:
        local = Path(folder) / file_name(item)
        with fsspec.open(item, "rb") as remote, local.open("wb") as copy:
            while block := remote.read(1 << 20):
                copy.write(block)
        return read_document(local, options)


def import_files(
    project: Project,
    paths: Sequence[str | Path],
    client: Client,
    options: ReadOptions | None = None,
    case: str | None = None,
    turns: TurnOptions | None = None,
    recursive: bool = False,
    progress: Progress | None = None,
) -> BatchSummary:
    """``thematica sources add`` over a cluster: workers read the files (the slow part
    for Word and PDF transcripts), and each is added here in its own transaction.

    A file already added from the same place (by an interrupted run) is counted in
    ``already`` and not read again.
    """
    items = list_files(paths, recursive)
    if not items:
        raise InvalidInput("no readable files were named")
    added = {(s.name, s.origin) for s in project.sources.list()}
    summary = BatchSummary()
    todo = []
    for item in items:
        (summary.already if (file_name(item), item) in added else todo).append(item)

    def write(item: str, document: Document) -> None:
        report = project.sources.add_documents([(file_name(item), document, item)], (), case, turns)
        if report.skipped:
            raise InvalidInput(report.skipped[0][1])

    return run(client, todo, partial(read_file, options=options), write, summary, progress)


# -- transcribe ------------------------------------------------------------------------


@cache
def _transcriber(model: str, language: str | None):
    # One model a worker process, loaded by its first recording and kept for the rest.
    from thematica.transcribe.pipeline import Transcriber

    return Transcriber(model, language)


def transcribe_recording(recording: str, model: str, language: str | None) -> str:
    """Transcribe one recording into its draft beside it, on a worker; the draft's path.

    A worker stopped mid-recording leaves the draft's checkpoint, from which the next
    attempt (here or on another worker) goes on.
    """
    from thematica.transcribe.pipeline import default_draft

    draft = default_draft(recording)
    _transcriber(model, language).transcribe(recording, draft)
    return str(draft)


def transcribe_recordings(
    project: Project | None,
    recordings: Sequence[str | Path],
    client: Client,
    model: str = "tiny.en",
    language: str | None = None,
    case: str | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """``thematica transcribe`` over a cluster: each recording is transcribed by a
    worker into a draft beside it (so on storage every worker reaches), and, given a
    ``project``, confirmed into it here, one transaction each, in the order given.

    A recording whose draft exists already is counted in ``already`` (and, given a
    project, confirmed if it is not a source yet): drafts are never written over, as
    they may hold corrections.
    """
    from thematica.transcribe.draft import confirm
    from thematica.transcribe.pipeline import Transcriber, default_draft

    Transcriber(model, language)  # a model that is not there fails here, not on every worker
    items = [str(r) for r in recordings]
    missing = [r for r in items if not Path(r).is_file()]
    if missing:
        raise InvalidInput(f"no such recording: {missing[0]}")
    sources = {s.name for s in project.sources.list()} if project is not None else set()
    # A draft already there (perhaps corrected by now) is never transcribed again; with a
    # project, it is confirmed in its place in the order, unless it is a source already.
    ready: dict[str, str | None] = {}
    for item in items:
        draft = default_draft(item)
        if draft.exists():
            ready[item] = str(draft) if draft.name not in sources else None

    def write(item: str, draft: str | None) -> None:
        if project is not None and draft is not None:
            confirm(project, draft, case=case)

    task = partial(transcribe_recording, model=model, language=language)
    return run(client, items, task, write, progress=progress, ready=ready)


# -- embed -----------------------------------------------------------------------------


def embed_texts(texts: list[str], model: ModelSpec) -> Any:
    """Embed ``texts`` with ``model``, on a worker (loaded once there)."""
    from thematica.assist.embedders import load_model

    return load_model(model).encode(texts)


def embed_sources(
    project: Project,
    client: Client,
    model: str | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Fill the embedding cache of assisted coding (``thematica assist``) over a
    cluster: each source's turns, sentences and coded segments are embedded by a worker
    and kept here, source by source, as `assist similar` would embed them on first use.

    What the cache holds already is not embedded again, so a rerun goes on where the
    last stopped; a source with nothing left to embed is counted in ``already``.
    """
    from thematica.assist import cache
    from thematica.store.schema import source

    spec = project.assist.spec(model)
    embedder = project.assist.model(model)
    with project.read() as conn:
        by_source, descriptions = cache.live_texts(conn)
        names = dict(
            conn.execute(source.select().with_only_columns(source.c.id, source.c.name)).all()
        )
    summary = BatchSummary()
    todo: dict[str, list[str]] = {}
    for source_id in sorted(by_source, key=names.__getitem__):
        new = cache.missing(project, embedder, by_source[source_id])
        if new:
            todo[names[source_id]] = new
        else:
            summary.already.append(names[source_id])

    def write(name: str, rows: Any) -> None:
        cache.store(project, embedder, todo[name], rows, prune=False)

    task = partial(embed_texts, model=spec)
    run(client, list(todo), task, write, summary, progress, argument=todo.__getitem__)
    cache.vectors(project, embedder, descriptions)  # a few: embedded here
    cache.tidy(project, embedder)
    return summary


# -- anonymise -------------------------------------------------------------------------


class FindingsCache:
    """Each source's findings, kept as they arrive in a JSON-lines file, so that an
    interrupted batch does not run the recognisers again on the texts already done.

    A line holds a source's name, the checksum of its text and of the settings, and
    the findings' offsets, labels and scores: never the words themselves. The file is
    removed once the anonymisation is applied.
    """

    def __init__(self, path: Path, settings: Mapping[str, Any]) -> None:
        self.path = path
        self.settings = hashlib.sha256(
            json.dumps(settings, sort_keys=True).encode("utf-8")
        ).hexdigest()
        self.found: dict[tuple[str, str], list[Finding]] = {}
        if path.exists():
            self._load()

    def _load(self) -> None:
        from thematica.anonymise.findings import Finding

        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short when the last run was killed
            if row.get("settings") == self.settings:
                found = [Finding(*f) for f in row["findings"]]
                self.found[(row["source"], row["checksum"])] = found

    def get(self, source: str, checksum: str) -> list[Finding] | None:
        return self.found.get((source, checksum))

    def add(self, source: str, checksum: str, findings: Sequence[Finding]) -> None:
        self.found[(source, checksum)] = list(findings)
        row = {
            "source": source,
            "checksum": checksum,
            "settings": self.settings,
            "findings": [[f.start, f.end, f.label, f.score, f.recogniser] for f in findings],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def anonymise_sources(
    project: Project,
    client: Client,
    key: str | Path,
    passphrase: str,
    state: str | Path,
    sources: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    recognisers: Sequence[str] | None = None,
    overrides: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    progress: Progress | None = None,
) -> tuple[BatchSummary, AnonymiseReport | None]:
    """``thematica anonymise apply`` over a cluster: workers run the recognisers on
    each source; the study-wide steps (one label per string, propagation) and the
    replacement run here, in one transaction, as the one-machine command does.

    The study-wide steps need every text's findings, so nothing is written until all
    are in; ``state`` is the folder of the cache that lets an interrupted batch go on.
    If any source fails twice, nothing is anonymised (the report is None).
    """
    from thematica.anonymise.apply import anonymise_sources as apply_to_sources
    from thematica.anonymise.apply import study_names
    from thematica.anonymise.pipeline import combine, find_in
    from thematica.text import checksum

    chosen = list(sources) if sources else [s.name for s in project.sources.list()]
    if not chosen:
        raise InvalidInput("the project has no sources to anonymise")
    texts = {name: project.sources.text(name) for name in chosen}
    gazetteer = study_names(names, decisions)
    cache = FindingsCache(
        Path(state) / "anonymise.jsonl",
        {"recognisers": sorted(recognisers) if recognisers else None, "names": gazetteer},
    )
    sums = {name: checksum(text) for name, text in texts.items()}
    summary = BatchSummary()
    todo = []
    for name in chosen:
        (summary.already if cache.get(name, sums[name]) is not None else todo).append(name)

    def write(name: str, found: list[Finding]) -> None:
        cache.add(name, sums[name], found)

    task = partial(find_in, recognisers=recognisers, names=gazetteer)
    run(client, todo, task, write, summary, progress, argument=texts.__getitem__)
    if summary.failed:
        return summary, None
    found = {name: cache.get(name, sums[name]) or [] for name in chosen}
    report = apply_to_sources(
        project,
        key,
        passphrase,
        chosen,
        names,
        recognisers,
        overrides,
        decisions,
        proposals=combine(texts, found),
    )
    cache.remove()
    return summary, report
