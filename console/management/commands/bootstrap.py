"""First-start setup, safe to run on every start.

Ensures the default engine exists, creates an admin account when there is no
superuser yet (ADMIN_USERNAME / ADMIN_PASSWORD, or "admin" with a generated
password printed once), registers the bundled example algorithms for it, and gives
each one a small demo training job the first time (``DEMO_JOBS=0``: none).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from algorithms import examples, package_validation, services
from algorithms.models import Engine
from console.env import env_bool, env_str
from trainingjobs.demo import demo_jobs_create


class Command(BaseCommand):
    help = (
        "Idempotent first-start setup: default engine, admin account, example algorithms "
        "and their demo training jobs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = Engine.default()
        self.stdout.write(f"Default engine: {engine.name} ({engine.python_path})")
        admin = self._ensure_admin()
        self._register_examples(admin)
        if env_bool("DEMO_JOBS", True):
            self._create_demo_jobs(admin)
        # Validations queued before a crash or restart would otherwise wait for the
        # periodic sweep; queue them again now (the task is idempotent).
        requeued = package_validation.algorithm_requeue_stale_validations(
            older_than=timedelta(minutes=1)
        )
        if requeued:
            self.stdout.write(f"Queued validation again for {len(requeued)} algorithm(s).")

    def _ensure_admin(self) -> Any:
        User = get_user_model()
        username = env_str("ADMIN_USERNAME").strip() or "admin"
        superusers = User.objects.filter(is_superuser=True).order_by("id")
        if superusers.exists():
            admin = superusers.filter(username=username).first() or superusers.first()
            assert admin is not None  # exists() above
            self.stdout.write(f"A superuser exists ('{admin.username}'); no account created.")
            return admin

        password = env_str("ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        with transaction.atomic():
            admin = User.objects.filter(username=username).first() or User(username=username)
            try:
                validate_password(password, admin)
            except ValidationError as exc:
                raise CommandError("ADMIN_PASSWORD refused: " + " ".join(exc.messages)) from exc
            admin.is_staff = True
            admin.is_superuser = True
            admin.is_active = True
            admin.set_password(password)
            admin.save()

        if generated:
            self._print_box(
                [
                    "Admin account created",
                    f"  username: {username}",
                    f"  password: {password}",
                    "Shown only this once: write it down, or change it with",
                    f"  python manage.py createuser {username} --password ... --staff",
                ]
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Admin account '{username}' created from ADMIN_PASSWORD.")
            )
        return admin

    def _print_box(self, lines: list[str]) -> None:
        width = max(len(line) for line in lines) + 2
        self.stdout.write("+" + "-" * width + "+")
        for line in lines:
            self.stdout.write("| " + line.ljust(width - 1) + "|")
        self.stdout.write("+" + "-" * width + "+")

    def _register_examples(self, admin: Any) -> None:
        try:
            registered = examples.register_examples(owner=admin)
        except services.AlgorithmValidationError as exc:
            # A broken example must not keep the console from starting; say what is wrong.
            self.stderr.write(self.style.WARNING(f"Example algorithms not registered: {exc}"))
            return
        names = ", ".join(a.name for a in registered) or "none new"
        self.stdout.write(f"Example algorithms for '{admin.username}': {names}.")

    def _create_demo_jobs(self, admin: Any) -> None:
        outcome = demo_jobs_create(owner=admin)
        for line in outcome.skipped:
            self.stderr.write(self.style.WARNING(f"No demo job: {line}"))
        if outcome.created:
            names = ", ".join(job.name for job in outcome.created)
            self.stdout.write(f"Demo training jobs started for '{admin.username}': {names}.")
