"""The log-in rate limit, on a clock the test moves."""

import pytest

from thematica.team.ratelimit import LoginLimiter, TooManyAttempts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_in_a_minute_lock_the_account_from_anywhere():
    clock = Clock()
    limiter = LoginLimiter(failures=5, window=60, clock=clock)
    for _ in range(4):
        limiter.failed("Dev", "10.0.0.7")
        clock.now += 1
    assert limiter.wait("Dev", "10.0.0.7") == 0
    limiter.failed("Dev", "10.0.0.7")
    assert limiter.wait("Dev", "10.0.0.9") == 56  # the first failure was 4 s ago
    assert limiter.wait("dev", "10.0.0.9") == 56  # whatever the case of the name
    with pytest.raises(TooManyAttempts, match=r"^Too many attempts: try again in 56 s\.$"):
        limiter.check("Dev", "10.0.0.9")
    clock.now += 56
    assert limiter.wait("Dev", "10.0.0.9") == 0


def test_failures_from_one_address_lock_every_account_from_there():
    clock = Clock()
    limiter = LoginLimiter(failures=5, window=60, clock=clock)
    for name in ("a", "b", "c", "d", "e"):
        limiter.failed(name, "10.0.0.7")
    assert limiter.wait("f", "10.0.0.7") == 60
    assert limiter.wait("f", "10.0.0.8") == 0


def test_a_right_password_clears_the_account_but_not_the_address():
    clock = Clock()
    limiter = LoginLimiter(failures=2, window=60, clock=clock)
    limiter.failed("Dev", "10.0.0.7")
    limiter.succeeded("Dev")
    limiter.failed("Dev", "10.0.0.8")
    assert limiter.wait("Dev", "10.0.0.9") == 0
    limiter.failed("Eve", "10.0.0.7")
    assert limiter.wait("Zed", "10.0.0.7") == 60
