"""Environment variable names a job may not set, as the console refuses them.

The client cannot import the console, so the lists are copied here (a test keeps them
equal to the console's) and a job file's check refuses these names on their line, in the
console's words, before anything is sent.
"""

from __future__ import annotations

__all__ = ["CONSOLE_SECRETS", "CONSOLE_SECRET_PREFIXES", "CONSOLE_VARS", "reserved_name_error"]

# Set by the console for every trial.
CONSOLE_VARS = ("DATA_URL", "TRAIN_URL", "TRIAL_ID", "JOB_ID")
# The console's own configuration, never passed to a trial.
CONSOLE_SECRETS = frozenset({"SECRET_KEY", "ADMIN_PASSWORD", "DATABASE_URL", "REDIS_URL"})
CONSOLE_SECRET_PREFIXES = ("STORAGE_S3_",)


def reserved_name_error(name: str) -> str | None:
    """The console's refusal of a reserved environment name, in its words, or None.

    >>> reserved_name_error("TRIAL_ID")
    'TRIAL_ID is set by the console for every trial and cannot be overridden.'
    >>> reserved_name_error("STORAGE_S3_KEY")
    "STORAGE_S3_KEY is reserved for the console's own configuration."
    >>> reserved_name_error("RUN_LABEL") is None
    True
    """
    if name in CONSOLE_VARS:
        return f"{name} is set by the console for every trial and cannot be overridden."
    if name in CONSOLE_SECRETS or name.startswith(CONSOLE_SECRET_PREFIXES):
        return f"{name} is reserved for the console's own configuration."
    return None
