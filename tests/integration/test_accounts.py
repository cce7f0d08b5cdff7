"""Sign up, sign in and sign out on server-rendered pages, and the CSRF rule of the
JSON API: a signed-in (cookie) request that changes something needs the token; a
visitor's does not, as before."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from .helpers import counter_spec

pytestmark = pytest.mark.django_db

PASSWORD = "analytical-engine-1843"


@pytest.fixture
def ada_account():
    return User.objects.create_user("ada", password=PASSWORD)


def csrf_client():
    """A client that, like a browser, is held to Django's CSRF checks."""
    return Client(enforce_csrf_checks=True)


def page_token(client, path="/accounts/login/"):
    """The CSRF token a page hands out (its form field; the cookie holds the same secret)."""
    html = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def me(client):
    return client.get("/api/me").json()


def test_the_sign_up_page_looks_like_the_app(client):
    response = client.get("/accounts/signup/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in html and "dist/app.css" in html
    assert 'name="username"' in html and 'name="password1"' in html and 'name="password2"' in html


def test_signing_up_creates_the_account_and_signs_in():
    client = csrf_client()
    token = page_token(client, "/accounts/signup/")
    response = client.post("/accounts/signup/", {"username": "grace", "password1": "cobol-compiler-1959",
                                                 "password2": "cobol-compiler-1959", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.filter(username="grace").exists()
    assert me(client) == me(client) | {"authenticated": True, "username": "grace"}


def test_a_weak_password_is_refused_with_the_reason(client):
    response = client.post("/accounts/signup/", {"username": "grace", "password1": "12345678",
                                                 "password2": "12345678"})
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


def test_signing_in_with_the_right_password_signs_in(ada_account):
    client = csrf_client()
    token = page_token(client)
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD,
                                                "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert me(client)["username"] == "ada"


def test_a_wrong_password_is_refused_on_the_page(client, ada_account):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert "auth-errors" in response.content.decode()
    assert me(client)["authenticated"] is False


def test_signing_in_never_redirects_off_the_site(client, ada_account):
    response = client.post("/accounts/login/?next=https://evil.example/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_out_asks_on_get_and_signs_out_on_post(client, ada_account):
    client.force_login(ada_account)

    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and 'action="/accounts/logout/"' in page.content.decode()
    assert me(client)["authenticated"] is True

    assert client.post("/accounts/logout/").status_code == 302
    assert me(client)["authenticated"] is False


def test_a_signed_in_write_without_the_csrf_token_is_refused(ada_account):
    client = csrf_client()
    client.force_login(ada_account)
    body = json.dumps(counter_spec())

    refused = client.post("/api/scenarios", body, content_type="application/json")
    refused_run = client.post("/api/runs", json.dumps({"scenario": counter_spec()}), content_type="application/json")

    assert refused.status_code == 403 and refused.json()["error"].startswith("CSRF check failed")
    assert refused_run.status_code == 403


def test_a_signed_in_write_with_the_pages_csrf_token_is_accepted(ada_account):
    client = csrf_client()
    client.force_login(ada_account)
    client.get("/")  # the page sets the csrftoken cookie and renders the token into its meta tag
    token = client.cookies["csrftoken"].value

    response = client.post("/api/scenarios", json.dumps(counter_spec()), content_type="application/json",
                           headers={"X-CSRFToken": token})

    assert response.status_code == 201


def test_the_page_renders_the_csrf_token_for_scripts(client):
    html = client.get("/").content.decode()
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)


def test_a_visitors_run_needs_no_csrf_token_as_before():
    response = csrf_client().post("/api/runs", json.dumps({"scenario": counter_spec()}),
                                  content_type="application/json")
    assert response.status_code == 201
