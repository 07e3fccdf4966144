"""REST API routes of algorithms, mounted under /api/v1/."""

from django.urls import path

from algorithms import api

urlpatterns = [
    path("algorithms/", api.AlgorithmListCreateApi.as_view(), name="api-algorithm-list"),
    path("algorithms/<int:pk>/", api.AlgorithmDetailApi.as_view(), name="api-algorithm-detail"),
    path(
        "algorithms/<int:pk>/script-options/",
        api.AlgorithmScriptOptionsApi.as_view(),
        name="api-algorithm-script-options",
    ),
    path(
        "search-algorithms/",
        api.SearchAlgorithmListApi.as_view(),
        name="api-search-algorithm-list",
    ),
    path(
        "early-termination-policies/",
        api.PolicyListApi.as_view(),
        name="api-policy-list",
    ),
]
