"""Every web page x persona, like the API's matrix: anonymous visitors are sent to sign in,
customers cannot open the workspace, agents cannot open the portal, and a ticket or queue
outside the viewer's scope is a 404 (its id leaks nothing). The target ticket belongs to
organisation 1018 and sits in the Support queue."""

import pytest
from django.test import Client

from tests.matrix import cases, fill, persona_user
from tierdesk.tickets.models import Message, Ticket

# (name, method, path, form, expected status per persona in PERSONAS order:
#  anonymous, customer, foreign_customer, agent, outsider_agent, manager)
MATRIX = [
    ("home", "get", "/", None, [302, 302, 302, 302, 302, 302]),
    ("workspace", "get", "/agent/", None, [302, 403, 403, 200, 200, 200]),
    ("workspace view", "get", "/agent/?view=breached", None, [302, 403, 403, 200, 200, 200]),
    ("group queue", "get", "/agent/queues/{group}/", None, [302, 403, 403, 200, 404, 200]),
    ("SLA board", "get", "/agent/sla/", None, [302, 403, 403, 403, 403, 200]),
    ("reports (an agent sees their own)", "get", "/agent/reports/?period=2026-11", None,
     [302, 403, 403, 200, 200, 200]),
    ("leadership view", "get", "/agent/reports/leadership/", None,
     [302, 403, 403, 403, 403, 200]),
    ("ticket page", "get", "/agent/tickets/{ticket}/", None, [302, 403, 403, 200, 404, 200]),
    ("reply", "post", "/agent/tickets/{ticket}/reply/", {"body": "hi"},
     [302, 403, 403, 302, 404, 302]),
    ("internal note", "post", "/agent/tickets/{ticket}/note/", {"body": "psst"},
     [302, 403, 403, 302, 404, 302]),
    ("change priority", "post", "/agent/tickets/{ticket}/update/", {"priority": "P1"},
     [302, 403, 403, 302, 404, 302]),
    ("escalate (no pack active)", "post", "/agent/tickets/{ticket}/escalate/", {"to": "L2"},
     [302, 403, 403, 400, 404, 400]),
    ("fill template", "get", "/agent/tickets/{ticket}/template/?template=x", None,
     [302, 403, 403, 200, 404, 200]),
    ("portal", "get", "/portal/", None, [302, 200, 200, 403, 403, 403]),
    ("portal new request form", "get", "/portal/new/", None, [302, 200, 200, 403, 403, 403]),
    ("portal SLA promise", "get", "/portal/promise/?error_code=DB-2003", None,
     [302, 200, 200, 403, 403, 403]),
    ("portal submit", "post", "/portal/new/", {"subject": "s", "body": "b"},
     [302, 302, 302, 403, 403, 403]),
    ("portal ticket", "get", "/portal/tickets/{ticket}/", None, [302, 200, 404, 403, 403, 403]),
    ("portal reply", "post", "/portal/tickets/{ticket}/reply/", {"body": "thanks"},
     [302, 302, 404, 403, 403, 403]),
]


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"),
                         cases(MATRIX))
def test_web_page_authorization(world, name, method, path, form, persona, expected):
    ids = {"ticket": world.ticket.pk, "group": world.group.pk}
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, form or {}) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content[:300]
    if persona == "anonymous" and url != "/":
        assert response["Location"].startswith("/login/?next=")


def test_refused_writes_change_nothing(world):
    """Every refused web write (403/404) leaves the ticket and its conversation as they were."""
    before = (Ticket.objects.values().get(pk=world.ticket.pk), Message.objects.count())
    for persona in ("customer", "foreign_customer", "outsider_agent"):
        client = Client()
        client.force_login(persona_user(world, persona))
        for action, form in (("reply", {"body": "x"}), ("note", {"body": "x"}),
                             ("update", {"priority": "P1"})):
            client.post(f"/agent/tickets/{world.ticket.pk}/{action}/", form)
    foreign = Client()
    foreign.force_login(world.foreign_customer.user)
    foreign.post(f"/portal/tickets/{world.ticket.pk}/reply/", {"body": "x"})
    assert (Ticket.objects.values().get(pk=world.ticket.pk), Message.objects.count()) == before
