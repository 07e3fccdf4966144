"""The exceptions of the client.

Every failure of a call to the console is a ``ConsoleError``: it carries the HTTP status
(``None`` when the console could not be reached) and the field messages of a refused
request, nested as the REST API answers them::

    {"max_concurrent": ["Max concurrent trials (5) cannot be more than max trials (2)."],
     "search_space": {"lr": {"high": ["..."]}}}

A bad value given to the vocabulary itself (``loguniform(-1, -5)``) is a ``SpecError``,
raised at once, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "AmbiguousName",
    "AuthenticationError",
    "ConsoleError",
    "JobFailed",
    "NotFound",
    "SpecError",
    "Unreachable",
    "flatten_messages",
]


class SpecError(ValueError):
    """A search space, sampling or policy that cannot be right (raised before any request)."""


class ConsoleError(Exception):
    """The console refused a request or could not be reached.

    ``fields`` holds the per-field messages of a 400 answer (empty otherwise); ``str()``
    gives the message followed by one ``field: message`` line per field message.
    """

    def __init__(
        self, message: str, *, status: int | None = None, fields: Mapping[str, Any] | None = None
    ) -> None:
        self.message = message
        self.status = status
        self.fields: dict[str, Any] = dict(fields or {})
        super().__init__(message)

    def field_messages(self) -> list[tuple[str, str]]:
        """``(dotted field, message)`` pairs, in the order the console gave them."""
        return list(flatten_messages(self.fields))

    def __str__(self) -> str:
        lines = [self.message]
        lines.extend(f"  {field or 'error'}: {text}" for field, text in self.field_messages())
        return "\n".join(lines)


class NotFound(ConsoleError):
    """404: no such object, or another user's (the console does not tell which)."""


class AmbiguousName(ConsoleError):
    """A name several objects the caller can see share (staff see every user's), none of
    them or more than one of them the caller's: ``choices`` holds their ``(id, owner)``,
    and the message says to use the id."""

    def __init__(self, message: str, *, choices: Sequence[tuple[int, str]]) -> None:
        super().__init__(message)
        self.choices = list(choices)


class AuthenticationError(ConsoleError):
    """401/403: no token, a wrong, expired or revoked one, or a wrong password."""


class JobFailed(ConsoleError):
    """A job waited for ended without its results: ``failed`` (``Job.wait_for_completion``
    raises it, as HyperDrive's ``raise_on_error``) or, for the ``sweep`` command's exit
    code, ``canceled``. ``job`` is the ended job; the message gives its status and reason.
    """

    def __init__(self, job: Any) -> None:
        reason = str(job.data.get("status_reason") or "")
        ending = f": {reason}" if reason else "."
        super().__init__(f"Job {job.id} {job.name!r} ended {job.status}{ending}")
        self.job = job


class Unreachable(ConsoleError):
    """No HTTP answer at all: a wrong URL, the console down, a network problem."""


_WHOLE = ("non_field_errors", "__all__", "detail")


def flatten_messages(tree: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Walk a nested error tree; a message about a whole entry keeps the entry's name.

    >>> list(flatten_messages({"policy": {"__all__": ["x"], "slack_factor": ["y"]}}))
    [('policy', 'x'), ('policy.slack_factor', 'y')]
    """
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            key = str(key)
            place = prefix if key in _WHOLE else (f"{prefix}.{key}" if prefix else key)
            yield from flatten_messages(value, place)
    elif isinstance(tree, (list, tuple)):
        for item in tree:
            yield from flatten_messages(item, prefix)
    elif tree is not None:
        yield prefix, str(tree)
