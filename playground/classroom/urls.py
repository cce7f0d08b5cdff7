from django.urls import path

from . import views

urlpatterns = [
    path("", views.classrooms_home, name="classrooms"),
    path("<str:code>/", views.classroom_page, name="classroom"),
    path("<str:code>/screen", views.screen_page, name="classroom-screen"),
]
