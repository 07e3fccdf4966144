from django.apps import AppConfig


class TrainingJobsConfig(AppConfig):
    name = "trainingjobs"
    verbose_name = "Training jobs"
