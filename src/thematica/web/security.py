"""The guard in front of every request: safe by default for a server on this machine.

* Host check: the server binds 127.0.0.1 only, but a web page elsewhere can point a
  name it controls at 127.0.0.1 (DNS rebinding) and read what the server answers. Only
  ``127.0.0.1:PORT`` and ``localhost:PORT`` are answered (and a team server's public
  names, given with ``--allowed-host``); anything else gets 403.
* CSRF: every change (POST, PUT, PATCH, DELETE) carries the server's token, in the
  ``X-CSRF-Token`` header or a ``csrf_token`` form field; a request from another
  origin (``Origin`` or ``Sec-Fetch-Site`` says so) is refused as well.
* Headers: a strict Content-Security-Policy (scripts and styles from this server only,
  no inline script, nothing from any other host), no framing, no referrer sent to any
  other site, no sniffing.
* Timing: ``Server-Timing: app;dur=MS`` on every answer, read by the benchmark.

Written as plain ASGI middleware rather than with a framework's helpers: it must see
every request before routing, including requests for routes that do not exist. A team
server's guard (:class:`thematica.web.team.TeamGuard`) adds log-in and per-session
tokens through :meth:`Guard.admit` and :meth:`Guard.expected_token`.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 1 << 20
LOCAL_NAMES = ("127.0.0.1", "localhost")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",  # the recording attached to a source, played in the reader
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Not no-referrer: under it Chromium sends a plain form's POST with "Origin: null",
    # which the origin check above must refuse; same-origin gives this server its own
    # origin back and any other site nothing.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def allowed_hosts(port: int | None) -> frozenset[str]:
    """The Host header values answered: the local names with the server's port (and
    without one when the port is 80, as browsers send it). ``None``: any port."""
    if port is None:
        return frozenset()
    hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
    if port == 80:
        hosts.update(LOCAL_NAMES)
    return frozenset(hosts)


def public_hosts(names: Sequence[str], port: int | None) -> frozenset[str]:
    """The Host header values a team server's public names stand for: a name given with
    a port as it is; one without, bare (a proxy's port 80 or 443) and with the server's
    port."""
    hosts = set()
    for name in names:
        name = name.strip().lower()
        hosts.add(name)
        if port is not None and not name.rsplit(":", 1)[-1].isdigit():
            hosts.add(f"{name}:{port}")
    return frozenset(hosts)


class Guard:
    """ASGI middleware: Host check, CSRF and origin check, security headers, timing.

    ``hosts``: public names answered besides the local ones (a team server's), over
    http or https.
    """

    def __init__(
        self, app: ASGIApp, token: str, port: int | None, hosts: Sequence[str] = ()
    ) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.hosts = allowed_hosts(port)
        self.public = public_hosts(hosts, port)
        self.origins = frozenset(f"http://{host}" for host in self.hosts) | frozenset(
            f"{scheme}://{host}" for host in self.public for scheme in ("http", "https")
        )

    def host_ok(self, host: str) -> bool:
        if host.lower() in self.public:
            return True
        if self.port is None:
            return host.rsplit(":", 1)[0] in LOCAL_NAMES
        return host in self.hosts

    def origin_ok(self, origin: str) -> bool:
        if origin.lower() in self.origins:
            return True
        if self.port is None:
            name = origin.removeprefix("http://").rsplit(":", 1)[0]
            return origin.startswith("http://") and name in LOCAL_NAMES
        return False

    async def admit(
        self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send
    ) -> Receive | None:
        """Before the CSRF check: the ``receive`` to go on with, or None when the
        request has been answered here. The local workbench admits everyone."""
        return receive

    def expected_token(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """The CSRF token a change must carry (None: no change is accepted)."""
        return self.token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                extra = list(SECURITY_HEADERS)
                extra.append((b"server-timing", f"app;dur={elapsed:.2f}".encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        if not self.host_ok(headers.get("host", "")):
            await refuse(
                scope,
                send_guarded,
                "This server answers only to http://127.0.0.1 and http://localhost "
                "on its own port (the Host header did not match).",
            )
            return
        admitted = await self.admit(scope, headers, receive, send_guarded)
        if admitted is None:
            return
        receive = admitted
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send_guarded)
            return
        origin = headers.get("origin")
        if (origin is not None and not self.origin_ok(origin)) or headers.get(
            "sec-fetch-site"
        ) == "cross-site":
            await refuse(scope, send_guarded, "Refused: the request came from another site.")
            return
        token = headers.get(CSRF_HEADER)
        if token is None and headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            body, receive = await buffer_body(receive)
            if body is None:
                await refuse(scope, send_guarded, "Refused: the form is too large.", status=413)
                return
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            token = (fields.get(CSRF_FIELD) or [None])[0]
        expected = self.expected_token(scope, headers)
        if (
            token is None
            or expected is None
            or not hmac.compare_digest(token.encode(), expected.encode())
        ):
            await refuse(
                scope,
                send_guarded,
                "Refused: the security token is missing or out of date. Reload the page "
                "and try again.",
            )
            return
        await self.app(scope, receive, send_guarded)


async def buffer_body(
    receive: Receive, limit: int = MAX_FORM_BYTES
) -> tuple[bytes | None, Receive]:
    """Read the whole request body, and a ``receive`` that hands it on again; None for
    the body when it is longer than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None, receive
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def is_api(path: str) -> bool:
    """A request of the JSON API (:mod:`thematica.web.api`): answered in JSON, never
    sent to a page."""
    return path.startswith("/api/")


async def refuse(
    scope: Scope,
    send: Send,
    text: str,
    status: int = 403,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with one line of text (and ``headers``), before any route is reached; to
    the JSON API as its errors are, ``{"detail": text}``."""
    if is_api(scope.get("path", "")):
        body, kind = json.dumps({"detail": text}).encode(), b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
