"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets get the session user (AuthMiddlewareStack) and are refused from
foreign origins; each consumer refuses anonymous users itself. HTTP request bodies over
the configured size are refused with 413 before they are read (console.body_limit).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
# Django must be set up before anything imports models (consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from console.body_limit import BodyLimitMiddleware  # noqa: E402
from console.routing import websocket_urlpatterns  # noqa: E402

MB = 1024 * 1024

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(
            django_asgi_app,
            upload_limit=settings.MAX_REQUEST_MB * MB,
            default_limit=settings.MAX_FORM_REQUEST_MB * MB,
            dataset_limit=(settings.DATASET_MAX_UPLOAD_MB + 16) * MB,
        ),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
