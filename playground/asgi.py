"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
# Set up Django (apps, models) before anything imports a consumer.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator  # noqa: E402

from playground.classroom.routing import websocket_urlpatterns as classroom_routes  # noqa: E402
from playground.live.routing import websocket_urlpatterns  # noqa: E402


class BrowserOriginValidator(OriginValidator):
    """A browser always sends `Origin` with a WebSocket handshake, and it sends the
    site's cookies whatever page opened the socket: a page from another origin is
    refused (cross-site WebSocket hijacking). A handshake without `Origin` is not a
    browser page's (a script, the benchmarks, a teacher's tools) and is let in; it
    carries only the cookies its sender chose to send. Channels' own validator refuses
    those unless every origin is allowed."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


def origin_checked(application):
    """Like channels' AllowedHostsOriginValidator (ALLOWED_HOSTS are the allowed origins),
    letting clients without an Origin header in."""
    return BrowserOriginValidator(application, AllowedHostsOriginValidator(application).allowed_origins)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": origin_checked(AuthMiddlewareStack(URLRouter(websocket_urlpatterns + classroom_routes))),
    }
)
