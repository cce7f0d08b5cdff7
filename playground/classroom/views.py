"""The classroom's pages: shells for the frontend (like the main page), which reads the
API and the WebSockets. The projector page is the class's teacher's only."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render

from .models import Classroom


def classroom_page(request, code):
    """The join page / student view / teacher dashboard: the frontend asks the API which."""
    return render(request, "classroom/page.html", {"code": code.upper(), "view": "classroom"})


def screen_page(request, code):
    """The projector view, for the signed-in teacher of the class (404 for anyone else)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not Classroom.objects.filter(code=code.upper(), teacher=request.user).exists():
        raise Http404("no such classroom")
    return render(request, "classroom/page.html", {"code": code.upper(), "view": "screen"})


def classrooms_home(request):
    """/classrooms/: a teacher's classes and the form that opens one (the frontend asks the API)."""
    return render(request, "classroom/page.html", {"code": "", "view": "home"})
