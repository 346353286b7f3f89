"""Where a batch runs: a local cluster of worker processes, or a Dask scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from distributed import Client


def require_distributed():
    """The ``distributed`` module, or a one-line error naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise InvalidInput("batch processing needs Dask: pip install 'thematica[batch]'") from None
    return distributed


def parse_scheduler(scheduler: str) -> int | str:
    """The number of local workers for ``local`` or ``local:N``, else the address.

    >>> parse_scheduler("local:3"), parse_scheduler("tcp://10.0.0.5:8786")
    (3, 'tcp://10.0.0.5:8786')
    """
    if scheduler == "local":
        return os.cpu_count() or 1
    if scheduler.startswith("local:"):
        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise InvalidInput(f"--scheduler {scheduler!r}: say local:N with N a whole number >= 1")
        return int(count)
    if "://" not in scheduler and ":" not in scheduler:
        raise InvalidInput(
            f"--scheduler {scheduler!r} is neither local[:N] nor a scheduler address "
            "such as tcp://host:8786"
        )
    return scheduler


@contextlib.contextmanager
def cluster(scheduler: str = "local") -> Iterator[Client]:
    """A Dask client for ``scheduler``: ``local`` (one worker process per core),
    ``local:N`` (N worker processes), or the address of a running scheduler.

    A local cluster listens on loopback only, and its scheduler gives up on a task as
    soon as a worker dies under it, so that :func:`thematica.batch.runner.run` does the
    retrying and can report it. A remote scheduler keeps its own
    ``distributed.scheduler.allowed-failures`` setting.
    """
    distributed = require_distributed()
    import dask

    target = parse_scheduler(scheduler)
    if isinstance(target, str):
        try:
            client = distributed.Client(target, timeout="20s")
        except OSError as error:
            raise InvalidInput(f"cannot reach the Dask scheduler at {target}: {error}") from None
        with client:
            yield client
        return
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        local = distributed.LocalCluster(
            n_workers=target,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
        with local, distributed.Client(local) as client:
            yield client


def dashboard(client: Client) -> str | None:
    """The address of the Dask dashboard, if the scheduler serves one."""
    with contextlib.suppress(Exception):
        if "dashboard" in client.scheduler_info().get("services", {}):
            return client.dashboard_link
    return None
