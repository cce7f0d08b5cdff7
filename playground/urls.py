from django.shortcuts import render
from django.urls import include, path


def index(request):
    """The single page; the frontend (built by Vite) does the rest."""
    return render(request, "index.html")


urlpatterns = [
    path("", index, name="index"),
    path("api/", include("playground.api.urls")),
    path("accounts/", include("playground.accounts.urls")),
]

handler400 = "playground.api.errors.django_bad_request"
handler404 = "playground.api.errors.django_not_found"
handler500 = "playground.api.errors.django_server_error"
