from django.urls import path

from datasets import views

app_name = "datasets"
urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("create/", views.dataset_create, name="create"),
    path("<int:pk>/", views.dataset_detail, name="detail"),
    path("<int:pk>/delete/", views.dataset_delete, name="delete"),
    path("trial-outputs/<int:trial_id>.zip", views.output_zip, name="trial-outputs-zip"),
    path("trial-outputs/<int:trial_id>/<path:path>", views.output_file, name="trial-output-file"),
]
