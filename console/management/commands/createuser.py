"""Create a console user, or set the password of an existing one.

python manage.py createuser alice --password 's3cret-Pass' [--staff] [--email a@b.c]
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Create a user or update an existing user's password (and staff flag, email)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True, help="The new password (not empty).")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="Make the user staff and superuser: sees every algorithm, manages /admin/.",
        )
        parser.add_argument("--email", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        password: str = options["password"]
        if not username:
            raise CommandError("The username must not be empty.")
        if not password or not password.strip():
            raise CommandError("The password must not be empty.")

        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            created = user is None
            if user is None:
                user = User(username=username)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
            user.set_password(password)
            if options["email"] is not None:
                user.email = options["email"]
            # --staff only ever promotes: re-running without it must not demote an admin.
            if options["staff"]:
                user.is_staff = True
                user.is_superuser = True
            user.save()

        role = "staff" if user.is_staff else "user"
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {role} '{username}'."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Updated the password of {role} '{username}'."))
