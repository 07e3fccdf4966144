"""Uploads kept for a refused form are found again by their owner and purged when stale."""

from __future__ import annotations

import doctest
import os
import time
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from algorithms import pending


def _keep(user_id: int, name: str = "train.py") -> str:
    upload = ContentFile(b"print('accuracy=0.9')\n", name=name)
    return pending.pending_store(user_id=user_id, upload=upload)


def test_kept_upload_is_found_by_its_owner_only(alice: Any, bob: Any) -> None:
    token = _keep(alice.pk)
    kept = pending.pending_open(user_id=alice.pk, token=token)
    assert kept is not None and kept.name == "train.py"
    kept.close()
    assert pending.pending_open(user_id=bob.pk, token=token) is None


def test_token_with_a_path_escape_is_refused(alice: Any) -> None:
    assert pending.pending_open(user_id=alice.pk, token="../../etc/passwd") is None


def test_purge_deletes_only_stale_uploads(alice: Any) -> None:
    stale, fresh = _keep(alice.pk, "old.py"), _keep(alice.pk, "new.py")
    stale_path = default_storage.path(f"{pending.PENDING_ROOT}/{alice.pk}/{stale}")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale_path, (two_days_ago, two_days_ago))

    assert pending.pending_purge(older_than=timedelta(days=1)) == 1

    assert pending.pending_open(user_id=alice.pk, token=stale) is None
    kept = pending.pending_open(user_id=alice.pk, token=fresh)
    assert kept is not None
    kept.close()


def test_purge_with_nothing_kept_removes_nothing(db: Any) -> None:
    assert pending.pending_purge(older_than=timedelta(days=1)) == 0


def test_purge_removes_the_emptied_upload_folder(alice: Any) -> None:
    stale, fresh = _keep(alice.pk, "old.py"), _keep(alice.pk, "new.py")
    stale_dir = default_storage.path(f"{pending.PENDING_ROOT}/{alice.pk}/{stale.split('/')[0]}")
    fresh_dir = default_storage.path(f"{pending.PENDING_ROOT}/{alice.pk}/{fresh.split('/')[0]}")
    two_days_ago = time.time() - 2 * 86400
    os.utime(f"{stale_dir}/old.py", (two_days_ago, two_days_ago))

    assert pending.pending_purge(older_than=timedelta(days=1)) == 1

    assert not os.path.exists(stale_dir)
    assert os.path.isfile(f"{fresh_dir}/new.py")


def test_folder_removal_is_skipped_on_storages_without_paths(monkeypatch: Any) -> None:
    def no_path(name: str) -> str:
        raise NotImplementedError("This backend doesn't support absolute paths.")

    monkeypatch.setattr(default_storage, "path", no_path)
    pending._remove_empty_folder(f"{pending.PENDING_ROOT}/1/{'0' * 32}")  # no error


def test_folder_still_holding_a_file_is_kept(alice: Any) -> None:
    token = _keep(alice.pk)
    folder = f"{pending.PENDING_ROOT}/{alice.pk}/{token.split('/')[0]}"
    pending._remove_empty_folder(folder)
    assert os.path.isfile(default_storage.path(f"{folder}/train.py"))


def test_refused_form_banner_names_a_file_that_was_not_kept() -> None:
    result = doctest.testmod(pending, verbose=False)
    assert result.attempted == 3 and result.failed == 0
    # A kept file is said to be kept, even beside a name chosen for this post.
    assert pending.refused_file_note(kept="a.py", chosen="a.py") == (
        "everything you typed is kept, and so is the file a.py."
    )
