from django.apps import AppConfig
from django.db.models.signals import pre_delete


class DatasetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datasets"

    def ready(self) -> None:
        from datasets.models import OutputSet
        from datasets.receivers import delete_stored_outputs_on_commit

        pre_delete.connect(
            delete_stored_outputs_on_commit,
            sender=OutputSet,
            dispatch_uid="datasets.delete_stored_outputs_on_commit",
        )
