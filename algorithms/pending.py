"""Uploads kept between a refused form submission and the next one.

A browser cannot refill a file input, so when the page is re-rendered with errors the
file the user already chose is stored here and referred to by a token in a hidden
field. Tokens live under the user's own folder, so one user cannot claim another's file.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

PENDING_ROOT = "pending-uploads"
_TOKEN = re.compile(r"^[0-9a-f]{32}/[^/\\]{1,200}$")


def _path(user_id: int, token: str) -> str | None:
    if not isinstance(token, str) or not _TOKEN.match(token) or token.endswith((".", "..")):
        return None
    return f"{PENDING_ROOT}/{user_id}/{token}"


def pending_store(*, user_id: int, upload: File) -> str:
    """Keep ``upload``; returns the token to post back."""
    name = _fit_bytes(default_storage.get_valid_name(os.path.basename(upload.name or "code")))
    token = f"{uuid.uuid4().hex}/{name}"
    upload.seek(0)
    default_storage.save(f"{PENDING_ROOT}/{user_id}/{token}", upload)
    return token


def _fit_bytes(name: str, limit: int = 200) -> str:
    """``name`` cut to ``limit`` bytes of UTF-8 (a file system allows 255), keeping its end.

    The end holds the suffix (``.tar.gz``) that tells the package's kind.
    """
    encoded = name.encode("utf-8", "replace")
    if len(encoded) <= limit:
        return name
    return encoded[-limit:].decode("utf-8", "ignore").lstrip(".") or "code"


def pending_open(*, user_id: int, token: str) -> File | None:
    """The kept file for ``token``, named as uploaded; None when it is unknown."""
    path = _path(user_id, token)
    if path is None or not default_storage.exists(path):
        return None
    stored = default_storage.open(path, "rb")
    return File(stored.file, name=pending_name(token))


def pending_name(token: str) -> str:
    return token.split("/", 1)[-1] if isinstance(token, str) else ""


def refused_file_note(*, kept: str, chosen: str) -> str:
    """What the banner of a form refused with errors says about what is kept.

    ``kept``: the name of the upload kept here for the next post (the page shows it);
    ``chosen``: the name of a file the user chose that was not kept (refused, or the form
    never got as far as keeping it). A browser clears every file input of a page it is
    sent back, so a file that was not kept must be chosen again.

    >>> refused_file_note(kept="", chosen="")
    'everything you typed is kept.'
    >>> refused_file_note(kept="", chosen="train.zip")
    'the other fields are kept, but a browser cannot keep a chosen file: choose train.zip again.'
    >>> refused_file_note(kept="train.zip", chosen="")
    'everything you typed is kept, and so is the file train.zip.'
    """
    if kept:
        return f"everything you typed is kept, and so is the file {kept}."
    if chosen:
        return (
            "the other fields are kept, but a browser cannot keep a chosen file: "
            f"choose {chosen} again."
        )
    return "everything you typed is kept."


def pending_discard(*, user_id: int, token: str) -> None:
    path = _path(user_id, token)
    if path is not None:
        default_storage.delete(path)


def pending_purge(*, older_than: timedelta) -> int:
    """Delete kept uploads nobody came back for; returns how many were removed.

    A user who leaves a refused form never submits it again, so without this sweep the
    files would stay forever.
    """
    cutoff = timezone.now() - older_than
    removed = 0
    if not default_storage.exists(PENDING_ROOT):
        return 0
    user_dirs, _ = default_storage.listdir(PENDING_ROOT)
    for user_dir in user_dirs:
        token_dirs, _ = default_storage.listdir(f"{PENDING_ROOT}/{user_dir}")
        for token_dir in token_dirs:
            folder = f"{PENDING_ROOT}/{user_dir}/{token_dir}"
            _, files = default_storage.listdir(folder)
            left = len(files)
            for name in files:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
                    left -= 1
            if left == 0:
                _remove_empty_folder(folder)
    return removed


def _remove_empty_folder(folder: str) -> None:
    # FileSystemStorage.delete leaves the per-upload folder behind; storages without
    # local paths (object stores) have no folders to remove.
    try:
        local = default_storage.path(folder)
    except NotImplementedError:
        return
    try:
        os.rmdir(local)
    except OSError:
        pass  # not empty (a file arrived meanwhile) or already gone
