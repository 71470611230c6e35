"""Every web page x persona, like the API's matrix: anonymous visitors are sent to sign in,
customers cannot open the workspace, agents cannot open the portal, and a ticket or queue
outside the viewer's scope is a 404 (its id leaks nothing). The target ticket belongs to
organisation 1018 and sits in the Support queue."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tests.factories import MessageFactory, TicketFactory
from tests.matrix import cases, fill, persona_user
from tierdesk.incidents.services import incident_open
from tierdesk.people.access import viewer_for
from tierdesk.tickets.models import Attachment, Message, Ticket
from tierdesk.workspace.services import saved_filter_create

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
    # The ticket page's heartbeat, merge, incident link and files
    ("presence heartbeat", "post", "/agent/tickets/{ticket}/presence/", {"state": "viewing"},
     [302, 403, 403, 200, 404, 200]),
    ("merge into a visible ticket", "post", "/agent/tickets/{ticket}/merge/",
     {"target": "{twin}"}, [302, 403, 403, 302, 404, 302]),
    ("link to an incident", "post", "/agent/tickets/{ticket}/incident/",
     {"incident": "{incident}"}, [302, 403, 403, 302, 404, 302]),
    ("download an attachment (agent)", "get",
     "/agent/tickets/{ticket}/attachments/{attachment}/", None, [302, 403, 403, 200, 404, 200]),
    ("download an attachment (portal)", "get",
     "/portal/tickets/{ticket}/attachments/{attachment}/", None,
     [302, 200, 404, 403, 403, 403]),
    ("download a note's attachment (portal)", "get",
     "/portal/tickets/{ticket}/attachments/{note_attachment}/", None,
     [302, 404, 404, 403, 403, 403]),
    # Saved filters (the target filter is the agent's own)
    ("save a filter", "post", "/agent/filters/", {"name": "Mine", "view": "mine"},
     [302, 403, 403, 302, 302, 302]),
    ("save a filter on a queue", "post", "/agent/filters/",
     {"name": "Support P1", "group": "{group}", "priority": "P1"},
     [302, 403, 403, 302, 404, 302]),
    ("open a saved filter", "get", "/agent/filters/{filter}/", None,
     [302, 403, 403, 200, 404, 404]),
    ("delete a saved filter", "post", "/agent/filters/{filter}/delete/", None,
     [302, 403, 403, 302, 404, 404]),
    # Incidents and the status page (managers)
    ("incidents", "get", "/agent/incidents/", None, [302, 403, 403, 403, 403, 200]),
    ("declare an incident", "post", "/agent/incidents/new/",
     {"title": "API outage", "severity": "P1"}, [302, 403, 403, 403, 403, 302]),
    ("incident page", "get", "/agent/incidents/{incident}/", None,
     [302, 403, 403, 403, 403, 200]),
    ("post an incident update", "post", "/agent/incidents/{incident}/update/",
     {"body": "Found it", "status": "identified", "public": "1"},
     [302, 403, 403, 403, 403, 302]),
    ("link tickets to an incident", "post", "/agent/incidents/{incident}/link/",
     {"tickets": "{ticket}"}, [302, 403, 403, 403, 403, 302]),
    ("publish an incident", "post", "/agent/incidents/{incident}/publish/",
     {"public": "1", "summary": "The API is down."}, [302, 403, 403, 403, 403, 302]),
    ("resolve an incident", "post", "/agent/incidents/{incident}/resolve/",
     {"body": "Fixed", "public": "1"}, [302, 403, 403, 403, 403, 302]),
]


@pytest.fixture
def ids(world, settings, tmp_path) -> dict:
    """The records the rows above point at: a second ticket in the same queue, an open
    incident, a file on a public reply and one on an internal note, the agent's filter."""
    settings.MEDIA_ROOT = tmp_path
    twin = TicketFactory(requester=world.customer, group=world.group, subject="Same outage")
    incident = incident_open(viewer=viewer_for(world.manager.user), title="SSO outage",
                             severity="P1")
    reply = MessageFactory(ticket=world.ticket, author=world.customer.user)
    note = MessageFactory(ticket=world.ticket, author=world.agent.user, kind=Message.Kind.NOTE)
    files = [Attachment.objects.create(message=m, filename="log.txt", size=3,
                                       content_type="text/plain",
                                       file=ContentFile(b"log", name="log.txt"))
             for m in (reply, note)]
    saved = saved_filter_create(viewer=viewer_for(world.agent.user), name="Breached",
                                view="breached")
    return {"ticket": world.ticket.pk, "group": world.group.pk, "twin": twin.pk,
            "incident": incident.pk, "attachment": files[0].pk, "note_attachment": files[1].pk,
            "filter": saved.pk}


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"),
                         cases(MATRIX))
def test_web_page_authorization(world, ids, name, method, path, form, persona, expected):
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, fill(form or {}, ids)) if method == "post" else client.get(url)
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
