"""Times into a recording, written as people read them."""


def clock(seconds: float) -> str:
    """``83.4`` as ``1:23``, ``3723`` as ``1:02:03``: how media players show a time, in
    the CLI, the browser, queries and reports alike.

    >>> clock(83.4), clock(3723), clock(5)
    ('1:23', '1:02:03', '0:05')
    """
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
