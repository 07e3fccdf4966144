"""A job's running time (run_seconds, running_since), so elapsed time and the time limit
leave out paused and ended stretches. Jobs saved before have no record of their pauses:
their wall time from start to end (or to the last change for a paused job) is taken."""

from typing import Any

from django.db import migrations, models


def fill_running_time(apps: Any, schema_editor: Any) -> None:
    job_model = apps.get_model("trainingjobs", "TrainingJob")
    for job in job_model.objects.exclude(started_at=None).iterator():
        if job.status == "running":
            job.running_since = job.started_at
        else:
            end = job.finished_at or job.updated_at
            job.run_seconds = max(0.0, (end - job.started_at).total_seconds())
        job.save(update_fields=["run_seconds", "running_since"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainingjobs", "0006_job_environment"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingjob",
            name="run_seconds",
            field=models.FloatField(default=0),
        ),
        migrations.AddField(
            model_name="trainingjob",
            name="running_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_running_time, migrations.RunPython.noop),
    ]
