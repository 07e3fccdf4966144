"""Errors raised by the search library.

Every error derives from :class:`SearchError`, itself a ``ValueError``, so callers
outside the library (forms, serializers) can catch one class and show the message.
"""

from __future__ import annotations


class SearchError(ValueError):
    """Base class of every error raised by ``search``."""


class SpaceError(SearchError):
    """A search-space spec is invalid; the message names the parameter, the field and the value."""


class SamplerParamError(SearchError):
    """Unknown sampler/policy name, or an unknown, mistyped or out-of-range algorithm parameter."""


class SpaceExhausted(SearchError):
    """A finite space (a grid) has no unseen point left."""
