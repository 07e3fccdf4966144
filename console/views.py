"""The home page: what the user has, and where to start."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from algorithms.models import Algorithm


def home(request: HttpRequest) -> HttpResponse:
    algorithms = Algorithm.objects.visible_to(request.user)
    context = {
        "algorithm_count": algorithms.count(),
        "ready_count": algorithms.filter(status=Algorithm.Status.READY).count(),
        "recent_algorithms": algorithms.order_by("-created_at")[:5],
    }
    return render(request, "console/home.html", context)
