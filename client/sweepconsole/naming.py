"""Which object a name means. Names are unique per owner only, and staff see every user's
objects, so a name may be shared: the caller's own object wins, and a name still shared
after that is refused with the ids to choose from, never settled by list order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sweepconsole.errors import AmbiguousName, NotFound

__all__ = ["Caller", "Owned", "id_or_name", "own_by_name", "pick_by_name"]


@dataclass(frozen=True)
class Caller:
    """Who the token belongs to (``GET /api/v1/auth/me/``); ``username`` is ``None`` when
    the console does not say (one older than that endpoint)."""

    username: str | None
    is_staff: bool = False


class Owned(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def owner(self) -> str: ...


T = TypeVar("T", bound=Owned)


def id_or_name(ref: int | str) -> int | str:
    """What a reference is: an id (an int, or text of digits only) as an ``int``, else a
    name. An id wins: an object whose name is digits only is reached by its id.

    >>> id_or_name(12), id_or_name(" 12 "), id_or_name("digits-mlp 2")
    (12, 12, 'digits-mlp 2')
    """
    if isinstance(ref, str) and not ref.strip().isdecimal():
        return ref
    return int(ref)


def pick_by_name(kind: str, name: str, candidates: Iterable[T], caller: Callable[[], Caller]) -> T:
    """The one ``kind`` called ``name`` among ``candidates``: the only one, else the
    caller's own (``caller`` is asked only then); ``NotFound`` or ``AmbiguousName`` otherwise.

    >>> from types import SimpleNamespace as Obj
    >>> rows = [Obj(id=3, name="mlp", owner="alice"), Obj(id=7, name="mlp", owner="admin")]
    >>> pick_by_name("algorithm", "mlp", rows, lambda: Caller("admin", is_staff=True)).id
    7
    """
    matches = [c for c in candidates if c.name == name]
    if not matches:
        raise NotFound(f"No {kind} named {name!r} was found.", status=404)
    if len(matches) == 1:
        return matches[0]
    me = caller().username
    own = [m for m in matches if me is not None and m.owner == me]
    if len(own) == 1:
        return own[0]
    raise _ambiguous(kind, name, matches, me, own)


def own_by_name(
    kind: str, name: str, candidates: Iterable[T], caller: Callable[[], Caller]
) -> T | None:
    """The caller's own ``kind`` called ``name``, or ``None`` (another user's of that name
    does not count). A console that does not say who is asking leaves a name shared by
    several objects ambiguous and takes a single one as the caller's, as before it said."""
    matches = [c for c in candidates if c.name == name]
    if not matches:
        return None
    me = caller().username
    if me is None:
        return pick_by_name(kind, name, matches, caller)
    own = [m for m in matches if m.owner == me]
    if len(own) > 1:
        raise _ambiguous(kind, name, own, me, own)
    return own[0] if own else None


def _ambiguous(
    kind: str, name: str, matches: list[T], me: str | None, own: list[T]
) -> AmbiguousName:
    listed = ", ".join(f"id {m.id} (owner {m.owner or 'unknown'})" for m in matches)
    if me is None:
        whose = "the console does not say which is yours"
    elif not own:
        whose = "none of them yours"
    else:
        whose = f"{len(own)} of them yours"
    return AmbiguousName(
        f"{len(matches)} {kind}s are named {name!r} ({whose}): {listed}. "
        f"Use the id instead of the name to say which {kind} you mean.",
        choices=[(m.id, m.owner) for m in matches],
    )
