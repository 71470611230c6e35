"""A chat desk: Fire22 (chat answered within 2 minutes) or DataFlow (chat for Professional
and Enterprise plans only), an agent who answers, and a JSON client for the widget's API."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import AgentFactory, GroupFactory, UserFactory
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday afternoon


@pytest.fixture
def fire22(db):
    return pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text()).version


@pytest.fixture
def dataflow(db):
    return pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text()).version


@pytest.fixture
def frozen():
    clock.freeze(T0)
    return T0


@pytest.fixture
def agent(db):
    return AgentFactory(user=UserFactory(username="alice", first_name="Alice"),
                        groups=[GroupFactory(name="Support")], languages=["en", "es"])


class Widget:
    """What the widget's script does, as plain HTTP calls."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client()
        self.token = None
        self.session_id = None

    def _headers(self) -> dict:
        return {"HTTP_X_CHAT_TOKEN": self.token} if self.token else {}

    def start(self, text: str, name: str = "Jo Visitor", email: str = "jo@visitor.example"):
        r = self.client.post("/api/v1/chat/sessions", json.dumps(
            {"text": text, "name": name, "email": email}), content_type="application/json")
        if r.status_code == 201:
            self.token = r.json()["token"]
            self.session_id = r.json()["session_id"]
        return r

    def say(self, text: str, client_id: str | None = None):
        body = {"text": text, **({"client_id": client_id} if client_id else {})}
        return self.client.post(f"/api/v1/chat/sessions/{self.session_id}/messages",
                                json.dumps(body), content_type="application/json",
                                **self._headers())

    def read(self, after: int = 0, wait: float = 0):
        return self.client.get(f"/api/v1/chat/sessions/{self.session_id}/messages",
                               {"after": after, "wait": wait}, **self._headers())

    def end(self):
        return self.client.post(f"/api/v1/chat/sessions/{self.session_id}/end", "{}",
                                content_type="application/json", **self._headers())


@pytest.fixture
def widget() -> Widget:
    return Widget()
