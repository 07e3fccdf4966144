"""Waiting while the console is busy with an object it checks after saving it (an
algorithm's package, a dataset's content): one poll loop for every such kind."""

from __future__ import annotations

import time
from typing import Any, Protocol, TypeVar

from sweepconsole.errors import ConsoleError
from sweepconsole.naming import Owned

__all__ = ["wait_while_busy"]


class Checked(Owned, Protocol):
    """An object the console settles after saving it: ``ready`` or ``failed`` with a
    ``status_reason`` in its JSON."""

    data: dict[str, Any]

    @property
    def status(self) -> str: ...

    def refresh(self) -> Any: ...


R = TypeVar("R", bound=Checked)


def wait_while_busy(resource: R, busy_status: str, doing: str, timeout: float, poll: float) -> R:
    """Refresh ``resource`` every ``poll`` seconds while its status is ``busy_status``,
    and return it once ``ready``. ``ConsoleError`` with the console's reason if it settled
    otherwise, or saying it is still ``doing`` (``"still processing"``) after
    ``timeout`` seconds."""
    kind = type(resource).__name__
    deadline = time.monotonic() + timeout
    while resource.status == busy_status:
        if time.monotonic() > deadline:
            raise ConsoleError(
                f"{kind} {resource.name!r} (id {resource.id}) is {doing} after "
                f"{timeout:.0f}s; is a worker running?"
            )
        time.sleep(poll)
        resource.refresh()
    if resource.status != "ready":
        # The reason is said once, in the message: it is the console's verdict on the
        # content, not a refused field (a server folder has no ``code`` or ``file`` field
        # to name).
        reason = resource.data.get("status_reason") or "no reason given"
        raise ConsoleError(
            f"{kind} {resource.name!r} (id {resource.id}) is {resource.status}: {reason}"
        )
    return resource
