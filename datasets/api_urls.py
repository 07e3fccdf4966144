"""REST API routes of datasets and trial outputs, mounted under /api/v1/."""

from django.urls import path

from datasets import api

urlpatterns = [
    path("datasets/", api.DatasetListCreateApi.as_view(), name="api-dataset-list"),
    path("datasets/<int:pk>/", api.DatasetDetailApi.as_view(), name="api-dataset-detail"),
    path(
        "trials/<int:trial_id>/outputs/",
        api.TrialOutputListApi.as_view(),
        name="api-trial-outputs",
    ),
    path(
        "trials/<int:trial_id>/outputs.zip",
        api.TrialOutputZipApi.as_view(),
        name="api-trial-outputs-zip",
    ),
    path(
        "trials/<int:trial_id>/outputs/<path:path>",
        api.TrialOutputFileApi.as_view(),
        name="api-trial-output-file",
    ),
]
