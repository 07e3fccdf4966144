"""Stored files follow their rows: when an output set's row goes, its files go too.

An output set is deleted with its trial, and a trial with its job (cascades that
``trainingjobs`` owns, and a user's deletion cascades to their jobs): this app cannot
hook each of those paths, so it listens for the deletion of its own rows. The names
are read before the rows go (``pre_delete``: the files' rows are deleted first) and
the stored files are removed only after the deletion commits
(``transaction.on_commit``), so a deletion that rolls back loses nothing. A storage
that refuses is logged; the files are then orphans in the storage, never listed.

This is the one signal of the app, and it does no business flow: it only keeps the
storage in step with the database.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from datasets.models import OutputFile, OutputSet


def delete_stored_outputs_on_commit(
    sender: type[OutputSet], instance: OutputSet, using: str, **kwargs: Any
) -> None:
    """``pre_delete`` of :class:`OutputSet`: its files leave the storage after commit."""
    from datasets.storage import delete_stored

    names = list(
        OutputFile.objects.using(using)
        .filter(output_set_id=instance.pk)
        .values_list("storage_name", flat=True)
    )
    if names:
        transaction.on_commit(lambda: delete_stored(names), using=using)
