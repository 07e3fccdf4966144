from django.urls import path

from trainingjobs import dashboard_views as live
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
    # The live dashboard's reads (trainingjobs.dashboard_views).
    path("<int:pk>/live/snapshot/", live.job_snapshot, name="live_snapshot"),
    path("<int:pk>/live/metric/", live.job_metric, name="live_metric"),
    path("<int:pk>/live/figures/", live.job_figures, name="live_figures"),
    path("<int:pk>/live/importance/", live.job_importance, name="live_importance"),
    path("<int:pk>/live/events/", live.job_events, name="live_events"),
    path("<int:pk>/live/best/", live.job_best, name="live_best"),
    path("<int:pk>/live/curves/", live.job_curves, name="live_curves"),
    path("<int:pk>/trials/<int:number>/live/log/", live.trial_log_since, name="live_log"),
    path("<int:pk>/trials/<int:number>/live/state/", live.trial_state, name="live_trial_state"),
    path("<int:pk>/export/<str:what>.<str:fmt>", live.job_export, name="export"),
]
