"""Sign up, sign in, sign out: Django's own auth, on server-rendered pages that look
like the app. Signed-in people can save scenarios (see playground.api.scenarios)."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods


def next_url(request, default="/"):
    """Where to go afterwards: `next` if it is on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(next_url(request))
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url(request))
    return render(request, "registration/signup.html", {"form": form, "next": next_url(request, "")})


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST signs out (Django's LogoutView); GET shows a page with the button, so a
    plain link to /accounts/logout/ works without letting a cross-site GET sign anyone out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html", {"next": next_url(request, "")})
