"""Running the workbench: a socket on 127.0.0.1 only, Uvicorn, and the browser.

There is deliberately no option to listen on another address: the workbench has no
log-in, and a study's transcripts must not be reachable from the network.
"""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from typing import TYPE_CHECKING

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from thematica.project import Project

HOST = "127.0.0.1"


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as error:
        sock.close()
        raise InvalidInput(
            f"cannot listen on {HOST}:{port} ({error.strerror}): choose another port with "
            "--port, or --port 0 for any free one"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    project: Project,
    sock: socket.socket,
    open_browser: bool = False,
    ready: Callable[[str], None] | None = None,
    assist_model: str | None = None,
) -> None:
    """Serve ``project`` on ``sock`` until interrupted (Ctrl+C). ``assist_model`` is the
    model of assisted coding, loaded in a background thread on first use (see
    :mod:`thematica.web.assist_model`)."""
    import uvicorn

    from thematica.web.app import create_app

    port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}/"
    app = create_app(project, port=port, assist_model=assist_model)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,
        ws="none",
    )
    server = uvicorn.Server(config)

    def started() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            if ready:
                ready(url)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=started, daemon=True).start()
    server.run(sockets=[sock])
