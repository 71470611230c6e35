"""NexaCore's V-VIP Slack channel, a fake Slack Web API on loopback for slack-sdk, and
helpers that sign requests the way Slack and our social collector do."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import OrganisationFactory
from tests.integrations.fakes import FakeSlack
from tierdesk import clock
from tierdesk.intake.models import SlackChannel
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SOCIAL_SECRET = "social-collector-shared-secret"
# Tuesday 1 December 2026, 12:00 in Dubai: NexaCore's Slack hours (Sun-Thu 09-18).
TUESDAY_NOON_DUBAI = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def nexacore(db):
    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    clock.freeze(TUESDAY_NOON_DUBAI)
    return TUESDAY_NOON_DUBAI


@pytest.fixture
def vvip(nexacore):
    org = OrganisationFactory(name="Gulf Bank", plan="Enterprise", vip=True, country="AE",
                              timezone="Asia/Dubai")
    SlackChannel.objects.create(channel_id="C0GULFBANK", name="gulfbank-nexacore",
                                organisation=org)
    return org


@pytest.fixture
def slack_api(settings):
    server = FakeSlack()
    users = {"U0FATIMA": {"real_name": "Fatima Al Mansouri", "email": "fatima@gulfbank.example"}}

    def users_info(req):
        user = (req.json or {}).get("user") or req.path
        for uid, profile in users.items():
            if uid in str(user) or uid in str(req.headers):
                return 200, {"ok": True, "user": {"id": uid, "profile": profile}}
        return 200, {"ok": True, "user": {"id": "U0OTHER", "profile": {"real_name": "Someone"}}}

    server.routes[("POST", "/api/users.info")] = users_info
    server.routes[("GET", "/api/users.info")] = users_info
    server.start()
    settings.SLACK_BOT_TOKEN = "xoxb-test-token"
    settings.SLACK_API_URL = server.api_url
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    yield server
    server.stop()


def slack_signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_slack(payload: dict, *, secret: str = SIGNING_SECRET, timestamp: str | None = None,
               signature: str | None = None):
    body = json.dumps(payload).encode()
    ts = timestamp or str(int(time.time()))
    sig = signature if signature is not None else slack_signature(body, ts, secret)
    return Client().post("/api/v1/channels/slack/events", body,
                         content_type="application/json",
                         HTTP_X_SLACK_REQUEST_TIMESTAMP=ts, HTTP_X_SLACK_SIGNATURE=sig)


def message_event(text: str, *, ts: str, channel: str = "C0GULFBANK", user: str = "U0FATIMA",
                  thread_ts: str | None = None, **extra) -> dict:
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
             **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "team_id": "T0NEXA", "event_id": f"Ev{ts}",
            "event": event}


def post_social(payload: dict, *, secret: str = SOCIAL_SECRET, timestamp: str | None = None,
                signature: str | None = None):
    body = json.dumps(payload).encode()
    ts = timestamp or str(int(clock.now().timestamp()))
    sig = signature if signature is not None else "sha256=" + hmac.new(
        secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return Client().post("/api/v1/channels/social/inbound", body,
                         content_type="application/json",
                         HTTP_X_TIERDESK_TIMESTAMP=ts, HTTP_X_TIERDESK_SIGNATURE=sig)
