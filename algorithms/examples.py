"""The bundled example algorithms: ``examples/*/algorithm.json``, registered for a user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from algorithms.models import Algorithm
from algorithms.services import algorithm_create


def register_examples(*, owner: Any) -> list[Algorithm]:
    """Register every ``examples/*/algorithm.json`` for ``owner``; returns the new ones.

    Idempotent by name: an example the owner already has (under its name) is skipped.
    The code is the example's folder, used in place as a server path.
    """
    created: list[Algorithm] = []
    for folder, spec in bundled_example_specs():
        if Algorithm.objects.filter(owner=owner, name=spec.get("name", "")).exists():
            continue
        created.append(algorithm_create(owner=owner, spec=spec, server_path=str(folder.resolve())))
    return created


def bundled_example_specs(*, skip_unreadable: bool = False) -> Iterator[tuple[Path, Any]]:
    """Each ``examples/*/algorithm.json`` in name order, as (its folder, its parsed JSON).

    Read lazily: a file that cannot be read or parsed raises when reached, or with
    ``skip_unreadable`` is left out.
    """
    for spec_file in sorted((Path(settings.BASE_DIR) / "examples").glob("*/algorithm.json")):
        try:
            spec = json.loads(spec_file.read_text())
        except (OSError, ValueError):
            if not skip_unreadable:
                raise
            continue
        yield spec_file.parent, spec
