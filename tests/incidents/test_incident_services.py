"""Each incident service: what it writes (timeline, ticket events, outbox) and what it refuses."""

from datetime import timedelta

import pytest

from tests.incidents.conftest import IncidentFactory, link
from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.incidents import services
from tierdesk.incidents.models import Incident, IncidentTicket, IncidentUpdate, PostIncidentReview
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import TicketEvent

KB = "https://help.dataflow.test/kb/api-gateway-outage-2026-11-23"


def incident_mail():
    return list(OutboxMessage.objects.filter(payload__template="incident_update").order_by("id"))


def open_outage(world, outage) -> Incident:
    agent = world.viewer(world.agent)
    incident = services.incident_open(viewer=agent, title="API gateway outage", severity="P0",
                                      summary="API requests fail with timeouts.", public=True)
    services.incident_link_tickets(incident=incident, viewer=agent, tickets=outage.tickets)
    return incident


def test_one_update_reaches_every_distinct_requester_exactly_once(
        world, outage, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_ENABLED = True  # with mail off, queued mail waits and nothing is kicked
    # Given the API outage linking 7 tickets of 4 people in 3 organisations
    incident = open_outage(world, outage)
    assert {t.organisation_id for t in outage.tickets} == {o.pk for o in outage.orgs}
    # When one public status update is posted
    with django_capture_on_commit_callbacks() as callbacks:
        update = services.incident_post_update(
            incident=incident, viewer=world.viewer(world.agent), status="identified",
            body="We found a faulty load balancer and are replacing it.", public=True)
    # Then each person gets one mail (priya: one, naming all three of her tickets)
    mail = incident_mail()
    recipients = [m.payload["to"][0] for m in mail]
    assert sorted(recipients) == sorted(c.email for c in outage.contacts.values())
    priya = next(m for m in mail if m.payload["to"] == ["priya@northwind.test"])
    for ticket in outage.tickets_of("priya"):
        assert f"#{ticket.pk}" in priya.payload["body"]
    assert priya.payload["subject"] == "[P0] API gateway outage: Identified"
    assert "faulty load balancer" in priya.payload["body"]
    assert update.notified == 4
    assert IncidentUpdate.objects.get(pk=update.pk).notified == 4
    # And delivery is kicked only after commit
    assert len(callbacks) >= 1


def test_an_update_records_an_incident_update_event_on_every_linked_ticket(world, outage):
    incident = open_outage(world, outage)
    update = services.incident_post_update(
        incident=incident, viewer=world.viewer(world.agent), status="identified",
        body="Found it.", public=True)
    for ticket in outage.tickets:
        event = TicketEvent.objects.get(ticket=ticket, type="incident_update")
        assert event.actor == world.agent.user
        # Issue 9 item 6: the event names the incident too (it used to be an id alone).
        assert event.data == {"incident": incident.pk, "title": "API gateway outage",
                              "update": update.pk, "status": "identified",
                              "previous_status": "investigating", "public": True}


def test_linking_records_incident_linked_on_each_ticket_and_skips_already_linked(world, outage):
    incident = open_outage(world, outage)
    again = services.incident_link_tickets(incident=incident, viewer=world.viewer(world.agent),
                                           tickets=outage.tickets[:2])
    assert again == []
    assert IncidentTicket.objects.filter(incident=incident).count() == len(outage.tickets)
    for ticket in outage.tickets:
        (event,) = TicketEvent.objects.filter(ticket=ticket, type="incident_linked")
        # No pack is active here, so no pack names the severity (issue 9 item 6 added it).
        assert event.data == {"incident": incident.pk, "severity": "P0",
                              "severity_name": None, "title": "API gateway outage"}


def test_the_timeline_records_each_update_in_order(world, outage, frozen):
    incident = open_outage(world, outage)
    agent = world.viewer(world.agent)
    steps = [("investigating", "Looking into API timeouts.", True),
             ("identified", "Load balancer lb-3 is failing.", False),
             ("monitoring", "Traffic moved to lb-4; watching.", True),
             ("resolved", "Error rates are back to normal.", True)]
    for status, body, public in steps:
        clock.advance(timedelta(minutes=10))
        services.incident_post_update(incident=incident, viewer=agent, status=status,
                                      body=body, public=public)
    timeline = list(IncidentUpdate.objects.filter(incident=incident).order_by("at", "id"))
    assert [(u.status, u.body, u.public) for u in timeline] == steps
    assert [u.at for u in timeline] == [frozen + timedelta(minutes=10 * n) for n in (1, 2, 3, 4)]
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at == frozen + timedelta(minutes=40)


def test_an_internal_update_is_never_mailed(world, outage):
    incident = open_outage(world, outage)
    update = services.incident_post_update(
        incident=incident, viewer=world.viewer(world.agent), status="identified",
        body="lb-3 firmware bug, vendor ticket 4411", public=False)
    assert incident_mail() == []
    assert update.notified == 0
    assert TicketEvent.objects.filter(type="incident_update", data__public=False).count() == 7


def test_a_public_update_without_notification_mails_nobody(world, outage):
    incident = open_outage(world, outage)
    services.incident_post_update(incident=incident, viewer=world.viewer(world.agent),
                                  status="monitoring", body="Watching.", public=True,
                                  notify_requesters=False)
    assert incident_mail() == []


def test_addresses_differing_only_in_case_get_one_mail(world, outage):
    from tests.factories import ContactFactory, TicketFactory

    twin = ContactFactory(organisation=outage.orgs[2], email="Ana@Acme.test")
    incident = open_outage(world, outage)
    services.incident_link_tickets(incident=incident, viewer=world.viewer(world.agent),
                                   tickets=[TicketFactory(requester=twin, group=world.group)])
    services.incident_post_update(incident=incident, viewer=world.viewer(world.agent),
                                  status="identified", body="Found it.", public=True)
    assert len(incident_mail()) == 4


def test_resolving_requires_a_status_update(world, outage):
    incident = open_outage(world, outage)
    with pytest.raises(ServiceError) as exc:
        services.incident_resolve(incident=incident, viewer=world.viewer(world.agent),
                                  body="  ", public=True)
    assert exc.value.field == "body"
    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert not incident.updates.exists()


def test_resolving_closes_the_incident_to_further_updates_and_links(world, outage):
    incident = open_outage(world, outage)
    agent = world.viewer(world.agent)
    services.incident_resolve(incident=incident, viewer=agent, body="Fixed.", public=True)
    with pytest.raises(Conflict):
        services.incident_post_update(incident=incident, viewer=agent, status="monitoring",
                                      body="Oops", public=True)
    with pytest.raises(Conflict):
        services.incident_link_tickets(incident=incident, viewer=agent, tickets=[world.ticket])
    assert incident.updates.count() == 1
    assert not IncidentTicket.objects.filter(ticket=world.ticket).exists()


def test_a_resolved_incident_gets_a_review_with_a_kb_link(world, outage):
    incident = open_outage(world, outage)
    services.incident_resolve(incident=incident, viewer=world.viewer(world.agent),
                              body="Fixed.", public=True)
    review = services.incident_review(
        incident=incident, viewer=world.viewer(world.manager),
        root_cause="lb-3 firmware dropped keep-alive connections under load",
        fix="Replaced lb-3; pinned firmware 2.4.1", kb_article_url=KB,
        follow_ups=["Alert on 5xx rate per load balancer", "Vendor RCA"],
    )
    stored = PostIncidentReview.objects.get(incident=incident)
    assert stored == review
    assert stored.kb_article_url == KB
    assert stored.follow_ups == ["Alert on 5xx rate per load balancer", "Vendor RCA"]
    assert stored.author == world.manager.user
    assert TicketEvent.objects.filter(type="incident_reviewed",
                                      data__kb_article_url=KB).count() == 7


def test_an_incident_cannot_be_reviewed_twice(world, outage):
    incident = open_outage(world, outage)
    manager = world.viewer(world.manager)
    services.incident_resolve(incident=incident, viewer=manager, body="Fixed.", public=True)
    services.incident_review(incident=incident, viewer=manager, root_cause="a", fix="b")
    with pytest.raises(Conflict):
        services.incident_review(incident=incident, viewer=manager, root_cause="c", fix="d")
    assert PostIncidentReview.objects.get(incident=incident).root_cause == "a"


def test_reviewing_an_open_incident_is_refused(world, outage):
    incident = open_outage(world, outage)
    with pytest.raises(Conflict) as exc:
        services.incident_review(incident=incident, viewer=world.viewer(world.manager),
                                 root_cause="a", fix="b", kb_article_url=KB)
    assert exc.value.field == "status"
    assert not PostIncidentReview.objects.exists()


def test_only_managers_review(world):
    incident = IncidentFactory(status="resolved", resolved_at=clock.now())
    with pytest.raises(Forbidden):
        services.incident_review(incident=incident, viewer=world.viewer(world.agent),
                                 root_cause="a", fix="b")


def test_a_kb_link_must_be_a_web_address(world):
    incident = IncidentFactory(status="resolved", resolved_at=clock.now())
    with pytest.raises(ServiceError) as exc:
        services.incident_review(incident=incident, viewer=world.viewer(world.manager),
                                 root_cause="a", fix="b", kb_article_url="javascript:alert(1)")
    assert exc.value.field == "kb_article_url"
    assert not PostIncidentReview.objects.exists()


def test_customers_cannot_open_or_update_incidents(world):
    customer = world.viewer(world.customer)
    with pytest.raises(Forbidden):
        services.incident_open(viewer=customer, title="x", severity="P0")
    incident = IncidentFactory()
    link(incident, world.ticket)
    with pytest.raises(Forbidden):
        services.incident_post_update(incident=incident, viewer=customer, status="resolved",
                                      body="x", public=True)
    assert not Incident.objects.exclude(pk=incident.pk).exists()
    assert not incident.updates.exists()


def test_an_unknown_severity_is_refused(world):
    with pytest.raises(ServiceError) as exc:
        services.incident_open(viewer=world.viewer(world.agent), title="x", severity="SEV1")
    assert exc.value.field == "severity"
    assert not Incident.objects.exists()


def test_an_unknown_status_is_refused_and_nothing_changes(world, outage):
    incident = open_outage(world, outage)
    with pytest.raises(ServiceError) as exc:
        services.incident_post_update(incident=incident, viewer=world.viewer(world.agent),
                                      status="fixed", body="x", public=True)
    assert exc.value.field == "status"
    assert not incident.updates.exists()
    assert incident_mail() == []
