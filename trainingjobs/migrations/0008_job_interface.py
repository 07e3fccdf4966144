from typing import Any

from django.db import migrations, models


def copy_interfaces(apps: Any, schema_editor: Any) -> None:
    """Existing jobs keep their algorithm's interface as it is now: from here on, editing
    the algorithm changes none of their command lines (trainingjobs.interface)."""
    TrainingJob = apps.get_model("trainingjobs", "TrainingJob")
    Hyperparameter = apps.get_model("algorithms", "Hyperparameter")
    for job in TrainingJob.objects.select_related("algorithm").iterator():
        algorithm = job.algorithm
        rows = Hyperparameter.objects.filter(algorithm=algorithm).order_by("position", "id")
        job.interface = {
            "table": [{"name": r.name, "type": r.type, "default": r.default} for r in rows],
            "argument_style": algorithm.argument_style,
            "bool_style": algorithm.bool_style,
            "accepts_data_urls": algorithm.accepts_data_urls,
        }
        job.save(update_fields=["interface"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainingjobs", "0007_job_running_time"),
        ("algorithms", "0004_algorithm_script_arguments"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingjob",
            name="interface",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(copy_interfaces, migrations.RunPython.noop),
    ]
