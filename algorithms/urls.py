from django.urls import path

from algorithms import views

app_name = "algorithms"
urlpatterns = [
    path("", views.algorithm_list, name="list"),
    path("create/", views.algorithm_create, name="create"),
    path("<int:pk>/", views.algorithm_detail, name="detail"),
    path("<int:pk>/edit/", views.algorithm_edit, name="edit"),
    path("<int:pk>/delete/", views.algorithm_delete, name="delete"),
    path("regex/generate/", views.regex_generate, name="regex_generate"),
    path("regex/test/", views.regex_test, name="regex_test"),
]
