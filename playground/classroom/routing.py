from django.urls import path, re_path

from .consumers import ClassroomConsumer, ScreenConsumer

websocket_urlpatterns = [
    re_path(r"^ws/classrooms/(?P<code>[A-Za-z0-9]{1,12})/screen/?$", ScreenConsumer.as_asgi()),
    path("ws/classrooms/<str:code>/", ClassroomConsumer.as_asgi()),
]
