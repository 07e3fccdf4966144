"""The dataset form: maps the POST to the service's arguments and its errors back to fields.

Validation is the service's (the API uses the same); the form only carries what was
typed. A browser cannot refill a file input, so when the form comes back with errors
that are not about the file, the chosen file is kept (``algorithms.pending``) and
posted back by a token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files import File

from algorithms import pending

FIELD_FOR_ERROR = {"name": "name", "file": "file", "server_path": "server_path"}


class DatasetForm(forms.Form):
    name = forms.CharField(max_length=64, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    # An empty file is the service's refusal, with the API's message and beside the name's
    # (Django's own check would stop the form before the service sees the name).
    file = forms.FileField(required=False, allow_empty_file=True)
    server_path = forms.CharField(max_length=500, required=False)
    pending_file = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        self.kept: File | None = None

    def chosen_upload(self) -> File | None:
        """The file to use: a new upload, else the one kept from the last refusal."""
        new = self.cleaned_data.get("file")
        token = self.cleaned_data.get("pending_file") or ""
        if new:
            if token:
                pending.pending_discard(user_id=self.user_id, token=token)
            return new
        if token:
            self.kept = pending.pending_open(user_id=self.user_id, token=token)
        return self.kept

    def chosen_server_path(self) -> str:
        return str(self.cleaned_data.get("server_path") or "")

    def refuse(self, errors: dict[str, list[str]]) -> None:
        """Show the service's messages by their fields; keep an upload that was fine."""
        for key, messages in errors.items():
            for message in messages:
                self.add_error(FIELD_FOR_ERROR.get(key), message)
        data = dict(self.data.items())
        upload = self.cleaned_data.get("file")
        if "file" in errors:
            data["pending_file"] = ""
        elif upload:
            data["pending_file"] = pending.pending_store(user_id=self.user_id, upload=upload)
        self.data = data

    def finish(self) -> None:
        """After a successful create: the kept upload is no longer needed."""
        token = self.cleaned_data.get("pending_file") or ""
        if token:
            if self.kept is not None:
                self.kept.close()
            pending.pending_discard(user_id=self.user_id, token=token)

    @property
    def offers_server_folder(self) -> bool:
        """Whether the page shows the server folder field: when the administrator allows
        folders, or to show what was typed there with its refusal."""
        return bool(
            settings.DATASET_SERVER_ROOTS
            or self.errors.get("server_path")
            or (self.is_bound and self.data.get("server_path"))
        )

    @property
    def pending_name(self) -> str:
        return pending.pending_name(str(self.data.get("pending_file") or ""))

    @property
    def file_note(self) -> str:
        """The refused form's banner about what is kept: a file chosen for this post and
        not kept (refused, or the form stopped before keeping it) must be chosen again."""
        upload = self.files.get("file")
        chosen = getattr(upload, "name", "") or ""
        return pending.refused_file_note(kept=self.pending_name, chosen=chosen)
