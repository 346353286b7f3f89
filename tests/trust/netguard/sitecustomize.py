"""The no-network tests' socket guard, loaded by every Python process they start.

This folder goes first on ``PYTHONPATH``, so Python imports this file at start-up
(``sitecustomize``). With ``THEMATICA_NET_GUARD_LOG`` set, every way Python's socket
module reaches another machine (connect, connect_ex, sendto, create_connection,
getaddrinfo and gethostbyname for a name or address that is not this machine) is
refused as an unreachable network would refuse it, and written to that file, one line
per attempt: ``pid call target``. Loopback (127.0.0.0/8, ::1, localhost) and Unix
sockets are allowed: the browser workbench and a local PostgreSQL use them.

Connections made in C outside Python's socket module (libpq, a subprocess that is not
Python) are not seen here; the tests also run inside a network namespace with only
loopback up where ``unshare -rn`` works.
"""

import errno
import ipaddress
import os
import socket

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_loopback(host) -> bool:
    if host is None:
        return True  # a passive lookup: an address to bind to, not a place to go
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0]
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", None) or isinstance(address, str | bytes):
        return True
    return is_loopback(address[0])


def patches(log_path: str) -> list[tuple[object, str, object]]:
    """(owner, attribute, replacement) for every guarded call, recording to ``log_path``."""

    def record(call: str, target: object) -> None:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {call} {target!r}\n")

    def refused(call: str, target: object) -> OSError:
        record(call, target)
        return OSError(errno.ENETUNREACH, f"network is unreachable ({call} {target!r} blocked)")

    real = socket.socket
    real_connect, real_connect_ex, real_sendto = real.connect, real.connect_ex, real.sendto
    real_getaddrinfo, real_create = socket.getaddrinfo, socket.create_connection
    real_byname, real_byname_ex = socket.gethostbyname, socket.gethostbyname_ex

    def connect(self, address):
        if not _allowed(self.family, address):
            raise refused("connect", address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _allowed(self.family, address):
            record("connect_ex", address)
            return errno.ENETUNREACH
        return real_connect_ex(self, address)

    def sendto(self, data, *rest):
        address = rest[-1]
        if not _allowed(self.family, address):
            raise refused("sendto", address)
        return real_sendto(self, data, *rest)

    def getaddrinfo(host, *args, **kwargs):
        if not is_loopback(host):
            record("getaddrinfo", host)
            raise socket.gaierror(socket.EAI_NONAME, f"lookup of {host!r} blocked")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        if not is_loopback(address[0]):
            raise refused("create_connection", address)
        return real_create(address, *args, **kwargs)

    def gethostbyname(host):
        if not is_loopback(host):
            raise refused("gethostbyname", host)
        return real_byname(host)

    def gethostbyname_ex(host):
        if not is_loopback(host):
            raise refused("gethostbyname_ex", host)
        return real_byname_ex(host)

    return [
        (real, "connect", connect),
        (real, "connect_ex", connect_ex),
        (real, "sendto", sendto),
        (socket, "getaddrinfo", getaddrinfo),
        (socket, "create_connection", create_connection),
        (socket, "gethostbyname", gethostbyname),
        (socket, "gethostbyname_ex", gethostbyname_ex),
    ]


if os.environ.get("THEMATICA_NET_GUARD_LOG"):
    for owner, name, replacement in patches(os.environ["THEMATICA_NET_GUARD_LOG"]):
        setattr(owner, name, replacement)
