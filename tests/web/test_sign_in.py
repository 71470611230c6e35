"""Sign-in for everyone at /login/, lockout after repeated failures, argon2 hashes that
keep older ones working, password reset by email, and / sending each person home."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client

from tierdesk.demo import DEMO_PASSWORD, load_demo


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_anonymous_visitor_at_root_is_sent_to_the_login_page(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = Client().get("/login/")
    assert b"Sign in to Tierdesk" in page.content


def test_demo_people_sign_in_with_the_demo_password_and_land_home(db):
    load_demo()
    for username, home in [("maria", "/agent/"), ("alice", "/agent/"),
                           ("customer1018", "/portal/")]:
        client = Client()
        response = sign_in(client, username, DEMO_PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/", username
        assert client.get("/")["Location"] == home
        assert client.get(home).status_code == 200
    assert get_user_model().objects.get(username="alice").password.startswith("argon2$")


def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2(db):
    user = get_user_model().objects.create(
        username="legacy", password=make_password("old-secret-1", hasher="pbkdf2_sha256"))
    assert user.password.startswith("pbkdf2_sha256$")
    assert sign_in(Client(), "legacy", "old-secret-1").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_wrong_password_is_refused_with_a_message(db):
    get_user_model().objects.create_user(username="ann", password="right-password-1")
    response = sign_in(Client(), "ann", "wrong")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_five_failed_attempts_lock_the_account_even_for_the_right_password(db):
    get_user_model().objects.create_user(username="ann", password="right-password-1")
    client = Client()
    for _ in range(5):
        sign_in(client, "ann", "wrong")
    response = sign_in(client, "ann", "right-password-1")
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(db):
    get_user_model().objects.create_user(username="ann", password="right-password-1")
    client = Client()
    sign_in(client, "ann", "right-password-1")
    assert client.post("/logout/").status_code == 302
    assert client.get("/agent/")["Location"].startswith("/login/")


def test_password_reset_mails_a_link_that_sets_a_new_password(db):
    get_user_model().objects.create_user(username="ann", email="ann@example.com",
                                         password="old-password-1")
    client = Client()
    response = client.post("/password-reset/", {"email": "ann@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "brand-new-pass-9",
                                      "new_password2": "brand-new-pass-9"})
    assert response["Location"] == "/password-reset/done/"
    assert sign_in(Client(), "ann", "brand-new-pass-9").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db):
    response = Client().post("/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []
