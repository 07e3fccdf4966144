"""REST API routes of training jobs and trials, mounted under /api/v1/."""

from django.urls import path

from trainingjobs import api
from trainingjobs.dashboard_views import JobExportApi

urlpatterns = [
    path("training-jobs/", api.JobListCreateApi.as_view(), name="api-job-list"),
    path("training-jobs/<int:pk>/", api.JobDetailApi.as_view(), name="api-job-detail"),
    path("training-jobs/<int:pk>/cancel/", api.JobCancelApi.as_view(), name="api-job-cancel"),
    path("training-jobs/<int:pk>/pause/", api.JobPauseApi.as_view(), name="api-job-pause"),
    path("training-jobs/<int:pk>/resume/", api.JobResumeApi.as_view(), name="api-job-resume"),
    path("training-jobs/<int:pk>/extend/", api.JobExtendApi.as_view(), name="api-job-extend"),
    path("training-jobs/<int:pk>/trials/", api.JobTrialListApi.as_view(), name="api-job-trials"),
    path("trials/<int:pk>/", api.TrialDetailApi.as_view(), name="api-trial-detail"),
    path("trials/<int:pk>/stop/", api.TrialStopApi.as_view(), name="api-trial-stop"),
    path(
        "training-jobs/<int:pk>/export/<str:what>.<str:fmt>",
        JobExportApi.as_view(),
        name="api-job-export",
    ),
]
