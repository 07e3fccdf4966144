"""Algorithms: a code package, its boot file, a hyperparameter table and a search metric."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from algorithms.goals import Goal
from algorithms.validation import NAME_RE

NAME_VALIDATOR = RegexValidator(
    NAME_RE.pattern,
    "Use 1-64 letters, digits, '_' or '-'.",
)


class IllegalTransition(Exception):
    """A status change the life cycle does not allow."""


class Engine(models.Model):
    """A named Python interpreter that trials run with."""

    name = models.CharField(max_length=64, unique=True)
    python_path = models.CharField(
        max_length=500, help_text="Absolute path of the Python interpreter on worker hosts."
    )
    description = models.CharField(max_length=200, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> Engine:
        """The default engine; the console's own interpreter when none is marked."""
        engine = cls.objects.filter(is_default=True).first()
        if engine is None:
            engine, _ = cls.objects.get_or_create(
                name="python3",
                defaults={
                    "python_path": sys.executable,
                    "description": "The console's own Python interpreter",
                    "is_default": True,
                },
            )
        return engine


class AlgorithmQuerySet(models.QuerySet["Algorithm"]):
    def visible_to(self, user: Any) -> AlgorithmQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(owner=user)

    def search(self, term: str) -> AlgorithmQuerySet:
        """Algorithms whose name, description or metric contains ``term``: the page's search
        box and the API's ``?search=`` alike."""
        term = term.strip()
        if not term:
            return self
        if "\x00" in term:  # no field holds a NUL (PostgreSQL refuses one in a query)
            return self.none()
        return self.filter(
            models.Q(name__icontains=term)
            | models.Q(description__icontains=term)
            | models.Q(metric_name__icontains=term)
        )


def _code_upload_path(instance: Algorithm, filename: str) -> str:
    # A fresh folder per upload: a new package never overwrites one a trial may be reading.
    return f"algorithms/{instance.owner_id}/{uuid.uuid4().hex}/{filename}"


class Algorithm(models.Model):
    class Status(models.TextChoices):
        CREATING = "creating", "Creating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    Goal = Goal

    class CodeSource(models.TextChoices):
        UPLOAD = "upload", "Upload"
        SERVER_PATH = "server_path", "Server path"

    class ArgumentStyle(models.TextChoices):
        EQUALS = "equals", "--name=value"
        SPACE = "space", "--name value"

    class BoolStyle(models.TextChoices):
        TRUE_FALSE = "true_false", "true / false"
        ONE_ZERO = "one_zero", "1 / 0"
        FLAG = "flag", "bare --flag when true, nothing when false"

    # Allowed status changes; anything else is a programming error.
    TRANSITIONS: dict[str, set[str]] = {
        Status.CREATING: {Status.READY, Status.FAILED},
        Status.READY: {Status.CREATING},
        Status.FAILED: {Status.CREATING},
    }

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="algorithms"
    )
    name = models.CharField(max_length=64, validators=[NAME_VALIDATOR])
    description = models.TextField(blank=True)
    code_source = models.CharField(
        max_length=16, choices=CodeSource.choices, default=CodeSource.UPLOAD
    )
    code_file = models.FileField(upload_to=_code_upload_path, blank=True, max_length=500)
    server_path = models.CharField(max_length=500, blank=True)
    boot_file = models.CharField(max_length=255)
    engine = models.ForeignKey(Engine, on_delete=models.PROTECT, null=True, blank=True)
    # How a trial passes hyperparameters to the boot file (see trainingjobs.command).
    argument_style = models.CharField(
        max_length=8, choices=ArgumentStyle.choices, default=ArgumentStyle.EQUALS
    )
    bool_style = models.CharField(
        max_length=12, choices=BoolStyle.choices, default=BoolStyle.TRUE_FALSE
    )
    # Many scripts reject unknown flags (argparse exits 2): --data_url/--train_url are
    # passed only when the script says it takes them; the env vars are always set.
    accepts_data_urls = models.BooleanField(default=False)
    auto_search = models.BooleanField(default=False)
    metric_name = models.CharField(max_length=64, blank=True)
    metric_goal = models.CharField(max_length=8, choices=Goal.choices, default=Goal.MAXIMIZE)
    metric_regex = models.CharField(max_length=1000, blank=True)
    # [{"name": "tpe", "params": {...}}], names as search.list_samplers() gives them.
    search_algorithms = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATING)
    status_reason = models.TextField(blank=True)
    # Relative paths and sizes of the package's files, written by validation.
    manifest = models.JSONField(default=list, blank=True)
    # A new package for a ready algorithm waits here until a worker has checked it: the
    # working package stays in use meanwhile, and a refused one never replaces it.
    pending_code_file = models.FileField(upload_to=_code_upload_path, blank=True, max_length=500)
    pending_server_path = models.CharField(max_length=500, blank=True)
    pending_boot_file = models.CharField(max_length=255, blank=True)
    # Why the last new package was refused (the working one was kept); "" once one passes.
    package_refused_reason = models.TextField(blank=True)
    # What the boot file printed for --help when its package was checked (its options).
    script_help = models.TextField(blank=True)
    # The argparse parser's own options, captured while --help ran (algorithms.help_actions):
    # every option's type, default and choices, which the printed help shows only beside
    # help text. {} for click, hand-rolled parsers, and packages checked before the capture.
    script_arguments = models.JSONField(default=dict, blank=True)
    # The log lines the user pasted to write the metric regex, kept for the tester on edit.
    sample_log = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlgorithmQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="unique_algorithm_name_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def transition(self, target: str, reason: str = "") -> None:
        """Move to `target` or raise IllegalTransition; the caller saves."""
        if target not in self.TRANSITIONS.get(self.status, set()):
            raise IllegalTransition(f"Algorithm {self.pk} cannot go from {self.status} to {target}")
        self.status = target
        self.status_reason = reason

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def has_pending_package(self) -> bool:
        return bool(self.pending_code_file) or bool(self.pending_server_path)


class Hyperparameter(models.Model):
    class Type(models.TextChoices):
        FLOAT = "float", "float"
        INT = "int", "int"
        STR = "str", "str"
        BOOL = "bool", "bool"

    algorithm = models.ForeignKey(
        Algorithm, on_delete=models.CASCADE, related_name="hyperparameters"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=64)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.FLOAT)
    # Typed JSON values: a float for float, an int for int, a string or a bool.
    default = models.JSONField(null=True, blank=True)
    min = models.FloatField(null=True, blank=True)
    max = models.FloatField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm", "name"], name="unique_hyperparameter_name_per_algorithm"
            )
        ]

    def __str__(self) -> str:
        return self.name
