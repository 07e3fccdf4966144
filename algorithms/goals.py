"""The two goals of a search metric: the one list every part of the console reads."""

from __future__ import annotations

from django.db import models


class Goal(models.TextChoices):
    MAXIMIZE = "maximize", "Maximize"
    MINIMIZE = "minimize", "Minimize"
