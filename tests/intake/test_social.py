"""One signed webhook for social messages (network, author handle, text, link, message id):
each becomes a ticket, the same message twice is one ticket, a bad signature writes
nothing."""

from tests.intake.conftest import post_social
from tierdesk.tickets.models import Message, Ticket

POST = {"network": "x", "author": "@gulf_ops", "text": "@NexaCore your app logs us out "
        "every 5 minutes since the update", "link": "https://x.example/gulf_ops/status/1",
        "message_id": "1864000000000000001"}


def test_a_social_mention_becomes_a_social_ticket(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    r = post_social(POST)
    assert r.status_code == 201, r.content
    ticket = Ticket.objects.get(pk=r.json()["ticket_id"])
    assert ticket.channel == "social"
    assert ticket.requester.name == "@gulf_ops"
    assert ticket.requester.email.endswith(".invalid")  # never mailed
    assert "logs us out" in ticket.messages.get().body_text
    assert "https://x.example/gulf_ops/status/1" in ticket.messages.get().body_text
    assert ticket.events.filter(type="social_received",
                                data__message_id="1864000000000000001").exists()


def test_the_same_message_id_twice_is_one_ticket(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    first = post_social(POST).json()
    again = post_social(POST)
    assert (again.status_code, again.json()) == (
        200, {"result": "duplicate", "ticket_id": first["ticket_id"], "why": ""})
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)


def test_a_second_message_from_the_author_joins_their_open_ticket(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    first = post_social(POST).json()
    r = post_social({**POST, "text": "still happening", "message_id": "1864000000000000002"})
    assert r.json() == {"result": "threaded", "ticket_id": first["ticket_id"], "why": ""}


def test_an_arabic_mention_is_stored_in_arabic(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    r = post_social({**POST, "text": "التطبيق يسجل خروجنا كل خمس دقائق منذ التحديث",
                     "message_id": "1864000000000000003"})
    assert Ticket.objects.get(pk=r.json()["ticket_id"]).language == "ar"


def test_a_bad_signature_gets_401_and_writes_nothing(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    r = post_social(POST, secret="guessed")
    assert (r.status_code, r.json()["code"]) == (401, "bad_signature")
    assert not Ticket.objects.exists()


def test_without_a_configured_secret_every_request_is_refused(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = ""
    assert post_social(POST, secret="").status_code == 401
    assert not Ticket.objects.exists()


def test_an_empty_text_or_missing_id_names_the_field(nexacore, settings):
    settings.SOCIAL_WEBHOOK_SECRET = "social-collector-shared-secret"
    r = post_social({**POST, "text": "  "})
    assert (r.status_code, r.json()["field"]) == (400, "text")
    r = post_social({k: v for k, v in POST.items() if k != "message_id"})
    assert (r.status_code, r.json()["field"]) == (400, "message_id")
    r = post_social({**POST, "network": "myspace"})
    assert (r.status_code, r.json()["field"]) == (400, "network")
    assert not Ticket.objects.exists()
