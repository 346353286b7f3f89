"""Running the workbench: a socket on 127.0.0.1, Uvicorn, and the browser.

The local workbench has no log-in, so it listens on 127.0.0.1 only: a study's
transcripts must not be reachable from the network. Only a team server (``thematica
serve --team``, with accounts and log-in) may listen on another address.
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


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on ``host`` (127.0.0.1 unless a team server says otherwise;
    ``port`` 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InvalidInput(
            f"cannot listen on {host}:{port} ({error.strerror}): choose another port with "
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
    team: bool = False,
    allowed_hosts: tuple[str, ...] = (),
    behind_proxy: bool = False,
) -> None:
    """Serve ``project`` on ``sock`` until interrupted (Ctrl+C). ``assist_model`` is the
    model of assisted coding, loaded in a background thread on first use (see
    :mod:`thematica.web.assist_model`). ``team``: a team server answering to
    ``allowed_hosts`` as well; ``behind_proxy``: the client's address and scheme are
    taken from the X-Forwarded-For and X-Forwarded-Proto headers of a proxy on this
    machine (127.0.0.1), so that cookies are Secure behind a proxy that speaks https."""
    import uvicorn

    from thematica.web.app import create_app

    host, port = sock.getsockname()[:2]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    app = create_app(
        project, port=port, assist_model=assist_model, team=team, allowed_hosts=allowed_hosts
    )
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=behind_proxy,
        forwarded_allow_ips="127.0.0.1",
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
