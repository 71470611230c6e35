"""Who may post to the inbound mail hook: whoever holds the shared secret, nobody else —
a user's API token (any persona) does not open it."""

import pytest
from django.test import Client

from tests.mail.conftest import SECRET
from tests.mail.messages import mail
from tests.matrix import PERSONAS, persona_user
from tierdesk.people.services import token_create
from tierdesk.tickets.models import Ticket

URL = "/api/v1/channels/email/inbound"


def post(raw=None, **headers):
    return Client().post(URL, data=raw if raw is not None else mail(),
                         content_type=headers.pop("content_type", "message/rfc822"), **headers)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_may_post_mail_without_the_secret(world, dataflow, persona):
    user = persona_user(world, persona)
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user)[1]}"
    tickets = Ticket.objects.count()

    response = post(**headers)

    assert response.status_code == 401
    assert response.json()["field"] == "header.X-Tierdesk-Inbound-Secret"
    assert Ticket.objects.count() == tickets


def test_a_wrong_secret_is_refused(dataflow):
    response = post(HTTP_X_TIERDESK_INBOUND_SECRET="guess")
    assert response.status_code == 401 and not Ticket.objects.exists()


def test_the_hook_is_closed_until_a_secret_is_configured(dataflow, settings):
    settings.MAIL_INBOUND_SECRET = ""
    response = post(HTTP_X_TIERDESK_INBOUND_SECRET="")
    assert response.status_code == 404 and not Ticket.objects.exists()


def test_another_content_type_is_refused_naming_the_header(dataflow):
    response = post(b'{"subject": "x"}', content_type="application/json",
                    HTTP_X_TIERDESK_INBOUND_SECRET=SECRET)
    assert response.status_code == 415
    assert response.json()["field"] == "header.Content-Type"
    assert not Ticket.objects.exists()


def test_a_message_over_the_size_limit_is_refused(dataflow, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 1000
    response = post(mail(body="x" * 5000), HTTP_X_TIERDESK_INBOUND_SECRET=SECRET)
    assert response.status_code == 413 and not Ticket.objects.exists()


def test_a_big_message_over_the_json_body_limit_is_accepted(dataflow):
    pdf = bytes(range(256)) * 8000  # 2 MB: over the API's 1 MB JSON limit
    response = post(mail(body="big", attachments=[("big.pdf", "application/pdf", pdf)]),
                    HTTP_X_TIERDESK_INBOUND_SECRET=SECRET)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "created"
    from tierdesk.tickets.models import Attachment

    assert Attachment.objects.get().file.read() == pdf  # the big-body fast path, byte-exact


def test_a_failed_message_answers_422_with_why(dataflow):
    response = post(b"not mail", HTTP_X_TIERDESK_INBOUND_SECRET=SECRET)
    assert response.status_code == 422
    assert response.json()["result"].startswith("failed: unreadable mail")
