import datasets.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0001_initial"),
    ]

    operations = [
        # Datasets made before processing moved to a worker were checked whole already.
        migrations.AddField(
            model_name="dataset",
            name="status",
            field=models.CharField(
                choices=[("processing", "Processing"), ("ready", "Ready"), ("failed", "Failed")],
                default="ready",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="dataset",
            name="status",
            field=models.CharField(
                choices=[("processing", "Processing"), ("ready", "Ready"), ("failed", "Failed")],
                default="processing",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="dataset",
            name="status_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="dataset",
            name="blob",
            field=models.FileField(
                blank=True,
                max_length=500,
                upload_to=datasets.models._blob_upload_path,
            ),
        ),
        migrations.AlterField(
            model_name="dataset",
            name="content_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
