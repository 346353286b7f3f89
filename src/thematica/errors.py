"""Errors a user can act on.

Every error that bad input can cause is a :class:`ThematicaError`; its message is one line
that says what went wrong and, where possible, what to do next. The CLI prints it and
exits with status 2; anything else escaping is a bug.
"""


class ThematicaError(Exception):
    """Base class for errors caused by input or project state, not by a bug."""


class NotFound(ThematicaError):
    """A named source, code, case, coder, coding or memo does not exist."""


class InvalidInput(ThematicaError):
    """Arguments or file contents that cannot be used as given."""


class ProjectError(ThematicaError):
    """The project file cannot be opened: missing, not ours, or from a newer version."""


class ProjectBusy(ThematicaError):
    """Another process held the project's write lock for longer than the timeout."""


class Conflict(ThematicaError):
    """Someone changed the thing since the version the change was made against."""


def not_found(kind: str, name: object, candidates: list[str], listing: str) -> NotFound:
    """A :class:`NotFound` that suggests the closest existing names.

    >>> str(not_found("code", "Warmht", ["Warmth", "Trust"], "thematica codes list"))
    "unknown code 'Warmht' (did you mean 'Warmth'?); `thematica codes list` shows them all"
    """
    import difflib

    close = difflib.get_close_matches(str(name), candidates, n=2, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return NotFound(f"unknown {kind} {str(name)!r}{hint}; `{listing}` shows them all")
