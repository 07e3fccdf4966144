from django.urls import path

from trainingjobs import views

app_name = "trainingjobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("create/", views.job_create, name="create"),
    path("create/plan/", views.job_plan, name="plan"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/cancel/", views.job_cancel, name="cancel"),
    path("<int:pk>/pause/", views.job_pause, name="pause"),
    path("<int:pk>/resume/", views.job_resume, name="resume"),
    path("<int:pk>/extend/", views.job_extend, name="extend"),
    path("<int:pk>/trials/<int:number>/", views.trial_detail, name="trial"),
    path("<int:pk>/trials/<int:number>/log/", views.trial_log, name="trial_log"),
    path("<int:pk>/trials/<int:number>/stop/", views.trial_stop, name="trial_stop"),
]
