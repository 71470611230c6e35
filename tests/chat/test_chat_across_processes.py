"""Issue 12, "Done when": a chat started through the widget's API becomes a ticket with
its transcript across two server processes. Two real ``tierdesk serve`` instances share
one database: the visitor talks to one, the agent to the other, and each line posted on
one reaches the long-poll waiting on the other."""

import threading
import time

import pytest

from tests.chat.servers import Server, call
from tests.factories import AgentFactory, GroupFactory, UserFactory
from tierdesk.chat.models import ChatSession
from tierdesk.packs.services import pack_apply
from tierdesk.people.services import token_create
from tierdesk.policy import PACKS_DIR
from tierdesk.sla.models import SlaTarget

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PORTS = (8151, 8152)


@pytest.fixture
def two_servers(tmp_path):
    pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text())
    servers = [Server(port, tmp_path / f"s{port}") for port in PORTS]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_chat_on_one_server_is_answered_from_another_and_kept_as_the_ticket(two_servers):
    visitor_side, agent_side = two_servers
    agent = AgentFactory(user=UserFactory(username="alice", first_name="Alice"),
                         groups=[GroupFactory(name="Support")])
    _, secret = token_create(user=agent.user)
    agent_auth = {"Authorization": f"Bearer {secret}"}

    # Given a visitor who starts a chat through the widget's API on server 1
    status, started = call("POST", f"{visitor_side.base}/api/v1/chat/sessions",
                           {"text": "My withdrawal is stuck", "name": "Jo",
                            "email": "jo@visitor.example"})
    assert status == 201, started
    sid, chat_auth = started["session_id"], {"X-Chat-Token": started["token"]}
    after = started["last_id"]

    # and waits on server 1 for the answer (a long-poll)
    answer: dict = {}

    def wait_for_answer() -> None:
        answer["status"], answer["body"] = call(
            "GET", f"{visitor_side.base}/api/v1/chat/sessions/{sid}/messages"
                   f"?after={after}&wait=15", headers=chat_auth)
        answer["at"] = time.monotonic()

    waiting = threading.Thread(target=wait_for_answer)
    waiting.start()
    time.sleep(0.5)

    # When the agent answers through server 2
    sent_at = time.monotonic()
    status, line = call("POST", f"{agent_side.base}/api/v1/chat/sessions/{sid}/messages",
                        {"text": "Hi Jo, checking your withdrawal now"}, headers=agent_auth)
    assert status == 201, line
    waiting.join(20)

    # Then the visitor's long-poll on server 1 brings it at once
    assert answer["status"] == 200
    assert [m["text"] for m in answer["body"]["messages"]] == [
        "Hi Jo, checking your withdrawal now"]
    # (woken by the answer, not by the end of its 15 s wait; the latency itself is
    # benchmarks/chat's to measure: a loaded CI machine stretches it past 2 s)
    assert answer["at"] - sent_at < 7.5

    # and the visitor's reply through server 1 reaches the agent polling server 2
    status, _ = call("POST", f"{visitor_side.base}/api/v1/chat/sessions/{sid}/messages",
                     {"text": "Thanks!", "client_id": "w-2"}, headers=chat_auth)
    assert status == 201
    status, seen = call("GET", f"{agent_side.base}/api/v1/chat/sessions/{sid}/messages"
                               f"?after={line['id']}&wait=5", headers=agent_auth)
    assert [m["text"] for m in seen["messages"]] == ["Thanks!"]

    # and the chat is a ticket whose conversation is the transcript, answered in time
    session = ChatSession.objects.select_related("ticket").get(pk=sid)
    ticket = session.ticket
    assert ticket.channel == "chat"
    assert list(ticket.messages.order_by("id").values_list("body_text", flat=True)) == [
        "My withdrawal is stuck", "Hi Jo, checking your withdrawal now", "Thanks!"]
    assert ticket.first_responded_at is not None
    clock_row = SlaTarget.objects.get(ticket=ticket, metric="first_response")
    assert (clock_row.policy, clock_row.target_minutes, clock_row.state) == (
        "Live chat", 2, "met")
