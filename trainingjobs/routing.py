"""Websocket routes of the live dashboard (gathered by ``console.routing``)."""

from django.urls import URLPattern, path

from trainingjobs import consumers

websocket_urlpatterns: list[URLPattern] = [
    path("ws/jobs/", consumers.JobListConsumer.as_asgi()),
    path("ws/jobs/<int:job_id>/", consumers.JobConsumer.as_asgi()),
    path("ws/trials/<int:trial_id>/", consumers.TrialLogConsumer.as_asgi()),
]
