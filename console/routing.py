"""Websocket routes of every app, gathered for the ASGI router."""

from django.urls import URLPattern

from trainingjobs.routing import websocket_urlpatterns as trainingjobs_routes

websocket_urlpatterns: list[URLPattern] = [*trainingjobs_routes]
