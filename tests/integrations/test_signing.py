"""verify_webhook checks a real outbound delivery the way a receiver would."""

import time

import pytest

from tests.integrations.fakes import FakeService
from tierdesk import clock
from tierdesk.integrations import outbound
from tierdesk.integrations.signing import verify_webhook
from tierdesk.outbox import services as outbox

SECRET = "whsec-test-secret"


@pytest.fixture
def delivery(db, settings):
    """Return (headers, body) of a real signed webhook captured on a loopback receiver."""
    settings.WEBHOOK_SECRET = SECRET
    receiver = FakeService()
    receiver.routes[("POST", "/hooks/tierdesk")] = lambda request: (200, {"received": True})
    receiver.start()
    try:
        assert outbound.send_webhook(url=f"{receiver.base_url}/hooks/tierdesk",
                                     event="ticket.escalated", ticket_id=7,
                                     body={"ticket_id": 7, "priority": "P0"}, at=clock.now())
        assert outbox.deliver_due() == 1
    finally:
        receiver.stop()
    (request,) = receiver.requests
    return request.headers, request.body


def check(headers, body, **kw) -> bool:
    kw.setdefault("now", time.time())
    return verify_webhook(kw.pop("secret", SECRET), headers["x-tierdesk-timestamp"], body,
                          headers["x-tierdesk-signature"], **kw)


def test_genuine_delivery_is_accepted(delivery):
    headers, body = delivery

    assert check(headers, body)
    assert headers["x-tierdesk-delivery"].isdigit()


def test_tampered_body_is_rejected(delivery):
    headers, body = delivery

    assert not check(headers, body.replace(b'"P0"', b'"P3"'))


def test_stale_timestamp_is_rejected_as_a_possible_replay(delivery):
    headers, body = delivery
    sent_at = int(headers["x-tierdesk-timestamp"])

    assert check(headers, body, now=sent_at + 300)
    assert not check(headers, body, now=sent_at + 301)
    assert not check(headers, body, now=sent_at - 301)  # from the future: clock skew or forgery


def test_wrong_secret_is_rejected(delivery):
    headers, body = delivery

    assert not check(headers, body, secret="another-secret")


def test_signature_over_another_timestamp_is_rejected(delivery):
    headers, body = delivery
    moved = {**headers, "x-tierdesk-timestamp": str(int(headers["x-tierdesk-timestamp"]) + 1)}

    assert not check(moved, body)


@pytest.mark.parametrize("signature", ["", "sha256=", "md5=abc", "sha256=zz"])
def test_malformed_signatures_are_rejected(signature):
    now = int(time.time())

    assert not verify_webhook(SECRET, str(now), b"{}", signature, now)


def test_now_may_be_a_datetime(delivery):
    headers, body = delivery

    assert check(headers, body, now=clock.now())
