from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import include, path


def index(request):
    """The single page; the frontend (built by Vite) does the rest."""
    return render(request, "index.html")


# Password reset: Django's own views, with pages in the style of the sign-in pages
# (templates/registration/password_reset_*.html); the mail goes through EMAIL_BACKEND.
password_reset = [
    path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", index, name="index"),
    path("api/", include("playground.api.urls")),
    path("accounts/", include("playground.accounts.urls")),
    path("accounts/", include(password_reset)),
    path("classrooms/", include("playground.classroom.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "playground.api.errors.django_bad_request"
handler404 = "playground.api.errors.django_not_found"
handler500 = "playground.api.errors.django_server_error"
