"""Login everywhere, the login page, and the demo-only "log in as demo admin" button."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from regions.roles import ADMIN, role_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/grid/refresh/", "/identities/1/"])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_login_page_logs_a_user_in(client, viewer):
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post("/login/", {"username": "viewer", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_an_error(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert "flash-error" in response.content.decode()


def test_demo_button_is_hidden_and_the_view_404s_when_the_demo_is_off(client, settings):
    settings.SESOPS_DEMO_LOGIN = False
    assert "Log in as demo admin" not in client.get("/login/").content.decode()
    assert client.post("/login/demo/").status_code == 404
    assert not User.objects.filter(username="demo").exists()


def test_demo_login_creates_the_demo_admin_and_logs_in(client, settings):
    settings.SESOPS_DEMO_LOGIN = True
    assert "Log in as demo admin" in client.get("/login/").content.decode()
    response = client.post("/login/demo/", {"next": "/identities/1/"})
    assert response.status_code == 302 and response["Location"] == "/identities/1/"
    demo = User.objects.get(username="demo")
    assert role_of(demo) == ADMIN
    assert not demo.has_usable_password()
    assert client.get("/").status_code == 200
    # A second click reuses the same user.
    Client().post("/login/demo/")
    assert User.objects.filter(username="demo").count() == 1


def test_demo_login_refuses_an_offsite_next(client, settings):
    settings.SESOPS_DEMO_LOGIN = True
    response = client.post("/login/demo/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_demo_login_is_post_only_and_needs_csrf(settings):
    settings.SESOPS_DEMO_LOGIN = True
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/login/demo/").status_code == 405
    assert browser.post("/login/demo/").status_code == 403
    assert not User.objects.filter(username="demo").exists()
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    response = browser.post("/login/demo/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
