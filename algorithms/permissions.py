"""Who may touch an algorithm through the API.

The list and lookups already go through `Algorithm.objects.visible_to(user)`, so
another user's id is a 404 before any permission check; this class is the second
wall, for any view that fetches an object some other way.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsOwnerOrStaff(BasePermission):
    message = "You do not have access to this algorithm."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        user = request.user
        return bool(user.is_staff or getattr(obj, "owner_id", None) == user.pk)
