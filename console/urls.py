"""Root URLs: pages, the REST API under /api/v1/, its schema and docs, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from console import api, views

# A form Django cannot read (too large, too many fields) gets a page that says so.
handler400 = "console.views.bad_request"
# Under /api/ every error is JSON, as the API's own answers are; pages keep their pages.
handler403 = "console.views.permission_denied"
handler404 = "console.views.page_not_found"
handler500 = "console.views.server_error"

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", api.TokenCreateApi.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenListApi.as_view(), name="api-token-list"),
    path("auth/tokens/<int:pk>/", api.TokenDetailApi.as_view(), name="api-token-detail"),
    path("auth/me/", api.MeApi.as_view(), name="api-me"),
    path("", include("algorithms.api_urls")),
    path("", include("datasets.api_urls")),
    path("", include("trainingjobs.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("algorithms/", include("algorithms.urls")),
    path("datasets/", include("datasets.urls")),
    path("training-jobs/", include("trainingjobs.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    # A page for people: without a session it sends to the login page, as every page does.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
