"""Run one task per item on a Dask cluster and write the results back in order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from thematica.errors import ThematicaError

if TYPE_CHECKING:
    from distributed import Client, Future


@dataclass(frozen=True)
class Failure:
    """An item skipped after failing twice, with the reason."""

    item: str
    error: str


@dataclass
class BatchSummary:
    """What a batch did: items written now (``done``), found done by an earlier run
    (``already``), tried a second time after a failure or a dead worker (``retried``,
    also in ``done`` or ``failed``), and given up on (``failed``)."""

    done: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "already": self.already,
            "retried": self.retried,
            "failed": [{"item": f.item, "error": f.error} for f in self.failed],
        }


def describe(error: BaseException) -> str:
    """One line on why a task failed."""
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return "the worker running it died"
    if isinstance(error, ThematicaError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def run(
    client: Client,
    items: Sequence[str],
    task: Callable[[str], Any],
    write: Callable[[str, Any], None],
    summary: BatchSummary | None = None,
    progress: Callable[[str], None] | None = None,
    argument: Callable[[str], Any] | None = None,
    ready: Mapping[str, Any] | None = None,
) -> BatchSummary:
    """Run ``task(item)`` on the cluster for every item, and ``write(item, result)`` here.

    ``argument(item)``, when given, is what the task gets instead of the item (a
    source's text, say, where the item is its name). ``ready`` holds the results of
    items an earlier run computed: they are written in their place, with no task, and
    counted in ``summary.already``.

    Writes happen in the order of ``items`` as soon as each item and all before it are
    finished, so the store ends as a one-machine run in that order would leave it. A
    task that raises, or whose worker dies, is submitted once more; a second failure,
    or a failure of ``write``, puts the item in ``summary.failed`` and the batch goes
    on. ``task`` must be picklable (a module-level function or a partial of one).
    """
    from distributed import as_completed

    summary = summary if summary is not None else BatchSummary()
    index_of: dict[Future, int] = {}
    attempts = [0] * len(items)

    def submit(i: int) -> Future:
        attempts[i] += 1
        given = argument(items[i]) if argument else items[i]
        future = client.submit(task, given, pure=False, retries=0)
        index_of[future] = i
        return future

    ready = ready or {}
    finished: dict[int, tuple[bool, Any]] = {
        i: (True, ready[item]) for i, item in enumerate(items) if item in ready
    }
    next_write = 0

    def write_finished() -> None:
        nonlocal next_write
        while next_write in finished:
            ok, value = finished.pop(next_write)
            item = items[next_write]
            next_write += 1
            if ok:
                try:
                    write(item, value)
                except ThematicaError as error:
                    ok, value = False, str(error)
            if not ok:
                summary.failed.append(Failure(item, value))
            else:
                (summary.already if item in ready else summary.done).append(item)
            if progress:
                progress(item)

    write_finished()
    pending = as_completed([submit(i) for i in range(len(items)) if items[i] not in ready])
    for future in pending:
        i = index_of.pop(future)
        if future.status == "finished":
            finished[i] = (True, future.result())
        else:
            if attempts[i] < 2:
                summary.retried.append(items[i])
                pending.add(submit(i))
                continue
            finished[i] = (False, _failure(future))
        future.release()
        write_finished()
    return summary


def _failure(future: Future) -> str:
    if future.status == "cancelled":
        return "the scheduler cancelled the task"
    return describe(future.exception())
