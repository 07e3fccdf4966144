"""API tokens: several per user, each with an optional lifetime, listed and revoked by
their owner. Only a hash of the key is stored; the key is shown once, when created."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    # The key's first characters, to tell tokens apart in a list.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @classmethod
    def issue(cls, *, user: object, name: str = "", lifetime: timedelta | None = None) -> tuple[
        ApiToken, str
    ]:
        """A new token for ``user`` and its key (the only time the key is known)."""
        key = secrets.token_hex(20)
        expires = timezone.now() + lifetime if lifetime else None
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_key(key), prefix=key[:8], expires_at=expires
        )
        return token, key

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
