"""The log-in rate limit: after ``failures`` wrong passwords within ``window`` seconds,
for one account or from one address, log-ins are refused until the oldest of them is
``window`` seconds old.

>>> limiter = LoginLimiter(failures=5, window=60)
>>> for _ in range(5):
...     limiter.failed("Dev", "10.0.0.7")
>>> limiter.wait("Dev", "10.0.0.9")      # the account is locked, from anywhere
60

Counting per account stops guessing one account's password from many addresses;
counting per address stops trying one password on many accounts. Kept in the server's
memory (one team server serves one project), so a restart forgets it. Written here
because what it counts (a name and an address, checked before the password) is ours.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class TooManyAttempts(Exception):
    """Log-in refused for ``seconds`` more."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"Too many attempts: try again in {seconds} s.")
        self.seconds = seconds


class LoginLimiter:
    def __init__(
        self,
        failures: int = 5,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        return f"account:{account.strip().casefold()}", f"address:{address}"

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._seen[key]
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if not seen:
            del self._seen[key]  # keep the table to the keys that are being refused
            return deque()
        return seen

    def wait(self, account: str, address: str) -> int:
        """Seconds until a log-in as ``account`` from ``address`` is tried again; 0: now."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in self._keys(account, address):
                seen = self._recent(key, now)
                if len(seen) >= self.failures:
                    longest = max(longest, seen[-self.failures] + self.window - now)
        return math.ceil(longest)

    def check(self, account: str, address: str) -> None:
        """Raise :class:`TooManyAttempts` while log-ins are refused."""
        seconds = self.wait(account, address)
        if seconds:
            raise TooManyAttempts(seconds)

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(account, address):
                self._seen[key].append(now)

    def succeeded(self, account: str) -> None:
        """A right password: the account's count starts again (the address's stays, so
        that one good account does not clear the way for guessing others)."""
        with self._lock:
            self._seen.pop(self._keys(account, "")[0], None)
