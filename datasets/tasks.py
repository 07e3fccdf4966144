"""Background tasks of the datasets app: thin wrappers that call app code."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from datasets import outputs


@db_periodic_task(crontab(minute="*/5"))
def apply_output_retention() -> None:
    outputs.outputs_apply_retention()
