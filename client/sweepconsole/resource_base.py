"""What every object of the console is in the client: the JSON the REST API answered
(``.data``, also readable as ``obj["field"]``) and the ``Console`` that read it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sweepconsole.console import Console

__all__ = ["Resource"]


class Resource:
    """An object of the console: its JSON (``data``) and the ``Console`` that read it."""

    def __init__(self, console: Console, data: dict[str, Any]) -> None:
        self.console = console
        self.data = data

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def owner(self) -> str:
        """The owner's user name ("" where the console does not say)."""
        return str(self.data.get("owner") or "")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __repr__(self) -> str:
        name = self.data.get("name")
        label = f" {name!r}" if name else ""
        return f"<{type(self).__name__} {self.data.get('id')}{label} {self.data.get('status')}>"
